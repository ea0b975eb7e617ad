/* TOML subset parser (see toml.h). A recursive-descent reader over a bounded buffer.
 *
 * Must never read past len, recurse without a bound (nesting is capped), or accept a document
 * that means something else than TOML says: duplicate keys and redefined tables are errors.
 */
#include "pkg/toml.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"

#define TOML_MAX_DEPTH 32

struct reader {
	const char *p;
	const char *end;
	int line;
	const char *what;
	struct rcr_error **err;
	int depth;
};

/* Tables made by a [header] are marked so that a second [header] of the same name is refused,
 * while a table implied by a dotted header ([a.b] implies a) may still be defined once. */
static const char defined_mark[] = "\001"
				   "defined";

__attribute__((format(printf, 2, 3))) static int rfail(struct reader *r, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	rcr_error_set(r->err, EINVAL, "%s line %d: %s", r->what, r->line,
		      msg ? msg : "parse error");
	free(msg);
	return -1;
}

static bool at_end(struct reader *r)
{
	return r->p >= r->end;
}

static void skip_ws(struct reader *r)
{
	while (!at_end(r) && (*r->p == ' ' || *r->p == '\t'))
		r->p++;
}

static void skip_comment(struct reader *r)
{
	if (!at_end(r) && *r->p == '#')
		while (!at_end(r) && *r->p != '\n')
			r->p++;
}

/* Skip blanks, comments and newlines (inside arrays, and between statements). */
static void skip_all(struct reader *r)
{
	for (;;) {
		skip_ws(r);
		skip_comment(r);
		if (at_end(r))
			return;
		if (*r->p == '\n') {
			r->line++;
			r->p++;
		} else if (*r->p == '\r' && r->p + 1 < r->end && r->p[1] == '\n') {
			r->p++;
		} else {
			return;
		}
	}
}

/* After a statement only a comment and the end of the line may follow. */
static int expect_eol(struct reader *r)
{
	skip_ws(r);
	skip_comment(r);
	if (!at_end(r) && *r->p == '\r')
		r->p++;
	if (at_end(r))
		return 0;
	if (*r->p != '\n')
		return rfail(r, "unexpected '%c' after a value", *r->p);
	return 0;
}

static int put_utf8(char *out, unsigned long cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

static int read_escape(struct reader *r, char *out, size_t *n)
{
	char c;

	if (at_end(r))
		return rfail(r, "unterminated escape");
	c = *r->p++;
	switch (c) {
	case 'b':
		out[(*n)++] = '\b';
		return 0;
	case 't':
		out[(*n)++] = '\t';
		return 0;
	case 'n':
		out[(*n)++] = '\n';
		return 0;
	case 'f':
		out[(*n)++] = '\f';
		return 0;
	case 'r':
		out[(*n)++] = '\r';
		return 0;
	case '"':
		out[(*n)++] = '"';
		return 0;
	case '\\':
		out[(*n)++] = '\\';
		return 0;
	case 'u':
	case 'U': {
		int digits = c == 'u' ? 4 : 8;
		unsigned long cp = 0;

		for (int i = 0; i < digits; i++) {
			if (at_end(r) || !isxdigit((unsigned char)*r->p))
				return rfail(r, "bad \\%c escape", c);
			cp = cp * 16 +
			     (unsigned long)(isdigit((unsigned char)*r->p)
						     ? *r->p - '0'
						     : (tolower((unsigned char)*r->p) - 'a' + 10));
			r->p++;
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0)
			return rfail(r, "escape \\%c is not a valid character", c);
		*n += (size_t)put_utf8(out + *n, cp);
		return 0;
	}
	default:
		return rfail(r, "unknown escape '\\%c'", c);
	}
}

/* A string starting at r->p (on its opening quote). Owned result. */
static char *read_string(struct reader *r)
{
	char q = *r->p;
	bool multi = r->end - r->p >= 3 && r->p[1] == q && r->p[2] == q;
	size_t cap = (size_t)(r->end - r->p) + 1;
	_cleanup_free_ char *out = malloc(cap);
	size_t n = 0;

	if (out == NULL) {
		rfail(r, "out of memory");
		return NULL;
	}
	r->p += multi ? 3 : 1;
	/* A newline right after the opening delimiter of a multi-line string is trimmed. */
	if (multi && !at_end(r) && *r->p == '\n') {
		r->line++;
		r->p++;
	}
	for (;;) {
		if (at_end(r)) {
			rfail(r, "unterminated string");
			return NULL;
		}
		if (*r->p == q && (!multi || (r->end - r->p >= 3 && r->p[1] == q && r->p[2] == q)))
			break;
		if (*r->p == '\n') {
			if (!multi) {
				rfail(r, "newline in a single-line string");
				return NULL;
			}
			r->line++;
		}
		if (*r->p == '\\' && q == '"') {
			r->p++;
			if (multi && !at_end(r) && (*r->p == '\n' || *r->p == ' ')) {
				/* line-ending backslash: trim whitespace up to the next text */
				while (!at_end(r) && isspace((unsigned char)*r->p))
					r->line += *r->p++ == '\n';
				continue;
			}
			if (read_escape(r, out, &n) < 0)
				return NULL;
			continue;
		}
		out[n++] = *r->p++;
	}
	r->p += multi ? 3 : 1;
	out[n] = '\0';
	return steal_ptr(&out);
}

static bool is_bare_key_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-';
}

/* One key part: bare, "basic" or 'literal'. Owned. */
static char *read_key_part(struct reader *r)
{
	const char *start;

	skip_ws(r);
	if (at_end(r)) {
		rfail(r, "expected a key");
		return NULL;
	}
	if (*r->p == '"' || *r->p == '\'') {
		if (r->end - r->p >= 3 && r->p[1] == r->p[0] && r->p[2] == r->p[0]) {
			rfail(r, "a key may not be a multi-line string");
			return NULL;
		}
		return read_string(r);
	}
	start = r->p;
	while (!at_end(r) && is_bare_key_char(*r->p))
		r->p++;
	if (r->p == start) {
		rfail(r, "expected a key, found '%c'", *r->p);
		return NULL;
	}
	return strndup(start, (size_t)(r->p - start));
}

/* A dotted key into a NULL-terminated vector of parts (owned). */
static char **read_key(struct reader *r)
{
	_cleanup_strv_ char **parts = calloc(TOML_MAX_DEPTH + 1, sizeof(char *));
	size_t n = 0;

	if (parts == NULL)
		return NULL;
	for (;;) {
		if (n >= TOML_MAX_DEPTH) {
			rfail(r, "key nested deeper than %d", TOML_MAX_DEPTH);
			return NULL;
		}
		parts[n] = read_key_part(r);
		if (parts[n] == NULL)
			return NULL;
		n++;
		skip_ws(r);
		if (at_end(r) || *r->p != '.')
			break;
		r->p++;
	}
	return steal_ptr(&parts);
}

static json_t *read_value(struct reader *r);

static json_t *read_array(struct reader *r)
{
	json_t *a = json_array();

	r->p++;
	for (;;) {
		json_t *v;

		skip_all(r);
		if (at_end(r)) {
			json_decref(a);
			rfail(r, "unterminated array");
			return NULL;
		}
		if (*r->p == ']') {
			r->p++;
			return a;
		}
		v = read_value(r);
		if (v == NULL) {
			json_decref(a);
			return NULL;
		}
		json_array_append_new(a, v);
		skip_all(r);
		if (!at_end(r) && *r->p == ',') {
			r->p++;
			continue;
		}
		if (!at_end(r) && *r->p == ']')
			continue;
		json_decref(a);
		rfail(r, at_end(r) ? "unterminated array" : "expected ',' or ']' in an array");
		return NULL;
	}
}

static int set_dotted(struct reader *r, json_t *table, char **key, json_t *value);

static json_t *read_inline_table(struct reader *r)
{
	json_t *t = json_object();

	r->p++;
	skip_ws(r);
	if (!at_end(r) && *r->p == '}') {
		r->p++;
		return t;
	}
	for (;;) {
		_cleanup_strv_ char **key = read_key(r);
		json_t *v;

		skip_ws(r);
		if (key == NULL || at_end(r) || *r->p != '=') {
			if (key != NULL)
				rfail(r, "expected '=' in an inline table");
			json_decref(t);
			return NULL;
		}
		r->p++;
		skip_ws(r);
		v = read_value(r);
		if (v == NULL || set_dotted(r, t, key, v) < 0) {
			json_decref(t);
			return NULL;
		}
		skip_ws(r);
		if (!at_end(r) && *r->p == ',') {
			r->p++;
			continue;
		}
		if (!at_end(r) && *r->p == '}') {
			r->p++;
			return t;
		}
		json_decref(t);
		rfail(r, "expected ',' or '}' in an inline table");
		return NULL;
	}
}

static json_t *read_scalar(struct reader *r)
{
	const char *start = r->p;
	char buf[128];
	size_t n = 0;
	char *endp = NULL;

	while (!at_end(r) && (isalnum((unsigned char)*r->p) || strchr("+-._:", *r->p)))
		r->p++;
	if (r->p == start) {
		rfail(r, "expected a value, found '%c'", at_end(r) ? ' ' : *r->p);
		return NULL;
	}
	if ((size_t)(r->p - start) == 4 && strncmp(start, "true", 4) == 0)
		return json_true();
	if ((size_t)(r->p - start) == 5 && strncmp(start, "false", 5) == 0)
		return json_false();
	for (const char *q = start; q < r->p && n < sizeof(buf) - 1; q++)
		if (*q != '_')
			buf[n++] = *q;
	buf[n] = '\0';
	if (strchr(buf, ':') != NULL || (n >= 10 && buf[4] == '-' && buf[7] == '-')) {
		rfail(r, "dates and times are not supported ('%s')", buf);
		return NULL;
	}
	errno = 0;
	if (strpbrk(buf, ".eE") == NULL || strncmp(buf, "0x", 2) == 0) {
		long long v = strtoll(buf, &endp, 0);

		if (errno == 0 && endp && *endp == '\0')
			return json_integer(v);
	} else {
		double d = strtod(buf, &endp);

		if (errno == 0 && endp && *endp == '\0')
			return json_real(d);
	}
	rfail(r, "'%s' is not a value (strings need quotes)", buf);
	return NULL;
}

static json_t *read_value(struct reader *r)
{
	json_t *v;

	if (at_end(r)) {
		rfail(r, "expected a value");
		return NULL;
	}
	if (++r->depth > TOML_MAX_DEPTH) {
		rfail(r, "values nested deeper than %d", TOML_MAX_DEPTH);
		return NULL;
	}
	if (*r->p == '"' || *r->p == '\'') {
		char *s = read_string(r);

		v = s ? json_string(s) : NULL;
		if (s != NULL && v == NULL)
			rfail(r, "string is not valid UTF-8");
		free(s);
	} else if (*r->p == '[') {
		v = read_array(r);
	} else if (*r->p == '{') {
		v = read_inline_table(r);
	} else {
		v = read_scalar(r);
	}
	r->depth--;
	return v;
}

/* Walk (creating) the tables of key[0..n-2] from table; returns the innermost, borrowed. An
 * array of tables on the way means its last element, as TOML specifies. */
static json_t *walk(struct reader *r, json_t *table, char **key, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *next = json_object_get(table, key[i]);

		if (next == NULL) {
			next = json_object();
			if (json_object_set_new(table, key[i], next) < 0) {
				rfail(r, "key is not valid UTF-8");
				return NULL;
			}
		} else if (json_is_array(next) && json_array_size(next) > 0 &&
			   json_is_object(json_array_get(next, json_array_size(next) - 1))) {
			next = json_array_get(next, json_array_size(next) - 1);
		} else if (!json_is_object(next)) {
			rfail(r, "key '%s' is already a value, not a table", key[i]);
			return NULL;
		}
		table = next;
	}
	return table;
}

static size_t strv_len(char **v)
{
	size_t n = 0;

	while (v[n] != NULL)
		n++;
	return n;
}

static int set_dotted(struct reader *r, json_t *table, char **key, json_t *value)
{
	size_t n = strv_len(key);
	json_t *t = walk(r, table, key, n - 1);

	if (t == NULL) {
		json_decref(value);
		return -1;
	}
	if (json_object_get(t, key[n - 1]) != NULL) {
		json_decref(value);
		return rfail(r, "duplicate key '%s'", key[n - 1]);
	}
	if (json_object_set_new(t, key[n - 1], value) < 0)
		return rfail(r, "key is not valid UTF-8");
	return 0;
}

/* [name] or [[name]]: returns the table that following keys go into (borrowed). */
static json_t *read_header(struct reader *r, json_t *root)
{
	bool array = r->end - r->p >= 2 && r->p[1] == '[';
	_cleanup_strv_ char **key = NULL;
	json_t *parent, *t;
	size_t n;

	r->p += array ? 2 : 1;
	key = read_key(r);
	if (key == NULL)
		return NULL;
	skip_ws(r);
	if (r->end - r->p < (array ? 2 : 1) || *r->p != ']' || (array && r->p[1] != ']')) {
		rfail(r, "expected '%s' to close the table name", array ? "]]" : "]");
		return NULL;
	}
	r->p += array ? 2 : 1;
	n = strv_len(key);
	parent = walk(r, root, key, n - 1);
	if (parent == NULL)
		return NULL;
	t = json_object_get(parent, key[n - 1]);
	if (array) {
		if (t == NULL) {
			t = json_array();
			if (json_object_set_new(parent, key[n - 1], t) < 0) {
				rfail(r, "table name is not valid UTF-8");
				return NULL;
			}
		} else if (!json_is_array(t)) {
			rfail(r, "'%s' is already defined as a table, not an array of tables",
			      key[n - 1]);
			return NULL;
		}
		json_array_append_new(t, json_object());
		return json_array_get(t, json_array_size(t) - 1);
	}
	if (t == NULL) {
		t = json_object();
		if (json_object_set_new(parent, key[n - 1], t) < 0) {
			rfail(r, "table name is not valid UTF-8");
			return NULL;
		}
	} else if (!json_is_object(t)) {
		rfail(r, "'%s' is already a value, not a table", key[n - 1]);
		return NULL;
	} else if (json_object_get(t, defined_mark) != NULL) {
		rfail(r, "table '%s' is defined twice", key[n - 1]);
		return NULL;
	}
	json_object_set_new(t, defined_mark, json_true());
	return t;
}

/* Remove the markers read_header left in every table. */
static void strip_marks(json_t *v)
{
	const char *k;
	json_t *child;
	size_t i;

	if (json_is_object(v)) {
		json_object_del(v, defined_mark);
		json_object_foreach (v, k, child)
			strip_marks(child);
	} else if (json_is_array(v)) {
		json_array_foreach (v, i, child)
			strip_marks(child);
	}
}

static int read_statement(struct reader *r, json_t *root, json_t **current)
{
	_cleanup_strv_ char **key = NULL;
	json_t *v;

	if (*r->p == '[') {
		*current = read_header(r, root);
		return *current ? expect_eol(r) : -1;
	}
	key = read_key(r);
	if (key == NULL)
		return -1;
	skip_ws(r);
	if (at_end(r) || *r->p != '=')
		return rfail(r, "expected '=' after key '%s'", key[0]);
	r->p++;
	skip_ws(r);
	v = read_value(r);
	if (v == NULL || set_dotted(r, *current, key, v) < 0)
		return -1;
	return expect_eol(r);
}

json_t *toml_parse(const char *text, size_t len, const char *what, struct rcr_error **err)
{
	struct reader r = {.p = text, .end = text + len, .line = 1, .what = what, .err = err};
	json_t *root = json_object();
	json_t *current = root;

	if (memchr(text, '\0', len) != NULL) {
		json_decref(root);
		rcr_error_set(err, EINVAL, "%s: contains a NUL byte", what);
		return NULL;
	}
	for (;;) {
		skip_all(&r);
		if (at_end(&r))
			break;
		if (read_statement(&r, root, &current) < 0) {
			json_decref(root);
			return NULL;
		}
	}
	strip_marks(root);
	return root;
}
