/* The running scenarios' routes (cli/client_routes.h). */
#include "cli/client_routes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness/err.h"

/* every snprintf here cuts on purpose: names are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

void acs_routes_init(struct acs_routes *rs, struct acs_responders *resp)
{
	memset(rs, 0, sizeof(*rs));
	pthread_mutex_init(&rs->lock, NULL);
	rs->resp = resp;
}

void acs_routes_destroy(struct acs_routes *rs)
{
	pthread_mutex_destroy(&rs->lock);
}

void acs_routes_add(struct acs_routes *rs, struct acs_route *rt)
{
	pthread_mutex_lock(&rs->lock);
	rt->next = rs->head;
	rs->head = rt;
	pthread_mutex_unlock(&rs->lock);
}

void acs_routes_remove(struct acs_routes *rs, struct acs_route *rt)
{
	struct acs_route **pp;
	struct acs_txt_rec *t;

	pthread_mutex_lock(&rs->lock);
	for (pp = &rs->head; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == rt) {
			*pp = rt->next;
			break;
		}
	}
	for (t = rt->txt; t != NULL; t = t->next)
		acs_dns_txt_clear(rs->resp, t->name);
	pthread_mutex_unlock(&rs->lock);
}

void acs_route_free(struct acs_route *rt)
{
	struct acs_txt_rec *t, *next;

	if (rt == NULL)
		return;
	for (t = rt->txt; t != NULL; t = next) {
		next = t->next;
		free(t);
	}
	free(rt);
}

static struct acs_route *route_for_name(struct acs_routes *rs, const char *name)
{
	struct acs_route *r;
	size_t nl = strlen(name);
	int i;

	for (r = rs->head; r != NULL; r = r->next)
		for (i = 0; i < r->nnames; i++)
			if (strcasecmp(r->names[i], name) == 0)
				return r;
	/*
	 * RFC 9444: the parent www.<label>.acmespec.test's <label>.acmespec.test
	 * (scenarios with subdomain-auth), whose scenario alone owns it
	 */
	for (r = rs->head; r != NULL && nl > 0 && strchr(name, '.') != strrchr(name, '.');
	     r = r->next)
		for (i = 0; i < r->nnames; i++) {
			size_t dl = strlen(r->names[i]);

			if (strncmp(r->names[i], "www.", 4) == 0 && dl == nl + 4 &&
			    strcasecmp(r->names[i] + 4, name) == 0)
				return r;
		}
	return NULL;
}

/* The route owning a DNS name: the name itself, or a name under it (_acme-challenge.). */
static struct acs_route *route_for_dns(struct acs_routes *rs, const char *name)
{
	struct acs_route *r;
	size_t nl = strlen(name);
	int i;

	for (r = rs->head; r != NULL; r = r->next) {
		for (i = 0; i < r->nnames; i++) {
			size_t dl = strlen(r->names[i]);

			if (nl >= dl && strcasecmp(name + nl - dl, r->names[i]) == 0 &&
			    (nl == dl || name[nl - dl - 1] == '.'))
				return r;
		}
	}
	return NULL;
}

int acs_routes_http(struct acs_routes *rs, const char *name, char *webroot, size_t len, int *port)
{
	struct acs_route *rt;
	int rc = -1;

	pthread_mutex_lock(&rs->lock);
	rt = route_for_name(rs, name);
	if (rt != NULL) {
		*port = rt->http01_port;
		if (snprintf(webroot, len, "%s", rt->webroot) >= (int)len)
			webroot[0] = '\0';
		rc = 0;
	}
	pthread_mutex_unlock(&rs->lock);
	return rc;
}

static void norm_dns_name(const char *in, char *out, size_t outlen)
{
	size_t i, n = strlen(in);

	if (n > 0 && in[n - 1] == '.')
		n--;
	/*
	 * a bare domain gets the dns-01 label; a name that starts with an
	 * underscore label already is one (_acme-challenge., and for issue 7
	 * dns-account-01's _<label>._acme-challenge. and _validation-persist.)
	 */
	if (in[0] != '_')
		(void)snprintf(out, outlen, "_acme-challenge.%.*s", (int)n, in);
	else
		(void)snprintf(out, outlen, "%.*s", (int)n, in);
	for (i = 0; out[i] != '\0'; i++)
		if (out[i] >= 'A' && out[i] <= 'Z')
			out[i] = (char)(out[i] - 'A' + 'a');
}

/* Re-publish name's uncleared values (the responder clears a name as a whole). */
static void dns_publish(struct acs_routes *rs, struct acs_route *rt, const char *name)
{
	struct acs_txt_rec *t;

	acs_dns_txt_clear(rs->resp, name);
	for (t = rt->txt; t != NULL; t = t->next)
		if (!t->cleared && strcmp(t->name, name) == 0)
			(void)acs_dns_txt_add(rs->resp, name, t->value, NULL);
}

int acs_routes_txt(struct acs_routes *rs, int set, const char *name, const char *value, char *norm,
                   size_t normlen)
{
	struct acs_route *rt;
	struct acs_txt_rec *t;

	norm_dns_name(name, norm, normlen);
	pthread_mutex_lock(&rs->lock);
	rt = route_for_dns(rs, norm);
	if (rt == NULL) {
		pthread_mutex_unlock(&rs->lock);
		return -1;
	}
	if (set) {
		t = calloc(1, sizeof(*t));
		if (t != NULL) {
			(void)snprintf(t->name, sizeof(t->name), "%s", norm);
			(void)snprintf(t->value, sizeof(t->value), "%s", value);
			t->next = rt->txt;
			rt->txt = t;
		}
	} else {
		for (t = rt->txt; t != NULL; t = t->next)
			if (strcmp(t->name, norm) == 0 &&
			    (value == NULL || strcmp(t->value, value) == 0))
				t->cleared = 1;
	}
	dns_publish(rs, rt, norm);
	pthread_mutex_unlock(&rs->lock);
	return 0;
}

int acs_routes_txt_facts(struct acs_routes *rs, const struct acs_route *rt,
                         struct acs_scenario_txt **out, size_t *n)
{
	const struct acs_txt_rec *t;
	struct acs_scenario_txt *v = NULL;
	size_t k = 0;
	int rc = 0;

	pthread_mutex_lock(&rs->lock);
	for (t = rt->txt; t != NULL; t = t->next)
		k++;
	v = calloc(k ? k : 1, sizeof(*v));
	if (v == NULL)
		rc = ACS_E_NOMEM;
	k = 0;
	for (t = rt->txt; v != NULL && t != NULL; t = t->next, k++)
		v[k] = (struct acs_scenario_txt){t->name, t->value, t->cleared};
	pthread_mutex_unlock(&rs->lock);
	*out = v;
	*n = k;
	return rc;
}
