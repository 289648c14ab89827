/*
 * Bounded single-use nonce ring (see nonce.h).
 */
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include "harness/b64url.h"
#include "harness/err.h"
#include "mockserver/nonce.h"

struct nonce_slot {
	char value[ACS_NONCE_MAX];
	int used;
};

struct acs_nonce_store {
	struct nonce_slot *ring;
	size_t cap;
	size_t next;  /* slot the next nonce overwrites */
	size_t count; /* slots filled so far (<= cap) */
};

int acs_nonce_store_new(struct acs_nonce_store **out, size_t capacity)
{
	struct acs_nonce_store *s = NULL;

	if (capacity == 0)
		capacity = 1024;
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return ACS_E_NOMEM;
	s->ring = calloc(capacity, sizeof(*s->ring));
	if (s->ring == NULL) {
		free(s);
		return ACS_E_NOMEM;
	}
	s->cap = capacity;
	*out = s;
	return 0;
}

void acs_nonce_store_free(struct acs_nonce_store *s)
{
	if (s == NULL)
		return;
	free(s->ring);
	free(s);
}

int acs_nonce_issue(struct acs_nonce_store *s, size_t nbytes, int padded, char out[ACS_NONCE_MAX])
{
	unsigned char raw[32];
	char *enc = NULL;
	size_t len;
	struct nonce_slot *slot;

	if (nbytes == 0)
		nbytes = 16;
	if (nbytes > sizeof(raw))
		nbytes = sizeof(raw);
	if (RAND_bytes(raw, (int)nbytes) != 1)
		return ACS_E_CRYPTO;
	enc = acs_b64url_encode(raw, nbytes);
	if (enc == NULL)
		return ACS_E_NOMEM;
	len = strlen(enc);
	/* base64url of at most 32 bytes is 43 characters, padding adds 2 */
	memcpy(out, enc, len);
	if (padded) {
		while (len % 4 != 0)
			out[len++] = '=';
	}
	out[len] = '\0';
	free(enc);

	slot = &s->ring[s->next];
	memcpy(slot->value, out, len + 1);
	slot->used = 0;
	s->next = (s->next + 1) % s->cap;
	if (s->count < s->cap)
		s->count++;
	return 0;
}

int acs_nonce_consume(struct acs_nonce_store *s, const char *nonce, int allow_reuse)
{
	size_t i;

	if (nonce == NULL || nonce[0] == '\0' || strlen(nonce) >= ACS_NONCE_MAX)
		return ACS_E_NOTFOUND;
	for (i = 0; i < s->count; i++) {
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
