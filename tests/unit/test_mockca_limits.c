/*
 * The mock CA's bounds (issue 11, D2): a cap on scenarios with eviction of
 * the least recently used idle one a request made, a hash lookup that finds
 * every one of many scenarios, 429 when none can go, and a request log
 * capped in bytes as well as entries. Driven through the request path
 * without sockets (mockserver/handler.h).
 */
#include <CUnit/CUnit.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "harness/err.h"
#include "mockserver/handler.h"
#include "mockserver/mockca.h"
#include "mockserver/registry.h"

/* A CA that makes scenarios on first use, at most max of them. */
static struct acs_mockca *new_ca(unsigned int max, size_t log_bytes)
{
	struct acs_mockca_opts o;
	struct acs_mockca *ca = NULL;
	struct acs_err err;

	memset(&o, 0, sizeof(o));
	o.auto_scenarios = 1;
	o.max_scenarios = max;
	o.log_bytes_max = log_bytes;
	acs_err_clear(&err);
	if (acs_mca_offline_new(&ca, &o, &err) != 0)
		return NULL;
	return ca;
}

/* GET /s/<scn>/directory with a User-Agent of ua_len bytes; the status. */
static unsigned int get_dir(struct acs_mockca *ca, const char *scn, size_t ua_len,
                            struct acs_mca_response *keep)
{
	struct acs_mca_header h[2] = {{"Host", "ca.test:4443"}, {"User-Agent", "unit"}};
	struct acs_mca_request rq;
	struct acs_mca_response rs;
	char path[128], *ua = NULL;
	unsigned int st;

	if (ua_len > 0) {
		ua = malloc(ua_len + 1);
		if (ua == NULL)
			return 0;
		memset(ua, 'u', ua_len);
		ua[ua_len] = '\0';
		h[1].value = ua;
	}
	(void)snprintf(path, sizeof(path), "/s/%s/directory", scn);
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.scheme = "https";
	rq.path = path;
	rq.headers = h;
	rq.nheaders = 2;
	if (acs_mca_handle_request(ca, &rq, &rs) != 0) {
		free(ua);
		return 0;
	}
	free(ua);
	st = rs.status;
	if (keep != NULL)
		*keep = rs;
	else
		acs_mca_response_clear(&rs);
	return st;
}

static void test_lru_eviction(void)
{
	struct acs_mockca *ca = new_ca(3, 0);
	size_t evicted = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(get_dir(ca, "a", 0, NULL), 200);
	CU_ASSERT_EQUAL(get_dir(ca, "b", 0, NULL), 200);
	CU_ASSERT_EQUAL(get_dir(ca, "c", 0, NULL), 200);
	CU_ASSERT_EQUAL(get_dir(ca, "a", 0, NULL), 200); /* a is used again: b is the oldest */
	CU_ASSERT_EQUAL(get_dir(ca, "d", 0, NULL), 200);
	CU_ASSERT_EQUAL(acs_mca_registry_count(ca, &evicted), 3);
	CU_ASSERT_EQUAL(evicted, 1);
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "a"), 2);
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "b"), 0); /* gone */
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "c"), 1);
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "d"), 1);
	/* 10,000 names on a cap of 3: never more than 3 */
	{
		char n[32];
		int i;

		for (i = 0; i < 10000; i++) {
			(void)snprintf(n, sizeof(n), "n%d", i);
			if (get_dir(ca, n, 0, NULL) != 200)
				break;
		}
		CU_ASSERT_EQUAL(i, 10000);
	}
	CU_ASSERT_EQUAL(acs_mca_registry_count(ca, &evicted), 3);
	CU_ASSERT_EQUAL(evicted, 10001);
	acs_mockca_stop(ca);
}

/* Busy scenarios and the harness's own are never evicted: a new name gets 429. */
static void test_full_is_429(void)
{
	struct acs_mockca *ca = new_ca(2, 0);
	struct acs_mca_response rs;
	struct acs_err err;
	struct mca_scenario *held;
	const char *ra = NULL;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	acs_err_clear(&err);
	CU_ASSERT_EQUAL(acs_mockca_scenario_add(ca, "mine", &err), 0);
	CU_ASSERT_EQUAL(get_dir(ca, "busy", 0, NULL), 200);
	held = acs_mca_scn_get(ca, "busy", 0); /* a request in flight */
	CU_ASSERT_PTR_NOT_NULL_FATAL(held);
	CU_ASSERT_EQUAL(get_dir(ca, "new", 0, &rs), 429);
	CU_ASSERT_PTR_NOT_NULL(strstr(rs.body, "rateLimited"));
	for (i = 0; i < rs.nheaders; i++) {
		if (strcasecmp(rs.hname[i], "Retry-After") == 0)
			ra = rs.hval[i];
	}
	CU_ASSERT_PTR_NOT_NULL(ra);
	acs_mca_response_clear(&rs);
	CU_ASSERT_EQUAL(get_dir(ca, "mine", 0, NULL), 200); /* known names still served */
	acs_mca_scn_put(ca, held);
	CU_ASSERT_EQUAL(get_dir(ca, "new", 0, NULL), 200); /* busy is idle now: evicted */
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "busy"), 0);
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "mine"), 1);
	acs_mockca_stop(ca);
}

/* Many scenarios: each is found by its name (the hash chains). */
static void test_many_found(void)
{
	struct acs_mockca *ca = new_ca(20000, 0);
	struct acs_err err;
	char n[32];
	int i, bad = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	acs_err_clear(&err);
	for (i = 0; i < 5000; i++) {
		(void)snprintf(n, sizeof(n), "s-%d", i);
		if (acs_mockca_scenario_add(ca, n, &err) != 0)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_NOT_EQUAL(acs_mockca_scenario_add(ca, "s-4321", &err), 0);
	for (i = 0; i < 5000; i += 7) {
		(void)snprintf(n, sizeof(n), "s-%d", i);
		if (get_dir(ca, n, 0, NULL) != 200 || acs_mockca_request_count(ca, n) != 1)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(acs_mockca_scenario_remove(ca, "s-77", &err), 0);
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "s-77"), 0);
	CU_ASSERT_EQUAL(acs_mca_registry_count(ca, NULL), 4999);
	acs_mockca_stop(ca);
}

/* The log keeps at most its byte cap (and always the newest entry). */
static void test_log_bytes(void)
{
	struct acs_mockca *ca = new_ca(0, 64 * 1024);
	json_t *log;
	char *dump;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	for (i = 0; i < 100; i++)
		CU_ASSERT_EQUAL(get_dir(ca, "big", 10000, NULL), 200);
	CU_ASSERT_EQUAL(acs_mockca_request_count(ca, "big"), 100);
	log = acs_mockca_log(ca, "big");
	CU_ASSERT_PTR_NOT_NULL_FATAL(log);
	CU_ASSERT(json_array_size(log) >= 2);
	CU_ASSERT(json_array_size(log) < 10);
	dump = json_dumps(log, JSON_COMPACT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dump);
	CU_ASSERT(strlen(dump) <= 64 * 1024);
	free(dump);
	/* the newest is the 100th request */
	CU_ASSERT_EQUAL(json_integer_value(
	                    json_object_get(json_array_get(log, json_array_size(log) - 1), "seq")),
	                100);
	json_decref(log);
	/* one entry over the cap on its own is still kept */
	CU_ASSERT_EQUAL(get_dir(ca, "big", 100000, NULL), 200);
	log = acs_mockca_log(ca, "big");
	CU_ASSERT_EQUAL(json_array_size(log), 1);
	json_decref(log);
	acs_mockca_stop(ca);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("mockca_limits", NULL, NULL);

	CU_add_test(s, "lru_eviction", test_lru_eviction);
	CU_add_test(s, "full_is_429", test_full_is_429);
	CU_add_test(s, "many_found", test_many_found);
	CU_add_test(s, "log_bytes", test_log_bytes);
}
