/*
 * The steps of the mock client engine that both drivers run (see flow.h),
 * second part: the new account with its external account binding, and the
 * new order.
 */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/b64url.h"
#include "harness/http.h"
#include "mockclient/flow.h"
#include "mockclient/forms.h"

/* The externalAccountBinding for the account key. New reference, or NULL with the step failed. */
static json_t *make_eab(struct acs_acme_session *s, const struct acs_flow_eab_opts *o,
                        const struct acs_key *acct_key, const char *url,
                        struct acs_flow_result *res)
{
	struct acs_acme_eab e;
	unsigned char *mac = NULL, fake[32];
	size_t maclen = 0;
	json_t *out = NULL;

	(void)s;
	memset(&e, 0, sizeof(e));
	e.kid = o->kid;
	if (o->hmac != NULL &&
	    acs_b64url_decode(o->hmac, strlen(o->hmac), &mac, &maclen, &res->err) != 0) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, res->err.code, "--eab-hmac: %s",
		                  res->err.msg);
		return NULL;
	}
	if ((e.kid == NULL || mac == NULL) && o->missing_creds != NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, "eab", ACS_E_STATE, "%s",
		                  o->missing_creds);
		goto out;
	}
	/* negative forms can run without credentials, with made-up ones */
	if (e.kid == NULL)
		e.kid = "acmespec-made-up-kid";
	e.mac = mac;
	e.mac_len = maclen;
	if (mac == NULL) {
		RAND_bytes(fake, sizeof(fake));
		e.mac = fake;
		e.mac_len = sizeof(fake);
	}
	e.url = o->url != NULL ? o->url : url;
	e.acct_key = acct_key;
	e.alg = o->alg;
	e.nonce = o->nonce;
	e.mis = o->mis;
	e.other_key = o->other_key;
	out = acs_acme_eab_make(&e, &res->err);
	if (out == NULL)
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, res->err.code, "EAB: %s",
		                  res->err.msg);
out:
	free(mac);
	return out;
}

/* The newAccount payload. New string, or NULL with the step failed. */
static char *account_payload(struct acs_acme_session *s, const struct acs_flow_account_opts *o,
                             const char *url, struct acs_flow_result *res)
{
	json_t *p = json_object();
	char *text = NULL;

	if (p == NULL)
		goto nomem;
	if (o->agree_tos)
		json_object_set_new(p, "termsOfServiceAgreed", json_true());
	if (o->contact != NULL)
		json_object_set(p, "contact", (json_t *)o->contact);
	if (o->only_return_existing != NULL)
		json_object_set(p, "onlyReturnExisting", (json_t *)o->only_return_existing);
	if (o->eab != NULL) {
		json_t *e = make_eab(s, o->eab, o->account->key, url, res);

		if (e == NULL) {
			json_decref(p);
			return NULL;
		}
		json_object_set_new(p, "externalAccountBinding", e);
	}
	if (json_is_object(o->extra))
		json_object_update(p, (json_t *)o->extra);
	text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	if (text != NULL)
		return text;
nomem:
	acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "cannot serialise the payload");
	return NULL;
}

void acs_flow_step_new_account(struct acs_acme_session *s, const struct acs_flow_io *io,
                               const struct acs_flow_account_opts *o, struct acs_flow_result *res)
{
	struct acs_acme_account *a = o->account;
	const char *url, *loc;
	char *text;
	long st;

	acs_flow_res_begin(res);
	url = acs_flow_need_url(s, "newAccount", NULL, res);
	if (url == NULL)
		return;
	text = account_payload(s, o, url, res);
	if (text == NULL)
		return;
	if (acs_flow_res_post(io, url, &o->who, text, "new-reg", res) != 0)
		goto out;
	st = res->resp->http->status;
	loc = acs_http_header(res->resp->http, "Location");
	/* account-409-taken: ACME v1's answer for a known key, taken for the account */
	if (st == 409 && loc != NULL && ACS_SW_HAS(s->client.sw, ACS_SW_ACCOUNT_409_TAKEN))
		st = 200;
	if ((st == 201 || st == 200) && loc != NULL) {
		acs_acme_set_str(&a->url, loc);
		json_decref(a->obj);
		a->obj = json_is_object(res->resp->json) ? json_incref(res->resp->json) : NULL;
	} else if (st == 201 || st == 200) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_PARSE,
		                  "newAccount: status %ld without a Location header", st);
		res->malformed = 1;
	} else {
		acs_flow_res_status(res, "newAccount", "201 (or 200) with Location");
	}
out:
	free(text);
}

static int is_problem(const struct acs_acme_resp *r, const char *type)
{
	return acs_acme_problem_is(r, type, 0);
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

/* The feature a refused newOrder names: ip or wildcard identifiers refused as such. */
static const char *refused_feature(const struct acs_acme_resp *r, const json_t *ids)
{
	if (!is_problem(r, "unsupportedIdentifier") && !is_problem(r, "rejectedIdentifier") &&
	    !is_problem(r, "malformed"))
		return NULL;
	if (ident_kind(ids, "ip"))
		return "ip";
	if (ident_kind(ids, "wildcard"))
		return "wildcard";
	return NULL;
}

/* The newOrder payload. New string, or NULL with the step failed. */
static char *order_payload(const struct acs_flow_order_opts *o, struct acs_flow_result *res)
{
	json_t *p = json_pack("{s:O}", "identifiers", (json_t *)o->identifiers);
	char *text;

	if (p == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
		return NULL;
	}
	if (o->not_before != NULL)
		json_object_set_new(p, "notBefore", json_string(o->not_before));
	if (o->not_after != NULL)
		json_object_set_new(p, "notAfter", json_string(o->not_after));
	if (json_is_object(o->extra))
		json_object_update(p, (json_t *)o->extra);
	text = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	if (text == NULL)
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM,
		                  "cannot serialise the payload");
	return text;
}

/* Keep the new order: URL, first and current object, identifiers as sent, notAfter asked. */
static int keep_new_order(struct acs_acme_session *s, const struct acs_flow_order_opts *o,
                          const char *loc, const json_t *body)
{
	struct acs_acme_order *order = acs_acme_order_get(s, o->name);

	if (order == NULL)
		return -1;
	/* a name used again starts a new order */
	acs_acme_order_reset(order);
	snprintf(order->account, sizeof(order->account), "%s", o->account);
	order->url = strdup(loc);
	/* recorded even with a bad body, so later steps say what is wrong with it */
	order->created = json_is_object(body) ? json_incref((json_t *)body) : NULL;
	order->obj = json_is_object(body) ? json_incref((json_t *)body) : NULL;
	order->sent_ids = json_incref((json_t *)o->identifiers);
	order->not_after = o->not_after != NULL ? strdup(o->not_after) : NULL;
	return order->url != NULL ? 0 : -1;
}

void acs_flow_step_new_order(struct acs_acme_session *s, const struct acs_flow_io *io,
                             const struct acs_flow_order_opts *o, struct acs_flow_result *res)
{
	const char *url, *loc;
	char *text;

	acs_flow_res_begin(res);
	url = acs_flow_need_url(s, "newOrder", NULL, res);
	if (url == NULL)
		return;
	text = order_payload(o, res);
	if (text == NULL)
		return;
	if (acs_flow_res_post(io, url, &o->who, text, "new-cert", res) != 0)
		goto out;
	loc = acs_http_header(res->resp->http, "Location");
	if (res->resp->http->status != 201) {
		acs_flow_res_status(res, "newOrder", "201 with Location");
		res->feature = refused_feature(res->resp, o->identifiers);
	} else if (loc == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, refused_feature(res->resp, o->identifiers),
		                  ACS_E_PARSE, "newOrder: status 201 without a Location header");
		res->malformed = 1;
	} else if (keep_new_order(s, o, loc, res->resp->json) != 0) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
	} else if (!json_is_object(res->resp->json)) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE,
		                  "newOrder: status 201 but the body is not a JSON object");
		res->what = "newOrder"; /* a status failure for the flow, which wants an object */
	}
out:
	free(text);
}
