/*
 * The predicates of client scenarios ("expect.assert", docs/case-format.md
 * "Client scenarios"): each reads the scenario's request log (and, for the
 * deprovisioning ones, the facts the front end gathered) and records a
 * failure with its evidence, or nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mockserver/scenario_int.h"

static int has_misbehave(const struct acs_judgement *j, const char *name)
{
	size_t i, nl = strlen(name);

	for (i = 0; i < json_array_size(j->s->misbehave); i++) {
		const char *m = json_string_value(json_array_get(j->s->misbehave, i));

		if (strncmp(m, name, nl) == 0 && (m[nl] == '\0' || m[nl] == '='))
			return 1;
	}
	return 0;
}

/*
 * Retry-After the CA gave on e, in seconds, or -1: the log's "retry_after"
 * (the mock CA records every Retry-After it gives, req.c); a 429 or 503
 * without one counts as the 1 s of the mock CA's rate-limited and
 * unavailable faults. Pending and processing objects are not guessed: the
 * mock CA records what it gives on them (req.h, acs_mca_poll_retry_after).
 */
static double retry_after_of(const json_t *e)
{
	json_t *ra = json_object_get(e, "retry_after");
	long long st = (long long)json_integer_value(json_object_get(e, "status"));

	if (json_is_number(ra))
		return json_number_value(ra);
	if (json_is_string(ra))
		return atof(json_string_value(ra));
	if (st == 429 || st == 503)
		return 1.0; /* the mock CA's rate-limited and unavailable faults send 1 */
	return -1;
}

static void p_retried_bad_nonce(struct acs_judgement *j)
{
	size_t i, k, n = json_array_size(j->log), seen = 0;

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i), *next = NULL;
		const char *want = acs_jstr(e, "reply_nonce");
		const char *got;

		if (acs_jstr(e, "problem") == NULL ||
		    strcmp(acs_jstr(e, "problem"), "badNonce") != 0)
			continue;
		seen++;
		for (k = i + 1; k < n && next == NULL; k++) {
			const json_t *f = json_array_get(j->log, k);

			if (acs_log_is_method(f, "POST") && acs_jstr(f, "url") &&
			    acs_jstr(e, "url") &&
			    strcmp(acs_jstr(f, "url"), acs_jstr(e, "url")) == 0)
				next = f;
		}
		if (next == NULL) {
			acs_judge_fail(
			    j,
			    "retried-bad-nonce: after badNonce on %s (#%lld) the client did not "
			    "send the request again (C027)",
			    acs_log_short_url(acs_jstr(e, "url")), acs_log_seq(e));
			continue;
		}
		got = acs_jstr(acs_log_prot(next), "nonce");
		if (want != NULL && (got == NULL || strcmp(got, want) != 0))
			acs_judge_fail(
			    j,
			    "retried-bad-nonce: the retry #%lld carried nonce \"%s\", not the one "
			    "from the badNonce response #%lld (\"%s\") (C028)",
			    acs_log_seq(next), got ? got : "(none)", acs_log_seq(e), want);
		else if (want == NULL && (acs_log_fired(next, "client.8555.6_5.nonce-fresh") ||
		                          acs_log_fired(next, "client.8555.6_5.nonce-present")))
			acs_judge_fail(
			    j,
			    "retried-bad-nonce: the retry #%lld carried a nonce the CA had not "
			    "issued or had already seen (C028)",
			    acs_log_seq(next));
	}
	if (seen == 0)
		acs_judge_fail(
		    j, "retried-bad-nonce: the CA never answered badNonce: the scenario's fault "
		       "was not reached");
}

/*
 * C029: an invalid Replay-Nonce ("a+b/=") is ignored. Sending it back fails,
 * and so does the next signed request after such a response carrying a
 * nonce the CA never issued: a client that "repairs" the value (certbot
 * re-encodes a+b/= as a-b_) has not ignored it either.
 */
static void p_ignored_invalid_nonce(struct acs_judgement *j)
{
	size_t i, k, n = json_array_size(j->log);

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *nonce = acs_jstr(acs_log_prot(e), "nonce");

		if ((nonce != NULL && strcmp(nonce, "a+b/=") == 0) ||
		    acs_log_fired(e, "client.8555.6_5_2.nonce-b64url")) {
			acs_judge_fail(
			    j,
			    "ignored-invalid-nonce: request #%lld used the invalid nonce \"%s\" "
			    "(C029)",
			    acs_log_seq(e), nonce ? nonce : "?");
			return;
		}
	}
	for (k = 1; k < n; k++) {
		const json_t *f = json_array_get(j->log, k), *e = NULL;
		const json_t *ck = json_object_get(f, "checks");
		const char *nonce = acs_jstr(acs_log_prot(f), "nonce"), *mb;
		size_t m;

		if (nonce == NULL)
			continue;
		for (m = 0; m < json_array_size(ck); m++) {
			const json_t *x = json_array_get(ck, m);
			const char *id = acs_jstr(x, "id"), *msg = acs_jstr(x, "message");

			if (id != NULL && strcmp(id, "client.8555.6_5.nonce-fresh") == 0 &&
			    msg != NULL && strstr(msg, "never issued") != NULL)
				break;
		}
		if (m == json_array_size(ck))
			continue;
		/* the response just before it (validations aside) */
		for (i = k; i-- > 0 && e == NULL;)
			if (!acs_log_is_method(json_array_get(j->log, i), "VALIDATE"))
				e = json_array_get(j->log, i);
		mb = e != NULL ? acs_jstr(e, "misbehaviour") : NULL;
		if (mb == NULL || strcmp(mb, "replay-nonce-invalid") != 0)
			continue;
		acs_judge_fail(
		    j,
		    "ignored-invalid-nonce: right after #%lld gave the invalid Replay-Nonce "
		    "\"a+b/=\", request #%lld sent the nonce \"%s\", which the CA never issued "
		    "(the invalid value altered, not ignored) (C029)",
		    acs_log_seq(e), acs_log_seq(f), nonce);
		return;
	}
}

static void p_honoured_retry_after(struct acs_judgement *j)
{
	size_t i, k, n = json_array_size(j->log), seen = 0;

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i);
		double ra = acs_log_is_method(e, "VALIDATE") ? -1 : retry_after_of(e);

		if (ra < 0)
			continue;
		seen++;
		for (k = i + 1; k < n; k++) {
			const json_t *f = json_array_get(j->log, k);

			if (acs_log_is_method(f, "VALIDATE") || acs_jstr(f, "url") == NULL)
				continue;
			/* a request that changed the state of something else in between
			   (answering a challenge, finalizing) makes a fresh fetch legitimate;
			   a repeat of the same request (a retried newOrder) is what
			   Retry-After governs, so the URL is compared first */
			if (strcmp(acs_jstr(f, "url"),
			           acs_jstr(e, "url") ? acs_jstr(e, "url") : "") != 0) {
				if (acs_log_is_method(f, "POST") &&
				    json_is_object(acs_log_payload(f)))
					break;
				continue;
			}
			if (acs_log_time(f) < acs_log_time(e) + ra - 0.2)
				acs_judge_fail(
				    j,
				    "honoured-retry-after: #%lld came %.2f s after #%lld, "
				    "which said Retry-After: %g",
				    acs_log_seq(f), acs_log_time(f) - acs_log_time(e),
				    acs_log_seq(e), ra);
			break;
		}
	}
	if (seen == 0)
		acs_judge_fail(
		    j, "honoured-retry-after: the CA gave no Retry-After: the scenario's fault "
		       "was not reached");
}

static void p_no_tight_poll(struct acs_judgement *j)
{
	size_t i, k, n = json_array_size(j->log);

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *u = acs_jstr(e, "url");
		size_t count = 0;

		if (u == NULL || acs_log_is_method(e, "VALIDATE") ||
		    acs_log_is_ep(e, "new-nonce") || acs_log_is_ep(e, "directory"))
			continue;
		for (k = i; k < n; k++) {
			const json_t *f = json_array_get(j->log, k);

			if (acs_log_time(f) > acs_log_time(e) + 1.0)
				break;
			if (acs_jstr(f, "url") != NULL && strcmp(acs_jstr(f, "url"), u) == 0)
				count++;
		}
		if (count > 5) {
			acs_judge_fail(j, "no-tight-poll: %zu requests to %s within 1 s from #%lld",
			               count, acs_log_short_url(u), acs_log_seq(e));
			return;
		}
	}
}

static void p_no_challenge_post_on_valid(struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (acs_log_is_method(e, "POST") && acs_log_is_ep(e, "challenge") &&
		    json_is_object(acs_log_payload(e))) {
			acs_judge_fail(
			    j,
			    "no-challenge-post-on-valid: #%lld answered challenge %s of an "
			    "authorization that was already valid (C033)",
			    acs_log_seq(e), acs_log_short_url(acs_jstr(e, "url")));
			return;
		}
	}
}

static void p_no_finalize_after_invalid(struct acs_judgement *j)
{
	size_t i;
	long long bad = -1;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		/* challenge-invalid turns even a successful validation invalid */
		if (acs_log_is_method(e, "VALIDATE") && acs_jstr(e, "result") != NULL &&
		    (strcmp(acs_jstr(e, "result"), "invalid") == 0 ||
		     has_misbehave(j, "challenge-invalid")) &&
		    bad < 0)
			bad = acs_log_seq(e);
		if (bad >= 0 && acs_log_is_method(e, "POST") && acs_log_is_ep(e, "finalize")) {
			acs_judge_fail(
			    j,
			    "no-finalize-after-invalid: #%lld finalized after validation #%lld "
			    "failed",
			    acs_log_seq(e), bad);
			return;
		}
	}
	if (bad < 0)
		acs_judge_fail(
		    j, "no-finalize-after-invalid: no validation failed: the scenario's fault was "
		       "not reached");
}

static void p_only_get_directory(struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (!acs_log_is_ep(e, "directory") ||
		    !(acs_log_is_method(e, "GET") || acs_log_is_method(e, "HEAD"))) {
			acs_judge_fail(j, "only-get-directory: #%lld %s %s after a v1 directory",
			               acs_log_seq(e),
			               acs_jstr(e, "method") ? acs_jstr(e, "method") : "?",
			               acs_log_short_url(acs_jstr(e, "url")));
			return;
		}
	}
}

static void p_post_as_get_used(struct acs_judgement *j)
{
	static const char *const eps[] = {"account",   "orders",      "order", "authz",
	                                  "challenge", "certificate", NULL};
	size_t i, k;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const json_t *pl = acs_log_payload(e);
		int res = 0;

		for (k = 0; eps[k] != NULL; k++)
			res |= acs_log_is_ep(e, eps[k]);
		if (!res)
			continue;
		if (acs_log_is_method(e, "GET") || acs_log_is_method(e, "HEAD")) {
			acs_judge_fail(j,
			               "post-as-get-used: #%lld fetched %s with a plain %s (C020)",
			               acs_log_seq(e), acs_log_short_url(acs_jstr(e, "url")),
			               acs_jstr(e, "method"));
			return;
		}
		/* orders, authorizations and certificates are only ever fetched (deactivation
		 * aside) */
		if (acs_log_is_method(e, "POST") &&
		    (acs_log_is_ep(e, "order") || acs_log_is_ep(e, "orders") ||
		     acs_log_is_ep(e, "certificate") || acs_log_is_ep(e, "authz"))) {
			int deact = json_is_object(pl) && json_object_size(pl) == 1 &&
			            json_object_get(pl, "status") != NULL;

			if (pl != NULL && !(json_is_string(pl) && json_string_length(pl) == 0) &&
			    !deact) {
				acs_judge_fail(
				    j,
				    "post-as-get-used: #%lld POST-as-GET of %s with a non-empty "
				    "payload (C021)",
				    acs_log_seq(e), acs_log_short_url(acs_jstr(e, "url")));
				return;
			}
		}
	}
}

static void p_deprovisioned_http01(struct acs_judgement *j)
{
	size_t i, seen = 0;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *tok = acs_jstr(e, "token"), *id = acs_jstr(e, "identifier");

		if (!acs_log_is_method(e, "VALIDATE") || !acs_log_is_ep(e, "http-01") ||
		    tok == NULL || id == NULL || acs_jstr(e, "result") == NULL ||
		    strcmp(acs_jstr(e, "result"), "valid") != 0)
			continue;
		seen++;
		if (j->f->http01_served != NULL && j->f->http01_served(j->f->http01_ctx, id, tok))
			acs_judge_fail(
			    j,
			    "deprovisioned-http01: after the client exited, the key authorization "
			    "for %s is still served at /.well-known/acme-challenge/%s (C057)",
			    id, tok);
	}
	if (seen == 0)
		acs_judge_fail(j, "deprovisioned-http01: no http-01 validation succeeded");
}

static void p_deprovisioned_dns01(struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < j->f->ntxt; i++) {
		const struct acs_scenario_txt *t = &j->f->txt[i];

		if (!t->cleared) {
			acs_judge_fail(j,
			               "deprovisioned-dns01: the TXT record %s \"%s\" was never "
			               "cleared (C059)",
			               t->name, t->value);
			break;
		}
	}
	if (j->f->ntxt == 0)
		acs_judge_fail(
		    j, "deprovisioned-dns01: the client set no TXT record through {dns_hook}");
}

static void p_account_reused(struct acs_judgement *j)
{
	const char *kid0 = NULL;
	char *jwk0 = NULL;
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *kid = acs_jstr(acs_log_prot(e), "kid");
		const json_t *jwk = json_object_get(acs_log_prot(e), "jwk");

		if (kid != NULL && acs_log_is_ep(e, "key-change") == 0) {
			if (kid0 == NULL)
				kid0 = kid;
			else if (strcmp(kid0, kid) != 0) {
				acs_judge_fail(
				    j, "account-reused: #%lld signed as %s, earlier requests as %s",
				    acs_log_seq(e), kid, kid0);
				break;
			}
		}
		if (jwk != NULL && acs_log_is_ep(e, "new-account")) {
			char *s = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);

			if (jwk0 == NULL) {
				jwk0 = s;
			} else {
				int same = s != NULL && strcmp(s, jwk0) == 0;

				free(s);
				if (!same) {
					acs_judge_fail(
					    j,
					    "account-reused: #%lld created an account with a new "
					    "key",
					    acs_log_seq(e));
					break;
				}
			}
		}
	}
	free(jwk0);
}

static void p_simple(struct acs_judgement *j, const char *name)
{
	size_t i;
	int fin = 0, dl = 0, rv = 0, kc = 0;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (strcmp(name, "csr-fresh-key") == 0 &&
		    acs_log_fired(e, "client.8555.11_1.csr-key-not-account-key")) {
			acs_judge_fail(
			    j, "csr-fresh-key: #%lld sent a CSR with an account's key (C061)",
			    acs_log_seq(e));
			return;
		}
		fin |= acs_log_is_method(e, "POST") && acs_log_is_ep(e, "finalize");
		dl |= acs_log_post_ok(e, "certificate");
		rv |= acs_log_post_ok(e, "revoke-cert");
		kc |= acs_log_post_ok(e, "key-change");
	}
	if (strcmp(name, "revoked") == 0 && !rv)
		acs_judge_fail(j, "revoked: the CA never accepted a revocation from the client");
	if (strcmp(name, "key-changed") == 0 && !kc)
		acs_judge_fail(j,
		               "key-changed: the CA never accepted a key change from the client");
	if (strcmp(name, "finalized") == 0 && !fin)
		acs_judge_fail(j, "finalized: the client never sent a finalize request");
	if (strcmp(name, "downloaded-certificate") == 0 && !dl)
		acs_judge_fail(j,
		               "downloaded-certificate: the client never downloaded a certificate");
}

/* requested-profile: every newOrder asked for the scenario's profile (draft-ietf-acme-profiles 4).
 */
static void p_requested_profile(struct acs_judgement *j)
{
	const char *want = j->s->profile;
	size_t i, n = 0;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *got;

		if (!acs_log_is_method(e, "POST") || !acs_log_is_ep(e, "new-order"))
			continue;
		n++;
		got = acs_jstr(acs_log_payload(e), "profile");
		if (want == NULL || got == NULL || strcmp(got, want) != 0) {
			acs_judge_fail(j,
			               "requested-profile: #%lld asked for %s%s%s, the client was "
			               "configured for \"%s\"",
			               acs_log_seq(e), got != NULL ? "profile \"" : "no profile",
			               got != NULL ? got : "", got != NULL ? "\"" : "",
			               want != NULL ? want
			                            : "(none: the scenario sets no profile)");
			return;
		}
	}
	if (n == 0)
		acs_judge_fail(j, "requested-profile: the client sent no newOrder");
}

void acs_judge_predicate(struct acs_judgement *j, const char *name)
{
	if (strcmp(name, "retried-bad-nonce") == 0)
		p_retried_bad_nonce(j);
	else if (strcmp(name, "ignored-invalid-nonce") == 0)
		p_ignored_invalid_nonce(j);
	else if (strcmp(name, "honoured-retry-after") == 0)
		p_honoured_retry_after(j);
	else if (strcmp(name, "no-tight-poll") == 0)
		p_no_tight_poll(j);
	else if (strcmp(name, "no-challenge-post-on-valid") == 0)
		p_no_challenge_post_on_valid(j);
	else if (strcmp(name, "no-finalize-after-invalid") == 0)
		p_no_finalize_after_invalid(j);
	else if (strcmp(name, "only-get-directory") == 0)
		p_only_get_directory(j);
	else if (strcmp(name, "post-as-get-used") == 0)
		p_post_as_get_used(j);
	else if (strcmp(name, "deprovisioned-http01") == 0)
		p_deprovisioned_http01(j);
	else if (strcmp(name, "deprovisioned-dns01") == 0)
		p_deprovisioned_dns01(j);
	else if (strcmp(name, "account-reused") == 0)
		p_account_reused(j);
	else if (acs_judge_predicate_ari(j, name))
		return;
	else if (strcmp(name, "requested-profile") == 0)
		p_requested_profile(j);
	else if (acs_judge_predicate_i7(j, name))
		; /* issue 7's own, in predicates_i7.c */
	else if (acs_judge_predicate_timing(j, name))
		; /* daemons' timing, in predicates_timing.c */
	else if (acs_judge_predicate_hostile(j, name))
		; /* issue 11's hostile servers, in predicates_hostile.c */
	else
		p_simple(j, name);
}
