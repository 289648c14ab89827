/*
 * RFC 3339 date-times as ACME carries them ("expires", "notAfter",
 * "validated"): UTC with a "Z" when written; fraction and numeric offset
 * accepted when read.
 */
#ifndef ACMESPEC_RFC3339_H
#define ACMESPEC_RFC3339_H

#include <time.h>

/* Write t as "YYYY-MM-DDTHH:MM:SSZ" (UTC) into out; the epoch if t cannot be represented. */
void acs_rfc3339_format(time_t t, char out[32]);

/*
 * Read "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" into seconds since
 * the epoch. Returns 0, or -1 (out untouched) for anything else, trailing
 * text included.
 */
int acs_rfc3339_parse(const char *s, time_t *out);

#endif
