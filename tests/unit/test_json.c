/* Unit tests of pkg/json.c: capped loading and its error text (document, line, column), dotted
 * getters and their type errors, null as absent, dumping as Podman prints, atomic file writes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "tests/unit/tap.h"

static char top[1024];

static json_t *load(const char *text, struct rcr_error **err)
{
	return json_load_capped(text, strlen(text), 1 << 20, "test", err);
}

static void test_load(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = load("{\"a\": 1}", &err);
	json_t *bad;

	ok(j != NULL && json_is_object(j) && err == NULL, "an object loads");
	json_decref(steal_ptr(&j));
	j = load("42", &err);
	ok(j != NULL && json_integer_value(j) == 42, "a bare number loads (state files)");

	bad = json_load_capped("{\"a\": 12345}", 12, 11, "manifest", &err);
	ok(bad == NULL, "a document over the cap is refused");
	has_str(err ? err->msg : NULL, "parsing manifest: larger than the limit of 11 bytes",
		"error names the document and the limit");
	rcr_error_clear(&err);

	bad = load("{\n  \"a\": 1,\n  \"b\": }\n", &err);
	ok(bad == NULL, "a syntax error is refused");
	has_str(err ? err->msg : NULL, "parsing test: line 3 column ",
		"error names line and column");
	has_str(err ? err->msg : NULL, "unexpected token", "and jansson's reason");
	rcr_error_clear(&err);

	bad = load("", &err);
	ok(bad == NULL && err != NULL, "an empty document is refused");
	rcr_error_clear(&err);
	bad = json_load_capped(NULL, 0, 10, NULL, &err);
	ok(bad == NULL && err != NULL, "no data is refused, without crashing");
	has_str(err ? err->msg : NULL, "parsing JSON document", "a default document name");
	rcr_error_clear(&err);
	bad = load("{\"a\": 1} trailing", &err);
	ok(bad == NULL && err != NULL, "trailing garbage is refused");
	rcr_error_clear(&err);
	/* Embedded NUL inside the length: not a valid document, and no C-string surprise. */
	bad = json_load_capped("{}\0{}", 5, 100, "nul", &err);
	ok(bad == NULL && err != NULL, "a NUL byte inside the length is refused");
}

static void test_load_file(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char path[1100];
	char missing[1100];
	json_t *j;

	snprintf(path, sizeof(path), "%s/doc.json", top);
	snprintf(missing, sizeof(missing), "%s/missing.json", top);
	fs_write_atomic(path, "{\"k\": [1, 2]}", 13, 0600, NULL);
	j = json_load_file_capped(path, 100, &err);
	ok(j != NULL && json_array_size(json_object_get(j, "k")) == 2, "a file loads");
	json_decref(j);
	j = json_load_file_capped(path, 5, &err);
	ok(j == NULL, "a file over the cap is refused");
	has_str(err ? err->msg : NULL, "limit of 5 bytes", "naming the limit");
	has_str(err ? err->msg : NULL, path, "and the file");
	rcr_error_clear(&err);
	j = json_load_file_capped(missing, 100, &err);
	ok(j == NULL && err != NULL && err->code == ENOENT, "a missing file is ENOENT");
	has_str(err ? err->msg : NULL, missing, "naming it");
	rcr_error_clear(&err);
	fs_write_atomic(path, "[1,\n2,,]", 8, 0600, NULL);
	j = json_load_file_capped(path, 100, &err);
	ok(j == NULL, "a broken file is refused");
	has_str(err ? err->msg : NULL, "parsing '", "error names the quoted file");
	has_str(err ? err->msg : NULL, "line 2", "and the line");
}

static const char *doc = "{\"schemaVersion\": 2,"
			 " \"config\": {\"digest\": \"sha256:abc\", \"Env\": \"PATH=/bin\","
			 "  \"User\": 1000, \"Cmd\": null, \"Tty\": true, \"Detach\": false,"
			 "  \"Labels\": {\"org.opencontainers.image.title\": \"app\","
			 "              \"a\": {\"b\": \"nested\"}}},"
			 " \"a.b\": \"literal dotted key\","
			 " \"layers\": [1, 2, 3],"
			 " \"size\": 9007199254740993, \"neg\": -42, \"ratio\": 1.5,"
			 " \"name\": \"x\"}";

static void test_getters(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = load(doc, &err);
	long long v = 0;
	bool b = false;

	ok(j != NULL, "the test document loads");
	is_str(json_get_string(j, "config.digest", &err), "sha256:abc", "dotted string");
	is_str(json_get_string(j, "name", &err), "x", "top-level string");
	is_str(json_get_string(j, "config.Labels.org.opencontainers.image.title", &err), "app",
	       "a key that holds dots itself");
	is_str(json_get_string(j, "config.Labels.a.b", &err), "nested", "a nested path beside it");
	is_str(json_get_string(j, "a.b", &err), "literal dotted key",
	       "a whole-key match wins over the split");
	ok(json_get_int64(j, "size", &v, &err) == 0 && v == 9007199254740993LL,
	   "64-bit integers are exact");
	ok(json_get_int64(j, "neg", &v, &err) == 0 && v == -42, "negative integers");
	ok(json_get_int64(j, "config.User", &v, &err) == 0 && v == 1000, "dotted integer");
	ok(json_get_array(j, "layers", &err) != NULL, "array");
	ok(json_get_object(j, "config.Labels", &err) != NULL, "object");
	ok(json_get_bool_opt(j, "config.Tty", false, &b, &err) == 0 && b, "bool true");
	ok(json_get_bool_opt(j, "config.Detach", true, &b, &err) == 0 && !b, "bool false");
	ok(json_get_bool_opt(j, "config.Missing", true, &b, &err) == 0 && b,
	   "absent bool gives the default");
	ok(err == NULL, "no error on any success");
}

/* One getter failure: the getter returns its failure and the message is exactly want. */
#define check_err(call, want, ...)                                                                 \
	do {                                                                                       \
		_cleanup_error_ struct rcr_error *err = NULL;                                      \
		bool failed_ = !(call);                                                            \
		ok(failed_, __VA_ARGS__);                                                          \
		is_str(err ? err->msg : NULL, want, "  message");                                  \
	} while (0)

static void test_getter_errors(void)
{
	_cleanup_error_ struct rcr_error *err0 = NULL;
	_cleanup_json_ json_t *j = load(doc, &err0);
	long long v = 0;
	bool b = false;

	check_err(json_get_array(j, "config.Env", &err), "'config.Env' is not an array",
		  "a string is not an array");
	check_err(json_get_string(j, "config.User", &err), "'config.User' is not a string",
		  "a number is not a string");
	check_err(json_get_int64(j, "ratio", &v, &err) == 0, "'ratio' is not an integer",
		  "a real is not an integer");
	check_err(json_get_int64(j, "name", &v, &err) == 0, "'name' is not an integer",
		  "a string is not an integer");
	check_err(json_get_bool_opt(j, "name", false, &b, &err) == 0, "'name' is not a boolean",
		  "a string is not a boolean, even for _opt");
	check_err(json_get_object(j, "layers", &err), "'layers' is not an object",
		  "an array is not an object");
	check_err(json_get_object_opt(j, "layers", &err), "'layers' is not an object",
		  "a wrong type is an error even for _opt");
	check_err(json_get_string_opt(j, "schemaVersion", &err), "'schemaVersion' is not a string",
		  "string_opt of a number");
	check_err(json_get_string(j, "config.missing", &err), "'config.missing' is missing",
		  "a missing key is an error");
	check_err(json_get_string(j, "nope.deeper", &err), "'nope.deeper' is missing",
		  "a missing parent too");
	check_err(json_get_string(j, "name.sub", &err), "'name' is not an object",
		  "a path through a string names the string");
	check_err(json_get_string(j, "config.Env.x", &err), "'config.Env' is not an object",
		  "a path through a nested string names the full prefix");
	check_err(json_get_array(j, "config.Cmd", &err), "'config.Cmd' is missing",
		  "null is absent for a required key");
	check_err(json_get_string(j, "layers.0", &err), "'layers' is not an object",
		  "arrays are not indexed by the dotted path");
}

static void test_opt_and_null(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = load(doc, &err);
	_cleanup_json_ json_t *arr = load("[1]", &err);
	struct rcr_error *first = NULL;

	ok(json_get_string_opt(j, "config.nothing", &err) == NULL && err == NULL,
	   "string_opt of a missing key: NULL without error");
	ok(json_get_array_opt(j, "config.Cmd", &err) == NULL && err == NULL,
	   "array_opt of null: NULL without error (Go reads null as absent)");
	ok(json_get_object_opt(j, "x.y.z", &err) == NULL && err == NULL, "object_opt missing");
	ok(json_get_array_opt(j, "layers", &err) != NULL, "array_opt present");
	ok(json_get_string(NULL, "a", &err) == NULL && err != NULL, "a NULL document: missing");
	rcr_error_clear(&err);
	ok(json_get_string(arr, "a", &err) == NULL && err != NULL, "a non-object document");
	has_str(err ? err->msg : NULL, "not an object", "says so");

	/* The first error is kept: a getter does not overwrite one the caller already has. */
	first = err;
	json_get_string(j, "missing", &err);
	ok(err == first, "an existing error is not replaced");
}

static void test_dump(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = json_object();
	_cleanup_free_ char *compact = NULL;
	_cleanup_free_ char *pretty = NULL;
	_cleanup_free_ char *scalar = NULL;
	_cleanup_json_ json_t *n = json_integer(7);

	/* Inserted in an order that is not sorted, to see it kept. */
	json_object_set_new(j, "zeta", json_integer(1));
	json_object_set_new(j, "alpha", json_pack("[ii]", 1, 2));
	json_object_set_new(j, "mid", json_pack("{s:s}", "k", "v/w"));
	compact = json_dump_string(j, false);
	is_str(compact, "{\"zeta\":1,\"alpha\":[1,2],\"mid\":{\"k\":\"v/w\"}}",
	       "compact, in insertion order");
	pretty = json_dump_string(j, true);
	is_str(pretty,
	       "{\n    \"zeta\": 1,\n    \"alpha\": [\n        1,\n        2\n    ],\n"
	       "    \"mid\": {\n        \"k\": \"v/w\"\n    }\n}",
	       "pretty: four spaces, insertion order");
	scalar = json_dump_string(n, false);
	is_str(scalar, "7", "a scalar dumps");
}

static void test_write_file(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *j = json_pack("{s:s,s:i}", "id", "abc", "pid", 42);
	_cleanup_json_ json_t *back = NULL;
	_cleanup_free_ char *text = NULL;
	char path[1100];
	char bad[1100];
	struct stat st;

	snprintf(path, sizeof(path), "%s/state.json", top);
	snprintf(bad, sizeof(bad), "%s/nodir/state.json", top);
	ok(json_write_file_atomic(path, j, &err) == 0, "write a JSON file");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "mode 0600");
	text = fs_read_file(path, 1000, NULL, NULL);
	is_str(text, "{\n    \"id\": \"abc\",\n    \"pid\": 42\n}\n",
	       "pretty with a final newline");
	back = json_load_file_capped(path, 1000, &err);
	ok(back != NULL && json_equal(back, j), "reads back equal");
	ok(json_write_file_atomic(bad, j, &err) < 0, "a missing directory fails");
	has_str(err ? err->msg : NULL, bad, "naming the file");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-json-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_load();
	test_load_file();
	test_getters();
	test_getter_errors();
	test_opt_and_null();
	test_dump();
	test_write_file();
	ok(fs_rm_rf(top, NULL) == 0 && !fs_exists(top), "the test directory is removed");
	return tap_done();
}
