/* Evaluating a parsed template over a JSON value (see template.h), printing as Go does:
 * strings raw, numbers in decimal, arrays "[a b]", objects "map[k:v]" with sorted keys, and
 * "<no value>" for a missing map key. A missing field of a record is an error naming the field
 * (Podman: "can't evaluate field X"), except in maps such as Labels where a key may be absent.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "pkg/template.h"
#include "pkg/template_tree.h"

struct exec {
	json_t *root;
	json_t *dot;
	const char *var_names[TPL_MAX_VARS];
	json_t *var_vals[TPL_MAX_VARS];
	size_t nvars;
	FILE *out;
	struct rcr_error **err;
	int depth;
};

__attribute__((format(printf, 2, 3))) static json_t *xfail(struct exec *ex, const char *fmt, ...)
{
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	rcr_error_set(ex->err, EINVAL, "template: executing: %s", msg ? msg : "failed");
	free(msg);
	return NULL;
}

/* Keys whose values are maps of user data, where a missing key is "<no value>", not an error. */
static bool is_map_field(const char *name)
{
	static const char *const maps[] = {"Labels", "Annotations", "Options", "Env"};

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		if (strcmp(name, maps[i]) == 0)
			return true;
	return false;
}

static const char *type_name(json_t *v)
{
	if (v == NULL)
		return "nil";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "map";
	case JSON_ARRAY:
		return "slice";
	case JSON_STRING:
		return "string";
	case JSON_INTEGER:
		return "int";
	case JSON_REAL:
		return "float64";
	case JSON_TRUE:
	case JSON_FALSE:
		return "bool";
	default:
		return "nil";
	}
}

/* The member of object v named field; else one whose name differs only in case, as the Go
 * struct field {{.Host.Arch}} is the JSON key "arch" in documents Podman prints. */
static json_t *member(json_t *v, const char *field)
{
	json_t *m = json_object_get(v, field);
	const char *key;
	json_t *val;

	if (m != NULL)
		return m;
	json_object_foreach (v, key, val) {
		if (strcasecmp(key, field) == 0)
			return val;
	}
	return NULL;
}

/* Follow fields from v (borrowed); returns a new reference. prev names the key v came from. */
static json_t *walk(struct exec *ex, json_t *v, char **fields, const char *prev)
{
	for (size_t i = 0; fields && fields[i]; i++) {
		json_t *next;

		if (!json_is_object(v))
			return xfail(ex, "can't evaluate field %s in type %s", fields[i],
				     type_name(v));
		next = member(v, fields[i]);
		if (next == NULL) {
			if (prev != NULL && is_map_field(prev))
				return json_null();
			return xfail(ex, "can't evaluate field %s", fields[i]);
		}
		prev = fields[i];
		v = next;
	}
	return json_incref(v);
}

static json_t *lookup_var(struct exec *ex, const char *name)
{
	if (strcmp(name, "$") == 0)
		return ex->root;
	for (size_t i = ex->nvars; i > 0; i--)
		if (strcmp(ex->var_names[i - 1], name) == 0)
			return ex->var_vals[i - 1];
	return NULL;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of an object, sorted as Go sorts map keys. Owned array of borrowed strings. */
static const char **sorted_keys(json_t *obj, size_t *n)
{
	const char **keys = calloc(json_object_size(obj) + 1, sizeof(char *));
	const char *k;
	json_t *e;
	size_t j = 0;

	if (keys == NULL)
		return NULL;
	json_object_foreach (obj, k, e) {
		(void)e;
		keys[j++] = k;
	}
	qsort(keys, j, sizeof(char *), cmp_str);
	*n = j;
	return keys;
}

/* Go's default formatting of a value, appended to f. */
static void print_value(FILE *f, json_t *v)
{
	json_t *e;
	size_t i, n = 0;

	if (v == NULL) {
		fputs("<no value>", f);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING:
		fwrite(json_string_value(v), 1, json_string_length(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		fputs(json_is_true(v) ? "true" : "false", f);
		break;
	case JSON_NULL:
		fputs("<no value>", f);
		break;
	case JSON_ARRAY:
		fputc('[', f);
		json_array_foreach (v, i, e) {
			if (i > 0)
				fputc(' ', f);
			print_value(f, e);
		}
		fputc(']', f);
		break;
	case JSON_OBJECT: {
		_cleanup_free_ const char **keys = sorted_keys(v, &n);

		fputs("map[", f);
		for (i = 0; keys && i < n; i++) {
			fprintf(f, "%s%s:", i ? " " : "", keys[i]);
			print_value(f, json_object_get(v, keys[i]));
		}
		fputc(']', f);
		break;
	}
	}
}

/* The printed form of v as an owned string. */
static char *to_string(json_t *v)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	print_value(f, v);
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

static bool is_truthy(json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) > 0;
	case JSON_INTEGER:
		return json_integer_value(v) != 0;
	case JSON_REAL:
		return json_real_value(v) != 0.0;
	case JSON_TRUE:
		return true;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_OBJECT:
		return json_object_size(v) > 0;
	default:
		return false;
	}
}

/* ---- built-in functions ------------------------------------------------------------------ */

/* One printf verb with its flags (spec, e.g. "%-10" without the verb) applied to v. The format
 * is built at run time, but only from "%", the characters "-+# 0123456789." and a conversion
 * chosen here, so it can never consume an argument it was not given. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void printf_one(FILE *f, const char *spec, char verb, json_t *v)
{
	char fmt[40];

	switch (verb) {
	case 'd':
	case 'x':
	case 'X':
	case 'o':
		if (json_is_integer(v)) {
			snprintf(fmt, sizeof(fmt), "%sll%c", spec, verb);
			fprintf(f, fmt, (long long)json_integer_value(v));
			return;
		}
		break;
	case 'f':
	case 'g':
	case 'e':
		if (json_is_number(v)) {
			snprintf(fmt, sizeof(fmt), "%s%c", spec, verb);
			fprintf(f, fmt, json_number_value(v));
			return;
		}
		break;
	default:
		break;
	}
	{
		_cleanup_free_ char *s = to_string(v);
		_cleanup_free_ char *q = NULL;

		if (verb == 'q' && s != NULL && asprintf(&q, "\"%s\"", s) < 0)
			q = NULL;
		snprintf(fmt, sizeof(fmt), "%ss", spec);
		fprintf(f, fmt, q ? q : (s ? s : ""));
	}
}
#pragma GCC diagnostic pop

static json_t *fn_printf(struct exec *ex, json_t **args, size_t n)
{
	char *s = NULL;
	size_t len = 0, next = 1;
	const char *p;
	FILE *f;
	json_t *res;

	if (n < 1 || !json_is_string(args[0]))
		return xfail(ex, "printf needs a format string");
	f = open_memstream(&s, &len);
	if (f == NULL)
		return xfail(ex, "out of memory");
	for (p = json_string_value(args[0]); *p; p++) {
		char spec[24] = "%";
		size_t k = 1;

		if (*p != '%') {
			fputc(*p, f);
			continue;
		}
		if (p[1] == '%') {
			fputc('%', f);
			p++;
			continue;
		}
		while (p[1] && strchr("-+# 0123456789.", p[1]) && k < sizeof(spec) - 1)
			spec[k++] = *++p;
		spec[k] = '\0';
		if (p[1] == '\0')
			break;
		p++;
		if (next < n)
			printf_one(f, spec, *p, args[next++]);
		else
			fprintf(f, "%%!%c(MISSING)", *p);
	}
	fclose(f);
	res = json_string(s ? s : "");
	free(s);
	return res ? res : xfail(ex, "printf produced invalid UTF-8");
}

static json_t *map_chars(json_t *v, int (*fn)(int), bool title)
{
	_cleanup_free_ char *s = to_string(v);
	bool start = true;

	if (s == NULL)
		return NULL;
	for (char *c = s; *c; c++) {
		if (title) {
			if (start && isalpha((unsigned char)*c))
				*c = (char)toupper((unsigned char)*c);
			start = isspace((unsigned char)*c);
		} else {
			*c = (char)fn((unsigned char)*c);
		}
	}
	return json_string(s);
}

static json_t *fn_join(struct exec *ex, json_t **args, size_t n)
{
	char *s = NULL;
	size_t len = 0, i;
	json_t *e, *res;
	FILE *f;

	if (n != 2 || !json_is_array(args[0]) || !json_is_string(args[1]))
		return xfail(ex, "join needs a list and a separator");
	f = open_memstream(&s, &len);
	if (f == NULL)
		return xfail(ex, "out of memory");
	json_array_foreach (args[0], i, e) {
		if (i > 0)
			fputs(json_string_value(args[1]), f);
		print_value(f, e);
	}
	fclose(f);
	res = json_string(s ? s : "");
	free(s);
	return res;
}

static json_t *fn_len(struct exec *ex, json_t *v)
{
	if (json_is_array(v))
		return json_integer((json_int_t)json_array_size(v));
	if (json_is_object(v))
		return json_integer((json_int_t)json_object_size(v));
	if (json_is_string(v))
		return json_integer((json_int_t)json_string_length(v));
	return xfail(ex, "len of %s", type_name(v));
}

static json_t *fn_truncate(struct exec *ex, json_t **args, size_t n)
{
	_cleanup_free_ char *s = NULL;

	if (n != 2 || !json_is_integer(args[1]))
		return xfail(ex, "truncate needs a value and a length");
	s = to_string(args[0]);
	if (s != NULL && json_integer_value(args[1]) >= 0 &&
	    strlen(s) > (size_t)json_integer_value(args[1]))
		s[json_integer_value(args[1])] = '\0';
	return json_string(s ? s : "");
}

/* Go's index: index LIST N, index MAP "key", several keys in turn. */
static json_t *fn_index(struct exec *ex, json_t **args, size_t n)
{
	json_t *v;

	if (n < 2 || args == NULL)
		return xfail(ex, "index needs a value and at least one key");
	v = args[0];
	for (size_t i = 1; i < n; i++) {
		if (json_is_array(v) && json_is_integer(args[i])) {
			json_int_t k = json_integer_value(args[i]);

			if (k < 0 || (size_t)k >= json_array_size(v))
				return xfail(ex, "error calling index: index out of range: %lld",
					     (long long)k);
			v = json_array_get(v, (size_t)k);
		} else if (json_is_object(v) && json_is_string(args[i])) {
			v = json_object_get(v, json_string_value(args[i]));
			if (v == NULL)
				return json_null();
		} else if (json_is_null(v)) {
			return json_null();
		} else {
			return xfail(ex, "error calling index: cannot index %s", type_name(v));
		}
	}
	return json_incref(v);
}

/* eq compares numbers by value (1 == 1.0), everything else by JSON equality. */
static bool values_equal(json_t *a, json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b);
	return json_equal(a, b);
}

static json_t *call_func(struct exec *ex, const char *name, json_t **args, size_t n)
{
	if (strcmp(name, "true") == 0 || strcmp(name, "false") == 0)
		return n == 0 ? json_boolean(name[0] == 't')
			      : xfail(ex, "%s takes no arguments", name);
	if (strcmp(name, "nil") == 0)
		return json_null();
	if (strcmp(name, "printf") == 0)
		return fn_printf(ex, args, n);
	if (strcmp(name, "join") == 0)
		return fn_join(ex, args, n);
	if (strcmp(name, "truncate") == 0)
		return fn_truncate(ex, args, n);
	if (strcmp(name, "index") == 0)
		return fn_index(ex, args, n);
	if (strcmp(name, "eq") == 0 || strcmp(name, "ne") == 0) {
		if (n != 2)
			return xfail(ex, "%s needs two arguments", name);
		return json_boolean(values_equal(args[0], args[1]) == (name[0] == 'e'));
	}
	if (n != 1) {
		static const char *const unary[] = {"json",  "lower", "upper",
						    "title", "len",   "not"};

		for (size_t i = 0; i < sizeof(unary) / sizeof(unary[0]); i++)
			if (strcmp(name, unary[i]) == 0)
				return xfail(ex, "%s needs one argument", name);
		return xfail(ex, "function \"%s\" not defined", name);
	}
	if (strcmp(name, "json") == 0) {
		_cleanup_free_ char *s = json_dumps(args[0], JSON_ENCODE_ANY | JSON_COMPACT);

		return json_string(s ? s : "null");
	}
	if (strcmp(name, "lower") == 0)
		return map_chars(args[0], tolower, false);
	if (strcmp(name, "upper") == 0)
		return map_chars(args[0], toupper, false);
	if (strcmp(name, "title") == 0)
		return map_chars(args[0], NULL, true);
	if (strcmp(name, "len") == 0)
		return fn_len(ex, args[0]);
	if (strcmp(name, "not") == 0)
		return json_boolean(!is_truthy(args[0]));
	return xfail(ex, "function \"%s\" not defined", name);
}

static json_t *eval_pipe(struct exec *ex, const struct tpl_pipe *pp);

static json_t *eval_arg(struct exec *ex, const struct tpl_arg *a)
{
	json_t *v;

	switch (a->type) {
	case ARG_FIELD:
		return walk(ex, ex->dot, a->fields, NULL);
	case ARG_VAR:
		v = lookup_var(ex, a->name);
		if (v == NULL)
			return xfail(ex, "undefined variable %s", a->name);
		return walk(ex, v, a->fields, NULL);
	case ARG_STRING:
		return json_string(a->str);
	case ARG_NUMBER:
		return json_incref(a->num);
	case ARG_PIPE:
		return eval_pipe(ex, a->sub);
	case ARG_IDENT:
		return call_func(ex, a->name, NULL, 0);
	}
	return xfail(ex, "bad argument");
}

/* One command of a pipeline; piped (borrowed, may be NULL) is the previous command's value,
 * passed as the last argument as Go does. */
static json_t *eval_cmd(struct exec *ex, const struct tpl_cmd *c, json_t *piped)
{
	json_t *args[16];
	size_t n = 0;
	json_t *res;

	if (c->args[0].type != ARG_IDENT) {
		if (c->n > 1 || piped != NULL)
			return xfail(ex, "can't give an argument to a non-function");
		return eval_arg(ex, &c->args[0]);
	}
	if (c->n > 15)
		return xfail(ex, "too many arguments to %s", c->args[0].name);
	for (size_t i = 1; i < c->n; i++) {
		args[n] = eval_arg(ex, &c->args[i]);
		if (args[n] == NULL) {
			for (size_t k = 0; k < n; k++)
				json_decref(args[k]);
			return NULL;
		}
		n++;
	}
	if (piped != NULL)
		args[n++] = json_incref(piped);
	res = call_func(ex, c->args[0].name, args, n);
	for (size_t k = 0; k < n; k++)
		json_decref(args[k]);
	return res;
}

static json_t *eval_pipe(struct exec *ex, const struct tpl_pipe *pp)
{
	json_t *v = NULL;

	if (++ex->depth > TPL_MAX_DEPTH)
		return xfail(ex, "nested too deeply");
	for (size_t i = 0; i < pp->n; i++) {
		json_t *next = eval_cmd(ex, &pp->cmds[i], v);

		json_decref(v);
		if (next == NULL) {
			ex->depth--;
			return NULL;
		}
		v = next;
	}
	ex->depth--;
	return v;
}

static int exec_list(struct exec *ex, const struct tpl_list *l);

static int push_var(struct exec *ex, const char *name, json_t *val)
{
	if (name == NULL)
		return 0;
	if (ex->nvars >= TPL_MAX_VARS) {
		xfail(ex, "too many variables");
		return -1;
	}
	ex->var_names[ex->nvars] = name;
	ex->var_vals[ex->nvars++] = val;
	return 0;
}

/* One iteration of a range: dot and the declared variables set, the body run. */
static int range_step(struct exec *ex, const struct tpl_node *n, json_t *key, json_t *val)
{
	json_t *saved_dot = ex->dot;
	size_t saved_vars = ex->nvars;
	int rc;

	ex->dot = val;
	if (push_var(ex, n->pipe->decl[0], key) < 0 || push_var(ex, n->pipe->decl[1], val) < 0)
		return -1;
	rc = exec_list(ex, &n->then);
	ex->dot = saved_dot;
	ex->nvars = saved_vars;
	return rc;
}

static int exec_range(struct exec *ex, const struct tpl_node *n)
{
	_cleanup_json_ json_t *v = eval_pipe(ex, n->pipe);
	size_t i, cnt = 0;
	json_t *e;

	if (v == NULL)
		return -1;
	if (json_is_array(v)) {
		json_array_foreach (v, i, e) {
			_cleanup_json_ json_t *idx = json_integer((json_int_t)i);

			if (range_step(ex, n, idx, e) < 0)
				return -1;
		}
		cnt = json_array_size(v);
	} else if (json_is_object(v)) {
		_cleanup_free_ const char **keys = sorted_keys(v, &cnt);

		for (i = 0; keys && i < cnt; i++) {
			_cleanup_json_ json_t *k = json_string(keys[i]);

			if (range_step(ex, n, k, json_object_get(v, keys[i])) < 0)
				return -1;
		}
	} else if (!json_is_null(v)) {
		xfail(ex, "range can't iterate over %s", type_name(v));
		return -1;
	}
	return cnt == 0 ? exec_list(ex, &n->otherwise) : 0;
}

static int exec_node(struct exec *ex, const struct tpl_node *n)
{
	_cleanup_json_ json_t *v = NULL;

	switch (n->type) {
	case NODE_TEXT:
		fputs(n->text, ex->out);
		return 0;
	case NODE_ACTION:
		v = eval_pipe(ex, n->pipe);
		if (v == NULL)
			return -1;
		print_value(ex->out, v);
		return 0;
	case NODE_IF:
		v = eval_pipe(ex, n->pipe);
		if (v == NULL)
			return -1;
		return exec_list(ex, is_truthy(v) ? &n->then : &n->otherwise);
	case NODE_RANGE:
		return exec_range(ex, n);
	}
	return 0;
}

static int exec_list(struct exec *ex, const struct tpl_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		if (exec_node(ex, &l->v[i]) < 0)
			return -1;
	return 0;
}

char *template_render(const struct template *t, json_t *data, struct rcr_error **err)
{
	char *s = NULL;
	size_t len = 0;
	struct exec ex = {.root = data, .dot = data, .err = err};
	int rc;

	ex.out = open_memstream(&s, &len);
	if (ex.out == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	rc = exec_list(&ex, &t->root);
	if (fclose(ex.out) != 0 || rc < 0) {
		if (rc == 0)
			rcr_error_set(err, ENOMEM, "out of memory");
		free(s);
		return NULL;
	}
	return s;
}

/* The heading of a top-level action: the mapped or upper-cased name of its last field. */
static void print_heading(FILE *f, const struct tpl_pipe *pp, json_t *headings)
{
	const struct tpl_arg *field = NULL;
	const char *name = "";
	json_t *h;

	for (size_t i = 0; i < pp->n; i++)
		for (size_t k = 0; k < pp->cmds[i].n; k++)
			if (pp->cmds[i].args[k].type == ARG_FIELD && pp->cmds[i].args[k].fields[0])
				field = &pp->cmds[i].args[k];
	if (field == NULL)
		return;
	for (size_t i = 0; field->fields[i]; i++)
		name = field->fields[i];
	h = headings ? json_object_get(headings, name) : NULL;
	if (json_is_string(h)) {
		fputs(json_string_value(h), f);
		return;
	}
	for (const char *c = name; *c; c++)
		fputc(toupper((unsigned char)*c), f);
}

char *template_header(const struct template *t, json_t *headings)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	if (f == NULL)
		return NULL;
	for (size_t i = 0; i < t->root.n; i++) {
		const struct tpl_node *n = &t->root.v[i];

		if (n->type == NODE_TEXT)
			fputs(n->text, f);
		else if (n->type == NODE_ACTION)
			print_heading(f, n->pipe, headings);
	}
	if (fclose(f) != 0) {
		free(s);
		return NULL;
	}
	return s;
}
