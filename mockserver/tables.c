/*
 * The mock CA's data tables: misbehaviours (in the manner of BoringSSL's
 * ProtocolBugs: one named switch each) and the request checks applied to
 * clients. Both tables are indexed by the enums of tables.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "mockserver/tables.h"
#include "mockserver/profiles.h"
#include "mockserver/res_ari.h"

#define F(nm, arg, help, desc)                                                                     \
	{                                                                                          \
		nm, desc, help, arg, 0                                                             \
	}
#define V(nm, arg, help, desc)                                                                     \
	{                                                                                          \
		nm, desc, help, arg, 1                                                             \
	}
#define NA  ACS_MB_ARG_NONE
#define OPT ACS_MB_ARG_OPTIONAL
#define REQ ACS_MB_ARG_REQUIRED

const struct acs_mockca_misbehaviour acs_mca_mb_table[MB_COUNT] = {
    [MB_BAD_NONCE] =
        F("bad-nonce", OPT, "[ENDPOINT:]N",
          "answer badNonce (with a fresh nonce) to the first N signed requests (default 1)"),
    [MB_RATE_LIMITED] =
        F("rate-limited", OPT, "[ENDPOINT:]N",
          "answer 429 rateLimited with Retry-After: 1 to the first N signed requests"),
    [MB_UNAVAILABLE] =
        F("unavailable", OPT, "[ENDPOINT:]N",
          "answer 503 serverInternal with Retry-After: 1 to the first N signed requests"),
    [MB_ORDER_PROCESSING] = F("order-processing", OPT, "N",
                              "after finalize the order stays processing for N polls (default 3)"),
    [MB_CHALLENGE_PROCESSING] =
        F("challenge-processing", OPT, "N",
          "a validated challenge shows processing for N more polls (default 3)"),
    [MB_CHALLENGE_INVALID] =
        F("challenge-invalid", OPT, "TYPE[:DETAIL]",
          "every validation fails with error TYPE (default incorrectResponse)"),
    [MB_AUTHZ_REUSED] =
        F("authz-reused", NA, NULL, "authorizations are created already valid, orders start ready"),
    [MB_NO_ALTERNATE] = F("no-alternate-chains", NA, NULL,
                          "no Link rel=\"alternate\" to a second chain on certificates"),
    [MB_CHAIN_EXTRA_TEXT] = V("chain-extra-text", NA, NULL,
                              "certificate chain with explanatory text around the PEM blocks"),
    [MB_CHAIN_PRIVATE_KEY] =
        F("chain-private-key", NA, NULL, "certificate chain followed by a PRIVATE KEY block"),
    [MB_CHAIN_LEAF_ONLY] =
        F("chain-leaf-only", NA, NULL, "certificate download holds the leaf only, no intermediate"),
    [MB_DIR_UNKNOWN_FIELDS] = F("directory-unknown-fields", NA, NULL,
                                "unknown fields in the directory and its meta object"),
    [MB_DIR_V1] =
        F("directory-v1", NA, NULL,
          "ACME v1 shaped directory (new-reg, new-authz, new-cert, revoke-cert, key-change)"),
    [MB_CHALLENGE_URI] =
        V("challenge-uri", NA, NULL, "challenges carry ACME v1's \"uri\" instead of \"url\""),
    [MB_NO_TOS] =
        F("no-tos", NA, NULL, "no termsOfService in the directory and no agreement required"),
    [MB_REPLAY_NONCE_INVALID] = F("replay-nonce-invalid", OPT, "N",
                                  "the first N responses (default 1) carry Replay-Nonce \"a+b/=\""),
    [MB_SHUFFLE] = F("shuffle-arrays", NA, NULL,
                     "identifiers and authorizations arrays reversed on every other fetch"),
    [MB_NO_WILDCARD] =
        F("no-wildcard", NA, NULL, "wildcard identifiers refused with rejectedIdentifier"),
    [MB_NO_IP] = F("no-ip", NA, NULL, "ip identifiers refused with unsupportedIdentifier"),
    [MB_NO_CHALLENGE] =
        F("no-challenge", REQ, "TYPE",
          "authorizations do not offer challenge TYPE (http-01, dns-01, tls-alpn-01)"),
    [MB_NO_KEYCHANGE] = F("no-key-change", NA, NULL, "no keyChange in the directory"),
    [MB_NO_REVOKE] = F("no-revoke-cert", NA, NULL, "no revokeCert in the directory"),
    [MB_REQUIRE_UA] = F("require-user-agent", NA, NULL,
                        "requests without User-Agent get 400 malformed (as Pebble >= 2.10)"),
    [MB_NO_RENEWAL_INFO] = F("no-renewal-info", NA, NULL,
                             "no renewalInfo in the directory (a CA without ARI, RFC 9773)"),
    [MB_SERIAL_HIGH_BIT] =
        F("serial-high-bit", NA, NULL,
          "every certificate serial has its high bit set (DER: a leading zero octet)"),
    [MB_ARI_WINDOW] = F("ari-window", REQ, "past|now|future|issued:START:SECS",
                        "renewalInfo windows lie in the past, around now, or in the future; "
                        "issued:START:SECS: from START s after the certificate's issuance, "
                        "SECS s long"),
    [MB_ARI_STATUS] = F("ari-status", REQ, "CODE",
                        "renewalInfo answers CODE (404, 500, 503) with a problem document"),
    [MB_ARI_RETRY_AFTER] = F("ari-retry-after", REQ, "SECONDS",
                             "renewalInfo answers carry Retry-After: SECONDS (default 21600)"),
    [MB_ARI_EXPLANATION] =
        F("ari-explanation", NA, NULL, "renewalInfo answers carry an explanationURL"),
    [MB_ARI_ALREADY_REPLACED] =
        F("ari-already-replaced", NA, NULL,
          "newOrder with replaces is answered 409 alreadyReplaced (another order replaced it)"),
    [MB_FIRST_CERT_EXPIRING] =
        F("first-cert-expiring", NA, NULL,
          "the scenario's first certificate expires an hour after issuance (89 days old)"),
    [MB_FIRST_CERT_EXPIRED] =
        F("first-cert-expired", NA, NULL, "the scenario's first certificate expired an hour ago"),
    /* issue 7 item 7: Retry-After's value and its HTTP-date form (RFC 9110 10.2.3) */
    [MB_RETRY_AFTER_SECONDS] =
        F("retry-after-seconds", REQ, "N",
          "Retry-After of N seconds (default 1) on 429, 503 and pending or processing objects"),
    [MB_RETRY_AFTER_DATE] = F("retry-after-http-date", NA, NULL,
                              "Retry-After as an HTTP date (\"Fri, 04 Dec 2026 20:00:02 GMT\"), "
                              "not seconds"),
    [MB_TOKEN_UNSAFE] = V("token-unsafe", NA, NULL,
                          "challenge tokens contain characters outside base64url (\"../\")"),
    [MB_HTTP_URL] = V("http-url-in-directory", NA, NULL,
                      "the directory's newOrder URL is http:// instead of https://"),
    [MB_NONCE_REUSE_OK] = V("accept-reused-nonce", NA, NULL, "a nonce may be used more than once"),
    [MB_NONCE_UNCHECKED] = V("accept-unknown-nonce", NA, NULL,
                             "any nonce is accepted, even one never issued, or none"),
    [MB_NO_REPLAY_NONCE] = V("no-replay-nonce", NA, NULL, "no Replay-Nonce header on any response"),
    [MB_NEWNONCE_NO_CACHE] = V("newnonce-no-cache-control", NA, NULL,
                               "newNonce responses without Cache-Control: no-store"),
    [MB_NEWNONCE_GET_200] =
        V("newnonce-get-200", NA, NULL, "GET newNonce answers 200 instead of 204"),
    [MB_NONCE_SHORT] = V("nonce-short", NA, NULL, "nonces of 4 random bytes (under 128 bits)"),
    [MB_NONCE_PADDED] = V("nonce-padded", NA, NULL, "nonces are base64url with '=' padding"),
    [MB_DEACTIVATED_403] =
        V("deactivated-403", NA, NULL, "requests of deactivated accounts get 403 instead of 401"),
    [MB_ALG_MALFORMED] =
        V("bad-alg-malformed", NA, NULL,
          "unsupported or mismatched alg answered malformed, not badSignatureAlgorithm"),
    [MB_ALG_NO_LIST] = V("bad-alg-no-algorithms", NA, NULL,
                         "badSignatureAlgorithm problems without the \"algorithms\" field"),
    [MB_URL_UNCHECKED] =
        V("accept-url-mismatch", NA, NULL,
          "the JWS url header is not checked: mismatched, missing or not a string"),
    [MB_URL_MALFORMED] = V("url-mismatch-malformed", NA, NULL,
                           "url mismatch answered 400 malformed instead of 401 unauthorized"),
    [MB_GET_ALLOWED] =
        V("get-allowed", NA, NULL,
          "plain GET served on accounts, orders, authorizations, challenges, certificates"),
    [MB_CT_UNCHECKED] =
        V("accept-any-content-type", NA, NULL, "POSTs accepted whatever their Content-Type"),
    [MB_POSTASGET_LAX] = V("accept-post-as-get-body", NA, NULL,
                           "POST-as-GET accepted with a non-empty payload such as {}"),
    [MB_KEY_SOURCE_LAX] =
        V("accept-jwk-or-kid", NA, NULL,
          "jwk accepted where kid is required, kid where jwk is, and both together"),
    [MB_SIG_UNCHECKED] = V("accept-bad-signature", NA, NULL,
                           "JWS signatures are not verified (alg none and HS256 pass too)"),
    [MB_FORM_LAX] = V("accept-non-flattened", NA, NULL,
                      "compact and general JWS forms and unprotected headers accepted"),
    [MB_NO_INDEX_LINK] = V("no-index-link", NA, NULL, "no Link rel=\"index\" on responses"),
    [MB_PROBLEM_PLAIN_JSON] =
        V("problem-as-json", NA, NULL, "problem documents sent as application/json"),
    [MB_TOS_AGREEMENT_REQUIRED] =
        V("tos-agreement-required", NA, NULL,
          "missing ToS agreement answered with unregistered agreementRequired"),
    [MB_NO_LOCATION] = V("no-account-location", NA, NULL, "newAccount responses without Location"),
    [MB_EXISTING_201] = V("existing-account-201", NA, NULL,
                          "newAccount for a known key answers 201 instead of 200"),
    [MB_ONLY_EXISTING_CREATES] = V("only-return-existing-creates", NA, NULL,
                                   "onlyReturnExisting for an unknown key creates an account"),
    [MB_CSR_NAMES_UNCHECKED] = V("accept-csr-names-mismatch", NA, NULL,
                                 "finalize accepts a CSR whose names differ from the order"),
    [MB_CSR_MISMATCH_UNAUTHORIZED] =
        V("csr-mismatch-unauthorized", NA, NULL,
          "CSR names differing from the order answered 403 unauthorized, not badCSR"),
    [MB_CSR_ACCOUNT_KEY_OK] =
        V("accept-csr-account-key", NA, NULL, "finalize accepts a CSR holding an account key"),
    [MB_FINALIZE_NOT_READY_OK] =
        V("finalize-before-ready", NA, NULL, "finalize issues even when the order is not ready"),
    [MB_NO_ORDERS_URL] = V("no-orders-url", NA, NULL, "account objects without \"orders\""),
    [MB_KEYCHANGE_NO_LOCATION] = V("keychange-conflict-no-location", NA, NULL,
                                   "keyChange to a key in use answers 409 without Location"),
    [MB_KEYCHANGE_UNCHECKED] =
        V("keychange-unchecked", NA, NULL,
          "keyChange skips the inner JWS checks (url, account, oldKey, nonce)"),
    [MB_CERT_WRONG_CT] = V("certificate-wrong-content-type", NA, NULL,
                           "certificates served as application/x-pem-file"),
    [MB_NO_RETRY_AFTER] = V("no-retry-after", NA, NULL,
                            "no Retry-After on pending or processing objects nor on 429/503"),
    [MB_REVOKE_REASON_UNCHECKED] =
        V("accept-bad-revocation-reason", NA, NULL, "any revocation reason code accepted"),
    [MB_REVOKE_TWICE_OK] = V("accept-double-revocation", NA, NULL,
                             "revoking a revoked certificate succeeds instead of alreadyRevoked"),
    [MB_WILDCARD_AUTHZ_STAR] =
        V("wildcard-authz-star", NA, NULL,
          "wildcard authorizations keep \"*.\" in the identifier, no wildcard:true"),
    [MB_IGNORE_NOT_AFTER] = V("ignore-not-after", NA, NULL,
                              "notBefore/notAfter accepted but not used for the certificate"),
    [MB_REJECT_UNKNOWN_FIELDS] =
        V("reject-unknown-fields", NA, NULL,
          "challenge and newAccount POSTs with fields the CA does not know refused"),
    [MB_NO_UP_LINK] =
        V("no-up-link", NA, NULL,
          "no Link rel=\"up\" on challenges (to the authorization) nor DER certificates (issuer)"),
    [MB_SHORT_TOKENS] = V("short-tokens", NA, NULL, "challenge tokens of 8 random bytes"),
    [MB_EAB_UNCHECKED] = V("accept-bad-eab", NA, NULL,
                           "external account bindings accepted without verifying kid, MAC or key"),
    [MB_CONTACT_UNCHECKED] =
        V("accept-bad-contact", NA, NULL, "contacts accepted whatever their scheme or form"),
    [MB_NO_EDDSA] =
        V("no-eddsa", NA, NULL,
          "EdDSA (Ed25519) account keys refused with badSignatureAlgorithm (SHOULD implement)"),
    [MB_NO_ES256] = V("no-es256", NA, NULL,
                      "ES256 account keys refused with badSignatureAlgorithm (MUST implement)"),
    [MB_DIRECTORY_POST_REFUSED] = V("directory-post-as-get-refused", NA, NULL,
                                    "POST-as-GET to the directory and newNonce answered 405"),
    [MB_BAD_PUNYCODE_OK] = V("accept-bad-punycode", NA, NULL,
                             "xn-- labels accepted without checking that they are valid punycode"),
    [MB_ACCOUNT_STATUS_REFUSED] =
        V("account-status-refused", NA, NULL,
          "account updates with a status other than deactivated refused with malformed"),
    [MB_DEACTIVATED_AUTHZ_KEPT] =
        V("order-ignores-deactivated-authz", NA, NULL,
          "a ready order stays ready when one of its authorizations is deactivated"),
    [MB_REVOKE_ISSUER_ONLY] = V(
        "revoke-issuer-only", NA, NULL,
        "revocation by kid only for the issuing account, not for accounts holding authorizations"),
    [MB_REVOKE_ANY_ACCOUNT] =
        V("revoke-any-account", NA, NULL, "any account may revoke any certificate"),
    [MB_REVOKE_CERTKEY_REFUSED] =
        V("revoke-cert-key-refused", NA, NULL,
          "revocation signed with the certificate key (jwk) refused with 403"),
    [MB_REVOKE_KID_REFUSED] =
        V("revoke-kid-refused", NA, NULL, "revocation signed by an account (kid) refused with 403"),
    [MB_REVOKE_REASON_NO_DETAIL] =
        V("revoke-reason-no-detail", NA, NULL,
          "badRevocationReason problems do not say which reason codes are allowed"),
    [MB_SEQUENTIAL_URLS] =
        V("sequential-urls", NA, NULL,
          "account, order, authorization and challenge URLs are sequential numbers"),
    [MB_NO_CORS] = V("no-cors", NA, NULL, "no Access-Control-Allow-Origin header"),
    [MB_DNS_UDP_ONLY] =
        V("dns01-udp-only", NA, NULL, "dns-01 TXT lookups over UDP only, never TCP"),
    [MB_NO_VALIDATION_RETRY] =
        V("no-validation-retry", NA, NULL, "a failed validation is final at once, never retried"),
    [MB_NEWAUTHZ_NO_LOCATION] =
        V("newauthz-no-location", NA, NULL, "newAuthz answers 201 without Location"),
    [MB_AUTHZ_REUSE_COPY] = V("authz-reuse-copy", NA, NULL,
                              "a reused valid authorization is listed under a new URL (a copy)"),
    [MB_SUBPROBLEM_ID_STRING] =
        V("subproblem-identifier-string", NA, NULL,
          "subproblems name their identifier as a string \"type:value\", not an object"),
    [MB_PROBLEM_TOP_IDENTIFIER] = V("problem-top-level-identifier", NA, NULL,
                                    "an identifier refusal carries a top-level identifier member"),
    [MB_EAB_NOT_ECHOED] =
        V("eab-not-echoed", NA, NULL, "account objects omit the verified externalAccountBinding"),
    [MB_EAB_ECHO_UNVERIFIED] =
        V("eab-echo-unverified", NA, NULL,
          "a CA that does not verify bindings echoes the externalAccountBinding it got"),
    [MB_DEACTIVATION_IGNORED] = V("account-deactivation-ignored", NA, NULL,
                                  "account deactivation answers 200 but the account stays valid"),
    [MB_CONTACT_UPDATE_IGNORED] = V("contact-update-ignored", NA, NULL,
                                    "account updates answer 200 but keep the old contact"),
    [MB_ACCOUNT_REFLECTS] = V("account-reflects-fields", NA, NULL,
                              "unknown fields, orders and onlyReturnExisting sent by the client "
                              "are echoed in the account"),
    [MB_ALT_CHAIN_OTHER_LEAF] =
        V("alternate-chain-other-leaf", NA, NULL,
          "the alternate chain starts with another leaf, issued separately"),
    [MB_OWNER_UNCHECKED] = V("owner-unchecked", NA, NULL,
                             "any account may read and update other accounts and their orders, "
                             "authorizations, challenges"),
    [MB_NO_AUTHZ_EXPIRES] =
        V("no-authz-expires", NA, NULL, "valid authorizations carry no expires"),
    [MB_AUTHZ_WILDCARD_FALSE] = V("authz-wildcard-false", NA, NULL,
                                  "authorizations for plain names carry \"wildcard\": false"),
    [MB_REPLAY_NONCE_NEWNONCE_ONLY] =
        V("replay-nonce-newnonce-only", NA, NULL, "Replay-Nonce only on newNonce responses"),
    [MB_NO_REPLAY_NONCE_ON_ERROR] =
        V("no-replay-nonce-on-error", NA, NULL, "no Replay-Nonce on error responses"),
    [MB_CAA_URLS] =
        V("caa-identities-urls", NA, NULL, "meta.caaIdentities holds URLs, not domain names"),
    [MB_CHAIN_WRONG_ISSUER] =
        V("chain-wrong-issuer", NA, NULL,
          "the certificate chain carries the root instead of the issuing intermediate"),
    [MB_CHAIN_LEAF_LAST] = V("chain-leaf-last", NA, NULL,
                             "the certificate chain puts the intermediate first and the leaf last"),
    [MB_CERT_DROPS_NAME] = V("certificate-drops-name", NA, NULL,
                             "certificates name only the first identifier of the CSR"),
    [MB_CERT_DER] = V("certificate-der", NA, NULL,
                      "certificates served as a DER leaf (application/pkix-cert), as ACME v1 did"),
    [MB_NON_JSON_PAYLOAD_OK] =
        V("accept-non-json-payload", NA, NULL, "a payload that is not JSON is taken as {}"),
    [MB_CHALLENGE_202] =
        V("challenge-202", NA, NULL, "challenge responses answered 202 Accepted, as ACME v1 did"),
    [MB_CONTACT_ERRORS_MALFORMED] =
        V("contact-errors-malformed", NA, NULL,
          "refused contacts answered malformed, not invalidContact or unsupportedContact"),
    [MB_MAILTO_REFUSED] =
        V("mailto-unsupported", NA, NULL, "mailto contacts refused with unsupportedContact"),
    [MB_META_NOT_OBJECT] = V("directory-meta-not-object", NA, NULL,
                             "the directory meta member is an array of its values"),
    [MB_DNS_SINGLE_TXT] =
        V("dns01-single-txt", NA, NULL, "dns-01 fails when the name has more than one TXT record"),
    [MB_DNS_WRONG_NAME] =
        V("dns01-wrong-name", NA, NULL,
          "dns-01 queries the identifier itself, not _acme-challenge.<identifier>"),
    [MB_DNS_ANY_TXT] = V("dns01-any-txt", NA, NULL,
                         "dns-01 passes when any TXT record exists, whatever its value"),
    [MB_PROBLEM_V1] =
        V("problem-v1-namespace", NA, NULL,
          "problem types (challenge errors too) in ACME v1's urn:acme:error: namespace"),
    [MB_ORDER_READY_DESPITE_INVALID] =
        V("order-ready-despite-invalid-authz", NA, NULL,
          "an order becomes ready once no authorization is pending, valid or not"),
    [MB_HTTP01_UNCHECKED] =
        V("http01-unchecked", NA, NULL,
          "http-01 passes once the fetch completes, whatever its status and body"),
    [MB_FAILED_CHALLENGE_REMOVED] = V("failed-challenge-removed", NA, NULL,
                                      "failed challenges are removed from their authorization"),
    [MB_CSR_REFUSAL_INVALIDATES] =
        V("csr-refusal-invalidates-order", NA, NULL, "a refused CSR makes the order invalid"),
    [MB_HTTP01_NO_REDIRECTS] =
        V("http01-no-redirects", NA, NULL, "http-01 fetches do not follow redirects"),
    [MB_HTTP01_EXACT_BODY] =
        V("http01-exact-body", NA, NULL,
          "http-01 bodies compared byte for byte, trailing white space included"),
    [MB_HTTP01_TOKEN_ONLY] = V("http01-token-only", NA, NULL,
                               "http-01 expects the token alone, not the key authorization"),
    [MB_THUMBPRINT_STRIPS_ZEROS] = V("thumbprint-strips-zeros", NA, NULL,
                                     "key authorizations use a thumbprint with leading zero octets "
                                     "stripped from EC coordinates"),
    [MB_NO_CHALLENGE_ERROR] =
        V("no-challenge-error", NA, NULL, "invalid challenges carry no error"),
    [MB_IP_AUTHZ_AS_DNS] =
        V("ip-authz-as-dns", NA, NULL, "authorizations for ip identifiers say type dns"),
    [MB_IP_DNS01] =
        V("ip-dns01-offered", NA, NULL, "authorizations for ip identifiers offer dns-01"),
    [MB_IP_SAN_AS_DNS] =
        V("ip-san-as-dns", NA, NULL, "ip identifiers are put in certificates as dNSName"),
    [MB_UNENCODED_PAYLOAD_OK] = V("accept-unencoded-payload", NA, NULL,
                                  "RFC 7797 unencoded payloads (b64: false) accepted"),
    [MB_DETACHED_PAYLOAD_OK] = V("accept-detached-payload", NA, NULL,
                                 "a JWS without payload member is taken as a POST-as-GET"),
    [MB_POST_AS_GET_VALIDATES] =
        V("post-as-get-validates", NA, NULL,
          "a POST-as-GET of a pending challenge starts its validation (6.3: GET semantics)"),
    [MB_PAYLOAD_OMITTED_403] =
        V("payload-omitted-403", NA, NULL,
          "a JWS without payload member refused with 403 unauthorized, not 400 malformed"),
    [MB_KEYCHANGE_INNER_UNVERIFIED] =
        V("keychange-inner-unverified", NA, NULL,
          "keyChange takes the inner object unverified (signature, jwk); no jwk: key unchanged"),
    [MB_KEYCHANGE_CONFLICT_UNREGISTERED] =
        V("keychange-conflict-unregistered", NA, NULL,
          "keyChange conflicts answered with an unregistered problem type"),
    [MB_KEYCHANGE_DEACTIVATED_OK] =
        V("keychange-deactivated-ok", NA, NULL, "deactivated accounts may still change their key"),
    [MB_KEYCHANGE_INVALIDATES_ORDERS] =
        V("keychange-invalidates-orders", NA, NULL,
          "a key change makes the account's pending orders invalid"),
    [MB_KEYCHANGE_STEALS_KEY] =
        V("keychange-steals-key", NA, NULL, "keyChange to a key another account uses succeeds"),
    [MB_KEYCHANGE_KEEPS_OLD_KEY] =
        V("keychange-keeps-old-key", NA, NULL,
          "after a key change the old key still authenticates the account"),
    [MB_KEYCHANGE_NOT_APPLIED] = V("keychange-not-applied", NA, NULL,
                                   "keyChange answers 200 but the account keeps its old key"),
    [MB_KID_UNKNOWN_500] =
        V("kid-unknown-500", NA, NULL, "a kid naming no account answered 500 serverInternal"),
    [MB_NO_NEWNONCE] = V("no-newnonce", NA, NULL,
                         "no newNonce in the directory (nonces only come with other responses)"),
    [MB_NEWNONCE_HEAD_204] =
        V("newnonce-head-204", NA, NULL, "HEAD newNonce answers 204 instead of 200"),
    [MB_OFFER_TLS_SNI] =
        V("offer-tls-sni", NA, NULL,
          "authorizations also offer the withdrawn tls-sni-01 and tls-sni-02 challenges"),
    [MB_DIR_V1_ALIASES] =
        V("directory-v1-aliases", NA, NULL,
          "the directory also lists ACME v1 names (new-reg, new-authz, new-cert, ...)"),
    [MB_NONCE_REPEATS] =
        V("nonce-repeats", NA, NULL, "every other nonce handed out repeats the one before"),
    [MB_ORDER_ARRAYS_CHANGE] =
        V("order-arrays-change", NA, NULL,
          "once valid, an order lists only its first identifier and authorization"),
    [MB_NO_ORDER_EXPIRES] = V("no-order-expires", NA, NULL, "valid orders carry no expires"),
    [MB_ORDER_READY_AS_PENDING] =
        V("order-ready-shown-pending", NA, NULL, "ready orders are shown as pending"),
    [MB_ORDERS_LIST_INVALID] =
        V("orders-list-includes-invalid", NA, NULL, "the orders list includes invalid orders"),
    [MB_ORDERS_LIST_VALID_ONLY] =
        V("orders-list-valid-only", NA, NULL, "the orders list includes valid orders only"),
    [MB_ORDERS_LIST_BARE] = V("orders-list-bare-array", NA, NULL,
                              "the orders list is a bare JSON array, not {\"orders\": [...]}"),
    [MB_PADDED_OK] =
        V("accept-padded-b64url", NA, NULL, "base64url with '=' padding accepted in JWS members"),
    [MB_UNREGISTERED_TYPES] =
        V("unregistered-problem-types", NA, NULL,
          "malformed requests answered with the unregistered type badRequest"),
    [MB_BADPUBKEY_MALFORMED] = V("bad-public-key-malformed", NA, NULL,
                                 "refused account keys answered malformed, not badPublicKey"),
    [MB_BADPUBKEY_NO_DETAIL] =
        V("bad-public-key-no-detail", NA, NULL, "badPublicKey problems with an empty detail"),
    [MB_ALPN_OFFERS_HTTP11] = V("alpn-offers-http11", NA, NULL,
                                "the tls-alpn-01 ClientHello offers http/1.1 beside acme-tls/1"),
    [MB_ALPN_EXTRA_SAN_OK] = V("alpn-extra-san-ok", NA, NULL,
                               "tls-alpn-01 certificates pass with extra subjectAltNames"),
    [MB_ALPN_SAN_CASE] = V("alpn-san-case-sensitive", NA, NULL,
                           "tls-alpn-01 compares the subjectAltName case-sensitively"),
    [MB_ALPN_SENDS_DATA] =
        V("alpn-sends-data", NA, NULL, "tls-alpn-01 sends an HTTP request after the handshake"),
    [MB_ALPN_EXT_UNCHECKED] =
        V("alpn-extension-unchecked", NA, NULL,
          "tls-alpn-01 does not check the acmeIdentifier extension (presence, value, criticality)"),
    [MB_ALPN_TLS11] = V("alpn-tls11", NA, NULL, "tls-alpn-01 validation uses TLS 1.1 at most"),
    [MB_ALPN_DIGEST_OF_TOKEN] =
        V("alpn-digest-of-token", NA, NULL,
          "tls-alpn-01 expects SHA-256 of the token, not of the key authorization"),
    [MB_TOS_NOT_ADVERTISED] = V("tos-required-not-advertised", NA, NULL,
                                "agreement to terms is required but meta.termsOfService is absent"),
    [MB_UNKNOWN_IDENT_OK] = V("accept-unknown-identifier-type", NA, NULL,
                              "identifiers of unknown types accepted as dns"),
    [MB_URL_HOST_CASE] = V("url-host-case-insensitive", NA, NULL,
                           "the JWS url is compared with the host case-insensitively"),
    [MB_WILDCARD_SAN_BASE] =
        V("wildcard-san-base", NA, NULL, "certificates for *.name name the base name only"),
    /* hostile servers (issue 11): a client must end each with a bounded error */
    [MB_HOSTILE_NONCE_INVALID] =
        V("hostile-nonce-invalid", NA, NULL, "every response carries Replay-Nonce \"a+b/=\""),
    [MB_HOSTILE_REDIRECT_LOOP] =
        V("hostile-redirect-loop", NA, NULL,
          "every request but newNonce is answered 302 with Location: its own URL"),
    [MB_HOSTILE_LOCATION_OFF_HOST] =
        V("hostile-location-off-host", NA, NULL,
          "every Location points at https://10.1.2.3 (off loopback), same path"),
    [MB_HOSTILE_CHAIN_HUGE] = V("hostile-chain-huge", NA, NULL,
                                "certificate downloads carry the intermediate 3,000 more times"),
    [MB_HOSTILE_NEVER_ANSWER] =
        V("hostile-never-answer", OPT, "[ENDPOINT:]SECONDS",
          "every request (to ENDPOINT only, when given) is read and never answered: the "
          "connection is held until the client closes it, the CA stops, or SECONDS pass "
          "(default 600), then closed"),
    [MB_HOSTILE_TRICKLE] =
        V("hostile-trickle", OPT, "[ENDPOINT:]SECONDS",
          "every response body (of ENDPOINT only, when given) is sent one byte a second, "
          "headers at once, until the client closes, the CA stops, or SECONDS pass (default "
          "600): then the connection is cut"),
    [MB_HOSTILE_BODY_HUGE] = V("hostile-body-huge", OPT, "ENDPOINT",
                               "every response body (of ENDPOINT only, when given) is followed "
                               "by 64 MiB of spaces (Content-Length announces it)"),
    [MB_HOSTILE_CLOSE_MID_BODY] =
        V("hostile-close-mid-body", OPT, "ENDPOINT",
          "every response (of ENDPOINT only, when given) announces its full Content-Length, "
          "sends half the body and closes"),
    [MB_ARI_WINDOW_INVERTED] =
        V("ari-window-inverted", NA, NULL, "renewalInfo windows end before they start"),
    [MB_ARI_NO_RETRY_AFTER] =
        V("ari-no-retry-after", NA, NULL, "renewalInfo answers carry no Retry-After"),
    [MB_ARI_UNKNOWN_200] = V("ari-unknown-200", NA, NULL,
                             "renewalInfo answers a window for any well-formed certID, even "
                             "one of no certificate (not 404)"),
    [MB_ARI_MALFORMED_404] =
        V("ari-malformed-404", NA, NULL, "a malformed certID gets 404, not 400 malformed"),
    [MB_ARI_CERTID_STRIPPED] = V("ari-certid-stripped-zero", NA, NULL,
                                 "certIDs computed with the serial's leading zero octet stripped"),
    [MB_ARI_REPLACES_NOT_ECHOED] =
        V("ari-replaces-not-echoed", NA, NULL,
          "orders do not carry the replaces field they were created with"),
    [MB_ARI_REPLACE_TWICE_OK] =
        V("ari-replace-twice-ok", NA, NULL,
          "a certificate may be replaced by any number of orders (no alreadyReplaced)"),
    [MB_ARI_REPLACES_UNCHECKED] =
        V("ari-replaces-unchecked", NA, NULL,
          "replaces accepted for another account's certificate or one sharing no identifier"),
    /* profiles (draft-ietf-acme-profiles) and Let's Encrypt 2025-26 (branch profiles) */
    [MB_NO_PROFILES] = F("no-profiles", NA, NULL,
                         "no meta.profiles in the directory; a requested profile is ignored"),
    [MB_PROFILES_NOT_STRINGS] =
        V("profiles-not-strings", NA, NULL,
          "meta.profiles maps names to objects, not to description strings"),
    [MB_PROFILE_NOT_ECHOED] =
        V("profile-not-echoed", NA, NULL, "orders do not show the profile they were created with"),
    [MB_PROFILE_UNADVERTISED_OK] = V("accept-unadvertised-profile", NA, NULL,
                                     "newOrder accepts a profile the directory does not advertise"),
    [MB_PROFILE_INCOMPATIBLE_REJECTED] =
        V("profile-incompatible-rejected-identifier", NA, NULL,
          "a profile that does not fit the identifiers answered rejectedIdentifier, "
          "not invalidProfile"),
    [MB_NO_DEFAULT_PROFILE] =
        V("no-default-profile", NA, NULL,
          "an order created without a profile is associated with none (RECOMMENDED: one)"),
    [MB_PROFILE_REFUSED] =
        F("profile-refused", NA, NULL,
          "every newOrder naming a profile answered invalidProfile (a withdrawn profile)"),
    [MB_SHORTLIVED_LONG] = V("shortlived-long-validity", NA, NULL,
                             "the shortlived profile issues 90-day certificates"),
    [MB_OCSP_URL] =
        V("ocsp-url", NA, NULL, "certificates carry an OCSP URL and no CRL distribution point"),
    [MB_MUST_STAPLE_OK] = V("accept-must-staple", NA, NULL,
                            "with letsencrypt: Must-Staple CSRs are issued, not refused"),
    [MB_VALIDITY_FIELDS_OK] =
        V("accept-validity-fields", NA, NULL,
          "with letsencrypt: newOrder notBefore/notAfter accepted, not refused"),
    [MB_NO_NEWAUTHZ] = F("no-newauthz", NA, NULL, "no newAuthz in the directory"),
    [MB_LETSENCRYPT] =
        F("letsencrypt", NA, NULL,
          "play Boulder (Let's Encrypt): its documented divergences and implementation "
          "details (docs/letsencrypt.md)"),
    /* dns-account-01 and dns-persist-01 (issue 7 item 3) */
    [MB_DNSACCT_FULL_HASH] =
        V("dns-account01-full-hash-label", NA, NULL,
          "dns-account-01 label from all 32 octets of the account URL's SHA-256, not the first 10"),
    [MB_PERSIST_WRONG_NAME] = V("dns-persist01-wrong-name", NA, NULL,
                                "dns-persist-01 queries _acme-challenge.<name>, not "
                                "_validation-persist.<name>"),
    [MB_PERSIST_ACCOUNT_UNCHECKED] =
        V("dns-persist01-accounturi-unchecked", NA, NULL,
          "dns-persist-01 records pass whatever account their accounturi names"),
    [MB_PERSIST_ISSUER_UNCHECKED] =
        V("dns-persist01-issuer-unchecked", NA, NULL,
          "dns-persist-01 records pass whatever issuer-domain-name they carry"),
    [MB_PERSIST_UNTIL_UNCHECKED] = V("dns-persist01-persistuntil-unchecked", NA, NULL,
                                     "dns-persist-01 records pass after their persistUntil"),
    [MB_PERSIST_POLICY_UNCHECKED] =
        V("dns-persist01-policy-unchecked", NA, NULL,
          "dns-persist-01 validates wildcard authorizations without policy=wildcard"),
    [MB_PERSIST_UNKNOWN_REFUSED] =
        V("dns-persist01-unknown-param-refused", NA, NULL,
          "dns-persist-01 records with a parameter the CA does not know are refused"),
    [MB_PERSIST_NO_ISSUERS] = V("dns-persist01-no-issuers", NA, NULL,
                                "dns-persist-01 challenges carry an empty issuer-domain-names"),
    [MB_PERSIST_MANY_ISSUERS] = V("dns-persist01-eleven-issuers", NA, NULL,
                                  "dns-persist-01 challenges carry 11 issuer-domain-names"),
    [MB_PERSIST_POLICY_CASE] = V("dns-persist01-policy-case-sensitive", NA, NULL,
                                 "dns-persist-01 takes policy=wildcard only in lower case"),
    [MB_NONCE_ON_GET] =
        V("nonce-on-get", NA, NULL,
          "Replay-Nonce on GET responses too (the directory, certificates): legal, but neither "
          "Boulder nor Pebble sends one there"),
    /* issue 7: more server cases (branch srvcases) */
    [MB_ARI_REPLACES_UNKNOWN_OK] =
        V("ari-replaces-unknown-ok", NA, NULL,
          "replaces accepted when it is no certID or names no certificate issued here"),
    [MB_ARI_REPLACES_DROPPED_VALID] = V("ari-replaces-dropped-when-valid", NA, NULL,
                                        "an order no longer shows its replaces once it is valid"),
    [MB_ARI_EXPLANATION_RELATIVE] =
        V("ari-explanation-relative", NA, NULL,
          "with ari-explanation: the explanationURL is a relative reference, not a URL"),
    [MB_PROFILE_DROPPED_VALID] = V("profile-dropped-when-valid", NA, NULL,
                                   "an order no longer shows its profile once it is valid"),
    [MB_DNSACCT_ANY_TXT] =
        V("dns-account01-any-txt", NA, NULL,
          "dns-account-01 passes with any TXT record at the validation name, whatever its value"),
    [MB_PERSIST_ACCOUNTURI_OPTIONAL] =
        V("dns-persist01-accounturi-optional", NA, NULL,
          "dns-persist-01 records without an accounturi parameter pass"),
    [MB_PERSIST_POLICY_ANY] =
        V("dns-persist01-policy-any-value", NA, NULL,
          "dns-persist-01 takes any policy value (not only wildcard) for a wildcard"),
    [MB_PERSIST_INCORRECT_RESPONSE] =
        V("dns-persist01-incorrect-response", NA, NULL,
          "every failed dns-persist-01 validation answered incorrectResponse, not malformed "
          "or unauthorized"),
    [MB_DNSACCT_FIRST_ACCOUNT] =
        V("dns-account01-first-account-label", NA, NULL,
          "dns-account-01 label from the URL of the scenario's first account, whichever "
          "account asks"),
    /* RFC 9444 (issue 7 item 4): a behaviour, off by default as at Boulder and Pebble */
    [MB_SUBDOMAIN_AUTH] =
        F("subdomain-auth", NA, NULL,
          "RFC 9444: meta.subdomainAuthAllowed, ancestorDomain in newOrder and "
          "subdomainAuthAllowed in newAuthz; a valid ancestor authorization covers subdomains"),
    [MB_SUBDOMAIN_META_STRING] =
        V("subdomain-auth-meta-string", NA, NULL,
          "with subdomain-auth: meta.subdomainAuthAllowed is the string \"true\""),
    [MB_SUBDOMAIN_FLAG_MISSING] =
        V("subdomain-authz-flag-missing", NA, NULL,
          "with subdomain-auth: ancestor authorizations omit subdomainAuthAllowed"),
    [MB_SUBDOMAIN_FLAG_STRING] =
        V("subdomain-authz-flag-string", NA, NULL,
          "with subdomain-auth: ancestor authorizations say subdomainAuthAllowed \"true\""),
    [MB_SUBDOMAIN_SUFFIX_MATCH] =
        V("subdomain-ancestor-suffix-match", NA, NULL,
          "with subdomain-auth: ancestorDomain checked as a string suffix, not by whole labels"),
    [MB_SUBDOMAIN_NOT_REUSED] =
        V("subdomain-authz-not-reused", NA, NULL,
          "with subdomain-auth: a valid ancestor authorization does not cover later orders"),
    /* issue 7 item 9: ACME v1's answer for an existing key */
    [MB_ACCOUNT_409_V1] =
        V("account-409-v1", NA, NULL,
          "the first newAccount that creates an account answers ACME v1's 409 Conflict with "
          "the account's Location, as for an existing key (RFC 8555 7.3.1 answers 200); "
          "the account exists, later newAccount requests get 200"),
};

#define C(i, sec, lvl, cov, w)                                                                     \
	{                                                                                          \
		"client.8555." i, "8555", sec, lvl, cov, w                                         \
	}
#define R(i, sec, lvl, cov, w)                                                                     \
	{                                                                                          \
		"client.9773." i, "9773", sec, lvl, cov, w                                         \
	}
#define A(i, sec, lvl, cov, w)                                                                     \
	{                                                                                          \
		"client.8737." i, "8737", sec, lvl, cov, w                                         \
	}

const struct acs_mockca_check acs_mca_check_table[CK_COUNT] = {
    [CK_USER_AGENT] = C("6_1.user-agent", "6.1", "MUST", "C003",
                        "ACME clients MUST send a User-Agent header field"),
    [CK_ACCEPT_LANGUAGE] = C("6_1.accept-language", "6.1", "SHOULD", "C005",
                             "clients SHOULD send an Accept-Language header field"),
    [CK_UTF8] = C("5.utf8", "5", "MUST", "C001", "request bodies MUST be UTF-8"),
    [CK_B64_NO_PADDING] = C("6_1.b64url-no-padding", "6.1", "MUST", "C006",
                            "trailing '=' characters MUST be stripped from base64url"),
    [CK_FLATTENED] = C("6_2.flattened-jws", "6.2", "MUST", "C008",
                       "JWS objects MUST use the Flattened JSON Serialization"),
    [CK_ONE_SIGNATURE] = C("6_2.single-signature", "6.2", "MUST NOT", "C009",
                           "the JWS MUST NOT have multiple signatures"),
    [CK_NO_B64_FALSE] = C("6_2.no-unencoded-payload", "6.2", "MUST NOT", "C010",
                          "the JWS Unencoded Payload Option MUST NOT be used"),
    [CK_NO_UNPROTECTED] = C("6_2.no-unprotected-header", "6.2", "MUST NOT", "C011",
                            "the JWS Unprotected Header MUST NOT be used"),
    [CK_PAYLOAD_PRESENT] =
        C("6_2.payload-present", "6.2", "MUST NOT", "C012", "the JWS Payload MUST NOT be detached"),
    [CK_PROTECTED_FIELDS] = C("6_2.protected-fields", "6.2", "MUST", "C013",
                              "the protected header MUST include alg, nonce, url, and jwk or kid"),
    [CK_ALG_ASYMMETRIC] = C("6_2.alg-asymmetric", "6.2", "MUST NOT", "C014",
                            "alg MUST NOT be \"none\" nor a MAC-based algorithm"),
    [CK_ALG_MATCHES_KEY] = C("6_2.alg-matches-key", "6.2", "MUST", "C016",
                             "the signature algorithm fits the signing key"),
    [CK_SIGNATURE_VERIFIES] = C("6_2.signature-verifies", "6.2", "MUST", "C007,C016",
                                "the JWS is signed with the account key (or the jwk it carries)"),
    [CK_JWK_WHERE_REQUIRED] = C("6_2.jwk-where-required", "6.2", "MUST", "C015",
                                "newAccount and certificate-key revocation MUST carry jwk"),
    [CK_KID_WHERE_REQUIRED] =
        C("6_2.kid-where-required", "6.2", "MUST", "C017", "all other requests MUST carry kid"),
    [CK_JWK_XOR_KID] = C("6_2.jwk-xor-kid", "6.2", "MUST", "C013",
                         "the jwk and kid fields are mutually exclusive"),
    [CK_KID_IS_ACCOUNT_URL] = C("6_2.kid-is-account-url", "6.2", "MUST", "C018",
                                "kid MUST contain the account URL received from newAccount"),
    [CK_CONTENT_TYPE] = C("6_2.content-type-jose", "6.2", "MUST", "C019",
                          "the Content-Type of JWS requests must be application/jose+json"),
    [CK_POST_AS_GET] =
        C("6_3.post-as-get", "6.3", "MUST", "C020",
          "clients MUST fetch resources with POST-as-GET, GET only the directory and newNonce"),
    [CK_POST_AS_GET_EMPTY] = C("6_3.post-as-get-empty-payload", "6.3", "MUST", "C021",
                               "the payload of a POST-as-GET MUST be the empty string"),
    [CK_URL_PRESENT] = C("6_4_1.url-present", "6.4.1", "MUST", "C023",
                         "the protected header MUST include a url field"),
    [CK_URL_MATCHES] = C("6_4.url-header-matches", "6.4", "MUST", "C022,C024",
                         "url MUST be set to the exact URL the request is sent to"),
    [CK_NONCE_PRESENT] =
        C("6_5.nonce-present", "6.5", "MUST", "C025", "the protected header MUST include a nonce"),
    [CK_NONCE_B64URL] =
        C("6_5_2.nonce-b64url", "6.5.2", "MUST", "C026", "the nonce value MUST be base64url"),
    [CK_NONCE_FRESH] = C("6_5.nonce-fresh", "6.5", "MUST", "C028",
                         "the nonce is one the server issued and not yet used"),
    [CK_NO_REPLAY_NONCE_HEADER] = C("6_5_1.no-replay-nonce-request", "6.5.1", "SHOULD NOT", "C030",
                                    "clients SHOULD NOT send a Replay-Nonce header field"),
    [CK_MAILTO] = C("7_3.mailto-contact", "7.3", "MUST NOT", "C034",
                    "mailto contacts MUST NOT carry hfields nor more than one addr-spec"),
    [CK_TOS_DEFAULT] =
        C("7_3.tos-agreed", "7.3", "SHOULD", "C035,C036",
          "termsOfServiceAgreed when the server has terms (reported, not judged here)"),
    [CK_EAB_MAC_ALG] = C("7_3_4.eab-mac-alg", "7.3.4", "MUST", "C038",
                         "the EAB alg MUST indicate a MAC-based algorithm"),
    [CK_EAB_KID] = C("7_3_4.eab-kid", "7.3.4", "MUST", "C039",
                     "the EAB kid MUST be the key identifier provided by the CA"),
    [CK_EAB_NO_NONCE] = C("7_3_4.eab-no-nonce", "7.3.4", "MUST NOT", "C040",
                          "the EAB protected header MUST NOT contain a nonce"),
    [CK_EAB_URL] =
        C("7_3_4.eab-url", "7.3.4", "MUST", "C041", "the EAB url MUST equal the outer JWS url"),
    [CK_EAB_PAYLOAD_JWK] = C("7_3_4.eab-payload-jwk", "7.3.4", "MUST", "C042",
                             "the EAB payload MUST be the account key (the outer jwk)"),
    [CK_KEYCHANGE_ACCOUNT] = C("7_3_5.keychange-account", "7.3.5", "MUST", "C043",
                               "keyChange account MUST be the account URL"),
    [CK_KEYCHANGE_INNER_JWK] =
        C("7_3_5.keychange-inner-jwk", "7.3.5", "MUST", "C045",
          "the inner JWS MUST have a jwk with the new key and verify with it"),
    [CK_KEYCHANGE_INNER_URL] = C("7_3_5.keychange-inner-url", "7.3.5", "MUST", "C046",
                                 "the inner url MUST equal the outer url"),
    [CK_KEYCHANGE_INNER_NO_NONCE] = C("7_3_5.keychange-inner-no-nonce", "7.3.5", "MUST", "C047",
                                      "the inner JWS MUST omit the nonce"),
    [CK_KEYCHANGE_OLDKEY] = C("7_3_5.keychange-oldkey", "7.3.5", "MUST", "C044",
                              "oldKey MUST be the current account key"),
    [CK_FINALIZE_CSR] = C("7_4.finalize-csr", "7.4", "MUST", "C049",
                          "the finalize payload contains a base64url DER csr"),
    [CK_CSR_MATCHES_ORDER] = C("7_4.csr-matches-order", "7.4", "MUST", "C050,C051",
                               "the CSR MUST indicate the exact set of identifiers of the order"),
    [CK_CSR_KEY_NOT_ACCOUNT] = C("11_1.csr-key-not-account-key", "11.1", "MUST NOT", "C061",
                                 "an account key MUST NOT be the key of a certificate"),
    [CK_HTTP01_KEYAUTH] = C("8_3.http01-keyauth", "8.3", "MUST", "C056,C054",
                            "the http-01 resource MUST be the key authorization"),
    [CK_HTTP01_EXACT] = C("8_3.http01-no-trailing-space", "8.3", "SHOULD", "C056",
                          "the http-01 body is the key authorization without trailing white space"),
    [CK_DNS01_TXT] = C("8_4.dns01-txt", "8.4", "MUST", "C054",
                       "the TXT record holds base64url(SHA-256(key authorization))"),
    [CK_ALPN_HANDSHAKE] = A("3.alpn-handshake", "3", "MUST", "C070",
                            "the certificate is served for ALPN acme-tls/1 and SNI = the name"),
    [CK_ALPN_SAN] = A("3.alpn-single-san", "3", "MUST", "C067",
                      "the certificate has a single subjectAltName equal to the identifier"),
    [CK_ALPN_EXTENSION] =
        A("3.alpn-acme-identifier", "3", "MUST", "C066,C068",
          "acmeIdentifier holds the DER OCTET STRING of SHA-256(key authorization)"),
    [CK_ALPN_CRITICAL] =
        A("3.alpn-critical", "3", "MUST", "C069", "the acmeIdentifier extension MUST be critical"),
    [CK_ARI_CERTID] = R("4_1.certid-correct", "4.1", "MUST", "ARC01,ARC02,ARC14",
                        "a renewalInfo path or replaces value is the certID of a certificate the "
                        "CA issued: base64url AKI keyIdentifier \".\" base64url DER serial "
                        "(leading zero octet kept), no padding"),
    [CK_ARI_REPLACES_ADVERTISED] =
        R("5.replaces-only-when-advertised", "5", "SHOULD NOT", "ARC09",
          "clients SHOULD NOT send replaces when the directory has no renewalInfo"),
    [CK_ARI_NOT_EXPIRED] = R("4_3.no-check-after-expiry", "4.3", "MUST NOT", "ARC07",
                             "clients MUST NOT check a certificate's RenewalInfo after it expired"),
    [CK_ARI_NOT_REPLACED] =
        R("4_3.no-check-after-replaced", "4.3", "MUST NOT", "ARC08",
          "clients MUST NOT check a certificate's RenewalInfo after they replaced it"),
    [CK_ARI_GET] = R("4_1.renewal-info-get", "4.1", "MUST", "ARC18",
                     "renewalInfo is fetched with an unauthenticated GET, not a POST"),
    /* profiles (draft-ietf-acme-profiles) */
    [CK_PROFILE_ADVERTISED] = {"client.profiles.4.profile-advertised", "profiles", "4",
                               "SHOULD NOT", "PC01",
                               "the client SHOULD NOT request a profile name that is not "
                               "advertised in the server's Directory metadata object"},
    /* dns-account-01 and dns-persist-01 (issue 7 item 3) */
    [CK_DNSACCT_TXT] = {"client.dnsaccount.3.dns-account01-txt", "dnsaccount", "3", "MUST", "",
                        "the TXT record at _<label>._acme-challenge.<name> holds "
                        "base64url(SHA-256(key authorization))"},
    [CK_PERSIST_RECORD] = {"client.dnspersist.4.dns-persist01-record", "dnspersist", "4", "MUST",
                           "",
                           "the TXT record at _validation-persist.<name> names one of the "
                           "issuer-domain-names and the account's accounturi"},
    /* the ACME v1 to v2 changes (issue 7 item 9) */
    [CK_V1_RESOURCE] = {"client.v1v2.6_4.no-resource-field", "v1v2", "6.4", "SHOULD NOT", "",
                        "ACME v1's payload field \"resource\" is gone: RFC 8555 binds a request "
                        "to its URL with the protected header's url"},
    /* RFC 9444 (subdomain authorizations, issue 7 item 4) */
    [CK_ANCESTOR_DOMAIN] = {"client.9444.4_3.ancestor-domain-is-ancestor", "9444", "4.3", "MUST",
                            "SDC01",
                            "a newOrder identifier's ancestorDomain is a string naming an "
                            "ancestor domain of its value (whole labels, fewer labels)"},
    [CK_SUBDOMAIN_FLAG_BOOLEAN] = {"client.9444.4_2.subdomain-auth-allowed-boolean", "9444", "4.2",
                                   "MUST", "SDC02",
                                   "newAuthz's identifier carries subdomainAuthAllowed as a "
                                   "boolean when it carries it"},
};

const char *const acs_mca_ep_names[EP_COUNT] = {
    [EP_DIRECTORY] = "directory",
    [EP_NEWNONCE] = "new-nonce",
    [EP_NEWACCOUNT] = "new-account",
    [EP_ACCOUNT] = "account",
    [EP_ORDERS] = "orders",
    [EP_KEYCHANGE] = "key-change",
    [EP_NEWORDER] = "new-order",
    [EP_ORDER] = "order",
    [EP_AUTHZ] = "authz",
    [EP_CHALLENGE] = "challenge",
    [EP_FINALIZE] = "finalize",
    [EP_CERT] = "certificate",
    [EP_REVOKE] = "revoke-cert",
    [EP_TERMS] = "terms",
    [EP_ISSUER] = "issuer",
    [EP_NEWAUTHZ] = "new-authz",
    [EP_RENEWALINFO] = "renewal-info",
};

const char *const acs_mca_ctype_names[CT_COUNT] = {"http-01",    "dns-01",         "tls-alpn-01",
                                                   "tls-sni-02", "dns-account-01", "dns-persist-01",
                                                   "tls-sni-01"};

const char *acs_mca_status_name(enum mca_status s)
{
	static const char *const names[] = {"pending", "processing",  "valid",   "invalid",
	                                    "ready",   "deactivated", "revoked", "expired"};

	if ((size_t)s >= sizeof(names) / sizeof(names[0]))
		return "invalid";
	return names[s];
}

const struct acs_mockca_misbehaviour *acs_mockca_misbehaviours(size_t *n)
{
	*n = MB_COUNT;
	return acs_mca_mb_table;
}

const struct acs_mockca_check *acs_mockca_checks(size_t *n)
{
	*n = CK_COUNT;
	return acs_mca_check_table;
}

static int parse_count(const char *s, long *out)
{
	char *end = NULL;
	long v;

	if (s[0] == '\0' || !isdigit((unsigned char)s[0]))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 1000000)
		return -1;
	*out = v;
	return 0;
}

int acs_mca_mb_set(struct mca_mb_state *tab, const char *spec, struct acs_err *err)
{
	const char *eq = strchr(spec, '=');
	size_t nlen = eq != NULL ? (size_t)(eq - spec) : strlen(spec);
	const char *arg = eq != NULL ? eq + 1 : NULL;
	struct mca_mb_state st;
	size_t i;
	int m = -1;

	for (i = 0; i < MB_COUNT; i++) {
		if (strlen(acs_mca_mb_table[i].name) == nlen &&
		    strncmp(acs_mca_mb_table[i].name, spec, nlen) == 0) {
			m = (int)i;
			break;
		}
	}
	if (m < 0)
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown misbehaviour \"%.*s\"", (int)nlen,
		                   spec);
	if (arg != NULL && acs_mca_mb_table[m].arg == ACS_MB_ARG_NONE)
		return acs_err_set(err, ACS_E_INVAL, "misbehaviour %s takes no argument",
		                   acs_mca_mb_table[m].name);
	if (arg == NULL && acs_mca_mb_table[m].arg == ACS_MB_ARG_REQUIRED)
		return acs_err_set(err, ACS_E_INVAL, "misbehaviour %s needs an argument (%s)",
		                   acs_mca_mb_table[m].name, acs_mca_mb_table[m].arg_help);
	memset(&st, 0, sizeof(st));
	st.on = 1;
	st.n = -1;
	st.endpoint = -1;
	if (arg != NULL) {
		if (strlen(arg) >= sizeof(st.arg))
			return acs_err_set(err, ACS_E_INVAL, "misbehaviour %s: argument too long",
			                   acs_mca_mb_table[m].name);
		memcpy(st.arg, arg, strlen(arg) + 1);
	}
	/* numeric forms: "N" or "ENDPOINT:N" (ENDPOINT alone means N = 1) */
	if (arg != NULL && acs_mca_mb_table[m].arg_help != NULL &&
	    strchr(acs_mca_mb_table[m].arg_help, 'N') != NULL &&
	    strcmp(acs_mca_mb_table[m].arg_help, "TYPE") != 0 &&
	    strcmp(acs_mca_mb_table[m].arg_help, "ENDPOINT") != 0 &&
	    strncmp(acs_mca_mb_table[m].arg_help, "TYPE", 4) != 0) {
		const char *colon = strchr(arg, ':');
		const char *num = arg;

		if (colon != NULL || !isdigit((unsigned char)arg[0])) {
			size_t elen = colon != NULL ? (size_t)(colon - arg) : strlen(arg);
			int e = -1;

			if (strchr(acs_mca_mb_table[m].arg_help, ':') == NULL)
				return acs_err_set(err, ACS_E_INVAL, "misbehaviour %s: expected %s",
				                   acs_mca_mb_table[m].name,
				                   acs_mca_mb_table[m].arg_help);
			for (i = 0; i < EP_COUNT; i++) {
				if (strlen(acs_mca_ep_names[i]) == elen &&
				    strncmp(acs_mca_ep_names[i], arg, elen) == 0)
					e = (int)i;
			}
			if (e < 0)
				return acs_err_set(err, ACS_E_INVAL,
				                   "misbehaviour %s: unknown endpoint \"%.*s\"",
				                   acs_mca_mb_table[m].name, (int)elen, arg);
			st.endpoint = e;
			num = colon != NULL ? colon + 1 : "1";
		}
		if (parse_count(num, &st.n) != 0)
			return acs_err_set(err, ACS_E_INVAL, "misbehaviour %s: bad count \"%s\"",
			                   acs_mca_mb_table[m].name, num);
	}
	/* the hostile switches: an endpoint alone keeps the default hold */
	if ((m == MB_HOSTILE_NEVER_ANSWER || m == MB_HOSTILE_TRICKLE) && arg != NULL &&
	    strchr(arg, ':') == NULL && !isdigit((unsigned char)arg[0]))
		st.n = -1;
	if ((m == MB_HOSTILE_BODY_HUGE || m == MB_HOSTILE_CLOSE_MID_BODY) && arg != NULL) {
		for (i = 0; i < EP_COUNT && strcmp(acs_mca_ep_names[i], arg) != 0; i++)
			;
		if (i == EP_COUNT)
			return acs_err_set(err, ACS_E_INVAL,
			                   "misbehaviour %s: unknown endpoint \"%s\"",
			                   acs_mca_mb_table[m].name, arg);
		st.endpoint = (int)i;
	}
	if (m == MB_NO_CHALLENGE) {
		int ok = 0;

		for (i = 0; i < CT_COUNT; i++)
			ok |= strcmp(st.arg, acs_mca_ctype_names[i]) == 0;
		if (!ok)
			return acs_err_set(
			    err, ACS_E_INVAL,
			    "misbehaviour no-challenge: unknown challenge type \"%s\"", st.arg);
	}
	if (m == MB_ARI_WINDOW && strcmp(st.arg, "past") != 0 && strcmp(st.arg, "now") != 0 &&
	    strcmp(st.arg, "future") != 0 && acs_mca_ari_issued_window(st.arg, NULL, NULL) != 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "misbehaviour ari-window: expected past, now, future or "
		                   "issued:START:SECS (START 0 to 86400, SECS 1 to 86400)");
	if (m == MB_ARI_STATUS && (atoi(st.arg) < 400 || atoi(st.arg) > 599))
		return acs_err_set(err, ACS_E_INVAL,
		                   "misbehaviour ari-status: expected an error status 400 to 599");
	tab[m] = st;
	if (m == MB_LETSENCRYPT)
		acs_mca_letsencrypt_expand(tab);
	return 0;
}
