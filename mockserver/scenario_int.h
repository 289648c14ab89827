/*
 * Inside the client-side judge (mockserver/scenario.h): accessors of the
 * request log's entries and the collector of failures the predicates,
 * the scenario judge and the request checks share. Not for other modules.
 */
#ifndef ACMESPEC_SCENARIO_INT_H
#define ACMESPEC_SCENARIO_INT_H

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "harness/buf.h"
#include "mockserver/scenario.h"

/* The string member k of o, or NULL. */
static inline const char *acs_jstr(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* 1 when log entry e has method m ("POST", "VALIDATE", ...). */
static inline int acs_log_is_method(const json_t *e, const char *m)
{
	const char *s = acs_jstr(e, "method");

	return s != NULL && strcmp(s, m) == 0;
}

/* 1 when log entry e went to endpoint ep ("finalize", "http-01", ...). */
static inline int acs_log_is_ep(const json_t *e, const char *ep)
{
	const char *s = acs_jstr(e, "endpoint");

	return s != NULL && strcmp(s, ep) == 0;
}

/* The JWS protected header and payload of e, or NULL. */
static inline const json_t *acs_log_prot(const json_t *e)
{
	return json_object_get(json_object_get(e, "jws"), "protected");
}

static inline const json_t *acs_log_payload(const json_t *e)
{
	return json_object_get(json_object_get(e, "jws"), "payload");
}

/* e's "seq" and "time". */
static inline long long acs_log_seq(const json_t *e)
{
	return (long long)json_integer_value(json_object_get(e, "seq"));
}

static inline double acs_log_time(const json_t *e)
{
	return json_number_value(json_object_get(e, "time"));
}

/* e's HTTP status is 200 for a POST to endpoint ep. */
static inline int acs_log_post_ok(const json_t *e, const char *ep)
{
	return acs_log_is_method(e, "POST") && acs_log_is_ep(e, ep) &&
	       json_integer_value(json_object_get(e, "status")) == 200;
}

/* Replace *dst (freed) with a copy of s (NULL stays NULL; a failed copy too). */
static inline void acs_judge_set_str(char **dst, const char *s)
{
	free(*dst);
	*dst = s != NULL ? strdup(s) : NULL;
}

/* The URL from "/s/<scenario>/..." on, to keep transcripts short ("?" for NULL). */
const char *acs_log_short_url(const char *u);

/* 1 when check check_id fired on e. */
int acs_log_fired(const json_t *e, const char *check_id);

/* Append e as text; full: with the JWS decoded and every check's message. */
void acs_log_render_entry(struct acs_buf *b, const json_t *e, int full);

/* One scenario being judged: the failures found so far. */
struct acs_judgement {
	const json_t *log;
	const struct acs_scenario *s;
	const struct acs_scenario_facts *f;
	struct acs_buf why; /* failures, one "- ..." line each */
	int nfail;
	char first[512]; /* the first failure */
};

/* Record a failure (printf-style, one line). */
void acs_judge_fail(struct acs_judgement *j, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The ARI predicates (predicates_ari.c): 1 when name is one of them (applied), else 0. */
int acs_judge_predicate_ari(struct acs_judgement *j, const char *name);

/* Apply the predicate called name (one of acs_scenario_predicates). */
void acs_judge_predicate(struct acs_judgement *j, const char *name);

/*
 * The predicates of issue 7 (predicates_i7.c: dns-persist-01, tracker
 * failures, v1 answers): 1 when name is one of them (and it was applied).
 */
int acs_judge_predicate_i7(struct acs_judgement *j, const char *name);

/*
 * The timing predicates of long-running clients (predicates_timing.c): 1
 * when name is one of them (and it was applied).
 */
int acs_judge_predicate_timing(struct acs_judgement *j, const char *name);
/* The predicates of issue 11's hostile servers (predicates_hostile.c); 1 when name is one. */
int acs_judge_predicate_hostile(struct acs_judgement *j, const char *name);

#endif
