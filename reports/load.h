/*
 * JSON reports read back (the files acs_json_write writes), and what tools
 * do with finished runs: compare two runs (diff), join the shards of one
 * run (merge), and draft an expectations file from a run.
 *
 * A loaded report holds the usual struct acs_result array, each result
 * pointing at its own struct acs_case with the fields the JSON carries (id,
 * side, rfc, section, level, title, requirement; no steps), so every
 * writer of reports/report.h (console, JUnit, JSON, Markdown, HTML) takes
 * a loaded or merged report as it is: acs_json_write(path, &rep->info,
 * rep->results, rep->n, err).
 */
#ifndef ACMESPEC_REPORTS_LOAD_H
#define ACMESPEC_REPORTS_LOAD_H

#include <stddef.h>
#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/verdict.h"
#include "reports/report.h"

struct acs_report {
	char *path;                 /* the file read; for a merge the first part's */
	char *version;              /* acmespec version that wrote it */
	char *side;                 /* "server", "client", "selftest"; or NULL */
	char *target;               /* or NULL */
	char *profile;              /* or NULL */
	char *expect_file;          /* or NULL */
	struct acs_run_info info;   /* its strings borrowed from the fields above */
	struct acs_case *cases;     /* n, owned; only the fields named above */
	struct acs_result *results; /* n, owned; results[i].c == &cases[i] */
	size_t n;                   /* in the file's order (merges: sorted by id) */
};

/*
 * Read the JSON report at path. Refuses, with an error naming the file and
 * the place ("r.json: results[3]: field \"verdict\": expected one of PASS,
 * FAIL, NONSTRICT, UNSUPPORTED, SKIPPED, XFAIL, XPASS, ERROR, got
 * \"MAYBE\""): invalid JSON (with line and column), a missing or mistyped
 * field, an unknown verdict or level, a result without an id, and the
 * same case id twice. Unknown fields are ignored (newer writers may add
 * some); the summary is not read but recomputed from the results.
 * *out: new report (acs_report_free). ACS_E_IO, ACS_E_PARSE, ACS_E_INVAL,
 * ACS_E_NOMEM.
 */
int acs_report_load(const char *path, struct acs_report **out, struct acs_err *err);

/* Free a report and everything it owns (NULL allowed). */
void acs_report_free(struct acs_report *rep);

/* The result whose case id is id (borrowed), or NULL. Linear. */
const struct acs_result *acs_report_find(const struct acs_report *rep, const char *id);

/* ------------------------------------------------------------------ diff */

/*
 * How one case changed between two runs. A verdict is "bad" when it fails
 * the run: FAIL, XPASS, ERROR, and NONSTRICT when that run was strict.
 *   REGRESSION  good -> bad (PASS/XFAIL/UNSUPPORTED/SKIPPED -> FAIL/ERROR/
 *               XPASS), or a case new in the later run that is bad
 *   FIXED       bad -> PASS
 *   CHANGED     any other verdict change (FAIL -> ERROR, PASS -> XFAIL,
 *               FAIL -> XFAIL, UNSUPPORTED -> PASS, ...)
 *   ADDED       only in the later run, not bad
 *   REMOVED     only in the earlier run; also a regression (a case that
 *               silently stopped running proves nothing)
 */
enum acs_change_kind {
	ACS_CHANGE_REGRESSION = 0,
	ACS_CHANGE_REMOVED,
	ACS_CHANGE_FIXED,
	ACS_CHANGE_CHANGED,
	ACS_CHANGE_ADDED,
	ACS_CHANGE_KIND_COUNT
};

/* "regression", "removed", "fixed", "changed", "added" (static). */
const char *acs_change_kind_name(enum acs_change_kind k);

struct acs_change {
	enum acs_change_kind kind;
	const struct acs_result *before; /* borrowed from the earlier run; NULL when added */
	const struct acs_result *after;  /* borrowed from the later run; NULL when removed */
};

struct acs_diff {
	struct acs_change *changes; /* owned; by kind (enum order), then by case id */
	size_t n;
	size_t count[ACS_CHANGE_KIND_COUNT];
	size_t unchanged; /* cases in both runs with the same verdict */
};

/*
 * Compare two runs case by case. *out is filled (acs_diff_clear frees
 * it); its changes borrow from before and after, which must outlive it.
 * Refuses runs of different sides ("cannot compare a server run with a
 * client run"). 0, ACS_E_INVAL or ACS_E_NOMEM.
 */
int acs_report_diff(const struct acs_report *before, const struct acs_report *after,
                    struct acs_diff *out, struct acs_err *err);

/* Free what acs_report_diff allocated and zero d (NULL allowed). */
void acs_diff_clear(struct acs_diff *d);

/* 1 when the later run regressed: any REGRESSION or REMOVED change; else 0. */
int acs_diff_has_regression(const struct acs_diff *d);

/*
 * Plain text for the console: the two files, then one block per kind that
 * occurred ("regressions (2):", one line per case: "  PASS -> FAIL
 * server.8555.6_5.x  step 2: ..."), the unchanged count and a last line
 * "result: regression" or "result: no regression". Sanitised; no colour.
 * New string (free()), NULL on ENOMEM.
 */
char *acs_diff_render(const struct acs_diff *d, const struct acs_report *before,
                      const struct acs_report *after);

/* ----------------------------------------------------------------- merge */

/*
 * Join the reports of the shards of one run into one new report (deep
 * copies; the parts stay the caller's), results sorted by case id. Refuses
 * a case id found in two parts ("cannot merge: case server.8555.6_5.x is in
 * both a.json and b.json") and parts of different sides, profiles or
 * strictness (their verdicts would not mean the same). Targets may differ
 * (each shard may start its own server): the first part's is kept. The
 * merged run started at the earliest start, lasted as long as the longest
 * part, and used the sum of the jobs. Write it with any writer of
 * reports/report.h. *out: new report (acs_report_free). 0, ACS_E_INVAL or
 * ACS_E_NOMEM.
 */
int acs_report_merge(const struct acs_report *const *parts, size_t nparts, struct acs_report **out,
                     struct acs_err *err);

/* ---------------------------------------------------- expectations draft */

/*
 * The JSON text of an expectations file (harness/expect.h) listing every
 * FAIL, NONSTRICT and XFAIL case of rep, sorted by id, with the verdict
 * the expectations file needs (FAIL or NONSTRICT: an XFAIL's raw verdict),
 * an EMPTY "reason", and "notes" holding what went wrong (and for an XFAIL
 * the reason it was expected until now). The top-level "notes" says that
 * every reason must be filled in: acs_expect_load refuses empty reasons on
 * purpose, so a draft cannot be used unread. New string (free()), NULL on
 * ENOMEM.
 */
char *acs_expect_draft_render(const struct acs_report *rep);

/* The same written to path atomically (acs_report_write_file). */
int acs_expect_draft_write(const char *path, const struct acs_report *rep, struct acs_err *err);

#endif
