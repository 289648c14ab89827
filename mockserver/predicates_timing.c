/*
 * The timing predicates of long-running clients (docs/daemons.md, "Timing
 * scenarios"): judged from the times of the mock CA's request log. A
 * daemon waits as long as Retry-After says and not much longer, backs off
 * after repeated failures, asks for a certificate's RenewalInfo soon after
 * it got the certificate, and renews inside the suggested window.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness/ari.h"
#include "mockserver/scenario_int.h"

#define SLACK        0.2 /* clock and scheduling slack under a Retry-After */
#define TIGHT_WINDOW 4.0 /* backed-off: at most TIGHT_MAX attempts in this many seconds */
#define TIGHT_MAX    3
#define ARI_SOON     5.0 /* ari-after-issuance: seconds after the download */
#define WINDOW_SLACK 1.0 /* window ends are whole seconds */

/* Retry-After the log records on e (seconds), or -1. */
static double logged_retry_after(const json_t *e)
{
	const json_t *ra = json_object_get(e, "retry_after");

	if (json_is_number(ra))
		return json_number_value(ra);
	if (json_is_string(ra))
		return atof(json_string_value(ra));
	return -1;
}

/*
 * retry-after-timely: after a 429 or 503 with Retry-After: N, the same
 * request comes again no sooner than N s and no later than N + max(3, N) s.
 */
static void p_retry_after_timely(struct acs_judgement *j)
{
	size_t i, k, n = json_array_size(j->log), seen = 0;

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i), *next = NULL;
		long long st = (long long)json_integer_value(json_object_get(e, "status"));
		double ra = logged_retry_after(e), gap, most;
		const char *u = acs_jstr(e, "url");

		if ((st != 429 && st != 503) || ra < 0 || u == NULL)
			continue;
		seen++;
		most = ra + (ra > 3 ? ra : 3);
		for (k = i + 1; k < n && next == NULL; k++) {
			const json_t *f = json_array_get(j->log, k);

			if (acs_jstr(f, "url") != NULL && strcmp(acs_jstr(f, "url"), u) == 0)
				next = f;
		}
		if (next == NULL) {
			acs_judge_fail(
			    j,
			    "retry-after-timely: #%lld said Retry-After: %g and the client "
			    "did not send %s again while the scenario watched (%g s would "
			    "have been enough)",
			    acs_log_seq(e), ra, acs_log_short_url(u), ra);
			return;
		}
		gap = acs_log_time(next) - acs_log_time(e);
		if (gap < ra - SLACK)
			acs_judge_fail(
			    j,
			    "retry-after-timely: #%lld came %.2f s after #%lld, which said "
			    "Retry-After: %g",
			    acs_log_seq(next), gap, acs_log_seq(e), ra);
		else if (gap > most)
			acs_judge_fail(
			    j,
			    "retry-after-timely: #%lld came %.1f s after #%lld, which said "
			    "Retry-After: %g (more than %g s: longer than needed)",
			    acs_log_seq(next), gap, acs_log_seq(e), ra, most);
	}
	if (seen == 0)
		acs_judge_fail(j, "retry-after-timely: the CA gave no Retry-After on a 429 or 503: "
		                  "the scenario's fault was not reached");
}

/*
 * backed-off: the client's attempts (its newOrder requests) come at most
 * TIGHT_MAX in any TIGHT_WINDOW seconds, and with four or more the last
 * pause is at least half again as long as the first.
 */
static void p_backed_off(struct acs_judgement *j)
{
	double t[64];
	size_t i, k, n = 0;

	for (i = 0; i < json_array_size(j->log) && n < 64; i++) {
		const json_t *e = json_array_get(j->log, i);

		if (acs_log_is_method(e, "POST") && acs_log_is_ep(e, "new-order"))
			t[n++] = acs_log_time(e);
	}
	if (n == 0) {
		acs_judge_fail(j, "backed-off: the client never ordered: the scenario's failure "
		                  "was not reached");
		return;
	}
	for (i = 0; i + TIGHT_MAX < n; i++) {
		k = i + TIGHT_MAX;
		if (t[k] - t[i] < TIGHT_WINDOW) {
			acs_judge_fail(
			    j,
			    "backed-off: %d orders within %.1f s (attempts %zu to %zu of "
			    "%zu): a tight retry loop",
			    TIGHT_MAX + 1, t[k] - t[i], i + 1, k + 1, n);
			return;
		}
	}
	if (n >= 4 && t[n - 1] - t[n - 2] < 1.5 * (t[1] - t[0]))
		acs_judge_fail(j,
		               "backed-off: %zu attempts, the last pause %.1f s no longer than the "
		               "first %.1f s: no back-off",
		               n, t[n - 1] - t[n - 2], t[1] - t[0]);
}

/* The log time of the first download of a certificate, or 0. */
static double first_download(const struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++)
		if (acs_log_post_ok(json_array_get(j->log, i), "certificate"))
			return acs_log_time(json_array_get(j->log, i));
	return 0;
}

/*
 * ari-after-issuance (RFC 9773 section 4.3): a GET of the renewalInfo of
 * the first certificate, by its right certID, within ARI_SOON s of the
 * download.
 */
static void p_ari_after_issuance(struct acs_judgement *j)
{
	const char *pem = json_string_value(json_array_get(j->f->issued, 0));
	double got = first_download(j);
	char want[ACS_ARI_CERTID_MAX];
	struct acs_err err;
	size_t i;

	if (pem == NULL || got == 0 || acs_ari_certid_pem(pem, 0, want, sizeof(want), &err) != 0) {
		acs_judge_fail(j, "ari-after-issuance: no certificate was issued and downloaded");
		return;
	}
	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *id = acs_jstr(e, "certid");

		if (acs_log_is_ep(e, "renewal-info") && acs_log_is_method(e, "GET") && id != NULL &&
		    strcmp(id, want) == 0 && acs_log_time(e) >= got - SLACK) {
			if (acs_log_time(e) - got > ARI_SOON)
				acs_judge_fail(
				    j,
				    "ari-after-issuance: the first renewalInfo of the "
				    "certificate (#%lld) came %.1f s after its download, "
				    "not soon after it (%g s)",
				    acs_log_seq(e), acs_log_time(e) - got, ARI_SOON);
			return;
		}
	}
	acs_judge_fail(j,
	               "ari-after-issuance: the client never asked for the renewalInfo of the "
	               "certificate it got (certID %s) after the download",
	               want);
}

/*
 * renewed-in-window (RFC 9773 section 4.2): the renewal order (the first
 * newOrder with "replaces", or the second accepted newOrder) comes inside
 * the window the CA suggested for the first certificate, whole seconds
 * with WINDOW_SLACK; never before it starts.
 */
static void p_renewed_in_window(struct acs_judgement *j)
{
	const json_t *win = NULL, *ren = NULL;
	size_t i, orders = 0;
	double st, en, t;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (win == NULL && acs_log_is_ep(e, "renewal-info") &&
		    json_object_get(e, "ari_window") != NULL)
			win = json_object_get(e, "ari_window");
		if (ren == NULL && acs_log_is_method(e, "POST") && acs_log_is_ep(e, "new-order") &&
		    json_integer_value(json_object_get(e, "status")) == 201 &&
		    (orders++ > 0 || acs_jstr(acs_log_payload(e), "replaces") != NULL))
			ren = e;
	}
	if (ren == NULL) {
		acs_judge_fail(j, "renewed-in-window: the client did not renew while the scenario "
		                  "watched");
		return;
	}
	if (win == NULL) {
		acs_judge_fail(j,
		               "renewed-in-window: the renewal (#%lld) came without a "
		               "RenewalInfo window answered before it",
		               acs_log_seq(ren));
		return;
	}
	st = (double)json_integer_value(json_object_get(win, "start"));
	en = (double)json_integer_value(json_object_get(win, "end"));
	t = acs_log_time(ren);
	if (t < st - WINDOW_SLACK)
		acs_judge_fail(j,
		               "renewed-in-window: the renewal order #%lld came %.1f s before the "
		               "suggested window started",
		               acs_log_seq(ren), st - t);
	else if (t > en + WINDOW_SLACK)
		acs_judge_fail(j,
		               "renewed-in-window: the renewal order #%lld came %.1f s after the "
		               "suggested window ended",
		               acs_log_seq(ren), t - en);
}

int acs_judge_predicate_timing(struct acs_judgement *j, const char *name)
{
	if (strcmp(name, "retry-after-timely") == 0)
		p_retry_after_timely(j);
	else if (strcmp(name, "backed-off") == 0)
		p_backed_off(j);
	else if (strcmp(name, "ari-after-issuance") == 0)
		p_ari_after_issuance(j);
	else if (strcmp(name, "renewed-in-window") == 0)
		p_renewed_in_window(j);
	else
		return 0;
	return 1;
}
