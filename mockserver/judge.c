/*
 * Judging one client scenario run (mockserver/scenario.h): how the command
 * ended, the certificate, the predicates and the output, into a verdict
 * with evidence; and the request log as a transcript.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "harness/buf_cap.h"
#include "harness/x509.h"
#include "mockserver/scenario_int.h"

/* every snprintf here cuts on purpose: messages are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define WHY_CAP 8192
/* a line a command prints before exit 127 to say why it cannot play a scenario */
#define UNSUP_MARK "acmespec-unsupported: "

const char *acs_log_short_url(const char *u)
{
	const char *p = u != NULL ? strstr(u, "/s/") : NULL;

	return p != NULL ? p : (u != NULL ? u : "?");
}

int acs_log_fired(const json_t *e, const char *check_id)
{
	json_t *ck = json_object_get(e, "checks");
	size_t i;

	for (i = 0; i < json_array_size(ck); i++) {
		const char *id = acs_jstr(json_array_get(ck, i), "id");

		if (strcmp(id ? id : "", check_id) == 0)
			return 1;
	}
	return 0;
}

/* s, or "?" for NULL. */
static const char *q(const char *s)
{
	return s != NULL ? s : "?";
}

static void put_json(struct acs_buf *b, const json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);

	if (s != NULL) {
		acs_buf_put_capped(b, s, strlen(s) > 2048 ? 2048 : strlen(s));
		if (strlen(s) > 2048)
			acs_buf_put_capped(b, "...", 3);
	}
	free(s);
}

/* The first line of an entry: a validation or a request with its answer. */
static void render_head(struct acs_buf *b, const json_t *e)
{
	const char *mb = acs_jstr(e, "misbehaviour"), *pb = acs_jstr(e, "problem");

	if (acs_log_is_method(e, "VALIDATE")) {
		acs_buf_putf_capped(b, "#%lld VALIDATE %s %s token %s: %s%s%s\n", acs_log_seq(e),
		                    q(acs_jstr(e, "endpoint")), q(acs_jstr(e, "identifier")),
		                    q(acs_jstr(e, "token")), q(acs_jstr(e, "result")),
		                    acs_jstr(e, "detail") ? ": " : "",
		                    acs_jstr(e, "detail") ? acs_jstr(e, "detail") : "");
		return;
	}
	acs_buf_putf_capped(
	    b, "#%lld %s %s [%s] -> %lld%s%s%s%s%s\n", acs_log_seq(e), q(acs_jstr(e, "method")),
	    acs_log_short_url(acs_jstr(e, "url")), q(acs_jstr(e, "endpoint")),
	    (long long)json_integer_value(json_object_get(e, "status")), pb ? " " : "",
	    pb ? pb : "", mb ? " (fault: " : "", mb ? mb : "", mb ? ")" : "");
}

void acs_log_render_entry(struct acs_buf *b, const json_t *e, int full)
{
	json_t *ck = json_object_get(e, "checks");
	size_t i;

	render_head(b, e);
	if (full && !acs_log_is_method(e, "VALIDATE")) {
		if (json_object_get(e, "jws") != NULL) {
			acs_buf_put_capped(b, "    protected: ", 15);
			put_json(b, acs_log_prot(e));
			acs_buf_put_capped(b, "\n    payload: ", 14);
			put_json(b, acs_log_payload(e));
			acs_buf_put_capped(b, "\n", 1);
		}
		if (acs_jstr(e, "user_agent") != NULL)
			acs_buf_putf_capped(b, "    User-Agent: %s\n", acs_jstr(e, "user_agent"));
	}
	if (json_array_size(ck) == 0)
		return;
	if (full) {
		for (i = 0; i < json_array_size(ck); i++) {
			const json_t *k = json_array_get(ck, i);

			acs_buf_putf_capped(b, "    ! %s (%s): %s\n", q(acs_jstr(k, "id")),
			                    q(acs_jstr(k, "level")),
			                    acs_jstr(k, "message") ? acs_jstr(k, "message") : "");
		}
		return;
	}
	acs_buf_put_capped(b, "    checks fired:", 17);
	for (i = 0; i < json_array_size(ck); i++)
		acs_buf_putf_capped(b, " %s", q(acs_jstr(json_array_get(ck, i), "id")));
	acs_buf_put_capped(b, "\n", 1);
}

void acs_scenario_render_log(struct acs_buf *out, const json_t *log)
{
	size_t i;

	for (i = 0; i < json_array_size(log); i++)
		acs_log_render_entry(out, json_array_get(log, i), 0);
}

void acs_judge_fail(struct acs_judgement *j, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (j->nfail++ == 0)
		(void)snprintf(j->first, sizeof(j->first), "%s", line);
	acs_buf_putf_capped(&j->why, "- %s\n", line);
}

/* 1 when one of the issued leaves names exactly f's names. */
static int issued_for_names(const struct acs_scenario_facts *f)
{
	struct acs_ident want[ACS_SCENARIO_MAX_NAMES];
	size_t i, k, n = f->nnames < ACS_SCENARIO_MAX_NAMES ? f->nnames : ACS_SCENARIO_MAX_NAMES;
	int match = 0;

	for (k = 0; k < n; k++) {
		memset(&want[k], 0, sizeof(want[k]));
		(void)snprintf(want[k].type, sizeof(want[k].type), "dns");
		(void)snprintf(want[k].value, sizeof(want[k].value), "%s", f->names[k]);
	}
	for (i = 0; i < json_array_size(f->issued) && !match; i++) {
		const char *pem = json_string_value(json_array_get(f->issued, i));
		struct acs_chain *ch = NULL;
		struct acs_ident *ids = NULL;
		size_t nids = 0;

		if (pem == NULL || acs_chain_parse(pem, strlen(pem), &ch, NULL) != 0)
			continue;
		if (ch->n > 0 && acs_cert_idents(ch->certs[0], &ids, &nids, NULL) == 0)
			match = acs_idents_equal_sets(ids, nids, want, n);
		free(ids);
		acs_chain_free(ch);
	}
	return match;
}

/* "certificate": issued for exactly the names and downloaded, or none issued. */
static void judge_certificate(struct acs_judgement *j, struct acs_buf *exp)
{
	const struct acs_scenario_facts *f = j->f;
	size_t i;
	int dl = 0;

	if (j->s->certificate < 0)
		return;
	(void)acs_buf_printf(exp, ", %s",
	                     j->s->certificate ? "a certificate for exactly the "
	                                         "scenario's names, downloaded"
	                                       : "no certificate issued");
	if (!j->s->certificate) {
		if (json_array_size(f->issued) > 0)
			acs_judge_fail(j,
			               "certificate: the CA issued a certificate, expected none");
		return;
	}
	for (i = 0; i < json_array_size(f->log); i++)
		dl |= acs_log_post_ok(json_array_get(f->log, i), "certificate");
	if (!issued_for_names(f))
		acs_judge_fail(j, "certificate: %s",
		               json_array_size(f->issued) == 0
		                   ? "the CA issued no certificate"
		                   : "no issued certificate names exactly the scenario's names");
	else if (!dl)
		acs_judge_fail(j, "certificate: the CA issued a certificate but the client never "
		                  "downloaded it");
}

int acs_scenario_cert_served(const json_t *log)
{
	size_t i;

	for (i = 0; i < json_array_size(log); i++)
		if (acs_log_post_ok(json_array_get(log, i), "certificate"))
			return 1;
	return 0;
}

/* The length of a certificate URL without its "/alt..." (alternate chain) tail. */
static size_t cert_url_len(const char *u)
{
	const char *alt = strstr(u, "/alt");

	return alt != NULL ? (size_t)(alt - u) : strlen(u);
}

size_t acs_scenario_certs_served(const json_t *log)
{
	size_t i, k, n = 0;

	for (i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);
		const char *u = acs_jstr(e, "url");
		int dup = 0;

		if (!acs_log_post_ok(e, "certificate") || u == NULL)
			continue;
		for (k = 0; k < i && !dup; k++) {
			const json_t *f = json_array_get(log, k);
			const char *v = acs_jstr(f, "url");

			dup = acs_log_post_ok(f, "certificate") && v != NULL &&
			      cert_url_len(v) == cert_url_len(u) &&
			      strncmp(v, u, cert_url_len(u)) == 0;
		}
		n += !dup;
	}
	return n;
}

const char *acs_scenario_furthest_step(const json_t *log, long long *seq)
{
	static const struct {
		const char *ep, *step;
	} steps[] = {
	    {"directory", "directory"}, {"new-nonce", "newNonce"}, {"new-account", "newAccount"},
	    {"new-authz", "newAuthz"},  {"new-order", "newOrder"}, {"authz", "authorization"},
	    {"challenge", "challenge"}, {"finalize", "finalize"},  {"certificate", "certificate"},
	};
	size_t i, k, best = 0;
	const char *step = NULL;

	for (i = 0; i < json_array_size(log); i++) {
		const json_t *e = json_array_get(log, i);

		for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
			if (!acs_log_is_ep(e, steps[k].ep) || (step != NULL && k < best))
				continue;
			best = k;
			step = steps[k].step;
			if (seq != NULL)
				*seq = acs_log_seq(e);
		}
	}
	return step;
}

/* A daemon: "expect.exit" judged on what it stored under {workdir}. */
static void judge_daemon_exit(struct acs_judgement *j, const struct acs_client_outcome *o,
                              struct acs_buf *exp)
{
	enum acs_exit_want w = j->s->exit;

	(void)acs_buf_printf(exp, "%s",
	                     w == ACS_EXIT_WANT_ZERO
	                         ? "the issued certificate stored under {workdir}"
	                     : w == ACS_EXIT_WANT_NONZERO ? "no certificate stored under {workdir}"
	                                                  : "stored or not");
	if (w == ACS_EXIT_WANT_ZERO && !o->stored)
		acs_judge_fail(j,
		               "the client stored no issued certificate under its work "
		               "directory (%s)",
		               o->ended != NULL ? o->ended : "stopped");
	else if (w == ACS_EXIT_WANT_NONZERO && o->stored)
		acs_judge_fail(j, "the client stored the certificate it should have refused (%s)",
		               o->ended != NULL ? o->ended : "stopped");
}

/*
 * A client the harness killed at the timeout: a hang of the client (FAIL),
 * never ERROR. The evidence is the time and the last request it made.
 */
static void killed(struct acs_judgement *j, const struct acs_client_outcome *o)
{
	const json_t *last = NULL;
	struct acs_buf b;
	size_t i;

	for (i = 0; i < json_array_size(j->log); i++)
		if (!acs_log_is_method(json_array_get(j->log, i), "VALIDATE"))
			last = json_array_get(j->log, i);
	acs_buf_init(&b, 512);
	if (last != NULL)
		acs_log_render_entry(&b, last, 0);
	if (b.data != NULL && strchr(b.data, '\n') != NULL) { /* its head line only */
		b.len = (size_t)(strchr(b.data, '\n') - b.data);
		b.data[b.len] = '\0';
	}
	acs_judge_fail(
	    j, "the client did not finish within %.0f s and was killed; its last request: %s",
	    o->timeout, b.data != NULL && b.len > 0 ? b.data : "none");
	acs_buf_free(&b);
}

/* How the command ended against "expect.exit". */
static void judge_exit(struct acs_judgement *j, const struct acs_client_outcome *o,
                       struct acs_buf *exp)
{
	enum acs_exit_want w = j->s->exit;

	if (o->daemon) {
		judge_daemon_exit(j, o, exp);
		return;
	}

	(void)acs_buf_printf(exp, "exit %s",
	                     w == ACS_EXIT_WANT_ZERO      ? "zero"
	                     : w == ACS_EXIT_WANT_NONZERO ? "nonzero"
	                                                  : "any");
	if (o->timed_out)
		killed(j, o);
	else if (o->stopped_over > 0)
		acs_judge_fail(
		    j,
		    "the client was still running after %zu requests to the mock CA (more "
		    "than %d) and was stopped after %.1f s",
		    o->stopped_over, ACS_SCENARIO_MAX_REQUESTS, o->seconds);
	else if (!o->exited)
		acs_judge_fail(j, "the client died of signal %d", o->status);
	else if ((w == ACS_EXIT_WANT_ZERO && o->status != 0) ||
	         (w == ACS_EXIT_WANT_NONZERO && o->status == 0))
		acs_judge_fail(j, "the client exited %d, expected %s", o->status,
		               w == ACS_EXIT_WANT_ZERO ? "0" : "a failure (non-zero)");
}

/* "output_contains": each string, interpolated, in the client's output. */
static void judge_output(struct acs_judgement *j, const struct acs_client_outcome *o,
                         struct acs_buf *exp)
{
	size_t i;

	for (i = 0; i < json_array_size(j->s->output); i++) {
		char *want = acs_scenario_interpolate(
		    json_string_value(json_array_get(j->s->output, i)), j->f->subst, j->f->nsubst);

		(void)acs_buf_printf(exp, ", output contains \"%s\"", want ? want : "");
		if (want != NULL && (o->output == NULL || strstr(o->output, want) == NULL))
			acs_judge_fail(
			    j, "output_contains: the client's output does not mention \"%s\"",
			    want);
		free(want);
	}
}

/* The verdicts that need no judging: not started, unsupported, silent. 1: decided. */
static int judge_early(const struct acs_client_outcome *o, size_t nreq, struct acs_result *r)
{
	char m[256];

	if (!o->started) {
		acs_judge_set_str(&r->message, o->start_error);
		return 1;
	}
	if (o->unsupported) {
		const char *why = o->output != NULL ? strstr(o->output, UNSUP_MARK) : NULL;

		r->raw = ACS_UNSUPPORTED;
		if (why != NULL) {
			why += strlen(UNSUP_MARK);
			(void)snprintf(m, sizeof(m),
			               "the client does not support this scenario: %.*s",
			               (int)strcspn(why, "\r\n"), why);
			acs_judge_set_str(&r->message, m);
		} else {
			acs_judge_set_str(&r->message,
			                  "the client does not support this scenario (exit 127)");
		}
		return 1;
	}
	if (nreq > 0)
		return 0;
	(void)snprintf(m, sizeof(m),
	               "the client never contacted the mock CA (%s %d after %.1f s): check the "
	               "command",
	               o->timed_out ? "killed at the timeout," : "exit", o->status, o->seconds);
	acs_judge_set_str(&r->message, m);
	return 1;
}

/*
 * A scenario for ARI clients ("ari": true) judges nothing about a client
 * that never fetched renewalInfo: it does not implement RFC 9773. 1 when so.
 */
static int judge_not_ari(const struct acs_scenario *s, const struct acs_scenario_facts *f,
                         struct acs_result *r)
{
	size_t i;

	if (!s->ari)
		return 0;
	for (i = 0; i < json_array_size(f->log); i++)
		if (acs_log_is_ep(json_array_get(f->log, i), "renewal-info"))
			return 0;
	r->raw = ACS_UNSUPPORTED;
	acs_judge_set_str(&r->message, "the client does not use ARI (RFC 9773): it never fetched "
	                               "renewalInfo");
	return 1;
}

/*
 * The harness's own fault: the client says it could not bind a port that
 * the harness handed it ({http01_port}, {tlsalpn01_port}: "address already
 * in use"). Something else held the port, so the scenario judged nothing
 * about the client. 1 (and *port) when so.
 */
static int port_taken(const struct acs_client_outcome *o, const struct acs_scenario_facts *f,
                      const char **port)
{
	static const char *const keys[] = {"http01_port", "tlsalpn01_port"};
	size_t i, k;

	if (o->output == NULL || (strstr(o->output, "ddress already in use") == NULL &&
	                          strstr(o->output, "EADDRINUSE") == NULL))
		return 0; /* "Address already in use" (strerror) or "address ..." (Go) */
	for (i = 0; i < f->nsubst; i++) {
		for (k = 0; k < 2; k++) {
			const char *v = f->subst[i].val;

			if (strcmp(f->subst[i].key, keys[k]) == 0 && v != NULL && v[0] != '\0' &&
			    strstr(o->output, v) != NULL) {
				*port = v;
				return 1;
			}
		}
	}
	return 0;
}

/*
 * A client that wanted a certificate and never downloaded one stopped
 * somewhere in the flow: the message names that step first, since the
 * scenario's own clause may not be what stopped it.
 */
static void stopped_early(struct acs_judgement *j, const struct acs_scenario_facts *f)
{
	char m[sizeof(j->first)];
	long long seq = 0;
	const char *step;

	if (j->s->certificate != 1 || acs_scenario_cert_served(f->log))
		return;
	step = acs_scenario_furthest_step(f->log, &seq);
	(void)snprintf(m, sizeof(m), "the client stopped at %s (#%lld), before a certificate: %s",
	               step != NULL ? step : "?", seq, j->first);
	(void)snprintf(j->first, sizeof(j->first), "%s", m);
}

void acs_scenario_judge(const struct acs_case *c, const struct acs_scenario *s,
                        const struct acs_client_outcome *o, const struct acs_scenario_facts *f,
                        struct acs_result *r)
{
	struct acs_judgement j;
	struct acs_buf exp;
	const char *port = NULL;
	size_t i, nreq = 0;

	r->raw = ACS_ERROR;
	for (i = 0; i < json_array_size(f->log); i++)
		nreq += !acs_log_is_method(json_array_get(f->log, i), "VALIDATE");
	if (judge_early(o, nreq, r) || judge_not_ari(s, f, r))
		return;
	memset(&j, 0, sizeof(j));
	j.log = f->log;
	j.s = s;
	j.f = f;
	acs_buf_init(&j.why, WHY_CAP);
	acs_buf_init(&exp, 4096);
	judge_exit(&j, o, &exp);
	judge_certificate(&j, &exp);
	for (i = 0; i < json_array_size(s->asserts); i++) {
		const char *p = json_string_value(json_array_get(s->asserts, i));

		(void)acs_buf_printf(&exp, ", %s", p);
		acs_judge_predicate(&j, p);
	}
	judge_output(&j, o, &exp);
	acs_judge_set_str(&r->expected, exp.data);
	if (j.nfail == 0) {
		char m[160];

		r->raw = ACS_PASS;
		if (o->daemon)
			(void)snprintf(m, sizeof(m), "%zu request%s, stopped after %.1f s: %s",
			               nreq, nreq == 1 ? "" : "s", o->seconds,
			               o->ended ? o->ended : "");
		else
			(void)snprintf(m, sizeof(m), "%zu request%s, exit %d after %.1f s", nreq,
			               nreq == 1 ? "" : "s", o->status, o->seconds);
		acs_judge_set_str(&r->message, m);
	} else if (port_taken(o, f, &port)) {
		char m[256];

		r->raw = ACS_ERROR;
		(void)snprintf(
		    m, sizeof(m),
		    "the client could not bind port %s that the harness gave it (address "
		    "already in use): the harness's fault, nothing judged; first failure "
		    "seen: %s",
		    port, j.first);
		acs_judge_set_str(&r->message, m);
		acs_judge_set_str(&r->actual, j.why.data);
	} else {
		r->raw = c->level == ACS_MUST ? ACS_FAIL : ACS_NONSTRICT;
		stopped_early(&j, f);
		acs_judge_set_str(&r->message, j.first);
		acs_judge_set_str(&r->actual, j.why.data);
	}
	acs_buf_free(&j.why);
	acs_buf_free(&exp);
}
