/* strptime(3) is an X/Open interface */
#define _XOPEN_SOURCE 700

#include "harness/rfc3339.h"

#include <ctype.h>
#include <string.h>

void acs_rfc3339_format(time_t t, char out[32])
{
	struct tm tm;

	/* a time gmtime cannot represent is written as the epoch, never as garbage */
	if (gmtime_r(&t, &tm) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		memcpy(out, "1970-01-01T00:00:00Z", sizeof("1970-01-01T00:00:00Z"));
}

/*
 * Whether s starts with the fixed-width "YYYY-MM-DDTHH:MM:SS" of RFC 3339
 * section 5.6. strptime alone is lenient: it skips leading white space and
 * takes one to four digits where the grammar wants exactly two or four.
 */
static int fixed_layout(const char *s)
{
	static const char layout[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; layout[i] != '\0'; i++) {
		if (layout[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != layout[i])
			return 0;
	}
	return 1;
}

int acs_rfc3339_parse(const char *s, time_t *out)
{
	struct tm tm;
	const char *p;
	long off = 0;

	if (s == NULL || !fixed_layout(s))
		return -1;
	memset(&tm, 0, sizeof(tm));
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
	           isdigit((unsigned char)p[2]) && p[3] == ':' && isdigit((unsigned char)p[4]) &&
	           isdigit((unsigned char)p[5])) {
		off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600L +
		      ((p[4] - '0') * 10 + (p[5] - '0')) * 60L;
		if (*p == '-')
			off = -off;
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
	*out = timegm(&tm) - off;
	return 0;
}
