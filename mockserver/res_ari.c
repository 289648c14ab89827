/*
 * ACME Renewal Information (RFC 9773): the renewalInfo resource (section
 * 4), the certIDs of the scenario's certificates, and "replaces" on
 * newOrder (section 5), with the request checks on clients.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/ari.h"
#include "harness/rfc3339.h"
#include "mockserver/req.h"
#include "mockserver/res_ari.h"
#include "mockserver/store.h"
#include "mockserver/verify.h"

#define DAY 86400L

/* The certID of c as this CA computes it (ari-certid-stripped-zero: wrongly). */
static int ca_certid(struct mca_scenario *s, const struct mca_cert *c, char *out, size_t outsz)
{
	struct acs_err err;

	return acs_ari_certid(c->leaf, mca_mb(s, MB_ARI_CERTID_STRIPPED), out, outsz, &err);
}

/* The certificate the CA finds for id (with its own certIDs), or NULL. */
static struct mca_cert *cert_by_certid(struct mca_scenario *s, const char *id, int right)
{
	char cid[ACS_ARI_CERTID_MAX];
	struct acs_err err;
	size_t i;

	for (i = 0; i < s->ncerts; i++) {
		int rc = right ? acs_ari_certid(s->certs[i]->leaf, 0, cid, sizeof(cid), &err)
		               : ca_certid(s, s->certs[i], cid, sizeof(cid));

		if (rc == 0 && strcmp(cid, id) == 0)
			return s->certs[i];
	}
	return NULL;
}

/* CK_ARI_CERTID: id is not the (right) certID of any certificate issued here. */
static void check_certid(struct mca_req *r, const char *id, const char *where)
{
	if (cert_by_certid(r->scn, id, 1) == NULL)
		acs_mca_check(
		    r, CK_ARI_CERTID,
		    "%s \"%.120s\" is not the certID of any certificate this CA issued in "
		    "the scenario (leading zero of the serial stripped? wrong AKI?)",
		    where, id);
}

/* The certificate a later order replaced and whose replacement the client downloaded. */
static int replaced_and_received(struct mca_scenario *s, const struct mca_cert *c)
{
	size_t i;

	for (i = 0; i < s->norders; i++) {
		const struct mca_order *o = s->orders[i];
		const struct mca_cert *nc = o->cert != 0 ? acs_mca_cert(s, o->cert) : NULL;

		if (o->replaces_cert == c->id && nc != NULL && nc->downloaded)
			return 1;
	}
	return 0;
}

int acs_mca_ari_issued_window(const char *arg, long *start, long *len)
{
	char *end;
	long a, b;

	if (arg == NULL || strncmp(arg, "issued:", 7) != 0)
		return -1;
	a = strtol(arg + 7, &end, 10);
	if (end == arg + 7 || *end != ':' || a < 0 || a > DAY)
		return -1;
	arg = end + 1;
	b = strtol(arg, &end, 10);
	if (end == arg || *end != '\0' || b < 1 || b > DAY)
		return -1;
	if (start != NULL)
		*start = a;
	if (len != NULL)
		*len = b;
	return 0;
}

/*
 * The suggested window of c (section 4.2). Baseline as Pebble: a two-day
 * window around the point two thirds into the validity, kept inside it.
 */
static void window_of(struct mca_scenario *s, const struct mca_cert *c, time_t now, time_t *start,
                      time_t *end)
{
	const char *w = s->mb[MB_ARI_WINDOW].arg;
	struct tm tm;
	time_t nb = 0, na = 0, ideal;

	if (ASN1_TIME_to_tm(X509_get0_notBefore(c->leaf), &tm) == 1)
		nb = timegm(&tm);
	if (ASN1_TIME_to_tm(X509_get0_notAfter(c->leaf), &tm) == 1)
		na = timegm(&tm);
	ideal = na - (na - nb) / 3;
	*start = ideal - DAY > nb ? ideal - DAY : nb;
	*end = ideal + DAY < na ? ideal + DAY : na;
	if (*end <= *start)
		*start = *end - 1;
	if (mca_mb(s, MB_ARI_WINDOW)) {
		if (strcmp(w, "past") == 0) {
			*start = now - 2 * DAY;
			*end = now - DAY;
		} else if (strcmp(w, "now") == 0) {
			*start = now - 3600;
			*end = now + 3600;
		} else if (strncmp(w, "issued:", 7) == 0) {
			long a = 0, len = 1;

			/* anchored at the issuance: a daemon that keeps checking renews inside */
			(void)acs_mca_ari_issued_window(w, &a, &len);
			*start = c->issued_at + a;
			*end = *start + len;
		} else {
			*start = now + 30 * DAY;
			*end = now + 31 * DAY;
		}
	}
	if (mca_mb(s, MB_ARI_WINDOW_INVERTED)) {
		/* both in the past, end first: a client that reads only start renews at once */
		*start = now - 3600;
		*end = now - 7200;
	}
}

/* The RenewalInfo answer for c: window, Retry-After, explanationURL. */
static void answer_window(struct mca_req *r, const struct mca_cert *c)
{
	struct mca_scenario *s = r->scn;
	time_t now = time(NULL), st, en;
	char a[32], b[32];
	json_t *body;

	if (c != NULL)
		window_of(s, c, now, &st, &en);
	else {
		st = now + 30 * DAY; /* ari-unknown-200: a window for nothing */
		en = now + 31 * DAY;
	}
	acs_rfc3339_format(st, a);
	acs_rfc3339_format(en, b);
	/* for the timing predicates (renewed-in-window) */
	json_object_set_new(r->logent, "ari_window",
	                    json_pack("{s:I,s:I}", "start", (json_int_t)st, "end", (json_int_t)en));
	body = json_pack("{s:{s:s,s:s}}", "suggestedWindow", "start", a, "end", b);
	if (mca_mb(s, MB_ARI_EXPLANATION))
		json_object_set_new(body, "explanationURL",
		                    json_string(mca_mb(s, MB_ARI_EXPLANATION_RELATIVE)
		                                    ? "/docs/ari-explanation"
		                                    : "https://acmespec.test/ari-explanation"));
	if (!mca_mb(s, MB_ARI_NO_RETRY_AFTER))
		(void)acs_mca_add_header(&r->resp, "Retry-After", "%ld",
		                         mca_mb(s, MB_ARI_RETRY_AFTER) ? s->mb[MB_ARI_RETRY_AFTER].n
		                                                       : 21600L);
	acs_mca_resp_json(r, 200, body);
	r->resp.ctype = "application/json";
	json_decref(body);
}

void acs_mca_do_renewal_info(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	const char *id = r->path + strlen(MCA_RENEWAL_INFO_PATH "/");
	struct mca_cert *c, *right;
	struct acs_err err;

	r->resp.no_index = 1;
	json_object_set_new(r->logent, "certid", json_string(id));
	if (acs_ari_certid_parse(id, NULL, NULL, NULL, NULL, &err) != 0) {
		check_certid(r, id, "renewalInfo path");
		acs_mca_problem(r, mca_mb(s, MB_ARI_MALFORMED_404) ? 404 : 400, "malformed", "%s",
		                err.msg);
		return;
	}
	check_certid(r, id, "renewalInfo path");
	right = cert_by_certid(s, id, 1);
	if (right != NULL) {
		struct tm tm;

		if (ASN1_TIME_to_tm(X509_get0_notAfter(right->leaf), &tm) == 1 &&
		    timegm(&tm) < time(NULL))
			acs_mca_check(r, CK_ARI_NOT_EXPIRED,
			              "renewalInfo of a certificate that has expired");
		if (replaced_and_received(s, right))
			acs_mca_check(r, CK_ARI_NOT_REPLACED,
			              "renewalInfo of a certificate the client already replaced");
	}
	if (mca_mb(s, MB_ARI_STATUS)) {
		int code = atoi(s->mb[MB_ARI_STATUS].arg);

		acs_mca_problem(r, (unsigned int)code, code >= 500 ? "serverInternal" : "malformed",
		                "renewalInfo unavailable (ari-status)");
		return;
	}
	c = cert_by_certid(s, id, 0);
	if (c == NULL && !mca_mb(s, MB_ARI_UNKNOWN_200)) {
		acs_mca_problem(r, 404, "malformed", "no certificate with certID %.120s", id);
		return;
	}
	json_object_set_new(r->logent, "ari_cert", json_integer(c != NULL ? c->id : 0));
	answer_window(r, c);
}

/* 1 when the certificate names one of the identifiers (type and value). */
static int shares_identifier(const struct mca_cert *c, const struct acs_ident *list, size_t n)
{
	struct acs_ident *ids = NULL;
	size_t ni = 0, i, k;
	struct acs_err err;
	int found = 0;

	if (acs_cert_idents(c->leaf, &ids, &ni, &err) != 0)
		return 0;
	for (i = 0; i < ni && !found; i++)
		for (k = 0; k < n && !found; k++)
			found = strcmp(ids[i].type, list[k].type) == 0 &&
			        strcmp(ids[i].value, list[k].value) == 0;
	free(ids);
	return found;
}

/* Another order, not invalid, already replaces c. */
static int already_replaced(struct mca_scenario *s, const struct mca_cert *c)
{
	size_t i;

	for (i = 0; i < s->norders; i++)
		if (s->orders[i]->replaces_cert == c->id && s->orders[i]->status != ST_INVALID)
			return 1;
	return 0;
}

int acs_mca_replaces_check(struct mca_req *r, struct mca_post *p, const struct acs_ident *list,
                           size_t n, struct mca_order *o)
{
	struct mca_scenario *s = r->scn;
	const json_t *v = json_object_get(p->payload, "replaces");
	const char *id = json_string_value(v);
	struct mca_cert *c;
	struct acs_err err;

	if (v == NULL)
		return 0;
	json_object_set_new(r->logent, "replaces", json_deep_copy(v));
	if (mca_mb(s, MB_NO_RENEWAL_INFO)) {
		/* a CA without ARI ignores the field it does not know (RFC 8555 section 7.1) */
		acs_mca_check(r, CK_ARI_REPLACES_ADVERTISED,
		              "newOrder carries replaces but the directory has no renewalInfo");
		return 0;
	}
	if (id != NULL && mca_mb(s, MB_ARI_REPLACES_UNKNOWN_OK) &&
	    cert_by_certid(s, id, 0) == NULL) {
		/* the switch: no check that the certID means anything */
		o->replaces = strdup(id);
		o->replaces_cert = 0;
		return 0;
	}
	if (id == NULL || acs_ari_certid_parse(id, NULL, NULL, NULL, NULL, &err) != 0) {
		if (id != NULL)
			check_certid(r, id, "replaces");
		acs_mca_problem(r, 400, "malformed", "replaces: %s",
		                id == NULL ? "not a string" : err.msg);
		return -1;
	}
	check_certid(r, id, "replaces");
	c = cert_by_certid(s, id, 0);
	if (c == NULL) {
		acs_mca_problem(r, 400, "malformed",
		                "replaces: no certificate with certID %.120s was issued here", id);
		return -1;
	}
	if (mca_mb(s, MB_ARI_ALREADY_REPLACED) ||
	    (already_replaced(s, c) && !mca_mb(s, MB_ARI_REPLACE_TWICE_OK))) {
		acs_mca_problem(r, 409, "alreadyReplaced",
		                "the certificate %.120s has already been replaced by another order",
		                id);
		return -1;
	}
	if (!mca_mb(s, MB_ARI_REPLACES_UNCHECKED)) {
		if (c->acct != p->acct->id) {
			acs_mca_problem(r, 403, "unauthorized",
			                "replaces: the certificate belongs to another account");
			return -1;
		}
		if (!shares_identifier(c, list, n)) {
			acs_mca_problem(
			    r, 400, "malformed",
			    "replaces: the certificate shares no identifier with the order");
			return -1;
		}
	}
	o->replaces = strdup(id);
	o->replaces_cert = c->id;
	return 0;
}
