/*
 * The client-side judge (mockserver/scenario.h) driven with hand-made
 * request logs: every predicate both ways, the exit, certificate and
 * output expectations, scenario parse errors naming file and field, the
 * request checks' verdicts, and the set-up in a real in-process mock CA.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/verdict.h"
#include "mockserver/mockca.h"
#include "mockserver/scenario.h"

#define FILE_NAME "cases/client/x.json"

/* JSON written with ' for " (readable in C strings). */
static json_t *jq(const char *text)
{
	char *s = strdup(text);
	json_t *v;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	for (i = 0; s[i] != '\0'; i++)
		if (s[i] == '\'')
			s[i] = '"';
	v = json_loads(s, 0, NULL);
	free(s);
	return v;
}

/* A client case with body {"scenario": <scenario>} at level MUST. */
static void make_case(struct acs_case *c, const char *scenario)
{
	char text[4096];

	memset(c, 0, sizeof(*c));
	c->id = "client.8555.6_5.x";
	c->file = FILE_NAME;
	c->level = ACS_MUST;
	c->requirement = "the words";
	(void)snprintf(text, sizeof(text), "{'scenario': %s}", scenario);
	c->body = jq(text);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->body);
}

/* Parsing scenario must fail with exactly msg. */
static void parse_fails(const char *scenario, const char *msg)
{
	struct acs_case c;
	struct acs_scenario s;
	struct acs_err err = {0};

	make_case(&c, scenario);
	CU_ASSERT_EQUAL(acs_scenario_parse(&c, &s, &err), ACS_E_INVAL);
	CU_ASSERT_STRING_EQUAL(err.msg, msg);
	if (strcmp(err.msg, msg) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", err.msg, msg);
	json_decref(c.body);
}

static void test_parse(void)
{
	struct acs_case c;
	struct acs_scenario s;
	struct acs_err err = {0};

	make_case(&c, "{'names': 2, 'runs': 3, 'challenge': 'dns-01', 'wildcard': true, "
	              "'misbehave': ['bad-nonce'], 'expect': {'exit': 'nonzero', "
	              "'assert': ['finalized'], 'output_contains': ['{domain}']}}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(s.names, 2);
	CU_ASSERT_EQUAL(s.runs, 3);
	CU_ASSERT_STRING_EQUAL(s.challenge, "dns-01");
	CU_ASSERT_EQUAL(s.wildcard, 1);
	CU_ASSERT_EQUAL(s.eab, 0);
	CU_ASSERT_EQUAL(s.exit, ACS_EXIT_WANT_NONZERO);
	CU_ASSERT_EQUAL(s.certificate, 0); /* nonzero: no certificate */
	CU_ASSERT_EQUAL(json_array_size(s.misbehave), 1);
	CU_ASSERT_EQUAL(json_array_size(s.asserts), 1);
	CU_ASSERT_EQUAL(json_array_size(s.output), 1);
	json_decref(c.body);

	make_case(&c, "{}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(s.names, 1);
	CU_ASSERT_EQUAL(s.runs, 1);
	CU_ASSERT_STRING_EQUAL(s.challenge, "http-01");
	CU_ASSERT_EQUAL(s.exit, ACS_EXIT_WANT_ZERO);
	CU_ASSERT_EQUAL(s.certificate, 1);
	json_decref(c.body);

	make_case(&c, "{'expect': {'exit': 'any', 'certificate': true}}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(s.certificate, 1);
	json_decref(c.body);
	make_case(&c, "{'expect': {'exit': 'any'}}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(s.certificate, -1);
	json_decref(c.body);
	/* RFC 9773 renewals: the scenario fields and the ARI switches of the mock CA */
	make_case(&c, "{'runs': 2, 'renew': true, 'ari': true, 'misbehave': ['ari-window=past', "
	              "'serial-high-bit'], 'expect': {'assert': ['ari-renewed']}}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(s.renew, 1);
	CU_ASSERT_EQUAL(s.ari, 1);
	json_decref(c.body);
	/* timing scenarios for daemons */
	make_case(&c, "{'daemon': true, 'certificates': 2, 'linger': 6, 'quiet': 25, 'watch': 20, "
	              "'misbehave': ['ari-window=issued:5:15']}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(s.daemon, 1);
	CU_ASSERT_EQUAL(s.certificates, 2);
	CU_ASSERT_EQUAL(s.linger, 6);
	CU_ASSERT_EQUAL(s.quiet, 25);
	CU_ASSERT_EQUAL(s.watch, 20);
	json_decref(c.body);
	/* issue 11: a hostile server, the scenario's bound, one-shot clients only */
	make_case(&c, "{'misbehave': ['hostile-trickle=directory:90'], 'bound': 60, 'one_shot': "
	              "true, 'expect': {'exit': 'any', 'assert': ['requests-bounded']}}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(s.bound, 60);
	CU_ASSERT_EQUAL(s.one_shot, 1);
	json_decref(c.body);
}

static void test_parse_errors(void)
{
	parse_fails("[]", FILE_NAME ": field \"scenario\": expected an object");
	parse_fails("{'nmes': 1}", FILE_NAME ": field \"scenario.nmes\": unknown field");
	parse_fails("{'preferred_chain': 'a $root'}",
	            FILE_NAME ": field \"scenario.preferred_chain\": expected a common name of "
	                      "printable ASCII without quotes, backslashes, $ or `, 1 to 64 "
	                      "characters");
	parse_fails("{'misbehave': 'bad-nonce'}",
	            FILE_NAME ": field \"scenario.misbehave\": expected an array of strings");
	parse_fails("{'misbehave': ['bad-nonce', 3]}",
	            FILE_NAME ": field \"scenario.misbehave\"[1]: expected a string");
	parse_fails("{'misbehave': ['bad-nonce', 'no-such-fault=3']}",
	            FILE_NAME ": field \"scenario.misbehave\"[1]: unknown misbehaviour "
	                      "\"no-such-fault\"");
	parse_fails("{'bound': 0}", FILE_NAME ": field \"scenario.bound\": expected 1 to 300");
	parse_fails("{'one_shot': 1}",
	            FILE_NAME ": field \"scenario.one_shot\": expected true or false");
	parse_fails("{'names': 5}", FILE_NAME ": field \"scenario.names\": expected 1 to 4");
	parse_fails("{'names': '2'}", FILE_NAME ": field \"scenario.names\": expected 1 to 4");
	parse_fails("{'runs': 0}", FILE_NAME ": field \"scenario.runs\": expected 1 to 3");
	parse_fails("{'linger': 5}", FILE_NAME ": fields \"scenario.certificates\", \"linger\", "
	                                       "\"quiet\" and \"watch\" need \"daemon\": true");
	parse_fails("{'daemon': true, 'runs': 2}",
	            FILE_NAME ": field \"scenario.daemon\": a daemon runs once (\"runs\": 1)");
	parse_fails("{'renew': true}",
	            FILE_NAME ": field \"scenario.renew\": a renewal needs \"runs\" of 2 or 3");
	parse_fails("{'challenge': 'http-02'}",
	            FILE_NAME ": field \"scenario.challenge\": expected http-01, dns-01, "
	                      "tls-alpn-01, dns-account-01 or dns-persist-01");
	parse_fails("{'revoke': 1}",
	            FILE_NAME ": field \"scenario.revoke\": expected true or false");
	parse_fails("{'wildcard': true}",
	            FILE_NAME ": field \"scenario.wildcard\": a wildcard needs a DNS challenge "
	                      "(\"dns-01\", \"dns-account-01\", \"dns-persist-01\")");
	parse_fails("{'expect': []}", FILE_NAME ": field \"scenario.expect\": expected an object");
	parse_fails("{'expect': {'exits': 'zero'}}",
	            FILE_NAME ": field \"scenario.expect.exits\": unknown field");
	parse_fails("{'expect': {'exit': 'never'}}",
	            FILE_NAME ": field \"scenario.expect.exit\": expected \"zero\", \"nonzero\" or "
	                      "\"any\"");
	parse_fails("{'expect': {'certificate': 'yes'}}",
	            FILE_NAME ": field \"scenario.expect.certificate\": expected true or false");
	parse_fails("{'expect': {'assert': ['finalized', 'flew']}}",
	            FILE_NAME ": field \"scenario.expect.assert\"[1]: unknown predicate \"flew\"");
	parse_fails("{'expect': {'output_contains': [1]}}",
	            FILE_NAME ": field \"scenario.expect.output_contains\"[0]: expected a string");
}

/* ---- judging with hand-made logs ---- */

struct fake_front {
	int served;
	int asked;
};

static int fake_served(void *ctx, const char *identifier, const char *token)
{
	struct fake_front *f = ctx;

	f->asked++;
	CU_ASSERT_STRING_EQUAL(identifier, "a.acmespec.test");
	CU_ASSERT_STRING_EQUAL(token, "tok");
	return f->served;
}

struct judged {
	struct acs_case c;
	struct acs_scenario s;
	struct acs_client_outcome o;
	struct acs_scenario_facts f;
	json_t *log, *issued;
	struct acs_result r;
};

/* Set up j for scenario with log (JSON with '); a clean exit 0 after 1.5 s. */
static void judged_init(struct judged *j, const char *scenario, const char *log)
{
	static const char *const names[] = {"a.acmespec.test"};
	struct acs_err err = {0};

	memset(j, 0, sizeof(*j));
	make_case(&j->c, scenario);
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&j->c, &j->s, &err), 0);
	j->log = jq(log);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j->log);
	j->issued = json_array();
	j->o.started = 1;
	j->o.exited = 1;
	j->o.seconds = 1.5;
	j->o.timeout = 30;
	j->f.log = j->log;
	j->f.issued = j->issued;
	j->f.names = names;
	j->f.nnames = 1;
}

static void judged_run(struct judged *j)
{
	acs_scenario_judge(&j->c, &j->s, &j->o, &j->f, &j->r);
}

/* Judge j again: the verdict must be raw and the message msg. */
static void judged_expect(struct judged *j, enum acs_verdict raw, const char *msg)
{
	judged_run(j);
	CU_ASSERT_EQUAL(j->r.raw, raw);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j->r.message);
	CU_ASSERT_STRING_EQUAL(j->r.message, msg);
}

static void judged_clear(struct judged *j)
{
	json_decref(j->c.body);
	json_decref(j->log);
	json_decref(j->issued);
	j->r.c = NULL;
	acs_result_clear(&j->r);
}

/*
 * Judge "assert": [pred] (exit any, no certificate judged) over log: the
 * verdict must be want; on a failure the message must start with msg.
 */
static void check_pred(const char *pred, const char *log, enum acs_verdict want, const char *msg)
{
	char scenario[256];
	struct judged j;

	(void)snprintf(scenario, sizeof(scenario), "{'expect': {'exit': 'any', 'assert': ['%s']}}",
	               pred);
	judged_init(&j, scenario, log);
	judged_run(&j);
	CU_ASSERT_EQUAL(j.r.raw, want);
	if (j.r.raw != want)
		fprintf(stderr, "\n  %s: got %s: %s\n", pred, acs_verdict_name(j.r.raw),
		        j.r.message ? j.r.message : "");
	if (msg != NULL) {
		CU_ASSERT_PTR_NOT_NULL(j.r.message);
		CU_ASSERT(j.r.message != NULL && strncmp(j.r.message, msg, strlen(msg)) == 0);
		if (j.r.message != NULL && strncmp(j.r.message, msg, strlen(msg)) != 0)
			fprintf(stderr, "\n  got:  %s\n  want: %s...\n", j.r.message, msg);
		CU_ASSERT(j.r.actual != NULL && strncmp(j.r.actual, "- ", 2) == 0);
	}
	CU_ASSERT(j.r.expected != NULL && strstr(j.r.expected, pred) != NULL);
	judged_clear(&j);
}

#define NEWORDER "'url': 'https://h/s/x/new-order', 'endpoint': 'new-order'"
#define ORDER    "'url': 'https://h/s/x/order/1', 'endpoint': 'order'"

static void test_nonce_predicates(void)
{
	check_pred("retried-bad-nonce",
	           "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 400, "
	           "'problem': 'badNonce', 'reply_nonce': 'N2'},"
	           " {'seq': 2, 'method': 'POST', " NEWORDER ", 'status': 201, "
	           "'jws': {'protected': {'nonce': 'N2'}}}]",
	           ACS_PASS, NULL);
	check_pred("retried-bad-nonce",
	           "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 400, "
	           "'problem': 'badNonce', 'reply_nonce': 'N2'},"
	           " {'seq': 2, 'method': 'POST', " NEWORDER ", 'status': 201, "
	           "'jws': {'protected': {'nonce': 'N1'}}}]",
	           ACS_FAIL,
	           "retried-bad-nonce: the retry #2 carried nonce \"N1\", not the one from the "
	           "badNonce response #1 (\"N2\") (C028)");
	check_pred("retried-bad-nonce",
	           "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 400, "
	           "'problem': 'badNonce'}]",
	           ACS_FAIL,
	           "retried-bad-nonce: after badNonce on /s/x/new-order (#1) the client did not "
	           "send the request again (C027)");
	check_pred("retried-bad-nonce",
	           "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 201}]", ACS_FAIL,
	           "retried-bad-nonce: the CA never answered badNonce");
	check_pred("ignored-invalid-nonce",
	           "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 201, "
	           "'misbehaviour': 'replay-nonce-invalid'},"
	           " {'seq': 2, 'method': 'POST', " ORDER ", 'status': 200, "
	           "'jws': {'protected': {'nonce': 'good'}}}]",
	           ACS_PASS, NULL);
	check_pred("ignored-invalid-nonce",
	           "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 400, "
	           "'jws': {'protected': {'nonce': 'a+b/='}}}]",
	           ACS_FAIL, "ignored-invalid-nonce: request #1 used the invalid nonce \"a+b/=\"");
	check_pred("ignored-invalid-nonce",
	           "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 201, "
	           "'misbehaviour': 'replay-nonce-invalid'},"
	           " {'seq': 2, 'method': 'POST', " ORDER ", 'status': 400, "
	           "'jws': {'protected': {'nonce': 'a-b_'}}, 'checks': [{'id': "
	           "'client.8555.6_5.nonce-fresh', 'message': 'the CA never issued it'}]}]",
	           ACS_FAIL, "ignored-invalid-nonce: right after #1 gave the invalid Replay-Nonce");
}

static void test_polling_predicates(void)
{
	check_pred("honoured-retry-after",
	           "[{'seq': 1, 'time': 10.0, 'method': 'POST', " ORDER ", 'status': 200, "
	           "'retry_after': 1},"
	           " {'seq': 2, 'time': 11.5, 'method': 'POST', " ORDER ", 'status': 200}]",
	           ACS_PASS, NULL);
	check_pred("honoured-retry-after",
	           "[{'seq': 1, 'time': 10.0, 'method': 'POST', " ORDER ", 'status': 200, "
	           "'retry_after': 1},"
	           " {'seq': 2, 'time': 10.3, 'method': 'POST', " ORDER ", 'status': 200}]",
	           ACS_FAIL,
	           "honoured-retry-after: #2 came 0.30 s after #1, which said Retry-After: 1");
	check_pred("honoured-retry-after",
	           "[{'seq': 1, 'time': 10.0, 'method': 'POST', " NEWORDER ", 'status': 201}]",
	           ACS_FAIL, "honoured-retry-after: the CA gave no Retry-After");
	check_pred("no-tight-poll",
	           "[{'seq': 1, 'time': 1.0, 'method': 'POST', " ORDER "},"
	           " {'seq': 2, 'time': 1.5, 'method': 'POST', " ORDER "},"
	           " {'seq': 3, 'time': 2.6, 'method': 'POST', " ORDER "}]",
	           ACS_PASS, NULL);
	check_pred("no-tight-poll",
	           "[{'seq': 1, 'time': 1.0, 'method': 'POST', " ORDER "},"
	           " {'seq': 2, 'time': 1.1, 'method': 'POST', " ORDER "},"
	           " {'seq': 3, 'time': 1.2, 'method': 'POST', " ORDER "},"
	           " {'seq': 4, 'time': 1.3, 'method': 'POST', " ORDER "},"
	           " {'seq': 5, 'time': 1.4, 'method': 'POST', " ORDER "},"
	           " {'seq': 6, 'time': 1.5, 'method': 'POST', " ORDER "}]",
	           ACS_FAIL, "no-tight-poll: 6 requests to /s/x/order/1 within 1 s from #1");
}

/* timing of daemons (predicates_timing.c): judged from the log's times */
static void test_timing_predicates(void)
{
	check_pred("retry-after-timely",
	           "[{'seq': 1, 'time': 10.0, 'method': 'POST', " NEWORDER ", 'status': 429, "
	           "'retry_after': 3}, {'seq': 2, 'time': 13.1, 'method': 'POST', " NEWORDER
	           ", 'status': 201}]",
	           ACS_PASS, NULL);
	check_pred("retry-after-timely",
	           "[{'seq': 1, 'time': 10.0, 'method': 'POST', " NEWORDER ", 'status': 429, "
	           "'retry_after': 3}, {'seq': 2, 'time': 10.5, 'method': 'POST', " NEWORDER
	           ", 'status': 201}]",
	           ACS_FAIL, "retry-after-timely: #2 came 0.50 s after #1");
	check_pred("retry-after-timely",
	           "[{'seq': 1, 'time': 10.0, 'method': 'POST', " NEWORDER ", 'status': 429, "
	           "'retry_after': 3}, {'seq': 2, 'time': 70.0, 'method': 'POST', " NEWORDER
	           ", 'status': 201}]",
	           ACS_FAIL, "retry-after-timely: #2 came 60.0 s after #1");
	check_pred("retry-after-timely",
	           "[{'seq': 1, 'time': 10.0, 'method': 'POST', " NEWORDER ", 'status': 429, "
	           "'retry_after': 3}]",
	           ACS_FAIL, "retry-after-timely: #1 said Retry-After: 3 and the client did not");
	check_pred("backed-off",
	           "[{'seq': 1, 'time': 0.0, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 2, 'time': 2.2, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 3, 'time': 5.4, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 4, 'time': 10.6, 'method': 'POST', " NEWORDER "}]",
	           ACS_PASS, NULL);
	check_pred("backed-off",
	           "[{'seq': 1, 'time': 0.0, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 2, 'time': 0.4, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 3, 'time': 0.8, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 4, 'time': 1.2, 'method': 'POST', " NEWORDER "}]",
	           ACS_FAIL, "backed-off: 4 orders within 1.2 s");
	check_pred("backed-off",
	           "[{'seq': 1, 'time': 0.0, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 2, 'time': 2.0, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 3, 'time': 4.0, 'method': 'POST', " NEWORDER "},"
	           " {'seq': 4, 'time': 6.0, 'method': 'POST', " NEWORDER "}]",
	           ACS_FAIL, "backed-off: 4 attempts, the last pause 2.0 s");
	check_pred("renewed-in-window",
	           "[{'seq': 1, 'time': 100.0, 'method': 'POST', " NEWORDER ", 'status': 201},"
	           " {'seq': 2, 'time': 101.0, 'method': 'GET', 'endpoint': 'renewal-info', "
	           "'status': 200, 'ari_window': {'start': 105, 'end': 120}},"
	           " {'seq': 3, 'time': 110.0, 'method': 'POST', " NEWORDER ", 'status': 201}]",
	           ACS_PASS, NULL);
	check_pred("renewed-in-window",
	           "[{'seq': 1, 'time': 100.0, 'method': 'POST', " NEWORDER ", 'status': 201},"
	           " {'seq': 2, 'time': 101.0, 'method': 'GET', 'endpoint': 'renewal-info', "
	           "'status': 200, 'ari_window': {'start': 105, 'end': 120}},"
	           " {'seq': 3, 'time': 102.0, 'method': 'POST', " NEWORDER ", 'status': 201}]",
	           ACS_FAIL, "renewed-in-window: the renewal order #3 came 3.0 s before");
	check_pred("renewed-in-window",
	           "[{'seq': 1, 'time': 100.0, 'method': 'POST', " NEWORDER ", 'status': 201}]",
	           ACS_FAIL, "renewed-in-window: the client did not renew");
}

#define CHALL "'url': 'https://h/s/x/chall/1', 'endpoint': 'challenge'"
#define FINAL "'url': 'https://h/s/x/finalize/1', 'endpoint': 'finalize'"

static void test_flow_predicates(void)
{
	check_pred("no-challenge-post-on-valid",
	           "[{'seq': 1, 'method': 'POST', " CHALL ", 'jws': {'payload': ''}}]", ACS_PASS,
	           NULL);
	check_pred("no-challenge-post-on-valid",
	           "[{'seq': 1, 'method': 'POST', " CHALL ", 'jws': {'payload': {}}}]", ACS_FAIL,
	           "no-challenge-post-on-valid: #1 answered challenge /s/x/chall/1 of an "
	           "authorization that was already valid (C033)");
	check_pred("no-finalize-after-invalid",
	           "[{'seq': 1, 'method': 'VALIDATE', 'endpoint': 'http-01', 'result': 'invalid'},"
	           " {'seq': 2, 'method': 'POST', " ORDER "}]",
	           ACS_PASS, NULL);
	check_pred("no-finalize-after-invalid",
	           "[{'seq': 1, 'method': 'VALIDATE', 'endpoint': 'http-01', 'result': 'invalid'},"
	           " {'seq': 2, 'method': 'POST', " FINAL "}]",
	           ACS_FAIL, "no-finalize-after-invalid: #2 finalized after validation #1 failed");
	check_pred("no-finalize-after-invalid",
	           "[{'seq': 1, 'method': 'VALIDATE', 'endpoint': 'http-01', 'result': 'valid'},"
	           " {'seq': 2, 'method': 'POST', " FINAL "}]",
	           ACS_FAIL, "no-finalize-after-invalid: no validation failed");
	check_pred("only-get-directory",
	           "[{'seq': 1, 'method': 'GET', 'url': 'https://h/s/x/directory', "
	           "'endpoint': 'directory'}]",
	           ACS_PASS, NULL);
	check_pred("only-get-directory",
	           "[{'seq': 1, 'method': 'GET', 'url': 'https://h/s/x/directory', "
	           "'endpoint': 'directory'}, {'seq': 2, 'method': 'POST', " NEWORDER "}]",
	           ACS_FAIL, "only-get-directory: #2 POST /s/x/new-order after a v1 directory");
	check_pred("post-as-get-used",
	           "[{'seq': 1, 'method': 'POST', " ORDER ", 'jws': {'payload': ''}},"
	           " {'seq': 2, 'method': 'POST', " ORDER ", 'jws': {'payload': "
	           "{'status': 'deactivated'}}}]",
	           ACS_PASS, NULL);
	check_pred("post-as-get-used", "[{'seq': 1, 'method': 'GET', " ORDER "}]", ACS_FAIL,
	           "post-as-get-used: #1 fetched /s/x/order/1 with a plain GET (C020)");
	check_pred("post-as-get-used",
	           "[{'seq': 1, 'method': 'POST', " ORDER ", 'jws': {'payload': {}}}]", ACS_FAIL,
	           "post-as-get-used: #1 POST-as-GET of /s/x/order/1 with a non-empty payload "
	           "(C021)");
}

#define KIDREQ(n, kid)                                                                             \
	"{'seq': " #n ", 'method': 'POST', " ORDER ", 'jws': {'protected': {'kid': '" kid "'}}}"

static void test_account_predicates(void)
{
	check_pred("account-reused", "[" KIDREQ(1, "K1") "," KIDREQ(2, "K1") "]", ACS_PASS, NULL);
	check_pred("account-reused", "[" KIDREQ(1, "K1") "," KIDREQ(2, "K2") "]", ACS_FAIL,
	           "account-reused: #2 signed as K2, earlier requests as K1");
	check_pred("account-reused",
	           "[{'seq': 1, 'method': 'POST', 'endpoint': 'new-account', 'url': 'u', "
	           "'jws': {'protected': {'jwk': {'kty': 'EC', 'x': '1'}}}},"
	           " {'seq': 2, 'method': 'POST', 'endpoint': 'new-account', 'url': 'u', "
	           "'jws': {'protected': {'jwk': {'kty': 'EC', 'x': '2'}}}}]",
	           ACS_FAIL, "account-reused: #2 created an account with a new key");
	check_pred("csr-fresh-key", "[{'seq': 1, 'method': 'POST', " FINAL "}]", ACS_PASS, NULL);
	check_pred("csr-fresh-key",
	           "[{'seq': 1, 'method': 'POST', " FINAL ", 'checks': "
	           "[{'id': 'client.8555.11_1.csr-key-not-account-key'}]}]",
	           ACS_FAIL, "csr-fresh-key: #1 sent a CSR with an account's key (C061)");
}

/* Issue 7: ACME v1's 409 for an existing key; the chain of a preferred root. */
#define NEWACCT(n, st)                                                                             \
	"{'seq': " #n ", 'method': 'POST', 'endpoint': 'new-account', 'url': 'u', 'status': " #st  \
	", 'jws': {'protected': {'jwk': {'kty': 'EC'}}}}"

static void test_issue7_predicates(void)
{
	static const char *const chains[] = {
	    "['acmespec mock alternate root']",
	    "['acmespec mock alternate root', 'acmespec mock root']", "[]"};
	struct judged j;
	json_t *c;
	size_t i;

	check_pred("account-409-not-taken", "[" NEWACCT(1, 409) "]", ACS_PASS, NULL);
	check_pred("account-409-not-taken",
	           "[" NEWACCT(1, 409) "," NEWACCT(2, 200) "," KIDREQ(3, "https://h/acct/1") "]",
	           ACS_PASS, NULL);
	check_pred("account-409-not-taken",
	           "[" NEWACCT(1, 409) "," KIDREQ(2, "https://h/acct/1") "]", ACS_FAIL,
	           "account-409-not-taken: #2 POST ");
	check_pred("account-409-not-taken",
	           "[" NEWACCT(1, 409) ", {'seq': 2, 'method': 'POST', " NEWORDER
	                               ", 'status': 400, "
	                               "'jws': {'protected': {'jwk': {'kty': 'EC'}}}}]",
	           ACS_FAIL, "account-409-not-taken: #2 POST ");
	check_pred("account-409-not-taken", "[" NEWACCT(1, 201) "," KIDREQ(2, "K1") "]", ACS_FAIL,
	           "account-409-not-taken: the CA never answered newAccount 409");
	for (i = 0; i < 3; i++) {
		judged_init(
		    &j,
		    "{'preferred_chain': 'acmespec mock alternate root', 'expect': {'exit': "
		    "'any', 'assert': ['preferred-chain-stored']}}",
		    "[" KIDREQ(1, "K1") "]");
		c = jq(chains[i]);
		j.f.stored_chains = c;
		judged_run(&j);
		CU_ASSERT_EQUAL(j.r.raw, i == 0 ? ACS_PASS : ACS_FAIL);
		if (j.r.raw != (i == 0 ? ACS_PASS : ACS_FAIL))
			fprintf(stderr, "\n  chains %zu: %s: %s\n", i, acs_verdict_name(j.r.raw),
			        j.r.message ? j.r.message : "");
		CU_ASSERT(i == 0 ||
		          (j.r.message != NULL &&
		           strstr(j.r.message, i == 1 ? "\"acmespec mock root\""
		                                      : "no file under {workdir}") != NULL));
		json_decref(c);
		judged_clear(&j);
	}
}

static void test_simple_predicates(void)
{
	static const struct {
		const char *pred, *ep, *msg;
	} t[] = {
	    {"finalized", "finalize", "finalized: the client never sent a finalize request"},
	    {"downloaded-certificate", "certificate",
	     "downloaded-certificate: the client never downloaded a certificate"},
	    {"revoked", "revoke-cert",
	     "revoked: the CA never accepted a revocation from the client"},
	    {"key-changed", "key-change",
	     "key-changed: the CA never accepted a key change from the client"},
	};
	char log[256];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		(void)snprintf(log, sizeof(log),
		               "[{'seq': 1, 'method': 'POST', 'url': 'u', 'endpoint': '%s', "
		               "'status': 200}]",
		               t[i].ep);
		check_pred(t[i].pred, log, ACS_PASS, NULL);
		/* refused (finalized counts any finalize request) or never sent */
		(void)snprintf(log, sizeof(log),
		               "[{'seq': 1, 'method': 'POST', 'url': 'u', 'endpoint': '%s', "
		               "'status': 403}]",
		               i == 0 ? "order" : t[i].ep);
		check_pred(t[i].pred, log, ACS_FAIL, t[i].msg);
	}
}

/* issue 11: requests-bounded holds at 100 requests, fails at 101 (validations not counted). */
static void test_hostile_predicates(void)
{
	size_t cap = 120 * 96, len, i;
	char *log = malloc(cap);

	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	len = (size_t)snprintf(log, cap, "[{'seq': 0, 'method': 'VALIDATE'}");
	for (i = 1; i <= 101; i++)
		len += (size_t)snprintf(log + len, cap - len,
		                        ", {'seq': %zu, 'method': 'GET', 'url': "
		                        "'https://h/s/x/directory', 'endpoint': 'directory', "
		                        "'status': 302}",
		                        i);
	(void)snprintf(log + len, cap - len, "]");
	check_pred("requests-bounded", log, ACS_FAIL,
	           "requests-bounded: 101 requests to the mock CA (bound 100), the last #101 GET "
	           "/s/x/directory [directory]");
	/* drop the last entry: 100 requests */
	len = (size_t)(strrchr(log, '{') - log);
	(void)snprintf(log + len - 2, cap - len + 2, "]");
	check_pred("requests-bounded", log, ACS_PASS, NULL);
	free(log);
}

#define VALID_HTTP01                                                                               \
	"[{'seq': 1, 'method': 'POST', " NEWORDER "}, {'seq': 2, 'method': 'VALIDATE', "           \
	"'endpoint': 'http-01', 'identifier': 'a.acmespec.test', 'token': 'tok', "                 \
	"'result': 'valid'}]"

static void test_deprovisioning(void)
{
	struct fake_front ff = {0};
	struct acs_scenario_txt txt[2] = {{"_acme-challenge.a.acmespec.test", "v2", 0},
	                                  {"_acme-challenge.a.acmespec.test", "v1", 1}};
	struct judged j;

	judged_init(&j, "{'expect': {'exit': 'any', 'assert': ['deprovisioned-http01']}}",
	            VALID_HTTP01);
	j.f.http01_served = fake_served;
	j.f.http01_ctx = &ff;
	judged_run(&j);
	CU_ASSERT_EQUAL(j.r.raw, ACS_PASS);
	CU_ASSERT_EQUAL(ff.asked, 1);
	ff.served = 1; /* still served after the client exited */
	judged_run(&j);
	CU_ASSERT_EQUAL(j.r.raw, ACS_FAIL);
	CU_ASSERT_EQUAL(ff.asked, 2);
	CU_ASSERT_STRING_EQUAL(j.r.message,
	                       "deprovisioned-http01: after the client exited, the key "
	                       "authorization for a.acmespec.test is still served at "
	                       "/.well-known/acme-challenge/tok (C057)");
	judged_clear(&j);
	check_pred("deprovisioned-http01", "[{'seq': 1, 'method': 'POST', " NEWORDER "}]", ACS_FAIL,
	           "deprovisioned-http01: no http-01 validation succeeded");

	judged_init(&j, "{'expect': {'exit': 'any', 'assert': ['deprovisioned-dns01']}}",
	            VALID_HTTP01);
	j.f.txt = txt + 1;
	j.f.ntxt = 1;
	judged_run(&j);
	CU_ASSERT_EQUAL(j.r.raw, ACS_PASS);
	j.f.txt = txt;
	j.f.ntxt = 2;
	judged_expect(&j, ACS_FAIL,
	              "deprovisioned-dns01: the TXT record _acme-challenge.a.acmespec.test "
	              "\"v2\" was never cleared (C059)");
	j.f.ntxt = 0;
	judged_expect(&j, ACS_FAIL,
	              "deprovisioned-dns01: the client set no TXT record through {dns_hook}");
	judged_clear(&j);
}

#define ONE_REQUEST "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'status': 201}]"

static void test_outcome(void)
{
	struct judged j;

	/* not started, unsupported, silent: decided before any predicate */
	judged_init(&j, "{}", ONE_REQUEST);
	j.o.started = 0;
	j.o.start_error = "cannot run x: not found or not executable";
	judged_expect(&j, ACS_ERROR, "cannot run x: not found or not executable");
	j.o.started = 1;
	j.o.unsupported = 1;
	j.o.status = 127;
	judged_expect(&j, ACS_UNSUPPORTED, "the client does not support this scenario (exit 127)");
	judged_clear(&j);
	judged_init(&j, "{}", "[{'seq': 1, 'method': 'VALIDATE', 'endpoint': 'http-01'}]");
	j.o.status = 2;
	judged_expect(&j, ACS_ERROR,
	              "the client never contacted the mock CA (exit 2 after "
	              "1.5 s): check the command");
	judged_clear(&j);

	/* exit, signal, timeout against "exit" */
	judged_init(&j, "{'expect': {'exit': 'zero', 'certificate': false}}", ONE_REQUEST);
	judged_expect(&j, ACS_PASS, "1 request, exit 0 after 1.5 s");
	CU_ASSERT_STRING_EQUAL(j.r.expected, "exit zero, no certificate issued");
	j.o.status = 1;
	judged_expect(&j, ACS_FAIL, "the client exited 1, expected 0");
	j.o.exited = 0;
	j.o.status = 9;
	judged_run(&j);
	CU_ASSERT_STRING_EQUAL(j.r.message, "the client died of signal 9");
	j.o.timed_out = 1;
	judged_run(&j);
	CU_ASSERT_STRING_EQUAL(j.r.message, "the client did not finish within 30 s and was killed; "
	                                    "its last request: #1 POST /s/x/new-order [new-order] "
	                                    "-> 201");
	/* stopped past requests-bounded's bound: that, not a signal or a timeout */
	j.o.timed_out = 0;
	j.o.stopped_over = 101;
	j.o.status = 15;
	judged_run(&j);
	CU_ASSERT_STRING_EQUAL(j.r.message,
	                       "the client was still running after 101 requests to the "
	                       "mock CA (more than 100) and was stopped after 1.5 s");
	judged_clear(&j);

	/* a SHOULD case fails as NONSTRICT; every failure is in actual */
	judged_init(&j, "{'expect': {'exit': 'nonzero', 'assert': ['finalized']}}", ONE_REQUEST);
	j.c.level = ACS_SHOULD;
	judged_expect(&j, ACS_NONSTRICT, "the client exited 0, expected a failure (non-zero)");
	CU_ASSERT_STRING_EQUAL(j.r.actual,
	                       "- the client exited 0, expected a failure (non-zero)\n"
	                       "- finalized: the client never sent a finalize request\n");
	CU_ASSERT_STRING_EQUAL(j.r.expected, "exit nonzero, no certificate issued, finalized");
	judged_clear(&j);
}

static void test_certificate_and_output(void)
{
	static const struct acs_subst subst[] = {{"domain", "a.acmespec.test"}};
	struct judged j;

	judged_init(&j, "{}", ONE_REQUEST);
	judged_expect(&j, ACS_FAIL,
	              "the client stopped at newOrder (#1), before a certificate: certificate: the "
	              "CA issued no certificate");
	CU_ASSERT_STRING_EQUAL(j.r.expected,
	                       "exit zero, a certificate for exactly the scenario's names, "
	                       "downloaded");
	judged_clear(&j);

	judged_init(&j, "{'expect': {'exit': 'any', 'certificate': false}}", ONE_REQUEST);
	json_array_append_new(j.issued, json_string("-----BEGIN CERTIFICATE-----"));
	judged_expect(&j, ACS_FAIL, "certificate: the CA issued a certificate, expected none");
	judged_clear(&j);

	judged_init(&j, "{'expect': {'exit': 'any', 'output_contains': ['saw {domain}']}}",
	            ONE_REQUEST);
	j.f.subst = subst;
	j.f.nsubst = 1;
	j.o.output = "the client saw a.acmespec.test and left";
	judged_run(&j);
	CU_ASSERT_EQUAL(j.r.raw, ACS_PASS);
	CU_ASSERT_STRING_EQUAL(j.r.expected, "exit any, output contains \"saw a.acmespec.test\"");
	j.o.output = "nothing";
	judged_expect(&j, ACS_FAIL,
	              "output_contains: the client's output does not "
	              "mention \"saw a.acmespec.test\"");
	judged_clear(&j);
}

/* A daemon: "exit" judged on what it stored; an exit 127 with its reason line. */
static void test_daemon(void)
{
	struct judged j;

	judged_init(&j, "{'expect': {'exit': 'zero', 'certificate': false}}", ONE_REQUEST);
	j.o.daemon = 1;
	j.o.exited = 0;
	j.o.status = 15;
	j.o.ended = "no request for 5 s";
	judged_expect(&j, ACS_FAIL,
	              "the client stored no issued certificate under its work directory (no "
	              "request for 5 s)");
	CU_ASSERT_STRING_EQUAL(j.r.expected, "the issued certificate stored under {workdir}, no "
	                                     "certificate issued");
	j.o.stored = 1;
	judged_expect(&j, ACS_PASS, "1 request, stopped after 1.5 s: no request for 5 s");
	judged_clear(&j);

	judged_init(&j, "{'expect': {'exit': 'nonzero', 'certificate': false}}", ONE_REQUEST);
	j.o.daemon = 1;
	j.o.stored = 1;
	j.o.ended = "x";
	judged_expect(&j, ACS_FAIL, "the client stored the certificate it should have refused (x)");
	j.o.stored = 0;
	judged_expect(&j, ACS_PASS, "1 request, stopped after 1.5 s: x");
	j.o.unsupported = 1;
	j.o.output = "log\nacmespec-unsupported: no such thing\nmore";
	judged_expect(&j, ACS_UNSUPPORTED,
	              "the client does not support this scenario: no such thing");
	judged_clear(&j);
}

static void test_interpolate_and_render(void)
{
	static const struct acs_subst subst[] = {{"a", "1"}, {"bb", "{a}"}};
	struct acs_buf b;
	json_t *log;
	char *s = acs_scenario_interpolate("{a}-{bb}-{c}-{a", subst, 2);

	CU_ASSERT_STRING_EQUAL(s, "1-{a}-{c}-{a");
	free(s);
	log = jq("[{'seq': 3, 'method': 'POST', 'url': 'https://h:1/s/x/new-order', "
	         "'endpoint': 'new-order', 'status': 400, 'problem': 'badNonce', "
	         "'misbehaviour': 'bad-nonce', 'checks': [{'id': 'c.1'}, {'id': 'c.2'}]},"
	         " {'seq': 4, 'method': 'VALIDATE', 'endpoint': 'http-01', "
	         "'identifier': 'a.test', 'token': 't', 'result': 'invalid', 'detail': 'x'}]");
	acs_buf_init(&b, 4096);
	acs_scenario_render_log(&b, log);
	CU_ASSERT_STRING_EQUAL(b.data, "#3 POST /s/x/new-order [new-order] -> 400 badNonce "
	                               "(fault: bad-nonce)\n    checks fired: c.1 c.2\n"
	                               "#4 VALIDATE http-01 a.test token t: invalid: x\n");
	acs_buf_free(&b);
	json_decref(log);
}

/* ---- the request checks ---- */

static void test_check_cases(void)
{
	struct acs_case *cs = NULL;
	size_t n = 0, nck, i;
	const struct acs_mockca_check *ck = acs_mockca_checks(&nck);

	CU_ASSERT_EQUAL_FATAL(acs_scenario_check_cases(&cs, &n), 0);
	CU_ASSERT_EQUAL(n, nck);
	CU_ASSERT(n > 0);
	for (i = 0; i < n; i++) {
		CU_ASSERT_STRING_EQUAL(cs[i].id, ck[i].id);
		CU_ASSERT_STRING_EQUAL(cs[i].file, "(mock CA request check)");
		CU_ASSERT_STRING_EQUAL(cs[i].tags[0], "check");
		CU_ASSERT_PTR_NOT_NULL(cs[i].covers);
		acs_case_clear(&cs[i]);
	}
	free(cs);
}

static void judge_check(const char *id, const char *log1, const char *log2, enum acs_verdict want,
                        const char *msg)
{
	struct acs_case cc;
	struct acs_result r;
	struct acs_scenario_ran ran[2];
	json_t *l1 = jq(log1), *l2 = log2 ? jq(log2) : NULL;

	memset(&cc, 0, sizeof(cc));
	memset(&r, 0, sizeof(r));
	cc.id = (char *)id;
	cc.level = ACS_MUST;
	cc.requirement = "the words";
	ran[0] = (struct acs_scenario_ran){"client.a", l1};
	ran[1] = (struct acs_scenario_ran){"client.b", l2};
	acs_scenario_judge_check(&cc, ran, 2, "acmespec client", " -- c", &r);
	CU_ASSERT_PTR_EQUAL(r.c, &cc);
	CU_ASSERT_EQUAL(r.raw, want);
	CU_ASSERT_STRING_EQUAL(r.message, msg);
	if (want == ACS_FAIL) {
		CU_ASSERT_STRING_EQUAL(r.rerun, "acmespec client --case client.a -- c");
		CU_ASSERT_STRING_EQUAL(r.actual, "client.a");
		CU_ASSERT_STRING_EQUAL(r.expected, "the words");
		CU_ASSERT(r.transcript != NULL &&
		          strncmp(r.transcript, "in scenario client.a (2 times), first:\n#1 POST",
		                  46) == 0);
	}
	r.c = NULL;
	acs_result_clear(&r);
	json_decref(l1);
	json_decref(l2);
}

static void test_check_verdicts(void)
{
	static const char *fired =
	    "[{'seq': 1, 'method': 'POST', " NEWORDER ", 'checks': [{'id': "
	    "'client.8555.6_5.nonce-fresh', 'level': 'MUST', 'message': 'nonce reused'}]},"
	    " {'seq': 2, 'method': 'POST', " ORDER ", 'checks': [{'id': "
	    "'client.8555.6_5.nonce-fresh', 'message': 'again'}]}]";

	judge_check("client.8555.6_5.nonce-fresh", fired, ONE_REQUEST, ACS_FAIL,
	            "fired 2 times in 1 scenario: nonce reused");
	judge_check("client.8555.6_5.nonce-fresh", ONE_REQUEST, ONE_REQUEST, ACS_PASS,
	            "held for 2 requests in 2 scenarios");
	judge_check("client.8555.6_5.nonce-fresh", "[]", NULL, ACS_ERROR,
	            "no request reached the mock CA in any scenario");
	judge_check("client.8555.7_3_4.eab-x", ONE_REQUEST, NULL, ACS_SKIPPED,
	            "not exercised: no scenario made the client send a request it applies to "
	            "(eab)");
	judge_check("client.8555.7_3_4.eab-x",
	            "[{'seq': 1, 'method': 'POST', 'url': 'u', 'endpoint': 'new-account', "
	            "'jws': {'payload': {'externalAccountBinding': {}}}}]",
	            NULL, ACS_PASS, "held for 1 requests in 1 scenario");
}

/* ---- set-up in a real mock CA ---- */

static void test_setup(void)
{
	struct acs_mockca_opts mo = {0};
	struct acs_mockca *ca = NULL;
	struct acs_err err = {0};
	struct acs_case c;
	struct acs_scenario s;
	char kid[64], hmac[64];
	json_t *log = NULL, *issued = NULL;

	CU_ASSERT_EQUAL_FATAL(acs_mockca_start(&ca, &mo, &err), 0);
	make_case(&c, "{'eab': true, 'misbehave': ['bad-nonce']}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_EQUAL(acs_scenario_setup(ca, "t1", &c, &s, kid, hmac, &err), 0);
	CU_ASSERT_EQUAL(strncmp(kid, "acmespec-eab-", 13), 0);
	CU_ASSERT_EQUAL(strlen(hmac), 43);
	CU_ASSERT_NOT_EQUAL(acs_scenario_setup(ca, "t1", &c, &s, kid, hmac, &err), 0);
	CU_ASSERT_EQUAL(acs_scenario_collect(ca, "t1", &log, &issued, &err), 0);
	CU_ASSERT(json_is_array(log) && json_array_size(log) == 0);
	CU_ASSERT(json_is_array(issued) && json_array_size(issued) == 0);
	json_decref(log);
	json_decref(issued);
	CU_ASSERT_EQUAL(acs_scenario_collect(ca, "nope", &log, &issued, &err), ACS_E_NOTFOUND);
	CU_ASSERT_PTR_NULL(log);
	json_decref(c.body);

	/* a misbehaviour the table knows but whose argument is missing */
	make_case(&c, "{'misbehave': ['no-challenge']}");
	CU_ASSERT_EQUAL_FATAL(acs_scenario_parse(&c, &s, &err), 0);
	CU_ASSERT_NOT_EQUAL(acs_scenario_setup(ca, "t2", &c, &s, kid, hmac, &err), 0);
	CU_ASSERT_EQUAL(strncmp(err.msg, FILE_NAME ": misbehave \"no-challenge\": ",
	                        strlen(FILE_NAME ": misbehave \"no-challenge\": ")),
	                0);
	CU_ASSERT_STRING_EQUAL(kid, "");
	json_decref(c.body);
	acs_mockca_stop(ca);
}

/*
 * A client that could not bind the port the harness gave it is the
 * harness's fault (ERROR); the same failure without that message, or
 * naming another port, stays the client's FAIL.
 */
static void test_port_taken(void)
{
	static const struct acs_subst subst[] = {{"http01_port", "20417"},
	                                         {"tlsalpn01_port", "20418"}};
	struct judged j;

	judged_init(&j, "{'expect': {'exit': 'zero', 'certificate': false}}", ONE_REQUEST);
	j.f.subst = subst;
	j.f.nsubst = 2;
	j.o.status = 1;
	j.o.output = "error: listen tcp 127.0.0.1:20418: bind: address already in use\n";
	judged_expect(&j, ACS_ERROR,
	              "the client could not bind port 20418 that the harness gave it (address "
	              "already in use): the harness's fault, nothing judged; first failure seen: "
	              "the client exited 1, expected 0");
	j.o.output = "OSError: [Errno 98] Address already in use: ('127.0.0.1', 20417)\n";
	judged_run(&j);
	CU_ASSERT_EQUAL(j.r.raw, ACS_ERROR);
	/* another port (the client's own choice) or another error: the client's FAIL */
	j.o.output = "listen tcp 127.0.0.1:443: bind: address already in use\n";
	judged_expect(&j, ACS_FAIL, "the client exited 1, expected 0");
	j.o.output = "error: the server said no (port 20418)\n";
	judged_expect(&j, ACS_FAIL, "the client exited 1, expected 0");
	judged_clear(&j);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("scenario", NULL, NULL);

	CU_add_test(s, "parse", test_parse);
	CU_add_test(s, "parse_errors", test_parse_errors);
	CU_add_test(s, "nonce_predicates", test_nonce_predicates);
	CU_add_test(s, "polling_predicates", test_polling_predicates);
	CU_add_test(s, "timing_predicates", test_timing_predicates);
	CU_add_test(s, "flow_predicates", test_flow_predicates);
	CU_add_test(s, "account_predicates", test_account_predicates);
	CU_add_test(s, "simple_predicates", test_simple_predicates);
	CU_add_test(s, "hostile_predicates", test_hostile_predicates);
	CU_add_test(s, "issue7_predicates", test_issue7_predicates);
	CU_add_test(s, "deprovisioning", test_deprovisioning);
	CU_add_test(s, "outcome", test_outcome);
	CU_add_test(s, "port_taken", test_port_taken);
	CU_add_test(s, "certificate_and_output", test_certificate_and_output);
	CU_add_test(s, "daemon", test_daemon);
	CU_add_test(s, "interpolate_and_render", test_interpolate_and_render);
	CU_add_test(s, "check_cases", test_check_cases);
	CU_add_test(s, "check_verdicts", test_check_verdicts);
	CU_add_test(s, "setup", test_setup);
}
