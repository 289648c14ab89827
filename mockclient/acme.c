/*
 * The mock client's ACME engine (see acme.h). The JWS is assembled here,
 * byte by byte, rather than through harness/jws.c, because several
 * misbehaviours (b64-padded, b64-false, alg-none, payload-omit) need a
 * signing input that no conformant signer would ever produce.
 */
/* strptime(3) is an X/Open interface */
#define _XOPEN_SOURCE 700

#include "mockclient/acme.h"

#include <ctype.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/clock.h"
#include "harness/json_util.h"
#include "harness/transcript.h"
#include "mockclient/responders.h"

#define MAX_NONCE_RETRIES 5

int acs_acme_set_str(char **slot, const char *v)
{
	char *copy = NULL;

	if (v != NULL) {
		copy = strdup(v);
		if (copy == NULL)
			return ACS_E_NOMEM;
	}
	free(*slot);
	*slot = copy;
	return 0;
}

void acs_acme_random_label(char *out, size_t n)
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char rnd[64];
	size_t i;

	if (n > sizeof(rnd))
		n = sizeof(rnd);
	if (RAND_bytes(rnd, (int)n) != 1) {
		/* RAND_bytes failing is close to impossible; keep names usable anyway */
		for (i = 0; i < n; i++)
			rnd[i] = (unsigned char)(rand() & 0xff);
	}
	for (i = 0; i < n; i++)
		out[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[n] = '\0';
}

void acs_acme_resp_free(struct acs_acme_resp *r)
{
	if (r == NULL)
		return;
	acs_http_response_free(r->http);
	json_decref(r->json);
	free(r->method);
	free(r->url);
	free(r);
}

int acs_acme_make_name(char *out, size_t n, const char *suffix)
{
	char label[16];
	int k;

	acs_acme_random_label(label, 10);
	k = snprintf(out, n, "%s.%s", label,
	             suffix != NULL && suffix[0] != '\0' ? suffix : "acmespec.test");
	return k < 0 || (size_t)k >= n ? -1 : 0;
}

int acs_acme_session_new(struct acs_acme_session **out, const struct acs_acme_session_opts *o,
                         struct acs_err *err)
{
	struct acs_acme_session *s = NULL;
	struct acs_http_opts ho;
	int rc = ACS_E_NOMEM;
	int i;

	s = calloc(1, sizeof(*s));
	if (s == NULL)
		goto nomem;
	memset(&ho, 0, sizeof(ho));
	ho.ca_bundle = o->ca_bundle;
	ho.timeout_ms = o->timeout_ms;
	ho.user_agent = o->user_agent;
	rc = acs_http_new(&s->http, &ho, err);
	if (rc != 0)
		goto out;
	rc = acs_transcript_new(&s->transcript, 0);
	if (rc != 0)
		goto nomem;
	acs_http_set_transcript(s->http, s->transcript);
	{
		struct acs_netpolicy np;

		acs_netpolicy_init(&np, o->directory_url, o->allow_production,
		                   o->allow_other_hosts);
		acs_http_set_policy(s->http, &np);
	}
	s->responders = o->responders;
	s->wait_seconds = o->wait_seconds > 0 ? o->wait_seconds : 30;
	rc = ACS_E_NOMEM;
	if (acs_acme_set_str(&s->directory_url, o->directory_url) != 0 ||
	    acs_acme_set_str(&s->eab_kid, o->eab_kid) != 0 ||
	    acs_acme_set_str(&s->eab_hmac, o->eab_hmac) != 0)
		goto nomem;
	s->orders_left = s->accounts_left = -1;
	/* three distinct names: equal labels are astronomically unlikely, but cheap to rule out */
	for (i = 0; i < 3; i++) {
		int j, dup;

		do {
			if (acs_acme_make_name(s->domain[i], sizeof(s->domain[i]),
			                       o->domain_suffix) != 0) {
				rc = acs_err_set(err, ACS_E_INVAL, "domain suffix too long");
				goto out;
			}
			dup = 0;
			for (j = 0; j < i; j++)
				dup |= strcmp(s->domain[i], s->domain[j]) == 0;
		} while (dup);
	}
	*out = s;
	return 0;
nomem:
	if (rc == ACS_E_NOMEM)
		acs_err_set(err, ACS_E_NOMEM, "out of memory");
out:
	acs_acme_session_free(s);
	return rc;
}

static void account_clear(struct acs_acme_account *a)
{
	acs_key_free(a->key);
	acs_key_free(a->old_key);
	free(a->url);
	json_decref(a->obj);
}

static void order_clear(struct acs_acme_order *o)
{
	free(o->url);
	json_decref(o->created);
	json_decref(o->obj);
	json_decref(o->authzs);
	json_decref(o->sent_ids);
	acs_key_free(o->cert_key);
	free(o->not_after);
	free(o->cert_pem);
	free(o->certid);
}

void acs_acme_order_reset(struct acs_acme_order *o)
{
	order_clear(o);
	memset((char *)o + sizeof(o->name), 0, sizeof(*o) - sizeof(o->name));
}

json_t *acs_acme_find_challenge(const json_t *authz, const char *type)
{
	json_t *list = json_object_get(authz, "challenges"), *c;
	size_t i;

	json_array_foreach(list, i, c)
	{
		const char *t = json_string_value(json_object_get(c, "type"));

		if (t != NULL && strcmp(t, type) == 0)
			return c;
	}
	return NULL;
}

void acs_acme_session_free(struct acs_acme_session *s)
{
	size_t i;

	if (s == NULL)
		return;
	/* answers left in the shared responders would leak into later cases' evidence */
	for (i = 0; i < s->nprov; i++) {
		struct acs_acme_provision *p = &s->prov[i];

		if (s->responders != NULL) {
			if (p->kind == 0)
				acs_http01_clear(s->responders, p->key);
			else if (p->kind == 1)
				acs_dns_txt_clear(s->responders, p->key);
			else
				acs_alpn_clear(s->responders, &p->ident);
		}
		free(p->key);
	}
	free(s->prov);
	for (i = 0; i < s->client.ndns; i++) {
		free(s->client.dns_names[i]);
		free(s->client.dns_values[i]);
	}
	for (i = 0; i < s->client.nfiles; i++)
		free(s->client.files[i]);
	for (i = 0; i < s->naccounts; i++)
		account_clear(&s->accounts[i]);
	free(s->accounts);
	for (i = 0; i < s->norders; i++)
		order_clear(&s->orders[i]);
	free(s->orders);
	acs_http_free(s->http);
	acs_transcript_free(s->transcript);
	free(s->directory_url);
	json_decref(s->directory);
	free(s->eab_kid);
	free(s->eab_hmac);
	free(s->nonce);
	free(s->last_used_nonce);
	free(s->authz_url);
	json_decref(s->authz);
	free(s->challenge_url);
	json_decref(s->challenge);
	free(s->certificate_url);
	free(s);
}

void acs_acme_remember(struct acs_acme_session *s, int kind, const char *key,
                       const struct acs_ident *ident)
{
	struct acs_acme_provision *p;
	size_t i;

	for (i = 0; i < s->nprov; i++) {
		p = &s->prov[i];
		if (p->kind == kind && p->key != NULL && key != NULL && strcmp(p->key, key) == 0)
			return;
	}
	p = realloc(s->prov, (s->nprov + 1) * sizeof(*p));
	if (p == NULL)
		return;
	s->prov = p;
	p = &s->prov[s->nprov];
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->key = key != NULL ? strdup(key) : NULL;
	if (ident != NULL)
		p->ident = *ident;
	s->nprov++;
}

struct acs_acme_account *acs_acme_account_find(struct acs_acme_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->naccounts; i++) {
		if (strcmp(s->accounts[i].name, name) == 0)
			return &s->accounts[i];
	}
	return NULL;
}

struct acs_acme_order *acs_acme_order_find(struct acs_acme_session *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->norders; i++) {
		if (strcmp(s->orders[i].name, name) == 0)
			return &s->orders[i];
	}
	return NULL;
}

/*
 * Arrays of accounts and orders grow by realloc; callers hold pointers only
 * within one step, and a step creates at most one of each before using it.
 */
struct acs_acme_account *acs_acme_account_get(struct acs_acme_session *s, const char *name)
{
	struct acs_acme_account *a = acs_acme_account_find(s, name);

	if (a != NULL)
		return a;
	a = realloc(s->accounts, (s->naccounts + 1) * sizeof(*a));
	if (a == NULL)
		return NULL;
	s->accounts = a;
	a = &s->accounts[s->naccounts++];
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", name);
	return a;
}

struct acs_acme_order *acs_acme_order_get(struct acs_acme_session *s, const char *name)
{
	struct acs_acme_order *o = acs_acme_order_find(s, name);

	if (o != NULL)
		return o;
	o = realloc(s->orders, (s->norders + 1) * sizeof(*o));
	if (o == NULL)
		return NULL;
	s->orders = o;
	o = &s->orders[s->norders++];
	memset(o, 0, sizeof(*o));
	snprintf(o->name, sizeof(o->name), "%s", name);
	return o;
}

const char *acs_acme_dir_url(const struct acs_acme_session *s, const char *key)
{
	if (s->directory == NULL)
		return NULL;
	return json_string_value(json_object_get(s->directory, key));
}

const char *acs_acme_profile_name(const struct acs_acme_session *s, size_t idx)
{
	json_t *profiles = json_object_get(json_object_get(s->directory, "meta"), "profiles");
	const char *names[2] = {NULL, NULL}, *k;
	json_t *v;

	/* the two smallest names in byte order, so that a case sees the same ones each run */
	json_object_foreach(profiles, k, v)
	{
		(void)v;
		if (names[0] == NULL || strcmp(k, names[0]) < 0) {
			names[1] = names[0];
			names[0] = k;
		} else if (names[1] == NULL || strcmp(k, names[1]) < 0) {
			names[1] = k;
		}
	}
	if (idx == 1 && names[1] == NULL)
		return names[0];
	return idx < 2 ? names[idx] : NULL;
}

const char *acs_acme_problem_type(const struct acs_acme_resp *r)
{
	if (r == NULL || !json_is_object(r->json))
		return NULL;
	return json_string_value(json_object_get(r->json, "type"));
}

int acs_acme_problem_is(const struct acs_acme_resp *r, const char *type, int any_namespace)
{
	static const char prefix[] = "urn:ietf:params:acme:error:";
	const char *t = acs_acme_problem_type(r);
	size_t tl = strlen(type), n;

	if (t == NULL)
		return 0;
	if (!any_namespace)
		return strncmp(t, prefix, sizeof(prefix) - 1) == 0 &&
		       strcmp(t + sizeof(prefix) - 1, type) == 0;
	n = strlen(t);
	return n >= tl && strcmp(t + n - tl, type) == 0 && (n == tl || t[n - tl - 1] == ':');
}

char *acs_acme_resp_summary(const struct acs_acme_resp *r)
{
	struct acs_buf b;
	const char *type = acs_acme_problem_type(r);
	const char *detail = NULL;

	acs_buf_init(&b, 1024);
	if (r == NULL || r->http == NULL) {
		acs_buf_puts(&b, "no response");
		return acs_buf_steal(&b);
	}
	acs_buf_printf(&b, "status %ld", r->http->status);
	if (type != NULL) {
		detail = json_string_value(json_object_get(r->json, "detail"));
		acs_buf_printf(&b, " %s", type);
		if (detail != NULL)
			acs_buf_printf(&b, ": %.300s", detail);
	}
	return acs_buf_steal(&b);
}

/* Keep the newest Replay-Nonce of any response: the server's freshest offer. */
static void take_nonce(struct acs_acme_session *s, const struct acs_http_response *h)
{
	const char *n = acs_http_header(h, "Replay-Nonce");

	if (n != NULL && n[0] != '\0')
		acs_acme_set_str(&s->nonce, n);
	if (s->vet_nonces)
		(void)acs_acme_vet_nonce(s);
}

int acs_acme_vet_nonce(struct acs_acme_session *s)
{
	if (s->nonce == NULL || acs_b64url_valid(s->nonce, strlen(s->nonce)))
		return 0;
	acs_transcript_note(s->transcript, "ignoring invalid Replay-Nonce \"%s\"", s->nonce);
	free(s->nonce);
	s->nonce = NULL;
	return 1;
}

/*
 * retry-forever (a control of issue 11's hostile scenarios): does this
 * exchange count as failed, to be sent again?
 */
static int failed_exchange(int rc, const struct acs_http_response *h)
{
	const char *n;

	if (rc != 0 || h == NULL)
		return 1;
	if (h->status >= 300)
		return 1;
	n = acs_http_header(h, "Replay-Nonce");
	return n != NULL && !acs_b64url_valid(n, strlen(n));
}

/* One exchange: record, parse a JSON body, take the nonce. */
static int exchange(struct acs_acme_session *s, const struct acs_http_request *req,
                    struct acs_acme_resp **out, struct acs_err *err)
{
	struct acs_acme_resp *r = NULL;
	int rc;

	r = calloc(1, sizeof(*r));
	if (r == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	r->method = strdup(req->method);
	r->url = strdup(req->url);
	if (r->method == NULL || r->url == NULL) {
		acs_acme_resp_free(r);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	rc = acs_http_do(s->http, req, &r->http, err);
	while (ACS_SW_HAS(s->client.sw, ACS_SW_RETRY_FOREVER) && failed_exchange(rc, r->http)) {
		acs_http_response_free(r->http);
		r->http = NULL;
		acs_err_clear(err);
		acs_sleep_ms(100);
		rc = acs_http_do(s->http, req, &r->http, err);
	}
	if (rc != 0) {
		acs_acme_resp_free(r);
		return rc;
	}
	if (r->http->body != NULL && r->http->body_len > 0)
		r->json = json_loadb(r->http->body, r->http->body_len, JSON_DECODE_ANY, NULL);
	take_nonce(s, r->http);
	*out = r;
	return 0;
}

int acs_acme_plain(struct acs_acme_session *s, const char *method, const char *url,
                   const char *const *extra, acs_mis_set mis, struct acs_acme_resp **out,
                   struct acs_err *err)
{
	struct acs_http_request req;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = extra;
	req.no_user_agent = ACS_MIS_HAS(mis, ACS_MIS_NO_USER_AGENT);
	return exchange(s, &req, out, err);
}

int acs_acme_fetch_directory(struct acs_acme_session *s, struct acs_acme_resp **resp,
                             struct acs_err *err)
{
	struct acs_acme_resp *r = NULL;
	int rc;

	rc = acs_acme_plain(s, "GET", s->directory_url, NULL, 0, &r, err);
	if (rc != 0)
		return acs_err_prefix(err, "cannot fetch the directory %s", s->directory_url);
	if (r->http->status == 200 && json_is_object(r->json)) {
		json_decref(s->directory);
		s->directory = json_incref(r->json);
	} else if (resp == NULL || s->directory == NULL) {
		char *sum = acs_acme_resp_summary(r);

		rc = acs_err_set(err, ACS_E_PARSE, "directory %s: %s%s", s->directory_url,
		                 sum != NULL ? sum : "?",
		                 r->json == NULL ? ", body is not JSON" : ", not a JSON object");
		free(sum);
		if (resp != NULL)
			*resp = r;
		else
			acs_acme_resp_free(r);
		return rc;
	}
	if (resp != NULL)
		*resp = r;
	else
		acs_acme_resp_free(r);
	return 0;
}

int acs_acme_new_nonce(struct acs_acme_session *s, const char *method, struct acs_acme_resp **out,
                       struct acs_err *err)
{
	const char *url = acs_acme_dir_url(s, "newNonce");
	struct acs_acme_resp *r = NULL;
	int rc;

	if (url == NULL)
		return acs_err_set(err, ACS_E_NOTFOUND, "the directory has no newNonce URL");
	rc = acs_acme_plain(s, method != NULL ? method : "HEAD", url, s->headers, 0, &r, err);
	if (rc != 0)
		return rc;
	if (out != NULL)
		*out = r;
	else
		acs_acme_resp_free(r);
	return 0;
}

/* Raw signature bytes as JWS wants them (ECDSA as R || S, RFC 7518 3.4). */
static int raw_sign(const struct acs_key *key, const void *in, size_t len, unsigned char **sig,
                    size_t *siglen, struct acs_err *err)
{
	EVP_PKEY *pk = acs_key_evp(key);
	EVP_MD_CTX *ctx = NULL;
	const EVP_MD *md = NULL;
	unsigned char *der = NULL, *raw = NULL;
	ECDSA_SIG *es = NULL;
	size_t n = 0;
	int id, rc = ACS_E_CRYPTO;

	if (pk == NULL)
		return acs_err_set(err, ACS_E_INVAL, "no signing key");
	id = EVP_PKEY_get_base_id(pk);
	if (id == EVP_PKEY_EC) {
		int bits = EVP_PKEY_get_bits(pk);

		md = bits <= 256 ? EVP_sha256() : bits <= 384 ? EVP_sha384() : EVP_sha512();
	} else if (id == EVP_PKEY_RSA) {
		md = EVP_sha256();
	}
	ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, md, NULL, pk) != 1 ||
	    EVP_DigestSign(ctx, NULL, &n, in, len) != 1) {
		rc = acs_err_openssl(err, "cannot sign");
		goto out;
	}
	der = malloc(n);
	if (der == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	if (EVP_DigestSign(ctx, der, &n, in, len) != 1) {
		rc = acs_err_openssl(err, "cannot sign");
		goto out;
	}
	if (id == EVP_PKEY_EC) {
		const unsigned char *p = der;
		const BIGNUM *r = NULL, *sv = NULL;
		int half = (EVP_PKEY_get_bits(pk) + 7) / 8;

		es = d2i_ECDSA_SIG(NULL, &p, (long)n);
		if (es == NULL) {
			rc = acs_err_openssl(err, "cannot decode the ECDSA signature");
			goto out;
		}
		ECDSA_SIG_get0(es, &r, &sv);
		raw = malloc((size_t)half * 2);
		if (raw == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto out;
		}
		if (BN_bn2binpad(r, raw, half) != half ||
		    BN_bn2binpad(sv, raw + half, half) != half) {
			rc = acs_err_set(err, ACS_E_CRYPTO, "ECDSA signature too long");
			goto out;
		}
		*sig = raw;
		*siglen = (size_t)half * 2;
		raw = NULL;
	} else {
		*sig = der;
		*siglen = n;
		der = NULL;
	}
	rc = 0;
out:
	ECDSA_SIG_free(es);
	free(raw);
	free(der);
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* base64url, with '=' padding added when asked (b64-padded). */
static char *enc(const void *p, size_t n, int padded)
{
	char *s = acs_b64url_encode(p, n);
	size_t len, pad;
	char *q;

	if (s == NULL || !padded)
		return s;
	len = strlen(s);
	pad = (4 - len % 4) % 4;
	q = realloc(s, len + pad + 1);
	if (q == NULL) {
		free(s);
		return NULL;
	}
	memset(q + len, '=', pad);
	q[len + pad] = '\0';
	return q;
}

static const char *mismatched_alg(const char *alg)
{
	if (strcmp(alg, "ES256") == 0)
		return "ES384";
	return "ES256";
}

char *acs_acme_jws(const struct acs_key *key, const unsigned char *hmac, size_t hmac_len,
                   json_t *hdr, const char *payload, size_t payload_len, acs_mis_set mis,
                   struct acs_err *err)
{
	int padded = ACS_MIS_HAS(mis, ACS_MIS_B64_PADDED);
	int unencoded = ACS_MIS_HAS(mis, ACS_MIS_B64_FALSE);
	char *hdr_text = NULL, *prot = NULL, *pay = NULL, *sigb = NULL, *tp = NULL, *res = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	struct acs_buf input, body;
	json_t *obj = NULL;

	acs_buf_init(&input, 0);
	acs_buf_init(&body, 0);
	if (json_object_get(hdr, "alg") == NULL) {
		const char *alg = hmac != NULL ? "HS256" : acs_key_alg(key);

		if (ACS_MIS_HAS(mis, ACS_MIS_ALG_NONE))
			alg = "none";
		else if (ACS_MIS_HAS(mis, ACS_MIS_ALG_HS256))
			alg = "HS256";
		else if (ACS_MIS_HAS(mis, ACS_MIS_ALG_MISMATCH))
			alg = mismatched_alg(alg);
		json_object_set_new(hdr, "alg", json_string(alg));
	}
	if (unencoded) {
		json_object_set_new(hdr, "b64", json_false());
		json_object_set_new(hdr, "crit", json_pack("[s]", "b64"));
	}
	hdr_text = json_dumps(hdr, JSON_COMPACT | JSON_SORT_KEYS);
	if (hdr_text == NULL)
		goto nomem;
	prot = enc(hdr_text, strlen(hdr_text), padded);
	if (prot == NULL)
		goto nomem;
	if (payload != NULL) {
		if (unencoded)
			pay = strndup(payload, payload_len);
		else
			pay = payload_len == 0 ? strdup("") : enc(payload, payload_len, padded);
		if (pay == NULL)
			goto nomem;
	}
	if (acs_buf_printf(&input, "%s.%s", prot, pay != NULL ? pay : "") != 0)
		goto nomem;

	if (ACS_MIS_HAS(mis, ACS_MIS_ALG_NONE)) {
		/* an empty signature, as RFC 7518 3.6 defines for "none" */
	} else if (hmac != NULL || ACS_MIS_HAS(mis, ACS_MIS_ALG_HS256)) {
		unsigned char mac[EVP_MAX_MD_SIZE];
		unsigned int maclen = 0;
		const unsigned char *k = hmac;
		size_t klen = hmac_len;

		if (hmac == NULL) {
			/* keyed with the thumbprint: a "secret" an attacker also knows */
			tp = acs_key_thumbprint(key, err);
			if (tp == NULL)
				goto out;
			k = (const unsigned char *)tp;
			klen = strlen(tp);
		}
		if (HMAC(EVP_sha256(), k, (int)klen, (const unsigned char *)input.data, input.len,
		         mac, &maclen) == NULL) {
			acs_err_openssl(err, "cannot compute HMAC");
			goto out;
		}
		sig = malloc(maclen);
		if (sig == NULL)
			goto nomem;
		memcpy(sig, mac, maclen);
		siglen = maclen;
	} else if (raw_sign(key, input.data, input.len, &sig, &siglen, err) != 0) {
		goto out;
	}
	if (ACS_MIS_HAS(mis, ACS_MIS_SIG_CORRUPT) && siglen > 0)
		sig[siglen / 2] ^= 0x01;
	sigb = siglen > 0 ? enc(sig, siglen, padded) : strdup("");
	if (sigb == NULL)
		goto nomem;

	if (ACS_MIS_HAS(mis, ACS_MIS_COMPACT)) {
		if (acs_buf_printf(&body, "%s.%s.%s", prot, pay != NULL ? pay : "", sigb) != 0)
			goto nomem;
		res = acs_buf_steal(&body);
		goto out;
	}
	if (ACS_MIS_HAS(mis, ACS_MIS_GENERAL)) {
		obj = json_pack("{s:[{s:s,s:s}]}", "signatures", "protected", prot, "signature",
		                sigb);
	} else {
		obj = json_pack("{s:s,s:s}", "protected", prot, "signature", sigb);
		if (obj != NULL && ACS_MIS_HAS(mis, ACS_MIS_UNPROTECTED_HEADER))
			json_object_set_new(obj, "header",
			                    json_pack("{s:s}", "acmespec", "unprotected"));
	}
	if (obj == NULL)
		goto nomem;
	if (pay != NULL && !ACS_MIS_HAS(mis, ACS_MIS_PAYLOAD_OMIT))
		json_object_set_new(obj, "payload", json_string(pay));
	res = json_dumps(obj, JSON_COMPACT);
	if (res == NULL)
		goto nomem;
	goto out;
nomem:
	acs_err_set(err, ACS_E_NOMEM, "out of memory");
out:
	json_decref(obj);
	acs_buf_free(&input);
	acs_buf_free(&body);
	free(hdr_text);
	free(prot);
	free(pay);
	free(sigb);
	free(sig);
	free(tp);
	return res;
}

/*
 * "https://Host.Example:443/x" with the host upper-cased. A host without
 * letters (an IP literal) cannot change case, so the scheme is upper-cased
 * instead: the same URL to a URI normaliser, a different string to an exact
 * comparison, which is what the misbehaviour probes. New string.
 */
static char *url_upper_host(const char *url)
{
	char *u = strdup(url);
	char *p, *q;
	int letters = 0;

	if (u == NULL)
		return NULL;
	p = strstr(u, "://");
	if (p == NULL)
		return u;
	for (q = p + 3; *q != '\0' && *q != '/' && *q != ':' && *q != '?'; q++) {
		if (isalpha((unsigned char)*q))
			letters = 1;
		*q = (char)toupper((unsigned char)*q);
	}
	if (!letters) {
		for (q = u; q < p; q++)
			*q = (char)toupper((unsigned char)*q);
	}
	return u;
}

/*
 * An account URL that no account has: the real account URL with its last
 * path segment replaced (so that prefix checks such as Pebble's pass and the
 * lookup itself fails), or a path under the newAccount URL's origin.
 */
static char *unknown_account_url(struct acs_acme_session *s, const char *account_url)
{
	struct acs_buf b;
	char label[17];
	const char *base = account_url;
	const char *slash;

	acs_buf_init(&b, 4096);
	acs_acme_random_label(label, 16);
	if (base == NULL)
		base = acs_acme_dir_url(s, "newAccount");
	if (base == NULL)
		base = s->directory_url;
	slash = strrchr(base, '/');
	if (account_url != NULL && slash != NULL && slash[1] != '\0') {
		acs_buf_append(&b, base, (size_t)(slash - base) + 1);
		acs_buf_printf(&b, "acmespec%s", label);
	} else {
		const char *host = strstr(base, "://");
		const char *end = host != NULL ? strchr(host + 3, '/') : NULL;

		if (end == NULL)
			end = base + strlen(base);
		acs_buf_append(&b, base, (size_t)(end - base));
		acs_buf_printf(&b, "/acmespec/unknown-account/%s", label);
	}
	return acs_buf_steal(&b);
}

/*
 * Choose the nonce of one attempt. *nonce: new string or NULL (omitted).
 * Conformant requests consume the cache (or fetch from newNonce) and are
 * remembered for nonce-reuse.
 */
static int pick_nonce(struct acs_acme_session *s, const struct acs_acme_post *p, char **nonce,
                      struct acs_err *err)
{
	acs_mis_set mis = p->mis;
	unsigned char rnd[16];
	int rc, tries;

	*nonce = NULL;
	if (ACS_MIS_HAS(mis, ACS_MIS_NONCE_OMIT))
		return 0;
	if (ACS_MIS_HAS(mis, ACS_MIS_NONCE_REUSE)) {
		if (s->last_used_nonce == NULL)
			return acs_err_set(err, ACS_E_STATE,
			                   "nonce-reuse: no earlier request of this session "
			                   "used a nonce");
		*nonce = strdup(s->last_used_nonce);
		return *nonce != NULL ? 0 : acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	if (ACS_MIS_HAS(mis, ACS_MIS_NONCE_FORGE)) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			return acs_err_openssl(err, "cannot make a random nonce");
		*nonce = acs_b64url_encode(rnd, sizeof(rnd));
		return *nonce != NULL ? 0 : acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	if (ACS_MIS_HAS(mis, ACS_MIS_NONCE_INVALID_B64)) {
		*nonce = strdup("a+b/=");
		return *nonce != NULL ? 0 : acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	if (p->nonce != NULL) {
		*nonce = strdup(p->nonce);
		if (*nonce == NULL)
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		acs_acme_set_str(&s->last_used_nonce, *nonce);
		return 0;
	}
	/* a nonce dropped as invalid: ask again, a few times */
	for (tries = 0; s->nonce == NULL && tries < (s->vet_nonces ? 5 : 1); tries++) {
		rc = acs_acme_new_nonce(s, "HEAD", NULL, err);
		if (rc != 0)
			return acs_err_prefix(err, "cannot get a nonce");
	}
	if (s->nonce == NULL)
		return acs_err_set(err, ACS_E_PARSE,
		                   s->vet_nonces
		                       ? "newNonce gave no usable Replay-Nonce"
		                       : "newNonce answered without a Replay-Nonce header");
	*nonce = s->nonce;
	s->nonce = NULL;
	acs_acme_set_str(&s->last_used_nonce, *nonce);
	return 0;
}

/* The payload bytes of one request, after payload misbehaviours. New string or NULL. */
static char *build_payload(const struct acs_acme_post *p, size_t *len, struct acs_err *err)
{
	char *out = NULL;

	if (ACS_MIS_HAS(p->mis, ACS_MIS_V1_RESOURCE)) {
		json_t *obj = NULL;

		if (p->payload != NULL && p->payload_len > 0)
			obj = json_loadb(p->payload, p->payload_len, 0, NULL);
		if (obj == NULL || !json_is_object(obj)) {
			json_decref(obj);
			obj = json_object();
		}
		json_object_set_new(obj, "resource",
		                    json_string(p->resource != NULL ? p->resource : "reg"));
		out = json_dumps(obj, JSON_COMPACT);
		json_decref(obj);
	} else if (p->payload == NULL) {
		out = strdup(ACS_MIS_HAS(p->mis, ACS_MIS_POST_AS_GET_EMPTY_OBJECT) ? "{}" : "");
	} else {
		out = strndup(p->payload, p->payload_len);
	}
	if (out == NULL) {
		acs_err_set(err, ACS_E_NOMEM, "out of memory");
		return NULL;
	}
	*len = strlen(out);
	if (p->payload != NULL && !ACS_MIS_HAS(p->mis, ACS_MIS_V1_RESOURCE))
		*len = p->payload_len; /* a raw payload may hold NUL bytes */
	return out;
}

/* The protected header of one attempt. New reference or NULL. */
static json_t *build_header(struct acs_acme_session *s, const struct acs_acme_post *p,
                            const char *nonce, struct acs_err *err)
{
	json_t *h = json_object();
	acs_mis_set mis = p->mis;
	int want_kid = p->kid != NULL;
	int put_jwk, put_kid;
	char *tmp = NULL;

	if (h == NULL)
		goto nomem;
	if (nonce != NULL)
		json_object_set_new(h, "nonce", json_string(nonce));

	if (ACS_MIS_HAS(mis, ACS_MIS_URL_OMIT) || ACS_MIS_HAS(mis, ACS_MIS_V1_RESOURCE)) {
		/* no url at all */
	} else if (ACS_MIS_HAS(mis, ACS_MIS_URL_NOT_STRING)) {
		json_object_set_new(h, "url", json_integer(1));
	} else if (ACS_MIS_HAS(mis, ACS_MIS_URL_MISMATCH)) {
		const char *other = acs_acme_dir_url(s, "newNonce");

		if (other == NULL || strcmp(other, p->url) == 0)
			other = s->directory_url;
		json_object_set_new(h, "url", json_string(other));
	} else if (ACS_MIS_HAS(mis, ACS_MIS_URL_TRAILING_SLASH)) {
		struct acs_buf b;

		acs_buf_init(&b, 0);
		acs_buf_printf(&b, "%s/", p->url);
		tmp = acs_buf_steal(&b);
		if (tmp == NULL)
			goto nomem;
		json_object_set_new(h, "url", json_string(tmp));
	} else if (ACS_MIS_HAS(mis, ACS_MIS_URL_HOST_CASE)) {
		tmp = url_upper_host(p->url);
		if (tmp == NULL)
			goto nomem;
		json_object_set_new(h, "url", json_string(tmp));
	} else {
		json_object_set_new(h, "url", json_string(p->url));
	}
	free(tmp);
	tmp = NULL;

	put_kid = want_kid && (p->bugs & ACS_POST_NO_KEY_SOURCE) == 0;
	put_jwk = !want_kid && (p->bugs & ACS_POST_NO_KEY_SOURCE) == 0;
	if (ACS_MIS_HAS(mis, ACS_MIS_JWK_AND_KID)) {
		put_kid = 1;
		put_jwk = 1;
	}
	if (ACS_MIS_HAS(mis, ACS_MIS_JWK_NOT_KID)) {
		put_kid = 0;
		put_jwk = 1;
	}
	if (ACS_MIS_HAS(mis, ACS_MIS_KID_NOT_JWK) || ACS_MIS_HAS(mis, ACS_MIS_KID_UNKNOWN)) {
		put_kid = 1;
		put_jwk = 0;
	}
	if (put_jwk) {
		json_t *jwk = acs_jwk_public(p->key);

		if (jwk == NULL) {
			acs_err_set(err, ACS_E_CRYPTO, "cannot export the public key as a JWK");
			json_decref(h);
			return NULL;
		}
		json_object_set_new(h, "jwk", jwk);
	}
	if (put_kid) {
		const char *kid = p->kid != NULL ? p->kid : p->account_url;

		if (ACS_MIS_HAS(mis, ACS_MIS_KID_UNKNOWN) || kid == NULL) {
			tmp = unknown_account_url(s, p->kid != NULL ? p->kid : p->account_url);
			if (tmp == NULL)
				goto nomem;
			kid = tmp;
		}
		json_object_set_new(h, "kid", json_string(kid));
		free(tmp);
		tmp = NULL;
	}
	return h;
nomem:
	free(tmp);
	json_decref(h);
	acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return NULL;
}

/*
 * The body deviations of the client flow, applied to a finished flattened
 * JWS (*body is replaced): two-signatures (general serialization, the
 * signature twice) and not-utf8 (a member holding the byte 0xFF). -1 on
 * ENOMEM (*body freed and NULL).
 */
static int reshape_body(unsigned bugs, char **body)
{
	struct acs_buf b;

	if ((bugs & ACS_POST_TWO_SIGNATURES) != 0) {
		json_t *flat = json_loads(*body, 0, NULL), *gen;
		json_t *sig =
		    json_pack("{s:O?,s:O?}", "protected", json_object_get(flat, "protected"),
		              "signature", json_object_get(flat, "signature"));

		gen = json_pack("{s:O?,s:[O,O]}", "payload", json_object_get(flat, "payload"),
		                "signatures", sig, sig);
		free(*body);
		*body = gen != NULL ? json_dumps(gen, JSON_COMPACT) : NULL;
		json_decref(flat);
		json_decref(sig);
		json_decref(gen);
		if (*body == NULL)
			return -1;
	}
	if ((bugs & ACS_POST_NOT_UTF8) != 0 && (*body)[0] == '{') {
		acs_buf_init(&b, 0);
		if (acs_buf_printf(&b, "{\"acmespec\":\"\xff\",%s", *body + 1) != 0) {
			acs_buf_free(&b);
			free(*body);
			*body = NULL;
			return -1;
		}
		free(*body);
		*body = acs_buf_steal(&b);
		if (*body == NULL)
			return -1;
	}
	return 0;
}

/* 1 when the "Name: value" list has a header of that name. */
static int has_header(const char *const *list, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; list != NULL && list[i] != NULL; i++) {
		if (strncasecmp(list[i], name, n) == 0 && list[i][n] == ':')
			return 1;
	}
	return 0;
}

int acs_acme_budget_take(struct acs_acme_budget *b, int orders, int accounts)
{
	int rc = -1;

	pthread_mutex_lock(&b->mu);
	if ((b->max_orders < 0 || b->orders + orders <= b->max_orders) &&
	    (b->max_accounts < 0 || b->accounts + accounts <= b->max_accounts)) {
		b->orders += orders;
		b->accounts += accounts;
		rc = 0;
	}
	pthread_mutex_unlock(&b->mu);
	return rc;
}

/* 1 when url is newOrder or newAccount and the session may send no more (it is marked). */
static int budget_refuses(struct acs_acme_session *s, const char *url)
{
	const char *new_order = acs_acme_dir_url(s, "newOrder");
	const char *new_account = acs_acme_dir_url(s, "newAccount");
	int *left = NULL;

	if (url != NULL && new_order != NULL && strcmp(url, new_order) == 0)
		left = &s->orders_left;
	else if (url != NULL && new_account != NULL && strcmp(url, new_account) == 0)
		left = &s->accounts_left;
	if (left == NULL || *left < 0)
		return 0;
	if (*left > 0) {
		(*left)--;
		return 0;
	}
	s->budget_spent = 1;
	return 1;
}

int acs_acme_post(struct acs_acme_session *s, const struct acs_acme_post *p,
                  struct acs_acme_resp **out, struct acs_err *err)
{
	const char *headers[40];
	struct acs_http_request req;
	struct acs_acme_resp *r = NULL;
	char *nonce = NULL, *payload = NULL, *body = NULL, *rn_header = NULL;
	json_t *hdr = NULL;
	size_t payload_len = 0, nh;
	int attempt, rc = 0;

	if (p->key == NULL)
		return acs_err_set(err, ACS_E_STATE, "no key to sign with");
	if (budget_refuses(s, p->url))
		return acs_err_set(err, ACS_E_STATE,
		                   "budget spent: the orders and accounts reserved for this case "
		                   "were created");
	for (attempt = 0;; attempt++) {
		const char *type;

		rc = pick_nonce(s, p, &nonce, err);
		if (rc != 0)
			goto out;
		hdr = build_header(s, p, nonce, err);
		if (hdr == NULL) {
			rc = err != NULL ? err->code : ACS_E_NOMEM;
			goto out;
		}
		payload = build_payload(p, &payload_len, err);
		if (payload == NULL) {
			rc = ACS_E_NOMEM;
			goto out;
		}
		body = acs_acme_jws(
		    p->key, NULL, 0, hdr, ACS_MIS_HAS(p->mis, ACS_MIS_PAYLOAD_OMIT) ? "" : payload,
		    ACS_MIS_HAS(p->mis, ACS_MIS_PAYLOAD_OMIT) ? 0 : payload_len, p->mis, err);
		if (body == NULL || reshape_body(p->bugs, &body) != 0) {
			rc = err != NULL && err->code != 0 ? err->code : ACS_E_NOMEM;
			goto out;
		}

		nh = 0;
		/* a step's own Content-Type (in "headers") replaces ours */
		if (has_header(p->extra_headers, "Content-Type"))
			nh = 0;
		else if (ACS_MIS_HAS(p->mis, ACS_MIS_CONTENT_TYPE_JSON))
			headers[nh++] = "Content-Type: application/json";
		else if (ACS_MIS_HAS(p->mis, ACS_MIS_CONTENT_TYPE_CHARSET))
			headers[nh++] = "Content-Type: application/jose+json; charset=utf-8";
		else if (ACS_MIS_HAS(p->mis, ACS_MIS_CONTENT_TYPE_OMIT))
			headers[nh++] = "Content-Type:"; /* curl: remove its default */
		else
			headers[nh++] = "Content-Type: application/jose+json";
		if (ACS_MIS_HAS(p->mis, ACS_MIS_REPLAY_NONCE_HEADER)) {
			struct acs_buf b;

			acs_buf_init(&b, 0);
			acs_buf_printf(&b, "Replay-Nonce: %s", nonce != NULL ? nonce : "AAAA");
			free(rn_header);
			rn_header = acs_buf_steal(&b);
			if (rn_header != NULL)
				headers[nh++] = rn_header;
		}
		if (p->extra_headers != NULL) {
			size_t i;

			for (i = 0; p->extra_headers[i] != NULL && nh < 38; i++)
				headers[nh++] = p->extra_headers[i];
		}
		headers[nh] = NULL;

		memset(&req, 0, sizeof(req));
		req.method = "POST";
		req.url = p->url;
		req.headers = headers;
		req.body = body;
		req.body_len = strlen(body);
		req.no_user_agent = ACS_MIS_HAS(p->mis, ACS_MIS_NO_USER_AGENT);
		rc = exchange(s, &req, &r, err);
		if (rc != 0)
			goto out;

		/*
		 * Servers may reject a good nonce now and then (Pebble does so on
		 * purpose); only the nonce misbehaviours are judged on badNonce.
		 */
		type = acs_acme_problem_type(r);
		if (r->http->status == 400 && type != NULL &&
		    strcmp(type, "urn:ietf:params:acme:error:badNonce") == 0 &&
		    (p->mis & ACS_MIS_NONCE_MASK) == 0 && !p->no_badnonce_retry &&
		    p->nonce == NULL && attempt < MAX_NONCE_RETRIES) {
			acs_transcript_note(s->transcript,
			                    "badNonce for a fresh nonce: retrying (%d of %d) with "
			                    "the nonce of the error response",
			                    attempt + 1, MAX_NONCE_RETRIES);
			acs_acme_resp_free(r);
			r = NULL;
			free(nonce);
			free(payload);
			free(body);
			json_decref(hdr);
			nonce = payload = body = NULL;
			hdr = NULL;
			continue;
		}
		break;
	}
	*out = r;
	r = NULL;
	rc = 0;
out:
	acs_acme_resp_free(r);
	free(nonce);
	free(payload);
	free(body);
	free(rn_header);
	json_decref(hdr);
	return rc;
}

long acs_acme_retry_after_ms(const struct acs_acme_resp *r)
{
	const char *v;
	char *end = NULL;
	long secs;
	struct tm tm;

	if (r == NULL || r->http == NULL)
		return -1;
	v = acs_http_header(r->http, "Retry-After");
	if (v == NULL)
		return -1;
	while (*v == ' ' || *v == '\t')
		v++;
	if (isdigit((unsigned char)*v)) {
		secs = strtol(v, &end, 10);
		if (end == v || secs < 0)
			return -1;
		if (secs > 86400)
			secs = 86400;
		return secs * 1000;
	}
	memset(&tm, 0, sizeof(tm));
	end = strptime(v, "%a, %d %b %Y %H:%M:%S", &tm);
	if (end == NULL)
		return -1;
	{
		time_t when = timegm(&tm);
		time_t now = time(NULL);

		if (when <= now)
			return 0;
		if (when - now > 86400)
			return 86400L * 1000;
		return (long)(when - now) * 1000;
	}
}

long acs_acme_wait_ms(const struct acs_acme_resp *r, const struct acs_acme_wait *w, double deadline)
{
	double left_ms = (deadline - acs_clock_mono()) * 1000.0;
	long ms = w->fixed_ms;

	if (ms < 0)
		ms = acs_acme_retry_after_ms(r);
	if (ms < 0)
		ms = w->default_ms;
	if (ms < w->min_ms)
		ms = w->min_ms;
	if ((double)ms <= left_ms)
		return ms;
	if (!w->cap || left_ms <= 0)
		return -1;
	ms = (long)left_ms;
	return ms < w->min_ms ? w->min_ms : ms;
}

int acs_acme_poll(const struct acs_acme_poll *p, const struct acs_acme_resp **last,
                  struct acs_err *err)
{
	double start = acs_clock_mono();

	for (;;) {
		const struct acs_acme_resp *r = NULL;
		const char *st;
		long ms;
		int rc = p->fetch(p->ctx, &r, err);

		if (rc != 0)
			return rc;
		*last = r;
		st = json_string_value(json_object_get(r->json, "status"));
		if (st == NULL)
			return acs_err_set(err, ACS_E_PARSE, "%s has no status", p->what);
		if (p->until != NULL ? acs_str_in_list(p->until, st)
		                     : !acs_str_in_list(p->waiting, st))
			return 0;
		ms = acs_acme_wait_ms(r, &p->wait, p->deadline);
		if (ms < 0)
			return acs_err_set(err, ACS_E_TIMEOUT, "%s still \"%s\" after %.0f s",
			                   p->what, st, acs_clock_mono() - start);
		acs_sleep_ms(ms);
	}
}
