/* libFuzzer target: manifests and indexes, which come from the network. */
#include <stdint.h>
#include <stdlib.h>

#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct rcr_error *err = NULL;
	char *mt = NULL;
	int kind =
		manifest_kind(body, size, "application/vnd.oci.image.manifest.v1+json", &mt, &err);

	if (kind == 0) {
		struct manifest m;

		if (manifest_parse(body, size, mt, &m, &err) == 0)
			manifest_release(&m);
	} else if (kind == 1) {
		struct manifest_index ix;
		struct platform p = {.os = (char *)"linux", .arch = (char *)"amd64"};

		if (manifest_index_parse(body, size, &ix, &err) == 0) {
			manifest_index_select(&ix, &p, &err);
			manifest_index_release(&ix);
		}
	}
	rcr_error_free(err);
	free(mt);
	return 0;
}
