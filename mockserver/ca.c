/*
 * The mock CA's PKI: two roots (the default chain's and the alternate
 * chain's), one intermediate key certified by both, the HTTPS certificate,
 * and issuance of real leaf certificates. EC P-256 throughout: fast to make
 * at every start.
 */
#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include "mockserver/ca.h"

static EVP_PKEY *gen_key(void)
{
	return EVP_EC_gen("P-256");
}

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext = NULL;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, issuer != NULL ? issuer : cert, cert, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL)
		return -1;
	ok = X509_add_ext(cert, ext, -1);
	X509_EXTENSION_free(ext);
	return ok == 1 ? 0 : -1;
}

/*
 * A random positive serial. high_bit < 0: 127 random bits (the high bit of
 * the 16 octets is clear); 1: 128 bits with the top one set, so its DER
 * form needs a leading zero octet (RFC 9773 section 4.1's case); 0: 128
 * bits with the top one clear.
 */
static int set_random_serial(X509 *cert, int high_bit)
{
	BIGNUM *bn = BN_new();
	int rc = -1, ok;

	if (bn == NULL)
		return -1;
	if (high_bit < 0)
		ok = BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) == 1;
	else if (high_bit)
		ok = BN_rand(bn, 128, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1;
	else
		ok = BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) == 1;
	if (ok && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert)) != NULL)
		rc = 0;
	BN_free(bn);
	return rc;
}

static int set_name(X509_NAME *name, const char *cn)
{
	if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, (const unsigned char *)"acmespec",
	                               -1, -1, 0) != 1)
		return -1;
	if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
	                               0) != 1)
		return -1;
	return 0;
}

static int add_san(X509 *cert, const struct acs_ident *ids, size_t nids)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	size_t i;
	int rc = -1;

	if (gens == NULL)
		return -1;
	for (i = 0; i < nids; i++) {
		GENERAL_NAME *gen = NULL;

		if (strcmp(ids[i].type, "ip") == 0) {
			unsigned char addr[16];
			int len = 0;

			if (inet_pton(AF_INET, ids[i].value, addr) == 1)
				len = 4;
			else if (inet_pton(AF_INET6, ids[i].value, addr) == 1)
				len = 16;
			else
				goto out;
			gen = GENERAL_NAME_new();
			if (gen == NULL)
				goto out;
			gen->type = GEN_IPADD;
			gen->d.iPAddress = ASN1_OCTET_STRING_new();
			if (gen->d.iPAddress == NULL ||
			    ASN1_OCTET_STRING_set(gen->d.iPAddress, addr, len) != 1) {
				GENERAL_NAME_free(gen);
				goto out;
			}
		} else {
			ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

			if (ia5 == NULL)
				goto out;
			if (ASN1_STRING_set(ia5, ids[i].value, (int)strlen(ids[i].value)) != 1) {
				ASN1_IA5STRING_free(ia5);
				goto out;
			}
			gen = GENERAL_NAME_new();
			if (gen == NULL) {
				ASN1_IA5STRING_free(ia5);
				goto out;
			}
			GENERAL_NAME_set0_value(gen, GEN_DNS, ia5);
		}
		if (sk_GENERAL_NAME_push(gens, gen) <= 0) {
			GENERAL_NAME_free(gen);
			goto out;
		}
	}
	if (X509_add1_ext_i2d(cert, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) != 1)
		goto out;
	rc = 0;
out:
	GENERAL_NAMES_free(gens);
	return rc;
}

/*
 * A certificate for pub named cn, signed by issuer_key (issuer cert NULL:
 * self-signed). ca: 1 for a CA certificate. revinfo: 1 a CRL distribution
 * point, 2 an OCSP URL instead, 0 neither (CA and HTTPS certificates).
 * high_bit: 1 a serial with its high bit set, 0 clear, -1 random.
 */
static X509 *make_cert(const char *cn, EVP_PKEY *pub, X509 *issuer, EVP_PKEY *issuer_key, int ca,
                       time_t nb, time_t na, const struct acs_ident *ids, size_t nids, int high_bit,
                       int revinfo)
{
	X509 *cert = X509_new();

	if (cert == NULL)
		return NULL;
	if (X509_set_version(cert, 2) != 1 || set_random_serial(cert, high_bit) != 0)
		goto fail;
	if (X509_time_adj_ex(X509_getm_notBefore(cert), 0, 0, &nb) == NULL ||
	    X509_time_adj_ex(X509_getm_notAfter(cert), 0, 0, &na) == NULL)
		goto fail;
	if (cn != NULL && set_name(X509_get_subject_name(cert), cn) != 0)
		goto fail;
	if (X509_set_issuer_name(cert, issuer != NULL ? X509_get_subject_name(issuer)
	                                              : X509_get_subject_name(cert)) != 1)
		goto fail;
	if (X509_set_pubkey(cert, pub) != 1)
		goto fail;
	if (ca) {
		if (add_ext(cert, issuer, NID_basic_constraints, "critical,CA:TRUE") != 0 ||
		    add_ext(cert, issuer, NID_key_usage,
		            "critical,keyCertSign,cRLSign,digitalSignature") != 0)
			goto fail;
	} else {
		if (add_ext(cert, issuer, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
		    add_ext(cert, issuer, NID_key_usage,
		            "critical,digitalSignature,keyEncipherment") != 0 ||
		    add_ext(cert, issuer, NID_ext_key_usage, "serverAuth,clientAuth") != 0)
			goto fail;
	}
	if (add_ext(cert, issuer, NID_subject_key_identifier, "hash") != 0)
		goto fail;
	if (issuer != NULL &&
	    add_ext(cert, issuer, NID_authority_key_identifier, "keyid:always") != 0)
		goto fail;
	if (nids > 0 && add_san(cert, ids, nids) != 0)
		goto fail;
	/*
	 * Leaves point to revocation as CAs do since OCSP ended (Let's Encrypt
	 * 2025): a CRL distribution point, no OCSP URL (ocsp: the old way).
	 * The names are reserved test names; nothing fetches them.
	 */
	if (revinfo == 1 && add_ext(cert, issuer, NID_crl_distribution_points,
	                            "URI:http://crl.acmespec.test/intermediate.crl") != 0)
		goto fail;
	if (revinfo == 2 &&
	    add_ext(cert, issuer, NID_info_access,
	            "OCSP;URI:http://ocsp.acmespec.test/,caIssuers;URI:http://ca.acmespec.test/") !=
	        0)
		goto fail;
	if (X509_sign(cert, issuer_key, EVP_sha256()) <= 0)
		goto fail;
	return cert;
fail:
	X509_free(cert);
	return NULL;
}

/* The contents of a memory BIO as a new NUL-terminated string (free()), then the BIO is freed. */
static char *bio_string(BIO *bio, int written)
{
	char *data = NULL, *out = NULL;
	long len;

	if (written == 1) {
		len = BIO_get_mem_data(bio, &data);
		out = malloc((size_t)len + 1);
		if (out != NULL) {
			memcpy(out, data, (size_t)len);
			out[len] = '\0';
		}
	}
	BIO_free(bio);
	return out;
}

char *acs_mca_x509_pem(X509 *x)
{
	BIO *bio = BIO_new(BIO_s_mem());

	return bio != NULL ? bio_string(bio, PEM_write_bio_X509(bio, x)) : NULL;
}

static char *key_pem(EVP_PKEY *k)
{
	BIO *bio = BIO_new(BIO_s_mem());

	return bio != NULL
	           ? bio_string(bio, PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL))
	           : NULL;
}

void acs_mca_pki_free(struct acs_mca_pki *p)
{
	if (p == NULL)
		return;
	EVP_PKEY_free(p->root_key);
	X509_free(p->root);
	EVP_PKEY_free(p->inter_key);
	X509_free(p->inter);
	EVP_PKEY_free(p->alt_root_key);
	X509_free(p->alt_root);
	X509_free(p->alt_inter);
	free(p->root_pem);
	free(p->inter_pem);
	free(p->alt_root_pem);
	free(p->alt_inter_pem);
	free(p->https_cert_pem);
	free(p->https_key_pem);
	free(p);
}

int acs_mca_pki_make(struct acs_mca_pki **out, const char *const *https_names, size_t n,
                     struct acs_err *err)
{
	struct acs_mca_pki *p = calloc(1, sizeof(*p));
	struct acs_ident *ids = NULL;
	EVP_PKEY *https_key = NULL;
	X509 *https = NULL;
	time_t now = time(NULL);
	time_t nb = now - 3600, ca_na = now + 10L * 365 * 86400, na = now + 365L * 86400;
	size_t i;
	int rc = ACS_E_CRYPTO;

	if (p == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	ids = calloc(n > 0 ? n : 1, sizeof(*ids));
	if (ids == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++) {
		unsigned char tmp[16];
		int ip = inet_pton(AF_INET, https_names[i], tmp) == 1 ||
		         inet_pton(AF_INET6, https_names[i], tmp) == 1;

		memcpy(ids[i].type, ip ? "ip" : "dns", ip ? 3 : 4);
		if (strlen(https_names[i]) >= sizeof(ids[i].value)) {
			rc = acs_err_set(err, ACS_E_INVAL, "name too long: %s", https_names[i]);
			goto out;
		}
		memcpy(ids[i].value, https_names[i], strlen(https_names[i]) + 1);
	}
	p->root_key = gen_key();
	p->inter_key = gen_key();
	p->alt_root_key = gen_key();
	https_key = gen_key();
	if (p->root_key == NULL || p->inter_key == NULL || p->alt_root_key == NULL ||
	    https_key == NULL) {
		rc = acs_err_openssl(err, "cannot generate the CA keys");
		goto out;
	}
	p->root = make_cert("acmespec mock root", p->root_key, NULL, p->root_key, 1, nb, ca_na,
	                    NULL, 0, -1, 0);
	p->alt_root = make_cert("acmespec mock alternate root", p->alt_root_key, NULL,
	                        p->alt_root_key, 1, nb, ca_na, NULL, 0, -1, 0);
	if (p->root == NULL || p->alt_root == NULL) {
		rc = acs_err_openssl(err, "cannot make the root certificates");
		goto out;
	}
	p->inter = make_cert("acmespec mock intermediate", p->inter_key, p->root, p->root_key, 1,
	                     nb, ca_na, NULL, 0, -1, 0);
	p->alt_inter = make_cert("acmespec mock intermediate", p->inter_key, p->alt_root,
	                         p->alt_root_key, 1, nb, ca_na, NULL, 0, -1, 0);
	/* the HTTPS certificate comes straight from the root: the bundle alone verifies it */
	https = make_cert(n > 0 ? https_names[0] : "localhost", https_key, p->root, p->root_key, 0,
	                  nb, na, ids, n, -1, 0);
	if (p->inter == NULL || p->alt_inter == NULL || https == NULL) {
		rc = acs_err_openssl(err, "cannot make the CA certificates");
		goto out;
	}
	p->root_pem = acs_mca_x509_pem(p->root);
	p->inter_pem = acs_mca_x509_pem(p->inter);
	p->alt_root_pem = acs_mca_x509_pem(p->alt_root);
	p->alt_inter_pem = acs_mca_x509_pem(p->alt_inter);
	p->https_cert_pem = acs_mca_x509_pem(https);
	p->https_key_pem = key_pem(https_key);
	if (p->root_pem == NULL || p->inter_pem == NULL || p->alt_root_pem == NULL ||
	    p->alt_inter_pem == NULL || p->https_cert_pem == NULL || p->https_key_pem == NULL) {
		rc = acs_err_openssl(err, "cannot encode the CA certificates");
		goto out;
	}
	*out = p;
	p = NULL;
	rc = 0;
out:
	acs_mca_pki_free(p);
	EVP_PKEY_free(https_key);
	X509_free(https);
	free(ids);
	return rc;
}

int acs_mca_issue(const struct acs_mca_pki *p, EVP_PKEY *pub, const struct acs_ident *ids,
                  size_t nids, time_t nb, time_t na, int high_bit, int ocsp, X509 **out,
                  struct acs_err *err)
{
	const char *cn = NULL;
	size_t i;
	X509 *cert;

	/* the first DNS name that fits a CN (64 characters) becomes the subject */
	for (i = 0; i < nids && cn == NULL; i++) {
		if (strcmp(ids[i].type, "dns") == 0 && strlen(ids[i].value) <= 64)
			cn = ids[i].value;
	}
	cert = make_cert(cn, pub, p->inter, p->inter_key, 0, nb, na, ids, nids, high_bit,
	                 ocsp ? 2 : 1);
	if (cert == NULL)
		return acs_err_openssl(err, "cannot issue the certificate");
	*out = cert;
	return 0;
}

char *acs_mca_new_key_pem(void)
{
	EVP_PKEY *k = gen_key();
	char *pem;

	if (k == NULL)
		return NULL;
	pem = key_pem(k);
	EVP_PKEY_free(k);
	return pem;
}
