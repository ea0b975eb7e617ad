/* Unit tests of pkg/template*.c and pkg/tabwriter.c: the --format language users script with. */
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "pkg/tabwriter.h"
#include "pkg/template.h"
#include "tests/unit/tap.h"

static json_t *data;

static void render(const char *fmt, const char *want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct template *t = template_parse(fmt, &err);
	_cleanup_free_ char *out = t ? template_render(t, data, &err) : NULL;

	if (out == NULL)
		printf("# error: %s\n", err ? err->msg : "?");
	is_str(out, want, "%s", fmt);
	template_free(t);
}

static void render_fails(const char *fmt, const char *want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct template *t = template_parse(fmt, &err);
	_cleanup_free_ char *out = t ? template_render(t, data, &err) : NULL;

	ok(out == NULL, "refused: %s", fmt);
	has_str(err ? err->msg : NULL, want, "error says '%s'", want);
	template_free(t);
}

static void test_fields_and_funcs(void)
{
	render("{{.Repository}}:{{.Tag}}", "docker.io/library/busybox:latest");
	render("{{.Size}} {{.Ratio}} {{.Dangling}}", "1234 0.5 false");
	render("{{.Config.Cmd}}", "[sh -c true]");
	render("{{.Labels}}", "map[a:1 b:2]");
	render("{{.Labels.b}}", "2");
	render("{{.Labels.missing}}", "<no value>");
	render("{{json .Config}}", "{\"Cmd\":[\"sh\",\"-c\",\"true\"],\"Env\":[]}");
	render("{{json .Tag}}", "\"latest\"");
	render("{{lower .Name}}-{{upper .Name}}-{{title \"hello world\"}}",
	       "mixed-MIXED-Hello World");
	render("{{.Name | lower}}", "mixed");
	render("{{.Name | lower | upper}}", "MIXED");
	render("{{join .Config.Cmd \",\"}}", "sh,-c,true");
	render("{{len .Config.Cmd}} {{len .Labels}} {{len .Tag}}", "3 2 6");
	render("{{printf \"%s=%d\" .Tag .Size}}", "latest=1234");
	render("{{printf \"%-8s|\" .Tag}}", "latest  |");
	render("{{printf \"%5.1f|%q|%v|%%\" .Ratio .Tag .Size}}", "  0.5|\"latest\"|1234|%");
	render("{{printf \"%s %s\" .Tag}}", "latest %!s(MISSING)");
	render("{{truncate .ID 5}}", "abcde");
	render("{{index .Config.Cmd 1}} {{index .Labels \"b\"}}", "-c 2");
	render("{{.repository}}", "docker.io/library/busybox");
	render("{{.}}", "map[Config:map[Cmd:[sh -c true] Env:[]] Dangling:false ID:abcdef012345 "
			"Labels:map[a:1 b:2] List:[map[N:x] map[N:y]] Name:MiXeD Ratio:0.5 "
			"Repository:docker.io/library/busybox Size:1234 Tag:latest]");
	render("{{\"lit\"}} {{`raw`}} {{42}}", "lit raw 42");
	render("a\\tb\\nc", "a\tb\nc");
}

static void test_control(void)
{
	render("{{if .Dangling}}yes{{else}}no{{end}}", "no");
	render("{{if .Tag}}tagged{{end}}", "tagged");
	render("{{if eq .Tag \"latest\"}}L{{else if eq .Tag \"x\"}}X{{else}}?{{end}}", "L");
	render("{{if ne .Size 1234}}a{{else if .Labels}}b{{end}}", "b");
	render("{{if not .Config.Env}}empty{{end}}", "empty");
	render("{{range .Config.Cmd}}[{{.}}]{{end}}", "[sh][-c][true]");
	render("{{range .List}}{{.N}},{{end}}", "x,y,");
	render("{{range $i, $e := .List}}{{$i}}={{$e.N}} {{end}}", "0=x 1=y ");
	render("{{range $k, $v := .Labels}}{{$k}}:{{$v}};{{end}}", "a:1;b:2;");
	render("{{range $v := .Config.Cmd}}{{$v}}{{$.Tag}} {{end}}",
	       "shlatest -clatest truelatest ");
	render("{{range .Config.Env}}x{{else}}none{{end}}", "none");
	render("{{- \" a \" -}}  b", " a b");
	render("x  {{- .Tag}}", "xlatest");
	render("{{.Tag -}}   \n y", "latesty");
	render("{{if (eq (len .List) 2)}}two{{end}}", "two");
}

static void test_errors(void)
{
	render_fails("{{.Nope}}", "can't evaluate field Nope");
	render_fails("{{.Tag.Deeper}}", "can't evaluate field Deeper in type string");
	render_fails("{{frob .Tag}}", "function \"frob\" not defined");
	render_fails("{{.Tag", "unclosed action");
	render_fails("{{if .Tag}}x", "missing {{end}}");
	render_fails("{{end}}", "unexpected {{end}}");
	render_fails("{{range .Tag}}x{{end}}", "range can't iterate over string");
	render_fails("{{\"open}}", "unterminated quoted string");
	render_fails("{{.Tag 1}}", "can't give an argument to a non-function");
	render_fails("{{$nope}}", "undefined variable $nope");
	render_fails("{{ | lower}}", "missing command before '|'");
	render_fails("{{}}", "missing value in an action");
}

static void test_table(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct template *t = template_parse("table {{.Repository}}\t{{.ID}}\t{{.Size}}", &err);
	_cleanup_json_ json_t *headings = json_pack("{s:s}", "ID", "IMAGE ID");
	_cleanup_free_ char *hdr = NULL;
	_cleanup_free_ char *row = NULL;
	_cleanup_free_ char *all = NULL;
	_cleanup_free_ char *aligned = NULL;

	ok(t != NULL && template_is_table(t), "table prefix recognised");
	hdr = template_header(t, headings);
	is_str(hdr, "REPOSITORY\tIMAGE ID\tSIZE", "header from mapped and upper-cased names");
	row = template_render(t, data, &err);
	is_str(row, "docker.io/library/busybox\tabcdef012345\t1234", "row without the prefix");
	ok(asprintf(&all, "%s\n%s\n", hdr, row) > 0, "joined");
	aligned = tabwriter_align(all, 12, 2);
	is_str(aligned,
	       "REPOSITORY                 IMAGE ID      SIZE\n"
	       "docker.io/library/busybox  abcdef012345  1234\n",
	       "columns aligned as Go's tabwriter (minwidth 12, padding 2)");
	template_free(t);
	t = template_parse("{{.Tag}}", &err);
	ok(t != NULL && !template_is_table(t), "no table prefix");
	template_free(t);
	t = template_parse("tablet {{.Tag}}", &err);
	ok(t != NULL && !template_is_table(t), "'tablet' is text, not the table prefix");
	template_free(t);
}

static void test_tabwriter(void)
{
	_cleanup_free_ char *a = tabwriter_align("a\tbb\tc\nddd\te\tf\n", 0, 1);
	_cleanup_free_ char *b = tabwriter_align("é\tx\nab\ty\n", 0, 1);

	is_str(a, "a   bb c\nddd e  f\n", "widest cell plus padding; last cell unpadded");
	is_str(b, "é  x\nab y\n", "widths count characters, not bytes");
}

int main(void)
{
	data = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:b, s:{s:s, s:s}, s:{s:[s,s,s], s:[]},"
			 " s:[{s:s},{s:s}]}",
			 "Repository", "docker.io/library/busybox", "Tag", "latest", "ID",
			 "abcdef012345", "Name", "MiXeD", "Size", 1234, "Ratio", 0.5, "Dangling", 0,
			 "Labels", "a", "1", "b", "2", "Config", "Cmd", "sh", "-c", "true", "Env",
			 "List", "N", "x", "N", "y");
	test_fields_and_funcs();
	test_control();
	test_errors();
	test_table();
	test_tabwriter();
	json_decref(data);
	return tap_done();
}
