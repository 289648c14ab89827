/* The keyChange resource (res_keychange.c, section 7.3.5). */
#ifndef ACMESPEC_MOCKCA_RES_KEYCHANGE_H
#define ACMESPEC_MOCKCA_RES_KEYCHANGE_H

struct mca_req;
struct mca_post;

/* Roll the signer's account key over to the inner JWS's jwk. */
void acs_mca_do_key_change(struct mca_req *r, struct mca_post *p);

#endif
