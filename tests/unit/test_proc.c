/*
 * Bounded child processes (harness/proc.h): exit status and output, a
 * command that cannot start, the timeout killing the whole group, and the
 * head-and-tail capture of long output.
 */
#include <CUnit/CUnit.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/buf.h"
#include "harness/proc.h"

extern char **environ;

/* Run /bin/sh -c script for at most timeout seconds; the output rendered into *out. */
static void run_sh(const char *script, double timeout, struct acs_proc_result *pr, char **out)
{
	char *argv[] = {"sh", "-c", (char *)script, NULL};
	struct acs_proc_capture *cp = calloc(1, sizeof(*cp));
	struct acs_buf b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
	acs_proc_run(argv, environ, "/", timeout, cp, pr);
	acs_buf_init(&b, 2 * (ACS_PROC_HEAD + ACS_PROC_TAIL));
	(void)acs_buf_puts(&b, "");
	acs_proc_capture_render(cp, &b);
	*out = acs_buf_steal(&b);
	free(cp);
}

static void test_exit_and_output(void)
{
	struct acs_proc_result pr;
	char *out = NULL;

	run_sh("echo out; echo err >&2; pwd; exit 3", 10, &pr, &out);
	CU_ASSERT_EQUAL(pr.started, 1);
	CU_ASSERT_EQUAL(pr.exited, 1);
	CU_ASSERT_EQUAL(pr.status, 3);
	CU_ASSERT_EQUAL(pr.timed_out, 0);
	CU_ASSERT_STRING_EQUAL(out, "out\nerr\n/\n");
	CU_ASSERT(pr.seconds >= 0 && pr.seconds < 10);
	free(out);

	run_sh("kill -TERM $$", 10, &pr, &out);
	CU_ASSERT_EQUAL(pr.exited, 0);
	CU_ASSERT_EQUAL(pr.status, 15);
	free(out);
}

static void test_not_started(void)
{
	char *argv[] = {"acmespec-no-such-command", NULL};
	struct acs_proc_capture *cp = calloc(1, sizeof(*cp));
	struct acs_proc_result pr;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
	acs_proc_run(argv, environ, "/", 5, cp, &pr);
	CU_ASSERT_EQUAL(pr.started, 0);
	CU_ASSERT_STRING_EQUAL(pr.msg,
	                       "cannot run acmespec-no-such-command: not found or not executable");
	argv[0] = "/bin/true";
	acs_proc_run(argv, environ, "/nonexistent-dir", 5, cp, &pr);
	CU_ASSERT_EQUAL(pr.started, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(pr.msg, "cannot run /bin/true: "));
	free(cp);
}

static void test_timeout_kills_group(void)
{
	struct acs_proc_result pr;
	char *out = NULL;

	/* a grandchild in the same group holds the pipe open: it dies too */
	run_sh("sleep 30 & echo started; sleep 30", 0.5, &pr, &out);
	CU_ASSERT_EQUAL(pr.started, 1);
	CU_ASSERT_EQUAL(pr.timed_out, 1);
	CU_ASSERT_EQUAL(pr.exited, 0);
	CU_ASSERT(pr.seconds < 5);
	CU_ASSERT_STRING_EQUAL(out, "started\n");
	free(out);
}

static void test_head_and_tail(void)
{
	struct acs_proc_result pr;
	char *out = NULL;

	/* 100000 bytes: the first 24 KiB, a note, the last 24 KiB */
	run_sh("head -c 100000 /dev/zero | tr '\\0' x", 10, &pr, &out);
	CU_ASSERT_EQUAL(pr.status, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "\n[... 50848 bytes of output left out ...]\n"));
	CU_ASSERT_EQUAL(strlen(out), (size_t)(ACS_PROC_HEAD + ACS_PROC_TAIL) +
	                                 strlen("\n[... 50848 bytes of output left out ...]\n"));
	free(out);
}

/* The pid the script wrote into file, or 0. */
static int read_pid(const char *file)
{
	FILE *fp = fopen(file, "r");
	int pid = 0;

	if (fp == NULL)
		return 0;
	if (fscanf(fp, "%d", &pid) != 1)
		pid = 0;
	fclose(fp);
	return pid;
}

/* 1 while pid runs (a zombie counts as gone). */
static int alive(int pid)
{
	char path[64], st = 0;
	FILE *fp;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fp = fopen(path, "r");
	if (fp == NULL)
		return 0;
	if (fscanf(fp, "%*d (%*[^)]) %c", &st) != 1)
		st = 0;
	fclose(fp);
	return st != 0 && st != 'Z';
}

/*
 * A helper in a session of its own that ignores SIGTERM (the negative
 * control of the group kill: kill(-pgid) never reaches it) is killed all
 * the same, after the leader exits and at the timeout.
 */
static void test_escaped_helper_killed(void)
{
	static const char *const tails[] = {"sleep 0.5; exit 0", "sleep 30"};
	struct acs_proc_result pr;
	char file[64], script[256];
	size_t i;

	(void)snprintf(file, sizeof(file), "/tmp/acmespec-proc-esc-%d.pid", (int)getpid());
	for (i = 0; i < 2; i++) {
		char *out = NULL;
		int pid;

		(void)remove(file);
		(void)snprintf(script, sizeof(script),
		               "setsid sh -c 'trap \"\" TERM; echo $$ > %s; exec sleep 300' "
		               ">/dev/null 2>&1 & %s",
		               file, tails[i]);
		run_sh(script, i == 0 ? 10 : 1.0, &pr, &out);
		pid = read_pid(file);
		CU_ASSERT(pid > 0);
		CU_ASSERT(pid <= 0 || !alive(pid));
		if (pid > 0 && alive(pid))
			(void)kill(pid, SIGKILL);
		free(out);
	}
	(void)remove(file);
}

/* start, poll, stop: a child that never exits is stopped with its output kept. */
static void test_start_poll_stop(void)
{
	char *argv[] = {"sh", "-c", "echo up; exec sleep 300", NULL};
	struct acs_proc_capture *cp = calloc(1, sizeof(*cp));
	struct acs_proc_result pr;
	struct acs_proc *p = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
	acs_proc_start(&p, argv, environ, "/", cp, &pr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(pr.started, 1);
	CU_ASSERT_EQUAL(acs_proc_poll(p, 0.3), 0);
	acs_proc_stop(p);
	CU_ASSERT_EQUAL(pr.exited, 0);
	CU_ASSERT_EQUAL(pr.status, SIGTERM);
	CU_ASSERT(cp->nhead == 3 && memcmp(cp->head, "up\n", 3) == 0);
	free(cp);
}

/* acs_proc_run_until's stop(): nonzero from its third question on. */
static int stop_third(void *arg)
{
	int *asked = arg;

	return ++*asked >= 3;
}

/* A stop question that never says stop. */
static int stop_never(void *arg)
{
	int *asked = arg;

	++*asked;
	return 0;
}

static void test_run_until_stops(void)
{
	char *argv[] = {"sh", "-c", "echo up; sleep 30", NULL};
	char *quick[] = {"sh", "-c", "exit 3", NULL};
	struct acs_proc_capture *cp = calloc(1, sizeof(*cp));
	struct acs_proc_result pr;
	int asked = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cp);
	/* stop() said so: the group stopped long before the timeout, not a timeout */
	acs_proc_run_until(argv, environ, "/", 20, stop_third, &asked, cp, &pr);
	CU_ASSERT_EQUAL(pr.started, 1);
	CU_ASSERT_EQUAL(pr.stopped, 1);
	CU_ASSERT_EQUAL(pr.timed_out, 0);
	CU_ASSERT_EQUAL(pr.exited, 0);
	CU_ASSERT_EQUAL(asked, 3);
	CU_ASSERT(pr.seconds < 5);
	/* negative control: a stop() that never says stop leaves the timeout to end it */
	memset(cp, 0, sizeof(*cp));
	asked = 0;
	acs_proc_run_until(argv, environ, "/", 0.5, stop_never, &asked, cp, &pr);
	CU_ASSERT_EQUAL(pr.stopped, 0);
	CU_ASSERT_EQUAL(pr.timed_out, 1);
	CU_ASSERT(asked >= 1);
	/* a leader that exits by itself keeps its status, whatever stop() would say */
	memset(cp, 0, sizeof(*cp));
	asked = 0;
	acs_proc_run_until(quick, environ, "/", 20, stop_never, &asked, cp, &pr);
	CU_ASSERT_EQUAL(pr.stopped, 0);
	CU_ASSERT_EQUAL(pr.exited, 1);
	CU_ASSERT_EQUAL(pr.status, 3);
	free(cp);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("proc", NULL, NULL);

	CU_add_test(s, "exit_and_output", test_exit_and_output);
	CU_add_test(s, "not_started", test_not_started);
	CU_add_test(s, "timeout_kills_group", test_timeout_kills_group);
	CU_add_test(s, "head_and_tail", test_head_and_tail);
	CU_add_test(s, "escaped_helper_killed", test_escaped_helper_killed);
	CU_add_test(s, "start_poll_stop", test_start_poll_stop);
	CU_add_test(s, "run_until_stops", test_run_until_stops);
}
