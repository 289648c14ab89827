/*
 * The option table of cli/cli.c: one message format for every command
 * (unknown option, missing value, an option of another command, a value
 * out of range), repeatable options, --help and the manual page made from
 * the table (every row a command accepts, and none it does not), and
 * serve's and mock-client's options landing in the right fields.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_table.h"

#define ARGC(v) ((int)(sizeof(v) / sizeof((v)[0])))

static struct acs_cli cli;
static char msg[512];

/* acs_cli_parse on a whole command line; its return value. */
static int parse(int argc, char **argv)
{
	return acs_cli_parse(argc, argv, &cli, msg, sizeof(msg));
}

/* Parse argv, expecting a refusal with exactly want. */
static void refused(int argc, char **argv, const char *want)
{
	CU_ASSERT_EQUAL(parse(argc, argv), -1);
	CU_ASSERT_STRING_EQUAL(msg, want);
}

static void test_unknown_option(void)
{
	char *a[] = {"acmespec", "serve", "--bogus"};
	char *b[] = {"acmespec", "server", "-z"};
	char *c[] = {"acmespec", "dns-hook", "--bogus=1", "set", "n"};
	char *d[] = {"acmespec", "nosuch"};
	char *e[] = {"acmespec"};

	refused(ARGC(a), a, "acmespec serve: unknown option --bogus (see acmespec serve --help)");
	refused(ARGC(b), b, "acmespec server: unknown option -z (see acmespec server --help)");
	refused(ARGC(c), c,
	        "acmespec dns-hook: unknown option --bogus (see acmespec dns-hook --help)");
	refused(ARGC(d), d, "acmespec: unknown command \"nosuch\" (see acmespec --help)");
	refused(ARGC(e), e, "acmespec: no command given (see acmespec --help)");
}

static void test_missing_value(void)
{
	char *a[] = {"acmespec", "server", "--bind"};
	char *b[] = {"acmespec", "serve", "--port"};
	char *c[] = {"mock-client", "--directory"};

	refused(ARGC(a), a,
	        "acmespec server: option --bind needs a value ADDR (see acmespec server --help)");
	refused(ARGC(b), b,
	        "acmespec serve: option --port needs a value PORT (see acmespec serve --help)");
	CU_ASSERT_EQUAL(acs_cli_parse_cmd(ACS_CMD_MOCK_CLIENT, ARGC(c), c, &cli, msg, sizeof(msg)),
	                -1);
	CU_ASSERT_STRING_EQUAL(msg, "acmespec mock-client: option --directory needs a value URL "
	                            "(see acmespec mock-client --help)");
}

static void test_not_for_command(void)
{
	char *a[] = {"acmespec", "serve", "--junit", "r.xml"};
	char *b[] = {"acmespec", "list", "--port", "1"};
	char *c[] = {"acmespec", "--jobs", "2"};
	char *d[] = {"acmespec", "server", "--", "x"};
	char *e[] = {"acmespec", "list", "--verbose=yes"};

	refused(ARGC(a), a,
	        "acmespec serve: --junit is not an option of acmespec serve (see acmespec serve "
	        "--help)");
	refused(
	    ARGC(b), b,
	    "acmespec list: --port is not an option of acmespec list (see acmespec list --help)");
	refused(ARGC(c), c, "acmespec: --jobs is not an option of acmespec (see acmespec --help)");
	refused(ARGC(d), d,
	        "acmespec server: \"--\" is only for acmespec client -- COMMAND (see acmespec "
	        "server --help)");
	refused(ARGC(e), e, "acmespec list: option --verbose takes no value");
}

static void test_repeatable(void)
{
	char *a[] = {"acmespec", "list", "--case", "a*", "--case=b*", "--tag", "nonce"};
	char *b[] = {"mock-client",     "--directory", "https://ca.test/dir", "--domain",
	             "a.test",          "--contact",   "mailto:1@a.test",     "--contact",
	             "mailto:2@a.test", "--contact",   "mailto:3@a.test",     "--contact",
	             "mailto:4@a.test", "--contact",   "mailto:5@a.test",     "--contact",
	             "mailto:6@a.test", "--contact",   "mailto:7@a.test",     "--contact",
	             "mailto:8@a.test", "--contact",   "mailto:9@a.test"};

	CU_ASSERT_EQUAL_FATAL(parse(ARGC(a), a), 0);
	CU_ASSERT_EQUAL(cli.cmd, ACS_CMD_LIST);
	CU_ASSERT_EQUAL(cli.nglobs, 2);
	CU_ASSERT_STRING_EQUAL(cli.globs[0], "a*");
	CU_ASSERT_STRING_EQUAL(cli.globs[1], "b*");
	CU_ASSERT_EQUAL(cli.ntags, 1);
	/* --contact takes up to 8 */
	CU_ASSERT_EQUAL(
	    acs_cli_parse_cmd(ACS_CMD_MOCK_CLIENT, ARGC(b) - 2, b, &cli, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(cli.ncontacts, 8);
	CU_ASSERT_EQUAL(acs_cli_parse_cmd(ACS_CMD_MOCK_CLIENT, ARGC(b), b, &cli, msg, sizeof(msg)),
	                -1);
	CU_ASSERT_STRING_EQUAL(msg, "acmespec mock-client: option --contact: given more than 8 "
	                            "times");
}

static void test_range(void)
{
	char *zero[] = {"acmespec", "server", "-j", "0"};
	char *word[] = {"acmespec", "server", "-j", "abc"};
	char *big[] = {"acmespec", "selftest", "--jobs=65"};
	char *inl[] = {"acmespec", "selftest", "-j3"};
	char *port[] = {"acmespec", "serve", "--port", "65536"};
	char *t0[] = {"acmespec", "server", "--timeout", "0"};
	char *tw[] = {"acmespec", "server", "--timeout", "soon"};
	char *lvl[] = {"acmespec", "list", "--level", "SHOULD"};
	char *badlvl[] = {"acmespec", "list", "--level", "often"};

	refused(ARGC(zero), zero,
	        "acmespec server: option --jobs: expected a number from 1 to 64, got \"0\"");
	refused(ARGC(word), word,
	        "acmespec server: option --jobs: expected a number from 1 to 64, got \"abc\"");
	refused(ARGC(big), big,
	        "acmespec selftest: option --jobs: expected a number from 1 to 64, got \"65\"");
	CU_ASSERT_EQUAL(parse(ARGC(inl), inl), 0);
	CU_ASSERT_EQUAL(cli.jobs, 3);
	refused(ARGC(port), port,
	        "acmespec serve: option --port: expected a number from 0 to 65535, got \"65536\"");
	refused(ARGC(t0), t0,
	        "acmespec server: option --timeout: expected seconds above 0, at most 86400, got "
	        "\"0\"");
	refused(ARGC(tw), tw,
	        "acmespec server: option --timeout: expected seconds above 0, at most 86400, got "
	        "\"soon\"");
	CU_ASSERT_EQUAL(parse(ARGC(lvl), lvl), 0);
	CU_ASSERT_STRING_EQUAL(cli.level, "should");
	refused(ARGC(badlvl), badlvl,
	        "acmespec list: option --level: expected must, should or may, got \"often\"");
}

/* s with every run of blanks and newlines as one space (--help folds long lines). */
static char *squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1);
	size_t k = 0;

	if (out == NULL)
		return NULL;
	for (; *s != '\0'; s++) {
		int blank = *s == ' ' || *s == '\n';

		if (!blank)
			out[k++] = *s;
		else if (k > 0 && out[k - 1] != ' ')
			out[k++] = ' ';
	}
	out[k] = '\0';
	return out;
}

/* s as roff writes it: every "-" as "\-". */
static void roffed(const char *s, char *out, size_t outlen)
{
	size_t k = 0;

	for (; *s != '\0' && k + 3 < outlen; s++) {
		if (*s == '-')
			out[k++] = '\\';
		out[k++] = *s;
	}
	out[k] = '\0';
}

/* The long names listed in the options section of a --help text, as " name " words. */
static void listed_options(const char *help, char *out, size_t outlen)
{
	const char *line = strstr(help, "\noptions:\n");
	size_t used = 0;

	out[0] = '\0';
	while (line != NULL && *line != '\0') {
		const char *opt = NULL;

		line++;
		/* "  -j, --jobs N" or "      --bind ADDR" */
		if (strncmp(line, "  -", 3) == 0 && line[3] != '-' &&
		    strncmp(line + 4, ", --", 4) == 0)
			opt = line + 6;
		else if (strncmp(line, "      --", 8) == 0)
			opt = line + 6;
		if (opt != NULL && used + 2 < outlen) {
			size_t len = strcspn(opt + 2, " \n");
			int k = snprintf(out + used, outlen - used, " %.*s ", (int)len, opt + 2);

			used += k > 0 ? (size_t)k : 0;
		}
		line = strchr(line, '\n');
	}
}

/* 1 when a row named name is accepted by cmd. */
static int name_accepted(const struct acs_opt *opts, size_t no, const char *name,
                         enum acs_cli_cmd cmd)
{
	size_t i;

	for (i = 0; i < no; i++)
		if (strcmp(opts[i].name, name) == 0 && (opts[i].cmds & (unsigned)cmd))
			return 1;
	return 0;
}

/* list --json is a flag, the runs' --json takes a FILE: one name, two rows. */
static void test_json_rows(void)
{
	char *a[] = {"acmespec", "list", "--json", "--tags"};
	char *b[] = {"acmespec", "server", "--json", "r.json"};
	char *c[] = {"acmespec", "report", "merge", "a.json", "b.json", "--json", "-"};
	char *d[] = {"acmespec", "expect", "-o", "x.json"};

	CU_ASSERT_EQUAL(parse(ARGC(a), a), 0);
	CU_ASSERT_EQUAL(cli.list_json, 1);
	CU_ASSERT_EQUAL(cli.list_tags, 1);
	CU_ASSERT_PTR_NULL(cli.json);
	CU_ASSERT_EQUAL(parse(ARGC(b), b), 0);
	CU_ASSERT_STRING_EQUAL(cli.json, "r.json");
	CU_ASSERT_EQUAL(cli.list_json, 0);
	CU_ASSERT_EQUAL(parse(ARGC(c), c), 0);
	CU_ASSERT_EQUAL(cli.nargs, 3);
	CU_ASSERT_STRING_EQUAL(cli.json, "-");
	refused(ARGC(d), d,
	        "acmespec expect: --from REPORT.json is required (see acmespec expect --help)");
}

static void test_help_from_table(void)
{
	const struct acs_cmd_info *cmds;
	const struct acs_opt *opts;
	size_t nc, no, c, i;

	cmds = acs_cli_commands(&nc);
	opts = acs_cli_options(&no);
	for (c = 0; c <= nc; c++) {
		enum acs_cli_cmd cmd = c < nc ? cmds[c].cmd : ACS_CMD_TOP;
		char *text = NULL, *flat, names[4096], word[64];
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		CU_ASSERT_PTR_NOT_NULL_FATAL(f);
		acs_cli_help(f, cmd);
		fclose(f);
		listed_options(text, names, sizeof(names));
		flat = squeeze(text);
		CU_ASSERT_PTR_NOT_NULL_FATAL(flat);
		for (i = 0; i < no; i++) {
			const char *help = acs_cli_opt_help(&opts[i], cmd);

			(void)snprintf(word, sizeof(word), " %s ", opts[i].name);
			if (help != NULL) {
				char *h = squeeze(help);

				CU_ASSERT_PTR_NOT_NULL(strstr(names, word));
				CU_ASSERT_PTR_NOT_NULL(h != NULL ? strstr(flat, h) : NULL);
				free(h);
			} else if (!name_accepted(opts, no, opts[i].name, cmd)) {
				/* (two rows may share a name, one per command: --json) */
				CU_ASSERT_PTR_NULL(strstr(names, word));
			}
		}
		free(flat);
		free(text);
	}
}

/* The help line of one option for one command, as --help prints it. */
static void test_help_per_command(void)
{
	const struct acs_opt *opts, *bind = NULL;
	size_t n, i;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	opts = acs_cli_options(&n);
	for (i = 0; i < n; i++)
		if (strcmp(opts[i].name, "bind") == 0)
			bind = &opts[i];
	CU_ASSERT_PTR_NOT_NULL_FATAL(bind);
	CU_ASSERT_PTR_NOT_NULL(strstr(acs_cli_opt_help(bind, ACS_CMD_SERVE), "mock CA listens"));
	CU_ASSERT_PTR_NOT_NULL(strstr(acs_cli_opt_help(bind, ACS_CMD_SERVER), "responders"));
	CU_ASSERT_PTR_NULL(acs_cli_opt_help(bind, ACS_CMD_LIST));
	f = open_memstream(&text, &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	acs_cli_help(f, ACS_CMD_SERVE);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "usage: acmespec serve"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "address the mock CA listens on"));
	CU_ASSERT_PTR_NULL(strstr(text, "challenge responders listen"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nmisbehaviours:\n"));
	free(text);
}

static void test_man_has_every_option(void)
{
	const struct acs_cmd_info *cmds;
	const struct acs_opt *opts;
	char *text = NULL, want[96];
	size_t len = 0, n, i;
	FILE *f = open_memstream(&text, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	acs_cli_man(f);
	fclose(f);
	CU_ASSERT(strncmp(text, ".TH ACMESPEC 1 ", 15) == 0);
	opts = acs_cli_options(&n);
	for (i = 0; i < n; i++) {
		char name[64];

		roffed(opts[i].name, name, sizeof(name));
		(void)snprintf(want, sizeof(want), "\\fB\\-\\-%s\\fR", name);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	}
	cmds = acs_cli_commands(&n);
	for (i = 0; i < n; i++) {
		char name[64];

		roffed(cmds[i].name, name, sizeof(name));
		(void)snprintf(want, sizeof(want), ".SS \"acmespec %s", name);
		CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	}
	free(text);
}

static void test_serve_fields(void)
{
	char *a[] = {"acmespec",
	             "serve",
	             "--bind",
	             "127.0.0.2",
	             "--port",
	             "14000",
	             "--http01-port",
	             "5002",
	             "--tlsalpn01-port=5001",
	             "--plain-http",
	             "0",
	             "--dns-server",
	             "127.0.0.1:8053",
	             "--validate-addr",
	             "127.0.0.3",
	             "--workdir",
	             "/tmp/w",
	             "--eab-kid",
	             "kid-1",
	             "--eab-hmac",
	             "c2VjcmV0",
	             "--misbehave",
	             "bad-nonce=2",
	             "--misbehave",
	             "rate-limited",
	             "--scenario",
	             "s1"};
	char *d[] = {"acmespec", "serve"};
	char *e[] = {"acmespec", "serve", "--eab-kid", "kid-1"};

	CU_ASSERT_EQUAL_FATAL(parse(ARGC(a), a), 0);
	CU_ASSERT_EQUAL(cli.cmd, ACS_CMD_SERVE);
	CU_ASSERT_STRING_EQUAL(cli.bind, "127.0.0.2");
	CU_ASSERT_EQUAL(cli.port, 14000);
	CU_ASSERT_EQUAL(cli.http01_port, 5002);
	CU_ASSERT_EQUAL(cli.tlsalpn01_port, 5001);
	CU_ASSERT_EQUAL(cli.plain_http_port, 0);
	CU_ASSERT_STRING_EQUAL(cli.dns_server, "127.0.0.1:8053");
	CU_ASSERT_STRING_EQUAL(cli.validate_addr, "127.0.0.3");
	CU_ASSERT_STRING_EQUAL(cli.workdir, "/tmp/w");
	CU_ASSERT_STRING_EQUAL(cli.eab_kid, "kid-1");
	CU_ASSERT_STRING_EQUAL(cli.eab_hmac, "c2VjcmV0");
	CU_ASSERT_EQUAL_FATAL(cli.nmisbehaviours, 2);
	CU_ASSERT_STRING_EQUAL(cli.misbehaviours[0], "bad-nonce=2");
	CU_ASSERT_STRING_EQUAL(cli.misbehaviours[1], "rate-limited");
	CU_ASSERT_STRING_EQUAL(cli.scenario, "s1");
	/* the defaults: ephemeral HTTPS port, no plain HTTP, the mock CA's validation ports */
	CU_ASSERT_EQUAL_FATAL(parse(ARGC(d), d), 0);
	CU_ASSERT_EQUAL(cli.port, 0);
	CU_ASSERT_EQUAL(cli.plain_http_port, ACS_CLI_PORT_UNSET);
	CU_ASSERT_EQUAL(cli.http01_port, ACS_CLI_PORT_UNSET);
	CU_ASSERT_PTR_NULL(cli.scenario);
	refused(ARGC(e), e, "acmespec serve: options --eab-kid and --eab-hmac go together");
}

static void test_mock_client_fields(void)
{
	char *a[] = {"mock-client",
	             "--directory",
	             "https://ca.test/dir",
	             "--domain",
	             "a.test",
	             "--domains",
	             "b.test,c.test",
	             "--contact",
	             "mailto:a@b.test",
	             "--challenge",
	             "DNS-01",
	             "--no-agree-tos",
	             "--revoke",
	             "--key-change",
	             "--timeout",
	             "10",
	             "--misbehave",
	             "tight-poll",
	             "--misbehave",
	             "no-jwk-no-kid",
	             "--webroot",
	             "/w",
	             "--cert-out",
	             "c.pem",
	             "--dns-hook",
	             "acmespec dns-hook",
	             "--eab-kid",
	             "k",
	             "--eab-hmac",
	             "m",
	             "--http01-port",
	             "8080",
	             "--tlsalpn01-port",
	             "8443",
	             "--bind",
	             "127.0.0.2",
	             "--ca-bundle",
	             "ca.pem",
	             "--verbose"};
	char *b[] = {"mock-client", "--domain", "a.test"};
	char *c[] = {"mock-client", "--directory", "https://ca.test/dir", "--domain",
	             "a.test",      "--challenge", "tls-sni-01"};
	char *d[] = {"mock-client", "--directory", "https://ca.test/dir", "--domain", "a.test"};
	char *e[] = {"acmespec", "mock-client", "--directory", "https://ca.test/dir",
	             "--domain", "a.test",      "--junit",     "x"};
	enum acs_cli_cmd mc = ACS_CMD_MOCK_CLIENT;

	CU_ASSERT_EQUAL_FATAL(acs_cli_parse_cmd(mc, ARGC(a), a, &cli, msg, sizeof(msg)), 0);
	CU_ASSERT_EQUAL(cli.cmd, ACS_CMD_MOCK_CLIENT);
	CU_ASSERT_STRING_EQUAL(cli.directory, "https://ca.test/dir");
	CU_ASSERT_EQUAL(cli.ndomains, 1);
	CU_ASSERT_STRING_EQUAL(cli.domains[0], "a.test");
	CU_ASSERT_STRING_EQUAL(cli.domain_list, "b.test,c.test");
	CU_ASSERT_EQUAL(cli.ncontacts, 1);
	CU_ASSERT_STRING_EQUAL(cli.challenge, "dns-01");
	CU_ASSERT(cli.no_agree_tos && cli.revoke && cli.key_change && cli.verbose);
	CU_ASSERT_DOUBLE_EQUAL(cli.timeout, 10.0, 1e-9);
	CU_ASSERT_EQUAL(cli.nmisbehaviours, 2);
	CU_ASSERT_STRING_EQUAL(cli.webroot, "/w");
	CU_ASSERT_STRING_EQUAL(cli.cert_out, "c.pem");
	CU_ASSERT_STRING_EQUAL(cli.dns_hook, "acmespec dns-hook");
	CU_ASSERT_EQUAL(cli.http01_port, 8080);
	CU_ASSERT_EQUAL(cli.tlsalpn01_port, 8443);
	CU_ASSERT_STRING_EQUAL(cli.bind, "127.0.0.2");
	CU_ASSERT_STRING_EQUAL(cli.ca_bundle, "ca.pem");
	CU_ASSERT_EQUAL(acs_cli_parse_cmd(mc, ARGC(b), b, &cli, msg, sizeof(msg)), -1);
	CU_ASSERT_STRING_EQUAL(msg, "acmespec mock-client: --directory and --domain (or --domains) "
	                            "are required (see acmespec mock-client --help)");
	CU_ASSERT_EQUAL(acs_cli_parse_cmd(mc, ARGC(c), c, &cli, msg, sizeof(msg)), -1);
	CU_ASSERT_STRING_EQUAL(msg, "acmespec mock-client: option --challenge: expected http-01, "
	                            "dns-01, tls-alpn-01, dns-account-01 or dns-persist-01, got "
	                            "\"tls-sni-01\"");
	/* the defaults: http-01, a minute for the whole flow, ports left to the client */
	CU_ASSERT_EQUAL_FATAL(acs_cli_parse_cmd(mc, ARGC(d), d, &cli, msg, sizeof(msg)), 0);
	CU_ASSERT_STRING_EQUAL(cli.challenge, "http-01");
	CU_ASSERT_DOUBLE_EQUAL(cli.timeout, 60.0, 1e-9);
	CU_ASSERT_EQUAL(cli.http01_port, ACS_CLI_PORT_UNSET);
	refused(ARGC(e), e,
	        "acmespec mock-client: --junit is not an option of acmespec mock-client (see "
	        "acmespec mock-client --help)");
}

static void test_dns_hook_words(void)
{
	/* a TXT value may start with "-": after the first word nothing is an option */
	char *a[] = {"acmespec", "dns-hook", "set", "_acme-challenge.a.test", "-Zx_9"};
	char *b[] = {"acmespec", "dns-hook", "set"};
	char *c[] = {"acmespec", "dns-hook", "--help"};

	CU_ASSERT_EQUAL_FATAL(parse(ARGC(a), a), 0);
	CU_ASSERT_EQUAL(cli.cmd, ACS_CMD_DNS_HOOK);
	CU_ASSERT_EQUAL(cli.nargs, 3);
	CU_ASSERT_STRING_EQUAL(cli.args[2], "-Zx_9");
	refused(ARGC(b), b,
	        "acmespec dns-hook: expected set|clear NAME [VALUE] (see acmespec dns-hook "
	        "--help)");
	CU_ASSERT_EQUAL(parse(ARGC(c), c), 0);
	CU_ASSERT(cli.help);
}

static void test_server_and_client(void)
{
	char *a[] = {"acmespec", "server", "-j", "4", "https://ca.test/dir", "--no-color"};
	char *b[] = {"acmespec", "server", "https://a.test/dir", "https://b.test/dir"};
	char *c[] = {"acmespec", "client", "--case", "x", "--", "certbot", "--domain", "a"};

	CU_ASSERT_EQUAL_FATAL(parse(ARGC(a), a), 0);
	CU_ASSERT_STRING_EQUAL(cli.url, "https://ca.test/dir");
	CU_ASSERT_EQUAL(cli.jobs, 4);
	CU_ASSERT(cli.no_color);
	CU_ASSERT_EQUAL(cli.http01_port, ACS_CLI_PORT_UNSET);
	refused(ARGC(b), b,
	        "acmespec server: unexpected argument \"https://b.test/dir\" (see acmespec server "
	        "--help)");
	CU_ASSERT_EQUAL_FATAL(parse(ARGC(c), c), 0);
	CU_ASSERT_EQUAL(cli.client_argc, 3);
	CU_ASSERT_STRING_EQUAL(cli.client_argv[0], "certbot");
	CU_ASSERT_EQUAL(cli.nglobs, 1);
}

/* server's real-world options: where they land, and the values refused */
static void test_server_realworld(void)
{
	char *a[] = {"acmespec",
	             "server",
	             "https://ca.test/dir",
	             "--domain-suffix",
	             "acme.example.org",
	             "--dns-hook",
	             "/bin/hook arg",
	             "--http01-webroot",
	             "/var/www",
	             "--max-orders",
	             "7",
	             "--max-accounts=0"};
	char *b[] = {"acmespec", "server", "https://ca.test/dir"};
	char *c[] = {"acmespec", "server", "https://ca.test/dir", "--domain-suffix", "a..b"};
	char *d[] = {"acmespec", "server", "https://ca.test/dir", "--domain-suffix", "-a.b"};
	char *e[] = {"acmespec", "server", "--dns-hook", "/bin/hook"};
	char *f[] = {"acmespec",      "server", "https://ca.test/dir", "--http01-webroot", "/w",
	             "--http01-port", "80"};
	char *g[] = {"acmespec",   "server", "https://ca.test/dir", "--dns-hook", "h",
	             "--dns-port", "53"};
	char *h[] = {"acmespec", "server", "https://ca.test/dir", "--max-orders", "-2"};
	char *i[] = {"acmespec", "server", "https://ca.test/dir", "--dns-hook", "  "};
	char *j[] = {"acmespec", "client", "--max-orders", "2", "--client", "certbot"};

	CU_ASSERT_EQUAL_FATAL(parse(ARGC(a), a), 0);
	CU_ASSERT_STRING_EQUAL(cli.domain_suffix, "acme.example.org");
	CU_ASSERT_STRING_EQUAL(cli.dns_hook, "/bin/hook arg");
	CU_ASSERT_STRING_EQUAL(cli.http01_webroot, "/var/www");
	CU_ASSERT_EQUAL(cli.max_orders, 7);
	CU_ASSERT_EQUAL(cli.max_accounts, 0);
	/* no budget unless given */
	CU_ASSERT_EQUAL_FATAL(parse(ARGC(b), b), 0);
	CU_ASSERT_EQUAL(cli.max_orders, -1);
	CU_ASSERT_EQUAL(cli.max_accounts, -1);
	CU_ASSERT_PTR_NULL(cli.domain_suffix);
	refused(ARGC(c), c,
	        "acmespec server: option --domain-suffix: \"a..b\" is not a DNS zone: an empty "
	        "label (a leading, trailing or double dot)");
	refused(ARGC(d), d,
	        "acmespec server: option --domain-suffix: \"-a.b\" is not a DNS zone: label "
	        "\"-a\" starts with a hyphen");
	refused(ARGC(e), e,
	        "acmespec server: --dns-hook needs a DIRECTORY_URL: the embedded mock CA "
	        "validates against the built-in responders");
	refused(ARGC(f), f,
	        "acmespec server: give either --http01-webroot or --http01-port, not both");
	refused(ARGC(g), g, "acmespec server: give either --dns-hook or --dns-port, not both");
	refused(ARGC(h), h,
	        "acmespec server: option --max-orders: expected a number from 0 to 1000000, got "
	        "\"-2\"");
	refused(ARGC(i), i, "acmespec server: option --dns-hook: expected a command, got \"  \"");
	refused(ARGC(j), j,
	        "acmespec client: --max-orders is not an option of acmespec client (see acmespec "
	        "client --help)");
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("cli", NULL, NULL);

	CU_add_test(s, "unknown_option", test_unknown_option);
	CU_add_test(s, "missing_value", test_missing_value);
	CU_add_test(s, "not_for_command", test_not_for_command);
	CU_add_test(s, "repeatable", test_repeatable);
	CU_add_test(s, "range", test_range);
	CU_add_test(s, "help_from_table", test_help_from_table);
	CU_add_test(s, "help_per_command", test_help_per_command);
	CU_add_test(s, "man_has_every_option", test_man_has_every_option);
	CU_add_test(s, "serve_fields", test_serve_fields);
	CU_add_test(s, "mock_client_fields", test_mock_client_fields);
	CU_add_test(s, "dns_hook_words", test_dns_hook_words);
	CU_add_test(s, "server_and_client", test_server_and_client);
	CU_add_test(s, "json_rows", test_json_rows);
	CU_add_test(s, "server_realworld", test_server_realworld);
}
