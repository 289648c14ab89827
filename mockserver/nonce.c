/*
 * Bounded single-use nonce ring with a hash index (see nonce.h): issuing
 * and using a nonce cost the same whatever the capacity, and memory is
 * fixed when the store is made.
 */
#include <openssl/rand.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "harness/err.h"
#include "mockserver/nonce.h"

#define NIL UINT32_MAX /* no slot */

struct nonce_slot {
	char value[ACS_NONCE_MAX];
	uint32_t next; /* the next slot of the same hash bucket, or NIL */
	uint8_t used;
	uint8_t live; /* holds an issued nonce (and sits in a bucket) */
};

struct acs_nonce_store {
	struct nonce_slot *ring;
	uint32_t *bucket; /* first slot of each chain, or NIL */
	size_t cap;
	size_t mask;  /* buckets - 1 (a power of two, at least twice cap) */
	size_t next;  /* slot the next nonce overwrites */
	size_t count; /* slots filled so far (<= cap) */
};

int acs_nonce_store_new(struct acs_nonce_store **out, size_t capacity)
{
	struct acs_nonce_store *s = NULL;
	size_t nb = 16, i;

	if (capacity == 0)
		capacity = 1024;
	if (capacity >= NIL / 2)
		return ACS_E_INVAL;
	while (nb < 2 * capacity)
		nb *= 2;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ACS_E_NOMEM;
	s->ring = calloc(capacity, sizeof(*s->ring));
	s->bucket = malloc(nb * sizeof(*s->bucket));
	if (s->ring == NULL || s->bucket == NULL) {
		acs_nonce_store_free(s);
		return ACS_E_NOMEM;
	}
	for (i = 0; i < nb; i++)
		s->bucket[i] = NIL;
	s->cap = capacity;
	s->mask = nb - 1;
	*out = s;
	return 0;
}

void acs_nonce_store_free(struct acs_nonce_store *s)
{
	if (s == NULL)
		return;
	free(s->ring);
	free(s->bucket);
	free(s);
}

/* FNV-1a of a NUL-terminated nonce: random input, so any mixing will do. */
static size_t hash(const char *v)
{
	uint32_t h = 2166136261u;

	while (*v != '\0')
		h = (h ^ (unsigned char)*v++) * 16777619u;
	return h;
}

/* Take slot i out of its bucket's chain. */
static void unlink_slot(struct acs_nonce_store *s, uint32_t i)
{
	uint32_t *p = &s->bucket[hash(s->ring[i].value) & s->mask];

	while (*p != NIL && *p != i)
		p = &s->ring[*p].next;
	if (*p == i)
		*p = s->ring[i].next;
	s->ring[i].live = 0;
}

/* base64url without padding of n bytes into out (room for 4 * n / 3 + 1). */
static size_t encode(const unsigned char *in, size_t n, char *out)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t i, o = 0;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = tab[v >> 6 & 63];
		out[o++] = tab[v & 63];
	}
	if (n - i == 1) {
		out[o++] = tab[in[i] >> 2];
		out[o++] = tab[(in[i] & 3) << 4];
	} else if (n - i == 2) {
		out[o++] = tab[in[i] >> 2];
		out[o++] = tab[((in[i] & 3) << 4) | in[i + 1] >> 4];
		out[o++] = tab[(in[i + 1] & 15) << 2];
	}
	out[o] = '\0';
	return o;
}

int acs_nonce_issue(struct acs_nonce_store *s, size_t nbytes, int padded, char out[ACS_NONCE_MAX])
{
	unsigned char raw[32];
	size_t len, b;
	uint32_t i;
	struct nonce_slot *slot;

	if (nbytes == 0)
		nbytes = 16;
	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	if (RAND_bytes(raw, (int)nbytes) != 1)
		return ACS_E_CRYPTO;
	/* base64url of at most 32 bytes is 43 characters, padding adds 2 */
	len = encode(raw, nbytes, out);
	if (padded) {
		while (len % 4 != 0)
			out[len++] = '=';
		out[len] = '\0';
	}

	i = (uint32_t)s->next;
	slot = &s->ring[i];
	if (slot->live)
		unlink_slot(s, i); /* the oldest nonce goes */
	memcpy(slot->value, out, len + 1);
	slot->used = 0;
	slot->live = 1;
	b = hash(slot->value) & s->mask;
	slot->next = s->bucket[b];
	s->bucket[b] = i;
	s->next = (s->next + 1) % s->cap;
	if (s->count < s->cap)
		s->count++;
	return 0;
}

int acs_nonce_consume(struct acs_nonce_store *s, const char *nonce, int allow_reuse)
{
	uint32_t i;

	if (nonce == NULL || nonce[0] == '\0' || strlen(nonce) >= ACS_NONCE_MAX)
		return ACS_E_NOTFOUND;
	for (i = s->bucket[hash(nonce) & s->mask]; i != NIL; i = s->ring[i].next) {
		struct nonce_slot *slot = &s->ring[i];

		if (strcmp(slot->value, nonce) != 0)
			continue;
		if (slot->used && !allow_reuse)
			return ACS_E_STATE;
		slot->used = 1;
		return 0;
	}
	return ACS_E_NOTFOUND;
}

size_t acs_nonce_count(const struct acs_nonce_store *s)
{
	return s->count;
}
