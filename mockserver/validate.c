/*
 * The mock CA's validation authority: http-01 (RFC 8555 section 8.3) by a
 * real HTTP fetch, tls-alpn-01 (RFC 8737) by a real TLS handshake, dns-01
 * (section 8.4) by a real TXT query. Every connection goes to the
 * configured validation address (127.0.0.1 by default) whatever the name,
 * so test names need not resolve; the name still travels as Host / SNI /
 * query name.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <openssl/rand.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "mockserver/instance.h"
#include "mockserver/log.h"
#include "mockserver/validate.h"
#include "mockserver/workers.h"

#define BODY_CAP 8192

/* Was misbehaviour m on in the job's scenario when it was queued? */
#define JOB_MB(job, m) ((job)->mb[(m)] != 0)

void acs_mca_detailf(struct acs_buf *d, const char *fmt, ...)
{
	va_list ap;

	acs_buf_reset(d);
	va_start(ap, fmt);
	(void)acs_buf_vprintf(d, fmt, ap);
	va_end(ap);
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct acs_buf *b = ud;

	if (acs_buf_append(b, p, sz * n) != 0)
		return 0;
	return sz * n;
}

/* Host part of a URL for an identifier (IPv6 literals in brackets). */
static void url_host(const struct acs_ident *id, char *out, size_t len)
{
	if (strcmp(id->type, "ip") == 0 && strchr(id->value, ':') != NULL)
		(void)snprintf(out, len, "[%s]", id->value);
	else
		(void)snprintf(out, len, "%s", id->value);
}

static int validate_http01(struct acs_mockca *ca, const struct mca_vjob *job, json_t *ent,
                           const char **errtype, struct acs_buf *detail)
{
	CURL *c = curl_easy_init();
	struct curl_slist *connect_to = NULL;
	struct acs_buf body;
	char host[300], target[300];
	struct acs_buf url;
	long status = 0;
	size_t len;
	CURLcode cc;
	int rc = -1;

	acs_buf_init(&body, BODY_CAP);
	acs_buf_init(&url, 4096);
	if (c == NULL) {
		*errtype = "serverInternal";
		acs_mca_detailf(detail, "cannot start an HTTP client");
		goto out;
	}
	url_host(&job->ident, host, sizeof(host));
	(void)acs_buf_printf(&url, "http://%s:%d/.well-known/acme-challenge/%s", host,
	                     ca->o.http01_port, job->token);
	/* every host and port of the fetch (redirects too) goes to the validation address */
	if (strchr(ca->validate_addr, ':') != NULL)
		(void)snprintf(target, sizeof(target), "::[%s]:", ca->validate_addr);
	else
		(void)snprintf(target, sizeof(target), "::%s:", ca->validate_addr);
	connect_to = curl_slist_append(NULL, target);
	json_object_set_new(ent, "url", json_string(url.data));
	(void)curl_easy_setopt(c, CURLOPT_URL, url.data);
	(void)curl_easy_setopt(c, CURLOPT_CONNECT_TO, connect_to);
	(void)curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	(void)curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION,
	                       JOB_MB(job, MB_HTTP01_NO_REDIRECTS) ? 0L : 1L);
	(void)curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	(void)curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
	(void)curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ca->o.validation_timeout_ms);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, "acmespec-mockca-validation");
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	cc = curl_easy_perform(c);
	if (cc != CURLE_OK) {
		*errtype = cc == CURLE_WRITE_ERROR ? "incorrectResponse" : "connection";
		acs_mca_detailf(detail, "fetching %s failed: %s", url.data, curl_easy_strerror(cc));
		acs_mca_check_ent(ent, CK_HTTP01_KEYAUTH, "%s", detail->data);
		goto out;
	}
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	json_object_set_new(ent, "http_status", json_integer(status));
	if (JOB_MB(job, MB_HTTP01_UNCHECKED)) {
		rc = 0;
		goto out;
	}
	if (status != 200) {
		*errtype = "unauthorized";
		acs_mca_detailf(detail, "%s answered HTTP %ld", url.data, status);
		acs_mca_check_ent(ent, CK_HTTP01_KEYAUTH, "%s", detail->data);
		goto out;
	}
	/* section 8.3: the server SHOULD ignore white space at the end of the body */
	len = body.len;
	while (len > 0 && !JOB_MB(job, MB_HTTP01_EXACT_BODY) &&
	       (body.data[len - 1] == ' ' || body.data[len - 1] == '\t' ||
	        body.data[len - 1] == '\r' || body.data[len - 1] == '\n'))
		len--;
	if (len != strlen(job->keyauth) || memcmp(body.data, job->keyauth, len) != 0) {
		*errtype = "incorrectResponse";
		acs_mca_detailf(detail, "%s served %.*s%s instead of the key authorization %s",
		                url.data, (int)(len > 120 ? 120 : len),
		                body.data != NULL ? body.data : "", len > 120 ? "..." : "",
		                job->keyauth);
		acs_mca_check_ent(ent, CK_HTTP01_KEYAUTH, "%s", detail->data);
		goto out;
	}
	if (len != body.len)
		acs_mca_check_ent(ent, CK_HTTP01_EXACT,
		                  "the key authorization is followed by %zu white space characters",
		                  body.len - len);
	rc = 0;
out:
	curl_slist_free_all(connect_to);
	if (c != NULL)
		curl_easy_cleanup(c);
	acs_buf_free(&body);
	acs_buf_free(&url);
	return rc;
}

/* Connected TCP socket to addr:port with send/receive timeouts, or -1. */
/*
 * addr (an IPv4 or IPv6 literal) and port as a socket address in ss;
 * *salen its length. -1 when addr is not an IP address.
 */
static int ip_sockaddr(const char *addr, int port, struct sockaddr_storage *ss, socklen_t *salen)
{
	struct sockaddr_in *sa4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &sa4->sin_addr) == 1) {
		sa4->sin_family = AF_INET;
		sa4->sin_port = htons((uint16_t)port);
		*salen = sizeof(*sa4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sa6->sin6_addr) == 1) {
		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons((uint16_t)port);
		*salen = sizeof(*sa6);
		return 0;
	}
	return -1;
}

static int tcp_connect(const char *addr, int port, unsigned int timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t salen;
	struct timeval tv;
	int fd;

	if (ip_sockaddr(addr, port, &ss, &salen) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&ss, salen) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* RFC 8738 section 6: the SNI for an IP is its reverse-DNS name. */
static void alpn_sni(const struct acs_ident *id, char *out, size_t len)
{
	unsigned char a[16];
	size_t off = 0;
	int i;

	if (strcmp(id->type, "ip") != 0) {
		(void)snprintf(out, len, "%s", id->value);
		return;
	}
	out[0] = '\0';
	if (inet_pton(AF_INET, id->value, a) == 1) {
		(void)snprintf(out, len, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
	} else if (inet_pton(AF_INET6, id->value, a) == 1) {
		static const char hex[] = "0123456789abcdef";

		for (i = 15; i >= 0 && off + 4 < len; i--) {
			out[off++] = hex[a[i] & 0xf];
			out[off++] = '.';
			out[off++] = hex[a[i] >> 4];
			out[off++] = '.';
		}
		(void)snprintf(out + off, len - off, "ip6.arpa");
	}
}

/*
 * End a tls-alpn-01 connection with close_notify and wait (within the
 * socket timeout) until the peer closes too, so the handshake is over on
 * both sides when the result shows.
 */
static void close_politely(SSL *ssl, int fd)
{
	char buf[256];
	int i;

	if (SSL_shutdown(ssl) == 0) {
		for (i = 0; i < 16 && SSL_read(ssl, buf, (int)sizeof(buf)) > 0; i++)
			;
	}
	for (i = 0; i < 64 && recv(fd, buf, sizeof(buf), 0) > 0; i++)
		;
	ERR_clear_error();
}

/* A client context offering acme-tls/1 (and http/1.1 with alpn-offers-http11); NULL on failure. */
static SSL_CTX *alpn_ctx(const struct mca_vjob *job)
{
	static const unsigned char protos[] = "\x0a"
	                                      "acme-tls/1";
	static const unsigned char protos_http[] = "\x0a"
	                                           "acme-tls/1"
	                                           "\x08"
	                                           "http/1.1";
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		return NULL;
	if (JOB_MB(job, MB_ALPN_TLS11)) {
		/* RFC 8737 section 4: TLS 1.2 or later; this one stops at 1.1 */
		SSL_CTX_set_security_level(ctx, 0);
		(void)SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
		(void)SSL_CTX_set_max_proto_version(ctx, TLS1_1_VERSION);
	} else {
		(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	if (JOB_MB(job, MB_ALPN_OFFERS_HTTP11)
	        ? SSL_CTX_set_alpn_protos(ctx, protos_http, sizeof(protos_http) - 1) != 0
	        : SSL_CTX_set_alpn_protos(ctx, protos, sizeof(protos) - 1) != 0) {
		SSL_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/*
 * The certificate's subjectAltName is the identifier (RFC 8737 section 3):
 * 1 or 0; *n: how many names it has.
 */
static int alpn_san_ok(const struct mca_vjob *job, X509 *cert, int *n)
{
	GENERAL_NAMES *sans = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
	int ok = 0, k;

	*n = sans != NULL ? sk_GENERAL_NAME_num(sans) : 0;
	/* alpn-extra-san-ok: any one matching name is enough */
	for (k = 0; k < *n && !ok && (*n == 1 || JOB_MB(job, MB_ALPN_EXTRA_SAN_OK)); k++) {
		GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, k);

		if (strcmp(job->ident.type, "dns") == 0 && g->type == GEN_DNS) {
			const ASN1_IA5STRING *s = g->d.dNSName;
			size_t l = strlen(job->ident.value);

			ok = (size_t)ASN1_STRING_length(s) == l &&
			     (JOB_MB(job, MB_ALPN_SAN_CASE)
			          ? strncmp((const char *)ASN1_STRING_get0_data(s),
			                    job->ident.value, l) == 0
			          : strncasecmp((const char *)ASN1_STRING_get0_data(s),
			                        job->ident.value, l) == 0);
		} else if (strcmp(job->ident.type, "ip") == 0 && g->type == GEN_IPADD) {
			unsigned char a[16];
			int al = inet_pton(AF_INET, job->ident.value, a) == 1 ? 4 : 16;

			if (al == 16 && inet_pton(AF_INET6, job->ident.value, a) != 1)
				al = 0;
			ok = al > 0 && ASN1_STRING_length(g->d.iPAddress) == al &&
			     memcmp(ASN1_STRING_get0_data(g->d.iPAddress), a, (size_t)al) == 0;
		}
	}
	GENERAL_NAMES_free(sans);
	return ok;
}

/*
 * The acmeIdentifier extension (RFC 8737 section 3): the DER OCTET STRING
 * of SHA-256(key authorization), critical. 0, or -1 with the reason in
 * detail and the check recorded in ent.
 */
static int alpn_ext_ok(const struct mca_vjob *job, X509 *cert, json_t *ent, struct acs_buf *detail)
{
	ASN1_OBJECT *oid = OBJ_txt2obj("1.3.6.1.5.5.7.1.31", 1);
	int idx = oid != NULL ? X509_get_ext_by_OBJ(cert, oid, -1) : -1;
	const ASN1_OCTET_STRING *data;
	unsigned char digest[32];
	X509_EXTENSION *ext;
	const unsigned char *d;
	int dl;

	ASN1_OBJECT_free(oid);
	if (idx < 0) {
		acs_mca_detailf(detail, "the certificate has no acmeIdentifier extension");
		acs_mca_check_ent(ent, CK_ALPN_EXTENSION, "%s", detail->data);
		return -1;
	}
	ext = X509_get_ext(cert, idx);
	data = X509_EXTENSION_get_data(ext);
	d = ASN1_STRING_get0_data(data);
	dl = ASN1_STRING_length(data);
	acs_keyauth_digest(job->keyauth, digest);
	if (dl != 34 || d[0] != 0x04 || d[1] != 0x20 || memcmp(d + 2, digest, 32) != 0) {
		acs_mca_detailf(detail, "acmeIdentifier is not the DER OCTET STRING of SHA-256 of "
		                        "the key authorization");
		acs_mca_check_ent(ent, CK_ALPN_EXTENSION, "%s", detail->data);
		return -1;
	}
	if (!X509_EXTENSION_get_critical(ext)) {
		acs_mca_detailf(detail, "the acmeIdentifier extension is not critical");
		acs_mca_check_ent(ent, CK_ALPN_CRITICAL, "%s", detail->data);
		return -1;
	}
	return 0;
}

static int validate_alpn(struct acs_mockca *ca, const struct mca_vjob *job, json_t *ent,
                         const char **errtype, struct acs_buf *detail)
{
	SSL_CTX *ctx = NULL;
	SSL *ssl = NULL;
	X509 *cert = NULL;
	const unsigned char *sel = NULL;
	unsigned int sel_len = 0;
	char sni[300];
	int fd = -1, rc = -1, n, handshaken = 0;

	alpn_sni(&job->ident, sni, sizeof(sni));
	json_object_set_new(ent, "sni", json_string(sni));
	*errtype = "tls";
	fd = tcp_connect(ca->validate_addr, ca->o.tlsalpn01_port, ca->o.validation_timeout_ms);
	if (fd < 0) {
		*errtype = "connection";
		acs_mca_detailf(detail, "cannot connect to %s:%d: %s", ca->validate_addr,
		                ca->o.tlsalpn01_port, acs_errno_text(errno));
		acs_mca_check_ent(ent, CK_ALPN_HANDSHAKE, "%s", detail->data);
		goto out;
	}
	ctx = alpn_ctx(job);
	if (ctx == NULL)
		goto crypto;
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1 || SSL_set_tlsext_host_name(ssl, sni) != 1)
		goto crypto;
	if (SSL_connect(ssl) != 1) {
		unsigned long e = ERR_get_error();
		char eb[256];

		ERR_error_string_n(e, eb, sizeof(eb));
		ERR_clear_error();
		acs_mca_detailf(detail,
		                "TLS handshake with %s:%d (SNI %s, ALPN acme-tls/1) failed: %s",
		                ca->validate_addr, ca->o.tlsalpn01_port, sni,
		                e != 0 ? eb : "connection closed");
		acs_mca_check_ent(ent, CK_ALPN_HANDSHAKE, "%s", detail->data);
		goto out;
	}
	handshaken = 1;
	SSL_get0_alpn_selected(ssl, &sel, &sel_len);
	if (sel_len != 10 || memcmp(sel, "acme-tls/1", 10) != 0) {
		*errtype = "unauthorized";
		acs_mca_detailf(detail,
		                "the TLS server did not select ALPN acme-tls/1 (selected \"%.*s\")",
		                (int)sel_len, sel != NULL ? (const char *)sel : "");
		acs_mca_check_ent(ent, CK_ALPN_HANDSHAKE, "%s", detail->data);
		goto out;
	}
	if (JOB_MB(job, MB_ALPN_SENDS_DATA)) {
		static const char req[] = "GET / HTTP/1.1\r\nHost: acmespec.test\r\n\r\n";

		(void)SSL_write(ssl, req, (int)sizeof(req) - 1);
	}
	cert = SSL_get1_peer_certificate(ssl);
	if (cert == NULL) {
		acs_mca_detailf(detail, "no certificate in the handshake");
		acs_mca_check_ent(ent, CK_ALPN_HANDSHAKE, "%s", detail->data);
		goto out;
	}
	*errtype = "unauthorized";
	if (!alpn_san_ok(job, cert, &n)) {
		acs_mca_detailf(
		    detail, "the certificate's subjectAltName must be exactly %s (found %d names)",
		    job->ident.value, n);
		acs_mca_check_ent(ent, CK_ALPN_SAN, "%s", detail->data);
		goto out;
	}
	if (JOB_MB(job, MB_ALPN_EXT_UNCHECKED) || alpn_ext_ok(job, cert, ent, detail) == 0)
		rc = 0;
	goto out;
crypto:
	*errtype = "serverInternal";
	acs_mca_detailf(detail, "cannot set up TLS");
	ERR_clear_error();
out:
	if (handshaken)
		close_politely(ssl, fd);
	X509_free(cert);
	SSL_free(ssl);
	SSL_CTX_free(ctx);
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- dns-01 ---- */

static int dns_parse_server(const char *spec, char *addr, size_t alen, int *port)
{
	const char *colon;

	*port = 53;
	if (spec[0] == '[') {
		const char *end = strchr(spec, ']');

		if (end == NULL || (size_t)(end - spec - 1) >= alen)
			return -1;
		memcpy(addr, spec + 1, (size_t)(end - spec - 1));
		addr[end - spec - 1] = '\0';
		if (end[1] == ':')
			*port = atoi(end + 2);
		return 0;
	}
	colon = strrchr(spec, ':');
	if (colon != NULL && strchr(spec, ':') == colon) {
		if ((size_t)(colon - spec) >= alen)
			return -1;
		memcpy(addr, spec, (size_t)(colon - spec));
		addr[colon - spec] = '\0';
		*port = atoi(colon + 1);
	} else {
		if (strlen(spec) >= alen)
			return -1;
		memcpy(addr, spec, strlen(spec) + 1);
	}
	return *port > 0 && *port < 65536 ? 0 : -1;
}

static size_t dns_query(unsigned char *q, size_t cap, const char *name, uint16_t id)
{
	size_t off = 12;
	const char *p = name;

	memset(q, 0, 12);
	q[0] = (unsigned char)(id >> 8);
	q[1] = (unsigned char)id;
	q[2] = 0x01; /* RD */
	q[5] = 1;    /* QDCOUNT */
	while (*p != '\0') {
		const char *dot = strchr(p, '.');
		size_t l = dot != NULL ? (size_t)(dot - p) : strlen(p);

		if (l == 0 || l > 63 || off + l + 1 + 5 >= cap)
			return 0;
		q[off++] = (unsigned char)l;
		memcpy(q + off, p, l);
		off += l;
		p += l;
		if (*p == '.')
			p++;
	}
	q[off++] = 0;
	q[off++] = 0;
	q[off++] = 16; /* TXT */
	q[off++] = 0;
	q[off++] = 1; /* IN */
	return off;
}

static int dns_skip_name(const unsigned char *m, size_t len, size_t *off)
{
	while (*off < len) {
		unsigned char l = m[*off];

		if ((l & 0xc0) == 0xc0) {
			*off += 2;
			return *off <= len ? 0 : -1;
		}
		(*off)++;
		if (l == 0)
			return 0;
		*off += l;
	}
	return -1;
}

/*
 * Collect the TXT values of the answer into found (joined by ", "), and
 * say whether want is among them. Returns 1 found, 0 not, -1 bad message.
 */
static int dns_answer(const unsigned char *m, size_t len, uint16_t id, const char *want,
                      struct acs_buf *found, int *ntxt, int *rcode, int *tc, json_t *vals)
{
	size_t off = 12;
	int qd, an, i, hit = 0;

	if (len < 12 || m[0] != (id >> 8) || m[1] != (id & 0xff) || !(m[2] & 0x80))
		return -1;
	*tc = (m[2] & 0x02) != 0;
	*rcode = m[3] & 0x0f;
	qd = (m[4] << 8) | m[5];
	an = (m[6] << 8) | m[7];
	for (i = 0; i < qd; i++) {
		if (dns_skip_name(m, len, &off) != 0)
			return -1;
		off += 4;
	}
	for (i = 0; i < an; i++) {
		int type;
		size_t rdlen, end;
		struct acs_buf v;

		if (dns_skip_name(m, len, &off) != 0 || off + 10 > len)
			return -1;
		type = (m[off] << 8) | m[off + 1];
		rdlen = ((size_t)m[off + 8] << 8) | m[off + 9];
		off += 10;
		end = off + rdlen;
		if (end > len)
			return -1;
		if (type == 16) {
			acs_buf_init(&v, 65536);
			while (off < end) {
				size_t l = m[off++];

				if (off + l > end)
					break;
				(void)acs_buf_append(&v, m + off, l);
				off += l;
			}
			(*ntxt)++;
			if (v.data != NULL) {
				if (found->len > 0)
					(void)acs_buf_puts(found, ", ");
				(void)acs_buf_printf(found, "\"%.100s\"", v.data);
				if (want != NULL && strcmp(v.data, want) == 0)
					hit = 1;
				if (vals != NULL)
					json_array_append_new(vals, json_string(v.data));
			}
			acs_buf_free(&v);
		}
		off = end;
	}
	return hit;
}

/* Read exactly n bytes, or -1. */
static int read_full(int fd, unsigned char *p, size_t n)
{
	while (n > 0) {
		ssize_t got = recv(fd, p, n, 0);

		if (got <= 0)
			return -1;
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

/*
 * One query over TCP (RFC 7766: two-octet length prefix). The answer's
 * length, or -1 when there is no TCP service or no answer (the caller then
 * falls back to UDP).
 */
static ssize_t dns_tcp(const char *addr, int port, const unsigned char *q, size_t qlen,
                       unsigned char *a, size_t cap)
{
	unsigned char len[2];
	size_t alen;
	ssize_t rc = -1;
	int fd = tcp_connect(addr, port, 2000);

	if (fd < 0)
		return -1;
	len[0] = (unsigned char)(qlen >> 8);
	len[1] = (unsigned char)qlen;
	if (send(fd, len, 2, MSG_NOSIGNAL) != 2 ||
	    send(fd, q, qlen, MSG_NOSIGNAL) != (ssize_t)qlen || read_full(fd, len, 2) != 0)
		goto out;
	alen = ((size_t)len[0] << 8) | len[1];
	if (alen > cap || read_full(fd, a, alen) != 0)
		goto out;
	rc = (ssize_t)alen;
out:
	close(fd);
	return rc;
}

/* One query over UDP; the answer's length or -1, with the reason in detail. */
static ssize_t dns_udp(const char *server, const char *addr, int port, const unsigned char *q,
                       size_t qlen, uint16_t id, unsigned char *a, size_t cap,
                       struct acs_buf *detail)
{
	struct sockaddr_storage ss;
	socklen_t salen;
	struct timeval tv;
	ssize_t got = -1;
	int fd = -1, tries;

	if (ip_sockaddr(addr, port, &ss, &salen) != 0) {
		acs_mca_detailf(detail, "DNS server %s is not an IP address", addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&ss, salen) != 0) {
		acs_mca_detailf(detail, "cannot reach DNS server %s: %s", server,
		                acs_errno_text(errno));
		goto out;
	}
	tv.tv_sec = 2;
	tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, q, qlen, 0) != (ssize_t)qlen) {
		acs_mca_detailf(detail, "cannot send to DNS server %s: %s", server,
		                acs_errno_text(errno));
		goto out;
	}
	/* a stray datagram with another ID is skipped, within the timeout */
	for (tries = 0; tries < 4; tries++) {
		got = recv(fd, a, cap, 0);
		if (got < 0)
			break;
		if (got >= 2 && a[0] == (id >> 8) && a[1] == (id & 0xff))
			break;
	}
	if (got < 0)
		acs_mca_detailf(detail, "no answer from DNS server %s", server);
out:
	if (fd >= 0)
		close(fd);
	return got;
}

static int validate_dns01(struct acs_mockca *ca, const struct mca_vjob *job, json_t *ent,
                          const char **errtype, struct acs_buf *detail)
{
	unsigned char q[512], a[4096];
	char addr[128], qname[300];
	struct acs_buf found;
	char *want = NULL;
	uint16_t id;
	size_t qlen;
	ssize_t got = -1;
	int port, rc = -1, rcode = 0, tc = 0, ntxt = 0, hit;

	acs_buf_init(&found, 8192);
	*errtype = "dns";
	if (ca->dns_server == NULL) {
		acs_mca_detailf(detail, "the mock CA has no DNS server configured for dns-01");
		goto out;
	}
	if (dns_parse_server(ca->dns_server, addr, sizeof(addr), &port) != 0) {
		acs_mca_detailf(detail, "bad DNS server address %s", ca->dns_server);
		goto out;
	}
	if (JOB_MB(job, MB_DNS_WRONG_NAME))
		(void)snprintf(qname, sizeof(qname), "%s", job->ident.value);
	else
		(void)snprintf(qname, sizeof(qname), "_acme-challenge.%s", job->ident.value);
	json_object_set_new(ent, "query", json_string(qname));
	want = acs_keyauth_digest_b64(job->keyauth);
	if (want == NULL || RAND_bytes((unsigned char *)&id, sizeof(id)) != 1) {
		acs_mca_detailf(detail, "out of memory");
		goto out;
	}
	qlen = dns_query(q, sizeof(q), qname, id);
	if (qlen == 0) {
		acs_mca_detailf(detail, "cannot encode the name %s", qname);
		goto out;
	}
	/* section 11.2: over TCP, which resists spoofing; UDP when the server has no TCP */
	if (!JOB_MB(job, MB_DNS_UDP_ONLY))
		got = dns_tcp(addr, port, q, qlen, a, sizeof(a));
	json_object_set_new(ent, "transport", json_string(got >= 0 ? "tcp" : "udp"));
	if (got < 0)
		got = dns_udp(ca->dns_server, addr, port, q, qlen, id, a, sizeof(a), detail);
	if (got < 0)
		goto out;
	hit = dns_answer(a, (size_t)got, id, want, &found, &ntxt, &rcode, &tc, NULL);
	if (hit < 0) {
		acs_mca_detailf(detail, "malformed DNS answer for TXT %s", qname);
		goto out;
	}
	if ((hit == 1 && !(ntxt > 1 && JOB_MB(job, MB_DNS_SINGLE_TXT))) ||
	    (ntxt > 0 && JOB_MB(job, MB_DNS_ANY_TXT))) {
		rc = 0;
		goto out;
	}
	*errtype = "incorrectResponse";
	if (found.len == 0)
		acs_mca_detailf(detail, "no TXT record at %s (rcode %d%s), expected \"%s\"", qname,
		                rcode, tc ? ", truncated" : "", want);
	else if (hit == 1)
		acs_mca_detailf(detail, "%d TXT records at %s, this CA expects exactly one", ntxt,
		                qname);
	else
		acs_mca_detailf(detail, "TXT records at %s are %s, none is \"%s\"", qname,
		                found.data, want);
	acs_mca_check_ent(ent, CK_DNS01_TXT, "%s", detail->data);
out:
	free(want);
	acs_buf_free(&found);
	return rc;
}

/* ---- dns-account-01 and dns-persist-01 (issue 7 item 3): their lookups ---- */

int acs_mca_dns_txt(struct acs_mockca *ca, const struct mca_vjob *job, const char *qname,
                    json_t *ent, json_t *vals, int *rcode, struct acs_buf *detail)
{
	unsigned char q[512], a[4096];
	char addr[128];
	struct acs_buf found;
	uint16_t id;
	size_t qlen;
	ssize_t got = -1;
	int port, ntxt = 0, tc = 0, rc = -1;

	acs_buf_init(&found, 8192);
	*rcode = 0;
	json_object_set_new(ent, "query", json_string(qname));
	if (ca->dns_server == NULL) {
		acs_mca_detailf(detail, "the mock CA has no DNS server configured for %s",
		                acs_mca_ctype_names[job->type]);
		goto out;
	}
	if (dns_parse_server(ca->dns_server, addr, sizeof(addr), &port) != 0) {
		acs_mca_detailf(detail, "bad DNS server address %s", ca->dns_server);
		goto out;
	}
	if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1 ||
	    (qlen = dns_query(q, sizeof(q), qname, id)) == 0) {
		acs_mca_detailf(detail, "cannot encode the name %s", qname);
		goto out;
	}
	/* over TCP first, as for dns-01 (section 11.2) */
	got = dns_tcp(addr, port, q, qlen, a, sizeof(a));
	json_object_set_new(ent, "transport", json_string(got >= 0 ? "tcp" : "udp"));
	if (got < 0)
		got = dns_udp(ca->dns_server, addr, port, q, qlen, id, a, sizeof(a), detail);
	if (got < 0)
		goto out;
	if (dns_answer(a, (size_t)got, id, NULL, &found, &ntxt, rcode, &tc, vals) < 0) {
		acs_mca_detailf(detail, "malformed DNS answer for TXT %s", qname);
		goto out;
	}
	rc = 0;
out:
	acs_buf_free(&found);
	return rc;
}

int acs_mca_validate(struct acs_mockca *ca, const struct mca_vjob *job, json_t *logent,
                     const char **errtype, struct acs_buf *detail)
{
	switch (job->type) {
	case CT_HTTP01:
		return validate_http01(ca, job, logent, errtype, detail);
	case CT_TLSALPN01:
		return validate_alpn(ca, job, logent, errtype, detail);
	case CT_DNS01:
		return validate_dns01(ca, job, logent, errtype, detail);
	case CT_DNSACCOUNT01:
		return acs_mca_validate_dnsacct(ca, job, logent, errtype, detail);
	case CT_DNSPERSIST01:
		return acs_mca_validate_persist(ca, job, logent, errtype, detail);
	default:
		break;
	}
	*errtype = "serverInternal";
	acs_mca_detailf(detail, "unknown challenge type");
	return -1;
}
