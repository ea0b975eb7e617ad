/* libFuzzer target: image configs, which come from the network. */
#include <stdint.h>

#include "image/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct image_config c;
	struct rcr_error *err = NULL;

	if (image_config_parse((const char *)data, size, &c, &err) == 0)
		image_config_release(&c);
	rcr_error_free(err);
	return 0;
}
