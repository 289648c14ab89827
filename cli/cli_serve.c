/*
 * `acmespec serve`: the mock CA alone, for manual use and for driving
 * clients by hand. Options come from one table that also makes --help.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli_serve.h"
#include "mockserver/mockca.h"

struct opt {
	const char *name;
	int has_arg;
	const char *metavar;
	const char *help;
};

/* sorted by name; --help prints them in this order */
static const struct opt opts[] = {
    {"bind", 1, "ADDR", "address to listen on (default 127.0.0.1)"},
    {"dns-server", 1, "ADDR:PORT", "DNS server for dns-01 TXT lookups (default: none)"},
    {"eab-hmac", 1, "B64URL", "EAB HMAC key (with --eab-kid: externalAccountRequired)"},
    {"eab-kid", 1, "KID", "EAB key identifier"},
    {"help", 0, NULL, "show this help and the misbehaviours"},
    {"http01-port", 1, "PORT", "port http-01 validation connects to (default 80)"},
    {"misbehave", 1, "NAME[=ARG]", "switch a misbehaviour on (repeatable)"},
    {"plain-http", 1, "PORT", "also serve plain HTTP on PORT (0: ephemeral)"},
    {"port", 1, "PORT", "HTTPS port (default 0: ephemeral)"},
    {"scenario", 1, "NAME", "scenario name of the printed directory URL (default \"default\")"},
    {"tlsalpn01-port", 1, "PORT", "port tls-alpn-01 validation connects to (default 443)"},
    {"validate-addr", 1, "ADDR", "address every validation connects to (default 127.0.0.1)"},
    {"workdir", 1, "DIR", "where the trust bundle and HTTPS certificate go (default: temporary)"},
};
#define NOPTS (sizeof(opts) / sizeof(opts[0]))

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static void usage(FILE *f)
{
	const struct acs_mockca_misbehaviour *mb;
	size_t i, n;

	fprintf(f, "usage: acmespec serve [options]\n\n"
	           "Runs the mock ACME CA until SIGINT or SIGTERM. Every scenario has its own\n"
	           "state under https://ADDR:PORT/s/<scenario>/directory; unknown scenarios are\n"
	           "created on first use with the --misbehave switches given.\n\noptions:\n");
	for (i = 0; i < NOPTS; i++) {
		char left[64];

		(void)snprintf(left, sizeof(left), "--%s%s%s", opts[i].name,
		               opts[i].has_arg ? " " : "", opts[i].has_arg ? opts[i].metavar : "");
		fprintf(f, "  %-28s %s\n", left, opts[i].help);
	}
	fprintf(f, "\nmisbehaviours:\n");
	mb = acs_mockca_misbehaviours(&n);
	for (i = 0; i < n; i++) {
		char left[64];

		(void)snprintf(left, sizeof(left), "%s%s%s", mb[i].name,
		               mb[i].arg_help != NULL ? "=" : "",
		               mb[i].arg_help != NULL ? mb[i].arg_help : "");
		fprintf(f, "  %-36s %s%s\n", left, mb[i].violation ? "[violation] " : "",
		        mb[i].description);
	}
}

static int parse_port(const char *s, int *out)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);

	if (s[0] == '\0' || *end != '\0' || v < 0 || v > 65535)
		return -1;
	*out = (int)v;
	return 0;
}

int acs_serve_main(int argc, char **argv)
{
	struct option lopts[NOPTS + 1];
	struct acs_mockca_opts o;
	struct acs_mockca *ca = NULL;
	struct acs_err err;
	const char *scenario = "default";
	const char **mbs = NULL;
	size_t nmb = 0, i;
	char *dir = NULL;
	struct sigaction sa;
	int c, idx, rc = 2;

	memset(&o, 0, sizeof(o));
	memset(lopts, 0, sizeof(lopts));
	for (i = 0; i < NOPTS; i++) {
		lopts[i].name = opts[i].name;
		lopts[i].has_arg = opts[i].has_arg ? required_argument : no_argument;
		lopts[i].val = 0;
	}
	mbs = calloc((size_t)argc + 1, sizeof(*mbs));
	if (mbs == NULL)
		return 3;
	o.auto_scenarios = 1;
	optind = 1;
	for (;;) {
		const char *name, *arg;

		idx = -1;
		c = getopt_long(argc, argv, "h", lopts, &idx);
		if (c == -1)
			break;
		if (c == 'h') {
			usage(stdout);
			rc = 0;
			goto out;
		}
		if (c != 0 || idx < 0) {
			usage(stderr);
			goto out;
		}
		name = lopts[idx].name;
		arg = optarg;
		if (strcmp(name, "help") == 0) {
			usage(stdout);
			rc = 0;
			goto out;
		} else if (strcmp(name, "bind") == 0) {
			o.bind_addr = arg;
		} else if (strcmp(name, "port") == 0 || strcmp(name, "http01-port") == 0 ||
		           strcmp(name, "tlsalpn01-port") == 0 || strcmp(name, "plain-http") == 0) {
			int p;

			if (parse_port(arg, &p) != 0) {
				fprintf(stderr, "acmespec serve: --%s: bad port \"%s\"\n", name,
				        arg);
				goto out;
			}
			if (strcmp(name, "port") == 0) {
				o.port = p;
			} else if (strcmp(name, "http01-port") == 0) {
				o.http01_port = p;
			} else if (strcmp(name, "tlsalpn01-port") == 0) {
				o.tlsalpn01_port = p;
			} else {
				o.plain_http = 1;
				o.plain_http_port = p;
			}
		} else if (strcmp(name, "workdir") == 0) {
			o.workdir = arg;
		} else if (strcmp(name, "dns-server") == 0) {
			o.dns_server = arg;
		} else if (strcmp(name, "validate-addr") == 0) {
			o.validate_addr = arg;
		} else if (strcmp(name, "eab-kid") == 0) {
			o.eab_kid = arg;
		} else if (strcmp(name, "eab-hmac") == 0) {
			o.eab_hmac = arg;
		} else if (strcmp(name, "misbehave") == 0) {
			mbs[nmb++] = arg;
		} else if (strcmp(name, "scenario") == 0) {
			scenario = arg;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "acmespec serve: unexpected argument \"%s\"\n", argv[optind]);
		goto out;
	}
	acs_err_clear(&err);
	if (acs_mockca_start(&ca, &o, &err) != 0) {
		fprintf(stderr, "acmespec serve: %s\n", err.msg);
		rc = err.code == ACS_E_INVAL ? 2 : 3;
		goto out;
	}
	for (i = 0; i < nmb; i++) {
		if (acs_mockca_misbehave_default(ca, mbs[i], &err) != 0) {
			fprintf(stderr, "acmespec serve: --misbehave %s: %s\n", mbs[i], err.msg);
			goto out;
		}
	}
	if (acs_mockca_scenario_add(ca, scenario, &err) != 0) {
		fprintf(stderr, "acmespec serve: %s\n", err.msg);
		goto out;
	}
	dir = acs_mockca_directory_url(ca, scenario);
	printf("directory: %s\n", dir != NULL ? dir : "?");
	printf("ca-bundle: %s\n", acs_mockca_bundle_path(ca));
	if (acs_mockca_plain_base_url(ca) != NULL)
		printf("plain-http: %s/s/%s/directory\n", acs_mockca_plain_base_url(ca), scenario);
	fflush(stdout);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	while (!stop_flag)
		pause();
	rc = 0;
out:
	free(dir);
	acs_mockca_stop(ca);
	free(mbs);
	return rc;
}
