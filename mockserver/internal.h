/*
 * Internals of the mock CA shared by its .c files (not a public header).
 * Cross-file symbols carry the acs_mca_ prefix.
 */
#ifndef ACMESPEC_MOCKCA_INTERNAL_H
#define ACMESPEC_MOCKCA_INTERNAL_H

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include "harness/buf.h"
#include "harness/err.h"
#include "harness/jwk.h"
#include "harness/x509.h"
#include "mockserver/mockca.h"
#include "mockserver/nonce.h"

#define MCA_BODY_MAX ((size_t)64 * 1024)
#define MCA_LOG_MAX  2000
#define MCA_OBJ_MAX  5000 /* objects of one kind per scenario */

/* ---- CA hierarchy and issuance (ca.c) ---- */

struct acs_mca_pki {
	EVP_PKEY *root_key;
	X509 *root;
	EVP_PKEY *inter_key; /* shared by both intermediates */
	X509 *inter;         /* signed by root */
	EVP_PKEY *alt_root_key;
	X509 *alt_root;
	X509 *alt_inter; /* same subject and key as inter, signed by alt_root */
	char *root_pem, *inter_pem, *alt_root_pem, *alt_inter_pem;
	char *https_cert_pem, *https_key_pem;
};

/* Make both roots, the intermediates and the HTTPS certificate for names. */
int acs_mca_pki_make(struct acs_mca_pki **out, const char *const *https_names, size_t n,
                     struct acs_err *err);
void acs_mca_pki_free(struct acs_mca_pki *p);

/*
 * Issue a leaf for pub with the identifiers' SANs, valid [nb, na], signed by
 * the intermediate key. *out: new X509 (X509_free).
 */
int acs_mca_issue(const struct acs_mca_pki *p, EVP_PKEY *pub, const struct acs_ident *ids,
                  size_t nids, time_t nb, time_t na, X509 **out, struct acs_err *err);

/* PEM text of a certificate; new string (free()), NULL on failure. */
char *acs_mca_x509_pem(X509 *x);

/* PEM of a fresh throw-away private key (chain-private-key); new string. */
char *acs_mca_new_key_pem(void);

/* ---- misbehaviours and checks (tables.c) ---- */

enum mca_mb {
	MB_BAD_NONCE = 0,
	MB_RATE_LIMITED,
	MB_UNAVAILABLE,
	MB_ORDER_PROCESSING,
	MB_CHALLENGE_PROCESSING,
	MB_CHALLENGE_INVALID,
	MB_AUTHZ_REUSED,
	MB_NO_ALTERNATE,
	MB_CHAIN_EXTRA_TEXT,
	MB_CHAIN_PRIVATE_KEY,
	MB_CHAIN_LEAF_ONLY,
	MB_DIR_UNKNOWN_FIELDS,
	MB_DIR_V1,
	MB_CHALLENGE_URI,
	MB_NO_TOS,
	MB_REPLAY_NONCE_INVALID,
	MB_SHUFFLE,
	MB_NO_WILDCARD,
	MB_NO_IP,
	MB_NO_CHALLENGE,
	MB_NO_KEYCHANGE,
	MB_NO_REVOKE,
	MB_REQUIRE_UA,
	/* RFC violations from here on */
	MB_TOKEN_UNSAFE,
	MB_HTTP_URL,
	MB_NONCE_REUSE_OK,
	MB_NONCE_UNCHECKED,
	MB_NO_REPLAY_NONCE,
	MB_NEWNONCE_NO_CACHE,
	MB_NEWNONCE_GET_200,
	MB_NONCE_SHORT,
	MB_NONCE_PADDED,
	MB_DEACTIVATED_403,
	MB_ALG_MALFORMED,
	MB_ALG_NO_LIST,
	MB_URL_UNCHECKED,
	MB_URL_MALFORMED,
	MB_GET_ALLOWED,
	MB_CT_UNCHECKED,
	MB_POSTASGET_LAX,
	MB_KEY_SOURCE_LAX,
	MB_SIG_UNCHECKED,
	MB_FORM_LAX,
	MB_NO_INDEX_LINK,
	MB_PROBLEM_PLAIN_JSON,
	MB_TOS_AGREEMENT_REQUIRED,
	MB_NO_LOCATION,
	MB_EXISTING_201,
	MB_ONLY_EXISTING_CREATES,
	MB_CSR_NAMES_UNCHECKED,
	MB_CSR_MISMATCH_UNAUTHORIZED,
	MB_CSR_ACCOUNT_KEY_OK,
	MB_FINALIZE_NOT_READY_OK,
	MB_NO_ORDERS_URL,
	MB_KEYCHANGE_NO_LOCATION,
	MB_KEYCHANGE_UNCHECKED,
	MB_CERT_WRONG_CT,
	MB_NO_RETRY_AFTER,
	MB_REVOKE_REASON_UNCHECKED,
	MB_REVOKE_TWICE_OK,
	MB_WILDCARD_AUTHZ_STAR,
	MB_IGNORE_NOT_AFTER,
	MB_REJECT_UNKNOWN_FIELDS,
	MB_NO_UP_LINK,
	MB_SHORT_TOKENS,
	MB_EAB_UNCHECKED,
	MB_CONTACT_UNCHECKED,
	MB_NO_EDDSA,
	MB_NO_ES256,
	MB_DIRECTORY_POST_REFUSED,
	MB_BAD_PUNYCODE_OK,
	MB_ACCOUNT_STATUS_REFUSED,
	MB_DEACTIVATED_AUTHZ_KEPT,
	MB_REVOKE_ISSUER_ONLY,
	MB_REVOKE_ANY_ACCOUNT,
	MB_REVOKE_CERTKEY_REFUSED,
	MB_REVOKE_KID_REFUSED,
	MB_REVOKE_REASON_NO_DETAIL,
	MB_SEQUENTIAL_URLS,
	MB_NO_CORS,
	MB_DNS_UDP_ONLY,
	MB_NO_VALIDATION_RETRY,
	MB_NEWAUTHZ_NO_LOCATION,
	MB_AUTHZ_REUSE_COPY,
	MB_SUBPROBLEM_ID_STRING,
	MB_PROBLEM_TOP_IDENTIFIER,
	MB_EAB_NOT_ECHOED,
	MB_EAB_ECHO_UNVERIFIED,
	MB_DEACTIVATION_IGNORED,
	MB_CONTACT_UPDATE_IGNORED,
	MB_ACCOUNT_REFLECTS,
	MB_ALT_CHAIN_OTHER_LEAF,
	MB_OWNER_UNCHECKED,
	MB_NO_AUTHZ_EXPIRES,
	MB_AUTHZ_WILDCARD_FALSE,
	MB_REPLAY_NONCE_NEWNONCE_ONLY,
	MB_NO_REPLAY_NONCE_ON_ERROR,
	MB_CAA_URLS,
	MB_CHAIN_WRONG_ISSUER,
	MB_CHAIN_LEAF_LAST,
	MB_CERT_DROPS_NAME,
	MB_CERT_DER,
	MB_NON_JSON_PAYLOAD_OK,
	MB_CHALLENGE_202,
	MB_CONTACT_ERRORS_MALFORMED,
	MB_MAILTO_REFUSED,
	MB_META_NOT_OBJECT,
	MB_DNS_SINGLE_TXT,
	MB_DNS_WRONG_NAME,
	MB_DNS_ANY_TXT,
	MB_PROBLEM_V1,
	MB_ORDER_READY_DESPITE_INVALID,
	MB_HTTP01_UNCHECKED,
	MB_FAILED_CHALLENGE_REMOVED,
	MB_CSR_REFUSAL_INVALIDATES,
	MB_HTTP01_NO_REDIRECTS,
	MB_HTTP01_EXACT_BODY,
	MB_HTTP01_TOKEN_ONLY,
	MB_THUMBPRINT_STRIPS_ZEROS,
	MB_NO_CHALLENGE_ERROR,
	MB_IP_AUTHZ_AS_DNS,
	MB_IP_DNS01,
	MB_IP_SAN_AS_DNS,
	MB_UNENCODED_PAYLOAD_OK,
	MB_DETACHED_PAYLOAD_OK,
	MB_PAYLOAD_OMITTED_403,
	MB_POST_AS_GET_VALIDATES,
	MB_KEYCHANGE_INNER_UNVERIFIED,
	MB_KEYCHANGE_CONFLICT_UNREGISTERED,
	MB_KEYCHANGE_DEACTIVATED_OK,
	MB_KEYCHANGE_INVALIDATES_ORDERS,
	MB_KEYCHANGE_STEALS_KEY,
	MB_KEYCHANGE_KEEPS_OLD_KEY,
	MB_KEYCHANGE_NOT_APPLIED,
	MB_KID_UNKNOWN_500,
	MB_NO_NEWNONCE,
	MB_NEWNONCE_HEAD_204,
	MB_OFFER_TLS_SNI,
	MB_DIR_V1_ALIASES,
	MB_NONCE_REPEATS,
	MB_ORDER_ARRAYS_CHANGE,
	MB_NO_ORDER_EXPIRES,
	MB_ORDER_READY_AS_PENDING,
	MB_ORDERS_LIST_INVALID,
	MB_ORDERS_LIST_VALID_ONLY,
	MB_ORDERS_LIST_BARE,
	MB_PADDED_OK,
	MB_UNREGISTERED_TYPES,
	MB_BADPUBKEY_MALFORMED,
	MB_BADPUBKEY_NO_DETAIL,
	MB_ALPN_OFFERS_HTTP11,
	MB_ALPN_EXTRA_SAN_OK,
	MB_ALPN_SAN_CASE,
	MB_ALPN_SENDS_DATA,
	MB_ALPN_EXT_UNCHECKED,
	MB_ALPN_TLS11,
	MB_ALPN_DIGEST_OF_TOKEN,
	MB_TOS_NOT_ADVERTISED,
	MB_UNKNOWN_IDENT_OK,
	MB_URL_HOST_CASE,
	MB_WILDCARD_SAN_BASE,
	MB_COUNT
};

/* Table entries in enum order (acs_mockca_misbehaviours returns them). */
extern const struct acs_mockca_misbehaviour acs_mca_mb_table[MB_COUNT];

enum mca_check {
	CK_USER_AGENT = 0,
	CK_ACCEPT_LANGUAGE,
	CK_UTF8,
	CK_B64_NO_PADDING,
	CK_FLATTENED,
	CK_ONE_SIGNATURE,
	CK_NO_B64_FALSE,
	CK_NO_UNPROTECTED,
	CK_PAYLOAD_PRESENT,
	CK_PROTECTED_FIELDS,
	CK_ALG_ASYMMETRIC,
	CK_ALG_MATCHES_KEY,
	CK_SIGNATURE_VERIFIES,
	CK_JWK_WHERE_REQUIRED,
	CK_KID_WHERE_REQUIRED,
	CK_JWK_XOR_KID,
	CK_KID_IS_ACCOUNT_URL,
	CK_CONTENT_TYPE,
	CK_POST_AS_GET,
	CK_POST_AS_GET_EMPTY,
	CK_URL_PRESENT,
	CK_URL_MATCHES,
	CK_NONCE_PRESENT,
	CK_NONCE_B64URL,
	CK_NONCE_FRESH,
	CK_NO_REPLAY_NONCE_HEADER,
	CK_MAILTO,
	CK_TOS_DEFAULT,
	CK_EAB_MAC_ALG,
	CK_EAB_KID,
	CK_EAB_NO_NONCE,
	CK_EAB_URL,
	CK_EAB_PAYLOAD_JWK,
	CK_KEYCHANGE_ACCOUNT,
	CK_KEYCHANGE_INNER_JWK,
	CK_KEYCHANGE_INNER_URL,
	CK_KEYCHANGE_INNER_NO_NONCE,
	CK_KEYCHANGE_OLDKEY,
	CK_FINALIZE_CSR,
	CK_CSR_MATCHES_ORDER,
	CK_CSR_KEY_NOT_ACCOUNT,
	CK_HTTP01_KEYAUTH,
	CK_HTTP01_EXACT,
	CK_DNS01_TXT,
	CK_ALPN_HANDSHAKE,
	CK_ALPN_SAN,
	CK_ALPN_EXTENSION,
	CK_ALPN_CRITICAL,
	CK_COUNT
};

extern const struct acs_mockca_check acs_mca_check_table[CK_COUNT];

/* ---- scenario state ---- */

enum mca_status {
	ST_PENDING = 0,
	ST_PROCESSING,
	ST_VALID,
	ST_INVALID,
	ST_READY,
	ST_DEACTIVATED,
	ST_REVOKED,
	ST_EXPIRED
};
const char *acs_mca_status_name(enum mca_status s);

/* CT_TLSSNI02 is only ever offered by the offer-tls-sni misbehaviour */
enum mca_ctype { CT_HTTP01 = 0, CT_DNS01, CT_TLSALPN01, CT_TLSSNI02, CT_COUNT };
extern const char *const acs_mca_ctype_names[CT_COUNT];

struct mca_mb_state {
	int on;
	long n;        /* numeric argument (or -1) */
	int endpoint;  /* -1: any */
	char arg[128]; /* the argument as given */
	long counter;  /* times it fired */
};

/* Random part of an object's URL (section 10.5): 16 base64url characters. */
#define MCA_RID_LEN 24

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

struct mca_authz {
	int id;
	char rid[MCA_RID_LEN];
	int acct;
	struct acs_ident ident; /* wildcard authzs hold the base name */
	int wildcard;
	enum mca_status status;
	time_t expires;
	int chall[CT_COUNT];
	int nchall;
};

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
};

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
};

struct mca_scenario {
	char name[72];
	pthread_mutex_t lock;
	int refs; /* guarded by the CA's registry lock */
	struct acs_nonce_store *nonces;
	struct mca_mb_state mb[MB_COUNT];
	long ep_count[32]; /* signed requests per endpoint */
	long responses;
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
	struct mca_scenario *next;
};

/* ---- the CA object (server.c) ---- */

struct mca_vjob;

struct acs_mockca {
	struct acs_mockca_opts o;
	char *bind_addr, *workdir, *dns_server, *validate_addr, *eab_kid;
	unsigned char *eab_key;
	size_t eab_key_len;
	int own_workdir;
	struct acs_mca_pki *pki;
	char *bundle_path, *all_roots_path;
	void *mhd, *mhd_plain; /* struct MHD_Daemon */
	void *listeners;       /* two struct listener (server.c) */
	int curl_inited;
	int port, plain_port;
	char *base_url, *plain_base_url;
	pthread_mutex_t reg_lock;
	struct mca_scenario *scenarios;
	struct mca_mb_state default_mb[MB_COUNT];
	/* validation workers */
	pthread_mutex_t q_lock;
	pthread_cond_t q_cond;
	struct mca_vjob *q_head, *q_tail; /* jobs in order of arrival; each has a due time */
	int q_stop;
	pthread_t workers[4];
	int nworkers;
};

/* A validation to perform, copied out of the scenario so the lock is free. */
struct mca_vjob {
	struct mca_scenario *scn; /* a reference held by the job */
	int chall;
	enum mca_ctype type;
	struct acs_ident ident;
	char token[64];
	char *keyauth;
	unsigned char mb[MB_COUNT]; /* the scenario's switches when the job was queued */
	int attempt;                /* 0: first; 1: the retry after a failure (section 8.2) */
	struct timespec due;        /* CLOCK_REALTIME; not before */
	struct mca_vjob *next;
};

/* Scenario references (server.c). */
struct mca_scenario *acs_mca_scn_get(struct acs_mockca *ca, const char *name, int create);
void acs_mca_scn_put(struct acs_mockca *ca, struct mca_scenario *s);

/*
 * Queue a validation job for scenario s: takes ownership of job, and a new
 * reference on s. delay_ms: how long the job waits before it runs.
 */
void acs_mca_enqueue_scn(struct acs_mockca *ca, struct mca_scenario *s, struct mca_vjob *job,
                         unsigned int delay_ms);

/* ---- one request being answered ---- */

#define MCA_MAX_HDRS 16

struct mca_resp {
	unsigned int status;
	struct acs_buf body;
	const char *ctype;
	char *hname[MCA_MAX_HDRS];
	char *hval[MCA_MAX_HDRS];
	size_t nh;
	const char *problem; /* short problem type for the log */
	int no_index;        /* no Link rel="index" (directory) */
	int nonce_mode;      /* 0 normal, 1 no-store newNonce */
};

struct mca_req {
	struct acs_mockca *ca;
	void *conn;               /* struct MHD_Connection */
	struct mca_scenario *scn; /* locked while the request is handled */
	const char *method;
	const char *path; /* the rest after /s/<name> ("/new-order") */
	char *base;       /* "https://host:port" as the client addressed us */
	char *sbase;      /* base + "/s/<name>" */
	char *url;        /* sbase + path */
	const char *body;
	size_t body_len;
	int endpoint;
	int obj_id; /* object id parsed from the path */
	int alt;    /* certificate: alternate index */
	json_t *logent;
	struct mca_resp resp;
};

/* Headers of the request (borrowed from MHD). */
const char *acs_mca_req_header(struct mca_req *r, const char *name);

/* Record that check ck fired, with a message. */
void acs_mca_check(struct mca_req *r, enum mca_check ck, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The same into a log entry (validations, which run outside any request). */
void acs_mca_check_ent(json_t *logent, enum mca_check ck, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Append a log entry to the scenario (its lock held) and count the checks it
 * carries; takes the reference.
 */
void acs_mca_log_add(struct mca_scenario *s, json_t *ent);

/* Response helpers (acme.c). */
int acs_mca_add_header(struct mca_resp *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void acs_mca_problem(struct mca_req *r, unsigned int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void acs_mca_resp_json(struct mca_req *r, unsigned int status, json_t *body);

/* Is misbehaviour m on for this scenario? */
static inline int mca_mb(const struct mca_scenario *s, enum mca_mb m)
{
	return s->mb[m].on;
}

/* Parse "NAME" / "NAME=ARG" into a state table. */
int acs_mca_mb_set(struct mca_mb_state *tab, const char *spec, struct acs_err *err);

/* Endpoint names ("new-order") and parsing. */
enum mca_endpoint {
	EP_DIRECTORY = 0,
	EP_NEWNONCE,
	EP_NEWACCOUNT,
	EP_ACCOUNT,
	EP_ORDERS,
	EP_KEYCHANGE,
	EP_NEWORDER,
	EP_ORDER,
	EP_AUTHZ,
	EP_CHALLENGE,
	EP_FINALIZE,
	EP_CERT,
	EP_REVOKE,
	EP_TERMS,
	EP_ISSUER,
	EP_NEWAUTHZ,
	EP_COUNT
};
extern const char *const acs_mca_ep_names[EP_COUNT];

/* Handle one routed request (acme.c); the scenario lock is held. */
void acs_mca_handle(struct mca_req *r);

/* Validation (validate.c): 0 valid; otherwise fills *errtype and detail. */
int acs_mca_validate(struct acs_mockca *ca, const struct mca_vjob *job, json_t *logent,
                     const char **errtype, struct acs_buf *detail);

/* Apply a finished validation (acme.c); the scenario lock is held. */
void acs_mca_validation_done(struct acs_mockca *ca, struct mca_scenario *s, int chall, int ok,
                             const char *errtype, const char *detail);

/*
 * A first attempt failed (acme.c; the scenario lock is held): 1 when the
 * validation is to be retried (the challenge stays processing and shows the
 * error meanwhile, section 8.2), 0 when the failure is final.
 */
int acs_mca_validation_retry(struct mca_scenario *s, int chall, const char *errtype,
                             const char *detail);

/* The key authorization of token for the account key, as the scenario computes it (acme.c). */
char *acs_mca_keyauth(struct mca_scenario *s, const char *token, const struct mca_account *a,
                      struct acs_err *err);

#endif
