/*
 * Client-scenario predicates of issue 7 (docs/case-format.md "Predicates"):
 * dns-persist-01 challenges a client must refuse, the withdrawn tls-sni
 * challenges, the nonce of a retry after 429/503 (acmephp's bug) and a
 * finalize sent before the order was ready (a 202 taken for a validation),
 * the chain of a preferred root and ACME v1's 409 for an existing account.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "mockserver/scenario_int.h"

/* A POST that answers a challenge (a JSON object payload, not POST-as-GET). */
static int answers_challenge(const json_t *e)
{
	return acs_log_is_method(e, "POST") && acs_log_is_ep(e, "challenge") &&
	       json_is_object(acs_log_payload(e));
}

/* draft-ietf-acme-dns-persist 3.1: a malformed challenge is rejected, never answered. */
static void p_no_challenge_answered(struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (answers_challenge(e)) {
			acs_judge_fail(
			    j,
			    "no-challenge-answered: #%lld answered %s challenge %s, which "
			    "the client had to reject as malformed",
			    acs_log_seq(e),
			    acs_jstr(e, "challenge_type") ? acs_jstr(e, "challenge_type") : "a",
			    acs_log_short_url(acs_jstr(e, "url")));
			return;
		}
	}
}

/* RFC 8555 keeps http-01 and dns-01 only; tls-sni-01/02 were withdrawn (draft -10). */
static void p_no_tls_sni_answered(struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *t = acs_jstr(e, "challenge_type");

		if (answers_challenge(e) && t != NULL && strncmp(t, "tls-sni-", 8) == 0) {
			acs_judge_fail(j,
			               "no-tls-sni-answered: #%lld answered the withdrawn %s "
			               "challenge %s",
			               acs_log_seq(e), t, acs_log_short_url(acs_jstr(e, "url")));
			return;
		}
	}
}

/*
 * RFC 8555 6.5: every nonce is used once; the refused request consumed its
 * own. After a 429 or 503 no later request may carry the refused one's
 * nonce again. Fails when the CA never answered 429 or 503.
 */
static void p_retried_fresh_nonce(struct acs_judgement *j)
{
	size_t i, k, n = json_array_size(j->log), seen = 0;

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i);
		long long st = (long long)json_integer_value(json_object_get(e, "status"));
		const char *used = acs_jstr(acs_log_prot(e), "nonce");

		if ((st != 429 && st != 503) || !acs_log_is_method(e, "POST"))
			continue;
		seen++;
		for (k = i + 1; used != NULL && k < n; k++) {
			const json_t *f = json_array_get(j->log, k);
			const char *again = acs_jstr(acs_log_prot(f), "nonce");

			if (again != NULL && strcmp(again, used) == 0) {
				acs_judge_fail(
				    j,
				    "retried-fresh-nonce: #%lld sent again the nonce \"%s\" "
				    "of #%lld, which the CA had answered %lld: a retry needs "
				    "a fresh nonce (6.5)",
				    acs_log_seq(f), used, acs_log_seq(e), st);
				return;
			}
		}
	}
	if (seen == 0)
		acs_judge_fail(j, "retried-fresh-nonce: the CA never answered 429 or 503: the "
		                  "scenario's fault was not reached");
}

/* A finalize refused as orderNotReady: the client did not wait for its authorizations. */
static void p_no_finalize_before_ready(struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *pb = acs_jstr(e, "problem");

		if (acs_log_is_method(e, "POST") && acs_log_is_ep(e, "finalize") && pb != NULL &&
		    strcmp(pb, "orderNotReady") == 0) {
			acs_judge_fail(
			    j,
			    "no-finalize-before-ready: #%lld finalized an order that was "
			    "not ready (its authorizations were not valid yet)",
			    acs_log_seq(e));
			return;
		}
	}
}

/*
 * RFC 8555 7.4.2 (issue 7 item 7): a client configured for the chain of a
 * named root ({preferred_chain}) stores that chain, whichever the CA
 * offers first. Judged on the files under {workdir} that hold an issued
 * leaf with its chain: every one leads to the preferred root.
 */
/* The log number of the last download of an alternate chain (the CA's /alt URL), or -1. */
static long long alternate_fetched(const json_t *log)
{
	long long seq = -1;
	size_t i;

	for (i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);
		const char *u = acs_jstr(e, "url");
		size_t n = u != NULL ? strlen(u) : 0;

		if (acs_log_is_ep(e, "certificate") && n > 4 && strcmp(u + n - 4, "/alt") == 0 &&
		    json_integer_value(json_object_get(e, "status")) == 200)
			seq = acs_log_seq(e);
	}
	return seq;
}

static void p_preferred_chain_stored(struct acs_judgement *j)
{
	const char *want = j->s->preferred_chain;
	const json_t *got = j->f->stored_chains;
	size_t i;

	if (want == NULL || got == NULL) {
		acs_judge_fail(j, "preferred-chain-stored: %s",
		               want == NULL ? "the scenario names no preferred_chain"
		                            : "the stored files were not looked at");
		return;
	}
	if (json_array_size(got) == 0)
		acs_judge_fail(j,
		               "preferred-chain-stored: no file under {workdir} holds the issued "
		               "certificate with a chain");
	for (i = 0; i < json_array_size(got); i++) {
		const char *top = json_string_value(json_array_get(got, i));

		if (top == NULL || strcmp(top, want) != 0) {
			long long alt = alternate_fetched(j->log);
			char how[64] = "it never downloaded the alternate chain";

			if (alt >= 0)
				(void)snprintf(how, sizeof(how),
				               "it downloaded the alternate chain in #%lld", alt);
			acs_judge_fail(j,
			               "preferred-chain-stored: the client stored the chain to "
			               "\"%s\", not the alternate one to the root it was told to "
			               "prefer, \"%s\" (%s)",
			               top != NULL && top[0] != '\0' ? top : "(no name)", want,
			               how);
			return;
		}
	}
}

/*
 * RFC 8555 7.3.1 (issue 7 item 9): an existing key's account is answered
 * 200 with its Location; ACME v1's 409 Conflict is an error response
 * (6.7), not an account. After a newAccount answered 409, no POST but
 * newAccount may come (signed with a kid from the 409's Location, or
 * going on without an account) until a newAccount is answered 200 or 201.
 */
static void p_account_409_not_taken(struct acs_judgement *j)
{
	size_t i, n = json_array_size(j->log);
	long long conflict = -1;
	int ok = 0;

	for (i = 0; i < n && !ok; i++) {
		const json_t *e = json_array_get(j->log, i);
		long long st = (long long)json_integer_value(json_object_get(e, "status"));
		const char *kid = acs_jstr(acs_log_prot(e), "kid");

		if (!acs_log_is_method(e, "POST"))
			continue;
		if (acs_log_is_ep(e, "new-account")) {
			if (st == 409 && conflict < 0)
				conflict = acs_log_seq(e);
			else if (conflict >= 0 && (st == 200 || st == 201))
				ok = 1;
		} else if (conflict >= 0) {
			acs_judge_fail(j,
			               "account-409-not-taken: #%lld POST %s came while the only "
			               "newAccount answer (#%lld) was ACME v1's 409 Conflict, an "
			               "error: the client took it for its account%s%s (RFC 8555 "
			               "7.3.1 answers an existing key 200)",
			               acs_log_seq(e), acs_log_short_url(acs_jstr(e, "url")),
			               conflict, kid != NULL ? ", signing as " : "",
			               kid != NULL ? acs_log_short_url(kid) : "");
			return;
		}
	}
	if (conflict < 0)
		acs_judge_fail(j, "account-409-not-taken: the CA never answered newAccount 409: "
		                  "the scenario's fault was not reached");
}

int acs_judge_predicate_i7(struct acs_judgement *j, const char *name)
{
	if (strcmp(name, "no-challenge-answered") == 0)
		p_no_challenge_answered(j);
	else if (strcmp(name, "no-tls-sni-answered") == 0)
		p_no_tls_sni_answered(j);
	else if (strcmp(name, "retried-fresh-nonce") == 0)
		p_retried_fresh_nonce(j);
	else if (strcmp(name, "no-finalize-before-ready") == 0)
		p_no_finalize_before_ready(j);
	else if (strcmp(name, "preferred-chain-stored") == 0)
		p_preferred_chain_stored(j);
	else if (strcmp(name, "account-409-not-taken") == 0)
		p_account_409_not_taken(j);
	else
		return 0;
	return 1;
}
