/* Volumes (store.h): a row in volumes and the directory volumes/<name>/{_data,copy-up}, made and
 * removed together; which container uses which (container_volumes, written in the container's
 * own creating transaction); and the recovery of volume directories without a row.
 *
 * A volume row must never exist without its directory, and a directory in volumes/ without a
 * row is debris: as for containers, the directory is made under tmp/ and renamed into place
 * under the commit lock inside the write transaction that inserts the row, and rows are deleted
 * before their directory, which leaves through the trash and is removed in the user namespace.
 * A volume in use is never deleted: the check and the delete share one write transaction, and
 * the foreign key stands behind them. The copy-up marker is made here and only removed by the
 * runtime (or with the volume): this file never decides whether a volume is still fresh.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/log.h"
#include "storage/db.h"
#include "storage/internal.h"
#include "storage/store.h"

#define VOL_COLUMNS  "name, created, labels, options, anonymous, copy_up"
#define VOL_NAME_MAX 255

/* ---- small helpers -------------------------------------------------------------------------- */

void store_volume_release(struct store_volume *v)
{
	if (v == NULL)
		return;
	free(v->name);
	free(v->labels);
	free(v->options);
	memset(v, 0, sizeof(*v));
}

void store_volume_free(struct store_volume *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		store_volume_release(&v[i]);
	free(v);
}

void store_volume_use_free(struct store_volume_use *v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++) {
		free(v[i].volume);
		free(v[i].dest);
	}
	free(v);
}

bool store_volume_name_valid(const char *name)
{
	static const char alnum[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	size_t len = name ? strlen(name) : 0;

	return len > 0 && len <= VOL_NAME_MAX && strchr(alnum, name[0]) != NULL &&
	       strspn(name + 1,
		      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
		       len - 1;
}

static int require_name(const char *name, struct rcr_error **err)
{
	if (store_volume_name_valid(name))
		return 0;
	rcr_error_set(err, EINVAL,
		      "volume name '%s' is invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]* "
		      "(at most %d characters)",
		      name ? name : "(null)", VOL_NAME_MAX);
	return -1;
}

static char *under(const struct store *st, const char *name, const char *leaf)
{
	_cleanup_free_ char *dir = NULL;

	if (!store_volume_name_valid(name))
		return NULL;
	dir = fs_path_join(st->volumes, name);
	if (dir == NULL || leaf == NULL)
		return steal_ptr(&dir);
	return fs_path_join(dir, leaf);
}

char *store_volume_dir(const struct store *st, const char *name)
{
	return under(st, name, NULL);
}

char *store_volume_data_path(const struct store *st, const char *name)
{
	return under(st, name, "_data");
}

char *store_volume_marker_path(const struct store *st, const char *name)
{
	return under(st, name, "copy-up");
}

static int volume_exists(struct store *st, const char *name, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = db_stmt(st, err, "looking up a volume",
						 "SELECT 1 FROM volumes WHERE name = ?", "s", name);

	return s ? db_step(st, s, "looking up a volume", err) : -1;
}

static void no_such_volume(const char *name, struct rcr_error **err)
{
	rcr_error_set(err, ENOENT, "no volume with name \"%s\" found: no such volume", name);
}

/* ---- names ---------------------------------------------------------------------------------- */

char *store_volume_new_name(struct store *st, struct rcr_error **err)
{
	for (int attempt = 0; attempt < 16; attempt++) {
		unsigned char raw[32];
		char name[65];
		ssize_t got;
		int rc;

		while ((got = getrandom(raw, sizeof(raw), 0)) < 0 && errno == EINTR)
			;
		if (got != (ssize_t)sizeof(raw)) {
			rcr_error_set_errno(err, got < 0 ? errno : EIO, "generating a volume name");
			return NULL;
		}
		for (size_t i = 0; i < sizeof(raw); i++)
			snprintf(name + 2 * i, 3, "%02x", raw[i]);
		rc = volume_exists(st, name, err);
		if (rc < 0)
			return NULL;
		if (rc == 0) {
			char *copy = strdup(name);

			if (copy == NULL)
				rcr_error_set(err, ENOMEM, "out of memory");
			return copy;
		}
	}
	rcr_error_set(err, EAGAIN, "generating a volume name: every try was taken");
	return NULL;
}

/* ---- creating ------------------------------------------------------------------------------- */

/* _data (0755 whatever the umask: it is the root of what containers see) and the marker. */
static int make_content(struct store_staging *s, bool copy_up, struct rcr_error **err)
{
	_cleanup_free_ char *data = fs_path_join(s->dir, "_data");
	_cleanup_free_ char *marker = fs_path_join(s->dir, "copy-up");
	_cleanup_close_ int fd = -1;

	if (data == NULL || marker == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (mkdir(data, 0700) < 0 || chmod(data, 0755) < 0) {
		rcr_error_set_errno(err, errno, "creating '%s'", data);
		return -1;
	}
	if (copy_up) {
		fd = open(marker, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			rcr_error_set_errno(err, errno, "creating '%s'", marker);
			return -1;
		}
	}
	return store_fsync_dir(s->dir, err);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Inside the write transaction: the name is free; then the row. */
static int insert_row(struct store *st, const struct store_volume *v, bool *taken,
		      struct rcr_error **err)
{
	int rc = volume_exists(st, v->name, err);

	if (rc != 0) {
		if (rc > 0) {
			*taken = true;
			rcr_error_set(err, EEXIST,
				      "volume with name %s already exists: volume already exists",
				      v->name);
		}
		return -1;
	}
	return db_exec(st, err, "recording a volume",
		       "INSERT INTO volumes (" VOL_COLUMNS ") VALUES (?, ?, ?, ?, ?, ?)", "sissii",
		       v->name, v->created > 0 ? v->created : now_ns(),
		       v->labels ? v->labels : "{}", v->options ? v->options : "{}",
		       (long long)v->anonymous, (long long)v->copy_up);
}

static int insert_cb(struct store *st, void *arg, bool *taken, struct rcr_error **err)
{
	return insert_row(st, arg, taken, err);
}

int store_volume_create(struct store *st, const struct store_volume *v, struct rcr_error **err)
{
	struct store_staging *s = NULL;
	_cleanup_free_ char *dir = NULL;
	bool taken = false;
	int rc = -1;

	if (require_name(v->name, err) < 0)
		return -1;
	dir = store_volume_dir(st, v->name);
	if (dir == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	/* Made before any lock is taken: only the rename needs one. */
	if (store_entry_new(st, "vol", "vol", &s, err) < 0)
		goto out;
	if (make_content(s, v->copy_up, err) < 0) {
		store_tmp_release(s);
		goto out;
	}
	rc = store_entry_commit_row(s, dir, st->volumes, insert_cb, (void *)v, &taken, err);
out:
	if (rc < 0 && !taken)
		rcr_error_wrap(err, "creating volume '%s'", v->name);
	return rc;
}

/* ---- lookups -------------------------------------------------------------------------------- */

static char *dup_col(sqlite3_stmt *s, int col, bool *oom)
{
	const char *v = db_text(s, col);
	char *d = strdup(v ? v : "{}");

	if (d == NULL)
		*oom = true;
	return d;
}

static int fill(sqlite3_stmt *s, struct store_volume *out, struct rcr_error **err)
{
	bool oom = false;

	out->name = dup_col(s, 0, &oom);
	out->created = sqlite3_column_int64(s, 1);
	out->labels = dup_col(s, 2, &oom);
	out->options = dup_col(s, 3, &oom);
	out->anonymous = sqlite3_column_int64(s, 4) != 0;
	out->copy_up = sqlite3_column_int64(s, 5) != 0;
	if (!oom)
		return 0;
	store_volume_release(out);
	rcr_error_set(err, ENOMEM, "out of memory");
	return -1;
}

/* fill, as db_collect calls it */
static int fill_row(sqlite3_stmt *s, void *elem, struct rcr_error **err)
{
	return fill(s, elem, err);
}

int store_volume_get(struct store *st, const char *name, struct store_volume *out,
		     struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "reading a volume";
	int rc;

	memset(out, 0, sizeof(*out));
	if (!store_volume_name_valid(name))
		return 0;
	s = db_stmt(st, err, what, "SELECT " VOL_COLUMNS " FROM volumes WHERE name = ?", "s", name);
	if (s == NULL || (rc = db_step(st, s, what, err)) < 0)
		return -1;
	if (rc == 1 && fill(s, out, err) < 0)
		return -1;
	return rc;
}

int store_volume_list(struct store *st, struct store_volume **out, size_t *n,
		      struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing volumes";
	struct store_volume *v = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	s = db_stmt(st, err, what, "SELECT " VOL_COLUMNS " FROM volumes ORDER BY name", NULL);
	if (s == NULL)
		return -1;
	rc = db_collect(st, s, what, sizeof(*v), fill_row, (void **)&v, &count, err);
	if (rc < 0) {
		store_volume_free(v, count);
		return -1;
	}
	*out = v;
	*n = count;
	return 0;
}

/* Push the first column of each row of sql (one text parameter) on l, never NULL at the end. */
static int ids_of(struct store *st, const char *what, const char *sql, const char *key, char ***ids,
		  struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = db_stmt(st, err, what, sql, "s", key);
	struct strlist l = {0};
	int rc = s ? 0 : -1;

	*ids = NULL;
	while (rc == 0 && (rc = db_step(st, s, what, err)) == 1)
		rc = strlist_push(&l, db_text(s, 0)) < 0 ? -2 : 0;
	if (rc == 0 && l.v == NULL && (l.v = calloc(1, sizeof(*l.v))) == NULL)
		rc = -2;
	if (rc == -2)
		rcr_error_set(err, ENOMEM, "out of memory");
	if (rc < 0) {
		strlist_release(&l);
		return -1;
	}
	*ids = l.v;
	return 0;
}

#define USERS_SQL                                                                                  \
	"SELECT c.id FROM containers c WHERE c.id IN "                                             \
	"(SELECT container_id FROM container_volumes WHERE volume = ?) ORDER BY c.created, "       \
	"c.rowid"

int store_volume_users(struct store *st, const char *name, char ***ids, struct rcr_error **err)
{
	return ids_of(st, "looking for containers using a volume", USERS_SQL, name, ids, err);
}

int store_volume_first_user(struct store *st, const char *name, char ctr[65],
			    struct rcr_error **err)
{
	_cleanup_strv_ char **ids = NULL;

	if (store_volume_users(st, name, &ids, err) < 0)
		return -1;
	if (ids == NULL || ids[0] == NULL)
		return 0;
	snprintf(ctr, 65, "%s", ids[0]);
	return 1;
}

int store_container_volumes(struct store *st, const char *id, struct store_volume_use **out,
			    size_t *n, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing the volumes of a container";
	struct store_volume_use *v = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	s = db_stmt(st, err, what,
		    "SELECT cv.volume, cv.dest, COALESCE(v.anonymous, 0) FROM container_volumes cv "
		    "LEFT JOIN volumes v ON v.name = cv.volume WHERE cv.container_id = ? "
		    "ORDER BY cv.dest",
		    "s", id);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1) {
		struct store_volume_use *nv = realloc(v, (count + 1) * sizeof(*nv));

		if (nv == NULL) {
			rc = -1;
			rcr_error_set(err, ENOMEM, "out of memory");
			break;
		}
		v = nv;
		v[count].volume = strdup(db_text(s, 0));
		v[count].dest = strdup(db_text(s, 1));
		v[count].anonymous = sqlite3_column_int64(s, 2) != 0;
		count++;
		if (v[count - 1].volume == NULL || v[count - 1].dest == NULL) {
			rc = -1;
			rcr_error_set(err, ENOMEM, "out of memory");
			break;
		}
	}
	if (rc < 0) {
		store_volume_use_free(v, count);
		return -1;
	}
	*out = v;
	*n = count;
	return 0;
}

int store_volume_uses_insert(struct store *st, const char *id, const struct store_volume_use *v,
			     size_t n, struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++) {
		int rc = volume_exists(st, v[i].volume, err);

		if (rc == 0)
			no_such_volume(v[i].volume, err);
		if (rc != 1 || db_exec(st, err, "recording the volumes of a container",
				       "INSERT INTO container_volumes (container_id, volume, dest) "
				       "VALUES (?, ?, ?)",
				       "sss", id, v[i].volume, v[i].dest) < 0)
			return -1;
	}
	return 0;
}

/* ---- deletion ------------------------------------------------------------------------------- */

/* Inside the write transaction: the volume exists and no container uses it; then the row. */
static int delete_row(struct store *st, const char *name, bool *plain, struct rcr_error **err)
{
	_cleanup_strv_ char **users = NULL;
	_cleanup_free_ char *list = NULL;
	size_t len = 1;
	int rc = volume_exists(st, name, err);

	if (rc != 1) {
		if (rc == 0) {
			*plain = true;
			no_such_volume(name, err);
		}
		return -1;
	}
	if (store_volume_users(st, name, &users, err) < 0)
		return -1;
	if (users != NULL && users[0] != NULL) {
		for (size_t i = 0; users[i] != NULL; i++)
			len += strlen(users[i]) + 2;
		list = calloc(1, len);
		for (size_t i = 0, at = 0; list != NULL && users[i] != NULL; i++)
			at += (size_t)snprintf(list + at, len - at, "%s%s", i ? ", " : "",
					       users[i]);
		*plain = true;
		rcr_error_set(err, EBUSY,
			      "volume %s is being used by the following container(s): %s: volume "
			      "is being used",
			      name, list ? list : "?");
		return -1;
	}
	return db_exec(st, err, "deleting a volume", "DELETE FROM volumes WHERE name = ?", "s",
		       name);
}

int store_volume_delete(struct store *st, const char *name, struct rcr_error **err)
{
	struct store_trash trash = {.st = st};
	_cleanup_error_ struct rcr_error *late = NULL;
	_cleanup_free_ char *dir = NULL;
	struct store_lock *lk = NULL;
	bool plain = false;
	int rc = -1;

	if (!store_volume_name_valid(name)) {
		no_such_volume(name ? name : "", err);
		return -1;
	}
	dir = store_volume_dir(st, name);
	if (dir == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	/* Under the commit lock, as every removal of content: a directory without a row is then
	 * ours to move, and no container create is between its check and its commit. */
	if (store_commit_lock(st, &lk, err) < 0 || db_begin_write(st, err) < 0)
		goto out;
	if (delete_row(st, name, &plain, err) < 0 || db_commit(st, err) < 0) {
		db_rollback(st);
		goto out;
	}
	rc = 0;
	if (store_trash_move(&trash, dir, &late) < 0)
		rcr_warn("removing the directory of volume %s: %s", name, late->msg);
out:
	store_lock_release(lk);
	/* Outside the lock: files of the container's users, removed in the user namespace. */
	store_trash_empty(&trash);
	if (rc < 0 && !plain)
		rcr_error_wrap(err, "removing volume %s", name);
	return rc;
}

/* ---- recovery ------------------------------------------------------------------------------- */

static bool known_name(const void *set, const char *name)
{
	return strlist_has(set, name);
}

int store_volume_orphans_scan(struct store *st, struct store_trash *trash, struct strlist *found,
			      struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	struct strlist rows = {0};
	int rc;

	/* One query, then the walk: we hold the commit lock, so no row appears in between. */
	s = db_stmt(st, err, "listing volume names", "SELECT name FROM volumes", NULL);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, "listing volume names", err)) == 1)
		if (strlist_push(&rows, db_text(s, 0)) < 0) {
			rcr_error_set(err, ENOMEM, "out of memory");
			rc = -1;
			break;
		}
	if (rc == 0)
		rc = store_orphans_in_dir(st->volumes, known_name, &rows, trash, found, err);
	strlist_release(&rows);
	return rc;
}
