/*
 * The case catalog: cases are JSON files (docs/case-format.md), one case per
 * file, under cases/server/ and cases/client/. A bad file is refused with an
 * error naming the file and the field ("cases/server/x.json: field
 * \"level\": expected one of MUST, SHOULD, MAY, got \"must!\"").
 */
#ifndef ACMESPEC_CATALOG_H
#define ACMESPEC_CATALOG_H

#include <jansson.h>
#include <stddef.h>
#include "harness/err.h"
#include "harness/json_util.h"

enum acs_level { ACS_MUST = 0, ACS_SHOULD = 1, ACS_MAY = 2 };

/* The optional features a server case may need (docs/case-format.md), NULL-terminated. */
const char *const *acs_server_features(void);

const char *acs_level_name(enum acs_level l);            /* "MUST", "SHOULD", "MAY" */
int acs_level_parse(const char *s, enum acs_level *out); /* case-insensitive */

struct acs_case {
	char *id;      /* <side>.<rfc>.<section with _>.<slug> */
	char *file;    /* path it was loaded from */
	char *side;    /* "server" or "client" */
	char *rfc;     /* "8555", "8737", "8738", "9773" */
	char *section; /* "6.5.1" (dots), derived from and checked against id */
	enum acs_level level;
	char *title;       /* one line */
	char *requirement; /* the RFC's words */
	char **tags;       /* NULL-terminated */
	char **covers;     /* checklist row IDs (S026, C017); NULL-terminated */
	char **needs;      /* optional features (docs/case-format.md); NULL-terminated */
	char **control;    /* the opposite mock's misbehaviours that must make the case fail
	                      (negative control; all switched on together); NULL-terminated or NULL */
	char **baseline;   /* switches on in both self-test runs (e.g. a feature the
	                      conformant mock must lack for the case to apply); or NULL */
	json_t *body;      /* the whole file's JSON (owned): steps, scenario, ... */
};

struct acs_catalog {
	struct acs_case *cases; /* sorted by id */
	size_t n;
};

/*
 * Load every *.json directly under dir/<side> (side "server" or "client").
 * Refuses duplicate IDs, IDs that do not start with "<side>.", IDs whose
 * section part disagrees with "section", and unknown top-level fields.
 * *out: new catalog, free with acs_catalog_free.
 */
int acs_catalog_load(struct acs_catalog **out, const char *dir, const char *side,
                     struct acs_err *err);

/* Load one case file (for tests and error reporting). */
int acs_case_load_file(struct acs_case *out, const char *path, const char *side,
                       struct acs_err *err);
void acs_case_clear(struct acs_case *c);

void acs_catalog_free(struct acs_catalog *cat); /* NULL allowed */

/* Borrowed case with that id, or NULL. */
const struct acs_case *acs_catalog_find(const struct acs_catalog *cat, const char *id);

/*
 * Filters. Every set filter must match. globs: fnmatch(3) patterns on the
 * id, any may match; section: "6.5" matches 6.5, 6.5.1, ... ; level: a case
 * matches at this level or stricter (--level should selects MUST and
 * SHOULD); tags: any may match.
 */
struct acs_filter {
	const char *const *globs;
	size_t nglobs;
	const char *const *sections;
	size_t nsections;
	int level; /* -1: any; else enum acs_level */
	const char *const *tags;
	size_t ntags;
	unsigned shard;  /* --shard I/N: only cases whose id hashes to shard I-1 of N ... */
	unsigned shards; /* ... of shards N; 0 or 1: no sharding */
};

/*
 * The shard (0 .. shards-1) of a case id: FNV-1a of the id, modulo shards,
 * so that a case always lands in the same shard and the shards together
 * are the whole catalog.
 */
unsigned acs_case_shard(const char *id, unsigned shards);

int acs_case_matches(const struct acs_case *c, const struct acs_filter *f);

/* 1 when the case lists feature in "needs" (c may be NULL). */
int acs_case_needs(const struct acs_case *c, const char *feature);

#endif
