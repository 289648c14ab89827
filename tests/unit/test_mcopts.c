/*
 * The options of `acmespec mock-client` (acs_mc_parse_opts): what each
 * fills, the misbehaviours sorted into their kinds by the one table, and
 * the usage errors.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli_mockclient.h"
#include "mockclient/misbehave.h"

#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])))

static void test_defaults_and_values(void)
{
	char *argv[] = {"mock-client",
	                "--directory",
	                "https://ca.test/dir",
	                "--domain",
	                "a.test",
	                "--domains",
	                "b.test, c.test,d.test",
	                "--challenge",
	                "dns-01",
	                "--dns-hook",
	                "/bin/true",
	                "--contact",
	                "mailto:a@b.test",
	                "--eab-kid",
	                "k",
	                "--eab-hmac",
	                "aG1hYw",
	                "--http01-port",
	                "5002",
	                "--timeout",
	                "9",
	                "--no-agree-tos",
	                "--revoke",
	                "--key-change",
	                "--verbose"};
	struct acs_mc_opts o;

	acs_mc_opts_init(&o);
	CU_ASSERT_STRING_EQUAL(o.challenge, "http-01");
	CU_ASSERT_EQUAL(o.http01_port, 80);
	CU_ASSERT_EQUAL(o.tlsalpn01_port, 443);
	CU_ASSERT_EQUAL(o.timeout_s, 60);
	CU_ASSERT_EQUAL(o.agree_tos, 1);
	CU_ASSERT_EQUAL_FATAL(acs_mc_parse_opts(&o, ARGC(argv), argv), 0);
	CU_ASSERT_STRING_EQUAL(o.directory, "https://ca.test/dir");
	CU_ASSERT_EQUAL_FATAL(o.nnames, 4);
	CU_ASSERT_STRING_EQUAL(o.names[0], "a.test");
	CU_ASSERT_STRING_EQUAL(o.names[1], "b.test");
	CU_ASSERT_STRING_EQUAL(o.names[2], "c.test");
	CU_ASSERT_STRING_EQUAL(o.names[3], "d.test");
	CU_ASSERT_STRING_EQUAL(o.challenge, "dns-01");
	CU_ASSERT_STRING_EQUAL(o.dns_hook, "/bin/true");
	CU_ASSERT_EQUAL(o.ncontacts, 1);
	CU_ASSERT_STRING_EQUAL(o.eab_kid, "k");
	CU_ASSERT_EQUAL(o.http01_port, 5002);
	CU_ASSERT_EQUAL(o.timeout_s, 9);
	CU_ASSERT_EQUAL(o.agree_tos, 0);
	CU_ASSERT_EQUAL(o.revoke, 1);
	CU_ASSERT_EQUAL(o.key_change, 1);
	CU_ASSERT_EQUAL(o.verbose, 1);
	acs_mc_opts_free(&o);
}

static void test_misbehaviour_kinds(void)
{
	char *argv[] = {"mock-client",    "--directory", "https://ca.test/dir", "--domain",
	                "a.test",         "--misbehave", "tight-poll",          "--misbehave",
	                "nonce-reuse",    "--misbehave", "inner-kid",           "--misbehave",
	                "csr-account-key"};
	struct acs_mc_opts o;

	acs_mc_opts_init(&o);
	CU_ASSERT_EQUAL_FATAL(acs_mc_parse_opts(&o, ARGC(argv), argv), 0);
	CU_ASSERT_EQUAL(o.sw, ACS_SW_BIT(ACS_SW_TIGHT_POLL) | ACS_SW_BIT(ACS_SW_CSR_ACCOUNT_KEY));
	CU_ASSERT_EQUAL(o.mis, ACS_MIS_BIT(ACS_MIS_NONCE_REUSE));
	CU_ASSERT_EQUAL(o.inner_mis, ACS_MIS_BIT(ACS_MIS_INNER_KID));
	acs_mc_opts_free(&o);
}

static void test_usage_errors(void)
{
	char *no_dir[] = {"mock-client", "--domain", "a.test"};
	char *bad_mis[] = {"mock-client", "--directory", "https://x", "--domain",
	                   "a",           "--misbehave", "nope"};
	char *bad_port[] = {"mock-client", "--directory",   "https://x", "--domain",
	                    "a",           "--http01-port", "0"};
	char *bad_chal[] = {"mock-client", "--directory", "https://x", "--domain",
	                    "a",           "--challenge", "tls-sni-01"};
	char *half_eab[] = {"mock-client", "--directory", "https://x", "--domain",
	                    "a",           "--eab-kid",   "k"};
	char *extra[] = {"mock-client", "--directory", "https://x", "--domain", "a", "stray"};
	struct acs_mc_opts o;

	fprintf(stderr, "(usage errors expected below)\n");
	acs_mc_opts_init(&o);
	CU_ASSERT_EQUAL(acs_mc_parse_opts(&o, ARGC(no_dir), no_dir), -1);
	acs_mc_opts_free(&o);
	acs_mc_opts_init(&o);
	CU_ASSERT_EQUAL(acs_mc_parse_opts(&o, ARGC(bad_mis), bad_mis), -1);
	acs_mc_opts_free(&o);
	acs_mc_opts_init(&o);
	CU_ASSERT_EQUAL(acs_mc_parse_opts(&o, ARGC(bad_port), bad_port), -1);
	acs_mc_opts_free(&o);
	acs_mc_opts_init(&o);
	CU_ASSERT_EQUAL(acs_mc_parse_opts(&o, ARGC(bad_chal), bad_chal), -1);
	acs_mc_opts_free(&o);
	acs_mc_opts_init(&o);
	CU_ASSERT_EQUAL(acs_mc_parse_opts(&o, ARGC(half_eab), half_eab), -1);
	acs_mc_opts_free(&o);
	acs_mc_opts_init(&o);
	CU_ASSERT_EQUAL(acs_mc_parse_opts(&o, ARGC(extra), extra), -1);
	acs_mc_opts_free(&o);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mcopts", NULL, NULL);

	CU_add_test(s, "defaults_and_values", test_defaults_and_values);
	CU_add_test(s, "misbehaviour_kinds", test_misbehaviour_kinds);
	CU_add_test(s, "usage_errors", test_usage_errors);
}
