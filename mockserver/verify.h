/*
 * Request verification (verify.c, RFC 8555 section 6): the Content-Type,
 * the JWS (flattened, protected header, alg, signature), the key source
 * (jwk or kid and the account it names), the nonce, the url header, the
 * signer's account status and the payload, and the scripted faults. Each
 * check a client breaks is recorded before the CA answers the way the RFC
 * says, or the way a misbehaviour bends it.
 *
 * Every function runs with the scenario's lock held.
 */
#ifndef ACMESPEC_MOCKCA_VERIFY_H
#define ACMESPEC_MOCKCA_VERIFY_H

#include <jansson.h>
#include "harness/jwk.h"
#include "harness/jws.h"

struct mca_req;
struct mca_account;

/* Where the resource wants the signing key from (section 6.2). */
enum keysrc { KS_KID, KS_JWK, KS_EITHER };

/* A verified POST. */
struct mca_post {
	struct acs_jws *jws;      /* owned */
	struct mca_account *acct; /* the signer's account (kid, or jwk of a known key); borrowed */
	struct acs_key *key;      /* the verifying key (owned when key_owned) */
	int key_owned;
	json_t *jwk;     /* borrowed from the protected header when jwk was used */
	json_t *payload; /* parsed payload (owned); NULL for POST-as-GET */
	int post_as_get;
};

/*
 * Verify a POST per section 6 and fill p (zeroed by the caller). Returns 0,
 * or -1 with the problem response already set. Release p with
 * acs_mca_post_clear either way.
 */
int acs_mca_verify_post(struct mca_req *r, enum keysrc ks, struct mca_post *p);

/* Free what p owns and zero it. */
void acs_mca_post_clear(struct mca_post *p);

/* For resources read by POST-as-GET: the payload must be "" (section 6.3); else -1, answered. */
int acs_mca_want_post_as_get(struct mca_req *r, struct mca_post *p);

/* The payload must be a JSON object; else -1, answered 400. */
int acs_mca_want_object(struct mca_req *r, struct mca_post *p);

/* The signer must be the owner (account id owner); else -1, answered 403 unauthorized. */
int acs_mca_want_owner(struct mca_req *r, struct mca_post *p, int owner);

/* Does alg name the algorithm of key? */
int acs_mca_alg_fits_key(const char *alg, const struct acs_key *key);

/* Answer badSignatureAlgorithm with the algorithms the CA accepts (section 6.2). */
void acs_mca_bad_alg(struct mca_req *r, const char *detail);

#endif
