/* The Go-template subset behind every `--format` (Podman and Docker users' scripts use these):
 *   {{.Field}} {{.A.B}} {{.}}  fields of the JSON value being printed
 *   {{json .X}} {{lower .X}} {{upper .X}} {{title .X}} {{len .X}} {{join .List ","}}
 *   {{printf "%s:%d" .A .B}} {{truncate .X 12}} {{index .List 0}} {{index .Map "k"}}
 *   and pipes: {{.X | upper}}
 *   {{if .X}}..{{else if .Y}}..{{else}}..{{end}}  {{range .List}}..{{.}}..{{else}}..{{end}}
 *   {{"literal"}}, {{- and -}} trimming, $ for the top value.
 * A leading "table " marks table output: the caller prints a header (template_header) and
 * aligns columns with pkg/tabwriter. Parsing is pure and fuzzed.
 */
#ifndef RCR_PKG_TEMPLATE_H
#define RCR_PKG_TEMPLATE_H

#include <jansson.h>
#include <stdbool.h>

#include "pkg/error.h"

struct template;

/* Parse fmt. Go's escapes \t and \n in the format text become tab and newline, as Podman
 * does. Errors name the position: "template: 1:9: unexpected '}}'...". */
struct template *template_parse(const char *fmt, struct rcr_error **err);
void template_free(struct template *t);

/* True when fmt started with "table". */
bool template_is_table(const struct template *t);

/* Render for data (borrowed). Returns an owned string; errors name the field or function. */
char *template_render(const struct template *t, json_t *data, struct rcr_error **err);

/* The header line of a table: each top-level {{.Field}} replaced by its heading, found in
 * headings (a JSON object mapping field name -> heading, e.g. "ID" -> "IMAGE ID") or else the
 * field name in upper case. Owned. */
char *template_header(const struct template *t, json_t *headings);

#endif
