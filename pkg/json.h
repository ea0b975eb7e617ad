/* jansson glue: size-capped loading and typed getters that report what was wrong and where.
 * Errors name the key ("manifest: 'config.digest' is not a string").
 */
#ifndef RCR_PKG_JSON_H
#define RCR_PKG_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"

static inline void cleanup_jsonp(json_t **j)
{
	json_decref(*j);
}
#define _cleanup_json_ __attribute__((cleanup(cleanup_jsonp)))

/* Parse len bytes of JSON (refused above max bytes). what names the document in errors. Owned. */
json_t *json_load_capped(const char *data, size_t len, size_t max, const char *what,
			 struct rcr_error **err);

/* Read and parse a file (capped at max bytes). Owned. */
json_t *json_load_file_capped(const char *path, size_t max, struct rcr_error **err);

/* Typed getters. key may be a dotted path ("config.Labels"). The returned string or object is
 * borrowed from obj. A missing key is an error unless the _opt variant is used, which returns
 * NULL / the default without an error; a present key of the wrong type is always an error. */
const char *json_get_string(json_t *obj, const char *key, struct rcr_error **err);
const char *json_get_string_opt(json_t *obj, const char *key, struct rcr_error **err);
int json_get_int64(json_t *obj, const char *key, long long *out, struct rcr_error **err);
int json_get_bool_opt(json_t *obj, const char *key, bool dflt, bool *out, struct rcr_error **err);
json_t *json_get_object(json_t *obj, const char *key, struct rcr_error **err);
json_t *json_get_object_opt(json_t *obj, const char *key, struct rcr_error **err);
json_t *json_get_array(json_t *obj, const char *key, struct rcr_error **err);
json_t *json_get_array_opt(json_t *obj, const char *key, struct rcr_error **err);

/* Serialise compactly (JSON_COMPACT) or indented by 4 as Podman prints (pretty). Owned. */
char *json_dump_string(const json_t *j, bool pretty);

/* Write j to path atomically (fs_write_atomic), pretty-printed, mode 0600. */
int json_write_file_atomic(const char *path, const json_t *j, struct rcr_error **err);
/* The same without syncs (fs_write_replace). */
int json_write_file_replace(const char *path, const json_t *j, struct rcr_error **err);

#endif
