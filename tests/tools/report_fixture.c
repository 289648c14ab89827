/*
 * Test helper (not installed): renders a JSON report with the report
 * writers, for integration tests until the CLI wires them into
 * subcommands.
 *
 *   report_fixture html|markdown|junit|json|draft IN.json OUT
 *   report_fixture diff BEFORE.json AFTER.json      (text to stdout; exit 1 on a regression)
 *   report_fixture merge OUT.json IN.json...
 *
 * Exit 0 done, 1 a regression (diff), 2 usage, 3 an error (message on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/load.h"
#include "reports/report.h"

static int usage(void)
{
	fputs("usage: report_fixture html|markdown|junit|json|draft IN.json OUT\n"
	      "       report_fixture diff BEFORE.json AFTER.json\n"
	      "       report_fixture merge OUT.json IN.json...\n",
	      stderr);
	return 2;
}

static int fail(const struct acs_err *err)
{
	fprintf(stderr, "report_fixture: %s\n", err->msg);
	return 3;
}

static int render(const char *format, const char *in, const char *out)
{
	struct acs_report *rep = NULL;
	struct acs_err err = {0};
	int rc;

	if (acs_report_load(in, &rep, &err) != 0)
		return fail(&err);
	if (strcmp(format, "html") == 0)
		rc = acs_html_write(out, &rep->info, rep->results, rep->n, &err);
	else if (strcmp(format, "markdown") == 0)
		rc = acs_markdown_write(out, &rep->info, rep->results, rep->n, &err);
	else if (strcmp(format, "junit") == 0)
		rc = acs_junit_write(out, &rep->info, rep->results, rep->n, &err);
	else if (strcmp(format, "json") == 0)
		rc = acs_json_write(out, &rep->info, rep->results, rep->n, &err);
	else
		rc = acs_expect_draft_write(out, rep, &err);
	acs_report_free(rep);
	return rc != 0 ? fail(&err) : 0;
}

static int diff(const char *before_path, const char *after_path)
{
	struct acs_report *before = NULL, *after = NULL;
	struct acs_diff d;
	struct acs_err err = {0};
	char *text;
	int rc = 3;

	if (acs_report_load(before_path, &before, &err) != 0 ||
	    acs_report_load(after_path, &after, &err) != 0 ||
	    acs_report_diff(before, after, &d, &err) != 0) {
		acs_report_free(before);
		acs_report_free(after);
		return fail(&err);
	}
	text = acs_diff_render(&d, before, after);
	if (text != NULL) {
		fputs(text, stdout);
		rc = acs_diff_has_regression(&d) ? 1 : 0;
	}
	free(text);
	acs_diff_clear(&d);
	acs_report_free(before);
	acs_report_free(after);
	return rc;
}

static int merge(const char *out, char **in, int n)
{
	struct acs_report **parts = calloc((size_t)n + 1, sizeof(*parts));
	struct acs_report *m = NULL;
	struct acs_err err = {0};
	int i, rc = 0;

	if (parts == NULL)
		return 3;
	for (i = 0; i < n && rc == 0; i++)
		rc = acs_report_load(in[i], &parts[i], &err);
	if (rc == 0)
		rc = acs_report_merge((const struct acs_report *const *)parts, (size_t)n, &m, &err);
	if (rc == 0)
		rc = acs_json_write(out, &m->info, m->results, m->n, &err);
	acs_report_free(m);
	for (i = 0; i < n; i++)
		acs_report_free(parts[i]);
	free(parts);
	return rc != 0 ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
	static const char *const formats[] = {"html", "markdown", "junit", "json", "draft"};
	size_t i;

	if (argc == 4 && strcmp(argv[1], "diff") == 0)
		return diff(argv[2], argv[3]);
	if (argc >= 4 && strcmp(argv[1], "merge") == 0)
		return merge(argv[2], argv + 3, argc - 3);
	for (i = 0; argc == 4 && i < sizeof(formats) / sizeof(formats[0]); i++) {
		if (strcmp(argv[1], formats[i]) == 0)
			return render(argv[1], argv[2], argv[3]);
	}
	return usage();
}
