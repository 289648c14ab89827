/*
 * The account resources (res_account.c, section 7.3): newAccount (with
 * contacts and External Account Binding), an account, its orders list.
 */
#ifndef ACMESPEC_MOCKCA_RES_ACCOUNT_H
#define ACMESPEC_MOCKCA_RES_ACCOUNT_H

#include <jansson.h>

struct mca_req;
struct mca_post;
struct mca_account;

/* newAccount: find or create the account of the jwk (section 7.3, 7.3.1). */
void acs_mca_do_new_account(struct mca_req *r, struct mca_post *p);

/* An account: read, update or deactivate it (sections 7.3.2, 7.3.6). */
void acs_mca_do_account(struct mca_req *r, struct mca_post *p);

/* The orders list of an account (section 7.1.2.1). */
void acs_mca_do_orders(struct mca_req *r, struct mca_post *p);

/* The account object as the scenario shows it (a borrowed); new object. */
json_t *acs_mca_account_json(struct mca_req *r, struct mca_account *a);

#endif
