/*
 * The client flow of the mock client engine: the steps of an ordinary
 * ACME client (RFC 8555) as library functions on a session, run by
 * `acmespec mock-client` in a row and shaped by the session's client
 * settings (acme.h, struct acs_acme_client): its client-behaviour
 * misbehaviours (misbehave.h, ACS_SW_*), the request misbehaviours of
 * every signed request, the webroot and dns hook, the deadline.
 *
 * The flow keeps its account as the session's account "a" and its order
 * as the session's order "o" (the certificate in o->cert_pem). Every step
 * returns 0 or a negative ACS_E_* code with err saying why, as a
 * conformant client would report it (with the server's problem detail
 * unless the hide-detail switch is on); progress goes to the session's
 * note callback. When a response lacks a field the protocol requires, the
 * step fails with s->client.malformed set. err must not be NULL. Nothing
 * here prints or exits.
 *
 * A conformant client: nonces vetted (6.5.1), badNonce retried with the
 * error's own nonce, 429 and 503 retried after Retry-After, polling that
 * honours Retry-After, answers deprovisioned once the challenge is over,
 * the chain checked strictly (11.4).
 */
#ifndef ACMESPEC_FLOW_H
#define ACMESPEC_FLOW_H

#include <stddef.h>

#include "harness/err.h"
#include "mockclient/acme.h"

#define ACS_FLOW_ACCOUNT "a" /* the flow's account in the session */
#define ACS_FLOW_ORDER   "o" /* the flow's order in the session */

/*
 * Make the session the flow's: nonces vetted unless use-invalid-nonce,
 * the nonce requests with the client's headers. Call once, after filling
 * s->client and before the first step.
 */
void acs_flow_begin(struct acs_acme_session *s);

/*
 * A signed POST (payload NULL: POST-as-GET) with the coping of a
 * conformant client: signed by the flow's account (jwk when use_jwk, else
 * its kid), badNonce and 429/503 retried. Returns 0 with *out (any final
 * status) or a negative code when no response could be had.
 */
int acs_flow_post(struct acs_acme_session *s, const char *url, const char *payload, int use_jwk,
                  struct acs_acme_resp **out, struct acs_err *err);

/* GET the directory and check it (v2 names, https URLs, and as the switches ask). */
int acs_flow_directory(struct acs_acme_session *s, struct acs_err *err);

/* What the new account asks for. Every pointer is borrowed. */
struct acs_flow_account {
	const char *const *contacts; /* account contact URIs */
	size_t ncontacts;
	int agree_tos;        /* agree when the CA has terms */
	const char *eab_kid;  /* EAB credentials, both or neither (NULL) */
	const char *eab_hmac; /* base64url */
};

/* newAccount with a fresh key (and EAB when the CA requires it). */
int acs_flow_new_account(struct acs_acme_session *s, const struct acs_flow_account *a,
                         struct acs_err *err);

/* Roll the account key over (7.3.5), with the session's inner misbehaviours. */
int acs_flow_key_change(struct acs_acme_session *s, struct acs_err *err);

/* newOrder for dns names ("*.x" for a wildcard). names: borrowed. */
int acs_flow_new_order(struct acs_acme_session *s, const char *const *names, size_t n,
                       struct acs_err *err);

/*
 * Answer every pending authorization of the order with a challenge of
 * type ("http-01", "dns-01", "tls-alpn-01"), poll each to a final status,
 * take the answers down.
 */
int acs_flow_authorize(struct acs_acme_session *s, const char *type, struct acs_err *err);

/* Wait for the order to be ready, finalize with a fresh key, wait for valid. */
int acs_flow_finalize(struct acs_acme_session *s, struct acs_err *err);

/* Download and check the chain (and the alternates) into the order's cert_pem. */
int acs_flow_download(struct acs_acme_session *s, struct acs_err *err);

/* Revoke the downloaded certificate (reason 4, superseded). */
int acs_flow_revoke(struct acs_acme_session *s, struct acs_err *err);

/* The certificate chain downloaded (borrowed), or NULL. */
const char *acs_flow_certificate(struct acs_acme_session *s);

/* Take down webroot files and hook records (kept on purpose with no-deprovision). */
void acs_flow_deprovision(struct acs_acme_session *s);

/* ---- pieces shared by the flow's files (not for use outside mockclient/) ---- */

/* Tell the note callback. */
void acs_flow_note(struct acs_acme_session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A response without a field the protocol requires: malformed set, ACS_E_PARSE. */
int acs_flow_malformed(struct acs_acme_session *s, struct acs_err *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* "WHAT failed: status 400 urn:...: detail" (no detail with hide-detail); returns ACS_E_STATE. */
int acs_flow_fail_resp(struct acs_acme_session *s, struct acs_err *err, const char *what,
                       const struct acs_acme_resp *r);

/* An unsigned request with the client's headers and request misbehaviours. */
int acs_flow_plain(struct acs_acme_session *s, const char *method, const char *url,
                   struct acs_acme_resp **out, struct acs_err *err);

/* Read a resource (POST-as-GET, or GET with get-resources): 2xx with a JSON object. */
int acs_flow_fetch(struct acs_acme_session *s, const char *what, const char *url,
                   struct acs_acme_resp **out, struct acs_err *err);

/* How the client waits before asking again (Retry-After, unless the switches say otherwise). */
void acs_flow_wait_policy(const struct acs_acme_session *s, struct acs_acme_wait *w);

/* Keep an order object as the flow's order, checking its arrays did not change (7.1.3). */
int acs_flow_keep_order(struct acs_acme_session *s, const json_t *o, struct acs_err *err);

#endif
