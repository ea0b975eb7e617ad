/* Storing an image from unpacked layers (see ingest.h).
 *
 * Must never commit a layer whose diff_id did not verify: ingest_unpack checks it before the
 * staging can reach ingest_commit.
 */
#include "image/ingest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"

/* chain_id(L1) = diff_id(L1); chain_id(Ln) = sha256(chain_id(Ln-1) + " " + diff_id(Ln)). */
void ingest_plan(struct store *st, struct ingest_layer *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i == 0) {
			snprintf(v[i].chain_id, sizeof(v[i].chain_id), "%s", v[i].diff_id);
			v[i].parent[0] = '\0';
		} else {
			char buf[160];

			snprintf(buf, sizeof(buf), "%s %s", v[i - 1].chain_id, v[i].diff_id);
			img_digest_of(buf, strlen(buf), v[i].chain_id);
			snprintf(v[i].parent, sizeof(v[i].parent), "%s", v[i - 1].chain_id);
		}
		v[i].exists = store_layer_exists(st, v[i].chain_id);
	}
}

int ingest_unpack(struct store *st, const struct userns_user_maps *maps, const char *blob_path,
		  struct ingest_layer *l, struct rcr_error **err)
{
	if (store_layer_stage(st, &l->staging, err) < 0)
		return -1;
	if (unpack_layer_in_userns(blob_path, store_staging_path(l->staging), l->compression, maps,
				   &l->res, err) < 0)
		return -1;
	if (strcmp(l->res.diff_id, l->diff_id) != 0) {
		rcr_error_set(err, EBADMSG,
			      "its content has diff_id %s but the image config says %s: the image "
			      "is corrupt",
			      l->res.diff_id, l->diff_id);
		return -1;
	}
	return 0;
}

static int commit_layers(struct store *st, struct ingest_layer *v, size_t n, struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++) {
		struct store_layer sl = {.compressed_size = v[i].blob_size, .size = v[i].res.size};
		struct store_staging *s = v[i].staging;

		if (s == NULL) {
			if (store_layer_exists(st, v[i].chain_id))
				continue;
			rcr_error_set(err, ENOENT,
				      "layer %s was removed while this image was being stored; try "
				      "again",
				      v[i].chain_id);
			return -1;
		}
		v[i].staging = NULL;
		snprintf(sl.chain_id, sizeof(sl.chain_id), "%s", v[i].chain_id);
		snprintf(sl.diff_id, sizeof(sl.diff_id), "%s", v[i].diff_id);
		snprintf(sl.parent, sizeof(sl.parent), "%s", v[i].parent);
		snprintf(sl.compressed_digest, sizeof(sl.compressed_digest), "%s",
			 v[i].digest ? v[i].digest : "");
		if (store_layer_commit(st, s, &sl, err) < 0)
			return -1;
	}
	return 0;
}

static int commit_image(struct store *st, struct ingest_layer *v, size_t n,
			const struct ingest_image *img, const char *id, struct rcr_error **err)
{
	const char **chains = calloc(n + 1, sizeof(*chains));
	struct store_image si = {
		.id = id,
		.manifest_digest = img->manifest_digest,
		.manifest = img->manifest,
		.manifest_len = img->manifest_len,
		.config = img->config,
		.config_len = img->config_len,
		.n_layers = n,
		.created = img->created,
	};
	int rc;

	if (chains == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		chains[i] = v[i].chain_id;
	si.layers = chains;
	rc = store_image_put(st, &si, err);
	if (rc == 0 && img->name != NULL)
		rc = store_image_add_name(st, id, img->name, err);
	if (rc == 0 && img->repo_digest != NULL)
		rc = store_image_add_digest(st, id, img->repo_digest, err);
	free(chains);
	return rc;
}

int ingest_commit(struct store *st, struct ingest_layer *v, size_t n,
		  const struct ingest_image *img, char id[72], struct rcr_error **err)
{
	struct store_lock *lk = NULL;
	int rc;

	img_digest_of(img->config, img->config_len, id);
	if (store_commit_lock(st, &lk, err) < 0)
		return -1;
	rc = commit_layers(st, v, n, err);
	if (rc == 0)
		rc = commit_image(st, v, n, img, id, err);
	store_lock_release(lk);
	return rc;
}

void ingest_layers_release(struct ingest_layer *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		if (v[i].staging != NULL)
			store_layer_abort(v[i].staging);
		v[i].staging = NULL;
	}
}
