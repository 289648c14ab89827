/*
 * Scenarios by name, with counted references, and the public functions of
 * mockca.h that act on one scenario.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "harness/b64url.h"
#include "mockserver/ca.h"
#include "mockserver/instance.h"
#include "mockserver/registry.h"
#include "mockserver/store.h"

int acs_mca_scenario_name_ok(const char *n, size_t len)
{
	size_t i;

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++) {
		char c = n[i];

		if (!(isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return !(len == 1 && n[0] == '.') && !(len == 2 && n[0] == '.' && n[1] == '.');
}

/* Hash chains of the registry: a power of two. */
#define SCN_BUCKETS 4096

/* A new scenario with the CA's defaults; the registry's reference. */
static struct mca_scenario *scenario_new(struct acs_mockca *ca, const char *name)
{
	struct mca_scenario *s =
	    acs_mca_scenario_new(name, ca->default_mb, ca->eab_kid, ca->eab_key, ca->eab_key_len);

	if (s != NULL)
		s->log_bytes_max = ca->log_bytes_max;
	return s;
}

/* FNV-1a of a name, reduced to a bucket. */
static size_t name_bucket(const char *name)
{
	uint32_t h = 2166136261u;

	for (; *name != '\0'; name++) {
		h ^= (unsigned char)*name;
		h *= 16777619u;
	}
	return h & (SCN_BUCKETS - 1);
}

/* Registry lock held. */
static struct mca_scenario *scenario_find(struct acs_mockca *ca, const char *name)
{
	struct mca_scenario *s;

	if (ca->scn_buckets == NULL)
		return NULL;
	for (s = ca->scn_buckets[name_bucket(name)]; s != NULL; s = s->next) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* Registry lock held: take s off the most-recently-used list. */
static void lru_unlink(struct acs_mockca *ca, struct mca_scenario *s)
{
	if (s->lru_prev != NULL)
		s->lru_prev->lru_next = s->lru_next;
	else
		ca->lru_head = s->lru_next;
	if (s->lru_next != NULL)
		s->lru_next->lru_prev = s->lru_prev;
	else
		ca->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

/* Registry lock held: s becomes the most recently used. */
static void lru_front(struct acs_mockca *ca, struct mca_scenario *s)
{
	s->lru_prev = NULL;
	s->lru_next = ca->lru_head;
	if (ca->lru_head != NULL)
		ca->lru_head->lru_prev = s;
	ca->lru_head = s;
	if (ca->lru_tail == NULL)
		ca->lru_tail = s;
}

/* Registry lock held: enter s (the registry's reference). 0, or -1 on ENOMEM. */
static int scenario_insert(struct acs_mockca *ca, struct mca_scenario *s)
{
	size_t b = name_bucket(s->name);

	if (ca->scn_buckets == NULL) {
		ca->scn_buckets = calloc(SCN_BUCKETS, sizeof(*ca->scn_buckets));
		if (ca->scn_buckets == NULL)
			return -1;
	}
	s->next = ca->scn_buckets[b];
	ca->scn_buckets[b] = s;
	lru_front(ca, s);
	ca->nscenarios++;
	return 0;
}

/* Registry lock held: take s out of the registry (the caller gets its reference). */
static void scenario_unlink(struct acs_mockca *ca, struct mca_scenario *s)
{
	struct mca_scenario **pp;

	for (pp = &ca->scn_buckets[name_bucket(s->name)]; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	s->next = NULL;
	lru_unlink(ca, s);
	ca->nscenarios--;
}

/*
 * Registry lock held: the least recently used scenario made by a request
 * that nothing uses (only the registry's reference), taken out of the
 * registry; NULL when every scenario is busy or was added by the harness.
 */
static struct mca_scenario *evict_idle(struct acs_mockca *ca)
{
	struct mca_scenario *s;

	for (s = ca->lru_tail; s != NULL; s = s->lru_prev) {
		if (s->auto_made && s->refs == 1) {
			scenario_unlink(ca, s);
			ca->evicted++;
			return s;
		}
	}
	return NULL;
}

struct mca_scenario *acs_mca_scn_open(struct acs_mockca *ca, const char *name, int create,
                                      int *full)
{
	struct mca_scenario *s, *old = NULL;

	if (full != NULL)
		*full = 0;
	pthread_mutex_lock(&ca->reg_lock);
	s = scenario_find(ca, name);
	if (s == NULL && create && acs_mca_scenario_name_ok(name, strlen(name))) {
		if (ca->nscenarios >= ca->scenario_max)
			old = evict_idle(ca);
		if (ca->nscenarios >= ca->scenario_max) {
			if (full != NULL)
				*full = 1;
		} else {
			s = scenario_new(ca, name);
			if (s != NULL) {
				s->auto_made = 1;
				if (scenario_insert(ca, s) != 0) {
					acs_mca_scenario_free(s);
					s = NULL;
				}
			}
		}
	} else if (s != NULL) {
		lru_unlink(ca, s);
		lru_front(ca, s);
	}
	if (s != NULL)
		s->refs++;
	pthread_mutex_unlock(&ca->reg_lock);
	acs_mca_scn_put(ca, old);
	return s;
}

struct mca_scenario *acs_mca_scn_get(struct acs_mockca *ca, const char *name, int create)
{
	return acs_mca_scn_open(ca, name, create, NULL);
}

void acs_mca_scn_put(struct acs_mockca *ca, struct mca_scenario *s)
{
	int last;

	if (s == NULL)
		return;
	pthread_mutex_lock(&ca->reg_lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&ca->reg_lock);
	if (last)
		acs_mca_scenario_free(s);
}

void acs_mca_scn_ref(struct acs_mockca *ca, struct mca_scenario *s)
{
	pthread_mutex_lock(&ca->reg_lock);
	s->refs++;
	pthread_mutex_unlock(&ca->reg_lock);
}

void acs_mca_registry_clear(struct acs_mockca *ca)
{
	struct mca_scenario *s;

	for (;;) {
		pthread_mutex_lock(&ca->reg_lock);
		s = ca->lru_head;
		if (s != NULL)
			scenario_unlink(ca, s);
		pthread_mutex_unlock(&ca->reg_lock);
		if (s == NULL)
			break;
		acs_mca_scn_put(ca, s);
	}
	free(ca->scn_buckets);
	ca->scn_buckets = NULL;
}

size_t acs_mca_registry_count(struct acs_mockca *ca, size_t *evicted)
{
	size_t n;

	pthread_mutex_lock(&ca->reg_lock);
	n = ca->nscenarios;
	if (evicted != NULL)
		*evicted = ca->evicted;
	pthread_mutex_unlock(&ca->reg_lock);
	return n;
}

int acs_mockca_scenario_add(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario *s, *old = NULL;
	int rc = 0;

	if (scenario == NULL || !acs_mca_scenario_name_ok(scenario, strlen(scenario)))
		return acs_err_set(err, ACS_E_INVAL, "bad scenario name \"%s\"",
		                   scenario != NULL ? scenario : "");
	pthread_mutex_lock(&ca->reg_lock);
	if (scenario_find(ca, scenario) != NULL) {
		rc = acs_err_set(err, ACS_E_STATE, "scenario %s exists already", scenario);
	} else {
		/* the harness's own scenarios are never refused: they make room if they can */
		if (ca->nscenarios >= ca->scenario_max)
			old = evict_idle(ca);
		s = scenario_new(ca, scenario);
		if (s == NULL || scenario_insert(ca, s) != 0) {
			acs_mca_scenario_free(s);
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		}
	}
	pthread_mutex_unlock(&ca->reg_lock);
	acs_mca_scn_put(ca, old);
	return rc;
}

int acs_mockca_scenario_remove(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario *s;

	pthread_mutex_lock(&ca->reg_lock);
	s = scenario_find(ca, scenario);
	if (s != NULL)
		scenario_unlink(ca, s);
	pthread_mutex_unlock(&ca->reg_lock);
	if (s == NULL)
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	acs_mca_scn_put(ca, s);
	return 0;
}

int acs_mockca_misbehave(struct acs_mockca *ca, const char *scenario, const char *spec,
                         struct acs_err *err)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	int rc;

	if (s == NULL)
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	pthread_mutex_lock(&s->lock);
	rc = acs_mca_mb_set(s->mb, spec, err);
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return rc;
}

int acs_mockca_misbehave_default(struct acs_mockca *ca, const char *spec, struct acs_err *err)
{
	int rc;

	pthread_mutex_lock(&ca->reg_lock);
	rc = acs_mca_mb_set(ca->default_mb, spec, err);
	pthread_mutex_unlock(&ca->reg_lock);
	return rc;
}

int acs_mockca_misbehave_clear(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);

	if (s == NULL)
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	pthread_mutex_lock(&s->lock);
	memset(s->mb, 0, sizeof(s->mb));
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return 0;
}

json_t *acs_mockca_log(struct acs_mockca *ca, const char *scenario)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	json_t *copy;

	if (s == NULL)
		return NULL;
	pthread_mutex_lock(&s->lock);
	copy = json_deep_copy(s->log);
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return copy;
}

int acs_mockca_scenario_eab(struct acs_mockca *ca, const char *scenario, const char *kid,
                            const char *hmac_b64url, struct acs_err *err)
{
	struct mca_scenario *s;
	unsigned char *key = NULL;
	size_t klen = 0;
	char *k = NULL;
	struct acs_err e2;

	if ((kid == NULL) != (hmac_b64url == NULL))
		return acs_err_set(err, ACS_E_INVAL,
		                   "EAB needs both a key identifier and an HMAC key");
	if (kid != NULL) {
		if (kid[0] == '\0')
			return acs_err_set(err, ACS_E_INVAL, "EAB key identifier is empty");
		if (acs_b64url_decode(hmac_b64url, strlen(hmac_b64url), &key, &klen, &e2) != 0 ||
		    klen == 0) {
			free(key);
			return acs_err_set(err, ACS_E_INVAL, "EAB HMAC key is not base64url");
		}
		k = strdup(kid);
		if (k == NULL) {
			free(key);
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		}
	}
	s = acs_mca_scn_get(ca, scenario, 0);
	if (s == NULL) {
		free(k);
		free(key);
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	}
	pthread_mutex_lock(&s->lock);
	free(s->eab_kid);
	free(s->eab_key);
	s->eab_kid = k;
	s->eab_key = key;
	s->eab_key_len = klen;
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return 0;
}

size_t acs_mockca_check_count(struct acs_mockca *ca, const char *scenario, const char *check_id)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	size_t n;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = (size_t)json_integer_value(json_object_get(s->check_counts, check_id));
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return n;
}

size_t acs_mockca_request_count(struct acs_mockca *ca, const char *scenario)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	size_t n;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = s->requests;
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return n;
}

json_t *acs_mockca_issued(struct acs_mockca *ca, const char *scenario)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	json_t *arr;
	size_t i;

	if (s == NULL)
		return NULL;
	arr = json_array();
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->ncerts; i++) {
		char *pem = acs_mca_x509_pem(s->certs[i]->leaf);

		if (pem != NULL)
			json_array_append_new(arr, json_string(pem));
		free(pem);
	}
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return arr;
}
