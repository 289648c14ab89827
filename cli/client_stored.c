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

#include "harness/x509.h"

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

/* What the walk looks for: the leaves' bodies; chains: collect, do not stop at the first. */
struct walk_ctx {
	char *const *bodies;
	size_t n;
	json_t *chains; /* NULL: stop at the first file holding a leaf */
	int found;
};

/* data (len bytes, NUL-terminated) holds an issued leaf and more: its top issuer's name. */
static void note_chain(struct walk_ctx *w, const char *data, size_t len)
{
	struct acs_chain *chain = NULL;
	struct acs_err err;
	char cn[256];

	acs_err_clear(&err);
	if (acs_chain_parse(data, len, &chain, &err) == 0 && chain->n >= 2) {
		(void)acs_chain_top_issuer_cn(chain, cn, sizeof(cn));
		json_array_append_new(w->chains, json_string(cn));
	}
	acs_chain_free(chain);
}

static void file_holds(const char *path, struct walk_ctx *w)
{
	FILE *fp = fopen(path, "rb");
	char *data = NULL, *raw = NULL;
	size_t len, i;
	int found = 0;

	if (fp == NULL)
		return;
	data = malloc(MAX_FILE + 1);
	raw = w->chains != NULL ? malloc(MAX_FILE + 1) : NULL;
	if (data != NULL && (w->chains == NULL || raw != NULL)) {
		len = fread(data, 1, MAX_FILE, fp);
		if (raw != NULL) {
			memcpy(raw, data, len);
			raw[len] = '\0';
		}
		len = squeeze(data, len);
		for (i = 0; i < w->n && !found; i++)
			found = w->bodies[i] != NULL && w->bodies[i][0] != '\0' &&
			        memmem(data, len, w->bodies[i], strlen(w->bodies[i])) != NULL;
		if (found && raw != NULL)
			note_chain(w, raw, strlen(raw));
	}
	free(raw);
	free(data);
	fclose(fp);
	w->found |= found;
}

static void walk(const char *dir, struct walk_ctx *w, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((w->chains != NULL || !w->found) && (de = readdir(d)) != NULL) {
		char path[PATH_MAX];
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH)
			walk(path, w, depth + 1);
		else if (S_ISREG(st.st_mode) && st.st_size <= MAX_FILE)
			file_holds(path, w);
	}
	closedir(d);
}

/* Walk dir for the leaves of issued; chains as in struct walk_ctx. 1 when one was found. */
static int stored(const char *dir, const json_t *issued, json_t *chains)
{
	size_t n = json_array_size(issued), i;
	struct walk_ctx w;
	char **bodies;

	if (n == 0)
		return 0;
	bodies = calloc(n, sizeof(*bodies));
	if (bodies == NULL)
		return 0;
	for (i = 0; i < n; i++) {
		const char *pem = json_string_value(json_array_get(issued, i));

		bodies[i] = pem != NULL ? pem_body(pem) : NULL;
	}
	w = (struct walk_ctx){bodies, n, chains, 0};
	walk(dir, &w, 0);
	for (i = 0; i < n; i++)
		free(bodies[i]);
	free(bodies);
	return w.found;
}

int acs_client_stored(const char *dir, const json_t *issued)
{
	return stored(dir, issued, NULL);
}

json_t *acs_client_stored_chains(const char *dir, const json_t *issued)
{
	json_t *chains = json_array();

	if (chains != NULL)
		(void)stored(dir, issued, chains);
	return chains;
}
