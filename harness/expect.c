/*
 * Expectations files: known results for one target, applied to raw
 * verdicts to give XFAIL / XPASS.
 */
#include "harness/expect.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/buf.h"
#include "harness/json_util.h"

static const char *const top_fields[] = {"target", "expectations", "notes", NULL};
static const char *const entry_fields[] = {"case", "verdict", "clause",       "reason",
                                           "link", "notes",   "intermittent", NULL};

void acs_expect_free(struct acs_expectations *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++) {
		free(e->entries[i].pattern);
		free(e->entries[i].reason);
		free(e->entries[i].link);
	}
	free(e->entries);
	free(e->target);
	free(e);
}

/* Optional string member of an entry; *out borrowed, NULL when absent. */
static int entry_str(const json_t *o, const char *path, size_t idx, const char *name, int required,
                     const char **out, struct acs_err *err)
{
	json_t *v = json_object_get(o, name);

	*out = NULL;
	if (v == NULL) {
		if (required)
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: expectations[%zu]: field \"%s\": missing", path,
			                   idx, name);
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) == 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: expectations[%zu]: field \"%s\": expected a non-empty "
		                   "string, got %s",
		                   path, idx, name,
		                   json_is_string(v) ? "\"\"" : acs_json_type_name(v));
	*out = json_string_value(v);
	return 0;
}

/* "clause: reason" on one line (line breaks become spaces); new string. */
static char *one_line_reason(const char *clause, const char *reason)
{
	struct acs_buf b;
	char *s;
	size_t i;
	int rc = 0;

	acs_buf_init(&b, 64 * 1024);
	if (clause != NULL)
		rc = acs_buf_printf(&b, "%s: ", clause);
	if (rc == 0)
		rc = acs_buf_puts(&b, reason);
	if (rc != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	s = acs_buf_steal(&b);
	for (i = 0; s != NULL && s[i] != '\0'; i++) {
		if (s[i] == '\n' || s[i] == '\r' || s[i] == '\t')
			s[i] = ' ';
	}
	return s;
}

static int matches_any_case(const struct acs_catalog *cat, const char *pattern)
{
	size_t i;

	for (i = 0; i < cat->n; i++) {
		if (fnmatch(pattern, cat->cases[i].id, 0) == 0)
			return 1;
	}
	return 0;
}

int acs_expect_load(struct acs_expectations **out, const char *path, const struct acs_catalog *cat,
                    struct acs_err *err)
{
	struct acs_expectations *e = NULL;
	json_t *root = NULL, *list, *v;
	const char *key;
	size_t i;
	int rc = 0;

	rc = acs_json_load_object(path, "expectations file", &root, err);
	if (rc != 0)
		return rc;
	json_object_foreach(root, key, v)
	{
		if (!acs_str_in_list(top_fields, key)) {
			rc = acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\": unknown field", path,
			                 key);
			goto out;
		}
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	v = json_object_get(root, "target");
	if (v != NULL) {
		if (!json_is_string(v)) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"target\": expected a string, got %s", path,
			                 acs_json_type_name(v));
			goto out;
		}
		e->target = strdup(json_string_value(v));
		if (e->target == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto out;
		}
	}
	list = json_object_get(root, "expectations");
	if (list == NULL) {
		rc = acs_err_set(err, ACS_E_INVAL, "%s: field \"expectations\": missing", path);
		goto out;
	}
	if (!json_is_array(list)) {
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "%s: field \"expectations\": expected an array, got %s", path,
		                 acs_json_type_name(list));
		goto out;
	}
	e->entries = calloc(json_array_size(list) + 1, sizeof(*e->entries));
	if (e->entries == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(list, i, v)
	{
		struct acs_expect_entry *en = &e->entries[e->n];
		const char *pat, *verdict, *clause, *reason, *link;
		enum acs_verdict vd;

		if (!json_is_object(v)) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: expectations[%zu]: expected an object, got %s", path,
			                 i, acs_json_type_name(v));
			goto out;
		}
		{
			const char *k;
			json_t *m;

			json_object_foreach(v, k, m)
			{
				if (!acs_str_in_list(entry_fields, k)) {
					rc = acs_err_set(err, ACS_E_INVAL,
					                 "%s: expectations[%zu]: field \"%s\": "
					                 "unknown field",
					                 path, i, k);
					goto out;
				}
			}
		}
		rc = entry_str(v, path, i, "case", 1, &pat, err);
		if (rc == 0)
			rc = entry_str(v, path, i, "verdict", 1, &verdict, err);
		if (rc == 0)
			rc = entry_str(v, path, i, "clause", 0, &clause, err);
		if (rc == 0)
			rc = entry_str(v, path, i, "reason", 1, &reason, err);
		if (rc == 0)
			rc = entry_str(v, path, i, "link", 0, &link, err);
		if (rc != 0)
			goto out;
		if (acs_verdict_parse(verdict, &vd) != 0 ||
		    (vd != ACS_FAIL && vd != ACS_NONSTRICT)) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: expectations[%zu]: field \"verdict\": expected FAIL "
			                 "or NONSTRICT, got \"%s\"",
			                 path, i, verdict);
			goto out;
		}
		if (cat != NULL && !matches_any_case(cat, pat)) {
			rc = acs_err_set(err, ACS_E_NOTFOUND,
			                 "%s: expectations[%zu]: case \"%s\" matches no case of "
			                 "the catalog",
			                 path, i, pat);
			goto out;
		}
		if (json_object_get(v, "intermittent") != NULL &&
		    !json_is_boolean(json_object_get(v, "intermittent"))) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: expectations[%zu]: field \"intermittent\": expected "
			                 "true or false",
			                 path, i);
			goto out;
		}
		en->intermittent = json_is_true(json_object_get(v, "intermittent"));
		en->verdict = vd;
		en->pattern = strdup(pat);
		en->reason = one_line_reason(clause, reason);
		en->link = link != NULL ? strdup(link) : NULL;
		e->n++;
		if (en->pattern == NULL || en->reason == NULL ||
		    (link != NULL && en->link == NULL)) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto out;
		}
	}
	*out = e;
	e = NULL;
out:
	acs_expect_free(e);
	json_decref(root);
	return rc;
}

const struct acs_expect_entry *acs_expect_find(const struct acs_expectations *e, const char *id)
{
	size_t i;

	if (e == NULL || id == NULL)
		return NULL;
	for (i = 0; i < e->n; i++) {
		if (e->entries[i].pattern != NULL && fnmatch(e->entries[i].pattern, id, 0) == 0)
			return &e->entries[i];
	}
	return NULL;
}

/* reason, plus " (link)" when there is one; new string or NULL. */
static char *reason_text(const struct acs_expect_entry *en)
{
	struct acs_buf b;

	acs_buf_init(&b, 0);
	/* entries may also be built by hand (profiles): tolerate a missing reason */
	if (acs_buf_puts(&b, en->reason != NULL ? en->reason : "expected") != 0)
		goto fail;
	if (en->link != NULL && acs_buf_printf(&b, " (%s)", en->link) != 0)
		goto fail;
	return acs_buf_steal(&b);
fail:
	acs_buf_free(&b);
	return NULL;
}

void acs_expect_apply(const struct acs_expectations *e, struct acs_result *r)
{
	const struct acs_expect_entry *en;

	r->verdict = r->raw;
	free(r->expect_reason);
	r->expect_reason = NULL;
	if (e == NULL || r->c == NULL)
		return;
	en = acs_expect_find(e, r->c->id);
	if (en == NULL)
		return;
	if (r->raw == en->verdict) {
		r->verdict = ACS_XFAIL;
	} else if (en->intermittent && r->raw == ACS_PASS) {
		return; /* a fault the target shows in some runs only: a PASS is no news */
	} else if (en->verdict == ACS_FAIL && r->raw == ACS_PASS) {
		r->verdict = ACS_XPASS;
		if (r->message == NULL)
			r->message = strdup("expected to fail (expectations file) but passed");
	} else {
		return;
	}
	r->expect_reason = reason_text(en);
}
