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
#include <dirent.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/buf_cap.h"
#include "harness/cancel.h"
#include "harness/clock.h"
#include "harness/err.h"

/* every snprintf here cuts on purpose: paths and messages are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define KILL_GRACE_S 2.0
#define TAG_VAR      "ACMESPEC_PROC_TAG="
#define MAX_TAGGED   256

struct acs_proc {
	pid_t pid;
	int fd;
	int reaped, eof, status;
	double t0;
	char tag[64]; /* "ACMESPEC_PROC_TAG=<pid>-<n>" */
	struct acs_proc_capture *cp;
	struct acs_proc_result *pr;
};

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

/* 1 when process pid's initial environment holds the entry tag. */
static int has_tag(pid_t pid, const char *tag)
{
	char path[64], buf[16384];
	size_t n = 0, tl = strlen(tag), i;
	ssize_t r;
	int fd, found = 0;

	(void)snprintf(path, sizeof(path), "/proc/%d/environ", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	/* entry by entry; an entry cut at the buffer's end is read again */
	for (;;) {
		size_t len, from = 0;

		r = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (r <= 0 || found)
			break;
		len = n + (size_t)r;

		for (i = 0; i < len; i++) {
			if (buf[i] != '\0')
				continue;
			if (i - from == tl && memcmp(buf + from, tag, tl) == 0)
				found = 1;
			from = i + 1;
		}
		n = len - from < sizeof(buf) / 2 ? len - from : 0;
		memmove(buf, buf + from, n);
	}
	close(fd);
	return found;
}

/* The parent of pid, or -1. */
static pid_t ppid_of(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t r;
	int pp = -1;

	(void)snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return -1;
	buf[r] = '\0';
	p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
	if (p == NULL || sscanf(p + 1, " %*c %d", &pp) != 1)
		return -1;
	return (pid_t)pp;
}

static int in_set(const pid_t *set, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (set[i] == pid)
			return 1;
	return 0;
}

/*
 * The processes that belong to child p: those carrying its tag, and their
 * descendants by parent id (the leader's too). Up to max into set.
 */
static size_t tagged(const struct acs_proc *p, pid_t *set, size_t max)
{
	pid_t all[4096], par[4096];
	size_t nall = 0, n = 0, i;
	struct dirent *de;
	DIR *d = opendir("/proc");
	int grew = 1;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL && nall < sizeof(all) / sizeof(all[0])) {
		char *end;
		long v = strtol(de->d_name, &end, 10);

		if (*end != '\0' || v <= 0 || v == (long)getpid())
			continue;
		all[nall] = (pid_t)v;
		par[nall++] = ppid_of((pid_t)v);
	}
	closedir(d);
	if (!p->reaped && n < max)
		set[n++] = p->pid;
	for (i = 0; i < nall && n < max; i++)
		if (!in_set(set, n, all[i]) && has_tag(all[i], p->tag))
			set[n++] = all[i];
	while (grew) { /* descendants of the set that dropped the tag */
		grew = 0;
		for (i = 0; i < nall && n < max; i++)
			if (!in_set(set, n, all[i]) && in_set(set, n, par[i])) {
				set[n++] = all[i];
				grew = 1;
			}
	}
	return n;
}

/* Send sig to p's group and to everything tagged as p's; how many were tagged. */
static size_t signal_all(const struct acs_proc *p, int sig)
{
	pid_t set[MAX_TAGGED];
	size_t n = tagged(p, set, MAX_TAGGED), i;

	kill_group(p->pid, sig);
	for (i = 0; i < n; i++)
		(void)kill(set[i], sig);
	/* orphans reparented to the harness (a subreaper): reap what died */
	for (i = 0; i < n; i++)
		if (set[i] != p->pid)
			(void)waitpid(set[i], NULL, WNOHANG);
	return n;
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

int acs_proc_poll(struct acs_proc *p, double wait)
{
	double end = acs_clock_mono() + (wait > 0 ? wait : 0);

	do {
		double left = end - acs_clock_mono();

		if (!p->eof) {
			struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
			int ms = left > 0.1 ? 100 : left > 0 ? (int)(left * 1000) + 1 : 0;

			if (poll(&pfd, 1, ms) > 0) {
				char chunk[4096];
				ssize_t r = read(p->fd, chunk, sizeof(chunk));

				if (r > 0)
					capture_add(p->cp, chunk, (size_t)r);
				else if (r == 0 || errno != EINTR)
					p->eof = 1;
			}
		} else if (left > 0) {
			acs_sleep_s(left > 0.02 ? 0.02 : left);
		}
		if (!p->reaped && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
			p->reaped = 1;
	} while (acs_clock_mono() < end && !(p->reaped && p->eof));
	return p->reaped;
}

/*
 * Read output until EOF and the leader exits, or the deadline, or a
 * cancel, or stop(arg) (may be NULL) while the leader runs; leftovers of
 * the group get SIGTERM when the leader exits.
 */
static void drain(struct acs_proc *p, double deadline, int (*stop)(void *), void *arg)
{
	int termed = 0;

	while (!(p->eof && p->reaped)) {
		if (acs_clock_mono() >= deadline) {
			p->pr->timed_out = 1;
			break;
		}
		if (acs_cancel_signal() != 0) {
			p->pr->interrupted = 1;
			break;
		}
		if (stop != NULL && !p->reaped && stop(arg) != 0) {
			p->pr->stopped = 1;
			break;
		}
		(void)acs_proc_poll(p, 0.1);
		if (p->reaped && !termed) {
			double soon = acs_clock_mono() + 2.0;

			/* leftovers of the group (daemons the client started) go now */
			termed = 1;
			(void)signal_all(p, SIGTERM);
			if (!p->eof && soon < deadline)
				deadline = soon;
		}
	}
}

void acs_proc_stop(struct acs_proc *p)
{
	double deadline;

	if (p == NULL)
		return;
	if (signal_all(p, SIGTERM) > 0) {
		deadline = acs_clock_mono() + KILL_GRACE_S;
		while (acs_clock_mono() < deadline) {
			pid_t set[MAX_TAGGED];

			if (!p->reaped && waitpid(p->pid, &p->status, WNOHANG) == p->pid)
				p->reaped = 1;
			if (tagged(p, set, MAX_TAGGED) == 0)
				break;
			acs_sleep_s(0.05);
		}
	}
	(void)signal_all(p, SIGKILL);
	if (!p->reaped && waitpid(p->pid, &p->status, 0) == p->pid)
		p->reaped = 1;
	/* SIGKILL is not instant: return once nothing of p runs any more */
	deadline = acs_clock_mono() + 1.0;
	while (signal_all(p, SIGKILL) > 0 && acs_clock_mono() < deadline)
		acs_sleep_s(0.01);
	if (p->reaped) {
		p->pr->exited = WIFEXITED(p->status);
		p->pr->status = WIFEXITED(p->status) ? WEXITSTATUS(p->status) : WTERMSIG(p->status);
	}
	p->pr->seconds = acs_clock_mono() - p->t0;
	if (p->fd >= 0)
		close(p->fd);
	free(p);
}

static void become_subreaper(void)
{
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* envp with p's tag added: a new array of borrowed strings (free the array). */
static char **tagged_env(char *const envp[], const char *tag)
{
	size_t n = 0, i, k = 0;
	char **v;

	while (envp[n] != NULL)
		n++;
	v = calloc(n + 2, sizeof(*v));
	if (v == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if (strncmp(envp[i], TAG_VAR, strlen(TAG_VAR)) != 0)
			v[k++] = envp[i];
	v[k] = (char *)tag;
	return v;
}

void acs_proc_start(struct acs_proc **out, char *const argv[], char *const envp[], const char *cwd,
                    struct acs_proc_capture *cp, struct acs_proc_result *pr)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	static unsigned counter;
	char exe[PATH_MAX];
	int outp[2] = {-1, -1}, errp[2] = {-1, -1};
	struct acs_proc *p = NULL;
	char **env = NULL;
	int e = 0;

	*out = NULL;
	memset(pr, 0, sizeof(*pr));
	(void)pthread_once(&once, become_subreaper);
	if (resolve_exe(argv[0], exe, sizeof(exe)) != 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg),
		               "cannot run %s: not found or not executable", argv[0]);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (p != NULL)
		(void)snprintf(p->tag, sizeof(p->tag), "%s%d-%u", TAG_VAR, (int)getpid(),
		               __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST));
	env = p != NULL ? tagged_env(envp, p->tag) : NULL;
	if (env == NULL) {
		(void)snprintf(pr->msg, sizeof(pr->msg), "out of memory");
		goto fail;
	}
	if (pipe2(outp, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot make a pipe: %s",
		               acs_errno_text(errno));
		goto fail;
	}
	p->t0 = acs_clock_mono();
	p->pid = fork();
	if (p->pid < 0) {
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot fork: %s", acs_errno_text(errno));
		goto fail;
	}
	if (p->pid == 0)
		child_exec(exe, argv, env, cwd, outp[1], errp[1]);
	(void)setpgid(p->pid, p->pid);
	free(env);
	close(outp[1]);
	close(errp[1]);
	p->fd = outp[0];
	p->cp = cp;
	p->pr = pr;
	pr->started = 1;
	if (read(errp[0], &e, sizeof(e)) == (ssize_t)sizeof(e)) {
		pr->started = 0;
		(void)snprintf(pr->msg, sizeof(pr->msg), "cannot run %s: %s", exe,
		               acs_errno_text(e));
	}
	close(errp[0]);
	*out = p;
	return;
fail:
	free(env);
	free(p);
	for (e = 0; e < 2; e++) {
		if (outp[e] >= 0)
			close(outp[e]);
		if (errp[e] >= 0)
			close(errp[e]);
	}
}

void acs_proc_run(char *const argv[], char *const envp[], const char *cwd, double timeout,
                  struct acs_proc_capture *cp, struct acs_proc_result *pr)
{
	struct acs_proc *p = NULL;

	acs_proc_start(&p, argv, envp, cwd, cp, pr);
	if (p == NULL)
		return;
	drain(p, p->t0 + timeout, NULL, NULL);
	acs_proc_stop(p);
}

void acs_proc_run_until(char *const argv[], char *const envp[], const char *cwd, double timeout,
                        int (*stop)(void *), void *arg, struct acs_proc_capture *cp,
                        struct acs_proc_result *pr)
{
	struct acs_proc *p = NULL;

	acs_proc_start(&p, argv, envp, cwd, cp, pr);
	if (p == NULL)
		return;
	drain(p, p->t0 + timeout, stop, arg);
	acs_proc_stop(p);
}
