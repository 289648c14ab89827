/*
 * acmespec: the command line. Parses options (cli/cli.c, one table for
 * every command) and hands them to the command (cli/cmd_*.c and the
 * cli_*.c of the client side).
 */
#include <signal.h>
#include <stdio.h>

#include "cli/cli.h"
#include "cli/cli_client.h"
#include "cli/cli_common.h"
#include "cli/cli_mockclient.h"
#include "cli/cli_serve.h"
#include "cli/commands.h"
#include "harness/http.h"
#include "harness/verdict.h"

/*
 * The commands that need no libcurl set-up of their own here: serve, the
 * two that a client under test runs (dns-hook, mock-client), and those
 * that read finished reports (report, diff, expect). Their
 * options were checked against the table; dns-hook and mock-client still
 * read their own argv (argv[0] their name).
 */
static int run_standalone(const struct acs_cli *cli, int argc, char **argv)
{
	switch (cli->cmd) {
	case ACS_CMD_SERVE:
		return acs_cmd_serve(cli);
	case ACS_CMD_REPORT:
		return acs_cmd_report(cli);
	case ACS_CMD_DIFF:
		return acs_cmd_diff(cli);
	case ACS_CMD_EXPECT:
		return acs_cmd_expect(cli);
	case ACS_CMD_DNS_HOOK:
		return acs_cmd_dns_hook(argc - 1, argv + 1);
	default:
		return acs_cmd_mock_client(cli);
	}
}

static int run_command(const struct acs_cli *cli, const char *argv0)
{
	struct acs_client_opts co = {cli->client_name, cli->keep_workdir, cli->client_daemon};
	int rc;

	rc = acs_cli_load_rerun(cli);
	if (rc != 0)
		return rc > 0 ? ACS_EXIT_OK : ACS_EXIT_USAGE;
	if (acs_http_global_init() != 0) {
		fprintf(stderr, "acmespec: cannot initialise libcurl\n");
		return ACS_EXIT_INFRA;
	}
	switch (cli->cmd) {
	case ACS_CMD_SERVER:
		rc = acs_cmd_server(cli, argv0);
		break;
	case ACS_CMD_LIST:
		rc = acs_cmd_list(cli);
		break;
	case ACS_CMD_CLIENT:
		rc = acs_cmd_client_opts(cli, argv0, &co);
		break;
	case ACS_CMD_SELFTEST:
		rc = acs_cmd_selftest(cli, argv0);
		break;
	case ACS_CMD_DEMO:
		rc = acs_cmd_demo(cli, argv0);
		break;
	default:
		fprintf(stderr, "acmespec: command %s is not available in this build yet\n",
		        acs_cli_cmd_name(cli->cmd));
		rc = ACS_EXIT_USAGE;
		break;
	}
	acs_http_global_cleanup();
	acs_cli_free_rerun();
	return rc;
}

int main(int argc, char **argv)
{
	struct acs_cli cli;
	char msg[512];

	/* a peer closing a socket must not kill the harness */
	signal(SIGPIPE, SIG_IGN);
	if (acs_cli_parse(argc, argv, &cli, msg, sizeof(msg)) != 0) {
		fprintf(stderr, "%s\n", msg);
		return ACS_EXIT_USAGE;
	}
	if (cli.version) {
		printf("acmespec %s\n", ACMESPEC_VERSION);
		return ACS_EXIT_OK;
	}
	if (cli.man) {
		acs_cli_man(stdout);
		return ACS_EXIT_OK;
	}
	if (cli.help) {
		acs_cli_help(stdout, cli.cmd);
		return ACS_EXIT_OK;
	}
	if (cli.cmd == ACS_CMD_SERVE || cli.cmd == ACS_CMD_DNS_HOOK ||
	    cli.cmd == ACS_CMD_MOCK_CLIENT || cli.cmd == ACS_CMD_REPORT ||
	    cli.cmd == ACS_CMD_DIFF || cli.cmd == ACS_CMD_EXPECT)
		return run_standalone(&cli, argc, argv);
	return run_command(&cli, argv[0]);
}
