/*
 * Authorizations and challenges (sections 7.1.4, 7.4.1, 7.5): their JSON
 * as the scenario shows it, deactivation, challenge responses that queue a
 * validation with the key authorization the CA expects, and the results of
 * validations.
 */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/b64url.h"
#include "harness/rfc3339.h"
#include "mockserver/ident.h"
#include "mockserver/req.h"
#include "mockserver/res_authz.h"
#include "mockserver/res_subdomain.h"
#include "mockserver/store.h"
#include "mockserver/validate.h"
#include "mockserver/verify.h"
#include "mockserver/workers.h"

static json_t *challenge_json(struct mca_req *r, struct mca_chall *c)
{
	json_t *o = json_object();
	char ts[32];

	json_object_set_new(o, "type", json_string(acs_mca_ctype_names[c->type]));
	acs_mca_set_json_str(o, mca_mb(r->scn, MB_CHALLENGE_URI) ? "uri" : "url",
	                     acs_mca_obj_url(r, "/chall/", c->id, c->rid, ""));
	json_object_set_new(o, "status", json_string(acs_mca_status_name(c->status)));
	/* draft-ietf-acme-dns-persist 3.1: no token; 1 to 10 issuer-domain-names */
	if (c->type == CT_DNSPERSIST01)
		json_object_set_new(o, "issuer-domain-names", acs_mca_persist_issuers(r->scn));
	else
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
		struct mca_chall *c = acs_mca_chall(r->scn, az->chall[i]);

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
	acs_mca_subdomain_authz_json(r->scn, az->subdomain, o); /* RFC 9444 4.1 */
	return o;
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

/* The account whose URL names the dns-account-01 record (dns-account01-first-account-label). */
static const struct mca_account *label_acct(struct mca_scenario *s, const struct mca_chall *c,
                                            const struct mca_post *p)
{
	if (c->type == CT_DNSACCOUNT01 && mca_mb(s, MB_DNSACCT_FIRST_ACCOUNT) && s->naccts > 0)
		return s->accts[0];
	return p->acct;
}

/* The key authorization of token for the account key, as the scenario computes it. */
static char *keyauth(struct mca_scenario *s, const char *token, const struct mca_account *a,
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
		acs_mca_chall_apply(s, c, c->result);
}

int acs_mca_validation_retry(struct mca_scenario *s, int chall, const char *errtype,
                             const char *detail)
{
	struct mca_chall *c = acs_mca_chall(s, chall);
	char full[128];

	/* scripted failures (challenge-invalid) are final; so is everything with
	 * no-validation-retry */
	if (c == NULL || c->status != ST_PROCESSING || s->mb[MB_CHALLENGE_INVALID].on ||
	    mca_mb(s, MB_NO_VALIDATION_RETRY))
		return 0;
	(void)snprintf(full, sizeof(full), MCA_PROBLEM_NS "%s",
	               errtype != NULL ? errtype : "incorrectResponse");
	json_decref(c->error);
	c->error = json_pack("{s:s, s:s, s:i}", "type", full, "detail",
	                     detail != NULL ? detail : "validation failed", "status", 400);
	return 1;
}

void acs_mca_validation_done(struct mca_scenario *s, int chall, int ok, const char *errtype,
                             const char *detail)
{
	struct mca_chall *c = acs_mca_chall(s, chall);
	struct mca_mb_state *inv = &s->mb[MB_CHALLENGE_INVALID];
	char typebuf[64];

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

		/* problem-v1-namespace reaches challenge errors too (issue 7 item 9) */
		(void)snprintf(full, sizeof(full), "%s%s",
		               mca_mb(s, MB_PROBLEM_V1) ? "urn:acme:error:" : MCA_PROBLEM_NS,
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
	acs_mca_chall_apply(s, c, ok ? ST_VALID : ST_INVALID);
}

void acs_mca_do_authz(struct mca_req *r, struct mca_post *p)
{
	struct mca_authz *az = acs_mca_authz(r->scn, r->obj_id);
	json_t *body, *st;
	int i, busy = 0;

	if (az == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such authorization");
		return;
	}
	if (acs_mca_want_owner(r, p, az->acct) != 0)
		return;
	if (!p->post_as_get) {
		if (acs_mca_want_object(r, p) != 0)
			return;
		st = json_object_get(p->payload, "status");
		if (!json_is_string(st) || strcmp(json_string_value(st), "deactivated") != 0) {
			acs_mca_problem(r, 400, "malformed",
			                "only status deactivated may be posted");
			return;
		}
		if (az->status == ST_PENDING || az->status == ST_VALID) {
			az->status = ST_DEACTIVATED;
			acs_mca_orders_update(r->scn);
		}
	}
	for (i = 0; i < az->nchall; i++) {
		struct mca_chall *c = acs_mca_chall(r->scn, az->chall[i]);

		if (c != NULL) {
			chall_poll(r->scn, c);
			busy |= c->status == ST_PROCESSING;
		}
	}
	body = authz_json(r, az);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
	if ((az->status == ST_PENDING || busy) && acs_mca_poll_retry_after(r->scn))
		acs_mca_retry_after(r);
}

void acs_mca_do_challenge(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_chall *c = acs_mca_chall(s, r->obj_id);
	struct mca_authz *az = c != NULL ? acs_mca_authz(s, c->authz) : NULL;
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
	if (acs_mca_want_owner(r, p, az->acct) != 0)
		return;
	/* the type answered, for the client predicates (issue 7 item 9: no-tls-sni-answered) */
	json_object_set_new(r->logent, "challenge_type", json_string(acs_mca_ctype_names[c->type]));
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
				ka = keyauth(s, c->token, p->acct, &err);
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
			job->wildcard = az->wildcard;
			job->acct_url = acs_mca_obj_url(r, "/acct/", label_acct(s, c, p)->id,
			                                label_acct(s, c, p)->rid, "");
			for (i = 0; i < MB_COUNT; i++)
				job->mb[i] = (unsigned char)s->mb[i].on;
			c->status = ST_PROCESSING;
			acs_mca_enqueue_scn(r->ca, s, job, 0);
		}
	} else {
		chall_poll(s, c);
	}
	up = acs_mca_obj_url(r, "/authz/", az->id, az->rid, "");
	if (up != NULL && !mca_mb(s, MB_NO_UP_LINK))
		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"up\"", up);
	free(up);
	body = challenge_json(r, c);
	acs_mca_resp_json(r, !p->post_as_get && mca_mb(s, MB_CHALLENGE_202) ? 202 : 200, body);
	json_decref(body);
	/* a challenge under validation says when to look again (1 s); while a
	 * failed validation waits for its retry, section 8.2 makes that a MUST */
	if (c->status == ST_PROCESSING || (c->status == ST_PENDING && acs_mca_poll_retry_after(s)))
		acs_mca_retry_after(r);
}

/* Pre-authorization (section 7.4.1): an authorization outside any order. */
void acs_mca_do_new_authz(struct mca_req *r, struct mca_post *p)
{
	struct mca_authz *az;
	struct acs_ident id;
	char detail[512];
	const char *bad;
	char *loc = NULL;
	json_t *body;
	int aid, subdomain = 0;

	if (mca_mb(r->scn, MB_NO_NEWAUTHZ)) { /* profiles branch: letsencrypt has none */
		acs_mca_problem(r, 404, "malformed",
		                "this CA offers no pre-authorization (newAuthz)");
		return;
	}
	if (acs_mca_want_object(r, p) != 0)
		return;
	bad = acs_mca_ident_check(r, json_object_get(p->payload, "identifier"), &id, detail,
	                          sizeof(detail));
	if (bad != NULL) {
		acs_mca_problem(r, 400, bad, "%s", detail);
		return;
	}
	if (strncmp(id.value, "*.", 2) == 0) {
		acs_mca_problem(r, 400, "rejectedIdentifier",
		                "newAuthz cannot be used for wildcard names (section 7.4.1)");
		return;
	}
	/* RFC 9444 4.2: subdomainAuthAllowed in the identifier (with subdomain-auth) */
	if (acs_mca_subdomain_newauthz(r, json_object_get(p->payload, "identifier"), &subdomain) !=
	    0)
		return;
	aid = acs_mca_authz_make(r->scn, p->acct->id, &id, 0, 0);
	az = aid > 0 ? acs_mca_authz(r->scn, aid) : NULL;
	if (az == NULL) {
		acs_mca_problem(r, 500, "serverInternal", "cannot create the authorization");
		return;
	}
	az->subdomain = subdomain;
	loc = acs_mca_obj_url(r, "/authz/", az->id, az->rid, "");
	if (loc != NULL && !mca_mb(r->scn, MB_NEWAUTHZ_NO_LOCATION))
		(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
	free(loc);
	body = authz_json(r, az);
	acs_mca_resp_json(r, 201, body);
	json_decref(body);
}
