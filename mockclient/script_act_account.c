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

/* The External Account Binding JWS for newAccount (RFC 8555 7.3.4). New reference. */
static json_t *make_eab(struct acs_run *run, const char *mode, const struct acs_key *acct_key,
                        const char *url)
{
	struct acs_acme_eab e;
	unsigned char *mac = NULL, fake[32], rnd[16];
	size_t maclen = 0;
	char *nonce = NULL;
	json_t *out = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	memset(&e, 0, sizeof(e));
	e.kid = run->s->eab_kid;
	if (run->s->eab_hmac != NULL &&
	    acs_b64url_decode(run->s->eab_hmac, strlen(run->s->eab_hmac), &mac, &maclen, &err) !=
	        0) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "--eab-hmac: %s", err.msg);
		return NULL;
	}
	if ((e.kid == NULL || mac == NULL) &&
	    (strcmp(mode, "always") == 0 || strcmp(mode, "auto") == 0)) {
		acs_step_fail(run, ACS_STEP_HARNESS, "eab",
		              "external account binding needed but no --eab-kid/--eab-hmac given");
		goto out;
	}
	/* negative forms can run without credentials, with made-up ones */
	if (e.kid == NULL)
		e.kid = "acmespec-made-up-kid";
	if (strcmp(mode, "unknown-kid") == 0)
		e.kid = "acmespec-unknown-kid";
	e.mac = mac;
	e.mac_len = maclen;
	if (mac == NULL) {
		RAND_bytes(fake, sizeof(fake));
		e.mac = fake;
		e.mac_len = sizeof(fake);
	}
	e.url = url;
	if (strcmp(mode, "url-mismatch") == 0) {
		e.url = acs_acme_dir_url(run->s, "newNonce");
		if (e.url == NULL)
			e.url = run->s->directory_url;
	}
	e.acct_key = acct_key;
	if (strcmp(mode, "nonce") == 0) {
		RAND_bytes(rnd, sizeof(rnd));
		nonce = acs_b64url_encode(rnd, sizeof(rnd));
		e.nonce = nonce != NULL ? nonce : "AAAA";
	}
	if (strcmp(mode, "alg-none") == 0)
		e.mis = ACS_MIS_BIT(ACS_MIS_ALG_NONE);
	else if (strcmp(mode, "bad-mac") == 0)
		e.mis = ACS_MIS_BIT(ACS_MIS_SIG_CORRUPT);
	e.other_key = strcmp(mode, "wrong-key") == 0;
	out = acs_acme_eab_make(&e, &err);
	if (out == NULL)
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "EAB: %s", err.msg);
out:
	free(mac);
	free(nonce);
	return out;
}

int acs_act_new_account(struct acs_run *run)
{
	const char *name = acs_arg_str(run, "name", "a");
	const char *keytype = acs_arg_str(run, "key", NULL);
	const char *keyof = acs_arg_str(run, "key_of", NULL);
	const char *eab = acs_arg_str(run, "eab", "auto");
	const char *url = acs_acme_dir_url(run->s, "newAccount");
	json_t *payload = NULL, *v;
	struct acs_key *key = NULL;
	struct acs_acme_account *a;
	struct acs_acme_resp *r = NULL;
	const char *loc;
	const char *other_url = NULL;
	char *text = NULL;
	int rc = -1;

	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "the directory has no newAccount URL");
	a = acs_acme_account_find(run->s, name);
	if (keyof != NULL) {
		if (acs_sa_key_of(run, keyof, &key) != 0)
			goto out;
	} else if (keytype != NULL || a == NULL || a->key == NULL) {
		if (acs_sa_make_key(run, keytype != NULL ? keytype : "ec256", &key) != 0)
			goto out;
	}
	payload = json_object();
	if (acs_arg_bool(run, "tos", 1))
		json_object_set_new(payload, "termsOfServiceAgreed", json_true());
	v = json_object_get(run->step, "contact");
	if (v != NULL)
		json_object_set(payload, "contact", v);
	v = json_object_get(run->step, "only_return_existing");
	if (v != NULL)
		json_object_set(payload, "onlyReturnExisting", v);
	a = acs_acme_account_get(run->s, name);
	if (a == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
		goto out;
	}
	if (key != NULL) {
		acs_key_free(a->key);
		a->key = key;
		key = NULL;
		acs_acme_set_str(&a->url, NULL);
	}
	{
		json_t *meta = json_object_get(run->s->directory, "meta");
		int required = json_is_true(json_object_get(meta, "externalAccountRequired"));

		if (strcmp(eab, "none") != 0 && (strcmp(eab, "auto") != 0 || required)) {
			json_t *e = make_eab(run, eab, a->key, url);

			if (e == NULL)
				goto out;
			json_object_set_new(payload, "externalAccountBinding", e);
		}
	}
	v = json_object_get(run->step, "extra");
	if (json_is_object(v))
		json_object_update(payload, v);
	text = json_dumps(payload, JSON_COMPACT);
	if (text == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "cannot serialise the payload");
		goto out;
	}
	/* kid-not-jwk needs some account URL: another account's, when this one has none */
	if (run->s->naccounts > 0) {
		size_t i;

		for (i = 0; i < run->s->naccounts && other_url == NULL; i++)
			other_url = run->s->accounts[i].url;
	}
	if (acs_sa_spost_key(run, url, a->key, NULL, other_url, text, "new-reg", &r) != 0)
		goto out;
	/* a may have moved if spost created nothing; it did not, but look it up again anyway */
	a = acs_acme_account_find(run->s, name);
	loc = acs_http_header(r->http, "Location");
	if ((r->http->status == 201 || r->http->status == 200) && loc != NULL) {
		acs_acme_set_str(&a->url, loc);
		json_decref(a->obj);
		a->obj = json_is_object(r->json) ? json_incref(r->json) : NULL;
		rc = 0;
	} else if (r->http->status == 201 || r->http->status == 200) {
		rc = acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
		                   "newAccount: status %ld without a Location header",
		                   r->http->status);
	} else {
		rc = acs_sa_fail_status(run, "newAccount", "201 (or 200) with Location");
	}
out:
	free(text);
	json_decref(payload);
	acs_key_free(key);
	return rc;
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
	k.who.key = acs_sa_signing_key(run, a);
	if (k.who.key == NULL)
		return -1;
	k.who.kid = a->url;
	k.who.account_url = a->url;
	if (newof != NULL ? acs_sa_key_of(run, newof, &k.new_key)
	                  : acs_sa_make_key(run, acs_arg_str(run, "new_key", "ec256"), &k.new_key))
		return -1;
	k.account = a;
	k.inner_mis = run->mis;
	acs_sa_io(run, &io);
	acs_flow_step_key_change(run->s, &io, &k, &res);
	return acs_sa_result(run, &res);
}
