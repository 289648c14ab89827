/*
 * The mock client engine's client flow (mockclient/flow.h) against an
 * in-process mock CA over HTTPS, with the engine's own challenge
 * responders: a conformant issuance (http-01 and tls-alpn-01, key change,
 * revocation), external account binding, and a few client-behaviour
 * misbehaviours that must make a step fail or leave answers in place;
 * and the engine's steps driven directly with a server case's options:
 * what each reports (done, the target's outcome, the harness's failure,
 * the feature) and keeps (account, order, certificate key, chain checks).
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

/* A session on a scenario of the mock CA, as a server case has it (no client settings). */
static struct acs_acme_session *bare_session(const char *scenario)
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
	if (acs_acme_session_new(&s, &so, &err) != 0) {
		fprintf(stderr, "session: %s\n", err.msg);
		s = NULL;
	}
	free(url);
	return s;
}

/* A session on a scenario of the mock CA, set up as the flow's. */
static struct acs_acme_session *flow_session(const char *scenario, const char *misbehaviour,
                                             struct acs_buf *notes)
{
	static const char *const headers[] = {"Accept-Language: en", NULL};
	struct acs_acme_session *s = bare_session(scenario);

	if (s == NULL)
		return NULL;
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

/*
 * ---- the steps themselves (flow.h, "the steps, once for both drivers"),
 * driven with the options a server case gives them ----
 */

/* A session as a server case has it, with its directory. */
static struct acs_acme_session *case_session(const char *scenario)
{
	struct acs_acme_session *s = bare_session(scenario);
	struct acs_err err;

	acs_err_clear(&err);
	if (s != NULL && acs_acme_fetch_directory(s, NULL, &err) != 0) {
		fprintf(stderr, "directory: %s\n", err.msg);
		acs_acme_session_free(s);
		s = NULL;
	}
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
	CU_pSuite s = CU_add_suite("mcflow", suite_init, suite_clean);

	CU_add_test(s, "issue_http01", test_issue_http01);
	CU_add_test(s, "issue_tlsalpn01", test_issue_tlsalpn01);
	CU_add_test(s, "eab", test_eab);
	CU_add_test(s, "keyauth_wrong", test_keyauth_wrong);
	CU_add_test(s, "hide_detail", test_hide_detail);
	CU_add_test(s, "webroot", test_webroot);
	CU_add_test(s, "revoke_bad_reason", test_revoke_bad_reason);
	CU_add_test(s, "get_resources", test_get_resources);
	CU_add_test(s, "steps_issue", test_issue_steps);
	CU_add_test(s, "steps_failure_kinds", test_failure_kinds);
	CU_add_test(s, "steps_make_key", test_make_key);
}
