/*
 * Report writers: console, JUnit XML (validates against
 * shared/reference/junit.xsd), JSON, a Markdown summary and a
 * self-contained HTML report (docs/reports.md). They take the finished
 * results plus a description of the run; none of them prints anything
 * else. Reading a JSON report back, diff, merge and the expectations draft
 * are in reports/load.h.
 */
#ifndef ACMESPEC_REPORT_H
#define ACMESPEC_REPORT_H

#include <stdio.h>
#include <time.h>
#include "harness/buf.h"
#include "harness/err.h"
#include "harness/verdict.h"
#include "harness/version.h"

struct acs_run_info {
	const char *side;        /* "server" or "client" */
	const char *target;      /* directory URL or client command */
	const char *profile;     /* "rfc8555", "letsencrypt", ... */
	const char *expect_file; /* may be NULL */
	int strict;
	int jobs;
	time_t started; /* UTC */
	double seconds;
	int interrupted; /* 0, or the signal that stopped the run (a partial report) */
};

/*
 * Console. color: 1 to colour verdicts (the CLI decides: a TTY, no
 * NO_COLOR, no --no-color). verbose: also print the evidence of PASSes.
 */
struct acs_console {
	FILE *out;
	int color;
	int verbose;
	int progress; /* draw "[12/80]" progress (TTY only) */
	int quiet;    /* no line for a PASS: only what is not PASS, and the summary */
	int brief;    /* evidence without transcripts and client output */
};

/* One line for a finished case: "PASS  server.8555.6_5.nonce-reused ..." */
void acs_console_case(const struct acs_console *con, const struct acs_result *r, size_t done,
                      size_t total);

/*
 * The end of the run: details of every FAIL/XPASS/ERROR (and NONSTRICT with
 * strict): requirement, expected vs actual, transcript, rerun command;
 * then the summary line and counts.
 */
void acs_console_summary(const struct acs_console *con, const struct acs_run_info *info,
                         const struct acs_result *results, size_t n);

/*
 * JUnit XML: one <testsuites> with one <testsuite name="acmespec.<side>">,
 * one <testcase> per result (classname "acmespec.<side>.<rfc>.sec<section
 * with _>" so no dots split the section), times with at most 3 decimals, UTC
 * timestamp without zone. Written to path atomically (temp file + rename).
 */
int acs_junit_write(const char *path, const struct acs_run_info *info,
                    const struct acs_result *results, size_t n, struct acs_err *err);

/* The same rendered into memory (new string, free()), for tests. */
char *acs_junit_render(const struct acs_run_info *info, const struct acs_result *results, size_t n);

/* JSON report: run info, summary, one object per result with all fields. */
int acs_json_write(const char *path, const struct acs_run_info *info,
                   const struct acs_result *results, size_t n, struct acs_err *err);
char *acs_json_render(const struct acs_run_info *info, const struct acs_result *results, size_t n);

/*
 * Markdown summary for a CI step summary (GitHub's $GITHUB_STEP_SUMMARY):
 * a title with the target and the verdict counts, a table of counts per
 * verdict, then every case that did not PASS, FAIL / XPASS / ERROR first,
 * then NONSTRICT, XFAIL, UNSUPPORTED, SKIPPED: id, section, level, title,
 * requirement words and the message, its evidence (acs_result_details) in a
 * <details> block. Everything from the target is escaped (Markdown
 * punctuation, HTML, pipes; evidence in a code fence longer than any run of
 * backticks it holds). Evidence is cut to ACS_MARKDOWN_CASE_MAX bytes per
 * case and left out once the document passes ACS_MARKDOWN_BUDGET (GitHub
 * refuses step summaries over 1 MiB); the text says so where it happens.
 * New string (free()), NULL on ENOMEM.
 */
#define ACS_MARKDOWN_CASE_MAX ((size_t)16 * 1024)
#define ACS_MARKDOWN_BUDGET   ((size_t)900 * 1024)
char *acs_markdown_render(const struct acs_run_info *info, const struct acs_result *results,
                          size_t n);

/* The same written to path atomically (acs_report_write_file). */
int acs_markdown_write(const char *path, const struct acs_run_info *info,
                       const struct acs_result *results, size_t n, struct acs_err *err);

/*
 * Self-contained HTML report: one file, inline CSS and a little inline JS,
 * no external asset. The run, the counts per verdict, filters by verdict,
 * section and level (shown only when JS runs; without JS every row is
 * visible), and one table row per case, problems first, with its evidence
 * folded in a <details>. Every string from the target is HTML-escaped; a
 * Content-Security-Policy allows only the report's own script and style
 * (by hash) and no network, so even a markup mistake cannot run the
 * target's script. New string (free()), NULL on ENOMEM.
 */
char *acs_html_render(const struct acs_run_info *info, const struct acs_result *results, size_t n);

/* The same written to path atomically (acs_report_write_file). */
int acs_html_write(const char *path, const struct acs_run_info *info,
                   const struct acs_result *results, size_t n, struct acs_err *err);

/*
 * Listing order for people: FAIL, XPASS, ERROR, NONSTRICT, XFAIL,
 * UNSUPPORTED, SKIPPED, PASS (rank 0 to 7; an unknown verdict ranks last).
 */
int acs_report_verdict_rank(enum acs_verdict v);

/*
 * Indices 0..n-1 of results stably sorted by acs_report_verdict_rank (same
 * rank: the order of results). New array (free()); NULL on ENOMEM or when
 * n is 0.
 */
size_t *acs_report_order(const struct acs_result *results, size_t n);

/*
 * What an exit code means, for people: "nothing unexpected", "unexpected
 * results", "a usage or configuration error", "the run could not judge
 * everything". Static string.
 */
const char *acs_report_exit_words(int code);

/* "SIGINT", "SIGTERM", or "signal N": what interrupted a run (thread-local buffer). */
const char *acs_report_signal_name(int sig);

/*
 * qsort(3) comparator for an array of const struct acs_result *: by case
 * id (acs_report_case_id), byte order.
 */
int acs_report_cmp_id(const void *a, const void *b);

/* The case id of r, or "(unknown case)" when it has none. Static or borrowed. */
const char *acs_report_case_id(const struct acs_result *r);

/*
 * Helpers shared by the writers.
 *
 * acs_report_put_text appends len bytes of s to b as valid UTF-8 fit for a
 * report: invalid UTF-8 and U+FFFE/U+FFFF become U+FFFD; control
 * characters (C0 except tab and newline, DEL, C1) become '?' and "\r\n"
 * becomes "\n", unless ACS_TEXT_RAW_CONTROLS keeps them; ACS_TEXT_ONELINE
 * turns tabs and newlines into spaces; ACS_TEXT_XML escapes & < > as
 * entities, and " ' too with ACS_TEXT_ONELINE (attribute values). Returns 0,
 * ACS_E_TOOBIG or ACS_E_NOMEM (b then holds a prefix).
 */
enum { ACS_TEXT_ONELINE = 1, ACS_TEXT_XML = 2, ACS_TEXT_RAW_CONTROLS = 4 };
int acs_report_put_text(struct acs_buf *b, const char *s, size_t len, unsigned flags);

/*
 * Append a result's evidence as plain, sanitised text lines, each starting
 * with indent (NULL: none): title, requirement with its RFC reference and
 * level, message, expected, actual, expectation reason, transcript and
 * client output (indented further), rerun command. Fields that are NULL are
 * left out. Returns 0 or ACS_E_TOOBIG / ACS_E_NOMEM.
 */
int acs_result_details(struct acs_buf *b, const struct acs_result *r, const char *indent);

/* The same; with brief, without the transcript and the client output. */
int acs_result_details_opt(struct acs_buf *b, const struct acs_result *r, const char *indent,
                           int brief);

/* The cap of a rendered report: reports hold every transcript. */
#define ACS_REPORT_MAX ((size_t)512 * 1024 * 1024)

/*
 * An output being rendered and the first error met, so that a writer can
 * make many appends and check once at the end: after an error every
 * append does nothing. Initialise b with acs_buf_init and rc with 0.
 */
struct acs_report_out {
	struct acs_buf b;
	int rc;
};

/* Append s as it is (markup the writer made itself). */
void acs_out_puts(struct acs_report_out *o, const char *s);

/* Append printf-style text (markup the writer made itself). */
void acs_out_printf(struct acs_report_out *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Append s (NULL: nothing) through acs_report_put_text with flags. */
void acs_out_text(struct acs_report_out *o, const char *s, unsigned flags);

/*
 * Begin a report for people over results (NULL: none, *n becomes 0): the
 * counts into sum, the listing order into *order (acs_report_order; NULL
 * when *n is 0; free()), and o made empty with the reports' cap. Returns 0
 * or ACS_E_NOMEM (nothing to free then).
 */
int acs_out_begin(struct acs_report_out *o, const struct acs_result *results, size_t *n,
                  struct acs_summary *sum, size_t **order);

/*
 * The rendered document: o's content as a new string (free()), or NULL
 * when an append failed (o is freed either way).
 */
char *acs_out_finish(struct acs_report_out *o);

/*
 * Write a rendered document to path atomically and free it; doc NULL means
 * rendering ran out of memory ("cannot render WHAT PATH: out of memory").
 * what names the format ("HTML report"). Returns 0, ACS_E_NOMEM or ACS_E_IO.
 */
int acs_report_write_doc(const char *path, char *doc, const char *what, struct acs_err *err);

/*
 * Write len bytes to path atomically: a temporary file in the same
 * directory, flushed, then renamed over path (mode 0644). On failure the
 * temporary file is removed and err names the path ("cannot write
 * out/report.xml: no such file or directory"); returns ACS_E_IO.
 */
int acs_report_write_file(const char *path, const char *data, size_t len, struct acs_err *err);

#endif
