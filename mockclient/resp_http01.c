/*
 * http-01 responder (RFC 8555 section 8.3): libmicrohttpd, one thread per
 * connection, serving /.well-known/acme-challenge/<token> per the entry's
 * mode. The REDIRECT mode points at /acmespec-redirect/<token> (a relative
 * Location, so the validator stays on the same host and port).
 */
#include "mockclient/resp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/buf.h"
#include "harness/transcript.h"

#define WELL_KNOWN  "/.well-known/acme-challenge/"
#define REDIRECT    "/acmespec-redirect/"
#define TOKEN_MAX   1024
#define KEYAUTH_MAX 4096

struct resp_http_entry {
	struct resp_http_entry *next;
	char *token;
	char *keyauth; /* NULL once cleared: the path then answers 404 */
	enum acs_http01_mode mode;
	int hits;      /* requests seen, kept across clear */
	int since_set; /* requests seen since the last acs_http01_set */
	struct acs_transcript *t;
};

static const char *mode_name(enum acs_http01_mode m)
{
	switch (m) {
	case ACS_HTTP01_OK:
		return "ok";
	case ACS_HTTP01_WRONG:
		return "wrong";
	case ACS_HTTP01_TRAILING_NL:
		return "trailing-newline";
	case ACS_HTTP01_TRAILING_SP:
		return "trailing-space";
	case ACS_HTTP01_NOT_FOUND:
		return "not-found";
	case ACS_HTTP01_REDIRECT:
		return "redirect";
	case ACS_HTTP01_FAIL_FIRST:
		return "fail-first";
	}
	return "?";
}

/* Caller holds http_mu. */
static struct resp_http_entry *find_entry(struct acs_responders *r, const char *token)
{
	struct resp_http_entry *e;

	for (e = r->http; e != NULL; e = e->next) {
		if (strcmp(e->token, token) == 0)
			return e;
	}
	return NULL;
}

/*
 * A key authorization that differs from ka but keeps its shape: the last
 * character of the thumbprint part changed. New string (free()).
 */
static char *wrong_keyauth(const char *ka)
{
	size_t n = strlen(ka);
	char *w = malloc(n + 2);

	if (w == NULL)
		return NULL;
	memcpy(w, ka, n + 1);
	if (n == 0) {
		w[0] = 'A';
		w[1] = '\0';
	} else {
		w[n - 1] = w[n - 1] == 'A' ? 'B' : 'A';
	}
	return w;
}

/* The response body for the entry's mode; status in *status. New string or NULL. */
static char *make_body(struct resp_http_entry *e, int redirect_target, unsigned int *status,
                       const char **what)
{
	struct acs_buf b;

	*status = MHD_HTTP_OK;
	if (e->keyauth == NULL) {
		*status = MHD_HTTP_NOT_FOUND;
		*what = "cleared";
		return NULL;
	}
	if (redirect_target) {
		if (e->mode != ACS_HTTP01_REDIRECT) {
			*status = MHD_HTTP_NOT_FOUND;
			*what = "not redirected";
			return NULL;
		}
		*what = "redirect target";
		return strdup(e->keyauth);
	}
	*what = mode_name(e->mode);
	switch (e->mode) {
	case ACS_HTTP01_OK:
		return strdup(e->keyauth);
	case ACS_HTTP01_WRONG:
		return wrong_keyauth(e->keyauth);
	case ACS_HTTP01_TRAILING_NL:
	case ACS_HTTP01_TRAILING_SP:
		acs_buf_init(&b, 0);
		if (acs_buf_puts(&b, e->keyauth) < 0 ||
		    acs_buf_puts(&b, e->mode == ACS_HTTP01_TRAILING_NL ? "\n" : "  ") < 0) {
			acs_buf_free(&b);
			return NULL;
		}
		return acs_buf_steal(&b);
	case ACS_HTTP01_NOT_FOUND:
		*status = MHD_HTTP_NOT_FOUND;
		return NULL;
	case ACS_HTTP01_REDIRECT:
		*status = MHD_HTTP_FOUND;
		return NULL;
	case ACS_HTTP01_FAIL_FIRST:
		/* since_set already counts this request */
		if (e->since_set <= 1) {
			*status = MHD_HTTP_NOT_FOUND;
			*what = "fail-first (first request)";
			return NULL;
		}
		return strdup(e->keyauth);
	}
	return NULL;
}

static enum MHD_Result queue(struct MHD_Connection *c, unsigned int status, const char *body,
                             const char *location)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	const char *b = body != NULL ? body : "";

	resp =
	    MHD_create_response_from_buffer(strlen(b), (void *)(uintptr_t)b, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	if (body != NULL && status == MHD_HTTP_OK)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		                        "application/octet-stream");
	if (location != NULL)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
	struct acs_responders *r = cls;
	struct resp_http_entry *e;
	const union MHD_ConnectionInfo *ci;
	const char *token = NULL, *host, *what = "unknown token";
	char peer[64], location[sizeof(REDIRECT) + TOKEN_MAX];
	char *body = NULL;
	unsigned int status = MHD_HTTP_NOT_FOUND;
	int redirect_target = 0, is_get;
	enum MHD_Result ret;

	/* the request body, if any, is ignored: answer on the first call */
	if (upload_data_size != NULL)
		*upload_data_size = 0;
	if (strncmp(url, WELL_KNOWN, strlen(WELL_KNOWN)) == 0) {
		token = url + strlen(WELL_KNOWN);
	} else if (strncmp(url, REDIRECT, strlen(REDIRECT)) == 0) {
		token = url + strlen(REDIRECT);
		redirect_target = 1;
	}
	if (token == NULL || token[0] == '\0' || strlen(token) >= TOKEN_MAX)
		return queue(c, MHD_HTTP_NOT_FOUND, NULL, NULL);

	is_get =
	    strcmp(method, MHD_HTTP_METHOD_GET) == 0 || strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	resp_peer_str(ci != NULL ? ci->client_addr : NULL, peer, sizeof(peer));
	host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	location[0] = '\0';

	pthread_mutex_lock(&r->http_mu);
	e = find_entry(r, token);
	if (e != NULL) {
		e->hits++;
		e->since_set++;
		if (!is_get) {
			status = MHD_HTTP_METHOD_NOT_ALLOWED;
			what = "method not allowed";
		} else {
			body = make_body(e, redirect_target, &status, &what);
			if (status == MHD_HTTP_OK && body == NULL)
				status = MHD_HTTP_INTERNAL_SERVER_ERROR;
			if (status == MHD_HTTP_FOUND)
				snprintf(location, sizeof(location), "%s%s", REDIRECT, token);
		}
		if (e->t != NULL)
			acs_transcript_note(e->t,
			                    "http-01 responder: %s %s from %s (Host: %s): %u%s%s, "
			                    "%zu bytes (%s)",
			                    method, url, peer, host != NULL ? host : "(none)",
			                    status, location[0] != '\0' ? " to " : "", location,
			                    body != NULL ? strlen(body) : (size_t)0, what);
	}
	pthread_mutex_unlock(&r->http_mu);

	ret = queue(c, status, body, location[0] != '\0' ? location : NULL);
	free(body);
	return ret;
}

int resp_http01_start(struct acs_responders *r, int port, struct acs_err *err)
{
	int fd = -1, rc;

	rc = resp_listen(r->bind_addr, port, SOCK_STREAM, &fd, &r->http_port, err);
	if (rc < 0) {
		r->http_port = -1;
		return rc;
	}
	r->mhd = MHD_start_daemon(
	    MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL,
	    NULL, handler, r, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int)(RESP_IO_TIMEOUT_MS / 1000), MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned int)256, MHD_OPTION_END);
	if (r->mhd == NULL) {
		/* MHD may or may not have closed the socket it was handed */
		if (fcntl(fd, F_GETFD) >= 0)
			close(fd);
		rc = acs_err_set(err, ACS_E_IO, "cannot start the http-01 responder on %s:%d",
		                 r->bind_addr, r->http_port);
		r->http_port = -1;
		return rc;
	}
	return 0;
}

void resp_http01_stop(struct acs_responders *r)
{
	/* joins the polling thread and every connection thread; closes the socket */
	if (r->mhd != NULL)
		MHD_stop_daemon(r->mhd);
	r->mhd = NULL;
}

void resp_http01_free_table(struct acs_responders *r)
{
	struct resp_http_entry *e, *next;

	for (e = r->http; e != NULL; e = next) {
		next = e->next;
		free(e->token);
		free(e->keyauth);
		free(e);
	}
	r->http = NULL;
}

int acs_http01_set(struct acs_responders *r, const char *token, const char *keyauth,
                   enum acs_http01_mode mode, struct acs_transcript *t)
{
	struct resp_http_entry *e, *fresh = NULL;
	char *ka = NULL;
	int rc;

	if (r == NULL || token == NULL || keyauth == NULL || token[0] == '\0')
		return ACS_E_INVAL;
	if (strlen(token) >= TOKEN_MAX || strlen(keyauth) >= KEYAUTH_MAX)
		return ACS_E_TOOBIG;
	if ((unsigned)mode > (unsigned)ACS_HTTP01_FAIL_FIRST)
		return ACS_E_INVAL;
	ka = strdup(keyauth);
	fresh = calloc(1, sizeof(*fresh));
	if (ka == NULL || fresh == NULL) {
		rc = ACS_E_NOMEM;
		goto out;
	}
	pthread_mutex_lock(&r->http_mu);
	e = find_entry(r, token);
	if (e == NULL) {
		fresh->token = strdup(token);
		if (fresh->token == NULL) {
			pthread_mutex_unlock(&r->http_mu);
			rc = ACS_E_NOMEM;
			goto out;
		}
		e = fresh;
		fresh = NULL;
		e->next = r->http;
		r->http = e;
	}
	free(e->keyauth);
	e->keyauth = ka;
	ka = NULL;
	e->mode = mode;
	e->t = t;
	e->since_set = 0;
	pthread_mutex_unlock(&r->http_mu);
	rc = 0;
out:
	free(ka);
	free(fresh);
	return rc;
}

void acs_http01_clear(struct acs_responders *r, const char *token)
{
	struct resp_http_entry *e;
	char *ka = NULL;

	if (r == NULL || token == NULL)
		return;
	pthread_mutex_lock(&r->http_mu);
	e = find_entry(r, token);
	if (e != NULL) {
		ka = e->keyauth;
		e->keyauth = NULL;
		e->t = NULL;
	}
	pthread_mutex_unlock(&r->http_mu);
	free(ka);
}

int acs_http01_hits(struct acs_responders *r, const char *token)
{
	struct resp_http_entry *e;
	int n = 0;

	if (r == NULL || token == NULL)
		return 0;
	pthread_mutex_lock(&r->http_mu);
	e = find_entry(r, token);
	if (e != NULL)
		n = e->hits;
	pthread_mutex_unlock(&r->http_mu);
	return n;
}
