/*
 * Challenge answers of the mock client engine, used by the server cases'
 * actions and by the client flow (flow.h) alike: http-01 in the responder
 * or as a file under the session's webroot, dns-01 in the responder's zone
 * or through the session's dns hook, tls-alpn-01 in the responder.
 * Responder entries are remembered in the session and cleared when it is
 * freed; webroot files and hook records by acs_acme_deprovision.
 */
#ifndef ACMESPEC_PROVISION_H
#define ACMESPEC_PROVISION_H

#include "harness/err.h"
#include "harness/x509.h"
#include "mockclient/acme.h"
#include "mockclient/responders.h"

/* One challenge answer to put up. Every pointer is borrowed. */
struct acs_acme_prov_req {
	const char *type;            /* "http-01", "dns-01" or "tls-alpn-01" */
	const char *token;           /* the challenge token (must be base64url) */
	const struct acs_ident *id;  /* the identifier (a wildcard's base name) */
	const char *keyauth;         /* the key authorization to serve (or a wrong one) */
	enum acs_http01_mode http01; /* how the http-01 responder serves it */
	enum acs_alpn_mode alpn;     /* how the tls-alpn-01 responder serves it */
	int dns_decoys;              /* dns-01 zone: two random TXT values beside the answer */
	int dns_star;                /* dns-01: the record at _acme-challenge.*.NAME */
	/* dns-account-01, dns-persist-01: the TXT record as the flow made it (issue 7 item 3) */
	const char *txt_name;
	const char *txt_value;
};

/*
 * Put the answer up. Fails (ACS_E_STATE) when what it needs is missing:
 * no responders (and no webroot for http-01, no hook for dns-01).
 */
int acs_acme_provision(struct acs_acme_session *s, const struct acs_acme_prov_req *r,
                       struct acs_err *err);

/*
 * RFC 8555 8.3, 8.4: take down the webroot files and hook records put up
 * so far (keep: forget them but leave them in place). Responder entries
 * stay until the session is freed.
 */
void acs_acme_deprovision(struct acs_acme_session *s, int keep);

/*
 * Run the dns hook: /bin/sh -c 'HOOK "$@"' sh OP NAME VALUE in its own
 * process group, stdin from /dev/null, its standard output and error
 * captured (never on the harness's standard output). Fails (ACS_E_IO)
 * unless it exits 0, ACS_E_TIMEOUT (the group killed) when it runs past
 * seconds (0: 30); the message carries the end of its output.
 */
int acs_acme_dns_hook(const char *hook, const char *op, const char *name, const char *value,
                      double seconds, struct acs_err *err);

#endif
