/*
 * The mock CA's request checks as client cases, judged over every
 * scenario's request log (mockserver/scenario.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness/buf_cap.h"
#include "mockserver/scenario_int.h"

/* every snprintf here cuts on purpose: messages are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define TRANSCRIPT_CAP (48 * 1024)

/* Which kind of request a check needs to have been exercised at all. */
static const struct {
	const char *part;
	const char *need;
} check_needs[] = {
    {".7_3_4.", "eab"},
    {".7_3_5.", "key-change"},
    {".7_4.", "finalize"},
    {".11_1.", "finalize"},
    {".8_3.", "http-01"},
    {".8_4.", "dns-01"},
    /* issue 7 item 3 */
    {"client.dnsaccount.", "dns-account-01"},
    {"client.dnspersist.", "dns-persist-01"},
    {"client.8737.", "tls-alpn-01"},
    {".7_3.mailto", "contact"},
    /* RFC 9444: only clients that use subdomain authorizations */
    {"client.9444.4_3.", "ancestor-domain"},
    {"client.9444.4_2.", "subdomain-newauthz"},
};

/* Does a newOrder (ancestor-domain) or newAuthz (subdomain-newauthz) of e use RFC 9444? */
static int uses_subdomain(const json_t *e, const json_t *pl, const char *need)
{
	const json_t *v;
	size_t i;

	if (strcmp(need, "subdomain-newauthz") == 0)
		return acs_log_is_ep(e, "new-authz") &&
		       json_object_get(json_object_get(pl, "identifier"), "subdomainAuthAllowed") !=
		           NULL;
	if (strcmp(need, "ancestor-domain") != 0 || !acs_log_is_ep(e, "new-order"))
		return 0;
	json_array_foreach(json_object_get(pl, "identifiers"), i, v)
	{
		if (json_object_get(v, "ancestorDomain") != NULL)
			return 1;
	}
	return 0;
}

static int exercised(const json_t *log, const char *need)
{
	size_t i;

	for (i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);
		const json_t *pl = acs_log_payload(e);

		if (strcmp(need, "eab") == 0 && acs_log_is_ep(e, "new-account") &&
		    json_object_get(pl, "externalAccountBinding") != NULL)
			return 1;
		if (strcmp(need, "contact") == 0 &&
		    (acs_log_is_ep(e, "new-account") || acs_log_is_ep(e, "account")) &&
		    json_object_get(pl, "contact") != NULL)
			return 1;
		if (strcmp(need, "key-change") == 0 && acs_log_is_ep(e, "key-change"))
			return 1;
		if (strcmp(need, "finalize") == 0 && acs_log_is_ep(e, "finalize"))
			return 1;
		if (uses_subdomain(e, pl, need))
			return 1;
		if (acs_log_is_method(e, "VALIDATE") && acs_log_is_ep(e, need))
			return 1;
	}
	return 0;
}

static const char *check_need(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(check_needs) / sizeof(check_needs[0]); i++)
		if (strstr(id, check_needs[i].part) != NULL)
			return check_needs[i].need;
	return NULL;
}

/* "S001, S002" as a NULL-terminated list of new strings. */
static char **split_csv(const char *s)
{
	char **v;
	size_t n = 1, i, k = 0;
	const char *p;

	for (p = s; *p; p++)
		n += *p == ',';
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	for (p = s, i = 0; i < n; i++) {
		size_t l = strcspn(p, ",");

		while (l > 0 && *p == ' ') {
			p++;
			l--;
		}
		v[k] = strndup(p, l);
		if (v[k] != NULL)
			k++;
		p += l + (p[l] == ',');
	}
	return v;
}

int acs_scenario_check_cases(struct acs_case **out, size_t *n)
{
	const struct acs_mockca_check *ck;
	struct acs_case *cs;
	size_t nck, i;

	ck = acs_mockca_checks(&nck);
	cs = calloc(nck ? nck : 1, sizeof(*cs));
	if (cs == NULL)
		return ACS_E_NOMEM;
	for (i = 0; i < nck; i++) {
		char title[300];

		(void)snprintf(title, sizeof(title), "request check: %s", ck[i].words);
		cs[i].id = strdup(ck[i].id);
		cs[i].file = strdup("(mock CA request check)");
		cs[i].side = strdup("client");
		cs[i].rfc = strdup(ck[i].rfc);
		cs[i].section = strdup(ck[i].section);
		if (acs_level_parse(ck[i].level, &cs[i].level) != 0)
			cs[i].level = ACS_MUST;
		cs[i].title = strdup(title);
		cs[i].requirement = strdup(ck[i].words);
		cs[i].tags = calloc(2, sizeof(char *));
		if (cs[i].tags != NULL)
			cs[i].tags[0] = strdup("check");
		cs[i].covers = split_csv(ck[i].covers ? ck[i].covers : "");
	}
	*out = cs;
	*n = nck;
	return 0;
}

/* What the checks saw over every scenario. */
struct check_tally {
	size_t nran, nfired, nreq, count;
	int applies;
	char first[600];      /* the first firing's message */
	struct acs_buf tr;    /* the first three scenarios' first firing */
	struct acs_buf names; /* the scenarios where it fired */
	struct acs_buf rerun; /* prefix and a --case per such scenario */
};

/* Tally one scenario's log; the first entry where cc fired, or NULL. */
static void tally_log(const struct acs_case *cc, const struct acs_scenario_ran *sr,
                      struct check_tally *t)
{
	const json_t *hit = NULL;
	size_t k, m, here = 0;

	for (k = 0; k < json_array_size(sr->log); k++) {
		const json_t *e = json_array_get(sr->log, k);
		const json_t *cks = json_object_get(e, "checks");

		t->nreq += !acs_log_is_method(e, "VALIDATE");
		for (m = 0; m < json_array_size(cks); m++) {
			const json_t *x = json_array_get(cks, m);

			if (acs_jstr(x, "id") == NULL || strcmp(acs_jstr(x, "id"), cc->id) != 0)
				continue;
			here++;
			if (hit == NULL) {
				hit = e;
				if (t->first[0] == '\0')
					(void)snprintf(
					    t->first, sizeof(t->first), "%s",
					    acs_jstr(x, "message") ? acs_jstr(x, "message") : "");
			}
		}
	}
	if (hit == NULL)
		return;
	t->count += here;
	if (t->nfired++ < 3) {
		acs_buf_putf_capped(&t->tr, "in scenario %s (%zu time%s), first:\n", sr->id, here,
		                    here == 1 ? "" : "s");
		acs_log_render_entry(&t->tr, hit, 1);
	}
	acs_buf_putf_capped(&t->names, "%s%s", t->names.len ? ", " : "", sr->id);
	(void)acs_buf_printf(&t->rerun, " --case %s", sr->id);
}

void acs_scenario_judge_check(const struct acs_case *cc, const struct acs_scenario_ran *ran,
                              size_t nran, const char *rerun_prefix, const char *rerun_suffix,
                              struct acs_result *r)
{
	const char *need = check_need(cc->id);
	struct check_tally t;
	char m[1024];
	size_t i;

	memset(&t, 0, sizeof(t));
	t.applies = need == NULL;
	acs_buf_init(&t.tr, TRANSCRIPT_CAP);
	acs_buf_init(&t.names, 8192);
	acs_buf_init(&t.rerun, 8192);
	(void)acs_buf_printf(&t.rerun, "%s", rerun_prefix);
	r->c = cc;
	for (i = 0; i < nran; i++) {
		if (ran[i].log == NULL)
			continue;
		t.nran++;
		if (need != NULL && exercised(ran[i].log, need))
			t.applies = 1;
		tally_log(cc, &ran[i], &t);
	}
	if (t.nfired > 0) {
		r->raw = cc->level == ACS_MUST ? ACS_FAIL : ACS_NONSTRICT;
		(void)snprintf(m, sizeof(m), "fired %zu time%s in %zu scenario%s: %s", t.count,
		               t.count == 1 ? "" : "s", t.nfired, t.nfired == 1 ? "" : "s",
		               t.first);
		acs_judge_set_str(&r->message, m);
		acs_judge_set_str(&r->expected, cc->requirement);
		acs_judge_set_str(&r->actual, t.names.data);
		acs_judge_set_str(&r->transcript, t.tr.data);
		(void)acs_buf_puts(&t.rerun, rerun_suffix);
		acs_judge_set_str(&r->rerun, t.rerun.data);
	} else if (t.nreq == 0) {
		r->raw = ACS_ERROR;
		acs_judge_set_str(&r->message, "no request reached the mock CA in any scenario");
	} else if (!t.applies) {
		r->raw = ACS_SKIPPED;
		(void)snprintf(m, sizeof(m),
		               "not exercised: no scenario made the client send a "
		               "request it applies to (%s)",
		               need);
		acs_judge_set_str(&r->message, m);
	} else {
		r->raw = ACS_PASS;
		(void)snprintf(m, sizeof(m), "held for %zu requests in %zu scenario%s", t.nreq,
		               t.nran, t.nran == 1 ? "" : "s");
		acs_judge_set_str(&r->message, m);
	}
	acs_buf_free(&t.tr);
	acs_buf_free(&t.names);
	acs_buf_free(&t.rerun);
}
