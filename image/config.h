/* The OCI image configuration (application/vnd.oci.image.config.v1+json, which Docker's
 * container config blob matches): what pull verifies layers against (rootfs.diff_ids) and what
 * inspect and run read. Pure: bytes in, struct out; fuzzed. Unknown fields are ignored, as the
 * spec requires.
 */
#ifndef RCR_IMAGE_CONFIG_H
#define RCR_IMAGE_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "pkg/error.h"

struct image_config {
	json_t *doc;	       /* the whole parsed document (owned), for inspect */
	const char *arch;      /* borrowed from doc; "" when absent */
	const char *os;	       /* borrowed */
	const char *variant;   /* borrowed or NULL */
	const char *created;   /* borrowed RFC 3339, or NULL */
	const char **diff_ids; /* n_diff_ids borrowed strings, bottom layer first */
	size_t n_diff_ids;
	json_t *config; /* borrowed "config" object (Env, Cmd, ...), never NULL */
};

/* Parse and check: diff_ids must be sha256 digests and rootfs.type "layers". */
int image_config_parse(const char *body, size_t len, struct image_config *out,
		       struct rcr_error **err);
void image_config_release(struct image_config *c);

#endif
