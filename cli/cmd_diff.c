/*
 * `acmespec diff OLD.json NEW.json`: what changed between two runs. Exit 1
 * when the later run regressed, 0 when it did not, 2 when a report cannot
 * be read or the two runs cannot be compared.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>

#include "harness/verdict.h"
#include "reports/load.h"

int acs_cmd_diff(const struct acs_cli *cli)
{
	struct acs_report *before = NULL, *after = NULL;
	struct acs_diff d = {0};
	struct acs_err err = {0};
	char *text = NULL;
	int rc = ACS_EXIT_USAGE;

	if (acs_report_load(cli->args[0], &before, &err) != 0 ||
	    acs_report_load(cli->args[1], &after, &err) != 0 ||
	    acs_report_diff(before, after, &d, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	text = acs_diff_render(&d, before, after);
	if (text == NULL) {
		fprintf(stderr, "acmespec: cannot render the diff: out of memory\n");
		rc = ACS_EXIT_INFRA;
		goto out;
	}
	fputs(text, stdout);
	rc = acs_diff_has_regression(&d) ? ACS_EXIT_UNEXPECTED : ACS_EXIT_OK;
out:
	free(text);
	acs_diff_clear(&d);
	acs_report_free(before);
	acs_report_free(after);
	return rc;
}
