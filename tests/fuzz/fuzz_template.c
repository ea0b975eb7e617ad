/* libFuzzer target: --format templates. Any input must parse or fail cleanly and, when it
 * parses, render against a fixed document without crashing, leaking or recursing unboundedly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *fmt = strndup((const char *)data, size);
	struct rcr_error *err = NULL;
	struct template *t;
	json_t *doc = json_pack("{s:s, s:i, s:[s,s], s:{s:s}, s:[{s:s}]}", "Tag", "latest", "Size",
				5, "Cmd", "sh", "-c", "Labels", "a", "b", "List", "N", "x");

	t = fmt ? template_parse(fmt, &err) : NULL;
	if (t != NULL) {
		char *out = template_render(t, doc, &err);
		char *hdr = template_header(t, NULL);

		free(out);
		free(hdr);
		template_free(t);
	}
	rcr_error_free(err);
	json_decref(doc);
	free(fmt);
	return 0;
}
