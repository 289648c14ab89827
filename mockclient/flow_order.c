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

static const char *account_url(struct acs_acme_session *s)
{
	struct acs_acme_account *a = acs_acme_account_find(s, ACS_FLOW_ACCOUNT);

	return a != NULL ? a->url : NULL;
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

int acs_flow_authorize(struct acs_acme_session *s, const char *type, struct acs_err *err)
{
	return acs_flow_authorize_order(s, ACS_FLOW_ORDER, type, err);
}

int acs_flow_authorize_order(struct acs_acme_session *s, const char *order, const char *type,
                             struct acs_err *err)
{
	struct acs_flow_authorize_opts ao;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	int rc;

	memset(&ao, 0, sizeof(ao));
	ao.order = acs_acme_order_get(s, order);
	if (ao.order == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	acs_flow_signer(s, &ao.who);
	ao.type = type;
	ao.get = SW(s, GET_RESOURCES);
	ao.any_2xx = 1;
	ao.post_on_valid = SW(s, POST_CHALLENGE_ON_VALID);
	ao.respond_first = SW(s, RESPOND_BEFORE_PROVISION);
	ao.prov.acct_key = account_key(s);
	ao.prov.need_dns_hook = 1;
	ao.prov.skip_alpn = SW(s, ALPN_UNPROVISIONED);
	ao.prov.keyauth_wrong = SW(s, KEYAUTH_WRONG);
	ao.prov.http01 = SW(s, HTTP01_TRAILING_NEWLINE) ? ACS_HTTP01_TRAILING_NL : ACS_HTTP01_OK;
	ao.prov.alpn = SW(s, ALPN_NONCRITICAL) ? ACS_ALPN_NONCRITICAL
	               : SW(s, ALPN_EXTRA_SAN) ? ACS_ALPN_EXTRA_SAN
	                                       : ACS_ALPN_OK;
	ao.prov.dns_star = SW(s, WILDCARD_TXT_STAR);
	/* dns-account-01 and dns-persist-01 (issue 7 item 3) */
	ao.prov.acct_url = account_url(s);
	ao.prov.dnsacct_full_hash = SW(s, DNSACCT_FULL_HASH);
	ao.prov.persist = SW(s, PERSIST_WRONG_ACCOUNT) ? ACS_PERSIST_WRONG_ACCOUNT
	                  : SW(s, PERSIST_NO_POLICY)   ? ACS_PERSIST_NO_POLICY
	                                               : ACS_PERSIST_OK;
	ao.prov.persist_any_issuers = SW(s, PERSIST_ANY_ISSUERS);
	ao.answer_tls_sni = SW(s, ANSWER_TLS_SNI);
	ao.no_poll = SW(s, FINALIZE_AFTER_RESPOND);
	acs_flow_wait_policy(s, &ao.wait);
	ao.deadline = s->client.deadline;
	acs_flow_io_begin(s, &c, &io);
	acs_flow_step_authorize(s, &io, &ao, &res);
	if (res.invalid && SW(s, FINALIZE_AFTER_INVALID))
		rc = 0;
	else if (res.invalid)
		rc = acs_err_set(err, ACS_E_STATE, "an authorization of the order is not valid");
	else
		rc = acs_flow_finish(s, &res, "authorization", err);
	acs_flow_io_end(&c);
	acs_flow_deprovision(s);
	return rc;
}

/* Keep an order object fetched as the flow's order (acs_flow_poll_order_opts.keep). */
static int keep_order(void *ctx, const json_t *obj, struct acs_err *err)
{
	return acs_flow_keep_order(ctx, obj, err);
}

/* Poll the order while its status is in `waiting`. */
static int poll_order(struct acs_acme_session *s, const char *const *waiting, struct acs_err *err)
{
	struct acs_flow_poll_order_opts po;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	int rc;

	memset(&po, 0, sizeof(po));
	po.order = flow_order(s);
	acs_flow_signer(s, &po.who);
	po.get = SW(s, GET_RESOURCES);
	po.payload = SW(s, ORDER_FETCH_EMPTY_OBJECT) ? "{}" : NULL;
	po.any_2xx = 1;
	po.keep = keep_order;
	po.ctx = s;
	acs_flow_wait_policy(s, &po.wait);
	po.deadline = s->client.deadline;
	po.waiting = waiting;
	acs_flow_io_begin(s, &c, &io);
	acs_flow_step_poll_order(s, &io, &po, &res);
	rc = acs_flow_finish(s, &res, "order", err);
	acs_flow_io_end(&c);
	return rc;
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

	if (!SW(s, FINALIZE_AFTER_INVALID) && !SW(s, FINALIZE_AFTER_RESPOND)) {
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
	if (!c->parsed && !SW(s, ACCEPT_ANY_PEM))
		return acs_err_set(err, ACS_E_PARSE, "certificate chain: %s", c->problem);
	if (!c->strict && !SW(s, ACCEPT_ANY_PEM))
		return acs_err_set(err, ACS_E_PARSE,
		                   "certificate chain is not only certificates (%s): rejecting it",
		                   c->problem);
	return 0;
}

/* pem is a chain whose top certificate was issued by a CA of common name cn. */
static int chain_leads_to(const char *pem, const char *cn)
{
	struct acs_chain *chain = NULL;
	struct acs_err err;
	char top[256];
	int yes;

	acs_err_clear(&err);
	yes = pem != NULL && acs_chain_parse(pem, strlen(pem), &chain, &err) == 0 &&
	      acs_chain_top_issuer_cn(chain, top, sizeof(top)) == 0 && strcmp(top, cn) == 0;
	acs_chain_free(chain);
	return yes;
}

/*
 * 7.4.2: alternates are fetched like the default chain, by POST-as-GET. A
 * client configured for a root's chain (preferred_chain) keeps the first
 * usable one leading to it when the default chain does not.
 */
static void fetch_alternates(struct acs_acme_session *s, struct acs_flow_download_opts *d,
                             const struct acs_flow_cert *main, struct acs_flow_io *io)
{
	const char *pref = s->client.preferred_chain;
	int want = pref != NULL && !SW(s, PREFERRED_CHAIN_IGNORED) &&
	           !chain_leads_to(d->order->cert_pem, pref);
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
		     c.chain.leaf_key_matches)) {
			acs_flow_note(s, "alternate chain %zu: %s", i + 1, d->url);
			if (want && chain_leads_to(res.resp->http->body, pref) &&
			    acs_acme_set_str(&d->order->cert_pem, res.resp->http->body) == 0) {
				acs_flow_note(s, "alternate chain %zu kept: it leads to \"%s\"",
				              i + 1, pref);
				want = 0;
			}
		} else if (c.fetched)
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
	/* accept-any-pem keeps even a body that is no PEM chain (issue 7 item 9: a DER leaf) */
	if (rc == 0 && !c.chain.leaf_key_matches && (c.chain.parsed || !SW(s, ACCEPT_ANY_PEM)))
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
