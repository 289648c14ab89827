/* Finding an issued certificate in a daemon's work directory (cli/client_stored.h). */
/* memmem */
#define _GNU_SOURCE
#include "cli/client_stored.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* every snprintf here cuts on purpose: paths are bounded */
#pragma GCC diagnostic ignored "-Wformat-truncation"

#define MAX_FILE  (1024 * 1024)
#define MAX_DEPTH 8

/* s without whitespace, in place; its new length. */
static size_t squeeze(char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			s[k++] = s[i];
	s[k] = '\0';
	return k;
}

/* The base64 body of the first certificate in pem, squeezed (new string), or NULL. */
static char *pem_body(const char *pem)
{
	const char *b = strstr(pem, "-----BEGIN CERTIFICATE-----"), *e;
	char *out;

	if (b == NULL)
		return NULL;
	b += strlen("-----BEGIN CERTIFICATE-----");
	e = strstr(b, "-----END CERTIFICATE-----");
	if (e == NULL)
		return NULL;
	out = strndup(b, (size_t)(e - b));
	if (out != NULL)
		(void)squeeze(out, strlen(out));
	return out;
}

static int file_holds(const char *path, char *const *bodies, size_t n)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL;
	size_t len, i;
	int found = 0;

	if (fp == NULL)
		return 0;
	data = malloc(MAX_FILE + 1);
	if (data != NULL) {
		len = squeeze(data, fread(data, 1, MAX_FILE, fp));
		for (i = 0; i < n && !found; i++)
			found = bodies[i] != NULL && bodies[i][0] != '\0' &&
			        memmem(data, len, bodies[i], strlen(bodies[i])) != NULL;
	}
	free(data);
	fclose(fp);
	return found;
}

static int walk(const char *dir, char *const *bodies, size_t n, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = 0;

	if (d == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
			found = walk(path, bodies, n, depth + 1);
		else if (S_ISREG(st.st_mode) && st.st_size <= MAX_FILE)
			found = file_holds(path, bodies, n);
	}
	closedir(d);
	return found;
}

int acs_client_stored(const char *dir, const json_t *issued)
{
	size_t n = json_array_size(issued), i;
	char **bodies;
	int found = 0;

	if (n == 0)
		return 0;
	bodies = calloc(n, sizeof(*bodies));
	if (bodies == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		const char *pem = json_string_value(json_array_get(issued, i));

		bodies[i] = pem != NULL ? pem_body(pem) : NULL;
	}
	found = walk(dir, bodies, n, 0);
	for (i = 0; i < n; i++)
		free(bodies[i]);
	free(bodies);
	return found;
}
