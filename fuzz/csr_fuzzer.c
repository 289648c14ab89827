/*
 * Fuzz target: CSR parsing (harness/x509.h, acs_csr_parse).
 *
 * Feeds the input as a DER PKCS#10 request, as finalize sends it: parsed,
 * self-signature checked, identifiers extracted (SAN dNSName / iPAddress
 * and the subject CN), public key wrapped. Since a mutated request almost
 * never keeps a valid signature, the input is also decoded with OpenSSL,
 * given a fixed EC key, re-signed and parsed again, so that the fuzzer
 * reaches the subject and extension handling behind the signature check.
 *
 * Properties checked:
 *   - parsing returns 0, ACS_E_PARSE, ACS_E_VERIFY, ACS_E_TOOBIG,
 *     ACS_E_INVAL or ACS_E_NOMEM, with a message on failure;
 *   - a parsed CSR gives "dns", "ip" (or, for other SAN kinds, "email",
 *     "uri", "other") identifiers with terminated values
 *     and a public key that has a JWS alg or none;
 *   - those identifiers, put in a new CSR signed by a fixed key
 *     (acs_csr_make), parse back to the same set.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "fuzz/fuzz_util.h"
#include "harness/jwk.h"
#include "harness/x509.h"

/* "dns" and "ip"; other subjectAltName kinds come as "email", "uri" or
 * "other" so that a set comparison with an order's identifiers fails. */
static int known_type(const char *t)
{
	return strcmp(t, "dns") == 0 || strcmp(t, "ip") == 0 || strcmp(t, "email") == 0 ||
	       strcmp(t, "uri") == 0 || strcmp(t, "other") == 0;
}

static const char ec_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                             "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRJFIIETb2tBjhmNW\n"
                             "6l1CVpFszLoaKCp5p6CXC9LT/8yhRANCAARjcamrh7ZlNNuIK7FZSVPslSutc/uT\n"
                             "UocN2dTpbOPAbjmyIKD1KXK1RfwS9BZxgTTBGnZf5+hY8sfWqc3TbreH\n"
                             "-----END PRIVATE KEY-----\n";
static struct acs_key *ec_key;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	if (acs_key_from_pem(&ec_key, ec_pem, strlen(ec_pem), NULL) != 0)
		fuzz_fail("cannot load the fixed key", __FILE__, __LINE__);
	return 0;
}

static void remake(const struct acs_ident *ids, size_t nids)
{
	struct acs_ident *back = NULL;
	unsigned char *der = NULL;
	size_t der_len = 0, nback = 0;
	struct acs_err err;

	if (acs_csr_make(ec_key, ids, nids, 0, &der, &der_len, &err) != 0)
		return; /* identifiers the maker refuses (not every parsed text is valid) */
	FUZZ_CHECK(acs_csr_parse(der, der_len, &back, &nback, NULL, &err) == 0);
	FUZZ_CHECK(acs_idents_equal_sets(ids, nids, back, nback) == 1);
	free(back);
	free(der);
}

static void parse_one(const uint8_t *data, size_t size)
{
	struct acs_ident *ids = NULL;
	struct acs_key *pub = NULL;
	struct acs_err err;
	size_t nids = 0, i;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = acs_csr_parse(data, size, &ids, &nids, &pub, &err);
	if (rc != 0) {
		FUZZ_CHECK(rc == ACS_E_PARSE || rc == ACS_E_VERIFY || rc == ACS_E_TOOBIG ||
		           rc == ACS_E_INVAL || rc == ACS_E_NOMEM || rc == ACS_E_CRYPTO);
		FUZZ_CHECK(err.msg[0] != '\0');
		FUZZ_CHECK(pub == NULL);
		return;
	}
	FUZZ_CHECK(pub != NULL);
	acs_key_alg(pub);
	FUZZ_CHECK(nids == 0 || ids != NULL);
	for (i = 0; i < nids; i++) {
		FUZZ_CHECK(known_type(ids[i].type));
		FUZZ_CHECK(memchr(ids[i].value, '\0', sizeof(ids[i].value)) != NULL);
	}
	if (nids > 0)
		remake(ids, nids);
	free(ids);
	acs_key_free(pub);
}

/* The request in data with the fixed key and a fresh signature, as DER. */
static void resign(const uint8_t *data, size_t size)
{
	const unsigned char *p = data;
	unsigned char *der = NULL;
	X509_REQ *req;
	int len;

	req = d2i_X509_REQ(NULL, &p, (long)size);
	if (req == NULL)
		return;
	if (X509_REQ_set_pubkey(req, acs_key_evp(ec_key)) == 1 &&
	    X509_REQ_sign(req, acs_key_evp(ec_key), EVP_sha256()) > 0) {
		len = i2d_X509_REQ(req, &der);
		if (len > 0)
			parse_one(der, (size_t)len);
		OPENSSL_free(der);
	}
	X509_REQ_free(req);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 64 * 1024)
		return 0;
	parse_one(data, size);
	resign(data, size);
	ERR_clear_error();
	return 0;
}
