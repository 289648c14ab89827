/*
 * acmespec client: the mock CA plays every selected client scenario
 * (cases/client/<slug>.json, docs/case-format.md "Client scenarios") to a real
 * ACME client, runs the client's command once per scenario, and judges what
 * the client did: per scenario (exit status, certificate, predicates over
 * the request log) and per request check of the mock CA.
 *
 * acmespec dns-hook: the helper a client's dns-01 hook calls to put a TXT
 * record into the DNS server the mock CA queries.
 *
 * Both print (they are CLI front ends) and return exit codes (DESIGN.md).
 * The judging itself is the library mockserver/scenario.h; this front end
 * starts the infrastructure (cli/client_front.h, cli/client_dns.h), runs
 * the command (harness/proc.h, recipes in cli/recipes.h) and prints.
 */
#ifndef ACMESPEC_CLI_CLIENT_H
#define ACMESPEC_CLI_CLIENT_H

#include "cli/cli.h"

/*
 * The client command's options that struct acs_cli does not carry (yet).
 * recipe: a ready-made client recipe ("certbot", "lego", "uacme",
 * "dehydrated", "acme-tiny") used instead of cli->client_argv, or NULL.
 * keep_workdir: keep every scenario's work directory (printed at the end).
 * daemon: the command is a daemon that never exits on its own (a recipe
 * may say so too): each scenario ends when the mock CA served the
 * certificate, after ACS_DAEMON_QUIET_S without a request, or at the
 * timeout; the client is then stopped (docs/daemons.md).
 */
struct acs_client_opts {
	const char *recipe;
	int keep_workdir;
	int daemon;
};

#define ACS_DAEMON_QUIET_S 5.0 /* a daemon that made no request for this long has stopped */

/*
 * Run `acmespec client`: cli borrowed; argv0 is how the harness was invoked
 * (for rerun commands; the dns hook uses /proc/self/exe). Returns 0, 1, 2
 * or 3 (DESIGN.md "Exit codes").
 */
int acs_cmd_client(const struct acs_cli *cli, const char *argv0);

/* The same with the options above (o may be NULL). */
int acs_cmd_client_opts(const struct acs_cli *cli, const char *argv0,
                        const struct acs_client_opts *o);

/*
 * `acmespec dns-hook set|clear|present|cleanup NAME [VALUE]`: argv[0] is
 * "dns-hook". Talks to the running harness through $ACMESPEC_DNS_SOCKET.
 * Returns ACS_EXIT_OK (done), ACS_EXIT_UNEXPECTED (the harness refused),
 * ACS_EXIT_USAGE (bad words, not run under acmespec client) or
 * ACS_EXIT_INFRA (the harness cannot be reached).
 */
int acs_cmd_dns_hook(int argc, char **argv);

/* The recipe names, NULL-terminated (static). */
const char *const *acs_client_recipes(void);

#endif
