/*
 * Markdown summary for CI step summaries (GitHub's $GITHUB_STEP_SUMMARY,
 * GitLab and Gitea render the same): the counts, then what did not pass,
 * with evidence folded away. Every string that came from the target is
 * escaped: in running text Markdown punctuation gets a backslash and HTML
 * metacharacters become entities; evidence sits in a code fence longer than
 * any run of backticks inside it, where nothing is interpreted.
 */
#include "reports/report.h"
#include "harness/catalog.h"
#include "harness/rfc3339.h"

#include <stdlib.h>
#include <string.h>

#define MESSAGE_MAX 500 /* bytes of a message shown as the short reason */

/* Length of s cut to at most max bytes without splitting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	return max;
}

/*
 * 1 when the byte at i of s (its first byte at start) needs a backslash:
 * inline punctuation anywhere (code, emphasis, links, table cells,
 * strikethrough, math, escapes), and what would make a heading, list,
 * quote or rule at the start of a line ("# ", "- ", "1. ", "> ").
 */
static int md_needs_escape(const char *s, size_t i, size_t start)
{
	size_t k;

	if (strchr("\\`*_[]|~$", s[i]) != NULL)
		return 1;
	if (i == start && strchr("#+-=!:", s[i]) != NULL)
		return 1;
	if (s[i] == '.' || s[i] == ')') { /* "12. " and "12) " start a list */
		for (k = start; k < i && s[k] >= '0' && s[k] <= '9'; k++)
			;
		return k == i && i > start;
	}
	return 0;
}

/*
 * Running text on one line: sanitised, leading blanks dropped (they could
 * make an indented code block), Markdown punctuation escaped with a
 * backslash and & < > written as entities, so that nothing in it makes a
 * link, an emphasis, a table cell, math, a heading or list, an HTML tag
 * or an autolink. Cut to max bytes (0: no cut) with an ellipsis.
 */
static void md_text(struct acs_report_out *m, const char *s, size_t max)
{
	struct acs_buf clean;
	size_t i, start, len;
	int rc;

	if (m->rc != 0 || s == NULL)
		return;
	acs_buf_init(&clean, ACS_REPORT_MAX);
	rc = acs_report_put_text(&clean, s, strlen(s), ACS_TEXT_ONELINE);
	len = clean.len;
	if (max > 0)
		len = utf8_cut(clean.data, clean.len, max);
	for (start = 0; start < len && clean.data[start] == ' '; start++)
		;
	for (i = start; rc == 0 && i < len; i++) {
		char c = clean.data[i];

		if (c == '&')
			rc = acs_buf_puts(&m->b, "&amp;");
		else if (c == '<')
			rc = acs_buf_puts(&m->b, "&lt;");
		else if (c == '>')
			rc = acs_buf_puts(&m->b, "&gt;");
		else if (md_needs_escape(clean.data, i, start))
			rc = acs_buf_printf(&m->b, "\\%c", c);
		else
			rc = acs_buf_append(&m->b, &c, 1);
	}
	if (rc == 0 && len < clean.len)
		rc = acs_buf_puts(&m->b, "\xE2\x80\xA6"); /* … */
	m->rc = rc;
	acs_buf_free(&clean);
}

/* The longest run of backticks in s. */
static size_t longest_backticks(const char *s, size_t len)
{
	size_t i, run = 0, best = 0;

	for (i = 0; i < len; i++) {
		run = s[i] == '`' ? run + 1 : 0;
		if (run > best)
			best = run;
	}
	return best;
}

/* ------------------------------------------------------------- sections */

static void md_title(struct acs_report_out *m, const struct acs_run_info *info,
                     const struct acs_summary *sum)
{
	size_t i;
	int first = 1;

	acs_out_puts(m, "## acmespec ");
	md_text(m, info != NULL && info->side != NULL ? info->side : "unknown", 0);
	acs_out_puts(m, " run");
	if (info != NULL && info->target != NULL) {
		acs_out_puts(m, " against ");
		md_text(m, info->target, 200);
	}
	acs_out_printf(m, ": %zu case%s", sum->total, sum->total == 1 ? "" : "s");
	for (i = 0; i < ACS_VERDICT_COUNT; i++) {
		size_t k = sum->count[i];

		if (k == 0)
			continue;
		acs_out_printf(m, "%s %zu %s", first ? " \xE2\x80\x94" : ",", k,
		               acs_verdict_name((enum acs_verdict)i));
		first = 0;
	}
	acs_out_puts(m, "\n\n");
}

static void md_run_line(struct acs_report_out *m, const struct acs_run_info *info,
                        const struct acs_summary *sum)
{
	int strict = info != NULL ? info->strict : 0;
	int code = acs_exit_code(sum, strict);
	char stamp[32];

	acs_out_printf(m, "**exit code %d: %s**", code, acs_report_exit_words(code));
	if (info != NULL) {
		acs_out_puts(m, " \xC2\xB7 profile ");
		md_text(m, info->profile != NULL ? info->profile : "(none)", 100);
		acs_out_puts(m, " \xC2\xB7 expectations ");
		md_text(m, info->expect_file != NULL ? info->expect_file : "(none)", 200);
		acs_rfc3339_format(info->started, stamp);
		acs_out_printf(
		    m, " \xC2\xB7 strict %s \xC2\xB7 %d job%s \xC2\xB7 started %s \xC2\xB7 %.3f s",
		    strict ? "on" : "off", info->jobs, info->jobs == 1 ? "" : "s", stamp,
		    info->seconds >= 0 ? info->seconds : 0.0);
	}
	acs_out_printf(m, " \xC2\xB7 acmespec %s\n\n", acs_version());
}

static void md_counts(struct acs_report_out *m, const struct acs_summary *sum)
{
	static const enum acs_verdict order[] = {ACS_PASS,        ACS_FAIL,      ACS_XPASS,
	                                         ACS_ERROR,       ACS_NONSTRICT, ACS_XFAIL,
	                                         ACS_UNSUPPORTED, ACS_SKIPPED};
	size_t i;

	acs_out_puts(m, "| verdict | cases |\n|:--|--:|\n");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		acs_out_printf(m, "| %s | %zu |\n", acs_verdict_name(order[i]),
		               sum->count[order[i]]);
	acs_out_printf(m, "| **total** | **%zu** |\n\n", sum->total);
}

/* The evidence of r in a <details> block, or a note when over budget. */
static void md_evidence(struct acs_report_out *m, const struct acs_result *r)
{
	struct acs_buf d;
	size_t len, fence, i;
	int rc;

	if (m->rc != 0)
		return;
	if (m->b.len > ACS_MARKDOWN_BUDGET) {
		acs_out_puts(
		    m, "*evidence left out: the summary reached its size limit; see the JSON or "
		       "HTML report*\n\n");
		return;
	}
	acs_buf_init(&d, ACS_REPORT_MAX);
	rc = acs_result_details(&d, r, NULL);
	if (rc != 0 || d.data == NULL) {
		acs_buf_free(&d);
		m->rc = rc != 0 ? rc : m->rc;
		return;
	}
	len = utf8_cut(d.data, d.len, ACS_MARKDOWN_CASE_MAX);
	fence = longest_backticks(d.data, len) + 1;
	if (fence < 3)
		fence = 3;
	acs_out_puts(m, "<details><summary>evidence</summary>\n\n");
	for (i = 0; i < fence; i++)
		acs_out_puts(m, "`");
	acs_out_puts(m, "text\n");
	if (m->rc == 0)
		m->rc = acs_buf_append(&m->b, d.data, len);
	if (len > 0 && d.data[len - 1] != '\n')
		acs_out_puts(m, "\n");
	if (len < d.len)
		acs_out_printf(m, "[evidence cut at %zu of %zu bytes]\n", len, d.len);
	for (i = 0; i < fence; i++)
		acs_out_puts(m, "`");
	acs_out_puts(m, "\n\n</details>\n\n");
	acs_buf_free(&d);
}

static void md_case(struct acs_report_out *m, const struct acs_result *r)
{
	const struct acs_case *c = r->c;

	acs_out_puts(m, "**");
	md_text(m, acs_report_case_id(r), 0);
	acs_out_puts(m, "**");
	if (c != NULL) {
		struct acs_buf ref;

		/* one text, so that the section is not at its start ("6.10" is no list) */
		acs_buf_init(&ref, 0);
		if (acs_buf_printf(&ref, "%s%s \xC2\xA7%s",
		                   c->rfc != NULL && strcmp(c->rfc, "profiles") == 0 ? "" : "RFC ",
		                   c->rfc != NULL && strcmp(c->rfc, "profiles") == 0
		                       ? "draft-ietf-acme-profiles"
		                       : (c->rfc != NULL ? c->rfc : "?"),
		                   c->section != NULL ? c->section : "?") != 0 &&
		    m->rc == 0)
			m->rc = ACS_E_NOMEM;
		acs_out_puts(m, " \xC2\xB7 ");
		md_text(m, ref.data, 0);
		acs_buf_free(&ref);
		acs_out_printf(m, " \xC2\xB7 %s", acs_level_name(c->level));
		if (c->title != NULL) {
			acs_out_puts(m, " \xC2\xB7 ");
			md_text(m, c->title, MESSAGE_MAX);
		}
	}
	acs_out_puts(m, "\n\n");
	if (c != NULL && c->requirement != NULL) {
		acs_out_puts(m, "> ");
		md_text(m, c->requirement, 0);
		acs_out_puts(m, "\n\n");
	}
	if (r->message != NULL) {
		acs_out_puts(m, "reason: ");
		md_text(m, r->message, MESSAGE_MAX);
		acs_out_puts(m, "\n\n");
	}
	if (r->expect_reason != NULL && (r->verdict == ACS_XFAIL || r->verdict == ACS_XPASS)) {
		acs_out_puts(m, "expectation: ");
		md_text(m, r->expect_reason, MESSAGE_MAX);
		acs_out_puts(m, "\n\n");
	}
	md_evidence(m, r);
}

char *acs_markdown_render(const struct acs_run_info *info, const struct acs_result *results,
                          size_t n)
{
	struct acs_summary sum;
	struct acs_report_out m;
	size_t *order = NULL, i;
	enum acs_verdict current = ACS_PASS;

	if (acs_out_begin(&m, results, &n, &sum, &order) != 0)
		return NULL;
	md_title(&m, info, &sum);
	md_run_line(&m, info, &sum);
	md_counts(&m, &sum);
	if (sum.count[ACS_PASS] == sum.total)
		acs_out_puts(&m, "Every case passed.\n");
	for (i = 0; i < n && m.rc == 0; i++) {
		const struct acs_result *r = &results[order[i]];

		if (r->verdict == ACS_PASS)
			continue;
		if (r->verdict != current) {
			current = r->verdict;
			acs_out_printf(&m, "### %s (%zu)\n\n", acs_verdict_name(current),
			               (int)current >= 0 && current < ACS_VERDICT_COUNT
			                   ? sum.count[current]
			                   : (size_t)0);
		}
		md_case(&m, r);
	}
	free(order);
	return acs_out_finish(&m);
}

int acs_markdown_write(const char *path, const struct acs_run_info *info,
                       const struct acs_result *results, size_t n, struct acs_err *err)
{
	return acs_report_write_doc(path, acs_markdown_render(info, results, n), "Markdown summary",
	                            err);
}
