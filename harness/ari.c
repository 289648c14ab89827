/*
 * ARI certIDs and RenewalInfo objects (RFC 9773 sections 4.1 and 4.2).
 */
#include "harness/ari.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include "harness/b64url.h"
#include "harness/rfc3339.h"

int acs_ari_certid_raw(const unsigned char *aki, size_t aki_len, const unsigned char *serial,
                       size_t serial_len, char *out, size_t outsz, struct acs_err *err)
{
	char *a = NULL, *s = NULL;
	int rc = -1;

	if (aki == NULL || aki_len == 0 || serial == NULL || serial_len == 0)
		return acs_err_set(err, ACS_E_INVAL, "certID: empty key identifier or serial");
	if (aki_len > ACS_ARI_PART_MAX || serial_len > ACS_ARI_PART_MAX)
		return acs_err_set(err, ACS_E_INVAL, "certID: key identifier or serial too long");
	a = acs_b64url_encode(aki, aki_len);
	s = acs_b64url_encode(serial, serial_len);
	if (a == NULL || s == NULL) {
		acs_err_set(err, ACS_E_NOMEM, "certID: out of memory");
		goto out;
	}
	if (strlen(a) + 1 + strlen(s) + 1 > outsz) {
		acs_err_set(err, ACS_E_INVAL, "certID: output buffer too small");
		goto out;
	}
	memcpy(out, a, strlen(a));
	out[strlen(a)] = '.';
	memcpy(out + strlen(a) + 1, s, strlen(s) + 1);
	rc = 0;
out:
	free(a);
	free(s);
	return rc;
}

/*
 * The DER content octets of the serial into buf (ACS_ARI_PART_MAX): the
 * minimal two's-complement form of a positive integer, so a zero octet
 * precedes a first octet with its high bit set. Returns the length, or 0.
 */
static size_t serial_content(X509 *cert, unsigned char *buf)
{
	const ASN1_INTEGER *ai = X509_get0_serialNumber(cert);
	BIGNUM *bn = ai != NULL ? ASN1_INTEGER_to_BN(ai, NULL) : NULL;
	int n;
	size_t len = 0;

	if (bn == NULL || BN_is_negative(bn))
		goto out;
	n = BN_num_bytes(bn);
	if (n + 1 > ACS_ARI_PART_MAX)
		goto out;
	if (n == 0) {
		buf[0] = 0; /* the integer zero is one zero octet */
		len = 1;
		goto out;
	}
	if (BN_bn2bin(bn, buf + 1) != n)
		goto out;
	if (buf[1] & 0x80) {
		buf[0] = 0;
		len = (size_t)n + 1;
	} else {
		memmove(buf, buf + 1, (size_t)n);
		len = (size_t)n;
	}
out:
	BN_free(bn);
	return len;
}

int acs_ari_serial_high_bit(X509 *cert)
{
	unsigned char buf[ACS_ARI_PART_MAX];
	size_t n = serial_content(cert, buf);

	return n > 1 && buf[0] == 0 && (buf[1] & 0x80) != 0;
}

int acs_ari_certid(X509 *cert, int strip_zero, char *out, size_t outsz, struct acs_err *err)
{
	const ASN1_OCTET_STRING *kid = X509_get0_authority_key_id(cert);
	unsigned char buf[ACS_ARI_PART_MAX];
	size_t n = serial_content(cert, buf);
	const unsigned char *sp = buf;

	if (kid == NULL || ASN1_STRING_length(kid) <= 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "certID: the certificate has no authority key identifier");
	if (n == 0)
		return acs_err_set(err, ACS_E_INVAL, "certID: unusable serial number");
	if (strip_zero && n > 1 && buf[0] == 0) {
		sp++;
		n--;
	}
	return acs_ari_certid_raw(ASN1_STRING_get0_data(kid), (size_t)ASN1_STRING_length(kid), sp,
	                          n, out, outsz, err);
}

int acs_ari_certid_pem(const char *pem, int strip_zero, char *out, size_t outsz,
                       struct acs_err *err)
{
	BIO *b;
	X509 *x;
	int rc;

	if (pem == NULL)
		return acs_err_set(err, ACS_E_INVAL, "certID: no certificate");
	b = BIO_new_mem_buf(pem, -1);
	x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
	BIO_free(b);
	if (x == NULL)
		return acs_err_set(err, ACS_E_INVAL, "certID: no PEM certificate to read");
	rc = acs_ari_certid(x, strip_zero, out, outsz, err);
	X509_free(x);
	return rc;
}

/* Decode one part into dst (ACS_ARI_PART_MAX); 0 or -1 with err naming the part. */
static int decode_part(const char *p, size_t len, const char *what, unsigned char *dst,
                       size_t *dlen, struct acs_err *err)
{
	unsigned char *raw = NULL;
	size_t rl = 0;
	struct acs_err e2;

	if (len == 0 || !acs_b64url_valid(p, len))
		return acs_err_set(err, ACS_E_INVAL, "certID: the %s is not canonical base64url",
		                   what);
	if (acs_b64url_decode(p, len, &raw, &rl, &e2) != 0 || rl == 0 || rl > ACS_ARI_PART_MAX) {
		free(raw);
		return acs_err_set(err, ACS_E_INVAL, "certID: the %s has a bad length", what);
	}
	if (dst != NULL)
		memcpy(dst, raw, rl);
	if (dlen != NULL)
		*dlen = rl;
	free(raw);
	return 0;
}

int acs_ari_certid_parse(const char *id, unsigned char *aki, size_t *aki_len, unsigned char *serial,
                         size_t *serial_len, struct acs_err *err)
{
	unsigned char sbuf[ACS_ARI_PART_MAX];
	const char *dot;
	size_t sl = 0;

	if (id == NULL || strlen(id) > ACS_ARI_CERTID_MAX)
		return acs_err_set(err, ACS_E_INVAL, "certID: missing or too long");
	dot = strchr(id, '.');
	if (dot == NULL || strchr(dot + 1, '.') != NULL)
		return acs_err_set(err, ACS_E_INVAL, "certID: not two parts joined by one \".\"");
	if (decode_part(id, (size_t)(dot - id), "key identifier", aki, aki_len, err) != 0 ||
	    decode_part(dot + 1, strlen(dot + 1), "serial", sbuf, &sl, err) != 0)
		return -1;
	if (sbuf[0] & 0x80)
		return acs_err_set(err, ACS_E_INVAL,
		                   "certID: the serial is negative (high bit set "
		                   "without a leading zero octet)");
	if (sl > 1 && sbuf[0] == 0 && (sbuf[1] & 0x80) == 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "certID: the serial has a redundant leading zero octet");
	if (serial != NULL)
		memcpy(serial, sbuf, sl);
	if (serial_len != NULL)
		*serial_len = sl;
	return 0;
}

int acs_ari_window_check(const json_t *ri, time_t *start, time_t *end, struct acs_err *err)
{
	const json_t *w = json_object_get(ri, "suggestedWindow");
	const char *s = json_string_value(json_object_get(w, "start"));
	const char *e = json_string_value(json_object_get(w, "end"));
	time_t ts, te;

	if (!json_is_object(w))
		return acs_err_set(err, ACS_E_PARSE, "no suggestedWindow object");
	if (s == NULL || acs_rfc3339_parse(s, &ts) != 0)
		return acs_err_set(err, ACS_E_PARSE,
		                   "suggestedWindow.start is not an RFC 3339 timestamp");
	if (e == NULL || acs_rfc3339_parse(e, &te) != 0)
		return acs_err_set(err, ACS_E_PARSE,
		                   "suggestedWindow.end is not an RFC 3339 timestamp");
	if (start != NULL)
		*start = ts;
	if (end != NULL)
		*end = te;
	if (te <= ts)
		return acs_err_set(err, ACS_E_PARSE,
		                   "suggestedWindow.end (%s) does not follow its start (%s)", e, s);
	return 0;
}
