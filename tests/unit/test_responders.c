/*
 * Unit tests for the mock client's challenge responders, over real loopback
 * traffic: http-01 fetched with libcurl, tls-alpn-01 handshakes with an
 * OpenSSL client, dns-01 queries built here and sent over UDP and TCP,
 * including malformed and random packets.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "harness/buf.h"
#include "harness/err.h"
#include "harness/transcript.h"
#include "harness/x509.h"
#include "mockclient/responders.h"

/* ---- helpers ---- */

static struct acs_responders *start_all(const char *a_answer)
{
	struct acs_responders_opts o;
	struct acs_responders *r = NULL;
	struct acs_err err;

	memset(&o, 0, sizeof(o));
	o.dns_a_answer = a_answer;
	acs_err_clear(&err);
	if (acs_responders_start(&r, &o, &err) != 0) {
		fprintf(stderr, "responders: %s\n", err.msg);
		return NULL;
	}
	return r;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static struct acs_ident ident(const char *type, const char *value)
{
	struct acs_ident id;

	memset(&id, 0, sizeof(id));
	snprintf(id.type, sizeof(id.type), "%s", type);
	snprintf(id.value, sizeof(id.value), "%s", value);
	return id;
}

static size_t curl_write(char *p, size_t size, size_t n, void *ud)
{
	struct acs_buf *b = ud;

	if (acs_buf_append(b, p, size * n) < 0)
		return 0;
	return size * n;
}

static size_t curl_header(char *p, size_t size, size_t n, void *ud)
{
	char *loc = ud;
	size_t len = size * n, k;

	if (len > 10 && strncasecmp(p, "Location: ", 10) == 0) {
		for (k = 10; k < len && p[k] != '\r' && p[k] != '\n' && k - 10 < 255; k++)
			loc[k - 10] = p[k];
		loc[k - 10] = '\0';
	}
	return len;
}

/* GET http://127.0.0.1:port<path>; body in *body (free()), Location in loc. */
static long http_get(int port, const char *path, int follow, const char *host, char **body,
                     char loc[256])
{
	CURL *c = curl_easy_init();
	struct curl_slist *hdrs = NULL;
	struct acs_buf b;
	char url[512], hh[300];
	long status = -1;

	acs_buf_init(&b, 65536);
	loc[0] = '\0';
	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, curl_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, loc);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, follow ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROXY, "");
	if (host != NULL) {
		snprintf(hh, sizeof(hh), "Host: %s", host);
		hdrs = curl_slist_append(hdrs, hh);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	}
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	*body = acs_buf_steal(&b);
	return status;
}

static int tcp_connect(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* ---- http-01 ---- */

static void test_lifecycle(void)
{
	struct acs_responders_opts o;
	struct acs_responders *r = NULL;
	int h = 0, t = 0, d = 0;

	r = start_all(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, &h, &t, &d);
	CU_ASSERT(h > 0);
	CU_ASSERT(t > 0);
	CU_ASSERT(d > 0);
	CU_ASSERT(h != t);
	acs_responders_stop(r);

	memset(&o, 0, sizeof(o));
	o.tlsalpn01_port = -1;
	o.dns_port = -1;
	r = NULL;
	CU_ASSERT_EQUAL_FATAL(acs_responders_start(&r, &o, NULL), 0);
	acs_responders_ports(r, &h, &t, &d);
	CU_ASSERT(h > 0);
	CU_ASSERT_EQUAL(t, -1);
	CU_ASSERT_EQUAL(d, -1);
	acs_responders_stop(r);
	acs_responders_stop(NULL);
}

static void test_bind_error(void)
{
	struct acs_responders_opts o;
	struct acs_responders *r = NULL;
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct acs_err err;
	char want[64];
	int fd, port;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL_FATAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CU_ASSERT_EQUAL_FATAL(listen(fd, 1), 0);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	port = ntohs(sa.sin_port);

	memset(&o, 0, sizeof(o));
	o.tlsalpn01_port = port;
	o.dns_port = -1;
	acs_err_clear(&err);
	CU_ASSERT(acs_responders_start(&r, &o, &err) < 0);
	CU_ASSERT_PTR_NULL(r);
	snprintf(want, sizeof(want), "cannot bind 127.0.0.1:%d: ", port);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "address already in use"));
	close(fd);

	memset(&o, 0, sizeof(o));
	o.dns_a_answer = "not-an-ip";
	CU_ASSERT_EQUAL(acs_responders_start(&r, &o, &err), ACS_E_INVAL);
	o.dns_a_answer = NULL;
	o.bind_addr = "localhost"; /* numeric only */
	CU_ASSERT(acs_responders_start(&r, &o, &err) < 0);
	CU_ASSERT_PTR_NULL(r);
}

static void test_http01_modes(void)
{
	struct acs_responders *r = start_all(NULL);
	struct acs_transcript *t = NULL;
	char loc[256], *body = NULL, *text = NULL;
	int port;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, &port, NULL, NULL);
	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);

	CU_ASSERT_EQUAL(acs_http01_set(r, "tokOK", "tokOK.thumb", ACS_HTTP01_OK, t), 0);
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokW", "tokW.thumb", ACS_HTTP01_WRONG, NULL), 0);
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokNL", "tokNL.thumb", ACS_HTTP01_TRAILING_NL, NULL), 0);
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokSP", "tokSP.thumb", ACS_HTTP01_TRAILING_SP, NULL), 0);
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokNF", "tokNF.thumb", ACS_HTTP01_NOT_FOUND, NULL), 0);
	CU_ASSERT_EQUAL(acs_http01_set(r, "", "x", ACS_HTTP01_OK, NULL), ACS_E_INVAL);

	CU_ASSERT_EQUAL(
	    http_get(port, "/.well-known/acme-challenge/tokOK", 0, "h1.acmespec.test", &body, loc),
	    200);
	CU_ASSERT_STRING_EQUAL(body, "tokOK.thumb");
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokW", 0, NULL, &body, loc),
	                200);
	CU_ASSERT(strcmp(body, "tokW.thumb") != 0);
	CU_ASSERT_EQUAL(strlen(body), strlen("tokW.thumb"));
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokNL", 0, NULL, &body, loc),
	                200);
	CU_ASSERT_STRING_EQUAL(body, "tokNL.thumb\n");
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokSP", 0, NULL, &body, loc),
	                200);
	CU_ASSERT_STRING_EQUAL(body, "tokSP.thumb  ");
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokNF", 0, NULL, &body, loc),
	                404);
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/unknown", 0, NULL, &body, loc),
	                404);
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/elsewhere", 0, NULL, &body, loc), 404);
	free(body);

	CU_ASSERT_EQUAL(acs_http01_hits(r, "tokOK"), 1);
	CU_ASSERT_EQUAL(acs_http01_hits(r, "tokNF"), 1);
	CU_ASSERT_EQUAL(acs_http01_hits(r, "unknown"), 0);

	/* cleared: 404, still counted, no more notes */
	acs_http01_clear(r, "tokOK");
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokOK", 0, NULL, &body, loc),
	                404);
	free(body);
	CU_ASSERT_EQUAL(acs_http01_hits(r, "tokOK"), 2);

	text = acs_transcript_render(t, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "http-01 responder"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "h1.acmespec.test"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "127.0.0.1"));
	free(text);
	acs_responders_stop(r);
	acs_transcript_free(t);
}

static void test_http01_redirect_fail_first(void)
{
	struct acs_responders *r = start_all(NULL);
	char loc[256], *body = NULL;
	int port;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, &port, NULL, NULL);
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokR", "tokR.thumb", ACS_HTTP01_REDIRECT, NULL), 0);
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokF", "tokF.thumb", ACS_HTTP01_FAIL_FIRST, NULL), 0);

	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokR", 0, NULL, &body, loc),
	                302);
	CU_ASSERT_STRING_EQUAL(loc, "/acmespec-redirect/tokR");
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokR", 1, NULL, &body, loc),
	                200);
	CU_ASSERT_STRING_EQUAL(body, "tokR.thumb");
	free(body);
	CU_ASSERT_EQUAL(acs_http01_hits(r, "tokR"), 3);
	/* the redirect target serves only tokens in REDIRECT mode */
	CU_ASSERT_EQUAL(http_get(port, "/acmespec-redirect/tokF", 0, NULL, &body, loc), 404);
	free(body);

	/* fail-first: 404 once, then the key authorization */
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokF2", "tokF2.thumb", ACS_HTTP01_FAIL_FIRST, NULL), 0);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokF2", 0, NULL, &body, loc),
	                404);
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokF2", 0, NULL, &body, loc),
	                200);
	CU_ASSERT_STRING_EQUAL(body, "tokF2.thumb");
	free(body);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokF2", 0, NULL, &body, loc),
	                200);
	free(body);
	CU_ASSERT_EQUAL(acs_http01_hits(r, "tokF2"), 3);
	/* set again: fails first again */
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokF2", "tokF2.thumb", ACS_HTTP01_FAIL_FIRST, NULL), 0);
	CU_ASSERT_EQUAL(http_get(port, "/.well-known/acme-challenge/tokF2", 0, NULL, &body, loc),
	                404);
	free(body);
	CU_ASSERT_EQUAL(acs_http01_hits(r, "tokF2"), 4);
	acs_responders_stop(r);
}

struct fetcher {
	int port;
	int ok;
};

static void *fetch_many(void *arg)
{
	struct fetcher *f = arg;
	char loc[256], *body = NULL;
	int i;

	for (i = 0; i < 10; i++) {
		if (http_get(f->port, "/.well-known/acme-challenge/tokC", 0, NULL, &body, loc) ==
		        200 &&
		    strcmp(body, "tokC.thumb") == 0)
			f->ok++;
		free(body);
	}
	return NULL;
}

static void test_http01_concurrent(void)
{
	struct acs_responders *r = start_all(NULL);
	struct fetcher f[4];
	pthread_t th[4];
	int port, i, ok = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, &port, NULL, NULL);
	CU_ASSERT_EQUAL(acs_http01_set(r, "tokC", "tokC.thumb", ACS_HTTP01_OK, NULL), 0);
	for (i = 0; i < 4; i++) {
		f[i].port = port;
		f[i].ok = 0;
		pthread_create(&th[i], NULL, fetch_many, &f[i]);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ok += f[i].ok;
	}
	CU_ASSERT_EQUAL(ok, 40);
	CU_ASSERT_EQUAL(acs_http01_hits(r, "tokC"), 40);
	acs_responders_stop(r);
}

/* ---- tls-alpn-01 ---- */

struct tls_result {
	int ok;        /* handshake completed */
	char alpn[32]; /* protocol selected, "" for none */
	X509 *cert;    /* peer certificate (caller frees) */
};

/*
 * One handshake. alpn: wire-format protocol list (NULL: no ALPN), sni:
 * NULL for none, max_version 0 for any, app_data: send bytes afterwards.
 */
static void tls_handshake(int port, const char *sni, const unsigned char *alpn, unsigned alpn_len,
                          int max_version, int app_data, struct tls_result *res)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	const unsigned char *sel = NULL;
	unsigned sel_len = 0;
	int fd = tcp_connect(port);

	memset(res, 0, sizeof(*res));
	if (ctx == NULL || fd < 0)
		goto out;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (max_version != 0)
		SSL_CTX_set_max_proto_version(ctx, max_version);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	if (sni != NULL)
		SSL_set_tlsext_host_name(ssl, sni);
	if (alpn != NULL)
		SSL_set_alpn_protos(ssl, alpn, alpn_len);
	if (SSL_connect(ssl) != 1)
		goto out;
	res->ok = 1;
	SSL_get0_alpn_selected(ssl, &sel, &sel_len);
	if (sel_len > 0 && sel_len < sizeof(res->alpn)) {
		memcpy(res->alpn, sel, sel_len);
		res->alpn[sel_len] = '\0';
	}
	res->cert = SSL_get1_peer_certificate(ssl);
	if (app_data) {
		SSL_write(ssl, "GET / HTTP/1.1\r\n\r\n", 18);
		sleep_ms(50);
	}
	SSL_shutdown(ssl);
out:
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
}

static const unsigned char ALPN_ACME[] = "\x0a"
                                         "acme-tls/1";
static const unsigned char ALPN_MIXED[] = "\x02"
                                          "h2"
                                          "\x0a"
                                          "acme-tls/1";
static const unsigned char ALPN_HTTP[] = "\x08"
                                         "http/1.1";

/* Wait until the responder has recorded n handshakes for id (up to 3 s). */
static void wait_obs(struct acs_responders *r, const struct acs_ident *id, int n,
                     struct acs_alpn_obs *obs)
{
	int i;

	for (i = 0; i < 300; i++) {
		if (acs_alpn_observed(r, id, obs) == 0 && obs->handshakes >= n)
			return;
		sleep_ms(10);
	}
}

/* acmeIdentifier of x: critical flag and digest; -1 when absent or malformed. */
static int cert_acme_ext(X509 *x, int *critical, unsigned char digest[32])
{
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
	int at = X509_get_ext_by_OBJ(x, oid, -1);
	X509_EXTENSION *ext;
	const ASN1_OCTET_STRING *d;
	const unsigned char *p;

	ASN1_OBJECT_free(oid);
	if (at < 0)
		return -1;
	ext = X509_get_ext(x, at);
	*critical = X509_EXTENSION_get_critical(ext);
	d = X509_EXTENSION_get_data(ext);
	p = ASN1_STRING_get0_data(d);
	if (ASN1_STRING_length(d) != 34 || p[0] != 0x04 || p[1] != 0x20)
		return -1;
	memcpy(digest, p + 2, 32);
	return 0;
}

static int cert_san(X509 *x, int i, char *out, size_t n, int *type)
{
	GENERAL_NAMES *g = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int count = g != NULL ? sk_GENERAL_NAME_num(g) : 0;

	if (i < count) {
		GENERAL_NAME *gn = sk_GENERAL_NAME_value(g, i);
		const ASN1_STRING *s = gn->type == GEN_DNS ? gn->d.dNSName : gn->d.iPAddress;
		*type = gn->type;
		snprintf(out, n, "%.*s", ASN1_STRING_length(s), ASN1_STRING_get0_data(s));
	}
	GENERAL_NAMES_free(g);
	return count;
}

static void sha256(const char *s, unsigned char out[32])
{
	unsigned int n = 0;

	EVP_Digest(s, strlen(s), out, &n, EVP_sha256(), NULL);
}

static void test_alpn_ok(void)
{
	struct acs_responders *r = start_all(NULL);
	struct acs_ident id = ident("dns", "t1.acmespec.test");
	struct acs_transcript *t = NULL;
	struct acs_alpn_obs obs;
	struct tls_result res;
	unsigned char want[32], got[32];
	char san[300], *text;
	int port, crit = 0, type = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, NULL, &port, NULL);
	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	CU_ASSERT_EQUAL(acs_alpn_observed(r, &id, &obs), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL_FATAL(acs_alpn_set(r, &id, "tokA.thumbA", ACS_ALPN_OK, t), 0);

	tls_handshake(port, "T1.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_EQUAL_FATAL(res.ok, 1);
	CU_ASSERT_STRING_EQUAL(res.alpn, "acme-tls/1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(res.cert);
	sha256("tokA.thumbA", want);
	CU_ASSERT_EQUAL(cert_acme_ext(res.cert, &crit, got), 0);
	CU_ASSERT_EQUAL(crit, 1);
	CU_ASSERT_EQUAL(memcmp(want, got, 32), 0);
	CU_ASSERT_EQUAL(cert_san(res.cert, 0, san, sizeof(san), &type), 1);
	CU_ASSERT_EQUAL(type, GEN_DNS);
	CU_ASSERT_STRING_EQUAL(san, "t1.acmespec.test");
	X509_free(res.cert);

	wait_obs(r, &id, 1, &obs);
	CU_ASSERT_EQUAL(obs.handshakes, 1);
	CU_ASSERT_EQUAL(obs.offered_acme_tls, 1);
	CU_ASSERT_EQUAL(obs.offered_only_acme, 1);
	CU_ASSERT_EQUAL(obs.app_data_received, 0);
	CU_ASSERT_EQUAL(obs.min_version_seen, TLS1_3_VERSION);

	text = acs_transcript_render(t, 0);
	CU_ASSERT_PTR_NOT_NULL(text);
	if (text != NULL) {
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "tls-alpn-01 responder"));
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "SNI t1.acmespec.test"));
	}
	free(text);

	/* cleared: no certificate any more, the handshake fails, still observed */
	acs_alpn_clear(r, &id);
	tls_handshake(port, "t1.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_EQUAL(res.ok, 0);
	wait_obs(r, &id, 2, &obs);
	CU_ASSERT_EQUAL(obs.handshakes, 2);
	acs_responders_stop(r);
	acs_transcript_free(t);
}

/*
 * A validator that reports the challenge valid while its connection is still
 * open (the responder waits for application data before recording it): an
 * observation read at once, without polling, must still include it.
 */
static void test_alpn_observed_while_open(void)
{
	struct acs_responders *r = start_all(NULL);
	struct acs_ident id = ident("dns", "t7.acmespec.test");
	struct acs_alpn_obs obs;
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl = NULL;
	int port, fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	acs_responders_ports(r, NULL, &port, NULL);
	CU_ASSERT_EQUAL_FATAL(acs_alpn_set(r, &id, "k.a", ACS_ALPN_OK, NULL), 0);
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, "t7.acmespec.test");
	SSL_set_alpn_protos(ssl, ALPN_ACME, sizeof(ALPN_ACME) - 1);
	CU_ASSERT_EQUAL(SSL_connect(ssl), 1);
	/* the connection stays open while the observation is read */
	CU_ASSERT_EQUAL(acs_alpn_observed(r, &id, &obs), 0);
	CU_ASSERT_EQUAL(obs.handshakes, 1);
	CU_ASSERT_EQUAL(obs.min_version_seen, TLS1_3_VERSION);
	CU_ASSERT_EQUAL(obs.app_data_received, 0);
	ERR_clear_error();
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	close(fd);
	acs_responders_stop(r);
}

static void test_alpn_observations(void)
{
	struct acs_responders *r = start_all(NULL);
	struct acs_ident id = ident("dns", "t2.acmespec.test");
	struct acs_alpn_obs obs;
	struct tls_result res;
	int port;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, NULL, &port, NULL);
	CU_ASSERT_EQUAL_FATAL(acs_alpn_set(r, &id, "k.a", ACS_ALPN_OK, NULL), 0);

	/* application data after the handshake */
	tls_handshake(port, "t2.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 1, &res);
	CU_ASSERT_EQUAL(res.ok, 1);
	X509_free(res.cert);
	wait_obs(r, &id, 1, &obs);
	CU_ASSERT_EQUAL(obs.app_data_received, 1);

	/* no ALPN at all: certificate served, nothing negotiated, not "offered" */
	tls_handshake(port, "t2.acmespec.test", NULL, 0, 0, 0, &res);
	CU_ASSERT_EQUAL(res.ok, 1);
	CU_ASSERT_STRING_EQUAL(res.alpn, "");
	X509_free(res.cert);
	wait_obs(r, &id, 2, &obs);
	CU_ASSERT_EQUAL(obs.handshakes, 2);
	CU_ASSERT_EQUAL(obs.offered_acme_tls, 1);

	/* acme-tls/1 among others: offered, but not only */
	tls_handshake(port, "t2.acmespec.test", ALPN_MIXED, sizeof(ALPN_MIXED) - 1, 0, 0, &res);
	CU_ASSERT_EQUAL(res.ok, 1);
	CU_ASSERT_STRING_EQUAL(res.alpn, "acme-tls/1");
	X509_free(res.cert);
	wait_obs(r, &id, 3, &obs);
	CU_ASSERT_EQUAL(obs.offered_acme_tls, 2);
	CU_ASSERT_EQUAL(obs.offered_only_acme, 1);

	/* ALPN without acme-tls/1: no_application_protocol */
	tls_handshake(port, "t2.acmespec.test", ALPN_HTTP, sizeof(ALPN_HTTP) - 1, 0, 0, &res);
	CU_ASSERT_EQUAL(res.ok, 0);
	wait_obs(r, &id, 4, &obs);
	CU_ASSERT_EQUAL(obs.handshakes, 4);
	CU_ASSERT_EQUAL(obs.offered_acme_tls, 2);

	/* TLS 1.2 */
	tls_handshake(port, "t2.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, TLS1_2_VERSION, 0,
	              &res);
	CU_ASSERT_EQUAL(res.ok, 1);
	X509_free(res.cert);
	wait_obs(r, &id, 5, &obs);
	CU_ASSERT_EQUAL(obs.min_version_seen, TLS1_2_VERSION);

	/* TLS 1.1 is refused (RFC 8737 section 4) */
	tls_handshake(port, "t2.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, TLS1_1_VERSION, 0,
	              &res);
	CU_ASSERT_EQUAL(res.ok, 0);

	/* unknown SNI, no SNI */
	tls_handshake(port, "other.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_EQUAL(res.ok, 0);
	tls_handshake(port, NULL, ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_EQUAL(res.ok, 0);
	acs_responders_stop(r);
}

static void test_alpn_modes(void)
{
	struct acs_responders *r = start_all(NULL);
	struct acs_ident wd = ident("dns", "wd.acmespec.test"),
	                 nc = ident("dns", "nc.acmespec.test");
	struct acs_ident mc = ident("dns", "mc.acmespec.test"),
	                 es = ident("dns", "es.acmespec.test");
	struct acs_ident ne = ident("dns", "ne.acmespec.test"), ip = ident("ip", "127.0.0.1");
	struct acs_ident bad = ident("ip", "nope");
	struct tls_result res;
	unsigned char want[32], got[32];
	char san[300];
	int port, crit = 0, type = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, NULL, &port, NULL);
	sha256("k.m", want);
	CU_ASSERT_EQUAL(acs_alpn_set(r, &wd, "k.m", ACS_ALPN_WRONG_DIGEST, NULL), 0);
	CU_ASSERT_EQUAL(acs_alpn_set(r, &nc, "k.m", ACS_ALPN_NONCRITICAL, NULL), 0);
	CU_ASSERT_EQUAL(acs_alpn_set(r, &mc, "k.m", ACS_ALPN_MIXED_CASE, NULL), 0);
	CU_ASSERT_EQUAL(acs_alpn_set(r, &es, "k.m", ACS_ALPN_EXTRA_SAN, NULL), 0);
	CU_ASSERT_EQUAL(acs_alpn_set(r, &ne, "k.m", ACS_ALPN_NO_EXTENSION, NULL), 0);
	CU_ASSERT_EQUAL(acs_alpn_set(r, &ip, "k.m", ACS_ALPN_OK, NULL), 0);
	CU_ASSERT_EQUAL(acs_alpn_set(r, &bad, "k.m", ACS_ALPN_OK, NULL), ACS_E_INVAL);

	tls_handshake(port, "wd.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_FATAL(res.ok && res.cert != NULL);
	CU_ASSERT_EQUAL(cert_acme_ext(res.cert, &crit, got), 0);
	CU_ASSERT_EQUAL(crit, 1);
	CU_ASSERT(memcmp(want, got, 32) != 0);
	X509_free(res.cert);

	tls_handshake(port, "nc.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_FATAL(res.ok && res.cert != NULL);
	CU_ASSERT_EQUAL(cert_acme_ext(res.cert, &crit, got), 0);
	CU_ASSERT_EQUAL(crit, 0);
	CU_ASSERT_EQUAL(memcmp(want, got, 32), 0);
	X509_free(res.cert);

	tls_handshake(port, "mc.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_FATAL(res.ok && res.cert != NULL);
	CU_ASSERT_EQUAL(cert_san(res.cert, 0, san, sizeof(san), &type), 1);
	CU_ASSERT(strcmp(san, "mc.acmespec.test") != 0);
	CU_ASSERT_EQUAL(strcasecmp(san, "mc.acmespec.test"), 0);
	X509_free(res.cert);

	tls_handshake(port, "es.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_FATAL(res.ok && res.cert != NULL);
	CU_ASSERT_EQUAL(cert_san(res.cert, 1, san, sizeof(san), &type), 2);
	CU_ASSERT_STRING_EQUAL(san, "extra.acmespec.test");
	X509_free(res.cert);

	tls_handshake(port, "ne.acmespec.test", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_FATAL(res.ok && res.cert != NULL);
	CU_ASSERT_EQUAL(cert_acme_ext(res.cert, &crit, got), -1);
	X509_free(res.cert);

	/* RFC 8738: an IP identifier is asked for by its reverse-DNS name */
	tls_handshake(port, "1.0.0.127.in-addr.arpa", ALPN_ACME, sizeof(ALPN_ACME) - 1, 0, 0, &res);
	CU_ASSERT_FATAL(res.ok && res.cert != NULL);
	CU_ASSERT_EQUAL(cert_san(res.cert, 0, san, sizeof(san), &type), 1);
	CU_ASSERT_EQUAL(type, GEN_IPADD);
	CU_ASSERT_EQUAL(cert_acme_ext(res.cert, &crit, got), 0);
	CU_ASSERT_EQUAL(memcmp(want, got, 32), 0);
	X509_free(res.cert);
	acs_responders_stop(r);
}

/* ---- dns-01 ---- */

/* A query for name (dotted) and type; returns its length. */
static size_t dns_query(unsigned char *out, size_t cap, uint16_t id, const char *name,
                        uint16_t type)
{
	size_t o = 12;
	const char *p = name, *dot;

	memset(out, 0, 12);
	out[0] = (unsigned char)(id >> 8);
	out[1] = (unsigned char)id;
	out[2] = 0x01; /* RD */
	out[5] = 1;    /* QDCOUNT */
	while (*p != '\0') {
		size_t l;

		dot = strchr(p, '.');
		l = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (o + 1 + l + 5 > cap)
			return 0;
		out[o++] = (unsigned char)l;
		memcpy(out + o, p, l);
		o += l;
		p += l;
		if (*p == '.')
			p++;
	}
	out[o++] = 0;
	out[o++] = (unsigned char)(type >> 8);
	out[o++] = (unsigned char)type;
	out[o++] = 0;
	out[o++] = 1;
	return o;
}

/* Send q over UDP; the answer's length (0: none within timeout_ms). */
static size_t udp_ask(int port, const unsigned char *q, size_t qlen, unsigned char *resp,
                      size_t cap, int timeout_ms)
{
	struct sockaddr_in sa;
	struct pollfd p;
	ssize_t n = 0;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return 0;
	sendto(fd, q, qlen, 0, (struct sockaddr *)&sa, sizeof(sa));
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, timeout_ms) == 1)
		n = recv(fd, resp, cap, 0);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

static int read_full(int fd, unsigned char *buf, size_t n, int timeout_ms)
{
	size_t got = 0;
	struct pollfd p;
	ssize_t k;

	while (got < n) {
		p.fd = fd;
		p.events = POLLIN;
		if (poll(&p, 1, timeout_ms) != 1)
			return -1;
		k = recv(fd, buf + got, n - got, 0);
		if (k <= 0)
			return -1;
		got += (size_t)k;
	}
	return 0;
}

/* Send q over TCP with its length prefix; the answer's length or 0. */
static size_t tcp_ask(int port, const unsigned char *q, size_t qlen, unsigned char *resp,
                      size_t cap)
{
	unsigned char lenb[2];
	size_t rlen = 0;
	int fd = tcp_connect(port);

	if (fd < 0)
		return 0;
	lenb[0] = (unsigned char)(qlen >> 8);
	lenb[1] = (unsigned char)qlen;
	if (send(fd, lenb, 2, MSG_NOSIGNAL) != 2 ||
	    send(fd, q, qlen, MSG_NOSIGNAL) != (ssize_t)qlen)
		goto out;
	if (read_full(fd, lenb, 2, 2000) < 0)
		goto out;
	rlen = ((size_t)lenb[0] << 8) | lenb[1];
	if (rlen > cap || read_full(fd, resp, rlen, 2000) < 0)
		rlen = 0;
out:
	close(fd);
	return rlen;
}

struct dns_ans {
	int rcode, tc, aa, qdcount, ancount;
	char qname[300];   /* as echoed, case kept */
	char txt[16][600]; /* TXT values, char-strings joined */
	int ntxt;
	unsigned char a[4];
	int na;
};

/* Parse an answer to one of our queries (name in the question uncompressed). */
static int dns_parse(const unsigned char *p, size_t n, struct dns_ans *a)
{
	size_t o = 12, ql = 0;
	int i;

	memset(a, 0, sizeof(*a));
	if (n < 12)
		return -1;
	a->rcode = p[3] & 0xF;
	a->tc = (p[2] & 0x02) != 0;
	a->aa = (p[2] & 0x04) != 0;
	a->qdcount = (p[4] << 8) | p[5];
	a->ancount = (p[6] << 8) | p[7];
	if (a->qdcount == 1) {
		while (o < n && p[o] != 0) {
			size_t l = p[o];
			if (o + 1 + l > n || ql + l + 2 > sizeof(a->qname))
				return -1;
			if (ql > 0)
				a->qname[ql++] = '.';
			memcpy(a->qname + ql, p + o + 1, l);
			ql += l;
			o += 1 + l;
		}
		a->qname[ql] = '\0';
		o += 1 + 4;
	}
	for (i = 0; i < a->ancount; i++) {
		unsigned type, rdlen;
		size_t k, tl = 0;

		if (o + 12 > n || p[o] != 0xC0 || p[o + 1] != 12)
			return -1;
		type = (p[o + 2] << 8) | p[o + 3];
		rdlen = (p[o + 10] << 8) | p[o + 11];
		o += 12;
		if (o + rdlen > n)
			return -1;
		if (type == 16 && a->ntxt < 16) {
			for (k = 0; k < rdlen;) {
				size_t l = p[o + k];
				if (k + 1 + l > rdlen || tl + l >= sizeof(a->txt[0]))
					return -1;
				memcpy(a->txt[a->ntxt] + tl, p + o + k + 1, l);
				tl += l;
				k += 1 + l;
			}
			a->txt[a->ntxt][tl] = '\0';
			a->ntxt++;
		} else if (type == 1 && rdlen == 4) {
			memcpy(a->a, p + o, 4);
			a->na++;
		}
		o += rdlen;
	}
	return 0;
}

static int has_txt(const struct dns_ans *a, const char *v)
{
	int i;

	for (i = 0; i < a->ntxt; i++) {
		if (strcmp(a->txt[i], v) == 0)
			return 1;
	}
	return 0;
}

static void test_dns_answers(void)
{
	struct acs_responders *r = start_all(NULL);
	struct acs_transcript *t = NULL;
	unsigned char q[512], resp[4096];
	struct dns_ans a;
	size_t ql, rl;
	char *text;
	int port, udp = 0, tcp = 0;
	const char *name = "_acme-challenge.d1.acmespec.test";

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, NULL, NULL, &port);
	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	CU_ASSERT_EQUAL(acs_dns_txt_add(r, "_ACME-challenge.D1.acmespec.test.", "value-one", t), 0);
	CU_ASSERT_EQUAL(acs_dns_txt_add(r, name, "value-two", NULL), 0);
	CU_ASSERT_EQUAL(acs_dns_txt_add(r, "bad..name", "v", NULL), ACS_E_INVAL);

	/* TXT over UDP, mixed case: both values, question echoed as sent */
	ql = dns_query(q, sizeof(q), 0x1234, "_acme-CHALLENGE.d1.ACMESPEC.test", 16);
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_FATAL(rl > 0);
	CU_ASSERT(rl <= 512);
	CU_ASSERT_EQUAL(resp[0], 0x12);
	CU_ASSERT_EQUAL(resp[1], 0x34);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 0);
	CU_ASSERT_EQUAL(a.aa, 1);
	CU_ASSERT_STRING_EQUAL(a.qname, "_acme-CHALLENGE.d1.ACMESPEC.test");
	CU_ASSERT_EQUAL(a.ancount, 2);
	CU_ASSERT(has_txt(&a, "value-one"));
	CU_ASSERT(has_txt(&a, "value-two"));

	/* the same over TCP */
	ql = dns_query(q, sizeof(q), 0x4321, name, 16);
	rl = tcp_ask(port, q, ql, resp, sizeof(resp));
	CU_ASSERT_FATAL(rl > 0);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.ancount, 2);
	CU_ASSERT(has_txt(&a, "value-one"));

	/* A for any name; AAAA, CAA and TXT without values: NOERROR, empty */
	ql = dns_query(q, sizeof(q), 1, "d1.acmespec.test", 1);
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 0);
	CU_ASSERT_EQUAL(a.na, 1);
	CU_ASSERT_EQUAL(memcmp(a.a, "\x7f\x00\x00\x01", 4), 0);
	ql = dns_query(q, sizeof(q), 2, "d1.acmespec.test", 28);
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 0);
	CU_ASSERT_EQUAL(a.ancount, 0);
	ql = dns_query(q, sizeof(q), 3, "d1.acmespec.test", 257);
	rl = tcp_ask(port, q, ql, resp, sizeof(resp));
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 0);
	CU_ASSERT_EQUAL(a.ancount, 0);
	ql = dns_query(q, sizeof(q), 4, "_acme-challenge.none.acmespec.test", 16);
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 0);
	CU_ASSERT_EQUAL(a.ancount, 0);

	acs_dns_queries(r, name, &udp, &tcp);
	CU_ASSERT_EQUAL(udp, 1);
	CU_ASSERT_EQUAL(tcp, 1);
	acs_dns_queries(r, "D1.acmespec.test", &udp, &tcp);
	CU_ASSERT_EQUAL(udp, 2);
	CU_ASSERT_EQUAL(tcp, 1);

	text = acs_transcript_render(t, 0);
	CU_ASSERT_PTR_NOT_NULL(text);
	if (text != NULL)
		CU_ASSERT_PTR_NOT_NULL(strstr(text, "dns-01 responder: udp TXT query"));
	free(text);

	/* cleared: no answer records */
	acs_dns_txt_clear(r, name);
	ql = dns_query(q, sizeof(q), 5, name, 16);
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.ancount, 0);
	acs_responders_stop(r);
	acs_transcript_free(t);

	/* another A answer */
	r = start_all("127.0.0.2");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, NULL, NULL, &port);
	ql = dns_query(q, sizeof(q), 6, "x.acmespec.test", 1);
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(memcmp(a.a, "\x7f\x00\x00\x02", 4), 0);
	acs_responders_stop(r);
}

static void test_dns_truncation(void)
{
	struct acs_responders *r = start_all(NULL);
	unsigned char q[512], resp[20000];
	char v[201];
	struct dns_ans a;
	size_t ql, rl;
	int port, i;
	const char *name = "_acme-challenge.big.acmespec.test";

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, NULL, NULL, &port);
	for (i = 0; i < 16; i++) {
		memset(v, 'a' + i, 200);
		v[200] = '\0';
		CU_ASSERT_EQUAL(acs_dns_txt_add(r, name, v, NULL), 0);
	}
	CU_ASSERT_EQUAL(acs_dns_txt_add(r, name, "one too many", NULL), ACS_E_TOOBIG);
	ql = dns_query(q, sizeof(q), 7, name, 16);
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT(rl > 0 && rl <= 512);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.tc, 1);
	CU_ASSERT(a.ancount < 16);
	rl = tcp_ask(port, q, ql, resp, sizeof(resp));
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.tc, 0);
	CU_ASSERT_EQUAL(a.ancount, 16);
	acs_responders_stop(r);
}

/* The responder still answers a good query (after abuse). */
static int dns_alive(int port)
{
	unsigned char q[512], resp[600];
	struct dns_ans a;
	size_t ql = dns_query(q, sizeof(q), 0x7777, "alive.acmespec.test", 1), rl;
	int i;

	/* late answers to the fuzz packets may reach a reused client port: match the ID */
	for (i = 0; i < 20; i++) {
		rl = udp_ask(port, q, ql, resp, sizeof(resp), 500);
		if (rl > 0 && resp[0] == 0x77 && resp[1] == 0x77)
			return dns_parse(resp, rl, &a) == 0 && a.na == 1;
	}
	return 0;
}

static void test_dns_malformed(void)
{
	struct acs_responders *r = start_all(NULL);
	unsigned char q[600], resp[4096];
	struct dns_ans a;
	size_t ql, rl;
	int port, fd, i;
	uint32_t seed = 12345;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	acs_responders_ports(r, NULL, NULL, &port);

	/* truncated header: no answer */
	memcpy(q, "\x12\x34\x01\x00\x00", 5);
	CU_ASSERT_EQUAL(udp_ask(port, q, 5, resp, sizeof(resp), 300), 0);

	/* a response (QR set): no answer */
	ql = dns_query(q, sizeof(q), 8, "x.test", 1);
	q[2] |= 0x80;
	CU_ASSERT_EQUAL(udp_ask(port, q, ql, resp, sizeof(resp), 300), 0);

	/* label running past the end */
	ql = dns_query(q, sizeof(q), 9, "abc.test", 1);
	q[12] = 60;
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);
	CU_ASSERT(rl <= 512);

	/* header only, QDCOUNT 1 and no question */
	ql = dns_query(q, sizeof(q), 10, "x.test", 1);
	rl = udp_ask(port, q, 12, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);

	/* compression pointer to itself, and a two-pointer loop */
	memset(q, 0, 12);
	q[5] = 1;
	q[12] = 0xC0;
	q[13] = 12;
	memcpy(q + 14, "\x00\x01\x00\x01", 4);
	rl = udp_ask(port, q, 18, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);
	memcpy(q + 12,
	       "\x01"
	       "a"
	       "\xC0\x10"
	       "\x01"
	       "b"
	       "\xC0\x0C",
	       8);
	memcpy(q + 20, "\x00\x01\x00\x01", 4);
	rl = udp_ask(port, q, 24, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);
	/* a forward pointer, and a pointer cut in half */
	memcpy(q + 12, "\xC0\x20", 2);
	rl = udp_ask(port, q, 40, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);
	rl = udp_ask(port, q, 13, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);

	/* a name over 255 octets */
	memset(q, 0, 12);
	q[5] = 1;
	for (i = 0; i < 5; i++) {
		q[12 + i * 64] = 63;
		memset(q + 13 + i * 64, 'a', 63);
	}
	q[12 + 320] = 0;
	memcpy(q + 333, "\x00\x01\x00\x01", 4);
	rl = udp_ask(port, q, 337, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);

	/* QDCOUNT 2; opcode STATUS; class CH; binary label */
	ql = dns_query(q, sizeof(q), 11, "x.test", 1);
	q[5] = 2;
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 1);
	ql = dns_query(q, sizeof(q), 12, "x.test", 1);
	q[2] |= 2 << 3;
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 4);
	ql = dns_query(q, sizeof(q), 13, "version.bind", 16);
	q[ql - 1] = 3;
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 5);
	ql = dns_query(q, sizeof(q), 14, "a.b.test", 1);
	q[13] = 0;
	q[15] = '.';
	rl = udp_ask(port, q, ql, resp, sizeof(resp), 2000);
	CU_ASSERT_EQUAL_FATAL(dns_parse(resp, rl, &a), 0);
	CU_ASSERT_EQUAL(a.rcode, 0);

	/* TCP: a huge length prefix closes the connection */
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	send(fd, "\xff\xff\x00\x00", 4, MSG_NOSIGNAL);
	CU_ASSERT_EQUAL(read_full(fd, resp, 1, 2000), -1);
	close(fd);
	/* TCP: half a query then close */
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	send(fd, "\x00\x20\x12\x34\x01", 5, MSG_NOSIGNAL);
	close(fd);
	/* TCP: a query too short for a header closes the connection */
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	send(fd, "\x00\x03\x12\x34\x01", 5, MSG_NOSIGNAL);
	CU_ASSERT_EQUAL(read_full(fd, resp, 1, 2000), -1);
	close(fd);

	/* random mutations of a good query (fixed seed, deterministic) */
	for (i = 0; i < 3000; i++) {
		int k, flips;

		ql = dns_query(q, sizeof(q), (uint16_t)i, "_acme-challenge.fz.acmespec.test", 16);
		seed = seed * 1103515245u + 12345u;
		flips = 1 + (int)((seed >> 16) % 6);
		for (k = 0; k < flips; k++) {
			seed = seed * 1103515245u + 12345u;
			q[(seed >> 16) % ql] = (unsigned char)(seed >> 8);
		}
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 4 == 0)
			ql = (seed >> 8) % ql;
		rl = udp_ask(port, q, ql, resp, sizeof(resp), i % 100 == 0 ? 200 : 0);
		CU_ASSERT(rl <= 512);
	}
	CU_ASSERT(dns_alive(port));
	acs_responders_stop(r);
}

static int suite_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : 1;
}

static int suite_clean(void)
{
	curl_global_cleanup();
	return 0;
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("responders", suite_init, suite_clean);

	if (s == NULL)
		return;
	CU_add_test(s, "lifecycle", test_lifecycle);
	CU_add_test(s, "bind_error", test_bind_error);
	CU_add_test(s, "http01_modes", test_http01_modes);
	CU_add_test(s, "http01_redirect_fail_first", test_http01_redirect_fail_first);
	CU_add_test(s, "http01_concurrent", test_http01_concurrent);
	CU_add_test(s, "alpn_ok", test_alpn_ok);
	CU_add_test(s, "alpn_observations", test_alpn_observations);
	CU_add_test(s, "alpn_observed_while_open", test_alpn_observed_while_open);
	CU_add_test(s, "alpn_modes", test_alpn_modes);
	CU_add_test(s, "dns_answers", test_dns_answers);
	CU_add_test(s, "dns_truncation", test_dns_truncation);
	CU_add_test(s, "dns_malformed", test_dns_malformed);
}
