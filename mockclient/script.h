/*
 * The server-side case interpreter: runs a case's steps (docs/case-format.md)
 * with the mock client against a real ACME server and judges every response.
 */
#ifndef ACMESPEC_SCRIPT_H
#define ACMESPEC_SCRIPT_H

#include <jansson.h>

#include "mockclient/acme.h"
#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/verdict.h"

struct acs_responders;

struct acs_server_target {
	const char *directory_url;
	const char *ca_bundle;             /* PEM file trusted for the server's HTTPS, or NULL */
	struct acs_responders *responders; /* borrowed; started by the caller */
	const char *eab_kid;               /* may be NULL */
	const char *eab_hmac;              /* base64url MAC key, may be NULL */
	const json_t *profile;             /* borrowed profile object, may be NULL (rfc8555) */
	long request_timeout_ms;           /* per HTTP exchange */
	double wait_seconds;               /* bound on every poll loop */
	int verbose;                       /* keep transcripts of PASSes too */
	int allow_production;              /* follow URLs to production CAs (netpolicy.h) */
	int allow_other_hosts;             /* follow URLs off the directory's host */
	/* real-world targets (docs/real-world.md); each may be NULL */
	const char *domain_suffix;      /* names made under this zone, not acmespec.test */
	const char *dns_hook;           /* dns-01 through `HOOK set|clear NAME VALUE` */
	const char *webroot;            /* http-01 as files under DIR/.well-known/... */
	struct acs_acme_budget *budget; /* --max-orders/--max-accounts, shared by every case */
};

/*
 * Static check of a server case's steps: known actions, arguments,
 * misbehaviours, matcher keys. Errors name the case file, the step and the
 * field: "cases/server/x.json: step 3: unknown misbehaviour \"nonce-reuse2\"".
 */
int acs_script_validate(const struct acs_case *c, struct acs_err *err);

/*
 * Fetch the directory once to see that the target answers. Returns
 * ACS_E_IO / ACS_E_TIMEOUT / ACS_E_PARSE with a message when it does not.
 */
int acs_script_probe(const struct acs_server_target *t, struct acs_err *err);

/*
 * acs_case_fn for the runner: ctx is a struct acs_server_target. Fills
 * r->raw, message, expected, actual, transcript, step.
 */
void acs_script_run_case(void *ctx, const struct acs_case *c, struct acs_result *r);

/*
 * What a server case creates, what it reserves from the run's budget:
 * what "orders" (its new-order and issue steps, posts to newOrder), or
 * "accounts" (its new-account steps, posts to newAccount).
 */
int acs_script_case_count(const struct acs_case *c, const char *what);

/* Names of all mock-client misbehaviours (NULL-terminated, static). */
const char *const *acs_script_misbehaviours(void);

#endif
