/*
 * Two runs compared case by case: what regressed, what was fixed, what
 * else changed, and which cases came and went. The CLI exits 1 on a
 * regression (acs_diff_has_regression).
 */
#include "reports/load.h"

#include <stdlib.h>
#include <string.h>

static const char *const kind_names[ACS_CHANGE_KIND_COUNT] = {
    [ACS_CHANGE_REGRESSION] = "regression", [ACS_CHANGE_REMOVED] = "removed",
    [ACS_CHANGE_FIXED] = "fixed",           [ACS_CHANGE_CHANGED] = "changed",
    [ACS_CHANGE_ADDED] = "added",
};

/* Headings of the rendered blocks, in enum order. */
static const char *const kind_headings[ACS_CHANGE_KIND_COUNT] = {
    [ACS_CHANGE_REGRESSION] = "regressions",
    [ACS_CHANGE_REMOVED] = "removed",
    [ACS_CHANGE_FIXED] = "fixed",
    [ACS_CHANGE_CHANGED] = "other changed verdicts",
    [ACS_CHANGE_ADDED] = "added",
};

const char *acs_change_kind_name(enum acs_change_kind k)
{
	if ((int)k < 0 || k >= ACS_CHANGE_KIND_COUNT)
		return "unknown";
	return kind_names[k];
}

/* A verdict that fails its run: FAIL, XPASS, ERROR, NONSTRICT when strict. */
static int is_bad(enum acs_verdict v, int strict)
{
	return v == ACS_ERROR || acs_verdict_is_failure(v, strict);
}

static const char *id_of(const struct acs_change *c)
{
	return acs_report_case_id(c->before != NULL ? c->before : c->after);
}

static int cmp_change(const void *a, const void *b)
{
	const struct acs_change *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(id_of(x), id_of(y));
}

/* Pointers to rep's results sorted by case id; new array, NULL on ENOMEM. */
static const struct acs_result **sorted_results(const struct acs_report *rep)
{
	const struct acs_result **list = calloc(rep->n + 1, sizeof(*list));
	size_t i;

	if (list == NULL)
		return NULL;
	for (i = 0; i < rep->n; i++)
		list[i] = &rep->results[i];
	qsort(list, rep->n, sizeof(*list), acs_report_cmp_id);
	return list;
}

/* The kind of change from b to a (either may be NULL); -1 when unchanged. */
static int classify(const struct acs_result *b, int bstrict, const struct acs_result *a,
                    int astrict)
{
	if (a == NULL)
		return ACS_CHANGE_REMOVED;
	if (b == NULL)
		return is_bad(a->verdict, astrict) ? ACS_CHANGE_REGRESSION : ACS_CHANGE_ADDED;
	if (a->verdict == b->verdict)
		return -1;
	if (!is_bad(b->verdict, bstrict) && is_bad(a->verdict, astrict))
		return ACS_CHANGE_REGRESSION;
	if (is_bad(b->verdict, bstrict) && a->verdict == ACS_PASS)
		return ACS_CHANGE_FIXED;
	return ACS_CHANGE_CHANGED;
}

int acs_report_diff(const struct acs_report *before, const struct acs_report *after,
                    struct acs_diff *out, struct acs_err *err)
{
	const struct acs_result **bl = NULL, **al = NULL;
	size_t i = 0, j = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (before->side != NULL && after->side != NULL && strcmp(before->side, after->side) != 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "cannot compare a %s run (%s) with a %s run (%s)", before->side,
		                   before->path, after->side, after->path);
	bl = sorted_results(before);
	al = sorted_results(after);
	out->changes = calloc(before->n + after->n + 1, sizeof(*out->changes));
	if (bl == NULL || al == NULL || out->changes == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	while (i < before->n || j < after->n) {
		const struct acs_result *b = i < before->n ? bl[i] : NULL;
		const struct acs_result *a = j < after->n ? al[j] : NULL;
		int d = b == NULL ? 1 : a == NULL ? -1 : acs_report_cmp_id(&bl[i], &al[j]);
		int kind;

		if (d < 0)
			a = NULL;
		else if (d > 0)
			b = NULL;
		i += b != NULL;
		j += a != NULL;
		kind = classify(b, before->info.strict, a, after->info.strict);
		if (kind < 0) {
			out->unchanged++;
			continue;
		}
		out->changes[out->n].kind = (enum acs_change_kind)kind;
		out->changes[out->n].before = b;
		out->changes[out->n].after = a;
		out->n++;
		out->count[kind]++;
	}
	qsort(out->changes, out->n, sizeof(*out->changes), cmp_change);
out:
	free(bl);
	free(al);
	if (rc != 0)
		acs_diff_clear(out);
	return rc;
}

void acs_diff_clear(struct acs_diff *d)
{
	if (d == NULL)
		return;
	free(d->changes);
	memset(d, 0, sizeof(*d));
}

int acs_diff_has_regression(const struct acs_diff *d)
{
	return d != NULL &&
	       (d->count[ACS_CHANGE_REGRESSION] > 0 || d->count[ACS_CHANGE_REMOVED] > 0);
}

/* "  PASS -> FAIL               server.x  message\n" */
static int put_change(struct acs_buf *b, const struct acs_change *c)
{
	const struct acs_result *now = c->after != NULL ? c->after : c->before;
	const char *id = id_of(c);
	char arrow[64];
	int rc;

	snprintf(arrow, sizeof(arrow), "%s -> %s",
	         c->before != NULL ? acs_verdict_name(c->before->verdict) : "(new)",
	         c->after != NULL ? acs_verdict_name(c->after->verdict) : "(gone)");
	rc = acs_buf_printf(b, "  %-26s ", arrow);
	if (rc == 0)
		rc = acs_report_put_text(b, id, strlen(id), ACS_TEXT_ONELINE);
	if (rc == 0 && c->after != NULL && now->verdict != ACS_PASS && now->message != NULL) {
		rc = acs_buf_puts(b, "  ");
		if (rc == 0)
			rc = acs_report_put_text(b, now->message, strlen(now->message),
			                         ACS_TEXT_ONELINE);
	}
	if (rc == 0)
		rc = acs_buf_puts(b, "\n");
	return rc;
}

/* "path (N cases)" for the first line. */
static int put_run(struct acs_buf *b, const struct acs_report *rep)
{
	const char *path = rep->path != NULL ? rep->path : "(report)";
	int rc = acs_report_put_text(b, path, strlen(path), ACS_TEXT_ONELINE);

	if (rc == 0)
		rc = acs_buf_printf(b, " (%zu case%s)", rep->n, rep->n == 1 ? "" : "s");
	return rc;
}

char *acs_diff_render(const struct acs_diff *d, const struct acs_report *before,
                      const struct acs_report *after)
{
	struct acs_buf b;
	size_t i, k;
	int rc;

	acs_buf_init(&b, (size_t)64 * 1024 * 1024);
	rc = acs_buf_puts(&b, "acmespec diff: ");
	if (rc == 0)
		rc = put_run(&b, before);
	if (rc == 0)
		rc = acs_buf_puts(&b, " -> ");
	if (rc == 0)
		rc = put_run(&b, after);
	if (rc == 0)
		rc = acs_buf_puts(&b, "\n");
	for (k = 0; k < ACS_CHANGE_KIND_COUNT && rc == 0; k++) {
		if (d->count[k] == 0)
			continue;
		rc = acs_buf_printf(&b, "\n%s (%zu)%s:\n", kind_headings[k], d->count[k],
		                    k == ACS_CHANGE_REMOVED ? ", each a regression: a case that no "
		                                              "longer runs proves nothing"
		                                            : "");
		for (i = 0; i < d->n && rc == 0; i++) {
			if (d->changes[i].kind == (enum acs_change_kind)k)
				rc = put_change(&b, &d->changes[i]);
		}
	}
	if (rc == 0)
		rc = acs_buf_printf(&b,
		                    "\nunchanged: %zu\nresult: %s (%zu regression%s, %zu removed, "
		                    "%zu fixed, %zu changed, %zu added)\n",
		                    d->unchanged,
		                    acs_diff_has_regression(d) ? "regression" : "no regression",
		                    d->count[ACS_CHANGE_REGRESSION],
		                    d->count[ACS_CHANGE_REGRESSION] == 1 ? "" : "s",
		                    d->count[ACS_CHANGE_REMOVED], d->count[ACS_CHANGE_FIXED],
		                    d->count[ACS_CHANGE_CHANGED], d->count[ACS_CHANGE_ADDED]);
	if (rc != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	return acs_buf_steal(&b);
}
