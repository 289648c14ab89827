/*
 * Unit tests for the file reports: reports/junit.c (validated with xmllint
 * against tests/data/junit.xsd), the shared text sanitiser and atomic
 * writer, and reports/json.c (round trip through jansson).
 */
#include <CUnit/CUnit.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/catalog.h"
#include "reports/report.h"

static struct acs_case case_must = {
    .id = "server.8555.6_5.nonce-reused-badnonce",
    .side = "server",
    .rfc = "8555",
    .section = "6.5",
    .level = ACS_MUST,
    .title = "a reused nonce is refused with badNonce",
    .requirement = "The server MUST reject a request whose nonce it has already seen.",
};

static struct acs_case case_should = {
    .id = "server.8555.7_1_2.contact-reflected",
    .side = "server",
    .rfc = "8555",
    .section = "7.1.2",
    .level = ACS_SHOULD,
    .title = "the account shows its contacts",
    .requirement = "The server SHOULD include <contact> & \"more\".",
};

/* What a hostile server can put into messages and transcripts. */
static const char hostile[] = "quote\" apos' lt< gt> amp& ]]> ctl\x01\x02\x1b[31m\x7f tab\t "
                              "cr\r lf\n bad\xff\xfe\xc0\xaf surrogate\xed\xa0\x80 "
                              "nonchar\xef\xbf\xbe cut\xe2\x82";

static char tmpdir[64];

static int suite_init(void)
{
	memcpy(tmpdir, "/tmp/acs-junit-XXXXXX", sizeof("/tmp/acs-junit-XXXXXX"));
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int suite_clean(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;
	char path[512];

	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", tmpdir, e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(tmpdir);
	return 0;
}

/* One result per verdict, in enum order, with hostile text everywhere. */
static void all_verdicts(struct acs_result *rs)
{
	int i;

	memset(rs, 0, sizeof(*rs) * ACS_VERDICT_COUNT);
	for (i = 0; i < ACS_VERDICT_COUNT; i++) {
		rs[i].c = i == ACS_NONSTRICT ? &case_should : &case_must;
		rs[i].verdict = (enum acs_verdict)i;
		rs[i].raw = i == ACS_XFAIL   ? ACS_FAIL
		            : i == ACS_XPASS ? ACS_PASS
		                             : (enum acs_verdict)i;
		rs[i].message = (char *)hostile;
		rs[i].expected = "status 400";
		rs[i].actual = (char *)hostile;
		rs[i].transcript = (char *)hostile;
		rs[i].client_output = i == ACS_FAIL ? "client \x1b output" : NULL;
		rs[i].rerun = "acmespec server https://ca/dir --case 'x<y>'";
		rs[i].step = i;
		rs[i].seconds = 0.1234 * (i + 1);
	}
	rs[ACS_XFAIL].expect_reason = "pebble issue 123 <known>";
	rs[ACS_XPASS].expect_reason = "pebble issue 456";
	rs[ACS_PASS].seconds = -1; /* clamped */
}

static const char *xsd_path(void)
{
	static char path[1024];
	const char *src = getenv("ACMESPEC_SOURCE_DIR");

	CU_ASSERT_PTR_NOT_NULL(src);
	snprintf(path, sizeof(path), "%s/tests/data/junit.xsd", src != NULL ? src : "..");
	return path;
}

/* xmllint --schema on file: 1 when it validates; its complaints shown otherwise. */
static int xsd_valid(const char *file)
{
	char cmd[2048], said[4096];
	FILE *p;
	size_t n;
	int rc;

	snprintf(cmd, sizeof(cmd), "xmllint --noout --schema '%s' '%s' 2>&1", xsd_path(), file);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = fread(said, 1, sizeof(said) - 1, p);
	said[n] = '\0';
	rc = pclose(p);
	if (rc != 0)
		fprintf(stderr, "\n  xmllint rejected %s (status %d):\n%s\n", file, rc, said);
	return rc == 0;
}

/* xmllint --xpath on file, output into out. */
static void xpath(const char *file, const char *expr, char *out, size_t outlen)
{
	char cmd[2048];
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "xmllint --xpath '%s' '%s' 2>/dev/null", expr, file);
	out[0] = '\0';
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = fread(out, 1, outlen - 1, p);
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	pclose(p);
}

static int utf8_valid(const char *s)
{
	json_t *j = json_string(s); /* jansson checks UTF-8 */
	int ok = j != NULL;

	json_decref(j);
	return ok;
}

static void test_put_text(void)
{
	struct acs_buf b;
	const char *in;

	acs_buf_init(&b, 0);
	in = "a&b<c>d\"e'f\tg\nh";
	CU_ASSERT_EQUAL(acs_report_put_text(&b, in, strlen(in), ACS_TEXT_XML), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "a&amp;b&lt;c&gt;d\"e'f\tg\nh");
	acs_buf_reset(&b);
	CU_ASSERT_EQUAL(acs_report_put_text(&b, in, strlen(in), ACS_TEXT_XML | ACS_TEXT_ONELINE),
	                0);
	CU_ASSERT_STRING_EQUAL(b.data, "a&amp;b&lt;c&gt;d&quot;e&apos;f g h");
	acs_buf_reset(&b);
	in = "x\x01y\x1bz\x7f\r\nw\rv \xc2\x9b";
	CU_ASSERT_EQUAL(acs_report_put_text(&b, in, strlen(in), 0), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "x?y?z?\nw?v ?");
	acs_buf_reset(&b);
	CU_ASSERT_EQUAL(acs_report_put_text(&b, in, strlen(in), ACS_TEXT_RAW_CONTROLS), 0);
	CU_ASSERT_STRING_EQUAL(b.data, in);
	acs_buf_reset(&b);
	/* invalid UTF-8: stray byte, overlong, surrogate, too big, cut short, nonchar */
	in = "\xff|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82|\xef\xbf\xbf|\xf0\x9f\x94\x92";
	CU_ASSERT_EQUAL(acs_report_put_text(&b, in, strlen(in), 0), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|"
	                               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
	                               "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
	                               "\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD|\xf0\x9f\x94\x92");
	acs_buf_reset(&b);
	/* a length stops the scan even inside a sequence */
	CU_ASSERT_EQUAL(acs_report_put_text(&b, "\xc3\xa9", 1, 0), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "\xEF\xBF\xBD");
	CU_ASSERT_EQUAL(acs_report_put_text(&b, NULL, 0, 0), 0);
	acs_buf_free(&b);

	/* the cap is honoured */
	acs_buf_init(&b, 4);
	CU_ASSERT_EQUAL(acs_report_put_text(&b, "<<<", 3, ACS_TEXT_XML), ACS_E_TOOBIG);
	acs_buf_free(&b);
}

static void test_render_every_verdict(void)
{
	struct acs_result rs[ACS_VERDICT_COUNT];
	struct acs_run_info info = {.side = "server",
	                            .target = "https://ca/dir?a=1&b=<2>",
	                            .profile = "rfc8555",
	                            .expect_file = "cases/expect/pebble.json",
	                            .strict = 0,
	                            .jobs = 4,
	                            .started = 1700000000,
	                            .seconds = 12.34567};
	char *doc;
	const char *tag;
	char path[512], out[4096];
	struct acs_err err;

	all_verdicts(rs);
	doc = acs_junit_render(&info, rs, ACS_VERDICT_COUNT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(strncmp(doc, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 39) == 0);
	CU_ASSERT(utf8_valid(doc));
	CU_ASSERT_PTR_NULL(strchr(doc, '\x01'));
	CU_ASSERT_PTR_NULL(strchr(doc, '\x1b'));
	CU_ASSERT_PTR_NULL(strchr(doc, '\r'));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc,
	                              "<testsuites name=\"acmespec\" tests=\"8\" failures=\"2\" "
	                              "errors=\"1\" time=\"12.346\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<testsuite name=\"acmespec.server\" tests=\"8\" "
	                                   "failures=\"2\" errors=\"1\" skipped=\"3\" "
	                                   "time=\"12.346\" timestamp=\"2023-11-14T22:13:20\""));
	/* no skipped attribute on <testsuites> */
	tag = strstr(doc, "<testsuites");
	CU_ASSERT_PTR_NOT_NULL_FATAL(tag);
	snprintf(out, sizeof(out), "%.*s", (int)(strchr(tag, '>') - tag), tag);
	CU_ASSERT_PTR_NULL(strstr(out, "skipped"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(doc, "classname=\"acmespec.server.8555.sec6_5\" time=\"0.000\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "classname=\"acmespec.server.8555.sec7_1_2\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "time=\"0.247\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<failure message=\"quote&quot; apos&apos; lt&lt;"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "type=\"MUST\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "type=\"XPASS\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<error message=\"quote"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<skipped message=\"known failure (pebble issue 123 "
	                                   "&lt;known&gt;): quote"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<skipped message=\"quote"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "type=\"UNSUPPORTED\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<system-out>NONSTRICT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "SHOULD include &lt;contact&gt; &amp; \"more\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "rerun: acmespec server https://ca/dir --case "
	                                   "'x&lt;y&gt;'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<property name=\"target\" "
	                                   "value=\"https://ca/dir?a=1&amp;b=&lt;2&gt;\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<property name=\"acmespec_version\" value=\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, acs_version()));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<property name=\"strict\" value=\"false\"/>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "]]&gt;"));
	free(doc);

	/* on disk: validates, and xpath agrees on the counts */
	snprintf(path, sizeof(path), "%s/every.xml", tmpdir);
	CU_ASSERT_EQUAL(acs_junit_write(path, &info, rs, ACS_VERDICT_COUNT, &err), 0);
	CU_ASSERT(xsd_valid(path));
	xpath(path, "count(//testcase)", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "8");
	xpath(path, "count(//testcase/failure)", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "2");
	xpath(path, "count(//testcase/error)", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1");
	xpath(path, "count(//testcase/skipped)", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "3");
	xpath(path, "count(//testsuite)", out, sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "1");
	xpath(path, "count(//testcase[not(@name) or not(@classname) or not(@time)])", out,
	      sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "0");
	xpath(path, "count(//failure[not(@message) or not(@type) or string-length(.)=0])", out,
	      sizeof(out));
	CU_ASSERT_STRING_EQUAL(out, "0");
	/* the parsed message keeps the visible text of the hostile string */
	xpath(path, "string(//error/@message)", out, sizeof(out));
	CU_ASSERT(strncmp(out,
	                  "quote\" apos' lt< gt> amp& ]]> ctl???[31m? tab  cr  lf  bad\xEF\xBF\xBD",
	                  61) == 0);

	/* strict: NONSTRICT becomes a failure typed with its level */
	info.strict = 1;
	doc = acs_junit_render(&info, rs, ACS_VERDICT_COUNT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(doc, "tests=\"8\" failures=\"3\" errors=\"1\" skipped=\"3\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "type=\"SHOULD\">"));
	CU_ASSERT_PTR_NULL(strstr(doc, "<system-out>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<property name=\"strict\" value=\"true\"/>"));
	free(doc);
	snprintf(path, sizeof(path), "%s/strict.xml", tmpdir);
	CU_ASSERT_EQUAL(acs_junit_write(path, &info, rs, ACS_VERDICT_COUNT, &err), 0);
	CU_ASSERT(xsd_valid(path));
}

static void test_empty_and_odd(void)
{
	struct acs_run_info info = {.side = "client", .started = 0};
	struct acs_result r;
	char path[512];
	struct acs_err err;
	char *doc;

	/* zero results: still a valid document with one testsuite */
	doc = acs_junit_render(&info, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<testsuite name=\"acmespec.client\" tests=\"0\" "
	                                   "failures=\"0\" errors=\"0\" skipped=\"0\" "
	                                   "time=\"0.000\" timestamp=\"1970-01-01T00:00:00\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<property name=\"expect_file\" value=\"\"/>"));
	free(doc);
	snprintf(path, sizeof(path), "%s/empty.xml", tmpdir);
	CU_ASSERT_EQUAL(acs_junit_write(path, &info, NULL, 0, &err), 0);
	CU_ASSERT(xsd_valid(path));

	/* no run info, a result without a case */
	memset(&r, 0, sizeof(r));
	r.verdict = ACS_FAIL;
	r.seconds = 1e12;
	doc = acs_junit_render(NULL, &r, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<testcase name=\"(unknown case)\" "
	                                   "classname=\"acmespec.unknown.unknown\" "
	                                   "time=\"1000000000.000\">"));
	CU_ASSERT_PTR_NOT_NULL(strstr(doc, "<failure message=\"FAIL\" type=\"MUST\">"));
	free(doc);
	snprintf(path, sizeof(path), "%s/odd.xml", tmpdir);
	CU_ASSERT_EQUAL(acs_junit_write(path, NULL, &r, 1, &err), 0);
	CU_ASSERT(xsd_valid(path));
}

static void test_atomic_write(void)
{
	char path[512];
	struct acs_err err;
	struct stat st;
	DIR *d;
	struct dirent *e;
	FILE *f;
	char got[64];
	size_t n;

	snprintf(path, sizeof(path), "%s/atomic.txt", tmpdir);
	CU_ASSERT_EQUAL(acs_report_write_file(path, "first", 5, &err), 0);
	CU_ASSERT_EQUAL(acs_report_write_file(path, "second", 6, &err), 0);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(got, 1, sizeof(got) - 1, f);
	got[n] = '\0';
	fclose(f);
	CU_ASSERT_STRING_EQUAL(got, "second");
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	/* no temporary file left behind */
	d = opendir(tmpdir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	while ((e = readdir(d)) != NULL)
		CU_ASSERT_PTR_NULL(strstr(e->d_name, ".tmp"));
	closedir(d);

	/* failure names the path */
	acs_err_clear(&err);
	snprintf(path, sizeof(path), "%s/no/such/dir/report.xml", tmpdir);
	CU_ASSERT_EQUAL(acs_junit_write(path, NULL, NULL, 0, &err), ACS_E_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, ": no such file or directory"));
	CU_ASSERT_EQUAL(acs_json_write(path, NULL, NULL, 0, &err), ACS_E_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	CU_ASSERT_EQUAL(acs_report_write_file("", "x", 1, &err), ACS_E_INVAL);
	/* a directory is not replaced by a report */
	CU_ASSERT_EQUAL(acs_report_write_file(tmpdir, "x", 1, &err), ACS_E_IO);
}

static const char *sget(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static void test_json_roundtrip(void)
{
	struct acs_result rs[ACS_VERDICT_COUNT];
	struct acs_run_info info = {.side = "server",
	                            .target = "https://ca/dir",
	                            .profile = "letsencrypt",
	                            .strict = 1,
	                            .jobs = 2,
	                            .started = 1700000000,
	                            .seconds = 3.14159};
	char *text;
	json_t *doc, *sum, *list, *r;
	json_error_t je;
	char path[512];
	struct acs_err err;
	int i;

	all_verdicts(rs);
	rs[ACS_SKIPPED].message = NULL;
	text = acs_json_render(&info, rs, ACS_VERDICT_COUNT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_EQUAL(text[strlen(text) - 1], '\n');
	doc = json_loads(text, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_STRING_EQUAL(sget(doc, "acmespec"), acs_version());
	CU_ASSERT_STRING_EQUAL(sget(doc, "side"), "server");
	CU_ASSERT_STRING_EQUAL(sget(doc, "target"), "https://ca/dir");
	CU_ASSERT_STRING_EQUAL(sget(doc, "profile"), "letsencrypt");
	CU_ASSERT(json_is_null(json_object_get(doc, "expect_file")));
	CU_ASSERT(json_is_true(json_object_get(doc, "strict")));
	CU_ASSERT_STRING_EQUAL(sget(doc, "started"), "2023-11-14T22:13:20Z");
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(doc, "seconds")), 3.142, 1e-9);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"seconds\": 3.142,"));
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "exit_code")), 3);
	sum = json_object_get(doc, "summary");
	CU_ASSERT(json_is_object(sum));
	for (i = 0; i < ACS_VERDICT_COUNT; i++)
		CU_ASSERT_EQUAL(
		    json_integer_value(json_object_get(sum, acs_verdict_name((enum acs_verdict)i))),
		    1);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(sum, "total")), 8);
	list = json_object_get(doc, "results");
	CU_ASSERT_EQUAL_FATAL(json_array_size(list), ACS_VERDICT_COUNT);
	for (i = 0; i < ACS_VERDICT_COUNT; i++) {
		r = json_array_get(list, (size_t)i);
		CU_ASSERT_STRING_EQUAL(sget(r, "verdict"), acs_verdict_name((enum acs_verdict)i));
		CU_ASSERT_EQUAL(json_integer_value(json_object_get(r, "step")), i);
	}
	r = json_array_get(list, ACS_XFAIL);
	CU_ASSERT_STRING_EQUAL(sget(r, "id"), "server.8555.6_5.nonce-reused-badnonce");
	CU_ASSERT_STRING_EQUAL(sget(r, "rfc"), "8555");
	CU_ASSERT_STRING_EQUAL(sget(r, "section"), "6.5");
	CU_ASSERT_STRING_EQUAL(sget(r, "level"), "MUST");
	CU_ASSERT_STRING_EQUAL(sget(r, "title"), case_must.title);
	CU_ASSERT_STRING_EQUAL(sget(r, "requirement"), case_must.requirement);
	CU_ASSERT_STRING_EQUAL(sget(r, "raw_verdict"), "FAIL");
	CU_ASSERT_STRING_EQUAL(sget(r, "expected"), "status 400");
	CU_ASSERT_STRING_EQUAL(sget(r, "expect_reason"), "pebble issue 123 <known>");
	CU_ASSERT_STRING_EQUAL(sget(r, "rerun"), "acmespec server https://ca/dir --case 'x<y>'");
	CU_ASSERT(json_is_null(json_object_get(r, "client_output")));
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(r, "seconds")), 0.740, 1e-9);
	/* controls kept as they came, invalid UTF-8 replaced */
	CU_ASSERT_PTR_NOT_NULL(strstr(sget(r, "transcript"),
	                              "ctl\x01\x02\x1b[31m\x7f tab\t cr\r lf\n"
	                              " bad\xEF\xBF\xBD"));
	CU_ASSERT_PTR_NULL(strstr(sget(r, "transcript"), "\xff"));
	CU_ASSERT(json_is_null(json_object_get(json_array_get(list, ACS_SKIPPED), "message")));
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(list, ACS_FAIL), "client_output"),
	                       "client \x1b output");
	CU_ASSERT_STRING_EQUAL(sget(json_array_get(list, ACS_NONSTRICT), "level"), "SHOULD");
	json_decref(doc);
	free(text);

	/* written atomically, and an empty run is a valid report */
	snprintf(path, sizeof(path), "%s/report.json", tmpdir);
	CU_ASSERT_EQUAL(acs_json_write(path, &info, NULL, 0, &err), 0);
	doc = json_load_file(path, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(doc, "results")), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(doc, "exit_code")), 0);
	json_decref(doc);

	/* no run info and no case */
	memset(&rs[0], 0, sizeof(rs[0]));
	text = acs_json_render(NULL, rs, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	doc = json_loads(text, 0, &je);
	CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
	CU_ASSERT(json_is_null(
	    json_object_get(json_array_get(json_object_get(doc, "results"), 0), "id")));
	CU_ASSERT(json_is_false(json_object_get(doc, "strict")));
	json_decref(doc);
	free(text);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("junit", suite_init, suite_clean);

	if (s == NULL)
		return;
	CU_add_test(s, "put_text", test_put_text);
	CU_add_test(s, "render_every_verdict", test_render_every_verdict);
	CU_add_test(s, "empty_and_odd", test_empty_and_odd);
	CU_add_test(s, "atomic_write", test_atomic_write);
	CU_add_test(s, "json_roundtrip", test_json_roundtrip);
}
