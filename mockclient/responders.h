/*
 * Challenge responders of the mock client: real listeners a server under
 * test validates against. One set serves all cases of a run concurrently:
 * entries are keyed by token (http-01), by SNI name (tls-alpn-01) and by
 * record name (dns-01), so cases use distinct names (the runner gives each
 * case fresh random domains).
 *
 * Every entry carries a "behaviour" so that server cases can serve wrong or
 * unusual answers on purpose. Every request a responder sees is logged
 * (what, from where, what it answered) into per-entry observations that
 * cases can read, and into the entry's transcript when one is attached.
 *
 * A transcript given to a *_set / *_add call is borrowed: it must stay
 * valid until the matching *_clear (or acs_responders_stop); once *_clear
 * has returned, no responder thread touches it again. Every port may be -1
 * (that responder is not started). Observations and counts survive *_clear.
 */
#ifndef ACMESPEC_RESPONDERS_H
#define ACMESPEC_RESPONDERS_H

#include <stddef.h>
#include "harness/err.h"
#include "harness/x509.h"

struct acs_transcript;

struct acs_responders_opts {
	const char *bind_addr;    /* "127.0.0.1" unless given */
	int http01_port;          /* 0: ephemeral (read back with acs_responders_ports) */
	int tlsalpn01_port;       /* 0: ephemeral; -1: do not start */
	int dns_port;             /* UDP and TCP; 0: ephemeral; -1: do not start */
	const char *dns_a_answer; /* A record for every non-TXT name; "127.0.0.1" */
};

struct acs_responders;

/* Start the listeners. Fails with the address: "cannot bind 127.0.0.1:5002: ...". */
int acs_responders_start(struct acs_responders **out, const struct acs_responders_opts *o,
                         struct acs_err *err);
void acs_responders_stop(struct acs_responders *r); /* NULL allowed; joins threads */

void acs_responders_ports(const struct acs_responders *r, int *http01, int *tlsalpn01, int *dns);

/* http-01 behaviours */
enum acs_http01_mode {
	ACS_HTTP01_OK = 0,      /* 200, body = key authorization */
	ACS_HTTP01_WRONG,       /* 200, body = a different key authorization */
	ACS_HTTP01_TRAILING_NL, /* key authorization + "\n" */
	ACS_HTTP01_TRAILING_SP, /* key authorization + "  " */
	ACS_HTTP01_NOT_FOUND,   /* 404 */
	ACS_HTTP01_REDIRECT,    /* 302 to /acmespec-redirect/<token>, which serves OK */
	ACS_HTTP01_FAIL_FIRST   /* 404 to the first request, OK afterwards */
};

/* Serve keyauth at /.well-known/acme-challenge/<token>. t: borrowed, may be NULL. */
int acs_http01_set(struct acs_responders *r, const char *token, const char *keyauth,
                   enum acs_http01_mode mode, struct acs_transcript *t);
void acs_http01_clear(struct acs_responders *r, const char *token);
/* How many requests the token's path received (including redirects' targets). */
int acs_http01_hits(struct acs_responders *r, const char *token);

/* tls-alpn-01 behaviours */
enum acs_alpn_mode {
	ACS_ALPN_OK = 0,
	ACS_ALPN_WRONG_DIGEST, /* acmeIdentifier over another key authorization */
	ACS_ALPN_NONCRITICAL,  /* extension not critical */
	ACS_ALPN_MIXED_CASE,   /* SAN with the name in mixed case (must still validate) */
	ACS_ALPN_EXTRA_SAN,    /* a second dNSName in the SAN */
	ACS_ALPN_NO_EXTENSION  /* plain certificate without acmeIdentifier */
};

/*
 * Observations of handshakes for a name. The first four are counts of
 * connections (so "every handshake offered only acme-tls/1" is
 * offered_only_acme == handshakes); they survive acs_alpn_clear.
 */
struct acs_alpn_obs {
	int handshakes;        /* ClientHellos seen for this SNI */
	int offered_acme_tls;  /* the client offered acme-tls/1 */
	int offered_only_acme; /* ... and only that protocol */
	int app_data_received; /* the validator sent application data */
	int min_version_seen;  /* lowest TLS version negotiated (0x0303 = 1.2) */
};

/* Serve a tls-alpn-01 certificate for the identifier (SNI = name, or for
 * an IP the reverse-DNS name of RFC 8738). */
int acs_alpn_set(struct acs_responders *r, const struct acs_ident *id, const char *keyauth,
                 enum acs_alpn_mode mode, struct acs_transcript *t);
void acs_alpn_clear(struct acs_responders *r, const struct acs_ident *id);
int acs_alpn_observed(struct acs_responders *r, const struct acs_ident *id,
                      struct acs_alpn_obs *out);

/* dns-01: add a TXT value at name (e.g. "_acme-challenge.x.test"); several allowed. */
int acs_dns_txt_add(struct acs_responders *r, const char *name, const char *value,
                    struct acs_transcript *t);
void acs_dns_txt_clear(struct acs_responders *r, const char *name);
/* Queries for name seen so far, over UDP and over TCP. */
void acs_dns_queries(struct acs_responders *r, const char *name, int *udp, int *tcp);

#endif
