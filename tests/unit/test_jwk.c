/*
 * Keys and JWKs: generation per type, JWK export/import round trips, every
 * import refusal, RFC 7638 thumbprints (with the RFC's own example), keys
 * with a leading zero coordinate, PEM, and key authorizations.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "harness/b64url.h"
#include "harness/jwk.h"

/* RFC 7638 section 3.1 */
static const char *rfc7638_jwk =
    "{\"kty\":\"RSA\","
    "\"n\":\"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFx"
    "uhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4"
    "QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD"
    "08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8a"
    "wapJzKnqDKgw\","
    "\"e\":\"AQAB\",\"alg\":\"RS256\",\"kid\":\"2011-04-29\"}";
static const char *rfc7638_thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

/* Keys generated once for the suite: one per type, RSA being slow. */
static struct acs_key *keys[4];
static const enum acs_key_type key_types[4] = {ACS_KEY_RSA2048, ACS_KEY_EC256, ACS_KEY_EC384,
                                               ACS_KEY_ED25519};

static int suite_init(void)
{
	size_t i;

	for (i = 0; i < 4; i++) {
		if (acs_key_generate(&keys[i], key_types[i], NULL) != 0)
			return 1;
	}
	return 0;
}

static int suite_clean(void)
{
	size_t i;

	for (i = 0; i < 4; i++) {
		acs_key_free(keys[i]);
		keys[i] = NULL;
	}
	return 0;
}

static void test_type_parse(void)
{
	static const struct {
		const char *name;
		enum acs_key_type type;
	} ok[] = {
	    {"rsa2048", ACS_KEY_RSA2048}, {"rsa3072", ACS_KEY_RSA3072},
	    {"rsa4096", ACS_KEY_RSA4096}, {"rsa1024", ACS_KEY_RSA1024},
	    {"ec256", ACS_KEY_EC256},     {"p256", ACS_KEY_EC256},
	    {"es256", ACS_KEY_EC256},     {"ec384", ACS_KEY_EC384},
	    {"p384", ACS_KEY_EC384},      {"es384", ACS_KEY_EC384},
	    {"ed25519", ACS_KEY_ED25519}, {"eddsa", ACS_KEY_ED25519},
	};
	enum acs_key_type t = ACS_KEY_RSA4096;
	size_t i;

	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		CU_ASSERT_EQUAL(acs_key_type_parse(ok[i].name, &t), 0);
		CU_ASSERT_EQUAL(t, ok[i].type);
	}
	t = ACS_KEY_RSA4096;
	CU_ASSERT_EQUAL(acs_key_type_parse("ec521", &t), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_key_type_parse("", &t), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_key_type_parse(NULL, &t), ACS_E_INVAL);
	CU_ASSERT_EQUAL(t, ACS_KEY_RSA4096);
}

static void test_alg_and_jwk_members(void)
{
	static const char *algs[4] = {"RS256", "ES256", "ES384", "EdDSA"};
	static const char *members[4] = {"e,kty,n", "crv,kty,x,y", "crv,kty,x,y", "crv,kty,x"};
	size_t i;

	for (i = 0; i < 4; i++) {
		json_t *jwk = acs_jwk_public(keys[i]);
		char names[64] = "";
		const char *k;
		json_t *v;

		CU_ASSERT_STRING_EQUAL(acs_key_alg(keys[i]), algs[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(jwk);
		json_object_foreach(jwk, k, v)
		{
			if (names[0] != '\0')
				strncat(names, ",", sizeof(names) - strlen(names) - 1);
			strncat(names, k, sizeof(names) - strlen(names) - 1);
			CU_ASSERT(json_is_string(v));
		}
		CU_ASSERT_STRING_EQUAL(names, members[i]);
		CU_ASSERT_PTR_NULL(json_object_get(jwk, "d")); /* public only */
		json_decref(jwk);
	}
	{
		json_t *jwk = acs_jwk_public(keys[1]);

		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(jwk, "crv")), "P-256");
		CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(jwk, "x"))), 43);
		json_decref(jwk);
		jwk = acs_jwk_public(keys[2]);
		CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(jwk, "crv")), "P-384");
		CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(jwk, "y"))), 64);
		json_decref(jwk);
	}
	CU_ASSERT_PTR_NULL(acs_jwk_public(NULL));
	CU_ASSERT_PTR_NULL(acs_key_alg(NULL));
}

static void test_import_round_trip(void)
{
	size_t i;

	for (i = 0; i < 4; i++) {
		json_t *jwk = acs_jwk_public(keys[i]);
		struct acs_key *imp = NULL;
		struct acs_err err;
		char *t1, *t2;

		CU_ASSERT_EQUAL_FATAL(acs_jwk_import(jwk, 0, &imp, &err), 0);
		CU_ASSERT(acs_key_equal(imp, keys[i]));
		CU_ASSERT(!acs_key_equal(imp, keys[(i + 1) % 4]));
		CU_ASSERT_STRING_EQUAL(acs_key_alg(imp), acs_key_alg(keys[i]));
		t1 = acs_key_thumbprint(keys[i], &err);
		t2 = acs_jwk_thumbprint(jwk, &err);
		CU_ASSERT_PTR_NOT_NULL(t1);
		CU_ASSERT(t1 != NULL && t2 != NULL && strcmp(t1, t2) == 0);
		CU_ASSERT(t1 != NULL && strlen(t1) == 43);
		/* a public-only key has no PKCS#8 form */
		CU_ASSERT_PTR_NULL(acs_key_to_pem(imp));
		free(t1);
		free(t2);
		acs_key_free(imp);
		json_decref(jwk);
	}
	CU_ASSERT(!acs_key_equal(NULL, keys[0]));
}

static void test_p521_import(void)
{
	EVP_PKEY *p = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	struct acs_key *k = NULL, *imp = NULL;
	json_t *jwk;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL_FATAL(acs_key_from_evp(&k, p, NULL), 0);
	EVP_PKEY_free(p); /* k holds its own reference */
	CU_ASSERT_STRING_EQUAL(acs_key_alg(k), "ES512");
	jwk = acs_jwk_public(k);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(jwk, "crv")), "P-521");
	CU_ASSERT_EQUAL(strlen(json_string_value(json_object_get(jwk, "x"))), 88); /* 66 octets */
	CU_ASSERT_EQUAL(acs_jwk_import(jwk, 0, &imp, NULL), 0);
	CU_ASSERT(acs_key_equal(k, imp));
	json_decref(jwk);
	acs_key_free(imp);
	acs_key_free(k);
}

static void test_rfc7638_example(void)
{
	json_t *jwk = json_loads(rfc7638_jwk, 0, NULL);
	struct acs_key *k = NULL;
	struct acs_err err;
	char *tp, *tp2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(jwk);
	tp = acs_jwk_thumbprint(jwk, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tp);
	CU_ASSERT_STRING_EQUAL(tp, rfc7638_thumbprint);
	/* the same key imported and exported again gives the same thumbprint */
	CU_ASSERT_EQUAL_FATAL(acs_jwk_import(jwk, 0, &k, &err), 0);
	tp2 = acs_key_thumbprint(k, &err);
	CU_ASSERT_STRING_EQUAL(tp2, rfc7638_thumbprint);
	free(tp);
	free(tp2);
	acs_key_free(k);
	json_decref(jwk);
}

static void test_thumbprint_errors(void)
{
	struct acs_err err;
	json_t *j;

	j = json_string("x");
	CU_ASSERT_PTR_NULL(acs_jwk_thumbprint(j, &err));
	CU_ASSERT_EQUAL(err.code, ACS_E_PARSE);
	json_decref(j);
	j = json_pack("{s:s,s:s}", "kty", "EC", "crv", "P-256");
	CU_ASSERT_PTR_NULL(acs_jwk_thumbprint(j, &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "member \"x\" is missing"));
	json_decref(j);
	j = json_pack("{s:s}", "kty", "oct");
	CU_ASSERT_PTR_NULL(acs_jwk_thumbprint(j, &err));
	CU_ASSERT_EQUAL(err.code, ACS_E_UNSUPPORTED);
	json_decref(j);
	/* optional members do not change the thumbprint */
	j = json_pack("{s:s,s:s,s:s}", "kty", "OKP", "crv", "Ed25519", "x",
	              "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
	{
		char *a = acs_jwk_thumbprint(j, NULL), *b;

		json_object_set_new(j, "use", json_string("sig"));
		b = acs_jwk_thumbprint(j, NULL);
		CU_ASSERT(a != NULL && b != NULL && strcmp(a, b) == 0);
		/* RFC 8037 appendix A.3 */
		CU_ASSERT_STRING_EQUAL(a, "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
		free(a);
		free(b);
	}
	json_decref(j);
}

/* The coordinate which ('x' or 'y') of a fresh leading-zero key. */
static void check_leading_zero(char which)
{
	const char name[2] = {which, '\0'};
	struct acs_key *k = NULL, *imp = NULL;
	unsigned char *raw = NULL;
	size_t rawlen = 0;
	json_t *jwk, *req;
	char *tp, *tp_manual, *text;
	const char *coord;

	CU_ASSERT_EQUAL_FATAL(acs_key_generate_leading_zero(&k, which, NULL), 0);
	jwk = acs_jwk_public(k);
	coord = json_string_value(json_object_get(jwk, name));
	CU_ASSERT_PTR_NOT_NULL_FATAL(coord);
	/* RFC 7518 6.2.1.2: full 32 octets, the zero octet kept */
	CU_ASSERT_EQUAL(strlen(coord), 43);
	CU_ASSERT_EQUAL(acs_b64url_decode(coord, strlen(coord), &raw, &rawlen, NULL), 0);
	CU_ASSERT_EQUAL(rawlen, 32);
	CU_ASSERT(raw != NULL && raw[0] == 0);
	/* the thumbprint is over the padded form, built here by hand */
	req = json_pack("{s:O,s:s,s:O,s:O}", "crv", json_object_get(jwk, "crv"), "kty", "EC", "x",
	                json_object_get(jwk, "x"), "y", json_object_get(jwk, "y"));
	text = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
	CU_ASSERT(strncmp(text, "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"", 31) == 0);
	{
		unsigned char md[32];
		unsigned int mdlen = 0;

		EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL);
		tp_manual = acs_b64url_encode(md, mdlen);
	}
	tp = acs_key_thumbprint(k, NULL);
	CU_ASSERT(tp != NULL && strcmp(tp, tp_manual) == 0);
	/* and it imports back (the length check accepts the leading zero) */
	CU_ASSERT_EQUAL(acs_jwk_import(jwk, 0, &imp, NULL), 0);
	CU_ASSERT(acs_key_equal(k, imp));
	free(tp);
	free(tp_manual);
	free(text);
	free(raw);
	json_decref(req);
	json_decref(jwk);
	acs_key_free(imp);
	acs_key_free(k);
}

static void test_leading_zero(void)
{
	struct acs_key *k = NULL;

	check_leading_zero('x');
	check_leading_zero('y');
	CU_ASSERT_EQUAL(acs_key_generate_leading_zero(&k, 'z', NULL), ACS_E_INVAL);
	CU_ASSERT_PTR_NULL(k);
}

/* Import must fail with code and a message containing want. */
static void expect_import_fail(json_t *jwk, int allow_weak, int code, const char *want)
{
	struct acs_key *k = NULL;
	struct acs_err err;
	int rc;

	acs_err_clear(&err);
	rc = acs_jwk_import(jwk, allow_weak, &k, &err);
	CU_ASSERT_EQUAL(rc, code);
	CU_ASSERT_PTR_NULL(k);
	if (strstr(err.msg, want) == NULL)
		fprintf(stderr, "\n    got \"%s\", wanted \"%s\"\n", err.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	acs_key_free(k);
}

/* jwk of keys[idx] with member set to a string value (or removed when NULL). */
static json_t *jwk_with(size_t idx, const char *member, const char *value)
{
	json_t *jwk = acs_jwk_public(keys[idx]);

	if (value == NULL)
		json_object_del(jwk, member);
	else
		json_object_set_new(jwk, member, json_string(value));
	return jwk;
}

static void test_import_errors(void)
{
	json_t *j;
	char *s;
	unsigned char *raw = NULL;
	size_t rawlen = 0;

	j = json_array();
	expect_import_fail(j, 0, ACS_E_PARSE, "jwk: not a json object");
	json_decref(j);
	j = json_object();
	expect_import_fail(j, 0, ACS_E_PARSE, "jwk: member \"kty\" is missing");
	json_object_set_new(j, "kty", json_integer(1));
	expect_import_fail(j, 0, ACS_E_PARSE, "jwk: member \"kty\" is not a string");
	json_object_set_new(j, "kty", json_string("oct"));
	expect_import_fail(j, 0, ACS_E_UNSUPPORTED, "unsupported kty \"oct\"");
	json_decref(j);

	/* RSA */
	j = jwk_with(0, "n", NULL);
	expect_import_fail(j, 0, ACS_E_PARSE, "jwk: member \"n\" is missing");
	json_decref(j);
	j = jwk_with(0, "e", "AQAB=");
	expect_import_fail(j, 0, ACS_E_PARSE, "jwk: member \"e\" is not base64url");
	expect_import_fail(j, 0, ACS_E_PARSE, "padding '=' at offset 4");
	json_decref(j);
	j = jwk_with(0, "e", "");
	expect_import_fail(j, 0, ACS_E_PARSE, "jwk: member \"e\" is empty");
	json_decref(j);
	j = jwk_with(0, "e", "AAEAAQ");
	expect_import_fail(j, 0, ACS_E_INVAL, "member \"e\" has a leading zero octet");
	json_decref(j);
	j = jwk_with(0, "e", "AQ");
	expect_import_fail(j, 0, ACS_E_INVAL, "exponent must be odd and above 1");
	json_decref(j);
	j = jwk_with(0, "d", "AQAB");
	expect_import_fail(j, 0, ACS_E_INVAL, "private member \"d\"");
	json_decref(j);
	j = jwk_with(0, "qi", "AQAB");
	expect_import_fail(j, 0, ACS_E_INVAL, "private member \"qi\"");
	json_decref(j);
	/* modulus with a zero octet prepended */
	j = acs_jwk_public(keys[0]);
	s = (char *)json_string_value(json_object_get(j, "n"));
	CU_ASSERT_EQUAL(acs_b64url_decode(s, strlen(s), &raw, &rawlen, NULL), 0);
	{
		unsigned char *padded = malloc(rawlen + 1);
		char *enc;

		padded[0] = 0;
		memcpy(padded + 1, raw, rawlen);
		enc = acs_b64url_encode(padded, rawlen + 1);
		json_object_set_new(j, "n", json_string(enc));
		expect_import_fail(j, 0, ACS_E_INVAL, "member \"n\" has a leading zero octet");
		/* an even modulus */
		raw[rawlen - 1] &= 0xfe;
		free(enc);
		enc = acs_b64url_encode(raw, rawlen);
		json_object_set_new(j, "n", json_string(enc));
		expect_import_fail(j, 0, ACS_E_INVAL, "rsa modulus is even");
		free(enc);
		free(padded);
	}
	free(raw);
	json_decref(j);

	/* EC */
	j = jwk_with(1, "crv", "P-192");
	expect_import_fail(j, 0, ACS_E_UNSUPPORTED, "unsupported ec curve \"P-192\"");
	json_decref(j);
	j = jwk_with(1, "crv", NULL);
	expect_import_fail(j, 0, ACS_E_PARSE, "member \"crv\" is missing");
	json_decref(j);
	j = jwk_with(1, "y", NULL);
	expect_import_fail(j, 0, ACS_E_PARSE, "member \"y\" is missing");
	json_decref(j);
	j = jwk_with(1, "x", "AAAA");
	expect_import_fail(j, 0, ACS_E_INVAL, "member \"x\" is 3 octets, P-256 needs exactly 32");
	json_decref(j);
	/* 31 octets: the leading zero stripped, as RFC 7518 forbids */
	j = jwk_with(1, "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_import_fail(j, 0, ACS_E_INVAL, "is 31 octets, P-256 needs exactly 32");
	json_decref(j);
	j = jwk_with(1, "y", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
	expect_import_fail(j, 0, ACS_E_INVAL, "not on curve P-256");
	json_decref(j);
	j = jwk_with(1, "x", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA_");
	expect_import_fail(j, 0, ACS_E_PARSE, "non-zero trailing bits");
	json_decref(j);
	j = jwk_with(1, "d", "AAAA");
	expect_import_fail(j, 0, ACS_E_INVAL, "private member \"d\"");
	json_decref(j);
	j = jwk_with(1, "x", NULL);
	json_object_set_new(j, "x", json_integer(5));
	expect_import_fail(j, 0, ACS_E_PARSE, "member \"x\" is not a string");
	json_decref(j);

	/* OKP */
	j = jwk_with(3, "crv", "Ed448");
	expect_import_fail(j, 0, ACS_E_UNSUPPORTED, "unsupported okp curve \"Ed448\"");
	json_decref(j);
	j = jwk_with(3, "x", "AAAA");
	expect_import_fail(j, 0, ACS_E_INVAL, "member \"x\" is 3 octets, Ed25519 needs exactly 32");
	json_decref(j);
	j = jwk_with(3, "d", "AAAA");
	expect_import_fail(j, 0, ACS_E_INVAL, "private member \"d\"");
	json_decref(j);
}

static void test_weak_rsa(void)
{
	struct acs_key *weak = NULL, *imp = NULL;
	struct acs_err err;
	json_t *jwk;

	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&weak, ACS_KEY_RSA1024, &err), 0);
	jwk = acs_jwk_public(weak);
	expect_import_fail(jwk, 0, ACS_E_INVAL, "rsa modulus of 1024 bits is under the 2048");
	CU_ASSERT_EQUAL(acs_jwk_import(jwk, 1, &imp, &err), 0);
	CU_ASSERT(acs_key_equal(weak, imp));
	json_decref(jwk);
	acs_key_free(imp);
	acs_key_free(weak);
}

static void test_pem(void)
{
	size_t i;
	struct acs_key *k = NULL;
	struct acs_err err;

	for (i = 0; i < 4; i++) {
		char *pem = acs_key_to_pem(keys[i]);
		struct acs_key *back = NULL;

		CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
		CU_ASSERT(strstr(pem, "-----BEGIN PRIVATE KEY-----") != NULL);
		CU_ASSERT_EQUAL(acs_key_from_pem(&back, pem, strlen(pem), &err), 0);
		CU_ASSERT(acs_key_equal(back, keys[i]));
		CU_ASSERT_STRING_EQUAL(acs_key_alg(back), acs_key_alg(keys[i]));
		acs_key_free(back);
		free(pem);
	}
	CU_ASSERT_EQUAL(acs_key_from_pem(&k, "garbage", 7, &err), ACS_E_PARSE);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_STRING_EQUAL(err.msg, "key: no pem private key found (or it is encrypted)");
	CU_ASSERT_PTR_NULL(acs_key_to_pem(NULL));
	/* an encrypted key is refused without prompting for a pass phrase */
	{
		BIO *bio = BIO_new(BIO_s_mem());
		char *data;
		long n;

		CU_ASSERT_EQUAL(PEM_write_bio_PKCS8PrivateKey(bio, acs_key_evp(keys[1]),
		                                              EVP_aes_128_cbc(), "secret", 6, NULL,
		                                              NULL),
		                1);
		n = BIO_get_mem_data(bio, &data);
		CU_ASSERT_EQUAL(acs_key_from_pem(&k, data, (size_t)n, &err), ACS_E_PARSE);
		CU_ASSERT_PTR_NULL(k);
		BIO_free(bio);
	}
	/* the traditional EC form is read too */
	{
		const char *ec_pem =
		    "-----BEGIN EC PRIVATE KEY-----\n"
		    "MHcCAQEEIC6ni9jdy6dzEWyEJ+Q30bXCP5Dtz3MfH+HU1hm25/bXoAoGCCqGSM49\n"
		    "AwEHoUQDQgAEnA4mL5L05Pk+sZ0bHWMX+5hhbyi+9elt0cDwWLIQfA4HrA/Vx9l5\n"
		    "8ZkXyU160Ufk8y5Jd6y58BHyeNi+ay79Qg==\n"
		    "-----END EC PRIVATE KEY-----\n";

		CU_ASSERT_EQUAL(acs_key_from_pem(&k, ec_pem, strlen(ec_pem), &err), 0);
		CU_ASSERT(k != NULL && strcmp(acs_key_alg(k), "ES256") == 0);
		acs_key_free(k);
		k = NULL;
	}
}

static void test_from_evp_unsupported(void)
{
	EVP_PKEY *x = EVP_PKEY_Q_keygen(NULL, NULL, "X25519");
	struct acs_key *k = NULL;
	struct acs_err err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(acs_key_from_evp(&k, x, &err), ACS_E_UNSUPPORTED);
	CU_ASSERT_PTR_NULL(k);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unsupported key type"));
	EVP_PKEY_free(x);
	x = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	CU_ASSERT_EQUAL(acs_key_from_evp(&k, x, &err), ACS_E_UNSUPPORTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "unsupported ec curve"));
	EVP_PKEY_free(x);
	CU_ASSERT_EQUAL(acs_key_from_evp(&k, NULL, &err), ACS_E_INVAL);
	CU_ASSERT_PTR_EQUAL(acs_key_evp(keys[0]) != NULL, 1);
	CU_ASSERT_PTR_NULL(acs_key_evp(NULL));
	acs_key_free(NULL);
}

static void test_keyauth(void)
{
	struct acs_err err;
	char *ka, *tp, *d;
	unsigned char raw[32];
	char want[200];

	ka = acs_keyauth("evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA", keys[1], &err);
	tp = acs_key_thumbprint(keys[1], &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ka);
	snprintf(want, sizeof(want), "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.%s", tp);
	CU_ASSERT_STRING_EQUAL(ka, want);
	free(ka);
	free(tp);
	CU_ASSERT_PTR_NULL(acs_keyauth(NULL, keys[1], &err));
	/* SHA-256("abc") */
	d = acs_keyauth_digest_b64("abc");
	CU_ASSERT_STRING_EQUAL(d, "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
	free(d);
	acs_keyauth_digest("abc", raw);
	CU_ASSERT_EQUAL(raw[0], 0xba);
	CU_ASSERT_EQUAL(raw[31], 0xad);
	CU_ASSERT_PTR_NULL(acs_keyauth_digest_b64(NULL));
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("jwk", suite_init, suite_clean);

	CU_add_test(s, "type_parse", test_type_parse);
	CU_add_test(s, "alg_and_jwk_members", test_alg_and_jwk_members);
	CU_add_test(s, "import_round_trip", test_import_round_trip);
	CU_add_test(s, "p521_import", test_p521_import);
	CU_add_test(s, "rfc7638_example", test_rfc7638_example);
	CU_add_test(s, "thumbprint_errors", test_thumbprint_errors);
	CU_add_test(s, "leading_zero", test_leading_zero);
	CU_add_test(s, "import_errors", test_import_errors);
	CU_add_test(s, "weak_rsa", test_weak_rsa);
	CU_add_test(s, "pem", test_pem);
	CU_add_test(s, "from_evp_unsupported", test_from_evp_unsupported);
	CU_add_test(s, "keyauth", test_keyauth);
}
