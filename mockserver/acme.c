/*
 * The ACME resources of the mock CA (RFC 8555 section 7) and the request
 * checks of section 6. Every request runs with its scenario's lock held;
 * validations run on worker threads and come back through
 * acs_mca_validation_done.
 *
 * Each check that a client breaks is recorded in the request's log entry
 * (acs_mca_check) before the CA answers the way the RFC says; the
 * misbehaviour switches bend these answers on purpose.
 */
/* strptime */
#define _XOPEN_SOURCE 700
#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/b64url.h"
#include "harness/jws.h"
#include "mockserver/internal.h"

#define PROBLEM_NS "urn:ietf:params:acme:error:"

static const char *const allowed_algs[] = {"RS256", "ES256", "ES384", "ES512", "EdDSA"};

/* ---- response helpers ---- */

int acs_mca_add_header(struct mca_resp *resp, const char *name, const char *fmt, ...)
{
	struct acs_buf b;
	va_list ap;
	int rc;

	if (resp->nh >= MCA_MAX_HDRS)
		return ACS_E_TOOBIG;
	acs_buf_init(&b, 8192);
	va_start(ap, fmt);
	rc = acs_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		acs_buf_free(&b);
		return rc;
	}
	resp->hname[resp->nh] = strdup(name);
	resp->hval[resp->nh] = acs_buf_steal(&b);
	if (resp->hname[resp->nh] == NULL || resp->hval[resp->nh] == NULL) {
		free(resp->hname[resp->nh]);
		free(resp->hval[resp->nh]);
		return ACS_E_NOMEM;
	}
	resp->nh++;
	return 0;
}

void acs_mca_resp_json(struct mca_req *r, unsigned int status, json_t *body)
{
	char *text = json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	r->resp.status = status;
	if (r->resp.ctype == NULL)
		r->resp.ctype = "application/json";
	acs_buf_reset(&r->resp.body);
	if (text != NULL) {
		(void)acs_buf_puts(&r->resp.body, text);
		free(text);
	}
}

static json_t *problem_obj(unsigned int status, const char *type, const char *detail)
{
	char full[128];

	(void)snprintf(full, sizeof(full), PROBLEM_NS "%s", type);
	return json_pack("{s:s, s:s, s:i}", "type", full, "detail", detail, "status", (int)status);
}

static void send_problem_obj(struct mca_req *r, unsigned int status, const char *type, json_t *obj)
{
	r->resp.ctype =
	    mca_mb(r->scn, MB_PROBLEM_PLAIN_JSON) ? "application/json" : "application/problem+json";
	r->resp.problem = type;
	acs_mca_resp_json(r, status, obj);
}

void acs_mca_problem(struct mca_req *r, unsigned int status, const char *type, const char *fmt, ...)
{
	char detail[1024];
	json_t *obj;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	obj = problem_obj(status, type, detail);
	send_problem_obj(r, status, type, obj);
	json_decref(obj);
}

/* badSignatureAlgorithm with the algorithms the CA accepts (section 6.2). */
static void bad_alg(struct mca_req *r, const char *detail)
{
	json_t *obj, *algs;
	size_t i;

	if (mca_mb(r->scn, MB_ALG_MALFORMED)) {
		acs_mca_problem(r, 400, "malformed", "%s", detail);
		return;
	}
	obj = problem_obj(400, "badSignatureAlgorithm", detail);
	if (!mca_mb(r->scn, MB_ALG_NO_LIST)) {
		algs = json_array();
		for (i = 0; i < sizeof(allowed_algs) / sizeof(allowed_algs[0]); i++)
			json_array_append_new(algs, json_string(allowed_algs[i]));
		json_object_set_new(obj, "algorithms", algs);
	}
	send_problem_obj(r, 400, "badSignatureAlgorithm", obj);
	json_decref(obj);
}

static void add_check_to(json_t *logent, enum mca_check ck, const char *msg)
{
	json_t *checks = json_object_get(logent, "checks");
	const struct acs_mockca_check *c = &acs_mca_check_table[ck];

	if (checks == NULL) {
		checks = json_array();
		json_object_set_new(logent, "checks", checks);
	}
	json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:s}", "id", c->id, "section",
	                                        c->section, "level", c->level, "message", msg));
}

void acs_mca_check(struct mca_req *r, enum mca_check ck, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_check_to(r->logent, ck, msg);
}

void acs_mca_check_ent(json_t *logent, enum mca_check ck, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	add_check_to(logent, ck, msg);
}

/* ---- URLs ---- */

static char *urlf(struct mca_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *urlf(struct mca_req *r, const char *fmt, ...)
{
	struct acs_buf b;
	va_list ap;

	acs_buf_init(&b, 4096);
	if (acs_buf_puts(&b, r->sbase) != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	va_start(ap, fmt);
	(void)acs_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return acs_buf_steal(&b);
}

/* obj[key] = scenario base + prefix + id (id < 0: no id). */
static void set_json_url(json_t *obj, const char *key, struct mca_req *r, const char *prefix,
                         int id)
{
	char *u = id >= 0 ? urlf(r, "%s%d", prefix, id) : urlf(r, "%s", prefix);

	if (u != NULL)
		json_object_set_new(obj, key, json_string(u));
	free(u);
}

/* ---- time ---- */

static void rfc3339(time_t t, char out[32])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	(void)strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Parse an RFC 3339 date-time ("2024-01-02T03:04:05Z", fraction and offset allowed). */
static int parse_rfc3339(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;
	long off = 0;

	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
	           isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
	           isdigit((unsigned char)p[5])) {
		off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600L +
		      ((p[4] - '0') * 10 + (p[5] - '0')) * 60L;
		if (*p == '-')
			off = -off;
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	*out = timegm(&tm) - off;
	return 0;
}

/* ---- objects ---- */

static struct mca_account *acct_by_id(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->naccts)
		return NULL;
	return s->accts[id - 1];
}

static struct mca_order *order_by_id(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->norders)
		return NULL;
	return s->orders[id - 1];
}

static struct mca_authz *authz_by_id(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->nauthzs)
		return NULL;
	return s->authzs[id - 1];
}

static struct mca_chall *chall_by_id(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->nchalls)
		return NULL;
	return s->challs[id - 1];
}

static struct mca_cert *cert_by_id(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->ncerts)
		return NULL;
	return s->certs[id - 1];
}

/* Append p to a pointer array; returns the new 1-based id, or -1. */
static int push_obj(void ***arr, size_t *n, void *p)
{
	void **na;

	if (*n >= MCA_OBJ_MAX)
		return -1;
	na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (na == NULL)
		return -1;
	*arr = na;
	na[*n] = p;
	(*n)++;
	return (int)*n;
}

static struct mca_account *acct_by_key(struct mca_scenario *s, const struct acs_key *key)
{
	size_t i;

	for (i = 0; i < s->naccts; i++) {
		if (acs_key_equal(s->accts[i]->key, key))
			return s->accts[i];
	}
	return NULL;
}

static json_t *account_json(struct mca_req *r, struct mca_account *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "status", json_string(acs_mca_status_name(a->status)));
	json_object_set(o, "contact", a->contact != NULL ? a->contact : json_array());
	if (a->tos_agreed)
		json_object_set_new(o, "termsOfServiceAgreed", json_true());
	if (!mca_mb(r->scn, MB_NO_ORDERS_URL)) {
		char *u = urlf(r, "/acct/%d/orders", a->id);

		if (u != NULL)
			json_object_set_new(o, "orders", json_string(u));
		free(u);
	}
	if (a->eab != NULL)
		json_object_set(o, "externalAccountBinding", a->eab);
	json_object_set(o, "key", a->jwk);
	return o;
}

static json_t *challenge_json(struct mca_req *r, struct mca_chall *c)
{
	json_t *o = json_object();
	char ts[32];

	json_object_set_new(o, "type", json_string(acs_mca_ctype_names[c->type]));
	set_json_url(o, mca_mb(r->scn, MB_CHALLENGE_URI) ? "uri" : "url", r, "/chall/", c->id);
	json_object_set_new(o, "status", json_string(acs_mca_status_name(c->status)));
	json_object_set_new(o, "token", json_string(c->token));
	if (c->status == ST_VALID && c->validated != 0) {
		rfc3339(c->validated, ts);
		json_object_set_new(o, "validated", json_string(ts));
	}
	if (c->error != NULL && c->status == ST_INVALID)
		json_object_set(o, "error", c->error);
	return o;
}

static json_t *authz_json(struct mca_req *r, struct mca_authz *az)
{
	json_t *o = json_object(), *chs = json_array(), *id;
	char ts[32];
	int i;

	id = json_pack("{s:s, s:s}", "type", az->ident.type, "value", az->ident.value);
	if (az->wildcard && mca_mb(r->scn, MB_WILDCARD_AUTHZ_STAR)) {
		char star[300];

		(void)snprintf(star, sizeof(star), "*.%s", az->ident.value);
		json_object_set_new(id, "value", json_string(star));
	}
	json_object_set_new(o, "identifier", id);
	json_object_set_new(o, "status", json_string(acs_mca_status_name(az->status)));
	rfc3339(az->expires, ts);
	json_object_set_new(o, "expires", json_string(ts));
	for (i = 0; i < az->nchall; i++) {
		struct mca_chall *c = chall_by_id(r->scn, az->chall[i]);

		if (c != NULL)
			json_array_append_new(chs, challenge_json(r, c));
	}
	json_object_set_new(o, "challenges", chs);
	if (az->wildcard && !mca_mb(r->scn, MB_WILDCARD_AUTHZ_STAR))
		json_object_set_new(o, "wildcard", json_true());
	return o;
}

static json_t *reversed(const json_t *a)
{
	json_t *out = json_array();
	size_t i = json_array_size(a);

	while (i > 0) {
		i--;
		json_array_append(out, json_array_get(a, i));
	}
	return out;
}

static json_t *order_json(struct mca_req *r, struct mca_order *o)
{
	json_t *j = json_object(), *authz = json_array();
	char ts[32];
	size_t i;
	int flip;

	/* shuffle-arrays: every other fetch shows the arrays in reverse order */
	flip = mca_mb(r->scn, MB_SHUFFLE) && (o->fetches++ % 2) == 1;
	json_object_set_new(j, "status", json_string(acs_mca_status_name(o->status)));
	rfc3339(o->expires, ts);
	json_object_set_new(j, "expires", json_string(ts));
	json_object_set_new(j, "identifiers",
	                    flip ? reversed(o->identifiers) : json_deep_copy(o->identifiers));
	if (o->not_before != NULL)
		json_object_set_new(j, "notBefore", json_string(o->not_before));
	if (o->not_after != NULL)
		json_object_set_new(j, "notAfter", json_string(o->not_after));
	for (i = 0; i < o->nauthz; i++) {
		char *u = urlf(r, "/authz/%d", o->authz[i]);

		if (u != NULL)
			json_array_append_new(authz, json_string(u));
		free(u);
	}
	if (flip) {
		json_t *rev = reversed(authz);

		json_decref(authz);
		authz = rev;
	}
	json_object_set_new(j, "authorizations", authz);
	{
		char *u = urlf(r, "/order/%d/finalize", o->id);

		if (u != NULL)
			json_object_set_new(j, "finalize", json_string(u));
		free(u);
	}
	if (o->status == ST_VALID && o->cert != 0)
		set_json_url(j, "certificate", r, "/cert/", o->cert);
	if (o->error != NULL && o->status == ST_INVALID)
		json_object_set(j, "error", o->error);
	return j;
}

static void retry_after(struct mca_req *r)
{
	if (!mca_mb(r->scn, MB_NO_RETRY_AFTER))
		(void)acs_mca_add_header(&r->resp, "Retry-After", "1");
}

/* Recompute an order's status from its authorizations. */
static void order_update(struct mca_scenario *s, struct mca_order *o)
{
	size_t i;
	int all_valid = 1;

	if (o->status != ST_PENDING)
		return;
	for (i = 0; i < o->nauthz; i++) {
		struct mca_authz *az = authz_by_id(s, o->authz[i]);

		if (az == NULL)
			continue;
		if (az->status == ST_INVALID || az->status == ST_DEACTIVATED ||
		    az->status == ST_EXPIRED || az->status == ST_REVOKED) {
			o->status = ST_INVALID;
			if (o->error == NULL)
				o->error = json_pack(
				    "{s:s, s:s, s:i}", "type", PROBLEM_NS "unauthorized", "detail",
				    "an authorization of the order is not valid", "status", 403);
			return;
		}
		if (az->status != ST_VALID)
			all_valid = 0;
	}
	if (all_valid)
		o->status = ST_READY;
}

static void orders_update(struct mca_scenario *s)
{
	size_t i;

	for (i = 0; i < s->norders; i++)
		order_update(s, s->orders[i]);
}

/* Apply a validation result to a challenge, its authorization and orders. */
static void chall_apply(struct mca_scenario *s, struct mca_chall *c, enum mca_status result)
{
	struct mca_authz *az = authz_by_id(s, c->authz);

	c->status = result;
	if (az != NULL && az->status == ST_PENDING)
		az->status = result == ST_VALID ? ST_VALID : ST_INVALID;
	orders_update(s);
}

/* challenge-processing: a held result shows after some polls. */
static void chall_poll(struct mca_scenario *s, struct mca_chall *c)
{
	if (c->status != ST_PROCESSING || c->hold_polls <= 0 || c->result == ST_PROCESSING)
		return;
	c->hold_polls--;
	if (c->hold_polls == 0)
		chall_apply(s, c, c->result);
}

void acs_mca_validation_done(struct acs_mockca *ca, struct mca_scenario *s, int chall, int ok,
                             const char *errtype, const char *detail)
{
	struct mca_chall *c = chall_by_id(s, chall);
	struct mca_mb_state *inv = &s->mb[MB_CHALLENGE_INVALID];
	char typebuf[64];

	(void)ca;
	if (c == NULL || c->status != ST_PROCESSING)
		return;
	if (inv->on) {
		const char *arg = inv->arg[0] != '\0' ? inv->arg : "incorrectResponse";
		const char *colon = strchr(arg, ':');
		size_t tl = colon != NULL ? (size_t)(colon - arg) : strlen(arg);

		if (tl >= sizeof(typebuf))
			tl = sizeof(typebuf) - 1;
		memcpy(typebuf, arg, tl);
		typebuf[tl] = '\0';
		ok = 0;
		errtype = typebuf;
		detail =
		    colon != NULL ? colon + 1 : "the mock CA failed this validation on purpose";
		inv->counter++;
	}
	c->validated = time(NULL);
	if (!ok) {
		char full[128];

		(void)snprintf(full, sizeof(full), PROBLEM_NS "%s",
		               errtype != NULL ? errtype : "incorrectResponse");
		json_decref(c->error);
		c->error = json_pack("{s:s, s:s, s:i}", "type", full, "detail",
		                     detail != NULL ? detail : "validation failed", "status", 400);
	}
	if (s->mb[MB_CHALLENGE_PROCESSING].on) {
		long n = s->mb[MB_CHALLENGE_PROCESSING].n;

		c->hold_polls = (int)(n >= 0 ? n : 3);
		c->result = ok ? ST_VALID : ST_INVALID;
		if (c->hold_polls > 0)
			return;
	}
	chall_apply(s, c, ok ? ST_VALID : ST_INVALID);
}

/* ---- identifiers ---- */

static int dns_name_ok(const char *v)
{
	size_t len = strlen(v), label = 0, i;

	if (len == 0 || len > 253 || v[len - 1] == '.' || v[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = v[i];

		if (c == '.') {
			if (label == 0 || v[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)c) || c == '-'))
			return 0;
		if (label == 0 && c == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	/* a bare IP address is not a DNS name */
	{
		unsigned char tmp[16];

		if (inet_pton(AF_INET, v, tmp) == 1)
			return 0;
	}
	return strchr(v, '.') != NULL;
}

/* ---- request verification (section 6) ---- */

struct post {
	struct acs_jws *jws;
	struct mca_account *acct; /* the signer's account (kid, or jwk of a known key) */
	struct acs_key *key;      /* the verifying key (owned when from jwk) */
	int key_owned;
	json_t *jwk;     /* borrowed from the protected header when jwk was used */
	json_t *payload; /* parsed payload; NULL for POST-as-GET */
	int post_as_get;
};

static void post_clear(struct post *p)
{
	acs_jws_free(p->jws);
	if (p->key_owned)
		acs_key_free(p->key);
	json_decref(p->payload);
	memset(p, 0, sizeof(*p));
}

enum keysrc { KS_KID, KS_JWK, KS_EITHER };

static int b64_member_padded(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL && strchr(v, '=') != NULL;
}

static int alg_allowed(const char *alg)
{
	size_t i;

	for (i = 0; i < sizeof(allowed_algs) / sizeof(allowed_algs[0]); i++) {
		if (strcmp(alg, allowed_algs[i]) == 0)
			return 1;
	}
	return 0;
}

/* The expected alg for a key, with ES512 for P-521 the shared code may not name. */
static int alg_fits_key(const char *alg, const struct acs_key *key)
{
	const char *want = acs_key_alg(key);

	return want != NULL && strcmp(alg, want) == 0;
}

static struct mca_account *acct_by_kid(struct mca_req *r, const char *kid)
{
	const char *rest;
	char *end = NULL;
	long id;
	size_t sl = strlen(r->sbase);

	if (strncmp(kid, r->sbase, sl) != 0 || strncmp(kid + sl, "/acct/", 6) != 0)
		return NULL;
	rest = kid + sl + 6;
	if (!isdigit((unsigned char)rest[0]) || rest[0] == '0')
		return NULL;
	id = strtol(rest, &end, 10);
	if (*end != '\0' || id > MCA_OBJ_MAX)
		return NULL;
	return acct_by_id(r->scn, (int)id);
}

/* Fault injection switched on for this endpoint: fires for the first N requests. */
static int fault_fires(struct mca_req *r, enum mca_mb m)
{
	struct mca_mb_state *st = &r->scn->mb[m];
	long n = st->n >= 0 ? st->n : 1;

	if (!st->on)
		return 0;
	if (st->endpoint >= 0 && st->endpoint != r->endpoint)
		return 0;
	if (st->counter >= n)
		return 0;
	st->counter++;
	json_object_set_new(r->logent, "misbehaviour", json_string(acs_mca_mb_table[m].name));
	return 1;
}

/*
 * Verify a POST per section 6 and fill p. Returns 0, or -1 with the problem
 * response already set.
 */
static int verify_post(struct mca_req *r, enum keysrc ks, struct post *p)
{
	struct mca_scenario *s = r->scn;
	const char *ct = acs_mca_req_header(r, "Content-Type");
	struct acs_err err;
	json_t *raw = NULL, *hdr, *jwk, *kidv, *b64, *crit;
	const char *alg, *nonce, *url, *kid;
	int rc = -1, lax = mca_mb(s, MB_KEY_SOURCE_LAX);
	size_t ctl;

	acs_err_clear(&err);
	ctl = ct != NULL ? strcspn(ct, ";") : 0;
	while (ct != NULL && ctl > 0 && ct[ctl - 1] == ' ')
		ctl--;
	if (ct == NULL || ctl != strlen("application/jose+json") ||
	    strncasecmp(ct, "application/jose+json", ctl) != 0) {
		acs_mca_check(r, CK_CONTENT_TYPE, "Content-Type is %s", ct != NULL ? ct : "absent");
		if (!mca_mb(s, MB_CT_UNCHECKED)) {
			r->resp.problem = "malformed";
			acs_mca_problem(r, 415, "malformed",
			                "Content-Type must be application/jose+json, got %s",
			                ct != NULL ? ct : "none");
			goto out;
		}
	}
	if (r->body_len == 0) {
		acs_mca_problem(r, 400, "malformed", "request has no body");
		goto out;
	}
	/* padding is detected before the strict parser refuses it, to name the rule */
	raw = json_loadb(r->body, r->body_len, 0, NULL);
	if (raw != NULL && json_is_object(raw) &&
	    (b64_member_padded(raw, "protected") || b64_member_padded(raw, "payload") ||
	     b64_member_padded(raw, "signature")))
		acs_mca_check(r, CK_B64_NO_PADDING, "base64url with '=' padding in the JWS");
	if (acs_jws_parse(r->body, r->body_len, &p->jws, &err) != 0) {
		if (raw == NULL && memchr(r->body, '{', r->body_len) != NULL)
			acs_mca_check(r, CK_UTF8, "body is not valid UTF-8 JSON");
		acs_mca_problem(r, 400, "malformed", "cannot parse JWS: %s", err.msg);
		goto out;
	}
	hdr = p->jws->protected_hdr;
	json_object_set(r->logent, "jws", json_pack("{s:O}", "protected", hdr));
	json_decref(json_object_get(r->logent, "jws"));
	if (p->jws->payload != NULL) {
		json_t *pl =
		    json_loadb((const char *)p->jws->payload, p->jws->payload_len, 0, NULL);

		json_object_set_new(json_object_get(r->logent, "jws"), "payload",
		                    pl != NULL ? pl
		                               : json_stringn_nocheck((const char *)p->jws->payload,
		                                                      p->jws->payload_len));
	}
	if (p->jws->form != ACS_JWS_FLATTENED) {
		acs_mca_check(r, CK_FLATTENED, "JWS in %s serialization",
		              p->jws->form == ACS_JWS_COMPACT ? "compact" : "general");
		if (p->jws->nsignatures > 1)
			acs_mca_check(r, CK_ONE_SIGNATURE, "%d signatures", p->jws->nsignatures);
		if (!mca_mb(s, MB_FORM_LAX)) {
			acs_mca_problem(r, 400, "malformed",
			                "JWS must use the flattened JSON serialization");
			goto out;
		}
	}
	if (p->jws->has_unprotected_header) {
		acs_mca_check(r, CK_NO_UNPROTECTED, "JWS has an unprotected header");
		if (!mca_mb(s, MB_FORM_LAX)) {
			acs_mca_problem(r, 400, "malformed",
			                "JWS must not have an unprotected header");
			goto out;
		}
	}
	if (p->jws->payload_b64 == NULL) {
		acs_mca_check(r, CK_PAYLOAD_PRESENT, "JWS has no payload member");
		acs_mca_problem(r, 400, "malformed", "JWS has no payload member");
		goto out;
	}
	b64 = json_object_get(hdr, "b64");
	crit = json_object_get(hdr, "crit");
	if (b64 != NULL || crit != NULL) {
		acs_mca_check(r, CK_NO_B64_FALSE, "protected header has %s",
		              b64 != NULL ? "b64" : "crit");
		acs_mca_problem(r, 400, "malformed",
		                "unencoded payloads (b64, crit) are not allowed");
		goto out;
	}
	alg = acs_jws_header_str(p->jws, "alg");
	if (alg == NULL) {
		acs_mca_check(r, CK_PROTECTED_FIELDS, "protected header has no alg");
		acs_mca_problem(r, 400, "malformed", "protected header has no alg");
		goto out;
	}
	if (!mca_mb(s, MB_SIG_UNCHECKED)) {
		if (strcmp(alg, "none") == 0 || strncmp(alg, "HS", 2) == 0) {
			acs_mca_check(r, CK_ALG_ASYMMETRIC, "alg is %s", alg);
			bad_alg(r, "alg none and MAC algorithms are not allowed");
			goto out;
		}
		if (!alg_allowed(alg)) {
			char d[128];

			(void)snprintf(d, sizeof(d), "alg %.64s is not supported", alg);
			bad_alg(r, d);
			goto out;
		}
	}

	/* key source */
	jwk = json_object_get(hdr, "jwk");
	kidv = json_object_get(hdr, "kid");
	if (jwk != NULL && kidv != NULL) {
		acs_mca_check(r, CK_JWK_XOR_KID, "protected header has both jwk and kid");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "jwk and kid are mutually exclusive");
			goto out;
		}
	}
	if (jwk == NULL && kidv == NULL) {
		acs_mca_check(r, CK_PROTECTED_FIELDS, "protected header has neither jwk nor kid");
		acs_mca_problem(r, 400, "malformed", "protected header has neither jwk nor kid");
		goto out;
	}
	if (ks == KS_JWK && jwk == NULL) {
		acs_mca_check(r, CK_JWK_WHERE_REQUIRED, "kid used where jwk is required");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "this resource requires a jwk");
			goto out;
		}
	}
	if (ks == KS_KID && kidv == NULL) {
		acs_mca_check(r, CK_KID_WHERE_REQUIRED, "jwk used where kid is required");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "this resource requires a kid");
			goto out;
		}
	}
	if (kidv != NULL && (jwk == NULL || ks != KS_JWK)) {
		kid = json_string_value(kidv);
		if (kid == NULL) {
			acs_mca_problem(r, 400, "malformed", "kid is not a string");
			goto out;
		}
		p->acct = acct_by_kid(r, kid);
		if (p->acct == NULL) {
			acs_mca_check(r, CK_KID_IS_ACCOUNT_URL, "kid %.200s is not an account URL",
			              kid);
			acs_mca_problem(r, 400, "accountDoesNotExist", "no account at %.200s", kid);
			goto out;
		}
		p->key = p->acct->key;
	} else {
		if (acs_jwk_import(jwk, 0, &p->key, &err) != 0) {
			acs_mca_problem(r, 400, "badPublicKey", "%s", err.msg);
			goto out;
		}
		p->key_owned = 1;
		p->jwk = jwk;
		p->acct = acct_by_key(s, p->key);
	}
	if (!mca_mb(s, MB_SIG_UNCHECKED)) {
		if (!alg_fits_key(alg, p->key)) {
			char d[160];

			acs_mca_check(r, CK_ALG_MATCHES_KEY, "alg %s does not fit the %s key", alg,
			              acs_key_alg(p->key));
			(void)snprintf(d, sizeof(d), "alg %.32s does not match the key (%s)", alg,
			               acs_key_alg(p->key));
			bad_alg(r, d);
			goto out;
		}
		if (acs_jws_verify(p->jws, p->key, &err) != 0) {
			acs_mca_check(r, CK_SIGNATURE_VERIFIES, "%s", err.msg);
			acs_mca_problem(r, 400, "malformed", "JWS signature does not verify: %s",
			                err.msg);
			goto out;
		}
	}
	/* nonce (section 6.5): consumed before the url check, like a real CA */
	nonce = acs_jws_header_str(p->jws, "nonce");
	if (!mca_mb(s, MB_NONCE_UNCHECKED)) {
		int nrc;

		if (nonce == NULL) {
			acs_mca_check(r, CK_NONCE_PRESENT, "protected header has no nonce");
			acs_mca_problem(r, 400, "badNonce", "protected header has no nonce");
			goto out;
		}
		if (!acs_b64url_valid(nonce, strlen(nonce))) {
			acs_mca_check(r, CK_NONCE_B64URL, "nonce %.80s is not base64url", nonce);
			acs_mca_problem(r, 400, "badNonce", "nonce is not base64url");
			goto out;
		}
		nrc = acs_nonce_consume(s->nonces, nonce, mca_mb(s, MB_NONCE_REUSE_OK));
		if (nrc != 0) {
			acs_mca_check(r, CK_NONCE_FRESH, "nonce %.80s %s", nonce,
			              nrc == ACS_E_STATE ? "was already used" : "was never issued");
			acs_mca_problem(r, 400, "badNonce", "nonce %s",
			                nrc == ACS_E_STATE ? "was already used"
			                                   : "is unknown or expired");
			goto out;
		}
	}
	url = acs_jws_header_str(p->jws, "url");
	if (url == NULL) {
		acs_mca_check(r, CK_URL_PRESENT, "protected header has no url string");
		acs_mca_problem(r, 400, "malformed", "protected header has no url");
		goto out;
	}
	if (strcmp(url, r->url) != 0) {
		acs_mca_check(r, CK_URL_MATCHES, "url %.200s differs from the request URL %.200s",
		              url, r->url);
		if (mca_mb(s, MB_URL_MALFORMED)) {
			acs_mca_problem(r, 400, "malformed",
			                "url header does not match the request URL");
			goto out;
		}
		if (!mca_mb(s, MB_URL_UNCHECKED)) {
			/* section 6.4: reject the request as unauthorized */
			acs_mca_problem(r, 401, "unauthorized",
			                "url header %.200s does not match the request URL %.200s",
			                url, r->url);
			goto out;
		}
	}
	if (p->acct != NULL && p->acct->status == ST_DEACTIVATED && ks != KS_JWK) {
		unsigned int st = mca_mb(s, MB_DEACTIVATED_403) ? 403 : 401;

		acs_mca_problem(r, st, "unauthorized", "account is deactivated");
		goto out;
	}
	if (p->jws->payload_len == 0) {
		p->post_as_get = 1;
	} else {
		p->payload =
		    json_loadb((const char *)p->jws->payload, p->jws->payload_len, 0, NULL);
		if (p->payload == NULL) {
			acs_mca_problem(r, 400, "malformed", "payload is not JSON");
			goto out;
		}
	}
	/* scripted faults, after the nonce was consumed */
	if (fault_fires(r, MB_BAD_NONCE)) {
		acs_mca_problem(r, 400, "badNonce", "nonce rejected (scripted)");
		goto out;
	}
	if (fault_fires(r, MB_RATE_LIMITED)) {
		acs_mca_problem(r, 429, "rateLimited",
		                "rate limit reached (scripted), retry after 1 s");
		retry_after(r);
		goto out;
	}
	if (fault_fires(r, MB_UNAVAILABLE)) {
		acs_mca_problem(r, 503, "serverInternal",
		                "service unavailable (scripted), retry after 1 s");
		retry_after(r);
		goto out;
	}
	rc = 0;
out:
	json_decref(raw);
	return rc;
}

/* For resources read by POST-as-GET: the payload must be "" (section 6.3). */
static int want_post_as_get(struct mca_req *r, struct post *p)
{
	if (p->post_as_get)
		return 0;
	acs_mca_check(r, CK_POST_AS_GET_EMPTY, "payload of a POST-as-GET is not empty");
	if (mca_mb(r->scn, MB_POSTASGET_LAX))
		return 0;
	acs_mca_problem(r, 400, "malformed", "POST-as-GET requests must have an empty payload");
	return -1;
}

static int want_object(struct mca_req *r, struct post *p)
{
	if (p->payload != NULL && json_is_object(p->payload))
		return 0;
	acs_mca_problem(r, 400, "malformed", "payload must be a JSON object");
	return -1;
}

/* The signer must be the owner (acct id); else 403 unauthorized. */
static int want_owner(struct mca_req *r, struct post *p, int owner)
{
	if (p->acct != NULL && p->acct->id == owner)
		return 0;
	acs_mca_problem(r, 403, "unauthorized", "the resource belongs to another account");
	return -1;
}

/* ---- contacts ---- */

static int check_contacts(struct mca_req *r, json_t *contact)
{
	size_t i;
	json_t *v;

	if (mca_mb(r->scn, MB_CONTACT_UNCHECKED))
		return 0;
	if (!json_is_array(contact)) {
		acs_mca_problem(r, 400, "malformed", "contact must be an array of URLs");
		return -1;
	}
	if (json_array_size(contact) > 10) {
		acs_mca_problem(r, 400, "malformed", "too many contacts");
		return -1;
	}
	json_array_foreach(contact, i, v)
	{
		const char *c = json_string_value(v);
		const char *addr;

		if (c == NULL) {
			acs_mca_problem(r, 400, "malformed", "contact %zu is not a string", i);
			return -1;
		}
		if (strncasecmp(c, "mailto:", 7) != 0) {
			acs_mca_problem(r, 400, "unsupportedContact",
			                "only mailto: contacts are supported, got %.100s", c);
			return -1;
		}
		addr = c + 7;
		if (strchr(addr, '?') != NULL || strchr(addr, ',') != NULL ||
		    strstr(addr, "%2C") != NULL || strstr(addr, "%2c") != NULL) {
			acs_mca_check(r, CK_MAILTO,
			              "contact %.100s has hfields or several addresses", c);
			acs_mca_problem(
			    r, 400, "invalidContact",
			    "mailto contact must be a single address without hfields: %.100s", c);
			return -1;
		}
		if (strchr(addr, '@') == NULL || addr[0] == '@' || addr[strlen(addr) - 1] == '@' ||
		    strchr(addr, ' ') != NULL) {
			acs_mca_problem(r, 400, "invalidContact", "invalid email address %.100s",
			                addr);
			return -1;
		}
	}
	return 0;
}

/* ---- External Account Binding (section 7.3.4) ---- */

static int check_eab(struct mca_req *r, struct post *p, json_t *eab)
{
	struct acs_mockca *ca = r->ca;
	struct acs_jws *inner = NULL;
	struct acs_key *ek = NULL;
	struct acs_err err;
	json_t *pl = NULL;
	char *text = NULL;
	const char *alg, *kid, *url;
	int rc = -1;

	acs_err_clear(&err);
	if (mca_mb(r->scn, MB_EAB_UNCHECKED))
		return 0;
	text = json_dumps(eab, JSON_COMPACT);
	if (!json_is_object(eab) || text == NULL ||
	    acs_jws_parse(text, strlen(text), &inner, &err) != 0) {
		acs_mca_problem(r, 400, "malformed", "externalAccountBinding is not a JWS: %s",
		                err.msg);
		goto out;
	}
	alg = acs_jws_header_str(inner, "alg");
	if (alg == NULL ||
	    (strcmp(alg, "HS256") != 0 && strcmp(alg, "HS384") != 0 && strcmp(alg, "HS512") != 0)) {
		acs_mca_check(r, CK_EAB_MAC_ALG, "EAB alg is %s", alg != NULL ? alg : "absent");
		acs_mca_problem(r, 400, "malformed",
		                "externalAccountBinding alg must be HS256, HS384 or HS512");
		goto out;
	}
	if (json_object_get(inner->protected_hdr, "nonce") != NULL) {
		acs_mca_check(r, CK_EAB_NO_NONCE, "EAB protected header has a nonce");
		acs_mca_problem(r, 400, "malformed",
		                "externalAccountBinding must not have a nonce");
		goto out;
	}
	url = acs_jws_header_str(inner, "url");
	if (url == NULL || strcmp(url, r->url) != 0) {
		acs_mca_check(r, CK_EAB_URL, "EAB url %.200s differs from the outer url",
		              url != NULL ? url : "(absent)");
		acs_mca_problem(r, 400, "malformed",
		                "externalAccountBinding url must equal the outer url");
		goto out;
	}
	kid = acs_jws_header_str(inner, "kid");
	if (kid == NULL || strcmp(kid, ca->eab_kid) != 0) {
		acs_mca_check(r, CK_EAB_KID, "EAB kid %.100s is not the CA's key identifier",
		              kid != NULL ? kid : "(absent)");
		acs_mca_problem(r, 403, "unauthorized", "unknown external account key identifier");
		goto out;
	}
	if (acs_jws_verify_hmac(inner, ca->eab_key, ca->eab_key_len, &err) != 0) {
		acs_mca_problem(r, 403, "unauthorized",
		                "externalAccountBinding MAC does not verify");
		goto out;
	}
	if (inner->payload != NULL)
		pl = json_loadb((const char *)inner->payload, inner->payload_len, 0, NULL);
	if (pl == NULL || acs_jwk_import(pl, 1, &ek, &err) != 0 || !acs_key_equal(ek, p->key)) {
		acs_mca_check(r, CK_EAB_PAYLOAD_JWK, "EAB payload is not the account key");
		acs_mca_problem(r, 400, "badPublicKey",
		                "externalAccountBinding payload must be the account key");
		goto out;
	}
	rc = 0;
out:
	free(text);
	acs_jws_free(inner);
	acs_key_free(ek);
	json_decref(pl);
	return rc;
}

/* ---- resources ---- */

static void do_directory(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	json_t *d = json_object(), *meta = json_object();
	char *u;

	r->resp.no_index = 1;
	if (mca_mb(s, MB_DIR_V1)) {
		set_json_url(d, "new-reg", r, "/new-account", -1);
		set_json_url(d, "new-authz", r, "/new-order", -1);
		set_json_url(d, "new-cert", r, "/new-order", -1);
		set_json_url(d, "revoke-cert", r, "/revoke-cert", -1);
		set_json_url(d, "key-change", r, "/key-change", -1);
		if (!mca_mb(s, MB_NO_TOS))
			set_json_url(meta, "terms-of-service", r, "/terms", -1);
		json_object_set_new(d, "meta", meta);
		acs_mca_resp_json(r, 200, d);
		json_decref(d);
		return;
	}
	set_json_url(d, "newNonce", r, "/new-nonce", -1);
	set_json_url(d, "newAccount", r, "/new-account", -1);
	if (mca_mb(s, MB_HTTP_URL) && strncmp(r->sbase, "https://", 8) == 0) {
		struct acs_buf b;

		acs_buf_init(&b, 4096);
		(void)acs_buf_printf(&b, "http://%s/new-order", r->sbase + 8);
		json_object_set_new(d, "newOrder", json_string(b.data != NULL ? b.data : ""));
		acs_buf_free(&b);
	} else {
		set_json_url(d, "newOrder", r, "/new-order", -1);
	}
	if (!mca_mb(s, MB_NO_REVOKE))
		set_json_url(d, "revokeCert", r, "/revoke-cert", -1);
	if (!mca_mb(s, MB_NO_KEYCHANGE))
		set_json_url(d, "keyChange", r, "/key-change", -1);
	if (!mca_mb(s, MB_NO_TOS))
		set_json_url(meta, "termsOfService", r, "/terms", -1);
	json_object_set_new(meta, "website", json_string("https://github.com/acmespec"));
	json_object_set_new(meta, "caaIdentities", json_pack("[s]", "acmespec.test"));
	if (r->ca->eab_kid != NULL)
		json_object_set_new(meta, "externalAccountRequired", json_true());
	if (mca_mb(s, MB_DIR_UNKNOWN_FIELDS)) {
		json_object_set_new(meta, "x-acmespec-unknown", json_pack("{s:b}", "nested", 1));
		u = urlf(r, "/unknown-resource");
		json_object_set_new(d, "x-acmespec-resource", json_string(u != NULL ? u : ""));
		free(u);
		json_object_set_new(d, "zzUnknownNumber", json_integer(42));
	}
	json_object_set_new(d, "meta", meta);
	acs_mca_resp_json(r, 200, d);
	json_decref(d);
}

static void do_new_nonce(struct mca_req *r)
{
	r->resp.nonce_mode = 1;
	if (strcmp(r->method, "HEAD") == 0 || mca_mb(r->scn, MB_NEWNONCE_GET_200))
		r->resp.status = 200;
	else
		r->resp.status = 204;
}

static void do_terms(struct mca_req *r)
{
	r->resp.status = 200;
	r->resp.ctype = "text/plain; charset=utf-8";
	(void)acs_buf_puts(&r->resp.body, "acmespec mock CA terms of service: there are none.\n");
}

static void do_issuer(struct mca_req *r)
{
	const struct acs_mca_pki *pki = r->ca->pki;

	if (r->obj_id != 0 && r->obj_id != 1) {
		acs_mca_problem(r, 404, "malformed", "no such issuer");
		return;
	}
	r->resp.status = 200;
	r->resp.ctype = "application/pem-certificate-chain";
	(void)acs_buf_puts(&r->resp.body, r->obj_id == 0 ? pki->inter_pem : pki->alt_inter_pem);
}

static void do_new_account(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_account *a = NULL;
	json_t *body, *contact, *tos, *ore, *eab;
	char *loc = NULL;
	int id;

	if (want_object(r, p) != 0)
		return;
	contact = json_object_get(p->payload, "contact");
	tos = json_object_get(p->payload, "termsOfServiceAgreed");
	ore = json_object_get(p->payload, "onlyReturnExisting");
	eab = json_object_get(p->payload, "externalAccountBinding");
	if (p->acct != NULL) {
		if (p->acct->status == ST_DEACTIVATED) {
			acs_mca_problem(r, mca_mb(s, MB_DEACTIVATED_403) ? 403 : 401,
			                "unauthorized", "the account of this key is deactivated");
			return;
		}
		loc = urlf(r, "/acct/%d", p->acct->id);
		if (!mca_mb(s, MB_NO_LOCATION))
			(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
		body = account_json(r, p->acct);
		acs_mca_resp_json(r, mca_mb(s, MB_EXISTING_201) ? 201 : 200, body);
		json_decref(body);
		free(loc);
		return;
	}
	if (json_is_true(ore) && !mca_mb(s, MB_ONLY_EXISTING_CREATES)) {
		acs_mca_problem(r, 400, "accountDoesNotExist", "no account exists with this key");
		return;
	}
	if (!mca_mb(s, MB_NO_TOS) && !json_is_true(tos)) {
		char *tu = urlf(r, "/terms");

		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"terms-of-service\"",
		                         tu != NULL ? tu : "");
		free(tu);
		if (mca_mb(s, MB_TOS_AGREEMENT_REQUIRED))
			acs_mca_problem(r, 403, "agreementRequired",
			                "you must agree to the terms of service");
		else
			acs_mca_problem(r, 403, "userActionRequired",
			                "you must agree to the terms of service");
		return;
	}
	if (r->ca->eab_kid != NULL) {
		if (eab == NULL && !mca_mb(s, MB_EAB_UNCHECKED)) {
			acs_mca_problem(r, 403, "externalAccountRequired",
			                "this CA requires an external account binding");
			return;
		}
		if (eab != NULL && check_eab(r, p, eab) != 0)
			return;
	}
	if (contact != NULL && check_contacts(r, contact) != 0)
		return;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		goto nomem;
	id = push_obj((void ***)&s->accts, &s->naccts, a);
	if (id < 0) {
		free(a);
		acs_mca_problem(r, 429, "rateLimited", "too many accounts in this scenario");
		return;
	}
	a->id = id;
	a->status = ST_VALID;
	a->key = p->key;
	p->key_owned = 0;
	a->jwk = json_deep_copy(p->jwk);
	a->contact = contact != NULL ? json_deep_copy(contact) : json_array();
	a->tos_agreed = json_is_true(tos);
	if (eab != NULL && r->ca->eab_kid != NULL)
		a->eab = json_deep_copy(eab);
	loc = urlf(r, "/acct/%d", a->id);
	if (!mca_mb(s, MB_NO_LOCATION))
		(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
	body = account_json(r, a);
	acs_mca_resp_json(r, 201, body);
	json_decref(body);
	free(loc);
	return;
nomem:
	acs_mca_problem(r, 500, "serverInternal", "out of memory");
}

static void do_account(struct mca_req *r, struct post *p)
{
	struct mca_account *a = p->acct;
	json_t *body, *st, *contact;

	if (want_owner(r, p, r->obj_id) != 0)
		return;
	if (!p->post_as_get) {
		if (want_object(r, p) != 0)
			return;
		st = json_object_get(p->payload, "status");
		contact = json_object_get(p->payload, "contact");
		if (st != NULL) {
			if (!json_is_string(st) ||
			    (strcmp(json_string_value(st), "deactivated") != 0 &&
			     strcmp(json_string_value(st), acs_mca_status_name(a->status)) != 0)) {
				acs_mca_problem(r, 400, "malformed",
				                "status may only be set to deactivated");
				return;
			}
		}
		if (contact != NULL) {
			if (check_contacts(r, contact) != 0)
				return;
			json_decref(a->contact);
			a->contact = json_deep_copy(contact);
		}
		if (json_is_true(json_object_get(p->payload, "termsOfServiceAgreed")))
			a->tos_agreed = 1;
		if (st != NULL && strcmp(json_string_value(st), "deactivated") == 0)
			a->status = ST_DEACTIVATED;
	}
	body = account_json(r, a);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
}

static void do_orders(struct mca_req *r, struct post *p)
{
	struct mca_account *a = p->acct;
	json_t *list = json_array(), *body;
	size_t i;

	if (want_owner(r, p, r->obj_id) != 0 || want_post_as_get(r, p) != 0) {
		json_decref(list);
		return;
	}
	for (i = 0; i < a->norders; i++) {
		struct mca_order *o = order_by_id(r->scn, a->orders[i]);
		char *u;

		if (o == NULL || o->status == ST_INVALID)
			continue;
		u = urlf(r, "/order/%d", o->id);
		if (u != NULL)
			json_array_append_new(list, json_string(u));
		free(u);
	}
	body = json_pack("{s:o}", "orders", list);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
}

static void do_key_change(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_account *a = p->acct, *other;
	struct acs_jws *inner = NULL;
	struct acs_key *nk = NULL, *ok = NULL;
	struct acs_err err;
	json_t *ipl = NULL, *ijwk, *body;
	char *text = NULL, *myurl = NULL;
	const char *ialg, *iurl, *account;
	int lax = mca_mb(s, MB_KEYCHANGE_UNCHECKED);

	acs_err_clear(&err);
	/* 1: the outer JWS passed section 6 (verify_post, kid) */
	if (want_object(r, p) != 0)
		goto out;
	/* 2: the payload is a JWS */
	text = json_dumps(p->payload, JSON_COMPACT);
	if (text == NULL || acs_jws_parse(text, strlen(text), &inner, &err) != 0) {
		acs_mca_problem(r, 400, "malformed", "keyChange payload is not a JWS: %s", err.msg);
		goto out;
	}
	/* 3: it has a jwk */
	ijwk = json_object_get(inner->protected_hdr, "jwk");
	if (ijwk == NULL || json_object_get(inner->protected_hdr, "kid") != NULL) {
		acs_mca_check(r, CK_KEYCHANGE_INNER_JWK, "inner JWS has %s",
		              ijwk == NULL ? "no jwk" : "a kid");
		acs_mca_problem(r, 400, "malformed", "inner JWS must carry the new key as jwk");
		goto out;
	}
	/* 4: it verifies with that jwk */
	if (acs_jwk_import(ijwk, 0, &nk, &err) != 0) {
		acs_mca_problem(r, 400, "badPublicKey", "inner JWS: %s", err.msg);
		goto out;
	}
	ialg = acs_jws_header_str(inner, "alg");
	if (ialg == NULL || !alg_fits_key(ialg, nk)) {
		acs_mca_check(r, CK_ALG_MATCHES_KEY, "inner alg %s does not fit the new key",
		              ialg != NULL ? ialg : "(absent)");
		bad_alg(r, "inner JWS alg does not match its key");
		goto out;
	}
	if (acs_jws_verify(inner, nk, &err) != 0) {
		acs_mca_check(r, CK_KEYCHANGE_INNER_JWK, "inner JWS does not verify: %s", err.msg);
		acs_mca_problem(r, 400, "malformed", "inner JWS does not verify: %s", err.msg);
		goto out;
	}
	if (json_object_get(inner->protected_hdr, "nonce") != NULL) {
		acs_mca_check(r, CK_KEYCHANGE_INNER_NO_NONCE, "inner JWS has a nonce");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "inner JWS must not have a nonce");
			goto out;
		}
	}
	/* 5: a well-formed keyChange object */
	if (inner->payload != NULL)
		ipl = json_loadb((const char *)inner->payload, inner->payload_len, 0, NULL);
	account = json_string_value(json_object_get(ipl, "account"));
	if (ipl == NULL || account == NULL || !json_is_object(json_object_get(ipl, "oldKey"))) {
		acs_mca_problem(r, 400, "malformed", "inner payload must hold account and oldKey");
		goto out;
	}
	/* 6: same url */
	iurl = acs_jws_header_str(inner, "url");
	if (iurl == NULL || strcmp(iurl, acs_jws_header_str(p->jws, "url")) != 0) {
		acs_mca_check(r, CK_KEYCHANGE_INNER_URL, "inner url %.200s differs from the outer",
		              iurl != NULL ? iurl : "(absent)");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "inner url must equal the outer url");
			goto out;
		}
	}
	/* 7: account = the kid */
	myurl = urlf(r, "/acct/%d", a->id);
	if (myurl == NULL || strcmp(account, myurl) != 0) {
		acs_mca_check(r, CK_KEYCHANGE_ACCOUNT, "account %.200s is not the signer's %s",
		              account, myurl != NULL ? myurl : "");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed",
			                "account must be the URL of the signing account");
			goto out;
		}
	}
	/* 8: oldKey = current key */
	if (acs_jwk_import(json_object_get(ipl, "oldKey"), 1, &ok, &err) != 0 ||
	    !acs_key_equal(ok, a->key)) {
		acs_mca_check(r, CK_KEYCHANGE_OLDKEY, "oldKey is not the current account key");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed",
			                "oldKey is not the current account key");
			goto out;
		}
	}
	/* 9: the new key is nobody's */
	other = acct_by_key(s, nk);
	if (other == a) {
		acs_mca_problem(r, 400, "malformed", "the new key is the current key");
		goto out;
	}
	if (other != NULL) {
		char *loc = urlf(r, "/acct/%d", other->id);

		if (!mca_mb(s, MB_KEYCHANGE_NO_LOCATION))
			(void)acs_mca_add_header(&r->resp, "Location", "%s",
			                         loc != NULL ? loc : "");
		free(loc);
		acs_mca_problem(r, 409, "malformed",
		                "the new key is already in use by another account");
		goto out;
	}
	acs_key_free(a->key);
	a->key = nk;
	nk = NULL;
	json_decref(a->jwk);
	a->jwk = json_deep_copy(ijwk);
	body = account_json(r, a);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
out:
	free(text);
	free(myurl);
	acs_jws_free(inner);
	acs_key_free(nk);
	acs_key_free(ok);
	json_decref(ipl);
}

static int new_token(struct mca_scenario *s, char out[64])
{
	unsigned char raw[32];
	size_t n = mca_mb(s, MB_SHORT_TOKENS) ? 8 : 32;
	char *enc;
	size_t off = 0;

	if (RAND_bytes(raw, (int)n) != 1)
		return -1;
	enc = acs_b64url_encode(raw, n);
	if (enc == NULL)
		return -1;
	if (mca_mb(s, MB_TOKEN_UNSAFE)) {
		memcpy(out, "../", 3);
		off = 3;
	}
	(void)snprintf(out + off, 64 - off, "%s", enc);
	free(enc);
	return 0;
}

static int make_authz(struct mca_req *r, int acct, const struct acs_ident *id, int wildcard)
{
	struct mca_scenario *s = r->scn;
	struct mca_authz *az = calloc(1, sizeof(*az));
	int aid, i;
	int types[CT_COUNT], nt = 0;

	if (az == NULL)
		return -1;
	aid = push_obj((void ***)&s->authzs, &s->nauthzs, az);
	if (aid < 0) {
		free(az);
		return -1;
	}
	az->id = aid;
	az->acct = acct;
	az->ident = *id;
	az->wildcard = wildcard;
	az->expires = time(NULL) + 7 * 86400;
	az->status = mca_mb(s, MB_AUTHZ_REUSED) ? ST_VALID : ST_PENDING;
	if (!wildcard)
		types[nt++] = CT_HTTP01;
	if (strcmp(id->type, "dns") == 0)
		types[nt++] = CT_DNS01;
	if (!wildcard)
		types[nt++] = CT_TLSALPN01;
	for (i = 0; i < nt; i++) {
		struct mca_chall *c;
		int cid;

		if (s->mb[MB_NO_CHALLENGE].on &&
		    strcmp(s->mb[MB_NO_CHALLENGE].arg, acs_mca_ctype_names[types[i]]) == 0)
			continue;
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return -1;
		cid = push_obj((void ***)&s->challs, &s->nchalls, c);
		if (cid < 0 || new_token(s, c->token) != 0) {
			if (cid < 0)
				free(c);
			return -1;
		}
		c->id = cid;
		c->authz = aid;
		c->type = (enum mca_ctype)types[i];
		c->status = az->status == ST_VALID ? ST_VALID : ST_PENDING;
		c->result = ST_PROCESSING;
		if (c->status == ST_VALID)
			c->validated = time(NULL);
		az->chall[az->nchall++] = cid;
	}
	return aid;
}

static void do_new_order(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_order *o = NULL;
	json_t *ids, *v, *norm = NULL, *body;
	const char *nbs, *nas;
	struct acs_ident *list = NULL;
	size_t i, j, n = 0;
	int oid, *na;
	char *loc = NULL;
	time_t now = time(NULL);

	if (want_object(r, p) != 0)
		return;
	ids = json_object_get(p->payload, "identifiers");
	if (!json_is_array(ids) || json_array_size(ids) == 0 || json_array_size(ids) > 100) {
		acs_mca_problem(r, 400, "malformed", "identifiers must be a non-empty array");
		return;
	}
	list = calloc(json_array_size(ids), sizeof(*list));
	norm = json_array();
	if (list == NULL || norm == NULL)
		goto nomem;
	json_array_foreach(ids, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "type"));
		const char *val = json_string_value(json_object_get(v, "value"));
		struct acs_ident id;
		int dup = 0;

		memset(&id, 0, sizeof(id));
		if (type == NULL || val == NULL || strlen(val) >= sizeof(id.value)) {
			acs_mca_problem(r, 400, "malformed",
			                "identifier %zu needs string type and value", i);
			goto out;
		}
		if (strcmp(type, "dns") == 0) {
			size_t k;
			const char *base = val;

			memcpy(id.type, "dns", 4);
			for (k = 0; val[k] != '\0'; k++)
				id.value[k] = (char)tolower((unsigned char)val[k]);
			if (strncmp(id.value, "*.", 2) == 0)
				base = id.value + 2;
			else
				base = id.value;
			if (!dns_name_ok(base)) {
				acs_mca_problem(r, 400, "rejectedIdentifier",
				                "invalid DNS name %.255s", val);
				goto out;
			}
			if (base != id.value && mca_mb(s, MB_NO_WILDCARD)) {
				acs_mca_problem(r, 400, "rejectedIdentifier",
				                "wildcard names are not supported");
				goto out;
			}
		} else if (strcmp(type, "ip") == 0) {
			unsigned char addr[16];
			int af = strchr(val, ':') != NULL ? AF_INET6 : AF_INET;

			if (mca_mb(s, MB_NO_IP)) {
				acs_mca_problem(r, 400, "unsupportedIdentifier",
				                "ip identifiers are not supported");
				goto out;
			}
			if (inet_pton(af, val, addr) != 1 ||
			    inet_ntop(af, addr, id.value, sizeof(id.value)) == NULL) {
				acs_mca_problem(r, 400, "malformed", "invalid IP address %.255s",
				                val);
				goto out;
			}
			memcpy(id.type, "ip", 3);
		} else {
			acs_mca_problem(r, 400, "unsupportedIdentifier",
			                "identifier type %.32s is not supported", type);
			goto out;
		}
		for (j = 0; j < n; j++)
			dup |= strcmp(list[j].type, id.type) == 0 &&
			       strcmp(list[j].value, id.value) == 0;
		if (dup)
			continue;
		list[n++] = id;
		json_array_append_new(norm,
		                      json_pack("{s:s, s:s}", "type", id.type, "value", id.value));
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		goto nomem;
	nbs = json_string_value(json_object_get(p->payload, "notBefore"));
	nas = json_string_value(json_object_get(p->payload, "notAfter"));
	o->nb = now - 60;
	o->na = now + 90L * 86400;
	if ((json_object_get(p->payload, "notBefore") != NULL &&
	     (nbs == NULL || parse_rfc3339(nbs, &o->nb) != 0)) ||
	    (json_object_get(p->payload, "notAfter") != NULL &&
	     (nas == NULL || parse_rfc3339(nas, &o->na) != 0))) {
		acs_mca_problem(r, 400, "malformed",
		                "notBefore and notAfter must be RFC 3339 date-times");
		goto out;
	}
	if (o->na <= o->nb || o->na <= now || o->na - o->nb > 398L * 86400) {
		acs_mca_problem(r, 400, "malformed",
		                "notBefore/notAfter refused: the validity must end in the future, "
		                "after it starts, within 398 days");
		goto out;
	}
	o->not_before = nbs != NULL ? strdup(nbs) : NULL;
	o->not_after = nas != NULL ? strdup(nas) : NULL;
	o->authz = calloc(n, sizeof(int));
	if (o->authz == NULL)
		goto nomem;
	oid = push_obj((void ***)&s->orders, &s->norders, o);
	if (oid < 0) {
		acs_mca_problem(r, 429, "rateLimited", "too many orders in this scenario");
		goto out;
	}
	o->id = oid;
	o->acct = p->acct->id;
	o->status = ST_PENDING;
	o->expires = now + 7 * 86400;
	o->identifiers = norm;
	norm = NULL;
	for (i = 0; i < n; i++) {
		struct acs_ident base = list[i];
		int wild = strncmp(base.value, "*.", 2) == 0;
		int aid;

		if (wild)
			memmove(base.value, base.value + 2, strlen(base.value + 2) + 1);
		aid = make_authz(r, o->acct, &base, wild);
		if (aid < 0) {
			acs_mca_problem(r, 500, "serverInternal", "cannot create authorizations");
			o->status = ST_INVALID;
			o = NULL;
			goto out;
		}
		o->authz[o->nauthz++] = aid;
	}
	na = realloc(p->acct->orders, (p->acct->norders + 1) * sizeof(int));
	if (na != NULL) {
		p->acct->orders = na;
		na[p->acct->norders++] = o->id;
	}
	order_update(s, o);
	loc = urlf(r, "/order/%d", o->id);
	(void)acs_mca_add_header(&r->resp, "Location", "%s", loc != NULL ? loc : "");
	body = order_json(r, o);
	acs_mca_resp_json(r, 201, body);
	json_decref(body);
	o = NULL; /* owned by the scenario */
	goto done;
nomem:
	acs_mca_problem(r, 500, "serverInternal", "out of memory");
out:
	if (o != NULL && o->id == 0) {
		free(o->not_before);
		free(o->not_after);
		free(o->authz);
		free(o);
	}
done:
	free(loc);
	free(list);
	json_decref(norm);
}

static void do_order(struct mca_req *r, struct post *p)
{
	struct mca_order *o = order_by_id(r->scn, r->obj_id);
	json_t *body;

	if (o == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such order");
		return;
	}
	if (want_owner(r, p, o->acct) != 0 || want_post_as_get(r, p) != 0)
		return;
	if (o->status == ST_PROCESSING && o->processing_left > 0) {
		o->processing_left--;
		if (o->processing_left == 0 && o->cert != 0)
			o->status = ST_VALID;
	}
	body = order_json(r, o);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
	if (o->status == ST_PENDING || o->status == ST_PROCESSING)
		retry_after(r);
}

static void do_authz(struct mca_req *r, struct post *p)
{
	struct mca_authz *az = authz_by_id(r->scn, r->obj_id);
	json_t *body, *st;
	int i, busy = 0;

	if (az == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such authorization");
		return;
	}
	if (want_owner(r, p, az->acct) != 0)
		return;
	if (!p->post_as_get) {
		if (want_object(r, p) != 0)
			return;
		st = json_object_get(p->payload, "status");
		if (!json_is_string(st) || strcmp(json_string_value(st), "deactivated") != 0) {
			acs_mca_problem(r, 400, "malformed",
			                "only status deactivated may be posted");
			return;
		}
		if (az->status == ST_PENDING || az->status == ST_VALID) {
			az->status = ST_DEACTIVATED;
			orders_update(r->scn);
		}
	}
	for (i = 0; i < az->nchall; i++) {
		struct mca_chall *c = chall_by_id(r->scn, az->chall[i]);

		if (c != NULL) {
			chall_poll(r->scn, c);
			busy |= c->status == ST_PROCESSING;
		}
	}
	body = authz_json(r, az);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
	if (az->status == ST_PENDING || busy)
		retry_after(r);
}

static void do_challenge(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_chall *c = chall_by_id(s, r->obj_id);
	struct mca_authz *az = c != NULL ? authz_by_id(s, c->authz) : NULL;
	struct mca_vjob *job = NULL;
	struct acs_err err;
	char *ka = NULL, *up;
	json_t *body;

	acs_err_clear(&err);
	if (c == NULL || az == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such challenge");
		return;
	}
	if (want_owner(r, p, az->acct) != 0)
		return;
	if (!p->post_as_get) {
		if (!json_is_object(p->payload)) {
			acs_mca_problem(r, 400, "malformed",
			                "challenge response must be a JSON object");
			return;
		}
		/* section 7.5.1: unknown fields are ignored, unless told otherwise */
		if (mca_mb(s, MB_REJECT_UNKNOWN_FIELDS) && json_object_size(p->payload) > 0) {
			acs_mca_problem(r, 400, "malformed",
			                "unexpected fields in the challenge response");
			return;
		}
		if (c->status == ST_PENDING && az->status == ST_PENDING) {
			ka = acs_keyauth(c->token, p->acct->key, &err);
			job = calloc(1, sizeof(*job));
			if (ka == NULL || job == NULL) {
				free(ka);
				free(job);
				acs_mca_problem(r, 500, "serverInternal",
				                "cannot start validation");
				return;
			}
			job->chall = c->id;
			job->type = c->type;
			job->ident = az->ident;
			memcpy(job->token, c->token, sizeof(job->token));
			job->keyauth = ka;
			c->status = ST_PROCESSING;
			acs_mca_enqueue_scn(r->ca, s, job);
		}
	} else {
		chall_poll(s, c);
	}
	up = urlf(r, "/authz/%d", az->id);
	if (up != NULL && !mca_mb(s, MB_NO_UP_LINK))
		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"up\"", up);
	free(up);
	body = challenge_json(r, c);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
	if (c->status == ST_PROCESSING || c->status == ST_PENDING)
		retry_after(r);
}

static char *build_chain(struct mca_req *r, const char *leaf, const char *inter)
{
	struct mca_scenario *s = r->scn;
	struct acs_buf b;
	char *kp = NULL;

	acs_buf_init(&b, 65536);
	if (mca_mb(s, MB_CHAIN_EXTRA_TEXT))
		(void)acs_buf_puts(&b,
		                   "Certificate issued by the acmespec mock CA\nsubject: leaf\n");
	(void)acs_buf_puts(&b, leaf);
	if (!mca_mb(s, MB_CHAIN_LEAF_ONLY)) {
		if (mca_mb(s, MB_CHAIN_EXTRA_TEXT))
			(void)acs_buf_puts(&b, "\nissuer: acmespec mock intermediate\n");
		(void)acs_buf_puts(&b, inter);
	}
	if (mca_mb(s, MB_CHAIN_PRIVATE_KEY)) {
		kp = acs_mca_new_key_pem();
		if (kp != NULL)
			(void)acs_buf_puts(&b, kp);
		free(kp);
	}
	return acs_buf_steal(&b);
}

static void do_finalize(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_order *o = order_by_id(s, r->obj_id);
	struct acs_ident *cids = NULL, *oids = NULL;
	struct acs_key *ckey = NULL;
	struct mca_cert *cert = NULL;
	unsigned char *der = NULL;
	size_t nc = 0, no = 0, derlen = 0, i;
	struct acs_err err;
	const char *csr;
	X509 *leaf = NULL;
	char *leafpem = NULL, *loc = NULL;
	json_t *body, *v;
	int cid, ready;

	acs_err_clear(&err);
	if (o == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such order");
		return;
	}
	if (want_owner(r, p, o->acct) != 0 || want_object(r, p) != 0)
		return;
	csr = json_string_value(json_object_get(p->payload, "csr"));
	if (csr == NULL) {
		acs_mca_check(r, CK_FINALIZE_CSR, "finalize payload has no csr string");
		acs_mca_problem(r, 400, "malformed", "finalize payload must hold a csr");
		return;
	}
	ready = o->status == ST_READY ||
	        (mca_mb(s, MB_FINALIZE_NOT_READY_OK) && o->status == ST_PENDING);
	if (!ready) {
		acs_mca_problem(r, 403, "orderNotReady", "order is %s, not ready",
		                acs_mca_status_name(o->status));
		return;
	}
	if (strchr(csr, '=') != NULL)
		acs_mca_check(r, CK_B64_NO_PADDING, "csr is base64url with '=' padding");
	if (acs_b64url_decode(csr, strlen(csr), &der, &derlen, &err) != 0) {
		acs_mca_check(r, CK_FINALIZE_CSR, "csr: %s", err.msg);
		acs_mca_problem(r, 400, "badCSR", "csr: %s", err.msg);
		goto out;
	}
	if (acs_csr_parse(der, derlen, &cids, &nc, &ckey, &err) != 0) {
		acs_mca_check(r, CK_FINALIZE_CSR, "csr: %s", err.msg);
		acs_mca_problem(r, 400, "badCSR", "csr: %s", err.msg);
		goto out;
	}
	no = json_array_size(o->identifiers);
	oids = calloc(no > 0 ? no : 1, sizeof(*oids));
	if (oids == NULL)
		goto out;
	json_array_foreach(o->identifiers, i, v)
	{
		(void)snprintf(oids[i].type, sizeof(oids[i].type), "%s",
		               json_string_value(json_object_get(v, "type")));
		(void)snprintf(oids[i].value, sizeof(oids[i].value), "%s",
		               json_string_value(json_object_get(v, "value")));
	}
	if (!acs_idents_equal_sets(oids, no, cids, nc)) {
		acs_mca_check(r, CK_CSR_MATCHES_ORDER,
		              "CSR names differ from the order's identifiers");
		if (mca_mb(s, MB_CSR_MISMATCH_UNAUTHORIZED)) {
			acs_mca_problem(r, 403, "unauthorized", "CSR names differ from the order");
			goto out;
		}
		if (!mca_mb(s, MB_CSR_NAMES_UNCHECKED)) {
			acs_mca_problem(r, 400, "badCSR",
			                "CSR must name exactly the identifiers of the order");
			goto out;
		}
	}
	if (ckey == NULL) {
		acs_mca_problem(r, 400, "badCSR", "csr: no public key");
		goto out;
	}
	if (acct_by_key(s, ckey) != NULL) {
		acs_mca_check(r, CK_CSR_KEY_NOT_ACCOUNT, "CSR key is an account key");
		if (!mca_mb(s, MB_CSR_ACCOUNT_KEY_OK)) {
			acs_mca_problem(r, 400, "badCSR", "CSR key must not be an account key");
			goto out;
		}
	}
	if (acs_mca_issue(r->ca->pki, acs_key_evp(ckey), cids, nc,
	                  mca_mb(s, MB_IGNORE_NOT_AFTER) ? time(NULL) - 60 : o->nb,
	                  mca_mb(s, MB_IGNORE_NOT_AFTER) ? time(NULL) + 90L * 86400 : o->na, &leaf,
	                  &err) != 0) {
		acs_mca_problem(r, 500, "serverInternal", "issuance failed: %s", err.msg);
		goto out;
	}
	leafpem = acs_mca_x509_pem(leaf);
	cert = calloc(1, sizeof(*cert));
	if (leafpem == NULL || cert == NULL) {
		acs_mca_problem(r, 500, "serverInternal", "out of memory");
		goto out;
	}
	cert->acct = o->acct;
	cert->leaf = leaf;
	cert->chain = build_chain(r, leafpem, r->ca->pki->inter_pem);
	cert->alt_chain = build_chain(r, leafpem, r->ca->pki->alt_inter_pem);
	cid = push_obj((void ***)&s->certs, &s->ncerts, cert);
	if (cid < 0) {
		acs_mca_problem(r, 429, "rateLimited", "too many certificates in this scenario");
		goto out;
	}
	leaf = NULL;
	cert->id = cid;
	o->cert = cid;
	cert = NULL;
	if (s->mb[MB_ORDER_PROCESSING].on) {
		long n = s->mb[MB_ORDER_PROCESSING].n;

		o->status = ST_PROCESSING;
		o->processing_left = (int)(n >= 0 ? n : 3);
		if (o->processing_left == 0)
			o->status = ST_VALID;
	} else {
		o->status = ST_VALID;
	}
	loc = urlf(r, "/order/%d", o->id);
	if (loc != NULL)
		(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
	body = order_json(r, o);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
	if (o->status == ST_PROCESSING)
		retry_after(r);
out:
	if (cert != NULL) {
		free(cert->chain);
		free(cert->alt_chain);
		free(cert);
	}
	X509_free(leaf);
	free(leafpem);
	free(loc);
	free(der);
	free(cids);
	free(oids);
	acs_key_free(ckey);
}

static void do_cert(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_cert *c = cert_by_id(s, r->obj_id);
	char *u;

	if (c == NULL || r->alt > 1) {
		acs_mca_problem(r, 404, "malformed", "no such certificate");
		return;
	}
	if (want_owner(r, p, c->acct) != 0 || want_post_as_get(r, p) != 0)
		return;
	r->resp.status = 200;
	r->resp.ctype = mca_mb(s, MB_CERT_WRONG_CT) ? "application/x-pem-file"
	                                            : "application/pem-certificate-chain";
	(void)acs_buf_puts(&r->resp.body, r->alt ? c->alt_chain : c->chain);
	if (!mca_mb(s, MB_NO_ALTERNATE)) {
		u = r->alt ? urlf(r, "/cert/%d", c->id) : urlf(r, "/cert/%d/alt", c->id);
		if (u != NULL)
			(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"alternate\"", u);
		free(u);
	}
	u = urlf(r, "/issuer/%d", r->alt);
	if (u != NULL)
		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"up\"", u);
	free(u);
}

static void do_revoke(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_cert *c = NULL;
	struct acs_key *ck = NULL;
	struct acs_err err;
	unsigned char *der = NULL;
	const unsigned char *dp;
	size_t derlen = 0, i;
	const char *b64;
	json_t *reason;
	X509 *x = NULL;
	long rc = 0;

	acs_err_clear(&err);
	if (want_object(r, p) != 0)
		return;
	b64 = json_string_value(json_object_get(p->payload, "certificate"));
	if (b64 == NULL) {
		acs_mca_problem(r, 400, "malformed", "revocation needs a certificate");
		return;
	}
	if (strchr(b64, '=') != NULL)
		acs_mca_check(r, CK_B64_NO_PADDING, "certificate is base64url with '=' padding");
	if (acs_b64url_decode(b64, strlen(b64), &der, &derlen, &err) != 0) {
		acs_mca_problem(r, 400, "malformed", "certificate: %s", err.msg);
		goto out;
	}
	dp = der;
	x = d2i_X509(NULL, &dp, (long)derlen);
	if (x == NULL) {
		acs_mca_problem(r, 400, "malformed", "certificate is not DER X.509");
		goto out;
	}
	for (i = 0; i < s->ncerts; i++) {
		if (X509_cmp(s->certs[i]->leaf, x) == 0)
			c = s->certs[i];
	}
	if (c == NULL) {
		acs_mca_problem(r, 404, "malformed", "certificate was not issued by this CA");
		goto out;
	}
	reason = json_object_get(p->payload, "reason");
	if (reason != NULL) {
		rc = json_is_integer(reason) ? (long)json_integer_value(reason) : -1;
		if ((rc < 0 || rc > 10 || rc == 7) && !mca_mb(s, MB_REVOKE_REASON_UNCHECKED)) {
			acs_mca_problem(r, 400, "badRevocationReason",
			                "reason must be 0-6 or 8-10 (RFC 5280)");
			goto out;
		}
	}
	if (p->jwk != NULL && json_object_get(p->jws->protected_hdr, "kid") == NULL) {
		/* jwk of the certificate's key */
		if (acs_key_from_evp(&ck, X509_get0_pubkey(c->leaf), &err) != 0 ||
		    !acs_key_equal(ck, p->key)) {
			acs_mca_problem(r, 403, "unauthorized",
			                "the jwk is not the certificate's key");
			goto out;
		}
	} else if (p->acct == NULL || p->acct->id != c->acct) {
		acs_mca_problem(r, 403, "unauthorized",
		                "the account did not issue this certificate");
		goto out;
	}
	if (c->revoked && !mca_mb(s, MB_REVOKE_TWICE_OK)) {
		acs_mca_problem(r, 400, "alreadyRevoked", "certificate is already revoked");
		goto out;
	}
	c->revoked = 1;
	c->reason = (int)rc;
	r->resp.status = 200;
out:
	free(der);
	X509_free(x);
	acs_key_free(ck);
}

/* ---- routing ---- */

static int parse_id(const char *s, const char **rest)
{
	long v = 0;

	if (!isdigit((unsigned char)*s) || *s == '0')
		return -1;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s - '0');
		if (v > MCA_OBJ_MAX)
			return -1;
		s++;
	}
	*rest = s;
	return (int)v;
}

static int route(struct mca_req *r)
{
	static const struct {
		const char *path;
		int ep;
	} fixed[] = {
	    {"/directory", EP_DIRECTORY},
	    {"/new-nonce", EP_NEWNONCE},
	    {"/new-account", EP_NEWACCOUNT},
	    {"/new-order", EP_NEWORDER},
	    {"/revoke-cert", EP_REVOKE},
	    {"/key-change", EP_KEYCHANGE},
	    {"/terms", EP_TERMS},
	};
	static const struct {
		const char *prefix;
		int ep;
	} objs[] = {
	    {"/acct/", EP_ACCOUNT},    {"/order/", EP_ORDER}, {"/authz/", EP_AUTHZ},
	    {"/chall/", EP_CHALLENGE}, {"/cert/", EP_CERT},   {"/issuer/", EP_ISSUER},
	};
	const char *rest = NULL;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (strcmp(r->path, fixed[i].path) == 0)
			return r->endpoint = fixed[i].ep;
	}
	if (strcmp(r->path, "/issuer/0") == 0) {
		r->obj_id = 0;
		return r->endpoint = EP_ISSUER;
	}
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		size_t pl = strlen(objs[i].prefix);
		int id;

		if (strncmp(r->path, objs[i].prefix, pl) != 0)
			continue;
		id = parse_id(r->path + pl, &rest);
		if (id < 0)
			return -1;
		r->obj_id = id;
		if (*rest == '\0')
			return r->endpoint = objs[i].ep;
		if (objs[i].ep == EP_ACCOUNT && strcmp(rest, "/orders") == 0)
			return r->endpoint = EP_ORDERS;
		if (objs[i].ep == EP_ORDER && strcmp(rest, "/finalize") == 0)
			return r->endpoint = EP_FINALIZE;
		if (objs[i].ep == EP_CERT && strcmp(rest, "/alt") == 0) {
			r->alt = 1;
			return r->endpoint = EP_CERT;
		}
		return -1;
	}
	return -1;
}

static void finish(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	char nonce[ACS_NONCE_MAX];

	if (r->resp.status == 0)
		acs_mca_problem(r, 500, "serverInternal", "no response was produced");
	if (!mca_mb(s, MB_NO_REPLAY_NONCE)) {
		if (fault_fires(r, MB_REPLAY_NONCE_INVALID)) {
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "a+b/=");
		} else if (acs_nonce_issue(s->nonces, mca_mb(s, MB_NONCE_SHORT) ? 4 : 16,
		                           mca_mb(s, MB_NONCE_PADDED), nonce) == 0) {
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "%s", nonce);
		}
	}
	if (r->resp.nonce_mode && !mca_mb(s, MB_NEWNONCE_NO_CACHE))
		(void)acs_mca_add_header(&r->resp, "Cache-Control", "no-store");
	if (!r->resp.no_index && !mca_mb(s, MB_NO_INDEX_LINK))
		(void)acs_mca_add_header(&r->resp, "Link", "<%s/directory>;rel=\"index\"",
		                         r->sbase);
	json_object_set_new(r->logent, "status", json_integer(r->resp.status));
	if (r->resp.problem != NULL)
		json_object_set_new(r->logent, "problem", json_string(r->resp.problem));
	if (json_object_get(r->logent, "checks") == NULL)
		json_object_set_new(r->logent, "checks", json_array());
}

static void handle_post(struct mca_req *r)
{
	struct post p;
	enum keysrc ks = KS_KID;

	memset(&p, 0, sizeof(p));
	if (r->endpoint == EP_NEWACCOUNT)
		ks = KS_JWK;
	else if (r->endpoint == EP_REVOKE)
		ks = KS_EITHER;
	if (verify_post(r, ks, &p) != 0)
		goto out;
	if (ks == KS_KID && p.acct == NULL) {
		/* only with accept-jwk-or-kid: a jwk of an unknown key */
		acs_mca_problem(r, 400, "accountDoesNotExist", "no account for this key");
		goto out;
	}
	switch (r->endpoint) {
	case EP_NEWACCOUNT:
		do_new_account(r, &p);
		break;
	case EP_ACCOUNT:
		do_account(r, &p);
		break;
	case EP_ORDERS:
		do_orders(r, &p);
		break;
	case EP_KEYCHANGE:
		do_key_change(r, &p);
		break;
	case EP_NEWORDER:
		do_new_order(r, &p);
		break;
	case EP_ORDER:
		do_order(r, &p);
		break;
	case EP_AUTHZ:
		do_authz(r, &p);
		break;
	case EP_CHALLENGE:
		do_challenge(r, &p);
		break;
	case EP_FINALIZE:
		do_finalize(r, &p);
		break;
	case EP_CERT:
		do_cert(r, &p);
		break;
	case EP_REVOKE:
		do_revoke(r, &p);
		break;
	case EP_ISSUER:
		if (want_post_as_get(r, &p) == 0)
			do_issuer(r);
		break;
	default:
		acs_mca_problem(r, 405, "malformed", "method not allowed");
		break;
	}
out:
	post_clear(&p);
}

/* A plain GET of a resource (get-allowed): answered as if POST-as-GET by its owner. */
static void handle_lax_get(struct mca_req *r)
{
	struct post p;
	int owner = 0;
	struct mca_order *o;
	struct mca_authz *az;
	struct mca_chall *c;
	struct mca_cert *ce;

	memset(&p, 0, sizeof(p));
	p.post_as_get = 1;
	switch (r->endpoint) {
	case EP_ACCOUNT:
	case EP_ORDERS:
		owner = r->obj_id;
		break;
	case EP_ORDER:
	case EP_FINALIZE:
		o = order_by_id(r->scn, r->obj_id);
		owner = o != NULL ? o->acct : 0;
		break;
	case EP_AUTHZ:
		az = authz_by_id(r->scn, r->obj_id);
		owner = az != NULL ? az->acct : 0;
		break;
	case EP_CHALLENGE:
		c = chall_by_id(r->scn, r->obj_id);
		az = c != NULL ? authz_by_id(r->scn, c->authz) : NULL;
		owner = az != NULL ? az->acct : 0;
		break;
	case EP_CERT:
		ce = cert_by_id(r->scn, r->obj_id);
		owner = ce != NULL ? ce->acct : 0;
		break;
	default:
		break;
	}
	p.acct = acct_by_id(r->scn, owner);
	if (p.acct == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such resource");
		return;
	}
	p.key = p.acct->key;
	switch (r->endpoint) {
	case EP_ACCOUNT:
		do_account(r, &p);
		break;
	case EP_ORDERS:
		do_orders(r, &p);
		break;
	case EP_ORDER:
		do_order(r, &p);
		break;
	case EP_AUTHZ:
		do_authz(r, &p);
		break;
	case EP_CHALLENGE:
		do_challenge(r, &p);
		break;
	case EP_CERT:
		do_cert(r, &p);
		break;
	default:
		acs_mca_problem(r, 405, "malformed", "method not allowed");
		break;
	}
}

void acs_mca_handle(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	const char *ua = acs_mca_req_header(r, "User-Agent");
	int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	int post = strcmp(r->method, "POST") == 0;
	struct timespec ts;

	s->requests++;
	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_set_new(r->logent, "seq", json_integer((json_int_t)++s->seq));
	json_object_set_new(r->logent, "time", json_real((double)ts.tv_sec + ts.tv_nsec / 1e9));
	json_object_set_new(r->logent, "method", json_string(r->method));
	json_object_set_new(r->logent, "url", json_string(r->url));
	if (ua != NULL)
		json_object_set_new(r->logent, "user_agent", json_string(ua));
	if (route(r) < 0) {
		json_object_set_new(r->logent, "endpoint", json_string("unknown"));
		acs_mca_problem(r, 404, "malformed", "no resource at %.200s", r->path);
		goto done;
	}
	json_object_set_new(r->logent, "endpoint", json_string(acs_mca_ep_names[r->endpoint]));
	if (ua == NULL || ua[0] == '\0') {
		acs_mca_check(r, CK_USER_AGENT, "request without User-Agent");
		if (mca_mb(s, MB_REQUIRE_UA)) {
			acs_mca_problem(r, 400, "malformed", "a User-Agent header is required");
			goto done;
		}
	}
	if (acs_mca_req_header(r, "Accept-Language") == NULL)
		acs_mca_check(r, CK_ACCEPT_LANGUAGE, "request without Accept-Language");
	if (acs_mca_req_header(r, "Replay-Nonce") != NULL)
		acs_mca_check(r, CK_NO_REPLAY_NONCE_HEADER,
		              "request carries a Replay-Nonce header");

	switch (r->endpoint) {
	case EP_DIRECTORY:
	case EP_TERMS:
	case EP_NEWNONCE:
		if (!get) {
			(void)acs_mca_add_header(&r->resp, "Allow", "GET, HEAD");
			acs_mca_problem(r, 405, "malformed", "use GET for %s",
			                acs_mca_ep_names[r->endpoint]);
			goto done;
		}
		if (r->endpoint == EP_DIRECTORY)
			do_directory(r);
		else if (r->endpoint == EP_TERMS)
			do_terms(r);
		else
			do_new_nonce(r);
		goto done;
	case EP_ISSUER:
		if (get) {
			do_issuer(r);
			goto done;
		}
		break;
	default:
		break;
	}
	if (!post) {
		if (get)
			acs_mca_check(r, CK_POST_AS_GET,
			              "%s of %s, which must be fetched by POST-as-GET", r->method,
			              acs_mca_ep_names[r->endpoint]);
		if (get && mca_mb(s, MB_GET_ALLOWED)) {
			handle_lax_get(r);
			goto done;
		}
		(void)acs_mca_add_header(&r->resp, "Allow", "POST");
		acs_mca_problem(r, 405, "malformed",
		                "%s is not allowed here: use POST (or POST-as-GET)", r->method);
		goto done;
	}
	handle_post(r);
done:
	finish(r);
}
