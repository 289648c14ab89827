/*
 * base64url without padding (RFC 4648 section 5, RFC 8555 section 6.1).
 */
#include "harness/b64url.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Value of one base64url character, or -1 (also for '=' and '+' '/'). */
static int b64url_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

char *acs_b64url_encode(const void *data, size_t len)
{
	const unsigned char *in = data;
	size_t outlen, i, o = 0;
	char *out;

	if (len > (SIZE_MAX - 4) / 4 * 3)
		return NULL;
	outlen = len / 3 * 4 + (len % 3 ? len % 3 + 1 : 0);
	out = malloc(outlen + 1);
	if (out == NULL)
		return NULL;
	for (i = 0; i + 3 <= len; i += 3) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8) | in[i + 2];

		out[o++] = b64url_alphabet[(v >> 18) & 63];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
		out[o++] = b64url_alphabet[(v >> 6) & 63];
		out[o++] = b64url_alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		out[o++] = b64url_alphabet[(v >> 18) & 63];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
	} else if (len - i == 2) {
		uint32_t v = ((uint32_t)in[i] << 16) | ((uint32_t)in[i + 1] << 8);

		out[o++] = b64url_alphabet[(v >> 18) & 63];
		out[o++] = b64url_alphabet[(v >> 12) & 63];
		out[o++] = b64url_alphabet[(v >> 6) & 63];
	}
	out[o] = '\0';
	return out;
}

/*
 * Check every character and the length; on failure fill err and return
 * ACS_E_PARSE. Shared by decode and valid so both agree on what is strict.
 */
static int b64url_check(const char *s, size_t len, struct acs_err *err)
{
	size_t i;
	int last;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '=')
			return acs_err_set(err, ACS_E_PARSE,
			                   "invalid base64url: padding '=' at offset %zu", i);
		if (b64url_value(c) < 0) {
			if (c == '+' || c == '/')
				return acs_err_set(
				    err, ACS_E_PARSE,
				    "invalid base64url: character '%c' (plain base64, "
				    "not base64url) at offset %zu",
				    c, i);
			if (c >= 0x21 && c < 0x7f)
				return acs_err_set(
				    err, ACS_E_PARSE,
				    "invalid base64url: character '%c' at offset %zu", c, i);
			return acs_err_set(err, ACS_E_PARSE,
			                   "invalid base64url: byte 0x%02x at offset %zu", c, i);
		}
	}
	if (len % 4 == 1)
		return acs_err_set(
		    err, ACS_E_PARSE,
		    "invalid base64url: length %zu is 1 mod 4 (truncated) at offset %zu", len,
		    len - 1);
	if (len % 4 == 0)
		return 0;
	/* the unused low bits of the last character must be zero (canonical form) */
	last = b64url_value((unsigned char)s[len - 1]);
	if ((len % 4 == 2 && (last & 0x0f) != 0) || (len % 4 == 3 && (last & 0x03) != 0))
		return acs_err_set(err, ACS_E_PARSE,
		                   "invalid base64url: non-zero trailing bits at offset %zu",
		                   len - 1);
	return 0;
}

int acs_b64url_decode(const char *s, size_t len, unsigned char **out, size_t *outlen,
                      struct acs_err *err)
{
	unsigned char *buf = NULL;
	size_t i, o = 0, n;
	uint32_t acc = 0;
	int bits = 0;
	int rc;

	if (s == NULL && len > 0)
		return acs_err_set(err, ACS_E_INVAL, "invalid base64url: no input");
	rc = b64url_check(s, len, err);
	if (rc != 0)
		return rc;
	n = len / 4 * 3 + (len % 4 ? len % 4 - 1 : 0);
	buf = malloc(n + 1);
	if (buf == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "base64url decode: out of memory");
	for (i = 0; i < len; i++) {
		acc = (acc << 6) | (uint32_t)b64url_value((unsigned char)s[i]);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[o++] = (unsigned char)((acc >> bits) & 0xff);
		}
	}
	buf[o] = '\0';
	*out = buf;
	if (outlen != NULL)
		*outlen = o;
	return 0;
}

int acs_b64url_valid(const char *s, size_t len)
{
	if (s == NULL || len == 0)
		return 0;
	return b64url_check(s, len, NULL) == 0;
}
