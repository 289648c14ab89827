/*
 * Account key rollover (section 7.3.5): the numbered steps of the RFC's
 * list, each refused the way the RFC says unless a misbehaviour skips it.
 */
#include <stdlib.h>
#include <string.h>
#include "mockserver/req.h"
#include "mockserver/res_account.h"
#include "mockserver/res_keychange.h"
#include "mockserver/store.h"
#include "mockserver/verify.h"

/*
 * Steps 3 and 4, and no nonce: the inner JWS carries the new key as jwk
 * (*ijwk, borrowed from inner), is signed with it, and its payload parses
 * (*ipl, new reference). *nk: the new key (owned by the caller).
 */
static int inner_verify(struct mca_req *r, struct acs_jws *inner, json_t **ijwk,
                        struct acs_key **nk, json_t **ipl)
{
	int lax = mca_mb(r->scn, MB_KEYCHANGE_UNCHECKED);
	int unverified = mca_mb(r->scn, MB_KEYCHANGE_INNER_UNVERIFIED);
	struct acs_err err;
	const char *ialg;

	acs_err_clear(&err);
	/* 3: it has a jwk */
	*ijwk = json_object_get(inner->protected_hdr, "jwk");
	if (*ijwk == NULL || json_object_get(inner->protected_hdr, "kid") != NULL) {
		acs_mca_check(r, CK_KEYCHANGE_INNER_JWK, "inner JWS has %s",
		              *ijwk == NULL ? "no jwk" : "a kid");
		if (!unverified) {
			acs_mca_problem(r, 400, "malformed",
			                "inner JWS must carry the new key as jwk");
			return -1;
		}
	}
	/* 4: it verifies with that jwk */
	if (*ijwk != NULL && acs_jwk_import(*ijwk, 0, nk, &err) != 0) {
		acs_mca_problem(r, 400, "badPublicKey", "inner JWS: %s", err.msg);
		return -1;
	}
	ialg = acs_jws_header_str(inner, "alg");
	if (!unverified && (ialg == NULL || !acs_mca_alg_fits_key(ialg, *nk))) {
		acs_mca_check(r, CK_ALG_MATCHES_KEY, "inner alg %s does not fit the new key",
		              ialg != NULL ? ialg : "(absent)");
		acs_mca_bad_alg(r, "inner JWS alg does not match its key");
		return -1;
	}
	if (!unverified && acs_jws_verify(inner, *nk, &err) != 0) {
		acs_mca_check(r, CK_KEYCHANGE_INNER_JWK, "inner JWS does not verify: %s", err.msg);
		acs_mca_problem(r, 400, "malformed", "inner JWS does not verify: %s", err.msg);
		return -1;
	}
	if (json_object_get(inner->protected_hdr, "nonce") != NULL) {
		acs_mca_check(r, CK_KEYCHANGE_INNER_NO_NONCE, "inner JWS has a nonce");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed", "inner JWS must not have a nonce");
			return -1;
		}
	}
	if (inner->payload != NULL)
		*ipl = json_loadb((const char *)inner->payload, inner->payload_len, 0, NULL);
	return 0;
}

/*
 * Steps 6 to 8: the inner url is the outer one, account is the signer's
 * URL, oldKey is the current key. account: the inner payload's (borrowed).
 */
static int keychange_matches(struct mca_req *r, struct mca_post *p, const struct acs_jws *inner,
                             const json_t *ipl, const char *account)
{
	struct mca_account *a = p->acct;
	int lax = mca_mb(r->scn, MB_KEYCHANGE_UNCHECKED);
	const char *iurl, *ourl;
	struct acs_key *ok = NULL;
	struct acs_err err;
	char *myurl = NULL;
	int rc = -1;

	/* 6: same url */
	if (inner != NULL) {
		iurl = acs_jws_header_str(inner, "url");
		ourl = acs_jws_header_str(p->jws, "url");
		if (iurl == NULL || ourl == NULL || strcmp(iurl, ourl) != 0) {
			acs_mca_check(r, CK_KEYCHANGE_INNER_URL,
			              "inner url %.200s differs from the outer",
			              iurl != NULL ? iurl : "(absent)");
			if (!lax) {
				acs_mca_problem(r, 400, "malformed",
				                "inner url must equal the outer url");
				goto out;
			}
		}
	}
	/* 7: account = the kid */
	myurl = acs_mca_obj_url(r, "/acct/", a->id, a->rid, "");
	if (myurl == NULL || strcmp(account, myurl) != 0) {
		acs_mca_check(r, CK_KEYCHANGE_ACCOUNT, "account %.200s is not the signer's %s",
		              account, myurl != NULL ? myurl : "");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed",
			                "account must be the URL of the signing account");
			goto out;
		}
	}
	/* 8: oldKey = current key */
	if (acs_jwk_import(json_object_get(ipl, "oldKey"), 1, &ok, &err) != 0 ||
	    !acs_key_equal(ok, a->key)) {
		acs_mca_check(r, CK_KEYCHANGE_OLDKEY, "oldKey is not the current account key");
		if (!lax) {
			acs_mca_problem(r, 400, "malformed",
			                "oldKey is not the current account key");
			goto out;
		}
	}
	rc = 0;
out:
	free(myurl);
	acs_key_free(ok);
	return rc;
}

/* Step 9: the new key is nobody's; else 409 with the other account's Location. */
static int new_key_free(struct mca_req *r, struct mca_account *a, const struct acs_key *nk)
{
	struct mca_scenario *s = r->scn;
	struct mca_account *other = nk != NULL ? acs_mca_acct_by_key(s, nk) : NULL;
	char *loc;

	if (other == a) {
		acs_mca_problem(r, 400, "malformed", "the new key is the current key");
		return -1;
	}
	if (other == NULL || mca_mb(s, MB_KEYCHANGE_STEALS_KEY))
		return 0;
	loc = acs_mca_obj_url(r, "/acct/", other->id, other->rid, "");
	if (!mca_mb(s, MB_KEYCHANGE_NO_LOCATION))
		(void)acs_mca_add_header(&r->resp, "Location", "%s", loc != NULL ? loc : "");
	free(loc);
	if (mca_mb(s, MB_KEYCHANGE_CONFLICT_UNREGISTERED))
		acs_mca_problem(r, 409, "conflict",
		                "the new key is already in use by another account");
	else
		acs_mca_problem(r, 409, "malformed",
		                "the new key is already in use by another account");
	return -1;
}

/* The rollover itself, and what misbehaviours do besides. nk, ijwk: taken / borrowed. */
static void keychange_apply(struct mca_req *r, struct mca_account *a, struct acs_key *nk,
                            const json_t *ijwk)
{
	struct mca_scenario *s = r->scn;
	size_t i;

	if (nk != NULL && !mca_mb(s, MB_KEYCHANGE_NOT_APPLIED)) {
		acs_key_free(a->old_key);
		a->old_key = a->key;
		a->key = nk;
		nk = NULL;
		json_decref(a->jwk);
		a->jwk = json_deep_copy(ijwk);
	}
	acs_key_free(nk);
	if (mca_mb(s, MB_KEYCHANGE_INVALIDATES_ORDERS)) {
		for (i = 0; i < a->norders; i++) {
			struct mca_order *o = acs_mca_order(s, a->orders[i]);

			if (o != NULL && (o->status == ST_PENDING || o->status == ST_READY))
				o->status = ST_INVALID;
		}
	}
}

void acs_mca_do_key_change(struct mca_req *r, struct mca_post *p)
{
	struct acs_jws *inner = NULL;
	struct acs_key *nk = NULL;
	struct acs_err err;
	json_t *ipl = NULL, *ijwk = NULL, *body;
	const char *account;
	char *text = NULL;

	acs_err_clear(&err);
	/* 1: the outer JWS passed section 6 (verify_post, kid) */
	if (acs_mca_want_object(r, p) != 0)
		goto out;
	/* 2: the payload is a JWS */
	text = json_dumps(p->payload, JSON_COMPACT);
	if (text == NULL || acs_jws_parse(text, strlen(text), &inner, &err) != 0) {
		if (!mca_mb(r->scn, MB_KEYCHANGE_INNER_UNVERIFIED)) {
			acs_mca_problem(r, 400, "malformed", "keyChange payload is not a JWS: %s",
			                err.msg);
			goto out;
		}
		/* keychange-inner-unverified: the payload is taken as the keyChange object */
		ipl = json_incref(p->payload);
	}
	if (inner != NULL && inner_verify(r, inner, &ijwk, &nk, &ipl) != 0)
		goto out;
	/* 5: a well-formed keyChange object */
	account = json_string_value(json_object_get(ipl, "account"));
	if (ipl == NULL || account == NULL || !json_is_object(json_object_get(ipl, "oldKey"))) {
		acs_mca_problem(r, 400, "malformed", "inner payload must hold account and oldKey");
		goto out;
	}
	if (keychange_matches(r, p, inner, ipl, account) != 0 || new_key_free(r, p->acct, nk) != 0)
		goto out;
	keychange_apply(r, p->acct, nk, ijwk);
	nk = NULL;
	body = acs_mca_account_json(r, p->acct);
	acs_mca_resp_json(r, 200, body);
	json_decref(body);
out:
	free(text);
	acs_jws_free(inner);
	acs_key_free(nk);
	json_decref(ipl);
}
