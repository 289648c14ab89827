/*
 * Certificate profiles (draft-ietf-acme-profiles) as the mock CA offers
 * them, and the Let's Encrypt (Boulder) behaviour switch: which profiles
 * the directory advertises, which one an order gets, what it changes in
 * the certificate, and the CSR and newOrder fields Let's Encrypt refuses.
 */
#ifndef ACMESPEC_MOCKSERVER_PROFILES_H
#define ACMESPEC_MOCKSERVER_PROFILES_H

#include <jansson.h>
#include <time.h>
#include "mockserver/req.h"
#include "mockserver/store.h"

/* Validity of a shortlived certificate: 160 hours, as Let's Encrypt's. */
#define MCA_SHORTLIVED_SECONDS (160L * 3600)

/* Add "profiles" to the directory's meta object (unless no-profiles). */
void acs_mca_profiles_meta(const struct mca_scenario *s, json_t *meta);

/*
 * The profile of a new order o from the newOrder payload and its
 * identifiers list[0..n): a requested one when advertised and fit for the
 * identifiers, otherwise refused (invalidProfile); none requested: the
 * default one. Sets o->profile and, when the order asked no notAfter,
 * the validity the profile gives (o->na). 0, or -1 answered.
 */
int acs_mca_order_profile(struct mca_req *r, const json_t *payload, const struct acs_ident *list,
                          size_t n, struct mca_order *o);

/* Let's Encrypt refuses notBefore/notAfter in newOrder: 0, or -1 answered (letsencrypt). */
int acs_mca_le_validity_fields(struct mca_req *r, const json_t *payload);

/* Let's Encrypt refuses Must-Staple CSRs: 0, or -1 answered (letsencrypt). */
int acs_mca_le_must_staple(struct mca_req *r, const unsigned char *der, size_t len);

/* The letsencrypt switch turns on the switches that play Boulder's behaviour. */
void acs_mca_letsencrypt_expand(struct mca_mb_state *tab);

#endif
