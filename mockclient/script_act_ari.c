/*
 * Server-script actions of ACME Renewal Information (RFC 9773;
 * docs/case-format.md, "Actions"): renewal-info (the unauthenticated GET of
 * a certificate's RenewalInfo, with its facts) and ari-issue (an issuance
 * repeated until the serial has the high bit set, so that the certID's
 * leading zero octet is exercised on purpose).
 */
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/ari.h"
#include "harness/b64url.h"
#include "harness/http.h"
#include "mockclient/script_act.h"

/* The leaf (first certificate) of a PEM chain, or NULL. New reference. */
static X509 *leaf_of(const char *pem)
{
	BIO *b = pem != NULL ? BIO_new_mem_buf(pem, -1) : NULL;
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

/*
 * The certID variant the step asks for, of order o's certificate, into id:
 * "ok", "stripped-zero" (the serial's zero octet dropped), "unknown" (the
 * right AKI with a serial the server never issued), "malformed" (no ".").
 */
static int certid_variant(struct acs_run *run, const struct acs_acme_order *o, const char *v,
                          char *id, size_t idsz)
{
	unsigned char serial[16];
	struct acs_err err;
	char *ser, *dot;

	if (strcmp(v, "malformed") == 0) {
		(void)snprintf(id, idsz, "%s", "AAAA-not-a-certID");
		return 0;
	}
	if (o->cert_pem == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
		                     "order \"%s\" has no downloaded certificate", o->name);
	if (acs_ari_certid_pem(o->cert_pem, strcmp(v, "stripped-zero") == 0, id, idsz, &err) != 0)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
	if (strcmp(v, "unknown") != 0)
		return 0;
	if (RAND_bytes(serial, sizeof(serial)) != 1)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "no randomness");
	serial[0] = (unsigned char)((serial[0] & 0x7F) | 0x01);
	ser = acs_b64url_encode(serial, sizeof(serial));
	dot = strchr(id, '.');
	if (ser == NULL || dot == NULL || (size_t)(dot - id) + 2 + strlen(ser) > idsz) {
		free(ser);
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "cannot build a certID");
	}
	memcpy(dot + 1, ser, strlen(ser) + 1);
	free(ser);
	return 0;
}

/* The facts of a RenewalInfo answer (docs/case-format.md, renewal-info). */
static void renewal_facts(struct acs_run *run, const struct acs_acme_resp *r,
                          const struct acs_acme_order *o)
{
	const char *ra = acs_http_header(r->http, "Retry-After");
	struct acs_err err;
	X509 *leaf = leaf_of(o != NULL ? o->cert_pem : NULL);
	int valid = acs_ari_window_check(r->json, NULL, NULL, &err) == 0;
	size_t i;
	int ra_ok = ra != NULL && ra[0] != '\0';

	json_object_set_new(run->facts, "window_valid", json_boolean(valid));
	json_object_set_new(run->facts, "window_problem",
	                    valid ? json_null() : json_string(err.msg));
	/* RFC 9110 section 10.2.3: delay-seconds (digits) or an HTTP-date */
	for (i = 0; ra_ok && ra[i] != '\0'; i++)
		if (ra[i] < '0' || ra[i] > '9')
			ra_ok = strchr(ra, ',') != NULL && strstr(ra, "GMT") != NULL;
	json_object_set_new(run->facts, "retry_after_valid", json_boolean(ra_ok));
	if (leaf != NULL)
		json_object_set_new(run->facts, "serial_high_bit",
		                    json_boolean(acs_ari_serial_high_bit(leaf)));
	X509_free(leaf);
}

int acs_act_renewal_info(struct acs_run *run)
{
	const char *base = acs_acme_dir_url(run->s, "renewalInfo");
	const char *variant = acs_arg_str(run, "certid", "ok");
	const struct acs_acme_order *o = NULL;
	char id[ACS_ARI_CERTID_MAX], *url = NULL;
	struct acs_acme_resp *r = NULL;
	struct acs_err err;
	size_t ul;

	acs_err_clear(&err);
	if (base == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, "renewalInfo",
		                     "the directory has no renewalInfo (RFC 9773 not served)");
	if (strcmp(variant, "malformed") != 0) {
		o = acs_sa_step_order(run);
		if (o == NULL)
			return -1;
	}
	if (certid_variant(run, o, variant, id, sizeof(id)) != 0)
		return -1;
	ul = strlen(base) + strlen(id) + 2;
	url = malloc(ul);
	if (url == NULL)
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
	/* section 4.1: url = renewalInfo || '/' || certID */
	(void)snprintf(url, ul, "%s%s%s", base, base[strlen(base) - 1] == '/' ? "" : "/", id);
	json_object_set_new(run->facts, "certid", json_string(id));
	if (acs_acme_plain(run->s, "GET", url, run->headers, run->mis, &r, &err) != 0) {
		free(url);
		return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", err.msg);
	}
	free(url);
	acs_step_set_resp(run, r);
	renewal_facts(run, r, o);
	if (r->http->status != 200)
		return acs_sa_fail_status(run, "GET renewalInfo", "200");
	return 0;
}

int acs_act_ari_issue(struct acs_run *run)
{
	long tries = acs_arg_int(run, "tries", 8), i;
	int want = acs_arg_bool(run, "serial_high_bit", 0);

	for (i = 0; i < (want ? tries : 1); i++) {
		const struct acs_acme_order *o;
		X509 *leaf;
		int high;

		if (acs_act_issue(run) != 0)
			return -1;
		o = acs_sa_step_order(run);
		leaf = leaf_of(o != NULL ? o->cert_pem : NULL);
		if (leaf == NULL)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
			                     "the downloaded certificate does not parse");
		high = acs_ari_serial_high_bit(leaf);
		X509_free(leaf);
		if (!want || high) {
			json_object_set_new(run->facts, "issuances",
			                    json_integer((json_int_t)i + 1));
			return 0;
		}
	}
	return acs_step_fail(run, ACS_STEP_HARNESS, "serial-high-bit",
	                     "no certificate with a high-bit serial (DER leading zero octet) "
	                     "in %ld issuances",
	                     tries);
}
