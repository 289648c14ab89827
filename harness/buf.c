#include "harness/buf.h"
#include "harness/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void acs_buf_init(struct acs_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->max = max ? max : ACS_BUF_DEFAULT_MAX;
}

/* Make room for n more bytes plus the NUL, growing geometrically. */
static int buf_reserve(struct acs_buf *b, size_t n)
{
	size_t need, size;
	char *p;

	if (b->max == 0)
		b->max = ACS_BUF_DEFAULT_MAX;
	if (n > b->max || b->len > b->max - n)
		return ACS_E_TOOBIG;
	need = b->len + n + 1;
	if (need <= b->alloc)
		return 0;
	size = b->alloc ? b->alloc : 256;
	while (size < need)
		size *= 2;
	if (size > b->max + 1)
		size = b->max + 1;
	p = realloc(b->data, size);
	if (p == NULL)
		return ACS_E_NOMEM;
	b->data = p;
	b->alloc = size;
	return 0;
}

int acs_buf_append(struct acs_buf *b, const void *p, size_t n)
{
	int rc = buf_reserve(b, n);

	if (rc != 0)
		return rc;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int acs_buf_puts(struct acs_buf *b, const char *s)
{
	return acs_buf_append(b, s, strlen(s));
}

int acs_buf_vprintf(struct acs_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n, rc;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return ACS_E_INVAL;
	rc = buf_reserve(b, (size_t)n);
	if (rc != 0)
		return rc;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int acs_buf_printf(struct acs_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = acs_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

void acs_buf_reset(struct acs_buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

void acs_buf_free(struct acs_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
}

char *acs_buf_steal(struct acs_buf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = strdup("");
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	return p;
}
