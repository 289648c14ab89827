/*
 * The mock CA object (instance.c): options, the PKI, the scenario registry
 * and the validation queue, without the listeners. acs_mockca_start
 * (server.c) adds the listeners and the work directory to one of these;
 * the request handler (handler.h) needs only this.
 */
#ifndef ACMESPEC_MOCKCA_INSTANCE_H
#define ACMESPEC_MOCKCA_INSTANCE_H

#include <pthread.h>
#include <stddef.h>
#include "harness/err.h"
#include "mockserver/mockca.h"
#include "mockserver/tables.h"

struct acs_mca_pki;
struct mca_scenario;
struct mca_vjob;

/* Every pointer is owned by the CA; strings are copies of the options. */
struct acs_mockca {
	struct acs_mockca_opts o; /* with the string members cleared (copied below) */
	char *bind_addr, *workdir, *dns_server, *validate_addr, *eab_kid;
	unsigned char *eab_key;
	size_t eab_key_len;
	int own_workdir;
	struct acs_mca_pki *pki;
	char *bundle_path, *all_roots_path;
	void *mhd, *mhd_plain; /* struct MHD_Daemon (server.c) */
	void *listeners;       /* two struct listener (server.c) */
	int curl_inited;
	int port, plain_port;
	char *base_url, *plain_base_url;
	pthread_mutex_t reg_lock;
	/* the registry's references (registry.c): hash chains and a most-recently-used list */
	struct mca_scenario **scn_buckets;
	struct mca_scenario *lru_head, *lru_tail;
	size_t nscenarios, scenario_max, log_bytes_max;
	size_t evicted; /* idle scenarios evicted so far */
	struct mca_mb_state default_mb[MB_COUNT];
	/* validation workers (workers.c) */
	pthread_mutex_t q_lock;
	pthread_cond_t q_cond;
	struct mca_vjob *q_head, *q_tail; /* jobs in order of arrival; each has a due time */
	int q_stop;
	pthread_t workers[4];
	int nworkers;
};

/*
 * A CA with o's settings (NULL: defaults), its PKI and its validation
 * workers, serving nothing yet. *out: new CA, freed with acs_mca_instance_free.
 * Errors as acs_mockca_start's, but for binding.
 */
int acs_mca_instance_new(struct acs_mockca **out, const struct acs_mockca_opts *o,
                         struct acs_err *err);

/*
 * Join the workers and free the CA and every scenario (NULL allowed). The
 * listeners must be stopped and the work directory cleaned up before.
 */
void acs_mca_instance_free(struct acs_mockca *ca);

/* ca->base_url = "https://BIND_ADDR:PORT" with ca->port; 0, or ACS_E_NOMEM. */
int acs_mca_instance_set_base_url(struct acs_mockca *ca);

#endif
