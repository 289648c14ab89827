/*
 * The mock CA's certificate hierarchy and issuance (ca.c): two roots, the
 * intermediates, the HTTPS certificate of the listeners, and leaves.
 */
#ifndef ACMESPEC_MOCKCA_CA_H
#define ACMESPEC_MOCKCA_CA_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>
#include "harness/err.h"
#include "harness/x509.h"

/* Every key, certificate and PEM string is owned by the structure. */
struct acs_mca_pki {
	EVP_PKEY *root_key;
	X509 *root;
	EVP_PKEY *inter_key; /* shared by both intermediates */
	X509 *inter;         /* signed by root */
	EVP_PKEY *alt_root_key;
	X509 *alt_root;
	X509 *alt_inter; /* same subject and key as inter, signed by alt_root */
	char *root_pem, *inter_pem, *alt_root_pem, *alt_inter_pem;
	char *https_cert_pem, *https_key_pem;
};

/*
 * Make both roots, the intermediates and the HTTPS certificate for the n
 * https_names (borrowed). *out: new PKI, freed with acs_mca_pki_free.
 */
int acs_mca_pki_make(struct acs_mca_pki **out, const char *const *https_names, size_t n,
                     struct acs_err *err);

/* Free a PKI and everything it holds (NULL allowed). */
void acs_mca_pki_free(struct acs_mca_pki *p);

/*
 * Issue a leaf for pub with the identifiers' SANs, valid [nb, na], signed by
 * the intermediate key. high_bit: 1 for a serial whose DER form starts with
 * a zero octet (its high bit set), 0 for one that does not. The leaf
 * carries a CRL distribution point (ocsp: an OCSP URL instead). *out: new
 * X509 (X509_free).
 */
int acs_mca_issue(const struct acs_mca_pki *p, EVP_PKEY *pub, const struct acs_ident *ids,
                  size_t nids, time_t nb, time_t na, int high_bit, int ocsp, X509 **out,
                  struct acs_err *err);

/* PEM text of a certificate; new string (free()), NULL on failure. */
char *acs_mca_x509_pem(X509 *x);

/* PEM of a fresh throw-away private key (chain-private-key); new string. */
char *acs_mca_new_key_pem(void);

#endif
