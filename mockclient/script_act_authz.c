/*
 * Server-script actions on authorizations and challenges
 * (docs/case-format.md, "Actions"): authz-get, challenge-respond,
 * challenge-get, poll-authz, authorize, authz-deactivate, observe.
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

static const char *order_authz_url(const struct acs_acme_order *o, size_t index)
{
	json_t *list = json_object_get(o->obj, "authorizations");

	if (!json_is_array(list))
		list = json_object_get(o->created, "authorizations");
	return json_string_value(json_array_get(list, index));
}

static size_t order_authz_count(const struct acs_acme_order *o)
{
	json_t *list = json_object_get(o->obj, "authorizations");

	if (!json_is_array(list))
		list = json_object_get(o->created, "authorizations");
	return json_array_size(list);
}

/* A copy of the URL of authorization index of the order (free()), or NULL with the step failed. */
static char *authz_url_copy(struct acs_run *run, const struct acs_acme_order *o, long index)
{
	const char *url = order_authz_url(o, (size_t)(index < 0 ? 0 : index));
	char *u;

	if (url == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "order \"%s\" has no authorization %ld",
		              o->name, index);
		return NULL;
	}
	u = strdup(url);
	if (u == NULL)
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	return u;
}

/* Keep the authorization object in the order's cache at index. */
static void cache_authz(struct acs_acme_order *o, size_t index, json_t *obj)
{
	if (o->authzs == NULL)
		o->authzs = json_array();
	while (json_array_size(o->authzs) <= index)
		json_array_append_new(o->authzs, json_null());
	json_array_set(o->authzs, index, obj);
}

static void set_current_authz(struct acs_run *run, const char *url, json_t *obj)
{
	acs_acme_set_str(&run->s->authz_url, url);
	json_decref(run->s->authz);
	run->s->authz = json_incref(obj);
}

static void set_current_challenge(struct acs_run *run, const char *url, json_t *obj)
{
	acs_acme_set_str(&run->s->challenge_url, url);
	json_decref(run->s->challenge);
	run->s->challenge = json_incref(obj);
}

/*
 * POST-as-GET authorization index of the order; on 200 with an object the
 * object is cached and returned (borrowed from the cache).
 */
static json_t *fetch_authz(struct acs_run *run, struct acs_acme_account *a,
                           struct acs_acme_order *o, size_t index, int make_current)
{
	const char *url = order_authz_url(o, index);
	struct acs_acme_resp *r = NULL;
	char *u = NULL;
	json_t *obj;

	if (url == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		              "order \"%s\" has no authorization %zu (it lists %zu)", o->name,
		              index, order_authz_count(o));
		return NULL;
	}
	u = strdup(url);
	if (u == NULL || acs_sa_spost(run, a, u, NULL, "authz", 0, &r) != 0) {
		free(u);
		return NULL;
	}
	if (r->http->status != 200 || !json_is_object(r->json)) {
		free(u);
		acs_sa_fail_status(run, "authorization", "200 with a JSON object");
		return NULL;
	}
	obj = r->json;
	cache_authz(o, index, obj);
	if (make_current)
		set_current_authz(run, u, obj);
	free(u);
	return obj;
}

static int authz_ident(struct acs_run *run, json_t *authz, struct acs_ident *id)
{
	struct acs_flow_result res;

	acs_flow_res_begin(&res);
	if (acs_flow_authz_ident(authz, id, &res) != 0)
		return acs_sa_result(run, &res);
	return 0;
}

/*
 * The answer for challenge chal (of authz) put up as `serve` says ("ok", "wrong", ...).
 * label_url: dns-account-01's label from that account URL (argument label_of), or NULL.
 */
static int provision(struct acs_run *run, const struct acs_key *acct_key, const char *acct_url,
                     const char *label_url, json_t *authz, json_t *chal, const char *type,
                     const char *serve)
{
	/* dns-account-01 and dns-persist-01 (issue 7 item 3) */
	static const char *const dnsacct_modes[] = {"ok", "wrong", "wrong-label", NULL};
	static const char *const persist_modes[] = {"ok",
	                                            "wrong-account",
	                                            "expired",
	                                            "future",
	                                            "unknown-param",
	                                            "wrong-issuer",
	                                            "no-policy",
	                                            "policy-case",
	                                            "no-accounturi",
	                                            "policy-other",
	                                            NULL};
	static const char *const http01_modes[] = {
	    "ok",        "wrong",    "trailing-newline", "trailing-space",
	    "not-found", "redirect", "fail-first",       NULL};
	static const char *const alpn_modes[] = {
	    "ok", "wrong-digest", "noncritical", "mixed-case", "extra-san", "no-extension", NULL};
	static const char *const dns_modes[] = {"ok", "wrong", "decoys", NULL};
	const char *const *modes = strcmp(type, "http-01") == 0          ? http01_modes
	                           : strcmp(type, "dns-01") == 0         ? dns_modes
	                           : strcmp(type, "dns-account-01") == 0 ? dnsacct_modes
	                           : strcmp(type, "dns-persist-01") == 0 ? persist_modes
	                                                                 : alpn_modes;
	struct acs_flow_result res;
	struct acs_flow_prov p;
	size_t m;

	for (m = 0; modes[m] != NULL && strcmp(modes[m], serve) != 0; m++)
		;
	if (modes[m] == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "unknown %s serve \"%s\"", type,
		                     serve);
	if (run->t->webroot != NULL && strcmp(type, "http-01") == 0 &&
	    (strcmp(serve, "redirect") == 0 || strcmp(serve, "fail-first") == 0))
		return acs_step_skip(run,
		                     "http-01 \"%s\" needs the built-in responder: a file under "
		                     "--http01-webroot cannot do it",
		                     serve);
	memset(&p, 0, sizeof(p));
	p.acct_key = acct_key;
	p.need_responders = 1;
	p.dns_wrong = (strcmp(type, "dns-01") == 0 || strcmp(type, "dns-account-01") == 0) &&
	              strcmp(serve, "wrong") == 0;
	p.http01 = modes == http01_modes ? (enum acs_http01_mode)m : ACS_HTTP01_OK;
	p.alpn = modes == alpn_modes ? (enum acs_alpn_mode)m : ACS_ALPN_OK;
	p.acct_url = acct_url;
	p.dnsacct_full_hash = modes == dnsacct_modes && strcmp(serve, "wrong-label") == 0;
	p.dnsacct_label_url = label_url;
	p.persist = modes == persist_modes ? (enum acs_persist_mode)m : ACS_PERSIST_OK;
	/* a server case judges the CA's issuer-domain-names itself (authz-get facts) */
	p.persist_any_issuers = 1;
	p.dns_decoys = strcmp(serve, "decoys") == 0;
	acs_flow_res_begin(&res);
	acs_flow_provision_answer(run->s, authz, chal, type, &p, &res);
	return acs_sa_result(run, &res);
}

/* The authorize step's options as a server case sets them (until: borrowed). 0 or -1. */
static int authz_opts(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                      const char *const *until, struct acs_flow_authorize_opts *ao)
{
	memset(ao, 0, sizeof(*ao));
	ao->order = o;
	acs_sa_wait(run, &ao->wait, &ao->deadline);
	ao->until = until;
	return acs_sa_signer(run, a, &ao->who);
}

static json_t *until_list(struct acs_run *run, const char *const *def)
{
	json_t *u = json_object_get(run->step, "until");
	json_t *out;
	size_t i;

	if (json_is_string(u))
		return json_pack("[O]", u);
	if (json_is_array(u))
		return json_incref(u);
	out = json_array();
	for (i = 0; def[i] != NULL; i++)
		json_array_append_new(out, json_string(def[i]));
	return out;
}

int acs_act_authz_get(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;
	json_t *authz, *types, *list, *c;
	long index = acs_arg_int(run, "index", 0);
	long min_bytes = -1;
	int all_b64 = 1, distinct = 1, ntokens = 0;
	size_t i, j;

	if (o == NULL)
		return -1;
	if (index < 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "index must be >= 0");
	authz = fetch_authz(run, a, o, (size_t)index, 1);
	if (authz == NULL)
		return -1;
	types = json_array();
	list = json_object_get(authz, "challenges");
	json_array_foreach(list, i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		const char *tok = json_string_value(json_object_get(c, "token"));

		if (t != NULL)
			json_array_append_new(types, json_string(t));
		if (json_object_get(c, "token") == NULL)
			continue;
		ntokens++;
		if (tok == NULL || !acs_b64url_valid(tok, strlen(tok))) {
			all_b64 = 0;
		} else {
			unsigned char *dec = NULL;
			size_t dlen = 0;

			if (acs_b64url_decode(tok, strlen(tok), &dec, &dlen, NULL) == 0) {
				if (min_bytes < 0 || (long)dlen < min_bytes)
					min_bytes = (long)dlen;
				free(dec);
			}
		}
		for (j = 0; j < i; j++) {
			const char *other =
			    json_string_value(json_object_get(json_array_get(list, j), "token"));

			if (tok != NULL && other != NULL && strcmp(tok, other) == 0)
				distinct = 0;
		}
	}
	/*
	 * The authorization's challenge becomes current too (http-01 when
	 * offered, else the first), so that raw requests can name "challenge"
	 * without answering it.
	 */
	{
		json_t *cur = acs_acme_find_challenge(authz, "http-01");
		const char *cu;

		if (cur == NULL)
			cur = json_array_get(list, 0);
		cu = json_string_value(json_object_get(cur, "url"));
		if (cu != NULL) {
			char *copy = strdup(cu);

			if (copy != NULL)
				set_current_challenge(run, copy, cur);
			free(copy);
		}
	}
	json_object_set_new(run->facts, "challenge_types", types);
	json_object_set_new(run->facts, "tokens_b64url", json_boolean(all_b64 && ntokens > 0));
	json_object_set_new(run->facts, "min_token_bytes",
	                    json_integer(min_bytes < 0 ? 0 : min_bytes));
	json_object_set_new(run->facts, "tokens_distinct", json_boolean(distinct));
	/* dns-persist-01 (issue 7 item 3): its issuer-domain-names, as the challenge has them */
	{
		json_t *pc = acs_acme_find_challenge(authz, "dns-persist-01");

		if (pc != NULL) {
			json_t *names = json_object_get(pc, "issuer-domain-names");

			json_object_set_new(run->facts, "persist_issuers",
			                    json_is_array(names) ? json_deep_copy(names)
			                                         : json_array());
			json_object_set_new(run->facts, "persist_has_token",
			                    json_boolean(json_object_get(pc, "token") != NULL));
		}
	}
	return 0;
}

int acs_act_challenge_respond(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;
	const char *type = acs_arg_str(run, "type", "http-01");
	const char *serve = acs_arg_str(run, "serve", "ok");
	long index = acs_arg_int(run, "index", 0);
	json_t *authz, *chal, *payload;
	const char *raw = acs_arg_str(run, "raw_payload", NULL);
	const char *label_of = acs_arg_str(run, "label_of", NULL);
	struct acs_acme_account *lab = NULL;
	struct acs_acme_resp *r = NULL;
	char *curl = NULL, *text = NULL;
	int rc = -1;

	if (o == NULL)
		return -1;
	if (label_of != NULL) {
		lab = acs_acme_account_find(run->s, label_of);
		if (lab == NULL || lab->url == NULL)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
			                     "label_of: no account \"%s\" with a URL", label_of);
	}
	authz = fetch_authz(run, a, o, (size_t)(index < 0 ? 0 : index), 1);
	if (authz == NULL)
		return -1;
	chal = acs_acme_find_challenge(authz, type);
	if (chal == NULL || json_string_value(json_object_get(chal, "url")) == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, acs_flow_type_feature(type),
		                     "the authorization offers no %s challenge", type);
	curl = strdup(json_string_value(json_object_get(chal, "url")));
	if (curl == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	set_current_challenge(run, curl, chal);
	if (acs_arg_bool(run, "provision", 1) &&
	    provision(run, acs_sa_signing_key(run, a), a->url, lab != NULL ? lab->url : NULL, authz,
	              chal, type, serve) != 0)
		goto out;
	payload = json_object_get(run->step, "payload");
	if (raw != NULL) {
		rc = acs_sa_spost(run, a, curl, raw, "challenge", 0, &r);
	} else if (payload != NULL) {
		rc = acs_sa_spost_json(run, a, curl, payload, "challenge", &r);
	} else {
		rc = acs_sa_spost(run, a, curl, "{}", "challenge", 0, &r);
	}
	if (rc != 0)
		goto out;
	rc = -1;
	if (r->http->status != 200) {
		acs_sa_fail_status(run, "challenge", "200");
		goto out;
	}
	if (json_is_object(r->json))
		set_current_challenge(run, curl, r->json);
	rc = 0;
out:
	free(curl);
	free(text);
	return rc;
}

int acs_act_challenge_get(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_resp *r = NULL;
	char *url = NULL;
	int rc;

	if (a == NULL)
		return -1;
	if (run->s->challenge_url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "no current challenge (use challenge-respond first)");
	url = strdup(run->s->challenge_url);
	rc = url != NULL ? acs_sa_spost(run, a, url, NULL, "challenge", 0, &r) : -1;
	if (rc == 0 && r->http->status != 200)
		rc = acs_sa_fail_status(run, "challenge", "200");
	else if (rc == 0 && json_is_object(r->json))
		set_current_challenge(run, url, r->json);
	free(url);
	return rc;
}

int acs_act_poll_authz(struct acs_run *run)
{
	static const char *const def[] = {"valid",   "invalid", "deactivated",
	                                  "expired", "revoked", NULL};
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;
	long index = acs_arg_int(run, "index", 0);
	struct acs_flow_authorize_opts ao;
	struct acs_flow_result res;
	struct acs_flow_io io;
	json_t *until = NULL, *last = NULL;
	const char **strv = NULL;
	char *u = NULL;
	int rc = -1;

	if (o == NULL)
		return -1;
	u = authz_url_copy(run, o, index);
	if (u == NULL)
		return -1;
	until = until_list(run, def);
	strv = acs_sa_strv(run, until);
	if (strv == NULL || authz_opts(run, a, o, strv, &ao) != 0)
		goto out;
	acs_sa_io(run, &io);
	acs_flow_step_poll_authz(run->s, &io, &ao, u, &res);
	if (acs_sa_result(run, &res) != 0)
		goto out;
	last = res.resp->json;
	cache_authz(o, (size_t)index, last);
	set_current_authz(run, u, last);
	if (strcmp(json_string_value(json_object_get(last, "status")), "valid") != 0) {
		char *e = acs_flow_authz_errors(last);

		acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
		              "authorization is \"%s\", not valid (%s)",
		              json_string_value(json_object_get(last, "status")), e ? e : "");
		free(e);
		goto out;
	}
	rc = 0;
out:
	free(strv);
	free(u);
	json_decref(until);
	return rc;
}

/* What the authorize step's objects become: the order's cache, the current ones. */
struct authorize_ctx {
	struct acs_run *run;
	struct acs_acme_order *o;
};

static void authz_seen(void *ctx, size_t index, const char *url, const json_t *obj)
{
	struct authorize_ctx *c = ctx;

	cache_authz(c->o, index, (json_t *)obj);
	set_current_authz(c->run, url, (json_t *)obj);
}

static void chal_seen(void *ctx, const char *url, const json_t *obj)
{
	set_current_challenge(((struct authorize_ctx *)ctx)->run, url, (json_t *)obj);
}

/*
 * Answer every pending authorization of the order and poll each to valid.
 * Already-valid authorizations (servers may reuse them) are skipped: their
 * challenges must never be answered again.
 */
int acs_sa_authorize(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                     const char *type)
{
	static const char *const settled[] = {"valid",   "invalid", "deactivated",
	                                      "expired", "revoked", NULL};
	struct authorize_ctx ctx = {run, o};
	struct acs_flow_authorize_opts ao;
	struct acs_flow_result res;
	struct acs_flow_io io;

	if (authz_opts(run, a, o, settled, &ao) != 0)
		return -1;
	ao.type = type;
	ao.need_authz = 1;
	ao.poll_each = 1;
	ao.wildcard_dns = 1;
	ao.prov.acct_key = ao.who.key;
	ao.prov.need_responders = 1;
	ao.authz_seen = authz_seen;
	ao.chal_seen = chal_seen;
	ao.ctx = &ctx;
	acs_sa_io(run, &io);
	acs_flow_step_authorize(run->s, &io, &ao, &res);
	return acs_sa_result(run, &res);
}

int acs_act_authorize(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;

	if (o == NULL)
		return -1;
	return acs_sa_authorize(run, a, o, acs_arg_str(run, "type", "http-01"));
}

int acs_act_authz_deactivate(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;
	long index = acs_arg_int(run, "index", 0);
	char *u = NULL;
	struct acs_acme_resp *r = NULL;
	int rc;

	if (o == NULL)
		return -1;
	u = authz_url_copy(run, o, index);
	if (u == NULL)
		return -1;
	rc = acs_sa_spost(run, a, u, "{\"status\":\"deactivated\"}", "authz", 0, &r);
	if (rc == 0 && r->http->status != 200)
		rc = acs_sa_fail_status(run, "authorization", "200");
	else if (rc == 0 && json_is_object(r->json)) {
		cache_authz(o, (size_t)index, r->json);
		set_current_authz(run, u, r->json);
	}
	free(u);
	return rc;
}

int acs_act_observe(struct acs_run *run)
{
	struct acs_acme_order *o = acs_sa_step_order(run);
	const char *type = acs_arg_str(run, "type", "http-01");
	long index = acs_arg_int(run, "index", 0);
	struct acs_responders *resp = run->s->responders;
	json_t *authz, *chal;
	const char *token;
	struct acs_ident id;
	struct acs_alpn_obs obs;
	int udp = 0, tcp = 0;
	char name[320];

	if (o == NULL)
		return -1;
	if (resp == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "no challenge responders running");
	if (run->t->webroot != NULL && strcmp(type, "http-01") == 0)
		return acs_step_skip(run, "the validation requests cannot be observed: http-01 is "
		                          "served by the web server of --http01-webroot");
	if (run->t->dns_hook != NULL && strcmp(type, "dns-01") == 0)
		return acs_step_skip(run, "the DNS queries cannot be observed: dns-01 goes through "
		                          "--dns-hook, not the built-in DNS responder");
	authz = json_array_get(o->authzs, (size_t)(index < 0 ? 0 : index));
	if (!json_is_object(authz)) {
		struct acs_acme_account *a = acs_sa_step_account(run, 1);

		if (a == NULL)
			return -1;
		authz = fetch_authz(run, a, o, (size_t)(index < 0 ? 0 : index), 0);
		if (authz == NULL)
			return -1;
	}
	if (authz_ident(run, authz, &id) != 0)
		return -1;
	chal = acs_acme_find_challenge(authz, type);
	/* a settled authorization may list only the challenge that decided it */
	if (chal == NULL && json_is_object(run->s->challenge) &&
	    strcmp(json_string_value(json_object_get(run->s->challenge, "type")) != NULL
	               ? json_string_value(json_object_get(run->s->challenge, "type"))
	               : "",
	           type) == 0)
		chal = run->s->challenge;
	token = json_string_value(json_object_get(chal, "token"));
	json_object_set_new(run->facts, "http01_hits",
	                    json_integer(token != NULL ? acs_http01_hits(resp, token) : 0));
	snprintf(name, sizeof(name), "_acme-challenge.%s", id.value);
	acs_dns_queries(resp, name, &udp, &tcp);
	json_object_set_new(run->facts, "dns_udp", json_integer(udp));
	json_object_set_new(run->facts, "dns_tcp", json_integer(tcp));
	memset(&obs, 0, sizeof(obs));
	acs_alpn_observed(resp, &id, &obs);
	json_object_set_new(run->facts, "alpn_handshakes", json_integer(obs.handshakes));
	json_object_set_new(run->facts, "alpn_offered_acme_tls",
	                    json_boolean(obs.offered_acme_tls));
	json_object_set_new(run->facts, "alpn_offered_only_acme",
	                    json_boolean(obs.offered_only_acme));
	json_object_set_new(run->facts, "alpn_app_data", json_boolean(obs.app_data_received));
	json_object_set_new(run->facts, "alpn_min_version", json_integer(obs.min_version_seen));
	return 0;
}
