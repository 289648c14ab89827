/*
 * dns-account-01 labels and dns-persist-01 issue-values (dnsval.h).
 */
#include "harness/dnsval.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int acs_dnsacct_label(const char *acct_url, size_t octets, char out[ACS_DNSACCT_LABEL_MAX])
{
	static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
	unsigned char md[SHA256_DIGEST_LENGTH];
	unsigned long acc = 0;
	size_t i, o = 0;
	int bits = 0;

	if (acct_url == NULL || octets == 0 || octets > sizeof(md))
		return -1;
	SHA256((const unsigned char *)acct_url, strlen(acct_url), md);
	for (i = 0; i < octets; i++) {
		acc = (acc << 8) | md[i];
		bits += 8;
		while (bits >= 5) {
			out[o++] = alphabet[(acc >> (bits - 5)) & 31];
			bits -= 5;
		}
	}
	if (bits > 0)
		out[o++] = alphabet[(acc << (5 - bits)) & 31];
	out[o] = '\0';
	return 0;
}

/* s without the white space around it, in place. */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	return s;
}

static int set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = strdup(v);
	return *dst != NULL ? 0 : -1;
}

/* One tag=value parameter into r: 0, or -1 when it is not tag=value. */
static int parse_param(char *p, struct acs_persist_rec *r)
{
	char *eq = strchr(p, '='), *tag, *val, *end = NULL;
	long long v;

	if (eq == NULL)
		return -1;
	*eq = '\0';
	tag = trim(p);
	val = trim(eq + 1);
	if (tag[0] == '\0')
		return -1;
	if (strcasecmp(tag, "accounturi") == 0)
		return set_str(&r->accounturi, val);
	if (strcasecmp(tag, "policy") == 0)
		return set_str(&r->policy, val);
	if (strcasecmp(tag, "persistuntil") == 0) {
		errno = 0;
		v = val[0] != '\0' && isdigit((unsigned char)val[0]) ? strtoll(val, &end, 10) : 0;
		if (end == NULL || *end != '\0' || errno != 0) {
			r->bad_until = 1;
		} else {
			r->has_until = 1;
			r->until = v;
		}
		return 0;
	}
	r->unknown++;
	return 0;
}

int acs_persist_parse(const char *txt, struct acs_persist_rec *out)
{
	char *copy, *p, *semi;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (txt == NULL || (copy = strdup(txt)) == NULL)
		return -1;
	semi = strchr(copy, ';');
	if (semi != NULL)
		*semi = '\0';
	if (set_str(&out->issuer, trim(copy)) != 0)
		rc = -1;
	for (p = semi != NULL ? semi + 1 : NULL; rc == 0 && p != NULL; p = semi) {
		semi = strchr(p, ';');
		if (semi != NULL)
			*semi++ = '\0';
		if (trim(p)[0] == '\0' && semi == NULL)
			break; /* a trailing ";" */
		rc = parse_param(p, out);
	}
	free(copy);
	if (rc != 0)
		acs_persist_free(out);
	return rc;
}

void acs_persist_free(struct acs_persist_rec *r)
{
	if (r == NULL)
		return;
	free(r->issuer);
	free(r->accounturi);
	free(r->policy);
	memset(r, 0, sizeof(*r));
}
