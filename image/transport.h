/* Pulling from local sources, the containers/image transports Podman accepts besides a registry:
 *
 *   oci:DIR[:REF]                an OCI image layout directory (REF: its ref.name, or "@N")
 *   oci-archive:FILE[:REF]       the same layout in a tar file
 *   docker-archive:FILE[:REF]    `docker save` output (REF: "repo:tag", or "@N")
 *
 * Every blob is verified against its digest before it is used, layers are unpacked through
 * image/ingest.h exactly as a registry pull does, and nothing is stored unless every part
 * verified. The names given to the stored image follow Podman (containers/common
 * libimage/pull.go):
 *   oci:DIR:REF       REF parsed as a reference, docker.io-normalised ("quay.io/a/b:1" stays,
 *                     "app:1" becomes docker.io/library/app:1); without REF, no name (id only)
 *   oci-archive:      the chosen manifest's "io.containerd.image.name" or
 *                     "org.opencontainers.image.ref.name" annotation, normalised as Podman's
 *                     NormalizeName does (short names under localhost/, ":latest" added);
 *                     without one, no name
 *   docker-archive:   every RepoTags entry of the chosen image (only the one asked for with
 *                     :repo:tag), each normalised as above; without RepoTags, no name
 * Each name also gets the repository digest "domain/path@<manifest digest>".
 */
#ifndef RCR_IMAGE_TRANSPORT_H
#define RCR_IMAGE_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "image/ingest.h"
#include "image/pull.h"
#include "pkg/error.h"

/* "oci:", "oci-archive:", "docker-archive:" (and "docker://" is NOT local). */
bool img_transport_is_local(const char *name);

/* 0 for a registry reference (with or without "docker://") or a local transport; -1 naming the
 * fix for a transport of containers/image that rcr does not implement ("dir:",
 * "containers-storage:", "docker-daemon:", ...). A "foo:bar" whose prefix is no transport is a
 * reference (an image "foo" tagged "bar"), as Podman reads it. */
int img_transport_check(const char *name, struct rcr_error **err);

/* Pull from a local source into the store, like img_pull (same opts: o->store, o->maps,
 * o->os/arch/variant, o->on_event). image_id gets "sha256:<hex>". */
int img_pull_local(const struct pull_opts *o, const char *name, char image_id[72],
		   struct rcr_error **err);

/* ---- pure parts (bytes in, structs out; unit-tested) ------------------------------------------
 */

/* The index.json entry chosen for a reference. */
struct layout_pick {
	char *digest;	  /* owned "sha256:..." */
	char *media_type; /* owned, or NULL when the entry names none */
	long long size;	  /* -1 when absent */
	char *name;	  /* owned: the entry's image name annotation (see above), or NULL */
};

/* Choose from an index.json: ref NULL or "" takes the only entry (several are an error listing
 * their ref.name annotations), "@N" entry N, anything else the entry whose
 * "org.opencontainers.image.ref.name" is ref (none is an error listing those there are). */
int layout_index_pick(const char *body, size_t len, const char *ref, struct layout_pick *out,
		      struct rcr_error **err);
void layout_pick_release(struct layout_pick *p);

/* The name oci:DIR:REF stores the image under: REF docker.io-normalised with ":latest" added,
 * as containers/image's storage transport parses it. NULL with no error for "" or "@N"
 * (nothing to name it by) or a REF with a digest. */
char *layout_ref_name(const char *ref, struct rcr_error **err);

/* A `docker save` manifest.json: [{"Config": ..., "RepoTags": [...], "Layers": [...]}]. */
struct darchive_item {
	char *config;	  /* owned path inside the archive */
	char **repo_tags; /* owned NULL-terminated, as written ("busybox:latest") */
	size_t n_tags;
	char **layers; /* owned NULL-terminated paths inside the archive, bottom first */
	size_t n_layers;
};

struct darchive_manifest {
	struct darchive_item *items;
	size_t n;
};

/* Parse and check manifest.json: paths must be relative and stay inside the archive. */
int darchive_manifest_parse(const char *body, size_t len, struct darchive_manifest *out,
			    struct rcr_error **err);
void darchive_manifest_release(struct darchive_manifest *m);

/* Choose the image for ref (NULL or "": the only one; "@N"; or "repo:tag", matched as Docker
 * references, so "busybox" finds "docker.io/library/busybox:latest"). *names gets the owned
 * NULL-terminated names to store it under (possibly none), normalised as Podman does. *item is
 * borrowed from m. */
int darchive_choose(const struct darchive_manifest *m, const char *ref,
		    const struct darchive_item **item, char ***names, struct rcr_error **err);

/* ---- shared by layout.c and archive_src.c -----------------------------------------------------
 */

/* How the stored name is chosen for a layout (see the top of this file). */
enum layout_naming {
	LAYOUT_NAME_BY_REF,	   /* oci: */
	LAYOUT_NAME_BY_ANNOTATION, /* oci-archive: */
};

/* Store the image of the OCI layout at dir chosen by ref (see layout_index_pick). */
int layout_pull(const struct pull_opts *o, const char *dir, const char *ref,
		enum layout_naming naming, char image_id[72], struct rcr_error **err);

/* oci-archive: and docker-archive: (archive_src.c); spec is what follows the transport. */
int archive_pull_oci(const struct pull_opts *o, const char *spec, char image_id[72],
		     struct rcr_error **err);
int archive_pull_docker(const struct pull_opts *o, const char *spec, char image_id[72],
			struct rcr_error **err);

/* One verified layer file to store. */
struct local_layer {
	const char *path;   /* borrowed: the blob file */
	const char *digest; /* borrowed: its digest (what events and the store record) */
	long long size;
	enum layer_compression compression;
	const char *diff_id; /* borrowed: from the image config */
};

/* Unpack what the store lacks of v[0..n), then commit the layers and img under names[0] (NULL
 * or an empty vector: no name) and the other names, each with its repository digest when img
 * has a manifest digest. Events as img_pull sends them. */
int local_store(const struct pull_opts *o, const struct local_layer *v, size_t n,
		const struct ingest_image *img, char *const *names, char image_id[72],
		struct rcr_error **err);

/* Read a blob file whole (at most max bytes) and verify it against digest (and size when >= 0):
 * a mismatch is an error naming the blob. Owned, NUL-terminated. */
char *local_read_verified(const char *path, const char *digest, long long size, size_t max,
			  size_t *len, struct rcr_error **err);

/* Verify a (large) blob file against digest and size (when >= 0) by streaming it. */
int local_verify_file(const char *path, const char *digest, long long size, struct rcr_error **err);

#endif
