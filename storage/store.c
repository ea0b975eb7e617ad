/* Opening and closing the store, its commit lock, the locked entries under tmp/, and the
 * recovery that every store_open runs: tmp/ entries no process holds are a killed call's debris,
 * and layers/, images/, containers/ or volumes/ directories without a row are content whose
 * commit never happened.
 *
 * Recovery must never remove anything another call may still use: a tmp/ entry goes only while
 * this process holds its flock, and content directories only under the commit lock, which every
 * commit holds from the rename into place to the row's commit. A failed cleanup is a warning,
 * never a reason not to open the store: the next call tries again.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/log.h"
#include "storage/db.h"
#include "storage/internal.h"
#include "storage/store.h"

/* ---- small shared helpers ---------------------------------------------------------------- */

int strlist_push(struct strlist *l, const char *s)
{
	char *copy;

	if (l->n + 1 >= l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	copy = strdup(s);
	if (copy == NULL)
		return -1;
	l->v[l->n++] = copy;
	l->v[l->n] = NULL;
	return 0;
}

bool strlist_has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool store_is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[i] == '\0';
}

bool store_id_normalize(const char *in, char out[STORE_ID_LEN + 1])
{
	if (in == NULL)
		return false;
	if (strncmp(in, "sha256:", 7) == 0)
		in += 7;
	if (!store_is_hex64(in))
		return false;
	snprintf(out, STORE_ID_LEN + 1, "sha256:%s", in);
	return true;
}

char *store_layer_dir(const struct store *st, const char *chain_id)
{
	char id[STORE_ID_LEN + 1];

	if (!store_id_normalize(chain_id, id))
		return NULL;
	return fs_path_join(st->layers, store_id_hex(id));
}

char *store_image_dir(const struct store *st, const char *image_id)
{
	char id[STORE_ID_LEN + 1];

	if (!store_id_normalize(image_id, id))
		return NULL;
	return fs_path_join(st->images, store_id_hex(id));
}

const char *store_root(const struct store *st)
{
	return st->root;
}

const char *store_tmp_dir(const struct store *st)
{
	return st->tmp;
}

/* ---- the commit lock ------------------------------------------------------------------------ */

/* The lock is an flock on this handle's own open of store.lock, so two handles (or two
 * processes) exclude each other; lock_depth lets code that already holds it through this handle
 * (store_image_delete called by a caller that took it) take it again without deadlocking. */
static int take_lock(struct store *st, bool wait, struct store_lock **out, struct rcr_error **err)
{
	struct store_lock *lk = calloc(1, sizeof(*lk));

	*out = NULL;
	if (lk == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (st->lock_depth == 0) {
		int rc;

		while ((rc = flock(st->lock_fd, wait ? LOCK_EX : LOCK_EX | LOCK_NB)) < 0 &&
		       errno == EINTR)
			;
		if (rc < 0) {
			int e = errno;

			free(lk);
			if (!wait && e == EWOULDBLOCK)
				return 0;
			rcr_error_set_errno(err, e, "locking '%s/store.lock'", st->root);
			return -1;
		}
	}
	st->lock_depth++;
	lk->st = st;
	*out = lk;
	return 1;
}

int store_commit_lock(struct store *st, struct store_lock **out, struct rcr_error **err)
{
	return take_lock(st, true, out, err) < 0 ? -1 : 0;
}

int store_commit_trylock(struct store *st, struct store_lock **out, struct rcr_error **err)
{
	return take_lock(st, false, out, err);
}

void store_lock_release(struct store_lock *lk)
{
	if (lk == NULL)
		return;
	if (--lk->st->lock_depth == 0)
		flock(lk->st->lock_fd, LOCK_UN);
	free(lk);
}

/* ---- tmp/ entries --------------------------------------------------------------------------- */

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* One attempt: 1 made and locked, 0 lost a race with a recovery (try another name), -1 error. */
static int entry_try(struct store_staging *s, struct rcr_error **err)
{
	struct stat a, b;

	if (mkdtemp(s->dir) == NULL) {
		rcr_error_set_errno(err, errno, "creating a temporary directory in '%s'",
				    s->st->tmp);
		return -1;
	}
	/* Between mkdtemp and the flock the entry is unlocked, and another call's recovery may
	 * take it for debris: it then holds the lock while removing it, or has removed it. Only
	 * an entry that is locked by us and still at its path is ours. */
	s->fd = open(s->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->fd < 0) {
		if (errno == ENOENT)
			return 0;
		rcr_error_set_errno(err, errno, "opening '%s'", s->dir);
		return -1;
	}
	if (flock(s->fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK)
			return 0;
		rcr_error_set_errno(err, errno, "locking '%s'", s->dir);
		return -1;
	}
	if (fstat(s->fd, &a) < 0 || lstat(s->dir, &b) < 0 || !same_file(&a, &b))
		return 0;
	return 1;
}

void store_entry_forget(struct store_staging *s)
{
	if (s == NULL)
		return;
	if (s->fd >= 0)
		close(s->fd);
	free(s->dir);
	free(s->path);
	free(s);
}

int store_entry_new(struct store *st, const char *prefix, const char *leaf,
		    struct store_staging **out, struct rcr_error **err)
{
	*out = NULL;
	if (prefix == NULL || prefix[0] == '\0' || strchr(prefix, '/') != NULL ||
	    strlen(prefix) > 64) {
		rcr_error_set(err, EINVAL, "invalid temporary entry prefix '%s'",
			      prefix ? prefix : "(null)");
		return -1;
	}
	for (int attempt = 0; attempt < 100; attempt++) {
		struct store_staging *s = calloc(1, sizeof(*s));
		int rc;

		if (s == NULL || asprintf(&s->dir, "%s/%s-XXXXXX", st->tmp, prefix) < 0) {
			if (s != NULL)
				s->dir = NULL;
			store_entry_forget(s);
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		s->st = st;
		s->fd = -1;
		rc = entry_try(s, err);
		if (rc == 1) {
			s->path = fs_path_join(s->dir, leaf);
			if (s->path == NULL) {
				rmdir(s->dir);
				store_entry_forget(s);
				rcr_error_set(err, ENOMEM, "out of memory");
				return -1;
			}
			*out = s;
			return 0;
		}
		store_entry_forget(s);
		if (rc < 0)
			return -1;
	}
	rcr_error_set(err, EAGAIN, "creating a temporary entry in '%s': lost too many races",
		      st->tmp);
	return -1;
}

int store_tmp_new(struct store *st, const char *prefix, struct store_staging **out,
		  struct rcr_error **err)
{
	return store_entry_new(st, prefix, prefix, out, err);
}

const char *store_staging_path(const struct store_staging *s)
{
	return s->path;
}

void store_tmp_release(struct store_staging *s)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	if (s == NULL)
		return;
	/* Removed while still locked, so no recovery races us; if removal fails the entry stays
	 * as debris for the next store_open. */
	if (store_remove_tree(s->st, s->dir, &err) < 0)
		rcr_warn("removing temporary '%s': %s", s->dir, err->msg);
	store_entry_forget(s);
}

int store_tmp_entry_unheld(struct store *st, const char *name, int *fd_out)
{
	_cleanup_free_ char *path = fs_path_join(st->tmp, name);
	_cleanup_close_ int fd = -1;
	struct stat a, b;

	*fd_out = -1;
	if (path == NULL || lstat(path, &b) < 0)
		return path == NULL ? -1 : 0;
	/* We only ever make directories here; anything that cannot hold a lock (a symlink, a
	 * fifo...) is debris as it is, and is never opened. */
	if (!S_ISDIR(b.st_mode) && !S_ISREG(b.st_mode))
		return 1;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	/* An entry of ours left unreadable (chmod 0) is made readable to be locked; one that
	 * still cannot be opened (someone else's) is left alone. */
	if (fd < 0 && errno == EACCES && chmod(path, (b.st_mode & 07777) | S_IRUSR | S_IXUSR) == 0)
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? 0 : -1;
	/* Locked: make sure it is still the entry we listed (not renamed away by its owner
	 * before it let go). */
	if (fstat(fd, &a) < 0 || lstat(path, &b) < 0 || !same_file(&a, &b))
		return 0;
	*fd_out = steal_fd(&fd);
	return 1;
}

int store_entry_install(struct store_staging *s, const char *dest, struct store_trash *trash,
			struct rcr_error **err)
{
	if (rename(s->dir, dest) == 0)
		return 0;
	if (errno == EEXIST || errno == ENOTEMPTY) {
		if (store_trash_move(trash, dest, err) < 0)
			return -1;
		if (rename(s->dir, dest) == 0)
			return 0;
	}
	rcr_error_set_errno(err, errno, "moving '%s' to '%s'", s->dir, dest);
	return -1;
}

int store_entry_commit_row(struct store_staging *s, const char *dest, const char *parent,
			   store_insert_fn insert, void *arg, bool *taken, struct rcr_error **err)
{
	struct store *st = s->st;
	struct store_trash trash = {.st = st};
	struct store_lock *lk = NULL;
	bool moved = false;
	int rc = -1;

	if (store_commit_lock(st, &lk, err) < 0 || db_begin_write(st, err) < 0)
		goto out;
	if (insert(st, arg, taken, err) < 0 || store_entry_install(s, dest, &trash, err) < 0) {
		db_rollback(st);
		goto out;
	}
	moved = true;
	if (store_fsync_dir(parent, err) < 0 || db_commit(st, err) < 0) {
		struct rcr_error *e2 = NULL;

		db_rollback(st);
		if (store_trash_move(&trash, dest, &e2) < 0)
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
	return rc;
}

int store_fsync_dir(const char *path, struct rcr_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0 || fsync(fd) < 0) {
		rcr_error_set_errno(err, errno, "syncing '%s'", path);
		return -1;
	}
	return 0;
}

/* ---- recovery ------------------------------------------------------------------------------- */

static void clean_tmp(struct store *st)
{
	_cleanup_closedir_ DIR *d = opendir(st->tmp);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		_cleanup_error_ struct rcr_error *err = NULL;
		_cleanup_free_ char *path = NULL;
		_cleanup_close_ int fd = -1;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (store_tmp_entry_unheld(st, e->d_name, &fd) != 1)
			continue;
		path = fs_path_join(st->tmp, e->d_name);
		rcr_debug("removing '%s', left by a call that did not finish", path ? path : "");
		if (path != NULL && store_remove_tree(st, path, &err) < 0)
			rcr_warn("removing debris '%s': %s", path, err->msg);
	}
}

/* Is there a row for the directory named name in layers/ (table "layers"), images/ or
 * containers/? Container ids are stored as bare hex, the others with "sha256:". */
/* The content names (64 hex) that table has rows for, sorted: one query per scan instead of one
 * per directory entry (store_open scans at every call). Scans run under the commit lock, so no
 * row can appear between this query and the directory walk. */
struct name_set {
	char (*v)[65];
	size_t n;
};

static int cmp_name(const void *a, const void *b)
{
	return strcmp(a, b);
}

static int load_names(struct store *st, const char *table, struct name_set *out,
		      struct rcr_error **err)
{
	const char *sql = strcmp(table, "layers") == 0	     ? "SELECT chain_id FROM layers"
			  : strcmp(table, "containers") == 0 ? "SELECT id FROM containers"
							     : "SELECT id FROM images";
	_cleanup_stmt_ sqlite3_stmt *s = db_stmt(st, err, "listing stored names", sql, NULL);
	size_t cap = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, "listing stored names", err)) == 1) {
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (name != NULL && strncmp(name, "sha256:", 7) == 0)
			name += 7;
		if (name == NULL || !store_is_hex64(name))
			continue;
		if (out->n == cap) {
			void *nv = realloc(out->v, (cap = cap ? cap * 2 : 64) * sizeof(*out->v));

			if (nv == NULL) {
				rcr_error_set(err, ENOMEM, "out of memory");
				return -1;
			}
			out->v = nv;
		}
		snprintf(out->v[out->n++], 65, "%s", name);
	}
	if (rc < 0)
		return -1;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), cmp_name);
	return 0;
}

static bool has_name(const struct name_set *set, const char *name)
{
	return store_is_hex64(name) && set->n > 0 &&
	       bsearch(name, set->v, set->n, sizeof(*set->v), cmp_name) != NULL;
}

static const char *table_dir(const struct store *st, const char *table)
{
	if (strcmp(table, "layers") == 0)
		return st->layers;
	return strcmp(table, "containers") == 0 ? st->containers : st->images;
}

int store_orphans_in_dir(const char *dir, store_known_fn known, const void *set,
			 struct store_trash *trash, struct strlist *found, struct rcr_error **err)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL) {
		rcr_error_set_errno(err, errno, "reading '%s'", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		_cleanup_free_ char *path = NULL;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    known(set, e->d_name))
			continue;
		path = fs_path_join(dir, e->d_name);
		if (path == NULL || (found != NULL && strlist_push(found, path) < 0)) {
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		if (trash != NULL && store_trash_move(trash, path, err) < 0)
			return -1;
	}
	return 0;
}

static bool known_id(const void *set, const char *name)
{
	return has_name(set, name);
}

int store_orphans_scan(struct store *st, const char *table, struct store_trash *trash,
		       struct strlist *found, struct rcr_error **err)
{
	struct name_set rows = {0};
	int rc;

	if (strcmp(table, "volumes") == 0)
		return store_volume_orphans_scan(st, trash, found, err);
	if (load_names(st, table, &rows, err) < 0)
		return -1;
	rc = store_orphans_in_dir(table_dir(st, table), known_id, &rows, trash, found, err);
	free(rows.v);
	return rc;
}

static void clean_orphans(struct store *st)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_trash trash = {.st = st};
	struct store_lock *lk = NULL;

	/* Busy means another call is committing or deleting: it is alive, so whatever it left
	 * is not debris yet; some later call will look. */
	if (store_commit_trylock(st, &lk, &err) != 1) {
		if (err != NULL)
			rcr_warn("%s", err->msg);
		return;
	}
	if (store_orphans_scan(st, "layers", &trash, NULL, &err) < 0 ||
	    store_orphans_scan(st, "images", &trash, NULL, &err) < 0 ||
	    store_orphans_scan(st, "containers", &trash, NULL, &err) < 0 ||
	    store_orphans_scan(st, "volumes", &trash, NULL, &err) < 0)
		rcr_warn("removing content without a record: %s", err->msg);
	store_lock_release(lk);
	store_trash_empty(&trash);
}

/* ---- open and close ------------------------------------------------------------------------- */

static int make_layout(struct store *st, struct rcr_error **err)
{
	_cleanup_free_ char *lock = fs_path_join(st->root, "store.lock");

	if (lock == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (fs_mkdir_p(st->root, 0700, err) < 0 || fs_mkdir_p(st->layers, 0700, err) < 0 ||
	    fs_mkdir_p(st->images, 0700, err) < 0 || fs_mkdir_p(st->containers, 0700, err) < 0 ||
	    fs_mkdir_p(st->volumes, 0700, err) < 0 || fs_mkdir_p(st->tmp, 0700, err) < 0)
		return -1;
	st->lock_fd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (st->lock_fd < 0) {
		rcr_error_set_errno(err, errno, "opening '%s'", lock);
		return -1;
	}
	return 0;
}

int store_open(const char *root, const struct userns_user_maps *maps, struct store **out,
	       struct rcr_error **err)
{
	struct store *st = calloc(1, sizeof(*st));

	*out = NULL;
	if (st == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	st->lock_fd = -1;
	st->maps = maps;
	st->root = strdup(root);
	st->tmp = fs_path_join(root, "tmp");
	st->layers = fs_path_join(root, "layers");
	st->images = fs_path_join(root, "images");
	st->containers = fs_path_join(root, "containers");
	st->volumes = fs_path_join(root, "volumes");
	st->db_path = fs_path_join(root, "rcr.db");
	if (st->root == NULL || st->tmp == NULL || st->layers == NULL || st->images == NULL ||
	    st->containers == NULL || st->volumes == NULL || st->db_path == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto fail;
	}
	if (make_layout(st, err) < 0 || db_open(st->db_path, &st->db, err) < 0)
		goto fail;
	clean_tmp(st);
	clean_orphans(st);
	*out = st;
	return 0;
fail:
	rcr_error_wrap(err, "opening the store at '%s'", root);
	store_close(st);
	return -1;
}

void store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->db != NULL)
		sqlite3_close_v2(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	free(st->root);
	free(st->tmp);
	free(st->layers);
	free(st->images);
	free(st->containers);
	free(st->volumes);
	free(st->db_path);
	free(st);
}
