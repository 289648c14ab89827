/* ARI certIDs (RFC 9773 section 4.1) and RenewalInfo windows (section 4.2). */
#include <CUnit/CUnit.h>
#include <string.h>

#include "harness/ari.h"
#include "harness/x509.h"

/* RFC 9773 section 4.1's example: AKI 69:88:5B..., serial 00:87:65:43:21. */
static const unsigned char rfc_aki[] = {0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3,
                                        0x7B, 0x84, 0x7B, 0xA0, 0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4};
static const unsigned char rfc_serial[] = {0x00, 0x87, 0x65, 0x43, 0x21};
#define RFC_CERTID "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"

static void test_rfc_vector_raw(void)
{
	char id[ACS_ARI_CERTID_MAX];
	struct acs_err err;

	CU_ASSERT_EQUAL(acs_ari_certid_raw(rfc_aki, sizeof(rfc_aki), rfc_serial, sizeof(rfc_serial),
	                                   id, sizeof(id), &err),
	                0);
	CU_ASSERT_STRING_EQUAL(id, RFC_CERTID);
}

/* A certificate built on purpose with the RFC's serial and AKI gives the RFC's certID. */
static void test_rfc_vector_cert(void)
{
	char id[ACS_ARI_CERTID_MAX], stripped[ACS_ARI_CERTID_MAX];
	struct acs_err err;
	X509 *x = NULL;

	CU_ASSERT_FATAL(acs_x509_gen_ari_test(rfc_serial, sizeof(rfc_serial), rfc_aki,
	                                      sizeof(rfc_aki), &x, &err) == 0);
	CU_ASSERT_EQUAL(acs_ari_serial_high_bit(x), 1);
	CU_ASSERT_EQUAL(acs_ari_certid(x, 0, id, sizeof(id), &err), 0);
	CU_ASSERT_STRING_EQUAL(id, RFC_CERTID);
	/* the bug the negative controls play: the zero octet dropped */
	CU_ASSERT_EQUAL(acs_ari_certid(x, 1, stripped, sizeof(stripped), &err), 0);
	CU_ASSERT_STRING_EQUAL(stripped, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.h2VDIQ");
	X509_free(x);
}

/* A second vector built here: serial 00:FF:01 (high bit), AKI 01:02:03:04. */
static void test_own_vector(void)
{
	static const unsigned char serial[] = {0x00, 0xFF, 0x01};
	static const unsigned char aki[] = {0x01, 0x02, 0x03, 0x04};
	static const unsigned char low[] = {0x7F, 0x01};
	char id[ACS_ARI_CERTID_MAX];
	struct acs_err err;
	X509 *x = NULL;

	CU_ASSERT_FATAL(acs_x509_gen_ari_test(serial, sizeof(serial), aki, sizeof(aki), &x, &err) ==
	                0);
	CU_ASSERT_EQUAL(acs_ari_certid(x, 0, id, sizeof(id), &err), 0);
	/* base64url(01 02 03 04) = AQIDBA, base64url(00 FF 01) = AP8B */
	CU_ASSERT_STRING_EQUAL(id, "AQIDBA.AP8B");
	X509_free(x);
	x = NULL;
	/* no high bit: no zero octet, and stripping changes nothing */
	CU_ASSERT_FATAL(acs_x509_gen_ari_test(low, sizeof(low), aki, sizeof(aki), &x, &err) == 0);
	CU_ASSERT_EQUAL(acs_ari_serial_high_bit(x), 0);
	CU_ASSERT_EQUAL(acs_ari_certid(x, 1, id, sizeof(id), &err), 0);
	CU_ASSERT_STRING_EQUAL(id, "AQIDBA.fwE");
	X509_free(x);
}

static void test_parse(void)
{
	unsigned char aki[ACS_ARI_PART_MAX], serial[ACS_ARI_PART_MAX];
	size_t al = 0, sl = 0;
	struct acs_err err;
	static const char *const bad[] = {
	    "",
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ", /* no dot */
	    ".AIdlQyE",
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.",          /* empty part */
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ=.AIdlQyE",  /* padding */
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE.x", /* three parts */
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.h2VDIQ",    /* negative: zero stripped */
	    "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AAE",       /* redundant zero */
	    "a+b/.AIdlQyE",                          /* not base64url */
	};
	size_t i;

	CU_ASSERT_EQUAL(acs_ari_certid_parse(RFC_CERTID, aki, &al, serial, &sl, &err), 0);
	CU_ASSERT_EQUAL(al, sizeof(rfc_aki));
	CU_ASSERT_EQUAL(sl, sizeof(rfc_serial));
	CU_ASSERT_EQUAL(memcmp(serial, rfc_serial, sl), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_NOT_EQUAL(acs_ari_certid_parse(bad[i], NULL, NULL, NULL, NULL, &err), 0);
}

static void test_window(void)
{
	struct acs_err err;
	json_t *ok = json_pack("{s:{s:s,s:s}}", "suggestedWindow", "start", "2025-01-02T04:00:00Z",
	                       "end", "2025-01-03T04:00:00Z");
	json_t *inv = json_pack("{s:{s:s,s:s}}", "suggestedWindow", "start", "2025-01-03T04:00:00Z",
	                        "end", "2025-01-03T04:00:00Z");
	json_t *nodate = json_pack("{s:{s:s,s:s}}", "suggestedWindow", "start", "tomorrow", "end",
	                           "2025-01-03T04:00:00Z");
	time_t s = 0, e = 0;

	CU_ASSERT_EQUAL(acs_ari_window_check(ok, &s, &e, &err), 0);
	CU_ASSERT_EQUAL(e - s, 86400);
	CU_ASSERT_NOT_EQUAL(acs_ari_window_check(inv, NULL, NULL, &err), 0);
	CU_ASSERT_NOT_EQUAL(acs_ari_window_check(nodate, NULL, NULL, &err), 0);
	CU_ASSERT_NOT_EQUAL(acs_ari_window_check(NULL, NULL, NULL, &err), 0);
	json_decref(ok);
	json_decref(inv);
	json_decref(nodate);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("ari", NULL, NULL);

	CU_add_test(s, "rfc_vector_raw", test_rfc_vector_raw);
	CU_add_test(s, "rfc_vector_cert", test_rfc_vector_cert);
	CU_add_test(s, "own_vector", test_own_vector);
	CU_add_test(s, "parse", test_parse);
	CU_add_test(s, "window", test_window);
}
