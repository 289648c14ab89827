/*
 * Verdicts (DESIGN.md "Verdicts"), per-case results, and the exit code.
 */
#ifndef ACMESPEC_VERDICT_H
#define ACMESPEC_VERDICT_H

#include <stddef.h>

struct acs_case;

enum acs_verdict {
	ACS_PASS = 0,
	ACS_FAIL,
	ACS_NONSTRICT,
	ACS_UNSUPPORTED,
	ACS_SKIPPED,
	ACS_XFAIL,
	ACS_XPASS,
	ACS_ERROR,
	ACS_VERDICT_COUNT
};

const char *acs_verdict_name(enum acs_verdict v);            /* "PASS", "XFAIL", ... */
int acs_verdict_parse(const char *s, enum acs_verdict *out); /* case-insensitive */

/*
 * One case's result. Every string is owned by the result (free with
 * acs_result_clear). A FAIL / NONSTRICT / XPASS carries requirement words
 * (from the case), expected vs actual, the transcript, and a rerun command.
 */
struct acs_result {
	const struct acs_case *c; /* borrowed from the catalog */
	enum acs_verdict verdict; /* final verdict, after expectations */
	enum acs_verdict raw;     /* as judged, before expectations */
	char *message;            /* one line: what went wrong / why skipped */
	char *expected;           /* what the requirement wanted, or NULL */
	char *actual;             /* what the target did, or NULL */
	char *transcript;         /* rendered evidence, or NULL */
	char *client_output;      /* client side: the client's own output, or NULL */
	char *expect_reason;      /* reason from the expectations file, or NULL */
	char *rerun;              /* one-line command that reruns this case */
	int step;                 /* 1-based step that decided, 0 when none */
	double seconds;
};

void acs_result_clear(struct acs_result *r);

/* Summary counts over results. */
struct acs_summary {
	size_t count[ACS_VERDICT_COUNT];
	size_t total;
	double seconds;
};
void acs_summarize(const struct acs_result *results, size_t n, struct acs_summary *out);

/* Exit codes (DESIGN.md "Exit codes"). */
enum { ACS_EXIT_OK = 0, ACS_EXIT_UNEXPECTED = 1, ACS_EXIT_USAGE = 2, ACS_EXIT_INFRA = 3 };

/*
 * The exit code for a finished run: 3 when any ERROR (the run could not
 * judge everything, so its silence proves nothing), else 1 when any FAIL,
 * XPASS, or NONSTRICT with strict, else 0.
 */
int acs_exit_code(const struct acs_summary *s, int strict);

/* 1 when the verdict counts as a failure for the report (JUnit <failure>). */
int acs_verdict_is_failure(enum acs_verdict v, int strict);

#endif
