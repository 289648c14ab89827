/*
 * Private to the challenge responders (responders.c, resp_http01.c,
 * resp_tlsalpn.c, resp_dns.c): the shared state and small socket helpers.
 *
 * Locking: each responder has its own table lock (http_mu, alpn_mu,
 * dns_mu). Transcript notes are added while that lock is held, so once a
 * *_clear() returns, no responder thread touches the entry's transcript
 * again. Locks are never nested.
 */
#ifndef ACMESPEC_RESP_INTERNAL_H
#define ACMESPEC_RESP_INTERNAL_H

#include <openssl/ssl.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "harness/clock.h"
#include "mockclient/responders.h"

struct MHD_Daemon;
struct resp_http_entry;
struct resp_alpn_entry;
struct resp_dns_txt;
struct resp_dns_count;
struct resp_dns_tcp;

#define RESP_ALPN_WORKERS    8   /* concurrent TLS handshakes */
#define RESP_ALPN_QUEUE      128 /* accepted connections waiting for a worker */
#define RESP_DNS_TCP_MAX     32  /* concurrent DNS-over-TCP connections */
#define RESP_IO_TIMEOUT_MS   10000
#define RESP_APPDATA_WAIT_MS 200
/* how long acs_alpn_observed waits for connections still being served */
#define RESP_OBSERVE_SETTLE_MS 2000

struct resp_alpn_pending {
	int fd;
	char peer[64];
};

struct acs_responders {
	char bind_addr[64];
	unsigned char a_answer[4]; /* IPv4 address served for A queries */
	int http_port;             /* -1: not running */
	int alpn_port;
	int dns_port;
	int stop_pipe[2]; /* a byte in it means "stop": every poll watches [0] */

	/* http-01 */
	struct MHD_Daemon *mhd;
	pthread_mutex_t http_mu;
	struct resp_http_entry *http;

	/* tls-alpn-01 */
	SSL_CTX *ssl_ctx;
	int alpn_fd;
	pthread_t alpn_accept;
	int alpn_accept_started;
	pthread_t alpn_workers[RESP_ALPN_WORKERS];
	int alpn_nworkers;
	pthread_mutex_t alpn_qmu; /* the queue and alpn_stopping */
	pthread_cond_t alpn_qcv;
	struct resp_alpn_pending alpn_q[RESP_ALPN_QUEUE];
	size_t alpn_qhead, alpn_qlen;
	int alpn_stopping;
	pthread_mutex_t alpn_mu; /* the table */
	struct resp_alpn_entry *alpn;

	/* dns-01 */
	int udp_fd, tcp_fd;
	pthread_t dns_thread;
	int dns_started;
	struct resp_dns_tcp *dns_conns; /* RESP_DNS_TCP_MAX of them, owned by the thread */
	pthread_mutex_t dns_mu;
	struct resp_dns_txt *txt;
	struct resp_dns_count *counts;
	size_t ncounts;
};

/* Open, bind and (for SOCK_STREAM) listen on addr:port; *port_out gets the
 * bound port. Errors name the address ("cannot bind 127.0.0.1:5002: ..."). */
int resp_listen(const char *addr, int port, int socktype, int *fd_out, int *port_out,
                struct acs_err *err);

/* "127.0.0.1:5353" or "[::1]:5353"; "?" when unknown. */
void resp_peer_str(const struct sockaddr *sa, char *out, size_t n);

/* strerror(e) starting in lower case, into buf. */
const char *resp_strerror(int e, char *buf, size_t n);

/* Lower-case ASCII letters of s in place. */
void resp_lower(char *s);

/*
 * Wait until fd has events or the stop pipe is signalled, at most
 * timeout_ms (-1: no limit; fd -1: only the stop pipe). Returns 1 when fd
 * is ready, 0 on timeout, -1 on stop or error.
 */
int resp_wait(struct acs_responders *r, int fd, short events, int timeout_ms);

/* Make fd non-blocking and close-on-exec; 0 or -1. */
int resp_nonblock(int fd);

/* Block SIGPIPE in the calling thread (writes to a closed peer then fail
 * with EPIPE instead of killing the process). */
void resp_block_sigpipe(void);

/* Per-responder start / stop (stop is safe on a partial start). */
int resp_http01_start(struct acs_responders *r, int port, struct acs_err *err);
void resp_http01_stop(struct acs_responders *r);
void resp_http01_free_table(struct acs_responders *r);
int resp_alpn_start(struct acs_responders *r, int port, struct acs_err *err);
void resp_alpn_stop(struct acs_responders *r);
void resp_alpn_free_table(struct acs_responders *r);
int resp_dns_start(struct acs_responders *r, int port, struct acs_err *err);
void resp_dns_stop(struct acs_responders *r);
void resp_dns_free_table(struct acs_responders *r);

/*
 * Answer one DNS query (exposed for the DNS responder's own loop and for
 * tests): q/qlen is the query, resp/cap the answer buffer and the largest
 * answer allowed (512 over UDP); answers that do not fit are cut at a
 * record boundary with TC set. Returns the answer's length, or 0 when the
 * query gets no answer (shorter than a header, or itself a response).
 */
size_t resp_dns_answer(struct acs_responders *r, const unsigned char *q, size_t qlen,
                       unsigned char *resp, size_t cap, int tcp, const char *peer);

#endif
