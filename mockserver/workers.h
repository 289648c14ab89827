/*
 * The validation queue of a CA (workers.c): challenge validations run on
 * worker threads, outside any request, each when its due time comes, and
 * come back to the scenario through acs_mca_validation_done.
 */
#ifndef ACMESPEC_MOCKCA_WORKERS_H
#define ACMESPEC_MOCKCA_WORKERS_H

#include <time.h>
#include "harness/err.h"
#include "harness/x509.h"
#include "mockserver/tables.h"

struct acs_mockca;
struct mca_scenario;

/* A validation to perform, copied out of the scenario so the lock is free. */
struct mca_vjob {
	struct mca_scenario *scn; /* a reference held by the job */
	int chall;
	enum mca_ctype type;
	struct acs_ident ident;
	char token[64];
	char *keyauth;  /* owned */
	char *acct_url; /* owned: dns-account-01 label, dns-persist-01 accounturi */
	int wildcard;   /* the authorization is for a wildcard (dns-persist-01 policy) */
	unsigned char mb[MB_COUNT]; /* the scenario's switches when the job was queued */
	int attempt;                /* 0: first; 1: the retry after a failure (section 8.2) */
	struct timespec due;        /* CLOCK_REALTIME (pthread_cond_timedwait); not before */
	struct mca_vjob *next;
};

/*
 * Queue a validation job for scenario s: takes ownership of job, and a new
 * reference on s. delay_ms: how long the job waits before it runs.
 */
void acs_mca_enqueue_scn(struct acs_mockca *ca, struct mca_scenario *s, struct mca_vjob *job,
                         unsigned int delay_ms);

/* Start the CA's validation threads. ACS_E_IO when one cannot start. */
int acs_mca_workers_start(struct acs_mockca *ca, struct acs_err *err);

/* Stop and join the threads, and drop the jobs still queued. */
void acs_mca_workers_stop(struct acs_mockca *ca);

#endif
