/* The http-01 front of acmespec client (cli/client_front.h). */
#include "cli/client_front.h"

#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "harness/b64url.h"
#include "harness/buf.h"

/* every snprintf here cuts on purpose: paths and messages are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define FRONT_BODY_CAP (64 * 1024)
#define TOKEN_MAX      256

struct acs_front {
	struct MHD_Daemon *d;
	struct acs_routes *rs;
	int port;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct acs_buf *b = ud;

	if (acs_buf_append(b, p, sz * n) != 0)
		return 0;
	return sz * n;
}

/*
 * GET (or HEAD) url on 127.0.0.1:port with the Host header host, within
 * timeout_ms; the body into body. The status (502 for an answer without
 * one), 0 when nothing answered, -1 on ENOMEM.
 */
static long fetch(int port, const char *url, const char *host, int head, long timeout_ms,
                  const char *agent, struct acs_buf *body)
{
	char full[1024], hosthdr[300];
	struct curl_slist *hdrs;
	long status = 0;
	CURL *c = curl_easy_init();

	if (c == NULL)
		return -1;
	(void)snprintf(full, sizeof(full), "http://127.0.0.1:%d%s", port, url);
	(void)snprintf(hosthdr, sizeof(hosthdr), "Host: %s", host);
	hdrs = curl_slist_append(NULL, hosthdr);
	(void)curl_easy_setopt(c, CURLOPT_URL, full);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (agent != NULL)
		(void)curl_easy_setopt(c, CURLOPT_USERAGENT, agent);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	if (head)
		(void)curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (curl_easy_perform(c) == CURLE_OK) {
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status <= 0)
			status = 502;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	return status;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *body,
                             size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(resp, "Content-Type", "text/plain");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The Host header's name: no port, no final dot. */
static void host_name(const char *host, char *name, size_t len)
{
	size_t n = strcspn(host, ":");

	if (n >= len)
		n = len - 1;
	memcpy(name, host, n);
	name[n] = '\0';
	if (n > 0 && name[n - 1] == '.')
		name[n - 1] = '\0';
}

/*
 * The file the client wrote into webroot for url, when url is a challenge
 * path with a plain base64url token: 1 and its content in body.
 */
static int from_webroot(const char *webroot, const char *url, struct acs_buf *body)
{
	static const char prefix[] = "/.well-known/acme-challenge/";
	const char *tok = url + sizeof(prefix) - 1;
	char path[PATH_MAX + 300], chunk[4096];
	size_t got, tl;
	FILE *fp;

	if (webroot[0] == '\0' || strncmp(url, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	tl = strlen(tok);
	if (tl > TOKEN_MAX || !acs_b64url_valid(tok, tl))
		return 0;
	(void)snprintf(path, sizeof(path), "%s%s", webroot, url);
	fp = fopen(path, "rb");
	if (fp == NULL)
		return 0;
	for (got = fread(chunk, 1, sizeof(chunk), fp); got > 0;
	     got = fread(chunk, 1, sizeof(chunk), fp))
		if (acs_buf_append(body, chunk, got) != 0)
			break;
	fclose(fp);
	return 1;
}

/*
 * The mock CA fetches http://NAME:FRONT/.well-known/acme-challenge/TOKEN.
 * Answer from the owning scenario's webroot when the file is there, else
 * forward to the scenario's {http01_port}, exactly as asked.
 */
static enum MHD_Result front_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct acs_front *f = cls;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	char name[256], webroot[PATH_MAX], msg[128];
	struct acs_buf body;
	enum MHD_Result ret;
	int port = -1;
	long status;

	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = f; /* first call: headers only */
		return MHD_YES;
	}
	*upload_size = 0;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return reply(conn, 405, "acmespec: GET only\n", 19);
	if (host == NULL)
		host = "";
	host_name(host, name, sizeof(name));
	if (acs_routes_http(f->rs, name, webroot, sizeof(webroot), &port) != 0)
		return reply(conn, 404, "acmespec: no scenario owns this name\n", 37);
	acs_buf_init(&body, FRONT_BODY_CAP);
	if (from_webroot(webroot, url, &body)) {
		ret = reply(conn, 200, body.data ? body.data : "", body.len);
	} else {
		status = fetch(port, url, host, strcmp(method, "HEAD") == 0, 4000L,
		               "acmespec-front", &body);
		if (status < 0) {
			ret = reply(conn, 500, "acmespec: out of memory\n", 24);
		} else if (status > 0) {
			ret = reply(conn, (unsigned)status, body.data ? body.data : "", body.len);
		} else {
			int ml = snprintf(
			    msg, sizeof(msg),
			    "acmespec: no challenge file and nothing answers on port %d\n", port);

			ret = reply(conn, 404, msg, (size_t)ml);
		}
	}
	acs_buf_free(&body);
	return ret;
}

int acs_front_start(struct acs_front **out, struct acs_routes *rs, struct acs_err *err)
{
	const union MHD_DaemonInfo *di;
	struct acs_front *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (f == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	f->rs = rs;
	f->d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, front_handler, f, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
	    MHD_OPTION_SOCK_ADDR,
	    (const struct sockaddr *)&(struct sockaddr_in){
	        .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
	    MHD_OPTION_END);
	if (f->d == NULL) {
		free(f);
		return acs_err_set(err, ACS_E_IO, "cannot start the http-01 front on 127.0.0.1");
	}
	di = MHD_get_daemon_info(f->d, MHD_DAEMON_INFO_BIND_PORT);
	f->port = di != NULL ? di->port : 0;
	*out = f;
	if (f->port == 0)
		return acs_err_set(err, ACS_E_IO, "cannot read the http-01 front's port");
	return 0;
}

void acs_front_stop(struct acs_front *f)
{
	if (f == NULL)
		return;
	MHD_stop_daemon(f->d);
	free(f);
}

int acs_front_port(const struct acs_front *f)
{
	return f->port;
}

int acs_front_serves(void *ctx, const char *identifier, const char *token)
{
	struct acs_front *f = ctx;
	char url[400];
	struct acs_buf body;
	long status;
	int served;

	(void)snprintf(url, sizeof(url), "/.well-known/acme-challenge/%s", token);
	acs_buf_init(&body, FRONT_BODY_CAP);
	status = fetch(f->port, url, identifier, 0, 6000L, NULL, &body);
	served = status == 200 && body.data != NULL && strstr(body.data, token) != NULL;
	acs_buf_free(&body);
	return served;
}
