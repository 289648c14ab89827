#include "harness/json_util.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *acs_json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "object";
	case JSON_ARRAY:
		return "array";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "integer";
	case JSON_REAL:
		return "number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
		return "null";
	}
	return "?";
}

int acs_json_load_object(const char *path, const char *what, json_t **out, struct acs_err *err)
{
	json_error_t jerr;
	json_t *root;
	FILE *fp;

	fp = fopen(path, "r");
	if (fp == NULL)
		return acs_err_set(err, ACS_E_IO, "cannot open %s %s: %s", what, path,
		                   acs_errno_text(errno));
	root = json_loadf(fp, JSON_REJECT_DUPLICATES, &jerr);
	fclose(fp);
	if (root == NULL)
		return acs_err_set(err, ACS_E_PARSE, "%s:%d:%d: invalid JSON: %s", path, jerr.line,
		                   jerr.column, jerr.text);
	if (!json_is_object(root)) {
		int rc = acs_err_set(err, ACS_E_INVAL, "%s: expected a JSON object, got %s", path,
		                     acs_json_type_name(root));

		json_decref(root);
		return rc;
	}
	*out = root;
	return 0;
}

int acs_str_in_list(const char *const *list, const char *s)
{
	size_t i;

	for (i = 0; list[i] != NULL; i++) {
		if (strcmp(list[i], s) == 0)
			return 1;
	}
	return 0;
}
