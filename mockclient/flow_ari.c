/*
 * The flow's ACME Renewal Information (RFC 9773): whether a certificate
 * is due for renewal, as a conformant client decides it, and what its
 * newOrder then replaces. Shaped by the ari-* client switches.
 */
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/ari.h"
#include "harness/b64url.h"
#include "harness/clock.h"
#include "harness/http.h"
#include "mockclient/flow.h"

#define SW(s, m) ACS_SW_HAS((s)->client.sw, ACS_SW_##m)

/* How far ahead a cron-run client looks: its next normal wake-up (section 4.2, step 5). */
#define NEXT_WAKE (24L * 3600)

/* The validity of the leaf, in seconds since the epoch. */
static void validity(X509 *x, time_t *nb, time_t *na)
{
	struct tm tm;

	*nb = *na = 0;
	if (ASN1_TIME_to_tm(X509_get0_notBefore(x), &tm) == 1)
		*nb = timegm(&tm);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1)
		*na = timegm(&tm);
}

/* The client's own schedule when ARI gives no answer: renew in the last third. */
static int fallback_due(X509 *x, time_t now)
{
	time_t nb, na;

	validity(x, &nb, &na);
	return now >= na - (na - nb) / 3;
}

/* The certID as this client builds it (the switches build it wrong on purpose). */
static int client_certid(struct acs_acme_session *s, X509 *x, char *out, size_t outsz,
                         struct acs_err *err)
{
	if (SW(s, ARI_CERTID_WRONG_AKI)) {
		/* the leaf's own subjectKeyIdentifier where the issuer's key id belongs */
		const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(x);
		char right[ACS_ARI_CERTID_MAX], *k;
		int rc;

		if (ski == NULL)
			return acs_err_set(err, ACS_E_INVAL, "certID: no subject key identifier");
		rc = acs_ari_certid(x, 0, right, sizeof(right), err);
		if (rc != 0)
			return rc;
		k = acs_b64url_encode(ASN1_STRING_get0_data(ski), (size_t)ASN1_STRING_length(ski));
		if (k == NULL)
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		(void)snprintf(out, outsz, "%s%s", k, strchr(right, '.'));
		free(k);
		return 0;
	}
	return acs_ari_certid(x, SW(s, ARI_CERTID_STRIPPED_ZERO), out, outsz, err);
}

/*
 * One GET of renewalInfo/<certID>, with a capped exponential backoff on
 * 5xx (section 4.3.3: two retries, 1 s then 2 s). *out: the last answer
 * (acs_acme_resp_free), or NULL when none came.
 */
static int fetch(struct acs_acme_session *s, const char *url, struct acs_acme_resp **out,
                 struct acs_err *err)
{
	int tries, rc = 0;

	*out = NULL;
	for (tries = 0; tries < 3; tries++) {
		acs_acme_resp_free(*out);
		*out = NULL;
		rc = acs_flow_plain(s, "GET", url, out, err);
		if (rc != 0 || (*out)->http->status < 500)
			return rc;
		if (tries < 2 && acs_clock_mono() + (1 << tries) < s->client.deadline)
			acs_sleep_s((double)(1 << tries));
	}
	return rc;
}

/* Act on a 200 answer: 1 renew, 0 not yet, -1 no usable answer (fall back). */
static int decide(struct acs_acme_session *s, const struct acs_acme_resp *r, time_t now,
                  struct acs_flow_ari *p)
{
	const char *expl = json_string_value(json_object_get(r->json, "explanationURL"));
	struct acs_err werr;
	time_t st = 0, en = 0;
	int valid = acs_ari_window_check(r->json, &st, &en, &werr) == 0;

	if (!valid && !(SW(s, ARI_ACCEPT_INVALID_WINDOW) && st != 0)) {
		/* section 4.2: as though no response came */
		acs_flow_note(s, "renewalInfo unusable (%s): as no answer", werr.msg);
		return -1;
	}
	if (expl != NULL && !SW(s, ARI_NO_EXPLANATION))
		acs_flow_note(s, "renewal information explained at %s", expl);
	if (SW(s, ARI_IGNORE_WINDOW))
		return -1;
	/* section 4.2's algorithm: a random time in the window; renew when it comes before
	 * the next normal wake-up */
	if (en > st)
		st += (time_t)(rand() % (long)(en - st > 0x7fffffff ? 0x7fffffff : en - st));
	acs_flow_note(s, "suggested renewal at %ld (now %ld)", (long)st, (long)now);
	p->wake = (long long)st;
	/* a daemon wakes up again at its next check: due once the chosen time has come */
	return st <= now + (s->client.daemon ? 0 : NEXT_WAKE);
}

/* The leaf of a PEM text (new reference), or NULL. */
static X509 *read_leaf(const char *pem)
{
	BIO *b = pem != NULL ? BIO_new_mem_buf(pem, -1) : NULL;
	X509 *x = b != NULL ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;

	BIO_free(b);
	return x;
}

/* GET renewalInfo/<id> (three times in a row with ari-poll-tight). */
static int ask(struct acs_acme_session *s, const char *base, const char *id,
               struct acs_acme_resp **r, struct acs_err *err)
{
	size_t ul = strlen(base) + strlen(id) + 2;
	char *url = malloc(ul);
	int i, rc = 0;

	if (url == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	/* section 4.1: renewalInfo || '/' || certID */
	(void)snprintf(url, ul, "%s%s%s", base,
	               base[0] != '\0' && base[strlen(base) - 1] == '/' ? "" : "/", id);
	for (i = 0; i < (SW(s, ARI_POLL_TIGHT) ? 3 : 1) && rc == 0; i++) {
		acs_acme_resp_free(*r);
		*r = NULL;
		rc = SW(s, ARI_POST) ? acs_flow_plain(s, "POST", url, r, err)
		                     : fetch(s, url, r, err);
	}
	free(url);
	return rc;
}

int acs_flow_ari_plan(struct acs_acme_session *s, const char *cert_pem, struct acs_flow_ari *p,
                      struct acs_err *err)
{
	const char *base = acs_acme_dir_url(s, "renewalInfo");
	struct acs_acme_resp *r = NULL;
	time_t now = time(NULL), nb, na;
	X509 *x = read_leaf(cert_pem);
	int rc = 0, verdict = -1;

	memset(p, 0, sizeof(*p));
	p->retry_after_ms = -1;
	if (x == NULL)
		return acs_err_set(err, ACS_E_PARSE, "the certificate to renew does not parse");
	if (client_certid(s, x, p->certid, sizeof(p->certid), err) != 0)
		goto out;
	validity(x, &nb, &na);
	if (base != NULL || SW(s, ARI_REPLACES_UNADVERTISED))
		memcpy(p->replaces, p->certid, sizeof(p->replaces));
	if (base == NULL) {
		acs_flow_note(s, "the CA does not advertise renewalInfo");
	} else if (na <= now && !SW(s, ARI_CHECK_EXPIRED)) {
		/* section 4.3: never after expiry */
		acs_flow_note(s,
		              "the certificate has expired: renewing without asking renewalInfo");
	} else {
		rc = ask(s, base, p->certid, &r, err);
		if (rc != 0)
			goto out;
		p->retry_after_ms = acs_acme_retry_after_ms(r);
		if (r->http->status == 200)
			verdict = decide(s, r, now, p);
		else if (SW(s, ARI_FAIL_ON_ERROR))
			rc = acs_flow_fail_resp(s, err, "renewalInfo", r);
		else
			acs_flow_note(s, "renewalInfo answered %ld: renewing on the own schedule",
			              r->http->status);
	}
	p->asked = r != NULL;
	p->renew =
	    SW(s, ARI_RENEW_ALWAYS) || na <= now || (verdict >= 0 ? verdict : fallback_due(x, now));
	if (rc == 0)
		acs_flow_note(s, "renewal %s", p->renew ? "due" : "not due yet");
out:
	acs_acme_resp_free(r);
	X509_free(x);
	return rc;
}

int acs_flow_ari_recheck(struct acs_acme_session *s, const char *certid, struct acs_err *err)
{
	const char *base = acs_acme_dir_url(s, "renewalInfo");
	struct acs_acme_resp *r = NULL;
	int rc;

	if (base == NULL)
		return 0;
	rc = ask(s, base, certid, &r, err);
	acs_acme_resp_free(r);
	return rc;
}
