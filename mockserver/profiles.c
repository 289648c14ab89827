/*
 * Certificate profiles (draft-ietf-acme-profiles) as the mock CA offers
 * them, modelled on Let's Encrypt's three (classic, shortlived,
 * tlsserver; docs/letsencrypt.md): ip identifiers only under shortlived,
 * which gives 160-hour certificates. The baseline picks shortlived as the
 * default for an order with an ip identifier and classic otherwise; with
 * letsencrypt the default is always classic, so an ip order must ask for
 * shortlived, as at Let's Encrypt.
 */
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>
#include "mockserver/profiles.h"

struct mca_profile {
	const char *name;
	const char *description;
	int allows_ip;
	long validity; /* seconds */
};

static const struct mca_profile profiles[] = {
    {"classic", "90-day certificates for DNS names (Let's Encrypt's default profile)", 0,
     90L * 86400},
    {"shortlived", "160-hour (about 6-day) certificates for DNS names and IP addresses", 1,
     MCA_SHORTLIVED_SECONDS},
    {"tlsserver", "90-day certificates with the serverAuth key usage only, DNS names", 0,
     90L * 86400},
};
#define NPROFILES (sizeof(profiles) / sizeof(profiles[0]))

static const struct mca_profile *find_profile(const char *name)
{
	size_t i;

	for (i = 0; name != NULL && i < NPROFILES; i++) {
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	}
	return NULL;
}

void acs_mca_profiles_meta(const struct mca_scenario *s, json_t *meta)
{
	json_t *p;
	size_t i;

	if (mca_mb(s, MB_NO_PROFILES))
		return;
	p = json_object();
	for (i = 0; i < NPROFILES; i++) {
		if (mca_mb(s, MB_PROFILES_NOT_STRINGS))
			json_object_set_new(
			    p, profiles[i].name,
			    json_pack("{s:s}", "description", profiles[i].description));
		else
			json_object_set_new(p, profiles[i].name,
			                    json_string(profiles[i].description));
	}
	json_object_set_new(meta, "profiles", p);
}

static int has_ip(const struct acs_ident *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(list[i].type, "ip") == 0)
			return 1;
	}
	return 0;
}

/* The profile an order gets when it asks for none (RECOMMENDED: one). */
static const struct mca_profile *default_profile(const struct mca_scenario *s, int ip)
{
	if (mca_mb(s, MB_NO_DEFAULT_PROFILE))
		return NULL;
	return find_profile(ip && !mca_mb(s, MB_LETSENCRYPT) ? "shortlived" : "classic");
}

int acs_mca_order_profile(struct mca_req *r, const json_t *payload, const struct acs_ident *list,
                          size_t n, struct mca_order *o)
{
	const struct mca_scenario *s = r->scn;
	const json_t *pj = json_object_get(payload, "profile");
	const char *want = json_string_value(pj);
	const struct mca_profile *p;
	int ip = has_ip(list, n);

	o->profile[0] = '\0';
	if (want != NULL && (mca_mb(s, MB_NO_PROFILES) || find_profile(want) == NULL))
		acs_mca_check(r, CK_PROFILE_ADVERTISED, "newOrder asks for profile \"%.64s\", %s",
		              want,
		              mca_mb(s, MB_NO_PROFILES) ? "and the directory advertises no profiles"
		                                        : "which the directory does not advertise");
	if (mca_mb(s, MB_NO_PROFILES))
		return 0; /* the CA knows no profiles: the field is ignored as unknown */
	if (pj != NULL && (want == NULL || want[0] == '\0')) {
		acs_mca_problem(r, 400, "malformed", "profile must be a non-empty string");
		return -1;
	}
	if (want != NULL && mca_mb(s, MB_PROFILE_REFUSED)) {
		acs_mca_problem(r, 400, "invalidProfile",
		                "profile \"%s\" is no longer offered for new orders", want);
		return -1;
	}
	p = want != NULL ? find_profile(want) : default_profile(s, ip);
	if (want != NULL && p == NULL) {
		if (!mca_mb(s, MB_PROFILE_UNADVERTISED_OK)) {
			acs_mca_problem(r, 400, "invalidProfile",
			                "profile \"%.64s\" is not advertised in the directory's "
			                "meta.profiles",
			                want);
			return -1;
		}
		(void)snprintf(o->profile, sizeof(o->profile), "%s", want);
		return 0;
	}
	if (p == NULL)
		return 0;
	if (ip && !p->allows_ip) {
		if (mca_mb(s, MB_PROFILE_INCOMPATIBLE_REJECTED))
			acs_mca_problem(r, 400, "rejectedIdentifier",
			                "ip identifiers are not allowed under profile %s", p->name);
		else
			acs_mca_problem(
			    r, 400, "invalidProfile",
			    "profile %s does not allow ip identifiers; ask for shortlived",
			    p->name);
		return -1;
	}
	(void)snprintf(o->profile, sizeof(o->profile), "%s", p->name);
	if (o->not_after == NULL && p->validity == MCA_SHORTLIVED_SECONDS &&
	    !mca_mb(s, MB_SHORTLIVED_LONG))
		o->na = o->nb + 60 + p->validity;
	return 0;
}

int acs_mca_le_validity_fields(struct mca_req *r, const json_t *payload)
{
	if (!mca_mb(r->scn, MB_LETSENCRYPT) || mca_mb(r->scn, MB_VALIDITY_FIELDS_OK))
		return 0;
	if (json_object_get(payload, "notBefore") == NULL &&
	    json_object_get(payload, "notAfter") == NULL)
		return 0;
	/* Boulder's wfe2 NewOrder answer (docs/acme-divergences.md, section 7.4) */
	acs_mca_problem(r, 400, "malformed", "NotBefore and NotAfter are not supported");
	return -1;
}

/* 1 when the CSR asks for the TLS Feature extension (RFC 7633, OCSP Must-Staple). */
static int csr_must_staple(const unsigned char *der, size_t len)
{
	const unsigned char *p = der;
	X509_REQ *req = d2i_X509_REQ(NULL, &p, (long)len);
	STACK_OF(X509_EXTENSION) * exts;
	int found = 0, i;

	if (req == NULL)
		return 0;
	exts = X509_REQ_get_extensions(req);
	for (i = 0; exts != NULL && i < sk_X509_EXTENSION_num(exts); i++) {
		ASN1_OBJECT *obj = X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, i));

		found |= OBJ_obj2nid(obj) == NID_tlsfeature;
	}
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	return found;
}

int acs_mca_le_must_staple(struct mca_req *r, const unsigned char *der, size_t len)
{
	if (!mca_mb(r->scn, MB_LETSENCRYPT) || mca_mb(r->scn, MB_MUST_STAPLE_OK) ||
	    !csr_must_staple(der, len))
		return 0;
	/* Boulder's RA since OCSP ended (May 2025): probs.Unauthorized, 403 */
	acs_mca_problem(r, 403, "unauthorized",
	                "OCSP Must-Staple extension is no longer available");
	return -1;
}

void acs_mca_letsencrypt_expand(struct mca_mb_state *tab)
{
	/*
	 * Boulder's documented divergences (docs/acme-divergences.md) and
	 * observed ones (shared/reference/v1-v2-and-boulder.md b.2). Plain GET
	 * served (6.3), no orders URL (7.1.2), no newAuthz (7.4.1), no
	 * validation retries (8.2), 403 for deactivated accounts, malformed for
	 * a url mismatch, 403 unauthorized for CSR names that differ from the
	 * order, the unregistered "conflict" type on key-change collisions.
	 * notBefore/notAfter (7.4) and Must-Staple refusals, and classic as the
	 * default profile, are acted on where they happen (mca_mb
	 * MB_LETSENCRYPT). Authorization reuse, alternate chains and, when the
	 * mock CA offers it, renewalInfo are the baseline's already.
	 */
	static const enum mca_mb on[] = {
	    MB_GET_ALLOWED,
	    MB_NO_ORDERS_URL,
	    MB_NO_NEWAUTHZ,
	    MB_NO_VALIDATION_RETRY,
	    MB_DEACTIVATED_403,
	    MB_URL_MALFORMED,
	    MB_CSR_MISMATCH_UNAUTHORIZED,
	    MB_KEYCHANGE_CONFLICT_UNREGISTERED,
	};
	size_t i;

	for (i = 0; i < sizeof(on) / sizeof(on[0]); i++) {
		if (!tab[on[i]].on) {
			memset(&tab[on[i]], 0, sizeof(tab[on[i]]));
			tab[on[i]].on = 1;
			tab[on[i]].n = -1;
			tab[on[i]].endpoint = -1;
		}
	}
}
