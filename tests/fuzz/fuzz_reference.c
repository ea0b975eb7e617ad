/* libFuzzer target: image references. Any input must parse or fail cleanly, and whatever parses
 * must print and parse again to the same string (normalisation is idempotent). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	struct img_ref r, again;
	struct rcr_error *err = NULL;

	if (s == NULL)
		return 0;
	if (img_ref_parse(s, &r, &err) == 0) {
		char *p = img_ref_string(&r);

		if (p != NULL && img_ref_parse(p, &again, NULL) == 0) {
			char *q = img_ref_string(&again);

			if (q == NULL || strcmp(p, q) != 0)
				abort();
			free(q);
			img_ref_release(&again);
		} else if (p != NULL) {
			abort();
		}
		free(p);
		img_ref_release(&r);
	}
	rcr_error_free(err);
	free(s);
	return 0;
}
