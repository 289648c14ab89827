/*
 * The load generator of ci/bench.sh: drives an ACME server (the mock CA,
 * or a Pebble) with the mock-client engine and reads the server process's
 * CPU time (utime + stime) and resident set from /proc, so that every
 * server is measured by the same client. Not a test: it asserts nothing
 * about speed, it measures and prints one line of "key=value" per mode.
 *
 *   bench_load flows   DIR CA PID N T [HTTP01_PORT [DNS_PORT]]
 *       N full issuance flows on T threads, each a new session: directory,
 *       new account (fresh key), new order for a fresh name, a real
 *       http-01 validation against this process's responder, finalize,
 *       download and check the chain.
 *   bench_load nonces  DIR CA PID N T
 *       N HEAD newNonce on T keep-alive connections, none of them used.
 *   bench_load startup DIR CA -- COMMAND [ARGS...]
 *       Runs COMMAND, asks DIR every millisecond until it answers 200,
 *       prints the time from the start to that answer, then stops it.
 *
 * PID is the server's process; CPU is read before and after the load.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/http.h"
#include "mockclient/acme.h"
#include "mockclient/flow.h"
#include "mockclient/responders.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* utime + stime of pid in seconds (all its threads), or -1; *sys: stime alone. */
static double proc_cpu(long pid, double *sys)
{
	char path[64], buf[4096], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	(void)snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	*sys = (double)st / (double)sysconf(_SC_CLK_TCK);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* VmRSS of pid in KiB, or -1. */
static long proc_rss_kib(long pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	(void)snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

struct load {
	const char *dir, *ca;
	struct acs_responders *resp;
	const char *nonce_url;
	long total, next, done, failed;
	int threads;
	pthread_mutex_t mu;
	char first_error[1100];
};

/* The index of the next unit of work, or -1 when all are handed out. */
static long take(struct load *l)
{
	long i = -1;

	pthread_mutex_lock(&l->mu);
	if (l->next < l->total)
		i = l->next++;
	pthread_mutex_unlock(&l->mu);
	return i;
}

static void finish(struct load *l, long ok, long bad, const char *why)
{
	pthread_mutex_lock(&l->mu);
	l->done += ok;
	l->failed += bad;
	if (why != NULL && l->first_error[0] == '\0')
		(void)snprintf(l->first_error, sizeof(l->first_error), "%s", why);
	pthread_mutex_unlock(&l->mu);
}

/* ---- flows ---- */

static const char *const flow_headers[] = {"Accept-Language: en", NULL};

static int one_flow(struct load *l, long i, struct acs_err *err)
{
	struct acs_acme_session_opts so;
	struct acs_acme_session *s = NULL;
	struct acs_flow_account fa;
	char name[128];
	const char *names[1] = {name};
	int rc;

	memset(&so, 0, sizeof(so));
	so.directory_url = l->dir;
	so.ca_bundle = l->ca;
	so.timeout_ms = 30000;
	so.wait_seconds = 60;
	so.responders = l->resp;
	so.user_agent = "acmespec-bench/" ACMESPEC_VERSION " libcurl";
	rc = acs_acme_session_new(&s, &so, err);
	if (rc != 0)
		return rc;
	s->client.deadline = acs_clock_mono() + 60;
	acs_http_set_deadline(s->http, s->client.deadline);
	s->client.headers = flow_headers;
	acs_flow_begin(s);
	memset(&fa, 0, sizeof(fa));
	fa.agree_tos = 1;
	(void)snprintf(name, sizeof(name), "f%ld-%d.bench%ld.example.com", i, rand() % 100000,
	               (long)getpid());
	rc = acs_flow_directory(s, err);
	if (rc == 0)
		rc = acs_flow_new_account(s, &fa, err);
	if (rc == 0)
		rc = acs_flow_new_order(s, names, 1, err);
	if (rc == 0)
		rc = acs_flow_authorize(s, "http-01", err);
	if (rc == 0)
		rc = acs_flow_finalize(s, err);
	if (rc == 0)
		rc = acs_flow_download(s, err);
	acs_flow_deprovision(s);
	acs_acme_session_free(s);
	return rc;
}

static void *flow_thread(void *arg)
{
	struct load *l = arg;
	long i;

	while ((i = take(l)) >= 0) {
		struct acs_err err;

		acs_err_clear(&err);
		if (one_flow(l, i, &err) == 0)
			finish(l, 1, 0, NULL);
		else
			finish(l, 0, 1, err.msg);
	}
	return NULL;
}

/* ---- nonces ---- */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

/* 6.1: a well-behaved client names its language (no per-request complaint logged) */
static struct curl_slist *accept_language;

static CURL *easy(const struct load *l, const char *url)
{
	CURL *c = curl_easy_init();

	if (c == NULL)
		return NULL;
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_CAINFO, l->ca);
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, "acmespec-bench/" ACMESPEC_VERSION " libcurl");
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	(void)curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, discard);
	(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, accept_language);
	return c;
}

static void *nonce_thread(void *arg)
{
	struct load *l = arg;
	CURL *c = easy(l, l->nonce_url);
	long ok = 0, bad = 0, status = 0;
	char why[256] = "";

	if (c == NULL) {
		finish(l, 0, 1, "curl_easy_init failed");
		return NULL;
	}
	(void)curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	while (take(l) >= 0) {
		CURLcode cc = curl_easy_perform(c);

		status = 0;
		(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (cc == CURLE_OK && status == 200) {
			ok++;
		} else {
			bad++;
			if (why[0] == '\0')
				(void)snprintf(why, sizeof(why), "HEAD %s: %s, status %ld",
				               l->nonce_url, curl_easy_strerror(cc), status);
		}
	}
	curl_easy_cleanup(c);
	finish(l, ok, bad, why[0] != '\0' ? why : NULL);
	return NULL;
}

/* newNonce from the directory into l->nonce_url (owned by the caller: free). */
static char *nonce_url(struct load *l)
{
	struct acs_acme_session_opts so;
	struct acs_acme_session *s = NULL;
	struct acs_err err;
	char *url = NULL;

	memset(&so, 0, sizeof(so));
	so.directory_url = l->dir;
	so.ca_bundle = l->ca;
	so.timeout_ms = 30000;
	acs_err_clear(&err);
	if (acs_acme_session_new(&s, &so, &err) == 0 &&
	    acs_acme_fetch_directory(s, NULL, &err) == 0 && acs_acme_dir_url(s, "newNonce") != NULL)
		url = strdup(acs_acme_dir_url(s, "newNonce"));
	else
		fprintf(stderr, "bench_load: no newNonce: %s\n", err.msg);
	acs_acme_session_free(s);
	return url;
}

/* ---- the modes ---- */

static int run_threads(struct load *l, void *(*fn)(void *))
{
	pthread_t th[256];
	int i, n = l->threads;

	for (i = 0; i < n; i++)
		if (pthread_create(&th[i], NULL, fn, l) != 0)
			break;
	n = i;
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return n > 0 ? 0 : -1;
}

static int load_mode(const char *mode, int argc, char **argv)
{
	struct load l;
	struct acs_responders_opts ro;
	struct acs_err err;
	long pid;
	double c0, c1, t0, t1, s0 = 0, s1 = 0;
	int flows = strcmp(mode, "flows") == 0;
	char *nurl = NULL;

	if (argc < 7)
		return 2;
	memset(&l, 0, sizeof(l));
	pthread_mutex_init(&l.mu, NULL);
	l.dir = argv[2];
	l.ca = argv[3];
	pid = strtol(argv[4], NULL, 10);
	l.total = strtol(argv[5], NULL, 10);
	l.threads = (int)strtol(argv[6], NULL, 10);
	if (l.threads < 1 || l.threads > 256 || l.total < 1)
		return 2;
	acs_err_clear(&err);
	if (flows) {
		memset(&ro, 0, sizeof(ro));
		ro.bind_addr = "127.0.0.1";
		ro.http01_port = argc > 7 ? (int)strtol(argv[7], NULL, 10) : 5002;
		ro.tlsalpn01_port = -1;
		ro.dns_port = argc > 8 ? (int)strtol(argv[8], NULL, 10) : -1;
		ro.dns_a_answer = "127.0.0.1";
		if (acs_responders_start(&l.resp, &ro, &err) != 0) {
			fprintf(stderr, "bench_load: %s\n", err.msg);
			return 1;
		}
	} else {
		nurl = nonce_url(&l);
		if (nurl == NULL)
			return 1;
		l.nonce_url = nurl;
	}
	c0 = proc_cpu(pid, &s0);
	t0 = now();
	(void)run_threads(&l, flows ? flow_thread : nonce_thread);
	t1 = now();
	c1 = proc_cpu(pid, &s1);
	if (l.first_error[0] != '\0')
		fprintf(stderr, "bench_load: %ld of %ld failed; the first: %s\n", l.failed, l.total,
		        l.first_error);
	printf("mode=%s n=%ld ok=%ld failed=%ld threads=%d wall_s=%.3f cpu_s=%.3f "
	       "sys_s=%.3f cpu_per_op_us=%.1f rss_kib=%ld\n",
	       mode, l.total, l.done, l.failed, l.threads, t1 - t0, c1 - c0, s1 - s0,
	       l.done > 0 ? (c1 - c0) * 1e6 / (double)l.done : -1.0, proc_rss_kib(pid));
	acs_responders_stop(l.resp);
	free(nurl);
	pthread_mutex_destroy(&l.mu);
	return l.failed > 0 ? 1 : 0;
}

/* The first 200 from url, asking every millisecond; 0, or -1 past the deadline. */
static int wait_answer(const struct load *l, const char *url, pid_t child, double deadline)
{
	CURL *c = easy(l, url);
	long status = 0;
	int rc = -1;

	if (c == NULL)
		return -1;
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	(void)curl_easy_setopt(c, CURLOPT_FORBID_REUSE, 1L);
	while (now() < deadline && waitpid(child, NULL, WNOHANG) == 0) {
		if (curl_easy_perform(c) == CURLE_OK &&
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK &&
		    status == 200) {
			rc = 0;
			break;
		}
		(void)usleep(1000);
	}
	curl_easy_cleanup(c);
	return rc;
}

static int startup_mode(int argc, char **argv)
{
	struct load l;
	double t0, t1;
	pid_t child;
	int rc;

	if (argc < 6 || strcmp(argv[4], "--") != 0)
		return 2;
	memset(&l, 0, sizeof(l));
	l.ca = argv[3];
	t0 = now();
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		execvp(argv[5], &argv[5]);
		fprintf(stderr, "bench_load: cannot run %s: %s\n", argv[5], strerror(errno));
		_exit(127);
	}
	rc = wait_answer(&l, argv[2], child, t0 + 30);
	t1 = now();
	if (rc == 0)
		printf("mode=startup first_answer_ms=%.1f\n", (t1 - t0) * 1e3);
	else
		fprintf(stderr, "bench_load: %s did not answer within 30 s\n", argv[2]);
	(void)kill(child, SIGTERM);
	(void)waitpid(child, NULL, 0);
	return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	int rc = 2;

	signal(SIGPIPE, SIG_IGN);
	if (acs_http_global_init() != 0)
		return 1;
	accept_language = curl_slist_append(NULL, "Accept-Language: en");
	if (argc > 1 && (strcmp(argv[1], "flows") == 0 || strcmp(argv[1], "nonces") == 0))
		rc = load_mode(argv[1], argc, argv);
	else if (argc > 1 && strcmp(argv[1], "startup") == 0)
		rc = startup_mode(argc, argv);
	if (rc == 2)
		fprintf(stderr, "usage: bench_load flows|nonces DIR CA PID N T [HTTP01_PORT "
		                "[DNS_PORT]]\n       bench_load startup DIR CA -- COMMAND...\n");
	curl_slist_free_all(accept_language);
	acs_http_global_cleanup();
	return rc;
}
