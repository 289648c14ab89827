/*
 * `acmespec mock-client` (see cli_mockclient.h): a conformant ACME client
 * made of the mock client engine, with named client-behaviour switches that
 * break it on purpose. It is the client under test of the self-test: each
 * client scenario names as its "control" one of these switches (or one of
 * the request misbehaviours of mockclient/misbehave.h) that must make the
 * scenario fail.
 *
 * Requests with no --misbehave of misbehave.h are signed and sent here
 * (not through acs_acme_post) so that nonce handling is under this file's
 * control: a Replay-Nonce that is not base64url is ignored (RFC 8555 6.5.1),
 * badNonce is retried with the error's own nonce, 429 and 503 after their
 * Retry-After.
 */
#include "cli/cli_mockclient.h"

#include <errno.h>
#include <getopt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/err.h"
#include "harness/http.h"
#include "harness/jwk.h"
#include "harness/transcript.h"
#include "harness/x509.h"
#include "mockclient/acme.h"
#include "mockclient/match.h"
#include "mockclient/misbehave.h"
#include "mockclient/responders.h"

#define PROG            "acmespec mock-client"
#define MC_MAX_NAMES    16
#define MC_MAX_RETRIES  5     /* 429 / 503 */
#define MC_MAX_BADNONCE 10    /* badNonce answers in a row */
#define MC_DEFAULT_WAIT 1000L /* ms between polls without Retry-After */

/* Client-behaviour switches: each one a named deviation from the conformant flow. */
enum mc_sw {
	SW_ACCEPT_ANY_PEM = 0,
	SW_ACCEPT_V1_DIRECTORY,
	SW_ALPN_EXTRA_SAN,
	SW_ALPN_NONCRITICAL,
	SW_ALPN_UNPROVISIONED,
	SW_B64_FALSE_POST_AS_GET,
	SW_BADNONCE_REUSE_NONCE,
	SW_BODY_NOT_UTF8,
	SW_CRASH_ON_MALFORMED,
	SW_CSR_ACCOUNT_KEY,
	SW_CSR_MISSING_NAME,
	SW_CSR_NOT_DER,
	SW_EAB_NOT_MAC,
	SW_EAB_OMIT,
	SW_EAB_OTHER_KEY,
	SW_EAB_WITH_NONCE,
	SW_EAB_WRONG_KID,
	SW_EAB_WRONG_URL,
	SW_EXPECT_PENDING_ORDER,
	SW_FETCH_ALTERNATES_GET,
	SW_FINALIZE_AFTER_INVALID,
	SW_GET_RESOURCES,
	SW_GIVE_UP_ON_RETRY_AFTER,
	SW_HIDE_DETAIL,
	SW_HTTP01_TRAILING_NEWLINE,
	SW_IGNORE_RETRY_AFTER,
	SW_KEYAUTH_WRONG,
	SW_KEYCHANGE_INNER_NONCE,
	SW_MAILTO_HFIELDS,
	SW_NO_ACCEPT_LANGUAGE,
	SW_NO_BADNONCE_RETRY,
	SW_NO_DEPROVISION,
	SW_NO_JWK_NO_KID,
	SW_ORDER_FETCH_EMPTY_OBJECT,
	SW_NO_TOS_AGREE,
	SW_POST_CHALLENGE_ON_VALID,
	SW_RELY_ON_ORDER,
	SW_REQUIRE_TOS,
	SW_RESPOND_BEFORE_PROVISION,
	SW_REVOKE_BAD_REASON,
	SW_STRICT_DIRECTORY,
	SW_TIGHT_POLL,
	SW_TWO_SIGNATURES,
	SW_USE_INVALID_NONCE,
	SW_WILDCARD_TXT_STAR,
	SW_COUNT
};

struct mc_switch {
	const char *name;
	const char *help;
};

/* sorted by name; --help prints them in this order */
static const struct mc_switch switches[SW_COUNT] = {
    [SW_ACCEPT_ANY_PEM] = {"accept-any-pem",
                           "keep a certificate download whatever else the PEM text holds"},
    [SW_ACCEPT_V1_DIRECTORY] = {"accept-v1-directory",
                                "use an ACME v1 directory (new-reg, new-authz, new-cert) as v2"},
    [SW_ALPN_EXTRA_SAN] = {"alpn-extra-san", "tls-alpn-01 certificate with a second dNSName"},
    [SW_ALPN_NONCRITICAL] = {"alpn-noncritical",
                             "tls-alpn-01 acmeIdentifier extension not critical"},
    [SW_ALPN_UNPROVISIONED] = {"alpn-unprovisioned",
                               "tls-alpn-01: answer the challenge but serve no certificate for "
                               "the name"},
    [SW_B64_FALSE_POST_AS_GET] = {"b64-false-post-as-get",
                                  "POST-as-GET with the unencoded payload option (b64: false)"},
    [SW_BADNONCE_REUSE_NONCE] = {"badnonce-reuse-nonce",
                                 "retry a badNonce with the rejected nonce, not the error's"},
    [SW_BODY_NOT_UTF8] = {"body-not-utf8", "signed requests whose JSON body is not UTF-8"},
    [SW_CRASH_ON_MALFORMED] = {"crash-on-malformed",
                               "abort (SIGABRT) on a response lacking a required field"},
    [SW_CSR_ACCOUNT_KEY] = {"csr-account-key", "the CSR carries the account key"},
    [SW_CSR_MISSING_NAME] = {"csr-missing-name", "the CSR leaves the last name of the order out"},
    [SW_CSR_NOT_DER] = {"csr-not-der", "finalize with a csr that is not a DER CSR"},
    [SW_EAB_NOT_MAC] = {"eab-not-mac", "EAB protected header with alg ES256, not a MAC"},
    [SW_EAB_OMIT] = {"eab-omit", "no externalAccountBinding even when the CA requires one"},
    [SW_EAB_OTHER_KEY] = {"eab-other-key", "EAB payload: a key other than the account key"},
    [SW_EAB_WITH_NONCE] = {"eab-with-nonce", "a nonce in the EAB protected header"},
    [SW_EAB_WRONG_KID] = {"eab-wrong-kid", "EAB kid other than the one the CA gave"},
    [SW_EAB_WRONG_URL] = {"eab-wrong-url", "EAB url other than the newAccount URL"},
    [SW_EXPECT_PENDING_ORDER] = {"expect-pending-order",
                                 "give up when a new order is not \"pending\" (e.g. ready)"},
    [SW_FETCH_ALTERNATES_GET] = {"fetch-alternates-get", "fetch alternate chains with a plain GET"},
    [SW_FINALIZE_AFTER_INVALID] = {"finalize-after-invalid",
                                   "finalize even after an authorization turned invalid"},
    [SW_GET_RESOURCES] = {"get-resources",
                          "read authorizations and orders with GET instead of POST-as-GET"},
    [SW_GIVE_UP_ON_RETRY_AFTER] = {"give-up-on-retry-after",
                                   "give up on 429 rateLimited and 503 instead of retrying"},
    [SW_HIDE_DETAIL] = {"hide-detail", "print errors without the server's \"detail\""},
    [SW_HTTP01_TRAILING_NEWLINE] = {"http01-trailing-newline",
                                    "http-01 resource with a trailing newline"},
    [SW_IGNORE_RETRY_AFTER] = {"ignore-retry-after",
                               "retry and poll after 100 ms whatever Retry-After says"},
    [SW_KEYAUTH_WRONG] = {"keyauth-wrong", "answer every challenge with a wrong key authorization"},
    [SW_KEYCHANGE_INNER_NONCE] = {"keychange-inner-nonce",
                                  "--key-change: a nonce in the inner JWS"},
    [SW_MAILTO_HFIELDS] = {"mailto-hfields", "contact mailto:a@b.test?subject=x"},
    [SW_NO_ACCEPT_LANGUAGE] = {"no-accept-language", "send no Accept-Language header"},
    [SW_NO_BADNONCE_RETRY] = {"no-badnonce-retry", "give up on the first badNonce"},
    [SW_NO_DEPROVISION] = {"no-deprovision",
                           "leave http-01 files (--webroot) and dns-01 records in place"},
    [SW_NO_JWK_NO_KID] = {"no-jwk-no-kid", "protected headers with neither jwk nor kid"},
    [SW_ORDER_FETCH_EMPTY_OBJECT] = {"order-fetch-empty-object",
                                     "fetch orders with the payload {} instead of \"\""},
    [SW_NO_TOS_AGREE] = {"no-tos-agree", "never send termsOfServiceAgreed"},
    [SW_POST_CHALLENGE_ON_VALID] = {"post-challenge-on-valid",
                                    "POST to a challenge of an authorization already valid"},
    [SW_RELY_ON_ORDER] = {"rely-on-order",
                          "compare an order's arrays by position: a reordering looks "
                          "like a change"},
    [SW_REQUIRE_TOS] = {"require-tos", "refuse a directory without meta.termsOfService"},
    [SW_RESPOND_BEFORE_PROVISION] = {"respond-before-provision",
                                     "POST the challenge before provisioning its answer"},
    [SW_REVOKE_BAD_REASON] = {"revoke-bad-reason", "revoke with the unassigned reason code 7"},
    [SW_STRICT_DIRECTORY] = {"strict-directory", "refuse a directory with fields it does not know"},
    [SW_TIGHT_POLL] = {"tight-poll", "poll authorizations and orders without any pause"},
    [SW_TWO_SIGNATURES] = {"two-signatures",
                           "JWS in the general serialization with two signatures"},
    [SW_USE_INVALID_NONCE] = {"use-invalid-nonce",
                              "use a Replay-Nonce even when it is not base64url"},
    [SW_WILDCARD_TXT_STAR] = {"wildcard-txt-star",
                              "dns-01 record for a wildcard at _acme-challenge.*.NAME"},
};

struct opt {
	const char *name;
	int has_arg;
	const char *metavar;
	const char *help;
};

/* sorted by name; --help prints them in this order */
static const struct opt opts[] = {
    {"bind", 1, "ADDR", "address the challenge responders listen on (default 127.0.0.1)"},
    {"ca-bundle", 1, "FILE", "PEM roots to trust for the ACME server"},
    {"cert-out", 1, "FILE", "write the certificate chain there (default: standard output)"},
    {"challenge", 1, "TYPE", "http-01 (default), dns-01 or tls-alpn-01"},
    {"contact", 1, "URI", "account contact, e.g. mailto:a@b.test (repeatable)"},
    {"directory", 1, "URL", "the ACME directory URL (required)"},
    {"dns-hook", 1, "CMD", "dns-01: run `CMD set|clear NAME VALUE` through /bin/sh"},
    {"domain", 1, "NAME", "a name to order, *.NAME for a wildcard (repeatable, required)"},
    {"domains", 1, "N1,N2", "names to order, comma-separated (as the {domains} placeholder)"},
    {"eab-hmac", 1, "B64URL", "external account binding HMAC key"},
    {"eab-kid", 1, "KID", "external account binding key identifier"},
    {"help", 0, NULL, "show this help and the misbehaviours"},
    {"http01-port", 1, "PORT", "port of the http-01 responder (default 80)"},
    {"key-change", 0, NULL, "roll the account key over (keyChange) right after newAccount"},
    {"misbehave", 1, "NAME", "commit a misbehaviour (repeatable; list below)"},
    {"no-agree-tos", 0, NULL, "do not agree to the terms of service"},
    {"revoke", 0, NULL, "revoke the certificate once downloaded"},
    {"timeout", 1, "SECONDS", "bound on the whole flow (default 60)"},
    {"tlsalpn01-port", 1, "PORT", "port of the tls-alpn-01 responder (default 443)"},
    {"verbose", 0, NULL, "print the transcript of every exchange on standard error"},
    {"webroot", 1, "DIR", "http-01: write DIR/.well-known/acme-challenge/TOKEN, no server"},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

struct mc {
	struct acs_acme_session *s;
	struct acs_responders *resp;
	struct acs_key *akey; /* account key */
	char *kid;            /* account URL */
	int sw[SW_COUNT];
	acs_mis_set mis;
	double deadline; /* monotonic seconds */

	const char *directory;
	const char *ca_bundle;
	const char *challenge;
	const char *dns_hook;
	const char *eab_kid;
	const char *eab_hmac;
	const char *cert_out;
	const char *bind;
	const char *webroot;
	const char *names[MC_MAX_NAMES];
	size_t nnames;
	const char *contacts[8];
	size_t ncontacts;
	int http01_port;
	int tlsalpn01_port;
	int agree_tos;
	int revoke;
	int key_change;
	int verbose;
	acs_mis_set inner_mis; /* the key-change inner-JWS misbehaviours of misbehave.h */

	/* dns-01 records to remove at the end */
	char *dns_names[MC_MAX_NAMES];
	char *dns_values[MC_MAX_NAMES];
	size_t ndns;
	/* http-01 files written under --webroot, to remove at the end */
	char *files[MC_MAX_NAMES];
	size_t nfiles;
	char *domains_copy; /* --domains, split in place */

	json_t *order; /* latest order object */
	char *order_url;
	json_t *order_ids;   /* identifiers as first returned */
	json_t *order_authz; /* authorizations as first returned */
	struct acs_key *cert_key;
	char *cert_pem;
};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* A response without a field the protocol requires: refuse, or crash on purpose. */
static int malformed(struct mc *mc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int malformed(struct mc *mc, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (mc->sw[SW_CRASH_ON_MALFORMED]) {
		struct rlimit rl = {0, 0};

		/* no core file: the crash is the point, not its contents */
		(void)setrlimit(RLIMIT_CORE, &rl);
		signal(SIGABRT, SIG_DFL);
		abort();
	}
	return -1;
}

/* Print a failed response with the server's problem detail (RFC 8555 6.7: show it). */
static int hide_detail;

static int fail_resp(const char *what, const struct acs_acme_resp *r)
{
	char *sum = acs_acme_resp_summary(r);

	if (hide_detail && r != NULL && r->http != NULL) {
		say("%s failed: status %ld", what, r->http->status);
		free(sum);
		return -1;
	}
	say("%s failed: %s", what, sum != NULL ? sum : "no response");
	free(sum);
	return -1;
}

/* Drop a cached nonce that is not base64url (RFC 8555 6.5.1: the client MUST ignore it). */
static void vet_nonce(struct mc *mc)
{
	struct acs_acme_session *s = mc->s;

	if (s->nonce == NULL || mc->sw[SW_USE_INVALID_NONCE])
		return;
	if (!acs_b64url_valid(s->nonce, strlen(s->nonce))) {
		acs_transcript_note(s->transcript, "ignoring invalid Replay-Nonce \"%s\"",
		                    s->nonce);
		free(s->nonce);
		s->nonce = NULL;
	}
}

/* Common headers of every request (6.1: Accept-Language); emptied by no-accept-language. */
static const char *plain_headers[] = {"Accept-Language: en", NULL};

/* Unsigned GET/HEAD (directory, newNonce, and the get-resources misbehaviour). */
static int mc_plain(struct mc *mc, const char *method, const char *url, struct acs_acme_resp **out)
{
	struct acs_err err;

	acs_err_clear(&err);
	if (acs_acme_plain(mc->s, method, url, plain_headers, mc->mis, out, &err) != 0) {
		say("%s %s: %s", method, url, err.msg);
		return -1;
	}
	vet_nonce(mc);
	return 0;
}

/* The wait a response asks for, in ms, as this client's switches read it. */
static long wait_for(struct mc *mc, const struct acs_acme_resp *r)
{
	long ms;

	if (mc->sw[SW_TIGHT_POLL])
		return 0;
	if (mc->sw[SW_IGNORE_RETRY_AFTER])
		return 100;
	ms = acs_acme_retry_after_ms(r);
	if (ms < 0)
		ms = MC_DEFAULT_WAIT;
	return ms;
}

static int out_of_time(struct mc *mc, long next_ms)
{
	return now_s() + (double)next_ms / 1000.0 > mc->deadline;
}

/*
 * The body misbehaviours, applied to a finished flattened JWS (*body is
 * replaced): two-signatures (general serialization, the signature twice)
 * and body-not-utf8 (a member holding the byte 0xFF). -1 on ENOMEM (*body
 * freed and NULL).
 */
static int reshape_body(struct mc *mc, char **body)
{
	struct acs_buf b;

	if (mc->sw[SW_TWO_SIGNATURES]) {
		json_t *flat = json_loads(*body, 0, NULL), *gen;
		json_t *sig =
		    json_pack("{s:O?,s:O?}", "protected", json_object_get(flat, "protected"),
		              "signature", json_object_get(flat, "signature"));

		gen = json_pack("{s:O?,s:[O,O]}", "payload", json_object_get(flat, "payload"),
		                "signatures", sig, sig);
		free(*body);
		*body = gen != NULL ? json_dumps(gen, JSON_COMPACT) : NULL;
		json_decref(flat);
		json_decref(sig);
		json_decref(gen);
		if (*body == NULL)
			return -1;
	}
	if (mc->sw[SW_BODY_NOT_UTF8] && (*body)[0] == '{') {
		acs_buf_init(&b, 0);
		if (acs_buf_printf(&b, "{\"acmespec\":\"\xff\",%s", *body + 1) != 0) {
			acs_buf_free(&b);
			free(*body);
			*body = NULL;
			return -1;
		}
		free(*body);
		*body = acs_buf_steal(&b);
		if (*body == NULL)
			return -1;
	}
	return 0;
}

/*
 * One signed request sent by this file: a flattened JWS over the cached
 * nonce (or a fresh one from newNonce).
 */
static int send_jws(struct mc *mc, const char *url, const char *payload, int use_jwk,
                    const char *nonce, struct acs_acme_resp **out, struct acs_err *err)
{
	struct acs_acme_session *s = mc->s;
	const char *headers[4];
	struct acs_http_request req;
	struct acs_acme_resp *r = NULL;
	json_t *hdr = json_object();
	char *body = NULL;
	int rc = ACS_E_NOMEM;

	if (hdr == NULL)
		goto out;
	json_object_set_new(hdr, "nonce", json_string(nonce));
	json_object_set_new(hdr, "url", json_string(url));
	if (mc->sw[SW_NO_JWK_NO_KID])
		; /* the key source left out on purpose (6.2: one of them MUST be there) */
	else if (use_jwk)
		json_object_set_new(hdr, "jwk", acs_jwk_public(mc->akey));
	else
		json_object_set_new(hdr, "kid", json_string(mc->kid));
	body = acs_acme_jws(mc->akey, NULL, 0, hdr, payload, strlen(payload),
	                    payload[0] == '\0' && mc->sw[SW_B64_FALSE_POST_AS_GET]
	                        ? ACS_MIS_BIT(ACS_MIS_B64_FALSE)
	                        : 0,
	                    err);
	if (body == NULL || reshape_body(mc, &body) != 0) {
		rc = err->code != 0 ? err->code : ACS_E_NOMEM;
		goto out;
	}
	headers[0] = "Content-Type: application/jose+json";
	headers[1] = plain_headers[0];
	headers[2] = NULL;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = url;
	req.headers = headers;
	req.body = body;
	req.body_len = strlen(body);
	r = calloc(1, sizeof(*r));
	if (r == NULL)
		goto out;
	r->method = strdup("POST");
	r->url = strdup(url);
	if (r->method == NULL || r->url == NULL)
		goto out;
	rc = acs_http_do(s->http, &req, &r->http, err);
	if (rc != 0)
		goto out;
	if (r->http->body_len > 0)
		r->json = json_loadb(r->http->body, r->http->body_len, JSON_DECODE_ANY, NULL);
	{
		const char *n = acs_http_header(r->http, "Replay-Nonce");

		if (n != NULL && n[0] != '\0')
			acs_acme_set_str(&s->nonce, n);
	}
	vet_nonce(mc);
	*out = r;
	r = NULL;
	rc = 0;
out:
	if (rc == ACS_E_NOMEM && err->code == 0)
		acs_err_set(err, ACS_E_NOMEM, "out of memory");
	acs_acme_resp_free(r);
	json_decref(hdr);
	free(body);
	return rc;
}

static int is_problem(const struct acs_acme_resp *r, const char *type)
{
	const char *t = acs_acme_problem_type(r);
	size_t tl = strlen(type), n;

	if (t == NULL)
		return 0;
	n = strlen(t);
	return n >= tl && strcmp(t + n - tl, type) == 0 && (n == tl || t[n - tl - 1] == ':');
}

/*
 * A signed POST (payload NULL: POST-as-GET) with the coping behaviour of a
 * conformant client. *out: any final status; -1 only when no response.
 */
static int mc_post(struct mc *mc, const char *url, const char *payload, int use_jwk,
                   struct acs_acme_resp **out)
{
	struct acs_acme_session *s = mc->s;
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	char *nonce = NULL;
	int badnonce = 0, retries = 0;
	acs_mis_set mis = mc->mis;

	/* kid-unknown is about kid: requests signed with jwk (newAccount) stay correct */
	if (use_jwk)
		mis &= ~ACS_MIS_BIT(ACS_MIS_KID_UNKNOWN);
	*out = NULL;
	for (;;) {
		acs_err_clear(&err);
		if (mis != 0) {
			/* the request misbehaviours of misbehave.h live in the engine's builder */
			struct acs_acme_post p;

			memset(&p, 0, sizeof(p));
			p.url = url;
			p.key = mc->akey;
			p.kid = use_jwk ? NULL : mc->kid;
			p.payload = payload;
			p.payload_len = payload != NULL ? strlen(payload) : 0;
			p.mis = mis;
			p.account_url = mc->kid;
			p.extra_headers = plain_headers;
			if (acs_acme_post(s, &p, &r, &err) != 0) {
				say("POST %s: %s", url, err.msg);
				return -1;
			}
			vet_nonce(mc);
		} else {
			if (nonce == NULL) {
				if (s->nonce == NULL) {
					struct acs_acme_resp *nr = NULL;
					const char *nn = acs_acme_dir_url(s, "newNonce");

					if (nn == NULL) {
						say("the directory has no newNonce URL");
						return -1;
					}
					int tries;

					/* an invalid Replay-Nonce was dropped: ask again, a few
					 * times */
					for (tries = 0; tries < 5 && s->nonce == NULL; tries++) {
						if (mc_plain(mc, "HEAD", nn, &nr) != 0)
							return -1;
						acs_acme_resp_free(nr);
						nr = NULL;
					}
					if (s->nonce == NULL) {
						say("newNonce gave no usable Replay-Nonce");
						return -1;
					}
				}
				nonce = s->nonce;
				s->nonce = NULL;
			}
			if (send_jws(mc, url, payload != NULL ? payload : "", use_jwk, nonce, &r,
			             &err) != 0) {
				say("POST %s: %s", url, err.msg);
				free(nonce);
				return -1;
			}
			if (is_problem(r, "badNonce") && !mc->sw[SW_NO_BADNONCE_RETRY] &&
			    ++badnonce <= MC_MAX_BADNONCE) {
				/* retry with the error's own fresh nonce (6.5), or on purpose not
				 */
				if (!mc->sw[SW_BADNONCE_REUSE_NONCE]) {
					free(nonce);
					nonce = NULL;
				}
				say("badNonce from %s: retrying (%d)", url, badnonce);
				acs_acme_resp_free(r);
				r = NULL;
				continue;
			}
			free(nonce);
			nonce = NULL;
		}
		if ((r->http->status == 429 || r->http->status == 503) &&
		    !mc->sw[SW_GIVE_UP_ON_RETRY_AFTER] && retries < MC_MAX_RETRIES) {
			long ms = wait_for(mc, r);

			if (!out_of_time(mc, ms)) {
				retries++;
				say("status %ld from %s: retrying in %ld ms", r->http->status, url,
				    ms);
				acs_acme_resp_free(r);
				r = NULL;
				sleep_ms(ms);
				continue;
			}
		}
		break;
	}
	*out = r;
	return 0;
}

/* POST-as-GET (or with get-resources a plain GET) of a resource; 2xx JSON object wanted. */
static int mc_fetch(struct mc *mc, const char *what, const char *url, struct acs_acme_resp **out)
{
	struct acs_acme_resp *r = NULL;
	const char *payload =
	    mc->sw[SW_ORDER_FETCH_EMPTY_OBJECT] && strcmp(what, "order") == 0 ? "{}" : NULL;
	int rc = mc->sw[SW_GET_RESOURCES] ? mc_plain(mc, "GET", url, &r)
	                                  : mc_post(mc, url, payload, 0, &r);

	*out = NULL;
	if (rc != 0)
		return -1;
	if (r->http->status / 100 != 2 || !json_is_object(r->json)) {
		fail_resp(what, r);
		acs_acme_resp_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

/* ---- directory and account ---- */

static const char *const v1_keys[] = {"new-reg",     "new-authz",  "new-cert",
                                      "revoke-cert", "key-change", NULL};
static const char *const v2_keys[] = {"newNonce",    "newAccount", "newOrder",
                                      "newAuthz",    "revokeCert", "keyChange",
                                      "renewalInfo", "meta",       NULL};
static const char *const meta_keys[] = {"termsOfService",          "website",  "caaIdentities",
                                        "externalAccountRequired", "profiles", NULL};

static int in_list(const char *const *list, const char *k)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], k) == 0)
			return 1;
	return 0;
}

static int directory(struct mc *mc)
{
	struct acs_acme_session *s = mc->s;
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	json_t *d, *meta;
	const char *k, *need[] = {"newNonce", "newAccount", "newOrder"};
	json_t *v;
	size_t i;
	int v1 = 0;

	acs_err_clear(&err);
	if (acs_acme_plain(s, "GET", s->directory_url, plain_headers, mc->mis, &r, &err) != 0) {
		say("cannot fetch the directory: %s", err.msg);
		return -1;
	}
	vet_nonce(mc);
	if (r->http->status != 200 || !json_is_object(r->json)) {
		fail_resp("directory", r);
		acs_acme_resp_free(r);
		return -1;
	}
	s->directory = json_incref(r->json);
	acs_acme_resp_free(r);
	d = s->directory;
	for (i = 0; v1_keys[i] != NULL; i++)
		v1 |= json_object_get(d, v1_keys[i]) != NULL;
	if (v1 && json_object_get(d, "newAccount") == NULL) {
		if (!mc->sw[SW_ACCEPT_V1_DIRECTORY]) {
			say("the directory is ACME v1 (new-reg, new-authz, new-cert): this client "
			    "speaks RFC 8555 only");
			return -1;
		}
		/* the bug on purpose: map v1 names onto v2 ones and carry on */
		json_object_set(d, "newAccount", json_object_get(d, "new-reg"));
		json_object_set(d, "newOrder", json_object_get(d, "new-cert"));
		json_object_set(d, "newNonce", json_object_get(d, "new-reg"));
		json_object_set(d, "revokeCert", json_object_get(d, "revoke-cert"));
		meta = json_object_get(d, "meta");
		if (json_is_object(meta) && json_object_get(meta, "terms-of-service") != NULL)
			json_object_set(meta, "termsOfService",
			                json_object_get(meta, "terms-of-service"));
	}
	for (i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		const char *u = acs_acme_dir_url(s, need[i]);

		if (u == NULL)
			return malformed(mc, "the directory has no %s URL", need[i]);
		if (strncmp(u, "https://", 8) != 0)
			return malformed(mc, "the directory's %s is not https:// (%s)", need[i], u);
	}
	meta = json_object_get(d, "meta");
	if (mc->sw[SW_STRICT_DIRECTORY]) {
		json_object_foreach(d, k, v)
		{
			if (!in_list(v2_keys, k)) {
				say("unknown directory field \"%s\": refusing the directory", k);
				return -1;
			}
		}
		json_object_foreach(meta, k, v)
		{
			if (!in_list(meta_keys, k)) {
				say("unknown directory meta field \"%s\": refusing the directory",
				    k);
				return -1;
			}
		}
	}
	if (mc->sw[SW_REQUIRE_TOS] && json_object_get(meta, "termsOfService") == NULL) {
		say("the directory names no terms of service: refusing");
		return -1;
	}
	return 0;
}

/* The externalAccountBinding object: a JWS over the account key, MAC-ed with the EAB key. */
static json_t *make_eab(struct mc *mc, const char *url)
{
	unsigned char *mac = NULL;
	size_t maclen = 0;
	struct acs_err err;
	json_t *hdr = NULL, *jwk = NULL, *out = NULL;
	char *jwk_text = NULL, *jws = NULL;

	acs_err_clear(&err);
	if (acs_b64url_decode(mc->eab_hmac, strlen(mc->eab_hmac), &mac, &maclen, &err) != 0) {
		say("--eab-hmac: %s", err.msg);
		goto out;
	}
	hdr = json_pack("{s:s, s:s, s:s}", "alg", mc->sw[SW_EAB_NOT_MAC] ? "ES256" : "HS256", "kid",
	                mc->eab_kid, "url", url);
	if (hdr != NULL && mc->sw[SW_EAB_WRONG_KID]) {
		struct acs_buf b;

		acs_buf_init(&b, 0);
		acs_buf_printf(&b, "%s-not-mine", mc->eab_kid);
		json_object_set_new(hdr, "kid", json_string(b.data != NULL ? b.data : "x"));
		acs_buf_free(&b);
	}
	if (hdr != NULL && mc->sw[SW_EAB_WRONG_URL] && acs_acme_dir_url(mc->s, "newNonce") != NULL)
		json_object_set_new(hdr, "url", json_string(acs_acme_dir_url(mc->s, "newNonce")));
	if (mc->sw[SW_EAB_OTHER_KEY]) {
		struct acs_key *other = NULL;

		if (acs_key_generate(&other, ACS_KEY_EC256, &err) != 0) {
			say("cannot make a key: %s", err.msg);
			goto out;
		}
		jwk = acs_jwk_public(other);
		acs_key_free(other);
	} else {
		jwk = acs_jwk_public(mc->akey);
	}
	if (hdr == NULL || jwk == NULL)
		goto out;
	if (mc->sw[SW_EAB_WITH_NONCE] && mc->s->nonce != NULL)
		json_object_set_new(hdr, "nonce", json_string(mc->s->nonce));
	else if (mc->sw[SW_EAB_WITH_NONCE])
		json_object_set_new(hdr, "nonce", json_string("AAAAAAAAAAAAAAAAAAAAAA"));
	jwk_text = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);
	if (jwk_text == NULL)
		goto out;
	jws = acs_acme_jws(mc->akey, mac, maclen, hdr, jwk_text, strlen(jwk_text), 0, &err);
	if (jws == NULL) {
		say("cannot make the external account binding: %s", err.msg);
		goto out;
	}
	out = json_loads(jws, 0, NULL);
out:
	free(mac);
	json_decref(hdr);
	json_decref(jwk);
	free(jwk_text);
	free(jws);
	return out;
}

static int new_account(struct mc *mc)
{
	const char *url = acs_acme_dir_url(mc->s, "newAccount");
	json_t *meta = json_object_get(mc->s->directory, "meta");
	json_t *p = json_object(), *contacts = json_array();
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	const char *loc;
	char *text = NULL;
	size_t i;
	int rc = -1;

	acs_err_clear(&err);
	if (p == NULL || contacts == NULL)
		goto out;
	if (acs_key_generate(&mc->akey, ACS_KEY_EC256, &err) != 0) {
		say("cannot make the account key: %s", err.msg);
		goto out;
	}
	for (i = 0; i < mc->ncontacts; i++)
		json_array_append_new(contacts, json_string(mc->contacts[i]));
	if (mc->sw[SW_MAILTO_HFIELDS])
		json_array_append_new(contacts, json_string("mailto:a@b.test?subject=x"));
	if (json_array_size(contacts) > 0)
		json_object_set(p, "contact", contacts);
	/* agree only when the CA has terms and the user said so (7.3: not by default) */
	if (json_object_get(meta, "termsOfService") != NULL && mc->agree_tos &&
	    !mc->sw[SW_NO_TOS_AGREE])
		json_object_set_new(p, "termsOfServiceAgreed", json_true());
	if (json_is_true(json_object_get(meta, "externalAccountRequired")) &&
	    !mc->sw[SW_EAB_OMIT]) {
		json_t *eab;

		if (mc->eab_kid == NULL || mc->eab_hmac == NULL) {
			say("the CA requires an external account binding: give --eab-kid and "
			    "--eab-hmac");
			goto out;
		}
		eab = make_eab(mc, url);
		if (eab == NULL)
			goto out;
		json_object_set_new(p, "externalAccountBinding", eab);
	}
	text = json_dumps(p, JSON_COMPACT);
	if (text == NULL || mc_post(mc, url, text, 1, &r) != 0)
		goto out;
	if (r->http->status != 201 && r->http->status != 200) {
		fail_resp("newAccount", r);
		goto out;
	}
	loc = acs_http_header(r->http, "Location");
	if (loc == NULL) {
		malformed(mc, "newAccount answered without Location");
		goto out;
	}
	mc->kid = strdup(loc);
	if (mc->kid == NULL)
		goto out;
	say("account %s", mc->kid);
	rc = 0;
out:
	acs_acme_resp_free(r);
	json_decref(p);
	json_decref(contacts);
	free(text);
	return rc;
}

/*
 * 7.3.5: roll the account key over. The inner JWS (signed with the new key,
 * jwk, same url, no nonce) carries {account, oldKey}; the outer one is
 * signed with the current key. The inner-* request misbehaviours of
 * misbehave.h and keychange-inner-nonce break it on purpose.
 */
static int key_change(struct mc *mc)
{
	const char *url = acs_acme_dir_url(mc->s, "keyChange");
	acs_mis_set im = mc->inner_mis, sign_mis = 0;
	struct acs_key *nk = NULL, *wrong = NULL;
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	json_t *ihdr = NULL, *ipl = NULL, *oldjwk = NULL;
	char *itext = NULL, *inner = NULL;
	struct acs_buf acct;
	int rc = -1;

	acs_err_clear(&err);
	acs_buf_init(&acct, 8192);
	if (url == NULL) {
		say("the directory has no keyChange URL");
		goto out;
	}
	if (acs_key_generate(&nk, ACS_KEY_EC256, &err) != 0 ||
	    (ACS_MIS_HAS(im, ACS_MIS_INNER_OLDKEY_WRONG) &&
	     acs_key_generate(&wrong, ACS_KEY_EC256, &err) != 0)) {
		say("cannot make a key: %s", err.msg);
		goto out;
	}
	ihdr = json_object();
	if (ihdr == NULL)
		goto out;
	if (ACS_MIS_HAS(im, ACS_MIS_INNER_KID))
		json_object_set_new(ihdr, "kid", json_string(mc->kid));
	else
		json_object_set_new(ihdr, "jwk", acs_jwk_public(nk));
	if (ACS_MIS_HAS(im, ACS_MIS_INNER_URL_MISMATCH) &&
	    acs_acme_dir_url(mc->s, "newNonce") != NULL)
		json_object_set_new(ihdr, "url", json_string(acs_acme_dir_url(mc->s, "newNonce")));
	else
		json_object_set_new(ihdr, "url", json_string(url));
	if (mc->sw[SW_KEYCHANGE_INNER_NONCE])
		json_object_set_new(ihdr, "nonce", json_string("AAAAAAAAAAAAAAAAAAAAAA"));
	if (ACS_MIS_HAS(im, ACS_MIS_INNER_SIG_CORRUPT))
		sign_mis |= ACS_MIS_BIT(ACS_MIS_SIG_CORRUPT);
	acs_buf_printf(&acct, "%s%s", mc->kid,
	               ACS_MIS_HAS(im, ACS_MIS_INNER_ACCOUNT_WRONG) ? "0" : "");
	oldjwk = acs_jwk_public(wrong != NULL ? wrong : mc->akey);
	ipl = json_pack("{s:s?,s:O?}", "account", acct.data, "oldKey", oldjwk);
	itext = ipl != NULL ? json_dumps(ipl, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (itext == NULL)
		goto out;
	if (ACS_MIS_HAS(im, ACS_MIS_INNER_NOT_JWS)) {
		inner = itext;
		itext = NULL;
	} else {
		inner = acs_acme_jws(nk, NULL, 0, ihdr, itext, strlen(itext), sign_mis, &err);
		if (inner == NULL) {
			say("cannot sign the inner JWS: %s", err.msg);
			goto out;
		}
	}
	if (mc_post(mc, url, inner, 0, &r) != 0)
		goto out;
	if (r->http->status != 200) {
		fail_resp("keyChange", r);
		goto out;
	}
	acs_key_free(mc->akey);
	mc->akey = nk;
	nk = NULL;
	say("account key rolled over");
	rc = 0;
out:
	acs_acme_resp_free(r);
	acs_key_free(nk);
	acs_key_free(wrong);
	json_decref(ihdr);
	json_decref(ipl);
	json_decref(oldjwk);
	free(itext);
	free(inner);
	acs_buf_free(&acct);
	return rc;
}

/* ---- orders and authorizations ---- */

static int keep_order(struct mc *mc, const json_t *o)
{
	const char *st = json_string_value(json_object_get(o, "status"));

	if (st == NULL)
		return malformed(mc, "order without status");
	json_decref(mc->order);
	mc->order = json_deep_copy(o);
	if (mc->order_ids == NULL) {
		mc->order_ids = json_deep_copy(json_object_get(o, "identifiers"));
		mc->order_authz = json_deep_copy(json_object_get(o, "authorizations"));
		return 0;
	}
	/* 7.1.3: the arrays may come in any order, but must not change as sets */
	{
		json_t *ids = json_object_get(o, "identifiers"),
		       *az = json_object_get(o, "authorizations");
		/* a client that relies on the order of the arrays compares them in place */
		int same = mc->sw[SW_RELY_ON_ORDER]
		               ? json_equal(ids, mc->order_ids) && json_equal(az, mc->order_authz)
		               : acs_json_set_equal(ids, mc->order_ids) &&
		                     acs_json_set_equal(az, mc->order_authz);

		if (!same) {
			say("the order's identifiers or authorizations changed: treating the order "
			    "as "
			    "invalid");
			return -1;
		}
	}
	return 0;
}

static int new_order(struct mc *mc)
{
	json_t *p = json_pack("{s:[]}", "identifiers");
	json_t *ids = json_object_get(p, "identifiers");
	struct acs_acme_resp *r = NULL;
	const char *loc, *st;
	char *text = NULL;
	size_t i;
	int rc = -1;

	for (i = 0; i < mc->nnames; i++)
		json_array_append_new(
		    ids, json_pack("{s:s, s:s}", "type", "dns", "value", mc->names[i]));
	text = json_dumps(p, JSON_COMPACT);
	if (text == NULL || mc_post(mc, acs_acme_dir_url(mc->s, "newOrder"), text, 0, &r) != 0)
		goto out;
	if (r->http->status != 201 || !json_is_object(r->json)) {
		fail_resp("newOrder", r);
		goto out;
	}
	loc = acs_http_header(r->http, "Location");
	if (loc == NULL) {
		malformed(mc, "newOrder answered without Location");
		goto out;
	}
	mc->order_url = strdup(loc);
	if (mc->order_url == NULL || keep_order(mc, r->json) != 0)
		goto out;
	if (!json_is_array(json_object_get(r->json, "authorizations")) ||
	    json_object_get(r->json, "finalize") == NULL) {
		malformed(mc, "order without authorizations or finalize");
		goto out;
	}
	st = json_string_value(json_object_get(r->json, "status"));
	say("order %s (%s)", mc->order_url, st);
	if (mc->sw[SW_EXPECT_PENDING_ORDER] && strcmp(st, "pending") != 0) {
		say("unexpected status \"%s\" of a new order", st);
		goto out;
	}
	rc = 0;
out:
	acs_acme_resp_free(r);
	json_decref(p);
	free(text);
	return rc;
}

/* Run the dns hook: /bin/sh -c 'HOOK "$@"' sh set|clear NAME VALUE. */
static int dns_hook(struct mc *mc, const char *op, const char *name, const char *value)
{
	struct acs_buf cmd;
	pid_t pid;
	int st = 0;

	if (mc->dns_hook == NULL) {
		say("dns-01 needs --dns-hook");
		return -1;
	}
	acs_buf_init(&cmd, 8192);
	acs_buf_printf(&cmd, "%s \"$@\"", mc->dns_hook);
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		acs_buf_free(&cmd);
		say("cannot fork the dns hook: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		/* stdout belongs to the certificate */
		(void)dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd.data, "sh", op, name, value, (char *)NULL);
		_exit(127);
	}
	acs_buf_free(&cmd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		say("dns hook \"%s %s %s\" failed (status %d)", op, name, value,
		    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
		return -1;
	}
	return 0;
}

/* http-01 with --webroot: the key authorization as a file, as webroot clients do. */
static int write_file(struct mc *mc, const char *token, const char *ka, int newline)
{
	struct acs_buf b;
	char *path;
	FILE *f;

	if (mc->nfiles >= MC_MAX_NAMES)
		return -1;
	acs_buf_init(&b, 8192);
	acs_buf_printf(&b, "%s/.well-known/acme-challenge", mc->webroot);
	{
		/* mkdir -p of the two levels under the webroot */
		char *dir = b.data;
		char *slash = dir != NULL ? strrchr(dir, '/') : NULL;

		if (slash != NULL) {
			*slash = '\0';
			(void)mkdir(dir, 0755);
			*slash = '/';
			(void)mkdir(dir, 0755);
		}
	}
	acs_buf_printf(&b, "/%s", token);
	path = acs_buf_steal(&b);
	if (path == NULL)
		return -1;
	f = fopen(path, "w");
	if (f == NULL || fprintf(f, "%s%s", ka, newline ? "\n" : "") < 0 || fclose(f) != 0) {
		say("cannot write %s: %s", path, strerror(errno));
		free(path);
		return -1;
	}
	mc->files[mc->nfiles++] = path;
	return 0;
}

/* Provision the answer to a challenge. */
static int provision(struct mc *mc, const json_t *authz, const json_t *chal, const char *type)
{
	const char *token = json_string_value(json_object_get(chal, "token"));
	json_t *ident = json_object_get(authz, "identifier");
	const char *value = json_string_value(json_object_get(ident, "value"));
	int wildcard = json_is_true(json_object_get(authz, "wildcard"));
	struct acs_err err;
	struct acs_ident id;
	char *ka = NULL;
	int rc = -1;

	acs_err_clear(&err);
	if (token == NULL || value == NULL)
		return malformed(mc, "challenge without token or authorization without identifier");
	/* 8.3: a token used in a path must be checked (base64url only) */
	if (!acs_b64url_valid(token, strlen(token))) {
		say("challenge token is not base64url: refusing \"%.60s\"", token);
		return -1;
	}
	if (strlen(value) + 1 > sizeof(id.value))
		return malformed(mc, "identifier too long");
	memset(&id, 0, sizeof(id));
	snprintf(id.type, sizeof(id.type), "dns");
	snprintf(id.value, sizeof(id.value), "%s", value);
	ka = acs_keyauth(token, mc->akey, &err);
	if (ka == NULL) {
		say("key authorization: %s", err.msg);
		return -1;
	}
	if (mc->sw[SW_KEYAUTH_WRONG]) {
		struct acs_buf b;

		acs_buf_init(&b, 4096);
		acs_buf_printf(&b, "%sx.wrong", token);
		free(ka);
		ka = acs_buf_steal(&b);
		if (ka == NULL)
			goto out;
	}
	if (strcmp(type, "http-01") == 0) {
		enum acs_http01_mode m =
		    mc->sw[SW_HTTP01_TRAILING_NEWLINE] ? ACS_HTTP01_TRAILING_NL : ACS_HTTP01_OK;

		if (mc->webroot != NULL) {
			if (write_file(mc, token, ka, m == ACS_HTTP01_TRAILING_NL) != 0)
				goto out;
		} else if (acs_http01_set(mc->resp, token, ka, m, mc->s->transcript) != 0) {
			say("cannot provision http-01");
			goto out;
		} else {
			acs_acme_remember(mc->s, 0, token, NULL);
		}
	} else if (strcmp(type, "tls-alpn-01") == 0) {
		enum acs_alpn_mode m = mc->sw[SW_ALPN_NONCRITICAL] ? ACS_ALPN_NONCRITICAL
		                       : mc->sw[SW_ALPN_EXTRA_SAN] ? ACS_ALPN_EXTRA_SAN
		                                                   : ACS_ALPN_OK;

		if (mc->sw[SW_ALPN_UNPROVISIONED]) {
			say("tls-alpn-01 for %s not provisioned (alpn-unprovisioned)", id.value);
		} else if (acs_alpn_set(mc->resp, &id, ka, m, mc->s->transcript) != 0) {
			say("cannot provision tls-alpn-01");
			goto out;
		} else {
			acs_acme_remember(mc->s, 2, id.value, &id);
		}
	} else {
		struct acs_buf b;
		char *digest = acs_keyauth_digest_b64(ka);
		char *name;

		acs_buf_init(&b, 1024);
		/* 8.4 and 7.1.3: a wildcard's record is under the base name, without "*." */
		acs_buf_printf(&b, "_acme-challenge.%s%s",
		               wildcard && mc->sw[SW_WILDCARD_TXT_STAR] ? "*." : "", value);
		name = acs_buf_steal(&b);
		if (digest == NULL || name == NULL || mc->ndns >= MC_MAX_NAMES ||
		    dns_hook(mc, "set", name, digest) != 0) {
			free(digest);
			free(name);
			goto out;
		}
		mc->dns_names[mc->ndns] = name;
		mc->dns_values[mc->ndns] = digest;
		mc->ndns++;
	}
	rc = 0;
out:
	free(ka);
	return rc;
}

/* 8.3, 8.4: take the answers down once the challenge is over. */
static void deprovision(struct mc *mc)
{
	size_t i;

	for (i = 0; i < mc->ndns; i++) {
		if (!mc->sw[SW_NO_DEPROVISION])
			(void)dns_hook(mc, "clear", mc->dns_names[i], mc->dns_values[i]);
		free(mc->dns_names[i]);
		free(mc->dns_values[i]);
	}
	mc->ndns = 0;
	for (i = 0; i < mc->nfiles; i++) {
		if (!mc->sw[SW_NO_DEPROVISION])
			(void)unlink(mc->files[i]);
		free(mc->files[i]);
	}
	mc->nfiles = 0;
}

static const json_t *find_challenge(struct mc *mc, const json_t *authz, const char *type)
{
	json_t *chs = json_object_get(authz, "challenges"), *c;
	size_t i;

	json_array_foreach(chs, i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t != NULL && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

/* Poll an authorization until it leaves pending (and processing). *st: final status. */
static int poll_authz(struct mc *mc, const char *url, json_t **authz_out)
{
	for (;;) {
		struct acs_acme_resp *r = NULL;
		const char *st;
		long ms;

		if (mc_fetch(mc, "authorization", url, &r) != 0)
			return -1;
		st = json_string_value(json_object_get(r->json, "status"));
		if (st == NULL) {
			acs_acme_resp_free(r);
			return malformed(mc, "authorization without status");
		}
		if (strcmp(st, "pending") != 0 && strcmp(st, "processing") != 0) {
			*authz_out = json_incref(r->json);
			acs_acme_resp_free(r);
			return 0;
		}
		ms = wait_for(mc, r);
		acs_acme_resp_free(r);
		if (out_of_time(mc, ms)) {
			say("authorization %s still %s at the time limit", url, st);
			return -1;
		}
		sleep_ms(ms);
	}
}

static void show_challenge_error(const json_t *authz)
{
	json_t *chs = json_object_get(authz, "challenges"), *c;
	size_t i;

	json_array_foreach(chs, i, c)
	{
		json_t *e = json_object_get(c, "error");

		if (e != NULL && hide_detail)
			say("challenge %s failed", json_string_value(json_object_get(c, "type")));
		else if (e != NULL)
			say("challenge %s: %s: %s", json_string_value(json_object_get(c, "type")),
			    json_string_value(json_object_get(e, "type")),
			    json_string_value(json_object_get(e, "detail")));
	}
}

static int authorize(struct mc *mc)
{
	json_t *azs = json_deep_copy(json_object_get(mc->order, "authorizations"));
	char **pending = NULL;
	size_t i, npending = 0, n = json_array_size(azs);
	int rc = -1, failed = 0;

	pending = calloc(n + 1, sizeof(*pending));
	if (azs == NULL || pending == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		const char *url = json_string_value(json_array_get(azs, i));
		struct acs_acme_resp *r = NULL, *cr = NULL;
		const json_t *chal;
		const char *st, *curl, *type = mc->challenge;
		const char *payload = "{}";

		if (url == NULL) {
			malformed(mc, "authorizations holds a non-string");
			goto out;
		}
		if (mc_fetch(mc, "authorization", url, &r) != 0)
			goto out;
		st = json_string_value(json_object_get(r->json, "status"));
		if (st == NULL) {
			acs_acme_resp_free(r);
			malformed(mc, "authorization without status");
			goto out;
		}
		/* 7.1.3: the status decides; a valid authorization needs no challenge */
		if (strcmp(st, "valid") == 0 && !mc->sw[SW_POST_CHALLENGE_ON_VALID]) {
			say("authorization %s already valid", url);
			acs_acme_resp_free(r);
			continue;
		}
		if (strcmp(st, "valid") != 0 && strcmp(st, "pending") != 0) {
			say("authorization %s is %s", url, st);
			acs_acme_resp_free(r);
			failed = 1;
			break;
		}
		if (json_is_true(json_object_get(r->json, "wildcard")) &&
		    strcmp(type, "dns-01") != 0) {
			say("a wildcard authorization needs dns-01 (--challenge dns-01)");
			acs_acme_resp_free(r);
			goto out;
		}
		chal = find_challenge(mc, r->json, type);
		if (chal == NULL) {
			say("authorization %s offers no %s challenge", url, type);
			acs_acme_resp_free(r);
			goto out;
		}
		curl = json_string_value(json_object_get(chal, "url"));
		if (curl == NULL) {
			malformed(mc, "%s challenge without \"url\"%s", type,
			          json_object_get(chal, "uri") != NULL
			              ? " (it has ACME v1's \"uri\")"
			              : "");
			acs_acme_resp_free(r);
			goto out;
		}
		if (!mc->sw[SW_RESPOND_BEFORE_PROVISION] &&
		    provision(mc, r->json, chal, type) != 0) {
			acs_acme_resp_free(r);
			goto out;
		}
		if (mc_post(mc, curl, payload, 0, &cr) != 0) {
			acs_acme_resp_free(r);
			goto out;
		}
		if (cr->http->status / 100 != 2) {
			fail_resp("challenge response", cr);
			acs_acme_resp_free(cr);
			acs_acme_resp_free(r);
			goto out;
		}
		acs_acme_resp_free(cr);
		if (mc->sw[SW_RESPOND_BEFORE_PROVISION] &&
		    provision(mc, r->json, chal, type) != 0) {
			acs_acme_resp_free(r);
			goto out;
		}
		acs_acme_resp_free(r);
		pending[npending] = strdup(url);
		if (pending[npending] == NULL)
			goto out;
		npending++;
	}
	for (i = 0; !failed && i < npending; i++) {
		json_t *az = NULL;
		const char *st;

		if (poll_authz(mc, pending[i], &az) != 0)
			goto out;
		st = json_string_value(json_object_get(az, "status"));
		if (strcmp(st, "valid") != 0) {
			say("authorization %s is %s", pending[i], st);
			show_challenge_error(az);
			failed = 1;
		} else {
			say("authorization %s valid", pending[i]);
		}
		json_decref(az);
	}
	deprovision(mc);
	if (failed && !mc->sw[SW_FINALIZE_AFTER_INVALID])
		goto out;
	rc = 0;
out:
	deprovision(mc);
	for (i = 0; pending != NULL && i < npending; i++)
		free(pending[i]);
	free(pending);
	json_decref(azs);
	return rc;
}

/* Poll the order while its status is in `waiting`; the order is kept in mc->order. */
static int poll_order(struct mc *mc, const char *const *waiting)
{
	for (;;) {
		struct acs_acme_resp *r = NULL;
		const char *st;
		long ms;

		if (mc_fetch(mc, "order", mc->order_url, &r) != 0)
			return -1;
		if (keep_order(mc, r->json) != 0) {
			acs_acme_resp_free(r);
			return -1;
		}
		st = json_string_value(json_object_get(r->json, "status"));
		if (!in_list(waiting, st)) {
			acs_acme_resp_free(r);
			return 0;
		}
		ms = wait_for(mc, r);
		acs_acme_resp_free(r);
		if (out_of_time(mc, ms)) {
			say("order still %s at the time limit", st);
			return -1;
		}
		sleep_ms(ms);
	}
}

static const char *order_status(const struct mc *mc)
{
	const char *st = json_string_value(json_object_get(mc->order, "status"));

	return st != NULL ? st : "?";
}

static int finalize(struct mc *mc)
{
	static const char *const before[] = {"pending", NULL};
	static const char *const during[] = {"processing", NULL};
	const char *furl;
	struct acs_ident ids[MC_MAX_NAMES];
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	unsigned char *der = NULL;
	size_t der_len = 0, n = mc->nnames, i;
	char *csr = NULL, *text = NULL;
	int rc = -1;

	acs_err_clear(&err);
	if (!mc->sw[SW_FINALIZE_AFTER_INVALID]) {
		if (poll_order(mc, before) != 0)
			goto out;
		if (strcmp(order_status(mc), "ready") != 0 &&
		    strcmp(order_status(mc), "valid") != 0) {
			say("order is %s, not ready", order_status(mc));
			goto out;
		}
	}
	if (strcmp(order_status(mc), "valid") == 0)
		goto issued; /* an order reused as already valid */
	/* borrowed from mc->order, which stays until the finalize request is sent */
	furl = json_string_value(json_object_get(mc->order, "finalize"));
	if (furl == NULL) {
		malformed(mc, "order without finalize");
		goto out;
	}
	if (mc->sw[SW_CSR_ACCOUNT_KEY]) {
		mc->cert_key = NULL;
	} else if (acs_key_generate(&mc->cert_key, ACS_KEY_EC256, &err) != 0) {
		say("cannot make the certificate key: %s", err.msg);
		goto out;
	}
	if (mc->sw[SW_CSR_MISSING_NAME] && n > 1)
		n--;
	for (i = 0; i < n; i++) {
		memset(&ids[i], 0, sizeof(ids[i]));
		snprintf(ids[i].type, sizeof(ids[i].type), "dns");
		snprintf(ids[i].value, sizeof(ids[i].value), "%s", mc->names[i]);
	}
	if (mc->sw[SW_CSR_MISSING_NAME] && mc->nnames == 1)
		snprintf(ids[0].value, sizeof(ids[0].value), "missing.%s", mc->names[0]);
	if (acs_csr_make(mc->cert_key != NULL ? mc->cert_key : mc->akey, ids, n, 1, &der, &der_len,
	                 &err) != 0) {
		say("cannot make the CSR: %s", err.msg);
		goto out;
	}
	if (mc->sw[SW_CSR_NOT_DER])
		csr = acs_b64url_encode((const unsigned char *)"acmespec: not a CSR", 19);
	else
		csr = acs_b64url_encode(der, der_len);
	if (csr == NULL)
		goto out;
	{
		json_t *p = json_pack("{s:s}", "csr", csr);

		text = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
		json_decref(p);
	}
	if (text == NULL || mc_post(mc, furl, text, 0, &r) != 0)
		goto out;
	if (r->http->status != 200 || !json_is_object(r->json)) {
		fail_resp("finalize", r);
		goto out;
	}
	if (keep_order(mc, r->json) != 0)
		goto out;
	if (poll_order(mc, during) != 0)
		goto out;
issued:
	if (strcmp(order_status(mc), "valid") != 0) {
		say("order is %s after finalize", order_status(mc));
		json_t *e = json_object_get(mc->order, "error");

		if (e != NULL && !hide_detail)
			say("order error: %s: %s", json_string_value(json_object_get(e, "type")),
			    json_string_value(json_object_get(e, "detail")));
		goto out;
	}
	rc = 0;
out:
	acs_acme_resp_free(r);
	free(der);
	free(csr);
	free(text);
	return rc;
}

/* 11.4: only CERTIFICATE blocks (MUST reject other blocks; SHOULD: nothing else either). */
static int check_chain(struct mc *mc, const struct acs_acme_resp *r, int *leaf_ok)
{
	const char *body = r->http->body, *p;
	struct acs_chain *chain = NULL;
	struct acs_err err;
	int rc = -1;

	acs_err_clear(&err);
	*leaf_ok = 0;
	if (!mc->sw[SW_ACCEPT_ANY_PEM]) {
		for (p = strstr(body, "-----BEGIN"); p != NULL; p = strstr(p + 1, "-----BEGIN")) {
			if (strncmp(p, "-----BEGIN CERTIFICATE-----", 27) != 0) {
				say("certificate chain holds \"%.40s\": rejecting it (RFC 8555 "
				    "section 11.4)",
				    p);
				return -1;
			}
		}
	}
	if (acs_chain_parse(body, r->http->body_len, &chain, &err) != 0) {
		say("certificate chain: %s", err.msg);
		return -1;
	}
	if (!chain->strict && !mc->sw[SW_ACCEPT_ANY_PEM]) {
		say("certificate chain is not only certificates (%s): rejecting it",
		    chain->problem);
		goto out;
	}
	if (chain->n > 0) {
		EVP_PKEY *pk = X509_get0_pubkey(chain->certs[0]);
		const struct acs_key *k = mc->cert_key != NULL ? mc->cert_key : mc->akey;

		*leaf_ok = pk != NULL && EVP_PKEY_eq(pk, acs_key_evp(k)) == 1;
	}
	rc = 0;
out:
	acs_chain_free(chain);
	return rc;
}

static int download(struct mc *mc)
{
	const char *curl = json_string_value(json_object_get(mc->order, "certificate"));
	struct acs_acme_resp *r = NULL;
	size_t i;
	int rc = -1, leaf_ok = 0;

	if (curl == NULL)
		return malformed(mc, "valid order without certificate URL");
	if (mc->sw[SW_GET_RESOURCES]) {
		if (mc_plain(mc, "GET", curl, &r) != 0)
			goto out;
	} else if (mc_post(mc, curl, NULL, 0, &r) != 0) {
		goto out;
	}
	if (r->http->status != 200) {
		fail_resp("certificate download", r);
		goto out;
	}
	if (check_chain(mc, r, &leaf_ok) != 0)
		goto out;
	if (!leaf_ok) {
		say("the certificate is not for the key of the CSR");
		goto out;
	}
	mc->cert_pem = strdup(r->http->body);
	if (mc->cert_pem == NULL)
		goto out;
	/* 7.4.2: alternates are fetched like the default chain, by POST-as-GET */
	for (i = 0; i < 4; i++) {
		char *alt = acs_http_link(r->http, "alternate", i);
		struct acs_acme_resp *ar = NULL;
		int ok;

		if (alt == NULL)
			break;
		ok = mc->sw[SW_FETCH_ALTERNATES_GET] ? mc_plain(mc, "GET", alt, &ar)
		                                     : mc_post(mc, alt, NULL, 0, &ar);
		if (ok == 0 && ar->http->status == 200 && check_chain(mc, ar, &leaf_ok) == 0 &&
		    leaf_ok)
			say("alternate chain %zu: %s", i + 1, alt);
		else if (ok == 0)
			say("alternate chain %zu: %s unusable (status %ld)", i + 1, alt,
			    ar->http->status);
		acs_acme_resp_free(ar);
		free(alt);
	}
	rc = 0;
out:
	acs_acme_resp_free(r);
	return rc;
}

static int revoke_cert(struct mc *mc)
{
	const char *url = acs_acme_dir_url(mc->s, "revokeCert");
	struct acs_chain *chain = NULL;
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	unsigned char *der = NULL;
	char *b64 = NULL, *text = NULL;
	json_t *p = NULL;
	int len, rc = -1;

	acs_err_clear(&err);
	if (url == NULL) {
		say("the directory has no revokeCert URL");
		return -1;
	}
	if (acs_chain_parse(mc->cert_pem, strlen(mc->cert_pem), &chain, &err) != 0 ||
	    chain->n == 0) {
		say("cannot read the certificate back: %s", err.msg);
		goto out;
	}
	len = i2d_X509(chain->certs[0], &der);
	if (len <= 0)
		goto out;
	b64 = acs_b64url_encode(der, (size_t)len);
	p = json_pack("{s:s, s:i}", "certificate", b64 != NULL ? b64 : "", "reason",
	              mc->sw[SW_REVOKE_BAD_REASON] ? 7 : 4);
	text = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
	if (text == NULL || mc_post(mc, url, text, 0, &r) != 0)
		goto out;
	if (r->http->status != 200) {
		fail_resp("revocation", r);
		goto out;
	}
	say("certificate revoked");
	rc = 0;
out:
	acs_acme_resp_free(r);
	acs_chain_free(chain);
	OPENSSL_free(der);
	free(b64);
	free(text);
	json_decref(p);
	return rc;
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	const char *const *mis = acs_mis_names();
	size_t i;

	fprintf(f, "usage: acmespec mock-client --directory URL --domain NAME [options]\n\n"
	           "A conformant ACME client made of the mock client engine: new account,\n"
	           "new order, challenges, finalize, download (and --revoke). --misbehave\n"
	           "breaks it on purpose: the negative controls of the client scenarios.\n"
	           "Exit 0: certificate obtained; 1: the flow failed; 2: usage; 3: set-up.\n"
	           "Under acmespec client, ACMESPEC_EAB_KID/ACMESPEC_EAB_HMAC, ACMESPEC_CONTACT,\n"
	           "ACMESPEC_KEY_CHANGE=1 and ACMESPEC_REVOKE=1 stand for --eab-kid/--eab-hmac,\n"
	           "--contact, --key-change and --revoke.\n\n"
	           "options:\n");
	for (i = 0; i < NOPTS; i++) {
		char left[64];

		(void)snprintf(left, sizeof(left), "--%s%s%s", opts[i].name,
		               opts[i].has_arg ? " " : "", opts[i].has_arg ? opts[i].metavar : "");
		fprintf(f, "  %-26s %s\n", left, opts[i].help);
	}
	fprintf(f, "\nclient-behaviour misbehaviours:\n");
	for (i = 0; i < SW_COUNT; i++)
		fprintf(f, "  %-26s %s\n", switches[i].name, switches[i].help);
	fprintf(f, "\nrequest misbehaviours (every signed request; docs/case-format.md):\n ");
	for (i = 0; mis[i] != NULL; i++)
		fprintf(f, "%s %s", (i % 5 == 0 && i > 0) ? "\n " : "", mis[i]);
	fprintf(f, "\n");
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int set_misbehaviour(struct mc *mc, const char *name)
{
	int m;
	size_t i;

	for (i = 0; i < SW_COUNT; i++) {
		if (strcmp(switches[i].name, name) == 0) {
			mc->sw[i] = 1;
			return 0;
		}
	}
	m = acs_mis_parse(name);
	if (m < 0)
		return -1;
	/* the inner-JWS misbehaviours belong to --key-change only */
	if ((ACS_MIS_BIT(m) & ACS_MIS_INNER_MASK) != 0)
		mc->inner_mis |= ACS_MIS_BIT(m);
	else
		mc->mis |= ACS_MIS_BIT(m);
	return 0;
}

static int parse_args(struct mc *mc, int argc, char **argv)
{
	struct option lopts[NOPTS + 1];
	size_t i;
	int c, idx;

	memset(lopts, 0, sizeof(lopts));
	for (i = 0; i < NOPTS; i++) {
		lopts[i].name = opts[i].name;
		lopts[i].has_arg = opts[i].has_arg ? required_argument : no_argument;
	}
	optind = 1;
	opterr = 0;
	for (;;) {
		const char *name, *arg;
		long v;

		idx = -1;
		c = getopt_long(argc, argv, "h", lopts, &idx);
		if (c == -1)
			break;
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c != 0 || idx < 0) {
			say("unknown option or missing argument near \"%s\"; see " PROG " --help",
			    argv[optind - 1 < argc ? optind - 1 : argc - 1]);
			return -1;
		}
		name = lopts[idx].name;
		arg = optarg;
		if (strcmp(name, "help") == 0) {
			usage(stdout);
			return 1;
		} else if (strcmp(name, "directory") == 0) {
			mc->directory = arg;
		} else if (strcmp(name, "ca-bundle") == 0) {
			mc->ca_bundle = arg;
		} else if (strcmp(name, "cert-out") == 0) {
			mc->cert_out = arg;
		} else if (strcmp(name, "bind") == 0) {
			mc->bind = arg;
		} else if (strcmp(name, "challenge") == 0) {
			if (strcmp(arg, "http-01") != 0 && strcmp(arg, "dns-01") != 0 &&
			    strcmp(arg, "tls-alpn-01") != 0) {
				say("--challenge: expected http-01, dns-01 or tls-alpn-01, got "
				    "\"%s\"",
				    arg);
				return -1;
			}
			mc->challenge = arg;
		} else if (strcmp(name, "contact") == 0) {
			if (mc->ncontacts >= sizeof(mc->contacts) / sizeof(mc->contacts[0])) {
				say("--contact: too many");
				return -1;
			}
			mc->contacts[mc->ncontacts++] = arg;
		} else if (strcmp(name, "dns-hook") == 0) {
			mc->dns_hook = arg;
		} else if (strcmp(name, "domain") == 0) {
			if (mc->nnames >= MC_MAX_NAMES || strlen(arg) == 0 || strlen(arg) > 250) {
				say("--domain: too many names, or a bad one");
				return -1;
			}
			mc->names[mc->nnames++] = arg;
		} else if (strcmp(name, "domains") == 0) {
			char *p;

			free(mc->domains_copy);
			mc->domains_copy = strdup(arg);
			if (mc->domains_copy == NULL)
				return -1;
			/* split at commas and spaces, in place */
			p = mc->domains_copy;
			while (*p != '\0') {
				size_t len = strcspn(p, ", ");

				if (len > 0) {
					if (mc->nnames >= MC_MAX_NAMES) {
						say("--domains: too many names");
						return -1;
					}
					mc->names[mc->nnames++] = p;
				}
				p += len;
				if (*p != '\0')
					*p++ = '\0';
			}
		} else if (strcmp(name, "webroot") == 0) {
			mc->webroot = arg;
		} else if (strcmp(name, "eab-kid") == 0) {
			mc->eab_kid = arg;
		} else if (strcmp(name, "eab-hmac") == 0) {
			mc->eab_hmac = arg;
		} else if (strcmp(name, "http01-port") == 0 ||
		           strcmp(name, "tlsalpn01-port") == 0) {
			if (parse_int(arg, 1, 65535, &v) != 0) {
				say("--%s: bad port \"%s\"", name, arg);
				return -1;
			}
			if (name[0] == 'h')
				mc->http01_port = (int)v;
			else
				mc->tlsalpn01_port = (int)v;
		} else if (strcmp(name, "misbehave") == 0) {
			if (set_misbehaviour(mc, arg) != 0) {
				say("--misbehave: unknown misbehaviour \"%s\"; see " PROG " --help",
				    arg);
				return -1;
			}
		} else if (strcmp(name, "no-agree-tos") == 0) {
			mc->agree_tos = 0;
		} else if (strcmp(name, "revoke") == 0) {
			mc->revoke = 1;
		} else if (strcmp(name, "key-change") == 0) {
			mc->key_change = 1;
		} else if (strcmp(name, "timeout") == 0) {
			if (parse_int(arg, 1, 3600, &v) != 0) {
				say("--timeout: expected 1 to 3600 seconds, got \"%s\"", arg);
				return -1;
			}
			mc->deadline = (double)v;
		} else if (strcmp(name, "verbose") == 0) {
			mc->verbose = 1;
		}
	}
	if (optind < argc) {
		say("unexpected argument \"%s\"", argv[optind]);
		return -1;
	}
	if (mc->directory == NULL || mc->nnames == 0) {
		say("--directory and --domain are required; see " PROG " --help");
		return -1;
	}
	if ((mc->eab_kid == NULL) != (mc->eab_hmac == NULL)) {
		say("--eab-kid and --eab-hmac go together");
		return -1;
	}
	return 0;
}

static int start(struct mc *mc)
{
	struct acs_acme_session_opts so;
	struct acs_responders_opts ro;
	struct acs_http_opts ho;
	struct acs_http *h = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	memset(&ro, 0, sizeof(ro));
	ro.bind_addr = mc->bind != NULL ? mc->bind : "127.0.0.1";
	ro.http01_port =
	    strcmp(mc->challenge, "http-01") == 0 && mc->webroot == NULL ? mc->http01_port : -1;
	ro.tlsalpn01_port = strcmp(mc->challenge, "tls-alpn-01") == 0 ? mc->tlsalpn01_port : -1;
	ro.dns_port = -1;
	ro.dns_a_answer = "127.0.0.1";
	if (acs_responders_start(&mc->resp, &ro, &err) != 0) {
		say("cannot start the %s responder: %s", mc->challenge, err.msg);
		return -1;
	}
	memset(&so, 0, sizeof(so));
	so.directory_url = mc->directory;
	so.ca_bundle = mc->ca_bundle;
	so.timeout_ms = 30000;
	so.wait_seconds = mc->deadline;
	so.responders = mc->resp;
	if (acs_acme_session_new(&mc->s, &so, &err) != 0) {
		say("%s", err.msg);
		return -1;
	}
	/* 6.1: a User-Agent naming the software, its version and the HTTP library */
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = mc->ca_bundle;
	ho.timeout_ms = 30000;
	ho.user_agent = "acmespec-mock-client/" ACMESPEC_VERSION " libcurl";
	if (acs_http_new(&h, &ho, &err) != 0) {
		say("%s", err.msg);
		return -1;
	}
	acs_http_free(mc->s->http);
	mc->s->http = h;
	acs_http_set_transcript(h, mc->s->transcript);
	return 0;
}

static int write_cert(struct mc *mc)
{
	FILE *f = stdout;

	if (mc->cert_out != NULL) {
		f = fopen(mc->cert_out, "w");
		if (f == NULL) {
			say("cannot write %s: %s", mc->cert_out, strerror(errno));
			return -1;
		}
	}
	fputs(mc->cert_pem, f);
	if (f != stdout) {
		if (fclose(f) != 0) {
			say("cannot write %s: %s", mc->cert_out, strerror(errno));
			return -1;
		}
		say("certificate chain written to %s", mc->cert_out);
	}
	return 0;
}

/*
 * What a scenario of `acmespec client` asks for reaches this client through
 * the environment too (docs/case-format.md, "What COMMAND gets"), so the
 * same command line serves every scenario: ACMESPEC_EAB_KID and
 * ACMESPEC_EAB_HMAC when no --eab-kid was given, ACMESPEC_CONTACT when no
 * --contact was, ACMESPEC_KEY_CHANGE=1 and ACMESPEC_REVOKE=1 as --key-change
 * and --revoke.
 */
static int env_defaults(struct mc *mc)
{
	const char *k = getenv("ACMESPEC_EAB_KID"), *h = getenv("ACMESPEC_EAB_HMAC");
	const char *kc = getenv("ACMESPEC_KEY_CHANGE"), *rv = getenv("ACMESPEC_REVOKE");
	const char *ct = getenv("ACMESPEC_CONTACT");

	if (mc->eab_kid == NULL && k != NULL && k[0] != '\0') {
		if (h == NULL || h[0] == '\0') {
			say("ACMESPEC_EAB_KID without ACMESPEC_EAB_HMAC");
			return -1;
		}
		mc->eab_kid = k;
		mc->eab_hmac = h;
	}
	if (mc->ncontacts == 0 && ct != NULL && ct[0] != '\0')
		mc->contacts[mc->ncontacts++] = ct;
	if (kc != NULL && strcmp(kc, "1") == 0)
		mc->key_change = 1;
	if (rv != NULL && strcmp(rv, "1") == 0)
		mc->revoke = 1;
	return 0;
}

int acs_cmd_mock_client(int argc, char **argv)
{
	struct mc mc;
	int rc, prc;

	memset(&mc, 0, sizeof(mc));
	mc.challenge = "http-01";
	mc.http01_port = 80;
	mc.tlsalpn01_port = 443;
	mc.agree_tos = 1;
	mc.deadline = 60;
	prc = parse_args(&mc, argc, argv);
	if (prc == 0)
		prc = env_defaults(&mc);
	if (prc != 0) {
		free(mc.domains_copy);
		return prc > 0 ? 0 : 2;
	}
	hide_detail = mc.sw[SW_HIDE_DETAIL];
	if (mc.sw[SW_NO_ACCEPT_LANGUAGE])
		plain_headers[0] = NULL;
	mc.deadline += now_s();
	signal(SIGPIPE, SIG_IGN);
	if (acs_http_global_init() != 0) {
		say("cannot initialise libcurl");
		return 3;
	}
	rc = 3;
	if (start(&mc) != 0)
		goto out;
	rc = 1;
	if (directory(&mc) != 0 || new_account(&mc) != 0 ||
	    (mc.key_change && key_change(&mc) != 0) || new_order(&mc) != 0 || authorize(&mc) != 0 ||
	    finalize(&mc) != 0 || download(&mc) != 0 || write_cert(&mc) != 0)
		goto out;
	if (mc.revoke && revoke_cert(&mc) != 0)
		goto out;
	rc = 0;
out:
	if (mc.verbose && mc.s != NULL) {
		char *t = acs_transcript_render(mc.s->transcript, 0);

		if (t != NULL)
			fputs(t, stderr);
		free(t);
	}
	deprovision(&mc);
	acs_acme_session_free(mc.s);
	acs_responders_stop(mc.resp);
	acs_key_free(mc.akey);
	acs_key_free(mc.cert_key);
	free(mc.kid);
	free(mc.order_url);
	json_decref(mc.order);
	json_decref(mc.order_ids);
	json_decref(mc.order_authz);
	free(mc.cert_pem);
	free(mc.domains_copy);
	acs_http_global_cleanup();
	return rc;
}
