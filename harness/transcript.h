/*
 * A record of HTTP exchanges (and free-form notes, e.g. "http-01 responder
 * served token X to 127.0.0.1") that makes a verdict's evidence. Bodies that
 * are JWS are shown decoded. Bounded: past max_bytes of stored text, older
 * exchanges are kept and later ones replaced by a count of what was dropped.
 *
 * Thread-safe: responders running on other threads may add notes.
 */
#ifndef ACMESPEC_TRANSCRIPT_H
#define ACMESPEC_TRANSCRIPT_H

#include <jansson.h>
#include <stddef.h>
#include "harness/http.h"

struct acs_transcript;

/* *out: new, free with acs_transcript_free. max_bytes 0 means 1 MiB. */
int acs_transcript_new(struct acs_transcript **out, size_t max_bytes);
void acs_transcript_free(struct acs_transcript *t); /* NULL allowed */

/*
 * Record one exchange (copies everything). resp may be NULL when the
 * exchange failed; error then says why.
 */
void acs_transcript_add(struct acs_transcript *t, const struct acs_http_request *req,
                        const struct acs_http_response *resp, const char *error);

/* Record a note. */
void acs_transcript_note(struct acs_transcript *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Number of exchanges recorded so far. */
size_t acs_transcript_count(const struct acs_transcript *t);

/*
 * Human-readable text of everything recorded, exchanges numbered, request
 * JWS bodies decoded (protected header and payload), response headers and
 * bodies as received (bodies over 4 KiB shortened). New string (free()).
 * With last > 0 only the last `last` entries.
 */
char *acs_transcript_render(const struct acs_transcript *t, size_t last);

/* The same as a JSON array of exchanges (new reference). */
json_t *acs_transcript_json(const struct acs_transcript *t);

#endif
