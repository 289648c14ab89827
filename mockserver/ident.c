/*
 * Identifier policy of the mock CA: DNS names (with valid punycode labels,
 * RFC 3492), IP addresses, and names the issuance policy forbids.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "mockserver/ident.h"
#include "mockserver/req.h"
#include "mockserver/store.h"

static int dns_name_ok(const char *v)
{
	size_t len = strlen(v), label = 0, i;

	if (len == 0 || len > 253 || v[len - 1] == '.' || v[0] == '.')
		return 0;
	for (i = 0; i < len; i++) {
		char c = v[i];

		if (c == '.') {
			if (label == 0 || v[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!(isalnum((unsigned char)c) || c == '-'))
			return 0;
		if (label == 0 && c == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	/* a bare IP address is not a DNS name */
	{
		unsigned char tmp[16];

		if (inet_pton(AF_INET, v, tmp) == 1)
			return 0;
	}
	return strchr(v, '.') != NULL;
}

/* RFC 3492 bias adaptation. */
static unsigned long puny_adapt(unsigned long delta, unsigned long numpoints, int first)
{
	unsigned long k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / numpoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 * delta) / (delta + 38);
}

/*
 * Is in[0..len) (the part of a label after "xn--") a punycode string that
 * decodes (RFC 3492 section 6.2) to at least one non-ASCII code point?
 */
static int punycode_ok(const char *in, size_t len)
{
	const unsigned long maxint = 0xffffffffUL;
	unsigned long n = 128, i = 0, bias = 72, out = 0, oldi, w, k, digit, t;
	size_t b = 0, pos, j;

	if (len == 0)
		return 0;
	for (j = 0; j < len; j++) {
		if (in[j] == '-')
			b = j;
	}
	out = b;
	pos = b > 0 ? b + 1 : 0;
	while (pos < len) {
		oldi = i;
		w = 1;
		for (k = 36;; k += 36) {
			char c;

			if (pos >= len)
				return 0; /* incomplete */
			c = in[pos++];
			if (c >= 'a' && c <= 'z')
				digit = (unsigned long)(c - 'a');
			else if (c >= '0' && c <= '9')
				digit = (unsigned long)(c - '0') + 26;
			else
				return 0;
			if (digit > (maxint - i) / w)
				return 0;
			i += digit * w;
			t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
			if (digit < t)
				break;
			if (w > maxint / (36 - t))
				return 0;
			w *= 36 - t;
		}
		out++;
		bias = puny_adapt(i - oldi, out, oldi == 0);
		if (i / out > maxint - n)
			return 0;
		n += i / out;
		i %= out;
		if (n < 0x80 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff) || out > 63)
			return 0;
		i++;
	}
	return out > b;
}

/* Every xn-- label of name is valid punycode (section 7.1.4, RFC 5890). */
static int xn_labels_ok(const char *name)
{
	const char *p = name;

	while (*p != '\0') {
		size_t l = strcspn(p, ".");

		if (l >= 4 && strncmp(p, "xn--", 4) == 0 && !punycode_ok(p + 4, l - 4))
			return 0;
		p += l;
		if (*p == '.')
			p++;
	}
	return 1;
}

/* The CA's issuance policy: names under the reserved TLD .invalid are refused. */
static int name_forbidden(const char *name)
{
	size_t n = strlen(name);

	return strcmp(name, "invalid") == 0 || (n > 8 && strcmp(name + n - 8, ".invalid") == 0);
}

/*
 * Check and normalise one identifier of newOrder or newAuthz. NULL when it
 * is acceptable (*out filled, wildcards keep their "*."), else the problem
 * type, with the reason in detail.
 */
const char *acs_mca_ident_check(struct mca_req *r, const json_t *v, struct acs_ident *out,
                                char *detail, size_t dlen)
{
	struct mca_scenario *s = r->scn;
	const char *type = json_string_value(json_object_get(v, "type"));
	const char *val = json_string_value(json_object_get(v, "value"));
	size_t k;

	memset(out, 0, sizeof(*out));
	if (type == NULL || val == NULL || strlen(val) >= sizeof(out->value)) {
		(void)snprintf(detail, dlen, "an identifier needs string type and value");
		return "malformed";
	}
	if (strcmp(type, "ip") == 0) {
		unsigned char addr[16];
		int af = strchr(val, ':') != NULL ? AF_INET6 : AF_INET;

		if (mca_mb(s, MB_NO_IP)) {
			(void)snprintf(detail, dlen, "ip identifiers are not supported");
			return "unsupportedIdentifier";
		}
		if (inet_pton(af, val, addr) != 1 ||
		    inet_ntop(af, addr, out->value, sizeof(out->value)) == NULL) {
			(void)snprintf(detail, dlen, "invalid IP address %.255s", val);
			return "malformed";
		}
		memcpy(out->type, "ip", 3);
		return NULL;
	}
	if (strcmp(type, "dns") != 0 && !mca_mb(s, MB_UNKNOWN_IDENT_OK)) {
		(void)snprintf(detail, dlen, "identifier type %.32s is not supported", type);
		return "unsupportedIdentifier";
	}
	memcpy(out->type, "dns", 4);
	for (k = 0; val[k] != '\0'; k++)
		out->value[k] = (char)tolower((unsigned char)val[k]);
	{
		const char *base = strncmp(out->value, "*.", 2) == 0 ? out->value + 2 : out->value;

		if (!dns_name_ok(base)) {
			(void)snprintf(detail, dlen, "invalid DNS name %.255s", val);
			return "rejectedIdentifier";
		}
		if (!mca_mb(s, MB_BAD_PUNYCODE_OK) && !xn_labels_ok(base)) {
			(void)snprintf(detail, dlen,
			               "%.255s has an xn-- label that is not valid "
			               "punycode (RFC 3492)",
			               val);
			return "rejectedIdentifier";
		}
		if (name_forbidden(base)) {
			(void)snprintf(detail, dlen, "policy forbids names under .invalid: %.255s",
			               val);
			return "rejectedIdentifier";
		}
		if (base != out->value && mca_mb(s, MB_NO_WILDCARD)) {
			(void)snprintf(detail, dlen, "wildcard names are not supported");
			return "rejectedIdentifier";
		}
	}
	return NULL;
}

/*
 * Refuse a newOrder for its identifiers (section 6.7.1): one refused
 * identifier of a one-identifier order gets a plain problem; otherwise the
 * problem lists a subproblem with the identifier object for each refusal.
 * subs: array of {"type": short type, "detail", "identifier"} (borrowed).
 */
void acs_mca_refuse_identifiers(struct mca_req *r, json_t *subs, size_t nids)
{
	const char *type = NULL;
	json_t *obj, *arr = json_array(), *e;
	size_t i;
	char detail[128];

	/* the log keeps r->resp.problem after subs is gone: a literal type, not subs' string */
	static const char *const types[] = {"rejectedIdentifier", "unsupportedIdentifier",
	                                    "malformed"};

	json_array_foreach(subs, i, e)
	{
		const char *t = json_string_value(json_object_get(e, "type"));
		size_t k;

		for (k = 0; k < sizeof(types) / sizeof(types[0]) - 1; k++) {
			if (strcmp(t, types[k]) == 0)
				break;
		}
		type = type == NULL || strcmp(type, types[k]) == 0 ? types[k] : "malformed";
	}
	if (nids == 1 && json_array_size(subs) == 1) {
		e = json_array_get(subs, 0);
		obj = acs_mca_problem_obj(r, 400, type,
		                          json_string_value(json_object_get(e, "detail")));
	} else {
		(void)snprintf(detail, sizeof(detail), "%zu of the %zu identifiers were refused",
		               json_array_size(subs), nids);
		obj = acs_mca_problem_obj(r, 400, type, detail);
		json_array_foreach(subs, i, e)
		{
			json_t *sub = acs_mca_problem_obj(
			    r, 400, json_string_value(json_object_get(e, "type")),
			    json_string_value(json_object_get(e, "detail")));
			json_t *id = json_object_get(e, "identifier");

			json_object_del(sub, "status");
			if (mca_mb(r->scn, MB_SUBPROBLEM_ID_STRING)) {
				char idstr[300];

				(void)snprintf(idstr, sizeof(idstr), "%s:%s",
				               json_string_value(json_object_get(id, "type")),
				               json_string_value(json_object_get(id, "value")));
				json_object_set_new(sub, "identifier", json_string(idstr));
			} else {
				json_object_set(sub, "identifier", id);
			}
			json_array_append_new(arr, sub);
		}
		json_object_set(obj, "subproblems", arr);
	}
	if (mca_mb(r->scn, MB_PROBLEM_TOP_IDENTIFIER))
		json_object_set(obj, "identifier",
		                json_object_get(json_array_get(subs, 0), "identifier"));
	acs_mca_send_problem_obj(r, 400, type, obj);
	json_decref(obj);
	json_decref(arr);
}
