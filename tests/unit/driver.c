/*
 * Shared CUnit driver. Each tests/unit/test_<suite>.c defines
 * acs_test_register(), which adds its suite(s) to the registry. Run with no
 * argument to run everything, or with a test name to run that test only.
 * Exits 1 when any assertion failed (CU_get_error() alone would be 0 then).
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

void acs_test_register(void);

int main(int argc, char **argv)
{
	unsigned int failed;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "cannot initialise the CUnit registry\n");
		return 2;
	}
	acs_test_register();
	if (CU_get_error() != CUE_SUCCESS) {
		fprintf(stderr, "cannot register tests: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (argc > 1) {
		CU_pSuite suite = CU_get_registry()->pSuite;
		CU_pTest test = NULL;
		for (; suite != NULL; suite = suite->pNext) {
			test = CU_get_test(suite, argv[1]);
			if (test != NULL)
				break;
		}
		if (test == NULL) {
			fprintf(stderr, "no test named %s\n", argv[1]);
			CU_cleanup_registry();
			return 2;
		}
		CU_basic_run_test(suite, test);
	} else {
		CU_basic_run_tests();
	}
	failed = CU_get_number_of_tests_failed() + CU_get_number_of_suites_failed();
	if (CU_get_error() != CUE_SUCCESS)
		failed++;
	CU_cleanup_registry();
	return failed > 0 ? 1 : 0;
}
