/*
 * base64url (RFC 4648 section 5) without padding, as RFC 8555 section 6.1
 * requires. The decoder is strict: it refuses '=' padding, any character
 * outside [A-Za-z0-9_-], a length of 1 mod 4, and non-zero trailing bits,
 * each with its own message naming the offending position.
 */
#ifndef ACMESPEC_B64URL_H
#define ACMESPEC_B64URL_H

#include <stddef.h>
#include "harness/err.h"

/* New NUL-terminated string (caller frees with free()), NULL on ENOMEM. */
char *acs_b64url_encode(const void *data, size_t len);

/*
 * Decode len characters of s. On success *out is a new buffer (caller frees
 * with free(); it is NUL-terminated for convenience, the NUL not counted in
 * *outlen). On failure returns ACS_E_PARSE with a message such as
 * "invalid base64url: padding '=' at offset 12" and leaves *out untouched.
 */
int acs_b64url_decode(const char *s, size_t len, unsigned char **out, size_t *outlen,
                      struct acs_err *err);

/* 1 when s (len chars) is non-empty, canonical, unpadded base64url. */
int acs_b64url_valid(const char *s, size_t len);

#endif
