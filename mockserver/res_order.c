/*
 * Orders (section 7.4): creation with identifier checks and authorization
 * reuse, reading with the processing delays misbehaviours ask for, and
 * finalization, which checks the CSR and issues the certificate with its
 * default and alternate chains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/b64url.h"
#include "harness/rfc3339.h"
#include "mockserver/ca.h"
#include "mockserver/ident.h"
#include "mockserver/instance.h"
#include "mockserver/profiles.h"
#include "mockserver/req.h"
#include "mockserver/res_ari.h"
#include "mockserver/res_subdomain.h"
#include "mockserver/res_order.h"
#include "mockserver/store.h"
#include "mockserver/verify.h"

static json_t *reversed(const json_t *a)
{
	json_t *out = json_array();
	size_t i = json_array_size(a);

	while (i > 0) {
		i--;
		json_array_append(out, json_array_get(a, i));
	}
	return out;
}

static json_t *order_json(struct mca_req *r, struct mca_order *o)
{
	json_t *j = json_object(), *authz = json_array();
	char ts[32];
	size_t i;
	int flip, cut;

	/* shuffle-arrays: every other fetch shows the arrays in reverse order */
	flip = mca_mb(r->scn, MB_SHUFFLE) && (o->fetches++ % 2) == 1;
	/* order-arrays-change: a valid order shows its first identifier and authorization */
	cut = o->status == ST_VALID && mca_mb(r->scn, MB_ORDER_ARRAYS_CHANGE);
	json_object_set_new(
	    j, "status",
	    json_string(o->status == ST_READY && mca_mb(r->scn, MB_ORDER_READY_AS_PENDING)
	                    ? "pending"
	                    : acs_mca_status_name(o->status)));
	if (o->status != ST_VALID || !mca_mb(r->scn, MB_NO_ORDER_EXPIRES)) {
		acs_rfc3339_format(o->expires, ts);
		json_object_set_new(j, "expires", json_string(ts));
	}
	if (cut)
		json_object_set_new(j, "identifiers",
		                    json_pack("[O]", json_array_get(o->identifiers, 0)));
	else
		json_object_set_new(j, "identifiers",
		                    flip ? reversed(o->identifiers)
		                         : json_deep_copy(o->identifiers));
	if (o->not_before != NULL)
		json_object_set_new(j, "notBefore", json_string(o->not_before));
	if (o->not_after != NULL)
		json_object_set_new(j, "notAfter", json_string(o->not_after));
	for (i = 0; i < (cut && o->nauthz > 0 ? 1 : o->nauthz); i++) {
		struct mca_authz *az = acs_mca_authz(r->scn, o->authz[i]);
		char *u = az != NULL ? acs_mca_obj_url(r, "/authz/", az->id, az->rid, "") : NULL;

		if (u != NULL)
			json_array_append_new(authz, json_string(u));
		free(u);
	}
	if (flip) {
		json_t *rev = reversed(authz);

		json_decref(authz);
		authz = rev;
	}
	json_object_set_new(j, "authorizations", authz);
	{
		char *u = acs_mca_obj_url(r, "/order/", o->id, o->rid, "/finalize");

		if (u != NULL)
			json_object_set_new(j, "finalize", json_string(u));
		free(u);
	}
	if (o->status == ST_VALID && o->cert != 0) {
		struct mca_cert *ce = acs_mca_cert(r->scn, o->cert);

		if (ce != NULL)
			acs_mca_set_json_str(j, "certificate",
			                     acs_mca_obj_url(r, "/cert/", ce->id, ce->rid, ""));
	}
	if (o->error != NULL && o->status == ST_INVALID)
		json_object_set(j, "error", o->error);
	/* RFC 9773 section 5: reflected in the response and in later fetches */
	if (o->replaces != NULL && !mca_mb(r->scn, MB_ARI_REPLACES_NOT_ECHOED) &&
	    !(o->status == ST_VALID && mca_mb(r->scn, MB_ARI_REPLACES_DROPPED_VALID)))
		json_object_set_new(j, "replaces", json_string(o->replaces));
	/* profiles: the order shows its profile */
	if (o->profile[0] != '\0' && !mca_mb(r->scn, MB_PROFILE_NOT_ECHOED) &&
	    !(o->status == ST_VALID && mca_mb(r->scn, MB_PROFILE_DROPPED_VALID)))
		json_object_set_new(j, "profile", json_string(o->profile));
	return j;
}

/*
 * Check each identifier of a newOrder: the acceptable ones, normalised and
 * without duplicates, into list[0..*n) and norm (as the order shows them);
 * a {"type", "detail", "identifier"} entry into subs for each refused one.
 */
static void normalise_identifiers(struct mca_req *r, const json_t *ids, struct acs_ident *list,
                                  size_t *n, json_t *norm, json_t *subs)
{
	size_t i, j;
	json_t *v;

	json_array_foreach(ids, i, v)
	{
		struct acs_ident id;
		char detail[512];
		const char *bad = acs_mca_ident_check(r, v, &id, detail, sizeof(detail));
		int dup = 0;

		if (bad != NULL) {
			const char *ty = json_string_value(json_object_get(v, "type"));
			const char *va = json_string_value(json_object_get(v, "value"));

			json_array_append_new(subs, json_pack("{s:s, s:s, s:{s:s, s:s}}", "type",
			                                      bad, "detail", detail, "identifier",
			                                      "type", ty != NULL ? ty : "", "value",
			                                      va != NULL ? va : ""));
			continue;
		}
		for (j = 0; j < *n; j++)
			dup |= strcmp(list[j].type, id.type) == 0 &&
			       strcmp(list[j].value, id.value) == 0;
		if (dup)
			continue;
		list[(*n)++] = id;
		json_array_append_new(norm,
		                      json_pack("{s:s, s:s}", "type", id.type, "value", id.value));
	}
}

/*
 * The authorizations of a new order, one per identifier of list: a valid
 * one of the account is reused (section 7.1.3), else a new one is made.
 * 0, or -1 when one cannot be made.
 */
static int order_authorizations(struct mca_scenario *s, struct mca_order *o,
                                const struct acs_ident *list, size_t n, const json_t *ids)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		struct acs_ident base = list[i];
		int wild = strncmp(base.value, "*.", 2) == 0;
		int aid, dup = 0;

		if (wild)
			memmove(base.value, base.value + 2, strlen(base.value + 2) + 1);
		/* section 7.1.3: a valid authorization of the account is reused and listed */
		aid = acs_mca_authz_reusable(s, o->acct, &base, wild);
		if (aid > 0 && mca_mb(s, MB_AUTHZ_REUSE_COPY))
			aid = acs_mca_authz_make(s, o->acct, &base, wild, 1);
		else if (aid <= 0 && !wild) /* RFC 9444, with subdomain-auth */
			aid = acs_mca_subdomain_authz(s, o, ids, &base);
		if (aid == 0)
			aid = acs_mca_authz_make(s, o->acct, &base, wild, 0);
		if (aid < 0)
			return -1;
		for (j = 0; j < o->nauthz; j++)
			dup |=
			    o->authz[j] == aid; /* one ancestor authorization for several names */
		if (!dup)
			o->authz[o->nauthz++] = aid;
	}
	return 0;
}

/* identifiers of one order at most (Boulder: 100 names) */
#define MCA_MAX_ORDER_IDENTIFIERS 100
/* challenges a new authorization may get: http-01, dns-01, tls-alpn-01, tls-sni-02,
 * dns-account-01, dns-persist-01, tls-sni-01 */
#define MCA_MAX_CHALLS_PER_AUTHZ 7

void acs_mca_do_new_order(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_order *o = NULL;
	json_t *ids, *norm = NULL, *subs = NULL, *body;
	const char *nbs, *nas;
	struct acs_ident *list = NULL;
	size_t n = 0;
	int oid, *na;
	char *loc = NULL;
	time_t now = time(NULL);

	if (acs_mca_want_object(r, p) != 0)
		return;
	ids = json_object_get(p->payload, "identifiers");
	if (!json_is_array(ids) || json_array_size(ids) == 0) {
		acs_mca_problem(r, 400, "malformed", "identifiers must be a non-empty array");
		return;
	}
	/* a per-order cap, as Boulder's 100 names: said as such, not as a malformed array */
	if (json_array_size(ids) > MCA_MAX_ORDER_IDENTIFIERS) {
		acs_mca_problem(r, 400, "rejectedIdentifier",
		                "too many identifiers: %zu; this CA takes at most %d per order",
		                json_array_size(ids), MCA_MAX_ORDER_IDENTIFIERS);
		return;
	}
	list = calloc(json_array_size(ids), sizeof(*list));
	norm = json_array();
	if (list == NULL || norm == NULL)
		goto nomem;
	subs = json_array();
	if (subs == NULL)
		goto nomem;
	normalise_identifiers(r, ids, list, &n, norm, subs);
	if (json_array_size(subs) > 0) {
		acs_mca_refuse_identifiers(r, subs, json_array_size(ids));
		goto out;
	}
	if (acs_mca_subdomain_order_check(r, ids) != 0) /* RFC 9444 ancestorDomain */
		goto out;
	o = calloc(1, sizeof(*o));
	if (o == NULL)
		goto nomem;
	nbs = json_string_value(json_object_get(p->payload, "notBefore"));
	nas = json_string_value(json_object_get(p->payload, "notAfter"));
	o->nb = now - 60;
	o->na = now + 90L * 86400;
	if ((json_object_get(p->payload, "notBefore") != NULL &&
	     (nbs == NULL || acs_rfc3339_parse(nbs, &o->nb) != 0)) ||
	    (json_object_get(p->payload, "notAfter") != NULL &&
	     (nas == NULL || acs_rfc3339_parse(nas, &o->na) != 0))) {
		acs_mca_problem(r, 400, "malformed",
		                "notBefore and notAfter must be RFC 3339 date-times");
		goto out;
	}
	if (o->na <= o->nb || o->na <= now || o->na - o->nb > 398L * 86400) {
		acs_mca_problem(r, 400, "malformed",
		                "notBefore/notAfter refused: the validity must end in the future, "
		                "after it starts, within 398 days");
		goto out;
	}
	if (acs_mca_replaces_check(r, p, list, n, o) != 0)
		goto out;
	o->not_before = nbs != NULL ? strdup(nbs) : NULL;
	o->not_after = nas != NULL ? strdup(nas) : NULL;
	/* profiles and Let's Encrypt: the validity fields Boulder refuses, then the profile */
	if (acs_mca_le_validity_fields(r, p->payload) != 0 ||
	    acs_mca_order_profile(r, p->payload, list, n, o) != 0)
		goto out;
	o->authz = calloc(n, sizeof(int));
	if (o->authz == NULL)
		goto nomem;
	/*
	 * The store keeps MCA_OBJ_MAX objects of a kind per scenario and never
	 * evicts them: a full scenario says so (429 rateLimited, no Retry-After,
	 * since waiting frees nothing) before it creates anything, instead of
	 * failing half-way with a 500.
	 */
	if (s->norders >= MCA_OBJ_MAX || s->nauthzs + n > MCA_OBJ_MAX ||
	    s->nchalls + MCA_MAX_CHALLS_PER_AUTHZ * n > MCA_OBJ_MAX) {
		acs_mca_problem(r, 429, "rateLimited",
		                "scenario %s is full: it holds %zu orders, %zu authorizations and "
		                "%zu challenges, and the mock CA keeps at most %d of each per "
		                "scenario; use a new scenario",
		                s->name, s->norders, s->nauthzs, s->nchalls, MCA_OBJ_MAX);
		goto out;
	}
	oid = acs_mca_push_obj((void ***)&s->orders, &s->norders, o);
	if (oid < 0)
		goto nomem;
	o->id = oid;
	acs_mca_new_rid(o->rid);
	o->acct = p->acct->id;
	o->status = ST_PENDING;
	o->expires = now + 7 * 86400;
	o->identifiers = norm;
	norm = NULL;
	if (order_authorizations(s, o, list, n, ids) != 0) {
		acs_mca_problem(r, 500, "serverInternal", "cannot create authorizations");
		o->status = ST_INVALID;
		o = NULL;
		goto out;
	}
	na = realloc(p->acct->orders, (p->acct->norders + 1) * sizeof(int));
	if (na != NULL) {
		p->acct->orders = na;
		na[p->acct->norders++] = o->id;
	}
	acs_mca_order_update(s, o);
	loc = acs_mca_obj_url(r, "/order/", o->id, o->rid, "");
	(void)acs_mca_add_header(&r->resp, "Location", "%s", loc != NULL ? loc : "");
	body = order_json(r, o);
	acs_mca_resp_json(r, 201, body);
	json_decref(body);
	o = NULL; /* owned by the scenario */
	goto done;
nomem:
	acs_mca_problem(r, 500, "serverInternal", "out of memory");
out:
	if (o != NULL && o->id == 0) {
		free(o->not_before);
		free(o->not_after);
		free(o->replaces);
		free(o->authz);
		free(o);
	}
done:
	free(loc);
	free(list);
	json_decref(norm);
	json_decref(subs);
}

void acs_mca_do_order(struct mca_req *r, struct mca_post *p)
{
	struct mca_order *o = acs_mca_order(r->scn, r->obj_id);
	json_t *body;

	if (o == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such order");
		return;
	}
	if (acs_mca_want_owner(r, p, o->acct) != 0 || acs_mca_want_post_as_get(r, p) != 0)
		return;
	if (o->status == ST_PROCESSING && o->processing_left > 0) {
		o->processing_left--;
		if (o->processing_left == 0 && o->cert != 0)
			o->status = ST_VALID;
	}
	body = order_json(r, o);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
	if (o->status == ST_PROCESSING ||
	    (o->status == ST_PENDING && acs_mca_poll_retry_after(r->scn)))
		acs_mca_retry_after(r);
}

static char *build_chain(struct mca_req *r, const char *leaf, const char *inter)
{
	struct mca_scenario *s = r->scn;
	struct acs_buf b;
	char *kp = NULL;

	acs_buf_init(&b, 65536);
	if (mca_mb(s, MB_CHAIN_WRONG_ISSUER))
		inter = r->ca->pki->root_pem; /* did not sign the leaf */
	if (mca_mb(s, MB_CHAIN_LEAF_LAST) && !mca_mb(s, MB_CHAIN_LEAF_ONLY))
		(void)acs_buf_puts(&b, inter);
	if (mca_mb(s, MB_CHAIN_EXTRA_TEXT))
		(void)acs_buf_puts(&b,
		                   "Certificate issued by the acmespec mock CA\nsubject: leaf\n");
	(void)acs_buf_puts(&b, leaf);
	if (!mca_mb(s, MB_CHAIN_LEAF_ONLY) && !mca_mb(s, MB_CHAIN_LEAF_LAST)) {
		if (mca_mb(s, MB_CHAIN_EXTRA_TEXT))
			(void)acs_buf_puts(&b, "\nissuer: acmespec mock intermediate\n");
		(void)acs_buf_puts(&b, inter);
	}
	if (mca_mb(s, MB_CHAIN_PRIVATE_KEY)) {
		kp = acs_mca_new_key_pem();
		if (kp != NULL)
			(void)acs_buf_puts(&b, kp);
		free(kp);
	}
	return acs_buf_steal(&b);
}

/*
 * The CSR of a finalize request (section 7.4): base64url DER with a valid
 * self-signature, naming exactly the order's identifiers, with a key that
 * is no account's. *cids, *nc, *ckey: what it holds (owned by the caller,
 * also on failure). 0, or -1 answered.
 */
static int finalize_csr(struct mca_req *r, struct mca_order *o, const char *csr,
                        struct acs_ident **cids, size_t *nc, struct acs_key **ckey)
{
	struct mca_scenario *s = r->scn;
	struct acs_ident *oids = NULL;
	unsigned char *der = NULL;
	size_t no, derlen = 0, i;
	struct acs_err err;
	json_t *v;
	int rc = -1;

	acs_err_clear(&err);
	if (strchr(csr, '=') != NULL)
		acs_mca_check(r, CK_B64_NO_PADDING, "csr is base64url with '=' padding");
	if (acs_b64url_decode(csr, strlen(csr), &der, &derlen, &err) != 0 ||
	    acs_csr_parse(der, derlen, cids, nc, ckey, &err) != 0) {
		acs_mca_check(r, CK_FINALIZE_CSR, "csr: %s", err.msg);
		acs_mca_problem(r, 400, "badCSR", "csr: %s", err.msg);
		goto out;
	}
	if (acs_mca_le_must_staple(r, der, derlen) != 0) /* Let's Encrypt since May 2025 */
		goto out;
	no = json_array_size(o->identifiers);
	oids = calloc(no > 0 ? no : 1, sizeof(*oids));
	if (oids == NULL)
		goto out;
	json_array_foreach(o->identifiers, i, v)
	{
		(void)snprintf(oids[i].type, sizeof(oids[i].type), "%s",
		               json_string_value(json_object_get(v, "type")));
		(void)snprintf(oids[i].value, sizeof(oids[i].value), "%s",
		               json_string_value(json_object_get(v, "value")));
	}
	if (!acs_idents_equal_sets(oids, no, *cids, *nc)) {
		acs_mca_check(r, CK_CSR_MATCHES_ORDER,
		              "CSR names differ from the order's identifiers");
		if (mca_mb(s, MB_CSR_MISMATCH_UNAUTHORIZED)) {
			acs_mca_problem(r, 403, "unauthorized", "CSR names differ from the order");
			goto out;
		}
		if (!mca_mb(s, MB_CSR_NAMES_UNCHECKED)) {
			acs_mca_problem(r, 400, "badCSR",
			                "CSR must name exactly the identifiers of the order");
			goto out;
		}
	}
	if (*ckey == NULL) {
		acs_mca_problem(r, 400, "badCSR", "csr: no public key");
		goto out;
	}
	if (acs_mca_acct_by_key(s, *ckey) != NULL) {
		acs_mca_check(r, CK_CSR_KEY_NOT_ACCOUNT, "CSR key is an account key");
		if (!mca_mb(s, MB_CSR_ACCOUNT_KEY_OK)) {
			acs_mca_problem(r, 400, "badCSR", "CSR key must not be an account key");
			goto out;
		}
	}
	rc = 0;
out:
	free(der);
	free(oids);
	return rc;
}

/*
 * Issue the order's certificate for the CSR's names (cids, changed in place
 * by the misbehaviours that put other names in it) and key, with both
 * chains, and store it. 0, or -1 answered.
 */
static int issue_cert(struct mca_req *r, struct mca_order *o, struct acs_ident *cids, size_t nc,
                      struct acs_key *ckey)
{
	struct mca_scenario *s = r->scn;
	const struct acs_mca_pki *pki = r->ca->pki;
	struct mca_cert *cert = NULL;
	char *leafpem = NULL, *altpem = NULL;
	struct acs_err err;
	X509 *leaf = NULL;
	time_t nb, na;
	size_t i;
	int cid, high, rc = -1;

	acs_err_clear(&err);
	/* misbehaviours that put other names in the certificate than the CSR's */
	for (i = 0; i < nc; i++) {
		if (strcmp(cids[i].type, "ip") == 0 && mca_mb(s, MB_IP_SAN_AS_DNS))
			memcpy(cids[i].type, "dns", 4);
		if (strncmp(cids[i].value, "*.", 2) == 0 && mca_mb(s, MB_WILDCARD_SAN_BASE))
			memmove(cids[i].value, cids[i].value + 2, strlen(cids[i].value + 2) + 1);
	}
	if (nc > 1 && mca_mb(s, MB_CERT_DROPS_NAME))
		nc = 1;
	nb = mca_mb(s, MB_IGNORE_NOT_AFTER) ? time(NULL) - 60 : o->nb;
	na = mca_mb(s, MB_IGNORE_NOT_AFTER) ? time(NULL) + 90L * 86400 : o->na;
	if (s->ncerts == 0 && mca_mb(s, MB_FIRST_CERT_EXPIRING)) {
		nb = time(NULL) - 89L * 86400;
		na = time(NULL) + 3600;
	} else if (s->ncerts == 0 && mca_mb(s, MB_FIRST_CERT_EXPIRED)) {
		nb = time(NULL) - 90L * 86400;
		na = time(NULL) - 3600;
	}
	/* serials alternate between both DER shapes (RFC 9773 section 4.1's leading zero) */
	high = mca_mb(s, MB_SERIAL_HIGH_BIT) || s->ncerts % 2 == 0;
	if (acs_mca_issue(pki, acs_key_evp(ckey), cids, nc, nb, na, high, mca_mb(s, MB_OCSP_URL),
	                  &leaf, &err) != 0) {
		acs_mca_problem(r, 500, "serverInternal", "issuance failed: %s", err.msg);
		goto out;
	}
	leafpem = acs_mca_x509_pem(leaf);
	cert = calloc(1, sizeof(*cert));
	if (leafpem == NULL || cert == NULL) {
		acs_mca_problem(r, 500, "serverInternal", "out of memory");
		goto out;
	}
	cert->acct = o->acct;
	cert->leaf = leaf;
	cert->issued_at = time(NULL);
	cert->chain = build_chain(r, leafpem, pki->inter_pem);
	if (mca_mb(s, MB_ALT_CHAIN_OTHER_LEAF)) {
		/* a second issuance for the alternate chain: another serial, another leaf */
		if (acs_mca_issue(pki, acs_key_evp(ckey), cids, nc, nb, na, high,
		                  mca_mb(s, MB_OCSP_URL), &cert->alt_leaf, &err) != 0) {
			acs_mca_problem(r, 500, "serverInternal", "issuance failed: %s", err.msg);
			goto out;
		}
		altpem = acs_mca_x509_pem(cert->alt_leaf);
	}
	cert->alt_chain = build_chain(r, altpem != NULL ? altpem : leafpem, pki->alt_inter_pem);
	cid = acs_mca_push_obj((void ***)&s->certs, &s->ncerts, cert);
	if (cid < 0) {
		acs_mca_problem(r, 429, "rateLimited", "too many certificates in this scenario");
		goto out;
	}
	leaf = NULL;
	cert->id = cid;
	acs_mca_new_rid(cert->rid);
	o->cert = cid;
	cert = NULL;
	rc = 0;
out:
	if (cert != NULL) {
		free(cert->chain);
		free(cert->alt_chain);
		X509_free(cert->alt_leaf);
		free(cert);
	}
	X509_free(leaf);
	free(leafpem);
	free(altpem);
	return rc;
}

void acs_mca_do_finalize(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_order *o = acs_mca_order(s, r->obj_id);
	struct acs_ident *cids = NULL;
	struct acs_key *ckey = NULL;
	size_t nc = 0;
	const char *csr;
	char *loc = NULL;
	json_t *body;
	int ready;

	if (o == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such order");
		return;
	}
	if (acs_mca_want_owner(r, p, o->acct) != 0 || acs_mca_want_object(r, p) != 0)
		return;
	csr = json_string_value(json_object_get(p->payload, "csr"));
	if (csr == NULL) {
		acs_mca_check(r, CK_FINALIZE_CSR, "finalize payload has no csr string");
		acs_mca_problem(r, 400, "malformed", "finalize payload must hold a csr");
		return;
	}
	ready = o->status == ST_READY ||
	        (mca_mb(s, MB_FINALIZE_NOT_READY_OK) && o->status == ST_PENDING);
	if (!ready) {
		acs_mca_problem(r, 403, "orderNotReady", "order is %s, not ready",
		                acs_mca_status_name(o->status));
		return;
	}
	if (finalize_csr(r, o, csr, &cids, &nc, &ckey) != 0 ||
	    issue_cert(r, o, cids, nc, ckey) != 0)
		goto out;
	if (s->mb[MB_ORDER_PROCESSING].on) {
		long n = s->mb[MB_ORDER_PROCESSING].n;

		o->status = ST_PROCESSING;
		o->processing_left = (int)(n >= 0 ? n : 3);
		if (o->processing_left == 0)
			o->status = ST_VALID;
	} else {
		o->status = ST_VALID;
	}
	loc = acs_mca_obj_url(r, "/order/", o->id, o->rid, "");
	if (loc != NULL)
		(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
	body = order_json(r, o);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
	if (o->status == ST_PROCESSING)
		acs_mca_retry_after(r);
out:
	/* csr-refusal-invalidates-order: a refused CSR ends the order */
	if (r->resp.problem != NULL && strcmp(r->resp.problem, "badCSR") == 0 &&
	    mca_mb(s, MB_CSR_REFUSAL_INVALIDATES))
		o->status = ST_INVALID;
	free(loc);
	free(cids);
	acs_key_free(ckey);
}
