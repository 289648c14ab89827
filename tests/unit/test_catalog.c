/*
 * Catalog loader: valid catalogs load sorted, every kind of bad case file
 * is refused with a message naming the file and the field, and filters.
 * Fixtures are written to a fresh temporary directory.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/catalog.h"

static char tmp_root[512];

static const char *base_case =
    "{\"id\": \"server.8555.6_5.nonce-reused-badnonce\","
    " \"rfc\": \"8555\", \"section\": \"6.5\", \"level\": \"MUST\","
    " \"title\": \"a reused nonce is refused with badNonce\","
    " \"requirement\": \"The server MUST reject a request with a used nonce.\","
    " \"tags\": [\"nonce\", \"jws\"], \"covers\": [\"S026\"], \"needs\": [\"eab\"],"
    " \"control\": \"accept-reused-nonce\", \"notes\": \"n\","
    " \"steps\": [{\"do\": \"new-nonce\"}, {\"do\": \"new-account\","
    " \"misbehave\": [\"nonce-reuse\"], \"expect\": {\"status\": 400}}]}";

static void make_dir(const char *path)
{
	CU_ASSERT_FATAL(mkdir(path, 0700) == 0);
}

/* Fresh dir tmp_root/<name> with a server/ and client/ inside. */
static void fresh_dir(char *out, size_t n, const char *name)
{
	char sub[PATH_MAX];

	snprintf(out, n, "%s/%s", tmp_root, name);
	make_dir(out);
	snprintf(sub, sizeof(sub), "%s/server", out);
	make_dir(sub);
	snprintf(sub, sizeof(sub), "%s/client", out);
	make_dir(sub);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CU_ASSERT_FATAL(f != NULL);
	fputs(text, f);
	fclose(f);
}

/* base_case with field set to value (JSON text), or removed when value is NULL. */
static void write_case(const char *path, const char *field, const char *value)
{
	json_t *o = json_loads(base_case, 0, NULL);
	char *text;

	CU_ASSERT_FATAL(o != NULL);
	if (field != NULL && value == NULL) {
		json_object_del(o, field);
	} else if (field != NULL) {
		json_t *v = json_loads(value, JSON_DECODE_ANY, NULL);

		CU_ASSERT_FATAL(v != NULL);
		json_object_set_new(o, field, v);
	}
	text = json_dumps(o, JSON_INDENT(2) | JSON_SORT_KEYS);
	write_file(path, text);
	free(text);
	json_decref(o);
}

static void rm_rf(const char *path)
{
	char cmd[PATH_MAX + 32];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", path);
}

static int suite_init(void)
{
	const char *base = getenv("TMPDIR");

	snprintf(tmp_root, sizeof(tmp_root), "%s/acs-catalog-XXXXXX", base ? base : "/tmp");
	return mkdtemp(tmp_root) == NULL ? -1 : 0;
}

static int suite_clean(void)
{
	rm_rf(tmp_root);
	return 0;
}

static void test_load_good(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct acs_catalog *cat = NULL;
	struct acs_err err = {0};
	const struct acs_case *c;

	fresh_dir(dir, sizeof(dir), "good");
	snprintf(path, sizeof(path), "%s/server/b.json", dir);
	write_case(path, NULL, NULL);
	snprintf(path, sizeof(path), "%s/server/a.json", dir);
	write_case(path, "id", "\"server.8555.7_2.zzz\"");
	/* overwrite section to agree with the id */
	{
		json_t *o = json_load_file(path, 0, NULL);

		json_object_set_new(o, "section", json_string("7.2"));
		json_object_set_new(o, "level", json_string("SHOULD NOT"));
		json_dump_file(o, path, 0);
		json_decref(o);
	}
	snprintf(path, sizeof(path), "%s/server/README.md", dir);
	write_file(path, "not a case");
	snprintf(path, sizeof(path), "%s/server/.hidden.json", dir);
	write_file(path, "{");

	CU_ASSERT_EQUAL_FATAL(acs_catalog_load(&cat, dir, "server", &err), 0);
	CU_ASSERT_EQUAL(cat->n, 2);
	CU_ASSERT_STRING_EQUAL(cat->cases[0].id, "server.8555.6_5.nonce-reused-badnonce");
	CU_ASSERT_STRING_EQUAL(cat->cases[1].id, "server.8555.7_2.zzz");
	c = &cat->cases[0];
	CU_ASSERT_STRING_EQUAL(c->side, "server");
	CU_ASSERT_STRING_EQUAL(c->rfc, "8555");
	CU_ASSERT_STRING_EQUAL(c->section, "6.5");
	CU_ASSERT_EQUAL(c->level, ACS_MUST);
	CU_ASSERT_EQUAL(cat->cases[1].level, ACS_SHOULD);
	CU_ASSERT_STRING_EQUAL(c->tags[0], "nonce");
	CU_ASSERT_STRING_EQUAL(c->tags[1], "jws");
	CU_ASSERT_PTR_NULL(c->tags[2]);
	CU_ASSERT_STRING_EQUAL(c->covers[0], "S026");
	CU_ASSERT_STRING_EQUAL(c->needs[0], "eab");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->control);
	CU_ASSERT_STRING_EQUAL(c->control[0], "accept-reused-nonce");
	CU_ASSERT_PTR_NULL(c->control[1]);
	CU_ASSERT(strstr(c->file, "/server/b.json") != NULL);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(c->body, "steps")), 2);
	CU_ASSERT_PTR_EQUAL(acs_catalog_find(cat, "server.8555.7_2.zzz"), &cat->cases[1]);
	CU_ASSERT_PTR_NULL(acs_catalog_find(cat, "server.8555.7_2.nope"));
	acs_catalog_free(cat);
	acs_catalog_free(NULL);
}

static void test_optional_absent(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct acs_case c;
	struct acs_err err = {0};
	json_t *o = json_loads(base_case, 0, NULL);

	fresh_dir(dir, sizeof(dir), "optional");
	json_object_del(o, "covers");
	json_object_del(o, "needs");
	json_object_del(o, "control");
	json_object_del(o, "notes");
	snprintf(path, sizeof(path), "%s/server/x.json", dir);
	json_dump_file(o, path, 0);
	json_decref(o);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL_FATAL(acs_case_load_file(&c, path, "server", &err), 0);
	CU_ASSERT_PTR_NOT_NULL(c.covers);
	CU_ASSERT_PTR_NULL(c.covers[0]);
	CU_ASSERT_PTR_NULL(c.needs[0]);
	CU_ASSERT_PTR_NULL(c.control);
	acs_case_clear(&c);
}

struct bad {
	const char *field;
	const char *value; /* JSON text; NULL removes the field */
	const char *msg;   /* expected message after "<path>: " */
};

static const struct bad bad_cases[] = {
    {"id", NULL, "field \"id\": missing"},
    {"id", "42", "field \"id\": expected a string, got integer"},
    {"id", "\"server.8555.6_5\"", "field \"id\": \"server.8555.6_5\" is not <side>"},
    {"id", "\"server.8555.6.5.x\"", "field \"id\": \"server.8555.6.5.x\" is not <side>.<rfc>"},
    {"id", "\"server.8555.6_5.Bad_Slug\"", "field \"id\": slug \"Bad_Slug\" must match"},
    {"id", "\"server.8555.6__5.x\"", "field \"id\": \"server.8555.6__5.x\" is not"},
    {"id", "\"client.8555.6_5.x\"",
     "field \"id\": \"client.8555.6_5.x\" does not start "
     "with \"server.\""},
    {"id", "\"server.8737.6_5.x\"",
     "field \"id\": rfc part \"8737\" disagrees with field "
     "\"rfc\" \"8555\""},
    {"id", "\"server.8555.6_4.x\"",
     "field \"section\": \"6.5\" disagrees with the id's "
     "section \"6_4\""},
    {"id", "\"server.8555.6_50.x\"", "field \"section\": \"6.5\" disagrees"},
    {"rfc", NULL, "field \"rfc\": missing"},
    {"rfc", "\"1234\"",
     "field \"rfc\": expected one of 8555, 8737, 8738, 9773, v1v2, "
     "boulder, profiles, 9444, dnsaccount, dnspersist, robustness, got \"1234\""},
    {"section", NULL, "field \"section\": missing"},
    {"section", "6.5", "field \"section\": expected a string, got number"},
    {"section", "\"6,5\"", "field \"section\": expected a section number such as"},
    {"level", NULL, "field \"level\": missing"},
    {"level", "\"must!\"",
     "field \"level\": expected one of MUST, SHOULD, MAY, got "
     "\"must!\""},
    {"level", "\"must\"",
     "field \"level\": expected one of MUST, SHOULD, MAY, got "
     "\"must\""},
    {"level", "[\"MUST\"]", "field \"level\": expected a string, got array"},
    {"title", NULL, "field \"title\": missing"},
    {"title", "\"\"", "field \"title\": empty string"},
    {"title", "\"two\\nlines\"", "field \"title\": must be one line"},
    {"requirement", NULL, "field \"requirement\": missing"},
    {"requirement", "true", "field \"requirement\": expected a string, got true"},
    {"tags", NULL, "field \"tags\": missing"},
    {"tags", "\"nonce\"", "field \"tags\": expected an array of strings, got string"},
    {"tags", "[\"a\", 3]", "field \"tags\"[1]: expected a string, got integer"},
    {"tags", "[\"a\", \"a\"]", "field \"tags\"[1]: \"a\" listed twice"},
    {"covers", "[\"s26\"]", "field \"covers\"[0]: expected a requirement row such as"},
    {"covers", "{}", "field \"covers\": expected an array of strings, got object"},
    {"needs", "[\"teleport\"]", "field \"needs\"[0]: unknown feature \"teleport\""},
    {"control", "1", "field \"control\": expected a string, got integer"},
    {"notes", "null", "field \"notes\": expected a string, got null"},
    {"steps", NULL, "field \"steps\": missing"},
    {"steps", "[]", "field \"steps\": empty array"},
    {"steps", "{}", "field \"steps\": expected an array of objects, got object"},
    {"steps", "[{\"do\": \"x\"}, 3]", "field \"steps\"[1]: expected an object, got integer"},
    {"steps", "[{\"expect\": {}}]", "field \"steps\"[0]: member \"do\" missing"},
    {"scenario", "{}", "field \"scenario\": not allowed in a server case"},
    {"levle", "\"MUST\"", "field \"levle\": unknown field"},
};

static void test_bad_fields(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], want[PATH_MAX + 512];
	size_t i;

	fresh_dir(dir, sizeof(dir), "bad");
	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		struct acs_case c;
		struct acs_err err = {0};
		int rc;

		snprintf(path, sizeof(path), "%s/server/bad%zu.json", dir, i);
		write_case(path, bad_cases[i].field, bad_cases[i].value);
		memset(&c, 0, sizeof(c));
		rc = acs_case_load_file(&c, path, "server", &err);
		snprintf(want, sizeof(want), "%s: %s", path, bad_cases[i].msg);
		CU_ASSERT_EQUAL(rc, ACS_E_INVAL);
		CU_ASSERT_EQUAL(err.code, ACS_E_INVAL);
		if (strncmp(err.msg, want, strlen(want)) != 0) {
			fprintf(stderr, "\ncase %zu: want prefix \"%s\"\n          got \"%s\"\n", i,
			        want, err.msg);
			CU_FAIL("wrong message");
		}
		CU_ASSERT_PTR_NULL(c.id);
		acs_case_clear(&c);
	}
}

static void test_client_side(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct acs_case c;
	struct acs_err err = {0};
	json_t *o = json_loads(base_case, 0, NULL);

	fresh_dir(dir, sizeof(dir), "client");
	json_object_set_new(o, "id", json_string("client.8555.6_5.nonce-fresh"));
	json_object_del(o, "steps");
	json_object_del(o, "needs");
	snprintf(path, sizeof(path), "%s/client/a.json", dir);
	json_dump_file(o, path, 0);
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(acs_case_load_file(&c, path, "client", &err), ACS_E_INVAL);
	CU_ASSERT(strstr(err.msg, "a.json: field \"scenario\": missing") != NULL);

	json_object_set_new(o, "scenario", json_string("x"));
	json_dump_file(o, path, 0);
	CU_ASSERT_EQUAL(acs_case_load_file(&c, path, "client", &err), ACS_E_INVAL);
	CU_ASSERT(strstr(err.msg, "field \"scenario\": expected an object, got string") != NULL);

	json_object_set_new(o, "steps", json_array());
	json_object_set_new(o, "scenario", json_object());
	json_dump_file(o, path, 0);
	CU_ASSERT_EQUAL(acs_case_load_file(&c, path, "client", &err), ACS_E_INVAL);
	CU_ASSERT(strstr(err.msg, "field \"steps\": not allowed in a client case") != NULL);

	json_object_del(o, "steps");
	json_dump_file(o, path, 0);
	CU_ASSERT_EQUAL_FATAL(acs_case_load_file(&c, path, "client", &err), 0);
	CU_ASSERT_STRING_EQUAL(c.side, "client");
	acs_case_clear(&c);

	/* side NULL: taken from the id */
	CU_ASSERT_EQUAL_FATAL(acs_case_load_file(&c, path, NULL, &err), 0);
	CU_ASSERT_STRING_EQUAL(c.side, "client");
	acs_case_clear(&c);
	json_decref(o);
}

static void test_invalid_json(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64], want[PATH_MAX + 128];
	struct acs_case c;
	struct acs_err err = {0};

	fresh_dir(dir, sizeof(dir), "json");
	snprintf(path, sizeof(path), "%s/server/broken.json", dir);
	write_file(path, "{\n  \"id\": \"x\",\n  \"rfc\" \"8555\"\n}\n");
	memset(&c, 0, sizeof(c));
	CU_ASSERT_EQUAL(acs_case_load_file(&c, path, "server", &err), ACS_E_PARSE);
	snprintf(want, sizeof(want), "%s:3:", path);
	CU_ASSERT(strncmp(err.msg, want, strlen(want)) == 0);
	CU_ASSERT(strstr(err.msg, "invalid JSON: ") != NULL);

	write_file(path, "{\"id\": \"a\", \"id\": \"b\"}");
	CU_ASSERT_EQUAL(acs_case_load_file(&c, path, "server", &err), ACS_E_PARSE);
	CU_ASSERT(strstr(err.msg, "duplicate object key") != NULL);

	write_file(path, "[1, 2]");
	CU_ASSERT_EQUAL(acs_case_load_file(&c, path, "server", &err), ACS_E_INVAL);
	CU_ASSERT(strstr(err.msg, "broken.json: expected a JSON object, got array") != NULL);

	snprintf(path, sizeof(path), "%s/server/missing.json", dir);
	CU_ASSERT_EQUAL(acs_case_load_file(&c, path, "server", &err), ACS_E_IO);
	CU_ASSERT(strstr(err.msg, "missing.json") != NULL);

	/* the catalog reports the same error, naming the file */
	snprintf(path, sizeof(path), "%s/server/ok.json", dir);
	write_case(path, NULL, NULL);
	snprintf(path, sizeof(path), "%s/server/broken.json", dir);
	write_file(path, "{\"id\": ");
	CU_ASSERT_EQUAL(acs_catalog_load(&(struct acs_catalog *){NULL}, dir, "server", &err),
	                ACS_E_PARSE);
	CU_ASSERT(strstr(err.msg, "broken.json:") != NULL);
}

static void test_duplicates_and_empty(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 64];
	struct acs_catalog *cat = NULL;
	struct acs_err err = {0};

	fresh_dir(dir, sizeof(dir), "dup");
	CU_ASSERT_EQUAL(acs_catalog_load(&cat, dir, "server", &err), ACS_E_NOTFOUND);
	CU_ASSERT(strstr(err.msg, "/server: no case files (*.json)") != NULL);
	CU_ASSERT_PTR_NULL(cat);

	snprintf(path, sizeof(path), "%s/server/one.json", dir);
	write_case(path, NULL, NULL);
	snprintf(path, sizeof(path), "%s/server/two.json", dir);
	write_case(path, NULL, NULL);
	CU_ASSERT_EQUAL(acs_catalog_load(&cat, dir, "server", &err), ACS_E_INVAL);
	CU_ASSERT(strstr(err.msg, "two.json: field \"id\": duplicate id "
	                          "\"server.8555.6_5.nonce-reused-badnonce\" (also in ") != NULL);
	CU_ASSERT(strstr(err.msg, "one.json)") != NULL);
	CU_ASSERT_PTR_NULL(cat);

	CU_ASSERT_EQUAL(acs_catalog_load(&cat, dir, "sideways", &err), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_catalog_load(&cat, "/nonexistent/acs", "server", &err), ACS_E_IO);
	CU_ASSERT(strstr(err.msg, "/nonexistent/acs/server") != NULL);
}

/* A case built in memory for the filter tests. */
static void fill(struct acs_case *c, char *id, char *section, enum acs_level l, char **tags)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->section = section;
	c->level = l;
	c->tags = tags;
}

static void test_filters(void)
{
	char *t1[] = {"nonce", "jws", NULL};
	char *t2[] = {"order", NULL};
	struct acs_case a, b, c;
	struct acs_filter f;
	const char *g1[] = {"server.8555.6_5.*"};
	const char *g2[] = {"nomatch", "*.7_*"};
	const char *s1[] = {"6.5"};
	const char *s2[] = {"6"};
	const char *s3[] = {"6.5.1"};
	const char *s4[] = {"6_5"};
	const char *tg1[] = {"order", "zzz"};
	const char *tg2[] = {"zzz"};

	fill(&a, "server.8555.6_5.nonce", "6.5", ACS_MUST, t1);
	fill(&b, "server.8555.6_50.other", "6.50", ACS_SHOULD, t2);
	fill(&c, "server.8555.7_1_3.order", "7.1.3", ACS_MAY, t2);

	CU_ASSERT(acs_case_matches(&a, NULL));
	memset(&f, 0, sizeof(f));
	f.level = -1;
	CU_ASSERT(acs_case_matches(&a, &f) && acs_case_matches(&b, &f) && acs_case_matches(&c, &f));

	f.globs = g1;
	f.nglobs = 1;
	CU_ASSERT(acs_case_matches(&a, &f));
	CU_ASSERT(!acs_case_matches(&b, &f));
	f.globs = g2;
	f.nglobs = 2;
	CU_ASSERT(!acs_case_matches(&a, &f));
	CU_ASSERT(acs_case_matches(&c, &f));
	f.nglobs = 0;

	/* section prefix on dot boundaries */
	f.sections = s1;
	f.nsections = 1;
	CU_ASSERT(acs_case_matches(&a, &f));
	CU_ASSERT(!acs_case_matches(&b, &f));
	CU_ASSERT(!acs_case_matches(&c, &f));
	f.sections = s2;
	CU_ASSERT(acs_case_matches(&a, &f));
	CU_ASSERT(acs_case_matches(&b, &f));
	CU_ASSERT(!acs_case_matches(&c, &f));
	f.sections = s3;
	CU_ASSERT(!acs_case_matches(&a, &f));
	f.sections = s4;
	CU_ASSERT(acs_case_matches(&a, &f));
	f.nsections = 0;
	{
		struct acs_case d;
		char *t0[] = {NULL};

		fill(&d, "server.8555.6_5_1.x", "6.5.1", ACS_MUST, t0);
		f.sections = s1;
		f.nsections = 1;
		CU_ASSERT(acs_case_matches(&d, &f));
		f.nsections = 0;
	}

	/* level at or stricter */
	f.level = ACS_MUST;
	CU_ASSERT(acs_case_matches(&a, &f));
	CU_ASSERT(!acs_case_matches(&b, &f));
	f.level = ACS_SHOULD;
	CU_ASSERT(acs_case_matches(&a, &f));
	CU_ASSERT(acs_case_matches(&b, &f));
	CU_ASSERT(!acs_case_matches(&c, &f));
	f.level = -1;

	/* tags: any */
	f.tags = tg1;
	f.ntags = 2;
	CU_ASSERT(!acs_case_matches(&a, &f));
	CU_ASSERT(acs_case_matches(&b, &f));
	f.tags = tg2;
	f.ntags = 1;
	CU_ASSERT(!acs_case_matches(&b, &f));

	/* every set filter must match */
	f.tags = tg1;
	f.sections = s2;
	f.nsections = 1;
	CU_ASSERT(acs_case_matches(&b, &f));
	CU_ASSERT(!acs_case_matches(&c, &f));
	f.level = ACS_MUST;
	CU_ASSERT(!acs_case_matches(&b, &f));
}

static void test_levels(void)
{
	enum acs_level l;

	CU_ASSERT_STRING_EQUAL(acs_level_name(ACS_MUST), "MUST");
	CU_ASSERT_STRING_EQUAL(acs_level_name(ACS_SHOULD), "SHOULD");
	CU_ASSERT_STRING_EQUAL(acs_level_name(ACS_MAY), "MAY");
	CU_ASSERT(acs_level_parse("should", &l) == 0 && l == ACS_SHOULD);
	CU_ASSERT(acs_level_parse("MUST NOT", &l) == 0 && l == ACS_MUST);
	CU_ASSERT(acs_level_parse("may", &l) == 0 && l == ACS_MAY);
	CU_ASSERT(acs_level_parse("must!", &l) == ACS_E_INVAL);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("catalog", suite_init, suite_clean);

	CU_add_test(s, "load_good", test_load_good);
	CU_add_test(s, "optional_absent", test_optional_absent);
	CU_add_test(s, "bad_fields", test_bad_fields);
	CU_add_test(s, "client_side", test_client_side);
	CU_add_test(s, "invalid_json", test_invalid_json);
	CU_add_test(s, "duplicates_and_empty", test_duplicates_and_empty);
	CU_add_test(s, "filters", test_filters);
	CU_add_test(s, "levels", test_levels);
}
