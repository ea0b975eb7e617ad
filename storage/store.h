/* The store (DESIGN.md §5): SQLite metadata in ROOT/rcr.db (WAL) and content directories.
 *
 *   ROOT/rcr.db                       images, image names and digests, layers, containers,
 *                                     volumes and which container uses which
 *   ROOT/layers/<chain hex>/diff      a layer's unpacked content, owned by mapped ids
 *   ROOT/images/<id hex>/{manifest,config}
 *   ROOT/containers/<id>/{upper,work,userdata}
 *                                     a container's overlay upper and work dirs (owned by
 *                                     mapped ids once it ran) and the CLI's files about it
 *   ROOT/volumes/<name>/_data         a volume's content (owned by mapped ids once used)
 *   ROOT/volumes/<name>/copy-up       present while the volume waits for its first mount's
 *                                     copy of the image's content (runtime/copyup.h)
 *   ROOT/tmp/                         staging and downloads, on the same filesystem
 *   ROOT/store.lock                   the commit lock (flock)
 *
 * Crash safety: content is made under tmp/ and renamed into place, then its row commits; rows
 * are deleted before their content, which is renamed into tmp/ and removed from there. Every
 * tmp/ entry is held by an flock while in use; store_open removes entries nobody holds (the
 * debris of a killed call), and content directories without a row. Committing and deleting hold
 * the commit lock, so a layer is never removed while another call is about to reference it, and
 * is stored once when two pulls of the same image race.
 *
 * Files owned by mapped ids are removed in a user namespace with the user's maps
 * (pkg/userns.h), so no root is ever needed.
 */
#ifndef RCR_STORAGE_STORE_H
#define RCR_STORAGE_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"
#include "pkg/userns.h"

struct store;
struct store_staging;
struct store_lock;
struct store_volume_use;

/* Open (creating) the store at root; maps are borrowed and must outlive the store. Cleans
 * debris left by killed calls. */
int store_open(const char *root, const struct userns_user_maps *maps, struct store **out,
	       struct rcr_error **err);
void store_close(struct store *st);

const char *store_root(const struct store *st);
const char *store_tmp_dir(const struct store *st);

/* The commit lock: exclusive, blocking. Held around committing layers and an image, and taken
 * by store_image_delete and store_layers_prune. */
int store_commit_lock(struct store *st, struct store_lock **out, struct rcr_error **err);
void store_lock_release(struct store_lock *lk);

/* A private, locked temporary entry under tmp/ (a file or directory is made at its path by the
 * caller). Released (its content removed, in the user namespace if needed) by
 * store_tmp_release. */
int store_tmp_new(struct store *st, const char *prefix, struct store_staging **out,
		  struct rcr_error **err);
void store_tmp_release(struct store_staging *s);

/* ---- layers ------------------------------------------------------------------------------ */

struct store_layer {
	char chain_id[72];
	char diff_id[72];
	char parent[72]; /* "" for a bottom layer */
	char compressed_digest[72];
	long long compressed_size;
	long long size;
};

bool store_layer_exists(struct store *st, const char *chain_id);
/* 1 and *out when found, 0 when not, -1 on error. */
int store_layer_get(struct store *st, const char *chain_id, struct store_layer *out,
		    struct rcr_error **err);
/* ROOT/layers/<hex>/diff (allocated). */
char *store_layer_diff_path(const struct store *st, const char *chain_id);

/* Staging for a new layer: an empty directory store_staging_path(s) to unpack into. */
int store_layer_stage(struct store *st, struct store_staging **out, struct rcr_error **err);
const char *store_staging_path(const struct store_staging *s);
/* Drop staging and its content. */
void store_layer_abort(struct store_staging *s);
/* Move staging into place as layer l and record it; the caller holds the commit lock. When the
 * layer already exists (another call committed it), the staging is dropped and 0 returned.
 * The staging is consumed either way. */
int store_layer_commit(struct store *st, struct store_staging *s, const struct store_layer *l,
		       struct rcr_error **err);

/* ---- images ------------------------------------------------------------------------------ */

struct store_image {
	const char *id;		     /* "sha256:<config digest hex>" */
	const char *manifest_digest; /* of the image manifest, or NULL (an import has none) */
	const char *manifest;	     /* may be NULL */
	size_t manifest_len;
	const char *config;
	size_t config_len;
	const char *const *layers; /* chain ids, bottom first; each must exist */
	size_t n_layers;
	const char *created; /* RFC 3339 or NULL */
};

/* What a listing or lookup returns; all owned. */
struct store_image_info {
	char *id;
	char **names; /* "domain/path:tag", newest first */
	size_t n_names;
	char **digests; /* "domain/path@sha256:..." */
	size_t n_digests;
	char *manifest_digest; /* or NULL */
	char *created;	       /* or NULL */
	long long added;       /* unix seconds when first stored */
	long long size;	       /* sum of the layers' unpacked sizes */
	char **layers;	       /* chain ids, bottom first */
	size_t n_layers;
};

/* Record an image whose layers are committed; the caller holds the commit lock. An image with
 * the same id already stored is kept (ids are content addresses). */
int store_image_put(struct store *st, const struct store_image *img, struct rcr_error **err);
/* Give name ("domain/path:tag") to image id, taking it from any image that had it. */
int store_image_add_name(struct store *st, const char *id, const char *name,
			 struct rcr_error **err);
/* 1 when removed, 0 when no image had it. */
int store_image_remove_name(struct store *st, const char *id, const char *name,
			    struct rcr_error **err);
int store_image_add_digest(struct store *st, const char *id, const char *repo_digest,
			   struct rcr_error **err);

/* Every image, newest first. */
int store_image_list(struct store *st, struct store_image_info **out, size_t *n,
		     struct rcr_error **err);
void store_image_info_free(struct store_image_info *v, size_t n);
void store_image_info_release(struct store_image_info *i);

/* Exact lookups: by full id ("sha256:hex" or hex), by a unique id prefix of at least 3 hex
 * digits, by a full name or by a repo digest. 1 found, 0 not found, -1 on error (an ambiguous
 * prefix is an error). */
int store_image_get(struct store *st, const char *key, struct store_image_info *out,
		    struct rcr_error **err);

/* The stored manifest or config bytes (allocated, NUL-terminated). */
int store_image_read(struct store *st, const char *id, const char *what, char **data, size_t *len,
		     struct rcr_error **err);

/* Remove the image (rows, then its files), then every layer no image uses any more. An image a
 * container uses is refused with EBUSY and Podman's message, unwrapped: image used by ID: image
 * is in use by a container: consider listing external containers and force-removing image. */
int store_image_delete(struct store *st, const char *id, struct rcr_error **err);

/* Remove every layer no image uses (left by a call killed between committing its layers and its
 * image); *removed gets how many. */
int store_layers_prune(struct store *st, size_t *removed, struct rcr_error **err);

/* ---- containers -------------------------------------------------------------------------- */

struct store_container {
	char *id; /* 64 lowercase hex */
	char *name;
	char *image_id;	   /* "sha256:..." */
	char *image_name;  /* the reference as resolved, e.g. "docker.io/library/busybox:latest";
			    * may be NULL */
	char *command;	   /* the command line for ps; may be NULL */
	long long created; /* unix nanoseconds */
	char *state;	   /* "created" normally; "removing" while rm runs */
	char *config;	   /* the container's JSON config, opaque to the store */
	/* Borrowed, read by store_container_create only (recorded in its transaction): the
	 * volumes the container mounts. Never filled by lookups (store_container_volumes). */
	const struct store_volume_use *volumes;
	size_t n_volumes;
};
/* Free the fields of *c (not c) and zero it; NULL is fine. */
void store_container_release(struct store_container *c);
/* Release each of v[0..n) and free v. */
void store_container_free(struct store_container *v, size_t n);

/* A new random id (64 hex from getrandom), unique among containers. Owned. */
char *store_container_new_id(struct store *st, struct rcr_error **err);

/* Record c (all fields set by the caller, state "created"), the volumes it uses (each must
 * exist: ENOENT "no volume with name ..." otherwise), and make its directory
 * ROOT/containers/<id> with upper/ (0755), work/ and userdata/ (0700). c is borrowed. A name in
 * use is an error with code EEXIST and Podman's message, unwrapped: the container name "NAME" is
 * already in use by ID. You have to remove that container to be able to reuse that name: that
 * name is already in use. An id in use is EEXIST too; a name Podman would refuse is EINVAL
 * ("names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*"); the image must be stored (ENOENT). */
int store_container_create(struct store *st, const struct store_container *c,
			   struct rcr_error **err);

/* ROOT/containers/<id> (allocated; NULL when id is not 64 lowercase hex). */
char *store_container_dir(const struct store *st, const char *id);

/* Lookup by full id, by name, or by a unique id prefix (any length >= 1, as Podman). Exact name
 * beats prefix. 1 and *out (owned fields: store_container_release) when found, 0 not found, -1
 * error (an ambiguous prefix is an error, EINVAL: "more than one result for container 'ab': use
 * a longer id"). */
int store_container_get(struct store *st, const char *key, struct store_container *out,
			struct rcr_error **err);

/* Every container, newest first (*out owned: store_container_free). */
int store_container_list(struct store *st, struct store_container **out, size_t *n,
			 struct rcr_error **err);

/* Set the state of container id (the full id); unknown id is ENOENT. */
int store_container_set_state(struct store *st, const char *id, const char *state,
			      struct rcr_error **err);

/* Rename; a name in use is EEXIST as above (unwrapped); unknown id is ENOENT; renaming to its own
 * name is a no-op. */
int store_container_rename(struct store *st, const char *id, const char *name,
			   struct rcr_error **err);

/* Replace the stored config JSON; unknown id is ENOENT. */
int store_container_set_config(struct store *st, const char *id, const char *config,
			       struct rcr_error **err);

/* Remove the row, then its directory (in the user namespace). A missing row is 0 (nothing to
 * do), not an error. A directory that cannot be removed now is a warning: it has no row, so
 * the next store_open removes it. */
int store_container_delete(struct store *st, const char *id, struct rcr_error **err);

/* Ids of the containers made from image id ("sha256:hex" or hex), oldest first (owned strv,
 * NULL-terminated, may be empty). */
int store_image_containers(struct store *st, const char *image_id, char ***ids,
			   struct rcr_error **err);

/* ---- volumes ---------------------------------------------------------------------------------
 *
 * Named and anonymous volumes (Podman's "local" driver): a row and ROOT/volumes/<name>/_data,
 * made together (staged under tmp/, renamed into place under the commit lock inside the row's
 * transaction, as containers are) and removed together (row first, then the directory through
 * the trash, in the user namespace: a container's non-root users leave files of subordinate ids
 * there). A volume that will copy the image's content on its first mount has the file
 * ROOT/volumes/<name>/copy-up until then: the runtime removes it without the store. */

struct store_volume {
	char *name;
	long long created; /* unix nanoseconds */
	char *labels;	   /* a JSON object as text, "{}" when none */
	char *options;	   /* a JSON object as text (the driver options), "{}" when none */
	bool anonymous;	   /* made for one container's -v /dst: removed with it (rm -v, --rm) */
	bool copy_up;	   /* made to take the image's content on its first mount (not nocopy) */
};
void store_volume_release(struct store_volume *v);
void store_volume_free(struct store_volume *v, size_t n);

/* A container's use of a volume: what store_container_create records (borrowed strings there)
 * and store_container_volumes returns (owned there). */
struct store_volume_use {
	char *volume;
	char *dest;	/* absolute path in the container */
	bool anonymous; /* the volume's flag (filled by store_container_volumes) */
};
void store_volume_use_free(struct store_volume_use *v, size_t n);

/* Podman's rule for volume names: [a-zA-Z0-9][a-zA-Z0-9_.-]*, at most 255 characters. */
bool store_volume_name_valid(const char *name);

/* A new random name (64 hex) no volume has, for an anonymous volume. Owned. */
char *store_volume_new_name(struct store *st, struct rcr_error **err);

/* Record v (name, labels, options, anonymous, copy_up from the caller; created now when 0) and
 * make its directory with an empty _data (0755) and, with copy_up, the copy-up marker. A name
 * in use is EEXIST with Podman's message, unwrapped: volume with name NAME already exists:
 * volume already exists. An invalid name is EINVAL naming the rule. */
int store_volume_create(struct store *st, const struct store_volume *v, struct rcr_error **err);

/* ROOT/volumes/<name>, its _data and its copy-up marker (allocated; NULL for an invalid name). */
char *store_volume_dir(const struct store *st, const char *name);
char *store_volume_data_path(const struct store *st, const char *name);
char *store_volume_marker_path(const struct store *st, const char *name);

/* 1 and *out (owned: store_volume_release) when found, 0 when not, -1 on error. */
int store_volume_get(struct store *st, const char *name, struct store_volume *out,
		     struct rcr_error **err);

/* Every volume, by name (*out owned: store_volume_free). */
int store_volume_list(struct store *st, struct store_volume **out, size_t *n,
		      struct rcr_error **err);

/* Ids of the containers using volume name, oldest first (owned NULL-terminated strv, may be
 * empty). */
int store_volume_users(struct store *st, const char *name, char ***ids, struct rcr_error **err);

/* The volumes container id uses, by destination (*out owned: store_volume_use_free). */
int store_container_volumes(struct store *st, const char *id, struct store_volume_use **out,
			    size_t *n, struct rcr_error **err);

/* Remove the row, then the directory (in the user namespace when needed). Unknown is ENOENT
 * (Podman's "no volume with name "x" found: no such volume"); in use is EBUSY with Podman's
 * message naming the containers, unwrapped: volume NAME is being used by the following
 * container(s): ID...: volume is being used. A directory that cannot go now is a warning: it
 * has no row, so the next store_open removes it. */
int store_volume_delete(struct store *st, const char *name, struct rcr_error **err);

/* ---- checking ------------------------------------------------------------------------------ */

/* Problems found (each a line appended to *report, allocated): rows whose content is missing
 * (a container or volume whose directory is missing included), content without rows, tmp/
 * debris. With repair, fix what can be fixed: broken rows and their content go, except an image
 * or a volume a container uses (and the image's layers), which stays reported, as Podman's
 * check without --force. Returns the number of problems left, or -1. */
int store_check(struct store *st, bool repair, char **report, struct rcr_error **err);

#endif
