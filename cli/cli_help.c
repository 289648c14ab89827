/*
 * --help of every command and the manual page acmespec(1), both made from
 * the option table (cli_table.h), so that neither can miss an option or
 * show one a command does not take.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cli_table.h"
#include "mockclient/misbehave.h"
#include "mockserver/mockca.h"

static const char exit_codes[] =
    "exit codes: 0 nothing unexpected, 1 unexpected results, 2 usage or configuration error, "
    "3 harness or infrastructure error";

/* "-j, --jobs N" or "    --bind ADDR" into buf. */
static void left_column(const struct acs_opt *o, char *buf, size_t len)
{
	const char *sp = o->metavar != NULL ? " " : "";
	const char *mv = o->metavar != NULL ? o->metavar : "";

	if (o->shortname != 0)
		(void)snprintf(buf, len, "-%c, --%s%s%s", o->shortname, o->name, sp, mv);
	else
		(void)snprintf(buf, len, "    --%s%s%s", o->name, sp, mv);
}

/*
 * Print text folded at width columns; every line after the first is
 * indented by indent spaces (the first starts where the cursor is).
 */
static void fold(FILE *out, const char *text, size_t width, int indent)
{
	const char *p = text;
	size_t col = 0;

	while (*p != '\0') {
		size_t word = strcspn(p, " ");

		if (col > 0 && col + 1 + word > width) {
			fprintf(out, "\n%*s", indent, "");
			col = 0;
		} else if (col > 0) {
			fputc(' ', out);
			col++;
		}
		fwrite(p, 1, word, out);
		col += word;
		p += word;
		p += strspn(p, " ");
	}
	fputc('\n', out);
}

static void print_options(FILE *out, enum acs_cli_cmd cmd)
{
	const struct acs_opt *opts;
	size_t i, n;

	opts = acs_cli_options(&n);
	fputs("\noptions:\n", out);
	for (i = 0; i < n; i++) {
		const char *help = acs_cli_opt_help(&opts[i], cmd);
		char left[64];

		if (help == NULL)
			continue;
		left_column(&opts[i], left, sizeof(left));
		if (strlen(left) > 30)
			fprintf(out, "  %s\n  %-30s ", left, "");
		else
			fprintf(out, "  %-30s ", left);
		fold(out, help, 100 - 33, 33);
	}
}

/* One misbehaviour as help shows it, from the mock CA's or the mock client's table. */
struct mb_row {
	const char *name;
	const char *arg;  /* "[ENDPOINT:]N" or NULL */
	const char *kind; /* "[violation] ", "[request] ", ... or "" */
	const char *help;
};

/*
 * Row i of the misbehaviour table of cmd (serve: the mock CA's; mock-client:
 * the mock client's, one table for its request, inner and client kinds).
 * 0 past the end.
 */
static int mb_row(enum acs_cli_cmd cmd, size_t i, struct mb_row *r)
{
	size_t n;

	if (cmd == ACS_CMD_SERVE) {
		const struct acs_mockca_misbehaviour *mb = acs_mockca_misbehaviours(&n);

		if (i >= n)
			return 0;
		r->name = mb[i].name;
		r->arg = mb[i].arg_help;
		r->kind = mb[i].violation ? "[violation] " : "";
		r->help = mb[i].description;
		return 1;
	}
	if (cmd == ACS_CMD_MOCK_CLIENT) {
		const struct acs_misbehaviour *mb = acs_misbehaviours(&n);

		if (i >= n)
			return 0;
		r->name = mb[i].name;
		r->arg = NULL;
		r->kind = mb[i].kind == ACS_MIS_KIND_CLIENT  ? ""
		          : mb[i].kind == ACS_MIS_KIND_INNER ? "[key-change inner JWS] "
		                                             : "[every signed request] ";
		r->help = mb[i].help;
		return 1;
	}
	return 0;
}

/* The misbehaviours of cmd (--misbehave), from its mock's own table. */
static void print_misbehaviours(FILE *out, enum acs_cli_cmd cmd)
{
	struct mb_row r;
	size_t i;

	for (i = 0; mb_row(cmd, i, &r); i++) {
		char left[64];

		if (i == 0)
			fputs("\nmisbehaviours:\n", out);
		(void)snprintf(left, sizeof(left), "%s%s%s", r.name, r.arg != NULL ? "=" : "",
		               r.arg != NULL ? r.arg : "");
		fprintf(out, "  %-36s %s%s\n", left, r.kind, r.help);
	}
}

static void print_overview(FILE *out)
{
	const struct acs_cmd_info *cmds;
	size_t i, n;

	cmds = acs_cli_commands(&n);
	fputs("acmespec: an ACME (RFC 8555) conformance harness\n\nusage:\n", out);
	for (i = 0; i < n; i++)
		fprintf(out, "  %s\n      %s\n", cmds[i].usage, cmds[i].what);
	print_options(out, ACS_CMD_TOP);
	fputs("\nacmespec COMMAND --help shows the options of a command.\n", out);
	fold(out, exit_codes, 72, 0);
}

void acs_cli_help(FILE *out, enum acs_cli_cmd cmd)
{
	const struct acs_cmd_info *cmds;
	size_t i, n;

	cmds = acs_cli_commands(&n);
	for (i = 0; i < n; i++)
		if (cmds[i].cmd == cmd)
			break;
	if (i == n) {
		print_overview(out);
		return;
	}
	fprintf(out, "usage: %s\n%s\n", cmds[i].usage, cmds[i].what);
	if (cmds[i].about != NULL) {
		fputc('\n', out);
		fold(out, cmds[i].about, 78, 0);
	}
	print_options(out, cmd);
	print_misbehaviours(out, cmd);
}

/* Text for roff: "-" as "\-", "\" as "\e", a leading "." or "'" guarded by "\&". */
static void roff(FILE *out, const char *s)
{
	const char *p;

	if (s[0] == '.' || s[0] == '\'')
		fputs("\\&", out);
	for (p = s; *p != '\0'; p++) {
		if (*p == '-')
			fputs("\\-", out);
		else if (*p == '\\')
			fputs("\\e", out);
		else
			fputc(*p, out);
	}
}

static void man_options(FILE *out, enum acs_cli_cmd cmd)
{
	const struct acs_opt *opts;
	size_t i, n;

	opts = acs_cli_options(&n);
	for (i = 0; i < n; i++) {
		const char *help = acs_cli_opt_help(&opts[i], cmd);

		if (help == NULL)
			continue;
		fputs(".TP\n", out);
		if (opts[i].shortname != 0)
			fprintf(out, "\\fB\\-%c\\fR, ", opts[i].shortname);
		fputs("\\fB\\-\\-", out);
		roff(out, opts[i].name);
		fputs("\\fR", out);
		if (opts[i].metavar != NULL) {
			fputs(" \\fI", out);
			roff(out, opts[i].metavar);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		roff(out, help);
		fputc('\n', out);
	}
}

static void man_misbehaviours(FILE *out, enum acs_cli_cmd cmd)
{
	struct mb_row r;
	size_t i;

	for (i = 0; mb_row(cmd, i, &r); i++) {
		if (i == 0)
			fprintf(out, ".PP\nMisbehaviours of the %s (\\fB\\-\\-misbehave\\fR):\n",
			        cmd == ACS_CMD_SERVE ? "mock CA" : "mock client");
		fputs(".TP\n\\fB", out);
		roff(out, r.name);
		fputs("\\fR", out);
		if (r.arg != NULL) {
			fputs("=\\fI", out);
			roff(out, r.arg);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		fputs(r.kind, out);
		roff(out, r.help);
		fputc('\n', out);
	}
}

static void man_commands(FILE *out)
{
	const struct acs_cmd_info *cmds;
	size_t i, n;

	cmds = acs_cli_commands(&n);
	fputs(".SH COMMANDS\n", out);
	for (i = 0; i < n; i++) {
		fputs(".SS \"", out);
		roff(out, cmds[i].usage);
		fputs("\"\n", out);
		roff(out, cmds[i].what);
		fputs(".\n", out);
		if (cmds[i].about != NULL) {
			fputs(".PP\n", out);
			roff(out, cmds[i].about);
			fputc('\n', out);
		}
		man_options(out, cmds[i].cmd);
		man_misbehaviours(out, cmds[i].cmd);
	}
}

void acs_cli_man(FILE *out)
{
	const struct acs_cmd_info *cmds;
	size_t i, n;

	cmds = acs_cli_commands(&n);
	fputs(".TH ACMESPEC 1 \"\" \"acmespec " ACMESPEC_VERSION "\" \"User Commands\"\n"
	      ".SH NAME\nacmespec \\- an ACME (RFC 8555) conformance harness\n"
	      ".SH SYNOPSIS\n.nf\n",
	      out);
	for (i = 0; i < n; i++) {
		roff(out, cmds[i].usage);
		fputc('\n', out);
	}
	fputs("\\fBacmespec\\fR [\\fB\\-\\-help\\fR | \\fB\\-\\-version\\fR | \\fB\\-\\-man\\fR]\n"
	      ".fi\n.SH DESCRIPTION\n"
	      "acmespec checks ACME servers and clients against the requirements of RFC 8555 "
	      "and its companions, case by case, from a catalog of JSON case files.\n"
	      "\\fBacmespec\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR shows the options of a "
	      "command; every option below appears there too.\n"
	      ".SH OPTIONS\n",
	      out);
	man_options(out, ACS_CMD_TOP);
	man_commands(out);
	fputs(".SH EXIT STATUS\n", out);
	roff(out, exit_codes);
	fputs(".\n.SH ENVIRONMENT\n"
	      ".TP\n.B ACMESPEC_CASES\nthe case catalog when \\fB\\-\\-cases\\fR is not given.\n"
	      ".TP\n.B NO_COLOR\nwhen set and not empty, no colours.\n"
	      ".TP\n.B ACMESPEC_DNS_SOCKET\nwhere \\fBacmespec dns\\-hook\\fR reaches the running "
	      "\\fBacmespec client\\fR.\n"
	      ".SH FILES\n"
	      "The case catalog is looked for in \\fB\\-\\-cases\\fR, \\fB$ACMESPEC_CASES\\fR, "
	      "\\fI./cases\\fR, then \\fI../share/acmespec/cases\\fR next to the program's "
	      "directory (the installed catalog), then the source tree it was built from.\n"
	      ".SH SEE ALSO\nRFC 8555, RFC 8737, RFC 8738\n",
	      out);
}
