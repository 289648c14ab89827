/*
 * The mock client engine's pieces that need no server: the one
 * misbehaviour table (every control the cases name resolves in it),
 * Retry-After and the wait policy, nonce vetting, problem types, the
 * key-change and EAB forms.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/b64url.h"
#include "harness/clock.h"
#include "harness/http.h"
#include "harness/json_util.h"
#include "harness/jwk.h"
#include "mockclient/acme.h"
#include "mockclient/forms.h"
#include "mockclient/misbehave.h"

/* ---- the table ---- */

static void test_table_shape(void)
{
	size_t n = 0, i, j, nclient = 0;
	const struct acs_misbehaviour *t = acs_misbehaviours(&n);

	CU_ASSERT_EQUAL(n, (size_t)ACS_MIS_COUNT + ACS_SW_COUNT);
	for (i = 0; i < n; i++) {
		CU_ASSERT_PTR_NOT_NULL(t[i].help);
		CU_ASSERT(t[i].help != NULL && t[i].help[0] != '\0');
		for (j = 0; j < i; j++)
			CU_ASSERT(strcmp(t[i].name, t[j].name) != 0);
		if (t[i].kind == ACS_MIS_KIND_CLIENT) {
			CU_ASSERT(t[i].id >= 0 && t[i].id < ACS_SW_COUNT);
			nclient++;
		} else {
			/* the request and inner entries lead, in enum order */
			CU_ASSERT_EQUAL(t[i].id, (int)i);
			CU_ASSERT_EQUAL(t[i].kind == ACS_MIS_KIND_INNER,
			                (ACS_MIS_BIT(t[i].id) & ACS_MIS_INNER_MASK) != 0);
		}
	}
	CU_ASSERT_EQUAL(nclient, (size_t)ACS_SW_COUNT);
}

static void test_table_lookup(void)
{
	const struct acs_misbehaviour *m;

	m = acs_misbehaviour_find("tight-poll");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->kind, ACS_MIS_KIND_CLIENT);
	CU_ASSERT_EQUAL(m->id, ACS_SW_TIGHT_POLL);
	m = acs_misbehaviour_find("csr-account-key");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->id, ACS_SW_CSR_ACCOUNT_KEY);
	m = acs_misbehaviour_find("nonce-reuse");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->kind, ACS_MIS_KIND_REQUEST);
	CU_ASSERT_EQUAL(m->id, ACS_MIS_NONCE_REUSE);
	m = acs_misbehaviour_find("inner-kid");
	CU_ASSERT_PTR_NOT_NULL_FATAL(m);
	CU_ASSERT_EQUAL(m->kind, ACS_MIS_KIND_INNER);
	CU_ASSERT_PTR_NULL(acs_misbehaviour_find("nope"));
	CU_ASSERT_PTR_NULL(acs_misbehaviour_find(NULL));
	/* server-case steps take request and inner names only */
	CU_ASSERT_EQUAL(acs_mis_parse("tight-poll"), -1);
	CU_ASSERT_EQUAL(acs_mis_parse("inner-kid"), ACS_MIS_INNER_KID);
	CU_ASSERT_PTR_NULL(acs_mis_names()[ACS_MIS_COUNT]);
	CU_ASSERT_STRING_EQUAL(acs_mis_names()[ACS_MIS_URL_OMIT], "url-omit");
}

/* A name a client case or request check names as its control must be in the table. */
static void check_controls(const json_t *control, const char *where)
{
	size_t i;
	json_t *v;

	if (json_is_string(control)) {
		if (acs_misbehaviour_find(json_string_value(control)) == NULL)
			fprintf(stderr, "%s: control \"%s\" is not a mock-client misbehaviour\n",
			        where, json_string_value(control));
		CU_ASSERT_PTR_NOT_NULL(acs_misbehaviour_find(json_string_value(control)));
		return;
	}
	json_array_foreach(control, i, v) check_controls(v, where);
}

static void test_table_names_cases(void)
{
	const char *src = getenv("ACMESPEC_SOURCE_DIR");
	char path[4096];
	json_t *checks = NULL, *c;
	struct acs_err err;
	size_t i, n = 0;
	FILE *ls;

	acs_err_clear(&err);
	if (src == NULL)
		src = ".";
	(void)snprintf(path, sizeof(path), "%s/cases/client-checks.json", src);
	CU_ASSERT_EQUAL_FATAL(acs_json_load_object(path, "checks", &checks, &err), 0);
	json_array_foreach(json_object_get(checks, "checks"), i, c)
	{
		check_controls(json_object_get(c, "control"), path);
		n++;
	}
	json_decref(checks);
	CU_ASSERT(n > 0);
	(void)snprintf(path, sizeof(path), "ls %s/cases/client/*.json", src);
	ls = popen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ls);
	n = 0;
	while (fgets(path, sizeof(path), ls) != NULL) {
		json_t *cs = NULL;

		path[strcspn(path, "\n")] = '\0';
		if (acs_json_load_object(path, "case", &cs, &err) != 0)
			continue;
		if (json_object_get(cs, "control") != NULL) {
			check_controls(json_object_get(cs, "control"), path);
			n++;
		}
		json_decref(cs);
	}
	(void)pclose(ls);
	CU_ASSERT(n > 0);
}

/* ---- responses without a server ---- */

static struct acs_acme_resp *fake_resp(long status, const char *hname, const char *hvalue,
                                       const char *body)
{
	struct acs_acme_resp *r = calloc(1, sizeof(*r));

	r->http = calloc(1, sizeof(*r->http));
	r->http->status = status;
	if (hname != NULL) {
		r->http->headers = calloc(1, sizeof(*r->http->headers));
		r->http->headers[0].name = strdup(hname);
		r->http->headers[0].value = strdup(hvalue);
		r->http->nheaders = 1;
	}
	r->http->body = strdup(body != NULL ? body : "");
	r->http->body_len = strlen(r->http->body);
	if (body != NULL)
		r->json = json_loads(body, 0, NULL);
	return r;
}

static void test_retry_after(void)
{
	struct acs_acme_resp *r;
	char date[64];
	time_t t = time(NULL) + 30;
	struct tm tm;
	long ms;

	r = fake_resp(503, "Retry-After", "7", NULL);
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(r), 7000);
	acs_acme_resp_free(r);
	r = fake_resp(503, "Retry-After", "999999", NULL);
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(r), 86400L * 1000);
	acs_acme_resp_free(r);
	r = fake_resp(503, "Retry-After", "soon", NULL);
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(r), -1);
	acs_acme_resp_free(r);
	r = fake_resp(200, NULL, NULL, NULL);
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(r), -1);
	acs_acme_resp_free(r);
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(NULL), -1);
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	r = fake_resp(429, "Retry-After", date, NULL);
	ms = acs_acme_retry_after_ms(r);
	CU_ASSERT(ms >= 28000 && ms <= 30000);
	acs_acme_resp_free(r);
	t -= 60;
	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	r = fake_resp(429, "Retry-After", date, NULL);
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(r), 0);
	acs_acme_resp_free(r);
}

static void test_wait_policy(void)
{
	struct acs_acme_resp *r = fake_resp(200, "Retry-After", "3", NULL);
	struct acs_acme_wait client = {-1, 1000, 0, 0}, tight = {0, 1000, 0, 0};
	struct acs_acme_wait server = {-1, 1000, 100, 1};
	double now = acs_clock_mono();

	CU_ASSERT_EQUAL(acs_acme_wait_ms(r, &client, now + 60), 3000);
	CU_ASSERT_EQUAL(acs_acme_wait_ms(NULL, &client, now + 60), 1000);
	CU_ASSERT_EQUAL(acs_acme_wait_ms(r, &tight, now + 60), 0);
	/* past the deadline: the client gives up, the server cases wait what is left */
	CU_ASSERT_EQUAL(acs_acme_wait_ms(r, &client, now + 1), -1);
	CU_ASSERT(acs_acme_wait_ms(r, &server, now + 1) <= 1000);
	CU_ASSERT(acs_acme_wait_ms(r, &server, now + 1) >= 100);
	CU_ASSERT_EQUAL(acs_acme_wait_ms(r, &server, now - 1), -1);
	acs_acme_resp_free(r);
}

static void test_problem_is(void)
{
	struct acs_acme_resp *r =
	    fake_resp(400, NULL, NULL, "{\"type\":\"urn:ietf:params:acme:error:badNonce\"}");
	struct acs_acme_resp *v1 =
	    fake_resp(400, NULL, NULL, "{\"type\":\"urn:acme:error:badNonce\"}");

	CU_ASSERT_TRUE(acs_acme_problem_is(r, "badNonce", 0));
	CU_ASSERT_TRUE(acs_acme_problem_is(r, "badNonce", 1));
	CU_ASSERT_FALSE(acs_acme_problem_is(r, "Nonce", 1));
	CU_ASSERT_FALSE(acs_acme_problem_is(v1, "badNonce", 0));
	CU_ASSERT_TRUE(acs_acme_problem_is(v1, "badNonce", 1));
	CU_ASSERT_FALSE(acs_acme_problem_is(NULL, "badNonce", 1));
	acs_acme_resp_free(r);
	acs_acme_resp_free(v1);
}

static struct acs_acme_session *offline_session(void)
{
	struct acs_acme_session_opts so;
	struct acs_acme_session *s = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	memset(&so, 0, sizeof(so));
	so.directory_url = "https://127.0.0.1:1/directory";
	so.timeout_ms = 1000;
	CU_ASSERT_EQUAL(acs_acme_session_new(&s, &so, &err), 0);
	return s;
}

static void test_vet_nonce(void)
{
	struct acs_acme_session *s = offline_session();

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(acs_acme_vet_nonce(s), 0); /* nothing cached */
	s->nonce = strdup("a+b/=");
	CU_ASSERT_EQUAL(acs_acme_vet_nonce(s), 1);
	CU_ASSERT_PTR_NULL(s->nonce);
	s->nonce = strdup("oFvnlFP1wIhRlYS2jTaXbA");
	CU_ASSERT_EQUAL(acs_acme_vet_nonce(s), 0);
	CU_ASSERT_STRING_EQUAL(s->nonce, "oFvnlFP1wIhRlYS2jTaXbA");
	acs_acme_session_free(s);
}

/* ---- forms ---- */

/* The protected header and payload of a flattened JWS text, decoded. */
static json_t *jws_part(const json_t *jws, const char *member)
{
	const char *v = json_string_value(json_object_get(jws, member));
	unsigned char *dec = NULL;
	size_t len = 0;
	json_t *out;

	if (v == NULL || acs_b64url_decode(v, strlen(v), &dec, &len, NULL) != 0)
		return NULL;
	out = json_loadb((const char *)dec, len, 0, NULL);
	free(dec);
	return out;
}

static void test_keychange_inner(void)
{
	struct acs_key *nk = NULL, *ok = NULL;
	struct acs_acme_keychange k;
	struct acs_err err;
	json_t *jws, *hdr, *pl;
	char *inner;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&nk, ACS_KEY_EC256, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&ok, ACS_KEY_EC256, &err), 0);
	memset(&k, 0, sizeof(k));
	k.url = "https://ca.test/key-change";
	k.account_url = "https://ca.test/acct/1";
	k.new_key = nk;
	k.old_key = ok;
	k.other_url = "https://ca.test/new-nonce";
	inner = acs_acme_keychange_inner(&k, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inner);
	jws = json_loads(inner, 0, NULL);
	hdr = jws_part(jws, "protected");
	pl = jws_part(jws, "payload");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "url")), k.url);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(hdr, "jwk"));
	CU_ASSERT_PTR_NULL(json_object_get(hdr, "nonce"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pl, "account")), k.account_url);
	json_decref(jws);
	json_decref(hdr);
	json_decref(pl);
	free(inner);

	k.mis = ACS_MIS_BIT(ACS_MIS_INNER_URL_MISMATCH) | ACS_MIS_BIT(ACS_MIS_INNER_KID) |
	        ACS_MIS_BIT(ACS_MIS_INNER_ACCOUNT_WRONG);
	k.with_nonce = 1;
	inner = acs_acme_keychange_inner(&k, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inner);
	jws = json_loads(inner, 0, NULL);
	hdr = jws_part(jws, "protected");
	pl = jws_part(jws, "payload");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "url")), k.other_url);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "kid")), k.account_url);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(hdr, "nonce"));
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(pl, "account")),
	                       "https://ca.test/acct/10");
	json_decref(jws);
	json_decref(hdr);
	json_decref(pl);
	free(inner);

	k.mis = ACS_MIS_BIT(ACS_MIS_INNER_NOT_JWS);
	k.with_nonce = 0;
	inner = acs_acme_keychange_inner(&k, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(inner);
	jws = json_loads(inner, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(jws, "oldKey"));
	json_decref(jws);
	free(inner);
	acs_key_free(nk);
	acs_key_free(ok);
}

static void test_eab(void)
{
	static const unsigned char mac[] = "0123456789abcdef0123456789abcdef";
	struct acs_key *key = NULL;
	struct acs_acme_eab e;
	struct acs_err err;
	json_t *eab, *hdr, *pl, *jwk;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&key, ACS_KEY_EC256, &err), 0);
	memset(&e, 0, sizeof(e));
	e.kid = "kid-1";
	e.mac = mac;
	e.mac_len = 32;
	e.url = "https://ca.test/new-account";
	e.acct_key = key;
	eab = acs_acme_eab_make(&e, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(eab);
	hdr = jws_part(eab, "protected");
	pl = jws_part(eab, "payload");
	jwk = acs_jwk_public(key);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "alg")), "HS256");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "kid")), "kid-1");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "url")), e.url);
	CU_ASSERT_PTR_NULL(json_object_get(hdr, "nonce"));
	CU_ASSERT_TRUE(json_equal(pl, jwk));
	json_decref(eab);
	json_decref(hdr);
	json_decref(pl);

	e.alg = "ES256";
	e.nonce = "AAAA";
	e.other_key = 1;
	eab = acs_acme_eab_make(&e, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(eab);
	hdr = jws_part(eab, "protected");
	pl = jws_part(eab, "payload");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "alg")), "ES256");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(hdr, "nonce")), "AAAA");
	CU_ASSERT_FALSE(json_equal(pl, jwk));
	json_decref(eab);
	json_decref(hdr);
	json_decref(pl);
	json_decref(jwk);
	acs_key_free(key);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mcengine", NULL, NULL);

	CU_add_test(s, "table_shape", test_table_shape);
	CU_add_test(s, "table_lookup", test_table_lookup);
	CU_add_test(s, "table_names_cases", test_table_names_cases);
	CU_add_test(s, "retry_after", test_retry_after);
	CU_add_test(s, "wait_policy", test_wait_policy);
	CU_add_test(s, "problem_is", test_problem_is);
	CU_add_test(s, "vet_nonce", test_vet_nonce);
	CU_add_test(s, "keychange_inner", test_keychange_inner);
	CU_add_test(s, "eab", test_eab);
}
