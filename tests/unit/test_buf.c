/*
 * The capped buffer (buf.c) and error values (err.c).
 */
#include <CUnit/CUnit.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "harness/buf.h"
#include "harness/err.h"

static void test_append_and_printf(void)
{
	struct acs_buf b;

	acs_buf_init(&b, 0);
	CU_ASSERT_EQUAL(b.max, ACS_BUF_DEFAULT_MAX);
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(acs_buf_append(&b, "abc", 3), 0);
	CU_ASSERT_EQUAL(acs_buf_puts(&b, "def"), 0);
	CU_ASSERT_EQUAL(acs_buf_printf(&b, "-%d-%s", 42, "x"), 0);
	CU_ASSERT_EQUAL(b.len, 11);
	CU_ASSERT_STRING_EQUAL(b.data, "abcdef-42-x");
	CU_ASSERT_EQUAL(acs_buf_append(&b, "", 0), 0);
	CU_ASSERT_EQUAL(b.len, 11);
	acs_buf_reset(&b);
	CU_ASSERT_EQUAL(b.len, 0);
	CU_ASSERT_STRING_EQUAL(b.data, "");
	acs_buf_free(&b);
	CU_ASSERT_PTR_NULL(b.data);
}

static void test_growth(void)
{
	struct acs_buf b;
	size_t i;

	acs_buf_init(&b, 0);
	for (i = 0; i < 10000; i++)
		CU_ASSERT_EQUAL_FATAL(acs_buf_append(&b, "0123456789", 10), 0);
	CU_ASSERT_EQUAL(b.len, 100000);
	CU_ASSERT_EQUAL(b.data[b.len], '\0');
	CU_ASSERT(memcmp(b.data + 99990, "0123456789", 10) == 0);
	/* a long printf, longer than any initial allocation */
	acs_buf_reset(&b);
	CU_ASSERT_EQUAL(acs_buf_printf(&b, "%5000d|", 7), 0);
	CU_ASSERT_EQUAL(b.len, 5001);
	acs_buf_free(&b);
}

static void test_cap(void)
{
	struct acs_buf b;

	acs_buf_init(&b, 8);
	CU_ASSERT_EQUAL(acs_buf_puts(&b, "12345"), 0);
	CU_ASSERT_EQUAL(acs_buf_puts(&b, "6789"), ACS_E_TOOBIG);
	CU_ASSERT_STRING_EQUAL(b.data, "12345"); /* nothing appended */
	CU_ASSERT_EQUAL(acs_buf_printf(&b, "%s", "abcd"), ACS_E_TOOBIG);
	CU_ASSERT_EQUAL(b.len, 5);
	CU_ASSERT_EQUAL(acs_buf_puts(&b, "678"), 0);
	CU_ASSERT_EQUAL(b.len, 8);
	CU_ASSERT_EQUAL(acs_buf_append(&b, "x", 1), ACS_E_TOOBIG);
	CU_ASSERT_EQUAL(acs_buf_append(&b, "x", (size_t)-1), ACS_E_TOOBIG);
	acs_buf_free(&b);
}

static void test_steal(void)
{
	struct acs_buf b;
	char *s;

	acs_buf_init(&b, 0);
	s = acs_buf_steal(&b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	CU_ASSERT_EQUAL(acs_buf_puts(&b, "hello"), 0);
	s = acs_buf_steal(&b);
	CU_ASSERT_STRING_EQUAL(s, "hello");
	CU_ASSERT_PTR_NULL(b.data);
	CU_ASSERT_EQUAL(b.len, 0);
	free(s);
	/* usable again after steal */
	CU_ASSERT_EQUAL(acs_buf_puts(&b, "again"), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "again");
	acs_buf_free(&b);
}

static void test_err(void)
{
	struct acs_err err;
	char longtext[2000];

	CU_ASSERT_EQUAL(acs_err_set(NULL, ACS_E_IO, "x %d", 1), ACS_E_IO);
	CU_ASSERT_EQUAL(acs_err_set(&err, ACS_E_PARSE, "bad %s at %d", "thing", 3), ACS_E_PARSE);
	CU_ASSERT_EQUAL(err.code, ACS_E_PARSE);
	CU_ASSERT_STRING_EQUAL(err.msg, "bad thing at 3");
	CU_ASSERT_EQUAL(acs_err_prefix(&err, "file %s", "a.json"), ACS_E_PARSE);
	CU_ASSERT_STRING_EQUAL(err.msg, "file a.json: bad thing at 3");
	CU_ASSERT_EQUAL(acs_err_prefix(NULL, "x"), ACS_E_INVAL);
	acs_err_clear(&err);
	CU_ASSERT_EQUAL(err.code, 0);
	CU_ASSERT_STRING_EQUAL(err.msg, "");
	acs_err_clear(NULL);
	/* messages are cut, never overflow */
	memset(longtext, 'a', sizeof(longtext) - 1);
	longtext[sizeof(longtext) - 1] = '\0';
	acs_err_set(&err, ACS_E_INVAL, "%s", longtext);
	CU_ASSERT_EQUAL(strlen(err.msg), ACS_ERR_MSG_MAX - 1);
	acs_err_prefix(&err, "%s", "prefix");
	CU_ASSERT_EQUAL(strlen(err.msg), ACS_ERR_MSG_MAX - 1);
	CU_ASSERT(strncmp(err.msg, "prefix: aaa", 11) == 0);
	acs_err_prefix(&err, "%s", longtext);
	CU_ASSERT(strlen(err.msg) < ACS_ERR_MSG_MAX);
}

static void test_strerror(void)
{
	int codes[] = {ACS_OK,       ACS_E_NOMEM,       ACS_E_INVAL,    ACS_E_TOOBIG,
	               ACS_E_CRYPTO, ACS_E_IO,          ACS_E_TIMEOUT,  ACS_E_PARSE,
	               ACS_E_VERIFY, ACS_E_UNSUPPORTED, ACS_E_NOTFOUND, ACS_E_STATE};
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		CU_ASSERT_PTR_NOT_NULL(acs_strerror(codes[i]));
		CU_ASSERT_STRING_NOT_EQUAL(acs_strerror(codes[i]), "unknown error");
	}
	CU_ASSERT_STRING_EQUAL(acs_strerror(-999), "unknown error");
	CU_ASSERT_STRING_EQUAL(acs_strerror(ACS_E_NOMEM), "out of memory");
}

static void test_err_openssl(void)
{
	struct acs_err err;
	BIO *bio;
	X509 *x;

	ERR_clear_error();
	CU_ASSERT_EQUAL(acs_err_openssl(&err, "nothing queued"), ACS_E_CRYPTO);
	CU_ASSERT_STRING_EQUAL(err.msg, "nothing queued");
	/* reading a certificate from junk queues a "no start line" error */
	bio = BIO_new_mem_buf("junk", 4);
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	CU_ASSERT_PTR_NULL(x);
	BIO_free(bio);
	CU_ASSERT_EQUAL(acs_err_openssl(&err, "cannot read certificate"), ACS_E_CRYPTO);
	CU_ASSERT_EQUAL(err.code, ACS_E_CRYPTO);
	CU_ASSERT(strncmp(err.msg, "cannot read certificate: ", 25) == 0);
	CU_ASSERT_EQUAL(ERR_peek_error(), 0); /* the queue was cleared */
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("buf", NULL, NULL);

	CU_add_test(s, "append_and_printf", test_append_and_printf);
	CU_add_test(s, "growth", test_growth);
	CU_add_test(s, "cap", test_cap);
	CU_add_test(s, "steal", test_steal);
	CU_add_test(s, "err", test_err);
	CU_add_test(s, "strerror", test_strerror);
	CU_add_test(s, "err_openssl", test_err_openssl);
}
