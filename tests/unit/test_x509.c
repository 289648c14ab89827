/*
 * X.509 helpers: identifiers, CSR make/parse for every key type, PEM chain
 * parsing (strict and every kind of non-strict text), chain verification
 * against a small CA hierarchy made here with OpenSSL, and certificate
 * identifiers.
 */
#include <CUnit/CUnit.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/buf.h"
#include "harness/jwk.h"
#include "harness/x509.h"

/* root -> intermediate -> leaf, and an unrelated root */
static EVP_PKEY *root_key, *inter_key, *leaf_key, *other_key;
static X509 *root_cert, *inter_cert, *leaf_cert, *other_cert;
static char root_file[64] = "";
static char other_file[64] = "";
static int files_made; /* bit 0: root_file exists, bit 1: other_file */

/* Add extension nid with OpenSSL config text value. */
static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return 0;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key named cn, issued by issuer (NULL: self-signed). */
static X509 *make_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, int ca,
                       const char *san, long serial)
{
	X509 *x = X509_new();
	X509_NAME *name = X509_NAME_new();
	EVP_PKEY *signer;
	int ok = 1;

	ok &= X509_set_version(x, 2);
	ok &= ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	ok &= X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL;
	ok &= X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL;
	ok &= X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
	                                 -1, 0);
	ok &= X509_set_subject_name(x, name);
	ok &= X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name);
	ok &= X509_set_pubkey(x, key);
	ok &= add_ext(x, issuer ? issuer : x, NID_subject_key_identifier, "hash");
	if (ca) {
		ok &= add_ext(x, issuer ? issuer : x, NID_basic_constraints, "critical,CA:TRUE");
		ok &=
		    add_ext(x, issuer ? issuer : x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		ok &= add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE");
		ok &= add_ext(x, issuer, NID_key_usage, "critical,digitalSignature");
	}
	if (issuer != NULL)
		ok &= add_ext(x, issuer, NID_authority_key_identifier, "keyid:always");
	if (san != NULL)
		ok &= add_ext(x, issuer ? issuer : x, NID_subject_alt_name, san);
	signer = issuer_key ? issuer_key : key;
	/* Ed25519 signs without a separate digest */
	ok &= X509_sign(x, signer,
	                EVP_PKEY_get_base_id(signer) == EVP_PKEY_ED25519 ? NULL : EVP_sha256()) > 0;
	X509_NAME_free(name);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

static char *cert_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	PEM_write_bio_X509(bio, x);
	n = BIO_get_mem_data(bio, &data);
	out = malloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(bio);
	return out;
}

static int write_pem_file(char *path, X509 *x)
{
	char *pem = cert_pem(x);
	int fd = mkstemp(path);
	ssize_t w;

	if (fd < 0) {
		free(pem);
		return 0;
	}
	w = write(fd, pem, strlen(pem));
	close(fd);
	free(pem);
	if (w <= 0)
		unlink(path);
	return w > 0;
}

static int suite_init(void)
{
	root_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	inter_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
	leaf_key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	other_key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	if (!root_key || !inter_key || !leaf_key || !other_key)
		return 1;
	root_cert = make_cert("acmespec test root", root_key, NULL, NULL, 1, NULL, 1);
	inter_cert =
	    make_cert("acmespec test intermediate", inter_key, root_cert, root_key, 1, NULL, 2);
	leaf_cert = make_cert("leaf.example", leaf_key, inter_cert, inter_key, 0,
	                      "DNS:Leaf.Example,DNS:www.leaf.example,IP:127.0.0.1,IP:::1", 3);
	other_cert = make_cert("other root", other_key, NULL, NULL, 1, NULL, 4);
	if (!root_cert || !inter_cert || !leaf_cert || !other_cert)
		return 1;
	snprintf(root_file, sizeof(root_file), "/tmp/acmespec-root-XXXXXX");
	snprintf(other_file, sizeof(other_file), "/tmp/acmespec-other-XXXXXX");
	if (!write_pem_file(root_file, root_cert))
		return 1;
	files_made |= 1;
	if (!write_pem_file(other_file, other_cert))
		return 1;
	files_made |= 2;
	return 0;
}

static int suite_clean(void)
{
	if (files_made & 1)
		unlink(root_file);
	if (files_made & 2)
		unlink(other_file);
	X509_free(root_cert);
	X509_free(inter_cert);
	X509_free(leaf_cert);
	X509_free(other_cert);
	EVP_PKEY_free(root_key);
	EVP_PKEY_free(inter_key);
	EVP_PKEY_free(leaf_key);
	EVP_PKEY_free(other_key);
	return 0;
}

static void test_ident_parse(void)
{
	static const struct {
		const char *in, *type, *value;
	} ok[] = {
	    {"dns:example.com", "dns", "example.com"}, {"DNS:Example.COM", "dns", "Example.COM"},
	    {"ip:127.0.0.1", "ip", "127.0.0.1"},       {"ip:::1", "ip", "::1"},
	    {"example.com", "dns", "example.com"},     {"*.example.com", "dns", "*.example.com"},
	    {"127.0.0.1", "ip", "127.0.0.1"},          {"2001:db8::1", "ip", "2001:db8::1"},
	};
	struct acs_ident id;
	struct acs_err err;
	char longname[300];
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL(acs_ident_parse(ok[i].in, &id, &err), 0);
		CU_ASSERT_STRING_EQUAL(id.type, ok[i].type);
		CU_ASSERT_STRING_EQUAL(id.value, ok[i].value);
	}
	CU_ASSERT_EQUAL(acs_ident_parse("", &id, &err), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_ident_parse(NULL, &id, &err), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_ident_parse("dns:", &id, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "empty value"));
	CU_ASSERT_EQUAL(acs_ident_parse("ip:example.com", &id, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an ipv4 or ipv6 address"));
	CU_ASSERT_EQUAL(acs_ident_parse("email:a@b", &id, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unknown type \"email\""));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(acs_ident_parse(longname, &id, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "longer than 255"));
}

static void test_idents_equal_sets(void)
{
	struct acs_ident a[3], b[4];

	acs_ident_parse("a.example", &a[0], NULL);
	acs_ident_parse("ip:::1", &a[1], NULL);
	acs_ident_parse("B.example", &a[2], NULL);
	acs_ident_parse("b.EXAMPLE", &b[0], NULL);
	acs_ident_parse("A.example", &b[1], NULL);
	acs_ident_parse("ip:0:0::1", &b[2], NULL);
	acs_ident_parse("a.example", &b[3], NULL); /* duplicate: still the same set */
	CU_ASSERT_TRUE(acs_idents_equal_sets(a, 3, b, 4));
	CU_ASSERT_TRUE(acs_idents_equal_sets(b, 4, a, 3));
	CU_ASSERT_FALSE(acs_idents_equal_sets(a, 2, b, 4));
	CU_ASSERT_FALSE(acs_idents_equal_sets(a, 3, b, 2));
	CU_ASSERT_TRUE(acs_idents_equal_sets(NULL, 0, NULL, 0));
	CU_ASSERT_FALSE(acs_idents_equal_sets(a, 1, NULL, 0));
	/* same text, different type */
	acs_ident_parse("dns:127.0.0.1", &a[0], NULL);
	acs_ident_parse("ip:127.0.0.1", &b[0], NULL);
	CU_ASSERT_FALSE(acs_idents_equal_sets(a, 1, b, 1));
}

/* CSR round trip for one key type. */
static void csr_round_trip(enum acs_key_type type)
{
	struct acs_ident ids[4], *got = NULL;
	struct acs_key *key = NULL, *pub = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0, nids = 0;
	struct acs_err err;

	acs_ident_parse("www.example.test", &ids[0], NULL);
	acs_ident_parse("ip:127.0.0.1", &ids[1], NULL);
	acs_ident_parse("Mixed.Example.Test", &ids[2], NULL);
	acs_ident_parse("ip:2001:db8::1", &ids[3], NULL);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&key, type, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_csr_make(key, ids, 4, 1, &der, &der_len, &err), 0);
	CU_ASSERT(der_len > 100);
	acs_err_clear(&err);
	CU_ASSERT_EQUAL(acs_csr_parse(der, der_len, &got, &nids, &pub, &err), 0);
	if (err.msg[0] != '\0')
		fprintf(stderr, "\n    %s\n", err.msg);
	CU_ASSERT_EQUAL(nids, 4); /* the CN duplicates a SAN and adds nothing */
	CU_ASSERT_TRUE(acs_idents_equal_sets(ids, 4, got, nids));
	/* CSR names are kept as sent */
	CU_ASSERT(nids > 2 && strcmp(got[2].value, "Mixed.Example.Test") == 0);
	CU_ASSERT_TRUE(acs_key_equal(pub, key));
	free(got);
	got = NULL;
	acs_key_free(pub);
	free(der);
	der = NULL;
	/* without CN and without asking for the key */
	CU_ASSERT_EQUAL_FATAL(acs_csr_make(key, ids, 2, 0, &der, &der_len, &err), 0);
	CU_ASSERT_EQUAL(acs_csr_parse(der, der_len, &got, &nids, NULL, &err), 0);
	CU_ASSERT_EQUAL(nids, 2);
	CU_ASSERT_TRUE(acs_idents_equal_sets(ids, 2, got, nids));
	free(got);
	free(der);
	acs_key_free(key);
}

static void test_csr_round_trip(void)
{
	csr_round_trip(ACS_KEY_EC256);
	csr_round_trip(ACS_KEY_EC384);
	csr_round_trip(ACS_KEY_ED25519);
	csr_round_trip(ACS_KEY_RSA2048);
}

/* A CSR with only a subject CN, made directly with OpenSSL. */
static unsigned char *csr_cn_only(const char *cn, size_t *len)
{
	X509_REQ *req = X509_REQ_new();
	X509_NAME *name = X509_NAME_new();
	unsigned char *der = NULL, *p;
	int n;

	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1, 0);
	X509_REQ_set_subject_name(req, name);
	X509_REQ_set_pubkey(req, leaf_key);
	X509_REQ_sign(req, leaf_key, EVP_sha256());
	n = i2d_X509_REQ(req, NULL);
	der = malloc((size_t)n);
	p = der;
	i2d_X509_REQ(req, &p);
	*len = (size_t)n;
	X509_NAME_free(name);
	X509_REQ_free(req);
	return der;
}

static void test_csr_cn_and_errors(void)
{
	struct acs_ident *got = NULL, ids[2];
	struct acs_key *key = NULL;
	unsigned char *der, *bad;
	size_t len = 0, nids = 0;
	struct acs_err err;

	der = csr_cn_only("cn-only.example", &len);
	CU_ASSERT_EQUAL(acs_csr_parse(der, len, &got, &nids, NULL, &err), 0);
	CU_ASSERT_EQUAL(nids, 1);
	CU_ASSERT(nids == 1 && strcmp(got[0].type, "dns") == 0 &&
	          strcmp(got[0].value, "cn-only.example") == 0);
	free(got);
	got = NULL;

	/* trailing bytes */
	bad = malloc(len + 3);
	memcpy(bad, der, len);
	memset(bad + len, 0, 3);
	CU_ASSERT_EQUAL(acs_csr_parse(bad, len + 3, &got, &nids, NULL, &err), ACS_E_PARSE);
	CU_ASSERT_STRING_EQUAL(err.msg, "csr: 3 bytes of trailing data");
	/* a flipped bit in the signature (the last bytes of the DER) */
	memcpy(bad, der, len);
	bad[len - 2] ^= 0x01;
	CU_ASSERT_EQUAL(acs_csr_parse(bad, len, &got, &nids, NULL, &err), ACS_E_VERIFY);
	CU_ASSERT_STRING_EQUAL(err.msg, "csr: signature does not verify");
	/* garbage and truncation */
	CU_ASSERT_EQUAL(acs_csr_parse((const unsigned char *)"junk", 4, &got, &nids, NULL, &err),
	                ACS_E_PARSE);
	CU_ASSERT_EQUAL(acs_csr_parse(der, len / 2, &got, &nids, NULL, &err), ACS_E_PARSE);
	CU_ASSERT_EQUAL(acs_csr_parse(NULL, 0, &got, &nids, NULL, &err), ACS_E_PARSE);
	CU_ASSERT_PTR_NULL(got);
	free(bad);
	free(der);

	/* make refuses what it cannot encode */
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&key, ACS_KEY_EC256, NULL), 0);
	snprintf(ids[0].type, sizeof(ids[0].type), "ip");
	snprintf(ids[0].value, sizeof(ids[0].value), "not-an-ip");
	der = NULL;
	CU_ASSERT_EQUAL(acs_csr_make(key, ids, 1, 0, &der, &len, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not an ip address"));
	snprintf(ids[0].type, sizeof(ids[0].type), "email");
	CU_ASSERT_EQUAL(acs_csr_make(key, ids, 1, 0, &der, &len, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unsupported identifier type \"email\""));
	CU_ASSERT_EQUAL(acs_csr_make(NULL, ids, 1, 0, &der, &len, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_NULL(der);
	/* an empty identifier list still makes a valid (if useless) CSR */
	CU_ASSERT_EQUAL(acs_csr_make(key, NULL, 0, 1, &der, &len, &err), 0);
	CU_ASSERT_EQUAL(acs_csr_parse(der, len, &got, &nids, NULL, &err), 0);
	CU_ASSERT_EQUAL(nids, 0);
	CU_ASSERT_PTR_NOT_NULL(got);
	free(got);
	free(der);
	acs_key_free(key);
}

/* PEM text of the given certificates, concatenated. */
static char *chain_text(X509 **certs, size_t n)
{
	struct acs_buf b;
	size_t i;

	acs_buf_init(&b, 0);
	for (i = 0; i < n; i++) {
		char *p = cert_pem(certs[i]);

		acs_buf_puts(&b, p);
		free(p);
	}
	return acs_buf_steal(&b);
}

static struct acs_chain *chain_ok(const char *text)
{
	struct acs_chain *c = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL(acs_chain_parse(text, strlen(text), &c, &err), 0);
	if (c == NULL)
		fprintf(stderr, "\n    chain parse failed: %s\n", err.msg);
	return c;
}

static void test_chain_strict_and_verify(void)
{
	X509 *certs[3] = {leaf_cert, inter_cert, root_cert};
	X509 *swapped[2] = {inter_cert, leaf_cert};
	X509 *gap[2] = {leaf_cert, root_cert};
	struct acs_chain *c;
	struct acs_err err;
	char *text;

	text = chain_text(certs, 2);
	c = chain_ok(text);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->n, 2);
	CU_ASSERT_EQUAL(c->strict, 1);
	CU_ASSERT_STRING_EQUAL(c->problem, "");
	CU_ASSERT_EQUAL(X509_cmp(c->certs[0], leaf_cert), 0);
	CU_ASSERT_EQUAL(acs_chain_verify(c, NULL, &err), 0);
	acs_err_clear(&err);
	CU_ASSERT_EQUAL(acs_chain_verify(c, root_file, &err), 0);
	if (err.msg[0])
		fprintf(stderr, "\n    %s\n", err.msg);
	CU_ASSERT_EQUAL(acs_chain_verify(c, other_file, &err), ACS_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "does not verify to a root in"));
	CU_ASSERT_EQUAL(acs_chain_verify(c, "/nonexistent/roots.pem", &err), ACS_E_IO);
	acs_chain_free(c);
	free(text);

	/* with the root included, and a blank line between blocks: still strict */
	text = chain_text(certs, 3);
	{
		struct acs_buf b;
		char *p = strstr(text, "-----END CERTIFICATE-----\n");

		acs_buf_init(&b, 0);
		acs_buf_append(&b, text, (size_t)(p - text) + 26);
		acs_buf_puts(&b, "\n");
		acs_buf_puts(&b, p + 26);
		free(text);
		text = acs_buf_steal(&b);
	}
	c = chain_ok(text);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(c->n, 3);
	CU_ASSERT_EQUAL(c->strict, 1);
	CU_ASSERT_EQUAL(acs_chain_verify(c, root_file, &err), 0);
	acs_chain_free(c);
	free(text);

	/* wrong order */
	text = chain_text(swapped, 2);
	c = chain_ok(text);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(acs_chain_verify(c, NULL, &err), ACS_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "certificate 1 (/CN=acmespec test intermediate) is "
	                                       "not issued by certificate 2 (/CN=leaf.example)"));
	acs_chain_free(c);
	free(text);

	/* the intermediate missing */
	text = chain_text(gap, 2);
	c = chain_ok(text);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(acs_chain_verify(c, NULL, &err), ACS_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "certificate 1 (/CN=leaf.example) is not issued by "
	                                       "certificate 2"));
	CU_ASSERT_EQUAL(acs_chain_verify(c, root_file, &err), ACS_E_VERIFY);
	acs_chain_free(c);
	free(text);

	/* the leaf alone cannot reach the root without the intermediate */
	text = chain_text(certs, 1);
	c = chain_ok(text);
	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_EQUAL(acs_chain_verify(c, NULL, &err), 0);
	CU_ASSERT_EQUAL(acs_chain_verify(c, root_file, &err), ACS_E_VERIFY);
	acs_chain_free(c);
	free(text);
	CU_ASSERT_EQUAL(acs_chain_verify(NULL, NULL, &err), ACS_E_VERIFY);
}

/* Parse prefix + chain + suffix and expect strict = 0 with want in the problem. */
static void expect_nonstrict(const char *prefix, const char *middle, const char *suffix,
                             const char *want)
{
	X509 *certs[2] = {leaf_cert, inter_cert};
	char *p0 = cert_pem(certs[0]), *p1 = cert_pem(certs[1]);
	struct acs_chain *c;
	struct acs_buf b;

	acs_buf_init(&b, 0);
	acs_buf_puts(&b, prefix);
	acs_buf_puts(&b, p0);
	acs_buf_puts(&b, middle);
	acs_buf_puts(&b, p1);
	acs_buf_puts(&b, suffix);
	c = chain_ok(b.data);
	if (c != NULL) {
		CU_ASSERT_EQUAL(c->n, 2);
		CU_ASSERT_EQUAL(c->strict, 0);
		if (strstr(c->problem, want) == NULL)
			fprintf(stderr, "\n    problem \"%s\", wanted \"%s\"\n", c->problem, want);
		CU_ASSERT_PTR_NOT_NULL(strstr(c->problem, want));
	}
	acs_chain_free(c);
	acs_buf_free(&b);
	free(p0);
	free(p1);
}

static void test_chain_nonstrict(void)
{
	static const char key_block[] =
	    "-----BEGIN PRIVATE KEY-----\n"
	    "MC4CAQAwBQYDK2VwBCIEIK5Cz2k6DT9bOEMl1vNDaxSWKAMTaWTQThVJwvvRaXcO\n"
	    "-----END PRIVATE KEY-----\n";

	expect_nonstrict("Subject: leaf\n", "", "", "text before the first certificate at line 1");
	expect_nonstrict("", "issuer follows\n", "", "text between certificates at line");
	expect_nonstrict("", "", "trailer\n", "text after the last certificate at line");
	expect_nonstrict("", "", key_block, "PRIVATE KEY block at line");
	expect_nonstrict(key_block, "", "", "PRIVATE KEY block at line 1");
	expect_nonstrict("", "", "-----BEGIN CERTIFICATE-----\nAAAA\n",
	                 "unterminated CERTIFICATE block at line");
	/* CRLF line ends and blank lines are white space, still strict */
	{
		char *p0 = cert_pem(leaf_cert);
		struct acs_buf b;
		struct acs_chain *c;
		size_t i;

		acs_buf_init(&b, 0);
		acs_buf_puts(&b, "\r\n");
		for (i = 0; p0[i] != '\0'; i++) {
			if (p0[i] == '\n')
				acs_buf_puts(&b, "\r");
			acs_buf_append(&b, &p0[i], 1);
		}
		acs_buf_puts(&b, "\r\n\r\n");
		c = chain_ok(b.data);
		CU_ASSERT(c != NULL && c->n == 1 && c->strict == 1);
		acs_chain_free(c);
		acs_buf_free(&b);
		free(p0);
	}
}

static void test_chain_line_lengths(void)
{
	char *p0 = cert_pem(leaf_cert);
	const char *body = strchr(p0, '\n') + 1;
	const char *end = strstr(p0, "-----END");
	struct acs_buf b64, text;
	struct acs_chain *c;
	size_t i;

	/* collect the base64 without line breaks */
	acs_buf_init(&b64, 0);
	for (i = 0; body + i < end; i++) {
		if (body[i] != '\n')
			acs_buf_append(&b64, &body[i], 1);
	}
	/* 76-character lines, as MIME base64 writers do */
	acs_buf_init(&text, 0);
	acs_buf_puts(&text, "-----BEGIN CERTIFICATE-----\n");
	for (i = 0; i < b64.len; i += 76) {
		acs_buf_append(&text, b64.data + i, b64.len - i < 76 ? b64.len - i : 76);
		acs_buf_puts(&text, "\n");
	}
	acs_buf_puts(&text, "-----END CERTIFICATE-----\n");
	c = chain_ok(text.data);
	CU_ASSERT(c != NULL && c->n == 1 && c->strict == 0);
	CU_ASSERT(c != NULL &&
	          strstr(c->problem, "base64 line of 76 characters at line 2") != NULL);
	acs_chain_free(c);

	/* a short line that is not the last */
	acs_buf_reset(&text);
	acs_buf_puts(&text, "-----BEGIN CERTIFICATE-----\n");
	acs_buf_append(&text, b64.data, 60);
	acs_buf_puts(&text, "\n");
	for (i = 60; i < b64.len; i += 64) {
		acs_buf_append(&text, b64.data + i, b64.len - i < 64 ? b64.len - i : 64);
		acs_buf_puts(&text, "\n");
	}
	acs_buf_puts(&text, "-----END CERTIFICATE-----\n");
	c = chain_ok(text.data);
	CU_ASSERT(c != NULL && c->strict == 0);
	CU_ASSERT(c != NULL && strstr(c->problem, "short base64 line at line 2") != NULL);
	acs_chain_free(c);

	/* an encapsulated header (RFC 1421 style) */
	acs_buf_reset(&text);
	acs_buf_puts(&text, "-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n");
	acs_buf_puts(&text, body);
	c = NULL;
	acs_chain_parse(text.data, text.len, &c, NULL);
	CU_ASSERT(c == NULL || (c->strict == 0 && strstr(c->problem, "header line") != NULL));
	acs_chain_free(c);
	acs_buf_free(&text);
	acs_buf_free(&b64);
	free(p0);
}

static void test_chain_errors(void)
{
	struct acs_chain *c = NULL;
	struct acs_err err;
	const char *corrupt = "-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n";
	const char *mismatch = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n";

	CU_ASSERT_EQUAL(acs_chain_parse("", 0, &c, &err), ACS_E_PARSE);
	CU_ASSERT_EQUAL(acs_chain_parse("hello world\n", 12, &c, &err), ACS_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no certificate found"));
	CU_ASSERT_EQUAL(acs_chain_parse(corrupt, strlen(corrupt), &c, &err), ACS_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "certificate 1 (line 1) cannot be decoded"));
	CU_ASSERT_EQUAL(acs_chain_parse(mismatch, strlen(mismatch), &c, &err), ACS_E_PARSE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "END X509 CRL at line 3 does not match"));
	CU_ASSERT_PTR_NULL(c);
	acs_chain_free(NULL);
}

static void test_cert_idents(void)
{
	struct acs_ident *ids = NULL, want[4];
	size_t n = 0;
	struct acs_err err;

	CU_ASSERT_EQUAL(acs_cert_idents(leaf_cert, &ids, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 4);
	CU_ASSERT(n == 4 && strcmp(ids[0].type, "dns") == 0 &&
	          strcmp(ids[0].value, "leaf.example") == 0); /* lower-cased */
	CU_ASSERT(n == 4 && strcmp(ids[2].value, "127.0.0.1") == 0);
	CU_ASSERT(n == 4 && strcmp(ids[3].type, "ip") == 0 && strcmp(ids[3].value, "::1") == 0);
	acs_ident_parse("www.leaf.example", &want[0], NULL);
	acs_ident_parse("LEAF.example", &want[1], NULL);
	acs_ident_parse("ip:::1", &want[2], NULL);
	acs_ident_parse("127.0.0.1", &want[3], NULL);
	CU_ASSERT_TRUE(acs_idents_equal_sets(ids, n, want, 4));
	free(ids);
	ids = NULL;
	/* no SAN at all: an empty list */
	CU_ASSERT_EQUAL(acs_cert_idents(root_cert, &ids, &n, &err), 0);
	CU_ASSERT_EQUAL(n, 0);
	free(ids);
	CU_ASSERT_EQUAL(acs_cert_idents(NULL, &ids, &n, &err), ACS_E_INVAL);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("x509", suite_init, suite_clean);

	CU_add_test(s, "ident_parse", test_ident_parse);
	CU_add_test(s, "idents_equal_sets", test_idents_equal_sets);
	CU_add_test(s, "csr_round_trip", test_csr_round_trip);
	CU_add_test(s, "csr_cn_and_errors", test_csr_cn_and_errors);
	CU_add_test(s, "chain_strict_and_verify", test_chain_strict_and_verify);
	CU_add_test(s, "chain_nonstrict", test_chain_nonstrict);
	CU_add_test(s, "chain_line_lengths", test_chain_line_lengths);
	CU_add_test(s, "chain_errors", test_chain_errors);
	CU_add_test(s, "cert_idents", test_cert_idents);
}
