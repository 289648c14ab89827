#include "harness/netpolicy.h"

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
