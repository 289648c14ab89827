/*
 * One request in, one response out: the scenario of the path, the URLs as
 * the client addressed the CA, the scenario's lock around the dispatch,
 * and the log entry. No socket is involved; server.c adapts
 * libmicrohttpd to this.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/buf.h"
#include "mockserver/dispatch.h"
#include "mockserver/handler.h"
#include "mockserver/instance.h"
#include "mockserver/log.h"
#include "mockserver/registry.h"
#include "mockserver/req.h"
#include "mockserver/store.h"

/* Move the finished response of r into out (content type only with a body). */
static int resp_export(struct mca_resp *resp, struct acs_mca_response *out)
{
	size_t i;

	out->status = resp->status;
	out->body_len = resp->body.len;
	out->body = acs_buf_steal(&resp->body);
	out->content_type = out->body_len > 0 ? resp->ctype : NULL;
	for (i = 0; i < resp->nh; i++) {
		out->hname[i] = resp->hname[i];
		out->hval[i] = resp->hval[i];
	}
	out->nheaders = resp->nh;
	out->send = (enum acs_mca_send)resp->send;
	out->hold_s = resp->hold_s;
	resp->nh = 0;
	return out->body != NULL ? 0 : ACS_E_NOMEM;
}

static void resp_free(struct mca_resp *resp)
{
	size_t i;

	for (i = 0; i < resp->nh; i++) {
		free(resp->hname[i]);
		free(resp->hval[i]);
	}
	acs_buf_free(&resp->body);
}

void acs_mca_response_clear(struct acs_mca_response *resp)
{
	size_t i;

	if (resp == NULL)
		return;
	for (i = 0; i < resp->nheaders; i++) {
		free(resp->hname[i]);
		free(resp->hval[i]);
	}
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

/* A problem answered outside any scenario (no nonce to give). */
static int bare_problem(struct acs_mca_response *out, unsigned int status, const char *type,
                        const char *detail)
{
	char full[128];
	json_t *o;

	(void)snprintf(full, sizeof(full), MCA_PROBLEM_NS "%s", type);
	o = json_pack("{s:s, s:s, s:i}", "type", full, "detail", detail, "status", (int)status);
	out->body = o != NULL ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (out->body == NULL)
		out->body = strdup("");
	if (out->body == NULL)
		return ACS_E_NOMEM;
	out->body_len = strlen(out->body);
	out->status = status;
	out->content_type = out->body_len > 0 ? "application/problem+json" : NULL;
	return 0;
}

/* Add a response header to a bare answer; 0, or ACS_E_NOMEM. */
static int add_header(struct acs_mca_response *out, const char *name, const char *value)
{
	if (out->nheaders >= ACS_MCA_MAX_HEADERS)
		return 0;
	out->hname[out->nheaders] = strdup(name);
	out->hval[out->nheaders] = strdup(value);
	out->nheaders++;
	if (out->hname[out->nheaders - 1] == NULL || out->hval[out->nheaders - 1] == NULL) {
		acs_mca_response_clear(out);
		return ACS_E_NOMEM;
	}
	return 0;
}

static int host_ok(const char *h)
{
	size_t i, n = strlen(h);

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		char c = h[i];

		if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == ':' || c == '[' ||
		      c == ']'))
			return 0;
	}
	return 1;
}

/*
 * RFC 9112 section 3.2.2: a server MUST accept a request-target in absolute
 * form ("https://127.0.0.1:4443/s/x/directory") and then take the host from
 * it, ignoring Host. Returns the path part of target (origin form: target
 * itself) and copies the authority into authority ("" in origin form, or
 * when it does not fit: Host is used then).
 */
static const char *target_path(const char *target, char *authority, size_t len)
{
	const char *p = NULL, *slash;
	size_t alen;

	authority[0] = '\0';
	if (strncasecmp(target, "https://", 8) == 0)
		p = target + 8;
	else if (strncasecmp(target, "http://", 7) == 0)
		p = target + 7;
	if (p == NULL)
		return target;
	slash = strchr(p, '/');
	alen = slash != NULL ? (size_t)(slash - p) : strlen(p);
	if (alen < len) {
		memcpy(authority, p, alen);
		authority[alen] = '\0';
	}
	return slash != NULL ? slash : "/";
}

/*
 * r->base, r->sbase and r->url from the host the client named (the
 * absolute-form authority, else Host); 0 or ACS_E_NOMEM.
 */
static int req_urls(struct mca_req *r, const char *scheme, const char *name, const char *authority)
{
	const char *host = authority[0] != '\0' ? authority : acs_mca_req_header(r, "Host");
	struct acs_buf b;

	/* URLs are built from the Host the client used, as the url check compares with it */
	acs_buf_init(&b, 1024);
	if (host != NULL && host_ok(host))
		(void)acs_buf_printf(&b, "%s://%s", scheme, host);
	else
		(void)acs_buf_puts(&b, strcmp(scheme, "http") == 0 ? r->ca->plain_base_url
		                                                   : r->ca->base_url);
	r->base = acs_buf_steal(&b);
	acs_buf_init(&b, 1024);
	(void)acs_buf_printf(&b, "%s/s/%s", r->base != NULL ? r->base : "", name);
	r->sbase = acs_buf_steal(&b);
	acs_buf_init(&b, 4096);
	(void)acs_buf_printf(&b, "%s%s", r->sbase != NULL ? r->sbase : "", r->path);
	r->url = acs_buf_steal(&b);
	return r->base == NULL || r->sbase == NULL || r->url == NULL ? ACS_E_NOMEM : 0;
}

/* The body was cut at ACS_MCA_BODY_MAX: 413, logged like any request. */
static void too_big(struct mca_req *r)
{
	r->path = "/directory"; /* any known path: only the problem matters */
	json_object_set_new(r->logent, "method", json_string(r->method));
	json_object_set_new(r->logent, "url", json_string(r->url));
	json_object_set_new(r->logent, "seq", json_integer((json_int_t)++r->scn->seq));
	json_object_set_new(r->logent, "checks", json_array());
	r->scn->requests++;
	acs_mca_problem(r, 413, "malformed", "request body over %zu bytes", ACS_MCA_BODY_MAX);
	json_object_set_new(r->logent, "status", json_integer(413));
}

int acs_mca_offline_new(struct acs_mockca **out, const struct acs_mockca_opts *o,
                        struct acs_err *err)
{
	struct acs_mockca *ca = NULL;
	int rc = acs_mca_instance_new(&ca, o, err);

	if (rc != 0)
		return rc;
	ca->port = o != NULL ? o->port : 0;
	if (acs_mca_instance_set_base_url(ca) != 0) {
		acs_mca_instance_free(ca);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	*out = ca;
	return 0;
}

int acs_mca_handle_request(struct acs_mockca *ca, const struct acs_mca_request *req,
                           struct acs_mca_response *out)
{
	const char *scheme = req->scheme != NULL ? req->scheme : "https";
	const char *path, *slash;
	struct mca_req r;
	char name[72], authority[256];
	size_t nlen;
	int rc, full;

	memset(out, 0, sizeof(*out));
	path = target_path(req->path != NULL ? req->path : "", authority, sizeof(authority));
	if (strncmp(path, "/s/", 3) != 0)
		return bare_problem(out, 404, "malformed",
		                    "the mock CA serves scenarios under /s/<scenario>/directory");
	slash = strchr(path + 3, '/');
	nlen = slash != NULL ? (size_t)(slash - (path + 3)) : strlen(path + 3);
	if (!acs_mca_scenario_name_ok(path + 3, nlen) || slash == NULL)
		return bare_problem(out, 404, "malformed", "bad scenario name");
	memcpy(name, path + 3, nlen);
	name[nlen] = '\0';

	memset(&r, 0, sizeof(r));
	r.ca = ca;
	r.in = req;
	r.method = req->method != NULL ? req->method : "";
	r.path = slash;
	r.body = req->body != NULL ? req->body : "";
	r.body_len = req->body != NULL ? req->body_len : 0;
	acs_buf_init(&r.resp.body, (size_t)4 * 1024 * 1024);
	r.scn = acs_mca_scn_open(ca, name, ca->o.auto_scenarios, &full);
	if (r.scn == NULL && full) {
		rc = bare_problem(out, 429, "rateLimited",
		                  "too many scenarios at once, and none idle to evict "
		                  "(acmespec serve --max-scenarios)");
		if (rc == 0)
			rc = add_header(out, "Retry-After", "10");
		return rc;
	}
	if (r.scn == NULL)
		return bare_problem(out, 404, "malformed", "unknown scenario");
	r.logent = json_object();
	if (req_urls(&r, scheme, name, authority) != 0 || r.logent == NULL) {
		rc = bare_problem(out, 500, "serverInternal", "out of memory");
		goto out;
	}
	pthread_mutex_lock(&r.scn->lock);
	if (req->body_too_big)
		too_big(&r);
	else
		acs_mca_dispatch(&r);
	acs_mca_log_add(r.scn, r.logent);
	r.logent = NULL;
	pthread_mutex_unlock(&r.scn->lock);
	rc = resp_export(&r.resp, out);
	if (rc != 0)
		acs_mca_response_clear(out);
out:
	json_decref(r.logent);
	acs_mca_scn_put(ca, r.scn);
	resp_free(&r.resp);
	free(r.base);
	free(r.sbase);
	free(r.url);
	return rc;
}
