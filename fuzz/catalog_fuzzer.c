/*
 * Fuzz target: the case loader (harness/catalog.h).
 *
 * Feeds the input as one case file: it is written to a file in a
 * per-process scratch folder and loaded with acs_case_load_file (the
 * loader reads from a path), once with the side derived from the id and,
 * when that loads, once more with the side named.
 *
 * Properties checked:
 *   - a loaded case has an id that starts with "<side>.", a side, a
 *     section, a title and a known level, and NULL-terminated lists;
 *   - a failed load leaves a message that names the file;
 *   - a loaded case matches a filter made of its own section, level and
 *     first tag (acs_case_matches), and a level filter stricter than its
 *     own level leaves it out;
 *   - acs_case_clear leaves nothing behind (leaks are ASan's to find).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz/fuzz_util.h"
#include "harness/catalog.h"

/* Every element readable; together no longer than the file they came from. */
static void check_strv(char **v, size_t size)
{
	size_t i, total = 0;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		total += strlen(v[i]);
	FUZZ_CHECK(total <= size);
}

static void check_case(const struct acs_case *c, size_t size)
{
	const char *sections[1];
	const char *tags[1];
	struct acs_filter f;
	size_t sl;

	FUZZ_CHECK(c->id != NULL && c->side != NULL && c->file != NULL);
	FUZZ_CHECK(strcmp(c->side, "server") == 0 || strcmp(c->side, "client") == 0);
	sl = strlen(c->side);
	FUZZ_CHECK(strncmp(c->id, c->side, sl) == 0 && c->id[sl] == '.');
	FUZZ_CHECK(c->section != NULL && c->title != NULL);
	FUZZ_CHECK(c->level == ACS_MUST || c->level == ACS_SHOULD || c->level == ACS_MAY);
	FUZZ_CHECK(json_is_object(c->body));
	check_strv(c->tags, size);
	check_strv(c->covers, size);
	check_strv(c->needs, size);
	check_strv(c->control, size);
	check_strv(c->baseline, size);

	memset(&f, 0, sizeof(f));
	sections[0] = c->section;
	f.sections = sections;
	f.nsections = 1;
	f.level = (int)c->level;
	if (c->tags != NULL && c->tags[0] != NULL) {
		tags[0] = c->tags[0];
		f.tags = tags;
		f.ntags = 1;
	}
	FUZZ_CHECK(acs_case_matches(c, &f) == 1);
	if (c->level != ACS_MUST) {
		f.level = (int)c->level - 1;
		FUZZ_CHECK(acs_case_matches(c, &f) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct acs_case c, again;
	struct acs_err err;
	const char *path;
	char *side;

	if (size > 256 * 1024)
		return 0;
	path = fuzz_write_temp("case.json", data, size);
	FUZZ_CHECK(path != NULL);
	memset(&c, 0, sizeof(c));
	memset(&err, 0, sizeof(err));
	if (acs_case_load_file(&c, path, NULL, &err) != 0) {
		FUZZ_CHECK(strstr(err.msg, path) != NULL || strstr(err.msg, "memory") != NULL);
		acs_case_clear(&c);
		return 0;
	}
	check_case(&c, size);
	side = strdup(c.side);
	FUZZ_CHECK(side != NULL);
	memset(&again, 0, sizeof(again));
	FUZZ_CHECK(acs_case_load_file(&again, path, side, &err) == 0);
	FUZZ_CHECK(strcmp(again.id, c.id) == 0);
	acs_case_clear(&again);
	acs_case_clear(&c);
	free(side);
	return 0;
}
