/*
 * `acmespec mock-client` (see cli_mockclient.h): a thin front end over the
 * client flow of the mock client engine (mockclient/flow.h). Options go
 * into struct acs_mc_opts (one parsing function), the session is built
 * from them, the flow runs as a sequence of steps, and this file prints
 * the engine's progress notes, its errors and the certificate.
 */
#include "cli/cli_mockclient.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "harness/clock.h"
#include "harness/err.h"
#include "harness/http.h"
#include "harness/transcript.h"
#include "mockclient/acme.h"
#include "mockclient/flow.h"
#include "mockclient/misbehave.h"
#include "mockclient/responders.h"

#define PROG "acmespec mock-client"

struct opt {
	const char *name;
	int has_arg;
	const char *metavar;
	const char *help;
};

/* sorted by name; --help prints them in this order */
static const struct opt opts[] = {
    {"bind", 1, "ADDR", "address the challenge responders listen on (default 127.0.0.1)"},
    {"ca-bundle", 1, "FILE", "PEM roots to trust for the ACME server"},
    {"cert-out", 1, "FILE", "write the certificate chain there (default: standard output)"},
    {"challenge", 1, "TYPE", "http-01 (default), dns-01 or tls-alpn-01"},
    {"contact", 1, "URI", "account contact, e.g. mailto:a@b.test (repeatable)"},
    {"directory", 1, "URL", "the ACME directory URL (required)"},
    {"dns-hook", 1, "CMD", "dns-01: run `CMD set|clear NAME VALUE` through /bin/sh"},
    {"domain", 1, "NAME", "a name to order, *.NAME for a wildcard (repeatable, required)"},
    {"domains", 1, "N1,N2", "names to order, comma-separated (as the {domains} placeholder)"},
    {"eab-hmac", 1, "B64URL", "external account binding HMAC key"},
    {"eab-kid", 1, "KID", "external account binding key identifier"},
    {"help", 0, NULL, "show this help and the misbehaviours"},
    {"http01-port", 1, "PORT", "port of the http-01 responder (default 80)"},
    {"key-change", 0, NULL, "roll the account key over (keyChange) right after newAccount"},
    {"misbehave", 1, "NAME", "commit a misbehaviour (repeatable; list below)"},
    {"no-agree-tos", 0, NULL, "do not agree to the terms of service"},
    {"revoke", 0, NULL, "revoke the certificate once downloaded"},
    {"timeout", 1, "SECONDS", "bound on the whole flow (default 60)"},
    {"tlsalpn01-port", 1, "PORT", "port of the tls-alpn-01 responder (default 443)"},
    {"verbose", 0, NULL, "print the transcript of every exchange on standard error"},
    {"webroot", 1, "DIR", "http-01: write DIR/.well-known/acme-challenge/TOKEN, no server"},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

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

static void usage(FILE *f)
{
	const struct acs_misbehaviour *mis;
	size_t i, n, col = 0;

	fprintf(f, "usage: acmespec mock-client --directory URL --domain NAME [options]\n\n"
	           "A conformant ACME client made of the mock client engine: new account,\n"
	           "new order, challenges, finalize, download (and --revoke). --misbehave\n"
	           "breaks it on purpose: the negative controls of the client scenarios.\n"
	           "Exit 0: certificate obtained; 1: the flow failed; 2: usage; 3: set-up.\n"
	           "Under acmespec client, ACMESPEC_EAB_KID/ACMESPEC_EAB_HMAC, ACMESPEC_CONTACT,\n"
	           "ACMESPEC_KEY_CHANGE=1 and ACMESPEC_REVOKE=1 stand for --eab-kid/--eab-hmac,\n"
	           "--contact, --key-change and --revoke.\n\n"
	           "options:\n");
	for (i = 0; i < NOPTS; i++) {
		char left[64];

		(void)snprintf(left, sizeof(left), "--%s%s%s", opts[i].name,
		               opts[i].has_arg ? " " : "", opts[i].has_arg ? opts[i].metavar : "");
		fprintf(f, "  %-26s %s\n", left, opts[i].help);
	}
	mis = acs_misbehaviours(&n);
	fprintf(f, "\nclient-behaviour misbehaviours:\n");
	for (i = 0; i < n; i++) {
		if (mis[i].kind == ACS_MIS_KIND_CLIENT)
			fprintf(f, "  %-26s %s\n", mis[i].name, mis[i].help);
	}
	fprintf(f, "\nrequest misbehaviours (every signed request; docs/case-format.md):\n ");
	for (i = 0; i < n; i++) {
		if (mis[i].kind == ACS_MIS_KIND_CLIENT)
			continue;
		fprintf(f, "%s %s", (col % 5 == 0 && col > 0) ? "\n " : "", mis[i].name);
		col++;
	}
	fprintf(f, "\n");
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

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
}

/* One option with its argument (NULL for flags); -1 after a usage message. */
static int set_option(struct acs_mc_opts *o, const char *name, const char *arg)
{
	long v;

	if (strcmp(name, "directory") == 0) {
		o->directory = arg;
	} else if (strcmp(name, "ca-bundle") == 0) {
		o->ca_bundle = arg;
	} else if (strcmp(name, "cert-out") == 0) {
		o->cert_out = arg;
	} else if (strcmp(name, "bind") == 0) {
		o->bind = arg;
	} else if (strcmp(name, "challenge") == 0) {
		if (strcmp(arg, "http-01") != 0 && strcmp(arg, "dns-01") != 0 &&
		    strcmp(arg, "tls-alpn-01") != 0) {
			say("--challenge: expected http-01, dns-01 or tls-alpn-01, got \"%s\"",
			    arg);
			return -1;
		}
		o->challenge = arg;
	} else if (strcmp(name, "contact") == 0) {
		if (o->ncontacts >= ACS_MC_MAX_CONTACTS) {
			say("--contact: too many");
			return -1;
		}
		o->contacts[o->ncontacts++] = arg;
	} else if (strcmp(name, "dns-hook") == 0) {
		o->dns_hook = arg;
	} else if (strcmp(name, "domain") == 0) {
		if (o->nnames >= ACS_MC_MAX_NAMES || strlen(arg) == 0 || strlen(arg) > 250) {
			say("--domain: too many names, or a bad one");
			return -1;
		}
		o->names[o->nnames++] = arg;
	} else if (strcmp(name, "domains") == 0) {
		return add_domains(o, arg);
	} else if (strcmp(name, "webroot") == 0) {
		o->webroot = arg;
	} else if (strcmp(name, "eab-kid") == 0) {
		o->eab_kid = arg;
	} else if (strcmp(name, "eab-hmac") == 0) {
		o->eab_hmac = arg;
	} else if (strcmp(name, "http01-port") == 0 || strcmp(name, "tlsalpn01-port") == 0) {
		if (parse_int(arg, 1, 65535, &v) != 0) {
			say("--%s: bad port \"%s\"", name, arg);
			return -1;
		}
		if (name[0] == 'h')
			o->http01_port = (int)v;
		else
			o->tlsalpn01_port = (int)v;
	} else if (strcmp(name, "misbehave") == 0) {
		if (set_misbehaviour(o, arg) != 0) {
			say("--misbehave: unknown misbehaviour \"%s\"; see " PROG " --help", arg);
			return -1;
		}
	} else if (strcmp(name, "no-agree-tos") == 0) {
		o->agree_tos = 0;
	} else if (strcmp(name, "revoke") == 0) {
		o->revoke = 1;
	} else if (strcmp(name, "key-change") == 0) {
		o->key_change = 1;
	} else if (strcmp(name, "timeout") == 0) {
		if (parse_int(arg, 1, 3600, &v) != 0) {
			say("--timeout: expected 1 to 3600 seconds, got \"%s\"", arg);
			return -1;
		}
		o->timeout_s = v;
	} else if (strcmp(name, "verbose") == 0) {
		o->verbose = 1;
	}
	return 0;
}

int acs_mc_parse_opts(struct acs_mc_opts *o, int argc, char **argv)
{
	struct option lopts[NOPTS + 1];
	size_t i;
	int c, idx;

	memset(lopts, 0, sizeof(lopts));
	for (i = 0; i < NOPTS; i++) {
		lopts[i].name = opts[i].name;
		lopts[i].has_arg = opts[i].has_arg ? required_argument : no_argument;
	}
	optind = 1;
	opterr = 0;
	for (;;) {
		idx = -1;
		c = getopt_long(argc, argv, "h", lopts, &idx);
		if (c == -1)
			break;
		if (c == 'h' || (c == 0 && idx >= 0 && strcmp(lopts[idx].name, "help") == 0)) {
			usage(stdout);
			return 1;
		}
		if (c != 0 || idx < 0) {
			say("unknown option or missing argument near \"%s\"; see " PROG " --help",
			    argv[optind - 1 < argc ? optind - 1 : argc - 1]);
			return -1;
		}
		if (set_option(o, lopts[idx].name, optarg) != 0)
			return -1;
	}
	if (optind < argc) {
		say("unexpected argument \"%s\"", argv[optind]);
		return -1;
	}
	if (o->directory == NULL || o->nnames == 0) {
		say("--directory and --domain are required; see " PROG " --help");
		return -1;
	}
	if ((o->eab_kid == NULL) != (o->eab_hmac == NULL)) {
		say("--eab-kid and --eab-hmac go together");
		return -1;
	}
	return 0;
}

/*
 * What a scenario of `acmespec client` asks for reaches this client through
 * the environment too (docs/case-format.md, "What COMMAND gets"), so the
 * same command line serves every scenario: ACMESPEC_EAB_KID and
 * ACMESPEC_EAB_HMAC when no --eab-kid was given, ACMESPEC_CONTACT when no
 * --contact was, ACMESPEC_KEY_CHANGE=1 and ACMESPEC_REVOKE=1 as --key-change
 * and --revoke.
 */
static int env_defaults(struct acs_mc_opts *o)
{
	const char *k = getenv("ACMESPEC_EAB_KID"), *h = getenv("ACMESPEC_EAB_HMAC");
	const char *kc = getenv("ACMESPEC_KEY_CHANGE"), *rv = getenv("ACMESPEC_REVOKE");
	const char *ct = getenv("ACMESPEC_CONTACT");

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
	if (kc != NULL && strcmp(kc, "1") == 0)
		o->key_change = 1;
	if (rv != NULL && strcmp(rv, "1") == 0)
		o->revoke = 1;
	return 0;
}

/* ---- the run ---- */

/* Common headers of every request (6.1: Accept-Language); none with no-accept-language. */
static const char *const accept_language[] = {"Accept-Language: en", NULL};

struct mc_run {
	const struct acs_mc_opts *o;
	struct acs_responders *resp;
	struct acs_acme_session *s;
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
	so.timeout_ms = 30000;
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
	c->deadline = acs_clock_mono() + (double)o->timeout_s;
	c->note = note;
	acs_flow_begin(run->s);
	return 0;
}

static int write_cert(struct mc_run *run, struct acs_err *err)
{
	const char *pem = acs_flow_certificate(run->s), *path = run->o->cert_out;
	FILE *f;

	if (path == NULL) {
		fputs(pem, stdout);
		return 0;
	}
	f = fopen(path, "w");
	if (f == NULL || fputs(pem, f) < 0 || fclose(f) != 0)
		return acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno));
	say("certificate chain written to %s", path);
	return 0;
}

/* The flow, step by step. */
static int run_flow(struct mc_run *run, struct acs_err *err)
{
	const struct acs_mc_opts *o = run->o;
	struct acs_acme_session *s = run->s;
	struct acs_flow_account fa;
	int rc;

	memset(&fa, 0, sizeof(fa));
	fa.contacts = o->contacts;
	fa.ncontacts = o->ncontacts;
	fa.agree_tos = o->agree_tos;
	fa.eab_kid = o->eab_kid;
	fa.eab_hmac = o->eab_hmac;
	rc = acs_flow_directory(s, err);
	if (rc == 0)
		rc = acs_flow_new_account(s, &fa, err);
	if (rc == 0 && o->key_change)
		rc = acs_flow_key_change(s, err);
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

int acs_cmd_mock_client(int argc, char **argv)
{
	struct acs_mc_opts o;
	struct mc_run run;
	struct acs_err err;
	int rc, prc;

	acs_mc_opts_init(&o);
	prc = acs_mc_parse_opts(&o, argc, argv);
	if (prc == 0)
		prc = env_defaults(&o);
	if (prc != 0) {
		acs_mc_opts_free(&o);
		return prc > 0 ? 0 : 2;
	}
	memset(&run, 0, sizeof(run));
	run.o = &o;
	acs_err_clear(&err);
	signal(SIGPIPE, SIG_IGN);
	if (acs_http_global_init() != 0) {
		say("cannot initialise libcurl");
		acs_mc_opts_free(&o);
		return 3;
	}
	rc = 3;
	if (start(&run, &err) != 0) {
		say("%s", err.msg);
		goto out;
	}
	rc = 0;
	if (run_flow(&run, &err) != 0) {
		say("%s", err.msg);
		crash_if_asked(&run);
		rc = 1;
	}
out:
	if (o.verbose && run.s != NULL) {
		char *t = acs_transcript_render(run.s->transcript, 0);

		if (t != NULL)
			fputs(t, stderr);
		free(t);
	}
	if (run.s != NULL)
		acs_flow_deprovision(run.s);
	acs_acme_session_free(run.s);
	acs_responders_stop(run.resp);
	acs_mc_opts_free(&o);
	acs_http_global_cleanup();
	return rc;
}
