/*
 * JUnit XML report (DESIGN.md "Verdicts", CONVENTIONS.md "Known pitfalls"),
 * plus the text sanitiser and the atomic file writer that every report
 * writer shares.
 *
 * The shape is the one every consumer accepts and tests/data/junit.xsd
 * validates: one <testsuites> holding exactly one <testsuite>, name /
 * classname / time on every <testcase>, times with three decimals, a UTC
 * timestamp without zone, no "skipped" attribute on <testsuites>, and a
 * valid document even with no results.
 */
#include "reports/report.h"
#include "harness/catalog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reports hold every transcript: allow far more than the default cap. */
#define REPORT_MAX ((size_t)512 * 1024 * 1024)

/* ------------------------------------------------------------ sanitising */

/*
 * Length of the well-formed UTF-8 sequence at s (at most len bytes) and its
 * code point, or 0 when the bytes there are not well-formed UTF-8
 * (overlong, surrogate, above U+10FFFF, cut short).
 */
static size_t utf8_decode(const unsigned char *s, size_t len, unsigned long *cp)
{
	size_t n, i;
	unsigned long c, min;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	} else if (s[0] >= 0xC2 && s[0] <= 0xDF) {
		n = 2;
		c = s[0] & 0x1F;
		min = 0x80;
	} else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
		n = 3;
		c = s[0] & 0x0F;
		min = 0x800;
	} else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

int acs_report_put_text(struct acs_buf *b, const char *s, size_t len, unsigned flags)
{
	static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n, run = 0;
	unsigned long cp = 0;
	const char *rep;
	int rc = 0;

	if (s == NULL)
		return 0;
	/*
	 * Copy runs of harmless bytes at once; stop at anything that needs a
	 * replacement and append that instead.
	 */
	while (i < len && rc == 0) {
		rep = NULL;
		n = utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			rep = replacement;
			n = 1;
		} else if (cp == '\t' || cp == '\n') {
			if (flags & ACS_TEXT_ONELINE)
				rep = " ";
		} else if (cp == '\r' && !(flags & ACS_TEXT_RAW_CONTROLS)) {
			if (i + 1 < len && p[i + 1] == '\n')
				rep = "";
			else
				rep = (flags & ACS_TEXT_ONELINE) ? " " : "?";
		} else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
			/* XML 1.0 forbids C0 controls even as references */
			if (!(flags & ACS_TEXT_RAW_CONTROLS) ||
			    ((flags & ACS_TEXT_XML) && cp < 0x20))
				rep = "?";
		} else if (cp == 0xFFFE || cp == 0xFFFF) {
			rep = replacement;
		} else if (flags & ACS_TEXT_XML) {
			if (cp == '&')
				rep = "&amp;";
			else if (cp == '<')
				rep = "&lt;";
			else if (cp == '>')
				rep = "&gt;";
			else if (cp == '"' && (flags & ACS_TEXT_ONELINE))
				rep = "&quot;";
			else if (cp == '\'' && (flags & ACS_TEXT_ONELINE))
				rep = "&apos;";
		}
		if (rep == NULL) {
			run += n;
			i += n;
			continue;
		}
		if (run > 0)
			rc = acs_buf_append(b, p + i - run, run);
		run = 0;
		if (rc == 0)
			rc = acs_buf_puts(b, rep);
		i += n;
	}
	if (rc == 0 && run > 0)
		rc = acs_buf_append(b, p + i - run, run);
	return rc;
}

/* ----------------------------------------------------------- atomic write */

/* strerror(e) starting in lower case, as every acmespec message does. */
static const char *errno_words(int e, char *buf, size_t len)
{
	snprintf(buf, len, "%s", strerror(e));
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

int acs_report_write_file(const char *path, const char *data, size_t len, struct acs_err *err)
{
	char *tmp = NULL;
	const char *slash;
	size_t dirlen, off = 0;
	int fd = -1, rc = 0, e = 0;
	char words[128];
	ssize_t w;

	if (path == NULL || *path == '\0')
		return acs_err_set(err, ACS_E_INVAL, "cannot write report: no path given");
	slash = strrchr(path, '/');
	dirlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
	/* "<dir>/.<name>.tmpXXXXXX" in the same directory, so rename is atomic */
	tmp = malloc(strlen(path) + 16);
	if (tmp == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "cannot write %s: out of memory", path);
	memcpy(tmp, path, dirlen);
	tmp[dirlen] = '.';
	memcpy(tmp + dirlen + 1, path + dirlen, strlen(path + dirlen));
	memcpy(tmp + strlen(path) + 1, ".tmpXXXXXX", sizeof(".tmpXXXXXX"));
	fd = mkstemp(tmp);
	if (fd < 0) {
		e = errno;
		free(tmp);
		return acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path,
		                   errno_words(e, words, sizeof(words)));
	}
	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : EIO;
			goto out;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
		e = errno;
		goto out;
	}
	if (close(fd) != 0) {
		fd = -1;
		e = errno;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		e = errno;
		goto out;
	}
out:
	if (e != 0) {
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		rc = acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path,
		                 errno_words(e, words, sizeof(words)));
	}
	free(tmp);
	return rc;
}

/* ---------------------------------------------------------------- writing */

/* Escaped text; attribute values are made one line. */
static void x_text(struct acs_report_out *x, const char *s, int attr)
{
	acs_out_text(x, s, ACS_TEXT_XML | (attr ? ACS_TEXT_ONELINE : 0));
}

static void x_attr(struct acs_report_out *x, const char *name, const char *value)
{
	acs_out_printf(x, " %s=\"", name);
	x_text(x, value != NULL ? value : "", 1);
	acs_out_puts(x, "\"");
}

/* A duration as the schema's SUREFIRE_TIME wants it: "12.345". */
static void x_time(struct acs_report_out *x, const char *name, double seconds)
{
	if (!(seconds >= 0)) /* negative or NaN */
		seconds = 0;
	if (seconds > 1e9)
		seconds = 1e9;
	acs_out_printf(x, " %s=\"%.3f\"", name, seconds);
}

static const char *case_side(const struct acs_result *r, const struct acs_run_info *info)
{
	if (r->c != NULL && r->c->side != NULL)
		return r->c->side;
	if (info != NULL && info->side != NULL)
		return info->side;
	return "unknown";
}

/* "acmespec.server.8555.sec6_5": no dot inside the section (Jenkins). */
static void x_classname(struct acs_report_out *x, const struct acs_result *r,
                        const struct acs_run_info *info)
{
	const char *s;

	acs_out_puts(x, " classname=\"acmespec.");
	x_text(x, case_side(r, info), 1);
	if (r->c == NULL || r->c->rfc == NULL || r->c->section == NULL) {
		acs_out_puts(x, ".unknown\"");
		return;
	}
	acs_out_puts(x, ".");
	x_text(x, r->c->rfc, 1);
	acs_out_puts(x, ".sec");
	for (s = r->c->section; *s != '\0' && x->rc == 0; s++) {
		char one[2] = {*s == '.' ? '_' : *s, '\0'};

		x_text(x, one, 1);
	}
	acs_out_puts(x, "\"");
}

static const char *level_of(const struct acs_result *r, const char *fallback)
{
	if (r->c == NULL)
		return fallback;
	return acs_level_name(r->c->level);
}

/* The one-line message attribute of a failure, error or skip. */
static void x_message(struct acs_report_out *x, const struct acs_result *r)
{
	struct acs_buf m;

	acs_buf_init(&m, 0);
	switch (r->verdict) {
	case ACS_XPASS:
		(void)acs_buf_puts(&m, "passed, but the expectations file foresaw a failure");
		if (r->expect_reason != NULL)
			(void)acs_buf_printf(&m, " (%s)", r->expect_reason);
		break;
	case ACS_XFAIL:
		(void)acs_buf_puts(&m, "known failure");
		if (r->expect_reason != NULL)
			(void)acs_buf_printf(&m, " (%s)", r->expect_reason);
		if (r->message != NULL)
			(void)acs_buf_printf(&m, ": %s", r->message);
		break;
	default:
		(void)acs_buf_puts(&m,
		                   r->message != NULL ? r->message : acs_verdict_name(r->verdict));
		break;
	}
	if (m.data == NULL)
		x->rc = x->rc != 0 ? x->rc : ACS_E_NOMEM;
	else
		x_attr(x, "message", m.data);
	acs_buf_free(&m);
}

/* The result's details as element text. */
static void x_details(struct acs_report_out *x, const struct acs_result *r)
{
	struct acs_buf d;
	int rc;

	acs_buf_init(&d, REPORT_MAX);
	rc = acs_result_details(&d, r, NULL);
	if (rc == 0 && d.data != NULL)
		x_text(x, d.data, 0);
	else if (rc != 0 && x->rc == 0)
		x->rc = rc;
	acs_buf_free(&d);
}

/* <failure|error|skipped message type>details</...> */
static void x_outcome(struct acs_report_out *x, const char *element, const char *type,
                      const struct acs_result *r, int with_details)
{
	acs_out_printf(x, "      <%s", element);
	x_message(x, r);
	x_attr(x, "type", type);
	if (!with_details) {
		acs_out_puts(x, "/>\n");
		return;
	}
	acs_out_puts(x, ">");
	x_details(x, r);
	acs_out_printf(x, "</%s>\n", element);
}

static void x_testcase(struct acs_report_out *x, const struct acs_result *r,
                       const struct acs_run_info *info, int strict)
{
	acs_out_puts(x, "    <testcase");
	x_attr(x, "name", r->c != NULL && r->c->id != NULL ? r->c->id : "(unknown case)");
	x_classname(x, r, info);
	x_time(x, "time", r->seconds);
	switch (r->verdict) {
	case ACS_PASS:
		acs_out_puts(x, "/>\n");
		return;
	case ACS_FAIL:
		acs_out_puts(x, ">\n");
		x_outcome(x, "failure", level_of(r, "MUST"), r, 1);
		break;
	case ACS_NONSTRICT:
		acs_out_puts(x, ">\n");
		if (strict) {
			x_outcome(x, "failure", level_of(r, "SHOULD"), r, 1);
		} else {
			acs_out_puts(
			    x, "      <system-out>NONSTRICT (a failure only with --strict)\n");
			x_details(x, r);
			acs_out_puts(x, "</system-out>\n");
		}
		break;
	case ACS_XPASS:
		acs_out_puts(x, ">\n");
		x_outcome(x, "failure", "XPASS", r, 1);
		break;
	case ACS_ERROR:
		acs_out_puts(x, ">\n");
		x_outcome(x, "error", "ERROR", r, 1);
		break;
	case ACS_XFAIL:
		acs_out_puts(x, ">\n");
		x_outcome(x, "skipped", "XFAIL", r, 1);
		break;
	case ACS_UNSUPPORTED:
	case ACS_SKIPPED:
		acs_out_puts(x, ">\n");
		x_outcome(x, "skipped", acs_verdict_name(r->verdict), r, 0);
		break;
	default:
		acs_out_puts(x, ">\n");
		x_outcome(x, "error", "UNKNOWN", r, 1);
		break;
	}
	acs_out_puts(x, "    </testcase>\n");
}

char *acs_junit_render(const struct acs_run_info *info, const struct acs_result *results, size_t n)
{
	struct acs_report_out x;
	size_t i, failures = 0, errors = 0, skipped = 0;
	int strict = info != NULL ? info->strict : 0;
	const char *side = info != NULL && info->side != NULL ? info->side : "unknown";
	double seconds = info != NULL ? info->seconds : 0;
	time_t started = info != NULL ? info->started : 0;
	char stamp[32] = "1970-01-01T00:00:00";
	char host[256];
	struct tm tm;

	if (results == NULL)
		n = 0;
	for (i = 0; i < n; i++) {
		enum acs_verdict v = results[i].verdict;

		if (acs_verdict_is_failure(v, strict))
			failures++;
		else if (v == ACS_ERROR || (int)v < 0 || v >= ACS_VERDICT_COUNT)
			errors++;
		else if (v == ACS_UNSUPPORTED || v == ACS_SKIPPED || v == ACS_XFAIL)
			skipped++;
	}
	if (gmtime_r(&started, &tm) != NULL)
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	if (gethostname(host, sizeof(host)) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	if (host[0] == '\0')
		memcpy(host, "localhost", sizeof("localhost"));

	acs_buf_init(&x.b, REPORT_MAX);
	x.rc = 0;
	acs_out_puts(&x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	acs_out_puts(&x, "<testsuites name=\"acmespec\"");
	acs_out_printf(&x, " tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"", n, failures, errors);
	x_time(&x, "time", seconds);
	acs_out_puts(&x, ">\n");

	acs_out_puts(&x, "  <testsuite name=\"acmespec.");
	x_text(&x, side, 1);
	acs_out_printf(&x, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\"", n,
	               failures, errors, skipped);
	x_time(&x, "time", seconds);
	x_attr(&x, "timestamp", stamp);
	x_attr(&x, "hostname", host);
	acs_out_puts(&x, ">\n");

	acs_out_puts(&x, "    <properties>\n");
	acs_out_puts(&x, "      <property name=\"side\"");
	x_attr(&x, "value", side);
	acs_out_puts(&x, "/>\n      <property name=\"target\"");
	x_attr(&x, "value", info != NULL ? info->target : NULL);
	acs_out_puts(&x, "/>\n      <property name=\"profile\"");
	x_attr(&x, "value", info != NULL ? info->profile : NULL);
	acs_out_puts(&x, "/>\n      <property name=\"strict\"");
	x_attr(&x, "value", strict ? "true" : "false");
	acs_out_puts(&x, "/>\n      <property name=\"expect_file\"");
	x_attr(&x, "value", info != NULL ? info->expect_file : NULL);
	acs_out_puts(&x, "/>\n      <property name=\"jobs\"");
	acs_out_printf(&x, " value=\"%d\"", info != NULL ? info->jobs : 0);
	if (info != NULL && info->interrupted > 0) {
		acs_out_puts(&x, "/>\n      <property name=\"interrupted\"");
		x_attr(&x, "value", acs_report_signal_name(info->interrupted));
	}
	acs_out_puts(&x, "/>\n      <property name=\"acmespec_version\"");
	x_attr(&x, "value", acs_version());
	acs_out_puts(&x, "/>\n    </properties>\n");

	for (i = 0; i < n; i++)
		x_testcase(&x, &results[i], info, strict);

	acs_out_puts(&x, "  </testsuite>\n</testsuites>\n");
	return acs_out_finish(&x);
}

int acs_junit_write(const char *path, const struct acs_run_info *info,
                    const struct acs_result *results, size_t n, struct acs_err *err)
{
	return acs_report_write_doc(path, acs_junit_render(info, results, n), "JUnit report", err);
}
