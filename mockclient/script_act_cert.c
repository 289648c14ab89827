/*
 * Server-script actions on certificates (docs/case-format.md, "Actions"):
 * finalize, cert-download (with the chain facts), issue, revoke.
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

/* What the finalize action's key comes from. */
struct finalize_key_ctx {
	struct acs_run *run;
	struct acs_acme_account *a;
	const char *variant;
};

/* The CSR's key as the finalize variant asks (acs_flow_finalize_opts.make_key). */
static int finalize_key(void *ctx, struct acs_key **key, struct acs_err *err)
{
	struct finalize_key_ctx *fk = ctx;
	struct acs_run *run = fk->run;
	int rc = 0;

	if (strcmp(fk->variant, "account-key") == 0) {
		if (acs_key_from_evp(key, acs_key_evp(fk->a->key), err) != 0)
			rc = acs_step_fail(run, ACS_STEP_HARNESS, NULL, "CSR: %s", err->msg);
	} else if (strcmp(fk->variant, "key-of") == 0) {
		const char *of = acs_arg_str(run, "key_of", NULL);

		rc = of == NULL
		         ? acs_step_fail(run, ACS_STEP_HARNESS, NULL, "csr \"key-of\" needs key_of")
		         : acs_sa_key_of(run, of, key);
	} else {
		rc = acs_sa_make_key(run, acs_arg_str(run, "csr_key", "ec256"), key);
	}
	/* the step's failure is recorded already (the first one stands) */
	return rc != 0 ? acs_err_set(err, ACS_E_STATE, "%s", run->err.msg) : 0;
}

/* The finalize step with a CSR variant of the finalize action ("ok", "extra-name", ...). */
static int finalize(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                    const char *variant)
{
	struct finalize_key_ctx fk = {run, a, variant};
	struct acs_flow_finalize_opts fo;
	struct acs_flow_result res;
	struct acs_flow_io io;
	const json_t *ids = json_object_get(o->obj, "identifiers");
	char extra[300];

	memset(&fo, 0, sizeof(fo));
	fo.order = o;
	fo.url = json_string_value(json_object_get(o->obj, "finalize"));
	if (fo.url == NULL)
		fo.url = json_string_value(json_object_get(o->created, "finalize"));
	if (acs_sa_signer(run, a, &fo.who) != 0)
		return -1;
	fo.make_key = finalize_key;
	fo.key_ctx = &fk;
	fo.names = json_is_array(ids) && json_array_size(ids) > 0 ? ids : o->sent_ids;
	snprintf(extra, sizeof(extra), "extra.%s", run->s->domain[0]);
	fo.extra_name = strcmp(variant, "extra-name") == 0 ? extra : NULL;
	fo.missing_name = strcmp(variant, "missing-name") == 0;
	fo.lone_name = run->s->domain[2];
	fo.csr = strcmp(variant, "cn-only") == 0         ? ACS_FLOW_CSR_CN_ONLY
	         : strcmp(variant, "bad-signature") == 0 ? ACS_FLOW_CSR_BAD_SIGNATURE
	         : strcmp(variant, "garbage") == 0       ? ACS_FLOW_CSR_GARBAGE
	         : strcmp(variant, "must-staple") == 0   ? ACS_FLOW_CSR_MUST_STAPLE
	                                                 : ACS_FLOW_CSR_OK;
	fo.garbage = "this is not a DER certificate signing request";
	acs_sa_io(run, &io);
	acs_flow_step_finalize(run->s, &io, &fo, &res);
	return acs_sa_result(run, &res);
}

int acs_act_finalize(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;

	if (o == NULL)
		return -1;
	return finalize(run, a, o, acs_arg_str(run, "csr", "ok"));
}

/* The facts of a downloaded chain (docs/case-format.md, cert-download). */
static void chain_facts(struct acs_run *run, const struct acs_flow_chain *c)
{
	json_t *f = run->facts;

	json_object_set_new(f, "pem_strict", json_boolean(c->parsed && c->strict));
	json_object_set_new(f, "pem_problem", json_string(c->problem));
	json_object_set_new(f, "chain_length", json_integer((json_int_t)c->length));
	if (!c->parsed || c->length > 0) {
		json_object_set_new(f, "leaf_key_matches_csr", json_boolean(c->leaf_key_matches));
		json_object_set_new(f, "leaf_names_match_order", json_boolean(c->leaf_names_match));
		json_object_set_new(f, "leaf_is_ca", json_boolean(c->leaf_is_ca));
		json_object_set_new(f, "chain_verifies", json_boolean(c->verifies));
	}
	if (c->same_leaf >= 0)
		json_object_set_new(f, "same_leaf", json_boolean(c->same_leaf));
	if (c->not_after_matches >= 0)
		json_object_set_new(f, "not_after_matches", json_boolean(c->not_after_matches));
	acs_leaf_profile_facts(c->leaf, f); /* profiles: validity_hours, ocsp_url, crl_dp */
}

/* The download step, and the alternate one when alternate >= 0, as the cert-download action. */
static int cert_download(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                         long alternate)
{
	const char *cu = json_string_value(json_object_get(o->obj, "certificate"));
	struct acs_flow_download_opts d;
	struct acs_flow_cert c, ac;
	struct acs_flow_result res;
	struct acs_flow_io io;
	char *url = NULL;
	int rc = -1;

	if (cu == NULL) {
		const char *st = json_string_value(json_object_get(o->obj, "status"));

		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "order \"%s\" has no certificate URL (status %s)", o->name,
		                     st != NULL ? st : "?");
	}
	url = strdup(cu);
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	memset(&d, 0, sizeof(d));
	memset(&ac, 0, sizeof(ac));
	d.order = o;
	d.url = url;
	d.key = o->cert_key;
	acs_sa_io(run, &io);
	if (acs_sa_signer(run, a, &d.who) != 0) {
		free(url);
		return -1;
	}
	acs_flow_step_download(run->s, &io, &d, &c, &res);
	if (c.fetched) {
		acs_acme_set_str(&run->s->certificate_url, url);
		json_object_set_new(run->facts, "alternates", json_integer((json_int_t)c.nalt));
	}
	if (acs_sa_result(run, &res) != 0)
		goto out;
	if (c.nalt == 0 && acs_case_needs(run->c, "alternate-chains")) {
		acs_step_fail(run, ACS_STEP_HARNESS, "alternate-chains",
		              "the certificate response has no Link rel=\"alternate\"");
		goto out;
	}
	if (alternate < 0) {
		chain_facts(run, &c.chain);
		rc = 0;
		goto out;
	}
	if ((size_t)alternate >= c.nalt) {
		acs_step_fail(run, ACS_STEP_HARNESS, "alternate-chains",
		              "the certificate response has no alternate link %ld (it has %zu)",
		              alternate, c.nalt);
		goto out;
	}
	d.url = c.alt[alternate];
	d.default_leaf = c.chain.leaf;
	acs_flow_step_alternate(run->s, &io, &d, &ac, &res);
	if (acs_sa_result(run, &res) != 0)
		goto out;
	acs_acme_set_str(&run->s->certificate_url, d.url);
	chain_facts(run, &ac.chain);
	if (c.chain.leaf == NULL)
		json_object_set_new(run->facts, "same_leaf", json_false());
	rc = 0;
out:
	acs_flow_cert_clear(&c);
	acs_flow_cert_clear(&ac);
	free(url);
	return rc;
}

int acs_act_cert_download(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? acs_sa_step_order(run) : NULL;

	if (o == NULL)
		return -1;
	return cert_download(run, a, o, acs_arg_int(run, "alternate", -1));
}

int acs_act_issue(struct acs_run *run)
{
	json_t *ids = json_object_get(run->step, "identifiers");
	json_t *def = NULL;
	const char *name = acs_arg_str(run, "order", "o");
	struct acs_acme_account *a;
	struct acs_acme_order *o;
	int rc;

	if (ids == NULL)
		ids = def = json_pack("[s]", run->s->domain[0]);
	rc = acs_sa_new_order(run, name, ids);
	json_decref(def);
	if (rc != 0)
		return rc;
	a = acs_sa_step_account(run, 1);
	o = acs_acme_order_find(run->s, name);
	if (a == NULL || o == NULL)
		return -1;
	if (acs_sa_authorize(run, a, o, acs_arg_str(run, "type", "http-01")) != 0)
		return -1;
	if (finalize(run, a, o, "ok") != 0)
		return -1;
	{
		json_t *until = json_pack("[s,s]", "valid", "invalid");

		rc = acs_sa_poll_order(run, a, o, until);
		json_decref(until);
	}
	if (rc != 0)
		return rc;
	return cert_download(run, a, o, -1);
}

int acs_act_revoke(struct acs_run *run)
{
	struct acs_acme_order *o = acs_sa_step_order(run);
	const char *by = acs_arg_str(run, "by", "account");
	struct acs_flow_revoke_opts ro;
	struct acs_flow_result res;
	struct acs_flow_io io;
	char cert_problem[200], who_problem[200];

	if (o == NULL)
		return -1;
	memset(&ro, 0, sizeof(ro));
	snprintf(cert_problem, sizeof(cert_problem), "order \"%s\" has no downloaded certificate",
	         o->name);
	ro.cert_pem = o->cert_pem;
	ro.cert_problem = cert_problem;
	ro.reason = json_object_get(run->step, "reason");
	if (strcmp(by, "cert-key") == 0) {
		ro.who.key = o->cert_key;
		ro.who_problem = "no certificate key recorded";
	} else {
		const char *who = strcmp(by, "account") == 0 ? o->account : by;
		struct acs_acme_account *a = acs_acme_account_find(run->s, who);

		snprintf(who_problem, sizeof(who_problem), "revoke by: no account \"%s\"", who);
		ro.who_problem = who_problem;
		if (a != NULL && a->url != NULL)
			ro.who.key = acs_sa_signing_key(run, a);
		ro.who.kid = a != NULL ? a->url : NULL;
		ro.who.account_url = ro.who.kid;
	}
	acs_sa_io(run, &io);
	acs_flow_step_revoke(run->s, &io, &ro, &res);
	return acs_sa_result(run, &res);
}
