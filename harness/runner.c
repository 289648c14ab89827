/*
 * The runner: a pool of worker threads takes cases from a shared index,
 * runs each through the side's callback, times it, applies expectations
 * and fills the rerun command. Results stay in catalog order whatever the
 * order in which the cases finish.
 */
#include "harness/runner.h"

#include "harness/cancel.h"
#include "harness/clock.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness/buf.h"

struct run_state {
	const struct acs_run_opts *opts;
	const struct acs_case **cases; /* the filtered cases, catalog order */
	struct acs_result *results;    /* same order */
	size_t n;
	size_t next;        /* next index to take (under mu) */
	size_t done;        /* finished cases (under mu) */
	const char *failed; /* --fail-fast: the first failing case's id (under mu) */
	pthread_mutex_t mu;
};

/* Characters that need no quoting in a POSIX shell word. */
static int shell_safe(const char *s)
{
	size_t i;

	if (s[0] == '\0')
		return 0;
	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || strchr("._-+/:=@,%", ch) != NULL))
			return 0;
	}
	return 1;
}

/* prefix " --case " id, the id single-quoted when it needs it. */
static char *rerun_command(const char *prefix, const char *id)
{
	struct acs_buf b;
	size_t i;
	int rc;

	acs_buf_init(&b, 0);
	rc = acs_buf_printf(&b, "%s --case ", prefix != NULL ? prefix : "acmespec");
	if (rc == 0 && shell_safe(id)) {
		rc = acs_buf_puts(&b, id);
	} else if (rc == 0) {
		rc = acs_buf_puts(&b, "'");
		for (i = 0; rc == 0 && id[i] != '\0'; i++) {
			if (id[i] == '\'')
				rc = acs_buf_puts(&b, "'\\''");
			else
				rc = acs_buf_append(&b, &id[i], 1);
		}
		if (rc == 0)
			rc = acs_buf_puts(&b, "'");
	}
	if (rc != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	return acs_buf_steal(&b);
}

static void run_one(struct run_state *st, size_t i)
{
	const struct acs_run_opts *o = st->opts;
	struct acs_result *r = &st->results[i];
	double t0;

	r->c = st->cases[i];
	r->raw = ACS_ERROR;
	t0 = acs_clock_mono();
	o->run(o->run_ctx, r->c, r);
	r->seconds = acs_clock_mono() - t0;
	r->c = st->cases[i]; /* the callback must not redirect it */
	acs_expect_apply(o->expect, r);
	free(r->rerun);
	r->rerun = rerun_command(o->rerun_prefix, r->c->id);
}

/* --fail-fast: does verdict v stop the run? */
static int stops_run(int fail_fast, enum acs_verdict v)
{
	if (fail_fast <= 0)
		return 0;
	return v == ACS_FAIL || v == ACS_XPASS || v == ACS_ERROR ||
	       (fail_fast >= 2 && v == ACS_NONSTRICT);
}

static void *worker(void *arg)
{
	struct run_state *st = arg;
	size_t i;

	for (;;) {
		pthread_mutex_lock(&st->mu);
		if (st->next >= st->n || acs_cancel_signal() != 0 || st->failed != NULL) {
			pthread_mutex_unlock(&st->mu);
			break;
		}
		i = st->next++;
		pthread_mutex_unlock(&st->mu);

		run_one(st, i);

		pthread_mutex_lock(&st->mu);
		if (st->failed == NULL && stops_run(st->opts->fail_fast, st->results[i].verdict))
			st->failed = st->results[i].c->id;
		st->done++;
		if (st->opts->progress != NULL)
			st->opts->progress(st->opts->progress_ctx, &st->results[i], st->done,
			                   st->n);
		pthread_mutex_unlock(&st->mu);
	}
	return NULL;
}

int acs_run(const struct acs_catalog *cat, const struct acs_run_opts *opts,
            struct acs_result **results, size_t *n, struct acs_err *err)
{
	struct run_state st;
	pthread_t *threads = NULL;
	size_t i, nthreads = 0, want;
	int rc = 0, mu_ready = 0;

	memset(&st, 0, sizeof(st));
	if (cat == NULL || opts == NULL || opts->run == NULL || results == NULL || n == NULL)
		return acs_err_set(err, ACS_E_INVAL,
		                   "cannot run: missing catalog, options or "
		                   "case callback");
	st.opts = opts;
	st.cases = calloc(cat->n + 1, sizeof(*st.cases));
	if (st.cases == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < cat->n; i++) {
		if (acs_case_matches(&cat->cases[i], opts->filter))
			st.cases[st.n++] = &cat->cases[i];
	}
	if (st.n == 0) {
		rc = acs_err_set(err, ACS_E_NOTFOUND,
		                 "no case matches the filter (%zu cases in "
		                 "the catalog)",
		                 cat->n);
		goto out;
	}
	st.results = calloc(st.n, sizeof(*st.results));
	if (st.results == NULL) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto out;
	}
	if (pthread_mutex_init(&st.mu, NULL) != 0) {
		rc = acs_err_set(err, ACS_E_NOMEM, "cannot create the runner's mutex");
		goto out;
	}
	mu_ready = 1;

	want = opts->jobs > 1 ? (size_t)opts->jobs : 1;
	if (want > st.n)
		want = st.n;
	if (want > 1) {
		threads = calloc(want, sizeof(*threads));
		if (threads == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto out;
		}
		/* fewer threads than asked is fine: the pool only runs slower */
		for (nthreads = 0; nthreads < want; nthreads++) {
			if (pthread_create(&threads[nthreads], NULL, worker, &st) != 0)
				break;
		}
	}
	if (nthreads == 0)
		worker(&st);
	for (i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	/* a cancelled or --fail-fast run: the cases never started are SKIPPED, and say why */
	for (i = 0; i < st.n; i++) {
		char why[512];

		if (st.results[i].c != NULL)
			continue;
		if (st.failed != NULL)
			(void)snprintf(why, sizeof(why),
			               "not run: --fail-fast stopped the run after %s", st.failed);
		else
			(void)snprintf(why, sizeof(why), "not run: the run was interrupted");
		st.results[i].c = st.cases[i];
		st.results[i].raw = ACS_SKIPPED;
		st.results[i].verdict = ACS_SKIPPED;
		st.results[i].message = strdup(why);
	}

	*results = st.results;
	*n = st.n;
	st.results = NULL;
out:
	if (mu_ready)
		pthread_mutex_destroy(&st.mu);
	free(threads);
	free(st.results);
	free(st.cases);
	return rc;
}
