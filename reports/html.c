/*
 * Self-contained HTML report: one file that a person opens from a CI
 * artifact, with no external asset (inline CSS, a little inline JS), in
 * the spirit of Autobahn's per-case pages: the run, the counts, filters,
 * and every case as a row whose evidence unfolds.
 *
 * Everything the target sent is hostile: every string is HTML-escaped
 * (element text: & < >; attributes: also quotes, on one line), and a
 * Content-Security-Policy allows only this file's own style and script, by
 * SHA-256 hash, and no network at all. Without JS the filters stay hidden
 * and every row is visible.
 */
#include "reports/report.h"
#include "harness/catalog.h"
#include "harness/rfc3339.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

static const char css[] =
    "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;color:#1b1f24;"
    "background:#f6f7f9}"
    "header,main{max-width:1200px;margin:0 auto;padding:12px 20px}"
    "header{background:#fff;border-bottom:1px solid #d8dce1;max-width:none;"
    "padding:12px max(20px,calc((100% - 1160px)/2))}"
    "h1{font-size:20px;margin:4px 0 8px}"
    "dl.run{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0}"
    "dl.run dt{color:#57606a}dl.run dd{margin:0;word-break:break-all}"
    ".cards{display:flex;flex-wrap:wrap;gap:8px;margin:14px 0}"
    ".card{border-radius:6px;padding:6px 12px;background:#fff;border:1px solid #d8dce1;"
    "border-left-width:6px;min-width:90px}"
    ".card b{display:block;font-size:22px}"
    ".v-PASS{border-left-color:#1a7f37}.v-FAIL,.v-XPASS{border-left-color:#cf222e}"
    ".v-ERROR{border-left-color:#8250df}.v-NONSTRICT{border-left-color:#bf8700}"
    ".v-XFAIL,.v-UNSUPPORTED,.v-SKIPPED,.v-UNKNOWN{border-left-color:#8c959f}"
    ".badge{display:inline-block;font:600 12px/1.6 ui-monospace,monospace;padding:0 6px;"
    "border-radius:4px;color:#fff;background:#8c959f}"
    ".badge.v-PASS{background:#1a7f37}.badge.v-FAIL,.badge.v-XPASS{background:#cf222e}"
    ".badge.v-ERROR{background:#8250df}.badge.v-NONSTRICT{background:#bf8700}"
    "form#filters{background:#fff;border:1px solid #d8dce1;border-radius:6px;padding:8px 12px;"
    "margin:0 0 12px;display:flex;flex-wrap:wrap;gap:6px 16px;align-items:center}"
    "form#filters label{white-space:nowrap}"
    "table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d8dce1}"
    "th,td{text-align:left;vertical-align:top;padding:5px 8px;border-bottom:1px solid #eaeef2}"
    "th{background:#f0f2f5;position:sticky;top:0}"
    "td.num{white-space:nowrap;color:#57606a}"
    "summary{cursor:pointer}summary code{font-weight:600}"
    ".msg{display:block;color:#57606a;margin-top:2px;word-break:break-word}"
    ".ev{margin:8px 0 4px;padding-left:10px;border-left:3px solid #d8dce1}"
    ".ev h4{margin:10px 0 2px;font-size:12px;text-transform:uppercase;color:#57606a}"
    ".ev blockquote{margin:0;font-style:italic}"
    ".pair{display:grid;grid-template-columns:1fr 1fr;gap:10px}"
    "pre{background:#f6f8fa;border:1px solid #eaeef2;padding:6px 8px;margin:0;overflow:auto;"
    "max-height:480px;white-space:pre-wrap;word-break:break-all;"
    "font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,monospace}"
    "footer{color:#57606a;font-size:12px;padding:16px 20px;text-align:center}";

static const char js[] =
    "(function(){var f=document.getElementById('filters');if(!f)return;f.hidden=false;"
    "var rows=document.querySelectorAll('tr.case'),shown=document.getElementById('shown');"
    "function apply(){var want={},i,b=f.querySelectorAll('input[name=verdict]');"
    "for(i=0;i<b.length;i++)want[b[i].value]=b[i].checked;"
    "var sec=f.elements.section.value,lvl=f.elements.level.value,n=0;"
    "for(i=0;i<rows.length;i++){var d=rows[i].dataset,s=d.section||'';"
    "var ok=want[d.verdict]!==false&&(!sec||s===sec||s.indexOf(sec+'.')===0)&&"
    "(!lvl||d.level===lvl);rows[i].hidden=!ok;if(ok)n++;}"
    "shown.textContent=n+' of '+rows.length+' cases shown';}"
    "function fold(open){for(var i=0;i<rows.length;i++){if(!rows[i].hidden)"
    "rows[i].querySelector('details').open=open;}}"
    "document.getElementById('open-all').onclick=function(){fold(true);};"
    "document.getElementById('close-all').onclick=function(){fold(false);};"
    "f.addEventListener('change',apply);"
    "f.addEventListener('reset',function(){setTimeout(apply,0);});apply();})();";

/* Element text, escaped (& < >), line breaks kept. */
static void h_text(struct acs_report_out *h, const char *s)
{
	acs_out_text(h, s, ACS_TEXT_XML);
}

/* An attribute value, escaped (& < > " ') on one line, quoted. */
static void h_attr(struct acs_report_out *h, const char *name, const char *value)
{
	acs_out_printf(h, " %s=\"", name);
	acs_out_text(h, value, ACS_TEXT_XML | ACS_TEXT_ONELINE);
	acs_out_puts(h, "\"");
}

/* 'sha256-<base64>' of text for the Content-Security-Policy. */
static void h_csp_hash(struct acs_report_out *h, const char *text)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
	unsigned int mdlen = 0;

	if (h->rc != 0)
		return;
	if (EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL) != 1) {
		h->rc = ACS_E_CRYPTO;
		return;
	}
	EVP_EncodeBlock(b64, md, (int)mdlen);
	acs_out_printf(h, "'sha256-%s'", (const char *)b64);
}

/* ------------------------------------------------------------ sections */

/* Compare dotted section numbers numerically ("6.5" < "6.10"); qsort. */
static int cmp_section(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;

	while (*x != '\0' && *y != '\0') {
		char *ex, *ey;
		unsigned long nx = strtoul(x, &ex, 10), ny = strtoul(y, &ey, 10);

		if (ex != x && ey != y && nx != ny)
			return nx < ny ? -1 : 1;
		if (ex == x || ey == y) /* not numbers: plain order */
			return strcmp(x, y);
		x = ex;
		y = ey;
		if (*x != *y)
			return (unsigned char)*x < (unsigned char)*y ? -1 : 1;
		if (*x != '\0') {
			x++;
			y++;
		}
	}
	return (unsigned char)*x - (unsigned char)*y;
}

/* The distinct sections of results, sorted; new array of borrowed strings. */
static const char **distinct_sections(const struct acs_result *results, size_t n, size_t *count)
{
	const char **list = calloc(n + 1, sizeof(*list));
	size_t i, k = 0, out = 0;

	*count = 0;
	if (list == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (results[i].c != NULL && results[i].c->section != NULL)
			list[k++] = results[i].c->section;
	}
	qsort(list, k, sizeof(*list), cmp_section);
	for (i = 0; i < k; i++) {
		if (out == 0 || strcmp(list[out - 1], list[i]) != 0)
			list[out++] = list[i];
	}
	*count = out;
	return list;
}

static void h_head(struct acs_report_out *h, const struct acs_run_info *info)
{
	acs_out_puts(h,
	             "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	             "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	             "img-src data:; base-uri 'none'; form-action 'none'; style-src ");
	h_csp_hash(h, css);
	acs_out_puts(h, "; script-src ");
	h_csp_hash(h, js);
	acs_out_puts(h, "\">\n<title>acmespec ");
	h_text(h, info != NULL && info->side != NULL ? info->side : "unknown");
	acs_out_puts(h, " report");
	if (info != NULL && info->target != NULL) {
		acs_out_puts(h, ": ");
		h_text(h, info->target);
	}
	acs_out_puts(h, "</title>\n<style>");
	acs_out_puts(h, css);
	acs_out_puts(h, "</style>\n</head>\n<body>\n");
}

static void h_run_item(struct acs_report_out *h, const char *label, const char *value)
{
	acs_out_printf(h, "<dt>%s</dt><dd>", label);
	h_text(h, value != NULL ? value : "(none)");
	acs_out_puts(h, "</dd>");
}

static void h_header(struct acs_report_out *h, const struct acs_run_info *info,
                     const struct acs_summary *sum)
{
	int strict = info != NULL ? info->strict : 0;
	int code = acs_exit_code(sum, strict);
	char stamp[32];

	acs_out_puts(h, "<header>\n<h1>acmespec ");
	h_text(h, info != NULL && info->side != NULL ? info->side : "unknown");
	acs_out_puts(h, " report</h1>\n<dl class=\"run\">");
	h_run_item(h, "target", info != NULL ? info->target : NULL);
	h_run_item(h, "profile", info != NULL ? info->profile : NULL);
	h_run_item(h, "expectations", info != NULL ? info->expect_file : NULL);
	if (info != NULL) {
		acs_rfc3339_format(info->started, stamp);
		h_run_item(h, "started", stamp);
		acs_out_printf(h, "<dt>duration</dt><dd>%.3f s (%d job%s)</dd>",
		               info->seconds >= 0 ? info->seconds : 0.0, info->jobs,
		               info->jobs == 1 ? "" : "s");
	}
	h_run_item(h, "strict", strict ? "on (NONSTRICT fails the run)" : "off");
	acs_out_printf(h, "<dt>exit code</dt><dd id=\"exit-code\">%d: %s</dd>", code,
	               acs_report_exit_words(code));
	h_run_item(h, "acmespec", acs_version());
	acs_out_puts(h, "</dl>\n</header>\n");
}

static const enum acs_verdict shown_order[] = {
    ACS_FAIL,  ACS_XPASS,       ACS_ERROR,   ACS_NONSTRICT,
    ACS_XFAIL, ACS_UNSUPPORTED, ACS_SKIPPED, ACS_PASS,
};
#define NSHOWN (sizeof(shown_order) / sizeof(shown_order[0]))

static void h_cards(struct acs_report_out *h, const struct acs_summary *sum)
{
	size_t i;

	acs_out_printf(
	    h,
	    "<section class=\"cards\" id=\"summary\">\n<div class=\"card\" id=\"count-total\">"
	    "<b>%zu</b>cases</div>\n",
	    sum->total);
	for (i = 0; i < NSHOWN; i++) {
		const char *name = acs_verdict_name(shown_order[i]);

		acs_out_printf(h, "<div class=\"card v-%s\" id=\"count-%s\"><b>%zu</b>%s</div>\n",
		               name, name, sum->count[shown_order[i]], name);
	}
	acs_out_puts(h, "</section>\n");
}

static void h_filters(struct acs_report_out *h, const struct acs_result *results, size_t n,
                      const struct acs_summary *sum)
{
	const char **sections;
	size_t i, ns = 0;

	acs_out_puts(h, "<form id=\"filters\" hidden>\n<strong>show</strong>\n");
	for (i = 0; i < NSHOWN; i++) {
		const char *name = acs_verdict_name(shown_order[i]);

		if (sum->count[shown_order[i]] == 0)
			continue;
		acs_out_printf(
		    h,
		    "<label><input type=\"checkbox\" name=\"verdict\" value=\"%s\" checked> "
		    "<span class=\"badge v-%s\">%s</span> %zu</label>\n",
		    name, name, name, sum->count[shown_order[i]]);
	}
	acs_out_puts(h, "<label>section <select name=\"section\"><option value=\"\">all</option>");
	sections = distinct_sections(results, n, &ns);
	if (sections == NULL && h->rc == 0)
		h->rc = ACS_E_NOMEM;
	for (i = 0; i < ns; i++) {
		acs_out_puts(h, "<option");
		h_attr(h, "value", sections[i]);
		acs_out_puts(h, ">\xC2\xA7");
		h_text(h, sections[i]);
		acs_out_puts(h, "</option>");
	}
	free(sections);
	acs_out_puts(h,
	             "</select></label>\n<label>level <select name=\"level\"><option value=\"\">all"
	             "</option><option>MUST</option><option>SHOULD</option><option>MAY</option>"
	             "</select></label>\n<button type=\"reset\">reset</button>\n"
	             "<button type=\"button\" id=\"open-all\">unfold shown</button>\n"
	             "<button type=\"button\" id=\"close-all\">fold all</button>\n"
	             "<span id=\"shown\"></span>\n</form>\n");
}

/* A titled block of the evidence: <h4>label</h4><pre>text</pre>. */
static void h_block(struct acs_report_out *h, const char *label, const char *text)
{
	if (text == NULL)
		return;
	acs_out_printf(h, "<div><h4>%s</h4><pre>", label);
	h_text(h, text);
	acs_out_puts(h, "</pre></div>");
}

static void h_evidence(struct acs_report_out *h, const struct acs_result *r)
{
	const struct acs_case *c = r->c;

	acs_out_puts(h, "<div class=\"ev\">");
	if (c != NULL) {
		acs_out_puts(h, "<h4>requirement (RFC ");
		h_text(h, c->rfc != NULL ? c->rfc : "?");
		acs_out_puts(h, " \xC2\xA7");
		h_text(h, c->section != NULL ? c->section : "?");
		acs_out_printf(h, ", %s)</h4><blockquote>", acs_level_name(c->level));
		h_text(h, c->requirement != NULL ? c->requirement : "(not given)");
		acs_out_puts(h, "</blockquote>");
	}
	if (r->message != NULL) {
		acs_out_puts(h, "<h4>result</h4><div class=\"result\">");
		h_text(h, r->message);
		acs_out_puts(h, "</div>");
	}
	if (r->step > 0)
		acs_out_printf(h, "<h4>step</h4><div>%d</div>", r->step);
	if (r->expected != NULL || r->actual != NULL) {
		acs_out_puts(h, "<div class=\"pair\">");
		h_block(h, "expected", r->expected != NULL ? r->expected : "");
		h_block(h, "actual", r->actual != NULL ? r->actual : "");
		acs_out_puts(h, "</div>");
	}
	if (r->expect_reason != NULL) {
		acs_out_puts(h, "<h4>expectation</h4><div>");
		h_text(h, r->expect_reason);
		acs_out_puts(h, "</div>");
	}
	h_block(h, "transcript", r->transcript);
	h_block(h, "client output", r->client_output);
	h_block(h, "rerun", r->rerun);
	acs_out_puts(h, "</div>");
}

static void h_row(struct acs_report_out *h, const struct acs_result *r)
{
	const struct acs_case *c = r->c;
	const char *v = acs_verdict_name(r->verdict);
	double secs = r->seconds >= 0 && r->seconds < 1e9 ? r->seconds : 0.0;

	acs_out_puts(h, "<tr class=\"case\"");
	h_attr(h, "data-verdict", v);
	h_attr(h, "data-section", c != NULL ? c->section : "");
	h_attr(h, "data-level", c != NULL ? acs_level_name(c->level) : "");
	acs_out_printf(
	    h, "><td><span class=\"badge v-%s\">%s</span></td><td><details><summary><code>", v, v);
	h_text(h, acs_report_case_id(r));
	acs_out_puts(h, "</code>");
	if (c != NULL && c->title != NULL) {
		acs_out_puts(h, " \xE2\x80\x94 ");
		h_text(h, c->title);
	}
	if (r->verdict != ACS_PASS && r->message != NULL) {
		/* a span: <summary> holds phrasing content only */
		acs_out_puts(h, "<span class=\"msg\">");
		h_text(h, r->message);
		acs_out_puts(h, "</span>");
	}
	acs_out_puts(h, "</summary>");
	h_evidence(h, r);
	acs_out_puts(h, "</details></td><td>");
	if (c != NULL && c->section != NULL) {
		acs_out_puts(h, "\xC2\xA7");
		h_text(h, c->section);
	}
	acs_out_printf(h, "</td><td>%s</td><td class=\"num\">%.3f s</td></tr>\n",
	               c != NULL ? acs_level_name(c->level) : "", secs);
}

char *acs_html_render(const struct acs_run_info *info, const struct acs_result *results, size_t n)
{
	struct acs_summary sum;
	struct acs_report_out h;
	size_t *order, i;

	if (acs_out_begin(&h, results, &n, &sum, &order) != 0)
		return NULL;
	h_head(&h, info);
	h_header(&h, info, &sum);
	acs_out_puts(&h, "<main>\n");
	h_cards(&h, &sum);
	h_filters(&h, results, n, &sum);
	acs_out_puts(&h, "<table id=\"cases\">\n<thead><tr><th>verdict</th><th>case (click for the "
	                 "evidence)</th><th>section</th><th>level</th><th>time</th></tr></thead>\n"
	                 "<tbody>\n");
	for (i = 0; i < n && h.rc == 0; i++)
		h_row(&h, &results[order[i]]);
	acs_out_puts(&h, "</tbody>\n</table>\n</main>\n<footer>written by acmespec ");
	h_text(&h, acs_version());
	acs_out_puts(
	    &h, "; problems first, then known failures, what did not apply, and passes</footer>\n"
	        "<script>");
	acs_out_puts(&h, js);
	acs_out_puts(&h, "</script>\n</body>\n</html>\n");
	free(order);
	return acs_out_finish(&h);
}

int acs_html_write(const char *path, const struct acs_run_info *info,
                   const struct acs_result *results, size_t n, struct acs_err *err)
{
	return acs_report_write_doc(path, acs_html_render(info, results, n), "HTML report", err);
}
