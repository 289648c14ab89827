/*
 * The steps of the mock client engine that both drivers run (see flow.h),
 * third part: challenge answers and the authorization of an order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/clock.h"
#include "harness/dnsval.h"
#include "harness/jwk.h"
#include "harness/transcript.h"
#include "mockclient/flow.h"
#include "mockclient/provision.h"

/* The key authorization to serve, as p asks. New string, or NULL with the step failed. */
static char *prov_keyauth(const char *token, const struct acs_flow_prov *p,
                          struct acs_flow_result *res)
{
	struct acs_buf b;
	char *ka = acs_keyauth(token, p->acct_key, &res->err);

	if (ka == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, res->err.code,
		                  "key authorization: %s", res->err.msg);
		return NULL;
	}
	if (!p->keyauth_wrong && !p->dns_wrong)
		return ka;
	acs_buf_init(&b, 4096);
	if (p->keyauth_wrong)
		acs_buf_printf(&b, "%sx.wrong", token);
	else
		acs_buf_printf(&b, "%s.wrong", ka);
	free(ka);
	ka = acs_buf_steal(&b);
	if (ka == NULL)
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
	return ka;
}

int acs_flow_authz_ident(const json_t *authz, struct acs_ident *id, struct acs_flow_result *res)
{
	json_t *ident = json_object_get(authz, "identifier");
	const char *type = json_string_value(json_object_get(ident, "type"));
	const char *value = json_string_value(json_object_get(ident, "value"));

	if (type == NULL || value == NULL || strlen(type) >= sizeof(id->type) ||
	    strlen(value) >= sizeof(id->value)) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_PARSE,
		                  "authorization has no usable identifier {type, value}");
		res->malformed = 1;
		return -1;
	}
	memset(id, 0, sizeof(*id));
	snprintf(id->type, sizeof(id->type), "%s", type);
	/* a wildcard authorization names the base domain; be lenient if one keeps "*." */
	snprintf(id->value, sizeof(id->value), "%s",
	         strncmp(value, "*.", 2) == 0 ? value + 2 : value);
	return 0;
}

/* ---- dns-account-01 and dns-persist-01 (issue 7 item 3) ---- */

/*
 * The dns-persist-01 record (draft-ietf-acme-dns-persist 4) as p asks,
 * after checking the challenge's issuer-domain-names (3.1: clients MUST
 * reject an empty list or one over 10). 0, or -1 with res failed.
 */
static int persist_record(const json_t *authz, const json_t *chal, const struct acs_flow_prov *p,
                          struct acs_buf *value, struct acs_flow_result *res)
{
	json_t *names = json_object_get(chal, "issuer-domain-names");
	const char *issuer = json_string_value(json_array_get(names, 0));
	int wild = json_is_true(json_object_get(authz, "wildcard"));
	long long now = (long long)time(NULL);

	if (!p->persist_any_issuers &&
	    (!json_is_array(names) || json_array_size(names) < 1 || json_array_size(names) > 10)) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_PARSE,
		                  "dns-persist-01 challenge is malformed: issuer-domain-names must "
		                  "hold 1 to 10 names, it holds %zu",
		                  json_is_array(names) ? json_array_size(names) : 0);
		res->malformed = 1;
		return -1;
	}
	if (p->acct_url == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE,
		                  "dns-persist-01 needs the account URL");
		return -1;
	}
	if (issuer == NULL || p->persist == ACS_PERSIST_WRONG_ISSUER)
		issuer = "not-this-ca.acmespec.invalid";
	if (p->persist == ACS_PERSIST_NO_ACCOUNTURI)
		acs_buf_printf(value, "%s", issuer);
	else
		acs_buf_printf(value, "%s; accounturi=%s%s", issuer, p->acct_url,
		               p->persist == ACS_PERSIST_WRONG_ACCOUNT ? "0" : "");
	if (p->persist == ACS_PERSIST_POLICY_CASE)
		acs_buf_printf(value, "; Policy=WILDCARD");
	else if (p->persist == ACS_PERSIST_POLICY_OTHER)
		acs_buf_printf(value, "; policy=subdomain");
	else if (wild && p->persist != ACS_PERSIST_NO_POLICY)
		acs_buf_printf(value, "; policy=wildcard");
	if (p->persist == ACS_PERSIST_EXPIRED || p->persist == ACS_PERSIST_FUTURE)
		acs_buf_printf(value, "; persistUntil=%lld",
		               now + (p->persist == ACS_PERSIST_EXPIRED ? -86400 : 86400));
	if (p->persist == ACS_PERSIST_UNKNOWN_PARAM)
		acs_buf_printf(value, "; acmespec-future=1");
	return value->data != NULL ? 0 : -1;
}

/* Name and value of a dns-account-01 or dns-persist-01 record into req. 0, or -1 with res failed.
 */
static int dns_named_record(const json_t *authz, const json_t *chal, const char *type,
                            const struct acs_flow_prov *p, const struct acs_ident *id,
                            const char *ka, struct acs_buf *name, struct acs_buf *value,
                            struct acs_flow_result *res)
{
	char label[ACS_DNSACCT_LABEL_MAX];
	char *digest;

	if (strcmp(type, "dns-persist-01") == 0) {
		acs_buf_printf(name, "_validation-persist.%s", id->value);
		return persist_record(authz, chal, p, value, res);
	}
	if (acs_dnsacct_label(p->dnsacct_label_url != NULL ? p->dnsacct_label_url : p->acct_url,
	                      p->dnsacct_full_hash ? 32 : 10, label) != 0) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE,
		                  "dns-account-01 needs the account URL");
		return -1;
	}
	digest = acs_keyauth_digest_b64(ka);
	acs_buf_printf(name, "_%s._acme-challenge.%s", label, id->value);
	acs_buf_printf(value, "%s", digest != NULL ? digest : "");
	free(digest);
	return 0;
}

static int is_named_dns(const char *type)
{
	return strcmp(type, "dns-account-01") == 0 || strcmp(type, "dns-persist-01") == 0;
}

void acs_flow_provision_answer(struct acs_acme_session *s, const json_t *authz, const json_t *chal,
                               const char *type, const struct acs_flow_prov *p,
                               struct acs_flow_result *res)
{
	const char *token = json_string_value(json_object_get(chal, "token"));
	struct acs_acme_prov_req req;
	struct acs_buf tname, tvalue;
	struct acs_ident id;
	char *ka;

	/* dns-persist-01 has no token: its record does not depend on one */
	if (strcmp(type, "dns-persist-01") == 0 && token == NULL)
		token = "AAAA";

	if (p->need_responders && s->responders == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE,
		                  "no challenge responders running");
		return;
	}
	if (token == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_PARSE,
		                  "%s challenge has no token", type);
		res->malformed = 1;
		return;
	}
	/* 8.3: a token with '/' or '\0' tricks would otherwise reach a path */
	if (!acs_b64url_valid(token, strlen(token))) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_PARSE,
		                  "%s challenge token is not base64url: \"%.80s\"", type, token);
		return;
	}
	if (acs_flow_authz_ident(authz, &id, res) != 0)
		return;
	if (p->need_dns_hook && (strcmp(type, "dns-01") == 0 || is_named_dns(type)) &&
	    s->client.dns_hook == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE, "%s needs --dns-hook",
		                  type);
		return;
	}
	if (p->skip_alpn && strcmp(type, "tls-alpn-01") == 0) {
		acs_flow_note(s, "tls-alpn-01 for %s not provisioned (alpn-unprovisioned)",
		              id.value);
		return;
	}
	ka = prov_keyauth(token, p, res);
	if (ka == NULL)
		return;
	memset(&req, 0, sizeof(req));
	req.type = type;
	req.token = token;
	req.id = &id;
	req.keyauth = ka;
	req.http01 = p->http01;
	req.alpn = p->alpn;
	req.dns_decoys = p->dns_decoys;
	req.dns_star = json_is_true(json_object_get(authz, "wildcard")) && p->dns_star;
	acs_buf_init(&tname, 1024);
	acs_buf_init(&tvalue, 4096);
	if (is_named_dns(type)) {
		if (dns_named_record(authz, chal, type, p, &id, ka, &tname, &tvalue, res) != 0)
			goto out;
		req.txt_name = tname.data;
		req.txt_value = tvalue.data;
	}
	if (acs_acme_provision(s, &req, &res->err) != 0)
		acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &res->err);
out:
	acs_buf_free(&tname);
	acs_buf_free(&tvalue);
	free(ka);
}

/* An answer of the status wanted: 200, or any 2xx. */
static int status_ok(const struct acs_flow_authorize_opts *o, const struct acs_acme_resp *r)
{
	return o->any_2xx ? r->http->status / 100 == 2 : r->http->status == 200;
}

/* Fetch an authorization: 0 with an object in res->resp, or -1 with the step failed. */
static int fetch_authz(const struct acs_flow_io *io, const struct acs_flow_authorize_opts *o,
                       const char *url, struct acs_flow_result *res)
{
	if (o->get) {
		struct acs_err err;

		acs_err_clear(&err);
		if (io->get(io->ctx, url, &res->resp, &err) != 0) {
			acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &err);
			return -1;
		}
	} else if (acs_flow_res_post(io, url, &o->who, NULL, "authz", res) != 0) {
		return -1;
	}
	if (!status_ok(o, res->resp) || !json_is_object(res->resp->json)) {
		acs_flow_res_status(res, "authorization", "200 with a JSON object");
		return -1;
	}
	return 0;
}

/* A poll of one authorization. */
struct authz_poll {
	const struct acs_flow_io *io;
	const struct acs_flow_authorize_opts *o;
	const char *url;
	struct acs_flow_result *res;
};

static int authz_poll_fetch(void *ctx, const struct acs_acme_resp **r, struct acs_err *err)
{
	struct authz_poll *ap = ctx;

	if (fetch_authz(ap->io, ap->o, ap->url, ap->res) != 0)
		return acs_err_set(err, ACS_E_STATE, "authorization fetch failed");
	*r = ap->res->resp;
	return 0;
}

char *acs_flow_authz_errors(const json_t *authz)
{
	json_t *list = json_object_get(authz, "challenges");
	struct acs_buf b;
	size_t i;
	json_t *c;

	acs_buf_init(&b, 2048);
	json_array_foreach(list, i, c)
	{
		json_t *e = json_object_get(c, "error");
		const char *t = json_string_value(json_object_get(c, "type"));
		const char *et = json_string_value(json_object_get(e, "type"));
		const char *d = json_string_value(json_object_get(e, "detail"));

		if (json_is_object(e))
			acs_buf_printf(&b, "%s%s: %s: %.300s", b.len > 0 ? "; " : "",
			               t != NULL ? t : "?", et != NULL ? et : "?",
			               d != NULL ? d : "");
	}
	if (b.len == 0)
		acs_buf_puts(&b, "no challenge error given");
	return acs_buf_steal(&b);
}

/* The challenges' errors, for the client's progress (without detail with hide-detail). */
static void note_challenge_errors(struct acs_acme_session *s, const json_t *authz)
{
	json_t *chs = json_object_get(authz, "challenges"), *c;
	size_t i;

	json_array_foreach(chs, i, c)
	{
		json_t *e = json_object_get(c, "error");
		const char *t = json_string_value(json_object_get(c, "type"));

		if (e != NULL && ACS_SW_HAS(s->client.sw, ACS_SW_HIDE_DETAIL))
			acs_flow_note(s, "challenge %s failed", t);
		else if (e != NULL)
			acs_flow_note(s, "challenge %s: %s: %s", t,
			              json_string_value(json_object_get(e, "type")),
			              json_string_value(json_object_get(e, "detail")));
	}
}

void acs_flow_step_poll_authz(struct acs_acme_session *s, const struct acs_flow_io *io,
                              const struct acs_flow_authorize_opts *o, const char *url,
                              struct acs_flow_result *res)
{
	struct authz_poll ap = {io, o, url, res};

	(void)s;
	acs_flow_res_begin(res);
	acs_flow_res_poll(res, "authorization", authz_poll_fetch, &ap, o->until, NULL, &o->wait,
	                  o->deadline);
}

/*
 * The pause between answering and the first poll of the authorization. The
 * validation of a challenge just answered usually ends within milliseconds:
 * a look at once finds it pending and costs a whole poll interval, a look a
 * moment later finds it done. With the interval's at least 250 ms after it,
 * a URL is still fetched at most 5 times in any second (no-tight-poll),
 * counting the fetch before the answer. Not with a fixed pace (the
 * tight-poll and ignore-retry-after controls keep theirs).
 */
#define FIRST_POLL_PAUSE_MS 50

static void first_poll_pause(const struct acs_flow_authorize_opts *o)
{
	if (o->wait.fixed_ms < 0)
		acs_sleep_ms(FIRST_POLL_PAUSE_MS);
}

/* Poll authorization i until it settles; not valid: OUTCOME, res->invalid. */
static int poll_authz(struct acs_acme_session *s, const struct acs_flow_io *io,
                      const struct acs_flow_authorize_opts *o, size_t i, const char *url,
                      const char *type, struct acs_flow_result *res)
{
	const json_t *last;
	const char *st;
	char *e;

	acs_flow_step_poll_authz(s, io, o, url, res);
	if (res->kind != ACS_FLOW_DONE)
		return -1;
	last = res->resp->json;
	if (o->authz_seen != NULL)
		o->authz_seen(o->ctx, i, url, last);
	st = json_string_value(json_object_get(last, "status"));
	if (strcmp(st, "valid") == 0) {
		acs_flow_note(s, "authorization %s valid", url);
		return 0;
	}
	acs_flow_note(s, "authorization %s is %s", url, st);
	note_challenge_errors(s, last);
	e = acs_flow_authz_errors(last);
	acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE,
	                  "authorization %zu is \"%s\" after %s (%s)", i, st, type,
	                  e != NULL ? e : "");
	res->invalid = 1;
	free(e);
	return -1;
}

const char *acs_flow_type_feature(const char *type)
{
	static const char *const types[] = {"http-01",        "dns-01",         "tls-alpn-01",
	                                    "dns-account-01", "dns-persist-01", NULL};
	size_t i;

	for (i = 0; types[i] != NULL; i++) {
		if (strcmp(type, types[i]) == 0)
			return types[i];
	}
	return NULL;
}

/* The challenge to answer, after its checks (borrowed from authz), or NULL with the step failed. */
static const json_t *pick_challenge(const struct acs_flow_authorize_opts *o, size_t i,
                                    const json_t *authz, const char **type,
                                    struct acs_flow_result *res)
{
	const json_t *chal;

	if (json_is_true(json_object_get(authz, "wildcard")) && strcmp(*type, "dns-01") != 0 &&
	    !is_named_dns(*type)) {
		if (!o->wildcard_dns) {
			acs_flow_res_fail(
			    res, ACS_FLOW_HARNESS, NULL, ACS_E_UNSUPPORTED,
			    "a wildcard authorization needs dns-01 (--challenge dns-01)");
			return NULL;
		}
		*type = "dns-01";
	}
	chal = acs_acme_find_challenge(authz, *type);
	if (chal == NULL || json_string_value(json_object_get(chal, "url")) == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, acs_flow_type_feature(*type),
		                  ACS_E_UNSUPPORTED, "authorization %zu offers no %s challenge", i,
		                  *type);
		res->malformed = chal != NULL;
		return NULL;
	}
	return chal;
}

/* Answer the challenge: put the answer up and respond (in the order o asks). */
static int answer(struct acs_acme_session *s, const struct acs_flow_io *io,
                  const struct acs_flow_authorize_opts *o, const json_t *authz, const json_t *chal,
                  const char *type, struct acs_flow_result *res)
{
	char *curl = strdup(json_string_value(json_object_get(chal, "url")));
	int rc = -1;

	if (curl == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
		return -1;
	}
	if (o->chal_seen != NULL)
		o->chal_seen(o->ctx, curl, chal);
	if (!o->respond_first)
		acs_flow_provision_answer(s, authz, chal, type, &o->prov, res);
	if (res->kind != ACS_FLOW_DONE ||
	    acs_flow_res_post(io, curl, &o->who, "{}", "challenge", res) != 0)
		goto out;
	if (!status_ok(o, res->resp)) {
		acs_flow_res_status(res, "challenge", "200");
		goto out;
	}
	if (o->chal_seen != NULL && json_is_object(res->resp->json))
		o->chal_seen(o->ctx, curl, res->resp->json);
	if (o->respond_first)
		acs_flow_provision_answer(s, authz, chal, type, &o->prov, res);
	rc = res->kind == ACS_FLOW_DONE ? 0 : -1;
out:
	free(curl);
	return rc;
}

/* The answer-tls-sni control (issue 7 item 9): POST {} to the withdrawn tls-sni challenges too. */
static void answer_tls_sni(const struct acs_flow_io *io, const struct acs_flow_authorize_opts *o,
                           const json_t *authz, struct acs_flow_result *res)
{
	const json_t *c;
	size_t k;

	json_array_foreach(json_object_get(authz, "challenges"), k, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		const char *u = json_string_value(json_object_get(c, "url"));
		struct acs_flow_result r2;

		if (t == NULL || u == NULL || strncmp(t, "tls-sni-", 8) != 0)
			continue;
		acs_flow_res_begin(&r2);
		(void)acs_flow_res_post(io, u, &o->who, "{}", "challenge", &r2);
	}
	(void)res;
}

/*
 * Authorization i: fetch, and answer it unless valid. *answered: it needs
 * polling. 0, or -1 with the step failed (res->invalid: it is settled wrong).
 */
static int authorize_one(struct acs_acme_session *s, const struct acs_flow_io *io,
                         const struct acs_flow_authorize_opts *o, size_t i, const char *url,
                         const char **type, int *answered, struct acs_flow_result *res)
{
	const json_t *chal;
	json_t *authz;
	const char *st;
	int rc;

	*answered = 0;
	if (fetch_authz(io, o, url, res) != 0)
		return -1;
	/* a copy: the object outlives the io's next request */
	authz = json_deep_copy(res->resp->json);
	if (o->authz_seen != NULL)
		o->authz_seen(o->ctx, i, url, authz);
	st = json_string_value(json_object_get(authz, "status"));
	if (st != NULL && strcmp(st, "valid") == 0 && !o->post_on_valid) {
		/* 7.1.3: the status decides; a valid authorization needs no challenge */
		acs_transcript_note(s->transcript,
		                    "authorization %zu is already valid: not answered again", i);
		acs_flow_note(s, "authorization %s already valid", url);
		json_decref(authz);
		return 0;
	}
	if (st == NULL || (strcmp(st, "pending") != 0 && strcmp(st, "valid") != 0)) {
		acs_flow_note(s, "authorization %s is %s", url, st != NULL ? st : "(no status)");
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE,
		                  "authorization %zu is \"%s\", not pending", i,
		                  st != NULL ? st : "(no status)");
		res->invalid = st != NULL;
		res->malformed = st == NULL;
		json_decref(authz);
		return -1;
	}
	chal = pick_challenge(o, i, authz, type, res);
	rc = chal != NULL ? answer(s, io, o, authz, chal, *type, res) : -1;
	if (rc == 0 && o->answer_tls_sni)
		answer_tls_sni(io, o, authz, res);
	*answered = rc == 0;
	json_decref(authz);
	return rc;
}

/* The order's authorization URLs (its object's, else its first's). New reference. */
static json_t *authz_urls(const struct acs_acme_order *o)
{
	json_t *list = json_object_get(o->obj, "authorizations");

	if (!json_is_array(list))
		list = json_object_get(o->created, "authorizations");
	return json_is_array(list) ? json_deep_copy(list) : json_array();
}

void acs_flow_step_authorize(struct acs_acme_session *s, const struct acs_flow_io *io,
                             const struct acs_flow_authorize_opts *o, struct acs_flow_result *res)
{
	json_t *urls = authz_urls(o->order), *answered = json_array(), *u;
	const char **types = NULL;
	size_t i;

	acs_flow_res_begin(res);
	if (urls == NULL || answered == NULL ||
	    (types = calloc(json_array_size(urls) + 1, sizeof(*types))) == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	if (json_array_size(urls) == 0 && o->need_authz) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE,
		                  "the order lists no authorizations");
		goto out;
	}
	json_array_foreach(urls, i, u)
	{
		const char *url = json_string_value(u);
		int now = 0;

		types[i] = o->type;
		if (url == NULL) {
			acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_PARSE,
			                  "authorizations holds a non-string");
			res->malformed = 1;
			goto out;
		}
		if (authorize_one(s, io, o, i, url, &types[i], &now, res) != 0)
			goto out;
		if (now && o->poll_each)
			first_poll_pause(o);
		if (now && o->poll_each && poll_authz(s, io, o, i, url, types[i], res) != 0)
			goto out;
		if (now)
			json_array_append_new(answered, json_integer((json_int_t)i));
	}
	if (json_array_size(answered) > 0 && !o->poll_each && !o->no_poll)
		first_poll_pause(o);
	json_array_foreach(answered, i, u)
	{
		size_t k = (size_t)json_integer_value(u);

		if (!o->poll_each && !o->no_poll &&
		    poll_authz(s, io, o, k, json_string_value(json_array_get(urls, k)), types[k],
		               res) != 0)
			break;
	}
out:
	free(types);
	json_decref(urls);
	json_decref(answered);
}
