/*
 * The http-01 front of `acmespec client`: the port the mock CA validates
 * http-01 against. It routes each fetch by its Host header to the running
 * scenario that owns the name (cli/client_routes.h), answers from the
 * scenario's webroot when the client wrote the file there, and otherwise
 * forwards to the scenario's own {http01_port}, where a client with a
 * built-in HTTP server listens.
 */
#ifndef ACMESPEC_CLI_CLIENT_FRONT_H
#define ACMESPEC_CLI_CLIENT_FRONT_H

#include "cli/client_routes.h"
#include "harness/err.h"

struct acs_front;

/*
 * Serve on an ephemeral port of 127.0.0.1, routing through rs (borrowed,
 * must outlive the front). *out: new front, acs_front_stop. ACS_E_IO.
 */
int acs_front_start(struct acs_front **out, struct acs_routes *rs, struct acs_err *err);

/* Stop serving and free (NULL allowed). */
void acs_front_stop(struct acs_front *f);

/* The port bound. */
int acs_front_port(const struct acs_front *f);

/*
 * 1 when the front still serves token's key authorization for identifier
 * (a 200 whose body holds the token): the judge's http01_served callback,
 * ctx the front.
 */
int acs_front_serves(void *ctx, const char *identifier, const char *token);

#endif
