/*
 * `acmespec list`: the catalog of both sides (the client side with the
 * mock CA's request checks), filtered like a run; as text, as JSON
 * (--json) or as the tags in use (--tags).
 */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "cli/cli_common.h"
#include "harness/catalog.h"
#include "mockserver/scenario.h"

#define MAX_TAGS 512

/* What list collects: a count, and for --json the cases, for --tags the tags. */
struct listing {
	const struct acs_cli *cli;
	const struct acs_filter *f;
	size_t count;
	json_t *cases; /* --json */
	struct {
		const char *name; /* borrowed from a catalog that lives until the end */
		size_t n;
	} tags[MAX_TAGS];
	size_t ntags;
};

static json_t *str_array(char **v)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && v != NULL && v[i] != NULL; i++)
		(void)json_array_append_new(a, json_string(v[i]));
	return a;
}

static void add_json(struct listing *l, const struct acs_case *c)
{
	json_t *o = json_object();

	if (o == NULL)
		return;
	(void)json_object_set_new(o, "id", json_string(c->id));
	(void)json_object_set_new(o, "side", json_string(c->side));
	(void)json_object_set_new(o, "rfc", json_string(c->rfc));
	(void)json_object_set_new(o, "section", json_string(c->section));
	(void)json_object_set_new(o, "level", json_string(acs_level_name(c->level)));
	(void)json_object_set_new(o, "tags", str_array(c->tags));
	(void)json_object_set_new(o, "title", json_string(c->title));
	(void)json_object_set_new(o, "control",
	                          c->control != NULL ? str_array(c->control) : json_null());
	(void)json_array_append_new(l->cases, o);
}

static void add_tags(struct listing *l, const struct acs_case *c)
{
	size_t i, k;

	for (i = 0; c->tags != NULL && c->tags[i] != NULL; i++) {
		for (k = 0; k < l->ntags && strcmp(l->tags[k].name, c->tags[i]) != 0; k++)
			;
		if (k == l->ntags && l->ntags < MAX_TAGS)
			l->tags[l->ntags++].name = c->tags[i];
		if (k < l->ntags)
			l->tags[k].n++;
	}
}

static void print_text(const struct acs_case *c, int verbose)
{
	size_t j;

	printf("%-60s %-6s %s\n", c->id, acs_level_name(c->level), c->title);
	if (!verbose)
		return;
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

static void list_side(const struct acs_catalog *cat, struct listing *l)
{
	size_t i;

	for (i = 0; i < cat->n; i++) {
		const struct acs_case *c = &cat->cases[i];

		if (!acs_case_matches(c, l->f))
			continue;
		l->count++;
		if (l->cli->list_json)
			add_json(l, c);
		else if (l->cli->list_tags)
			add_tags(l, c);
		else
			print_text(c, l->cli->verbose);
	}
}

static int cmp_tag(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The end of the listing: the JSON array, the tags, or the count. */
static void list_end(struct listing *l)
{
	size_t i;

	if (l->cli->list_json) {
		char *text = json_dumps(l->cases, JSON_INDENT(2));

		if (text != NULL)
			printf("%s\n", text);
		free(text);
		return;
	}
	if (l->cli->list_tags) {
		/* tags[] starts with the name, so sorting the rows sorts by name */
		qsort(l->tags, l->ntags, sizeof(l->tags[0]), cmp_tag);
		for (i = 0; i < l->ntags; i++)
			printf("%-24s %zu case%s\n", l->tags[i].name, l->tags[i].n,
			       l->tags[i].n == 1 ? "" : "s");
		printf("%zu tag%s\n", l->ntags, l->ntags == 1 ? "" : "s");
		return;
	}
	printf("%zu case%s\n", l->count, l->count == 1 ? "" : "s");
}

/* 0, or the errno why dir is not a readable folder. */
static int dir_problem(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return errno;
	return S_ISDIR(st.st_mode) ? 0 : ENOTDIR;
}

int acs_cmd_list(const struct acs_cli *cli)
{
	static const char *const sides[] = {"server", "client"};
	const char *dir = acs_cli_cases_dir(cli);
	struct acs_catalog *cats[2] = {NULL, NULL};
	struct acs_catalog checks = {0};
	struct acs_filter filter;
	struct listing *l;
	size_t s, i;
	int rc = ACS_EXIT_USAGE, e = dir_problem(dir);

	if (e != 0) {
		fprintf(stderr, "acmespec: cannot open the case catalog %s: %s\n", dir,
		        acs_cli_errno_text(e));
		return ACS_EXIT_USAGE;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL || (cli->list_json && (l->cases = json_array()) == NULL)) {
		fprintf(stderr, "acmespec: out of memory\n");
		free(l);
		return ACS_EXIT_INFRA;
	}
	acs_cli_fill_filter(cli, &filter);
	l->cli = cli;
	l->f = &filter;
	for (s = 0; s < 2; s++) {
		char sub[4096];

		if (cli->side != NULL && strcmp(cli->side, sides[s]) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, sides[s]);
		/* an empty side is simply not listed, unless asked for by --side */
		if (!acs_cli_has_json(sub) && cli->side == NULL)
			continue;
		if (acs_cli_load_side(dir, sides[s], &cats[s]) != 0)
			goto out;
		list_side(cats[s], l);
		/* the mock CA's request checks belong to the client side */
		if (s == 1 && acs_scenario_check_cases(&checks.cases, &checks.n) != 0) {
			fprintf(stderr,
			        "acmespec: cannot list the request checks: out of memory\n");
			rc = ACS_EXIT_INFRA;
			goto out;
		}
		if (s == 1)
			list_side(&checks, l);
	}
	if (l->count == 0) {
		fprintf(stderr, "acmespec: no case matches the filters\n");
		goto out;
	}
	list_end(l);
	rc = ACS_EXIT_OK;
out:
	for (i = 0; i < checks.n; i++)
		acs_case_clear(&checks.cases[i]);
	free(checks.cases);
	acs_catalog_free(cats[0]);
	acs_catalog_free(cats[1]);
	json_decref(l->cases);
	free(l);
	return rc;
}
