/*
 * `acmespec mock-client` (see cli_mockclient.h): a thin front end over the
 * client flow of the mock client engine (mockclient/flow.h). Options go
 * into struct acs_mc_opts (one parsing function), the session is built
 * from them, the flow runs as a sequence of steps, and this file prints
 * the engine's progress notes, its errors and the certificate.
 */
#include "cli/cli_mockclient.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/crypto.h>

#include "harness/clock.h"
#include "harness/err.h"
#include "harness/http.h"
#include "harness/jwk.h"
#include "harness/transcript.h"
#include "harness/verdict.h"
#include "mockclient/acme.h"
#include "mockclient/flow.h"
#include "mockclient/misbehave.h"
#include "mockclient/responders.h"

#define PROG "acmespec mock-client"

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- options ---- */

/* One --misbehave NAME: a bit of the set its kind says. */
static int set_misbehaviour(struct acs_mc_opts *o, const char *name)
{
	const struct acs_misbehaviour *m = acs_misbehaviour_find(name);

	if (m == NULL)
		return -1;
	if (m->kind == ACS_MIS_KIND_CLIENT)
		o->sw |= ACS_SW_BIT(m->id);
	else if (m->kind == ACS_MIS_KIND_INNER) /* for --key-change only */
		o->inner_mis |= ACS_MIS_BIT(m->id);
	else
		o->mis |= ACS_MIS_BIT(m->id);
	return 0;
}

/* --domains N1,N2: split at commas and spaces, in a copy o owns. */
static int add_domains(struct acs_mc_opts *o, const char *arg)
{
	char *p;

	free(o->domains_copy);
	o->domains_copy = strdup(arg);
	if (o->domains_copy == NULL)
		return -1;
	p = o->domains_copy;
	while (*p != '\0') {
		size_t len = strcspn(p, ", ");

		if (len > 0) {
			if (o->nnames >= ACS_MC_MAX_NAMES) {
				say("--domains: too many names");
				return -1;
			}
			o->names[o->nnames++] = p;
		}
		p += len;
		if (*p != '\0')
			*p++ = '\0';
	}
	return 0;
}

void acs_mc_opts_init(struct acs_mc_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->challenge = "http-01";
	o->http01_port = 80;
	o->tlsalpn01_port = 443;
	o->agree_tos = 1;
	o->timeout_s = 60;
}

void acs_mc_opts_free(struct acs_mc_opts *o)
{
	free(o->domains_copy);
	o->domains_copy = NULL;
	free(o->account_key_copy);
	o->account_key_copy = NULL;
}

int acs_mc_opts_from_cli(struct acs_mc_opts *o, const struct acs_cli *cli)
{
	size_t i;

	o->directory = cli->directory;
	o->ca_bundle = cli->ca_bundle;
	o->cert_out = cli->cert_out;
	o->renew_cert = cli->renew_cert;
	o->account_key = cli->account_key;
	o->bind = cli->bind;
	o->dns_hook = cli->dns_hook;
	o->webroot = cli->webroot;
	o->eab_kid = cli->eab_kid;
	o->eab_hmac = cli->eab_hmac;
	o->profile = cli->cert_profile;
	if (cli->challenge != NULL)
		o->challenge = cli->challenge;
	if (cli->http01_port != ACS_CLI_PORT_UNSET)
		o->http01_port = cli->http01_port;
	if (cli->tlsalpn01_port != ACS_CLI_PORT_UNSET)
		o->tlsalpn01_port = cli->tlsalpn01_port;
	o->agree_tos = !cli->no_agree_tos;
	o->revoke = cli->revoke;
	o->key_change = cli->key_change;
	o->verbose = cli->verbose;
	o->daemon = cli->client_daemon;
	o->timeout_s = cli->timeout;
	for (i = 0; i < cli->ncontacts && o->ncontacts < ACS_MC_MAX_CONTACTS; i++)
		o->contacts[o->ncontacts++] = cli->contacts[i];
	for (i = 0; i < cli->ndomains; i++) {
		if (o->nnames >= ACS_MC_MAX_NAMES) {
			say("--domain: more than %d names", ACS_MC_MAX_NAMES);
			return -1;
		}
		o->names[o->nnames++] = cli->domains[i];
	}
	if (cli->domain_list != NULL && add_domains(o, cli->domain_list) != 0)
		return -1;
	for (i = 0; i < cli->nmisbehaviours; i++) {
		if (set_misbehaviour(o, cli->misbehaviours[i]) != 0) {
			say("--misbehave: unknown misbehaviour \"%s\" (see " PROG " --help)",
			    cli->misbehaviours[i]);
			return -1;
		}
	}
	return 0;
}

int acs_mc_parse_opts(struct acs_mc_opts *o, int argc, char **argv)
{
	struct acs_cli cli;
	char msg[512];

	if (acs_cli_parse_cmd(ACS_CMD_MOCK_CLIENT, argc, argv, &cli, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s\n", msg);
		return -1;
	}
	if (cli.help) {
		acs_cli_help(stdout, ACS_CMD_MOCK_CLIENT);
		return 1;
	}
	return acs_mc_opts_from_cli(o, &cli);
}

/*
 * A renewal scenario (docs/case-format.md, "renew") gives ACMESPEC_CERT_PATH
 * on every run and ACMESPEC_RENEW=1 on the runs that renew: the account key
 * is kept in the scenario's work directory, so the renewal comes from the
 * account that holds the certificate.
 */
static int env_renewal(struct acs_mc_opts *o)
{
	const char *cp = getenv("ACMESPEC_CERT_PATH"), *rn = getenv("ACMESPEC_RENEW");
	const char *wd = getenv("ACMESPEC_WORKDIR");
	size_t n;

	if (cp == NULL || cp[0] == '\0')
		return 0;
	if (o->renew_cert == NULL && rn != NULL && strcmp(rn, "1") == 0)
		o->renew_cert = cp;
	if (o->account_key == NULL && wd != NULL && wd[0] != '\0') {
		n = strlen(wd) + sizeof("/mock-client-account.pem");
		o->account_key_copy = malloc(n);
		if (o->account_key_copy == NULL)
			return -1;
		(void)snprintf(o->account_key_copy, n, "%s/mock-client-account.pem", wd);
		o->account_key = o->account_key_copy;
	}
	return 0;
}

/*
 * What a scenario of `acmespec client` asks for reaches this client through
 * the environment too (docs/case-format.md, "What COMMAND gets"), so the
 * same command line serves every scenario: ACMESPEC_EAB_KID and
 * ACMESPEC_EAB_HMAC when no --eab-kid was given, ACMESPEC_CONTACT when no
 * --contact was, ACMESPEC_KEY_CHANGE=1 and ACMESPEC_REVOKE=1 as --key-change
 * and --revoke, ACMESPEC_PROFILE when no --cert-profile was,
 * ACMESPEC_PREFERRED_CHAIN (the root whose alternate chain it keeps, 7.4.2).
 */
static int env_defaults(struct acs_mc_opts *o)
{
	const char *k = getenv("ACMESPEC_EAB_KID"), *h = getenv("ACMESPEC_EAB_HMAC");
	const char *kc = getenv("ACMESPEC_KEY_CHANGE"), *rv = getenv("ACMESPEC_REVOKE");
	const char *ct = getenv("ACMESPEC_CONTACT"), *pr = getenv("ACMESPEC_PROFILE");
	const char *pc = getenv("ACMESPEC_PREFERRED_CHAIN");

	if (o->eab_kid == NULL && k != NULL && k[0] != '\0') {
		if (h == NULL || h[0] == '\0') {
			say("ACMESPEC_EAB_KID without ACMESPEC_EAB_HMAC");
			return -1;
		}
		o->eab_kid = k;
		o->eab_hmac = h;
	}
	if (o->ncontacts == 0 && ct != NULL && ct[0] != '\0')
		o->contacts[o->ncontacts++] = ct;
	if (o->profile == NULL && pr != NULL && pr[0] != '\0')
		o->profile = pr;
	if (pc != NULL && pc[0] != '\0')
		o->preferred_chain = pc;
	if (kc != NULL && strcmp(kc, "1") == 0)
		o->key_change = 1;
	if (rv != NULL && strcmp(rv, "1") == 0)
		o->revoke = 1;
	return env_renewal(o);
}

/* ---- the run ---- */

/* Common headers of every request (6.1: Accept-Language); none with no-accept-language. */
static const char *const accept_language[] = {"Accept-Language: en", NULL};

struct mc_run {
	const struct acs_mc_opts *o;
	struct acs_responders *resp;
	struct acs_acme_session *s;
	struct acs_flow_ari plan; /* --renew-cert: what renewalInfo said */
	int skipped;              /* --renew-cert: not due, nothing ordered */
};

static void note(void *ctx, const char *msg)
{
	(void)ctx;
	say("%s", msg);
}

/* Responders for the challenge type, then the session with the client settings. */
static int start(struct mc_run *run, struct acs_err *err)
{
	const struct acs_mc_opts *o = run->o;
	struct acs_acme_session_opts so;
	struct acs_responders_opts ro;
	struct acs_acme_client *c;

	memset(&ro, 0, sizeof(ro));
	ro.bind_addr = o->bind != NULL ? o->bind : "127.0.0.1";
	ro.http01_port =
	    strcmp(o->challenge, "http-01") == 0 && o->webroot == NULL ? o->http01_port : -1;
	ro.tlsalpn01_port = strcmp(o->challenge, "tls-alpn-01") == 0 ? o->tlsalpn01_port : -1;
	ro.dns_port = -1;
	ro.dns_a_answer = "127.0.0.1";
	if (acs_responders_start(&run->resp, &ro, err) != 0)
		return acs_err_prefix(err, "cannot start the %s responder", o->challenge);
	memset(&so, 0, sizeof(so));
	so.directory_url = o->directory;
	so.ca_bundle = o->ca_bundle;
	/* no-timeout (a control of issue 11's hostile scenarios): a day, as good as none */
	so.timeout_ms = ACS_SW_HAS(o->sw, ACS_SW_NO_TIMEOUT) ? 86400000L : 30000;
	so.wait_seconds = (double)o->timeout_s;
	so.responders = run->resp;
	/* 6.1: a User-Agent naming the software, its version and the HTTP library */
	so.user_agent = "acmespec-mock-client/" ACMESPEC_VERSION " libcurl";
	if (acs_acme_session_new(&run->s, &so, err) != 0)
		return err->code;
	c = &run->s->client;
	c->sw = o->sw;
	c->mis = o->mis;
	c->inner_mis = o->inner_mis;
	c->headers = ACS_SW_HAS(o->sw, ACS_SW_NO_ACCEPT_LANGUAGE) ? NULL : accept_language;
	c->webroot = o->webroot;
	c->dns_hook = o->dns_hook;
	c->profile = o->profile;
	c->daemon = o->daemon;
	c->deadline = acs_clock_mono() +
	              (ACS_SW_HAS(o->sw, ACS_SW_NO_TIMEOUT) ? 86400.0 : (double)o->timeout_s);
	c->preferred_chain = o->preferred_chain;
	/* --timeout bounds the whole flow: no request may outlast it (D5) */
	acs_http_set_deadline(run->s->http, c->deadline);
	c->note = note;
	acs_flow_begin(run->s);
	return 0;
}

/*
 * The chain goes to --cert-out, else to stdout; a client given
 * ACMESPEC_PREFERRED_CHAIN by a scenario also stores it in
 * $ACMESPEC_WORKDIR/mock-client-chain.pem, where the judge looks.
 */
static int write_cert(struct mc_run *run, struct acs_err *err)
{
	const char *pem = acs_flow_certificate(run->s), *path = run->o->cert_out;
	const char *wd = getenv("ACMESPEC_WORKDIR");
	char stored[4096];
	FILE *f;

	if (path == NULL && run->o->preferred_chain != NULL && wd != NULL && wd[0] != '\0' &&
	    (size_t)snprintf(stored, sizeof(stored), "%s/mock-client-chain.pem", wd) <
	        sizeof(stored)) {
		fputs(pem, stdout);
		path = stored;
	} else if (path == NULL) {
		fputs(pem, stdout);
		return 0;
	}
	f = fopen(path, "w");
	if (f == NULL || fputs(pem, f) < 0 || fclose(f) != 0)
		return acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno));
	say("certificate chain written to %s", path);
	return 0;
}

/* Read a whole small file into a new string, or NULL (missing or unreadable). */
static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < 1024 * 1024 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf != NULL) {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* --account-key: the key of the file when there is one, else a new one written there. */
static int account_key(const char *path, struct acs_key **key, struct acs_err *err)
{
	char *pem = slurp(path), *out;
	FILE *f;
	int rc;

	if (pem != NULL) {
		rc = acs_key_from_pem(key, pem, strlen(pem), err);
		free(pem);
		return rc != 0 ? acs_err_prefix(err, "%s", path) : 0;
	}
	rc = acs_key_generate(key, ACS_KEY_EC256, err);
	if (rc != 0)
		return rc;
	out = acs_key_to_pem(*key);
	f = out != NULL ? fopen(path, "w") : NULL;
	rc = f != NULL && fputs(out, f) >= 0 ? 0 : -1;
	if (f != NULL && fclose(f) != 0)
		rc = -1;
	if (out != NULL)
		OPENSSL_cleanse(out, strlen(out));
	free(out);
	return rc != 0 ? acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno))
	               : 0;
}

/*
 * --renew-cert: whether the certificate is due (RFC 9773), and what the
 * order replaces. *skip: not due, nothing more to do. No file yet: the
 * first issuance.
 */
static int renewal_plan(struct mc_run *run, struct acs_flow_ari *plan, int *skip,
                        struct acs_err *err)
{
	char *pem = run->o->renew_cert != NULL ? slurp(run->o->renew_cert) : NULL;
	int rc;

	*skip = 0;
	memset(plan, 0, sizeof(*plan));
	if (pem != NULL && run->o->force_replaces != NULL) {
		/* --daemon: the time it chose in the window came; renewalInfo was asked before */
		free(pem);
		(void)snprintf(plan->replaces, sizeof(plan->replaces), "%s",
		               run->o->force_replaces);
		run->s->client.replaces = plan->replaces;
		return 0;
	}
	if (pem == NULL)
		return 0;
	rc = acs_flow_ari_plan(run->s, pem, plan, err);
	free(pem);
	if (rc != 0)
		return rc;
	*skip = !plan->renew;
	if (plan->replaces[0] != '\0')
		run->s->client.replaces = plan->replaces;
	return 0;
}

/* The flow, step by step. */
static int run_flow(struct mc_run *run, struct acs_err *err)
{
	const struct acs_mc_opts *o = run->o;
	struct acs_acme_session *s = run->s;
	struct acs_flow_account fa;
	struct acs_flow_ari *plan = &run->plan;
	struct acs_key *key = NULL;
	int rc, skip = 0;

	memset(&fa, 0, sizeof(fa));
	fa.contacts = o->contacts;
	fa.ncontacts = o->ncontacts;
	fa.agree_tos = o->agree_tos;
	fa.eab_kid = o->eab_kid;
	fa.eab_hmac = o->eab_hmac;
	rc = acs_flow_directory(s, err);
	if (rc == 0)
		rc = renewal_plan(run, plan, &skip, err);
	run->skipped = rc == 0 && skip;
	if (rc != 0 || skip)
		return rc;
	if (o->account_key != NULL && account_key(o->account_key, &key, err) != 0)
		return err->code;
	fa.key = key;
	rc = acs_flow_new_account(s, &fa, err);
	acs_key_free(key);
	if (rc == 0 && o->key_change)
		rc = acs_flow_key_change(s, err);
	if (rc == 0) /* RFC 9444, when the CA advertises it */
		rc = acs_flow_subdomain_preauthorize(s, o->names, o->nnames, o->challenge, err);
	if (rc == 0)
		rc = acs_flow_new_order(s, o->names, o->nnames, err);
	if (rc == 0)
		rc = acs_flow_authorize(s, o->challenge, err);
	if (rc == 0)
		rc = acs_flow_finalize(s, err);
	if (rc == 0)
		rc = acs_flow_download(s, err);
	if (rc == 0)
		rc = write_cert(run, err);
	if (rc == 0 && plan->certid[0] != '\0' && ACS_SW_HAS(o->sw, ACS_SW_ARI_CHECK_REPLACED))
		rc = acs_flow_ari_recheck(s, plan->certid, err);
	if (rc == 0 && o->revoke)
		rc = acs_flow_revoke(s, err);
	return rc;
}

/* crash-on-malformed: a response lacking a required field makes this client crash. */
static void crash_if_asked(const struct mc_run *run)
{
	struct rlimit rl = {0, 0};

	if (!run->s->client.malformed || !ACS_SW_HAS(run->o->sw, ACS_SW_CRASH_ON_MALFORMED))
		return;
	/* no core file: the crash is the point, not its contents */
	(void)setrlimit(RLIMIT_CORE, &rl);
	signal(SIGABRT, SIG_DFL);
	abort();
}

/* One issuance (or renewal check) from start to clean-up; an ACS_EXIT_* code. */
static int attempt(const struct acs_mc_opts *o, struct mc_run *run)
{
	struct acs_err err;
	int rc = ACS_EXIT_INFRA;

	memset(run, 0, sizeof(*run));
	run->o = o;
	acs_err_clear(&err);
	if (start(run, &err) != 0) {
		say("%s", err.msg);
		goto out;
	}
	rc = ACS_EXIT_OK;
	if (run_flow(run, &err) != 0) {
		say("%s", err.msg);
		crash_if_asked(run);
		rc = ACS_EXIT_UNEXPECTED;
	}
out:
	if (o->verbose && run->s != NULL) {
		char *t = acs_transcript_render(run->s->transcript, 0);

		if (t != NULL)
			fputs(t, stderr);
		free(t);
	}
	if (run->s != NULL)
		acs_flow_deprovision(run->s);
	acs_acme_session_free(run->s);
	run->s = NULL;
	acs_responders_stop(run->resp);
	run->resp = NULL;
	return rc;
}

/* Whether a file exists (the daemon's certificate). */
static int exists(const char *path)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	fclose(f);
	return 1;
}

/*
 * How long the daemon sleeps after a renewal check that found nothing due:
 * until the time it chose in the window, else as Retry-After says (RFC 9773
 * section 4.3.2: under a minute counts as a minute, over a day as a day);
 * an hour without either.
 */
static double check_interval(const struct acs_flow_ari *p)
{
	double w = p->retry_after_ms >= 0 ? (double)p->retry_after_ms / 1000.0 : 3600.0;
	/* past the chosen second, so that the loop finds it due */
	double until = p->wake > 0 ? (double)p->wake - acs_clock_real() + 0.05 : -1;

	w = w < 60.0 ? 60.0 : w > 86400.0 ? 86400.0 : w;
	if (until >= 0 && until < w)
		w = until;
	return w < 0.5 ? 0.5 : w;
}

/*
 * --daemon: loop like a web server with ACME built in until a signal ends
 * it. A failed issuance is retried after 1 s, then 2, 4, ... up to 30 s
 * (daemon-retry-tight: after 0.1 s every time); once it holds a
 * certificate ($ACMESPEC_WORKDIR/mock-daemon/cert.pem) it checks the
 * certificate's renewalInfo on the interval Retry-After gives and renews
 * when the time it chose in the window comes (ari-renew-always: renews at
 * once).
 */
static int mock_daemon(struct acs_mc_opts *o)
{
	const char *wd = getenv("ACMESPEC_WORKDIR");
	char dir[4096], cert[4160], key[4160];
	double backoff = 1.0, wait;
	char replaces[ACS_ARI_CERTID_MAX];
	long long due = 0;
	struct mc_run run;

	(void)snprintf(dir, sizeof(dir), "%s/mock-daemon", wd != NULL && wd[0] != '\0' ? wd : ".");
	(void)snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	(void)snprintf(key, sizeof(key), "%s/account.pem", dir);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		say("cannot create %s: %s", dir, strerror(errno));
		return ACS_EXIT_INFRA;
	}
	o->cert_out = cert;
	if (o->account_key == NULL)
		o->account_key = key;
	for (;;) {
		int have = exists(cert), rc;

		o->renew_cert = have ? cert : NULL;
		/* the time chosen in the window came: renew, replacing the certificate */
		o->force_replaces =
		    have && due > 0 && (long long)time(NULL) >= due ? replaces : NULL;
		rc = attempt(o, &run);
		if (rc == ACS_EXIT_INFRA)
			return rc;
		due = 0;
		if (rc != ACS_EXIT_OK) {
			wait = ACS_SW_HAS(o->sw, ACS_SW_DAEMON_RETRY_TIGHT) ? 0.1 : backoff;
			say("daemon: attempt failed, next in %.1f s", wait);
			backoff = backoff * 2 > 30 ? 30 : backoff * 2;
		} else if (run.skipped) {
			wait = check_interval(&run.plan);
			due = run.plan.wake;
			(void)snprintf(replaces, sizeof(replaces), "%s", run.plan.replaces);
			say("daemon: renewal not due, next in %.1f s", wait);
			backoff = 1.0;
		} else {
			/* a new certificate: its renewalInfo is asked right away (section 4.3) */
			wait = 0.2;
			backoff = 1.0;
		}
		acs_sleep_s(wait);
	}
}

int acs_cmd_mock_client(const struct acs_cli *cli)
{
	struct acs_mc_opts o;
	struct mc_run run;
	int rc, prc;

	acs_mc_opts_init(&o);
	prc = acs_mc_opts_from_cli(&o, cli);
	if (prc == 0)
		prc = env_defaults(&o);
	if (prc != 0) {
		acs_mc_opts_free(&o);
		return ACS_EXIT_USAGE;
	}
	signal(SIGPIPE, SIG_IGN);
	if (acs_http_global_init() != 0) {
		say("cannot initialise libcurl");
		acs_mc_opts_free(&o);
		return ACS_EXIT_INFRA;
	}
	rc = o.daemon ? mock_daemon(&o) : attempt(&o, &run);
	acs_mc_opts_free(&o);
	acs_http_global_cleanup();
	return rc;
}
