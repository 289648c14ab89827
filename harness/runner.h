/*
 * The runner: takes the cases that pass the filter, runs each through a
 * side-specific callback on up to `jobs` threads, applies expectations and
 * fills results in catalog order. Progress is reported through an optional
 * callback (the console report draws it).
 */
#ifndef ACMESPEC_RUNNER_H
#define ACMESPEC_RUNNER_H

#include "harness/catalog.h"
#include "harness/expect.h"
#include "harness/verdict.h"

/*
 * Run one case; fill r->raw, message, expected, actual, transcript, step.
 * Called concurrently from several threads with distinct r.
 */
typedef void (*acs_case_fn)(void *ctx, const struct acs_case *c, struct acs_result *r);

/* Called (under a lock) after each case finishes. */
typedef void (*acs_progress_fn)(void *ctx, const struct acs_result *r, size_t done, size_t total);

struct acs_run_opts {
	int jobs; /* >= 1 */
	const struct acs_filter *filter;
	const struct acs_expectations *expect; /* may be NULL */
	const char *rerun_prefix; /* "acmespec server URL --ca-bundle F"; --case ID appended */
	acs_case_fn run;
	void *run_ctx;
	acs_progress_fn progress; /* may be NULL */
	void *progress_ctx;
	/*
	 * --fail-fast: 0 runs everything; 1 starts no case after a FAIL, XPASS
	 * or ERROR; 2 after a NONSTRICT too (a strict run). The cases not
	 * started are SKIPPED ("not run: --fail-fast stopped the run after ID").
	 */
	int fail_fast;
};

/*
 * Run the filtered cases. *results: new array of *n results (catalog
 * order); free each with acs_result_clear and the array with free().
 * Returns ACS_E_NOTFOUND when the filter matches no case. After
 * acs_cancel_request no case is started; those never started are
 * SKIPPED ("not run: the run was interrupted").
 */
int acs_run(const struct acs_catalog *cat, const struct acs_run_opts *opts,
            struct acs_result **results, size_t *n, struct acs_err *err);

#endif
