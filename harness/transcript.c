/*
 * Transcripts: the evidence behind a verdict. Entries are copied when they
 * are added, bodies are kept only up to the part a reader is shown, and
 * request JWS bodies are decoded once, at recording time.
 */
#include "harness/transcript.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/buf.h"
#include "harness/jws.h"

#define DEFAULT_MAX    ((size_t)1024 * 1024)
#define BODY_SHOWN     ((size_t)4096) /* bodies are shortened past this */
#define NOTE_MAX       ((size_t)8192) /* longest note kept */
#define BINARY_PREVIEW ((size_t)32)   /* bytes shown in hex for binary bodies */
#define ENTRY_OVERHEAD ((size_t)64)

enum entry_kind { ENTRY_EXCHANGE, ENTRY_NOTE };

/* A body as kept: text (shortened) or a hex preview of binary data. */
struct body {
	char *text;   /* shortened text, or hex preview when binary; NULL: no body */
	size_t len;   /* full length as sent or received */
	size_t shown; /* bytes of the original kept in text (text bodies) */
	int binary;
};

struct entry {
	enum entry_kind kind;
	size_t number; /* exchanges: 1-based exchange number */
	/* exchange */
	char *method;
	char *url;
	char **req_headers;
	size_t nreq_headers;
	struct body req_body;
	char *req_jws; /* acs_jws_describe text, or NULL when not a JWS */
	int has_response;
	long status;
	struct acs_header *resp_headers;
	size_t nresp_headers;
	struct body resp_body;
	double seconds;
	char *error;
	/* note */
	char *text;
};

struct acs_transcript {
	pthread_mutex_t mu;
	struct entry *entries;
	size_t n, cap;
	size_t used, max;
	size_t exchanges; /* exchanges recorded or dropped */
	size_t dropped;   /* entries dropped once full */
	size_t dropped_bytes;
};

int acs_transcript_new(struct acs_transcript **out, size_t max_bytes)
{
	struct acs_transcript *t = calloc(1, sizeof(*t));

	if (t == NULL)
		return ACS_E_NOMEM;
	if (pthread_mutex_init(&t->mu, NULL) != 0) {
		free(t);
		return ACS_E_NOMEM;
	}
	t->max = max_bytes ? max_bytes : DEFAULT_MAX;
	*out = t;
	return 0;
}

static void entry_clear(struct entry *e)
{
	size_t i;

	free(e->method);
	free(e->url);
	for (i = 0; i < e->nreq_headers; i++)
		free(e->req_headers[i]);
	free(e->req_headers);
	free(e->req_body.text);
	free(e->req_jws);
	for (i = 0; i < e->nresp_headers; i++) {
		free(e->resp_headers[i].name);
		free(e->resp_headers[i].value);
	}
	free(e->resp_headers);
	free(e->resp_body.text);
	free(e->error);
	free(e->text);
	memset(e, 0, sizeof(*e));
}

void acs_transcript_free(struct acs_transcript *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		entry_clear(&t->entries[i]);
	free(t->entries);
	pthread_mutex_destroy(&t->mu);
	free(t);
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/* Text: valid UTF-8 without control characters other than tab, CR, LF. */
static int is_text(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, k;

	while (i < n) {
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
		if (s[i] == 0x7f)
			return 0;
		k = utf8_seq(s + i, n - i);
		if (k == 0) {
			/* a sequence cut by a shortening is still text */
			return n - i < 4 && i >= BODY_SHOWN - 4;
		}
		i += k;
	}
	return 1;
}

/* A copy of s that is valid UTF-8 (invalid bytes become '?'). */
static char *utf8_copy(const char *p, size_t n)
{
	const unsigned char *s = (const unsigned char *)p;
	char *out = malloc(n + 1);
	size_t i = 0, k;

	if (out == NULL)
		return NULL;
	while (i < n) {
		k = s[i] == 0 ? 0 : utf8_seq(s + i, n - i);
		if (k == 0) {
			out[i] = '?';
			i++;
			continue;
		}
		memcpy(out + i, s + i, k);
		i += k;
	}
	out[n] = '\0';
	return out;
}

static int body_keep(struct body *b, const char *data, size_t len)
{
	size_t keep, i;
	static const char hex[] = "0123456789abcdef";

	memset(b, 0, sizeof(*b));
	if (data == NULL)
		return 0;
	b->len = len;
	keep = len < BODY_SHOWN ? len : BODY_SHOWN;
	/* shorten on a character boundary */
	while (keep < len && keep > 0 && ((unsigned char)data[keep] & 0xc0) == 0x80)
		keep--;
	if (is_text(data, len < BODY_SHOWN ? len : BODY_SHOWN)) {
		b->text = utf8_copy(data, keep);
		b->shown = keep;
		return b->text != NULL ? 0 : ACS_E_NOMEM;
	}
	b->binary = 1;
	keep = len < BINARY_PREVIEW ? len : BINARY_PREVIEW;
	b->text = malloc(keep * 3 + 1);
	if (b->text == NULL)
		return ACS_E_NOMEM;
	for (i = 0; i < keep; i++) {
		b->text[i * 3] = hex[((unsigned char)data[i]) >> 4];
		b->text[i * 3 + 1] = hex[((unsigned char)data[i]) & 15];
		b->text[i * 3 + 2] = ' ';
	}
	b->text[keep ? keep * 3 - 1 : 0] = '\0';
	b->shown = keep;
	return 0;
}

/* Flattened or general JSON serialization, or compact a.b.c text. */
static int looks_like_jws(const char *body, size_t len)
{
	json_t *v;
	size_t i, dots = 0;
	int yes;

	if (body == NULL || len == 0)
		return 0;
	v = json_loadb(body, len, 0, NULL);
	if (v != NULL) {
		yes = json_is_object(v) && (json_object_get(v, "protected") != NULL ||
		                            json_object_get(v, "signatures") != NULL);
		json_decref(v);
		return yes;
	}
	while (len > 0 && (body[len - 1] == '\n' || body[len - 1] == '\r' || body[len - 1] == ' '))
		len--;
	for (i = 0; i < len; i++) {
		char c = body[i];

		if (c == '.')
			dots++;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		           (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '='))
			return 0;
	}
	return dots == 2;
}

static size_t body_size(const struct body *b)
{
	return b->text != NULL ? strlen(b->text) : 0;
}

static size_t entry_size(const struct entry *e)
{
	size_t n = ENTRY_OVERHEAD, i;

	if (e->kind == ENTRY_NOTE)
		return n + strlen(e->text);
	n += strlen(e->method) + strlen(e->url);
	for (i = 0; i < e->nreq_headers; i++)
		n += strlen(e->req_headers[i]) + 4;
	for (i = 0; i < e->nresp_headers; i++)
		n += strlen(e->resp_headers[i].name) + strlen(e->resp_headers[i].value) + 4;
	n += body_size(&e->req_body) + body_size(&e->resp_body);
	if (e->req_jws != NULL)
		n += strlen(e->req_jws);
	if (e->error != NULL)
		n += strlen(e->error);
	return n;
}

/* Store e (taking its contents) or count it as dropped. Call under the lock. */
static void store(struct acs_transcript *t, struct entry *e)
{
	size_t size = entry_size(e);

	/* once full, stay full: a later entry must not appear without the ones before it */
	if (t->dropped > 0 || t->used + size > t->max) {
		t->dropped++;
		t->dropped_bytes += size;
		entry_clear(e);
		return;
	}
	if (t->n == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 16;
		struct entry *ne = realloc(t->entries, ncap * sizeof(*ne));

		if (ne == NULL) {
			t->dropped++;
			t->dropped_bytes += size;
			entry_clear(e);
			return;
		}
		t->entries = ne;
		t->cap = ncap;
	}
	t->entries[t->n++] = *e;
	t->used += size;
	memset(e, 0, sizeof(*e));
}

static int copy_exchange(struct entry *e, const struct acs_http_request *req,
                         const struct acs_http_response *resp, const char *error)
{
	size_t i, n = 0;

	e->kind = ENTRY_EXCHANGE;
	e->method = strdup(req->method != NULL ? req->method : "?");
	e->url = strdup(req->url != NULL ? req->url : "?");
	if (e->method == NULL || e->url == NULL)
		return ACS_E_NOMEM;
	while (req->headers != NULL && req->headers[n] != NULL)
		n++;
	if (n > 0) {
		e->req_headers = calloc(n, sizeof(*e->req_headers));
		if (e->req_headers == NULL)
			return ACS_E_NOMEM;
		for (i = 0; i < n; i++) {
			e->req_headers[i] = utf8_copy(req->headers[i], strlen(req->headers[i]));
			if (e->req_headers[i] == NULL)
				return ACS_E_NOMEM;
			e->nreq_headers++;
		}
	}
	if (req->body != NULL) {
		if (body_keep(&e->req_body, req->body, req->body_len) != 0)
			return ACS_E_NOMEM;
		if (looks_like_jws(req->body, req->body_len)) {
			e->req_jws = acs_jws_describe(req->body, req->body_len);
			if (e->req_jws == NULL)
				return ACS_E_NOMEM;
		}
	}
	if (resp != NULL) {
		e->has_response = 1;
		e->status = resp->status;
		e->seconds = resp->seconds;
		if (resp->nheaders > 0) {
			e->resp_headers = calloc(resp->nheaders, sizeof(*e->resp_headers));
			if (e->resp_headers == NULL)
				return ACS_E_NOMEM;
			for (i = 0; i < resp->nheaders; i++) {
				const struct acs_header *h = &resp->headers[i];

				e->resp_headers[i].name = utf8_copy(h->name, strlen(h->name));
				e->resp_headers[i].value = utf8_copy(h->value, strlen(h->value));
				e->nresp_headers++;
				if (e->resp_headers[i].name == NULL ||
				    e->resp_headers[i].value == NULL)
					return ACS_E_NOMEM;
			}
		}
		if (body_keep(&e->resp_body, resp->body != NULL ? resp->body : "",
		              resp->body_len) != 0)
			return ACS_E_NOMEM;
	}
	if (error != NULL) {
		e->error = utf8_copy(error, strlen(error));
		if (e->error == NULL)
			return ACS_E_NOMEM;
	}
	return 0;
}

void acs_transcript_add(struct acs_transcript *t, const struct acs_http_request *req,
                        const struct acs_http_response *resp, const char *error)
{
	struct entry e;

	if (t == NULL || req == NULL)
		return;
	memset(&e, 0, sizeof(e));
	/* copy (and decode the JWS) outside the lock: it may take a while */
	if (copy_exchange(&e, req, resp, error) != 0) {
		entry_clear(&e);
		pthread_mutex_lock(&t->mu);
		t->exchanges++;
		t->dropped++;
		pthread_mutex_unlock(&t->mu);
		return;
	}
	pthread_mutex_lock(&t->mu);
	e.number = ++t->exchanges;
	store(t, &e);
	pthread_mutex_unlock(&t->mu);
}

void acs_transcript_note(struct acs_transcript *t, const char *fmt, ...)
{
	struct entry e;
	char *text;
	va_list ap;
	int n;

	if (t == NULL || fmt == NULL)
		return;
	text = malloc(NOTE_MAX);
	if (text == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(text, NOTE_MAX, fmt, ap);
	va_end(ap);
	if (n < 0) {
		free(text);
		return;
	}
	memset(&e, 0, sizeof(e));
	e.kind = ENTRY_NOTE;
	e.text = utf8_copy(text, strlen(text));
	free(text);
	if (e.text == NULL)
		return;
	pthread_mutex_lock(&t->mu);
	store(t, &e);
	pthread_mutex_unlock(&t->mu);
}

size_t acs_transcript_count(const struct acs_transcript *t)
{
	struct acs_transcript *mt = (struct acs_transcript *)t;
	size_t n;

	if (t == NULL)
		return 0;
	pthread_mutex_lock(&mt->mu);
	n = mt->exchanges;
	pthread_mutex_unlock(&mt->mu);
	return n;
}

/* Append text with every line prefixed by indent; ends with a newline. */
static int put_indented(struct acs_buf *b, const char *indent, const char *text)
{
	const char *s = text, *nl;
	int rc = 0;

	while (rc == 0 && *s != '\0') {
		nl = strchr(s, '\n');
		if (nl == NULL)
			nl = s + strlen(s);
		rc = acs_buf_puts(b, indent);
		if (rc == 0)
			rc = acs_buf_append(b, s, (size_t)(nl - s));
		if (rc == 0)
			rc = acs_buf_puts(b, "\n");
		s = *nl == '\n' ? nl + 1 : nl;
	}
	return rc;
}

static int render_body(struct acs_buf *b, const struct body *body)
{
	int rc = 0;

	if (body->text == NULL || body->len == 0)
		return 0;
	if (body->binary) {
		rc = acs_buf_printf(b, "    [%zu bytes of binary data: %s%s]\n", body->len,
		                    body->text, body->len > body->shown ? " ..." : "");
		return rc;
	}
	rc = put_indented(b, "    ", body->text);
	if (rc == 0 && body->len > body->shown)
		rc = acs_buf_printf(b, "    [... %zu more bytes, %zu in all]\n",
		                    body->len - body->shown, body->len);
	return rc;
}

static int render_entry(struct acs_buf *b, const struct entry *e)
{
	size_t i;
	int rc;

	if (e->kind == ENTRY_NOTE)
		return put_indented(b, "[note] ", e->text);
	rc = acs_buf_printf(b, "[%zu] %s %s\n", e->number, e->method, e->url);
	for (i = 0; rc == 0 && i < e->nreq_headers; i++)
		rc = acs_buf_printf(b, "> %s\n", e->req_headers[i]);
	if (rc == 0 && e->req_jws != NULL) {
		rc = acs_buf_puts(b, "> body (JWS, decoded):\n");
		if (rc == 0)
			rc = put_indented(b, "    ", e->req_jws);
	} else if (rc == 0 && e->req_body.text != NULL && e->req_body.len > 0) {
		rc = acs_buf_puts(b, "> body:\n");
		if (rc == 0)
			rc = render_body(b, &e->req_body);
	}
	if (rc == 0 && e->has_response) {
		rc = acs_buf_printf(b, "< %ld (%.3f s)\n", e->status, e->seconds);
		for (i = 0; rc == 0 && i < e->nresp_headers; i++)
			rc = acs_buf_printf(b, "< %s: %s\n", e->resp_headers[i].name,
			                    e->resp_headers[i].value);
		if (rc == 0)
			rc = render_body(b, &e->resp_body);
	}
	if (rc == 0 && e->error != NULL)
		rc = acs_buf_printf(b, "! %s\n", e->error);
	return rc;
}

char *acs_transcript_render(const struct acs_transcript *t, size_t last)
{
	struct acs_transcript *mt = (struct acs_transcript *)t;
	struct acs_buf b;
	size_t first = 0, i;
	int rc = 0;

	acs_buf_init(&b, 0);
	if (t == NULL)
		return acs_buf_steal(&b);
	/* headers and indentation add to the stored text; leave ample room */
	if (t->max > ACS_BUF_DEFAULT_MAX / 4)
		acs_buf_init(&b, t->max * 4);
	pthread_mutex_lock(&mt->mu);
	if (last > 0 && last < mt->n) {
		first = mt->n - last;
		rc = acs_buf_printf(&b, "[%zu earlier entr%s not shown]\n", first,
		                    first == 1 ? "y" : "ies");
	}
	for (i = first; rc == 0 && i < mt->n; i++) {
		if (i > first || first > 0)
			rc = acs_buf_puts(&b, "\n");
		if (rc == 0)
			rc = render_entry(&b, &mt->entries[i]);
	}
	if (rc == 0 && mt->dropped > 0)
		rc = acs_buf_printf(&b,
		                    "\n[transcript full: %zu later entr%s (%zu bytes) not "
		                    "recorded]\n",
		                    mt->dropped, mt->dropped == 1 ? "y" : "ies", mt->dropped_bytes);
	pthread_mutex_unlock(&mt->mu);
	if (rc == ACS_E_TOOBIG) {
		/* the cap of b is far above max_bytes; keep what fits and say so */
		if (b.data != NULL) {
			b.len = b.len > 64 ? b.len - 64 : 0;
			b.data[b.len] = '\0';
			acs_buf_puts(&b, "\n[rendering shortened]\n");
		}
	} else if (rc != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	return acs_buf_steal(&b);
}

static int set_str(json_t *o, const char *key, const char *s)
{
	return json_object_set_new(o, key, json_string(s != NULL ? s : ""));
}

static int body_json(json_t *o, const char *prefix, const struct body *body)
{
	char key[64];
	int rc = 0;

	if (body->text == NULL)
		return 0;
	snprintf(key, sizeof(key), "%s_body", prefix);
	if (body->binary) {
		snprintf(key, sizeof(key), "%s_body_hex", prefix);
		rc |= set_str(o, key, body->text);
	} else {
		rc |= set_str(o, key, body->text);
	}
	snprintf(key, sizeof(key), "%s_body_len", prefix);
	rc |= json_object_set_new(o, key, json_integer((json_int_t)body->len));
	if (body->len > body->shown) {
		snprintf(key, sizeof(key), "%s_body_truncated", prefix);
		rc |= json_object_set_new(o, key, json_true());
	}
	return rc;
}

static json_t *entry_json(const struct entry *e)
{
	json_t *o = json_object(), *a;
	size_t i;
	int rc = 0;

	if (o == NULL)
		return NULL;
	if (e->kind == ENTRY_NOTE) {
		rc |= set_str(o, "kind", "note");
		rc |= set_str(o, "text", e->text);
		goto out;
	}
	rc |= set_str(o, "kind", "exchange");
	rc |= json_object_set_new(o, "number", json_integer((json_int_t)e->number));
	rc |= set_str(o, "method", e->method);
	rc |= set_str(o, "url", e->url);
	a = json_array();
	for (i = 0; a != NULL && i < e->nreq_headers; i++)
		rc |= json_array_append_new(a, json_string(e->req_headers[i]));
	rc |= json_object_set_new(o, "request_headers", a);
	rc |= body_json(o, "request", &e->req_body);
	if (e->req_jws != NULL)
		rc |= set_str(o, "request_jws", e->req_jws);
	if (e->has_response) {
		rc |= json_object_set_new(o, "status", json_integer((json_int_t)e->status));
		rc |= json_object_set_new(o, "seconds", json_real(e->seconds));
		a = json_array();
		for (i = 0; a != NULL && i < e->nresp_headers; i++) {
			json_t *h = json_object();

			if (h != NULL) {
				rc |= set_str(h, "name", e->resp_headers[i].name);
				rc |= set_str(h, "value", e->resp_headers[i].value);
			}
			rc |= json_array_append_new(a, h);
		}
		rc |= json_object_set_new(o, "response_headers", a);
		rc |= body_json(o, "response", &e->resp_body);
	}
	if (e->error != NULL)
		rc |= set_str(o, "error", e->error);
out:
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *acs_transcript_json(const struct acs_transcript *t)
{
	struct acs_transcript *mt = (struct acs_transcript *)t;
	json_t *arr = json_array(), *d;
	size_t i;
	int rc = 0;

	if (arr == NULL || t == NULL)
		return arr;
	pthread_mutex_lock(&mt->mu);
	for (i = 0; rc == 0 && i < mt->n; i++)
		rc = json_array_append_new(arr, entry_json(&mt->entries[i]));
	if (rc == 0 && mt->dropped > 0) {
		d = json_pack("{s:s, s:I, s:I}", "kind", "dropped", "entries",
		              (json_int_t)mt->dropped, "bytes", (json_int_t)mt->dropped_bytes);
		rc = json_array_append_new(arr, d);
	}
	pthread_mutex_unlock(&mt->mu);
	if (rc != 0) {
		json_decref(arr);
		return NULL;
	}
	return arr;
}
