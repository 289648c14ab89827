/*
 * Fuzz target: the mock CA's request path (mockserver/handler.h), one
 * request in, one response out, no listener.
 *
 * The input is one of two forms:
 *   - a raw HTTP/1.1 request: "METHOD TARGET VERSION", header lines,
 *     an empty line, then the body (bad lines are skipped, not refused);
 *     it goes to a CA that makes scenarios on first use (at most 8, so the
 *     LRU eviction runs too);
 *   - "!SIGN METHOD PATH[ jwk]\n" then a payload: the target signs the
 *     payload (ES256, fixed key) with a fresh nonce, the right url and the
 *     key's account as kid (or the jwk), so that mutations reach the
 *     resource handlers behind the JWS checks. PATH is under the scenario
 *     "f", where that account exists.
 *
 * Properties checked, on every response:
 *   - acs_mca_handle_request returns 0 and a status from 100 to 599;
 *   - a JSON or problem body is NUL-terminated at body_len and parses;
 *   - a problem document has a type in the ACME namespace and, when it
 *     carries a status, the response's;
 *   - every header has a name and a value without CR or LF.
 * Validations (a challenge POST) connect to 127.0.0.1:1, where nothing
 * listens; no packet leaves loopback.
 */
#define _GNU_SOURCE /* memmem */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/err.h"
#include "harness/jwk.h"
#include "harness/jws.h"
#include "mockserver/handler.h"
#include "mockserver/mockca.h"

#define HOST     "ca.test:4443"
#define BASE     "https://" HOST
#define MAX_HDRS 32

static const char ec_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                             "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRJFIIETb2tBjhmNW\n"
                             "6l1CVpFszLoaKCp5p6CXC9LT/8yhRANCAARjcamrh7ZlNNuIK7FZSVPslSutc/uT\n"
                             "UocN2dTpbOPAbjmyIKD1KXK1RfwS9BZxgTTBGnZf5+hY8sfWqc3TbreH\n"
                             "-----END PRIVATE KEY-----\n";

static struct acs_mockca *ca;
static struct acs_key *key;
static char kid[256];

static const struct acs_mca_header std_hdrs[] = {
    {"Host", HOST}, {"User-Agent", "acmespec-fuzz/1"}, {"Content-Type", "application/jose+json"}};

static void check_response(const struct acs_mca_response *rs)
{
	size_t i;

	FUZZ_CHECK(rs->status >= 100 && rs->status <= 599);
	for (i = 0; i < rs->nheaders; i++) {
		FUZZ_CHECK(rs->hname[i] != NULL && rs->hval[i] != NULL);
		FUZZ_CHECK(strpbrk(rs->hname[i], "\r\n") == NULL);
		FUZZ_CHECK(strpbrk(rs->hval[i], "\r\n") == NULL);
	}
	if (rs->content_type == NULL)
		return;
	FUZZ_CHECK(rs->body != NULL);
	if (strstr(rs->content_type, "json") != NULL) {
		json_t *doc;

		FUZZ_CHECK(strlen(rs->body) == rs->body_len);
		doc = json_loadb(rs->body, rs->body_len, 0, NULL);
		FUZZ_CHECK(doc != NULL);
		if (strcmp(rs->content_type, "application/problem+json") == 0) {
			const char *type = json_string_value(json_object_get(doc, "type"));
			json_t *st = json_object_get(doc, "status");

			FUZZ_CHECK(type != NULL);
			FUZZ_CHECK(strncmp(type, "urn:ietf:params:acme:error:", 27) == 0);
			FUZZ_CHECK(st == NULL || json_integer_value(st) == (json_int_t)rs->status);
		}
		json_decref(doc);
	}
}

/* One request to the CA, its response checked; *loc: a copy of Location, or NULL. */
static void do_req(const struct acs_mca_request *rq, char **loc)
{
	struct acs_mca_response rs;
	size_t i;

	FUZZ_CHECK(acs_mca_handle_request(ca, rq, &rs) == 0);
	check_response(&rs);
	if (loc != NULL) {
		*loc = NULL;
		for (i = 0; i < rs.nheaders; i++) {
			if (strcmp(rs.hname[i], "Location") == 0)
				*loc = strdup(rs.hval[i]);
			if (strcmp(rs.hname[i], "Replay-Nonce") == 0 && *loc == NULL)
				*loc = strdup(rs.hval[i]);
		}
	}
	acs_mca_response_clear(&rs);
}

/* A fresh nonce from scenario "f" (new string), or NULL. */
static char *nonce(void)
{
	struct acs_mca_request rq;
	char *n = NULL;

	memset(&rq, 0, sizeof(rq));
	rq.method = "HEAD";
	rq.scheme = "https";
	rq.path = "/s/f/new-nonce";
	rq.headers = std_hdrs;
	rq.nheaders = 3;
	do_req(&rq, &n);
	return n;
}

/* POST payload to path signed with the fixed key (jwk or kid); *loc as send's. */
static void signed_post(const char *path, int use_jwk, const char *payload, size_t len, char **loc)
{
	struct acs_mca_request rq;
	struct acs_err err;
	char url[512], *n = nonce(), *body;
	json_t *hdr;

	FUZZ_CHECK(n != NULL);
	(void)snprintf(url, sizeof(url), BASE "%s", path);
	if (use_jwk || kid[0] == '\0')
		hdr = json_pack("{s:s, s:o, s:s, s:s}", "alg", "ES256", "jwk", acs_jwk_public(key),
		                "nonce", n, "url", url);
	else
		hdr = json_pack("{s:s, s:s, s:s, s:s}", "alg", "ES256", "kid", kid, "nonce", n,
		                "url", url);
	FUZZ_CHECK(hdr != NULL);
	body = acs_jws_sign(key, hdr, payload, len, &err);
	json_decref(hdr);
	free(n);
	FUZZ_CHECK(body != NULL);
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.scheme = "https";
	rq.path = path;
	rq.headers = std_hdrs;
	rq.nheaders = 3;
	rq.body = body;
	rq.body_len = strlen(body);
	do_req(&rq, loc);
	free(body);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char tos[] = "{\"termsOfServiceAgreed\":true}";
	struct acs_mockca_opts o;
	struct acs_err err;
	char *loc = NULL;

	(void)argc;
	(void)argv;
	memset(&o, 0, sizeof(o));
	o.auto_scenarios = 1;
	o.max_scenarios = 8;
	o.http01_port = 1;
	o.tlsalpn01_port = 1;
	o.validation_timeout_ms = 200;
	acs_err_clear(&err);
	if (acs_mca_offline_new(&ca, &o, &err) != 0 ||
	    acs_mockca_scenario_add(ca, "f", &err) != 0 ||
	    acs_key_from_pem(&key, ec_pem, strlen(ec_pem), &err) != 0)
		fuzz_fail("cannot make the mock CA", __FILE__, __LINE__);
	signed_post("/s/f/new-account", 1, tos, strlen(tos), &loc);
	if (loc == NULL || strlen(loc) >= sizeof(kid))
		fuzz_fail("cannot make the fuzz account", __FILE__, __LINE__);
	memcpy(kid, loc, strlen(loc) + 1);
	free(loc);
	return 0;
}

/* "!SIGN METHOD PATH[ jwk]\n" + payload. */
static void signed_input(const char *in, size_t size)
{
	const char *nl = memchr(in, '\n', size);
	char line[512], path[400];
	int use_jwk;
	size_t k;

	if (nl == NULL || (size_t)(nl - in) >= sizeof(line))
		return;
	memcpy(line, in, (size_t)(nl - in));
	line[nl - in] = '\0';
	if (sscanf(line, "!SIGN POST %399s", path) != 1 || strncmp(path, "/s/f/", 5) != 0)
		return;
	/* the url goes into the JWS header: JSON takes UTF-8 only */
	for (k = 0; path[k] != '\0'; k++) {
		if ((unsigned char)path[k] < 0x21 || (unsigned char)path[k] > 0x7e)
			return;
	}
	use_jwk = strstr(line, " jwk") != NULL;
	/* the fuzz account must live on for the inputs that follow */
	if (strncmp(path, "/s/f/acct/", 10) == 0 &&
	    memmem(nl + 1, size - (size_t)(nl + 1 - in), "deactivated", 11) != NULL)
		return;
	signed_post(path, use_jwk, nl + 1, size - (size_t)(nl + 1 - in), NULL);
}

/* A raw request: request line, headers, empty line, body. */
static void raw_input(char *in, size_t size)
{
	struct acs_mca_header h[MAX_HDRS];
	struct acs_mca_request rq;
	char *p = in, *end = in + size, *eol, *sp1, *sp2;
	size_t nh = 0;

	memset(&rq, 0, sizeof(rq));
	eol = memchr(p, '\n', (size_t)(end - p));
	if (eol == NULL)
		return;
	*eol = '\0';
	if (eol > p && eol[-1] == '\r')
		eol[-1] = '\0';
	sp1 = strchr(p, ' ');
	if (sp1 == NULL)
		return;
	*sp1 = '\0';
	sp2 = strchr(sp1 + 1, ' ');
	if (sp2 != NULL)
		*sp2 = '\0';
	rq.method = p;
	rq.path = sp1 + 1;
	rq.scheme = "https";
	for (p = eol + 1; p < end; p = eol + 1) {
		char *colon;

		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		*eol = '\0';
		if (eol > p && eol[-1] == '\r')
			eol[-1] = '\0';
		if (*p == '\0') {
			p = eol + 1;
			break;
		}
		colon = strchr(p, ':');
		if (colon != NULL && nh < MAX_HDRS) {
			*colon = '\0';
			colon++;
			while (*colon == ' ')
				colon++;
			h[nh].name = p;
			h[nh].value = colon;
			nh++;
		}
		if (eol == end)
			break;
	}
	rq.headers = h;
	rq.nheaders = nh;
	if (p < end) {
		rq.body = p;
		rq.body_len = (size_t)(end - p);
		rq.body_too_big = rq.body_len > ACS_MCA_BODY_MAX;
		if (rq.body_too_big)
			rq.body_len = ACS_MCA_BODY_MAX;
	}
	do_req(&rq, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in;

	if (size > 128 * 1024)
		return 0;
	in = fuzz_strndup(data, size);
	if (size >= 6 && memcmp(in, "!SIGN ", 6) == 0)
		signed_input(in, size);
	else
		raw_input(in, size);
	free(in);
	return 0;
}
