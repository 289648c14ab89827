/*
 * Unit tests for harness/x509_gen.c: the tls-alpn-01 certificate of RFC
 * 8737 section 3 (SAN, acmeIdentifier encoding and criticality, variants)
 * and self-signed server certificates.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/err.h"
#include "harness/x509.h"

static struct acs_ident ident(const char *type, const char *value)
{
	struct acs_ident id;

	memset(&id, 0, sizeof(id));
	snprintf(id.type, sizeof(id.type), "%s", type);
	snprintf(id.value, sizeof(id.value), "%s", value);
	return id;
}

/* The acmeIdentifier extension of x, or NULL. */
static X509_EXTENSION *acme_ext(X509 *x)
{
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
	int at = X509_get_ext_by_OBJ(x, oid, -1);

	ASN1_OBJECT_free(oid);
	return at < 0 ? NULL : X509_get_ext(x, at);
}

/* SAN entries: count, and the type/value of entry i copied out. */
static int san_count(X509 *x)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int n;

	if (g == NULL)
		return 0;
	n = sk_GENERAL_NAME_num(g);
	GENERAL_NAMES_free(g);
	return n;
}

static int san_get(X509 *x, int i, int *type, unsigned char *val, int *len)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	GENERAL_NAME *gn;
	const ASN1_STRING *s;
	int ok = -1;

	if (g == NULL)
		return -1;
	if (i < sk_GENERAL_NAME_num(g)) {
		gn = sk_GENERAL_NAME_value(g, i);
		*type = gn->type;
		s = gn->type == GEN_DNS ? gn->d.dNSName : gn->d.iPAddress;
		if (gn->type == GEN_DNS || gn->type == GEN_IPADD) {
			*len = ASN1_STRING_length(s);
			memcpy(val, ASN1_STRING_get0_data(s), (size_t)*len);
			val[*len] = '\0';
			ok = 0;
		}
	}
	GENERAL_NAMES_free(g);
	return ok;
}

static void fill_digest(unsigned char d[32])
{
	int i;

	for (i = 0; i < 32; i++)
		d[i] = (unsigned char)(i * 7 + 1);
}

static void test_alpn_dns(void)
{
	struct acs_ident id = ident("dns", "a1.acmespec.test");
	unsigned char d[32], val[300];
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	X509_EXTENSION *ext;
	const ASN1_OCTET_STRING *data;
	int type = 0, len = 0;

	fill_digest(d);
	CU_ASSERT_EQUAL_FATAL(acs_alpn_cert_make(&id, d, NULL, &x, &k, NULL), 0);
	/* self-signed with the key returned */
	CU_ASSERT_EQUAL(X509_verify(x, k), 1);
	CU_ASSERT_EQUAL(X509_check_private_key(x, k), 1);
	CU_ASSERT_EQUAL(X509_get_version(x), 2);
	/* exactly one dNSName, the identifier */
	CU_ASSERT_EQUAL(san_count(x), 1);
	CU_ASSERT_EQUAL(san_get(x, 0, &type, val, &len), 0);
	CU_ASSERT_EQUAL(type, GEN_DNS);
	CU_ASSERT_STRING_EQUAL((char *)val, "a1.acmespec.test");
	/* acmeIdentifier: critical, extnValue = 04 20 || digest */
	ext = acme_ext(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ext);
	CU_ASSERT_EQUAL(X509_EXTENSION_get_critical(ext), 1);
	data = X509_EXTENSION_get_data(ext);
	CU_ASSERT_EQUAL_FATAL(ASN1_STRING_length(data), 34);
	CU_ASSERT_EQUAL(ASN1_STRING_get0_data(data)[0], 0x04);
	CU_ASSERT_EQUAL(ASN1_STRING_get0_data(data)[1], 0x20);
	CU_ASSERT_EQUAL(memcmp(ASN1_STRING_get0_data(data) + 2, d, 32), 0);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_alpn_ip(void)
{
	struct acs_ident id4 = ident("ip", "127.0.0.1"), id6 = ident("ip", "::1");
	unsigned char d[32], val[300];
	unsigned char lo4[4] = {127, 0, 0, 1}, lo6[16] = {0};
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int type = 0, len = 0;

	fill_digest(d);
	lo6[15] = 1;
	CU_ASSERT_EQUAL_FATAL(acs_alpn_cert_make(&id4, d, NULL, &x, &k, NULL), 0);
	CU_ASSERT_EQUAL(san_count(x), 1);
	CU_ASSERT_EQUAL(san_get(x, 0, &type, val, &len), 0);
	CU_ASSERT_EQUAL(type, GEN_IPADD);
	CU_ASSERT_EQUAL(len, 4);
	CU_ASSERT_EQUAL(memcmp(val, lo4, 4), 0);
	CU_ASSERT_PTR_NOT_NULL(acme_ext(x));
	X509_free(x);
	EVP_PKEY_free(k);
	x = NULL;
	k = NULL;
	CU_ASSERT_EQUAL_FATAL(acs_alpn_cert_make(&id6, d, NULL, &x, &k, NULL), 0);
	CU_ASSERT_EQUAL(san_get(x, 0, &type, val, &len), 0);
	CU_ASSERT_EQUAL(type, GEN_IPADD);
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT_EQUAL(memcmp(val, lo6, 16), 0);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_alpn_variants(void)
{
	struct acs_ident id = ident("dns", "b2.acmespec.test");
	struct acs_alpn_cert_opts noncrit = {.critical = 0};
	struct acs_alpn_cert_opts mixed = {.critical = 1, .san_override = "B2.AcMeSpEc.TeSt"};
	struct acs_alpn_cert_opts extra = {.critical = 1, .extra_san = "extra.acmespec.test"};
	unsigned char d[32], val[300];
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	X509_EXTENSION *ext;
	int type = 0, len = 0;

	fill_digest(d);
	CU_ASSERT_EQUAL_FATAL(acs_alpn_cert_make(&id, d, &noncrit, &x, &k, NULL), 0);
	ext = acme_ext(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ext);
	CU_ASSERT_EQUAL(X509_EXTENSION_get_critical(ext), 0);
	X509_free(x);
	EVP_PKEY_free(k);

	CU_ASSERT_EQUAL_FATAL(acs_alpn_cert_make(&id, d, &mixed, &x, &k, NULL), 0);
	CU_ASSERT_EQUAL(san_count(x), 1);
	CU_ASSERT_EQUAL(san_get(x, 0, &type, val, &len), 0);
	CU_ASSERT_STRING_EQUAL((char *)val, "B2.AcMeSpEc.TeSt");
	X509_free(x);
	EVP_PKEY_free(k);

	CU_ASSERT_EQUAL_FATAL(acs_alpn_cert_make(&id, d, &extra, &x, &k, NULL), 0);
	CU_ASSERT_EQUAL(san_count(x), 2);
	CU_ASSERT_EQUAL(san_get(x, 1, &type, val, &len), 0);
	CU_ASSERT_EQUAL(type, GEN_DNS);
	CU_ASSERT_STRING_EQUAL((char *)val, "extra.acmespec.test");
	X509_free(x);
	EVP_PKEY_free(k);

	/* no digest: no acmeIdentifier at all */
	CU_ASSERT_EQUAL_FATAL(acs_alpn_cert_make(&id, NULL, NULL, &x, &k, NULL), 0);
	CU_ASSERT_PTR_NULL(acme_ext(x));
	CU_ASSERT_EQUAL(san_count(x), 1);
	X509_free(x);
	EVP_PKEY_free(k);
}

static void test_alpn_bad_input(void)
{
	struct acs_ident bad_type = ident("email", "x@y"), bad_ip = ident("ip", "300.1.1.1");
	struct acs_ident empty = ident("dns", "");
	struct acs_err err;
	unsigned char d[32] = {0};
	X509 *x = NULL;
	EVP_PKEY *k = NULL;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL(acs_alpn_cert_make(&bad_type, d, NULL, &x, &k, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown identifier type"));
	CU_ASSERT_EQUAL(acs_alpn_cert_make(&bad_ip, d, NULL, &x, &k, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an IP address"));
	CU_ASSERT_EQUAL(acs_alpn_cert_make(&empty, d, NULL, &x, &k, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NULL(x);
	CU_ASSERT_PTR_NULL(k);
}

static void test_selfsigned(void)
{
	static const char *const names[] = {"localhost", "127.0.0.1", "::1"};
	char *cp = NULL, *kp = NULL;
	BIO *b = NULL;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	BASIC_CONSTRAINTS *bc = NULL;
	unsigned char val[300];
	int type = 0, len = 0;

	CU_ASSERT_EQUAL_FATAL(acs_selfsigned_make(names, 3, &cp, &kp, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(cp, "-----BEGIN CERTIFICATE-----"));
	CU_ASSERT_PTR_NOT_NULL(strstr(kp, "-----BEGIN PRIVATE KEY-----"));
	b = BIO_new_mem_buf(cp, -1);
	x = PEM_read_bio_X509(b, NULL, NULL, NULL);
	BIO_free(b);
	b = BIO_new_mem_buf(kp, -1);
	k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_PTR_NOT_NULL_FATAL(k);
	CU_ASSERT_EQUAL(X509_check_private_key(x, k), 1);
	CU_ASSERT_EQUAL(X509_verify(x, k), 1);
	CU_ASSERT_EQUAL(san_count(x), 3);
	CU_ASSERT_EQUAL(san_get(x, 0, &type, val, &len), 0);
	CU_ASSERT_EQUAL(type, GEN_DNS);
	CU_ASSERT_STRING_EQUAL((char *)val, "localhost");
	CU_ASSERT_EQUAL(san_get(x, 1, &type, val, &len), 0);
	CU_ASSERT_EQUAL(type, GEN_IPADD);
	CU_ASSERT_EQUAL(len, 4);
	CU_ASSERT_EQUAL(san_get(x, 2, &type, val, &len), 0);
	CU_ASSERT_EQUAL(type, GEN_IPADD);
	CU_ASSERT_EQUAL(len, 16);
	CU_ASSERT_EQUAL(X509_check_host(x, "localhost", 0, 0, NULL), 1);
	CU_ASSERT_EQUAL(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL(bc);
	if (bc != NULL)
		CU_ASSERT_EQUAL(bc->ca, 0);
	BASIC_CONSTRAINTS_free(bc);
	X509_free(x);
	EVP_PKEY_free(k);
	free(cp);
	free(kp);

	cp = kp = NULL;
	CU_ASSERT_EQUAL(acs_selfsigned_make(names, 0, &cp, &kp, NULL), ACS_E_INVAL);
	CU_ASSERT_PTR_NULL(cp);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("x509_gen", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "alpn_dns", test_alpn_dns);
	CU_add_test(s, "alpn_ip", test_alpn_ip);
	CU_add_test(s, "alpn_variants", test_alpn_variants);
	CU_add_test(s, "alpn_bad_input", test_alpn_bad_input);
	CU_add_test(s, "selfsigned", test_selfsigned);
}
