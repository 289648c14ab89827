/*
 * The order resources (res_order.c, sections 7.4 and 7.4.2): newOrder, an
 * order, and finalize, which issues the certificate.
 */
#ifndef ACMESPEC_MOCKCA_RES_ORDER_H
#define ACMESPEC_MOCKCA_RES_ORDER_H

struct mca_req;
struct mca_post;

/* newOrder: check the identifiers, make or reuse authorizations (section 7.4). */
void acs_mca_do_new_order(struct mca_req *r, struct mca_post *p);

/* An order, read by POST-as-GET (section 7.1.3). */
void acs_mca_do_order(struct mca_req *r, struct mca_post *p);

/* finalize: check the CSR and issue (section 7.4). */
void acs_mca_do_finalize(struct mca_req *r, struct mca_post *p);

#endif
