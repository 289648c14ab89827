/* The version string, linked into every front-end library. */
#include "harness/version.h"
const char *acs_version(void)
{
	return ACMESPEC_VERSION;
}
