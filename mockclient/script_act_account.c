/*
 * Server-script actions on accounts (docs/case-format.md, "Actions"):
 * new-account (with the external account binding forms), account-get,
 * account-update, account-deactivate, key-change.
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

int acs_sa_make_key(struct acs_run *run, const char *type, struct acs_key **out)
{
	struct acs_err err;

	acs_err_clear(&err);
	if (acs_flow_make_key(type, out, &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "key: %s", err.msg);
	return 0;
}

/* A new reference to another account's current key. */
int acs_sa_key_of(struct acs_run *run, const char *name, struct acs_key **out)
{
	struct acs_acme_account *o = acs_acme_account_find(run->s, name);
	struct acs_err err;

	acs_err_clear(&err);
	if (o == NULL || o->key == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "no account \"%s\" to take a key of", name);
	if (acs_key_from_evp(out, acs_key_evp(o->key), &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "key: %s", err.msg);
	return 0;
}

/*
 * The external account binding of an "eab" form ("always", "bad-mac", ...),
 * nonce: room for a random one (the "nonce" form).
 */
static void eab_form(struct acs_run *run, const char *mode, struct acs_flow_eab_opts *e,
                     char *nonce, size_t nonce_size)
{
	unsigned char rnd[16];
	char *n;

	memset(e, 0, sizeof(*e));
	e->kid = run->s->eab_kid;
	e->hmac = run->s->eab_hmac;
	if (strcmp(mode, "always") == 0 || strcmp(mode, "auto") == 0)
		e->missing_creds =
		    "external account binding needed but no --eab-kid/--eab-hmac given";
	if (strcmp(mode, "unknown-kid") == 0)
		e->kid = "acmespec-unknown-kid";
	if (strcmp(mode, "url-mismatch") == 0) {
		e->url = acs_acme_dir_url(run->s, "newNonce");
		if (e->url == NULL)
			e->url = run->s->directory_url;
	}
	if (strcmp(mode, "nonce") == 0) {
		RAND_bytes(rnd, sizeof(rnd));
		n = acs_b64url_encode(rnd, sizeof(rnd));
		snprintf(nonce, nonce_size, "%s", n != NULL ? n : "AAAA");
		free(n);
		e->nonce = nonce;
	}
	if (strcmp(mode, "alg-none") == 0)
		e->mis = ACS_MIS_BIT(ACS_MIS_ALG_NONE);
	else if (strcmp(mode, "bad-mac") == 0)
		e->mis = ACS_MIS_BIT(ACS_MIS_SIG_CORRUPT);
	e->other_key = strcmp(mode, "wrong-key") == 0;
}

/* The key of the new account: key_of, key, or (none given) the account's own or a new one. */
static int account_key(struct acs_run *run, struct acs_acme_account *a, struct acs_key **key)
{
	const char *keytype = acs_arg_str(run, "key", NULL);
	const char *keyof = acs_arg_str(run, "key_of", NULL);

	*key = NULL;
	if (keyof != NULL)
		return acs_sa_key_of(run, keyof, key);
	if (keytype != NULL || a == NULL || a->key == NULL)
		return acs_sa_make_key(run, keytype != NULL ? keytype : "ec256", key);
	return 0;
}

int acs_act_new_account(struct acs_run *run)
{
	const char *name = acs_arg_str(run, "name", "a");
	const char *eab = acs_arg_str(run, "eab", "auto");
	json_t *meta = json_object_get(run->s->directory, "meta");
	struct acs_flow_account_opts ao;
	struct acs_flow_eab_opts e;
	struct acs_flow_result res;
	struct acs_flow_io io;
	struct acs_key *key = NULL;
	struct acs_acme_account *a;
	char nonce[64];
	size_t i;

	if (acs_flow_need_url(run->s, "newAccount", NULL, &res) == NULL)
		return acs_sa_result(run, &res);
	if (account_key(run, acs_acme_account_find(run->s, name), &key) != 0)
		return -1;
	a = acs_acme_account_get(run->s, name);
	if (a == NULL) {
		acs_key_free(key);
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	}
	if (key != NULL) {
		acs_key_free(a->key);
		a->key = key;
		acs_acme_set_str(&a->url, NULL);
	}
	memset(&ao, 0, sizeof(ao));
	ao.account = a;
	ao.who.key = a->key;
	/* kid-not-jwk needs some account URL: another account's, when this one has none */
	for (i = 0; i < run->s->naccounts && ao.who.account_url == NULL; i++)
		ao.who.account_url = run->s->accounts[i].url;
	ao.agree_tos = acs_arg_bool(run, "tos", 1);
	ao.contact = json_object_get(run->step, "contact");
	ao.only_return_existing = json_object_get(run->step, "only_return_existing");
	eab_form(run, eab, &e, nonce, sizeof(nonce));
	if (strcmp(eab, "none") != 0 &&
	    (strcmp(eab, "auto") != 0 ||
	     json_is_true(json_object_get(meta, "externalAccountRequired"))))
		ao.eab = &e;
	ao.extra = json_object_get(run->step, "extra");
	acs_sa_io(run, &io);
	acs_flow_step_new_account(run->s, &io, &ao, &res);
	return acs_sa_result(run, &res);
}

/* POST to the account URL (payload NULL: POST-as-GET); 200 wanted, the object kept. */
static int act_account_post(struct acs_run *run, const json_t *payload)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	struct acs_acme_resp *r = NULL;
	int rc;

	if (a == NULL)
		return -1;
	rc = payload != NULL ? acs_sa_spost_json(run, a, a->url, payload, "reg", &r)
	                     : acs_sa_spost(run, a, a->url, NULL, "reg", 0, &r);
	if (rc != 0)
		return -1;
	if (r->http->status != 200)
		return acs_sa_fail_status(run, "account", "200");
	if (json_is_object(r->json)) {
		json_decref(a->obj);
		a->obj = json_incref(r->json);
	}
	return 0;
}

int acs_act_account_get(struct acs_run *run)
{
	return act_account_post(run, NULL);
}

int acs_act_account_update(struct acs_run *run)
{
	json_t *payload = json_object_get(run->step, "payload");
	json_t *empty = NULL;
	int rc;

	if (payload == NULL)
		payload = empty = json_object();
	rc = act_account_post(run, payload);
	json_decref(empty);
	return rc;
}

int acs_act_account_deactivate(struct acs_run *run)
{
	json_t *p = json_pack("{s:s}", "status", "deactivated");
	int rc = act_account_post(run, p);

	json_decref(p);
	return rc;
}

int acs_act_key_change(struct acs_run *run)
{
	struct acs_acme_account *a = acs_sa_step_account(run, 1);
	const char *newof = acs_arg_str(run, "new_key_of", NULL);
	struct acs_flow_keychange_opts k;
	struct acs_flow_result res;
	struct acs_flow_io io;

	if (a == NULL)
		return -1;
	memset(&k, 0, sizeof(k));
	if (acs_flow_need_url(run->s, "keyChange", "keyChange", &res) == NULL)
		return acs_sa_result(run, &res);
	if (acs_sa_signer(run, a, &k.who) != 0)
		return -1;
	if (newof != NULL ? acs_sa_key_of(run, newof, &k.new_key)
	                  : acs_sa_make_key(run, acs_arg_str(run, "new_key", "ec256"), &k.new_key))
		return -1;
	k.account = a;
	k.inner_mis = run->mis;
	acs_sa_io(run, &io);
	acs_flow_step_key_change(run->s, &io, &k, &res);
	return acs_sa_result(run, &res);
}
