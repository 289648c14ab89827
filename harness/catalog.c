/*
 * The case catalog: loading and validating case files, and filtering.
 *
 * Validation covers the fields common to every case (docs/case-format.md);
 * the steps themselves are checked by the interpreter (acs_script_validate)
 * and scenarios by the mock CA.
 */
#include "harness/catalog.h"
#include "harness/json_util.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Fields every case may carry; "steps" / "scenario" depend on the side. */
static const char *const common_fields[] = {
    "id",     "rfc",   "section", "level", "title",    "requirement", "tags",
    "covers", "needs", "control", "notes", "baseline", NULL};

static const char *const known_rfcs[] = {
    "8555", "8737", "8738", "9773", "v1v2", "boulder",
    /* profiles branch: the profiles draft, RFC 9444 */
    "profiles", "9444",
    /* dns-account-01 and dns-persist-01 drafts (issue 7 item 3) */
    "dnsaccount", "dnspersist",
    /* issue 11: a client's own bounds against a hostile server */
    "robustness", NULL};

/* Optional features of a server target (docs/case-format.md "Features"). */
static const char *const server_features[] = {"eab",
                                              "keyChange",
                                              "revokeCert",
                                              "newAuthz",
                                              "http-01",
                                              "dns-01",
                                              "tls-alpn-01",
                                              "ip",
                                              "wildcard",
                                              "alternate-chains",
                                              "orders-list",
                                              "renewalInfo",
                                              "serial-high-bit",
                                              "profiles",
                                              "dns-account-01",
                                              "dns-persist-01",
                                              "subdomainAuth",
                                              NULL};

const char *const *acs_server_features(void)
{
	return server_features;
}

const char *acs_level_name(enum acs_level l)
{
	switch (l) {
	case ACS_MUST:
		return "MUST";
	case ACS_SHOULD:
		return "SHOULD";
	case ACS_MAY:
		return "MAY";
	}
	return "?";
}

int acs_level_parse(const char *s, enum acs_level *out)
{
	if (s == NULL)
		return ACS_E_INVAL;
	if (strcasecmp(s, "MUST") == 0 || strcasecmp(s, "MUST NOT") == 0)
		*out = ACS_MUST;
	else if (strcasecmp(s, "SHOULD") == 0 || strcasecmp(s, "SHOULD NOT") == 0)
		*out = ACS_SHOULD;
	else if (strcasecmp(s, "MAY") == 0)
		*out = ACS_MAY;
	else
		return ACS_E_INVAL;
	return 0;
}

static void free_strv(char **v)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

void acs_case_clear(struct acs_case *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c->file);
	free(c->side);
	free(c->rfc);
	free(c->section);
	free(c->title);
	free(c->requirement);
	free_strv(c->tags);
	free_strv(c->covers);
	free_strv(c->needs);
	free_strv(c->control);
	free_strv(c->baseline);
	json_decref(c->body);
	memset(c, 0, sizeof(*c));
}

/*
 * A required (or, with optional, possibly absent) non-empty string member.
 * *out gets a copy, or stays NULL when absent.
 */
static int get_string(const json_t *root, const char *path, const char *name, int optional,
                      char **out, struct acs_err *err)
{
	json_t *v = json_object_get(root, name);
	char *s;

	if (v == NULL) {
		if (optional)
			return 0;
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\": missing", path, name);
	}
	if (!json_is_string(v))
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\": expected a string, got %s",
		                   path, name, acs_json_type_name(v));
	if (json_string_length(v) == 0)
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\": empty string", path, name);
	if (strlen(json_string_value(v)) != json_string_length(v))
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\": contains a NUL character",
		                   path, name);
	s = strdup(json_string_value(v));
	if (s == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", path);
	*out = s;
	return 0;
}

/* Kinds of element checks for string arrays. */
enum strv_kind { STRV_ANY, STRV_COVERS, STRV_FEATURE };

/* "S026", "C017": upper-case letters then digits. */
static int is_row_id(const char *s)
{
	size_t i = 0;

	while (s[i] >= 'A' && s[i] <= 'Z')
		i++;
	if (i == 0 || s[i] == '\0')
		return 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	return s[i] == '\0';
}

/*
 * An array of non-empty strings; *out is a new NULL-terminated vector
 * (empty when the member is absent and optional).
 */
static int get_strv(const json_t *root, const char *path, const char *name, int optional,
                    enum strv_kind kind, char ***out, struct acs_err *err)
{
	json_t *v = json_object_get(root, name);
	char **vec = NULL;
	size_t i, n;
	int rc = 0;

	if (v == NULL && !optional)
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\": missing", path, name);
	if (v != NULL && !json_is_array(v))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"%s\": expected an array of strings, got %s", path,
		                   name, acs_json_type_name(v));
	n = v != NULL ? json_array_size(v) : 0;
	vec = calloc(n + 1, sizeof(*vec));
	if (vec == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", path);
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(v, i);
		const char *s;
		size_t j;

		if (!json_is_string(e)) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"%s\"[%zu]: expected a string, got %s", path,
			                 name, i, acs_json_type_name(e));
			goto out;
		}
		s = json_string_value(e);
		if (s[0] == '\0') {
			rc = acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\"[%zu]: empty string",
			                 path, name, i);
			goto out;
		}
		if (kind == STRV_COVERS && !is_row_id(s)) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"%s\"[%zu]: expected a requirement row such "
			                 "as \"S026\", got \"%s\"",
			                 path, name, i, s);
			goto out;
		}
		if (kind == STRV_FEATURE && !acs_str_in_list(server_features, s)) {
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"%s\"[%zu]: unknown feature \"%s\"", path,
			                 name, i, s);
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(vec[j], s) == 0) {
				rc = acs_err_set(err, ACS_E_INVAL,
				                 "%s: field \"%s\"[%zu]: \"%s\" listed twice", path,
				                 name, i, s);
				goto out;
			}
		}
		vec[i] = strdup(s);
		if (vec[i] == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", path);
			goto out;
		}
	}
	*out = vec;
	vec = NULL;
out:
	free_strv(vec);
	return rc;
}

/*
 * Self-test switches ("control", "baseline"): one misbehaviour name, or an
 * array of them that are all switched on together. Absent stays NULL.
 */
static int get_switches(const json_t *root, const char *path, const char *name, char ***out,
                        struct acs_err *err)
{
	json_t *v = json_object_get(root, name);
	char *one = NULL;
	int rc;

	if (v == NULL)
		return 0;
	if (json_is_array(v))
		return get_strv(root, path, name, 1, STRV_ANY, out, err);
	rc = get_string(root, path, name, 1, &one, err);
	if (rc != 0)
		return rc;
	*out = calloc(2, sizeof(**out));
	if (*out == NULL) {
		free(one);
		return acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", path);
	}
	(*out)[0] = one;
	return 0;
}

static int is_slug(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'))
			return 0;
	}
	return 1;
}

/*
 * Section part of an id: segments separated by '_', each of digits; the
 * first may instead be one upper-case appendix letter ("A_1").
 */
static int is_id_section(const char *s, size_t n)
{
	size_t i, seg = 0, seglen = 0;
	int letter = 0;

	if (n == 0)
		return 0;
	for (i = 0; i <= n; i++) {
		char ch = i < n ? s[i] : '_';

		if (ch == '_') {
			if (seglen == 0)
				return 0;
			seg++;
			seglen = 0;
			letter = 0;
		} else if (ch >= '0' && ch <= '9' && !letter) {
			seglen++;
		} else if (ch >= 'A' && ch <= 'Z' && seg == 0 && seglen == 0) {
			seglen++;
			letter = 1;
		} else {
			return 0;
		}
	}
	return 1;
}

/* Check the id's shape and that it agrees with side, rfc and section. */
static int check_id(const char *path, const char *id, const char *side, const char *rfc,
                    const char *section, struct acs_err *err)
{
	const char *p[4];
	size_t len[4];
	const char *s = id, *dot;
	size_t k, i;

	for (k = 0; k < 4; k++) {
		p[k] = s;
		dot = strchr(s, '.');
		if (k < 3) {
			if (dot == NULL)
				goto bad_syntax;
			len[k] = (size_t)(dot - s);
			s = dot + 1;
		} else {
			if (dot != NULL)
				goto bad_syntax;
			len[k] = strlen(s);
		}
	}
	if (!((len[0] == 6 && strncmp(p[0], "server", 6) == 0) ||
	      (len[0] == 6 && strncmp(p[0], "client", 6) == 0)))
		goto bad_syntax;
	if (!is_id_section(p[2], len[2]))
		goto bad_syntax;
	if (!is_slug(p[3], len[3]))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"id\": slug \"%.*s\" must match [a-z0-9-]+", path,
		                   (int)len[3], p[3]);
	if (side != NULL && (strlen(side) != len[0] || strncmp(side, p[0], len[0]) != 0))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"id\": \"%s\" does not start with \"%s.\"", path, id,
		                   side);
	if (strlen(rfc) != len[1] || strncmp(rfc, p[1], len[1]) != 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"id\": rfc part \"%.*s\" disagrees with field "
		                   "\"rfc\" \"%s\"",
		                   path, (int)len[1], p[1], rfc);
	for (i = 0; i < len[2]; i++) {
		char want = p[2][i] == '_' ? '.' : p[2][i];

		if (section[i] != want)
			break;
	}
	if (i != len[2] || section[len[2]] != '\0')
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"section\": \"%s\" disagrees with the id's section "
		                   "\"%.*s\"",
		                   path, section, (int)len[2], p[2]);
	return 0;
bad_syntax:
	return acs_err_set(err, ACS_E_INVAL,
	                   "%s: field \"id\": \"%s\" is not <side>.<rfc>.<section with _>.<slug> "
	                   "(e.g. server.8555.6_5.nonce-reused-badnonce)",
	                   path, id);
}

/* "6.5.1": dot-separated segments of digits (first may be an appendix letter). */
static int is_section(const char *s)
{
	char tmp[64];
	size_t i, n = strlen(s);

	if (n == 0 || n >= sizeof(tmp))
		return 0;
	for (i = 0; i < n; i++)
		tmp[i] = s[i] == '.' ? '_' : (s[i] == '_' ? '!' : s[i]);
	return is_id_section(tmp, n);
}

static int check_steps(const json_t *root, const char *path, struct acs_err *err)
{
	json_t *steps = json_object_get(root, "steps");
	size_t i;

	if (steps == NULL)
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"steps\": missing (server cases "
		                   "need a script)",
		                   path);
	if (!json_is_array(steps))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"steps\": expected an array of objects, got %s",
		                   path, acs_json_type_name(steps));
	if (json_array_size(steps) == 0)
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"steps\": empty array", path);
	for (i = 0; i < json_array_size(steps); i++) {
		json_t *st = json_array_get(steps, i);
		json_t *d;

		if (!json_is_object(st))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"steps\"[%zu]: expected an object, got %s",
			                   path, i, acs_json_type_name(st));
		d = json_object_get(st, "do");
		if (d == NULL)
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"steps\"[%zu]: member \"do\" missing", path,
			                   i);
		if (!json_is_string(d))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"steps\"[%zu]: member \"do\": expected a "
			                   "string, got %s",
			                   path, i, acs_json_type_name(d));
	}
	return 0;
}

int acs_case_load_file(struct acs_case *out, const char *path, const char *side,
                       struct acs_err *err)
{
	struct acs_case c;
	json_t *root = NULL;
	const char *key;
	json_t *val;
	char *level = NULL;
	int rc = 0;

	memset(&c, 0, sizeof(c));
	if (side != NULL && strcmp(side, "server") != 0 && strcmp(side, "client") != 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "unknown side \"%s\": expected server or "
		                   "client",
		                   side);
	rc = acs_json_load_object(path, "case file", &root, err);
	if (rc != 0)
		return rc;
	c.file = strdup(path);
	if (c.file == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", path);
		goto out;
	}
	rc = get_string(root, path, "id", 0, &c.id, err);
	if (rc != 0)
		goto out;
	if (side == NULL)
		side = strncmp(c.id, "client.", 7) == 0 ? "client" : "server";
	c.side = strdup(side);
	if (c.side == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "%s: out of memory", path);
		goto out;
	}

	json_object_foreach(root, key, val)
	{
		if (acs_str_in_list(common_fields, key))
			continue;
		if (strcmp(key, "steps") == 0 && strcmp(side, "server") == 0)
			continue;
		if (strcmp(key, "scenario") == 0 && strcmp(side, "client") == 0)
			continue;
		if (strcmp(key, "steps") == 0 || strcmp(key, "scenario") == 0)
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"%s\": not allowed in a %s case", path, key,
			                 side);
		else
			rc = acs_err_set(err, ACS_E_INVAL, "%s: field \"%s\": unknown field", path,
			                 key);
		goto out;
	}

	rc = get_string(root, path, "rfc", 0, &c.rfc, err);
	if (rc == 0 && !acs_str_in_list(known_rfcs, c.rfc))
		rc = acs_err_set(
		    err, ACS_E_INVAL,
		    "%s: field \"rfc\": expected one of 8555, 8737, 8738, 9773, v1v2, "
		    "boulder, profiles, 9444, dnsaccount, dnspersist, robustness, got \"%s\"",
		    path, c.rfc);
	if (rc == 0)
		rc = get_string(root, path, "section", 0, &c.section, err);
	if (rc == 0 && !is_section(c.section))
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "%s: field \"section\": expected a section number such as "
		                 "\"6.5\", got \"%s\"",
		                 path, c.section);
	if (rc == 0)
		rc = check_id(path, c.id, side, c.rfc, c.section, err);
	if (rc == 0)
		rc = get_string(root, path, "level", 0, &level, err);
	if (rc == 0) {
		/* the file uses the RFC's own upper-case keywords, nothing else */
		if (strcmp(level, "MUST") == 0 || strcmp(level, "MUST NOT") == 0)
			c.level = ACS_MUST;
		else if (strcmp(level, "SHOULD") == 0 || strcmp(level, "SHOULD NOT") == 0)
			c.level = ACS_SHOULD;
		else if (strcmp(level, "MAY") == 0)
			c.level = ACS_MAY;
		else
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"level\": expected one of MUST, SHOULD, MAY, "
			                 "got \"%s\"",
			                 path, level);
	}
	if (rc == 0)
		rc = get_string(root, path, "title", 0, &c.title, err);
	if (rc == 0 && strpbrk(c.title, "\r\n") != NULL)
		rc = acs_err_set(err, ACS_E_INVAL, "%s: field \"title\": must be one line", path);
	if (rc == 0)
		rc = get_string(root, path, "requirement", 0, &c.requirement, err);
	if (rc == 0)
		rc = get_strv(root, path, "tags", 0, STRV_ANY, &c.tags, err);
	if (rc == 0)
		rc = get_strv(root, path, "covers", 1, STRV_COVERS, &c.covers, err);
	if (rc == 0)
		rc = get_strv(root, path, "needs", 1,
		              strcmp(side, "server") == 0 ? STRV_FEATURE : STRV_ANY, &c.needs, err);
	if (rc == 0)
		rc = get_switches(root, path, "control", &c.control, err);
	if (rc == 0)
		rc = get_switches(root, path, "baseline", &c.baseline, err);
	if (rc == 0) {
		char *notes = NULL;

		rc = get_string(root, path, "notes", 1, &notes, err);
		free(notes);
	}
	if (rc != 0)
		goto out;
	if (strcmp(side, "server") == 0) {
		rc = check_steps(root, path, err);
	} else {
		val = json_object_get(root, "scenario");
		if (val == NULL)
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"scenario\": missing (client cases need a "
			                 "scenario)",
			                 path);
		else if (!json_is_object(val))
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"scenario\": expected an object, got %s", path,
			                 acs_json_type_name(val));
	}
	if (rc != 0)
		goto out;
	c.body = root;
	root = NULL;
	*out = c;
	memset(&c, 0, sizeof(c));
out:
	free(level);
	acs_case_clear(&c);
	json_decref(root);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_case(const void *a, const void *b)
{
	const struct acs_case *x = a, *y = b;

	return strcmp(x->id, y->id);
}

static int has_json_suffix(const char *name)
{
	size_t n = strlen(name);

	return n > 5 && strcmp(name + n - 5, ".json") == 0;
}

void acs_catalog_free(struct acs_catalog *cat)
{
	size_t i;

	if (cat == NULL)
		return;
	for (i = 0; i < cat->n; i++)
		acs_case_clear(&cat->cases[i]);
	free(cat->cases);
	free(cat);
}

/* dir "/" side "/" name as a new string. */
static char *join3(const char *a, const char *b, const char *c)
{
	size_t la = strlen(a), lb = strlen(b), lc = c ? strlen(c) : 0;
	char *s = malloc(la + lb + lc + 3);

	if (s == NULL)
		return NULL;
	memcpy(s, a, la);
	s[la] = '/';
	memcpy(s + la + 1, b, lb);
	if (c != NULL) {
		s[la + 1 + lb] = '/';
		memcpy(s + la + 2 + lb, c, lc);
		s[la + 2 + lb + lc] = '\0';
	} else {
		s[la + 1 + lb] = '\0';
	}
	return s;
}

int acs_catalog_load(struct acs_catalog **out, const char *dir, const char *side,
                     struct acs_err *err)
{
	struct acs_catalog *cat = NULL;
	char *sidedir = NULL;
	char **names = NULL;
	size_t nnames = 0, cap = 0, i;
	DIR *d = NULL;
	struct dirent *de;
	int rc = 0;

	if (side == NULL || (strcmp(side, "server") != 0 && strcmp(side, "client") != 0))
		return acs_err_set(err, ACS_E_INVAL,
		                   "unknown side \"%s\": expected server or "
		                   "client",
		                   side ? side : "(null)");
	if (dir == NULL || out == NULL)
		return acs_err_set(err, ACS_E_INVAL, "no case directory given");
	sidedir = join3(dir, side, NULL);
	if (sidedir == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	d = opendir(sidedir);
	if (d == NULL) {
		rc = acs_err_set(err, ACS_E_IO, "cannot open case directory %s: %s", sidedir,
		                 acs_errno_text(errno));
		goto out;
	}
	for (;;) {
		struct stat st;
		char *full;

		errno = 0;
		de = readdir(d);
		if (de == NULL)
			break;
		if (de->d_name[0] == '.' || !has_json_suffix(de->d_name))
			continue;
		full = join3(sidedir, de->d_name, NULL);
		if (full == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto out;
		}
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(full);
			continue;
		}
		if (nnames == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nn = realloc(names, ncap * sizeof(*names));

			if (nn == NULL) {
				free(full);
				rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
				goto out;
			}
			names = nn;
			cap = ncap;
		}
		names[nnames++] = full;
	}
	if (errno != 0) {
		rc = acs_err_set(err, ACS_E_IO, "cannot read case directory %s: %s", sidedir,
		                 acs_errno_text(errno));
		goto out;
	}
	if (nnames == 0) {
		rc = acs_err_set(err, ACS_E_NOTFOUND, "%s: no case files (*.json)", sidedir);
		goto out;
	}
	/* load in file-name order so that the first error reported is stable */
	qsort(names, nnames, sizeof(*names), cmp_str);

	cat = calloc(1, sizeof(*cat));
	if (cat == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	cat->cases = calloc(nnames, sizeof(*cat->cases));
	if (cat->cases == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < nnames; i++) {
		rc = acs_case_load_file(&cat->cases[cat->n], names[i], side, err);
		if (rc != 0)
			goto out;
		cat->n++;
	}
	qsort(cat->cases, cat->n, sizeof(*cat->cases), cmp_case);
	for (i = 1; i < cat->n; i++) {
		if (strcmp(cat->cases[i - 1].id, cat->cases[i].id) == 0) {
			const char *a = cat->cases[i - 1].file, *b = cat->cases[i].file;

			if (strcmp(a, b) > 0) {
				const char *t = a;

				a = b;
				b = t;
			}
			rc = acs_err_set(err, ACS_E_INVAL,
			                 "%s: field \"id\": duplicate id \"%s\" "
			                 "(also in %s)",
			                 b, cat->cases[i].id, a);
			goto out;
		}
	}
	*out = cat;
	cat = NULL;
out:
	if (d != NULL)
		closedir(d);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	free(sidedir);
	acs_catalog_free(cat);
	return rc;
}

const struct acs_case *acs_catalog_find(const struct acs_catalog *cat, const char *id)
{
	size_t lo = 0, hi;

	if (cat == NULL || id == NULL)
		return NULL;
	hi = cat->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(cat->cases[mid].id, id);

		if (c == 0)
			return &cat->cases[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * "6.5" matches "6.5" and "6.5.1" but not "6.50"; the filter may be written
 * with underscores as in ids ("6_5").
 */
static int section_matches(const char *section, const char *want)
{
	size_t i;

	for (i = 0; want[i] != '\0'; i++) {
		char w = want[i] == '_' ? '.' : want[i];

		if (section[i] != w)
			return 0;
	}
	if (i > 0 && want[i - 1] == '.')
		return 1;
	return section[i] == '\0' || section[i] == '.';
}

unsigned acs_case_shard(const char *id, unsigned shards)
{
	uint32_t h = 2166136261u;
	const unsigned char *p;

	if (shards <= 1)
		return 0;
	for (p = (const unsigned char *)id; *p != '\0'; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return (unsigned)(h % shards);
}

int acs_case_matches(const struct acs_case *c, const struct acs_filter *f)
{
	size_t i, j;
	int ok;

	if (f == NULL)
		return 1;
	if (f->shards > 1 && acs_case_shard(c->id, f->shards) != f->shard)
		return 0;
	if (f->nglobs > 0) {
		ok = 0;
		for (i = 0; i < f->nglobs && !ok; i++)
			ok = fnmatch(f->globs[i], c->id, 0) == 0;
		if (!ok)
			return 0;
	}
	if (f->nsections > 0) {
		ok = 0;
		for (i = 0; i < f->nsections && !ok; i++)
			ok = section_matches(c->section, f->sections[i]);
		if (!ok)
			return 0;
	}
	if (f->level >= 0 && (int)c->level > f->level)
		return 0;
	if (f->ntags > 0) {
		ok = 0;
		for (i = 0; i < f->ntags && !ok; i++) {
			for (j = 0; c->tags != NULL && c->tags[j] != NULL && !ok; j++)
				ok = strcmp(c->tags[j], f->tags[i]) == 0;
		}
		if (!ok)
			return 0;
	}
	return 1;
}

int acs_case_needs(const struct acs_case *c, const char *feature)
{
	size_t i;

	if (c == NULL || c->needs == NULL)
		return 0;
	for (i = 0; c->needs[i] != NULL; i++) {
		if (strcmp(c->needs[i], feature) == 0)
			return 1;
	}
	return 0;
}
