/*
 * The request log: checks recorded per entry, entries kept per scenario
 * with a running count per check (acs_mockca_check_count).
 */
#include <stdarg.h>
#include <stdio.h>
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
	json_array_append_new(s->log, ent);
	while (json_array_size(s->log) > MCA_LOG_MAX)
		json_array_remove(s->log, 0);
}
