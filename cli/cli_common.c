#include "cli/cli_common.h"

#include <dirent.h>
#include <errno.h>

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/cancel.h"
#include "reports/load.h"
#include "mockclient/script.h"

static int dir_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The installed catalog next to this program: <bindir>/../share/acmespec/cases
 * (ACMESPEC_INSTALL_CASES_REL, relative to the program's directory), so that
 * an installed tree works wherever it was installed to. NULL when absent.
 */
static const char *installed_cases(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX], rel[PATH_MAX + 64];
	ssize_t len;
	char *slash;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (len <= 0)
		return NULL;
	exe[len] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL)
		return NULL;
	*slash = '\0';
	(void)snprintf(rel, sizeof(rel), "%s/%s", exe, ACMESPEC_INSTALL_CASES_REL);
	/* "/opt/acmespec/share/acmespec/cases", not ".../bin/../share/..." */
	if (realpath(rel, path) == NULL)
		return NULL;
	return dir_exists(path) ? path : NULL;
}

const char *acs_cli_cases_dir(const struct acs_cli *cli)
{
	const char *env = getenv("ACMESPEC_CASES");
	const char *installed;

	if (cli->cases_dir != NULL)
		return cli->cases_dir;
	if (env != NULL && env[0] != '\0')
		return env;
	if (dir_exists("cases/server") || dir_exists("cases/client"))
		return "cases";
	installed = installed_cases();
	if (installed != NULL)
		return installed;
	if (dir_exists(ACMESPEC_DEFAULT_CASES))
		return ACMESPEC_DEFAULT_CASES;
	return ACMESPEC_INSTALL_CASES;
}

/* --rerun-failed: the ids of the failed cases of the report (acs_cli_load_rerun). */
static char **rerun_ids;
static size_t nrerun_ids;

/* Does verdict v fail a run (strict: NONSTRICT too)? */
static int failed_verdict(enum acs_verdict v, int strict)
{
	return v == ACS_FAIL || v == ACS_XPASS || v == ACS_ERROR || (strict && v == ACS_NONSTRICT);
}

int acs_cli_load_rerun(const struct acs_cli *cli)
{
	struct acs_report *rep = NULL;
	struct acs_err err = {0};
	size_t i;

	if (cli->rerun_failed == NULL)
		return 0;
	if (cli->nglobs > 0) {
		fprintf(stderr, "acmespec: --rerun-failed and --case exclude each other\n");
		return -1;
	}
	if (acs_report_load(cli->rerun_failed, &rep, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	rerun_ids = calloc(rep->n + 1, sizeof(*rerun_ids));
	for (i = 0; rerun_ids != NULL && i < rep->n; i++) {
		if (!failed_verdict(rep->results[i].verdict, rep->info.strict))
			continue;
		rerun_ids[nrerun_ids] = strdup(rep->cases[i].id);
		if (rerun_ids[nrerun_ids] != NULL)
			nrerun_ids++;
	}
	acs_report_free(rep);
	if (rerun_ids == NULL) {
		fprintf(stderr, "acmespec: out of memory\n");
		return -1;
	}
	if (nrerun_ids == 0) {
		fprintf(stderr, "acmespec: no case failed in %s: nothing to rerun\n",
		        cli->rerun_failed);
		return 1;
	}
	return 0;
}

void acs_cli_free_rerun(void)
{
	size_t i;

	for (i = 0; i < nrerun_ids; i++)
		free(rerun_ids[i]);
	free(rerun_ids);
	rerun_ids = NULL;
	nrerun_ids = 0;
}

void acs_cli_fill_filter(const struct acs_cli *cli, struct acs_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->globs = cli->globs;
	f->nglobs = cli->nglobs;
	if (rerun_ids != NULL) {
		/* case ids hold no glob character: each matches itself only */
		f->globs = (const char *const *)rerun_ids;
		f->nglobs = nrerun_ids;
	}
	f->sections = cli->sections;
	f->nsections = cli->nsections;
	f->tags = cli->tags;
	f->ntags = cli->ntags;
	f->level = -1;
	if (cli->shard_count > 1) {
		f->shard = cli->shard_index - 1;
		f->shards = cli->shard_count;
	}
	if (cli->level != NULL) {
		enum acs_level l;

		if (acs_level_parse(cli->level, &l) == 0)
			f->level = (int)l;
	}
}

void acs_cli_shell_word(struct acs_buf *b, const char *s)
{
	const char *p;
	int plain = s[0] != '\0';

	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("-_./:=@,+%", *p) != NULL))
			plain = 0;
	(void)acs_buf_puts(b, " ");
	if (plain) {
		(void)acs_buf_puts(b, s);
		return;
	}
	(void)acs_buf_puts(b, "'");
	for (p = s; *p; p++) {
		if (*p == '\'')
			(void)acs_buf_puts(b, "'\\''");
		else
			(void)acs_buf_append(b, p, 1);
	}
	(void)acs_buf_puts(b, "'");
}

void acs_cli_shell_opt(struct acs_buf *b, const char *name, const char *val)
{
	if (val == NULL)
		return;
	(void)acs_buf_printf(b, " %s", name);
	acs_cli_shell_word(b, val);
}

void acs_cli_rerun_common(struct acs_buf *b, const struct acs_cli *cli, double default_timeout)
{
	if (cli->strict)
		(void)acs_buf_puts(b, " --strict");
	if (cli->timeout != default_timeout)
		(void)acs_buf_printf(b, " --timeout %g", cli->timeout);
	acs_cli_shell_opt(b, "--profile", cli->profile);
	acs_cli_shell_opt(b, "--cases", cli->cases_dir);
	acs_cli_shell_opt(b, "--expect", cli->expect_file);
}

int acs_cli_want_color(const struct acs_cli *cli)
{
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	if (cli->no_color || (nc != NULL && nc[0] != '\0'))
		return 0;
	/* a terminal that says it cannot do escapes gets none */
	if (term != NULL && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fileno(acs_cli_console_stream(cli)));
}

/* The report options of a run, in one place: option name and path (NULL: not asked for). */
struct report_opt {
	const char *opt;
	const char *path;
	int (*write)(const char *path, const struct acs_run_info *info,
	             const struct acs_result *results, size_t n, struct acs_err *err);
	char *(*render)(const struct acs_run_info *info, const struct acs_result *results,
	                size_t n);
};

static size_t report_opts(const struct acs_cli *cli, struct report_opt *out)
{
	struct report_opt all[] = {
	    {"--junit", cli->junit, acs_junit_write, acs_junit_render},
	    {"--json", cli->json, acs_json_write, acs_json_render},
	    {"--markdown", cli->markdown, acs_markdown_write, acs_markdown_render},
	    {"--html", cli->html, acs_html_write, acs_html_render},
	};
	size_t i, n = 0;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i].path != NULL)
			out[n++] = all[i];
	return n;
}

#define MAX_REPORTS 8

static int is_stdout(const char *path)
{
	return strcmp(path, "-") == 0;
}

FILE *acs_cli_console_stream(const struct acs_cli *cli)
{
	struct report_opt r[MAX_REPORTS];
	size_t i, n = report_opts(cli, r);

	for (i = 0; i < n; i++)
		if (is_stdout(r[i].path))
			return stderr;
	return stdout;
}

void acs_cli_console_init(const struct acs_cli *cli, struct acs_console *con)
{
	memset(con, 0, sizeof(*con));
	con->out = acs_cli_console_stream(cli);
	con->color = acs_cli_want_color(cli);
	con->verbose = cli->verbose;
	con->progress = isatty(fileno(con->out));
	con->quiet = cli->quiet;
	con->brief = cli->brief;
}

/* mkdir -p of the folders above path. 0, or -1 with errno set. */
static int make_parents(const char *path)
{
	char dir[PATH_MAX];
	char *p;

	if (strlen(path) >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, strlen(path) + 1);
	p = strrchr(dir, '/');
	if (p == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0777) != 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * Where a report will land, as a canonical path into out (the folder
 * made if need be and writable, the file not a folder). 0, or -1 with
 * errno set.
 */
static int report_target(const char *path, char *out, size_t outlen)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	struct stat st;

	if (base[0] == '\0') {
		errno = EISDIR;
		return -1;
	}
	if (make_parents(path) != 0)
		return -1;
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (realpath(dir, real) == NULL)
		return -1;
	if (access(real, W_OK | X_OK) != 0)
		return -1;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return -1;
	}
	if ((size_t)snprintf(out, outlen, "%s/%s", real, base) >= outlen) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int acs_cli_check_reports(const struct acs_cli *cli)
{
	struct report_opt r[MAX_REPORTS];
	char canon[MAX_REPORTS][PATH_MAX + 256];
	size_t i, j, n = report_opts(cli, r);

	for (i = 0; i < n; i++) {
		if (is_stdout(r[i].path))
			snprintf(canon[i], sizeof(canon[i]), "-");
		else if (report_target(r[i].path, canon[i], sizeof(canon[i])) != 0) {
			fprintf(stderr, "acmespec: cannot write the %s report %s: %s\n", r[i].opt,
			        r[i].path, acs_cli_errno_text(errno));
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(canon[i], canon[j]) != 0)
				continue;
			fprintf(stderr, "acmespec: %s and %s name the same file %s%s\n", r[j].opt,
			        r[i].opt, r[i].path,
			        is_stdout(r[i].path) ? " (standard output)" : "");
			return -1;
		}
	}
	return 0;
}

static int write_stdout(const struct report_opt *r, const struct acs_run_info *info,
                        const struct acs_result *results, size_t n)
{
	char *doc = r->render(info, results, n);
	int rc = 0;

	if (doc == NULL) {
		fprintf(stderr, "acmespec: cannot make the %s report: out of memory\n", r->opt);
		return -1;
	}
	if (fputs(doc, stdout) == EOF || fflush(stdout) != 0) {
		fprintf(stderr, "acmespec: cannot write the %s report to standard output: %s\n",
		        r->opt, acs_cli_errno_text(errno));
		rc = -1;
	}
	free(doc);
	return rc;
}

int acs_cli_write_reports(const struct acs_cli *cli, const struct acs_run_info *info,
                          const struct acs_result *results, size_t n)
{
	struct report_opt r[MAX_REPORTS];
	size_t i, nr = report_opts(cli, r);
	int rc = 0;

	for (i = 0; i < nr; i++) {
		struct acs_err err = {0};

		if (is_stdout(r[i].path)) {
			if (write_stdout(&r[i], info, results, n) != 0)
				rc = -1;
		} else if (r[i].write(r[i].path, info, results, n, &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			rc = -1;
		}
	}
	return rc;
}

/* strerror(e) in lower case, as every message of the harness is. */
const char *acs_cli_errno_text(int e)
{
	return acs_errno_text(e);
}

/* Load one side's catalog and check every server script statically. */
int acs_cli_load_side(const char *dir, const char *side, struct acs_catalog **out)
{
	struct acs_err err = {0};
	struct acs_catalog *cat = NULL;
	size_t i;

	if (acs_catalog_load(&cat, dir, side, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	if (strcmp(side, "server") == 0) {
		for (i = 0; i < cat->n; i++) {
			if (acs_script_validate(&cat->cases[i], &err) != 0) {
				fprintf(stderr, "acmespec: %s: %s\n", cat->cases[i].file, err.msg);
				acs_catalog_free(cat);
				return -1;
			}
		}
	}
	*out = cat;
	return 0;
}

/* 1 when dir holds at least one *.json file. */
int acs_cli_has_json(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return 0;
	for (e = readdir(d); e != NULL && !found; e = readdir(d)) {
		size_t len = strlen(e->d_name);

		found = len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
	}
	closedir(d);
	return found;
}

void acs_cli_progress(void *ctx, const struct acs_result *r, size_t done, size_t total)
{
	struct acs_console *con = ctx;

	acs_console_case(con, r, done, total);
	fflush(con->out);
}

/*
 * SIGINT, SIGTERM: the first asks the run to stop (harness/cancel.h), a
 * second one ends acmespec at once, as without the handler.
 */
static void on_stop_signal(int sig)
{
	if (acs_cancel_signal() != 0) {
		(void)signal(sig, SIG_DFL);
		(void)raise(sig);
		return;
	}
	acs_cancel_request(sig);
}

void acs_cli_catch_stop(struct acs_cli_stop *saved)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	acs_cancel_reset();
	(void)sigaction(SIGINT, &sa, &saved->old_int);
	(void)sigaction(SIGTERM, &sa, &saved->old_term);
}

void acs_cli_release_stop(const struct acs_cli_stop *saved)
{
	(void)sigaction(SIGINT, &saved->old_int, NULL);
	(void)sigaction(SIGTERM, &saved->old_term, NULL);
}

/* --fail-fast: how many cases it left out, before the summary. */
static void say_fail_fast(const struct acs_console *con, const struct acs_result *results, size_t n)
{
	const char *mark = "not run: --fail-fast stopped the run after ";
	const char *after = NULL;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (results[i].message == NULL ||
		    strncmp(results[i].message, mark, strlen(mark)) != 0)
			continue;
		after = results[i].message + strlen(mark);
		k++;
	}
	if (k > 0)
		fprintf(con->out, "\n--fail-fast: stopped after %s; %zu case%s not run (SKIPPED)\n",
		        after, k, k == 1 ? "" : "s");
}

/* The last line of an interrupted run; its exit code, 128 + the signal. */
static int interrupted_end(const struct acs_cli *cli, const struct acs_console *con,
                           const struct acs_run_info *info, const struct acs_result *results,
                           size_t n, int written)
{
	struct report_opt r[MAX_REPORTS];
	size_t i, notrun = 0;
	int rc = 128 + info->interrupted;

	for (i = 0; i < n; i++)
		notrun += results[i].verdict == ACS_SKIPPED && results[i].message != NULL &&
		          strstr(results[i].message, "interrupted") != NULL;
	fprintf(con->out, "interrupted by %s: %zu of %zu cases not run or not judged%s (exit %d)\n",
	        acs_report_signal_name(info->interrupted), notrun, n,
	        report_opts(cli, r) == 0 ? ""
	        : written                ? "; partial reports written"
	                                 : "; reports not written",
	        rc);
	return rc;
}

int acs_cli_finish_run(const struct acs_cli *cli, const struct acs_console *con,
                       const struct acs_run_info *info, const struct acs_result *results, size_t n,
                       int strict)
{
	struct acs_summary sum;
	int rc, written;

	written = acs_cli_write_reports(cli, info, results, n) == 0;
	say_fail_fast(con, results, n);
	acs_console_summary(con, info, results, n);
	acs_summarize(results, n, &sum);
	rc = acs_exit_code(&sum, strict);
	if (info != NULL && info->interrupted > 0)
		return interrupted_end(cli, con, info, results, n, written);
	if (!written && rc == ACS_EXIT_OK) {
		/* the summary said exit 0: the last line must say what really happens */
		rc = ACS_EXIT_INFRA;
		fprintf(con->out, "a report could not be written (exit %d)\n", rc);
	}
	return rc;
}
