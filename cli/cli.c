/*
 * The option table of every subcommand and the one parser that reads it
 * (in the manner of curl's src/tool_getparam.c): a row per option, naming
 * the commands that accept it, where its value goes and its help line per
 * command. cli_help.c makes --help and the manual page from the same rows.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli_table.h"
#include "harness/netpolicy.h"

#define RUNCMDS    (ACS_CMD_SERVER | ACS_CMD_CLIENT | ACS_CMD_SELFTEST | ACS_CMD_DEMO)
#define FILTERCMDS (RUNCMDS | ACS_CMD_LIST)
#define PORTCMDS   (ACS_CMD_SERVER | ACS_CMD_CLIENT | ACS_CMD_SERVE | ACS_CMD_MOCK_CLIENT)
#define EABCMDS    (ACS_CMD_SERVER | ACS_CMD_SERVE | ACS_CMD_MOCK_CLIENT)
#define ALLCMDS    0xfffu
#define REPORTCMDS (RUNCMDS | ACS_CMD_REPORT)
#define MC         ACS_CMD_MOCK_CLIENT
#define SE         ACS_CMD_SERVE
#define F(x)       offsetof(struct acs_cli, x)
#define H(c, t)                                                                                    \
	{                                                                                          \
		(c), (t)                                                                           \
	}

/* Table rows: the value's field, its count field (repeatable), range, choices. */
#define FLAG(f)            ACS_OPT_FLAG, F(f), 0, 0, 0, NULL
#define STR(f)             ACS_OPT_STR, F(f), 0, 0, 0, NULL
#define INT(f, lo, hi)     ACS_OPT_INT, F(f), 0, (lo), (hi), NULL
#define DOUBLE(f, hi)      ACS_OPT_DOUBLE, F(f), 0, 0, (hi), NULL
#define CHOICE(f, list)    ACS_OPT_CHOICE, F(f), 0, 0, 0, (list)
#define MULTI(f, n, limit) ACS_OPT_MULTI, F(f), F(n), 0, (limit), NULL

static const char *const levels[] = {"must", "should", "may", NULL};
static const char *const sides[] = {"server", "client", NULL};
static const char *const challenges[] = {"http-01",        "dns-01",         "tls-alpn-01",
                                         "dns-account-01", "dns-persist-01", NULL};

/*
 * Every option of every command, sorted by long name; --help and the
 * manual page print them in this order. Columns: name, short name, kind
 * and target field (with range or choices), which commands, metavar, help
 * lines.
 */
static const struct acs_opt options[] = {
    {"account-key",
     0,
     STR(account_key),
     MC,
     "FILE",
     {H(MC, "the account key in PEM: used when the file exists, else made and written there "
            "(default with $ACMESPEC_CERT_PATH: $ACMESPEC_WORKDIR/mock-client-account.pem)")}},
    {"allow-other-hosts",
     0,
     FLAG(allow_other_hosts),
     ACS_CMD_SERVER,
     NULL,
     {H(ACS_CMD_SERVER, "follow URLs the server gives on other hosts than its directory's, "
                        "and off loopback when the directory is on it (refused by default)")}},
    {"allow-production",
     0,
     FLAG(allow_production),
     ACS_CMD_SERVER,
     NULL,
     {H(ACS_CMD_SERVER, "allow a production CA directory (refused by default)")}},
    {"bind",
     0,
     STR(bind),
     ACS_CMD_SERVER | SE | MC,
     "ADDR",
     {H(SE, "address the mock CA listens on (default 127.0.0.1)"),
      H(ACS_CMD_SERVER | MC, "address the challenge responders listen on (default 127.0.0.1)")}},
    {"brief",
     0,
     FLAG(brief),
     RUNCMDS,
     NULL,
     {H(RUNCMDS, "short evidence: requirement, expected vs actual and the rerun line, without "
                 "transcripts (the reports keep them)")}},
    {"ca-bundle",
     0,
     STR(ca_bundle),
     ACS_CMD_SERVER | MC,
     "FILE",
     {H(ACS_CMD_SERVER | MC, "PEM file of CA certificates to trust for the server's HTTPS")}},
    {"case",
     0,
     MULTI(globs, nglobs, ACS_CLI_MAX_MULTI),
     FILTERCMDS,
     "GLOB",
     {H(FILTERCMDS, "only cases whose id matches GLOB (repeatable)")}},
    {"cases",
     0,
     STR(cases_dir),
     FILTERCMDS,
     "DIR",
     {H(FILTERCMDS,
        "the case catalog (default: $ACMESPEC_CASES, ./cases, or the installed catalog)")}},
    {"cert-out",
     0,
     STR(cert_out),
     MC,
     "FILE",
     {H(MC, "write the certificate chain there (default: standard output)")}},
    {"challenge",
     0,
     CHOICE(challenge, challenges),
     MC,
     "TYPE",
     {H(MC, "the challenge to answer: http-01 (default), dns-01 or tls-alpn-01")}},
    {"client",
     0,
     STR(client_name),
     ACS_CMD_CLIENT,
     "NAME",
     {H(ACS_CMD_CLIENT,
        "ready-made recipe instead of a command: certbot, lego, uacme, dehydrated, acme-tiny, "
        "caddy, caddy-current (daemons)")}},
    {"cert-profile",
     0,
     STR(cert_profile),
     MC,
     "NAME",
     {H(MC, "ask for this certificate profile (draft-ietf-acme-profiles) in newOrder; refused "
            "before sending when the directory does not advertise it (default: "
            "$ACMESPEC_PROFILE)")}},
    {"contact",
     0,
     MULTI(contacts, ncontacts, 8),
     MC,
     "URI",
     {H(MC, "account contact, e.g. mailto:a@b.test (repeatable, up to 8)")}},
    {"daemon",
     0,
     FLAG(client_daemon),
     ACS_CMD_CLIENT | MC,
     NULL,
     {H(ACS_CMD_CLIENT,
        "the client is a daemon: each scenario ends when the certificate was served, after "
        "5 s without a request, or at --timeout; then the client is stopped and judged on "
        "what it stored"),
      H(MC, "run like a web server with ACME built in, until stopped: obtain a certificate "
            "(under $ACMESPEC_WORKDIR), retry failures with a growing pause, then check its "
            "renewalInfo as Retry-After says and renew in the window")}},
    {"directory", 0, STR(directory), MC, "URL", {H(MC, "the ACME directory URL (required)")}},
    {"dns-hook",
     0,
     STR(dns_hook),
     MC | ACS_CMD_SERVER,
     "CMD",
     {H(MC, "dns-01: run `CMD set|clear NAME VALUE` through /bin/sh"),
      H(ACS_CMD_SERVER, "dns-01 through `CMD set|clear NAME VALUE` (/bin/sh, bounded by "
                        "--timeout per call) instead of the built-in DNS responder, which "
                        "is then not started")}},
    {"dns-port",
     0,
     INT(dns_port, 0, 65535),
     ACS_CMD_SERVER | ACS_CMD_CLIENT,
     "PORT",
     {H(ACS_CMD_SERVER | ACS_CMD_CLIENT,
        "UDP and TCP port of the dns-01 responder (default 8053; ephemeral when embedded)")}},
    {"dns-server",
     0,
     STR(dns_server),
     SE,
     "ADDR:PORT",
     {H(SE, "DNS server for dns-01 TXT lookups (default: none)")}},
    {"domain-suffix",
     0,
     STR(domain_suffix),
     ACS_CMD_SERVER,
     "ZONE",
     {H(ACS_CMD_SERVER, "make every case's names under ZONE, a zone you control (random "
                        "label per name); IP-identifier cases are SKIPPED")}},
    {"domain",
     0,
     MULTI(domains, ndomains, 16),
     MC,
     "NAME",
     {H(MC, "a name to order, *.NAME for a wildcard (repeatable; this or --domains required)")}},
    {"domains",
     0,
     STR(domain_list),
     MC,
     "N1,N2",
     {H(MC, "names to order, comma-separated (as the {domains} placeholder)")}},
    {"eab-hmac",
     0,
     STR(eab_hmac),
     EABCMDS,
     "KEY",
     {H(SE, "external account binding MAC key (base64url); with --eab-kid every scenario "
            "requires an account binding"),
      H(ACS_CMD_SERVER | MC, "external account binding MAC key (base64url)")}},
    {"eab-kid",
     0,
     STR(eab_kid),
     EABCMDS,
     "KID",
     {H(SE, "external account binding key identifier the mock CA accepts"),
      H(ACS_CMD_SERVER | MC, "external account binding key identifier")}},
    {"expect",
     0,
     STR(expect_file),
     RUNCMDS,
     "FILE",
     {H(RUNCMDS, "expectations file: known failures become XFAIL, fixed ones XPASS")}},
    {"fail-fast",
     'x',
     FLAG(fail_fast),
     RUNCMDS,
     NULL,
     {H(RUNCMDS, "start no case after the first FAIL, XPASS or ERROR (NONSTRICT too with "
                 "--strict); the rest are SKIPPED")}},
    {"from",
     0,
     STR(from),
     ACS_CMD_EXPECT,
     "REPORT.json",
     {H(ACS_CMD_EXPECT, "the JSON report of a run to draft the expectations from (required)")}},
    {"help", 'h', FLAG(help), ALLCMDS, NULL, {H(ALLCMDS, "show this help")}},
    {"html",
     0,
     STR(html),
     REPORTCMDS,
     "FILE",
     {H(REPORTCMDS, "write a self-contained HTML report to FILE (- for standard output)")}},
    {"http01-port",
     0,
     INT(http01_port, 0, 65535),
     PORTCMDS,
     "PORT",
     {H(ACS_CMD_SERVER,
        "port of the http-01 responder (default 5002; ephemeral with the embedded mock CA)"),
      H(SE, "port the mock CA's http-01 validation connects to (default 80)"),
      H(ACS_CMD_CLIENT, "port the client must answer http-01 on, given to it as "
                        "{http01_port} (default: a free port)"),
      H(MC, "port of the http-01 responder (default 80)")}},
    {"max-connections",
     0,
     INT(max_connections, 0, 100000),
     SE,
     "N",
     {H(SE, "open connections at once per listener (default 4000)")}},
    {"max-scenarios",
     0,
     INT(max_scenarios, 0, 1000000),
     SE,
     "N",
     {H(SE, "scenarios at once (default 1000): a new name evicts the least recently "
            "used idle one a request made, or gets 429 rateLimited")}},
    {"http01-webroot",
     0,
     STR(http01_webroot),
     ACS_CMD_SERVER,
     "DIR",
     {H(ACS_CMD_SERVER, "http-01 as files DIR/.well-known/acme-challenge/TOKEN, served by "
                        "your web server, removed after each case; the built-in http-01 "
                        "responder is then not started")}},
    {"jobs",
     'j',
     INT(jobs, 1, 64),
     RUNCMDS,
     "N",
     {H(RUNCMDS, "run N cases in parallel, 1 to 64 (default 1)")}},
    {"json",
     0,
     FLAG(list_json),
     ACS_CMD_LIST,
     NULL,
     {H(ACS_CMD_LIST, "the catalog as JSON: id, side, rfc, section, level, tags, title, "
                      "control of every case")}},
    {"json",
     0,
     STR(json),
     REPORTCMDS,
     "FILE",
     {H(REPORTCMDS, "write a JSON report to FILE (- for standard output)")}},
    {"junit",
     0,
     STR(junit),
     REPORTCMDS,
     "FILE",
     {H(REPORTCMDS, "write a JUnit XML report to FILE (- for standard output)")}},
    {"keep-workdir",
     0,
     FLAG(keep_workdir),
     ACS_CMD_CLIENT,
     NULL,
     {H(ACS_CMD_CLIENT, "keep each scenario's work directory and print where")}},
    {"key-change",
     0,
     FLAG(key_change),
     MC,
     NULL,
     {H(MC, "roll the account key over (keyChange) right after newAccount")}},
    {"level",
     0,
     CHOICE(level, levels),
     FILTERCMDS,
     "must|should|may",
     {H(FILTERCMDS, "only cases of this requirement level or stricter")}},
    {"man",
     0,
     FLAG(man),
     ACS_CMD_TOP,
     NULL,
     {H(ACS_CMD_TOP, "print the manual page acmespec(1) as roff")}},
    {"markdown",
     0,
     STR(markdown),
     REPORTCMDS,
     "FILE",
     {H(REPORTCMDS, "write a Markdown summary to FILE, e.g. $GITHUB_STEP_SUMMARY (- for "
                    "standard output)")}},
    {"max-accounts",
     0,
     INT(max_accounts, 0, 1000000),
     ACS_CMD_SERVER,
     "N",
     {H(ACS_CMD_SERVER, "create at most N accounts in the whole run (Let's Encrypt staging: "
                        "50 per IP per 3 hours); cases that would need more are SKIPPED "
                        "(\"budget\")")}},
    {"max-orders",
     0,
     INT(max_orders, 0, 1000000),
     ACS_CMD_SERVER,
     "N",
     {H(ACS_CMD_SERVER, "create at most N orders in the whole run; cases that would need "
                        "more are SKIPPED (\"budget\")")}},
    {"misbehave",
     0,
     MULTI(misbehaviours, nmisbehaviours, ACS_CLI_MAX_MULTI),
     SE | MC | ACS_CMD_DEMO,
     "NAME[=ARG]",
     {H(ACS_CMD_DEMO, "the mock CA's misbehaviour to switch on (repeatable; default "
                      "accept-reused-nonce; acmespec serve --help lists them)"),
      H(SE, "switch a misbehaviour on in every scenario (repeatable; list below)"),
      H(MC, "commit a misbehaviour (repeatable; listed by acmespec mock-client --help)")}},
    {"no-agree-tos",
     0,
     FLAG(no_agree_tos),
     MC,
     NULL,
     {H(MC, "do not agree to the terms of service")}},
    {"no-color",
     0,
     FLAG(no_color),
     RUNCMDS,
     NULL,
     {H(RUNCMDS, "no colours (also when NO_COLOR is set or output is not a terminal)")}},
    {"output",
     'o',
     STR(output),
     ACS_CMD_EXPECT,
     "FILE",
     {H(ACS_CMD_EXPECT, "write the draft to FILE (default: standard output)")}},
    {"per-ip-connections",
     0,
     INT(per_ip_connections, 0, 100000),
     SE,
     "N",
     {H(SE, "open connections at once from one address (default 256)")}},
    {"plain-http",
     0,
     INT(plain_http_port, 0, 65535),
     SE,
     "PORT",
     {H(SE, "also serve plain HTTP on PORT (0: ephemeral)")}},
    {"port", 0, INT(port, 0, 65535), SE, "PORT", {H(SE, "HTTPS port (default 0: ephemeral)")}},
    {"profile",
     0,
     STR(profile),
     RUNCMDS | ACS_CMD_LIST,
     "NAME",
     {H(RUNCMDS | ACS_CMD_LIST, "target profile from cases/profiles (default rfc8555)")}},
    {"quiet",
     'q',
     FLAG(quiet),
     RUNCMDS,
     NULL,
     {H(RUNCMDS, "print only the cases that did not PASS, and the summary")}},
    {"rerun-failed",
     0,
     STR(rerun_failed),
     RUNCMDS,
     "REPORT.json",
     {H(RUNCMDS, "run only the cases that failed the run of REPORT.json (FAIL, XPASS, ERROR; "
                 "NONSTRICT when it was strict)")}},
    {"renew-cert",
     0,
     STR(renew_cert),
     MC,
     "FILE",
     {H(MC, "renew this certificate when RFC 9773 renewal information (or, without it, its "
            "age) says it is due; newOrder replaces it (default with $ACMESPEC_RENEW=1: "
            "$ACMESPEC_CERT_PATH)")}},
    {"revoke", 0, FLAG(revoke), MC, NULL, {H(MC, "revoke the certificate once downloaded")}},
    {"request-timeout",
     0,
     INT(request_timeout, 0, 3600),
     SE,
     "SECONDS",
     {H(SE, "a connection that has not completed its request this long after it "
            "opened, or after its last answer, is closed, however slowly it sends "
            "(default 30)")}},
    {"scenario",
     0,
     STR(scenario),
     SE,
     "NAME",
     {H(SE, "scenario name of the printed directory URL (default \"default\")")}},
    {"section",
     0,
     MULTI(sections, nsections, ACS_CLI_MAX_MULTI),
     FILTERCMDS,
     "S",
     {H(FILTERCMDS, "only cases of RFC section S and its subsections, e.g. 6.5 (repeatable)")}},
    {"shard",
     0,
     STR(shard),
     FILTERCMDS,
     "I/N",
     {H(FILTERCMDS, "only shard I of N (1 <= I <= N <= 1000): cases split by a hash of "
                    "their id, so a case always lands in the same shard")}},
    {"side",
     0,
     CHOICE(side, sides),
     ACS_CMD_LIST | ACS_CMD_SELFTEST,
     "server|client",
     {H(ACS_CMD_LIST | ACS_CMD_SELFTEST, "only one side's cases (default both)")}},
    {"strict",
     0,
     FLAG(strict),
     RUNCMDS,
     NULL,
     {H(RUNCMDS, "a broken SHOULD (NONSTRICT) fails the run")}},
    {"tag",
     0,
     MULTI(tags, ntags, ACS_CLI_MAX_MULTI),
     FILTERCMDS,
     "T",
     {H(FILTERCMDS, "only cases tagged T (repeatable)")}},
    {"tags",
     0,
     FLAG(list_tags),
     ACS_CMD_LIST,
     NULL,
     {H(ACS_CMD_LIST, "list the tags of the matching cases, with how many cases carry each")}},
    {"timeout",
     0,
     DOUBLE(timeout, 86400),
     RUNCMDS | MC,
     "S",
     {H(RUNCMDS, "bound in seconds on every request and every wait (default 30)"),
      H(MC, "bound in seconds on the whole flow (default 60)")}},
    {"tlsalpn01-port",
     0,
     INT(tlsalpn01_port, 0, 65535),
     PORTCMDS,
     "PORT",
     {H(ACS_CMD_SERVER,
        "port of the tls-alpn-01 responder (default 5001; ephemeral when embedded)"),
      H(SE, "port the mock CA's tls-alpn-01 validation connects to (default 443)"),
      H(ACS_CMD_CLIENT, "port the client must answer tls-alpn-01 on, given to it as "
                        "{tlsalpn01_port} (default: a free port)"),
      H(MC, "port of the tls-alpn-01 responder (default 443)")}},
    {"validate-addr",
     0,
     STR(validate_addr),
     SE,
     "ADDR",
     {H(SE, "address every validation connects to (default 127.0.0.1)")}},
    {"verbose",
     'v',
     FLAG(verbose),
     RUNCMDS | ACS_CMD_LIST | MC,
     NULL,
     {H(ACS_CMD_LIST, "show each case's requirement, file and negative control"),
      H(MC, "print the transcript of every exchange on standard error"),
      H(RUNCMDS, "show evidence for every case, not only failures")}},
    {"version", 'V', FLAG(version), ALLCMDS, NULL, {H(ALLCMDS, "print the version")}},
    {"webroot",
     0,
     STR(webroot),
     MC,
     "DIR",
     {H(MC, "http-01: write DIR/.well-known/acme-challenge/TOKEN, no server")}},
    {"workdir",
     0,
     STR(workdir),
     SE,
     "DIR",
     {H(SE, "where the trust bundle and HTTPS certificate go (default: temporary)")}},
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const struct acs_cmd_info commands[] = {
    {ACS_CMD_SERVER, "server", "acmespec server [DIRECTORY_URL] [options]",
     "test an ACME server: the mock client runs the server cases against it",
     "Without DIRECTORY_URL the cases run against the embedded mock CA.", 0, 1, 0},
    {ACS_CMD_CLIENT, "client", "acmespec client [options] (--client NAME | -- COMMAND...)",
     "test an ACME client: the mock CA plays each scenario to COMMAND",
     "COMMAND may use the placeholders {directory}, {ca_bundle}, {domains}, {challenge}, "
     "{http01_port}, {tlsalpn01_port}, {dns_hook} and {webroot} (docs/case-format.md).",
     0, 0, 0},
    {ACS_CMD_SERVE, "serve", "acmespec serve [options]", "run the mock CA alone",
     "Runs the mock ACME CA until SIGINT or SIGTERM. Every scenario has its own state under "
     "https://ADDR:PORT/s/<scenario>/directory; unknown scenarios are created on first use "
     "with the --misbehave switches given.",
     0, 0, 0},
    {ACS_CMD_LIST, "list", "acmespec list [filters]", "list the case catalog", NULL, 0, 0, 0},
    {ACS_CMD_SELFTEST, "selftest", "acmespec selftest [options]",
     "every case against the conformant mock and its negative control", NULL, 0, 0, 0},
    {ACS_CMD_REPORT, "report", "acmespec report merge REPORT.json... [options]",
     "join the JSON reports of the shards of one run",
     "Reads the JSON reports of the shards (--shard I/N) of one run and writes one report: "
     "--json, --junit, --markdown and --html. A case found in two reports, or reports of "
     "different sides, profiles or strictness, are refused.",
     2, ACS_CLI_MAX_ARGS, 0},
    {ACS_CMD_DIFF, "diff", "acmespec diff OLD.json NEW.json",
     "what changed between two runs: regressions, fixes, other verdict changes",
     "Compares two JSON reports case by case. Exit 1 when the later run regressed (a case "
     "went from good to FAIL, XPASS or ERROR, a new case is bad, or a case disappeared), 0 "
     "otherwise, 2 when a report cannot be read or the runs are of different sides.",
     2, 2, 0},
    {ACS_CMD_EXPECT, "expect", "acmespec expect --from REPORT.json [-o FILE]",
     "draft an expectations file from a run",
     "Lists every FAIL, NONSTRICT and XFAIL of the run with an empty \"reason\": fill in each "
     "reason (acmespec refuses an empty one), then pass the file to --expect. "
     "docs/expectations.md describes the format.",
     0, 0, 0},
    {ACS_CMD_DEMO, "demo", "acmespec demo [options]",
     "a first FAIL in seconds: the server catalog against a misbehaving mock CA",
     "Runs the server cases against the embedded mock CA with one misbehaviour switched on "
     "(default accept-reused-nonce: a nonce used twice is accepted), so that a real FAIL "
     "shows its evidence: the RFC's words, expected against actual, the decoded transcript "
     "and the rerun command. Exits 1, as a gate would.",
     0, 0, 0},
    {ACS_CMD_MOCK_CLIENT, "mock-client",
     "acmespec mock-client --directory URL --domain NAME "
     "[options]",
     "the harness's own ACME client, conformant unless told to misbehave",
     "New account, new order, challenges, finalize, download (and --revoke). --misbehave "
     "breaks it on purpose: the negative controls of the client scenarios. Exit 0: "
     "certificate obtained; 1: the flow failed; 2: usage; 3: set-up. Under acmespec client, "
     "ACMESPEC_EAB_KID/ACMESPEC_EAB_HMAC, ACMESPEC_CONTACT, ACMESPEC_KEY_CHANGE=1 and "
     "ACMESPEC_REVOKE=1 stand for --eab-kid/--eab-hmac, --contact, --key-change and --revoke.",
     0, 0, 0},
    {ACS_CMD_DNS_HOOK, "dns-hook", "acmespec dns-hook set|clear NAME [VALUE]",
     "the dns-01 hook given to clients as {dns_hook}",
     "Puts (set, present) or removes (clear, cleanup) the TXT record NAME (the domain or "
     "_acme-challenge.DOMAIN) in the DNS server of a running acmespec client, which it "
     "reaches through $ACMESPEC_DNS_SOCKET.",
     2, 3, 1},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct acs_opt *acs_cli_options(size_t *n)
{
	*n = NOPTIONS;
	return options;
}

const struct acs_cmd_info *acs_cli_commands(size_t *n)
{
	*n = NCOMMANDS;
	return commands;
}

const char *acs_cli_opt_help(const struct acs_opt *o, enum acs_cli_cmd cmd)
{
	size_t i;

	if (!(o->cmds & (unsigned)cmd))
		return NULL;
	for (i = 0; i < ACS_OPT_HELPS && o->help[i].text != NULL; i++)
		if (o->help[i].cmds & (unsigned)cmd)
			return o->help[i].text;
	return "";
}

const char *acs_cli_cmd_name(enum acs_cli_cmd cmd)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == cmd)
			return commands[i].name;
	return "acmespec";
}

static const struct acs_cmd_info *cmd_info(enum acs_cli_cmd cmd)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (commands[i].cmd == cmd)
			return &commands[i];
	return NULL;
}

/* The parser's state: where messages go and which command's rules apply. */
struct parse {
	enum acs_cli_cmd cmd; /* ACS_CMD_TOP without a command */
	struct acs_cli *cli;
	char *msg;
	size_t msglen;
};

/*
 * The one message format: "acmespec CMD: TEXT", and with see_help
 * " (see acmespec CMD --help)". Returns -1.
 */
static int fail(const struct parse *p, int see_help, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const struct parse *p, int see_help, const char *fmt, ...)
{
	char text[400], prog[32];
	va_list ap;

	if (p->cmd == ACS_CMD_TOP || p->cmd == ACS_CMD_NONE)
		(void)snprintf(prog, sizeof(prog), "acmespec");
	else
		(void)snprintf(prog, sizeof(prog), "acmespec %s", acs_cli_cmd_name(p->cmd));
	va_start(ap, fmt);
	(void)vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (see_help)
		(void)snprintf(p->msg, p->msglen, "%s: %s (see %s --help)", prog, text, prog);
	else
		(void)snprintf(p->msg, p->msglen, "%s: %s", prog, text);
	return -1;
}

/*
 * The row of --name: the one for cmd when two rows share a name (list's
 * --json is a flag, the runs' --json takes a FILE), else the first.
 */
static const struct acs_opt *find_long(const char *name, size_t len, enum acs_cli_cmd cmd)
{
	const struct acs_opt *any = NULL;
	size_t i;

	for (i = 0; i < NOPTIONS; i++) {
		if (strlen(options[i].name) != len || strncmp(options[i].name, name, len) != 0)
			continue;
		if (options[i].cmds & (unsigned)cmd)
			return &options[i];
		if (any == NULL)
			any = &options[i];
	}
	return any;
}

static const struct acs_opt *find_short(char c)
{
	size_t i;

	for (i = 0; i < NOPTIONS; i++)
		if (options[i].shortname == c)
			return &options[i];
	return NULL;
}

static int set_int(const struct parse *p, const struct acs_opt *o, const char *val, int *field)
{
	char *end = NULL;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0' || v < o->min || v > o->max)
		return fail(p, 0, "option --%s: expected a number from %ld to %ld, got \"%s\"",
		            o->name, o->min, o->max, val);
	*field = (int)v;
	return 0;
}

static int set_double(const struct parse *p, const struct acs_opt *o, const char *val,
                      double *field)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(val, &end);
	if (errno != 0 || end == val || *end != '\0' || !(v > 0) || v > (double)o->max)
		return fail(p, 0, "option --%s: expected seconds above 0, at most %ld, got \"%s\"",
		            o->name, o->max, val);
	*field = v;
	return 0;
}

static int set_choice(const struct parse *p, const struct acs_opt *o, const char *val,
                      const char **field)
{
	char list[128] = "";
	size_t i, used = 0;

	for (i = 0; o->choices[i] != NULL; i++) {
		if (strcasecmp(o->choices[i], val) == 0) {
			*field = o->choices[i];
			return 0;
		}
	}
	for (i = 0; o->choices[i] != NULL && used < sizeof(list); i++) {
		const char *sep = i == 0 ? "" : o->choices[i + 1] == NULL ? " or " : ", ";
		int k = snprintf(list + used, sizeof(list) - used, "%s%s", sep, o->choices[i]);

		if (k > 0)
			used += (size_t)k;
	}
	return fail(p, 0, "option --%s: expected %s, got \"%s\"", o->name, list, val);
}

static int set_value(const struct parse *p, const struct acs_opt *o, const char *val)
{
	char *base = (char *)p->cli;

	switch (o->kind) {
	case ACS_OPT_FLAG:
		*(int *)(base + o->off) = 1;
		return 0;
	case ACS_OPT_STR:
		*(const char **)(base + o->off) = val;
		return 0;
	case ACS_OPT_INT:
		return set_int(p, o, val, (int *)(base + o->off));
	case ACS_OPT_DOUBLE:
		return set_double(p, o, val, (double *)(base + o->off));
	case ACS_OPT_CHOICE:
		return set_choice(p, o, val, (const char **)(base + o->off));
	case ACS_OPT_MULTI: {
		size_t *count = (size_t *)(base + o->count_off);
		const char **arr = (const char **)(base + o->off);

		if (*count >= (size_t)o->max)
			return fail(p, 0, "option --%s: given more than %ld times", o->name,
			            o->max);
		arr[(*count)++] = val;
		return 0;
	}
	}
	return fail(p, 0, "option --%s: unknown kind", o->name);
}

/* Defaults before parsing; a command applies the rest (e.g. its ports). */
static void set_defaults(struct acs_cli *cli, enum acs_cli_cmd cmd)
{
	memset(cli, 0, sizeof(*cli));
	cli->cmd = cmd == ACS_CMD_TOP ? ACS_CMD_NONE : cmd;
	cli->jobs = 1;
	cli->timeout = cmd == ACS_CMD_MOCK_CLIENT ? 60 : 30;
	/* unset: 5002/5001/8053 (Pebble's convention) against a URL, ephemeral when embedded */
	cli->http01_port = ACS_CLI_PORT_UNSET;
	cli->tlsalpn01_port = ACS_CLI_PORT_UNSET;
	cli->dns_port = ACS_CLI_PORT_UNSET;
	cli->plain_http_port = ACS_CLI_PORT_UNSET;
	cli->max_orders = -1;
	cli->max_accounts = -1;
	if (cmd == ACS_CMD_MOCK_CLIENT)
		cli->challenge = "http-01";
}

/*
 * One option at argv[*i]: find its row, check that the command accepts it,
 * take its value (inline "--opt=v" / "-jN", or the next argument).
 */
static int parse_option(const struct parse *p, int argc, char **argv, int *i)
{
	const char *arg = argv[*i];
	const struct acs_opt *o = NULL;
	const char *val = NULL;

	if (arg[1] == '-') {
		const char *eq = strchr(arg + 2, '=');
		size_t len = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);

		o = find_long(arg + 2, len, p->cmd);
		if (eq != NULL)
			val = eq + 1;
		if (o == NULL)
			return fail(p, 1, "unknown option --%.*s", (int)len, arg + 2);
	} else {
		o = find_short(arg[1]);
		if (o != NULL && arg[2] != '\0')
			val = arg + 2;
		if (o == NULL)
			return fail(p, 1, "unknown option -%c", arg[1]);
	}
	if (!(o->cmds & (unsigned)p->cmd))
		return fail(p, 1, "--%s is not an option of %s%s", o->name,
		            p->cmd == ACS_CMD_TOP ? "" : "acmespec ",
		            acs_cli_cmd_name(p->cmd == ACS_CMD_TOP ? ACS_CMD_NONE : p->cmd));
	if (o->kind == ACS_OPT_FLAG) {
		if (val != NULL)
			return fail(p, 0, "option --%s takes no value", o->name);
	} else if (val == NULL) {
		if (*i + 1 >= argc)
			return fail(p, 1, "option --%s needs a value %s", o->name, o->metavar);
		*i += 1;
		val = argv[*i];
	}
	return set_value(p, o, val);
}

/* A positional argument: the URL of server, the words of dns-hook. */
static int parse_positional(const struct parse *p, const char *arg)
{
	const struct acs_cmd_info *ci = cmd_info(p->cmd);
	struct acs_cli *cli = p->cli;

	if (ci == NULL || cli->nargs >= ci->max_args)
		return fail(p, 1, "unexpected argument \"%s\"", arg);
	cli->args[cli->nargs++] = arg;
	if (p->cmd == ACS_CMD_SERVER)
		cli->url = arg;
	return 0;
}

static int parse_args(const struct parse *p, int argc, char **argv, int first)
{
	const struct acs_cmd_info *ci = cmd_info(p->cmd);
	int i, rc = 0;

	for (i = first; i < argc && rc == 0; i++) {
		const char *arg = argv[i];
		int positional = arg[0] != '-' || arg[1] == '\0';

		if (ci != NULL && ci->options_first && p->cli->nargs > 0)
			positional = 1;
		if (strcmp(arg, "--") == 0 && !positional) {
			if (p->cmd != ACS_CMD_CLIENT)
				return fail(p, 1, "\"--\" is only for acmespec client -- COMMAND");
			p->cli->client_argv = argv + i + 1;
			p->cli->client_argc = argc - i - 1;
			break;
		}
		if (positional)
			rc = parse_positional(p, arg);
		else
			rc = parse_option(p, argc, argv, &i);
	}
	return rc;
}

/* The mock client's own needs, once every option is read. */
static int check_mock_client(const struct parse *p)
{
	const struct acs_cli *cli = p->cli;
	size_t i, names = cli->ndomains;
	const char *s = cli->domain_list;

	for (i = 0; i < cli->ndomains; i++)
		if (cli->domains[i][0] == '\0' || strlen(cli->domains[i]) > 250)
			return fail(p, 0,
			            "option --domain: expected a name of 1 to 250 "
			            "characters, got \"%s\"",
			            cli->domains[i]);
	while (s != NULL && *s != '\0') {
		size_t len = strcspn(s, ", ");

		if (len > 250)
			return fail(p, 0, "option --domains: a name longer than 250 characters");
		names += len > 0;
		s += len;
		s += *s != '\0';
	}
	if (names > 16)
		return fail(p, 0, "options --domain and --domains: more than 16 names");
	if (cli->directory == NULL || names == 0)
		return fail(p, 1, "--directory and --domain (or --domains) are required");
	if (cli->http01_port == 0 || cli->tlsalpn01_port == 0)
		return fail(p, 0, "option --%s: expected a number from 1 to 65535, got \"0\"",
		            cli->http01_port == 0 ? "http01-port" : "tlsalpn01-port");
	return 0;
}

/* acmespec server's real-world options, once every option is read. */
static int check_server(const struct parse *p)
{
	const struct acs_cli *cli = p->cli;
	char why[200];

	if (cli->domain_suffix != NULL &&
	    acs_dns_zone_check(cli->domain_suffix, why, sizeof(why)) != 0)
		return fail(p, 0, "option --domain-suffix: \"%.100s\" is not a DNS zone: %s",
		            cli->domain_suffix, why);
	if (cli->dns_hook != NULL && cli->dns_hook[strspn(cli->dns_hook, " \t")] == '\0')
		return fail(p, 0, "option --dns-hook: expected a command, got \"%s\"",
		            cli->dns_hook);
	if (cli->http01_webroot != NULL && cli->http01_webroot[0] == '\0')
		return fail(p, 0, "option --http01-webroot: expected a directory, got \"\"");
	if (cli->url == NULL && (cli->dns_hook != NULL || cli->http01_webroot != NULL))
		return fail(p, 0,
		            "--%s needs a DIRECTORY_URL: the embedded mock CA validates "
		            "against the built-in responders",
		            cli->dns_hook != NULL ? "dns-hook" : "http01-webroot");
	if (cli->http01_webroot != NULL && cli->http01_port != ACS_CLI_PORT_UNSET)
		return fail(p, 0, "give either --http01-webroot or --http01-port, not both");
	if (cli->dns_hook != NULL && cli->dns_port != ACS_CLI_PORT_UNSET)
		return fail(p, 0, "give either --dns-hook or --dns-port, not both");
	return 0;
}

/* --shard I/N into shard_index and shard_count. */
static int parse_shard(const struct parse *p)
{
	struct acs_cli *cli = p->cli;
	unsigned long i, n;
	char *end = NULL;
	const char *s = cli->shard;

	errno = 0;
	i = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '/' || s[0] == '-' || s[0] == '+')
		goto bad;
	s = end + 1;
	n = strtoul(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || s[0] == '+')
		goto bad;
	if (n < 1 || n > 1000 || i < 1 || i > n)
		goto bad;
	cli->shard_index = (unsigned)i;
	cli->shard_count = (unsigned)n;
	return 0;
bad:
	return fail(p, 0, "option --shard: expected I/N with 1 <= I <= N <= 1000, got \"%s\"",
	            cli->shard);
}

/* What holds across options, once every option is read. */
static int check_cli(const struct parse *p)
{
	const struct acs_cmd_info *ci = cmd_info(p->cmd);
	const struct acs_cli *cli = p->cli;

	if (p->cmd == ACS_CMD_TOP)
		return fail(p, 1, "no command given");
	if (ci != NULL && cli->nargs < ci->min_args)
		return fail(p, 1, "expected %s",
		            ci->usage + strlen("acmespec ") + strlen(ci->name) + 1);
	if ((cli->eab_kid == NULL) != (cli->eab_hmac == NULL))
		return fail(p, 0, "options --eab-kid and --eab-hmac go together");
	if (p->cmd == ACS_CMD_CLIENT && cli->client_argc == 0 && cli->client_name == NULL)
		return fail(p, 1, "--client NAME or a command after \"--\" is required");
	if (p->cmd == ACS_CMD_CLIENT && cli->client_argc > 0 && cli->client_name != NULL)
		return fail(p, 0, "give either --client NAME or a command after \"--\", not both");
	if (cli->shard != NULL && parse_shard(p) != 0)
		return -1;
	if (p->cmd == ACS_CMD_REPORT && strcmp(cli->args[0], "merge") != 0)
		return fail(p, 1, "unknown report command \"%s\": expected merge", cli->args[0]);
	if (p->cmd == ACS_CMD_EXPECT && cli->from == NULL)
		return fail(p, 1, "--from REPORT.json is required");
	if (p->cmd == ACS_CMD_MOCK_CLIENT)
		return check_mock_client(p);
	if (p->cmd == ACS_CMD_SERVER)
		return check_server(p);
	return 0;
}

static int parse_from(enum acs_cli_cmd cmd, int argc, char **argv, int first, struct acs_cli *cli,
                      char *msg, size_t msglen)
{
	struct parse p = {cmd, cli, msg, msglen};

	set_defaults(cli, cmd);
	msg[0] = '\0';
	if (parse_args(&p, argc, argv, first) != 0)
		return -1;
	if (cli->help || cli->version || cli->man)
		return 0;
	return check_cli(&p);
}

int acs_cli_parse_cmd(enum acs_cli_cmd cmd, int argc, char **argv, struct acs_cli *cli, char *msg,
                      size_t msglen)
{
	return parse_from(cmd, argc, argv, 1, cli, msg, msglen);
}

int acs_cli_parse(int argc, char **argv, struct acs_cli *cli, char *msg, size_t msglen)
{
	size_t c;

	if (argc > 1 && argv[1][0] != '-') {
		for (c = 0; c < NCOMMANDS; c++)
			if (strcmp(argv[1], commands[c].name) == 0)
				return parse_from(commands[c].cmd, argc, argv, 2, cli, msg, msglen);
		set_defaults(cli, ACS_CMD_TOP);
		(void)snprintf(msg, msglen,
		               "acmespec: unknown command \"%s\" (see acmespec --help)", argv[1]);
		return -1;
	}
	return parse_from(ACS_CMD_TOP, argc, argv, 1, cli, msg, msglen);
}
