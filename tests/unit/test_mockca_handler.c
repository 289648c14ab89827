/*
 * The mock CA's request handler without sockets (mockserver/handler.h): one
 * request in, one response out, on a CA that binds nothing.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/err.h"
#include "harness/jwk.h"
#include "harness/jws.h"
#include "mockserver/handler.h"
#include "mockserver/mockca.h"

static struct acs_mockca *ca;

static int suite_init(void)
{
	struct acs_mockca_opts o;
	struct acs_err err;

	memset(&o, 0, sizeof(o));
	acs_err_clear(&err);
	if (acs_mca_offline_new(&ca, &o, &err) != 0)
		return -1;
	return acs_mockca_scenario_add(ca, "h", &err) != 0 ? -1 : 0;
}

static int suite_clean(void)
{
	acs_mockca_stop(ca);
	ca = NULL;
	return 0;
}

/* The first response header called name, or NULL. */
static const char *resp_header(const struct acs_mca_response *rs, const char *name)
{
	size_t i;

	for (i = 0; i < rs->nheaders; i++) {
		if (strcasecmp(rs->hname[i], name) == 0)
			return rs->hval[i];
	}
	return NULL;
}

static const struct acs_mca_header std_headers[] = {
    {"Host", "ca.test:4443"},
    {"User-Agent", "acmespec-unit/1"},
    {"Accept-Language", "en"},
    {"Content-Type", "application/jose+json"},
};

/* Send method path with body (may be NULL) and the standard headers. */
static int send_req(const char *method, const char *path, const char *body,
                    struct acs_mca_response *rs)
{
	struct acs_mca_request rq;

	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.scheme = "https";
	rq.path = path;
	rq.headers = std_headers;
	rq.nheaders = sizeof(std_headers) / sizeof(std_headers[0]);
	rq.body = body;
	rq.body_len = body != NULL ? strlen(body) : 0;
	return acs_mca_handle_request(ca, &rq, rs);
}

/* The problem type of a problem document body, checked to be one. */
static void assert_problem(const struct acs_mca_response *rs, unsigned int status, const char *type)
{
	json_t *doc;

	CU_ASSERT_EQUAL(rs->status, status);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs->content_type);
	CU_ASSERT_STRING_EQUAL(rs->content_type, "application/problem+json");
	doc = json_loadb(rs->body, rs->body_len, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(doc, "type")), type);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "status")), (json_int_t)status);
	json_decref(doc);
}

static void test_directory_get(void)
{
	struct acs_mca_response rs;
	json_t *dir;

	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h/directory", NULL, &rs), 0);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rs.content_type);
	CU_ASSERT_STRING_EQUAL(rs.content_type, "application/json");
	dir = json_loadb(rs.body, rs.body_len, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	/* URLs follow the Host the client used */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(dir, "newNonce")),
	                       "https://ca.test:4443/s/h/new-nonce");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(dir, "newAccount")),
	                       "https://ca.test:4443/s/h/new-account");
	/* like Boulder and Pebble: no nonce on a GET other than newNonce's */
	CU_ASSERT_PTR_NULL(resp_header(&rs, "Replay-Nonce"));
	CU_ASSERT_PTR_NULL(resp_header(&rs, "Link")); /* no rel="index" on the directory */
	json_decref(dir);
	acs_mca_response_clear(&rs);
	CU_ASSERT_PTR_NULL(rs.body);
	/* the variation nonce-on-get puts one there */
	CU_ASSERT_EQUAL_FATAL(acs_mockca_misbehave(ca, "h", "nonce-on-get", NULL), 0);
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h/directory", NULL, &rs), 0);
	CU_ASSERT_PTR_NOT_NULL(resp_header(&rs, "Replay-Nonce"));
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL(acs_mockca_misbehave_clear(ca, "h", NULL), 0);
}

static void test_new_nonce_head(void)
{
	struct acs_mca_response rs;
	const char *nonce, *cc, *link;

	CU_ASSERT_EQUAL_FATAL(send_req("HEAD", "/s/h/new-nonce", NULL, &rs), 0);
	CU_ASSERT_EQUAL(rs.status, 200);
	CU_ASSERT_EQUAL(rs.body_len, 0);
	CU_ASSERT_PTR_NULL(rs.content_type);
	nonce = resp_header(&rs, "Replay-Nonce");
	CU_ASSERT_PTR_NOT_NULL(nonce);
	CU_ASSERT_TRUE(nonce != NULL && strlen(nonce) == 22);
	cc = resp_header(&rs, "Cache-Control");
	CU_ASSERT_TRUE(cc != NULL && strcmp(cc, "no-store") == 0);
	link = resp_header(&rs, "Link");
	CU_ASSERT_TRUE(link != NULL &&
	               strcmp(link, "<https://ca.test:4443/s/h/directory>;rel=\"index\"") == 0);
	acs_mca_response_clear(&rs);

	/* GET newNonce: 204 (section 7.2) */
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h/new-nonce", NULL, &rs), 0);
	CU_ASSERT_EQUAL(rs.status, 204);
	acs_mca_response_clear(&rs);
}

static void test_malformed_jws(void)
{
	struct acs_mca_response rs;

	CU_ASSERT_EQUAL_FATAL(send_req("POST", "/s/h/new-account", "{\"protected\": 1", &rs), 0);
	assert_problem(&rs, 400, "urn:ietf:params:acme:error:malformed");
	/* section 6.5: errors carry a fresh nonce too */
	CU_ASSERT_PTR_NOT_NULL(resp_header(&rs, "Replay-Nonce"));
	acs_mca_response_clear(&rs);

	/* a body that is no JWS at all */
	CU_ASSERT_EQUAL_FATAL(send_req("POST", "/s/h/new-order", "not a jws", &rs), 0);
	assert_problem(&rs, 400, "urn:ietf:params:acme:error:malformed");
	acs_mca_response_clear(&rs);
}

static void test_unknown_paths(void)
{
	struct acs_mca_response rs;

	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h/no-such-resource", NULL, &rs), 0);
	assert_problem(&rs, 404, "urn:ietf:params:acme:error:malformed");
	acs_mca_response_clear(&rs);

	/* outside any scenario, and an unknown scenario (no auto_scenarios) */
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/directory", NULL, &rs), 0);
	assert_problem(&rs, 404, "urn:ietf:params:acme:error:malformed");
	CU_ASSERT_PTR_NULL(resp_header(&rs, "Replay-Nonce"));
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/nobody/directory", NULL, &rs), 0);
	assert_problem(&rs, 404, "urn:ietf:params:acme:error:malformed");
	acs_mca_response_clear(&rs);
}

/* RFC 9773: renewalInfo advertised, its GETs answered 400 or 404, a POST 405; gone with
 * no-renewal-info */
static void test_renewal_info(void)
{
	struct acs_mca_response rs;
	struct acs_err err;
	json_t *dir;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h/directory", NULL, &rs), 0);
	dir = json_loadb(rs.body, rs.body_len, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(dir, "renewalInfo")),
	                       "https://ca.test:4443/s/h/renewal-info");
	json_decref(dir);
	acs_mca_response_clear(&rs);
	/* malformed: no "."; well-formed but of no certificate: 404 */
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h/renewal-info/AAAA", NULL, &rs), 0);
	assert_problem(&rs, 400, "urn:ietf:params:acme:error:malformed");
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL_FATAL(
	    send_req("GET", "/s/h/renewal-info/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", NULL, &rs), 0);
	assert_problem(&rs, 404, "urn:ietf:params:acme:error:malformed");
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL_FATAL(send_req("POST", "/s/h/renewal-info/AAAA", "{}", &rs), 0);
	assert_problem(&rs, 405, "urn:ietf:params:acme:error:malformed");
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL_FATAL(acs_mockca_scenario_add(ca, "h-noari", &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_mockca_misbehave(ca, "h-noari", "no-renewal-info", &err), 0);
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h-noari/directory", NULL, &rs), 0);
	dir = json_loadb(rs.body, rs.body_len, 0, NULL);
	CU_ASSERT_PTR_NULL(json_object_get(dir, "renewalInfo"));
	json_decref(dir);
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "/s/h-noari/renewal-info/AAAA", NULL, &rs), 0);
	CU_ASSERT_EQUAL(rs.status, 404);
	acs_mca_response_clear(&rs);
}

static void test_too_big_and_log(void)
{
	struct acs_mca_request rq;
	struct acs_mca_response rs;
	size_t before = acs_mockca_request_count(ca, "h");
	json_t *log;

	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = "/s/h/new-order";
	rq.body_too_big = 1;
	CU_ASSERT_EQUAL_FATAL(acs_mca_handle_request(ca, &rq, &rs), 0);
	assert_problem(&rs, 413, "urn:ietf:params:acme:error:malformed");
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "h"), before + 1);
	/* every request is logged like one over HTTPS */
	log = acs_mockca_log(ca, "h");
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(
	                    json_array_get(log, json_array_size(log) - 1), "status")),
	                413);
	json_decref(log);
}

/* A fresh nonce from HEAD newNonce (new string), or NULL. */
static char *fresh_nonce(void)
{
	struct acs_mca_response rs;
	const char *n;
	char *out = NULL;

	if (send_req("HEAD", "/s/h/new-nonce", NULL, &rs) != 0)
		return NULL;
	n = resp_header(&rs, "Replay-Nonce");
	if (n != NULL)
		out = strdup(n);
	acs_mca_response_clear(&rs);
	return out;
}

/* POST payload to new-account signed with key (jwk) and nonce. */
static int post_new_account(const struct acs_key *key, const char *nonce,
                            struct acs_mca_response *rs)
{
	static const char payload[] = "{\"termsOfServiceAgreed\": true}";
	struct acs_err err;
	json_t *hdr;
	char *body;
	int rc;

	hdr = json_pack("{s:s, s:o, s:s, s:s}", "alg", acs_key_alg(key), "jwk", acs_jwk_public(key),
	                "nonce", nonce, "url", "https://ca.test:4443/s/h/new-account");
	body = acs_jws_sign(key, hdr, payload, strlen(payload), &err);
	json_decref(hdr);
	if (body == NULL)
		return -1;
	rc = send_req("POST", "/s/h/new-account", body, rs);
	free(body);
	return rc;
}

static void test_signed_new_account(void)
{
	struct acs_mca_response rs;
	struct acs_key *key = NULL;
	struct acs_err err;
	const char *loc;
	char *nonce;
	json_t *acct;

	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&key, ACS_KEY_EC256, &err), 0);
	nonce = fresh_nonce();
	CU_ASSERT_PTR_NOT_NULL_FATAL(nonce);
	CU_ASSERT_EQUAL_FATAL(post_new_account(key, nonce, &rs), 0);
	CU_ASSERT_EQUAL(rs.status, 201);
	loc = resp_header(&rs, "Location");
	CU_ASSERT_TRUE(loc != NULL && strncmp(loc, "https://ca.test:4443/s/h/acct/", 30) == 0);
	acct = json_loadb(rs.body, rs.body_len, 0, NULL);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(acct, "status")), "valid");
	json_decref(acct);
	acs_mca_response_clear(&rs);

	/* the same nonce again: badNonce (section 6.5) */
	CU_ASSERT_EQUAL_FATAL(post_new_account(key, nonce, &rs), 0);
	assert_problem(&rs, 400, "urn:ietf:params:acme:error:badNonce");
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "h", "client.8555.6_5.nonce-fresh"), 1);
	free(nonce);
	acs_key_free(key);
}

/*
 * RFC 9112 section 3.2.2: the absolute form of the request-target is
 * accepted, and its host (not Host) makes the URLs (hardening issue, D8).
 */
static void test_absolute_form(void)
{
	struct acs_mca_response rs;
	json_t *dir;

	CU_ASSERT_EQUAL_FATAL(send_req("GET", "https://127.0.0.1:4443/s/h/directory", NULL, &rs),
	                      0);
	CU_ASSERT_EQUAL(rs.status, 200);
	dir = json_loadb(rs.body, rs.body_len, 0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(dir, "newNonce")),
	                       "https://127.0.0.1:4443/s/h/new-nonce");
	json_decref(dir);
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL_FATAL(send_req("HEAD", "HTTPS://127.0.0.1:4443/s/h/new-nonce", NULL, &rs),
	                      0);
	CU_ASSERT_EQUAL(rs.status, 200);
	acs_mca_response_clear(&rs);
	/* an absolute form outside the scenarios is still a 404 */
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "https://127.0.0.1:4443/nowhere", NULL, &rs), 0);
	CU_ASSERT_EQUAL(rs.status, 404);
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL_FATAL(send_req("GET", "https://127.0.0.1:4443", NULL, &rs), 0);
	CU_ASSERT_EQUAL(rs.status, 404);
	acs_mca_response_clear(&rs);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mockca_handler", suite_init, suite_clean);

	CU_add_test(s, "directory_get", test_directory_get);
	CU_add_test(s, "absolute_form", test_absolute_form);
	CU_add_test(s, "new_nonce_head", test_new_nonce_head);
	CU_add_test(s, "malformed_jws", test_malformed_jws);
	CU_add_test(s, "unknown_paths", test_unknown_paths);
	CU_add_test(s, "renewal_info", test_renewal_info);
	CU_add_test(s, "too_big_and_log", test_too_big_and_log);
	CU_add_test(s, "signed_new_account", test_signed_new_account);
}
