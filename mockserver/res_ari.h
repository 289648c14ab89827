/*
 * ACME Renewal Information (res_ari.c, RFC 9773): the renewalInfo resource
 * and the checks of a newOrder's "replaces".
 */
#ifndef ACMESPEC_MOCKCA_RES_ARI_H
#define ACMESPEC_MOCKCA_RES_ARI_H

#include <jansson.h>
#include <stddef.h>
#include "harness/x509.h"

struct mca_req;
struct mca_post;
struct mca_order;

/* Prefix of the renewalInfo resource under a scenario ("/renewal-info"). */
#define MCA_RENEWAL_INFO_PATH "/renewal-info"

/* GET renewalInfo/<certID> (section 4.1), unauthenticated. */
void acs_mca_do_renewal_info(struct mca_req *r);

/*
 * The "replaces" of a newOrder payload (section 5) for identifiers list
 * (n, borrowed), checked as the CA's switches say. 0: o->replaces and
 * o->replaces_cert set (or nothing to do); -1: answered with a problem.
 */
int acs_mca_replaces_check(struct mca_req *r, struct mca_post *p, const struct acs_ident *list,
                           size_t n, struct mca_order *o);

/*
 * The argument "issued:START:LEN" of ari-window: 0 with *start and *len
 * (either may be NULL) when arg has that form, START 0 to 86400 and LEN 1
 * to 86400 seconds; -1 otherwise.
 */
int acs_mca_ari_issued_window(const char *arg, long *start, long *len);

#endif
