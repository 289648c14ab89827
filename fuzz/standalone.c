/*
 * Standalone replay driver for the fuzz targets (the idea of libgit2's
 * fuzzers/standalone_driver.c): links with one fuzz/<name>_fuzzer.c in the
 * ordinary gcc build, without libFuzzer, and feeds the target every file of
 * the folders (or the single files) named on the command line, once each,
 * in name order. A target that finds a broken property aborts, so a corpus
 * file that crashes fails the ctest entry fuzz.<name>.
 *
 *   <name>_fuzzer_replay fuzz/corpus/<name> [more folders or files...]
 *
 * Exit 0 when every input ran, 1 when a file or folder cannot be read or
 * no input was found (an empty corpus is a mistake, not a pass).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define REPLAY_MAX_INPUT ((size_t)16 * 1024 * 1024)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* Read the whole file into a new buffer (one spare byte, never read). */
static int read_file(const char *path, uint8_t **out, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *grown;
	size_t cap = 0, n = 0, got;

	if (f == NULL)
		return -1;
	for (;;) {
		if (n == cap) {
			if (cap >= REPLAY_MAX_INPUT) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 4096 : cap * 2;
			grown = realloc(buf, cap + 1);
			if (grown == NULL)
				goto fail;
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0) {
			if (ferror(f))
				goto fail;
			break;
		}
	}
	fclose(f);
	*out = buf;
	*len = n;
	return 0;
fail:
	fclose(f);
	free(buf);
	return -1;
}

static int run_file(const char *path, size_t *count)
{
	uint8_t *data = NULL, *copy;
	size_t len = 0;

	if (read_file(path, &data, &len) != 0) {
		fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	/* an exact-size copy, so that ASan sees a read past the input's end */
	copy = malloc(len > 0 ? len : 1);
	if (copy == NULL) {
		free(data);
		fprintf(stderr, "replay: out of memory\n");
		return -1;
	}
	if (len > 0)
		memcpy(copy, data, len);
	free(data);
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
	(*count)++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file directly in dir, in name order (hidden files skipped). */
static int run_dir(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, **grown, *path;
	size_t n = 0, cap = 0, i, plen;
	int rc = 0;
	struct stat st;

	if (d == NULL) {
		fprintf(stderr, "replay: cannot open %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap == 0 ? 64 : cap * 2;
			grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL) {
				rc = -1;
				break;
			}
			names = grown;
		}
		names[n] = strdup(de->d_name);
		if (names[n] == NULL) {
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	if (rc == 0 && n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		if (rc == 0) {
			plen = strlen(dir) + 1 + strlen(names[i]) + 1;
			path = malloc(plen);
			if (path == NULL) {
				rc = -1;
			} else {
				snprintf(path, plen, "%s/%s", dir, names[i]);
				if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
				    run_file(path, count) != 0)
					rc = -1;
				free(path);
			}
		}
		free(names[i]);
	}
	free(names);
	if (rc != 0)
		fprintf(stderr, "replay: failed in %s\n", dir);
	return rc;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i, rc = 0;
	struct stat st;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS-DIR-OR-FILE...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize != NULL)
		LLVMFuzzerInitialize(&argc, &argv);
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) != 0) {
			fprintf(stderr, "replay: cannot open %s: %s\n", argv[i], strerror(errno));
			rc = 1;
		} else if (S_ISDIR(st.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				rc = 1;
		} else if (run_file(argv[i], &count) != 0) {
			rc = 1;
		}
	}
	if (rc == 0 && count == 0) {
		fprintf(stderr, "replay: no input found\n");
		rc = 1;
	}
	fprintf(stderr, "replay: %zu input%s run\n", count, count == 1 ? "" : "s");
	return rc;
}
