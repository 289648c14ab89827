/*
 * Challenge validation for real (validate.c): http-01 over HTTP, tls-alpn-01
 * (RFC 8737) over TLS, dns-01 TXT lookups, each against the CA's
 * validation address and ports.
 */
#ifndef ACMESPEC_MOCKCA_VALIDATE_H
#define ACMESPEC_MOCKCA_VALIDATE_H

#include <jansson.h>
#include "harness/buf.h"

struct acs_mockca;
struct mca_vjob;

/*
 * Validate job (borrowed), recording broken checks in logent: 0 when valid;
 * otherwise *errtype (a static short problem type) and the reason in detail.
 */
int acs_mca_validate(struct acs_mockca *ca, const struct mca_vjob *job, json_t *logent,
                     const char **errtype, struct acs_buf *detail);

/* ---- dns-account-01 and dns-persist-01 (issue 7 item 3; validate_dns.c) ---- */

struct mca_scenario;

/*
 * TXT lookup of qname at the CA's DNS server (TCP, then UDP), its values
 * appended to vals as strings and the response code in *rcode. 0, or -1
 * with the reason in detail (the server unreachable or its answer broken).
 */
int acs_mca_dns_txt(struct acs_mockca *ca, const struct mca_vjob *job, const char *qname,
                    json_t *ent, json_t *vals, int *rcode, struct acs_buf *detail);

/* dns-account-01: the key authorization digest at _<label>._acme-challenge.<name>. */
int acs_mca_validate_dnsacct(struct acs_mockca *ca, const struct mca_vjob *job, json_t *logent,
                             const char **errtype, struct acs_buf *detail);

/* dns-persist-01: an issue-value naming this CA and the account at _validation-persist.<name>. */
int acs_mca_validate_persist(struct acs_mockca *ca, const struct mca_vjob *job, json_t *logent,
                             const char **errtype, struct acs_buf *detail);

/* Replace the validation detail d with a formatted message. */
void acs_mca_detailf(struct acs_buf *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The issuer-domain-names a dns-persist-01 challenge of scenario s carries. New reference. */
json_t *acs_mca_persist_issuers(struct mca_scenario *s);

#endif
