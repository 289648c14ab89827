/*
 * Prints the /bin/sh script of one client recipe (cli/recipes.c), so that
 * ci/bench-clients.sh runs the very command `acmespec client --client NAME`
 * runs, but straight against `acmespec serve`: the client's own time for N
 * certificates, beside the time of its whole catalog (docs/performance.md).
 *
 *   bench_recipe NAME
 */
#include <stdio.h>

#include "cli/recipes.h"

int main(int argc, char **argv)
{
	const struct acs_recipe *rc = argc == 2 ? acs_recipe_find(argv[1]) : NULL;

	if (rc == NULL) {
		fprintf(stderr,
		        "usage: bench_recipe NAME (a recipe of acmespec client --client)\n");
		return 2;
	}
	fputs(rc->script, stdout);
	return 0;
}
