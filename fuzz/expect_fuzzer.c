/*
 * Fuzz target: the expectations loader (harness/expect.h).
 *
 * Feeds the input as an expectations file: it is written to a file in a
 * per-process scratch folder and loaded with acs_expect_load, without a
 * catalog and with the project's own catalog (cases/, loaded once at
 * start), then looked up and applied to results of the catalog's cases.
 *
 * Properties checked:
 *   - what loads against the catalog also loads without one, to the same
 *     entries; every verdict is FAIL or NONSTRICT and every entry has a
 *     pattern and a reason;
 *   - against the catalog, every entry's pattern names at least one case;
 *   - acs_expect_apply follows the table of harness/expect.h: raw equal to
 *     the expected verdict gives XFAIL, an expected FAIL that passed gives
 *     XPASS, anything else keeps the raw verdict; no entry, no change.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/catalog.h"
#include "harness/expect.h"
#include "harness/verdict.h"

#ifndef ACMESPEC_FUZZ_CASES
#define ACMESPEC_FUZZ_CASES "cases"
#endif

#define APPLY_CASES 24 /* catalog cases each loaded file is applied to */

/* Both sides in one catalog ("client." sorts before "server."), kept for
 * the life of the process; the cases are shallow copies. */
static struct acs_catalog *client_cat, *server_cat, *cat;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct acs_err err;

	if (acs_catalog_load(&client_cat, ACMESPEC_FUZZ_CASES, "client", &err) != 0 ||
	    acs_catalog_load(&server_cat, ACMESPEC_FUZZ_CASES, "server", &err) != 0)
		fuzz_fail(err.msg, __FILE__, __LINE__);
	cat = calloc(1, sizeof(*cat));
	FUZZ_CHECK(cat != NULL);
	cat->n = client_cat->n + server_cat->n;
	cat->cases = calloc(cat->n, sizeof(*cat->cases));
	FUZZ_CHECK(cat->cases != NULL);
	memcpy(cat->cases, client_cat->cases, client_cat->n * sizeof(*cat->cases));
	memcpy(cat->cases + client_cat->n, server_cat->cases, server_cat->n * sizeof(*cat->cases));
	return 0;
}

static void check_apply(const struct acs_expectations *e, const struct acs_case *c)
{
	static const enum acs_verdict raws[] = {ACS_PASS, ACS_FAIL, ACS_NONSTRICT, ACS_ERROR};
	const struct acs_expect_entry *en = acs_expect_find(e, c->id);
	struct acs_result r;
	size_t i;

	for (i = 0; i < sizeof(raws) / sizeof(raws[0]); i++) {
		memset(&r, 0, sizeof(r));
		r.c = c;
		r.raw = raws[i];
		acs_expect_apply(e, &r);
		if (en == NULL) {
			FUZZ_CHECK(r.verdict == r.raw && r.expect_reason == NULL);
		} else if (r.raw == en->verdict) {
			FUZZ_CHECK(r.verdict == ACS_XFAIL && r.expect_reason != NULL);
		} else if (en->verdict == ACS_FAIL && r.raw == ACS_PASS) {
			FUZZ_CHECK(r.verdict == ACS_XPASS && r.expect_reason != NULL);
		} else {
			FUZZ_CHECK(r.verdict == r.raw && r.expect_reason == NULL);
		}
		acs_result_clear(&r);
	}
}

static int names_a_case(const char *pattern)
{
	size_t i;

	for (i = 0; i < cat->n; i++) {
		if (fnmatch(pattern, cat->cases[i].id, 0) == 0)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acs_expectations *bare = NULL, *full = NULL;
	struct acs_err err;
	const char *path;
	size_t i;
	int rc_bare, rc_full;

	if (size > 256 * 1024)
		return 0;
	path = fuzz_write_temp("expect.json", data, size);
	FUZZ_CHECK(path != NULL);
	rc_bare = acs_expect_load(&bare, path, NULL, &err);
	if (rc_bare == 0) {
		FUZZ_CHECK(bare != NULL);
		for (i = 0; i < bare->n; i++) {
			FUZZ_CHECK(bare->entries[i].pattern != NULL);
			FUZZ_CHECK(bare->entries[i].verdict == ACS_FAIL ||
			           bare->entries[i].verdict == ACS_NONSTRICT);
			FUZZ_CHECK(bare->entries[i].reason != NULL);
		}
	}
	rc_full = acs_expect_load(&full, path, cat, &err);
	if (rc_full == 0) {
		FUZZ_CHECK(rc_bare == 0);
		FUZZ_CHECK(full->n == bare->n);
		for (i = 0; i < full->n; i++) {
			FUZZ_CHECK(strcmp(full->entries[i].pattern, bare->entries[i].pattern) == 0);
			FUZZ_CHECK(names_a_case(full->entries[i].pattern));
		}
		for (i = 0; i < cat->n && i < APPLY_CASES; i++)
			check_apply(full, &cat->cases[i]);
		for (i = 0; i < full->n && i < APPLY_CASES; i++) {
			const struct acs_case *c = acs_catalog_find(cat, full->entries[i].pattern);

			if (c != NULL)
				check_apply(full, c);
		}
	}
	acs_expect_free(full);
	acs_expect_free(bare);
	return 0;
}
