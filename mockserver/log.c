/*
 * The request log: checks recorded per entry, entries kept per scenario
 * with a running count per check (acs_mockca_check_count).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "mockserver/log.h"
#include "mockserver/store.h"

void acs_mca_log_check(json_t *logent, enum mca_check ck, const char *msg)
{
	json_t *checks = json_object_get(logent, "checks");
	const struct acs_mockca_check *c = &acs_mca_check_table[ck];

	if (checks == NULL) {
		checks = json_array();
		json_object_set_new(logent, "checks", checks);
	}
	json_array_append_new(checks, json_pack("{s:s, s:s, s:s, s:s}", "id", c->id, "section",
	                                        c->section, "level", c->level, "message", msg));
}

void acs_mca_check_ent(json_t *logent, enum mca_check ck, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	acs_mca_log_check(logent, ck, msg);
}

/* Roughly the heap a JSON value holds: its strings plus a node's overhead each. */
static size_t json_cost(const json_t *v)
{
	const char *key;
	json_t *x;
	size_t i, n = 48;

	switch (json_typeof(v)) {
	case JSON_STRING:
		return n + json_string_length(v);
	case JSON_OBJECT:
		json_object_foreach((json_t *)v, key, x)
		{
			n += 48 + strlen(key) + json_cost(x);
		}
		return n;
	case JSON_ARRAY:
		json_array_foreach(v, i, x)
		{
			n += 8 + json_cost(x);
		}
		return n;
	default:
		return n;
	}
}

void acs_mca_log_add(struct mca_scenario *s, json_t *ent)
{
	json_t *checks = json_object_get(ent, "checks"), *c;
	size_t i;

	json_array_foreach(checks, i, c)
	{
		const char *id = json_string_value(json_object_get(c, "id"));
		json_int_t n;

		if (id == NULL)
			continue;
		n = json_integer_value(json_object_get(s->check_counts, id));
		json_object_set_new(s->check_counts, id, json_integer(n + 1));
	}
	s->log_bytes += json_cost(ent);
	json_array_append_new(s->log, ent);
	/* the newest entry stays whatever its size: a judge needs the last request */
	while (json_array_size(s->log) > 1 &&
	       (json_array_size(s->log) > MCA_LOG_MAX || s->log_bytes > s->log_bytes_max)) {
		size_t old = json_cost(json_array_get(s->log, 0));

		s->log_bytes = old < s->log_bytes ? s->log_bytes - old : 0;
		json_array_remove(s->log, 0);
	}
}
