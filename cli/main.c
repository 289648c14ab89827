/*
 * acmespec: the command line. Parses options (cli/cli.c, one table for
 * every command), loads the catalog, and runs one command.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness/b64url.h"
#include "harness/clock.h"
#include "harness/json_util.h"
#include "harness/catalog.h"
#include "cli/cli.h"
#include "cli/cli_client.h"
#include "cli/cli_common.h"
#include "cli/cli_mockclient.h"
#include "cli/cli_serve.h"
#include "harness/err.h"
#include "harness/expect.h"
#include "harness/http.h"
#include "harness/runner.h"
#include "harness/verdict.h"
#include "mockclient/responders.h"
#include "mockclient/script.h"
#include "mockserver/mockca.h"
#include "reports/report.h"

/* strerror(e) in lower case, as every message of the harness is. */
static const char *errno_text(int e)
{
	static __thread char text[128];

	snprintf(text, sizeof(text), "%s", strerror(e));
	if (text[0] >= 'A' && text[0] <= 'Z')
		text[0] = (char)(text[0] - 'A' + 'a');
	return text;
}

/* Hosts of production ACME directories: refused unless --allow-production. */
static const char *const production_hosts[] = {
    "acme-v02.api.letsencrypt.org",
    "acme-v01.api.letsencrypt.org",
    "acme.zerossl.com",
    "api.buypass.com",
    "dv.acme-v02.api.pki.goog",
    "acme.ssl.com",
    "acme.digicert.com",
    "acme.sectigo.com",
    "acme.actalis.com",
};

/* The host part of an absolute URL into out (lower case, no port, no userinfo). */
static void url_host(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://");
	size_t auth, at, n = 0;

	out[0] = '\0';
	if (p == NULL)
		return;
	p += 3;
	auth = strcspn(p, "/?#");
	for (at = auth; at > 0; at--) {
		if (p[at - 1] == '@') {
			p += at;
			auth -= at;
			break;
		}
	}
	while (n < auth && p[n] != ':' && n + 1 < outlen) {
		char ch = p[n];

		out[n] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
		n++;
	}
	out[n] = '\0';
	/* "acme-v02.api.letsencrypt.org." names the same host */
	if (n > 0 && out[n - 1] == '.')
		out[n - 1] = '\0';
}

static int is_production(const char *url)
{
	char host[256];
	size_t i;

	url_host(url, host, sizeof(host));
	for (i = 0; i < sizeof(production_hosts) / sizeof(production_hosts[0]); i++)
		if (strcmp(host, production_hosts[i]) == 0)
			return 1;
	return 0;
}

/* Load one side's catalog and check every server script statically. */
static int load_side(const char *dir, const char *side, struct acs_catalog **out)
{
	struct acs_err err = {0};
	struct acs_catalog *cat = NULL;
	size_t i;

	if (acs_catalog_load(&cat, dir, side, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	if (strcmp(side, "server") == 0) {
		for (i = 0; i < cat->n; i++) {
			if (acs_script_validate(&cat->cases[i], &err) != 0) {
				fprintf(stderr, "acmespec: %s: %s\n", cat->cases[i].file, err.msg);
				acs_catalog_free(cat);
				return -1;
			}
		}
	}
	*out = cat;
	return 0;
}

/*
 * A profile: cases/profiles/<name>.json with "features" (a feature set to
 * false is not offered: cases needing it are SKIPPED) and "expectations"
 * (known divergences, in the format of an expectations file).
 */
struct profile {
	char name[64];
	json_t *json; /* owned, NULL for the default rfc8555 profile without a file */
};

static int load_profile(const char *dir, const char *name, struct profile *p)
{
	char path[4096];
	struct acs_err err = {0};
	size_t i;

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "rfc8555");
	for (i = 0; p->name[i] != '\0'; i++) {
		char ch = p->name[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' ||
		      ch == '_' || ch == '.')) {
			fprintf(stderr, "acmespec: option --profile: bad name \"%s\"\n", p->name);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/profiles/%s.json", dir, p->name);
	if (access(path, R_OK) != 0) {
		if (name == NULL)
			return 0; /* the default needs no file */
		fprintf(stderr, "acmespec: unknown profile \"%s\": cannot read %s\n", name, path);
		return -1;
	}
	if (acs_json_load_object(path, "profile", &p->json, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* 1 when the profile switches feature off. */
static int profile_lacks(const struct profile *p, const char *feature)
{
	json_t *f;

	if (p->json == NULL)
		return 0;
	f = json_object_get(json_object_get(p->json, "features"), feature);
	return json_is_false(f);
}

/* 1 when dir holds at least one *.json file. */
static int has_json(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	if (d == NULL)
		return 0;
	for (e = readdir(d); e != NULL && !found; e = readdir(d)) {
		size_t len = strlen(e->d_name);

		found = len > 5 && strcmp(e->d_name + len - 5, ".json") == 0;
	}
	closedir(d);
	return found;
}

static char *xstrdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

/*
 * Expectations from --expect and from the profile, in one list: the file's
 * entries first, so a target's own file overrides its profile.
 */
static int load_expectations(const char *file, const struct profile *p,
                             const struct acs_catalog *cat, struct acs_expectations **out)
{
	struct acs_expectations *fe = NULL, *all = NULL;
	struct acs_err err = {0};
	json_t *pe = p->json ? json_object_get(p->json, "expectations") : NULL;
	size_t i, n = 0, k = 0;

	*out = NULL;
	if (file != NULL && acs_expect_load(&fe, file, cat, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	if (pe != NULL && !json_is_array(pe)) {
		fprintf(stderr, "acmespec: profile %s: field \"expectations\": expected an array\n",
		        p->name);
		acs_expect_free(fe);
		return -1;
	}
	if (fe == NULL && json_array_size(pe) == 0)
		return 0;
	n = (fe ? fe->n : 0) + json_array_size(pe);
	all = calloc(1, sizeof(*all));
	if (all == NULL)
		goto nomem;
	all->entries = calloc(n ? n : 1, sizeof(*all->entries));
	if (all->entries == NULL)
		goto nomem;
	all->target = xstrdup(fe && fe->target ? fe->target : p->name);
	for (i = 0; fe != NULL && i < fe->n; i++, k++) {
		all->entries[k].pattern = xstrdup(fe->entries[i].pattern);
		all->entries[k].verdict = fe->entries[i].verdict;
		all->entries[k].reason = xstrdup(fe->entries[i].reason);
		all->entries[k].link = xstrdup(fe->entries[i].link);
		all->n = k + 1;
	}
	for (i = 0; i < json_array_size(pe); i++, k++) {
		json_t *e = json_array_get(pe, i);
		const char *pat = json_string_value(json_object_get(e, "case"));
		const char *v = json_string_value(json_object_get(e, "verdict"));
		const char *clause = json_string_value(json_object_get(e, "clause"));
		const char *reason = json_string_value(json_object_get(e, "reason"));
		char line[2048];
		enum acs_verdict verdict = ACS_FAIL;

		if (pat == NULL || (v != NULL && acs_verdict_parse(v, &verdict) != 0)) {
			fprintf(stderr,
			        "acmespec: profile %s: expectations[%zu]: needs \"case\" and a "
			        "valid \"verdict\"\n",
			        p->name, i);
			goto fail;
		}
		snprintf(line, sizeof(line), "%s%s%s", clause ? clause : "",
		         clause && reason ? ": " : "", reason ? reason : "");
		all->entries[k].pattern = xstrdup(pat);
		all->entries[k].verdict = verdict;
		all->entries[k].reason = xstrdup(line);
		all->entries[k].link = xstrdup(json_string_value(json_object_get(e, "link")));
		all->n = k + 1;
	}
	acs_expect_free(fe);
	*out = all;
	return 0;
nomem:
	fprintf(stderr, "acmespec: out of memory\n");
fail:
	acs_expect_free(fe);
	acs_expect_free(all);
	return -1;
}

static int case_needs(const struct acs_case *c, const char *feature)
{
	size_t i;

	for (i = 0; c->needs != NULL && c->needs[i] != NULL; i++)
		if (strcmp(c->needs[i], feature) == 0)
			return 1;
	return 0;
}

struct server_ctx {
	struct acs_server_target target;
	const struct profile *profile;
	struct acs_console con;
	/* embedded mock CA only: where cases needing EAB go, with which credentials */
	char *eab_url;
	const char *eab_kid;
	const char *eab_hmac;
};

static void server_run_one(void *ctx, const struct acs_case *c, struct acs_result *r)
{
	struct server_ctx *sc = ctx;
	size_t i;

	for (i = 0; c->needs != NULL && c->needs[i] != NULL; i++) {
		if (profile_lacks(sc->profile, c->needs[i])) {
			char msg[256];

			snprintf(msg, sizeof(msg), "not applicable to profile %s: it has no %s",
			         sc->profile->name, c->needs[i]);
			r->raw = ACS_SKIPPED;
			r->message = strdup(msg);
			return;
		}
	}
	if (sc->eab_url != NULL && case_needs(c, "eab")) {
		struct acs_server_target t = sc->target;

		t.directory_url = sc->eab_url;
		t.eab_kid = sc->eab_kid;
		t.eab_hmac = sc->eab_hmac;
		acs_script_run_case(&t, c, r);
		return;
	}
	acs_script_run_case(&sc->target, c, r);
}

static void server_progress(void *ctx, const struct acs_result *r, size_t done, size_t total)
{
	struct server_ctx *sc = ctx;

	acs_console_case(&sc->con, r, done, total);
	fflush(sc->con.out);
}

static int port_or(int port, int dflt)
{
	return port == ACS_CLI_PORT_UNSET ? dflt : port;
}

/*
 * The embedded mock CA: in-process, validating against this run's own
 * responders. The EAB credentials that its EAB-requiring scenarios use are
 * made here, fresh for every run.
 */
struct embedded {
	struct acs_mockca *ca;
	char eab_kid[32];
	char eab_hmac[64];
	pthread_mutex_t lock;
	unsigned counter; /* for unique scenario names */
};

static int embedded_start(struct embedded *em, struct acs_responders *resp, struct acs_err *err)
{
	struct acs_mockca_opts mo = {0};
	unsigned char mac[32];
	char *b64 = NULL;
	char dns[64];
	int http01, tlsalpn01, dnsport;

	acs_responders_ports(resp, &http01, &tlsalpn01, &dnsport);
	snprintf(dns, sizeof(dns), "127.0.0.1:%d", dnsport);
	if (RAND_bytes(mac, sizeof(mac)) != 1)
		return acs_err_set(err, ACS_E_CRYPTO, "cannot make an EAB key");
	b64 = acs_b64url_encode(mac, sizeof(mac));
	if (b64 == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	snprintf(em->eab_hmac, sizeof(em->eab_hmac), "%s", b64);
	free(b64);
	snprintf(em->eab_kid, sizeof(em->eab_kid), "acmespec-eab-1");
	pthread_mutex_init(&em->lock, NULL);
	mo.bind_addr = "127.0.0.1";
	mo.http01_port = http01;
	mo.tlsalpn01_port = tlsalpn01;
	mo.dns_server = dns;
	mo.validate_addr = "127.0.0.1";
	return acs_mockca_start(&em->ca, &mo, err);
}

static void embedded_stop(struct embedded *em)
{
	if (em->ca == NULL)
		return;
	acs_mockca_stop(em->ca);
	em->ca = NULL;
	pthread_mutex_destroy(&em->lock);
}

/*
 * Create scenario name with the switches of both lists on (either may be
 * NULL), requiring EAB when eab. *url: its directory (new string).
 */
static int embedded_scenario(struct embedded *em, const char *name, char *const *a, char *const *b,
                             int eab, char **url, struct acs_err *err)
{
	char *const *lists[2] = {a, b};
	size_t l, i;

	if (acs_mockca_scenario_add(em->ca, name, err) != 0)
		return -1;
	for (l = 0; l < 2; l++) {
		for (i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
			if (acs_mockca_misbehave(em->ca, name, lists[l][i], err) != 0)
				return -1;
		}
	}
	if (eab && acs_mockca_scenario_eab(em->ca, name, em->eab_kid, em->eab_hmac, err) != 0)
		return -1;
	*url = acs_mockca_directory_url(em->ca, name);
	if (*url == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return 0;
}

/*
 * What can be refused before any traffic: a directory URL that is not
 * https://, a production CA without --allow-production, an unreadable
 * --ca-bundle. Prints why; -1 then.
 */
static int server_check_target(const struct acs_cli *cli)
{
	if (cli->url != NULL && strncmp(cli->url, "https://", 8) != 0) {
		fprintf(
		    stderr,
		    "acmespec: directory URL must be https:// (RFC 8555 section 6.1), got \"%s\"\n",
		    cli->url);
		return -1;
	}
	if (cli->url != NULL && is_production(cli->url) && !cli->allow_production) {
		fprintf(stderr,
		        "acmespec: refusing production CA directory %s: conformance cases send "
		        "malformed requests on purpose; pass --allow-production if you really mean "
		        "it\n",
		        cli->url);
		return -1;
	}
	if (cli->ca_bundle != NULL && access(cli->ca_bundle, R_OK) != 0) {
		fprintf(stderr, "acmespec: cannot read --ca-bundle %s: %s\n", cli->ca_bundle,
		        errno_text(errno));
		return -1;
	}
	return 0;
}

/* The command line that reruns a case of this server run, up to the case. */
static void server_rerun(struct acs_buf *rerun, const struct acs_cli *cli, const char *argv0)
{
	acs_buf_puts(rerun, argv0);
	acs_buf_puts(rerun, " server");
	if (cli->url != NULL) {
		acs_cli_shell_word(rerun, cli->url);
		acs_cli_shell_opt(rerun, "--ca-bundle", cli->ca_bundle);
	}
	if (cli->http01_port != ACS_CLI_PORT_UNSET)
		acs_buf_printf(rerun, " --http01-port %d", cli->http01_port);
	if (cli->tlsalpn01_port != ACS_CLI_PORT_UNSET)
		acs_buf_printf(rerun, " --tlsalpn01-port %d", cli->tlsalpn01_port);
	if (cli->dns_port != ACS_CLI_PORT_UNSET)
		acs_buf_printf(rerun, " --dns-port %d", cli->dns_port);
	acs_cli_shell_opt(rerun, "--bind", cli->bind);
	if (cli->eab_kid != NULL) {
		acs_cli_shell_opt(rerun, "--eab-kid", cli->eab_kid);
		acs_buf_puts(rerun, " --eab-hmac \"$EAB_HMAC\"");
	}
	acs_cli_shell_opt(rerun, "--profile", cli->profile);
	acs_cli_shell_opt(rerun, "--cases", cli->cases_dir);
	acs_cli_shell_opt(rerun, "--expect", cli->expect_file);
}

static int cmd_server(const struct acs_cli *cli, const char *argv0)
{
	struct acs_catalog *cat = NULL;
	struct acs_expectations *expect = NULL;
	struct acs_responders *resp = NULL;
	struct acs_result *results = NULL;
	struct profile prof = {0};
	struct acs_responders_opts ro = {0};
	struct acs_filter filter;
	struct acs_run_opts run = {0};
	struct acs_run_info info = {0};
	struct acs_summary sum;
	struct server_ctx sc;
	struct acs_err err = {0};
	struct acs_buf rerun;
	double t0;
	struct embedded em = {0};
	const char *dir = acs_cli_cases_dir(cli);
	char *url = NULL;
	size_t n = 0, i;
	int embedded;
	int rc = ACS_EXIT_USAGE;

	acs_buf_init(&rerun, 8192);
	memset(&sc, 0, sizeof(sc));
	embedded = cli->url == NULL;
	if (server_check_target(cli) != 0)
		goto out;
	if (load_side(dir, "server", &cat) != 0)
		goto out;
	if (load_profile(dir, cli->profile, &prof) != 0)
		goto out;
	if (load_expectations(cli->expect_file, &prof, cat, &expect) != 0)
		goto out;
	acs_cli_fill_filter(cli, &filter);

	ro.bind_addr = cli->bind ? cli->bind : "127.0.0.1";
	ro.http01_port = port_or(cli->http01_port, embedded ? 0 : 5002);
	ro.tlsalpn01_port = port_or(cli->tlsalpn01_port, embedded ? 0 : 5001);
	ro.dns_port = port_or(cli->dns_port, embedded ? 0 : 8053);
	ro.dns_a_answer = "127.0.0.1";

	sc.target.ca_bundle = cli->ca_bundle;
	sc.target.eab_kid = cli->eab_kid;
	sc.target.eab_hmac = cli->eab_hmac;
	sc.target.profile = prof.json;
	sc.target.request_timeout_ms = (long)(cli->timeout * 1000);
	sc.target.wait_seconds = cli->timeout;
	sc.target.verbose = cli->verbose;
	sc.profile = &prof;
	sc.con.out = stdout;
	sc.con.color = acs_cli_want_color(cli);
	sc.con.verbose = cli->verbose;
	sc.con.progress = isatty(fileno(stdout));

	/* a filter that matches nothing is a usage error, found before any traffic */
	for (i = 0; i < cat->n; i++)
		if (acs_case_matches(&cat->cases[i], &filter))
			break;
	if (i == cat->n) {
		fprintf(stderr, "acmespec: no server case matches the filters\n");
		goto out;
	}

	rc = ACS_EXIT_INFRA;
	if (acs_responders_start(&resp, &ro, &err) != 0) {
		fprintf(stderr, "acmespec: cannot start the challenge responders: %s\n", err.msg);
		goto out;
	}
	sc.target.responders = resp;
	if (embedded) {
		if (embedded_start(&em, resp, &err) != 0 ||
		    embedded_scenario(&em, "conformant", NULL, NULL, 0, &url, &err) != 0 ||
		    embedded_scenario(&em, "conformant-eab", NULL, NULL, 1, &sc.eab_url, &err) !=
		        0) {
			fprintf(stderr, "acmespec: cannot start the embedded mock CA: %s\n",
			        err.msg);
			goto out;
		}
		sc.target.ca_bundle = acs_mockca_bundle_path(em.ca);
		sc.eab_kid = em.eab_kid;
		sc.eab_hmac = em.eab_hmac;
		fprintf(stdout, "embedded mock CA: %s\n", url);
	} else {
		url = strdup(cli->url);
		if (url == NULL)
			goto out;
	}
	sc.target.directory_url = url;
	if (acs_script_probe(&sc.target, &err) != 0) {
		fprintf(stderr, "acmespec: cannot reach %s: %s\n", url, err.msg);
		goto out;
	}

	server_rerun(&rerun, cli, argv0);

	run.jobs = cli->jobs;
	run.filter = &filter;
	run.expect = expect;
	run.rerun_prefix = rerun.data;
	run.run = server_run_one;
	run.run_ctx = &sc;
	run.progress = server_progress;
	run.progress_ctx = &sc;

	info.side = "server";
	info.target = embedded ? "embedded mock CA" : url;
	info.profile = prof.name;
	info.expect_file = cli->expect_file;
	info.strict = cli->strict;
	info.jobs = cli->jobs;
	info.started = time(NULL);
	t0 = acs_clock_mono();
	if (acs_run(cat, &run, &results, &n, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		rc = err.code == ACS_E_NOTFOUND ? ACS_EXIT_USAGE : ACS_EXIT_INFRA;
		goto out;
	}
	info.seconds = acs_clock_mono() - t0;

	acs_console_summary(&sc.con, &info, results, n);
	acs_summarize(results, n, &sum);
	rc = acs_exit_code(&sum, cli->strict);
	if (acs_cli_write_reports(cli, &info, results, n) != 0 && rc == ACS_EXIT_OK)
		rc = ACS_EXIT_INFRA;
out:
	for (i = 0; i < n; i++)
		acs_result_clear(&results[i]);
	free(results);
	embedded_stop(&em);
	acs_responders_stop(resp);
	free(url);
	free(sc.eab_url);
	acs_expect_free(expect);
	json_decref(prof.json);
	acs_catalog_free(cat);
	acs_buf_free(&rerun);
	return rc;
}

/*
 * acmespec selftest: every server case against the conformant mock CA
 * (with the case's baseline switches) must PASS, and against its negative
 * control (baseline + control) must FAIL, or be NONSTRICT for a SHOULD.
 * A case without a control has never been shown able to fail: FAIL.
 */
struct selftest_ctx {
	struct acs_server_target base;
	struct embedded *em;
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
	int eab = case_needs(c, "eab");
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
	if (embedded_scenario(st->em, name_ok, c->baseline, NULL, eab, &url_ok, &err) != 0 ||
	    embedded_scenario(st->em, name_ctl, c->baseline, c->control, eab, &url_ctl, &err) !=
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

/* Run argv (bounded by limit seconds, output discarded); its exit status or -1. */
static int run_child(char *const *argv, double limit)
{
	double deadline = acs_clock_mono() + limit;
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
			close(fd);
		}
		setpgid(0, 0);
		execv(argv[0], argv);
		_exit(127);
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (w < 0)
			return -1;
		if (acs_clock_mono() > deadline) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return -1;
		}
		acs_sleep_ms(50);
	}
}

/*
 * One `acmespec client --case ID -- acmespec mock-client ... [--misbehave X]...`
 * run; the scenario's verdict (raw, before expectations) and message.
 */
static enum acs_verdict client_selftest_run(struct client_selftest_ctx *st, const char *scenario,
                                            const char *result_id, char *const *control, char *msg,
                                            size_t msglen)
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
	argv[a++] = "--timeout";
	argv[a++] = timeout;
	argv[a++] = "--json";
	argv[a++] = json_path;
	argv[a++] = "--";
	argv[a++] = st->self;
	argv[a++] = "mock-client";
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
	sw = join_switches(c->control);
	ok = client_selftest_run(st, scenario, c->id, NULL, m_ok, sizeof(m_ok));
	ctl = ok == ACS_PASS
	          ? client_selftest_run(st, scenario, c->id, c->control, m_ctl, sizeof(m_ctl))
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
		                   errno_text(errno));
	st.self[len] = '\0';
	snprintf(st.tmpdir, sizeof(st.tmpdir), "/tmp/acmespec-selftest-XXXXXX");
	if (mkdtemp(st.tmpdir) == NULL)
		return acs_err_set(err, ACS_E_IO, "cannot make a temporary directory: %s",
		                   errno_text(errno));
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

static int cmd_selftest(const struct acs_cli *cli, const char *argv0)
{
	struct acs_catalog *scat = NULL, *ccat = NULL, *kcat = NULL;
	struct acs_responders *resp = NULL;
	struct acs_result *results = NULL, *cres = NULL;
	struct acs_responders_opts ro = {0};
	struct acs_filter filter;
	struct acs_run_opts run = {0};
	struct acs_run_info info = {0};
	struct acs_summary sum;
	struct selftest_ctx st;
	struct server_ctx progress;
	struct embedded em = {0};
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
	memset(&progress, 0, sizeof(progress));
	acs_cli_fill_filter(cli, &filter);
	if (do_server && load_side(dir, "server", &scat) != 0)
		goto out;
	if (do_client) {
		char sub[4096];

		snprintf(sub, sizeof(sub), "%s/client", dir);
		if ((cli->side != NULL || has_json(sub)) && load_side(dir, "client", &ccat) != 0)
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
	progress.con.out = stdout;
	progress.con.color = acs_cli_want_color(cli);
	progress.con.verbose = cli->verbose;
	progress.con.progress = isatty(fileno(stdout));
	acs_buf_printf(&rerun, "%s selftest", argv0);
	acs_cli_shell_opt(&rerun, "--cases", cli->cases_dir);
	run.jobs = cli->jobs;
	run.filter = &filter;
	run.rerun_prefix = rerun.data;
	run.progress = server_progress;
	run.progress_ctx = &progress;
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
		if (embedded_start(&em, resp, &err) != 0) {
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
	acs_console_summary(&progress.con, &info, results, n);
	acs_summarize(results, n, &sum);
	/* the self-test has no SHOULD slack: a NONSTRICT would be a harness defect */
	rc = acs_exit_code(&sum, 1);
	if (acs_cli_write_reports(cli, &info, results, n) != 0 && rc == ACS_EXIT_OK)
		rc = ACS_EXIT_INFRA;
out:
	for (i = 0; i < n; i++)
		acs_result_clear(&results[i]);
	free(results);
	for (i = 0; i < cn; i++)
		acs_result_clear(&cres[i]);
	free(cres);
	embedded_stop(&em);
	acs_responders_stop(resp);
	acs_catalog_free(scat);
	acs_catalog_free(ccat);
	acs_catalog_free(kcat);
	acs_buf_free(&rerun);
	return rc;
}

static void list_side(const struct acs_catalog *cat, const struct acs_filter *f, int verbose,
                      size_t *count)
{
	size_t i, j;

	for (i = 0; i < cat->n; i++) {
		const struct acs_case *c = &cat->cases[i];

		if (!acs_case_matches(c, f))
			continue;
		(*count)++;
		printf("%-60s %-6s %s\n", c->id, acs_level_name(c->level), c->title);
		if (!verbose)
			continue;
		printf("    RFC %s section %s: %s\n", c->rfc, c->section, c->requirement);
		printf("    file: %s\n", c->file);
		for (j = 0; c->covers != NULL && c->covers[j] != NULL; j++)
			printf("%s%s", j == 0 ? "    covers:" : "", j == 0 ? " " : ", ");
		for (j = 0; c->covers != NULL && c->covers[j] != NULL; j++)
			printf("%s%s", c->covers[j], c->covers[j + 1] ? " " : "\n");
		for (j = 0; c->control != NULL && c->control[j] != NULL; j++)
			printf("%s%s", j == 0 ? "    negative control: " : ", ", c->control[j]);
		if (c->control != NULL)
			printf("\n");
	}
}

static int cmd_list(const struct acs_cli *cli)
{
	static const char *const sides[] = {"server", "client"};
	const char *dir = acs_cli_cases_dir(cli);
	struct acs_filter filter;
	size_t s, count = 0;
	int rc = ACS_EXIT_OK;

	acs_cli_fill_filter(cli, &filter);
	for (s = 0; s < 2; s++) {
		struct acs_catalog *cat = NULL;
		char sub[4096];

		if (cli->side != NULL && strcmp(cli->side, sides[s]) != 0)
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, sides[s]);
		/* an empty side is simply not listed, unless asked for by --side */
		if (!has_json(sub) && cli->side == NULL)
			continue;
		if (load_side(dir, sides[s], &cat) != 0)
			return ACS_EXIT_USAGE;
		list_side(cat, &filter, cli->verbose, &count);
		acs_catalog_free(cat);
	}
	if (count == 0) {
		fprintf(stderr, "acmespec: no case matches the filters\n");
		rc = ACS_EXIT_USAGE;
	} else {
		printf("%zu case%s\n", count, count == 1 ? "" : "s");
	}
	return rc;
}

/*
 * The commands that need no libcurl set-up of their own here: serve, and
 * the two that a client under test runs (dns-hook, mock-client). Their
 * options were checked against the table; dns-hook and mock-client still
 * read their own argv (argv[0] their name).
 */
static int run_standalone(const struct acs_cli *cli, int argc, char **argv)
{
	switch (cli->cmd) {
	case ACS_CMD_SERVE:
		return acs_cmd_serve(cli);
	case ACS_CMD_DNS_HOOK:
		return acs_cmd_dns_hook(argc - 1, argv + 1);
	default:
		return acs_cmd_mock_client(cli);
	}
}

static int run_command(const struct acs_cli *cli, const char *argv0)
{
	struct acs_client_opts co = {cli->client_name, cli->keep_workdir};
	int rc;

	if (acs_http_global_init() != 0) {
		fprintf(stderr, "acmespec: cannot initialise libcurl\n");
		return ACS_EXIT_INFRA;
	}
	switch (cli->cmd) {
	case ACS_CMD_SERVER:
		rc = cmd_server(cli, argv0);
		break;
	case ACS_CMD_LIST:
		rc = cmd_list(cli);
		break;
	case ACS_CMD_CLIENT:
		rc = acs_cmd_client_opts(cli, argv0, &co);
		break;
	case ACS_CMD_SELFTEST:
		rc = cmd_selftest(cli, argv0);
		break;
	default:
		fprintf(stderr, "acmespec: command %s is not available in this build yet\n",
		        acs_cli_cmd_name(cli->cmd));
		rc = ACS_EXIT_USAGE;
		break;
	}
	acs_http_global_cleanup();
	return rc;
}

int main(int argc, char **argv)
{
	struct acs_cli cli;
	char msg[512];

	/* a peer closing a socket must not kill the harness */
	signal(SIGPIPE, SIG_IGN);
	if (acs_cli_parse(argc, argv, &cli, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s\n", msg);
		return ACS_EXIT_USAGE;
	}
	if (cli.version) {
		printf("acmespec %s\n", ACMESPEC_VERSION);
		return ACS_EXIT_OK;
	}
	if (cli.man) {
		acs_cli_man(stdout);
		return ACS_EXIT_OK;
	}
	if (cli.help) {
		acs_cli_help(stdout, cli.cmd);
		return ACS_EXIT_OK;
	}
	if (cli.cmd == ACS_CMD_SERVE || cli.cmd == ACS_CMD_DNS_HOOK ||
	    cli.cmd == ACS_CMD_MOCK_CLIENT)
		return run_standalone(&cli, argc, argv);
	return run_command(&cli, argv[0]);
}
