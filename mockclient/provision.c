/*
 * Challenge answers (see provision.h).
 */
#include "mockclient/provision.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/clock.h"
#include "harness/jwk.h"
#include "harness/transcript.h"

/* Keep the last bytes of the hook's output in tail (NUL-terminated). */
static void keep_tail(char *tail, size_t cap, size_t *len, const char *in, size_t n)
{
	if (n >= cap - 1) {
		in += n - (cap - 1);
		n = cap - 1;
	}
	if (*len + n > cap - 1) {
		size_t drop = *len + n - (cap - 1);

		memmove(tail, tail + drop, *len - drop);
		*len -= drop;
	}
	memcpy(tail + *len, in, n);
	*len += n;
	tail[*len] = '\0';
}

/*
 * Wait for the hook (its own process group) while reading its output
 * until it exits or seconds pass; then the group is killed. *st: the wait
 * status; 1 when it timed out.
 */
static int hook_wait(pid_t pid, int fd, double seconds, char *tail, size_t cap, int *st)
{
	double deadline = acs_clock_mono() + seconds;
	size_t len = 0;
	int open_fd = 1, timed_out = 0;

	tail[0] = '\0';
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		double left = deadline - acs_clock_mono();
		char buf[512];
		pid_t w;

		w = waitpid(pid, st, WNOHANG);
		if (w == pid)
			break;
		if (left <= 0) {
			timed_out = 1;
			(void)kill(-pid, SIGKILL);
			while (waitpid(pid, st, 0) < 0 && errno == EINTR)
				;
			break;
		}
		if (!open_fd) {
			(void)poll(NULL, 0, 20);
			continue;
		}
		if (poll(&p, 1, left > 0.1 ? 100 : (int)(left * 1000) + 1) > 0) {
			ssize_t r = read(fd, buf, sizeof(buf));

			if (r > 0)
				keep_tail(tail, cap, &len, buf, (size_t)r);
			else if (r == 0 || errno != EINTR)
				open_fd = 0;
		}
	}
	/* what is left in the pipe; daemons of the hook's group go with it */
	for (;;) {
		char buf[512];
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		if (poll(&p, 1, 0) <= 0)
			break;
		r = read(fd, buf, sizeof(buf));
		if (r <= 0)
			break;
		keep_tail(tail, cap, &len, buf, (size_t)r);
	}
	return timed_out;
}

int acs_acme_dns_hook(const char *hook, const char *op, const char *name, const char *value,
                      double seconds, struct acs_err *err)
{
	struct acs_buf cmd;
	char tail[601];
	size_t n;
	pid_t pid;
	int fds[2], st = 0, timed_out;

	acs_buf_init(&cmd, 8192);
	if (acs_buf_printf(&cmd, "%s \"$@\"", hook) != 0) {
		acs_buf_free(&cmd);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	if (pipe(fds) != 0) {
		acs_buf_free(&cmd);
		return acs_err_set(err, ACS_E_IO, "cannot run the dns hook: %s", strerror(errno));
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		acs_buf_free(&cmd);
		close(fds[0]);
		close(fds[1]);
		return acs_err_set(err, ACS_E_IO, "cannot fork the dns hook: %s", strerror(errno));
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);

		(void)setpgid(0, 0);
		if (devnull >= 0)
			(void)dup2(devnull, STDIN_FILENO);
		/* stdout belongs to the certificate (mock-client) or the report */
		(void)dup2(fds[1], STDOUT_FILENO);
		(void)dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		execl("/bin/sh", "sh", "-c", cmd.data, "sh", op, name, value, (char *)NULL);
		_exit(127);
	}
	(void)setpgid(pid, pid);
	close(fds[1]);
	acs_buf_free(&cmd);
	timed_out = hook_wait(pid, fds[0], seconds > 0 ? seconds : 30, tail, sizeof(tail), &st);
	close(fds[0]);
	for (n = strlen(tail); n > 0 && isspace((unsigned char)tail[n - 1]); n--)
		tail[n - 1] = '\0';
	if (timed_out)
		return acs_err_set(err, ACS_E_TIMEOUT,
		                   "dns hook \"%s %s %s\" did not finish within %g s; its output: "
		                   "%.600s",
		                   op, name, value, seconds > 0 ? seconds : 30,
		                   tail[0] != '\0' ? tail : "(none)");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return acs_err_set(err, ACS_E_IO,
		                   "dns hook \"%s %s %s\" failed (%s %d); its output: %.600s", op,
		                   name, value, WIFEXITED(st) ? "exit status" : "signal",
		                   WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st),
		                   tail[0] != '\0' ? tail : "(none)");
	return 0;
}

/* http-01 under the webroot: the key authorization as a file, as webroot clients do. */
static int write_file(struct acs_acme_session *s, const char *token, const char *ka,
                      const char *trailer, struct acs_err *err)
{
	struct acs_acme_client *c = &s->client;
	struct acs_buf b;
	char *path, *slash;
	FILE *f;

	if (c->nfiles >= ACS_ACME_MAX_PROV)
		return acs_err_set(err, ACS_E_TOOBIG, "too many http-01 files");
	acs_buf_init(&b, 8192);
	acs_buf_printf(&b, "%s/.well-known/acme-challenge", c->webroot);
	/* mkdir -p of the two levels under the webroot */
	slash = b.data != NULL ? strrchr(b.data, '/') : NULL;
	if (slash != NULL) {
		*slash = '\0';
		(void)mkdir(b.data, 0755);
		*slash = '/';
		(void)mkdir(b.data, 0755);
	}
	acs_buf_printf(&b, "/%s", token);
	path = acs_buf_steal(&b);
	if (path == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	f = fopen(path, "w");
	if (f == NULL || fprintf(f, "%s%s", ka, trailer) < 0 || fclose(f) != 0) {
		acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno));
		free(path);
		return ACS_E_IO;
	}
	c->files[c->nfiles++] = path;
	return 0;
}

/* A webroot file as the http-01 mode asks, or ACS_E_UNSUPPORTED for what a file cannot do. */
static int webroot_http01(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                          struct acs_err *err)
{
	char *wrong;
	int rc;

	switch (r->http01) {
	case ACS_HTTP01_OK:
		return write_file(s, r->token, r->keyauth, "", err);
	case ACS_HTTP01_TRAILING_NL:
		return write_file(s, r->token, r->keyauth, "\n", err);
	case ACS_HTTP01_TRAILING_SP:
		return write_file(s, r->token, r->keyauth, "  ", err);
	case ACS_HTTP01_NOT_FOUND:
		return 0; /* no file: the user's web server answers 404 */
	case ACS_HTTP01_WRONG:
		/* the same shape, the last character of the thumbprint part changed */
		wrong = strdup(r->keyauth);
		if (wrong == NULL)
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		if (wrong[0] != '\0')
			wrong[strlen(wrong) - 1] = wrong[strlen(wrong) - 1] == 'A' ? 'B' : 'A';
		rc = write_file(s, r->token, wrong, "", err);
		free(wrong);
		return rc;
	case ACS_HTTP01_REDIRECT:
	case ACS_HTTP01_FAIL_FIRST:
		break;
	}
	return acs_err_set(err, ACS_E_UNSUPPORTED,
	                   "http-01 served from a webroot cannot redirect or fail the first "
	                   "request; the built-in responder can");
}

static int provision_http01(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                            struct acs_err *err)
{
	if (s->client.webroot != NULL)
		return webroot_http01(s, r, err);
	if (s->responders == NULL)
		return acs_err_set(err, ACS_E_STATE, "no challenge responders running");
	if (acs_http01_set(s->responders, r->token, r->keyauth, r->http01, s->transcript) != 0)
		return acs_err_set(err, ACS_E_IO, "cannot provision http-01");
	acs_acme_remember(s, 0, r->token, NULL);
	return 0;
}

/* dns-01 in the responder's zone: the answer, after the decoys when asked. */
static int provision_zone(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                          const char *name, const char *digest, struct acs_err *err)
{
	int i;

	if (s->responders == NULL)
		return acs_err_set(err, ACS_E_STATE, "no challenge responders running");
	acs_dns_txt_clear(s->responders, name);
	acs_acme_remember(s, 1, name, NULL);
	for (i = 0; r->dns_decoys && i < 2; i++) {
		unsigned char rnd[32];
		char *v;

		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return acs_err_openssl(err, "cannot make a decoy");
		v = acs_b64url_encode(rnd, sizeof(rnd));
		if (v == NULL)
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		acs_dns_txt_add(s->responders, name, v, s->transcript);
		free(v);
	}
	if (acs_dns_txt_add(s->responders, name, digest, s->transcript) != 0)
		return acs_err_set(err, ACS_E_IO, "cannot provision dns-01");
	return 0;
}

/* One `HOOK set NAME VALUE`, remembered for the clear. Takes name and value. */
static int hook_set(struct acs_acme_session *s, char *name, char *value, struct acs_err *err)
{
	struct acs_acme_client *c = &s->client;
	int rc;

	if (c->ndns >= ACS_ACME_MAX_PROV) {
		rc = acs_err_set(err, ACS_E_TOOBIG, "too many dns-01 records");
	} else {
		rc = acs_acme_dns_hook(c->dns_hook, "set", name, value, c->hook_seconds, err);
		acs_transcript_note(s->transcript, "dns hook: set %s %s: %s", name, value,
		                    rc == 0       ? "done"
		                    : err != NULL ? err->msg
		                                  : "failed");
	}
	if (rc != 0) {
		free(name);
		free(value);
		return rc;
	}
	c->dns_names[c->ndns] = name;
	c->dns_values[c->ndns] = value;
	c->ndns++;
	return 0;
}

/* dns-01 through the hook: the decoys first when asked (each its own set), then the answer. */
static int provision_hook(struct acs_acme_session *s, const struct acs_acme_prov_req *r, char *name,
                          char *digest, struct acs_err *err)
{
	int i, rc;

	for (i = 0; r->dns_decoys && i < 2; i++) {
		unsigned char rnd[32];
		char *v, *n;

		if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
			rc = acs_err_openssl(err, "cannot make a decoy");
			goto fail;
		}
		v = acs_b64url_encode(rnd, sizeof(rnd));
		n = strdup(name);
		if (v == NULL || n == NULL) {
			free(v);
			free(n);
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto fail;
		}
		rc = hook_set(s, n, v, err);
		if (rc != 0)
			goto fail;
	}
	return hook_set(s, name, digest, err);
fail:
	free(name);
	free(digest);
	return rc;
}

static int provision_dns01(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                           struct acs_err *err)
{
	struct acs_acme_client *c = &s->client;
	struct acs_buf b;
	char *digest = acs_keyauth_digest_b64(r->keyauth), *name;
	int rc;

	acs_buf_init(&b, 1024);
	/* 8.4 and 7.1.3: a wildcard's record is under the base name, without "*." */
	acs_buf_printf(&b, "_acme-challenge.%s%s", r->dns_star ? "*." : "", r->id->value);
	name = acs_buf_steal(&b);
	if (digest == NULL || name == NULL)
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	else if (c->dns_hook != NULL)
		return provision_hook(s, r, name, digest, err);
	else
		rc = provision_zone(s, r, name, digest, err);
	free(digest);
	free(name);
	return rc;
}

/* dns-account-01 and dns-persist-01 (issue 7 item 3): a TXT record named by the flow. */
static int provision_txt(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                         struct acs_err *err)
{
	struct acs_acme_client *c = &s->client;
	struct acs_acme_prov_req plain = *r;
	char *name = strdup(r->txt_name), *value = strdup(r->txt_value);
	int rc;

	plain.dns_decoys = 0;
	if (name == NULL || value == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	} else if (c->dns_hook == NULL) {
		rc = provision_zone(s, &plain, name, value, err);
	} else if (c->ndns >= ACS_ACME_MAX_PROV) {
		rc = acs_err_set(err, ACS_E_TOOBIG, "too many dns records");
	} else {
		rc = acs_acme_dns_hook(c->dns_hook, "set", name, value, c->hook_seconds, err);
		if (rc == 0) {
			c->dns_names[c->ndns] = name;
			c->dns_values[c->ndns] = value;
			c->ndns++;
			return 0;
		}
	}
	free(name);
	free(value);
	return rc;
}

int acs_acme_provision(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                       struct acs_err *err)
{
	if (r->txt_name != NULL && r->txt_value != NULL)
		return provision_txt(s, r, err);
	/* a token with '/' or '\0' tricks would otherwise reach a path or the path table */
	if (r->token == NULL || !acs_b64url_valid(r->token, strlen(r->token)))
		return acs_err_set(err, ACS_E_PARSE, "challenge token is not base64url");
	if (strcmp(r->type, "http-01") == 0)
		return provision_http01(s, r, err);
	if (strcmp(r->type, "dns-01") == 0)
		return provision_dns01(s, r, err);
	if (strcmp(r->type, "tls-alpn-01") != 0)
		return acs_err_set(err, ACS_E_UNSUPPORTED, "cannot answer challenges of type %s",
		                   r->type);
	if (s->responders == NULL)
		return acs_err_set(err, ACS_E_STATE, "no challenge responders running");
	if (acs_alpn_set(s->responders, r->id, r->keyauth, r->alpn, s->transcript) != 0)
		return acs_err_set(err, ACS_E_IO, "cannot provision tls-alpn-01");
	acs_acme_remember(s, 2, r->id->value, r->id);
	return 0;
}

void acs_acme_deprovision(struct acs_acme_session *s, int keep)
{
	struct acs_acme_client *c = &s->client;
	size_t i;

	for (i = 0; i < c->ndns; i++) {
		if (!keep)
			(void)acs_acme_dns_hook(c->dns_hook, "clear", c->dns_names[i],
			                        c->dns_values[i], c->hook_seconds, NULL);
		free(c->dns_names[i]);
		free(c->dns_values[i]);
	}
	c->ndns = 0;
	for (i = 0; i < c->nfiles; i++) {
		if (!keep)
			(void)unlink(c->files[i]);
		free(c->files[i]);
	}
	c->nfiles = 0;
}
