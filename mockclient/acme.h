/*
 * The mock client's ACME engine: one session per case with its own HTTP
 * client and transcript, the directory, a nonce cache, named accounts and
 * orders, and a request builder that can commit every misbehaviour of
 * mockclient/misbehave.h on purpose. The case interpreter (script.c) drives
 * it step by step; the client flow (flow.h) drives it as an ordinary
 * client, with the settings of struct acs_acme_client. Nothing here judges
 * a response.
 *
 * A session is used by one thread at a time.
 */
#ifndef ACMESPEC_ACME_H
#define ACMESPEC_ACME_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>

#include "harness/err.h"
#include "harness/http.h"
#include "harness/jwk.h"
#include "harness/x509.h"
#include "mockclient/misbehave.h"

struct acs_transcript;
struct acs_responders;

#define ACS_ACME_NAME_MAX 64

struct acs_acme_account {
	char name[ACS_ACME_NAME_MAX];
	struct acs_key *key;     /* current key (owned) */
	struct acs_key *old_key; /* key before the last key change (owned), or NULL */
	char *url;               /* Location of newAccount (owned), or NULL */
	json_t *obj;             /* last account object seen (owned), or NULL */
};

struct acs_acme_order {
	char name[ACS_ACME_NAME_MAX];
	char account[ACS_ACME_NAME_MAX]; /* the account that created it */
	char *url;                       /* Location (owned) */
	json_t *created;                 /* the order as created (owned) */
	json_t *obj;                     /* the latest order object (owned) */
	json_t *authzs;                  /* array: last authorization objects by index (owned) */
	json_t *sent_ids;                /* identifiers as sent (owned) */
	struct acs_key *cert_key;        /* CSR key of the last finalize (owned), or NULL */
	char *not_after;                 /* notAfter asked for (owned), or NULL */
	char *cert_pem;                  /* last downloaded default chain (owned), or NULL */
	char *certid;                    /* RFC 9773 certID of cert_pem, once asked (owned) */
};

/* A challenge answer provisioned in the responders, cleared at session end. */
struct acs_acme_provision {
	int kind;               /* 0 http-01 token, 1 dns-01 name, 2 tls-alpn-01 identifier */
	char *key;              /* token or record name (owned) */
	struct acs_ident ident; /* for tls-alpn-01 */
};

/* The response of one exchange, with its body parsed when it is JSON. */
struct acs_acme_resp {
	struct acs_http_response *http; /* owned */
	json_t *json;                   /* parsed body (owned), NULL when not JSON */
	char *method;                   /* owned */
	char *url;                      /* owned */
};

void acs_acme_resp_free(struct acs_acme_resp *r); /* NULL allowed */

struct acs_acme_session_opts {
	const char *directory_url;
	const char *ca_bundle;             /* may be NULL */
	long timeout_ms;                   /* per request */
	double wait_seconds;               /* bound on poll loops */
	struct acs_responders *responders; /* borrowed, may be NULL */
	const char *eab_kid;               /* may be NULL */
	const char *eab_hmac;              /* base64url, may be NULL */
	const char *user_agent;            /* NULL: the HTTP client's default */
	int allow_production;              /* network policy (harness/netpolicy.h) of every */
	int allow_other_hosts;             /* URL the session follows */
	const char *domain_suffix;         /* names under this zone; NULL: acmespec.test */
};

/*
 * The budget of a run (--max-orders, --max-accounts), shared by its
 * sessions: a case reserves the orders and accounts it needs before it
 * starts (acs_acme_budget_take), and its session may then POST to newOrder
 * and newAccount that many times.
 */
struct acs_acme_budget {
	pthread_mutex_t mu;
	int max_orders;   /* < 0: no limit */
	int orders;       /* reserved so far */
	int max_accounts; /* < 0: no limit */
	int accounts;     /* reserved so far */
};

/* Reserve orders and accounts together: 0, or -1 (nothing taken) when they do not fit. */
int acs_acme_budget_take(struct acs_acme_budget *b, int orders, int accounts);

/* The longest name the session makes, with its NUL (RFC 1035 2.3.4: 253 octets). */
#define ACS_ACME_DOMAIN_MAX 254

/*
 * A fresh name for a case: a random 10-character label (a-z0-9) under
 * suffix, or under acmespec.test when suffix is NULL or empty. 0, or -1
 * when the name does not fit in n.
 */
int acs_acme_make_name(char *out, size_t n, const char *suffix);

#define ACS_ACME_MAX_PROV 16

/*
 * How the session behaves as an ACME client running the flow of
 * mockclient/flow.h. All zero (the default) for server cases, whose
 * interpreter drives the session step by step.
 */
struct acs_acme_client {
	acs_sw_set sw;              /* client-behaviour misbehaviours (misbehave.h) */
	acs_mis_set mis;            /* request misbehaviours of every signed request */
	acs_mis_set inner_mis;      /* inner-JWS misbehaviours of a key change */
	const char *const *headers; /* extra headers of every request (borrowed), or NULL */
	const char *webroot;  /* http-01: write DIR/.well-known/acme-challenge/TOKEN (borrowed) */
	const char *dns_hook; /* dns-01: `HOOK set|clear NAME VALUE` through /bin/sh (borrowed) */
	const char *profile;  /* the certificate profile newOrder asks for (borrowed), or NULL */
	const char *preferred_chain; /* 7.4.2: keep the chain to the root of this name, or NULL */
	double hook_seconds;         /* bound on one hook call (0: 30 s) */
	double deadline;             /* monotonic seconds (harness/clock.h) bounding every wait */
	/* progress of the flow ("account URL"), for the front end to show; may be NULL */
	void (*note)(void *ctx, const char *msg);
	void *note_ctx;
	int malformed; /* set when a response lacked a field the protocol requires */
	/* RFC 9773 section 5: the certID newOrder replaces (borrowed), or NULL */
	const char *replaces;
	/* a long-running client (mock-client --daemon): its next wake-up is its next ARI
	   check, so a renewal is due when the time chosen in the window has come */
	int daemon;

	/* provisioned outside the responders, taken down by acs_flow_deprovision (owned) */
	char *dns_names[ACS_ACME_MAX_PROV];
	char *dns_values[ACS_ACME_MAX_PROV];
	size_t ndns;
	char *files[ACS_ACME_MAX_PROV];
	size_t nfiles;
};

struct acs_acme_session {
	struct acs_http *http;
	struct acs_transcript *transcript;
	struct acs_responders *responders;
	char *directory_url;
	json_t *directory; /* owned, NULL before acs_acme_fetch_directory */
	double wait_seconds;
	char *eab_kid;
	char *eab_hmac;

	char *nonce;                /* cached fresh nonce (owned), or NULL */
	int vet_nonces;             /* drop a Replay-Nonce that is not base64url (RFC 8555 6.5.1) */
	const char *const *headers; /* extra headers of nonce requests (borrowed), or NULL */
	char *last_used_nonce;      /* for nonce-reuse (owned), or NULL */

	struct acs_acme_account *accounts;
	size_t naccounts;
	struct acs_acme_order *orders;
	size_t norders;

	char domain[3][ACS_ACME_DOMAIN_MAX]; /* {domain}, {domain2}, {domain3} */
	int orders_left;                     /* POSTs to newOrder still allowed; -1: no limit */
	int accounts_left;                   /* POSTs to newAccount still allowed; -1: no limit */
	int budget_spent;                    /* a POST was refused: its *_left was 0 */

	char *authz_url;       /* current authorization (owned) */
	json_t *authz;         /* its last object (owned) */
	char *challenge_url;   /* current challenge (owned) */
	json_t *challenge;     /* its last object (owned) */
	char *certificate_url; /* last certificate URL fetched (owned) */

	struct acs_acme_provision *prov;
	size_t nprov;

	struct acs_acme_client client; /* the client flow's settings and state */
};

/*
 * A new session: HTTP client, transcript attached, fresh random domains.
 * Does not touch the network. *out: free with acs_acme_session_free (which
 * also clears what was provisioned in the responders).
 */
int acs_acme_session_new(struct acs_acme_session **out, const struct acs_acme_session_opts *o,
                         struct acs_err *err);
void acs_acme_session_free(struct acs_acme_session *s);

/* GET the directory and keep it when it is a JSON object. *resp may be NULL. */
int acs_acme_fetch_directory(struct acs_acme_session *s, struct acs_acme_resp **resp,
                             struct acs_err *err);

/* Borrowed string member of the directory, or NULL. */
const char *acs_acme_dir_url(const struct acs_acme_session *s, const char *key);

/*
 * draft-ietf-acme-profiles: the name of an advertised profile (keys of
 * meta.profiles in byte order; idx 0 the first, 1 the second, or the first
 * again when there is one), borrowed; NULL when none is advertised.
 */
const char *acs_acme_profile_name(const struct acs_acme_session *s, size_t idx);

/* Unsigned request (GET, HEAD, ...). extra: "Name: value" strings, NULL-terminated or NULL. */
int acs_acme_plain(struct acs_acme_session *s, const char *method, const char *url,
                   const char *const *extra, acs_mis_set mis, struct acs_acme_resp **out,
                   struct acs_err *err);

/* HEAD (or GET) newNonce; the nonce lands in the cache. *out may be NULL. */
int acs_acme_new_nonce(struct acs_acme_session *s, const char *method, struct acs_acme_resp **out,
                       struct acs_err *err);

/* What to sign and send. */
struct acs_acme_post {
	const char *url;           /* request URL */
	const struct acs_key *key; /* signing key */
	const char *kid;           /* account URL for "kid"; NULL: "jwk" of key */
	const char *payload;       /* NULL: POST-as-GET (empty payload) */
	size_t payload_len;
	const char *resource; /* ACME v1 resource name for v1-resource */
	acs_mis_set mis;
	const char *const *extra_headers; /* "Name: value", NULL-terminated, or NULL */
	const char *account_url;          /* for kid-not-jwk / kid-unknown when kid is NULL */
	const char *nonce;                /* this nonce instead of a fresh one, or NULL */
	int no_badnonce_retry;            /* return a badNonce answer as it is */
	unsigned bugs;                    /* ACS_POST_* deviations of the client flow */
};

/* Deviations of acs_acme_post that are client behaviours, not request misbehaviours. */
#define ACS_POST_NO_KEY_SOURCE  0x1u /* neither jwk nor kid in the protected header */
#define ACS_POST_TWO_SIGNATURES 0x2u /* general serialization, the signature twice */
#define ACS_POST_NOT_UTF8       0x4u /* a body member holding the byte 0xFF */

/*
 * Sign and POST. Nonces: p->nonce, else the cached one, else a HEAD to
 * newNonce (asked again a few times when vet_nonces dropped what came). A
 * badNonce answer is retried up to 5 times with the error's own nonce
 * unless the request misbehaves about its nonce or p->no_badnonce_retry.
 * Returns 0 with *out (any status) or a negative code when no response
 * could be had.
 */
int acs_acme_post(struct acs_acme_session *s, const struct acs_acme_post *p,
                  struct acs_acme_resp **out, struct acs_err *err);

/*
 * Build one JWS body (flattened unless the misbehaviours say otherwise) from
 * a header object (borrowed; alg is filled in unless present) and payload
 * bytes (NULL: absent member). hmac/hmac_len: sign with HMAC-SHA256
 * instead of key. New string (free()).
 */
char *acs_acme_jws(const struct acs_key *key, const unsigned char *hmac, size_t hmac_len,
                   json_t *hdr, const char *payload, size_t payload_len, acs_mis_set mis,
                   struct acs_err *err);

/* Named objects; NULL when absent. */
struct acs_acme_account *acs_acme_account_find(struct acs_acme_session *s, const char *name);
struct acs_acme_order *acs_acme_order_find(struct acs_acme_session *s, const char *name);
/* Find or create (zeroed) by name. NULL on ENOMEM. */
struct acs_acme_account *acs_acme_account_get(struct acs_acme_session *s, const char *name);
struct acs_acme_order *acs_acme_order_get(struct acs_acme_session *s, const char *name);

/* Forget everything about an order but its name (a name used again starts a new order). */
void acs_acme_order_reset(struct acs_acme_order *o);

/* The challenge of a type in an authorization object (borrowed from it), or NULL. */
json_t *acs_acme_find_challenge(const json_t *authz, const char *type);

/* Remember a provisioned challenge answer for clean-up at session end. */
void acs_acme_remember(struct acs_acme_session *s, int kind, const char *key,
                       const struct acs_ident *ident);

/* Replace *slot (a string) by a copy of v (NULL allowed). Returns 0 or ACS_E_NOMEM. */
int acs_acme_set_str(char **slot, const char *v);

/* The problem type of a response ("urn:...:badNonce"), borrowed, or NULL. */
const char *acs_acme_problem_type(const struct acs_acme_resp *r);

/*
 * 1 when the response is the problem `type` ("badNonce"): in the RFC 8555
 * namespace, or with any_namespace in any "...:type" namespace.
 */
int acs_acme_problem_is(const struct acs_acme_resp *r, const char *type, int any_namespace);

/*
 * RFC 8555 6.5.1: drop the cached nonce when it is not base64url (noted in
 * the transcript). Returns 1 when it was dropped, else 0.
 */
int acs_acme_vet_nonce(struct acs_acme_session *s);

/* A short "status 400 urn:...:malformed: detail" description (new string). */
char *acs_acme_resp_summary(const struct acs_acme_resp *r);

/*
 * Retry-After of a response in milliseconds (seconds or HTTP date), or -1
 * when absent or unreadable.
 */
long acs_acme_retry_after_ms(const struct acs_acme_resp *r);

/* How long to wait before asking again (polling, 429/503). */
struct acs_acme_wait {
	long fixed_ms;   /* >= 0: this, whatever Retry-After says; -1: Retry-After */
	long default_ms; /* without a (readable) Retry-After */
	long min_ms;     /* at least this */
	int cap;         /* 1: shorten to what is left before the deadline; 0: give up instead */
};

/*
 * The wait before the next request after response r, in ms, or -1 when it
 * would end after deadline (monotonic seconds, harness/clock.h).
 */
long acs_acme_wait_ms(const struct acs_acme_resp *r, const struct acs_acme_wait *w,
                      double deadline);

/* A poll of an authorization or order until its status settles. */
struct acs_acme_poll {
	const char *what; /* "authorization", "order": for messages */
	/*
	 * Fetch the resource once: 0 with *r (borrowed until the next fetch;
	 * its json an object) or a negative code (the poll ends with it).
	 */
	int (*fetch)(void *ctx, const struct acs_acme_resp **r, struct acs_err *err);
	void *ctx;
	const char *const *until;   /* stop at one of these statuses, or NULL: */
	const char *const *waiting; /* stop at any status but these */
	struct acs_acme_wait wait;  /* between fetches */
	double deadline;            /* monotonic seconds */
};

/*
 * Fetch, and again after the wait, until the status settles. Returns 0
 * with *last (the last response, borrowed as the fetch says), the fetch's
 * code, ACS_E_PARSE when the object has no status, or ACS_E_TIMEOUT when
 * the next wait would pass the deadline (*last: the last response, also
 * on these two).
 */
int acs_acme_poll(const struct acs_acme_poll *p, const struct acs_acme_resp **last,
                  struct acs_err *err);

/* n random lowercase letters and digits into out (n+1 bytes). */
void acs_acme_random_label(char *out, size_t n);

#endif
