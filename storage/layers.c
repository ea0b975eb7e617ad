/* Layers: staging a new layer under tmp/, committing it (rename into layers/<hex>, then the
 * row), lookups, and the row-level garbage collection that image deletion and repair share.
 *
 * A layer row must never exist without its complete content: the content is renamed into place
 * before the row commits, both under the commit lock, and a layer row is deleted only when no
 * image and no other layer refers to it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/log.h"
#include "storage/db.h"
#include "storage/internal.h"
#include "storage/store.h"

static int layer_row(struct store *st, const char *chain_id, struct store_layer *out,
		     struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "looking up a layer";
	int rc;

	s = db_stmt(st, err, what,
		    "SELECT chain_id, diff_id, parent, compressed_digest, compressed_size, size "
		    "FROM layers WHERE chain_id = ?",
		    "s", chain_id);
	if (s == NULL)
		return -1;
	rc = db_step(st, s, what, err);
	if (rc == 1 && out != NULL) {
		memset(out, 0, sizeof(*out));
		snprintf(out->chain_id, sizeof(out->chain_id), "%s", db_text(s, 0));
		snprintf(out->diff_id, sizeof(out->diff_id), "%s", db_text(s, 1));
		snprintf(out->parent, sizeof(out->parent), "%s",
			 db_text(s, 2) ? db_text(s, 2) : "");
		snprintf(out->compressed_digest, sizeof(out->compressed_digest), "%s",
			 db_text(s, 3) ? db_text(s, 3) : "");
		out->compressed_size = sqlite3_column_int64(s, 4);
		out->size = sqlite3_column_int64(s, 5);
	}
	return rc;
}

bool store_layer_exists(struct store *st, const char *chain_id)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char id[STORE_ID_LEN + 1];

	return store_id_normalize(chain_id, id) && layer_row(st, id, NULL, &err) == 1;
}

int store_layer_get(struct store *st, const char *chain_id, struct store_layer *out,
		    struct rcr_error **err)
{
	char id[STORE_ID_LEN + 1];

	if (!store_id_normalize(chain_id, id))
		return 0;
	return layer_row(st, id, out, err);
}

char *store_layer_diff_path(const struct store *st, const char *chain_id)
{
	_cleanup_free_ char *dir = store_layer_dir(st, chain_id);

	return dir ? fs_path_join(dir, "diff") : NULL;
}

int store_layer_stage(struct store *st, struct store_staging **out, struct rcr_error **err)
{
	struct store_staging *s = NULL;

	*out = NULL;
	if (store_entry_new(st, "layer", "diff", &s, err) < 0)
		return -1;
	/* The entry itself becomes layers/<hex> on commit; diff is what gets unpacked into. */
	if (mkdir(s->path, 0755) < 0) {
		rcr_error_set_errno(err, errno, "creating '%s'", s->path);
		store_tmp_release(s);
		return -1;
	}
	*out = s;
	return 0;
}

void store_layer_abort(struct store_staging *s)
{
	store_tmp_release(s);
}

static int check_layer(const struct store_layer *l, struct rcr_error **err)
{
	char id[STORE_ID_LEN + 1];

	if (!store_id_normalize(l->chain_id, id) || strncmp(l->chain_id, "sha256:", 7) != 0) {
		rcr_error_set(err, EINVAL, "invalid layer chain id '%s'", l->chain_id);
		return -1;
	}
	if (l->diff_id[0] == '\0' || strchr(l->diff_id, ':') == NULL) {
		rcr_error_set(err, EINVAL, "invalid diff id '%s' of layer %s", l->diff_id,
			      l->chain_id);
		return -1;
	}
	if (l->parent[0] != '\0' &&
	    (!store_id_normalize(l->parent, id) || strncmp(l->parent, "sha256:", 7) != 0)) {
		rcr_error_set(err, EINVAL, "invalid parent '%s' of layer %s", l->parent,
			      l->chain_id);
		return -1;
	}
	return 0;
}

static int insert_layer(struct store *st, const struct store_layer *l, struct rcr_error **err)
{
	const char *parent = l->parent[0] ? l->parent : NULL;
	const char *cdigest = l->compressed_digest[0] ? l->compressed_digest : NULL;

	return db_exec(st, err, "recording layer",
		       "INSERT INTO layers (chain_id, diff_id, parent, compressed_digest, "
		       "compressed_size, size, created) VALUES (?, ?, ?, ?, ?, ?, ?)",
		       "ssssiii", l->chain_id, l->diff_id, parent, cdigest, l->compressed_size,
		       l->size, (long long)time(NULL));
}

int store_layer_commit(struct store *st, struct store_staging *s, const struct store_layer *l,
		       struct rcr_error **err)
{
	struct store_trash trash = {.st = st};
	struct store_lock *lk = NULL;
	_cleanup_free_ char *dir = NULL;
	bool moved = false;
	int rc = -1, found;

	if (s == NULL) {
		rcr_error_set(err, EINVAL, "committing layer %s: no staging", l->chain_id);
		return -1;
	}
	/* The caller should hold the commit lock; taking it again through this handle is free,
	 * and makes a caller that forgot it safe. */
	if (check_layer(l, err) < 0 || store_commit_lock(st, &lk, err) < 0)
		goto out;
	found = layer_row(st, l->chain_id, NULL, err);
	if (found != 0) {
		/* Another call stored it first: ours is dropped, theirs is the same content. */
		rc = found < 0 ? -1 : 0;
		goto out;
	}
	if (l->parent[0] != '\0' && (found = layer_row(st, l->parent, NULL, err)) != 1) {
		if (found == 0)
			rcr_error_set(err, ENOENT, "parent layer %s of layer %s is not stored",
				      l->parent, l->chain_id);
		goto out;
	}
	dir = store_layer_dir(st, l->chain_id);
	if (dir == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* A directory already there has no row (we looked under the lock): the remains of a
	 * commit killed before its row, which store_entry_install moves out of the way. */
	if (store_entry_install(s, dir, &trash, err) < 0)
		goto out;
	moved = true;
	if (store_fsync_dir(st->layers, err) < 0 || insert_layer(st, l, err) < 0) {
		/* No row: the content must not stay in place looking committed. */
		struct rcr_error *e2 = NULL;

		if (store_trash_move(&trash, dir, &e2) < 0)
			rcr_error_join(err, e2);
		goto out;
	}
	rc = 0;
out:
	store_lock_release(lk);
	/* Outside the lock: dropping a whole unpacked layer can take a while. */
	if (moved)
		store_entry_forget(s);
	else
		store_tmp_release(s);
	store_trash_empty(&trash);
	if (rc < 0)
		rcr_error_wrap(err, "committing layer %s", l->chain_id);
	return rc;
}

/* Is chain_id still needed: used by an image, or the parent of a stored layer? */
static int layer_in_use(struct store *st, const char *chain_id, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "checking whether a layer is used";

	s = db_stmt(st, err, what,
		    "SELECT EXISTS (SELECT 1 FROM image_layers WHERE chain_id = ?1) OR "
		    "EXISTS (SELECT 1 FROM layers WHERE parent = ?1)",
		    "s", chain_id);
	if (s == NULL || db_step(st, s, what, err) != 1)
		return -1;
	return sqlite3_column_int(s, 0) != 0;
}

int store_layers_rows_gc(struct store *st, const struct strlist *candidates, struct strlist *gone,
			 struct rcr_error **err)
{
	struct strlist work = {0};
	int rc = -1;

	/* Top first: a layer's parent is only free once the layer is gone. */
	for (size_t i = candidates->n; i-- > 0;)
		if (strlist_push(&work, candidates->v[i]) < 0)
			goto oom;
	for (size_t i = 0; i < work.n; i++) {
		struct store_layer l;
		int used, found;

		if (strlist_has(gone, work.v[i]))
			continue;
		found = layer_row(st, work.v[i], &l, err);
		if (found < 0)
			goto out;
		if (found == 0)
			continue;
		used = layer_in_use(st, work.v[i], err);
		if (used < 0)
			goto out;
		if (used)
			continue;
		if (db_exec(st, err, "deleting a layer", "DELETE FROM layers WHERE chain_id = ?",
			    "s", l.chain_id) < 0)
			goto out;
		if (strlist_push(gone, l.chain_id) < 0 ||
		    (l.parent[0] != '\0' && strlist_push(&work, l.parent) < 0))
			goto oom;
	}
	rc = 0;
	goto out;
oom:
	rcr_error_set(err, ENOMEM, "out of memory");
out:
	strlist_release(&work);
	return rc;
}

/* Every layer row that is neither used by an image nor the parent of a kept layer: what a call
 * killed between committing its layers and its image leaves. */
static int unused_layers(struct store *st, struct strlist *out, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing unused layers";
	int r;

	s = db_stmt(st, err, what,
		    "SELECT chain_id FROM layers l WHERE NOT EXISTS "
		    "(SELECT 1 FROM image_layers i WHERE i.chain_id = l.chain_id)",
		    "");
	if (s == NULL)
		return -1;
	while ((r = db_step(st, s, what, err)) == 1) {
		if (strlist_push(out, (const char *)sqlite3_column_text(s, 0)) < 0) {
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
	}
	return r < 0 ? -1 : 0;
}

int store_layers_prune(struct store *st, size_t *removed, struct rcr_error **err)
{
	struct store_trash trash = {.st = st};
	struct strlist candidates = {0}, gone = {0};
	struct store_lock *lk = NULL;
	int rc = -1;

	*removed = 0;
	if (store_commit_lock(st, &lk, err) < 0)
		return -1;
	if (db_begin_write(st, err) < 0)
		goto out;
	if (unused_layers(st, &candidates, err) < 0 ||
	    store_layers_rows_gc(st, &candidates, &gone, err) < 0 || db_commit(st, err) < 0) {
		db_rollback(st);
		goto out;
	}
	rc = 0;
	*removed = gone.n;
	for (size_t i = 0; i < gone.n; i++) {
		_cleanup_free_ char *dir = store_layer_dir(st, gone.v[i]);
		struct rcr_error *late = NULL;

		if (dir == NULL || store_trash_move(&trash, dir, &late) < 0) {
			rcr_warn("removing layer %s: %s", gone.v[i],
				 late ? late->msg : "no memory");
			rcr_error_free(late);
		}
	}
out:
	store_lock_release(lk);
	store_trash_empty(&trash);
	strlist_release(&candidates);
	strlist_release(&gone);
	return rc;
}
