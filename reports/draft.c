/*
 * A draft expectations file from a finished run: every case that failed
 * (FAIL, NONSTRICT) or was expected to (XFAIL), with an empty reason for a
 * person to fill in. The expectations loader refuses empty reasons on
 * purpose, so the draft cannot be used unread.
 */
#include "reports/load.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define NOTE_MAX 2000 /* bytes of a note: a message, not a transcript */

/* Set key to a new value; 0, or -1 when value is NULL (ENOMEM, bad UTF-8). */
static int put(json_t *obj, const char *key, json_t *value)
{
	if (value == NULL)
		return -1;
	return json_object_set_new(obj, key, value) == 0 ? 0 : -1;
}

/* The verdict an expectations entry needs for r, or -1 when r needs none. */
static int draft_verdict(const struct acs_result *r)
{
	if (r->verdict == ACS_FAIL || r->verdict == ACS_NONSTRICT)
		return (int)r->verdict;
	if (r->verdict == ACS_XFAIL && (r->raw == ACS_FAIL || r->raw == ACS_NONSTRICT))
		return (int)r->raw;
	return -1;
}

/* "FAIL: step 2 ... (expected until now: ...)" as a new JSON string. */
static json_t *entry_note(const struct acs_result *r)
{
	struct acs_buf b;
	json_t *v = NULL;
	int rc;

	acs_buf_init(&b, (size_t)64 * 1024);
	rc = acs_buf_printf(&b, "%s: ", acs_verdict_name(r->verdict));
	if (rc == 0 && r->message != NULL)
		rc = acs_report_put_text(&b, r->message, strlen(r->message), ACS_TEXT_ONELINE);
	if (rc == 0 && r->verdict == ACS_XFAIL && r->expect_reason != NULL) {
		rc = acs_buf_puts(&b, " (expected until now: ");
		if (rc == 0)
			rc = acs_report_put_text(&b, r->expect_reason, strlen(r->expect_reason),
			                         ACS_TEXT_ONELINE);
		if (rc == 0)
			rc = acs_buf_puts(&b, ")");
	}
	if (rc == 0 && b.data != NULL) {
		size_t len = b.len > NOTE_MAX ? NOTE_MAX : b.len;

		while (len > 0 && len < b.len && ((unsigned char)b.data[len] & 0xC0) == 0x80)
			len--;
		v = json_stringn(b.data, len);
	}
	acs_buf_free(&b);
	return v;
}

static json_t *entry_json(const struct acs_result *r, enum acs_verdict v)
{
	json_t *o = json_object();
	int bad = 0;

	if (o == NULL)
		return NULL;
	bad |= put(o, "case", json_string(acs_report_case_id(r)));
	bad |= put(o, "verdict", json_string(acs_verdict_name(v)));
	bad |= put(o, "reason", json_string(""));
	bad |= put(o, "notes", entry_note(r));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The top-level note: where the draft came from and what to do with it. */
static json_t *top_note(const struct acs_report *rep)
{
	struct acs_buf b;
	json_t *v = NULL;

	acs_buf_init(&b, (size_t)64 * 1024);
	if (acs_buf_printf(&b,
	                   "Draft written by acmespec %s from %s. Fill in every \"reason\" (why "
	                   "this target fails the case; a \"clause\" and a \"link\" help the next "
	                   "reader), and delete the entries of failures you mean to fix: acmespec "
	                   "refuses an empty reason on purpose, so this draft cannot be used "
	                   "unread. \"notes\" fields are for people and may stay.",
	                   acs_version(), rep->path != NULL ? rep->path : "a JSON report") == 0)
		v = json_string(b.data);
	acs_buf_free(&b);
	return v;
}

static json_t *draft_json(const struct acs_report *rep)
{
	const struct acs_result **sorted = calloc(rep->n + 1, sizeof(*sorted));
	json_t *doc = json_object(), *list = json_array();
	size_t i, k = 0;
	int bad = sorted == NULL || doc == NULL || list == NULL;

	for (i = 0; i < rep->n && !bad; i++) {
		if (draft_verdict(&rep->results[i]) >= 0)
			sorted[k++] = &rep->results[i];
	}
	if (!bad)
		qsort(sorted, k, sizeof(*sorted), acs_report_cmp_id);
	if (!bad) {
		bad |= put(doc, "target", json_string(rep->target != NULL ? rep->target : ""));
		bad |= put(doc, "notes", top_note(rep));
	}
	for (i = 0; i < k && !bad; i++) {
		json_t *e = entry_json(sorted[i], (enum acs_verdict)draft_verdict(sorted[i]));

		bad |= e == NULL || json_array_append_new(list, e) != 0;
	}
	if (!bad) {
		bad |= put(doc, "expectations", list);
		list = NULL;
	}
	free(sorted);
	json_decref(list);
	if (bad) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

char *acs_expect_draft_render(const struct acs_report *rep)
{
	json_t *doc;
	char *text;
	struct acs_buf b;

	if (rep == NULL)
		return NULL;
	doc = draft_json(rep);
	if (doc == NULL)
		return NULL;
	text = json_dumps(doc, JSON_INDENT(2));
	json_decref(doc);
	if (text == NULL)
		return NULL;
	acs_buf_init(&b, 0);
	if (acs_buf_printf(&b, "%s\n", text) != 0) {
		free(text);
		acs_buf_free(&b);
		return NULL;
	}
	free(text);
	return acs_buf_steal(&b);
}

int acs_expect_draft_write(const char *path, const struct acs_report *rep, struct acs_err *err)
{
	return acs_report_write_doc(path, acs_expect_draft_render(rep), "expectations draft", err);
}
