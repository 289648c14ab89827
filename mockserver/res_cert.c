/*
 * Certificates (sections 7.4.2 and 7.6): the PEM chain or a DER leaf with
 * Link rel="alternate" and rel="up", and revocation with the RFC's two ways
 * of proving the right to revoke.
 */
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/b64url.h"
#include "mockserver/req.h"
#include "mockserver/ca.h"
#include "mockserver/instance.h"
#include "mockserver/res_cert.h"
#include "mockserver/store.h"
#include "mockserver/verify.h"

/* hay contains needle, ignoring ASCII case. */
static int contains_ci(const char *hay, const char *needle)
{
	size_t nl = strlen(needle);

	for (; *hay != '\0'; hay++) {
		if (strncasecmp(hay, needle, nl) == 0)
			return 1;
	}
	return 0;
}

/* The client asks for application/pkix-cert (DER) and not for the PEM chain. */
static int wants_der(struct mca_req *r)
{
	const char *acc = acs_mca_req_header(r, "Accept");

	return acc != NULL && contains_ci(acc, "application/pkix-cert") &&
	       !contains_ci(acc, "application/pem-certificate-chain");
}

void acs_mca_do_cert(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_cert *c = acs_mca_cert(s, r->obj_id);
	int single = 0;
	char *u;

	if (c == NULL || r->alt > 1) {
		acs_mca_problem(r, 404, "malformed", "no such certificate");
		return;
	}
	if (acs_mca_want_owner(r, p, c->acct) != 0 || acs_mca_want_post_as_get(r, p) != 0)
		return;
	r->resp.status = 200;
	c->downloaded = 1;
	if (wants_der(r) || mca_mb(s, MB_CERT_DER)) {
		/* section 7.4.2: a single-certificate format; the issuer is linked with rel="up" */
		X509 *x = r->alt && c->alt_leaf != NULL ? c->alt_leaf : c->leaf;
		unsigned char *der = NULL;
		int dl = i2d_X509(x, &der);

		if (dl <= 0) {
			acs_mca_problem(r, 500, "serverInternal", "cannot encode the certificate");
			return;
		}
		single = 1;
		r->resp.ctype = "application/pkix-cert";
		(void)acs_buf_append(&r->resp.body, der, (size_t)dl);
		OPENSSL_free(der);
	} else {
		r->resp.ctype = mca_mb(s, MB_CERT_WRONG_CT) ? "application/x-pem-file"
		                                            : "application/pem-certificate-chain";
		(void)acs_buf_puts(&r->resp.body, r->alt ? c->alt_chain : c->chain);
		if (mca_mb(s, MB_HOSTILE_CHAIN_HUGE)) {
			int k;

			/* thousands of certificates, within the 4 MiB response buffer */
			for (k = 0; k < 3000; k++)
				(void)acs_buf_puts(&r->resp.body, r->ca->pki->inter_pem);
		}
	}
	if (!mca_mb(s, MB_NO_ALTERNATE)) {
		u = acs_mca_obj_url(r, "/cert/", c->id, c->rid, r->alt ? "" : "/alt");
		if (u != NULL)
			(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"alternate\"", u);
		free(u);
	}
	/*
	 * Section 7.4.2 asks for rel="up" "for formats that can only express a
	 * single certificate"; the PEM chain already carries the issuer, and
	 * neither Pebble nor Boulder links one there. A client that follows an
	 * "up" on the PEM chain fetches the intermediate again, and acmez
	 * (Caddy) then asks renewalInfo for it (a certID of the intermediate)
	 * and retries that 404 for 7 s before storing the certificate.
	 */
	if (!single)
		return;
	u = acs_mca_urlf(r, "/issuer/%d", r->alt);
	if (u != NULL && !mca_mb(s, MB_NO_UP_LINK))
		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"up\"", u);
	free(u);
}

/* Does acct hold valid, unexpired authorizations for every name of the certificate? */
static int authorized_for(struct mca_scenario *s, const struct mca_account *acct, X509 *leaf)
{
	struct acs_ident *ids = NULL;
	struct acs_err err;
	time_t now = time(NULL);
	size_t n = 0, i, j;
	int ok = 1;

	if (acs_cert_idents(leaf, &ids, &n, &err) != 0 || n == 0) {
		free(ids);
		return 0;
	}
	for (i = 0; i < n && ok; i++) {
		const char *v = ids[i].value;
		int wild = strncmp(v, "*.", 2) == 0, found = 0;

		for (j = 0; j < s->nauthzs && !found; j++) {
			const struct mca_authz *az = s->authzs[j];

			found = az->acct == acct->id && az->status == ST_VALID &&
			        az->expires > now && az->wildcard == wild &&
			        strcmp(az->ident.type, ids[i].type) == 0 &&
			        strcmp(az->ident.value, wild ? v + 2 : v) == 0;
		}
		ok = found;
	}
	free(ids);
	return ok;
}

void acs_mca_do_revoke(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_cert *c = NULL;
	struct acs_key *ck = NULL;
	struct acs_err err;
	unsigned char *der = NULL;
	const unsigned char *dp;
	size_t derlen = 0, i;
	const char *b64;
	json_t *reason;
	X509 *x = NULL;
	long rc = 0;

	acs_err_clear(&err);
	if (acs_mca_want_object(r, p) != 0)
		return;
	b64 = json_string_value(json_object_get(p->payload, "certificate"));
	if (b64 == NULL) {
		acs_mca_problem(r, 400, "malformed", "revocation needs a certificate");
		return;
	}
	if (strchr(b64, '=') != NULL)
		acs_mca_check(r, CK_B64_NO_PADDING, "certificate is base64url with '=' padding");
	if (acs_b64url_decode(b64, strlen(b64), &der, &derlen, &err) != 0) {
		acs_mca_problem(r, 400, "malformed", "certificate: %s", err.msg);
		goto out;
	}
	dp = der;
	x = d2i_X509(NULL, &dp, (long)derlen);
	if (x == NULL) {
		acs_mca_problem(r, 400, "malformed", "certificate is not DER X.509");
		goto out;
	}
	for (i = 0; i < s->ncerts; i++) {
		if (X509_cmp(s->certs[i]->leaf, x) == 0)
			c = s->certs[i];
	}
	if (c == NULL) {
		acs_mca_problem(r, 404, "malformed", "certificate was not issued by this CA");
		goto out;
	}
	reason = json_object_get(p->payload, "reason");
	if (reason != NULL) {
		rc = json_is_integer(reason) ? (long)json_integer_value(reason) : -1;
		if ((rc < 0 || rc > 10 || rc == 7) && !mca_mb(s, MB_REVOKE_REASON_UNCHECKED)) {
			if (mca_mb(s, MB_REVOKE_REASON_NO_DETAIL))
				acs_mca_problem(r, 400, "badRevocationReason",
				                "this reason is not allowed");
			else
				acs_mca_problem(r, 400, "badRevocationReason",
				                "reason must be 0-6 or 8-10 (RFC 5280)");
			goto out;
		}
	}
	if (p->jwk != NULL && json_object_get(p->jws->protected_hdr, "kid") == NULL) {
		/* jwk of the certificate's key */
		if (acs_key_from_evp(&ck, X509_get0_pubkey(c->leaf), &err) != 0 ||
		    !acs_key_equal(ck, p->key) || mca_mb(s, MB_REVOKE_CERTKEY_REFUSED)) {
			acs_mca_problem(r, 403, "unauthorized",
			                "the jwk is not the certificate's key");
			goto out;
		}
	} else if (mca_mb(s, MB_REVOKE_KID_REFUSED)) {
		acs_mca_problem(r, 403, "unauthorized",
		                "revocation must be signed with the certificate key");
		goto out;
	} else if (p->acct == NULL ||
	           (p->acct->id != c->acct && !mca_mb(s, MB_REVOKE_ANY_ACCOUNT) &&
	            (mca_mb(s, MB_REVOKE_ISSUER_ONLY) || !authorized_for(s, p->acct, c->leaf)))) {
		/* section 7.6: the issuing account, or one authorized for every name */
		acs_mca_problem(r, 403, "unauthorized",
		                "the account neither issued this certificate nor holds "
		                "authorizations for all its names");
		goto out;
	}
	if (c->revoked && !mca_mb(s, MB_REVOKE_TWICE_OK)) {
		acs_mca_problem(r, 400, "alreadyRevoked", "certificate is already revoked");
		goto out;
	}
	c->revoked = 1;
	c->reason = (int)rc;
	r->resp.status = 200;
out:
	free(der);
	X509_free(x);
	acs_key_free(ck);
}
