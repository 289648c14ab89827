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

/* The identifiers of a step: strings parsed ("dns:x", "ip:1.2.3.4", ...), objects as they are. */
static json_t *step_idents(struct acs_run *run, const json_t *idspec)
{
	json_t *ids = json_array(), *e;
	size_t i;

	json_array_foreach(idspec, i, e)
	{
		struct acs_ident id;
		struct acs_err err;

		acs_err_clear(&err);
		if (!json_is_string(e)) {
			json_array_append(ids, e);
		} else if (acs_ident_parse(json_string_value(e), &id, &err) != 0) {
			acs_step_fail(run, ACS_STEP_HARNESS, NULL, "identifier \"%s\": %s",
			              json_string_value(e), err.msg);
			json_decref(ids);
			return NULL;
		} else {
			json_array_append_new(
			    ids, json_pack("{s:s,s:s}", "type", id.type, "value", id.value));
		}
	}
	return ids;
}

int acs_sa_new_order(struct acs_run *run, const char *name, const json_t *idspec)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	const json_t *nb = json_object_get(run->step, "not_before");
	const json_t *na = json_object_get(run->step, "not_after");
	struct acs_flow_order_opts oo;
	struct acs_flow_result res;
	struct acs_flow_io io;
	char *before = NULL, *after = NULL;
	json_t *ids;

	if (a == NULL)
		return -1;
	if (acs_flow_need_url(run->s, "newOrder", NULL, &res) == NULL)
		return acs_sa_result(run, &res);
	ids = step_idents(run, idspec);
	if (ids == NULL)
		return -1;
	memset(&oo, 0, sizeof(oo));
	oo.name = name;
	oo.account = a->name;
	(void)acs_sa_signer(run, a, &oo.who);
	oo.identifiers = ids;
	if (json_is_string(nb))
		oo.not_before = before = rel_time(json_string_value(nb));
	if (json_is_string(na))
		oo.not_after = after = rel_time(json_string_value(na));
	oo.extra = json_object_get(run->step, "extra");
	acs_sa_io(run, &io);
	if (oo.who.key != NULL)
		acs_flow_step_new_order(run->s, &io, &oo, &res);
	free(before);
	free(after);
	json_decref(ids);
	return oo.who.key != NULL ? acs_sa_result(run, &res) : -1;
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

/* The order's fetch and poll as a server case does them: POST-as-GET, 200, the server's wait. */
static int order_opts(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                      struct acs_flow_poll_order_opts *po)
{
	memset(po, 0, sizeof(*po));
	po->order = o;
	acs_sa_wait(run, &po->wait, &po->deadline);
	po->invalid_fails = 1;
	return acs_sa_signer(run, a, &po->who);
}

static int order_refresh(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o)
{
	struct acs_flow_poll_order_opts po;
	struct acs_flow_result res;
	struct acs_flow_io io;

	if (order_opts(run, a, o, &po) != 0)
		return -1;
	acs_sa_io(run, &io);
	acs_flow_step_fetch_order(run->s, &io, &po, &res);
	return acs_sa_result(run, &res);
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

int acs_sa_poll_order(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                      const json_t *until)
{
	struct acs_flow_poll_order_opts po;
	struct acs_flow_result res;
	struct acs_flow_io io;
	const char **strv = NULL;

	if (order_opts(run, a, o, &po) != 0)
		return -1;
	if (until != NULL) {
		strv = acs_sa_strv(run, until);
		if (strv == NULL)
			return -1;
	}
	po.until = strv;
	acs_sa_io(run, &io);
	acs_flow_step_poll_order(run->s, &io, &po, &res);
	free(strv);
	return acs_sa_result(run, &res);
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
