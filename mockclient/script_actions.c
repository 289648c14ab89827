/*
 * The actions of server scripts (docs/case-format.md, "Actions"). Each
 * action makes its requests through the session, leaves the response to
 * judge in run->resp and its facts in run->facts, and reports a failure to
 * succeed "in the ordinary way" through acs_step_fail: ACS_STEP_OUTCOME when
 * the server answered otherwise (a judged step then judges that answer),
 * ACS_STEP_HARNESS when the harness could not do what was asked.
 */
/* strptime(3) is an X/Open interface */
#define _XOPEN_SOURCE 700

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
#include "harness/transcript.h"
#include "harness/x509.h"
#include "harness/rfc3339.h"
#include "mockclient/match.h"
#include "mockclient/forms.h"
#include "mockclient/provision.h"
#include "mockclient/responders.h"
#include "mockclient/script_int.h"

#define PROBLEM_PREFIX "urn:ietf:params:acme:error:"
#define MAX_COLLECT    10000

static const char *const key_choices[] = {
    "ec256", "ec384", "rsa2048", "rsa1024", "ed25519", "leading-zero", "rsa3072", "rsa4096", NULL};

/* ---------------------------------------------------------------- helpers */

static int is_problem(const struct acs_acme_resp *r, const char *type)
{
	return acs_acme_problem_is(r, type, 0);
}

static long status_of(const struct acs_acme_resp *r)
{
	return r != NULL && r->http != NULL ? r->http->status : 0;
}

/* "expected 201, got status 400 urn:...: detail" as an outcome failure. */
static int fail_status(struct acs_run *run, const char *what, const char *want)
{
	char *sum = acs_acme_resp_summary(run->resp);
	int rc = acs_step_fail(run, ACS_STEP_OUTCOME, NULL, "%s: expected %s, got %s", what, want,
	                       sum != NULL ? sum : "?");

	free(sum);
	return rc;
}

static struct acs_acme_account *step_account(struct acs_run *run, int need_url)
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

static struct acs_acme_order *step_order(struct acs_run *run)
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
static const struct acs_key *signing_key(struct acs_run *run, struct acs_acme_account *a)
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

/*
 * Signed POST with the step's misbehaviours and headers. The response
 * becomes the step's judged response. payload NULL: POST-as-GET.
 */
static int spost_key(struct acs_run *run, const char *url, const struct acs_key *key,
                     const char *kid, const char *account_url, const char *payload, size_t len,
                     const char *resource, struct acs_acme_resp **out)
{
	struct acs_acme_post p;
	struct acs_acme_resp *r = NULL;
	struct acs_err err;

	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "no URL to send to");
	memset(&p, 0, sizeof(p));
	p.url = url;
	p.key = key;
	p.kid = kid;
	p.account_url = account_url;
	p.payload = payload;
	p.payload_len = len;
	p.resource = resource;
	p.mis = run->mis;
	p.extra_headers = run->headers;
	acs_err_clear(&err);
	if (acs_acme_post(run->s, &p, &r, &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "POST %s: %s", url, err.msg);
	acs_step_set_resp(run, r);
	if (out != NULL)
		*out = r;
	return 0;
}

/* Signed with the step's account by kid (or jwk when use_jwk). */
static int spost(struct acs_run *run, struct acs_acme_account *a, const char *url,
                 const char *payload, const char *resource, int use_jwk, struct acs_acme_resp **out)
{
	const struct acs_key *key = signing_key(run, a);

	if (key == NULL)
		return -1;
	return spost_key(run, url, key, use_jwk ? NULL : a->url, a->url, payload,
	                 payload != NULL ? strlen(payload) : 0, resource, out);
}

static int spost_json(struct acs_run *run, struct acs_acme_account *a, const char *url,
                      const json_t *payload, const char *resource, struct acs_acme_resp **out)
{
	char *text = json_dumps(payload, JSON_COMPACT | JSON_ENCODE_ANY);
	int rc;

	if (text == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "cannot serialise the payload");
	rc = spost(run, a, url, text, resource, 0, out);
	free(text);
	return rc;
}

/* Sleep as Retry-After says (default 1 s, at least 100 ms), capped by what is left. */
static int poll_wait(struct acs_run *run, double deadline)
{
	static const struct acs_acme_wait w = {-1, 1000, 100, 1};
	long ms = acs_acme_wait_ms(run->resp, &w, deadline);

	if (ms < 0)
		return -1;
	acs_sleep_ms(ms);
	return 0;
}

static const char *order_authz_url(const struct acs_acme_order *o, size_t index)
{
	json_t *list = json_object_get(o->obj, "authorizations");

	if (!json_is_array(list))
		list = json_object_get(o->created, "authorizations");
	return json_string_value(json_array_get(list, index));
}

static size_t order_authz_count(const struct acs_acme_order *o)
{
	json_t *list = json_object_get(o->obj, "authorizations");

	if (!json_is_array(list))
		list = json_object_get(o->created, "authorizations");
	return json_array_size(list);
}

/* Keep the authorization object in the order's cache at index. */
static void cache_authz(struct acs_acme_order *o, size_t index, json_t *obj)
{
	if (o->authzs == NULL)
		o->authzs = json_array();
	while (json_array_size(o->authzs) <= index)
		json_array_append_new(o->authzs, json_null());
	json_array_set(o->authzs, index, obj);
}

static void set_current_authz(struct acs_run *run, const char *url, json_t *obj)
{
	acs_acme_set_str(&run->s->authz_url, url);
	json_decref(run->s->authz);
	run->s->authz = json_incref(obj);
}

static void set_current_challenge(struct acs_run *run, const char *url, json_t *obj)
{
	acs_acme_set_str(&run->s->challenge_url, url);
	json_decref(run->s->challenge);
	run->s->challenge = json_incref(obj);
}

/*
 * POST-as-GET authorization index of the order; on 200 with an object the
 * object is cached and returned (borrowed from the cache).
 */
static json_t *fetch_authz(struct acs_run *run, struct acs_acme_account *a,
                           struct acs_acme_order *o, size_t index, int make_current)
{
	const char *url = order_authz_url(o, index);
	struct acs_acme_resp *r = NULL;
	char *u = NULL;
	json_t *obj;

	if (url == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		              "order \"%s\" has no authorization %zu (it lists %zu)", o->name,
		              index, order_authz_count(o));
		return NULL;
	}
	u = strdup(url);
	if (u == NULL || spost(run, a, u, NULL, "authz", 0, &r) != 0) {
		free(u);
		return NULL;
	}
	if (r->http->status != 200 || !json_is_object(r->json)) {
		free(u);
		fail_status(run, "authorization", "200 with a JSON object");
		return NULL;
	}
	obj = r->json;
	cache_authz(o, index, obj);
	if (make_current)
		set_current_authz(run, u, obj);
	free(u);
	return obj;
}

static json_t *find_challenge(json_t *authz, const char *type)
{
	json_t *list = json_object_get(authz, "challenges");
	size_t i;
	json_t *c;

	json_array_foreach(list, i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t != NULL && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

static const char *feature_of_type(const char *type)
{
	if (strcmp(type, "http-01") == 0)
		return "http-01";
	if (strcmp(type, "dns-01") == 0)
		return "dns-01";
	if (strcmp(type, "tls-alpn-01") == 0)
		return "tls-alpn-01";
	return NULL;
}

static int authz_ident(struct acs_run *run, json_t *authz, struct acs_ident *id)
{
	json_t *ident = json_object_get(authz, "identifier");
	const char *type = json_string_value(json_object_get(ident, "type"));
	const char *value = json_string_value(json_object_get(ident, "value"));

	if (type == NULL || value == NULL || strlen(type) >= sizeof(id->type) ||
	    strlen(value) >= sizeof(id->value))
		return acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
		                     "authorization has no usable identifier {type, value}");
	memset(id, 0, sizeof(*id));
	snprintf(id->type, sizeof(id->type), "%s", type);
	/* a wildcard authorization names the base domain; be lenient if one keeps "*." */
	snprintf(id->value, sizeof(id->value), "%s",
	         strncmp(value, "*.", 2) == 0 ? value + 2 : value);
	return 0;
}

/* Provision the responder for challenge chal (of authz) with mode text `serve`. */
static int provision(struct acs_run *run, const struct acs_key *acct_key, json_t *authz,
                     json_t *chal, const char *type, const char *serve)
{
	static const char *const http01_modes[] = {
	    "ok",        "wrong",    "trailing-newline", "trailing-space",
	    "not-found", "redirect", "fail-first",       NULL};
	static const char *const alpn_modes[] = {
	    "ok", "wrong-digest", "noncritical", "mixed-case", "extra-san", "no-extension", NULL};
	static const char *const dns_modes[] = {"ok", "wrong", "decoys", NULL};
	const char *token = json_string_value(json_object_get(chal, "token"));
	const char *const *modes = strcmp(type, "http-01") == 0  ? http01_modes
	                           : strcmp(type, "dns-01") == 0 ? dns_modes
	                                                         : alpn_modes;
	struct acs_acme_prov_req req;
	struct acs_ident id;
	struct acs_err err;
	struct acs_buf b;
	char *ka = NULL;
	size_t m;
	int rc;

	acs_err_clear(&err);
	if (run->s->responders == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "no challenge responders running");
	if (token == NULL)
		return acs_step_fail(run, ACS_STEP_OUTCOME, NULL, "%s challenge has no token",
		                     type);
	/* a token with '/' or '\0' tricks would otherwise reach the responder's path table */
	if (!acs_b64url_valid(token, strlen(token)))
		return acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
		                     "%s challenge token is not base64url: \"%.80s\"", type, token);
	if (authz_ident(run, authz, &id) != 0)
		return -1;
	for (m = 0; modes[m] != NULL && strcmp(modes[m], serve) != 0; m++)
		;
	if (modes[m] == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "unknown %s serve \"%s\"", type,
		                     serve);
	ka = acs_keyauth(token, acct_key, &err);
	if (ka == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "key authorization: %s", err.msg);
	if (strcmp(type, "dns-01") == 0 && strcmp(serve, "wrong") == 0) {
		acs_buf_init(&b, 1024);
		acs_buf_printf(&b, "%s.wrong", ka);
		free(ka);
		ka = acs_buf_steal(&b);
		if (ka == NULL)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	}
	memset(&req, 0, sizeof(req));
	req.type = type;
	req.token = token;
	req.id = &id;
	req.keyauth = ka;
	req.http01 = (enum acs_http01_mode)m;
	req.alpn = (enum acs_alpn_mode)m;
	req.dns_decoys = strcmp(serve, "decoys") == 0;
	rc = acs_acme_provision(run->s, &req, &err);
	free(ka);
	if (rc != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
	return 0;
}

/* Poll an authorization URL until its status is in `until`. */
static int poll_authz_url(struct acs_run *run, struct acs_acme_account *a, const char *url,
                          const json_t *until, json_t **last)
{
	double deadline = acs_clock_mono() + run->s->wait_seconds;

	*last = NULL;
	for (;;) {
		struct acs_acme_resp *r = NULL;
		const char *st;
		size_t i;
		json_t *e;

		if (spost(run, a, url, NULL, "authz", 0, &r) != 0)
			return -1;
		if (r->http->status != 200 || !json_is_object(r->json))
			return fail_status(run, "authorization", "200 with a JSON object");
		*last = r->json;
		st = json_string_value(json_object_get(r->json, "status"));
		if (st == NULL)
			return acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
			                     "authorization has no status string");
		json_array_foreach(until, i, e)
		{
			if (strcmp(json_string_value(e), st) == 0)
				return 0;
		}
		if (poll_wait(run, deadline) != 0)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
			                     "authorization still \"%s\" after %.0f s", st,
			                     run->s->wait_seconds);
	}
}

static json_t *until_list(struct acs_run *run, const char *const *def)
{
	json_t *u = json_object_get(run->step, "until");
	json_t *out;
	size_t i;

	if (json_is_string(u))
		return json_pack("[O]", u);
	if (json_is_array(u))
		return json_incref(u);
	out = json_array();
	for (i = 0; def[i] != NULL; i++)
		json_array_append_new(out, json_string(def[i]));
	return out;
}

/* The error of an invalid authorization, for messages. New string. */
static char *authz_error_text(json_t *authz)
{
	json_t *list = json_object_get(authz, "challenges");
	struct acs_buf b;
	size_t i;
	json_t *c;

	acs_buf_init(&b, 2048);
	json_array_foreach(list, i, c)
	{
		json_t *e = json_object_get(c, "error");

		if (json_is_object(e)) {
			acs_buf_printf(&b, "%s%s: %s: %.300s", b.len > 0 ? "; " : "",
			               json_string_value(json_object_get(c, "type")) != NULL
			                   ? json_string_value(json_object_get(c, "type"))
			                   : "?",
			               json_string_value(json_object_get(e, "type")) != NULL
			                   ? json_string_value(json_object_get(e, "type"))
			                   : "?",
			               json_string_value(json_object_get(e, "detail")) != NULL
			                   ? json_string_value(json_object_get(e, "detail"))
			                   : "");
		}
	}
	if (b.len == 0)
		acs_buf_puts(&b, "no challenge error given");
	return acs_buf_steal(&b);
}

/* ---------------------------------------------------------------- directory, nonces */

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
		return fail_status(run, "directory", "200 with a JSON object");
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
		return fail_status(run, "newNonce", "200 or 204 with Replay-Nonce");
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

/* ---------------------------------------------------------------- accounts */

static int make_key(struct acs_run *run, const char *type, struct acs_key **out)
{
	enum acs_key_type kt;
	struct acs_err err;

	acs_err_clear(&err);
	if (strcmp(type, "leading-zero") == 0) {
		if (acs_key_generate_leading_zero(out, 'x', &err) != 0)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "key: %s", err.msg);
		return 0;
	}
	if (acs_key_type_parse(type, &kt) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "unknown key type \"%s\"", type);
	if (acs_key_generate(out, kt, &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "key: %s", err.msg);
	return 0;
}

/* A new reference to another account's current key. */
static int key_of(struct acs_run *run, const char *name, struct acs_key **out)
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

static int act_new_account(struct acs_run *run)
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
		if (key_of(run, keyof, &key) != 0)
			goto out;
	} else if (keytype != NULL || a == NULL || a->key == NULL) {
		if (make_key(run, keytype != NULL ? keytype : "ec256", &key) != 0)
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
	if (spost_key(run, url, a->key, NULL, other_url, text, strlen(text), "new-reg", &r) != 0)
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
		rc = fail_status(run, "newAccount", "201 (or 200) with Location");
	}
out:
	free(text);
	json_decref(payload);
	acs_key_free(key);
	return rc;
}

static int act_account_get(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_resp *r = NULL;

	if (a == NULL || spost(run, a, a->url, NULL, "reg", 0, &r) != 0)
		return -1;
	if (r->http->status != 200)
		return fail_status(run, "account", "200");
	if (json_is_object(r->json)) {
		json_decref(a->obj);
		a->obj = json_incref(r->json);
	}
	return 0;
}

static int act_account_post(struct acs_run *run, const json_t *payload)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_resp *r = NULL;

	if (a == NULL || spost_json(run, a, a->url, payload, "reg", &r) != 0)
		return -1;
	if (r->http->status != 200)
		return fail_status(run, "account", "200");
	if (json_is_object(r->json)) {
		json_decref(a->obj);
		a->obj = json_incref(r->json);
	}
	return 0;
}

static int act_account_update(struct acs_run *run)
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

static int act_account_deactivate(struct acs_run *run)
{
	json_t *p = json_pack("{s:s}", "status", "deactivated");
	int rc = act_account_post(run, p);

	json_decref(p);
	return rc;
}

static int act_key_change(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	const char *url = acs_acme_dir_url(run->s, "keyChange");
	const char *newof = acs_arg_str(run, "new_key_of", NULL);
	struct acs_acme_keychange k;
	struct acs_key *newkey = NULL;
	const struct acs_key *oldkey;
	struct acs_acme_resp *r = NULL;
	char *inner = NULL;
	struct acs_err err;
	int rc = -1;

	acs_err_clear(&err);
	if (a == NULL)
		return -1;
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, "keyChange",
		                     "the directory has no keyChange URL");
	oldkey = signing_key(run, a);
	if (oldkey == NULL)
		return -1;
	if (newof != NULL) {
		if (key_of(run, newof, &newkey) != 0)
			goto out;
	} else if (make_key(run, acs_arg_str(run, "new_key", "ec256"), &newkey) != 0) {
		goto out;
	}
	memset(&k, 0, sizeof(k));
	k.url = url;
	k.account_url = a->url;
	k.new_key = newkey;
	k.old_key = a->key; /* the key the account has now, whatever signs the outer JWS */
	k.other_url = acs_acme_dir_url(run->s, "newNonce");
	if (k.other_url == NULL)
		k.other_url = run->s->directory_url;
	k.mis = run->mis & ACS_MIS_INNER_MASK;
	inner = acs_acme_keychange_inner(&k, &err);
	if (inner == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
		goto out;
	}
	if (spost_key(run, url, oldkey, a->url, a->url, inner, strlen(inner), "key-change", &r) !=
	    0)
		goto out;
	if (r->http->status != 200) {
		fail_status(run, "keyChange", "200");
		goto out;
	}
	acs_key_free(a->old_key);
	a->old_key = a->key;
	a->key = newkey;
	newkey = NULL;
	rc = 0;
out:
	acs_key_free(newkey);
	free(inner);
	return rc;
}

/* ---------------------------------------------------------------- orders */

/* "+1d", "-2h", "+30m", "+10s" relative to now as RFC 3339; anything else as it is. */
static char *rel_time(const char *spec)
{
	char *end = NULL;
	long n;
	time_t t;
	char buf[32];

	if (spec[0] != '+' && spec[0] != '-')
		return strdup(spec);
	n = strtol(spec, &end, 10);
	if (end == spec + 1 || end == NULL)
		return strdup(spec);
	switch (*end) {
	case 'd':
		n *= 86400;
		break;
	case 'h':
		n *= 3600;
		break;
	case 'm':
		n *= 60;
		break;
	case 's':
	case '\0':
		break;
	default:
		return strdup(spec);
	}
	t = time(NULL) + n;
	acs_rfc3339_format(t, buf);
	return strdup(buf);
}

static int ident_kind(const json_t *ids, const char *what)
{
	size_t i;
	json_t *e;

	json_array_foreach(ids, i, e)
	{
		const char *t = json_string_value(json_object_get(e, "type"));
		const char *v = json_string_value(json_object_get(e, "value"));

		if (strcmp(what, "ip") == 0 && t != NULL && strcmp(t, "ip") == 0)
			return 1;
		if (strcmp(what, "wildcard") == 0 && v != NULL && strncmp(v, "*.", 2) == 0)
			return 1;
	}
	return 0;
}

static int new_order(struct acs_run *run, const char *name, const json_t *idspec)
{
	struct acs_acme_account *a = step_account(run, 1);
	const char *url = acs_acme_dir_url(run->s, "newOrder");
	json_t *ids = json_array(), *payload = NULL, *v, *e;
	struct acs_acme_order *o;
	struct acs_acme_resp *r = NULL;
	char *nb = NULL, *na = NULL;
	const char *loc;
	size_t i;
	int rc = -1;

	if (a == NULL)
		goto out;
	if (url == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "the directory has no newOrder URL");
		goto out;
	}
	json_array_foreach(idspec, i, e)
	{
		if (json_is_string(e)) {
			struct acs_ident id;
			struct acs_err err;

			acs_err_clear(&err);
			if (acs_ident_parse(json_string_value(e), &id, &err) != 0) {
				acs_step_fail(run, ACS_STEP_HARNESS, NULL, "identifier \"%s\": %s",
				              json_string_value(e), err.msg);
				goto out;
			}
			json_array_append_new(
			    ids, json_pack("{s:s,s:s}", "type", id.type, "value", id.value));
		} else {
			json_array_append(ids, e);
		}
	}
	payload = json_pack("{s:O}", "identifiers", ids);
	v = json_object_get(run->step, "not_before");
	if (json_is_string(v)) {
		nb = rel_time(json_string_value(v));
		json_object_set_new(payload, "notBefore", json_string(nb != NULL ? nb : ""));
	}
	v = json_object_get(run->step, "not_after");
	if (json_is_string(v)) {
		na = rel_time(json_string_value(v));
		json_object_set_new(payload, "notAfter", json_string(na != NULL ? na : ""));
	}
	v = json_object_get(run->step, "extra");
	if (json_is_object(v))
		json_object_update(payload, v);
	if (spost_json(run, a, url, payload, "new-cert", &r) != 0)
		goto out;
	loc = acs_http_header(r->http, "Location");
	if (r->http->status != 201 || loc == NULL) {
		const char *feature = NULL;

		if (is_problem(r, "unsupportedIdentifier") || is_problem(r, "rejectedIdentifier") ||
		    is_problem(r, "malformed")) {
			if (ident_kind(ids, "ip"))
				feature = "ip";
			else if (ident_kind(ids, "wildcard"))
				feature = "wildcard";
		}
		if (r->http->status == 201) {
			acs_step_fail(run, ACS_STEP_OUTCOME, feature,
			              "newOrder: status 201 without a Location header");
		} else {
			char *sum = acs_acme_resp_summary(r);

			acs_step_fail(run, ACS_STEP_OUTCOME, feature,
			              "newOrder: expected 201 with Location, got %s",
			              sum != NULL ? sum : "?");
			free(sum);
		}
		goto out;
	}
	o = acs_acme_order_get(run->s, name);
	if (o == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
		goto out;
	}
	/* a name used again starts a new order */
	free(o->url);
	json_decref(o->created);
	json_decref(o->obj);
	json_decref(o->authzs);
	json_decref(o->sent_ids);
	acs_key_free(o->cert_key);
	free(o->not_after);
	free(o->cert_pem);
	memset((char *)o + sizeof(o->name), 0, sizeof(*o) - sizeof(o->name));
	snprintf(o->account, sizeof(o->account), "%s", a->name);
	o->url = strdup(loc);
	/* recorded even with a bad body, so later steps say what is wrong with it */
	o->created = json_is_object(r->json) ? json_incref(r->json) : NULL;
	o->obj = json_is_object(r->json) ? json_incref(r->json) : NULL;
	o->sent_ids = json_incref(ids);
	o->not_after = na;
	na = NULL;
	if (!json_is_object(r->json)) {
		acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
		              "newOrder: status 201 but the body is not a JSON object");
		goto out;
	}
	rc = 0;
out:
	free(nb);
	free(na);
	json_decref(ids);
	json_decref(payload);
	return rc;
}

static int act_new_order(struct acs_run *run)
{
	json_t *ids = json_object_get(run->step, "identifiers");
	json_t *def = NULL;
	int rc;

	if (ids == NULL)
		ids = def = json_pack("[s]", run->s->domain[0]);
	rc = new_order(run, acs_arg_str(run, "name", "o"), ids);
	json_decref(def);
	return rc;
}

static int order_refresh(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o)
{
	struct acs_acme_resp *r = NULL;

	if (spost(run, a, o->url, NULL, "order", 0, &r) != 0)
		return -1;
	if (r->http->status != 200 || !json_is_object(r->json))
		return fail_status(run, "order", "200 with a JSON object");
	json_decref(o->obj);
	o->obj = json_incref(r->json);
	return 0;
}

static int act_order_get(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;
	json_t *st;

	if (o == NULL)
		return -1;
	if (order_refresh(run, a, o) != 0)
		return -1;
	json_object_set_new(
	    run->facts, "identifiers_same",
	    json_boolean(acs_json_set_equal(json_object_get(o->obj, "identifiers"),
	                                    json_object_get(o->created, "identifiers"))));
	json_object_set_new(
	    run->facts, "authorizations_same",
	    json_boolean(acs_json_set_equal(json_object_get(o->obj, "authorizations"),
	                                    json_object_get(o->created, "authorizations"))));
	st = json_object_get(o->obj, "status");
	if (st != NULL)
		json_object_set(run->facts, "status", st);
	return 0;
}

static int act_authz_get(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;
	json_t *authz, *types, *list, *c;
	long index = acs_arg_int(run, "index", 0);
	long min_bytes = -1;
	int all_b64 = 1, distinct = 1, ntokens = 0;
	size_t i, j;

	if (o == NULL)
		return -1;
	if (index < 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "index must be >= 0");
	authz = fetch_authz(run, a, o, (size_t)index, 1);
	if (authz == NULL)
		return -1;
	types = json_array();
	list = json_object_get(authz, "challenges");
	json_array_foreach(list, i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));
		const char *tok = json_string_value(json_object_get(c, "token"));

		if (t != NULL)
			json_array_append_new(types, json_string(t));
		if (json_object_get(c, "token") == NULL)
			continue;
		ntokens++;
		if (tok == NULL || !acs_b64url_valid(tok, strlen(tok))) {
			all_b64 = 0;
		} else {
			unsigned char *dec = NULL;
			size_t dlen = 0;

			if (acs_b64url_decode(tok, strlen(tok), &dec, &dlen, NULL) == 0) {
				if (min_bytes < 0 || (long)dlen < min_bytes)
					min_bytes = (long)dlen;
				free(dec);
			}
		}
		for (j = 0; j < i; j++) {
			const char *other =
			    json_string_value(json_object_get(json_array_get(list, j), "token"));

			if (tok != NULL && other != NULL && strcmp(tok, other) == 0)
				distinct = 0;
		}
	}
	/*
	 * The authorization's challenge becomes current too (http-01 when
	 * offered, else the first), so that raw requests can name "challenge"
	 * without answering it.
	 */
	{
		json_t *cur = find_challenge(authz, "http-01");
		const char *cu;

		if (cur == NULL)
			cur = json_array_get(list, 0);
		cu = json_string_value(json_object_get(cur, "url"));
		if (cu != NULL) {
			char *copy = strdup(cu);

			if (copy != NULL)
				set_current_challenge(run, copy, cur);
			free(copy);
		}
	}
	json_object_set_new(run->facts, "challenge_types", types);
	json_object_set_new(run->facts, "tokens_b64url", json_boolean(all_b64 && ntokens > 0));
	json_object_set_new(run->facts, "min_token_bytes",
	                    json_integer(min_bytes < 0 ? 0 : min_bytes));
	json_object_set_new(run->facts, "tokens_distinct", json_boolean(distinct));
	return 0;
}

static int act_challenge_respond(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;
	const char *type = acs_arg_str(run, "type", "http-01");
	const char *serve = acs_arg_str(run, "serve", "ok");
	long index = acs_arg_int(run, "index", 0);
	json_t *authz, *chal, *payload;
	const char *raw = acs_arg_str(run, "raw_payload", NULL);
	struct acs_acme_resp *r = NULL;
	char *curl = NULL, *text = NULL;
	int rc = -1;

	if (o == NULL)
		return -1;
	authz = fetch_authz(run, a, o, (size_t)(index < 0 ? 0 : index), 1);
	if (authz == NULL)
		return -1;
	chal = find_challenge(authz, type);
	if (chal == NULL || json_string_value(json_object_get(chal, "url")) == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, feature_of_type(type),
		                     "the authorization offers no %s challenge", type);
	curl = strdup(json_string_value(json_object_get(chal, "url")));
	if (curl == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	set_current_challenge(run, curl, chal);
	if (acs_arg_bool(run, "provision", 1) &&
	    provision(run, signing_key(run, a), authz, chal, type, serve) != 0)
		goto out;
	payload = json_object_get(run->step, "payload");
	if (raw != NULL) {
		rc = spost(run, a, curl, raw, "challenge", 0, &r);
	} else if (payload != NULL) {
		rc = spost_json(run, a, curl, payload, "challenge", &r);
	} else {
		rc = spost(run, a, curl, "{}", "challenge", 0, &r);
	}
	if (rc != 0)
		goto out;
	rc = -1;
	if (r->http->status != 200) {
		fail_status(run, "challenge", "200");
		goto out;
	}
	if (json_is_object(r->json))
		set_current_challenge(run, curl, r->json);
	rc = 0;
out:
	free(curl);
	free(text);
	return rc;
}

static int act_challenge_get(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_resp *r = NULL;
	char *url = NULL;
	int rc;

	if (a == NULL)
		return -1;
	if (run->s->challenge_url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "no current challenge (use challenge-respond first)");
	url = strdup(run->s->challenge_url);
	rc = url != NULL ? spost(run, a, url, NULL, "challenge", 0, &r) : -1;
	if (rc == 0 && r->http->status != 200)
		rc = fail_status(run, "challenge", "200");
	else if (rc == 0 && json_is_object(r->json))
		set_current_challenge(run, url, r->json);
	free(url);
	return rc;
}

static int act_poll_authz(struct acs_run *run)
{
	static const char *const def[] = {"valid",   "invalid", "deactivated",
	                                  "expired", "revoked", NULL};
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;
	long index = acs_arg_int(run, "index", 0);
	json_t *until = NULL, *last = NULL;
	const char *url;
	char *u = NULL;
	int rc = -1;

	if (o == NULL)
		return -1;
	url = order_authz_url(o, (size_t)(index < 0 ? 0 : index));
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "order \"%s\" has no authorization %ld", o->name, index);
	u = strdup(url);
	until = until_list(run, def);
	if (u == NULL || until == NULL)
		goto out;
	if (poll_authz_url(run, a, u, until, &last) != 0)
		goto out;
	cache_authz(o, (size_t)index, last);
	set_current_authz(run, u, last);
	if (strcmp(json_string_value(json_object_get(last, "status")), "valid") != 0) {
		char *e = authz_error_text(last);

		acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
		              "authorization is \"%s\", not valid (%s)",
		              json_string_value(json_object_get(last, "status")), e ? e : "");
		free(e);
		goto out;
	}
	rc = 0;
out:
	free(u);
	json_decref(until);
	return rc;
}

static int poll_order(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                      const json_t *until)
{
	double deadline = acs_clock_mono() + run->s->wait_seconds;

	for (;;) {
		const char *st;
		int in = 0;
		size_t i;
		json_t *e;

		if (order_refresh(run, a, o) != 0)
			return -1;
		st = json_string_value(json_object_get(o->obj, "status"));
		if (st == NULL)
			return acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
			                     "order has no status string");
		if (until != NULL) {
			json_array_foreach(until, i, e)
			{
				if (strcmp(json_string_value(e), st) == 0)
					in = 1;
			}
		} else {
			in = strcmp(st, "pending") != 0 && strcmp(st, "processing") != 0;
		}
		if (in) {
			if (strcmp(st, "invalid") == 0) {
				char *err =
				    json_dumps(json_object_get(o->obj, "error"), JSON_COMPACT);

				acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
				              "order is invalid%s%.300s", err != NULL ? ": " : "",
				              err != NULL ? err : "");
				free(err);
				return -1;
			}
			return 0;
		}
		if (poll_wait(run, deadline) != 0)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
			                     "order still \"%s\" after %.0f s", st,
			                     run->s->wait_seconds);
	}
}

static int act_poll_order(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;
	json_t *u = json_object_get(run->step, "until");
	json_t *until = NULL;
	int rc;

	if (o == NULL)
		return -1;
	if (json_is_string(u))
		until = json_pack("[O]", u);
	else if (json_is_array(u))
		until = json_incref(u);
	rc = poll_order(run, a, o, until);
	json_decref(until);
	return rc;
}

/*
 * Answer every pending authorization of the order and poll each to valid.
 * Already-valid authorizations (servers may reuse them) are skipped: their
 * challenges must never be answered again.
 */
static int authorize(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                     const char *type)
{
	static const char *const settled[] = {"valid",   "invalid", "deactivated",
	                                      "expired", "revoked", NULL};
	size_t n = order_authz_count(o), i;
	json_t *until = until_list(run, settled);
	int rc = -1;

	if (n == 0) {
		acs_step_fail(run, ACS_STEP_OUTCOME, NULL, "the order lists no authorizations");
		goto out;
	}
	for (i = 0; i < n; i++) {
		json_t *authz = fetch_authz(run, a, o, i, 1), *chal, *last = NULL;
		const char *st, *t = type;
		char *curl = NULL, *aurl = NULL;
		struct acs_acme_resp *r = NULL;

		if (authz == NULL)
			goto out;
		st = json_string_value(json_object_get(authz, "status"));
		if (st != NULL && strcmp(st, "valid") == 0) {
			acs_transcript_note(
			    run->s->transcript,
			    "authorization %zu is already valid: not answered again", i);
			continue;
		}
		if (st == NULL || strcmp(st, "pending") != 0) {
			acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
			              "authorization %zu is \"%s\", not pending", i,
			              st != NULL ? st : "(no status)");
			goto out;
		}
		if (json_is_true(json_object_get(authz, "wildcard")) && strcmp(t, "dns-01") != 0)
			t = "dns-01";
		chal = find_challenge(authz, t);
		if (chal == NULL || json_string_value(json_object_get(chal, "url")) == NULL) {
			acs_step_fail(run, ACS_STEP_HARNESS, feature_of_type(t),
			              "authorization %zu offers no %s challenge", i, t);
			goto out;
		}
		curl = strdup(json_string_value(json_object_get(chal, "url")));
		aurl = strdup(order_authz_url(o, i));
		if (curl == NULL || aurl == NULL) {
			free(curl);
			free(aurl);
			acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
			goto out;
		}
		set_current_challenge(run, curl, chal);
		if (provision(run, signing_key(run, a), authz, chal, t, "ok") != 0 ||
		    spost(run, a, curl, "{}", "challenge", 0, &r) != 0) {
			free(curl);
			free(aurl);
			goto out;
		}
		if (r->http->status != 200) {
			free(curl);
			free(aurl);
			fail_status(run, "challenge", "200");
			goto out;
		}
		if (json_is_object(r->json))
			set_current_challenge(run, curl, r->json);
		free(curl);
		if (poll_authz_url(run, a, aurl, until, &last) != 0) {
			free(aurl);
			goto out;
		}
		cache_authz(o, i, last);
		set_current_authz(run, aurl, last);
		free(aurl);
		st = json_string_value(json_object_get(last, "status"));
		if (strcmp(st, "valid") != 0) {
			char *e = authz_error_text(last);

			acs_step_fail(run, ACS_STEP_OUTCOME, NULL,
			              "authorization %zu is \"%s\" after %s (%s)", i, st, t,
			              e != NULL ? e : "");
			free(e);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(until);
	return rc;
}

static int act_authorize(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;

	if (o == NULL)
		return -1;
	return authorize(run, a, o, acs_arg_str(run, "type", "http-01"));
}

static int act_authz_deactivate(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;
	long index = acs_arg_int(run, "index", 0);
	const char *url;
	char *u = NULL;
	struct acs_acme_resp *r = NULL;
	int rc;

	if (o == NULL)
		return -1;
	url = order_authz_url(o, (size_t)(index < 0 ? 0 : index));
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "order \"%s\" has no authorization %ld", o->name, index);
	u = strdup(url);
	if (u == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	rc = spost(run, a, u, "{\"status\":\"deactivated\"}", "authz", 0, &r);
	if (rc == 0 && r->http->status != 200)
		rc = fail_status(run, "authorization", "200");
	else if (rc == 0 && json_is_object(r->json)) {
		cache_authz(o, (size_t)index, r->json);
		set_current_authz(run, u, r->json);
	}
	free(u);
	return rc;
}

static int act_observe(struct acs_run *run)
{
	struct acs_acme_order *o = step_order(run);
	const char *type = acs_arg_str(run, "type", "http-01");
	long index = acs_arg_int(run, "index", 0);
	struct acs_responders *resp = run->s->responders;
	json_t *authz, *chal;
	const char *token;
	struct acs_ident id;
	struct acs_alpn_obs obs;
	int udp = 0, tcp = 0;
	char name[320];

	if (o == NULL)
		return -1;
	if (resp == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "no challenge responders running");
	authz = json_array_get(o->authzs, (size_t)(index < 0 ? 0 : index));
	if (!json_is_object(authz)) {
		struct acs_acme_account *a = step_account(run, 1);

		if (a == NULL)
			return -1;
		authz = fetch_authz(run, a, o, (size_t)(index < 0 ? 0 : index), 0);
		if (authz == NULL)
			return -1;
	}
	if (authz_ident(run, authz, &id) != 0)
		return -1;
	chal = find_challenge(authz, type);
	/* a settled authorization may list only the challenge that decided it */
	if (chal == NULL && json_is_object(run->s->challenge) &&
	    strcmp(json_string_value(json_object_get(run->s->challenge, "type")) != NULL
	               ? json_string_value(json_object_get(run->s->challenge, "type"))
	               : "",
	           type) == 0)
		chal = run->s->challenge;
	token = json_string_value(json_object_get(chal, "token"));
	json_object_set_new(run->facts, "http01_hits",
	                    json_integer(token != NULL ? acs_http01_hits(resp, token) : 0));
	snprintf(name, sizeof(name), "_acme-challenge.%s", id.value);
	acs_dns_queries(resp, name, &udp, &tcp);
	json_object_set_new(run->facts, "dns_udp", json_integer(udp));
	json_object_set_new(run->facts, "dns_tcp", json_integer(tcp));
	memset(&obs, 0, sizeof(obs));
	acs_alpn_observed(resp, &id, &obs);
	json_object_set_new(run->facts, "alpn_handshakes", json_integer(obs.handshakes));
	json_object_set_new(run->facts, "alpn_offered_acme_tls",
	                    json_boolean(obs.offered_acme_tls));
	json_object_set_new(run->facts, "alpn_offered_only_acme",
	                    json_boolean(obs.offered_only_acme));
	json_object_set_new(run->facts, "alpn_app_data", json_boolean(obs.app_data_received));
	json_object_set_new(run->facts, "alpn_min_version", json_integer(obs.min_version_seen));
	return 0;
}

/* ---------------------------------------------------------------- finalize and certificates */

/* The order's identifiers as the server states them (else as sent). */
static size_t order_idents(const struct acs_acme_order *o, struct acs_ident *ids, size_t max)
{
	json_t *list = json_object_get(o->obj, "identifiers");
	size_t i, n = 0;
	json_t *e;

	if (!json_is_array(list) || json_array_size(list) == 0)
		list = o->sent_ids;
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

static int finalize(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                    const char *variant)
{
	struct acs_ident ids[64];
	size_t n = order_idents(o, ids, 63);
	struct acs_key *key = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0;
	char *csr64 = NULL, *url = NULL, *payload = NULL;
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	const char *fin = json_string_value(json_object_get(o->obj, "finalize"));
	int rc = -1;

	acs_err_clear(&err);
	if (fin == NULL)
		fin = json_string_value(json_object_get(o->created, "finalize"));
	if (fin == NULL)
		return acs_step_fail(run, ACS_STEP_OUTCOME, NULL, "the order has no finalize URL");
	url = strdup(fin);
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	if (n == 0) {
		acs_step_fail(run, ACS_STEP_OUTCOME, NULL, "the order has no usable identifiers");
		goto out;
	}
	if (strcmp(variant, "account-key") == 0) {
		if (acs_key_from_evp(&key, acs_key_evp(a->key), &err) != 0)
			goto keyfail;
	} else if (strcmp(variant, "key-of") == 0) {
		const char *of = acs_arg_str(run, "key_of", NULL);

		if (of == NULL) {
			acs_step_fail(run, ACS_STEP_HARNESS, NULL, "csr \"key-of\" needs key_of");
			goto out;
		}
		if (key_of(run, of, &key) != 0)
			goto out;
	} else if (make_key(run, acs_arg_str(run, "csr_key", "ec256"), &key) != 0) {
		goto out;
	}
	if (strcmp(variant, "extra-name") == 0 && n < 64) {
		memset(&ids[n], 0, sizeof(ids[n]));
		snprintf(ids[n].type, sizeof(ids[n].type), "dns");
		snprintf(ids[n].value, sizeof(ids[n].value), "extra.%s", run->s->domain[0]);
		n++;
	} else if (strcmp(variant, "missing-name") == 0) {
		if (n > 1) {
			n--;
		} else {
			snprintf(ids[0].type, sizeof(ids[0].type), "dns");
			snprintf(ids[0].value, sizeof(ids[0].value), "%s", run->s->domain[2]);
		}
	}
	if (strcmp(variant, "garbage") == 0) {
		static const char g[] = "this is not a DER certificate signing request";

		der = malloc(sizeof(g) - 1);
		if (der == NULL)
			goto nomem;
		memcpy(der, g, sizeof(g) - 1);
		der_len = sizeof(g) - 1;
	} else if (strcmp(variant, "cn-only") == 0) {
		const char *cn = NULL;
		size_t i;

		for (i = 0; i < n && cn == NULL; i++) {
			if (strcmp(ids[i].type, "dns") == 0)
				cn = ids[i].value;
		}
		if (acs_csr_make_cn_only(key, cn != NULL ? cn : ids[0].value, &der, &der_len,
		                         &err) != 0)
			goto keyfail;
	} else {
		if (acs_csr_make(key, ids, n, 1, &der, &der_len, &err) != 0)
			goto keyfail;
		if (strcmp(variant, "bad-signature") == 0 && der_len > 8)
			der[der_len - 3] ^= 0x01; /* inside the signature BIT STRING */
	}
	csr64 = acs_b64url_encode(der, der_len);
	if (csr64 == NULL)
		goto nomem;
	{
		json_t *p = json_pack("{s:s}", "csr", csr64);

		payload = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
		json_decref(p);
	}
	if (payload == NULL)
		goto nomem;
	/* the certificate key is the CSR's, whatever the answer: later facts compare with it */
	acs_key_free(o->cert_key);
	o->cert_key = key;
	key = NULL;
	if (spost(run, a, url, payload, "new-cert", 0, &r) != 0)
		goto out;
	if (r->http->status != 200) {
		fail_status(run, "finalize", "200");
		goto out;
	}
	if (json_is_object(r->json)) {
		json_decref(o->obj);
		o->obj = json_incref(r->json);
	}
	rc = 0;
	goto out;
keyfail:
	acs_step_fail(run, ACS_STEP_HARNESS, NULL, "CSR: %s", err.msg);
	goto out;
nomem:
	acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
out:
	acs_key_free(key);
	free(der);
	free(csr64);
	free(url);
	free(payload);
	return rc;
}

static int act_finalize(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;

	if (o == NULL)
		return -1;
	return finalize(run, a, o, acs_arg_str(run, "csr", "ok"));
}

static void chain_facts(struct acs_run *run, struct acs_acme_order *o, const char *pem, size_t len,
                        X509 *default_leaf)
{
	struct acs_chain *chain = NULL;
	struct acs_err err;
	json_t *f = run->facts;

	acs_err_clear(&err);
	if (acs_chain_parse(pem, len, &chain, &err) != 0) {
		json_object_set_new(f, "pem_strict", json_false());
		json_object_set_new(f, "pem_problem", json_string(err.msg));
		json_object_set_new(f, "chain_length", json_integer(0));
		json_object_set_new(f, "leaf_key_matches_csr", json_false());
		json_object_set_new(f, "leaf_names_match_order", json_false());
		json_object_set_new(f, "leaf_is_ca", json_false());
		json_object_set_new(f, "chain_verifies", json_false());
		return;
	}
	json_object_set_new(f, "pem_strict", json_boolean(chain->strict));
	json_object_set_new(f, "pem_problem", json_string(chain->problem));
	json_object_set_new(f, "chain_length", json_integer((json_int_t)chain->n));
	if (chain->n > 0) {
		X509 *leaf = chain->certs[0];
		struct acs_ident *cids = NULL, oids[64];
		size_t ncids = 0, noids = order_idents(o, oids, 64);
		EVP_PKEY *pk = X509_get0_pubkey(leaf);

		json_object_set_new(f, "leaf_key_matches_csr",
		                    json_boolean(o->cert_key != NULL && pk != NULL &&
		                                 EVP_PKEY_eq(pk, acs_key_evp(o->cert_key)) == 1));
		if (acs_cert_idents(leaf, &cids, &ncids, &err) == 0) {
			json_object_set_new(
			    f, "leaf_names_match_order",
			    json_boolean(acs_idents_equal_sets(cids, ncids, oids, noids)));
			free(cids);
		} else {
			json_object_set_new(f, "leaf_names_match_order", json_false());
		}
		json_object_set_new(
		    f, "leaf_is_ca",
		    json_boolean((X509_get_extension_flags(leaf) & EXFLAG_CA) != 0));
		acs_err_clear(&err);
		json_object_set_new(f, "chain_verifies",
		                    json_boolean(acs_chain_verify(chain, NULL, &err) == 0));
		if (default_leaf != NULL)
			json_object_set_new(f, "same_leaf",
			                    json_boolean(X509_cmp(leaf, default_leaf) == 0));
		if (o->not_after != NULL) {
			time_t want = 0, got = 0;
			struct tm tm;
			int ok = acs_rfc3339_parse(o->not_after, &want) == 0 &&
			         ASN1_TIME_to_tm(X509_get0_notAfter(leaf), &tm) == 1;

			if (ok)
				got = timegm(&tm);
			json_object_set_new(
			    f, "not_after_matches",
			    json_boolean(ok && (got - want <= 1 && want - got <= 1)));
		}
	}
	acs_chain_free(chain);
}

static X509 *first_cert(const char *pem)
{
	struct acs_chain *chain = NULL;
	X509 *x = NULL;

	if (pem == NULL || acs_chain_parse(pem, strlen(pem), &chain, NULL) != 0)
		return NULL;
	if (chain->n > 0) {
		x = chain->certs[0];
		X509_up_ref(x);
	}
	acs_chain_free(chain);
	return x;
}

static int cert_download(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                         long alternate)
{
	const char *cu = json_string_value(json_object_get(o->obj, "certificate"));
	struct acs_acme_resp *r = NULL;
	char *url = NULL, *alt = NULL;
	X509 *leaf = NULL;
	size_t nalt = 0;
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
	if (spost(run, a, url, NULL, "cert", 0, &r) != 0)
		goto out;
	acs_acme_set_str(&run->s->certificate_url, url);
	while (nalt < 32) {
		char *l = acs_http_link(r->http, "alternate", nalt);

		if (l == NULL)
			break;
		free(l);
		nalt++;
	}
	json_object_set_new(run->facts, "alternates", json_integer((json_int_t)nalt));
	if (r->http->status != 200) {
		fail_status(run, "certificate", "200");
		goto out;
	}
	acs_acme_set_str(&o->cert_pem, r->http->body);
	if (nalt == 0 && acs_case_needs(run->c, "alternate-chains")) {
		acs_step_fail(run, ACS_STEP_HARNESS, "alternate-chains",
		              "the certificate response has no Link rel=\"alternate\"");
		goto out;
	}
	if (alternate < 0) {
		chain_facts(run, o, r->http->body, r->http->body_len, NULL);
		rc = 0;
		goto out;
	}
	alt = acs_http_link(r->http, "alternate", (size_t)alternate);
	if (alt == NULL) {
		acs_step_fail(run, ACS_STEP_HARNESS, "alternate-chains",
		              "the certificate response has no alternate link %ld (it has %zu)",
		              alternate, nalt);
		goto out;
	}
	leaf = first_cert(r->http->body);
	if (spost(run, a, alt, NULL, "cert", 0, &r) != 0)
		goto out;
	json_object_set_new(run->facts, "alternates", json_integer((json_int_t)nalt));
	if (r->http->status != 200) {
		fail_status(run, "alternate certificate", "200");
		goto out;
	}
	acs_acme_set_str(&run->s->certificate_url, alt);
	chain_facts(run, o, r->http->body, r->http->body_len, leaf);
	if (leaf == NULL)
		json_object_set_new(run->facts, "same_leaf", json_false());
	rc = 0;
out:
	X509_free(leaf);
	free(url);
	free(alt);
	return rc;
}

static int act_cert_download(struct acs_run *run)
{
	struct acs_acme_account *a = step_account(run, 1);
	struct acs_acme_order *o = a != NULL ? step_order(run) : NULL;

	if (o == NULL)
		return -1;
	return cert_download(run, a, o, acs_arg_int(run, "alternate", -1));
}

static int act_issue(struct acs_run *run)
{
	json_t *ids = json_object_get(run->step, "identifiers");
	json_t *def = NULL;
	const char *name = acs_arg_str(run, "order", "o");
	struct acs_acme_account *a;
	struct acs_acme_order *o;
	int rc;

	if (ids == NULL)
		ids = def = json_pack("[s]", run->s->domain[0]);
	rc = new_order(run, name, ids);
	json_decref(def);
	if (rc != 0)
		return rc;
	a = step_account(run, 1);
	o = acs_acme_order_find(run->s, name);
	if (a == NULL || o == NULL)
		return -1;
	if (authorize(run, a, o, acs_arg_str(run, "type", "http-01")) != 0)
		return -1;
	if (finalize(run, a, o, "ok") != 0)
		return -1;
	{
		json_t *until = json_pack("[s,s]", "valid", "invalid");

		rc = poll_order(run, a, o, until);
		json_decref(until);
	}
	if (rc != 0)
		return rc;
	return cert_download(run, a, o, -1);
}

static int act_revoke(struct acs_run *run)
{
	struct acs_acme_order *o = step_order(run);
	const char *by = acs_arg_str(run, "by", "account");
	const char *url = acs_acme_dir_url(run->s, "revokeCert");
	const struct acs_key *key = NULL;
	const char *kid = NULL;
	char *payload = NULL;
	struct acs_err err;
	int rc = -1;

	acs_err_clear(&err);
	if (o == NULL)
		return -1;
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, "revokeCert",
		                     "the directory has no revokeCert URL");
	if (o->cert_pem == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "order \"%s\" has no downloaded certificate", o->name);
	payload = acs_acme_revoke_payload(o->cert_pem, json_object_get(run->step, "reason"), &err);
	if (payload == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
	if (strcmp(by, "cert-key") == 0) {
		key = o->cert_key;
		if (key == NULL)
			acs_step_fail(run, ACS_STEP_HARNESS, NULL, "no certificate key recorded");
	} else {
		const char *who = strcmp(by, "account") == 0 ? o->account : by;
		struct acs_acme_account *a = acs_acme_account_find(run->s, who);

		if (a == NULL || a->url == NULL)
			acs_step_fail(run, ACS_STEP_HARNESS, NULL, "revoke by: no account \"%s\"",
			              who);
		else
			key = signing_key(run, a);
		kid = a != NULL ? a->url : NULL;
	}
	if (key == NULL ||
	    spost_key(run, url, key, kid, kid, payload, strlen(payload), "revoke-cert", NULL) != 0)
		goto out;
	if (status_of(run->resp) != 200) {
		fail_status(run, "revokeCert", "200");
		goto out;
	}
	rc = 0;
out:
	free(payload);
	return rc;
}

/* ---------------------------------------------------------------- raw requests */

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
	a = step_account(run, !use_jwk);
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
	if (spost(run, a, url, raw != NULL ? raw : text, resource_of(target), use_jwk, &r) != 0)
		goto out;
	if (r->http->status < 200 || r->http->status > 299) {
		fail_status(run, "POST", "a 2xx status");
		goto out;
	}
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
		return fail_status(run, method, "a 2xx status");
	return 0;
}

/* ---------------------------------------------------------------- the table */

static const char *const type_choices[] = {"http-01", "dns-01", "tls-alpn-01", NULL};
static const char *const method_choices[] = {"HEAD", "GET", NULL};
static const char *const eab_choices[] = {"auto",        "none",      "always", "bad-mac",
                                          "unknown-kid", "wrong-key", "nonce",  "url-mismatch",
                                          "alg-none",    NULL};
static const char *const csr_choices[] = {"ok",     "extra-name", "missing-name",  "account-key",
                                          "key-of", "cn-only",    "bad-signature", "garbage",
                                          NULL};
static const char *const serve_choices[] = {
    "ok",          "wrong",      "trailing-newline", "trailing-space",
    "not-found",   "redirect",   "fail-first",       "wrong-digest",
    "noncritical", "mixed-case", "extra-san",        "no-extension",
    "decoys",      NULL};
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
    {"type", "s", type_choices}, {"index", "i", NULL},          {"payload", "j", NULL},
    {"raw_payload", "s", NULL},  {"serve", "s", serve_choices}, {"provision", "b", NULL},
    {NULL, NULL, NULL}};
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
    {"new-account", act_new_account, new_account_args},
    {"account-get", act_account_get, no_args},
    {"account-update", act_account_update, account_update_args},
    {"account-deactivate", act_account_deactivate, no_args},
    {"key-change", act_key_change, key_change_args},
    {"new-order", act_new_order, new_order_args},
    {"order-get", act_order_get, no_args},
    {"authz-get", act_authz_get, index_args},
    {"challenge-respond", act_challenge_respond, challenge_respond_args},
    {"challenge-get", act_challenge_get, no_args},
    {"poll-authz", act_poll_authz, poll_authz_args},
    {"poll-order", act_poll_order, poll_order_args},
    {"authorize", act_authorize, authorize_args},
    {"authz-deactivate", act_authz_deactivate, index_args},
    {"observe", act_observe, observe_args},
    {"finalize", act_finalize, finalize_args},
    {"issue", act_issue, issue_args},
    {"cert-download", act_cert_download, cert_download_args},
    {"revoke", act_revoke, revoke_args},
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
