/*
 * The orders in which reports list cases: for people, what needs action
 * first (FAIL, XPASS, ERROR), then warnings and known failures, then what
 * did not apply, then the passes; for tools, by case id.
 */
#include "reports/report.h"
#include "harness/catalog.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int acs_report_verdict_rank(enum acs_verdict v)
{
	switch (v) {
	case ACS_FAIL:
		return 0;
	case ACS_XPASS:
		return 1;
	case ACS_ERROR:
		return 2;
	case ACS_NONSTRICT:
		return 3;
	case ACS_XFAIL:
		return 4;
	case ACS_UNSUPPORTED:
		return 5;
	case ACS_SKIPPED:
		return 6;
	case ACS_PASS:
		return 7;
	default:
		return 8;
	}
}

size_t *acs_report_order(const struct acs_result *results, size_t n)
{
	size_t *idx;
	size_t i, k = 0;
	int rank;

	if (results == NULL || n == 0)
		return NULL;
	idx = malloc(n * sizeof(*idx));
	if (idx == NULL)
		return NULL;
	/* a counting pass per rank: stable, and n is small */
	for (rank = 0; rank <= 8; rank++) {
		for (i = 0; i < n; i++) {
			if (acs_report_verdict_rank(results[i].verdict) == rank)
				idx[k++] = i;
		}
	}
	return idx;
}

const char *acs_report_case_id(const struct acs_result *r)
{
	return r != NULL && r->c != NULL && r->c->id != NULL ? r->c->id : "(unknown case)";
}

int acs_report_cmp_id(const void *a, const void *b)
{
	return strcmp(acs_report_case_id(*(const struct acs_result *const *)a),
	              acs_report_case_id(*(const struct acs_result *const *)b));
}

const char *acs_report_signal_name(int sig)
{
	static __thread char other[32];

	if (sig == SIGINT)
		return "SIGINT";
	if (sig == SIGTERM)
		return "SIGTERM";
	(void)snprintf(other, sizeof(other), "signal %d", sig);
	return other;
}
