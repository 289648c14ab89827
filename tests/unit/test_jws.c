/*
 * JWS: the RFC 7515 appendix A.1 HMAC example, sign/verify round trips for
 * every key type, tampering, alg/key mismatches, the three serializations,
 * every parse error, HMAC (EAB) signing, and transcripts of garbage.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/b64url.h"
#include "harness/jwk.h"
#include "harness/jws.h"

/* RFC 7515 appendix A.1 */
static const char *a1_protected = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9";
static const char *a1_payload = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGF"
                                "tcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
static const char *a1_signature = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
static const char *a1_key = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4"
                            "hcgUuTwjAzZr1Z9CAow";

#define NKEYS 5
static struct acs_key *keys[NKEYS]; /* RSA2048, EC256, EC384, Ed25519, P-521 */

static int suite_init(void)
{
	static const enum acs_key_type types[4] = {ACS_KEY_RSA2048, ACS_KEY_EC256, ACS_KEY_EC384,
	                                           ACS_KEY_ED25519};
	EVP_PKEY *p521;
	size_t i;
	int rc;

	for (i = 0; i < 4; i++) {
		if (acs_key_generate(&keys[i], types[i], NULL) != 0)
			return 1;
	}
	p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	if (p521 == NULL)
		return 1;
	rc = acs_key_from_evp(&keys[4], p521, NULL);
	EVP_PKEY_free(p521);
	return rc != 0;
}

static int suite_clean(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		acs_key_free(keys[i]);
		keys[i] = NULL;
	}
	return 0;
}

/* Parse text that must parse. */
static struct acs_jws *parse_ok(const char *text)
{
	struct acs_jws *jws = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	if (acs_jws_parse(text, strlen(text), &jws, &err) != 0)
		fprintf(stderr, "\n    parse failed: %s\n", err.msg);
	CU_ASSERT_PTR_NOT_NULL(jws);
	return jws;
}

/* Parse text that must fail with ACS_E_PARSE and a message containing want. */
static void parse_bad(const char *text, size_t len, const char *want)
{
	struct acs_jws *jws = NULL;
	struct acs_err err;
	int rc;

	acs_err_clear(&err);
	rc = acs_jws_parse(text, len, &jws, &err);
	CU_ASSERT_EQUAL(rc, ACS_E_PARSE);
	CU_ASSERT_PTR_NULL(jws);
	if (strstr(err.msg, want) == NULL)
		fprintf(stderr, "\n    got \"%s\", wanted \"%s\"\n", err.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	acs_jws_free(jws);
}

static void test_rfc7515_a1(void)
{
	unsigned char *key = NULL, *prot = NULL, *payload = NULL;
	size_t keylen = 0, protlen = 0, payloadlen = 0;
	struct acs_jws_parts parts = {NULL, NULL, NULL};
	struct acs_jws *jws;
	struct acs_err err;
	char compact[512], flat[512];

	CU_ASSERT_EQUAL_FATAL(acs_b64url_decode(a1_key, strlen(a1_key), &key, &keylen, NULL), 0);
	snprintf(compact, sizeof(compact), "%s.%s.%s", a1_protected, a1_payload, a1_signature);
	jws = parse_ok(compact);
	CU_ASSERT_FATAL(jws != NULL);
	CU_ASSERT_EQUAL(jws->form, ACS_JWS_COMPACT);
	CU_ASSERT_STRING_EQUAL(acs_jws_header_str(jws, "alg"), "HS256");
	CU_ASSERT_STRING_EQUAL(acs_jws_header_str(jws, "typ"), "JWT");
	CU_ASSERT_EQUAL(acs_jws_verify_hmac(jws, key, keylen, &err), 0);
	/* a different key does not verify */
	key[0] ^= 1;
	CU_ASSERT_EQUAL(acs_jws_verify_hmac(jws, key, keylen, &err), ACS_E_VERIFY);
	CU_ASSERT_STRING_EQUAL(err.msg, "mac does not verify");
	key[0] ^= 1;
	/* an account key cannot verify a MAC */
	CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[1], &err), ACS_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "alg HS256 is a mac"));
	acs_jws_free(jws);

	/* the same in flattened form */
	snprintf(flat, sizeof(flat),
	         "{\"protected\":\"%s\",\"payload\":\"%s\",\"signature\":\"%s\"}", a1_protected,
	         a1_payload, a1_signature);
	jws = parse_ok(flat);
	CU_ASSERT_FATAL(jws != NULL);
	CU_ASSERT_EQUAL(jws->form, ACS_JWS_FLATTENED);
	CU_ASSERT_EQUAL(acs_jws_verify_hmac(jws, key, keylen, &err), 0);
	acs_jws_free(jws);

	/* signing the same bytes gives the RFC's signature (HMAC is deterministic) */
	CU_ASSERT_EQUAL(
	    acs_b64url_decode(a1_protected, strlen(a1_protected), &prot, &protlen, NULL), 0);
	CU_ASSERT_EQUAL(
	    acs_b64url_decode(a1_payload, strlen(a1_payload), &payload, &payloadlen, NULL), 0);
	CU_ASSERT_EQUAL(acs_jws_sign_hmac_parts(key, keylen, "HS256", (const char *)prot, payload,
	                                        payloadlen, &parts, &err),
	                0);
	CU_ASSERT_STRING_EQUAL(parts.protected_b64, a1_protected);
	CU_ASSERT_STRING_EQUAL(parts.payload_b64, a1_payload);
	CU_ASSERT_STRING_EQUAL(parts.signature_b64, a1_signature);
	acs_jws_parts_clear(&parts);
	CU_ASSERT_PTR_NULL(parts.signature_b64);
	free(prot);
	free(payload);
	free(key);
}

static void test_hmac_algs(void)
{
	static const char *algs[] = {"HS256", "HS384", "HS512"};
	static const size_t siglen[] = {32, 48, 64};
	const unsigned char mac_key[] = "0123456789abcdef0123456789abcdef";
	struct acs_jws_parts parts = {NULL, NULL, NULL};
	struct acs_err err;
	size_t i;

	for (i = 0; i < 3; i++) {
		char hdr[64], *flat;
		struct acs_jws *jws;

		snprintf(hdr, sizeof(hdr), "{\"alg\":\"%s\",\"kid\":\"eab1\"}", algs[i]);
		CU_ASSERT_EQUAL_FATAL(
		    acs_jws_sign_hmac_parts(mac_key, 32, algs[i], hdr, "{}", 2, &parts, &err), 0);
		flat = acs_jws_flatten(&parts);
		jws = parse_ok(flat);
		CU_ASSERT_FATAL(jws != NULL);
		CU_ASSERT_EQUAL(jws->signature_len, siglen[i]);
		CU_ASSERT_EQUAL(acs_jws_verify_hmac(jws, mac_key, 32, &err), 0);
		CU_ASSERT_EQUAL(acs_jws_verify_hmac(jws, mac_key, 31, &err), ACS_E_VERIFY);
		/* a truncated MAC is refused, not compared on its prefix */
		jws->signature_len--;
		CU_ASSERT_EQUAL(acs_jws_verify_hmac(jws, mac_key, 32, &err), ACS_E_VERIFY);
		jws->signature_len++;
		acs_jws_free(jws);
		free(flat);
		acs_jws_parts_clear(&parts);
	}
	CU_ASSERT_EQUAL(acs_jws_sign_hmac_parts(mac_key, 32, "RS256", "{}", "", 0, &parts, &err),
	                ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_jws_sign_hmac_parts(mac_key, 32, NULL, "{}", "", 0, &parts, &err),
	                ACS_E_INVAL);
	/* an RS256 JWS is not a MAC */
	{
		json_t *hdr = json_pack("{s:s}", "alg", "RS256");
		char *text = acs_jws_sign(keys[0], hdr, "", 0, &err);
		struct acs_jws *jws = parse_ok(text);

		CU_ASSERT_EQUAL(acs_jws_verify_hmac(jws, mac_key, 32, &err), ACS_E_VERIFY);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "alg RS256 is not a mac algorithm"));
		acs_jws_free(jws);
		free(text);
		json_decref(hdr);
	}
}

/* Flattened JWS of payload signed by key with the key's own alg. */
static char *sign_with(const struct acs_key *key, const char *alg, const char *payload)
{
	json_t *hdr = json_pack("{s:s,s:s,s:s}", "alg", alg ? alg : acs_key_alg(key), "nonce",
	                        "abc", "url", "https://example.test/acme/new-order");
	char *text = acs_jws_sign(key, hdr, payload, strlen(payload), NULL);

	json_decref(hdr);
	CU_ASSERT_PTR_NOT_NULL(text);
	return text;
}

static void test_round_trip_all_keys(void)
{
	static const size_t siglen[NKEYS] = {256, 64, 96, 64, 132};
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		char *text = sign_with(keys[i], NULL, "{\"identifiers\":[]}");
		struct acs_jws *jws = parse_ok(text);
		struct acs_err err;
		size_t j;

		CU_ASSERT_FATAL(jws != NULL);
		CU_ASSERT_EQUAL(jws->form, ACS_JWS_FLATTENED);
		CU_ASSERT_EQUAL(jws->nsignatures, 1);
		CU_ASSERT_EQUAL(jws->signature_len, siglen[i]); /* raw R || S for ECDSA */
		CU_ASSERT_STRING_EQUAL((const char *)jws->payload, "{\"identifiers\":[]}");
		CU_ASSERT_STRING_EQUAL(acs_jws_header_str(jws, "alg"), acs_key_alg(keys[i]));
		acs_err_clear(&err);
		CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[i], &err), 0);
		if (err.msg[0] != '\0')
			fprintf(stderr, "\n    key %zu: %s\n", i, err.msg);
		/* verifies with the imported public JWK as well */
		{
			json_t *jwk = acs_jwk_public(keys[i]);
			struct acs_key *pub = NULL;

			CU_ASSERT_EQUAL(acs_jwk_import(jwk, 0, &pub, NULL), 0);
			CU_ASSERT_EQUAL(acs_jws_verify(jws, pub, &err), 0);
			acs_key_free(pub);
			json_decref(jwk);
		}
		/* no other key verifies it */
		for (j = 0; j < NKEYS; j++) {
			if (j != i)
				CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[j], &err), ACS_E_VERIFY);
		}
		acs_jws_free(jws);
		free(text);
	}
}

/* Replace member name of the flattened JWS text with value. */
static char *with_member(const char *text, const char *name, const char *value)
{
	json_t *o = json_loads(text, 0, NULL);
	char *out;

	json_object_set_new(o, name, json_string(value));
	out = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return out;
}

static void expect_verify_fail(const char *text, const struct acs_key *key, int code,
                               const char *want)
{
	struct acs_jws *jws = parse_ok(text);
	struct acs_err err;

	if (jws == NULL)
		return;
	acs_err_clear(&err);
	CU_ASSERT_EQUAL(acs_jws_verify(jws, key, &err), code);
	if (strstr(err.msg, want) == NULL)
		fprintf(stderr, "\n    got \"%s\", wanted \"%s\"\n", err.msg, want);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	acs_jws_free(jws);
}

static void test_tampering(void)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		char *text = sign_with(keys[i], NULL, "{\"a\":1}");
		struct acs_jws *jws = parse_ok(text);
		char *bad, *sig_b64, *other;
		unsigned char *sig;
		json_t *hdr;

		CU_ASSERT_FATAL(jws != NULL);
		/* one bit of the signature */
		sig = malloc(jws->signature_len);
		memcpy(sig, jws->signature, jws->signature_len);
		sig[jws->signature_len / 2] ^= 0x01;
		sig_b64 = acs_b64url_encode(sig, jws->signature_len);
		bad = with_member(text, "signature", sig_b64);
		expect_verify_fail(bad, keys[i], ACS_E_VERIFY, "signature does not verify");
		free(bad);
		free(sig_b64);
		free(sig);
		/* the payload */
		bad = with_member(text, "payload", "eyJhIjoyfQ"); /* {"a":2} */
		expect_verify_fail(bad, keys[i], ACS_E_VERIFY, "signature does not verify");
		free(bad);
		/* the protected header, alg unchanged */
		hdr = json_pack("{s:s,s:s}", "alg", acs_key_alg(keys[i]), "nonce", "abd");
		other = json_dumps(hdr, JSON_COMPACT);
		sig_b64 = acs_b64url_encode(other, strlen(other));
		bad = with_member(text, "protected", sig_b64);
		expect_verify_fail(bad, keys[i], ACS_E_VERIFY, "signature does not verify");
		free(bad);
		free(sig_b64);
		free(other);
		json_decref(hdr);
		/* an empty signature */
		bad = with_member(text, "signature", "");
		expect_verify_fail(bad, keys[i], ACS_E_VERIFY, "");
		free(bad);
		acs_jws_free(jws);
		free(text);
	}
}

static void test_alg_mismatch(void)
{
	char *text;

	/* the signature is made with the key's own alg; the header claims another */
	text = sign_with(keys[1], "RS256", "{}");
	expect_verify_fail(text, keys[1], ACS_E_VERIFY, "alg RS256 does not match an EC P-256 key");
	free(text);
	text = sign_with(keys[1], "ES384", "{}");
	expect_verify_fail(text, keys[1], ACS_E_VERIFY, "alg ES384 does not match an EC P-256 key");
	free(text);
	text = sign_with(keys[2], "ES256", "{}");
	expect_verify_fail(text, keys[2], ACS_E_VERIFY, "alg ES256 does not match an EC P-384 key");
	free(text);
	text = sign_with(keys[0], "ES256", "{}");
	expect_verify_fail(text, keys[0], ACS_E_VERIFY, "alg ES256 does not match an RSA key");
	free(text);
	text = sign_with(keys[3], "ES256", "{}");
	expect_verify_fail(text, keys[3], ACS_E_VERIFY, "alg ES256 does not match an Ed25519 key");
	free(text);
	text = sign_with(keys[0], "EdDSA", "{}");
	expect_verify_fail(text, keys[0], ACS_E_VERIFY, "alg EdDSA does not match an RSA key");
	free(text);
	text = sign_with(keys[4], "ES256", "{}");
	expect_verify_fail(text, keys[4], ACS_E_VERIFY, "alg ES256 does not match an EC P-521 key");
	free(text);
	text = sign_with(keys[1], "none", "{}");
	expect_verify_fail(text, keys[1], ACS_E_VERIFY, "alg none is not allowed");
	free(text);
	text = sign_with(keys[1], "XS999", "{}");
	expect_verify_fail(text, keys[1], ACS_E_UNSUPPORTED, "alg XS999 is not supported");
	free(text);
	/* RSA with PS256 and the wrong padding: alg agrees with the key, signature not */
	text = sign_with(keys[0], "PS256", "{}");
	expect_verify_fail(text, keys[0], ACS_E_VERIFY, "signature does not verify");
	free(text);
	/* no alg at all, and alg not a string */
	{
		struct acs_jws_parts parts = {NULL, NULL, NULL};
		char *flat;

		acs_jws_sign_parts(keys[1], "{\"nonce\":\"x\"}", "", 0, &parts, NULL);
		flat = acs_jws_flatten(&parts);
		expect_verify_fail(flat, keys[1], ACS_E_VERIFY, "protected header has no \"alg\"");
		free(flat);
		acs_jws_parts_clear(&parts);
		acs_jws_sign_parts(keys[1], "{\"alg\":7}", "", 0, &parts, NULL);
		flat = acs_jws_flatten(&parts);
		expect_verify_fail(flat, keys[1], ACS_E_VERIFY, "\"alg\" is not a string");
		free(flat);
		acs_jws_parts_clear(&parts);
	}
}

static void test_ecdsa_length(void)
{
	char *text = sign_with(keys[1], NULL, "{}");
	struct acs_jws *jws = parse_ok(text);
	unsigned char der_like[70];
	char *sig, *bad;

	/* a DER-looking 70-byte signature is refused for its length */
	memset(der_like, 0x30, sizeof(der_like));
	sig = acs_b64url_encode(der_like, sizeof(der_like));
	bad = with_member(text, "signature", sig);
	expect_verify_fail(bad, keys[1], ACS_E_VERIFY, "signature is 70 octets, ES256 needs 64");
	free(bad);
	free(sig);
	bad = with_member(text, "signature", "AAAA");
	expect_verify_fail(bad, keys[3], ACS_E_VERIFY, "");
	free(bad);
	acs_jws_free(jws);
	free(text);
}

static void test_forms_and_members(void)
{
	char *text = sign_with(keys[1], NULL, "{\"x\":1}");
	json_t *o = json_loads(text, 0, NULL), *g;
	struct acs_jws *jws;
	char *s;

	/* general serialization with two signatures */
	g = json_pack("{s:O,s:[{s:O,s:O,s:{s:s}},{s:s,s:s}]}", "payload",
	              json_object_get(o, "payload"), "signatures", "protected",
	              json_object_get(o, "protected"), "signature", json_object_get(o, "signature"),
	              "header", "kid", "k1", "protected", "e30", "signature", "AAAA");
	s = json_dumps(g, JSON_COMPACT);
	jws = parse_ok(s);
	CU_ASSERT_FATAL(jws != NULL);
	CU_ASSERT_EQUAL(jws->form, ACS_JWS_GENERAL);
	CU_ASSERT_EQUAL(jws->nsignatures, 2);
	CU_ASSERT_EQUAL(jws->has_unprotected_header, 1);
	CU_ASSERT_PTR_NULL(jws->extra_members);
	CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[1], NULL), 0);
	acs_jws_free(jws);
	free(s);
	json_decref(g);

	/* flattened with an unprotected header and extra members */
	json_object_set_new(o, "header", json_pack("{s:s}", "kid", "x"));
	json_object_set_new(o, "extra", json_integer(1));
	json_object_set_new(o, "signatures_typo", json_true());
	s = json_dumps(o, JSON_COMPACT);
	jws = parse_ok(s);
	CU_ASSERT_FATAL(jws != NULL);
	CU_ASSERT_EQUAL(jws->form, ACS_JWS_FLATTENED);
	CU_ASSERT_EQUAL(jws->has_unprotected_header, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws->extra_members);
	CU_ASSERT_EQUAL(json_object_size(jws->extra_members), 2);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(jws->extra_members, "extra"));
	CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[1], NULL), 0);
	acs_jws_free(jws);
	free(s);

	/* payload absent */
	json_object_del(o, "header");
	json_object_del(o, "extra");
	json_object_del(o, "signatures_typo");
	json_object_del(o, "payload");
	s = json_dumps(o, JSON_COMPACT);
	jws = parse_ok(s);
	CU_ASSERT_FATAL(jws != NULL);
	CU_ASSERT_PTR_NULL(jws->payload_b64);
	CU_ASSERT_PTR_NULL(jws->payload);
	CU_ASSERT_EQUAL(jws->has_unprotected_header, 0);
	CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[1], NULL), ACS_E_VERIFY);
	acs_jws_free(jws);
	free(s);
	json_decref(o);
	free(text);

	/* POST-as-GET: empty payload is present and empty */
	text = sign_with(keys[3], NULL, "");
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"payload\":\"\""));
	jws = parse_ok(text);
	CU_ASSERT_FATAL(jws != NULL);
	CU_ASSERT_STRING_EQUAL(jws->payload_b64, "");
	CU_ASSERT_PTR_NOT_NULL(jws->payload);
	CU_ASSERT_EQUAL(jws->payload_len, 0);
	CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[3], NULL), 0);
	acs_jws_free(jws);

	/* compact form of the same, white space around is fine */
	{
		json_t *f = json_loads(text, 0, NULL);
		char compact[1024];

		snprintf(compact, sizeof(compact), "  %s..%s\r\n",
		         json_string_value(json_object_get(f, "protected")),
		         json_string_value(json_object_get(f, "signature")));
		jws = parse_ok(compact);
		CU_ASSERT_FATAL(jws != NULL);
		CU_ASSERT_EQUAL(jws->form, ACS_JWS_COMPACT);
		CU_ASSERT_EQUAL(jws->payload_len, 0);
		CU_ASSERT_EQUAL(acs_jws_verify(jws, keys[3], NULL), 0);
		acs_jws_free(jws);
		json_decref(f);
	}
	free(text);
	CU_ASSERT_PTR_NULL(acs_jws_header_str(NULL, "alg"));
	acs_jws_free(NULL);
}

static void test_sign_api(void)
{
	struct acs_jws_parts parts = {NULL, NULL, NULL};
	struct acs_err err;
	json_t *arr = json_array();
	char *flat;

	CU_ASSERT_PTR_NULL(acs_jws_sign(keys[1], arr, "", 0, &err));
	CU_ASSERT_EQUAL(err.code, ACS_E_INVAL);
	json_decref(arr);
	CU_ASSERT_EQUAL(acs_jws_sign_parts(NULL, "{}", "", 0, &parts, &err), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_jws_sign_parts(keys[1], NULL, "", 0, &parts, &err), ACS_E_INVAL);
	/* the caller's header text is used byte for byte, even when it lies */
	CU_ASSERT_EQUAL(acs_jws_sign_parts(keys[1], "{\"alg\":\"RS256\" }", "x", 1, &parts, &err),
	                0);
	CU_ASSERT_STRING_EQUAL(parts.protected_b64, "eyJhbGciOiJSUzI1NiIgfQ");
	CU_ASSERT_STRING_EQUAL(parts.payload_b64, "eA");
	free(parts.payload_b64);
	parts.payload_b64 = NULL;
	flat = acs_jws_flatten(&parts);
	CU_ASSERT_PTR_NULL(strstr(flat, "payload")); /* NULL payload leaves the member out */
	free(flat);
	acs_jws_parts_clear(&parts);
	acs_jws_parts_clear(NULL);
	CU_ASSERT_PTR_NULL(acs_jws_flatten(&parts));
	CU_ASSERT_PTR_NULL(acs_jws_flatten(NULL));
}

static void test_parse_errors(void)
{
	char *good = sign_with(keys[1], NULL, "{}");
	json_t *o = json_loads(good, 0, NULL);
	const char *prot = json_string_value(json_object_get(o, "protected"));
	const char *sig = json_string_value(json_object_get(o, "signature"));
	char buf[1024];

	parse_bad("", 0, "jws: empty body");
	parse_bad(" \r\n\t ", 5, "jws: empty body");
	parse_bad("hello", 5, "neither a json object nor compact");
	parse_bad("[1,2]", 5, "neither a json object nor compact");
	parse_bad("{\"protected\":", 13, "jws: body is not json");
	parse_bad("{\"a\":1}x", 8, "jws: body is not json");
	parse_bad("{}", 2, "member \"protected\" is missing");
	snprintf(buf, sizeof(buf), "{\"protected\":1,\"payload\":\"\",\"signature\":\"\"}");
	parse_bad(buf, strlen(buf), "member \"protected\" is not a string");
	snprintf(buf, sizeof(buf), "{\"protected\":\"%s=\",\"payload\":\"\",\"signature\":\"%s\"}",
	         prot, sig);
	parse_bad(buf, strlen(buf),
	          "member \"protected\": invalid base64url: padding '=' at offset");
	snprintf(buf, sizeof(buf),
	         "{\"protected\":\"%s\",\"payload\":\"e30=\",\"signature\":\"%s\"}", prot, sig);
	parse_bad(buf, strlen(buf),
	          "member \"payload\": invalid base64url: padding '=' at offset 3");
	snprintf(buf, sizeof(buf), "{\"protected\":\"%s\",\"payload\":{},\"signature\":\"%s\"}",
	         prot, sig);
	parse_bad(buf, strlen(buf), "member \"payload\" is not a string");
	snprintf(buf, sizeof(buf), "{\"protected\":\"%s\",\"payload\":\"\"}", prot);
	parse_bad(buf, strlen(buf), "member \"signature\" is missing");
	snprintf(buf, sizeof(buf), "{\"protected\":\"%s\",\"payload\":\"\",\"signature\":\"a+b/\"}",
	         prot);
	parse_bad(buf, strlen(buf), "member \"signature\": invalid base64url: character '+'");
	snprintf(buf, sizeof(buf), "{\"protected\":\"%s\",\"payload\":\"\",\"signature\":null}",
	         prot);
	parse_bad(buf, strlen(buf), "member \"signature\" is not a string");
	/* protected header: not json, json but not an object, duplicate names */
	snprintf(buf, sizeof(buf),
	         "{\"protected\":\"bm90IGpzb24\",\"payload\":\"\",\"signature\":\"%s\"}", sig);
	parse_bad(buf, strlen(buf), "protected header is not json");
	snprintf(buf, sizeof(buf), "{\"protected\":\"WzFd\",\"payload\":\"\",\"signature\":\"%s\"}",
	         sig); /* [1] */
	parse_bad(buf, strlen(buf), "protected header is not a json object");
	snprintf(buf, sizeof(buf), "{\"protected\":\"\",\"payload\":\"\",\"signature\":\"%s\"}",
	         sig);
	parse_bad(buf, strlen(buf), "protected header is not json");
	/* {"alg":"ES256","alg":"none"} */
	snprintf(buf, sizeof(buf),
	         "{\"protected\":\"eyJhbGciOiJFUzI1NiIsImFsZyI6Im5vbmUifQ\",\"payload\":\"\","
	         "\"signature\":\"%s\"}",
	         sig);
	parse_bad(buf, strlen(buf), "protected header is not json: duplicate object key");
	snprintf(buf, sizeof(buf),
	         "{\"protected\":\"%s\",\"protected\":\"%s\",\"signature\":\"%s\"}", prot, prot,
	         sig);
	parse_bad(buf, strlen(buf), "body is not json: duplicate object key");
	/* general form */
	parse_bad("{\"signatures\":{}}", 17, "\"signatures\" is not a non-empty array");
	parse_bad("{\"signatures\":[]}", 17, "\"signatures\" is not a non-empty array");
	parse_bad("{\"signatures\":[1]}", 18, "first element of \"signatures\" is not an object");
	parse_bad("{\"signatures\":[{}]}", 19, "member \"protected\" is missing");
	/* compact form */
	parse_bad("a.b", 3, "compact serialization needs 3 parts, found 2");
	parse_bad("a.b.c.d.e", 9, "compact serialization needs 3 parts, found 5");
	snprintf(buf, sizeof(buf), "%s.e30=.%s", prot, sig);
	parse_bad(buf, strlen(buf), "member \"payload\": invalid base64url: padding");
	snprintf(buf, sizeof(buf), "%s.e30.%s!", prot, sig);
	parse_bad(buf, strlen(buf), "member \"signature\": invalid base64url: character '!'");
	parse_bad("e30.e30.A", 9, "member \"signature\": invalid base64url: length 1 is 1 mod 4");
	parse_bad("WzFd.e30.AAAA", 13, "protected header is not a json object");
	json_decref(o);
	free(good);
}

/* describe must return text containing every string in want (NULL-ended). */
static void describe_has(const char *body, size_t len, const char *const *want)
{
	char *d = acs_jws_describe(body, len);
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	for (i = 0; want[i] != NULL; i++) {
		if (strstr(d, want[i]) == NULL)
			fprintf(stderr, "\n    describe lacks \"%s\" in:\n%s\n", want[i], d);
		CU_ASSERT_PTR_NOT_NULL(strstr(d, want[i]));
	}
	free(d);
}

static void test_describe(void)
{
	char *text = sign_with(keys[1], NULL, "{\"identifiers\":[{\"type\":\"dns\"}]}");
	char *pag = sign_with(keys[3], NULL, "");
	unsigned char garbage[256];
	char buf[1024];
	size_t i;

	{
		const char *w[] = {"JWS flattened JSON serialization",
		                   "protected:",
		                   "\"alg\": \"ES256\"",
		                   "\"url\": \"https://example.test/acme/new-order\"",
		                   "payload:",
		                   "\"identifiers\": [",
		                   "signature: 64 bytes, ",
		                   NULL};
		describe_has(text, strlen(text), w);
	}
	{
		const char *w[] = {"payload: empty", "\"alg\": \"EdDSA\"", NULL};
		describe_has(pag, strlen(pag), w);
	}
	{
		const char *w[] = {"(empty body)", NULL};
		describe_has("", 0, w);
		describe_has(NULL, 10, w);
	}
	{
		const char *w[] = {"not a JWS: body is not json", "raw: {\"protected", NULL};
		describe_has("{\"protected", 11, w);
	}
	{
		const char *w[] = {"not a JWS: neither json nor compact", "raw: hello\\x01", NULL};
		describe_has("hello\001", 6, w);
	}
	{
		const char *w[] = {"JWS compact serialization", "needs 3 parts, found 2", NULL};
		describe_has("e30.e30", 7, w);
	}
	{
		const char *w[] = {
		    "protected (cannot decode: invalid base64url: padding '=' at offset 3; "
		    "decoded leniently):",
		    "payload: absent", "signature: absent", NULL};
		describe_has("{\"protected\":\"e30=\"}", 20, w);
	}
	{
		const char *w[] = {"protected: not a string: 5", "raw", "payload (cannot decode",
		                   NULL};
		describe_has("{\"protected\":5,\"payload\":\"***\",\"signature\":\"AAAA\"}", 50, w);
	}
	{
		/* header member, extra members, text and binary payloads */
		const char *w[] = {"unprotected header:",    "\"kid\": \"x\"",
		                   "extra members: \"zzz\"", "payload:\n(not json",
		                   "not json at all",        NULL};
		snprintf(
		    buf, sizeof(buf),
		    "{\"protected\":\"e30\",\"payload\":\"bm90IGpzb24gYXQgYWxs\",\"signature\":"
		    "\"AAAA\",\"header\":{\"kid\":\"x\"},\"zzz\":1}");
		describe_has(buf, strlen(buf), w);
	}
	{
		const char *w[] = {"(4 bytes of binary data)",
		                   "JWS general JSON serialization, 1 "
		                   "signature(s)",
		                   NULL};
		snprintf(
		    buf, sizeof(buf),
		    "{\"payload\":\"AAECAw\",\"signatures\":[{\"protected\":\"e30\",\"signature\":"
		    "\"AAAA\"}]}");
		describe_has(buf, strlen(buf), w);
	}
	{
		const char *w[] = {"not an array", "protected: absent", NULL};
		describe_has("{\"signatures\":7}", 16, w);
	}
	{
		const char *w[] = {"duplicate member names", NULL};
		describe_has("{\"a\":1,\"a\":2}", 13, w);
	}
	{
		const char *w[] = {"not a JWS: body is json but not an object", NULL};
		const char *w2[] = {"protected: absent", "extra members: \"a\"", NULL};

		describe_has("  [1]", 5, w);
		describe_has("{\"a\":1}", 7, w2);
	}
	/* garbage of every byte value never fails and stays valid text */
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = (unsigned char)(255 - i);
	for (i = 0; i <= sizeof(garbage); i += 17) {
		char *d = acs_jws_describe((const char *)garbage, i);

		CU_ASSERT_PTR_NOT_NULL(d);
		free(d);
	}
	{
		const char *w[] = {"\\xff", NULL};
		const char junk[] = "{\"protected\":\"\xff\xfe\"}";
		char *d = acs_jws_describe(junk + 14, 2);

		CU_ASSERT_PTR_NOT_NULL(d);
		CU_ASSERT_PTR_NOT_NULL(strstr(d, "\\xff\\xfe"));
		free(d);
		describe_has(junk + 14, 2, w);
	}
	/* a huge payload is cut, not copied whole */
	{
		size_t n = 300 * 1024, k;
		char *big = malloc(n + 64), *enc, *d;
		json_t *o;

		for (k = 0; k < n; k++)
			big[k] = 'a' + (char)(k % 26);
		enc = acs_b64url_encode(big, n);
		o = json_pack("{s:s,s:s,s:s}", "protected", "e30", "payload", enc, "signature",
		              "AAAA");
		free(big);
		big = json_dumps(o, JSON_COMPACT);
		d = acs_jws_describe(big, strlen(big));
		CU_ASSERT_PTR_NOT_NULL(d);
		CU_ASSERT(d != NULL && strlen(d) < 100 * 1024);
		CU_ASSERT(d != NULL && strstr(d, "more bytes)") != NULL);
		free(d);
		free(big);
		free(enc);
		json_decref(o);
	}
	free(pag);
	free(text);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("jws", suite_init, suite_clean);

	CU_add_test(s, "rfc7515_a1", test_rfc7515_a1);
	CU_add_test(s, "hmac_algs", test_hmac_algs);
	CU_add_test(s, "round_trip_all_keys", test_round_trip_all_keys);
	CU_add_test(s, "tampering", test_tampering);
	CU_add_test(s, "alg_mismatch", test_alg_mismatch);
	CU_add_test(s, "ecdsa_length", test_ecdsa_length);
	CU_add_test(s, "forms_and_members", test_forms_and_members);
	CU_add_test(s, "sign_api", test_sign_api);
	CU_add_test(s, "parse_errors", test_parse_errors);
	CU_add_test(s, "describe", test_describe);
}
