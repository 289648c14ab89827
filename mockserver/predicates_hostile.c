/*
 * Client-scenario predicates of issue 11's hostile servers
 * (docs/case-format.md "Predicates"): a client facing a redirect loop, a
 * Replay-Nonce it can never use, an account URL off the CA's host or a
 * response it cannot read must give up after a bounded number of requests,
 * not loop until something kills it.
 */
#include <string.h>

#include <jansson.h>

#include "mockserver/scenario_int.h"

static void p_requests_bounded(struct acs_judgement *j)
{
	const json_t *last = NULL;
	size_t i, n = 0;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (acs_log_is_method(e, "VALIDATE"))
			continue;
		n++;
		last = e;
	}
	if (n <= ACS_SCENARIO_MAX_REQUESTS)
		return;
	acs_judge_fail(j,
	               "requests-bounded: %zu requests to the mock CA (bound %d), the last #%lld "
	               "%s %s [%s]: the client keeps retrying what can never succeed",
	               n, ACS_SCENARIO_MAX_REQUESTS, acs_log_seq(last), acs_jstr(last, "method"),
	               acs_log_short_url(acs_jstr(last, "url")),
	               acs_jstr(last, "endpoint") ? acs_jstr(last, "endpoint") : "?");
}

int acs_judge_predicate_hostile(struct acs_judgement *j, const char *name)
{
	if (strcmp(name, "requests-bounded") == 0)
		p_requests_bounded(j);
	else
		return 0;
	return 1;
}
