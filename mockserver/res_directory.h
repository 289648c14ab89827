/*
 * The resources read without a signature (res_directory.c): the directory
 * (section 7.1.1), newNonce (7.2), the terms of service and the issuers of
 * the chains (7.4.2).
 */
#ifndef ACMESPEC_MOCKCA_RES_DIRECTORY_H
#define ACMESPEC_MOCKCA_RES_DIRECTORY_H

struct mca_req;

/* The directory object, as the scenario's misbehaviours shape it. */
void acs_mca_do_directory(struct mca_req *r);

/* newNonce: an empty answer; the nonce comes with every response. */
void acs_mca_do_new_nonce(struct mca_req *r);

/* The terms of service (plain text). */
void acs_mca_do_terms(struct mca_req *r);

/* The intermediate of the default (0) or the alternate (1) chain. */
void acs_mca_do_issuer(struct mca_req *r);

#endif
