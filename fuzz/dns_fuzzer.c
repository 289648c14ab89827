/*
 * Fuzz target: the dns-01 responder's packet handling
 * (mockclient/resp_dns.c, resp_dns_answer declared in
 * mockclient/resp_internal.h), no socket involved.
 *
 * Feeds the input as one DNS query, over "UDP" (512-byte answer cap) and
 * "TCP" (16384), to a responder state made for each input with TXT values
 * for a few names (one of them long enough to need truncation over UDP,
 * one with a transcript, so that the responder's note about each query it
 * answers for that name is written too).
 *
 * Properties checked:
 *   - no answer exactly when the query is shorter than a header or is
 *     itself a response;
 *   - an answer fits its cap, copies the query's ID, opcode and RD, sets
 *     QR and AA, has at most one question, no authority or additional
 *     records;
 *   - the answer is well formed: the question name is uncompressed wire
 *     form within 255 octets, and the ANCOUNT records (each a pointer to
 *     the question, type, class IN, TTL 0, RDLENGTH) end exactly at the
 *     answer's end;
 *   - an answer cut to fit (TC) only happens over UDP here.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/transcript.h"
#include "mockclient/resp_internal.h"

#define HDR 12

static unsigned get16(const unsigned char *p)
{
	return (unsigned)((p[0] << 8) | p[1]);
}

static void check_answer(const unsigned char *q, size_t qlen, const unsigned char *a, size_t len,
                         size_t cap, int tcp)
{
	unsigned qflags, aflags, qd, an, rcode;
	size_t off, nlen, k;

	qflags = get16(q + 2);
	if (qlen < HDR || (qflags & 0x8000) != 0) {
		FUZZ_CHECK(len == 0);
		return;
	}
	FUZZ_CHECK(len >= HDR && len <= cap);
	aflags = get16(a + 2);
	FUZZ_CHECK(a[0] == q[0] && a[1] == q[1]);
	FUZZ_CHECK((aflags & 0x8000) != 0);                           /* QR */
	FUZZ_CHECK(((aflags >> 11) & 0xF) == ((qflags >> 11) & 0xF)); /* opcode */
	FUZZ_CHECK((aflags & 0x0400) != 0);                           /* AA */
	FUZZ_CHECK((aflags & 0x0100) == (qflags & 0x0100));           /* RD */
	FUZZ_CHECK(tcp == 0 || (aflags & 0x0200) == 0);               /* TC */
	rcode = aflags & 0xF;
	FUZZ_CHECK(rcode == 0 || rcode == 1 || rcode == 4 || rcode == 5);
	qd = get16(a + 4);
	an = get16(a + 6);
	FUZZ_CHECK(qd <= 1 && get16(a + 8) == 0 && get16(a + 10) == 0);
	FUZZ_CHECK(qd == 1 || an == 0);
	FUZZ_CHECK(rcode == 0 || an == 0);
	off = HDR;
	if (qd == 1) {
		nlen = 0;
		for (;;) {
			FUZZ_CHECK(off < len);
			k = a[off];
			FUZZ_CHECK((k & 0xC0) == 0); /* no compression in the question */
			nlen += 1 + k;
			FUZZ_CHECK(nlen <= 255);
			off += 1 + k;
			if (k == 0)
				break;
		}
		FUZZ_CHECK(off + 4 <= len);
		off += 4;
	}
	for (k = 0; k < an; k++) {
		FUZZ_CHECK(off + 12 <= len);
		FUZZ_CHECK(get16(a + off) == (0xC000 | HDR));
		FUZZ_CHECK(get16(a + off + 4) == 1);
		FUZZ_CHECK(get16(a + off + 6) == 0 && get16(a + off + 8) == 0);
		off += 12 + get16(a + off + 10);
	}
	FUZZ_CHECK(off == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char long_value[513];
	struct acs_responders *r;
	struct acs_transcript *t = NULL;
	unsigned char *q, *resp;
	size_t len;
	int tcp;

	if (size > 4096)
		return 0; /* the TCP side reads at most 4096-byte queries */
	r = calloc(1, sizeof(*r));
	FUZZ_CHECK(r != NULL);
	FUZZ_CHECK(pthread_mutex_init(&r->dns_mu, NULL) == 0);
	r->a_answer[0] = 192;
	r->a_answer[1] = 0;
	r->a_answer[2] = 2;
	r->a_answer[3] = 1;
	if (long_value[0] == '\0')
		memset(long_value, 'v', sizeof(long_value) - 1);
	FUZZ_CHECK(acs_transcript_new(&t, 64 * 1024) == 0);
	FUZZ_CHECK(acs_dns_txt_add(r, "_acme-challenge.example.com",
	                           "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0", t) == 0);
	FUZZ_CHECK(acs_dns_txt_add(r, "_acme-challenge.example.com", "", NULL) == 0);
	FUZZ_CHECK(acs_dns_txt_add(r, "_acme-challenge.Big.Example.", long_value, NULL) == 0);
	FUZZ_CHECK(acs_dns_txt_add(r, "_acme-challenge.big.example", long_value, NULL) == 0);

	/* exact-size copies so that ASan sees any read past the end */
	q = malloc(size > 0 ? size : 1);
	FUZZ_CHECK(q != NULL);
	if (size > 0)
		memcpy(q, data, size);
	for (tcp = 0; tcp <= 1; tcp++) {
		size_t cap = tcp ? 16384 : 512;

		resp = malloc(cap);
		FUZZ_CHECK(resp != NULL);
		len = resp_dns_answer(r, q, size, resp, cap, tcp, "fuzz");
		if (size >= HDR)
			check_answer(q, size, resp, len, cap, tcp);
		else
			FUZZ_CHECK(len == 0);
		free(resp);
	}
	free(q);
	resp_dns_free_table(r);
	pthread_mutex_destroy(&r->dns_mu);
	free(r);
	acs_transcript_free(t);
	return 0;
}
