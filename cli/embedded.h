/*
 * The embedded mock CA of `acmespec server` (no URL) and of the self-test:
 * in-process, validating against this run's own responders, with EAB
 * credentials made fresh for every run. Front end only (it knows both the
 * mock CA and the mock client's responders).
 */
#ifndef ACMESPEC_CLI_EMBEDDED_H
#define ACMESPEC_CLI_EMBEDDED_H

#include <pthread.h>

#include "harness/err.h"
#include "mockclient/responders.h"
#include "mockserver/mockca.h"

/*
 * The embedded mock CA: in-process, validating against this run's own
 * responders. The EAB credentials that its EAB-requiring scenarios use are
 * made here, fresh for every run.
 */
struct acs_embedded {
	struct acs_mockca *ca;
	char eab_kid[32];
	char eab_hmac[64];
	pthread_mutex_t lock;
	unsigned counter; /* for unique scenario names */
};

/* Start the CA validating against resp's ports. Errors as acs_mockca_start. */
int acs_embedded_start(struct acs_embedded *em, struct acs_responders *resp, struct acs_err *err);

/* Stop it (nothing when it never started). */
void acs_embedded_stop(struct acs_embedded *em);

/*
 * Create scenario name with the switches of both lists on (either may be
 * NULL), requiring EAB when eab. *url: its directory (new string, free()).
 */
int acs_embedded_scenario(struct acs_embedded *em, const char *name, char *const *a, char *const *b,
                          int eab, char **url, struct acs_err *err);

#endif
