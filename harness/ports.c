#include "harness/ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ports below this are left to services (and to fixed ports a user gives) */
#define PORT_FLOOR 10000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char handed[65536 / 8];

void acs_port_ephemeral_range(int *lo, int *hi)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	int a = 32768, b = 60999;

	if (f != NULL) {
		if (fscanf(f, "%d %d", &a, &b) != 2 || a < 1 || b > 65535 || a > b) {
			a = 32768;
			b = 60999;
		}
		fclose(f);
	}
	*lo = a;
	*hi = b;
}

/* 1 when port can be bound on 127.0.0.1 with type (the socket is closed again). */
static int bindable(int port, int type)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0), ok, one = 1;

	if (fd < 0)
		return 0;
	/* as servers bind: a port in TIME_WAIT is still usable */
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((unsigned short)port);
	ok = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return ok;
}

int acs_port_reserve(void)
{
	int lo, hi, first, last, span, start, i, port = -1;
	unsigned int r = 0;

	acs_port_ephemeral_range(&lo, &hi);
	/* the larger free stretch outside the outgoing range */
	if (lo - PORT_FLOOR >= 65535 - hi) {
		first = PORT_FLOOR;
		last = lo - 1;
	} else {
		first = hi + 1;
		last = 65535;
	}
	span = last - first + 1;
	if (span <= 0)
		return -1;
	(void)RAND_bytes((unsigned char *)&r, sizeof(r));
	start = (int)(r % (unsigned int)span);
	pthread_mutex_lock(&lock);
	for (i = 0; i < span; i++) {
		int p = first + (start + i) % span;

		if (handed[p / 8] & (1u << (p % 8)))
			continue;
		if (!bindable(p, SOCK_STREAM) || !bindable(p, SOCK_DGRAM))
			continue;
		handed[p / 8] |= (unsigned char)(1u << (p % 8));
		port = p;
		break;
	}
	pthread_mutex_unlock(&lock);
	return port;
}
