/*
 * The client flow (see flow.h): subdomain authorizations (RFC 9444), used
 * only when the directory says meta.subdomainAuthAllowed: true. The
 * client's names are taken as subdomains of their parents, which it
 * controls as well (the harness answers every name it is asked about).
 */
#include "mockclient/flow.h"

#include <stdlib.h>
#include <string.h>

#define SW(s, m) ACS_SW_HAS((s)->client.sw, ACS_SW_##m)

/* the order holding the pre-authorization's URL for acs_flow_authorize_order */
#define FLOW_PREAUTHZ "preauthz"

static int advertised(struct acs_acme_session *s)
{
	return json_is_true(
	    json_object_get(json_object_get(s->directory, "meta"), "subdomainAuthAllowed"));
}

/*
 * The parent of name (after its first label) when it keeps two labels or
 * more and name is not a wildcard; NULL otherwise. With
 * ancestor-domain-not-ancestor: name minus its first character instead.
 */
static const char *parent_of(struct acs_acme_session *s, const char *name)
{
	const char *dot = strchr(name, '.');

	if (strncmp(name, "*.", 2) == 0 || dot == NULL || strchr(dot + 1, '.') == NULL)
		return NULL;
	return SW(s, ANCESTOR_NOT_ANCESTOR) ? name + 1 : dot + 1;
}

void acs_flow_subdomain_ancestors(struct acs_acme_session *s, json_t *ids)
{
	size_t i;
	json_t *v;

	if (!advertised(s) || acs_acme_dir_url(s, "newAuthz") != NULL)
		return;
	json_array_foreach(ids, i, v)
	{
		const char *p = parent_of(s, json_string_value(json_object_get(v, "value")) != NULL
		                                 ? json_string_value(json_object_get(v, "value"))
		                                 : "");

		if (p != NULL)
			json_object_set_new(v, "ancestorDomain", json_string(p));
	}
}

/* newAuthz for parent with subdomainAuthAllowed; its Location into *loc (owned). */
static int new_authz(struct acs_acme_session *s, const char *parent, char **loc,
                     struct acs_err *err)
{
	struct acs_flow_signer who;
	struct acs_acme_resp *r = NULL;
	json_t *p;
	char *text;
	const char *l;
	int rc;

	*loc = NULL;
	p = json_pack("{s:{s:s, s:s, s:o}}", "identifier", "type", "dns", "value", parent,
	              "subdomainAuthAllowed",
	              SW(s, SUBDOMAIN_FLAG_STRING) ? json_string("true") : json_true());
	text = p != NULL ? json_dumps(p, JSON_COMPACT) : NULL;
	json_decref(p);
	if (text == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	acs_flow_signer(s, &who);
	rc = acs_flow_post_as(s, &who, 0, acs_acme_dir_url(s, "newAuthz"), text, &r, err);
	free(text);
	if (rc != 0)
		return rc;
	l = acs_http_header(r->http, "Location");
	if (r->http->status != 201 || l == NULL) {
		rc = acs_flow_fail_resp(s, err, "newAuthz", r);
	} else if (!json_is_true(json_object_get(r->json, "subdomainAuthAllowed"))) {
		/* the CA's policy declined (section 4.2): order as usual */
		acs_flow_note(s, "pre-authorization of %s without subdomainAuthAllowed: not used",
		              parent);
	} else {
		*loc = strdup(l);
		rc = *loc != NULL ? 0 : acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	acs_acme_resp_free(r);
	return rc;
}

int acs_flow_subdomain_preauthorize(struct acs_acme_session *s, const char *const *names, size_t n,
                                    const char *type, struct acs_err *err)
{
	struct acs_acme_order *o;
	const char *parent = NULL;
	char *loc = NULL;
	size_t i;
	int rc;

	if (!advertised(s) || acs_acme_dir_url(s, "newAuthz") == NULL)
		return 0;
	for (i = 0; i < n && parent == NULL; i++)
		parent = parent_of(s, names[i]);
	if (parent == NULL)
		return 0;
	acs_flow_note(s, "the CA allows subdomain authorizations: pre-authorizing %s", parent);
	rc = new_authz(s, parent, &loc, err);
	if (rc != 0 || loc == NULL)
		return rc;
	o = acs_acme_order_get(s, FLOW_PREAUTHZ);
	if (o == NULL) {
		free(loc);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	json_decref(o->obj);
	o->obj = json_pack("{s:[s]}", "authorizations", loc);
	free(loc);
	if (o->obj == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return acs_flow_authorize_order(s, FLOW_PREAUTHZ, type, err);
}
