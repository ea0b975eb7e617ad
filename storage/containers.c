/* Containers: recording one (its row and its directory containers/<id>/{upper,work,userdata}),
 * lookups by name, id or id prefix, listing, state, name and config changes, and deletion.
 *
 * A container row must never exist without its directory, and a directory in containers/ without
 * a row is debris: the directory is made under tmp/ and renamed into place under the commit lock,
 * inside the write transaction that inserts the row, so a store_open recovering debris (which
 * takes the commit lock) never sees it between the rename and the commit. Rows are deleted
 * before their directory, which leaves through the trash and is removed in the user namespace
 * (upper/ and work/ hold files of the container's mapped ids). The volumes a container uses are
 * recorded in its creating transaction and go with its row (ON DELETE CASCADE). Names are unique:
 * looked up and written in one IMMEDIATE transaction, with the UNIQUE constraint behind. The config
 * JSON is the CLI's: this file never parses it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/log.h"
#include "storage/db.h"
#include "storage/internal.h"
#include "storage/store.h"

#define CTR_COLUMNS "id, name, image_id, image_name, command, created, state, config"

/* ---- small helpers -------------------------------------------------------------------------- */

void store_container_release(struct store_container *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c->name);
	free(c->image_id);
	free(c->image_name);
	free(c->command);
	free(c->state);
	free(c->config);
	memset(c, 0, sizeof(*c));
}

void store_container_free(struct store_container *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		store_container_release(&v[i]);
	free(v);
}

char *store_container_dir(const struct store *st, const char *id)
{
	if (id == NULL || !store_is_hex64(id))
		return NULL;
	return fs_path_join(st->containers, id);
}

static int require_id(const char *id, struct rcr_error **err)
{
	if (id != NULL && store_is_hex64(id))
		return 0;
	rcr_error_set(err, EINVAL, "invalid container id '%s': want 64 lowercase hex digits",
		      id ? id : "(null)");
	return -1;
}

/* Podman's rule for names (libpod's NameRegex), with its message. */
static int require_name(const char *name, struct rcr_error **err)
{
	const char *first = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

	if (name != NULL && name[0] != '\0' && strchr(first, name[0]) != NULL &&
	    strspn(name + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		    strlen(name + 1))
		return 0;
	rcr_error_set(err, EINVAL,
		      "container name '%s' is invalid: names must match "
		      "[a-zA-Z0-9][a-zA-Z0-9_.-]*",
		      name ? name : "(null)");
	return -1;
}

/* 1 when sql (one text parameter) returns a row, 0 when not, -1. */
static int row_exists(struct store *st, const char *what, const char *sql, const char *key,
		      struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = db_stmt(st, err, what, sql, "s", key);

	return s ? db_step(st, s, what, err) : -1;
}

static int container_exists(struct store *st, const char *id, struct rcr_error **err)
{
	return row_exists(st, "looking up a container", "SELECT 1 FROM containers WHERE id = ?", id,
			  err);
}

/* The first column of the first row of sql (one text parameter) into out (65 bytes): 1, 0, -1. */
static int first_id(struct store *st, const char *what, const char *sql, const char *key,
		    char out[65], struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = db_stmt(st, err, what, sql, "s", key);
	int rc;

	if (s == NULL || (rc = db_step(st, s, what, err)) < 0)
		return -1;
	if (rc == 1)
		snprintf(out, 65, "%s", db_text(s, 0) ? db_text(s, 0) : "");
	return rc;
}

/* Inside a write transaction: is name free for container self (NULL: a new one)? 0 free, 1 it
 * is self's already, -1 taken (EEXIST with Podman's message, *taken set) or error. */
static int name_free(struct store *st, const char *name, const char *self, bool *taken,
		     struct rcr_error **err)
{
	char owner[65];
	int rc = first_id(st, "looking up a container name",
			  "SELECT id FROM containers WHERE name = ?", name, owner, err);

	if (rc <= 0)
		return rc;
	if (self != NULL && strcmp(owner, self) == 0)
		return 1;
	*taken = true;
	rcr_error_set(err, EEXIST,
		      "the container name \"%s\" is already in use by %s. You have to remove that "
		      "container to be able to reuse that name: that name is already in use",
		      name, owner);
	return -1;
}

int store_image_first_container(struct store *st, const char *image_id, char ctr[65],
				struct rcr_error **err)
{
	return first_id(st, "looking for containers of an image",
			"SELECT id FROM containers WHERE image_id = ? "
			"ORDER BY created, rowid LIMIT 1",
			image_id, ctr, err);
}

/* ---- ids ------------------------------------------------------------------------------------ */

char *store_container_new_id(struct store *st, struct rcr_error **err)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned char raw[32];
		char id[65];
		ssize_t got;
		int rc;

		/* Up to 256 bytes come whole once the pool is ready; EINTR only before. */
		while ((got = getrandom(raw, sizeof(raw), 0)) < 0 && errno == EINTR)
			;
		if (got != (ssize_t)sizeof(raw)) {
			rcr_error_set_errno(err, got < 0 ? errno : EIO,
					    "generating a container id");
			return NULL;
		}
		for (size_t i = 0; i < sizeof(raw); i++)
			snprintf(id + 2 * i, 3, "%02x", raw[i]);
		/* As Docker's stringid: a short (12-digit) id of decimal digits only would be
		 * read as a number by some tools. */
		if (strspn(id, "0123456789") >= 12)
			continue;
		rc = container_exists(st, id, err);
		if (rc < 0)
			return NULL;
		if (rc == 0) {
			char *copy = strdup(id);

			if (copy == NULL)
				rcr_error_set(err, ENOMEM, "out of memory");
			return copy;
		}
	}
	rcr_error_set(err, EAGAIN, "generating a container id: every try was taken");
	return NULL;
}

/* ---- creating ------------------------------------------------------------------------------- */

static int check_container(const struct store_container *c, char image[STORE_ID_LEN + 1],
			   struct rcr_error **err)
{
	if (require_id(c->id, err) < 0 || require_name(c->name, err) < 0)
		return -1;
	if (!store_id_normalize(c->image_id, image)) {
		rcr_error_set(err, EINVAL, "invalid image id '%s'",
			      c->image_id ? c->image_id : "(null)");
		return -1;
	}
	if (c->state == NULL || c->state[0] == '\0' || c->config == NULL) {
		rcr_error_set(err, EINVAL, "container %s has no %s", c->id,
			      c->config == NULL ? "config" : "state");
		return -1;
	}
	return 0;
}

/* upper/ is the root directory of the container's file system, as overlay shows it: 0755, made
 * exact with chmod whatever the umask. The rest is the store's own business. */
static int make_subdirs(struct store_staging *s, struct rcr_error **err)
{
	static const struct {
		const char *name;
		mode_t mode;
	} subdirs[] = {{"upper", 0755}, {"work", 0700}, {"userdata", 0700}};

	for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
		_cleanup_free_ char *path = fs_path_join(s->dir, subdirs[i].name);

		if (path == NULL) {
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		if (mkdir(path, 0700) < 0 || chmod(path, subdirs[i].mode) < 0) {
			rcr_error_set_errno(err, errno, "creating '%s'", path);
			return -1;
		}
	}
	return store_fsync_dir(s->dir, err);
}

/* Inside the write transaction: the id and name are free, the image stored; then the row. */
static int insert_row(struct store *st, const struct store_container *c, const char *image,
		      bool *taken, struct rcr_error **err)
{
	int rc = container_exists(st, c->id, err);

	if (rc != 0) {
		if (rc > 0)
			rcr_error_set(err, EEXIST, "container id %s is already in use", c->id);
		return -1;
	}
	if (name_free(st, c->name, NULL, taken, err) < 0)
		return -1;
	rc = row_exists(st, "looking up an image", "SELECT 1 FROM images WHERE id = ?", image, err);
	if (rc != 1) {
		if (rc == 0)
			rcr_error_set(err, ENOENT, "image %s is not stored", image);
		return -1;
	}
	if (db_exec(st, err, "recording a container",
		    "INSERT INTO containers (" CTR_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    "sssssiss", c->id, c->name, image, c->image_name, c->command, c->created,
		    c->state, c->config) < 0)
		return -1;
	/* In the same transaction: a volume is never seen unused while its container exists. */
	return store_volume_uses_insert(st, c->id, c->volumes, c->n_volumes, err);
}

struct ctr_insert {
	const struct store_container *c;
	const char *image;
};

static int insert_cb(struct store *st, void *arg, bool *taken, struct rcr_error **err)
{
	const struct ctr_insert *a = arg;

	return insert_row(st, a->c, a->image, taken, err);
}

int store_container_create(struct store *st, const struct store_container *c,
			   struct rcr_error **err)
{
	struct store_staging *s = NULL;
	_cleanup_free_ char *dir = NULL;
	char image[STORE_ID_LEN + 1];
	struct ctr_insert a = {c, image};
	bool taken = false;
	int rc = -1;

	if (check_container(c, image, err) < 0)
		goto out;
	dir = store_container_dir(st, c->id);
	if (dir == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	/* The directory is made before any lock is taken: only the rename needs one. The row is
	 * committed with it, so nobody sees the directory as a container's before it is complete.
	 */
	if (store_entry_new(st, "ctr", "ctr", &s, err) < 0)
		goto out;
	if (make_subdirs(s, err) < 0) {
		store_tmp_release(s);
		goto out;
	}
	rc = store_entry_commit_row(s, dir, st->containers, insert_cb, &a, &taken, err);
out:
	/* A name in use is Podman's message as it is; the CLI adds its own context. */
	if (rc < 0 && !taken)
		rcr_error_wrap(err, "creating container '%s'", c->name ? c->name : "(null)");
	return rc;
}

/* ---- lookups -------------------------------------------------------------------------------- */

static char *dup_col(sqlite3_stmt *s, int col, bool *oom)
{
	const char *v = db_text(s, col);
	char *d = v ? strdup(v) : NULL;

	if (v != NULL && d == NULL)
		*oom = true;
	return d;
}

/* The current row of a "SELECT " CTR_COLUMNS statement into out. */
static int fill(sqlite3_stmt *s, struct store_container *out, struct rcr_error **err)
{
	bool oom = false;

	out->id = dup_col(s, 0, &oom);
	out->name = dup_col(s, 1, &oom);
	out->image_id = dup_col(s, 2, &oom);
	out->image_name = dup_col(s, 3, &oom);
	out->command = dup_col(s, 4, &oom);
	out->created = sqlite3_column_int64(s, 5);
	out->state = dup_col(s, 6, &oom);
	out->config = dup_col(s, 7, &oom);
	if (!oom)
		return 0;
	store_container_release(out);
	rcr_error_set(err, ENOMEM, "out of memory");
	return -1;
}

/* fill, as db_collect calls it */
static int fill_row(sqlite3_stmt *s, void *elem, struct rcr_error **err)
{
	return fill(s, elem, err);
}

/* A unique id prefix (lowercase hex, 1 to 64 digits) into id: 1, 0 when none, -1 when several
 * match (Podman's wording) or on error. */
static int by_prefix(struct store *st, const char *key, char id[65], struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "looking up a container id prefix";
	char pattern[80];
	size_t len = strlen(key);
	int rc, n = 0;

	if (len < 1 || len > 64 || strspn(key, "0123456789abcdef") != len)
		return 0;
	/* GLOB is case sensitive and anchored, and hex has no wildcard characters. */
	snprintf(pattern, sizeof(pattern), "%s*", key);
	s = db_stmt(st, err, what, "SELECT id FROM containers WHERE id GLOB ? LIMIT 2", "s",
		    pattern);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1)
		if (n++ == 0)
			snprintf(id, 65, "%s", db_text(s, 0));
	if (rc < 0)
		return -1;
	if (n <= 1)
		return n;
	rcr_error_set(err, EINVAL, "more than one result for container '%s': use a longer id", key);
	return -1;
}

int store_container_get(struct store *st, const char *key, struct store_container *out,
			struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "reading a container";
	char id[65];
	int rc;

	memset(out, 0, sizeof(*out));
	if (key == NULL || key[0] == '\0')
		return 0;
	if (db_begin_read(st, err) < 0)
		return -1;
	/* As Podman: an exact name first, then the id or a prefix of it (a full id is its own
	 * unique prefix). */
	rc = first_id(st, "looking up a container name", "SELECT id FROM containers WHERE name = ?",
		      key, id, err);
	if (rc == 0)
		rc = by_prefix(st, key, id, err);
	if (rc == 1) {
		s = db_stmt(st, err, what, "SELECT " CTR_COLUMNS " FROM containers WHERE id = ?",
			    "s", id);
		rc = s ? db_step(st, s, what, err) : -1;
		if (rc == 1 && fill(s, out, err) < 0)
			rc = -1;
	}
	db_rollback(st);
	return rc;
}

int store_container_list(struct store *st, struct store_container **out, size_t *n,
			 struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing containers";
	struct store_container *v = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	s = db_stmt(st, err, what,
		    /* rowid order is creation order, and reading the table backwards needs no
		     * sort of its wide rows (the configs) */
		    "SELECT " CTR_COLUMNS " FROM containers ORDER BY rowid DESC", NULL);
	if (s == NULL)
		return -1;
	rc = db_collect(st, s, what, sizeof(*v), fill_row, (void **)&v, &count, err);
	if (rc < 0) {
		store_container_free(v, count);
		return -1;
	}
	*out = v;
	*n = count;
	return 0;
}

int store_image_containers(struct store *st, const char *image_id, char ***ids,
			   struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "looking for containers of an image";
	char image[STORE_ID_LEN + 1];
	struct strlist l = {0};
	int rc;

	*ids = NULL;
	if (!store_id_normalize(image_id, image)) {
		rcr_error_set(err, EINVAL, "invalid image id '%s'", image_id ? image_id : "(null)");
		return -1;
	}
	s = db_stmt(st, err, what,
		    "SELECT id FROM containers WHERE image_id = ? ORDER BY created, rowid", "s",
		    image);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1)
		if (strlist_push(&l, db_text(s, 0)) < 0) {
			rcr_error_set(err, ENOMEM, "out of memory");
			rc = -1;
			break;
		}
	/* Empty is an empty list, not NULL: callers iterate without a check. */
	if (rc == 0 && l.v == NULL && (l.v = calloc(1, sizeof(*l.v))) == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		rc = -1;
	}
	if (rc < 0) {
		strlist_release(&l);
		return -1;
	}
	*ids = l.v;
	return 0;
}

/* ---- changes -------------------------------------------------------------------------------- */

/* One UPDATE of container id's column (state or config) to value. */
static int set_column(struct store *st, const char *id, const char *sql, const char *value,
		      const char *what, struct rcr_error **err)
{
	if (require_id(id, err) < 0)
		return -1;
	if (value == NULL) {
		rcr_error_set(err, EINVAL, "%s of container %s: no value", what, id);
		return -1;
	}
	if (db_exec(st, err, what, sql, "ss", value, id) < 0)
		return -1;
	if (sqlite3_changes(st->db) == 0) {
		rcr_error_set(err, ENOENT,
			      "no container with ID %s found in database: no such container", id);
		return -1;
	}
	return 0;
}

int store_container_set_state(struct store *st, const char *id, const char *state,
			      struct rcr_error **err)
{
	if (state != NULL && state[0] == '\0') {
		rcr_error_set(err, EINVAL, "setting the state of container %s: empty state", id);
		return -1;
	}
	return set_column(st, id, "UPDATE containers SET state = ? WHERE id = ?", state,
			  "setting the state", err);
}

int store_container_set_config(struct store *st, const char *id, const char *config,
			       struct rcr_error **err)
{
	return set_column(st, id, "UPDATE containers SET config = ? WHERE id = ?", config,
			  "setting the config", err);
}

int store_container_rename(struct store *st, const char *id, const char *name,
			   struct rcr_error **err)
{
	bool taken = false;
	int rc;

	if (require_id(id, err) < 0 || require_name(name, err) < 0)
		return -1;
	if (db_begin_write(st, err) < 0)
		return -1;
	rc = container_exists(st, id, err);
	if (rc == 0)
		rcr_error_set(err, ENOENT,
			      "no container with ID %s found in database: no such "
			      "container",
			      id);
	if (rc != 1 || (rc = name_free(st, name, id, &taken, err)) < 0)
		goto fail;
	if (rc == 0 && db_exec(st, err, "renaming a container",
			       "UPDATE containers SET name = ? WHERE id = ?", "ss", name, id) < 0)
		goto fail;
	return db_commit(st, err);
fail:
	db_rollback(st);
	return -1;
}

/* ---- deletion ------------------------------------------------------------------------------- */

int store_container_delete(struct store *st, const char *id, struct rcr_error **err)
{
	struct store_trash trash = {.st = st};
	_cleanup_error_ struct rcr_error *late = NULL;
	_cleanup_free_ char *dir = NULL;
	struct store_lock *lk = NULL;
	int rc = -1;

	if (require_id(id, err) < 0)
		return -1;
	dir = store_container_dir(st, id);
	if (dir == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	/* Under the commit lock, as every removal of content: a directory without a row is then
	 * ours to move, whether we just deleted the row or a killed delete did. */
	if (store_commit_lock(st, &lk, err) < 0)
		goto out;
	if (db_exec(st, err, "deleting a container", "DELETE FROM containers WHERE id = ?", "s",
		    id) < 0)
		goto out;
	rc = 0;
	/* The row is gone, which is what the caller asked for; a directory that cannot move now
	 * is an orphan that the next store_open removes. */
	if (store_trash_move(&trash, dir, &late) < 0)
		rcr_warn("removing the directory of container %s: %s", id, late->msg);
out:
	store_lock_release(lk);
	/* Outside the lock: upper/ may hold a lot, removed in the user namespace. */
	store_trash_empty(&trash);
	if (rc < 0)
		rcr_error_wrap(err, "deleting container %s", id);
	return rc;
}
