/*
 * Which client scenarios a request-check filter needs: the scenario
 * cases/client-checks.json names for each selected check (the one shown
 * to exercise it), so that `acmespec client --section 6.1` runs those and
 * not the whole catalog.
 */
#ifndef ACMESPEC_CLIENT_CHECKS_H
#define ACMESPEC_CLIENT_CHECKS_H

#include <stddef.h>

#include "harness/catalog.h"
#include "harness/err.h"

/*
 * The scenario ids (new strings, each once, in catalog order) that the
 * checks matching f need, read from DIR/client-checks.json; every one is
 * a case of cat. *ids: new array of *n strings (acs_client_ids_free).
 * ACS_E_NOTFOUND when a selected check names no scenario (or one not in
 * cat): then the caller runs every scenario. Other ACS_E_* for a file
 * that cannot be read.
 */
int acs_client_check_scenarios(const char *dir, const struct acs_case *checks, size_t nck,
                               const struct acs_filter *f, const struct acs_catalog *cat,
                               char ***ids, size_t *n, struct acs_err *err);

void acs_client_ids_free(char **ids, size_t n);

#endif
