/* A TOML subset parser for the containers config files (registries.conf and its drop-ins),
 * producing a jansson tree so the typed getters of pkg/json.h read both formats alike.
 *
 * Supported: comments; bare, "quoted" and 'literal' keys, dotted keys; basic, literal and
 * multi-line strings with escapes (\uXXXX included); integers, floats, booleans; arrays (over
 * several lines, trailing comma); inline tables; [tables] and [[arrays of tables]] with dotted
 * names. Not supported, and refused with an error naming the line: dates and times.
 * Pure: bytes in, tree out.
 */
#ifndef RCR_PKG_TOML_H
#define RCR_PKG_TOML_H

#include <jansson.h>
#include <stddef.h>

#include "pkg/error.h"

/* Parse len bytes. what names the document in errors ("'/etc/containers/registries.conf' line
 * 3: expected '=' after key 'location'"). Returns an owned JSON object. */
json_t *toml_parse(const char *text, size_t len, const char *what, struct rcr_error **err);

#endif
