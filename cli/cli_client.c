/*
 * acmespec client (cli/cli_client.h): the front end of the client judge.
 *
 * One mock CA serves every scenario of the run under its own prefix. The
 * harness owns the port the CA validates http-01 against (the front,
 * cli/client_front.h) and the socket `acmespec dns-hook` talks to
 * (cli/client_dns.h); both route by name to the running scenario
 * (cli/client_routes.h). Per scenario this file makes the names, the work
 * directory and the environment, runs the client's command
 * (harness/proc.h) and hands what happened to the judge
 * (mockserver/scenario.h); then it judges the mock CA's request checks
 * over every scenario and prints through the reports.
 */
/* nftw */
#define _GNU_SOURCE
#include "cli/cli_client.h"
#include "cli/cli_common.h"

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/client_checks.h"
#include "cli/client_dns.h"
#include "cli/client_front.h"
#include "cli/client_routes.h"
#include "cli/client_stored.h"
#include "cli/recipes.h"
#include "harness/buf.h"
#include "harness/buf_cap.h"
#include "harness/cancel.h"
#include "harness/catalog.h"
#include "harness/clock.h"
#include "harness/err.h"
#include "harness/expect.h"
#include "harness/ports.h"
#include "harness/proc.h"
#include "harness/runner.h"
#include "harness/verdict.h"
#include "mockclient/responders.h"
#include "mockserver/mockca.h"
#include "mockserver/scenario.h"
#include "reports/report.h"

extern char **environ;

/* every snprintf here cuts on purpose: paths and messages are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define MAX_NAMES      ACS_SCENARIO_MAX_NAMES
#define LOGFILE_TAIL   (16 * 1024) /* tail of each recipe log file */
#define TRANSCRIPT_CAP (48 * 1024)
#define OUTPUT_CAP     (ACS_PROC_HEAD + ACS_PROC_TAIL + 4 * LOGFILE_TAIL + 4096)
#define MAX_SUBST      32

/* ------------------------------------------------------------------ */
/* small helpers */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

static void rm_tree(const char *path)
{
	if (path != NULL && path[0] != '\0')
		(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t i;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (i = 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		tmp[i] = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* Append the tail of a recipe's log file to the evidence. */
static void add_logfile(struct acs_buf *out, const char *workdir, const char *rel)
{
	char path[PATH_MAX + 128];
	struct stat st;
	FILE *fp = NULL;
	char *data = NULL;
	size_t n;
	long off;

	(void)snprintf(path, sizeof(path), "%s/%s", workdir, rel);
	if (stat(path, &st) != 0)
		return;
	fp = fopen(path, "rb");
	if (fp == NULL)
		return;
	off = st.st_size > LOGFILE_TAIL ? (long)(st.st_size - LOGFILE_TAIL) : 0;
	data = malloc(LOGFILE_TAIL);
	if (data != NULL && fseek(fp, off, SEEK_SET) == 0) {
		n = fread(data, 1, LOGFILE_TAIL, fp);
		acs_buf_putf_capped(out, "\n--- %s (%s%lld bytes) ---\n", rel,
		                    off > 0 ? "last of " : "", (long long)st.st_size);
		acs_buf_put_capped(out, data, n);
	}
	free(data);
	fclose(fp);
}

/* A growing NULL-terminated vector of new strings (the environment, argv). */
struct strv {
	char **v;
	size_t n, cap;
};

/* Append s (a new string, taken over; NULL or a failure: -1, s freed). */
static int strv_put(struct strv *sv, char *s)
{
	if (s == NULL)
		return -1;
	if (sv->n + 2 > sv->cap) {
		size_t nc = sv->cap ? sv->cap * 2 : 64;
		char **ne = realloc(sv->v, nc * sizeof(*ne));

		if (ne == NULL) {
			free(s);
			return -1;
		}
		sv->v = ne;
		sv->cap = nc;
	}
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
	return 0;
}

/* Append "K=V". */
static int env_add(struct strv *sv, const char *k, const char *v)
{
	size_t len = strlen(k) + strlen(v) + 2;
	char *s = malloc(len);

	if (s != NULL)
		(void)snprintf(s, len, "%s=%s", k, v);
	return strv_put(sv, s);
}

static void strv_free(struct strv *sv)
{
	size_t i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? strdup(s) : NULL;
}

/* ------------------------------------------------------------------ */
/* the run: shared infrastructure */

/* What a finished scenario leaves for the request checks. */
struct scen_out {
	int ran;
	json_t *log; /* the request log (owned) */
};

struct client_run {
	const struct acs_cli *cli;
	const struct acs_recipe *recipe;
	int keep_workdir;
	int daemon;  /* --daemon or a daemon recipe */
	char **argv; /* the generic command (borrowed), or NULL with a recipe */
	int argc;
	struct acs_mockca *ca;
	struct acs_responders *resp;
	struct acs_routes routes;
	int routes_on;
	struct acs_front *front;
	struct acs_dnsctl *dns;
	int tlsalpn01_port;
	char dns_server[64];
	char basedir[PATH_MAX];
	char dns_sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char dns_hook[PATH_MAX + 16];
	pthread_mutex_t lock;   /* outs, counter */
	pthread_mutex_t serial; /* scenarios sharing a fixed port run one at a time */
	const struct acs_catalog *cat;
	struct scen_out *outs; /* one per catalog case */
	unsigned counter;
	struct acs_console con;
	const struct acs_filter *shown; /* the verdicts the options asked for */
};

/* One scenario while it runs. */
struct scen {
	struct acs_scenario s;
	char scn[80]; /* the mock CA scenario name */
	char workdir[PATH_MAX], webroot[PATH_MAX + 16], acme_dir[PATH_MAX + 64];
	char *dir_url;
	struct acs_route *rt;
	char ordered[MAX_NAMES][128]; /* as ordered: *.NAME for a wildcard */
	const char *ordered_p[MAX_NAMES];
	char domains_c[MAX_NAMES * 130], domains_s[MAX_NAMES * 130], wild[140];
	char eab_kid[64], eab_hmac[64];
	char http_port[16], alpn_port[16], runbuf[8], renewbuf[8];
	char cert_path[PATH_MAX + 32]; /* with "renew": {cert_path}, else "" */
	struct strv env;
	struct acs_subst subst[MAX_SUBST];
	size_t nsubst;
	struct acs_proc_capture *cap;
	struct acs_proc *daemon; /* a daemon still running while it is judged */
	struct acs_proc_result pr;
	int unsupported;
	int stored;            /* daemon: an issued certificate is under the work directory */
	char ended[128];       /* daemon: why the scenario ended */
	size_t stopped_over;   /* stopped past ACS_SCENARIO_MAX_REQUESTS requests: how many */
	struct client_run *cr; /* for over_bound() */
	char spare_port[16];   /* {spare_port}: one more free port for the client */
	struct acs_buf out;    /* the client's output, every run, and the recipe's log */
	json_t *log, *issued;
};

/* ------------------------------------------------------------------ */
/* one scenario, step by step */

/* Parse and check the recipe can play it. 0, or -1 with r's verdict and message set. */
static int scen_parse(struct client_run *cr, const struct acs_case *c, struct scen *sc,
                      struct acs_result *r)
{
	struct acs_err err = {0};

	if (acs_scenario_parse(c, &sc->s, &err) != 0) {
		set_str(&r->message, err.msg);
		return -1;
	}
	if (cr->recipe != NULL && !acs_recipe_can(cr->recipe, sc->s.challenge)) {
		char m[256];

		(void)snprintf(m, sizeof(m), "the %s recipe cannot answer %s challenges",
		               cr->recipe->name, sc->s.challenge);
		r->raw = ACS_UNSUPPORTED;
		set_str(&r->message, m);
		return -1;
	}
	if (!cr->daemon && sc->s.daemon) {
		r->raw = ACS_UNSUPPORTED;
		set_str(&r->message, "a timing scenario for long-running clients: run the client "
		                     "as a daemon (--daemon or a daemon recipe)");
		return -1;
	}
	if (cr->daemon && sc->s.runs > 1) {
		r->raw = ACS_UNSUPPORTED;
		set_str(&r->message, "a daemon keeps its certificate and account between starts: "
		                     "this scenario needs the command run more than once");
		return -1;
	}
	return 0;
}

/* Set the scenario up in the mock CA under a fresh name. 0, or -1 with r's message set. */
static int scen_add(struct client_run *cr, const struct acs_case *c, struct scen *sc,
                    struct acs_result *r)
{
	const char *slug = strrchr(c->id, '.');
	struct acs_err err = {0};
	unsigned num;

	pthread_mutex_lock(&cr->lock);
	num = ++cr->counter;
	pthread_mutex_unlock(&cr->lock);
	(void)snprintf(sc->scn, sizeof(sc->scn), "c%u-%.40s", num,
	               slug != NULL ? slug + 1 : "case");
	if (acs_scenario_setup(cr->ca, sc->scn, c, &sc->s, sc->eab_kid, sc->eab_hmac, &err) != 0) {
		set_str(&r->message, err.msg);
		return -1;
	}
	return 0;
}

/* The work directory, webroot and route. 0, or -1 with r's message set. */
static int scen_workdir(struct client_run *cr, struct scen *sc, struct acs_result *r)
{
	sc->dir_url = acs_mockca_directory_url(cr->ca, sc->scn);
	sc->rt = calloc(1, sizeof(*sc->rt));
	sc->cap = calloc(1, sizeof(*sc->cap));
	if (sc->dir_url == NULL || sc->rt == NULL || sc->cap == NULL) {
		set_str(&r->message, "out of memory");
		return -1;
	}
	(void)snprintf(sc->workdir, sizeof(sc->workdir), "%s/%s", cr->basedir, sc->scn);
	(void)snprintf(sc->webroot, sizeof(sc->webroot), "%s/webroot", sc->workdir);
	(void)snprintf(sc->acme_dir, sizeof(sc->acme_dir), "%s/.well-known/acme-challenge",
	               sc->webroot);
	if (mkdir_p(sc->acme_dir) != 0) {
		char m[PATH_MAX + 64];

		(void)snprintf(m, sizeof(m), "cannot create %s: %s", sc->acme_dir,
		               acs_errno_text(errno));
		set_str(&r->message, m);
		return -1;
	}
	return 0;
}

/*
 * Does the scenario's CA play subdomain-auth (RFC 9444)? Its names are
 * then www.<label>.acmespec.test, so that their parents belong to the
 * scenario alone (a client may answer for them, client_routes.c).
 */
static int scen_subdomains(const struct acs_scenario *s)
{
	size_t i;
	json_t *v;

	json_array_foreach(s->misbehave, i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), "subdomain-auth") == 0)
			return 1;
	}
	return 0;
}

/* Fresh names under acmespec.test, routed to this scenario from now on. */
static void scen_names(struct client_run *cr, struct scen *sc)
{
	struct acs_route *rt = sc->rt;
	size_t l;
	int k;

	for (k = 0; k < sc->s.names; k++) {
		char lab[16];

		acs_scenario_rand_label(lab, sizeof(lab));
		(void)snprintf(rt->names[k], sizeof(rt->names[k]), "%s%s%s%.0d.acmespec.test",
		               scen_subdomains(&sc->s) ? "www." : "", lab, k > 0 ? "-" : "",
		               k > 0 ? k + 1 : 0);
		/* routes keep the base name; the client orders *.NAME for a wildcard */
		(void)snprintf(sc->ordered[k], sizeof(sc->ordered[k]), "%s%s",
		               k == 0 && sc->s.wildcard ? "*." : "", rt->names[k]);
		sc->ordered_p[k] = sc->ordered[k];
		l = strlen(sc->domains_c);
		(void)snprintf(sc->domains_c + l, sizeof(sc->domains_c) - l, "%s%s", k ? "," : "",
		               sc->ordered[k]);
		l = strlen(sc->domains_s);
		(void)snprintf(sc->domains_s + l, sizeof(sc->domains_s) - l, "%s%s", k ? " " : "",
		               sc->ordered[k]);
	}
	rt->nnames = sc->s.names;
	if (sc->s.wildcard)
		(void)snprintf(sc->wild, sizeof(sc->wild), "%s", sc->ordered[0]);
	(void)snprintf(rt->webroot, sizeof(rt->webroot), "%s", sc->webroot);
	rt->http01_port =
	    cr->cli->http01_port != ACS_CLI_PORT_UNSET ? cr->cli->http01_port : acs_port_reserve();
	acs_routes_add(&cr->routes, rt);
	(void)snprintf(sc->http_port, sizeof(sc->http_port), "%d", rt->http01_port);
	(void)snprintf(sc->alpn_port, sizeof(sc->alpn_port), "%d", cr->tlsalpn01_port);
	(void)snprintf(sc->spare_port, sizeof(sc->spare_port), "%d", acs_port_reserve());
}

/*
 * The placeholders and the environment (the harness's own, without any
 * ACMESPEC_ variable, then the scenario's). 0, or -1 on ENOMEM.
 */
static int scen_env(struct client_run *cr, const struct acs_case *c, struct scen *sc)
{
	static const char *const dkeys[MAX_NAMES] = {"domain", "domain2", "domain3", "domain4"};
	static const char *const denv[MAX_NAMES] = {"ACMESPEC_DOMAIN", "ACMESPEC_DOMAIN2",
	                                            "ACMESPEC_DOMAIN3", "ACMESPEC_DOMAIN4"};
	const struct acs_scenario *s = &sc->s;
	const struct {
		const char *key, *env, *val;
	} vars[] = {
	    {"directory", "ACMESPEC_DIRECTORY", sc->dir_url},
	    {"ca_bundle", "ACMESPEC_CA_BUNDLE", acs_mockca_bundle_path(cr->ca)},
	    {"domains", NULL, sc->domains_c},
	    {NULL, "ACMESPEC_DOMAINS", sc->domains_s},
	    {"challenge", "ACMESPEC_CHALLENGE", s->challenge},
	    {"http01_port", "ACMESPEC_HTTP01_PORT", sc->http_port},
	    {"tlsalpn01_port", "ACMESPEC_TLSALPN01_PORT", sc->alpn_port},
	    {"spare_port", "ACMESPEC_SPARE_PORT", sc->spare_port},
	    {"webroot", "ACMESPEC_WEBROOT", sc->webroot},
	    {"acme_dir", "ACMESPEC_ACME_DIR", sc->acme_dir},
	    {"dns_hook", "ACMESPEC_DNS_HOOK", cr->dns_hook},
	    {NULL, "ACMESPEC_DNS_SOCKET", cr->dns_sock},
	    {NULL, "ACMESPEC_DNS_SERVER", cr->dns_server},
	    {"case", "ACMESPEC_CASE", c->id},
	    {"workdir", "ACMESPEC_WORKDIR", sc->workdir},
	    {"run", "ACMESPEC_RUN", sc->runbuf},
	    /* scenario features: the environment only has them when they are on */
	    {"contact", "ACMESPEC_CONTACT", "mailto:acmespec@acmespec.test"},
	    {"eab_kid", s->eab ? "ACMESPEC_EAB_KID" : NULL, sc->eab_kid},
	    {"eab_hmac", s->eab ? "ACMESPEC_EAB_HMAC" : NULL, sc->eab_hmac},
	    {"key_change", "ACMESPEC_KEY_CHANGE", s->key_change ? "1" : "0"},
	    {"revoke", "ACMESPEC_REVOKE", s->revoke ? "1" : "0"},
	    {"wildcard", s->wildcard ? "ACMESPEC_WILDCARD" : NULL, sc->wild},
	    {"cert_path", s->renew ? "ACMESPEC_CERT_PATH" : NULL, sc->cert_path},
	    {"renew", s->renew ? "ACMESPEC_RENEW" : NULL, sc->renewbuf},
	    /* profiles: the certificate profile the client is configured for */
	    {"profile", s->profile != NULL ? "ACMESPEC_PROFILE" : NULL,
	     s->profile != NULL ? s->profile : ""},
	    /* a timing scenario for daemons: check and renew on short intervals */
	    {"timing", s->daemon ? "ACMESPEC_TIMING" : NULL, s->daemon ? "1" : "0"},
	    /* 7.4.2: the common name of the root whose chain the client is to prefer */
	    {"preferred_chain", s->preferred_chain != NULL ? "ACMESPEC_PREFERRED_CHAIN" : NULL,
	     s->preferred_chain != NULL ? s->preferred_chain : ""},
	};
	size_t i;
	int k;

	(void)snprintf(sc->runbuf, sizeof(sc->runbuf), "1");
	(void)snprintf(sc->renewbuf, sizeof(sc->renewbuf), "0");
	if (s->renew)
		(void)snprintf(sc->cert_path, sizeof(sc->cert_path), "%s/acmespec-cert.pem",
		               sc->workdir);
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "ACMESPEC_", 9) != 0)
			(void)strv_put(&sc->env, strdup(environ[i]));
	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (vars[i].key != NULL)
			sc->subst[sc->nsubst++] = (struct acs_subst){vars[i].key, vars[i].val};
		if (vars[i].env != NULL && env_add(&sc->env, vars[i].env, vars[i].val) != 0)
			return -1;
	}
	for (k = 0; k < s->names; k++) {
		sc->subst[sc->nsubst++] = (struct acs_subst){dkeys[k], sc->rt->names[k]};
		if (env_add(&sc->env, denv[k], sc->rt->names[k]) != 0)
			return -1;
	}
	return 0;
}

/* The command of one run: the recipe's script, or the command with placeholders filled. */
static int scen_argv(struct client_run *cr, struct scen *sc, struct strv *argv)
{
	char name[64];
	int a;

	strv_free(argv);
	if (cr->recipe == NULL) {
		for (a = 0; a < cr->argc; a++)
			if (strv_put(argv, acs_scenario_interpolate(cr->argv[a], sc->subst,
			                                            sc->nsubst)) != 0)
				return -1;
		return argv->v == NULL && cr->argc > 0 ? -1 : 0;
	}
	(void)snprintf(name, sizeof(name), "acmespec-%s", cr->recipe->name);
	if (strv_put(argv, strdup("/bin/sh")) != 0 || strv_put(argv, strdup("-c")) != 0 ||
	    strv_put(argv, strdup(cr->recipe->script)) != 0 || strv_put(argv, strdup(name)) != 0)
		return -1;
	return 0;
}

/*
 * "renew": before a renewal run, {cert_path} holds the newest certificate the
 * CA issued in the scenario (a client keeping its own copy may ignore it).
 * Nothing issued yet: no file.
 */
static void write_cert_path(struct client_run *cr, struct scen *sc)
{
	json_t *issued = acs_mockca_issued(cr->ca, sc->scn);
	size_t n = json_array_size(issued);
	const char *pem = n > 0 ? json_string_value(json_array_get(issued, n - 1)) : NULL;
	FILE *f;

	(void)unlink(sc->cert_path);
	if (pem != NULL) {
		f = fopen(sc->cert_path, "w");
		if (f != NULL) {
			(void)fputs(pem, f);
			(void)fclose(f);
		}
	}
	json_decref(issued);
}

/* How many certificates the request log of the scenario shows downloaded. */
static size_t daemon_served(struct client_run *cr, struct scen *sc)
{
	json_t *log = acs_mockca_log(cr->ca, sc->scn);
	size_t served = acs_scenario_certs_served(log);

	json_decref(log);
	return served;
}

static int daemon_stored(struct client_run *cr, struct scen *sc)
{
	json_t *issued = acs_mockca_issued(cr->ca, sc->scn);
	int stored = acs_client_stored(sc->workdir, issued);

	json_decref(issued);
	return stored;
}

/* Why the scenario ended, into sc->ended. */
static void daemon_ended(struct scen *sc, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void daemon_ended(struct scen *sc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(sc->ended, sizeof(sc->ended), fmt, ap);
	va_end(ap);
}

/*
 * The seconds COMMAND gets in this scenario: the bound the scenario states
 * (a hostile server: the client must end by itself within it), else
 * --timeout raised to its min_timeout (slow on purpose).
 */
static double scen_timeout(const struct client_run *cr, const struct scen *sc)
{
	if (sc->s.bound > 0)
		return (double)sc->s.bound;
	if (sc->s.min_timeout > 0 && cr->cli->timeout < (double)sc->s.min_timeout)
		return (double)sc->s.min_timeout;
	return cr->cli->timeout;
}

/*
 * The Retry-After (seconds) the mock CA gave on the scenario's last
 * request, or 0. A daemon told to come back in N s is not quiet before N s
 * have passed: order-processing-30s answers finalize with Retry-After: 10,
 * authz-retry-after-date polls with an HTTP date 10 s ahead.
 */
static double daemon_told_wait(struct client_run *cr, struct scen *sc)
{
	json_t *log = NULL, *issued = NULL;
	double ra = 0;
	size_t i;

	if (acs_scenario_collect(cr->ca, sc->scn, &log, &issued, NULL) != 0)
		return 0;
	for (i = json_array_size(log); i-- > 0;) {
		const json_t *e = json_array_get(log, i);
		const char *m = json_string_value(json_object_get(e, "method"));

		if (m != NULL && strcmp(m, "VALIDATE") == 0)
			continue;
		ra = json_number_value(json_object_get(e, "retry_after"));
		break;
	}
	json_decref(log);
	json_decref(issued);
	return ra > 0 ? ra : 0;
}

/*
 * Watch a running daemon until the scenario ends: the scenario's
 * "certificates"-th certificate was served (and stored, or the quiet time
 * passed), then "linger" seconds more; no request for the quiet time (5 s,
 * or the scenario's "quiet", after the Retry-After of the last answer)
 * before that; the daemon exited; the timeout (or the scenario's
 * min_timeout); a cancel.
 */
static void daemon_watch(struct client_run *cr, struct scen *sc, struct acs_proc *p)
{
	double t0 = acs_clock_mono(), last = t0, served_at = 0, done_at = 0, now;
	double quiet = sc->s.quiet > 0 ? (double)sc->s.quiet : ACS_DAEMON_QUIET_S;
	double limit = scen_timeout(cr, sc);
	size_t n, seen = 0, want = sc->s.certificates > 0 ? (size_t)sc->s.certificates : 1;

	for (;;) {
		int exited = acs_proc_poll(p, 0.25);

		now = acs_clock_mono();
		n = acs_mockca_request_count(cr->ca, sc->scn);
		if (n != seen) {
			seen = n;
			last = now;
			if (served_at == 0 && daemon_served(cr, sc) >= want)
				served_at = now;
		}
		sc->pr.seconds = now - t0;
		if (exited) {
			daemon_ended(sc, "the client exited by itself");
			break;
		}
		if (acs_cancel_signal() != 0) {
			sc->pr.interrupted = 1;
			break;
		}
		if (served_at > 0 && done_at == 0 &&
		    (now - served_at >= quiet || daemon_stored(cr, sc)))
			done_at = now;
		if (done_at > 0 && now - done_at >= sc->s.linger) {
			if (sc->s.linger > 0)
				daemon_ended(sc,
				             "%zu certificate%s served; watched %d s more, stopped "
				             "%.1f s after the last",
				             want, want == 1 ? "" : "s", sc->s.linger,
				             now - served_at);
			else
				daemon_ended(sc, "the certificate was served; stopped %.1f s later",
				             now - served_at);
			break;
		}
		/* quiet, after the Retry-After the CA gave (the timeout still holds) */
		if (seen > 0 && served_at == 0 && now - last >= quiet &&
		    now - last >= daemon_told_wait(cr, sc) + quiet) {
			daemon_ended(
			    sc, "no request for %.0f s after %zu, %zu of %zu certificate%s served",
			    now - last, seen, daemon_served(cr, sc), want, want == 1 ? "" : "s");
			break;
		}
		if (sc->s.watch > 0 && now - t0 >= sc->s.watch && now - t0 < limit) {
			daemon_ended(sc, "watched for %d s as the scenario says, %zu requests",
			             sc->s.watch, seen);
			break;
		}
		if (now - t0 >= limit) {
			sc->pr.timed_out = served_at == 0;
			daemon_ended(sc, "still running at the %.0f s timeout, %zu requests", limit,
			             seen);
			break;
		}
	}
}

static void daemon_render(struct client_run *cr, struct scen *sc)
{
	acs_proc_capture_render(sc->cap, &sc->out);
	if (cr->recipe != NULL && cr->recipe->logfile != NULL)
		add_logfile(&sc->out, sc->workdir, cr->recipe->logfile);
}

/*
 * Stop a daemon (its group and every descendant) after the judge looked
 * at it; the rest of its output after what the judge saw.
 */
static void daemon_stop(struct client_run *cr, struct scen *sc)
{
	int interrupted = sc->pr.interrupted, timed_out = sc->pr.timed_out;

	if (sc->daemon == NULL)
		return;
	acs_proc_stop(sc->daemon);
	sc->daemon = NULL;
	sc->pr.interrupted = interrupted;
	sc->pr.timed_out = timed_out;
	/* the evidence: everything it wrote until it stopped */
	acs_buf_free(&sc->out);
	acs_buf_init(&sc->out, OUTPUT_CAP);
	daemon_render(cr, sc);
}

/*
 * A daemon: started once and watched until the scenario ends; it is still
 * running when it is judged (what it serves after the validation counts)
 * and stopped right after (daemon_stop). Judged on what it stored.
 */
static int scen_daemon(struct client_run *cr, struct scen *sc)
{
	struct strv argv = {0};
	struct acs_proc *p = NULL;

	if (sc->s.runs > 1) {
		sc->unsupported = 1;
		return 0;
	}
	if (sc->s.one_shot) {
		/* issue 11: a held request a daemon gave up is not seen, and it never exits */
		acs_buf_putf_capped(&sc->out,
		                    "acmespec-unsupported: a one-shot scenario (it judges when the "
		                    "client ends by itself); a daemon never does, and whether it "
		                    "gave up a held request is not observable\n");
		sc->pr.started = 1; /* not started, not broken either: judged UNSUPPORTED */
		sc->unsupported = 1;
		return 0;
	}
	if (scen_argv(cr, sc, &argv) != 0)
		return -1;
	acs_proc_start(&p, argv.v, sc->env.v, sc->workdir, sc->cap, &sc->pr);
	strv_free(&argv);
	if (p == NULL)
		return 0;
	if (sc->pr.started)
		daemon_watch(cr, sc, p);
	sc->daemon = p;
	if (sc->pr.interrupted || !sc->pr.started || (acs_proc_poll(p, 0) && !sc->pr.timed_out))
		daemon_stop(cr, sc); /* exited by itself (127?) or nothing to judge */
	if (sc->pr.exited && sc->pr.status == 127)
		sc->unsupported = 1;
	sc->stored = daemon_stored(cr, sc);
	if (sc->daemon != NULL) /* else daemon_stop rendered it */
		daemon_render(cr, sc);
	return 0;
}

/*
 * acs_proc_run_until's question in a scenario asserting requests-bounded:
 * more than ACS_SCENARIO_MAX_REQUESTS requests already, so the predicate
 * fails whatever the client does next.
 */
static int over_bound(void *arg)
{
	struct scen *sc = arg;
	size_t n = acs_mockca_request_count(sc->cr->ca, sc->scn);

	if (n <= ACS_SCENARIO_MAX_REQUESTS)
		return 0;
	sc->stopped_over = n;
	return 1;
}

/*
 * One run of COMMAND. In a scenario that asserts requests-bounded a client
 * past the bound is stopped at once instead of at the scenario's bound
 * (a hostile server's retry loop: 30 to 60 s otherwise).
 */
static void scen_exec(struct client_run *cr, struct scen *sc, char *const argv[])
{
	int watch = 0;
	size_t i;

	for (i = 0; i < json_array_size(sc->s.asserts); i++) {
		const char *a = json_string_value(json_array_get(sc->s.asserts, i));

		watch |= a != NULL && strcmp(a, "requests-bounded") == 0;
	}
	sc->cr = cr;
	sc->stopped_over = 0;
	if (!watch) {
		acs_proc_run(argv, sc->env.v, sc->workdir, scen_timeout(cr, sc), sc->cap, &sc->pr);
		return;
	}
	acs_proc_run_until(argv, sc->env.v, sc->workdir, scen_timeout(cr, sc), over_bound, sc,
	                   sc->cap, &sc->pr);
	if (!sc->pr.stopped)
		sc->stopped_over = 0;
}

/* Run the command "runs" times (stopping at a failure to start, 127 or a timeout). */
static int scen_runs(struct client_run *cr, struct scen *sc)
{
	struct strv argv = {0};
	size_t i;
	int run, rc = 0;

	if (cr->daemon)
		return scen_daemon(cr, sc);
	for (run = 1; run <= sc->s.runs; run++) {
		(void)snprintf(sc->runbuf, sizeof(sc->runbuf), "%d", run);
		(void)snprintf(sc->renewbuf, sizeof(sc->renewbuf), "%d", sc->s.renew && run > 1);
		for (i = 0; sc->env.v[i] != NULL; i++) {
			if (strncmp(sc->env.v[i], "ACMESPEC_RUN=", 13) == 0)
				(void)snprintf(sc->env.v[i] + 13, 2, "%d", run);
			if (strncmp(sc->env.v[i], "ACMESPEC_RENEW=", 15) == 0)
				(void)snprintf(sc->env.v[i] + 15, 2, "%s", sc->renewbuf);
		}
		if (sc->s.renew && run > 1)
			write_cert_path(cr, sc);
		if (scen_argv(cr, sc, &argv) != 0) {
			rc = -1;
			break;
		}
		/* a scenario that takes long on purpose (issue 7: 30 s processing) gets its time */
		scen_exec(cr, sc, argv.v);
		if (!sc->pr.started)
			break;
		if (sc->s.runs > 1) {
			acs_proc_capture_render(sc->cap, &sc->out);
			acs_buf_putf_capped(&sc->out, "\n--- run %d: %s %d after %.1f s ---\n", run,
			                    sc->pr.timed_out ? "killed at the timeout," : "exit",
			                    sc->pr.status, sc->pr.seconds);
			memset(sc->cap, 0, sizeof(*sc->cap));
		}
		if (sc->pr.exited && sc->pr.status == 127)
			sc->unsupported = 1;
		if (sc->unsupported || sc->pr.timed_out)
			break;
	}
	strv_free(&argv);
	if (rc != 0)
		return rc;
	if (sc->s.runs == 1)
		acs_proc_capture_render(sc->cap, &sc->out);
	if (cr->recipe != NULL && cr->recipe->logfile != NULL)
		add_logfile(&sc->out, sc->workdir, cr->recipe->logfile);
	return 0;
}

/* Collect what the mock CA saw and hand everything to the judge. */
static void scen_judge(struct client_run *cr, const struct acs_case *c, struct scen *sc,
                       struct acs_result *r)
{
	struct acs_client_outcome o = {0};
	struct acs_scenario_facts f = {0};
	struct acs_scenario_txt *txt = NULL;
	size_t ntxt = 0;
	json_t *chains = NULL;

	(void)acs_scenario_collect(cr->ca, sc->scn, &sc->log, &sc->issued, NULL);
	if (acs_routes_txt_facts(&cr->routes, sc->rt, &txt, &ntxt) != 0) {
		set_str(&r->message, "out of memory");
		return;
	}
	o.started = sc->pr.started;
	o.start_error = sc->pr.msg;
	o.unsupported = sc->unsupported;
	o.exited = sc->pr.exited;
	o.status = sc->pr.status;
	o.timed_out = sc->pr.timed_out;
	o.stopped_over = sc->stopped_over;
	o.seconds = sc->pr.seconds;
	o.timeout = scen_timeout(cr, sc);
	o.output = sc->out.data;
	o.daemon = cr->daemon;
	o.stored = sc->stored;
	o.ended = sc->ended;
	f.log = sc->log;
	f.issued = sc->issued;
	f.names = sc->ordered_p;
	f.nnames = (size_t)sc->rt->nnames;
	f.txt = txt;
	f.ntxt = ntxt;
	f.http01_served = acs_front_serves;
	f.http01_ctx = cr->front;
	f.subst = sc->subst;
	f.nsubst = sc->nsubst;
	if (sc->s.preferred_chain != NULL)
		f.stored_chains = chains = acs_client_stored_chains(sc->workdir, sc->issued);
	acs_scenario_judge(c, &sc->s, &o, &f, r);
	json_decref(chains);
	free(txt);
}

/*
 * After the judge: the transcript and output into r, the log kept for the
 * request checks, the scenario and (unless kept) its work directory gone.
 */
static void scen_finish(struct client_run *cr, const struct acs_case *c, struct scen *sc,
                        struct acs_result *r)
{
	size_t idx = (size_t)(c - cr->cat->cases);
	struct acs_buf tr, head;

	acs_routes_remove(&cr->routes, sc->rt);
	acs_buf_init(&tr, TRANSCRIPT_CAP);
	acs_buf_init(&head, TRANSCRIPT_CAP + 512);
	acs_scenario_render_log(&tr, sc->log);
	acs_buf_putf_capped(&head, "scenario %s, directory %s, names %s, challenge %s\n", sc->scn,
	                    sc->dir_url ? sc->dir_url : "?", sc->domains_c, sc->s.challenge);
	if (tr.data != NULL)
		acs_buf_put_capped(&head, tr.data, tr.len);
	set_str(&r->transcript, head.data);
	acs_buf_free(&tr);
	acs_buf_free(&head);
	if (sc->out.data != NULL)
		set_str(&r->client_output, sc->out.data);
	pthread_mutex_lock(&cr->lock);
	cr->outs[idx].ran = 1;
	cr->outs[idx].log = sc->log;
	sc->log = NULL;
	pthread_mutex_unlock(&cr->lock);
	(void)acs_mockca_scenario_remove(cr->ca, sc->scn, NULL);
	if (!cr->keep_workdir)
		rm_tree(sc->workdir);
}

/* The acs_case_fn of the runner: one scenario, judged. */
static void scenario_run(void *ctx, const struct acs_case *c, struct acs_result *r)
{
	struct client_run *cr = ctx;
	struct scen *sc = calloc(1, sizeof(*sc));
	int serial = 0;

	r->raw = ACS_ERROR;
	if (sc == NULL) {
		set_str(&r->message, "out of memory");
		return;
	}
	acs_buf_init(&sc->out, OUTPUT_CAP);
	if (scen_parse(cr, c, sc, r) != 0)
		goto out;
	/* scenarios that share one fixed port take turns */
	serial = strcmp(sc->s.challenge, "tls-alpn-01") == 0 ||
	         cr->cli->http01_port != ACS_CLI_PORT_UNSET;
	if (serial)
		pthread_mutex_lock(&cr->serial);
	if (scen_add(cr, c, sc, r) != 0 || scen_workdir(cr, sc, r) != 0)
		goto out;
	scen_names(cr, sc);
	if (scen_env(cr, c, sc) != 0 || scen_runs(cr, sc) != 0) {
		set_str(&r->message, "out of memory");
	} else if (sc->pr.interrupted) {
		r->raw = ACS_SKIPPED;
		set_str(&r->message, "not judged: the run was interrupted and the client stopped");
	} else {
		scen_judge(cr, c, sc, r);
	}
	daemon_stop(cr, sc);
	scen_finish(cr, c, sc, r);
out:
	if (serial)
		pthread_mutex_unlock(&cr->serial);
	acs_route_free(sc->rt);
	json_decref(sc->log);
	json_decref(sc->issued);
	free(sc->cap);
	free(sc->dir_url);
	strv_free(&sc->env);
	acs_buf_free(&sc->out);
	free(sc);
}

/* ------------------------------------------------------------------ */
/* the request checks as results */

/* Judge check cc over the logs of every scenario that ran. */
static void judge_check(struct client_run *cr, const struct acs_case *cc, struct acs_result *r,
                        const char *rerun_prefix, const char *rerun_suffix)
{
	struct acs_scenario_ran *ran = calloc(cr->cat->n + 1, sizeof(*ran));
	size_t i, n = 0;

	r->c = cc;
	if (ran == NULL) {
		r->raw = ACS_ERROR;
		set_str(&r->message, "out of memory");
		return;
	}
	for (i = 0; i < cr->cat->n; i++)
		if (cr->outs[i].ran && cr->outs[i].log != NULL)
			ran[n++] = (struct acs_scenario_ran){cr->cat->cases[i].id, cr->outs[i].log};
	acs_scenario_judge_check(cc, ran, n, rerun_prefix, rerun_suffix, r);
	free(ran);
}

/* ------------------------------------------------------------------ */
/* infrastructure: DNS responder, front, dns-hook socket, mock CA */

static int start_infra(struct client_run *cr, struct acs_err *err)
{
	struct acs_responders_opts ro = {0};
	struct acs_mockca_opts mo = {0};
	const char *tmp = getenv("TMPDIR");
	char self[PATH_MAX];
	ssize_t sl;
	int h, t, d;

	(void)snprintf(cr->basedir, sizeof(cr->basedir), "%s/acmespec-client-XXXXXX",
	               tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 60 ? tmp : "/tmp");
	if (mkdtemp(cr->basedir) == NULL)
		return acs_err_set(err, ACS_E_IO, "cannot create a work directory under %s: %s",
		                   tmp ? tmp : "/tmp", strerror(errno));
	ro.bind_addr = "127.0.0.1";
	ro.http01_port = -1;
	ro.tlsalpn01_port = -1;
	ro.dns_port = cr->cli->dns_port != ACS_CLI_PORT_UNSET ? cr->cli->dns_port : 0;
	ro.dns_a_answer = "127.0.0.1";
	if (acs_responders_start(&cr->resp, &ro, err) != 0)
		return acs_err_prefix(err, "cannot start the DNS responder");
	acs_responders_ports(cr->resp, &h, &t, &d);
	(void)snprintf(cr->dns_server, sizeof(cr->dns_server), "127.0.0.1:%d", d);
	acs_routes_init(&cr->routes, cr->resp);
	cr->routes_on = 1;
	(void)snprintf(cr->dns_sock, sizeof(cr->dns_sock), "%s/dns.sock", cr->basedir);
	if (acs_front_start(&cr->front, &cr->routes, err) != 0 ||
	    acs_dnsctl_start(&cr->dns, &cr->routes, cr->dns_sock, err) != 0)
		return err->code;
	cr->tlsalpn01_port = cr->cli->tlsalpn01_port != ACS_CLI_PORT_UNSET ? cr->cli->tlsalpn01_port
	                                                                   : acs_port_reserve();
	mo.bind_addr = "127.0.0.1";
	mo.http01_port = acs_front_port(cr->front);
	mo.tlsalpn01_port = cr->tlsalpn01_port;
	mo.dns_server = cr->dns_server;
	mo.validate_addr = "127.0.0.1";
	if (acs_mockca_start(&cr->ca, &mo, err) != 0)
		return acs_err_prefix(err, "cannot start the mock CA");
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return acs_err_set(err, ACS_E_IO,
		                   "cannot find the acmespec executable for {dns_hook}");
	self[sl] = '\0';
	(void)snprintf(cr->dns_hook, sizeof(cr->dns_hook), "%s dns-hook", self);
	return 0;
}

static void stop_infra(struct client_run *cr)
{
	acs_dnsctl_stop(cr->dns);
	acs_mockca_stop(cr->ca);
	acs_front_stop(cr->front);
	acs_responders_stop(cr->resp);
	if (cr->routes_on)
		acs_routes_destroy(&cr->routes);
	if (cr->basedir[0] != '\0') {
		if (cr->keep_workdir) {
			(void)unlink(cr->dns_sock);
			fprintf(cr->con.out != NULL ? cr->con.out : stdout,
			        "work directories kept in %s\n", cr->basedir);
		} else {
			rm_tree(cr->basedir);
		}
	}
}

/* ------------------------------------------------------------------ */
/* acmespec client */

/* Everything one invocation holds (freed by cmd_free). */
struct client_cmd {
	struct acs_catalog *cat;
	struct acs_catalog merged; /* scenarios and checks (cases borrowed) */
	struct acs_expectations *expect;
	struct acs_case *checks;
	size_t nck;
	struct acs_filter filter, runfilter;
	struct acs_result *results, *all;
	size_t n, nall;
	struct acs_buf prefix, suffix, target; /* rerun words and the target's name */
	struct acs_run_info info;
	char **runids; /* request checks only: the scenarios they need */
	size_t nrunids;
};

static int cmp_case_ptr(const void *a, const void *b)
{
	return strcmp(((const struct acs_case *)a)->id, ((const struct acs_case *)b)->id);
}

static void client_progress(void *ctx, const struct acs_result *r, size_t done, size_t total)
{
	struct client_run *cr = ctx;

	/* a scenario run only for the request checks is not a verdict asked for */
	if (cr->shown != NULL && !acs_case_matches(r->c, cr->shown))
		return;
	acs_console_case(&cr->con, r, done, total);
	fflush(cr->con.out);
}

/* The command to run: a recipe or the words after "--", not both. 0, or -1 (printed). */
static int pick_command(struct client_run *cr, const struct acs_cli *cli,
                        const struct acs_client_opts *o)
{
	if (o != NULL && o->recipe != NULL) {
		cr->recipe = acs_recipe_find(o->recipe);
		if (cr->recipe == NULL) {
			fprintf(stderr,
			        "acmespec: unknown client recipe \"%s\": expected certbot, "
			        "lego, uacme, dehydrated, acme-tiny, caddy or caddy-current\n",
			        o->recipe);
			return -1;
		}
		if (cli->client_argc > 0) {
			fprintf(stderr,
			        "acmespec: --client %s and a command after \"--\" exclude each "
			        "other\n",
			        o->recipe);
			return -1;
		}
	} else if (cli->client_argc <= 0) {
		fprintf(stderr, "acmespec: acmespec client needs --client NAME or a command after "
		                "\"--\"\n");
		return -1;
	}
	cr->argv = cli->client_argv;
	cr->argc = cli->client_argc;
	cr->daemon = (o != NULL && o->daemon) || (cr->recipe != NULL && cr->recipe->daemon);
	return 0;
}

/*
 * The scenarios (each parsed once to refuse a bad one up front), the
 * request checks, and the expectations over both. 0, or -1 (printed).
 */
static int load_cases(struct client_cmd *cc, const struct acs_cli *cli, const char *dir)
{
	struct acs_err err = {0};
	struct acs_scenario s;
	size_t i;

	if (acs_catalog_load(&cc->cat, dir, "client", &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	for (i = 0; i < cc->cat->n; i++) {
		if (acs_scenario_parse(&cc->cat->cases[i], &s, &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			return -1;
		}
	}
	if (acs_scenario_check_cases(&cc->checks, &cc->nck) != 0) {
		fprintf(stderr, "acmespec: out of memory\n");
		return -1;
	}
	for (i = 0; i < cc->nck; i++) {
		const struct acs_case *dup = acs_catalog_find(cc->cat, cc->checks[i].id);

		if (dup != NULL) {
			fprintf(stderr, "acmespec: %s: id %s is a request check's id\n", dup->file,
			        cc->checks[i].id);
			return -1;
		}
	}
	/* one catalog of scenarios and checks, for the expectations' name check */
	cc->merged.n = cc->cat->n + cc->nck;
	cc->merged.cases = calloc(cc->merged.n ? cc->merged.n : 1, sizeof(*cc->merged.cases));
	if (cc->merged.cases == NULL)
		return -1;
	if (cc->cat->n > 0)
		memcpy(cc->merged.cases, cc->cat->cases, cc->cat->n * sizeof(*cc->cat->cases));
	memcpy(cc->merged.cases + cc->cat->n, cc->checks, cc->nck * sizeof(*cc->checks));
	qsort(cc->merged.cases, cc->merged.n, sizeof(*cc->merged.cases), cmp_case_ptr);
	if (cli->expect_file != NULL &&
	    acs_expect_load(&cc->expect, cli->expect_file, &cc->merged, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/*
 * A filter naming only request checks: the runner runs the scenarios
 * cases/client-checks.json names for them, or every scenario when one of
 * them names none (said on standard error).
 */
static void check_run_filter(struct client_cmd *cc, const char *dir)
{
	struct acs_err err = {0};

	memset(&cc->runfilter, 0, sizeof(cc->runfilter));
	cc->runfilter.level = -1;
	if (acs_client_check_scenarios(dir, cc->checks, cc->nck, &cc->filter, cc->cat, &cc->runids,
	                               &cc->nrunids, &err) != 0) {
		fprintf(stderr, "acmespec: %s; running every scenario for the request checks\n",
		        err.msg);
		return;
	}
	cc->runfilter.globs = (const char *const *)cc->runids;
	cc->runfilter.nglobs = cc->nrunids;
}

/*
 * The filters: the options', and the one the runner uses (filters naming
 * only checks judge them over every scenario). 0, or -1 (printed).
 */
static int pick_filters(struct client_cmd *cc, const struct acs_cli *cli, const char *dir)
{
	size_t i, scen_match = 0, check_match = 0;

	acs_cli_fill_filter(cli, &cc->filter);
	for (i = 0; i < cc->cat->n; i++)
		scen_match += acs_case_matches(&cc->cat->cases[i], &cc->filter) != 0;
	for (i = 0; i < cc->nck; i++)
		check_match += acs_case_matches(&cc->checks[i], &cc->filter) != 0;
	if (scen_match == 0 && check_match == 0) {
		fprintf(stderr, "acmespec: no client case matches the filters\n");
		return -1;
	}
	cc->runfilter = cc->filter;
	if (scen_match == 0)
		check_run_filter(cc, dir);
	if (cc->cat->n == 0) {
		fprintf(stderr, "acmespec: no client scenario in %s/client\n", dir);
		return -1;
	}
	return 0;
}

/* The rerun command's words before and after the --case options, and the target's name. */
static void rerun_words(struct client_cmd *cc, const struct client_run *cr,
                        const struct acs_cli *cli, const char *argv0)
{
	size_t i;

	(void)acs_buf_puts(&cc->prefix, argv0);
	(void)acs_buf_puts(&cc->prefix, " client");
	if (cr->recipe != NULL)
		(void)acs_buf_printf(&cc->prefix, " --client %s", cr->recipe->name);
	if (cli->client_daemon)
		(void)acs_buf_puts(&cc->prefix, " --daemon");
	acs_cli_rerun_common(&cc->prefix, cli, 30);
	if (cr->recipe == NULL) {
		(void)acs_buf_puts(&cc->suffix, " --");
		for (i = 0; i < (size_t)cr->argc; i++) {
			acs_cli_shell_word(&cc->suffix, cr->argv[i]);
			acs_cli_shell_word(&cc->target, cr->argv[i]);
		}
	} else {
		(void)acs_buf_printf(&cc->target, " %s (recipe)", cr->recipe->name);
	}
	(void)acs_buf_puts(&cc->suffix, "");
}

/* Why the scenarios that run for request checks run; their verdicts are not shown. */
static void say_check_scenarios(const struct client_cmd *cc, const struct client_run *cr)
{
	size_t i;

	if (cc->nrunids == 0)
		return;
	fprintf(cr->con.out, "request checks only: running the scenario%s they are judged on:",
	        cc->nrunids == 1 ? "" : "s");
	for (i = 0; i < cc->nrunids; i++)
		fprintf(cr->con.out, "%s %s", i == 0 ? "" : ",", cc->runids[i]);
	fprintf(cr->con.out, " (%s verdict%s not shown)\n", cc->nrunids == 1 ? "its" : "their",
	        cc->nrunids == 1 ? "" : "s");
}

/* Run every selected scenario through the runner. 0, or -1 (printed). */
static int run_scenarios(struct client_cmd *cc, struct client_run *cr, const struct acs_cli *cli)
{
	struct acs_run_opts run = {0};
	struct acs_err err = {0};
	double t0;

	run.jobs = cli->jobs;
	run.filter = &cc->runfilter;
	run.expect = cc->expect;
	run.rerun_prefix = cc->prefix.data;
	run.run = scenario_run;
	run.run_ctx = cr;
	run.progress = client_progress;
	run.progress_ctx = cr;
	run.fail_fast = cli->fail_fast ? (cli->strict ? 2 : 1) : 0;
	cc->info.side = "client";
	cc->info.target = cc->target.data + 1;
	cc->info.profile = cli->profile ? cli->profile : "rfc8555";
	cc->info.expect_file = cli->expect_file;
	cc->info.strict = cli->strict;
	cc->info.jobs = cli->jobs;
	cc->info.started = time(NULL);
	t0 = acs_clock_mono();
	if (acs_run(cc->cat, &run, &cc->results, &cc->n, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		return -1;
	}
	cc->info.seconds = acs_clock_mono() - t0;
	return 0;
}

/*
 * A client that never reached the mock CA in any scenario (a missing
 * program behind a wrapper exits 127 everywhere, so every scenario was
 * UNSUPPORTED) cannot be judged: say so once, loudly, and make every
 * scenario an ERROR so that the summary, the reports and the exit code
 * (3) agree.
 */
static void flag_never_reached(struct client_cmd *cc, struct client_run *cr)
{
	size_t i, ran = 0, nreq = 0, n127 = 0;

	for (i = 0; i < cc->cat->n; i++) {
		ran += cr->outs[i].ran != 0;
		nreq += json_array_size(cr->outs[i].log);
	}
	if (ran == 0 || nreq > 0)
		return;
	for (i = 0; i < cc->n; i++) {
		struct acs_result *r = &cc->results[i];

		if (r->raw == ACS_UNSUPPORTED)
			n127++;
		r->raw = ACS_ERROR;
		r->verdict = ACS_ERROR;
		set_str(&r->message, "the client never reached the mock CA in any scenario");
	}
	fprintf(stderr,
	        "acmespec: the client never reached the mock CA in any of %zu scenario%s%s; "
	        "check the command (exit 3)\n",
	        ran, ran == 1 ? "" : "s",
	        n127 == cc->n ? " (every run exited 127: command not found?)" : "");
}

/*
 * The results: the scenarios the filter asked for (rerun commands with
 * the command's words), then the checks it asked for, judged now.
 */
static int gather_results(struct client_cmd *cc, struct client_run *cr)
{
	size_t i;

	cc->all = calloc(cc->n + cc->nck + 1, sizeof(*cc->all));
	if (cc->all == NULL)
		return -1;
	for (i = 0; i < cc->n; i++) {
		struct acs_result *r = &cc->results[i];

		if (!acs_case_matches(r->c, &cc->filter)) {
			acs_result_clear(r);
			continue;
		}
		if (r->rerun != NULL && cc->suffix.len > 0) {
			struct acs_buf rr;

			acs_buf_init(&rr, 0);
			(void)acs_buf_printf(&rr, "%s%s", r->rerun, cc->suffix.data);
			free(r->rerun);
			r->rerun = acs_buf_steal(&rr);
		}
		cc->all[cc->nall++] = *r;
	}
	for (i = 0; i < cc->nck; i++) {
		struct acs_result *r = &cc->all[cc->nall];

		if (!acs_case_matches(&cc->checks[i], &cc->filter))
			continue;
		memset(r, 0, sizeof(*r));
		if (cc->info.interrupted > 0) {
			r->c = &cc->checks[i];
			r->raw = ACS_SKIPPED;
			set_str(&r->message, "not judged: the run was interrupted");
		} else {
			judge_check(cr, &cc->checks[i], r, cc->prefix.data, cc->suffix.data);
		}
		r->verdict = r->raw;
		acs_expect_apply(cc->expect, r);
		cc->nall++;
		acs_console_case(&cr->con, r, cc->nall, cc->nall);
	}
	return 0;
}

static void cmd_free(struct client_cmd *cc)
{
	size_t i;

	for (i = 0; i < cc->nall; i++)
		acs_result_clear(&cc->all[i]);
	free(cc->all);
	free(cc->results);
	free(cc->merged.cases);
	for (i = 0; i < cc->nck; i++)
		acs_case_clear(&cc->checks[i]);
	free(cc->checks);
	acs_expect_free(cc->expect);
	acs_catalog_free(cc->cat);
	acs_buf_free(&cc->prefix);
	acs_buf_free(&cc->suffix);
	acs_buf_free(&cc->target);
	acs_client_ids_free(cc->runids, cc->nrunids);
}

int acs_cmd_client(const struct acs_cli *cli, const char *argv0)
{
	return acs_cmd_client_opts(cli, argv0, NULL);
}

int acs_cmd_client_opts(const struct acs_cli *cli, const char *argv0,
                        const struct acs_client_opts *o)
{
	struct client_run cr;
	struct client_cmd cc;
	struct acs_err err = {0};
	struct acs_cli_stop stop;
	const char *dir = acs_cli_cases_dir(cli);
	int rc = ACS_EXIT_USAGE, caught = 0;
	size_t i;

	memset(&cr, 0, sizeof(cr));
	memset(&cc, 0, sizeof(cc));
	pthread_mutex_init(&cr.lock, NULL);
	pthread_mutex_init(&cr.serial, NULL);
	acs_buf_init(&cc.prefix, 16384);
	acs_buf_init(&cc.suffix, 16384);
	acs_buf_init(&cc.target, 16384);
	cr.cli = cli;
	cr.keep_workdir = o != NULL && o->keep_workdir;
	if (pick_command(&cr, cli, o) != 0 || acs_cli_check_reports(cli) != 0 ||
	    load_cases(&cc, cli, dir) != 0)
		goto out;
	cr.cat = cc.cat;
	if (pick_filters(&cc, cli, dir) != 0)
		goto out;
	cr.outs = calloc(cc.cat->n, sizeof(*cr.outs));
	if (cr.outs == NULL)
		goto out;
	rc = ACS_EXIT_INFRA;
	acs_cli_catch_stop(&stop);
	caught = 1;
	if (start_infra(&cr, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	acs_cli_console_init(cli, &cr.con);
	rerun_words(&cc, &cr, cli, argv0);
	fprintf(cr.con.out, "mock CA %s, client:%s\n", acs_mockca_base_url(cr.ca), cc.target.data);
	say_check_scenarios(&cc, &cr);
	cr.shown = &cc.filter;
	fflush(cr.con.out);
	if (run_scenarios(&cc, &cr, cli) != 0)
		goto out;
	cc.info.interrupted = acs_cancel_signal();
	if (cc.info.interrupted == 0)
		flag_never_reached(&cc, &cr);
	if (gather_results(&cc, &cr) != 0)
		goto out;
	rc = acs_cli_finish_run(cli, &cr.con, &cc.info, cc.all, cc.nall, cli->strict);
out:
	stop_infra(&cr);
	for (i = 0; cr.outs != NULL && i < cc.cat->n; i++)
		json_decref(cr.outs[i].log);
	free(cr.outs);
	cmd_free(&cc);
	pthread_mutex_destroy(&cr.lock);
	pthread_mutex_destroy(&cr.serial);
	if (caught)
		acs_cli_release_stop(&stop);
	return rc;
}
