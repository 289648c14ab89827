/*
 * The network policy (hardening issue, D1): hosts normalised as a resolver
 * sees them, production CAs refused even when disguised, and URLs learned
 * from a target refused off loopback or off the directory's host, before
 * the HTTP client sends anything.
 */
#include <CUnit/CUnit.h>
#include <string.h>

#include "harness/http.h"
#include "harness/netpolicy.h"

static void test_host_normalised(void)
{
	static const struct {
		const char *url, *host;
	} v[] = {
	    {"https://ACME-V02.api.LetsEncrypt.org/directory", "acme-v02.api.letsencrypt.org"},
	    {"https://acme-v02.api.letsencrypt%2Eorg/directory", "acme-v02.api.letsencrypt.org"},
	    {"https://u:p@acme-v02.api.letsencrypt.org.:443/x", "acme-v02.api.letsencrypt.org"},
	    {"https://127.0.0.1:14000/dir", "127.0.0.1"},
	    {"https://[::1]:14000/dir", "[::1]"},
	    {"http://localhost", "localhost"},
	};
	char host[256];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CU_ASSERT_EQUAL(acs_url_host(v[i].url, host, sizeof(host)), 0);
		CU_ASSERT_STRING_EQUAL(host, v[i].host);
	}
	CU_ASSERT_EQUAL(acs_url_host("https:///dir", host, sizeof(host)), -1);
	CU_ASSERT_EQUAL(acs_url_host("https://a%00b/", host, sizeof(host)), -1);
	CU_ASSERT_EQUAL(acs_url_host("https://a%zzb/", host, sizeof(host)), -1);
	CU_ASSERT_EQUAL(acs_url_host("not a url", host, sizeof(host)), -1);
}

static void test_production(void)
{
	CU_ASSERT_EQUAL(acs_url_is_production("https://acme-v02.api.letsencrypt%2Eorg/directory"),
	                1);
	CU_ASSERT_EQUAL(acs_url_is_production("https://ACME.zerossl.com./v2/DV90"), 1);
	CU_ASSERT_EQUAL(acs_url_is_production("https://acme-staging-v02.api.letsencrypt.org/dir"),
	                0);
	CU_ASSERT_EQUAL(acs_url_is_production("https://127.0.0.1:14000/dir"), 0);
}

static void test_loopback_home(void)
{
	struct acs_netpolicy p;
	struct acs_err err = {0};

	acs_netpolicy_init(&p, "https://127.0.0.1:14000/dir", 0, 0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://127.0.0.1:14000/new-acct", &err), 0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://localhost:15000/x", &err), 0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://127.9.9.9/x", &err), 0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://[::1]/x", &err), 0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://10.1.2.3/order/1", &err), ACS_E_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not followed: https://10.1.2.3/order/1 is off "
	                                       "loopback, and the directory is on loopback"));
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://ca.example/x", &err), ACS_E_REFUSED);
	/* a production CA is refused whatever the home */
	CU_ASSERT_EQUAL(
	    acs_netpolicy_check(&p, "https://acme-v02.api.letsencrypt.org/acme/new-acct", &err),
	    ACS_E_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "production CA"));
	/* allowed on request: other hosts, then production */
	acs_netpolicy_init(&p, "https://127.0.0.1:14000/dir", 0, 1);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://10.1.2.3/order/1", &err), 0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://acme-v02.api.letsencrypt.org/x", &err),
	                ACS_E_REFUSED);
	acs_netpolicy_init(&p, "https://127.0.0.1:14000/dir", 1, 1);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://acme-v02.api.letsencrypt.org/x", &err), 0);
}

static void test_remote_home(void)
{
	struct acs_netpolicy p;
	struct acs_err err = {0};

	acs_netpolicy_init(&p, "https://acme-staging-v02.api.letsencrypt.org/directory", 0, 0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(
	                    &p, "https://ACME-STAGING-V02.api.letsencrypt.org/acme/new-acct", &err),
	                0);
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://other.example/acme/order", &err),
	                ACS_E_REFUSED);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "on another host than the directory's"));
	CU_ASSERT_EQUAL(acs_netpolicy_check(&p, "https://127.0.0.1/x", &err), ACS_E_REFUSED);
}

/* A refused URL is refused by the HTTP client itself, before curl sends anything. */
static void test_http_refuses(void)
{
	struct acs_http_opts o;
	struct acs_http *h = NULL;
	struct acs_http_request req;
	struct acs_http_response *resp = NULL;
	struct acs_netpolicy p;
	struct acs_err err = {0};

	memset(&o, 0, sizeof(o));
	o.timeout_ms = 60000; /* were it sent, the test would hang on an unroutable address */
	CU_ASSERT_EQUAL_FATAL(acs_http_global_init(), 0);
	CU_ASSERT_EQUAL_FATAL(acs_http_new(&h, &o, &err), 0);
	acs_netpolicy_init(&p, "https://127.0.0.1:1/dir", 0, 0);
	acs_http_set_policy(h, &p);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.url = "https://10.1.2.3/acme/order/1";
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_REFUSED);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_EQUAL(acs_http_refused(h), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "off loopback"));
	acs_http_free(h);
	acs_http_global_cleanup();
}

/* --domain-suffix: what a zone may be, and why not */
static void test_zone_check(void)
{
	static const char *const good[] = {"example.org", "acme-ci.example.co.uk",
	                                   "test",        "xn--bcher-kva.example",
	                                   "a1.b2.c3",    "0a.example",
	                                   NULL};
	static const struct {
		const char *zone, *why;
	} bad[] = {
	    {"", "expected 1 to 200 characters, got 0"},
	    {"example.org.", "an empty label (a leading, trailing or double dot)"},
	    {".example.org", "an empty label (a leading, trailing or double dot)"},
	    {"a..b", "an empty label (a leading, trailing or double dot)"},
	    {"-a.example", "label \"-a\" starts with a hyphen"},
	    {"a-.example", "label \"a-\" ends with a hyphen"},
	    {"*.example", "label \"*\" has '*': letters, digits and hyphens only"},
	    {"a_b.example", "label \"a_b\" has '_': letters, digits and hyphens only"},
	    {"10.0.0.1", "the last label is all digits: a zone, not an IP address"},
	    {"a b.example", "label \"a b\" has ' ': letters, digits and hyphens only"},
	};
	char why[200], label[80], longzone[260];
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		CU_ASSERT_EQUAL(acs_dns_zone_check(good[i], why, sizeof(why)), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(acs_dns_zone_check(bad[i].zone, why, sizeof(why)), -1);
		CU_ASSERT_STRING_EQUAL(why, bad[i].why);
	}
	CU_ASSERT_EQUAL(acs_dns_zone_check(NULL, why, sizeof(why)), -1);
	/* 63 is the longest label, ACS_ZONE_MAX the longest zone */
	memset(label, 'a', 63);
	strcpy(label + 63, ".example");
	CU_ASSERT_EQUAL(acs_dns_zone_check(label, why, sizeof(why)), 0);
	memset(label, 'a', 64);
	strcpy(label + 64, ".example");
	CU_ASSERT_EQUAL(acs_dns_zone_check(label, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "a label of 64 characters (1 to 63 allowed)");
	for (i = 0; i + 2 <= ACS_ZONE_MAX; i += 2)
		memcpy(longzone + i, "a.", 2);
	longzone[ACS_ZONE_MAX - 1] = 'a';
	longzone[ACS_ZONE_MAX] = '\0';
	CU_ASSERT_EQUAL(acs_dns_zone_check(longzone, why, sizeof(why)), 0);
	longzone[ACS_ZONE_MAX] = 'a';
	longzone[ACS_ZONE_MAX + 1] = '\0';
	CU_ASSERT_EQUAL(acs_dns_zone_check(longzone, why, sizeof(why)), -1);
	CU_ASSERT_STRING_EQUAL(why, "expected 1 to 200 characters, got 201");
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("netpolicy", NULL, NULL);

	CU_add_test(s, "host_normalised", test_host_normalised);
	CU_add_test(s, "production", test_production);
	CU_add_test(s, "loopback_home", test_loopback_home);
	CU_add_test(s, "remote_home", test_remote_home);
	CU_add_test(s, "http_refuses", test_http_refuses);
	CU_add_test(s, "zone_check", test_zone_check);
}
