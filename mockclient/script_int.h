/*
 * Internal interface between the case interpreter (script.c) and its
 * actions (script_actions.c, script_x509.c). Not for use outside mockclient/.
 */
#ifndef ACMESPEC_SCRIPT_INT_H
#define ACMESPEC_SCRIPT_INT_H

#include <jansson.h>

#include "harness/buf.h"
#include "harness/catalog.h"
#include "harness/err.h"
#include "mockclient/acme.h"
#include "mockclient/script.h"

/* How an action ended when it did not succeed in the ordinary way. */
enum acs_step_fail {
	ACS_STEP_OK = 0,
	ACS_STEP_OUTCOME, /* the server answered, not as the step needs, or never reached a
	                     state: judged steps judge it, set-up steps FAIL naming the step */
	ACS_STEP_HARNESS  /* the harness could not do what the step asks: ERROR (or UNSUPPORTED) */
};

struct acs_run {
	const struct acs_server_target *t;
	const struct acs_case *c;
	struct acs_acme_session *s;
	int index;            /* 1-based step number */
	const char *action;   /* borrowed from step */
	json_t *step;         /* interpolated step (owned by the loop) */
	acs_mis_set mis;      /* misbehaviours of this step */
	const char **headers; /* extra request headers, NULL-terminated (owned) */

	/* results of the step */
	struct acs_acme_resp *resp; /* the response judged (owned) */
	json_t *facts;              /* facts (owned), never NULL during a step */
	enum acs_step_fail fail;
	const char *feature; /* static: the optional feature whose absence failed it */
	struct acs_err err;  /* message of the failure */
	char skip[300];      /* set: the case is SKIPPED with this reason (acs_step_skip) */
};

/* Record a failure of the current step; returns -1 for "return step_fail(...)". */
int acs_step_fail(struct acs_run *run, enum acs_step_fail kind, const char *feature,
                  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/*
 * The harness cannot do what the step asks in this run's set-up (a webroot
 * cannot redirect, a hook's records cannot be observed): the case is
 * SKIPPED with the reason. Returns -1.
 */
int acs_step_skip(struct acs_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Replace the judged response (takes ownership of r). */
void acs_step_set_resp(struct acs_run *run, struct acs_acme_resp *r);

/* Step argument accessors (borrowed / with defaults). */
const char *acs_arg_str(const struct acs_run *run, const char *name, const char *def);
long acs_arg_int(const struct acs_run *run, const char *name, long def);
int acs_arg_bool(const struct acs_run *run, const char *name, int def);

/* Resolve a url argument (literal, interpolated string or symbol). New string, or NULL
 * with the step failed. */
char *acs_resolve_target(struct acs_run *run, const char *target);

/*
 * Interpolate the variables of docs/case-format.md in one string. run NULL:
 * only check that every variable has a known shape. New string (free()),
 * or NULL with err set ("variable {order.url} has no value yet (no such
 * order)", "unknown variable {x}").
 */
char *acs_script_interp(struct acs_run *run, const char *in, struct acs_err *err);

/* Dispatch: run the step's action. Returns 0 or -1 (run->fail says how). */
int acs_action_run(struct acs_run *run);

/* Argument specification of an action, for validation. */
struct acs_arg_spec {
	const char *name;
	const char *types; /* any of: s string, i integer, b boolean, o object, a array, j any */
	const char *const *choices; /* allowed string values, or NULL */
};

struct acs_action_spec {
	const char *name;
	int (*fn)(struct acs_run *run);
	const struct acs_arg_spec *args; /* terminated by a NULL name */
};

/* The action table; NULL-named terminator. */
const struct acs_action_spec *acs_actions(void);

/* What a step's judgement found (script_judge.c). */
struct verdict_text {
	struct acs_buf msg; /* first failure, for r->message */
	struct acs_buf exp; /* all expectations that failed, in words */
	struct acs_buf act; /* what was received */
	int failed;
};

/*
 * Judge run's response against the expectation object exp; vt collects the
 * failures in words (its buffers initialised by the caller). Returns the
 * number of failed expectations (0: all held).
 */
int acs_script_judge(struct acs_run *run, const json_t *exp, struct verdict_text *vt);

#endif
