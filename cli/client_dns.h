/*
 * dns-01 for `acmespec client`: the unix socket a client's dns-01 hook
 * reaches through `acmespec dns-hook` ($ACMESPEC_DNS_SOCKET), one line per
 * connection ("set NAME VALUE", "clear NAME [VALUE]"), answered "ok" or
 * "error: ...". Records go to the running scenario owning the name
 * (cli/client_routes.h) and into the DNS responder the mock CA queries.
 */
#ifndef ACMESPEC_CLI_CLIENT_DNS_H
#define ACMESPEC_CLI_CLIENT_DNS_H

#include "cli/client_routes.h"
#include "harness/err.h"

struct acs_dnsctl;

/*
 * Listen on the unix socket path (created; the caller removes it) and
 * serve from a thread, routing through rs (borrowed, must outlive it).
 * *out: new server, acs_dnsctl_stop. ACS_E_INVAL (path too long), ACS_E_IO.
 */
int acs_dnsctl_start(struct acs_dnsctl **out, struct acs_routes *rs, const char *path,
                     struct acs_err *err);

/* Stop the thread, close the socket, free (NULL allowed). */
void acs_dnsctl_stop(struct acs_dnsctl *d);

#endif
