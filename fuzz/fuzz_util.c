/*
 * Helpers of the fuzz targets: see fuzz_util.h.
 */
#include "fuzz/fuzz_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char scratch_dir[512];
static char scratch_file[1024];

void fuzz_fail(const char *what, const char *file, int line)
{
	fprintf(stderr, "fuzz: property failed: %s (%s:%d)\n", what, file, line);
	fflush(stderr);
	abort();
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		fuzz_fail("out of memory", __FILE__, __LINE__);
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

static void scratch_cleanup(void)
{
	if (scratch_file[0] != '\0')
		unlink(scratch_file);
	if (scratch_dir[0] != '\0')
		rmdir(scratch_dir);
}

const char *fuzz_write_temp(const char *name, const uint8_t *data, size_t size)
{
	FILE *f;

	if (scratch_dir[0] == '\0') {
		const char *tmp = getenv("TMPDIR");

		if (tmp == NULL || tmp[0] == '\0')
			tmp = "/tmp";
		snprintf(scratch_dir, sizeof(scratch_dir), "%s/acmespec-fuzz-XXXXXX", tmp);
		if (mkdtemp(scratch_dir) == NULL) {
			scratch_dir[0] = '\0';
			return NULL;
		}
		atexit(scratch_cleanup);
	}
	if (scratch_file[0] != '\0' && strcmp(strrchr(scratch_file, '/') + 1, name) != 0)
		unlink(scratch_file);
	snprintf(scratch_file, sizeof(scratch_file), "%s/%s", scratch_dir, name);
	f = fopen(scratch_file, "wb");
	if (f == NULL)
		return NULL;
	if (size > 0 && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return NULL;
	}
	if (fclose(f) != 0)
		return NULL;
	return scratch_file;
}
