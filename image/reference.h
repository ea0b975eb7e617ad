/* Image references as Docker and Podman parse and normalise them:
 *   busybox                    -> docker.io/library/busybox:latest (a short name)
 *   localhost:5000/ns/app:1    -> localhost:5000/ns/app:1
 *   app@sha256:<64 hex>        -> docker.io/library/app@sha256:...
 *   app:1@sha256:<64 hex>      -> tag and digest (the digest decides what is pulled)
 * Pure: bytes in, struct out, no I/O, so it is unit-tested and fuzzed.
 */
#ifndef RCR_IMAGE_REFERENCE_H
#define RCR_IMAGE_REFERENCE_H

#include <stdbool.h>

#include "pkg/error.h"

#define IMG_REF_DEFAULT_DOMAIN "docker.io"
#define IMG_REF_NAME_MAX       255 /* the repository path, as distribution/reference */
#define IMG_REF_TAG_MAX	       128

struct img_ref {
	char *domain;	      /* owned: "docker.io", "localhost:5000", "[::1]:5000" */
	char *path;	      /* owned: "library/busybox", "ns/app" */
	char *tag;	      /* owned, NULL when absent (see img_ref_parse's default) */
	char *digest;	      /* owned "sha256:<hex>", NULL when absent */
	bool is_short;	      /* the input named no registry: resolve through registries.conf */
	bool implied_library; /* "library/" was added by normalisation, not typed */
};

/* Parse s. With neither tag nor digest, the tag defaults to "latest". A name without a registry
 * gets docker.io (and "library/" for a single component) and is_short set; the caller decides
 * whether to resolve it through registries.conf instead. Errors say what is wrong:
 * "invalid reference format: repository name must be lowercase". */
int img_ref_parse(const char *s, struct img_ref *out, struct rcr_error **err);

/* Check a tag alone ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}). */
bool img_ref_tag_is_valid(const char *tag);

/* Check a digest alone: "sha256:" + 64 lowercase hex, or "sha512:" + 128. */
bool img_ref_digest_is_valid(const char *digest);

/* "domain/path[:tag][@digest]". Owned. */
char *img_ref_string(const struct img_ref *r);

/* "domain/path" (the repository, as `rcr images` shows it). Owned. */
char *img_ref_repository(const struct img_ref *r);

/* A copy of r with another domain (for short-name resolution: "quay.io" + "busybox"); the
 * "library/" prefix is added for docker.io and dropped elsewhere, as Podman does. */
int img_ref_with_domain(const struct img_ref *r, const char *domain, struct img_ref *out,
			struct rcr_error **err);

void img_ref_release(struct img_ref *r);

#endif
