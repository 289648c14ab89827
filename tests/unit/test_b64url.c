/*
 * base64url: RFC 4648 vectors, round trips, and every way the strict
 * decoder refuses input (with the offset in the message).
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "harness/b64url.h"

static void test_encode_vectors(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {
	    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
	    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
	};
	static const unsigned char url_chars[] = {0xfb, 0xff, 0xbf};
	size_t i;
	char *s;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		s = acs_b64url_encode(v[i].in, strlen(v[i].in));
		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_STRING_EQUAL(s, v[i].out);
		free(s);
	}
	/* the url-safe alphabet: base64 "+/+/" is "-_-_" */
	s = acs_b64url_encode(url_chars, sizeof(url_chars));
	CU_ASSERT_STRING_EQUAL(s, "-_-_");
	free(s);
}

static void test_round_trip(void)
{
	unsigned char data[70];
	size_t n, i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 37 + 11);
	for (n = 0; n <= sizeof(data); n++) {
		char *s = acs_b64url_encode(data, n);
		unsigned char *out = NULL;
		size_t outlen = 0;
		struct acs_err err;

		CU_ASSERT_PTR_NOT_NULL_FATAL(s);
		CU_ASSERT_EQUAL(strlen(s) % 4 == 1, 0);
		CU_ASSERT_EQUAL(acs_b64url_decode(s, strlen(s), &out, &outlen, &err), 0);
		CU_ASSERT_EQUAL(outlen, n);
		CU_ASSERT(out != NULL && memcmp(out, data, n) == 0);
		CU_ASSERT(out != NULL && out[outlen] == '\0');
		CU_ASSERT_EQUAL(acs_b64url_valid(s, strlen(s)), n > 0);
		free(out);
		free(s);
	}
}

/* Expect decode failure whose message contains want. */
static void expect_bad(const char *s, size_t len, const char *want)
{
	unsigned char *out = (unsigned char *)"untouched";
	size_t outlen = 12345;
	struct acs_err err;
	int rc;

	acs_err_clear(&err);
	rc = acs_b64url_decode(s, len, &out, &outlen, &err);
	CU_ASSERT_EQUAL(rc, ACS_E_PARSE);
	CU_ASSERT_EQUAL(err.code, ACS_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	CU_ASSERT_STRING_EQUAL((const char *)out, "untouched");
	CU_ASSERT_EQUAL(outlen, 12345);
	CU_ASSERT_EQUAL(acs_b64url_valid(s, len), 0);
}

static void test_strict_rejects(void)
{
	expect_bad("Zm8=", 4, "padding '=' at offset 3");
	expect_bad("Zg==", 4, "padding '=' at offset 2");
	expect_bad("ab+d", 4, "'+' (plain base64, not base64url) at offset 2");
	expect_bad("abc/", 4, "'/' (plain base64, not base64url) at offset 3");
	expect_bad("ab d", 4, "byte 0x20 at offset 2");
	expect_bad("abc\n", 4, "byte 0x0a at offset 3");
	expect_bad("ab\0d", 4, "byte 0x00 at offset 2");
	expect_bad("ab\xc3\xa9", 4, "byte 0xc3 at offset 2");
	expect_bad("Zm9vY", 5, "length 5 is 1 mod 4");
	expect_bad("A", 1, "1 mod 4");
	/* 'h' leaves low bits set in a 2-char group, '9' in a 3-char group */
	expect_bad("Zh", 2, "non-zero trailing bits at offset 1");
	expect_bad("Zm9", 3, "non-zero trailing bits at offset 2");
}

static void test_no_overread(void)
{
	/* an exactly sized heap buffer without a NUL: ASan catches any overread */
	char *s = malloc(8);
	unsigned char *out = NULL;
	size_t outlen = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memcpy(s, "Zm9vYmFy", 8);
	CU_ASSERT_EQUAL(acs_b64url_decode(s, 4, &out, &outlen, NULL), 0);
	CU_ASSERT_EQUAL(outlen, 3);
	CU_ASSERT(out != NULL && memcmp(out, "foo", 3) == 0);
	free(out);
	out = NULL;
	CU_ASSERT_EQUAL(acs_b64url_decode(s, 8, &out, &outlen, NULL), 0);
	CU_ASSERT(out != NULL && strcmp((char *)out, "foobar") == 0);
	free(out);
	CU_ASSERT_EQUAL(acs_b64url_valid(s, 4), 1);
	CU_ASSERT_EQUAL(acs_b64url_valid(s, 7), 0); /* "F" leaves bits set */
	free(s);
}

static void test_empty(void)
{
	unsigned char *out = NULL;
	size_t outlen = 99;

	CU_ASSERT_EQUAL(acs_b64url_decode("", 0, &out, &outlen, NULL), 0);
	CU_ASSERT_EQUAL(outlen, 0);
	CU_ASSERT(out != NULL && out[0] == '\0');
	free(out);
	CU_ASSERT_EQUAL(acs_b64url_valid("", 0), 0);
	CU_ASSERT_EQUAL(acs_b64url_valid(NULL, 0), 0);
	CU_ASSERT_EQUAL(acs_b64url_valid("Zm8", 3), 1);
	CU_ASSERT_EQUAL(acs_b64url_valid("-_-_", 4), 1);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("b64url", NULL, NULL);

	CU_add_test(s, "encode_vectors", test_encode_vectors);
	CU_add_test(s, "round_trip", test_round_trip);
	CU_add_test(s, "strict_rejects", test_strict_rejects);
	CU_add_test(s, "no_overread", test_no_overread);
	CU_add_test(s, "empty", test_empty);
}
