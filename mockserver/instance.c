/*
 * The CA object without its listeners: options, EAB key, PKI, libcurl and
 * the validation workers, and the accessors of mockca.h.
 */
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include "harness/b64url.h"
#include "harness/buf.h"
#include "mockserver/ca.h"
#include "mockserver/instance.h"
#include "mockserver/registry.h"
#include "mockserver/workers.h"

static char *dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/* The options into ca: strings copied, defaults filled in, the EAB key decoded. */
static int copy_opts(struct acs_mockca *ca, const struct acs_mockca_opts *o, struct acs_err *err)
{
	struct acs_err e2;

	ca->o = *o;
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
	ca->scenario_max = o->max_scenarios != 0 ? o->max_scenarios : ACS_MOCKCA_MAX_SCENARIOS;
	ca->log_bytes_max = o->log_bytes_max != 0 ? o->log_bytes_max : ACS_MOCKCA_LOG_BYTES;
	if (ca->bind_addr == NULL || ca->validate_addr == NULL ||
	    (o->dns_server != NULL && ca->dns_server == NULL))
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	if ((o->eab_kid != NULL) != (o->eab_hmac != NULL))
		return acs_err_set(err, ACS_E_INVAL,
		                   "EAB needs both a key identifier and an HMAC key");
	if (o->eab_kid == NULL)
		return 0;
	ca->eab_kid = strdup(o->eab_kid);
	if (ca->eab_kid == NULL ||
	    acs_b64url_decode(o->eab_hmac, strlen(o->eab_hmac), &ca->eab_key, &ca->eab_key_len,
	                      &e2) != 0 ||
	    ca->eab_key_len == 0)
		return acs_err_set(err, ACS_E_INVAL, "EAB HMAC key is not base64url");
	return 0;
}

int acs_mca_instance_new(struct acs_mockca **out, const struct acs_mockca_opts *o,
                         struct acs_err *err)
{
	static const struct acs_mockca_opts defaults;
	const char *https_names[3] = {"localhost", "127.0.0.1", "::1"};
	struct acs_mockca *ca;
	int rc;

	if (o == NULL)
		o = &defaults;
	ca = calloc(1, sizeof(*ca));
	if (ca == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	pthread_mutex_init(&ca->reg_lock, NULL);
	pthread_mutex_init(&ca->q_lock, NULL);
	pthread_cond_init(&ca->q_cond, NULL);
	rc = copy_opts(ca, o, err);
	if (rc == 0)
		rc = acs_mca_pki_make(&ca->pki, https_names, 3, err);
	if (rc != 0)
		goto fail;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		rc = acs_err_set(err, ACS_E_IO, "cannot initialise libcurl");
		goto fail;
	}
	ca->curl_inited = 1;
	rc = acs_mca_workers_start(ca, err);
	if (rc != 0)
		goto fail;
	*out = ca;
	return 0;
fail:
	acs_mca_instance_free(ca);
	return rc;
}

void acs_mca_instance_free(struct acs_mockca *ca)
{
	if (ca == NULL)
		return;
	acs_mca_workers_stop(ca);
	acs_mca_registry_clear(ca);
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
	pthread_mutex_destroy(&ca->reg_lock);
	pthread_mutex_destroy(&ca->q_lock);
	pthread_cond_destroy(&ca->q_cond);
	free(ca);
}

int acs_mca_instance_set_base_url(struct acs_mockca *ca)
{
	struct acs_buf b;

	acs_buf_init(&b, 1024);
	if (strchr(ca->bind_addr, ':') != NULL)
		(void)acs_buf_printf(&b, "https://[%s]:%d", ca->bind_addr, ca->port);
	else
		(void)acs_buf_printf(&b, "https://%s:%d", ca->bind_addr, ca->port);
	free(ca->base_url);
	ca->base_url = acs_buf_steal(&b);
	return ca->base_url != NULL ? 0 : ACS_E_NOMEM;
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
