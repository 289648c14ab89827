/*
 * The mock CA's nonce store: single use, bounded memory, padded variant.
 */
#include <CUnit/CUnit.h>
#include <string.h>
#include "harness/b64url.h"
#include "harness/err.h"
#include "mockserver/nonce.h"

static void test_single_use(void)
{
	struct acs_nonce_store *s = NULL;
	char n[ACS_NONCE_MAX];

	CU_ASSERT_EQUAL_FATAL(acs_nonce_store_new(&s, 8), 0);
	CU_ASSERT_EQUAL(acs_nonce_issue(s, 0, 0, n), 0);
	CU_ASSERT_TRUE(acs_b64url_valid(n, strlen(n)));
	CU_ASSERT_EQUAL(strlen(n), 22); /* 16 bytes */
	CU_ASSERT_EQUAL(acs_nonce_consume(s, n, 0), 0);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, n, 0), ACS_E_STATE);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, n, 1), 0); /* accept-reused-nonce */
	CU_ASSERT_EQUAL(acs_nonce_consume(s, "AAAAAAAAAAAAAAAAAAAAAA", 0), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, "", 0), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, NULL, 0), ACS_E_NOTFOUND);
	acs_nonce_store_free(s);
}

static void test_bound(void)
{
	struct acs_nonce_store *s = NULL;
	char first[ACS_NONCE_MAX], n[ACS_NONCE_MAX], last[ACS_NONCE_MAX];
	int i;

	CU_ASSERT_EQUAL_FATAL(acs_nonce_store_new(&s, 16), 0);
	CU_ASSERT_EQUAL(acs_nonce_issue(s, 0, 0, first), 0);
	for (i = 0; i < 15; i++)
		CU_ASSERT_EQUAL(acs_nonce_issue(s, 0, 0, n), 0);
	CU_ASSERT_EQUAL(acs_nonce_count(s), 16);
	/* the 17th nonce evicts the first: memory stays at the ring's size */
	CU_ASSERT_EQUAL(acs_nonce_issue(s, 0, 0, last), 0);
	CU_ASSERT_EQUAL(acs_nonce_count(s), 16);
	for (i = 0; i < 10000; i++)
		CU_ASSERT_EQUAL(acs_nonce_issue(s, 0, 0, n), 0);
	CU_ASSERT_EQUAL(acs_nonce_count(s), 16);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, first, 0), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, last, 0), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, n, 0), 0);
	acs_nonce_store_free(s);
}

/* 1-byte nonces: many equal values and long hash chains, evicted in turn */
static void test_chains(void)
{
	struct acs_nonce_store *s = NULL;
	char n[ACS_NONCE_MAX], keep[ACS_NONCE_MAX];
	int i;

	CU_ASSERT_EQUAL_FATAL(acs_nonce_store_new(&s, 16), 0);
	for (i = 0; i < 5000; i++)
		CU_ASSERT_EQUAL(acs_nonce_issue(s, 1, 0, n), 0);
	CU_ASSERT_EQUAL(strlen(n), 2);
	CU_ASSERT_EQUAL(acs_nonce_count(s), 16);
	memcpy(keep, n, sizeof(n));
	CU_ASSERT_EQUAL(acs_nonce_consume(s, keep, 0), 0);
	/* one of 256 values, maybe in the ring twice: the newest is found first */
	CU_ASSERT_EQUAL(acs_nonce_consume(s, keep, 0), ACS_E_STATE);
	for (i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(acs_nonce_issue(s, 16, 0, n), 0);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, keep, 0), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, n, 0), 0);
	acs_nonce_store_free(s);
}

static void test_variants(void)
{
	struct acs_nonce_store *s = NULL;
	char a[ACS_NONCE_MAX], b[ACS_NONCE_MAX];

	CU_ASSERT_EQUAL_FATAL(acs_nonce_store_new(&s, 0), 0);
	CU_ASSERT_EQUAL(acs_nonce_issue(s, 4, 0, a), 0);
	CU_ASSERT_EQUAL(strlen(a), 6);
	CU_ASSERT_EQUAL(acs_nonce_issue(s, 16, 1, b), 0);
	CU_ASSERT_EQUAL(strlen(b), 24);
	CU_ASSERT_PTR_NOT_NULL(strchr(b, '='));
	CU_ASSERT_FALSE(acs_b64url_valid(b, strlen(b)));
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(acs_nonce_consume(s, b, 0), 0);
	acs_nonce_store_free(s);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mockca_nonce", NULL, NULL);

	CU_add_test(s, "single_use", test_single_use);
	CU_add_test(s, "bound", test_bound);
	CU_add_test(s, "variants", test_variants);
	CU_add_test(s, "chains", test_chains);
}
