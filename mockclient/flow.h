/*
 * The client flow of the mock client engine: the steps of an ordinary
 * ACME client (RFC 8555) as library functions on a session, run by
 * `acmespec mock-client` in a row and shaped by the session's client
 * settings (acme.h, struct acs_acme_client): its client-behaviour
 * misbehaviours (misbehave.h, ACS_SW_*), the request misbehaviours of
 * every signed request, the webroot and dns hook, the deadline.
 *
 * The flow keeps its account as the session's account "a" and its order
 * as the session's order "o" (the certificate in o->cert_pem). Every step
 * returns 0 or a negative ACS_E_* code with err saying why, as a
 * conformant client would report it (with the server's problem detail
 * unless the hide-detail switch is on); progress goes to the session's
 * note callback. When a response lacks a field the protocol requires, the
 * step fails with s->client.malformed set. err must not be NULL. Nothing
 * here prints or exits.
 *
 * A conformant client: nonces vetted (6.5.1), badNonce retried with the
 * error's own nonce, 429 and 503 retried after Retry-After, polling that
 * honours Retry-After, answers deprovisioned once the challenge is over,
 * the chain checked strictly (11.4).
 */
#ifndef ACMESPEC_FLOW_H
#define ACMESPEC_FLOW_H

#include <stddef.h>

#include "harness/ari.h"
#include "harness/err.h"
#include "harness/x509.h"
#include "mockclient/acme.h"
#include "mockclient/responders.h"

struct acs_flow_signer;

#define ACS_FLOW_ACCOUNT "a" /* the flow's account in the session */
#define ACS_FLOW_ORDER   "o" /* the flow's order in the session */

/*
 * Make the session the flow's: nonces vetted unless use-invalid-nonce,
 * the nonce requests with the client's headers. Call once, after filling
 * s->client and before the first step.
 */
void acs_flow_begin(struct acs_acme_session *s);

/*
 * A signed POST (payload NULL: POST-as-GET) with the coping of a
 * conformant client: signed by who (jwk when use_jwk, else its kid),
 * badNonce and 429/503 retried. Returns 0 with *out (any final status) or
 * a negative code when no response could be had. The flow's io
 * (acs_flow_io_begin) posts through it.
 */
int acs_flow_post_as(struct acs_acme_session *s, const struct acs_flow_signer *who, int use_jwk,
                     const char *url, const char *payload, struct acs_acme_resp **out,
                     struct acs_err *err);

/* GET the directory and check it (v2 names, https URLs, and as the switches ask). */
int acs_flow_directory(struct acs_acme_session *s, struct acs_err *err);

/* What the new account asks for. Every pointer is borrowed. */
struct acs_flow_account {
	const char *const *contacts; /* account contact URIs */
	size_t ncontacts;
	int agree_tos;             /* agree when the CA has terms */
	const char *eab_kid;       /* EAB credentials, both or neither (NULL) */
	const char *eab_hmac;      /* base64url */
	const struct acs_key *key; /* the account key to use, or NULL for a fresh one */
};

/* newAccount with a->key or a fresh key (and EAB when the CA requires it). */
int acs_flow_new_account(struct acs_acme_session *s, const struct acs_flow_account *a,
                         struct acs_err *err);

/* Roll the account key over (7.3.5), with the session's inner misbehaviours. */
int acs_flow_key_change(struct acs_acme_session *s, struct acs_err *err);

/* newOrder for dns names ("*.x" for a wildcard). names: borrowed. */
int acs_flow_new_order(struct acs_acme_session *s, const char *const *names, size_t n,
                       struct acs_err *err);

/*
 * Answer every pending authorization of the order with a challenge of
 * type ("http-01", "dns-01", "tls-alpn-01"), poll each to a final status,
 * take the answers down.
 */
int acs_flow_authorize(struct acs_acme_session *s, const char *type, struct acs_err *err);

/* The same for the authorizations of the session's order named order. */
int acs_flow_authorize_order(struct acs_acme_session *s, const char *order, const char *type,
                             struct acs_err *err);

/*
 * RFC 9444 (flow_subdomain.c), when the directory says
 * meta.subdomainAuthAllowed: true. With newAuthz: pre-authorize the
 * parent of the first name of three labels or more with
 * subdomainAuthAllowed: true and answer it (type), so that the order needs
 * no challenge of its own (section 5); nothing to do is 0.
 */
int acs_flow_subdomain_preauthorize(struct acs_acme_session *s, const char *const *names, size_t n,
                                    const char *type, struct acs_err *err);

/*
 * Without newAuthz: each dns identifier of ids (a newOrder's, of three
 * labels or more, not a wildcard) gets its parent as ancestorDomain
 * (section 4.3). ids is changed in place.
 */
void acs_flow_subdomain_ancestors(struct acs_acme_session *s, json_t *ids);

/* Wait for the order to be ready, finalize with a fresh key, wait for valid. */
int acs_flow_finalize(struct acs_acme_session *s, struct acs_err *err);

/* Download and check the chain (and the alternates) into the order's cert_pem. */
int acs_flow_download(struct acs_acme_session *s, struct acs_err *err);

/* Revoke the downloaded certificate (reason 4, superseded). */
int acs_flow_revoke(struct acs_acme_session *s, struct acs_err *err);

/* What RFC 9773 renewal information made of a certificate (acs_flow_ari_plan). */
struct acs_flow_ari {
	int renew;                         /* due now */
	int asked;                         /* renewalInfo was fetched */
	char certid[ACS_ARI_CERTID_MAX];   /* the certificate's certID as this client builds it */
	char replaces[ACS_ARI_CERTID_MAX]; /* what newOrder replaces ("" none: no renewalInfo) */
	long retry_after_ms;               /* the answer's Retry-After (-1: none) */
	long long wake; /* the time chosen in the window (epoch seconds; 0: none) */
};

/*
 * Decide whether the certificate (the first of cert_pem, borrowed) is due:
 * with the directory's renewalInfo, an unauthenticated GET (not after expiry,
 * 5xx retried twice), the window as section 4.2 says (an invalid one, an
 * error or a missing renewalInfo: the own schedule, the last third of the
 * lifetime); an expired certificate is due. Progress and any explanationURL
 * go to the note callback. 0 with *p, or a negative code.
 */
int acs_flow_ari_plan(struct acs_acme_session *s, const char *cert_pem, struct acs_flow_ari *p,
                      struct acs_err *err);

/* GET the RenewalInfo of certid again (the ari-check-replaced switch). */
int acs_flow_ari_recheck(struct acs_acme_session *s, const char *certid, struct acs_err *err);

/* The certificate chain downloaded (borrowed), or NULL. */
const char *acs_flow_certificate(struct acs_acme_session *s);

/* Take down webroot files and hook records (kept on purpose with no-deprovision). */
void acs_flow_deprovision(struct acs_acme_session *s);

/*
 * ---- the steps, once for both drivers ----
 *
 * Each step below is the one implementation of a client step. The flow's
 * acs_flow_* functions above and the server cases' actions
 * (script_act*.c) are thin adapters: they fill the step's options, hand
 * it how signed requests go out (struct acs_flow_io), and turn its result
 * into their own reporting (an ACS_E_* code and message for the flow;
 * facts, acs_step_fail kinds and current objects for a server case).
 * Client-behaviour switches (ACS_SW_*) reach a step only through its
 * options and the flow's io; server cases never set them.
 */

/* How a step ended. */
enum acs_flow_kind {
	ACS_FLOW_DONE = 0, /* as the step needs */
	ACS_FLOW_OUTCOME,  /* the target answered otherwise, or never reached a state */
	ACS_FLOW_HARNESS   /* the harness could not do what the step asks */
};

/* What a step came to. */
struct acs_flow_result {
	enum acs_flow_kind kind;
	const char *feature; /* static: the optional feature whose absence failed it, or NULL */
	/* a status failure: the request ("keyChange") and the answer wanted ("200"), else NULL */
	const char *what;
	const char *want;
	const struct acs_acme_resp *resp; /* the last answer (borrowed from the io), or NULL */
	int malformed;                    /* the target left out a field the protocol requires */
	int invalid;        /* authorize: an authorization is not (or did not turn) valid */
	struct acs_err err; /* why, unless DONE (code: an ACS_E_* value) */
};

/* Who signs a request. Every pointer is borrowed. */
struct acs_flow_signer {
	const struct acs_key *key;
	const char *kid;         /* account URL for "kid"; NULL: "jwk" of key */
	const char *account_url; /* for kid-not-jwk / kid-unknown, or NULL */
};

/*
 * How a step's signed requests go out. post: 0 with *out (any status,
 * borrowed until the io's next post or its owner's end) or a negative
 * code with err ("POST URL: why") when no answer could be had.
 * resource: the ACME v1 resource name (for v1-resource).
 */
struct acs_flow_io {
	int (*post)(void *ctx, const char *url, const struct acs_flow_signer *who,
	            const char *payload, const char *resource, const struct acs_acme_resp **out,
	            struct acs_err *err);
	/* an unsigned GET, with the same contract */
	int (*get)(void *ctx, const char *url, const struct acs_acme_resp **out,
	           struct acs_err *err);
	void *ctx;
};

/*
 * The directory URL `name` ("keyChange"), or NULL with res failed:
 * HARNESS, ACS_E_UNSUPPORTED, feature `feature` (static, or NULL).
 */
const char *acs_flow_need_url(struct acs_acme_session *s, const char *name, const char *feature,
                              struct acs_flow_result *res);

/*
 * A new key of a type of the server cases' "key" choices ("ec256",
 * "leading-zero", ...; NULL: ec256). *out: owned.
 */
int acs_flow_make_key(const char *type, struct acs_key **out, struct acs_err *err);

/* An external account binding (7.3.4) as a step makes it. Every pointer is borrowed. */
struct acs_flow_eab_opts {
	const char *kid;           /* the credentials, or NULL */
	const char *hmac;          /* base64url, or NULL */
	const char *missing_creds; /* credentials needed: why not (HARNESS, feature "eab"); NULL:
	                              made up when missing (the negative forms) */
	const char *url;           /* the protected "url" instead of newAccount's, or NULL */
	const char *alg;           /* a claimed alg, or NULL: HS256 */
	const char *nonce;         /* a nonce in the protected header, or NULL */
	int other_key;             /* bind a fresh key, not the account's */
	acs_mis_set mis;           /* ALG_NONE, SIG_CORRUPT */
};

/* What a new account asks for. Every pointer is borrowed. */
struct acs_flow_account_opts {
	struct acs_acme_account *account; /* with its key; gets URL and object */
	struct acs_flow_signer who;       /* jwk of the account key; account_url for kid-not-jwk */
	int agree_tos;                    /* termsOfServiceAgreed: true */
	const json_t *contact;            /* "contact", or NULL */
	const json_t *only_return_existing;  /* "onlyReturnExisting", or NULL */
	const struct acs_flow_eab_opts *eab; /* an externalAccountBinding, or NULL */
	const json_t *extra;                 /* members merged into the payload, or NULL */
};

/* newAccount (7.3): 201 (or 200) with Location wanted. */
void acs_flow_step_new_account(struct acs_acme_session *s, const struct acs_flow_io *io,
                               const struct acs_flow_account_opts *o, struct acs_flow_result *res);

/* What a new order asks for. Every pointer is borrowed. */
struct acs_flow_order_opts {
	const char *name;           /* the order's name in the session (a name used again: new) */
	const char *account;        /* the account's name, kept with the order */
	struct acs_flow_signer who; /* the account's */
	const json_t *identifiers;  /* [{type, value}] */
	const char *not_before;     /* RFC 3339, or NULL */
	const char *not_after;      /* RFC 3339, or NULL */
	const json_t *extra;        /* members merged into the payload, or NULL */
};

/*
 * newOrder (7.4): 201 with Location and an object wanted; the order is
 * kept even with a bad body. A refusal of ip or wildcard identifiers
 * names the feature.
 */
void acs_flow_step_new_order(struct acs_acme_session *s, const struct acs_flow_io *io,
                             const struct acs_flow_order_opts *o, struct acs_flow_result *res);

/* How a challenge answer is put up (acs_flow_provision_answer). */
struct acs_flow_prov {
	const struct acs_key *acct_key; /* for the key authorization (borrowed) */
	int need_responders;            /* fail (HARNESS) without the session's responders */
	int need_dns_hook;              /* dns-01 fails without the session's dns hook */
	int skip_alpn;                  /* tls-alpn-01: put nothing up */
	int keyauth_wrong;              /* serve "TOKENx.wrong", not the key authorization */
	int dns_wrong;                  /* dns-01: the key authorization + ".wrong" */
	enum acs_http01_mode http01;
	enum acs_alpn_mode alpn;
	int dns_decoys;
	int dns_star; /* a wildcard authorization's dns-01 at _acme-challenge.*.NAME */
	/* dns-account-01 and dns-persist-01 (issue 7 item 3) */
	const char *acct_url;  /* the account URL: label and accounturi (borrowed) */
	int dnsacct_full_hash; /* dns-account-01: label over all 32 octets (wrong) */
	/* dns-account-01: the label from this URL instead of acct_url (borrowed), or NULL */
	const char *dnsacct_label_url;
	enum acs_persist_mode {
		ACS_PERSIST_OK = 0, /* issuer; accounturi=URL (policy=wildcard for wildcards) */
		ACS_PERSIST_WRONG_ACCOUNT, /* accounturi of another account */
		ACS_PERSIST_EXPIRED,       /* persistUntil a day ago */
		ACS_PERSIST_FUTURE,        /* persistUntil a day ahead */
		ACS_PERSIST_UNKNOWN_PARAM, /* an extra parameter with an unknown tag */
		ACS_PERSIST_WRONG_ISSUER,  /* an issuer-domain-name the CA did not offer */
		ACS_PERSIST_NO_POLICY,     /* no policy=wildcard even for a wildcard */
		ACS_PERSIST_POLICY_CASE, /* "Policy=WILDCARD" (tags and values are case-insensitive)
		                          */
		ACS_PERSIST_NO_ACCOUNTURI, /* no accounturi parameter at all */
		ACS_PERSIST_POLICY_OTHER   /* "policy=subdomain": a value other than wildcard */
	} persist;
	int persist_any_issuers; /* answer even when issuer-domain-names is empty or over 10 */
};

/* The identifier of an authorization (a wildcard's base name): 0, or -1 with res failed. */
int acs_flow_authz_ident(const json_t *authz, struct acs_ident *id, struct acs_flow_result *res);

/* The errors of an authorization's challenges, for messages ("http-01: urn:...: detail"). New
 * string. */
char *acs_flow_authz_errors(const json_t *authz);

/* Put up the answer to challenge chal (of type) of authorization authz (both borrowed). */
void acs_flow_provision_answer(struct acs_acme_session *s, const json_t *authz, const json_t *chal,
                               const char *type, const struct acs_flow_prov *p,
                               struct acs_flow_result *res);

/* The feature a challenge type is ("http-01", ...: static), or NULL. */
const char *acs_flow_type_feature(const char *type);

/* What an authorize does: answer every pending authorization of the order, poll each. */
struct acs_flow_authorize_opts {
	struct acs_acme_order *order; /* its authorizations (borrowed) */
	struct acs_flow_signer who;
	const char *type;   /* the challenge type to answer */
	int get;            /* fetch authorizations by GET, not POST-as-GET */
	int any_2xx;        /* any 2xx answer will do (else 200) */
	int need_authz;     /* an order listing none fails (OUTCOME) */
	int poll_each;      /* poll each at once; else answer all first, then poll */
	int wildcard_dns;   /* a wildcard is answered with dns-01 (else: unsupported) */
	int post_on_valid;  /* answer valid authorizations again */
	int respond_first;  /* respond before the answer is up */
	int answer_tls_sni; /* also POST to tls-sni-01/02 challenges (a control, issue 7 item 9) */
	int no_poll;        /* poll nothing after answering (a control, issue 7 item 9) */
	struct acs_flow_prov prov;
	struct acs_acme_wait wait; /* polls: between fetches */
	double deadline;           /* polls: monotonic seconds */
	const char *const *until;  /* polls: stop at these statuses (NULL: when settled) */
	/* an authorization object fetched or polled (index in the order), a challenge answered */
	void (*authz_seen)(void *ctx, size_t index, const char *url, const json_t *obj);
	void (*chal_seen)(void *ctx, const char *url, const json_t *obj);
	void *ctx;
};

/*
 * Authorize the order (7.5, 7.5.1). An authorization that is or becomes
 * neither pending nor valid stops it: OUTCOME with res->invalid set.
 */
void acs_flow_step_authorize(struct acs_acme_session *s, const struct acs_flow_io *io,
                             const struct acs_flow_authorize_opts *o, struct acs_flow_result *res);

/* How an order is fetched and polled. */
struct acs_flow_poll_order_opts {
	struct acs_acme_order *order; /* its obj becomes each object fetched (borrowed) */
	struct acs_flow_signer who;
	int get;             /* GET, not POST-as-GET */
	const char *payload; /* the POST's payload (NULL: POST-as-GET) */
	int any_2xx;         /* any 2xx answer will do (else 200) */
	/* keep an object fetched (0, or a code with err: the step fails); NULL: as the order's obj
	 */
	int (*keep)(void *ctx, const json_t *obj, struct acs_err *err);
	void *ctx;
	struct acs_acme_wait wait;  /* between fetches */
	double deadline;            /* monotonic seconds */
	const char *const *until;   /* stop at these statuses, or NULL: */
	const char *const *waiting; /* stop at any status but these (NULL: pending, processing) */
	int invalid_fails;          /* an order that ends invalid fails (OUTCOME) */
};

/* Fetch the order once: 200 (or 2xx) with an object wanted ("order"), then kept. */
void acs_flow_step_fetch_order(struct acs_acme_session *s, const struct acs_flow_io *io,
                               const struct acs_flow_poll_order_opts *o,
                               struct acs_flow_result *res);

/* Poll the order until its status settles (7.1.6); a poll that runs out: OUTCOME. */
void acs_flow_step_poll_order(struct acs_acme_session *s, const struct acs_flow_io *io,
                              const struct acs_flow_poll_order_opts *o,
                              struct acs_flow_result *res);

/*
 * Poll one authorization (o: how it is fetched, the wait, until) until it
 * settles: DONE with res->resp its last answer; a poll that runs out: OUTCOME.
 */
void acs_flow_step_poll_authz(struct acs_acme_session *s, const struct acs_flow_io *io,
                              const struct acs_flow_authorize_opts *o, const char *url,
                              struct acs_flow_result *res);

/* What a key change does. */
struct acs_flow_keychange_opts {
	struct acs_acme_account *account; /* whose key rolls over; needs its URL */
	struct acs_flow_signer who;       /* signs the outer JWS (the account's key, or not) */
	struct acs_key *new_key;          /* the key to roll over to (ownership passes) */
	acs_mis_set inner_mis;            /* inner-* misbehaviours of the inner JWS */
	int inner_nonce;                  /* a nonce in the inner header */
};

/* Roll the account key over (7.3.5): 200 wanted; then new_key is the account's, its old key kept.
 */
void acs_flow_step_key_change(struct acs_acme_session *s, const struct acs_flow_io *io,
                              struct acs_flow_keychange_opts *o, struct acs_flow_result *res);

#define ACS_FLOW_MAX_NAMES 64 /* identifiers of an order the steps handle */

/* An identifier list [{type, value}] as idents (at most max; unusable entries skipped). */
size_t acs_flow_idents(const json_t *list, struct acs_ident *ids, size_t max);

/* The order's identifiers as the server states them (else as sent). */
size_t acs_flow_order_idents(const struct acs_acme_order *o, struct acs_ident *ids, size_t max);

/* What goes in the finalize request instead of an ordinary CSR. */
enum acs_flow_csr {
	ACS_FLOW_CSR_OK = 0,        /* the names in the SAN extension */
	ACS_FLOW_CSR_CN_ONLY,       /* the first dns name in the subject CN only */
	ACS_FLOW_CSR_BAD_SIGNATURE, /* a bit of the signature flipped */
	ACS_FLOW_CSR_GARBAGE,       /* the bytes of `garbage`, not a CSR at all */
	ACS_FLOW_CSR_MUST_STAPLE    /* the names in the SAN, and the TLS Feature status_request */
};

/* What a finalize does. Every pointer but cert_key is borrowed. */
struct acs_flow_finalize_opts {
	struct acs_acme_order *order; /* its cert_key becomes the CSR's once the request is built */
	const char *url;              /* the finalize URL (NULL: the order has none: OUTCOME) */
	struct acs_flow_signer who;
	/* make the CSR's key (*out: owned), once the order is found fit: 0, or a code with err */
	int (*make_key)(void *ctx, struct acs_key **out, struct acs_err *err);
	void *key_ctx;
	const json_t *names; /* the order's identifiers [{type, value}] */
	int missing_name;    /* leave the last name out (the only one: lone_name instead) */
	const char *lone_name;
	const char *extra_name; /* a name beyond the order's, or NULL */
	enum acs_flow_csr csr;
	const char *garbage;
};

/* finalize (7.4): 200 wanted; an object answered becomes the order's. */
void acs_flow_step_finalize(struct acs_acme_session *s, const struct acs_flow_io *io,
                            const struct acs_flow_finalize_opts *o, struct acs_flow_result *res);

/* What a downloaded chain is (acs_flow_chain_check). */
struct acs_flow_chain {
	int parsed;                    /* at least one certificate could be read */
	int strict;                    /* only CERTIFICATE blocks and white space */
	char problem[ACS_ERR_MSG_MAX]; /* why not parsed, or not strict, or "" */
	char foreign[48]; /* the first PEM block that is no certificate ("-----BEGIN ..."), or "" */
	size_t length;    /* certificates */
	int leaf_key_matches; /* the leaf is for the key given */
	int leaf_names_match; /* the leaf names the order's identifiers, no more, no fewer */
	int leaf_is_ca;
	int verifies;          /* the chain verifies up to its last certificate */
	int not_after_matches; /* the leaf's notAfter is the order's (within 1 s); -1: none asked */
	int same_leaf;         /* the leaf is default_leaf; -1: none given */
	X509 *leaf;            /* owned (free with acs_flow_chain_clear), or NULL */
};

/*
 * Check a chain (RFC 8555 7.4.2, 11.4) against the order (its names,
 * notAfter), the CSR's key and a default chain's leaf (NULL allowed).
 */
void acs_flow_chain_check(const char *pem, size_t len, const struct acs_acme_order *o,
                          const struct acs_key *key, X509 *default_leaf, struct acs_flow_chain *c);
void acs_flow_chain_clear(struct acs_flow_chain *c);

#define ACS_FLOW_MAX_ALT 32 /* alternate chains a download reports */

/* What a certificate download came to (acs_flow_cert_clear). */
struct acs_flow_cert {
	int fetched;                 /* an answer came */
	size_t nalt;                 /* Link rel="alternate" of the answer */
	char *alt[ACS_FLOW_MAX_ALT]; /* their URLs (owned) */
	struct acs_flow_chain chain; /* the chain, when the answer was 200 */
};
void acs_flow_cert_clear(struct acs_flow_cert *c);

/* What a download does. Every pointer is borrowed. */
struct acs_flow_download_opts {
	struct acs_acme_order *order; /* its cert_pem becomes the chain */
	const char *url;              /* the certificate (or alternate) URL */
	struct acs_flow_signer who;
	int get;                   /* GET, not POST-as-GET */
	const struct acs_key *key; /* the CSR's key the leaf must be for */
	X509 *default_leaf;        /* an alternate: the default chain's leaf, or NULL */
};

/* Download a certificate chain (7.4.2): 200 wanted ("certificate"), then checked into c->chain. */
void acs_flow_step_download(struct acs_acme_session *s, const struct acs_flow_io *io,
                            const struct acs_flow_download_opts *o, struct acs_flow_cert *c,
                            struct acs_flow_result *res);

/* Download an alternate chain: as acs_flow_step_download ("alternate certificate"), cert_pem kept.
 */
void acs_flow_step_alternate(struct acs_acme_session *s, const struct acs_flow_io *io,
                             const struct acs_flow_download_opts *o, struct acs_flow_cert *c,
                             struct acs_flow_result *res);

/* What a revocation does. */
struct acs_flow_revoke_opts {
	const char *cert_pem;       /* the chain whose first certificate is revoked (borrowed) */
	const char *cert_problem;   /* cert_pem NULL: why (the step fails HARNESS with it) */
	const json_t *reason;       /* borrowed, or NULL to leave it out */
	struct acs_flow_signer who; /* key NULL: fail HARNESS with who_problem */
	const char *who_problem;
};

/* revokeCert (7.6): 200 wanted. */
void acs_flow_step_revoke(struct acs_acme_session *s, const struct acs_flow_io *io,
                          const struct acs_flow_revoke_opts *o, struct acs_flow_result *res);

/* ---- pieces shared by the flow's files (not for use outside mockclient/) ---- */

/* Tell the note callback. */
void acs_flow_note(struct acs_acme_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A response without a field the protocol requires: malformed set, ACS_E_PARSE. */
int acs_flow_malformed(struct acs_acme_session *s, struct acs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "WHAT failed: status 400 urn:...: detail" (no detail with hide-detail); returns ACS_E_STATE. */
int acs_flow_fail_resp(struct acs_acme_session *s, struct acs_err *err, const char *what,
                       const struct acs_acme_resp *r);

/* An unsigned request with the client's headers and request misbehaviours. */
int acs_flow_plain(struct acs_acme_session *s, const char *method, const char *url,
                   struct acs_acme_resp **out, struct acs_err *err);

/* How the client waits before asking again (Retry-After, unless the switches say otherwise). */
void acs_flow_wait_policy(const struct acs_acme_session *s, struct acs_acme_wait *w);

/* Keep an order object as the flow's order, checking its arrays did not change (7.1.3). */
int acs_flow_keep_order(struct acs_acme_session *s, const json_t *o, struct acs_err *err);

/* The flow's io: acs_flow_post_as's coping, the last answer kept in io->ctx (free with
 * acs_flow_io_end). */
struct acs_flow_io_ctx {
	struct acs_acme_session *s;
	struct acs_acme_resp *last; /* owned */
};
void acs_flow_io_begin(struct acs_acme_session *s, struct acs_flow_io_ctx *c,
                       struct acs_flow_io *io);
void acs_flow_io_end(struct acs_flow_io_ctx *c);

/*
 * A step's result as the flow reports it: 0, or its code with err (a
 * status failure as "LABEL failed: status ...", see acs_flow_fail_resp).
 */
int acs_flow_finish(struct acs_acme_session *s, const struct acs_flow_result *res,
                    const char *label, struct acs_err *err);

/* The flow's signer: its account's key and URL (kid). */
void acs_flow_signer(struct acs_acme_session *s, struct acs_flow_signer *who);

/* A step's result: begun (all clear), failed (kind, feature, code, why). */
void acs_flow_res_begin(struct acs_flow_result *res);
void acs_flow_res_fail(struct acs_flow_result *res, enum acs_flow_kind kind, const char *feature,
                       int code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void acs_flow_res_fail_err(struct acs_flow_result *res, enum acs_flow_kind kind,
                           const struct acs_err *err);

/* res->resp is not the status wanted: OUTCOME, "WHAT: expected WANT, got ...". */
void acs_flow_res_status(struct acs_flow_result *res, const char *what, const char *want);

/* One signed request of a step: 0 with res->resp, or -1 with the step failed (HARNESS). */
int acs_flow_res_post(const struct acs_flow_io *io, const char *url,
                      const struct acs_flow_signer *who, const char *payload, const char *resource,
                      struct acs_flow_result *res);

/*
 * Poll for a step (acs_acme_poll; waiting NULL: pending, processing). The
 * fetch fails res itself when it fails; a poll that ends otherwise (no
 * status, the deadline) is the target's: OUTCOME (malformed without status).
 * res->resp: the last answer, as the fetch left it.
 */
void acs_flow_res_poll(struct acs_flow_result *res, const char *what,
                       int (*fetch)(void *ctx, const struct acs_acme_resp **r, struct acs_err *err),
                       void *ctx, const char *const *until, const char *const *waiting,
                       const struct acs_acme_wait *wait, double deadline);

#endif
