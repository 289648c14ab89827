/*
 * Fuzz target: Link header parsing (RFC 8288; harness/http.h,
 * acs_http_link), as ACME reads rel="up", "index", "alternate" and
 * "terms-of-service" links from responses.
 *
 * Feeds the input as the header fields of a response: the text is cut at
 * line feeds, each line one header value, named "Link", "link" or (every
 * fourth line) "X-Not-Link". Looks up each of a few relation types at
 * indexes 0 to 3.
 *
 * Properties checked:
 *   - a found target holds no '>' and no line break, and is a run of the
 *     value of a header named Link (never of another header);
 *   - lookups are consistent: when index k finds nothing, no index above
 *     k finds anything;
 *   - no rel or a NULL response finds nothing.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fuzz/fuzz_util.h"
#include "harness/http.h"

#define MAX_HEADERS 64

/* Whether needle occurs in the value of a header named Link (any case). */
static int in_a_link_header(const struct acs_header *hs, size_t n, const char *needle)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(hs[i].name, "Link") == 0 && strstr(hs[i].value, needle) != NULL)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const rels[] = {"up", "index", "alternate", "terms-of-service", "UP"};
	struct acs_header hs[MAX_HEADERS];
	struct acs_http_response resp;
	char *text, *line, *nl, *found;
	size_t n = 0, r, k;
	int gone;

	if (size > 64 * 1024)
		return 0;
	text = fuzz_strndup(data, size);
	for (line = text; n < MAX_HEADERS; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl != NULL)
			*nl = '\0';
		hs[n].name = (char *)(n % 4 == 3 ? "X-Not-Link" : n % 2 ? "link" : "Link");
		hs[n].value = line;
		n++;
		if (nl == NULL)
			break;
	}
	memset(&resp, 0, sizeof(resp));
	resp.status = 200;
	resp.headers = hs;
	resp.nheaders = n;
	resp.body = (char *)"";
	for (r = 0; r < sizeof(rels) / sizeof(rels[0]); r++) {
		gone = 0;
		for (k = 0; k < 4; k++) {
			found = acs_http_link(&resp, rels[r], k);
			if (found == NULL) {
				gone = 1;
				continue;
			}
			FUZZ_CHECK(!gone);
			FUZZ_CHECK(strchr(found, '>') == NULL && strchr(found, '\n') == NULL);
			FUZZ_CHECK(in_a_link_header(hs, n, found));
			free(found);
		}
	}
	FUZZ_CHECK(acs_http_link(&resp, "", 0) == NULL);
	FUZZ_CHECK(acs_http_link(NULL, "up", 0) == NULL);
	FUZZ_CHECK(acs_http_link(&resp, NULL, 0) == NULL);
	free(text);
	return 0;
}
