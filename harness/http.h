/*
 * HTTP transport over libcurl. Every exchange is recorded in a transcript
 * (when one is attached) so that any verdict can show its evidence. Each
 * request has a timeout and each response body a size cap.
 *
 * One struct acs_http is used by one thread at a time; give every case its
 * own (the runner does).
 */
#ifndef ACMESPEC_HTTP_H
#define ACMESPEC_HTTP_H

#include <stddef.h>
#include "harness/err.h"
#include "harness/netpolicy.h"

struct acs_transcript;

struct acs_header {
	char *name;
	char *value;
};

struct acs_http_response {
	long status;
	struct acs_header *headers; /* in received order, names as sent */
	size_t nheaders;
	char *body; /* NUL-terminated; "" when empty */
	size_t body_len;
	double seconds; /* wall time of the exchange */
};

void acs_http_response_free(struct acs_http_response *r); /* NULL allowed */

/* First value of header name (case-insensitive); borrowed, NULL if absent. */
const char *acs_http_header(const struct acs_http_response *r, const char *name);

/* Number of headers named name; fills up to max values (borrowed). */
size_t acs_http_header_all(const struct acs_http_response *r, const char *name, const char **values,
                           size_t max);

/*
 * The target of the first Link header value with rel=<rel> (rel lists
 * such as rel="up index" are understood; several Link headers and
 * comma-separated values too). Returns a new string (free()), or NULL.
 * With index > 0, the index-th such link (0-based).
 */
char *acs_http_link(const struct acs_http_response *r, const char *rel, size_t index);

struct acs_http_opts {
	const char *ca_bundle;  /* PEM file to trust, or NULL for the system store */
	long timeout_ms;        /* per request, whole exchange; 0 means 30000 */
	size_t max_body;        /* response body cap; 0 means 4 MiB */
	const char *user_agent; /* NULL means "acmespec/<version>" */
	int insecure;           /* skip TLS verification (never the default) */
};

struct acs_http;

/* *out: new client, free with acs_http_free. */
int acs_http_new(struct acs_http **out, const struct acs_http_opts *opts, struct acs_err *err);
void acs_http_free(struct acs_http *h); /* NULL allowed */

/*
 * Bound every later request by an absolute deadline on the monotonic clock
 * (acs_clock_mono; 0 removes it): a request gets at most the time left, so a
 * whole flow ends on time even against a server that never answers. A
 * request started at or after the deadline fails at once ("timed out").
 */
void acs_http_set_deadline(struct acs_http *h, double deadline);

/*
 * Check every later request's URL against p (copied; NULL removes it)
 * before anything is sent: a refused URL fails with ACS_E_REFUSED and is
 * noted in the transcript, no packet leaves.
 */
void acs_http_set_policy(struct acs_http *h, const struct acs_netpolicy *p);

/* How many requests the policy refused so far. */
size_t acs_http_refused(const struct acs_http *h);

/* Attach a transcript (borrowed; NULL detaches) that records every exchange. */
void acs_http_set_transcript(struct acs_http *h, struct acs_transcript *t);

struct acs_http_request {
	const char *method; /* "GET", "HEAD", "POST", ... */
	const char *url;
	const char *const *headers; /* "Name: value" strings, NULL-terminated, or NULL */
	const char *body;           /* NULL for none */
	size_t body_len;
	int no_user_agent; /* send no User-Agent header at all */
};

/*
 * Perform one exchange. Returns 0 with *out filled (any HTTP status, 4xx/5xx
 * included) or a negative code when no response could be had:
 * ACS_E_TIMEOUT ("timed out after 30000 ms waiting for https://..."),
 * ACS_E_TOOBIG (body over the cap), ACS_E_IO (connect/TLS failure, with
 * curl's message). *out: new response (acs_http_response_free).
 * Failed exchanges are recorded in the transcript too, with the error.
 */
int acs_http_do(struct acs_http *h, const struct acs_http_request *req,
                struct acs_http_response **out, struct acs_err *err);

/* Call once at start-up / shutdown (wraps curl_global_init/cleanup). */
int acs_http_global_init(void);
void acs_http_global_cleanup(void);

#endif
