/*
 * The mock client engine's client flow (mockclient/flow.h) against an
 * in-process mock CA over HTTPS, with the engine's own challenge
 * responders: a conformant issuance (http-01 and tls-alpn-01, key change,
 * revocation), external account binding, and a few client-behaviour
 * misbehaviours that must make a step fail or leave answers in place.
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/buf.h"
#include "harness/clock.h"
#include "harness/http.h"
#include "mockclient/acme.h"
#include "mockclient/flow.h"
#include "mockclient/responders.h"
#include "mockserver/mockca.h"

static struct acs_mockca *ca;
static struct acs_responders *resp;

static int suite_init(void)
{
	struct acs_responders_opts ro;
	struct acs_mockca_opts o;
	struct acs_err err;
	int http01 = 0, alpn = 0, dns = 0;

	acs_err_clear(&err);
	if (acs_http_global_init() != 0)
		return 1;
	memset(&ro, 0, sizeof(ro));
	ro.dns_port = -1;
	if (acs_responders_start(&resp, &ro, &err) != 0) {
		fprintf(stderr, "responders: %s\n", err.msg);
		return 1;
	}
	acs_responders_ports(resp, &http01, &alpn, &dns);
	memset(&o, 0, sizeof(o));
	o.http01_port = http01;
	o.tlsalpn01_port = alpn;
	o.auto_scenarios = 1;
	if (acs_mockca_start(&ca, &o, &err) != 0) {
		fprintf(stderr, "mock CA: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int suite_clean(void)
{
	acs_mockca_stop(ca);
	acs_responders_stop(resp);
	acs_http_global_cleanup();
	return 0;
}

static void collect(void *ctx, const char *msg)
{
	acs_buf_printf((struct acs_buf *)ctx, "%s\n", msg);
}

/* A session on a scenario of the mock CA, set up as the flow's. */
static struct acs_acme_session *flow_session(const char *scenario, const char *misbehaviour,
                                             struct acs_buf *notes)
{
	static const char *const headers[] = {"Accept-Language: en", NULL};
	struct acs_acme_session_opts so;
	struct acs_acme_session *s = NULL;
	struct acs_err err;
	char *url = acs_mockca_directory_url(ca, scenario);

	acs_err_clear(&err);
	memset(&so, 0, sizeof(so));
	so.directory_url = url;
	so.ca_bundle = acs_mockca_bundle_path(ca);
	so.timeout_ms = 10000;
	so.wait_seconds = 30;
	so.responders = resp;
	if (acs_acme_session_new(&s, &so, &err) != 0) {
		fprintf(stderr, "session: %s\n", err.msg);
		free(url);
		return NULL;
	}
	free(url);
	s->client.headers = headers;
	s->client.deadline = acs_clock_mono() + 30;
	s->client.note = collect;
	s->client.note_ctx = notes;
	if (misbehaviour != NULL) {
		const struct acs_misbehaviour *m = acs_misbehaviour_find(misbehaviour);

		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		if (m->kind == ACS_MIS_KIND_CLIENT)
			s->client.sw |= ACS_SW_BIT(m->id);
		else if (m->kind == ACS_MIS_KIND_INNER)
			s->client.inner_mis |= ACS_MIS_BIT(m->id);
		else
			s->client.mis |= ACS_MIS_BIT(m->id);
	}
	acs_flow_begin(s);
	return s;
}

/* Run the flow up to (and with the result of) its authorization step. */
static int run_to_authorized(struct acs_acme_session *s, const char *type, struct acs_err *err)
{
	struct acs_flow_account fa;
	const char *names[1];
	int rc;

	memset(&fa, 0, sizeof(fa));
	fa.agree_tos = 1;
	names[0] = s->domain[0];
	rc = acs_flow_directory(s, err);
	if (rc == 0)
		rc = acs_flow_new_account(s, &fa, err);
	if (rc == 0)
		rc = acs_flow_new_order(s, names, 1, err);
	if (rc == 0)
		rc = acs_flow_authorize(s, type, err);
	return rc;
}

static void issue(const char *scenario, const char *type, int key_change)
{
	struct acs_buf notes;
	struct acs_acme_session *s;
	struct acs_err err;

	acs_err_clear(&err);
	acs_buf_init(&notes, 0);
	s = flow_session(scenario, NULL, &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(acs_flow_directory(s, &err), 0);
	{
		struct acs_flow_account fa;
		const char *names[2];

		memset(&fa, 0, sizeof(fa));
		fa.agree_tos = 1;
		names[0] = s->domain[0];
		names[1] = s->domain[1];
		CU_ASSERT_EQUAL(acs_flow_new_account(s, &fa, &err), 0);
		if (key_change)
			CU_ASSERT_EQUAL(acs_flow_key_change(s, &err), 0);
		CU_ASSERT_EQUAL(acs_flow_new_order(s, names, 2, &err), 0);
	}
	CU_ASSERT_EQUAL(acs_flow_authorize(s, type, &err), 0);
	CU_ASSERT_EQUAL(acs_flow_finalize(s, &err), 0);
	CU_ASSERT_EQUAL(acs_flow_download(s, &err), 0);
	if (err.code != 0)
		fprintf(stderr, "flow: %s\n%s", err.msg, notes.data != NULL ? notes.data : "");
	CU_ASSERT_PTR_NOT_NULL(acs_flow_certificate(s));
	CU_ASSERT(acs_flow_certificate(s) != NULL &&
	          strstr(acs_flow_certificate(s), "-----BEGIN CERTIFICATE-----") != NULL);
	CU_ASSERT_EQUAL(acs_flow_revoke(s, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(notes.data != NULL ? strstr(notes.data, "account https://") : NULL);
	CU_ASSERT(!key_change ||
	          (notes.data != NULL && strstr(notes.data, "account key rolled over") != NULL));
	CU_ASSERT_FALSE(s->client.malformed);
	acs_flow_deprovision(s);
	acs_acme_session_free(s);
	acs_buf_free(&notes);
}

static void test_issue_http01(void)
{
	issue("flow-http01", "http-01", 1);
}

static void test_issue_tlsalpn01(void)
{
	issue("flow-alpn", "tls-alpn-01", 0);
}

static void test_eab(void)
{
	struct acs_flow_account fa;
	struct acs_acme_session *s;
	struct acs_buf notes;
	struct acs_err err;

	acs_err_clear(&err);
	acs_buf_init(&notes, 0);
	CU_ASSERT_EQUAL_FATAL(acs_mockca_scenario_add(ca, "flow-eab", &err), 0);
	CU_ASSERT_EQUAL_FATAL(
	    acs_mockca_scenario_eab(ca, "flow-eab", ACS_MOCKCA_EAB_KID, ACS_MOCKCA_EAB_HMAC, &err),
	    0);
	memset(&fa, 0, sizeof(fa));
	fa.agree_tos = 1;
	/* without credentials: refused before any request */
	s = flow_session("flow-eab", NULL, &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(acs_flow_directory(s, &err), 0);
	CU_ASSERT_EQUAL(acs_flow_new_account(s, &fa, &err), ACS_E_STATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "--eab-kid"));
	acs_acme_session_free(s);
	/* with them */
	fa.eab_kid = ACS_MOCKCA_EAB_KID;
	fa.eab_hmac = ACS_MOCKCA_EAB_HMAC;
	s = flow_session("flow-eab", NULL, &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(acs_flow_directory(s, &err), 0);
	CU_ASSERT_EQUAL(acs_flow_new_account(s, &fa, &err), 0);
	acs_acme_session_free(s);
	/* eab-wrong-kid: the CA refuses, and the error says so with the detail */
	s = flow_session("flow-eab", "eab-wrong-kid", &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(acs_flow_directory(s, &err), 0);
	CU_ASSERT_EQUAL(acs_flow_new_account(s, &fa, &err), ACS_E_STATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "newAccount failed: status 4"));
	acs_acme_session_free(s);
	acs_buf_free(&notes);
}

static void test_keyauth_wrong(void)
{
	struct acs_acme_session *s;
	struct acs_buf notes;
	struct acs_err err;

	acs_err_clear(&err);
	acs_buf_init(&notes, 0);
	s = flow_session("flow-keyauth", "keyauth-wrong", &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(run_to_authorized(s, "http-01", &err), ACS_E_STATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "not valid"));
	/* the challenge's error is shown, with the server's detail */
	CU_ASSERT_PTR_NOT_NULL(notes.data != NULL ? strstr(notes.data, "challenge http-01: urn:")
	                                          : NULL);
	acs_acme_session_free(s);
	acs_buf_free(&notes);
}

static void test_hide_detail(void)
{
	struct acs_acme_session *s;
	struct acs_buf notes;
	struct acs_err err;

	acs_err_clear(&err);
	acs_buf_init(&notes, 0);
	s = flow_session("flow-hide", "keyauth-wrong", &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->client.sw |= ACS_SW_BIT(ACS_SW_HIDE_DETAIL);
	CU_ASSERT_EQUAL(run_to_authorized(s, "http-01", &err), ACS_E_STATE);
	CU_ASSERT_PTR_NOT_NULL(notes.data != NULL ? strstr(notes.data, "challenge http-01 failed")
	                                          : NULL);
	CU_ASSERT_PTR_NULL(notes.data != NULL ? strstr(notes.data, "urn:") : NULL);
	acs_acme_session_free(s);
	acs_buf_free(&notes);
}

/* http-01 by webroot: the file is written, and taken down unless no-deprovision. */
static void webroot(int keep)
{
	char dir[] = "/tmp/acmespec-webroot-XXXXXX", path[512], cmd[600];
	struct acs_acme_session *s;
	struct acs_buf notes;
	struct acs_err err;
	FILE *ls;
	int found = 0;

	acs_err_clear(&err);
	acs_buf_init(&notes, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	s = flow_session(keep ? "flow-webroot-keep" : "flow-webroot",
	                 keep ? "no-deprovision" : NULL, &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s->client.webroot = dir;
	/* nothing serves the webroot: the authorization turns invalid */
	CU_ASSERT_NOT_EQUAL(run_to_authorized(s, "http-01", &err), 0);
	(void)snprintf(cmd, sizeof(cmd), "ls %s/.well-known/acme-challenge", dir);
	ls = popen(cmd, "r");
	while (ls != NULL && fgets(path, sizeof(path), ls) != NULL)
		found++;
	if (ls != NULL)
		(void)pclose(ls);
	CU_ASSERT_EQUAL(found, keep ? 1 : 0);
	acs_acme_session_free(s);
	(void)snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
	acs_buf_free(&notes);
}

static void test_webroot(void)
{
	webroot(0);
	webroot(1);
}

static void test_revoke_bad_reason(void)
{
	struct acs_acme_session *s;
	struct acs_buf notes;
	struct acs_err err;

	acs_err_clear(&err);
	acs_buf_init(&notes, 0);
	s = flow_session("flow-revoke", "revoke-bad-reason", &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(run_to_authorized(s, "http-01", &err), 0);
	CU_ASSERT_EQUAL(acs_flow_finalize(s, &err), 0);
	CU_ASSERT_EQUAL(acs_flow_download(s, &err), 0);
	CU_ASSERT_EQUAL(acs_flow_revoke(s, &err), ACS_E_STATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "revocation failed"));
	acs_flow_deprovision(s);
	acs_acme_session_free(s);
	acs_buf_free(&notes);
}

/* get-resources: the authorization is fetched by GET, which the CA refuses. */
static void test_get_resources(void)
{
	struct acs_acme_session *s;
	struct acs_buf notes;
	struct acs_err err;

	acs_err_clear(&err);
	acs_buf_init(&notes, 0);
	s = flow_session("flow-get", "get-resources", &notes);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_NOT_EQUAL(run_to_authorized(s, "http-01", &err), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "authorization failed: status 405"));
	acs_acme_session_free(s);
	acs_buf_free(&notes);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mcflow", suite_init, suite_clean);

	CU_add_test(s, "issue_http01", test_issue_http01);
	CU_add_test(s, "issue_tlsalpn01", test_issue_tlsalpn01);
	CU_add_test(s, "eab", test_eab);
	CU_add_test(s, "keyauth_wrong", test_keyauth_wrong);
	CU_add_test(s, "hide_detail", test_hide_detail);
	CU_add_test(s, "webroot", test_webroot);
	CU_add_test(s, "revoke_bad_reason", test_revoke_bad_reason);
	CU_add_test(s, "get_resources", test_get_resources);
}
