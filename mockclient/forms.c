/*
 * Bodies that are JWS or certificates in their own right (see forms.h).
 */
#include "mockclient/forms.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/x509.h"

json_t *acs_acme_eab_make(const struct acs_acme_eab *e, struct acs_err *err)
{
	struct acs_key *other = NULL;
	json_t *hdr = NULL, *jwk = NULL, *out = NULL;
	char *payload = NULL, *jws = NULL;

	hdr = json_pack("{s:s,s:s}", "kid", e->kid, "url", e->url);
	if (hdr == NULL)
		goto nomem;
	if (e->alg != NULL)
		json_object_set_new(hdr, "alg", json_string(e->alg));
	if (e->nonce != NULL)
		json_object_set_new(hdr, "nonce", json_string(e->nonce));
	if (e->other_key) {
		if (acs_key_generate(&other, ACS_KEY_EC256, err) != 0) {
			acs_err_prefix(err, "cannot make a key");
			goto out;
		}
		jwk = acs_jwk_public(other);
	} else {
		jwk = acs_jwk_public(e->acct_key);
	}
	payload = jwk != NULL ? json_dumps(jwk, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	if (payload == NULL) {
		acs_err_set(err, ACS_E_CRYPTO, "cannot export the account key");
		goto out;
	}
	if (ACS_MIS_HAS(e->mis, ACS_MIS_ALG_NONE))
		jws =
		    acs_acme_jws(e->acct_key, NULL, 0, hdr, payload, strlen(payload), e->mis, err);
	else
		jws = acs_acme_jws(NULL, e->mac, e->mac_len, hdr, payload, strlen(payload), e->mis,
		                   err);
	if (jws == NULL) {
		acs_err_prefix(err, "cannot make the external account binding");
		goto out;
	}
	out = json_loads(jws, 0, NULL);
	if (out == NULL)
		goto nomem;
	goto out;
nomem:
	acs_err_set(err, ACS_E_NOMEM, "out of memory");
out:
	free(payload);
	free(jws);
	json_decref(hdr);
	json_decref(jwk);
	acs_key_free(other);
	return out;
}

/* The inner payload {account, oldKey}, wrong on purpose as k->mis says. New string. */
static char *keychange_payload(const struct acs_acme_keychange *k, struct acs_err *err)
{
	struct acs_key *wrong = NULL;
	struct acs_buf acct;
	json_t *oldjwk, *p = NULL;
	char *text = NULL;

	if (ACS_MIS_HAS(k->mis, ACS_MIS_INNER_OLDKEY_WRONG) &&
	    acs_key_generate(&wrong, ACS_KEY_EC256, err) != 0) {
		acs_err_prefix(err, "cannot make a key");
		return NULL;
	}
	acs_buf_init(&acct, 8192);
	acs_buf_printf(&acct, "%s%s", k->account_url,
	               ACS_MIS_HAS(k->mis, ACS_MIS_INNER_ACCOUNT_WRONG) ? "0" : "");
	/* the key the account has now, whatever signs the outer JWS */
	oldjwk = acs_jwk_public(wrong != NULL ? wrong : k->old_key);
	if (acct.data != NULL && oldjwk != NULL)
		p = json_pack("{s:s,s:O}", "account", acct.data, "oldKey", oldjwk);
	if (p != NULL)
		text = json_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	if (text == NULL)
		acs_err_set(err, ACS_E_NOMEM, "cannot build the key-change payload");
	json_decref(p);
	json_decref(oldjwk);
	acs_buf_free(&acct);
	acs_key_free(wrong);
	return text;
}

char *acs_acme_keychange_inner(const struct acs_acme_keychange *k, struct acs_err *err)
{
	acs_mis_set sign_mis = 0;
	json_t *hdr = json_object();
	char *text = NULL, *inner = NULL;

	if (hdr == NULL) {
		acs_err_set(err, ACS_E_NOMEM, "out of memory");
		return NULL;
	}
	if (ACS_MIS_HAS(k->mis, ACS_MIS_INNER_KID))
		json_object_set_new(hdr, "kid", json_string(k->account_url));
	else
		json_object_set_new(hdr, "jwk", acs_jwk_public(k->new_key));
	json_object_set_new(
	    hdr, "url",
	    json_string(ACS_MIS_HAS(k->mis, ACS_MIS_INNER_URL_MISMATCH) && k->other_url != NULL
	                    ? k->other_url
	                    : k->url));
	if (k->with_nonce)
		json_object_set_new(hdr, "nonce", json_string("AAAAAAAAAAAAAAAAAAAAAA"));
	if (ACS_MIS_HAS(k->mis, ACS_MIS_INNER_SIG_CORRUPT))
		sign_mis |= ACS_MIS_BIT(ACS_MIS_SIG_CORRUPT);
	text = keychange_payload(k, err);
	if (text != NULL && ACS_MIS_HAS(k->mis, ACS_MIS_INNER_NOT_JWS)) {
		inner = text;
		text = NULL;
	} else if (text != NULL) {
		inner = acs_acme_jws(k->new_key, NULL, 0, hdr, text, strlen(text), sign_mis, err);
		if (inner == NULL)
			acs_err_prefix(err, "inner JWS");
	}
	free(text);
	json_decref(hdr);
	return inner;
}

char *acs_acme_revoke_payload(const char *pem, const json_t *reason, struct acs_err *err)
{
	struct acs_chain *chain = NULL;
	unsigned char *der = NULL;
	char *b64 = NULL, *text = NULL;
	json_t *p = NULL;
	int len;

	if (pem == NULL || acs_chain_parse(pem, strlen(pem), &chain, err) != 0 || chain->n == 0) {
		if (chain != NULL || pem == NULL)
			acs_err_set(err, ACS_E_PARSE, "no certificate in the chain");
		acs_err_prefix(err, "cannot read the certificate back");
		acs_chain_free(chain);
		return NULL;
	}
	len = i2d_X509(chain->certs[0], &der);
	if (len > 0)
		b64 = acs_b64url_encode(der, (size_t)len);
	if (b64 != NULL)
		p = json_pack("{s:s}", "certificate", b64);
	if (p != NULL && reason != NULL)
		json_object_set(p, "reason", (json_t *)reason);
	if (p != NULL)
		text = json_dumps(p, JSON_COMPACT);
	if (text == NULL)
		acs_err_set(err, len > 0 ? ACS_E_NOMEM : ACS_E_CRYPTO,
		            "cannot encode the certificate");
	acs_chain_free(chain);
	OPENSSL_free(der);
	free(b64);
	json_decref(p);
	return text;
}

char *acs_acme_finalize_payload(const unsigned char *der, size_t der_len, struct acs_err *err)
{
	char *csr = acs_b64url_encode(der, der_len), *text = NULL;
	json_t *p = csr != NULL ? json_pack("{s:s}", "csr", csr) : NULL;

	if (p != NULL)
		text = json_dumps(p, JSON_COMPACT);
	if (text == NULL)
		acs_err_set(err, ACS_E_NOMEM, "out of memory");
	json_decref(p);
	free(csr);
	return text;
}

int acs_acme_leaf_is_for(const struct acs_chain *chain, const struct acs_key *key)
{
	EVP_PKEY *pk;

	if (chain == NULL || chain->n == 0 || key == NULL)
		return 0;
	pk = X509_get0_pubkey(chain->certs[0]);
	return pk != NULL && EVP_PKEY_eq(pk, acs_key_evp(key)) == 1;
}
