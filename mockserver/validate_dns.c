/*
 * dns-account-01 (draft-ietf-acme-dns-account-label) and dns-persist-01
 * (draft-ietf-acme-dns-persist) validation over real DNS queries to the
 * CA's configured server, as Pebble 2.10 does them (va/va.go). The lookup
 * itself is validate.c's (acs_mca_dns_txt).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "harness/dnsval.h"
#include "harness/jwk.h"
#include "mockserver/instance.h"
#include "mockserver/log.h"
#include "mockserver/store.h"
#include "mockserver/validate.h"
#include "mockserver/workers.h"

#define JOB_MB(job, m) ((job)->mb[(m)] != 0)

/* The issuer domain name of this CA (its meta.caaIdentities) and of the 11-name fault. */
#define MCA_ISSUER "acmespec.test"

json_t *acs_mca_persist_issuers(struct mca_scenario *s)
{
	json_t *a = json_array();
	int i;

	if (mca_mb(s, MB_PERSIST_NO_ISSUERS))
		return a;
	json_array_append_new(a, json_string(MCA_ISSUER));
	/* draft 3.1: "Servers MUST NOT send more than 10 issuer domain names" */
	for (i = 1; mca_mb(s, MB_PERSIST_MANY_ISSUERS) && i <= 10; i++) {
		char n[64];

		(void)snprintf(n, sizeof(n), "ca%d.%s", i, MCA_ISSUER);
		json_array_append_new(a, json_string(n));
	}
	return a;
}

/* Join the TXT values for a message: "a", "b" (at most 600 characters). */
static void join_vals(json_t *vals, struct acs_buf *out)
{
	size_t i;
	json_t *v;

	json_array_foreach(vals, i, v)
	{
		(void)acs_buf_printf(out, "%s\"%.200s\"", i > 0 ? ", " : "", json_string_value(v));
		if (out->len > 600)
			break;
	}
}

int acs_mca_validate_dnsacct(struct acs_mockca *ca, const struct mca_vjob *job, json_t *ent,
                             const char **errtype, struct acs_buf *detail)
{
	char label[ACS_DNSACCT_LABEL_MAX], qname[400];
	json_t *vals = json_array();
	struct acs_buf seen;
	char *want = acs_keyauth_digest_b64(job->keyauth);
	size_t i;
	int rcode = 0, rc = -1;
	json_t *v;

	acs_buf_init(&seen, 4096);
	*errtype = "dns";
	/* draft: "_" || base32(SHA-256(<ACCOUNT_URL>)[0:10]) || "._acme-challenge" */
	if (want == NULL || vals == NULL ||
	    acs_dnsacct_label(job->acct_url, JOB_MB(job, MB_DNSACCT_FULL_HASH) ? 32 : 10, label) !=
	        0) {
		acs_mca_detailf(detail, "cannot compute the dns-account-01 label");
		goto out;
	}
	(void)snprintf(qname, sizeof(qname), "_%s._acme-challenge.%s", label, job->ident.value);
	if (acs_mca_dns_txt(ca, job, qname, ent, vals, &rcode, detail) != 0)
		goto out;
	json_array_foreach(vals, i, v)
	{
		if (strcmp(json_string_value(v), want) == 0 || JOB_MB(job, MB_DNSACCT_ANY_TXT)) {
			rc = 0;
			goto out;
		}
	}
	*errtype = "incorrectResponse";
	join_vals(vals, &seen);
	if (json_array_size(vals) == 0)
		acs_mca_detailf(detail,
		                "no TXT record at %s (rcode %d) for account %s, expected \"%s\"",
		                qname, rcode, job->acct_url, want);
	else
		acs_mca_detailf(detail, "TXT records at %s are %s, none is \"%s\"", qname,
		                seen.data != NULL ? seen.data : "", want);
	acs_mca_check_ent(ent, CK_DNSACCT_TXT, "%s", detail->data);
out:
	free(want);
	json_decref(vals);
	acs_buf_free(&seen);
	return rc;
}

/*
 * Why one record does not authorize the job (a static string), or NULL
 * when it does. *ours: the record names one of this CA's issuers.
 */
static const char *persist_refusal(const struct mca_vjob *job, const char *txt, int *ours,
                                   int *syntax)
{
	struct acs_persist_rec rec;
	const char *why = NULL;
	int issuer_ok;

	*ours = 0;
	*syntax = 0;
	if (acs_persist_parse(txt, &rec) != 0) {
		*syntax = 1;
		return "not an issue-value (RFC 8659 section 4)";
	}
	/* draft 4: issuer names compared as normalised: lower case, no trailing dot */
	issuer_ok = strcmp(rec.issuer, MCA_ISSUER) == 0;
	if (!issuer_ok && !JOB_MB(job, MB_PERSIST_ISSUER_UNCHECKED)) {
		why = "its issuer-domain-name is not one of the challenge's issuer-domain-names";
		goto out;
	}
	*ours = 1;
	if (rec.accounturi == NULL) {
		if (!JOB_MB(job, MB_PERSIST_ACCOUNTURI_OPTIONAL)) {
			*syntax = 1;
			why = "it has no accounturi parameter";
		}
	} else if (strcmp(rec.accounturi, job->acct_url) != 0 &&
	           !JOB_MB(job, MB_PERSIST_ACCOUNT_UNCHECKED)) {
		why = "its accounturi is not the URL of the account that asked";
	} else if (rec.unknown > 0 && JOB_MB(job, MB_PERSIST_UNKNOWN_REFUSED)) {
		*syntax = 1;
		why = "it carries a parameter this CA does not know";
	} else if (rec.bad_until) {
		*syntax = 1;
		why = "its persistUntil is not a base-10 integer";
	} else if (job->wildcard &&
	           (rec.policy == NULL || (JOB_MB(job, MB_PERSIST_POLICY_CASE)
	                                       ? strcmp(rec.policy, "wildcard")
	                                       : strcasecmp(rec.policy, "wildcard")) != 0) &&
	           !(rec.policy != NULL && JOB_MB(job, MB_PERSIST_POLICY_ANY)) &&
	           !JOB_MB(job, MB_PERSIST_POLICY_UNCHECKED)) {
		why = "the authorization is for a wildcard and the record has no policy=wildcard";
	} else if (rec.has_until && (long long)time(NULL) > rec.until &&
	           !JOB_MB(job, MB_PERSIST_UNTIL_UNCHECKED)) {
		why = "its persistUntil is in the past";
	}
out:
	acs_persist_free(&rec);
	return why;
}

int acs_mca_validate_persist(struct acs_mockca *ca, const struct mca_vjob *job, json_t *ent,
                             const char **errtype, struct acs_buf *detail)
{
	char qname[400];
	json_t *vals = json_array();
	struct acs_buf seen;
	const char *why = NULL;
	size_t i;
	int rcode = 0, rc = -1, any_ours = 0, syntax = 0;
	json_t *v;

	acs_buf_init(&seen, 4096);
	*errtype = "dns";
	if (vals == NULL || job->acct_url == NULL) {
		acs_mca_detailf(detail, "out of memory");
		goto out;
	}
	(void)snprintf(qname, sizeof(qname), "%s.%s",
	               JOB_MB(job, MB_PERSIST_WRONG_NAME) ? "_acme-challenge"
	                                                  : "_validation-persist",
	               job->ident.value);
	if (acs_mca_dns_txt(ca, job, qname, ent, vals, &rcode, detail) != 0)
		goto out;
	json_array_foreach(vals, i, v)
	{
		int ours = 0, syn = 0;
		const char *w = persist_refusal(job, json_string_value(v), &ours, &syn);

		if (w == NULL) {
			rc = 0;
			goto out;
		}
		/* the reason of a record meant for this CA wins over one for another CA */
		if (ours || why == NULL) {
			why = w;
			syntax = syn;
		}
		any_ours |= ours;
	}
	/* as Pebble: a record for this CA that does not parse is malformed, else unauthorized */
	*errtype = JOB_MB(job, MB_PERSIST_INCORRECT_RESPONSE) ? "incorrectResponse"
	           : syntax && any_ours                       ? "malformed"
	                                                      : "unauthorized";
	join_vals(vals, &seen);
	if (json_array_size(vals) == 0)
		acs_mca_detailf(detail, "no TXT record at %s (rcode %d)", qname, rcode);
	else
		acs_mca_detailf(
		    detail, "no TXT record at %s authorizes account %s: %s (records: %s)", qname,
		    job->acct_url, why != NULL ? why : "?", seen.data != NULL ? seen.data : "");
	acs_mca_check_ent(ent, CK_PERSIST_RECORD, "%s", detail->data);
out:
	json_decref(vals);
	acs_buf_free(&seen);
	return rc;
}
