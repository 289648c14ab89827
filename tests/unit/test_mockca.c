/*
 * The mock CA over real HTTPS: directory and nonces, issuance checked
 * against the CSR and the root, a full RFC 8555 flow with http-01 validated
 * against a tiny responder, request checks and misbehaviours.
 */
#include <CUnit/CUnit.h>
#include "harness/ari.h"
#include <curl/curl.h>
#include <jansson.h>
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/jwk.h"
#include "harness/jws.h"
#include "harness/x509.h"
#include "mockserver/ca.h"
#include "mockserver/instance.h"
#include "mockserver/tables.h"
#include "mockserver/mockca.h"
#include "mockserver/res_subdomain.h"

static struct acs_mockca *ca;

/* ---- the http-01 responder ---- */

static struct MHD_Daemon *responder;
static int responder_port;
static pthread_mutex_t tok_lock = PTHREAD_MUTEX_INITIALIZER;
static char tok_token[128], tok_keyauth[512];
static int responder_hits;

static enum MHD_Result on_challenge(void *cls, struct MHD_Connection *c, const char *url,
                                    const char *method, const char *version, const char *up,
                                    size_t *upsz, void **cc)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char want[256], body[512];
	unsigned int status = 404;

	(void)cls;
	(void)method;
	(void)version;
	(void)up;
	(void)upsz;
	(void)cc;
	body[0] = '\0';
	pthread_mutex_lock(&tok_lock);
	(void)snprintf(want, sizeof(want), "/.well-known/acme-challenge/%s", tok_token);
	if (tok_token[0] != '\0' && strcmp(url, want) == 0) {
		status = 200;
		(void)snprintf(body, sizeof(body), "%s", tok_keyauth);
	}
	responder_hits++;
	pthread_mutex_unlock(&tok_lock);
	r = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- a one-record DNS responder for dns-01 ---- */

static int dns_fd = -1, dns_port, dns_stop;
static pthread_t dns_thread;
static char dns_txt[128];

static void *dns_main(void *arg)
{
	unsigned char q[512], a[1024];

	(void)arg;
	while (!dns_stop) {
		struct sockaddr_in from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(dns_fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fl);
		size_t off, tl;

		if (n < 17)
			continue;
		/* echo header and question, add one TXT answer pointing at the question name */
		memcpy(a, q, (size_t)n);
		a[2] = 0x81;
		a[3] = 0x80;
		a[6] = 0;
		a[7] = 1;
		off = (size_t)n;
		pthread_mutex_lock(&tok_lock);
		tl = strlen(dns_txt);
		memcpy(a + off, "\xc0\x0c\x00\x10\x00\x01\x00\x00\x00\x00", 10);
		off += 10;
		a[off++] = 0;
		a[off++] = (unsigned char)(tl + 1);
		a[off++] = (unsigned char)tl;
		memcpy(a + off, dns_txt, tl);
		off += tl;
		pthread_mutex_unlock(&tok_lock);
		(void)sendto(dns_fd, a, off, 0, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

static int dns_start(void)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);
	struct timeval tv = {0, 100000};

	dns_fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (dns_fd < 0 || bind(dns_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    getsockname(dns_fd, (struct sockaddr *)&sa, &sl) != 0)
		return -1;
	(void)setsockopt(dns_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	dns_port = ntohs(sa.sin_port);
	return pthread_create(&dns_thread, NULL, dns_main, NULL) == 0 ? 0 : -1;
}

static int suite_init(void)
{
	char dns_addr[64];

	struct acs_mockca_opts o;
	struct acs_err err;
	const union MHD_DaemonInfo *info;

	responder = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_challenge,
	                             NULL, MHD_OPTION_END);
	if (responder == NULL)
		return 1;
	info = MHD_get_daemon_info(responder, MHD_DAEMON_INFO_BIND_PORT);
	responder_port = info->port;
	if (dns_start() != 0)
		return 1;
	(void)snprintf(dns_addr, sizeof(dns_addr), "127.0.0.1:%d", dns_port);
	memset(&o, 0, sizeof(o));
	o.dns_server = dns_addr;
	o.http01_port = responder_port;
	o.tlsalpn01_port = 1; /* nothing listens: tls-alpn-01 fails fast */
	o.auto_scenarios = 1;
	o.eab_kid = NULL;
	acs_err_clear(&err);
	if (acs_mockca_start(&ca, &o, &err) != 0) {
		fprintf(stderr, "mock CA: %s\n", err.msg);
		return 1;
	}
	return 0;
}

static int suite_clean(void)
{
	acs_mockca_stop(ca);
	ca = NULL;
	if (responder != NULL)
		MHD_stop_daemon(responder);
	if (dns_fd >= 0) {
		dns_stop = 1;
		pthread_join(dns_thread, NULL);
		close(dns_fd);
	}
	return 0;
}

/* ---- a small HTTPS client ---- */

struct resp {
	long status;
	struct acs_buf body;
	struct acs_buf hdrs;
};

static size_t on_data(char *p, size_t sz, size_t n, void *ud)
{
	return acs_buf_append(ud, p, sz * n) == 0 ? sz * n : 0;
}

static void resp_free(struct resp *r)
{
	acs_buf_free(&r->body);
	acs_buf_free(&r->hdrs);
}

static int http(const char *method, const char *url, const char *ctype, const char *body,
                struct resp *out)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	char ct[128];
	CURLcode cc;

	memset(out, 0, sizeof(*out));
	acs_buf_init(&out->body, 1 << 20);
	acs_buf_init(&out->hdrs, 1 << 16);
	if (c == NULL)
		return -1;
	(void)curl_easy_setopt(c, CURLOPT_URL, url);
	(void)curl_easy_setopt(c, CURLOPT_CAINFO, acs_mockca_bundle_path(ca));
	(void)curl_easy_setopt(c, CURLOPT_USERAGENT, "acmespec-test/1");
	(void)curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	(void)curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
	(void)curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	(void)curl_easy_setopt(c, CURLOPT_WRITEDATA, &out->body);
	(void)curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
	(void)curl_easy_setopt(c, CURLOPT_HEADERDATA, &out->hdrs);
	if (strcmp(method, "HEAD") == 0)
		(void)curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "POST") == 0)
		(void)curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	if (ctype != NULL) {
		(void)snprintf(ct, sizeof(ct), "Content-Type: %s", ctype);
		h = curl_slist_append(h, ct);
		(void)curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	}
	cc = curl_easy_perform(c);
	(void)curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return cc == CURLE_OK ? 0 : -1;
}

/* Value of the last header called name (new string), or NULL. */
static char *header(const struct resp *r, const char *name)
{
	const char *p = r->hdrs.data;
	char *found = NULL;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);

		if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1;

			while (*v == ' ')
				v++;
			free(found);
			found = strndup(v, len - (size_t)(v - p));
		}
		p = eol != NULL ? eol + 2 : NULL;
	}
	return found;
}

/* 1 when some header called name contains sub. */
static int header_has(const struct resp *r, const char *name, const char *sub)
{
	const char *p = r->hdrs.data;
	size_t nl = strlen(name);

	while (p != NULL && *p != '\0') {
		const char *eol = strstr(p, "\r\n");
		size_t len = eol != NULL ? (size_t)(eol - p) : strlen(p);
		char *line = strndup(p, len);
		int hit = line != NULL && len > nl && strncasecmp(line, name, nl) == 0 &&
		          line[nl] == ':' && strstr(line, sub) != NULL;

		free(line);
		if (hit)
			return 1;
		p = eol != NULL ? eol + 2 : NULL;
	}
	return 0;
}

static const char *problem_type(json_t *body)
{
	const char *t = json_string_value(json_object_get(body, "type"));

	return t != NULL && strncmp(t, "urn:ietf:params:acme:error:", 27) == 0 ? t + 27 : "";
}

/* ---- a minimal ACME client ---- */

struct client {
	char *dir_url;
	json_t *dir;
	struct acs_key *key;
	char *kid;
	char *nonce;
	char scenario[64];
};

static int client_init(struct client *c, const char *scenario)
{
	struct resp r;
	struct acs_err err;

	memset(c, 0, sizeof(*c));
	(void)snprintf(c->scenario, sizeof(c->scenario), "%s", scenario);
	c->dir_url = acs_mockca_directory_url(ca, scenario);
	if (http("GET", c->dir_url, NULL, NULL, &r) != 0 || r.status != 200) {
		resp_free(&r);
		return -1;
	}
	c->dir = json_loads(r.body.data, 0, NULL);
	resp_free(&r);
	acs_err_clear(&err);
	return acs_key_generate(&c->key, ACS_KEY_EC256, &err);
}

static void client_free(struct client *c)
{
	free(c->dir_url);
	json_decref(c->dir);
	acs_key_free(c->key);
	free(c->kid);
	free(c->nonce);
}

static const char *dir_url(struct client *c, const char *k)
{
	return json_string_value(json_object_get(c->dir, k));
}

static void fresh_nonce(struct client *c)
{
	struct resp r;

	free(c->nonce);
	c->nonce = NULL;
	if (http("HEAD", dir_url(c, "newNonce"), NULL, NULL, &r) == 0)
		c->nonce = header(&r, "Replay-Nonce");
	resp_free(&r);
}

/*
 * Signed POST: payload NULL is POST-as-GET. hdr_extra (borrowed) is merged
 * into the protected header after the defaults (to break it on purpose).
 * Returns the parsed body (new reference, may be NULL) and fills *out.
 */
static json_t *post(struct client *c, const char *url, json_t *payload, int use_jwk,
                    json_t *hdr_extra, struct resp *out)
{
	json_t *hdr = json_object(), *body;
	char *pl = payload != NULL ? json_dumps(payload, JSON_COMPACT) : strdup("");
	char *jws;
	struct acs_err err;

	if (c->nonce == NULL)
		fresh_nonce(c);
	json_object_set_new(hdr, "alg", json_string(acs_key_alg(c->key)));
	json_object_set_new(hdr, "nonce", json_string(c->nonce != NULL ? c->nonce : ""));
	json_object_set_new(hdr, "url", json_string(url));
	if (use_jwk || c->kid == NULL)
		json_object_set_new(hdr, "jwk", acs_jwk_public(c->key));
	else
		json_object_set_new(hdr, "kid", json_string(c->kid));
	if (hdr_extra != NULL)
		json_object_update(hdr, hdr_extra);
	acs_err_clear(&err);
	jws = acs_jws_sign(c->key, hdr, pl, strlen(pl), &err);
	json_decref(hdr);
	free(pl);
	(void)http("POST", url, "application/jose+json", jws, out);
	free(jws);
	free(c->nonce);
	c->nonce = header(out, "Replay-Nonce");
	body = out->body.data != NULL ? json_loads(out->body.data, 0, NULL) : NULL;
	return body;
}

static int new_account(struct client *c)
{
	struct resp r;
	json_t *pl =
	    json_pack("{s:b, s:[s]}", "termsOfServiceAgreed", 1, "contact", "mailto:a@b.test");
	json_t *body = post(c, dir_url(c, "newAccount"), pl, 1, NULL, &r);
	int rc = r.status == 201 ? 0 : -1;

	free(c->kid);
	c->kid = header(&r, "Location");
	json_decref(body);
	json_decref(pl);
	resp_free(&r);
	return rc == 0 && c->kid != NULL ? 0 : -1;
}

/* ---- tests ---- */

static void test_directory_and_nonce(void)
{
	struct client c;
	struct resp r;
	char *n1, *n2;
	json_t *meta;

	CU_ASSERT_EQUAL_FATAL(client_init(&c, "dir"), 0);
	CU_ASSERT_PTR_NOT_NULL(dir_url(&c, "newNonce"));
	CU_ASSERT_PTR_NOT_NULL(dir_url(&c, "newAccount"));
	CU_ASSERT_PTR_NOT_NULL(dir_url(&c, "newOrder"));
	CU_ASSERT_PTR_NOT_NULL(dir_url(&c, "revokeCert"));
	CU_ASSERT_PTR_NOT_NULL(dir_url(&c, "keyChange"));
	meta = json_object_get(c.dir, "meta");
	CU_ASSERT_PTR_NOT_NULL(json_object_get(meta, "termsOfService"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(meta, "caaIdentities"));

	CU_ASSERT_EQUAL(http("HEAD", dir_url(&c, "newNonce"), NULL, NULL, &r), 0);
	CU_ASSERT_EQUAL(r.status, 200);
	n1 = header(&r, "Replay-Nonce");
	CU_ASSERT_PTR_NOT_NULL(n1);
	CU_ASSERT_TRUE(header_has(&r, "Cache-Control", "no-store"));
	CU_ASSERT_TRUE(header_has(&r, "Link", "rel=\"index\""));
	resp_free(&r);
	CU_ASSERT_EQUAL(http("GET", dir_url(&c, "newNonce"), NULL, NULL, &r), 0);
	CU_ASSERT_EQUAL(r.status, 204);
	n2 = header(&r, "Replay-Nonce");
	CU_ASSERT_TRUE(n1 != NULL && n2 != NULL && strcmp(n1, n2) != 0);
	resp_free(&r);
	free(n1);
	free(n2);

	/* GET of a POST-only resource: 405 with a problem document; no nonce on a GET (Pebble,
	 * Boulder) */
	CU_ASSERT_EQUAL(http("GET", dir_url(&c, "newOrder"), NULL, NULL, &r), 0);
	CU_ASSERT_EQUAL(r.status, 405);
	CU_ASSERT_TRUE(header_has(&r, "Content-Type", "application/problem+json"));
	CU_ASSERT_FALSE(header_has(&r, "Replay-Nonce", ""));
	resp_free(&r);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "dir", "client.8555.6_3.post-as-get"), 1);
	client_free(&c);
}

static void test_issuance(void)
{
	struct acs_key *k = NULL;
	struct acs_err err;
	struct acs_ident ids[2], *got = NULL;
	size_t ngot = 0;
	X509 *leaf = NULL;
	char *pem = NULL, *chain = NULL;
	struct acs_chain *ch = NULL;
	struct acs_key *lk = NULL;
	size_t len;

	acs_err_clear(&err);
	memset(ids, 0, sizeof(ids));
	memcpy(ids[0].type, "dns", 4);
	memcpy(ids[0].value, "a.acmespec.test", 16);
	memcpy(ids[1].type, "ip", 3);
	memcpy(ids[1].value, "127.0.0.1", 10);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&k, ACS_KEY_RSA2048, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_mca_issue(ca->pki, acs_key_evp(k), ids, 2, time(NULL) - 60,
	                                    time(NULL) + 86400, 1, 0, &leaf, &err),
	                      0);
	/* asked for a high-bit serial: its DER form has the leading zero octet */
	CU_ASSERT_EQUAL(acs_ari_serial_high_bit(leaf), 1);
	CU_ASSERT_EQUAL(acs_cert_idents(leaf, &got, &ngot, &err), 0);
	CU_ASSERT_TRUE(acs_idents_equal_sets(ids, 2, got, ngot));
	CU_ASSERT_EQUAL(acs_key_from_evp(&lk, X509_get0_pubkey(leaf), &err), 0);
	CU_ASSERT_TRUE(acs_key_equal(lk, k));
	pem = acs_mca_x509_pem(leaf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	len = strlen(pem) + strlen(ca->pki->inter_pem) + 1;
	chain = malloc(len);
	(void)snprintf(chain, len, "%s%s", pem, ca->pki->inter_pem);
	CU_ASSERT_EQUAL(acs_chain_parse(chain, strlen(chain), &ch, &err), 0);
	CU_ASSERT_EQUAL(acs_chain_verify(ch, acs_mockca_bundle_path(ca), &err), 0);
	acs_chain_free(ch);
	free(chain);
	free(pem);
	free(got);
	X509_free(leaf);
	acs_key_free(k);
	acs_key_free(lk);
}

static json_t *poll_until(struct client *c, const char *url, const char *status, int tries)
{
	json_t *b = NULL;
	struct resp r;
	int i;

	for (i = 0; i < tries; i++) {
		json_decref(b);
		b = post(c, url, NULL, 0, NULL, &r);
		resp_free(&r);
		if (b != NULL &&
		    strcmp(json_string_value(json_object_get(b, "status")), status) == 0)
			return b;
		if (b != NULL &&
		    strcmp(json_string_value(json_object_get(b, "status")), "invalid") == 0)
			return b;
		usleep(100 * 1000);
	}
	return b;
}

static void full_flow(const char *scenario, int expect_alternate)
{
	struct client c;
	struct resp r;
	struct acs_err err;
	json_t *pl, *order, *authz, *ch, *v, *fin, *final = NULL;
	const char *authz_url, *chall_url = NULL, *token = NULL;
	char *order_url = NULL, *ka, *csr_b64, *alt = NULL;
	struct acs_key *ck = NULL, *lk = NULL;
	struct acs_ident id, *lids = NULL;
	unsigned char *der = NULL;
	size_t derlen = 0, i, nl = 0;
	struct acs_chain *chain = NULL;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(client_init(&c, scenario), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
	pl =
	    json_pack("{s:[{s:s, s:s}]}", "identifiers", "type", "dns", "value", "x.acmespec.test");
	order = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	json_decref(pl);
	CU_ASSERT_EQUAL(r.status, 201);
	order_url = header(&r, "Location");
	resp_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(order);
	CU_ASSERT_PTR_NOT_NULL_FATAL(order_url);
	authz_url = json_string_value(json_array_get(json_object_get(order, "authorizations"), 0));
	authz = post(&c, authz_url, NULL, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	/* like Pebble and Boulder: no Retry-After on a pending authorization */
	CU_ASSERT_FALSE(header_has(&r, "Retry-After", ""));
	resp_free(&r);
	json_array_foreach(json_object_get(authz, "challenges"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "type")), "http-01") == 0) {
			chall_url = json_string_value(json_object_get(v, "url"));
			token = json_string_value(json_object_get(v, "token"));
		}
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(chall_url);
	ka = acs_keyauth(token, c.key, &err);
	pthread_mutex_lock(&tok_lock);
	(void)snprintf(tok_token, sizeof(tok_token), "%s", token);
	(void)snprintf(tok_keyauth, sizeof(tok_keyauth), "%s", ka);
	pthread_mutex_unlock(&tok_lock);
	free(ka);
	pl = json_pack("{s:s}", "unknownField", "must be ignored");
	ch = post(&c, chall_url, pl, 0, NULL, &r);
	json_decref(pl);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_TRUE(header_has(&r, "Link", "rel=\"up\""));
	resp_free(&r);
	json_decref(ch);
	json_decref(poll_until(&c, authz_url, "valid", 50));
	json_decref(authz);
	json_decref(order);
	order = poll_until(&c, order_url, "ready", 50);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(order, "status")), "ready");

	/* finalize with a CSR of a fresh key */
	memset(&id, 0, sizeof(id));
	memcpy(id.type, "dns", 4);
	memcpy(id.value, "x.acmespec.test", 16);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&ck, ACS_KEY_EC256, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_csr_make(ck, &id, 1, 1, &der, &derlen, &err), 0);
	csr_b64 = acs_b64url_encode(der, derlen);
	pl = json_pack("{s:s}", "csr", csr_b64);
	fin = post(&c, json_string_value(json_object_get(order, "finalize")), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	/* a processing order carries Retry-After (as Boulder's do), a valid one none */
	CU_ASSERT_EQUAL(header_has(&r, "Retry-After", "1"),
	                strcmp(json_string_value(json_object_get(fin, "status")), "processing") ==
	                    0);
	resp_free(&r);
	json_decref(pl);
	json_decref(fin);
	final = poll_until(&c, order_url, "valid", 20);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(final, "status")), "valid");
	CU_ASSERT_PTR_NOT_NULL_FATAL(json_object_get(final, "certificate"));

	json_decref(
	    post(&c, json_string_value(json_object_get(final, "certificate")), NULL, 0, NULL, &r));
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_TRUE(header_has(&r, "Content-Type", "application/pem-certificate-chain"));
	CU_ASSERT_EQUAL(header_has(&r, "Link", "rel=\"alternate\""), expect_alternate);
	/* like Pebble and Boulder: the PEM chain holds the issuer, no rel="up" (7.4.2) */
	CU_ASSERT_FALSE(header_has(&r, "Link", "rel=\"up\""));
	CU_ASSERT_EQUAL_FATAL(acs_chain_parse(r.body.data, r.body.len, &chain, &err), 0);
	CU_ASSERT_TRUE(chain->strict);
	CU_ASSERT_EQUAL(chain->n, 2);
	CU_ASSERT_EQUAL(acs_chain_verify(chain, acs_mockca_bundle_path(ca), &err), 0);
	CU_ASSERT_EQUAL(acs_cert_idents(chain->certs[0], &lids, &nl, &err), 0);
	CU_ASSERT_TRUE(acs_idents_equal_sets(&id, 1, lids, nl));
	CU_ASSERT_EQUAL(acs_key_from_evp(&lk, X509_get0_pubkey(chain->certs[0]), &err), 0);
	CU_ASSERT_TRUE(acs_key_equal(lk, ck));
	acs_chain_free(chain);
	chain = NULL;
	if (expect_alternate) {
		const char *p = strstr(r.hdrs.data, "rel=\"alternate\"");

		CU_ASSERT_PTR_NOT_NULL(p);
		alt = header(&r, "Link");
	}
	resp_free(&r);
	if (expect_alternate) {
		/* fetch the alternate chain: same leaf, verifies under the other root */
		char *u = NULL;
		const char *lt = NULL, *gt;
		char *lh = NULL;
		const char *q;

		free(alt);
		q = c.kid; /* any POST: take the alternate link from a fresh fetch */
		(void)q;
		json_decref(post(&c, json_string_value(json_object_get(final, "certificate")), NULL,
		                 0, NULL, &r));
		for (lt = r.hdrs.data; lt != NULL && (lt = strstr(lt, "<")) != NULL; lt++) {
			gt = strchr(lt, '>');
			if (gt != NULL && strncmp(gt, ">;rel=\"alternate\"", 17) == 0) {
				u = strndup(lt + 1, (size_t)(gt - lt - 1));
				break;
			}
		}
		resp_free(&r);
		CU_ASSERT_PTR_NOT_NULL_FATAL(u);
		json_decref(post(&c, u, NULL, 0, NULL, &r));
		CU_ASSERT_EQUAL(r.status, 200);
		CU_ASSERT_EQUAL(acs_chain_parse(r.body.data, r.body.len, &chain, &err), 0);
		if (chain != NULL) {
			CU_ASSERT_NOT_EQUAL(
			    acs_chain_verify(chain, acs_mockca_bundle_path(ca), &err), 0);
			CU_ASSERT_EQUAL(
			    acs_chain_verify(chain, acs_mockca_all_roots_path(ca), &err), 0);
		}
		acs_chain_free(chain);
		resp_free(&r);
		free(u);
		free(lh);
		alt = NULL;
	}
	free(alt);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, scenario, "client.8555.8_3.http01-keyauth"), 0);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, scenario, "client.8555.6_4.url-header-matches"),
	                0);
	{
		json_t *issued = acs_mockca_issued(ca, scenario);

		CU_ASSERT_EQUAL(json_array_size(issued), 1);
		json_decref(issued);
	}
	json_decref(final);
	json_decref(order);
	free(order_url);
	free(csr_b64);
	free(der);
	free(lids);
	acs_key_free(ck);
	acs_key_free(lk);
	client_free(&c);
}

/* A wildcard order: the authorization names the base with wildcard:true, dns-01 only. */
static void test_wildcard_dns01(void)
{
	struct client c;
	struct resp r;
	struct acs_err err;
	struct acs_ident id;
	struct acs_key *ck = NULL;
	unsigned char *der = NULL;
	size_t derlen = 0;
	json_t *pl, *order, *authz, *chs, *b, *final;
	char *order_url, *ka, *dig, *csr;
	const char *authz_url, *chall_url;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(client_init(&c, "wild"), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
	pl = json_pack("{s:[{s:s, s:s}]}", "identifiers", "type", "dns", "value",
	               "*.w.acmespec.test");
	order = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	json_decref(pl);
	CU_ASSERT_EQUAL_FATAL(r.status, 201);
	order_url = header(&r, "Location");
	resp_free(&r);
	authz_url = json_string_value(json_array_get(json_object_get(order, "authorizations"), 0));
	authz = post(&c, authz_url, NULL, 0, NULL, &r);
	resp_free(&r);
	CU_ASSERT_TRUE(json_is_true(json_object_get(authz, "wildcard")));
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_object_get(authz, "identifier"), "value")),
	    "w.acmespec.test");
	chs = json_object_get(authz, "challenges");
	/* dns-01, then dns-account-01 and dns-persist-01 (issue 7) */
	CU_ASSERT_EQUAL_FATAL(json_array_size(chs), 3);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(json_array_get(chs, 0), "type")),
	                       "dns-01");
	chall_url = json_string_value(json_object_get(json_array_get(chs, 0), "url"));
	ka = acs_keyauth(json_string_value(json_object_get(json_array_get(chs, 0), "token")), c.key,
	                 &err);
	dig = acs_keyauth_digest_b64(ka);
	pthread_mutex_lock(&tok_lock);
	(void)snprintf(dns_txt, sizeof(dns_txt), "%s", dig);
	pthread_mutex_unlock(&tok_lock);
	pl = json_object();
	json_decref(post(&c, chall_url, pl, 0, NULL, &r));
	json_decref(pl);
	resp_free(&r);
	b = poll_until(&c, authz_url, "valid", 50);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "valid");
	json_decref(b);
	memset(&id, 0, sizeof(id));
	memcpy(id.type, "dns", 4);
	memcpy(id.value, "*.w.acmespec.test", 18);
	CU_ASSERT_EQUAL_FATAL(acs_key_generate(&ck, ACS_KEY_EC256, &err), 0);
	CU_ASSERT_EQUAL_FATAL(acs_csr_make(ck, &id, 1, 1, &der, &derlen, &err), 0);
	csr = acs_b64url_encode(der, derlen);
	pl = json_pack("{s:s}", "csr", csr);
	json_decref(
	    post(&c, json_string_value(json_object_get(order, "finalize")), pl, 0, NULL, &r));
	CU_ASSERT_EQUAL(r.status, 200);
	resp_free(&r);
	json_decref(pl);
	final = poll_until(&c, order_url, "valid", 10);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(final, "status")), "valid");
	json_decref(final);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "wild", "client.8555.8_4.dns01-txt"), 0);
	json_decref(authz);
	json_decref(order);
	free(order_url);
	free(ka);
	free(dig);
	free(csr);
	free(der);
	acs_key_free(ck);
	client_free(&c);
}

static void test_full_flow(void)
{
	full_flow("flow", 1);
}

static void test_full_flow_faults(void)
{
	struct acs_err err;

	CU_ASSERT_EQUAL(acs_mockca_scenario_add(ca, "faults", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "bad-nonce=new-order:1", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "order-processing=2", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "no-alternate-chains", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "nope", &err), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "no-challenge", &err), ACS_E_INVAL);
	/* timing scenarios: a window anchored at the issuance */
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "ari-window=issued:5:15", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "ari-window=issued:5", &err),
	                ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "faults", "ari-window=issued:5:0", &err),
	                ACS_E_INVAL);
	/* the test client does not retry badNonce: drive newOrder by hand first */
	{
		struct client c;
		struct resp r;
		json_t *pl, *b;

		CU_ASSERT_EQUAL_FATAL(client_init(&c, "faults"), 0);
		CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
		pl = json_pack("{s:[{s:s, s:s}]}", "identifiers", "type", "dns", "value",
		               "y.acmespec.test");
		b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
		CU_ASSERT_EQUAL(r.status, 400);
		CU_ASSERT_STRING_EQUAL(problem_type(b), "badNonce");
		CU_ASSERT_PTR_NOT_NULL(c.nonce);
		resp_free(&r);
		json_decref(b);
		/* the retry with the nonce of the error succeeds */
		b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
		CU_ASSERT_EQUAL(r.status, 201);
		resp_free(&r);
		json_decref(b);
		json_decref(pl);
		client_free(&c);
	}
	full_flow("faults", 0);
}

static void test_request_checks(void)
{
	struct client c, d;
	struct resp r;
	json_t *b, *extra, *pl, *log;
	char *stale;

	CU_ASSERT_EQUAL_FATAL(client_init(&c, "checks"), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);

	/* url mismatch: 401 unauthorized (section 6.4) */
	extra = json_pack("{s:s}", "url", dir_url(&c, "newNonce"));
	b = post(&c, c.kid, NULL, 0, extra, &r);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "unauthorized");
	CU_ASSERT_TRUE(header_has(&r, "Content-Type", "application/problem+json"));
	CU_ASSERT_TRUE(header_has(&r, "Link", "rel=\"index\""));
	json_decref(extra);
	json_decref(b);
	resp_free(&r);

	/* reused nonce: badNonce with a fresh nonce */
	b = post(&c, c.kid, NULL, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	json_decref(b);
	resp_free(&r);
	fresh_nonce(&c);
	stale = strdup(c.nonce);
	b = post(&c, c.kid, NULL, 0, NULL, &r);
	json_decref(b);
	resp_free(&r);
	extra = json_pack("{s:s}", "nonce", stale);
	b = post(&c, c.kid, NULL, 0, extra, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "badNonce");
	CU_ASSERT_PTR_NOT_NULL(c.nonce);
	json_decref(extra);
	json_decref(b);
	resp_free(&r);
	free(stale);

	/* unsupported alg: badSignatureAlgorithm with algorithms */
	extra = json_pack("{s:s}", "alg", "HS256");
	b = post(&c, c.kid, NULL, 0, extra, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "badSignatureAlgorithm");
	CU_ASSERT_TRUE(json_is_array(json_object_get(b, "algorithms")));
	json_decref(extra);
	json_decref(b);
	resp_free(&r);

	/* wrong Content-Type: 415 */
	CU_ASSERT_EQUAL(http("POST", c.kid, "application/json", "{}", &r), 0);
	CU_ASSERT_EQUAL(r.status, 415);
	resp_free(&r);

	/* POST-as-GET with {} on an order-like resource: malformed */
	pl = json_object();
	b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	json_decref(b);
	resp_free(&r);
	json_decref(pl);

	/* ToS required */
	CU_ASSERT_EQUAL_FATAL(client_init(&d, "checks"), 0);
	pl = json_pack("{s:[s]}", "contact", "mailto:x@y.test");
	b = post(&d, dir_url(&d, "newAccount"), pl, 1, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "userActionRequired");
	CU_ASSERT_TRUE(header_has(&r, "Link", "rel=\"terms-of-service\""));
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	/* mailto with hfields */
	pl = json_pack("{s:b, s:[s]}", "termsOfServiceAgreed", 1, "contact",
	               "mailto:x@y.test?subject=hi");
	b = post(&d, dir_url(&d, "newAccount"), pl, 1, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "invalidContact");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	CU_ASSERT_EQUAL(new_account(&d), 0);

	/* key change to a key in use: 409 with Location */
	{
		json_t *inner_hdr =
		    json_pack("{s:s, s:o, s:s}", "alg", acs_key_alg(d.key), "jwk",
		              acs_jwk_public(d.key), "url", dir_url(&c, "keyChange"));
		json_t *ipl =
		    json_pack("{s:s, s:o}", "account", c.kid, "oldKey", acs_jwk_public(c.key));
		char *iplt = json_dumps(ipl, JSON_COMPACT);
		char *inner = acs_jws_sign(d.key, inner_hdr, iplt, strlen(iplt), NULL);
		json_t *outer = json_loads(inner, 0, NULL);

		b = post(&c, dir_url(&c, "keyChange"), outer, 0, NULL, &r);
		CU_ASSERT_EQUAL(r.status, 409);
		CU_ASSERT_TRUE(header_has(&r, "Location", d.kid));
		json_decref(b);
		resp_free(&r);
		json_decref(outer);
		free(inner);
		free(iplt);
		json_decref(ipl);
		json_decref(inner_hdr);
	}

	/* deactivation: later requests 401 */
	pl = json_pack("{s:s}", "status", "deactivated");
	b = post(&d, d.kid, pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "deactivated");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	b = post(&d, d.kid, NULL, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 401);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "unauthorized");
	json_decref(b);
	resp_free(&r);

	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "checks", "client.8555.6_4.url-header-matches"),
	                1);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "checks", "client.8555.6_5.nonce-fresh"), 1);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "checks", "client.8555.6_2.alg-asymmetric"), 1);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "checks", "client.8555.6_2.content-type-jose"),
	                1);
	CU_ASSERT_EQUAL(acs_mockca_check_count(ca, "checks", "client.8555.7_3.mailto-contact"), 1);
	log = acs_mockca_log(ca, "checks");
	CU_ASSERT_TRUE(json_array_size(log) > 10);
	json_decref(log);
	client_free(&c);
	client_free(&d);
}

static void test_violations(void)
{
	struct acs_err err;
	struct client c;
	struct resp r;
	json_t *b, *extra;

	CU_ASSERT_EQUAL(acs_mockca_scenario_add(ca, "bad", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "no-replay-nonce", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "newnonce-no-cache-control", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "accept-url-mismatch", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "accept-unknown-nonce", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "directory-v1", &err), 0);
	CU_ASSERT_EQUAL_FATAL(client_init(&c, "bad"), 0);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(c.dir, "new-reg"));
	CU_ASSERT_PTR_NULL(json_object_get(c.dir, "newNonce"));
	CU_ASSERT_EQUAL(acs_mockca_misbehave_clear(ca, "bad", &err), 0);
	json_decref(c.dir);
	CU_ASSERT_EQUAL(http("GET", c.dir_url, NULL, NULL, &r), 0);
	c.dir = json_loads(r.body.data, 0, NULL);
	resp_free(&r);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "no-replay-nonce", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "newnonce-no-cache-control", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "accept-url-mismatch", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "bad", "accept-unknown-nonce", &err), 0);
	CU_ASSERT_EQUAL(http("HEAD", dir_url(&c, "newNonce"), NULL, NULL, &r), 0);
	CU_ASSERT_FALSE(header_has(&r, "Replay-Nonce", ""));
	CU_ASSERT_FALSE(header_has(&r, "Cache-Control", "no-store"));
	resp_free(&r);
	free(c.nonce);
	c.nonce = strdup("Zm9yZ2Vk");
	CU_ASSERT_EQUAL(new_account(&c), 0);
	free(c.nonce);
	c.nonce = strdup("Zm9yZ2Vk");
	extra = json_pack("{s:s}", "url", "https://elsewhere.test/x");
	b = post(&c, c.kid, NULL, 0, extra, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	json_decref(b);
	json_decref(extra);
	resp_free(&r);
	client_free(&c);
	CU_ASSERT_EQUAL(acs_mockca_scenario_remove(ca, "bad", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_scenario_remove(ca, "bad", &err), ACS_E_NOTFOUND);
}

static void test_body_cap(void)
{
	struct resp r;
	char *dir = acs_mockca_directory_url(ca, "cap");
	char *big = malloc(100 * 1024 + 1);
	char url[512];

	memset(big, 'a', 100 * 1024);
	big[100 * 1024] = '\0';
	(void)snprintf(url, sizeof(url), "%s/s/cap/new-order", acs_mockca_base_url(ca));
	CU_ASSERT_EQUAL(http("POST", url, "application/jose+json", big, &r), 0);
	CU_ASSERT_EQUAL(r.status, 413);
	resp_free(&r);
	free(big);
	free(dir);
}

/* ---- conformance features and the misbehaviour table ---- */

static json_t *ident_payload(const char *v1, const char *v2)
{
	if (v2 == NULL)
		return json_pack("{s:[{s:s, s:s}]}", "identifiers", "type", "dns", "value", v1);
	return json_pack("{s:[{s:s, s:s}, {s:s, s:s}]}", "identifiers", "type", "dns", "value", v1,
	                 "type", "dns", "value", v2);
}

/* Answer the http-01 challenge of an authorization and poll it valid (the test responder). */
static int validate_http01(struct client *c, const char *authz_url)
{
	struct resp r;
	struct acs_err err;
	json_t *authz, *v, *b;
	const char *chall_url = NULL, *token = NULL;
	char *ka;
	size_t i;
	int ok;

	acs_err_clear(&err);
	authz = post(c, authz_url, NULL, 0, NULL, &r);
	resp_free(&r);
	json_array_foreach(json_object_get(authz, "challenges"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "type")), "http-01") == 0) {
			chall_url = json_string_value(json_object_get(v, "url"));
			token = json_string_value(json_object_get(v, "token"));
		}
	}
	if (chall_url == NULL) {
		json_decref(authz);
		return -1;
	}
	ka = acs_keyauth(token, c->key, &err);
	pthread_mutex_lock(&tok_lock);
	(void)snprintf(tok_token, sizeof(tok_token), "%s", token);
	(void)snprintf(tok_keyauth, sizeof(tok_keyauth), "%s", ka != NULL ? ka : "");
	pthread_mutex_unlock(&tok_lock);
	free(ka);
	v = json_object();
	json_decref(post(c, chall_url, v, 0, NULL, &r));
	json_decref(v);
	resp_free(&r);
	b = poll_until(c, authz_url, "valid", 50);
	ok = b != NULL && strcmp(json_string_value(json_object_get(b, "status")), "valid") == 0;
	json_decref(b);
	json_decref(authz);
	return ok ? 0 : -1;
}

/* Section 10.5 URLs, POST-as-GET of the directory, CORS, EAB per scenario. */
static void test_urls_directory_eab(void)
{
	struct acs_err err;
	struct client c, d;
	struct resp r;
	json_t *b, *pl;
	char guessed[512];
	const char *slash;

	CU_ASSERT_EQUAL_FATAL(client_init(&c, "urls"), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
	/* the account URL carries a random part; the bare sequential id is not found */
	slash = strrchr(c.kid, '/');
	CU_ASSERT_PTR_NOT_NULL_FATAL(slash);
	CU_ASSERT_PTR_NOT_NULL(strchr(slash, '-'));
	CU_ASSERT_TRUE(strlen(slash) > 12);
	(void)snprintf(guessed, sizeof(guessed), "%.*s", (int)(strchr(slash, '-') - c.kid), c.kid);
	json_decref(post(&c, guessed, NULL, 0, NULL, &r));
	CU_ASSERT_EQUAL(r.status, 404);
	resp_free(&r);
	/* POST-as-GET works on the directory and newNonce (section 6.3), CORS on all */
	b = post(&c, c.dir_url, NULL, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_PTR_NOT_NULL(json_object_get(b, "newNonce"));
	CU_ASSERT_PTR_NOT_NULL(json_object_get(b, "newAuthz"));
	CU_ASSERT_TRUE(header_has(&r, "Access-Control-Allow-Origin", "*"));
	json_decref(b);
	resp_free(&r);
	json_decref(post(&c, dir_url(&c, "newNonce"), NULL, 0, NULL, &r));
	CU_ASSERT_TRUE(r.status == 200 || r.status == 204);
	resp_free(&r);
	/* the same switched off: sequential URLs, 405 on the directory POST */
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "urls", "sequential-urls", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "urls", "directory-post-as-get-refused", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "urls", "no-cors", &err), 0);
	json_decref(post(&c, guessed, NULL, 0, NULL, &r));
	CU_ASSERT_EQUAL(r.status, 200);
	resp_free(&r);
	json_decref(post(&c, c.dir_url, NULL, 0, NULL, &r));
	CU_ASSERT_EQUAL(r.status, 405);
	CU_ASSERT_FALSE(header_has(&r, "Access-Control-Allow-Origin", ""));
	resp_free(&r);
	client_free(&c);

	/* EAB required in one scenario only */
	CU_ASSERT_EQUAL(acs_mockca_scenario_eab(ca, "nosuch", "k", "AAAA", &err), ACS_E_NOTFOUND);
	CU_ASSERT_EQUAL(acs_mockca_scenario_add(ca, "eab", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_scenario_eab(ca, "eab", "k", NULL, &err), ACS_E_INVAL);
	CU_ASSERT_EQUAL(acs_mockca_scenario_eab(ca, "eab", "k", "a+b/", &err), ACS_E_INVAL);
	CU_ASSERT_EQUAL(
	    acs_mockca_scenario_eab(ca, "eab", ACS_MOCKCA_EAB_KID, ACS_MOCKCA_EAB_HMAC, &err), 0);
	CU_ASSERT_EQUAL_FATAL(client_init(&d, "eab"), 0);
	CU_ASSERT_TRUE(json_is_true(
	    json_object_get(json_object_get(d.dir, "meta"), "externalAccountRequired")));
	pl = json_pack("{s:b}", "termsOfServiceAgreed", 1);
	b = post(&d, dir_url(&d, "newAccount"), pl, 1, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 403);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "externalAccountRequired");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	client_free(&d);
	CU_ASSERT_EQUAL(acs_mockca_scenario_eab(ca, "eab", NULL, NULL, &err), 0);
	CU_ASSERT_EQUAL_FATAL(client_init(&d, "eab"), 0);
	CU_ASSERT_PTR_NULL(
	    json_object_get(json_object_get(d.dir, "meta"), "externalAccountRequired"));
	CU_ASSERT_EQUAL(new_account(&d), 0);
	client_free(&d);
}

/* Identifier checks: punycode, policy, subproblems, unknown types. */
static void test_identifiers(void)
{
	struct client c;
	struct resp r;
	json_t *b, *pl, *sub;

	CU_ASSERT_EQUAL_FATAL(client_init(&c, "idents"), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
	pl = ident_payload("xn--99999999999.acmespec.test", NULL);
	b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "rejectedIdentifier");
	CU_ASSERT_PTR_NULL(json_object_get(b, "subproblems"));
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	/* a valid A-label (bücher) passes */
	pl = ident_payload("xn--bcher-kva.acmespec.test", NULL);
	json_decref(post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r));
	CU_ASSERT_EQUAL(r.status, 201);
	json_decref(pl);
	resp_free(&r);
	/* two refused of three: subproblems with identifier objects, none at the top */
	pl = json_pack("{s:[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]}", "identifiers", "type", "dns",
	               "value", "ok.acmespec.test", "type", "dns", "value",
	               "bad_label!.acmespec.test", "type", "dns", "value", "x.acmespec.invalid");
	b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "rejectedIdentifier");
	CU_ASSERT_PTR_NULL(json_object_get(b, "identifier"));
	CU_ASSERT_EQUAL(json_array_size(json_object_get(b, "subproblems")), 2);
	sub = json_array_get(json_object_get(b, "subproblems"), 1);
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_object_get(json_object_get(sub, "identifier"), "value")),
	    "x.acmespec.invalid");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	/* over the per-order cap: said as such (rejectedIdentifier), not "non-empty array" */
	pl = json_pack("{s:[]}", "identifiers");
	for (int k = 0; k < 101; k++) {
		char name[64];

		(void)snprintf(name, sizeof(name), "n%d.acmespec.test", k);
		json_array_append_new(json_object_get(pl, "identifiers"),
		                      json_pack("{s:s, s:s}", "type", "dns", "value", name));
	}
	b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "rejectedIdentifier");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "detail")),
	                       "too many identifiers: 101; this CA takes at most 100 per order");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	/* unknown identifier types: unsupportedIdentifier */
	pl = json_pack("{s:[{s:s, s:s}]}", "identifiers", "type", "email", "value", "a@b.test");
	b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 400);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "unsupportedIdentifier");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	client_free(&c);
}

/* n identifiers "PREFIX<k>.acmespec.test" for newOrder (new reference). */
static json_t *many_idents(const char *prefix, int n)
{
	json_t *pl = json_pack("{s:[]}", "identifiers");
	int k;

	for (k = 0; k < n; k++) {
		char name[64];

		(void)snprintf(name, sizeof(name), "%s%d.acmespec.test", prefix, k);
		json_array_append_new(json_object_get(pl, "identifiers"),
		                      json_pack("{s:s, s:s}", "type", "dns", "value", name));
	}
	return pl;
}

/*
 * A scenario whose store is full (8,500 objects of a kind; challenges fill
 * first, five per DNS authorization since dns-account-01 and dns-persist-01) refuses the next order
 * with 429 rateLimited saying why (hardening issue, D4: it was a 500 serverInternal "cannot create
 * authorizations" on every later order).
 */
static void test_scenario_full(void)
{
	struct client c;
	struct resp r;
	json_t *b, *pl;
	const char *detail;
	int i, created = 0;

	CU_ASSERT_EQUAL_FATAL(client_init(&c, "full"), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
	for (i = 0; i < 16; i++) {
		char prefix[16];

		(void)snprintf(prefix, sizeof(prefix), "f%d-", i);
		pl = many_idents(prefix, 100);
		b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
		created += r.status == 201;
		json_decref(b);
		json_decref(pl);
		resp_free(&r);
	}
	CU_ASSERT_EQUAL(created, 16); /* 1,600 authorizations, 8,000 challenges */
	/* 100 more names would need up to 700 more challenges: refused, saying why */
	pl = many_idents("over-", 100);
	b = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 429);
	if (r.status != 429)
		fprintf(stderr, "\n  status %ld: %s\n", (long)r.status, r.body.data);
	CU_ASSERT_STRING_EQUAL(problem_type(b), "rateLimited");
	detail = json_string_value(json_object_get(b, "detail"));
	CU_ASSERT_PTR_NOT_NULL_FATAL(detail);
	if (strstr(detail, "holds 16 orders, 1600 authorizations and 8000 challenges") == NULL)
		fprintf(stderr, "\n  detail: %s\n", detail);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(detail, "holds 16 orders, 1600 authorizations and 8000 challenges"));
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	/* what still fits is served: the cap is a capacity, not a blanket refusal */
	pl = many_idents("small-", 1);
	json_decref(post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r));
	CU_ASSERT_EQUAL(r.status, 201);
	json_decref(pl);
	resp_free(&r);
	client_free(&c);
}

/* Pre-authorization, reuse of a valid authorization, deactivation, account updates. */
static void test_authz_lifecycle(void)
{
	struct client c;
	struct resp r;
	json_t *b, *pl, *order;
	char *authz_url, *order_url;

	CU_ASSERT_EQUAL_FATAL(client_init(&c, "preauth"), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
	pl = json_pack("{s:{s:s, s:s}}", "identifier", "type", "dns", "value", "p.acmespec.test");
	b = post(&c, dir_url(&c, "newAuthz"), pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 201);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "pending");
	authz_url = header(&r, "Location");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	CU_ASSERT_PTR_NOT_NULL_FATAL(authz_url);
	CU_ASSERT_EQUAL(validate_http01(&c, authz_url), 0);
	/* the order reuses it: ready at once, listing that authorization */
	pl = ident_payload("p.acmespec.test", NULL);
	order = post(&c, dir_url(&c, "newOrder"), pl, 0, NULL, &r);
	json_decref(pl);
	CU_ASSERT_EQUAL(r.status, 201);
	order_url = header(&r, "Location");
	resp_free(&r);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(order, "status")), "ready");
	CU_ASSERT_STRING_EQUAL(
	    json_string_value(json_array_get(json_object_get(order, "authorizations"), 0)),
	    authz_url);
	json_decref(order);
	/* deactivating it makes the ready order invalid (section 7.1.6) */
	pl = json_pack("{s:s}", "status", "deactivated");
	b = post(&c, authz_url, pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "deactivated");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	b = post(&c, order_url, NULL, 0, NULL, &r);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "invalid");
	json_decref(b);
	resp_free(&r);
	/* an account update with another status is ignored, not refused */
	pl = json_pack("{s:s}", "status", "revoked");
	b = post(&c, c.kid, pl, 0, NULL, &r);
	CU_ASSERT_EQUAL(r.status, 200);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "valid");
	json_decref(b);
	json_decref(pl);
	resp_free(&r);
	free(authz_url);
	free(order_url);
	client_free(&c);
}

/* Section 8.2: a failed validation is retried after a second, with the error meanwhile. */
static void test_validation_retry(void)
{
	struct client c;
	struct resp r;
	struct acs_err err;
	json_t *order, *authz, *v, *ch, *b;
	const char *authz_url, *chall_url = NULL, *token = NULL;
	char *ka;
	size_t i;
	int n, saw_error = 0;

	acs_err_clear(&err);
	CU_ASSERT_EQUAL_FATAL(client_init(&c, "retry"), 0);
	CU_ASSERT_EQUAL_FATAL(new_account(&c), 0);
	v = ident_payload("retry.acmespec.test", NULL);
	order = post(&c, dir_url(&c, "newOrder"), v, 0, NULL, &r);
	json_decref(v);
	resp_free(&r);
	authz_url = json_string_value(json_array_get(json_object_get(order, "authorizations"), 0));
	authz = post(&c, authz_url, NULL, 0, NULL, &r);
	resp_free(&r);
	json_array_foreach(json_object_get(authz, "challenges"), i, v)
	{
		if (strcmp(json_string_value(json_object_get(v, "type")), "http-01") == 0) {
			chall_url = json_string_value(json_object_get(v, "url"));
			token = json_string_value(json_object_get(v, "token"));
		}
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(chall_url);
	/* nothing served yet: the first attempt gets a 404 */
	pthread_mutex_lock(&tok_lock);
	tok_token[0] = '\0';
	pthread_mutex_unlock(&tok_lock);
	v = json_object();
	json_decref(post(&c, chall_url, v, 0, NULL, &r));
	json_decref(v);
	resp_free(&r);
	for (n = 0; n < 20 && !saw_error; n++) {
		ch = post(&c, chall_url, NULL, 0, NULL, &r);
		if (json_object_get(ch, "error") != NULL) {
			saw_error = 1;
			CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(ch, "status")),
			                       "processing");
			CU_ASSERT_TRUE(header_has(&r, "Retry-After", ""));
		}
		json_decref(ch);
		resp_free(&r);
		usleep(50 * 1000);
	}
	CU_ASSERT_TRUE(saw_error);
	ka = acs_keyauth(token, c.key, &err);
	pthread_mutex_lock(&tok_lock);
	(void)snprintf(tok_token, sizeof(tok_token), "%s", token);
	(void)snprintf(tok_keyauth, sizeof(tok_keyauth), "%s", ka != NULL ? ka : "");
	pthread_mutex_unlock(&tok_lock);
	free(ka);
	b = poll_until(&c, authz_url, "valid", 50);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(b, "status")), "valid");
	json_decref(b);
	json_decref(authz);
	json_decref(order);
	client_free(&c);
}

/* The table: kebab-case unique names, one-line descriptions; new controls are violations. */
static void test_misbehaviour_table(void)
{
	const struct acs_mockca_misbehaviour *mb;
	struct acs_err err;
	size_t n, i, j;

	mb = acs_mockca_misbehaviours(&n);
	CU_ASSERT_TRUE(n > 150);
	for (i = 0; i < n; i++) {
		const char *p;

		CU_ASSERT_PTR_NOT_NULL_FATAL(mb[i].name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(mb[i].description);
		for (p = mb[i].name; *p != '\0'; p++)
			CU_ASSERT_TRUE((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
			               *p == '-');
		CU_ASSERT_PTR_NULL(strchr(mb[i].description, '\n'));
		for (j = i + 1; j < n; j++)
			CU_ASSERT_NOT_EQUAL(strcmp(mb[i].name, mb[j].name), 0);
		/* the legal variations the profiles branch added are no violations, nor RFC 9444 */
		if (i > MB_CONTACT_UNCHECKED && i != MB_NO_PROFILES && i != MB_PROFILE_REFUSED &&
		    i != MB_NO_NEWAUTHZ && i != MB_LETSENCRYPT && i != MB_SUBDOMAIN_AUTH)
			CU_ASSERT_EQUAL(mb[i].violation, 1);
	}
	{
		/* letsencrypt turns on the switches that play Boulder */
		struct mca_mb_state tab[MB_COUNT];

		memset(tab, 0, sizeof(tab));
		CU_ASSERT_EQUAL(acs_mca_mb_set(tab, "letsencrypt", &err), 0);
		CU_ASSERT_TRUE(tab[MB_LETSENCRYPT].on && tab[MB_GET_ALLOWED].on &&
		               tab[MB_NO_NEWAUTHZ].on && tab[MB_NO_ORDERS_URL].on &&
		               tab[MB_NO_VALIDATION_RETRY].on);
		CU_ASSERT_FALSE(tab[MB_NO_PROFILES].on);
	}
	CU_ASSERT_EQUAL(acs_mockca_scenario_add(ca, "table", &err), 0);
	for (i = 0; i < n; i++) {
		if (mb[i].arg != ACS_MB_ARG_REQUIRED)
			CU_ASSERT_EQUAL(acs_mockca_misbehave(ca, "table", mb[i].name, &err), 0);
	}
	CU_ASSERT_EQUAL(acs_mockca_scenario_remove(ca, "table", &err), 0);
}

/* RFC 9444 sections 2 and 7.2: ancestors on whole labels, never the name itself */
static void test_subdomain_ancestor(void)
{
	CU_ASSERT_TRUE(acs_mca_is_ancestor("example.org", "sub.example.org", 0));
	CU_ASSERT_TRUE(acs_mca_is_ancestor("Example.ORG", "a.b.example.org", 0));
	CU_ASSERT_FALSE(acs_mca_is_ancestor("example.org", "example.org", 0));
	CU_ASSERT_FALSE(acs_mca_is_ancestor("oo.example.com", "ooo.example.com", 0));
	CU_ASSERT_FALSE(acs_mca_is_ancestor("sub.example.org", "example.org", 0));
	CU_ASSERT_FALSE(acs_mca_is_ancestor("", "example.org", 0));
	/* the subdomain-ancestor-suffix-match fault takes any longer string suffix */
	CU_ASSERT_TRUE(acs_mca_is_ancestor("oo.example.com", "ooo.example.com", 1));
	CU_ASSERT_FALSE(acs_mca_is_ancestor("example.com", "example.com", 1));
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mockca", suite_init, suite_clean);

	CU_add_test(s, "directory_and_nonce", test_directory_and_nonce);
	CU_add_test(s, "issuance", test_issuance);
	CU_add_test(s, "full_flow", test_full_flow);
	CU_add_test(s, "full_flow_faults", test_full_flow_faults);
	CU_add_test(s, "wildcard_dns01", test_wildcard_dns01);
	CU_add_test(s, "request_checks", test_request_checks);
	CU_add_test(s, "violations", test_violations);
	CU_add_test(s, "body_cap", test_body_cap);
	CU_add_test(s, "urls_directory_eab", test_urls_directory_eab);
	CU_add_test(s, "identifiers", test_identifiers);
	CU_add_test(s, "scenario_full", test_scenario_full);
	CU_add_test(s, "authz_lifecycle", test_authz_lifecycle);
	CU_add_test(s, "validation_retry", test_validation_retry);
	CU_add_test(s, "misbehaviour_table", test_misbehaviour_table);
	CU_add_test(s, "subdomain_ancestor", test_subdomain_ancestor);
}
