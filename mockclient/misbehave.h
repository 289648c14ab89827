/*
 * The mock client's misbehaviours (docs/case-format.md, "Mock-client
 * misbehaviours"): a table of named switches, as BoringSSL's ProtocolBugs.
 * A step turns a few on by name; the request builder in acme.c commits them.
 */
#ifndef ACMESPEC_MISBEHAVE_H
#define ACMESPEC_MISBEHAVE_H

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

/* Index of a misbehaviour by its name, or -1 when unknown. */
int acs_mis_parse(const char *name);

/* Static name of a misbehaviour ("nonce-reuse"), or "?" out of range. */
const char *acs_mis_name(enum acs_mis m);

/* All names in table order, NULL-terminated (static). */
const char *const *acs_mis_names(void);

#endif
