/*
 * The mock CA's nonce store (RFC 8555 section 6.5): a bounded ring of the
 * last N nonces issued, each usable once, indexed by a hash table so that
 * issuing and using one take constant time. Memory is fixed at creation and
 * never grows, whatever a client does (a million nonces asked for and never
 * used cost nothing more); a nonce evicted from the ring is simply unknown,
 * which the CA answers with badNonce (6.5: a server may refuse old nonces).
 *
 * Not thread-safe: the mock CA holds the scenario's lock around every call.
 */
#ifndef ACMESPEC_MOCKCA_NONCE_H
#define ACMESPEC_MOCKCA_NONCE_H

#include <stddef.h>

#define ACS_NONCE_MAX 64 /* room for any nonce this store issues, NUL included */

struct acs_nonce_store;

/* *out: new store of capacity nonces (0 means 1024); free with acs_nonce_store_free. */
int acs_nonce_store_new(struct acs_nonce_store **out, size_t capacity);
void acs_nonce_store_free(struct acs_nonce_store *s); /* NULL allowed */

/*
 * Issue a fresh nonce of nbytes random bytes (0 means 16) as base64url
 * into out; with padded, '=' padding is added on purpose (a misbehaviour).
 * Returns 0, or ACS_E_CRYPTO when no randomness could be had.
 */
int acs_nonce_issue(struct acs_nonce_store *s, size_t nbytes, int padded, char out[ACS_NONCE_MAX]);

/*
 * Use a nonce: 0 when it was issued, is still in the ring and unused (it is
 * now used); ACS_E_STATE when already used; ACS_E_NOTFOUND when never
 * issued or evicted. With allow_reuse a used nonce is accepted again.
 */
int acs_nonce_consume(struct acs_nonce_store *s, const char *nonce, int allow_reuse);

/* Number of nonces currently remembered (at most the capacity). */
size_t acs_nonce_count(const struct acs_nonce_store *s);

#endif
