/* RFC 3339 date-times: what ACME objects carry and the mocks read back. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "harness/rfc3339.h"

static void test_format_and_back(void)
{
	char out[32];
	time_t t = 1700000000, back = 0;

	acs_rfc3339_format(t, out);
	CU_ASSERT_STRING_EQUAL(out, "2023-11-14T22:13:20Z");
	CU_ASSERT_EQUAL(acs_rfc3339_parse(out, &back), 0);
	CU_ASSERT_EQUAL(back, t);
}

static void test_offsets_and_fractions(void)
{
	time_t t = 0;

	CU_ASSERT_EQUAL(acs_rfc3339_parse("2023-11-14T22:13:20.123456Z", &t), 0);
	CU_ASSERT_EQUAL(t, 1700000000);
	CU_ASSERT_EQUAL(acs_rfc3339_parse("2023-11-14T23:13:20+01:00", &t), 0);
	CU_ASSERT_EQUAL(t, 1700000000);
	CU_ASSERT_EQUAL(acs_rfc3339_parse("2023-11-14T21:43:20-00:30", &t), 0);
	CU_ASSERT_EQUAL(t, 1700000000);
}

static void test_refused(void)
{
	static const char *const bad[] = {
	    "", "2023-11-14", "2023-11-14T22:13:20", /* no zone */
	    "2023-11-14T22:13:20.Z",                 /* empty fraction */
	    "2023-11-14T22:13:20Z junk",             /* trailing text */
	    "2023-11-14T22:13:20+0100",              /* offset without colon */
	    "2023-11-14T22:13:20+1:00", "not a date",
	    /* strptime alone took these (found by fuzz/rfc3339_fuzzer.c) */
	    "015-01-01T00:04:00+03:00", /* three-digit year */
	    " 2023-11-14T22:13:20Z",    /* leading white space */
	    "2023-1-14T22:13:20Z",      /* one-digit month */
	    "2023-11-14T22:13:2Z",      /* one-digit second */
	    "2023-11-14T2:13:20Z",      /* one-digit hour */
	};
	time_t t = 42;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(acs_rfc3339_parse(bad[i], &t), -1);
		CU_ASSERT_EQUAL(t, 42);
	}
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("rfc3339", NULL, NULL);

	CU_add_test(s, "format_and_back", test_format_and_back);
	CU_add_test(s, "offsets_and_fractions", test_offsets_and_fractions);
	CU_add_test(s, "refused", test_refused);
}
