/*
 * The client-side judge: what `acmespec client` decides about a real ACME
 * client, as a library. Symmetric to the server-case interpreter of the
 * mock client (mockclient/script.h): it reads a client scenario from its
 * catalog case (docs/case-format.md "Client scenarios"), sets it up in a
 * running mock CA, and, once the client ran, judges the client from data:
 * how its command ended (struct acs_client_outcome, filled by whoever ran
 * it), the scenario's request log and issued certificates (collected from
 * the CA, or made by hand in tests), and the state of the scenario's
 * dns-01 records. It also turns the mock CA's request checks into cases
 * and judges them over every scenario's log.
 *
 * Nothing here prints, forks or runs a command; verdicts and evidence come
 * back in struct acs_result (harness/verdict.h).
 */
#ifndef ACMESPEC_SCENARIO_H
#define ACMESPEC_SCENARIO_H

#include <jansson.h>
#include <stddef.h>
#include "harness/buf.h"
#include "harness/catalog.h"
#include "harness/err.h"
#include "harness/verdict.h"
#include "mockserver/mockca.h"

#define ACS_SCENARIO_MAX_NAMES 4 /* "names": 1 to 4 */
#define ACS_SCENARIO_MAX_RUNS  3 /* "runs": 1 to 3 */
/*
 * The bound of the "requests-bounded" predicate: a client that follows
 * redirects stops well before it (Go's net/http after 10, Python requests
 * after 30, curl after 50), and so does one that retries badNonce a few
 * times. A client past it is stopped at once (the verdict cannot change).
 */
#define ACS_SCENARIO_MAX_REQUESTS 100

/* "expect.exit" */
enum acs_exit_want { ACS_EXIT_WANT_ZERO = 0, ACS_EXIT_WANT_NONZERO, ACS_EXIT_WANT_ANY };

/*
 * One parsed scenario. The JSON members are borrowed from the case's body
 * (valid while the case lives); challenge too.
 */
struct acs_scenario {
	json_t *misbehave;     /* array of "NAME[=ARG]" strings, or NULL */
	int names;             /* how many names the client orders */
	const char *challenge; /* "http-01", "dns-01" or "tls-alpn-01" */
	int runs;              /* how many times the command runs */
	enum acs_exit_want exit;
	int certificate; /* 1: a certificate is expected, 0: none, -1: not judged */
	json_t *asserts; /* array of predicate names, or NULL */
	json_t *output;  /* array of strings the output must contain ({placeholders}), or NULL */
	int eab;         /* the scenario requires External Account Binding */
	int key_change;  /* the client is asked to roll its account key over */
	int revoke;      /* the client is asked to revoke what it got */
	int wildcard;    /* the first name is ordered as *.{domain} */
	int renew;       /* runs after the first renew the certificate at {cert_path} */
	int ari;         /* only for ARI clients: UNSUPPORTED when renewalInfo is never fetched */
	const char *profile; /* the certificate profile the client is asked for, or NULL */
	const char
	    *preferred_chain; /* the root name of the chain the client is to prefer, or NULL */
	int min_timeout;      /* seconds the command gets at least, whatever --timeout (0: none) */
	/*
	 * Timing scenarios for long-running clients (docs/daemons.md): "daemon"
	 * makes a one-shot client UNSUPPORTED; the daemon is watched until the
	 * "certificates"-th certificate was served (default 1) and stored, then
	 * "linger" seconds more (default 0); "quiet": seconds without a request
	 * that end the scenario (default 0: the harness's 5 s); "watch": the
	 * most seconds the daemon is watched (a client retrying for ever).
	 */
	int daemon;
	int watch;
	int certificates;
	int linger;
	int quiet;
	/* seconds the command gets, whatever --timeout: the scenario's bound (0: none) */
	int bound;
	int one_shot; /* judges a client's end: UNSUPPORTED for a daemon (never ends by itself) */
};

/*
 * Parse and check c's "scenario" into *s (misbehaviour names against the
 * mock CA's table, predicates against acs_scenario_predicates). Errors
 * (ACS_E_INVAL) name the file and the field:
 * "cases/client/x.json: field \"scenario.runs\": expected 1 to 3".
 */
int acs_scenario_parse(const struct acs_case *c, struct acs_scenario *s, struct acs_err *err);

/* The predicate names "expect.assert" may use, NULL-terminated (static). */
const char *const *acs_scenario_predicates(void);

/*
 * Set the parsed scenario up in ca under the name scn: create it, switch
 * its misbehaviours on, and, with "eab", require External Account Binding
 * with a fresh key identifier and HMAC key, written into eab_kid and
 * eab_hmac (NUL-terminated, at least 64 bytes each; empty without EAB).
 * Errors: the CA's ("scenario \"x\" exists"), "FILE: misbehave \"x\": ...",
 * "cannot require EAB: ...".
 */
int acs_scenario_setup(struct acs_mockca *ca, const char *scn, const struct acs_case *c,
                       const struct acs_scenario *s, char *eab_kid, char *eab_hmac,
                       struct acs_err *err);

/* Eight random hex digits (a name label, an EAB key id); out: at least 9 bytes. */
void acs_scenario_rand_label(char *out, size_t outlen);

/*
 * A {placeholder} and its value, for the client's command line and the
 * "output_contains" strings (docs/case-format.md "Placeholders").
 */
struct acs_subst {
	const char *key; /* "directory" for {directory} */
	const char *val;
};

/* s with every known {key} replaced; unknown ones stay. New string (free()), NULL on ENOMEM. */
char *acs_scenario_interpolate(const char *s, const struct acs_subst *subst, size_t nsubst);

/*
 * How the client's command ended (the last run that counted), as data from
 * whoever ran it.
 */
struct acs_client_outcome {
	int started;             /* 0: the command could not be started */
	const char *start_error; /* why not, when !started */
	int unsupported;         /* a run exited 127: the client cannot do the scenario */
	int exited;              /* 1: exited with status; 0: killed by a signal */
	int status;              /* exit status, or the signal */
	int timed_out;           /* killed at the timeout */
	/*
	 * Stopped by the harness while still running, once it had sent more
	 * than ACS_SCENARIO_MAX_REQUESTS requests in a scenario that asserts
	 * "requests-bounded" (that predicate fails whatever comes next): the
	 * number of requests seen then, 0 otherwise.
	 */
	size_t stopped_over;
	double seconds;     /* how long the last run took */
	double timeout;     /* the limit, for messages */
	const char *output; /* the client's captured output (all runs), or NULL */
	/*
	 * A daemon (acmespec client --daemon, a daemon recipe) never exits on
	 * its own: the harness stopped it when the scenario ended (ended says
	 * why), so "expect.exit" is judged on what it stored instead:
	 * "zero" wants the issued certificate stored under {workdir} (stored
	 * 1), "nonzero" wants none stored; how it died is not judged.
	 */
	int daemon;
	int stored;        /* daemon: 1 when a file under {workdir} holds an issued leaf */
	const char *ended; /* daemon: "the certificate was served", "no request for 5 s", ... */
};

/* A dns-01 TXT record the client set through {dns_hook}. */
struct acs_scenario_txt {
	const char *name; /* "_acme-challenge.x.acmespec.test" */
	const char *value;
	int cleared; /* the client removed it again */
};

/*
 * What the judge looks at besides the outcome (everything borrowed).
 * http01_served: asks whether the key authorization for token is still
 * served for identifier (1) after the client exited ("deprovisioned-http01");
 * NULL: never.
 */
struct acs_scenario_facts {
	const json_t *log;        /* the request log (acs_mockca_log format) */
	const json_t *issued;     /* PEM leaves issued in the scenario (acs_mockca_issued) */
	const char *const *names; /* the names as ordered (*.x for a wildcard) */
	size_t nnames;
	const struct acs_scenario_txt *txt; /* records the client set, newest first */
	size_t ntxt;
	int (*http01_served)(void *ctx, const char *identifier, const char *token);
	void *http01_ctx;
	/*
	 * "preferred-chain-stored": the issuer common name of the top
	 * certificate of every file under {workdir} that holds an issued leaf
	 * and at least one certificate more (array of strings), or NULL when
	 * nobody looked.
	 */
	const json_t *stored_chains;
	const struct acs_subst *subst; /* for "output_contains" */
	size_t nsubst;
};

/*
 * Take the scenario's request log and issued certificates from ca (new
 * references, json_decref). ACS_E_NOTFOUND when the scenario is unknown.
 */
int acs_scenario_collect(struct acs_mockca *ca, const char *scn, json_t **log, json_t **issued,
                         struct acs_err *err);

/*
 * Judge one scenario run of case c: sets r->raw (PASS, FAIL or NONSTRICT
 * by c's level, UNSUPPORTED, ERROR), r->message (the first failure, or
 * "N requests, exit S after T s"), r->expected and r->actual (every
 * failure, one "- ..." line each). Strings in r are replaced (freed
 * first); r->transcript is left alone (acs_scenario_render_log).
 */
void acs_scenario_judge(const struct acs_case *c, const struct acs_scenario *s,
                        const struct acs_client_outcome *o, const struct acs_scenario_facts *f,
                        struct acs_result *r);

/* 1 when the log shows the certificate downloaded (a POST to it answered 200). */
int acs_scenario_cert_served(const json_t *log);

/* How many certificates (distinct URLs) the log shows downloaded. */
size_t acs_scenario_certs_served(const json_t *log);

/*
 * How far the client got in the issuance flow: "directory", "newNonce",
 * "newAccount", "newOrder", "authorization", "challenge", "finalize",
 * "certificate", or NULL for an empty log. *seq: the log number of the
 * furthest request (may be NULL).
 */
const char *acs_scenario_furthest_step(const json_t *log, long long *seq);

/*
 * Append the log as a transcript, one line per request or validation
 * ("#3 POST /s/x/new-order [newOrder] -> 201"), with the checks that fired.
 */
void acs_scenario_render_log(struct acs_buf *out, const json_t *log);

/*
 * The mock CA's request checks (acs_mockca_checks) as client cases, file
 * "(mock CA request check)", tag "check". *out: new array of *n cases
 * (acs_case_clear each, then free). ACS_E_NOMEM.
 */
int acs_scenario_check_cases(struct acs_case **out, size_t *n);

/* One scenario that ran, for the request checks (both borrowed). */
struct acs_scenario_ran {
	const char *id;    /* the scenario's case id */
	const json_t *log; /* its request log */
};

/*
 * Judge request check cc over the logs of the scenarios that ran (in
 * order): FAIL / NONSTRICT when it fired (evidence: the first three
 * scenarios' first offending request; r->rerun: rerun_prefix, a --case
 * per scenario, rerun_suffix), PASS when requests it applies to held it,
 * SKIPPED when no scenario exercised it, ERROR when no request came at all.
 * Sets r->c, r->raw and r's strings.
 */
void acs_scenario_judge_check(const struct acs_case *cc, const struct acs_scenario_ran *ran,
                              size_t nran, const char *rerun_prefix, const char *rerun_suffix,
                              struct acs_result *r);

#endif
