/* Storing an image whose blobs come from anywhere (a registry, an OCI layout, an archive):
 * chain ids, unpacking one layer blob into store staging in the user's namespace with its
 * diff_id checked, and committing layers bottom first and then the image under the store's
 * commit lock. A layer already stored is never unpacked again, and a layer committed meanwhile
 * by another call is kept once.
 */
#ifndef RCR_IMAGE_INGEST_H
#define RCR_IMAGE_INGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "image/manifest.h"
#include "image/unpack.h"
#include "pkg/error.h"
#include "pkg/userns.h"
#include "storage/store.h"

struct ingest_layer {
	const char *digest; /* borrowed: the blob's digest ("" for an import: none known) */
	long long blob_size;
	enum layer_compression compression;
	const char *diff_id; /* borrowed: from the image config */
	char chain_id[72];
	char parent[72];
	bool exists;		       /* already in the store: nothing to do */
	struct store_staging *staging; /* owned once unpacked */
	struct unpack_result res;
};

/* Fill chain_id, parent and exists for v[0..n) (bottom first) whose diff_id are set. */
void ingest_plan(struct store *st, struct ingest_layer *v, size_t n);

/* Unpack the blob at blob_path as layer l into new staging and check its diff_id. */
int ingest_unpack(struct store *st, const struct userns_user_maps *maps, const char *blob_path,
		  struct ingest_layer *l, struct rcr_error **err);

/* The image to record once its layers are in. */
struct ingest_image {
	const char *manifest_digest; /* NULL when there is none (import) */
	const char *manifest;
	size_t manifest_len;
	const char *config;
	size_t config_len;
	const char *created;
	const char *name;	 /* "domain/path:tag" or NULL */
	const char *repo_digest; /* "domain/path@sha256:..." or NULL */
};

/* Commit the staged layers (bottom first) and the image, under the commit lock. The image id
 * ("sha256:" + the config's digest) is written to id. */
int ingest_commit(struct store *st, struct ingest_layer *v, size_t n,
		  const struct ingest_image *img, char id[72], struct rcr_error **err);

/* Drop any staging left in v and free nothing else. */
void ingest_layers_release(struct ingest_layer *v, size_t n);

#endif
