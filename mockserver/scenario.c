/*
 * Client scenarios: parsing a case's "scenario", setting it up in a running
 * mock CA, {placeholders}, and collecting what the CA saw
 * (mockserver/scenario.h).
 */
#include "mockserver/scenario.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/b64url.h"
#include "harness/buf.h"
#include "harness/json_util.h"

/* every snprintf here cuts on purpose: names and labels are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

static const char *const predicates[] = {
    "retried-bad-nonce", "ignored-invalid-nonce", "honoured-retry-after", "no-tight-poll",
    "no-challenge-post-on-valid", "no-finalize-after-invalid", "only-get-directory",
    "post-as-get-used", "deprovisioned-http01", "deprovisioned-dns01", "account-reused",
    "csr-fresh-key", "finalized", "downloaded-certificate", "revoked", "key-changed", "renewed",
    "ari-renewed", "ari-not-renewed", "ari-no-replaces", "ari-retried-without-replaces",
    "ari-interval-sane", "ari-no-check-expired", "ari-no-check-replaced",
    "requested-profile", /* profiles branch */
    /* issue 7 (predicates_i7.c) */
    "no-challenge-answered", "no-tls-sni-answered", "retried-fresh-nonce",
    "no-finalize-before-ready", "preferred-chain-stored", "account-409-not-taken",
    /* timing of long-running clients (predicates_timing.c) */
    "retry-after-timely", "backed-off", "ari-after-issuance", "renewed-in-window",
    /* issue 11: hostile servers (predicates_hostile.c) */
    "requests-bounded", NULL};

const char *const *acs_scenario_predicates(void)
{
	return predicates;
}

/* obj[key] as an array of strings (borrowed) in *out, NULL when absent. */
static int string_array(const json_t *obj, const char *key, const char *file, const char *where,
                        json_t **out, struct acs_err *err)
{
	json_t *a = json_object_get(obj, key);
	size_t i;

	*out = NULL;
	if (a == NULL)
		return 0;
	if (!json_is_array(a))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"%s%s\": expected an array of strings", file, where,
		                   key);
	for (i = 0; i < json_array_size(a); i++)
		if (!json_is_string(json_array_get(a, i)))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"%s%s\"[%zu]: expected a string", file,
			                   where, key, i);
	*out = a;
	return 0;
}

static int only_keys(const json_t *obj, const char *const *keys, const char *file,
                     const char *where, struct acs_err *err)
{
	const char *k;
	json_t *v;

	json_object_foreach((json_t *)obj, k, v)
	{
		(void)v;
		if (!acs_str_in_list(keys, k))
			return acs_err_set(err, ACS_E_INVAL, "%s: field \"%s%s\": unknown field",
			                   file, where, k);
	}
	return 0;
}

/* "misbehave": every name must be in the mock CA's table. */
static int parse_misbehave(const json_t *sc, const char *f, struct acs_scenario *s,
                           struct acs_err *err)
{
	const struct acs_mockca_misbehaviour *mb;
	size_t nmb, i, j;

	if (string_array(sc, "misbehave", f, "scenario.", &s->misbehave, err) != 0)
		return err->code;
	mb = acs_mockca_misbehaviours(&nmb);
	for (i = 0; i < json_array_size(s->misbehave); i++) {
		const char *spec = json_string_value(json_array_get(s->misbehave, i));
		size_t nl = strcspn(spec, "=");
		int found = 0;

		for (j = 0; j < nmb; j++)
			found |= strlen(mb[j].name) == nl && strncmp(mb[j].name, spec, nl) == 0;
		if (!found)
			return acs_err_set(
			    err, ACS_E_INVAL,
			    "%s: field \"scenario.misbehave\"[%zu]: unknown misbehaviour "
			    "\"%.*s\"",
			    f, i, (int)nl, spec);
	}
	return 0;
}

/* An integer field from 1 to max, or absent (*out untouched). */
static int parse_count(const json_t *sc, const char *key, int max, const char *f, int *out,
                       struct acs_err *err)
{
	json_t *v = json_object_get(sc, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > max)
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"scenario.%s\": expected 1 to %d",
		                   f, key, max);
	*out = (int)json_integer_value(v);
	return 0;
}

/* "challenge" and the switches eab, key_change, revoke, wildcard. */
static int parse_features(const json_t *sc, const char *f, struct acs_scenario *s,
                          struct acs_err *err)
{
	static const char *const bkeys[] = {"eab", "key_change", "revoke",   "wildcard", "renew",
	                                    "ari", "daemon",     "one_shot", NULL};
	static const char *const challenges[] = {"http-01",        "dns-01",         "tls-alpn-01",
	                                         "dns-account-01", "dns-persist-01", NULL};
	json_t *v = json_object_get(sc, "challenge");
	size_t i;

	if (v != NULL) {
		const char *ch = json_string_value(v);

		if (ch == NULL || !acs_str_in_list(challenges, ch))
			return acs_err_set(
			    err, ACS_E_INVAL,
			    "%s: field \"scenario.challenge\": expected http-01, dns-01, "
			    "tls-alpn-01, dns-account-01 or dns-persist-01",
			    f);
		s->challenge = ch;
	}
	for (i = 0; bkeys[i] != NULL; i++) {
		int *slot = i == 0   ? &s->eab
		            : i == 1 ? &s->key_change
		            : i == 2 ? &s->revoke
		            : i == 3 ? &s->wildcard
		            : i == 4 ? &s->renew
		            : i == 5 ? &s->ari
		            : i == 6 ? &s->daemon
		                     : &s->one_shot;

		v = json_object_get(sc, bkeys[i]);
		if (v != NULL && !json_is_boolean(v))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.%s\": expected true or false", f,
			                   bkeys[i]);
		*slot = json_is_true(v);
	}
	/* profiles: the profile the client is configured with ({profile}) */
	v = json_object_get(sc, "profile");
	if (v != NULL) {
		const char *pn = json_string_value(v);

		if (pn == NULL || pn[0] == '\0' || strlen(pn) > 64 ||
		    strspn(pn, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(pn))
			return acs_err_set(
			    err, ACS_E_INVAL,
			    "%s: field \"scenario.profile\": expected a profile name "
			    "of [a-z0-9-], 1 to 64 characters",
			    f);
		s->profile = pn;
	}
	/* the common name of the root the client is configured to prefer ({preferred_chain}) */
	v = json_object_get(sc, "preferred_chain");
	if (v != NULL) {
		const char *pc = json_string_value(v);
		size_t k, n = pc != NULL ? strlen(pc) : 0;

		for (k = 0;
		     k < n && pc[k] >= ' ' && pc[k] <= '~' && strchr("\"'\\$`", pc[k]) == NULL; k++)
			;
		if (n == 0 || n > 64 || k != n)
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.preferred_chain\": expected a "
			                   "common name of printable ASCII without quotes, "
			                   "backslashes, $ or `, 1 to 64 characters",
			                   f);
		s->preferred_chain = pc;
	}
	if (s->wildcard && strncmp(s->challenge, "dns-", 4) != 0)
		return acs_err_set(
		    err, ACS_E_INVAL,
		    "%s: field \"scenario.wildcard\": a wildcard needs a DNS challenge "
		    "(\"dns-01\", \"dns-account-01\", \"dns-persist-01\")",
		    f);
	return 0;
}

/* "expect": exit, certificate, assert, output_contains. */
static int parse_expect(const json_t *ex, const char *f, struct acs_scenario *s,
                        struct acs_err *err)
{
	static const char *const ekeys[] = {"exit", "certificate", "assert", "output_contains",
	                                    NULL};
	static const char *const exits[] = {"zero", "nonzero", "any", NULL};
	json_t *v;
	size_t i;

	if (only_keys(ex, ekeys, f, "scenario.expect.", err) != 0)
		return err->code;
	v = json_object_get(ex, "exit");
	if (v != NULL) {
		const char *e = json_string_value(v);

		if (e == NULL || !acs_str_in_list(exits, e))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.expect.exit\": expected "
			                   "\"zero\", \"nonzero\" or \"any\"",
			                   f);
		s->exit = strcmp(e, "zero") == 0      ? ACS_EXIT_WANT_ZERO
		          : strcmp(e, "nonzero") == 0 ? ACS_EXIT_WANT_NONZERO
		                                      : ACS_EXIT_WANT_ANY;
	}
	v = json_object_get(ex, "certificate");
	if (v != NULL) {
		if (!json_is_boolean(v))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.expect.certificate\": expected "
			                   "true or false",
			                   f);
		s->certificate = json_is_true(v);
	}
	if (string_array(ex, "assert", f, "scenario.expect.", &s->asserts, err) != 0 ||
	    string_array(ex, "output_contains", f, "scenario.expect.", &s->output, err) != 0)
		return err->code;
	for (i = 0; i < json_array_size(s->asserts); i++) {
		const char *p = json_string_value(json_array_get(s->asserts, i));

		if (!acs_str_in_list(predicates, p))
			return acs_err_set(err, ACS_E_INVAL,
			                   "%s: field \"scenario.expect.assert\"[%zu]: unknown "
			                   "predicate \"%s\"",
			                   f, i, p);
	}
	return 0;
}

int acs_scenario_parse(const struct acs_case *c, struct acs_scenario *s, struct acs_err *err)
{
	static const char *const skeys[] = {
	    "misbehave",   "names",    "challenge",       "runs",   "expect", "eab",
	    "key_change",  "revoke",   "wildcard",        "renew",  "ari",    "profile",
	    "min_timeout", "daemon",   "certificates",    "linger", "quiet",  "watch",
	    "bound",       "one_shot", "preferred_chain", NULL};
	const char *f = c->file ? c->file : c->id;
	json_t *sc = json_object_get(c->body, "scenario");
	json_t *ex;

	memset(s, 0, sizeof(*s));
	s->names = 1;
	s->challenge = "http-01";
	s->runs = 1;
	s->certificate = -2; /* default decided below */
	if (!json_is_object(sc))
		return acs_err_set(err, ACS_E_INVAL, "%s: field \"scenario\": expected an object",
		                   f);
	if (only_keys(sc, skeys, f, "scenario.", err) != 0 || parse_misbehave(sc, f, s, err) != 0 ||
	    parse_count(sc, "names", ACS_SCENARIO_MAX_NAMES, f, &s->names, err) != 0 ||
	    parse_count(sc, "runs", ACS_SCENARIO_MAX_RUNS, f, &s->runs, err) != 0 ||
	    parse_count(sc, "min_timeout", 300, f, &s->min_timeout, err) != 0 ||
	    parse_count(sc, "certificates", ACS_SCENARIO_MAX_RUNS, f, &s->certificates, err) != 0 ||
	    parse_count(sc, "linger", 60, f, &s->linger, err) != 0 ||
	    parse_count(sc, "quiet", 60, f, &s->quiet, err) != 0 ||
	    parse_count(sc, "watch", 120, f, &s->watch, err) != 0 ||
	    parse_count(sc, "bound", 300, f, &s->bound, err) != 0 ||
	    parse_features(sc, f, s, err) != 0)
		return err->code;
	if (!s->daemon &&
	    (s->certificates != 0 || s->linger != 0 || s->quiet != 0 || s->watch != 0))
		return acs_err_set(
		    err, ACS_E_INVAL,
		    "%s: fields \"scenario.certificates\", \"linger\", \"quiet\" and "
		    "\"watch\" need \"daemon\": true",
		    f);
	if (s->daemon && s->runs > 1)
		return acs_err_set(
		    err, ACS_E_INVAL,
		    "%s: field \"scenario.daemon\": a daemon runs once (\"runs\": 1)", f);
	if (s->certificates == 0)
		s->certificates = 1;
	ex = json_object_get(sc, "expect");
	if (ex != NULL && !json_is_object(ex))
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: field \"scenario.expect\": expected an object", f);
	if (ex != NULL && parse_expect(ex, f, s, err) != 0)
		return err->code;
	if (s->renew && s->runs < 2)
		return acs_err_set(
		    err, ACS_E_INVAL,
		    "%s: field \"scenario.renew\": a renewal needs \"runs\" of 2 or 3", f);
	if (s->certificate == -2)
		s->certificate = s->exit == ACS_EXIT_WANT_ZERO      ? 1
		                 : s->exit == ACS_EXIT_WANT_NONZERO ? 0
		                                                    : -1;
	return 0;
}

void acs_scenario_rand_label(char *out, size_t outlen)
{
	unsigned char r[4];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)rand();
	(void)snprintf(out, outlen, "%02x%02x%02x%02x", r[0], r[1], r[2], r[3]);
}

/*
 * Make the mock-CA scenario require External Account Binding with a fresh
 * key identifier and HMAC key, written into kid and hmac (64 bytes each).
 */
static int setup_eab(struct acs_mockca *ca, const char *scn, char *kid, char *hmac,
                     struct acs_err *err)
{
	unsigned char key[32];
	char lab[16], *b64;

	acs_scenario_rand_label(lab, sizeof(lab));
	(void)snprintf(kid, 64, "acmespec-eab-%s", lab);
	if (RAND_bytes(key, sizeof(key)) != 1)
		return acs_err_set(err, ACS_E_CRYPTO, "cannot make an EAB key");
	b64 = acs_b64url_encode(key, sizeof(key));
	if (b64 == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	(void)snprintf(hmac, 64, "%s", b64);
	free(b64);
	if (acs_mockca_scenario_eab(ca, scn, kid, hmac, err) != 0)
		return acs_err_prefix(err, "cannot require EAB");
	return 0;
}

int acs_scenario_setup(struct acs_mockca *ca, const char *scn, const struct acs_case *c,
                       const struct acs_scenario *s, char *eab_kid, char *eab_hmac,
                       struct acs_err *err)
{
	size_t i;

	eab_kid[0] = eab_hmac[0] = '\0';
	if (acs_mockca_scenario_add(ca, scn, err) != 0)
		return err->code;
	for (i = 0; i < json_array_size(s->misbehave); i++) {
		const char *spec = json_string_value(json_array_get(s->misbehave, i));

		if (acs_mockca_misbehave(ca, scn, spec, err) != 0)
			return acs_err_prefix(err, "%s: misbehave \"%s\"", c->file, spec);
	}
	if (s->eab)
		return setup_eab(ca, scn, eab_kid, eab_hmac, err);
	return 0;
}

char *acs_scenario_interpolate(const char *s, const struct acs_subst *subst, size_t nsubst)
{
	struct acs_buf b;
	const char *p = s;
	size_t i;

	acs_buf_init(&b, 64 * 1024);
	(void)acs_buf_puts(&b, "");
	while (*p != '\0') {
		int done = 0;

		for (i = 0; *p == '{' && i < nsubst && !done; i++) {
			size_t kl = strlen(subst[i].key);

			if (strncmp(p + 1, subst[i].key, kl) == 0 && p[1 + kl] == '}') {
				(void)acs_buf_puts(&b, subst[i].val);
				p += kl + 2;
				done = 1;
			}
		}
		if (!done)
			(void)acs_buf_append(&b, p++, 1);
	}
	return acs_buf_steal(&b);
}

int acs_scenario_collect(struct acs_mockca *ca, const char *scn, json_t **log, json_t **issued,
                         struct acs_err *err)
{
	*log = acs_mockca_log(ca, scn);
	*issued = acs_mockca_issued(ca, scn);
	if (*log != NULL && *issued != NULL)
		return 0;
	json_decref(*log);
	json_decref(*issued);
	*log = *issued = NULL;
	return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario \"%s\"", scn);
}
