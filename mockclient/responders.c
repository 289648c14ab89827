/*
 * Challenge responders: start, stop, ports, and the socket helpers the
 * three responders share (resp_internal.h).
 */
#include "mockclient/resp_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *resp_strerror(int e, char *buf, size_t n)
{
	if (n == 0)
		return buf;
	if (strerror_r(e, buf, n) != 0)
		snprintf(buf, n, "error %d", e);
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

void resp_lower(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

int resp_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

void resp_block_sigpipe(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int resp_wait(struct acs_responders *r, int fd, short events, int timeout_ms)
{
	struct pollfd p[2];
	int n;

	p[0].fd = r->stop_pipe[0];
	p[0].events = POLLIN;
	p[0].revents = 0;
	p[1].fd = fd;
	p[1].events = events;
	p[1].revents = 0;
	for (;;) {
		n = poll(p, 2, timeout_ms);
		if (n >= 0 || errno != EINTR)
			break;
	}
	if (n < 0 || p[0].revents != 0)
		return -1;
	if (n == 0)
		return 0;
	return 1;
}

void resp_peer_str(const struct sockaddr *sa, char *out, size_t n)
{
	char host[INET6_ADDRSTRLEN];

	if (sa == NULL) {
		snprintf(out, n, "?");
		return;
	}
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)sa;
		inet_ntop(AF_INET, &s4->sin_addr, host, sizeof(host));
		snprintf(out, n, "%s:%u", host, (unsigned)ntohs(s4->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)sa;
		inet_ntop(AF_INET6, &s6->sin6_addr, host, sizeof(host));
		snprintf(out, n, "[%s]:%u", host, (unsigned)ntohs(s6->sin6_port));
	} else {
		snprintf(out, n, "?");
	}
}

int resp_listen(const char *addr, int port, int socktype, int *fd_out, int *port_out,
                struct acs_err *err)
{
	struct addrinfo hints, *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char portstr[16], ebuf[128];
	const char *proto = socktype == SOCK_DGRAM ? "udp " : "";
	int fd = -1, one = 1, rc, e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = socktype;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(addr, portstr, &hints, &ai);
	if (rc != 0 || ai == NULL) {
		rc = acs_err_set(err, ACS_E_INVAL, "cannot bind %s%s:%d: not a numeric address",
		                 proto, addr, port);
		goto out;
	}
	fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
	if (fd < 0) {
		e = errno;
		rc = acs_err_set(err, ACS_E_IO, "cannot bind %s%s:%d: %s", proto, addr, port,
		                 resp_strerror(e, ebuf, sizeof(ebuf)));
		goto out;
	}
	/* TCP only: on UDP, SO_REUSEADDR would let another socket share the port */
	if (socktype == SOCK_STREAM)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 ||
	    (socktype == SOCK_STREAM && listen(fd, 128) < 0) ||
	    getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 || resp_nonblock(fd) < 0) {
		e = errno;
		rc = acs_err_set(err, ACS_E_IO, "cannot bind %s%s:%d: %s", proto, addr, port,
		                 resp_strerror(e, ebuf, sizeof(ebuf)));
		goto out;
	}
	if (ss.ss_family == AF_INET)
		*port_out = ntohs(((struct sockaddr_in *)(void *)&ss)->sin_port);
	else
		*port_out = ntohs(((struct sockaddr_in6 *)(void *)&ss)->sin6_port);
	*fd_out = fd;
	fd = -1;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (ai != NULL)
		freeaddrinfo(ai);
	return rc;
}

int acs_responders_start(struct acs_responders **out, const struct acs_responders_opts *o,
                         struct acs_err *err)
{
	struct acs_responders *r = NULL;
	const char *bind_addr = "127.0.0.1", *a = "127.0.0.1";
	int http_port = 0, alpn_port = 0, dns_port = 0;
	int rc;

	if (o != NULL) {
		if (o->bind_addr != NULL && o->bind_addr[0] != '\0')
			bind_addr = o->bind_addr;
		if (o->dns_a_answer != NULL && o->dns_a_answer[0] != '\0')
			a = o->dns_a_answer;
		http_port = o->http01_port;
		alpn_port = o->tlsalpn01_port;
		dns_port = o->dns_port;
	}
	if (strlen(bind_addr) >= sizeof(r->bind_addr))
		return acs_err_set(err, ACS_E_INVAL, "responders: bind address too long");
	if (http_port > 65535 || alpn_port > 65535 || dns_port > 65535 || http_port < -1 ||
	    alpn_port < -1 || dns_port < -1)
		return acs_err_set(err, ACS_E_INVAL, "responders: port out of range");

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "responders: out of memory");
	if (inet_pton(AF_INET, a, r->a_answer) != 1) {
		free(r);
		return acs_err_set(err, ACS_E_INVAL,
		                   "responders: dns A answer \"%s\" is not an IPv4 address", a);
	}
	snprintf(r->bind_addr, sizeof(r->bind_addr), "%s", bind_addr);
	r->http_port = r->alpn_port = r->dns_port = -1;
	r->alpn_fd = r->udp_fd = r->tcp_fd = -1;
	pthread_mutex_init(&r->http_mu, NULL);
	pthread_mutex_init(&r->alpn_mu, NULL);
	pthread_mutex_init(&r->alpn_qmu, NULL);
	pthread_cond_init(&r->alpn_qcv, NULL);
	pthread_mutex_init(&r->dns_mu, NULL);
	if (pipe(r->stop_pipe) < 0) {
		r->stop_pipe[0] = r->stop_pipe[1] = -1;
		rc = acs_err_set(err, ACS_E_IO, "responders: cannot create a pipe");
		goto out;
	}
	resp_nonblock(r->stop_pipe[0]);
	resp_nonblock(r->stop_pipe[1]);

	if (http_port >= 0) {
		rc = resp_http01_start(r, http_port, err);
		if (rc < 0)
			goto out;
	}
	if (alpn_port >= 0) {
		rc = resp_alpn_start(r, alpn_port, err);
		if (rc < 0)
			goto out;
	}
	if (dns_port >= 0) {
		rc = resp_dns_start(r, dns_port, err);
		if (rc < 0)
			goto out;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	acs_responders_stop(r);
	return rc;
}

void acs_responders_stop(struct acs_responders *r)
{
	if (r == NULL)
		return;
	if (r->stop_pipe[1] >= 0) {
		/* never read: the pipe stays readable, waking every poll for good */
		ssize_t n = write(r->stop_pipe[1], "x", 1);
		(void)n;
	}
	resp_http01_stop(r);
	resp_alpn_stop(r);
	resp_dns_stop(r);
	resp_http01_free_table(r);
	resp_alpn_free_table(r);
	resp_dns_free_table(r);
	if (r->stop_pipe[0] >= 0)
		close(r->stop_pipe[0]);
	if (r->stop_pipe[1] >= 0)
		close(r->stop_pipe[1]);
	pthread_mutex_destroy(&r->http_mu);
	pthread_mutex_destroy(&r->alpn_mu);
	pthread_mutex_destroy(&r->alpn_qmu);
	pthread_cond_destroy(&r->alpn_qcv);
	pthread_mutex_destroy(&r->dns_mu);
	free(r);
}

void acs_responders_ports(const struct acs_responders *r, int *http01, int *tlsalpn01, int *dns)
{
	if (http01 != NULL)
		*http01 = r != NULL ? r->http_port : -1;
	if (tlsalpn01 != NULL)
		*tlsalpn01 = r != NULL ? r->alpn_port : -1;
	if (dns != NULL)
		*dns = r != NULL ? r->dns_port : -1;
}
