/*
 * `acmespec expect --from REPORT.json [-o FILE]`: an expectations file
 * drafted from a run, every reason left empty for a person to fill in
 * (acmespec refuses an empty reason, so a draft cannot be used unread).
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/verdict.h"
#include "reports/load.h"

int acs_cmd_expect(const struct acs_cli *cli)
{
	struct acs_report *rep = NULL;
	struct acs_err err = {0};
	char *text = NULL;
	int rc = ACS_EXIT_USAGE;

	if (acs_report_load(cli->from, &rep, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	if (cli->output != NULL && strcmp(cli->output, "-") != 0) {
		if (acs_expect_draft_write(cli->output, rep, &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			rc = ACS_EXIT_INFRA;
			goto out;
		}
		fprintf(stderr,
		        "acmespec: wrote %s: fill in every \"reason\", then use it with --expect\n",
		        cli->output);
		rc = ACS_EXIT_OK;
		goto out;
	}
	text = acs_expect_draft_render(rep);
	if (text == NULL) {
		fprintf(stderr, "acmespec: cannot draft the expectations: out of memory\n");
		rc = ACS_EXIT_INFRA;
		goto out;
	}
	fputs(text, stdout);
	rc = ACS_EXIT_OK;
out:
	free(text);
	acs_report_free(rep);
	return rc;
}
