/*
 * Subdomain authorizations (RFC 9444), behind the subdomain-auth behaviour
 * (off by default: neither Boulder nor Pebble advertises them). Section
 * numbers are RFC 9444's (docs/requirements-9444.md). The request checks
 * on what clients send fire in every scenario.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mockserver/req.h"
#include "mockserver/res_subdomain.h"
#include "mockserver/store.h"

int acs_mca_is_ancestor(const char *anc, const char *name, int suffix_only)
{
	size_t la = strlen(anc), ln = strlen(name);

	if (la == 0 || ln <= la || strcasecmp(name + ln - la, anc) != 0)
		return 0;
	/* section 2 and 7.2: whole labels, never a string suffix */
	return suffix_only || name[ln - la - 1] == '.';
}

/* the lower-case copy of a DNS name into out (size outsz); 0, or -1 when too long */
static int lower_copy(const char *v, char *out, size_t outsz)
{
	size_t k;

	if (strlen(v) >= outsz)
		return -1;
	for (k = 0; v[k] != '\0'; k++)
		out[k] = (char)tolower((unsigned char)v[k]);
	out[k] = '\0';
	return 0;
}

/* why the ancestorDomain member anc of identifier v is wrong, or NULL */
static const char *ancestor_problem(const json_t *v, const json_t *anc, int suffix_only)
{
	const char *val = json_string_value(json_object_get(v, "value"));
	const char *type = json_string_value(json_object_get(v, "type"));

	if (!json_is_string(anc))
		return "is not a string";
	if (type == NULL || strcmp(type, "dns") != 0 || val == NULL)
		return "belongs to an identifier that is not of type dns";
	if (strncmp(val, "*.", 2) == 0)
		return "belongs to a wildcard identifier";
	if (!acs_mca_is_ancestor(json_string_value(anc), val, suffix_only))
		return "is not an ancestor domain of the identifier (whole labels, fewer labels)";
	return NULL;
}

int acs_mca_subdomain_order_check(struct mca_req *r, const json_t *ids)
{
	struct mca_scenario *s = r->scn;
	int on = mca_mb(s, MB_SUBDOMAIN_AUTH);
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v)
	{
		const json_t *anc = json_object_get(v, "ancestorDomain");
		const char *why;

		if (anc == NULL)
			continue;
		if (ancestor_problem(v, anc, 0) != NULL)
			acs_mca_check(r, CK_ANCESTOR_DOMAIN, "identifier %zu: ancestorDomain %s", i,
			              ancestor_problem(v, anc, 0));
		why = on ? ancestor_problem(v, anc, mca_mb(s, MB_SUBDOMAIN_SUFFIX_MATCH)) : NULL;
		if (why != NULL) {
			/* RFC 9444 names no problem type: RFC 8555 6.7's malformed */
			acs_mca_problem(r, 400, "malformed", "identifier %zu: ancestorDomain %s", i,
			                why);
			return -1;
		}
	}
	return 0;
}

/* the ancestorDomain (lower case) the newOrder gave for name; 0 when found */
static int ancestor_for(const json_t *ids, const char *name, char *out, size_t outsz)
{
	size_t i;
	json_t *v;

	json_array_foreach(ids, i, v)
	{
		const char *val = json_string_value(json_object_get(v, "value"));
		const char *anc = json_string_value(json_object_get(v, "ancestorDomain"));

		if (val != NULL && anc != NULL && strcasecmp(val, name) == 0)
			return lower_copy(anc, out, outsz);
	}
	return -1;
}

/* a valid, unexpired subdomain authorization of acct covering name, or 0 */
static int covering_authz(struct mca_scenario *s, int acct, const char *name)
{
	time_t now = time(NULL);
	size_t i;

	for (i = s->nauthzs; i > 0; i--) {
		struct mca_authz *az = s->authzs[i - 1];

		if (az->acct == acct && az->subdomain && az->status == ST_VALID &&
		    az->expires > now && strcmp(az->ident.type, "dns") == 0 &&
		    acs_mca_is_ancestor(az->ident.value, name, 0))
			return az->id;
	}
	return 0;
}

int acs_mca_subdomain_authz(struct mca_scenario *s, struct mca_order *o, const json_t *ids,
                            const struct acs_ident *id)
{
	struct acs_ident anc;
	size_t i;
	int aid;

	if (!mca_mb(s, MB_SUBDOMAIN_AUTH) || strcmp(id->type, "dns") != 0)
		return 0;
	/* section 4.1: subdomainAuthAllowed means any subdomain may be issued under it */
	aid = covering_authz(s, o->acct, id->value);
	if (aid > 0 && !mca_mb(s, MB_SUBDOMAIN_NOT_REUSED))
		return aid;
	memset(&anc, 0, sizeof(anc));
	memcpy(anc.type, "dns", 4);
	if (ancestor_for(ids, id->value, anc.value, sizeof(anc.value)) != 0)
		return 0;
	/* section 4.3: one authorization for the ancestor, shared by the order's names */
	for (i = 0; i < o->nauthz; i++) {
		struct mca_authz *az = acs_mca_authz(s, o->authz[i]);

		if (az != NULL && az->subdomain && strcmp(az->ident.value, anc.value) == 0)
			return az->id;
	}
	aid = acs_mca_authz_make(s, o->acct, &anc, 0, 0);
	if (aid > 0)
		acs_mca_authz(s, aid)->subdomain = 1;
	return aid;
}

int acs_mca_subdomain_newauthz(struct mca_req *r, const json_t *ident, int *subdomain)
{
	const json_t *flag = json_object_get(ident, "subdomainAuthAllowed");

	*subdomain = 0;
	if (flag == NULL)
		return 0;
	if (!json_is_boolean(flag)) {
		acs_mca_check(
		    r, CK_SUBDOMAIN_FLAG_BOOLEAN,
		    "newAuthz identifier has subdomainAuthAllowed of type %s, not boolean",
		    json_is_string(flag) ? "string" : "non-boolean");
		if (mca_mb(r->scn, MB_SUBDOMAIN_AUTH)) {
			acs_mca_problem(r, 400, "malformed",
			                "subdomainAuthAllowed must be a boolean (RFC 9444 4.2)");
			return -1;
		}
		return 0;
	}
	*subdomain = mca_mb(r->scn, MB_SUBDOMAIN_AUTH) && json_is_true(flag);
	return 0;
}

void acs_mca_subdomain_authz_json(struct mca_scenario *s, int subdomain, json_t *o)
{
	if (!subdomain || mca_mb(s, MB_SUBDOMAIN_FLAG_MISSING))
		return;
	json_object_set_new(o, "subdomainAuthAllowed",
	                    mca_mb(s, MB_SUBDOMAIN_FLAG_STRING) ? json_string("true")
	                                                        : json_true());
}
