/*
 * The mock client's misbehaviours: one table of named switches, as
 * BoringSSL's ProtocolBugs, with a name, a description and a kind:
 *
 *  - request (docs/case-format.md, "Mock-client misbehaviours"): how one
 *    signed request is built wrong; a server-case step turns a few on by
 *    name and the request builder of acme.c commits them;
 *  - inner: the same for the inner JWS of a key change;
 *  - client: how the client flow of mockclient/flow.h deviates from a
 *    conformant client (the negative controls of the client scenarios,
 *    `acmespec mock-client --misbehave NAME`).
 *
 * Request and inner misbehaviours are bits of an acs_mis_set, client ones
 * bits of an acs_sw_set; names are unique across the whole table.
 */
#ifndef ACMESPEC_MISBEHAVE_H
#define ACMESPEC_MISBEHAVE_H

#include <stddef.h>
#include <stdint.h>

enum acs_mis {
	ACS_MIS_NONCE_REUSE = 0,
	ACS_MIS_NONCE_OMIT,
	ACS_MIS_NONCE_FORGE,
	ACS_MIS_NONCE_INVALID_B64,
	ACS_MIS_URL_OMIT,
	ACS_MIS_URL_MISMATCH,
	ACS_MIS_URL_TRAILING_SLASH,
	ACS_MIS_URL_HOST_CASE,
	ACS_MIS_URL_NOT_STRING,
	ACS_MIS_JWK_AND_KID,
	ACS_MIS_JWK_NOT_KID,
	ACS_MIS_KID_NOT_JWK,
	ACS_MIS_KID_UNKNOWN,
	ACS_MIS_ALG_NONE,
	ACS_MIS_ALG_HS256,
	ACS_MIS_ALG_MISMATCH,
	ACS_MIS_SIG_CORRUPT,
	ACS_MIS_B64_PADDED,
	ACS_MIS_CONTENT_TYPE_JSON,
	ACS_MIS_CONTENT_TYPE_OMIT,
	ACS_MIS_CONTENT_TYPE_CHARSET,
	ACS_MIS_POST_AS_GET_EMPTY_OBJECT,
	ACS_MIS_PAYLOAD_OMIT,
	ACS_MIS_V1_RESOURCE,
	ACS_MIS_COMPACT,
	ACS_MIS_GENERAL,
	ACS_MIS_UNPROTECTED_HEADER,
	ACS_MIS_B64_FALSE,
	ACS_MIS_REPLAY_NONCE_HEADER,
	ACS_MIS_NO_USER_AGENT,
	ACS_MIS_INNER_KID,
	ACS_MIS_INNER_SIG_CORRUPT,
	ACS_MIS_INNER_URL_MISMATCH,
	ACS_MIS_INNER_ACCOUNT_WRONG,
	ACS_MIS_INNER_OLDKEY_WRONG,
	ACS_MIS_INNER_NOT_JWS,
	ACS_MIS_COUNT
};

typedef uint64_t acs_mis_set;

#define ACS_MIS_BIT(m)      ((acs_mis_set)1 << (m))
#define ACS_MIS_HAS(set, m) (((set)&ACS_MIS_BIT(m)) != 0)

/* The misbehaviours that make the nonce itself wrong: never retried on badNonce. */
#define ACS_MIS_NONCE_MASK                                                                         \
	(ACS_MIS_BIT(ACS_MIS_NONCE_REUSE) | ACS_MIS_BIT(ACS_MIS_NONCE_OMIT) |                      \
	 ACS_MIS_BIT(ACS_MIS_NONCE_FORGE) | ACS_MIS_BIT(ACS_MIS_NONCE_INVALID_B64))

/* The key-change inner-JWS misbehaviours. */
#define ACS_MIS_INNER_MASK                                                                         \
	(ACS_MIS_BIT(ACS_MIS_INNER_KID) | ACS_MIS_BIT(ACS_MIS_INNER_SIG_CORRUPT) |                 \
	 ACS_MIS_BIT(ACS_MIS_INNER_URL_MISMATCH) | ACS_MIS_BIT(ACS_MIS_INNER_ACCOUNT_WRONG) |      \
	 ACS_MIS_BIT(ACS_MIS_INNER_OLDKEY_WRONG) | ACS_MIS_BIT(ACS_MIS_INNER_NOT_JWS))

/* Client-behaviour switches of the flow (mockclient/flow.h), in table order. */
enum acs_sw {
	ACS_SW_ACCEPT_ANY_PEM = 0,
	ACS_SW_ACCEPT_V1_DIRECTORY,
	ACS_SW_ALPN_EXTRA_SAN,
	ACS_SW_ALPN_NONCRITICAL,
	ACS_SW_ALPN_UNPROVISIONED,
	ACS_SW_ARI_ACCEPT_INVALID_WINDOW,
	ACS_SW_ARI_CERTID_STRIPPED_ZERO,
	ACS_SW_ARI_CERTID_WRONG_AKI,
	ACS_SW_ARI_CHECK_EXPIRED,
	ACS_SW_ARI_CHECK_REPLACED,
	ACS_SW_ARI_FAIL_ON_ERROR,
	ACS_SW_ARI_GIVE_UP_ALREADY_REPLACED,
	ACS_SW_ARI_IGNORE_WINDOW,
	ACS_SW_ARI_NO_EXPLANATION,
	ACS_SW_ARI_POLL_TIGHT,
	ACS_SW_ARI_POST,
	ACS_SW_ARI_RENEW_ALWAYS,
	ACS_SW_ARI_REPLACES_UNADVERTISED,
	ACS_SW_ANSWER_TLS_SNI, /* issue 7 item 9 */
	ACS_SW_B64_FALSE_POST_AS_GET,
	ACS_SW_BADNONCE_REUSE_NONCE,
	ACS_SW_BODY_NOT_UTF8,
	ACS_SW_CRASH_ON_MALFORMED,
	ACS_SW_CSR_ACCOUNT_KEY,
	ACS_SW_CSR_MISSING_NAME,
	ACS_SW_CSR_NOT_DER,
	ACS_SW_DNSACCT_FULL_HASH, /* issue 7 item 3 */
	ACS_SW_EAB_NOT_MAC,
	ACS_SW_EAB_OMIT,
	ACS_SW_EAB_OTHER_KEY,
	ACS_SW_EAB_WITH_NONCE,
	ACS_SW_EAB_WRONG_KID,
	ACS_SW_EAB_WRONG_URL,
	ACS_SW_EXPECT_PENDING_ORDER,
	ACS_SW_FETCH_ALTERNATES_GET,
	ACS_SW_FINALIZE_AFTER_INVALID,
	ACS_SW_FINALIZE_AFTER_RESPOND, /* issue 7 item 9 */
	ACS_SW_GET_RESOURCES,
	ACS_SW_GIVE_UP_ON_RETRY_AFTER,
	ACS_SW_HIDE_DETAIL,
	ACS_SW_HTTP01_TRAILING_NEWLINE,
	ACS_SW_IGNORE_RETRY_AFTER,
	ACS_SW_KEYAUTH_WRONG,
	ACS_SW_KEYCHANGE_INNER_NONCE,
	ACS_SW_MAILTO_HFIELDS,
	ACS_SW_NO_ACCEPT_LANGUAGE,
	ACS_SW_NO_BADNONCE_RETRY,
	ACS_SW_NO_DEPROVISION,
	ACS_SW_NO_JWK_NO_KID,
	ACS_SW_ORDER_FETCH_EMPTY_OBJECT,
	ACS_SW_NO_TOS_AGREE,
	ACS_SW_PERSIST_ANY_ISSUERS,   /* issue 7 item 3 */
	ACS_SW_PERSIST_NO_POLICY,     /* issue 7 item 3 */
	ACS_SW_PERSIST_WRONG_ACCOUNT, /* issue 7 item 3 */
	ACS_SW_POST_CHALLENGE_ON_VALID,
	ACS_SW_RELY_ON_ORDER,
	ACS_SW_REQUIRE_TOS,
	ACS_SW_RESPOND_BEFORE_PROVISION,
	ACS_SW_RETRY_SAME_NONCE, /* issue 7 item 7 */
	ACS_SW_REVOKE_BAD_REASON,
	ACS_SW_STRICT_DIRECTORY,
	ACS_SW_STRICT_GET_NONCE,
	ACS_SW_TIGHT_POLL,
	ACS_SW_TWO_SIGNATURES,
	ACS_SW_USE_INVALID_NONCE,
	ACS_SW_WILDCARD_TXT_STAR,
	/* profiles and Let's Encrypt (branch profiles) */
	ACS_SW_INVALID_PROFILE_RETRY,
	ACS_SW_ORDER_NOT_AFTER,
	ACS_SW_PROFILE_ALWAYS,
	ACS_SW_PROFILE_IGNORED,
	ACS_SW_REQUIRE_PROFILES,
	/* timing of long-running clients (mock-client --daemon, branch timing2) */
	ACS_SW_DAEMON_RETRY_TIGHT,
	/* RFC 9444 (subdomain authorizations, issue 7 item 4) */
	ACS_SW_ANCESTOR_NOT_ANCESTOR,
	ACS_SW_SUBDOMAIN_FLAG_STRING,
	/* issue 11: the controls of the hostile-server scenarios */
	ACS_SW_NO_TIMEOUT,
	ACS_SW_RETRY_FOREVER,
	/* issue 7 items 7 and 9 */
	ACS_SW_PREFERRED_CHAIN_IGNORED,
	ACS_SW_ACCOUNT_409_TAKEN,
	ACS_SW_COUNT
};

/* 128 bits (GCC and Clang on 64-bit targets): the client switches outgrew 64 */
typedef unsigned __int128 acs_sw_set;

#define ACS_SW_BIT(m)      ((acs_sw_set)1 << (m))
#define ACS_SW_HAS(set, m) (((set)&ACS_SW_BIT(m)) != 0)

enum acs_mis_kind {
	ACS_MIS_KIND_REQUEST = 0, /* id is an enum acs_mis, any signed request */
	ACS_MIS_KIND_INNER,       /* id is an enum acs_mis, the inner JWS of a key change */
	ACS_MIS_KIND_CLIENT       /* id is an enum acs_sw, the client flow */
};

/* One entry of the table. */
struct acs_misbehaviour {
	const char *name; /* "nonce-reuse", "tight-poll" */
	enum acs_mis_kind kind;
	int id; /* enum acs_mis or enum acs_sw, after kind */
	const char *help;
};

/* The whole table (static), ACS_MIS_COUNT + ACS_SW_COUNT entries; *n gets the count. */
const struct acs_misbehaviour *acs_misbehaviours(size_t *n);

/* The entry of a name (any kind), or NULL when unknown. */
const struct acs_misbehaviour *acs_misbehaviour_find(const char *name);

/* Index of a request or inner misbehaviour by its name, or -1 (unknown or client kind). */
int acs_mis_parse(const char *name);

/* Static name of a misbehaviour ("nonce-reuse"), or "?" out of range. */
const char *acs_mis_name(enum acs_mis m);

/* The request and inner names in table order, NULL-terminated (static). */
const char *const *acs_mis_names(void);

#endif
