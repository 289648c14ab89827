/*
 * `acmespec serve`: the mock CA alone, for manual use and for driving
 * clients by hand. Its options come from the one table of cli.c.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli_serve.h"
#include "harness/verdict.h"
#include "mockserver/mockca.h"

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* The mock CA's options from the parsed command line. */
static void mockca_opts(const struct acs_cli *cli, struct acs_mockca_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bind_addr = cli->bind;
	o->port = cli->port;
	/* unset or 0: the mock CA's defaults, 80 and 443 */
	o->http01_port = cli->http01_port > 0 ? cli->http01_port : 0;
	o->tlsalpn01_port = cli->tlsalpn01_port > 0 ? cli->tlsalpn01_port : 0;
	o->workdir = cli->workdir;
	o->dns_server = cli->dns_server;
	o->validate_addr = cli->validate_addr;
	o->eab_kid = cli->eab_kid;
	o->eab_hmac = cli->eab_hmac;
	o->plain_http = cli->plain_http_port != ACS_CLI_PORT_UNSET;
	o->plain_http_port = o->plain_http ? cli->plain_http_port : 0;
	o->auto_scenarios = 1;
	o->max_scenarios = (unsigned int)cli->max_scenarios;
	o->max_connections = (unsigned int)cli->max_connections;
	o->per_ip_connections = (unsigned int)cli->per_ip_connections;
	o->request_timeout_s = (unsigned int)cli->request_timeout;
}

static void wait_for_signal(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	while (!stop_flag)
		pause();
}

int acs_cmd_serve(const struct acs_cli *cli)
{
	const char *scenario = cli->scenario != NULL ? cli->scenario : "default";
	struct acs_mockca_opts o;
	struct acs_mockca *ca = NULL;
	struct acs_err err;
	char *dir = NULL;
	size_t i;
	int rc = ACS_EXIT_USAGE;

	acs_err_clear(&err);
	mockca_opts(cli, &o);
	if (acs_mockca_start(&ca, &o, &err) != 0) {
		fprintf(stderr, "acmespec serve: %s\n", err.msg);
		rc = err.code == ACS_E_INVAL ? ACS_EXIT_USAGE : ACS_EXIT_INFRA;
		goto out;
	}
	for (i = 0; i < cli->nmisbehaviours; i++) {
		if (acs_mockca_misbehave_default(ca, cli->misbehaviours[i], &err) != 0) {
			fprintf(stderr, "acmespec serve: option --misbehave %s: %s\n",
			        cli->misbehaviours[i], err.msg);
			goto out;
		}
	}
	if (acs_mockca_scenario_add(ca, scenario, &err) != 0) {
		fprintf(stderr, "acmespec serve: option --scenario: %s\n", err.msg);
		goto out;
	}
	dir = acs_mockca_directory_url(ca, scenario);
	if (dir == NULL) {
		fprintf(stderr, "acmespec serve: out of memory\n");
		rc = ACS_EXIT_INFRA;
		goto out;
	}
	printf("directory: %s\n", dir);
	printf("ca-bundle: %s\n", acs_mockca_bundle_path(ca));
	if (acs_mockca_plain_base_url(ca) != NULL)
		printf("plain-http: %s/s/%s/directory\n", acs_mockca_plain_base_url(ca), scenario);
	fflush(stdout);
	wait_for_signal();
	rc = ACS_EXIT_OK;
out:
	free(dir);
	acs_mockca_stop(ca);
	return rc;
}
