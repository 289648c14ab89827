/*
 * The server-side case interpreter (script.h, docs/case-format.md): static
 * validation of steps, interpolation of variables, the step loop, and the
 * judgement of each step's response against its expectations.
 */
#include "mockclient/script.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/ari.h"
#include "harness/buf.h"
#include "harness/json_util.h"
#include "harness/transcript.h"
#include "mockclient/match.h"
#include "mockclient/misbehave.h"
#include "mockclient/provision.h"
#include "mockclient/script_int.h"

#define PROBLEM_PREFIX "urn:ietf:params:acme:error:"

static const char *const common_args[] = {
    "do",  "account", "order",          "misbehave", "sign_with", "headers",
    "why", "expect",  "unsupported_if", "comment",   NULL};

static const char *const expect_keys[] = {"status", "problem", "content_type", "headers", "links",
                                          "body",   "facts",   "body_empty",   NULL};

const char *const *acs_script_misbehaviours(void)
{
	return acs_mis_names();
}

/* ---------------------------------------------------------------- interpolation */

/* Variable names start with a letter, so regex counts such as {2,3} are left alone. */
static size_t var_len(const char *p)
{
	size_t n = 0;

	if (!isalpha((unsigned char)p[0]))
		return 0;
	while (isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.' || p[n] == ':' ||
	       p[n] == '-')
		n++;
	return p[n] == '}' ? n : 0;
}

/*
 * Split "order:o2.finalize" into base ("order"), name ("o2", or def) and
 * member ("finalize"). Returns 0 when the shape is base[:name].member.
 */
static int var_split(const char *var, char *base, size_t bsz, char *name, size_t nsz,
                     const char **member, const char *def)
{
	const char *dot = strchr(var, '.');
	const char *colon = strchr(var, ':');
	size_t blen;

	if (dot == NULL)
		return -1;
	*member = dot + 1;
	if (colon != NULL && colon < dot) {
		blen = (size_t)(colon - var);
		if ((size_t)(dot - colon - 1) >= nsz || dot == colon + 1)
			return -1;
		memcpy(name, colon + 1, (size_t)(dot - colon - 1));
		name[dot - colon - 1] = '\0';
	} else {
		blen = (size_t)(dot - var);
		snprintf(name, nsz, "%s", def);
	}
	if (blen >= bsz)
		return -1;
	memcpy(base, var, blen);
	base[blen] = '\0';
	return 0;
}

/* Static check of a variable name's shape (values are only known at run time). */
static int var_known(const char *var)
{
	char base[32], name[ACS_ACME_NAME_MAX];
	const char *member = NULL;

	if (strcmp(var, "domain") == 0 || strcmp(var, "domain2") == 0 ||
	    strcmp(var, "domain3") == 0 || strcmp(var, "ip") == 0 || strcmp(var, "profile") == 0 ||
	    strcmp(var, "profile2") == 0)
		return 1;
	if (strncmp(var, "dir.", 4) == 0 && var[4] != '\0')
		return 1;
	if (var_split(var, base, sizeof(base), name, sizeof(name), &member, "") != 0)
		return 0;
	if (strcmp(base, "account") == 0)
		return strcmp(member, "url") == 0;
	if (strcmp(base, "order") == 0)
		return strcmp(member, "url") == 0 || strcmp(member, "finalize") == 0 ||
		       strcmp(member, "certificate") == 0 || strcmp(member, "certid") == 0;
	if (name[0] != '\0')
		return 0;
	if (strcmp(base, "authz") == 0 || strcmp(base, "certificate") == 0)
		return strcmp(member, "url") == 0;
	if (strcmp(base, "challenge") == 0)
		return strcmp(member, "url") == 0 || strcmp(member, "token") == 0;
	return 0;
}

/* The value of a variable in the running session (borrowed), or NULL with *why set. */
static const char *var_value(struct acs_run *run, const char *var, const char **why)
{
	struct acs_acme_session *s = run->s;
	char base[32], name[ACS_ACME_NAME_MAX];
	const char *member = NULL;

	*why = "has no value yet";
	if (strcmp(var, "domain") == 0)
		return s->domain[0];
	if (strcmp(var, "domain2") == 0)
		return s->domain[1];
	if (strcmp(var, "domain3") == 0)
		return s->domain[2];
	if (strcmp(var, "ip") == 0)
		return "127.0.0.1";
	if (strcmp(var, "profile") == 0 || strcmp(var, "profile2") == 0) {
		*why = "has no value: the directory advertises no profiles (meta.profiles)";
		return acs_acme_profile_name(s, var[7] == '2' ? 1 : 0);
	}
	if (strncmp(var, "dir.", 4) == 0) {
		*why = "is not a string member of the directory";
		return acs_acme_dir_url(s, var + 4);
	}
	*why = "is unknown";
	if (var_split(var, base, sizeof(base), name, sizeof(name), &member,
	              strncmp(var, "account", 7) == 0 ? "a" : "o") != 0)
		return NULL;
	if (strcmp(base, "account") == 0 && strcmp(member, "url") == 0) {
		struct acs_acme_account *a = acs_acme_account_find(s, name);

		*why = "has no value yet (no such account)";
		return a != NULL ? a->url : NULL;
	}
	if (strcmp(base, "order") == 0) {
		struct acs_acme_order *o = acs_acme_order_find(s, name);

		if (!var_known(var))
			return NULL;
		*why = "has no value yet (no such order)";
		if (o == NULL)
			return NULL;
		if (strcmp(member, "url") == 0)
			return o->url;
		if (strcmp(member, "certid") == 0) {
			struct acs_err e2;
			char id[ACS_ARI_CERTID_MAX];

			/* RFC 9773 section 4.1, of the certificate downloaded for the order */
			*why = "has no value yet (no certificate downloaded for the order)";
			if (o->cert_pem == NULL ||
			    acs_ari_certid_pem(o->cert_pem, 0, id, sizeof(id), &e2) != 0)
				return NULL;
			acs_acme_set_str(&o->certid, id);
			return o->certid;
		}
		*why = "has no value yet (not in the order object)";
		return json_string_value(json_object_get(o->obj, member));
	}
	if (strcmp(var, "authz.url") == 0)
		return s->authz_url;
	if (strcmp(var, "challenge.url") == 0)
		return s->challenge_url;
	if (strcmp(var, "challenge.token") == 0)
		return json_string_value(json_object_get(s->challenge, "token"));
	if (strcmp(var, "certificate.url") == 0)
		return s->certificate_url;
	return NULL;
}

/*
 * Interpolate one string. run NULL: static check only. Returns a new
 * string, or NULL with err set ("unknown variable {x}").
 */
static char *interp_str(struct acs_run *run, const char *in, struct acs_err *err)
{
	struct acs_buf b;
	const char *p = in;

	acs_buf_init(&b, 0);
	while (*p != '\0') {
		const char *open = strchr(p, '{');
		size_t n;
		char var[128];

		if (open == NULL) {
			acs_buf_puts(&b, p);
			break;
		}
		acs_buf_append(&b, p, (size_t)(open - p));
		n = var_len(open + 1);
		if (n == 0 || n >= sizeof(var)) {
			acs_buf_append(&b, "{", 1);
			p = open + 1;
			continue;
		}
		memcpy(var, open + 1, n);
		var[n] = '\0';
		if (run == NULL) {
			if (!var_known(var)) {
				acs_buf_free(&b);
				acs_err_set(err, ACS_E_INVAL, "unknown variable {%s}", var);
				return NULL;
			}
		} else {
			const char *why = NULL;
			const char *v = var_value(run, var, &why);

			if (v == NULL) {
				acs_buf_free(&b);
				acs_err_set(err, ACS_E_NOTFOUND, "variable {%s} %s", var, why);
				return NULL;
			}
			acs_buf_puts(&b, v);
		}
		p = open + 1 + n + 1;
	}
	{
		char *res = acs_buf_steal(&b);

		if (res == NULL)
			acs_err_set(err, ACS_E_NOMEM, "out of memory");
		return res;
	}
}

char *acs_script_interp(struct acs_run *run, const char *in, struct acs_err *err)
{
	return interp_str(run, in, err);
}

/* Deep copy of v with every string interpolated (object keys are left as they are). */
static json_t *interp_json(struct acs_run *run, const json_t *v, struct acs_err *err)
{
	json_t *out = NULL;

	if (json_is_string(v)) {
		char *s = interp_str(run, json_string_value(v), err);

		if (s == NULL)
			return NULL;
		out = json_string(s);
		free(s);
		if (out == NULL)
			acs_err_set(err, ACS_E_INVAL, "interpolated string is not valid UTF-8");
		return out;
	}
	if (json_is_array(v)) {
		size_t i;
		json_t *e;

		out = json_array();
		json_array_foreach(v, i, e)
		{
			json_t *c = interp_json(run, e, err);

			if (c == NULL) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, c);
		}
		return out;
	}
	if (json_is_object(v)) {
		const char *k;
		json_t *e;

		out = json_object();
		json_object_foreach((json_t *)v, k, e)
		{
			json_t *c = interp_json(run, e, err);

			if (c == NULL) {
				json_decref(out);
				return NULL;
			}
			json_object_set_new(out, k, c);
		}
		return out;
	}
	return json_deep_copy(v);
}

/* ---------------------------------------------------------------- validation */

static int type_ok(const json_t *v, const char *types)
{
	const char *t;

	for (t = types; *t != '\0'; t++) {
		switch (*t) {
		case 's':
			if (json_is_string(v))
				return 1;
			break;
		case 'i':
			if (json_is_integer(v))
				return 1;
			break;
		case 'b':
			if (json_is_boolean(v))
				return 1;
			break;
		case 'o':
			if (json_is_object(v))
				return 1;
			break;
		case 'a':
			if (json_is_array(v))
				return 1;
			break;
		case 'j':
			return 1;
		default:
			break;
		}
	}
	return 0;
}

static const char *types_words(const char *types)
{
	if (strcmp(types, "s") == 0)
		return "a string";
	if (strcmp(types, "i") == 0)
		return "an integer";
	if (strcmp(types, "b") == 0)
		return "a boolean";
	if (strcmp(types, "o") == 0)
		return "an object";
	if (strcmp(types, "a") == 0)
		return "an array";
	if (strcmp(types, "sa") == 0)
		return "a string or an array of strings";
	if (strcmp(types, "ia") == 0)
		return "an integer or an array of integers";
	if (strcmp(types, "so") == 0)
		return "a string or a matcher object";
	return "of another type";
}

static const struct acs_action_spec *action_find(const char *name)
{
	const struct acs_action_spec *a;

	for (a = acs_actions(); a->name != NULL; a++) {
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

static int validate_pointer(const char *ptr, struct acs_err *err, const char *what)
{
	if (ptr[0] != '\0' && ptr[0] != '/')
		return acs_err_set(err, ACS_E_INVAL,
		                   "%s: \"%s\" is not a JSON pointer (must start with '/')", what,
		                   ptr);
	return 0;
}

static int validate_expect(const json_t *exp, const char *what, struct acs_err *err)
{
	const char *k;
	json_t *v;

	if (!json_is_object(exp))
		return acs_err_set(err, ACS_E_INVAL, "%s: expected an object", what);
	json_object_foreach((json_t *)exp, k, v)
	{
		if (!acs_str_in_list(expect_keys, k))
			return acs_err_set(err, ACS_E_INVAL, "%s: unknown key \"%s\"", what, k);
		if (strcmp(k, "status") == 0) {
			size_t i;
			json_t *e;

			if (json_is_integer(v))
				continue;
			if (!json_is_array(v) || json_array_size(v) == 0)
				return acs_err_set(err, ACS_E_INVAL,
				                   "%s.status: expected an integer or a non-empty "
				                   "array of integers",
				                   what);
			json_array_foreach(v, i, e)
			{
				if (!json_is_integer(e))
					return acs_err_set(err, ACS_E_INVAL,
					                   "%s.status[%zu]: expected an integer",
					                   what, i);
			}
		} else if (strcmp(k, "problem") == 0) {
			size_t i;
			json_t *e;

			if (json_is_string(v))
				continue;
			if (!json_is_array(v) || json_array_size(v) == 0)
				return acs_err_set(err, ACS_E_INVAL,
				                   "%s.problem: expected a string or a non-empty "
				                   "array of strings",
				                   what);
			json_array_foreach(v, i, e)
			{
				if (!json_is_string(e))
					return acs_err_set(err, ACS_E_INVAL,
					                   "%s.problem[%zu]: expected a string",
					                   what, i);
			}
		} else if (strcmp(k, "content_type") == 0) {
			if (json_is_string(v))
				continue;
			if (!json_is_object(v))
				return acs_err_set(
				    err, ACS_E_INVAL,
				    "%s.content_type: expected a string or a matcher", what);
			if (acs_matcher_validate(v, err) != 0)
				return acs_err_prefix(err, "%s.content_type", what);
		} else if (strcmp(k, "body_empty") == 0) {
			if (!json_is_boolean(v))
				return acs_err_set(err, ACS_E_INVAL,
				                   "%s.body_empty: expected a boolean", what);
		} else {
			const char *mk;
			json_t *m;

			if (!json_is_object(v))
				return acs_err_set(err, ACS_E_INVAL, "%s.%s: expected an object",
				                   what, k);
			json_object_foreach(v, mk, m)
			{
				if ((strcmp(k, "body") == 0 || strcmp(k, "facts") == 0) &&
				    validate_pointer(mk, err, k) != 0)
					return acs_err_prefix(err, "%s", what);
				if (acs_matcher_validate(m, err) != 0)
					return acs_err_prefix(err, "%s.%s \"%s\"", what, k, mk);
			}
		}
	}
	return 0;
}

/* Every string of v must interpolate statically (known variable shapes). */
static int validate_vars(const json_t *v, struct acs_err *err)
{
	json_t *c = interp_json(NULL, v, err);

	if (c == NULL)
		return err != NULL ? err->code : ACS_E_INVAL;
	json_decref(c);
	return 0;
}

/* challenge-respond: `serve` must be a behaviour of the responder of `type`. */
static int check_serve(const json_t *step, struct acs_err *err)
{
	static const char *const http01[] = {
	    "ok",        "wrong",    "trailing-newline", "trailing-space",
	    "not-found", "redirect", "fail-first",       NULL};
	static const char *const alpn[] = {"ok",        "wrong-digest", "noncritical", "mixed-case",
	                                   "extra-san", "no-extension", NULL};
	static const char *const dns01[] = {"ok", "wrong", "decoys", NULL};
	/* dns-account-01 and dns-persist-01 (issue 7 item 3) */
	static const char *const dnsacct[] = {"ok", "wrong", "wrong-label", NULL};
	static const char *const persist[] = {"ok",
	                                      "wrong-account",
	                                      "expired",
	                                      "future",
	                                      "unknown-param",
	                                      "wrong-issuer",
	                                      "no-policy",
	                                      "policy-case",
	                                      "no-accounturi",
	                                      "policy-other",
	                                      NULL};
	const char *type = json_string_value(json_object_get(step, "type"));
	const char *serve = json_string_value(json_object_get(step, "serve"));
	const char *const *ok = http01;

	if (type != NULL && strcmp(type, "dns-01") == 0)
		ok = dns01;
	else if (type != NULL && strcmp(type, "dns-account-01") == 0)
		ok = dnsacct;
	else if (type != NULL && strcmp(type, "dns-persist-01") == 0)
		ok = persist;
	else if (type != NULL && strcmp(type, "tls-alpn-01") == 0)
		ok = alpn;
	if (serve != NULL && !acs_str_in_list(ok, serve))
		return acs_err_set(
		    err, ACS_E_INVAL,
		    "argument \"serve\": \"%s\" is not a behaviour of the %s responder", serve,
		    type != NULL ? type : "http-01");
	return 0;
}

static int validate_step(const json_t *step, struct acs_err *err)
{
	const struct acs_action_spec *a;
	const char *doname, *k;
	json_t *v;

	if (!json_is_object(step))
		return acs_err_set(err, ACS_E_INVAL, "expected an object");
	doname = json_string_value(json_object_get(step, "do"));
	if (doname == NULL)
		return acs_err_set(err, ACS_E_INVAL, "missing \"do\" (a string)");
	a = action_find(doname);
	if (a == NULL)
		return acs_err_set(err, ACS_E_INVAL, "unknown action \"%s\"", doname);
	json_object_foreach((json_t *)step, k, v)
	{
		const struct acs_arg_spec *sp;

		if (acs_str_in_list(common_args, k))
			continue;
		for (sp = a->args; sp->name != NULL; sp++) {
			if (strcmp(sp->name, k) == 0)
				break;
		}
		if (sp->name == NULL)
			return acs_err_set(err, ACS_E_INVAL, "unknown argument \"%s\"", k);
		if (!type_ok(v, sp->types))
			return acs_err_set(err, ACS_E_INVAL, "argument \"%s\": expected %s", k,
			                   types_words(sp->types));
		if (sp->choices != NULL && json_is_string(v) &&
		    !acs_str_in_list(sp->choices, json_string_value(v))) {
			/* key_of, by and the like name accounts: free text */
			return acs_err_set(err, ACS_E_INVAL,
			                   "argument \"%s\": unknown value \"%s\"", k,
			                   json_string_value(v));
		}
		if (strchr(sp->types, 'a') != NULL && json_is_array(v) &&
		    strcmp(k, "identifiers") != 0 && strcmp(k, "contact") != 0) {
			size_t i;
			json_t *e;

			json_array_foreach(v, i, e)
			{
				if (!json_is_string(e))
					return acs_err_set(
					    err, ACS_E_INVAL,
					    "argument \"%s\"[%zu]: expected a string", k, i);
			}
		}
	}
	if (strcmp(doname, "challenge-respond") == 0) {
		int rc = check_serve(step, err);

		if (rc != 0)
			return rc;
	}
	/* common arguments */
	v = json_object_get(step, "misbehave");
	if (v != NULL) {
		size_t i;
		json_t *e;

		if (!json_is_array(v))
			return acs_err_set(err, ACS_E_INVAL,
			                   "argument \"misbehave\": expected an array of names");
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e))
				return acs_err_set(err, ACS_E_INVAL,
				                   "argument \"misbehave\"[%zu]: expected a string",
				                   i);
			if (acs_mis_parse(json_string_value(e)) < 0)
				return acs_err_set(err, ACS_E_INVAL, "unknown misbehaviour \"%s\"",
				                   json_string_value(e));
		}
	}
	{
		static const char *const strs[] = {"account", "order",   "sign_with",
		                                   "why",     "comment", NULL};
		size_t i;

		for (i = 0; strs[i] != NULL; i++) {
			v = json_object_get(step, strs[i]);
			if (v != NULL && !json_is_string(v))
				return acs_err_set(err, ACS_E_INVAL,
				                   "argument \"%s\": expected a string", strs[i]);
		}
	}
	v = json_object_get(step, "headers");
	if (v != NULL) {
		json_t *e;

		if (!json_is_object(v))
			return acs_err_set(err, ACS_E_INVAL,
			                   "argument \"headers\": expected an object");
		json_object_foreach(v, k, e)
		{
			if (!json_is_string(e))
				return acs_err_set(err, ACS_E_INVAL,
				                   "argument \"headers\": value of \"%s\" is not a "
				                   "string",
				                   k);
			if (k[0] == '\0' || strpbrk(k, ": \r\n") != NULL ||
			    strpbrk(json_string_value(e), "\r\n") != NULL)
				return acs_err_set(err, ACS_E_INVAL,
				                   "argument \"headers\": bad header \"%s\"", k);
		}
	}
	v = json_object_get(step, "expect");
	if (v != NULL && validate_expect(v, "expect", err) != 0)
		return err != NULL ? err->code : ACS_E_INVAL;
	v = json_object_get(step, "unsupported_if");
	if (v != NULL && validate_expect(v, "unsupported_if", err) != 0)
		return err != NULL ? err->code : ACS_E_INVAL;
	if (json_object_get(step, "payload") != NULL &&
	    json_object_get(step, "raw_payload") != NULL)
		return acs_err_set(err, ACS_E_INVAL,
		                   "arguments \"payload\" and \"raw_payload\" exclude each other");
	return validate_vars(step, err);
}

int acs_script_validate(const struct acs_case *c, struct acs_err *err)
{
	const json_t *steps;
	size_t i;
	json_t *st;

	if (c == NULL || c->body == NULL)
		return acs_err_set(err, ACS_E_INVAL, "no case body");
	if (c->needs != NULL) {
		for (i = 0; c->needs[i] != NULL; i++) {
			if (!acs_str_in_list(acs_server_features(), c->needs[i]))
				return acs_err_set(err, ACS_E_INVAL,
				                   "needs: unknown feature \"%s\"", c->needs[i]);
		}
	}
	steps = json_object_get(c->body, "steps");
	if (!json_is_array(steps) || json_array_size(steps) == 0)
		return acs_err_set(err, ACS_E_INVAL, "field \"steps\": expected a non-empty array");
	json_array_foreach(steps, i, st)
	{
		const char *doname = json_string_value(json_object_get(st, "do"));

		if (validate_step(st, err) != 0)
			return acs_err_prefix(err, "step %zu (%s)", i + 1,
			                      doname != NULL ? doname : "?");
	}
	return 0;
}

/* ---------------------------------------------------------------- step helpers */

int acs_step_fail(struct acs_run *run, enum acs_step_fail kind, const char *feature,
                  const char *fmt, ...)
{
	va_list ap;

	/* the first failure of a step explains it best; later ones are consequences */
	if (run->fail != ACS_STEP_OK)
		return -1;
	run->fail = kind;
	run->feature = feature;
	run->err.code = ACS_E_STATE;
	va_start(ap, fmt);
	vsnprintf(run->err.msg, sizeof(run->err.msg), fmt, ap);
	va_end(ap);
	return -1;
}

int acs_step_skip(struct acs_run *run, const char *fmt, ...)
{
	va_list ap;

	if (run->fail != ACS_STEP_OK)
		return -1;
	va_start(ap, fmt);
	vsnprintf(run->skip, sizeof(run->skip), fmt, ap);
	va_end(ap);
	return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "%s", run->skip);
}

void acs_step_set_resp(struct acs_run *run, struct acs_acme_resp *r)
{
	if (run->resp == r)
		return;
	acs_acme_resp_free(run->resp);
	run->resp = r;
}

const char *acs_arg_str(const struct acs_run *run, const char *name, const char *def)
{
	const char *v = json_string_value(json_object_get(run->step, name));

	return v != NULL ? v : def;
}

long acs_arg_int(const struct acs_run *run, const char *name, long def)
{
	json_t *v = json_object_get(run->step, name);

	return json_is_integer(v) ? (long)json_integer_value(v) : def;
}

int acs_arg_bool(const struct acs_run *run, const char *name, int def)
{
	json_t *v = json_object_get(run->step, name);

	return json_is_boolean(v) ? json_is_true(v) : def;
}

/* ---------------------------------------------------------------- the step loop */

static void set_result_str(char **slot, const char *v)
{
	free(*slot);
	*slot = v != NULL ? strdup(v) : NULL;
}

static void set_result_fmt(char **slot, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_result_fmt(char **slot, const char *fmt, ...)
{
	struct acs_buf b;
	va_list ap;

	acs_buf_init(&b, 8192);
	va_start(ap, fmt);
	acs_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	free(*slot);
	*slot = acs_buf_steal(&b);
}

/* Feature checks the directory alone can answer. Returns the missing feature or NULL. */
static const char *directory_feature_missing(const struct acs_run *run)
{
	static const char *const urls[] = {"keyChange", "revokeCert", "newAuthz", "renewalInfo",
	                                   NULL};
	size_t i;

	/* RFC 9444 4.4: a server supporting subdomain authorizations says so (the first reason) */
	if (acs_case_needs(run->c, "subdomainAuth") &&
	    !json_is_true(json_object_get(json_object_get(run->s->directory, "meta"),
	                                  "subdomainAuthAllowed")))
		return "subdomainAuth";
	for (i = 0; urls[i] != NULL; i++) {
		if (acs_case_needs(run->c, urls[i]) && acs_acme_dir_url(run->s, urls[i]) == NULL)
			return urls[i];
	}
	if (acs_case_needs(run->c, "profiles") && acs_acme_profile_name(run->s, 0) == NULL)
		return "profiles";
	if (acs_case_needs(run->c, "eab")) {
		json_t *meta = json_object_get(run->s->directory, "meta");

		if (!json_is_true(json_object_get(meta, "externalAccountRequired")))
			return "eab";
	}
	return NULL;
}

/*
 * The profile may switch features off: {"features": {"ip": false}} or
 * {"without": ["ip"]}. Returns the first needed feature it excludes.
 */
static const char *profile_excludes(const struct acs_run *run)
{
	const json_t *p = run->t->profile;
	const json_t *feat, *without;
	size_t i;

	if (p == NULL || run->c->needs == NULL)
		return NULL;
	feat = json_object_get(p, "features");
	without = json_object_get(p, "without");
	for (i = 0; run->c->needs[i] != NULL; i++) {
		const char *f = run->c->needs[i];
		size_t j;
		json_t *e;

		if (json_is_false(json_object_get(feat, f)))
			return f;
		json_array_foreach(without, j, e)
		{
			if (json_is_string(e) && strcmp(json_string_value(e), f) == 0)
				return f;
		}
	}
	return NULL;
}

/* Prepare misbehaviours and headers of the step. */
static int step_prepare(struct acs_run *run)
{
	json_t *mis = json_object_get(run->step, "misbehave");
	json_t *hdrs = json_object_get(run->step, "headers");
	size_t i, n = 0;
	json_t *e;
	const char *k;

	run->mis = 0;
	json_array_foreach(mis, i, e)
	{
		int m = acs_mis_parse(json_string_value(e));

		if (m < 0)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL,
			                     "unknown misbehaviour \"%s\"", json_string_value(e));
		run->mis |= ACS_MIS_BIT(m);
	}
	if (json_is_object(hdrs)) {
		run->headers = calloc(json_object_size(hdrs) + 1, sizeof(*run->headers));
		if (run->headers == NULL)
			return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
		json_object_foreach(hdrs, k, e)
		{
			struct acs_buf b;

			acs_buf_init(&b, 8192);
			acs_buf_printf(&b, "%s: %s", k, json_string_value(e));
			run->headers[n] = acs_buf_steal(&b);
			if (run->headers[n] == NULL)
				return acs_step_fail(run, ACS_STEP_HARNESS, NULL, "out of memory");
			n++;
		}
	}
	return 0;
}

static void step_clear(struct acs_run *run)
{
	size_t i;

	if (run->headers != NULL) {
		for (i = 0; run->headers[i] != NULL; i++)
			free((char *)run->headers[i]);
		free(run->headers);
	}
	run->headers = NULL;
	acs_acme_resp_free(run->resp);
	run->resp = NULL;
	json_decref(run->facts);
	run->facts = NULL;
	json_decref(run->step);
	run->step = NULL;
	run->fail = ACS_STEP_OK;
	run->feature = NULL;
	acs_err_clear(&run->err);
	run->mis = 0;
}

static enum acs_verdict fail_verdict(const struct acs_case *c)
{
	return c->level == ACS_MUST ? ACS_FAIL : ACS_NONSTRICT;
}

/* Run one step; returns 1 when the case is decided (r filled), 0 to go on. */
/*
 * A set-up step (one the case needs before what it checks) that did not go
 * as needed: UNSUPPORTED when it needs an optional feature the case names;
 * otherwise the target answered, but not as the step needs (an advertised
 * resource that fails, a state that never comes): a verdict on the target
 * that names the broken step, never ERROR, which means the harness could
 * not judge (docs/verdicts.md).
 */
static void setup_verdict(struct acs_run *run, const char *doname, struct acs_result *r)
{
	if (run->feature != NULL && acs_case_needs(run->c, run->feature)) {
		r->raw = ACS_UNSUPPORTED;
		set_result_fmt(&r->message, "target does not support %s: %s", run->feature,
		               run->err.msg);
		return;
	}
	r->raw = ACS_FAIL;
	set_result_fmt(&r->message,
	               "set-up step %d (%s) broken by the target, so the case cannot reach what "
	               "it checks: %s",
	               run->index, doname, run->err.msg);
	set_result_fmt(&r->expected,
	               "set-up step %d (%s) done: the target answers it as RFC 8555 says, so "
	               "that the case can reach what it checks",
	               run->index, doname);
	set_result_str(&r->actual, run->err.msg);
}

/*
 * Prepare and run the step's action. When the target sent the harness to a
 * URL the network policy refuses (off loopback, another host, a production
 * CA), it was not followed, and that is a verdict on the target, not a
 * failure of the harness.
 */
static void step_act(struct acs_run *run)
{
	size_t refused = acs_http_refused(run->s->http);

	if (step_prepare(run) == 0)
		acs_action_run(run);
	if (run->fail == ACS_STEP_HARNESS && acs_http_refused(run->s->http) > refused)
		run->fail = ACS_STEP_OUTCOME;
}

static int run_step(struct acs_run *run, const json_t *raw, struct acs_result *r)
{
	const char *doname = json_string_value(json_object_get(raw, "do"));
	json_t *expect, *unsup;
	struct acs_err ierr;
	int judged;

	acs_err_clear(&ierr);
	r->step = run->index;
	/*
	 * Arguments are interpolated before the action and expectations after
	 * it, so that an expectation may name what the step itself made
	 * current ({authz.url} in the up link of a challenge response).
	 */
	{
		json_t *args = json_deep_copy(raw);

		json_object_del(args, "expect");
		json_object_del(args, "unsupported_if");
		run->step = args != NULL ? interp_json(run, args, &ierr) : NULL;
		json_decref(args);
	}
	if (run->step == NULL) {
		r->raw = ACS_ERROR;
		set_result_fmt(&r->message, "step %d (%s): %s", run->index,
		               doname != NULL ? doname : "?", ierr.msg);
		return 1;
	}
	run->action = doname;
	run->facts = json_object();
	judged = json_object_get(raw, "expect") != NULL;
	acs_transcript_note(run->s->transcript, "step %d (%s)%s", run->index, doname,
	                    judged ? ": judged" : "");

	step_act(run);

	if (run->fail != ACS_STEP_HARNESS) {
		static const char *const keys[] = {"expect", "unsupported_if"};
		size_t k;

		for (k = 0; k < 2; k++) {
			json_t *v = json_object_get(raw, keys[k]), *c;

			if (v == NULL)
				continue;
			c = interp_json(run, v, &ierr);
			if (c == NULL) {
				r->raw = ACS_ERROR;
				set_result_fmt(&r->message, "step %d (%s): %s: %s", run->index,
				               doname, keys[k], ierr.msg);
				return 1;
			}
			json_object_set_new(run->step, keys[k], c);
		}
	}
	expect = json_object_get(run->step, "expect");
	unsup = json_object_get(run->step, "unsupported_if");

	if (run->fail == ACS_STEP_HARNESS) {
		if (run->feature != NULL && acs_case_needs(run->c, run->feature)) {
			r->raw = ACS_UNSUPPORTED;
			set_result_fmt(&r->message, "target does not support %s: %s", run->feature,
			               run->err.msg);
		} else {
			r->raw = ACS_ERROR;
			set_result_fmt(&r->message, "%sstep %d (%s) failed: %s",
			               judged ? "" : "set-up ", run->index, doname, run->err.msg);
		}
		return 1;
	}
	if (unsup != NULL && run->resp != NULL) {
		struct verdict_text vt;

		memset(&vt, 0, sizeof(vt));
		acs_buf_init(&vt.msg, 4096);
		acs_buf_init(&vt.exp, 8192);
		acs_buf_init(&vt.act, 8192);
		if (acs_script_judge(run, unsup, &vt) == 0) {
			const char *why = acs_arg_str(run, "why", NULL);

			r->raw = ACS_UNSUPPORTED;
			set_result_fmt(&r->message, "step %d (%s): %s", run->index, doname,
			               why != NULL ? why : "the target does not offer this");
		}
		acs_buf_free(&vt.msg);
		acs_buf_free(&vt.exp);
		acs_buf_free(&vt.act);
		if (r->raw == ACS_UNSUPPORTED)
			return 1;
	}
	if (judged) {
		struct verdict_text vt;
		int decided = 0;

		memset(&vt, 0, sizeof(vt));
		acs_buf_init(&vt.msg, 4096);
		acs_buf_init(&vt.exp, 16384);
		acs_buf_init(&vt.act, 16384);
		if (acs_script_judge(run, expect, &vt) > 0) {
			decided = 1;
			if (run->fail != ACS_STEP_OK && run->feature != NULL &&
			    acs_case_needs(run->c, run->feature)) {
				r->raw = ACS_UNSUPPORTED;
				set_result_fmt(&r->message, "target does not support %s: %s",
				               run->feature, run->err.msg);
			} else {
				r->raw = fail_verdict(run->c);
				/* what stopped the step (a state that never came) is evidence too
				 */
				set_result_fmt(
				    &r->message, "step %d (%s): %s%s%s%s", run->index, doname,
				    vt.msg.data != NULL ? vt.msg.data : "expectation failed",
				    run->fail != ACS_STEP_OK ? " (" : "",
				    run->fail != ACS_STEP_OK ? run->err.msg : "",
				    run->fail != ACS_STEP_OK ? ")" : "");
				set_result_str(&r->expected, vt.exp.data);
				set_result_str(&r->actual, vt.act.data);
			}
		}
		acs_buf_free(&vt.msg);
		acs_buf_free(&vt.exp);
		acs_buf_free(&vt.act);
		return decided;
	}
	if (run->fail != ACS_STEP_OK) {
		setup_verdict(run, doname, r);
		return 1;
	}
	return 0;
}

/* Reports print the message on one line; a server's detail may hold line breaks. */
static void one_line(char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
	}
}

/*
 * The session a case (or the probe) runs in, from the target: its URL,
 * trust, bounds, responders, EAB and network policy.
 */
static void session_opts(const struct acs_server_target *t, struct acs_acme_session_opts *so)
{
	memset(so, 0, sizeof(*so));
	so->directory_url = t->directory_url;
	so->ca_bundle = t->ca_bundle;
	so->timeout_ms = t->request_timeout_ms;
	so->wait_seconds = t->wait_seconds;
	so->responders = t->responders;
	so->eab_kid = t->eab_kid;
	so->eab_hmac = t->eab_hmac;
	so->allow_production = t->allow_production;
	so->allow_other_hosts = t->allow_other_hosts;
	so->domain_suffix = t->domain_suffix;
}

/*
 * What the run's set-up could not do overrides the verdict: the order
 * budget spent, or a step the webroot or hook cannot serve (SKIPPED).
 */
static void run_skipped(const struct acs_run *run, struct acs_result *r)
{
	if (run->s->budget_spent) {
		r->raw = ACS_SKIPPED;
		set_result_fmt(&r->message,
		               "budget: step %d would create more orders or accounts than the "
		               "case reserved from --max-orders / --max-accounts",
		               r->step);
	} else if (run->skip[0] != '\0') {
		r->raw = ACS_SKIPPED;
		set_result_fmt(&r->message, "step %d: %s", r->step, run->skip);
	} else {
		return;
	}
	free(r->expected);
	free(r->actual);
	r->expected = r->actual = NULL;
}

int acs_script_case_count(const struct acs_case *c, const char *what)
{
	const json_t *steps = json_object_get(c->body, "steps"), *st;
	int orders = strcmp(what, "orders") == 0;
	const char *act_name = orders ? "new-order" : "new-account";
	const char *dir_key = orders ? "newOrder" : "newAccount";
	size_t i;
	int n = 0;

	json_array_foreach(steps, i, st)
	{
		const char *act = json_string_value(json_object_get(st, "do"));
		const char *url = json_string_value(json_object_get(st, "url"));

		if (act == NULL)
			continue;
		if (strcmp(act, act_name) == 0 || (orders && strcmp(act, "issue") == 0) ||
		    (strcmp(act, "post") == 0 && url != NULL && strstr(url, dir_key) != NULL))
			n++;
	}
	return n;
}

void acs_script_run_case(void *ctx, const struct acs_case *c, struct acs_result *r)
{
	const struct acs_server_target *t = ctx;
	struct acs_acme_session_opts so;
	struct acs_run run;
	struct acs_err err;
	const json_t *steps;
	const char *missing;
	size_t i;
	int norders, naccounts;
	json_t *st;

	memset(&run, 0, sizeof(run));
	acs_err_clear(&err);
	r->raw = ACS_PASS;
	r->step = 0;
	run.t = t;
	run.c = c;

	session_opts(t, &so);

	missing = profile_excludes(&run);
	if (missing != NULL) {
		const char *pname = json_string_value(json_object_get(t->profile, "name"));

		r->raw = ACS_SKIPPED;
		set_result_fmt(&r->message, "not applicable to profile %s: it has no %s",
		               pname != NULL ? pname : "(unnamed)", missing);
		return;
	}
	norders = acs_script_case_count(c, "orders");
	naccounts = acs_script_case_count(c, "accounts");
	if (t->budget != NULL && acs_acme_budget_take(t->budget, norders, naccounts) != 0) {
		r->raw = ACS_SKIPPED;
		set_result_fmt(&r->message,
		               "budget: the case needs %d order%s and %d account%s, more than is "
		               "left of --max-orders %d / --max-accounts %d",
		               norders, norders == 1 ? "" : "s", naccounts,
		               naccounts == 1 ? "" : "s", t->budget->max_orders,
		               t->budget->max_accounts);
		return;
	}
	if (acs_acme_session_new(&run.s, &so, &err) != 0) {
		r->raw = ACS_ERROR;
		set_result_fmt(&r->message, "cannot start a session: %s", err.msg);
		return;
	}
	if (t->budget != NULL && t->budget->max_orders >= 0)
		run.s->orders_left = norders;
	if (t->budget != NULL && t->budget->max_accounts >= 0)
		run.s->accounts_left = naccounts;
	run.s->client.dns_hook = t->dns_hook;
	run.s->client.webroot = t->webroot;
	run.s->client.hook_seconds = t->wait_seconds;
	if (acs_acme_fetch_directory(run.s, NULL, &err) != 0) {
		r->raw = ACS_ERROR;
		set_result_str(&r->message, err.msg);
		goto out;
	}
	missing = directory_feature_missing(&run);
	if (missing != NULL) {
		r->raw = ACS_UNSUPPORTED;
		set_result_fmt(&r->message, "target does not support %s (directory)", missing);
		goto out;
	}
	steps = json_object_get(c->body, "steps");
	json_array_foreach(steps, i, st)
	{
		int decided;

		run.index = (int)i + 1;
		decided = run_step(&run, st, r);
		step_clear(&run);
		if (decided)
			break;
	}
	run_skipped(&run, r);
	if (r->raw == ACS_PASS)
		r->step = 0;
out:
	step_clear(&run);
	/* webroot files and hook records go, whatever the verdict (also when interrupted) */
	acs_acme_deprovision(run.s, 0);
	one_line(r->message);
	if (r->raw != ACS_PASS || t->verbose) {
		free(r->transcript);
		r->transcript = acs_transcript_render(run.s->transcript, 0);
	}
	acs_acme_session_free(run.s);
}

int acs_script_probe(const struct acs_server_target *t, struct acs_err *err)
{
	struct acs_acme_session_opts so;
	struct acs_acme_session *s = NULL;
	int rc;

	session_opts(t, &so);
	rc = acs_acme_session_new(&s, &so, err);
	if (rc != 0)
		return rc;
	rc = acs_acme_fetch_directory(s, NULL, err);
	acs_acme_session_free(s);
	return rc;
}
