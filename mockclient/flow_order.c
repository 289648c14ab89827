/*
 * The client flow (see flow.h), second half: authorizations and their
 * challenges, finalize, download with the chain checks, revocation.
 */
#include "mockclient/flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/clock.h"
#include "harness/json_util.h"
#include "harness/x509.h"
#include "mockclient/forms.h"
#include "mockclient/provision.h"

#define SW(s, m) ACS_SW_HAS((s)->client.sw, ACS_SW_##m)

static const struct acs_key *account_key(struct acs_acme_session *s)
{
	struct acs_acme_account *a = acs_acme_account_find(s, ACS_FLOW_ACCOUNT);

	return a != NULL ? a->key : NULL;
}

static struct acs_acme_order *flow_order(struct acs_acme_session *s)
{
	return acs_acme_order_get(s, ACS_FLOW_ORDER);
}

static const char *order_status(struct acs_acme_session *s)
{
	const char *st = json_string_value(json_object_get(flow_order(s)->obj, "status"));

	return st != NULL ? st : "?";
}

/* The key authorization the client serves (a wrong one with keyauth-wrong). New string. */
static char *flow_keyauth(struct acs_acme_session *s, const char *token, struct acs_err *err)
{
	struct acs_buf b;
	char *ka = acs_keyauth(token, account_key(s), err);

	if (ka == NULL) {
		acs_err_prefix(err, "key authorization");
		return NULL;
	}
	if (!SW(s, KEYAUTH_WRONG))
		return ka;
	free(ka);
	acs_buf_init(&b, 4096);
	acs_buf_printf(&b, "%sx.wrong", token);
	ka = acs_buf_steal(&b);
	if (ka == NULL)
		acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return ka;
}

/* Provision the answer to a challenge of an authorization. */
static int flow_provision(struct acs_acme_session *s, const json_t *authz, const json_t *chal,
                          const char *type, struct acs_err *err)
{
	const char *token = json_string_value(json_object_get(chal, "token"));
	const char *value =
	    json_string_value(json_object_get(json_object_get(authz, "identifier"), "value"));
	struct acs_acme_prov_req req;
	struct acs_ident id;
	char *ka;
	int rc;

	if (token == NULL || value == NULL)
		return acs_flow_malformed(
		    s, err, "challenge without token or authorization without identifier");
	/* 8.3: a token used in a path must be checked (base64url only) */
	if (!acs_b64url_valid(token, strlen(token)))
		return acs_err_set(err, ACS_E_PARSE,
		                   "challenge token is not base64url: refusing \"%.60s\"", token);
	if (strlen(value) + 1 > sizeof(id.value))
		return acs_flow_malformed(s, err, "identifier too long");
	if (strcmp(type, "dns-01") == 0 && s->client.dns_hook == NULL)
		return acs_err_set(err, ACS_E_STATE, "dns-01 needs --dns-hook");
	memset(&id, 0, sizeof(id));
	snprintf(id.type, sizeof(id.type), "dns");
	snprintf(id.value, sizeof(id.value), "%s", value);
	if (strcmp(type, "tls-alpn-01") == 0 && SW(s, ALPN_UNPROVISIONED)) {
		acs_flow_note(s, "tls-alpn-01 for %s not provisioned (alpn-unprovisioned)",
		              id.value);
		return 0;
	}
	ka = flow_keyauth(s, token, err);
	if (ka == NULL)
		return err->code;
	memset(&req, 0, sizeof(req));
	req.type = type;
	req.token = token;
	req.id = &id;
	req.keyauth = ka;
	req.http01 = SW(s, HTTP01_TRAILING_NEWLINE) ? ACS_HTTP01_TRAILING_NL : ACS_HTTP01_OK;
	req.alpn = SW(s, ALPN_NONCRITICAL) ? ACS_ALPN_NONCRITICAL
	           : SW(s, ALPN_EXTRA_SAN) ? ACS_ALPN_EXTRA_SAN
	                                   : ACS_ALPN_OK;
	req.dns_star = json_is_true(json_object_get(authz, "wildcard")) && SW(s, WILDCARD_TXT_STAR);
	rc = acs_acme_provision(s, &req, err);
	free(ka);
	return rc;
}

/* One resource polled by the flow: the last response is kept here until the next. */
struct flow_poll {
	struct acs_acme_session *s;
	const char *what; /* "authorization" or "order" */
	const char *url;
	struct acs_acme_resp *r; /* owned */
};

static int flow_poll_fetch(void *ctx, const struct acs_acme_resp **r, struct acs_err *err)
{
	struct flow_poll *fp = ctx;
	int rc;

	acs_acme_resp_free(fp->r);
	fp->r = NULL;
	rc = acs_flow_fetch(fp->s, fp->what, fp->url, &fp->r, err);
	/* the order is kept (and checked against its first form) on every fetch */
	if (rc == 0 && strcmp(fp->what, "order") == 0)
		rc = acs_flow_keep_order(fp->s, fp->r->json, err);
	*r = fp->r;
	return rc;
}

/*
 * Poll with the client's wait (Retry-After unless the switches say
 * otherwise): until a status of until, or while one of waiting. *obj: a
 * new reference to the last object, or NULL.
 */
static int flow_poll(struct acs_acme_session *s, const char *what, const char *url,
                     const char *const *until, const char *const *waiting, json_t **obj,
                     struct acs_err *err)
{
	static const char *const busy[] = {"pending", "processing", NULL};
	struct flow_poll fp = {s, what, url, NULL};
	struct acs_acme_poll p;
	const struct acs_acme_resp *last = NULL;
	int rc;

	memset(&p, 0, sizeof(p));
	p.what = what;
	p.fetch = flow_poll_fetch;
	p.ctx = &fp;
	p.until = until;
	p.waiting = until == NULL && waiting == NULL ? busy : waiting;
	acs_flow_wait_policy(s, &p.wait);
	p.deadline = s->client.deadline;
	rc = acs_acme_poll(&p, &last, err);
	if (rc == ACS_E_PARSE)
		s->client.malformed = 1;
	if (obj != NULL)
		*obj = rc == 0 ? json_incref(fp.r->json) : NULL;
	acs_acme_resp_free(fp.r);
	return rc;
}

static void note_challenge_errors(struct acs_acme_session *s, const json_t *authz)
{
	json_t *chs = json_object_get(authz, "challenges"), *c;
	size_t i;

	json_array_foreach(chs, i, c)
	{
		json_t *e = json_object_get(c, "error");
		const char *t = json_string_value(json_object_get(c, "type"));

		if (e != NULL && SW(s, HIDE_DETAIL))
			acs_flow_note(s, "challenge %s failed", t);
		else if (e != NULL)
			acs_flow_note(s, "challenge %s: %s: %s", t,
			              json_string_value(json_object_get(e, "type")),
			              json_string_value(json_object_get(e, "detail")));
	}
}

/* The challenge of an authorization to answer, after its checks. *chal: borrowed from authz. */
static int pick_challenge(struct acs_acme_session *s, const char *url, const json_t *authz,
                          const char *type, const json_t **chal, struct acs_err *err)
{
	if (json_is_true(json_object_get(authz, "wildcard")) && strcmp(type, "dns-01") != 0)
		return acs_err_set(err, ACS_E_UNSUPPORTED,
		                   "a wildcard authorization needs dns-01 (--challenge dns-01)");
	*chal = acs_acme_find_challenge(authz, type);
	if (*chal == NULL)
		return acs_err_set(err, ACS_E_UNSUPPORTED,
		                   "authorization %s offers no %s challenge", url, type);
	if (json_string_value(json_object_get(*chal, "url")) == NULL)
		return acs_flow_malformed(
		    s, err, "%s challenge without \"url\"%s", type,
		    json_object_get(*chal, "uri") != NULL ? " (it has ACME v1's \"uri\")" : "");
	return 0;
}

/*
 * Answer one authorization: provision, POST the challenge (or the other
 * way round with respond-before-provision). *answered: 1 when it now needs
 * polling; *failed: 1 when it is already settled wrong.
 */
static int answer_authz(struct acs_acme_session *s, const char *url, const char *type,
                        int *answered, int *failed, struct acs_err *err)
{
	struct acs_acme_resp *r = NULL, *cr = NULL;
	const json_t *chal = NULL;
	const char *st;
	int early = !SW(s, RESPOND_BEFORE_PROVISION);
	int rc = acs_flow_fetch(s, "authorization", url, &r, err);

	*answered = *failed = 0;
	if (rc != 0)
		return rc;
	st = json_string_value(json_object_get(r->json, "status"));
	if (st == NULL) {
		rc = acs_flow_malformed(s, err, "authorization without status");
	} else if (strcmp(st, "valid") == 0 && !SW(s, POST_CHALLENGE_ON_VALID)) {
		/* 7.1.3: the status decides; a valid authorization needs no challenge */
		acs_flow_note(s, "authorization %s already valid", url);
	} else if (strcmp(st, "valid") != 0 && strcmp(st, "pending") != 0) {
		acs_flow_note(s, "authorization %s is %s", url, st);
		*failed = 1;
	} else {
		rc = pick_challenge(s, url, r->json, type, &chal, err);
		if (rc == 0 && early)
			rc = flow_provision(s, r->json, chal, type, err);
		if (rc == 0)
			rc = acs_flow_post(s, json_string_value(json_object_get(chal, "url")), "{}",
			                   0, &cr, err);
		if (rc == 0 && cr->http->status / 100 != 2)
			rc = acs_flow_fail_resp(s, err, "challenge response", cr);
		if (rc == 0 && !early)
			rc = flow_provision(s, r->json, chal, type, err);
		*answered = rc == 0;
	}
	acs_acme_resp_free(cr);
	acs_acme_resp_free(r);
	return rc;
}

/* Poll the answered authorizations; *failed when one did not turn valid. */
static int poll_answered(struct acs_acme_session *s, json_t *answered, int *failed,
                         struct acs_err *err)
{
	size_t i;
	json_t *u;

	json_array_foreach(answered, i, u)
	{
		const char *url = json_string_value(u), *st;
		json_t *az = NULL;
		int rc;

		if (*failed)
			break;
		rc = flow_poll(s, "authorization", url, NULL, NULL, &az, err);
		if (rc != 0)
			return rc;
		st = json_string_value(json_object_get(az, "status"));
		if (strcmp(st, "valid") != 0) {
			acs_flow_note(s, "authorization %s is %s", url, st);
			note_challenge_errors(s, az);
			*failed = 1;
		} else {
			acs_flow_note(s, "authorization %s valid", url);
		}
		json_decref(az);
	}
	return 0;
}

int acs_flow_authorize(struct acs_acme_session *s, const char *type, struct acs_err *err)
{
	json_t *azs = json_deep_copy(json_object_get(flow_order(s)->obj, "authorizations"));
	json_t *answered = json_array(), *u;
	size_t i;
	int rc = 0, failed = 0;

	if (azs == NULL || answered == NULL)
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	json_array_foreach(azs, i, u)
	{
		int now_answered = 0;

		if (rc != 0 || failed)
			break;
		if (!json_is_string(u))
			rc = acs_flow_malformed(s, err, "authorizations holds a non-string");
		else
			rc = answer_authz(s, json_string_value(u), type, &now_answered, &failed,
			                  err);
		if (rc == 0 && now_answered)
			json_array_append(answered, u);
	}
	if (rc == 0 && !failed)
		rc = poll_answered(s, answered, &failed, err);
	acs_flow_deprovision(s);
	if (rc == 0 && failed && !SW(s, FINALIZE_AFTER_INVALID))
		rc = acs_err_set(err, ACS_E_STATE, "an authorization of the order is not valid");
	json_decref(azs);
	json_decref(answered);
	return rc;
}

/* Poll the order while its status is in `waiting`. */
static int poll_order(struct acs_acme_session *s, const char *const *waiting, struct acs_err *err)
{
	return flow_poll(s, "order", flow_order(s)->url, NULL, waiting, NULL, err);
}

/* The certificate key: fresh, or the account key with csr-account-key (make_key of the step). */
static int flow_cert_key(void *ctx, struct acs_key **out, struct acs_err *err)
{
	struct acs_acme_session *s = ctx;
	int rc = SW(s, CSR_ACCOUNT_KEY) ? acs_key_from_evp(out, acs_key_evp(account_key(s)), err)
	                                : acs_key_generate(out, ACS_KEY_EC256, err);

	return rc != 0 ? acs_err_prefix(err, "cannot make the certificate key") : 0;
}

/* Send the finalize request for the order's names, as the CSR switches shape it. */
static int send_finalize(struct acs_acme_session *s, struct acs_err *err)
{
	struct acs_acme_order *o = flow_order(s);
	struct acs_flow_finalize_opts fo;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	struct acs_buf lone;
	int rc;

	memset(&fo, 0, sizeof(fo));
	fo.order = o;
	fo.url = json_string_value(json_object_get(o->obj, "finalize"));
	acs_flow_signer(s, &fo.who);
	fo.make_key = flow_cert_key;
	fo.key_ctx = s;
	fo.names = o->sent_ids;
	fo.missing_name = SW(s, CSR_MISSING_NAME);
	acs_buf_init(&lone, 0);
	acs_buf_printf(&lone, "missing.%s",
	               json_string_value(json_object_get(json_array_get(o->sent_ids, 0), "value")));
	fo.lone_name = lone.data != NULL ? lone.data : "missing.invalid";
	fo.csr = SW(s, CSR_NOT_DER) ? ACS_FLOW_CSR_GARBAGE : ACS_FLOW_CSR_OK;
	fo.garbage = "acmespec: not a CSR";
	acs_flow_io_begin(s, &c, &io);
	acs_flow_step_finalize(s, &io, &fo, &res);
	rc = acs_flow_finish(s, &res, "finalize", err);
	/* the client wants an order object back, and checks it against the first */
	if (rc == 0 && !json_is_object(res.resp->json))
		rc = acs_flow_fail_resp(s, err, "finalize", res.resp);
	if (rc == 0)
		rc = acs_flow_keep_order(s, res.resp->json, err);
	acs_flow_io_end(&c);
	acs_buf_free(&lone);
	return rc;
}

int acs_flow_finalize(struct acs_acme_session *s, struct acs_err *err)
{
	static const char *const before[] = {"pending", NULL};
	static const char *const during[] = {"processing", NULL};
	json_t *e;
	int rc;

	if (!SW(s, FINALIZE_AFTER_INVALID)) {
		rc = poll_order(s, before, err);
		if (rc != 0)
			return rc;
		if (strcmp(order_status(s), "ready") != 0 && strcmp(order_status(s), "valid") != 0)
			return acs_err_set(err, ACS_E_STATE, "order is %s, not ready",
			                   order_status(s));
	}
	/* an order reused as already valid needs no finalize */
	if (strcmp(order_status(s), "valid") != 0) {
		rc = send_finalize(s, err);
		if (rc == 0)
			rc = poll_order(s, during, err);
		if (rc != 0)
			return rc;
	}
	if (strcmp(order_status(s), "valid") == 0)
		return 0;
	e = json_object_get(flow_order(s)->obj, "error");
	if (e != NULL && !SW(s, HIDE_DETAIL))
		return acs_err_set(err, ACS_E_STATE,
		                   "order is %s after finalize; order error: %s: %s",
		                   order_status(s), json_string_value(json_object_get(e, "type")),
		                   json_string_value(json_object_get(e, "detail")));
	return acs_err_set(err, ACS_E_STATE, "order is %s after finalize", order_status(s));
}

/* 11.4: only CERTIFICATE blocks (MUST reject other blocks; SHOULD: nothing else either). */
static int chain_verdict(struct acs_acme_session *s, const struct acs_flow_chain *c,
                         struct acs_err *err)
{
	if (c->foreign[0] != '\0' && !SW(s, ACCEPT_ANY_PEM))
		return acs_err_set(err, ACS_E_PARSE,
		                   "certificate chain holds \"%s\": rejecting it (RFC 8555 section "
		                   "11.4)",
		                   c->foreign);
	if (!c->parsed)
		return acs_err_set(err, ACS_E_PARSE, "certificate chain: %s", c->problem);
	if (!c->strict && !SW(s, ACCEPT_ANY_PEM))
		return acs_err_set(err, ACS_E_PARSE,
		                   "certificate chain is not only certificates (%s): rejecting it",
		                   c->problem);
	return 0;
}

/* 7.4.2: alternates are fetched like the default chain, by POST-as-GET. */
static void fetch_alternates(struct acs_acme_session *s, struct acs_flow_download_opts *d,
                             const struct acs_flow_cert *main, struct acs_flow_io *io)
{
	size_t i;

	for (i = 0; i < 4 && i < main->nalt; i++) {
		struct acs_flow_result res;
		struct acs_flow_cert c;
		struct acs_err err;

		acs_err_clear(&err);
		d->url = main->alt[i];
		d->get = SW(s, FETCH_ALTERNATES_GET);
		acs_flow_step_alternate(s, io, d, &c, &res);
		if ((res.kind == ACS_FLOW_DONE && chain_verdict(s, &c.chain, &err) == 0 &&
		     c.chain.leaf_key_matches))
			acs_flow_note(s, "alternate chain %zu: %s", i + 1, d->url);
		else if (c.fetched)
			acs_flow_note(s, "alternate chain %zu: %s unusable (status %ld)", i + 1,
			              d->url, res.resp->http->status);
		acs_flow_cert_clear(&c);
	}
}

int acs_flow_download(struct acs_acme_session *s, struct acs_err *err)
{
	struct acs_acme_order *o = flow_order(s);
	const char *curl = json_string_value(json_object_get(o->obj, "certificate"));
	struct acs_flow_download_opts d;
	struct acs_flow_result res;
	struct acs_flow_cert c;
	struct acs_flow_io_ctx ic;
	struct acs_flow_io io;
	int rc;

	if (curl == NULL)
		return acs_flow_malformed(s, err, "valid order without certificate URL");
	memset(&d, 0, sizeof(d));
	d.order = o;
	d.url = curl;
	acs_flow_signer(s, &d.who);
	d.get = SW(s, GET_RESOURCES);
	d.key = o->cert_key != NULL ? o->cert_key : account_key(s);
	acs_flow_io_begin(s, &ic, &io);
	acs_flow_step_download(s, &io, &d, &c, &res);
	rc = acs_flow_finish(s, &res, "certificate download", err);
	if (rc == 0)
		rc = chain_verdict(s, &c.chain, err);
	if (rc == 0 && !c.chain.leaf_key_matches)
		rc =
		    acs_err_set(err, ACS_E_VERIFY, "the certificate is not for the key of the CSR");
	if (rc == 0)
		fetch_alternates(s, &d, &c, &io);
	else
		acs_acme_set_str(&o->cert_pem, NULL); /* only a chain the client accepts is kept */
	acs_flow_io_end(&ic);
	acs_flow_cert_clear(&c);
	return rc;
}

int acs_flow_revoke(struct acs_acme_session *s, struct acs_err *err)
{
	struct acs_flow_revoke_opts o;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	json_t *reason = json_integer(SW(s, REVOKE_BAD_REASON) ? 7 : 4);
	int rc;

	memset(&o, 0, sizeof(o));
	o.cert_pem = acs_flow_certificate(s);
	o.reason = reason;
	acs_flow_signer(s, &o.who);
	o.who_problem = "no account key";
	acs_flow_io_begin(s, &c, &io);
	acs_flow_step_revoke(s, &io, &o, &res);
	rc = acs_flow_finish(s, &res, "revocation", err);
	acs_flow_io_end(&c);
	if (rc == 0)
		acs_flow_note(s, "certificate revoked");
	json_decref(reason);
	return rc;
}
