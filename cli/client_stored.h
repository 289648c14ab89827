/*
 * What a daemon client stored: whether a file under its work directory
 * holds one of the certificates the mock CA issued (acmespec client
 * --daemon judges "the client installs the certificate" on it).
 */
#ifndef ACMESPEC_CLI_CLIENT_STORED_H
#define ACMESPEC_CLI_CLIENT_STORED_H

#include <jansson.h>

/*
 * 1 when a regular file under dir (at most 8 levels down, files up to
 * 1 MiB) contains the base64 body of one of the PEM leaves in issued
 * (borrowed array of strings), whatever its line breaks; else 0.
 */
int acs_client_stored(const char *dir, const json_t *issued);

/*
 * The same walk, for the chains: for every file that holds one of the
 * leaves in issued and parses as a chain of two certificates or more, the
 * common name of its top certificate's issuer ("" when it has none). New
 * array of strings (json_decref), NULL on ENOMEM.
 */
json_t *acs_client_stored_chains(const char *dir, const json_t *issued);

#endif
