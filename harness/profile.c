#include "harness/profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/json_util.h"

int acs_profile_load(struct acs_profile *p, const char *catalog_dir, const char *name,
                     struct acs_err *err)
{
	char path[4096];
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name != NULL ? name : "rfc8555");
	for (i = 0; p->name[i] != '\0'; i++) {
		char ch = p->name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.'))
			return acs_err_set(err, ACS_E_INVAL, "option --profile: bad name \"%s\"",
			                   p->name);
	}
	snprintf(path, sizeof(path), "%s/profiles/%s.json", catalog_dir, p->name);
	if (access(path, R_OK) != 0) {
		if (name == NULL)
			return 0; /* the default needs no file */
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown profile \"%s\": cannot read %s",
		                   name, path);
	}
	return acs_json_load_object(path, "profile", &p->json, err);
}

void acs_profile_clear(struct acs_profile *p)
{
	json_decref(p->json);
	p->json = NULL;
}

int acs_profile_lacks(const struct acs_profile *p, const char *feature)
{
	if (p == NULL || p->json == NULL)
		return 0;
	return json_is_false(json_object_get(json_object_get(p->json, "features"), feature));
}

static char *xstrdup(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* Entry k of all from the profile's expectation e ("clause: reason" as the reason). */
static int profile_entry(const struct acs_profile *p, const json_t *e, size_t i,
                         struct acs_expect_entry *out, struct acs_err *err)
{
	const char *pat = json_string_value(json_object_get(e, "case"));
	const char *v = json_string_value(json_object_get(e, "verdict"));
	const char *clause = json_string_value(json_object_get(e, "clause"));
	const char *reason = json_string_value(json_object_get(e, "reason"));
	enum acs_verdict verdict = ACS_FAIL;
	char line[2048];

	if (pat == NULL || (v != NULL && acs_verdict_parse(v, &verdict) != 0))
		return acs_err_set(err, ACS_E_INVAL,
		                   "profile %s: expectations[%zu]: needs \"case\" and a valid "
		                   "\"verdict\"",
		                   p->name, i);
	snprintf(line, sizeof(line), "%s%s%s", clause != NULL ? clause : "",
	         clause != NULL && reason != NULL ? ": " : "", reason != NULL ? reason : "");
	out->pattern = xstrdup(pat);
	out->verdict = verdict;
	out->reason = xstrdup(line);
	out->link = xstrdup(json_string_value(json_object_get(e, "link")));
	if (out->pattern == NULL || out->reason == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return 0;
}

int acs_profile_expectations(const struct acs_profile *p, const char *file,
                             const struct acs_catalog *cat, struct acs_expectations **out,
                             struct acs_err *err)
{
	struct acs_expectations *fe = NULL, *all = NULL;
	json_t *pe = p->json != NULL ? json_object_get(p->json, "expectations") : NULL;
	size_t i, n;
	int rc;

	*out = NULL;
	if (file != NULL) {
		rc = acs_expect_load(&fe, file, cat, err);
		if (rc != 0)
			return rc;
	}
	if (pe != NULL && !json_is_array(pe)) {
		acs_expect_free(fe);
		return acs_err_set(err, ACS_E_INVAL,
		                   "profile %s: field \"expectations\": expected an array",
		                   p->name);
	}
	if (fe == NULL && json_array_size(pe) == 0)
		return 0;
	n = (fe != NULL ? fe->n : 0) + json_array_size(pe);
	rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	all = calloc(1, sizeof(*all));
	if (all == NULL)
		goto out;
	all->entries = calloc(n, sizeof(*all->entries));
	all->target = xstrdup(fe != NULL && fe->target != NULL ? fe->target : p->name);
	if (all->entries == NULL || all->target == NULL)
		goto out;
	for (i = 0; fe != NULL && i < fe->n; i++) {
		struct acs_expect_entry *d = &all->entries[all->n++];

		d->pattern = xstrdup(fe->entries[i].pattern);
		d->verdict = fe->entries[i].verdict;
		d->reason = xstrdup(fe->entries[i].reason);
		d->link = xstrdup(fe->entries[i].link);
		if (d->pattern == NULL || d->reason == NULL)
			goto out;
	}
	for (i = 0; i < json_array_size(pe); i++) {
		rc = profile_entry(p, json_array_get(pe, i), i, &all->entries[all->n++], err);
		if (rc != 0)
			goto out;
	}
	*out = all;
	all = NULL;
	rc = 0;
out:
	acs_expect_free(fe);
	acs_expect_free(all);
	return rc;
}
