/*
 * `acmespec selftest`: every case of the catalog against the conformant
 * mock (must PASS) and against its negative control (must FAIL), so that no
 * case is a check that cannot fail. Server cases run in-process against the
 * embedded mock CA; client scenarios run `acmespec client` with this very
 * binary's `mock-client` as the client under test, one child per run.
 */
#include "cli/commands.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli_common.h"
#include "cli/embedded.h"
#include "harness/catalog.h"
#include "harness/clock.h"
#include "harness/json_util.h"
#include "harness/proc.h"
#include "harness/runner.h"
#include "harness/verdict.h"
#include "mockclient/responders.h"
#include "mockclient/script.h"
#include "mockserver/mockca.h"
#include "reports/report.h"

/*
 * acmespec selftest: every server case against the conformant mock CA
 * (with the case's baseline switches) must PASS, and against its negative
 * control (baseline + control) must FAIL, or be NONSTRICT for a SHOULD.
 * A case without a control has never been shown able to fail: FAIL.
 */
struct selftest_ctx {
	struct acs_server_target base;
	struct acs_embedded *em;
};

static char *join_switches(char *const *v)
{
	struct acs_buf b;
	size_t i;

	acs_buf_init(&b, 4096);
	for (i = 0; v != NULL && v[i] != NULL; i++)
		acs_buf_printf(&b, "%s%s", i ? "+" : "", v[i]);
	return acs_buf_steal(&b);
}

static void move_evidence(struct acs_result *to, struct acs_result *from)
{
	to->transcript = from->transcript;
	from->transcript = NULL;
	to->step = from->step;
}

static void selftest_one(void *ctx, const struct acs_case *c, struct acs_result *r)
{
	struct selftest_ctx *st = ctx;
	struct acs_result ok = {0}, ctl = {0};
	struct acs_server_target t = st->base;
	struct acs_err err = {0};
	struct acs_buf msg;
	char name_ok[32], name_ctl[32];
	char *url_ok = NULL, *url_ctl = NULL, *sw = NULL;
	int eab = acs_case_needs(c, "eab");
	unsigned n;

	acs_buf_init(&msg, 8192);
	if (c->control == NULL || c->control[0] == NULL) {
		r->raw = ACS_FAIL;
		r->message =
		    strdup("no negative control: the case has never been shown able to fail");
		goto out;
	}
	pthread_mutex_lock(&st->em->lock);
	n = st->em->counter++;
	pthread_mutex_unlock(&st->em->lock);
	/* a dot keeps the names from looking like an unpredictable URL part */
	snprintf(name_ok, sizeof(name_ok), "self%u.ok", n);
	snprintf(name_ctl, sizeof(name_ctl), "self%u.ctl", n);
	if (acs_embedded_scenario(st->em, name_ok, c->baseline, NULL, eab, &url_ok, &err) != 0 ||
	    acs_embedded_scenario(st->em, name_ctl, c->baseline, c->control, eab, &url_ctl, &err) !=
	        0) {
		r->raw = ACS_ERROR;
		acs_buf_printf(&msg, "cannot set up the mock CA: %s", err.msg);
		r->message = acs_buf_steal(&msg);
		goto out;
	}
	if (eab) {
		t.eab_kid = st->em->eab_kid;
		t.eab_hmac = st->em->eab_hmac;
	}
	t.directory_url = url_ok;
	acs_script_run_case(&t, c, &ok);
	t.directory_url = url_ctl;
	acs_script_run_case(&t, c, &ctl);
	sw = join_switches(c->control);

	if (ok.raw != ACS_PASS) {
		r->raw = ok.raw == ACS_ERROR ? ACS_ERROR : ACS_FAIL;
		acs_buf_printf(&msg, "conformant mock CA: %s, expected PASS: %s",
		               acs_verdict_name(ok.raw), ok.message ? ok.message : "");
		r->expected = strdup("PASS against the conformant mock CA");
		r->actual = ok.actual ? strdup(ok.actual) : NULL;
		move_evidence(r, &ok);
	} else if (ctl.raw != ACS_FAIL && ctl.raw != ACS_NONSTRICT) {
		r->raw = ctl.raw == ACS_ERROR ? ACS_ERROR : ACS_FAIL;
		acs_buf_printf(&msg, "control %s: %s, expected FAIL%s%s", sw,
		               acs_verdict_name(ctl.raw), ctl.message ? ": " : "",
		               ctl.message ? ctl.message : "");
		r->expected = strdup("FAIL (or NONSTRICT) against the control");
		r->actual = strdup(acs_verdict_name(ctl.raw));
		move_evidence(r, &ctl);
	} else {
		r->raw = ACS_PASS;
		acs_buf_printf(&msg, "conformant: PASS; control %s: %s (%s)", sw,
		               acs_verdict_name(ctl.raw), ctl.message ? ctl.message : "");
		if (st->base.verbose)
			move_evidence(r, &ctl);
	}
	r->message = acs_buf_steal(&msg);
out:
	if (url_ok != NULL)
		acs_mockca_scenario_remove(st->em->ca, name_ok, NULL);
	if (url_ctl != NULL)
		acs_mockca_scenario_remove(st->em->ca, name_ctl, NULL);
	acs_result_clear(&ok);
	acs_result_clear(&ctl);
	acs_buf_free(&msg);
	free(url_ok);
	free(url_ctl);
	free(sw);
}

/*
 * The client side of the self-test: each client scenario is played by
 * `acmespec client` to this harness's own conformant ACME client
 * (`acmespec mock-client`), which must PASS, and again with the mock
 * client committing the scenario's control, which must FAIL (or be
 * NONSTRICT). Each run is a child process of this very binary, so runs
 * cannot share state.
 */
struct client_selftest_ctx {
	char self[4096];   /* this executable */
	const char *cases; /* the catalog directory */
	double timeout;
	char tmpdir[64]; /* for the children's JSON reports */
	pthread_mutex_t lock;
	unsigned counter;
};

/*
 * Run argv (bounded by limit seconds, in its own process group, output
 * discarded: the child's JSON report is what counts); its exit status, or
 * -1 when it could not start, was killed or timed out.
 */
static int run_child(char *const *argv, double limit)
{
	extern char **environ;
	struct acs_proc_capture *cp = calloc(1, sizeof(*cp));
	struct acs_proc_result pr;

	if (cp == NULL)
		return -1;
	memset(&pr, 0, sizeof(pr));
	acs_proc_run(argv, environ, ".", limit, cp, &pr);
	free(cp);
	return pr.started && pr.exited && !pr.timed_out ? pr.status : -1;
}

/*
 * One `acmespec client --case ID -- acmespec mock-client ... [--misbehave X]...`
 * run; the scenario's verdict (raw, before expectations) and message.
 */
static enum acs_verdict client_selftest_run(struct client_selftest_ctx *st, const char *scenario,
                                            const char *result_id, int daemon, char *const *control,
                                            char *msg, size_t msglen)
{
	char json_path[128], timeout[32];
	char *argv[96];
	size_t a = 0, i;
	json_t *report = NULL, *results;
	enum acs_verdict v = ACS_ERROR;
	struct acs_err err = {0};
	unsigned n;
	int rc;

	pthread_mutex_lock(&st->lock);
	n = st->counter++;
	pthread_mutex_unlock(&st->lock);
	snprintf(json_path, sizeof(json_path), "%s/run%u.json", st->tmpdir, n);
	snprintf(timeout, sizeof(timeout), "%g", st->timeout);
	argv[a++] = st->self;
	argv[a++] = "client";
	argv[a++] = "--cases";
	argv[a++] = (char *)st->cases;
	argv[a++] = "--case";
	argv[a++] = (char *)scenario;
	if (strcmp(scenario, result_id) != 0) {
		/* a check's result is only reported when the filter names it too */
		argv[a++] = "--case";
		argv[a++] = (char *)result_id;
	}
	argv[a++] = "--no-color";
	if (daemon)
		argv[a++] = "--daemon"; /* a timing scenario: the mock client runs as a daemon */
	argv[a++] = "--timeout";
	argv[a++] = timeout;
	argv[a++] = "--json";
	argv[a++] = json_path;
	argv[a++] = "--";
	argv[a++] = st->self;
	argv[a++] = "mock-client";
	if (daemon)
		argv[a++] = "--daemon";
	argv[a++] = "--directory";
	argv[a++] = "{directory}";
	argv[a++] = "--ca-bundle";
	argv[a++] = "{ca_bundle}";
	argv[a++] = "--domains";
	argv[a++] = "{domains}";
	argv[a++] = "--challenge";
	argv[a++] = "{challenge}";
	argv[a++] = "--http01-port";
	argv[a++] = "{http01_port}";
	argv[a++] = "--tlsalpn01-port";
	argv[a++] = "{tlsalpn01_port}";
	argv[a++] = "--dns-hook";
	argv[a++] = "{dns_hook}";
	argv[a++] = "--webroot";
	argv[a++] = "{webroot}";
	for (i = 0; control != NULL && control[i] != NULL && a + 3 < sizeof(argv) / sizeof(argv[0]);
	     i++) {
		argv[a++] = "--misbehave";
		argv[a++] = control[i];
	}
	argv[a] = NULL;

	rc = run_child(argv, st->timeout * 4 + 30);
	/* no report: the message below says so */
	if (acs_json_load_object(json_path, "report", &report, &err) != 0)
		report = NULL;
	unlink(json_path);
	results = json_object_get(report, "results");
	for (i = 0; i < json_array_size(results); i++) {
		json_t *res = json_array_get(results, i);
		const char *m;

		if (!json_is_string(json_object_get(res, "id")) ||
		    strcmp(json_string_value(json_object_get(res, "id")), result_id) != 0)
			continue;
		if (acs_verdict_parse(json_string_value(json_object_get(res, "raw_verdict")), &v) !=
		    0)
			v = ACS_ERROR;
		m = json_string_value(json_object_get(res, "message"));
		snprintf(msg, msglen, "%s", m ? m : "");
		break;
	}
	if (report == NULL)
		snprintf(msg, msglen, "acmespec client exited %d without a report", rc);
	else if (i == json_array_size(results))
		snprintf(msg, msglen, "no result for %s in the report", result_id);
	json_decref(report);
	return v;
}

static void client_selftest_one(void *ctx, const struct acs_case *c, struct acs_result *r)
{
	struct client_selftest_ctx *st = ctx;
	char m_ok[1024] = "", m_ctl[1024] = "";
	struct acs_buf msg;
	enum acs_verdict ok, ctl;
	const char *scenario;
	char *sw = NULL;
	int daemon;

	acs_buf_init(&msg, 8192);
	if (c->control == NULL || c->control[0] == NULL) {
		r->raw = ACS_FAIL;
		r->message =
		    strdup("no negative control: the scenario has never been shown able to fail");
		acs_buf_free(&msg);
		return;
	}
	/* a request check is judged within the scenario that exercises it */
	scenario = json_string_value(json_object_get(c->body, "scenario"));
	if (scenario == NULL || !json_is_string(json_object_get(c->body, "scenario")))
		scenario = c->id;
	daemon = json_is_true(json_object_get(json_object_get(c->body, "scenario"), "daemon"));
	sw = join_switches(c->control);
	ok = client_selftest_run(st, scenario, c->id, daemon, NULL, m_ok, sizeof(m_ok));
	ctl = ok == ACS_PASS ? client_selftest_run(st, scenario, c->id, daemon, c->control, m_ctl,
	                                           sizeof(m_ctl))
	                     : ACS_SKIPPED;
	if (ok != ACS_PASS) {
		r->raw = ok == ACS_ERROR ? ACS_ERROR : ACS_FAIL;
		acs_buf_printf(&msg, "conformant mock client: %s, expected PASS: %s",
		               acs_verdict_name(ok), m_ok);
		r->expected = strdup("PASS with the conformant mock client");
		r->actual = strdup(acs_verdict_name(ok));
	} else if (ctl != ACS_FAIL && ctl != ACS_NONSTRICT) {
		r->raw = ctl == ACS_ERROR ? ACS_ERROR : ACS_FAIL;
		acs_buf_printf(&msg, "control %s: %s, expected FAIL%s%s", sw, acs_verdict_name(ctl),
		               m_ctl[0] ? ": " : "", m_ctl);
		r->expected = strdup("FAIL (or NONSTRICT) with the mock client's control");
		r->actual = strdup(acs_verdict_name(ctl));
	} else {
		r->raw = ACS_PASS;
		acs_buf_printf(&msg, "conformant: PASS; control %s: %s (%s)", sw,
		               acs_verdict_name(ctl), m_ctl);
	}
	r->message = acs_buf_steal(&msg);
	free(sw);
}

/*
 * The mock CA's request checks as self-test cases: one per check of
 * acs_mockca_checks(), with the scenario and control named in
 * cases/client-checks.json (a check missing there has no control).
 */
static int load_check_cases(const char *dir, struct acs_catalog **out, struct acs_err *err)
{
	const struct acs_mockca_check *checks;
	struct acs_catalog *cat = NULL;
	json_t *doc = NULL, *list;
	char path[4096];
	size_t n, i, j;

	checks = acs_mockca_checks(&n);
	snprintf(path, sizeof(path), "%s/client-checks.json", dir);
	if (acs_json_load_object(path, "checks file", &doc, err) != 0)
		return -1;
	list = json_object_get(doc, "checks");
	if (!json_is_array(list)) {
		json_decref(doc);
		return acs_err_set(err, ACS_E_PARSE, "%s: field \"checks\": expected an array",
		                   path);
	}
	cat = calloc(1, sizeof(*cat));
	if (cat == NULL)
		goto nomem;
	cat->cases = calloc(n ? n : 1, sizeof(*cat->cases));
	if (cat->cases == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		struct acs_case *c = &cat->cases[i];
		json_t *entry = NULL;
		enum acs_level lvl = ACS_MUST;

		cat->n = i + 1;
		for (j = 0; j < json_array_size(list); j++) {
			const char *id =
			    json_string_value(json_object_get(json_array_get(list, j), "check"));

			if (id != NULL && strcmp(id, checks[i].id) == 0)
				entry = json_array_get(list, j);
		}
		acs_level_parse(checks[i].level, &lvl);
		c->level = lvl;
		c->id = strdup(checks[i].id);
		c->file = strdup(path);
		c->side = strdup("client");
		c->rfc = strdup(checks[i].rfc);
		c->section = strdup(checks[i].section);
		c->title = strdup(checks[i].words);
		c->requirement = strdup(checks[i].words);
		c->tags = calloc(2, sizeof(char *));
		c->body = json_object();
		if (c->id == NULL || c->file == NULL || c->side == NULL || c->rfc == NULL ||
		    c->section == NULL || c->title == NULL || c->requirement == NULL ||
		    c->tags == NULL || c->body == NULL)
			goto nomem;
		c->tags[0] = strdup("check");
		if (entry != NULL) {
			json_t *ctl = json_object_get(entry, "control");

			json_object_set(c->body, "scenario", json_object_get(entry, "scenario"));
			c->control = calloc(json_array_size(ctl) + 1, sizeof(char *));
			if (c->control == NULL)
				goto nomem;
			for (j = 0; j < json_array_size(ctl); j++)
				c->control[j] =
				    strdup(json_string_value(json_array_get(ctl, j))
				               ? json_string_value(json_array_get(ctl, j))
				               : "");
		}
	}
	json_decref(doc);
	*out = cat;
	return 0;
nomem:
	json_decref(doc);
	acs_catalog_free(cat);
	return acs_err_set(err, ACS_E_NOMEM, "out of memory");
}

/* Run the client half of the self-test; results appended by the runner. */
static int client_selftest(const struct acs_cli *cli, const char *dir, struct acs_catalog *cat,
                           struct acs_run_opts *run, struct acs_result **results, size_t *n,
                           struct acs_err *err)
{
	struct client_selftest_ctx st;
	ssize_t len;
	int rc;

	memset(&st, 0, sizeof(st));
	len = readlink("/proc/self/exe", st.self, sizeof(st.self) - 1);
	if (len <= 0)
		return acs_err_set(err, ACS_E_IO, "cannot find this executable: %s",
		                   acs_cli_errno_text(errno));
	st.self[len] = '\0';
	snprintf(st.tmpdir, sizeof(st.tmpdir), "/tmp/acmespec-selftest-XXXXXX");
	if (mkdtemp(st.tmpdir) == NULL)
		return acs_err_set(err, ACS_E_IO, "cannot make a temporary directory: %s",
		                   acs_cli_errno_text(errno));
	st.cases = dir;
	st.timeout = cli->timeout;
	pthread_mutex_init(&st.lock, NULL);
	run->run = client_selftest_one;
	run->run_ctx = &st;
	rc = acs_run(cat, run, results, n, err);
	pthread_mutex_destroy(&st.lock);
	rmdir(st.tmpdir);
	return rc;
}

int acs_cmd_selftest(const struct acs_cli *cli, const char *argv0)
{
	struct acs_catalog *scat = NULL, *ccat = NULL, *kcat = NULL;
	struct acs_responders *resp = NULL;
	struct acs_result *results = NULL, *cres = NULL;
	struct acs_responders_opts ro = {0};
	struct acs_filter filter;
	struct acs_run_opts run = {0};
	struct acs_run_info info = {0};
	struct selftest_ctx st;
	struct acs_console con;
	struct acs_embedded em = {0};
	struct acs_err err = {0};
	struct acs_buf rerun;
	double t0;
	const char *dir = acs_cli_cases_dir(cli);
	int do_server = cli->side == NULL || strcmp(cli->side, "server") == 0;
	int do_client = cli->side == NULL || strcmp(cli->side, "client") == 0;
	size_t n = 0, cn = 0, i, k, matched = 0;
	int rc = ACS_EXIT_USAGE;

	acs_buf_init(&rerun, 4096);
	memset(&st, 0, sizeof(st));
	memset(&con, 0, sizeof(con));
	acs_cli_fill_filter(cli, &filter);
	if (acs_cli_check_reports(cli) != 0)
		goto out;
	if (do_server && acs_cli_load_side(dir, "server", &scat) != 0)
		goto out;
	if (do_client) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/client", dir);
		if ((cli->side != NULL || acs_cli_has_json(sub)) &&
		    acs_cli_load_side(dir, "client", &ccat) != 0)
			goto out;
		if (ccat != NULL && load_check_cases(dir, &kcat, &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			goto out;
		}
	}
	for (i = 0; scat != NULL && i < scat->n; i++)
		matched += acs_case_matches(&scat->cases[i], &filter) != 0;
	for (i = 0; ccat != NULL && i < ccat->n; i++)
		matched += acs_case_matches(&ccat->cases[i], &filter) != 0;
	for (i = 0; kcat != NULL && i < kcat->n; i++)
		matched += acs_case_matches(&kcat->cases[i], &filter) != 0;
	if (matched == 0) {
		fprintf(stderr, "acmespec: no case matches the filters\n");
		goto out;
	}
	rc = ACS_EXIT_INFRA;
	acs_cli_console_init(cli, &con);
	acs_buf_printf(&rerun, "%s selftest", argv0);
	acs_cli_rerun_common(&rerun, cli, 30);
	run.jobs = cli->jobs;
	run.filter = &filter;
	run.rerun_prefix = rerun.data;
	run.progress = acs_cli_progress;
	run.progress_ctx = &con;
	run.fail_fast = cli->fail_fast ? 2 : 0; /* the self-test is always strict */
	info.side = "selftest";
	info.target = "the mocks and their negative controls";
	info.profile = "rfc8555";
	info.jobs = cli->jobs;
	info.started = time(NULL);
	t0 = acs_clock_mono();

	if (scat != NULL) {
		for (i = 0; i < scat->n; i++)
			if (acs_case_matches(&scat->cases[i], &filter))
				break;
	}
	if (scat != NULL && i < scat->n) {
		ro.bind_addr = "127.0.0.1";
		ro.dns_a_answer = "127.0.0.1";
		if (acs_responders_start(&resp, &ro, &err) != 0) {
			fprintf(stderr, "acmespec: cannot start the challenge responders: %s\n",
			        err.msg);
			goto out;
		}
		if (acs_embedded_start(&em, resp, &err) != 0) {
			fprintf(stderr, "acmespec: cannot start the mock CA: %s\n", err.msg);
			goto out;
		}
		st.em = &em;
		st.base.ca_bundle = acs_mockca_bundle_path(em.ca);
		st.base.responders = resp;
		st.base.request_timeout_ms = (long)(cli->timeout * 1000);
		st.base.wait_seconds = cli->timeout;
		st.base.verbose = cli->verbose;
		run.run = selftest_one;
		run.run_ctx = &st;
		if (acs_run(scat, &run, &results, &n, &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			goto out;
		}
	}
	for (k = 0; k < 2; k++) {
		struct acs_catalog *cc = k == 0 ? ccat : kcat;
		struct acs_result *all;

		if (cc == NULL)
			continue;
		for (i = 0; i < cc->n; i++)
			if (acs_case_matches(&cc->cases[i], &filter))
				break;
		if (i == cc->n)
			continue;
		if (client_selftest(cli, dir, cc, &run, &cres, &cn, &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			goto out;
		}
		all = realloc(results, (n + cn) * sizeof(*all));
		if (all == NULL) {
			fprintf(stderr, "acmespec: out of memory\n");
			goto out;
		}
		results = all;
		memcpy(results + n, cres, cn * sizeof(*cres));
		n += cn;
		free(cres);
		cres = NULL;
		cn = 0;
	}
	info.seconds = acs_clock_mono() - t0;
	/* the self-test has no SHOULD slack: a NONSTRICT would be a harness defect */
	rc = acs_cli_finish_run(cli, &con, &info, results, n, 1);
out:
	for (i = 0; i < n; i++)
		acs_result_clear(&results[i]);
	free(results);
	for (i = 0; i < cn; i++)
		acs_result_clear(&cres[i]);
	free(cres);
	acs_embedded_stop(&em);
	acs_responders_stop(resp);
	acs_catalog_free(scat);
	acs_catalog_free(ccat);
	acs_catalog_free(kcat);
	acs_buf_free(&rerun);
	return rc;
}
