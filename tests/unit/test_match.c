/*
 * Unit tests for mockclient/match.c: every matcher key passing and failing,
 * validation, explanations, JSON pointers and the "*" segment.
 */
#include <CUnit/CUnit.h>
#include <stdlib.h>
#include <string.h>

#include "harness/buf.h"
#include "harness/err.h"
#include "mockclient/match.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_ALLOW_NUL, &e);

	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	return v;
}

/*
 * Match value_text (NULL: absent) against matcher_text; return 1/0 and,
 * when why_out is given, a copy of the explanation (caller frees).
 */
static int M(const char *matcher_text, const char *value_text, char **why_out)
{
	json_t *m = J(matcher_text);
	json_t *v = value_text != NULL ? J(value_text) : NULL;
	struct acs_buf why;
	int r;

	acs_buf_init(&why, 0);
	r = acs_match_value(m, v, &why);
	/* a hold never explains; a miss always does */
	if (r) {
		CU_ASSERT_EQUAL(why.len, 0);
	} else {
		CU_ASSERT(why.len > 0);
	}
	/* the result is the same without an explanation buffer */
	CU_ASSERT_EQUAL(acs_match_value(m, v, NULL), r);
	if (why_out != NULL)
		*why_out = acs_buf_steal(&why);
	acs_buf_free(&why);
	json_decref(m);
	json_decref(v);
	return r;
}

/* Match and check the explanation of a miss equals want exactly. */
static void miss_says(const char *matcher_text, const char *value_text, const char *want)
{
	char *why = NULL;

	CU_ASSERT_EQUAL(M(matcher_text, value_text, &why), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(why);
	if (strcmp(why, want) != 0)
		fprintf(stderr, "\n  matcher %s on %s\n  got  \"%s\"\n  want \"%s\"\n",
		        matcher_text, value_text ? value_text : "(absent)", why, want);
	CU_ASSERT_STRING_EQUAL(why, want);
	free(why);
}

static int V(const char *matcher_text, char *msg, size_t msglen)
{
	json_t *m = J(matcher_text);
	struct acs_err err;
	int rc;

	acs_err_clear(&err);
	rc = acs_matcher_validate(m, &err);
	if (msg != NULL)
		snprintf(msg, msglen, "%s", err.msg);
	json_decref(m);
	return rc;
}

static void test_plain_equality(void)
{
	CU_ASSERT(M("\"pending\"", "\"pending\"", NULL));
	CU_ASSERT(M("400", "400", NULL));
	CU_ASSERT(M("400", "400.0", NULL)); /* numbers by value */
	CU_ASSERT(M("true", "true", NULL));
	CU_ASSERT(M("null", "null", NULL));
	CU_ASSERT(M("[1, \"a\"]", "[1, \"a\"]", NULL));
	CU_ASSERT(!M("[1, \"a\"]", "[\"a\", 1]", NULL));
	CU_ASSERT(!M("400", "\"400\"", NULL));
	CU_ASSERT(!M("true", "1", NULL));
	CU_ASSERT(!M("null", NULL, NULL)); /* absent is not null */
	miss_says("\"valid\"", "\"pending\"", "expected \"valid\", got \"pending\"");
	miss_says("\"valid\"", NULL, "expected \"valid\", got nothing");
}

static void test_eq_ne(void)
{
	CU_ASSERT(M("{\"eq\": 100}", "100", NULL));
	CU_ASSERT(M("{\"eq\": {\"a\": [1, 2]}}", "{\"a\": [1, 2.0]}", NULL));
	CU_ASSERT(M("{\"eq\": {}}", "{}", NULL));
	CU_ASSERT(!M("{\"eq\": {\"a\": 1}}", "{\"a\": 1, \"b\": 2}", NULL));
	miss_says("{\"eq\": 100}", "99", "expected 100, got 99");
	CU_ASSERT(M("{\"ne\": \"x\"}", "\"y\"", NULL));
	CU_ASSERT(M("{\"ne\": 1}", "\"1\"", NULL));
	miss_says("{\"ne\": \"x\"}", "\"x\"", "expected anything but \"x\", got \"x\"");
	/* absent satisfies only present:false */
	miss_says("{\"ne\": \"x\"}", NULL, "expected anything but \"x\", got nothing");
}

static void test_in(void)
{
	CU_ASSERT(M("{\"in\": [400, 403]}", "403", NULL));
	CU_ASSERT(M("{\"in\": [\"a\", \"b\"]}", "\"a\"", NULL));
	CU_ASSERT(!M("{\"in\": []}", "1", NULL));
	miss_says("{\"in\": [400, 403]}", "201", "expected one of [400, 403], got 201");
}

static void test_present(void)
{
	CU_ASSERT(M("{\"present\": true}", "\"x\"", NULL));
	CU_ASSERT(M("{\"present\": true}", "null", NULL)); /* null is a value */
	CU_ASSERT(M("{\"present\": false}", NULL, NULL));
	miss_says("{\"present\": true}", NULL, "expected a value (present), got nothing");
	miss_says("{\"present\": false}", "\"abc\"", "expected nothing (absent), got \"abc\"");
	/* present:true combined with other keys */
	CU_ASSERT(M("{\"present\": true, \"type\": \"string\"}", "\"x\"", NULL));
	miss_says("{\"present\": true, \"type\": \"string\"}", "5", "expected a string, got 5");
	miss_says("{\"type\": \"string\"}", NULL, "expected a string, got nothing");
}

static void test_type(void)
{
	static const struct {
		const char *type, *yes, *no;
	} t[] = {
	    {"string", "\"s\"", "1"}, {"number", "1.5", "\"1\""},  {"number", "7", "null"},
	    {"integer", "7", "7.5"},  {"integer", "7.0", "\"7\""}, {"boolean", "false", "0"},
	    {"array", "[]", "{}"},    {"object", "{}", "[]"},      {"null", "null", "false"},
	};
	size_t i;
	char m[64];

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(m, sizeof(m), "{\"type\": \"%s\"}", t[i].type);
		CU_ASSERT(M(m, t[i].yes, NULL));
		CU_ASSERT(!M(m, t[i].no, NULL));
	}
	miss_says("{\"type\": \"integer\"}", "7.5", "expected an integer, got 7.5");
	miss_says("{\"type\": \"object\"}", "[1]", "expected an object, got [1]");
}

static void test_match_regex(void)
{
	CU_ASSERT(M("{\"match\": \"^[A-Za-z0-9_-]+$\"}", "\"abc_-9\"", NULL));
	CU_ASSERT(M("{\"match\": \"b+\"}", "\"abbbc\"", NULL)); /* unanchored */
	CU_ASSERT(M("{\"match\": \"^(http|https)://\"}", "\"https://x\"", NULL));
	miss_says("{\"match\": \"^[A-Za-z0-9_-]+$\"}", "\"a=\"",
	          "expected a string matching ^[A-Za-z0-9_-]+$, got \"a=\"");
	miss_says("{\"match\": \"^a\"}", "5", "expected a string: a string matching ^a, got 5");
	/* a NUL inside the value cannot hide a bad tail */
	CU_ASSERT(!M("{\"match\": \"^a+$\"}", "\"aa\\u0000b\"", NULL));
}

static void test_contains(void)
{
	CU_ASSERT(M("{\"contains\": \"nonce\"}", "\"bad nonce here\"", NULL));
	CU_ASSERT(M("{\"contains\": 2}", "[1, 2, 3]", NULL));
	CU_ASSERT(M("{\"contains\": {\"type\": \"dns\"}}",
	            "[{\"type\": \"dns\"}, {\"type\": \"ip\"}]", NULL));
	CU_ASSERT(M("{\"contains\": \"orders\"}", "{\"orders\": \"https://x\"}", NULL));
	CU_ASSERT(M("{\"contains\": \"\"}", "\"\"", NULL));
	miss_says("{\"contains\": \"nonce\"}", "\"other\"",
	          "expected something containing \"nonce\", got \"other\"");
	miss_says("{\"contains\": 4}", "[1, 2, 3]",
	          "expected something containing 4, got [1, 2, 3]");
	CU_ASSERT(!M("{\"contains\": \"orders\"}", "{\"status\": \"valid\"}", NULL));
	CU_ASSERT(!M("{\"contains\": 1}", "{\"1\": 1}", NULL)); /* keys are strings */
	miss_says("{\"contains\": \"x\"}", "12",
	          "expected a string, array or object containing \"x\", got 12");
	/* with a NUL in the haystack the search still sees the whole string */
	CU_ASSERT(M("{\"contains\": \"b\"}", "\"a\\u0000b\"", NULL));
}

static void test_not_contains(void)
{
	CU_ASSERT(M("{\"not_contains\": \"tls-sni-01\"}", "[\"http-01\", \"dns-01\"]", NULL));
	CU_ASSERT(M("{\"not_contains\": \"x\"}", "\"abc\"", NULL));
	CU_ASSERT(M("{\"not_contains\": \"new-reg\"}", "{\"newAccount\": \"u\"}", NULL));
	miss_says("{\"not_contains\": \"tls-sni-01\"}", "[\"tls-sni-01\"]",
	          "expected something not containing \"tls-sni-01\", got [\"tls-sni-01\"]");
	CU_ASSERT(!M("{\"not_contains\": \"b\"}", "\"abc\"", NULL));
	CU_ASSERT(!M("{\"not_contains\": \"new-reg\"}", "{\"new-reg\": \"u\"}", NULL));
	miss_says("{\"not_contains\": \"x\"}", "true",
	          "expected a string, array or object not containing \"x\", got true");
}

static void test_prefix(void)
{
	CU_ASSERT(M("{\"prefix\": \"urn:ietf:\"}", "\"urn:ietf:params\"", NULL));
	CU_ASSERT(M("{\"prefix\": \"\"}", "\"x\"", NULL));
	CU_ASSERT(M("{\"prefix\": \"abc\"}", "\"abc\"", NULL));
	miss_says("{\"prefix\": \"abcd\"}", "\"abc\"",
	          "expected a string starting with \"abcd\", got \"abc\"");
	CU_ASSERT(!M("{\"prefix\": \"a\"}", "[\"a\"]", NULL));
}

static void test_min_max(void)
{
	CU_ASSERT(M("{\"min\": 16}", "16", NULL));
	CU_ASSERT(M("{\"min\": 16}", "100.5", NULL));
	CU_ASSERT(M("{\"max\": 3}", "3", NULL));
	CU_ASSERT(M("{\"min\": 1, \"max\": 3}", "\"ab\"", NULL));
	CU_ASSERT(M("{\"min\": 2, \"max\": 2}", "\"\\u00e9\\u00e9\"", NULL)); /* code points */
	CU_ASSERT(M("{\"min\": 1}", "[0]", NULL));
	CU_ASSERT(M("{\"max\": 0}", "[]", NULL));
	miss_says("{\"min\": 16}", "15", "expected at least 16, got 15");
	miss_says("{\"max\": 3}", "3.5", "expected at most 3, got 3.5");
	miss_says("{\"min\": 3}", "\"ab\"",
	          "expected a length of at least 3, got length 2 (\"ab\")");
	miss_says("{\"max\": 1}", "[1, 2]",
	          "expected a length of at most 1, got length 2 ([1, 2])");
	miss_says("{\"min\": 1}", "{\"a\": 1}",
	          "expected a number, string or array of at least 1, got {\"a\": 1}");
	CU_ASSERT(!M("{\"max\": 1}", "true", NULL));
}

static void test_each(void)
{
	CU_ASSERT(M("{\"each\": {\"type\": \"string\"}}", "[\"a\", \"b\"]", NULL));
	CU_ASSERT(M("{\"each\": {\"type\": \"string\"}}", "[]", NULL)); /* vacuous */
	CU_ASSERT(M("{\"each\": \"x\"}", "[\"x\", \"x\"]", NULL));
	CU_ASSERT(M("{\"min\": 1, \"each\": {\"https\": true}}", "[\"https://a/\"]", NULL));
	CU_ASSERT(!M("{\"min\": 1, \"each\": {\"https\": true}}", "[]", NULL));
	miss_says("{\"each\": {\"type\": \"string\"}}", "[\"a\", 2]",
	          "element 1: expected a string, got 2");
	miss_says("{\"each\": {\"each\": 1}}", "[[1], [1, 2]]",
	          "element 1: element 1: expected 1, got 2");
	/* profiles: an object's member values (meta.profiles) */
	CU_ASSERT(M("{\"each\": {\"type\": \"string\"}}", "{\"a\": \"x\", \"b\": \"y\"}", NULL));
	miss_says("{\"each\": {\"type\": \"string\"}}", "{\"a\": \"x\", \"b\": {}}",
	          "member \"b\": expected a string, got {}");
	miss_says("{\"each\": 1}", "2", "expected an array or object, got 2");
}

static void test_b64url(void)
{
	CU_ASSERT(M("{\"b64url\": true}", "\"AAAA\"", NULL));
	CU_ASSERT(M("{\"b64url\": true}", "\"AQ\"", NULL));
	CU_ASSERT(M("{\"b64url\": true}", "\"AQI\"", NULL));
	CU_ASSERT(M("{\"b64url\": true}", "\"-_-_\"", NULL));
	CU_ASSERT(!M("{\"b64url\": true}", "\"\"", NULL));      /* empty */
	CU_ASSERT(!M("{\"b64url\": true}", "\"AQ==\"", NULL));  /* padded */
	CU_ASSERT(!M("{\"b64url\": true}", "\"a+b/\"", NULL));  /* base64, not url */
	CU_ASSERT(!M("{\"b64url\": true}", "\"AAAAA\"", NULL)); /* 1 mod 4 */
	CU_ASSERT(!M("{\"b64url\": true}", "\"AR\"", NULL));    /* non-zero trailing bits */
	CU_ASSERT(!M("{\"b64url\": true}", "\"AQJ\"", NULL));   /* likewise */
	CU_ASSERT(!M("{\"b64url\": true}", "\"AA AA\"", NULL));
	CU_ASSERT(!M("{\"b64url\": true}", "42", NULL));
	miss_says("{\"b64url\": true}", "\"a=\"",
	          "expected canonical unpadded base64url, got \"a=\"");
	CU_ASSERT(M("{\"b64url\": false}", "\"a+b/=\"", NULL));
	miss_says("{\"b64url\": false}", "\"AAAA\"",
	          "expected a string that is not canonical base64url, got \"AAAA\"");
	CU_ASSERT(!M("{\"b64url\": false}", "42", NULL)); /* not a string at all */
}

static void test_https(void)
{
	static const char *const good[] = {
	    "\"https://example.com\"",     "\"https://example.com/acme/new-order\"",
	    "\"HTTPS://EXAMPLE.COM/\"",    "\"https://127.0.0.1:14000/dir\"",
	    "\"https://[::1]:443/x?y#z\"", "\"https://user@host/\"",
	};
	static const char *const bad[] = {
	    "\"http://example.com/\"", "\"https://\"",          "\"https:///path\"",
	    "\"https://:443/\"",       "\"https://host:44a/\"", "\"https://ho st/\"",
	    "\"/relative/path\"",      "\"ftp://x/\"",          "\"https://[]/\"",
	    "\"https://user@/\"",      "\"https://a/\\u0001\"", "5",
	};
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CU_ASSERT(M("{\"https\": true}", good[i], NULL));
		CU_ASSERT(!M("{\"https\": false}", good[i], NULL));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT(!M("{\"https\": true}", bad[i], NULL));
	CU_ASSERT(M("{\"https\": false}", "\"http://x/\"", NULL));
	miss_says("{\"https\": true}", "\"http://x\"",
	          "expected an absolute https:// URL, got \"http://x\"");
}

static void test_registered(void)
{
	static const char *const types[] = {
	    "accountDoesNotExist",
	    "alreadyRevoked",
	    "badCSR",
	    "badNonce",
	    "badPublicKey",
	    "badRevocationReason",
	    "badSignatureAlgorithm",
	    "caa",
	    "compound",
	    "connection",
	    "dns",
	    "externalAccountRequired",
	    "incorrectResponse",
	    "invalidContact",
	    "malformed",
	    "orderNotReady",
	    "rateLimited",
	    "rejectedIdentifier",
	    "serverInternal",
	    "tls",
	    "unauthorized",
	    "unsupportedContact",
	    "unsupportedIdentifier",
	    "userActionRequired",
	    "alreadyReplaced",
	    "invalidProfile",
	};
	char urn[128];
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(urn, sizeof(urn), "urn:ietf:params:acme:error:%s", types[i]);
		CU_ASSERT(acs_acme_error_registered(urn));
	}
	CU_ASSERT(!acs_acme_error_registered("urn:ietf:params:acme:error:"));
	CU_ASSERT(!acs_acme_error_registered("urn:ietf:params:acme:error:badnonce"));
	CU_ASSERT(!acs_acme_error_registered("urn:ietf:params:acme:error:badNonce "));
	CU_ASSERT(!acs_acme_error_registered("urn:acme:error:badNonce")); /* ACME v1 */
	CU_ASSERT(!acs_acme_error_registered("badNonce"));
	CU_ASSERT(!acs_acme_error_registered(NULL));

	CU_ASSERT(M("{\"registered\": true}", "\"urn:ietf:params:acme:error:malformed\"", NULL));
	miss_says("{\"registered\": true}", "\"urn:acme:error:malformed\"",
	          "expected a registered ACME error type, got \"urn:acme:error:malformed\"");
	CU_ASSERT(M("{\"registered\": false}", "\"urn:ietf:params:acme:error:made-up\"", NULL));
	CU_ASSERT(!M("{\"registered\": false}", "\"urn:ietf:params:acme:error:caa\"", NULL));
	CU_ASSERT(!M("{\"registered\": true}", "null", NULL));
	CU_ASSERT(!M("{\"registered\": true}", "\"urn:ietf:params:acme:error:caa\\u0000x\"", NULL));
}

static void test_combined_and_first_failure(void)
{
	CU_ASSERT(M("{\"type\": \"string\", \"min\": 1, \"prefix\": \"a\"}", "\"abc\"", NULL));
	/* the first failing key (in the matcher's order) explains */
	miss_says("{\"type\": \"string\", \"min\": 5, \"prefix\": \"x\"}", "\"abc\"",
	          "expected a length of at least 5, got length 3 (\"abc\")");
}

static void test_truncation(void)
{
	char big[1200];
	char *why = NULL;

	big[0] = '"';
	memset(big + 1, 'a', 1000);
	big[1001] = '"';
	big[1002] = '\0';
	CU_ASSERT_EQUAL(M("\"b\"", big, &why), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(why);
	CU_ASSERT(strlen(why) < 300);
	CU_ASSERT(strstr(why, "...") != NULL);
	free(why);
}

static void test_validate(void)
{
	char msg[ACS_ERR_MSG_MAX];

	/* good */
	CU_ASSERT_EQUAL(V("\"plain\"", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("[1, 2]", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"eq\": {\"x\": 1}, \"ne\": null}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"in\": [1]}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"present\": true, \"type\": \"integer\"}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"present\": false}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"match\": \"^[a-z]+(-[0-9]+)?$\"}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"contains\": 1, \"not_contains\": [2]}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"prefix\": \"a\", \"min\": 1, \"max\": 2.5}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"each\": {\"b64url\": true}}", msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(V("{\"https\": false, \"registered\": true}", msg, sizeof(msg)), 0);

	/* bad */
	CU_ASSERT_EQUAL(V("{\"regex\": \"x\"}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_STRING_EQUAL(msg, "matcher key \"regex\" unknown");
	CU_ASSERT_EQUAL(V("{\"in\": 400}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_STRING_EQUAL(msg, "matcher key \"in\": expected an array, got a number");
	CU_ASSERT_EQUAL(V("{\"present\": \"yes\"}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_STRING_EQUAL(msg,
	                       "matcher key \"present\": expected true or false, got a string");
	CU_ASSERT_EQUAL(V("{\"type\": \"str\"}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT(strstr(msg, "\"type\"") != NULL && strstr(msg, "\"str\"") != NULL);
	CU_ASSERT_EQUAL(V("{\"type\": 1}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"match\": \"(\"}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT(strncmp(msg, "matcher key \"match\": invalid regular expression \"(\"", 50) == 0);
	CU_ASSERT_EQUAL(V("{\"match\": \"a{2,1}\"}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"match\": 5}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"prefix\": []}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"min\": \"3\"}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_STRING_EQUAL(msg, "matcher key \"min\": expected a number, got a string");
	CU_ASSERT_EQUAL(V("{\"max\": null}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"min\": 5, \"max\": 2}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"b64url\": 1}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"https\": \"true\"}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"registered\": null}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"each\": {\"bogus\": 1}}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_STRING_EQUAL(msg, "matcher key \"each\": matcher key \"bogus\" unknown");
	CU_ASSERT_EQUAL(V("{}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(V("{\"present\": false, \"eq\": 1}", msg, sizeof(msg)), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_matcher_validate(NULL, NULL), ACS_E_INVAL);
}

static void test_invalid_matcher_never_holds(void)
{
	CU_ASSERT(!M("{\"bogus\": 1}", "1", NULL));
	CU_ASSERT(!M("{\"match\": \"(\"}", "\"(\"", NULL));
	CU_ASSERT(!M("{}", "1", NULL));
	CU_ASSERT(!M("{\"present\": false, \"eq\": 1}", NULL, NULL));
	CU_ASSERT_EQUAL(acs_match_value(NULL, NULL, NULL), 0);
}

static void test_describe(void)
{
	json_t *m = J("{\"type\": \"string\", \"match\": \"^a$\", \"min\": 1}");
	json_t *p = J("[400, 403]");
	json_t *e = J("{\"each\": {\"https\": true}}");
	char *d;

	d = acs_matcher_describe(m);
	CU_ASSERT_STRING_EQUAL(d, "a string, a string matching ^a$, at least 1");
	free(d);
	d = acs_matcher_describe(p);
	CU_ASSERT_STRING_EQUAL(d, "[400, 403]");
	free(d);
	d = acs_matcher_describe(e);
	CU_ASSERT_STRING_EQUAL(d, "an array whose every element is an absolute https:// URL");
	free(d);
	json_decref(m);
	json_decref(p);
	json_decref(e);
}

static void test_json_pointer(void)
{
	json_t *doc = J("{\"a\": {\"b\": [10, 20, {\"c\": 3}]}, \"x/y\": 1, \"m~n\": 2, "
	                "\"\": 5, \"*\": 6, \"k\": {\"\": 7}}");

	CU_ASSERT_PTR_EQUAL(acs_json_pointer(doc, ""), doc);
	CU_ASSERT_EQUAL(json_integer_value(acs_json_pointer(doc, "/a/b/0")), 10);
	CU_ASSERT_EQUAL(json_integer_value(acs_json_pointer(doc, "/a/b/2/c")), 3);
	CU_ASSERT_EQUAL(json_integer_value(acs_json_pointer(doc, "/x~1y")), 1);
	CU_ASSERT_EQUAL(json_integer_value(acs_json_pointer(doc, "/m~0n")), 2);
	CU_ASSERT_EQUAL(json_integer_value(acs_json_pointer(doc, "/")), 5);
	CU_ASSERT_EQUAL(json_integer_value(acs_json_pointer(doc, "/*")), 6);
	CU_ASSERT_EQUAL(json_integer_value(acs_json_pointer(doc, "/k/")), 7);
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/a/b/3"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/a/b/01"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/a/b/-"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/a/b/1x"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/a/b/99999999999999999999999"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/nope"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/a/b/0/deeper"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "a"));     /* no leading slash */
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/m~2n")); /* bad escape */
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, "/m~"));
	CU_ASSERT_PTR_NULL(acs_json_pointer(doc, NULL));
	CU_ASSERT_PTR_NULL(acs_json_pointer(NULL, ""));
	json_decref(doc);
}

/* acs_match_pointer on doc_text; explanation compared when want != NULL. */
static int P(const char *doc_text, const char *pointer, const char *matcher_text, const char *want)
{
	json_t *doc = doc_text != NULL ? J(doc_text) : NULL;
	json_t *m = J(matcher_text);
	struct acs_buf why;
	int r;

	acs_buf_init(&why, 0);
	r = acs_match_pointer(doc, pointer, m, &why);
	if (r) {
		CU_ASSERT_EQUAL(why.len, 0);
	}
	if (want != NULL) {
		CU_ASSERT_PTR_NOT_NULL(why.data);
		if (why.data != NULL && strcmp(why.data, want) != 0)
			fprintf(stderr, "\n  pointer %s\n  got  \"%s\"\n  want \"%s\"\n", pointer,
			        why.data, want);
		CU_ASSERT(why.data != NULL && strcmp(why.data, want) == 0);
	}
	acs_buf_free(&why);
	json_decref(doc);
	json_decref(m);
	return r;
}

static void test_match_pointer(void)
{
	static const char *authz =
	    "{\"status\": \"pending\", \"challenges\": ["
	    "{\"type\": \"http-01\", \"url\": \"https://ca/c/1\", \"token\": \"AAAA\"},"
	    "{\"type\": \"dns-01\", \"url\": \"http://ca/c/2\", \"token\": \"AQ\"}]}";

	CU_ASSERT(P(authz, "/status", "\"pending\"", NULL));
	CU_ASSERT(P(authz, "", "{\"type\": \"object\"}", NULL));
	CU_ASSERT(!P(authz, "", "{\"type\": \"array\"}",
	             "\"\": expected an array, got {\"status\": \"pending\", \"challenges\": "
	             "[{\"type\": \"http-01\", \"url\": \"https://ca/c/1\", \"token\": \"AAAA\"}, "
	             "{\"type\": \"dns-01\", \"url\": \"http://ca/c/2\", \"token\": \"AQ\"}]}"));
	CU_ASSERT(P(authz, "/challenges/*/token", "{\"b64url\": true}", NULL));
	CU_ASSERT(P(authz, "/challenges/*/type", "{\"in\": [\"http-01\", \"dns-01\"]}", NULL));
	CU_ASSERT(
	    !P(authz, "/challenges/*/url", "{\"https\": true}",
	       "/challenges/1/url: expected an absolute https:// URL, got \"http://ca/c/2\""));
	CU_ASSERT(
	    !P(authz, "/status", "\"valid\"", "/status: expected \"valid\", got \"pending\""));
	CU_ASSERT(!P(authz, "/expires", "{\"present\": true}",
	             "/expires: expected a value (present), got nothing"));
	CU_ASSERT(P(authz, "/expires", "{\"present\": false}", NULL));
	CU_ASSERT(P(authz, "/challenges/*/validated", "{\"present\": false}", NULL));
	CU_ASSERT(!P(authz, "/challenges/*/token", "{\"present\": false}",
	             "/challenges/0/token: expected nothing (absent), got \"AAAA\""));
	/* "*" on a missing, empty or non-array value */
	CU_ASSERT(!P(authz, "/nothing/*/url", "{\"https\": true}",
	             "/nothing: expected a non-empty array, got nothing"));
	CU_ASSERT(!P("{\"l\": []}", "/l/*", "1", "/l: expected a non-empty array, got []"));
	CU_ASSERT(!P("{\"l\": \"s\"}", "/l/*", "1", NULL));
	CU_ASSERT(P("{\"l\": []}", "/l/*", "{\"present\": false}", NULL));
	CU_ASSERT(P("{}", "/l/*/x", "{\"present\": false}", NULL));
	CU_ASSERT(P(NULL, "/l/*", "{\"present\": false}", NULL));
	CU_ASSERT(!P("[]", "/*", "1", "\"\": expected a non-empty array, got []"));
	/* nested wildcards and escapes in the reported path */
	CU_ASSERT(P("{\"a\": [[1, 1], [1]]}", "/a/*/*", "1", NULL));
	CU_ASSERT(!P("{\"a\": [[1, 1], [1, 2]]}", "/a/*/*", "1", "/a/1/1: expected 1, got 2"));
	CU_ASSERT(
	    !P("{\"x/y\": {\"m~n\": 1}}", "/x~1y/m~0n", "2", "/x~1y/m~0n: expected 2, got 1"));
	/* NULL document: everything absent */
	CU_ASSERT(P(NULL, "/a", "{\"present\": false}", NULL));
	CU_ASSERT(!P(NULL, "", "{\"present\": true}", NULL));
	/* malformed pointers fail */
	CU_ASSERT(!P(authz, "status", "\"pending\"", "status: invalid JSON pointer"));
	CU_ASSERT(!P(authz, "/sta~tus", "{\"present\": false}", NULL));
	CU_ASSERT(!P(authz, NULL, "1", NULL));
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("match", NULL, NULL);

	if (s == NULL)
		return;
	CU_add_test(s, "plain_equality", test_plain_equality);
	CU_add_test(s, "eq_ne", test_eq_ne);
	CU_add_test(s, "in", test_in);
	CU_add_test(s, "present", test_present);
	CU_add_test(s, "type", test_type);
	CU_add_test(s, "match_regex", test_match_regex);
	CU_add_test(s, "contains", test_contains);
	CU_add_test(s, "not_contains", test_not_contains);
	CU_add_test(s, "prefix", test_prefix);
	CU_add_test(s, "min_max", test_min_max);
	CU_add_test(s, "each", test_each);
	CU_add_test(s, "b64url", test_b64url);
	CU_add_test(s, "https", test_https);
	CU_add_test(s, "registered", test_registered);
	CU_add_test(s, "combined_and_first_failure", test_combined_and_first_failure);
	CU_add_test(s, "truncation", test_truncation);
	CU_add_test(s, "validate", test_validate);
	CU_add_test(s, "invalid_matcher_never_holds", test_invalid_matcher_never_holds);
	CU_add_test(s, "describe", test_describe);
	CU_add_test(s, "json_pointer", test_json_pointer);
	CU_add_test(s, "match_pointer", test_match_pointer);
}
