/*
 * JSON reports read back into results (acs_report_load), and the merge of
 * the reports of one run's shards.
 */
#include "reports/load.h"
#include "harness/json_util.h"
#include "harness/rfc3339.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Where a field is, for messages: "r.json: results[3]: " or "r.json: ". */
struct place {
	const char *path;
	long idx; /* -1: the top level */
};

static int field_err(const struct place *p, struct acs_err *err, int code, const char *field,
                     const char *what)
{
	if (p->idx < 0)
		return acs_err_set(err, code, "%s: field \"%s\": %s", p->path, field, what);
	return acs_err_set(err, code, "%s: results[%ld]: field \"%s\": %s", p->path, p->idx, field,
	                   what);
}

static int type_err(const struct place *p, struct acs_err *err, const char *field, const char *want,
                    const json_t *v)
{
	char what[128];

	snprintf(what, sizeof(what), "expected %s, got %s", want, acs_json_type_name(v));
	return field_err(p, err, ACS_E_INVAL, field, what);
}

/*
 * The string member name of o as a new string in *out; NULL when null or
 * (unless required) absent.
 */
static int get_str(const json_t *o, const char *name, int required, char **out,
                   const struct place *p, struct acs_err *err)
{
	json_t *v = json_object_get(o, name);

	*out = NULL;
	if (v == NULL || json_is_null(v)) {
		if (required)
			return field_err(p, err, ACS_E_INVAL, name,
			                 v == NULL ? "missing" : "expected a string, got null");
		return 0;
	}
	if (!json_is_string(v))
		return type_err(p, err, name, "a string", v);
	if (required && json_string_length(v) == 0)
		return field_err(p, err, ACS_E_INVAL, name, "expected a non-empty string");
	*out = strndup(json_string_value(v), json_string_length(v));
	if (*out == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return 0;
}

/* A verdict name member; required unless dflt is not NULL (used when absent or null). */
static int get_verdict(const json_t *o, const char *name, const enum acs_verdict *dflt,
                       enum acs_verdict *out, const struct place *p, struct acs_err *err)
{
	json_t *v = json_object_get(o, name);
	char what[256];

	if ((v == NULL || json_is_null(v)) && dflt != NULL) {
		*out = *dflt;
		return 0;
	}
	if (v == NULL)
		return field_err(p, err, ACS_E_INVAL, name, "missing");
	if (!json_is_string(v))
		return type_err(p, err, name, "a verdict name", v);
	if (acs_verdict_parse(json_string_value(v), out) != 0) {
		snprintf(what, sizeof(what),
		         "expected one of PASS, FAIL, NONSTRICT, UNSUPPORTED, SKIPPED, XFAIL, "
		         "XPASS, ERROR, got \"%.64s\"",
		         json_string_value(v));
		return field_err(p, err, ACS_E_INVAL, name, what);
	}
	return 0;
}

/* An optional number member (integer or real) of at least 0. */
static int get_number(const json_t *o, const char *name, double *out, const struct place *p,
                      struct acs_err *err)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return type_err(p, err, name, "a number", v);
	if (!(json_number_value(v) >= 0))
		return field_err(p, err, ACS_E_INVAL, name, "expected a number of at least 0");
	*out = json_number_value(v);
	return 0;
}

/* An optional integer member of at least 0 that fits an int. */
static int get_int(const json_t *o, const char *name, int *out, const struct place *p,
                   struct acs_err *err)
{
	json_t *v = json_object_get(o, name);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_integer(v))
		return type_err(p, err, name, "an integer", v);
	if (json_integer_value(v) < 0 || json_integer_value(v) > 1000000)
		return field_err(p, err, ACS_E_INVAL, name,
		                 "expected an integer from 0 to 1000000");
	*out = (int)json_integer_value(v);
	return 0;
}

/* The side of a case: the id's first part ("server.8555..." -> "server"). */
static char *side_of(const char *id, const char *fallback)
{
	const char *dot = strchr(id, '.');

	if (dot != NULL && dot != id)
		return strndup(id, (size_t)(dot - id));
	return strdup(fallback != NULL ? fallback : "unknown");
}

static int load_result(const json_t *o, struct acs_report *rep, size_t i, const char *path,
                       struct acs_err *err)
{
	struct acs_case *c = &rep->cases[i];
	struct acs_result *r = &rep->results[i];
	const struct place p = {path, (long)i};
	char *level = NULL;
	int rc = 0;

	if (!json_is_object(o))
		return acs_err_set(err, ACS_E_INVAL, "%s: results[%zu]: expected an object, got %s",
		                   path, i, acs_json_type_name(o));
	r->c = c;
	rc = get_str(o, "id", 1, &c->id, &p, err);
	if (rc == 0)
		rc = get_verdict(o, "verdict", NULL, &r->verdict, &p, err);
	if (rc == 0)
		rc = get_verdict(o, "raw_verdict", &r->verdict, &r->raw, &p, err);
	if (rc == 0)
		rc = get_str(o, "level", 1, &level, &p, err);
	if (rc == 0 && acs_level_parse(level, &c->level) != 0)
		rc = field_err(&p, err, ACS_E_INVAL, "level", "expected one of MUST, SHOULD, MAY");
	free(level);
	if (rc == 0)
		rc = get_str(o, "rfc", 0, &c->rfc, &p, err);
	if (rc == 0)
		rc = get_str(o, "section", 0, &c->section, &p, err);
	if (rc == 0)
		rc = get_str(o, "title", 0, &c->title, &p, err);
	if (rc == 0)
		rc = get_str(o, "requirement", 0, &c->requirement, &p, err);
	if (rc == 0)
		rc = get_str(o, "message", 0, &r->message, &p, err);
	if (rc == 0)
		rc = get_str(o, "expected", 0, &r->expected, &p, err);
	if (rc == 0)
		rc = get_str(o, "actual", 0, &r->actual, &p, err);
	if (rc == 0)
		rc = get_str(o, "transcript", 0, &r->transcript, &p, err);
	if (rc == 0)
		rc = get_str(o, "client_output", 0, &r->client_output, &p, err);
	if (rc == 0)
		rc = get_str(o, "expect_reason", 0, &r->expect_reason, &p, err);
	if (rc == 0)
		rc = get_str(o, "rerun", 0, &r->rerun, &p, err);
	if (rc == 0)
		rc = get_int(o, "step", &r->step, &p, err);
	if (rc == 0)
		rc = get_number(o, "seconds", &r->seconds, &p, err);
	if (rc == 0) {
		c->side = side_of(c->id, rep->side);
		if (c->side == NULL)
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	return rc;
}

struct id_at {
	const char *id;
	size_t i;
};

static int cmp_id_at(const void *a, const void *b)
{
	const struct id_at *x = a, *y = b;
	int d = strcmp(x->id, y->id);

	if (d != 0)
		return d;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Refuse the same case id twice, naming both places. */
static int check_unique(const struct acs_report *rep, const char *path, struct acs_err *err)
{
	struct id_at *ids;
	size_t i;
	int rc = 0;

	if (rep->n < 2)
		return 0;
	ids = malloc(rep->n * sizeof(*ids));
	if (ids == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	for (i = 0; i < rep->n; i++) {
		ids[i].id = rep->cases[i].id;
		ids[i].i = i;
	}
	qsort(ids, rep->n, sizeof(*ids), cmp_id_at);
	for (i = 1; i < rep->n && rc == 0; i++) {
		if (strcmp(ids[i - 1].id, ids[i].id) == 0)
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: results[%zu] and results[%zu] are both case %s", path,
			                 ids[i - 1].i, ids[i].i, ids[i].id);
	}
	free(ids);
	return rc;
}

/* The run's fields (everything but the results). */
static int load_run(const json_t *root, struct acs_report *rep, const char *path,
                    struct acs_err *err)
{
	const struct place p = {path, -1};
	json_t *strict = json_object_get(root, "strict"), *v;
	char *started = NULL;
	int rc;

	v = json_object_get(root, "acmespec");
	if (v == NULL || !json_is_string(v))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: not an acmespec JSON report: field \"acmespec\": %s%s",
		                   path, v == NULL ? "missing" : "expected a string, got ",
		                   v == NULL ? "" : acs_json_type_name(v));
	rc = get_str(root, "acmespec", 1, &rep->version, &p, err);
	if (rc == 0)
		rc = get_str(root, "side", 0, &rep->side, &p, err);
	if (rc == 0)
		rc = get_str(root, "target", 0, &rep->target, &p, err);
	if (rc == 0)
		rc = get_str(root, "profile", 0, &rep->profile, &p, err);
	if (rc == 0)
		rc = get_str(root, "expect_file", 0, &rep->expect_file, &p, err);
	if (rc == 0 && strict != NULL && !json_is_boolean(strict))
		rc = type_err(&p, err, "strict", "true or false", strict);
	if (rc == 0)
		rc = get_int(root, "jobs", &rep->info.jobs, &p, err);
	if (rc == 0)
		rc = get_number(root, "seconds", &rep->info.seconds, &p, err);
	if (rc == 0)
		rc = get_str(root, "started", 0, &started, &p, err);
	if (rc == 0 && started != NULL && acs_rfc3339_parse(started, &rep->info.started) != 0)
		rc = field_err(&p, err, ACS_E_INVAL, "started",
		               "expected an RFC 3339 date-time (2026-12-04T16:17:09Z)");
	free(started);
	rep->info.strict = json_is_true(strict);
	rep->info.side = rep->side;
	rep->info.target = rep->target;
	rep->info.profile = rep->profile;
	rep->info.expect_file = rep->expect_file;
	return rc;
}

int acs_report_load(const char *path, struct acs_report **out, struct acs_err *err)
{
	struct acs_report *rep = NULL;
	json_t *root = NULL, *list, *v;
	size_t i;
	int rc;

	rc = acs_json_load_object(path, "JSON report", &root, err);
	if (rc != 0)
		return rc;
	rep = calloc(1, sizeof(*rep));
	if (rep != NULL)
		rep->path = strdup(path);
	if (rep == NULL || rep->path == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	rc = load_run(root, rep, path, err);
	if (rc != 0)
		goto out;
	list = json_object_get(root, "results");
	if (list == NULL || !json_is_array(list)) {
		rc = acs_err_set(err, ACS_E_INVAL, "%s: field \"results\": %s%s", path,
		                 list == NULL ? "missing" : "expected an array, got ",
		                 list == NULL ? "" : acs_json_type_name(list));
		goto out;
	}
	rep->cases = calloc(json_array_size(list) + 1, sizeof(*rep->cases));
	rep->results = calloc(json_array_size(list) + 1, sizeof(*rep->results));
	if (rep->cases == NULL || rep->results == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	json_array_foreach(list, i, v)
	{
		rep->n = i + 1; /* so that acs_report_free frees what was read */
		rc = load_result(v, rep, i, path, err);
		if (rc != 0)
			goto out;
	}
	rc = check_unique(rep, path, err);
out:
	json_decref(root);
	if (rc != 0) {
		acs_report_free(rep);
		return rc;
	}
	*out = rep;
	return 0;
}

void acs_report_free(struct acs_report *rep)
{
	size_t i;

	if (rep == NULL)
		return;
	for (i = 0; i < rep->n; i++) {
		acs_result_clear(&rep->results[i]);
		acs_case_clear(&rep->cases[i]);
	}
	free(rep->results);
	free(rep->cases);
	free(rep->path);
	free(rep->version);
	free(rep->side);
	free(rep->target);
	free(rep->profile);
	free(rep->expect_file);
	free(rep);
}

const struct acs_result *acs_report_find(const struct acs_report *rep, const char *id)
{
	size_t i;

	if (rep == NULL || id == NULL)
		return NULL;
	for (i = 0; i < rep->n; i++) {
		if (strcmp(rep->cases[i].id, id) == 0)
			return &rep->results[i];
	}
	return NULL;
}

/* ----------------------------------------------------------------- merge */

/* *dst = copy of src (NULL stays NULL); 0 or -1 on ENOMEM. */
static int dup_str(char **dst, const char *src)
{
	*dst = NULL;
	if (src == NULL)
		return 0;
	*dst = strdup(src);
	return *dst == NULL ? -1 : 0;
}

/* Deep copy of the loaded fields of a case and of a result (r->c set by the caller). */
static int copy_entry(struct acs_case *c, struct acs_result *r, const struct acs_case *sc,
                      const struct acs_result *sr)
{
	int bad = 0;

	c->level = sc->level;
	bad |= dup_str(&c->id, sc->id);
	bad |= dup_str(&c->side, sc->side);
	bad |= dup_str(&c->rfc, sc->rfc);
	bad |= dup_str(&c->section, sc->section);
	bad |= dup_str(&c->title, sc->title);
	bad |= dup_str(&c->requirement, sc->requirement);
	r->verdict = sr->verdict;
	r->raw = sr->raw;
	r->step = sr->step;
	r->seconds = sr->seconds;
	bad |= dup_str(&r->message, sr->message);
	bad |= dup_str(&r->expected, sr->expected);
	bad |= dup_str(&r->actual, sr->actual);
	bad |= dup_str(&r->transcript, sr->transcript);
	bad |= dup_str(&r->client_output, sr->client_output);
	bad |= dup_str(&r->expect_reason, sr->expect_reason);
	bad |= dup_str(&r->rerun, sr->rerun);
	return bad ? -1 : 0;
}

/* 1 when both are NULL or equal strings. */
static int same_str(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static int incompatible(const struct acs_report *first, const struct acs_report *part,
                        const char *field, const char *a, const char *b, struct acs_err *err)
{
	return acs_err_set(err, ACS_E_INVAL,
	                   "cannot merge %s with %s: field \"%s\" differs (%s, %s): not shards of "
	                   "one run",
	                   first->path, part->path, field, a != NULL ? a : "null",
	                   b != NULL ? b : "null");
}

/* Refuse parts whose verdicts would not mean the same as the first's. */
static int check_compatible(const struct acs_report *first, const struct acs_report *part,
                            struct acs_err *err)
{
	if (!same_str(first->side, part->side))
		return incompatible(first, part, "side", first->side, part->side, err);
	if (!same_str(first->profile, part->profile))
		return incompatible(first, part, "profile", first->profile, part->profile, err);
	if (first->info.strict != part->info.strict)
		return incompatible(first, part, "strict", first->info.strict ? "true" : "false",
		                    part->info.strict ? "true" : "false", err);
	return 0;
}

/* The merged run's fields from the parts; 0 or ACS_E_NOMEM. */
static int merge_run(struct acs_report *m, const struct acs_report *const *parts, size_t nparts)
{
	const struct acs_report *first = parts[0];
	int bad = 0;
	size_t i;

	bad |= dup_str(&m->path, first->path);
	bad |= dup_str(&m->version, first->version);
	bad |= dup_str(&m->side, first->side);
	bad |= dup_str(&m->target, first->target);
	bad |= dup_str(&m->profile, first->profile);
	bad |= dup_str(&m->expect_file, first->expect_file);
	m->info = first->info;
	m->info.jobs = 0;
	for (i = 0; i < nparts; i++) {
		if (parts[i]->info.started < m->info.started)
			m->info.started = parts[i]->info.started;
		if (parts[i]->info.seconds > m->info.seconds)
			m->info.seconds = parts[i]->info.seconds;
		m->info.jobs += parts[i]->info.jobs;
	}
	m->info.side = m->side;
	m->info.target = m->target;
	m->info.profile = m->profile;
	m->info.expect_file = m->expect_file;
	return bad ? ACS_E_NOMEM : 0;
}

/* One merged entry: which part, which result; sorted by id. */
struct origin {
	const struct acs_report *part;
	size_t p; /* index of part */
	size_t i; /* index of the result in part */
};

static int same_id(const struct origin *x, const struct origin *y)
{
	return strcmp(x->part->cases[x->i].id, y->part->cases[y->i].id) == 0;
}

/* By id, then by part (so that a duplicate names the earlier part first). */
static int cmp_origin(const void *a, const void *b)
{
	const struct origin *x = a, *y = b;
	int d = strcmp(x->part->cases[x->i].id, y->part->cases[y->i].id);

	if (d != 0)
		return d;
	return x->p < y->p ? -1 : x->p > y->p;
}

int acs_report_merge(const struct acs_report *const *parts, size_t nparts, struct acs_report **out,
                     struct acs_err *err)
{
	struct acs_report *m = NULL;
	struct origin *all = NULL;
	size_t total = 0, i, j, k = 0;
	int rc = 0;

	if (parts == NULL || nparts == 0)
		return acs_err_set(err, ACS_E_INVAL, "cannot merge: no report given");
	for (i = 0; i < nparts; i++) {
		rc = check_compatible(parts[0], parts[i], err);
		if (rc != 0)
			return rc;
		total += parts[i]->n;
	}
	all = calloc(total + 1, sizeof(*all));
	m = calloc(1, sizeof(*m));
	if (all == NULL || m == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nparts; i++) {
		for (j = 0; j < parts[i]->n; j++) {
			all[k].part = parts[i];
			all[k].p = i;
			all[k++].i = j;
		}
	}
	qsort(all, total, sizeof(*all), cmp_origin);
	for (i = 1; i < total; i++) {
		if (same_id(&all[i - 1], &all[i])) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "cannot merge: case %s is in both %s and %s",
			                 all[i].part->cases[all[i].i].id, all[i - 1].part->path,
			                 all[i].part->path);
			goto out;
		}
	}
	m->cases = calloc(total + 1, sizeof(*m->cases));
	m->results = calloc(total + 1, sizeof(*m->results));
	if (m->cases == NULL || m->results == NULL || merge_run(m, parts, nparts) != 0) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < total; i++) {
		const struct acs_report *part = all[i].part;

		m->n = i + 1;
		m->results[i].c = &m->cases[i];
		if (copy_entry(&m->cases[i], &m->results[i], &part->cases[all[i].i],
		               &part->results[all[i].i]) != 0) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto out;
		}
	}
out:
	free(all);
	if (rc != 0) {
		acs_report_free(m);
		return rc;
	}
	*out = m;
	return 0;
}
