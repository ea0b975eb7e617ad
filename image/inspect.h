/* The `rcr image inspect` document of an image, as Podman prints it (Docker's field names:
 * Id, Digest, RepoTags, RepoDigests, Created, Config, Architecture, Os, Size, RootFS, History,
 * ...). Built from the stored manifest and config bytes: pure, no store access.
 */
#ifndef RCR_IMAGE_INSPECT_H
#define RCR_IMAGE_INSPECT_H

#include <jansson.h>
#include <stddef.h>

#include "pkg/error.h"

struct inspect_input {
	const char *id;		     /* "sha256:<hex>" */
	const char *manifest_digest; /* "sha256:<hex>" or NULL */
	const char *manifest;	     /* bytes, may be NULL */
	size_t manifest_len;
	const char *config; /* bytes */
	size_t config_len;
	const char *const *names;      /* "repo:tag", NULL-terminated */
	const char *const *digests;    /* "repo@sha256:...", NULL-terminated */
	long long size;		       /* unpacked size of all layers */
	const char *graph_root;	       /* the store, for GraphDriver.Data */
	const char *const *layer_dirs; /* layers' diff dirs, top first, NULL-terminated */
};

/* Owned JSON object for one image. */
json_t *img_inspect_json(const struct inspect_input *in, struct rcr_error **err);

#endif
