/*
 * The mock CA: a real ACME (RFC 8555) server over HTTPS (libmicrohttpd)
 * that issues real certificates from its own root and intermediate,
 * validates the client's challenges for real (http-01, tls-alpn-01, dns-01),
 * judges every request it receives, and commits named misbehaviours on
 * purpose.
 *
 * One listener serves many scenarios at once. Every URL lives under a
 * per-scenario prefix, https://HOST:PORT/s/<scenario>/..., and each scenario
 * has its own accounts, orders, nonces, misbehaviours and request log, so
 * concurrent runs never mix.
 *
 * Thread safety: every function may be called from any thread while the CA
 * serves; scenario state is locked per scenario.
 */
#ifndef ACMESPEC_MOCKCA_H
#define ACMESPEC_MOCKCA_H

#include <jansson.h>
#include <stddef.h>
#include "harness/err.h"

struct acs_mockca;

struct acs_mockca_opts {
	const char *bind_addr;     /* NULL: "127.0.0.1" */
	int port;                  /* HTTPS port; 0: ephemeral (read back with acs_mockca_port) */
	const char *workdir;       /* where ca.pem, https-cert.pem, https-key.pem go; NULL: a new
	                              directory under $TMPDIR, removed by acs_mockca_stop */
	int http01_port;           /* port the http-01 validation connects to; 0: 80 */
	int tlsalpn01_port;        /* port the tls-alpn-01 validation connects to; 0: 443 */
	const char *dns_server;    /* "ADDR:PORT" (or "ADDR", port 53) for dns-01 TXT lookups;
	                              NULL: dns-01 validation fails with a dns error */
	const char *validate_addr; /* address every validation connects to; NULL: "127.0.0.1"
	                              (test names need not resolve) */
	const char *eab_kid;       /* with eab_hmac: externalAccountRequired */
	const char *eab_hmac;      /* base64url HMAC key */
	int plain_http;            /* also serve plain HTTP (for clients that cannot trust a CA) */
	int plain_http_port;       /* 0: ephemeral */
	int auto_scenarios;        /* create unknown scenarios on first request */
	unsigned int threads;      /* MHD thread pool size; 0: 8 */
	unsigned int validation_timeout_ms; /* per validation attempt; 0: 5000 */
	/* bounds (docs/mock-ca.md, "Limits") */
	unsigned int max_scenarios;   /* scenarios at once; past it, the least recently used idle
	                                 one made by a request is evicted, or a request for a new
	                                 one gets 429 rateLimited; 0: ACS_MOCKCA_MAX_SCENARIOS */
	size_t log_bytes_max;         /* request log per scenario, in (estimated) bytes; the oldest
	                                 entries go first; 0: ACS_MOCKCA_LOG_BYTES */
	unsigned int max_connections; /* open connections per listener; 0: 4000 */
	unsigned int per_ip_connections; /* open connections from one address; 0: 256 */
	unsigned int request_timeout_s;  /* a connection must complete each request within this
	                                    many seconds of its start, whatever it trickles;
	                                    0: 30 */
};

#define ACS_MOCKCA_MAX_SCENARIOS 1000
#define ACS_MOCKCA_LOG_BYTES     ((size_t)1024 * 1024)

/*
 * Make the CA hierarchy, write the trust bundle and the HTTPS certificate
 * into the work directory, and start serving. *out: new CA, stop and free
 * with acs_mockca_stop. Errors: ACS_E_IO ("cannot bind 127.0.0.1:16000:
 * ..."), ACS_E_CRYPTO, ACS_E_INVAL (bad options, e.g. an EAB key that is
 * not base64url).
 */
int acs_mockca_start(struct acs_mockca **out, const struct acs_mockca_opts *o, struct acs_err *err);

/* Stop the listeners, join every thread, free everything (NULL allowed). */
void acs_mockca_stop(struct acs_mockca *ca);

/* The HTTPS port actually bound. */
int acs_mockca_port(const struct acs_mockca *ca);

/* "https://127.0.0.1:PORT" (borrowed, valid until stop). */
const char *acs_mockca_base_url(const struct acs_mockca *ca);

/* "http://127.0.0.1:PORT" of the plain listener, or NULL (borrowed). */
const char *acs_mockca_plain_base_url(const struct acs_mockca *ca);

/* Path of the PEM trust bundle (the root CA) (borrowed). */
const char *acs_mockca_bundle_path(const struct acs_mockca *ca);

/* Path of a PEM file with both roots: the default chain's and the alternate's. */
const char *acs_mockca_all_roots_path(const struct acs_mockca *ca);

/* The work directory (borrowed). */
const char *acs_mockca_workdir(const struct acs_mockca *ca);

/*
 * "https://HOST:PORT/s/<scenario>/directory" as a new string (free()), or
 * NULL on ENOMEM. Does not create the scenario.
 */
char *acs_mockca_directory_url(const struct acs_mockca *ca, const char *scenario);

/*
 * Create a scenario (names: 1 to 64 of [A-Za-z0-9._-]). ACS_E_STATE when
 * it exists already, ACS_E_INVAL for a bad name.
 */
int acs_mockca_scenario_add(struct acs_mockca *ca, const char *scenario, struct acs_err *err);

/*
 * Require External Account Binding (RFC 8555 section 7.3.4) in one
 * scenario: its directory then says meta.externalAccountRequired and
 * newAccount verifies the binding against kid and the HMAC key (base64url;
 * the strings are copied). kid and hmac_b64url both NULL: no EAB in this
 * scenario. Scenarios start with the CA-wide setting of acs_mockca_opts.
 * ACS_E_NOTFOUND for an unknown scenario, ACS_E_INVAL for a key that is not
 * base64url or only one of the two.
 *
 * The embedded self-test sets up the EAB scenario this way, and gives the
 * mock client the same pair (--eab-kid / --eab-hmac):
 *
 *   acs_mockca_scenario_add(ca, "conformant-eab", &err);
 *   acs_mockca_scenario_eab(ca, "conformant-eab", ACS_MOCKCA_EAB_KID,
 *                           ACS_MOCKCA_EAB_HMAC, &err);
 */
int acs_mockca_scenario_eab(struct acs_mockca *ca, const char *scenario, const char *kid,
                            const char *hmac_b64url, struct acs_err *err);

/* A ready-made EAB pair for tests (any other pair works the same). */
#define ACS_MOCKCA_EAB_KID  "acmespec-eab-kid-1"
#define ACS_MOCKCA_EAB_HMAC "YWNtZXNwZWMtbW9jay1jYS1lYWItaG1hYy1rZXktMDAx"

/* Forget a scenario and its state. ACS_E_NOTFOUND when unknown. */
int acs_mockca_scenario_remove(struct acs_mockca *ca, const char *scenario, struct acs_err *err);

/*
 * Misbehaviours: one table of named, deterministic deviations. Each entry
 * has a kebab-case name, a one-line description, whether it takes an
 * argument, and whether it is a fault a conformant CA may commit (a client
 * must cope) or an RFC violation (for the server catalog's negative
 * controls).
 */
enum acs_mb_arg { ACS_MB_ARG_NONE = 0, ACS_MB_ARG_OPTIONAL, ACS_MB_ARG_REQUIRED };

struct acs_mockca_misbehaviour {
	const char *name;
	const char *description;
	const char *arg_help; /* e.g. "[ENDPOINT:]N", or NULL */
	enum acs_mb_arg arg;
	int violation; /* 1: breaks an RFC requirement */
};

/* The table (static), *n entries. */
const struct acs_mockca_misbehaviour *acs_mockca_misbehaviours(size_t *n);

/*
 * Switch a misbehaviour on for a scenario: spec is "NAME" or "NAME=ARG".
 * ACS_E_NOTFOUND for an unknown name or scenario ("unknown misbehaviour
 * \"x\""), ACS_E_INVAL for a bad or missing argument. Switching the same
 * name again replaces its argument.
 */
int acs_mockca_misbehave(struct acs_mockca *ca, const char *scenario, const char *spec,
                         struct acs_err *err);

/*
 * Misbehaviours given here apply to every scenario created afterwards
 * (acmespec serve's --misbehave with auto_scenarios). Same errors.
 */
int acs_mockca_misbehave_default(struct acs_mockca *ca, const char *spec, struct acs_err *err);

/* Switch every misbehaviour of the scenario off. */
int acs_mockca_misbehave_clear(struct acs_mockca *ca, const char *scenario, struct acs_err *err);

/*
 * The request checks the mock CA applies to clients (static table): IDs
 * like case IDs (client.8555.6_4.url-header-matches), the RFC section,
 * level ("MUST", "SHOULD", "MAY"), the requirement rows covered, and words.
 */
struct acs_mockca_check {
	const char *id;
	const char *rfc;
	const char *section;
	const char *level;
	const char *covers;
	const char *words;
};
const struct acs_mockca_check *acs_mockca_checks(size_t *n);

/*
 * The scenario's request log as a new JSON array (json_decref), oldest
 * first, at most the last 2000 requests:
 *   { "seq": 1, "time": 1700000000.123, "method": "POST",
 *     "url": "https://127.0.0.1:PORT/s/x/new-order", "endpoint": "newOrder",
 *     "user_agent": "...", "status": 400, "problem": "badNonce",
 *     "misbehaviour": "bad-nonce" (when one shaped the answer),
 *     "jws": { "protected": {...}, "payload": ... } (when parsed),
 *     "checks": [ { "id": ..., "section": "6.5", "level": "MUST",
 *                   "message": "nonce was already used" } ] }
 * Validation attempts appear as entries with method "VALIDATE". "checks"
 * lists the checks that fired (the requirement was broken).
 * NULL when the scenario is unknown.
 */
json_t *acs_mockca_log(struct acs_mockca *ca, const char *scenario);

/* How many times check_id fired in the scenario (0 when unknown). */
size_t acs_mockca_check_count(struct acs_mockca *ca, const char *scenario, const char *check_id);

/* Number of requests the scenario received so far. */
size_t acs_mockca_request_count(struct acs_mockca *ca, const char *scenario);

/*
 * Certificates issued in the scenario, as a new JSON array of PEM leaf
 * strings (json_decref); NULL when the scenario is unknown.
 */
json_t *acs_mockca_issued(struct acs_mockca *ca, const char *scenario);

#endif
