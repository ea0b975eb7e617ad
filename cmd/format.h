/* Printing rows for `--format` as every listing command does it (Podman's rules): no format is
 * the command's default table; "json" prints the JSON array; "table TEMPLATE" prints a header
 * and aligned columns; any other template is rendered once per row, each followed by a newline.
 */
#ifndef RCR_CMD_FORMAT_H
#define RCR_CMD_FORMAT_H

#include <jansson.h>
#include <stdbool.h>

#include "pkg/error.h"

struct cli_format {
	const char *format;	   /* --format, or NULL */
	const char *default_table; /* "table {{.A}}\t{{.B}}" */
	json_t *headings;	   /* field -> heading, borrowed; may be NULL */
	bool noheading;		   /* --noheading */
};

/* rows: template data, one object per row (borrowed). json_rows: what "json" prints (borrowed;
 * rows when NULL). */
int cli_print_rows(const struct cli_format *f, json_t *rows, json_t *json_rows,
		   struct rcr_error **err);

/* One document (inspect): "json" or no format prints it indented as a JSON array of docs;
 * a template is rendered once per doc. */
int cli_print_docs(const char *format, json_t *docs, struct rcr_error **err);

/* Render template format once for doc (info, version), with a final newline. */
int cli_print_template(const char *format, json_t *doc, struct rcr_error **err);

#endif
