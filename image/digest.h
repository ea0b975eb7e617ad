/* Content digests ("sha256:<64 hex>") computed while data streams, as every blob, manifest and
 * layer diff is verified (DESIGN.md §6). OpenSSL's libcrypto does the hashing; image/ may link
 * it, the monitor never does.
 */
#ifndef RCR_IMAGE_DIGEST_H
#define RCR_IMAGE_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"

struct digester;

/* Start a sha256 (the only algorithm registries require; "sha512:" references are refused
 * with an error naming the algorithm by img_digest_check). NULL for memory. */
struct digester *digester_new(void);
void digester_update(struct digester *d, const void *data, size_t len);
/* Finish: "sha256:<hex>" into out (at least 72 bytes). The digester is freed. */
void digester_finish(struct digester *d, char out[72]);
void digester_free(struct digester *d);

/* The digest of a whole buffer into out. */
void img_digest_of(const void *data, size_t len, char out[72]);

/* Refuse algorithms rcr cannot verify (anything but sha256), naming it. */
int img_digest_check(const char *digest, struct rcr_error **err);

#endif
