/*
 * Internal interface between the files of the server-script actions:
 * script_actions.c (shared helpers, directory and nonces, raw requests,
 * the action table) and the families script_act_account.c,
 * script_act_order.c, script_act_authz.c and script_act_cert.c. Not for
 * use outside mockclient/. Every helper that fails has recorded why with
 * acs_step_fail and returns -1 (or NULL).
 */
#ifndef ACMESPEC_SCRIPT_ACT_H
#define ACMESPEC_SCRIPT_ACT_H

#include <jansson.h>
#include <stddef.h>

#include "harness/jwk.h"
#include "mockclient/acme.h"
#include "mockclient/flow.h"
#include "mockclient/script_int.h"

/* ---- shared helpers (script_actions.c) ---- */

/* "expected 201, got status 400 urn:...: detail" as an outcome failure. */
int acs_sa_fail_status(struct acs_run *run, const char *what, const char *want);

/* The step's account (argument "account", default "a"); need_url: it must have a URL. */
struct acs_acme_account *acs_sa_step_account(struct acs_run *run, int need_url);

/* The step's order (argument "order", default "o"), which must have a URL. */
struct acs_acme_order *acs_sa_step_order(struct acs_run *run);

/* The key that signs for the account, after sign_with (borrowed). */
const struct acs_key *acs_sa_signing_key(struct acs_run *run, struct acs_acme_account *a);

/*
 * Signed POST with the step's misbehaviours and headers. The response
 * becomes the step's judged response (*out borrows it; out may be NULL).
 * payload NULL: POST-as-GET.
 */
int acs_sa_spost_key(struct acs_run *run, const char *url, const struct acs_key *key,
                     const char *kid, const char *account_url, const char *payload,
                     const char *resource, struct acs_acme_resp **out);

/* The account as a step's signer: its signing key (after sign_with), kid its URL. 0 or -1. */
int acs_sa_signer(struct acs_run *run, struct acs_acme_account *a, struct acs_flow_signer *who);

/* How the engine's steps (flow.h) send for this step: acs_sa_spost_key's way, without failing it.
 */
void acs_sa_io(struct acs_run *run, struct acs_flow_io *io);

/*
 * A step's result as the step's failure: 0 when done, else -1 with
 * acs_step_fail of its kind (OUTCOME, HARNESS), feature and message.
 */
int acs_sa_result(struct acs_run *run, const struct acs_flow_result *res);

/* Signed with the step's account by kid (or jwk when use_jwk). */
int acs_sa_spost(struct acs_run *run, struct acs_acme_account *a, const char *url,
                 const char *payload, const char *resource, int use_jwk,
                 struct acs_acme_resp **out);

/* acs_sa_spost with a JSON payload (borrowed). */
int acs_sa_spost_json(struct acs_run *run, struct acs_acme_account *a, const char *url,
                      const json_t *payload, const char *resource, struct acs_acme_resp **out);

/* The server cases' wait between polls, and its deadline (from now). */
void acs_sa_wait(struct acs_run *run, struct acs_acme_wait *w, double *deadline);

/* A JSON array of strings as a NULL-terminated array borrowing them (free()), or NULL failed. */
const char **acs_sa_strv(struct acs_run *run, const json_t *list);

/* ---- accounts (script_act_account.c) ---- */

/* A new key of a type of the "key" choices ("ec256", "leading-zero", ...). *out: owned. */
int acs_sa_make_key(struct acs_run *run, const char *type, struct acs_key **out);

/* A new reference to another account's current key. *out: owned. */
int acs_sa_key_of(struct acs_run *run, const char *name, struct acs_key **out);

int acs_act_new_account(struct acs_run *run);        /* new-account */
int acs_act_account_get(struct acs_run *run);        /* account-get */
int acs_act_account_update(struct acs_run *run);     /* account-update */
int acs_act_account_deactivate(struct acs_run *run); /* account-deactivate */
int acs_act_key_change(struct acs_run *run);         /* key-change */

/* ---- orders (script_act_order.c) ---- */

/* newOrder for identifiers (strings or objects, borrowed), kept as the order `name`. */
int acs_sa_new_order(struct acs_run *run, const char *name, const json_t *idspec);

/*
 * Poll the order until its status is in until (borrowed array of strings;
 * NULL: until it leaves pending and processing). An invalid order fails.
 */
int acs_sa_poll_order(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                      const json_t *until);

int acs_act_new_order(struct acs_run *run);  /* new-order */
int acs_act_order_get(struct acs_run *run);  /* order-get */
int acs_act_poll_order(struct acs_run *run); /* poll-order */

/* ---- authorizations and challenges (script_act_authz.c) ---- */

/*
 * Answer every pending authorization of the order and poll each to valid.
 * Already-valid authorizations (servers may reuse them) are skipped: their
 * challenges must never be answered again.
 */
int acs_sa_authorize(struct acs_run *run, struct acs_acme_account *a, struct acs_acme_order *o,
                     const char *type);

int acs_act_authz_get(struct acs_run *run);         /* authz-get */
int acs_act_challenge_respond(struct acs_run *run); /* challenge-respond */
int acs_act_challenge_get(struct acs_run *run);     /* challenge-get */
int acs_act_poll_authz(struct acs_run *run);        /* poll-authz */
int acs_act_authorize(struct acs_run *run);         /* authorize */
int acs_act_authz_deactivate(struct acs_run *run);  /* authz-deactivate */
int acs_act_observe(struct acs_run *run);           /* observe */

/* ---- certificates (script_act_cert.c) ---- */

int acs_act_finalize(struct acs_run *run);      /* finalize */
int acs_act_cert_download(struct acs_run *run); /* cert-download */
int acs_act_issue(struct acs_run *run);         /* issue */
int acs_act_revoke(struct acs_run *run);        /* revoke */

/* ---- renewal information, RFC 9773 (script_act_ari.c) ---- */

int acs_act_renewal_info(struct acs_run *run); /* renewal-info */
int acs_act_ari_issue(struct acs_run *run);    /* ari-issue */

#endif
