/*
 * Benchmarks of the hot paths of a run: base64url, JWS signing and
 * verification per key type, and expectation matching. Not a test: it
 * asserts nothing about speed, it measures and prints. Run
 * build/tests/bench_core [seconds-per-item] (default 1).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/jwk.h"
#include "harness/jws.h"
#include "mockclient/match.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, unsigned long n, double secs)
{
	printf("%-40s %10.0f ops/s  (%lu in %.2f s)\n", what, (double)n / secs, n, secs);
}

static void bench_b64url(double budget)
{
	unsigned char data[1024];
	unsigned long n = 0;
	double t0 = now(), t;

	memset(data, 0xa5, sizeof(data));
	do {
		char *s = acs_b64url_encode(data, sizeof(data));
		unsigned char *out = NULL;
		size_t outlen = 0;

		if (s == NULL || acs_b64url_decode(s, strlen(s), &out, &outlen, NULL) != 0) {
			fprintf(stderr, "bench: base64url round trip failed\n");
			exit(1);
		}
		free(s);
		free(out);
		n++;
		t = now() - t0;
	} while (t < budget);
	report("base64url encode+decode 1 KiB", n, t);
}

static void bench_jws(const char *name, enum acs_key_type type, double budget)
{
	struct acs_key *key = NULL;
	struct acs_err err = {0};
	json_t *hdr = NULL;
	const char *payload =
	    "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.acmespec.test\"}]}";
	unsigned long ns = 0, nv = 0;
	double t0, t;
	char label[64];
	char *jws = NULL;

	if (acs_key_generate(&key, type, &err) != 0) {
		fprintf(stderr, "bench: %s: %s\n", name, err.msg);
		exit(1);
	}
	hdr = json_pack("{s:s,s:s,s:s,s:o}", "alg", acs_key_alg(key), "nonce", "abc", "url",
	                "https://127.0.0.1/new-order", "jwk", acs_jwk_public(key));
	t0 = now();
	do {
		free(jws);
		jws = acs_jws_sign(key, hdr, payload, strlen(payload), &err);
		if (jws == NULL) {
			fprintf(stderr, "bench: sign %s: %s\n", name, err.msg);
			exit(1);
		}
		ns++;
		t = now() - t0;
	} while (t < budget);
	snprintf(label, sizeof(label), "JWS sign %s", name);
	report(label, ns, t);

	t0 = now();
	do {
		struct acs_jws *parsed = NULL;

		if (acs_jws_parse(jws, strlen(jws), &parsed, &err) != 0 ||
		    acs_jws_verify(parsed, key, &err) != 0) {
			fprintf(stderr, "bench: verify %s: %s\n", name, err.msg);
			exit(1);
		}
		acs_jws_free(parsed);
		nv++;
		t = now() - t0;
	} while (t < budget);
	snprintf(label, sizeof(label), "JWS parse+verify %s", name);
	report(label, nv, t);
	free(jws);
	json_decref(hdr);
	acs_key_free(key);
}

static void bench_match(double budget)
{
	json_t *doc =
	    json_loads("{\"status\":\"pending\",\"challenges\":[{\"type\":\"http-01\",\"url\":"
	               "\"https://a/c/1\",\"token\":\"abcdefghijklmnopqrstuv\"},{\"type\":"
	               "\"dns-01\",\"url\":\"https://a/c/2\",\"token\":\"zyxwvutsrqponmlkjih\"}]}",
	               0, NULL);
	json_t *m = json_loads("{\"https\":true,\"match\":\"^https://\"}", 0, NULL);
	struct acs_buf why;
	unsigned long n = 0;
	double t0 = now(), t;

	acs_buf_init(&why, 4096);
	do {
		if (!acs_match_pointer(doc, "/challenges/*/url", m, &why)) {
			fprintf(stderr, "bench: matcher failed: %s\n", why.data);
			exit(1);
		}
		n++;
		t = now() - t0;
	} while (t < budget);
	report("matcher /challenges/*/url (regex)", n, t);
	acs_buf_free(&why);
	json_decref(doc);
	json_decref(m);
}

int main(int argc, char **argv)
{
	double budget = argc > 1 ? atof(argv[1]) : 1.0;

	if (!(budget > 0))
		budget = 1.0;
	bench_b64url(budget);
	bench_jws("ES256", ACS_KEY_EC256, budget);
	bench_jws("ES384", ACS_KEY_EC384, budget);
	bench_jws("RS256 (2048)", ACS_KEY_RSA2048, budget);
	bench_jws("EdDSA (Ed25519)", ACS_KEY_ED25519, budget);
	bench_match(budget);
	return 0;
}
