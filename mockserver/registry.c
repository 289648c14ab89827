/*
 * Scenarios by name, with counted references, and the public functions of
 * mockca.h that act on one scenario.
 */
#include <ctype.h>
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

/* A new scenario with the CA's defaults; the registry's reference. */
static struct mca_scenario *scenario_new(struct acs_mockca *ca, const char *name)
{
	return acs_mca_scenario_new(name, ca->default_mb, ca->eab_kid, ca->eab_key,
	                            ca->eab_key_len);
}

/* Registry lock held. */
static struct mca_scenario *scenario_find(struct acs_mockca *ca, const char *name)
{
	struct mca_scenario *s;

	for (s = ca->scenarios; s != NULL; s = s->next) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

struct mca_scenario *acs_mca_scn_get(struct acs_mockca *ca, const char *name, int create)
{
	struct mca_scenario *s;

	pthread_mutex_lock(&ca->reg_lock);
	s = scenario_find(ca, name);
	if (s == NULL && create && acs_mca_scenario_name_ok(name, strlen(name))) {
		s = scenario_new(ca, name);
		if (s != NULL) {
			s->next = ca->scenarios;
			ca->scenarios = s;
		}
	}
	if (s != NULL)
		s->refs++;
	pthread_mutex_unlock(&ca->reg_lock);
	return s;
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
	struct mca_scenario *s, *next;

	s = ca->scenarios;
	ca->scenarios = NULL;
	for (; s != NULL; s = next) {
		next = s->next;
		acs_mca_scn_put(ca, s);
	}
}

int acs_mockca_scenario_add(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario *s;
	int rc = 0;

	if (scenario == NULL || !acs_mca_scenario_name_ok(scenario, strlen(scenario)))
		return acs_err_set(err, ACS_E_INVAL, "bad scenario name \"%s\"",
		                   scenario != NULL ? scenario : "");
	pthread_mutex_lock(&ca->reg_lock);
	if (scenario_find(ca, scenario) != NULL) {
		rc = acs_err_set(err, ACS_E_STATE, "scenario %s exists already", scenario);
	} else {
		s = scenario_new(ca, scenario);
		if (s == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		} else {
			s->next = ca->scenarios;
			ca->scenarios = s;
		}
	}
	pthread_mutex_unlock(&ca->reg_lock);
	return rc;
}

int acs_mockca_scenario_remove(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario **pp, *s = NULL;

	pthread_mutex_lock(&ca->reg_lock);
	for (pp = &ca->scenarios; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, scenario) == 0) {
			s = *pp;
			*pp = s->next;
			break;
		}
	}
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
