/* The acmespec version, from the build (ACMESPEC_VERSION). */
#ifndef ACMESPEC_VERSION_H
#define ACMESPEC_VERSION_H

/* "0.1.0" (static string). */
const char *acs_version(void);

#endif
