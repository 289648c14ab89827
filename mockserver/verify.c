/*
 * The request checks of section 6, one named step each, in the order a
 * real CA applies them: the nonce is consumed before the url is compared,
 * and the scripted faults fire only after the nonce was consumed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/b64url.h"
#include "mockserver/req.h"
#include "mockserver/store.h"
#include "mockserver/verify.h"

static const char *const allowed_algs[] = {"RS256", "ES256", "ES384", "ES512", "EdDSA"};

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
void acs_mca_bad_alg(struct mca_req *r, const char *detail)
{
	json_t *obj, *algs;
	size_t i;

	if (mca_mb(r->scn, MB_ALG_MALFORMED)) {
		acs_mca_problem(r, 400, "malformed", "%s", detail);
		return;
	}
	obj = acs_mca_problem_obj(r, 400, "badSignatureAlgorithm", detail);
	if (!mca_mb(r->scn, MB_ALG_NO_LIST)) {
		algs = json_array();
		for (i = 0; i < sizeof(allowed_algs) / sizeof(allowed_algs[0]); i++) {
			if (alg_allowed(r->scn, allowed_algs[i]))
				json_array_append_new(algs, json_string(allowed_algs[i]));
		}
		json_object_set_new(obj, "algorithms", algs);
	}
	acs_mca_send_problem_obj(r, 400, "badSignatureAlgorithm", obj);
	json_decref(obj);
}

void acs_mca_post_clear(struct mca_post *p)
{
	acs_jws_free(p->jws);
	if (p->key_owned)
		acs_key_free(p->key);
	json_decref(p->payload);
	memset(p, 0, sizeof(*p));
}

static int b64_member_padded(const json_t *o, const char *name)
{
	const char *v = json_string_value(json_object_get(o, name));

	return v != NULL && strchr(v, '=') != NULL;
}

/* The expected alg for a key, with ES512 for P-521 the shared code may not name. */
int acs_mca_alg_fits_key(const char *alg, const struct acs_key *key)
{
	const char *want = acs_key_alg(key);

	return want != NULL && strcmp(alg, want) == 0;
}

static struct mca_account *acct_by_kid(struct mca_req *r, const char *kid)
{
	const char *rest = NULL;
	size_t sl = strlen(r->sbase);
	int id;

	if (strncmp(kid, r->sbase, sl) != 0 || strncmp(kid + sl, "/acct/", 6) != 0)
		return NULL;
	id = acs_mca_parse_ref(r->scn, EP_ACCOUNT, kid + sl + 6, &rest);
	if (id < 0 || *rest != '\0')
		return NULL;
	return acs_mca_acct(r->scn, id);
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

/* The Content-Type must be application/jose+json (section 6.2). */
static int check_content_type(struct mca_req *r)
{
	const char *ct = acs_mca_req_header(r, "Content-Type");
	size_t ctl = ct != NULL ? strcspn(ct, ";") : 0;

	while (ct != NULL && ctl > 0 && ct[ctl - 1] == ' ')
		ctl--;
	if (ct != NULL && ctl == strlen("application/jose+json") &&
	    strncasecmp(ct, "application/jose+json", ctl) == 0)
		return 0;
	acs_mca_check(r, CK_CONTENT_TYPE, "Content-Type is %s", ct != NULL ? ct : "absent");
	if (mca_mb(r->scn, MB_CT_UNCHECKED))
		return 0;
	r->resp.problem = "malformed";
	acs_mca_problem(r, 415, "malformed", "Content-Type must be application/jose+json, got %s",
	                ct != NULL ? ct : "none");
	return -1;
}

/* The protected header and the payload into the log entry. */
static void log_jws(struct mca_req *r, const struct acs_jws *jws)
{
	json_object_set(r->logent, "jws", json_pack("{s:O}", "protected", jws->protected_hdr));
	json_decref(json_object_get(r->logent, "jws"));
	if (jws->payload != NULL) {
		json_t *pl = json_loadb((const char *)jws->payload, jws->payload_len, 0, NULL);

		json_object_set_new(json_object_get(r->logent, "jws"), "payload",
		                    pl != NULL ? pl
		                               : json_stringn_nocheck((const char *)jws->payload,
		                                                      jws->payload_len));
	}
}

/* Parse the body as a JWS (a lax CA's way when a misbehaviour says so). */
static int parse_jws(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	struct acs_err err;
	json_t *raw;
	int rc = -1;

	acs_err_clear(&err);
	if (r->body_len == 0) {
		acs_mca_problem(r, 400, "malformed", "request has no body");
		return -1;
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
	log_jws(r, p->jws);
	rc = 0;
out:
	json_decref(raw);
	return rc;
}

/* Flattened serialization, no unprotected header, a payload, no b64/crit (section 6.2). */
static int check_form(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	const json_t *b64, *crit;

	if (p->jws->form != ACS_JWS_FLATTENED) {
		acs_mca_check(r, CK_FLATTENED, "JWS in %s serialization",
		              p->jws->form == ACS_JWS_COMPACT ? "compact" : "general");
		if (p->jws->nsignatures > 1)
			acs_mca_check(r, CK_ONE_SIGNATURE, "%d signatures", p->jws->nsignatures);
		if (!mca_mb(s, MB_FORM_LAX)) {
			acs_mca_problem(r, 400, "malformed",
			                "JWS must use the flattened JSON serialization");
			return -1;
		}
	}
	if (p->jws->has_unprotected_header) {
		acs_mca_check(r, CK_NO_UNPROTECTED, "JWS has an unprotected header");
		if (!mca_mb(s, MB_FORM_LAX)) {
			acs_mca_problem(r, 400, "malformed",
			                "JWS must not have an unprotected header");
			return -1;
		}
	}
	if (p->jws->payload_b64 == NULL) {
		acs_mca_check(r, CK_PAYLOAD_PRESENT, "JWS has no payload member");
		if (!mca_mb(s, MB_DETACHED_PAYLOAD_OK)) {
			acs_mca_problem(r, mca_mb(s, MB_PAYLOAD_OMITTED_403) ? 403 : 400,
			                mca_mb(s, MB_PAYLOAD_OMITTED_403) ? "unauthorized"
			                                                  : "malformed",
			                "JWS has no payload member");
			return -1;
		}
		/* taken as the empty payload: a POST-as-GET */
		p->jws->payload_b64 = strdup("");
		if (p->jws->payload_b64 == NULL) {
			acs_mca_problem(r, 500, "serverInternal", "out of memory");
			return -1;
		}
	}
	b64 = json_object_get(p->jws->protected_hdr, "b64");
	crit = json_object_get(p->jws->protected_hdr, "crit");
	if ((b64 != NULL || crit != NULL) &&
	    !(json_is_false(b64) && mca_mb(s, MB_UNENCODED_PAYLOAD_OK))) {
		acs_mca_check(r, CK_NO_B64_FALSE, "protected header has %s",
		              b64 != NULL ? "b64" : "crit");
		acs_mca_problem(r, 400, "malformed",
		                "unencoded payloads (b64, crit) are not allowed");
		return -1;
	}
	return 0;
}

/* An alg, asymmetric, and one the scenario accepts; *alg borrowed from the JWS. */
static int check_alg(struct mca_req *r, struct mca_post *p, const char **alg)
{
	char d[128];

	*alg = acs_jws_header_str(p->jws, "alg");
	if (*alg == NULL) {
		acs_mca_check(r, CK_PROTECTED_FIELDS, "protected header has no alg");
		acs_mca_problem(r, 400, "malformed", "protected header has no alg");
		return -1;
	}
	if (mca_mb(r->scn, MB_SIG_UNCHECKED))
		return 0;
	if (strcmp(*alg, "none") == 0 || strncmp(*alg, "HS", 2) == 0) {
		acs_mca_check(r, CK_ALG_ASYMMETRIC, "alg is %s", *alg);
		acs_mca_bad_alg(r, "alg none and MAC algorithms are not allowed");
		return -1;
	}
	if (!alg_allowed(r->scn, *alg)) {
		(void)snprintf(d, sizeof(d), "alg %.64s is not supported", *alg);
		acs_mca_bad_alg(r, d);
		return -1;
	}
	return 0;
}

/* jwk xor kid, and the one this resource wants (section 6.2). */
static int check_key_source(struct mca_req *r, enum keysrc ks, const json_t *jwk,
                            const json_t *kidv)
{
	int lax = mca_mb(r->scn, MB_KEY_SOURCE_LAX);

	if (jwk != NULL && kidv != NULL) {
		acs_mca_check(r, CK_JWK_XOR_KID, "protected header has both jwk and kid");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "jwk and kid are mutually exclusive");
			return -1;
		}
	}
	if (jwk == NULL && kidv == NULL) {
		acs_mca_check(r, CK_PROTECTED_FIELDS, "protected header has neither jwk nor kid");
		acs_mca_problem(r, 400, "malformed", "protected header has neither jwk nor kid");
		return -1;
	}
	if (ks == KS_JWK && jwk == NULL) {
		acs_mca_check(r, CK_JWK_WHERE_REQUIRED, "kid used where jwk is required");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "this resource requires a jwk");
			return -1;
		}
	}
	if (ks == KS_KID && kidv == NULL) {
		acs_mca_check(r, CK_KID_WHERE_REQUIRED, "jwk used where kid is required");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "this resource requires a kid");
			return -1;
		}
	}
	return 0;
}

/* The account a kid names, and its key (section 6.2). */
static int key_from_kid(struct mca_req *r, const json_t *kidv, struct mca_post *p)
{
	const char *kid = json_string_value(kidv);
	struct acs_err err;

	if (kid == NULL) {
		acs_mca_problem(r, 400, "malformed", "kid is not a string");
		return -1;
	}
	p->acct = acct_by_kid(r, kid);
	if (p->acct == NULL) {
		/* hostile-location-off-host gave this URL as the account's: the CA's fault */
		if (!(mca_mb(r->scn, MB_HOSTILE_LOCATION_OFF_HOST) &&
		      strncmp(kid, ACS_MCA_OFF_HOST "/", sizeof(ACS_MCA_OFF_HOST)) == 0))
			acs_mca_check(r, CK_KID_IS_ACCOUNT_URL, "kid %.200s is not an account URL",
			              kid);
		if (mca_mb(r->scn, MB_KID_UNKNOWN_500))
			acs_mca_problem(r, 500, "serverInternal", "account lookup failed");
		else
			acs_mca_problem(r, 400, "accountDoesNotExist", "no account at %.200s", kid);
		return -1;
	}
	p->key = p->acct->key;
	/* keychange-keeps-old-key: the key before the last change still signs */
	if (p->acct->old_key != NULL && mca_mb(r->scn, MB_KEYCHANGE_KEEPS_OLD_KEY) &&
	    acs_jws_verify(p->jws, p->acct->key, &err) != 0 &&
	    acs_jws_verify(p->jws, p->acct->old_key, &err) == 0)
		p->key = p->acct->old_key;
	return 0;
}

/* The verifying key, from the kid's account or the jwk, and the signer's account. */
static int find_key(struct mca_req *r, enum keysrc ks, struct mca_post *p)
{
	json_t *jwk = json_object_get(p->jws->protected_hdr, "jwk");
	json_t *kidv = json_object_get(p->jws->protected_hdr, "kid");
	struct acs_err err;

	if (check_key_source(r, ks, jwk, kidv) != 0)
		return -1;
	if (kidv != NULL && (jwk == NULL || ks != KS_JWK))
		return key_from_kid(r, kidv, p);
	acs_err_clear(&err);
	if (acs_jwk_import(jwk, 0, &p->key, &err) != 0) {
		acs_mca_problem(r, 400, "badPublicKey", "%s", err.msg);
		return -1;
	}
	p->key_owned = 1;
	p->jwk = jwk;
	p->acct = acs_mca_acct_by_key(r->scn, p->key);
	return 0;
}

/* alg fits the key, and the signature verifies (section 6.2). */
static int check_signature(struct mca_req *r, struct mca_post *p, const char *alg)
{
	struct acs_err err;
	char d[160];

	if (mca_mb(r->scn, MB_SIG_UNCHECKED))
		return 0;
	acs_err_clear(&err);
	if (!acs_mca_alg_fits_key(alg, p->key)) {
		acs_mca_check(r, CK_ALG_MATCHES_KEY, "alg %s does not fit the %s key", alg,
		              acs_key_alg(p->key));
		(void)snprintf(d, sizeof(d), "alg %.32s does not match the key (%s)", alg,
		               acs_key_alg(p->key));
		acs_mca_bad_alg(r, d);
		return -1;
	}
	if (acs_jws_verify(p->jws, p->key, &err) != 0) {
		acs_mca_check(r, CK_SIGNATURE_VERIFIES, "%s", err.msg);
		acs_mca_problem(r, 400, "malformed", "JWS signature does not verify: %s", err.msg);
		return -1;
	}
	return 0;
}

/* The nonce (section 6.5): present, base64url, issued and unused; consumed here. */
static int check_nonce(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	const char *nonce = acs_jws_header_str(p->jws, "nonce");
	int nrc;

	if (mca_mb(s, MB_NONCE_UNCHECKED))
		return 0;
	if (nonce == NULL) {
		acs_mca_check(r, CK_NONCE_PRESENT, "protected header has no nonce");
		acs_mca_problem(r, 400, "badNonce", "protected header has no nonce");
		return -1;
	}
	if (!acs_b64url_valid(nonce, strlen(nonce))) {
		acs_mca_check(r, CK_NONCE_B64URL, "nonce %.80s is not base64url", nonce);
		acs_mca_problem(r, 400, "badNonce", "nonce is not base64url");
		return -1;
	}
	nrc = acs_nonce_consume(s->nonces, nonce, mca_mb(s, MB_NONCE_REUSE_OK));
	if (nrc != 0) {
		acs_mca_check(r, CK_NONCE_FRESH, "nonce %.80s %s", nonce,
		              nrc == ACS_E_STATE ? "was already used" : "was never issued");
		acs_mca_problem(r, 400, "badNonce", "nonce %s",
		                nrc == ACS_E_STATE ? "was already used" : "is unknown or expired");
		return -1;
	}
	return 0;
}

/* ACME v1 bound a request to its endpoint with a payload field "resource" (issue 7 item 9). */
static void check_v1_resource(struct mca_req *r, const struct mca_post *p)
{
	json_t *pl;

	if (p->jws->payload_len == 0)
		return;
	pl = json_loadb((const char *)p->jws->payload, p->jws->payload_len, 0, NULL);
	if (json_is_object(pl) && json_object_get(pl, "resource") != NULL)
		acs_mca_check(r, CK_V1_RESOURCE, "payload carries ACME v1's \"resource\": %.60s",
		              json_is_string(json_object_get(pl, "resource"))
		                  ? json_string_value(json_object_get(pl, "resource"))
		                  : "(not a string)");
	json_decref(pl);
}

/* The url header is present and equals the request URL (section 6.4). */
static int check_url(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	const char *url = acs_jws_header_str(p->jws, "url");

	check_v1_resource(r, p);
	if (url == NULL) {
		acs_mca_check(r, CK_URL_PRESENT, "protected header has no url string");
		if (!mca_mb(s, MB_URL_UNCHECKED)) {
			acs_mca_problem(r, 400, "malformed", "protected header has no url");
			return -1;
		}
		return 0;
	}
	if (strcmp(url, r->url) == 0 ||
	    (mca_mb(s, MB_URL_HOST_CASE) && url_equal_but_host_case(url, r->url)))
		return 0;
	acs_mca_check(r, CK_URL_MATCHES, "url %.200s differs from the request URL %.200s", url,
	              r->url);
	if (mca_mb(s, MB_URL_MALFORMED)) {
		acs_mca_problem(r, 400, "malformed", "url header does not match the request URL");
		return -1;
	}
	if (!mca_mb(s, MB_URL_UNCHECKED)) {
		/* section 6.4: reject the request as unauthorized */
		acs_mca_problem(r, 401, "unauthorized",
		                "url header %.200s does not match the request URL %.200s", url,
		                r->url);
		return -1;
	}
	return 0;
}

/* The signer's account is not deactivated (section 7.3.6), and the payload is JSON. */
static int check_signer_and_payload(struct mca_req *r, enum keysrc ks, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;

	if (p->acct != NULL && p->acct->status == ST_DEACTIVATED && ks != KS_JWK &&
	    !(r->endpoint == EP_KEYCHANGE && mca_mb(s, MB_KEYCHANGE_DEACTIVATED_OK))) {
		acs_mca_problem(r, mca_mb(s, MB_DEACTIVATED_403) ? 403 : 401, "unauthorized",
		                "account is deactivated");
		return -1;
	}
	if (p->jws->payload_len == 0) {
		p->post_as_get = 1;
		return 0;
	}
	p->payload = json_loadb((const char *)p->jws->payload, p->jws->payload_len, 0, NULL);
	if (p->payload == NULL && mca_mb(s, MB_NON_JSON_PAYLOAD_OK))
		p->payload = json_object();
	if (p->payload == NULL) {
		acs_mca_problem(r, 400, "malformed", "payload is not JSON");
		return -1;
	}
	return 0;
}

/* Scripted faults (bad-nonce, rate-limited, unavailable), after the nonce was consumed. */
static int scripted_faults(struct mca_req *r)
{
	if (acs_mca_fault_fires(r, MB_BAD_NONCE)) {
		acs_mca_problem(r, 400, "badNonce", "nonce rejected (scripted)");
		return -1;
	}
	if (acs_mca_fault_fires(r, MB_RATE_LIMITED)) {
		acs_mca_problem(r, 429, "rateLimited",
		                "rate limit reached (scripted), retry after 1 s");
		acs_mca_retry_after(r);
		return -1;
	}
	if (acs_mca_fault_fires(r, MB_UNAVAILABLE)) {
		acs_mca_problem(r, 503, "serverInternal",
		                "service unavailable (scripted), retry after 1 s");
		acs_mca_retry_after(r);
		return -1;
	}
	return 0;
}

int acs_mca_verify_post(struct mca_req *r, enum keysrc ks, struct mca_post *p)
{
	const char *alg = NULL;

	if (check_content_type(r) != 0 || parse_jws(r, p) != 0 || check_form(r, p) != 0 ||
	    check_alg(r, p, &alg) != 0 || find_key(r, ks, p) != 0 ||
	    check_signature(r, p, alg) != 0 || check_nonce(r, p) != 0 || check_url(r, p) != 0 ||
	    check_signer_and_payload(r, ks, p) != 0 || scripted_faults(r) != 0)
		return -1;
	return 0;
}

/* For resources read by POST-as-GET: the payload must be "" (section 6.3). */
int acs_mca_want_post_as_get(struct mca_req *r, struct mca_post *p)
{
	if (p->post_as_get)
		return 0;
	acs_mca_check(r, CK_POST_AS_GET_EMPTY, "payload of a POST-as-GET is not empty");
	if (mca_mb(r->scn, MB_POSTASGET_LAX))
		return 0;
	acs_mca_problem(r, 400, "malformed", "POST-as-GET requests must have an empty payload");
	return -1;
}

int acs_mca_want_object(struct mca_req *r, struct mca_post *p)
{
	if (p->payload != NULL && json_is_object(p->payload))
		return 0;
	acs_mca_problem(r, 400, "malformed", "payload must be a JSON object");
	return -1;
}

/* The signer must be the owner (acct id); else 403 unauthorized. */
int acs_mca_want_owner(struct mca_req *r, struct mca_post *p, int owner)
{
	if (p->acct != NULL && (p->acct->id == owner || mca_mb(r->scn, MB_OWNER_UNCHECKED)))
		return 0;
	acs_mca_problem(r, 403, "unauthorized", "the resource belongs to another account");
	return -1;
}
