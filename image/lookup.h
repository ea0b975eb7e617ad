/* Finding a stored image from what a person typed, as Podman does: a full or unique short id, a
 * fully qualified name, a name with a digest, or a short name ("busybox", "ns/app:1") which
 * matches "localhost/NAME", "docker.io/NAME" and then any stored repository ending in "/NAME".
 */
#ifndef RCR_IMAGE_LOOKUP_H
#define RCR_IMAGE_LOOKUP_H

#include <stdbool.h>

#include "pkg/error.h"
#include "storage/store.h"

/* 1 and *out when found, 0 when no image matches, -1 on error (bad reference, ambiguous short
 * name or id). */
int img_lookup(struct store *st, const char *name, struct store_image_info *out,
	       struct rcr_error **err);

/* Which of info's names typed designates (info having been found by img_lookup), or NULL when
 * typed designated it by id or digest. Borrowed from info. */
const char *img_lookup_name(const struct store_image_info *info, const char *typed);

/* The name to store for what a person typed (`rcr tag`, `rcr import`): short names go under
 * "localhost/", as Podman does; ":latest" when no tag. Owned, NULL with err on a bad name. */
char *img_local_name(const char *typed, struct rcr_error **err);

/* True when s is 3..64 lowercase hex digits (possibly an id prefix), or "sha256:" + 64 hex. */
bool img_looks_like_id(const char *s);

#endif
