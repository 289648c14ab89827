/*
 * The mock CA's object store (store.c): one scenario's accounts, orders,
 * authorizations, challenges and certificates, its misbehaviour switches,
 * nonces and request log, the lookups by id and key, and the state changes
 * that follow from a validation (section 7.1.6).
 *
 * Objects live in per-kind arrays owned by the scenario; an object's id is
 * its 1-based index, and objects are never removed while the scenario
 * lives, so pointers returned by the lookups stay valid while its lock is
 * held. Every function here expects the scenario's lock held, except
 * acs_mca_scenario_new and acs_mca_scenario_free.
 */
#ifndef ACMESPEC_MOCKCA_STORE_H
#define ACMESPEC_MOCKCA_STORE_H

#include <jansson.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stddef.h>
#include <time.h>
#include "harness/jwk.h"
#include "harness/x509.h"
#include "mockserver/nonce.h"
#include "mockserver/tables.h"

#define MCA_LOG_MAX 2000
#define MCA_OBJ_MAX 8500 /* objects of one kind per scenario (5 challenges per DNS name) */

/* Random part of an object's URL (section 10.5): 16 base64url characters. */
#define MCA_RID_LEN 24

/*
 * An account (section 7.1.2). Every pointer member is owned by the object;
 * orders holds order ids.
 */
struct mca_account {
	int id;
	char rid[MCA_RID_LEN];
	enum mca_status status;
	struct acs_key *key;
	struct acs_key *old_key; /* before the last key change (keychange-keeps-old-key) */
	json_t *jwk;
	json_t *contact; /* array */
	json_t *extra;   /* fields the client sent that the CA ignores (account-reflects-fields) */
	int tos_agreed;
	json_t *eab; /* the binding as sent, or NULL */
	int *orders;
	size_t norders;
};

/* A challenge (section 7.1.5); authz: the id of its authorization. */
struct mca_chall {
	int id;
	char rid[MCA_RID_LEN];
	int authz;
	enum mca_ctype type;
	char token[64];
	enum mca_status status;
	json_t *error; /* problem document, or NULL */
	time_t validated;
	int hold_polls;         /* challenge-processing: polls left before the result shows */
	enum mca_status result; /* result held back while hold_polls > 0 */
};

/* An authorization (section 7.1.4); acct and chall hold ids. */
struct mca_authz {
	int id;
	char rid[MCA_RID_LEN];
	int acct;
	struct acs_ident ident; /* wildcard authzs hold the base name */
	int wildcard;
	int subdomain; /* RFC 9444: covers the subdomains of ident (subdomainAuthAllowed) */
	enum mca_status status;
	time_t expires;
	int chall[CT_COUNT];
	int nchall;
};

/* An order (section 7.1.3); pointer members owned, acct, authz and cert hold ids. */
struct mca_order {
	int id;
	char rid[MCA_RID_LEN];
	int acct;
	enum mca_status status;
	json_t *identifiers; /* as normalised */
	int *authz;
	size_t nauthz;
	time_t expires;
	char *not_before, *not_after; /* as sent, or NULL */
	time_t nb, na;
	int cert;            /* 0 until issued */
	int processing_left; /* polls left in processing */
	int fetches;
	json_t *error;
	char *replaces;    /* RFC 9773 section 5: the certID it replaces (owned), or NULL */
	int replaces_cert; /* the certificate it names, 0 when none */
	char profile[72];  /* draft-ietf-acme-profiles: the order's profile, "" for none */
};

/* An issued certificate; the X509s and PEM strings owned. */
struct mca_cert {
	int id;
	char rid[MCA_RID_LEN];
	int acct;
	X509 *leaf;
	char *chain;     /* default chain PEM (leaf + intermediate) */
	char *alt_chain; /* alternate chain PEM */
	X509 *alt_leaf;  /* alternate-chain-other-leaf: the alternate chain's own leaf */
	int revoked;
	int reason;
	int downloaded;   /* the client fetched it (RFC 9773 section 4.3: "received") */
	time_t issued_at; /* when finalize issued it (ari-window=issued:...) */
};

/*
 * One scenario: its objects (arrays of owned pointers, index = id - 1),
 * switches, nonces and log. lock guards everything but refs and next.
 */
struct mca_scenario {
	char name[72];
	pthread_mutex_t lock;
	int refs; /* guarded by the CA's registry lock */
	struct acs_nonce_store *nonces;
	struct mca_mb_state mb[MB_COUNT];
	struct mca_account **accts;
	size_t naccts;
	struct mca_order **orders;
	size_t norders;
	struct mca_authz **authzs;
	size_t nauthzs;
	struct mca_chall **challs;
	size_t nchalls;
	struct mca_cert **certs;
	size_t ncerts;
	json_t *log; /* array of entries */
	size_t seq;
	size_t requests;
	json_t *check_counts; /* object: check id -> integer */
	char *eab_kid;        /* EAB required when set (acs_mockca_scenario_eab) */
	unsigned char *eab_key;
	size_t eab_key_len;
	char last_nonce[ACS_NONCE_MAX]; /* nonce-repeats */
	long nonces_issued;
	size_t log_bytes;     /* estimated size of log (acs_mca_log_add) */
	size_t log_bytes_max; /* its cap: the oldest entries go first */
	/* the registry's (registry lock): hash chain, most-recently-used list */
	struct mca_scenario *next;
	struct mca_scenario *lru_prev, *lru_next;
	int auto_made; /* created by a request (auto_scenarios): may be evicted when idle */
};

/* Is misbehaviour m on for this scenario? */
static inline int mca_mb(const struct mca_scenario *s, enum mca_mb m)
{
	return s->mb[m].on;
}

/*
 * A new scenario called name (copied) with the switches of defaults
 * (MB_COUNT entries) and, when eab_kid is set, that EAB requirement (both
 * copied). One reference, for the caller. NULL on ENOMEM.
 */
struct mca_scenario *acs_mca_scenario_new(const char *name, const struct mca_mb_state *defaults,
                                          const char *eab_kid, const unsigned char *eab_key,
                                          size_t eab_key_len);

/* Free a scenario and every object it owns (NULL allowed). */
void acs_mca_scenario_free(struct mca_scenario *s);

/* Objects by id (1-based); NULL when there is none. Borrowed from the scenario. */
struct mca_account *acs_mca_acct(struct mca_scenario *s, int id);
struct mca_order *acs_mca_order(struct mca_scenario *s, int id);
struct mca_authz *acs_mca_authz(struct mca_scenario *s, int id);
struct mca_chall *acs_mca_chall(struct mca_scenario *s, int id);
struct mca_cert *acs_mca_cert(struct mca_scenario *s, int id);

/* The account whose key equals key, or NULL (borrowed). */
struct mca_account *acs_mca_acct_by_key(struct mca_scenario *s, const struct acs_key *key);

/*
 * Append p to one of the scenario's object arrays, which then owns it;
 * returns the new 1-based id, or -1 (full or ENOMEM; p stays the caller's).
 */
int acs_mca_push_obj(void ***arr, size_t *n, void *p);

/* A fresh random part for an object's URL (section 10.5); "" when no randomness. */
void acs_mca_new_rid(char rid[MCA_RID_LEN]);

/* A decimal object id of a URL path (no leading zero); -1, else *rest after it. */
int acs_mca_parse_id(const char *s, const char **rest);

/*
 * "<id>-<random>" of an existing object of the kind endpoint ep serves:
 * its id, *rest after it; -1 when there is no such object or the random
 * part does not match (a guessed URL). With sequential-urls the bare id is
 * enough.
 */
int acs_mca_parse_ref(struct mca_scenario *s, int ep, const char *p, const char **rest);

/*
 * Recompute an order's status from its authorizations (section 7.1.6); the
 * second form does it for every order of the scenario.
 */
void acs_mca_order_update(struct mca_scenario *s, struct mca_order *o);
void acs_mca_orders_update(struct mca_scenario *s);

/* Apply a validation result to a challenge, its authorization and the orders. */
void acs_mca_chall_apply(struct mca_scenario *s, struct mca_chall *c, enum mca_status result);

/*
 * Create an authorization of account acct for id (the base name of a
 * wildcard) with its challenges; start_valid: already valid (reuse-copy).
 * Returns its id, or -1.
 */
int acs_mca_authz_make(struct mca_scenario *s, int acct, const struct acs_ident *id, int wildcard,
                       int start_valid);

/* A valid, unexpired authorization of acct for the identifier (its id), or 0. */
int acs_mca_authz_reusable(struct mca_scenario *s, int acct, const struct acs_ident *id, int wild);

#endif
