/*
 * The steps of the mock client engine that both drivers run (see flow.h,
 * "the steps, once for both drivers"): the results, the key change and
 * the revocation, and the flow's side of the adapters (its io, its
 * reporting of a result).
 */
#include "mockclient/flow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mockclient/forms.h"

/* Fail the step: kind, feature and why. */
static void step_fail(struct acs_flow_result *res, enum acs_flow_kind kind, const char *feature,
                      int code, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void step_fail(struct acs_flow_result *res, enum acs_flow_kind kind, const char *feature,
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
static void step_fail_err(struct acs_flow_result *res, enum acs_flow_kind kind,
                          const struct acs_err *err)
{
	res->kind = kind;
	res->err = *err;
}

/* An answer that is not the status wanted: OUTCOME, as "WHAT: expected WANT". */
static void step_fail_status(struct acs_flow_result *res, const char *what, const char *want)
{
	char *sum = acs_acme_resp_summary(res->resp);

	step_fail(res, ACS_FLOW_OUTCOME, NULL, ACS_E_STATE, "%s: expected %s, got %s", what, want,
	          sum != NULL ? sum : "?");
	free(sum);
	res->what = what;
	res->want = want;
}

static void step_begin(struct acs_flow_result *res)
{
	memset(res, 0, sizeof(*res));
}

/* One signed request of a step; 0 with res->resp, or -1 with the step failed (HARNESS). */
static int step_post(const struct acs_flow_io *io, const char *url,
                     const struct acs_flow_signer *who, const char *payload, const char *resource,
                     struct acs_flow_result *res)
{
	struct acs_err err;

	acs_err_clear(&err);
	res->resp = NULL;
	if (io->post(io->ctx, url, who, payload, resource, &res->resp, &err) != 0) {
		step_fail_err(res, ACS_FLOW_HARNESS, &err);
		return -1;
	}
	return 0;
}

const char *acs_flow_need_url(struct acs_acme_session *s, const char *name, const char *feature,
                              struct acs_flow_result *res)
{
	const char *url = acs_acme_dir_url(s, name);

	if (url == NULL)
		step_fail(res, ACS_FLOW_HARNESS, feature, ACS_E_UNSUPPORTED,
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

	step_begin(res);
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
		step_fail_err(res, ACS_FLOW_HARNESS, &res->err);
		goto out;
	}
	if (step_post(io, url, &o->who, inner, "key-change", res) != 0)
		goto out;
	if (res->resp->http->status != 200) {
		step_fail_status(res, "keyChange", "200");
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

void acs_flow_step_revoke(struct acs_acme_session *s, const struct acs_flow_io *io,
                          const struct acs_flow_revoke_opts *o, struct acs_flow_result *res)
{
	const char *url;
	char *payload = NULL;

	step_begin(res);
	url = acs_flow_need_url(s, "revokeCert", "revokeCert", res);
	if (url == NULL)
		return;
	if (o->cert_pem == NULL) {
		step_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE, "%s",
		          o->cert_problem != NULL ? o->cert_problem : "no downloaded certificate");
		return;
	}
	payload = acs_acme_revoke_payload(o->cert_pem, o->reason, &res->err);
	if (payload == NULL) {
		step_fail_err(res, ACS_FLOW_HARNESS, &res->err);
		return;
	}
	if (o->who.key == NULL)
		step_fail(res, ACS_FLOW_HARNESS, NULL, ACS_E_STATE, "%s",
		          o->who_problem != NULL ? o->who_problem : "no key to sign with");
	else if (step_post(io, url, &o->who, payload, "revoke-cert", res) == 0 &&
	         res->resp->http->status != 200)
		step_fail_status(res, "revokeCert", "200");
	free(payload);
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

void acs_flow_io_begin(struct acs_acme_session *s, struct acs_flow_io_ctx *c,
                       struct acs_flow_io *io)
{
	c->s = s;
	c->last = NULL;
	io->post = flow_io_post;
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
