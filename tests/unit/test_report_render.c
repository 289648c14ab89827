/*
 * Unit tests for the reports for people: reports/markdown.c (title,
 * counts, order, escaping of hostile strings, code fences, size limits)
 * and reports/html.c (counts, escaping so that the target's <script>
 * stays text, the Content-Security-Policy hashes, filters, order).
 */
#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/catalog.h"
#include "reports/report.h"

static struct acs_case cases[] = {
    {.id = "server.8555.6_5.pass",
     .side = "server",
     .rfc = "8555",
     .section = "6.5",
     .level = ACS_MUST,
     .title = "passes",
     .requirement = "MUST pass."},
    {.id = "server.8555.6_10.fail",
     .side = "server",
     .rfc = "8555",
     .section = "6.10",
     .level = ACS_MUST,
     .title = "fails <b>bold</b>",
     .requirement = "# The server MUST | do <this> & `that`."},
    {.id = "server.8555.7_1.xpass",
     .side = "server",
     .rfc = "8555",
     .section = "7.1",
     .level = ACS_SHOULD,
     .title = "xpass",
     .requirement = "1. SHOULD."},
    {.id = "server.8555.7_2.error",
     .side = "server",
     .rfc = "8555",
     .section = "7.2",
     .level = ACS_MAY,
     .title = "error",
     .requirement = "- MAY."},
    {.id = "server.8555.7_3.nonstrict",
     .side = "server",
     .rfc = "8555",
     .section = "7.3",
     .level = ACS_SHOULD,
     .title = "nonstrict",
     .requirement = "   SHOULD."},
    {.id = "server.8555.7_4.xfail",
     .side = "server",
     .rfc = "8555",
     .section = "\"><img src=x onerror=alert(1)>",
     .level = ACS_MUST,
     .title = "xfail",
     .requirement = "MUST."},
    {.id = "server.8555.7_5.unsupported",
     .side = "server",
     .rfc = "8555",
     .section = "7.5",
     .level = ACS_MUST,
     .title = "unsupported",
     .requirement = "MUST."},
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static const char hostile_message[] = "a|b `c` *d* _e_ [x](javascript:y) "
                                      "<script>alert(1)</script> & $m$ \x1b[31m";

static const struct acs_run_info info = {.side = "server",
                                         .target = "https://ca.test/dir?a=1&b=<2>",
                                         .profile = "rfc8555",
                                         .expect_file = NULL,
                                         .strict = 0,
                                         .jobs = 2,
                                         .started = 1764864000,
                                         .seconds = 3.25};

/* One result per case, in catalog order: PASS, FAIL, XPASS, ERROR, ... */
static void make_results(struct acs_result *r)
{
	static const enum acs_verdict verdicts[NCASES] = {
	    ACS_PASS, ACS_FAIL, ACS_XPASS, ACS_ERROR, ACS_NONSTRICT, ACS_XFAIL, ACS_UNSUPPORTED,
	};
	size_t i;

	memset(r, 0, NCASES * sizeof(*r));
	for (i = 0; i < NCASES; i++) {
		r[i].c = &cases[i];
		r[i].verdict = r[i].raw = verdicts[i];
		r[i].message = i == 0 ? NULL : "step 2: it went wrong";
		r[i].seconds = 0.5;
	}
	r[1].message = (char *)hostile_message;
	r[1].expected = "status 200";
	r[1].actual = "status 500 </pre></details></td></tr><script>alert(2)</script>";
	r[1].transcript = "< 500\n    ````\n    <script>alert(3)</script>\n";
	r[1].rerun = "acmespec server X --case 'server.8555.6_10.fail'";
	r[1].step = 2;
	r[5].raw = ACS_FAIL;
	r[5].expect_reason = "known: sends 400";
}

static const char *after(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	if (p == NULL)
		fprintf(stderr, "\n  missing: \"%s\"\n", needle);
	return p;
}

/* 1 when every needle occurs in text, in this order. */
static int in_order(const char *text, const char *const *needles, size_t n)
{
	const char *p = text;
	size_t i;

	for (i = 0; i < n && p != NULL; i++) {
		p = after(p, needles[i]);
		if (p != NULL)
			p += strlen(needles[i]);
	}
	return p != NULL;
}

static size_t occurrences(const char *text, const char *needle)
{
	size_t k = 0;
	const char *p;

	for (p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
		k++;
	return k;
}

/* -------------------------------------------------------------- Markdown */

static void test_md_title_counts_order(void)
{
	static const char title[] =
	    "## acmespec server run against https://ca.test/dir?a=1&amp;b=&lt;2&gt;: 7 cases "
	    "\xE2\x80\x94 1 PASS, 1 FAIL, 1 NONSTRICT, 1 UNSUPPORTED, 1 XFAIL, 1 XPASS, 1 "
	    "ERROR\n\n";
	static const char *const order[] = {
	    "### FAIL (1)",       "server.8555.6\\_10.fail", "### XPASS (1)",
	    "### ERROR (1)",      "### NONSTRICT (1)",       "### XFAIL (1)",
	    "expectation: known", "### UNSUPPORTED (1)",
	};
	struct acs_result r[NCASES];
	char *md;

	make_results(r);
	md = acs_markdown_render(&info, r, NCASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	CU_ASSERT(strncmp(md, title, strlen(title)) == 0);
	CU_ASSERT_PTR_NOT_NULL(after(
	    md, "**exit code 3: the run could not judge everything** \xC2\xB7 profile rfc8555"));
	CU_ASSERT_PTR_NOT_NULL(
	    after(md, "| verdict | cases |\n|:--|--:|\n| PASS | 1 |\n| FAIL | 1 |\n"));
	CU_ASSERT_PTR_NOT_NULL(after(md, "| SKIPPED | 0 |\n| **total** | **7** |\n"));
	CU_ASSERT(in_order(md, order, sizeof(order) / sizeof(order[0])));
	CU_ASSERT_PTR_NULL(strstr(md, "server.8555.6\\_5.pass")); /* passes are only counted */
	CU_ASSERT_PTR_NULL(strstr(md, "### PASS"));
	CU_ASSERT_PTR_NULL(strstr(md, "Every case passed"));
	free(md);

	md = acs_markdown_render(&info, r, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	CU_ASSERT_PTR_NOT_NULL(after(md, "\nEvery case passed.\n"));
	CU_ASSERT_PTR_NULL(strstr(md, "###"));
	free(md);
	md = acs_markdown_render(NULL, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	CU_ASSERT(strncmp(md, "## acmespec unknown run: 0 cases\n", 33) == 0);
	free(md);
}

static void test_md_escaping(void)
{
	struct acs_result r[NCASES];
	const char *ev;
	char *md;

	make_results(r);
	md = acs_markdown_render(&info, r, NCASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	/* running text: punctuation escaped, HTML as entities, controls gone */
	CU_ASSERT_PTR_NOT_NULL(after(md,
	                             "reason: a\\|b \\`c\\` \\*d\\* \\_e\\_ \\[x\\](javascript:y) "
	                             "&lt;script&gt;alert(1)&lt;/script&gt; &amp; \\$m\\$ ?\\[31m"
	                             "\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    after(md, "**server.8555.6\\_10.fail** \xC2\xB7 RFC 8555 \xC2\xA7"
	              "6.10 \xC2\xB7 MUST \xC2\xB7 fails &lt;b&gt;bold&lt;/b&gt;\n"));
	/* what would start a heading or a list inside the quote does not */
	CU_ASSERT_PTR_NOT_NULL(
	    after(md, "> \\# The server MUST \\| do &lt;this&gt; &amp; \\`that\\`.\n"));
	CU_ASSERT_PTR_NOT_NULL(after(md, "> 1\\. SHOULD.\n"));
	CU_ASSERT_PTR_NOT_NULL(after(md, "> \\- MAY.\n"));
	CU_ASSERT_PTR_NOT_NULL(after(md, "> SHOULD.\n")); /* leading blanks dropped */
	/* evidence: a fence longer than the 4 backticks inside, text kept as is */
	ev = after(md, "<details><summary>evidence</summary>\n\n`````text\n");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_PTR_NOT_NULL(after(ev, "\n      <script>alert(3)</script>\n"));
	CU_ASSERT_PTR_NOT_NULL(after(ev, "\n`````\n\n</details>\n"));
	CU_ASSERT(after(ev, "\n`````\n\n</details>\n") < after(ev, "### XPASS"));
	/* every raw <script> is inside that fence */
	CU_ASSERT_EQUAL(occurrences(md, "<script>"), 3); /* result, actual, transcript */
	CU_ASSERT(strstr(md, "<script>") > ev);
	CU_ASSERT(strstr(md, "alert(3)</script>") < strstr(ev, "\n`````\n"));
	free(md);
}

static void test_md_size_limits(void)
{
	enum { N = 80 };
	static struct acs_result r[N];
	char *big = malloc(40 * 1024 + 1);
	char *md;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (i = 0; i < 40 * 1024; i++)
		big[i] = (i % 64 == 63) ? '\n' : 'x';
	big[40 * 1024] = '\0';
	for (i = 0; i < N; i++) {
		memset(&r[i], 0, sizeof(r[i]));
		r[i].c = &cases[1];
		r[i].verdict = ACS_FAIL;
		r[i].message = "m";
		r[i].transcript = big;
	}
	md = acs_markdown_render(&info, r, N);
	CU_ASSERT_PTR_NOT_NULL_FATAL(md);
	CU_ASSERT_PTR_NOT_NULL(after(md, "[evidence cut at 16384 of "));
	CU_ASSERT_PTR_NOT_NULL(after(md, "*evidence left out: the summary reached its size limit"));
	CU_ASSERT(strlen(md) < 1024 * 1024); /* GitHub's step summary limit */
	CU_ASSERT_EQUAL(occurrences(md, "**server.8555.6\\_10.fail**"), N); /* every case listed */
	free(md);
	free(big);
}

static void test_md_write(void)
{
	char dir[] = "/tmp/acs-md-XXXXXX", path[64];
	struct acs_result r[NCASES];
	struct acs_err err = {0};
	char buf[64] = {0};
	FILE *f;

	make_results(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/summary.md", dir);
	CU_ASSERT_EQUAL(acs_markdown_write(path, &info, r, NCASES, &err), 0);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	CU_ASSERT(strncmp(buf, "## acmespec server run", 22) == 0);
	unlink(path);
	rmdir(dir);
	CU_ASSERT_EQUAL(acs_markdown_write("/nonexistent/s.md", &info, r, NCASES, &err), ACS_E_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot write /nonexistent/s.md"));
}

/* ------------------------------------------------------------------ HTML */

/* The base64 SHA-256 of the text between open and the next "</", as CSP wants it. */
static void element_hash(const char *doc, const char *open, char *out, size_t len)
{
	const char *start = strstr(doc, open), *end;
	unsigned char md[EVP_MAX_MD_SIZE], b64[100];
	unsigned int mdlen = 0;

	out[0] = '\0';
	if (start == NULL)
		return;
	start += strlen(open);
	end = strstr(start, "</");
	if (end == NULL ||
	    EVP_Digest(start, (size_t)(end - start), md, &mdlen, EVP_sha256(), NULL) != 1)
		return;
	EVP_EncodeBlock(b64, md, (int)mdlen);
	snprintf(out, len, "'sha256-%s'", (const char *)b64);
}

static void test_html_summary_and_rows(void)
{
	static const char *const rows[] = {
	    "data-verdict=\"FAIL\"",      "data-verdict=\"XPASS\"", "data-verdict=\"ERROR\"",
	    "data-verdict=\"NONSTRICT\"", "data-verdict=\"XFAIL\"", "data-verdict=\"UNSUPPORTED\"",
	    "data-verdict=\"PASS\"",
	};
	static const char *const sections[] = {
	    "<option value=\"6.5\">",
	    "<option value=\"6.10\">",
	    "<option value=\"7.1\">",
	    "<option value=\"7.5\">",
	};
	struct acs_result r[NCASES];
	char *html;

	make_results(r);
	html = acs_html_render(&info, r, NCASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT(strncmp(html, "<!DOCTYPE html>\n", 16) == 0);
	CU_ASSERT_PTR_NOT_NULL(after(html, "id=\"count-total\"><b>7</b>cases</div>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "id=\"count-FAIL\"><b>1</b>FAIL</div>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "id=\"count-PASS\"><b>1</b>PASS</div>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "id=\"count-SKIPPED\"><b>0</b>SKIPPED</div>"));
	CU_ASSERT_PTR_NOT_NULL(
	    after(html, "<dt>exit code</dt><dd id=\"exit-code\">3: the run could not judge "
	                "everything</dd>"));
	CU_ASSERT_EQUAL(occurrences(html, "<tr class=\"case\""), NCASES);
	CU_ASSERT(in_order(html, rows, sizeof(rows) / sizeof(rows[0])));
	/* filters: hidden without JS, sections in numeric order, only verdicts present */
	CU_ASSERT_PTR_NOT_NULL(after(html, "<form id=\"filters\" hidden>"));
	CU_ASSERT(in_order(html, sections, sizeof(sections) / sizeof(sections[0])));
	CU_ASSERT_PTR_NOT_NULL(after(html, "value=\"FAIL\" checked>"));
	CU_ASSERT_PTR_NULL(strstr(html, "value=\"SKIPPED\" checked>"));
	/* the evidence */
	CU_ASSERT_PTR_NOT_NULL(after(html, "<h4>expected</h4><pre>status 200</pre>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "<h4>step</h4><div>2</div>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "<h4>expectation</h4><div>known: sends 400</div>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "<h4>rerun</h4><pre>acmespec server X --case "
	                                   "'server.8555.6_10.fail'</pre>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "requirement (RFC 8555 \xC2\xA7"
	                                   "6.10, MUST)</h4><blockquote># The server MUST | do "
	                                   "&lt;this&gt; &amp; `that`.</blockquote>"));
	free(html);

	html = acs_html_render(NULL, NULL, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	CU_ASSERT_PTR_NOT_NULL(after(html, "id=\"count-total\"><b>0</b>cases</div>"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "</html>\n"));
	free(html);
}

static void test_html_hostile(void)
{
	struct acs_result r[NCASES];
	char hash[160], *html;
	const char *csp;

	make_results(r);
	html = acs_html_render(&info, r, NCASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(html);
	/* one script element: the report's own; the target's are text */
	CU_ASSERT_EQUAL(occurrences(html, "<script"), 1);
	CU_ASSERT_EQUAL(occurrences(html, "</script>"), 1);
	CU_ASSERT_PTR_NOT_NULL(
	    after(html, "&lt;script&gt;alert(1)&lt;/script&gt; &amp; $m$ ?[31m"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "status 500 &lt;/pre&gt;&lt;/details&gt;&lt;/td&gt;"
	                                   "&lt;/tr&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
	CU_ASSERT_PTR_NOT_NULL(after(html, "&lt;script&gt;alert(3)&lt;/script&gt;"));
	CU_ASSERT_PTR_NULL(strstr(html, "<img"));
	CU_ASSERT_PTR_NULL(strstr(html, "<b>bold"));
	/* attributes: quotes escaped too, so no attribute is broken out of */
	CU_ASSERT_PTR_NOT_NULL(
	    after(html, "data-section=\"&quot;&gt;&lt;img src=x onerror=alert(1)&gt;\""));
	CU_ASSERT_PTR_NOT_NULL(after(html, "<title>acmespec server report: "
	                                   "https://ca.test/dir?a=1&amp;b=&lt;2&gt;</title>"));
	/* no external asset: nothing to load, nowhere to send */
	CU_ASSERT_PTR_NULL(strstr(html, "<link"));
	CU_ASSERT_PTR_NULL(strstr(html, " src=\""));
	CU_ASSERT_PTR_NULL(strstr(html, " href=\""));
	/* the policy allows exactly the report's own style and script */
	csp = after(html, "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
	                  "'none';");
	CU_ASSERT_PTR_NOT_NULL_FATAL(csp);
	CU_ASSERT(csp < strstr(html, "<style>"));
	element_hash(html, "<style>", hash, sizeof(hash));
	CU_ASSERT_PTR_NOT_NULL(after(csp, "style-src "));
	CU_ASSERT_PTR_NOT_NULL(after(csp, hash));
	element_hash(html, "<script>", hash, sizeof(hash));
	CU_ASSERT_PTR_NOT_NULL(after(csp, "script-src "));
	CU_ASSERT_PTR_NOT_NULL(after(csp, hash));
	CU_ASSERT_PTR_NULL(strstr(csp, "unsafe-inline"));
	free(html);
}

static void test_html_write(void)
{
	char dir[] = "/tmp/acs-html-XXXXXX", path[64];
	struct acs_result r[NCASES];
	struct acs_err err = {0};
	char buf[32] = {0};
	FILE *f;

	make_results(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/report.html", dir);
	CU_ASSERT_EQUAL(acs_html_write(path, &info, r, NCASES, &err), 0);
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT(fread(buf, 1, sizeof(buf) - 1, f) > 0);
	fclose(f);
	CU_ASSERT(strncmp(buf, "<!DOCTYPE html>", 15) == 0);
	unlink(path);
	rmdir(dir);
	CU_ASSERT_EQUAL(acs_html_write("/nonexistent/r.html", &info, r, NCASES, &err), ACS_E_IO);
}

static void test_order(void)
{
	struct acs_result r[NCASES];
	size_t *idx;

	make_results(r);
	r[0].verdict = ACS_SKIPPED;
	idx = acs_report_order(r, NCASES);
	CU_ASSERT_PTR_NOT_NULL_FATAL(idx);
	CU_ASSERT_EQUAL(idx[0], 1); /* FAIL */
	CU_ASSERT_EQUAL(idx[5], 6); /* UNSUPPORTED */
	CU_ASSERT_EQUAL(idx[6], 0); /* SKIPPED */
	free(idx);
	CU_ASSERT_PTR_NULL(acs_report_order(r, 0));
	CU_ASSERT_EQUAL(acs_report_verdict_rank(ACS_VERDICT_COUNT), 8);
	CU_ASSERT_STRING_EQUAL(acs_report_case_id(NULL), "(unknown case)");
	CU_ASSERT_STRING_EQUAL(acs_report_exit_words(ACS_EXIT_OK), "nothing unexpected");
	CU_ASSERT_STRING_EQUAL(acs_report_exit_words(ACS_EXIT_UNEXPECTED), "unexpected results");
	CU_ASSERT_STRING_EQUAL(acs_report_exit_words(42), "unknown exit code");
}

void acs_test_register(void)
{
	CU_pSuite md = CU_add_suite("markdown", NULL, NULL);
	CU_pSuite html = CU_add_suite("html", NULL, NULL);

	CU_add_test(md, "md_title_counts_order", test_md_title_counts_order);
	CU_add_test(md, "md_escaping", test_md_escaping);
	CU_add_test(md, "md_size_limits", test_md_size_limits);
	CU_add_test(md, "md_write", test_md_write);
	CU_add_test(html, "html_summary_and_rows", test_html_summary_and_rows);
	CU_add_test(html, "html_hostile", test_html_hostile);
	CU_add_test(html, "html_write", test_html_write);
	CU_add_test(html, "order", test_order);
}
