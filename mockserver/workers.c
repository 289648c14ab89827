/*
 * The validation workers: a queue of jobs, each with a due time, served by
 * a few threads; a first failure is retried once, VALIDATION_RETRY_MS later
 * (section 8.2). The due times are CLOCK_REALTIME timespecs because
 * pthread_cond_timedwait waits on that clock.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include "harness/buf.h"
#include "harness/clock.h"
#include "mockserver/instance.h"
#include "mockserver/log.h"
#include "mockserver/registry.h"
#include "mockserver/res_authz.h"
#include "mockserver/store.h"
#include "mockserver/validate.h"
#include "mockserver/workers.h"

/*
 * The pause before the one retry of a failed validation (section 8.2: "after
 * some time"). A quarter second: enough for a client that answered a moment
 * before its response was in place (Pebble and Boulder do not retry at all),
 * and a failing validation ends in well under a second.
 */
#define VALIDATION_RETRY_MS 250

static void vjob_free(struct acs_mockca *ca, struct mca_vjob *j)
{
	if (j == NULL)
		return;
	acs_mca_scn_put(ca, j->scn);
	free(j->keyauth);
	free(j->acct_url);
	free(j);
}

static void ts_add_ms(struct timespec *ts, unsigned int ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static int ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static void enqueue_job(struct acs_mockca *ca, struct mca_vjob *job, unsigned int delay_ms)
{
	clock_gettime(CLOCK_REALTIME, &job->due);
	ts_add_ms(&job->due, delay_ms);
	job->next = NULL;
	pthread_mutex_lock(&ca->q_lock);
	if (ca->q_stop) {
		pthread_mutex_unlock(&ca->q_lock);
		vjob_free(ca, job);
		return;
	}
	if (ca->q_tail != NULL)
		ca->q_tail->next = job;
	else
		ca->q_head = job;
	ca->q_tail = job;
	pthread_cond_broadcast(&ca->q_cond);
	pthread_mutex_unlock(&ca->q_lock);
}

void acs_mca_enqueue_scn(struct acs_mockca *ca, struct mca_scenario *s, struct mca_vjob *job,
                         unsigned int delay_ms)
{
	acs_mca_scn_ref(ca, s);
	job->scn = s;
	enqueue_job(ca, job, delay_ms);
}

/* The first job that is due, out of the queue; NULL when the CA stops. q_lock held. */
static struct mca_vjob *next_due_job(struct acs_mockca *ca)
{
	struct mca_vjob *job = NULL, *prev, *earliest;
	struct timespec ts;

	/* the first job that is due; else sleep until the earliest one is */
	while (!ca->q_stop) {
		clock_gettime(CLOCK_REALTIME, &ts);
		earliest = NULL;
		for (prev = NULL, job = ca->q_head; job != NULL; prev = job, job = job->next) {
			if (!ts_before(&ts, &job->due))
				break;
			if (earliest == NULL || ts_before(&job->due, &earliest->due))
				earliest = job;
		}
		if (job != NULL) {
			if (prev != NULL)
				prev->next = job->next;
			else
				ca->q_head = job->next;
			if (ca->q_tail == job)
				ca->q_tail = prev;
			return job;
		}
		if (earliest != NULL)
			(void)pthread_cond_timedwait(&ca->q_cond, &ca->q_lock, &earliest->due);
		else
			pthread_cond_wait(&ca->q_cond, &ca->q_lock);
	}
	return NULL;
}

/* Run one job and apply its result; 1 when it is to be retried. */
static int run_job(struct acs_mockca *ca, struct mca_vjob *job)
{
	struct acs_buf detail;
	const char *errtype = NULL;
	json_t *ent;
	int ok, retry = 0;

	acs_buf_init(&detail, 2048);
	ent = json_pack("{s:s, s:f, s:s, s:s, s:s}", "method", "VALIDATE", "time", acs_clock_real(),
	                "endpoint", acs_mca_ctype_names[job->type], "identifier", job->ident.value,
	                "token", job->token);
	json_object_set_new(ent, "checks", json_array());
	json_object_set_new(ent, "attempt", json_integer(job->attempt + 1));
	ok = acs_mca_validate(ca, job, ent, &errtype, &detail) == 0;
	if (!ok)
		json_object_set_new(ent, "detail",
		                    json_string(detail.data != NULL ? detail.data : ""));
	pthread_mutex_lock(&job->scn->lock);
	json_object_set_new(ent, "seq", json_integer((json_int_t)++job->scn->seq));
	if (!ok && job->attempt == 0)
		retry = acs_mca_validation_retry(job->scn, job->chall, errtype, detail.data);
	if (!retry)
		acs_mca_validation_done(job->scn, job->chall, ok, errtype, detail.data);
	json_object_set_new(ent, "result", json_string(ok ? "valid" : retry ? "retry" : "invalid"));
	acs_mca_log_add(job->scn, ent);
	pthread_mutex_unlock(&job->scn->lock);
	acs_buf_free(&detail);
	return retry;
}

static void *worker_main(void *arg)
{
	struct acs_mockca *ca = arg;
	struct mca_vjob *job;
	sigset_t set;

	/* a validation target closing early must not kill the process with SIGPIPE */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		pthread_mutex_lock(&ca->q_lock);
		job = next_due_job(ca);
		pthread_mutex_unlock(&ca->q_lock);
		if (job == NULL)
			break;
		if (run_job(ca, job)) {
			/* section 8.2: try again a little later (one retry) */
			job->attempt++;
			enqueue_job(ca, job, VALIDATION_RETRY_MS);
		} else {
			vjob_free(ca, job);
		}
	}
	return NULL;
}

int acs_mca_workers_start(struct acs_mockca *ca, struct acs_err *err)
{
	int i;

	for (i = 0; i < 4; i++) {
		if (pthread_create(&ca->workers[i], NULL, worker_main, ca) != 0)
			return acs_err_set(err, ACS_E_IO, "cannot start validation threads");
		ca->nworkers++;
	}
	return 0;
}

void acs_mca_workers_stop(struct acs_mockca *ca)
{
	struct mca_vjob *j, *jn;
	int k;

	pthread_mutex_lock(&ca->q_lock);
	ca->q_stop = 1;
	pthread_cond_broadcast(&ca->q_cond);
	j = ca->q_head;
	ca->q_head = ca->q_tail = NULL;
	pthread_mutex_unlock(&ca->q_lock);
	for (k = 0; k < ca->nworkers; k++)
		pthread_join(ca->workers[k], NULL);
	ca->nworkers = 0;
	for (; j != NULL; j = jn) {
		jn = j->next;
		vjob_free(ca, j);
	}
}
