/*
 * Runner: results in catalog order with several threads, progress under a
 * lock, a filter that matches nothing, expectations applied, rerun
 * commands quoted.
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/runner.h"

#define NCASES 24

static struct acs_case cases[NCASES];
static char ids[NCASES][64];
static char *no_tags[] = {NULL};
static struct acs_catalog cat = {cases, NCASES};

struct ctx {
	pthread_mutex_t mu;
	int running, max_running;
	int calls;
	size_t progress_calls;
	size_t last_done;
	int progress_in_order;
	int progress_total_ok;
};

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Verdict chosen from the case's index so the test can predict it. */
static void run_case(void *p, const struct acs_case *c, struct acs_result *r)
{
	struct ctx *x = p;
	int i = (int)(c - cases);

	pthread_mutex_lock(&x->mu);
	x->calls++;
	x->running++;
	if (x->running > x->max_running)
		x->max_running = x->running;
	pthread_mutex_unlock(&x->mu);

	/* earlier cases take longer, so they finish out of order */
	sleep_ms(2 + (NCASES - i) % 7 * 2);
	r->raw = i % 3 == 0 ? ACS_FAIL : ACS_PASS;
	r->message = strdup(c->id);

	pthread_mutex_lock(&x->mu);
	x->running--;
	pthread_mutex_unlock(&x->mu);
}

static void progress(void *p, const struct acs_result *r, size_t done, size_t total)
{
	struct ctx *x = p;

	/* runs under the runner's lock: no lock of our own needed */
	x->progress_calls++;
	if (done != x->last_done + 1)
		x->progress_in_order = 0;
	x->last_done = done;
	if (r->rerun == NULL || r->verdict != r->raw)
		x->progress_in_order = 0;
	(void)total;
}

static int suite_init(void)
{
	int i;

	/* sorted ids: the catalog is in id order */
	for (i = 0; i < NCASES; i++) {
		snprintf(ids[i], sizeof(ids[i]), "server.8555.%d_1.case-%02d", 6 + i / 10, i);
		cases[i].id = ids[i];
		cases[i].section = i < 10 ? "6.1" : (i < 20 ? "7.1" : "8.1");
		cases[i].level = i % 2 ? ACS_SHOULD : ACS_MUST;
		cases[i].tags = no_tags;
	}
	return 0;
}

static void free_results(struct acs_result *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		acs_result_clear(&res[i]);
	free(res);
}

static void check_order(int jobs)
{
	struct ctx x;
	struct acs_run_opts o;
	struct acs_result *res = NULL;
	struct acs_err err = {0};
	size_t n = 0, i;

	memset(&x, 0, sizeof(x));
	pthread_mutex_init(&x.mu, NULL);
	x.progress_in_order = 1;
	memset(&o, 0, sizeof(o));
	o.jobs = jobs;
	o.run = run_case;
	o.run_ctx = &x;
	o.progress = progress;
	o.progress_ctx = &x;
	o.rerun_prefix = "acmespec server https://localhost:14000/dir";

	CU_ASSERT_EQUAL_FATAL(acs_run(&cat, &o, &res, &n, &err), 0);
	CU_ASSERT_EQUAL(n, NCASES);
	CU_ASSERT_EQUAL(x.calls, NCASES);
	CU_ASSERT_EQUAL(x.progress_calls, NCASES);
	CU_ASSERT(x.progress_in_order);
	if (jobs > 1) {
		CU_ASSERT(x.max_running > 1);
	} else {
		CU_ASSERT_EQUAL(x.max_running, 1);
	}
	CU_ASSERT(x.max_running <= jobs);
	for (i = 0; i < n; i++) {
		char want[160];

		CU_ASSERT_PTR_EQUAL(res[i].c, &cases[i]);
		CU_ASSERT_STRING_EQUAL(res[i].message, cases[i].id);
		CU_ASSERT_EQUAL(res[i].raw, i % 3 == 0 ? ACS_FAIL : ACS_PASS);
		CU_ASSERT_EQUAL(res[i].verdict, res[i].raw);
		CU_ASSERT(res[i].seconds >= 0.001);
		snprintf(want, sizeof(want),
		         "acmespec server https://localhost:14000/dir --case %s", cases[i].id);
		CU_ASSERT_STRING_EQUAL(res[i].rerun, want);
	}
	free_results(res, n);
	pthread_mutex_destroy(&x.mu);
}

static void test_order_jobs4(void)
{
	check_order(4);
}

static void test_order_jobs1(void)
{
	check_order(1);
}

static void test_more_jobs_than_cases(void)
{
	check_order(64);
}

static void test_filter(void)
{
	struct ctx x;
	struct acs_run_opts o;
	struct acs_filter f;
	struct acs_result *res = NULL;
	struct acs_err err = {0};
	size_t n = 77, i;
	const char *sec[] = {"7"};
	const char *globs[] = {"client.*"};

	memset(&x, 0, sizeof(x));
	pthread_mutex_init(&x.mu, NULL);
	memset(&o, 0, sizeof(o));
	memset(&f, 0, sizeof(f));
	f.level = ACS_MUST;
	f.sections = sec;
	f.nsections = 1;
	o.jobs = 3;
	o.filter = &f;
	o.run = run_case;
	o.run_ctx = &x;

	CU_ASSERT_EQUAL_FATAL(acs_run(&cat, &o, &res, &n, &err), 0);
	/* section 7: cases 10..19, MUST: even ones */
	CU_ASSERT_EQUAL(n, 5);
	for (i = 0; i < n; i++) {
		CU_ASSERT_PTR_EQUAL(res[i].c, &cases[10 + 2 * i]);
		/* no prefix: the program name alone */
		CU_ASSERT(strncmp(res[i].rerun, "acmespec --case server.8555.7_1.", 32) == 0);
	}
	free_results(res, n);

	res = NULL;
	n = 77;
	f.globs = globs;
	f.nglobs = 1;
	CU_ASSERT_EQUAL(acs_run(&cat, &o, &res, &n, &err), ACS_E_NOTFOUND);
	CU_ASSERT(strstr(err.msg, "no case matches the filter") != NULL);
	CU_ASSERT_PTR_NULL(res);
	CU_ASSERT_EQUAL(n, 77);
	CU_ASSERT_EQUAL(x.calls, 5);

	o.run = NULL;
	CU_ASSERT_EQUAL(acs_run(&cat, &o, &res, &n, &err), ACS_E_INVAL);
	pthread_mutex_destroy(&x.mu);
}

static void test_expectations(void)
{
	struct ctx x;
	struct acs_run_opts o;
	struct acs_result *res = NULL;
	struct acs_err err = {0};
	struct acs_expect_entry entries[2];
	struct acs_expectations e;
	size_t n = 0, i;

	/* case-00 FAILs (expected: XFAIL), case-01 PASSes (expected FAIL: XPASS) */
	memset(entries, 0, sizeof(entries));
	entries[0].pattern = "server.8555.6_1.case-00";
	entries[0].verdict = ACS_FAIL;
	entries[0].reason = "known";
	entries[0].link = NULL;
	entries[1].pattern = "server.8555.6_1.case-0[1]";
	entries[1].verdict = ACS_FAIL;
	entries[1].reason = "fixed upstream?";
	entries[1].link = "https://example/issue/1";
	e.target = "test";
	e.entries = entries;
	e.n = 2;

	memset(&x, 0, sizeof(x));
	pthread_mutex_init(&x.mu, NULL);
	x.progress_in_order = 1;
	memset(&o, 0, sizeof(o));
	o.jobs = 4;
	o.expect = &e;
	o.run = run_case;
	o.run_ctx = &x;
	o.progress = progress;
	o.progress_ctx = &x;
	CU_ASSERT_EQUAL_FATAL(acs_run(&cat, &o, &res, &n, &err), 0);
	CU_ASSERT_EQUAL(n, NCASES);
	CU_ASSERT_EQUAL(res[0].raw, ACS_FAIL);
	CU_ASSERT_EQUAL(res[0].verdict, ACS_XFAIL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res[0].expect_reason);
	CU_ASSERT_STRING_EQUAL(res[0].expect_reason, "known");
	CU_ASSERT_EQUAL(res[1].raw, ACS_PASS);
	CU_ASSERT_EQUAL(res[1].verdict, ACS_XPASS);
	CU_ASSERT_PTR_NOT_NULL_FATAL(res[1].expect_reason);
	CU_ASSERT_STRING_EQUAL(res[1].expect_reason, "fixed upstream? (https://example/issue/1)");
	for (i = 2; i < n; i++) {
		CU_ASSERT_EQUAL(res[i].verdict, res[i].raw);
		CU_ASSERT_PTR_NULL(res[i].expect_reason);
	}
	free_results(res, n);
	pthread_mutex_destroy(&x.mu);
}

static void noop_case(void *p, const struct acs_case *c, struct acs_result *r)
{
	(void)p;
	(void)c;
	r->raw = ACS_PASS;
}

static void test_rerun_quoting(void)
{
	struct acs_case odd[1];
	struct acs_catalog c1 = {odd, 1};
	struct acs_run_opts o;
	struct acs_result *res = NULL;
	struct acs_err err = {0};
	size_t n = 0;

	memset(odd, 0, sizeof(odd));
	odd[0].id = "server.8555.1_1.it's a $case";
	odd[0].section = "1.1";
	odd[0].tags = no_tags;
	memset(&o, 0, sizeof(o));
	o.jobs = 0; /* treated as 1 */
	o.run = noop_case;
	o.rerun_prefix = "acmespec server URL";
	CU_ASSERT_EQUAL_FATAL(acs_run(&c1, &o, &res, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_STRING_EQUAL(res[0].rerun,
	                       "acmespec server URL --case 'server.8555.1_1.it'\\''s a $case'");
	CU_ASSERT_EQUAL(res[0].verdict, ACS_PASS);
	free_results(res, n);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("runner", suite_init, NULL);

	CU_add_test(s, "order_jobs4", test_order_jobs4);
	CU_add_test(s, "order_jobs1", test_order_jobs1);
	CU_add_test(s, "more_jobs_than_cases", test_more_jobs_than_cases);
	CU_add_test(s, "filter", test_filter);
	CU_add_test(s, "expectations", test_expectations);
	CU_add_test(s, "rerun_quoting", test_rerun_quoting);
}
