/* Image manifests and indexes: OCI image manifest and index, Docker schema 2 manifest and
 * manifest list. The media type comes from the document, else from the Content-Type header;
 * an index entry is chosen for a platform (os/arch[/variant]). Pure: bytes in, structs out;
 * fuzzed.
 */
#ifndef RCR_IMAGE_MANIFEST_H
#define RCR_IMAGE_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"

#define MT_OCI_MANIFEST	   "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX	   "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST	   "application/vnd.docker.distribution.manifest.list.v2+json"

enum layer_compression { LAYER_PLAIN, LAYER_GZIP, LAYER_ZSTD };

struct manifest_layer {
	char *digest; /* owned "sha256:..." */
	long long size;
	char *media_type; /* owned */
	enum layer_compression compression;
};

struct manifest {
	char *media_type;    /* owned: one of the MT_* image types */
	char *config_digest; /* owned */
	long long config_size;
	struct manifest_layer *layers; /* bottom first */
	size_t n_layers;
};

struct platform {
	char *os;      /* owned, e.g. "linux" */
	char *arch;    /* owned, OCI spelling: "amd64", "arm64" */
	char *variant; /* owned or NULL: "v8" */
};

struct index_entry {
	char *digest;
	char *media_type;
	long long size;
	struct platform platform;
};

struct manifest_index {
	struct index_entry *entries;
	size_t n;
};

/* What a document is, from its mediaType field or else the Content-Type (content_type may be
 * NULL). Returns 1 for an index, 0 for an image manifest, -1 when neither (error names it). */
int manifest_kind(const char *body, size_t len, const char *content_type, char **media_type,
		  struct rcr_error **err);

int manifest_parse(const char *body, size_t len, const char *media_type, struct manifest *out,
		   struct rcr_error **err);
void manifest_release(struct manifest *m);

int manifest_index_parse(const char *body, size_t len, struct manifest_index *out,
			 struct rcr_error **err);
void manifest_index_release(struct manifest_index *ix);

/* "os/arch[/variant]" (--platform) into p; arch aliases are normalised ("x86_64" -> "amd64",
 * "aarch64" -> "arm64"). */
int platform_parse(const char *s, struct platform *p, struct rcr_error **err);
void platform_release(struct platform *p);

/* The entry for want: os and arch must match; a variant is matched when both name one (arm64
 * defaults to v8). No match is an error listing what the index offers. Borrowed. */
const struct index_entry *manifest_index_select(const struct manifest_index *ix,
						const struct platform *want,
						struct rcr_error **err);

#endif
