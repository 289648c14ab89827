/*
 * Small JSON helpers shared by every loader: type names for messages,
 * loading a JSON file with one set of error messages, and membership in a
 * NULL-terminated list of strings (the allowed fields of an object).
 */
#ifndef ACMESPEC_JSON_UTIL_H
#define ACMESPEC_JSON_UTIL_H

#include <jansson.h>
#include "harness/err.h"

/*
 * The JSON type of v in the words error messages use ("object", "array",
 * "string", "integer", "number", "true", "false", "null"). Static string.
 */
const char *acs_json_type_name(const json_t *v);

/*
 * Load the JSON object in the file at path, refusing duplicate keys. what
 * names the file in messages ("case file", "expectations file"). *out: new
 * reference (json_decref). Errors, with *out untouched: ACS_E_IO "cannot
 * open WHAT PATH: ...", ACS_E_PARSE "PATH:LINE:COL: invalid JSON: ...",
 * ACS_E_INVAL "PATH: expected a JSON object, got array".
 */
int acs_json_load_object(const char *path, const char *what, json_t **out, struct acs_err *err);

/* 1 when s equals one of the strings of the NULL-terminated list. */
int acs_str_in_list(const char *const *list, const char *s);

#endif
