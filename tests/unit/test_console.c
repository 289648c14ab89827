/*
 * Unit tests for reports/console.c: case lines (widths, colour, progress,
 * sanitising), the details block and the summary's final line.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "reports/report.h"

static struct acs_case case_must = {
    .id = "server.8555.6_5.nonce-reused-badnonce",
    .side = "server",
    .rfc = "8555",
    .section = "6.5",
    .level = ACS_MUST,
    .title = "a reused nonce is refused with badNonce",
    .requirement = "The server MUST reject a request whose nonce it has already seen.",
};

static struct acs_case case_should = {
    .id = "server.8555.7_1_2.contact-reflected",
    .side = "server",
    .rfc = "8555",
    .section = "7.1.2",
    .level = ACS_SHOULD,
    .title = "the account shows its contacts",
    .requirement = "The server SHOULD include contact.",
};

static struct acs_case case_boulder = {
    .id = "server.boulder.7_4.no-notbefore",
    .side = "server",
    .rfc = "boulder",
    .section = "7.4",
    .level = ACS_MUST,
    .title = "boulder refuses notBefore",
    .requirement = "words",
};

/* Run fn(con, arg) against a memory stream and return what it wrote. */
static char *capture_case(int color, int progress, int verbose, const struct acs_result *r,
                          size_t done, size_t total)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct acs_console con = {
	    .out = f, .color = color, .verbose = verbose, .progress = progress};

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	acs_console_case(&con, r, done, total);
	fclose(f);
	return text;
}

static char *capture_summary(int color, const struct acs_run_info *info,
                             const struct acs_result *rs, size_t n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct acs_console con = {.out = f, .color = color};

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	acs_console_summary(&con, info, rs, n);
	fclose(f);
	return text;
}

static void check_eq(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fprintf(stderr, "\n  got  \"%s\"\n  want \"%s\"\n", got, want);
	CU_ASSERT_STRING_EQUAL(got, want);
}

static void test_case_lines_plain(void)
{
	struct acs_result r;
	char *t;

	memset(&r, 0, sizeof(r));
	r.c = &case_must;
	r.verdict = ACS_PASS;
	r.message = "ignored for a pass";
	t = capture_case(0, 0, 0, &r, 1, 1);
	check_eq(t, "PASS        server.8555.6_5.nonce-reused-badnonce\n");
	free(t);

	r.verdict = ACS_FAIL;
	r.message = "step 2: expected status 400, got 201";
	t = capture_case(0, 0, 0, &r, 1, 1);
	check_eq(t, "FAIL        server.8555.6_5.nonce-reused-badnonce  step 2: expected status "
	            "400, got 201\n");
	free(t);

	r.verdict = ACS_UNSUPPORTED;
	r.message = NULL;
	t = capture_case(0, 0, 0, &r, 1, 1);
	check_eq(t, "UNSUPPORTED server.8555.6_5.nonce-reused-badnonce\n");
	free(t);

	r.c = NULL;
	r.verdict = ACS_ERROR;
	r.message = "target unreachable";
	t = capture_case(0, 0, 0, &r, 1, 1);
	check_eq(t, "ERROR       (unknown case)  target unreachable\n");
	free(t);
}

static void test_case_progress(void)
{
	struct acs_result r;
	char *t;

	memset(&r, 0, sizeof(r));
	r.c = &case_must;
	r.verdict = ACS_XFAIL;
	r.message = "known";
	t = capture_case(0, 1, 0, &r, 3, 80);
	check_eq(t, "[ 3/80] XFAIL       server.8555.6_5.nonce-reused-badnonce  known\n");
	free(t);
	t = capture_case(0, 1, 0, &r, 80, 80);
	CU_ASSERT(strncmp(t, "[80/80] ", 8) == 0);
	free(t);
}

static void test_case_colors(void)
{
	static const struct {
		enum acs_verdict v;
		const char *code;
	} want[] = {
	    {ACS_PASS, "\033[32m"},      {ACS_FAIL, "\033[31m"},  {ACS_XPASS, "\033[31m"},
	    {ACS_NONSTRICT, "\033[33m"}, {ACS_ERROR, "\033[35m"}, {ACS_UNSUPPORTED, "\033[2m"},
	    {ACS_SKIPPED, "\033[2m"},    {ACS_XFAIL, "\033[2m"},
	};
	struct acs_result r;
	char prefix[64];
	size_t i;
	char *t;

	memset(&r, 0, sizeof(r));
	r.c = &case_must;
	r.message = "m";
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		r.verdict = want[i].v;
		t = capture_case(1, 0, 0, &r, 1, 1);
		snprintf(prefix, sizeof(prefix), "%s%s\033[0m", want[i].code,
		         acs_verdict_name(want[i].v));
		CU_ASSERT(strncmp(t, prefix, strlen(prefix)) == 0);
		/* the padding stays outside the colour: ids line up */
		CU_ASSERT(strstr(t, "server.8555") - t ==
		          (long)(strlen(prefix) + 12 - strlen(acs_verdict_name(want[i].v))));
		free(t);
		t = capture_case(0, 0, 0, &r, 1, 1);
		CU_ASSERT_PTR_NULL(strchr(t, '\033'));
		free(t);
	}
}

static void test_case_sanitised(void)
{
	struct acs_result r;
	char *t;

	memset(&r, 0, sizeof(r));
	r.c = &case_must;
	r.verdict = ACS_FAIL;
	r.message = "evil\033[2J\r\nnext\tline \xff end";
	t = capture_case(0, 0, 0, &r, 1, 1);
	CU_ASSERT_PTR_NULL(strchr(t, '\033'));
	CU_ASSERT_PTR_NULL(strchr(t, '\r'));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "evil?[2J next line \xEF\xBF\xBD end\n"));
	CU_ASSERT_EQUAL(strchr(t, '\n') - t, (long)strlen(t) - 1); /* one line */
	free(t);
}

static void test_case_verbose_pass(void)
{
	struct acs_result r;
	char *t;

	memset(&r, 0, sizeof(r));
	r.c = &case_must;
	r.verdict = ACS_PASS;
	r.transcript = "> POST /x\n< 400";
	t = capture_case(0, 0, 1, &r, 1, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "    transcript:\n      > POST /x\n      < 400\n"));
	free(t);
	t = capture_case(0, 0, 0, &r, 1, 1);
	CU_ASSERT_PTR_NULL(strstr(t, "transcript"));
	free(t);
}

static void test_details(void)
{
	struct acs_result r;
	struct acs_buf b;

	memset(&r, 0, sizeof(r));
	r.c = &case_must;
	r.verdict = ACS_FAIL;
	r.message = "step 2: status";
	r.expected = "status 400";
	r.actual = "status 201";
	r.transcript = "> POST https://ca/new-order\n> {\"x\": 1}\n< 201 Created\n";
	r.client_output = "client said\nthings";
	r.rerun = "acmespec server https://ca/dir --case server.8555.6_5.nonce-reused-badnonce";
	r.step = 2;
	acs_buf_init(&b, 0);
	CU_ASSERT_EQUAL(acs_result_details(&b, &r, "  "), 0);
	check_eq(b.data,
	         "  a reused nonce is refused with badNonce\n"
	         "  requirement (RFC 8555 \xC2\xA7"
	         "6.5, MUST): The server MUST reject a request whose nonce it has already seen.\n"
	         "  result: step 2: status\n"
	         "  step: 2\n"
	         "  expected: status 400\n"
	         "  actual: status 201\n"
	         "  transcript:\n"
	         "    > POST https://ca/new-order\n"
	         "    > {\"x\": 1}\n"
	         "    < 201 Created\n"
	         "  client output:\n"
	         "    client said\n"
	         "    things\n"
	         "  rerun: acmespec server https://ca/dir --case "
	         "server.8555.6_5.nonce-reused-badnonce\n");
	acs_buf_free(&b);

	/* a family case names RFC 8555's section */
	memset(&r, 0, sizeof(r));
	r.c = &case_boulder;
	acs_buf_init(&b, 0);
	CU_ASSERT_EQUAL(acs_result_details(&b, &r, NULL), 0);
	check_eq(b.data, "boulder refuses notBefore\n"
	                 "requirement (boulder: RFC 8555 \xC2\xA7"
	                 "7.4, MUST): words\n");
	acs_buf_free(&b);
}

/* One result per verdict, in enum order. */
static void all_verdicts(struct acs_result *rs)
{
	int i;

	memset(rs, 0, sizeof(*rs) * ACS_VERDICT_COUNT);
	for (i = 0; i < ACS_VERDICT_COUNT; i++) {
		rs[i].c = i == ACS_NONSTRICT ? &case_should : &case_must;
		rs[i].verdict = (enum acs_verdict)i;
		rs[i].raw = (enum acs_verdict)i;
		rs[i].message = "why it happened";
		rs[i].expected = "e-value";
		rs[i].actual = "a-value";
		rs[i].transcript = "> GET /\n< 200";
		rs[i].rerun = "acmespec server --case x";
		rs[i].seconds = 0.5;
	}
	rs[ACS_XFAIL].expect_reason = "pebble#123";
	rs[ACS_XPASS].expect_reason = "pebble#456";
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;
	const char *p = hay;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

static void test_summary_every_verdict(void)
{
	struct acs_result rs[ACS_VERDICT_COUNT];
	struct acs_run_info info = {.side = "server",
	                            .target = "https://ca/dir",
	                            .profile = "rfc8555",
	                            .jobs = 4,
	                            .seconds = 12.3456};
	char *t, *again;

	all_verdicts(rs);
	t = capture_summary(0, &info, rs, ACS_VERDICT_COUNT);
	/* FAIL, XPASS and ERROR are detailed; NONSTRICT only as a warning */
	CU_ASSERT_EQUAL(count_of(t, "rerun: "), 3);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\nFAIL        server.8555.6_5.nonce-reused-badnonce\n"
	                                 "  a reused nonce is refused with badNonce\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\nXPASS       server.8555"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "  expectation: pebble#456\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\nERROR       server.8555"));
	CU_ASSERT_PTR_NULL(strstr(t, "\nNONSTRICT   "));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "Warnings"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(t, "  server.8555.7_1_2.contact-reflected  why it happened\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "  expected: e-value\n  actual: a-value\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "  transcript:\n    > GET /\n    < 200\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "PASS 1, FAIL 1, NONSTRICT 1, UNSUPPORTED 1, SKIPPED 1, "
	                                 "XFAIL 1, XPASS 1, ERROR 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "  time: 12.346s (cases: 4.000s, 4 jobs)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n8 cases: 1 passed, 1 xfail, 1 unsupported, 1 skipped, "
	                                 "1 nonstrict, 1 xpass, 1 failed, 1 error (exit 3)\n"));
	CU_ASSERT_PTR_NULL(strchr(t, '\033'));
	/* deterministic */
	again = capture_summary(0, &info, rs, ACS_VERDICT_COUNT);
	CU_ASSERT_STRING_EQUAL(t, again);
	free(again);
	free(t);

	/* strict: NONSTRICT is detailed, and no warnings section */
	info.strict = 1;
	t = capture_summary(0, &info, rs, ACS_VERDICT_COUNT);
	CU_ASSERT_EQUAL(count_of(t, "rerun: "), 4);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\nNONSTRICT   server.8555.7_1_2.contact-reflected\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "requirement (RFC 8555 \xC2\xA7"
	                                 "7.1.2, SHOULD)"));
	CU_ASSERT_PTR_NULL(strstr(t, "Warnings"));
	free(t);

	/* colour */
	t = capture_summary(1, &info, rs, ACS_VERDICT_COUNT);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\033[35m8 cases:"));
	free(t);
}

static void test_summary_final_line(void)
{
	struct acs_result rs[80];
	struct acs_run_info info = {.side = "server", .jobs = 1, .seconds = 1};
	size_t i;
	char *t;

	memset(rs, 0, sizeof(rs));
	for (i = 0; i < 80; i++) {
		rs[i].c = &case_must;
		rs[i].verdict = i < 70   ? ACS_PASS
		                : i < 75 ? ACS_XFAIL
		                : i < 77 ? ACS_UNSUPPORTED
		                         : ACS_FAIL;
	}
	t = capture_summary(0, &info, rs, 80);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(t, "\n80 cases: 70 passed, 5 xfail, 2 unsupported, 3 failed (exit 1)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "(cases: 0.000s, 1 job)"));
	free(t);

	t = capture_summary(0, &info, rs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n1 case: 1 passed (exit 0)\n"));
	free(t);

	t = capture_summary(0, &info, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "\n0 cases (exit 0)\n"));
	CU_ASSERT_PTR_NULL(strstr(t, "Problems"));
	free(t);

	/* NONSTRICT alone: exit 0, or 1 with strict */
	rs[0].verdict = ACS_NONSTRICT;
	t = capture_summary(0, &info, rs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "1 case: 1 nonstrict (exit 0)\n"));
	free(t);
	info.strict = 1;
	t = capture_summary(0, &info, rs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "1 case: 1 nonstrict (exit 1)\n"));
	free(t);
	/* no run info */
	t = capture_summary(0, NULL, rs, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(t, "time: 0.000s\n"));
	free(t);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("console", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "case_lines_plain", test_case_lines_plain);
	CU_add_test(s, "case_progress", test_case_progress);
	CU_add_test(s, "case_colors", test_case_colors);
	CU_add_test(s, "case_sanitised", test_case_sanitised);
	CU_add_test(s, "case_verbose_pass", test_case_verbose_pass);
	CU_add_test(s, "details", test_details);
	CU_add_test(s, "summary_every_verdict", test_summary_every_verdict);
	CU_add_test(s, "summary_final_line", test_summary_final_line);
}
