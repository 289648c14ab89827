/* Capped appends to an acs_buf (harness/buf_cap.h). */
#include "harness/buf_cap.h"

#include <stdarg.h>
#include <stdio.h>

void acs_buf_put_capped(struct acs_buf *b, const char *s, size_t n)
{
	size_t room = b->max > b->len + 64 ? b->max - b->len - 64 : 0;

	if (n <= room) {
		(void)acs_buf_append(b, s, n);
		return;
	}
	if (room > 0)
		(void)acs_buf_append(b, s, room);
	if (b->max > b->len + 20)
		(void)acs_buf_puts(b, "\n[... cut ...]\n");
}

void acs_buf_putf_capped(struct acs_buf *b, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	acs_buf_put_capped(b, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
