/*
 * CSR variants the shared x509 helpers do not make: a CSR naming its
 * identifier only in the subject CN, as pre-RFC clients did (RFC 8555 7.4
 * wants the names in the SAN extension).
 */
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "mockclient/forms.h"

int acs_csr_make_cn_only(const struct acs_key *key, const char *cn, unsigned char **der,
                         size_t *der_len, struct acs_err *err)
{
	EVP_PKEY *pk = acs_key_evp(key);
	X509_REQ *req = NULL;
	X509_NAME *name = NULL;
	const EVP_MD *md = NULL;
	unsigned char *out = NULL;
	int len, rc = ACS_E_CRYPTO;

	if (pk == NULL || cn == NULL)
		return acs_err_set(err, ACS_E_INVAL, "cn-only CSR: no key or name");
	/* Ed25519 signs without a separate digest */
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_ED25519)
		md = EVP_sha256();
	req = X509_REQ_new();
	name = X509_NAME_new();
	if (req == NULL || name == NULL ||
	    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
	                               0) != 1 ||
	    X509_REQ_set_version(req, 0) != 1 || X509_REQ_set_subject_name(req, name) != 1 ||
	    X509_REQ_set_pubkey(req, pk) != 1 || X509_REQ_sign(req, pk, md) <= 0) {
		rc = acs_err_openssl(err, "cannot make a cn-only CSR");
		goto out;
	}
	len = i2d_X509_REQ(req, &out);
	if (len <= 0) {
		rc = acs_err_openssl(err, "cannot encode a cn-only CSR");
		goto out;
	}
	*der = malloc((size_t)len);
	if (*der == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	memcpy(*der, out, (size_t)len);
	*der_len = (size_t)len;
	rc = 0;
out:
	OPENSSL_free(out);
	X509_NAME_free(name);
	X509_REQ_free(req);
	return rc;
}
