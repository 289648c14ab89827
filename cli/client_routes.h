/*
 * The running scenarios of one `acmespec client` run, as the http-01 front
 * (cli/client_front.h) and the dns-hook socket (cli/client_dns.h) see them:
 * which names each owns, where its webroot is, which port its client's own
 * HTTP server uses, and the TXT records its client set. Every scenario
 * thread adds its route before running the client and removes it after.
 *
 * Thread safety: every function takes the table's lock.
 */
#ifndef ACMESPEC_CLI_CLIENT_ROUTES_H
#define ACMESPEC_CLI_CLIENT_ROUTES_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>

#include "mockclient/responders.h"
#include "mockserver/scenario.h"

/* A TXT record a scenario's client set through {dns_hook}. */
struct acs_txt_rec {
	char name[300];  /* "_acme-challenge.x.acmespec.test", lower case, no final dot */
	char value[400]; /* dns-persist-01 issue-values are long (issue 7) */
	int cleared;
	struct acs_txt_rec *next;
};

/* One running scenario; owned by its thread, linked in the table while it runs. */
struct acs_route {
	char names[ACS_SCENARIO_MAX_NAMES][128]; /* base names (no "*.") */
	int nnames;
	char webroot[PATH_MAX];
	int http01_port;
	struct acs_txt_rec *txt; /* newest first (guarded by the table's lock) */
	struct acs_route *next;
};

/* The table; resp is the DNS responder the mock CA queries (borrowed). */
struct acs_routes {
	pthread_mutex_t lock;
	struct acs_route *head;
	struct acs_responders *resp;
};

/* Empty table publishing TXT records into resp; acs_routes_destroy when done. */
void acs_routes_init(struct acs_routes *rs, struct acs_responders *resp);
void acs_routes_destroy(struct acs_routes *rs);

/* Link rt in / out (out also withdraws its TXT records from the DNS responder). */
void acs_routes_add(struct acs_routes *rs, struct acs_route *rt);
void acs_routes_remove(struct acs_routes *rs, struct acs_route *rt);

/* Free rt and its TXT records (NULL allowed); it must not be linked. */
void acs_route_free(struct acs_route *rt);

/*
 * The route owning host name (case-insensitive): its webroot (copied into
 * webroot, "" when it does not fit) and *port. 0, or -1 when none owns it.
 */
int acs_routes_http(struct acs_routes *rs, const char *name, char *webroot, size_t len, int *port);

/*
 * Set (set 1) or clear (set 0; value NULL: every value) the TXT record
 * name (normalised: "_acme-challenge." added, lower case, no final dot) in
 * the route owning it, and publish the name's remaining values. 0, or -1
 * when no running scenario owns the name (norm says which name).
 */
int acs_routes_txt(struct acs_routes *rs, int set, const char *name, const char *value, char *norm,
                   size_t normlen);

/*
 * rt's TXT records as judge facts, newest first, taken under the lock:
 * *out a new array of *n (free()); the strings are rt's (valid until
 * acs_route_free). 0 or ACS_E_NOMEM.
 */
int acs_routes_txt_facts(struct acs_routes *rs, const struct acs_route *rt,
                         struct acs_scenario_txt **out, size_t *n);

#endif
