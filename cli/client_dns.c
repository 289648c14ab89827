/*
 * The dns-hook socket of acmespec client (cli/client_dns.h) and its other
 * end, `acmespec dns-hook` (cli/cli_client.h).
 */
/* accept4 */
#define _GNU_SOURCE
#include "cli/client_dns.h"
#include "harness/verdict.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli/cli_client.h"
#include "harness/clock.h"

/* every snprintf here cuts on purpose: replies are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

struct acs_dnsctl {
	struct acs_routes *rs;
	int fd;
	int stop_pipe[2]; /* written at stop: the thread wakes at once */
	pthread_t thread;
	int thread_on;
	volatile int stop;
};

/*
 * Read from fd into buf (cap bytes with the NUL) until a line end, EOF or
 * seconds pass; NUL-terminated. The bytes read.
 */
static size_t read_line(int fd, char *buf, size_t cap, double seconds)
{
	double deadline = acs_clock_mono() + seconds;
	size_t got = 0;

	while (got < cap - 1 && memchr(buf, '\n', got) == NULL) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		double left = deadline - acs_clock_mono();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			break;
		r = read(fd, buf + got, cap - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	return got;
}

/*
 * The next word of *p (split at blanks and line ends), cut in place, or NULL
 * at the end; *p moves past it.
 */
static char *next_word(char **p)
{
	static const char blanks[] = " \t\r\n";
	char *w = *p + strspn(*p, blanks);
	size_t n = strcspn(w, blanks);

	if (n == 0) {
		*p = w;
		return NULL;
	}
	*p = w[n] != '\0' ? w + n + 1 : w + n;
	w[n] = '\0';
	return w;
}

/* One command line "set NAME VALUE" / "clear NAME [VALUE]"; reply into out. */
static void dns_command(struct acs_routes *rs, char *line, char *out, size_t outlen)
{
	char *verb, *name, *value, *rest = line;
	char norm[300];
	int set;

	verb = next_word(&rest);
	name = verb ? next_word(&rest) : NULL;
	/*
	 * the value is the rest of the line: a dns-persist-01 record is an
	 * issue-value with spaces ("ca.example; accounturi=...", issue 7 item 3)
	 */
	value = NULL;
	if (name != NULL) {
		size_t vl;

		rest += strspn(rest, " \t");
		vl = strcspn(rest, "\r\n");
		rest[vl] = '\0';
		while (vl > 0 && (rest[vl - 1] == ' ' || rest[vl - 1] == '\t'))
			rest[--vl] = '\0';
		value = vl > 0 ? rest : NULL;
	}
	if (verb == NULL || name == NULL) {
		(void)snprintf(out, outlen, "error: expected set|clear NAME [VALUE]\n");
		return;
	}
	set = strcmp(verb, "set") == 0 || strcmp(verb, "present") == 0;
	if (!set && strcmp(verb, "clear") != 0 && strcmp(verb, "cleanup") != 0) {
		(void)snprintf(out, outlen,
		               "error: unknown verb \"%.40s\": expected set or clear\n", verb);
		return;
	}
	if (set && (value == NULL || strlen(value) >= sizeof(((struct acs_txt_rec *)0)->value))) {
		(void)snprintf(out, outlen, "error: set needs NAME and VALUE\n");
		return;
	}
	if (acs_routes_txt(rs, set, name, value, norm, sizeof(norm)) != 0)
		(void)snprintf(out, outlen, "error: no running scenario owns %.200s\n", norm);
	else
		(void)snprintf(out, outlen, "ok\n");
}

static void *dns_thread_main(void *arg)
{
	struct acs_dnsctl *d = arg;

	while (!d->stop) {
		struct pollfd pfd[2] = {{.fd = d->fd, .events = POLLIN},
		                        {.fd = d->stop_pipe[0], .events = POLLIN}};
		char line[1024], reply[300];
		int fd;

		if (poll(pfd, 2, -1) <= 0 || pfd[1].revents != 0 || pfd[0].revents == 0)
			continue;
		fd = accept4(d->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		/* one line, read within 2 s */
		(void)read_line(fd, line, sizeof(line), 2.0);
		dns_command(d->rs, line, reply, sizeof(reply));
		(void)send(fd, reply, strlen(reply), MSG_NOSIGNAL);
		close(fd);
	}
	return NULL;
}

int acs_dnsctl_start(struct acs_dnsctl **out, struct acs_routes *rs, const char *path,
                     struct acs_err *err)
{
	struct sockaddr_un sa;
	struct acs_dnsctl *d;
	int rc = 0;

	*out = NULL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return acs_err_set(err, ACS_E_INVAL, "work directory path too long for a socket");
	d = calloc(1, sizeof(*d));
	if (d == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	d->rs = rs;
	d->stop_pipe[0] = d->stop_pipe[1] = -1;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	d->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(d->fd, 16) != 0 || pipe2(d->stop_pipe, O_CLOEXEC) != 0) {
		rc = acs_err_set(err, ACS_E_IO, "cannot listen on %s: %s", path,
		                 acs_errno_text(errno));
		goto out;
	}
	if (pthread_create(&d->thread, NULL, dns_thread_main, d) != 0) {
		rc = acs_err_set(err, ACS_E_IO, "cannot start the dns-hook thread");
		goto out;
	}
	d->thread_on = 1;
out:
	*out = d; /* also on failure: acs_dnsctl_stop closes what was opened */
	return rc;
}

void acs_dnsctl_stop(struct acs_dnsctl *d)
{
	if (d == NULL)
		return;
	d->stop = 1;
	if (d->stop_pipe[1] >= 0)
		(void)!write(d->stop_pipe[1], "x", 1);
	if (d->thread_on)
		pthread_join(d->thread, NULL);
	if (d->fd >= 0)
		close(d->fd);
	if (d->stop_pipe[0] >= 0)
		close(d->stop_pipe[0]);
	if (d->stop_pipe[1] >= 0)
		close(d->stop_pipe[1]);
	free(d);
}

/* The usage text; to stdout for -h, else to stderr. Returns 0 or 2. */
static int dns_hook_usage(int help)
{
	fprintf(help ? stdout : stderr,
	        "usage: acmespec dns-hook set|clear NAME [VALUE]\n"
	        "puts (set, present) or removes (clear, cleanup) the TXT record NAME (the "
	        "domain or\n_acme-challenge.DOMAIN) in the DNS server of a running "
	        "acmespec client\n");
	return help ? ACS_EXIT_OK : ACS_EXIT_USAGE;
}

/* Send line to the socket and read the one-line reply. 0, or ACS_EXIT_INFRA (printed why). */
static int dns_hook_talk(const char *sock, const char *line, char *reply, size_t len, size_t *got)
{
	struct sockaddr_un sa;
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "acmespec dns-hook: cannot connect to %s: %s\n", sock,
		        acs_errno_text(errno));
		if (fd >= 0)
			close(fd);
		return ACS_EXIT_INFRA;
	}
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line)) {
		fprintf(stderr, "acmespec dns-hook: cannot write to %s\n", sock);
		close(fd);
		return ACS_EXIT_INFRA;
	}
	*got = read_line(fd, reply, len, 5.0);
	close(fd);
	return 0;
}

int acs_cmd_dns_hook(int argc, char **argv)
{
	const char *sock = getenv("ACMESPEC_DNS_SOCKET");
	char line[1200], reply[512];
	size_t got = 0;
	int help = argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0);

	if (argc < 3 || argc > 4 || help)
		return dns_hook_usage(help);
	if (sock == NULL || sock[0] == '\0' ||
	    strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		fprintf(stderr, "acmespec dns-hook: ACMESPEC_DNS_SOCKET is not set: run me from a "
		                "command that acmespec client started\n");
		return ACS_EXIT_USAGE;
	}
	if (strlen(argv[2]) > 400 || (argc == 4 && strlen(argv[3]) > 400) ||
	    strpbrk(argv[2], " \t\r\n") != NULL ||
	    (argc == 4 && strpbrk(argv[3], "\t\r\n") != NULL)) {
		fprintf(stderr, "acmespec dns-hook: NAME must be one word and VALUE one line, "
		                "at most 400 characters each\n");
		return ACS_EXIT_USAGE;
	}
	(void)snprintf(line, sizeof(line), "%s %s%s%s\n", argv[1], argv[2], argc == 4 ? " " : "",
	               argc == 4 ? argv[3] : "");
	if (dns_hook_talk(sock, line, reply, sizeof(reply), &got) != 0)
		return ACS_EXIT_INFRA;
	if (strncmp(reply, "ok", 2) == 0)
		return ACS_EXIT_OK;
	fprintf(stderr, "acmespec dns-hook: %s", got ? reply : "no answer from the harness\n");
	return ACS_EXIT_UNEXPECTED;
}
