/*
 * One request being answered (req.c): the request as the resources see it,
 * the response they build, and the helpers every resource uses to answer:
 * headers, JSON bodies, problem documents (section 6.7), the checks a
 * request broke, and the URLs of objects (section 10.5).
 *
 * Every function runs with the scenario's lock held.
 */
#ifndef ACMESPEC_MOCKCA_REQ_H
#define ACMESPEC_MOCKCA_REQ_H

#include <jansson.h>
#include "harness/buf.h"
#include "mockserver/handler.h"
#include "mockserver/tables.h"

struct acs_mockca;
struct mca_scenario;

/* The response under construction; strings in hname/hval owned, ctype static. */
struct mca_resp {
	unsigned int status;
	struct acs_buf body;
	const char *ctype;
	char *hname[ACS_MCA_MAX_HEADERS];
	char *hval[ACS_MCA_MAX_HEADERS];
	size_t nh;
	const char *problem; /* short problem type for the log (static) */
	int no_index;        /* no Link rel="index" (directory) */
	int nonce_mode;      /* 0 normal, 1 no-store newNonce */
	int send;            /* enum acs_mca_send (handler.h): how the listener sends it */
	unsigned int hold_s; /* its bound for ACS_MCA_SEND_NEVER and _TRICKLE */
};

struct mca_req {
	struct acs_mockca *ca;
	const struct acs_mca_request *in; /* the request as received (borrowed) */
	struct mca_scenario *scn;         /* locked while the request is handled */
	const char *method;
	const char *path; /* the rest after /s/<name> ("/new-order") */
	char *base;       /* "https://host:port" as the client addressed us (owned) */
	char *sbase;      /* base + "/s/<name>" (owned) */
	char *url;        /* sbase + path (owned) */
	const char *body;
	size_t body_len;
	int endpoint;
	int obj_id; /* object id parsed from the path */
	int alt;    /* certificate: alternate index */
	json_t *logent;
	struct mca_resp resp;
};

/* The first request header called name (any case), or NULL; borrowed from the request. */
const char *acs_mca_req_header(struct mca_req *r, const char *name);

/* Record that check ck fired, with a message. */
void acs_mca_check(struct mca_req *r, enum mca_check ck, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Add a response header (name copied, value formatted); ACS_E_TOOBIG when full. */
int acs_mca_add_header(struct mca_resp *resp, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Answer status with body (borrowed), as application/json unless a type is set. */
void acs_mca_resp_json(struct mca_req *r, unsigned int status, json_t *body);

/* Answer status with a problem document of type ("malformed") and a formatted detail. */
void acs_mca_problem(struct mca_req *r, unsigned int status, const char *type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A problem document as the scenario writes it (misbehaviours bend it); new object. */
json_t *acs_mca_problem_obj(struct mca_req *r, unsigned int status, const char *type,
                            const char *detail);

/* Answer status with the problem document obj (borrowed) of short type. */
void acs_mca_send_problem_obj(struct mca_req *r, unsigned int status, const char *type,
                              json_t *obj);

/* Retry-After: 1, unless no-retry-after. */
void acs_mca_retry_after(struct mca_req *r);

/*
 * Whether a pending authorization, a pending challenge or a pending order
 * carries Retry-After: only when the scenario asks for one
 * (retry-after-seconds, retry-after-http-date, challenge-processing). Like
 * Pebble and Boulder, the baseline sends none on authorization polls: the
 * validation ends in milliseconds and the client sets its own pace (RFC 8555
 * 7.5.1: MAY). A challenge under validation (also waiting for the retry of a
 * failed one, 8.2), a processing order (Boulder: 3 s), 429 and 503 always
 * carry one: lego waits 5 s after answering a challenge whose answer has
 * none, 1 s with it.
 */
int acs_mca_poll_retry_after(const struct mca_scenario *s);

/*
 * A scripted fault switched on for this endpoint: fires for the first N
 * requests (and says so in the log entry).
 */
int acs_mca_fault_fires(struct mca_req *r, enum mca_mb m);

/* Scenario base URL + formatted rest; new string (free()), or NULL. */
char *acs_mca_urlf(struct mca_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * URL of an object: scenario base + kind ("/acct/") + "<id>-<random>" +
 * suffix. Section 10.5: URLs carry an unpredictable component, unless
 * sequential-urls. New string (free()), or NULL.
 */
char *acs_mca_obj_url(struct mca_req *r, const char *kind, int id, const char *rid,
                      const char *suffix);

/* obj[key] = u; takes u (NULL: nothing set). */
void acs_mca_set_json_str(json_t *obj, const char *key, char *u);

/* obj[key] = scenario base + prefix + id (id < 0: no id). */
void acs_mca_set_json_url(json_t *obj, const char *key, struct mca_req *r, const char *prefix,
                          int id);

#endif
