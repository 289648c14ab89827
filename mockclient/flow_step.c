/*
 * The steps of the mock client engine that both drivers run (see flow.h,
 * "the steps, once for both drivers"): the results, the key change and
 * the revocation, and the flow's side of the adapters (its io, its
 * reporting of a result).
 */
#include "mockclient/flow.h"

#include <openssl/x509v3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/http.h"
#include "harness/rfc3339.h"
#include "harness/x509.h"
#include "mockclient/forms.h"

void acs_flow_res_fail(struct acs_flow_result *res, enum acs_flow_kind kind, const char *feature,
                       int code, const char *fmt, ...)
{
	va_list ap;

	res->kind = kind;
	res->feature = feature;
	res->err.code = code;
	va_start(ap, fmt);
	(void)vsnprintf(res->err.msg, sizeof(res->err.msg), fmt, ap);
	va_end(ap);
}

/* Fail the step with err as it is. */
void acs_flow_res_fail_err(struct acs_flow_result *res, enum acs_flow_kind kind,
                           const struct acs_err *err)
{
	res->kind = kind;
	res->err = *err;
}

/* An answer that is not the status wanted: OUTCOME, as "WHAT: expected WANT". */
void acs_flow_res_status(struct acs_flow_result *res, const char *what, const char *want)
{
	char *sum = acs_acme_resp_summary(res->resp);

	acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE, "%s: expected %s, got %s", what,
	                  want, sum != NULL ? sum : "?");
	free(sum);
	res->what = what;
	res->want = want;
}

void acs_flow_res_begin(struct acs_flow_result *res)
{
	memset(res, 0, sizeof(*res));
}

/* One signed request of a step; 0 with res->resp, or -1 with the step failed (HARNESS). */
int acs_flow_res_post(const struct acs_flow_io *io, const char *url,
                      const struct acs_flow_signer *who, const char *payload, const char *resource,
                      struct acs_flow_result *res)
{
	struct acs_err err;

	acs_err_clear(&err);
	res->resp = NULL;
	if (io->post(io->ctx, url, who, payload, resource, &res->resp, &err) != 0) {
		acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &err);
		return -1;
	}
	return 0;
}

void acs_flow_res_poll(struct acs_flow_result *res, const char *what,
                       int (*fetch)(void *ctx, const struct acs_acme_resp **r, struct acs_err *err),
                       void *ctx, const char *const *until, const char *const *waiting,
                       const struct acs_acme_wait *wait, double deadline)
{
	static const char *const busy[] = {"pending", "processing", NULL};
	const struct acs_acme_resp *last = NULL;
	struct acs_acme_poll p;
	struct acs_err err;
	int rc;

	acs_err_clear(&err);
	memset(&p, 0, sizeof(p));
	p.what = what;
	p.fetch = fetch;
	p.ctx = ctx;
	p.until = until;
	p.waiting = waiting != NULL ? waiting : busy;
	p.wait = *wait;
	p.deadline = deadline;
	rc = acs_acme_poll(&p, &last, &err);
	if (rc != 0 && res->kind == ACS_FLOW_DONE) {
		/* a state change that never comes is the target's doing */
		acs_flow_res_fail_err(res, ACS_FLOW_OUTCOME, &err);
		res->malformed = rc == ACS_E_PARSE;
	}
}

const char *acs_flow_need_url(struct acs_acme_session *s, const char *name, const char *feature,
                              struct acs_flow_result *res)
{
	const char *url = acs_acme_dir_url(s, name);

	if (url == NULL)
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, feature, ACS_E_UNSUPPORTED,
		                  "the directory has no %s URL", name);
	return url;
}

int acs_flow_make_key(const char *type, struct acs_key **out, struct acs_err *err)
{
	enum acs_key_type kt;

	if (type == NULL)
		type = "ec256";
	if (strcmp(type, "leading-zero") == 0)
		return acs_key_generate_leading_zero(out, 'x', err);
	if (acs_key_type_parse(type, &kt) != 0)
		return acs_err_set(err, ACS_E_INVAL, "unknown key type \"%s\"", type);
	return acs_key_generate(out, kt, err);
}

void acs_flow_step_key_change(struct acs_acme_session *s, const struct acs_flow_io *io,
                              struct acs_flow_keychange_opts *o, struct acs_flow_result *res)
{
	struct acs_acme_account *a = o->account;
	struct acs_acme_keychange k;
	const char *url;
	char *inner = NULL;

	acs_flow_res_begin(res);
	url = acs_flow_need_url(s, "keyChange", "keyChange", res);
	if (url == NULL)
		goto out;
	memset(&k, 0, sizeof(k));
	k.url = url;
	k.account_url = a->url;
	k.new_key = o->new_key;
	k.old_key = a->key; /* the key the account has now, whatever signs the outer JWS */
	k.other_url = acs_acme_dir_url(s, "newNonce");
	if (k.other_url == NULL)
		k.other_url = s->directory_url;
	k.mis = o->inner_mis & ACS_MIS_INNER_MASK;
	k.with_nonce = o->inner_nonce;
	inner = acs_acme_keychange_inner(&k, &res->err);
	if (inner == NULL) {
		acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &res->err);
		goto out;
	}
	if (acs_flow_res_post(io, url, &o->who, inner, "key-change", res) != 0)
		goto out;
	if (res->resp->http->status != 200) {
		acs_flow_res_status(res, "keyChange", "200");
		goto out;
	}
	acs_key_free(a->old_key);
	a->old_key = a->key;
	a->key = o->new_key;
	o->new_key = NULL;
out:
	acs_key_free(o->new_key);
	o->new_key = NULL;
	free(inner);
}

size_t acs_flow_idents(const json_t *list, struct acs_ident *ids, size_t max)
{
	size_t i, n = 0;
	json_t *e;

	json_array_foreach(list, i, e)
	{
		const char *t = json_string_value(json_object_get(e, "type"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (t == NULL || v == NULL || n >= max || strlen(t) >= sizeof(ids[n].type) ||
		    strlen(v) >= sizeof(ids[n].value))
			continue;
		memset(&ids[n], 0, sizeof(ids[n]));
		snprintf(ids[n].type, sizeof(ids[n].type), "%s", t);
		snprintf(ids[n].value, sizeof(ids[n].value), "%s", v);
		n++;
	}
	return n;
}

size_t acs_flow_order_idents(const struct acs_acme_order *o, struct acs_ident *ids, size_t max)
{
	const json_t *list = json_object_get(o->obj, "identifiers");

	if (!json_is_array(list) || json_array_size(list) == 0)
		list = o->sent_ids;
	return acs_flow_idents(list, ids, max);
}

/* The DER body of the finalize request, as o asks. 0, or the step failed (HARNESS). */
static int finalize_der(const struct acs_flow_finalize_opts *o, const struct acs_key *key,
                        struct acs_ident *ids, size_t n, unsigned char **der, size_t *der_len,
                        struct acs_flow_result *res)
{
	const char *cn = NULL;
	size_t i;
	int rc;

	if (o->csr == ACS_FLOW_CSR_GARBAGE) {
		*der_len = strlen(o->garbage);
		*der = malloc(*der_len);
		if (*der == NULL) {
			acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM,
			                  "out of memory");
			return -1;
		}
		memcpy(*der, o->garbage, *der_len);
		return 0;
	}
	for (i = 0; i < n && cn == NULL; i++) {
		if (strcmp(ids[i].type, "dns") == 0)
			cn = ids[i].value;
	}
	if (o->csr == ACS_FLOW_CSR_CN_ONLY)
		rc = acs_csr_make_cn_only(key, cn != NULL ? cn : ids[0].value, der, der_len,
		                          &res->err);
	else if (o->csr == ACS_FLOW_CSR_MUST_STAPLE)
		rc = acs_csr_make_must_staple(key, ids, n, der, der_len, &res->err);
	else
		rc = acs_csr_make(key, ids, n, 1, der, der_len, &res->err);
	if (rc != 0) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, rc, "CSR: %s", res->err.msg);
		return -1;
	}
	if (o->csr == ACS_FLOW_CSR_BAD_SIGNATURE && *der_len > 8)
		(*der)[*der_len - 3] ^= 0x01; /* inside the signature BIT STRING */
	return 0;
}

/*
 * The finalize payload {csr} for o's names and a new key (*key: owned).
 * New string, or NULL with the step failed.
 */
static char *finalize_payload(const struct acs_flow_finalize_opts *o, struct acs_key **key,
                              struct acs_flow_result *res)
{
	struct acs_ident ids[ACS_FLOW_MAX_NAMES];
	size_t n = acs_flow_idents(o->names, ids, ACS_FLOW_MAX_NAMES - 1);
	unsigned char *der = NULL;
	size_t der_len = 0;
	char *payload;

	if (n == 0) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE,
		                  "the order has no usable identifiers");
		return NULL;
	}
	if (o->make_key(o->key_ctx, key, &res->err) != 0) {
		acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &res->err);
		return NULL;
	}
	if (o->extra_name != NULL) {
		memset(&ids[n], 0, sizeof(ids[n]));
		snprintf(ids[n].type, sizeof(ids[n].type), "dns");
		snprintf(ids[n].value, sizeof(ids[n].value), "%s", o->extra_name);
		n++;
	} else if (o->missing_name && n > 1) {
		n--;
	} else if (o->missing_name) {
		snprintf(ids[0].type, sizeof(ids[0].type), "dns");
		snprintf(ids[0].value, sizeof(ids[0].value), "%s", o->lone_name);
	}
	if (finalize_der(o, *key, ids, n, &der, &der_len, res) != 0)
		return NULL;
	payload = acs_acme_finalize_payload(der, der_len, &res->err);
	free(der);
	if (payload == NULL)
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
	return payload;
}

void acs_flow_step_finalize(struct acs_acme_session *s, const struct acs_flow_io *io,
                            const struct acs_flow_finalize_opts *o, struct acs_flow_result *res)
{
	struct acs_acme_order *order = o->order;
	struct acs_key *key = NULL;
	char *url = NULL, *payload = NULL;

	(void)s;
	acs_flow_res_begin(res);
	if (o->url == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_PARSE,
		                  "the order has no finalize URL");
		res->malformed = 1;
		goto out;
	}
	/* a copy: the order object changes with the answer */
	url = strdup(o->url);
	if (url == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	payload = finalize_payload(o, &key, res);
	if (payload == NULL)
		goto out;
	/* the certificate key is the CSR's, whatever the answer: later checks compare with it */
	acs_key_free(order->cert_key);
	order->cert_key = key;
	key = NULL;
	if (acs_flow_res_post(io, url, &o->who, payload, "new-cert", res) != 0)
		goto out;
	if (res->resp->http->status != 200) {
		acs_flow_res_status(res, "finalize", "200");
		goto out;
	}
	if (json_is_object(res->resp->json)) {
		json_decref(order->obj);
		order->obj = json_incref(res->resp->json);
	}
out:
	acs_key_free(key);
	free(url);
	free(payload);
}

void acs_flow_step_revoke(struct acs_acme_session *s, const struct acs_flow_io *io,
                          const struct acs_flow_revoke_opts *o, struct acs_flow_result *res)
{
	const char *url;
	char *payload = NULL;

	acs_flow_res_begin(res);
	url = acs_flow_need_url(s, "revokeCert", "revokeCert", res);
	if (url == NULL)
		return;
	if (o->cert_pem == NULL) {
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE, "%s",
		                  o->cert_problem != NULL ? o->cert_problem
		                                          : "no downloaded certificate");
		return;
	}
	payload = acs_acme_revoke_payload(o->cert_pem, o->reason, &res->err);
	if (payload == NULL) {
		acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &res->err);
		return;
	}
	if (o->who.key == NULL)
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE, "%s",
		                  o->who_problem != NULL ? o->who_problem : "no key to sign with");
	else if (acs_flow_res_post(io, url, &o->who, payload, "revoke-cert", res) == 0 &&
	         res->resp->http->status != 200)
		acs_flow_res_status(res, "revokeCert", "200");
	free(payload);
}

/* ---- certificates ---- */

void acs_flow_chain_clear(struct acs_flow_chain *c)
{
	X509_free(c->leaf);
	c->leaf = NULL;
}

/* The leaf's notAfter is the order's (within a second). */
static int not_after_matches(X509 *leaf, const char *not_after)
{
	time_t want = 0, got = 0;
	struct tm tm;
	int ok = acs_rfc3339_parse(not_after, &want) == 0 &&
	         ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) == 1;

	if (ok)
		got = timegm(&tm);
	return ok && (got - want <= 1 && want - got <= 1);
}

/* The facts of a parsed chain's leaf. */
static void leaf_check(const struct acs_chain *chain, const struct acs_acme_order *o,
                       const struct acs_key *key, X509 *default_leaf, struct acs_flow_chain *c)
{
	X509 *leaf = chain->certs[0];
	struct acs_ident *cids = NULL, oids[ACS_FLOW_MAX_NAMES];
	size_t ncids = 0, noids = acs_flow_order_idents(o, oids, ACS_FLOW_MAX_NAMES);
	struct acs_err err;

	acs_err_clear(&err);
	X509_up_ref(leaf);
	c->leaf = leaf;
	c->leaf_key_matches = acs_acme_leaf_is_for(chain, key);
	if (acs_cert_idents(leaf, &cids, &ncids, &err) == 0) {
		c->leaf_names_match = acs_idents_equal_sets(cids, ncids, oids, noids);
		free(cids);
	}
	c->leaf_is_ca = (X509_get_extension_flags(leaf) & EXFLAG_CA) != 0;
	acs_err_clear(&err);
	c->verifies = acs_chain_verify(chain, NULL, &err) == 0;
	if (default_leaf != NULL)
		c->same_leaf = X509_cmp(leaf, default_leaf) == 0;
	if (o->not_after != NULL)
		c->not_after_matches = not_after_matches(leaf, o->not_after);
}

void acs_flow_chain_check(const char *pem, size_t len, const struct acs_acme_order *o,
                          const struct acs_key *key, X509 *default_leaf, struct acs_flow_chain *c)
{
	struct acs_chain *chain = NULL;
	struct acs_err err;
	const char *p;

	memset(c, 0, sizeof(*c));
	c->not_after_matches = -1;
	c->same_leaf = -1;
	/* 11.4: a chain holds CERTIFICATE blocks only */
	for (p = strstr(pem, "-----BEGIN"); p != NULL; p = strstr(p + 1, "-----BEGIN")) {
		if (strncmp(p, "-----BEGIN CERTIFICATE-----", 27) != 0) {
			snprintf(c->foreign, sizeof(c->foreign), "%.40s", p);
			break;
		}
	}
	acs_err_clear(&err);
	if (acs_chain_parse(pem, len, &chain, &err) != 0) {
		snprintf(c->problem, sizeof(c->problem), "%s", err.msg);
		return;
	}
	c->parsed = 1;
	c->strict = chain->strict;
	snprintf(c->problem, sizeof(c->problem), "%s", chain->problem);
	c->length = chain->n;
	if (chain->n > 0)
		leaf_check(chain, o, key, default_leaf, c);
	acs_chain_free(chain);
}

void acs_flow_cert_clear(struct acs_flow_cert *c)
{
	size_t i;

	for (i = 0; i < c->nalt; i++)
		free(c->alt[i]);
	acs_flow_chain_clear(&c->chain);
	memset(c, 0, sizeof(*c));
}

/* Fetch a chain and check it; 0 with the answer 200, or the step failed. */
static int fetch_chain(const struct acs_flow_io *io, const struct acs_flow_download_opts *o,
                       const char *what, struct acs_flow_cert *c, struct acs_flow_result *res)
{
	const struct acs_acme_resp *r;
	struct acs_err err;

	acs_flow_res_begin(res);
	memset(c, 0, sizeof(*c));
	acs_err_clear(&err);
	if (o->get ? io->get(io->ctx, o->url, &res->resp, &err) != 0
	           : acs_flow_res_post(io, o->url, &o->who, NULL, "cert", res) != 0) {
		if (o->get)
			acs_flow_res_fail_err(res, ACS_FLOW_HARNESS, &err);
		return -1;
	}
	r = res->resp;
	c->fetched = 1;
	while (c->nalt < ACS_FLOW_MAX_ALT) {
		char *l = acs_http_link(r->http, "alternate", c->nalt);

		if (l == NULL)
			break;
		c->alt[c->nalt++] = l;
	}
	if (r->http->status != 200) {
		acs_flow_res_status(res, what, "200");
		return -1;
	}
	acs_flow_chain_check(r->http->body, r->http->body_len, o->order, o->key, o->default_leaf,
	                     &c->chain);
	return 0;
}

void acs_flow_step_download(struct acs_acme_session *s, const struct acs_flow_io *io,
                            const struct acs_flow_download_opts *o, struct acs_flow_cert *c,
                            struct acs_flow_result *res)
{
	(void)s;
	if (fetch_chain(io, o, "certificate", c, res) == 0 &&
	    acs_acme_set_str(&o->order->cert_pem, res->resp->http->body) != 0)
		acs_flow_res_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_NOMEM, "out of memory");
}

void acs_flow_step_alternate(struct acs_acme_session *s, const struct acs_flow_io *io,
                             const struct acs_flow_download_opts *o, struct acs_flow_cert *c,
                             struct acs_flow_result *res)
{
	(void)s;
	(void)fetch_chain(io, o, "alternate certificate", c, res);
}

/* ---- the flow's side ---- */

static int flow_io_post(void *ctx, const char *url, const struct acs_flow_signer *who,
                        const char *payload, const char *resource, const struct acs_acme_resp **out,
                        struct acs_err *err)
{
	struct acs_flow_io_ctx *c = ctx;
	int rc;

	(void)resource;
	acs_acme_resp_free(c->last);
	c->last = NULL;
	rc = acs_flow_post_as(c->s, who, who->kid == NULL, url, payload, &c->last, err);
	*out = c->last;
	return rc;
}

static int flow_io_get(void *ctx, const char *url, const struct acs_acme_resp **out,
                       struct acs_err *err)
{
	struct acs_flow_io_ctx *c = ctx;
	int rc;

	acs_acme_resp_free(c->last);
	c->last = NULL;
	rc = acs_flow_plain(c->s, "GET", url, &c->last, err);
	*out = c->last;
	return rc;
}

void acs_flow_io_begin(struct acs_acme_session *s, struct acs_flow_io_ctx *c,
                       struct acs_flow_io *io)
{
	c->s = s;
	c->last = NULL;
	io->post = flow_io_post;
	io->get = flow_io_get;
	io->ctx = c;
}

void acs_flow_io_end(struct acs_flow_io_ctx *c)
{
	acs_acme_resp_free(c->last);
	c->last = NULL;
}

int acs_flow_finish(struct acs_acme_session *s, const struct acs_flow_result *res,
                    const char *label, struct acs_err *err)
{
	if (res->kind == ACS_FLOW_DONE)
		return 0;
	if (res->malformed)
		s->client.malformed = 1;
	if (res->what != NULL)
		return acs_flow_fail_resp(s, err, label, res->resp);
	*err = res->err;
	return err->code != 0 ? err->code : ACS_E_STATE;
}

void acs_flow_signer(struct acs_acme_session *s, struct acs_flow_signer *who)
{
	struct acs_acme_account *a = acs_acme_account_find(s, ACS_FLOW_ACCOUNT);

	memset(who, 0, sizeof(*who));
	if (a == NULL)
		return;
	who->key = a->key;
	who->kid = a->url;
	who->account_url = a->url;
}
