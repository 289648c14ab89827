/*
 * `acmespec serve`: the mock CA alone, for manual use and for driving
 * clients by hand.
 */
#ifndef ACMESPEC_CLI_SERVE_H
#define ACMESPEC_CLI_SERVE_H

/*
 * The `acmespec serve` subcommand: parses its options, starts the CA,
 * prints the directory URL and the trust bundle path, serves until SIGINT
 * or SIGTERM, then stops cleanly. Returns an exit code (0, 2 usage, 3
 * could not start).
 */
int acs_serve_main(int argc, char **argv);

#endif
