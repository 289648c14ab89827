/*
 * HTTP transport against a libmicrohttpd server on 127.0.0.1 (ephemeral
 * port), plus a raw socket server for canned replies (1xx responses,
 * folded headers) and for a peer that never answers.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness/buf.h"
#include "harness/http.h"
#include "harness/transcript.h"
#include "harness/x509.h"

static struct MHD_Daemon *mhd;
static unsigned short mhd_port;
static char base[64];

/* Per-request upload state. */
struct upload {
	struct acs_buf body;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int status, const char *body,
                             const char *const *headers)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	size_t i;

	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	for (i = 0; headers != NULL && headers[i] != NULL; i += 2)
		MHD_add_response_header(r, headers[i], headers[i + 1]);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_data_size, void **con_cls)
{
	struct upload *up = *con_cls;

	if (up == NULL) {
		up = calloc(1, sizeof(*up));
		if (up == NULL)
			return MHD_NO;
		acs_buf_init(&up->body, 1 << 20);
		*con_cls = up;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		acs_buf_append(&up->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/hello") == 0) {
		static const char *const h[] = {
		    "Replay-Nonce",
		    "abc_DEF-123",
		    "Link",
		    "<https://example.com/dir>;rel=\"index\"",
		    "Link",
		    "<https://example.com/alt/1>; rel=alternate, "
		    "<https://example.com/up>; rel=\"up index\"; title=\"a, b\"",
		    "Link",
		    "<https://example.com/alt/2>; rel=\"alternate\"",
		    "Content-Type",
		    "text/plain",
		    NULL};
		return reply(conn, 200, "hello world", h);
	}
	if (strcmp(url, "/echo") == 0) {
		struct acs_buf out;
		const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
		const char *ua = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "User-Agent");
		const char *xc = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Custom");
		const char *ex = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
		enum MHD_Result ret;

		acs_buf_init(&out, 0);
		acs_buf_printf(&out, "method=%s\nct=%s\nua=%s\nx=%s\nexpect=%s\nbody=%s", method,
		               ct ? ct : "(none)", ua ? ua : "(none)", xc ? xc : "(none)",
		               ex ? ex : "(none)", up->body.data ? up->body.data : "");
		ret = reply(conn, 200, out.data, NULL);
		acs_buf_free(&out);
		return ret;
	}
	if (strcmp(url, "/big") == 0) {
		static char big[10001];

		memset(big, 'x', sizeof(big) - 1);
		return reply(conn, 200, big, NULL);
	}
	if (strcmp(url, "/problem") == 0) {
		static const char *const h[] = {"Content-Type", "application/problem+json", NULL};

		return reply(conn, 400,
		             "{\"type\":\"urn:ietf:params:acme:error:badNonce\",\"detail\":\"no\"}",
		             h);
	}
	if (strcmp(url, "/redirect") == 0) {
		static const char *const h[] = {"Location", "/hello", NULL};

		return reply(conn, 302, "", h);
	}
	if (strcmp(url, "/empty") == 0) {
		static const char *const h[] = {"Replay-Nonce", "n1", NULL};

		return reply(conn, 204, "", h);
	}
	return reply(conn, 404, "not found", NULL);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	if (up != NULL) {
		acs_buf_free(&up->body);
		free(up);
		*con_cls = NULL;
	}
}

static int suite_init(void)
{
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;

	if (acs_http_global_init() != 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = 0;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	                       NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &sa,
	                       MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_END);
	if (mhd == NULL)
		return -1;
	info = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (info == NULL || info->port == 0)
		return -1;
	mhd_port = info->port;
	snprintf(base, sizeof(base), "http://127.0.0.1:%u", (unsigned)mhd_port);
	return 0;
}

static int suite_clean(void)
{
	if (mhd != NULL)
		MHD_stop_daemon(mhd);
	acs_http_global_cleanup();
	return 0;
}

static struct acs_http *client(long timeout_ms, size_t max_body)
{
	struct acs_http *h = NULL;
	struct acs_http_opts o;
	struct acs_err err = {0};

	memset(&o, 0, sizeof(o));
	o.timeout_ms = timeout_ms;
	o.max_body = max_body;
	CU_ASSERT_EQUAL(acs_http_new(&h, &o, &err), 0);
	return h;
}

static void url_of(char *out, size_t n, const char *path)
{
	snprintf(out, n, "%s%s", base, path);
}

static void test_get(void)
{
	struct acs_http *h = client(5000, 0);
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	struct acs_err err = {0};
	const char *vals[4];
	char url[128], *l;

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	url_of(url, sizeof(url), "/hello");
	req.method = "GET";
	req.url = url;
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT_EQUAL(resp->status, 200);
	CU_ASSERT_EQUAL(resp->body_len, 11);
	CU_ASSERT_STRING_EQUAL(resp->body, "hello world");
	CU_ASSERT_STRING_EQUAL(acs_http_header(resp, "replay-nonce"), "abc_DEF-123");
	CU_ASSERT_STRING_EQUAL(acs_http_header(resp, "Content-Type"), "text/plain");
	CU_ASSERT_PTR_NULL(acs_http_header(resp, "X-Nothing"));
	CU_ASSERT_EQUAL(acs_http_header_all(resp, "link", vals, 4), 3);
	CU_ASSERT_STRING_EQUAL(vals[0], "<https://example.com/dir>;rel=\"index\"");
	CU_ASSERT(resp->seconds >= 0.0 && resp->seconds < 5.0);

	l = acs_http_link(resp, "index", 0);
	CU_ASSERT_STRING_EQUAL(l, "https://example.com/dir");
	free(l);
	l = acs_http_link(resp, "index", 1);
	CU_ASSERT_STRING_EQUAL(l, "https://example.com/up");
	free(l);
	CU_ASSERT_PTR_NULL(acs_http_link(resp, "index", 2));
	l = acs_http_link(resp, "up", 0);
	CU_ASSERT_STRING_EQUAL(l, "https://example.com/up");
	free(l);
	l = acs_http_link(resp, "alternate", 1);
	CU_ASSERT_STRING_EQUAL(l, "https://example.com/alt/2");
	free(l);
	CU_ASSERT_PTR_NULL(acs_http_link(resp, "next", 0));
	acs_http_response_free(resp);

	/* 4xx is a response, not an error */
	url_of(url, sizeof(url), "/problem");
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT_EQUAL(resp->status, 400);
	CU_ASSERT(strstr(resp->body, "badNonce") != NULL);
	acs_http_response_free(resp);

	/* redirects are not followed */
	url_of(url, sizeof(url), "/redirect");
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT_EQUAL(resp->status, 302);
	CU_ASSERT_STRING_EQUAL(acs_http_header(resp, "Location"), "/hello");
	CU_ASSERT_STRING_EQUAL(resp->body, "");
	acs_http_response_free(resp);

	/* empty body */
	url_of(url, sizeof(url), "/empty");
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT_EQUAL(resp->status, 204);
	CU_ASSERT_PTR_NOT_NULL(resp->body);
	CU_ASSERT_EQUAL(resp->body_len, 0);
	acs_http_response_free(resp);
	acs_http_response_free(NULL);
	acs_http_free(h);
	acs_http_free(NULL);
}

static void test_head_and_methods(void)
{
	struct acs_http *h = client(5000, 0);
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	struct acs_err err = {0};
	const char *hdrs[] = {"Content-Type: application/jose+json", "X-Custom: yes", NULL};
	char url[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	url_of(url, sizeof(url), "/hello");
	req.method = "HEAD";
	req.url = url;
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT_EQUAL(resp->status, 200);
	CU_ASSERT_EQUAL(resp->body_len, 0);
	CU_ASSERT_STRING_EQUAL(acs_http_header(resp, "Replay-Nonce"), "abc_DEF-123");
	acs_http_response_free(resp);

	url_of(url, sizeof(url), "/echo");
	req.method = "POST";
	req.headers = hdrs;
	req.body = "{\"a\":1}";
	req.body_len = 7;
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(strstr(resp->body, "method=POST\n") != NULL);
	CU_ASSERT(strstr(resp->body, "ct=application/jose+json\n") != NULL);
	CU_ASSERT(strstr(resp->body, "ua=acmespec/") != NULL);
	CU_ASSERT(strstr(resp->body, "x=yes\n") != NULL);
	CU_ASSERT(strstr(resp->body, "expect=(none)\n") != NULL);
	CU_ASSERT(strstr(resp->body, "body={\"a\":1}") != NULL);
	acs_http_response_free(resp);

	/* no Content-Type given: none sent (curl would add a form type); no UA */
	req.headers = NULL;
	req.no_user_agent = 1;
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(strstr(resp->body, "ct=(none)\n") != NULL);
	CU_ASSERT(strstr(resp->body, "ua=(none)\n") != NULL);
	acs_http_response_free(resp);

	/* custom method with a body; empty POST */
	req.method = "PUT";
	req.no_user_agent = 0;
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(strstr(resp->body, "method=PUT\n") != NULL);
	CU_ASSERT(strstr(resp->body, "body={\"a\":1}") != NULL);
	acs_http_response_free(resp);
	req.method = "DELETE";
	req.body = NULL;
	req.body_len = 0;
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(strstr(resp->body, "method=DELETE\n") != NULL);
	acs_http_response_free(resp);
	req.method = "POST";
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(strstr(resp->body, "method=POST\n") != NULL);
	CU_ASSERT(strstr(resp->body, "\nbody=") != NULL);
	acs_http_response_free(resp);
	/* a GET after a POST on the same handle is a GET again */
	req.method = "GET";
	CU_ASSERT_EQUAL_FATAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(strstr(resp->body, "method=GET\n") != NULL);
	acs_http_response_free(resp);
	acs_http_free(h);
}

static void test_size_cap(void)
{
	struct acs_http *h = client(5000, 4096);
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	struct acs_err err = {0};
	char url[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	url_of(url, sizeof(url), "/big");
	req.method = "GET";
	req.url = url;
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_TOOBIG);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT(strstr(err.msg, "4096 bytes") != NULL);
	CU_ASSERT(strstr(err.msg, url) != NULL);
	acs_http_free(h);

	h = client(5000, 10000);
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT_EQUAL(resp->body_len, 10000);
	acs_http_response_free(resp);
	acs_http_free(h);
}

/* A loopback listener on an ephemeral port; returns the fd, *port set. */
static int listen_any(unsigned short *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_timeout(void)
{
	struct acs_http *h = client(300, 0);
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	struct acs_err err = {0};
	unsigned short port = 0;
	char url[128];
	double t0, dt;
	int fd = listen_any(&port); /* never accepts: the kernel queues the connection */

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/never", (unsigned)port);
	req.method = "GET";
	req.url = url;
	t0 = now();
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_TIMEOUT);
	dt = now() - t0;
	CU_ASSERT(dt >= 0.25 && dt < 3.0);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT(strstr(err.msg, "timed out after 300 ms waiting for ") != NULL);
	CU_ASSERT(strstr(err.msg, url) != NULL);
	close(fd);
	acs_http_free(h);
}

static void test_refused(void)
{
	struct acs_http *h = client(5000, 0);
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	struct acs_err err = {0};
	unsigned short port = 0;
	char url[128];
	int fd = listen_any(&port);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd); /* nothing listens there now */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/", (unsigned)port);
	req.method = "GET";
	req.url = url;
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_IO);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT(strstr(err.msg, url) != NULL);
	CU_ASSERT(strncmp(err.msg, "cannot GET ", 11) == 0);

	/* protocols other than http/https are refused */
	req.url = "file:///etc/passwd";
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_IO);
	CU_ASSERT(strstr(err.msg, "file:///etc/passwd") != NULL);
	req.url = NULL;
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_INVAL);
	acs_http_free(h);
}

/* Raw server: answers each of n connections with a canned reply. */
struct canned {
	int fd;
	const char *reply;
	int n;
};

static void *canned_thread(void *p)
{
	struct canned *c = p;
	char buf[4096];
	int i;

	for (i = 0; i < c->n; i++) {
		int conn = accept(c->fd, NULL, NULL);
		size_t got = 0;

		if (conn < 0)
			break;
		/* read the request head (no body in these tests) */
		while (got < sizeof(buf) - 1) {
			ssize_t r = read(conn, buf + got, sizeof(buf) - 1 - got);

			if (r <= 0)
				break;
			got += (size_t)r;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n") != NULL)
				break;
		}
		if (write(conn, c->reply, strlen(c->reply)) < 0)
			perror("write");
		close(conn);
	}
	return NULL;
}

static void test_final_headers_only(void)
{
	struct acs_http *h = client(5000, 0);
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	struct acs_err err = {0};
	struct canned c;
	pthread_t th;
	unsigned short port = 0;
	char url[128];

	c.reply = "HTTP/1.1 100 Continue\r\nX-Early: 1\r\n\r\n"
	          "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
	          "HTTP/1.1 201 Created\r\nX-Final: 2\r\n"
	          "X-Folded: first\r\n   second\r\n"
	          "Link: <https://example.com/a>; rel=\"up\"\r\n"
	          "Content-Length: 2\r\nConnection: close\r\n\r\nok";
	c.n = 1;
	c.fd = listen_any(&port);
	CU_ASSERT_FATAL(c.fd >= 0);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, canned_thread, &c) == 0);
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/x", (unsigned)port);
	req.method = "GET";
	req.url = url;
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), 0);
	pthread_join(th, NULL);
	close(c.fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(resp);
	CU_ASSERT_EQUAL(resp->status, 201);
	CU_ASSERT_PTR_NULL(acs_http_header(resp, "X-Early"));
	CU_ASSERT_PTR_NULL(acs_http_link(resp, "preload", 0));
	CU_ASSERT_STRING_EQUAL(acs_http_header(resp, "X-Final"), "2");
	CU_ASSERT_STRING_EQUAL(acs_http_header(resp, "X-Folded"), "first second");
	CU_ASSERT_STRING_EQUAL(resp->body, "ok");
	acs_http_response_free(resp);
	acs_http_free(h);
}

/* A response with the given Link header values, for the parser alone. */
static char *link_of(const char *const *values, size_t n, const char *rel, size_t index)
{
	struct acs_header hs[8];
	struct acs_http_response r;
	size_t i;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < n; i++) {
		hs[i].name = i % 2 ? "link" : "Link";
		hs[i].value = (char *)values[i];
	}
	r.headers = hs;
	r.nheaders = n;
	return acs_http_link(&r, rel, index);
}

static void expect_link(const char *const *values, size_t n, const char *rel, size_t index,
                        const char *want)
{
	char *got = link_of(values, n, rel, index);

	if (want == NULL) {
		CU_ASSERT_PTR_NULL(got);
	} else {
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got != NULL && strcmp(got, want) != 0) {
			fprintf(stderr, "\nrel %s #%zu: want %s got %s\n", rel, index, want, got);
			CU_FAIL("wrong link");
		}
	}
	free(got);
}

static void test_link_parser(void)
{
	const char *a[] = {"<https://a/1>; rel=\"UP\""};
	const char *b[] = {" <https://a/1> ; rel = \"next\" , <https://a/2>;rel=\"prev next\""};
	const char *c[] = {"<https://a/x,y>; title=\"rel=up, <https://evil>; rel=up\"; "
	                   "rel=index"};
	const char *d[] = {"<https://a/1>; rel=index; rel=up"};
	const char *e[] = {"garbage, <https://a/ok>; rel=up"};
	const char *f[] = {"<https://a/1>; title=\"x\\\"y\"; rel=up", "<https://a/2>; rel=up"};
	const char *g[] = {"<https://a/1>; rel=\"up", "<https://a/2>; rel=up"};
	const char *h[] = {"<https://a/1>; rel=upper; rel=up"};
	const char *i[] = {"<https://a/1>", "<https://a/2>; foo; rel=up"};

	expect_link(a, 1, "up", 0, "https://a/1");
	expect_link(b, 1, "next", 0, "https://a/1");
	expect_link(b, 1, "next", 1, "https://a/2");
	expect_link(b, 1, "prev", 0, "https://a/2");
	expect_link(b, 1, "next", 2, NULL);
	expect_link(c, 1, "up", 0, NULL);
	expect_link(c, 1, "index", 0, "https://a/x,y");
	expect_link(d, 1, "up", 0, NULL); /* only the first rel counts */
	expect_link(e, 1, "up", 0, "https://a/ok");
	expect_link(f, 2, "up", 1, "https://a/2");
	expect_link(f, 2, "up", 0, "https://a/1");
	expect_link(g, 2, "up", 0, "https://a/2");
	expect_link(h, 1, "up", 0, NULL);
	expect_link(i, 2, "up", 0, "https://a/2");
	expect_link(i, 2, "", 0, NULL);
}

static void test_transcript_recording(void)
{
	struct acs_http *h = client(5000, 0);
	struct acs_transcript *t = NULL;
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	struct acs_err err = {0};
	unsigned short port = 0;
	char url[128], bad[128], *text;
	int fd = listen_any(&port);

	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	acs_http_set_transcript(h, t);
	url_of(url, sizeof(url), "/hello");
	req.method = "GET";
	req.url = url;
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), 0);
	acs_http_response_free(resp);
	snprintf(bad, sizeof(bad), "http://127.0.0.1:%u/refused", (unsigned)port);
	req.url = bad;
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_IO);
	CU_ASSERT_EQUAL(acs_transcript_count(t), 2);
	text = acs_transcript_render(t, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT(strstr(text, "[1] GET ") != NULL);
	CU_ASSERT(strstr(text, "/hello\n") != NULL);
	CU_ASSERT(strstr(text, "< 200 (") != NULL);
	CU_ASSERT(strstr(text, "> User-Agent: acmespec/") != NULL);
	CU_ASSERT(strstr(text, "< Replay-Nonce: abc_DEF-123\n") != NULL);
	CU_ASSERT(strstr(text, "    hello world\n") != NULL);
	CU_ASSERT(strstr(text, "[2] GET ") != NULL);
	CU_ASSERT(strstr(text, "! cannot GET ") != NULL);
	free(text);
	acs_http_set_transcript(h, NULL);
	req.url = url;
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), 0);
	acs_http_response_free(resp);
	CU_ASSERT_EQUAL(acs_transcript_count(t), 2);
	acs_transcript_free(t);
	acs_http_free(h);
}

static void test_https(void)
{
	const char *names[] = {"127.0.0.1", "localhost"};
	char *cert = NULL, *key = NULL;
	struct acs_err err = {0};
	struct MHD_Daemon *d = NULL;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *info;
	char bundle[] = "/tmp/acs-http-ca-XXXXXX";
	char url[128];
	struct acs_http *h = NULL;
	struct acs_http_opts o;
	struct acs_http_request req = {0};
	struct acs_http_response *resp = NULL;
	FILE *f;
	int fd;

	CU_ASSERT_EQUAL_FATAL(acs_selfsigned_make(names, 2, &cert, &key, &err), 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS, 0, NULL, NULL, handler,
	                     NULL, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_HTTPS_MEM_CERT, cert,
	                     MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_NOTIFY_COMPLETED, completed,
	                     NULL, MHD_OPTION_END);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	CU_ASSERT_FATAL(info != NULL && info->port != 0);
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/hello", (unsigned)info->port);
	fd = mkstemp(bundle);
	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	fputs(cert, f);
	fclose(f);

	req.method = "GET";
	req.url = url;
	/* trusted through the bundle */
	memset(&o, 0, sizeof(o));
	o.timeout_ms = 5000;
	o.ca_bundle = bundle;
	CU_ASSERT_EQUAL_FATAL(acs_http_new(&h, &o, &err), 0);
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(resp != NULL && resp->status == 200 && strcmp(resp->body, "hello world") == 0);
	acs_http_response_free(resp);
	resp = NULL;
	acs_http_free(h);

	/* not trusted by the system store */
	o.ca_bundle = NULL;
	CU_ASSERT_EQUAL_FATAL(acs_http_new(&h, &o, &err), 0);
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), ACS_E_IO);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT(strstr(err.msg, url) != NULL);
	acs_http_free(h);

	/* verification switched off on purpose */
	o.insecure = 1;
	CU_ASSERT_EQUAL_FATAL(acs_http_new(&h, &o, &err), 0);
	CU_ASSERT_EQUAL(acs_http_do(h, &req, &resp, &err), 0);
	CU_ASSERT(resp != NULL && resp->status == 200);
	acs_http_response_free(resp);
	acs_http_free(h);

	MHD_stop_daemon(d);
	unlink(bundle);
	free(cert);
	free(key);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("http", suite_init, suite_clean);

	CU_add_test(s, "get", test_get);
	CU_add_test(s, "head_and_methods", test_head_and_methods);
	CU_add_test(s, "size_cap", test_size_cap);
	CU_add_test(s, "timeout", test_timeout);
	CU_add_test(s, "refused", test_refused);
	CU_add_test(s, "final_headers_only", test_final_headers_only);
	CU_add_test(s, "link_parser", test_link_parser);
	CU_add_test(s, "transcript_recording", test_transcript_recording);
	CU_add_test(s, "https", test_https);
}
