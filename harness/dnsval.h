/*
 * The DNS names and records of the newer DNS challenges, shared by the
 * mock CA (which validates them) and the mock client (which answers them):
 * the dns-account-01 label (draft-ietf-acme-dns-account-label) and the
 * dns-persist-01 issue-value (draft-ietf-acme-dns-persist, RFC 8659 4).
 */
#ifndef ACMESPEC_DNSVAL_H
#define ACMESPEC_DNSVAL_H

#include <stddef.h>
#include <time.h>

/* Longest label acs_dnsacct_label writes, with its NUL (52 base32 characters + 1). */
#define ACS_DNSACCT_LABEL_MAX 64

/*
 * The dns-account-01 label of an account URL: lower-case base32 (RFC 4648,
 * no padding) of the first 10 octets of SHA-256(acct_url), 16 characters,
 * without the leading "_". octets: how many octets of the digest to encode
 * (10 per the draft; 32 only to make a deliberately wrong label). 0, or -1
 * on a NULL URL or a bad octet count.
 */
int acs_dnsacct_label(const char *acct_url, size_t octets, char out[ACS_DNSACCT_LABEL_MAX]);

/* One dns-persist-01 record as parsed by acs_persist_parse (strings owned by it). */
struct acs_persist_rec {
	char *issuer;     /* issuer-domain-name, or "" */
	char *accounturi; /* NULL when absent */
	char *policy;     /* NULL when absent; the value as written */
	int has_until;    /* persistUntil present and a base-10 integer */
	long long until;  /* its value (UNIX seconds) */
	int bad_until;    /* persistUntil present but not a base-10 integer */
	int unknown;      /* number of parameters with unrecognised tags */
};

/*
 * Parse an issue-value: issuer-domain-name, then ";"-separated tag=value
 * parameters (white space around them ignored; tags compared without
 * case). 0, or -1 when the text is not an issue-value (a parameter without
 * "=", an empty tag) or on ENOMEM. Free with acs_persist_free.
 */
int acs_persist_parse(const char *txt, struct acs_persist_rec *out);
void acs_persist_free(struct acs_persist_rec *r);

#endif
