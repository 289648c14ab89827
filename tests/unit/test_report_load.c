/*
 * Unit tests for reports/load.c, reports/diff.c and reports/draft.c: JSON
 * reports read back (round trip, the fixtures in tests/data/reports, every
 * malformed-file error), the diff of two runs in every direction, the
 * merge of shards (duplicates and mismatched runs refused), and the
 * expectations draft (its contents, and that the loader refuses it until
 * the reasons are filled in).
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/expect.h"
#include "reports/load.h"
#include "reports/report.h"

static char tmpdir[64];
static char *written[64]; /* files written into tmpdir, removed at the end */
static size_t nwritten;

static int suite_init(void)
{
	memcpy(tmpdir, "/tmp/acs-load-XXXXXX", sizeof("/tmp/acs-load-XXXXXX"));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int suite_clean(void)
{
	size_t i;

	for (i = 0; i < nwritten; i++) {
		unlink(written[i]);
		free(written[i]);
	}
	nwritten = 0;
	return rmdir(tmpdir) == 0 ? 0 : -1;
}

/* A path in tmpdir (removed at the end); static storage per call slot. */
static const char *tmp_path(const char *name)
{
	size_t i, len = strlen(tmpdir) + strlen(name) + 2;
	char *p;

	for (i = 0; i < nwritten; i++) {
		if (strcmp(strrchr(written[i], '/') + 1, name) == 0)
			return written[i];
	}
	CU_ASSERT_FATAL(nwritten < sizeof(written) / sizeof(written[0]));
	p = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	snprintf(p, len, "%s/%s", tmpdir, name);
	written[nwritten++] = p;
	return p;
}

static const char *write_text(const char *name, const char *text)
{
	const char *path = tmp_path(name);
	FILE *f = fopen(path, "w");

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static char *source_path(const char *rel)
{
	const char *src = getenv("ACMESPEC_SOURCE_DIR");
	size_t len;
	char *p;

	if (src == NULL)
		src = ".";
	len = strlen(src) + strlen(rel) + 2;
	p = malloc(len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	snprintf(p, len, "%s/%s", src, rel);
	return p;
}

/* ------------------------------------------------------ runs built here */

/* One case of a run built in a test: id and verdicts. */
struct spec {
	const char *id;
	enum acs_verdict verdict;
	enum acs_verdict raw;
};

/*
 * Write a run of the given cases as a JSON report (name in tmpdir) with
 * acs_json_write and read it back.
 */
static struct acs_report *make_run(const char *name, const char *side, int strict,
                                   const struct spec *specs, size_t n)
{
	struct acs_case cases[32];
	struct acs_result results[32];
	struct acs_run_info info = {.side = side,
	                            .target = "https://ca.test/dir",
	                            .profile = "rfc8555",
	                            .strict = strict,
	                            .jobs = 2,
	                            .started = 1764864000,
	                            .seconds = 1.5};
	struct acs_report *rep = NULL;
	struct acs_err err = {0};
	const char *path = tmp_path(name);
	size_t i;

	CU_ASSERT_FATAL(n <= 32);
	memset(cases, 0, sizeof(cases));
	memset(results, 0, sizeof(results));
	for (i = 0; i < n; i++) {
		cases[i].id = (char *)specs[i].id;
		cases[i].side = (char *)side;
		cases[i].rfc = "8555";
		cases[i].section = "6.5";
		cases[i].level = i % 2 ? ACS_SHOULD : ACS_MUST;
		cases[i].title = "a title";
		cases[i].requirement = "The server MUST do it.";
		results[i].c = &cases[i];
		results[i].verdict = specs[i].verdict;
		results[i].raw = specs[i].raw;
		results[i].message = specs[i].verdict == ACS_PASS ? NULL : "step 1: it went wrong";
		results[i].expect_reason =
		    specs[i].verdict == ACS_XFAIL ? "known: sends 400" : NULL;
		results[i].seconds = 0.25;
	}
	CU_ASSERT_EQUAL_FATAL(acs_json_write(path, &info, results, n, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_report_load(path, &rep, &err), 0);
	return rep;
}

/* ------------------------------------------------------------------ load */

static void test_round_trip(void)
{
	static struct acs_case c = {.id = "client.8555.7_3.x",
	                            .side = "client",
	                            .rfc = "8555",
	                            .section = "7.3",
	                            .level = ACS_SHOULD,
	                            .title = "t \"quoted\" <b>",
	                            .requirement = "words\nover lines"};
	struct acs_result r[2];
	struct acs_run_info info = {.side = "client",
	                            .target = "certbot --server X",
	                            .profile = "rfc8555",
	                            .expect_file = "e.json",
	                            .strict = 1,
	                            .jobs = 3,
	                            .started = 1764864000,
	                            .seconds = 12.5};
	struct acs_report *rep = NULL;
	struct acs_err err = {0};
	const char *path = tmp_path("round.json");
	char *first, *second;

	memset(r, 0, sizeof(r));
	r[0].c = &c;
	r[0].verdict = ACS_XFAIL;
	r[0].raw = ACS_NONSTRICT;
	r[0].message = "m";
	r[0].expected = "e";
	r[0].actual = "a";
	r[0].transcript = "line 1\nline 2\n";
	r[0].client_output = "out";
	r[0].expect_reason = "why";
	r[0].rerun = "acmespec client ...";
	r[0].step = 4;
	r[0].seconds = 0.125;
	r[1] = r[0];
	r[1].c = NULL; /* rendered as "id": null: the loader must refuse it */
	CU_ASSERT_EQUAL_FATAL(acs_json_write(path, &info, r, 1, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_report_load(path, &rep, &err), 0);
	CU_ASSERT_EQUAL(rep->n, 1);
	CU_ASSERT_STRING_EQUAL(rep->version, acs_version());
	CU_ASSERT_STRING_EQUAL(rep->info.side, "client");
	CU_ASSERT_STRING_EQUAL(rep->info.expect_file, "e.json");
	CU_ASSERT_EQUAL(rep->info.strict, 1);
	CU_ASSERT_EQUAL(rep->info.jobs, 3);
	CU_ASSERT_EQUAL(rep->info.started, 1764864000);
	CU_ASSERT_STRING_EQUAL(rep->cases[0].side, "client");
	CU_ASSERT_EQUAL(rep->results[0].raw, ACS_NONSTRICT);
	CU_ASSERT_EQUAL(rep->results[0].step, 4);
	CU_ASSERT_PTR_EQUAL(rep->results[0].c, &rep->cases[0]);
	CU_ASSERT_PTR_EQUAL(acs_report_find(rep, "client.8555.7_3.x"), &rep->results[0]);
	CU_ASSERT_PTR_NULL(acs_report_find(rep, "client.8555.7_3.y"));
	/* what was written is what is written again */
	first = acs_json_render(&info, r, 1);
	second = acs_json_render(&rep->info, rep->results, rep->n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(first);
	CU_ASSERT_PTR_NOT_NULL_FATAL(second);
	CU_ASSERT_STRING_EQUAL(first, second);
	free(first);
	free(second);
	acs_report_free(rep);

	rep = NULL;
	CU_ASSERT_EQUAL_FATAL(acs_json_write(path, &info, r, 2, &err), 0);
	CU_ASSERT_EQUAL(acs_report_load(path, &rep, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NULL(rep);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(err.msg, "results[1]: field \"id\": expected a string, got null"));
}

static void test_fixtures(void)
{
	char *before_path = source_path("tests/data/reports/before.json");
	char *baseline = source_path("tests/data/reports/after.json");
	struct acs_report *rep = NULL;
	struct acs_summary sum;
	struct acs_err err = {0};

	CU_ASSERT_EQUAL_FATAL(acs_report_load(before_path, &rep, &err), 0);
	CU_ASSERT_EQUAL(rep->n, 9);
	acs_summarize(rep->results, rep->n, &sum);
	CU_ASSERT_EQUAL(sum.count[ACS_PASS], 4);
	CU_ASSERT_EQUAL(sum.count[ACS_FAIL], 1);
	CU_ASSERT_EQUAL(sum.count[ACS_XFAIL], 2);
	CU_ASSERT_EQUAL(sum.count[ACS_UNSUPPORTED], 2);
	CU_ASSERT_STRING_EQUAL(rep->info.target, "https://127.0.0.1:26158/dir");
	CU_ASSERT_STRING_EQUAL(rep->info.expect_file, "cases/expect/pebble-2.4.json");
	CU_ASSERT_EQUAL(rep->info.jobs, 4);
	acs_report_free(rep);
	rep = NULL;
	CU_ASSERT_EQUAL_FATAL(acs_report_load(baseline, &rep, &err), 0);
	acs_summarize(rep->results, rep->n, &sum);
	CU_ASSERT_EQUAL(sum.count[ACS_ERROR], 1);
	CU_ASSERT_EQUAL(sum.count[ACS_XPASS], 1);
	CU_ASSERT_EQUAL(acs_exit_code(&sum, rep->info.strict), ACS_EXIT_INFRA);
	acs_report_free(rep);
	free(before_path);
	free(baseline);
}

/* What a malformed report is refused with. */
static void check_refused(const char *text, int code, const char *words)
{
	struct acs_report *rep = NULL;
	struct acs_err err = {0};
	const char *path = write_text("bad.json", text);
	int rc = acs_report_load(path, &rep, &err);

	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_PTR_NULL(rep);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	if (strstr(err.msg, words) == NULL)
		fprintf(stderr, "\n  message \"%s\"\n  lacks \"%s\"\n", err.msg, words);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, words));
	acs_report_free(rep);
}

#define REPORT_HEAD "{\"acmespec\": \"0.1.0\", \"side\": \"server\", "
#define ONE_RESULT  "{\"id\": \"server.8555.6_5.a\", \"verdict\": \"PASS\", \"level\": \"MUST\"}"

static void test_malformed(void)
{
	struct acs_report *rep = NULL;
	struct acs_err err = {0};

	CU_ASSERT_EQUAL(acs_report_load("/nonexistent/r.json", &rep, &err), ACS_E_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open JSON report /nonexistent/r.json"));
	check_refused("{\"acmespec\": \"0.1.0\",\n  \"results\": [,]}", ACS_E_PARSE,
	              ":2:15: invalid JSON");
	check_refused("[]", ACS_E_INVAL, "expected a JSON object, got array");
	check_refused("{\"results\": []}", ACS_E_INVAL,
	              "not an acmespec JSON report: field \"acmespec\": missing");
	check_refused("{\"acmespec\": 1, \"results\": []}", ACS_E_INVAL,
	              "not an acmespec JSON report: field \"acmespec\": expected a string, got "
	              "integer");
	check_refused(REPORT_HEAD "\"side\": 2, \"results\": []}", ACS_E_PARSE, "duplicate");
	check_refused("{\"acmespec\": \"0.1.0\", \"side\": 2, \"results\": []}", ACS_E_INVAL,
	              "field \"side\": expected a string, got integer");
	check_refused(REPORT_HEAD "\"strict\": \"yes\", \"results\": []}", ACS_E_INVAL,
	              "field \"strict\": expected true or false, got string");
	check_refused(REPORT_HEAD "\"jobs\": -1, \"results\": []}", ACS_E_INVAL,
	              "field \"jobs\": expected an integer from 0 to 1000000");
	check_refused(REPORT_HEAD "\"started\": \"yesterday\", \"results\": []}", ACS_E_INVAL,
	              "field \"started\": expected an RFC 3339 date-time");
	check_refused(REPORT_HEAD "\"seconds\": \"1\", \"results\": []}", ACS_E_INVAL,
	              "field \"seconds\": expected a number, got string");
	check_refused(REPORT_HEAD "\"summary\": {}}", ACS_E_INVAL, "field \"results\": missing");
	check_refused(REPORT_HEAD "\"results\": {}}", ACS_E_INVAL,
	              "field \"results\": expected an array, got object");
	check_refused(REPORT_HEAD "\"results\": [" ONE_RESULT ", 7]}", ACS_E_INVAL,
	              "results[1]: expected an object, got integer");
	check_refused(REPORT_HEAD "\"results\": [{\"verdict\": \"PASS\", \"level\": \"MUST\"}]}",
	              ACS_E_INVAL, "results[0]: field \"id\": missing");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"\", \"verdict\": \"PASS\"}]}",
	              ACS_E_INVAL, "results[0]: field \"id\": expected a non-empty string");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"x\", \"verdict\": \"MAYBE\"}]}",
	              ACS_E_INVAL,
	              "results[0]: field \"verdict\": expected one of PASS, FAIL, NONSTRICT, "
	              "UNSUPPORTED, SKIPPED, XFAIL, XPASS, ERROR, got \"MAYBE\"");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"x\"}]}", ACS_E_INVAL,
	              "results[0]: field \"verdict\": missing");
	check_refused(REPORT_HEAD
	              "\"results\": [{\"id\": \"x\", \"verdict\": \"PASS\", \"raw_verdict\": "
	              "3}]}",
	              ACS_E_INVAL, "results[0]: field \"raw_verdict\": expected a verdict name");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"x\", \"verdict\": \"PASS\", \"level\": "
	                          "\"MUSTN'T\"}]}",
	              ACS_E_INVAL,
	              "results[0]: field \"level\": expected one of MUST, SHOULD, MAY");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"x\", \"verdict\": \"PASS\"}]}",
	              ACS_E_INVAL, "results[0]: field \"level\": missing");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"x\", \"verdict\": \"PASS\", \"level\": "
	                          "\"MUST\", \"message\": [\"a\"]}]}",
	              ACS_E_INVAL, "results[0]: field \"message\": expected a string, got array");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"x\", \"verdict\": \"PASS\", \"level\": "
	                          "\"MUST\", \"step\": 1.5}]}",
	              ACS_E_INVAL, "results[0]: field \"step\": expected an integer, got number");
	check_refused(REPORT_HEAD "\"results\": [{\"id\": \"x\", \"verdict\": \"PASS\", \"level\": "
	                          "\"MUST\", \"seconds\": -2}]}",
	              ACS_E_INVAL,
	              "results[0]: field \"seconds\": expected a number of at least 0");
	check_refused(REPORT_HEAD "\"results\": [" ONE_RESULT ", " ONE_RESULT ", " ONE_RESULT "]}",
	              ACS_E_INVAL, "results[0] and results[1] are both case server.8555.6_5.a");
}

static void test_minimal_and_unknown_fields(void)
{
	struct acs_report *rep = NULL;
	struct acs_err err = {0};
	const char *path =
	    write_text("min.json", "{\"acmespec\": \"9.9.9\", \"new_field\": {\"x\": 1}, "
	                           "\"results\": [{\"id\": \"noside\", \"verdict\": \"xfail\", "
	                           "\"level\": \"should\", \"later\": true}]}");

	CU_ASSERT_EQUAL_FATAL(acs_report_load(path, &rep, &err), 0);
	CU_ASSERT_PTR_NULL(rep->side);
	CU_ASSERT_PTR_NULL(rep->info.target);
	CU_ASSERT_EQUAL(rep->n, 1);
	CU_ASSERT_EQUAL(rep->results[0].verdict, ACS_XFAIL);
	CU_ASSERT_EQUAL(rep->results[0].raw, ACS_XFAIL); /* absent: the verdict */
	CU_ASSERT_EQUAL(rep->cases[0].level, ACS_SHOULD);
	CU_ASSERT_STRING_EQUAL(rep->cases[0].side, "unknown");
	acs_report_free(rep);
}

/* ------------------------------------------------------------------ diff */

/* The kind of the change of case id in d, or -1 when it did not change. */
static int kind_of(const struct acs_diff *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct acs_result *r =
		    d->changes[i].before != NULL ? d->changes[i].before : d->changes[i].after;

		if (strcmp(r->c->id, id) == 0)
			return (int)d->changes[i].kind;
	}
	return -1;
}

#define BAD ACS_VERDICT_COUNT /* in a spec: the case is not in that run */

static const struct {
	const char *id;
	enum acs_verdict before, after;
	int kind; /* -1: unchanged */
} transitions[] = {
    {"t.pass-fail", ACS_PASS, ACS_FAIL, ACS_CHANGE_REGRESSION},
    {"t.pass-error", ACS_PASS, ACS_ERROR, ACS_CHANGE_REGRESSION},
    {"t.pass-xpass", ACS_PASS, ACS_XPASS, ACS_CHANGE_REGRESSION},
    {"t.xfail-fail", ACS_XFAIL, ACS_FAIL, ACS_CHANGE_REGRESSION},
    {"t.unsupported-fail", ACS_UNSUPPORTED, ACS_FAIL, ACS_CHANGE_REGRESSION},
    {"t.skipped-error", ACS_SKIPPED, ACS_ERROR, ACS_CHANGE_REGRESSION},
    {"t.xfail-xpass", ACS_XFAIL, ACS_XPASS, ACS_CHANGE_REGRESSION},
    {"t.pass-nonstrict", ACS_PASS, ACS_NONSTRICT, ACS_CHANGE_CHANGED},
    {"t.fail-pass", ACS_FAIL, ACS_PASS, ACS_CHANGE_FIXED},
    {"t.error-pass", ACS_ERROR, ACS_PASS, ACS_CHANGE_FIXED},
    {"t.xpass-pass", ACS_XPASS, ACS_PASS, ACS_CHANGE_FIXED},
    {"t.fail-xfail", ACS_FAIL, ACS_XFAIL, ACS_CHANGE_CHANGED},
    {"t.fail-error", ACS_FAIL, ACS_ERROR, ACS_CHANGE_CHANGED},
    {"t.error-fail", ACS_ERROR, ACS_FAIL, ACS_CHANGE_CHANGED},
    {"t.fail-unsupported", ACS_FAIL, ACS_UNSUPPORTED, ACS_CHANGE_CHANGED},
    {"t.unsupported-pass", ACS_UNSUPPORTED, ACS_PASS, ACS_CHANGE_CHANGED},
    {"t.pass-xfail", ACS_PASS, ACS_XFAIL, ACS_CHANGE_CHANGED},
    {"t.nonstrict-pass", ACS_NONSTRICT, ACS_PASS, ACS_CHANGE_CHANGED},
    {"t.pass-pass", ACS_PASS, ACS_PASS, -1},
    {"t.fail-fail", ACS_FAIL, ACS_FAIL, -1},
    {"t.xfail-xfail", ACS_XFAIL, ACS_XFAIL, -1},
    {"t.pass-gone", ACS_PASS, BAD, ACS_CHANGE_REMOVED},
    {"t.fail-gone", ACS_FAIL, BAD, ACS_CHANGE_REMOVED},
    {"t.new-pass", BAD, ACS_PASS, ACS_CHANGE_ADDED},
    {"t.new-unsupported", BAD, ACS_UNSUPPORTED, ACS_CHANGE_ADDED},
    {"t.new-fail", BAD, ACS_FAIL, ACS_CHANGE_REGRESSION},
    {"t.new-error", BAD, ACS_ERROR, ACS_CHANGE_REGRESSION},
};
#define NTRANS (sizeof(transitions) / sizeof(transitions[0]))

/* The run before (which 0) or after (1) of the transition table. */
static struct acs_report *transition_run(int which, int strict)
{
	struct spec specs[NTRANS];
	size_t i, n = 0;

	for (i = 0; i < NTRANS; i++) {
		enum acs_verdict v = which == 0 ? transitions[i].before : transitions[i].after;

		if (v == BAD)
			continue;
		specs[n].id = transitions[i].id;
		specs[n].verdict = v;
		specs[n++].raw = v == ACS_XFAIL ? ACS_FAIL : v;
	}
	return make_run(which == 0 ? "t-before.json" : "t-after.json", "server", strict, specs, n);
}

static void test_diff_directions(void)
{
	struct acs_report *before = transition_run(0, 0), *after = transition_run(1, 0);
	struct acs_diff d;
	struct acs_err err = {0};
	size_t i, unchanged = 0, count[ACS_CHANGE_KIND_COUNT] = {0};

	CU_ASSERT_EQUAL_FATAL(acs_report_diff(before, after, &d, &err), 0);
	for (i = 0; i < NTRANS; i++) {
		int got = kind_of(&d, transitions[i].id);

		if (got != transitions[i].kind)
			fprintf(stderr, "\n  %s: kind %d, wanted %d\n", transitions[i].id, got,
			        transitions[i].kind);
		CU_ASSERT_EQUAL(got, transitions[i].kind);
		if (transitions[i].kind < 0)
			unchanged++;
		else
			count[transitions[i].kind]++;
	}
	CU_ASSERT_EQUAL(d.unchanged, unchanged);
	CU_ASSERT_EQUAL(d.n, NTRANS - unchanged);
	CU_ASSERT(memcmp(d.count, count, sizeof(count)) == 0);
	CU_ASSERT_EQUAL(acs_diff_has_regression(&d), 1);
	/* sorted by kind, then id */
	for (i = 1; i < d.n; i++)
		CU_ASSERT(d.changes[i - 1].kind <= d.changes[i].kind);
	CU_ASSERT_STRING_EQUAL(d.changes[0].after->c->id, "t.new-error");
	acs_diff_clear(&d);

	/* the other way round: what regressed is fixed or changed, removed is added */
	CU_ASSERT_EQUAL_FATAL(acs_report_diff(after, before, &d, &err), 0);
	CU_ASSERT_EQUAL(kind_of(&d, "t.pass-fail"), ACS_CHANGE_FIXED);
	CU_ASSERT_EQUAL(kind_of(&d, "t.xfail-fail"), ACS_CHANGE_CHANGED);
	CU_ASSERT_EQUAL(kind_of(&d, "t.pass-gone"), ACS_CHANGE_ADDED);
	CU_ASSERT_EQUAL(kind_of(&d, "t.fail-gone"), ACS_CHANGE_REGRESSION);
	CU_ASSERT_EQUAL(kind_of(&d, "t.new-pass"), ACS_CHANGE_REMOVED);
	acs_diff_clear(&d);
	acs_report_free(before);
	acs_report_free(after);

	/* with --strict, NONSTRICT fails the run: PASS -> NONSTRICT regresses */
	before = transition_run(0, 1);
	after = transition_run(1, 1);
	CU_ASSERT_EQUAL_FATAL(acs_report_diff(before, after, &d, &err), 0);
	CU_ASSERT_EQUAL(kind_of(&d, "t.pass-nonstrict"), ACS_CHANGE_REGRESSION);
	CU_ASSERT_EQUAL(kind_of(&d, "t.nonstrict-pass"), ACS_CHANGE_FIXED);
	acs_diff_clear(&d);
	acs_report_free(before);
	acs_report_free(after);
}

static void test_diff_no_regression(void)
{
	static const struct spec b[] = {{"a", ACS_FAIL, ACS_FAIL}, {"b", ACS_PASS, ACS_PASS}};
	static const struct spec a[] = {{"a", ACS_PASS, ACS_PASS},
	                                {"b", ACS_PASS, ACS_PASS},
	                                {"c", ACS_UNSUPPORTED, ACS_UNSUPPORTED}};
	struct acs_report *before = make_run("nr-before.json", "server", 0, b, 2);
	struct acs_report *after = make_run("nr-after.json", "server", 0, a, 3);
	struct acs_report *client = make_run("nr-client.json", "client", 0, a, 3);
	struct acs_diff d;
	struct acs_err err = {0};
	char *text;

	CU_ASSERT_EQUAL_FATAL(acs_report_diff(before, after, &d, &err), 0);
	CU_ASSERT_EQUAL(acs_diff_has_regression(&d), 0);
	CU_ASSERT_EQUAL(d.count[ACS_CHANGE_FIXED], 1);
	CU_ASSERT_EQUAL(d.count[ACS_CHANGE_ADDED], 1);
	CU_ASSERT_EQUAL(d.unchanged, 1);
	text = acs_diff_render(&d, before, after);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nfixed (1):\n  FAIL -> PASS               a\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(text, "\nadded (1):\n  (new) -> UNSUPPORTED       c  step 1"));
	CU_ASSERT_PTR_NULL(strstr(text, "regressions ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nunchanged: 1\nresult: no regression (0 regressions, "
	                                    "0 removed, 1 fixed, 0 changed, 1 added)\n"));
	free(text);
	acs_diff_clear(&d);

	CU_ASSERT_EQUAL(acs_report_diff(before, client, &d, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot compare a server run ("));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ") with a client run ("));
	CU_ASSERT_PTR_NULL(d.changes);
	acs_diff_clear(&d);
	acs_diff_clear(NULL);
	CU_ASSERT_EQUAL(acs_diff_has_regression(NULL), 0);
	CU_ASSERT_STRING_EQUAL(acs_change_kind_name(ACS_CHANGE_REMOVED), "removed");
	CU_ASSERT_STRING_EQUAL(acs_change_kind_name(ACS_CHANGE_KIND_COUNT), "unknown");
	acs_report_free(before);
	acs_report_free(after);
	acs_report_free(client);
}

static void test_diff_fixtures(void)
{
	char *bp = source_path("tests/data/reports/before.json");
	char *ap = source_path("tests/data/reports/after.json");
	struct acs_report *before = NULL, *after = NULL;
	struct acs_diff d;
	struct acs_err err = {0};
	char *text;

	CU_ASSERT_EQUAL_FATAL(acs_report_load(bp, &before, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_report_load(ap, &after, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_report_diff(before, after, &d, &err), 0);
	CU_ASSERT_EQUAL(d.count[ACS_CHANGE_REGRESSION], 3);
	CU_ASSERT_EQUAL(d.count[ACS_CHANGE_REMOVED], 1);
	CU_ASSERT_EQUAL(d.count[ACS_CHANGE_FIXED], 1);
	CU_ASSERT_EQUAL(d.count[ACS_CHANGE_CHANGED], 1);
	CU_ASSERT_EQUAL(d.count[ACS_CHANGE_ADDED], 0);
	CU_ASSERT_EQUAL(d.unchanged, 4);
	text = acs_diff_render(&d, before, after);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nregressions (3):\n  PASS -> FAIL               "
	                                    "server.8555.10_5.unpredictable-urls  step 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  XFAIL -> XPASS             "
	                                    "server.8555.7_2.newnonce-no-store"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  PASS -> (gone)             "
	                                    "server.8555.11_1.csr-account-key-refused\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "result: regression (3 regressions, 1 removed"));
	free(text);
	acs_diff_clear(&d);
	acs_report_free(before);
	acs_report_free(after);
	free(bp);
	free(ap);
}

/* ----------------------------------------------------------------- merge */

static void test_merge(void)
{
	static const struct spec s1[] = {{"server.b", ACS_PASS, ACS_PASS},
	                                 {"server.d", ACS_FAIL, ACS_FAIL}};
	static const struct spec s2[] = {{"server.a", ACS_XFAIL, ACS_FAIL},
	                                 {"server.c", ACS_ERROR, ACS_ERROR}};
	struct acs_report *p1 = make_run("shard-1.json", "server", 0, s1, 2);
	struct acs_report *p2 = make_run("shard-2.json", "server", 0, s2, 2);
	const struct acs_report *parts[2] = {p1, p2};
	struct acs_report *m = NULL, *back = NULL;
	struct acs_err err = {0};
	const char *out = tmp_path("merged.json");
	char *junit;

	p2->info.started -= 60;
	p2->info.seconds = 9.0;
	CU_ASSERT_EQUAL_FATAL(acs_report_merge(parts, 2, &m, &err), 0);
	CU_ASSERT_EQUAL_FATAL(m->n, 4);
	CU_ASSERT_STRING_EQUAL(m->results[0].c->id, "server.a");
	CU_ASSERT_STRING_EQUAL(m->results[1].c->id, "server.b");
	CU_ASSERT_STRING_EQUAL(m->results[2].c->id, "server.c");
	CU_ASSERT_STRING_EQUAL(m->results[3].c->id, "server.d");
	CU_ASSERT_EQUAL(m->results[0].raw, ACS_FAIL);
	CU_ASSERT_STRING_EQUAL(m->results[0].expect_reason, "known: sends 400");
	CU_ASSERT_PTR_EQUAL(m->results[3].c, &m->cases[3]);
	CU_ASSERT_EQUAL(m->info.jobs, 4);
	CU_ASSERT_EQUAL(m->info.started, p2->info.started);
	CU_ASSERT(m->info.seconds == 9.0);
	CU_ASSERT_STRING_EQUAL(m->info.side, "server");
	CU_ASSERT_STRING_EQUAL(m->info.target, "https://ca.test/dir");

	/* the existing writers take the merge as it is */
	CU_ASSERT_EQUAL(acs_json_write(out, &m->info, m->results, m->n, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_report_load(out, &back, &err), 0);
	CU_ASSERT_EQUAL(back->n, 4);
	CU_ASSERT_EQUAL(back->results[2].verdict, ACS_ERROR);
	junit = acs_junit_render(&m->info, m->results, m->n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(junit);
	CU_ASSERT_PTR_NOT_NULL(strstr(junit, "tests=\"4\" failures=\"1\" errors=\"1\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(junit, "<testcase name=\"server.a\""));
	free(junit);
	acs_report_free(back);
	acs_report_free(m);
	acs_report_free(p1);
	acs_report_free(p2);
}

static void test_merge_refused(void)
{
	static const struct spec s1[] = {{"server.a", ACS_PASS, ACS_PASS},
	                                 {"server.b", ACS_PASS, ACS_PASS}};
	static const struct spec s2[] = {{"server.c", ACS_PASS, ACS_PASS},
	                                 {"server.b", ACS_FAIL, ACS_FAIL}};
	struct acs_report *p1 = make_run("dup-1.json", "server", 0, s1, 2);
	struct acs_report *p2 = make_run("dup-2.json", "server", 0, s2, 2);
	struct acs_report *strict = make_run("dup-strict.json", "server", 1, s2, 2);
	struct acs_report *client = make_run("dup-client.json", "client", 0, s2, 2);
	const struct acs_report *parts[2] = {p1, p2};
	struct acs_report *m = NULL;
	struct acs_err err = {0};
	char want[512];

	CU_ASSERT_EQUAL(acs_report_merge(parts, 2, &m, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NULL(m);
	snprintf(want, sizeof(want), "cannot merge: case server.b is in both %s and %s", p1->path,
	         p2->path);
	CU_ASSERT_STRING_EQUAL(err.msg, want);

	parts[1] = p1; /* the same shard twice */
	CU_ASSERT_EQUAL(acs_report_merge(parts, 2, &m, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "case server.a is in both"));

	parts[1] = strict;
	CU_ASSERT_EQUAL(acs_report_merge(parts, 2, &m, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(err.msg, "field \"strict\" differs (false, true): not shards of one run"));
	parts[1] = client;
	CU_ASSERT_EQUAL(acs_report_merge(parts, 2, &m, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "field \"side\" differs (server, client)"));
	free(client->profile);
	client->profile = NULL;
	free(client->side);
	client->side = strdup("server");
	client->info.side = client->side;
	client->info.profile = NULL;
	CU_ASSERT_EQUAL(acs_report_merge(parts, 2, &m, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "field \"profile\" differs (rfc8555, null)"));
	CU_ASSERT_EQUAL(acs_report_merge(parts, 0, &m, &err), ACS_E_INVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, "cannot merge: no report given");

	/* one part alone is a copy */
	CU_ASSERT_EQUAL_FATAL(acs_report_merge(parts, 1, &m, &err), 0);
	CU_ASSERT_EQUAL(m->n, 2);
	acs_report_free(m);
	acs_report_free(p1);
	acs_report_free(p2);
	acs_report_free(strict);
	acs_report_free(client);
}

/* ----------------------------------------------------------------- draft */

static void test_draft(void)
{
	static const struct spec s[] = {
	    {"server.8555.6_5.z-fail", ACS_FAIL, ACS_FAIL},
	    {"server.8555.6_5.pass", ACS_PASS, ACS_PASS},
	    {"server.8555.6_5.b-nonstrict", ACS_NONSTRICT, ACS_NONSTRICT},
	    {"server.8555.6_5.a-xfail", ACS_XFAIL, ACS_NONSTRICT},
	    {"server.8555.6_5.xpass", ACS_XPASS, ACS_PASS},
	    {"server.8555.6_5.error", ACS_ERROR, ACS_ERROR},
	    {"server.8555.6_5.unsupported", ACS_UNSUPPORTED, ACS_UNSUPPORTED},
	};
	struct acs_report *rep = make_run("draft-run.json", "server", 0, s, 7);
	struct acs_expectations *e = NULL;
	struct acs_err err = {0};
	json_error_t jerr;
	json_t *doc, *list, *entry;
	const char *path = tmp_path("draft.json");
	char *text;
	size_t i;

	text = acs_expect_draft_render(rep);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	doc = json_loads(text, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "target")),
	                       "https://ca.test/dir");
	CU_ASSERT_PTR_NOT_NULL(strstr(json_string_value(json_object_get(doc, "notes")),
	                              "refuses an empty reason on purpose"));
	list = json_object_get(doc, "expectations");
	CU_ASSERT_EQUAL_FATAL(json_array_size(list), 3);
	/* sorted by id; an XFAIL keeps the raw verdict the file needs */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(list, 0), "case")),
	                       "server.8555.6_5.a-xfail");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(list, 0), "verdict")), "NONSTRICT");
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(json_string_value(json_object_get(json_array_get(list, 0), "notes")),
	           "XFAIL: step 1: it went wrong (expected until now: known: sends 400)"));
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(list, 1), "verdict")), "NONSTRICT");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(list, 2), "case")),
	                       "server.8555.6_5.z-fail");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_array_get(list, 2), "verdict")), "FAIL");
	json_array_foreach(list, i, entry)
	{
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(entry, "reason")), "");
	}
	json_decref(doc);
	free(text);

	/* the loader refuses the draft as it is, and takes it once reasons are written */
	CU_ASSERT_EQUAL_FATAL(acs_expect_draft_write(path, rep, &err), 0);
	CU_ASSERT_EQUAL(acs_expect_load(&e, path, NULL, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "expectations[0]: field \"reason\": expected a "
	                                       "non-empty string, got \"\""));
	doc = json_load_file(path, 0, &jerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	json_array_foreach(json_object_get(doc, "expectations"), i, entry)
	{
		json_object_set_new(entry, "reason", json_string("filled in by a person"));
	}
	CU_ASSERT_EQUAL_FATAL(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	CU_ASSERT_EQUAL(acs_expect_load(&e, path, NULL, &err), 0);
	CU_ASSERT_EQUAL(e != NULL ? e->n : 0, 3);
	acs_expect_free(e);
	CU_ASSERT_PTR_NULL(acs_expect_draft_render(NULL));
	acs_report_free(rep);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("report_load", suite_init, suite_clean);

	CU_add_test(s, "round_trip", test_round_trip);
	CU_add_test(s, "fixtures", test_fixtures);
	CU_add_test(s, "malformed", test_malformed);
	CU_add_test(s, "minimal_and_unknown_fields", test_minimal_and_unknown_fields);
	CU_add_test(s, "diff_directions", test_diff_directions);
	CU_add_test(s, "diff_no_regression", test_diff_no_regression);
	CU_add_test(s, "diff_fixtures", test_diff_fixtures);
	CU_add_test(s, "merge", test_merge);
	CU_add_test(s, "merge_refused", test_merge_refused);
	CU_add_test(s, "draft", test_draft);
}
