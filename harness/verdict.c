/*
 * Verdicts, per-case results and the run's exit code (DESIGN.md
 * "Verdicts" and "Exit codes").
 */
#include "harness/verdict.h"
#include "harness/err.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const verdict_names[ACS_VERDICT_COUNT] = {
    [ACS_PASS] = "PASS",           [ACS_FAIL] = "FAIL",
    [ACS_NONSTRICT] = "NONSTRICT", [ACS_UNSUPPORTED] = "UNSUPPORTED",
    [ACS_SKIPPED] = "SKIPPED",     [ACS_XFAIL] = "XFAIL",
    [ACS_XPASS] = "XPASS",         [ACS_ERROR] = "ERROR",
};

/*
 * Static upper-case name of v; "UNKNOWN" for a value outside the enum, so a
 * corrupted result still prints something instead of crashing a report.
 */
const char *acs_verdict_name(enum acs_verdict v)
{
	if ((int)v < 0 || v >= ACS_VERDICT_COUNT)
		return "UNKNOWN";
	return verdict_names[v];
}

/*
 * Parse a verdict name, case-insensitively ("xfail" -> ACS_XFAIL).
 * Returns 0 and sets *out, or ACS_E_INVAL (leaving *out untouched) for NULL
 * or an unknown name.
 */
int acs_verdict_parse(const char *s, enum acs_verdict *out)
{
	int i;

	if (s == NULL || out == NULL)
		return ACS_E_INVAL;
	for (i = 0; i < ACS_VERDICT_COUNT; i++) {
		if (strcasecmp(s, verdict_names[i]) == 0) {
			*out = (enum acs_verdict)i;
			return 0;
		}
	}
	return ACS_E_INVAL;
}

/*
 * Free every string the result owns and reset it to an empty PASS with no
 * case. The borrowed case pointer is dropped, not freed. NULL allowed.
 */
void acs_result_clear(struct acs_result *r)
{
	if (r == NULL)
		return;
	free(r->message);
	free(r->expected);
	free(r->actual);
	free(r->transcript);
	free(r->client_output);
	free(r->expect_reason);
	free(r->rerun);
	memset(r, 0, sizeof(*r));
	r->verdict = ACS_PASS;
	r->raw = ACS_PASS;
}

/*
 * Count results per final verdict into *out (which is overwritten).
 * seconds is the sum of the per-case times; the run's wall-clock time is
 * the caller's (struct acs_run_info). results may be NULL when n is 0.
 * A verdict outside the enum is counted in total only.
 */
void acs_summarize(const struct acs_result *results, size_t n, struct acs_summary *out)
{
	size_t i;

	if (out == NULL)
		return;
	memset(out, 0, sizeof(*out));
	if (results == NULL)
		return;
	for (i = 0; i < n; i++) {
		enum acs_verdict v = results[i].verdict;

		if ((int)v >= 0 && v < ACS_VERDICT_COUNT)
			out->count[v]++;
		out->total++;
		if (results[i].seconds > 0)
			out->seconds += results[i].seconds;
	}
}

int acs_exit_code(const struct acs_summary *s, int strict)
{
	if (s == NULL)
		return ACS_EXIT_OK;
	if (s->count[ACS_ERROR] > 0)
		return ACS_EXIT_INFRA;
	if (s->count[ACS_FAIL] > 0 || s->count[ACS_XPASS] > 0)
		return ACS_EXIT_UNEXPECTED;
	if (strict && s->count[ACS_NONSTRICT] > 0)
		return ACS_EXIT_UNEXPECTED;
	return ACS_EXIT_OK;
}

/*
 * FAIL and XPASS always; NONSTRICT only under strict. ERROR is not a
 * failure: it has its own JUnit element and exit code.
 */
int acs_verdict_is_failure(enum acs_verdict v, int strict)
{
	switch (v) {
	case ACS_FAIL:
	case ACS_XPASS:
		return 1;
	case ACS_NONSTRICT:
		return strict ? 1 : 0;
	default:
		return 0;
	}
}
