/*
 * JSON Web Signatures for ACME (RFC 7515, RFC 7518, RFC 8037, RFC 8555
 * section 6.2): signing, strict parsing that remembers deviations, and
 * verification.
 */
#include "harness/jws.h"
#include "harness/b64url.h"
#include "harness/buf.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What a JWS alg needs from a key. */
enum alg_family { FAM_RSA, FAM_RSA_PSS, FAM_EC, FAM_EDDSA, FAM_HMAC };

struct alg_info {
	const char *name;
	enum alg_family family;
	const char *md;   /* digest name, NULL for EdDSA */
	size_t coord_len; /* ECDSA: octets of R and of S */
	const char *crv;  /* ECDSA: curve the alg requires */
};

/* clang-format off */
static const struct alg_info algs[] = {
	{"RS256", FAM_RSA, "SHA256", 0, NULL},
	{"RS384", FAM_RSA, "SHA384", 0, NULL},
	{"RS512", FAM_RSA, "SHA512", 0, NULL},
	{"PS256", FAM_RSA_PSS, "SHA256", 0, NULL},
	{"PS384", FAM_RSA_PSS, "SHA384", 0, NULL},
	{"PS512", FAM_RSA_PSS, "SHA512", 0, NULL},
	{"ES256", FAM_EC, "SHA256", 32, "P-256"},
	{"ES384", FAM_EC, "SHA384", 48, "P-384"},
	{"ES512", FAM_EC, "SHA512", 66, "P-521"},
	{"EdDSA", FAM_EDDSA, NULL, 0, NULL},
	{"HS256", FAM_HMAC, "SHA256", 0, NULL},
	{"HS384", FAM_HMAC, "SHA384", 0, NULL},
	{"HS512", FAM_HMAC, "SHA512", 0, NULL},
};
/* clang-format on */

static const struct alg_info *alg_lookup(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(algs[i].name, name) == 0)
			return &algs[i];
	}
	return NULL;
}

/* "an RSA key", "an EC P-256 key", "an Ed25519 key" for messages. */
static const char *key_description(const struct acs_key *key)
{
	const char *alg = acs_key_alg(key);

	if (alg == NULL)
		return "an unknown key";
	if (strcmp(alg, "RS256") == 0)
		return "an RSA key";
	if (strcmp(alg, "ES256") == 0)
		return "an EC P-256 key";
	if (strcmp(alg, "ES384") == 0)
		return "an EC P-384 key";
	if (strcmp(alg, "ES512") == 0)
		return "an EC P-521 key";
	if (strcmp(alg, "EdDSA") == 0)
		return "an Ed25519 key";
	return "an unknown key";
}

void acs_jws_parts_clear(struct acs_jws_parts *p)
{
	if (p == NULL)
		return;
	free(p->protected_b64);
	free(p->payload_b64);
	free(p->signature_b64);
	p->protected_b64 = NULL;
	p->payload_b64 = NULL;
	p->signature_b64 = NULL;
}

/* protected "." payload as a new buffer in b. */
static int signing_input(struct acs_buf *b, const char *prot_b64, const char *payload_b64)
{
	if (acs_buf_puts(b, prot_b64) != 0 || acs_buf_puts(b, ".") != 0 ||
	    acs_buf_puts(b, payload_b64 ? payload_b64 : "") != 0)
		return ACS_E_NOMEM;
	return 0;
}

/* Encode the signature into parts and hand all three strings to *out (parts emptied). */
static int parts_finish(struct acs_jws_parts *parts, const unsigned char *sig, size_t siglen,
                        struct acs_jws_parts *out, struct acs_err *err)
{
	parts->signature_b64 = acs_b64url_encode(sig, siglen);
	if (parts->signature_b64 == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "jws sign: out of memory");
	*out = *parts;
	memset(parts, 0, sizeof(*parts));
	return 0;
}

/* Encode the header and payload into out (parts owned by out on success). */
static int encode_parts(const char *protected_json, const void *payload, size_t len,
                        struct acs_jws_parts *out, struct acs_err *err)
{
	out->protected_b64 = acs_b64url_encode(protected_json, strlen(protected_json));
	out->payload_b64 = acs_b64url_encode(payload ? payload : "", payload ? len : 0);
	out->signature_b64 = NULL;
	if (out->protected_b64 == NULL || out->payload_b64 == NULL) {
		acs_jws_parts_clear(out);
		return acs_err_set(err, ACS_E_NOMEM, "jws sign: out of memory");
	}
	return 0;
}

/* The encoded header and payload in parts, and the signing input over them in input. */
static int parts_begin(const char *protected_json, const void *payload, size_t len,
                       struct acs_jws_parts *parts, struct acs_buf *input, struct acs_err *err)
{
	int rc = encode_parts(protected_json, payload, len, parts, err);

	if (rc != 0)
		return rc;
	if (signing_input(input, parts->protected_b64, parts->payload_b64) != 0)
		return acs_err_set(err, ACS_E_NOMEM, "jws sign: out of memory");
	return 0;
}

/* DER ECDSA signature to the fixed-size R || S form (RFC 7518 section 3.4). */
static int ecdsa_der_to_raw(const unsigned char *der, size_t derlen, size_t clen,
                            unsigned char *raw, struct acs_err *err)
{
	const unsigned char *p = der;
	ECDSA_SIG *sig = NULL;
	const BIGNUM *r, *s;
	int rc = 0;

	sig = d2i_ECDSA_SIG(NULL, &p, (long)derlen);
	if (sig == NULL)
		return acs_err_openssl(err, "jws sign: cannot decode the ecdsa signature");
	ECDSA_SIG_get0(sig, &r, &s);
	if (BN_bn2binpad(r, raw, (int)clen) < 0 || BN_bn2binpad(s, raw + clen, (int)clen) < 0)
		rc = acs_err_set(err, ACS_E_CRYPTO, "jws sign: ecdsa signature too large");
	ECDSA_SIG_free(sig);
	return rc;
}

/* Raw R || S to DER; *der new buffer (OPENSSL_free). */
static int ecdsa_raw_to_der(const unsigned char *raw, size_t clen, unsigned char **der, int *derlen,
                            struct acs_err *err)
{
	ECDSA_SIG *sig = NULL;
	BIGNUM *r = NULL, *s = NULL;
	int rc = 0;

	sig = ECDSA_SIG_new();
	r = BN_bin2bn(raw, (int)clen, NULL);
	s = BN_bin2bn(raw + clen, (int)clen, NULL);
	if (sig == NULL || r == NULL || s == NULL || ECDSA_SIG_set0(sig, r, s) != 1) {
		BN_free(r);
		BN_free(s);
		rc = acs_err_openssl(err, "jws verify: cannot build the ecdsa signature");
		goto out;
	}
	*der = NULL;
	*derlen = i2d_ECDSA_SIG(sig, der);
	if (*derlen <= 0) {
		rc = acs_err_openssl(err, "jws verify: cannot encode the ecdsa signature");
		goto out;
	}
out:
	ECDSA_SIG_free(sig);
	return rc;
}

/* Sign in/inlen with key's own algorithm; *sig new buffer (free()). */
static int key_sign(const struct acs_key *key, const unsigned char *in, size_t inlen,
                    unsigned char **sig, size_t *siglen, struct acs_err *err)
{
	const struct alg_info *ai = alg_lookup(acs_key_alg(key));
	EVP_MD_CTX *ctx = NULL;
	unsigned char *der = NULL, *raw = NULL;
	size_t derlen = 0;
	int rc = 0;

	if (ai == NULL)
		return acs_err_set(err, ACS_E_INVAL, "jws sign: no usable key");
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "jws sign: out of memory");
		goto out;
	}
	if (EVP_DigestSignInit_ex(ctx, NULL, ai->md, NULL, NULL, acs_key_evp(key), NULL) != 1 ||
	    EVP_DigestSign(ctx, NULL, &derlen, in, inlen) != 1) {
		rc = acs_err_openssl(err, "jws sign: cannot start signing");
		goto out;
	}
	der = malloc(derlen ? derlen : 1);
	if (der == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "jws sign: out of memory");
		goto out;
	}
	if (EVP_DigestSign(ctx, der, &derlen, in, inlen) != 1) {
		rc = acs_err_openssl(err, "jws sign: signing failed");
		goto out;
	}
	if (ai->family == FAM_EC) {
		raw = malloc(2 * ai->coord_len);
		if (raw == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "jws sign: out of memory");
			goto out;
		}
		rc = ecdsa_der_to_raw(der, derlen, ai->coord_len, raw, err);
		if (rc != 0)
			goto out;
		*sig = raw;
		*siglen = 2 * ai->coord_len;
		raw = NULL;
	} else {
		*sig = der;
		*siglen = derlen;
		der = NULL;
	}
out:
	free(der);
	free(raw);
	EVP_MD_CTX_free(ctx);
	return rc;
}

int acs_jws_sign_parts(const struct acs_key *key, const char *protected_json, const void *payload,
                       size_t len, struct acs_jws_parts *out, struct acs_err *err)
{
	struct acs_jws_parts parts = {NULL, NULL, NULL};
	struct acs_buf input;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int rc;

	if (key == NULL || protected_json == NULL || out == NULL)
		return acs_err_set(err, ACS_E_INVAL, "jws sign: missing key or header");
	acs_buf_init(&input, 0);
	rc = parts_begin(protected_json, payload, len, &parts, &input, err);
	if (rc != 0)
		goto out;
	rc = key_sign(key, (const unsigned char *)input.data, input.len, &sig, &siglen, err);
	if (rc != 0)
		goto out;
	rc = parts_finish(&parts, sig, siglen, out, err);
out:
	acs_jws_parts_clear(&parts);
	acs_buf_free(&input);
	free(sig);
	return rc;
}

/* HMAC of in with alg's digest; out must hold EVP_MAX_MD_SIZE. */
static int hmac_compute(const struct alg_info *ai, const unsigned char *key, size_t keylen,
                        const unsigned char *in, size_t inlen, unsigned char *out,
                        unsigned int *outlen, struct acs_err *err)
{
	static const unsigned char empty = 0;
	const EVP_MD *md = NULL;

	if (keylen > INT_MAX)
		return acs_err_set(err, ACS_E_INVAL, "hmac key too long");
	if (strcmp(ai->md, "SHA256") == 0)
		md = EVP_sha256();
	else if (strcmp(ai->md, "SHA384") == 0)
		md = EVP_sha384();
	else
		md = EVP_sha512();
	if (HMAC(md, key ? key : &empty, (int)keylen, in, inlen, out, outlen) == NULL)
		return acs_err_openssl(err, "hmac failed");
	return 0;
}

int acs_jws_sign_hmac_parts(const unsigned char *mac_key, size_t mac_len, const char *alg,
                            const char *protected_json, const void *payload, size_t len,
                            struct acs_jws_parts *out, struct acs_err *err)
{
	const struct alg_info *ai = alg_lookup(alg);
	struct acs_jws_parts parts = {NULL, NULL, NULL};
	struct acs_buf input;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	int rc;

	if (ai == NULL || ai->family != FAM_HMAC)
		return acs_err_set(err, ACS_E_INVAL,
		                   "jws sign: alg %s is not HS256, HS384 or HS512",
		                   alg ? alg : "(none)");
	if (protected_json == NULL || out == NULL)
		return acs_err_set(err, ACS_E_INVAL, "jws sign: missing header");
	acs_buf_init(&input, 0);
	rc = parts_begin(protected_json, payload, len, &parts, &input, err);
	if (rc != 0)
		goto out;
	rc = hmac_compute(ai, mac_key, mac_len, (const unsigned char *)input.data, input.len, mac,
	                  &maclen, err);
	if (rc != 0)
		goto out;
	rc = parts_finish(&parts, mac, maclen, out, err);
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	acs_jws_parts_clear(&parts);
	acs_buf_free(&input);
	return rc;
}

char *acs_jws_flatten(const struct acs_jws_parts *p)
{
	json_t *obj = NULL;
	char *out = NULL;

	if (p == NULL || p->protected_b64 == NULL || p->signature_b64 == NULL)
		return NULL;
	obj = json_object();
	if (obj == NULL)
		return NULL;
	if (json_object_set_new(obj, "protected", json_string(p->protected_b64)) != 0 ||
	    (p->payload_b64 != NULL &&
	     json_object_set_new(obj, "payload", json_string(p->payload_b64)) != 0) ||
	    json_object_set_new(obj, "signature", json_string(p->signature_b64)) != 0)
		goto out;
	out = json_dumps(obj, JSON_COMPACT);
out:
	json_decref(obj);
	return out;
}

char *acs_jws_sign(const struct acs_key *key, const json_t *protected_hdr, const void *payload,
                   size_t len, struct acs_err *err)
{
	struct acs_jws_parts parts = {NULL, NULL, NULL};
	char *hdr = NULL, *out = NULL;

	if (!json_is_object(protected_hdr)) {
		acs_err_set(err, ACS_E_INVAL, "jws sign: protected header is not a json object");
		return NULL;
	}
	hdr = json_dumps(protected_hdr, JSON_COMPACT | JSON_SORT_KEYS);
	if (hdr == NULL) {
		acs_err_set(err, ACS_E_NOMEM, "jws sign: cannot serialise the protected header");
		return NULL;
	}
	if (acs_jws_sign_parts(key, hdr, payload, len, &parts, err) != 0)
		goto out;
	out = acs_jws_flatten(&parts);
	if (out == NULL)
		acs_err_set(err, ACS_E_NOMEM, "jws sign: out of memory");
out:
	acs_jws_parts_clear(&parts);
	free(hdr);
	return out;
}

void acs_jws_free(struct acs_jws *jws)
{
	if (jws == NULL)
		return;
	json_decref(jws->protected_hdr);
	free(jws->protected_b64);
	free(jws->payload_b64);
	free(jws->payload);
	free(jws->signature_b64);
	free(jws->signature);
	json_decref(jws->extra_members);
	free(jws);
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/*
 * Store base64url text s (n chars) as *b64 and its decoding as *bin. The
 * message names the member.
 */
static int take_b64(const char *member, const char *s, size_t n, char **b64, unsigned char **bin,
                    size_t *binlen, struct acs_err *err)
{
	struct acs_err sub;
	unsigned char *dec = NULL;
	size_t declen = 0;

	if (acs_b64url_decode(s, n, &dec, &declen, &sub) != 0)
		return acs_err_set(err, ACS_E_PARSE, "jws: member \"%s\": %s", member, sub.msg);
	*b64 = dup_n(s, n);
	if (*b64 == NULL) {
		free(dec);
		return acs_err_set(err, ACS_E_NOMEM, "jws: out of memory");
	}
	*bin = dec;
	*binlen = declen;
	return 0;
}

/* Same for a json member that must be a string when present. */
static int take_member(const char *member, const json_t *v, char **b64, unsigned char **bin,
                       size_t *binlen, struct acs_err *err)
{
	if (!json_is_string(v))
		return acs_err_set(err, ACS_E_PARSE, "jws: member \"%s\" is not a string", member);
	return take_b64(member, json_string_value(v), json_string_length(v), b64, bin, binlen, err);
}

/* Decode the protected header text into jws->protected_hdr. */
static int decode_protected(struct acs_jws *jws, const unsigned char *text, size_t len,
                            struct acs_err *err)
{
	json_error_t jerr;
	json_t *hdr;

	hdr = json_loadb((const char *)text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (hdr == NULL)
		return acs_err_set(err, ACS_E_PARSE, "jws: protected header is not json: %s",
		                   jerr.text);
	if (!json_is_object(hdr)) {
		json_decref(hdr);
		return acs_err_set(err, ACS_E_PARSE, "jws: protected header is not a json object");
	}
	jws->protected_hdr = hdr;
	return 0;
}

static int parse_compact(struct acs_jws *jws, const char *s, size_t n, struct acs_err *err)
{
	const char *dot1, *dot2;
	unsigned char *prot = NULL;
	size_t protlen = 0, dots = 0, i;
	int rc;

	for (i = 0; i < n; i++) {
		if (s[i] == '.')
			dots++;
	}
	if (dots != 2)
		return acs_err_set(err, ACS_E_PARSE,
		                   "jws: compact serialization needs 3 parts, found %zu", dots + 1);
	dot1 = memchr(s, '.', n);
	dot2 = memchr(dot1 + 1, '.', n - (size_t)(dot1 + 1 - s));
	jws->form = ACS_JWS_COMPACT;
	jws->nsignatures = 1;
	rc =
	    take_b64("protected", s, (size_t)(dot1 - s), &jws->protected_b64, &prot, &protlen, err);
	if (rc != 0)
		goto out;
	rc = take_b64("payload", dot1 + 1, (size_t)(dot2 - dot1 - 1), &jws->payload_b64,
	              &jws->payload, &jws->payload_len, err);
	if (rc != 0)
		goto out;
	rc = take_b64("signature", dot2 + 1, n - (size_t)(dot2 + 1 - s), &jws->signature_b64,
	              &jws->signature, &jws->signature_len, err);
	if (rc != 0)
		goto out;
	rc = decode_protected(jws, prot, protlen, err);
out:
	free(prot);
	return rc;
}

static int parse_json(struct acs_jws *jws, const char *s, size_t n, struct acs_err *err)
{
	static const char *const flat_known[] = {"protected", "payload", "signature", "header",
	                                         NULL};
	static const char *const general_known[] = {"payload", "signatures", NULL};
	const char *const *known;
	json_error_t jerr;
	json_t *body = NULL, *sigobj, *sigs, *v;
	unsigned char *prot = NULL;
	size_t protlen = 0;
	const char *key;
	int rc = 0;

	body = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
	if (body == NULL) {
		rc = acs_err_set(err, ACS_E_PARSE, "jws: body is not json: %s (line %d column %d)",
		                 jerr.text, jerr.line, jerr.column);
		goto out;
	}
	if (!json_is_object(body)) {
		rc = acs_err_set(err, ACS_E_PARSE, "jws: body is not a json object");
		goto out;
	}
	sigs = json_object_get(body, "signatures");
	if (sigs != NULL) {
		jws->form = ACS_JWS_GENERAL;
		known = general_known;
		if (!json_is_array(sigs) || json_array_size(sigs) == 0) {
			rc = acs_err_set(err, ACS_E_PARSE,
			                 "jws: member \"signatures\" is not a non-empty array");
			goto out;
		}
		if (json_array_size(sigs) > INT_MAX) {
			rc = acs_err_set(err, ACS_E_PARSE, "jws: too many signatures");
			goto out;
		}
		jws->nsignatures = (int)json_array_size(sigs);
		sigobj = json_array_get(sigs, 0);
		if (!json_is_object(sigobj)) {
			rc = acs_err_set(err, ACS_E_PARSE,
			                 "jws: first element of \"signatures\" is not an object");
			goto out;
		}
	} else {
		jws->form = ACS_JWS_FLATTENED;
		jws->nsignatures = 1;
		known = flat_known;
		sigobj = body;
	}
	if (json_object_get(sigobj, "header") != NULL)
		jws->has_unprotected_header = 1;
	v = json_object_get(sigobj, "protected");
	if (v == NULL) {
		rc = acs_err_set(err, ACS_E_PARSE, "jws: member \"protected\" is missing");
		goto out;
	}
	rc = take_member("protected", v, &jws->protected_b64, &prot, &protlen, err);
	if (rc != 0)
		goto out;
	v = json_object_get(body, "payload");
	if (v != NULL) {
		rc = take_member("payload", v, &jws->payload_b64, &jws->payload, &jws->payload_len,
		                 err);
		if (rc != 0)
			goto out;
	}
	v = json_object_get(sigobj, "signature");
	if (v == NULL) {
		rc = acs_err_set(err, ACS_E_PARSE, "jws: member \"signature\" is missing");
		goto out;
	}
	rc = take_member("signature", v, &jws->signature_b64, &jws->signature, &jws->signature_len,
	                 err);
	if (rc != 0)
		goto out;
	rc = decode_protected(jws, prot, protlen, err);
	if (rc != 0)
		goto out;
	json_object_foreach(body, key, v)
	{
		size_t i;
		int is_known = 0;

		for (i = 0; known[i] != NULL; i++) {
			if (strcmp(known[i], key) == 0)
				is_known = 1;
		}
		if (is_known)
			continue;
		if (jws->extra_members == NULL) {
			jws->extra_members = json_object();
			if (jws->extra_members == NULL) {
				rc = acs_err_set(err, ACS_E_NOMEM, "jws: out of memory");
				goto out;
			}
		}
		if (json_object_set(jws->extra_members, key, v) != 0) {
			rc = acs_err_set(err, ACS_E_NOMEM, "jws: out of memory");
			goto out;
		}
	}
out:
	free(prot);
	json_decref(body);
	return rc;
}

static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

int acs_jws_parse(const char *body, size_t len, struct acs_jws **out, struct acs_err *err)
{
	struct acs_jws *jws = NULL;
	size_t start = 0, end = len;
	int rc;

	if (body == NULL && len > 0)
		return acs_err_set(err, ACS_E_INVAL, "jws: no body");
	while (start < end && is_ws(body[start]))
		start++;
	while (end > start && is_ws(body[end - 1]))
		end--;
	if (start == end)
		return acs_err_set(err, ACS_E_PARSE, "jws: empty body");
	jws = calloc(1, sizeof(*jws));
	if (jws == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "jws: out of memory");
	if (body[start] == '{')
		rc = parse_json(jws, body + start, end - start, err);
	else if (memchr(body + start, '.', end - start) != NULL)
		rc = parse_compact(jws, body + start, end - start, err);
	else
		rc = acs_err_set(err, ACS_E_PARSE,
		                 "jws: body is neither a json object nor compact serialization");
	if (rc != 0) {
		acs_jws_free(jws);
		return rc;
	}
	*out = jws;
	return 0;
}

const char *acs_jws_header_str(const struct acs_jws *jws, const char *name)
{
	if (jws == NULL || jws->protected_hdr == NULL || name == NULL)
		return NULL;
	return json_string_value(json_object_get(jws->protected_hdr, name));
}

/* The header's alg, or an ACS_E_VERIFY error when it is missing or not a string. */
static int header_alg(const struct acs_jws *jws, const char **alg, struct acs_err *err)
{
	const json_t *v;

	if (jws == NULL || jws->protected_hdr == NULL)
		return acs_err_set(err, ACS_E_INVAL, "jws verify: no parsed jws");
	v = json_object_get(jws->protected_hdr, "alg");
	if (v == NULL)
		return acs_err_set(err, ACS_E_VERIFY, "protected header has no \"alg\"");
	if (!json_is_string(v))
		return acs_err_set(err, ACS_E_VERIFY, "protected header \"alg\" is not a string");
	*alg = json_string_value(v);
	return 0;
}

/* Check that alg ai may be used with key; precise message otherwise. */
static int alg_matches_key(const struct alg_info *ai, const struct acs_key *key,
                           struct acs_err *err)
{
	const char *kalg = acs_key_alg(key);
	const struct alg_info *ki = alg_lookup(kalg);
	int ok;

	if (ki == NULL)
		return acs_err_set(err, ACS_E_INVAL, "jws verify: no usable key");
	switch (ai->family) {
	case FAM_RSA:
	case FAM_RSA_PSS:
		ok = ki->family == FAM_RSA;
		break;
	case FAM_EC:
		ok = strcmp(ai->name, kalg) == 0;
		break;
	case FAM_EDDSA:
		ok = ki->family == FAM_EDDSA;
		break;
	default:
		ok = 0;
		break;
	}
	if (!ok)
		return acs_err_set(err, ACS_E_VERIFY, "alg %s does not match %s", ai->name,
		                   key_description(key));
	return 0;
}

int acs_jws_verify(const struct acs_jws *jws, const struct acs_key *key, struct acs_err *err)
{
	const struct alg_info *ai;
	const char *alg = NULL;
	struct acs_buf input;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *der = NULL;
	const unsigned char *sig;
	size_t siglen;
	int derlen = 0, rc, vr;

	if (key == NULL)
		return acs_err_set(err, ACS_E_INVAL, "jws verify: no key");
	rc = header_alg(jws, &alg, err);
	if (rc != 0)
		return rc;
	if (strcmp(alg, "none") == 0)
		return acs_err_set(err, ACS_E_VERIFY, "alg none is not allowed");
	ai = alg_lookup(alg);
	if (ai == NULL)
		return acs_err_set(err, ACS_E_UNSUPPORTED, "alg %.64s is not supported", alg);
	if (ai->family == FAM_HMAC)
		return acs_err_set(err, ACS_E_VERIFY, "alg %s is a mac, not a signature with %s",
		                   alg, key_description(key));
	rc = alg_matches_key(ai, key, err);
	if (rc != 0)
		return rc;
	acs_buf_init(&input, 0);
	if (signing_input(&input, jws->protected_b64, jws->payload_b64) != 0) {
		rc = acs_err_set(err, ACS_E_NOMEM, "jws verify: out of memory");
		goto out;
	}
	sig = jws->signature;
	siglen = jws->signature_len;
	if (ai->family == FAM_EC) {
		if (siglen != 2 * ai->coord_len) {
			rc = acs_err_set(err, ACS_E_VERIFY,
			                 "signature is %zu octets, %s needs %zu (raw R || S)",
			                 siglen, alg, 2 * ai->coord_len);
			goto out;
		}
		rc = ecdsa_raw_to_der(sig, ai->coord_len, &der, &derlen, err);
		if (rc != 0)
			goto out;
		sig = der;
		siglen = (size_t)derlen;
	} else if (ai->family == FAM_EDDSA && siglen != 64) {
		rc = acs_err_set(err, ACS_E_VERIFY, "signature is %zu octets, EdDSA needs 64",
		                 siglen);
		goto out;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "jws verify: out of memory");
		goto out;
	}
	if (EVP_DigestVerifyInit_ex(ctx, &pctx, ai->md, NULL, NULL, acs_key_evp(key), NULL) != 1) {
		rc = acs_err_openssl(err, "jws verify: cannot start verifying");
		goto out;
	}
	if (ai->family == FAM_RSA_PSS &&
	    (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
	     EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
		rc = acs_err_openssl(err, "jws verify: cannot set rsa-pss padding");
		goto out;
	}
	vr = EVP_DigestVerify(ctx, sig, siglen, (const unsigned char *)input.data, input.len);
	ERR_clear_error();
	if (vr != 1)
		rc = acs_err_set(err, ACS_E_VERIFY, "signature does not verify");
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(ctx);
	acs_buf_free(&input);
	return rc;
}

int acs_jws_verify_hmac(const struct acs_jws *jws, const unsigned char *mac_key, size_t mac_len,
                        struct acs_err *err)
{
	const struct alg_info *ai;
	const char *alg = NULL;
	struct acs_buf input;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	int rc;

	rc = header_alg(jws, &alg, err);
	if (rc != 0)
		return rc;
	ai = alg_lookup(alg);
	if (ai == NULL || ai->family != FAM_HMAC)
		return acs_err_set(err, ACS_E_VERIFY,
		                   "alg %.64s is not a mac algorithm (HS256, HS384, HS512)", alg);
	acs_buf_init(&input, 0);
	if (signing_input(&input, jws->protected_b64, jws->payload_b64) != 0) {
		rc = acs_err_set(err, ACS_E_NOMEM, "jws verify: out of memory");
		goto out;
	}
	rc = hmac_compute(ai, mac_key, mac_len, (const unsigned char *)input.data, input.len, mac,
	                  &maclen, err);
	if (rc != 0)
		goto out;
	/* the length is public; the content comparison must not leak timing */
	if (jws->signature_len != maclen || CRYPTO_memcmp(mac, jws->signature, maclen) != 0)
		rc = acs_err_set(err, ACS_E_VERIFY, "mac does not verify");
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	acs_buf_free(&input);
	return rc;
}

/* ---- describe: a transcript rendering that never fails on bad input ---- */

#define DESCRIBE_MAX        ((size_t)512 * 1024)
#define DESCRIBE_EXCERPT    200
#define DESCRIBE_PRETTY_MAX ((size_t)64 * 1024)

/* Length of the valid UTF-8 sequence at data (at most len bytes), or 0. */
static size_t utf8_seq(const unsigned char *data, size_t len)
{
	size_t need, i;
	unsigned char c = data[0];

	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;
	if (need > len)
		return 0;
	for (i = 1; i < need; i++) {
		if ((data[i] & 0xc0) != 0x80)
			return 0;
	}
	/* overlong three and four byte forms, surrogates, above U+10FFFF */
	if ((c == 0xe0 && data[1] < 0xa0) || (c == 0xed && data[1] >= 0xa0) ||
	    (c == 0xf0 && data[1] < 0x90) || (c == 0xf4 && data[1] >= 0x90))
		return 0;
	return need;
}

/*
 * Append at most max bytes of data as valid UTF-8 text: control characters
 * other than newline and tab, and invalid UTF-8, become \xNN.
 */
static void put_escaped(struct acs_buf *b, const unsigned char *data, size_t len, size_t max)
{
	size_t i = 0, n = len < max ? len : max, seq;

	while (i < n) {
		unsigned char c = data[i];

		seq = c >= 0x80 ? utf8_seq(data + i, n - i) : 0;
		if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
			acs_buf_append(b, &c, 1);
			i++;
		} else if (seq > 0) {
			acs_buf_append(b, data + i, seq);
			i += seq;
		} else {
			acs_buf_printf(b, "\\x%02x", c);
			i++;
		}
	}
	if (n < len)
		acs_buf_printf(b, "... (%zu more bytes)", len - n);
}

/* 1 when data looks like text (no control characters but white space). */
static int looks_like_text(const unsigned char *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (data[i] < 0x20 && data[i] != '\n' && data[i] != '\r' && data[i] != '\t')
			return 0;
		if (data[i] == 0x7f)
			return 0;
	}
	return 1;
}

/* Pretty JSON of v, truncated. */
static void put_pretty(struct acs_buf *b, const json_t *v)
{
	char *text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);

	if (text == NULL) {
		acs_buf_puts(b, "(cannot render json)");
		return;
	}
	put_escaped(b, (const unsigned char *)text, strlen(text), DESCRIBE_PRETTY_MAX);
	free(text);
}

/* Decoded bytes: pretty JSON when they are JSON, else text or a byte count. */
static void put_decoded(struct acs_buf *b, const unsigned char *data, size_t len)
{
	json_error_t jerr;
	json_t *v;

	v = json_loadb((const char *)data, len, JSON_DECODE_ANY, &jerr);
	if (v != NULL) {
		put_pretty(b, v);
		json_decref(v);
		return;
	}
	if (looks_like_text(data, len)) {
		acs_buf_printf(b, "(not json: %s) ", jerr.text);
		put_escaped(b, data, len, DESCRIBE_PRETTY_MAX);
		return;
	}
	acs_buf_printf(b, "(%zu bytes of binary data)", len);
}

/*
 * Lenient base64 decoding for the transcript only: accepts padding and the
 * plain base64 alphabet, so that a bad request can still be shown decoded.
 */
static int lenient_b64(const char *s, size_t len, unsigned char **out, size_t *outlen)
{
	unsigned char *buf = malloc(len / 4 * 3 + 3);
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0, v;

	if (buf == NULL)
		return -1;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= 'a' && c <= 'z')
			v = c - 'a' + 26;
		else if (c >= '0' && c <= '9')
			v = c - '0' + 52;
		else if (c == '-' || c == '+')
			v = 62;
		else if (c == '_' || c == '/')
			v = 63;
		else if (c == '=' || is_ws(c))
			continue;
		else
			goto fail;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	*out = buf;
	*outlen = o;
	return 0;
fail:
	free(buf);
	return -1;
}

/* Describe one base64url member: decoded when possible, else why not. */
static void describe_member(struct acs_buf *b, const char *label, const json_t *v, int show_decoded)
{
	struct acs_err sub;
	unsigned char *dec = NULL;
	size_t declen = 0;
	const char *s;
	size_t n;

	if (v == NULL) {
		acs_buf_printf(b, "%s: absent\n", label);
		return;
	}
	if (!json_is_string(v)) {
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

		acs_buf_printf(b, "%s: not a string: ", label);
		if (text != NULL)
			put_escaped(b, (const unsigned char *)text, strlen(text), DESCRIBE_EXCERPT);
		acs_buf_puts(b, "\n");
		free(text);
		return;
	}
	s = json_string_value(v);
	n = json_string_length(v);
	acs_buf_printf(b, "%s", label);
	if (acs_b64url_decode(s, n, &dec, &declen, &sub) != 0) {
		acs_buf_printf(b, " (cannot decode: %s", sub.msg);
		if (lenient_b64(s, n, &dec, &declen) != 0) {
			acs_buf_puts(b, "): raw ");
			put_escaped(b, (const unsigned char *)s, n, DESCRIBE_EXCERPT);
			acs_buf_puts(b, "\n");
			return;
		}
		acs_buf_puts(b, "; decoded leniently)");
	}
	if (!show_decoded) {
		acs_buf_printf(b, ": %zu bytes, ", declen);
		if (n > 24) {
			acs_buf_append(b, s, 16);
			acs_buf_puts(b, "...");
			acs_buf_append(b, s + n - 8, 8);
		} else {
			put_escaped(b, (const unsigned char *)s, n, 24);
		}
		acs_buf_puts(b, "\n");
	} else if (declen == 0) {
		acs_buf_puts(b, ": empty\n");
	} else {
		acs_buf_puts(b, ":\n");
		put_decoded(b, dec, declen);
		acs_buf_puts(b, "\n");
	}
	free(dec);
}

static void describe_compact(struct acs_buf *b, const char *s, size_t n)
{
	static const char *const labels[] = {"protected", "payload", "signature"};
	size_t start = 0, part = 0, i;

	acs_buf_puts(b, "JWS compact serialization\n");
	for (i = 0; i <= n; i++) {
		json_t *v;

		if (i < n && s[i] != '.')
			continue;
		if (part < 3) {
			v = json_stringn(s + start, i - start);
			if (v == NULL) {
				acs_buf_printf(b, "%s: not valid text\n", labels[part]);
			} else {
				describe_member(b, labels[part], v, part < 2);
				json_decref(v);
			}
		}
		part++;
		start = i + 1;
	}
	if (part != 3)
		acs_buf_printf(b, "(compact serialization needs 3 parts, found %zu)\n", part);
}

static void describe_json(struct acs_buf *b, json_t *body, int dup)
{
	json_t *sigs = json_object_get(body, "signatures");
	json_t *sigobj = body, *v;
	const char *key;
	int first = 1;

	if (sigs != NULL) {
		if (json_is_array(sigs))
			acs_buf_printf(b, "JWS general JSON serialization, %zu signature(s)\n",
			               json_array_size(sigs));
		else
			acs_buf_puts(b, "JWS general JSON serialization, \"signatures\" is not "
			                "an array\n");
		sigobj = json_array_get(sigs, 0);
		if (!json_is_object(sigobj)) {
			acs_buf_puts(b, "(no usable first signature object)\n");
			sigobj = NULL;
		}
	} else {
		acs_buf_puts(b, "JWS flattened JSON serialization\n");
	}
	if (dup)
		acs_buf_puts(b, "(duplicate member names in the body)\n");
	describe_member(b, "protected", sigobj ? json_object_get(sigobj, "protected") : NULL, 1);
	describe_member(b, "payload", json_object_get(body, "payload"), 1);
	describe_member(b, "signature", sigobj ? json_object_get(sigobj, "signature") : NULL, 0);
	v = sigobj ? json_object_get(sigobj, "header") : NULL;
	if (v != NULL) {
		acs_buf_puts(b, "unprotected header:\n");
		put_pretty(b, v);
		acs_buf_puts(b, "\n");
	}
	json_object_foreach(body, key, v)
	{
		if (strcmp(key, "protected") == 0 || strcmp(key, "payload") == 0 ||
		    strcmp(key, "signature") == 0 || strcmp(key, "header") == 0 ||
		    strcmp(key, "signatures") == 0)
			continue;
		if (first)
			acs_buf_puts(b, "extra members:");
		first = 0;
		acs_buf_printf(b, " \"%.64s\"", key);
	}
	if (!first)
		acs_buf_puts(b, "\n");
}

char *acs_jws_describe(const char *body, size_t len)
{
	struct acs_buf b;
	json_error_t jerr;
	json_t *v = NULL;
	size_t start = 0, end = len;

	acs_buf_init(&b, DESCRIBE_MAX);
	if (body == NULL)
		len = end = 0;
	while (start < end && is_ws(body[start]))
		start++;
	while (end > start && is_ws(body[end - 1]))
		end--;
	if (start == end) {
		acs_buf_puts(&b, "(empty body)\n");
	} else if (body[start] == '{' || body[start] == '[') {
		v = json_loadb(body + start, end - start, 0, &jerr);
		if (v == NULL) {
			acs_buf_printf(&b, "not a JWS: body is not json (%s); raw: ", jerr.text);
			put_escaped(&b, (const unsigned char *)body + start, end - start,
			            DESCRIBE_EXCERPT);
			acs_buf_puts(&b, "\n");
		} else if (!json_is_object(v)) {
			acs_buf_puts(&b, "not a JWS: body is json but not an object\n");
		} else {
			json_t *strict =
			    json_loadb(body + start, end - start, JSON_REJECT_DUPLICATES, &jerr);

			describe_json(&b, v, strict == NULL);
			json_decref(strict);
		}
		json_decref(v);
	} else if (memchr(body + start, '.', end - start) != NULL) {
		describe_compact(&b, body + start, end - start);
	} else {
		acs_buf_puts(&b, "not a JWS: neither json nor compact serialization; raw: ");
		put_escaped(&b, (const unsigned char *)body + start, end - start, DESCRIBE_EXCERPT);
		acs_buf_puts(&b, "\n");
	}
	return acs_buf_steal(&b);
}
