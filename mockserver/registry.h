/*
 * The scenario registry of a CA (registry.c): scenarios by name, counted
 * references so that a request or a validation job keeps its scenario alive
 * while another thread removes it. The public scenario functions of mockca.h
 * live there too.
 */
#ifndef ACMESPEC_MOCKCA_REGISTRY_H
#define ACMESPEC_MOCKCA_REGISTRY_H

#include <stddef.h>

struct acs_mockca;
struct mca_scenario;

/* Is n[0..len) a scenario name (1 to 64 of [A-Za-z0-9._-], not "." or "..")? */
int acs_mca_scenario_name_ok(const char *n, size_t len);

/*
 * The scenario called name with a new reference (give it back with
 * acs_mca_scn_put), or NULL. create: make it when unknown and the name is
 * good (auto_scenarios).
 */
struct mca_scenario *acs_mca_scn_get(struct acs_mockca *ca, const char *name, int create);

/*
 * The same, and when create is set and the registry is full of scenarios
 * that are busy or were added by the harness, NULL with *full = 1 (the
 * request gets 429 rateLimited). Making a scenario first evicts the least
 * recently used idle one a request made, when the registry is at its cap.
 */
struct mca_scenario *acs_mca_scn_open(struct acs_mockca *ca, const char *name, int create,
                                      int *full);

/* Scenarios in the registry now; *evicted (NULL allowed): evicted so far. */
size_t acs_mca_registry_count(struct acs_mockca *ca, size_t *evicted);

/* Drop a reference; the last one frees the scenario (NULL allowed). */
void acs_mca_scn_put(struct acs_mockca *ca, struct mca_scenario *s);

/* Another reference on s, which the caller holds one of already. */
void acs_mca_scn_ref(struct acs_mockca *ca, struct mca_scenario *s);

/* Drop the registry's reference on every scenario (when the CA stops). */
void acs_mca_registry_clear(struct acs_mockca *ca);

#endif
