/*
 * tls-alpn-01 responder (RFC 8737): an OpenSSL TLS server. One thread
 * accepts and queues connections; a small pool of workers runs each
 * handshake with a bounded time, then waits briefly for application data
 * (which a validator must not send) and closes.
 *
 * Certificate choice is by SNI (servername callback); the ClientHello
 * callback records what ALPN protocols the client offered; the ALPN
 * callback selects acme-tls/1, or refuses the handshake with
 * no_application_protocol when the client offered ALPN without it (RFC
 * 7301). A client that offers no ALPN at all still gets the certificate, so
 * that such a validator's behaviour can be observed rather than only fail.
 * Only TLS 1.2 and higher are negotiated (RFC 8737 section 4).
 */
#include "mockclient/resp_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/jwk.h"
#include "harness/transcript.h"

#define ACME_TLS     "acme-tls/1"
#define ACME_TLS_LEN 10
#define NAME_MAX_LEN 256

struct resp_alpn_entry {
	struct resp_alpn_entry *next;
	char name[NAME_MAX_LEN]; /* the SNI it answers, lower case */
	X509 *cert;              /* NULL once cleared */
	EVP_PKEY *key;
	enum acs_alpn_mode mode;
	struct acs_alpn_obs obs; /* kept across clear */
	int in_flight;           /* connections for this SNI not yet recorded */
	struct acs_transcript *t;
};

/* What one connection showed; filled by the callbacks, read by the worker. */
struct alpn_conn {
	char sni[NAME_MAX_LEN];
	int hello_seen;
	int alpn_present;
	int offered_acme;
	int offered_only;
	int cert_served;
	int counted;       /* holds one of the entry's in_flight */
	char offered[160]; /* protocol list as text, for notes */
};

static const char *mode_name(enum acs_alpn_mode m)
{
	switch (m) {
	case ACS_ALPN_OK:
		return "ok";
	case ACS_ALPN_WRONG_DIGEST:
		return "wrong-digest";
	case ACS_ALPN_NONCRITICAL:
		return "noncritical";
	case ACS_ALPN_MIXED_CASE:
		return "mixed-case";
	case ACS_ALPN_EXTRA_SAN:
		return "extra-san";
	case ACS_ALPN_NO_EXTENSION:
		return "no-extension";
	}
	return "?";
}

/* Caller holds alpn_mu. */
static struct resp_alpn_entry *find_entry(struct acs_responders *r, const char *name)
{
	struct resp_alpn_entry *e;

	for (e = r->alpn; e != NULL; e = e->next) {
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

/*
 * The SNI a validator sends for the identifier: the DNS name, or for an IP
 * the reverse-DNS name of RFC 8738 section 6 (in-addr.arpa / ip6.arpa).
 */
static int ident_sni(const struct acs_ident *id, char *out, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char a[16];
	size_t len, i, o = 0;

	if (strcmp(id->type, "dns") == 0) {
		len = strnlen(id->value, sizeof(id->value));
		if (len == 0 || len >= n || len >= sizeof(id->value))
			return ACS_E_INVAL;
		memcpy(out, id->value, len);
		out[len] = '\0';
		resp_lower(out);
		return 0;
	}
	if (strcmp(id->type, "ip") != 0 ||
	    strnlen(id->value, sizeof(id->value)) >= sizeof(id->value))
		return ACS_E_INVAL;
	if (inet_pton(AF_INET, id->value, a) == 1) {
		snprintf(out, n, "%u.%u.%u.%u.in-addr.arpa", a[3], a[2], a[1], a[0]);
		return 0;
	}
	if (inet_pton(AF_INET6, id->value, a) != 1 || n < 73)
		return ACS_E_INVAL;
	for (i = 16; i-- > 0;) {
		out[o++] = hex[a[i] & 0xf];
		out[o++] = '.';
		out[o++] = hex[a[i] >> 4];
		out[o++] = '.';
	}
	memcpy(out + o, "ip6.arpa", 9);
	return 0;
}

/* Caller holds nothing; fills conn->offered* from the raw ALPN extension. */
static void parse_alpn_ext(struct alpn_conn *conn, const unsigned char *p, size_t n)
{
	size_t list, i, count = 0, used = 0, k;

	conn->alpn_present = 1;
	conn->offered_acme = 0;
	conn->offered_only = 0;
	conn->offered[0] = '\0';
	if (n < 2)
		return;
	list = ((size_t)p[0] << 8) | p[1];
	if (list > n - 2)
		list = n - 2;
	p += 2;
	for (i = 0; i < list;) {
		size_t l = p[i];
		if (l == 0 || l > list - i - 1)
			break;
		count++;
		if (l == ACME_TLS_LEN && memcmp(p + i + 1, ACME_TLS, ACME_TLS_LEN) == 0)
			conn->offered_acme = 1;
		/* printable text of the list for notes, bounded */
		if (used + l + 3 < sizeof(conn->offered)) {
			if (used > 0) {
				conn->offered[used++] = ',';
				conn->offered[used++] = ' ';
			}
			for (k = 0; k < l; k++) {
				unsigned char c = p[i + 1 + k];
				conn->offered[used++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
			}
			conn->offered[used] = '\0';
		}
		i += 1 + l;
	}
	conn->offered_only = conn->offered_acme && count == 1;
}

static int hello_cb(SSL *s, int *al, void *arg)
{
	struct alpn_conn *conn = SSL_get_app_data(s);
	const unsigned char *ext = NULL;
	size_t extlen = 0;

	(void)al;
	(void)arg;
	if (conn == NULL)
		return SSL_CLIENT_HELLO_SUCCESS;
	conn->hello_seen = 1;
	if (SSL_client_hello_get0_ext(s, TLSEXT_TYPE_application_layer_protocol_negotiation, &ext,
	                              &extlen) == 1)
		parse_alpn_ext(conn, ext, extlen);
	return SSL_CLIENT_HELLO_SUCCESS;
}

static int sni_cb(SSL *s, int *al, void *arg)
{
	struct acs_responders *r = arg;
	struct alpn_conn *conn = SSL_get_app_data(s);
	struct resp_alpn_entry *e;
	const char *name = SSL_get_servername(s, TLSEXT_NAMETYPE_host_name);

	if (conn == NULL || name == NULL || strlen(name) >= sizeof(conn->sni)) {
		*al = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	memcpy(conn->sni, name, strlen(name) + 1);
	resp_lower(conn->sni);
	conn->cert_served = 0;
	pthread_mutex_lock(&r->alpn_mu);
	e = find_entry(r, conn->sni);
	/* a validator may report the challenge valid before this connection is
	 * recorded (the responder still waits for application data): count it
	 * from the ClientHello so acs_alpn_observed can wait for it */
	if (e != NULL && !conn->counted) {
		e->in_flight++;
		conn->counted = 1;
	}
	if (e != NULL && e->cert != NULL && SSL_use_certificate(s, e->cert) == 1 &&
	    SSL_use_PrivateKey(s, e->key) == 1)
		conn->cert_served = 1;
	pthread_mutex_unlock(&r->alpn_mu);
	if (!conn->cert_served) {
		*al = SSL_AD_UNRECOGNIZED_NAME;
		return SSL_TLSEXT_ERR_ALERT_FATAL;
	}
	return SSL_TLSEXT_ERR_OK;
}

static int alpn_cb(SSL *s, const unsigned char **out, unsigned char *outlen,
                   const unsigned char *in, unsigned int inlen, void *arg)
{
	unsigned int i;

	(void)s;
	(void)arg;
	for (i = 0; i < inlen;) {
		unsigned int l = in[i];
		if (l == 0 || l > inlen - i - 1)
			break;
		if (l == ACME_TLS_LEN && memcmp(in + i + 1, ACME_TLS, ACME_TLS_LEN) == 0) {
			*out = in + i + 1;
			*outlen = ACME_TLS_LEN;
			return SSL_TLSEXT_ERR_OK;
		}
		i += 1 + l;
	}
	return SSL_TLSEXT_ERR_ALERT_FATAL; /* no_application_protocol */
}

static const char *version_name(int v)
{
	switch (v) {
	case TLS1_2_VERSION:
		return "TLSv1.2";
	case TLS1_3_VERSION:
		return "TLSv1.3";
	default:
		return "TLS (other)";
	}
}

/* Run one connection to its end and record what it showed. */
static void serve_conn(struct acs_responders *r, int fd, const char *peer)
{
	struct alpn_conn conn;
	struct resp_alpn_entry *e;
	SSL *ssl = NULL;
	char why[160] = "", buf[256];
	const unsigned char *sel = NULL;
	unsigned int sel_len = 0;
	int64_t deadline;
	int ok = 0, app = 0, version = 0, ret, se, w;
	unsigned long ecode;

	memset(&conn, 0, sizeof(conn));
	ERR_clear_error();
	ssl = SSL_new(r->ssl_ctx);
	if (ssl == NULL || SSL_set_fd(ssl, fd) != 1) {
		snprintf(why, sizeof(why), "cannot set up the TLS connection");
		goto out;
	}
	SSL_set_app_data(ssl, &conn);
	deadline = acs_clock_mono_ms() + RESP_IO_TIMEOUT_MS;
	for (;;) {
		int64_t left;

		ret = SSL_accept(ssl);
		if (ret == 1) {
			ok = 1;
			break;
		}
		se = SSL_get_error(ssl, ret);
		left = deadline - acs_clock_mono_ms();
		if ((se != SSL_ERROR_WANT_READ && se != SSL_ERROR_WANT_WRITE) || left <= 0) {
			ecode = ERR_peek_error();
			if (left <= 0)
				snprintf(why, sizeof(why), "handshake timed out after %d ms",
				         RESP_IO_TIMEOUT_MS);
			else if (ecode != 0)
				snprintf(why, sizeof(why), "handshake failed: %s",
				         ERR_reason_error_string(ecode) != NULL
				             ? ERR_reason_error_string(ecode)
				             : "unknown error");
			else
				snprintf(why, sizeof(why), "handshake failed: peer closed");
			break;
		}
		w = resp_wait(r, fd, se == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, (int)left);
		if (w < 0) {
			snprintf(why, sizeof(why), "handshake aborted: responder stopping");
			break;
		}
	}
	if (ok) {
		version = SSL_version(ssl);
		SSL_get0_alpn_selected(ssl, &sel, &sel_len);
		/* the validator must close now; see whether it sends data instead */
		deadline = acs_clock_mono_ms() + RESP_APPDATA_WAIT_MS;
		for (;;) {
			int64_t left;

			ret = SSL_read(ssl, buf, sizeof(buf));
			if (ret > 0) {
				app = 1;
				break;
			}
			se = SSL_get_error(ssl, ret);
			left = deadline - acs_clock_mono_ms();
			if ((se != SSL_ERROR_WANT_READ && se != SSL_ERROR_WANT_WRITE) || left <= 0)
				break;
			if (resp_wait(r, fd, se == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			              (int)left) <= 0)
				break;
		}
		SSL_shutdown(ssl);
	}
out:
	ERR_clear_error();
	if (conn.sni[0] != '\0') {
		pthread_mutex_lock(&r->alpn_mu);
		e = find_entry(r, conn.sni);
		if (e != NULL && conn.counted && e->in_flight > 0)
			e->in_flight--;
		if (e != NULL) {
			e->obs.handshakes++;
			if (conn.offered_acme)
				e->obs.offered_acme_tls++;
			if (conn.offered_only)
				e->obs.offered_only_acme++;
			if (app)
				e->obs.app_data_received++;
			if (ok &&
			    (e->obs.min_version_seen == 0 || version < e->obs.min_version_seen))
				e->obs.min_version_seen = version;
			if (e->t != NULL && ok)
				acs_transcript_note(
				    e->t,
				    "tls-alpn-01 responder: handshake from %s, SNI %s, ALPN "
				    "offered [%s]: %s, ALPN %s, certificate served (%s), %s",
				    peer, conn.sni, conn.alpn_present ? conn.offered : "no ALPN",
				    version_name(version), sel_len > 0 ? ACME_TLS : "none",
				    mode_name(e->mode),
				    app ? "application data received" : "no application data");
			else if (e->t != NULL)
				acs_transcript_note(
				    e->t,
				    "tls-alpn-01 responder: handshake from %s, SNI %s, "
				    "ALPN offered [%s]: %s",
				    peer, conn.sni, conn.alpn_present ? conn.offered : "no ALPN",
				    why);
		}
		pthread_mutex_unlock(&r->alpn_mu);
	}
	SSL_free(ssl);
	close(fd);
}

static void *worker_main(void *arg)
{
	struct acs_responders *r = arg;
	struct resp_alpn_pending p;

	resp_block_sigpipe();
	for (;;) {
		pthread_mutex_lock(&r->alpn_qmu);
		while (r->alpn_qlen == 0 && !r->alpn_stopping)
			pthread_cond_wait(&r->alpn_qcv, &r->alpn_qmu);
		if (r->alpn_stopping) {
			pthread_mutex_unlock(&r->alpn_qmu);
			break;
		}
		p = r->alpn_q[r->alpn_qhead];
		r->alpn_qhead = (r->alpn_qhead + 1) % RESP_ALPN_QUEUE;
		r->alpn_qlen--;
		pthread_mutex_unlock(&r->alpn_qmu);
		serve_conn(r, p.fd, p.peer);
	}
	return NULL;
}

static void *accept_main(void *arg)
{
	struct acs_responders *r = arg;
	struct sockaddr_storage ss;
	socklen_t sl;
	char peer[64];
	int fd, w, e;

	resp_block_sigpipe();
	for (;;) {
		w = resp_wait(r, r->alpn_fd, POLLIN, -1);
		if (w < 0)
			break;
		for (;;) {
			sl = sizeof(ss);
			fd = accept(r->alpn_fd, (struct sockaddr *)&ss, &sl);
			if (fd < 0) {
				e = errno;
				if (e == EINTR || e == ECONNABORTED)
					continue;
				if (e != EAGAIN && e != EWOULDBLOCK)
					resp_wait(r, -1, 0, 50); /* EMFILE and the like: back off */
				break;
			}
			if (resp_nonblock(fd) < 0) {
				close(fd);
				continue;
			}
			resp_peer_str((struct sockaddr *)&ss, peer, sizeof(peer));
			pthread_mutex_lock(&r->alpn_qmu);
			if (r->alpn_qlen < RESP_ALPN_QUEUE) {
				size_t at = (r->alpn_qhead + r->alpn_qlen) % RESP_ALPN_QUEUE;
				r->alpn_q[at].fd = fd;
				memcpy(r->alpn_q[at].peer, peer, sizeof(peer));
				r->alpn_qlen++;
				fd = -1;
				pthread_cond_signal(&r->alpn_qcv);
			}
			pthread_mutex_unlock(&r->alpn_qmu);
			if (fd >= 0)
				close(fd); /* overloaded: refuse rather than grow */
		}
	}
	return NULL;
}

int resp_alpn_start(struct acs_responders *r, int port, struct acs_err *err)
{
	int rc, i;

	r->ssl_ctx = SSL_CTX_new(TLS_server_method());
	if (r->ssl_ctx == NULL)
		return acs_err_openssl(err, "tls-alpn-01 responder: cannot create a TLS context");
	SSL_CTX_set_min_proto_version(r->ssl_ctx, TLS1_2_VERSION);
	SSL_CTX_set_session_cache_mode(r->ssl_ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_options(r->ssl_ctx, SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
	SSL_CTX_set_num_tickets(r->ssl_ctx, 0);
	SSL_CTX_set_client_hello_cb(r->ssl_ctx, hello_cb, r);
	SSL_CTX_set_tlsext_servername_callback(r->ssl_ctx, sni_cb);
	SSL_CTX_set_tlsext_servername_arg(r->ssl_ctx, r);
	SSL_CTX_set_alpn_select_cb(r->ssl_ctx, alpn_cb, r);

	rc = resp_listen(r->bind_addr, port, SOCK_STREAM, &r->alpn_fd, &r->alpn_port, err);
	if (rc < 0) {
		r->alpn_port = -1;
		return rc;
	}
	for (i = 0; i < RESP_ALPN_WORKERS; i++) {
		if (pthread_create(&r->alpn_workers[i], NULL, worker_main, r) != 0)
			return acs_err_set(err, ACS_E_IO,
			                   "tls-alpn-01 responder: cannot start a thread");
		r->alpn_nworkers++;
	}
	if (pthread_create(&r->alpn_accept, NULL, accept_main, r) != 0)
		return acs_err_set(err, ACS_E_IO, "tls-alpn-01 responder: cannot start a thread");
	r->alpn_accept_started = 1;
	return 0;
}

void resp_alpn_stop(struct acs_responders *r)
{
	int i;

	/* the stop pipe is already signalled: the accept loop and handshakes end */
	if (r->alpn_accept_started)
		pthread_join(r->alpn_accept, NULL);
	r->alpn_accept_started = 0;
	pthread_mutex_lock(&r->alpn_qmu);
	r->alpn_stopping = 1;
	pthread_cond_broadcast(&r->alpn_qcv);
	pthread_mutex_unlock(&r->alpn_qmu);
	for (i = 0; i < r->alpn_nworkers; i++)
		pthread_join(r->alpn_workers[i], NULL);
	r->alpn_nworkers = 0;
	while (r->alpn_qlen > 0) {
		close(r->alpn_q[r->alpn_qhead].fd);
		r->alpn_qhead = (r->alpn_qhead + 1) % RESP_ALPN_QUEUE;
		r->alpn_qlen--;
	}
	if (r->alpn_fd >= 0)
		close(r->alpn_fd);
	r->alpn_fd = -1;
	SSL_CTX_free(r->ssl_ctx);
	r->ssl_ctx = NULL;
}

void resp_alpn_free_table(struct acs_responders *r)
{
	struct resp_alpn_entry *e, *next;

	for (e = r->alpn; e != NULL; e = next) {
		next = e->next;
		X509_free(e->cert);
		EVP_PKEY_free(e->key);
		free(e);
	}
	r->alpn = NULL;
}

/* Mixed case form of a DNS name: every other letter upper case. */
static void mixed_case(const char *in, char *out, size_t n)
{
	size_t i;
	int up = 1;

	for (i = 0; in[i] != '\0' && i + 1 < n; i++) {
		char c = in[i];
		if (c >= 'a' && c <= 'z') {
			if (up)
				c = (char)(c - 'a' + 'A');
			up = !up;
		}
		out[i] = c;
	}
	out[i] = '\0';
}

int acs_alpn_set(struct acs_responders *r, const struct acs_ident *id, const char *keyauth,
                 enum acs_alpn_mode mode, struct acs_transcript *t)
{
	struct acs_alpn_cert_opts opts = {.critical = 1};
	struct resp_alpn_entry *e, *fresh = NULL;
	unsigned char digest[32];
	char name[NAME_MAX_LEN], mixed[NAME_MAX_LEN];
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;
	char *other = NULL;
	size_t kalen;
	int rc;

	if (r == NULL || id == NULL || keyauth == NULL)
		return ACS_E_INVAL;
	if ((unsigned)mode > (unsigned)ACS_ALPN_NO_EXTENSION)
		return ACS_E_INVAL;
	rc = ident_sni(id, name, sizeof(name));
	if (rc < 0)
		return rc;
	if (mode == ACS_ALPN_WRONG_DIGEST) {
		/* the digest of another key authorization */
		kalen = strlen(keyauth);
		other = malloc(kalen + 2);
		if (other == NULL)
			return ACS_E_NOMEM;
		memcpy(other, keyauth, kalen);
		other[kalen] = 'x';
		other[kalen + 1] = '\0';
		acs_keyauth_digest(other, digest);
		free(other);
	} else {
		acs_keyauth_digest(keyauth, digest);
	}
	if (mode == ACS_ALPN_NONCRITICAL)
		opts.critical = 0;
	if (mode == ACS_ALPN_MIXED_CASE && strcmp(id->type, "dns") == 0) {
		mixed_case(name, mixed, sizeof(mixed));
		opts.san_override = mixed;
	}
	if (mode == ACS_ALPN_EXTRA_SAN)
		opts.extra_san = "extra.acmespec.test";
	rc = acs_alpn_cert_make(id, mode == ACS_ALPN_NO_EXTENSION ? NULL : digest, &opts, &cert,
	                        &key, NULL);
	if (rc < 0)
		goto out;
	fresh = calloc(1, sizeof(*fresh));
	if (fresh == NULL) {
		rc = ACS_E_NOMEM;
		goto out;
	}
	memcpy(fresh->name, name, sizeof(name));

	pthread_mutex_lock(&r->alpn_mu);
	e = find_entry(r, name);
	if (e == NULL) {
		e = fresh;
		fresh = NULL;
		e->next = r->alpn;
		r->alpn = e;
	}
	/* swap: the old certificate is freed below, outside the lock */
	{
		X509 *oc = e->cert;
		EVP_PKEY *ok = e->key;
		e->cert = cert;
		e->key = key;
		cert = oc;
		key = ok;
	}
	e->mode = mode;
	e->t = t;
	pthread_mutex_unlock(&r->alpn_mu);
	rc = 0;
out:
	free(fresh);
	X509_free(cert);
	EVP_PKEY_free(key);
	return rc;
}

void acs_alpn_clear(struct acs_responders *r, const struct acs_ident *id)
{
	struct resp_alpn_entry *e;
	char name[NAME_MAX_LEN];
	X509 *cert = NULL;
	EVP_PKEY *key = NULL;

	if (r == NULL || id == NULL || ident_sni(id, name, sizeof(name)) < 0)
		return;
	pthread_mutex_lock(&r->alpn_mu);
	e = find_entry(r, name);
	if (e != NULL) {
		cert = e->cert;
		key = e->key;
		e->cert = NULL;
		e->key = NULL;
		e->t = NULL;
	}
	pthread_mutex_unlock(&r->alpn_mu);
	X509_free(cert);
	EVP_PKEY_free(key);
}

int acs_alpn_observed(struct acs_responders *r, const struct acs_ident *id,
                      struct acs_alpn_obs *out)
{
	struct resp_alpn_entry *e;
	char name[NAME_MAX_LEN];
	int64_t deadline;
	int rc;

	if (r == NULL || id == NULL || out == NULL)
		return ACS_E_INVAL;
	memset(out, 0, sizeof(*out));
	rc = ident_sni(id, name, sizeof(name));
	if (rc < 0)
		return rc;
	deadline = acs_clock_mono_ms() + RESP_OBSERVE_SETTLE_MS;
	pthread_mutex_lock(&r->alpn_mu);
	/* connections still being served are recorded within their app-data
	 * wait; give them that long (bounded), so a fast validator's handshake
	 * is not missed */
	while ((e = find_entry(r, name)) != NULL && e->in_flight > 0 &&
	       acs_clock_mono_ms() < deadline) {
		pthread_mutex_unlock(&r->alpn_mu);
		acs_sleep_ms(10);
		pthread_mutex_lock(&r->alpn_mu);
	}
	if (e != NULL)
		*out = e->obs;
	pthread_mutex_unlock(&r->alpn_mu);
	return e != NULL ? 0 : ACS_E_NOTFOUND;
}
