/*
 * Concurrency: 50 ACME flows in parallel against one mock CA scenario
 * (ACMESPEC_FLOWS=N for N; ctest's load.flows200 runs 200).
 * Each thread is a complete client (the mock client's case interpreter
 * running new-account + issue: order, http-01 answered by the shared
 * responders, finalize, download, certificate checked against its own
 * order and CSR key). Every flow must complete, and nothing may be mixed
 * between accounts: each certificate names exactly its own flow's domain,
 * and the CA issued exactly one certificate per flow.
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/http.h"
#include "harness/verdict.h"
#include "harness/x509.h"
#include "mockclient/responders.h"
#include "mockclient/script.h"
#include "mockserver/mockca.h"
#include "mockserver/registry.h"
#include "mockserver/store.h"

/* flows in parallel: ACMESPEC_FLOWS, 50 by default */
static size_t nflows(void)
{
	const char *e = getenv("ACMESPEC_FLOWS");
	long n = e != NULL ? strtol(e, NULL, 10) : 0;

	return n > 0 && n <= 1000 ? (size_t)n : 50;
}
#define FLOWS nflows()

struct flow {
	pthread_t thread;
	const struct acs_server_target *target;
	const struct acs_case *c;
	struct acs_result r;
};

static void *run_flow(void *arg)
{
	struct flow *f = arg;

	acs_script_run_case((void *)f->target, f->c, &f->r);
	return NULL;
}

/*
 * Inside the CA: one account per flow, each with exactly one order of its
 * own; every authorization and the certificate of an order belong to the
 * order's account, and no two accounts share a key.
 */
static void check_nothing_shared(struct acs_mockca *ca)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, "crowd", 0);
	size_t i, j, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	pthread_mutex_lock(&s->lock);
	CU_ASSERT_EQUAL(s->naccts, FLOWS);
	CU_ASSERT_EQUAL(s->norders, FLOWS);
	for (i = 0; i < s->naccts; i++) {
		struct mca_account *a = s->accts[i];

		if (a->norders != 1)
			bad++;
		if (acs_mca_acct_by_key(s, a->key) != a)
			bad++;
	}
	for (i = 0; i < s->norders; i++) {
		struct mca_order *o = s->orders[i];
		struct mca_account *a = acs_mca_acct(s, o->acct);
		struct mca_cert *c = acs_mca_cert(s, o->cert);

		if (a == NULL || a->norders != 1 || a->orders[0] != o->id)
			bad++;
		for (j = 0; j < o->nauthz; j++) {
			struct mca_authz *az = acs_mca_authz(s, o->authz[j]);

			if (az == NULL || az->acct != o->acct)
				bad++;
		}
		if (c == NULL || c->acct != o->acct)
			bad++;
	}
	pthread_mutex_unlock(&s->lock);
	CU_ASSERT_EQUAL(bad, 0);
	acs_mca_scn_put(ca, s);
}

static void test_fifty_parallel_flows(void)
{
	struct acs_responders *resp = NULL;
	struct acs_responders_opts ro = {0};
	struct acs_mockca *ca = NULL;
	struct acs_mockca_opts mo = {0};
	struct acs_server_target target = {0};
	struct acs_case c = {0};
	struct acs_err err = {0};
	struct flow *flows = NULL;
	json_t *issued = NULL;
	char dns[64];
	char *url = NULL;
	int http01, tlsalpn01, dnsport;
	size_t i, j, passed = 0;

	CU_ASSERT_EQUAL_FATAL(acs_http_global_init(), 0);
	ro.bind_addr = "127.0.0.1";
	ro.dns_a_answer = "127.0.0.1";
	CU_ASSERT_EQUAL_FATAL(acs_responders_start(&resp, &ro, &err), 0);
	acs_responders_ports(resp, &http01, &tlsalpn01, &dnsport);
	snprintf(dns, sizeof(dns), "127.0.0.1:%d", dnsport);
	mo.http01_port = http01;
	mo.tlsalpn01_port = tlsalpn01;
	mo.dns_server = dns;
	mo.threads = 16;
	CU_ASSERT_EQUAL_FATAL(acs_mockca_start(&ca, &mo, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_mockca_scenario_add(ca, "crowd", &err), 0);
	url = acs_mockca_directory_url(ca, "crowd");
	CU_ASSERT_PTR_NOT_NULL_FATAL(url);

	/* one account and one certificate per flow; the case's own checks compare
	 * the certificate with this flow's order and CSR key */
	c.id = "server.8555.7_4.concurrency-flow";
	c.side = "server";
	c.rfc = "8555";
	c.section = "7.4";
	c.level = ACS_MUST;
	c.title = "one complete flow";
	c.requirement = "-";
	c.body = json_loads("{\"steps\": ["
	                    " {\"do\": \"new-account\"},"
	                    " {\"do\": \"issue\", \"expect\": {\"facts\": {"
	                    "   \"/leaf_names_match_order\": true,"
	                    "   \"/leaf_key_matches_csr\": true,"
	                    "   \"/chain_verifies\": true}}}]}",
	                    0, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c.body);
	CU_ASSERT_EQUAL_FATAL(acs_script_validate(&c, &err), 0);

	target.directory_url = url;
	target.ca_bundle = acs_mockca_bundle_path(ca);
	target.responders = resp;
	target.request_timeout_ms = 60000;
	target.wait_seconds = 120;

	flows = calloc(FLOWS, sizeof(*flows));
	CU_ASSERT_PTR_NOT_NULL_FATAL(flows);
	for (i = 0; i < FLOWS; i++) {
		flows[i].target = &target;
		flows[i].c = &c;
		CU_ASSERT_EQUAL(pthread_create(&flows[i].thread, NULL, run_flow, &flows[i]), 0);
	}
	for (i = 0; i < FLOWS; i++) {
		pthread_join(flows[i].thread, NULL);
		if (flows[i].r.raw == ACS_PASS)
			passed++;
		else
			fprintf(stderr, "flow %zu: %s: %s\n", i, acs_verdict_name(flows[i].r.raw),
			        flows[i].r.message ? flows[i].r.message : "");
	}
	CU_ASSERT_EQUAL(passed, FLOWS);

	/* exactly one certificate per flow, and no two for the same name */
	issued = acs_mockca_issued(ca, "crowd");
	CU_ASSERT_EQUAL(json_array_size(issued), FLOWS);
	for (i = 0; i < json_array_size(issued); i++) {
		struct acs_chain *ci = NULL;
		struct acs_ident *ids = NULL;
		size_t nids = 0;
		const char *pem = json_string_value(json_array_get(issued, i));

		CU_ASSERT_FATAL(pem != NULL);
		CU_ASSERT_EQUAL_FATAL(acs_chain_parse(pem, strlen(pem), &ci, &err), 0);
		CU_ASSERT_EQUAL(acs_cert_idents(ci->certs[0], &ids, &nids, &err), 0);
		CU_ASSERT_EQUAL(nids, 1);
		for (j = 0; j < i && nids == 1; j++) {
			const char *other = json_string_value(json_array_get(issued, j));
			struct acs_chain *cj = NULL;
			struct acs_ident *oids = NULL;
			size_t noids = 0;

			if (acs_chain_parse(other, strlen(other), &cj, &err) == 0 &&
			    acs_cert_idents(cj->certs[0], &oids, &noids, &err) == 0 && noids == 1)
				CU_ASSERT_NOT_EQUAL(strcmp(ids[0].value, oids[0].value), 0);
			free(oids);
			acs_chain_free(cj);
		}
		free(ids);
		acs_chain_free(ci);
	}

	check_nothing_shared(ca);
	for (i = 0; i < FLOWS; i++)
		acs_result_clear(&flows[i].r);
	free(flows);
	json_decref(issued);
	json_decref(c.body);
	free(url);
	acs_mockca_stop(ca);
	acs_responders_stop(resp);
	acs_http_global_cleanup();
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("concurrency", NULL, NULL);

	CU_add_test(s, "fifty_parallel_flows", test_fifty_parallel_flows);
}
