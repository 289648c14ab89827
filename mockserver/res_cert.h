/* The certificate resources (res_cert.c, sections 7.4.2 and 7.6). */
#ifndef ACMESPEC_MOCKCA_RES_CERT_H
#define ACMESPEC_MOCKCA_RES_CERT_H

struct mca_req;
struct mca_post;

/* A certificate (or its alternate chain), read by POST-as-GET (section 7.4.2). */
void acs_mca_do_cert(struct mca_req *r, struct mca_post *p);

/* revokeCert: by the issuing or an authorized account, or the certificate key (7.6). */
void acs_mca_do_revoke(struct mca_req *r, struct mca_post *p);

#endif
