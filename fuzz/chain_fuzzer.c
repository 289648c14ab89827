/*
 * Fuzz target: PEM certificate chains (harness/x509.h, acs_chain_parse),
 * as a certificate download (application/pem-certificate-chain) brings
 * them.
 *
 * Feeds the input as the chain text; on what parses, every certificate's
 * identifiers (acs_cert_idents) and the signature links between them
 * (acs_chain_verify, no roots).
 *
 * Properties checked:
 *   - parsing fails only with ACS_E_PARSE, ACS_E_TOOBIG or ACS_E_NOMEM,
 *     and then with a message;
 *   - a parsed chain has at least one certificate, strict is 0 or 1, and
 *     problem is empty exactly when strict is 1;
 *   - identifiers are "dns", "ip", "email", "uri" or "other" with
 *     terminated values, and the
 *     identifier set equals itself (acs_idents_equal_sets);
 *   - verification returns 0 or ACS_E_VERIFY (ACS_E_NOMEM / ACS_E_CRYPTO
 *     aside).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/x509.h"

/* "dns" and "ip"; other subjectAltName kinds come as "email", "uri" or
 * "other" so that a set comparison with an order's identifiers fails. */
static int known_type(const char *t)
{
	return strcmp(t, "dns") == 0 || strcmp(t, "ip") == 0 || strcmp(t, "email") == 0 ||
	       strcmp(t, "uri") == 0 || strcmp(t, "other") == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acs_chain *chain = NULL;
	struct acs_ident *ids;
	struct acs_err err;
	size_t i, j, nids;
	char *copy;
	int rc;

	if (size > 256 * 1024)
		return 0;
	/* an exact-size copy: the parser is given a length, not a C string */
	copy = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(copy != NULL);
	if (size > 0)
		memcpy(copy, data, size);
	memset(&err, 0, sizeof(err));
	rc = acs_chain_parse(copy, size, &chain, &err);
	if (rc != 0) {
		FUZZ_CHECK(rc == ACS_E_PARSE || rc == ACS_E_TOOBIG || rc == ACS_E_NOMEM);
		FUZZ_CHECK(err.msg[0] != '\0');
		free(copy);
		return 0;
	}
	FUZZ_CHECK(chain != NULL && chain->n >= 1 && chain->certs != NULL);
	FUZZ_CHECK(chain->strict == 0 || chain->strict == 1);
	FUZZ_CHECK(memchr(chain->problem, '\0', sizeof(chain->problem)) != NULL);
	FUZZ_CHECK((chain->problem[0] == '\0') == (chain->strict == 1));
	for (i = 0; i < chain->n; i++) {
		ids = NULL;
		nids = 0;
		if (acs_cert_idents(chain->certs[i], &ids, &nids, &err) != 0)
			continue;
		for (j = 0; j < nids; j++) {
			FUZZ_CHECK(known_type(ids[j].type));
			FUZZ_CHECK(memchr(ids[j].value, '\0', sizeof(ids[j].value)) != NULL);
		}
		FUZZ_CHECK(acs_idents_equal_sets(ids, nids, ids, nids) == 1);
		free(ids);
	}
	rc = acs_chain_verify(chain, NULL, &err);
	FUZZ_CHECK(rc == 0 || rc == ACS_E_VERIFY || rc == ACS_E_NOMEM || rc == ACS_E_CRYPTO);
	acs_chain_free(chain);
	free(copy);
	return 0;
}
