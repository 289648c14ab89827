/*
 * JSON report: the run, the summary and every result with all its fields,
 * for tools that post-process a run. Strings are made valid UTF-8 (jansson
 * refuses anything else) but otherwise kept as received.
 */
#include "harness/rfc3339.h"
#include "reports/report.h"
#include "harness/catalog.h"

#include <stdlib.h>
#include <string.h>

#define REPORT_MAX ((size_t)512 * 1024 * 1024)

/* New JSON string from s made valid UTF-8; json null for NULL s. */
static json_t *jstr(const char *s)
{
	struct acs_buf b;
	json_t *v;

	if (s == NULL)
		return json_null();
	acs_buf_init(&b, REPORT_MAX);
	if (acs_report_put_text(&b, s, strlen(s), ACS_TEXT_RAW_CONTROLS) != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	v = json_stringn(b.data != NULL ? b.data : "", b.len);
	acs_buf_free(&b);
	return v;
}

/* Seconds rounded to milliseconds; no libm in the build, so by hand. */
static json_t *jsecs(double s)
{
	if (!(s >= 0))
		s = 0;
	if (s > 1e9)
		s = 1e9;
	return json_real((double)(long long)(s * 1000.0 + 0.5) / 1000.0);
}

/* Set key to a new value; 0, or -1 when value is NULL (ENOMEM). */
static int put(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL)
		return -1;
	return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

static json_t *result_json(const struct acs_result *r)
{
	const struct acs_case *c = r->c;
	json_t *o = json_object();
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= put(o, "id", jstr(c != NULL ? c->id : NULL));
	bad |= put(o, "rfc", jstr(c != NULL ? c->rfc : NULL));
	bad |= put(o, "section", jstr(c != NULL ? c->section : NULL));
	bad |= put(o, "level", c != NULL ? json_string(acs_level_name(c->level)) : json_null());
	bad |= put(o, "title", jstr(c != NULL ? c->title : NULL));
	bad |= put(o, "verdict", json_string(acs_verdict_name(r->verdict)));
	bad |= put(o, "raw_verdict", json_string(acs_verdict_name(r->raw)));
	bad |= put(o, "message", jstr(r->message));
	bad |= put(o, "expected", jstr(r->expected));
	bad |= put(o, "actual", jstr(r->actual));
	bad |= put(o, "requirement", jstr(c != NULL ? c->requirement : NULL));
	bad |= put(o, "transcript", jstr(r->transcript));
	bad |= put(o, "client_output", jstr(r->client_output));
	bad |= put(o, "expect_reason", jstr(r->expect_reason));
	bad |= put(o, "rerun", jstr(r->rerun));
	bad |= put(o, "step", json_integer(r->step));
	bad |= put(o, "seconds", jsecs(r->seconds));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The whole report as a new JSON object, NULL on ENOMEM. */
static json_t *report_json(const struct acs_run_info *info, const struct acs_result *results,
                           size_t n)
{
	struct acs_summary sum;
	json_t *doc = NULL, *summary = NULL, *list = NULL, *item;
	int strict = info != NULL ? info->strict : 0;
	time_t started = info != NULL ? info->started : 0;
	char stamp[32];
	size_t i;
	int bad = 0;

	if (results == NULL)
		n = 0;
	acs_summarize(results, n, &sum);
	acs_rfc3339_format(started, stamp);

	doc = json_object();
	summary = json_object();
	list = json_array();
	if (doc == NULL || summary == NULL || list == NULL)
		goto fail;
	bad |= put(doc, "acmespec", json_string(acs_version()));
	bad |= put(doc, "side", jstr(info != NULL ? info->side : NULL));
	bad |= put(doc, "target", jstr(info != NULL ? info->target : NULL));
	bad |= put(doc, "profile", jstr(info != NULL ? info->profile : NULL));
	bad |= put(doc, "expect_file", jstr(info != NULL ? info->expect_file : NULL));
	bad |= put(doc, "strict", json_boolean(strict));
	bad |= put(doc, "jobs", json_integer(info != NULL ? info->jobs : 0));
	bad |= put(doc, "started", json_string(stamp));
	bad |= put(doc, "seconds", jsecs(info != NULL ? info->seconds : sum.seconds));
	for (i = 0; i < ACS_VERDICT_COUNT; i++)
		bad |= put(summary, acs_verdict_name((enum acs_verdict)i),
		           json_integer((json_int_t)sum.count[i]));
	bad |= put(summary, "total", json_integer((json_int_t)sum.total));
	bad |= put(doc, "summary", summary);
	summary = NULL; /* owned by doc now, even when put failed: see below */
	if (info != NULL && info->interrupted > 0) {
		/* a partial report: what stopped it, and the exit code it had (128 + signal) */
		bad |=
		    put(doc, "interrupted", json_string(acs_report_signal_name(info->interrupted)));
		bad |= put(doc, "exit_code", json_integer(128 + info->interrupted));
	} else {
		bad |= put(doc, "exit_code", json_integer(acs_exit_code(&sum, strict)));
	}
	for (i = 0; i < n && !bad; i++) {
		item = result_json(&results[i]);
		if (item == NULL || json_array_append_new(list, item) != 0)
			bad = 1;
	}
	bad |= put(doc, "results", list);
	list = NULL;
	if (bad)
		goto fail;
	return doc;
fail:
	json_decref(summary);
	json_decref(list);
	json_decref(doc);
	return NULL;
}

char *acs_json_render(const struct acs_run_info *info, const struct acs_result *results, size_t n)
{
	json_t *doc = report_json(info, results, n);
	char *text = NULL, *t;
	size_t len;

	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(12));
	json_decref(doc);
	if (text == NULL)
		return NULL;
	/* end with a newline, like any text file */
	len = strlen(text);
	t = realloc(text, len + 2);
	if (t == NULL) {
		free(text);
		return NULL;
	}
	text = t;
	text[len] = '\n';
	text[len + 1] = '\0';
	return text;
}

int acs_json_write(const char *path, const struct acs_run_info *info,
                   const struct acs_result *results, size_t n, struct acs_err *err)
{
	return acs_report_write_doc(path, acs_json_render(info, results, n), "JSON report", err);
}
