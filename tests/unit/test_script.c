/*
 * Unit tests for the server-side case interpreter and the mock client's
 * request builder, all offline: static validation of good and bad steps
 * (tests/data/script/), interpolation, the misbehaviour table, JWS
 * assembly with misbehaviours, and Retry-After parsing.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/http.h"
#include "harness/jwk.h"
#include "harness/jws.h"
#include "mockclient/acme.h"
#include "mockclient/misbehave.h"
#include "mockclient/script.h"
#include "mockclient/script_int.h"

static const char *source_dir(void)
{
	const char *d = getenv("ACMESPEC_SOURCE_DIR");

	return d != NULL ? d : ".";
}

/* Load a fixture and validate it; returns the rc, message in err. */
static int validate_fixture(const char *name, struct acs_err *err)
{
	char path[1024];
	struct acs_case c;
	int rc;

	memset(&c, 0, sizeof(c));
	snprintf(path, sizeof(path), "%s/tests/data/script/%s.json", source_dir(), name);
	rc = acs_case_load_file(&c, path, "server", err);
	if (rc != 0)
		return 1000 + rc; /* the loader refused: a broken fixture, not a validation */
	rc = acs_script_validate(&c, err);
	acs_case_clear(&c);
	return rc;
}

/* A case made in memory from step JSON text. */
static int validate_steps(const char *steps_json, struct acs_err *err)
{
	struct acs_case c;
	json_t *steps = json_loads(steps_json, 0, NULL);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(steps);
	memset(&c, 0, sizeof(c));
	c.body = json_pack("{s:o}", "steps", steps);
	rc = acs_script_validate(&c, err);
	json_decref(c.body);
	return rc;
}

static void test_good_fixture(void)
{
	struct acs_err err;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL(validate_fixture("good-flow", &err), 0);
	if (err.msg[0] != '\0')
		fprintf(stderr, "good-flow: %s\n", err.msg);
}

static void test_bad_fixtures(void)
{
	static const struct {
		const char *name;
		const char *msg;
	} bad[] = {
	    {"bad-action", "step 1 (new-acount): unknown action \"new-acount\""},
	    {"bad-arg", "step 1 (new-order): unknown argument \"identifier\""},
	    {"bad-misbehaviour", "step 1 (new-order): unknown misbehaviour \"nonce-reuse2\""},
	    {"bad-matcher", "step 1 (new-order): expect.body \"/status\""},
	    {"bad-expect-key", "step 1 (new-order): expect: unknown key \"stauts\""},
	    {"bad-type", "step 1 (collect-nonces): argument \"count\": expected an integer"},
	    {"bad-variable", "step 1 (new-order): unknown variable {domian}"},
	    {"bad-choice", "step 1 (finalize): argument \"csr\": unknown value \"weird\""},
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct acs_err err;
		int rc;

		acs_err_clear(&err);
		rc = validate_fixture(bad[i].name, &err);
		CU_ASSERT(rc < 0);
		CU_ASSERT(rc < 1000); /* the fixture loaded */
		if (strncmp(err.msg, bad[i].msg, strlen(bad[i].msg)) != 0) {
			fprintf(stderr, "%s: got \"%s\"\n", bad[i].name, err.msg);
			CU_FAIL("message does not start as expected");
		}
	}
}

static void test_inline_validation(void)
{
	static const struct {
		const char *steps;
		int ok;
		const char *msg;
	} t[] = {
	    {"[{\"do\":\"directory\"}]", 1, NULL},
	    {"[]", 0, "field \"steps\""},
	    {"[42]", 0, "step 1 (?): expected an object"},
	    {"[{\"account\":\"a\"}]", 0, "step 1 (?): missing \"do\""},
	    {"[{\"do\":\"new-nonce\",\"method\":\"PUT\"}]", 0,
	     "step 1 (new-nonce): argument \"method\""},
	    {"[{\"do\":\"post\",\"url\":\"account\",\"payload\":{},\"raw_payload\":\"x\"}]", 0,
	     "step 1 (post): arguments \"payload\" and \"raw_payload\""},
	    {"[{\"do\":\"post\",\"url\":\"account\",\"misbehave\":\"nonce-omit\"}]", 0,
	     "step 1 (post): argument \"misbehave\""},
	    {"[{\"do\":\"get\",\"url\":\"directory\",\"headers\":{\"X\":1}}]", 0,
	     "step 1 (get): argument \"headers\""},
	    {"[{\"do\":\"get\",\"url\":\"directory\",\"headers\":{\"X\\nY\":\"1\"}}]", 0,
	     "step 1 (get): argument \"headers\": bad header"},
	    {"[{\"do\":\"get\",\"url\":\"directory\",\"expect\":{\"status\":\"200\"}}]", 0,
	     "step 1 (get): expect.status"},
	    {"[{\"do\":\"get\",\"url\":\"directory\",\"expect\":{\"body\":{\"status\":1}}}]", 0,
	     "step 1 (get): expect: body: \"status\" is not a JSON pointer"},
	    {"[{\"do\":\"get\",\"url\":\"directory\",\"expect\":{\"body_empty\":1}}]", 0,
	     "step 1 (get): expect.body_empty"},
	    {"[{\"do\":\"get\",\"url\":\"directory\",\"unsupported_if\":{\"problem\":[]}}]", 0,
	     "step 1 (get): unsupported_if.problem"},
	    {"[{\"do\":\"poll-order\",\"until\":[\"valid\",3]}]", 0,
	     "step 1 (poll-order): argument \"until\"[1]"},
	    {"[{\"do\":\"get\",\"url\":\"{order:o2.finalize}\",\"expect\":{\"body\":{\"/"
	     "a\":{\"match\":\"^x{2,3}$\"}}}}]",
	     1, NULL},
	    {"[{\"do\":\"get\",\"url\":\"{order:o2.nonsense}\"}]", 0,
	     "step 1 (get): unknown variable"},
	    {"[{\"do\":\"challenge-respond\",\"serve\":\"decoys\"}]", 0,
	     "step 1 (challenge-respond): argument \"serve\": \"decoys\" is not a behaviour"},
	    {"[{\"do\":\"challenge-respond\",\"type\":\"dns-01\",\"serve\":\"decoys\"}]", 1, NULL},
	    {"[{\"do\":\"get\",\"url\":\"{challenge.url}{certificate.url}{account:b.url}{dir.x}\"}"
	     "]",
	     1, NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct acs_err err;
		int rc;

		acs_err_clear(&err);
		rc = validate_steps(t[i].steps, &err);
		CU_ASSERT_EQUAL(rc == 0, t[i].ok);
		if (t[i].ok && rc != 0)
			fprintf(stderr, "case %zu: unexpected error \"%s\"\n", i, err.msg);
		if (!t[i].ok && strncmp(err.msg, t[i].msg, strlen(t[i].msg)) != 0) {
			fprintf(stderr, "case %zu: got \"%s\", wanted \"%s...\"\n", i, err.msg,
			        t[i].msg);
			CU_FAIL("message does not start as expected");
		}
	}
}

static void test_misbehaviour_table(void)
{
	const char *const *names = acs_script_misbehaviours();
	size_t n = 0, i, j;

	for (; names[n] != NULL; n++)
		CU_ASSERT_EQUAL(acs_mis_parse(names[n]), (int)n);
	CU_ASSERT_EQUAL(n, (size_t)ACS_MIS_COUNT);
	CU_ASSERT_EQUAL(n, 36u);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++)
			CU_ASSERT(strcmp(names[i], names[j]) != 0);
	}
	CU_ASSERT_EQUAL(acs_mis_parse("nonce-reuse"), ACS_MIS_NONCE_REUSE);
	CU_ASSERT_EQUAL(acs_mis_parse("inner-not-jws"), ACS_MIS_INNER_NOT_JWS);
	CU_ASSERT_EQUAL(acs_mis_parse("nope"), -1);
	CU_ASSERT_EQUAL(acs_mis_parse(NULL), -1);
	CU_ASSERT_STRING_EQUAL(acs_mis_name(ACS_MIS_B64_FALSE), "b64-false");
	CU_ASSERT_STRING_EQUAL(acs_mis_name(ACS_MIS_COUNT), "?");
}

/* A session that never touches the network, with a directory set by hand. */
static struct acs_acme_session *offline_session(void)
{
	struct acs_acme_session_opts o;
	struct acs_acme_session *s = NULL;
	struct acs_err err;

	memset(&o, 0, sizeof(o));
	o.directory_url = "https://acme.test/dir";
	o.timeout_ms = 1000;
	o.wait_seconds = 1;
	acs_err_clear(&err);
	if (acs_acme_session_new(&s, &o, &err) != 0)
		return NULL;
	s->directory = json_pack("{s:s,s:s}", "newNonce", "https://acme.test/nonce", "newOrder",
	                         "https://acme.test/order");
	return s;
}

static void test_interpolation(void)
{
	struct acs_acme_session *s = offline_session();
	struct acs_acme_account *a;
	struct acs_acme_order *o;
	struct acs_run run;
	struct acs_err err;
	char *v;
	size_t i, k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memset(&run, 0, sizeof(run));
	run.s = s;
	/* fresh names: 10 lower-case letters or digits under acmespec.test, distinct */
	for (i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(strlen(s->domain[i]), 10 + strlen(".acmespec.test"));
		CU_ASSERT_STRING_EQUAL(s->domain[i] + 10, ".acmespec.test");
		for (k = 0; k < 10; k++)
			CU_ASSERT(strchr("abcdefghijklmnopqrstuvwxyz0123456789", s->domain[i][k]) !=
			          NULL);
	}
	CU_ASSERT(strcmp(s->domain[0], s->domain[1]) != 0);
	CU_ASSERT(strcmp(s->domain[1], s->domain[2]) != 0);
	CU_ASSERT(strcmp(s->domain[0], s->domain[2]) != 0);

	acs_err_clear(&err);
	v = acs_script_interp(&run, "x.{domain}/{ip}/{dir.newNonce}", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	{
		char want[400];

		snprintf(want, sizeof(want), "x.%s/127.0.0.1/https://acme.test/nonce",
		         s->domain[0]);
		CU_ASSERT_STRING_EQUAL(v, want);
	}
	free(v);

	/* regex counts and JSON text are not variables */
	v = acs_script_interp(&run, "^[a-z]{10}$ {\"a\":1} { x }", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v, "^[a-z]{10}$ {\"a\":1} { x }");
	free(v);

	/* no value yet, then a value */
	acs_err_clear(&err);
	CU_ASSERT_PTR_NULL(acs_script_interp(&run, "{account.url}", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "{account.url}"));
	a = acs_acme_account_get(s, "a");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	acs_acme_set_str(&a->url, "https://acme.test/acct/1");
	a = acs_acme_account_get(s, "b");
	acs_acme_set_str(&a->url, "https://acme.test/acct/2");
	o = acs_acme_order_get(s, "o2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	acs_acme_set_str(&o->url, "https://acme.test/order/9");
	o->obj = json_pack("{s:s}", "finalize", "https://acme.test/order/9/fin");
	v = acs_script_interp(
	    &run, "{account.url} {account:b.url} {order:o2.url} {order:o2.finalize}", &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	CU_ASSERT_STRING_EQUAL(v, "https://acme.test/acct/1 https://acme.test/acct/2 "
	                          "https://acme.test/order/9 https://acme.test/order/9/fin");
	free(v);

	acs_err_clear(&err);
	CU_ASSERT_PTR_NULL(acs_script_interp(&run, "{order:o2.certificate}", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "no value yet"));
	acs_err_clear(&err);
	CU_ASSERT_PTR_NULL(acs_script_interp(&run, "{dir.keyChange}", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "{dir.keyChange}"));
	acs_err_clear(&err);
	CU_ASSERT_PTR_NULL(acs_script_interp(&run, "{whatever}", &err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "{whatever}"));
	/* static check: shapes only */
	acs_err_clear(&err);
	v = acs_script_interp(NULL, "{challenge.token}", &err);
	CU_ASSERT_PTR_NOT_NULL(v);
	free(v);
	CU_ASSERT_PTR_NULL(acs_script_interp(NULL, "{challenge.tokens}", &err));
	acs_acme_session_free(s);
}

/* Build a JWS with misbehaviours and look at it with the harness's own parser. */
static struct acs_jws *jws_with(const struct acs_key *key, acs_mis_set mis, int *parse_rc)
{
	json_t *hdr = json_pack("{s:s,s:s}", "nonce", "abc", "url", "https://acme.test/x");
	struct acs_jws *jws = NULL;
	struct acs_err err;
	char *body;

	acs_err_clear(&err);
	body = acs_acme_jws(key, NULL, 0, hdr, "{\"a\":1}", 7, mis, &err);
	json_decref(hdr);
	CU_ASSERT_PTR_NOT_NULL(body);
	*parse_rc = body != NULL ? acs_jws_parse(body, strlen(body), &jws, &err) : -1;
	free(body);
	return jws;
}

static void test_jws_misbehaviours(void)
{
	struct acs_key *key = NULL;
	struct acs_jws *jws;
	struct acs_err err;
	int rc;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&key, ACS_KEY_EC256, &err), 0);

	jws = jws_with(key, 0, &rc);
	CU_ASSERT_EQUAL(rc, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT_EQUAL(jws->form, ACS_JWS_FLATTENED);
	CU_ASSERT_STRING_EQUAL(acs_jws_header_str(jws, "alg"), "ES256");
	CU_ASSERT_EQUAL(jws->signature_len, 64u);
	CU_ASSERT_EQUAL(acs_jws_verify(jws, key, &err), 0);
	acs_jws_free(jws);

	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_SIG_CORRUPT), &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT(acs_jws_verify(jws, key, &err) != 0);
	acs_jws_free(jws);

	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_ALG_NONE), &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT_STRING_EQUAL(acs_jws_header_str(jws, "alg"), "none");
	CU_ASSERT_EQUAL(jws->signature_len, 0u);
	acs_jws_free(jws);

	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_ALG_MISMATCH), &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT_STRING_EQUAL(acs_jws_header_str(jws, "alg"), "ES384");
	acs_jws_free(jws);

	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_COMPACT), &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT_EQUAL(jws->form, ACS_JWS_COMPACT);
	acs_jws_free(jws);

	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_GENERAL), &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT_EQUAL(jws->form, ACS_JWS_GENERAL);
	acs_jws_free(jws);

	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_UNPROTECTED_HEADER), &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT(jws->has_unprotected_header);
	acs_jws_free(jws);

	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_PAYLOAD_OMIT), &rc);
	CU_ASSERT_PTR_NOT_NULL_FATAL(jws);
	CU_ASSERT_PTR_NULL(jws->payload_b64);
	acs_jws_free(jws);

	/* padded base64url is refused by a strict parser: that is the point */
	jws = jws_with(key, ACS_MIS_BIT(ACS_MIS_B64_PADDED), &rc);
	CU_ASSERT(rc != 0);
	acs_jws_free(jws);

	acs_key_free(key);
}

/* --domain-suffix: a fresh label under the zone, and the names of a session */
static void test_names_under_suffix(void)
{
	struct acs_acme_session_opts o;
	struct acs_acme_session *s = NULL;
	struct acs_err err;
	char name[ACS_ACME_DOMAIN_MAX], other[ACS_ACME_DOMAIN_MAX], tiny[12];
	size_t i;

	CU_ASSERT_EQUAL(acs_acme_make_name(name, sizeof(name), "ci.example.org"), 0);
	CU_ASSERT_EQUAL(strlen(name), 10 + strlen(".ci.example.org"));
	CU_ASSERT_STRING_EQUAL(name + 10, ".ci.example.org");
	for (i = 0; i < 10; i++)
		CU_ASSERT(strchr("abcdefghijklmnopqrstuvwxyz0123456789", name[i]) != NULL);
	CU_ASSERT_EQUAL(acs_acme_make_name(other, sizeof(other), "ci.example.org"), 0);
	CU_ASSERT(strcmp(name, other) != 0);
	/* no suffix: the harness's own zone */
	CU_ASSERT_EQUAL(acs_acme_make_name(name, sizeof(name), NULL), 0);
	CU_ASSERT_STRING_EQUAL(name + 10, ".acmespec.test");
	CU_ASSERT_EQUAL(acs_acme_make_name(name, sizeof(name), ""), 0);
	CU_ASSERT_STRING_EQUAL(name + 10, ".acmespec.test");
	/* a name that does not fit is refused, not cut */
	CU_ASSERT_EQUAL(acs_acme_make_name(tiny, sizeof(tiny), "example.org"), -1);

	memset(&o, 0, sizeof(o));
	o.directory_url = "https://acme.test/dir";
	o.domain_suffix = "zone.example";
	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(acs_acme_session_new(&s, &o, &err), 0);
	for (i = 0; i < 3; i++)
		CU_ASSERT_STRING_EQUAL(s->domain[i] + 10, ".zone.example");
	CU_ASSERT(strcmp(s->domain[0], s->domain[1]) != 0);
	CU_ASSERT_EQUAL(s->orders_left, -1);
	CU_ASSERT_EQUAL(s->accounts_left, -1);
	acs_acme_session_free(s);
}

/* --max-orders / --max-accounts: what a case reserves, and the shared budget */
static void test_budget(void)
{
	struct acs_acme_budget b = {PTHREAD_MUTEX_INITIALIZER, 3, 0, 2, 0};
	struct acs_case c;

	memset(&c, 0, sizeof(c));
	c.body = json_loads("{\"steps\": [{\"do\": \"new-account\"}, {\"do\": \"new-order\"},"
	                    "{\"do\": \"issue\"}, {\"do\": \"new-account\", \"name\": \"b\"},"
	                    "{\"do\": \"post\", \"url\": \"newOrder\"},"
	                    "{\"do\": \"post\", \"url\": \"order\"}, {\"do\": \"finalize\"}]}",
	                    0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.body);
	CU_ASSERT_EQUAL(acs_script_case_count(&c, "orders"), 3);
	CU_ASSERT_EQUAL(acs_script_case_count(&c, "accounts"), 2);
	json_decref(c.body);

	CU_ASSERT_EQUAL(acs_acme_budget_take(&b, 2, 1), 0);
	/* one order left, one account: a case needing two orders takes nothing */
	CU_ASSERT_EQUAL(acs_acme_budget_take(&b, 2, 0), -1);
	CU_ASSERT_EQUAL(b.orders, 2);
	CU_ASSERT_EQUAL(b.accounts, 1);
	CU_ASSERT_EQUAL(acs_acme_budget_take(&b, 0, 2), -1);
	CU_ASSERT_EQUAL(acs_acme_budget_take(&b, 1, 1), 0);
	CU_ASSERT_EQUAL(acs_acme_budget_take(&b, 0, 0), 0);
	CU_ASSERT_EQUAL(acs_acme_budget_take(&b, 1, 0), -1);
	/* no limit on one of the two */
	b.max_accounts = -1;
	CU_ASSERT_EQUAL(acs_acme_budget_take(&b, 0, 50), 0);
}

static void test_retry_after(void)
{
	struct acs_http_response h;
	struct acs_header hdr;
	struct acs_acme_resp r;
	char name[] = "Retry-After";
	char value[64];

	memset(&h, 0, sizeof(h));
	memset(&r, 0, sizeof(r));
	hdr.name = name;
	hdr.value = value;
	h.headers = &hdr;
	h.nheaders = 1;
	r.http = &h;

	snprintf(value, sizeof(value), "3");
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(&r), 3000);
	snprintf(value, sizeof(value), "0");
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(&r), 0);
	snprintf(value, sizeof(value), "Wed, 21 Oct 2015 07:28:00 GMT");
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(&r), 0); /* in the past */
	snprintf(value, sizeof(value), "Fri, 01 Jan 2100 00:00:00 GMT");
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(&r), 86400L * 1000); /* capped */
	snprintf(value, sizeof(value), "soon");
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(&r), -1);
	h.nheaders = 0;
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(&r), -1);
	CU_ASSERT_EQUAL(acs_acme_retry_after_ms(NULL), -1);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("script", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "good_fixture", test_good_fixture);
	CU_add_test(s, "bad_fixtures", test_bad_fixtures);
	CU_add_test(s, "inline_validation", test_inline_validation);
	CU_add_test(s, "misbehaviour_table", test_misbehaviour_table);
	CU_add_test(s, "interpolation", test_interpolation);
	CU_add_test(s, "jws_misbehaviours", test_jws_misbehaviours);
	CU_add_test(s, "retry_after", test_retry_after);
	CU_add_test(s, "names_under_suffix", test_names_under_suffix);
	CU_add_test(s, "budget", test_budget);
}
