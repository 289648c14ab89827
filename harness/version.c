/* The version string, linked into every front-end library. */
const char *acs_version(void);
const char *acs_version(void)
{
	return ACMESPEC_VERSION;
}
