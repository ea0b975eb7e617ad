/* Printing a JSON document as YAML, the default layout of `podman info`; the same data as
 * --format json, so both outputs can never disagree.
 */
#include <stdio.h>
#include <string.h>

#include "pkg/yaml.h"

/* Quote a scalar when YAML would read it as something else. */
static void print_scalar_string(FILE *out, const char *s)
{
	bool plain = s[0] != '\0' && strpbrk(s, ":#{}[],&*?|<>=!%@`'\"\n") == NULL && s[0] != ' ' &&
		     s[0] != '-' && strcmp(s, "true") != 0 && strcmp(s, "false") != 0 &&
		     strcmp(s, "null") != 0;

	if (plain) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fputc('\\', out);
		if (*p == '\n')
			fputs("\\n", out);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void print_scalar(FILE *out, json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_STRING:
		print_scalar_string(out, json_string_value(v));
		break;
	case JSON_INTEGER:
		fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(out, "%g", json_real_value(v));
		break;
	case JSON_TRUE:
		fputs("true", out);
		break;
	case JSON_FALSE:
		fputs("false", out);
		break;
	default:
		fputs("null", out);
		break;
	}
}

static bool is_empty_container(json_t *v)
{
	return (json_is_object(v) && json_object_size(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static void print_value(FILE *out, json_t *v, int indent);

static void print_object(FILE *out, json_t *obj, int indent)
{
	const char *key;
	json_t *v;

	json_object_foreach (obj, key, v) {
		fprintf(out, "%*s%s:", indent, "", key);
		if (is_empty_container(v)) {
			fputs(json_is_object(v) ? " {}\n" : " []\n", out);
		} else if (json_is_object(v) || json_is_array(v)) {
			fputc('\n', out);
			print_value(out, v, indent + 2);
		} else {
			fputc(' ', out);
			print_scalar(out, v);
			fputc('\n', out);
		}
	}
}

static void print_value(FILE *out, json_t *v, int indent)
{
	size_t i;
	json_t *e;

	if (json_is_object(v)) {
		print_object(out, v, indent);
		return;
	}
	json_array_foreach (v, i, e) {
		fprintf(out, "%*s-", indent, "");
		if (json_is_object(e) && json_object_size(e) > 0) {
			/* "- key: v" then the other keys aligned under the first. */
			fputc('\n', out);
			print_object(out, e, indent + 2);
		} else if (json_is_array(e) && json_array_size(e) > 0) {
			fputc('\n', out);
			print_value(out, e, indent + 2);
		} else {
			fputc(' ', out);
			if (is_empty_container(e))
				fputs(json_is_object(e) ? "{}" : "[]", out);
			else
				print_scalar(out, e);
			fputc('\n', out);
		}
	}
}

void yaml_print(FILE *out, json_t *doc)
{
	print_value(out, doc, 0);
}
