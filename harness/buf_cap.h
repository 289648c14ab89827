/*
 * Appending evidence to a capped acs_buf without losing it all: text that
 * does not fit is cut, and a "[... cut ...]" marker says so, where
 * acs_buf_append would refuse the whole piece. For transcripts and a
 * client's captured output, where the first part is worth keeping.
 */
#ifndef ACMESPEC_BUF_CAP_H
#define ACMESPEC_BUF_CAP_H

#include <stddef.h>
#include "harness/buf.h"

/*
 * Append n bytes of s, cut to the room left under b->max (keeping 64
 * bytes spare); a cut appends "\n[... cut ...]\n" when it still fits.
 * Allocation failures drop the text silently (evidence is best effort).
 */
void acs_buf_put_capped(struct acs_buf *b, const char *s, size_t n);

/* The same for printf-style text (one piece of at most 4095 bytes). */
void acs_buf_putf_capped(struct acs_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
