/*
 * Error values shared by every acmespec module.
 *
 * Functions return 0 on success or a negative ACS_E_* code, and fill an
 * optional struct acs_err with a message. Libraries never print; only the
 * CLI does. Messages are lower case, without a trailing period, and name
 * what failed first ("cannot bind 127.0.0.1:5002: address in use").
 */
#ifndef ACMESPEC_ERR_H
#define ACMESPEC_ERR_H

#include <stddef.h>

enum {
	ACS_OK = 0,
	ACS_E_NOMEM = -1,       /* allocation failed */
	ACS_E_INVAL = -2,       /* bad argument or bad input data */
	ACS_E_TOOBIG = -3,      /* a size cap was hit */
	ACS_E_CRYPTO = -4,      /* OpenSSL failed */
	ACS_E_IO = -5,          /* socket, file or HTTP transport failure */
	ACS_E_TIMEOUT = -6,     /* a bounded wait ran out */
	ACS_E_PARSE = -7,       /* malformed JSON, JWS, base64url, PEM, DNS ... */
	ACS_E_VERIFY = -8,      /* a signature or MAC did not verify */
	ACS_E_UNSUPPORTED = -9, /* the peer or the build lacks a feature */
	ACS_E_NOTFOUND = -10,   /* a looked-up item does not exist */
	ACS_E_STATE = -11,      /* wrong state for the operation */
	ACS_E_REFUSED = -12     /* the network policy refused a URL (harness/netpolicy.h) */
};

#define ACS_ERR_MSG_MAX 1024

struct acs_err {
	int code;
	char msg[ACS_ERR_MSG_MAX];
};

/*
 * Fill err (which may be NULL) with code and a printf-style message and
 * return code, so that callers can write "return acs_err_set(err, ...)".
 */
int acs_err_set(struct acs_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prefix the message already in err with "prefix: " (no-op on NULL err).
 * Returns err->code (or ACS_E_INVAL when err is NULL).
 */
int acs_err_prefix(struct acs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Clear err (NULL allowed). */
void acs_err_clear(struct acs_err *err);

/*
 * strerror(e) starting in lower case, as every acmespec message does
 * ("no such file or directory"); a thread-local buffer, valid until the
 * thread's next call.
 */
const char *acs_errno_text(int e);

/* Static name of an ACS_E_* code ("out of memory", ...). */
const char *acs_strerror(int code);

/*
 * Append the pending OpenSSL error queue as text to err's message and clear
 * the queue; returns ACS_E_CRYPTO.
 */
int acs_err_openssl(struct acs_err *err, const char *what);

#endif
