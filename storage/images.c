/* Images: recording one (its manifest and config files, its rows), its names and repo digests,
 * listing and lookups, and deletion with the layers only it used.
 *
 * An image row must never exist without its files and its layers: the files are renamed into
 * images/<hex> before the rows commit, under the commit lock, and the foreign keys refuse a row
 * for a layer that is not stored. Rows are deleted before the files, which leave through the
 * trash (storage/remove.c). An image used by a container is never deleted: the container's
 * rootfs stands on its layers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/log.h"
#include "storage/db.h"
#include "storage/internal.h"
#include "storage/store.h"

/* A manifest or config larger than this is not something we stored. */
#define IMAGE_FILE_MAX ((size_t)64 << 20)

static int image_exists(struct store *st, const char *id, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;

	s = db_stmt(st, err, "looking up an image", "SELECT 1 FROM images WHERE id = ?", "s", id);
	return s ? db_step(st, s, "looking up an image", err) : -1;
}

static int normalize_or_fail(const char *in, char id[STORE_ID_LEN + 1], struct rcr_error **err)
{
	if (store_id_normalize(in, id))
		return 0;
	rcr_error_set(err, EINVAL, "invalid image id '%s'", in ? in : "(null)");
	return -1;
}

/* ---- recording ------------------------------------------------------------------------------ */

static int check_image(struct store *st, const struct store_image *img, struct rcr_error **err)
{
	char id[STORE_ID_LEN + 1];

	if (img->id == NULL || strncmp(img->id, "sha256:", 7) != 0 ||
	    !store_id_normalize(img->id, id)) {
		rcr_error_set(err, EINVAL, "invalid image id '%s'", img->id ? img->id : "(null)");
		return -1;
	}
	if (img->config == NULL) {
		rcr_error_set(err, EINVAL, "image %s has no config", img->id);
		return -1;
	}
	for (size_t i = 0; i < img->n_layers; i++) {
		int rc;

		if (img->layers[i] == NULL || strncmp(img->layers[i], "sha256:", 7) != 0 ||
		    !store_id_normalize(img->layers[i], id)) {
			rcr_error_set(err, EINVAL, "invalid layer id '%s' in image %s",
				      img->layers[i] ? img->layers[i] : "(null)", img->id);
			return -1;
		}
		rc = store_layer_get(st, img->layers[i], NULL, err);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			rcr_error_set(err, ENOENT, "layer %s of image %s is not stored",
				      img->layers[i], img->id);
			return -1;
		}
	}
	return 0;
}

/* Write manifest and config into the staging directory, each synced. */
static int write_files(struct store_staging *s, const struct store_image *img,
		       struct rcr_error **err)
{
	_cleanup_free_ char *manifest = fs_path_join(s->dir, "manifest");
	_cleanup_free_ char *config = fs_path_join(s->dir, "config");

	if (manifest == NULL || config == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (img->manifest != NULL &&
	    fs_write_atomic(manifest, img->manifest, img->manifest_len, 0600, err) < 0)
		return -1;
	return fs_write_atomic(config, img->config, img->config_len, 0600, err);
}

static int insert_rows(struct store *st, const struct store_image *img, struct rcr_error **err)
{
	const char *what = "recording image";

	if (db_begin_write(st, err) < 0)
		return -1;
	/* manifest_len stays NULL when there is no manifest file to compare with. */
	if (db_exec(st, err, what,
		    img->manifest ? "INSERT INTO images (id, manifest_digest, created, added, "
				    "config_len, manifest_len) VALUES (?, ?, ?, ?, ?, ?)"
				  : "INSERT INTO images (id, manifest_digest, created, added, "
				    "config_len) VALUES (?, ?, ?, ?, ?)",
		    img->manifest ? "sssiii" : "sssii", img->id, img->manifest_digest, img->created,
		    (long long)time(NULL), (long long)img->config_len,
		    (long long)img->manifest_len) < 0)
		goto fail;
	for (size_t i = 0; i < img->n_layers; i++)
		if (db_exec(st, err, "recording an image's layer",
			    "INSERT INTO image_layers (image_id, idx, chain_id) VALUES (?, ?, ?)",
			    "sis", img->id, (long long)i, img->layers[i]) < 0)
			goto fail;
	return db_commit(st, err);
fail:
	db_rollback(st);
	return -1;
}

int store_image_put(struct store *st, const struct store_image *img, struct rcr_error **err)
{
	struct store_trash trash = {.st = st};
	struct store_staging *s = NULL;
	struct store_lock *lk = NULL;
	_cleanup_free_ char *dir = NULL;
	bool moved = false;
	int rc = -1, found;

	/* The layers are looked up under the lock: a delete cannot take one away before our
	 * rows reference it. */
	if (store_commit_lock(st, &lk, err) < 0 || check_image(st, img, err) < 0)
		goto out;
	found = image_exists(st, img->id, err);
	if (found != 0) {
		/* Ids are content addresses: the stored image is this one. */
		rc = found < 0 ? -1 : 0;
		goto out;
	}
	dir = store_image_dir(st, img->id);
	if (dir == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (store_entry_new(st, "image", "files", &s, err) < 0 || write_files(s, img, err) < 0 ||
	    store_entry_install(s, dir, &trash, err) < 0)
		goto out;
	moved = true;
	if (store_fsync_dir(st->images, err) < 0 || insert_rows(st, img, err) < 0) {
		struct rcr_error *e2 = NULL;

		if (store_trash_move(&trash, dir, &e2) < 0)
			rcr_error_join(err, e2);
		goto out;
	}
	rc = 0;
out:
	store_lock_release(lk);
	if (moved)
		store_entry_forget(s);
	else
		store_tmp_release(s);
	store_trash_empty(&trash);
	if (rc < 0)
		rcr_error_wrap(err, "storing image %s", img->id ? img->id : "(null)");
	return rc;
}

/* ---- names and digests ---------------------------------------------------------------------- */

static int require_image(struct store *st, const char *id, struct rcr_error **err)
{
	int rc = image_exists(st, id, err);

	if (rc == 0)
		rcr_error_set(err, ENOENT, "image %s is not stored", id);
	return rc == 1 ? 0 : -1;
}

int store_image_add_name(struct store *st, const char *id_in, const char *name,
			 struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	char id[STORE_ID_LEN + 1];
	const char *what = "looking up a name";
	int rc;

	if (normalize_or_fail(id_in, id, err) < 0)
		return -1;
	if (name == NULL || name[0] == '\0') {
		rcr_error_set(err, EINVAL, "an image name cannot be empty");
		return -1;
	}
	if (db_begin_write(st, err) < 0)
		return -1;
	if (require_image(st, id, err) < 0)
		goto fail;
	s = db_stmt(st, err, what, "SELECT image_id FROM image_names WHERE name = ?", "s", name);
	if (s == NULL || (rc = db_step(st, s, what, err)) < 0)
		goto fail;
	/* Already this image's: nothing changes (its place among the names included). A name of
	 * another image moves here in this same transaction, as Podman's tag does. */
	if (rc == 0 || strcmp(db_text(s, 0), id) != 0) {
		if (db_exec(st, err, "naming an image",
			    "INSERT OR REPLACE INTO image_names (name, image_id, added) "
			    "VALUES (?, ?, ?)",
			    "ssi", name, id, (long long)time(NULL)) < 0)
			goto fail;
	}
	if (db_commit(st, err) < 0)
		goto wrap;
	return 0;
fail:
	db_rollback(st);
wrap:
	rcr_error_wrap(err, "naming image %s '%s'", id, name);
	return -1;
}

int store_image_remove_name(struct store *st, const char *id_in, const char *name,
			    struct rcr_error **err)
{
	char id[STORE_ID_LEN + 1];

	if (normalize_or_fail(id_in, id, err) < 0)
		return -1;
	if (db_exec(st, err, "removing an image name",
		    "DELETE FROM image_names WHERE name = ? AND image_id = ?", "ss", name, id) < 0)
		return -1;
	return sqlite3_changes(st->db) > 0 ? 1 : 0;
}

int store_image_add_digest(struct store *st, const char *id_in, const char *repo_digest,
			   struct rcr_error **err)
{
	char id[STORE_ID_LEN + 1];

	if (normalize_or_fail(id_in, id, err) < 0)
		return -1;
	if (repo_digest == NULL || strchr(repo_digest, '@') == NULL) {
		rcr_error_set(err, EINVAL, "invalid repo digest '%s'",
			      repo_digest ? repo_digest : "(null)");
		return -1;
	}
	if (db_begin_write(st, err) < 0)
		return -1;
	if (require_image(st, id, err) < 0 ||
	    db_exec(st, err, "recording a repo digest",
		    "INSERT OR IGNORE INTO image_digests (repo_digest, image_id, added) "
		    "VALUES (?, ?, ?)",
		    "ssi", repo_digest, id, (long long)time(NULL)) < 0) {
		db_rollback(st);
		return -1;
	}
	return db_commit(st, err);
}

/* ---- listing and lookups -------------------------------------------------------------------- */

void store_image_info_release(struct store_image_info *i)
{
	if (i == NULL)
		return;
	free(i->id);
	strv_free(i->names);
	strv_free(i->digests);
	free(i->manifest_digest);
	free(i->created);
	strv_free(i->layers);
	memset(i, 0, sizeof(*i));
}

void store_image_info_free(struct store_image_info *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		store_image_info_release(&v[i]);
	free(v);
}

/* Column 0 of every row of sql (one text parameter: id) as a NULL-terminated list (NULL when
 * empty); with sum, column 1's non-negative values are added to it. */
static int strings_of(struct store *st, const char *sql, const char *id, char ***v, size_t *n,
		      long long *sum, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "reading an image";
	struct strlist l = {0};
	int rc;

	s = db_stmt(st, err, what, sql, "s", id);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1) {
		if (strlist_push(&l, db_text(s, 0) ? db_text(s, 0) : "") < 0) {
			rcr_error_set(err, ENOMEM, "out of memory");
			rc = -1;
			break;
		}
		if (sum != NULL && sqlite3_column_int64(s, 1) > 0)
			*sum += sqlite3_column_int64(s, 1);
	}
	if (rc < 0) {
		strlist_release(&l);
		return -1;
	}
	*v = l.v;
	*n = l.n;
	return 0;
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s != NULL && d == NULL)
		*oom = true;
	return d;
}

/* Fill out for image id (inside a read transaction). 1, 0 when not stored, -1. */
static int fill_info(struct store *st, const char *id, struct store_image_info *out,
		     struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "reading an image";
	bool oom = false;
	int rc;

	memset(out, 0, sizeof(*out));
	s = db_stmt(st, err, what,
		    "SELECT manifest_digest, created, added FROM images WHERE id = ?", "s", id);
	if (s == NULL || (rc = db_step(st, s, what, err)) <= 0)
		return s == NULL ? -1 : rc;
	out->id = dup_or_null(id, &oom);
	out->manifest_digest = dup_or_null(db_text(s, 0), &oom);
	out->created = dup_or_null(db_text(s, 1), &oom);
	out->added = sqlite3_column_int64(s, 2);
	if (oom) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	/* Names newest first: the one a pull or tag just gave comes first, as in Podman. */
	if (strings_of(st,
		       "SELECT name FROM image_names WHERE image_id = ? "
		       "ORDER BY added DESC, rowid DESC",
		       id, &out->names, &out->n_names, NULL, err) < 0 ||
	    strings_of(st,
		       "SELECT repo_digest FROM image_digests WHERE image_id = ? "
		       "ORDER BY added, rowid",
		       id, &out->digests, &out->n_digests, NULL, err) < 0 ||
	    strings_of(st,
		       "SELECT il.chain_id, l.size FROM image_layers il "
		       "LEFT JOIN layers l ON l.chain_id = il.chain_id "
		       "WHERE il.image_id = ? ORDER BY il.idx",
		       id, &out->layers, &out->n_layers, &out->size, err) < 0)
		goto fail;
	return 1;
fail:
	store_image_info_release(out);
	return -1;
}

static bool is_hex(const char *s, size_t *len)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	*len = i;
	return true;
}

/* A unique id prefix: 1 and id, 0 when none matches, -1 when several do (or on error). */
static int by_prefix(struct store *st, const char *key, char id[STORE_ID_LEN + 1],
		     struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *hex = strncmp(key, "sha256:", 7) == 0 ? key + 7 : key;
	const char *what = "looking up an id prefix";
	char pattern[STORE_ID_LEN + 2];
	char matches[3][STORE_ID_LEN + 1];
	size_t len, n = 0;
	int rc;

	if (!is_hex(hex, &len) || len < 3 || len > 64)
		return 0;
	/* GLOB is case sensitive and anchored, and hex has no wildcard characters. */
	snprintf(pattern, sizeof(pattern), "sha256:%s*", hex);
	s = db_stmt(st, err, what, "SELECT id FROM images WHERE id GLOB ? ORDER BY id LIMIT 3", "s",
		    pattern);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1)
		snprintf(matches[n++], sizeof(matches[0]), "%s", db_text(s, 0));
	if (rc < 0)
		return -1;
	if (n == 1)
		snprintf(id, STORE_ID_LEN + 1, "%s", matches[0]);
	if (n <= 1)
		return (int)n;
	rcr_error_set(err, EINVAL, "short id %s is ambiguous: matches %s, %s%s%s: give more digits",
		      hex, store_id_hex(matches[0]), store_id_hex(matches[1]), n > 2 ? ", " : "",
		      n > 2 ? store_id_hex(matches[2]) : "");
	return -1;
}

/* The first column of the first row of sql with one text parameter, into id. */
static int first_id(struct store *st, const char *sql, const char *key, char id[STORE_ID_LEN + 1],
		    struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "looking up an image";
	int rc;

	s = db_stmt(st, err, what, sql, "s", key);
	if (s == NULL || (rc = db_step(st, s, what, err)) < 0)
		return -1;
	if (rc == 1)
		snprintf(id, STORE_ID_LEN + 1, "%s", db_text(s, 0));
	return rc;
}

static int resolve(struct store *st, const char *key, char id[STORE_ID_LEN + 1],
		   struct rcr_error **err)
{
	int rc;

	if (store_id_normalize(key, id) && (rc = image_exists(st, id, err)) != 0)
		return rc;
	rc = first_id(st, "SELECT image_id FROM image_names WHERE name = ?", key, id, err);
	if (rc == 0)
		rc = first_id(st,
			      "SELECT image_id FROM image_digests WHERE repo_digest = ? "
			      "ORDER BY added DESC, rowid DESC LIMIT 1",
			      key, id, err);
	if (rc == 0)
		rc = by_prefix(st, key, id, err);
	return rc;
}

int store_image_get(struct store *st, const char *key, struct store_image_info *out,
		    struct rcr_error **err)
{
	char id[STORE_ID_LEN + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	if (key == NULL || key[0] == '\0')
		return 0;
	if (db_begin_read(st, err) < 0)
		return -1;
	rc = resolve(st, key, id, err);
	if (rc == 1)
		rc = fill_info(st, id, out, err);
	db_rollback(st);
	return rc;
}

int store_image_list(struct store *st, struct store_image_info **out, size_t *n,
		     struct rcr_error **err)
{
	struct store_image_info *v = NULL;
	struct strlist ids = {0};
	size_t count = 0;
	int rc = -1;

	*out = NULL;
	*n = 0;
	if (db_begin_read(st, err) < 0)
		return -1;
	/* strings_of binds one parameter: a dummy one here. */
	if (strings_of(st,
		       "SELECT id FROM images WHERE ?1 IS NOT NULL "
		       "ORDER BY added DESC, created DESC, rowid DESC",
		       "", &ids.v, &ids.n, NULL, err) < 0)
		goto out;
	v = calloc(ids.n + 1, sizeof(*v));
	if (v == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	for (; count < ids.n; count++)
		if (fill_info(st, ids.v[count], &v[count], err) < 0)
			goto out;
	*out = steal_ptr(&v);
	*n = count;
	rc = 0;
out:
	db_rollback(st);
	store_image_info_free(v, count);
	strlist_release(&ids);
	return rc;
}

int store_image_read(struct store *st, const char *id_in, const char *what, char **data,
		     size_t *len, struct rcr_error **err)
{
	_cleanup_free_ char *dir = NULL, *path = NULL;
	char id[STORE_ID_LEN + 1];

	*data = NULL;
	if (len != NULL)
		*len = 0;
	if (normalize_or_fail(id_in, id, err) < 0)
		return -1;
	if (what == NULL || (strcmp(what, "manifest") != 0 && strcmp(what, "config") != 0)) {
		rcr_error_set(err, EINVAL, "an image has no file '%s'", what ? what : "(null)");
		return -1;
	}
	dir = store_image_dir(st, id);
	path = dir ? fs_path_join(dir, what) : NULL;
	if (path == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	*data = fs_read_file(path, IMAGE_FILE_MAX, len, err);
	if (*data == NULL) {
		rcr_error_wrap(err, "reading the %s of image %s", what, id);
		return -1;
	}
	return 0;
}

/* ---- deletion ------------------------------------------------------------------------------- */

int store_image_rows_delete(struct store *st, const char *id, struct strlist *candidates,
			    struct rcr_error **err)
{
	char **layers = NULL;
	size_t n = 0;
	int rc = 0;

	if (strings_of(st, "SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY idx", id,
		       &layers, &n, NULL, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!strlist_has(candidates, layers[i]) &&
		    strlist_push(candidates, layers[i]) < 0) {
			rcr_error_set(err, ENOMEM, "out of memory");
			rc = -1;
		}
	strv_free(layers);
	if (rc < 0)
		return -1;
	/* Explicitly, in the order the references go, though the foreign keys would cascade. */
	if (db_exec(st, err, "deleting an image's names",
		    "DELETE FROM image_names WHERE image_id = ?", "s", id) < 0 ||
	    db_exec(st, err, "deleting an image's digests",
		    "DELETE FROM image_digests WHERE image_id = ?", "s", id) < 0 ||
	    db_exec(st, err, "deleting an image's layer list",
		    "DELETE FROM image_layers WHERE image_id = ?", "s", id) < 0 ||
	    db_exec(st, err, "deleting an image", "DELETE FROM images WHERE id = ?", "s", id) < 0)
		return -1;
	return 0;
}

/* Refuse (EBUSY, *in_use set) when a container uses image id, with Podman's message, which
 * cmd/rmi shows as it is. Checked inside the write transaction that deletes the rows, so no
 * container can be created from the image in between (store_container_create looks for the
 * image in its own write transaction). */
static int refuse_if_used(struct store *st, const char *id, bool *in_use, struct rcr_error **err)
{
	char ctr[65];
	int rc = store_image_first_container(st, id, ctr, err);

	if (rc == 1) {
		*in_use = true;
		rcr_error_set(err, EBUSY,
			      "image used by %s: image is in use by a container: consider listing "
			      "external containers and force-removing image",
			      ctr);
	}
	return rc == 0 ? 0 : -1;
}

/* Rows, in one transaction: the image's, then its layers that nothing uses any more. */
static int delete_rows(struct store *st, const char *id, struct strlist *gone, bool *in_use,
		       struct rcr_error **err)
{
	struct strlist candidates = {0};

	if (db_begin_write(st, err) < 0)
		return -1;
	if (require_image(st, id, err) < 0 || refuse_if_used(st, id, in_use, err) < 0 ||
	    store_image_rows_delete(st, id, &candidates, err) < 0 ||
	    store_layers_rows_gc(st, &candidates, gone, err) < 0) {
		db_rollback(st);
		strlist_release(&candidates);
		return -1;
	}
	strlist_release(&candidates);
	return db_commit(st, err);
}

int store_image_delete(struct store *st, const char *id_in, struct rcr_error **err)
{
	struct store_trash trash = {.st = st};
	_cleanup_error_ struct rcr_error *late = NULL;
	_cleanup_free_ char *dir = NULL;
	struct store_lock *lk = NULL;
	struct strlist gone = {0};
	char id[STORE_ID_LEN + 1];
	bool in_use = false;
	int rc = -1;

	if (normalize_or_fail(id_in, id, err) < 0)
		return -1;
	/* Under the commit lock, so that no pull decides to reuse a layer we are deleting
	 * between our rows and our renames. */
	if (store_commit_lock(st, &lk, err) < 0)
		goto out;
	if (delete_rows(st, id, &gone, &in_use, err) < 0)
		goto out;
	rc = 0;
	/* The rows are gone, which is what the caller asked for; content that cannot move now
	 * is an orphan that the next store_open removes. */
	dir = store_image_dir(st, id);
	if (dir == NULL || store_trash_move(&trash, dir, &late) < 0)
		goto late;
	for (size_t i = 0; i < gone.n; i++) {
		_cleanup_free_ char *ldir = store_layer_dir(st, gone.v[i]);

		if (ldir == NULL || store_trash_move(&trash, ldir, &late) < 0)
			goto late;
	}
	goto out;
late:
	rcr_warn("removing the files of image %s: %s", id, late ? late->msg : "out of memory");
out:
	store_lock_release(lk);
	store_trash_empty(&trash);
	strlist_release(&gone);
	/* The in-use refusal is Podman's whole message already. */
	if (rc < 0 && !in_use)
		rcr_error_wrap(err, "deleting image %s", id);
	return rc;
}
