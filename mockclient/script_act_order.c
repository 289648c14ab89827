/*
 * Server-script actions on orders (docs/case-format.md, "Actions"):
 * new-order, order-get, poll-order.
 */
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/clock.h"
#include "harness/rfc3339.h"
#include "harness/transcript.h"
#include "harness/x509.h"
#include "mockclient/forms.h"
#include "mockclient/match.h"
#include "mockclient/provision.h"
#include "mockclient/responders.h"
#include "mockclient/script_act.h"

static int is_problem(const struct acs_acme_resp *r, const char *type)
{
	return acs_acme_problem_is(r, type, 0);
}

/* "+1d", "-2h", "+30m", "+10s" relative to now as RFC 3339; anything else as it is. */
static char *rel_time(const char *spec)
{
	char *end = NULL;
	long n;
	time_t t;
	char buf[32];

	if (spec[0] != '+' && spec[0] != '-')
		return strdup(spec);
	n = strtol(spec, &end, 10);
	if (end == spec + 1 || end == NULL)
		return strdup(spec);
	switch (*end) {
	case 'd':
		n *= 86400;
		break;
	case 'h':
		n *= 3600;
		break;
	case 'm':
		n *= 60;
		break;
	case 's':
	case '\0':
		break;
	default:
		return strdup(spec);
	}
	t = time(NULL) + n;
	acs_rfc3339_format(t, buf);
	return strdup(buf);
}

static int ident_kind(const json_t *ids, const char *what)
{
	size_t i;
	json_t *e;

	json_array_foreach(ids, i, e)
	{
		const char *t = json_string_value(json_object_get(e, "type"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (strcmp(what, "ip") == 0 && t != NULL && strcmp(t, "ip") == 0)
			return 1;
		if (strcmp(what, "wildcard") == 0 && v != NULL && strncmp(v, "*.", 2) == 0)
			return 1;
	}
	return 0;
}

int acs_sa_new_order(struct acs_run *run, const char *name, const json_t *idspec)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	const char *url = acs_acme_dir_url(run->s, "newOrder");
	json_t *ids = json_array(), *payload = NULL, *v, *e;
	struct acs_acme_order *o;
	struct acs_acme_resp *r = NULL;
	char *nb = NULL, *na = NULL;
	const char *loc;
	size_t i;
	int rc = -1;

	if (a == NULL)
		goto out;
	if (url == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "the directory has no newOrder URL");
		goto out;
	}
	json_array_foreach(idspec, i, e)
	{
		if (json_is_string(e)) {
			struct acs_ident id;
			struct acs_err err;

			acs_err_clear(&err);
			if (acs_ident_parse(json_string_value(e), &id, &err) != 0) {
				acs_step_fail(run, ACS_STEP_HARNESS, NULL, "identifier \"%s\": %s",
				              json_string_value(e), err.msg);
				goto out;
			}
			json_array_append_new(
			    ids, json_pack("{s:s,s:s}", "type", id.type, "value", id.value));
		} else {
			json_array_append(ids, e);
		}
	}
	payload = json_pack("{s:O}", "identifiers", ids);
	v = json_object_get(run->step, "not_before");
	if (json_is_string(v)) {
		nb = rel_time(json_string_value(v));
		json_object_set_new(payload, "notBefore", json_string(nb != NULL ? nb : ""));
	}
	v = json_object_get(run->step, "not_after");
	if (json_is_string(v)) {
		na = rel_time(json_string_value(v));
		json_object_set_new(payload, "notAfter", json_string(na != NULL ? na : ""));
	}
	v = json_object_get(run->step, "extra");
	if (json_is_object(v))
		json_object_update(payload, v);
	if (acs_sa_spost_json(run, a, url, payload, "new-cert", &r) != 0)
		goto out;
	loc = acs_http_header(r->http, "Location");
	if (r->http->status != 201 || loc == NULL) {
		const char *feature = NULL;

		if (is_problem(r, "unsupportedIdentifier") || is_problem(r, "rejectedIdentifier") ||
		    is_problem(r, "malformed")) {
			if (ident_kind(ids, "ip"))
				feature = "ip";
			else if (ident_kind(ids, "wildcard"))
				feature = "wildcard";
		}
		if (r->http->status == 201) {
			acs_step_fail(run, ACS_STEP_OUTCOME, feature,
			              "newOrder: status 201 without a Location header");
		} else {
			char *sum = acs_acme_resp_summary(r);

			acs_step_fail(run, ACS_STEP_OUTCOME, feature,
			              "newOrder: expected 201 with Location, got %s",
			              sum != NULL ? sum : "?");
			free(sum);
		}
		goto out;
	}
	o = acs_acme_order_get(run->s, name);
	if (o == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
		goto out;
	}
	/* a name used again starts a new order */
	acs_acme_order_reset(o);
	snprintf(o->account, sizeof(o->account), "%s", a->name);
	o->url = strdup(loc);
	/* recorded even with a bad body, so later steps say what is wrong with it */
	o->created = json_is_object(r->json) ? json_incref(r->json) : NULL;
	o->obj = json_is_object(r->json) ? json_incref(r->json) : NULL;
	o->sent_ids = json_incref(ids);
	o->not_after = na;
	na = NULL;
	if (!json_is_object(r->json)) {
		acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
		              "newOrder: status 201 but the body is not a JSON object");
		goto out;
	}
	rc = 0;
out:
	free(nb);
	free(na);
	json_decref(ids);
	json_decref(payload);
	return rc;
}

int acs_act_new_order(struct acs_run *run)
{
	json_t *ids = json_object_get(run->step, "identifiers");
	json_t *def = NULL;
	int rc;

	if (ids == NULL)
		ids = def = json_pack("[s]", run->s->domain[0]);
	rc = acs_sa_new_order(run, acs_arg_str(run, "name", "o"), ids);
	json_decref(def);
	return rc;
}

static int order_refresh(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o)
{
	struct acs_acme_resp *r = NULL;

	if (acs_sa_spost(run, a, o->url, NULL, "order", 0, &r) != 0)
		return -1;
	if (r->http->status != 200 || !json_is_object(r->json))
		return acs_sa_fail_status(run, "order", "200 with a JSON object");
	json_decref(o->obj);
	o->obj = json_incref(r->json);
	return 0;
}

int acs_act_order_get(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;
	json_t *st;

	if (o == NULL)
		return -1;
	if (order_refresh(run, a, o) != 0)
		return -1;
	json_object_set_new(
	    run->facts, "identifiers_same",
	    json_boolean(acs_json_set_equal(json_object_get(o->obj, "identifiers"),
	                                    json_object_get(o->created, "identifiers"))));
	json_object_set_new(
	    run->facts, "authorizations_same",
	    json_boolean(acs_json_set_equal(json_object_get(o->obj, "authorizations"),
	                                    json_object_get(o->created, "authorizations"))));
	st = json_object_get(o->obj, "status");
	if (st != NULL)
		json_object_set(run->facts, "status", st);
	return 0;
}

/* What a poll of an order fetches with. */
struct order_poll {
	struct acs_run *run;
	struct acs_acme_account *a;
	struct acs_acme_order *o;
};

static int order_fetch(void *ctx, const struct acs_acme_resp **r, struct acs_err *err)
{
	struct order_poll *op = ctx;

	if (order_refresh(op->run, op->a, op->o) != 0)
		return acs_err_set(err, ACS_E_STATE, "order fetch failed");
	*r = op->run->resp;
	return 0;
}

int acs_sa_poll_order(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                      const json_t *until)
{
	struct order_poll op = {run, a, o};
	char *err;

	if (acs_sa_poll(run, "order", order_fetch, &op, until) != 0)
		return -1;
	if (strcmp(json_string_value(json_object_get(o->obj, "status")), "invalid") != 0)
		return 0;
	err = json_dumps(json_object_get(o->obj, "error"), JSON_COMPACT);
	acs_step_fail(run, ACS_STEP_OUTCOME, NULL, "order is invalid%s%.300s",
	              err != NULL ? ": " : "", err != NULL ? err : "");
	free(err);
	return -1;
}

int acs_act_poll_order(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;
	json_t *u = json_object_get(run->step, "until");
	json_t *until = NULL;
	int rc;

	if (o == NULL)
		return -1;
	if (json_is_string(u))
		until = json_pack("[O]", u);
	else if (json_is_array(u))
		until = json_incref(u);
	rc = acs_sa_poll_order(run, a, o, until);
	json_decref(until);
	return rc;
}
