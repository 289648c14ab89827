/*
 * Shared by the fuzz targets (fuzz/<name>_fuzzer.c): a property check that stops
 * the process the way libFuzzer and the replay driver both report, and a
 * per-process scratch folder for the loaders that read from a path.
 */
#ifndef ACMESPEC_FUZZ_UTIL_H
#define ACMESPEC_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Print "fuzz: property failed: <what> (file:line)" and abort(). */
void fuzz_fail(const char *what, const char *file, int line) __attribute__((noreturn));

#define FUZZ_CHECK(cond)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			fuzz_fail(#cond, __FILE__, __LINE__);                                      \
	} while (0)

/*
 * Write data to <scratch>/<name>, where <scratch> is a folder made once per
 * process under $TMPDIR (or /tmp) and removed at exit. Returns the path
 * (static storage, valid until the next call), or NULL on failure.
 */
const char *fuzz_write_temp(const char *name, const uint8_t *data, size_t size);

/* A NUL-terminated copy of data (free()); aborts when out of memory. */
char *fuzz_strndup(const uint8_t *data, size_t size);

#endif
