/*
 * The steps of the mock client engine (mockclient/flow.h, "the steps,
 * once for both drivers") driven directly, with the options a server case
 * gives them, against an in-process mock CA: what each step reports
 * (done, the target's outcome, the harness's failure, the feature) and
 * what it keeps (account, order, certificate key, chain checks).
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A session as a server case has it (no client settings), with its directory. */
static struct acs_acme_session *case_session(const char *scenario)
{
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
	if (acs_acme_session_new(&s, &so, &err) != 0 ||
	    acs_acme_fetch_directory(s, NULL, &err) != 0) {
		fprintf(stderr, "session: %s\n", err.msg);
		acs_acme_session_free(s);
		s = NULL;
	}
	free(url);
	return s;
}

/* A new account "a" through the step. */
static struct acs_acme_account *new_account(struct acs_acme_session *s,
                                            const struct acs_flow_io *io)
{
	struct acs_acme_account *a = acs_acme_account_get(s, "a");
	struct acs_flow_account_opts ao;
	struct acs_flow_result res;
	struct acs_err err;

	acs_err_clear(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL_FATAL(acs_flow_make_key("ec256", &a->key, &err), 0);
	memset(&ao, 0, sizeof(ao));
	ao.account = a;
	ao.who.key = a->key;
	ao.agree_tos = 1;
	acs_flow_step_new_account(s, io, &ao, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	CU_ASSERT_PTR_NOT_NULL(a->url);
	return a;
}

static void signer_of(const struct acs_acme_account *a, struct acs_flow_signer *who)
{
	who->key = a->key;
	who->kid = a->url;
	who->account_url = a->url;
}

/* A new order "o" for the session's first domain through the step. */
static struct acs_acme_order *new_order(struct acs_acme_session *s, const struct acs_flow_io *io,
                                        const struct acs_acme_account *a, const char *ident)
{
	struct acs_flow_order_opts oo;
	struct acs_flow_result res;
	json_t *ids = json_pack("[{s:s,s:s}]", "type", "dns", "value", ident);

	memset(&oo, 0, sizeof(oo));
	oo.name = "o";
	oo.account = "a";
	signer_of(a, &oo.who);
	oo.identifiers = ids;
	acs_flow_step_new_order(s, io, &oo, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	json_decref(ids);
	return acs_acme_order_find(s, "o");
}

/* Authorize the order as a server case does: each answered and polled at once. */
static void authorize(struct acs_acme_session *s, const struct acs_flow_io *io,
                      const struct acs_acme_account *a, struct acs_acme_order *o,
                      struct acs_flow_result *res)
{
	struct acs_flow_authorize_opts ao;

	memset(&ao, 0, sizeof(ao));
	ao.order = o;
	signer_of(a, &ao.who);
	ao.type = "http-01";
	ao.need_authz = 1;
	ao.poll_each = 1;
	ao.wildcard_dns = 1;
	ao.prov.acct_key = a->key;
	ao.prov.need_responders = 1;
	ao.wait.fixed_ms = -1;
	ao.wait.default_ms = 200;
	ao.wait.cap = 1;
	ao.deadline = acs_clock_mono() + 20;
	acs_flow_step_authorize(s, io, &ao, res);
}

static int fresh_key(void *ctx, struct acs_key **out, struct acs_err *err)
{
	(void)ctx;
	return acs_flow_make_key(NULL, out, err);
}

static void finalize(struct acs_acme_session *s, const struct acs_flow_io *io,
                     const struct acs_acme_account *a, struct acs_acme_order *o, int missing,
                     struct acs_flow_result *res)
{
	struct acs_flow_finalize_opts fo;

	memset(&fo, 0, sizeof(fo));
	fo.order = o;
	fo.url = json_string_value(json_object_get(o->obj, "finalize"));
	signer_of(a, &fo.who);
	fo.make_key = fresh_key;
	fo.names = o->sent_ids;
	fo.missing_name = missing;
	fo.lone_name = "not-in-the-order.invalid";
	acs_flow_step_finalize(s, io, &fo, res);
}

/* The order's status after waiting (a few fetches) for it to leave processing. */
static const char *settled_status(const struct acs_flow_io *io, const struct acs_acme_account *a,
                                  struct acs_acme_order *o)
{
	struct acs_flow_signer who;
	int i;

	signer_of(a, &who);
	for (i = 0; i < 50; i++) {
		struct acs_flow_result res;
		const char *st;

		acs_flow_res_begin(&res);
		if (acs_flow_res_post(io, o->url, &who, NULL, "order", &res) != 0 ||
		    !json_is_object(res.resp->json))
			return "?";
		json_decref(o->obj);
		o->obj = json_incref(res.resp->json);
		st = json_string_value(json_object_get(o->obj, "status"));
		if (st != NULL && strcmp(st, "processing") != 0)
			return st;
		acs_sleep_ms(100);
	}
	return "processing";
}

static void test_issue_steps(void)
{
	struct acs_acme_session *s = case_session("steps-issue");
	struct acs_flow_download_opts d;
	struct acs_flow_keychange_opts k;
	struct acs_flow_revoke_opts ro;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	struct acs_flow_cert cert;
	struct acs_acme_account *a;
	struct acs_acme_order *o;
	struct acs_key *old;
	struct acs_err err;
	json_t *reason = json_integer(4);

	acs_err_clear(&err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	acs_flow_io_begin(s, &c, &io);
	a = new_account(s, &io);
	/* key change: the new key is the account's, the old one kept */
	memset(&k, 0, sizeof(k));
	k.account = a;
	signer_of(a, &k.who);
	old = a->key;
	CU_ASSERT_EQUAL_FATAL(acs_flow_make_key("ec256", &k.new_key, &err), 0);
	acs_flow_step_key_change(s, &io, &k, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	CU_ASSERT_PTR_EQUAL(a->old_key, old);
	CU_ASSERT_PTR_NULL(k.new_key);
	o = new_order(s, &io, a, s->domain[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	CU_ASSERT_PTR_NOT_NULL(o->created);
	authorize(s, &io, a, o, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	finalize(s, &io, a, o, 0, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	CU_ASSERT_PTR_NOT_NULL(o->cert_key);
	CU_ASSERT_STRING_EQUAL(settled_status(&io, a, o), "valid");
	/* download: the chain checks */
	memset(&d, 0, sizeof(d));
	d.order = o;
	d.url = json_string_value(json_object_get(o->obj, "certificate"));
	signer_of(a, &d.who);
	d.key = o->cert_key;
	acs_flow_step_download(s, &io, &d, &cert, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	CU_ASSERT(cert.chain.parsed && cert.chain.strict);
	CU_ASSERT(cert.chain.length >= 1);
	CU_ASSERT_TRUE(cert.chain.leaf_key_matches);
	CU_ASSERT_TRUE(cert.chain.leaf_names_match);
	CU_ASSERT_FALSE(cert.chain.leaf_is_ca);
	CU_ASSERT_EQUAL(cert.chain.same_leaf, -1);
	CU_ASSERT_EQUAL(cert.chain.foreign[0], '\0');
	CU_ASSERT_PTR_NOT_NULL(o->cert_pem);
	acs_flow_cert_clear(&cert);
	/* revoke: by the account, then again (already revoked: the target's outcome) */
	memset(&ro, 0, sizeof(ro));
	ro.cert_pem = o->cert_pem;
	ro.reason = reason;
	signer_of(a, &ro.who);
	acs_flow_step_revoke(s, &io, &ro, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	acs_flow_step_revoke(s, &io, &ro, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_OUTCOME);
	CU_ASSERT_PTR_NOT_NULL(res.what);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err.msg, "revokeCert: expected 200, got status 400"));
	acs_flow_io_end(&c);
	json_decref(reason);
	acs_acme_session_free(s);
}

static void test_failure_kinds(void)
{
	struct acs_acme_session *s = case_session("steps-kinds");
	struct acs_flow_revoke_opts ro;
	struct acs_flow_result res;
	struct acs_flow_io_ctx c;
	struct acs_flow_io io;
	struct acs_acme_account *a;
	struct acs_acme_order *o;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	acs_flow_io_begin(s, &c, &io);
	a = new_account(s, &io);
	/* a revocation without a certificate: the harness's failure, as the caller says */
	memset(&ro, 0, sizeof(ro));
	signer_of(a, &ro.who);
	ro.cert_problem = "order \"o\" has no downloaded certificate";
	acs_flow_step_revoke(s, &io, &ro, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_HARNESS);
	CU_ASSERT_STRING_EQUAL(res.err.msg, "order \"o\" has no downloaded certificate");
	/* a directory URL missing: the harness cannot, and the feature is named */
	CU_ASSERT_PTR_NULL(acs_flow_need_url(s, "noSuchThing", "keyChange", &res));
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_HARNESS);
	CU_ASSERT_STRING_EQUAL(res.feature, "keyChange");
	CU_ASSERT_EQUAL(res.err.code, ACS_E_UNSUPPORTED);
	/* finalize before the order is ready: the server refuses, the target's outcome */
	o = new_order(s, &io, a, s->domain[1]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(o);
	finalize(s, &io, a, o, 0, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_OUTCOME);
	CU_ASSERT_STRING_EQUAL(res.what, "finalize");
	CU_ASSERT_PTR_NOT_NULL(o->cert_key); /* the CSR's key is kept whatever the answer */
	/* a CSR that misses the order's only name, once ready: refused too */
	authorize(s, &io, a, o, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_DONE);
	finalize(s, &io, a, o, 1, &res);
	CU_ASSERT_EQUAL(res.kind, ACS_FLOW_OUTCOME);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.err.msg, "finalize: expected 200"));
	acs_flow_io_end(&c);
	acs_acme_session_free(s);
}

static void test_make_key(void)
{
	struct acs_key *k = NULL;
	struct acs_err err;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL(acs_flow_make_key("leading-zero", &k, &err), 0);
	CU_ASSERT_PTR_NOT_NULL(k);
	acs_key_free(k);
	k = NULL;
	CU_ASSERT_NOT_EQUAL(acs_flow_make_key("no-such-type", &k, &err), 0);
	CU_ASSERT_PTR_NULL(k);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mcsteps", suite_init, suite_clean);

	CU_add_test(s, "issue_steps", test_issue_steps);
	CU_add_test(s, "failure_kinds", test_failure_kinds);
	CU_add_test(s, "make_key", test_make_key);
}
