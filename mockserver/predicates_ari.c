/*
 * The client-scenario predicates of ACME Renewal Information (RFC 9773;
 * docs/case-format.md, "Predicates"): whether the client renewed, with
 * which replaces, how often it asked for a certificate's RenewalInfo, and
 * how it took alreadyReplaced.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness/ari.h"
#include "mockserver/scenario_int.h"

/* The right certID of the scenario's n-th certificate (0-based) into out; 0 or -1. */
static int issued_certid(const struct acs_judgement *j, size_t n, char *out, size_t outsz)
{
	const char *pem = json_string_value(json_array_get(j->f->issued, n));
	struct acs_err err;

	return pem != NULL && acs_ari_certid_pem(pem, 0, out, outsz, &err) == 0 ? 0 : -1;
}

/* A newOrder that the CA accepted (201). */
static int new_order_ok(const json_t *e)
{
	return acs_log_is_method(e, "POST") && acs_log_is_ep(e, "new-order") &&
	       json_integer_value(json_object_get(e, "status")) == 201;
}

/* ari-renewed: a second certificate, ordered with replaces = the first one's certID. */
static void p_renewed(struct acs_judgement *j)
{
	char want[ACS_ARI_CERTID_MAX];
	const char *got = NULL;
	size_t i, orders = 0;

	if (json_array_size(j->f->issued) < 2) {
		acs_judge_fail(
		    j, "ari-renewed: the client did not renew (%zu certificate%s issued)",
		    json_array_size(j->f->issued), json_array_size(j->f->issued) == 1 ? "" : "s");
		return;
	}
	if (issued_certid(j, 0, want, sizeof(want)) != 0) {
		acs_judge_fail(j, "ari-renewed: the first certificate has no certID");
		return;
	}
	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (!new_order_ok(e) || orders++ == 0)
			continue;
		got = acs_jstr(acs_log_payload(e), "replaces");
		if (got != NULL && strcmp(got, want) == 0)
			return;
	}
	acs_judge_fail(
	    j,
	    "ari-renewed: no renewal order replaced %s (the first certificate's certID): "
	    "%s%s",
	    want, got != NULL ? "the last carried " : "none carried replaces",
	    got != NULL ? got : "");
}

/* ari-not-renewed: one certificate only. */
static void p_not_renewed(struct acs_judgement *j)
{
	if (json_array_size(j->f->issued) > 1)
		acs_judge_fail(
		    j,
		    "ari-not-renewed: the client renewed (%zu certificates issued) though "
		    "renewal was not due",
		    json_array_size(j->f->issued));
}

/* renewed: a second certificate was issued (whatever the order carried). */
static void p_renewed_any(struct acs_judgement *j)
{
	if (json_array_size(j->f->issued) < 2)
		acs_judge_fail(j, "renewed: the client did not renew the certificate");
}

/* ari-no-replaces: no newOrder carried replaces. */
static void p_no_replaces(struct acs_judgement *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (acs_log_is_ep(e, "new-order") &&
		    json_object_get(acs_log_payload(e), "replaces") != NULL) {
			acs_judge_fail(
			    j,
			    "ari-no-replaces: #%lld newOrder carries replaces though the "
			    "directory has no renewalInfo (RFC 9773 section 5)",
			    acs_log_seq(e));
			return;
		}
	}
}

/* ari-retried-without-replaces: after 409 alreadyReplaced, a newOrder without it, accepted. */
static void p_retried_without_replaces(struct acs_judgement *j)
{
	size_t i, k;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (!acs_log_is_ep(e, "new-order") || acs_jstr(e, "problem") == NULL ||
		    strcmp(acs_jstr(e, "problem"), "alreadyReplaced") != 0)
			continue;
		for (k = i + 1; k < json_array_size(j->log); k++) {
			const json_t *f = json_array_get(j->log, k);

			if (new_order_ok(f) &&
			    json_object_get(acs_log_payload(f), "replaces") == NULL)
				return;
		}
		acs_judge_fail(
		    j,
		    "ari-retried-without-replaces: after alreadyReplaced (#%lld) the client "
		    "placed no order without replaces",
		    acs_log_seq(e));
		return;
	}
	acs_judge_fail(j, "ari-retried-without-replaces: the CA never answered alreadyReplaced");
}

/*
 * ari-interval-sane: no certificate's RenewalInfo fetched more than once per
 * run. The scenario's Retry-After is short (1 s): a client that clamps it to
 * a minute, as section 4.3.2 asks, never asks twice within one run.
 */
static void p_interval_sane(struct acs_judgement *j)
{
	json_t *counts = json_object();
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *id = acs_jstr(e, "certid");
		json_int_t n;

		if (!acs_log_is_ep(e, "renewal-info") || id == NULL)
			continue;
		n = json_integer_value(json_object_get(counts, id)) + 1;
		json_object_set_new(counts, id, json_integer(n));
		if (n > j->s->runs) {
			acs_judge_fail(
			    j,
			    "ari-interval-sane: #%lld is fetch %lld of renewalInfo %s in %d "
			    "run%s: intervals under a minute must count as a minute "
			    "(section 4.3.2)",
			    acs_log_seq(e), (long long)n, id, j->s->runs,
			    j->s->runs == 1 ? "" : "s");
			break;
		}
	}
	json_decref(counts);
}

/* A request check fired anywhere in the log (predicates mirroring a check). */
static void p_check_clean(struct acs_judgement *j, const char *pred, const char *check)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (acs_log_fired(e, check)) {
			acs_judge_fail(j, "%s: #%lld fired %s", pred, acs_log_seq(e), check);
			return;
		}
	}
}

int acs_judge_predicate_ari(struct acs_judgement *j, const char *name)
{
	if (strcmp(name, "ari-renewed") == 0)
		p_renewed(j);
	else if (strcmp(name, "ari-not-renewed") == 0)
		p_not_renewed(j);
	else if (strcmp(name, "renewed") == 0)
		p_renewed_any(j);
	else if (strcmp(name, "ari-no-replaces") == 0)
		p_no_replaces(j);
	else if (strcmp(name, "ari-retried-without-replaces") == 0)
		p_retried_without_replaces(j);
	else if (strcmp(name, "ari-interval-sane") == 0)
		p_interval_sane(j);
	else if (strcmp(name, "ari-no-check-expired") == 0)
		p_check_clean(j, name, "client.9773.4_3.no-check-after-expiry");
	else if (strcmp(name, "ari-no-check-replaced") == 0)
		p_check_clean(j, name, "client.9773.4_3.no-check-after-replaced");
	else
		return 0;
	return 1;
}
