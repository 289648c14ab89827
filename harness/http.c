/*
 * HTTP transport over libcurl: one easy handle per struct acs_http, reset
 * and configured afresh for every exchange (the connection cache survives
 * the reset). Redirects are never followed: a conformance harness must see
 * what the server sent, not where it led.
 */
#include "harness/http.h"
#include "harness/clock.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "harness/buf.h"
#include "harness/transcript.h"

#define DEFAULT_TIMEOUT_MS 30000L
#define DEFAULT_MAX_BODY   ((size_t)4 * 1024 * 1024)
#define MAX_HEADER_BYTES   ((size_t)256 * 1024)
#define MAX_CONNECT_MS     10000L

struct acs_http {
	CURL *curl;
	char *ca_bundle;
	char *user_agent;
	long timeout_ms;
	double deadline; /* acs_clock_mono(); 0: none */
	struct acs_netpolicy policy;
	int has_policy;
	size_t refused;
	size_t max_body;
	int insecure;
	struct acs_transcript *transcript;
};

/* State of one exchange, shared with the curl callbacks. */
struct exchange {
	struct acs_buf body;
	struct acs_header *headers;
	size_t nheaders, cap;
	size_t header_bytes;
	int body_toobig;
	int headers_toobig;
	int nomem;
	long bound_ms; /* the whole exchange's bound (CURLOPT_TIMEOUT_MS) */
};

int acs_http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : ACS_E_IO;
}

void acs_http_global_cleanup(void)
{
	curl_global_cleanup();
}

static void free_headers(struct acs_header *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

void acs_http_response_free(struct acs_http_response *r)
{
	if (r == NULL)
		return;
	free_headers(r->headers, r->nheaders);
	free(r->body);
	free(r);
}

const char *acs_http_header(const struct acs_http_response *r, const char *name)
{
	const char *v = NULL;

	acs_http_header_all(r, name, &v, 1);
	return v;
}

size_t acs_http_header_all(const struct acs_http_response *r, const char *name, const char **values,
                           size_t max)
{
	size_t i, n = 0;

	if (r == NULL || name == NULL)
		return 0;
	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, name) != 0)
			continue;
		if (values != NULL && n < max)
			values[n] = r->headers[i].value;
		n++;
	}
	return n;
}

/* ---- Link header parsing (RFC 8288 section 3) ---- */

static int is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* A token character of RFC 7230 section 3.2.6. */
static int is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/*
 * Parse a token or quoted-string at *p into b (unescaped); advances *p.
 * Returns 0, or -1 when malformed.
 */
static int parse_value(const char **p, struct acs_buf *b)
{
	const char *s = *p;

	acs_buf_reset(b);
	if (*s == '"') {
		s++;
		while (*s != '\0' && *s != '"') {
			if (*s == '\\' && s[1] != '\0')
				s++;
			if (acs_buf_append(b, s, 1) != 0)
				return -1;
			s++;
		}
		if (*s != '"')
			return -1;
		s++;
	} else {
		const char *start = s;

		while (is_tchar(*s) || *s == '/' || *s == ':')
			s++;
		if (s == start)
			return -1;
		if (acs_buf_append(b, start, (size_t)(s - start)) != 0)
			return -1;
	}
	*p = s;
	return 0;
}

/* Whether the space-separated relation-type list holds rel (case-insensitive). */
static int rel_list_has(const char *list, const char *rel)
{
	size_t n = strlen(rel);
	const char *s = list;

	while (*s != '\0') {
		const char *start;

		while (*s == ' ' || *s == '\t')
			s++;
		start = s;
		while (*s != '\0' && *s != ' ' && *s != '\t')
			s++;
		if ((size_t)(s - start) == n && n > 0 && strncasecmp(start, rel, n) == 0)
			return 1;
	}
	return 0;
}

/* Skip to just past the next ',' outside quotes and angle brackets. */
static const char *skip_link_value(const char *s)
{
	int quoted = 0, angle = 0;

	for (; *s != '\0'; s++) {
		if (quoted) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"')
				quoted = 0;
		} else if (angle) {
			if (*s == '>')
				angle = 0;
		} else if (*s == '"') {
			quoted = 1;
		} else if (*s == '<') {
			angle = 1;
		} else if (*s == ',') {
			return s + 1;
		}
	}
	return s;
}

/*
 * Scan one Link header field value; for each link-value whose first rel
 * parameter lists rel, count it and, when *want reaches 0, return its
 * target (new string). Returns NULL otherwise (*want decremented per hit).
 */
static char *scan_link_field(const char *field, const char *rel, size_t *want)
{
	struct acs_buf val;
	const char *s = field;
	char *found = NULL;

	acs_buf_init(&val, 64 * 1024);
	while (*s != '\0' && found == NULL) {
		const char *target, *end;
		int has_rel = 0, seen_rel = 0;

		while (is_ows(*s) || *s == ',')
			s++;
		if (*s == '\0')
			break;
		if (*s != '<') {
			s = skip_link_value(s);
			continue;
		}
		target = s + 1;
		end = strchr(target, '>');
		if (end == NULL)
			break;
		s = end + 1;
		for (;;) {
			const char *name;
			size_t nlen;

			while (is_ows(*s))
				s++;
			if (*s != ';')
				break;
			s++;
			while (is_ows(*s))
				s++;
			name = s;
			while (is_tchar(*s))
				s++;
			nlen = (size_t)(s - name);
			while (is_ows(*s))
				s++;
			acs_buf_reset(&val);
			if (*s == '=') {
				s++;
				while (is_ows(*s))
					s++;
				if (parse_value(&s, &val) != 0)
					break;
			}
			/* only the first rel parameter counts (RFC 8288 section 3.3) */
			if (nlen == 3 && strncasecmp(name, "rel", 3) == 0 && !seen_rel) {
				seen_rel = 1;
				has_rel = val.data != NULL && rel_list_has(val.data, rel);
			}
		}
		if (has_rel) {
			if (*want == 0) {
				found = strndup(target, (size_t)(end - target));
				break;
			}
			(*want)--;
		}
		s = skip_link_value(s);
	}
	acs_buf_free(&val);
	return found;
}

char *acs_http_link(const struct acs_http_response *r, const char *rel, size_t index)
{
	size_t i, want = index;
	char *found;

	if (r == NULL || rel == NULL)
		return NULL;
	for (i = 0; i < r->nheaders; i++) {
		if (strcasecmp(r->headers[i].name, "Link") != 0)
			continue;
		found = scan_link_field(r->headers[i].value, rel, &want);
		if (found != NULL)
			return found;
	}
	return NULL;
}

/* ---- the client ---- */

int acs_http_new(struct acs_http **out, const struct acs_http_opts *opts, struct acs_err *err)
{
	struct acs_http *h;

	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	h->curl = curl_easy_init();
	if (h->curl == NULL) {
		free(h);
		return acs_err_set(err, ACS_E_IO, "cannot create a curl handle");
	}
	h->timeout_ms =
	    opts != NULL && opts->timeout_ms > 0 ? opts->timeout_ms : DEFAULT_TIMEOUT_MS;
	h->max_body = opts != NULL && opts->max_body > 0 ? opts->max_body : DEFAULT_MAX_BODY;
	h->insecure = opts != NULL ? opts->insecure : 0;
	if (opts != NULL && opts->ca_bundle != NULL)
		h->ca_bundle = strdup(opts->ca_bundle);
	h->user_agent =
	    strdup(opts != NULL && opts->user_agent != NULL ? opts->user_agent
	                                                    : "acmespec/" ACMESPEC_VERSION);
	if ((opts != NULL && opts->ca_bundle != NULL && h->ca_bundle == NULL) ||
	    h->user_agent == NULL) {
		acs_http_free(h);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	*out = h;
	return 0;
}

void acs_http_free(struct acs_http *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	free(h->ca_bundle);
	free(h->user_agent);
	free(h);
}

void acs_http_set_transcript(struct acs_http *h, struct acs_transcript *t)
{
	h->transcript = t;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct exchange *x = userdata;
	size_t n = size * nmemb;
	int rc = acs_buf_append(&x->body, ptr, n);

	if (rc == ACS_E_TOOBIG)
		x->body_toobig = 1;
	else if (rc != 0)
		x->nomem = 1;
	return rc == 0 ? n : 0;
}

static char *dup_trimmed(const char *s, size_t n)
{
	while (n > 0 && (is_ows(*s)))
		s++, n--;
	while (n > 0 && (is_ows(s[n - 1]) || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	return strndup(s, n);
}

/*
 * One header line. A status line starts a new response (after 1xx or a
 * proxy's CONNECT answer): only the final response's headers are kept.
 */
static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct exchange *x = userdata;
	size_t n = size * nmemb;
	const char *colon;

	x->header_bytes += n;
	if (x->header_bytes > MAX_HEADER_BYTES) {
		x->headers_toobig = 1;
		return 0;
	}
	if (n >= 5 && strncmp(ptr, "HTTP/", 5) == 0) {
		free_headers(x->headers, x->nheaders);
		x->headers = NULL;
		x->nheaders = 0;
		x->cap = 0;
		return n;
	}
	if (n == 0 || ptr[0] == '\r' || ptr[0] == '\n')
		return n;
	if (is_ows(ptr[0])) {
		/* obsolete line folding: continue the previous value */
		struct acs_header *last;
		char *more, *joined;
		size_t a, b;

		if (x->nheaders == 0)
			return n;
		last = &x->headers[x->nheaders - 1];
		more = dup_trimmed(ptr, n);
		if (more == NULL) {
			x->nomem = 1;
			return 0;
		}
		a = strlen(last->value);
		b = strlen(more);
		joined = realloc(last->value, a + b + 2);
		if (joined == NULL) {
			free(more);
			x->nomem = 1;
			return 0;
		}
		joined[a] = ' ';
		memcpy(joined + a + 1, more, b + 1);
		last->value = joined;
		free(more);
		return n;
	}
	colon = memchr(ptr, ':', n);
	if (colon == NULL)
		return n;
	if (x->nheaders == x->cap) {
		size_t ncap = x->cap ? x->cap * 2 : 16;
		struct acs_header *nh = realloc(x->headers, ncap * sizeof(*nh));

		if (nh == NULL) {
			x->nomem = 1;
			return 0;
		}
		x->headers = nh;
		x->cap = ncap;
	}
	x->headers[x->nheaders].name = dup_trimmed(ptr, (size_t)(colon - ptr));
	x->headers[x->nheaders].value = dup_trimmed(colon + 1, n - (size_t)(colon - ptr) - 1);
	if (x->headers[x->nheaders].name == NULL || x->headers[x->nheaders].value == NULL) {
		free(x->headers[x->nheaders].name);
		free(x->headers[x->nheaders].value);
		x->nomem = 1;
		return 0;
	}
	x->nheaders++;
	return n;
}

static int has_header(const char *const *headers, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		if (strncasecmp(headers[i], name, n) == 0 &&
		    (headers[i][n] == ':' || headers[i][n] == ';'))
			return 1;
	}
	return 0;
}

/* Lower-case the first letter of curl's messages to match ours. */
static void lower_first(char *s)
{
	if (s[0] >= 'A' && s[0] <= 'Z' && !(s[1] >= 'A' && s[1] <= 'Z'))
		s[0] = (char)(s[0] - 'A' + 'a');
}

void acs_http_set_policy(struct acs_http *h, const struct acs_netpolicy *p)
{
	h->has_policy = p != NULL;
	if (p != NULL)
		h->policy = *p;
}

size_t acs_http_refused(const struct acs_http *h)
{
	return h->refused;
}

void acs_http_set_deadline(struct acs_http *h, double deadline)
{
	h->deadline = deadline;
}

/* The bound of the next request: the per-request timeout, or less when a deadline is near. */
static long request_bound(const struct acs_http *h)
{
	double left;

	if (h->deadline <= 0)
		return h->timeout_ms;
	left = (h->deadline - acs_clock_mono()) * 1000.0;
	if (left < 1)
		return 1; /* curl takes 0 as "no limit" */
	return left < (double)h->timeout_ms ? (long)left : h->timeout_ms;
}

static long connect_bound(long request_ms)
{
	return request_ms < MAX_CONNECT_MS ? request_ms : MAX_CONNECT_MS;
}

/*
 * Record the exchange in the transcript with the User-Agent this module
 * added, so that the evidence shows every header that went out.
 */
static void record(struct acs_http *h, const struct acs_http_request *req,
                   const struct acs_http_response *resp, const char *error)
{
	struct acs_http_request copy = *req;
	const char **hdrs = NULL;
	char *ua = NULL;
	size_t n = 0;

	if (!req->no_user_agent && !has_header(req->headers, "User-Agent")) {
		while (req->headers != NULL && req->headers[n] != NULL)
			n++;
		hdrs = calloc(n + 2, sizeof(*hdrs));
		ua = malloc(strlen(h->user_agent) + sizeof("User-Agent: "));
		if (hdrs != NULL && ua != NULL) {
			if (n > 0)
				memcpy(hdrs, req->headers, n * sizeof(*hdrs));
			memcpy(ua, "User-Agent: ", sizeof("User-Agent: ") - 1);
			memcpy(ua + sizeof("User-Agent: ") - 1, h->user_agent,
			       strlen(h->user_agent) + 1);
			hdrs[n] = ua;
			copy.headers = hdrs;
		}
	}
	acs_transcript_add(h->transcript, &copy, resp, error);
	free(hdrs);
	free(ua);
}

/* Set up h->curl for req; returns a CURLcode (first failure). */
static CURLcode configure(struct acs_http *h, const struct acs_http_request *req,
                          struct curl_slist *hdrs, struct exchange *x, char *errbuf)
{
	CURL *c = h->curl;
	CURLcode cc = CURLE_OK;
	const char *body = req->body != NULL ? req->body : "";
	long request_ms = request_bound(h);
	long connect_ms = connect_bound(request_ms);

	x->bound_ms = request_ms;

#define SET(opt, val)                                                                              \
	do {                                                                                       \
		if (cc == CURLE_OK)                                                                \
			cc = curl_easy_setopt(c, opt, val);                                        \
	} while (0)

	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, request_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	/* a resolver that never answers must not hold clean-up beyond the bound */
	SET(CURLOPT_QUICK_EXIT, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, x);
	SET(CURLOPT_HTTPHEADER, hdrs);
	if (!req->no_user_agent && !has_header(req->headers, "User-Agent"))
		SET(CURLOPT_USERAGENT, h->user_agent);
	if (h->ca_bundle != NULL)
		SET(CURLOPT_CAINFO, h->ca_bundle);
	if (h->insecure) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (strcmp(req->method, "HEAD") == 0) {
		SET(CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "GET") == 0 && req->body == NULL) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "POST") == 0 || req->body != NULL) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
		SET(CURLOPT_POSTFIELDS, body);
		if (strcmp(req->method, "POST") != 0)
			SET(CURLOPT_CUSTOMREQUEST, req->method);
	} else {
		SET(CURLOPT_CUSTOMREQUEST, req->method);
	}
#undef SET
	return cc;
}

int acs_http_do(struct acs_http *h, const struct acs_http_request *req,
                struct acs_http_response **out, struct acs_err *err)
{
	struct acs_http_response *resp = NULL;
	struct curl_slist *hdrs = NULL, *tmp;
	struct exchange x;
	char errbuf[CURL_ERROR_SIZE];
	struct acs_err local;
	CURLcode cc;
	double t0;
	size_t i;
	int rc = 0, sends_body;

	if (err == NULL)
		err = &local;
	if (h == NULL || out == NULL)
		return acs_err_set(err, ACS_E_INVAL, "http exchange without a client");
	memset(&x, 0, sizeof(x));
	acs_buf_init(&x.body, h->max_body);
	errbuf[0] = '\0';
	if (req == NULL || req->url == NULL || req->method == NULL || req->method[0] == '\0') {
		rc = acs_err_set(err, ACS_E_INVAL, "http request without a method or URL");
		goto out;
	}
	if (h->has_policy && acs_netpolicy_check(&h->policy, req->url, err) != 0) {
		rc = err->code;
		h->refused++;
		if (h->transcript != NULL)
			acs_transcript_note(h->transcript, "%s %s: %s", req->method, req->url,
			                    err->msg);
		goto out;
	}
	sends_body = strcmp(req->method, "HEAD") != 0 &&
	             (req->body != NULL || strcmp(req->method, "POST") == 0);
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++) {
		tmp = curl_slist_append(hdrs, req->headers[i]);
		if (tmp == NULL)
			goto nomem;
		hdrs = tmp;
	}
	/* curl would add a form Content-Type and "Expect: 100-continue" */
	if (sends_body && !has_header(req->headers, "Content-Type")) {
		tmp = curl_slist_append(hdrs, "Content-Type:");
		if (tmp == NULL)
			goto nomem;
		hdrs = tmp;
	}
	if (sends_body && !has_header(req->headers, "Expect")) {
		tmp = curl_slist_append(hdrs, "Expect:");
		if (tmp == NULL)
			goto nomem;
		hdrs = tmp;
	}

	curl_easy_reset(h->curl);
	cc = configure(h, req, hdrs, &x, errbuf);
	if (cc != CURLE_OK) {
		rc = acs_err_set(err, ACS_E_IO, "cannot set up %s %s: %s", req->method, req->url,
		                 curl_easy_strerror(cc));
		goto out;
	}
	t0 = acs_clock_mono();
	cc = curl_easy_perform(h->curl);
	if (x.nomem)
		goto nomem;
	if (x.body_toobig) {
		rc = acs_err_set(err, ACS_E_TOOBIG,
		                 "response body of %s %s exceeds the cap of %zu bytes", req->method,
		                 req->url, h->max_body);
		goto out;
	}
	if (x.headers_toobig) {
		rc = acs_err_set(err, ACS_E_TOOBIG,
		                 "response headers of %s %s exceed the cap of %zu bytes",
		                 req->method, req->url, MAX_HEADER_BYTES);
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		curl_off_t connected = 0;
		long bound = x.bound_ms;

		/* name the bound that ran out: connecting has its own, shorter one */
		curl_easy_getinfo(h->curl, CURLINFO_CONNECT_TIME_T, &connected);
		if (connected == 0 && connect_bound(x.bound_ms) < bound)
			bound = connect_bound(x.bound_ms);
		rc = acs_err_set(err, ACS_E_TIMEOUT, "timed out after %ld ms waiting for %s", bound,
		                 req->url);
		goto out;
	}
	if (cc != CURLE_OK) {
		size_t ml = strlen(errbuf);
		curl_off_t announced = -1;

		while (ml > 0 && (errbuf[ml - 1] == '\n' || errbuf[ml - 1] == '.'))
			errbuf[--ml] = '\0';
		lower_first(errbuf);
		/* a body cut short of its Content-Length: say so, whatever curl calls it */
		curl_easy_getinfo(h->curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced);
		if (announced >= 0 && (curl_off_t)x.body.len < announced)
			rc = acs_err_set(err, ACS_E_IO,
			                 "cannot %s %s: partial body, %zu of the %lld bytes its "
			                 "Content-Length announced (%s)",
			                 req->method, req->url, x.body.len, (long long)announced,
			                 ml > 0 ? errbuf : curl_easy_strerror(cc));
		else
			rc = acs_err_set(err, ACS_E_IO, "cannot %s %s: %s", req->method, req->url,
			                 ml > 0 ? errbuf : curl_easy_strerror(cc));
		goto out;
	}
	resp = calloc(1, sizeof(*resp));
	if (resp == NULL)
		goto nomem;
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &resp->status);
	resp->seconds = acs_clock_mono() - t0;
	resp->body_len = x.body.len;
	resp->body = acs_buf_steal(&x.body);
	if (resp->body == NULL)
		goto nomem;
	resp->headers = x.headers;
	resp->nheaders = x.nheaders;
	x.headers = NULL;
	x.nheaders = 0;
	goto out;
nomem:
	rc = acs_err_set(err, ACS_E_NOMEM, "out of memory during %s %s", req->method, req->url);
out:
	if (h->transcript != NULL && req != NULL && req->url != NULL && req->method != NULL)
		record(h, req, rc == 0 ? resp : NULL, rc == 0 ? NULL : err->msg);
	if (rc == 0) {
		*out = resp;
	} else {
		acs_http_response_free(resp);
	}
	/* drop the handle's pointers into this frame before they dangle */
	curl_easy_reset(h->curl);
	curl_slist_free_all(hdrs);
	free_headers(x.headers, x.nheaders);
	acs_buf_free(&x.body);
	return rc;
}
