/*
 * Endpoint to handler: one table of the fixed paths and the object kinds,
 * and one switch per way of reaching a resource (GET, POST, the lax GET of
 * get-allowed).
 */
#include <string.h>
#include <strings.h>
#include "harness/clock.h"
#include "mockserver/dispatch.h"
#include "mockserver/req.h"
#include "mockserver/res_account.h"
#include "mockserver/res_ari.h"
#include "mockserver/res_authz.h"
#include "mockserver/res_cert.h"
#include "mockserver/res_directory.h"
#include "mockserver/res_keychange.h"
#include "mockserver/res_order.h"
#include "mockserver/store.h"
#include "mockserver/verify.h"

static int route(struct mca_req *r)
{
	static const struct {
		const char *path;
		int ep;
	} fixed[] = {
	    {"/directory", EP_DIRECTORY},
	    {"/new-nonce", EP_NEWNONCE},
	    {"/new-account", EP_NEWACCOUNT},
	    {"/new-order", EP_NEWORDER},
	    {"/revoke-cert", EP_REVOKE},
	    {"/key-change", EP_KEYCHANGE},
	    {"/terms", EP_TERMS},
	    {"/new-authz", EP_NEWAUTHZ},
	};
	static const struct {
		const char *prefix;
		int ep;
	} objs[] = {
	    {"/acct/", EP_ACCOUNT},    {"/order/", EP_ORDER}, {"/authz/", EP_AUTHZ},
	    {"/chall/", EP_CHALLENGE}, {"/cert/", EP_CERT},   {"/issuer/", EP_ISSUER},
	};
	const char *rest = NULL;
	size_t i;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (strcmp(r->path, fixed[i].path) == 0)
			return r->endpoint = fixed[i].ep;
	}
	if (strncmp(r->path, MCA_RENEWAL_INFO_PATH "/", sizeof(MCA_RENEWAL_INFO_PATH)) == 0 &&
	    !mca_mb(r->scn, MB_NO_RENEWAL_INFO))
		return r->endpoint = EP_RENEWALINFO;
	if (strcmp(r->path, "/issuer/0") == 0) {
		r->obj_id = 0;
		return r->endpoint = EP_ISSUER;
	}
	for (i = 0; i < sizeof(objs) / sizeof(objs[0]); i++) {
		size_t pl = strlen(objs[i].prefix);
		int id;

		if (strncmp(r->path, objs[i].prefix, pl) != 0)
			continue;
		id = objs[i].ep == EP_ISSUER
		         ? acs_mca_parse_id(r->path + pl, &rest)
		         : acs_mca_parse_ref(r->scn, objs[i].ep, r->path + pl, &rest);
		if (id < 0)
			return -1;
		r->obj_id = id;
		if (*rest == '\0')
			return r->endpoint = objs[i].ep;
		if (objs[i].ep == EP_ACCOUNT && strcmp(rest, "/orders") == 0)
			return r->endpoint = EP_ORDERS;
		if (objs[i].ep == EP_ORDER && strcmp(rest, "/finalize") == 0)
			return r->endpoint = EP_FINALIZE;
		if (objs[i].ep == EP_CERT && strcmp(rest, "/alt") == 0) {
			r->alt = 1;
			return r->endpoint = EP_CERT;
		}
		return -1;
	}
	return -1;
}

/*
 * The hostile switches the listener carries out (server.c): the response is
 * made as usual and marked; the hold defaults to 600 s, longer than any
 * client's sensible bound, and ends early when the client hangs up.
 */
static void hostile_send(struct mca_req *r)
{
	static const struct {
		enum mca_mb mb;
		enum acs_mca_send send;
	} sends[] = {
	    {MB_HOSTILE_NEVER_ANSWER, ACS_MCA_SEND_NEVER},
	    {MB_HOSTILE_TRICKLE, ACS_MCA_SEND_TRICKLE},
	    {MB_HOSTILE_BODY_HUGE, ACS_MCA_SEND_HUGE},
	    {MB_HOSTILE_CLOSE_MID_BODY, ACS_MCA_SEND_CUT},
	};
	size_t i;

	for (i = 0; i < sizeof(sends) / sizeof(sends[0]); i++) {
		const struct mca_mb_state *st = &r->scn->mb[sends[i].mb];

		if (!st->on || (st->endpoint >= 0 && st->endpoint != r->endpoint))
			continue;
		r->resp.send = sends[i].send;
		r->resp.hold_s = st->n > 0 ? (unsigned int)(st->n > 86400 ? 86400 : st->n) : 600;
		json_object_set_new(r->logent, "misbehaviour",
		                    json_string(acs_mca_mb_table[sends[i].mb].name));
		return;
	}
}

/* hostile-redirect-loop and hostile-location-off-host (issue 11). */
static void hostile(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	size_t i;

	hostile_send(r);

	if (mca_mb(s, MB_HOSTILE_REDIRECT_LOOP) && r->endpoint != EP_NEWNONCE) {
		for (i = 0; i < r->resp.nh; i++) {
			free(r->resp.hname[i]);
			free(r->resp.hval[i]);
		}
		r->resp.nh = 0;
		r->resp.body.len = 0;
		r->resp.ctype = NULL;
		r->resp.status = 302;
		(void)acs_mca_add_header(&r->resp, "Location", "%s", r->url);
		json_object_set_new(r->logent, "misbehaviour",
		                    json_string("hostile-redirect-loop"));
	}
	if (!mca_mb(s, MB_HOSTILE_LOCATION_OFF_HOST))
		return;
	for (i = 0; i < r->resp.nh; i++) {
		const char *v = r->resp.hval[i];
		const char *path;
		char *nv;
		size_t n;

		if (strcasecmp(r->resp.hname[i], "Location") != 0 || strncmp(v, "https://", 8) != 0)
			continue;
		path = strchr(v + 8, '/');
		path = path != NULL ? path : "/";
		n = strlen(path) + 32;
		nv = malloc(n);
		if (nv == NULL)
			continue;
		(void)snprintf(nv, n, ACS_MCA_OFF_HOST "%s", path);
		free(r->resp.hval[i]);
		r->resp.hval[i] = nv;
	}
}

static void finish(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	char nonce[ACS_NONCE_MAX];

	if (r->resp.status == 0)
		acs_mca_problem(r, 500, "serverInternal", "no response was produced");
	hostile(r);
	/*
	 * section 6.5: a fresh nonce on every response, errors included; like
	 * Boulder and Pebble, none on a GET other than newNonce's unless the
	 * scenario asks for that variation
	 */
	if (!mca_mb(s, MB_NO_REPLAY_NONCE) &&
	    !(strcmp(r->method, "GET") == 0 && r->endpoint != EP_NEWNONCE &&
	      !mca_mb(s, MB_NONCE_ON_GET)) &&
	    !(r->resp.status >= 400 && mca_mb(s, MB_NO_REPLAY_NONCE_ON_ERROR)) &&
	    !(r->endpoint != EP_NEWNONCE && mca_mb(s, MB_REPLAY_NONCE_NEWNONCE_ONLY))) {
		if (mca_mb(s, MB_HOSTILE_NONCE_INVALID) ||
		    acs_mca_fault_fires(r, MB_REPLAY_NONCE_INVALID)) {
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "a+b/=");
		} else if (mca_mb(s, MB_NONCE_REPEATS) && (s->nonces_issued++ % 2) == 1 &&
		           s->last_nonce[0] != '\0') {
			/* the nonce before, still unused: two responses share it */
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "%s", s->last_nonce);
		} else if (acs_nonce_issue(s->nonces, mca_mb(s, MB_NONCE_SHORT) ? 4 : 16,
		                           mca_mb(s, MB_NONCE_PADDED), nonce) == 0) {
			(void)acs_mca_add_header(&r->resp, "Replay-Nonce", "%s", nonce);
			memcpy(s->last_nonce, nonce, sizeof(s->last_nonce));
		}
	}
	/* section 6.1: servers generally accessible SHOULD allow any origin */
	if (!mca_mb(s, MB_NO_CORS))
		(void)acs_mca_add_header(&r->resp, "Access-Control-Allow-Origin", "*");
	if (r->resp.nonce_mode && !mca_mb(s, MB_NEWNONCE_NO_CACHE))
		(void)acs_mca_add_header(&r->resp, "Cache-Control", "no-store");
	if (!r->resp.no_index && !mca_mb(s, MB_NO_INDEX_LINK))
		(void)acs_mca_add_header(&r->resp, "Link", "<%s/directory>;rel=\"index\"",
		                         r->sbase);
	json_object_set_new(r->logent, "status", json_integer(r->resp.status));
	if (r->resp.problem != NULL)
		json_object_set_new(r->logent, "problem", json_string(r->resp.problem));
	if (json_object_get(r->logent, "checks") == NULL)
		json_object_set_new(r->logent, "checks", json_array());
}

/* The resources read by GET (and by POST-as-GET, section 6.3). */
static void (*const get_handlers[EP_COUNT])(struct mca_req *r) = {
    [EP_DIRECTORY] = acs_mca_do_directory,
    [EP_NEWNONCE] = acs_mca_do_new_nonce,
    [EP_TERMS] = acs_mca_do_terms,
    [EP_ISSUER] = acs_mca_do_issuer,
};

/* A GET resource reached by POST-as-GET: the payload must be empty. */
static void get_by_post(struct mca_req *r, struct mca_post *p)
{
	if (acs_mca_want_post_as_get(r, p) == 0)
		get_handlers[r->endpoint](r);
}

/*
 * The resources reached by a verified POST, and which of them get-allowed
 * also answers for a plain GET (as if POST-as-GET by the owner). The terms
 * are GET only.
 */
static const struct {
	void (*fn)(struct mca_req *r, struct mca_post *p);
	int lax_get;
} post_handlers[EP_COUNT] = {
    [EP_DIRECTORY] = {get_by_post, 0},
    [EP_NEWNONCE] = {get_by_post, 0},
    [EP_NEWACCOUNT] = {acs_mca_do_new_account, 0},
    [EP_ACCOUNT] = {acs_mca_do_account, 1},
    [EP_ORDERS] = {acs_mca_do_orders, 1},
    [EP_KEYCHANGE] = {acs_mca_do_key_change, 0},
    [EP_NEWORDER] = {acs_mca_do_new_order, 0},
    [EP_ORDER] = {acs_mca_do_order, 1},
    [EP_AUTHZ] = {acs_mca_do_authz, 1},
    [EP_CHALLENGE] = {acs_mca_do_challenge, 1},
    [EP_FINALIZE] = {acs_mca_do_finalize, 0},
    [EP_CERT] = {acs_mca_do_cert, 1},
    [EP_REVOKE] = {acs_mca_do_revoke, 0},
    [EP_ISSUER] = {get_by_post, 0},
    [EP_NEWAUTHZ] = {acs_mca_do_new_authz, 0},
};

static void handle_post(struct mca_req *r)
{
	struct mca_post p;
	enum keysrc ks = KS_KID;

	memset(&p, 0, sizeof(p));
	if (r->endpoint == EP_NEWACCOUNT)
		ks = KS_JWK;
	else if (r->endpoint == EP_REVOKE)
		ks = KS_EITHER;
	if (acs_mca_verify_post(r, ks, &p) != 0)
		goto out;
	if (ks == KS_KID && p.acct == NULL) {
		/* only with accept-jwk-or-kid: a jwk of an unknown key */
		acs_mca_problem(r, 400, "accountDoesNotExist", "no account for this key");
		goto out;
	}
	if (post_handlers[r->endpoint].fn != NULL)
		post_handlers[r->endpoint].fn(r, &p);
	else
		acs_mca_problem(r, 405, "malformed", "method not allowed");
out:
	acs_mca_post_clear(&p);
}

/* The account owning the object the path names, or 0. */
static int path_owner(struct mca_req *r)
{
	struct mca_order *o;
	struct mca_authz *az;
	struct mca_chall *c;
	struct mca_cert *ce;

	switch (r->endpoint) {
	case EP_ACCOUNT:
	case EP_ORDERS:
		return r->obj_id;
	case EP_ORDER:
	case EP_FINALIZE:
		o = acs_mca_order(r->scn, r->obj_id);
		return o != NULL ? o->acct : 0;
	case EP_AUTHZ:
		az = acs_mca_authz(r->scn, r->obj_id);
		return az != NULL ? az->acct : 0;
	case EP_CHALLENGE:
		c = acs_mca_chall(r->scn, r->obj_id);
		az = c != NULL ? acs_mca_authz(r->scn, c->authz) : NULL;
		return az != NULL ? az->acct : 0;
	case EP_CERT:
		ce = acs_mca_cert(r->scn, r->obj_id);
		return ce != NULL ? ce->acct : 0;
	default:
		return 0;
	}
}

/* A plain GET of a resource (get-allowed): answered as if POST-as-GET by its owner. */
static void handle_lax_get(struct mca_req *r)
{
	struct mca_post p;

	memset(&p, 0, sizeof(p));
	p.post_as_get = 1;
	p.acct = acs_mca_acct(r->scn, path_owner(r));
	if (p.acct == NULL) {
		acs_mca_problem(r, 404, "malformed", "no such resource");
		return;
	}
	p.key = p.acct->key;
	if (post_handlers[r->endpoint].lax_get)
		post_handlers[r->endpoint].fn(r, &p);
	else
		acs_mca_problem(r, 405, "malformed", "method not allowed");
}

/* The log entry's request fields, and the checks every request gets (section 6.1). */
static int common_checks(struct mca_req *r)
{
	struct mca_scenario *s = r->scn;
	const char *ua = acs_mca_req_header(r, "User-Agent");

	s->requests++;
	json_object_set_new(r->logent, "seq", json_integer((json_int_t)++s->seq));
	json_object_set_new(r->logent, "time", json_real(acs_clock_real()));
	json_object_set_new(r->logent, "method", json_string(r->method));
	json_object_set_new(r->logent, "url", json_string(r->url));
	if (ua != NULL)
		json_object_set_new(r->logent, "user_agent", json_string(ua));
	if (route(r) < 0) {
		json_object_set_new(r->logent, "endpoint", json_string("unknown"));
		acs_mca_problem(r, 404, "malformed", "no resource at %.200s", r->path);
		return -1;
	}
	json_object_set_new(r->logent, "endpoint", json_string(acs_mca_ep_names[r->endpoint]));
	if (ua == NULL || ua[0] == '\0') {
		acs_mca_check(r, CK_USER_AGENT, "request without User-Agent");
		if (mca_mb(s, MB_REQUIRE_UA)) {
			acs_mca_problem(r, 400, "malformed", "a User-Agent header is required");
			return -1;
		}
	}
	if (acs_mca_req_header(r, "Accept-Language") == NULL)
		acs_mca_check(r, CK_ACCEPT_LANGUAGE, "request without Accept-Language");
	if (acs_mca_req_header(r, "Replay-Nonce") != NULL)
		acs_mca_check(r, CK_NO_REPLAY_NONCE_HEADER,
		              "request carries a Replay-Nonce header");
	return 0;
}

/*
 * The GET resources: answered by GET and HEAD, and by POST-as-GET where
 * section 6.3 allows (1: answered here, 0: on to the POST path).
 */
static int handle_get_resource(struct mca_req *r, int get, int post)
{
	switch (r->endpoint) {
	case EP_DIRECTORY:
	case EP_TERMS:
	case EP_NEWNONCE:
		if (post && r->endpoint != EP_TERMS && !mca_mb(r->scn, MB_DIRECTORY_POST_REFUSED))
			return 0;
		if (!get) {
			(void)acs_mca_add_header(&r->resp, "Allow", "GET, HEAD");
			acs_mca_problem(r, 405, "malformed", "use GET for %s",
			                acs_mca_ep_names[r->endpoint]);
			return 1;
		}
		get_handlers[r->endpoint](r);
		return 1;
	case EP_ISSUER:
		if (!get)
			return 0;
		get_handlers[r->endpoint](r);
		return 1;
	case EP_RENEWALINFO:
		/* RFC 9773 section 4.1: an unauthenticated GET */
		if (!get) {
			acs_mca_check(r, CK_ARI_GET, "%s of renewalInfo, which is read by GET",
			              r->method);
			(void)acs_mca_add_header(&r->resp, "Allow", "GET, HEAD");
			acs_mca_problem(r, 405, "malformed", "use GET for renewalInfo");
			return 1;
		}
		acs_mca_do_renewal_info(r);
		return 1;
	default:
		return 0;
	}
}

void acs_mca_dispatch(struct mca_req *r)
{
	int get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	int post = strcmp(r->method, "POST") == 0;

	if (common_checks(r) != 0 || handle_get_resource(r, get, post))
		goto done;
	if (!post) {
		if (get)
			acs_mca_check(r, CK_POST_AS_GET,
			              "%s of %s, which must be fetched by POST-as-GET", r->method,
			              acs_mca_ep_names[r->endpoint]);
		if (get && mca_mb(r->scn, MB_GET_ALLOWED)) {
			handle_lax_get(r);
			goto done;
		}
		(void)acs_mca_add_header(&r->resp, "Allow", "POST");
		acs_mca_problem(r, 405, "malformed",
		                "%s is not allowed here: use POST (or POST-as-GET)", r->method);
		goto done;
	}
	handle_post(r);
done:
	finish(r);
}
