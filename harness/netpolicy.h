/*
 * Where test traffic may go. acmespec sends malformed and abusive requests
 * on purpose, so production ACME directories are refused unless the user
 * allows them (--allow-production). Hosts are compared after the URL is
 * normalised the way a resolver would see it: userinfo and port dropped,
 * percent-escapes decoded, lower case, no trailing dot; so
 * "https://u@ACME-V02.api.letsencrypt%2Eorg.:443/directory" is production.
 */
#ifndef ACMESPEC_NETPOLICY_H
#define ACMESPEC_NETPOLICY_H

#include <stddef.h>

#include "harness/err.h"

/*
 * The normalised host of an absolute URL into out (NUL-terminated; "" when
 * url has no "scheme://" or the host does not fit). An IPv6 literal keeps
 * its brackets. Returns 0, or -1 when the host is empty, does not fit, or
 * holds a bad or NUL percent-escape.
 */
int acs_url_host(const char *url, char *out, size_t outlen);

/*
 * 1 when url's host is a known production ACME directory host, else 0 (also
 * for a URL with no readable host: check it with acs_url_host first).
 */
int acs_url_is_production(const char *url);

/* The production hosts, NULL-terminated (static). */
const char *const *acs_production_hosts(void);

/*
 * Where one run's requests may go, beyond the URL the user typed: every URL
 * learned from the target (a directory entry, a Location, a Link) is
 * checked before anything is sent. Production hosts are refused unless
 * allowed; when the directory is on loopback, every URL must be on loopback
 * (127.0.0.0/8, ::1, localhost); otherwise every URL must be on the
 * directory's host, unless other hosts are allowed.
 */
struct acs_netpolicy {
	char home[256];        /* the directory's host, normalised ("" : no home rule) */
	int home_loopback;     /* the directory is on loopback */
	int allow_production;  /* --allow-production */
	int allow_other_hosts; /* --allow-other-hosts */
};

/* The policy of a run against directory_url (NULL: production rule only). */
void acs_netpolicy_init(struct acs_netpolicy *p, const char *directory_url, int allow_production,
                        int allow_other_hosts);

/* 1 when host (normalised, as acs_url_host gives it) is a loopback name or address. */
int acs_host_is_loopback(const char *host);

/*
 * 0 when url may be requested; ACS_E_REFUSED with a message naming the URL
 * and the rule ("not followed: https://10.1.2.3/x is off loopback, and the
 * directory is on loopback") otherwise.
 */
int acs_netpolicy_check(const struct acs_netpolicy *p, const char *url, struct acs_err *err);

/* The longest zone under which a run makes names (--domain-suffix). */
#define ACS_ZONE_MAX 200

/*
 * 0 when zone can carry a run's names: 1 to ACS_ZONE_MAX characters of
 * dot-separated labels of 1 to 63 letters, digits and hyphens, none
 * starting or ending with a hyphen, a last label that is not all digits (no
 * IP address), no trailing dot and no wildcard. -1 otherwise, with why
 * ("label \"-a\" starts with a hyphen").
 */
int acs_dns_zone_check(const char *zone, char *why, size_t whylen);

#endif
