/*
 * The mock client's one misbehaviour table (misbehave.h). The request and
 * inner entries come first, in the order of enum acs_mis (the table of
 * docs/case-format.md); the client-behaviour entries follow in the order of
 * enum acs_sw.
 */
#include "mockclient/misbehave.h"

#include <pthread.h>
#include <string.h>

static const struct acs_misbehaviour table[] = {
    {"nonce-reuse", ACS_MIS_KIND_REQUEST, ACS_MIS_NONCE_REUSE,
     "uses a nonce that an earlier request of this session already used"},
    {"nonce-omit", ACS_MIS_KIND_REQUEST, ACS_MIS_NONCE_OMIT, "no nonce in the protected header"},
    {"nonce-forge", ACS_MIS_KIND_REQUEST, ACS_MIS_NONCE_FORGE,
     "a well-formed random nonce the server never issued"},
    {"nonce-invalid-b64", ACS_MIS_KIND_REQUEST, ACS_MIS_NONCE_INVALID_B64, "nonce \"a+b/=\""},
    {"url-omit", ACS_MIS_KIND_REQUEST, ACS_MIS_URL_OMIT, "no url in the protected header"},
    {"url-mismatch", ACS_MIS_KIND_REQUEST, ACS_MIS_URL_MISMATCH,
     "url is the newNonce URL instead of the request URL"},
    {"url-trailing-slash", ACS_MIS_KIND_REQUEST, ACS_MIS_URL_TRAILING_SLASH, "url with an added /"},
    {"url-host-case", ACS_MIS_KIND_REQUEST, ACS_MIS_URL_HOST_CASE,
     "url with the host in upper case"},
    {"url-not-string", ACS_MIS_KIND_REQUEST, ACS_MIS_URL_NOT_STRING, "url is the number 1"},
    {"jwk-and-kid", ACS_MIS_KIND_REQUEST, ACS_MIS_JWK_AND_KID, "both jwk and kid"},
    {"jwk-not-kid", ACS_MIS_KIND_REQUEST, ACS_MIS_JWK_NOT_KID, "jwk where kid is required"},
    {"kid-not-jwk", ACS_MIS_KIND_REQUEST, ACS_MIS_KID_NOT_JWK,
     "kid (the account URL, or a made-up one) where jwk is required"},
    {"kid-unknown", ACS_MIS_KIND_REQUEST, ACS_MIS_KID_UNKNOWN,
     "kid of an account URL that does not exist"},
    {"alg-none", ACS_MIS_KIND_REQUEST, ACS_MIS_ALG_NONE, "alg: \"none\" and an empty signature"},
    {"alg-hs256", ACS_MIS_KIND_REQUEST, ACS_MIS_ALG_HS256,
     "alg: \"HS256\", MAC keyed with the account's thumbprint"},
    {"alg-mismatch", ACS_MIS_KIND_REQUEST, ACS_MIS_ALG_MISMATCH,
     "header claims an alg that does not fit the key (ES384 on a P-256 key, RS256 on EC)"},
    {"sig-corrupt", ACS_MIS_KIND_REQUEST, ACS_MIS_SIG_CORRUPT, "one signature byte flipped"},
    {"b64-padded", ACS_MIS_KIND_REQUEST, ACS_MIS_B64_PADDED,
     "protected, payload and signature base64url with = padding"},
    {"content-type-json", ACS_MIS_KIND_REQUEST, ACS_MIS_CONTENT_TYPE_JSON,
     "Content-Type: application/json"},
    {"content-type-omit", ACS_MIS_KIND_REQUEST, ACS_MIS_CONTENT_TYPE_OMIT, "no Content-Type"},
    {"content-type-charset", ACS_MIS_KIND_REQUEST, ACS_MIS_CONTENT_TYPE_CHARSET,
     "application/jose+json; charset=utf-8"},
    {"post-as-get-empty-object", ACS_MIS_KIND_REQUEST, ACS_MIS_POST_AS_GET_EMPTY_OBJECT,
     "payload {} where POST-as-GET (empty payload) is meant"},
    {"payload-omit", ACS_MIS_KIND_REQUEST, ACS_MIS_PAYLOAD_OMIT, "the payload member left out"},
    {"v1-resource", ACS_MIS_KIND_REQUEST, ACS_MIS_V1_RESOURCE,
     "ACME v1 style: payload carries \"resource\" and the header has no url"},
    {"compact", ACS_MIS_KIND_REQUEST, ACS_MIS_COMPACT, "JWS compact serialization (a.b.c)"},
    {"general", ACS_MIS_KIND_REQUEST, ACS_MIS_GENERAL,
     "JWS general serialization (signatures array)"},
    {"unprotected-header", ACS_MIS_KIND_REQUEST, ACS_MIS_UNPROTECTED_HEADER,
     "an extra unprotected header member"},
    {"b64-false", ACS_MIS_KIND_REQUEST, ACS_MIS_B64_FALSE,
     "RFC 7797 unencoded payload: \"b64\": false, \"crit\": [\"b64\"]"},
    {"replay-nonce-header", ACS_MIS_KIND_REQUEST, ACS_MIS_REPLAY_NONCE_HEADER,
     "sends a Replay-Nonce request header"},
    {"no-user-agent", ACS_MIS_KIND_REQUEST, ACS_MIS_NO_USER_AGENT, "sends no User-Agent"},
    {"inner-kid", ACS_MIS_KIND_INNER, ACS_MIS_INNER_KID,
     "key change: inner JWS uses kid instead of jwk"},
    {"inner-sig-corrupt", ACS_MIS_KIND_INNER, ACS_MIS_INNER_SIG_CORRUPT,
     "key change: inner signature corrupted"},
    {"inner-url-mismatch", ACS_MIS_KIND_INNER, ACS_MIS_INNER_URL_MISMATCH,
     "key change: inner url differs from the outer"},
    {"inner-account-wrong", ACS_MIS_KIND_INNER, ACS_MIS_INNER_ACCOUNT_WRONG,
     "key change: inner account names another URL"},
    {"inner-oldkey-wrong", ACS_MIS_KIND_INNER, ACS_MIS_INNER_OLDKEY_WRONG,
     "key change: oldKey is not the current key"},
    {"inner-not-jws", ACS_MIS_KIND_INNER, ACS_MIS_INNER_NOT_JWS,
     "key change: the outer payload is plain JSON, not a JWS"},

    /* client behaviour: the flow of acs_flow_* (mockclient/flow.h), sorted by name */
    {"accept-any-pem", ACS_MIS_KIND_CLIENT, ACS_SW_ACCEPT_ANY_PEM,
     "keep a certificate download whatever it holds (other PEM blocks, a DER body)"},
    {"accept-v1-directory", ACS_MIS_KIND_CLIENT, ACS_SW_ACCEPT_V1_DIRECTORY,
     "use an ACME v1 directory (new-reg, new-authz, new-cert) as v2"},
    {"alpn-extra-san", ACS_MIS_KIND_CLIENT, ACS_SW_ALPN_EXTRA_SAN,
     "tls-alpn-01 certificate with a second dNSName"},
    {"alpn-noncritical", ACS_MIS_KIND_CLIENT, ACS_SW_ALPN_NONCRITICAL,
     "tls-alpn-01 acmeIdentifier extension not critical"},
    {"alpn-unprovisioned", ACS_MIS_KIND_CLIENT, ACS_SW_ALPN_UNPROVISIONED,
     "tls-alpn-01: answer the challenge but serve no certificate for the name"},
    {"ari-accept-invalid-window", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_ACCEPT_INVALID_WINDOW,
     "--renew-cert: act on a RenewalInfo window that ends before it starts"},
    {"ari-certid-stripped-zero", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_CERTID_STRIPPED_ZERO,
     "ARI certIDs with the serial's leading zero octet stripped"},
    {"ari-certid-wrong-aki", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_CERTID_WRONG_AKI,
     "ARI certIDs built from the certificate's own key identifier, not its AKI"},
    {"ari-check-expired", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_CHECK_EXPIRED,
     "--renew-cert: fetch the RenewalInfo of a certificate that has expired"},
    {"ari-check-replaced", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_CHECK_REPLACED,
     "--renew-cert: after renewing, fetch the old certificate's RenewalInfo again"},
    {"ari-fail-on-error", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_FAIL_ON_ERROR,
     "--renew-cert: give up (exit non-zero) when renewalInfo answers an error"},
    {"ari-give-up-already-replaced", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_GIVE_UP_ALREADY_REPLACED,
     "--renew-cert: give up on 409 alreadyReplaced instead of ordering without replaces"},
    {"ari-ignore-window", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_IGNORE_WINDOW,
     "--renew-cert: fetch RenewalInfo but keep to its own schedule (renew at 2/3 of the lifetime)"},
    {"ari-no-explanation", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_NO_EXPLANATION,
     "--renew-cert: do not show the explanationURL"},
    {"ari-poll-tight", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_POLL_TIGHT,
     "--renew-cert: fetch RenewalInfo three times in a row, whatever Retry-After says"},
    {"ari-post", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_POST,
     "--renew-cert: ask renewalInfo with a POST (no body) instead of a GET"},
    {"ari-renew-always", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_RENEW_ALWAYS,
     "--renew-cert: renew whatever the RenewalInfo window says"},
    {"ari-replaces-unadvertised", ACS_MIS_KIND_CLIENT, ACS_SW_ARI_REPLACES_UNADVERTISED,
     "--renew-cert: send replaces even when the directory has no renewalInfo"},
    {"answer-tls-sni", ACS_MIS_KIND_CLIENT, ACS_SW_ANSWER_TLS_SNI,
     "also answer the withdrawn tls-sni-01/tls-sni-02 challenges an authorization offers"},
    {"b64-false-post-as-get", ACS_MIS_KIND_CLIENT, ACS_SW_B64_FALSE_POST_AS_GET,
     "POST-as-GET with the unencoded payload option (b64: false)"},
    {"badnonce-reuse-nonce", ACS_MIS_KIND_CLIENT, ACS_SW_BADNONCE_REUSE_NONCE,
     "retry a badNonce with the rejected nonce, not the error's"},
    {"body-not-utf8", ACS_MIS_KIND_CLIENT, ACS_SW_BODY_NOT_UTF8,
     "signed requests whose JSON body is not UTF-8"},
    {"crash-on-malformed", ACS_MIS_KIND_CLIENT, ACS_SW_CRASH_ON_MALFORMED,
     "abort (SIGABRT) on a response lacking a required field"},
    {"csr-account-key", ACS_MIS_KIND_CLIENT, ACS_SW_CSR_ACCOUNT_KEY,
     "the CSR carries the account key"},
    {"csr-missing-name", ACS_MIS_KIND_CLIENT, ACS_SW_CSR_MISSING_NAME,
     "the CSR leaves the last name of the order out"},
    {"csr-not-der", ACS_MIS_KIND_CLIENT, ACS_SW_CSR_NOT_DER,
     "finalize with a csr that is not a DER CSR"},
    {"dnsacct-full-hash-label", ACS_MIS_KIND_CLIENT, ACS_SW_DNSACCT_FULL_HASH,
     "dns-account-01 label from all 32 octets of SHA-256(account URL), not the first 10"},
    {"eab-not-mac", ACS_MIS_KIND_CLIENT, ACS_SW_EAB_NOT_MAC,
     "EAB protected header with alg ES256, not a MAC"},
    {"eab-omit", ACS_MIS_KIND_CLIENT, ACS_SW_EAB_OMIT,
     "no externalAccountBinding even when the CA requires one"},
    {"eab-other-key", ACS_MIS_KIND_CLIENT, ACS_SW_EAB_OTHER_KEY,
     "EAB payload: a key other than the account key"},
    {"eab-with-nonce", ACS_MIS_KIND_CLIENT, ACS_SW_EAB_WITH_NONCE,
     "a nonce in the EAB protected header"},
    {"eab-wrong-kid", ACS_MIS_KIND_CLIENT, ACS_SW_EAB_WRONG_KID,
     "EAB kid other than the one the CA gave"},
    {"eab-wrong-url", ACS_MIS_KIND_CLIENT, ACS_SW_EAB_WRONG_URL,
     "EAB url other than the newAccount URL"},
    {"expect-pending-order", ACS_MIS_KIND_CLIENT, ACS_SW_EXPECT_PENDING_ORDER,
     "give up when a new order is not \"pending\" (e.g. ready)"},
    {"fetch-alternates-get", ACS_MIS_KIND_CLIENT, ACS_SW_FETCH_ALTERNATES_GET,
     "fetch alternate chains with a plain GET"},
    {"finalize-after-invalid", ACS_MIS_KIND_CLIENT, ACS_SW_FINALIZE_AFTER_INVALID,
     "finalize even after an authorization turned invalid"},
    {"finalize-after-respond", ACS_MIS_KIND_CLIENT, ACS_SW_FINALIZE_AFTER_RESPOND,
     "finalize right after answering the challenges, taking their 2xx for the validation"},
    {"get-resources", ACS_MIS_KIND_CLIENT, ACS_SW_GET_RESOURCES,
     "read authorizations and orders with GET instead of POST-as-GET"},
    {"give-up-on-retry-after", ACS_MIS_KIND_CLIENT, ACS_SW_GIVE_UP_ON_RETRY_AFTER,
     "give up on 429 rateLimited and 503 instead of retrying"},
    {"hide-detail", ACS_MIS_KIND_CLIENT, ACS_SW_HIDE_DETAIL,
     "print errors without the server's \"detail\""},
    {"http01-trailing-newline", ACS_MIS_KIND_CLIENT, ACS_SW_HTTP01_TRAILING_NEWLINE,
     "http-01 resource with a trailing newline"},
    {"ignore-retry-after", ACS_MIS_KIND_CLIENT, ACS_SW_IGNORE_RETRY_AFTER,
     "retry and poll after 100 ms whatever Retry-After says"},
    {"keyauth-wrong", ACS_MIS_KIND_CLIENT, ACS_SW_KEYAUTH_WRONG,
     "answer every challenge with a wrong key authorization"},
    {"keychange-inner-nonce", ACS_MIS_KIND_CLIENT, ACS_SW_KEYCHANGE_INNER_NONCE,
     "--key-change: a nonce in the inner JWS"},
    {"mailto-hfields", ACS_MIS_KIND_CLIENT, ACS_SW_MAILTO_HFIELDS,
     "contact mailto:a@b.test?subject=x"},
    {"no-accept-language", ACS_MIS_KIND_CLIENT, ACS_SW_NO_ACCEPT_LANGUAGE,
     "send no Accept-Language header"},
    {"no-badnonce-retry", ACS_MIS_KIND_CLIENT, ACS_SW_NO_BADNONCE_RETRY,
     "give up on the first badNonce"},
    {"no-deprovision", ACS_MIS_KIND_CLIENT, ACS_SW_NO_DEPROVISION,
     "leave http-01 files (--webroot) and dns-01 records in place"},
    {"no-jwk-no-kid", ACS_MIS_KIND_CLIENT, ACS_SW_NO_JWK_NO_KID,
     "protected headers with neither jwk nor kid"},
    {"order-fetch-empty-object", ACS_MIS_KIND_CLIENT, ACS_SW_ORDER_FETCH_EMPTY_OBJECT,
     "fetch orders with the payload {} instead of \"\""},
    {"no-tos-agree", ACS_MIS_KIND_CLIENT, ACS_SW_NO_TOS_AGREE, "never send termsOfServiceAgreed"},
    {"persist-any-issuers", ACS_MIS_KIND_CLIENT, ACS_SW_PERSIST_ANY_ISSUERS,
     "answer dns-persist-01 even when issuer-domain-names is empty or holds over 10 names"},
    {"persist-no-policy", ACS_MIS_KIND_CLIENT, ACS_SW_PERSIST_NO_POLICY,
     "dns-persist-01 record without policy=wildcard, even for a wildcard"},
    {"persist-wrong-account", ACS_MIS_KIND_CLIENT, ACS_SW_PERSIST_WRONG_ACCOUNT,
     "dns-persist-01 record whose accounturi names another account"},
    {"post-challenge-on-valid", ACS_MIS_KIND_CLIENT, ACS_SW_POST_CHALLENGE_ON_VALID,
     "POST to a challenge of an authorization already valid"},
    {"rely-on-order", ACS_MIS_KIND_CLIENT, ACS_SW_RELY_ON_ORDER,
     "compare an order's arrays by position: a reordering looks like a change"},
    {"require-tos", ACS_MIS_KIND_CLIENT, ACS_SW_REQUIRE_TOS,
     "refuse a directory without meta.termsOfService"},
    {"respond-before-provision", ACS_MIS_KIND_CLIENT, ACS_SW_RESPOND_BEFORE_PROVISION,
     "POST the challenge before provisioning its answer"},
    {"retry-same-nonce", ACS_MIS_KIND_CLIENT, ACS_SW_RETRY_SAME_NONCE,
     "retry after 429 or 503 with the nonce the refused request carried"},
    {"revoke-bad-reason", ACS_MIS_KIND_CLIENT, ACS_SW_REVOKE_BAD_REASON,
     "revoke with the unassigned reason code 7"},
    {"strict-directory", ACS_MIS_KIND_CLIENT, ACS_SW_STRICT_DIRECTORY,
     "refuse a directory with fields it does not know"},
    {"strict-get-nonce", ACS_MIS_KIND_CLIENT, ACS_SW_STRICT_GET_NONCE,
     "give up when the directory's GET response carries a Replay-Nonce"},
    {"tight-poll", ACS_MIS_KIND_CLIENT, ACS_SW_TIGHT_POLL,
     "poll authorizations and orders without any pause"},
    {"two-signatures", ACS_MIS_KIND_CLIENT, ACS_SW_TWO_SIGNATURES,
     "JWS in the general serialization with two signatures"},
    {"use-invalid-nonce", ACS_MIS_KIND_CLIENT, ACS_SW_USE_INVALID_NONCE,
     "use a Replay-Nonce even when it is not base64url"},
    {"wildcard-txt-star", ACS_MIS_KIND_CLIENT, ACS_SW_WILDCARD_TXT_STAR,
     "dns-01 record for a wildcard at _acme-challenge.*.NAME"},
    /* profiles and Let's Encrypt (branch profiles), sorted by name */
    {"invalid-profile-retry", ACS_MIS_KIND_CLIENT, ACS_SW_INVALID_PROFILE_RETRY,
     "on invalidProfile, order again without the profile, silently"},
    {"order-not-after", ACS_MIS_KIND_CLIENT, ACS_SW_ORDER_NOT_AFTER,
     "ask for notAfter (in 30 days) in every newOrder"},
    {"profile-always", ACS_MIS_KIND_CLIENT, ACS_SW_PROFILE_ALWAYS,
     "ask for its profile (default \"classic\") whatever the directory advertises"},
    {"profile-ignored", ACS_MIS_KIND_CLIENT, ACS_SW_PROFILE_IGNORED,
     "never send the configured profile in newOrder"},
    {"require-profiles", ACS_MIS_KIND_CLIENT, ACS_SW_REQUIRE_PROFILES,
     "refuse a directory without meta.profiles"},
    /* timing of long-running clients (mock-client --daemon), sorted by name */
    {"daemon-retry-tight", ACS_MIS_KIND_CLIENT, ACS_SW_DAEMON_RETRY_TIGHT,
     "--daemon: retry a failed issuance after 0.1 s, never backing off"},
    /* RFC 9444 (subdomain authorizations, issue 7 item 4) */
    {"ancestor-domain-not-ancestor", ACS_MIS_KIND_CLIENT, ACS_SW_ANCESTOR_NOT_ANCESTOR,
     "RFC 9444: ancestorDomain is the name minus its first character (a string suffix, not "
     "whole labels)"},
    {"subdomain-auth-string", ACS_MIS_KIND_CLIENT, ACS_SW_SUBDOMAIN_FLAG_STRING,
     "RFC 9444: newAuthz sends subdomainAuthAllowed as the string \"true\""},
    /* issue 11: the controls of the hostile-server scenarios, sorted by name */
    {"no-timeout", ACS_MIS_KIND_CLIENT, ACS_SW_NO_TIMEOUT,
     "wait without a bound: no per-request timeout and no --timeout for the flow"},
    {"retry-forever", ACS_MIS_KIND_CLIENT, ACS_SW_RETRY_FOREVER,
     "send a request again (0.1 s later, without a count limit) while it fails in transport, "
     "is answered 3xx or an error status, or carries a Replay-Nonce that is not base64url"},
    /* issue 7 items 7 and 9 */
    {"preferred-chain-ignored", ACS_MIS_KIND_CLIENT, ACS_SW_PREFERRED_CHAIN_IGNORED,
     "keep the default chain whatever root the client is configured to prefer"},
    {"account-409-taken", ACS_MIS_KIND_CLIENT, ACS_SW_ACCOUNT_409_TAKEN,
     "take ACME v1's 409 Conflict with a Location on newAccount for the account"},
};

#define NTABLE (sizeof(table) / sizeof(table[0]))

/* The bit sets are 64 and 128 bits wide; a longer enum would silently alias. */
_Static_assert(ACS_MIS_COUNT <= 64, "too many misbehaviours for acs_mis_set");
_Static_assert(ACS_SW_COUNT <= 128, "too many client switches for acs_sw_set");
_Static_assert(NTABLE == ACS_MIS_COUNT + ACS_SW_COUNT, "one table entry per misbehaviour");

static const char *mis_names[ACS_MIS_COUNT + 1];
static pthread_once_t mis_names_once = PTHREAD_ONCE_INIT;

static void fill_mis_names(void)
{
	size_t i;

	for (i = 0; i < ACS_MIS_COUNT; i++)
		mis_names[i] = table[i].name;
	mis_names[ACS_MIS_COUNT] = NULL;
}

const struct acs_misbehaviour *acs_misbehaviours(size_t *n)
{
	if (n != NULL)
		*n = NTABLE;
	return table;
}

const struct acs_misbehaviour *acs_misbehaviour_find(const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < NTABLE; i++) {
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	}
	return NULL;
}

int acs_mis_parse(const char *name)
{
	const struct acs_misbehaviour *m = acs_misbehaviour_find(name);

	if (m == NULL || m->kind == ACS_MIS_KIND_CLIENT)
		return -1;
	return m->id;
}

const char *acs_mis_name(enum acs_mis m)
{
	if ((int)m < 0 || m >= ACS_MIS_COUNT)
		return "?";
	/* the request and inner entries lead the table in enum order */
	return table[m].name;
}

const char *const *acs_mis_names(void)
{
	(void)pthread_once(&mis_names_once, fill_mis_names);
	return mis_names;
}
