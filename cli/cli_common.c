#include "cli/cli_common.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void acs_cli_fill_filter(const struct acs_cli *cli, struct acs_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->globs = cli->globs;
	f->nglobs = cli->nglobs;
	f->sections = cli->sections;
	f->nsections = cli->nsections;
	f->tags = cli->tags;
	f->ntags = cli->ntags;
	f->level = -1;
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

int acs_cli_want_color(const struct acs_cli *cli)
{
	const char *nc = getenv("NO_COLOR");

	if (cli->no_color || (nc != NULL && nc[0] != '\0'))
		return 0;
	return isatty(fileno(stdout));
}

int acs_cli_write_reports(const struct acs_cli *cli, const struct acs_run_info *info,
                          const struct acs_result *results, size_t n)
{
	struct acs_err err = {0};
	int rc = 0;

	if (cli->junit != NULL && acs_junit_write(cli->junit, info, results, n, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		rc = -1;
	}
	if (cli->json != NULL && acs_json_write(cli->json, info, results, n, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		rc = -1;
	}
	return rc;
}
