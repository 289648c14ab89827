/*
 * dns-01 responder (RFC 8555 section 8.4): a small authoritative DNS
 * server on UDP and TCP (same port), one thread, poll() over everything.
 *
 * Answers (always authoritative, TTL 0):
 *   TXT   the values added for the name (names compare case-insensitively;
 *         several values give several records); none: NOERROR, no answer
 *   A     dns_a_answer, for every name
 *   AAAA, CAA and every other type: NOERROR with no answer (Pebble's
 *         validator dials the first address it gets, and asks AAAA first)
 *   class other than IN: REFUSED; opcode other than QUERY: NOTIMP;
 *   QDCOUNT other than 1, or a malformed question: FORMERR
 *   shorter than a header, or a response: no answer at all
 * Names without values answer NOERROR rather than NXDOMAIN because every
 * name has an A record here.
 *
 * This socket faces a hostile peer: every read is bounds-checked, labels
 * and names are length-checked, compression pointers must go strictly
 * backwards (so they cannot loop), and EDNS is not spoken (UDP answers stay
 * within 512 bytes, cut at a record boundary with TC set).
 */
#include "mockclient/resp_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/transcript.h"

#define DNS_HDR           12
#define DNS_UDP_MAX       512
#define DNS_TCP_QUERY_MAX 4096
#define DNS_TCP_RESP_MAX  16384
#define DNS_NAME_TEXT     1100 /* 255 wire octets, each up to "\DDD" */
#define DNS_COUNT_MAX     8192 /* names whose queries are counted */
#define DNS_TXT_VALUES    16
#define DNS_TXT_VALUE_MAX 512
#define DNS_NAME_MAX      253

#define T_A    1
#define T_TXT  16
#define T_AAAA 28
#define T_CAA  257

#define RC_NOERROR 0
#define RC_FORMERR 1
#define RC_NOTIMP  4
#define RC_REFUSED 5

struct resp_dns_txt {
	struct resp_dns_txt *next;
	char *name; /* lower case, no trailing dot */
	char *values[DNS_TXT_VALUES];
	size_t n;
	struct acs_transcript *t;
};

struct resp_dns_count {
	struct resp_dns_count *next;
	char *name;
	int udp, tcp;
};

struct resp_dns_tcp {
	int fd;           /* -1: free slot */
	int64_t deadline; /* the whole connection must end by then */
	char peer[64];
	unsigned char in[2 + DNS_TCP_QUERY_MAX];
	size_t inlen;
	unsigned char out[2 + DNS_TCP_RESP_MAX];
	size_t outlen, outoff;
};

/* Name key of the tables: lower case, one trailing dot dropped. */
static int norm_name(const char *in, char *out, size_t n)
{
	size_t len = strlen(in);

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0 || len > DNS_NAME_MAX || len >= n)
		return ACS_E_INVAL;
	memcpy(out, in, len);
	out[len] = '\0';
	if (strstr(out, "..") != NULL || out[0] == '.')
		return ACS_E_INVAL;
	resp_lower(out);
	return 0;
}

/* Caller holds dns_mu. */
static struct resp_dns_txt *find_txt(struct acs_responders *r, const char *name)
{
	struct resp_dns_txt *e;

	for (e = r->txt; e != NULL; e = e->next) {
		if (strcmp(e->name, name) == 0)
			return e;
	}
	return NULL;
}

/* Caller holds dns_mu. */
static struct resp_dns_count *find_count(struct acs_responders *r, const char *name, int create)
{
	struct resp_dns_count *c;

	for (c = r->counts; c != NULL; c = c->next) {
		if (strcmp(c->name, name) == 0)
			return c;
	}
	if (!create || r->ncounts >= DNS_COUNT_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->name = strdup(name);
	if (c->name == NULL) {
		free(c);
		return NULL;
	}
	c->next = r->counts;
	r->counts = c;
	r->ncounts++;
	return c;
}

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

static void put16(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

/*
 * Read the name at off. raw gets it uncompressed in wire form (case kept,
 * at most 255 octets), text the lower-cased dotted form with unusual octets
 * escaped as \DDD (so no wire name can alias another's text). *next is the
 * offset just past the name where it sits in the packet. -1 when malformed.
 */
static int parse_name(const unsigned char *p, size_t n, size_t off, unsigned char *raw,
                      size_t *rawlen, char *text, size_t textcap, size_t *next)
{
	size_t pos = off, limit = off, rl = 0, tl = 0, k;
	int jumped = 0, hops = 0;

	for (;;) {
		unsigned b;

		if (pos >= n)
			return -1;
		b = p[pos];
		if ((b & 0xC0) == 0xC0) {
			size_t ptr;

			if (pos + 1 >= n)
				return -1;
			ptr = ((size_t)(b & 0x3F) << 8) | p[pos + 1];
			if (!jumped)
				*next = pos + 2;
			jumped = 1;
			/* strictly before the previous target: no loops possible */
			if (ptr < DNS_HDR || ptr >= limit || ++hops > 64)
				return -1;
			limit = ptr;
			pos = ptr;
			continue;
		}
		if ((b & 0xC0) != 0)
			return -1; /* extended label types */
		if (b == 0) {
			raw[rl++] = 0;
			if (!jumped)
				*next = pos + 1;
			break;
		}
		if (b > n - pos - 1)
			return -1; /* label runs past the end */
		if (rl + 1 + b + 1 > 255)
			return -1; /* name longer than 255 octets */
		raw[rl++] = (unsigned char)b;
		memcpy(raw + rl, p + pos + 1, b);
		rl += b;
		if (tl > 0) {
			if (tl + 1 >= textcap)
				return -1;
			text[tl++] = '.';
		}
		for (k = 0; k < b; k++) {
			unsigned char c = p[pos + 1 + k];
			if (tl + 5 >= textcap)
				return -1;
			if (c >= 'A' && c <= 'Z') {
				text[tl++] = (char)(c - 'A' + 'a');
			} else if (c > 0x20 && c < 0x7f && c != '.' && c != '\\') {
				text[tl++] = (char)c;
			} else {
				snprintf(text + tl, textcap - tl, "\\%03u", (unsigned)c);
				tl += 4;
			}
		}
		pos += 1 + b;
	}
	if (tl == 0)
		text[tl++] = '.';
	text[tl] = '\0';
	*rawlen = rl;
	return 0;
}

static const char *type_name(unsigned t, char *buf, size_t n)
{
	switch (t) {
	case T_A:
		return "A";
	case T_TXT:
		return "TXT";
	case T_AAAA:
		return "AAAA";
	case T_CAA:
		return "CAA";
	default:
		snprintf(buf, n, "TYPE%u", t);
		return buf;
	}
}

/* Append one answer record (name = pointer to the question). -1: no room. */
static int put_rr(unsigned char *resp, size_t cap, size_t *len, unsigned type,
                  const unsigned char *rdata, size_t rdlen)
{
	size_t at = *len;

	if (rdlen > 65535 || cap < at || cap - at < 12 + rdlen)
		return -1;
	put16(resp + at, 0xC000 | DNS_HDR);
	put16(resp + at + 2, type);
	put16(resp + at + 4, 1);     /* IN */
	memset(resp + at + 6, 0, 4); /* TTL 0 */
	put16(resp + at + 10, (unsigned)rdlen);
	memcpy(resp + at + 12, rdata, rdlen);
	*len = at + 12 + rdlen;
	return 0;
}

/* TXT RDATA: the value as character-strings of at most 255 octets. */
static size_t txt_rdata(const char *v, unsigned char *out, size_t cap)
{
	size_t len = strlen(v), o = 0, chunk;

	if (len == 0) {
		out[0] = 0;
		return 1;
	}
	while (len > 0) {
		chunk = len > 255 ? 255 : len;
		if (o + 1 + chunk > cap)
			return 0;
		out[o++] = (unsigned char)chunk;
		memcpy(out + o, v, chunk);
		o += chunk;
		v += chunk;
		len -= chunk;
	}
	return o;
}

size_t resp_dns_answer(struct acs_responders *r, const unsigned char *q, size_t qlen,
                       unsigned char *resp, size_t cap, int tcp, const char *peer)
{
	unsigned char raw[256], rdata[DNS_TXT_VALUE_MAX + 8];
	char text[DNS_NAME_TEXT], tbuf[16];
	struct resp_dns_txt *txt;
	struct resp_dns_count *cnt;
	unsigned flags, opcode, qtype, qclass, rcode = RC_NOERROR, ancount = 0;
	size_t rawlen = 0, next = 0, len, i, rdlen;
	int truncated = 0;

	if (qlen < DNS_HDR || cap < DNS_HDR)
		return 0;
	flags = get16(q + 2);
	if (flags & 0x8000)
		return 0; /* a response: never answer, no reflection loops */
	opcode = (flags >> 11) & 0xF;
	memset(resp, 0, DNS_HDR);
	resp[0] = q[0];
	resp[1] = q[1];
	/* QR, opcode, AA, RD copied, RA; RCODE filled at the end */
	put16(resp + 2, 0x8000 | (opcode << 11) | 0x0400 | (flags & 0x0100) | 0x0080);
	len = DNS_HDR;
	if (opcode != 0) {
		rcode = RC_NOTIMP;
		goto done;
	}
	if (get16(q + 4) != 1 ||
	    parse_name(q, qlen, DNS_HDR, raw, &rawlen, text, sizeof(text), &next) < 0 ||
	    next > qlen || qlen - next < 4) {
		rcode = RC_FORMERR;
		goto done;
	}
	qtype = get16(q + next);
	qclass = get16(q + next + 2);
	if (cap - len < rawlen + 4) {
		rcode = RC_FORMERR;
		goto done;
	}
	memcpy(resp + len, raw, rawlen);
	len += rawlen;
	put16(resp + len, qtype);
	put16(resp + len + 2, qclass);
	len += 4;
	put16(resp + 4, 1);

	pthread_mutex_lock(&r->dns_mu);
	cnt = find_count(r, text, 1);
	if (cnt != NULL) {
		if (tcp)
			cnt->tcp++;
		else
			cnt->udp++;
	}
	txt = find_txt(r, text);
	if (qclass != 1) {
		rcode = RC_REFUSED;
	} else if (qtype == T_TXT && txt != NULL) {
		for (i = 0; i < txt->n && !truncated; i++) {
			rdlen = txt_rdata(txt->values[i], rdata, sizeof(rdata));
			if (rdlen == 0 || put_rr(resp, cap, &len, T_TXT, rdata, rdlen) < 0)
				truncated = 1;
			else
				ancount++;
		}
	} else if (qtype == T_A) {
		if (put_rr(resp, cap, &len, T_A, r->a_answer, 4) < 0)
			truncated = 1;
		else
			ancount++;
	}
	if (txt != NULL && txt->t != NULL)
		acs_transcript_note(txt->t,
		                    "dns-01 responder: %s %s query for %s from %s: rcode %u, %u "
		                    "answer%s%s",
		                    tcp ? "tcp" : "udp", type_name(qtype, tbuf, sizeof(tbuf)), text,
		                    peer != NULL ? peer : "?", rcode, ancount,
		                    ancount == 1 ? "" : "s", truncated ? " (truncated)" : "");
	pthread_mutex_unlock(&r->dns_mu);
done:
	if (truncated)
		resp[2] |= 0x02; /* TC */
	resp[3] = (unsigned char)((resp[3] & 0xF0) | rcode);
	put16(resp + 6, ancount);
	return len;
}

/* ---- the server loop ---- */

static void tcp_close(struct resp_dns_tcp *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->inlen = c->outlen = c->outoff = 0;
}

/* Answer the complete queries buffered on c, one at a time. -1: close it. */
static int tcp_process(struct acs_responders *r, struct resp_dns_tcp *c)
{
	size_t mlen, rlen;

	while (c->outlen == 0 && c->inlen >= 2) {
		mlen = get16(c->in);
		if (mlen < DNS_HDR || mlen > DNS_TCP_QUERY_MAX)
			return -1;
		if (c->inlen < 2 + mlen)
			break;
		rlen =
		    resp_dns_answer(r, c->in + 2, mlen, c->out + 2, DNS_TCP_RESP_MAX, 1, c->peer);
		memmove(c->in, c->in + 2 + mlen, c->inlen - 2 - mlen);
		c->inlen -= 2 + mlen;
		if (rlen == 0)
			return -1;
		put16(c->out, (unsigned)rlen);
		c->outlen = 2 + rlen;
		c->outoff = 0;
	}
	return 0;
}

static void tcp_event(struct acs_responders *r, struct resp_dns_tcp *c, short revents)
{
	ssize_t n;

	if ((revents & POLLOUT) && c->outlen > c->outoff) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		         MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			tcp_close(c);
			return;
		}
		if (n > 0)
			c->outoff += (size_t)n;
		if (c->outoff == c->outlen) {
			c->outlen = c->outoff = 0;
			if (tcp_process(r, c) < 0)
				tcp_close(c);
		}
		return;
	}
	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		if (c->inlen >= sizeof(c->in)) {
			tcp_close(c);
			return;
		}
		n = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, MSG_DONTWAIT);
		if (n == 0 ||
		    (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
			tcp_close(c);
			return;
		}
		if (n > 0)
			c->inlen += (size_t)n;
		if (tcp_process(r, c) < 0)
			tcp_close(c);
	}
}

static void udp_event(struct acs_responders *r)
{
	unsigned char q[DNS_TCP_QUERY_MAX], resp[DNS_UDP_MAX];
	struct sockaddr_storage ss;
	socklen_t sl;
	char peer[64];
	ssize_t n;
	size_t rlen;
	int i;

	/* a bounded batch, so TCP connections get their turn under a flood */
	for (i = 0; i < 64; i++) {
		sl = sizeof(ss);
		n = recvfrom(r->udp_fd, q, sizeof(q), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
		if (n < 0)
			break;
		resp_peer_str((struct sockaddr *)&ss, peer, sizeof(peer));
		rlen = resp_dns_answer(r, q, (size_t)n, resp, sizeof(resp), 0, peer);
		if (rlen > 0)
			sendto(r->udp_fd, resp, rlen, MSG_DONTWAIT | MSG_NOSIGNAL,
			       (struct sockaddr *)&ss, sl);
	}
}

static void accept_event(struct acs_responders *r)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, i;

	for (;;) {
		sl = sizeof(ss);
		fd = accept(r->tcp_fd, (struct sockaddr *)&ss, &sl);
		if (fd < 0)
			return;
		if (resp_nonblock(fd) < 0) {
			close(fd);
			continue;
		}
		for (i = 0; i < RESP_DNS_TCP_MAX && r->dns_conns[i].fd >= 0; i++)
			;
		if (i == RESP_DNS_TCP_MAX) {
			close(fd); /* all slots busy: refuse rather than grow */
			continue;
		}
		r->dns_conns[i].fd = fd;
		r->dns_conns[i].deadline = acs_clock_mono_ms() + RESP_IO_TIMEOUT_MS;
		r->dns_conns[i].inlen = r->dns_conns[i].outlen = r->dns_conns[i].outoff = 0;
		resp_peer_str((struct sockaddr *)&ss, r->dns_conns[i].peer,
		              sizeof(r->dns_conns[i].peer));
	}
}

static void *dns_main(void *arg)
{
	struct acs_responders *r = arg;
	struct pollfd pf[3 + RESP_DNS_TCP_MAX];
	int slot[3 + RESP_DNS_TCP_MAX];
	int64_t now;
	int n, i, timeout, rc;

	resp_block_sigpipe();
	for (;;) {
		n = 0;
		pf[n].fd = r->stop_pipe[0];
		pf[n].events = POLLIN;
		slot[n++] = -1;
		pf[n].fd = r->udp_fd;
		pf[n].events = POLLIN;
		slot[n++] = -1;
		pf[n].fd = r->tcp_fd;
		pf[n].events = POLLIN;
		slot[n++] = -1;
		now = acs_clock_mono_ms();
		timeout = -1;
		for (i = 0; i < RESP_DNS_TCP_MAX; i++) {
			struct resp_dns_tcp *c = &r->dns_conns[i];
			int64_t left;

			if (c->fd < 0)
				continue;
			left = c->deadline - now;
			if (left <= 0) {
				tcp_close(c);
				continue;
			}
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
			pf[n].fd = c->fd;
			pf[n].events = c->outlen > c->outoff ? POLLOUT : POLLIN;
			slot[n++] = i;
		}
		for (i = 0; i < n; i++)
			pf[i].revents = 0;
		rc = poll(pf, (nfds_t)n, timeout);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		if (pf[0].revents != 0)
			break;
		if (pf[1].revents != 0)
			udp_event(r);
		if (pf[2].revents != 0)
			accept_event(r);
		for (i = 3; i < n; i++) {
			if (pf[i].revents != 0)
				tcp_event(r, &r->dns_conns[slot[i]], pf[i].revents);
		}
	}
	for (i = 0; i < RESP_DNS_TCP_MAX; i++)
		tcp_close(&r->dns_conns[i]);
	return NULL;
}

int resp_dns_start(struct acs_responders *r, int port, struct acs_err *err)
{
	int attempt, rc = 0, i;

	r->dns_conns = calloc(RESP_DNS_TCP_MAX, sizeof(*r->dns_conns));
	if (r->dns_conns == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "dns-01 responder: out of memory");
	for (i = 0; i < RESP_DNS_TCP_MAX; i++)
		r->dns_conns[i].fd = -1;
	/* UDP first; with an ephemeral port, retry when TCP finds it taken */
	for (attempt = 0; attempt < (port == 0 ? 16 : 1); attempt++) {
		rc = resp_listen(r->bind_addr, port, SOCK_DGRAM, &r->udp_fd, &r->dns_port, err);
		if (rc < 0)
			break;
		rc = resp_listen(r->bind_addr, r->dns_port, SOCK_STREAM, &r->tcp_fd, &r->dns_port,
		                 err);
		if (rc == 0)
			break;
		close(r->udp_fd);
		r->udp_fd = -1;
	}
	if (rc < 0) {
		r->dns_port = -1;
		return rc;
	}
	if (pthread_create(&r->dns_thread, NULL, dns_main, r) != 0)
		return acs_err_set(err, ACS_E_IO, "dns-01 responder: cannot start a thread");
	r->dns_started = 1;
	return 0;
}

void resp_dns_stop(struct acs_responders *r)
{
	if (r->dns_started)
		pthread_join(r->dns_thread, NULL);
	r->dns_started = 0;
	if (r->udp_fd >= 0)
		close(r->udp_fd);
	if (r->tcp_fd >= 0)
		close(r->tcp_fd);
	r->udp_fd = r->tcp_fd = -1;
	free(r->dns_conns);
	r->dns_conns = NULL;
}

void resp_dns_free_table(struct acs_responders *r)
{
	struct resp_dns_txt *t, *tn;
	struct resp_dns_count *c, *cn;
	size_t i;

	for (t = r->txt; t != NULL; t = tn) {
		tn = t->next;
		for (i = 0; i < t->n; i++)
			free(t->values[i]);
		free(t->name);
		free(t);
	}
	r->txt = NULL;
	for (c = r->counts; c != NULL; c = cn) {
		cn = c->next;
		free(c->name);
		free(c);
	}
	r->counts = NULL;
	r->ncounts = 0;
}

int acs_dns_txt_add(struct acs_responders *r, const char *name, const char *value,
                    struct acs_transcript *t)
{
	struct resp_dns_txt *e, *fresh = NULL;
	char key[DNS_NAME_MAX + 2];
	char *v = NULL;
	int rc;

	if (r == NULL || name == NULL || value == NULL)
		return ACS_E_INVAL;
	if (strlen(name) > DNS_NAME_MAX + 1 || norm_name(name, key, sizeof(key)) < 0)
		return ACS_E_INVAL;
	if (strlen(value) > DNS_TXT_VALUE_MAX)
		return ACS_E_TOOBIG;
	v = strdup(value);
	fresh = calloc(1, sizeof(*fresh));
	if (v == NULL || fresh == NULL) {
		rc = ACS_E_NOMEM;
		goto out;
	}
	pthread_mutex_lock(&r->dns_mu);
	e = find_txt(r, key);
	if (e == NULL) {
		fresh->name = strdup(key);
		if (fresh->name == NULL) {
			pthread_mutex_unlock(&r->dns_mu);
			rc = ACS_E_NOMEM;
			goto out;
		}
		e = fresh;
		fresh = NULL;
		e->next = r->txt;
		r->txt = e;
	}
	if (e->n >= DNS_TXT_VALUES) {
		pthread_mutex_unlock(&r->dns_mu);
		rc = ACS_E_TOOBIG;
		goto out;
	}
	e->values[e->n++] = v;
	v = NULL;
	if (t != NULL)
		e->t = t;
	pthread_mutex_unlock(&r->dns_mu);
	rc = 0;
out:
	free(v);
	free(fresh);
	return rc;
}

void acs_dns_txt_clear(struct acs_responders *r, const char *name)
{
	struct resp_dns_txt *e, **pp;
	char key[DNS_NAME_MAX + 2];
	size_t i;

	if (r == NULL || name == NULL || strlen(name) > DNS_NAME_MAX + 1 ||
	    norm_name(name, key, sizeof(key)) < 0)
		return;
	pthread_mutex_lock(&r->dns_mu);
	for (pp = &r->txt; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, key) == 0)
			break;
	}
	e = *pp;
	if (e != NULL)
		*pp = e->next;
	pthread_mutex_unlock(&r->dns_mu);
	if (e == NULL)
		return;
	for (i = 0; i < e->n; i++)
		free(e->values[i]);
	free(e->name);
	free(e);
}

void acs_dns_queries(struct acs_responders *r, const char *name, int *udp, int *tcp)
{
	struct resp_dns_count *c;
	char key[DNS_NAME_MAX + 2];

	if (udp != NULL)
		*udp = 0;
	if (tcp != NULL)
		*tcp = 0;
	if (r == NULL || name == NULL || strlen(name) > DNS_NAME_MAX + 1 ||
	    norm_name(name, key, sizeof(key)) < 0)
		return;
	pthread_mutex_lock(&r->dns_mu);
	c = find_count(r, key, 0);
	if (c != NULL) {
		if (udp != NULL)
			*udp = c->udp;
		if (tcp != NULL)
			*tcp = c->tcp;
	}
	pthread_mutex_unlock(&r->dns_mu);
}
