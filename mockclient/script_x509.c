/*
 * CSR variants the shared x509 helpers do not make: a CSR naming its
 * identifier only in the subject CN, as pre-RFC clients did (RFC 8555 7.4
 * wants the names in the SAN extension), and one asking for OCSP
 * Must-Staple, which Let's Encrypt refuses since May 2025; with the facts
 * of a leaf that profiles change (validity, OCSP URL, CRL distribution point).
 */
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
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

/* The SAN extension value "DNS:a,IP:b" of ids (config syntax). */
static int san_conf(const struct acs_ident *ids, size_t n, char *out, size_t outlen)
{
	size_t i, used = 0;
	int w;

	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(out + used, outlen - used, "%s%s:%s", i ? "," : "",
		             strcmp(ids[i].type, "ip") == 0 ? "IP" : "DNS", ids[i].value);
		if (w < 0 || (size_t)w >= outlen - used)
			return -1;
		used += (size_t)w;
	}
	return 0;
}

int acs_csr_make_must_staple(const struct acs_key *key, const struct acs_ident *ids, size_t n,
                             unsigned char **der, size_t *der_len, struct acs_err *err)
{
	EVP_PKEY *pk = acs_key_evp(key);
	X509_REQ *req = NULL;
	STACK_OF(X509_EXTENSION) *exts = NULL;
	X509_EXTENSION *san = NULL, *tlsf = NULL;
	const EVP_MD *md = NULL;
	unsigned char *out = NULL;
	char conf[4096];
	int len, rc = ACS_E_CRYPTO;

	if (pk == NULL || n == 0 || san_conf(ids, n, conf, sizeof(conf)) != 0)
		return acs_err_set(err, ACS_E_INVAL, "must-staple CSR: no key or names");
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_ED25519)
		md = EVP_sha256();
	req = X509_REQ_new();
	exts = sk_X509_EXTENSION_new_null();
	san = X509V3_EXT_conf_nid(NULL, NULL, NID_subject_alt_name, conf);
	/* RFC 7633 TLS Feature status_request: OCSP Must-Staple */
	tlsf = X509V3_EXT_conf_nid(NULL, NULL, NID_tlsfeature, "status_request");
	if (req == NULL || exts == NULL || san == NULL || tlsf == NULL ||
	    sk_X509_EXTENSION_push(exts, san) <= 0) {
		rc = acs_err_openssl(err, "cannot make a must-staple CSR");
		goto out;
	}
	san = NULL;
	if (sk_X509_EXTENSION_push(exts, tlsf) <= 0) {
		rc = acs_err_openssl(err, "cannot make a must-staple CSR");
		goto out;
	}
	tlsf = NULL;
	if (X509_REQ_set_version(req, 0) != 1 || X509_REQ_add_extensions(req, exts) != 1 ||
	    X509_REQ_set_pubkey(req, pk) != 1 || X509_REQ_sign(req, pk, md) <= 0) {
		rc = acs_err_openssl(err, "cannot sign a must-staple CSR");
		goto out;
	}
	len = i2d_X509_REQ(req, &out);
	*der = len > 0 ? malloc((size_t)len) : NULL;
	if (*der == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "cannot encode a must-staple CSR");
		goto out;
	}
	memcpy(*der, out, (size_t)len);
	*der_len = (size_t)len;
	rc = 0;
out:
	OPENSSL_free(out);
	X509_EXTENSION_free(san);
	X509_EXTENSION_free(tlsf);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return rc;
}

/* Hours between notBefore and notAfter; -1 when unreadable. */
static long validity_hours(X509 *leaf)
{
	int days = 0, secs = 0;

	if (ASN1_TIME_diff(&days, &secs, X509_get0_notBefore(leaf), X509_get0_notAfter(leaf)) != 1)
		return -1;
	return ((long)days * 86400 + secs) / 3600;
}

void acs_leaf_profile_facts(X509 *leaf, json_t *facts)
{
	AUTHORITY_INFO_ACCESS *aia;
	CRL_DIST_POINTS *dps;
	int ocsp = 0, i;

	if (leaf == NULL)
		return;
	json_object_set_new(facts, "validity_hours", json_integer(validity_hours(leaf)));
	aia = X509_get_ext_d2i(leaf, NID_info_access, NULL, NULL);
	for (i = 0; aia != NULL && i < sk_ACCESS_DESCRIPTION_num(aia); i++)
		ocsp |= OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia, i)->method) == NID_ad_OCSP;
	AUTHORITY_INFO_ACCESS_free(aia);
	dps = X509_get_ext_d2i(leaf, NID_crl_distribution_points, NULL, NULL);
	json_object_set_new(facts, "ocsp_url", json_boolean(ocsp));
	json_object_set_new(facts, "crl_dp",
	                    json_boolean(dps != NULL && sk_DIST_POINT_num(dps) > 0));
	CRL_DIST_POINTS_free(dps);
}
