/*
 * Ports handed to clients (harness/ports.h): outside the kernel's range for
 * outgoing connections, free for TCP and UDP, never handed out twice.
 */
#include <CUnit/CUnit.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness/ports.h"

#define N 300

static void test_outside_range_and_unique(void)
{
	static unsigned char seen[65536];
	int lo, hi, i;

	acs_port_ephemeral_range(&lo, &hi);
	CU_ASSERT(lo >= 1 && lo <= hi && hi <= 65535);
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < N; i++) {
		int p = acs_port_reserve();

		CU_ASSERT_FATAL(p > 0 && p <= 65535);
		CU_ASSERT(p < lo || p > hi);
		CU_ASSERT(p >= 1024);
		CU_ASSERT_EQUAL(seen[p], 0);
		seen[p] = 1;
	}
}

static void test_bindable(void)
{
	struct sockaddr_in sa;
	int p = acs_port_reserve();
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CU_ASSERT_FATAL(p > 0 && fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)p);
	CU_ASSERT_EQUAL(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	CU_ASSERT_EQUAL(listen(fd, 1), 0);
	/* held by someone: never handed out again, even were the bitmap forgotten */
	for (int i = 0; i < 50; i++)
		CU_ASSERT_NOT_EQUAL(acs_port_reserve(), p);
	close(fd);
}

void acs_test_register(void)
{
	CU_pSuite s = CU_add_suite("ports", NULL, NULL);

	CU_add_test(s, "outside_range_and_unique", test_outside_range_and_unique);
	CU_add_test(s, "bindable", test_bindable);
}
