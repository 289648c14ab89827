/*
 * `acmespec server [URL]`: the mock client runs the server catalog against
 * the directory URL, or against the embedded mock CA when there is none.
 */
#include "cli/commands.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "cli/cli_common.h"
#include "cli/embedded.h"
#include "harness/cancel.h"
#include "harness/catalog.h"
#include "harness/clock.h"
#include "harness/expect.h"
#include "harness/netpolicy.h"
#include "harness/profile.h"
#include "harness/runner.h"
#include "harness/verdict.h"
#include "mockclient/responders.h"
#include "mockclient/script.h"
#include "reports/report.h"

struct server_ctx {
	struct acs_server_target target;
	const struct acs_profile *profile;
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
		if (acs_profile_lacks(sc->profile, c->needs[i])) {
			char msg[256];

			snprintf(msg, sizeof(msg), "not applicable to profile %s: it has no %s",
			         sc->profile->name, c->needs[i]);
			r->raw = ACS_SKIPPED;
			r->message = strdup(msg);
			return;
		}
	}
	if (sc->target.domain_suffix != NULL && acs_case_needs(c, "ip")) {
		r->raw = ACS_SKIPPED;
		r->message = strdup("IP identifiers: a --domain-suffix run orders names under the "
		                    "zone only (the CA would have to reach this host's address)");
		return;
	}
	if (sc->eab_url != NULL && acs_case_needs(c, "eab")) {
		struct acs_server_target t = sc->target;

		t.directory_url = sc->eab_url;
		t.eab_kid = sc->eab_kid;
		t.eab_hmac = sc->eab_hmac;
		acs_script_run_case(&t, c, r);
		return;
	}
	acs_script_run_case(&sc->target, c, r);
}

static int port_or(int port, int dflt)
{
	return port == ACS_CLI_PORT_UNSET ? dflt : port;
}

/* 1 when path is a readable file holding at least one PEM certificate. */
static int bundle_has_cert(const char *path)
{
	struct stat st;
	BIO *bio;
	X509 *x;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	bio = BIO_new_file(path, "r");
	if (bio == NULL) {
		ERR_clear_error();
		return 0;
	}
	x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	X509_free(x);
	BIO_free(bio);
	ERR_clear_error();
	return x != NULL;
}

/*
 * The program of --dns-hook (its first word) exists and is executable: a
 * path, or a name found in $PATH. A first word with shell syntax (quotes,
 * $, =) is left to the shell. 0, or -1 with the reason printed.
 */
static int check_hook_program(const char *hook)
{
	char word[512], path[1024];
	const char *w = hook + strspn(hook, " \t"), *dirs, *d;
	size_t n = strcspn(w, " \t");
	struct stat st;

	if (n >= sizeof(word))
		return 0;
	memcpy(word, w, n);
	word[n] = '\0';
	if (strpbrk(word, "'\"$=\\`~*?;|&<>(){}") != NULL)
		return 0;
	if (strchr(word, '/') != NULL) {
		if (stat(word, &st) != 0) {
			fprintf(stderr, "acmespec: --dns-hook: cannot run %s: %s\n", word,
			        acs_cli_errno_text(errno));
			return -1;
		}
		if (!S_ISREG(st.st_mode) || access(word, X_OK) != 0) {
			fprintf(stderr,
			        "acmespec: --dns-hook: cannot run %s: not an executable file\n",
			        word);
			return -1;
		}
		return 0;
	}
	dirs = getenv("PATH");
	for (d = dirs; d != NULL && *d != '\0';
	     d += strcspn(d, ":") + (d[strcspn(d, ":")] != '\0')) {
		size_t dl = strcspn(d, ":");

		snprintf(path, sizeof(path), "%.*s/%s", (int)dl, dl > 0 ? d : ".", word);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0)
			return 0;
	}
	fprintf(stderr, "acmespec: --dns-hook: %s: no such program in $PATH\n", word);
	return -1;
}

/* --http01-webroot names a directory the harness can write into. 0, or -1 printed. */
static int check_webroot(const char *dir)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		fprintf(stderr, "acmespec: cannot use --http01-webroot %s: %s\n", dir,
		        acs_cli_errno_text(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "acmespec: cannot use --http01-webroot %s: not a directory\n", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		fprintf(stderr, "acmespec: cannot use --http01-webroot %s: not writable (%s)\n",
		        dir, acs_cli_errno_text(errno));
		return -1;
	}
	return 0;
}

/*
 * What can be refused before any traffic: a directory URL that is not
 * https://, a production CA without --allow-production, an unreadable
 * --ca-bundle (or one with no PEM certificate), a URL with no host.
 * Prints why; -1 then.
 */
static int server_check_target(const struct acs_cli *cli)
{
	char host[256];

	if (cli->url != NULL && strncmp(cli->url, "https://", 8) != 0) {
		fprintf(
		    stderr,
		    "acmespec: directory URL must be https:// (RFC 8555 section 6.1), got \"%s\"\n",
		    cli->url);
		return -1;
	}
	if (cli->url != NULL && acs_url_host(cli->url, host, sizeof(host)) != 0) {
		fprintf(stderr, "acmespec: directory URL \"%s\" has no usable host\n", cli->url);
		return -1;
	}
	if (cli->url != NULL && acs_url_is_production(cli->url) && !cli->allow_production) {
		fprintf(stderr,
		        "acmespec: refusing production CA directory %s: conformance cases send "
		        "malformed requests on purpose; pass --allow-production if you really mean "
		        "it\n",
		        cli->url);
		return -1;
	}
	if (cli->ca_bundle != NULL && access(cli->ca_bundle, R_OK) != 0) {
		fprintf(stderr, "acmespec: cannot read --ca-bundle %s: %s\n", cli->ca_bundle,
		        acs_cli_errno_text(errno));
		return -1;
	}
	if (cli->ca_bundle != NULL && !bundle_has_cert(cli->ca_bundle)) {
		fprintf(stderr,
		        "acmespec: cannot use --ca-bundle %s: not a file of PEM certificates\n",
		        cli->ca_bundle);
		return -1;
	}
	if (cli->dns_hook != NULL && check_hook_program(cli->dns_hook) != 0)
		return -1;
	if (cli->http01_webroot != NULL && check_webroot(cli->http01_webroot) != 0)
		return -1;
	return 0;
}

/* The command line that reruns a case of this server run, up to the case. */
static void server_rerun(struct acs_buf *rerun, const struct acs_cli *cli, const char *argv0,
                         char *const *misbehave)
{
	size_t i;

	acs_buf_puts(rerun, argv0);
	acs_buf_puts(rerun, misbehave != NULL ? " demo" : " server");
	for (i = 0; misbehave != NULL && misbehave[i] != NULL; i++)
		acs_cli_shell_opt(rerun, "--misbehave", misbehave[i]);
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
	acs_cli_shell_opt(rerun, "--domain-suffix", cli->domain_suffix);
	acs_cli_shell_opt(rerun, "--dns-hook", cli->dns_hook);
	acs_cli_shell_opt(rerun, "--http01-webroot", cli->http01_webroot);
	if (cli->eab_kid != NULL) {
		acs_cli_shell_opt(rerun, "--eab-kid", cli->eab_kid);
		acs_buf_puts(rerun, " --eab-hmac \"$EAB_HMAC\"");
	}
	acs_cli_rerun_common(rerun, cli, 30);
}

/* The responders and the target as the options say (the profile is set by the caller). */
static void server_setup(const struct acs_cli *cli, struct acs_responders_opts *ro,
                         struct acs_acme_budget *budget, struct server_ctx *sc)
{
	int embedded = cli->url == NULL;

	ro->bind_addr = cli->bind ? cli->bind : "127.0.0.1";
	ro->http01_port = port_or(cli->http01_port, embedded ? 0 : 5002);
	ro->tlsalpn01_port = port_or(cli->tlsalpn01_port, embedded ? 0 : 5001);
	ro->dns_port = port_or(cli->dns_port, embedded ? 0 : 8053);
	ro->dns_a_answer = "127.0.0.1";
	/* what goes through the user's web server or DNS needs no responder of ours */
	if (cli->http01_webroot != NULL)
		ro->http01_port = -1;
	if (cli->dns_hook != NULL)
		ro->dns_port = -1;
	budget->max_orders = cli->max_orders;
	budget->max_accounts = cli->max_accounts;

	sc->target.ca_bundle = cli->ca_bundle;
	sc->target.eab_kid = cli->eab_kid;
	sc->target.eab_hmac = cli->eab_hmac;
	sc->target.allow_production = cli->allow_production;
	sc->target.allow_other_hosts = cli->allow_other_hosts;
	sc->target.request_timeout_ms = (long)(cli->timeout * 1000);
	sc->target.wait_seconds = cli->timeout;
	sc->target.verbose = cli->verbose;
	sc->target.domain_suffix = cli->domain_suffix;
	sc->target.dns_hook = cli->dns_hook;
	sc->target.webroot = cli->http01_webroot;
	sc->target.budget = cli->max_orders >= 0 || cli->max_accounts >= 0 ? budget : NULL;
}

/* One line on what a real-world run does differently (docs/real-world.md). */
static void print_realworld(const struct acs_cli *cli, FILE *out)
{
	char limits[64] = "none";

	if (cli->domain_suffix == NULL && cli->dns_hook == NULL && cli->http01_webroot == NULL &&
	    cli->max_orders < 0 && cli->max_accounts < 0)
		return;
	if (cli->max_orders >= 0 || cli->max_accounts >= 0) {
		char o[16] = "any", a[16] = "any";

		if (cli->max_orders >= 0)
			snprintf(o, sizeof(o), "%d", cli->max_orders);
		if (cli->max_accounts >= 0)
			snprintf(a, sizeof(a), "%d", cli->max_accounts);
		snprintf(limits, sizeof(limits), "%s orders, %s accounts", o, a);
	}
	fprintf(out, "real-world target: names under %s; dns-01 %s; http-01 %s%s; budget %s\n",
	        cli->domain_suffix != NULL ? cli->domain_suffix : "acmespec.test",
	        cli->dns_hook != NULL ? "through --dns-hook" : "by the built-in responder",
	        cli->http01_webroot != NULL ? "as files under " : "by the built-in responder",
	        cli->http01_webroot != NULL ? cli->http01_webroot : "", limits);
}

/*
 * The server run; misbehave: NULL, or (demo) the switches of the embedded
 * mock CA's scenario, NULL-terminated.
 */
static int server_run(const struct acs_cli *cli, const char *argv0, char *const *misbehave)
{
	struct acs_catalog *cat = NULL;
	struct acs_expectations *expect = NULL;
	struct acs_responders *resp = NULL;
	struct acs_result *results = NULL;
	struct acs_profile prof = {0};
	struct acs_responders_opts ro = {0};
	struct acs_filter filter;
	struct acs_run_opts run = {0};
	struct acs_run_info info = {0};
	struct acs_acme_budget budget = {PTHREAD_MUTEX_INITIALIZER, -1, 0, -1, 0};
	struct server_ctx sc;
	struct acs_err err = {0};
	struct acs_buf rerun;
	double t0;
	struct acs_embedded em = {0};
	const char *dir = acs_cli_cases_dir(cli);
	char *url = NULL;
	size_t n = 0, i;
	struct acs_cli_stop stop;
	int embedded, arc;
	int rc = ACS_EXIT_USAGE;

	acs_buf_init(&rerun, 8192);
	memset(&sc, 0, sizeof(sc));
	embedded = cli->url == NULL;
	if (server_check_target(cli) != 0 || acs_cli_check_reports(cli) != 0)
		goto out;
	if (acs_cli_load_side(dir, "server", &cat) != 0)
		goto out;
	if (acs_profile_load(&prof, dir, cli->profile, &err) != 0 ||
	    acs_profile_expectations(&prof, cli->expect_file, cat, &expect, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	acs_cli_fill_filter(cli, &filter);

	server_setup(cli, &ro, &budget, &sc);
	sc.target.profile = prof.json;
	sc.profile = &prof;
	acs_cli_console_init(cli, &sc.con);

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
		if (strstr(err.msg, "already in use") != NULL)
			fprintf(stderr,
			        "acmespec: another run may hold the port: give this one others "
			        "with --http01-port, --tlsalpn01-port and --dns-port (the "
			        "server under test must validate against them)\n");
		goto out;
	}
	sc.target.responders = resp;
	if (embedded) {
		if (acs_embedded_start(&em, resp, &err) != 0 ||
		    acs_embedded_scenario(&em, misbehave != NULL ? "demo" : "conformant", misbehave,
		                          NULL, 0, &url, &err) != 0 ||
		    acs_embedded_scenario(&em, "conformant-eab", NULL, NULL, 1, &sc.eab_url,
		                          &err) != 0) {
			fprintf(stderr, "acmespec: cannot start the embedded mock CA: %s\n",
			        err.msg);
			goto out;
		}
		sc.target.ca_bundle = acs_mockca_bundle_path(em.ca);
		sc.eab_kid = em.eab_kid;
		sc.eab_hmac = em.eab_hmac;
		fprintf(sc.con.out, "embedded mock CA: %s\n", url);
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

	print_realworld(cli, sc.con.out);
	server_rerun(&rerun, cli, argv0, misbehave);

	run.jobs = cli->jobs;
	run.filter = &filter;
	run.expect = expect;
	run.rerun_prefix = rerun.data;
	run.run = server_run_one;
	run.run_ctx = &sc;
	run.progress = acs_cli_progress;
	run.progress_ctx = &sc.con;
	run.fail_fast = cli->fail_fast ? (cli->strict ? 2 : 1) : 0;

	info.side = "server";
	info.target = embedded ? "embedded mock CA" : url;
	info.profile = prof.name;
	info.expect_file = cli->expect_file;
	info.strict = cli->strict;
	info.jobs = cli->jobs;
	info.started = time(NULL);
	t0 = acs_clock_mono();
	acs_cli_catch_stop(&stop);
	arc = acs_run(cat, &run, &results, &n, &err);
	acs_cli_release_stop(&stop);
	if (arc != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		rc = err.code == ACS_E_NOTFOUND ? ACS_EXIT_USAGE : ACS_EXIT_INFRA;
		goto out;
	}
	info.seconds = acs_clock_mono() - t0;
	info.interrupted = acs_cancel_signal();

	rc = acs_cli_finish_run(cli, &sc.con, &info, results, n, cli->strict);
out:
	for (i = 0; i < n; i++)
		acs_result_clear(&results[i]);
	free(results);
	acs_embedded_stop(&em);
	acs_responders_stop(resp);
	free(url);
	free(sc.eab_url);
	acs_expect_free(expect);
	acs_profile_clear(&prof);
	acs_catalog_free(cat);
	acs_buf_free(&rerun);
	return rc;
}

int acs_cmd_server(const struct acs_cli *cli, const char *argv0)
{
	return server_run(cli, argv0, NULL);
}

int acs_cmd_demo(const struct acs_cli *cli, const char *argv0)
{
	char *defaults[] = {"accept-reused-nonce", NULL};
	char *given[ACS_CLI_MAX_MULTI + 1];
	size_t i;

	for (i = 0; i < cli->nmisbehaviours; i++)
		given[i] = (char *)cli->misbehaviours[i];
	given[i] = NULL;
	fprintf(acs_cli_console_stream(cli),
	        "acmespec demo: the server cases against the embedded mock CA with %s switched "
	        "on; expect FAILs with their evidence, and exit 1\n",
	        cli->nmisbehaviours > 0 ? "the misbehaviours given" : "accept-reused-nonce");
	return server_run(cli, argv0, cli->nmisbehaviours > 0 ? given : defaults);
}
