/*
 * The mock CA's listeners (libmicrohttpd, HTTPS through GnuTLS with the
 * OpenSSL-made PEM), the scenario registry, the validation workers, and the
 * public API of mockca.h.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "harness/b64url.h"
#include "mockserver/internal.h"

struct listener {
	struct acs_mockca *ca;
	const char *scheme;
};

struct conn_ctx {
	struct acs_buf body;
	int too_big;
};

/* ---- scenarios ---- */

static int scenario_name_ok(const char *n, size_t len)
{
	size_t i;

	if (len == 0 || len > 64)
		return 0;
	for (i = 0; i < len; i++) {
		char c = n[i];

		if (!(isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return !(len == 1 && n[0] == '.') && !(len == 2 && n[0] == '.' && n[1] == '.');
}

static void scenario_free(struct mca_scenario *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->naccts; i++) {
		acs_key_free(s->accts[i]->key);
		acs_key_free(s->accts[i]->old_key);
		json_decref(s->accts[i]->extra);
		json_decref(s->accts[i]->jwk);
		json_decref(s->accts[i]->contact);
		json_decref(s->accts[i]->eab);
		free(s->accts[i]->orders);
		free(s->accts[i]);
	}
	for (i = 0; i < s->norders; i++) {
		json_decref(s->orders[i]->identifiers);
		json_decref(s->orders[i]->error);
		free(s->orders[i]->authz);
		free(s->orders[i]->not_before);
		free(s->orders[i]->not_after);
		free(s->orders[i]);
	}
	for (i = 0; i < s->nauthzs; i++)
		free(s->authzs[i]);
	for (i = 0; i < s->nchalls; i++) {
		json_decref(s->challs[i]->error);
		free(s->challs[i]);
	}
	for (i = 0; i < s->ncerts; i++) {
		X509_free(s->certs[i]->leaf);
		X509_free(s->certs[i]->alt_leaf);
		free(s->certs[i]->chain);
		free(s->certs[i]->alt_chain);
		free(s->certs[i]);
	}
	free(s->accts);
	free(s->orders);
	free(s->authzs);
	free(s->challs);
	free(s->certs);
	json_decref(s->log);
	json_decref(s->check_counts);
	free(s->eab_kid);
	free(s->eab_key);
	acs_nonce_store_free(s->nonces);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static struct mca_scenario *scenario_new(struct acs_mockca *ca, const char *name)
{
	struct mca_scenario *s = calloc(1, sizeof(*s));

	if (s == NULL)
		return NULL;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		free(s);
		return NULL;
	}
	(void)snprintf(s->name, sizeof(s->name), "%s", name);
	s->log = json_array();
	s->check_counts = json_object();
	memcpy(s->mb, ca->default_mb, sizeof(s->mb));
	/* the CA-wide EAB requirement (acs_mockca_opts) is every scenario's default */
	if (ca->eab_kid != NULL) {
		s->eab_kid = strdup(ca->eab_kid);
		s->eab_key = malloc(ca->eab_key_len);
		if (s->eab_kid == NULL || s->eab_key == NULL) {
			scenario_free(s);
			return NULL;
		}
		memcpy(s->eab_key, ca->eab_key, ca->eab_key_len);
		s->eab_key_len = ca->eab_key_len;
	}
	if (s->log == NULL || s->check_counts == NULL ||
	    acs_nonce_store_new(&s->nonces, 1024) != 0) {
		scenario_free(s);
		return NULL;
	}
	s->refs = 1; /* the registry's */
	return s;
}

/* Registry lock held. */
static struct mca_scenario *scenario_find(struct acs_mockca *ca, const char *name)
{
	struct mca_scenario *s;

	for (s = ca->scenarios; s != NULL; s = s->next) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

struct mca_scenario *acs_mca_scn_get(struct acs_mockca *ca, const char *name, int create)
{
	struct mca_scenario *s;

	pthread_mutex_lock(&ca->reg_lock);
	s = scenario_find(ca, name);
	if (s == NULL && create && scenario_name_ok(name, strlen(name))) {
		s = scenario_new(ca, name);
		if (s != NULL) {
			s->next = ca->scenarios;
			ca->scenarios = s;
		}
	}
	if (s != NULL)
		s->refs++;
	pthread_mutex_unlock(&ca->reg_lock);
	return s;
}

void acs_mca_scn_put(struct acs_mockca *ca, struct mca_scenario *s)
{
	int last;

	if (s == NULL)
		return;
	pthread_mutex_lock(&ca->reg_lock);
	last = --s->refs == 0;
	pthread_mutex_unlock(&ca->reg_lock);
	if (last)
		scenario_free(s);
}

void acs_mca_log_add(struct mca_scenario *s, json_t *ent)
{
	json_t *checks = json_object_get(ent, "checks"), *c;
	size_t i;

	json_array_foreach(checks, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));
		json_int_t n;

		if (id == NULL)
			continue;
		n = json_integer_value(json_object_get(s->check_counts, id));
		json_object_set_new(s->check_counts, id, json_integer(n + 1));
	}
	json_array_append_new(s->log, ent);
	while (json_array_size(s->log) > MCA_LOG_MAX)
		json_array_remove(s->log, 0);
}

/* ---- validation workers ---- */

static void vjob_free(struct acs_mockca *ca, struct mca_vjob *j)
{
	if (j == NULL)
		return;
	acs_mca_scn_put(ca, j->scn);
	free(j->keyauth);
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

/* Queue a job whose scenario reference it holds already. */
static void enqueue_job(struct acs_mockca *ca, struct mca_vjob *job, unsigned int delay_ms);

void acs_mca_enqueue_scn(struct acs_mockca *ca, struct mca_scenario *s, struct mca_vjob *job,
                         unsigned int delay_ms)
{
	pthread_mutex_lock(&ca->reg_lock);
	s->refs++;
	pthread_mutex_unlock(&ca->reg_lock);
	job->scn = s;
	enqueue_job(ca, job, delay_ms);
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

static void *worker_main(void *arg)
{
	struct acs_mockca *ca = arg;
	sigset_t set;

	/* a validation target closing early must not kill the process with SIGPIPE */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		struct mca_vjob *job = NULL, *prev, *earliest;
		struct acs_buf detail;
		const char *errtype = NULL;
		json_t *ent;
		struct timespec ts;
		int ok, retry = 0;

		pthread_mutex_lock(&ca->q_lock);
		/* the first job that is due; else sleep until the earliest one is */
		while (!ca->q_stop) {
			clock_gettime(CLOCK_REALTIME, &ts);
			earliest = NULL;
			for (prev = NULL, job = ca->q_head; job != NULL;
			     prev = job, job = job->next) {
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
				break;
			}
			if (earliest != NULL)
				(void)pthread_cond_timedwait(&ca->q_cond, &ca->q_lock,
				                             &earliest->due);
			else
				pthread_cond_wait(&ca->q_cond, &ca->q_lock);
		}
		if (ca->q_stop) {
			pthread_mutex_unlock(&ca->q_lock);
			break;
		}
		pthread_mutex_unlock(&ca->q_lock);

		acs_buf_init(&detail, 2048);
		clock_gettime(CLOCK_REALTIME, &ts);
		ent = json_pack("{s:s, s:f, s:s, s:s, s:s}", "method", "VALIDATE", "time",
		                (double)ts.tv_sec + ts.tv_nsec / 1e9, "endpoint",
		                acs_mca_ctype_names[job->type], "identifier", job->ident.value,
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
			retry =
			    acs_mca_validation_retry(job->scn, job->chall, errtype, detail.data);
		if (!retry)
			acs_mca_validation_done(ca, job->scn, job->chall, ok, errtype, detail.data);
		json_object_set_new(ent, "result",
		                    json_string(ok      ? "valid"
		                                : retry ? "retry"
		                                        : "invalid"));
		acs_mca_log_add(job->scn, ent);
		pthread_mutex_unlock(&job->scn->lock);
		acs_buf_free(&detail);
		if (retry) {
			/* section 8.2: try again a little later (one retry, after 1 s) */
			job->attempt++;
			enqueue_job(ca, job, 1000);
		} else {
			vjob_free(ca, job);
		}
	}
	return NULL;
}

/* ---- HTTP ---- */

const char *acs_mca_req_header(struct mca_req *r, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

static int host_ok(const char *h)
{
	size_t i, n = strlen(h);

	if (n == 0 || n > 255)
		return 0;
	for (i = 0; i < n; i++) {
		char c = h[i];

		if (!(isalnum((unsigned char)c) || c == '.' || c == '-' || c == ':' || c == '[' ||
		      c == ']'))
			return 0;
	}
	return 1;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn, struct mca_resp *resp)
{
	struct MHD_Response *mr;
	enum MHD_Result ret;
	size_t i;

	mr = MHD_create_response_from_buffer(resp->body.len,
	                                     resp->body.len > 0 ? resp->body.data : (void *)"",
	                                     MHD_RESPMEM_MUST_COPY);
	if (mr == NULL)
		return MHD_NO;
	if (resp->ctype != NULL && resp->body.len > 0)
		(void)MHD_add_response_header(mr, "Content-Type", resp->ctype);
	for (i = 0; i < resp->nh; i++)
		(void)MHD_add_response_header(mr, resp->hname[i], resp->hval[i]);
	ret = MHD_queue_response(conn, resp->status, mr);
	MHD_destroy_response(mr);
	return ret;
}

static void resp_clear(struct mca_resp *resp)
{
	size_t i;

	for (i = 0; i < resp->nh; i++) {
		free(resp->hname[i]);
		free(resp->hval[i]);
	}
	acs_buf_free(&resp->body);
}

/* A problem answered outside any scenario (no nonce to give). */
static enum MHD_Result bare_problem(struct MHD_Connection *conn, unsigned int status,
                                    const char *type, const char *detail)
{
	struct mca_resp resp;
	json_t *o;
	char *text;
	char full[128];
	enum MHD_Result ret;

	memset(&resp, 0, sizeof(resp));
	acs_buf_init(&resp.body, MCA_BODY_MAX);
	(void)snprintf(full, sizeof(full), "urn:ietf:params:acme:error:%s", type);
	o = json_pack("{s:s, s:s, s:i}", "type", full, "detail", detail, "status", (int)status);
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (text != NULL)
		(void)acs_buf_puts(&resp.body, text);
	free(text);
	json_decref(o);
	resp.status = status;
	resp.ctype = "application/problem+json";
	ret = send_resp(conn, &resp);
	resp_clear(&resp);
	return ret;
}

static enum MHD_Result dispatch(struct listener *l, struct MHD_Connection *conn, const char *url,
                                const char *method, struct conn_ctx *cc)
{
	struct acs_mockca *ca = l->ca;
	struct mca_req r;
	struct acs_buf b;
	const char *host, *slash;
	char name[72];
	size_t nlen;
	enum MHD_Result ret;

	if (strncmp(url, "/s/", 3) != 0)
		return bare_problem(conn, 404, "malformed",
		                    "the mock CA serves scenarios under /s/<scenario>/directory");
	slash = strchr(url + 3, '/');
	nlen = slash != NULL ? (size_t)(slash - (url + 3)) : strlen(url + 3);
	if (!scenario_name_ok(url + 3, nlen) || slash == NULL)
		return bare_problem(conn, 404, "malformed", "bad scenario name");
	memcpy(name, url + 3, nlen);
	name[nlen] = '\0';

	memset(&r, 0, sizeof(r));
	r.ca = ca;
	r.conn = conn;
	r.method = method;
	r.path = slash;
	r.body = cc->body.data != NULL ? cc->body.data : "";
	r.body_len = cc->body.len;
	acs_buf_init(&r.resp.body, (size_t)4 * 1024 * 1024);
	r.scn = acs_mca_scn_get(ca, name, ca->o.auto_scenarios);
	if (r.scn == NULL) {
		acs_buf_free(&r.resp.body);
		return bare_problem(conn, 404, "malformed", "unknown scenario");
	}
	/* URLs are built from the Host the client used, as the url check compares with it */
	host = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Host");
	acs_buf_init(&b, 1024);
	if (host != NULL && host_ok(host))
		(void)acs_buf_printf(&b, "%s://%s", l->scheme, host);
	else
		(void)acs_buf_puts(&b, strcmp(l->scheme, "http") == 0 ? ca->plain_base_url
		                                                      : ca->base_url);
	r.base = acs_buf_steal(&b);
	acs_buf_init(&b, 1024);
	(void)acs_buf_printf(&b, "%s/s/%s", r.base != NULL ? r.base : "", name);
	r.sbase = acs_buf_steal(&b);
	acs_buf_init(&b, 4096);
	(void)acs_buf_printf(&b, "%s%s", r.sbase != NULL ? r.sbase : "", slash);
	r.url = acs_buf_steal(&b);
	r.logent = json_object();
	if (r.base == NULL || r.sbase == NULL || r.url == NULL || r.logent == NULL) {
		ret = bare_problem(conn, 500, "serverInternal", "out of memory");
		goto out;
	}

	pthread_mutex_lock(&r.scn->lock);
	if (cc->too_big) {
		r.path = "/directory"; /* any known path: only the problem matters */
		json_object_set_new(r.logent, "method", json_string(method));
		json_object_set_new(r.logent, "url", json_string(r.url));
		json_object_set_new(r.logent, "seq", json_integer((json_int_t)++r.scn->seq));
		json_object_set_new(r.logent, "checks", json_array());
		r.scn->requests++;
		acs_mca_problem(&r, 413, "malformed", "request body over %zu bytes",
		                (size_t)MCA_BODY_MAX);
		json_object_set_new(r.logent, "status", json_integer(413));
	} else {
		acs_mca_handle(&r);
	}
	acs_mca_log_add(r.scn, r.logent);
	r.logent = NULL;
	pthread_mutex_unlock(&r.scn->lock);
	ret = send_resp(conn, &r.resp);
out:
	json_decref(r.logent);
	acs_mca_scn_put(ca, r.scn);
	resp_clear(&r.resp);
	free(r.base);
	free(r.sbase);
	free(r.url);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
	struct conn_ctx *cc = *con_cls;

	(void)version;
	if (cc == NULL) {
		cc = calloc(1, sizeof(*cc));
		if (cc == NULL)
			return MHD_NO;
		acs_buf_init(&cc->body, MCA_BODY_MAX);
		*con_cls = cc;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* keep reading past the cap so that the client gets a 413, not a reset */
		if (!cc->too_big && acs_buf_append(&cc->body, upload, *upload_size) != 0)
			cc->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	return dispatch(cls, conn, url, method, cc);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *cc = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (cc == NULL)
		return;
	acs_buf_free(&cc->body);
	free(cc);
	*con_cls = NULL;
}

static struct MHD_Daemon *start_daemon(struct acs_mockca *ca, struct listener *l, int tls, int port,
                                       int *bound, struct acs_err *err)
{
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
	struct sockaddr *sa;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;
	unsigned int threads = ca->o.threads > 0 ? ca->o.threads : 8;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&sa4, 0, sizeof(sa4));
	memset(&sa6, 0, sizeof(sa6));
	if (inet_pton(AF_INET, ca->bind_addr, &sa4.sin_addr) == 1) {
		sa4.sin_family = AF_INET;
		sa4.sin_port = htons((uint16_t)port);
		sa = (struct sockaddr *)&sa4;
	} else if (inet_pton(AF_INET6, ca->bind_addr, &sa6.sin6_addr) == 1) {
		sa6.sin6_family = AF_INET6;
		sa6.sin6_port = htons((uint16_t)port);
		sa = (struct sockaddr *)&sa6;
		flags |= MHD_USE_IPv6;
	} else {
		acs_err_set(err, ACS_E_INVAL, "bind address %s is not an IP address",
		            ca->bind_addr);
		return NULL;
	}
	if (tls)
		flags |= MHD_USE_TLS;
	errno = 0;
	if (tls)
		d = MHD_start_daemon(
		    flags, (uint16_t)port, NULL, NULL, on_request, l, MHD_OPTION_SOCK_ADDR, sa,
		    MHD_OPTION_HTTPS_MEM_CERT, ca->pki->https_cert_pem, MHD_OPTION_HTTPS_MEM_KEY,
		    ca->pki->https_key_pem, MHD_OPTION_THREAD_POOL_SIZE, threads,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_NOTIFY_COMPLETED,
		    on_completed, NULL, MHD_OPTION_END);
	else
		d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, l,
		                     MHD_OPTION_SOCK_ADDR, sa, MHD_OPTION_THREAD_POOL_SIZE, threads,
		                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60,
		                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		                     MHD_OPTION_END);
	if (d == NULL) {
		acs_err_set(err, ACS_E_IO, "cannot bind %s:%d: %s", ca->bind_addr, port,
		            errno != 0 ? strerror(errno) : "libmicrohttpd refused to start");
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = info != NULL ? info->port : port;
	return d;
}

/* ---- files ---- */

static char *path_join(const char *dir, const char *file)
{
	struct acs_buf b;

	acs_buf_init(&b, 4096);
	if (acs_buf_printf(&b, "%s/%s", dir, file) != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	return acs_buf_steal(&b);
}

static int write_file(const char *dir, const char *name, const char *a, const char *b, mode_t mode,
                      struct acs_err *err)
{
	char *path = path_join(dir, name);
	FILE *f = NULL;
	int rc = 0;

	if (path == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	f = fopen(path, "w");
	if (f == NULL) {
		rc = acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno));
		goto out;
	}
	(void)chmod(path, mode);
	if (fputs(a, f) == EOF || (b != NULL && fputs(b, f) == EOF))
		rc = acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno));
	if (fclose(f) != 0 && rc == 0)
		rc = acs_err_set(err, ACS_E_IO, "cannot write %s: %s", path, strerror(errno));
out:
	free(path);
	return rc;
}

static const char *const workdir_files[] = {"ca.pem", "roots-all.pem", "intermediate.pem",
                                            "https-cert.pem", "https-key.pem"};

/* ---- public API ---- */

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

int acs_mockca_start(struct acs_mockca **out, const struct acs_mockca_opts *o, struct acs_err *err)
{
	struct acs_mockca *ca = NULL;
	static const struct acs_mockca_opts defaults;
	const char *https_names[3];
	struct listener *ls = NULL;
	struct acs_buf b;
	int rc, i;

	if (o == NULL)
		o = &defaults;
	ca = calloc(1, sizeof(*ca));
	ls = calloc(2, sizeof(*ls));
	if (ca == NULL || ls == NULL) {
		free(ca);
		free(ls);
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	}
	ca->o = *o;
	pthread_mutex_init(&ca->reg_lock, NULL);
	pthread_mutex_init(&ca->q_lock, NULL);
	pthread_cond_init(&ca->q_cond, NULL);
	ca->listeners = ls;
	ca->bind_addr = strdup(o->bind_addr != NULL ? o->bind_addr : "127.0.0.1");
	ca->validate_addr = strdup(o->validate_addr != NULL ? o->validate_addr : "127.0.0.1");
	ca->dns_server = dup_or_null(o->dns_server);
	ca->o.bind_addr = NULL;
	ca->o.workdir = NULL;
	ca->o.dns_server = NULL;
	ca->o.validate_addr = NULL;
	ca->o.eab_kid = NULL;
	ca->o.eab_hmac = NULL;
	if (ca->o.http01_port == 0)
		ca->o.http01_port = 80;
	if (ca->o.tlsalpn01_port == 0)
		ca->o.tlsalpn01_port = 443;
	if (ca->o.validation_timeout_ms == 0)
		ca->o.validation_timeout_ms = 5000;
	if (ca->bind_addr == NULL || ca->validate_addr == NULL ||
	    (o->dns_server != NULL && ca->dns_server == NULL)) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto fail;
	}
	if ((o->eab_kid != NULL) != (o->eab_hmac != NULL)) {
		rc = acs_err_set(err, ACS_E_INVAL,
		                 "EAB needs both a key identifier and an HMAC key");
		goto fail;
	}
	if (o->eab_kid != NULL) {
		struct acs_err e2;

		ca->eab_kid = strdup(o->eab_kid);
		if (ca->eab_kid == NULL ||
		    acs_b64url_decode(o->eab_hmac, strlen(o->eab_hmac), &ca->eab_key,
		                      &ca->eab_key_len, &e2) != 0 ||
		    ca->eab_key_len == 0) {
			rc = acs_err_set(err, ACS_E_INVAL, "EAB HMAC key is not base64url");
			goto fail;
		}
	}
	if (o->workdir != NULL) {
		ca->workdir = strdup(o->workdir);
		if (ca->workdir == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
			goto fail;
		}
		if (mkdir(ca->workdir, 0700) != 0 && errno != EEXIST) {
			rc = acs_err_set(err, ACS_E_IO, "cannot create %s: %s", ca->workdir,
			                 strerror(errno));
			goto fail;
		}
	} else {
		const char *tmp = getenv("TMPDIR");

		acs_buf_init(&b, 4096);
		(void)acs_buf_printf(&b, "%s/acmespec-mockca-XXXXXX",
		                     tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
		ca->workdir = acs_buf_steal(&b);
		if (ca->workdir == NULL || mkdtemp(ca->workdir) == NULL) {
			rc = acs_err_set(err, ACS_E_IO, "cannot create a work directory: %s",
			                 strerror(errno));
			goto fail;
		}
		ca->own_workdir = 1;
	}
	https_names[0] = "localhost";
	https_names[1] = "127.0.0.1";
	https_names[2] = "::1";
	rc = acs_mca_pki_make(&ca->pki, https_names, 3, err);
	if (rc != 0)
		goto fail;
	if ((rc = write_file(ca->workdir, "ca.pem", ca->pki->root_pem, NULL, 0644, err)) != 0 ||
	    (rc = write_file(ca->workdir, "roots-all.pem", ca->pki->root_pem, ca->pki->alt_root_pem,
	                     0644, err)) != 0 ||
	    (rc = write_file(ca->workdir, "intermediate.pem", ca->pki->inter_pem, NULL, 0644,
	                     err)) != 0 ||
	    (rc = write_file(ca->workdir, "https-cert.pem", ca->pki->https_cert_pem, NULL, 0644,
	                     err)) != 0 ||
	    (rc = write_file(ca->workdir, "https-key.pem", ca->pki->https_key_pem, NULL, 0600,
	                     err)) != 0)
		goto fail;
	ca->bundle_path = path_join(ca->workdir, "ca.pem");
	ca->all_roots_path = path_join(ca->workdir, "roots-all.pem");

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = acs_err_set(err, ACS_E_IO, "cannot initialise libcurl");
		goto fail;
	}
	ca->curl_inited = 1;
	for (i = 0; i < 4; i++) {
		if (pthread_create(&ca->workers[i], NULL, worker_main, ca) != 0) {
			rc = acs_err_set(err, ACS_E_IO, "cannot start validation threads");
			goto fail;
		}
		ca->nworkers++;
	}
	ls[0].ca = ca;
	ls[0].scheme = "https";
	ls[1].ca = ca;
	ls[1].scheme = "http";
	ca->mhd = start_daemon(ca, &ls[0], 1, o->port, &ca->port, err);
	if (ca->mhd == NULL) {
		rc = err != NULL ? err->code : ACS_E_IO;
		goto fail;
	}
	acs_buf_init(&b, 1024);
	if (strchr(ca->bind_addr, ':') != NULL)
		(void)acs_buf_printf(&b, "https://[%s]:%d", ca->bind_addr, ca->port);
	else
		(void)acs_buf_printf(&b, "https://%s:%d", ca->bind_addr, ca->port);
	ca->base_url = acs_buf_steal(&b);
	if (o->plain_http) {
		ca->mhd_plain =
		    start_daemon(ca, &ls[1], 0, o->plain_http_port, &ca->plain_port, err);
		if (ca->mhd_plain == NULL) {
			rc = err != NULL ? err->code : ACS_E_IO;
			goto fail;
		}
		acs_buf_init(&b, 1024);
		(void)acs_buf_printf(&b, "http://%s:%d", ca->bind_addr, ca->plain_port);
		ca->plain_base_url = acs_buf_steal(&b);
	}
	if (ca->base_url == NULL || ca->bundle_path == NULL || ca->all_roots_path == NULL ||
	    (o->plain_http && ca->plain_base_url == NULL)) {
		rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		goto fail;
	}
	*out = ca;
	return 0;
fail:
	acs_mockca_stop(ca);
	return rc != 0 ? rc : ACS_E_IO;
}

void acs_mockca_stop(struct acs_mockca *ca)
{
	struct mca_scenario *s, *next;
	struct mca_vjob *j, *jn;
	size_t i;
	int k;

	if (ca == NULL)
		return;
	if (ca->mhd != NULL)
		MHD_stop_daemon(ca->mhd);
	if (ca->mhd_plain != NULL)
		MHD_stop_daemon(ca->mhd_plain);
	pthread_mutex_lock(&ca->q_lock);
	ca->q_stop = 1;
	pthread_cond_broadcast(&ca->q_cond);
	j = ca->q_head;
	ca->q_head = ca->q_tail = NULL;
	pthread_mutex_unlock(&ca->q_lock);
	for (k = 0; k < ca->nworkers; k++)
		pthread_join(ca->workers[k], NULL);
	for (; j != NULL; j = jn) {
		jn = j->next;
		vjob_free(ca, j);
	}
	for (s = ca->scenarios; s != NULL; s = next) {
		next = s->next;
		acs_mca_scn_put(ca, s);
	}
	if (ca->own_workdir && ca->workdir != NULL) {
		for (i = 0; i < sizeof(workdir_files) / sizeof(workdir_files[0]); i++) {
			char *p = path_join(ca->workdir, workdir_files[i]);

			if (p != NULL)
				(void)unlink(p);
			free(p);
		}
		(void)rmdir(ca->workdir);
	}
	if (ca->curl_inited)
		curl_global_cleanup();
	acs_mca_pki_free(ca->pki);
	free(ca->bind_addr);
	free(ca->workdir);
	free(ca->dns_server);
	free(ca->validate_addr);
	free(ca->eab_kid);
	free(ca->eab_key);
	free(ca->bundle_path);
	free(ca->all_roots_path);
	free(ca->base_url);
	free(ca->plain_base_url);
	free(ca->listeners);
	pthread_mutex_destroy(&ca->reg_lock);
	pthread_mutex_destroy(&ca->q_lock);
	pthread_cond_destroy(&ca->q_cond);
	free(ca);
}

int acs_mockca_port(const struct acs_mockca *ca)
{
	return ca->port;
}

const char *acs_mockca_base_url(const struct acs_mockca *ca)
{
	return ca->base_url;
}

const char *acs_mockca_plain_base_url(const struct acs_mockca *ca)
{
	return ca->plain_base_url;
}

const char *acs_mockca_bundle_path(const struct acs_mockca *ca)
{
	return ca->bundle_path;
}

const char *acs_mockca_all_roots_path(const struct acs_mockca *ca)
{
	return ca->all_roots_path;
}

const char *acs_mockca_workdir(const struct acs_mockca *ca)
{
	return ca->workdir;
}

char *acs_mockca_directory_url(const struct acs_mockca *ca, const char *scenario)
{
	struct acs_buf b;

	acs_buf_init(&b, 4096);
	if (acs_buf_printf(&b, "%s/s/%s/directory", ca->base_url, scenario) != 0) {
		acs_buf_free(&b);
		return NULL;
	}
	return acs_buf_steal(&b);
}

int acs_mockca_scenario_add(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario *s;
	int rc = 0;

	if (scenario == NULL || !scenario_name_ok(scenario, strlen(scenario)))
		return acs_err_set(err, ACS_E_INVAL, "bad scenario name \"%s\"",
		                   scenario != NULL ? scenario : "");
	pthread_mutex_lock(&ca->reg_lock);
	if (scenario_find(ca, scenario) != NULL) {
		rc = acs_err_set(err, ACS_E_STATE, "scenario %s exists already", scenario);
	} else {
		s = scenario_new(ca, scenario);
		if (s == NULL) {
			rc = acs_err_set(err, ACS_E_NOMEM, "out of memory");
		} else {
			s->next = ca->scenarios;
			ca->scenarios = s;
		}
	}
	pthread_mutex_unlock(&ca->reg_lock);
	return rc;
}

int acs_mockca_scenario_remove(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario **pp, *s = NULL;

	pthread_mutex_lock(&ca->reg_lock);
	for (pp = &ca->scenarios; *pp != NULL; pp = &(*pp)->next) {
		if (strcmp((*pp)->name, scenario) == 0) {
			s = *pp;
			*pp = s->next;
			break;
		}
	}
	pthread_mutex_unlock(&ca->reg_lock);
	if (s == NULL)
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	acs_mca_scn_put(ca, s);
	return 0;
}

int acs_mockca_misbehave(struct acs_mockca *ca, const char *scenario, const char *spec,
                         struct acs_err *err)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	int rc;

	if (s == NULL)
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	pthread_mutex_lock(&s->lock);
	rc = acs_mca_mb_set(s->mb, spec, err);
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return rc;
}

int acs_mockca_misbehave_default(struct acs_mockca *ca, const char *spec, struct acs_err *err)
{
	int rc;

	pthread_mutex_lock(&ca->reg_lock);
	rc = acs_mca_mb_set(ca->default_mb, spec, err);
	pthread_mutex_unlock(&ca->reg_lock);
	return rc;
}

int acs_mockca_misbehave_clear(struct acs_mockca *ca, const char *scenario, struct acs_err *err)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);

	if (s == NULL)
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	pthread_mutex_lock(&s->lock);
	memset(s->mb, 0, sizeof(s->mb));
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return 0;
}

json_t *acs_mockca_log(struct acs_mockca *ca, const char *scenario)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	json_t *copy;

	if (s == NULL)
		return NULL;
	pthread_mutex_lock(&s->lock);
	copy = json_deep_copy(s->log);
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return copy;
}

int acs_mockca_scenario_eab(struct acs_mockca *ca, const char *scenario, const char *kid,
                            const char *hmac_b64url, struct acs_err *err)
{
	struct mca_scenario *s;
	unsigned char *key = NULL;
	size_t klen = 0;
	char *k = NULL;
	struct acs_err e2;

	if ((kid == NULL) != (hmac_b64url == NULL))
		return acs_err_set(err, ACS_E_INVAL,
		                   "EAB needs both a key identifier and an HMAC key");
	if (kid != NULL) {
		if (kid[0] == '\0')
			return acs_err_set(err, ACS_E_INVAL, "EAB key identifier is empty");
		if (acs_b64url_decode(hmac_b64url, strlen(hmac_b64url), &key, &klen, &e2) != 0 ||
		    klen == 0) {
			free(key);
			return acs_err_set(err, ACS_E_INVAL, "EAB HMAC key is not base64url");
		}
		k = strdup(kid);
		if (k == NULL) {
			free(key);
			return acs_err_set(err, ACS_E_NOMEM, "out of memory");
		}
	}
	s = acs_mca_scn_get(ca, scenario, 0);
	if (s == NULL) {
		free(k);
		free(key);
		return acs_err_set(err, ACS_E_NOTFOUND, "unknown scenario %s", scenario);
	}
	pthread_mutex_lock(&s->lock);
	free(s->eab_kid);
	free(s->eab_key);
	s->eab_kid = k;
	s->eab_key = key;
	s->eab_key_len = klen;
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return 0;
}

size_t acs_mockca_check_count(struct acs_mockca *ca, const char *scenario, const char *check_id)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	size_t n;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = (size_t)json_integer_value(json_object_get(s->check_counts, check_id));
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return n;
}

size_t acs_mockca_request_count(struct acs_mockca *ca, const char *scenario)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	size_t n;

	if (s == NULL)
		return 0;
	pthread_mutex_lock(&s->lock);
	n = s->requests;
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return n;
}

json_t *acs_mockca_issued(struct acs_mockca *ca, const char *scenario)
{
	struct mca_scenario *s = acs_mca_scn_get(ca, scenario, 0);
	json_t *arr;
	size_t i;

	if (s == NULL)
		return NULL;
	arr = json_array();
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->ncerts; i++) {
		char *pem = acs_mca_x509_pem(s->certs[i]->leaf);

		if (pem != NULL)
			json_array_append_new(arr, json_string(pem));
		free(pem);
	}
	pthread_mutex_unlock(&s->lock);
	acs_mca_scn_put(ca, s);
	return arr;
}
