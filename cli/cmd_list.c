/* `acmespec list`: the catalog of both sides, filtered like a run. */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "cli/cli_common.h"
#include "harness/catalog.h"
#include "mockserver/scenario.h"

static void list_side(const struct acs_catalog *cat, const struct acs_filter *f, int verbose,
                      size_t *count);

/* The mock CA's request checks, listed with the client side. 0, or -1 (printed). */
static int list_checks(const struct acs_filter *f, int verbose, size_t *count)
{
	struct acs_catalog checks = {0};
	size_t i;

	if (acs_scenario_check_cases(&checks.cases, &checks.n) != 0) {
		fprintf(stderr, "acmespec: cannot list the request checks: out of memory\n");
		return -1;
	}
	list_side(&checks, f, verbose, count);
	for (i = 0; i < checks.n; i++)
		acs_case_clear(&checks.cases[i]);
	free(checks.cases);
	return 0;
}

static void list_side(const struct acs_catalog *cat, const struct acs_filter *f, int verbose,
                      size_t *count)
{
	size_t i, j;

	for (i = 0; i < cat->n; i++) {
		const struct acs_case *c = &cat->cases[i];

		if (!acs_case_matches(c, f))
			continue;
		(*count)++;
		printf("%-60s %-6s %s\n", c->id, acs_level_name(c->level), c->title);
		if (!verbose)
			continue;
		printf("    RFC %s section %s: %s\n", c->rfc, c->section, c->requirement);
		printf("    file: %s\n", c->file);
		for (j = 0; c->covers != NULL && c->covers[j] != NULL; j++)
			printf("%s%s", j == 0 ? "    covers:" : "", j == 0 ? " " : ", ");
		for (j = 0; c->covers != NULL && c->covers[j] != NULL; j++)
			printf("%s%s", c->covers[j], c->covers[j + 1] ? " " : "\n");
		for (j = 0; c->control != NULL && c->control[j] != NULL; j++)
			printf("%s%s", j == 0 ? "    negative control: " : ", ", c->control[j]);
		if (c->control != NULL)
			printf("\n");
	}
}

int acs_cmd_list(const struct acs_cli *cli)
{
	static const char *const sides[] = {"server", "client"};
	const char *dir = acs_cli_cases_dir(cli);
	struct acs_filter filter;
	size_t s, count = 0;
	int rc = ACS_EXIT_OK;
	struct stat st;
	int e = 0;

	if (stat(dir, &st) != 0)
		e = errno;
	else if (!S_ISDIR(st.st_mode))
		e = ENOTDIR;
	if (e != 0) {
		fprintf(stderr, "acmespec: cannot open the case catalog %s: %s\n", dir,
		        acs_cli_errno_text(e));
		return ACS_EXIT_USAGE;
	}
	acs_cli_fill_filter(cli, &filter);
	for (s = 0; s < 2; s++) {
		struct acs_catalog *cat = NULL;
		char sub[4096];

		if (cli->side != NULL && strcmp(cli->side, sides[s]) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, sides[s]);
		/* an empty side is simply not listed, unless asked for by --side */
		if (!acs_cli_has_json(sub) && cli->side == NULL)
			continue;
		if (acs_cli_load_side(dir, sides[s], &cat) != 0)
			return ACS_EXIT_USAGE;
		list_side(cat, &filter, cli->verbose, &count);
		acs_catalog_free(cat);
		if (s == 1 && list_checks(&filter, cli->verbose, &count) != 0)
			return ACS_EXIT_INFRA;
	}
	if (count == 0) {
		fprintf(stderr, "acmespec: no case matches the filters\n");
		rc = ACS_EXIT_USAGE;
	} else {
		printf("%zu case%s\n", count, count == 1 ? "" : "s");
	}
	return rc;
}
