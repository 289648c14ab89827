/*
 * The mock CA's memory (issue 11): its RSS (from /proc/self/status) after
 * requests to 10,000 scenario names, with the default cap on scenarios and
 * with no cap, and after 1,000,000 nonces issued in one scenario. Driven
 * through the request path without sockets (mockserver/handler.h), so the
 * numbers are the CA's own. Prints; asserts nothing (a benchmark).
 *
 *   build/tests/bench_mockca_rss [NAMES [NONCES]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/err.h"
#include "mockserver/handler.h"
#include "mockserver/mockca.h"

static long rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "VmRSS:", 6) == 0)
			kb = strtol(line + 6, NULL, 10);
	}
	fclose(f);
	return kb;
}

static void get(struct acs_mockca *ca, const char *method, const char *path)
{
	static const struct acs_mca_header h[] = {{"Host", "127.0.0.1:4443"},
	                                          {"User-Agent", "bench"}};
	struct acs_mca_request rq;
	struct acs_mca_response rs;

	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.scheme = "https";
	rq.path = path;
	rq.headers = h;
	rq.nheaders = 2;
	if (acs_mca_handle_request(ca, &rq, &rs) == 0)
		acs_mca_response_clear(&rs);
}

static void names(unsigned int cap, long n)
{
	struct acs_mockca_opts o;
	struct acs_mockca *ca = NULL;
	struct acs_err err;
	char path[96];
	long i, before;

	memset(&o, 0, sizeof(o));
	o.auto_scenarios = 1;
	o.max_scenarios = cap;
	if (acs_mca_offline_new(&ca, &o, &err) != 0) {
		fprintf(stderr, "cannot make the CA: %s\n", err.msg);
		exit(1);
	}
	before = rss_kb();
	for (i = 0; i < n; i++) {
		(void)snprintf(path, sizeof(path), "/s/name-%ld/directory", i);
		get(ca, "GET", path);
		(void)snprintf(path, sizeof(path), "/s/name-%ld/new-nonce", i);
		get(ca, "HEAD", path);
	}
	printf("scenarios: %ld names (directory + nonce each), cap %u: RSS %ld kB -> %ld kB "
	       "(+%ld kB)\n",
	       n, cap != 0 ? cap : ACS_MOCKCA_MAX_SCENARIOS, before, rss_kb(), rss_kb() - before);
	acs_mockca_stop(ca);
}

static void nonces(long n)
{
	struct acs_mockca_opts o;
	struct acs_mockca *ca = NULL;
	struct acs_err err;
	long i, before;

	memset(&o, 0, sizeof(o));
	o.auto_scenarios = 1;
	if (acs_mca_offline_new(&ca, &o, &err) != 0) {
		fprintf(stderr, "cannot make the CA: %s\n", err.msg);
		exit(1);
	}
	get(ca, "HEAD", "/s/nonces/new-nonce");
	before = rss_kb();
	for (i = 0; i < n; i++)
		get(ca, "HEAD", "/s/nonces/new-nonce");
	printf("nonces: %ld HEAD new-nonce in one scenario: RSS %ld kB -> %ld kB (+%ld kB)\n", n,
	       before, rss_kb(), rss_kb() - before);
	acs_mockca_stop(ca);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 10000;
	long m = argc > 2 ? strtol(argv[2], NULL, 10) : 1000000;

	names(0, n);
	names((unsigned int)n * 2, n);
	nonces(m);
	return 0;
}
