/*
 * The client flow (see flow.h): requests, the directory, the account and
 * its key change, the order. Authorizations, finalize, download and
 * revocation are in flow_order.c.
 */
#include "mockclient/flow.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/clock.h"
#include "harness/json_util.h"
#include "harness/rfc3339.h"
#include "harness/transcript.h"
#include "mockclient/forms.h"
#include "mockclient/match.h"
#include "mockclient/provision.h"

#define FLOW_MAX_RETRIES  5  /* 429 / 503 */
#define FLOW_MAX_BADNONCE 10 /* badNonce answers in a row */
/* ms between polls without Retry-After (RFC 8555 7.5.1 leaves the pace to the
 * client): at most 5 fetches of a URL in any second, within no-tight-poll */
#define FLOW_DEFAULT_WAIT 250L

#define SW(s, m) ACS_SW_HAS((s)->client.sw, ACS_SW_##m)

void acs_flow_note(struct acs_acme_session *s, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (s->client.note == NULL)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->client.note(s->client.note_ctx, msg);
}

int acs_flow_malformed(struct acs_acme_session *s, struct acs_err *err, const char *fmt, ...)
{
	char msg[ACS_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s->client.malformed = 1;
	return acs_err_set(err, ACS_E_PARSE, "%s", msg);
}

int acs_flow_fail_resp(struct acs_acme_session *s, struct acs_err *err, const char *what,
                       const struct acs_acme_resp *r)
{
	char *sum;

	/* RFC 8555 6.7: show the server's problem detail, unless hiding it on purpose */
	if (SW(s, HIDE_DETAIL) && r != NULL && r->http != NULL)
		return acs_err_set(err, ACS_E_STATE, "%s failed: status %ld", what,
		                   r->http->status);
	sum = acs_acme_resp_summary(r);
	acs_err_set(err, ACS_E_STATE, "%s failed: %s", what, sum != NULL ? sum : "no response");
	free(sum);
	return ACS_E_STATE;
}

void acs_flow_begin(struct acs_acme_session *s)
{
	s->vet_nonces = !SW(s, USE_INVALID_NONCE);
	s->headers = s->client.headers;
}

int acs_flow_plain(struct acs_acme_session *s, const char *method, const char *url,
                   struct acs_acme_resp **out, struct acs_err *err)
{
	int rc = acs_acme_plain(s, method, url, s->client.headers, s->client.mis, out, err);

	if (rc != 0)
		return acs_err_prefix(err, "%s %s", method, url);
	return 0;
}

void acs_flow_wait_policy(const struct acs_acme_session *s, struct acs_acme_wait *w)
{
	memset(w, 0, sizeof(*w));
	w->fixed_ms = SW(s, TIGHT_POLL) ? 0 : SW(s, IGNORE_RETRY_AFTER) ? 100 : -1;
	w->default_ms = FLOW_DEFAULT_WAIT;
}

/* One signed request as the client builds it; p's url and payload are set by the caller. */
static int flow_send(struct acs_acme_session *s, const struct acs_flow_signer *who,
                     struct acs_acme_post *p, int use_jwk, const char *nonce,
                     struct acs_acme_resp **out, struct acs_err *err)
{
	acs_mis_set mis = s->client.mis;

	if (who->key == NULL)
		return acs_err_set(err, ACS_E_STATE, "no account key");
	/* kid-unknown is about kid: requests signed with jwk (newAccount) stay correct */
	if (use_jwk)
		mis &= ~ACS_MIS_BIT(ACS_MIS_KID_UNKNOWN);
	if (p->payload_len == 0 && SW(s, B64_FALSE_POST_AS_GET))
		mis |= ACS_MIS_BIT(ACS_MIS_B64_FALSE);
	p->key = who->key;
	p->kid = use_jwk ? NULL : who->kid;
	p->account_url = who->account_url;
	p->mis = mis;
	p->extra_headers = s->client.headers;
	p->nonce = nonce;
	/* the request misbehaviours keep the engine's own badNonce retry */
	p->no_badnonce_retry = s->client.mis == 0;
	p->bugs = (SW(s, NO_JWK_NO_KID) ? ACS_POST_NO_KEY_SOURCE : 0) |
	          (SW(s, TWO_SIGNATURES) ? ACS_POST_TWO_SIGNATURES : 0) |
	          (SW(s, BODY_NOT_UTF8) ? ACS_POST_NOT_UTF8 : 0);
	if (acs_acme_post(s, p, out, err) != 0)
		return acs_err_prefix(err, "POST %s", p->url);
	return 0;
}

/* 1 when r is a badNonce to retry; *nonce keeps the rejected one with badnonce-reuse-nonce. */
static int retry_badnonce(struct acs_acme_session *s, const struct acs_acme_resp *r, int *count,
                          char **nonce)
{
	if (s->client.mis != 0 || !acs_acme_problem_is(r, "badNonce", 1) ||
	    SW(s, NO_BADNONCE_RETRY) || ++*count > FLOW_MAX_BADNONCE)
		return 0;
	/* retry with the error's own fresh nonce (6.5), or on purpose not */
	free(*nonce);
	*nonce = NULL;
	if (SW(s, BADNONCE_REUSE_NONCE) && s->last_used_nonce != NULL)
		*nonce = strdup(s->last_used_nonce);
	acs_flow_note(s, "badNonce from %s: retrying (%d)", r->url, *count);
	return 1;
}

int acs_flow_post_as(struct acs_acme_session *s, const struct acs_flow_signer *who, int use_jwk,
                     const char *url, const char *payload, struct acs_acme_resp **out,
                     struct acs_err *err)
{
	struct acs_acme_resp *r = NULL;
	struct acs_acme_post p;
	struct acs_acme_wait w;
	char *nonce = NULL;
	int badnonce = 0, retries = 0, rc;

	*out = NULL;
	acs_flow_wait_policy(s, &w);
	for (;;) {
		long ms;

		memset(&p, 0, sizeof(p));
		p.url = url;
		p.payload = payload;
		p.payload_len = payload != NULL ? strlen(payload) : 0;
		rc = flow_send(s, who, &p, use_jwk, nonce, &r, err);
		if (rc != 0)
			break;
		if (retry_badnonce(s, r, &badnonce, &nonce)) {
			acs_acme_resp_free(r);
			r = NULL;
			continue;
		}
		if ((r->http->status != 429 && r->http->status != 503) ||
		    SW(s, GIVE_UP_ON_RETRY_AFTER) || retries >= FLOW_MAX_RETRIES)
			break;
		ms = acs_acme_wait_ms(r, &w, s->client.deadline);
		if (ms < 0)
			break;
		retries++;
		/* issue 7 item 7: the control resends the nonce the refused request used */
		if (SW(s, RETRY_SAME_NONCE) && s->last_used_nonce != NULL) {
			free(nonce);
			nonce = strdup(s->last_used_nonce);
		}
		acs_flow_note(s, "status %ld from %s: retrying in %ld ms", r->http->status, url,
		              ms);
		acs_acme_resp_free(r);
		r = NULL;
		acs_sleep_ms(ms);
	}
	free(nonce);
	*out = r;
	return rc;
}

/* ---- directory ---- */

static const char *const v1_keys[] = {"new-reg",     "new-authz",  "new-cert",
                                      "revoke-cert", "key-change", NULL};
static const char *const v2_keys[] = {"newNonce",    "newAccount", "newOrder",
                                      "newAuthz",    "revokeCert", "keyChange",
                                      "renewalInfo", "meta",       NULL};
static const char *const meta_keys[] = {"termsOfService",          "website",  "caaIdentities",
                                        "externalAccountRequired", "profiles", NULL};

/* An ACME v1 directory: refused, or with accept-v1-directory mapped onto v2 names. */
static int v1_directory(struct acs_acme_session *s, json_t *d, struct acs_err *err)
{
	json_t *meta;
	size_t i;
	int v1 = 0;

	for (i = 0; v1_keys[i] != NULL; i++)
		v1 |= json_object_get(d, v1_keys[i]) != NULL;
	if (!v1 || json_object_get(d, "newAccount") != NULL)
		return 0;
	if (!SW(s, ACCEPT_V1_DIRECTORY))
		return acs_err_set(err, ACS_E_UNSUPPORTED,
		                   "the directory is ACME v1 (new-reg, new-authz, new-cert): this "
		                   "client speaks RFC 8555 only");
	/* the bug on purpose: map v1 names onto v2 ones and carry on */
	json_object_set(d, "newAccount", json_object_get(d, "new-reg"));
	json_object_set(d, "newOrder", json_object_get(d, "new-cert"));
	json_object_set(d, "newNonce", json_object_get(d, "new-reg"));
	json_object_set(d, "revokeCert", json_object_get(d, "revoke-cert"));
	meta = json_object_get(d, "meta");
	if (json_is_object(meta) && json_object_get(meta, "terms-of-service") != NULL)
		json_object_set(meta, "termsOfService", json_object_get(meta, "terms-of-service"));
	return 0;
}

/* strict-directory: refuse fields this client does not know. */
static int strict_directory(const json_t *d, struct acs_err *err)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)d, k, v)
	{
		if (!acs_str_in_list(v2_keys, k))
			return acs_err_set(err, ACS_E_UNSUPPORTED,
			                   "unknown directory field \"%s\": refusing the directory",
			                   k);
	}
	json_object_foreach(json_object_get(d, "meta"), k, v)
	{
		if (!acs_str_in_list(meta_keys, k))
			return acs_err_set(err, ACS_E_UNSUPPORTED,
			                   "unknown directory meta field \"%s\": refusing the "
			                   "directory",
			                   k);
	}
	return 0;
}

int acs_flow_directory(struct acs_acme_session *s, struct acs_err *err)
{
	static const char *const need[] = {"newNonce", "newAccount", "newOrder", NULL};
	struct acs_acme_resp *r = NULL;
	size_t i;
	int rc;

	rc = acs_acme_plain(s, "GET", s->directory_url, s->client.headers, s->client.mis, &r, err);
	if (rc != 0)
		return acs_err_prefix(err, "cannot fetch the directory");
	if (r->http->status != 200 || !json_is_object(r->json)) {
		rc = acs_flow_fail_resp(s, err, "directory", r);
		acs_acme_resp_free(r);
		return rc;
	}
	if (SW(s, STRICT_GET_NONCE) && acs_http_header(r->http, "Replay-Nonce") != NULL) {
		acs_acme_resp_free(r);
		return acs_err_set(err, ACS_E_UNSUPPORTED,
		                   "the directory's GET response carries a Replay-Nonce: refusing");
	}
	json_decref(s->directory);
	s->directory = json_incref(r->json);
	acs_acme_resp_free(r);
	rc = v1_directory(s, s->directory, err);
	if (rc != 0)
		return rc;
	for (i = 0; need[i] != NULL; i++) {
		const char *u = acs_acme_dir_url(s, need[i]);

		if (u == NULL)
			return acs_flow_malformed(s, err, "the directory has no %s URL", need[i]);
		if (strncmp(u, "https://", 8) != 0)
			return acs_flow_malformed(s, err, "the directory's %s is not https:// (%s)",
			                          need[i], u);
	}
	if (SW(s, STRICT_DIRECTORY) && strict_directory(s->directory, err) != 0)
		return err != NULL ? err->code : ACS_E_UNSUPPORTED;
	if (SW(s, REQUIRE_PROFILES) &&
	    json_object_get(json_object_get(s->directory, "meta"), "profiles") == NULL)
		return acs_err_set(
		    err, ACS_E_UNSUPPORTED,
		    "the directory advertises no profiles (meta.profiles): refusing");
	if (SW(s, REQUIRE_TOS) &&
	    json_object_get(json_object_get(s->directory, "meta"), "termsOfService") == NULL)
		return acs_err_set(err, ACS_E_UNSUPPORTED,
		                   "the directory names no terms of service: refusing");
	return 0;
}

/* ---- account ---- */

/* The externalAccountBinding, as the client's EAB switches shape it (acs_flow_eab_opts). */
static void flow_eab(struct acs_acme_session *s, const struct acs_flow_account *fa,
                     struct acs_buf *kid, struct acs_flow_eab_opts *e)
{
	memset(e, 0, sizeof(*e));
	acs_buf_init(kid, 0);
	if (fa->eab_kid != NULL)
		acs_buf_printf(kid, "%s%s", fa->eab_kid, SW(s, EAB_WRONG_KID) ? "-not-mine" : "");
	e->kid = fa->eab_kid == NULL ? NULL : kid->data != NULL ? kid->data : "x";
	e->hmac = fa->eab_hmac;
	e->missing_creds = "the CA requires an external account binding: give --eab-kid and "
	                   "--eab-hmac";
	if (SW(s, EAB_WRONG_URL))
		e->url = acs_acme_dir_url(s, "newNonce");
	e->alg = SW(s, EAB_NOT_MAC) ? "ES256" : "HS256";
	if (SW(s, EAB_WITH_NONCE))
		e->nonce = s->nonce != NULL ? s->nonce : "AAAAAAAAAAAAAAAAAAAAAA";
	e->other_key = SW(s, EAB_OTHER_KEY);
}

/* The contacts the client sends (with the mailto-hfields switch, one more). New reference. */
static json_t *flow_contacts(struct acs_acme_session *s, const struct acs_flow_account *fa)
{
	json_t *contacts = json_array();
	size_t i;

	for (i = 0; contacts != NULL && i < fa->ncontacts; i++)
		json_array_append_new(contacts, json_string(fa->contacts[i]));
	if (contacts != NULL && SW(s, MAILTO_HFIELDS))
		json_array_append_new(contacts, json_string("mailto:a@b.test?subject=x"));
	return contacts;
}

int acs_flow_new_account(struct acs_acme_session *s, const struct acs_flow_account *fa,
                         struct acs_err *err)
{
	json_t *meta = json_object_get(s->directory, "meta");
	struct acs_acme_account *a = acs_acme_account_get(s, ACS_FLOW_ACCOUNT);
	struct acs_flow_account_opts ao;
	struct acs_flow_eab_opts eab;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	struct acs_buf kid;
	json_t *contacts;
	int rc;

	if (a == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	acs_key_free(a->key);
	a->key = NULL;
	rc = fa->key != NULL ? acs_key_from_evp(&a->key, acs_key_evp(fa->key), err)
	                     : acs_key_generate(&a->key, ACS_KEY_EC256, err);
	if (rc != 0)
		return acs_err_prefix(err, "cannot make the account key");
	contacts = flow_contacts(s, fa);
	if (contacts == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	memset(&ao, 0, sizeof(ao));
	ao.account = a;
	acs_flow_signer(s, &ao.who);
	ao.who.kid = NULL;
	ao.contact = json_array_size(contacts) > 0 ? contacts : NULL;
	/* agree only when the CA has terms and the user said so (7.3: not by default) */
	ao.agree_tos = json_object_get(meta, "termsOfService") != NULL && fa->agree_tos &&
	               !SW(s, NO_TOS_AGREE);
	flow_eab(s, fa, &kid, &eab);
	if (json_is_true(json_object_get(meta, "externalAccountRequired")) && !SW(s, EAB_OMIT))
		ao.eab = &eab;
	acs_flow_io_begin(s, &c, &io);
	acs_flow_step_new_account(s, &io, &ao, &res);
	rc = acs_flow_finish(s, &res, "newAccount", err);
	acs_flow_io_end(&c);
	if (rc == 0)
		acs_flow_note(s, "account %s", a->url);
	acs_buf_free(&kid);
	json_decref(contacts);
	return rc;
}

int acs_flow_key_change(struct acs_acme_session *s, struct acs_err *err)
{
	struct acs_acme_account *a = acs_acme_account_find(s, ACS_FLOW_ACCOUNT);
	struct acs_flow_keychange_opts k;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	int rc;

	if (a == NULL || a->url == NULL)
		return acs_err_set(err, ACS_E_STATE, "no account to change the key of");
	memset(&k, 0, sizeof(k));
	k.account = a;
	acs_flow_signer(s, &k.who);
	k.inner_mis = s->client.inner_mis;
	k.inner_nonce = SW(s, KEYCHANGE_INNER_NONCE);
	if (acs_key_generate(&k.new_key, ACS_KEY_EC256, err) != 0)
		return acs_err_prefix(err, "cannot make a key");
	acs_flow_io_begin(s, &c, &io);
	acs_flow_step_key_change(s, &io, &k, &res);
	rc = acs_flow_finish(s, &res, "keyChange", err);
	acs_flow_io_end(&c);
	if (rc == 0)
		acs_flow_note(s, "account key rolled over");
	return rc;
}

/* ---- order ---- */

int acs_flow_keep_order(struct acs_acme_session *s, const json_t *obj, struct acs_err *err)
{
	struct acs_acme_order *o = acs_acme_order_get(s, ACS_FLOW_ORDER);
	json_t *ids = json_object_get(obj, "identifiers"),
	       *az = json_object_get(obj, "authorizations");
	json_t *ids0, *az0;
	int same;

	if (o == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	if (json_string_value(json_object_get(obj, "status")) == NULL)
		return acs_flow_malformed(s, err, "order without status");
	json_decref(o->obj);
	o->obj = json_deep_copy(obj);
	if (o->created == NULL) {
		o->created = json_deep_copy(obj);
		return 0;
	}
	/* 7.1.3: the arrays may come in any order, but must not change as sets */
	ids0 = json_object_get(o->created, "identifiers");
	az0 = json_object_get(o->created, "authorizations");
	/* a client that relies on the order of the arrays compares them in place */
	same = SW(s, RELY_ON_ORDER) ? json_equal(ids, ids0) && json_equal(az, az0)
	                            : acs_json_set_equal(ids, ids0) && acs_json_set_equal(az, az0);
	if (!same)
		return acs_err_set(err, ACS_E_STATE,
		                   "the order's identifiers or authorizations changed: treating "
		                   "the order as invalid");
	return 0;
}

/* The identifiers of dns names. New reference, or NULL. */
static json_t *dns_idents(const char *const *names, size_t n)
{
	json_t *ids = json_array();
	size_t i;

	for (i = 0; ids != NULL && i < n; i++)
		json_array_append_new(ids,
		                      json_pack("{s:s, s:s}", "type", "dns", "value", names[i]));
	return ids;
}

/* 1 when r is a 409 alreadyReplaced problem (RFC 9773 section 5). */
static int already_replaced(const struct acs_acme_resp *r)
{
	const char *t = r != NULL ? json_string_value(json_object_get(r->json, "type")) : NULL;

	return r != NULL && r->http->status == 409 && t != NULL &&
	       strcmp(t, "urn:ietf:params:acme:error:alreadyReplaced") == 0;
}

/*
 * The newOrder members a profile and the Let's Encrypt switches add
 * (draft-ietf-acme-profiles section 4): the configured profile when the
 * directory advertises it (not advertised: refused here, never sent);
 * *extra: new object or NULL. 0, or an error.
 */
static int order_extra(struct acs_acme_session *s, json_t **extra, struct acs_err *err)
{
	const json_t *adv = json_object_get(json_object_get(s->directory, "meta"), "profiles");
	const char *want = s->client.profile;

	*extra = NULL;
	if (want == NULL && SW(s, PROFILE_ALWAYS))
		want = "classic";
	if (want == NULL || SW(s, PROFILE_IGNORED))
		return 0;
	if (json_object_get(adv, want) == NULL && !SW(s, PROFILE_ALWAYS))
		return acs_err_set(err, ACS_E_UNSUPPORTED,
		                   "profile \"%s\" is not advertised by the server (%s): not "
		                   "requesting it",
		                   want, adv != NULL ? "see meta.profiles" : "no meta.profiles");
	*extra = json_pack("{s:s}", "profile", want);
	return *extra != NULL ? 0 : acs_err_set(err, ACS_E_NOMEM, "out of memory");
}

/* newOrder, and once more without the profile on invalidProfile (invalid-profile-retry). */
static void new_order_step(struct acs_acme_session *s, const struct acs_flow_io *io,
                           struct acs_flow_order_opts *oo, struct acs_flow_result *res)
{
	const char *pt;

	acs_flow_step_new_order(s, io, oo, res);
	pt = acs_acme_problem_type(res->resp);
	if (res->kind == ACS_FLOW_DONE || oo->extra == NULL || !SW(s, INVALID_PROFILE_RETRY) ||
	    pt == NULL || strcmp(pt, "urn:ietf:params:acme:error:invalidProfile") != 0)
		return;
	oo->extra = NULL;
	acs_flow_step_new_order(s, io, oo, res);
}

int acs_flow_new_order(struct acs_acme_session *s, const char *const *names, size_t n,
                       struct acs_err *err)
{
	struct acs_flow_order_opts oo;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	struct acs_acme_order *o;
	json_t *ids = dns_idents(names, n), *extra = NULL;
	const char *st;
	char na[32];
	int rc;

	if (ids == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	acs_flow_subdomain_ancestors(s, ids); /* RFC 9444 4.3, when advertised */
	if (order_extra(s, &extra, err) != 0) {
		json_decref(ids);
		return err->code;
	}
	memset(&oo, 0, sizeof(oo));
	oo.extra = extra;
	if (SW(s, ORDER_NOT_AFTER)) {
		acs_rfc3339_format(time(NULL) + 30L * 86400, na);
		oo.not_after = na;
	}
	oo.name = ACS_FLOW_ORDER;
	oo.account = ACS_FLOW_ACCOUNT;
	acs_flow_signer(s, &oo.who);
	oo.identifiers = ids;
	if (s->client.replaces != NULL) {
		if (extra == NULL)
			extra = json_object();
		if (extra == NULL ||
		    json_object_set_new(extra, "replaces", json_string(s->client.replaces)) != 0) {
			json_decref(ids);
			json_decref(extra);
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		}
		oo.extra = extra;
	}
	acs_flow_io_begin(s, &c, &io);
	new_order_step(s, &io, &oo, &res);
	if (res.kind != ACS_FLOW_DONE && s->client.replaces != NULL && oo.extra != NULL &&
	    already_replaced(res.resp) && !SW(s, ARI_GIVE_UP_ALREADY_REPLACED)) {
		/* another order replaced it already: this one is a new order, not a renewal */
		acs_flow_note(s, "the certificate was already replaced: ordering without replaces");
		json_object_del(extra, "replaces");
		oo.extra = json_object_size(extra) > 0 ? extra : NULL;
		new_order_step(s, &io, &oo, &res);
	}
	rc = acs_flow_finish(s, &res, "newOrder", err);
	o = acs_acme_order_get(s, ACS_FLOW_ORDER);
	if (rc == 0 && o == NULL)
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	if (rc == 0)
		rc = acs_flow_keep_order(s, res.resp->json, err);
	if (rc == 0 && (!json_is_array(json_object_get(o->obj, "authorizations")) ||
	                json_object_get(o->obj, "finalize") == NULL))
		rc = acs_flow_malformed(s, err, "order without authorizations or finalize");
	acs_flow_io_end(&c);
	json_decref(ids);
	json_decref(extra);
	if (rc != 0)
		return rc;
	st = json_string_value(json_object_get(o->obj, "status"));
	acs_flow_note(s, "order %s (%s)", o->url, st);
	if (SW(s, EXPECT_PENDING_ORDER) && strcmp(st, "pending") != 0)
		return acs_err_set(err, ACS_E_STATE, "unexpected status \"%s\" of a new order", st);
	return 0;
}

void acs_flow_deprovision(struct acs_acme_session *s)
{
	acs_acme_deprovision(s, SW(s, NO_DEPROVISION));
}

const char *acs_flow_certificate(struct acs_acme_session *s)
{
	struct acs_acme_order *o = acs_acme_order_find(s, ACS_FLOW_ORDER);

	return o != NULL ? o->cert_pem : NULL;
}
