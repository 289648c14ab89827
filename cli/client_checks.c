/* The scenarios a request-check filter needs (cli/client_checks.h). */
#include "cli/client_checks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness/json_util.h"

/* The scenario client-checks.json names for check id, or NULL. */
static const char *scenario_of(const json_t *list, const char *id)
{
	size_t i;

	for (i = 0; i < json_array_size(list); i++) {
		const json_t *e = json_array_get(list, i);
		const char *check = json_string_value(json_object_get(e, "check"));

		if (check != NULL && strcmp(check, id) == 0)
			return json_string_value(json_object_get(e, "scenario"));
	}
	return NULL;
}

void acs_client_ids_free(char **ids, size_t n)
{
	size_t i;

	for (i = 0; ids != NULL && i < n; i++)
		free(ids[i]);
	free(ids);
}

int acs_client_check_scenarios(const char *dir, const struct acs_case *checks, size_t nck,
                               const struct acs_filter *f, const struct acs_catalog *cat,
                               char ***ids, size_t *n, struct acs_err *err)
{
	json_t *doc = NULL, *list;
	char path[4096];
	char *want;
	size_t i, k = 0;
	int rc = 0;

	*ids = NULL;
	*n = 0;
	(void)snprintf(path, sizeof(path), "%s/client-checks.json", dir);
	if (acs_json_load_object(path, "checks file", &doc, err) != 0)
		return err->code;
	list = json_object_get(doc, "checks");
	/* want[j]: catalog case j is needed */
	want = calloc(cat->n + 1, 1);
	if (want == NULL) {
		json_decref(doc);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	for (i = 0; i < nck && rc == 0; i++) {
		const char *scn;
		const struct acs_case *c;

		if (!acs_case_matches(&checks[i], f))
			continue;
		scn = scenario_of(list, checks[i].id);
		c = scn != NULL ? acs_catalog_find(cat, scn) : NULL;
		if (c == NULL)
			rc = acs_err_set(err, ACS_E_NOTFOUND,
			                 "%s: request check %s names no scenario of the catalog",
			                 path, checks[i].id);
		else
			want[c - cat->cases] = 1;
	}
	json_decref(doc);
	for (i = 0; i < cat->n; i++)
		k += want[i] != 0;
	if (rc == 0 && k > 0) {
		*ids = calloc(k, sizeof(**ids));
		if (*ids == NULL)
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	for (i = 0; rc == 0 && i < cat->n; i++) {
		if (!want[i])
			continue;
		(*ids)[*n] = strdup(cat->cases[i].id);
		if ((*ids)[*n] == NULL)
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		else
			(*n)++;
	}
	free(want);
	if (rc != 0) {
		acs_client_ids_free(*ids, *n);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}
