/*
 * X.509 helpers shared by the mock client (CSRs, checking issued chains,
 * tls-alpn-01 certificates) and the mock CA (issuing certificates).
 */
#ifndef ACMESPEC_X509_H
#define ACMESPEC_X509_H

#include <openssl/x509.h>
#include <stddef.h>
#include "harness/err.h"
#include "harness/jwk.h"

/* An ACME identifier: type "dns" or "ip", value as sent. */
struct acs_ident {
	char type[8];
	char value[256];
};

/*
 * Make a DER CSR signed by key for the identifiers (dNSName and iPAddress
 * SANs; with cn_first, the first DNS name is also the subject CN).
 * *der: new buffer (free()).
 */
int acs_csr_make(const struct acs_key *key, const struct acs_ident *ids, size_t nids, int cn_first,
                 unsigned char **der, size_t *der_len, struct acs_err *err);

/*
 * Parse a DER CSR, verify its self-signature, and extract the identifiers it
 * asks for (SAN dNSName / iPAddress, plus the subject CN as a dns
 * identifier when not already among them). *ids: new array (free()).
 * *pubkey: new reference to the CSR's key (acs_key_free), may be NULL.
 */
int acs_csr_parse(const unsigned char *der, size_t len, struct acs_ident **ids, size_t *nids,
                  struct acs_key **pubkey, struct acs_err *err);

/*
 * A parsed PEM certificate chain (RFC 8555 section 9.1).
 */
struct acs_chain {
	X509 **certs; /* owned */
	size_t n;
	int strict;        /* 1 when the text is only CERTIFICATE blocks and white space */
	char problem[256]; /* why it is not strict, or "" */
};

/*
 * Parse application/pem-certificate-chain text. Fails (ACS_E_PARSE) when no
 * certificate can be read; a non-strict but readable chain succeeds with
 * strict = 0 and problem set ("text before the first certificate",
 * "PRIVATE KEY block at line 40", ...). *out: free with acs_chain_free.
 */
int acs_chain_parse(const char *pem, size_t len, struct acs_chain **out, struct acs_err *err);
void acs_chain_free(struct acs_chain *chain);

/*
 * Verify that each certificate is signed by the next one and, when roots
 * (PEM file, may be NULL) is given, that the last one chains to a root in
 * it. Returns 0 or ACS_E_VERIFY with which link failed.
 */
int acs_chain_verify(const struct acs_chain *chain, const char *roots_file, struct acs_err *err);

/*
 * The common name of the issuer of the chain's last certificate (the root a
 * chain leads to when it stops below its root, as ACME chains do), into out
 * (NUL-terminated, cut to outlen). 0, or -1 when the chain is empty or that
 * issuer has no common name (out then "").
 */
int acs_chain_top_issuer_cn(const struct acs_chain *chain, char *out, size_t outlen);

/*
 * Identifiers named by a certificate (SAN dNSName and iPAddress, lower-cased
 * DNS names, IPs in text form). *ids: new array (free()).
 */
int acs_cert_idents(X509 *cert, struct acs_ident **ids, size_t *nids, struct acs_err *err);

/* 1 when both identifier lists are the same set (case-insensitive for dns). */
int acs_idents_equal_sets(const struct acs_ident *a, size_t na, const struct acs_ident *b,
                          size_t nb);

/* Parse "dns:example.com" / "ip:127.0.0.1" / bare name (dns). */
int acs_ident_parse(const char *s, struct acs_ident *out, struct acs_err *err);

/*
 * A self-signed tls-alpn-01 certificate (RFC 8737 section 3) for the
 * identifier (a dNSName SAN, or for "ip" an iPAddress SAN), with the
 * acmeIdentifier extension (OID 1.3.6.1.5.5.7.1.31) holding the DER OCTET
 * STRING of digest[32]. Variants for negative tests:
 *   critical = 0        the extension is not marked critical
 *   san_override        use this dNSName instead (mixed case, other name)
 *   extra_san           add a second dNSName
 *   digest == NULL      no acmeIdentifier extension at all
 * opts may be NULL (critical, no variant). EC P-256 key, valid 7 days.
 * *cert, *pkey: new references (X509_free / EVP_PKEY_free).
 */
struct acs_alpn_cert_opts {
	int critical;
	const char *san_override;
	const char *extra_san;
};
int acs_alpn_cert_make(const struct acs_ident *id, const unsigned char digest[32],
                       const struct acs_alpn_cert_opts *opts, X509 **cert, EVP_PKEY **pkey,
                       struct acs_err *err);

/*
 * A self-signed server certificate for TLS listeners (CN and SANs as given,
 * "127.0.0.1" and "::1" become iPAddress SANs). Returns PEM strings via
 * *cert_pem and *key_pem (free()).
 */
int acs_selfsigned_make(const char *const *names, size_t nnames, char **cert_pem, char **key_pem,
                        struct acs_err *err);

/*
 * A self-signed certificate made for ARI tests (RFC 9773 section 4.1):
 * its serial is the positive integer of the DER content octets serial
 * (a leading zero octet may precede a high-bit first octet) and its
 * Authority Key Identifier carries keyIdentifier aki. *out: new reference
 * (X509_free).
 */
int acs_x509_gen_ari_test(const unsigned char *serial, size_t serial_len, const unsigned char *aki,
                          size_t aki_len, X509 **out, struct acs_err *err);

#endif
