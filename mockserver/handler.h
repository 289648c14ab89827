/*
 * The mock CA's request path without sockets: one HTTP request in, one
 * response out. The listeners (server.c) only adapt libmicrohttpd to this,
 * and a fuzzer or a unit test can drive the whole CA the same way: every
 * check, misbehaviour, status code and log entry is what a client over
 * HTTPS would see.
 *
 *   struct acs_mockca *ca;
 *   struct acs_mockca_opts o = {.auto_scenarios = 1};
 *   struct acs_mca_header h[] = {{"User-Agent", "fuzz"}};
 *   struct acs_mca_request rq = {.method = "GET", .scheme = "https",
 *                                .path = "/s/x/directory", .headers = h,
 *                                .nheaders = 1};
 *   struct acs_mca_response rs;
 *
 *   acs_mca_offline_new(&ca, &o, &err);
 *   if (acs_mca_handle_request(ca, &rq, &rs) == 0) {
 *           ... rs.status, rs.content_type, rs.body ...
 *           acs_mca_response_clear(&rs);
 *   }
 *   acs_mockca_stop(ca);
 *
 * Thread safety: as mockca.h; concurrent requests are serialised per
 * scenario.
 */
#ifndef ACMESPEC_MOCKCA_HANDLER_H
#define ACMESPEC_MOCKCA_HANDLER_H

#include <stddef.h>
#include "harness/err.h"
#include "mockserver/mockca.h"

/* Request bodies past this many bytes are answered 413 (body_too_big). */
#define ACS_MCA_BODY_MAX ((size_t)64 * 1024)

/* Room for the response headers one answer carries. */
#define ACS_MCA_MAX_HEADERS 16

/* One request header; both strings borrowed from the caller. */
struct acs_mca_header {
	const char *name; /* matched without regard to case */
	const char *value;
};

/* One request; every pointer borrowed from the caller for the call. */
struct acs_mca_request {
	const char *method; /* "GET", "HEAD", "POST", ... */
	const char *scheme; /* "https" or "http": with the Host header, the URLs the CA
	                       builds and compares the JWS url with; NULL: "https" */
	const char *path;   /* the path of the request target: "/s/<scenario>/new-order" */
	const struct acs_mca_header *headers; /* in arrival order; the first of a name counts */
	size_t nheaders;
	const char *body; /* NULL with body_len 0: no body */
	size_t body_len;
	int body_too_big; /* the body was cut at ACS_MCA_BODY_MAX: answered 413 */
};

/*
 * How a listener sends a response: normally, or as one of the hostile
 * switches asks (tables.c). The socket-free path only marks the response;
 * server.c does the holding, trickling and cutting.
 */
enum acs_mca_send {
	ACS_MCA_SEND_NORMAL = 0,
	ACS_MCA_SEND_NEVER,   /* hostile-never-answer: no answer, hold the connection */
	ACS_MCA_SEND_TRICKLE, /* hostile-trickle: the body a byte a second */
	ACS_MCA_SEND_HUGE,    /* hostile-body-huge: the body, then 64 MiB of spaces */
	ACS_MCA_SEND_CUT      /* hostile-close-mid-body: half the body, then close */
};

/* The spaces hostile-body-huge adds after a body. */
#define ACS_MCA_HUGE_PAD ((unsigned long long)64 * 1024 * 1024)

/* One response; owned by the caller after acs_mca_handle_request. */
struct acs_mca_response {
	unsigned int status;
	const char *content_type; /* static string; NULL when the body is empty */
	char *body;               /* NUL-terminated (binary bodies too); free() */
	size_t body_len;
	char *hname[ACS_MCA_MAX_HEADERS]; /* header names and values, each free()d by */
	char *hval[ACS_MCA_MAX_HEADERS];  /* acs_mca_response_clear */
	size_t nheaders;
	enum acs_mca_send send; /* ACS_MCA_SEND_NORMAL unless a hostile switch is on */
	unsigned int hold_s;    /* NEVER and TRICKLE: the most the listener holds on */
};

/*
 * A CA that serves no socket: its PKI, scenarios and validation workers as
 * acs_mockca_start makes them, but no listener and no work directory. Its
 * base URL (used when a request has no good Host header) is
 * "https://BIND_ADDR:PORT" from o. Free with acs_mockca_stop. Errors:
 * ACS_E_NOMEM, ACS_E_CRYPTO, ACS_E_INVAL (as acs_mockca_start).
 */
int acs_mca_offline_new(struct acs_mockca **out, const struct acs_mockca_opts *o,
                        struct acs_err *err);

/*
 * Answer one request: route it to its scenario and resource, apply the
 * section 6 checks and the scenario's misbehaviours, log it, and fill *out
 * (zeroed first) with the response. Returns 0, or ACS_E_NOMEM when not
 * even a response could be made (*out is then empty). A challenge POST
 * queues a real validation, which connects to the validation address.
 */
int acs_mca_handle_request(struct acs_mockca *ca, const struct acs_mca_request *req,
                           struct acs_mca_response *out);

/* Free what a response owns and zero it (NULL allowed). */
void acs_mca_response_clear(struct acs_mca_response *resp);

#endif
