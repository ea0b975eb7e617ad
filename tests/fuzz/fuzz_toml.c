/* libFuzzer target: the TOML subset parser. Any input must parse or fail cleanly, without
 * reading past the buffer, leaking or recursing without bound. */
#include <stdint.h>

#include "pkg/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rcr_error *err = NULL;
	json_t *j = toml_parse((const char *)data, size, "fuzz", &err);

	json_decref(j);
	rcr_error_free(err);
	return 0;
}
