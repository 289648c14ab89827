/*
 * Fuzz target: JWS request bodies (harness/jws.h).
 *
 * Feeds the input as a request body to acs_jws_parse (flattened, general
 * and compact forms), and then, on what parses: the header accessors, the
 * public JWK of the header (acs_jwk_import, acs_jwk_thumbprint),
 * acs_jws_verify with that key and with fixed EC P-256 and Ed25519 keys,
 * acs_jws_verify_hmac with a fixed MAC key, and acs_jws_describe (which
 * must never fail, whatever the body).
 *
 * Properties checked:
 *   - a parsed JWS has an object header and base64url parts that decode to
 *     the recorded payload and signature;
 *   - flatten(parse(x)) parses again to the same three parts;
 *   - verification only ever returns 0, ACS_E_VERIFY, ACS_E_UNSUPPORTED,
 *     ACS_E_PARSE or ACS_E_INVAL;
 *   - the input used as a payload, signed with the fixed EC key (and with
 *     the MAC key), parses back to the same payload and verifies.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/b64url.h"
#include "harness/jwk.h"
#include "harness/jws.h"

static const char ec_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                             "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRJFIIETb2tBjhmNW\n"
                             "6l1CVpFszLoaKCp5p6CXC9LT/8yhRANCAARjcamrh7ZlNNuIK7FZSVPslSutc/uT\n"
                             "UocN2dTpbOPAbjmyIKD1KXK1RfwS9BZxgTTBGnZf5+hY8sfWqc3TbreH\n"
                             "-----END PRIVATE KEY-----\n";
static const char ed_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                             "MC4CAQAwBQYDK2VwBCIEIIfU++tSFnObsMfsjAqCRjla3JU42WViZAiv/jsFA+m7\n"
                             "-----END PRIVATE KEY-----\n";
static const unsigned char mac_key[32] = "acmespec-fuzz-eab-hmac-key-32byt";

static struct acs_key *ec_key, *ed_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (acs_key_from_pem(&ec_key, ec_pem, strlen(ec_pem), NULL) != 0 ||
	    acs_key_from_pem(&ed_key, ed_pem, strlen(ed_pem), NULL) != 0)
		fuzz_fail("cannot load the fixed keys", __FILE__, __LINE__);
	return 0;
}

static int verify_code_ok(int rc)
{
	return rc == 0 || rc == ACS_E_VERIFY || rc == ACS_E_UNSUPPORTED || rc == ACS_E_PARSE ||
	       rc == ACS_E_INVAL;
}

static void check_part(const char *b64, const unsigned char *bytes, size_t len)
{
	unsigned char *dec = NULL;
	size_t dlen = 0;

	FUZZ_CHECK(b64 != NULL);
	FUZZ_CHECK(acs_b64url_decode(b64, strlen(b64), &dec, &dlen, NULL) == 0);
	FUZZ_CHECK(dlen == len);
	FUZZ_CHECK(len == 0 || memcmp(dec, bytes, len) == 0);
	free(dec);
}

static void check_parsed(const struct acs_jws *jws)
{
	struct acs_jws_parts parts;
	struct acs_jws *again = NULL;
	char *flat;

	FUZZ_CHECK(json_is_object(jws->protected_hdr));
	check_part(jws->signature_b64, jws->signature, jws->signature_len);
	if (jws->payload_b64 != NULL) {
		FUZZ_CHECK(jws->payload != NULL);
		check_part(jws->payload_b64, jws->payload, jws->payload_len);
	}
	if (jws->payload_b64 == NULL)
		return;
	/* the parts, put back in flattened form, parse to the same parts */
	parts.protected_b64 = jws->protected_b64;
	parts.payload_b64 = jws->payload_b64;
	parts.signature_b64 = jws->signature_b64;
	flat = acs_jws_flatten(&parts);
	FUZZ_CHECK(flat != NULL);
	FUZZ_CHECK(acs_jws_parse(flat, strlen(flat), &again, NULL) == 0);
	FUZZ_CHECK(again->form == ACS_JWS_FLATTENED);
	FUZZ_CHECK(strcmp(again->protected_b64, jws->protected_b64) == 0);
	FUZZ_CHECK(strcmp(again->payload_b64, jws->payload_b64) == 0);
	FUZZ_CHECK(strcmp(again->signature_b64, jws->signature_b64) == 0);
	acs_jws_free(again);
	free(flat);
}

static void verify_all(const struct acs_jws *jws)
{
	struct acs_err err;
	json_t *jwk = json_object_get(jws->protected_hdr, "jwk");
	struct acs_key *hk = NULL;
	char *tp;

	acs_jws_header_str(jws, "alg");
	acs_jws_header_str(jws, "nonce");
	acs_jws_header_str(jws, "url");
	acs_jws_header_str(jws, "kid");
	if (jwk != NULL) {
		tp = acs_jwk_thumbprint(jwk, &err);
		free(tp);
		if (acs_jwk_import(jwk, 1, &hk, &err) == 0) {
			FUZZ_CHECK(verify_code_ok(acs_jws_verify(jws, hk, &err)));
			acs_key_free(hk);
		}
	}
	FUZZ_CHECK(verify_code_ok(acs_jws_verify(jws, ec_key, &err)));
	FUZZ_CHECK(verify_code_ok(acs_jws_verify(jws, ed_key, &err)));
	FUZZ_CHECK(verify_code_ok(acs_jws_verify_hmac(jws, mac_key, sizeof(mac_key), &err)));
}

/* Sign data as a payload (ES256 and HS256) and check that it comes back. */
static void sign_roundtrip(const uint8_t *data, size_t size)
{
	static const char *const hdrs[] = {
	    "{\"alg\":\"ES256\",\"kid\":\"https://ca.example/acct/1\",\"nonce\":\"n\","
	    "\"url\":\"https://ca.example/new-order\"}",
	    "{\"alg\":\"HS256\",\"kid\":\"kid-1\",\"url\":\"https://ca.example/new-acct\"}"};
	struct acs_jws_parts parts;
	struct acs_jws *jws = NULL;
	struct acs_err err;
	char *flat;
	int i, rc;

	for (i = 0; i < 2; i++) {
		memset(&parts, 0, sizeof(parts));
		if (i == 0)
			rc = acs_jws_sign_parts(ec_key, hdrs[i], data, size, &parts, &err);
		else
			rc = acs_jws_sign_hmac_parts(mac_key, sizeof(mac_key), "HS256", hdrs[i],
			                             data, size, &parts, &err);
		FUZZ_CHECK(rc == 0);
		flat = acs_jws_flatten(&parts);
		FUZZ_CHECK(flat != NULL);
		FUZZ_CHECK(acs_jws_parse(flat, strlen(flat), &jws, &err) == 0);
		FUZZ_CHECK(jws->payload_len == size);
		FUZZ_CHECK(size == 0 || memcmp(jws->payload, data, size) == 0);
		if (i == 0)
			FUZZ_CHECK(acs_jws_verify(jws, ec_key, &err) == 0);
		else
			FUZZ_CHECK(acs_jws_verify_hmac(jws, mac_key, sizeof(mac_key), &err) == 0);
		acs_jws_free(jws);
		jws = NULL;
		free(flat);
		acs_jws_parts_clear(&parts);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acs_jws *jws = NULL;
	struct acs_err err;
	char *desc;

	if (size > 64 * 1024)
		return 0;
	if (acs_jws_parse((const char *)data, size, &jws, &err) == 0) {
		FUZZ_CHECK(jws != NULL);
		check_parsed(jws);
		verify_all(jws);
		acs_jws_free(jws);
	}
	desc = acs_jws_describe((const char *)data, size);
	FUZZ_CHECK(desc != NULL);
	free(desc);
	sign_roundtrip(data, size);
	return 0;
}
