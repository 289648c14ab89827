/*
 * Helpers shared by the command line front ends (main.c, cli_client.c):
 * where the catalog is, filters from options, shell quoting for rerun
 * commands, colour choice, and report writing. Only front ends print.
 */
#ifndef ACMESPEC_CLI_COMMON_H
#define ACMESPEC_CLI_COMMON_H

#include <signal.h>

#include "harness/buf.h"
#include "harness/catalog.h"
#include "cli/cli.h"
#include "harness/verdict.h"
#include "reports/report.h"

/*
 * The catalog directory: --cases, then $ACMESPEC_CASES, then ./cases when
 * it holds a server/ or client/ folder, then the installed catalog next to
 * the program (<bindir>/../share/acmespec/cases), then the source tree's
 * catalog, then the install prefix's share/acmespec/cases. Borrowed string.
 */
const char *acs_cli_cases_dir(const struct acs_cli *cli);

/*
 * --rerun-failed REPORT.json: read the report and keep the ids of its
 * failed cases (FAIL, XPASS, ERROR; NONSTRICT when it was strict), which
 * acs_cli_fill_filter then selects. Prints why on failure: 0 (also
 * without the option), 1 when no case failed (nothing to rerun), -1 (a
 * usage error: unreadable report, or --case given too).
 */
int acs_cli_load_rerun(const struct acs_cli *cli);
void acs_cli_free_rerun(void);

/* The case filter the options ask for; f borrows cli's strings. */
void acs_cli_fill_filter(const struct acs_cli *cli, struct acs_filter *f);

/* Append " " and s as one shell word (quoted only when it needs to be). */
void acs_cli_shell_word(struct acs_buf *b, const char *s);

/* Append " NAME VALUE" (value quoted); nothing when val is NULL. */
void acs_cli_shell_opt(struct acs_buf *b, const char *name, const char *val);

/*
 * The options a rerun command must keep to reproduce a verdict: --strict,
 * --timeout (when not default_timeout), --profile, --cases, --expect.
 */
void acs_cli_rerun_common(struct acs_buf *b, const struct acs_cli *cli, double default_timeout);

/*
 * Colours on standard output: not with --no-color, not when NO_COLOR is set
 * to a non-empty value (no-color.org), not with TERM=dumb, and only on a
 * terminal.
 */
int acs_cli_want_color(const struct acs_cli *cli);

/*
 * Before any traffic: every report path the options give (--junit,
 * --json, --markdown, --html) can be written
 * (its folders made), and no two reports share a path ("-", standard
 * output, included). Prints why; 0, or -1 (a usage error).
 */
int acs_cli_check_reports(const struct acs_cli *cli);

/* Where the console goes: standard error when a report goes to standard output ("-"). */
FILE *acs_cli_console_stream(const struct acs_cli *cli);

/* The console the options ask for (stream, colour, verbosity, progress). */
void acs_cli_console_init(const struct acs_cli *cli, struct acs_console *con);

/*
 * Write the reports the options ask for ("-": standard output). Prints what failed
 * to standard error; returns 0, or -1 when a report could not be written.
 */
int acs_cli_write_reports(const struct acs_cli *cli, const struct acs_run_info *info,
                          const struct acs_result *results, size_t n);

/* strerror(e) in lower case, as every message of the harness is (thread-local buffer). */
const char *acs_cli_errno_text(int e);

/*
 * Load one side's catalog from dir and check every server script
 * statically. *out: new catalog (acs_catalog_free). Prints why on failure; -1.
 */
int acs_cli_load_side(const char *dir, const char *side, struct acs_catalog **out);

/* 1 when dir holds at least one *.json file. */
int acs_cli_has_json(const char *dir);

/* A runner progress callback that prints each finished case; ctx is a struct acs_console. */
void acs_cli_progress(void *ctx, const struct acs_result *r, size_t done, size_t total);

/* The dispositions of SIGINT and SIGTERM before acs_cli_catch_stop. */
struct acs_cli_stop {
	struct sigaction old_int, old_term;
};

/*
 * From here SIGINT and SIGTERM stop the run instead of acmespec
 * (harness/cancel.h): no case is started, a running client's process
 * group is stopped, and the command writes partial reports, cleans up and
 * exits 128 + the signal (130, 143). A second signal ends acmespec at
 * once. acs_cli_release_stop puts the old dispositions back.
 */
void acs_cli_catch_stop(struct acs_cli_stop *saved);
void acs_cli_release_stop(const struct acs_cli_stop *saved);

/*
 * The end of every run: the console summary, the JUnit and JSON reports the
 * options ask for, and the exit code (strict: a NONSTRICT fails the run; a
 * report that cannot be written makes a clean run ACS_EXIT_INFRA; an
 * interrupted run, info->interrupted, exits 128 + the signal and says so
 * on the last line).
 */
int acs_cli_finish_run(const struct acs_cli *cli, const struct acs_console *con,
                       const struct acs_run_info *info, const struct acs_result *results, size_t n,
                       int strict);

#endif
