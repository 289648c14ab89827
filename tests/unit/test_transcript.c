/*
 * Transcripts: numbering, notes in order, JWS bodies decoded, long bodies
 * shortened, the byte bound, the last-N view, the JSON form, and notes
 * added from several threads at once.
 */
#include <CUnit/CUnit.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/transcript.h"

/* {"alg":"ES256","nonce":"n0nce-abc","url":"https://ca.test/acme/new-acct"} */
#define PROT                                                                                       \
	"eyJhbGciOiJFUzI1NiIsIm5vbmNlIjoibjBuY2UtYWJjIiwidXJsIjoiaHR0cHM6Ly9j"                     \
	"YS50ZXN0L2FjbWUvbmV3LWFjY3QifQ"
/* {"contact":["mailto:a@example.org"]} */
#define PAYL "eyJjb250YWN0IjpbIm1haWx0bzphQGV4YW1wbGUub3JnIl19"

static const char *jws_body =
    "{\"protected\":\"" PROT "\",\"payload\":\"" PAYL "\",\"signature\":\"AAAA\"}";

static void add(struct acs_transcript *t, const char *method, const char *url, const char *body,
                long status, const char *resp_body, const char *error)
{
	struct acs_http_request req;
	struct acs_http_response resp;
	struct acs_header hs[2];
	const char *reqh[] = {"Content-Type: application/jose+json", NULL};

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.url = url;
	req.headers = reqh;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	memset(&resp, 0, sizeof(resp));
	hs[0].name = "Replay-Nonce";
	hs[0].value = "nonce-1";
	hs[1].name = "Content-Type";
	hs[1].value = "application/json";
	resp.status = status;
	resp.headers = hs;
	resp.nheaders = 2;
	resp.body = (char *)(resp_body ? resp_body : "");
	resp.body_len = resp_body ? strlen(resp_body) : 0;
	resp.seconds = 0.25;
	acs_transcript_add(t, &req, error ? NULL : &resp, error);
}

static void test_render(void)
{
	struct acs_transcript *t = NULL;
	char *text, *p1, *p2, *p3, *p4;

	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	acs_transcript_note(t, "session for %s", "server.8555.6_5.x");
	add(t, "POST", "https://ca.test/acme/new-acct", jws_body, 201, "{\"status\":\"valid\"}",
	    NULL);
	acs_transcript_note(t, "http-01 responder served token %s to %s", "tok", "127.0.0.1");
	add(t, "HEAD", "https://ca.test/acme/new-nonce", NULL, 200, NULL, NULL);
	add(t, "GET", "https://ca.test/gone", NULL, 0, NULL,
	    "timed out after 300 ms waiting for https://ca.test/gone");
	CU_ASSERT_EQUAL(acs_transcript_count(t), 3);

	text = acs_transcript_render(t, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	p1 = strstr(text, "[note] session for server.8555.6_5.x\n");
	p2 = strstr(text, "[1] POST https://ca.test/acme/new-acct\n");
	p3 = strstr(text, "[note] http-01 responder served token tok to 127.0.0.1\n");
	p4 = strstr(text, "[2] HEAD https://ca.test/acme/new-nonce\n");
	CU_ASSERT(p1 != NULL && p2 != NULL && p3 != NULL && p4 != NULL);
	CU_ASSERT(p1 < p2 && p2 < p3 && p3 < p4);
	CU_ASSERT(strstr(text, "> Content-Type: application/jose+json\n") != NULL);
	CU_ASSERT(strstr(text, "> body (JWS, decoded):\n") != NULL);
	/* the decoded header and payload, not the base64url */
	CU_ASSERT(strstr(text, "n0nce-abc") != NULL);
	CU_ASSERT(strstr(text, "mailto:a@example.org") != NULL);
	CU_ASSERT(strstr(text, PAYL) == NULL);
	CU_ASSERT(strstr(text, "< 201 (0.250 s)\n< Replay-Nonce: nonce-1\n") != NULL);
	CU_ASSERT(strstr(text, "    {\"status\":\"valid\"}\n") != NULL);
	CU_ASSERT(strstr(text, "[3] GET https://ca.test/gone\n") != NULL);
	CU_ASSERT(strstr(text, "\n! timed out after 300 ms waiting for https://ca.test/gone\n") !=
	          NULL);
	free(text);

	/* only the last two entries, numbering kept */
	text = acs_transcript_render(t, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	CU_ASSERT(strstr(text, "[3 earlier entries not shown]") != NULL);
	CU_ASSERT(strstr(text, "[2] HEAD") != NULL);
	CU_ASSERT(strstr(text, "[3] GET") != NULL);
	CU_ASSERT(strstr(text, "[1] POST") == NULL);
	CU_ASSERT(strstr(text, "[note]") == NULL);
	free(text);
	text = acs_transcript_render(t, 99);
	CU_ASSERT(strstr(text, "earlier") == NULL);
	CU_ASSERT(strstr(text, "[1] POST") != NULL);
	free(text);
	acs_transcript_free(t);
	acs_transcript_free(NULL);
}

static void test_non_jws_and_binary(void)
{
	struct acs_transcript *t = NULL;
	char *text;
	char bin[100];
	struct acs_http_request req;
	struct acs_http_response resp;

	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	add(t, "POST", "https://x/form", "a=1&b=2", 200, NULL, NULL);
	memset(bin, 0, sizeof(bin));
	bin[0] = 0x30;
	bin[1] = (char)0x82;
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.url = "https://x/cert";
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	resp.body = bin;
	resp.body_len = sizeof(bin);
	acs_transcript_add(t, &req, &resp, NULL);
	text = acs_transcript_render(t, 0);
	CU_ASSERT(strstr(text, "> body:\n    a=1&b=2\n") != NULL);
	CU_ASSERT(strstr(text, "[100 bytes of binary data: 30 82 00 ") != NULL);
	free(text);
	acs_transcript_free(t);
}

static void test_shortened(void)
{
	struct acs_transcript *t = NULL;
	char *big = malloc(10001), *text;
	json_t *j, *e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'y', 10000);
	big[10000] = '\0';
	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	add(t, "GET", "https://x/big", NULL, 200, big, NULL);
	text = acs_transcript_render(t, 0);
	CU_ASSERT(strstr(text, "[... 5904 more bytes, 10000 in all]") != NULL);
	CU_ASSERT(strlen(text) < 4096 + 512);
	free(text);

	j = acs_transcript_json(t);
	CU_ASSERT_FATAL(json_is_array(j) && json_array_size(j) == 1);
	e = json_array_get(j, 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "response_body_len")), 10000);
	CU_ASSERT(json_is_true(json_object_get(e, "response_body_truncated")));
	CU_ASSERT_EQUAL(json_string_length(json_object_get(e, "response_body")), 4096);
	json_decref(j);
	acs_transcript_free(t);
	free(big);
}

static void test_bounded(void)
{
	struct acs_transcript *t = NULL;
	char *text;
	json_t *j, *last;
	int i;

	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 2000), 0);
	for (i = 0; i < 50; i++)
		add(t, "GET", "https://x/some/resource/with/a/long/path", NULL, 200,
		    "{\"status\":\"pending\",\"padding\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
		    NULL);
	acs_transcript_note(t, "late note");
	CU_ASSERT_EQUAL(acs_transcript_count(t), 50);
	text = acs_transcript_render(t, 0);
	CU_ASSERT(strstr(text, "[1] GET") != NULL);
	CU_ASSERT(strstr(text, "[50] GET") == NULL);
	CU_ASSERT(strstr(text, "late note") == NULL);
	CU_ASSERT(strstr(text, "[transcript full: ") != NULL);
	CU_ASSERT(strstr(text, "later entries (") != NULL);
	CU_ASSERT(strlen(text) < 4000);
	free(text);
	j = acs_transcript_json(t);
	last = json_array_get(j, json_array_size(j) - 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(last, "kind")), "dropped");
	CU_ASSERT(json_integer_value(json_object_get(last, "entries")) > 30);
	json_decref(j);
	acs_transcript_free(t);
}

static void test_json(void)
{
	struct acs_transcript *t = NULL;
	json_t *j, *e;
	char *dump;

	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	acs_transcript_note(t, "first");
	add(t, "POST", "https://ca.test/acme/new-acct", jws_body, 201, "{}", NULL);
	add(t, "GET", "https://ca.test/x", NULL, 0, NULL, "refused \xff bytes");
	j = acs_transcript_json(t);
	CU_ASSERT_FATAL(json_is_array(j));
	CU_ASSERT_EQUAL(json_array_size(j), 3);
	e = json_array_get(j, 0);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "kind")), "note");
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "text")), "first");
	e = json_array_get(j, 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "kind")), "exchange");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "number")), 1);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "method")), "POST");
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(e, "status")), 201);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "request_body")), jws_body);
	CU_ASSERT(strstr(json_string_value(json_object_get(e, "request_jws")), "n0nce-abc") !=
	          NULL);
	CU_ASSERT_EQUAL(json_array_size(json_object_get(e, "response_headers")), 2);
	e = json_array_get(j, 2);
	CU_ASSERT_PTR_NULL(json_object_get(e, "status"));
	/* invalid UTF-8 is replaced so the JSON stays valid */
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(e, "error")), "refused ? bytes");
	dump = json_dumps(j, 0);
	CU_ASSERT_PTR_NOT_NULL(dump);
	free(dump);
	json_decref(j);
	acs_transcript_free(t);
}

#define THREADS 8
#define NOTES   200

static void *note_thread(void *p)
{
	struct acs_transcript *t = p;
	int i;

	for (i = 0; i < NOTES; i++) {
		acs_transcript_note(t, "note %d", i);
		if (i % 20 == 0)
			add(t, "GET", "https://x/y", NULL, 200, "ok", NULL);
	}
	return NULL;
}

static void test_threads(void)
{
	struct acs_transcript *t = NULL;
	pthread_t th[THREADS];
	json_t *j;
	int i;

	CU_ASSERT_EQUAL_FATAL(acs_transcript_new(&t, 0), 0);
	for (i = 0; i < THREADS; i++)
		CU_ASSERT_FATAL(pthread_create(&th[i], NULL, note_thread, t) == 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(acs_transcript_count(t), THREADS * NOTES / 20);
	j = acs_transcript_json(t);
	CU_ASSERT_EQUAL(json_array_size(j), THREADS * NOTES + THREADS * NOTES / 20);
	json_decref(j);
	acs_transcript_free(t);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("transcript", NULL, NULL);

	CU_add_test(s, "render", test_render);
	CU_add_test(s, "non_jws_and_binary", test_non_jws_and_binary);
	CU_add_test(s, "shortened", test_shortened);
	CU_add_test(s, "bounded", test_bounded);
	CU_add_test(s, "json", test_json);
	CU_add_test(s, "threads", test_threads);
}
