/*
 * Expectation matching for server scripts (docs/case-format.md,
 * "Expectations"): JSON pointers with the "*" extension, and matchers.
 */
#ifndef ACMESPEC_MATCH_H
#define ACMESPEC_MATCH_H

#include <jansson.h>
#include "harness/buf.h"
#include "harness/err.h"

/*
 * Check a matcher specification statically (known keys, value types, regex
 * compiles). Errors name the offending key: "matcher key \"regex\" unknown".
 */
int acs_matcher_validate(const json_t *matcher, struct acs_err *err);

/*
 * Does value (NULL = absent) satisfy matcher? Returns 1 / 0. On 0, appends
 * to `why` a short lower-case explanation ("expected one of [400, 403],
 * got 201"; "expected a string matching ^[A-Za-z0-9_-]+$, got \"a=\"").
 */
int acs_match_value(const json_t *matcher, const json_t *value, struct acs_buf *why);

/*
 * Apply matcher at pointer in doc (doc may be NULL: everything absent).
 * A "*" segment applies the rest to every element of an array; an empty or
 * missing array fails unless the matcher is {"present": false}.
 * Returns 1 / 0; on 0 appends "<pointer>: <explanation>" to why.
 */
int acs_match_pointer(const json_t *doc, const char *pointer, const json_t *matcher,
                      struct acs_buf *why);

/* Plain RFC 6901 lookup (no "*"); borrowed value or NULL. */
json_t *acs_json_pointer(const json_t *doc, const char *pointer);

/* 1 when s is a registered ACME error URN (RFC 8555 9.7.4 + alreadyReplaced + invalidProfile). */
int acs_acme_error_registered(const char *s);

/* Describe a matcher in words for "expected" ("a string matching ..."). New string. */
char *acs_matcher_describe(const json_t *matcher);

/*
 * 1 when a and b are arrays holding the same elements (JSON equality), in
 * any order: the comparison RFC 8555 section 7.1.3 allows for an order's
 * "identifiers" and "authorizations".
 */
int acs_json_set_equal(const json_t *a, const json_t *b);

#endif
