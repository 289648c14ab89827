/*
 * `acmespec report merge A.json B.json ...`: the JSON reports of the
 * shards of one run joined into one, written as --json, --junit,
 * --markdown and --html.
 */
#include "cli/commands.h"

#include <stdio.h>
#include <stdlib.h>

#include "cli/cli_common.h"
#include "harness/verdict.h"
#include "reports/load.h"

int acs_cmd_report(const struct acs_cli *cli)
{
	struct acs_report *parts[ACS_CLI_MAX_ARGS] = {0};
	struct acs_report *merged = NULL;
	struct acs_summary sum;
	struct acs_err err = {0};
	size_t i, nparts = (size_t)cli->nargs - 1;
	int rc = ACS_EXIT_USAGE;

	if (acs_cli_check_reports(cli) != 0)
		return ACS_EXIT_USAGE;
	for (i = 0; i < nparts; i++) {
		if (acs_report_load(cli->args[i + 1], &parts[i], &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			goto out;
		}
	}
	if (acs_report_merge((const struct acs_report *const *)parts, nparts, &merged, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	acs_summarize(merged->results, merged->n, &sum);
	rc = acs_exit_code(&sum, merged->info.strict);
	if (acs_cli_write_reports(cli, &merged->info, merged->results, merged->n) != 0) {
		rc = ACS_EXIT_INFRA;
		goto out;
	}
	fprintf(acs_cli_console_stream(cli), "merged %zu report%s: %zu cases (exit %d)\n", nparts,
	        nparts == 1 ? "" : "s", merged->n, rc);
out:
	acs_report_free(merged);
	for (i = 0; i < nparts; i++)
		acs_report_free(parts[i]);
	return rc;
}
