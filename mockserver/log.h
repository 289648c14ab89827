/*
 * The mock CA's request log (log.c): the checks a request or a validation
 * broke, recorded in its log entry, and the scenario's bounded log.
 */
#ifndef ACMESPEC_MOCKCA_LOG_H
#define ACMESPEC_MOCKCA_LOG_H

#include <jansson.h>
#include "mockserver/tables.h"

struct mca_scenario;

/* Record in logent (borrowed) that check ck fired, with message msg (copied). */
void acs_mca_log_check(json_t *logent, enum mca_check ck, const char *msg);

/* The same with a formatted message (validations, which run outside any request). */
void acs_mca_check_ent(json_t *logent, enum mca_check ck, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Append a log entry to the scenario (its lock held) and count the checks it
 * carries; takes the reference to ent. The log keeps the last MCA_LOG_MAX,
 * and drops its oldest entries while it holds more than s->log_bytes_max
 * (estimated: strings plus a fixed cost per JSON node), but the newest.
 */
void acs_mca_log_add(struct mca_scenario *s, json_t *ent);

#endif
