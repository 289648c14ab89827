/*
 * Running a command as a bounded child: its own process group, stdin from
 * /dev/null, stdout and stderr captured together (the first and the last
 * ACS_PROC_HEAD / ACS_PROC_TAIL bytes kept), and the whole group killed
 * (SIGTERM, a grace period, SIGKILL) at the timeout or when the leader
 * exits. What happened comes back as data; nothing is printed.
 */
#ifndef ACMESPEC_PROC_H
#define ACMESPEC_PROC_H

#include <stddef.h>
#include "harness/buf.h"

#define ACS_PROC_HEAD (24 * 1024) /* output: first bytes kept ... */
#define ACS_PROC_TAIL (24 * 1024) /* ... and last bytes kept */

/* The captured output: a head and a ring for the tail (zero it to reuse). */
struct acs_proc_capture {
	char head[ACS_PROC_HEAD];
	size_t nhead;
	char tail[ACS_PROC_TAIL]; /* ring */
	size_t ntail_total;       /* bytes ever written into the ring */
};

/* How a run ended. */
struct acs_proc_result {
	int started; /* 0: could not be started (msg says why) */
	int exited;  /* 1: exited with status; 0: killed by a signal */
	int status;  /* exit status, or the signal */
	int timed_out;
	int interrupted; /* the run was cancelled (harness/cancel.h): the group was stopped */
	int stopped; /* acs_proc_run_until: the caller's stop() said so; the group was stopped */
	double seconds;
	char msg[512]; /* "cannot run sh: not found or not executable", ... */
};

/*
 * Every child gets ACMESPEC_PROC_TAG=<harness pid>-<n> in its environment.
 * When a child is stopped, every process that still carries its tag (a
 * descendant that left the process group or the session, or ignores
 * SIGTERM) and every descendant of those by parent id gets the same
 * SIGTERM, grace period and SIGKILL as the group. The harness is a child
 * subreaper (PR_SET_CHILD_SUBREAPER) once it ran a child, so orphans of a
 * child stay below it and are reaped after they are killed.
 */

/* A child started by acs_proc_start; acs_proc_stop ends and frees it. */
struct acs_proc;

/*
 * Start argv as acs_proc_run does, without waiting: *out: the running child
 * (stop it with acs_proc_stop), NULL when it could not be started (pr->msg
 * says why; pr->started 0). cp and pr borrowed until acs_proc_stop.
 */
void acs_proc_start(struct acs_proc **out, char *const argv[], char *const envp[], const char *cwd,
                    struct acs_proc_capture *cp, struct acs_proc_result *pr);

/*
 * Read the child's output for up to wait seconds. Returns 1 once the
 * leader has exited (its status is then in the result after acs_proc_stop),
 * else 0.
 */
int acs_proc_poll(struct acs_proc *p, double wait);

/*
 * Stop the child: SIGTERM to its group and tagged descendants, a grace
 * period, SIGKILL to whatever is left; fill the result (exited, status,
 * seconds) and free p (NULL allowed).
 */
void acs_proc_stop(struct acs_proc *p);

/*
 * Run argv (argv[0] looked up in $PATH by the parent) with envp in cwd,
 * output into cp (appended), for at most timeout seconds; *pr says how it
 * ended. Leftovers of the group (daemons the command started) are killed
 * when the leader exits. A cancelled run (acs_cancel_request) stops the
 * whole group within about 0.1 s, as at the timeout.
 */
void acs_proc_run(char *const argv[], char *const envp[], const char *cwd, double timeout,
                  struct acs_proc_capture *cp, struct acs_proc_result *pr);

/*
 * As acs_proc_run, and stop(arg) is asked every 0.1 s while the leader
 * runs: nonzero stops the whole group as at the timeout, with pr->stopped
 * set instead of pr->timed_out (a verdict already certain, say).
 */
void acs_proc_run_until(char *const argv[], char *const envp[], const char *cwd, double timeout,
                        int (*stop)(void *), void *arg, struct acs_proc_capture *cp,
                        struct acs_proc_result *pr);

/* Append cp to out: the head, "[... N bytes of output left out ...]", the tail. */
void acs_proc_capture_render(const struct acs_proc_capture *cp, struct acs_buf *out);

#endif
