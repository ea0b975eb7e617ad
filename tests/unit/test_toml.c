/* Unit tests of pkg/toml.c on registries.conf-shaped documents and on malformed input. */
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "pkg/toml.h"
#include "tests/unit/tap.h"

static json_t *parse(const char *text, struct rcr_error **err)
{
	return toml_parse(text, strlen(text), "'test.conf'", err);
}

static void test_registries_conf(void)
{
	const char *doc = "# registries.conf\n"
			  "unqualified-search-registries = [\"docker.io\", 'quay.io',\n"
			  "   # a comment inside an array\n"
			  "   \"127.0.0.1:5000\", ]\n"
			  "short-name-mode = \"enforcing\"  # trailing comment\n"
			  "\n"
			  "[aliases]\n"
			  "\"busybox\" = \"docker.io/library/busybox\"\n"
			  "app = \"localhost:5000/ns/app\"\n"
			  "\n"
			  "[[registry]]\n"
			  "prefix = \"example.com/foo\"\n"
			  "location = \"127.0.0.1:5000\"\n"
			  "insecure = true\n"
			  "blocked = false\n"
			  "[[registry.mirror]]\n"
			  "location = \"mirror-1.local\"\n"
			  "[[registry.mirror]]\n"
			  "location = \"mirror-2.local\"\n"
			  "insecure = true\n"
			  "\n"
			  "[[registry]]\n"
			  "location = \"blocked.io\"\n"
			  "blocked = true\n";
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = parse(doc, &err);
	json_t *regs, *mirrors;

	ok(j != NULL, "registries.conf parses%s%s", err ? ": " : "", err ? err->msg : "");
	if (j == NULL)
		return;
	is_int(json_array_size(json_object_get(j, "unqualified-search-registries")), 3,
	       "search list has 3 entries (trailing comma, comment)");
	is_str(json_string_value(
		       json_array_get(json_object_get(j, "unqualified-search-registries"), 1)),
	       "quay.io", "literal string in an array");
	is_str(json_get_string(j, "short-name-mode", NULL), "enforcing", "string value");
	is_str(json_get_string(j, "aliases.busybox", NULL), "docker.io/library/busybox",
	       "quoted key in [aliases]");
	is_str(json_get_string(j, "aliases.app", NULL), "localhost:5000/ns/app", "bare key");
	regs = json_object_get(j, "registry");
	is_int(json_array_size(regs), 2, "two [[registry]] tables");
	ok(json_is_true(json_object_get(json_array_get(regs, 0), "insecure")), "boolean true");
	mirrors = json_object_get(json_array_get(regs, 0), "mirror");
	is_int(json_array_size(mirrors), 2, "[[registry.mirror]] nests in the last registry");
	is_str(json_string_value(json_object_get(json_array_get(mirrors, 1), "location")),
	       "mirror-2.local", "second mirror");
	ok(json_object_get(json_array_get(regs, 1), "mirror") == NULL,
	   "second registry has no mirrors");
}

static void test_values(void)
{
	const char *doc = "a.b.c = 1_000\n"
			  "neg = -5\n"
			  "hex = 0x1F\n"
			  "f = 1.5\n"
			  "esc = \"tab\\there \\u00e9 \\\"q\\\"\"\n"
			  "lit = 'C:\\path'\n"
			  "ml = \"\"\"\nline1\nline2\"\"\"\n"
			  "inl = { x = 1, y = \"z\", n.m = true }\n"
			  "nested = [[1, 2], [\"a\"]]\n"
			  "[t.u]\n"
			  "k = 'v'\n"
			  "[t]\n"
			  "k2 = 2\n";
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = parse(doc, &err);
	long long v = 0;

	ok(j != NULL, "values parse%s%s", err ? ": " : "", err ? err->msg : "");
	if (j == NULL)
		return;
	ok(json_get_int64(j, "a.b.c", &v, NULL) == 0 && v == 1000, "dotted key, underscores");
	ok(json_get_int64(j, "neg", &v, NULL) == 0 && v == -5, "negative");
	ok(json_get_int64(j, "hex", &v, NULL) == 0 && v == 31, "hex");
	ok(json_is_real(json_object_get(j, "f")), "float");
	is_str(json_get_string(j, "esc", NULL), "tab\there \xc3\xa9 \"q\"", "escapes and \\u");
	is_str(json_get_string(j, "lit", NULL), "C:\\path", "literal string keeps backslash");
	is_str(json_get_string(j, "ml", NULL), "line1\nline2", "multi-line string");
	is_str(json_get_string(j, "inl.y", NULL), "z", "inline table");
	ok(json_is_true(json_object_get(json_object_get(json_object_get(j, "inl"), "n"), "m")),
	   "dotted key in an inline table");
	is_int(json_array_size(json_object_get(j, "nested")), 2, "nested arrays");
	is_str(json_get_string(j, "t.u.k", NULL), "v", "sub-table before its parent");
	ok(json_get_int64(j, "t.k2", &v, NULL) == 0 && v == 2,
	   "implied table may be defined later, once");
}

static void bad(const char *doc, const char *want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = parse(doc, &err);

	ok(j == NULL, "refused: %s", want);
	has_str(err ? err->msg : NULL, want, "error names the problem");
}

static void test_errors(void)
{
	bad("a = 1\na = 2\n", "line 2: duplicate key 'a'");
	bad("[t]\n[t]\n", "line 2: table 't' is defined twice");
	bad("a = \"open\n", "line 1: newline in a single-line string");
	bad("a = \"never closed", "unterminated string");
	bad("a = [1, 2\n", "unterminated array");
	bad("a 1\n", "expected '=' after key 'a'");
	bad("a = bare\n", "is not a value (strings need quotes)");
	bad("a = 1979-05-27T07:32:00Z\n", "dates and times are not supported");
	bad("a = 1 b = 2\n", "unexpected 'b' after a value");
	bad("a = \"\\q\"\n", "unknown escape '\\q'");
	bad("a = 1\n[a]\n", "'a' is already a value, not a table");
	bad("[t\n", "expected ']' to close the table name");
	bad("x = "
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
	    "nested deeper than");
	bad("a = \"\\ud800\"\n", "not a valid character");
	{
		_cleanup_error_ struct rcr_error *err = NULL;
		_cleanup_json_ json_t *j = toml_parse("a = 1\0b = 2", 11, "'nul.conf'", &err);

		ok(j == NULL, "NUL byte refused");
		has_str(err ? err->msg : NULL, "'nul.conf': contains a NUL byte", "names the file");
	}
}

int main(void)
{
	test_registries_conf();
	test_values();
	test_errors();
	return tap_done();
}
