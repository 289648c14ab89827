/*
 * `acmespec mock-client`: the mock client engine (mockclient/flow.h) run as
 * an ordinary ACME client, so that `acmespec client -- acmespec mock-client
 * --directory {directory} ...` is a conformant client whose misbehaviours
 * (--misbehave NAME, the one table of mockclient/misbehave.h) are the
 * negative controls of the client scenarios and of the mock CA's request
 * checks.
 *
 * A complete issuance: new account (with EAB when the directory requires
 * it and credentials are given), new order, one challenge per pending
 * authorization answered with the responders of mockclient/responders.h
 * (http-01, tls-alpn-01), a webroot (http-01) or the dns hook (dns-01),
 * polling that honours Retry-After, badNonce retried with the error's
 * nonce, 429/503 retried after Retry-After, finalize with a fresh key,
 * download and strict check of the chain, optional revocation.
 */
#ifndef ACMESPEC_CLI_MOCKCLIENT_H
#define ACMESPEC_CLI_MOCKCLIENT_H

#include <stddef.h>

#include "cli/cli.h"
#include "mockclient/misbehave.h"

#define ACS_MC_MAX_NAMES    16
#define ACS_MC_MAX_CONTACTS 8

/*
 * The options of `acmespec mock-client`, as acs_mc_opts_from_cli fills them.
 * Strings are borrowed from argv (or the environment), except domains_copy.
 */
struct acs_mc_opts {
	const char *directory;       /* --directory URL (required) */
	const char *ca_bundle;       /* --ca-bundle FILE */
	const char *cert_out;        /* --cert-out FILE; NULL: standard output */
	const char *renew_cert;      /* --renew-cert FILE (or $ACMESPEC_CERT_PATH with RENEW=1) */
	const char *account_key;     /* --account-key FILE */
	char *account_key_copy;      /* the default account-key path (owned) */
	const char *bind;            /* --bind ADDR; NULL: 127.0.0.1 */
	const char *challenge;       /* --challenge TYPE: http-01 (default), dns-01, tls-alpn-01 */
	const char *dns_hook;        /* --dns-hook CMD */
	const char *webroot;         /* --webroot DIR */
	const char *eab_kid;         /* --eab-kid KID (with eab_hmac) */
	const char *eab_hmac;        /* --eab-hmac B64URL (with eab_kid) */
	const char *profile;         /* --cert-profile NAME, or $ACMESPEC_PROFILE */
	const char *preferred_chain; /* $ACMESPEC_PREFERRED_CHAIN: keep that root's chain */
	const char *names[ACS_MC_MAX_NAMES]; /* --domain NAME, --domains N1,N2 */
	size_t nnames;
	const char *contacts[ACS_MC_MAX_CONTACTS]; /* --contact URI */
	size_t ncontacts;
	int http01_port;            /* --http01-port PORT (default 80) */
	int tlsalpn01_port;         /* --tlsalpn01-port PORT (default 443) */
	int agree_tos;              /* 1 unless --no-agree-tos */
	int revoke;                 /* --revoke */
	int key_change;             /* --key-change */
	int verbose;                /* --verbose */
	int daemon;                 /* --daemon: loop like a long-running client */
	const char *force_replaces; /* --daemon: renew now, replacing this certID, unasked */
	double timeout_s;           /* --timeout SECONDS (default 60) */
	acs_sw_set sw;              /* --misbehave NAME of the client kind */
	acs_mis_set mis;            /* --misbehave NAME of the request kind */
	acs_mis_set inner_mis;      /* --misbehave NAME of the inner (key change) kind */
	char *domains_copy;         /* --domains, split in place (owned: acs_mc_opts_free) */
};

/* Defaults of every option. */
void acs_mc_opts_init(struct acs_mc_opts *o);

/* Free what the options own (not o itself). */
void acs_mc_opts_free(struct acs_mc_opts *o);

/*
 * Fill o (initialised by acs_mc_opts_init) from options parsed with the one
 * option table (acs_cli_parse_cmd(ACS_CMD_MOCK_CLIENT, ...)): splits
 * --domains and resolves each --misbehave NAME in the mock client's table.
 * Returns 0, or -1 after a usage message was printed on standard error.
 */
int acs_mc_opts_from_cli(struct acs_mc_opts *o, const struct acs_cli *cli);

/*
 * Parse argv (argv[0] is "mock-client") with the option table into o.
 * Returns 0, 1 when --help was shown (on standard output), or -1 after a
 * usage error was printed on standard error.
 */
int acs_mc_parse_opts(struct acs_mc_opts *o, int argc, char **argv);

/*
 * Run the flow with the parsed options, print progress and errors (with
 * the server's problem detail) on stderr. Exit codes: ACS_EXIT_OK
 * certificate obtained (and revoked when asked), ACS_EXIT_UNEXPECTED the
 * flow failed (a refusal, an invalid authorization, a chain rejected),
 * ACS_EXIT_USAGE a usage error, ACS_EXIT_INFRA could not start
 * (responders, HTTP client).
 */
int acs_cmd_mock_client(const struct acs_cli *cli);

#endif
