/*
 * The authorization and challenge resources (res_authz.c, sections 7.1.4,
 * 7.4.1, 7.5), and how a finished validation comes back to them.
 */
#ifndef ACMESPEC_MOCKCA_RES_AUTHZ_H
#define ACMESPEC_MOCKCA_RES_AUTHZ_H

struct mca_req;
struct mca_post;
struct mca_scenario;

/* An authorization: read it, or deactivate it (section 7.5.2). */
void acs_mca_do_authz(struct mca_req *r, struct mca_post *p);

/* A challenge: read it, or respond to it, which queues its validation (section 7.5.1). */
void acs_mca_do_challenge(struct mca_req *r, struct mca_post *p);

/* newAuthz: pre-authorization outside any order (section 7.4.1). */
void acs_mca_do_new_authz(struct mca_req *r, struct mca_post *p);

/*
 * Apply a finished validation of challenge chall (the scenario's lock
 * held): ok, or the problem type (short, NULL: incorrectResponse) and
 * detail of the failure; misbehaviours may hold the result back or fail it.
 */
void acs_mca_validation_done(struct mca_scenario *s, int chall, int ok, const char *errtype,
                             const char *detail);

/*
 * A first attempt failed (the scenario's lock held): 1 when the validation
 * is to be retried (the challenge stays processing and shows the error
 * meanwhile, section 8.2), 0 when the failure is final.
 */
int acs_mca_validation_retry(struct mca_scenario *s, int chall, const char *errtype,
                             const char *detail);

#endif
