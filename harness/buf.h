/*
 * A growable byte buffer with a hard cap. Every HTTP body, JWS, transcript
 * and report string goes through one, so no input can grow memory without
 * bound. The data is always NUL-terminated (the NUL is not counted in len).
 */
#ifndef ACMESPEC_BUF_H
#define ACMESPEC_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct acs_buf {
	char *data;   /* owned; NULL until the first append */
	size_t len;   /* bytes used, without the terminating NUL */
	size_t alloc; /* bytes allocated */
	size_t max;   /* hard cap on len; 0 means ACS_BUF_DEFAULT_MAX */
};

#define ACS_BUF_DEFAULT_MAX ((size_t)16 * 1024 * 1024)

/* Initialise an empty buffer that refuses to grow past max bytes. */
void acs_buf_init(struct acs_buf *b, size_t max);

/* Append n bytes. Returns 0, ACS_E_TOOBIG (nothing appended) or ACS_E_NOMEM. */
int acs_buf_append(struct acs_buf *b, const void *p, size_t n);

/* Append a NUL-terminated string. */
int acs_buf_puts(struct acs_buf *b, const char *s);

/* Append printf-style text; ACS_E_TOOBIG when it would pass the cap. */
int acs_buf_printf(struct acs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int acs_buf_vprintf(struct acs_buf *b, const char *fmt, va_list ap);

/* Forget the content but keep the allocation and cap. */
void acs_buf_reset(struct acs_buf *b);

/* Free the content; the buffer may be reused after acs_buf_init. */
void acs_buf_free(struct acs_buf *b);

/*
 * Hand the content to the caller (free with free()) and leave b empty.
 * Returns an empty allocated string for an empty buffer, NULL on ENOMEM.
 */
char *acs_buf_steal(struct acs_buf *b);

#endif
