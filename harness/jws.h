/*
 * JSON Web Signatures as ACME uses them (RFC 7515, RFC 8555 section 6.2):
 * flattened JSON serialization, signing with an account key or an HMAC key
 * (External Account Binding), parsing that records every deviation a
 * request check may judge, and verification.
 *
 * ECDSA signatures are the raw R || S form of RFC 7518 section 3.4, not DER.
 */
#ifndef ACMESPEC_JWS_H
#define ACMESPEC_JWS_H

#include <jansson.h>
#include <stddef.h>
#include "harness/err.h"
#include "harness/jwk.h"

/* The three base64url parts of a JWS, each a new string (free with free()). */
struct acs_jws_parts {
	char *protected_b64;
	char *payload_b64;
	char *signature_b64;
};

void acs_jws_parts_clear(struct acs_jws_parts *p); /* frees the strings */

/*
 * Sign: protected_json is the exact protected header text to encode (the
 * caller builds it, so misbehaving headers are possible); payload/len the
 * payload bytes ("" with len 0 for POST-as-GET). The signing algorithm is
 * the key's own (acs_key_alg), whatever the header claims.
 */
int acs_jws_sign_parts(const struct acs_key *key, const char *protected_json, const void *payload,
                       size_t len, struct acs_jws_parts *out, struct acs_err *err);

/* Same with an HMAC key; alg is "HS256", "HS384" or "HS512". */
int acs_jws_sign_hmac_parts(const unsigned char *mac_key, size_t mac_len, const char *alg,
                            const char *protected_json, const void *payload, size_t len,
                            struct acs_jws_parts *out, struct acs_err *err);

/*
 * {"protected":..,"payload":..,"signature":..} as a new string (free()).
 */
char *acs_jws_flatten(const struct acs_jws_parts *p);

/*
 * Convenience: build a header object (borrowed; serialised compactly with
 * sorted keys), sign payload with key, return the flattened JWS string.
 */
char *acs_jws_sign(const struct acs_key *key, const json_t *protected_hdr, const void *payload,
                   size_t len, struct acs_err *err);

/* What a parsed request body looked like, beyond its content. */
enum acs_jws_form {
	ACS_JWS_FLATTENED = 0,
	ACS_JWS_COMPACT, /* a.b.c text */
	ACS_JWS_GENERAL  /* "signatures" array */
};

struct acs_jws {
	enum acs_jws_form form;
	json_t *protected_hdr;  /* decoded protected header (owned) */
	char *protected_b64;    /* as received (owned) */
	char *payload_b64;      /* as received; NULL when the member is absent */
	unsigned char *payload; /* decoded (owned, NUL-terminated); NULL if absent */
	size_t payload_len;
	char *signature_b64;      /* as received (owned) */
	unsigned char *signature; /* decoded (owned) */
	size_t signature_len;
	int has_unprotected_header; /* a "header" member was present */
	int nsignatures;            /* general form: number of signatures */
	json_t *extra_members;      /* unknown top-level members (owned), or NULL */
};

/*
 * Parse a request body. Accepts flattened, general (first signature) and
 * compact forms so that checks can say which rule was broken, but fails
 * with ACS_E_PARSE on anything it cannot decode: not JSON, a member that is
 * not a string, padded or otherwise invalid base64url (the message names
 * the member and the offset), a protected header that is not a JSON object.
 * *out: new object, free with acs_jws_free.
 */
int acs_jws_parse(const char *body, size_t len, struct acs_jws **out, struct acs_err *err);

void acs_jws_free(struct acs_jws *jws); /* NULL allowed */

/* Borrowed string member of the protected header, NULL when absent or not a string. */
const char *acs_jws_header_str(const struct acs_jws *jws, const char *name);

/*
 * Verify the signature over protected_b64 "." payload_b64 with key.
 * Checks that the header's alg is the one that goes with the key (RS256 for
 * RSA, ES256/ES384/ES512 by curve, EdDSA for Ed25519). Returns 0,
 * ACS_E_VERIFY ("signature does not verify", "alg RS256 does not match an
 * EC P-256 key") or ACS_E_UNSUPPORTED for algs it does not implement.
 */
int acs_jws_verify(const struct acs_jws *jws, const struct acs_key *key, struct acs_err *err);

/* Verify an HS256/384/512 JWS with mac_key (constant-time comparison). */
int acs_jws_verify_hmac(const struct acs_jws *jws, const unsigned char *mac_key, size_t mac_len,
                        struct acs_err *err);

/*
 * Render a JWS body for a transcript: protected header and payload decoded
 * and pretty-printed, the signature shortened. Never fails on bad input: it
 * describes what it could not decode. New string (free()).
 */
char *acs_jws_describe(const char *body, size_t len);

#endif
