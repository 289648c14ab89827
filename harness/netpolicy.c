#include "harness/netpolicy.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Hosts of production ACME directories: refused unless --allow-production. */
static const char *const production_hosts[] = {
    "acme-v02.api.letsencrypt.org",
    "acme-v01.api.letsencrypt.org",
    "acme.zerossl.com",
    "api.buypass.com",
    "dv.acme-v02.api.pki.goog",
    "acme.ssl.com",
    "acme.digicert.com",
    "acme.sectigo.com",
    "acme.actalis.com",
    NULL,
};

const char *const *acs_production_hosts(void)
{
	return production_hosts;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int acs_url_host(const char *url, char *out, size_t outlen)
{
	const char *p = strstr(url, "://");
	size_t auth, at, i, n = 0;

	if (outlen == 0)
		return -1;
	out[0] = '\0';
	if (p == NULL)
		return -1;
	p += 3;
	auth = strcspn(p, "/?#");
	/* userinfo ends at the last '@' of the authority */
	for (at = auth; at > 0; at--) {
		if (p[at - 1] == '@') {
			p += at;
			auth -= at;
			break;
		}
	}
	for (i = 0; i < auth; i++) {
		char ch = p[i];

		if (ch == ':' && p[0] != '[')
			break; /* the port */
		if (ch == ']' && p[0] == '[') {
			if (n + 1 >= outlen)
				return -1;
			out[n++] = ch;
			break;
		}
		if (ch == '%') {
			int hi = i + 2 < auth ? hex_value(p[i + 1]) : -1;
			int lo = i + 2 < auth ? hex_value(p[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				out[0] = '\0';
				return -1;
			}
			ch = (char)(hi * 16 + lo);
			i += 2;
		}
		if (n + 1 >= outlen) {
			out[0] = '\0';
			return -1;
		}
		out[n++] = (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
	}
	out[n] = '\0';
	/* "acme-v02.api.letsencrypt.org." names the same host */
	while (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
	return n > 0 ? 0 : -1;
}

int acs_url_is_production(const char *url)
{
	char host[256];
	size_t i;

	/* a URL with no readable host is refused as malformed by the caller */
	if (acs_url_host(url, host, sizeof(host)) != 0)
		return 0;
	for (i = 0; production_hosts[i] != NULL; i++)
		if (strcmp(host, production_hosts[i]) == 0)
			return 1;
	return 0;
}

int acs_host_is_loopback(const char *host)
{
	unsigned char a6[16], a4[4];
	static const unsigned char v6_loop[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	char bare[64];
	size_t n = strlen(host);

	if (strcmp(host, "localhost") == 0 || (n > 10 && strcmp(host + n - 10, ".localhost") == 0))
		return 1;
	if (inet_pton(AF_INET, host, a4) == 1)
		return a4[0] == 127;
	if (host[0] == '[' && n > 2 && n - 2 < sizeof(bare) && host[n - 1] == ']') {
		memcpy(bare, host + 1, n - 2);
		bare[n - 2] = '\0';
		return inet_pton(AF_INET6, bare, a6) == 1 && memcmp(a6, v6_loop, 16) == 0;
	}
	return 0;
}

void acs_netpolicy_init(struct acs_netpolicy *p, const char *directory_url, int allow_production,
                        int allow_other_hosts)
{
	memset(p, 0, sizeof(*p));
	p->allow_production = allow_production;
	p->allow_other_hosts = allow_other_hosts;
	if (directory_url != NULL && acs_url_host(directory_url, p->home, sizeof(p->home)) == 0)
		p->home_loopback = acs_host_is_loopback(p->home);
	else
		p->home[0] = '\0';
}

int acs_netpolicy_check(const struct acs_netpolicy *p, const char *url, struct acs_err *err)
{
	char host[256];

	if (acs_url_host(url, host, sizeof(host)) != 0)
		return acs_err_set(err, ACS_E_REFUSED, "not followed: %.300s has no readable host",
		                   url);
	if (!p->allow_production && acs_url_is_production(url))
		return acs_err_set(err, ACS_E_REFUSED,
		                   "not followed: %.300s is a production CA (--allow-production to "
		                   "allow it)",
		                   url);
	if (p->home[0] == '\0' || p->allow_other_hosts)
		return 0;
	if (p->home_loopback) {
		if (acs_host_is_loopback(host))
			return 0;
		return acs_err_set(err, ACS_E_REFUSED,
		                   "not followed: %.300s is off loopback, and the directory is on "
		                   "loopback (--allow-other-hosts to follow it)",
		                   url);
	}
	if (strcmp(host, p->home) == 0)
		return 0;
	return acs_err_set(err, ACS_E_REFUSED,
	                   "not followed: %.300s is on another host than the directory's (%s; "
	                   "--allow-other-hosts to follow it)",
	                   url, p->home);
}

int acs_dns_zone_check(const char *zone, char *why, size_t whylen)
{
	size_t len = zone != NULL ? strlen(zone) : 0, i = 0, n, k;
	int digits = 0;

	if (len == 0 || len > ACS_ZONE_MAX) {
		snprintf(why, whylen, "expected 1 to %d characters, got %zu", ACS_ZONE_MAX, len);
		return -1;
	}
	while (i <= len) {
		const char *label = zone + i;

		n = strcspn(label, ".");
		if (n == 0) {
			snprintf(why, whylen, "an empty label (a leading, trailing or double dot)");
			return -1;
		}
		if (n > 63) {
			snprintf(why, whylen, "a label of %zu characters (1 to 63 allowed)", n);
			return -1;
		}
		digits = 1;
		for (k = 0; k < n; k++) {
			unsigned char ch = (unsigned char)label[k];

			if (!isalnum(ch) && ch != '-') {
				snprintf(
				    why, whylen,
				    "label \"%.*s\" has '%c': letters, digits and hyphens only",
				    (int)n, label, isprint(ch) ? ch : '?');
				return -1;
			}
			digits &= isdigit(ch) != 0;
		}
		if (label[0] == '-' || label[n - 1] == '-') {
			snprintf(why, whylen, "label \"%.*s\" %s with a hyphen", (int)n, label,
			         label[0] == '-' ? "starts" : "ends");
			return -1;
		}
		i += n + 1;
	}
	if (digits) {
		snprintf(why, whylen, "the last label is all digits: a zone, not an IP address");
		return -1;
	}
	return 0;
}
