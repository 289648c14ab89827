/*
 * The command line: one sorted option table from which both parsing and
 * --help are made (so they cannot disagree), and the parsed options.
 */
#ifndef ACMESPEC_CLI_H
#define ACMESPEC_CLI_H

#include <stdio.h>

enum acs_cli_cmd {
	ACS_CMD_NONE = 0,
	ACS_CMD_SERVER = 1 << 0,
	ACS_CMD_CLIENT = 1 << 1,
	ACS_CMD_SERVE = 1 << 2,
	ACS_CMD_LIST = 1 << 3,
	ACS_CMD_SELFTEST = 1 << 4
};

#define ACS_CLI_MAX_MULTI  64
#define ACS_CLI_PORT_UNSET (-2)

struct acs_cli {
	enum acs_cli_cmd cmd;
	const char *url;    /* server: directory URL, or NULL for the embedded mock CA */
	char **client_argv; /* client: the command after "--" (borrowed from argv) */
	int client_argc;

	const char *ca_bundle;
	const char *bind; /* responder bind address */
	int http01_port;
	int tlsalpn01_port;
	int dns_port;
	const char *eab_kid;
	const char *eab_hmac;
	const char *profile;
	const char *expect_file;
	int strict;
	int jobs;
	double timeout;
	const char *junit;
	const char *json;
	const char *cases_dir;
	const char *side; /* list: "server", "client" or NULL for both */
	int verbose;
	int no_color;
	int allow_production;
	const char *client_name; /* client: ready-made recipe instead of a command */
	int keep_workdir;        /* client: keep each scenario's work directory */
	int help;
	int version;

	const char *globs[ACS_CLI_MAX_MULTI];
	size_t nglobs;
	const char *sections[ACS_CLI_MAX_MULTI];
	size_t nsections;
	const char *tags[ACS_CLI_MAX_MULTI];
	size_t ntags;
	const char *level;
};

/*
 * Parse argv into *cli (strings borrowed from argv). Returns 0, or -1 with
 * a one-line message in msg (lower case: "unknown option --foo for
 * server; see acmespec server --help").
 */
int acs_cli_parse(int argc, char **argv, struct acs_cli *cli, char *msg, size_t msglen);

/* Print help for cmd (ACS_CMD_NONE: the overview) from the option table. */
void acs_cli_help(FILE *out, enum acs_cli_cmd cmd);

/* "server", "list", ... */
const char *acs_cli_cmd_name(enum acs_cli_cmd cmd);

#endif
