/*
 * The judgement of one step's response against its expectations (status,
 * problem, media type, headers, links, body, facts): split from script.c,
 * which runs the steps.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/buf.h"
#include "harness/json_util.h"
#include "harness/transcript.h"
#include "mockclient/match.h"
#include "mockclient/script_int.h"

#define PROBLEM_PREFIX "urn:ietf:params:acme:error:"

/* ---------------------------------------------------------------- judging */

static void vt_add(struct verdict_text *vt, const char *msg, const char *exp, const char *act)
{
	if (!vt->failed)
		acs_buf_puts(&vt->msg, msg);
	if (vt->exp.len > 0)
		acs_buf_puts(&vt->exp, "; ");
	if (vt->act.len > 0)
		acs_buf_puts(&vt->act, "; ");
	acs_buf_puts(&vt->exp, exp);
	acs_buf_puts(&vt->act, act);
	vt->failed++;
}

/* Media type without parameters, lower case, into out. */
static void media_type(const char *ct, char *out, size_t n)
{
	size_t i = 0;

	while (ct != NULL && (*ct == ' ' || *ct == '\t'))
		ct++;
	for (; ct != NULL && *ct != '\0' && *ct != ';' && i + 1 < n; ct++)
		out[i++] = (char)tolower((unsigned char)*ct);
	while (i > 0 && (out[i - 1] == ' ' || out[i - 1] == '\t'))
		i--;
	out[i] = '\0';
}

static void judge_status(const struct acs_acme_resp *r, const json_t *v, struct verdict_text *vt)
{
	long st = r->http->status;
	struct acs_buf want, msg, act;
	size_t i;
	json_t *e;
	int ok = 0;
	char *sum = acs_acme_resp_summary(r);

	acs_buf_init(&want, 4096);
	acs_buf_init(&msg, 4096);
	acs_buf_init(&act, 4096);
	if (json_is_integer(v)) {
		ok = json_integer_value(v) == st;
		acs_buf_printf(&want, "status %lld", (long long)json_integer_value(v));
	} else {
		acs_buf_puts(&want, "status one of ");
		json_array_foreach(v, i, e)
		{
			acs_buf_printf(&want, "%s%lld", i > 0 ? ", " : "",
			               (long long)json_integer_value(e));
			if (json_integer_value(e) == st)
				ok = 1;
		}
	}
	if (!ok) {
		acs_buf_printf(&msg, "expected %s, got %ld", want.data, st);
		if (acs_acme_problem_type(r) != NULL) {
			const char *detail = json_string_value(json_object_get(r->json, "detail"));

			acs_buf_printf(&msg, " (%s%s%.200s)", acs_acme_problem_type(r),
			               detail != NULL ? ": " : "", detail != NULL ? detail : "");
		}
		acs_buf_puts(&act, sum != NULL ? sum : "?");
		vt_add(vt, msg.data, want.data, act.data);
	}
	free(sum);
	acs_buf_free(&want);
	acs_buf_free(&msg);
	acs_buf_free(&act);
}

static void judge_problem(const struct acs_acme_resp *r, const json_t *v, struct verdict_text *vt)
{
	const char *type = acs_acme_problem_type(r);
	struct acs_buf want, msg, act;
	size_t i;
	json_t *e;
	int ok = 0;

	acs_buf_init(&want, 4096);
	acs_buf_init(&msg, 4096);
	acs_buf_init(&act, 4096);
	if (json_is_string(v)) {
		acs_buf_printf(&want, "problem %s%s", PROBLEM_PREFIX, json_string_value(v));
		ok = type != NULL && strncmp(type, PROBLEM_PREFIX, strlen(PROBLEM_PREFIX)) == 0 &&
		     strcmp(type + strlen(PROBLEM_PREFIX), json_string_value(v)) == 0;
	} else {
		acs_buf_puts(&want, "problem one of ");
		json_array_foreach(v, i, e)
		{
			acs_buf_printf(&want, "%s%s%s", i > 0 ? ", " : "", PROBLEM_PREFIX,
			               json_string_value(e));
			if (type != NULL &&
			    strncmp(type, PROBLEM_PREFIX, strlen(PROBLEM_PREFIX)) == 0 &&
			    strcmp(type + strlen(PROBLEM_PREFIX), json_string_value(e)) == 0)
				ok = 1;
		}
	}
	if (!ok) {
		if (type != NULL) {
			const char *detail = json_string_value(json_object_get(r->json, "detail"));

			acs_buf_printf(&act, "problem %s", type);
			if (detail != NULL)
				acs_buf_printf(&act, " (%.200s)", detail);
		} else {
			const char *ct = acs_http_header(r->http, "Content-Type");

			acs_buf_printf(&act, "no problem document (status %ld, content-type %s%s)",
			               r->http->status, ct != NULL ? ct : "none",
			               r->json == NULL && r->http->body_len > 0 ? ", body not JSON"
			                                                        : "");
		}
		acs_buf_printf(&msg, "expected %s, got %s", want.data, act.data);
		vt_add(vt, msg.data, want.data, act.data);
	}
	acs_buf_free(&want);
	acs_buf_free(&msg);
	acs_buf_free(&act);
}

/* Matcher results: "what: why" into the verdict text. */
static void judge_matcher(const char *what, const json_t *matcher, const json_t *value,
                          struct verdict_text *vt)
{
	struct acs_buf why, msg, want;
	char *desc = NULL;

	acs_buf_init(&why, 4096);
	if (acs_match_value(matcher, value, &why)) {
		acs_buf_free(&why);
		return;
	}
	acs_buf_init(&msg, 4096);
	acs_buf_init(&want, 4096);
	desc = acs_matcher_describe(matcher);
	acs_buf_printf(&want, "%s: %s", what, desc != NULL ? desc : "?");
	acs_buf_printf(&msg, "%s: %s", what, why.data != NULL ? why.data : "does not match");
	{
		struct acs_buf act;
		char *vs = value != NULL ? json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

		acs_buf_init(&act, 4096);
		acs_buf_printf(&act, "%s: %.400s", what, vs != NULL ? vs : "absent");
		vt_add(vt, msg.data, want.data, act.data);
		acs_buf_free(&act);
		free(vs);
	}
	free(desc);
	acs_buf_free(&why);
	acs_buf_free(&msg);
	acs_buf_free(&want);
}

static void judge_pointers(const char *what, const json_t *doc, const json_t *spec,
                           struct verdict_text *vt)
{
	const char *ptr;
	json_t *m;

	json_object_foreach((json_t *)spec, ptr, m)
	{
		struct acs_buf why, want, msg;
		char *desc;

		acs_buf_init(&why, 4096);
		if (acs_match_pointer(doc, ptr, m, &why)) {
			acs_buf_free(&why);
			continue;
		}
		acs_buf_init(&want, 4096);
		acs_buf_init(&msg, 4096);
		desc = acs_matcher_describe(m);
		acs_buf_printf(&want, "%s %s: %s", what, ptr[0] != '\0' ? ptr : "(whole)",
		               desc != NULL ? desc : "?");
		acs_buf_printf(&msg, "%s %s", what, why.data != NULL ? why.data : ptr);
		vt_add(vt, msg.data, want.data, why.data != NULL ? why.data : "does not match");
		free(desc);
		acs_buf_free(&why);
		acs_buf_free(&want);
		acs_buf_free(&msg);
	}
}

/* Judge every key of an expect block. Returns the number of failures. */
int acs_script_judge(struct acs_run *run, const json_t *exp, struct verdict_text *vt)
{
	const struct acs_acme_resp *r = run->resp;
	json_t *v;

	v = json_object_get(exp, "facts");
	if (v != NULL)
		judge_pointers("fact", run->facts, v, vt);
	if (r == NULL || r->http == NULL) {
		const char *k;

		json_object_foreach((json_t *)exp, k, v)
		{
			if (strcmp(k, "facts") != 0)
				vt_add(vt, "no response to judge", k, "no response");
		}
		return vt->failed;
	}
	v = json_object_get(exp, "status");
	if (v != NULL)
		judge_status(r, v, vt);
	v = json_object_get(exp, "problem");
	if (v != NULL)
		judge_problem(r, v, vt);
	v = json_object_get(exp, "content_type");
	if (v != NULL) {
		const char *ct = acs_http_header(r->http, "Content-Type");
		char mt[256];

		media_type(ct, mt, sizeof(mt));
		if (json_is_string(v)) {
			char want_mt[256];

			media_type(json_string_value(v), want_mt, sizeof(want_mt));
			if (ct == NULL || strcmp(mt, want_mt) != 0) {
				struct acs_buf msg, want, act;

				acs_buf_init(&msg, 4096);
				acs_buf_init(&want, 4096);
				acs_buf_init(&act, 4096);
				acs_buf_printf(&want, "content-type %s", want_mt);
				acs_buf_printf(&act, "content-type %s", ct != NULL ? ct : "absent");
				acs_buf_printf(&msg, "expected %s, got %s", want.data, act.data);
				vt_add(vt, msg.data, want.data, act.data);
				acs_buf_free(&msg);
				acs_buf_free(&want);
				acs_buf_free(&act);
			}
		} else {
			json_t *val = ct != NULL ? json_string(mt) : NULL;

			judge_matcher("content-type", v, val, vt);
			json_decref(val);
		}
	}
	v = json_object_get(exp, "headers");
	if (v != NULL) {
		const char *name;
		json_t *m;

		json_object_foreach(v, name, m)
		{
			const char *hv = acs_http_header(r->http, name);
			json_t *val = hv != NULL ? json_string(hv) : NULL;
			struct acs_buf what;

			acs_buf_init(&what, 512);
			acs_buf_printf(&what, "header %s", name);
			if (hv != NULL && val == NULL)
				val = json_string("(not UTF-8)");
			judge_matcher(what.data, m, val, vt);
			json_decref(val);
			acs_buf_free(&what);
		}
	}
	v = json_object_get(exp, "links");
	if (v != NULL) {
		const char *rel;
		json_t *m;

		json_object_foreach(v, rel, m)
		{
			char *target = acs_http_link(r->http, rel, 0);
			json_t *val = target != NULL ? json_string(target) : NULL;
			struct acs_buf what;

			acs_buf_init(&what, 512);
			acs_buf_printf(&what, "link rel=\"%s\"", rel);
			judge_matcher(what.data, m, val, vt);
			json_decref(val);
			free(target);
			acs_buf_free(&what);
		}
	}
	v = json_object_get(exp, "body");
	if (v != NULL) {
		if (r->json == NULL && r->http->body_len > 0) {
			const char *ptr;
			json_t *m;

			/* a pointer into a non-JSON body only holds for {"present": false} */
			json_object_foreach(v, ptr, m)
			{
				json_t *pf = json_object_get(m, "present");

				if (json_is_object(m) && json_is_false(pf) &&
				    json_object_size(m) == 1)
					continue;
				vt_add(vt, "expected a JSON body, got a body that is not JSON",
				       "a JSON body", "a body that is not JSON");
				break;
			}
		} else {
			judge_pointers("body", r->json, v, vt);
		}
	}
	v = json_object_get(exp, "body_empty");
	if (v != NULL) {
		int empty = r->http->body_len == 0;

		if (json_is_true(v) && !empty) {
			char act[64];

			snprintf(act, sizeof(act), "a body of %zu bytes", r->http->body_len);
			vt_add(vt, "expected an empty body, got a non-empty body", "an empty body",
			       act);
		} else if (json_is_false(v) && empty) {
			vt_add(vt, "expected a body, got an empty one", "a non-empty body",
			       "an empty body");
		}
	}
	return vt->failed;
}
