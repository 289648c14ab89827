/*
 * Expectation matching (docs/case-format.md "Expectations"): RFC 6901 JSON
 * pointers with the "*" extension, and the matcher keys.
 *
 * Rules that the format leaves open, decided here:
 * - an absent value satisfies only {"present": false}; every other key
 *   fails on it (so {"ne": x} on a missing member fails: say
 *   {"present": false} when absence is fine);
 * - a key that needs a string (match, prefix, b64url, https, registered)
 *   fails on any other type, whether its argument is true or false;
 * - numbers compare by value (1 equals 1.0), also inside arrays/objects;
 * - min/max count characters (UTF-8 code points) for strings, elements for
 *   arrays;
 * - "each" holds on an empty array (use "min" to require elements), unlike
 *   the "*" pointer segment, which fails on one;
 * - the matcher {} and {"present": false, ...} with other keys are refused
 *   by acs_matcher_validate: the first checks nothing, the second can never
 *   hold.
 */
#include "mockclient/match.h"

#include "harness/b64url.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ERROR_URN_PREFIX "urn:ietf:params:acme:error:"
#define SHOW_MAX         200 /* longest rendering of a value in an explanation */

/*
 * The IANA "ACME Error Types" registry: RFC 8555 section 9.7.4, RFC 8739
 * (STAR: the four autoRenewal* types), RFC 9773 (alreadyReplaced), and
 * invalidProfile (draft-ietf-acme-profiles section 6.3, registration
 * requested; Boulder and Pebble send it).
 */
static const char *const registered_errors[] = {
    "accountDoesNotExist",
    "alreadyReplaced",
    "alreadyRevoked",
    "autoRenewalCanceled",
    "autoRenewalCancellationInvalid",
    "autoRenewalExpired",
    "autoRenewalRevocationNotSupported",
    "badCSR",
    "badNonce",
    "badPublicKey",
    "badRevocationReason",
    "badSignatureAlgorithm",
    "caa",
    "compound",
    "connection",
    "dns",
    "externalAccountRequired",
    "incorrectResponse",
    "invalidContact",
    "invalidProfile",
    "malformed",
    "orderNotReady",
    "rateLimited",
    "rejectedIdentifier",
    "serverInternal",
    "tls",
    "unauthorized",
    "unsupportedContact",
    "unsupportedIdentifier",
    "userActionRequired",
};

static const char *const type_names[] = {
    "string", "number", "integer", "boolean", "array", "object", "null",
};

/* ---------------------------------------------------------------- helpers */

static void why_puts(struct acs_buf *why, const char *s)
{
	if (why != NULL)
		(void)acs_buf_puts(why, s);
}

/*
 * Append v as JSON text, cut to SHOW_MAX bytes (on a UTF-8 boundary) with
 * "..." after; NULL (absent) reads "nothing".
 */
static void put_value(struct acs_buf *b, const json_t *v)
{
	char *text = NULL;
	size_t len;

	if (b == NULL)
		return;
	if (v == NULL) {
		(void)acs_buf_puts(b, "nothing");
		return;
	}
	text = json_dumps(v, JSON_ENCODE_ANY);
	if (text == NULL) {
		(void)acs_buf_puts(b, "(unprintable)");
		return;
	}
	len = strlen(text);
	if (len > SHOW_MAX) {
		len = SHOW_MAX;
		while (len > 0 && ((unsigned char)text[len] & 0xC0) == 0x80)
			len--;
		(void)acs_buf_append(b, text, len);
		(void)acs_buf_puts(b, "...");
	} else {
		(void)acs_buf_append(b, text, len);
	}
	free(text);
}

static int json_is_integral(const json_t *v)
{
	double d;

	if (json_is_integer(v))
		return 1;
	if (!json_is_real(v))
		return 0;
	/* no floor(): the build links no libm; the range keeps the cast defined */
	d = json_real_value(v);
	return d > -9.0e18 && d < 9.0e18 && (double)(long long)d == d;
}

/* JSON equality where numbers compare by value (1 == 1.0). */
static int values_equal(const json_t *a, const json_t *b)
{
	size_t i;
	const char *key;
	json_t *va;

	if (a == NULL || b == NULL)
		return a == b;
	if (json_is_number(a) && json_is_number(b)) {
		if (json_is_integer(a) && json_is_integer(b))
			return json_integer_value(a) == json_integer_value(b);
		return json_number_value(a) == json_number_value(b);
	}
	if (json_typeof(a) != json_typeof(b))
		return 0;
	if (json_is_array(a)) {
		if (json_array_size(a) != json_array_size(b))
			return 0;
		for (i = 0; i < json_array_size(a); i++) {
			if (!values_equal(json_array_get(a, i), json_array_get(b, i)))
				return 0;
		}
		return 1;
	}
	if (json_is_object(a)) {
		if (json_object_size(a) != json_object_size(b))
			return 0;
		json_object_foreach((json_t *)a, key, va)
		{
			if (!values_equal(va, json_object_get(b, key)))
				return 0;
		}
		return 1;
	}
	return json_equal(a, b);
}

static int type_known(const char *t)
{
	size_t i;

	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++) {
		if (strcmp(t, type_names[i]) == 0)
			return 1;
	}
	return 0;
}

static int has_type(const json_t *v, const char *t)
{
	if (strcmp(t, "string") == 0)
		return json_is_string(v);
	if (strcmp(t, "number") == 0)
		return json_is_number(v);
	if (strcmp(t, "integer") == 0)
		return json_is_integral(v);
	if (strcmp(t, "boolean") == 0)
		return json_is_boolean(v);
	if (strcmp(t, "array") == 0)
		return json_is_array(v);
	if (strcmp(t, "object") == 0)
		return json_is_object(v);
	if (strcmp(t, "null") == 0)
		return json_is_null(v);
	return 0;
}

static const char *type_words(const char *t)
{
	if (strcmp(t, "string") == 0)
		return "a string";
	if (strcmp(t, "number") == 0)
		return "a number";
	if (strcmp(t, "integer") == 0)
		return "an integer";
	if (strcmp(t, "boolean") == 0)
		return "a boolean";
	if (strcmp(t, "array") == 0)
		return "an array";
	if (strcmp(t, "object") == 0)
		return "an object";
	if (strcmp(t, "null") == 0)
		return "null";
	return "an unknown type";
}

/* An absolute https URL with a non-empty host and no spaces or controls. */
static int https_url(const char *s, size_t len)
{
	size_t i, auth_end, host_start, host_end;

	if (len < 9 || strncasecmp(s, "https://", 8) != 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f)
			return 0;
	}
	auth_end = 8;
	while (auth_end < len && s[auth_end] != '/' && s[auth_end] != '?' && s[auth_end] != '#')
		auth_end++;
	host_start = 8;
	for (i = 8; i < auth_end; i++) {
		if (s[i] == '@')
			host_start = i + 1;
	}
	if (host_start >= auth_end)
		return 0;
	if (s[host_start] == '[') {
		host_end = host_start + 1;
		while (host_end < auth_end && s[host_end] != ']')
			host_end++;
		if (host_end >= auth_end || host_end == host_start + 1)
			return 0;
		host_end++;
	} else {
		host_end = host_start;
		while (host_end < auth_end && s[host_end] != ':')
			host_end++;
		if (host_end == host_start)
			return 0;
	}
	if (host_end < auth_end) {
		if (s[host_end] != ':')
			return 0;
		for (i = host_end + 1; i < auth_end; i++) {
			if (s[i] < '0' || s[i] > '9')
				return 0;
		}
	}
	return 1;
}

/* Number of UTF-8 code points (bytes that do not continue a sequence). */
static size_t utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	}
	return n;
}

static int find_bytes(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	size_t i;

	if (nlen == 0)
		return 1;
	if (nlen > hlen)
		return 0;
	for (i = 0; i + nlen <= hlen; i++) {
		if (memcmp(hay + i, needle, nlen) == 0)
			return 1;
	}
	return 0;
}

/*
 * 1 / 0: does container hold needle (substring, element or key)?
 * -1: the container is not a string, array or object, or an object is
 * searched for a non-string key.
 */
static int container_has(const json_t *container, const json_t *needle)
{
	size_t i;

	if (json_is_string(container)) {
		if (!json_is_string(needle))
			return -1;
		return find_bytes(json_string_value(container), json_string_length(container),
		                  json_string_value(needle), json_string_length(needle));
	}
	if (json_is_array(container)) {
		for (i = 0; i < json_array_size(container); i++) {
			if (values_equal(json_array_get(container, i), needle))
				return 1;
		}
		return 0;
	}
	if (json_is_object(container)) {
		if (!json_is_string(needle))
			return -1;
		return json_object_get(container, json_string_value(needle)) != NULL;
	}
	return -1;
}

/* Compile pattern (REG_EXTENDED | REG_NOSUB); on failure describe it in msg. */
static int regex_compile(regex_t *re, const char *pattern, char *msg, size_t msglen)
{
	int rc = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);

	if (rc != 0) {
		if (msg != NULL)
			regerror(rc, re, msg, msglen);
		regfree(re);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------- describing */

static void describe_key(struct acs_buf *b, const char *key, const json_t *arg)
{
	if (strcmp(key, "eq") == 0) {
		put_value(b, arg);
	} else if (strcmp(key, "ne") == 0) {
		(void)acs_buf_puts(b, "anything but ");
		put_value(b, arg);
	} else if (strcmp(key, "in") == 0) {
		(void)acs_buf_puts(b, "one of ");
		put_value(b, arg);
	} else if (strcmp(key, "present") == 0) {
		(void)acs_buf_puts(b,
		                   json_is_false(arg) ? "nothing (absent)" : "a value (present)");
	} else if (strcmp(key, "type") == 0) {
		(void)acs_buf_puts(b, json_is_string(arg) ? type_words(json_string_value(arg))
		                                          : "an unknown type");
	} else if (strcmp(key, "match") == 0) {
		(void)acs_buf_puts(b, "a string matching ");
		(void)acs_buf_puts(b, json_is_string(arg) ? json_string_value(arg) : "?");
	} else if (strcmp(key, "contains") == 0) {
		(void)acs_buf_puts(b, "something containing ");
		put_value(b, arg);
	} else if (strcmp(key, "not_contains") == 0) {
		(void)acs_buf_puts(b, "something not containing ");
		put_value(b, arg);
	} else if (strcmp(key, "prefix") == 0) {
		(void)acs_buf_puts(b, "a string starting with ");
		put_value(b, arg);
	} else if (strcmp(key, "min") == 0) {
		(void)acs_buf_puts(b, "at least ");
		put_value(b, arg);
	} else if (strcmp(key, "max") == 0) {
		(void)acs_buf_puts(b, "at most ");
		put_value(b, arg);
	} else if (strcmp(key, "each") == 0) {
		char *inner = acs_matcher_describe(arg);

		(void)acs_buf_puts(b, "an array whose every element is ");
		(void)acs_buf_puts(b, inner != NULL ? inner : "?");
		free(inner);
	} else if (strcmp(key, "b64url") == 0) {
		(void)acs_buf_puts(b, json_is_false(arg)
		                          ? "a string that is not canonical base64url"
		                          : "canonical unpadded base64url");
	} else if (strcmp(key, "https") == 0) {
		(void)acs_buf_puts(b, json_is_false(arg) ? "a string that is not an https:// URL"
		                                         : "an absolute https:// URL");
	} else if (strcmp(key, "registered") == 0) {
		(void)acs_buf_puts(b, json_is_false(arg) ? "an unregistered ACME error type"
		                                         : "a registered ACME error type");
	} else {
		(void)acs_buf_printf(b, "(unknown matcher key \"%s\")", key);
	}
}

/*
 * A matcher in words ("a string matching ^x$, at least 1"), for a result's
 * "expected". New string (free()), NULL on ENOMEM. A plain value reads as
 * its JSON text.
 */
char *acs_matcher_describe(const json_t *matcher)
{
	struct acs_buf b;
	const char *key;
	json_t *arg;
	int first = 1;

	acs_buf_init(&b, 0);
	if (matcher == NULL) {
		(void)acs_buf_puts(&b, "(no matcher)");
	} else if (!json_is_object(matcher)) {
		put_value(&b, matcher);
	} else if (json_object_size(matcher) == 0) {
		(void)acs_buf_puts(&b, "anything");
	} else {
		json_object_foreach((json_t *)matcher, key, arg)
		{
			if (!first)
				(void)acs_buf_puts(&b, ", ");
			first = 0;
			describe_key(&b, key, arg);
		}
	}
	return acs_buf_steal(&b);
}

/* ------------------------------------------------------------- validating */

static const char *json_type_words(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "a value";
}

static int wrong_arg(struct acs_err *err, const char *key, const char *want, const json_t *got)
{
	return acs_err_set(err, ACS_E_INVAL, "matcher key \"%s\": expected %s, got %s", key, want,
	                   json_type_words(got));
}

/*
 * Check a matcher: a plain value (always valid) or an object of known keys
 * with arguments of the right types. 0, or ACS_E_INVAL with a message
 * naming the key.
 */
int acs_matcher_validate(const json_t *matcher, struct acs_err *err)
{
	const char *key;
	json_t *arg;
	const json_t *present;
	const json_t *mn, *mx;
	char msg[256];
	regex_t re;
	int rc;

	if (matcher == NULL)
		return acs_err_set(err, ACS_E_INVAL, "matcher missing");
	if (!json_is_object(matcher))
		return 0;
	if (json_object_size(matcher) == 0)
		return acs_err_set(err, ACS_E_INVAL,
		                   "empty matcher checks nothing (compare with {} using "
		                   "{\"eq\": {}})");
	json_object_foreach((json_t *)matcher, key, arg)
	{
		if (strcmp(key, "eq") == 0 || strcmp(key, "ne") == 0 ||
		    strcmp(key, "contains") == 0 || strcmp(key, "not_contains") == 0) {
			continue;
		} else if (strcmp(key, "in") == 0) {
			if (!json_is_array(arg))
				return wrong_arg(err, key, "an array", arg);
		} else if (strcmp(key, "present") == 0 || strcmp(key, "b64url") == 0 ||
		           strcmp(key, "https") == 0 || strcmp(key, "registered") == 0) {
			if (!json_is_boolean(arg))
				return wrong_arg(err, key, "true or false", arg);
		} else if (strcmp(key, "type") == 0) {
			if (!json_is_string(arg))
				return wrong_arg(err, key, "a string", arg);
			if (!type_known(json_string_value(arg)))
				return acs_err_set(err, ACS_E_INVAL,
				                   "matcher key \"type\": expected one of string, "
				                   "number, integer, boolean, array, object, null, "
				                   "got \"%s\"",
				                   json_string_value(arg));
		} else if (strcmp(key, "match") == 0) {
			if (!json_is_string(arg))
				return wrong_arg(err, key, "a string", arg);
			if (regex_compile(&re, json_string_value(arg), msg, sizeof(msg)) != 0)
				return acs_err_set(err, ACS_E_INVAL,
				                   "matcher key \"match\": invalid regular "
				                   "expression \"%s\": %s",
				                   json_string_value(arg), msg);
			regfree(&re);
		} else if (strcmp(key, "prefix") == 0) {
			if (!json_is_string(arg))
				return wrong_arg(err, key, "a string", arg);
		} else if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0) {
			if (!json_is_number(arg))
				return wrong_arg(err, key, "a number", arg);
		} else if (strcmp(key, "each") == 0) {
			rc = acs_matcher_validate(arg, err);
			if (rc != 0)
				return acs_err_prefix(err, "matcher key \"each\"");
		} else {
			return acs_err_set(err, ACS_E_INVAL, "matcher key \"%s\" unknown", key);
		}
	}
	present = json_object_get(matcher, "present");
	if (json_is_false(present) && json_object_size(matcher) > 1)
		return acs_err_set(err, ACS_E_INVAL,
		                   "matcher key \"present\": false cannot be combined with other "
		                   "keys (an absent value has nothing to check)");
	mn = json_object_get(matcher, "min");
	mx = json_object_get(matcher, "max");
	if (json_is_number(mn) && json_is_number(mx) &&
	    json_number_value(mn) > json_number_value(mx))
		return acs_err_set(err, ACS_E_INVAL,
		                   "matcher keys \"min\" and \"max\": min is above max");
	return 0;
}

/* --------------------------------------------------------------- matching */

/* Append "expected <words for key>, got <value>". Returns 0 (no match). */
static int fail_key(struct acs_buf *why, const char *key, const json_t *arg, const json_t *value)
{
	if (why == NULL)
		return 0;
	(void)acs_buf_puts(why, "expected ");
	describe_key(why, key, arg);
	(void)acs_buf_puts(why, ", got ");
	put_value(why, value);
	return 0;
}

/* min / max: a number's value, a string's or an array's length. */
static int check_bound(const char *key, const json_t *arg, const json_t *value, int is_min,
                       struct acs_buf *why)
{
	double bound = json_number_value(arg);
	double have;
	int ok;

	if (!json_is_number(arg))
		return fail_key(why, key, arg, value);
	if (json_is_number(value)) {
		have = json_number_value(value);
	} else if (json_is_string(value)) {
		have = (double)utf8_length(json_string_value(value), json_string_length(value));
	} else if (json_is_array(value)) {
		have = (double)json_array_size(value);
	} else {
		if (why != NULL) {
			(void)acs_buf_printf(why, "expected a number, string or array %s ",
			                     is_min ? "of at least" : "of at most");
			put_value(why, arg);
			(void)acs_buf_puts(why, ", got ");
			put_value(why, value);
		}
		return 0;
	}
	ok = is_min ? have >= bound : have <= bound;
	if (ok)
		return 1;
	if (why != NULL) {
		if (json_is_number(value)) {
			return fail_key(why, key, arg, value);
		}
		(void)acs_buf_printf(why, "expected a length %s ",
		                     is_min ? "of at least" : "of at most");
		put_value(why, arg);
		(void)acs_buf_printf(why, ", got length %.0f (", have);
		put_value(why, value);
		(void)acs_buf_puts(why, ")");
	}
	return 0;
}

/* Is one key satisfied by a present value? On 0 appends the explanation. */
static int check_key(const char *key, const json_t *arg, const json_t *value, struct acs_buf *why)
{
	const char *s;
	size_t len, i;
	regex_t re;
	int r;

	if (strcmp(key, "present") == 0) {
		if (!json_is_boolean(arg))
			return fail_key(why, key, arg, value);
		if (json_is_true(arg))
			return 1;
		return fail_key(why, key, arg, value);
	}
	if (strcmp(key, "eq") == 0) {
		if (values_equal(arg, value))
			return 1;
		return fail_key(why, key, arg, value);
	}
	if (strcmp(key, "ne") == 0) {
		if (!values_equal(arg, value))
			return 1;
		return fail_key(why, key, arg, value);
	}
	if (strcmp(key, "in") == 0) {
		if (json_is_array(arg)) {
			for (i = 0; i < json_array_size(arg); i++) {
				if (values_equal(json_array_get(arg, i), value))
					return 1;
			}
		}
		return fail_key(why, key, arg, value);
	}
	if (strcmp(key, "type") == 0) {
		if (json_is_string(arg) && has_type(value, json_string_value(arg)))
			return 1;
		return fail_key(why, key, arg, value);
	}
	if (strcmp(key, "contains") == 0 || strcmp(key, "not_contains") == 0) {
		int want = strcmp(key, "contains") == 0;

		r = container_has(value, arg);
		if (r >= 0 && r == want)
			return 1;
		if (r < 0 && why != NULL) {
			(void)acs_buf_puts(why, "expected a string, array or object ");
			(void)acs_buf_puts(why, want ? "containing " : "not containing ");
			put_value(why, arg);
			(void)acs_buf_puts(why, ", got ");
			put_value(why, value);
			return 0;
		}
		return fail_key(why, key, arg, value);
	}
	if (strcmp(key, "min") == 0 || strcmp(key, "max") == 0)
		return check_bound(key, arg, value, strcmp(key, "min") == 0, why);
	if (strcmp(key, "each") == 0 && json_is_object(value)) {
		const char *k;
		json_t *v;

		/* profiles: each member value of an object (meta.profiles' descriptions) */
		json_object_foreach((json_t *)value, k, v)
		{
			struct acs_buf inner;

			acs_buf_init(&inner, 0);
			r = acs_match_value(arg, v, &inner);
			if (!r && why != NULL)
				(void)acs_buf_printf(why, "member \"%s\": %s", k,
				                     inner.data != NULL ? inner.data : "no match");
			acs_buf_free(&inner);
			if (!r)
				return 0;
		}
		return 1;
	}
	if (strcmp(key, "each") == 0) {
		if (!json_is_array(value)) {
			if (why != NULL) {
				(void)acs_buf_puts(why, "expected an array or object, got ");
				put_value(why, value);
			}
			return 0;
		}
		for (i = 0; i < json_array_size(value); i++) {
			struct acs_buf inner;

			acs_buf_init(&inner, 0);
			r = acs_match_value(arg, json_array_get(value, i), &inner);
			if (!r && why != NULL)
				(void)acs_buf_printf(why, "element %zu: %s", i,
				                     inner.data != NULL ? inner.data : "no match");
			acs_buf_free(&inner);
			if (!r)
				return 0;
		}
		return 1;
	}

	/* the remaining keys judge strings only */
	if (strcmp(key, "match") != 0 && strcmp(key, "prefix") != 0 && strcmp(key, "b64url") != 0 &&
	    strcmp(key, "https") != 0 && strcmp(key, "registered") != 0) {
		if (why != NULL)
			(void)acs_buf_printf(why, "invalid matcher: key \"%s\" unknown", key);
		return 0;
	}
	if (!json_is_string(value)) {
		if (why != NULL) {
			(void)acs_buf_puts(why, "expected a string: ");
			describe_key(why, key, arg);
			(void)acs_buf_puts(why, ", got ");
			put_value(why, value);
		}
		return 0;
	}
	s = json_string_value(value);
	len = json_string_length(value);
	if (strcmp(key, "match") == 0) {
		char msg[128];

		if (!json_is_string(arg) ||
		    regex_compile(&re, json_string_value(arg), msg, sizeof(msg)) != 0) {
			if (why != NULL)
				(void)acs_buf_puts(why, "invalid matcher: bad regular expression");
			return 0;
		}
		/* a NUL inside the value would cut regexec's view short: refuse it */
		r = strlen(s) == len && regexec(&re, s, 0, NULL, 0) == 0;
		regfree(&re);
		return r ? 1 : fail_key(why, key, arg, value);
	}
	if (strcmp(key, "prefix") == 0) {
		if (json_is_string(arg) && json_string_length(arg) <= len &&
		    memcmp(s, json_string_value(arg), json_string_length(arg)) == 0)
			return 1;
		return fail_key(why, key, arg, value);
	}
	if (strcmp(key, "b64url") == 0)
		r = acs_b64url_valid(s, len);
	else if (strcmp(key, "https") == 0)
		r = https_url(s, len);
	else
		r = strlen(s) == len && acs_acme_error_registered(s);
	if (json_is_boolean(arg) && r == (json_is_true(arg) ? 1 : 0))
		return 1;
	return fail_key(why, key, arg, value);
}

/*
 * Does value (NULL = absent) satisfy matcher? 1 / 0; on 0 appends one
 * explanation (for the first key that fails) to why (NULL allowed).
 * An invalid matcher never holds.
 */
int acs_match_value(const json_t *matcher, const json_t *value, struct acs_buf *why)
{
	const char *key;
	json_t *arg;
	const json_t *present;

	if (matcher == NULL) {
		why_puts(why, "invalid matcher: missing");
		return 0;
	}
	if (!json_is_object(matcher)) {
		if (value != NULL && values_equal(matcher, value))
			return 1;
		if (why != NULL) {
			(void)acs_buf_puts(why, "expected ");
			put_value(why, matcher);
			(void)acs_buf_puts(why, ", got ");
			put_value(why, value);
		}
		return 0;
	}
	if (json_object_size(matcher) == 0) {
		why_puts(why, "invalid matcher: empty");
		return 0;
	}
	/* "present" first, so an absent value gets the plainest explanation */
	present = json_object_get(matcher, "present");
	if (value == NULL) {
		if (json_is_false(present) && json_object_size(matcher) == 1)
			return 1;
		if (json_is_false(present)) {
			why_puts(why, "invalid matcher: present false with other keys");
			return 0;
		}
		if (why != NULL) {
			(void)acs_buf_puts(why, "expected ");
			if (present != NULL) {
				describe_key(why, "present", present);
			} else {
				char *d = acs_matcher_describe(matcher);

				(void)acs_buf_puts(why, d != NULL ? d : "a value");
				free(d);
			}
			(void)acs_buf_puts(why, ", got nothing");
		}
		return 0;
	}
	if (present != NULL && !check_key("present", present, value, why))
		return 0;
	json_object_foreach((json_t *)matcher, key, arg)
	{
		if (strcmp(key, "present") == 0)
			continue;
		if (!check_key(key, arg, value, why))
			return 0;
	}
	return 1;
}

/* ---------------------------------------------------------- JSON pointers */

/*
 * Copy the next pointer segment (after the '/' at *p) into seg, undoing the
 * ~1 and ~0 escapes. Advances *p to the next '/' or the end. Returns 0, or
 * -1 on a '~' not followed by 0 or 1.
 */
static int next_segment(const char **p, struct acs_buf *seg)
{
	const char *s = *p;

	acs_buf_reset(seg);
	(void)acs_buf_append(seg, "", 0); /* an empty segment is still a string */
	while (*s != '\0' && *s != '/') {
		if (*s == '~') {
			if (s[1] == '0')
				(void)acs_buf_append(seg, "~", 1);
			else if (s[1] == '1')
				(void)acs_buf_append(seg, "/", 1);
			else
				return -1;
			s += 2;
		} else {
			(void)acs_buf_append(seg, s, 1);
			s++;
		}
	}
	*p = s;
	return 0;
}

/* RFC 6901 array index: "0" or [1-9][0-9]*, within size. */
static json_t *array_index(const json_t *arr, const char *seg)
{
	size_t i, idx = 0;

	if (seg[0] == '\0' || (seg[0] == '0' && seg[1] != '\0'))
		return NULL;
	for (i = 0; seg[i] != '\0'; i++) {
		if (seg[i] < '0' || seg[i] > '9')
			return NULL;
		if (idx > ((size_t)-1 - 9) / 10)
			return NULL;
		idx = idx * 10 + (size_t)(seg[i] - '0');
	}
	return json_array_get(arr, idx);
}

static const json_t *step_into(const json_t *node, const char *seg)
{
	if (json_is_object(node))
		return json_object_get(node, seg);
	if (json_is_array(node))
		return array_index(node, seg);
	return NULL;
}

static int pointer_valid(const char *pointer)
{
	const char *s;

	if (pointer == NULL)
		return 0;
	if (pointer[0] != '\0' && pointer[0] != '/')
		return 0;
	for (s = pointer; *s != '\0'; s++) {
		if (*s == '~' && s[1] != '0' && s[1] != '1')
			return 0;
	}
	return 1;
}

/*
 * Plain RFC 6901 lookup: borrowed value, or NULL when absent, when doc is
 * NULL, or when the pointer is malformed. "*" is an ordinary key here.
 */
json_t *acs_json_pointer(const json_t *doc, const char *pointer)
{
	struct acs_buf seg;
	const json_t *node = doc;
	const char *p = pointer;

	if (doc == NULL || !pointer_valid(pointer))
		return NULL;
	acs_buf_init(&seg, 0);
	while (node != NULL && *p == '/') {
		p++;
		if (next_segment(&p, &seg) != 0 || seg.data == NULL) {
			node = NULL;
			break;
		}
		node = step_into(node, seg.data);
	}
	acs_buf_free(&seg);
	return (json_t *)node;
}

static int matcher_is_absent(const json_t *matcher)
{
	return json_is_object(matcher) && json_object_size(matcher) == 1 &&
	       json_is_false(json_object_get(matcher, "present"));
}

/*
 * Walk the rest of the pointer p from node. where holds the concrete path
 * walked so far (escaped, with indexes in place of "*"), used to name the
 * failing place.
 */
static int match_walk(const json_t *node, const char *p, const json_t *matcher,
                      struct acs_buf *where, struct acs_buf *why)
{
	struct acs_buf seg;
	const char *start;
	size_t mark, i, n;
	int ok = 1;

	if (*p == '\0') {
		struct acs_buf inner;

		acs_buf_init(&inner, 0);
		ok = acs_match_value(matcher, node, &inner);
		if (!ok && why != NULL)
			(void)acs_buf_printf(why, "%s: %s", where->len > 0 ? where->data : "\"\"",
			                     inner.data != NULL ? inner.data : "no match");
		acs_buf_free(&inner);
		return ok;
	}
	/* *p == '/' here: the pointer was validated */
	p++;
	start = p;
	acs_buf_init(&seg, 0);
	if (next_segment(&p, &seg) != 0 || seg.data == NULL) {
		acs_buf_free(&seg);
		why_puts(why, "invalid JSON pointer");
		return 0;
	}
	mark = where->len;
	if (strcmp(seg.data, "*") == 0) {
		n = json_is_array(node) ? json_array_size(node) : 0;
		if (n == 0) {
			ok = matcher_is_absent(matcher);
			if (!ok && why != NULL) {
				(void)acs_buf_printf(why, "%s: expected a non-empty array, got ",
				                     where->len > 0 ? where->data : "\"\"");
				put_value(why, node);
			}
		}
		for (i = 0; i < n && ok; i++) {
			(void)acs_buf_printf(where, "/%zu", i);
			ok = match_walk(json_array_get(node, i), p, matcher, where, why);
			where->len = mark;
			where->data[mark] = '\0';
		}
	} else {
		(void)acs_buf_puts(where, "/");
		(void)acs_buf_append(where, start, (size_t)(p - start));
		ok = match_walk(step_into(node, seg.data), p, matcher, where, why);
		where->len = mark;
		where->data[mark] = '\0';
	}
	acs_buf_free(&seg);
	return ok;
}

/*
 * Apply matcher at pointer in doc (NULL doc: everything absent), with "*"
 * meaning every element of an array. 1 / 0; on 0 appends
 * "<concrete pointer>: <explanation>" to why ("/challenges/1/url: expected
 * an absolute https:// URL, got \"http://x\""). A malformed pointer fails.
 */
int acs_match_pointer(const json_t *doc, const char *pointer, const json_t *matcher,
                      struct acs_buf *why)
{
	struct acs_buf where;
	int ok;

	if (!pointer_valid(pointer)) {
		if (why != NULL)
			(void)acs_buf_printf(why, "%s: invalid JSON pointer",
			                     pointer != NULL ? pointer : "(null)");
		return 0;
	}
	acs_buf_init(&where, 0);
	(void)acs_buf_append(&where, "", 0);
	ok = match_walk(doc, pointer, matcher, &where, why);
	acs_buf_free(&where);
	return ok;
}

/* 1 when s is urn:ietf:params:acme:error:<registered type>. */
int acs_acme_error_registered(const char *s)
{
	size_t i, plen = strlen(ERROR_URN_PREFIX);

	if (s == NULL || strncmp(s, ERROR_URN_PREFIX, plen) != 0)
		return 0;
	s += plen;
	for (i = 0; i < sizeof(registered_errors) / sizeof(registered_errors[0]); i++) {
		if (strcmp(s, registered_errors[i]) == 0)
			return 1;
	}
	return 0;
}

int acs_json_set_equal(const json_t *a, const json_t *b)
{
	size_t i, j;
	json_t *x, *y;

	if (!json_is_array(a) || !json_is_array(b))
		return 0;
	json_array_foreach(a, i, x)
	{
		int found = 0;

		json_array_foreach(b, j, y)
		{
			if (json_equal(x, y)) {
				found = 1;
				break;
			}
		}
		if (!found)
			return 0;
	}
	json_array_foreach(b, j, y)
	{
		int found = 0;

		json_array_foreach(a, i, x)
		{
			if (json_equal(x, y)) {
				found = 1;
				break;
			}
		}
		if (!found)
			return 0;
	}
	return 1;
}
