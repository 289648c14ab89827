/*
 * Unit tests for harness/verdict.c: names, parsing, results, summaries and
 * every verdict-to-exit-code mapping.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "harness/err.h"
#include "harness/verdict.h"

static void test_names_roundtrip(void)
{
	static const char *const names[] = {"PASS",    "FAIL",  "NONSTRICT", "UNSUPPORTED",
	                                    "SKIPPED", "XFAIL", "XPASS",     "ERROR"};
	int i;

	CU_ASSERT_EQUAL(sizeof(names) / sizeof(names[0]), ACS_VERDICT_COUNT);
	for (i = 0; i < ACS_VERDICT_COUNT; i++) {
		enum acs_verdict v = ACS_ERROR;

		CU_ASSERT_STRING_EQUAL(acs_verdict_name((enum acs_verdict)i), names[i]);
		CU_ASSERT_EQUAL(acs_verdict_parse(names[i], &v), 0);
		CU_ASSERT_EQUAL(v, (enum acs_verdict)i);
	}
	CU_ASSERT_STRING_EQUAL(acs_verdict_name(ACS_VERDICT_COUNT), "UNKNOWN");
	CU_ASSERT_STRING_EQUAL(acs_verdict_name((enum acs_verdict) - 1), "UNKNOWN");
}

static void test_parse(void)
{
	enum acs_verdict v = ACS_PASS;

	CU_ASSERT_EQUAL(acs_verdict_parse("xfail", &v), 0);
	CU_ASSERT_EQUAL(v, ACS_XFAIL);
	CU_ASSERT_EQUAL(acs_verdict_parse("NonStrict", &v), 0);
	CU_ASSERT_EQUAL(v, ACS_NONSTRICT);
	CU_ASSERT_EQUAL(acs_verdict_parse("unsupported", &v), 0);
	CU_ASSERT_EQUAL(v, ACS_UNSUPPORTED);

	v = ACS_SKIPPED;
	CU_ASSERT_EQUAL(acs_verdict_parse("", &v), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_verdict_parse("PASSED", &v), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_verdict_parse("PAS", &v), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_verdict_parse(" FAIL", &v), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_verdict_parse(NULL, &v), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_verdict_parse("PASS", NULL), ACS_E_INVAL);
	CU_ASSERT_EQUAL(v, ACS_SKIPPED); /* untouched on failure */
}

static void test_result_clear(void)
{
	struct acs_result r;

	memset(&r, 0, sizeof(r));
	r.verdict = ACS_FAIL;
	r.raw = ACS_FAIL;
	r.message = strdup("m");
	r.expected = strdup("e");
	r.actual = strdup("a");
	r.transcript = strdup("t");
	r.client_output = strdup("c");
	r.expect_reason = strdup("x");
	r.rerun = strdup("r");
	r.step = 3;
	r.seconds = 1.5;
	acs_result_clear(&r);
	CU_ASSERT_PTR_NULL(r.message);
	CU_ASSERT_PTR_NULL(r.expected);
	CU_ASSERT_PTR_NULL(r.actual);
	CU_ASSERT_PTR_NULL(r.transcript);
	CU_ASSERT_PTR_NULL(r.client_output);
	CU_ASSERT_PTR_NULL(r.expect_reason);
	CU_ASSERT_PTR_NULL(r.rerun);
	CU_ASSERT_PTR_NULL(r.c);
	CU_ASSERT_EQUAL(r.verdict, ACS_PASS);
	CU_ASSERT_EQUAL(r.step, 0);
	CU_ASSERT_DOUBLE_EQUAL(r.seconds, 0.0, 1e-9);
	acs_result_clear(&r); /* twice is fine */
	acs_result_clear(NULL);
}

static void test_summarize(void)
{
	struct acs_result rs[10];
	struct acs_summary s;
	static const enum acs_verdict vs[10] = {
	    ACS_PASS,    ACS_PASS,  ACS_FAIL,  ACS_NONSTRICT, ACS_UNSUPPORTED,
	    ACS_SKIPPED, ACS_XFAIL, ACS_XPASS, ACS_ERROR,     ACS_PASS};
	size_t i;

	memset(rs, 0, sizeof(rs));
	for (i = 0; i < 10; i++) {
		rs[i].verdict = vs[i];
		rs[i].seconds = 0.25;
	}
	acs_summarize(rs, 10, &s);
	CU_ASSERT_EQUAL(s.total, 10);
	CU_ASSERT_EQUAL(s.count[ACS_PASS], 3);
	CU_ASSERT_EQUAL(s.count[ACS_FAIL], 1);
	CU_ASSERT_EQUAL(s.count[ACS_NONSTRICT], 1);
	CU_ASSERT_EQUAL(s.count[ACS_UNSUPPORTED], 1);
	CU_ASSERT_EQUAL(s.count[ACS_SKIPPED], 1);
	CU_ASSERT_EQUAL(s.count[ACS_XFAIL], 1);
	CU_ASSERT_EQUAL(s.count[ACS_XPASS], 1);
	CU_ASSERT_EQUAL(s.count[ACS_ERROR], 1);
	CU_ASSERT_DOUBLE_EQUAL(s.seconds, 2.5, 1e-9);

	acs_summarize(NULL, 0, &s);
	CU_ASSERT_EQUAL(s.total, 0);
	for (i = 0; i < ACS_VERDICT_COUNT; i++)
		CU_ASSERT_EQUAL(s.count[i], 0);
	acs_summarize(rs, 10, NULL); /* no crash */
}

/* Exit code for a run where exactly one case got verdict v. */
static int exit_for(enum acs_verdict v, int strict)
{
	struct acs_summary s;

	memset(&s, 0, sizeof(s));
	s.count[ACS_PASS] = 5;
	s.count[v]++;
	s.total = 6;
	return acs_exit_code(&s, strict);
}

static void test_exit_code_each_verdict(void)
{
	CU_ASSERT_EQUAL(exit_for(ACS_PASS, 0), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_PASS, 1), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_FAIL, 0), ACS_EXIT_UNEXPECTED);
	CU_ASSERT_EQUAL(exit_for(ACS_FAIL, 1), ACS_EXIT_UNEXPECTED);
	CU_ASSERT_EQUAL(exit_for(ACS_NONSTRICT, 0), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_NONSTRICT, 1), ACS_EXIT_UNEXPECTED);
	CU_ASSERT_EQUAL(exit_for(ACS_UNSUPPORTED, 0), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_UNSUPPORTED, 1), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_SKIPPED, 0), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_SKIPPED, 1), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_XFAIL, 0), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_XFAIL, 1), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(exit_for(ACS_XPASS, 0), ACS_EXIT_UNEXPECTED);
	CU_ASSERT_EQUAL(exit_for(ACS_XPASS, 1), ACS_EXIT_UNEXPECTED);
	CU_ASSERT_EQUAL(exit_for(ACS_ERROR, 0), ACS_EXIT_INFRA);
	CU_ASSERT_EQUAL(exit_for(ACS_ERROR, 1), ACS_EXIT_INFRA);
}

static void test_exit_code_precedence(void)
{
	struct acs_summary s;

	memset(&s, 0, sizeof(s));
	CU_ASSERT_EQUAL(acs_exit_code(&s, 0), ACS_EXIT_OK); /* empty run */
	CU_ASSERT_EQUAL(acs_exit_code(NULL, 1), ACS_EXIT_OK);

	/* ERROR wins over everything */
	s.count[ACS_FAIL] = 3;
	s.count[ACS_XPASS] = 1;
	s.count[ACS_NONSTRICT] = 2;
	s.count[ACS_ERROR] = 1;
	CU_ASSERT_EQUAL(acs_exit_code(&s, 0), ACS_EXIT_INFRA);
	CU_ASSERT_EQUAL(acs_exit_code(&s, 1), ACS_EXIT_INFRA);
	s.count[ACS_ERROR] = 0;
	CU_ASSERT_EQUAL(acs_exit_code(&s, 0), ACS_EXIT_UNEXPECTED);
	s.count[ACS_FAIL] = 0;
	s.count[ACS_XPASS] = 0;
	CU_ASSERT_EQUAL(acs_exit_code(&s, 0), ACS_EXIT_OK);
	CU_ASSERT_EQUAL(acs_exit_code(&s, 1), ACS_EXIT_UNEXPECTED);
	/* the exit code is never a count */
	s.count[ACS_FAIL] = 200;
	CU_ASSERT_EQUAL(acs_exit_code(&s, 0), 1);
}

static void test_is_failure(void)
{
	int strict;

	for (strict = 0; strict <= 1; strict++) {
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_PASS, strict), 0);
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_FAIL, strict), 1);
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_NONSTRICT, strict), strict);
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_UNSUPPORTED, strict), 0);
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_SKIPPED, strict), 0);
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_XFAIL, strict), 0);
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_XPASS, strict), 1);
		CU_ASSERT_EQUAL(acs_verdict_is_failure(ACS_ERROR, strict), 0);
	}
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("verdict", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "names_roundtrip", test_names_roundtrip);
	CU_add_test(s, "parse", test_parse);
	CU_add_test(s, "result_clear", test_result_clear);
	CU_add_test(s, "summarize", test_summarize);
	CU_add_test(s, "exit_code_each_verdict", test_exit_code_each_verdict);
	CU_add_test(s, "exit_code_precedence", test_exit_code_precedence);
	CU_add_test(s, "is_failure", test_is_failure);
}
