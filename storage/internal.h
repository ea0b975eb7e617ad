/* What the store's files share and nobody else may see: the handle's fields, the staging
 * entries under tmp/, the trash that content goes through on its way out, and a growable list of
 * strings. Only the storage/ sources include this; everyone else goes through storage/store.h.
 */
#ifndef RCR_STORAGE_INTERNAL_H
#define RCR_STORAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"
#include "pkg/userns.h"
#include "storage/store.h"

struct sqlite3;

struct store {
	char *root;	  /* ROOT */
	char *tmp;	  /* ROOT/tmp */
	char *layers;	  /* ROOT/layers */
	char *images;	  /* ROOT/images */
	char *containers; /* ROOT/containers */
	char *volumes;	  /* ROOT/volumes */
	char *db_path;
	struct sqlite3 *db;
	const struct userns_user_maps *maps; /* borrowed; NULL: no user namespace for removals */
	int lock_fd;			     /* ROOT/store.lock, open as long as the store */
	int lock_depth; /* how many store_lock objects of this handle hold it */
};

struct store_lock {
	struct store *st;
};

/* One entry under tmp/: the directory dir, held by an flock on fd for the entry's lifetime
 * (store_open removes only entries it can lock). path is what the caller works on inside it. */
struct store_staging {
	struct store *st;
	char *dir;
	char *path;
	int fd;
};

/* "sha256:" + 64 lowercase hex digits: the only form of layer and image ids stored. */
#define STORE_ID_LEN 71

/* ---- a list of owned strings --------------------------------------------------------------- */

struct strlist {
	char **v;
	size_t n, cap;
};
int strlist_push(struct strlist *l, const char *s);
bool strlist_has(const struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

/* ---- store.c ----------------------------------------------------------------------------- */

/* Make tmp/<prefix>-XXXXXX, locked; path is dir/<leaf> (not created). */
int store_entry_new(struct store *st, const char *prefix, const char *leaf,
		    struct store_staging **out, struct rcr_error **err);
/* Close and free without touching the directory (its content was moved away). */
void store_entry_forget(struct store_staging *s);
/* Rename s's directory to dest; a directory already at dest (one without a row: the caller
 * holds the commit lock and has looked) goes to trash first. On success the entry has left
 * tmp/: free s with store_entry_forget. */
struct store_trash;
int store_entry_install(struct store_staging *s, const char *dest, struct store_trash *trash,
			struct rcr_error **err);
/* The commit of a staged directory with its row (a container's, a volume's): under the commit
 * lock, in one write transaction, insert(st, arg, taken, err) writes the row, then s moves to
 * dest (a directory already there has no row: a killed create's remains, trashed) and parent
 * (dest's directory) is synced before the commit. Any failure leaves neither. s is released.
 * *taken: insert found the name in use (its error is the user's message as it is). */
typedef int (*store_insert_fn)(struct store *st, void *arg, bool *taken, struct rcr_error **err);
int store_entry_commit_row(struct store_staging *s, const char *dest, const char *parent,
			   store_insert_fn insert, void *arg, bool *taken, struct rcr_error **err);
/* fsync a directory, so that a rename into it survives a power cut. */
int store_fsync_dir(const char *path, struct rcr_error **err);
/* Take the commit lock without blocking: 1 taken, 0 busy, -1 error. */
int store_commit_trylock(struct store *st, struct store_lock **out, struct rcr_error **err);
/* Is tmp/name an entry that no process holds (a killed call's debris)? On 1, *fd_out keeps the
 * lock held (the caller closes it after removing the entry). 0: in use or gone, -1: error. */
int store_tmp_entry_unheld(struct store *st, const char *name, int *fd_out);

/* Every entry of layers/, images/, containers/ or volumes/ (table of that name) without a row:
 * pushed on found and moved into trash, each when not NULL. The caller holds the commit lock,
 * so no commit is between its rename and its row. */
int store_orphans_scan(struct store *st, const char *table, struct store_trash *trash,
		       struct strlist *found, struct rcr_error **err);

/* 64 lowercase hex digits and nothing else (a container id, or an id's hex part)? */
bool store_is_hex64(const char *s);
/* "sha256:<hex>" or "<hex>" (64 hex digits) into out ("sha256:<hex>"); false when neither. */
bool store_id_normalize(const char *in, char out[STORE_ID_LEN + 1]);
/* The hex part of a normalized id. */
static inline const char *store_id_hex(const char *id)
{
	return id + 7;
}

/* ---- remove.c ---------------------------------------------------------------------------- */

/* Remove path and everything under it: as the user when that is enough, else in a user
 * namespace with the store's maps, where the subordinate ids the files belong to are mapped. */
int store_remove_tree(struct store *st, const char *path, struct rcr_error **err);

/* Content on its way out: trees are renamed into one locked tmp/ entry (an atomic step, done
 * under the commit lock), then removed together once the lock is released. */
struct store_trash {
	struct store *st;
	struct store_staging *s; /* made on the first move */
	unsigned n;
};
/* Move path into the trash; a missing path is fine. */
int store_trash_move(struct store_trash *t, const char *path, struct rcr_error **err);
/* Remove what the trash holds; failures are logged and left for the next store_open. */
void store_trash_empty(struct store_trash *t);

/* ---- images.c / layers.c: row work shared with check.c ------------------------------------ */

/* Inside a write transaction: delete the rows of image id (names, digests, layer list, the
 * image) and push its layers on *candidates, bottom first. */
int store_image_rows_delete(struct store *st, const char *id, struct strlist *candidates,
			    struct rcr_error **err);
/* Inside a write transaction: delete each candidate layer that no image uses and no other layer
 * has as parent, then its parent by the same rule, and so on; push what went on *gone. */
int store_layers_rows_gc(struct store *st, const struct strlist *candidates, struct strlist *gone,
			 struct rcr_error **err);
/* ROOT/layers/<hex> and ROOT/images/<hex> (allocated). */
char *store_layer_dir(const struct store *st, const char *chain_id);
char *store_image_dir(const struct store *st, const char *id);

/* ---- containers.c: what images.c and check.c need ----------------------------------------- */

/* The id of a container made from image id (the oldest), into ctr: 1, 0 when none, -1. */
int store_image_first_container(struct store *st, const char *image_id, char ctr[65],
				struct rcr_error **err);

/* ---- volumes.c: what store.c and check.c need -------------------------------------------- */

/* store_orphans_scan for volumes/: entries are named by volume names, not hex ids. */
/* Every entry of dir that known(set, name) does not know is an orphan: pushed on found and/or
 * moved to trash (either may be NULL). */
typedef bool (*store_known_fn)(const void *set, const char *name);
int store_orphans_in_dir(const char *dir, store_known_fn known, const void *set,
			 struct store_trash *trash, struct strlist *found, struct rcr_error **err);
int store_volume_orphans_scan(struct store *st, struct store_trash *trash, struct strlist *found,
			      struct rcr_error **err);
/* Inside a write transaction: record the volumes container id uses (each must exist). */
int store_volume_uses_insert(struct store *st, const char *id, const struct store_volume_use *v,
			     size_t n, struct rcr_error **err);
/* The oldest container using volume name into ctr: 1, 0 when none, -1. */
int store_volume_first_user(struct store *st, const char *name, char ctr[65],
			    struct rcr_error **err);

#endif
