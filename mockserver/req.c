/*
 * Answering one request: response headers and bodies, problem documents as
 * the scenario's misbehaviours bend them, recorded checks, and object URLs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "mockserver/log.h"
#include "mockserver/req.h"
#include "mockserver/store.h"

const char *acs_mca_req_header(struct mca_req *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->in->nheaders; i++) {
		const struct acs_mca_header *h = &r->in->headers[i];

		if (h->name != NULL && h->value != NULL && strcasecmp(h->name, name) == 0)
			return h->value;
	}
	return NULL;
}

int acs_mca_add_header(struct mca_resp *resp, const char *name, const char *fmt, ...)
{
	struct acs_buf b;
	va_list ap;
	int rc;

	if (resp->nh >= ACS_MCA_MAX_HEADERS)
		return ACS_E_TOOBIG;
	acs_buf_init(&b, 8192);
	va_start(ap, fmt);
	rc = acs_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		acs_buf_free(&b);
		return rc;
	}
	resp->hname[resp->nh] = strdup(name);
	resp->hval[resp->nh] = acs_buf_steal(&b);
	if (resp->hname[resp->nh] == NULL || resp->hval[resp->nh] == NULL) {
		free(resp->hname[resp->nh]);
		free(resp->hval[resp->nh]);
		return ACS_E_NOMEM;
	}
	resp->nh++;
	return 0;
}

void acs_mca_resp_json(struct mca_req *r, unsigned int status, json_t *body)
{
	char *text = json_dumps(body, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

	r->resp.status = status;
	if (r->resp.ctype == NULL)
		r->resp.ctype = "application/json";
	acs_buf_reset(&r->resp.body);
	if (text != NULL) {
		(void)acs_buf_puts(&r->resp.body, text);
		free(text);
	}
}

/* The problem type the scenario really sends for type (misbehaviours bend it). */
static const char *problem_type(struct mca_req *r, const char *type)
{
	if (strcmp(type, "badPublicKey") == 0 && mca_mb(r->scn, MB_BADPUBKEY_MALFORMED))
		type = "malformed";
	if (strcmp(type, "malformed") == 0 && mca_mb(r->scn, MB_UNREGISTERED_TYPES))
		type = "badRequest"; /* not in the IANA registry */
	return type;
}

json_t *acs_mca_problem_obj(struct mca_req *r, unsigned int status, const char *type,
                            const char *detail)
{
	char full[128];

	type = problem_type(r, type);
	if (strcmp(type, "badPublicKey") == 0 && mca_mb(r->scn, MB_BADPUBKEY_NO_DETAIL))
		detail = "";
	(void)snprintf(full, sizeof(full), "%s%s",
	               mca_mb(r->scn, MB_PROBLEM_V1) ? "urn:acme:error:" : MCA_PROBLEM_NS, type);
	return json_pack("{s:s, s:s, s:i}", "type", full, "detail", detail, "status", (int)status);
}

void acs_mca_send_problem_obj(struct mca_req *r, unsigned int status, const char *type, json_t *obj)
{
	r->resp.ctype =
	    mca_mb(r->scn, MB_PROBLEM_PLAIN_JSON) ? "application/json" : "application/problem+json";
	r->resp.problem = problem_type(r, type);
	acs_mca_resp_json(r, status, obj);
}

void acs_mca_problem(struct mca_req *r, unsigned int status, const char *type, const char *fmt, ...)
{
	char detail[1024];
	json_t *obj;
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	obj = acs_mca_problem_obj(r, status, type, detail);
	acs_mca_send_problem_obj(r, status, type, obj);
	json_decref(obj);
}

void acs_mca_check(struct mca_req *r, enum mca_check ck, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	acs_mca_log_check(r->logent, ck, msg);
}

void acs_mca_retry_after(struct mca_req *r)
{
	const struct mca_mb_state *secs = &r->scn->mb[MB_RETRY_AFTER_SECONDS];
	long n = secs->on && secs->n > 0 ? secs->n : 1;
	struct timespec now;
	double left = (double)n;

	if (mca_mb(r->scn, MB_NO_RETRY_AFTER))
		return;
	/* issue 7 item 7: the date form names a whole second, at least n seconds ahead */
	if (mca_mb(r->scn, MB_RETRY_AFTER_DATE) && clock_gettime(CLOCK_REALTIME, &now) == 0) {
		time_t when = now.tv_sec + n + (now.tv_nsec > 0 ? 1 : 0);
		struct tm tm;
		char d[64];

		if (gmtime_r(&when, &tm) != NULL &&
		    strftime(d, sizeof(d), "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0) {
			(void)acs_mca_add_header(&r->resp, "Retry-After", "%s", d);
			left = (double)when - ((double)now.tv_sec + (double)now.tv_nsec / 1e9);
		} else {
			(void)acs_mca_add_header(&r->resp, "Retry-After", "%ld", n);
		}
	} else {
		(void)acs_mca_add_header(&r->resp, "Retry-After", "%ld", n);
	}
	/* the client judge reads what was given (predicates.c honoured-retry-after) */
	if (r->logent != NULL)
		json_object_set_new(r->logent, "retry_after", json_real(left));
}

int acs_mca_poll_retry_after(const struct mca_scenario *s)
{
	return mca_mb(s, MB_RETRY_AFTER_SECONDS) || mca_mb(s, MB_RETRY_AFTER_DATE) ||
	       mca_mb(s, MB_CHALLENGE_PROCESSING);
}

/* Fault injection switched on for this endpoint: fires for the first N requests. */
int acs_mca_fault_fires(struct mca_req *r, enum mca_mb m)
{
	struct mca_mb_state *st = &r->scn->mb[m];
	long n = st->n >= 0 ? st->n : 1;

	if (!st->on)
		return 0;
	if (st->endpoint >= 0 && st->endpoint != r->endpoint)
		return 0;
	if (st->counter >= n)
		return 0;
	st->counter++;
	json_object_set_new(r->logent, "misbehaviour", json_string(acs_mca_mb_table[m].name));
	return 1;
}

char *acs_mca_urlf(struct mca_req *r, const char *fmt, ...)
{
	struct acs_buf b;
	va_list ap;

	acs_buf_init(&b, 4096);
	if (acs_buf_puts(&b, r->sbase) != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	va_start(ap, fmt);
	(void)acs_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return acs_buf_steal(&b);
}

/*
 * URL of an object: scenario base + kind ("/acct/") + "<id>-<random>" +
 * suffix. Section 10.5: URLs carry an unpredictable component, unless
 * sequential-urls. New string (free()), or NULL.
 */
char *acs_mca_obj_url(struct mca_req *r, const char *kind, int id, const char *rid,
                      const char *suffix)
{
	if (mca_mb(r->scn, MB_SEQUENTIAL_URLS) || rid[0] == '\0')
		return acs_mca_urlf(r, "%s%d%s", kind, id, suffix);
	return acs_mca_urlf(r, "%s%d-%s%s", kind, id, rid, suffix);
}

/* obj[key] = u (takes u). */
void acs_mca_set_json_str(json_t *obj, const char *key, char *u)
{
	if (u != NULL)
		json_object_set_new(obj, key, json_string(u));
	free(u);
}

/* obj[key] = scenario base + prefix + id (id < 0: no id). */
void acs_mca_set_json_url(json_t *obj, const char *key, struct mca_req *r, const char *prefix,
                          int id)
{
	char *u = id >= 0 ? acs_mca_urlf(r, "%s%d", prefix, id) : acs_mca_urlf(r, "%s", prefix);

	if (u != NULL)
		json_object_set_new(obj, key, json_string(u));
	free(u);
}
