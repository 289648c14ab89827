/*
 * Console report: one line per finished case, then the details of what went
 * wrong and the counts. Deterministic text (no clock times, only
 * durations); colour only when asked. Everything that came from a peer is
 * sanitised first, so a hostile server cannot send escape sequences to the
 * user's terminal.
 */
#include "reports/report.h"
#include "harness/catalog.h"

#include <stdlib.h>
#include <string.h>

#define C_RESET   "\033[0m"
#define C_BOLD    "\033[1m"
#define C_DIM     "\033[2m"
#define C_RED     "\033[31m"
#define C_GREEN   "\033[32m"
#define C_YELLOW  "\033[33m"
#define C_MAGENTA "\033[35m"

#define VERDICT_WIDTH 11 /* strlen("UNSUPPORTED") */

static const char *verdict_color(enum acs_verdict v)
{
	switch (v) {
	case ACS_PASS:
		return C_GREEN;
	case ACS_FAIL:
	case ACS_XPASS:
		return C_RED;
	case ACS_NONSTRICT:
		return C_YELLOW;
	case ACS_ERROR:
		return C_MAGENTA;
	case ACS_UNSUPPORTED:
	case ACS_SKIPPED:
	case ACS_XFAIL:
		return C_DIM;
	default:
		return C_RESET;
	}
}

static const char *case_id(const struct acs_result *r)
{
	return r->c != NULL && r->c->id != NULL ? r->c->id : "(unknown case)";
}

/* ---------------------------------------------------------------- details */

/* Append "<indent><text>", text made one sanitised line. */
static int put_line(struct acs_buf *b, const char *indent, const char *label, const char *text)
{
	int rc = 0;

	if (indent != NULL)
		rc = acs_buf_puts(b, indent);
	if (rc == 0 && label != NULL)
		rc = acs_buf_printf(b, "%s: ", label);
	if (rc == 0)
		rc = acs_report_put_text(b, text, strlen(text), ACS_TEXT_ONELINE);
	if (rc == 0)
		rc = acs_buf_puts(b, "\n");
	return rc;
}

/*
 * "label: value" on one line when value is one line; otherwise "label:"
 * and each line of value under it, indented two more spaces. A final
 * newline of value adds no empty line.
 */
static int put_field(struct acs_buf *b, const char *indent, const char *label, const char *value)
{
	const char *p, *nl;
	size_t len;
	int rc = 0;

	if (value == NULL)
		return 0;
	len = strlen(value);
	while (len > 0 && (value[len - 1] == '\n' || value[len - 1] == '\r'))
		len--;
	if (memchr(value, '\n', len) == NULL) {
		if (indent != NULL)
			rc = acs_buf_puts(b, indent);
		if (rc == 0)
			rc = acs_buf_printf(b, "%s: ", label);
		if (rc == 0)
			rc = acs_report_put_text(b, value, len, 0);
		if (rc == 0)
			rc = acs_buf_puts(b, "\n");
		return rc;
	}
	if (indent != NULL)
		rc = acs_buf_puts(b, indent);
	if (rc == 0)
		rc = acs_buf_printf(b, "%s:\n", label);
	for (p = value; rc == 0 && p < value + len; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(value + len - p));
		if (nl == NULL)
			nl = value + len;
		if (indent != NULL)
			rc = acs_buf_puts(b, indent);
		if (rc == 0)
			rc = acs_buf_puts(b, "  ");
		if (rc == 0)
			rc = acs_report_put_text(b, p, (size_t)(nl - p), 0);
		if (rc == 0)
			rc = acs_buf_puts(b, "\n");
	}
	return rc;
}

/* 1 when s is all digits (an RFC number rather than "v1v2" / "boulder"). */
static int all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return 0;
	}
	return 1;
}

int acs_result_details(struct acs_buf *b, const struct acs_result *r, const char *indent)
{
	return acs_result_details_opt(b, r, indent, 0);
}

int acs_result_details_opt(struct acs_buf *b, const struct acs_result *r, const char *indent,
                           int brief)
{
	const struct acs_case *c = r->c;
	struct acs_buf ref;
	int rc = 0;

	if (c != NULL && c->title != NULL)
		rc = put_line(b, indent, NULL, c->title);
	if (rc == 0 && c != NULL) {
		/* "requirement (RFC 8555 §6.5, MUST)"; families name RFC 8555's section */
		acs_buf_init(&ref, 0);
		if (c->rfc != NULL && strcmp(c->rfc, "profiles") == 0) /* its own section numbers */
			rc = acs_buf_printf(
			    &ref, "requirement (draft-ietf-acme-profiles \xC2\xA7%s, %s)",
			    c->section != NULL ? c->section : "?", acs_level_name(c->level));
		else if (c->rfc == NULL || all_digits(c->rfc))
			rc = acs_buf_printf(&ref, "requirement (RFC %s \xC2\xA7%s, %s)",
			                    c->rfc != NULL ? c->rfc : "?",
			                    c->section != NULL ? c->section : "?",
			                    acs_level_name(c->level));
		else if (strncmp(c->rfc, "dns", 3) == 0)
			/* dnsaccount, dnspersist: the drafts' own sections (issue 7 item 3) */
			rc = acs_buf_printf(&ref, "requirement (draft %s \xC2\xA7%s, %s)", c->rfc,
			                    c->section != NULL ? c->section : "?",
			                    acs_level_name(c->level));
		else
			rc = acs_buf_printf(&ref, "requirement (%s: RFC 8555 \xC2\xA7%s, %s)",
			                    c->rfc, c->section != NULL ? c->section : "?",
			                    acs_level_name(c->level));
		if (rc == 0)
			rc = put_line(b, indent, ref.data,
			              c->requirement != NULL ? c->requirement : "(not given)");
		acs_buf_free(&ref);
	}
	if (rc == 0 && r->message != NULL)
		rc = put_line(b, indent, "result", r->message);
	if (rc == 0 && r->step > 0) {
		if (indent != NULL)
			rc = acs_buf_puts(b, indent);
		if (rc == 0)
			rc = acs_buf_printf(b, "step: %d\n", r->step);
	}
	if (rc == 0)
		rc = put_field(b, indent, "expected", r->expected);
	if (rc == 0)
		rc = put_field(b, indent, "actual", r->actual);
	if (rc == 0)
		rc = put_field(b, indent, "expectation", r->expect_reason);
	if (rc == 0 && !brief)
		rc = put_field(b, indent, "transcript", r->transcript);
	if (rc == 0 && !brief)
		rc = put_field(b, indent, "client output", r->client_output);
	if (rc == 0)
		rc = put_field(b, indent, "rerun", r->rerun);
	return rc;
}

/* ------------------------------------------------------------- case lines */

static void put_verdict(const struct acs_console *con, enum acs_verdict v)
{
	const char *name = acs_verdict_name(v);
	int pad = VERDICT_WIDTH - (int)strlen(name);

	if (con->color)
		fprintf(con->out, "%s%s%s", verdict_color(v), name, C_RESET);
	else
		fputs(name, con->out);
	if (pad > 0)
		fprintf(con->out, "%*s", pad, "");
}

static size_t digits(size_t n)
{
	size_t d = 1;

	while (n >= 10) {
		n /= 10;
		d++;
	}
	return d;
}

/*
 * "[ 3/80] FAIL        server.8555.6_5.x  step 2: expected 400, got 201".
 * With verbose, a PASS is followed by its evidence, indented.
 */
void acs_console_case(const struct acs_console *con, const struct acs_result *r, size_t done,
                      size_t total)
{
	struct acs_buf line;

	if (con == NULL || con->out == NULL || r == NULL)
		return;
	if (con->quiet && r->verdict == ACS_PASS)
		return;
	acs_buf_init(&line, 0);
	if (con->progress)
		fprintf(con->out, "[%*zu/%zu] ", (int)digits(total), done, total);
	put_verdict(con, r->verdict);
	fputc(' ', con->out);
	(void)acs_report_put_text(&line, case_id(r), strlen(case_id(r)), ACS_TEXT_ONELINE);
	if (r->verdict != ACS_PASS && r->message != NULL) {
		(void)acs_buf_puts(&line, "  ");
		(void)acs_report_put_text(&line, r->message, strlen(r->message), ACS_TEXT_ONELINE);
	}
	if (line.data != NULL)
		fputs(line.data, con->out);
	fputc('\n', con->out);
	if (con->verbose && r->verdict == ACS_PASS) {
		acs_buf_reset(&line);
		if (acs_result_details(&line, r, "    ") == 0 && line.data != NULL)
			fputs(line.data, con->out);
	}
	acs_buf_free(&line);
}

/* ---------------------------------------------------------------- summary */

static void heading(const struct acs_console *con, const char *text)
{
	if (con->color)
		fprintf(con->out, "\n%s%s%s\n", C_BOLD, text, C_RESET);
	else
		fprintf(con->out, "\n%s\n", text);
}

static void details_block(const struct acs_console *con, const struct acs_result *r)
{
	struct acs_buf d;

	acs_buf_init(&d, (size_t)512 * 1024 * 1024);
	fputc('\n', con->out);
	put_verdict(con, r->verdict);
	fputc(' ', con->out);
	(void)acs_report_put_text(&d, case_id(r), strlen(case_id(r)), ACS_TEXT_ONELINE);
	(void)acs_buf_puts(&d, "\n");
	if (acs_result_details_opt(&d, r, "  ", con->brief) != 0)
		(void)acs_buf_puts(&d, "  (details cut short: out of memory)\n");
	else if (con->brief && (r->transcript != NULL || r->client_output != NULL))
		(void)acs_buf_puts(&d, "  (transcript left out by --brief: the JSON, HTML and "
		                       "JUnit reports keep it)\n");
	if (d.data != NULL)
		fputs(d.data, con->out);
	acs_buf_free(&d);
}

static int needs_details(enum acs_verdict v, int strict)
{
	return v == ACS_FAIL || v == ACS_XPASS || v == ACS_ERROR || (v == ACS_NONSTRICT && strict);
}

/* Words of the final line, in the order they are listed. */
static const struct {
	enum acs_verdict v;
	const char *one, *many;
} final_words[] = {
    {ACS_PASS, "passed", "passed"},
    {ACS_XFAIL, "xfail", "xfail"},
    {ACS_UNSUPPORTED, "unsupported", "unsupported"},
    {ACS_SKIPPED, "skipped", "skipped"},
    {ACS_NONSTRICT, "nonstrict", "nonstrict"},
    {ACS_XPASS, "xpass", "xpass"},
    {ACS_FAIL, "failed", "failed"},
    {ACS_ERROR, "error", "errors"},
};

void acs_console_summary(const struct acs_console *con, const struct acs_run_info *info,
                         const struct acs_result *results, size_t n)
{
	struct acs_summary sum;
	int strict = info != NULL ? info->strict : 0;
	size_t i, shown = 0, warned = 0;
	double seconds;
	int code, first = 1;

	if (con == NULL || con->out == NULL)
		return;
	if (results == NULL)
		n = 0;
	acs_summarize(results, n, &sum);
	code = acs_exit_code(&sum, strict);
	seconds = info != NULL ? info->seconds : sum.seconds;

	for (i = 0; i < n; i++) {
		if (!needs_details(results[i].verdict, strict))
			continue;
		if (shown++ == 0)
			heading(con, "Problems");
		details_block(con, &results[i]);
	}
	for (i = 0; i < n; i++) {
		struct acs_buf w;

		if (results[i].verdict != ACS_NONSTRICT || strict)
			continue;
		if (warned++ == 0)
			heading(con, "Warnings (SHOULD not met; failures only with --strict)");
		acs_buf_init(&w, 0);
		(void)acs_buf_puts(&w, "  ");
		(void)acs_report_put_text(&w, case_id(&results[i]), strlen(case_id(&results[i])),
		                          ACS_TEXT_ONELINE);
		if (results[i].message != NULL) {
			(void)acs_buf_puts(&w, "  ");
			(void)acs_report_put_text(&w, results[i].message,
			                          strlen(results[i].message), ACS_TEXT_ONELINE);
		}
		if (w.data != NULL)
			fprintf(con->out, "%s\n", w.data);
		acs_buf_free(&w);
	}

	heading(con, "Summary");
	for (i = 0; i < ACS_VERDICT_COUNT; i++) {
		fprintf(con->out, "%s%s %zu", i == 0 ? "  " : ", ",
		        acs_verdict_name((enum acs_verdict)i), sum.count[i]);
	}
	fputc('\n', con->out);
	if (info != NULL)
		fprintf(con->out, "  time: %.3fs (cases: %.3fs, %d job%s)\n", seconds, sum.seconds,
		        info->jobs, info->jobs == 1 ? "" : "s");
	else
		fprintf(con->out, "  time: %.3fs\n", seconds);

	if (con->color)
		fputs(code == 0 ? C_GREEN : code == ACS_EXIT_INFRA ? C_MAGENTA : C_RED, con->out);
	fprintf(con->out, "%zu case%s", sum.total, sum.total == 1 ? "" : "s");
	for (i = 0; i < sizeof(final_words) / sizeof(final_words[0]); i++) {
		size_t k = sum.count[final_words[i].v];

		if (k == 0)
			continue;
		fprintf(con->out, "%s %zu %s", first ? ":" : ",", k,
		        k == 1 ? final_words[i].one : final_words[i].many);
		first = 0;
	}
	fprintf(con->out, " (exit %d)", code);
	if (con->color)
		fputs(C_RESET, con->out);
	fputc('\n', con->out);
}
