/*
 * `acmespec serve`: the mock CA alone, for manual use and for driving
 * clients by hand.
 */
#ifndef ACMESPEC_CLI_SERVE_H
#define ACMESPEC_CLI_SERVE_H

#include "cli/cli.h"

/*
 * The `acmespec serve` subcommand, its options parsed (cli.h): starts the
 * CA with the mock CA fields of *cli (bind, port, http01_port,
 * tlsalpn01_port, plain_http_port, dns_server, validate_addr, workdir,
 * eab_kid, eab_hmac, misbehaviours, scenario), prints the directory URL
 * and the trust bundle path, serves until SIGINT or SIGTERM, then stops
 * cleanly. Returns an exit code: ACS_EXIT_OK, ACS_EXIT_USAGE (bad
 * options, an unknown misbehaviour) or ACS_EXIT_INFRA (could not start).
 */
int acs_cmd_serve(const struct acs_cli *cli);

#endif
