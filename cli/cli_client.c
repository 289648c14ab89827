/*
 * acmespec client and acmespec dns-hook (harness/cli_client.h).
 *
 * One mock CA serves every scenario of the run under its own prefix. The
 * harness owns the port the CA validates http-01 against (the "front"): it
 * routes each fetch by its Host header to the scenario that owns the name,
 * answers from the scenario's webroot when the client wrote the file there,
 * and otherwise forwards to the scenario's own {http01_port}, where a client
 * with a built-in HTTP server listens. dns-01 records reach the DNS
 * responder the CA queries through a unix socket that `acmespec dns-hook`
 * talks to. Each scenario's command runs in its own process group and is
 * killed as a group at the timeout.
 */
/* accept4, pipe2, nftw */
#define _GNU_SOURCE
#include "cli/cli_client.h"
#include "cli/cli_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/expect.h"
#include "harness/runner.h"
#include "harness/verdict.h"
#include "harness/x509.h"
#include "mockclient/responders.h"
#include "mockserver/mockca.h"
#include "reports/report.h"

extern char **environ;

/* every snprintf here cuts on purpose: paths and messages are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define MAX_NAMES      4
#define MAX_RUNS       3
#define OUTPUT_HEAD    (24 * 1024) /* the client's output: first bytes kept ... */
#define OUTPUT_TAIL    (24 * 1024) /* ... and last bytes kept */
#define LOGFILE_TAIL   (16 * 1024) /* tail of each recipe log file */
#define TRANSCRIPT_CAP (48 * 1024)
#define FRONT_BODY_CAP (64 * 1024)
#define KILL_GRACE_S   2.0

/* ------------------------------------------------------------------ */
/* small helpers */

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
	struct timespec ts;

	if (s <= 0)
		return;
	ts.tv_sec = (time_t)s;
	ts.tv_nsec = (long)((s - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Append text, cutting it at the buffer's cap instead of refusing it. */
static void put_capped(struct acs_buf *b, const char *s, size_t n)
{
	size_t room = b->max > b->len + 64 ? b->max - b->len - 64 : 0;

	if (n <= room) {
		(void)acs_buf_append(b, s, n);
		return;
	}
	if (room > 0)
		(void)acs_buf_append(b, s, room);
	if (b->max > b->len + 20)
		(void)acs_buf_puts(b, "\n[... cut ...]\n");
}

static void putf_capped(struct acs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void putf_capped(struct acs_buf *b, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put_capped(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}

static void put_json(struct acs_buf *b, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (s != NULL) {
		put_capped(b, s, strlen(s) > 2048 ? 2048 : strlen(s));
		if (strlen(s) > 2048)
			put_capped(b, "...", 3);
	}
	free(s);
}

static int is_b64url_token(const char *s)
{
	size_t i;

	if (s[0] == '\0' || strlen(s) > 256)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_'))
			return 0;
	return 1;
}

/* A free loopback TCP port (bound and released: a small race, fine for one host). */
static int free_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int port = -1;

	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	(void)remove(path);
	return 0;
}

static void rm_tree(const char *path)
{
	if (path != NULL && path[0] != '\0')
		(void)nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkdir_p(const char *path)
{
	char tmp[PATH_MAX];
	size_t i;

	if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp))
		return -1;
	for (i = 1; tmp[i] != '\0'; i++) {
		if (tmp[i] != '/')
			continue;
		tmp[i] = '\0';
		if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
			return -1;
		tmp[i] = '/';
	}
	if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* recipes: ready-made commands for Debian's ACME clients */

struct recipe {
	const char *name;
	const char *challenges; /* the challenge types it can do, space-separated */
	const char *logfile;    /* relative to {workdir}: appended to the evidence, or NULL */
	const char *trust;      /* how it is made to trust the mock CA (for --help / docs) */
	const char *script;     /* /bin/sh script; reads the ACMESPEC_* environment */
};

static const struct recipe recipes[] = {
    {"acme-tiny", "http-01", NULL, "SSL_CERT_FILE",
     "set -ef\n"
     "case \"$ACMESPEC_CHALLENGE\" in http-01) ;; *) exit 127 ;; esac\n"
     /* no EAB, no revocation, no key rollover */
     "[ -z \"$ACMESPEC_EAB_KID\" ] && [ \"$ACMESPEC_REVOKE\" != 1 ] && "
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     "w=\"$ACMESPEC_WORKDIR/acme-tiny\"; mkdir -p \"$w\"\n"
     "[ -f \"$w/account.key\" ] || openssl genrsa -out \"$w/account.key\" 2048 2>/dev/null\n"
     "openssl genrsa -out \"$w/domain.key\" 2048 2>/dev/null\n"
     "san=''; for d in $ACMESPEC_DOMAINS; do san=\"$san${san:+,}DNS:$d\"; done\n"
     "openssl req -new -sha256 -key \"$w/domain.key\" -subj \"/CN=$ACMESPEC_DOMAIN\" "
     "-addext \"subjectAltName=$san\" -out \"$w/domain.csr\"\n"
     "SSL_CERT_FILE=\"$ACMESPEC_CA_BUNDLE\" acme-tiny --account-key \"$w/account.key\" "
     "--csr \"$w/domain.csr\" --acme-dir \"$ACMESPEC_ACME_DIR\" "
     "--directory-url \"$ACMESPEC_DIRECTORY\" --disable-check > \"$w/signed.crt\"\n"},
    {"certbot", "http-01 dns-01", "certbot/logs/letsencrypt.log", "REQUESTS_CA_BUNDLE",
     "set -f\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     "export REQUESTS_CA_BUNDLE=\"$ACMESPEC_CA_BUNDLE\"\n"
     "w=\"$ACMESPEC_WORKDIR/certbot\"\n"
     "common=\"--non-interactive --server $ACMESPEC_DIRECTORY --config-dir $w/config "
     "--work-dir $w/work --logs-dir $w/logs\"\n"
     "set -- certonly $common --agree-tos --register-unsafely-without-email "
     "--cert-name acmespec --force-renewal\n"
     "[ -z \"$ACMESPEC_EAB_KID\" ] || set -- \"$@\" --eab-kid \"$ACMESPEC_EAB_KID\" "
     "--eab-hmac-key \"$ACMESPEC_EAB_HMAC\"\n"
     "for d in $ACMESPEC_DOMAINS; do set -- \"$@\" -d \"$d\"; done\n"
     "case \"$ACMESPEC_CHALLENGE\" in\n"
     "http-01) set -- \"$@\" --standalone --http-01-port \"$ACMESPEC_HTTP01_PORT\" "
     "--http-01-address 127.0.0.1 ;;\n"
     "dns-01) set -- \"$@\" --manual --preferred-challenges dns "
     "--manual-auth-hook \"$ACMESPEC_DNS_HOOK set _acme-challenge.\\$CERTBOT_DOMAIN "
     "\\$CERTBOT_VALIDATION\" "
     "--manual-cleanup-hook \"$ACMESPEC_DNS_HOOK clear _acme-challenge.\\$CERTBOT_DOMAIN "
     "\\$CERTBOT_VALIDATION\" ;;\n"
     "*) exit 127 ;;\n"
     "esac\n"
     "[ \"$ACMESPEC_REVOKE\" = 1 ] || exec certbot \"$@\"\n"
     "certbot \"$@\" || exit $?\n"
     "exec certbot revoke $common --cert-name acmespec --reason keycompromise "
     "--no-delete-after-revoke\n"},
    {"dehydrated", "http-01 dns-01", NULL, "CURL_OPTS=--cacert",
     "set -ef\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     "case \"$ACMESPEC_CHALLENGE\" in http-01|dns-01) ;; *) exit 127 ;; esac\n"
     "w=\"$ACMESPEC_WORKDIR/dehydrated\"; mkdir -p \"$w\"\n"
     "cat > \"$w/hook.sh\" <<'EOF'\n"
     "#!/bin/sh\n"
     "[ \"$ACMESPEC_CHALLENGE\" = dns-01 ] || exit 0\n"
     "case \"$1\" in\n"
     "deploy_challenge) exec $ACMESPEC_DNS_HOOK set \"_acme-challenge.$2\" \"$4\" ;;\n"
     "clean_challenge) exec $ACMESPEC_DNS_HOOK clear \"_acme-challenge.$2\" \"$4\" ;;\n"
     "esac\n"
     "exit 0\n"
     "EOF\n"
     "chmod +x \"$w/hook.sh\"\n"
     "cat > \"$w/config\" <<EOF\n"
     "CA=\"$ACMESPEC_DIRECTORY\"\n"
     "BASEDIR=\"$w\"\n"
     "WELLKNOWN=\"$ACMESPEC_ACME_DIR\"\n"
     "CURL_OPTS=\"--cacert $ACMESPEC_CA_BUNDLE\"\n"
     "CHALLENGETYPE=\"$ACMESPEC_CHALLENGE\"\n"
     "HOOK=\"$w/hook.sh\"\n"
     "CONTACT_EMAIL=\"acmespec@acmespec.test\"\n"
     /* dehydrated's defaults are RSA-4096 account and domain keys: minutes of CPU on a
        loaded host, ahead of the first request of --cron */
     "KEYSIZE=2048\n"
     "KEY_ALGO=prime256v1\n"
     "EAB_KID=\"$ACMESPEC_EAB_KID\"\n"
     "EAB_HMAC_KEY=\"$ACMESPEC_EAB_HMAC\"\n"
     "EOF\n"
     "dehydrated --config \"$w/config\" --register --accept-terms\n"
     /* --alias: a wildcard certificate needs a name of its own */
     "set -- --alias acmespec\n"
     "for d in $ACMESPEC_DOMAINS; do set -- \"$@\" --domain \"$d\"; done\n"
     "[ \"$ACMESPEC_REVOKE\" = 1 ] || exec dehydrated --config \"$w/config\" --cron --force "
     "\"$@\"\n"
     "dehydrated --config \"$w/config\" --cron --force \"$@\"\n"
     "exec dehydrated --config \"$w/config\" --revoke \"$w/certs/acmespec/cert.pem\"\n"},
    {"lego", "http-01 dns-01 tls-alpn-01", NULL, "LEGO_CA_CERTIFICATES",
     "set -ef\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     "export LEGO_CA_CERTIFICATES=\"$ACMESPEC_CA_BUNDLE\"\n"
     "set --\n"
     "[ -z \"$ACMESPEC_EAB_KID\" ] || set -- --eab --kid \"$ACMESPEC_EAB_KID\" "
     "--hmac \"$ACMESPEC_EAB_HMAC\"\n"
     "for d in $ACMESPEC_DOMAINS; do set -- \"$@\" -d \"$d\"; done\n"
     "case \"$ACMESPEC_CHALLENGE\" in\n"
     "http-01) set -- \"$@\" --http --http.port \"127.0.0.1:$ACMESPEC_HTTP01_PORT\" ;;\n"
     "tls-alpn-01) set -- \"$@\" --tls --tls.port \"127.0.0.1:$ACMESPEC_TLSALPN01_PORT\" ;;\n"
     "dns-01)\n"
     "  printf '#!/bin/sh\\nexec %s \"$@\"\\n' \"$ACMESPEC_DNS_HOOK\" > "
     "\"$ACMESPEC_WORKDIR/lego-dns\"\n"
     "  chmod +x \"$ACMESPEC_WORKDIR/lego-dns\"\n"
     "  export EXEC_PATH=\"$ACMESPEC_WORKDIR/lego-dns\" EXEC_POLLING_INTERVAL=1 "
     "EXEC_SEQUENCE_INTERVAL=1 "
     "EXEC_PROPAGATION_TIMEOUT=10\n"
     "  set -- \"$@\" --dns exec --dns.disable-cp --dns.resolvers \"$ACMESPEC_DNS_SERVER\" ;;\n"
     "*) exit 127 ;;\n"
     "esac\n"
     "set -- --accept-tos --email acmespec@acmespec.test --server \"$ACMESPEC_DIRECTORY\" "
     "--path \"$ACMESPEC_WORKDIR/lego\" \"$@\"\n"
     "[ \"$ACMESPEC_REVOKE\" = 1 ] || exec lego \"$@\" run\n"
     "lego \"$@\" run\n"
     "exec lego \"$@\" revoke --reason 1\n"},
    {"uacme", "http-01 dns-01", NULL, "unshare --mount + bind mount over the system bundle",
     "set -ef\n"
     "[ \"$ACMESPEC_KEY_CHANGE\" != 1 ] || exit 127\n"
     "case \"$ACMESPEC_CHALLENGE\" in http-01|dns-01) ;; *) exit 127 ;; esac\n"
     "w=\"$ACMESPEC_WORKDIR/uacme\"; mkdir -p \"$w\"\n"
     "cat > \"$w/hook.sh\" <<'EOF'\n"
     "#!/bin/sh\n"
     "# uacme hook: METHOD TYPE IDENT TOKEN AUTH; decline the other challenge types\n"
     "[ \"$2\" = \"$ACMESPEC_CHALLENGE\" ] || exit 1\n"
     "case \"$2:$1\" in\n"
     "http-01:begin) printf '%s' \"$5\" > \"$ACMESPEC_ACME_DIR/$4\" ;;\n"
     "http-01:*) rm -f \"$ACMESPEC_ACME_DIR/$4\" ;;\n"
     "dns-01:begin) exec $ACMESPEC_DNS_HOOK set \"_acme-challenge.$3\" \"$5\" ;;\n"
     "dns-01:*) exec $ACMESPEC_DNS_HOOK clear \"_acme-challenge.$3\" \"$5\" ;;\n"
     "esac\n"
     "EOF\n"
     "chmod +x \"$w/hook.sh\"\n"
     /* uacme has no CA option: a private mount namespace sees the mock CA's
        bundle in place of the system one; the host's trust store is untouched */
     "exec unshare --mount sh -c '"
     "mount --bind \"$ACMESPEC_CA_BUNDLE\" /etc/ssl/certs/ca-certificates.crt || exit 3\n"
     "set -f\n"
     "[ -f \"$0/private/key.pem\" ] || uacme -v -y -c \"$0\" -a \"$ACMESPEC_DIRECTORY\" "
     "${ACMESPEC_EAB_KID:+-e \"$ACMESPEC_EAB_KID:$ACMESPEC_EAB_HMAC\"} new\n"
     "uacme -v -f -c \"$0\" -a \"$ACMESPEC_DIRECTORY\" -h \"$0/hook.sh\" issue "
     "$ACMESPEC_DOMAINS || exit $?\n"
     "[ \"$ACMESPEC_REVOKE\" = 1 ] || exit 0\n"
     "exec uacme -v -c \"$0\" -a \"$ACMESPEC_DIRECTORY\" revoke "
     "\"$0/${ACMESPEC_DOMAINS%% *}/cert.pem\"' \"$w\"\n"},
};

#define NRECIPES (sizeof(recipes) / sizeof(recipes[0]))

const char *const *acs_client_recipes(void)
{
	static const char *names[NRECIPES + 1];
	size_t i;

	for (i = 0; i < NRECIPES; i++)
		names[i] = recipes[i].name;
	names[NRECIPES] = NULL;
	return names;
}

static const struct recipe *find_recipe(const char *name)
{
	size_t i;

	for (i = 0; i < NRECIPES; i++)
		if (strcmp(recipes[i].name, name) == 0)
			return &recipes[i];
	return NULL;
}

static int recipe_can(const struct recipe *rc, const char *challenge)
{
	const char *p = rc->challenges;
	size_t n = strlen(challenge);

	while ((p = strstr(p, challenge)) != NULL) {
		if ((p == rc->challenges || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* scenarios (docs/case-format.md "Client scenarios") */

enum exit_want { EXIT_ZERO = 0, EXIT_NONZERO, EXIT_ANY };

struct scenario {
	json_t *misbehave; /* borrowed array of strings (or NULL) */
	int names;
	const char *challenge;
	int runs;
	enum exit_want exit;
	int certificate; /* 1 yes, 0 no, -1 not judged */
	json_t *asserts; /* borrowed array of strings (or NULL) */
	json_t *output;  /* borrowed array of strings (or NULL) */
	int eab;         /* the scenario requires External Account Binding */
	int key_change;  /* the client is asked to roll its account key over */
	int revoke;      /* the client is asked to revoke what it got */
	int wildcard;    /* the first name is ordered as *.{domain} */
};

static const char *const predicates[] = {"retried-bad-nonce",
                                         "ignored-invalid-nonce",
                                         "honoured-retry-after",
                                         "no-tight-poll",
                                         "no-challenge-post-on-valid",
                                         "no-finalize-after-invalid",
                                         "only-get-directory",
                                         "post-as-get-used",
                                         "deprovisioned-http01",
                                         "deprovisioned-dns01",
                                         "account-reused",
                                         "csr-fresh-key",
                                         "finalized",
                                         "downloaded-certificate",
                                         "revoked",
                                         "key-changed",
                                         NULL};

static int known_predicate(const char *s)
{
	size_t i;

	for (i = 0; predicates[i] != NULL; i++)
		if (strcmp(predicates[i], s) == 0)
			return 1;
	return 0;
}

static int string_array(const json_t *obj, const char *key, const char *file, const char *where,
                        json_t **out, struct acs_err *err)
{
	json_t *a = json_object_get(obj, key);
	size_t i;

	*out = NULL;
	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"%s%s\": expected an array of strings", file, where,
		                   key);
	for (i = 0; i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i)))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"%s%s\"[%zu]: expected a string", file,
			                   where, key, i);
	*out = a;
	return 0;
}

static int only_keys(const json_t *obj, const char *const *keys, const char *file,
                     const char *where, struct acs_err *err)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)obj, k, v)
	{
		int ok = 0;

		(void)v;
		for (i = 0; keys[i] != NULL; i++)
			ok |= strcmp(keys[i], k) == 0;
		if (!ok)
			return acs_err_set(err, ACS_E_INVAL, "%s: field \"%s%s\": unknown field",
			                   file, where, k);
	}
	return 0;
}

/* Parse and check c's "scenario"; misbehaviour names are checked against the CA's table. */
static int scenario_parse(const struct acs_case *c, struct scenario *s, struct acs_err *err)
{
	static const char *const skeys[] = {"misbehave", "names", "challenge",  "runs",
	                                    "expect",    "eab",   "key_change", "revoke",
	                                    "wildcard",  NULL};
	static const char *const bkeys[] = {"eab", "key_change", "revoke", "wildcard", NULL};
	static const char *const ekeys[] = {"exit", "certificate", "assert", "output_contains",
	                                    NULL};
	const struct acs_mockca_misbehaviour *mb;
	const char *f = c->file ? c->file : c->id;
	json_t *sc = json_object_get(c->body, "scenario");
	json_t *ex, *v;
	size_t nmb, i, j;

	memset(s, 0, sizeof(*s));
	s->names = 1;
	s->challenge = "http-01";
	s->runs = 1;
	s->certificate = -2; /* default decided below */
	if (!json_is_object(sc))
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"scenario\": expected an object",
		                   f);
	if (only_keys(sc, skeys, f, "scenario.", err) != 0)
		return err->code;
	if (string_array(sc, "misbehave", f, "scenario.", &s->misbehave, err) != 0)
		return err->code;
	mb = acs_mockca_misbehaviours(&nmb);
	for (i = 0; i < json_array_size(s->misbehave); i++) {
		const char *spec = json_string_value(json_array_get(s->misbehave, i));
		size_t nl = strcspn(spec, "=");
		int found = 0;

		for (j = 0; j < nmb; j++)
			found |= strlen(mb[j].name) == nl && strncmp(mb[j].name, spec, nl) == 0;
		if (!found)
			return acs_err_set(
			    err, ACS_E_INVAL,
			    "%s: field \"scenario.misbehave\"[%zu]: unknown misbehaviour "
			    "\"%.*s\"",
			    f, i, (int)nl, spec);
	}
	v = json_object_get(sc, "names");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > MAX_NAMES)
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.names\": expected 1 to %d", f,
			                   MAX_NAMES);
		s->names = (int)json_integer_value(v);
	}
	v = json_object_get(sc, "runs");
	if (v != NULL) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > MAX_RUNS)
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.runs\": expected 1 to %d", f,
			                   MAX_RUNS);
		s->runs = (int)json_integer_value(v);
	}
	v = json_object_get(sc, "challenge");
	if (v != NULL) {
		const char *ch = json_string_value(v);

		if (ch == NULL || (strcmp(ch, "http-01") != 0 && strcmp(ch, "dns-01") != 0 &&
		                   strcmp(ch, "tls-alpn-01") != 0))
			return acs_err_set(
			    err, ACS_E_INVAL,
			    "%s: field \"scenario.challenge\": expected http-01, dns-01 "
			    "or tls-alpn-01",
			    f);
		s->challenge = ch;
	}
	for (i = 0; bkeys[i] != NULL; i++) {
		int *slot = i == 0   ? &s->eab
		            : i == 1 ? &s->key_change
		            : i == 2 ? &s->revoke
		                     : &s->wildcard;

		v = json_object_get(sc, bkeys[i]);
		if (v != NULL && !json_is_boolean(v))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.%s\": expected true or false", f,
			                   bkeys[i]);
		*slot = json_is_true(v);
	}
	if (s->wildcard && strcmp(s->challenge, "dns-01") != 0)
		return acs_err_set(
		    err, ACS_E_INVAL,
		    "%s: field \"scenario.wildcard\": a wildcard needs \"challenge\": "
		    "\"dns-01\"",
		    f);
	ex = json_object_get(sc, "expect");
	if (ex != NULL && !json_is_object(ex))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"scenario.expect\": expected an object", f);
	if (ex != NULL) {
		if (only_keys(ex, ekeys, f, "scenario.expect.", err) != 0)
			return err->code;
		v = json_object_get(ex, "exit");
		if (v != NULL) {
			const char *e = json_string_value(v);

			if (e != NULL && strcmp(e, "zero") == 0)
				s->exit = EXIT_ZERO;
			else if (e != NULL && strcmp(e, "nonzero") == 0)
				s->exit = EXIT_NONZERO;
			else if (e != NULL && strcmp(e, "any") == 0)
				s->exit = EXIT_ANY;
			else
				return acs_err_set(err, ACS_E_INVAL,
				                   "%s: field \"scenario.expect.exit\": expected "
				                   "\"zero\", \"nonzero\" or \"any\"",
				                   f);
		}
		v = json_object_get(ex, "certificate");
		if (v != NULL) {
			if (!json_is_boolean(v))
				return acs_err_set(
				    err, ACS_E_INVAL,
				    "%s: field \"scenario.expect.certificate\": expected "
				    "true or false",
				    f);
			s->certificate = json_is_true(v);
		}
		if (string_array(ex, "assert", f, "scenario.expect.", &s->asserts, err) != 0 ||
		    string_array(ex, "output_contains", f, "scenario.expect.", &s->output, err) !=
		        0)
			return err->code;
		for (i = 0; i < json_array_size(s->asserts); i++) {
			const char *p = json_string_value(json_array_get(s->asserts, i));

			if (!known_predicate(p))
				return acs_err_set(
				    err, ACS_E_INVAL,
				    "%s: field \"scenario.expect.assert\"[%zu]: unknown "
				    "predicate \"%s\"",
				    f, i, p);
		}
	}
	if (s->certificate == -2)
		s->certificate = s->exit == EXIT_ZERO ? 1 : (s->exit == EXIT_NONZERO ? 0 : -1);
	return 0;
}

/* ------------------------------------------------------------------ */
/* the run: shared infrastructure */

struct txt_rec {
	char name[300]; /* "_acme-challenge.x.acmespec.test", lower case, no final dot */
	char value[128];
	int cleared;
	struct txt_rec *next;
};

/* A scenario while it runs: what the front and the DNS socket route to it. */
struct route {
	char names[MAX_NAMES][128];
	int nnames;
	char webroot[PATH_MAX];
	int http01_port;
	struct txt_rec *txt; /* records its hook set (guarded by the run's lock) */
	struct route *next;
};

/* What a finished scenario leaves for the request checks. */
struct scen_out {
	int ran;
	char *scn;   /* the mock CA scenario name */
	json_t *log; /* the request log (owned) */
};

struct client_run {
	const struct acs_cli *cli;
	const struct recipe *recipe;
	int keep_workdir;
	char **argv; /* the generic command (borrowed), or NULL with a recipe */
	int argc;
	struct acs_mockca *ca;
	struct acs_responders *resp;
	struct MHD_Daemon *front;
	int front_port;
	int dns_port;
	int tlsalpn01_port;
	char dns_server[64];
	char basedir[PATH_MAX];
	char dns_sock[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int dns_fd;
	pthread_t dns_thread;
	int dns_thread_on;
	volatile int stop;
	char dns_hook[PATH_MAX + 16];
	pthread_mutex_t lock;   /* routes, txt records, outs, counter */
	pthread_mutex_t serial; /* scenarios sharing a fixed port run one at a time */
	struct route *routes;
	const struct acs_catalog *cat;
	struct scen_out *outs; /* one per catalog case */
	unsigned counter;
	struct acs_console con;
};

static struct route *route_for_name(struct client_run *cr, const char *name)
{
	struct route *r;
	int i;

	for (r = cr->routes; r != NULL; r = r->next)
		for (i = 0; i < r->nnames; i++)
			if (strcasecmp(r->names[i], name) == 0)
				return r;
	return NULL;
}

/* The route owning a DNS name: the name itself, or a name under it (_acme-challenge.). */
static struct route *route_for_dns(struct client_run *cr, const char *name)
{
	struct route *r;
	size_t nl = strlen(name);
	int i;

	for (r = cr->routes; r != NULL; r = r->next) {
		for (i = 0; i < r->nnames; i++) {
			size_t dl = strlen(r->names[i]);

			if (nl >= dl && strcasecmp(name + nl - dl, r->names[i]) == 0 &&
			    (nl == dl || name[nl - dl - 1] == '.'))
				return r;
		}
	}
	return NULL;
}

struct front_req {
	struct acs_buf body;
};

static size_t on_fwd_body(char *p, size_t sz, size_t n, void *ud)
{
	struct acs_buf *b = ud;

	if (acs_buf_append(b, p, sz * n) != 0)
		return 0;
	return sz * n;
}

static enum MHD_Result front_reply(struct MHD_Connection *conn, unsigned status, const char *body,
                                   size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	if (resp == NULL)
		return MHD_NO;
	(void)MHD_add_response_header(resp, "Content-Type", "text/plain");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/*
 * The http-01 front: the mock CA fetches http://NAME:FRONT/.well-known/
 * acme-challenge/TOKEN. Answer from the owning scenario's webroot when the
 * file is there, else forward to the scenario's {http01_port}.
 */
static enum MHD_Result front_handler(void *cls, struct MHD_Connection *conn, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_size, void **con_cls)
{
	static const char prefix[] = "/.well-known/acme-challenge/";
	struct client_run *cr = cls;
	const char *host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	char name[256], path[PATH_MAX + 300], fwd[1024];
	struct route *rt;
	struct acs_buf body;
	int port = -1, have_root = 0;
	long status = 0;
	size_t n;
	FILE *fp;
	CURL *c;
	struct curl_slist *hdrs = NULL;
	char hosthdr[300];
	enum MHD_Result ret;

	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {
		*con_cls = cr; /* first call: headers only */
		return MHD_YES;
	}
	*upload_size = 0;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return front_reply(conn, 405, "acmespec: GET only\n", 19);
	if (host == NULL)
		host = "";
	n = strcspn(host, ":");
	if (n >= sizeof(name))
		n = sizeof(name) - 1;
	memcpy(name, host, n);
	name[n] = '\0';
	if (n > 0 && name[n - 1] == '.')
		name[n - 1] = '\0';
	pthread_mutex_lock(&cr->lock);
	rt = route_for_name(cr, name);
	if (rt != NULL) {
		port = rt->http01_port;
		have_root = snprintf(path, sizeof(path), "%s", rt->webroot) < (int)sizeof(path);
	}
	pthread_mutex_unlock(&cr->lock);
	if (rt == NULL)
		return front_reply(conn, 404, "acmespec: no scenario owns this name\n", 37);
	acs_buf_init(&body, FRONT_BODY_CAP);
	/* the webroot, for clients that write files (token must be plain base64url) */
	if (have_root && strncmp(url, prefix, sizeof(prefix) - 1) == 0 &&
	    is_b64url_token(url + sizeof(prefix) - 1)) {
		size_t pl = strlen(path);

		(void)snprintf(path + pl, sizeof(path) - pl, "%s", url);
		fp = fopen(path, "rb");
		if (fp != NULL) {
			char chunk[4096];
			size_t got;

			while ((got = fread(chunk, 1, sizeof(chunk), fp)) > 0)
				if (acs_buf_append(&body, chunk, got) != 0)
					break;
			fclose(fp);
			ret = front_reply(conn, 200, body.data ? body.data : "", body.len);
			acs_buf_free(&body);
			return ret;
		}
	}
	/* forward to the client's own server, exactly as asked (the path unmodified) */
	(void)snprintf(fwd, sizeof(fwd), "http://127.0.0.1:%d%s", port, url);
	(void)snprintf(hosthdr, sizeof(hosthdr), "Host: %s", host);
	c = curl_easy_init();
	if (c == NULL) {
		acs_buf_free(&body);
		return front_reply(conn, 500, "acmespec: out of memory\n", 24);
	}
	hdrs = curl_slist_append(NULL, hosthdr);
	(void)curl_easy_setopt(c, CURLOPT_URL, fwd);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
	(void)curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 4000L);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, "acmespec-front");
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_fwd_body);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	if (strcmp(method, "HEAD") == 0)
		(void)curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	if (curl_easy_perform(c) == CURLE_OK) {
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		ret = front_reply(conn, (unsigned)(status > 0 ? status : 502),
		                  body.data ? body.data : "", body.len);
	} else {
		char msg[128];
		int ml =
		    snprintf(msg, sizeof(msg),
		             "acmespec: no challenge file and nothing answers on port %d\n", port);

		ret = front_reply(conn, 404, msg, (size_t)ml);
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(c);
	acs_buf_free(&body);
	return ret;
}

static int front_start(struct client_run *cr, struct acs_err *err)
{
	const union MHD_DaemonInfo *di;

	cr->front = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG, 0,
	    NULL, NULL, front_handler, cr, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)10,
	    MHD_OPTION_SOCK_ADDR,
	    (const struct sockaddr *)&(struct sockaddr_in){
	        .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)},
	    MHD_OPTION_END);
	if (cr->front == NULL)
		return acs_err_set(err, ACS_E_IO, "cannot start the http-01 front on 127.0.0.1");
	di = MHD_get_daemon_info(cr->front, MHD_DAEMON_INFO_BIND_PORT);
	cr->front_port = di != NULL ? di->port : 0;
	if (cr->front_port == 0)
		return acs_err_set(err, ACS_E_IO, "cannot read the http-01 front's port");
	return 0;
}

/* ---- dns-01: the control socket `acmespec dns-hook` talks to ---- */

static void norm_dns_name(const char *in, char *out, size_t outlen)
{
	size_t i, n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--;
	if (strncasecmp(in, "_acme-challenge.", 16) != 0)
		(void)snprintf(out, outlen, "_acme-challenge.%.*s", (int)n, in);
	else
		(void)snprintf(out, outlen, "%.*s", (int)n, in);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

/* Re-publish name's uncleared values (the responder clears a name as a whole). */
static void dns_publish(struct client_run *cr, struct route *rt, const char *name)
{
	struct txt_rec *t;

	acs_dns_txt_clear(cr->resp, name);
	for (t = rt->txt; t != NULL; t = t->next)
		if (!t->cleared && strcmp(t->name, name) == 0)
			(void)acs_dns_txt_add(cr->resp, name, t->value, NULL);
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
static void dns_command(struct client_run *cr, char *line, char *out, size_t outlen)
{
	char *verb, *name, *value, *rest = line;
	char norm[300];
	struct route *rt;
	struct txt_rec *t;
	int set;

	verb = next_word(&rest);
	name = verb ? next_word(&rest) : NULL;
	value = name ? next_word(&rest) : NULL;
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
	if (set && (value == NULL || strlen(value) >= sizeof(t->value))) {
		(void)snprintf(out, outlen, "error: set needs NAME and VALUE\n");
		return;
	}
	norm_dns_name(name, norm, sizeof(norm));
	pthread_mutex_lock(&cr->lock);
	rt = route_for_dns(cr, norm);
	if (rt == NULL) {
		pthread_mutex_unlock(&cr->lock);
		(void)snprintf(out, outlen, "error: no running scenario owns %.200s\n", norm);
		return;
	}
	if (set) {
		t = calloc(1, sizeof(*t));
		if (t != NULL) {
			(void)snprintf(t->name, sizeof(t->name), "%s", norm);
			(void)snprintf(t->value, sizeof(t->value), "%s", value);
			t->next = rt->txt;
			rt->txt = t;
		}
	} else {
		for (t = rt->txt; t != NULL; t = t->next)
			if (strcmp(t->name, norm) == 0 &&
			    (value == NULL || strcmp(t->value, value) == 0))
				t->cleared = 1;
	}
	dns_publish(cr, rt, norm);
	pthread_mutex_unlock(&cr->lock);
	(void)snprintf(out, outlen, "ok\n");
}

static void *dns_thread_main(void *arg)
{
	struct client_run *cr = arg;

	while (!cr->stop) {
		struct pollfd pfd = {.fd = cr->dns_fd, .events = POLLIN};
		char line[1024], reply[300];
		size_t got = 0;
		double deadline;
		int fd;

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		fd = accept4(cr->dns_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		/* one line, read within 2 s */
		deadline = now_mono() + 2.0;
		while (got < sizeof(line) - 1 && memchr(line, '\n', got) == NULL) {
			struct pollfd cp = {.fd = fd, .events = POLLIN};
			double left = deadline - now_mono();
			ssize_t r;

			if (left <= 0 || poll(&cp, 1, (int)(left * 1000) + 1) <= 0)
				break;
			r = read(fd, line + got, sizeof(line) - 1 - got);
			if (r <= 0)
				break;
			got += (size_t)r;
		}
		line[got] = '\0';
		dns_command(cr, line, reply, sizeof(reply));
		(void)send(fd, reply, strlen(reply), MSG_NOSIGNAL);
		close(fd);
	}
	return NULL;
}

static int dns_start(struct client_run *cr, struct acs_err *err)
{
	struct sockaddr_un sa;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (snprintf(cr->dns_sock, sizeof(cr->dns_sock), "%s/dns.sock", cr->basedir) >=
	    (int)sizeof(cr->dns_sock))
		return acs_err_set(err, ACS_E_INVAL, "work directory path too long for a socket");
	memcpy(sa.sun_path, cr->dns_sock, strlen(cr->dns_sock) + 1);
	cr->dns_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (cr->dns_fd < 0 || bind(cr->dns_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(cr->dns_fd, 16) != 0)
		return acs_err_set(err, ACS_E_IO, "cannot listen on %s: %s", cr->dns_sock,
		                   strerror(errno));
	if (pthread_create(&cr->dns_thread, NULL, dns_thread_main, cr) != 0)
		return acs_err_set(err, ACS_E_IO, "cannot start the dns-hook thread");
	cr->dns_thread_on = 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* running the client's command */

struct proc_result {
	int started; /* 0: could not be started (msg says why) */
	int exited;  /* 1: exited with status; 0: killed by a signal */
	int status;  /* exit status, or the signal */
	int timed_out;
	double seconds;
	char msg[512];
};

/* Keeps the first OUTPUT_HEAD and the last OUTPUT_TAIL bytes of the output. */
struct capture {
	char head[OUTPUT_HEAD];
	size_t nhead;
	char tail[OUTPUT_TAIL]; /* ring */
	size_t ntail_total;     /* bytes ever written into the ring */
};

static void capture_add(struct capture *cp, const char *p, size_t n)
{
	while (n > 0 && cp->nhead < sizeof(cp->head)) {
		cp->head[cp->nhead++] = *p++;
		n--;
	}
	while (n > 0) {
		cp->tail[cp->ntail_total % sizeof(cp->tail)] = *p++;
		cp->ntail_total++;
		n--;
	}
}

static void capture_render(const struct capture *cp, struct acs_buf *out)
{
	size_t i, start, n;

	put_capped(out, cp->head, cp->nhead);
	if (cp->ntail_total == 0)
		return;
	n = cp->ntail_total < sizeof(cp->tail) ? cp->ntail_total : sizeof(cp->tail);
	if (cp->ntail_total > sizeof(cp->tail))
		putf_capped(out, "\n[... %zu bytes of output left out ...]\n",
		            cp->ntail_total - sizeof(cp->tail));
	start = cp->ntail_total - n;
	for (i = 0; i < n; i++) {
		char ch = cp->tail[(start + i) % sizeof(cp->tail)];

		put_capped(out, &ch, 1);
	}
}

/* argv[0] resolved through PATH in the parent (the child only calls execve). */
static int resolve_exe(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	const char *p;

	if (strchr(name, '/') != NULL) {
		(void)snprintf(out, outlen, "%s", name);
		return access(out, X_OK) == 0 ? 0 : -1;
	}
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0';) {
		size_t n = strcspn(p, ":");

		if (n > 0 && snprintf(out, outlen, "%.*s/%s", (int)n, p, name) < (int)outlen &&
		    access(out, X_OK) == 0)
			return 0;
		p += n;
		if (*p == ':')
			p++;
	}
	return -1;
}

static void kill_group(pid_t pid, int sig)
{
	(void)kill(-pid, sig);
}

/*
 * Run argv with envp in cwd, in its own process group, output (stdout and
 * stderr together) into cp, killed as a group after timeout seconds.
 */
static void run_process(char *const argv[], char *const envp[], const char *cwd, double timeout,
                        struct capture *cp, struct proc_result *pr)
{
	char exe[PATH_MAX];
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	double t0 = now_mono(), deadline = t0 + timeout;
	int status = 0, reaped = 0, eof = 0;
	pid_t pid;

	memset(pr, 0, sizeof(*pr));
	if (resolve_exe(argv[0], exe, sizeof(exe)) != 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg),
		               "cannot run %s: not found or not executable", argv[0]);
		return;
	}
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot make a pipe: %s", strerror(errno));
		goto close_pipes;
	}
	pid = fork();
	if (pid < 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot fork: %s", strerror(errno));
		goto close_pipes;
	}
	if (pid == 0) {
		/* the child: async-signal-safe calls only until execve */
		struct sigaction sa;
		sigset_t none;
		int devnull, e, sig;

		(void)setpgid(0, 0);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		for (sig = 1; sig < 32; sig++)
			(void)sigaction(sig, &sa, NULL);
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0)
			(void)dup2(devnull, 0);
		(void)dup2(out[1], 1);
		(void)dup2(out[1], 2);
		if (chdir(cwd) == 0)
			(void)execve(exe, argv, envp);
		e = errno;
		(void)!write(errp[1], &e, sizeof(e));
		_exit(126);
	}
	(void)setpgid(pid, pid);
	close(out[1]);
	close(errp[1]);
	out[1] = errp[1] = -1;
	pr->started = 1;
	{
		int e = 0;

		if (read(errp[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
			pr->started = 0;
			(void)snprintf(pr->msg, sizeof(pr->msg), "cannot run %s: %s", exe,
			               strerror(e));
		}
	}
	/* read output until EOF and the leader exits, or the deadline */
	while (!(eof && reaped)) {
		double left = deadline - now_mono();

		if (left <= 0) {
			pr->timed_out = 1;
			break;
		}
		if (!eof) {
			struct pollfd pfd = {.fd = out[0], .events = POLLIN};
			int pr_ms = left > 0.1 ? 100 : (int)(left * 1000) + 1;

			if (poll(&pfd, 1, pr_ms) > 0) {
				char chunk[4096];
				ssize_t r = read(out[0], chunk, sizeof(chunk));

				if (r > 0)
					capture_add(cp, chunk, (size_t)r);
				else if (r == 0 || errno != EINTR)
					eof = 1;
			}
		} else {
			sleep_s(0.02);
		}
		if (!reaped && waitpid(pid, &status, WNOHANG) == pid) {
			reaped = 1;
			/* leftovers of the group (daemons the client started) go now */
			kill_group(pid, SIGTERM);
			if (!eof)
				deadline =
				    now_mono() + 2.0 < deadline ? now_mono() + 2.0 : deadline;
		}
	}
	if (!reaped) {
		kill_group(pid, SIGTERM);
		deadline = now_mono() + KILL_GRACE_S;
		while (now_mono() < deadline && !reaped) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				reaped = 1;
			else
				sleep_s(0.02);
		}
		kill_group(pid, SIGKILL);
		if (!reaped && waitpid(pid, &status, 0) == pid)
			reaped = 1;
	} else {
		kill_group(pid, SIGKILL);
	}
	if (reaped && !pr->timed_out) {
		pr->exited = WIFEXITED(status);
		pr->status = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
	} else if (reaped) {
		pr->exited = WIFEXITED(status);
		pr->status = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
	}
	pr->seconds = now_mono() - t0;
close_pipes:
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
}

/* Replace the known {placeholders} in s; new string (free()). */
struct ph {
	const char *key;
	const char *val;
};

static char *interpolate(const char *s, const struct ph *ph, size_t nph)
{
	struct acs_buf b;
	const char *p = s;
	size_t i;

	acs_buf_init(&b, 64 * 1024);
	(void)acs_buf_puts(&b, "");
	while (*p != '\0') {
		int done = 0;

		if (*p == '{') {
			for (i = 0; i < nph; i++) {
				size_t kl = strlen(ph[i].key);

				if (strncmp(p + 1, ph[i].key, kl) == 0 && p[1 + kl] == '}') {
					(void)acs_buf_puts(&b, ph[i].val);
					p += kl + 2;
					done = 1;
					break;
				}
			}
		}
		if (!done)
			(void)acs_buf_append(&b, p++, 1);
	}
	return acs_buf_steal(&b);
}

/* ------------------------------------------------------------------ */
/* the request log: rendering and predicates */

static const char *jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static double jtime(const json_t *e)
{
	return json_number_value(json_object_get(e, "time"));
}

static int is_method(const json_t *e, const char *m)
{
	const char *s = jstr(e, "method");

	return s != NULL && strcmp(s, m) == 0;
}

static int is_ep(const json_t *e, const char *ep)
{
	const char *s = jstr(e, "endpoint");

	return s != NULL && strcmp(s, ep) == 0;
}

static const json_t *jws_prot(const json_t *e)
{
	return json_object_get(json_object_get(e, "jws"), "protected");
}

static const json_t *jws_payload(const json_t *e)
{
	return json_object_get(json_object_get(e, "jws"), "payload");
}

/* The URL from "/s/<scenario>/..." on, to keep transcripts short. */
static const char *short_url(const char *u)
{
	const char *p = u != NULL ? strstr(u, "/s/") : NULL;

	return p != NULL ? p : (u != NULL ? u : "?");
}

static int fired(const json_t *e, const char *check_id)
{
	json_t *ck = json_object_get(e, "checks");
	size_t i;

	for (i = 0; i < json_array_size(ck); i++)
		if (strcmp(jstr(json_array_get(ck, i), "id") ? jstr(json_array_get(ck, i), "id")
		                                             : "",
		           check_id) == 0)
			return 1;
	return 0;
}

/* One log entry as text; full: with the JWS decoded and every check's message. */
static void render_entry(struct acs_buf *b, const json_t *e, int full)
{
	json_t *ck = json_object_get(e, "checks");
	size_t i;

	if (is_method(e, "VALIDATE")) {
		putf_capped(b, "#%lld VALIDATE %s %s token %s: %s%s%s\n",
		            (long long)json_integer_value(json_object_get(e, "seq")),
		            jstr(e, "endpoint") ? jstr(e, "endpoint") : "?",
		            jstr(e, "identifier") ? jstr(e, "identifier") : "?",
		            jstr(e, "token") ? jstr(e, "token") : "?",
		            jstr(e, "result") ? jstr(e, "result") : "?",
		            jstr(e, "detail") ? ": " : "",
		            jstr(e, "detail") ? jstr(e, "detail") : "");
	} else {
		putf_capped(b, "#%lld %s %s [%s] -> %lld%s%s%s%s%s\n",
		            (long long)json_integer_value(json_object_get(e, "seq")),
		            jstr(e, "method") ? jstr(e, "method") : "?", short_url(jstr(e, "url")),
		            jstr(e, "endpoint") ? jstr(e, "endpoint") : "?",
		            (long long)json_integer_value(json_object_get(e, "status")),
		            jstr(e, "problem") ? " " : "",
		            jstr(e, "problem") ? jstr(e, "problem") : "",
		            jstr(e, "misbehaviour") ? " (fault: " : "",
		            jstr(e, "misbehaviour") ? jstr(e, "misbehaviour") : "",
		            jstr(e, "misbehaviour") ? ")" : "");
		if (full && json_object_get(e, "jws") != NULL) {
			put_capped(b, "    protected: ", 15);
			put_json(b, jws_prot(e));
			put_capped(b, "\n    payload: ", 14);
			put_json(b, jws_payload(e));
			put_capped(b, "\n", 1);
		}
		if (full && jstr(e, "user_agent") != NULL)
			putf_capped(b, "    User-Agent: %s\n", jstr(e, "user_agent"));
	}
	if (json_array_size(ck) == 0)
		return;
	if (full) {
		for (i = 0; i < json_array_size(ck); i++) {
			const json_t *k = json_array_get(ck, i);

			putf_capped(b, "    ! %s (%s): %s\n", jstr(k, "id") ? jstr(k, "id") : "?",
			            jstr(k, "level") ? jstr(k, "level") : "?",
			            jstr(k, "message") ? jstr(k, "message") : "");
		}
		return;
	}
	put_capped(b, "    checks fired:", 17);
	for (i = 0; i < json_array_size(ck); i++) {
		const char *id = jstr(json_array_get(ck, i), "id");

		putf_capped(b, " %s", id != NULL ? id : "?");
	}
	put_capped(b, "\n", 1);
}

struct judge {
	struct client_run *cr;
	const json_t *log;
	struct route *rt;
	const struct scenario *s;
	struct acs_buf why; /* failures, one per line */
	int nfail;
	char first[512];
};

static void jfail(struct judge *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jfail(struct judge *j, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (j->nfail++ == 0)
		(void)snprintf(j->first, sizeof(j->first), "%s", line);
	putf_capped(&j->why, "- %s\n", line);
}

static long long seqof(const json_t *e)
{
	return (long long)json_integer_value(json_object_get(e, "seq"));
}

static int has_misbehave(const struct judge *j, const char *name)
{
	size_t i, nl = strlen(name);

	for (i = 0; i < json_array_size(j->s->misbehave); i++) {
		const char *m = json_string_value(json_array_get(j->s->misbehave, i));

		if (strncmp(m, name, nl) == 0 && (m[nl] == '\0' || m[nl] == '='))
			return 1;
	}
	return 0;
}

/*
 * Retry-After the CA gave on e, in seconds, or -1. The log's "retry_after"
 * when it records one; otherwise (assume) the mock CA's documented habit:
 * 1 s on 429 and 503, and on every fetch of an order, authorization or
 * challenge that was still pending or processing, which is taken to be the
 * case when the client fetched the same URL again.
 */
static double retry_after_of(const json_t *e, int assume)
{
	json_t *ra = json_object_get(e, "retry_after");
	long long st = (long long)json_integer_value(json_object_get(e, "status"));

	if (json_is_number(ra))
		return json_number_value(ra);
	if (json_is_string(ra))
		return atof(json_string_value(ra));
	if (st == 429 || st == 503)
		return 1.0; /* the mock CA's rate-limited and unavailable faults send 1 */
	if (assume && st == 200 && is_method(e, "POST") &&
	    (is_ep(e, "order") || is_ep(e, "authz") || is_ep(e, "challenge")))
		return 1.0;
	return -1;
}

static void p_retried_bad_nonce(struct judge *j)
{
	size_t i, k, n = json_array_size(j->log), seen = 0;

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i), *next = NULL;
		const char *want = jstr(e, "reply_nonce");
		const char *got;

		if (jstr(e, "problem") == NULL || strcmp(jstr(e, "problem"), "badNonce") != 0)
			continue;
		seen++;
		for (k = i + 1; k < n && next == NULL; k++) {
			const json_t *f = json_array_get(j->log, k);

			if (is_method(f, "POST") && jstr(f, "url") && jstr(e, "url") &&
			    strcmp(jstr(f, "url"), jstr(e, "url")) == 0)
				next = f;
		}
		if (next == NULL) {
			jfail(j,
			      "retried-bad-nonce: after badNonce on %s (#%lld) the client did not "
			      "send the request again (C027)",
			      short_url(jstr(e, "url")), seqof(e));
			continue;
		}
		got = jstr(jws_prot(next), "nonce");
		if (want != NULL && (got == NULL || strcmp(got, want) != 0))
			jfail(
			    j,
			    "retried-bad-nonce: the retry #%lld carried nonce \"%s\", not the one "
			    "from the badNonce response #%lld (\"%s\") (C028)",
			    seqof(next), got ? got : "(none)", seqof(e), want);
		else if (want == NULL && (fired(next, "client.8555.6_5.nonce-fresh") ||
		                          fired(next, "client.8555.6_5.nonce-present")))
			jfail(j,
			      "retried-bad-nonce: the retry #%lld carried a nonce the CA had not "
			      "issued or had already seen (C028)",
			      seqof(next));
	}
	if (seen == 0)
		jfail(j, "retried-bad-nonce: the CA never answered badNonce: the scenario's fault "
		         "was not reached");
}

/*
 * C029: an invalid Replay-Nonce ("a+b/=") is ignored. Sending it back fails,
 * and so does the next signed request after such a response carrying a
 * nonce the CA never issued: a client that "repairs" the value (certbot
 * re-encodes a+b/= as a-b_) has not ignored it either.
 */
static void p_ignored_invalid_nonce(struct judge *j)
{
	size_t i, k, n = json_array_size(j->log);

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *nonce = jstr(jws_prot(e), "nonce");

		if ((nonce != NULL && strcmp(nonce, "a+b/=") == 0) ||
		    fired(e, "client.8555.6_5_2.nonce-b64url")) {
			jfail(j,
			      "ignored-invalid-nonce: request #%lld used the invalid nonce \"%s\" "
			      "(C029)",
			      seqof(e), nonce ? nonce : "?");
			return;
		}
	}
	for (k = 1; k < n; k++) {
		const json_t *f = json_array_get(j->log, k), *e = NULL;
		const json_t *ck = json_object_get(f, "checks");
		const char *nonce = jstr(jws_prot(f), "nonce"), *mb;
		size_t m;

		if (nonce == NULL)
			continue;
		for (m = 0; m < json_array_size(ck); m++) {
			const json_t *x = json_array_get(ck, m);
			const char *id = jstr(x, "id"), *msg = jstr(x, "message");

			if (id != NULL && strcmp(id, "client.8555.6_5.nonce-fresh") == 0 &&
			    msg != NULL && strstr(msg, "never issued") != NULL)
				break;
		}
		if (m == json_array_size(ck))
			continue;
		/* the response just before it (validations aside) */
		for (i = k; i-- > 0 && e == NULL;)
			if (!is_method(json_array_get(j->log, i), "VALIDATE"))
				e = json_array_get(j->log, i);
		mb = e != NULL ? jstr(e, "misbehaviour") : NULL;
		if (mb == NULL || strcmp(mb, "replay-nonce-invalid") != 0)
			continue;
		jfail(j,
		      "ignored-invalid-nonce: right after #%lld gave the invalid Replay-Nonce "
		      "\"a+b/=\", request #%lld sent the nonce \"%s\", which the CA never issued "
		      "(the invalid value altered, not ignored) (C029)",
		      seqof(e), seqof(f), nonce);
		return;
	}
}

static void p_honoured_retry_after(struct judge *j)
{
	size_t i, k, n = json_array_size(j->log), seen = 0;
	int assume = !has_misbehave(j, "no-retry-after");

	for (i = 0; i < n && assume; i++)
		if (json_object_get(json_array_get(j->log, i), "retry_after") != NULL)
			assume = 0; /* the log records it: no guessing */
	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i);
		double ra = is_method(e, "VALIDATE") ? -1 : retry_after_of(e, assume);

		if (ra < 0)
			continue;
		seen++;
		for (k = i + 1; k < n; k++) {
			const json_t *f = json_array_get(j->log, k);

			if (is_method(f, "VALIDATE") || jstr(f, "url") == NULL)
				continue;
			/* a request that changed the state of something else in between
			   (answering a challenge, finalizing) makes a fresh fetch legitimate;
			   a repeat of the same request (a retried newOrder) is what
			   Retry-After governs, so the URL is compared first */
			if (strcmp(jstr(f, "url"), jstr(e, "url") ? jstr(e, "url") : "") != 0) {
				if (is_method(f, "POST") && json_is_object(jws_payload(f)))
					break;
				continue;
			}
			if (jtime(f) < jtime(e) + ra - 0.2)
				jfail(
				    j,
				    "honoured-retry-after: #%lld came %.2f s after #%lld, which "
				    "said Retry-After: %g%s",
				    seqof(f), jtime(f) - jtime(e), seqof(e), ra,
				    json_object_get(e, "retry_after") == NULL &&
				            json_integer_value(json_object_get(e, "status")) == 200
				        ? " (the mock CA's habit on pending and processing objects)"
				        : "");
			break;
		}
	}
	if (seen == 0)
		jfail(j, "honoured-retry-after: the CA gave no Retry-After: the scenario's fault "
		         "was not reached");
}

static void p_no_tight_poll(struct judge *j)
{
	size_t i, k, n = json_array_size(j->log);

	for (i = 0; i < n; i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *u = jstr(e, "url");
		size_t count = 0;

		if (u == NULL || is_method(e, "VALIDATE") || is_ep(e, "new-nonce") ||
		    is_ep(e, "directory"))
			continue;
		for (k = i; k < n; k++) {
			const json_t *f = json_array_get(j->log, k);

			if (jtime(f) > jtime(e) + 1.0)
				break;
			if (jstr(f, "url") != NULL && strcmp(jstr(f, "url"), u) == 0)
				count++;
		}
		if (count > 5) {
			jfail(j, "no-tight-poll: %zu requests to %s within 1 s from #%lld", count,
			      short_url(u), seqof(e));
			return;
		}
	}
}

static void p_no_challenge_post_on_valid(struct judge *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (is_method(e, "POST") && is_ep(e, "challenge") &&
		    json_is_object(jws_payload(e))) {
			jfail(j,
			      "no-challenge-post-on-valid: #%lld answered challenge %s of an "
			      "authorization that was already valid (C033)",
			      seqof(e), short_url(jstr(e, "url")));
			return;
		}
	}
}

static void p_no_finalize_after_invalid(struct judge *j)
{
	size_t i;
	long long bad = -1;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		/* challenge-invalid turns even a successful validation invalid */
		if (is_method(e, "VALIDATE") && jstr(e, "result") != NULL &&
		    (strcmp(jstr(e, "result"), "invalid") == 0 ||
		     has_misbehave(j, "challenge-invalid")) &&
		    bad < 0)
			bad = seqof(e);
		if (bad >= 0 && is_method(e, "POST") && is_ep(e, "finalize")) {
			jfail(j,
			      "no-finalize-after-invalid: #%lld finalized after validation #%lld "
			      "failed",
			      seqof(e), bad);
			return;
		}
	}
	if (bad < 0)
		jfail(j,
		      "no-finalize-after-invalid: no validation failed: the scenario's fault was "
		      "not reached");
}

static void p_only_get_directory(struct judge *j)
{
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (!is_ep(e, "directory") || !(is_method(e, "GET") || is_method(e, "HEAD"))) {
			jfail(j, "only-get-directory: #%lld %s %s after a v1 directory", seqof(e),
			      jstr(e, "method") ? jstr(e, "method") : "?",
			      short_url(jstr(e, "url")));
			return;
		}
	}
}

static void p_post_as_get_used(struct judge *j)
{
	static const char *const eps[] = {"account",   "orders",      "order", "authz",
	                                  "challenge", "certificate", NULL};
	size_t i, k;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const json_t *pl = jws_payload(e);
		int res = 0;

		for (k = 0; eps[k] != NULL; k++)
			res |= is_ep(e, eps[k]);
		if (!res)
			continue;
		if (is_method(e, "GET") || is_method(e, "HEAD")) {
			jfail(j, "post-as-get-used: #%lld fetched %s with a plain %s (C020)",
			      seqof(e), short_url(jstr(e, "url")), jstr(e, "method"));
			return;
		}
		/* orders, authorizations and certificates are only ever fetched (deactivation
		 * aside) */
		if (is_method(e, "POST") && (is_ep(e, "order") || is_ep(e, "orders") ||
		                             is_ep(e, "certificate") || is_ep(e, "authz"))) {
			int deact = json_is_object(pl) && json_object_size(pl) == 1 &&
			            json_object_get(pl, "status") != NULL;

			if (pl != NULL && !(json_is_string(pl) && json_string_length(pl) == 0) &&
			    !deact) {
				jfail(j,
				      "post-as-get-used: #%lld POST-as-GET of %s with a non-empty "
				      "payload (C021)",
				      seqof(e), short_url(jstr(e, "url")));
				return;
			}
		}
	}
}

static size_t on_discard(char *p, size_t sz, size_t n, void *ud)
{
	return on_fwd_body(p, sz, n, ud);
}

static void p_deprovisioned_http01(struct judge *j)
{
	size_t i, seen = 0;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *tok = jstr(e, "token"), *id = jstr(e, "identifier");
		char url[600], host[320];
		struct curl_slist *h;
		struct acs_buf body;
		long status = 0;
		CURL *c;

		if (!is_method(e, "VALIDATE") || !is_ep(e, "http-01") || tok == NULL ||
		    id == NULL || jstr(e, "result") == NULL ||
		    strcmp(jstr(e, "result"), "valid") != 0)
			continue;
		seen++;
		(void)snprintf(url, sizeof(url),
		               "http://127.0.0.1:%d/.well-known/acme-challenge/%s",
		               j->cr->front_port, tok);
		(void)snprintf(host, sizeof(host), "Host: %s", id);
		acs_buf_init(&body, FRONT_BODY_CAP);
		c = curl_easy_init();
		if (c == NULL)
			continue;
		h = curl_slist_append(NULL, host);
		(void)curl_easy_setopt(c, CURLOPT_URL, url);
		(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 6000L);
		(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		(void)curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
		(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_discard);
		(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
		if (curl_easy_perform(c) == CURLE_OK)
			(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200 && body.data != NULL && strstr(body.data, tok) != NULL)
			jfail(
			    j,
			    "deprovisioned-http01: after the client exited, the key authorization "
			    "for %s is still served at /.well-known/acme-challenge/%s (C057)",
			    id, tok);
		curl_slist_free_all(h);
		curl_easy_cleanup(c);
		acs_buf_free(&body);
	}
	if (seen == 0)
		jfail(j, "deprovisioned-http01: no http-01 validation succeeded");
}

static void p_deprovisioned_dns01(struct judge *j)
{
	struct txt_rec *t;
	int set = 0;

	pthread_mutex_lock(&j->cr->lock);
	for (t = j->rt->txt; t != NULL; t = t->next) {
		set = 1;
		if (!t->cleared) {
			jfail(j,
			      "deprovisioned-dns01: the TXT record %s \"%s\" was never cleared "
			      "(C059)",
			      t->name, t->value);
			break;
		}
	}
	pthread_mutex_unlock(&j->cr->lock);
	if (!set)
		jfail(j, "deprovisioned-dns01: the client set no TXT record through {dns_hook}");
}

static void p_account_reused(struct judge *j)
{
	const char *kid0 = NULL;
	char *jwk0 = NULL;
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);
		const char *kid = jstr(jws_prot(e), "kid");
		const json_t *jwk = json_object_get(jws_prot(e), "jwk");

		if (kid != NULL && is_ep(e, "key-change") == 0) {
			if (kid0 == NULL)
				kid0 = kid;
			else if (strcmp(kid0, kid) != 0) {
				jfail(j,
				      "account-reused: #%lld signed as %s, earlier requests as %s",
				      seqof(e), kid, kid0);
				break;
			}
		}
		if (jwk != NULL && is_ep(e, "new-account")) {
			char *s = json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS);

			if (jwk0 == NULL) {
				jwk0 = s;
			} else {
				int same = s != NULL && strcmp(s, jwk0) == 0;

				free(s);
				if (!same) {
					jfail(j,
					      "account-reused: #%lld created an account with a new "
					      "key",
					      seqof(e));
					break;
				}
			}
		}
	}
	free(jwk0);
}

static void p_simple(struct judge *j, const char *name)
{
	size_t i;
	int fin = 0, dl = 0, rv = 0, kc = 0;

	for (i = 0; i < json_array_size(j->log); i++) {
		const json_t *e = json_array_get(j->log, i);

		if (strcmp(name, "csr-fresh-key") == 0 &&
		    fired(e, "client.8555.11_1.csr-key-not-account-key")) {
			jfail(j, "csr-fresh-key: #%lld sent a CSR with an account's key (C061)",
			      seqof(e));
			return;
		}
		fin |= is_method(e, "POST") && is_ep(e, "finalize");
		dl |= is_method(e, "POST") && is_ep(e, "certificate") &&
		      json_integer_value(json_object_get(e, "status")) == 200;
		rv |= is_method(e, "POST") && is_ep(e, "revoke-cert") &&
		      json_integer_value(json_object_get(e, "status")) == 200;
		kc |= is_method(e, "POST") && is_ep(e, "key-change") &&
		      json_integer_value(json_object_get(e, "status")) == 200;
	}
	if (strcmp(name, "revoked") == 0 && !rv)
		jfail(j, "revoked: the CA never accepted a revocation from the client");
	if (strcmp(name, "key-changed") == 0 && !kc)
		jfail(j, "key-changed: the CA never accepted a key change from the client");
	if (strcmp(name, "finalized") == 0 && !fin)
		jfail(j, "finalized: the client never sent a finalize request");
	if (strcmp(name, "downloaded-certificate") == 0 && !dl)
		jfail(j, "downloaded-certificate: the client never downloaded a certificate");
}

static void run_predicate(struct judge *j, const char *name)
{
	if (strcmp(name, "retried-bad-nonce") == 0)
		p_retried_bad_nonce(j);
	else if (strcmp(name, "ignored-invalid-nonce") == 0)
		p_ignored_invalid_nonce(j);
	else if (strcmp(name, "honoured-retry-after") == 0)
		p_honoured_retry_after(j);
	else if (strcmp(name, "no-tight-poll") == 0)
		p_no_tight_poll(j);
	else if (strcmp(name, "no-challenge-post-on-valid") == 0)
		p_no_challenge_post_on_valid(j);
	else if (strcmp(name, "no-finalize-after-invalid") == 0)
		p_no_finalize_after_invalid(j);
	else if (strcmp(name, "only-get-directory") == 0)
		p_only_get_directory(j);
	else if (strcmp(name, "post-as-get-used") == 0)
		p_post_as_get_used(j);
	else if (strcmp(name, "deprovisioned-http01") == 0)
		p_deprovisioned_http01(j);
	else if (strcmp(name, "deprovisioned-dns01") == 0)
		p_deprovisioned_dns01(j);
	else if (strcmp(name, "account-reused") == 0)
		p_account_reused(j);
	else
		p_simple(j, name);
}

/*
 * certificate: 1 when the CA issued a certificate for exactly names and the
 * client downloaded one; why says what is missing.
 */
static int got_certificate(struct client_run *cr, const char *scn, const json_t *log,
                           char names[][128], int nnames, char *why, size_t whylen)
{
	struct acs_ident want[MAX_NAMES];
	json_t *issued = acs_mockca_issued(cr->ca, scn);
	size_t i;
	int dl = 0, match = 0, k;

	for (i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);

		dl |= is_method(e, "POST") && is_ep(e, "certificate") &&
		      json_integer_value(json_object_get(e, "status")) == 200;
	}
	for (k = 0; k < nnames; k++) {
		memset(&want[k], 0, sizeof(want[k]));
		(void)snprintf(want[k].type, sizeof(want[k].type), "dns");
		(void)snprintf(want[k].value, sizeof(want[k].value), "%s", names[k]);
	}
	for (i = 0; i < json_array_size(issued) && !match; i++) {
		const char *pem = json_string_value(json_array_get(issued, i));
		struct acs_chain *ch = NULL;
		struct acs_ident *ids = NULL;
		size_t nids = 0;

		if (pem == NULL || acs_chain_parse(pem, strlen(pem), &ch, NULL) != 0)
			continue;
		if (ch->n > 0 && acs_cert_idents(ch->certs[0], &ids, &nids, NULL) == 0)
			match = acs_idents_equal_sets(ids, nids, want, (size_t)nnames);
		free(ids);
		acs_chain_free(ch);
	}
	if (!match)
		(void)snprintf(why, whylen, "%s",
		               json_array_size(issued) == 0
		                   ? "the CA issued no certificate"
		                   : "no issued certificate names exactly the "
		                     "scenario's names");
	else if (!dl)
		(void)snprintf(why, whylen,
		               "the CA issued a certificate but the client never "
		               "downloaded it");
	json_decref(issued);
	return match && dl;
}

/* ------------------------------------------------------------------ */
/* one scenario */

static void rand_label(char *out, size_t outlen)
{
	unsigned char r[4];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)rand();
	(void)snprintf(out, outlen, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

/* Append the tail of a recipe's log file to the evidence. */
static void add_logfile(struct acs_buf *out, const char *workdir, const char *rel)
{
	char path[PATH_MAX + 128];
	struct stat st;
	FILE *fp;
	char *data;
	size_t n;
	long off;

	(void)snprintf(path, sizeof(path), "%s/%s", workdir, rel);
	if (stat(path, &st) != 0 || (fp = fopen(path, "rb")) == NULL)
		return;
	off = st.st_size > LOGFILE_TAIL ? (long)(st.st_size - LOGFILE_TAIL) : 0;
	data = malloc(LOGFILE_TAIL);
	if (data != NULL && fseek(fp, off, SEEK_SET) == 0) {
		n = fread(data, 1, LOGFILE_TAIL, fp);
		putf_capped(out, "\n--- %s (%s%lld bytes) ---\n", rel, off > 0 ? "last of " : "",
		            (long long)st.st_size);
		put_capped(out, data, n);
	}
	free(data);
	fclose(fp);
}

static int env_add(char ***envp, size_t *n, size_t *cap, const char *k, const char *v)
{
	char *s;
	size_t len = strlen(k) + strlen(v) + 2;

	if (*n + 2 > *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		char **ne = realloc(*envp, nc * sizeof(*ne));

		if (ne == NULL)
			return -1;
		*envp = ne;
		*cap = nc;
	}
	s = malloc(len);
	if (s == NULL)
		return -1;
	(void)snprintf(s, len, "%s=%s", k, v);
	(*envp)[(*n)++] = s;
	(*envp)[*n] = NULL;
	return 0;
}

static void free_strv(char **v)
{
	size_t i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

static void route_free(struct route *rt)
{
	struct txt_rec *t, *next;

	if (rt == NULL)
		return;
	for (t = rt->txt; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	free(rt);
}

static void route_remove(struct client_run *cr, struct route *rt)
{
	struct route **pp;
	struct txt_rec *t;

	pthread_mutex_lock(&cr->lock);
	for (pp = &cr->routes; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == rt) {
			*pp = rt->next;
			break;
		}
	}
	for (t = rt->txt; t != NULL; t = t->next)
		acs_dns_txt_clear(cr->resp, t->name);
	pthread_mutex_unlock(&cr->lock);
}

static void set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? strdup(s) : NULL;
}

/*
 * Make the mock-CA scenario require External Account Binding with a fresh
 * key identifier and HMAC key, written into kid and hmac.
 */
static int scenario_eab(struct client_run *cr, const char *scn, char *kid, size_t kidlen,
                        char *hmac, size_t hmaclen, struct acs_err *err)
{
	unsigned char key[32];
	char lab[16], *b64;
	int rc;

	rand_label(lab, sizeof(lab));
	(void)snprintf(kid, kidlen, "acmespec-eab-%s", lab);
	if (RAND_bytes(key, sizeof(key)) != 1)
		return acs_err_set(err, ACS_E_CRYPTO, "cannot make an EAB key");
	b64 = acs_b64url_encode(key, sizeof(key));
	if (b64 == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	(void)snprintf(hmac, hmaclen, "%s", b64);
	free(b64);
	rc = acs_mockca_scenario_eab(cr->ca, scn, kid, hmac, err);
	return rc != 0 ? acs_err_prefix(err, "cannot require EAB") : 0;
}

static void scenario_run(void *ctx, const struct acs_case *c, struct acs_result *r)
{
	struct client_run *cr = ctx;
	struct scenario s;
	struct acs_err err = {0};
	struct route *rt = NULL;
	struct acs_buf out, tr, exp;
	struct proc_result pr;
	struct judge j;
	struct capture *cap = NULL;
	struct ph ph[32];
	size_t nph = 0, nenv = 0, capn = 0, i, idx = (size_t)(c - cr->cat->cases);
	char scn[80], workdir[PATH_MAX], acme_dir[PATH_MAX + 64], webroot[PATH_MAX + 16];
	char http_port[16], alpn_port[16], runbuf[8], domains_c[MAX_NAMES * 130];
	char domains_s[MAX_NAMES * 130], why[512];
	char ordered[MAX_NAMES][128], eab_kid[64] = "", eab_hmac[64] = "", wild[140] = "";
	char **envp = NULL, **argv = NULL;
	char *dir_url = NULL;
	json_t *log = NULL;
	const char *slug = strrchr(c->id, '.');
	int serial = 0, run, unsupported = 0, k, nreq;
	unsigned num;

	memset(&j, 0, sizeof(j));
	acs_buf_init(&out, OUTPUT_HEAD + OUTPUT_TAIL + 4 * LOGFILE_TAIL + 4096);
	acs_buf_init(&tr, TRANSCRIPT_CAP);
	acs_buf_init(&exp, 4096);
	acs_buf_init(&j.why, 8192);
	memset(&pr, 0, sizeof(pr));
	r->raw = ACS_ERROR;
	if (scenario_parse(c, &s, &err) != 0) {
		set_str(&r->message, err.msg);
		goto out;
	}
	if (cr->recipe != NULL && !recipe_can(cr->recipe, s.challenge)) {
		char m[256];

		(void)snprintf(m, sizeof(m), "the %s recipe cannot answer %s challenges",
		               cr->recipe->name, s.challenge);
		r->raw = ACS_UNSUPPORTED;
		set_str(&r->message, m);
		goto out;
	}
	/* scenarios that share one fixed port take turns */
	serial =
	    strcmp(s.challenge, "tls-alpn-01") == 0 || cr->cli->http01_port != ACS_CLI_PORT_UNSET;
	if (serial)
		pthread_mutex_lock(&cr->serial);

	pthread_mutex_lock(&cr->lock);
	num = ++cr->counter;
	pthread_mutex_unlock(&cr->lock);
	(void)snprintf(scn, sizeof(scn), "c%u-%.40s", num, slug != NULL ? slug + 1 : "case");
	if (acs_mockca_scenario_add(cr->ca, scn, &err) != 0) {
		set_str(&r->message, err.msg);
		goto out;
	}
	for (i = 0; i < json_array_size(s.misbehave); i++) {
		const char *spec = json_string_value(json_array_get(s.misbehave, i));

		if (acs_mockca_misbehave(cr->ca, scn, spec, &err) != 0) {
			char m[1200];

			(void)snprintf(m, sizeof(m), "%s: misbehave \"%s\": %s", c->file, spec,
			               err.msg);
			set_str(&r->message, m);
			goto out;
		}
	}
	if (s.eab && scenario_eab(cr, scn, eab_kid, sizeof(eab_kid), eab_hmac, sizeof(eab_hmac),
	                          &err) != 0) {
		set_str(&r->message, err.msg);
		goto out;
	}
	dir_url = acs_mockca_directory_url(cr->ca, scn);
	rt = calloc(1, sizeof(*rt));
	cap = calloc(1, sizeof(*cap));
	if (dir_url == NULL || rt == NULL || cap == NULL) {
		set_str(&r->message, "out of memory");
		goto out;
	}
	(void)snprintf(workdir, sizeof(workdir), "%s/%s", cr->basedir, scn);
	(void)snprintf(webroot, sizeof(webroot), "%s/webroot", workdir);
	(void)snprintf(acme_dir, sizeof(acme_dir), "%s/.well-known/acme-challenge", webroot);
	if (mkdir_p(acme_dir) != 0) {
		char m[PATH_MAX + 64];

		(void)snprintf(m, sizeof(m), "cannot create %s: %s", acme_dir, strerror(errno));
		set_str(&r->message, m);
		goto out;
	}
	domains_c[0] = domains_s[0] = '\0';
	for (k = 0; k < s.names; k++) {
		char lab[16];
		size_t l;

		rand_label(lab, sizeof(lab));
		(void)snprintf(rt->names[k], sizeof(rt->names[k]), "%s%s%.0d.acmespec.test", lab,
		               k > 0 ? "-" : "", k > 0 ? k + 1 : 0);
		/* routes keep the base name; the client orders *.NAME for a wildcard */
		(void)snprintf(ordered[k], sizeof(ordered[k]), "%s%s",
		               k == 0 && s.wildcard ? "*." : "", rt->names[k]);
		l = strlen(domains_c);
		(void)snprintf(domains_c + l, sizeof(domains_c) - l, "%s%s", k ? "," : "",
		               ordered[k]);
		l = strlen(domains_s);
		(void)snprintf(domains_s + l, sizeof(domains_s) - l, "%s%s", k ? " " : "",
		               ordered[k]);
	}
	rt->nnames = s.names;
	if (s.wildcard)
		(void)snprintf(wild, sizeof(wild), "%s", ordered[0]);
	(void)snprintf(rt->webroot, sizeof(rt->webroot), "%s", webroot);
	rt->http01_port =
	    cr->cli->http01_port != ACS_CLI_PORT_UNSET ? cr->cli->http01_port : free_port();
	pthread_mutex_lock(&cr->lock);
	rt->next = cr->routes;
	cr->routes = rt;
	pthread_mutex_unlock(&cr->lock);

	(void)snprintf(http_port, sizeof(http_port), "%d", rt->http01_port);
	(void)snprintf(alpn_port, sizeof(alpn_port), "%d", cr->tlsalpn01_port);
	{
		static const char *const dkeys[MAX_NAMES] = {"domain", "domain2", "domain3",
		                                             "domain4"};
		static const char *const denv[MAX_NAMES] = {"ACMESPEC_DOMAIN", "ACMESPEC_DOMAIN2",
		                                            "ACMESPEC_DOMAIN3", "ACMESPEC_DOMAIN4"};
		const struct {
			const char *key, *env, *val;
		} vars[] = {
		    {"directory", "ACMESPEC_DIRECTORY", dir_url},
		    {"ca_bundle", "ACMESPEC_CA_BUNDLE", acs_mockca_bundle_path(cr->ca)},
		    {"domains", NULL, domains_c},
		    {NULL, "ACMESPEC_DOMAINS", domains_s},
		    {"challenge", "ACMESPEC_CHALLENGE", s.challenge},
		    {"http01_port", "ACMESPEC_HTTP01_PORT", http_port},
		    {"tlsalpn01_port", "ACMESPEC_TLSALPN01_PORT", alpn_port},
		    {"webroot", "ACMESPEC_WEBROOT", webroot},
		    {"acme_dir", "ACMESPEC_ACME_DIR", acme_dir},
		    {"dns_hook", "ACMESPEC_DNS_HOOK", cr->dns_hook},
		    {NULL, "ACMESPEC_DNS_SOCKET", cr->dns_sock},
		    {NULL, "ACMESPEC_DNS_SERVER", cr->dns_server},
		    {"case", "ACMESPEC_CASE", c->id},
		    {"workdir", "ACMESPEC_WORKDIR", workdir},
		    {"run", "ACMESPEC_RUN", runbuf},
		    /* scenario features: the environment only has them when they are on */
		    {"contact", "ACMESPEC_CONTACT", "mailto:acmespec@acmespec.test"},
		    {"eab_kid", s.eab ? "ACMESPEC_EAB_KID" : NULL, eab_kid},
		    {"eab_hmac", s.eab ? "ACMESPEC_EAB_HMAC" : NULL, eab_hmac},
		    {"key_change", "ACMESPEC_KEY_CHANGE", s.key_change ? "1" : "0"},
		    {"revoke", "ACMESPEC_REVOKE", s.revoke ? "1" : "0"},
		    {"wildcard", s.wildcard ? "ACMESPEC_WILDCARD" : NULL, wild},
		};

		(void)snprintf(runbuf, sizeof(runbuf), "1");
		for (i = 0; environ[i] != NULL; i++)
			if (strncmp(environ[i], "ACMESPEC_", 9) != 0 &&
			    env_add(&envp, &nenv, &capn, "", environ[i]) == 0)
				memmove(envp[nenv - 1], envp[nenv - 1] + 1, strlen(envp[nenv - 1]));
		for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
			if (vars[i].key != NULL)
				ph[nph++] = (struct ph){vars[i].key, vars[i].val};
			if (vars[i].env != NULL &&
			    env_add(&envp, &nenv, &capn, vars[i].env, vars[i].val) != 0)
				goto nomem;
		}
		for (k = 0; k < s.names; k++) {
			ph[nph++] = (struct ph){dkeys[k], rt->names[k]};
			if (env_add(&envp, &nenv, &capn, denv[k], rt->names[k]) != 0)
				goto nomem;
		}
	}
	for (run = 1; run <= s.runs; run++) {
		char *script_argv[5];
		size_t a;

		(void)snprintf(runbuf, sizeof(runbuf), "%d", run);
		for (i = 0; envp[i] != NULL; i++)
			if (strncmp(envp[i], "ACMESPEC_RUN=", 13) == 0)
				(void)snprintf(envp[i] + 13, 2, "%d", run);
		free_strv(argv);
		argv = NULL;
		if (cr->recipe != NULL) {
			char name[64];

			(void)snprintf(name, sizeof(name), "acmespec-%s", cr->recipe->name);
			script_argv[0] = "/bin/sh";
			script_argv[1] = "-c";
			script_argv[2] = (char *)cr->recipe->script;
			script_argv[3] = name;
			script_argv[4] = NULL;
			argv = calloc(5, sizeof(*argv));
			for (a = 0; argv != NULL && a < 4; a++)
				argv[a] = strdup(script_argv[a]);
		} else {
			argv = calloc((size_t)cr->argc + 1, sizeof(*argv));
			for (a = 0; argv != NULL && a < (size_t)cr->argc; a++)
				argv[a] = interpolate(cr->argv[a], ph, nph);
		}
		if (argv == NULL)
			goto nomem;
		run_process(argv, envp, workdir, cr->cli->timeout, cap, &pr);
		if (!pr.started)
			break;
		if (s.runs > 1) {
			capture_render(cap, &out);
			putf_capped(&out, "\n--- run %d: %s %d after %.1f s ---\n", run,
			            pr.timed_out ? "killed at the timeout," : "exit", pr.status,
			            pr.seconds);
			memset(cap, 0, sizeof(*cap));
		}
		if (pr.exited && pr.status == 127)
			unsupported = 1;
		if (unsupported || pr.timed_out)
			break;
	}
	if (s.runs == 1)
		capture_render(cap, &out);
	if (cr->recipe != NULL && cr->recipe->logfile != NULL)
		add_logfile(&out, workdir, cr->recipe->logfile);

	/* judge */
	log = acs_mockca_log(cr->ca, scn);
	nreq = 0;
	for (i = 0; i < json_array_size(log); i++)
		nreq += !is_method(json_array_get(log, i), "VALIDATE");
	for (i = 0; i < json_array_size(log); i++)
		render_entry(&tr, json_array_get(log, i), 0);
	if (!pr.started) {
		set_str(&r->message, pr.msg);
		goto done;
	}
	if (unsupported) {
		r->raw = ACS_UNSUPPORTED;
		set_str(&r->message, "the client does not support this scenario (exit 127)");
		goto done;
	}
	if (nreq == 0) {
		char m[256];

		(void)snprintf(
		    m, sizeof(m),
		    "the client never contacted the mock CA (%s %d after %.1f s): check the "
		    "command",
		    pr.timed_out ? "killed at the timeout," : "exit", pr.status, pr.seconds);
		set_str(&r->message, m);
		goto done;
	}
	j.cr = cr;
	j.log = log;
	j.rt = rt;
	j.s = &s;
	(void)acs_buf_printf(&exp, "exit %s",
	                     s.exit == EXIT_ZERO      ? "zero"
	                     : s.exit == EXIT_NONZERO ? "nonzero"
	                                              : "any");
	if (pr.timed_out) {
		jfail(&j, "the client did not finish within %.0f s and was killed",
		      cr->cli->timeout);
	} else if (!pr.exited) {
		jfail(&j, "the client died of signal %d", pr.status);
	} else if ((s.exit == EXIT_ZERO && pr.status != 0) ||
	           (s.exit == EXIT_NONZERO && pr.status == 0)) {
		jfail(&j, "the client exited %d, expected %s", pr.status,
		      s.exit == EXIT_ZERO ? "0" : "a failure (non-zero)");
	}
	if (s.certificate >= 0) {
		int got;

		why[0] = '\0';
		got = got_certificate(cr, scn, log, ordered, rt->nnames, why, sizeof(why));
		(void)acs_buf_printf(&exp, ", %s",
		                     s.certificate ? "a certificate for exactly the "
		                                     "scenario's names, downloaded"
		                                   : "no certificate issued");
		if (s.certificate && !got)
			jfail(&j, "certificate: %s", why);
		if (!s.certificate) {
			json_t *iss = acs_mockca_issued(cr->ca, scn);

			if (json_array_size(iss) > 0)
				jfail(&j,
				      "certificate: the CA issued a certificate, expected none");
			json_decref(iss);
		}
	}
	for (i = 0; i < json_array_size(s.asserts); i++) {
		const char *p = json_string_value(json_array_get(s.asserts, i));

		(void)acs_buf_printf(&exp, ", %s", p);
		run_predicate(&j, p);
	}
	for (i = 0; i < json_array_size(s.output); i++) {
		char *want = interpolate(json_string_value(json_array_get(s.output, i)), ph, nph);

		(void)acs_buf_printf(&exp, ", output contains \"%s\"", want ? want : "");
		if (want != NULL && (out.data == NULL || strstr(out.data, want) == NULL))
			jfail(&j, "output_contains: the client's output does not mention \"%s\"",
			      want);
		free(want);
	}
	set_str(&r->expected, exp.data);
	if (j.nfail == 0) {
		char m[160];

		r->raw = ACS_PASS;
		(void)snprintf(m, sizeof(m), "%d request%s, exit %d after %.1f s", nreq,
		               nreq == 1 ? "" : "s", pr.status, pr.seconds);
		set_str(&r->message, m);
	} else {
		r->raw = c->level == ACS_MUST ? ACS_FAIL : ACS_NONSTRICT;
		set_str(&r->message, j.first);
		set_str(&r->actual, j.why.data);
	}
	goto done;
nomem:
	set_str(&r->message, "out of memory");
done:
	if (rt != NULL)
		route_remove(cr, rt);
	{
		struct acs_buf head;

		acs_buf_init(&head, TRANSCRIPT_CAP + 512);
		putf_capped(&head, "scenario %s, directory %s, names %s, challenge %s\n", scn,
		            dir_url ? dir_url : "?", domains_c, s.challenge);
		if (tr.data != NULL)
			put_capped(&head, tr.data, tr.len);
		set_str(&r->transcript, head.data);
		acs_buf_free(&head);
	}
	if (out.data != NULL)
		set_str(&r->client_output, out.data);
	pthread_mutex_lock(&cr->lock);
	cr->outs[idx].ran = 1;
	cr->outs[idx].log = log;
	log = NULL;
	free(cr->outs[idx].scn);
	cr->outs[idx].scn = strdup(scn);
	pthread_mutex_unlock(&cr->lock);
	(void)acs_mockca_scenario_remove(cr->ca, scn, NULL);
	if (!cr->keep_workdir)
		rm_tree(workdir);
out:
	if (serial)
		pthread_mutex_unlock(&cr->serial);
	route_free(rt);
	json_decref(log);
	free(cap);
	free(dir_url);
	free_strv(envp);
	free_strv(argv);
	acs_buf_free(&out);
	acs_buf_free(&tr);
	acs_buf_free(&exp);
	acs_buf_free(&j.why);
}

/* ------------------------------------------------------------------ */
/* the request checks as results */

/* Which kind of request a check needs to have been exercised at all. */
static const struct {
	const char *part;
	const char *need;
} check_needs[] = {
    {".7_3_4.", "eab"},
    {".7_3_5.", "key-change"},
    {".7_4.", "finalize"},
    {".11_1.", "finalize"},
    {".8_3.", "http-01"},
    {".8_4.", "dns-01"},
    {"client.8737.", "tls-alpn-01"},
    {".7_3.mailto", "contact"},
};

static int exercised(const json_t *log, const char *need)
{
	size_t i;

	for (i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);
		const json_t *pl = jws_payload(e);

		if (strcmp(need, "eab") == 0 && is_ep(e, "new-account") &&
		    json_object_get(pl, "externalAccountBinding") != NULL)
			return 1;
		if (strcmp(need, "contact") == 0 &&
		    (is_ep(e, "new-account") || is_ep(e, "account")) &&
		    json_object_get(pl, "contact") != NULL)
			return 1;
		if (strcmp(need, "key-change") == 0 && is_ep(e, "key-change"))
			return 1;
		if (strcmp(need, "finalize") == 0 && is_ep(e, "finalize"))
			return 1;
		if (is_method(e, "VALIDATE") && is_ep(e, need))
			return 1;
	}
	return 0;
}

static const char *check_need(const char *id)
{
	size_t i;

	for (i = 0; i < sizeof(check_needs) / sizeof(check_needs[0]); i++)
		if (strstr(id, check_needs[i].part) != NULL)
			return check_needs[i].need;
	return NULL;
}

static char **split_csv(const char *s)
{
	char **v;
	size_t n = 1, i, k = 0;
	const char *p;

	for (p = s; *p; p++)
		n += *p == ',';
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL)
		return NULL;
	for (p = s, i = 0; i < n; i++) {
		size_t l = strcspn(p, ",");

		while (l > 0 && *p == ' ') {
			p++;
			l--;
		}
		v[k] = strndup(p, l);
		if (v[k] != NULL)
			k++;
		p += l + (p[l] == ',');
	}
	return v;
}

/* Synthetic catalog entries for the mock CA's request checks. *out: new array. */
static int make_check_cases(struct acs_case **out, size_t *n)
{
	static char *const tags_src[] = {"check", NULL};
	const struct acs_mockca_check *ck;
	struct acs_case *cs;
	size_t nck, i;

	ck = acs_mockca_checks(&nck);
	cs = calloc(nck ? nck : 1, sizeof(*cs));
	if (cs == NULL)
		return -1;
	for (i = 0; i < nck; i++) {
		char title[300];

		(void)snprintf(title, sizeof(title), "request check: %s", ck[i].words);
		cs[i].id = strdup(ck[i].id);
		cs[i].file = strdup("(mock CA request check)");
		cs[i].side = strdup("client");
		cs[i].rfc = strdup(ck[i].rfc);
		cs[i].section = strdup(ck[i].section);
		if (acs_level_parse(ck[i].level, &cs[i].level) != 0)
			cs[i].level = ACS_MUST;
		cs[i].title = strdup(title);
		cs[i].requirement = strdup(ck[i].words);
		cs[i].tags = calloc(2, sizeof(char *));
		if (cs[i].tags != NULL)
			cs[i].tags[0] = strdup(tags_src[0]);
		cs[i].covers = split_csv(ck[i].covers ? ck[i].covers : "");
	}
	*out = cs;
	*n = nck;
	return 0;
}

static void judge_check(struct client_run *cr, const struct acs_case *cc, struct acs_result *r,
                        const char *rerun_prefix, const char *rerun_suffix)
{
	struct acs_buf tr, names, rerun;
	const char *need = check_need(cc->id);
	size_t i, k, m, nran = 0, nfired = 0, nreq = 0, count = 0;
	int applies = need == NULL;
	char first[600] = "";

	acs_buf_init(&tr, TRANSCRIPT_CAP);
	acs_buf_init(&names, 8192);
	acs_buf_init(&rerun, 8192);
	(void)acs_buf_printf(&rerun, "%s", rerun_prefix);
	r->c = cc;
	for (i = 0; i < cr->cat->n; i++) {
		const struct scen_out *so = &cr->outs[i];
		const json_t *hit = NULL;
		size_t here = 0;

		if (!so->ran || so->log == NULL)
			continue;
		nran++;
		if (need != NULL && exercised(so->log, need))
			applies = 1;
		for (k = 0; k < json_array_size(so->log); k++) {
			const json_t *e = json_array_get(so->log, k);
			const json_t *cks = json_object_get(e, "checks");

			nreq += !is_method(e, "VALIDATE");
			for (m = 0; m < json_array_size(cks); m++) {
				const json_t *x = json_array_get(cks, m);

				if (jstr(x, "id") == NULL || strcmp(jstr(x, "id"), cc->id) != 0)
					continue;
				here++;
				if (hit == NULL) {
					hit = e;
					if (first[0] == '\0')
						(void)snprintf(
						    first, sizeof(first), "%s",
						    jstr(x, "message") ? jstr(x, "message") : "");
				}
			}
		}
		if (hit == NULL)
			continue;
		count += here;
		if (nfired++ < 3) {
			putf_capped(&tr, "in scenario %s (%zu time%s), first:\n",
			            cr->cat->cases[i].id, here, here == 1 ? "" : "s");
			render_entry(&tr, hit, 1);
		}
		putf_capped(&names, "%s%s", names.len ? ", " : "", cr->cat->cases[i].id);
		(void)acs_buf_printf(&rerun, " --case %s", cr->cat->cases[i].id);
	}
	if (nfired > 0) {
		char m2[1024];

		r->raw = cc->level == ACS_MUST ? ACS_FAIL : ACS_NONSTRICT;
		(void)snprintf(m2, sizeof(m2), "fired %zu time%s in %zu scenario%s: %s", count,
		               count == 1 ? "" : "s", nfired, nfired == 1 ? "" : "s", first);
		set_str(&r->message, m2);
		set_str(&r->expected, cc->requirement);
		set_str(&r->actual, names.data);
		set_str(&r->transcript, tr.data);
		(void)acs_buf_puts(&rerun, rerun_suffix);
		set_str(&r->rerun, rerun.data);
	} else if (nreq == 0) {
		r->raw = ACS_ERROR;
		set_str(&r->message, "no request reached the mock CA in any scenario");
	} else if (!applies) {
		char m2[256];

		r->raw = ACS_SKIPPED;
		(void)snprintf(m2, sizeof(m2),
		               "not exercised: no scenario made the client send a "
		               "request it applies to (%s)",
		               need);
		set_str(&r->message, m2);
	} else {
		char m2[256];

		r->raw = ACS_PASS;
		(void)snprintf(m2, sizeof(m2), "held for %zu requests in %zu scenario%s", nreq,
		               nran, nran == 1 ? "" : "s");
		set_str(&r->message, m2);
	}
	acs_buf_free(&tr);
	acs_buf_free(&names);
	acs_buf_free(&rerun);
}

/* ------------------------------------------------------------------ */
/* acmespec client */

static int cmp_case_ptr(const void *a, const void *b)
{
	return strcmp(((const struct acs_case *)a)->id, ((const struct acs_case *)b)->id);
}

static void client_progress(void *ctx, const struct acs_result *r, size_t done, size_t total)
{
	struct client_run *cr = ctx;

	acs_console_case(&cr->con, r, done, total);
	fflush(cr->con.out);
}

static int start_infra(struct client_run *cr, struct acs_err *err)
{
	struct acs_responders_opts ro = {0};
	struct acs_mockca_opts mo = {0};
	const char *tmp = getenv("TMPDIR");
	char self[PATH_MAX];
	ssize_t sl;
	int h, t, d;

	(void)snprintf(cr->basedir, sizeof(cr->basedir), "%s/acmespec-client-XXXXXX",
	               tmp != NULL && tmp[0] != '\0' && strlen(tmp) < 60 ? tmp : "/tmp");
	if (mkdtemp(cr->basedir) == NULL)
		return acs_err_set(err, ACS_E_IO, "cannot create a work directory under %s: %s",
		                   tmp ? tmp : "/tmp", strerror(errno));
	ro.bind_addr = "127.0.0.1";
	ro.http01_port = -1;
	ro.tlsalpn01_port = -1;
	ro.dns_port = cr->cli->dns_port != ACS_CLI_PORT_UNSET ? cr->cli->dns_port : 0;
	ro.dns_a_answer = "127.0.0.1";
	if (acs_responders_start(&cr->resp, &ro, err) != 0)
		return acs_err_prefix(err, "cannot start the DNS responder");
	acs_responders_ports(cr->resp, &h, &t, &d);
	cr->dns_port = d;
	(void)snprintf(cr->dns_server, sizeof(cr->dns_server), "127.0.0.1:%d", d);
	if (front_start(cr, err) != 0 || dns_start(cr, err) != 0)
		return err->code;
	cr->tlsalpn01_port =
	    cr->cli->tlsalpn01_port != ACS_CLI_PORT_UNSET ? cr->cli->tlsalpn01_port : free_port();
	mo.bind_addr = "127.0.0.1";
	mo.http01_port = cr->front_port;
	mo.tlsalpn01_port = cr->tlsalpn01_port;
	mo.dns_server = cr->dns_server;
	mo.validate_addr = "127.0.0.1";
	if (acs_mockca_start(&cr->ca, &mo, err) != 0)
		return acs_err_prefix(err, "cannot start the mock CA");
	sl = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (sl <= 0)
		return acs_err_set(err, ACS_E_IO,
		                   "cannot find the acmespec executable for {dns_hook}");
	self[sl] = '\0';
	(void)snprintf(cr->dns_hook, sizeof(cr->dns_hook), "%s dns-hook", self);
	return 0;
}

static void stop_infra(struct client_run *cr)
{
	cr->stop = 1;
	if (cr->dns_thread_on)
		pthread_join(cr->dns_thread, NULL);
	if (cr->dns_fd > 0)
		close(cr->dns_fd);
	acs_mockca_stop(cr->ca);
	if (cr->front != NULL)
		MHD_stop_daemon(cr->front);
	acs_responders_stop(cr->resp);
	if (cr->basedir[0] != '\0') {
		if (cr->keep_workdir) {
			(void)unlink(cr->dns_sock);
			fprintf(stdout, "work directories kept in %s\n", cr->basedir);
		} else {
			rm_tree(cr->basedir);
		}
	}
}

int acs_cmd_client(const struct acs_cli *cli, const char *argv0)
{
	return acs_cmd_client_opts(cli, argv0, NULL);
}

int acs_cmd_client_opts(const struct acs_cli *cli, const char *argv0,
                        const struct acs_client_opts *o)
{
	struct client_run cr;
	struct acs_catalog *cat = NULL;
	struct acs_catalog merged = {0};
	struct acs_expectations *expect = NULL;
	struct acs_case *checks = NULL;
	struct acs_result *results = NULL, *all = NULL;
	struct acs_filter filter, runfilter;
	struct acs_run_opts run = {0};
	struct acs_run_info info = {0};
	struct acs_summary sum;
	struct acs_err err = {0};
	struct acs_buf prefix, suffix, target;
	struct timespec t0, t1;
	size_t n = 0, nck = 0, nall = 0, i, scen_match = 0, check_match = 0;
	const char *dir = acs_cli_cases_dir(cli);
	int rc = ACS_EXIT_USAGE;

	memset(&cr, 0, sizeof(cr));
	cr.dns_fd = -1;
	pthread_mutex_init(&cr.lock, NULL);
	pthread_mutex_init(&cr.serial, NULL);
	acs_buf_init(&prefix, 16384);
	acs_buf_init(&suffix, 16384);
	acs_buf_init(&target, 16384);
	cr.cli = cli;
	cr.keep_workdir = o != NULL && o->keep_workdir;
	if (o != NULL && o->recipe != NULL) {
		cr.recipe = find_recipe(o->recipe);
		if (cr.recipe == NULL) {
			fprintf(stderr,
			        "acmespec: unknown client recipe \"%s\": expected certbot, "
			        "lego, uacme, dehydrated or acme-tiny\n",
			        o->recipe);
			goto out;
		}
		if (cli->client_argc > 0) {
			fprintf(stderr,
			        "acmespec: --client %s and a command after \"--\" exclude each "
			        "other\n",
			        o->recipe);
			goto out;
		}
	} else if (cli->client_argc <= 0) {
		fprintf(stderr, "acmespec: acmespec client needs --client NAME or a command after "
		                "\"--\"\n");
		goto out;
	}
	cr.argv = cli->client_argv;
	cr.argc = cli->client_argc;

	if (acs_catalog_load(&cat, dir, "client", &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	cr.cat = cat;
	for (i = 0; i < cat->n; i++) {
		struct scenario s;

		if (scenario_parse(&cat->cases[i], &s, &err) != 0) {
			fprintf(stderr, "acmespec: %s\n", err.msg);
			goto out;
		}
	}
	if (make_check_cases(&checks, &nck) != 0) {
		fprintf(stderr, "acmespec: out of memory\n");
		goto out;
	}
	for (i = 0; i < nck; i++) {
		if (acs_catalog_find(cat, checks[i].id) != NULL) {
			fprintf(stderr, "acmespec: %s: id %s is a request check's id\n",
			        acs_catalog_find(cat, checks[i].id)->file, checks[i].id);
			goto out;
		}
	}
	/* one catalog of scenarios and checks, for the expectations' name check */
	merged.n = cat->n + nck;
	merged.cases = calloc(merged.n ? merged.n : 1, sizeof(*merged.cases));
	if (merged.cases == NULL)
		goto out;
	if (cat->n > 0)
		memcpy(merged.cases, cat->cases, cat->n * sizeof(*cat->cases));
	memcpy(merged.cases + cat->n, checks, nck * sizeof(*checks));
	qsort(merged.cases, merged.n, sizeof(*merged.cases), cmp_case_ptr);
	if (cli->expect_file != NULL &&
	    acs_expect_load(&expect, cli->expect_file, &merged, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	acs_cli_fill_filter(cli, &filter);
	for (i = 0; i < cat->n; i++)
		scen_match += acs_case_matches(&cat->cases[i], &filter) != 0;
	for (i = 0; i < nck; i++)
		check_match += acs_case_matches(&checks[i], &filter) != 0;
	if (scen_match == 0 && check_match == 0) {
		fprintf(stderr, "acmespec: no client case matches the filters\n");
		goto out;
	}
	/* filters naming only checks judge them over every scenario */
	runfilter = filter;
	if (scen_match == 0)
		memset(&runfilter, 0, sizeof(runfilter)), runfilter.level = -1;
	if (cat->n == 0) {
		fprintf(stderr, "acmespec: no client scenario in %s/client\n", dir);
		goto out;
	}
	cr.outs = calloc(cat->n, sizeof(*cr.outs));
	if (cr.outs == NULL)
		goto out;

	rc = ACS_EXIT_INFRA;
	if (start_infra(&cr, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	cr.con.out = stdout;
	cr.con.color = acs_cli_want_color(cli);
	cr.con.verbose = cli->verbose;
	cr.con.progress = isatty(fileno(stdout));

	(void)acs_buf_puts(&prefix, argv0);
	(void)acs_buf_puts(&prefix, " client");
	if (cr.recipe != NULL)
		(void)acs_buf_printf(&prefix, " --client %s", cr.recipe->name);
	if (cli->timeout != 30)
		(void)acs_buf_printf(&prefix, " --timeout %g", cli->timeout);
	if (cli->cases_dir != NULL) {
		(void)acs_buf_puts(&prefix, " --cases");
		acs_cli_shell_word(&prefix, cli->cases_dir);
	}
	if (cli->expect_file != NULL) {
		(void)acs_buf_puts(&prefix, " --expect");
		acs_cli_shell_word(&prefix, cli->expect_file);
	}
	if (cr.recipe == NULL) {
		(void)acs_buf_puts(&suffix, " --");
		for (i = 0; i < (size_t)cr.argc; i++) {
			acs_cli_shell_word(&suffix, cr.argv[i]);
			acs_cli_shell_word(&target, cr.argv[i]);
		}
	} else {
		(void)acs_buf_printf(&target, " %s (recipe)", cr.recipe->name);
	}
	(void)acs_buf_puts(&suffix, "");
	fprintf(stdout, "mock CA %s, client:%s\n", acs_mockca_base_url(cr.ca), target.data);
	fflush(stdout);

	run.jobs = cli->jobs;
	run.filter = &runfilter;
	run.expect = expect;
	run.rerun_prefix = prefix.data;
	run.run = scenario_run;
	run.run_ctx = &cr;
	run.progress = client_progress;
	run.progress_ctx = &cr;
	info.side = "client";
	info.target = target.data + 1;
	info.profile = cli->profile ? cli->profile : "rfc8555";
	info.expect_file = cli->expect_file;
	info.strict = cli->strict;
	info.jobs = cli->jobs;
	info.started = time(NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (acs_run(cat, &run, &results, &n, &err) != 0) {
		fprintf(stderr, "acmespec: %s\n", err.msg);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	info.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

	/* scenario results (only those the filter asked for) then check results */
	all = calloc(n + nck + 1, sizeof(*all));
	if (all == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		if (!acs_case_matches(results[i].c, &filter)) {
			acs_result_clear(&results[i]);
			continue;
		}
		if (results[i].rerun != NULL && suffix.len > 0) {
			struct acs_buf rr;

			acs_buf_init(&rr, 0);
			(void)acs_buf_printf(&rr, "%s%s", results[i].rerun, suffix.data);
			free(results[i].rerun);
			results[i].rerun = acs_buf_steal(&rr);
		}
		all[nall++] = results[i];
	}
	for (i = 0; i < nck; i++) {
		struct acs_result *r = &all[nall];

		if (!acs_case_matches(&checks[i], &filter))
			continue;
		memset(r, 0, sizeof(*r));
		judge_check(&cr, &checks[i], r, prefix.data, suffix.data);
		r->verdict = r->raw;
		acs_expect_apply(expect, r);
		nall++;
		acs_console_case(&cr.con, r, nall, nall);
	}
	acs_console_summary(&cr.con, &info, all, nall);
	acs_summarize(all, nall, &sum);
	rc = acs_exit_code(&sum, cli->strict);
	if (acs_cli_write_reports(cli, &info, all, nall) != 0 && rc == ACS_EXIT_OK)
		rc = ACS_EXIT_INFRA;
out:
	for (i = 0; i < nall; i++)
		acs_result_clear(&all[i]);
	free(all);
	free(results);
	stop_infra(&cr);
	for (i = 0; cr.outs != NULL && i < cat->n; i++) {
		json_decref(cr.outs[i].log);
		free(cr.outs[i].scn);
	}
	free(cr.outs);
	free(merged.cases);
	for (i = 0; i < nck; i++)
		acs_case_clear(&checks[i]);
	free(checks);
	acs_expect_free(expect);
	acs_catalog_free(cat);
	acs_buf_free(&prefix);
	acs_buf_free(&suffix);
	acs_buf_free(&target);
	pthread_mutex_destroy(&cr.lock);
	pthread_mutex_destroy(&cr.serial);
	return rc;
}

/* ------------------------------------------------------------------ */
/* acmespec dns-hook */

int acs_cmd_dns_hook(int argc, char **argv)
{
	const char *sock = getenv("ACMESPEC_DNS_SOCKET");
	struct sockaddr_un sa;
	char line[1200], reply[512];
	size_t got = 0;
	double deadline;
	int fd;

	if (argc < 3 || argc > 4 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fprintf(argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		            ? stdout
		            : stderr,
		        "usage: acmespec dns-hook set|clear NAME [VALUE]\n"
		        "puts (set, present) or removes (clear, cleanup) the TXT record NAME (the "
		        "domain or\n_acme-challenge.DOMAIN) in the DNS server of a running "
		        "acmespec client\n");
		return argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		           ? 0
		           : 2;
	}
	if (sock == NULL || sock[0] == '\0' || strlen(sock) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "acmespec dns-hook: ACMESPEC_DNS_SOCKET is not set: run me from a "
		                "command that acmespec client started\n");
		return 2;
	}
	if (strlen(argv[2]) > 400 || (argc == 4 && strlen(argv[3]) > 400) ||
	    strpbrk(argv[2], " \t\r\n") != NULL ||
	    (argc == 4 && strpbrk(argv[3], " \t\r\n") != NULL)) {
		fprintf(stderr, "acmespec dns-hook: NAME and VALUE must be single words\n");
		return 2;
	}
	(void)snprintf(line, sizeof(line), "%s %s%s%s\n", argv[1], argv[2], argc == 4 ? " " : "",
	               argc == 4 ? argv[3] : "");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, sock, strlen(sock) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		fprintf(stderr, "acmespec dns-hook: cannot connect to %s: %s\n", sock,
		        strerror(errno));
		if (fd >= 0)
			close(fd);
		return 2;
	}
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line)) {
		fprintf(stderr, "acmespec dns-hook: cannot write to %s\n", sock);
		close(fd);
		return 2;
	}
	deadline = now_mono() + 5.0;
	while (got < sizeof(reply) - 1 && memchr(reply, '\n', got) == NULL) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		double left = deadline - now_mono();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
			break;
		r = read(fd, reply + got, sizeof(reply) - 1 - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	reply[got] = '\0';
	if (strncmp(reply, "ok", 2) == 0)
		return 0;
	fprintf(stderr, "acmespec dns-hook: %s", got ? reply : "no answer from the harness\n");
	return 1;
}
