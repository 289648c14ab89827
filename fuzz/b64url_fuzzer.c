/*
 * Fuzz target: base64url (harness/b64url.h).
 *
 * Feeds the input twice: as text to the strict decoder, and as bytes to the
 * encoder.
 *
 * Properties checked:
 *   - decode(s) succeeds exactly when acs_b64url_valid(s) says so (for
 *     non-empty s), and then encode(decode(s)) == s (the decoder accepts
 *     only canonical text) and decode(encode(decode(s))) == decode(s);
 *   - encode(bytes) is valid base64url of the expected length, with no
 *     padding, and decodes back to the same bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/b64url.h"

static void text_roundtrip(const char *s, size_t len)
{
	unsigned char *dec = NULL, *dec2 = NULL;
	size_t dlen = 0, dlen2 = 0;
	struct acs_err err;
	char *enc;
	int rc;

	rc = acs_b64url_decode(s, len, &dec, &dlen, &err);
	if (len > 0)
		FUZZ_CHECK((rc == 0) == (acs_b64url_valid(s, len) == 1));
	if (rc != 0) {
		FUZZ_CHECK(rc == ACS_E_PARSE || rc == ACS_E_NOMEM);
		FUZZ_CHECK(err.msg[0] != '\0');
		return;
	}
	FUZZ_CHECK(dec != NULL);
	FUZZ_CHECK(dlen == len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1));
	FUZZ_CHECK(dec[dlen] == '\0');
	enc = acs_b64url_encode(dec, dlen);
	FUZZ_CHECK(enc != NULL);
	FUZZ_CHECK(strlen(enc) == len && memcmp(enc, s, len) == 0);
	FUZZ_CHECK(acs_b64url_decode(enc, strlen(enc), &dec2, &dlen2, &err) == 0);
	FUZZ_CHECK(dlen2 == dlen && (dlen == 0 || memcmp(dec, dec2, dlen) == 0));
	free(dec2);
	free(enc);
	free(dec);
}

static void bytes_roundtrip(const unsigned char *data, size_t size)
{
	unsigned char *dec = NULL;
	size_t dlen = 0, elen, i;
	struct acs_err err;
	char *enc;

	enc = acs_b64url_encode(data, size);
	FUZZ_CHECK(enc != NULL);
	elen = strlen(enc);
	FUZZ_CHECK(elen == size / 3 * 4 + (size % 3 == 0 ? 0 : size % 3 + 1));
	for (i = 0; i < elen; i++)
		FUZZ_CHECK(
		    strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
		           enc[i]) != NULL);
	FUZZ_CHECK(size == 0 || acs_b64url_valid(enc, elen) == 1);
	FUZZ_CHECK(acs_b64url_decode(enc, elen, &dec, &dlen, &err) == 0);
	FUZZ_CHECK(dlen == size && (size == 0 || memcmp(dec, data, size) == 0));
	free(dec);
	free(enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 1024 * 1024)
		return 0;
	/* an exact-size copy for the decoder: it must not read past len */
	s = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(s != NULL);
	if (size > 0)
		memcpy(s, data, size);
	text_roundtrip(s, size);
	free(s);
	bytes_roundtrip(data, size);
	return 0;
}
