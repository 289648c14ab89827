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
#include <arpa/inet.h>
#include <ctype.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/b64url.h"
#include "harness/jws.h"
#include "harness/rfc3339.h"
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

/* The problem type the scenario really sends for type (misbehaviours bend it). */
static const char *problem_type(struct mca_req *r, const char *type)
{
	if (strcmp(type, "badPublicKey") == 0 && mca_mb(r->scn, MB_BADPUBKEY_MALFORMED))
		type = "malformed";
	if (strcmp(type, "malformed") == 0 && mca_mb(r->scn, MB_UNREGISTERED_TYPES))
		type = "badRequest"; /* not in the IANA registry */
	return type;
}

static json_t *problem_obj(struct mca_req *r, unsigned int status, const char *type,
                           const char *detail)
{
	char full[128];

	type = problem_type(r, type);
	if (strcmp(type, "badPublicKey") == 0 && mca_mb(r->scn, MB_BADPUBKEY_NO_DETAIL))
		detail = "";
	(void)snprintf(full, sizeof(full), "%s%s",
	               mca_mb(r->scn, MB_PROBLEM_V1) ? "urn:acme:error:" : PROBLEM_NS, type);
	return json_pack("{s:s, s:s, s:i}", "type", full, "detail", detail, "status", (int)status);
}

static void send_problem_obj(struct mca_req *r, unsigned int status, const char *type, json_t *obj)
{
	r->resp.ctype =
	    mca_mb(r->scn, MB_PROBLEM_PLAIN_JSON) ? "application/json" : "application/problem+json";
	r->resp.problem = problem_type(r, type);
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
	obj = problem_obj(r, status, type, detail);
	send_problem_obj(r, status, type, obj);
	json_decref(obj);
}

/* Does the scenario accept this JWS alg? */
static int alg_allowed(struct mca_scenario *s, const char *alg)
{
	size_t i;

	if (strcmp(alg, "EdDSA") == 0 && mca_mb(s, MB_NO_EDDSA))
		return 0;
	if (strcmp(alg, "ES256") == 0 && mca_mb(s, MB_NO_ES256))
		return 0;
	for (i = 0; i < sizeof(allowed_algs) / sizeof(allowed_algs[0]); i++) {
		if (strcmp(alg, allowed_algs[i]) == 0)
			return 1;
	}
	return 0;
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
	obj = problem_obj(r, 400, "badSignatureAlgorithm", detail);
	if (!mca_mb(r->scn, MB_ALG_NO_LIST)) {
		algs = json_array();
		for (i = 0; i < sizeof(allowed_algs) / sizeof(allowed_algs[0]); i++) {
			if (alg_allowed(r->scn, allowed_algs[i]))
				json_array_append_new(algs, json_string(allowed_algs[i]));
		}
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

/* A fresh random part for an object's URL. */
static void new_rid(char rid[MCA_RID_LEN])
{
	unsigned char raw[12];
	char *enc;

	rid[0] = '\0';
	if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
		return;
	enc = acs_b64url_encode(raw, sizeof(raw));
	if (enc != NULL)
		(void)snprintf(rid, MCA_RID_LEN, "%s", enc);
	free(enc);
}

/*
 * URL of an object: scenario base + kind ("/acct/") + "<id>-<random>" +
 * suffix. Section 10.5: URLs carry an unpredictable component, unless
 * sequential-urls. New string (free()), or NULL.
 */
static char *obj_url(struct mca_req *r, const char *kind, int id, const char *rid,
                     const char *suffix)
{
	if (mca_mb(r->scn, MB_SEQUENTIAL_URLS) || rid[0] == '\0')
		return urlf(r, "%s%d%s", kind, id, suffix);
	return urlf(r, "%s%d-%s%s", kind, id, rid, suffix);
}

/* obj[key] = u (takes u). */
static void set_json_str(json_t *obj, const char *key, char *u)
{
	if (u != NULL)
		json_object_set_new(obj, key, json_string(u));
	free(u);
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
		char *u = obj_url(r, "/acct/", a->id, a->rid, "/orders");

		if (u != NULL)
			json_object_set_new(o, "orders", json_string(u));
		free(u);
	}
	if (a->eab != NULL && !mca_mb(r->scn, MB_EAB_NOT_ECHOED))
		json_object_set(o, "externalAccountBinding", a->eab);
	json_object_set(o, "key", a->jwk);
	if (a->extra != NULL && mca_mb(r->scn, MB_ACCOUNT_REFLECTS))
		(void)json_object_update(o, a->extra);
	return o;
}

static json_t *challenge_json(struct mca_req *r, struct mca_chall *c)
{
	json_t *o = json_object();
	char ts[32];

	json_object_set_new(o, "type", json_string(acs_mca_ctype_names[c->type]));
	set_json_str(o, mca_mb(r->scn, MB_CHALLENGE_URI) ? "uri" : "url",
	             obj_url(r, "/chall/", c->id, c->rid, ""));
	json_object_set_new(o, "status", json_string(acs_mca_status_name(c->status)));
	json_object_set_new(o, "token", json_string(c->token));
	if (c->status == ST_VALID && c->validated != 0) {
		acs_rfc3339_format(c->validated, ts);
		json_object_set_new(o, "validated", json_string(ts));
	}
	/* section 8.2: while a failed validation is retried, the error shows too */
	if (c->error != NULL && (c->status == ST_INVALID || c->status == ST_PROCESSING) &&
	    !mca_mb(r->scn, MB_NO_CHALLENGE_ERROR))
		json_object_set(o, "error", c->error);
	return o;
}

static json_t *authz_json(struct mca_req *r, struct mca_authz *az)
{
	json_t *o = json_object(), *chs = json_array(), *id;
	char ts[32];
	int i;

	id = json_pack("{s:s, s:s}", "type",
	               strcmp(az->ident.type, "ip") == 0 && mca_mb(r->scn, MB_IP_AUTHZ_AS_DNS)
	                   ? "dns"
	                   : az->ident.type,
	               "value", az->ident.value);
	if (az->wildcard && mca_mb(r->scn, MB_WILDCARD_AUTHZ_STAR)) {
		char star[300];

		(void)snprintf(star, sizeof(star), "*.%s", az->ident.value);
		json_object_set_new(id, "value", json_string(star));
	}
	json_object_set_new(o, "identifier", id);
	json_object_set_new(o, "status", json_string(acs_mca_status_name(az->status)));
	if (az->status != ST_VALID || !mca_mb(r->scn, MB_NO_AUTHZ_EXPIRES)) {
		acs_rfc3339_format(az->expires, ts);
		json_object_set_new(o, "expires", json_string(ts));
	}
	for (i = 0; i < az->nchall; i++) {
		struct mca_chall *c = chall_by_id(r->scn, az->chall[i]);

		if (c == NULL ||
		    (c->status == ST_INVALID && mca_mb(r->scn, MB_FAILED_CHALLENGE_REMOVED)))
			continue;
		json_array_append_new(chs, challenge_json(r, c));
	}
	json_object_set_new(o, "challenges", chs);
	if (az->wildcard && !mca_mb(r->scn, MB_WILDCARD_AUTHZ_STAR))
		json_object_set_new(o, "wildcard", json_true());
	else if (!az->wildcard && mca_mb(r->scn, MB_AUTHZ_WILDCARD_FALSE))
		json_object_set_new(o, "wildcard", json_false());
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
	int flip, cut;

	/* shuffle-arrays: every other fetch shows the arrays in reverse order */
	flip = mca_mb(r->scn, MB_SHUFFLE) && (o->fetches++ % 2) == 1;
	/* order-arrays-change: a valid order shows its first identifier and authorization */
	cut = o->status == ST_VALID && mca_mb(r->scn, MB_ORDER_ARRAYS_CHANGE);
	json_object_set_new(
	    j, "status",
	    json_string(o->status == ST_READY && mca_mb(r->scn, MB_ORDER_READY_AS_PENDING)
	                    ? "pending"
	                    : acs_mca_status_name(o->status)));
	if (o->status != ST_VALID || !mca_mb(r->scn, MB_NO_ORDER_EXPIRES)) {
		acs_rfc3339_format(o->expires, ts);
		json_object_set_new(j, "expires", json_string(ts));
	}
	if (cut)
		json_object_set_new(j, "identifiers",
		                    json_pack("[O]", json_array_get(o->identifiers, 0)));
	else
		json_object_set_new(j, "identifiers",
		                    flip ? reversed(o->identifiers)
		                         : json_deep_copy(o->identifiers));
	if (o->not_before != NULL)
		json_object_set_new(j, "notBefore", json_string(o->not_before));
	if (o->not_after != NULL)
		json_object_set_new(j, "notAfter", json_string(o->not_after));
	for (i = 0; i < (cut && o->nauthz > 0 ? 1 : o->nauthz); i++) {
		struct mca_authz *az = authz_by_id(r->scn, o->authz[i]);
		char *u = az != NULL ? obj_url(r, "/authz/", az->id, az->rid, "") : NULL;

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
		char *u = obj_url(r, "/order/", o->id, o->rid, "/finalize");

		if (u != NULL)
			json_object_set_new(j, "finalize", json_string(u));
		free(u);
	}
	if (o->status == ST_VALID && o->cert != 0) {
		struct mca_cert *ce = cert_by_id(r->scn, o->cert);

		if (ce != NULL)
			set_json_str(j, "certificate", obj_url(r, "/cert/", ce->id, ce->rid, ""));
	}
	if (o->error != NULL && o->status == ST_INVALID)
		json_object_set(j, "error", o->error);
	return j;
}

static void retry_after(struct mca_req *r)
{
	if (!mca_mb(r->scn, MB_NO_RETRY_AFTER))
		(void)acs_mca_add_header(&r->resp, "Retry-After", "1");
}

/*
 * Recompute an order's status from its authorizations (section 7.1.6): a
 * pending or ready order becomes invalid when an authorization is invalid,
 * deactivated, expired or revoked; a pending one ready when all are valid.
 */
static void order_update(struct mca_scenario *s, struct mca_order *o)
{
	size_t i;
	int all_valid = 1, none_pending = 1;

	if (o->status != ST_PENDING && o->status != ST_READY)
		return;
	if (o->status == ST_READY && mca_mb(s, MB_DEACTIVATED_AUTHZ_KEPT))
		return;
	for (i = 0; i < o->nauthz; i++) {
		struct mca_authz *az = authz_by_id(s, o->authz[i]);

		if (az == NULL)
			continue;
		if (az->status == ST_PENDING)
			none_pending = 0;
		if (mca_mb(s, MB_ORDER_READY_DESPITE_INVALID))
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
	if (all_valid || (none_pending && mca_mb(s, MB_ORDER_READY_DESPITE_INVALID)))
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

int acs_mca_validation_retry(struct mca_scenario *s, int chall, const char *errtype,
                             const char *detail)
{
	struct mca_chall *c = chall_by_id(s, chall);
	char full[128];

	/* scripted failures (challenge-invalid) are final; so is everything with
	 * no-validation-retry */
	if (c == NULL || c->status != ST_PROCESSING || s->mb[MB_CHALLENGE_INVALID].on ||
	    mca_mb(s, MB_NO_VALIDATION_RETRY))
		return 0;
	(void)snprintf(full, sizeof(full), PROBLEM_NS "%s",
	               errtype != NULL ? errtype : "incorrectResponse");
	json_decref(c->error);
	c->error = json_pack("{s:s, s:s, s:i}", "type", full, "detail",
	                     detail != NULL ? detail : "validation failed", "status", 400);
	return 1;
}

/* RFC 7638 thumbprint of an EC JWK with leading zero octets stripped (thumbprint-strips-zeros). */
static char *stripped_thumbprint(const json_t *jwk)
{
	const char *names[2] = {"x", "y"};
	char *enc[2] = {NULL, NULL}, *text = NULL, *out = NULL;
	unsigned char *raw = NULL, digest[32];
	size_t len = 0, off, i;
	struct acs_err err;
	json_t *o = NULL;

	for (i = 0; i < 2; i++) {
		const char *v = json_string_value(json_object_get(jwk, names[i]));

		if (v == NULL || acs_b64url_decode(v, strlen(v), &raw, &len, &err) != 0)
			goto out;
		for (off = 0; off + 1 < len && raw[off] == 0; off++)
			;
		enc[i] = acs_b64url_encode(raw + off, len - off);
		free(raw);
		raw = NULL;
		if (enc[i] == NULL)
			goto out;
	}
	o = json_pack("{s:O, s:s, s:s, s:s}", "crv", json_object_get(jwk, "crv"), "kty", "EC", "x",
	              enc[0], "y", enc[1]);
	text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (text == NULL)
		goto out;
	SHA256((const unsigned char *)text, strlen(text), digest);
	out = acs_b64url_encode(digest, sizeof(digest));
out:
	free(enc[0]);
	free(enc[1]);
	free(text);
	free(raw);
	json_decref(o);
	return out;
}

char *acs_mca_keyauth(struct mca_scenario *s, const char *token, const struct mca_account *a,
                      struct acs_err *err)
{
	struct acs_buf b;
	char *tp;

	if (!mca_mb(s, MB_THUMBPRINT_STRIPS_ZEROS) ||
	    strcmp(json_string_value(json_object_get(a->jwk, "kty")) != NULL
	               ? json_string_value(json_object_get(a->jwk, "kty"))
	               : "",
	           "EC") != 0)
		return acs_keyauth(token, a->key, err);
	tp = stripped_thumbprint(a->jwk);
	if (tp == NULL) {
		acs_err_set(err, ACS_E_CRYPTO, "cannot compute the thumbprint");
		return NULL;
	}
	acs_buf_init(&b, 1024);
	(void)acs_buf_printf(&b, "%s.%s", token, tp);
	free(tp);
	return acs_buf_steal(&b);
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

/* RFC 3492 bias adaptation. */
static unsigned long puny_adapt(unsigned long delta, unsigned long numpoints, int first)
{
	unsigned long k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / numpoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 * delta) / (delta + 38);
}

/*
 * Is in[0..len) (the part of a label after "xn--") a punycode string that
 * decodes (RFC 3492 section 6.2) to at least one non-ASCII code point?
 */
static int punycode_ok(const char *in, size_t len)
{
	const unsigned long maxint = 0xffffffffUL;
	unsigned long n = 128, i = 0, bias = 72, out = 0, oldi, w, k, digit, t;
	size_t b = 0, pos, j;

	if (len == 0)
		return 0;
	for (j = 0; j < len; j++) {
		if (in[j] == '-')
			b = j;
	}
	out = b;
	pos = b > 0 ? b + 1 : 0;
	while (pos < len) {
		oldi = i;
		w = 1;
		for (k = 36;; k += 36) {
			char c;

			if (pos >= len)
				return 0; /* incomplete */
			c = in[pos++];
			if (c >= 'a' && c <= 'z')
				digit = (unsigned long)(c - 'a');
			else if (c >= '0' && c <= '9')
				digit = (unsigned long)(c - '0') + 26;
			else
				return 0;
			if (digit > (maxint - i) / w)
				return 0;
			i += digit * w;
			t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (digit < t)
				break;
			if (w > maxint / (36 - t))
				return 0;
			w *= 36 - t;
		}
		out++;
		bias = puny_adapt(i - oldi, out, oldi == 0);
		if (i / out > maxint - n)
			return 0;
		n += i / out;
		i %= out;
		if (n < 0x80 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) || out > 63)
			return 0;
		i++;
	}
	return out > b;
}

/* Every xn-- label of name is valid punycode (section 7.1.4, RFC 5890). */
static int xn_labels_ok(const char *name)
{
	const char *p = name;

	while (*p != '\0') {
		size_t l = strcspn(p, ".");

		if (l >= 4 && strncmp(p, "xn--", 4) == 0 && !punycode_ok(p + 4, l - 4))
			return 0;
		p += l;
		if (*p == '.')
			p++;
	}
	return 1;
}

/* The CA's issuance policy: names under the reserved TLD .invalid are refused. */
static int name_forbidden(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "invalid") == 0 || (n > 8 && strcmp(name + n - 8, ".invalid") == 0);
}

/*
 * Check and normalise one identifier of newOrder or newAuthz. NULL when it
 * is acceptable (*out filled, wildcards keep their "*."), else the problem
 * type, with the reason in detail.
 */
static const char *ident_check(struct mca_req *r, const json_t *v, struct acs_ident *out,
                               char *detail, size_t dlen)
{
	struct mca_scenario *s = r->scn;
	const char *type = json_string_value(json_object_get(v, "type"));
	const char *val = json_string_value(json_object_get(v, "value"));
	size_t k;

	memset(out, 0, sizeof(*out));
	if (type == NULL || val == NULL || strlen(val) >= sizeof(out->value)) {
		(void)snprintf(detail, dlen, "an identifier needs string type and value");
		return "malformed";
	}
	if (strcmp(type, "ip") == 0) {
		unsigned char addr[16];
		int af = strchr(val, ':') != NULL ? AF_INET6 : AF_INET;

		if (mca_mb(s, MB_NO_IP)) {
			(void)snprintf(detail, dlen, "ip identifiers are not supported");
			return "unsupportedIdentifier";
		}
		if (inet_pton(af, val, addr) != 1 ||
		    inet_ntop(af, addr, out->value, sizeof(out->value)) == NULL) {
			(void)snprintf(detail, dlen, "invalid IP address %.255s", val);
			return "malformed";
		}
		memcpy(out->type, "ip", 3);
		return NULL;
	}
	if (strcmp(type, "dns") != 0 && !mca_mb(s, MB_UNKNOWN_IDENT_OK)) {
		(void)snprintf(detail, dlen, "identifier type %.32s is not supported", type);
		return "unsupportedIdentifier";
	}
	memcpy(out->type, "dns", 4);
	for (k = 0; val[k] != '\0'; k++)
		out->value[k] = (char)tolower((unsigned char)val[k]);
	{
		const char *base = strncmp(out->value, "*.", 2) == 0 ? out->value + 2 : out->value;

		if (!dns_name_ok(base)) {
			(void)snprintf(detail, dlen, "invalid DNS name %.255s", val);
			return "rejectedIdentifier";
		}
		if (!mca_mb(s, MB_BAD_PUNYCODE_OK) && !xn_labels_ok(base)) {
			(void)snprintf(detail, dlen,
			               "%.255s has an xn-- label that is not valid "
			               "punycode (RFC 3492)",
			               val);
			return "rejectedIdentifier";
		}
		if (name_forbidden(base)) {
			(void)snprintf(detail, dlen, "policy forbids names under .invalid: %.255s",
			               val);
			return "rejectedIdentifier";
		}
		if (base != out->value && mca_mb(s, MB_NO_WILDCARD)) {
			(void)snprintf(detail, dlen, "wildcard names are not supported");
			return "rejectedIdentifier";
		}
	}
	return NULL;
}

/*
 * Refuse a newOrder for its identifiers (section 6.7.1): one refused
 * identifier of a one-identifier order gets a plain problem; otherwise the
 * problem lists a subproblem with the identifier object for each refusal.
 * subs: array of {"type": short type, "detail", "identifier"} (borrowed).
 */
static void refuse_identifiers(struct mca_req *r, json_t *subs, size_t nids)
{
	const char *type = NULL;
	json_t *obj, *arr = json_array(), *e;
	size_t i;
	char detail[128];

	/* the log keeps r->resp.problem after subs is gone: a literal type, not subs' string */
	static const char *const types[] = {"rejectedIdentifier", "unsupportedIdentifier",
	                                    "malformed"};

	json_array_foreach(subs, i, e)
	{
		const char *t = json_string_value(json_object_get(e, "type"));
		size_t k;

		for (k = 0; k < sizeof(types) / sizeof(types[0]) - 1; k++) {
			if (strcmp(t, types[k]) == 0)
				break;
		}
		type = type == NULL || strcmp(type, types[k]) == 0 ? types[k] : "malformed";
	}
	if (nids == 1 && json_array_size(subs) == 1) {
		e = json_array_get(subs, 0);
		obj = problem_obj(r, 400, type, json_string_value(json_object_get(e, "detail")));
	} else {
		(void)snprintf(detail, sizeof(detail), "%zu of the %zu identifiers were refused",
		               json_array_size(subs), nids);
		obj = problem_obj(r, 400, type, detail);
		json_array_foreach(subs, i, e)
		{
			json_t *sub =
			    problem_obj(r, 400, json_string_value(json_object_get(e, "type")),
			                json_string_value(json_object_get(e, "detail")));
			json_t *id = json_object_get(e, "identifier");

			json_object_del(sub, "status");
			if (mca_mb(r->scn, MB_SUBPROBLEM_ID_STRING)) {
				char idstr[300];

				(void)snprintf(idstr, sizeof(idstr), "%s:%s",
				               json_string_value(json_object_get(id, "type")),
				               json_string_value(json_object_get(id, "value")));
				json_object_set_new(sub, "identifier", json_string(idstr));
			} else {
				json_object_set(sub, "identifier", id);
			}
			json_array_append_new(arr, sub);
		}
		json_object_set(obj, "subproblems", arr);
	}
	if (mca_mb(r->scn, MB_PROBLEM_TOP_IDENTIFIER))
		json_object_set(obj, "identifier",
		                json_object_get(json_array_get(subs, 0), "identifier"));
	send_problem_obj(r, 400, type, obj);
	json_decref(obj);
	json_decref(arr);
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

/* The expected alg for a key, with ES512 for P-521 the shared code may not name. */
static int alg_fits_key(const char *alg, const struct acs_key *key)
{
	const char *want = acs_key_alg(key);

	return want != NULL && strcmp(alg, want) == 0;
}

static int parse_ref(struct mca_scenario *s, int ep, const char *p, const char **rest);

static struct mca_account *acct_by_kid(struct mca_req *r, const char *kid)
{
	const char *rest = NULL;
	size_t sl = strlen(r->sbase);
	int id;

	if (strncmp(kid, r->sbase, sl) != 0 || strncmp(kid + sl, "/acct/", 6) != 0)
		return NULL;
	id = parse_ref(r->scn, EP_ACCOUNT, kid + sl + 6, &rest);
	if (id < 0 || *rest != '\0')
		return NULL;
	return acct_by_id(r->scn, id);
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

/* A copy of s up to its first '=' (padding stripped). New string. */
static char *strip_padding(const char *s)
{
	return strndup(s, strcspn(s, "="));
}

/*
 * accept-padded-b64url / accept-unencoded-payload: parse a JWS the strict
 * parser refused, as a lax CA would: '=' padding stripped, an RFC 7797
 * unencoded payload encoded first. The signing input stays what the client
 * signed (the members as received). 0 and *out, or -1.
 */
static int lax_parse(struct mca_req *r, const json_t *raw, struct acs_jws **out)
{
	const char *prot = json_string_value(json_object_get(raw, "protected"));
	const char *pay = json_string_value(json_object_get(raw, "payload"));
	const char *sig = json_string_value(json_object_get(raw, "signature"));
	char *p2 = NULL, *pay2 = NULL, *s2 = NULL, *text = NULL;
	unsigned char *hdr = NULL;
	size_t hlen = 0;
	struct acs_err err;
	json_t *copy = NULL, *h = NULL;
	struct acs_jws *jws = NULL;
	int rc = -1, padded = mca_mb(r->scn, MB_PADDED_OK);

	if (prot == NULL || pay == NULL || sig == NULL)
		return -1;
	p2 = padded ? strip_padding(prot) : strdup(prot);
	pay2 = padded ? strip_padding(pay) : strdup(pay);
	s2 = padded ? strip_padding(sig) : strdup(sig);
	if (p2 == NULL || pay2 == NULL || s2 == NULL)
		goto out;
	if (mca_mb(r->scn, MB_UNENCODED_PAYLOAD_OK) &&
	    acs_b64url_decode(p2, strlen(p2), &hdr, &hlen, &err) == 0) {
		h = json_loadb((const char *)hdr, hlen, 0, NULL);
		if (json_is_false(json_object_get(h, "b64"))) {
			free(pay2);
			pay2 = acs_b64url_encode(pay, strlen(pay));
			if (pay2 == NULL)
				goto out;
		}
	}
	copy = json_pack("{s:s, s:s, s:s}", "protected", p2, "payload", pay2, "signature", s2);
	text = copy != NULL ? json_dumps(copy, JSON_COMPACT) : NULL;
	if (text == NULL || acs_jws_parse(text, strlen(text), &jws, &err) != 0)
		goto out;
	free(jws->protected_b64);
	free(jws->payload_b64);
	jws->protected_b64 = strdup(prot);
	jws->payload_b64 = strdup(pay);
	if (jws->protected_b64 == NULL || jws->payload_b64 == NULL)
		goto out;
	*out = jws;
	jws = NULL;
	rc = 0;
out:
	acs_jws_free(jws);
	json_decref(copy);
	json_decref(h);
	free(hdr);
	free(text);
	free(p2);
	free(pay2);
	free(s2);
	return rc;
}

/* The JWS url equals the request URL but for the letter case of the host. */
static int url_equal_but_host_case(const char *a, const char *b)
{
	const char *pa = strstr(a, "://"), *pb = strstr(b, "://");
	size_t ha, hb;

	if (pa == NULL || pb == NULL)
		return 0;
	ha = (size_t)(pa - a) + 3 + strcspn(pa + 3, "/");
	hb = (size_t)(pb - b) + 3 + strcspn(pb + 3, "/");
	return ha == hb && strncasecmp(a, b, ha) == 0 && strcmp(a + ha, b + hb) == 0;
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
	if (acs_jws_parse(r->body, r->body_len, &p->jws, &err) != 0 &&
	    (!(mca_mb(s, MB_PADDED_OK) || mca_mb(s, MB_UNENCODED_PAYLOAD_OK)) ||
	     lax_parse(r, raw, &p->jws) != 0)) {
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
		if (mca_mb(s, MB_DETACHED_PAYLOAD_OK)) {
			/* taken as the empty payload: a POST-as-GET */
			p->jws->payload_b64 = strdup("");
			if (p->jws->payload_b64 == NULL) {
				acs_mca_problem(r, 500, "serverInternal", "out of memory");
				goto out;
			}
		} else {
			acs_mca_problem(r, mca_mb(s, MB_PAYLOAD_OMITTED_403) ? 403 : 400,
			                mca_mb(s, MB_PAYLOAD_OMITTED_403) ? "unauthorized"
			                                                  : "malformed",
			                "JWS has no payload member");
			goto out;
		}
	}
	b64 = json_object_get(hdr, "b64");
	crit = json_object_get(hdr, "crit");
	if ((b64 != NULL || crit != NULL) &&
	    !(json_is_false(b64) && mca_mb(s, MB_UNENCODED_PAYLOAD_OK))) {
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
		if (!alg_allowed(s, alg)) {
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
			if (mca_mb(s, MB_KID_UNKNOWN_500))
				acs_mca_problem(r, 500, "serverInternal", "account lookup failed");
			else
				acs_mca_problem(r, 400, "accountDoesNotExist",
				                "no account at %.200s", kid);
			goto out;
		}
		p->key = p->acct->key;
		/* keychange-keeps-old-key: the key before the last change still signs */
		if (p->acct->old_key != NULL && mca_mb(s, MB_KEYCHANGE_KEEPS_OLD_KEY) &&
		    acs_jws_verify(p->jws, p->acct->key, &err) != 0 &&
		    acs_jws_verify(p->jws, p->acct->old_key, &err) == 0)
			p->key = p->acct->old_key;
		acs_err_clear(&err);
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
		if (!mca_mb(s, MB_URL_UNCHECKED)) {
			acs_mca_problem(r, 400, "malformed", "protected header has no url");
			goto out;
		}
	}
	if (url != NULL && strcmp(url, r->url) != 0 &&
	    !(mca_mb(s, MB_URL_HOST_CASE) && url_equal_but_host_case(url, r->url))) {
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
	if (p->acct != NULL && p->acct->status == ST_DEACTIVATED && ks != KS_JWK &&
	    !(r->endpoint == EP_KEYCHANGE && mca_mb(s, MB_KEYCHANGE_DEACTIVATED_OK))) {
		unsigned int st = mca_mb(s, MB_DEACTIVATED_403) ? 403 : 401;

		acs_mca_problem(r, st, "unauthorized", "account is deactivated");
		goto out;
	}
	if (p->jws->payload_len == 0) {
		p->post_as_get = 1;
	} else {
		p->payload =
		    json_loadb((const char *)p->jws->payload, p->jws->payload_len, 0, NULL);
		if (p->payload == NULL && mca_mb(s, MB_NON_JSON_PAYLOAD_OK))
			p->payload = json_object();
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
	if (p->acct != NULL && (p->acct->id == owner || mca_mb(r->scn, MB_OWNER_UNCHECKED)))
		return 0;
	acs_mca_problem(r, 403, "unauthorized", "the resource belongs to another account");
	return -1;
}

/* ---- contacts ---- */

static int check_contacts(struct mca_req *r, json_t *contact)
{
	int bad_contact = mca_mb(r->scn, MB_CONTACT_ERRORS_MALFORMED);
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
		if (strncasecmp(c, "mailto:", 7) != 0 || mca_mb(r->scn, MB_MAILTO_REFUSED)) {
			acs_mca_problem(r, 400, bad_contact ? "malformed" : "unsupportedContact",
			                "only mailto: contacts are supported, got %.100s", c);
			return -1;
		}
		addr = c + 7;
		if (strchr(addr, '?') != NULL || strchr(addr, ',') != NULL ||
		    strstr(addr, "%2C") != NULL || strstr(addr, "%2c") != NULL) {
			acs_mca_check(r, CK_MAILTO,
			              "contact %.100s has hfields or several addresses", c);
			acs_mca_problem(
			    r, 400, bad_contact ? "malformed" : "invalidContact",
			    "mailto contact must be a single address without hfields: %.100s", c);
			return -1;
		}
		if (strchr(addr, '@') == NULL || addr[0] == '@' || addr[strlen(addr) - 1] == '@' ||
		    strchr(addr, ' ') != NULL) {
			acs_mca_problem(r, 400, bad_contact ? "malformed" : "invalidContact",
			                "invalid email address %.100s", addr);
			return -1;
		}
	}
	return 0;
}

/* ---- External Account Binding (section 7.3.4) ---- */

static int check_eab(struct mca_req *r, struct post *p, json_t *eab)
{
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
	if (kid == NULL || strcmp(kid, r->scn->eab_kid) != 0) {
		acs_mca_check(r, CK_EAB_KID, "EAB kid %.100s is not the CA's key identifier",
		              kid != NULL ? kid : "(absent)");
		acs_mca_problem(r, 403, "unauthorized", "unknown external account key identifier");
		goto out;
	}
	if (acs_jws_verify_hmac(inner, r->scn->eab_key, r->scn->eab_key_len, &err) != 0) {
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
	if (!mca_mb(s, MB_NO_NEWNONCE))
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
	set_json_url(d, "newAuthz", r, "/new-authz", -1);
	if (mca_mb(s, MB_DIR_V1_ALIASES)) {
		set_json_url(d, "new-reg", r, "/new-account", -1);
		set_json_url(d, "new-authz", r, "/new-authz", -1);
		set_json_url(d, "new-cert", r, "/new-order", -1);
		set_json_url(d, "revoke-cert", r, "/revoke-cert", -1);
		set_json_url(d, "key-change", r, "/key-change", -1);
	}
	if (!mca_mb(s, MB_NO_TOS) && !mca_mb(s, MB_TOS_NOT_ADVERTISED))
		set_json_url(meta, "termsOfService", r, "/terms", -1);
	json_object_set_new(meta, "website", json_string("https://github.com/acmespec"));
	json_object_set_new(
	    meta, "caaIdentities",
	    json_pack("[s]", mca_mb(s, MB_CAA_URLS) ? "https://acmespec.test/" : "acmespec.test"));
	if (s->eab_kid != NULL)
		json_object_set_new(meta, "externalAccountRequired", json_true());
	if (mca_mb(s, MB_DIR_UNKNOWN_FIELDS)) {
		json_object_set_new(meta, "x-acmespec-unknown", json_pack("{s:b}", "nested", 1));
		u = urlf(r, "/unknown-resource");
		json_object_set_new(d, "x-acmespec-resource", json_string(u != NULL ? u : ""));
		free(u);
		json_object_set_new(d, "zzUnknownNumber", json_integer(42));
	}
	if (mca_mb(s, MB_META_NOT_OBJECT)) {
		json_t *arr = json_array();
		const char *k;
		json_t *v;

		json_object_foreach(meta, k, v) json_array_append(arr, v);
		json_decref(meta);
		meta = arr;
	}
	json_object_set_new(d, "meta", meta);
	acs_mca_resp_json(r, 200, d);
	json_decref(d);
}

static void do_new_nonce(struct mca_req *r)
{
	r->resp.nonce_mode = 1;
	if (strcmp(r->method, "HEAD") == 0 && mca_mb(r->scn, MB_NEWNONCE_HEAD_204))
		r->resp.status = 204;
	else if (strcmp(r->method, "HEAD") == 0 || mca_mb(r->scn, MB_NEWNONCE_GET_200))
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

/* The members of a newAccount payload (section 7.3), NULL-terminated. */
static const char *const new_account_fields[] = {
    "contact", "termsOfServiceAgreed", "onlyReturnExisting", "externalAccountBinding", NULL};
static const char *const account_update_fields[] = {"contact", "termsOfServiceAgreed", "status",
                                                    NULL};

static int field_known(const char *name, const char *const *known)
{
	size_t i;

	for (i = 0; known[i] != NULL; i++) {
		if (strcmp(name, known[i]) == 0)
			return 1;
	}
	return 0;
}

/*
 * The members of payload the CA ignores: unknown ones, and those only the
 * server sets (orders, onlyReturnExisting). New object or NULL.
 */
static json_t *ignored_fields(const json_t *payload, const char *const *known)
{
	json_t *out = NULL, *v;
	const char *k;

	json_object_foreach((json_t *)payload, k, v)
	{
		if (field_known(k, known) && strcmp(k, "onlyReturnExisting") != 0)
			continue;
		if (out == NULL)
			out = json_object();
		json_object_set(out, k, v);
	}
	return out;
}

/* reject-unknown-fields: 400 for a member the CA does not know. */
static int unknown_field(struct mca_req *r, const json_t *payload, const char *const *known)
{
	json_t *v;
	const char *k;

	if (!mca_mb(r->scn, MB_REJECT_UNKNOWN_FIELDS))
		return 0;
	json_object_foreach((json_t *)payload, k, v)
	{
		if (!field_known(k, known)) {
			acs_mca_problem(r, 400, "malformed", "unknown field %.64s", k);
			return -1;
		}
	}
	return 0;
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
		loc = obj_url(r, "/acct/", p->acct->id, p->acct->rid, "");
		if (!mca_mb(s, MB_NO_LOCATION))
			(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
		body = account_json(r, p->acct);
		acs_mca_resp_json(r, mca_mb(s, MB_EXISTING_201) ? 201 : 200, body);
		json_decref(body);
		free(loc);
		return;
	}
	if (unknown_field(r, p->payload, new_account_fields) != 0)
		return;
	if (json_is_true(ore) && !mca_mb(s, MB_ONLY_EXISTING_CREATES)) {
		acs_mca_problem(r, 400, "accountDoesNotExist", "no account exists with this key");
		return;
	}
	if (!mca_mb(s, MB_NO_TOS) && !json_is_true(tos)) {
		char *tu = urlf(r, "/terms");

		/* the directory names terms, and the client asked without agreeing to them */
		acs_mca_check(r, CK_TOS_DEFAULT,
		              "newAccount without termsOfServiceAgreed: true "
		              "while the directory has termsOfService");

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
	if (s->eab_kid != NULL) {
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
	new_rid(a->rid);
	a->status = ST_VALID;
	a->key = p->key;
	p->key_owned = 0;
	a->jwk = json_deep_copy(p->jwk);
	a->contact = contact != NULL ? json_deep_copy(contact) : json_array();
	a->tos_agreed = json_is_true(tos);
	/* a binding is echoed when verified; eab-echo-unverified echoes it anyway */
	if (eab != NULL && (s->eab_kid != NULL || mca_mb(s, MB_EAB_ECHO_UNVERIFIED)))
		a->eab = json_deep_copy(eab);
	a->extra = ignored_fields(p->payload, new_account_fields);
	loc = obj_url(r, "/acct/", a->id, a->rid, "");
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
	struct mca_account *a = acct_by_id(r->scn, r->obj_id);
	json_t *body, *st, *contact, *extra;
	int deactivate;

	if (a == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such account");
		return;
	}
	if (want_owner(r, p, r->obj_id) != 0)
		return;
	if (!p->post_as_get) {
		if (want_object(r, p) != 0)
			return;
		st = json_object_get(p->payload, "status");
		contact = json_object_get(p->payload, "contact");
		deactivate =
		    json_is_string(st) && strcmp(json_string_value(st), "deactivated") == 0;
		/* section 7.3.6: only "deactivated" is a status a client sets; others are ignored
		 */
		if (st != NULL && !deactivate && mca_mb(r->scn, MB_ACCOUNT_STATUS_REFUSED) &&
		    !(json_is_string(st) &&
		      strcmp(json_string_value(st), acs_mca_status_name(a->status)) == 0)) {
			acs_mca_problem(r, 400, "malformed",
			                "status may only be set to deactivated");
			return;
		}
		if (contact != NULL) {
			if (check_contacts(r, contact) != 0)
				return;
			if (!mca_mb(r->scn, MB_CONTACT_UPDATE_IGNORED)) {
				json_decref(a->contact);
				a->contact = json_deep_copy(contact);
			}
		}
		if (json_is_true(json_object_get(p->payload, "termsOfServiceAgreed")))
			a->tos_agreed = 1;
		extra = ignored_fields(p->payload, account_update_fields);
		if (extra != NULL) {
			if (a->extra == NULL)
				a->extra = json_object();
			(void)json_object_update(a->extra, extra);
			json_decref(extra);
		}
		if (deactivate && !mca_mb(r->scn, MB_DEACTIVATION_IGNORED))
			a->status = ST_DEACTIVATED;
	}
	body = account_json(r, a);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
}

static void do_orders(struct mca_req *r, struct post *p)
{
	struct mca_account *a = acct_by_id(r->scn, r->obj_id);
	json_t *list = json_array(), *body;
	size_t i;

	if (a == NULL || want_owner(r, p, r->obj_id) != 0 || want_post_as_get(r, p) != 0) {
		if (a == NULL)
			acs_mca_problem(r, 404, "malformed", "no such account");
		json_decref(list);
		return;
	}
	for (i = 0; i < a->norders; i++) {
		struct mca_order *o = order_by_id(r->scn, a->orders[i]);
		char *u;

		/* section 7.1.2.1: the list SHOULD leave invalid orders out */
		if (o == NULL ||
		    (o->status == ST_INVALID && !mca_mb(r->scn, MB_ORDERS_LIST_INVALID)) ||
		    (o->status != ST_VALID && mca_mb(r->scn, MB_ORDERS_LIST_VALID_ONLY)))
			continue;
		u = obj_url(r, "/order/", o->id, o->rid, "");
		if (u != NULL)
			json_array_append_new(list, json_string(u));
		free(u);
	}
	body = mca_mb(r->scn, MB_ORDERS_LIST_BARE) ? json_incref(list)
	                                           : json_pack("{s:O}", "orders", list);
	json_decref(list);
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
	json_t *ipl = NULL, *ijwk = NULL, *body;
	char *text = NULL, *myurl = NULL;
	const char *ialg, *iurl, *ourl, *account;
	int lax = mca_mb(s, MB_KEYCHANGE_UNCHECKED);
	int unverified = mca_mb(s, MB_KEYCHANGE_INNER_UNVERIFIED);
	size_t i;

	acs_err_clear(&err);
	/* 1: the outer JWS passed section 6 (verify_post, kid) */
	if (want_object(r, p) != 0)
		goto out;
	/* 2: the payload is a JWS */
	text = json_dumps(p->payload, JSON_COMPACT);
	if (text == NULL || acs_jws_parse(text, strlen(text), &inner, &err) != 0) {
		if (!unverified) {
			acs_mca_problem(r, 400, "malformed", "keyChange payload is not a JWS: %s",
			                err.msg);
			goto out;
		}
		/* keychange-inner-unverified: the payload is taken as the keyChange object */
		ipl = json_incref(p->payload);
	}
	if (inner != NULL) {
		/* 3: it has a jwk */
		ijwk = json_object_get(inner->protected_hdr, "jwk");
		if (ijwk == NULL || json_object_get(inner->protected_hdr, "kid") != NULL) {
			acs_mca_check(r, CK_KEYCHANGE_INNER_JWK, "inner JWS has %s",
			              ijwk == NULL ? "no jwk" : "a kid");
			if (!unverified) {
				acs_mca_problem(r, 400, "malformed",
				                "inner JWS must carry the new key as jwk");
				goto out;
			}
		}
		/* 4: it verifies with that jwk */
		if (ijwk != NULL && acs_jwk_import(ijwk, 0, &nk, &err) != 0) {
			acs_mca_problem(r, 400, "badPublicKey", "inner JWS: %s", err.msg);
			goto out;
		}
		ialg = acs_jws_header_str(inner, "alg");
		if (!unverified && (ialg == NULL || !alg_fits_key(ialg, nk))) {
			acs_mca_check(r, CK_ALG_MATCHES_KEY,
			              "inner alg %s does not fit the new key",
			              ialg != NULL ? ialg : "(absent)");
			bad_alg(r, "inner JWS alg does not match its key");
			goto out;
		}
		if (!unverified && acs_jws_verify(inner, nk, &err) != 0) {
			acs_mca_check(r, CK_KEYCHANGE_INNER_JWK, "inner JWS does not verify: %s",
			              err.msg);
			acs_mca_problem(r, 400, "malformed", "inner JWS does not verify: %s",
			                err.msg);
			goto out;
		}
		if (json_object_get(inner->protected_hdr, "nonce") != NULL) {
			acs_mca_check(r, CK_KEYCHANGE_INNER_NO_NONCE, "inner JWS has a nonce");
			if (!lax) {
				acs_mca_problem(r, 400, "malformed",
				                "inner JWS must not have a nonce");
				goto out;
			}
		}
		if (inner->payload != NULL)
			ipl = json_loadb((const char *)inner->payload, inner->payload_len, 0, NULL);
	}
	/* 5: a well-formed keyChange object */
	account = json_string_value(json_object_get(ipl, "account"));
	if (ipl == NULL || account == NULL || !json_is_object(json_object_get(ipl, "oldKey"))) {
		acs_mca_problem(r, 400, "malformed", "inner payload must hold account and oldKey");
		goto out;
	}
	/* 6: same url */
	if (inner != NULL) {
		iurl = acs_jws_header_str(inner, "url");
		ourl = acs_jws_header_str(p->jws, "url");
		if (iurl == NULL || ourl == NULL || strcmp(iurl, ourl) != 0) {
			acs_mca_check(r, CK_KEYCHANGE_INNER_URL,
			              "inner url %.200s differs from the outer",
			              iurl != NULL ? iurl : "(absent)");
			if (!lax) {
				acs_mca_problem(r, 400, "malformed",
				                "inner url must equal the outer url");
				goto out;
			}
		}
	}
	/* 7: account = the kid */
	myurl = obj_url(r, "/acct/", a->id, a->rid, "");
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
	other = nk != NULL ? acct_by_key(s, nk) : NULL;
	if (other == a) {
		acs_mca_problem(r, 400, "malformed", "the new key is the current key");
		goto out;
	}
	if (other != NULL && !mca_mb(s, MB_KEYCHANGE_STEALS_KEY)) {
		char *loc = obj_url(r, "/acct/", other->id, other->rid, "");

		if (!mca_mb(s, MB_KEYCHANGE_NO_LOCATION))
			(void)acs_mca_add_header(&r->resp, "Location", "%s",
			                         loc != NULL ? loc : "");
		free(loc);
		if (mca_mb(s, MB_KEYCHANGE_CONFLICT_UNREGISTERED))
			acs_mca_problem(r, 409, "conflict",
			                "the new key is already in use by another account");
		else
			acs_mca_problem(r, 409, "malformed",
			                "the new key is already in use by another account");
		goto out;
	}
	if (nk != NULL && !mca_mb(s, MB_KEYCHANGE_NOT_APPLIED)) {
		acs_key_free(a->old_key);
		a->old_key = a->key;
		a->key = nk;
		nk = NULL;
		json_decref(a->jwk);
		a->jwk = json_deep_copy(ijwk);
	}
	if (mca_mb(s, MB_KEYCHANGE_INVALIDATES_ORDERS)) {
		for (i = 0; i < a->norders; i++) {
			struct mca_order *o = order_by_id(s, a->orders[i]);

			if (o != NULL && (o->status == ST_PENDING || o->status == ST_READY))
				o->status = ST_INVALID;
		}
	}
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

static int make_authz(struct mca_req *r, int acct, const struct acs_ident *id, int wildcard,
                      int start_valid)
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
	new_rid(az->rid);
	az->acct = acct;
	az->ident = *id;
	az->wildcard = wildcard;
	az->expires = time(NULL) + 7 * 86400;
	az->status = start_valid || mca_mb(s, MB_AUTHZ_REUSED) ? ST_VALID : ST_PENDING;
	if (!wildcard)
		types[nt++] = CT_HTTP01;
	if (strcmp(id->type, "dns") == 0 || mca_mb(s, MB_IP_DNS01))
		types[nt++] = CT_DNS01;
	if (!wildcard)
		types[nt++] = CT_TLSALPN01;
	if (!wildcard && strcmp(id->type, "dns") == 0 && mca_mb(s, MB_OFFER_TLS_SNI))
		types[nt++] = CT_TLSSNI02;
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
		new_rid(c->rid);
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

/* A valid, unexpired authorization of acct for the identifier, or 0. */
static int reusable_authz(struct mca_scenario *s, int acct, const struct acs_ident *id, int wild)
{
	time_t now = time(NULL);
	size_t i;

	for (i = s->nauthzs; i > 0; i--) {
		struct mca_authz *az = s->authzs[i - 1];

		if (az->acct == acct && az->status == ST_VALID && az->expires > now &&
		    az->wildcard == wild && strcmp(az->ident.type, id->type) == 0 &&
		    strcmp(az->ident.value, id->value) == 0)
			return az->id;
	}
	return 0;
}

static void do_new_order(struct mca_req *r, struct post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_order *o = NULL;
	json_t *ids, *v, *norm = NULL, *subs = NULL, *body;
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
	subs = json_array();
	if (subs == NULL)
		goto nomem;
	json_array_foreach(ids, i, v)
	{
		struct acs_ident id;
		char detail[512];
		const char *bad = ident_check(r, v, &id, detail, sizeof(detail));
		int dup = 0;

		if (bad != NULL) {
			const char *ty = json_string_value(json_object_get(v, "type"));
			const char *va = json_string_value(json_object_get(v, "value"));

			json_array_append_new(subs, json_pack("{s:s, s:s, s:{s:s, s:s}}", "type",
			                                      bad, "detail", detail, "identifier",
			                                      "type", ty != NULL ? ty : "", "value",
			                                      va != NULL ? va : ""));
			continue;
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
	if (json_array_size(subs) > 0) {
		refuse_identifiers(r, subs, json_array_size(ids));
		goto out;
	}
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		goto nomem;
	nbs = json_string_value(json_object_get(p->payload, "notBefore"));
	nas = json_string_value(json_object_get(p->payload, "notAfter"));
	o->nb = now - 60;
	o->na = now + 90L * 86400;
	if ((json_object_get(p->payload, "notBefore") != NULL &&
	     (nbs == NULL || acs_rfc3339_parse(nbs, &o->nb) != 0)) ||
	    (json_object_get(p->payload, "notAfter") != NULL &&
	     (nas == NULL || acs_rfc3339_parse(nas, &o->na) != 0))) {
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
	new_rid(o->rid);
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
		/* section 7.1.3: a valid authorization of the account is reused and listed */
		aid = reusable_authz(s, o->acct, &base, wild);
		if (aid > 0 && mca_mb(s, MB_AUTHZ_REUSE_COPY))
			aid = make_authz(r, o->acct, &base, wild, 1);
		else if (aid <= 0)
			aid = make_authz(r, o->acct, &base, wild, 0);
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
	loc = obj_url(r, "/order/", o->id, o->rid, "");
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
	json_decref(subs);
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
	size_t i;

	acs_err_clear(&err);
	if (c == NULL || az == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such challenge");
		return;
	}
	if (want_owner(r, p, az->acct) != 0)
		return;
	if (!p->post_as_get || mca_mb(s, MB_POST_AS_GET_VALIDATES)) {
		if (!p->post_as_get && !json_is_object(p->payload)) {
			acs_mca_problem(r, 400, "malformed",
			                "challenge response must be a JSON object");
			return;
		}
		/* section 7.5.1: unknown fields are ignored, unless told otherwise */
		if (!p->post_as_get && mca_mb(s, MB_REJECT_UNKNOWN_FIELDS) &&
		    json_object_size(p->payload) > 0) {
			acs_mca_problem(r, 400, "malformed",
			                "unexpected fields in the challenge response");
			return;
		}
		if (c->status == ST_PENDING && az->status == ST_PENDING) {
			/* the expected content: the key authorization, or what a buggy CA expects
			 */
			if ((c->type == CT_HTTP01 && mca_mb(s, MB_HTTP01_TOKEN_ONLY)) ||
			    (c->type == CT_TLSALPN01 && mca_mb(s, MB_ALPN_DIGEST_OF_TOKEN)))
				ka = strdup(c->token);
			else
				ka = acs_mca_keyauth(s, c->token, p->acct, &err);
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
			for (i = 0; i < MB_COUNT; i++)
				job->mb[i] = (unsigned char)s->mb[i].on;
			c->status = ST_PROCESSING;
			acs_mca_enqueue_scn(r->ca, s, job, 0);
		}
	} else {
		chall_poll(s, c);
	}
	up = obj_url(r, "/authz/", az->id, az->rid, "");
	if (up != NULL && !mca_mb(s, MB_NO_UP_LINK))
		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"up\"", up);
	free(up);
	body = challenge_json(r, c);
	acs_mca_resp_json(r, !p->post_as_get && mca_mb(s, MB_CHALLENGE_202) ? 202 : 200, body);
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
	if (mca_mb(s, MB_CHAIN_WRONG_ISSUER))
		inter = r->ca->pki->root_pem; /* did not sign the leaf */
	if (mca_mb(s, MB_CHAIN_LEAF_LAST) && !mca_mb(s, MB_CHAIN_LEAF_ONLY))
		(void)acs_buf_puts(&b, inter);
	if (mca_mb(s, MB_CHAIN_EXTRA_TEXT))
		(void)acs_buf_puts(&b,
		                   "Certificate issued by the acmespec mock CA\nsubject: leaf\n");
	(void)acs_buf_puts(&b, leaf);
	if (!mca_mb(s, MB_CHAIN_LEAF_ONLY) && !mca_mb(s, MB_CHAIN_LEAF_LAST)) {
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
	char *leafpem = NULL, *altpem = NULL, *loc = NULL;
	json_t *body, *v;
	time_t nb, na;
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
	/* misbehaviours that put other names in the certificate than the CSR's */
	for (i = 0; i < nc; i++) {
		if (strcmp(cids[i].type, "ip") == 0 && mca_mb(s, MB_IP_SAN_AS_DNS))
			memcpy(cids[i].type, "dns", 4);
		if (strncmp(cids[i].value, "*.", 2) == 0 && mca_mb(s, MB_WILDCARD_SAN_BASE))
			memmove(cids[i].value, cids[i].value + 2, strlen(cids[i].value + 2) + 1);
	}
	if (nc > 1 && mca_mb(s, MB_CERT_DROPS_NAME))
		nc = 1;
	nb = mca_mb(s, MB_IGNORE_NOT_AFTER) ? time(NULL) - 60 : o->nb;
	na = mca_mb(s, MB_IGNORE_NOT_AFTER) ? time(NULL) + 90L * 86400 : o->na;
	if (acs_mca_issue(r->ca->pki, acs_key_evp(ckey), cids, nc, nb, na, &leaf, &err) != 0) {
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
	if (mca_mb(s, MB_ALT_CHAIN_OTHER_LEAF)) {
		/* a second issuance for the alternate chain: another serial, another leaf */
		if (acs_mca_issue(r->ca->pki, acs_key_evp(ckey), cids, nc, nb, na, &cert->alt_leaf,
		                  &err) != 0) {
			acs_mca_problem(r, 500, "serverInternal", "issuance failed: %s", err.msg);
			goto out;
		}
		altpem = acs_mca_x509_pem(cert->alt_leaf);
	}
	cert->alt_chain =
	    build_chain(r, altpem != NULL ? altpem : leafpem, r->ca->pki->alt_inter_pem);
	cid = push_obj((void ***)&s->certs, &s->ncerts, cert);
	if (cid < 0) {
		acs_mca_problem(r, 429, "rateLimited", "too many certificates in this scenario");
		goto out;
	}
	leaf = NULL;
	cert->id = cid;
	new_rid(cert->rid);
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
	loc = obj_url(r, "/order/", o->id, o->rid, "");
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
		X509_free(cert->alt_leaf);
		free(cert);
	}
	/* csr-refusal-invalidates-order: a refused CSR ends the order */
	if (r->resp.problem != NULL && strcmp(r->resp.problem, "badCSR") == 0 &&
	    mca_mb(s, MB_CSR_REFUSAL_INVALIDATES))
		o->status = ST_INVALID;
	X509_free(leaf);
	free(leafpem);
	free(altpem);
	free(loc);
	free(der);
	free(cids);
	free(oids);
	acs_key_free(ckey);
}

/* hay contains needle, ignoring ASCII case. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);

	for (; *hay != '\0'; hay++) {
		if (strncasecmp(hay, needle, nl) == 0)
			return 1;
	}
	return 0;
}

/* The client asks for application/pkix-cert (DER) and not for the PEM chain. */
static int wants_der(struct mca_req *r)
{
	const char *acc = acs_mca_req_header(r, "Accept");

	return acc != NULL && contains_ci(acc, "application/pkix-cert") &&
	       !contains_ci(acc, "application/pem-certificate-chain");
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
	if (wants_der(r) || mca_mb(s, MB_CERT_DER)) {
		/* section 7.4.2: a single-certificate format; the issuer is linked with rel="up" */
		X509 *x = r->alt && c->alt_leaf != NULL ? c->alt_leaf : c->leaf;
		unsigned char *der = NULL;
		int dl = i2d_X509(x, &der);

		if (dl <= 0) {
			acs_mca_problem(r, 500, "serverInternal", "cannot encode the certificate");
			return;
		}
		r->resp.ctype = "application/pkix-cert";
		(void)acs_buf_append(&r->resp.body, der, (size_t)dl);
		OPENSSL_free(der);
	} else {
		r->resp.ctype = mca_mb(s, MB_CERT_WRONG_CT) ? "application/x-pem-file"
		                                            : "application/pem-certificate-chain";
		(void)acs_buf_puts(&r->resp.body, r->alt ? c->alt_chain : c->chain);
	}
	if (!mca_mb(s, MB_NO_ALTERNATE)) {
		u = obj_url(r, "/cert/", c->id, c->rid, r->alt ? "" : "/alt");
		if (u != NULL)
			(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"alternate\"", u);
		free(u);
	}
	u = urlf(r, "/issuer/%d", r->alt);
	if (u != NULL && !mca_mb(s, MB_NO_UP_LINK))
		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"up\"", u);
	free(u);
}

/* Does acct hold valid, unexpired authorizations for every name of the certificate? */
static int authorized_for(struct mca_scenario *s, const struct mca_account *acct, X509 *leaf)
{
	struct acs_ident *ids = NULL;
	struct acs_err err;
	time_t now = time(NULL);
	size_t n = 0, i, j;
	int ok = 1;

	if (acs_cert_idents(leaf, &ids, &n, &err) != 0 || n == 0) {
		free(ids);
		return 0;
	}
	for (i = 0; i < n && ok; i++) {
		const char *v = ids[i].value;
		int wild = strncmp(v, "*.", 2) == 0, found = 0;

		for (j = 0; j < s->nauthzs && !found; j++) {
			const struct mca_authz *az = s->authzs[j];

			found = az->acct == acct->id && az->status == ST_VALID &&
			        az->expires > now && az->wildcard == wild &&
			        strcmp(az->ident.type, ids[i].type) == 0 &&
			        strcmp(az->ident.value, wild ? v + 2 : v) == 0;
		}
		ok = found;
	}
	free(ids);
	return ok;
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
			if (mca_mb(s, MB_REVOKE_REASON_NO_DETAIL))
				acs_mca_problem(r, 400, "badRevocationReason",
				                "this reason is not allowed");
			else
				acs_mca_problem(r, 400, "badRevocationReason",
				                "reason must be 0-6 or 8-10 (RFC 5280)");
			goto out;
		}
	}
	if (p->jwk != NULL && json_object_get(p->jws->protected_hdr, "kid") == NULL) {
		/* jwk of the certificate's key */
		if (acs_key_from_evp(&ck, X509_get0_pubkey(c->leaf), &err) != 0 ||
		    !acs_key_equal(ck, p->key) || mca_mb(s, MB_REVOKE_CERTKEY_REFUSED)) {
			acs_mca_problem(r, 403, "unauthorized",
			                "the jwk is not the certificate's key");
			goto out;
		}
	} else if (mca_mb(s, MB_REVOKE_KID_REFUSED)) {
		acs_mca_problem(r, 403, "unauthorized",
		                "revocation must be signed with the certificate key");
		goto out;
	} else if (p->acct == NULL ||
	           (p->acct->id != c->acct && !mca_mb(s, MB_REVOKE_ANY_ACCOUNT) &&
	            (mca_mb(s, MB_REVOKE_ISSUER_ONLY) || !authorized_for(s, p->acct, c->leaf)))) {
		/* section 7.6: the issuing account, or one authorized for every name */
		acs_mca_problem(r, 403, "unauthorized",
		                "the account neither issued this certificate nor holds "
		                "authorizations for all its names");
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

/* Pre-authorization (section 7.4.1): an authorization outside any order. */
static void do_new_authz(struct mca_req *r, struct post *p)
{
	struct mca_authz *az;
	struct acs_ident id;
	char detail[512];
	const char *bad;
	char *loc = NULL;
	json_t *body;
	int aid;

	if (want_object(r, p) != 0)
		return;
	bad =
	    ident_check(r, json_object_get(p->payload, "identifier"), &id, detail, sizeof(detail));
	if (bad != NULL) {
		acs_mca_problem(r, 400, bad, "%s", detail);
		return;
	}
	if (strncmp(id.value, "*.", 2) == 0) {
		acs_mca_problem(r, 400, "rejectedIdentifier",
		                "newAuthz cannot be used for wildcard names (section 7.4.1)");
		return;
	}
	aid = make_authz(r, p->acct->id, &id, 0, 0);
	az = aid > 0 ? authz_by_id(r->scn, aid) : NULL;
	if (az == NULL) {
		acs_mca_problem(r, 500, "serverInternal", "cannot create the authorization");
		return;
	}
	loc = obj_url(r, "/authz/", az->id, az->rid, "");
	if (loc != NULL && !mca_mb(r->scn, MB_NEWAUTHZ_NO_LOCATION))
		(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
	free(loc);
	body = authz_json(r, az);
	acs_mca_resp_json(r, 201, body);
	json_decref(body);
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

/* The random URL part of object id of the kind endpoint ep serves, or NULL. */
static const char *rid_of(struct mca_scenario *s, int ep, int id)
{
	struct mca_account *a;
	struct mca_order *o;
	struct mca_authz *az;
	struct mca_chall *c;
	struct mca_cert *ce;

	switch (ep) {
	case EP_ACCOUNT:
	case EP_ORDERS:
		a = acct_by_id(s, id);
		return a != NULL ? a->rid : NULL;
	case EP_ORDER:
	case EP_FINALIZE:
		o = order_by_id(s, id);
		return o != NULL ? o->rid : NULL;
	case EP_AUTHZ:
		az = authz_by_id(s, id);
		return az != NULL ? az->rid : NULL;
	case EP_CHALLENGE:
		c = chall_by_id(s, id);
		return c != NULL ? c->rid : NULL;
	case EP_CERT:
		ce = cert_by_id(s, id);
		return ce != NULL ? ce->rid : NULL;
	default:
		return NULL;
	}
}

/*
 * "<id>-<random>" of an existing object: its id, *rest after it; -1 when
 * there is no such object or the random part does not match (a guessed
 * URL). With sequential-urls the bare id is enough.
 */
static int parse_ref(struct mca_scenario *s, int ep, const char *p, const char **rest)
{
	const char *rid;
	size_t n;
	int id = parse_id(p, rest);

	if (id < 0)
		return -1;
	rid = rid_of(s, ep, id);
	if (rid == NULL)
		return -1;
	if (**rest != '-')
		return mca_mb(s, MB_SEQUENTIAL_URLS) || rid[0] == '\0' ? id : -1;
	p = *rest + 1;
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
	if (n != strlen(rid) || strncmp(p, rid, n) != 0)
		return -1;
	*rest = p + n;
	return id;
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
	    {"/new-authz", EP_NEWAUTHZ},
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
		id = objs[i].ep == EP_ISSUER ? parse_id(r->path + pl, &rest)
		                             : parse_ref(r->scn, objs[i].ep, r->path + pl, &rest);
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
	/* section 6.5: a fresh nonce on every response, errors included */
	if (!mca_mb(s, MB_NO_REPLAY_NONCE) &&
	    !(r->resp.status >= 400 && mca_mb(s, MB_NO_REPLAY_NONCE_ON_ERROR)) &&
	    !(r->endpoint != EP_NEWNONCE && mca_mb(s, MB_REPLAY_NONCE_NEWNONCE_ONLY))) {
		if (fault_fires(r, MB_REPLAY_NONCE_INVALID)) {
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "a+b/=");
		} else if (mca_mb(s, MB_NONCE_REPEATS) && (s->nonces_issued++ % 2) == 1 &&
		           s->last_nonce[0] != '\0') {
			/* the nonce before, still unused: two responses share it */
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "%s", s->last_nonce);
		} else if (acs_nonce_issue(s->nonces, mca_mb(s, MB_NONCE_SHORT) ? 4 : 16,
		                           mca_mb(s, MB_NONCE_PADDED), nonce) == 0) {
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "%s", nonce);
			memcpy(s->last_nonce, nonce, sizeof(s->last_nonce));
		}
	}
	/* section 6.1: servers generally accessible SHOULD allow any origin */
	if (!mca_mb(s, MB_NO_CORS))
		(void)acs_mca_add_header(&r->resp, "Access-Control-Allow-Origin", "*");
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
	case EP_NEWAUTHZ:
		do_new_authz(r, &p);
		break;
	case EP_DIRECTORY:
	case EP_NEWNONCE:
		/* section 6.3: POST-as-GET works wherever GET does */
		if (want_post_as_get(r, &p) != 0)
			break;
		if (r->endpoint == EP_DIRECTORY)
			do_directory(r);
		else
			do_new_nonce(r);
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
		if (post && r->endpoint != EP_TERMS && !mca_mb(s, MB_DIRECTORY_POST_REFUSED))
			break;
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
