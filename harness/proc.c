/* Bounded child processes (harness/proc.h). */
/* pipe2 */
#define _GNU_SOURCE
#include "harness/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/buf_cap.h"
#include "harness/cancel.h"
#include "harness/clock.h"
#include "harness/err.h"

/* every snprintf here cuts on purpose: paths and messages are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define KILL_GRACE_S 2.0

static void capture_add(struct acs_proc_capture *cp, const char *p, size_t n)
{
	while (n > 0 && cp->nhead < sizeof(cp->head)) {
		cp->head[cp->nhead++] = *p++;
		n--;
	}
	while (n > 0) {
		cp->tail[cp->ntail_total % sizeof(cp->tail)] = *p++;
		cp->ntail_total++;
		n--;
	}
}

void acs_proc_capture_render(const struct acs_proc_capture *cp, struct acs_buf *out)
{
	size_t i, start, n;

	acs_buf_put_capped(out, cp->head, cp->nhead);
	if (cp->ntail_total == 0)
		return;
	n = cp->ntail_total < sizeof(cp->tail) ? cp->ntail_total : sizeof(cp->tail);
	if (cp->ntail_total > sizeof(cp->tail))
		acs_buf_putf_capped(out, "\n[... %zu bytes of output left out ...]\n",
		                    cp->ntail_total - sizeof(cp->tail));
	start = cp->ntail_total - n;
	for (i = 0; i < n; i++) {
		char ch = cp->tail[(start + i) % sizeof(cp->tail)];

		acs_buf_put_capped(out, &ch, 1);
	}
}

/* argv[0] resolved through PATH in the parent (the child only calls execve). */
static int resolve_exe(const char *name, char *out, size_t outlen)
{
	const char *path = getenv("PATH");
	const char *p;

	if (strchr(name, '/') != NULL) {
		(void)snprintf(out, outlen, "%s", name);
		return access(out, X_OK) == 0 ? 0 : -1;
	}
	if (path == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path; *p != '\0';) {
		size_t n = strcspn(p, ":");

		if (n > 0 && snprintf(out, outlen, "%.*s/%s", (int)n, p, name) < (int)outlen &&
		    access(out, X_OK) == 0)
			return 0;
		p += n;
		if (*p == ':')
			p++;
	}
	return -1;
}

static void kill_group(pid_t pid, int sig)
{
	(void)kill(-pid, sig);
}

/* The child: async-signal-safe calls only until execve; errno to errfd on failure. */
static void child_exec(const char *exe, char *const argv[], char *const envp[], const char *cwd,
                       int outfd, int errfd)
{
	struct sigaction sa;
	sigset_t none;
	int devnull, e, sig;

	(void)setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < 32; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
	devnull = open("/dev/null", O_RDONLY);
	if (devnull >= 0)
		(void)dup2(devnull, 0);
	(void)dup2(outfd, 1);
	(void)dup2(outfd, 2);
	if (chdir(cwd) == 0)
		(void)execve(exe, argv, envp);
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(126);
}

/*
 * Read output until EOF and the leader exits, or the deadline; *status and
 * the return value (1: reaped) say whether the leader was waited for.
 */
static int drain(pid_t pid, int fd, double deadline, struct acs_proc_capture *cp,
                 struct acs_proc_result *pr, int *status)
{
	int reaped = 0, eof = 0;

	while (!(eof && reaped)) {
		double left = deadline - acs_clock_mono();

		if (left <= 0) {
			pr->timed_out = 1;
			break;
		}
		if (acs_cancel_signal() != 0) {
			pr->interrupted = 1;
			break;
		}
		if (!eof) {
			struct pollfd pfd = {.fd = fd, .events = POLLIN};
			int pr_ms = left > 0.1 ? 100 : (int)(left * 1000) + 1;

			if (poll(&pfd, 1, pr_ms) > 0) {
				char chunk[4096];
				ssize_t r = read(fd, chunk, sizeof(chunk));

				if (r > 0)
					capture_add(cp, chunk, (size_t)r);
				else if (r == 0 || errno != EINTR)
					eof = 1;
			}
		} else {
			acs_sleep_s(0.02);
		}
		if (!reaped && waitpid(pid, status, WNOHANG) == pid) {
			double soon = acs_clock_mono() + 2.0;

			reaped = 1;
			/* leftovers of the group (daemons the client started) go now */
			kill_group(pid, SIGTERM);
			if (!eof && soon < deadline)
				deadline = soon;
		}
	}
	return reaped;
}

/* Kill the group: SIGTERM, a grace period for the leader, SIGKILL. */
static int stop_group(pid_t pid, int reaped, int *status)
{
	double deadline;

	if (reaped) {
		kill_group(pid, SIGKILL);
		return 1;
	}
	kill_group(pid, SIGTERM);
	deadline = acs_clock_mono() + KILL_GRACE_S;
	while (acs_clock_mono() < deadline && !reaped) {
		if (waitpid(pid, status, WNOHANG) == pid)
			reaped = 1;
		else
			acs_sleep_s(0.02);
	}
	kill_group(pid, SIGKILL);
	if (!reaped && waitpid(pid, status, 0) == pid)
		reaped = 1;
	return reaped;
}

void acs_proc_run(char *const argv[], char *const envp[], const char *cwd, double timeout,
                  struct acs_proc_capture *cp, struct acs_proc_result *pr)
{
	char exe[PATH_MAX];
	int out[2] = {-1, -1}, errp[2] = {-1, -1};
	double t0 = acs_clock_mono();
	int status = 0, e = 0;
	pid_t pid;

	memset(pr, 0, sizeof(*pr));
	if (resolve_exe(argv[0], exe, sizeof(exe)) != 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg),
		               "cannot run %s: not found or not executable", argv[0]);
		return;
	}
	if (pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot make a pipe: %s",
		               acs_errno_text(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot fork: %s", acs_errno_text(errno));
		goto out;
	}
	if (pid == 0)
		child_exec(exe, argv, envp, cwd, out[1], errp[1]);
	(void)setpgid(pid, pid);
	close(out[1]);
	close(errp[1]);
	out[1] = errp[1] = -1;
	pr->started = 1;
	if (read(errp[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		pr->started = 0;
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot run %s: %s", exe,
		               acs_errno_text(e));
	}
	if (stop_group(pid, drain(pid, out[0], t0 + timeout, cp, pr, &status), &status)) {
		pr->exited = WIFEXITED(status);
		pr->status = WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status);
	}
	pr->seconds = acs_clock_mono() - t0;
out:
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (errp[0] >= 0)
		close(errp[0]);
	if (errp[1] >= 0)
		close(errp[1]);
}
