/*
 * Challenge validation for real (validate.c): http-01 over HTTP, tls-alpn-01
 * (RFC 8737) over TLS, dns-01 TXT lookups, each against the CA's
 * validation address and ports.
 */
#ifndef ACMESPEC_MOCKCA_VALIDATE_H
#define ACMESPEC_MOCKCA_VALIDATE_H

#include <jansson.h>
#include "harness/buf.h"

struct acs_mockca;
struct mca_vjob;

/*
 * Validate job (borrowed), recording broken checks in logent: 0 when valid;
 * otherwise *errtype (a static short problem type) and the reason in detail.
 */
int acs_mca_validate(struct acs_mockca *ca, const struct mca_vjob *job, json_t *logent,
                     const char **errtype, struct acs_buf *detail);

#endif
