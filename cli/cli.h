/*
 * The command line: one sorted option table for every subcommand (server,
 * client, list, selftest, serve, mock-client, dns-hook) from which parsing,
 * every --help and the manual page acmespec(1) are made, so that they
 * cannot disagree, and the parsed options.
 */
#ifndef ACMESPEC_CLI_H
#define ACMESPEC_CLI_H

#include <stddef.h>
#include <stdio.h>

/* The subcommands, as bits: a row of the option table names those that accept it. */
enum acs_cli_cmd {
	ACS_CMD_NONE = 0,
	ACS_CMD_SERVER = 1 << 0,
	ACS_CMD_CLIENT = 1 << 1,
	ACS_CMD_SERVE = 1 << 2,
	ACS_CMD_LIST = 1 << 3,
	ACS_CMD_SELFTEST = 1 << 4,
	ACS_CMD_MOCK_CLIENT = 1 << 5,
	ACS_CMD_DNS_HOOK = 1 << 6,
	ACS_CMD_TOP = 1 << 7,    /* `acmespec` without a command: --help, --version, --man */
	ACS_CMD_REPORT = 1 << 8, /* `acmespec report merge A.json B.json ...` */
	ACS_CMD_DIFF = 1 << 9,
	ACS_CMD_EXPECT = 1 << 10,
	ACS_CMD_DEMO = 1 << 11 /* the server catalog against a misbehaving embedded mock CA */
};

#define ACS_CLI_MAX_MULTI  64
#define ACS_CLI_MAX_ARGS   64
#define ACS_CLI_PORT_UNSET (-2)

/*
 * Everything any subcommand accepts. Strings are borrowed from argv, or
 * point at the table's own words (a choice such as --level). A field
 * means what the command's --help says: --bind is where the challenge
 * responders listen for server and mock-client, and where the mock CA
 * listens for serve.
 */
struct acs_cli {
	enum acs_cli_cmd cmd;
	const char *url;    /* server: directory URL, or NULL for the embedded mock CA */
	char **client_argv; /* client: the command after "--" (borrowed from argv) */
	int client_argc;
	/* positional arguments (dns-hook: set NAME VALUE; report: merge FILES; diff: OLD NEW) */
	const char *args[ACS_CLI_MAX_ARGS];
	int nargs;

	/* server, client, list, selftest */
	const char *ca_bundle;
	const char *bind; /* server, mock-client: responders; serve: the mock CA */
	int http01_port;  /* ACS_CLI_PORT_UNSET: the command's default */
	int tlsalpn01_port;
	int dns_port;
	const char *eab_kid;
	const char *eab_hmac;
	const char *profile;
	const char *cert_profile; /* mock-client --cert-profile (profiles branch) */
	const char *expect_file;
	int strict;
	int jobs;
	double timeout; /* 30; mock-client: 60 (the whole flow) */
	const char *junit;
	const char *json;
	const char *markdown; /* --markdown FILE: a Markdown summary */
	const char *html;     /* --html FILE: the self-contained HTML report */
	const char *cases_dir;
	const char *side; /* list: "server", "client" or NULL for both */
	int list_json;    /* list --json: the catalog as JSON on standard output */
	int list_tags;    /* list --tags: the tags and how many cases carry each */
	int verbose;
	int quiet;                /* --quiet: no line for a PASS */
	int brief;                /* --brief: evidence without transcripts */
	int fail_fast;            /* -x/--fail-fast: start no case after the first failure */
	const char *rerun_failed; /* --rerun-failed REPORT.json */
	int no_color;
	int allow_production;
	int allow_other_hosts; /* server: follow URLs off the directory's host */
	/* server against a real-world CA (docs/real-world.md) */
	const char *domain_suffix;  /* --domain-suffix ZONE: names under the user's zone */
	const char *http01_webroot; /* --http01-webroot DIR: http-01 as files */
	int max_orders;             /* --max-orders N; -1: no limit */
	int max_accounts;           /* --max-accounts N; -1: no limit */
	const char *client_name;    /* client: ready-made recipe instead of a command */
	int keep_workdir;           /* client: keep each scenario's work directory */
	int client_daemon;          /* client: the command is a daemon (--daemon) */
	int help;
	int version;
	int man; /* acmespec --man: print the manual page (roff) */

	/* expect: --from REPORT.json, -o FILE (default: standard output) */
	const char *from;
	const char *output;

	const char *globs[ACS_CLI_MAX_MULTI];
	size_t nglobs;
	const char *sections[ACS_CLI_MAX_MULTI];
	size_t nsections;
	const char *tags[ACS_CLI_MAX_MULTI];
	size_t ntags;
	const char *level;
	const char *shard;    /* --shard I/N as given; checked into shard_index, shard_count */
	unsigned shard_index; /* 1..shard_count */
	unsigned shard_count; /* 0: no sharding */

	/* serve and mock-client: --misbehave NAME[=ARG] (repeatable) */
	const char *misbehaviours[ACS_CLI_MAX_MULTI];
	size_t nmisbehaviours;

	/* serve: the mock CA */
	int port;            /* HTTPS port (default 0: ephemeral) */
	int plain_http_port; /* ACS_CLI_PORT_UNSET: no plain HTTP listener */
	const char *dns_server;
	const char *validate_addr;
	const char *workdir;
	const char *scenario; /* default "default" */
	int max_scenarios;    /* 0: the mock CA's default */
	int max_connections;  /* 0: the mock CA's default */
	int per_ip_connections;
	int request_timeout; /* seconds; 0: the mock CA's default */

	/* mock-client */
	const char *directory;
	const char *cert_out;
	const char *renew_cert;  /* --renew-cert FILE */
	const char *account_key; /* --account-key FILE */
	const char *challenge;   /* "http-01" (default), "dns-01" or "tls-alpn-01" */
	const char *contacts[ACS_CLI_MAX_MULTI];
	size_t ncontacts;
	const char *dns_hook;
	const char *domains[ACS_CLI_MAX_MULTI]; /* --domain, in order */
	size_t ndomains;
	const char *domain_list; /* --domains N1,N2 (comma- or space-separated) */
	int key_change;
	int no_agree_tos;
	int revoke;
	const char *webroot;
};

/*
 * Parse a whole command line (argv[0] the program, argv[1] the command)
 * into *cli. Strings are borrowed from argv. Returns 0, or -1 with the one
 * line to print in msg, in the one format every command uses:
 *   "acmespec serve: unknown option --bogus (see acmespec serve --help)"
 *   "acmespec serve: --junit is not an option of acmespec serve"
 *   "acmespec server: option --bind needs a value ADDR"
 *   "acmespec server: option --jobs: expected a number from 1 to 64, got \"0\""
 * The caller exits with ACS_EXIT_USAGE.
 */
int acs_cli_parse(int argc, char **argv, struct acs_cli *cli, char *msg, size_t msglen);

/*
 * Parse the options of one command: argv[0] is the command's name (as the
 * subcommands get it: "mock-client", "serve"), the rest its options. The
 * same table, checks and messages as acs_cli_parse. For mock-client this
 * also checks what the command needs (--directory, a --domain or
 * --domains, --challenge one of the three types, ports from 1), but not
 * the misbehaviour names, which only the mock client knows.
 */
int acs_cli_parse_cmd(enum acs_cli_cmd cmd, int argc, char **argv, struct acs_cli *cli, char *msg,
                      size_t msglen);

/*
 * Print help for cmd (ACS_CMD_NONE or ACS_CMD_TOP: the overview) from the
 * option table: usage, what the command does, then every option it
 * accepts with the help line meant for that command.
 */
void acs_cli_help(FILE *out, enum acs_cli_cmd cmd);

/* Print the manual page acmespec(1) in roff, from the same table. */
void acs_cli_man(FILE *out);

/* "server", "list", ...; "acmespec" for ACS_CMD_NONE and ACS_CMD_TOP. */
const char *acs_cli_cmd_name(enum acs_cli_cmd cmd);

#endif
