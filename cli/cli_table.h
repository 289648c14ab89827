/*
 * The option table behind cli.h, shared by the parser (cli.c) and by the
 * help and manual page writer (cli_help.c). Not for the subcommands: they
 * get a parsed struct acs_cli.
 */
#ifndef ACMESPEC_CLI_TABLE_H
#define ACMESPEC_CLI_TABLE_H

#include <stddef.h>
#include "cli/cli.h"

/* How an option's value is read. */
enum acs_opt_kind {
	ACS_OPT_FLAG,   /* no value: the int field becomes 1 */
	ACS_OPT_STR,    /* the const char * field borrows the value */
	ACS_OPT_INT,    /* an int from min to max */
	ACS_OPT_DOUBLE, /* a double above 0, at most max */
	ACS_OPT_CHOICE, /* one of choices (any case); the field gets the table's word */
	ACS_OPT_MULTI   /* repeatable: appended to an array, at most max times */
};

/* One help line, for the commands of cmds (ACS_CMD_* bits). */
struct acs_opt_help {
	unsigned cmds;
	const char *text;
};

#define ACS_OPT_HELPS 4

/*
 * One row: an option of one or more commands. help[] is tried in order;
 * the first line whose cmds has the command is the one --help and the
 * manual page show for it, so an option whose meaning differs from one
 * command to another (--bind, --http01-port) says so per command.
 */
struct acs_opt {
	const char *name; /* long name without "--" */
	char shortname;   /* 0 for none */
	enum acs_opt_kind kind;
	size_t off;       /* field in struct acs_cli */
	size_t count_off; /* ACS_OPT_MULTI: the count field */
	long min, max;    /* ACS_OPT_INT: range; ACS_OPT_DOUBLE: max; ACS_OPT_MULTI: max count */
	const char *const *choices; /* ACS_OPT_CHOICE: NULL-terminated */
	unsigned cmds;              /* ACS_CMD_* bits where it is accepted */
	const char *metavar;
	struct acs_opt_help help[ACS_OPT_HELPS];
};

/* One subcommand, as --help and the manual page describe it. */
struct acs_cmd_info {
	enum acs_cli_cmd cmd;
	const char *name;
	const char *usage;      /* "acmespec serve [options]" */
	const char *what;       /* one line */
	const char *about;      /* a paragraph, or NULL */
	int min_args, max_args; /* positional arguments */
	int options_first;      /* options only before the first positional argument */
};

/* The table, sorted by long name; *n rows. */
const struct acs_opt *acs_cli_options(size_t *n);

/* The subcommands, in the order the overview lists them; *n entries. */
const struct acs_cmd_info *acs_cli_commands(size_t *n);

/* The help line of o for cmd, or NULL when cmd does not accept o. */
const char *acs_cli_opt_help(const struct acs_opt *o, enum acs_cli_cmd cmd);

#endif
