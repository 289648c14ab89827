/*
 * The directory, newNonce, the terms and the issuers: everything a client
 * reads before it signs anything.
 */
#include <string.h>
#include "mockserver/ca.h"
#include "mockserver/instance.h"
#include "mockserver/profiles.h"
#include "mockserver/req.h"
#include "mockserver/res_ari.h"
#include "mockserver/res_directory.h"
#include "mockserver/store.h"

/*
 * The ACME draft-era (v1) resource names: the whole directory of directory-v1,
 * or aliases next to the RFC names (directory-v1-aliases). authz_path: where
 * new-authz points.
 */
static void set_v1_names(json_t *d, struct mca_req *r, const char *authz_path)
{
	acs_mca_set_json_url(d, "new-reg", r, "/new-account", -1);
	acs_mca_set_json_url(d, "new-authz", r, authz_path, -1);
	acs_mca_set_json_url(d, "new-cert", r, "/new-order", -1);
	acs_mca_set_json_url(d, "revoke-cert", r, "/revoke-cert", -1);
	acs_mca_set_json_url(d, "key-change", r, "/key-change", -1);
}

void acs_mca_do_directory(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	json_t *d = json_object(), *meta = json_object();
	char *u;

	r->resp.no_index = 1;
	if (mca_mb(s, MB_DIR_V1)) {
		set_v1_names(d, r, "/new-order");
		if (!mca_mb(s, MB_NO_TOS))
			acs_mca_set_json_url(meta, "terms-of-service", r, "/terms", -1);
		json_object_set_new(d, "meta", meta);
		acs_mca_resp_json(r, 200, d);
		json_decref(d);
		return;
	}
	if (!mca_mb(s, MB_NO_NEWNONCE))
		acs_mca_set_json_url(d, "newNonce", r, "/new-nonce", -1);
	acs_mca_set_json_url(d, "newAccount", r, "/new-account", -1);
	if (mca_mb(s, MB_HTTP_URL) && strncmp(r->sbase, "https://", 8) == 0) {
		struct acs_buf b;

		acs_buf_init(&b, 4096);
		(void)acs_buf_printf(&b, "http://%s/new-order", r->sbase + 8);
		json_object_set_new(d, "newOrder", json_string(b.data != NULL ? b.data : ""));
		acs_buf_free(&b);
	} else {
		acs_mca_set_json_url(d, "newOrder", r, "/new-order", -1);
	}
	if (!mca_mb(s, MB_NO_REVOKE))
		acs_mca_set_json_url(d, "revokeCert", r, "/revoke-cert", -1);
	if (!mca_mb(s, MB_NO_KEYCHANGE))
		acs_mca_set_json_url(d, "keyChange", r, "/key-change", -1);
	/* RFC 9773 section 4: as Boulder and Pebble 2.10 advertise it */
	if (!mca_mb(s, MB_NO_RENEWAL_INFO))
		acs_mca_set_json_url(d, "renewalInfo", r, MCA_RENEWAL_INFO_PATH, -1);
	if (!mca_mb(s, MB_NO_NEWAUTHZ)) /* profiles branch: letsencrypt has no newAuthz */
		acs_mca_set_json_url(d, "newAuthz", r, "/new-authz", -1);
	if (mca_mb(s, MB_DIR_V1_ALIASES)) {
		set_v1_names(d, r, "/new-authz");
	}
	if (!mca_mb(s, MB_NO_TOS) && !mca_mb(s, MB_TOS_NOT_ADVERTISED))
		acs_mca_set_json_url(meta, "termsOfService", r, "/terms", -1);
	json_object_set_new(meta, "website", json_string("https://github.com/acmespec"));
	json_object_set_new(
	    meta, "caaIdentities",
	    json_pack("[s]", mca_mb(s, MB_CAA_URLS) ? "https://acmespec.test/" : "acmespec.test"));
	if (s->eab_kid != NULL)
		json_object_set_new(meta, "externalAccountRequired", json_true());
	acs_mca_profiles_meta(s, meta);   /* draft-ietf-acme-profiles */
	if (mca_mb(s, MB_SUBDOMAIN_AUTH)) /* RFC 9444 4.4, with subdomain-auth */
		json_object_set_new(meta, "subdomainAuthAllowed",
		                    mca_mb(s, MB_SUBDOMAIN_META_STRING) ? json_string("true")
		                                                        : json_true());
	if (mca_mb(s, MB_DIR_UNKNOWN_FIELDS)) {
		json_object_set_new(meta, "x-acmespec-unknown", json_pack("{s:b}", "nested", 1));
		u = acs_mca_urlf(r, "/unknown-resource");
		json_object_set_new(d, "x-acmespec-resource", json_string(u != NULL ? u : ""));
		free(u);
		json_object_set_new(d, "zzUnknownNumber", json_integer(42));
	}
	if (mca_mb(s, MB_META_NOT_OBJECT)) {
		json_t *arr = json_array();
		const char *k;
		json_t *v;

		json_object_foreach(meta, k, v) json_array_append(arr, v);
		json_decref(meta);
		meta = arr;
	}
	json_object_set_new(d, "meta", meta);
	acs_mca_resp_json(r, 200, d);
	json_decref(d);
}

void acs_mca_do_new_nonce(struct mca_req *r)
{
	r->resp.nonce_mode = 1;
	if (strcmp(r->method, "HEAD") == 0 && mca_mb(r->scn, MB_NEWNONCE_HEAD_204))
		r->resp.status = 204;
	else if (strcmp(r->method, "HEAD") == 0 || mca_mb(r->scn, MB_NEWNONCE_GET_200))
		r->resp.status = 200;
	else
		r->resp.status = 204;
}

void acs_mca_do_terms(struct mca_req *r)
{
	r->resp.status = 200;
	r->resp.ctype = "text/plain; charset=utf-8";
	(void)acs_buf_puts(&r->resp.body, "acmespec mock CA terms of service: there are none.\n");
}

void acs_mca_do_issuer(struct mca_req *r)
{
	const struct acs_mca_pki *pki = r->ca->pki;

	if (r->obj_id != 0 && r->obj_id != 1) {
		acs_mca_problem(r, 404, "malformed", "no such issuer");
		return;
	}
	r->resp.status = 200;
	r->resp.ctype = "application/pem-certificate-chain";
	(void)acs_buf_puts(&r->resp.body, r->obj_id == 0 ? pki->inter_pem : pki->alt_inter_pem);
}
