/*
 * Certificate generators of harness/x509.h: the tls-alpn-01 challenge
 * certificate (RFC 8737 section 3) and self-signed server certificates for
 * the project's TLS listeners. Keys are EC P-256: quick to make, accepted
 * by every TLS stack the harness meets (OpenSSL, GnuTLS, Go).
 */
#include "harness/x509.h"

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#define ACME_IDENTIFIER_OID "1.3.6.1.5.5.7.1.31"
#define CN_MAX              64 /* ub-common-name */

/* A fresh P-256 key. */
static EVP_PKEY *new_key(struct acs_err *err)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (k == NULL)
		acs_err_openssl(err, "cannot generate a P-256 key");
	return k;
}

/*
 * A new self-signed-to-be X509 for pkey: v3, random positive 128-bit
 * serial, valid from an hour ago for 7 days, subject = issuer = CN (when
 * cn fits ub-common-name; otherwise an empty subject).
 */
static X509 *new_cert(EVP_PKEY *pkey, const char *cn, struct acs_err *err)
{
	X509 *x = NULL;
	X509_NAME *name = NULL;
	BIGNUM *bn = NULL;
	unsigned char serial[16];
	int ok = 0;

	x = X509_new();
	name = X509_NAME_new();
	if (x == NULL || name == NULL || RAND_bytes(serial, sizeof(serial)) != 1)
		goto out;
	serial[0] &= 0x7F;
	serial[0] |= 0x01; /* positive and never shorter than 16 octets' worth */
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (bn == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto out;
	if (X509_set_version(x, 2) != 1 || X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 7L * 24 * 3600) == NULL)
		goto out;
	if (cn != NULL && cn[0] != '\0' && strlen(cn) <= CN_MAX &&
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1, -1,
	                               0) != 1)
		goto out;
	if (X509_set_subject_name(x, name) != 1 || X509_set_issuer_name(x, name) != 1 ||
	    X509_set_pubkey(x, pkey) != 1)
		goto out;
	ok = 1;
out:
	BN_free(bn);
	X509_NAME_free(name);
	if (!ok) {
		acs_err_openssl(err, "cannot build a certificate");
		X509_free(x);
		return NULL;
	}
	return x;
}

/*
 * Push one SAN entry: an iPAddress when ip is set (value is then a textual
 * IPv4/IPv6 address), a dNSName otherwise. 0 or -1.
 */
static int push_san(GENERAL_NAMES *gens, const char *value, int ip)
{
	GENERAL_NAME *gn = NULL;
	ASN1_STRING *s = NULL;
	unsigned char addr[16];
	int alen = 0;

	if (ip) {
		if (inet_pton(AF_INET, value, addr) == 1)
			alen = 4;
		else if (inet_pton(AF_INET6, value, addr) == 1)
			alen = 16;
		else
			return -1;
		s = ASN1_OCTET_STRING_new();
		if (s == NULL || ASN1_STRING_set(s, addr, alen) != 1)
			goto fail;
	} else {
		s = ASN1_IA5STRING_new();
		if (s == NULL || ASN1_STRING_set(s, value, (int)strlen(value)) != 1)
			goto fail;
	}
	gn = GENERAL_NAME_new();
	if (gn == NULL)
		goto fail;
	GENERAL_NAME_set0_value(gn, ip ? GEN_IPADD : GEN_DNS, s);
	s = NULL;
	if (sk_GENERAL_NAME_push(gens, gn) <= 0)
		goto fail;
	return 0;
fail:
	ASN1_STRING_free(s);
	GENERAL_NAME_free(gn);
	return -1;
}

static int is_ip_literal(const char *s)
{
	unsigned char a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

int acs_alpn_cert_make(const struct acs_ident *id, const unsigned char digest[32],
                       const struct acs_alpn_cert_opts *opts, X509 **cert, EVP_PKEY **pkey,
                       struct acs_err *err)
{
	static const struct acs_alpn_cert_opts defaults = {.critical = 1};
	unsigned char der[34];
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	GENERAL_NAMES *gens = NULL;
	ASN1_OBJECT *oid = NULL;
	ASN1_OCTET_STRING *os = NULL;
	X509_EXTENSION *ext = NULL;
	const char *san;
	int ip, rc;

	if (opts == NULL)
		opts = &defaults;
	if (id == NULL || cert == NULL || pkey == NULL)
		return acs_err_set(err, ACS_E_INVAL, "tls-alpn-01 certificate: missing argument");
	if (strnlen(id->value, sizeof(id->value)) == 0 ||
	    strnlen(id->value, sizeof(id->value)) >= sizeof(id->value))
		return acs_err_set(err, ACS_E_INVAL, "tls-alpn-01 certificate: empty identifier");
	ip = strcmp(id->type, "ip") == 0;
	if (!ip && strcmp(id->type, "dns") != 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "tls-alpn-01 certificate: unknown identifier type \"%.8s\"",
		                   id->type);
	if (ip && !is_ip_literal(id->value))
		return acs_err_set(err, ACS_E_INVAL,
		                   "tls-alpn-01 certificate: \"%s\" is not an IP address",
		                   id->value);
	san = opts->san_override != NULL ? opts->san_override : id->value;
	if (opts->san_override != NULL)
		ip = 0; /* the override is a dNSName */

	k = new_key(err);
	if (k == NULL) {
		rc = ACS_E_CRYPTO;
		goto out;
	}
	x = new_cert(k, san, err);
	if (x == NULL) {
		rc = ACS_E_CRYPTO;
		goto out;
	}
	gens = sk_GENERAL_NAME_new_null();
	if (gens == NULL || push_san(gens, san, ip) < 0 ||
	    (opts->extra_san != NULL && push_san(gens, opts->extra_san, 0) < 0) ||
	    X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND) != 1) {
		rc = acs_err_openssl(err, "tls-alpn-01 certificate: cannot add the SAN");
		goto out;
	}
	if (digest != NULL) {
		/* extnValue = DER of Authorization ::= OCTET STRING (SIZE (32)) */
		der[0] = 0x04;
		der[1] = 0x20;
		memcpy(der + 2, digest, 32);
		oid = OBJ_txt2obj(ACME_IDENTIFIER_OID, 1);
		os = ASN1_OCTET_STRING_new();
		if (oid == NULL || os == NULL || ASN1_OCTET_STRING_set(os, der, sizeof(der)) != 1) {
			rc = acs_err_openssl(err, "tls-alpn-01 certificate: cannot encode "
			                          "acmeIdentifier");
			goto out;
		}
		ext = X509_EXTENSION_create_by_OBJ(NULL, oid, opts->critical ? 1 : 0, os);
		if (ext == NULL || X509_add_ext(x, ext, -1) != 1) {
			rc = acs_err_openssl(err, "tls-alpn-01 certificate: cannot add "
			                          "acmeIdentifier");
			goto out;
		}
	}
	if (X509_sign(x, k, EVP_sha256()) <= 0) {
		rc = acs_err_openssl(err, "tls-alpn-01 certificate: cannot sign");
		goto out;
	}
	*cert = x;
	*pkey = k;
	x = NULL;
	k = NULL;
	rc = 0;
out:
	X509_EXTENSION_free(ext);
	ASN1_OCTET_STRING_free(os);
	ASN1_OBJECT_free(oid);
	GENERAL_NAMES_free(gens);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

/* Add an extension given in openssl.cnf syntax ("critical,CA:FALSE"). */
static int add_conf_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/* The BIO's content as a new NUL-terminated string, or NULL. */
static char *bio_string(BIO *b)
{
	char *data = NULL, *s;
	long n = BIO_get_mem_data(b, &data);

	if (n < 0 || data == NULL)
		return NULL;
	s = malloc((size_t)n + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, data, (size_t)n);
	s[n] = '\0';
	return s;
}

int acs_selfsigned_make(const char *const *names, size_t nnames, char **cert_pem, char **key_pem,
                        struct acs_err *err)
{
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	GENERAL_NAMES *gens = NULL;
	BIO *cb = NULL, *kb = NULL;
	char *c = NULL, *kp = NULL;
	size_t i;
	int rc;

	if (names == NULL || nnames == 0 || cert_pem == NULL || key_pem == NULL)
		return acs_err_set(err, ACS_E_INVAL, "self-signed certificate: no names given");
	for (i = 0; i < nnames; i++) {
		if (names[i] == NULL || names[i][0] == '\0' || strlen(names[i]) > 253)
			return acs_err_set(err, ACS_E_INVAL,
			                   "self-signed certificate: name %zu is empty or too long",
			                   i);
	}
	k = new_key(err);
	if (k == NULL) {
		rc = ACS_E_CRYPTO;
		goto out;
	}
	x = new_cert(k, names[0], err);
	if (x == NULL) {
		rc = ACS_E_CRYPTO;
		goto out;
	}
	gens = sk_GENERAL_NAME_new_null();
	if (gens == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "self-signed certificate: out of memory");
		goto out;
	}
	for (i = 0; i < nnames; i++) {
		if (push_san(gens, names[i], is_ip_literal(names[i])) < 0) {
			rc = acs_err_openssl(err, "self-signed certificate: cannot add the SAN");
			goto out;
		}
	}
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_APPEND) != 1 ||
	    add_conf_ext(x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_conf_ext(x, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_conf_ext(x, NID_ext_key_usage, "serverAuth") < 0 ||
	    add_conf_ext(x, NID_subject_key_identifier, "hash") < 0) {
		rc = acs_err_openssl(err, "self-signed certificate: cannot add extensions");
		goto out;
	}
	if (X509_sign(x, k, EVP_sha256()) <= 0) {
		rc = acs_err_openssl(err, "self-signed certificate: cannot sign");
		goto out;
	}
	cb = BIO_new(BIO_s_mem());
	kb = BIO_new(BIO_s_mem());
	if (cb == NULL || kb == NULL || PEM_write_bio_X509(cb, x) != 1 ||
	    PEM_write_bio_PrivateKey(kb, k, NULL, NULL, 0, NULL, NULL) != 1) {
		rc = acs_err_openssl(err, "self-signed certificate: cannot write PEM");
		goto out;
	}
	c = bio_string(cb);
	kp = bio_string(kb);
	if (c == NULL || kp == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "self-signed certificate: out of memory");
		goto out;
	}
	*cert_pem = c;
	*key_pem = kp;
	c = NULL;
	kp = NULL;
	rc = 0;
out:
	if (kp != NULL)
		OPENSSL_cleanse(kp, strlen(kp));
	free(c);
	free(kp);
	BIO_free(cb);
	BIO_free(kb);
	GENERAL_NAMES_free(gens);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}

int acs_x509_gen_ari_test(const unsigned char *serial, size_t serial_len, const unsigned char *aki,
                          size_t aki_len, X509 **out, struct acs_err *err)
{
	EVP_PKEY *k = NULL;
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	AUTHORITY_KEYID *akid = NULL;
	int rc = ACS_E_CRYPTO;

	if (serial == NULL || serial_len == 0 || aki == NULL || aki_len == 0 || out == NULL)
		return acs_err_set(err, ACS_E_INVAL, "ARI test certificate: no serial or AKI");
	k = new_key(err);
	x = k != NULL ? new_cert(k, "acmespec ARI test", err) : NULL;
	if (x == NULL)
		goto out;
	bn = BN_bin2bn(serial, (int)serial_len, NULL);
	akid = AUTHORITY_KEYID_new();
	if (bn == NULL || akid == NULL || BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL)
		goto fail;
	akid->keyid = ASN1_OCTET_STRING_new();
	if (akid->keyid == NULL || ASN1_OCTET_STRING_set(akid->keyid, aki, (int)aki_len) != 1 ||
	    X509_add1_ext_i2d(x, NID_authority_key_identifier, akid, 0, X509V3_ADD_APPEND) != 1 ||
	    X509_sign(x, k, EVP_sha256()) <= 0)
		goto fail;
	*out = x;
	x = NULL;
	rc = 0;
	goto out;
fail:
	acs_err_openssl(err, "ARI test certificate: cannot build it");
out:
	AUTHORITY_KEYID_free(akid);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(k);
	return rc;
}
