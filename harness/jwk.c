/*
 * Keys, JWKs (RFC 7517, RFC 7518 section 6, RFC 8037), RFC 7638 thumbprints
 * and ACME key authorizations, on OpenSSL 3's EVP and OSSL_PARAM interfaces.
 */
#include "harness/jwk.h"
#include "harness/b64url.h"
#include "harness/buf.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum key_kind { KIND_RSA = 1, KIND_EC, KIND_ED25519 };

struct acs_key {
	EVP_PKEY *pkey;
	enum key_kind kind;
	const char *crv;  /* "P-256", "P-384", "P-521" for EC, "Ed25519" for OKP */
	size_t coord_len; /* EC field size in octets */
	const char *alg;
};

/* The RSA moduli we refuse to go above, so hostile JWKs cannot cost minutes. */
#define JWK_RSA_MAX_BITS 16384
/* Safety net for acs_key_generate_leading_zero: 1 in 256 keys qualifies. */
#define LEADING_ZERO_MAX_TRIES 100000

int acs_key_type_parse(const char *name, enum acs_key_type *out)
{
	static const struct {
		const char *name;
		enum acs_key_type type;
	} names[] = {
	    {"rsa2048", ACS_KEY_RSA2048}, {"rsa3072", ACS_KEY_RSA3072},
	    {"rsa4096", ACS_KEY_RSA4096}, {"rsa1024", ACS_KEY_RSA1024},
	    {"ec256", ACS_KEY_EC256},     {"p256", ACS_KEY_EC256},
	    {"es256", ACS_KEY_EC256},     {"ec384", ACS_KEY_EC384},
	    {"p384", ACS_KEY_EC384},      {"es384", ACS_KEY_EC384},
	    {"ed25519", ACS_KEY_ED25519}, {"eddsa", ACS_KEY_ED25519},
	};
	size_t i;

	if (name == NULL)
		return ACS_E_INVAL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcasecmp(name, names[i].name) == 0) {
			*out = names[i].type;
			return 0;
		}
	}
	return ACS_E_INVAL;
}

/* Fill the kind/curve/alg fields from key->pkey; ACS_E_UNSUPPORTED otherwise. */
static int key_classify(struct acs_key *key, struct acs_err *err)
{
	char group[64];
	size_t glen = 0;
	int id = EVP_PKEY_get_base_id(key->pkey);
	int nid;

	switch (id) {
	case EVP_PKEY_RSA:
		key->kind = KIND_RSA;
		key->alg = "RS256";
		return 0;
	case EVP_PKEY_ED25519:
		key->kind = KIND_ED25519;
		key->crv = "Ed25519";
		key->alg = "EdDSA";
		return 0;
	case EVP_PKEY_EC:
		break;
	default:
		return acs_err_set(err, ACS_E_UNSUPPORTED, "unsupported key type %s",
		                   OBJ_nid2sn(id) ? OBJ_nid2sn(id) : "unknown");
	}
	if (EVP_PKEY_get_group_name(key->pkey, group, sizeof(group), &glen) != 1) {
		ERR_clear_error();
		return acs_err_set(err, ACS_E_UNSUPPORTED, "ec key without a named curve");
	}
	nid = OBJ_txt2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	key->kind = KIND_EC;
	if (nid == NID_X9_62_prime256v1) {
		key->crv = "P-256";
		key->coord_len = 32;
		key->alg = "ES256";
	} else if (nid == NID_secp384r1) {
		key->crv = "P-384";
		key->coord_len = 48;
		key->alg = "ES384";
	} else if (nid == NID_secp521r1) {
		key->crv = "P-521";
		key->coord_len = 66;
		key->alg = "ES512";
	} else {
		return acs_err_set(err, ACS_E_UNSUPPORTED, "unsupported ec curve %s", group);
	}
	return 0;
}

/* Take ownership of pkey (freed on failure) and wrap it. */
static int key_wrap(struct acs_key **out, EVP_PKEY *pkey, struct acs_err *err)
{
	struct acs_key *key = NULL;
	int rc;

	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		EVP_PKEY_free(pkey);
		return acs_err_set(err, ACS_E_NOMEM, "key: out of memory");
	}
	key->pkey = pkey;
	rc = key_classify(key, err);
	if (rc != 0) {
		acs_key_free(key);
		return rc;
	}
	*out = key;
	return 0;
}

int acs_key_generate(struct acs_key **out, enum acs_key_type type, struct acs_err *err)
{
	EVP_PKEY *pkey = NULL;

	switch (type) {
	case ACS_KEY_RSA1024:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		break;
	case ACS_KEY_RSA2048:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
		break;
	case ACS_KEY_RSA3072:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072);
		break;
	case ACS_KEY_RSA4096:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)4096);
		break;
	case ACS_KEY_EC256:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		break;
	case ACS_KEY_EC384:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
		break;
	case ACS_KEY_ED25519:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
		break;
	default:
		return acs_err_set(err, ACS_E_INVAL, "unknown key type %d", (int)type);
	}
	if (pkey == NULL)
		return acs_err_openssl(err, "key generation failed");
	return key_wrap(out, pkey, err);
}

int acs_key_generate_leading_zero(struct acs_key **out, char which, struct acs_err *err)
{
	const char *param = which == 'y' ? OSSL_PKEY_PARAM_EC_PUB_Y : OSSL_PKEY_PARAM_EC_PUB_X;
	BIGNUM *coord = NULL;
	EVP_PKEY *pkey = NULL;
	int tries, rc;

	if (which != 'x' && which != 'y')
		return acs_err_set(err, ACS_E_INVAL, "leading zero key: coordinate must be x or y");
	for (tries = 0; tries < LEADING_ZERO_MAX_TRIES; tries++) {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		if (pkey == NULL)
			return acs_err_openssl(err, "key generation failed");
		if (EVP_PKEY_get_bn_param(pkey, param, &coord) != 1) {
			EVP_PKEY_free(pkey);
			return acs_err_openssl(err, "cannot read ec public coordinate");
		}
		rc = BN_num_bytes(coord) < 32;
		BN_free(coord);
		coord = NULL;
		if (rc)
			return key_wrap(out, pkey, err);
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	return acs_err_set(err, ACS_E_CRYPTO, "no key with a leading zero %c after %d tries", which,
	                   tries);
}

int acs_key_from_evp(struct acs_key **out, EVP_PKEY *pkey, struct acs_err *err)
{
	if (pkey == NULL)
		return acs_err_set(err, ACS_E_INVAL, "key: no EVP_PKEY given");
	if (EVP_PKEY_up_ref(pkey) != 1)
		return acs_err_openssl(err, "key: cannot take a reference");
	return key_wrap(out, pkey, err);
}

/* Refuse every pass phrase: a library must never prompt on the terminal. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

int acs_key_from_pem(struct acs_key **out, const char *pem, size_t len, struct acs_err *err)
{
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;

	if (pem == NULL || len > INT_MAX)
		return acs_err_set(err, ACS_E_INVAL, "key: no pem text");
	bio = BIO_new_mem_buf(pem, (int)len);
	if (bio == NULL)
		return acs_err_openssl(err, "key: cannot make a memory bio");
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	if (pkey == NULL) {
		ERR_clear_error();
		return acs_err_set(err, ACS_E_PARSE,
		                   "key: no pem private key found (or it is encrypted)");
	}
	return key_wrap(out, pkey, err);
}

char *acs_key_to_pem(const struct acs_key *key)
{
	BIO *bio = NULL;
	char *out = NULL;
	char *data;
	long n;

	if (key == NULL)
		return NULL;
	bio = BIO_new(BIO_s_mem());
	if (bio == NULL)
		return NULL;
	if (PEM_write_bio_PKCS8PrivateKey(bio, key->pkey, NULL, NULL, 0, NULL, NULL) != 1) {
		ERR_clear_error();
		goto out;
	}
	n = BIO_get_mem_data(bio, &data);
	if (n < 0)
		goto out;
	out = malloc((size_t)n + 1);
	if (out == NULL)
		goto out;
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
out:
	BIO_free(bio);
	return out;
}

void acs_key_free(struct acs_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	free(key);
}

EVP_PKEY *acs_key_evp(const struct acs_key *key)
{
	return key ? key->pkey : NULL;
}

const char *acs_key_alg(const struct acs_key *key)
{
	return key ? key->alg : NULL;
}

int acs_key_equal(const struct acs_key *a, const struct acs_key *b)
{
	int rc;

	if (a == NULL || b == NULL)
		return 0;
	rc = EVP_PKEY_eq(a->pkey, b->pkey);
	ERR_clear_error();
	return rc == 1;
}

/* Set member name of obj to base64url(data); 0 or -1. */
static int json_set_b64(json_t *obj, const char *name, const unsigned char *data, size_t len)
{
	char *s = acs_b64url_encode(data, len);
	int rc;

	if (s == NULL)
		return -1;
	rc = json_object_set_new(obj, name, json_string(s));
	free(s);
	return rc;
}

/* Set member name to the big-endian bytes of bn, padded to pad octets (0: minimal). */
static int json_set_bn(json_t *obj, const char *name, const BIGNUM *bn, size_t pad)
{
	unsigned char *bytes = NULL;
	size_t n = pad ? pad : (size_t)BN_num_bytes(bn);
	int rc = -1;

	if (n == 0)
		n = 1; /* zero is "AA" (RFC 7518 section 2, Base64urlUInt) */
	bytes = malloc(n);
	if (bytes == NULL)
		return -1;
	if (BN_bn2binpad(bn, bytes, (int)n) < 0)
		goto out;
	rc = json_set_b64(obj, name, bytes, n);
out:
	free(bytes);
	return rc;
}

json_t *acs_jwk_public(const struct acs_key *key)
{
	json_t *jwk = NULL;
	BIGNUM *a = NULL, *b = NULL;
	unsigned char raw[64];
	size_t rawlen = sizeof(raw);
	int ok = 0;

	if (key == NULL)
		return NULL;
	jwk = json_object();
	if (jwk == NULL)
		return NULL;
	/* members inserted in lexicographic order, the order RFC 7638 uses */
	switch (key->kind) {
	case KIND_RSA:
		if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_N, &a) != 1 ||
		    EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_RSA_E, &b) != 1)
			goto out;
		if (json_set_bn(jwk, "e", b, 0) != 0 ||
		    json_object_set_new(jwk, "kty", json_string("RSA")) != 0 ||
		    json_set_bn(jwk, "n", a, 0) != 0)
			goto out;
		break;
	case KIND_EC:
		if (EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_X, &a) != 1 ||
		    EVP_PKEY_get_bn_param(key->pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &b) != 1)
			goto out;
		/* fixed-length coordinates: leading zero octets are kept (RFC 7518 6.2.1.2) */
		if (json_object_set_new(jwk, "crv", json_string(key->crv)) != 0 ||
		    json_object_set_new(jwk, "kty", json_string("EC")) != 0 ||
		    json_set_bn(jwk, "x", a, key->coord_len) != 0 ||
		    json_set_bn(jwk, "y", b, key->coord_len) != 0)
			goto out;
		break;
	case KIND_ED25519:
		if (EVP_PKEY_get_raw_public_key(key->pkey, raw, &rawlen) != 1)
			goto out;
		if (json_object_set_new(jwk, "crv", json_string("Ed25519")) != 0 ||
		    json_object_set_new(jwk, "kty", json_string("OKP")) != 0 ||
		    json_set_b64(jwk, "x", raw, rawlen) != 0)
			goto out;
		break;
	}
	ok = 1;
out:
	BN_free(a);
	BN_free(b);
	if (!ok) {
		ERR_clear_error();
		json_decref(jwk);
		return NULL;
	}
	return jwk;
}

/*
 * Decode the base64url member name of jwk; required. On success *out is
 * owned by the caller.
 */
static int jwk_member_bytes(const json_t *jwk, const char *name, unsigned char **out,
                            size_t *outlen, struct acs_err *err)
{
	const json_t *v = json_object_get(jwk, name);
	struct acs_err sub;
	const char *s;
	size_t len;
	int rc;

	if (v == NULL)
		return acs_err_set(err, ACS_E_PARSE, "jwk: member \"%s\" is missing", name);
	if (!json_is_string(v))
		return acs_err_set(err, ACS_E_PARSE, "jwk: member \"%s\" is not a string", name);
	s = json_string_value(v);
	len = json_string_length(v);
	if (len == 0)
		return acs_err_set(err, ACS_E_PARSE, "jwk: member \"%s\" is empty", name);
	rc = acs_b64url_decode(s, len, out, outlen, &sub);
	if (rc != 0)
		return acs_err_set(err, ACS_E_PARSE, "jwk: member \"%s\" is not base64url (%s)",
		                   name, sub.msg);
	return 0;
}

/* Fetch a required string member; borrowed. */
static int jwk_member_str(const json_t *jwk, const char *name, const char **out,
                          struct acs_err *err)
{
	const json_t *v = json_object_get(jwk, name);

	if (v == NULL)
		return acs_err_set(err, ACS_E_PARSE, "jwk: member \"%s\" is missing", name);
	if (!json_is_string(v))
		return acs_err_set(err, ACS_E_PARSE, "jwk: member \"%s\" is not a string", name);
	*out = json_string_value(v);
	return 0;
}

/* Refuse any of the given private members. */
static int jwk_no_private(const json_t *jwk, const char *const *names, size_t n,
                          struct acs_err *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (json_object_get(jwk, names[i]) != NULL)
			return acs_err_set(err, ACS_E_INVAL,
			                   "jwk: private member \"%s\" in a public key", names[i]);
	}
	return 0;
}

/* Build a public key from OSSL_PARAMs; new EVP_PKEY in *out. */
static int pkey_fromdata(const char *type, OSSL_PARAM *params, EVP_PKEY **out, struct acs_err *err)
{
	EVP_PKEY_CTX *ctx = NULL;
	int rc = 0;

	ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	if (ctx == NULL) {
		rc = acs_err_openssl(err, "jwk: cannot make a key context");
		goto out;
	}
	if (EVP_PKEY_fromdata_init(ctx) != 1 ||
	    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		ERR_clear_error();
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: %s public key rejected by openssl", type);
		goto out;
	}
out:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* Run OpenSSL's public key validation (point on curve, RSA sanity). */
static int pkey_public_check(EVP_PKEY *pkey, const char *what, struct acs_err *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	int ok;

	if (ctx == NULL)
		return acs_err_openssl(err, "jwk: cannot make a key context");
	ok = EVP_PKEY_public_check(ctx);
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	if (ok != 1)
		return acs_err_set(err, ACS_E_INVAL, "jwk: %s", what);
	return 0;
}

static int jwk_import_rsa(const json_t *jwk, int allow_weak, EVP_PKEY **out, struct acs_err *err)
{
	static const char *const priv[] = {"d", "p", "q", "dp", "dq", "qi", "oth"};
	unsigned char *n = NULL, *e = NULL;
	size_t nlen = 0, elen = 0;
	BIGNUM *bn_n = NULL, *bn_e = NULL;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	int bits, rc;

	rc = jwk_no_private(jwk, priv, sizeof(priv) / sizeof(priv[0]), err);
	if (rc != 0)
		goto out;
	rc = jwk_member_bytes(jwk, "n", &n, &nlen, err);
	if (rc != 0)
		goto out;
	rc = jwk_member_bytes(jwk, "e", &e, &elen, err);
	if (rc != 0)
		goto out;
	/* Base64urlUInt "MUST utilize the minimum number of octets" (RFC 7518 section 2) */
	if (nlen > 1 && n[0] == 0) {
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "jwk: member \"n\" has a leading zero octet (not minimal)");
		goto out;
	}
	if (elen > 1 && e[0] == 0) {
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "jwk: member \"e\" has a leading zero octet (not minimal)");
		goto out;
	}
	if (nlen > JWK_RSA_MAX_BITS / 8) {
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: rsa modulus of %zu octets is too large",
		                 nlen);
		goto out;
	}
	if (elen > 8) {
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: rsa exponent of %zu octets is too large",
		                 elen);
		goto out;
	}
	bn_n = BN_bin2bn(n, (int)nlen, NULL);
	bn_e = BN_bin2bn(e, (int)elen, NULL);
	if (bn_n == NULL || bn_e == NULL) {
		rc = acs_err_openssl(err, "jwk: cannot convert rsa numbers");
		goto out;
	}
	bits = BN_num_bits(bn_n);
	if (!BN_is_odd(bn_n)) {
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: rsa modulus is even");
		goto out;
	}
	if (!BN_is_odd(bn_e) || BN_is_one(bn_e)) {
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: rsa exponent must be odd and above 1");
		goto out;
	}
	if (BN_cmp(bn_e, bn_n) >= 0) {
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: rsa exponent is not below the modulus");
		goto out;
	}
	if (bits < 2048 && !allow_weak) {
		rc =
		    acs_err_set(err, ACS_E_INVAL,
		                "jwk: rsa modulus of %d bits is under the 2048 bits minimum", bits);
		goto out;
	}
	if (bits < 512) {
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: rsa modulus of %d bits is unusable", bits);
		goto out;
	}
	bld = OSSL_PARAM_BLD_new();
	if (bld == NULL || OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n) != 1 ||
	    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e) != 1) {
		rc = acs_err_openssl(err, "jwk: cannot build rsa parameters");
		goto out;
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (params == NULL) {
		rc = acs_err_openssl(err, "jwk: cannot build rsa parameters");
		goto out;
	}
	rc = pkey_fromdata("RSA", params, out, err);
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_free(bn_n);
	BN_free(bn_e);
	free(n);
	free(e);
	return rc;
}

static int jwk_import_ec(const json_t *jwk, EVP_PKEY **out, struct acs_err *err)
{
	static const char *const priv[] = {"d"};
	unsigned char *x = NULL, *y = NULL, *point = NULL;
	size_t xlen = 0, ylen = 0, clen;
	const char *crv = NULL, *group;
	OSSL_PARAM params[3];
	int rc;

	rc = jwk_no_private(jwk, priv, 1, err);
	if (rc != 0)
		goto out;
	rc = jwk_member_str(jwk, "crv", &crv, err);
	if (rc != 0)
		goto out;
	if (strcmp(crv, "P-256") == 0) {
		clen = 32;
		group = "P-256";
	} else if (strcmp(crv, "P-384") == 0) {
		clen = 48;
		group = "P-384";
	} else if (strcmp(crv, "P-521") == 0) {
		clen = 66;
		group = "P-521";
	} else {
		rc =
		    acs_err_set(err, ACS_E_UNSUPPORTED, "jwk: unsupported ec curve \"%.64s\"", crv);
		goto out;
	}
	rc = jwk_member_bytes(jwk, "x", &x, &xlen, err);
	if (rc != 0)
		goto out;
	rc = jwk_member_bytes(jwk, "y", &y, &ylen, err);
	if (rc != 0)
		goto out;
	/* RFC 7518 6.2.1.2: "MUST be the full size of a coordinate for the curve" */
	if (xlen != clen) {
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "jwk: member \"x\" is %zu octets, %s needs exactly %zu", xlen, crv,
		                 clen);
		goto out;
	}
	if (ylen != clen) {
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "jwk: member \"y\" is %zu octets, %s needs exactly %zu", ylen, crv,
		                 clen);
		goto out;
	}
	point = malloc(1 + 2 * clen);
	if (point == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "jwk: out of memory");
		goto out;
	}
	point[0] = 0x04; /* uncompressed point */
	memcpy(point + 1, x, clen);
	memcpy(point + 1 + clen, y, clen);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, (char *)group, 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, 1 + 2 * clen);
	params[2] = OSSL_PARAM_construct_end();
	rc = pkey_fromdata("EC", params, out, err);
	if (rc != 0) {
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: point (x, y) is not on curve %s", crv);
		goto out;
	}
	rc = pkey_public_check(*out, "ec point is not a valid public key", err);
	if (rc != 0) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
out:
	free(x);
	free(y);
	free(point);
	return rc;
}

static int jwk_import_okp(const json_t *jwk, EVP_PKEY **out, struct acs_err *err)
{
	static const char *const priv[] = {"d"};
	unsigned char *x = NULL;
	size_t xlen = 0;
	const char *crv = NULL;
	int rc;

	rc = jwk_no_private(jwk, priv, 1, err);
	if (rc != 0)
		goto out;
	rc = jwk_member_str(jwk, "crv", &crv, err);
	if (rc != 0)
		goto out;
	if (strcmp(crv, "Ed25519") != 0) {
		rc = acs_err_set(err, ACS_E_UNSUPPORTED, "jwk: unsupported okp curve \"%.64s\"",
		                 crv);
		goto out;
	}
	rc = jwk_member_bytes(jwk, "x", &x, &xlen, err);
	if (rc != 0)
		goto out;
	if (xlen != 32) {
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "jwk: member \"x\" is %zu octets, Ed25519 needs exactly 32", xlen);
		goto out;
	}
	*out = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, x, xlen);
	if (*out == NULL) {
		ERR_clear_error();
		rc = acs_err_set(err, ACS_E_INVAL, "jwk: Ed25519 public key rejected by openssl");
		goto out;
	}
out:
	free(x);
	return rc;
}

int acs_jwk_import(const json_t *jwk, int allow_weak, struct acs_key **out, struct acs_err *err)
{
	EVP_PKEY *pkey = NULL;
	const char *kty = NULL;
	int rc;

	if (!json_is_object(jwk))
		return acs_err_set(err, ACS_E_PARSE, "jwk: not a json object");
	rc = jwk_member_str(jwk, "kty", &kty, err);
	if (rc != 0)
		return rc;
	if (strcmp(kty, "RSA") == 0)
		rc = jwk_import_rsa(jwk, allow_weak, &pkey, err);
	else if (strcmp(kty, "EC") == 0)
		rc = jwk_import_ec(jwk, &pkey, err);
	else if (strcmp(kty, "OKP") == 0)
		rc = jwk_import_okp(jwk, &pkey, err);
	else
		rc = acs_err_set(err, ACS_E_UNSUPPORTED, "jwk: unsupported kty \"%.64s\"", kty);
	if (rc != 0)
		return rc;
	return key_wrap(out, pkey, err);
}

/* SHA-256 of len bytes, base64url; new string or NULL. */
static char *sha256_b64(const void *data, size_t len)
{
	unsigned char md[32];
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1) {
		ERR_clear_error();
		return NULL;
	}
	return acs_b64url_encode(md, mdlen);
}

char *acs_jwk_thumbprint(const json_t *jwk, struct acs_err *err)
{
	static const char *const rsa[] = {"e", "kty", "n", NULL};
	static const char *const ec[] = {"crv", "kty", "x", "y", NULL};
	static const char *const okp[] = {"crv", "kty", "x", NULL};
	const char *const *members;
	const char *kty = NULL;
	json_t *req = NULL;
	char *text = NULL, *out = NULL;
	size_t i;

	if (!json_is_object(jwk)) {
		acs_err_set(err, ACS_E_PARSE, "jwk thumbprint: not a json object");
		return NULL;
	}
	if (jwk_member_str(jwk, "kty", &kty, err) != 0)
		return NULL;
	if (strcmp(kty, "RSA") == 0) {
		members = rsa;
	} else if (strcmp(kty, "EC") == 0) {
		members = ec;
	} else if (strcmp(kty, "OKP") == 0) {
		members = okp;
	} else {
		acs_err_set(err, ACS_E_UNSUPPORTED, "jwk thumbprint: unsupported kty \"%.64s\"",
		            kty);
		return NULL;
	}
	req = json_object();
	if (req == NULL)
		goto nomem;
	for (i = 0; members[i] != NULL; i++) {
		const char *v = NULL;

		if (jwk_member_str(jwk, members[i], &v, err) != 0)
			goto out;
		if (json_object_set(req, members[i], json_object_get(jwk, members[i])) != 0)
			goto nomem;
	}
	/* RFC 7638 section 3: sorted member names, no white space */
	text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		goto nomem;
	out = sha256_b64(text, strlen(text));
	if (out == NULL)
		goto nomem;
	goto out;
nomem:
	acs_err_set(err, ACS_E_NOMEM, "jwk thumbprint: out of memory");
out:
	free(text);
	json_decref(req);
	return out;
}

char *acs_key_thumbprint(const struct acs_key *key, struct acs_err *err)
{
	json_t *jwk = acs_jwk_public(key);
	char *out;

	if (jwk == NULL) {
		acs_err_set(err, ACS_E_CRYPTO, "cannot export the public jwk");
		return NULL;
	}
	out = acs_jwk_thumbprint(jwk, err);
	json_decref(jwk);
	return out;
}

char *acs_keyauth(const char *token, const struct acs_key *key, struct acs_err *err)
{
	struct acs_buf b;
	char *tp = NULL;
	char *out = NULL;

	if (token == NULL) {
		acs_err_set(err, ACS_E_INVAL, "key authorization: no token");
		return NULL;
	}
	tp = acs_key_thumbprint(key, err);
	if (tp == NULL)
		return NULL;
	acs_buf_init(&b, 0);
	if (acs_buf_printf(&b, "%s.%s", token, tp) != 0) {
		acs_err_set(err, ACS_E_NOMEM, "key authorization: out of memory");
		acs_buf_free(&b);
		goto out;
	}
	out = acs_buf_steal(&b);
out:
	free(tp);
	return out;
}

char *acs_keyauth_digest_b64(const char *keyauth)
{
	if (keyauth == NULL)
		return NULL;
	return sha256_b64(keyauth, strlen(keyauth));
}

void acs_keyauth_digest(const char *keyauth, unsigned char out[32])
{
	unsigned int mdlen = 0;

	if (keyauth == NULL ||
	    EVP_Digest(keyauth, strlen(keyauth), out, &mdlen, EVP_sha256(), NULL) != 1) {
		ERR_clear_error();
		memset(out, 0, 32);
	}
}
