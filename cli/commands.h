/*
 * The commands of the front end that run the catalog: `server`, `list` and
 * `selftest`, and those that work on finished runs' JSON reports: `report`,
 * `diff` and `expect` (cli/cmd_*.c). Each takes the parsed options, prints its report
 * and returns an exit code (ACS_EXIT_*).
 */
#ifndef ACMESPEC_CLI_COMMANDS_H
#define ACMESPEC_CLI_COMMANDS_H

#include "cli/cli.h"

/* `acmespec server [URL]`: the server catalog against URL or the embedded mock CA. */
int acs_cmd_server(const struct acs_cli *cli, const char *argv0);

/*
 * `acmespec demo`: the server catalog against the embedded mock CA with a
 * misbehaviour switched on (default accept-reused-nonce): a real FAIL.
 */
int acs_cmd_demo(const struct acs_cli *cli, const char *argv0);

/* `acmespec list`: the catalog, filtered. */
int acs_cmd_list(const struct acs_cli *cli);

/* `acmespec selftest`: every case against the conformant mock and its control. */
int acs_cmd_selftest(const struct acs_cli *cli, const char *argv0);

/* `acmespec report merge A.json B.json ...`: one report from the shards of a run. */
int acs_cmd_report(const struct acs_cli *cli);

/* `acmespec diff OLD.json NEW.json`: exit 1 on a regression, 0 otherwise, 2 on bad input. */
int acs_cmd_diff(const struct acs_cli *cli);

/* `acmespec expect --from REPORT.json [-o FILE]`: an expectations draft. */
int acs_cmd_expect(const struct acs_cli *cli);

#endif
