/*
 * Challenge answers (see provision.h).
 */
#include "mockclient/provision.h"

#include <errno.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/jwk.h"

int acs_acme_dns_hook(const char *hook, const char *op, const char *name, const char *value,
                      struct acs_err *err)
{
	struct acs_buf cmd;
	pid_t pid;
	int st = 0;

	acs_buf_init(&cmd, 8192);
	if (acs_buf_printf(&cmd, "%s \"$@\"", hook) != 0) {
		acs_buf_free(&cmd);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		acs_buf_free(&cmd);
		return acs_err_set(err, ACS_E_IO, "cannot fork the dns hook: %s", strerror(errno));
	}
	if (pid == 0) {
		/* stdout belongs to the certificate */
		(void)dup2(STDERR_FILENO, STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd.data, "sh", op, name, value, (char *)NULL);
		_exit(127);
	}
	acs_buf_free(&cmd);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return acs_err_set(err, ACS_E_IO, "dns hook \"%s %s %s\" failed (status %d)", op,
		                   name, value, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

/* http-01 under the webroot: the key authorization as a file, as webroot clients do. */
static int write_file(struct acs_acme_session *s, const char *token, const char *ka, int newline,
                      struct acs_err *err)
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
	if (f == NULL || fprintf(f, "%s%s", ka, newline ? "\n" : "") < 0 || fclose(f) != 0) {
		acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno));
		free(path);
		return ACS_E_IO;
	}
	c->files[c->nfiles++] = path;
	return 0;
}

static int provision_http01(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                            struct acs_err *err)
{
	if (s->client.webroot != NULL)
		return write_file(s, r->token, r->keyauth, r->http01 == ACS_HTTP01_TRAILING_NL,
		                  err);
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
	if (digest == NULL || name == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
	} else if (c->dns_hook == NULL) {
		rc = provision_zone(s, r, name, digest, err);
	} else if (c->ndns >= ACS_ACME_MAX_PROV) {
		rc = acs_err_set(err, ACS_E_TOOBIG, "too many dns-01 records");
	} else {
		rc = acs_acme_dns_hook(c->dns_hook, "set", name, digest, err);
		if (rc == 0) {
			c->dns_names[c->ndns] = name;
			c->dns_values[c->ndns] = digest;
			c->ndns++;
			return 0;
		}
	}
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
		rc = acs_acme_dns_hook(c->dns_hook, "set", name, value, err);
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
			                        c->dns_values[i], NULL);
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
