/*
 * Request bodies of the mock client engine that are JWS or certificates in
 * their own right, built once for the server cases' actions and the client
 * flow (flow.h): the external account binding (RFC 8555 7.3.4), the inner
 * JWS of a key change (7.3.5), the finalize and revocation payloads (7.4,
 * 7.6), and the check that a downloaded leaf is for the CSR's key. Each
 * can be built wrong on purpose, as the misbehaviours of misbehave.h ask.
 */
#ifndef ACMESPEC_FORMS_H
#define ACMESPEC_FORMS_H

#include <jansson.h>
#include <stddef.h>

#include "harness/err.h"
#include "harness/jwk.h"
#include "harness/x509.h"
#include "mockclient/acme.h"

/* What an external account binding says. Every pointer is borrowed. */
struct acs_acme_eab {
	const char *kid;          /* the EAB key identifier */
	const unsigned char *mac; /* the EAB MAC key */
	size_t mac_len;
	const char *url;                /* the protected "url" (the newAccount URL) */
	const struct acs_key *acct_key; /* the account key the binding is for */
	const char *alg;                /* a claimed alg ("ES256"), or NULL: HS256 */
	const char *nonce;              /* a nonce in the protected header, or NULL */
	int other_key;                  /* bind a fresh key, not acct_key */
	acs_mis_set mis;                /* ALG_NONE (signed with acct_key), SIG_CORRUPT */
};

/* The externalAccountBinding object, a flattened JWS. New reference, or NULL with err. */
json_t *acs_acme_eab_make(const struct acs_acme_eab *e, struct acs_err *err);

/* What the inner JWS of a key change says. Every pointer is borrowed. */
struct acs_acme_keychange {
	const char *url;               /* the keyChange URL */
	const char *account_url;       /* the account's URL */
	const struct acs_key *new_key; /* signs the inner JWS */
	const struct acs_key *old_key; /* the account's current key ("oldKey") */
	const char *other_url;         /* inner-url-mismatch: this url instead */
	acs_mis_set mis;               /* the inner-* misbehaviours (ACS_MIS_INNER_MASK) */
	int with_nonce;                /* a nonce in the inner header (keychange-inner-nonce) */
};

/* The outer payload of a key change: the inner JWS (or plain JSON). New string, or NULL. */
char *acs_acme_keychange_inner(const struct acs_acme_keychange *k, struct acs_err *err);

/*
 * The revokeCert payload {certificate, reason} for the first certificate
 * of a PEM chain. reason: borrowed JSON, or NULL to leave it out. New
 * string, or NULL with err.
 */
char *acs_acme_revoke_payload(const char *pem, const json_t *reason, struct acs_err *err);

/* The finalize payload {"csr": base64url(der)} (7.4). New string, or NULL with err. */
char *acs_acme_finalize_payload(const unsigned char *der, size_t der_len, struct acs_err *err);

/*
 * A DER CSR for a CSR variant the shared helper cannot make: subject CN only,
 * no SAN (script_x509.c). *der: new buffer (free()).
 */
int acs_csr_make_cn_only(const struct acs_key *key, const char *cn, unsigned char **der,
                         size_t *der_len, struct acs_err *err);

/* A DER CSR naming ids in the SAN that asks for OCSP Must-Staple (RFC 7633 status_request). */
int acs_csr_make_must_staple(const struct acs_key *key, const struct acs_ident *ids, size_t n,
                             unsigned char **der, size_t *der_len, struct acs_err *err);

/*
 * The cert-download facts a profile changes: validity_hours (notBefore to
 * notAfter), ocsp_url (an OCSP access method in the AIA), crl_dp (a CRL
 * distribution point). Nothing for a NULL leaf.
 */
void acs_leaf_profile_facts(X509 *leaf, json_t *facts);

/* 1 when the chain's first certificate is for the public half of key (NULL: 0). */
int acs_acme_leaf_is_for(const struct acs_chain *chain, const struct acs_key *key);

#endif
