#include "harness/err.h"

#include <openssl/err.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int acs_err_set(struct acs_err *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return code;
}

int acs_err_prefix(struct acs_err *err, const char *fmt, ...)
{
	char old[ACS_ERR_MSG_MAX];
	size_t n;
	va_list ap;
	int w;

	if (err == NULL)
		return ACS_E_INVAL;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	w = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = w < 0 ? 0 : (size_t)w;
	if (n + 2 < sizeof(err->msg)) {
		/* the old message is cut where the buffer ends, on purpose */
		err->msg[n] = ':';
		err->msg[n + 1] = ' ';
		size_t room = sizeof(err->msg) - n - 3;
		size_t len = strlen(old);

		if (len > room)
			len = room;
		memcpy(err->msg + n + 2, old, len);
		err->msg[n + 2 + len] = '\0';
	}
	return err->code;
}

void acs_err_clear(struct acs_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

const char *acs_strerror(int code)
{
	switch (code) {
	case ACS_OK:
		return "success";
	case ACS_E_NOMEM:
		return "out of memory";
	case ACS_E_INVAL:
		return "invalid argument";
	case ACS_E_TOOBIG:
		return "size limit exceeded";
	case ACS_E_CRYPTO:
		return "cryptographic operation failed";
	case ACS_E_IO:
		return "input/output error";
	case ACS_E_TIMEOUT:
		return "timed out";
	case ACS_E_PARSE:
		return "parse error";
	case ACS_E_VERIFY:
		return "verification failed";
	case ACS_E_UNSUPPORTED:
		return "not supported";
	case ACS_E_NOTFOUND:
		return "not found";
	case ACS_E_STATE:
		return "wrong state";
	case ACS_E_REFUSED:
		return "refused by the network policy";
	default:
		return "unknown error";
	}
}

int acs_err_openssl(struct acs_err *err, const char *what)
{
	char line[256];
	char text[ACS_ERR_MSG_MAX] = "";
	size_t used = 0;
	unsigned long e;

	while ((e = ERR_get_error()) != 0) {
		ERR_error_string_n(e, line, sizeof(line));
		if (used + strlen(line) + 3 < sizeof(text)) {
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%s%s",
			                         used ? "; " : "", line);
		}
	}
	if (used == 0)
		return acs_err_set(err, ACS_E_CRYPTO, "%s", what);
	return acs_err_set(err, ACS_E_CRYPTO, "%s: %s", what, text);
}

const char *acs_errno_text(int e)
{
	static __thread char text[128];

	snprintf(text, sizeof(text), "%s", strerror(e));
	if (text[0] >= 'A' && text[0] <= 'Z')
		text[0] = (char)(text[0] - 'A' + 'a');
	return text;
}
