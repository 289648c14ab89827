/* `acmespec list`: the catalog of both sides, filtered like a run. */
#include "cli/commands.h"

#include <stdio.h>
#include <string.h>

#include "cli/cli_common.h"
#include "harness/catalog.h"

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
	}
	if (count == 0) {
		fprintf(stderr, "acmespec: no case matches the filters\n");
		rc = ACS_EXIT_USAGE;
	} else {
		printf("%zu case%s\n", count, count == 1 ? "" : "s");
	}
	return rc;
}
