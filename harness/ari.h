/*
 * ACME Renewal Information (RFC 9773): the certificate identifier of
 * section 4.1 (certID), its strict parsing, and the check of a
 * RenewalInfo object (section 4.2).
 *
 * A certID is base64url(AKI keyIdentifier) "." base64url(DER serial
 * INTEGER content octets), both without padding. The serial's content
 * octets are its DER two's-complement form: a serial whose first octet has
 * the high bit set keeps the leading zero octet (RFC 9773's example
 * 00:87:65:43:21 gives "AIdlQyE").
 */
#ifndef ACMESPEC_ARI_H
#define ACMESPEC_ARI_H

#include <jansson.h>
#include <openssl/x509.h>
#include <stddef.h>
#include <time.h>
#include "harness/err.h"

#define ACS_ARI_CERTID_MAX 200 /* AKI up to 64 octets, serial up to 40 (with margin) */
#define ACS_ARI_PART_MAX   64  /* decoded octets of either part */

/*
 * The certID of the raw parts (aki: keyIdentifier octets; serial: the DER
 * INTEGER content octets, as they are) into out (outsz bytes, NUL
 * terminated). 0, or a negative ACS_E_* code with err set (empty part, too long).
 */
int acs_ari_certid_raw(const unsigned char *aki, size_t aki_len, const unsigned char *serial,
                       size_t serial_len, char *out, size_t outsz, struct acs_err *err);

/*
 * The certID of cert (borrowed). strip_zero: a deliberately wrong variant
 * that drops the leading zero octet of a high-bit serial (the bug of
 * several clients), for negative controls. a negative code with err set when the
 * certificate has no AKI keyIdentifier.
 */
int acs_ari_certid(X509 *cert, int strip_zero, char *out, size_t outsz, struct acs_err *err);

/* acs_ari_certid of the first certificate of a PEM text (borrowed). */
int acs_ari_certid_pem(const char *pem, int strip_zero, char *out, size_t outsz,
                       struct acs_err *err);

/* 1 when the certificate's DER serial content starts with a zero octet (high bit set). */
int acs_ari_serial_high_bit(X509 *cert);

/*
 * Parse a certID strictly: two non-empty canonical unpadded base64url parts
 * joined by one "."; the serial must be a minimal positive DER INTEGER
 * content (no redundant leading zero, no negative value). The decoded parts
 * go to aki / serial (ACS_ARI_PART_MAX octets each) with their lengths;
 * any output may be NULL. 0, or a negative ACS_E_* code with err set saying what is malformed.
 */
int acs_ari_certid_parse(const char *id, unsigned char *aki, size_t *aki_len, unsigned char *serial,
                         size_t *serial_len, struct acs_err *err);

/*
 * Check a RenewalInfo object (section 4.2): suggestedWindow with RFC 3339
 * start and end, start strictly before end (section 4.2: "A RenewalInfo
 * object in which the end timestamp equals or precedes the start timestamp
 * is invalid"). start/end receive the times (may be NULL). 0 when valid,
 * else a negative code with err saying why.
 */
int acs_ari_window_check(const json_t *ri, time_t *start, time_t *end, struct acs_err *err);

#endif
