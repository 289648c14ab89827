/*
 * Recipes: ready-made commands for Debian's ACME clients (acmespec client
 * --client NAME). Each is a /bin/sh script that reads the ACMESPEC_*
 * environment of docs/case-format.md "Placeholders" and exits 127 for a
 * scenario the client cannot play.
 */
#ifndef ACMESPEC_CLI_RECIPES_H
#define ACMESPEC_CLI_RECIPES_H

struct acs_recipe {
	const char *name;
	const char *challenges; /* the challenge types it can do, space-separated */
	const char *logfile;    /* relative to {workdir}: appended to the evidence, or NULL */
	const char *trust;      /* how it is made to trust the mock CA (for --help / docs) */
	const char *script;     /* /bin/sh script; reads the ACMESPEC_* environment */
	int daemon;             /* the script runs a daemon that never exits (--daemon) */
};

/* The recipe called name (static), or NULL. */
const struct acs_recipe *acs_recipe_find(const char *name);

/* 1 when rc can answer challenge ("http-01", "dns-01", "tls-alpn-01"). */
int acs_recipe_can(const struct acs_recipe *rc, const char *challenge);

#endif
