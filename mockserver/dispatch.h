/*
 * The dispatch of one routed request (dispatch.c): the path to an endpoint,
 * the checks every request gets (User-Agent, Accept-Language), the method
 * each resource allows, section 6 verification of POSTs, the resource
 * handler, and the headers every response carries (Replay-Nonce, Link
 * rel="index", CORS).
 */
#ifndef ACMESPEC_MOCKCA_DISPATCH_H
#define ACMESPEC_MOCKCA_DISPATCH_H

struct mca_req;

/* Answer r into r->resp and fill its log entry; the scenario's lock is held. */
void acs_mca_dispatch(struct mca_req *r);

#endif
