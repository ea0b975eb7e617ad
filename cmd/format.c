/* --format output (see format.h). */
#include "cmd/format.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/tabwriter.h"
#include "pkg/template.h"

static int print_json(json_t *v, struct rcr_error **err)
{
	_cleanup_free_ char *s = json_dumps(v, JSON_INDENT(4) | JSON_PRESERVE_ORDER);

	if (s == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	printf("%s\n", s);
	return 0;
}

/* Render t for every row, appending a newline after each unless it already ends with one. */
static char *render_rows(const struct template *t, json_t *rows, struct rcr_error **err)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	size_t i;
	json_t *row;

	if (out == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	json_array_foreach (rows, i, row) {
		_cleanup_free_ char *s = template_render(t, row, err);
		size_t n;

		if (s == NULL) {
			fclose(out);
			free(buf);
			return NULL;
		}
		n = strlen(s);
		fputs(s, out);
		if (n == 0 || s[n - 1] != '\n')
			fputc('\n', out);
	}
	fclose(out);
	return buf;
}

int cli_print_rows(const struct cli_format *f, json_t *rows, json_t *json_rows,
		   struct rcr_error **err)
{
	const char *fmt = f->format ? f->format : f->default_table;
	struct template *t;
	_cleanup_free_ char *body = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *aligned = NULL;
	int rc = -1;

	if (f->format != NULL && strcmp(f->format, "json") == 0)
		return print_json(json_rows ? json_rows : rows, err);
	t = template_parse(fmt, err);
	if (t == NULL)
		return -1;
	body = render_rows(t, rows, err);
	if (body == NULL)
		goto out;
	if (!template_is_table(t)) {
		fputs(body, stdout);
		rc = 0;
		goto out;
	}
	{
		_cleanup_free_ char *head =
			f->noheading ? strdup("") : template_header(t, f->headings);

		if (head == NULL ||
		    asprintf(&text, "%s%s%s", head, head[0] ? "\n" : "", body) < 0 ||
		    (aligned = tabwriter_align(text, 12, 2)) == NULL) {
			rcr_error_set(err, ENOMEM, "out of memory");
			goto out;
		}
	}
	fputs(aligned, stdout);
	rc = 0;
out:
	template_free(t);
	return rc;
}

int cli_print_docs(const char *format, json_t *docs, struct rcr_error **err)
{
	struct template *t;
	_cleanup_free_ char *body = NULL;

	if (format == NULL || strcmp(format, "json") == 0)
		return print_json(docs, err);
	t = template_parse(format, err);
	if (t == NULL)
		return -1;
	body = render_rows(t, docs, err);
	template_free(t);
	if (body == NULL)
		return -1;
	fputs(body, stdout);
	return 0;
}

int cli_print_template(const char *format, json_t *doc, struct rcr_error **err)
{
	json_t *one = json_pack("[O]", doc);
	int rc = cli_print_docs(format, one, err);

	json_decref(one);
	return rc;
}
