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

#endif
