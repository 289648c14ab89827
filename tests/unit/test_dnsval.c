/*
 * dns-account-01 labels and dns-persist-01 issue-values (harness/dnsval.h).
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "harness/dnsval.h"

/* The example of the dns-account-label draft (also in Certify The Web's documentation). */
static void test_label_vector(void)
{
	char label[ACS_DNSACCT_LABEL_MAX];

	CU_ASSERT_EQUAL(
	    acs_dnsacct_label("https://example.com/acme/acct/ExampleAccount", 10, label), 0);
	CU_ASSERT_STRING_EQUAL(label, "ujmmovf2vn55tgye");
	CU_ASSERT_EQUAL(
	    acs_dnsacct_label("https://example.com/acme/acct/ExampleAccount", 32, label), 0);
	CU_ASSERT_EQUAL(strlen(label), 52);
	CU_ASSERT_EQUAL(strncmp(label, "ujmmovf2vn55tgye", 16), 0);
	CU_ASSERT_EQUAL(acs_dnsacct_label(NULL, 10, label), -1);
	CU_ASSERT_EQUAL(acs_dnsacct_label("x", 0, label), -1);
	CU_ASSERT_EQUAL(acs_dnsacct_label("x", 33, label), -1);
}

static void test_persist_parse(void)
{
	struct acs_persist_rec r;

	CU_ASSERT_EQUAL(
	    acs_persist_parse("authority.example; accounturi=https://ca.example/acct/123", &r), 0);
	CU_ASSERT_STRING_EQUAL(r.issuer, "authority.example");
	CU_ASSERT_STRING_EQUAL(r.accounturi, "https://ca.example/acct/123");
	CU_ASSERT_PTR_NULL(r.policy);
	CU_ASSERT_EQUAL(r.has_until, 0);
	acs_persist_free(&r);

	CU_ASSERT_EQUAL(acs_persist_parse(" ca.example ;AccountURI=u; Policy=WILDCARD ;"
	                                  "persistUntil=1700000000; x-new=1;",
	                                  &r),
	                0);
	CU_ASSERT_STRING_EQUAL(r.issuer, "ca.example");
	CU_ASSERT_STRING_EQUAL(r.accounturi, "u");
	CU_ASSERT_STRING_EQUAL(r.policy, "WILDCARD");
	CU_ASSERT_EQUAL(r.has_until, 1);
	CU_ASSERT_EQUAL(r.until, 1700000000LL);
	CU_ASSERT_EQUAL(r.unknown, 1);
	acs_persist_free(&r);

	CU_ASSERT_EQUAL(acs_persist_parse("ca.example; persistUntil=soon", &r), 0);
	CU_ASSERT_EQUAL(r.bad_until, 1);
	CU_ASSERT_EQUAL(r.has_until, 0);
	acs_persist_free(&r);

	CU_ASSERT_EQUAL(acs_persist_parse("ca.example; accounturi", &r), -1);
	CU_ASSERT_EQUAL(acs_persist_parse("ca.example; =x", &r), -1);
	CU_ASSERT_EQUAL(acs_persist_parse(NULL, &r), -1);
	acs_persist_free(NULL);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("dnsval", NULL, NULL);

	CU_add_test(s, "label_vector", test_label_vector);
	CU_add_test(s, "persist_parse", test_persist_parse);
}
