/*
 * Names of the mock client's misbehaviours. The order follows enum acs_mis,
 * which follows the table of docs/case-format.md.
 */
#include "mockclient/misbehave.h"

#include <string.h>

static const char *const mis_names[ACS_MIS_COUNT + 1] = {
    "nonce-reuse",
    "nonce-omit",
    "nonce-forge",
    "nonce-invalid-b64",
    "url-omit",
    "url-mismatch",
    "url-trailing-slash",
    "url-host-case",
    "url-not-string",
    "jwk-and-kid",
    "jwk-not-kid",
    "kid-not-jwk",
    "kid-unknown",
    "alg-none",
    "alg-hs256",
    "alg-mismatch",
    "sig-corrupt",
    "b64-padded",
    "content-type-json",
    "content-type-omit",
    "content-type-charset",
    "post-as-get-empty-object",
    "payload-omit",
    "v1-resource",
    "compact",
    "general",
    "unprotected-header",
    "b64-false",
    "replay-nonce-header",
    "no-user-agent",
    "inner-kid",
    "inner-sig-corrupt",
    "inner-url-mismatch",
    "inner-account-wrong",
    "inner-oldkey-wrong",
    "inner-not-jws",
    NULL,
};

/* The bit set is 64 bits wide; a longer table would silently alias. */
_Static_assert(ACS_MIS_COUNT <= 64, "too many misbehaviours for acs_mis_set");

int acs_mis_parse(const char *name)
{
	int i;

	if (name == NULL)
		return -1;
	for (i = 0; i < ACS_MIS_COUNT; i++) {
		if (strcmp(mis_names[i], name) == 0)
			return i;
	}
	return -1;
}

const char *acs_mis_name(enum acs_mis m)
{
	if ((int)m < 0 || m >= ACS_MIS_COUNT)
		return "?";
	return mis_names[m];
}

const char *const *acs_mis_names(void)
{
	return mis_names;
}
