/*
 * The actions of server scripts (docs/case-format.md, "Actions"). Each
 * action makes its requests through the session, leaves the response to
 * judge in run->resp and its facts in run->facts, and reports a failure to
 * succeed "in the ordinary way" through acs_step_fail: ACS_STEP_OUTCOME when
 * the server answered otherwise (a judged step then judges that answer),
 * ACS_STEP_HARNESS when the harness could not do what was asked.
 *
 * This file holds the helpers every family of actions shares
 * (script_act.h), the directory and nonce actions, the raw requests and
 * the action table; the families are in script_act_account.c,
 * script_act_order.c, script_act_authz.c and script_act_cert.c.
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

#define MAX_COLLECT 10000

static const char *const key_choices[] = {
    "ec256", "ec384", "rsa2048", "rsa1024", "ed25519", "leading-zero", "rsa3072", "rsa4096", NULL};

/* "expected 201, got status 400 urn:...: detail" as an outcome failure. */
int acs_sa_fail_status(struct acs_run *run, const char *what, const char *want)
{
	char *sum = acs_acme_resp_summary(run->resp);
	int rc = acs_step_fail(run, ACS_STEP_OUTCOME, NULL, "%s: expected %s, got %s", what, want,
	                       sum != NULL ? sum : "?");

	free(sum);
	return rc;
}

struct acs_acme_account *acs_sa_step_account(struct acs_run *run, int need_url)
{
	const char *name = acs_arg_str(run, "account", "a");
	struct acs_acme_account *a = acs_acme_account_find(run->s, name);

	if (a == NULL || a->key == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		              "no account \"%s\" (create it with new-account)", name);
		return NULL;
	}
	if (need_url && a->url == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "account \"%s\" has no URL", name);
		return NULL;
	}
	return a;
}

struct acs_acme_order *acs_sa_step_order(struct acs_run *run)
{
	const char *name = acs_arg_str(run, "order", "o");
	struct acs_acme_order *o = acs_acme_order_find(run->s, name);

	if (o == NULL || o->url == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		              "no order \"%s\" (create it with new-order)", name);
		return NULL;
	}
	return o;
}

/* The key that signs for the account, after sign_with. */
const struct acs_key *acs_sa_signing_key(struct acs_run *run, struct acs_acme_account *a)
{
	const char *with = acs_arg_str(run, "sign_with", NULL);
	struct acs_acme_account *other;

	if (with == NULL)
		return a->key;
	if (strcmp(with, "old") == 0) {
		if (a->old_key == NULL)
			acs_step_fail(run, ACS_STEP_HARNESS, NULL,
			              "sign_with old: account \"%s\" has had no key change",
			              a->name);
		return a->old_key;
	}
	other = acs_acme_account_find(run->s, with);
	if (other == NULL || other->key == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "sign_with: no account \"%s\"", with);
		return NULL;
	}
	return other->key;
}

int acs_sa_signer(struct acs_run *run, struct acs_acme_account *a, struct acs_flow_signer *who)
{
	who->key = acs_sa_signing_key(run, a);
	who->kid = a->url;
	who->account_url = a->url;
	return who->key != NULL ? 0 : -1;
}

/* The server cases' io (struct acs_flow_io): each answer becomes the step's judged one. */
static int sa_io_post(void *ctx, const char *url, const struct acs_flow_signer *who,
                      const char *payload, const char *resource, const struct acs_acme_resp **out,
                      struct acs_err *err)
{
	struct acs_run *run = ctx;
	struct acs_acme_post p;
	struct acs_acme_resp *r = NULL;

	if (url == NULL)
		return acs_err_set(err, ACS_E_INVAL, "no URL to send to");
	memset(&p, 0, sizeof(p));
	p.url = url;
	p.key = who->key;
	p.kid = who->kid;
	p.account_url = who->account_url;
	p.payload = payload;
	p.payload_len = payload != NULL ? strlen(payload) : 0;
	p.resource = resource;
	p.mis = run->mis;
	p.extra_headers = run->headers;
	if (acs_acme_post(run->s, &p, &r, err) != 0)
		return acs_err_prefix(err, "POST %s", url);
	acs_step_set_resp(run, r);
	*out = r;
	return 0;
}

static int sa_io_get(void *ctx, const char *url, const struct acs_acme_resp **out,
                     struct acs_err *err)
{
	struct acs_run *run = ctx;
	struct acs_acme_resp *r = NULL;

	if (acs_acme_plain(run->s, "GET", url, run->headers, run->mis, &r, err) != 0)
		return -1;
	acs_step_set_resp(run, r);
	*out = r;
	return 0;
}

void acs_sa_io(struct acs_run *run, struct acs_flow_io *io)
{
	io->post = sa_io_post;
	io->get = sa_io_get;
	io->ctx = run;
}

int acs_sa_result(struct acs_run *run, const struct acs_flow_result *res)
{
	if (res->kind == ACS_FLOW_DONE)
		return 0;
	return acs_step_fail(run,
	                     res->kind == ACS_FLOW_OUTCOME ? ACS_STEP_OUTCOME : ACS_STEP_HARNESS,
	                     res->feature, "%s", res->err.msg);
}

int acs_sa_spost_key(struct acs_run *run, const char *url, const struct acs_key *key,
                     const char *kid, const char *account_url, const char *payload,
                     const char *resource, struct acs_acme_resp **out)
{
	const struct acs_flow_signer who = {key, kid, account_url};
	const struct acs_acme_resp *r = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	if (sa_io_post(run, url, &who, payload, resource, &r, &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
	if (out != NULL)
		*out = run->resp;
	return 0;
}

/* Signed with the step's account by kid (or jwk when use_jwk). */
int acs_sa_spost(struct acs_run *run, struct acs_acme_account *a, const char *url,
                 const char *payload, const char *resource, int use_jwk, struct acs_acme_resp **out)
{
	const struct acs_key *key = acs_sa_signing_key(run, a);

	if (key == NULL)
		return -1;
	return acs_sa_spost_key(run, url, key, use_jwk ? NULL : a->url, a->url, payload, resource,
	                        out);
}

int acs_sa_spost_json(struct acs_run *run, struct acs_acme_account *a, const char *url,
                      const json_t *payload, const char *resource, struct acs_acme_resp **out)
{
	char *text = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc;

	if (text == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "cannot serialise the payload");
	rc = acs_sa_spost(run, a, url, text, resource, 0, out);
	free(text);
	return rc;
}

void acs_sa_wait(struct acs_run *run, struct acs_acme_wait *w, double *deadline)
{
	/* Retry-After (at least 100 ms), capped by what is left; without one, poll
	 * every 250 ms: RFC 8555 7.5.1 leaves the pace to the client, and a whole
	 * second per poll was most of the server catalog's wall time against Pebble,
	 * which sends no Retry-After on pending resources (docs/performance.md) */
	memset(w, 0, sizeof(*w));
	w->fixed_ms = -1;
	w->default_ms = 250;
	w->min_ms = 100;
	w->cap = 1;
	*deadline = acs_clock_mono() + run->s->wait_seconds;
}

const char **acs_sa_strv(struct acs_run *run, const json_t *list)
{
	const char **strv = calloc(json_array_size(list) + 1, sizeof(*strv));
	size_t i;

	if (strv == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
		return NULL;
	}
	for (i = 0; i < json_array_size(list); i++)
		strv[i] = json_string_value(json_array_get(list, i));
	return strv;
}

static int act_directory(struct acs_run *run)
{
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	static const char *const v1[] = {"new-reg",    "new-authz", "new-cert", "revoke-cert",
	                                 "key-change", "new-nonce", NULL};
	json_t *names = json_array(), *nonhttps = json_array();
	const char *k;
	json_t *v;
	size_t i;

	acs_err_clear(&err);
	json_object_set_new(run->facts, "v1_names", names);
	json_object_set_new(run->facts, "non_https", nonhttps);
	if (acs_acme_plain(run->s, "GET", run->s->directory_url, run->headers, run->mis, &r,
	                   &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
	acs_step_set_resp(run, r);
	if (r->http->status != 200 || !json_is_object(r->json))
		return acs_sa_fail_status(run, "directory", "200 with a JSON object");
	for (i = 0; v1[i] != NULL; i++) {
		if (json_object_get(r->json, v1[i]) != NULL)
			json_array_append_new(names, json_string(v1[i]));
	}
	json_object_foreach(r->json, k, v)
	{
		const char *s = json_string_value(v);

		if (s != NULL && strncmp(s, "https://", 8) != 0)
			json_array_append_new(nonhttps, json_string(s));
	}
	json_decref(run->s->directory);
	run->s->directory = json_incref(r->json);
	return 0;
}

static int act_new_nonce(struct acs_run *run)
{
	const char *method = acs_arg_str(run, "method", "HEAD");
	const char *url = acs_acme_dir_url(run->s, "newNonce");
	struct acs_acme_resp *r = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "the directory has no newNonce URL");
	if (acs_acme_plain(run->s, method, url, run->headers, run->mis, &r, &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
	acs_step_set_resp(run, r);
	if ((r->http->status != 200 && r->http->status != 204) ||
	    acs_http_header(r->http, "Replay-Nonce") == NULL)
		return acs_sa_fail_status(run, "newNonce", "200 or 204 with Replay-Nonce");
	return 0;
}

static int act_collect_nonces(struct acs_run *run)
{
	long count = acs_arg_int(run, "count", 100);
	const char *url = acs_acme_dir_url(run->s, "newNonce");
	char **seen = NULL;
	long i, got = 0, distinct = 0;
	long min_bytes = -1;
	int all_b64 = 1, rc = 0;
	struct acs_err err;

	if (count < 1 || count > MAX_COLLECT)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "count must be 1..%d",
		                     MAX_COLLECT);
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "the directory has no newNonce URL");
	seen = calloc((size_t)count, sizeof(*seen));
	if (seen == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	for (i = 0; i < count; i++) {
		struct acs_acme_resp *r = NULL;
		const char *n;
		long j;

		acs_err_clear(&err);
		if (acs_acme_plain(run->s, "HEAD", url, run->headers, run->mis, &r, &err) != 0) {
			rc = acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
			break;
		}
		acs_step_set_resp(run, r);
		n = acs_http_header(r->http, "Replay-Nonce");
		if (n == NULL) {
			if (rc == 0)
				rc =
				    acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
				                  "newNonce answer %ld had no Replay-Nonce", i + 1);
			continue;
		}
		seen[got] = strdup(n);
		if (seen[got] == NULL) {
			rc = acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
			break;
		}
		for (j = 0; j < got; j++) {
			if (strcmp(seen[j], n) == 0)
				break;
		}
		if (j == got)
			distinct++;
		got++;
		if (!acs_b64url_valid(n, strlen(n))) {
			all_b64 = 0;
		} else {
			unsigned char *dec = NULL;
			size_t dlen = 0;

			if (acs_b64url_decode(n, strlen(n), &dec, &dlen, NULL) == 0) {
				if (min_bytes < 0 || (long)dlen < min_bytes)
					min_bytes = (long)dlen;
				free(dec);
			}
		}
	}
	/* the cache holds the last nonce, which is fine: it was never used */
	json_object_set_new(run->facts, "count", json_integer(got));
	json_object_set_new(run->facts, "distinct", json_integer(distinct));
	json_object_set_new(run->facts, "all_b64url", json_boolean(all_b64 && got > 0));
	json_object_set_new(run->facts, "min_bytes", json_integer(min_bytes < 0 ? 0 : min_bytes));
	for (i = 0; i < got; i++)
		free(seen[i]);
	free(seen);
	return rc;
}

static const char *resource_of(const char *target)
{
	static const char *const map[][2] = {
	    {"newAccount", "new-reg"},   {"newOrder", "new-cert"},
	    {"newAuthz", "new-authz"},   {"revokeCert", "revoke-cert"},
	    {"keyChange", "key-change"}, {"account", "reg"},
	    {"authz", "authz"},          {"challenge", "challenge"},
	    {"certificate", "cert"},     {NULL, NULL}};
	size_t i;

	for (i = 0; map[i][0] != NULL; i++) {
		if (strncmp(target, map[i][0], strlen(map[i][0])) == 0)
			return map[i][1];
	}
	return "reg";
}

char *acs_resolve_target(struct acs_run *run, const char *target)
{
	struct acs_acme_session *s = run->s;
	const char *v = NULL;
	char *out;

	if (strstr(target, "://") != NULL) {
		v = target;
	} else if (strcmp(target, "directory") == 0) {
		v = s->directory_url;
	} else if (strcmp(target, "account") == 0 || strncmp(target, "account:", 8) == 0) {
		struct acs_acme_account *a =
		    acs_acme_account_find(s, target[7] == ':' ? target + 8 : "a");

		v = a != NULL ? a->url : NULL;
	} else if (strcmp(target, "orders") == 0) {
		struct acs_acme_account *a =
		    acs_acme_account_find(s, acs_arg_str(run, "account", "a"));

		v = a != NULL ? json_string_value(json_object_get(a->obj, "orders")) : NULL;
		if (v == NULL) {
			acs_step_fail(run, ACS_STEP_HARNESS, "orders-list",
			              "the account object has no orders URL");
			return NULL;
		}
	} else if (strcmp(target, "order") == 0 || strncmp(target, "order:", 6) == 0) {
		struct acs_acme_order *o = acs_acme_order_find(
		    s, target[5] == ':' ? target + 6 : acs_arg_str(run, "order", "o"));

		v = o != NULL ? o->url : NULL;
	} else if (strcmp(target, "finalize") == 0 || strcmp(target, "certificate") == 0) {
		struct acs_acme_order *o = acs_acme_order_find(s, acs_arg_str(run, "order", "o"));

		v = o != NULL ? json_string_value(json_object_get(o->obj, target)) : NULL;
	} else if (strcmp(target, "authz") == 0) {
		v = s->authz_url;
	} else if (strcmp(target, "challenge") == 0) {
		v = s->challenge_url;
	} else {
		v = acs_acme_dir_url(s, target);
		if (v == NULL) {
			if (strcmp(target, "keyChange") == 0 || strcmp(target, "revokeCert") == 0 ||
			    strcmp(target, "newAuthz") == 0) {
				acs_step_fail(run, ACS_STEP_HARNESS,
				              strcmp(target, "keyChange") == 0    ? "keyChange"
				              : strcmp(target, "revokeCert") == 0 ? "revokeCert"
				                                                  : "newAuthz",
				              "the directory has no %s URL", target);
				return NULL;
			}
			if (json_object_get(s->directory, target) == NULL &&
			    strcmp(target, "newNonce") != 0 && strcmp(target, "newAccount") != 0 &&
			    strcmp(target, "newOrder") != 0) {
				acs_step_fail(run, ACS_STEP_HARNESS, NULL,
				              "unknown url target \"%s\"", target);
				return NULL;
			}
		}
	}
	if (v == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "url target \"%s\" has no value yet",
		              target);
		return NULL;
	}
	out = strdup(v);
	if (out == NULL)
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	return out;
}

static int act_post(struct acs_run *run)
{
	const char *target = acs_arg_str(run, "url", NULL);
	const char *raw = acs_arg_str(run, "raw_payload", NULL);
	const char *auth = acs_arg_str(run, "auth", "kid");
	json_t *payload = json_object_get(run->step, "payload");
	struct acs_acme_account *a;
	char *url = NULL, *text = NULL;
	struct acs_acme_resp *r = NULL;
	int use_jwk = strcmp(auth, "jwk") == 0;
	int rc = -1;

	if (target == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "post needs \"url\"");
	a = acs_sa_step_account(run, !use_jwk);
	if (a == NULL)
		return -1;
	url = acs_resolve_target(run, target);
	if (url == NULL)
		return -1;
	if (payload != NULL) {
		text = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
		if (text == NULL) {
			acs_step_fail(run, ACS_STEP_HARNESS, NULL, "cannot serialise the payload");
			goto out;
		}
	}
	if (acs_sa_spost(run, a, url, raw != NULL ? raw : text, resource_of(target), use_jwk, &r) !=
	    0)
		goto out;
	if (r->http->status < 200 || r->http->status > 299) {
		acs_sa_fail_status(run, "POST", "a 2xx status");
		goto out;
	}
	/* a pre-authorization (7.4.1) becomes the current authorization ("authz") */
	if (strcmp(target, "newAuthz") == 0 && r->http->status == 201 &&
	    acs_http_header(r->http, "Location") != NULL)
		(void)acs_acme_set_str(&run->s->authz_url, acs_http_header(r->http, "Location"));
	rc = 0;
out:
	free(url);
	free(text);
	return rc;
}

static int act_plain(struct acs_run *run)
{
	const char *target = acs_arg_str(run, "url", NULL);
	const char *method = strcmp(run->action, "head") == 0 ? "HEAD" : "GET";
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	char *url;

	acs_err_clear(&err);
	if (target == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s needs \"url\"", run->action);
	url = acs_resolve_target(run, target);
	if (url == NULL)
		return -1;
	if (acs_acme_plain(run->s, method, url, run->headers, run->mis, &r, &err) != 0) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
		free(url);
		return -1;
	}
	free(url);
	acs_step_set_resp(run, r);
	if (r->http->status < 200 || r->http->status > 299)
		return acs_sa_fail_status(run, method, "a 2xx status");
	return 0;
}

static const char *const type_choices[] = {"http-01",        "dns-01",         "tls-alpn-01",
                                           "dns-account-01", "dns-persist-01", NULL};

static const char *const method_choices[] = {"HEAD", "GET", NULL};

static const char *const eab_choices[] = {"auto",        "none",      "always", "bad-mac",
                                          "unknown-kid", "wrong-key", "nonce",  "url-mismatch",
                                          "alg-none",    NULL};
static const char *const csr_choices[] = {
    "ok",      "extra-name",    "missing-name", "account-key", "key-of",
    "cn-only", "bad-signature", "garbage",      "must-staple", NULL};
static const char *const serve_choices[] = {
    "ok", "wrong", "trailing-newline", "trailing-space", "not-found", "redirect", "fail-first",
    "wrong-digest", "noncritical", "mixed-case", "extra-san", "no-extension", "decoys",
    /* dns-account-01 and dns-persist-01 (issue 7 item 3) */
    "wrong-label", "wrong-account", "expired", "future", "unknown-param", "wrong-issuer",
    "no-policy", "policy-case", "no-accounturi", "policy-other", NULL};
static const char *const auth_choices[] = {"kid", "jwk", NULL};

static const struct acs_arg_spec no_args[] = {{NULL, NULL, NULL}};

static const struct acs_arg_spec new_nonce_args[] = {{"method", "s", method_choices},
                                                     {NULL, NULL, NULL}};
static const struct acs_arg_spec collect_args[] = {{"count", "i", NULL}, {NULL, NULL, NULL}};

static const struct acs_arg_spec new_account_args[] = {
    {"name", "s", NULL},    {"key", "s", key_choices}, {"key_of", "s", NULL},
    {"contact", "a", NULL}, {"tos", "b", NULL},        {"only_return_existing", "b", NULL},
    {"extra", "o", NULL},   {"eab", "s", eab_choices}, {NULL, NULL, NULL}};
static const struct acs_arg_spec account_update_args[] = {{"payload", "o", NULL},
                                                          {NULL, NULL, NULL}};
static const struct acs_arg_spec key_change_args[] = {
    {"new_key", "s", key_choices}, {"new_key_of", "s", NULL}, {NULL, NULL, NULL}};
static const struct acs_arg_spec new_order_args[] = {
    {"name", "s", NULL},      {"identifiers", "a", NULL}, {"not_before", "s", NULL},
    {"not_after", "s", NULL}, {"extra", "o", NULL},       {NULL, NULL, NULL}};
static const struct acs_arg_spec index_args[] = {{"index", "i", NULL}, {NULL, NULL, NULL}};

static const struct acs_arg_spec challenge_respond_args[] = {
    {"type", "s", type_choices},   {"index", "i", NULL},
    {"payload", "j", NULL},        {"raw_payload", "s", NULL},
    {"serve", "s", serve_choices}, {"provision", "b", NULL},
    {"label_of", "s", NULL},       {NULL, NULL, NULL}};
static const struct acs_arg_spec poll_authz_args[] = {
    {"index", "i", NULL}, {"until", "sa", NULL}, {NULL, NULL, NULL}};
static const struct acs_arg_spec poll_order_args[] = {{"until", "sa", NULL}, {NULL, NULL, NULL}};

static const struct acs_arg_spec authorize_args[] = {{"type", "s", type_choices},
                                                     {NULL, NULL, NULL}};
static const struct acs_arg_spec observe_args[] = {
    {"index", "i", NULL}, {"type", "s", type_choices}, {NULL, NULL, NULL}};
static const struct acs_arg_spec finalize_args[] = {{"csr", "s", csr_choices},
                                                    {"csr_key", "s", key_choices},
                                                    {"key_of", "s", NULL},
                                                    {NULL, NULL, NULL}};
static const struct acs_arg_spec issue_args[] = {
    {"identifiers", "a", NULL}, {"type", "s", type_choices}, {NULL, NULL, NULL}};
static const char *const certid_choices[] = {"ok", "stripped-zero", "unknown", "malformed", NULL};
static const struct acs_arg_spec renewal_info_args[] = {{"certid", "s", certid_choices},
                                                        {NULL, NULL, NULL}};
static const struct acs_arg_spec ari_issue_args[] = {{"identifiers", "a", NULL},
                                                     {"type", "s", type_choices},
                                                     {"serial_high_bit", "b", NULL},
                                                     {"tries", "i", NULL},
                                                     {NULL, NULL, NULL}};
static const struct acs_arg_spec cert_download_args[] = {{"alternate", "i", NULL},
                                                         {NULL, NULL, NULL}};
static const struct acs_arg_spec revoke_args[] = {
    {"by", "s", NULL}, {"reason", "i", NULL}, {NULL, NULL, NULL}};
static const struct acs_arg_spec post_args[] = {{"url", "s", NULL},
                                                {"payload", "j", NULL},
                                                {"raw_payload", "s", NULL},
                                                {"auth", "s", auth_choices},
                                                {NULL, NULL, NULL}};
static const struct acs_arg_spec plain_args[] = {{"url", "s", NULL}, {NULL, NULL, NULL}};

static const struct acs_action_spec actions[] = {
    {"directory", act_directory, no_args},
    {"new-nonce", act_new_nonce, new_nonce_args},
    {"collect-nonces", act_collect_nonces, collect_args},
    {"new-account", acs_act_new_account, new_account_args},
    {"account-get", acs_act_account_get, no_args},
    {"account-update", acs_act_account_update, account_update_args},
    {"account-deactivate", acs_act_account_deactivate, no_args},
    {"key-change", acs_act_key_change, key_change_args},
    {"new-order", acs_act_new_order, new_order_args},
    {"order-get", acs_act_order_get, no_args},
    {"authz-get", acs_act_authz_get, index_args},
    {"challenge-respond", acs_act_challenge_respond, challenge_respond_args},
    {"challenge-get", acs_act_challenge_get, no_args},
    {"poll-authz", acs_act_poll_authz, poll_authz_args},
    {"poll-order", acs_act_poll_order, poll_order_args},
    {"authorize", acs_act_authorize, authorize_args},
    {"authz-deactivate", acs_act_authz_deactivate, index_args},
    {"observe", acs_act_observe, observe_args},
    {"finalize", acs_act_finalize, finalize_args},
    {"issue", acs_act_issue, issue_args},
    {"cert-download", acs_act_cert_download, cert_download_args},
    {"revoke", acs_act_revoke, revoke_args},
    {"renewal-info", acs_act_renewal_info, renewal_info_args},
    {"ari-issue", acs_act_ari_issue, ari_issue_args},
    {"post", act_post, post_args},
    {"get", act_plain, plain_args},
    {"head", act_plain, plain_args},
    {NULL, NULL, NULL}};

const struct acs_action_spec *acs_actions(void)
{
	return actions;
}

int acs_action_run(struct acs_run *run)
{
	const struct acs_action_spec *a;

	for (a = actions; a->name != NULL; a++) {
		if (strcmp(a->name, run->action) == 0)
			return a->fn(run);
	}
	return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "unknown action \"%s\"", run->action);
}
