/*
 * The mock CA's listeners: libmicrohttpd (HTTPS through GnuTLS with the
 * OpenSSL-made PEM, and optionally plain HTTP) adapted to the socket-free
 * request handler (handler.h), the work directory, and acs_mockca_start /
 * acs_mockca_stop.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* POLLRDHUP */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "harness/buf.h"
#include "mockserver/ca.h"
#include "mockserver/handler.h"
#include "mockserver/instance.h"

/*
 * One open connection, tracked from accept to close: its socket and the
 * time by which its current request must have been answered. libmicrohttpd's
 * own timeout restarts on every byte, so a client trickling one byte at a
 * time would keep its connection forever; the reaper (reaper_main) shuts
 * down a connection past its deadline whatever it sends.
 */
struct conn_track {
	int fd;
	time_t deadline;
	struct conn_track *prev, *next;
};

/*
 * Each connection's memory pool (request line, headers, read and write
 * buffers; bodies go to struct conn_ctx). libmicrohttpd clears the pool
 * between the requests of a keep-alive connection, so its default of 32 KiB
 * cost about a third of the CPU of a newNonce (callgrind); 16 KiB still holds
 * any request head a client sends and the largest response head we queue.
 */
#define MCA_CONN_MEMORY ((size_t)16384)

/*
 * A connection a hostile switch holds (suspended in libmicrohttpd): the
 * reaper resumes it at wake, when its client hangs up, or when the CA stops.
 */
struct held {
	struct MHD_Connection *conn;
	int fd;
	time_t wake;
	struct held *next;
};

struct listener {
	struct acs_mockca *ca;
	const char *scheme;
	unsigned int timeout_s;
	pthread_mutex_t lock; /* guards the list and stop */
	pthread_cond_t cond;
	struct conn_track *conns;
	int stop, reaper_on, lock_on;
	pthread_t reaper;
	size_t reaped; /* connections cut at their deadline */
	struct held *held;
	int closing; /* the CA is stopping: nothing more is held */
};

static time_t now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* Accepted and closed connections: the reaper's list. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
	struct listener *l = cls;
	struct conn_track *t = *socket_context;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		t = calloc(1, sizeof(*t));
		ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (t == NULL || ci == NULL) {
			free(t);
			return;
		}
		t->fd = ci->connect_fd;
		pthread_mutex_lock(&l->lock);
		t->deadline = now_mono() + (time_t)l->timeout_s;
		t->next = l->conns;
		if (l->conns != NULL)
			l->conns->prev = t;
		l->conns = t;
		pthread_mutex_unlock(&l->lock);
		*socket_context = t;
		return;
	}
	if (t == NULL)
		return;
	/* closed: libmicrohttpd closes the socket only after this returns */
	pthread_mutex_lock(&l->lock);
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		l->conns = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	pthread_mutex_unlock(&l->lock);
	free(t);
	*socket_context = NULL;
}

/*
 * A request was answered: the connection's next one gets a full bound
 * again, plus extra seconds while a hostile switch holds it.
 */
static void conn_answered(struct listener *l, struct MHD_Connection *conn, unsigned int extra)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn_track *t = ci != NULL ? ci->socket_context : NULL;

	if (t == NULL)
		return;
	pthread_mutex_lock(&l->lock);
	t->deadline = now_mono() + (time_t)l->timeout_s + (time_t)extra;
	pthread_mutex_unlock(&l->lock);
}

/* Has the client of a held connection closed its end? */
static int hung_up(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLRDHUP};

	return fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

/*
 * Resume the held connections that are due (all of them with all set);
 * called with l->lock held, which is dropped around libmicrohttpd's calls.
 */
static void release_held(struct listener *l, int all)
{
	struct held **pp = &l->held, *h, *due = NULL;
	time_t now = now_mono();

	while ((h = *pp) != NULL) {
		if (all || h->wake <= now || hung_up(h->fd)) {
			*pp = h->next;
			h->next = due;
			due = h;
		} else {
			pp = &h->next;
		}
	}
	pthread_mutex_unlock(&l->lock);
	while ((h = due) != NULL) {
		due = h->next;
		MHD_resume_connection(h->conn);
		free(h);
	}
	pthread_mutex_lock(&l->lock);
}

/*
 * Suspend conn until wake (from a libmicrohttpd callback, the only place
 * allowed to). -1 when it cannot be held (the CA is stopping, no memory):
 * the caller then closes the connection.
 */
static int hold_conn(struct listener *l, struct MHD_Connection *conn, time_t wake)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct held *h = calloc(1, sizeof(*h));
	int closing;

	if (h == NULL)
		return -1;
	h->conn = conn;
	h->fd = ci != NULL ? ci->connect_fd : -1;
	h->wake = wake;
	pthread_mutex_lock(&l->lock);
	closing = l->closing;
	pthread_mutex_unlock(&l->lock);
	if (closing) {
		free(h);
		return -1;
	}
	/* l->lock is never held while calling into libmicrohttpd */
	MHD_suspend_connection(conn);
	pthread_mutex_lock(&l->lock);
	if (!l->closing) {
		h->next = l->held;
		l->held = h;
		h = NULL;
	}
	pthread_mutex_unlock(&l->lock);
	if (h == NULL)
		return 0;
	/* the stop began in between: it will not see this one */
	MHD_resume_connection(conn);
	free(h);
	return -1;
}

/* Once a second: shut down every connection past its deadline, resume held ones. */
static void *reaper_main(void *arg)
{
	struct listener *l = arg;
	struct conn_track *t;
	struct timespec ts;
	time_t now;

	pthread_mutex_lock(&l->lock);
	while (!l->stop) {
		release_held(l, 0);
		now = now_mono();
		for (t = l->conns; t != NULL; t = t->next) {
			if (t->deadline <= now && t->fd >= 0) {
				/* the socket stays open (and ours) until libmicrohttpd sees EOF */
				(void)shutdown(t->fd, SHUT_RDWR);
				t->fd = -1;
				l->reaped++;
			}
		}
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += 1;
		(void)pthread_cond_timedwait(&l->cond, &l->lock, &ts);
	}
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

static int reaper_start(struct listener *l, unsigned int timeout_s)
{
	l->timeout_s = timeout_s;
	if (pthread_mutex_init(&l->lock, NULL) != 0)
		return -1;
	if (pthread_cond_init(&l->cond, NULL) != 0) {
		pthread_mutex_destroy(&l->lock);
		return -1;
	}
	l->lock_on = 1;
	if (pthread_create(&l->reaper, NULL, reaper_main, l) != 0)
		return -1;
	l->reaper_on = 1;
	return 0;
}

static void reaper_stop(struct listener *l)
{
	if (l->reaper_on) {
		pthread_mutex_lock(&l->lock);
		l->stop = 1;
		l->closing = 1;
		pthread_cond_signal(&l->cond);
		pthread_mutex_unlock(&l->lock);
		pthread_join(l->reaper, NULL);
		l->reaper_on = 0;
		/* libmicrohttpd must not be stopped with suspended connections */
		pthread_mutex_lock(&l->lock);
		release_held(l, 1);
		pthread_mutex_unlock(&l->lock);
	}
}

/* After the daemon stopped (every connection closed). */
static void reaper_free(struct listener *l)
{
	reaper_stop(l);
	if (l->lock_on) {
		pthread_mutex_destroy(&l->lock);
		pthread_cond_destroy(&l->cond);
		l->lock_on = 0;
	}
}

/* Room for the connections allowed: the soft limit on descriptors up to the hard one. */
static void raise_fd_limit(unsigned int conns)
{
	struct rlimit rl;
	rlim_t want = (rlim_t)conns * 2 + 256;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= want)
		return;
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

struct conn_ctx {
	struct acs_buf body;
	int too_big;
	int held; /* hostile-never-answer held this request: close when resumed */
};

/* The request headers, in order, collected by collect_header. */
struct hdr_list {
	struct acs_mca_header *h;
	size_t n, cap;
};

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
	struct hdr_list *l = cls;

	(void)kind;
	if (l->n < l->cap) {
		l->h[l->n].name = key;
		l->h[l->n].value = value;
		l->n++;
	}
	return MHD_YES;
}

/* A body sent the way a hostile switch asks (hostile_read). */
struct hostile_body {
	struct listener *l;
	struct MHD_Connection *conn;
	enum acs_mca_send send;
	char *body; /* the response's own body (owned) */
	size_t len;
	time_t until; /* trickle: cut the connection then */
	int due;      /* trickle: the next byte may go now */
};

static ssize_t copy_out(const struct hostile_body *hb, uint64_t pos, uint64_t end, char *buf,
                        size_t max)
{
	size_t n = end - pos < max ? (size_t)(end - pos) : max;

	memcpy(buf, hb->body + pos, n);
	return (ssize_t)n;
}

static ssize_t hostile_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct hostile_body *hb = cls;
	uint64_t n;

	switch (hb->send) {
	case ACS_MCA_SEND_HUGE:
		if (pos < hb->len)
			return copy_out(hb, pos, hb->len, buf, max);
		if (pos >= hb->len + ACS_MCA_HUGE_PAD)
			return MHD_CONTENT_READER_END_OF_STREAM;
		n = hb->len + ACS_MCA_HUGE_PAD - pos;
		n = n < max ? n : max;
		memset(buf, ' ', (size_t)n);
		return (ssize_t)n;
	case ACS_MCA_SEND_CUT:
		/* Content-Length announced the whole body: half of it, then a close */
		if (pos >= hb->len / 2)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		return copy_out(hb, pos, hb->len / 2, buf, max);
	case ACS_MCA_SEND_TRICKLE:
		if (pos >= hb->len)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (now_mono() >= hb->until)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (hb->due) {
			hb->due = 0;
			buf[0] = hb->body[pos];
			return 1;
		}
		/* not yet: wait a second without holding this thread */
		hb->due = 1;
		if (hold_conn(hb->l, hb->conn, now_mono() + 1) != 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		return 0;
	default:
		return MHD_CONTENT_READER_END_WITH_ERROR;
	}
}

static void hostile_free(void *cls)
{
	struct hostile_body *hb = cls;

	free(hb->body);
	free(hb);
}

/* The response as libmicrohttpd's: from the buffer, or read by hostile_read. */
static struct MHD_Response *make_response(struct listener *l, struct MHD_Connection *conn,
                                          const struct acs_mca_response *rs)
{
	struct hostile_body *hb;
	uint64_t size;

	if (rs->send == ACS_MCA_SEND_NORMAL || rs->body_len == 0 ||
	    (rs->send == ACS_MCA_SEND_CUT && rs->body_len < 2))
		return MHD_create_response_from_buffer(
		    rs->body_len, rs->body_len > 0 ? rs->body : (void *)"", MHD_RESPMEM_MUST_COPY);
	hb = calloc(1, sizeof(*hb));
	if (hb == NULL || (hb->body = malloc(rs->body_len)) == NULL) {
		free(hb);
		return NULL;
	}
	memcpy(hb->body, rs->body, rs->body_len);
	hb->len = rs->body_len;
	hb->l = l;
	hb->conn = conn;
	hb->send = rs->send;
	hb->until = now_mono() + (time_t)rs->hold_s;
	hb->due = 1;
	size = hb->len + (rs->send == ACS_MCA_SEND_HUGE ? ACS_MCA_HUGE_PAD : 0);
	return MHD_create_response_from_callback(size, 4096, hostile_read, hb, hostile_free);
}

static enum MHD_Result send_resp(struct listener *l, struct MHD_Connection *conn,
                                 const struct acs_mca_response *rs)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t i;

	mr = make_response(l, conn, rs);
	if (mr == NULL)
		return MHD_NO;
	if (rs->content_type != NULL)
		(void)MHD_add_response_header(mr, "Content-Type", rs->content_type);
	for (i = 0; i < rs->nheaders; i++)
		(void)MHD_add_response_header(mr, rs->hname[i], rs->hval[i]);
	ret = MHD_queue_response(conn, rs->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

/* Hand one complete request to the handler and queue its answer. */
static enum MHD_Result dispatch(struct listener *l, struct MHD_Connection *conn, const char *url,
                                const char *method, struct conn_ctx *cc)
{
	struct acs_mca_request rq;
	struct acs_mca_response rs;
	struct hdr_list hl;
	enum MHD_Result ret = MHD_NO;
	int n = MHD_get_connection_values(conn, MHD_HEADER_KIND, NULL, NULL);

	memset(&hl, 0, sizeof(hl));
	hl.cap = n > 0 ? (size_t)n : 0;
	hl.h = calloc(hl.cap > 0 ? hl.cap : 1, sizeof(*hl.h));
	if (hl.h == NULL)
		return MHD_NO;
	(void)MHD_get_connection_values(conn, MHD_HEADER_KIND, collect_header, &hl);
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.scheme = l->scheme;
	rq.path = url;
	rq.headers = hl.h;
	rq.nheaders = hl.n;
	rq.body = cc->body.data;
	rq.body_len = cc->body.len;
	rq.body_too_big = cc->too_big;
	if (acs_mca_handle_request(l->ca, &rq, &rs) == 0) {
		if (rs.send == ACS_MCA_SEND_NEVER) {
			/* hostile-never-answer: hold it; on_request closes it when resumed */
			conn_answered(l, conn, rs.hold_s + 5);
			cc->held = 1;
			ret = hold_conn(l, conn, now_mono() + (time_t)rs.hold_s) == 0 ? MHD_YES
			                                                              : MHD_NO;
		} else {
			conn_answered(l, conn, rs.send == ACS_MCA_SEND_TRICKLE ? rs.hold_s + 5 : 0);
			ret = send_resp(l, conn, &rs);
		}
		acs_mca_response_clear(&rs);
	}
	free(hl.h);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct conn_ctx *cc = *con_cls;

	(void)version;
	if (cc == NULL) {
		cc = calloc(1, sizeof(*cc));
		if (cc == NULL)
			return MHD_NO;
		acs_buf_init(&cc->body, ACS_MCA_BODY_MAX);
		*con_cls = cc;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* keep reading past the cap so that the client gets a 413, not a reset */
		if (!cc->too_big && acs_buf_append(&cc->body, upload, *upload_size) != 0)
			cc->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (cc->held)
		return MHD_NO; /* resumed after hostile-never-answer's hold: close */
	return dispatch(cls, conn, url, method, cc);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cc = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (cc == NULL)
		return;
	acs_buf_free(&cc->body);
	free(cc);
	*con_cls = NULL;
}

static struct MHD_Daemon *start_daemon(struct acs_mockca *ca, struct listener *l, int tls, int port,
                                       int *bound, struct acs_err *err)
{
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
	struct sockaddr *sa;
	/* suspend/resume: the hostile switches hold connections without a thread */
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME;
	unsigned int threads = ca->o.threads > 0 ? ca->o.threads : 8;
	unsigned int conns = ca->o.max_connections > 0 ? ca->o.max_connections : 4000;
	unsigned int per_ip = ca->o.per_ip_connections > 0 ? ca->o.per_ip_connections : 256;
	unsigned int tmo = ca->o.request_timeout_s > 0 ? ca->o.request_timeout_s : 30;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&sa4, 0, sizeof(sa4));
	memset(&sa6, 0, sizeof(sa6));
	if (inet_pton(AF_INET, ca->bind_addr, &sa4.sin_addr) == 1) {
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons((uint16_t)port);
		sa = (struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, ca->bind_addr, &sa6.sin6_addr) == 1) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons((uint16_t)port);
		sa = (struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		acs_err_set(err, ACS_E_INVAL, "bind address %s is not an IP address",
		            ca->bind_addr);
		return NULL;
	}
	if (tls)
		flags |= MHD_USE_TLS;
	/* epoll: past select's 1,024 descriptors, and no fd-set scans per event */
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	raise_fd_limit(conns);
	if (reaper_start(l, tmo) != 0) {
		acs_err_set(err, ACS_E_NOMEM, "cannot start the connection reaper");
		return NULL;
	}
	errno = 0;
	if (tls)
		d = MHD_start_daemon(
		    flags, (uint16_t)port, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR, sa,
		    MHD_OPTION_HTTPS_MEM_CERT, ca->pki->https_cert_pem, MHD_OPTION_HTTPS_MEM_KEY,
		    ca->pki->https_key_pem, MHD_OPTION_THREAD_POOL_SIZE, threads,
		    MHD_OPTION_CONNECTION_TIMEOUT, tmo, MHD_OPTION_CONNECTION_LIMIT, conns,
		    MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip, MHD_OPTION_NOTIFY_CONNECTION,
		    on_connection, l, MHD_OPTION_CONNECTION_MEMORY_LIMIT, MCA_CONN_MEMORY,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	else
		d = MHD_start_daemon(
		    flags, (uint16_t)port, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR, sa,
		    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT, tmo,
		    MHD_OPTION_CONNECTION_LIMIT, conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
		    MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, MCA_CONN_MEMORY,
		    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (d == NULL) {
		acs_err_set(err, ACS_E_IO, "cannot bind %s:%d: %s", ca->bind_addr, port,
		            errno != 0 ? acs_errno_text(errno) : "libmicrohttpd refused to start");
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = info != NULL ? info->port : port;
	return d;
}

/* ---- files ---- */

static char *path_join(const char *dir, const char *file)
{
	struct acs_buf b;

	acs_buf_init(&b, 4096);
	if (acs_buf_printf(&b, "%s/%s", dir, file) != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	return acs_buf_steal(&b);
}

static int write_file(const char *dir, const char *name, const char *a, const char *b, mode_t mode,
                      struct acs_err *err)
{
	char *path = path_join(dir, name);
	FILE *f = NULL;
	int rc = 0;

	if (path == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	f = fopen(path, "w");
	if (f == NULL) {
		rc = acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, acs_errno_text(errno));
		goto out;
	}
	(void)chmod(path, mode);
	if (fputs(a, f) == EOF || (b != NULL && fputs(b, f) == EOF))
		rc = acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, acs_errno_text(errno));
	if (fclose(f) != 0 && rc == 0)
		rc = acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, acs_errno_text(errno));
out:
	free(path);
	return rc;
}

static const char *const workdir_files[] = {"ca.pem", "roots-all.pem", "intermediate.pem",
                                            "https-cert.pem", "https-key.pem"};

/* ---- public API ---- */

/* The work directory: the given one, or a new one under $TMPDIR (removed at stop). */
static int make_workdir(struct acs_mockca *ca, const char *dir, struct acs_err *err)
{
	const char *tmp = getenv("TMPDIR");
	struct acs_buf b;

	if (dir != NULL) {
		ca->workdir = strdup(dir);
		if (ca->workdir == NULL)
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		if (mkdir(ca->workdir, 0700) != 0 && errno != EEXIST)
			return acs_err_set(err, ACS_E_IO, "cannot create %s: %s", ca->workdir,
			                   acs_errno_text(errno));
		return 0;
	}
	acs_buf_init(&b, 4096);
	(void)acs_buf_printf(&b, "%s/acmespec-mockca-XXXXXX",
	                     tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	ca->workdir = acs_buf_steal(&b);
	if (ca->workdir == NULL || mkdtemp(ca->workdir) == NULL)
		return acs_err_set(err, ACS_E_IO, "cannot create a work directory: %s",
		                   acs_errno_text(errno));
	ca->own_workdir = 1;
	return 0;
}

/* The trust bundles and the HTTPS certificate and key into the work directory. */
static int write_workdir(struct acs_mockca *ca, struct acs_err *err)
{
	const struct acs_mca_pki *pki = ca->pki;
	int rc;

	if ((rc = write_file(ca->workdir, "ca.pem", pki->root_pem, NULL, 0644, err)) != 0 ||
	    (rc = write_file(ca->workdir, "roots-all.pem", pki->root_pem, pki->alt_root_pem, 0644,
	                     err)) != 0 ||
	    (rc = write_file(ca->workdir, "intermediate.pem", pki->inter_pem, NULL, 0644, err)) !=
	        0 ||
	    (rc = write_file(ca->workdir, "https-cert.pem", pki->https_cert_pem, NULL, 0644,
	                     err)) != 0 ||
	    (rc = write_file(ca->workdir, "https-key.pem", pki->https_key_pem, NULL, 0600, err)) !=
	        0)
		return rc;
	ca->bundle_path = path_join(ca->workdir, "ca.pem");
	ca->all_roots_path = path_join(ca->workdir, "roots-all.pem");
	if (ca->bundle_path == NULL || ca->all_roots_path == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return 0;
}

/* The HTTPS listener, and the plain one when asked for. */
static int listen_all(struct acs_mockca *ca, const struct acs_mockca_opts *o, struct acs_err *err)
{
	struct listener *ls = ca->listeners;
	struct acs_buf b;

	ls[0].ca = ca;
	ls[0].scheme = "https";
	ls[1].ca = ca;
	ls[1].scheme = "http";
	ca->mhd = start_daemon(ca, &ls[0], 1, o->port, &ca->port, err);
	if (ca->mhd == NULL)
		return err != NULL ? err->code : ACS_E_IO;
	if (acs_mca_instance_set_base_url(ca) != 0)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	if (!o->plain_http)
		return 0;
	ca->mhd_plain = start_daemon(ca, &ls[1], 0, o->plain_http_port, &ca->plain_port, err);
	if (ca->mhd_plain == NULL)
		return err != NULL ? err->code : ACS_E_IO;
	acs_buf_init(&b, 1024);
	(void)acs_buf_printf(&b, "http://%s:%d", ca->bind_addr, ca->plain_port);
	ca->plain_base_url = acs_buf_steal(&b);
	if (ca->plain_base_url == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return 0;
}

int acs_mockca_start(struct acs_mockca **out, const struct acs_mockca_opts *o, struct acs_err *err)
{
	static const struct acs_mockca_opts defaults;
	struct acs_mockca *ca = NULL;
	int rc;

	if (o == NULL)
		o = &defaults;
	rc = acs_mca_instance_new(&ca, o, err);
	if (rc != 0)
		return rc;
	ca->listeners = calloc(2, sizeof(struct listener));
	if (ca->listeners == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto fail;
	}
	rc = make_workdir(ca, o->workdir, err);
	if (rc == 0)
		rc = write_workdir(ca, err);
	if (rc == 0)
		rc = listen_all(ca, o, err);
	if (rc != 0)
		goto fail;
	*out = ca;
	return 0;
fail:
	acs_mockca_stop(ca);
	return rc != 0 ? rc : ACS_E_IO;
}

void acs_mockca_stop(struct acs_mockca *ca)
{
	size_t i;

	if (ca == NULL)
		return;
	if (ca->listeners != NULL) {
		reaper_stop(&((struct listener *)ca->listeners)[0]);
		reaper_stop(&((struct listener *)ca->listeners)[1]);
	}
	if (ca->mhd != NULL)
		MHD_stop_daemon(ca->mhd);
	if (ca->mhd_plain != NULL)
		MHD_stop_daemon(ca->mhd_plain);
	ca->mhd = ca->mhd_plain = NULL;
	if (ca->listeners != NULL) {
		reaper_free(&((struct listener *)ca->listeners)[0]);
		reaper_free(&((struct listener *)ca->listeners)[1]);
	}
	if (ca->own_workdir && ca->workdir != NULL) {
		for (i = 0; i < sizeof(workdir_files) / sizeof(workdir_files[0]); i++) {
			char *p = path_join(ca->workdir, workdir_files[i]);

			if (p != NULL)
				(void)unlink(p);
			free(p);
		}
		(void)rmdir(ca->workdir);
	}
	free(ca->listeners);
	ca->listeners = NULL;
	acs_mca_instance_free(ca);
}
