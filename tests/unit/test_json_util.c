/*
 * The shared JSON and clock helpers: loading an object file with its three
 * kinds of error, string-list membership, and clocks that move forward.
 */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/clock.h"
#include "harness/json_util.h"

static char *write_temp(const char *text)
{
	char tmpl[] = "/tmp/acmespec-json-util-XXXXXX";
	int fd = mkstemp(tmpl);
	size_t n = strlen(text);

	if (fd < 0)
		return NULL;
	if (write(fd, text, n) != (ssize_t)n) {
		close(fd);
		unlink(tmpl);
		return NULL;
	}
	close(fd);
	return strdup(tmpl);
}

static void load_case(const char *text, int want_rc, const char *want_msg)
{
	struct acs_err err = {0};
	json_t *root = NULL;
	char *path = write_temp(text);
	int rc;

	CU_ASSERT_PTR_NOT_NULL_FATAL(path);
	rc = acs_json_load_object(path, "test file", &root, &err);
	CU_ASSERT_EQUAL(rc, want_rc);
	if (want_rc == 0) {
		CU_ASSERT(json_is_object(root));
	} else {
		CU_ASSERT_PTR_NULL(root);
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, want_msg));
		CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, path));
	}
	json_decref(root);
	unlink(path);
	free(path);
}

static void test_load_object(void)
{
	struct acs_err err = {0};
	json_t *root = NULL;

	load_case("{\"a\": 1}", 0, NULL);
	load_case("{\"a\": 1,", ACS_E_PARSE, "invalid JSON");
	load_case("{\"a\": 1, \"a\": 2}", ACS_E_PARSE, "duplicate");
	load_case("[1, 2]", ACS_E_INVAL, "expected a JSON object, got array");
	CU_ASSERT_EQUAL(acs_json_load_object("/nonexistent/x.json", "test file", &root, &err),
	                ACS_E_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.msg, "cannot open test file /nonexistent/x.json"));
	CU_ASSERT_PTR_NULL(root);
}

static void test_type_names(void)
{
	json_t *v = json_loads("[{}, [], \"s\", 1, 1.5, true, false, null]", 0, NULL);

	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 0)), "object");
	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 1)), "array");
	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 2)), "string");
	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 3)), "integer");
	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 4)), "number");
	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 5)), "true");
	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 6)), "false");
	CU_ASSERT_STRING_EQUAL(acs_json_type_name(json_array_get(v, 7)), "null");
	json_decref(v);
}

static void test_in_list(void)
{
	static const char *const list[] = {"id", "rfc", "steps", NULL};
	static const char *const empty[] = {NULL};

	CU_ASSERT_EQUAL(acs_str_in_list(list, "id"), 1);
	CU_ASSERT_EQUAL(acs_str_in_list(list, "steps"), 1);
	CU_ASSERT_EQUAL(acs_str_in_list(list, "step"), 0);
	CU_ASSERT_EQUAL(acs_str_in_list(list, ""), 0);
	CU_ASSERT_EQUAL(acs_str_in_list(empty, "id"), 0);
}

static void test_clocks(void)
{
	double t0 = acs_clock_mono(), t1;
	int64_t m0 = acs_clock_mono_ms();

	acs_sleep_ms(20);
	t1 = acs_clock_mono();
	CU_ASSERT(t1 - t0 >= 0.019);
	CU_ASSERT(acs_clock_mono_ms() - m0 >= 19);
	CU_ASSERT(acs_clock_real() > 1.7e9); /* after 2023 */
	acs_sleep_ms(0);
	acs_sleep_s(-1.0); /* no wait, no hang */
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("json_util", NULL, NULL);

	CU_add_test(s, "load_object", test_load_object);
	CU_add_test(s, "type_names", test_type_names);
	CU_add_test(s, "in_list", test_in_list);
	CU_add_test(s, "clocks", test_clocks);
}
