/* YAML rendering of a JSON document for human-facing output (see yaml.c). */
#ifndef RCR_PKG_YAML_H
#define RCR_PKG_YAML_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

/* Print doc (borrowed) as block YAML. */
void yaml_print(FILE *out, json_t *doc);

#endif
