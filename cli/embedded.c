#include "cli/embedded.h"

#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>

#include "harness/b64url.h"

int acs_embedded_start(struct acs_embedded *em, struct acs_responders *resp, struct acs_err *err)
{
	struct acs_mockca_opts mo = {0};
	unsigned char mac[32];
	char *b64 = NULL;
	char dns[64];
	int http01, tlsalpn01, dnsport;

	acs_responders_ports(resp, &http01, &tlsalpn01, &dnsport);
	snprintf(dns, sizeof(dns), "127.0.0.1:%d", dnsport);
	if (RAND_bytes(mac, sizeof(mac)) != 1)
		return acs_err_set(err, ACS_E_CRYPTO, "cannot make an EAB key");
	b64 = acs_b64url_encode(mac, sizeof(mac));
	if (b64 == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	snprintf(em->eab_hmac, sizeof(em->eab_hmac), "%s", b64);
	free(b64);
	snprintf(em->eab_kid, sizeof(em->eab_kid), "acmespec-eab-1");
	pthread_mutex_init(&em->lock, NULL);
	mo.bind_addr = "127.0.0.1";
	mo.http01_port = http01;
	mo.tlsalpn01_port = tlsalpn01;
	mo.dns_server = dns;
	mo.validate_addr = "127.0.0.1";
	return acs_mockca_start(&em->ca, &mo, err);
}

void acs_embedded_stop(struct acs_embedded *em)
{
	if (em->ca == NULL)
		return;
	acs_mockca_stop(em->ca);
	em->ca = NULL;
	pthread_mutex_destroy(&em->lock);
}

int acs_embedded_scenario(struct acs_embedded *em, const char *name, char *const *a, char *const *b,
                          int eab, char **url, struct acs_err *err)
{
	char *const *lists[2] = {a, b};
	size_t l, i;

	if (acs_mockca_scenario_add(em->ca, name, err) != 0)
		return -1;
	for (l = 0; l < 2; l++) {
		for (i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
			if (acs_mockca_misbehave(em->ca, name, lists[l][i], err) != 0)
				return -1;
		}
	}
	if (eab && acs_mockca_scenario_eab(em->ca, name, em->eab_kid, em->eab_hmac, err) != 0)
		return -1;
	*url = acs_mockca_directory_url(em->ca, name);
	if (*url == NULL)
		return acs_err_set(err, ACS_E_NOMEM, "out of memory");
	return 0;
}
