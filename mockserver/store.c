/*
 * The object store of a scenario: creation and release, lookups by id, URL
 * reference and key, and the status changes of section 7.1.6.
 */
#include <ctype.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness/b64url.h"
#include "mockserver/mockca.h"
#include "mockserver/store.h"

/* ---- scenarios ---- */

void acs_mca_scenario_free(struct mca_scenario *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->naccts; i++) {
		acs_key_free(s->accts[i]->key);
		acs_key_free(s->accts[i]->old_key);
		json_decref(s->accts[i]->extra);
		json_decref(s->accts[i]->jwk);
		json_decref(s->accts[i]->contact);
		json_decref(s->accts[i]->eab);
		free(s->accts[i]->orders);
		free(s->accts[i]);
	}
	for (i = 0; i < s->norders; i++) {
		json_decref(s->orders[i]->identifiers);
		json_decref(s->orders[i]->error);
		free(s->orders[i]->authz);
		free(s->orders[i]->not_before);
		free(s->orders[i]->not_after);
		free(s->orders[i]->replaces);
		free(s->orders[i]);
	}
	for (i = 0; i < s->nauthzs; i++)
		free(s->authzs[i]);
	for (i = 0; i < s->nchalls; i++) {
		json_decref(s->challs[i]->error);
		free(s->challs[i]);
	}
	for (i = 0; i < s->ncerts; i++) {
		X509_free(s->certs[i]->leaf);
		X509_free(s->certs[i]->alt_leaf);
		free(s->certs[i]->chain);
		free(s->certs[i]->alt_chain);
		free(s->certs[i]);
	}
	free(s->accts);
	free(s->orders);
	free(s->authzs);
	free(s->challs);
	free(s->certs);
	json_decref(s->log);
	json_decref(s->check_counts);
	free(s->eab_kid);
	free(s->eab_key);
	acs_nonce_store_free(s->nonces);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

struct mca_scenario *acs_mca_scenario_new(const char *name, const struct mca_mb_state *defaults,
                                          const char *eab_kid, const unsigned char *eab_key,
                                          size_t eab_key_len)
{
	struct mca_scenario *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	(void)snprintf(s->name, sizeof(s->name), "%s", name);
	s->log = json_array();
	s->log_bytes_max = ACS_MOCKCA_LOG_BYTES;
	s->check_counts = json_object();
	memcpy(s->mb, defaults, sizeof(s->mb));
	/* the CA-wide EAB requirement (acs_mockca_opts) is every scenario's default */
	if (eab_kid != NULL) {
		s->eab_kid = strdup(eab_kid);
		s->eab_key = malloc(eab_key_len);
		if (s->eab_kid == NULL || s->eab_key == NULL) {
			acs_mca_scenario_free(s);
			return NULL;
		}
		memcpy(s->eab_key, eab_key, eab_key_len);
		s->eab_key_len = eab_key_len;
	}
	if (s->log == NULL || s->check_counts == NULL ||
	    acs_nonce_store_new(&s->nonces, 1024) != 0) {
		acs_mca_scenario_free(s);
		return NULL;
	}
	s->refs = 1;
	return s;
}

/* ---- lookups ---- */

struct mca_account *acs_mca_acct(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->naccts)
		return NULL;
	return s->accts[id - 1];
}

struct mca_order *acs_mca_order(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->norders)
		return NULL;
	return s->orders[id - 1];
}

struct mca_authz *acs_mca_authz(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->nauthzs)
		return NULL;
	return s->authzs[id - 1];
}

struct mca_chall *acs_mca_chall(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->nchalls)
		return NULL;
	return s->challs[id - 1];
}

struct mca_cert *acs_mca_cert(struct mca_scenario *s, int id)
{
	if (id < 1 || (size_t)id > s->ncerts)
		return NULL;
	return s->certs[id - 1];
}

/* Append p to a pointer array; returns the new 1-based id, or -1. */
int acs_mca_push_obj(void ***arr, size_t *n, void *p)
{
	void **na;

	if (*n >= MCA_OBJ_MAX)
		return -1;
	na = realloc(*arr, (*n + 1) * sizeof(*na));
	if (na == NULL)
		return -1;
	*arr = na;
	na[*n] = p;
	(*n)++;
	return (int)*n;
}

struct mca_account *acs_mca_acct_by_key(struct mca_scenario *s, const struct acs_key *key)
{
	size_t i;

	for (i = 0; i < s->naccts; i++) {
		if (acs_key_equal(s->accts[i]->key, key))
			return s->accts[i];
	}
	return NULL;
}

/* A fresh random part for an object's URL. */
void acs_mca_new_rid(char rid[MCA_RID_LEN])
{
	unsigned char raw[12];
	char *enc;

	rid[0] = '\0';
	if (RAND_bytes(raw, (int)sizeof(raw)) != 1)
		return;
	enc = acs_b64url_encode(raw, sizeof(raw));
	if (enc != NULL)
		(void)snprintf(rid, MCA_RID_LEN, "%s", enc);
	free(enc);
}

int acs_mca_parse_id(const char *s, const char **rest)
{
	long v = 0;

	if (!isdigit((unsigned char)*s) || *s == '0')
		return -1;
	while (isdigit((unsigned char)*s)) {
		v = v * 10 + (*s - '0');
		if (v > MCA_OBJ_MAX)
			return -1;
		s++;
	}
	*rest = s;
	return (int)v;
}

/* The random URL part of object id of the kind endpoint ep serves, or NULL. */
static const char *rid_of(struct mca_scenario *s, int ep, int id)
{
	struct mca_account *a;
	struct mca_order *o;
	struct mca_authz *az;
	struct mca_chall *c;
	struct mca_cert *ce;

	switch (ep) {
	case EP_ACCOUNT:
	case EP_ORDERS:
		a = acs_mca_acct(s, id);
		return a != NULL ? a->rid : NULL;
	case EP_ORDER:
	case EP_FINALIZE:
		o = acs_mca_order(s, id);
		return o != NULL ? o->rid : NULL;
	case EP_AUTHZ:
		az = acs_mca_authz(s, id);
		return az != NULL ? az->rid : NULL;
	case EP_CHALLENGE:
		c = acs_mca_chall(s, id);
		return c != NULL ? c->rid : NULL;
	case EP_CERT:
		ce = acs_mca_cert(s, id);
		return ce != NULL ? ce->rid : NULL;
	default:
		return NULL;
	}
}

int acs_mca_parse_ref(struct mca_scenario *s, int ep, const char *p, const char **rest)
{
	const char *rid;
	size_t n;
	int id = acs_mca_parse_id(p, rest);

	if (id < 0)
		return -1;
	rid = rid_of(s, ep, id);
	if (rid == NULL)
		return -1;
	if (**rest != '-')
		return mca_mb(s, MB_SEQUENTIAL_URLS) || rid[0] == '\0' ? id : -1;
	p = *rest + 1;
	n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-");
	if (n != strlen(rid) || strncmp(p, rid, n) != 0)
		return -1;
	*rest = p + n;
	return id;
}

/* ---- status changes ---- */

/*
 * Recompute an order's status from its authorizations (section 7.1.6): a
 * pending or ready order becomes invalid when an authorization is invalid,
 * deactivated, expired or revoked; a pending one ready when all are valid.
 */
void acs_mca_order_update(struct mca_scenario *s, struct mca_order *o)
{
	size_t i;
	int all_valid = 1, none_pending = 1;

	if (o->status != ST_PENDING && o->status != ST_READY)
		return;
	if (o->status == ST_READY && mca_mb(s, MB_DEACTIVATED_AUTHZ_KEPT))
		return;
	for (i = 0; i < o->nauthz; i++) {
		struct mca_authz *az = acs_mca_authz(s, o->authz[i]);

		if (az == NULL)
			continue;
		if (az->status == ST_PENDING)
			none_pending = 0;
		if (mca_mb(s, MB_ORDER_READY_DESPITE_INVALID))
			continue;
		if (az->status == ST_INVALID || az->status == ST_DEACTIVATED ||
		    az->status == ST_EXPIRED || az->status == ST_REVOKED) {
			o->status = ST_INVALID;
			if (o->error == NULL)
				o->error = json_pack("{s:s, s:s, s:i}", "type",
				                     MCA_PROBLEM_NS "unauthorized", "detail",
				                     "an authorization of the order is not valid",
				                     "status", 403);
			return;
		}
		if (az->status != ST_VALID)
			all_valid = 0;
	}
	if (all_valid || (none_pending && mca_mb(s, MB_ORDER_READY_DESPITE_INVALID)))
		o->status = ST_READY;
}

void acs_mca_orders_update(struct mca_scenario *s)
{
	size_t i;

	for (i = 0; i < s->norders; i++)
		acs_mca_order_update(s, s->orders[i]);
}

/* Apply a validation result to a challenge, its authorization and orders. */
void acs_mca_chall_apply(struct mca_scenario *s, struct mca_chall *c, enum mca_status result)
{
	struct mca_authz *az = acs_mca_authz(s, c->authz);

	c->status = result;
	if (az != NULL && az->status == ST_PENDING)
		az->status = result == ST_VALID ? ST_VALID : ST_INVALID;
	acs_mca_orders_update(s);
}

/* ---- authorizations ---- */

static int new_token(struct mca_scenario *s, char out[64])
{
	unsigned char raw[32];
	size_t n = mca_mb(s, MB_SHORT_TOKENS) ? 8 : 32;
	char *enc;
	size_t off = 0;

	if (RAND_bytes(raw, (int)n) != 1)
		return -1;
	enc = acs_b64url_encode(raw, n);
	if (enc == NULL)
		return -1;
	if (mca_mb(s, MB_TOKEN_UNSAFE)) {
		memcpy(out, "../", 3);
		off = 3;
	}
	(void)snprintf(out + off, 64 - off, "%s", enc);
	free(enc);
	return 0;
}

int acs_mca_authz_make(struct mca_scenario *s, int acct, const struct acs_ident *id, int wildcard,
                       int start_valid)
{
	struct mca_authz *az = calloc(1, sizeof(*az));
	int aid, i;
	int types[CT_COUNT], nt = 0;

	if (az == NULL)
		return -1;
	aid = acs_mca_push_obj((void ***)&s->authzs, &s->nauthzs, az);
	if (aid < 0) {
		free(az);
		return -1;
	}
	az->id = aid;
	acs_mca_new_rid(az->rid);
	az->acct = acct;
	az->ident = *id;
	az->wildcard = wildcard;
	az->expires = time(NULL) + 7 * 86400;
	az->status = start_valid || mca_mb(s, MB_AUTHZ_REUSED) ? ST_VALID : ST_PENDING;
	if (!wildcard)
		types[nt++] = CT_HTTP01;
	if (strcmp(id->type, "dns") == 0 || mca_mb(s, MB_IP_DNS01))
		types[nt++] = CT_DNS01;
	if (!wildcard)
		types[nt++] = CT_TLSALPN01;
	if (!wildcard && strcmp(id->type, "dns") == 0 && mca_mb(s, MB_OFFER_TLS_SNI)) {
		types[nt++] = CT_TLSSNI01;
		types[nt++] = CT_TLSSNI02;
	}
	/* dns-account-01 and dns-persist-01 for dns names, wildcards too (as Pebble 2.10) */
	if (strcmp(id->type, "dns") == 0) {
		types[nt++] = CT_DNSACCOUNT01;
		types[nt++] = CT_DNSPERSIST01;
	}
	for (i = 0; i < nt; i++) {
		struct mca_chall *c;
		int cid;

		if (s->mb[MB_NO_CHALLENGE].on &&
		    strcmp(s->mb[MB_NO_CHALLENGE].arg, acs_mca_ctype_names[types[i]]) == 0)
			continue;
		c = calloc(1, sizeof(*c));
		if (c == NULL)
			return -1;
		cid = acs_mca_push_obj((void ***)&s->challs, &s->nchalls, c);
		if (cid < 0 || new_token(s, c->token) != 0) {
			if (cid < 0)
				free(c);
			return -1;
		}
		c->id = cid;
		acs_mca_new_rid(c->rid);
		c->authz = aid;
		c->type = (enum mca_ctype)types[i];
		c->status = az->status == ST_VALID ? ST_VALID : ST_PENDING;
		c->result = ST_PROCESSING;
		if (c->status == ST_VALID)
			c->validated = time(NULL);
		az->chall[az->nchall++] = cid;
	}
	return aid;
}

/* A valid, unexpired authorization of acct for the identifier, or 0. */
int acs_mca_authz_reusable(struct mca_scenario *s, int acct, const struct acs_ident *id, int wild)
{
	time_t now = time(NULL);
	size_t i;

	for (i = s->nauthzs; i > 0; i--) {
		struct mca_authz *az = s->authzs[i - 1];

		if (az->acct == acct && az->status == ST_VALID && az->expires > now &&
		    az->wildcard == wild && strcmp(az->ident.type, id->type) == 0 &&
		    strcmp(az->ident.value, id->value) == 0)
			return az->id;
	}
	return 0;
}
