/*
 * What every report writer shares to build its text: an output that
 * remembers its first error, and writing the finished document.
 */
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

void acs_out_puts(struct acs_report_out *o, const char *s)
{
	if (o->rc == 0)
		o->rc = acs_buf_puts(&o->b, s);
}

void acs_out_printf(struct acs_report_out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->rc != 0)
		return;
	va_start(ap, fmt);
	o->rc = acs_buf_vprintf(&o->b, fmt, ap);
	va_end(ap);
}

void acs_out_text(struct acs_report_out *o, const char *s, unsigned flags)
{
	if (o->rc == 0 && s != NULL)
		o->rc = acs_report_put_text(&o->b, s, strlen(s), flags);
}

int acs_out_begin(struct acs_report_out *o, const struct acs_result *results, size_t *n,
                  struct acs_summary *sum, size_t **order)
{
	if (results == NULL)
		*n = 0;
	acs_summarize(results, *n, sum);
	*order = acs_report_order(results, *n);
	if (*n > 0 && *order == NULL)
		return ACS_E_NOMEM;
	acs_buf_init(&o->b, ACS_REPORT_MAX);
	o->rc = 0;
	return 0;
}

char *acs_out_finish(struct acs_report_out *o)
{
	if (o->rc != 0) {
		acs_buf_free(&o->b);
		return NULL;
	}
	return acs_buf_steal(&o->b);
}

int acs_report_write_doc(const char *path, char *doc, const char *what, struct acs_err *err)
{
	int rc;

	if (doc == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "cannot render %s %s: out of memory", what,
		                   path != NULL ? path : "");
	rc = acs_report_write_file(path, doc, strlen(doc), err);
	free(doc);
	return rc;
}

const char *acs_report_exit_words(int code)
{
	switch (code) {
	case ACS_EXIT_OK:
		return "nothing unexpected";
	case ACS_EXIT_UNEXPECTED:
		return "unexpected results";
	case ACS_EXIT_USAGE:
		return "a usage or configuration error";
	case ACS_EXIT_INFRA:
		return "the run could not judge everything";
	default:
		return "unknown exit code";
	}
}
