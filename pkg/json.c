/* jansson glue (see json.h): size-capped loading with errors that say where a document is broken,
 * dotted-path getters that say which key had the wrong type, and dumping as Podman prints.
 *
 * Must never parse a document larger than its cap (registry responses and image configs are
 * untrusted), and never hand out a value the caller would have to type-check again.
 *
 * A JSON null counts as absent in the getters, as Go's encoding/json (and so Podman) reads it:
 * image configs in the wild carry "Env": null.
 */
#include "pkg/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

json_t *json_load_capped(const char *data, size_t len, size_t max, const char *what,
			 struct rcr_error **err)
{
	json_error_t jerr;
	json_t *j;

	if (what == NULL)
		what = "JSON document";
	if (len > max) {
		rcr_error_set(err, EFBIG, "parsing %s: larger than the limit of %zu bytes", what,
			      max);
		return NULL;
	}
	/* JSON_DECODE_ANY: small state files hold a bare number or string. Duplicate keys are
	 * allowed, last one wins, as in Go. */
	j = json_loadb(data != NULL ? data : "", len, JSON_DECODE_ANY, &jerr);
	if (j == NULL) {
		rcr_error_set(err, EINVAL, "parsing %s: line %d column %d: %s", what, jerr.line,
			      jerr.column, jerr.text);
		return NULL;
	}
	return j;
}

json_t *json_load_file_capped(const char *path, size_t max, struct rcr_error **err)
{
	size_t len = 0;
	_cleanup_free_ char *data = fs_read_file(path, max, &len, err);
	_cleanup_free_ char *what = NULL;

	if (data == NULL)
		return NULL;
	if (asprintf(&what, "'%s'", path) < 0) {
		what = NULL;
		rcr_error_set_errno(err, ENOMEM, "parsing '%s'", path);
		return NULL;
	}
	return json_load_capped(data, len, max, what, err);
}

/* Find key under obj. Keys may themselves hold dots (registries.conf aliases such as
 * "docker.io/x", OCI labels "org.opencontainers.image.title"), so the whole remaining key is tried
 * first, then each split at a dot, left to right. When a prefix exists but is not an object,
 * *bad_len (if still 0) gets the length of that prefix within the full key, for the error. */
static json_t *lookup(json_t *obj, const char *key, size_t offset, size_t *bad_len)
{
	json_t *v;

	if (!json_is_object(obj))
		return NULL;
	v = json_object_get(obj, key);
	if (v != NULL)
		return v;
	for (const char *dot = strchr(key, '.'); dot != NULL; dot = strchr(dot + 1, '.')) {
		size_t n = (size_t)(dot - key);
		json_t *child = json_object_getn(obj, key, n);

		if (child == NULL || json_is_null(child))
			continue;
		if (!json_is_object(child)) {
			if (*bad_len == 0)
				*bad_len = offset + n;
			continue;
		}
		v = lookup(child, dot + 1, offset + n + 1, bad_len);
		if (v != NULL)
			return v;
	}
	return NULL;
}

/* The value at key, or NULL when absent (or null). Absence is an error only when required. */
static json_t *get_value(json_t *obj, const char *key, bool required, struct rcr_error **err)
{
	size_t bad_len = 0;
	json_t *v = lookup(obj, key, 0, &bad_len);

	if (v != NULL && !json_is_null(v))
		return v;
	if (bad_len > 0)
		rcr_error_set(err, EINVAL, "'%.*s' is not an object", (int)bad_len, key);
	else if (obj != NULL && !json_is_object(obj))
		rcr_error_set(err, EINVAL, "looking up '%s': the document is not an object", key);
	else if (required)
		rcr_error_set(err, ENOENT, "'%s' is missing", key);
	return NULL;
}

/* The shared body of the typed getters: the value when it has the wanted type. *failed tells an
 * error apart from an absent optional key. */
static json_t *get_typed(json_t *obj, const char *key, bool required, json_type type,
			 const char *type_name, bool *failed, struct rcr_error **err)
{
	struct rcr_error *e = NULL;
	json_t *v = get_value(obj, key, required, &e);

	*failed = e != NULL;
	if (e != NULL) {
		if (err != NULL && *err == NULL)
			*err = e;
		else
			rcr_error_free(e);
		return NULL;
	}
	if (v == NULL)
		return NULL;
	/* jansson keeps true and false as two types. */
	if (json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v)))
		return v;
	*failed = true;
	rcr_error_set(err, EINVAL, "'%s' is not %s", key, type_name);
	return NULL;
}

const char *json_get_string(json_t *obj, const char *key, struct rcr_error **err)
{
	bool failed;

	return json_string_value(get_typed(obj, key, true, JSON_STRING, "a string", &failed, err));
}

const char *json_get_string_opt(json_t *obj, const char *key, struct rcr_error **err)
{
	bool failed;

	return json_string_value(get_typed(obj, key, false, JSON_STRING, "a string", &failed, err));
}

int json_get_int64(json_t *obj, const char *key, long long *out, struct rcr_error **err)
{
	bool failed;
	json_t *v = get_typed(obj, key, true, JSON_INTEGER, "an integer", &failed, err);

	if (v == NULL)
		return -1;
	*out = (long long)json_integer_value(v);
	return 0;
}

int json_get_bool_opt(json_t *obj, const char *key, bool dflt, bool *out, struct rcr_error **err)
{
	bool failed;
	json_t *v = get_typed(obj, key, false, JSON_TRUE, "a boolean", &failed, err);

	if (failed)
		return -1;
	*out = v != NULL ? json_is_true(v) : dflt;
	return 0;
}

json_t *json_get_object(json_t *obj, const char *key, struct rcr_error **err)
{
	bool failed;

	return get_typed(obj, key, true, JSON_OBJECT, "an object", &failed, err);
}

json_t *json_get_object_opt(json_t *obj, const char *key, struct rcr_error **err)
{
	bool failed;

	return get_typed(obj, key, false, JSON_OBJECT, "an object", &failed, err);
}

json_t *json_get_array(json_t *obj, const char *key, struct rcr_error **err)
{
	bool failed;

	return get_typed(obj, key, true, JSON_ARRAY, "an array", &failed, err);
}

json_t *json_get_array_opt(json_t *obj, const char *key, struct rcr_error **err)
{
	bool failed;

	return get_typed(obj, key, false, JSON_ARRAY, "an array", &failed, err);
}

char *json_dump_string(const json_t *j, bool pretty)
{
	/* Podman's --format json and inspect use Go's MarshalIndent with four spaces; keys stay in
	 * the order the code added them, which is the order users see in Podman. */
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;

	flags |= pretty ? JSON_INDENT(4) : JSON_COMPACT;
	return json_dumps(j, flags);
}

static int write_file(const char *path, const json_t *j, bool durable, struct rcr_error **err)
{
	_cleanup_free_ char *s = json_dump_string(j, true);
	_cleanup_free_ char *text = NULL;
	int n;

	if (s == NULL || (n = asprintf(&text, "%s\n", s)) < 0) {
		text = NULL;
		rcr_error_set(err, ENOMEM, "writing '%s': cannot serialise the JSON document",
			      path);
		return -1;
	}
	/* State files can hold secrets (env, auth): only the user reads them. */
	return durable ? fs_write_atomic(path, text, (size_t)n, 0600, err)
		       : fs_write_replace(path, text, (size_t)n, 0600, err);
}

int json_write_file_atomic(const char *path, const json_t *j, struct rcr_error **err)
{
	return write_file(path, j, true, err);
}

int json_write_file_replace(const char *path, const json_t *j, struct rcr_error **err)
{
	return write_file(path, j, false, err);
}
