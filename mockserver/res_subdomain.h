/*
 * Subdomain authorizations (res_subdomain.c, RFC 9444), behind the
 * subdomain-auth behaviour: ancestorDomain on newOrder identifiers,
 * subdomainAuthAllowed on newAuthz, and which authorization covers a name.
 */
#ifndef ACMESPEC_MOCKCA_RES_SUBDOMAIN_H
#define ACMESPEC_MOCKCA_RES_SUBDOMAIN_H

#include <jansson.h>
#include "harness/x509.h"

struct mca_req;
struct mca_scenario;
struct mca_order;

/*
 * Is anc an ancestor domain of name (RFC 9444 section 2): name ends with
 * anc on a label boundary and has more labels. suffix_only: the
 * subdomain-ancestor-suffix-match fault (any longer string suffix counts).
 */
int acs_mca_is_ancestor(const char *anc, const char *name, int suffix_only);

/*
 * The request checks on a newOrder's identifiers (any scenario), then,
 * with subdomain-auth, their "ancestorDomain" (section 4.3): 0 when
 * acceptable, -1 when answered with a problem (400 malformed).
 */
int acs_mca_subdomain_order_check(struct mca_req *r, const json_t *ids);

/*
 * The authorization of a new order for one identifier id (not a wildcard)
 * with subdomain-auth: a valid subdomain authorization of the account for
 * an ancestor of id; else, when the newOrder named an ancestorDomain for
 * id (ids: the payload's identifiers), one for that ancestor (one already
 * listed in o, or a new one). The id, 0 when subdomain rules give none,
 * -1 when none can be made.
 */
int acs_mca_subdomain_authz(struct mca_scenario *s, struct mca_order *o, const json_t *ids,
                            const struct acs_ident *id);

/*
 * newAuthz's identifier object: its "subdomainAuthAllowed" checked (any
 * scenario) and, with subdomain-auth, *subdomain set when it is true.
 * 0, or -1 when answered with a problem.
 */
int acs_mca_subdomain_newauthz(struct mca_req *r, const json_t *ident, int *subdomain);

/* "subdomainAuthAllowed" of an authorization's JSON, as the switches say. */
void acs_mca_subdomain_authz_json(struct mca_scenario *s, int subdomain, json_t *o);

#endif
