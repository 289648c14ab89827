#include "cli/cli.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum opt_kind { OPT_FLAG, OPT_STR, OPT_INT, OPT_DOUBLE, OPT_MULTI };

struct opt {
	const char *name; /* long name without "--" */
	char shortname;   /* 0 for none */
	enum opt_kind kind;
	unsigned cmds; /* ACS_CMD_* bits where it is accepted */
	const char *metavar;
	size_t off;       /* field in struct acs_cli */
	size_t count_off; /* OPT_MULTI: the count field */
	const char *help;
};

#define RUNCMDS    (ACS_CMD_SERVER | ACS_CMD_CLIENT | ACS_CMD_SELFTEST)
#define FILTERCMDS (RUNCMDS | ACS_CMD_LIST)
#define F(x)       offsetof(struct acs_cli, x)

/* Sorted by long name; --help prints them in this order. */
static const struct opt options[] = {
    {"allow-production", 0, OPT_FLAG, ACS_CMD_SERVER, NULL, F(allow_production), 0,
     "allow a production CA directory (refused by default)"},
    {"bind", 0, OPT_STR, ACS_CMD_SERVER, "ADDR", F(bind), 0,
     "address the challenge responders listen on (default 127.0.0.1)"},
    {"ca-bundle", 0, OPT_STR, ACS_CMD_SERVER, "FILE", F(ca_bundle), 0,
     "PEM file of CA certificates to trust for the server's HTTPS"},
    {"case", 0, OPT_MULTI, FILTERCMDS, "GLOB", F(globs), F(nglobs),
     "only cases whose id matches GLOB (repeatable)"},
    {"cases", 0, OPT_STR, FILTERCMDS, "DIR", F(cases_dir), 0,
     "the case catalog (default: $ACMESPEC_CASES, ./cases, or the installed catalog)"},
    {"client", 0, OPT_STR, ACS_CMD_CLIENT, "NAME", F(client_name), 0,
     "ready-made recipe instead of a command: certbot, lego, uacme, dehydrated, acme-tiny"},
    {"dns-port", 0, OPT_INT, ACS_CMD_SERVER | ACS_CMD_CLIENT, "PORT", F(dns_port), 0,
     "UDP and TCP port of the dns-01 responder (default 8053; ephemeral when embedded)"},
    {"eab-hmac", 0, OPT_STR, ACS_CMD_SERVER, "KEY", F(eab_hmac), 0,
     "external account binding MAC key (base64url)"},
    {"eab-kid", 0, OPT_STR, ACS_CMD_SERVER, "KID", F(eab_kid), 0,
     "external account binding key identifier"},
    {"expect", 0, OPT_STR, RUNCMDS, "FILE", F(expect_file), 0,
     "expectations file: known failures become XFAIL, fixed ones XPASS"},
    {"help", 'h', OPT_FLAG, ~0u, NULL, F(help), 0, "show this help"},
    {"http01-port", 0, OPT_INT, ACS_CMD_SERVER | ACS_CMD_CLIENT, "PORT", F(http01_port), 0,
     "port of the http-01 responder (default 5002; ephemeral with the embedded mock CA)"},
    {"jobs", 'j', OPT_INT, RUNCMDS, "N", F(jobs), 0, "run N cases in parallel (default 1)"},
    {"keep-workdir", 0, OPT_FLAG, ACS_CMD_CLIENT, NULL, F(keep_workdir), 0,
     "keep each scenario's work directory and print where"},
    {"json", 0, OPT_STR, RUNCMDS, "FILE", F(json), 0, "write a JSON report to FILE"},
    {"junit", 0, OPT_STR, RUNCMDS, "FILE", F(junit), 0, "write a JUnit XML report to FILE"},
    {"level", 0, OPT_STR, FILTERCMDS, "must|should|may", F(level), 0,
     "only cases of this requirement level or stricter"},
    {"no-color", 0, OPT_FLAG, RUNCMDS, NULL, F(no_color), 0,
     "no colours (also when NO_COLOR is set or output is not a terminal)"},
    {"profile", 0, OPT_STR, RUNCMDS | ACS_CMD_LIST, "NAME", F(profile), 0,
     "target profile from cases/profiles (default rfc8555)"},
    {"section", 0, OPT_MULTI, FILTERCMDS, "S", F(sections), F(nsections),
     "only cases of RFC section S and its subsections, e.g. 6.5 (repeatable)"},
    {"side", 0, OPT_STR, ACS_CMD_LIST | ACS_CMD_SELFTEST, "server|client", F(side), 0,
     "only one side's cases (list, selftest; default both)"},
    {"strict", 0, OPT_FLAG, RUNCMDS, NULL, F(strict), 0,
     "a broken SHOULD (NONSTRICT) fails the run"},
    {"tag", 0, OPT_MULTI, FILTERCMDS, "T", F(tags), F(ntags), "only cases tagged T (repeatable)"},
    {"timeout", 0, OPT_DOUBLE, RUNCMDS, "S", F(timeout), 0,
     "bound in seconds on every request and every wait (default 30)"},
    {"tlsalpn01-port", 0, OPT_INT, ACS_CMD_SERVER | ACS_CMD_CLIENT, "PORT", F(tlsalpn01_port), 0,
     "port of the tls-alpn-01 responder (default 5001; ephemeral when embedded)"},
    {"verbose", 'v', OPT_FLAG, RUNCMDS | ACS_CMD_LIST, NULL, F(verbose), 0,
     "show evidence for every case, not only failures"},
    {"version", 'V', OPT_FLAG, ~0u, NULL, F(version), 0, "print the version"},
};

static const struct {
	enum acs_cli_cmd cmd;
	const char *name;
	const char *usage;
	const char *what;
} commands[] = {
    {ACS_CMD_SERVER, "server", "acmespec server [DIRECTORY_URL] [options]",
     "test an ACME server: the mock client runs the server cases against it"},
    {ACS_CMD_CLIENT, "client", "acmespec client [options] (--client NAME | -- COMMAND...)",
     "test an ACME client: the mock CA plays each scenario to COMMAND"},
    {ACS_CMD_SERVE, "serve", "acmespec serve [options]", "run the mock CA alone"},
    {ACS_CMD_LIST, "list", "acmespec list [filters]", "list the case catalog"},
    {ACS_CMD_SELFTEST, "selftest", "acmespec selftest [options]",
     "every case against the conformant mock and its negative control"},
};

const char *acs_cli_cmd_name(enum acs_cli_cmd cmd)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "acmespec";
}

static const struct opt *find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
			return &options[i];
	return NULL;
}

static const struct opt *find_short(char c)
{
	size_t i;

	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++)
		if (options[i].shortname == c)
			return &options[i];
	return NULL;
}

static int set_value(struct acs_cli *cli, const struct opt *o, const char *val, char *msg,
                     size_t msglen)
{
	char *base = (char *)cli;
	char *end = NULL;

	switch (o->kind) {
	case OPT_FLAG:
		*(int *)(base + o->off) = 1;
		return 0;
	case OPT_STR:
		*(const char **)(base + o->off) = val;
		return 0;
	case OPT_INT: {
		long v;

		errno = 0;
		v = strtol(val, &end, 10);
		if (errno != 0 || end == val || *end != '\0' || v < 0 || v > 65535) {
			snprintf(msg, msglen,
			         "option --%s: expected a number from 0 to 65535, got \"%s\"",
			         o->name, val);
			return -1;
		}
		*(int *)(base + o->off) = (int)v;
		return 0;
	}
	case OPT_DOUBLE: {
		double v;

		errno = 0;
		v = strtod(val, &end);
		if (errno != 0 || end == val || *end != '\0' || !(v > 0) || v > 86400) {
			snprintf(msg, msglen, "option --%s: expected seconds above 0, got \"%s\"",
			         o->name, val);
			return -1;
		}
		*(double *)(base + o->off) = v;
		return 0;
	}
	case OPT_MULTI: {
		size_t *count = (size_t *)(base + o->count_off);
		const char **arr = (const char **)(base + o->off);

		if (*count >= ACS_CLI_MAX_MULTI) {
			snprintf(msg, msglen, "option --%s: given more than %d times", o->name,
			         ACS_CLI_MAX_MULTI);
			return -1;
		}
		arr[(*count)++] = val;
		return 0;
	}
	}
	return -1;
}

int acs_cli_parse(int argc, char **argv, struct acs_cli *cli, char *msg, size_t msglen)
{
	int i = 1;
	size_t c;

	memset(cli, 0, sizeof(*cli));
	cli->jobs = 1;
	cli->timeout = 30;
	/* unset: 5002/5001/8053 (Pebble's convention) against a URL, ephemeral when embedded */
	cli->http01_port = ACS_CLI_PORT_UNSET;
	cli->tlsalpn01_port = ACS_CLI_PORT_UNSET;
	cli->dns_port = ACS_CLI_PORT_UNSET;
	msg[0] = '\0';

	if (argc > 1 && argv[1][0] != '-') {
		for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
			if (strcmp(argv[1], commands[c].name) == 0)
				cli->cmd = commands[c].cmd;
		if (cli->cmd == ACS_CMD_NONE) {
			snprintf(msg, msglen, "unknown command \"%s\"; see acmespec --help",
			         argv[1]);
			return -1;
		}
		i = 2;
	}

	for (; i < argc; i++) {
		const char *arg = argv[i];
		const struct opt *o = NULL;
		const char *val = NULL;

		if (strcmp(arg, "--") == 0) {
			if (cli->cmd != ACS_CMD_CLIENT) {
				snprintf(msg, msglen,
				         "\"--\" is only for acmespec client -- COMMAND");
				return -1;
			}
			cli->client_argv = argv + i + 1;
			cli->client_argc = argc - i - 1;
			break;
		}
		if (strncmp(arg, "--", 2) == 0) {
			const char *eq = strchr(arg + 2, '=');
			size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

			o = find_long(arg + 2, len);
			if (eq != NULL)
				val = eq + 1;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			o = find_short(arg[1]);
			if (o != NULL && arg[2] != '\0')
				val = arg + 2;
		} else {
			/* a positional argument: the directory URL of "server" */
			if (cli->cmd == ACS_CMD_SERVER && cli->url == NULL) {
				cli->url = arg;
				continue;
			}
			snprintf(msg, msglen, "unexpected argument \"%s\"; see acmespec %s --help",
			         arg, acs_cli_cmd_name(cli->cmd));
			return -1;
		}
		if (o == NULL) {
			snprintf(msg, msglen, "unknown option %s; see acmespec %s --help", arg,
			         acs_cli_cmd_name(cli->cmd));
			return -1;
		}
		if (cli->cmd != ACS_CMD_NONE && !(o->cmds & cli->cmd)) {
			snprintf(msg, msglen, "option --%s does not apply to acmespec %s", o->name,
			         acs_cli_cmd_name(cli->cmd));
			return -1;
		}
		if (o->kind == OPT_FLAG) {
			if (val != NULL) {
				snprintf(msg, msglen, "option --%s takes no value", o->name);
				return -1;
			}
		} else if (val == NULL) {
			if (i + 1 >= argc) {
				snprintf(msg, msglen, "option --%s needs a value (%s)", o->name,
				         o->metavar);
				return -1;
			}
			val = argv[++i];
		}
		if (set_value(cli, o, val, msg, msglen) != 0)
			return -1;
	}
	if (cli->help || cli->version)
		return 0;
	if (cli->cmd == ACS_CMD_NONE) {
		snprintf(msg, msglen, "no command given; see acmespec --help");
		return -1;
	}
	if (cli->jobs < 1 || cli->jobs > 64) {
		snprintf(msg, msglen, "option --jobs: expected 1 to 64, got %d", cli->jobs);
		return -1;
	}
	if (cli->level != NULL && strcasecmp(cli->level, "must") != 0 &&
	    strcasecmp(cli->level, "should") != 0 && strcasecmp(cli->level, "may") != 0) {
		snprintf(msg, msglen, "option --level: expected must, should or may, got \"%s\"",
		         cli->level);
		return -1;
	}
	if (cli->side != NULL && strcmp(cli->side, "server") != 0 &&
	    strcmp(cli->side, "client") != 0) {
		snprintf(msg, msglen, "option --side: expected server or client, got \"%s\"",
		         cli->side);
		return -1;
	}
	if ((cli->eab_kid == NULL) != (cli->eab_hmac == NULL)) {
		snprintf(msg, msglen, "options --eab-kid and --eab-hmac go together");
		return -1;
	}
	if (cli->cmd == ACS_CMD_CLIENT && cli->client_argc == 0 && cli->client_name == NULL) {
		snprintf(msg, msglen,
		         "acmespec client needs --client NAME or a command after \"--\"");
		return -1;
	}
	if (cli->cmd == ACS_CMD_CLIENT && cli->client_argc > 0 && cli->client_name != NULL) {
		snprintf(msg, msglen,
		         "give either --client NAME or a command after \"--\", not both");
		return -1;
	}
	return 0;
}

void acs_cli_help(FILE *out, enum acs_cli_cmd cmd)
{
	size_t i;

	if (cmd == ACS_CMD_NONE) {
		fputs("acmespec: an ACME (RFC 8555) conformance harness\n\nusage:\n", out);
		for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
			fprintf(out, "  %-44s %s\n", commands[i].usage, commands[i].what);
		fputs("  acmespec dns-hook set|clear NAME VALUE       the dns-01 hook given to "
		      "clients as {dns_hook}\n"
		      "\nacmespec COMMAND --help shows the options of a command.\n"
		      "exit codes: 0 nothing unexpected, 1 unexpected results, 2 usage or\n"
		      "configuration error, 3 harness or infrastructure error\n",
		      out);
		return;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].cmd == cmd)
			fprintf(out, "usage: %s\n%s\n\noptions:\n", commands[i].usage,
			        commands[i].what);
	for (i = 0; i < sizeof(options) / sizeof(options[0]); i++) {
		const struct opt *o = &options[i];
		char left[64];

		if (!(o->cmds & cmd))
			continue;
		if (o->shortname)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", o->shortname, o->name,
			         o->metavar ? " " : "", o->metavar ? o->metavar : "");
		else
			snprintf(left, sizeof(left), "    --%s%s%s", o->name, o->metavar ? " " : "",
			         o->metavar ? o->metavar : "");
		fprintf(out, "  %-30s %s\n", left, o->help);
	}
}
