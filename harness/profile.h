/*
 * Target profiles: cases/profiles/<name>.json says which optional features
 * a target offers ("features": {"eab": false, ...}: cases needing a feature
 * set to false are SKIPPED) and which known divergences it has
 * ("expectations": entries in the format of an expectations file, with
 * "clause" and "reason"). rfc8555 is the default and needs no file.
 */
#ifndef ACMESPEC_PROFILE_H
#define ACMESPEC_PROFILE_H

#include <jansson.h>

#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/expect.h"

struct acs_profile {
	char name[64];
	json_t *json; /* owned; NULL for the default profile without a file */
};

/*
 * Load profile name (NULL: the default "rfc8555", whose file is optional)
 * from catalog_dir/profiles/<name>.json into p (caller frees with
 * acs_profile_clear). Errors: ACS_E_INVAL for a bad name, ACS_E_NOTFOUND
 * for an unknown profile ("unknown profile \"x\": cannot read PATH"), and
 * the file's own errors (acs_json_load_object).
 */
int acs_profile_load(struct acs_profile *p, const char *catalog_dir, const char *name,
                     struct acs_err *err);

/* Free what p owns (p itself is the caller's). */
void acs_profile_clear(struct acs_profile *p);

/* 1 when the profile switches feature off (features.<feature> is false). */
int acs_profile_lacks(const struct acs_profile *p, const char *feature);

/*
 * The expectations of a run: the entries of file (NULL: none), then the
 * profile's, in one list, so that a target's own file overrides its
 * profile. *out: new list (acs_expect_free), or NULL when there is none.
 * Errors name the file or the profile entry ("profile letsencrypt:
 * expectations[3]: needs \"case\" and a valid \"verdict\"").
 */
int acs_profile_expectations(const struct acs_profile *p, const char *file,
                             const struct acs_catalog *cat, struct acs_expectations **out,
                             struct acs_err *err);

#endif
