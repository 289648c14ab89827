/*
 * Accounts (section 7.3): creation with the terms of service, contacts and
 * External Account Binding checks, updates and deactivation, and the
 * orders list.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/json_util.h"
#include "mockserver/req.h"
#include "mockserver/res_account.h"
#include "mockserver/store.h"
#include "mockserver/verify.h"

json_t *acs_mca_account_json(struct mca_req *r, struct mca_account *a)
{
	json_t *o = json_object();

	json_object_set_new(o, "status", json_string(acs_mca_status_name(a->status)));
	json_object_set(o, "contact", a->contact != NULL ? a->contact : json_array());
	if (a->tos_agreed)
		json_object_set_new(o, "termsOfServiceAgreed", json_true());
	if (!mca_mb(r->scn, MB_NO_ORDERS_URL)) {
		char *u = acs_mca_obj_url(r, "/acct/", a->id, a->rid, "/orders");

		if (u != NULL)
			json_object_set_new(o, "orders", json_string(u));
		free(u);
	}
	if (a->eab != NULL && !mca_mb(r->scn, MB_EAB_NOT_ECHOED))
		json_object_set(o, "externalAccountBinding", a->eab);
	json_object_set(o, "key", a->jwk);
	if (a->extra != NULL && mca_mb(r->scn, MB_ACCOUNT_REFLECTS))
		(void)json_object_update(o, a->extra);
	return o;
}

/* ---- contacts ---- */

static int check_contacts(struct mca_req *r, json_t *contact)
{
	int bad_contact = mca_mb(r->scn, MB_CONTACT_ERRORS_MALFORMED);
	size_t i;
	json_t *v;

	if (mca_mb(r->scn, MB_CONTACT_UNCHECKED))
		return 0;
	if (!json_is_array(contact)) {
		acs_mca_problem(r, 400, "malformed", "contact must be an array of URLs");
		return -1;
	}
	if (json_array_size(contact) > 10) {
		acs_mca_problem(r, 400, "malformed", "too many contacts");
		return -1;
	}
	json_array_foreach(contact, i, v)
	{
		const char *c = json_string_value(v);
		const char *addr;

		if (c == NULL) {
			acs_mca_problem(r, 400, "malformed", "contact %zu is not a string", i);
			return -1;
		}
		if (strncasecmp(c, "mailto:", 7) != 0 || mca_mb(r->scn, MB_MAILTO_REFUSED)) {
			acs_mca_problem(r, 400, bad_contact ? "malformed" : "unsupportedContact",
			                "only mailto: contacts are supported, got %.100s", c);
			return -1;
		}
		addr = c + 7;
		if (strchr(addr, '?') != NULL || strchr(addr, ',') != NULL ||
		    strstr(addr, "%2C") != NULL || strstr(addr, "%2c") != NULL) {
			acs_mca_check(r, CK_MAILTO,
			              "contact %.100s has hfields or several addresses", c);
			acs_mca_problem(
			    r, 400, bad_contact ? "malformed" : "invalidContact",
			    "mailto contact must be a single address without hfields: %.100s", c);
			return -1;
		}
		if (strchr(addr, '@') == NULL || addr[0] == '@' || addr[strlen(addr) - 1] == '@' ||
		    strchr(addr, ' ') != NULL) {
			acs_mca_problem(r, 400, bad_contact ? "malformed" : "invalidContact",
			                "invalid email address %.100s", addr);
			return -1;
		}
	}
	return 0;
}

/* ---- External Account Binding (section 7.3.4) ---- */

static int check_eab(struct mca_req *r, struct mca_post *p, json_t *eab)
{
	struct acs_jws *inner = NULL;
	struct acs_key *ek = NULL;
	struct acs_err err;
	json_t *pl = NULL;
	char *text = NULL;
	const char *alg, *kid, *url;
	int rc = -1;

	acs_err_clear(&err);
	if (mca_mb(r->scn, MB_EAB_UNCHECKED))
		return 0;
	text = json_dumps(eab, JSON_COMPACT);
	if (!json_is_object(eab) || text == NULL ||
	    acs_jws_parse(text, strlen(text), &inner, &err) != 0) {
		acs_mca_problem(r, 400, "malformed", "externalAccountBinding is not a JWS: %s",
		                err.msg);
		goto out;
	}
	alg = acs_jws_header_str(inner, "alg");
	if (alg == NULL ||
	    (strcmp(alg, "HS256") != 0 && strcmp(alg, "HS384") != 0 && strcmp(alg, "HS512") != 0)) {
		acs_mca_check(r, CK_EAB_MAC_ALG, "EAB alg is %s", alg != NULL ? alg : "absent");
		acs_mca_problem(r, 400, "malformed",
		                "externalAccountBinding alg must be HS256, HS384 or HS512");
		goto out;
	}
	if (json_object_get(inner->protected_hdr, "nonce") != NULL) {
		acs_mca_check(r, CK_EAB_NO_NONCE, "EAB protected header has a nonce");
		acs_mca_problem(r, 400, "malformed",
		                "externalAccountBinding must not have a nonce");
		goto out;
	}
	url = acs_jws_header_str(inner, "url");
	if (url == NULL || strcmp(url, r->url) != 0) {
		acs_mca_check(r, CK_EAB_URL, "EAB url %.200s differs from the outer url",
		              url != NULL ? url : "(absent)");
		acs_mca_problem(r, 400, "malformed",
		                "externalAccountBinding url must equal the outer url");
		goto out;
	}
	kid = acs_jws_header_str(inner, "kid");
	if (kid == NULL || strcmp(kid, r->scn->eab_kid) != 0) {
		acs_mca_check(r, CK_EAB_KID, "EAB kid %.100s is not the CA's key identifier",
		              kid != NULL ? kid : "(absent)");
		acs_mca_problem(r, 403, "unauthorized", "unknown external account key identifier");
		goto out;
	}
	if (acs_jws_verify_hmac(inner, r->scn->eab_key, r->scn->eab_key_len, &err) != 0) {
		acs_mca_problem(r, 403, "unauthorized",
		                "externalAccountBinding MAC does not verify");
		goto out;
	}
	if (inner->payload != NULL)
		pl = json_loadb((const char *)inner->payload, inner->payload_len, 0, NULL);
	if (pl == NULL || acs_jwk_import(pl, 1, &ek, &err) != 0 || !acs_key_equal(ek, p->key)) {
		acs_mca_check(r, CK_EAB_PAYLOAD_JWK, "EAB payload is not the account key");
		acs_mca_problem(r, 400, "badPublicKey",
		                "externalAccountBinding payload must be the account key");
		goto out;
	}
	rc = 0;
out:
	free(text);
	acs_jws_free(inner);
	acs_key_free(ek);
	json_decref(pl);
	return rc;
}

/* ---- fields ---- */

/* The members of a newAccount payload (section 7.3), NULL-terminated. */
static const char *const new_account_fields[] = {
    "contact", "termsOfServiceAgreed", "onlyReturnExisting", "externalAccountBinding", NULL};
static const char *const account_update_fields[] = {"contact", "termsOfServiceAgreed", "status",
                                                    NULL};

/*
 * The members of payload the CA ignores: unknown ones, and those only the
 * server sets (orders, onlyReturnExisting). New object or NULL.
 */
static json_t *ignored_fields(const json_t *payload, const char *const *known)
{
	json_t *out = NULL, *v;
	const char *k;

	json_object_foreach((json_t *)payload, k, v)
	{
		if (acs_str_in_list(known, k) && strcmp(k, "onlyReturnExisting") != 0)
			continue;
		if (out == NULL)
			out = json_object();
		json_object_set(out, k, v);
	}
	return out;
}

/* reject-unknown-fields: 400 for a member the CA does not know. */
static int unknown_field(struct mca_req *r, const json_t *payload, const char *const *known)
{
	json_t *v;
	const char *k;

	if (!mca_mb(r->scn, MB_REJECT_UNKNOWN_FIELDS))
		return 0;
	json_object_foreach((json_t *)payload, k, v)
	{
		if (!acs_str_in_list(known, k)) {
			acs_mca_problem(r, 400, "malformed", "unknown field %.64s", k);
			return -1;
		}
	}
	return 0;
}

/* ---- resources ---- */

void acs_mca_do_new_account(struct mca_req *r, struct mca_post *p)
{
	struct mca_scenario *s = r->scn;
	struct mca_account *a = NULL;
	json_t *body, *contact, *tos, *ore, *eab;
	char *loc = NULL;
	int id;

	if (acs_mca_want_object(r, p) != 0)
		return;
	contact = json_object_get(p->payload, "contact");
	tos = json_object_get(p->payload, "termsOfServiceAgreed");
	ore = json_object_get(p->payload, "onlyReturnExisting");
	eab = json_object_get(p->payload, "externalAccountBinding");
	if (p->acct != NULL) {
		if (p->acct->status == ST_DEACTIVATED) {
			acs_mca_problem(r, mca_mb(s, MB_DEACTIVATED_403) ? 403 : 401,
			                "unauthorized", "the account of this key is deactivated");
			return;
		}
		loc = acs_mca_obj_url(r, "/acct/", p->acct->id, p->acct->rid, "");
		if (!mca_mb(s, MB_NO_LOCATION))
			(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
		body = acs_mca_account_json(r, p->acct);
		acs_mca_resp_json(r, mca_mb(s, MB_EXISTING_201) ? 201 : 200, body);
		json_decref(body);
		free(loc);
		return;
	}
	if (unknown_field(r, p->payload, new_account_fields) != 0)
		return;
	if (json_is_true(ore) && !mca_mb(s, MB_ONLY_EXISTING_CREATES)) {
		acs_mca_problem(r, 400, "accountDoesNotExist", "no account exists with this key");
		return;
	}
	if (!mca_mb(s, MB_NO_TOS) && !json_is_true(tos)) {
		char *tu = acs_mca_urlf(r, "/terms");

		/* the directory names terms, and the client asked without agreeing to them */
		acs_mca_check(r, CK_TOS_DEFAULT,
		              "newAccount without termsOfServiceAgreed: true "
		              "while the directory has termsOfService");

		(void)acs_mca_add_header(&r->resp, "Link", "<%s>;rel=\"terms-of-service\"",
		                         tu != NULL ? tu : "");
		free(tu);
		if (mca_mb(s, MB_TOS_AGREEMENT_REQUIRED))
			acs_mca_problem(r, 403, "agreementRequired",
			                "you must agree to the terms of service");
		else
			acs_mca_problem(r, 403, "userActionRequired",
			                "you must agree to the terms of service");
		return;
	}
	if (s->eab_kid != NULL) {
		if (eab == NULL && !mca_mb(s, MB_EAB_UNCHECKED)) {
			acs_mca_problem(r, 403, "externalAccountRequired",
			                "this CA requires an external account binding");
			return;
		}
		if (eab != NULL && check_eab(r, p, eab) != 0)
			return;
	}
	if (contact != NULL && check_contacts(r, contact) != 0)
		return;
	a = calloc(1, sizeof(*a));
	if (a == NULL)
		goto nomem;
	id = acs_mca_push_obj((void ***)&s->accts, &s->naccts, a);
	if (id < 0) {
		free(a);
		acs_mca_problem(r, 429, "rateLimited", "too many accounts in this scenario");
		return;
	}
	a->id = id;
	acs_mca_new_rid(a->rid);
	a->status = ST_VALID;
	a->key = p->key;
	p->key_owned = 0;
	a->jwk = json_deep_copy(p->jwk);
	a->contact = contact != NULL ? json_deep_copy(contact) : json_array();
	a->tos_agreed = json_is_true(tos);
	/* a binding is echoed when verified; eab-echo-unverified echoes it anyway */
	if (eab != NULL && (s->eab_kid != NULL || mca_mb(s, MB_EAB_ECHO_UNVERIFIED)))
		a->eab = json_deep_copy(eab);
	a->extra = ignored_fields(p->payload, new_account_fields);
	loc = acs_mca_obj_url(r, "/acct/", a->id, a->rid, "");
	if (!mca_mb(s, MB_NO_LOCATION))
		(void)acs_mca_add_header(&r->resp, "Location", "%s", loc);
	if (acs_mca_fault_fires(r, MB_ACCOUNT_409_V1)) {
		/* ACME v1 (Boulder's new-reg): the key is known, 409 with its Location */
		acs_mca_problem(r, 409, "malformed", "Registration key is already in use");
		free(loc);
		return;
	}
	body = acs_mca_account_json(r, a);
	acs_mca_resp_json(r, 201, body);
	json_decref(body);
	free(loc);
	return;
nomem:
	acs_mca_problem(r, 500, "serverInternal", "out of memory");
}

void acs_mca_do_account(struct mca_req *r, struct mca_post *p)
{
	struct mca_account *a = acs_mca_acct(r->scn, r->obj_id);
	json_t *body, *st, *contact, *extra;
	int deactivate;

	if (a == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such account");
		return;
	}
	if (acs_mca_want_owner(r, p, r->obj_id) != 0)
		return;
	if (!p->post_as_get) {
		if (acs_mca_want_object(r, p) != 0)
			return;
		st = json_object_get(p->payload, "status");
		contact = json_object_get(p->payload, "contact");
		deactivate =
		    json_is_string(st) && strcmp(json_string_value(st), "deactivated") == 0;
		/* section 7.3.6: only "deactivated" is a status a client sets; others are ignored
		 */
		if (st != NULL && !deactivate && mca_mb(r->scn, MB_ACCOUNT_STATUS_REFUSED) &&
		    !(json_is_string(st) &&
		      strcmp(json_string_value(st), acs_mca_status_name(a->status)) == 0)) {
			acs_mca_problem(r, 400, "malformed",
			                "status may only be set to deactivated");
			return;
		}
		if (contact != NULL) {
			if (check_contacts(r, contact) != 0)
				return;
			if (!mca_mb(r->scn, MB_CONTACT_UPDATE_IGNORED)) {
				json_decref(a->contact);
				a->contact = json_deep_copy(contact);
			}
		}
		if (json_is_true(json_object_get(p->payload, "termsOfServiceAgreed")))
			a->tos_agreed = 1;
		extra = ignored_fields(p->payload, account_update_fields);
		if (extra != NULL) {
			if (a->extra == NULL)
				a->extra = json_object();
			(void)json_object_update(a->extra, extra);
			json_decref(extra);
		}
		if (deactivate && !mca_mb(r->scn, MB_DEACTIVATION_IGNORED))
			a->status = ST_DEACTIVATED;
	}
	body = acs_mca_account_json(r, a);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
}

void acs_mca_do_orders(struct mca_req *r, struct mca_post *p)
{
	struct mca_account *a = acs_mca_acct(r->scn, r->obj_id);
	json_t *list = json_array(), *body;
	size_t i;

	if (a == NULL || acs_mca_want_owner(r, p, r->obj_id) != 0 ||
	    acs_mca_want_post_as_get(r, p) != 0) {
		if (a == NULL)
			acs_mca_problem(r, 404, "malformed", "no such account");
		json_decref(list);
		return;
	}
	for (i = 0; i < a->norders; i++) {
		struct mca_order *o = acs_mca_order(r->scn, a->orders[i]);
		char *u;

		/* section 7.1.2.1: the list SHOULD leave invalid orders out */
		if (o == NULL ||
		    (o->status == ST_INVALID && !mca_mb(r->scn, MB_ORDERS_LIST_INVALID)) ||
		    (o->status != ST_VALID && mca_mb(r->scn, MB_ORDERS_LIST_VALID_ONLY)))
			continue;
		u = acs_mca_obj_url(r, "/order/", o->id, o->rid, "");
		if (u != NULL)
			json_array_append_new(list, json_string(u));
		free(u);
	}
	body = mca_mb(r->scn, MB_ORDERS_LIST_BARE) ? json_incref(list)
	                                           : json_pack("{s:O}", "orders", list);
	json_decref(list);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
}
