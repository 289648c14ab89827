/*
 * Account and certificate keys, their JWK form (RFC 7517/7518/8037) and
 * RFC 7638 thumbprints, and ACME key authorizations (RFC 8555 section 8.1).
 */
#ifndef ACMESPEC_JWK_H
#define ACMESPEC_JWK_H

#include <jansson.h>
#include <openssl/evp.h>
#include "harness/err.h"

enum acs_key_type {
	ACS_KEY_RSA2048,
	ACS_KEY_RSA3072,
	ACS_KEY_RSA4096,
	ACS_KEY_RSA1024, /* too small on purpose: for badPublicKey cases */
	ACS_KEY_EC256,
	ACS_KEY_EC384,
	ACS_KEY_ED25519
};

struct acs_key; /* opaque: an EVP_PKEY (private or public only) */

/*
 * Parse "rsa2048", "rsa3072", "rsa4096", "rsa1024", "ec256"/"p256"/"es256",
 * "ec384"/"p384"/"es384", "ed25519"/"eddsa". Returns 0 or ACS_E_INVAL.
 */
int acs_key_type_parse(const char *name, enum acs_key_type *out);

/* Generate a new key. *out: new reference, free with acs_key_free. */
int acs_key_generate(struct acs_key **out, enum acs_key_type type, struct acs_err *err);

/*
 * Generate an EC P-256 key whose public x coordinate (or, with which = 'y',
 * y) has a leading zero octet, so that RFC 8555 section 8.1's "leading zero
 * octets stripped" mistake changes the thumbprint. Loops until found.
 */
int acs_key_generate_leading_zero(struct acs_key **out, char which, struct acs_err *err);

/* Wrap pkey; takes a new reference on it (EVP_PKEY_up_ref). */
int acs_key_from_evp(struct acs_key **out, EVP_PKEY *pkey, struct acs_err *err);

/* Load a PEM private key (PKCS#8 or traditional). */
int acs_key_from_pem(struct acs_key **out, const char *pem, size_t len, struct acs_err *err);

/* PKCS#8 PEM of the private key; new string, caller frees with free(). */
char *acs_key_to_pem(const struct acs_key *key);

void acs_key_free(struct acs_key *key); /* NULL allowed */

/* Borrowed; valid while key lives. */
EVP_PKEY *acs_key_evp(const struct acs_key *key);

/*
 * The JWS alg that goes with the key: "RS256", "ES256", "ES384", "EdDSA".
 * Static string.
 */
const char *acs_key_alg(const struct acs_key *key);

/* 1 when both keys hold the same public key. */
int acs_key_equal(const struct acs_key *a, const struct acs_key *b);

/* Public JWK of the key as a new json_t object (caller json_decref). */
json_t *acs_jwk_public(const struct acs_key *key);

/*
 * Import a public JWK (kty RSA, EC P-256/P-384/P-521, OKP Ed25519). Rejects
 * missing members, bad base64url, wrong lengths, points not on the curve,
 * private members ("d") and RSA moduli under 2048 bits unless allow_weak.
 * Messages name the member: "jwk: member \"x\" is not base64url".
 */
int acs_jwk_import(const json_t *jwk, int allow_weak, struct acs_key **out, struct acs_err *err);

/*
 * RFC 7638 thumbprint (SHA-256, base64url) of a public JWK: only the
 * required members, lexicographic order, no white space. New string, free().
 */
char *acs_jwk_thumbprint(const json_t *jwk, struct acs_err *err);
char *acs_key_thumbprint(const struct acs_key *key, struct acs_err *err);

/* token "." thumbprint (section 8.1). New string, free(). */
char *acs_keyauth(const char *token, const struct acs_key *key, struct acs_err *err);

/* base64url(SHA-256(keyauth)): the dns-01 TXT value (section 8.4). New string. */
char *acs_keyauth_digest_b64(const char *keyauth);

/* Raw SHA-256(keyauth) into out[32]: the tls-alpn-01 acmeIdentifier value. */
void acs_keyauth_digest(const char *keyauth, unsigned char out[32]);

#endif
