/*
 * Fuzz target: RFC 3339 date-times (harness/rfc3339.h), as ACME objects
 * carry them ("expires", "notBefore", "validated").
 *
 * Feeds the input as the text to acs_rfc3339_parse, and its first eight
 * bytes as a time_t to acs_rfc3339_format.
 *
 * Properties checked:
 *   - what parses has the shape the header documents:
 *     YYYY-MM-DDTHH:MM:SS[.digits](Z|z|+hh:mm|-hh:mm), digits exactly
 *     where the grammar has them, and nothing after;
 *   - a failed parse leaves the output untouched;
 *   - format always writes a 20-character "...Z" string that parses back
 *     to the same time, or the epoch when the time cannot be written;
 *   - for a parsed time from year 1000 to 9999 (what "%Y" writes in four
 *     digits), format(parse(s)) parses back to the same time.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/rfc3339.h"

/* 1000-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define YEAR_1000     (-30610224000LL)
#define YEAR_9999_END 253402300799LL

/* Whether s is exactly the documented grammar. */
static int strict_shape(const char *s)
{
	static const char layout[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; layout[i] != '\0'; i++) {
		if (layout[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != layout[i])
			return 0;
	}
	s += i;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return 0;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' || *s == 'z')
		return s[1] == '\0';
	if (*s != '+' && *s != '-')
		return 0;
	return isdigit((unsigned char)s[1]) && isdigit((unsigned char)s[2]) && s[3] == ':' &&
	       isdigit((unsigned char)s[4]) && isdigit((unsigned char)s[5]) && s[6] == '\0';
}

static void check_format(time_t t)
{
	char out[32];
	time_t back = 0;

	acs_rfc3339_format(t, out);
	FUZZ_CHECK(strlen(out) == 20 && out[19] == 'Z');
	FUZZ_CHECK(acs_rfc3339_parse(out, &back) == 0);
	FUZZ_CHECK(back == t || strcmp(out, "1970-01-01T00:00:00Z") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const time_t sentinel = (time_t)0x5eed;
	time_t t = sentinel;
	int64_t raw = 0;
	char *s;

	if (size > 4096)
		return 0;
	s = fuzz_strndup(data, size);
	if (acs_rfc3339_parse(s, &t) == 0) {
		FUZZ_CHECK(strict_shape(s));
		if (t >= (time_t)YEAR_1000 && t <= (time_t)YEAR_9999_END)
			check_format(t);
	} else {
		FUZZ_CHECK(t == sentinel);
	}
	free(s);
	if (size >= sizeof(raw)) {
		memcpy(&raw, data, sizeof(raw));
		if (raw >= YEAR_1000 && raw <= YEAR_9999_END)
			check_format((time_t)raw);
	}
	return 0;
}
