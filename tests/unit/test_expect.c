/*
 * Expectations files: loading, validation against the catalog, and the
 * XFAIL / XPASS mapping.
 */
#include <CUnit/CUnit.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/expect.h"

static char tmp_path[PATH_MAX];

static struct acs_case cases[3];
static struct acs_catalog cat = {cases, 3};

static int suite_init(void)
{
	const char *base = getenv("TMPDIR");
	int fd;

	snprintf(tmp_path, sizeof(tmp_path), "%s/acs-expect-XXXXXX", base ? base : "/tmp");
	fd = mkstemp(tmp_path);
	if (fd < 0)
		return -1;
	close(fd);
	cases[0].id = "server.8555.6_5.nonce-reused";
	cases[1].id = "server.8555.7_2.newnonce-no-store";
	cases[2].id = "server.8555.7_2.newnonce-head-200";
	return 0;
}

static int suite_clean(void)
{
	unlink(tmp_path);
	return 0;
}

static void write_text(const char *text)
{
	FILE *f = fopen(tmp_path, "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* Load text; returns the code, err filled. */
static int load(const char *text, struct acs_expectations **e, struct acs_err *err)
{
	write_text(text);
	*e = NULL;
	return acs_expect_load(e, tmp_path, &cat, err);
}

static const char *good =
    "{ \"target\": \"pebble 2.4.0\",\n"
    "  \"expectations\": [\n"
    "    { \"case\": \"server.8555.7_2.newnonce-no-store\", \"verdict\": \"FAIL\",\n"
    "      \"clause\": \"RFC 8555 7.2: MUST include Cache-Control: no-store\",\n"
    "      \"reason\": \"sends public,\\nmax-age=0\", \"link\": \"https://example/1\" },\n"
    "    { \"case\": \"server.8555.7_2.*\", \"verdict\": \"nonstrict\",\n"
    "      \"reason\": \"answers 204\" } ] }\n";

static void test_load(void)
{
	struct acs_expectations *e = NULL;
	struct acs_err err = {0};
	const struct acs_expect_entry *en;

	CU_ASSERT_EQUAL_FATAL(load(good, &e, &err), 0);
	CU_ASSERT_STRING_EQUAL(e->target, "pebble 2.4.0");
	CU_ASSERT_EQUAL(e->n, 2);
	CU_ASSERT_EQUAL(e->entries[0].verdict, ACS_FAIL);
	CU_ASSERT_STRING_EQUAL(e->entries[0].reason,
	                       "RFC 8555 7.2: MUST include Cache-Control: no-store: sends "
	                       "public, max-age=0");
	CU_ASSERT_STRING_EQUAL(e->entries[0].link, "https://example/1");
	CU_ASSERT_EQUAL(e->entries[1].verdict, ACS_NONSTRICT);
	CU_ASSERT_STRING_EQUAL(e->entries[1].reason, "answers 204");
	CU_ASSERT_PTR_NULL(e->entries[1].link);

	en = acs_expect_find(e, "server.8555.7_2.newnonce-no-store");
	CU_ASSERT_PTR_EQUAL(en, &e->entries[0]);
	en = acs_expect_find(e, "server.8555.7_2.newnonce-head-200");
	CU_ASSERT_PTR_EQUAL(en, &e->entries[1]);
	CU_ASSERT_PTR_NULL(acs_expect_find(e, "server.8555.6_5.nonce-reused"));
	CU_ASSERT_PTR_NULL(acs_expect_find(NULL, "x"));
	acs_expect_free(e);
	acs_expect_free(NULL);

	/* without a catalog any name is accepted; target is optional */
	write_text("{\"expectations\": [{\"case\": \"server.8555.1_1.nothing\","
	           " \"verdict\": \"FAIL\", \"reason\": \"r\"}]}");
	CU_ASSERT_EQUAL_FATAL(acs_expect_load(&e, tmp_path, NULL, &err), 0);
	CU_ASSERT_PTR_NULL(e->target);
	CU_ASSERT_EQUAL(e->n, 1);
	acs_expect_free(e);
}

struct bad {
	const char *text;
	int code;
	const char *msg; /* expected after "<path>" */
};

static const struct bad bads[] = {
    {"{\"expectations\": [{\"case\": \"server.8555.6_5.nonce-reuse\", \"verdict\": "
     "\"FAIL\", \"reason\": \"r\"}]}",
     ACS_E_NOTFOUND,
     ": expectations[0]: case \"server.8555.6_5.nonce-reuse\" matches no case of the "
     "catalog"},
    {"{\"expectations\": [{\"case\": \"client.*\", \"verdict\": \"FAIL\", \"reason\": "
     "\"r\"}]}",
     ACS_E_NOTFOUND, ": expectations[0]: case \"client.*\" matches no case"},
    {"{\"expectations\": [{\"case\": \"server.*\", \"verdict\": \"PASS\", \"reason\": "
     "\"r\"}]}",
     ACS_E_INVAL, ": expectations[0]: field \"verdict\": expected FAIL or NONSTRICT, got \"PASS\""},
    {"{\"expectations\": [{\"case\": \"server.*\", \"verdict\": \"FIAL\", \"reason\": "
     "\"r\"}]}",
     ACS_E_INVAL, ": expectations[0]: field \"verdict\": expected FAIL or NONSTRICT"},
    {"{\"expectations\": [{\"case\": \"server.*\", \"verdict\": \"FAIL\"}]}", ACS_E_INVAL,
     ": expectations[0]: field \"reason\": missing"},
    {"{\"expectations\": [{\"verdict\": \"FAIL\", \"reason\": \"r\"}]}", ACS_E_INVAL,
     ": expectations[0]: field \"case\": missing"},
    {"{\"expectations\": [{\"case\": 1, \"verdict\": \"FAIL\", \"reason\": \"r\"}]}", ACS_E_INVAL,
     ": expectations[0]: field \"case\": expected a non-empty string, got "
     "integer"},
    {"{\"expectations\": [{\"case\": \"server.*\", \"verdict\": \"FAIL\", \"reason\": "
     "\"r\", \"resaon\": \"x\"}]}",
     ACS_E_INVAL, ": expectations[0]: field \"resaon\": unknown field"},
    {"{\"expectations\": [3]}", ACS_E_INVAL,
     ": expectations[0]: expected an object, got "
     "integer"},
    {"{\"expectations\": {}}", ACS_E_INVAL, ": field \"expectations\": expected an array"},
    {"{\"target\": \"x\"}", ACS_E_INVAL, ": field \"expectations\": missing"},
    {"{\"target\": 3, \"expectations\": []}", ACS_E_INVAL,
     ": field \"target\": expected a "
     "string"},
    {"{\"tagret\": \"x\", \"expectations\": []}", ACS_E_INVAL,
     ": field \"tagret\": "
     "unknown field"},
    {"[]", ACS_E_INVAL, ": expected a JSON object, got array"},
    {"{\n\"expectations\": [,]}", ACS_E_PARSE, ":2:"},
};

static void test_bad(void)
{
	size_t i;
	char want[PATH_MAX + 256];

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		struct acs_expectations *e = NULL;
		struct acs_err err = {0};
		int rc = load(bads[i].text, &e, &err);

		snprintf(want, sizeof(want), "%s%s", tmp_path, bads[i].msg);
		CU_ASSERT_EQUAL(rc, bads[i].code);
		CU_ASSERT_PTR_NULL(e);
		if (strncmp(err.msg, want, strlen(want)) != 0) {
			fprintf(stderr, "\ncase %zu: want prefix \"%s\"\n          got \"%s\"\n", i,
			        want, err.msg);
			CU_FAIL("wrong message");
		}
	}
	{
		struct acs_expectations *e = NULL;
		struct acs_err err = {0};

		CU_ASSERT_EQUAL(acs_expect_load(&e, "/nonexistent/x.json", NULL, &err), ACS_E_IO);
		CU_ASSERT(strstr(err.msg, "/nonexistent/x.json") != NULL);
	}
}

static void apply(const struct acs_expectations *e, int idx, enum acs_verdict raw,
                  enum acs_verdict want, int want_reason)
{
	struct acs_result r;

	memset(&r, 0, sizeof(r));
	r.c = &cases[idx];
	r.raw = raw;
	r.verdict = ACS_ERROR;
	acs_expect_apply(e, &r);
	CU_ASSERT_EQUAL(r.verdict, want);
	CU_ASSERT_EQUAL(r.raw, raw);
	CU_ASSERT_EQUAL(r.expect_reason != NULL, want_reason);
	if (want == ACS_XPASS) {
		CU_ASSERT_PTR_NOT_NULL(r.message);
	}
	free(r.expect_reason);
	free(r.message);
}

static void test_apply(void)
{
	struct acs_expectations *e = NULL;
	struct acs_err err = {0};
	struct acs_result r;

	CU_ASSERT_EQUAL_FATAL(load(good, &e, &err), 0);
	/* case 1 expects FAIL, case 2 (by glob) NONSTRICT, case 0 nothing */
	apply(e, 1, ACS_FAIL, ACS_XFAIL, 1);
	apply(e, 1, ACS_PASS, ACS_XPASS, 1);
	apply(e, 1, ACS_NONSTRICT, ACS_NONSTRICT, 0);
	apply(e, 1, ACS_ERROR, ACS_ERROR, 0);
	apply(e, 1, ACS_UNSUPPORTED, ACS_UNSUPPORTED, 0);
	apply(e, 2, ACS_NONSTRICT, ACS_XFAIL, 1);
	apply(e, 2, ACS_PASS, ACS_PASS, 0);
	apply(e, 2, ACS_FAIL, ACS_FAIL, 0);
	apply(e, 0, ACS_FAIL, ACS_FAIL, 0);
	apply(e, 0, ACS_PASS, ACS_PASS, 0);
	apply(NULL, 1, ACS_FAIL, ACS_FAIL, 0);
	/* an intermittent FAIL: XFAIL when it shows, a PASS stays PASS */
	e->entries[0].intermittent = 1;
	apply(e, 1, ACS_FAIL, ACS_XFAIL, 1);
	apply(e, 1, ACS_PASS, ACS_PASS, 0);
	e->entries[0].intermittent = 0;

	/* the reason carries the link; an earlier reason is replaced */
	memset(&r, 0, sizeof(r));
	r.c = &cases[1];
	r.raw = ACS_FAIL;
	r.expect_reason = strdup("stale");
	acs_expect_apply(e, &r);
	CU_ASSERT_STRING_EQUAL(r.expect_reason,
	                       "RFC 8555 7.2: MUST include Cache-Control: no-store: sends "
	                       "public, max-age=0 (https://example/1)");
	free(r.expect_reason);
	acs_expect_free(e);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("expect", suite_init, suite_clean);

	CU_add_test(s, "load", test_load);
	CU_add_test(s, "bad", test_bad);
	CU_add_test(s, "apply", test_apply);
}
