/*
 * Expectations files: known results for one target, e.g.
 * cases/expect/pebble-2.4.json:
 *
 *   { "target": "pebble 2.4.0",
 *     "expectations": [
 *       { "case": "server.8555.7_2.newnonce-no-store", "verdict": "FAIL",
 *         "clause": "RFC 8555 7.2: MUST include Cache-Control: no-store",
 *         "reason": "sends public, max-age=0, no-cache",
 *         "link": "https://..." } ] }
 *
 * "case" may be a glob. A result whose raw verdict equals the expected one
 * (FAIL or NONSTRICT) becomes XFAIL; an expected FAIL that passed becomes
 * XPASS, unless the entry says "intermittent": true (a fault the target
 * shows in some runs only: then a PASS stays PASS). Other combinations keep
 * the raw verdict. An entry naming no case
 * of the catalog is an error (a typo would silently expect nothing).
 */
#ifndef ACMESPEC_EXPECT_H
#define ACMESPEC_EXPECT_H

#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/verdict.h"

struct acs_expect_entry {
	char *pattern;
	enum acs_verdict verdict;
	char *reason;     /* "clause: reason" as one line */
	char *link;       /* may be NULL */
	int intermittent; /* seen in some runs only: a PASS is not an XPASS */
};

struct acs_expectations {
	char *target;
	struct acs_expect_entry *entries;
	size_t n;
};

/* Load and validate against cat (cat may be NULL to skip the name check). */
int acs_expect_load(struct acs_expectations **out, const char *path, const struct acs_catalog *cat,
                    struct acs_err *err);
void acs_expect_free(struct acs_expectations *e);

/* The first entry matching id (borrowed), or NULL. */
const struct acs_expect_entry *acs_expect_find(const struct acs_expectations *e, const char *id);

/* Apply to r: sets r->verdict (from r->raw) and r->expect_reason. */
void acs_expect_apply(const struct acs_expectations *e, struct acs_result *r);

#endif
