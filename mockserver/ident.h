/*
 * Identifiers of newOrder and newAuthz (ident.c, sections 7.1.4 and 7.4):
 * the checks and normalisation of one identifier, and the problem document
 * that refuses some (section 6.7.1).
 */
#ifndef ACMESPEC_MOCKCA_IDENT_H
#define ACMESPEC_MOCKCA_IDENT_H

#include <jansson.h>
#include <stddef.h>
#include "harness/x509.h"

struct mca_req;

/*
 * Check and normalise one identifier (v borrowed). NULL when it is
 * acceptable (*out filled, wildcards keep their "*."), else the problem
 * type (static), with the reason in detail.
 */
const char *acs_mca_ident_check(struct mca_req *r, const json_t *v, struct acs_ident *out,
                                char *detail, size_t dlen);

/*
 * Refuse a newOrder for its identifiers (section 6.7.1): one refused
 * identifier of a one-identifier order gets a plain problem; otherwise the
 * problem lists a subproblem with the identifier object for each refusal.
 * subs: array of {"type": short type, "detail", "identifier"} (borrowed).
 */
void acs_mca_refuse_identifiers(struct mca_req *r, json_t *subs, size_t nids);

#endif
