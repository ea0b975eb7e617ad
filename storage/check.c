/* store_check: compare the database with the content on disk, report each disagreement as a
 * line, and with repair make them agree again by removing what is broken: an image whose files
 * or layers are missing, a layer whose content is missing (with the layers stacked on it and the
 * images using them), a container or volume whose directory is missing, content without a row,
 * and tmp/ debris. An image or a volume a container uses is kept (an image with its layers),
 * broken or not, as Podman's check does without --force: removing it would break the container
 * for good; it stays reported.
 *
 * It must never remove what another call is using: it holds the commit lock throughout (no
 * commit or delete can interleave) and removes a tmp/ entry only while holding its flock. It
 * never repairs by inventing content: broken things are removed and pulled again by the user.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/log.h"
#include "storage/db.h"
#include "storage/internal.h"
#include "storage/store.h"

struct findings {
	struct strlist lines;	   /* one per problem, for the report */
	struct strlist bad_images; /* ids */
	struct strlist bad_layers; /* chain ids whose content is missing */
	struct strlist bad_ctrs;   /* container ids whose directory is missing */
	struct strlist bad_vols;   /* volume names whose directory or _data is missing */
	struct strlist orphans;	   /* paths in layers/, images/, containers/ and volumes/ */
	struct strlist debris;	   /* names in tmp/ */
};

static void findings_release(struct findings *f)
{
	strlist_release(&f->lines);
	strlist_release(&f->bad_images);
	strlist_release(&f->bad_layers);
	strlist_release(&f->bad_ctrs);
	strlist_release(&f->bad_vols);
	strlist_release(&f->orphans);
	strlist_release(&f->debris);
}

__attribute__((format(printf, 3, 4))) static int note(struct findings *f, struct rcr_error **err,
						      const char *fmt, ...)
{
	_cleanup_free_ char *line = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&line, fmt, ap);
	va_end(ap);
	if (rc < 0 || strlist_push(&f->lines, line) < 0) {
		if (rc < 0)
			line = NULL;
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

static int push(struct strlist *l, const char *s, struct rcr_error **err)
{
	if (strlist_has(l, s) || strlist_push(l, s) == 0)
		return 0;
	rcr_error_set(err, ENOMEM, "out of memory");
	return -1;
}

/* Does path hold exactly len bytes (len < 0: any size)? Says why not into why. */
static bool file_ok(const char *path, long long len, char *why, size_t why_size)
{
	struct stat st;

	if (lstat(path, &st) < 0) {
		snprintf(why, why_size, "'%s' is missing", path);
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(why, why_size, "'%s' is not a regular file", path);
		return false;
	}
	if (len >= 0 && st.st_size != len) {
		snprintf(why, why_size, "'%s' has %lld bytes instead of %lld", path,
			 (long long)st.st_size, len);
		return false;
	}
	return true;
}

static int scan_images(struct store *st, struct findings *f, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing images";
	int rc;

	s = db_stmt(st, err, what, "SELECT id, manifest_len, config_len FROM images ORDER BY id",
		    NULL);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1) {
		const char *id = db_text(s, 0);
		_cleanup_free_ char *dir = store_image_dir(st, id);
		_cleanup_free_ char *config = dir ? fs_path_join(dir, "config") : NULL;
		_cleanup_free_ char *manifest = dir ? fs_path_join(dir, "manifest") : NULL;
		char why[4200];
		bool good;

		if (config == NULL || manifest == NULL) {
			rcr_error_set(err, ENOMEM, "out of memory (image %s)", id ? id : "?");
			return -1;
		}
		good = file_ok(config, sqlite3_column_int64(s, 2), why, sizeof(why));
		if (good && sqlite3_column_type(s, 1) != SQLITE_NULL)
			good = file_ok(manifest, sqlite3_column_int64(s, 1), why, sizeof(why));
		if (good)
			continue;
		if (note(f, err, "image %s: %s", id, why) < 0 || push(&f->bad_images, id, err) < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

static int scan_layers(struct store *st, struct findings *f, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing layers";
	int rc;

	s = db_stmt(st, err, what, "SELECT chain_id FROM layers ORDER BY chain_id", NULL);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1) {
		const char *id = db_text(s, 0);
		_cleanup_free_ char *diff = store_layer_diff_path(st, id);
		struct stat sb;

		if (diff != NULL && lstat(diff, &sb) == 0 && S_ISDIR(sb.st_mode))
			continue;
		if (note(f, err, "layer %s: its content '%s' is missing", id, diff ? diff : "?") <
			    0 ||
		    push(&f->bad_layers, id, err) < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* With foreign keys on this cannot happen, but a database edited by hand (or by a tool that
 * left them off) can still say it. */
static int scan_image_layers(struct store *st, struct findings *f, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "checking the layers of images";
	int rc;

	s = db_stmt(st, err, what,
		    "SELECT il.image_id, il.chain_id FROM image_layers il "
		    "LEFT JOIN layers l ON l.chain_id = il.chain_id "
		    "WHERE l.chain_id IS NULL ORDER BY il.image_id, il.idx",
		    NULL);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1)
		if (note(f, err, "image %s uses layer %s, which is not stored", db_text(s, 0),
			 db_text(s, 1)) < 0 ||
		    push(&f->bad_images, db_text(s, 0), err) < 0)
			return -1;
	return rc < 0 ? -1 : 0;
}

static int scan_containers(struct store *st, struct findings *f, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing containers";
	int rc;

	s = db_stmt(st, err, what, "SELECT id, name FROM containers ORDER BY id", NULL);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1) {
		const char *id = db_text(s, 0);
		_cleanup_free_ char *dir = store_container_dir(st, id);
		struct stat sb;

		if (dir != NULL && lstat(dir, &sb) == 0 && S_ISDIR(sb.st_mode))
			continue;
		if (note(f, err, "container %s (%s): its directory '%s' is missing", id,
			 db_text(s, 1), dir ? dir : "?") < 0 ||
		    push(&f->bad_ctrs, id, err) < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* A volume row needs its directory with _data in it (the copy-up marker is optional). */
static int scan_volumes(struct store *st, struct findings *f, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "listing volumes";
	int rc;

	s = db_stmt(st, err, what, "SELECT name FROM volumes ORDER BY name", NULL);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1) {
		const char *name = db_text(s, 0);
		_cleanup_free_ char *data = store_volume_data_path(st, name);
		struct stat sb;

		if (data != NULL && lstat(data, &sb) == 0 && S_ISDIR(sb.st_mode))
			continue;
		if (note(f, err, "volume %s: its directory '%s' is missing", name,
			 data ? data : "?") < 0 ||
		    push(&f->bad_vols, name, err) < 0)
			return -1;
	}
	return rc < 0 ? -1 : 0;
}

/* Never made by rcr (store_image_delete refuses an image in use), but a hand-edited database can
 * say it. Not repaired: the container is the user's to remove. */
static int scan_container_images(struct store *st, struct findings *f, struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "checking the images of containers";
	int rc;

	s = db_stmt(st, err, what,
		    "SELECT c.id, c.image_id FROM containers c "
		    "LEFT JOIN images i ON i.id = c.image_id WHERE i.id IS NULL ORDER BY c.id",
		    NULL);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1)
		if (note(f, err,
			 "container %s uses image %s, which is not stored: remove the "
			 "container",
			 db_text(s, 0), db_text(s, 1)) < 0)
			return -1;
	return rc < 0 ? -1 : 0;
}

static int scan_tmp(struct store *st, struct findings *f, struct rcr_error **err)
{
	_cleanup_closedir_ DIR *d = opendir(st->tmp);
	struct dirent *e;

	if (d == NULL) {
		rcr_error_set_errno(err, errno, "reading '%s'", st->tmp);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		int fd = -1;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (store_tmp_entry_unheld(st, e->d_name, &fd) != 1)
			continue;
		if (fd >= 0)
			close(fd);
		if (note(f, err, "'%s/%s' is left over from a call that did not finish", st->tmp,
			 e->d_name) < 0 ||
		    push(&f->debris, e->d_name, err) < 0)
			return -1;
	}
	return 0;
}

/* Everything, under the commit lock (held by the caller) and in one read transaction. */
static int scan(struct store *st, struct findings *f, struct rcr_error **err)
{
	size_t first;

	if (db_begin_read(st, err) < 0)
		return -1;
	if (scan_images(st, f, err) < 0 || scan_layers(st, f, err) < 0 ||
	    scan_image_layers(st, f, err) < 0 || scan_containers(st, f, err) < 0 ||
	    scan_container_images(st, f, err) < 0 || scan_volumes(st, f, err) < 0)
		goto fail;
	first = f->orphans.n;
	if (store_orphans_scan(st, "layers", NULL, &f->orphans, err) < 0 ||
	    store_orphans_scan(st, "images", NULL, &f->orphans, err) < 0 ||
	    store_orphans_scan(st, "containers", NULL, &f->orphans, err) < 0 ||
	    store_orphans_scan(st, "volumes", NULL, &f->orphans, err) < 0)
		goto fail;
	for (size_t i = first; i < f->orphans.n; i++)
		if (note(f, err, "'%s' has no record in the database", f->orphans.v[i]) < 0)
			goto fail;
	db_rollback(st);
	return scan_tmp(st, f, err);
fail:
	db_rollback(st);
	return -1;
}

/* Push each row of sql (one text parameter) on l. */
static int rows_into(struct store *st, const char *sql, const char *key, struct strlist *l,
		     struct rcr_error **err)
{
	_cleanup_stmt_ sqlite3_stmt *s = NULL;
	const char *what = "finding what a broken layer affects";
	int rc;

	s = db_stmt(st, err, what, sql, "s", key);
	if (s == NULL)
		return -1;
	while ((rc = db_step(st, s, what, err)) == 1)
		if (push(l, db_text(s, 0), err) < 0)
			return -1;
	return rc < 0 ? -1 : 0;
}

/* A layer without content breaks the layers stacked on it and every image using any of them. */
static int spread(struct store *st, struct findings *f, struct rcr_error **err)
{
	for (size_t i = 0; i < f->bad_layers.n; i++)
		if (rows_into(st, "SELECT chain_id FROM layers WHERE parent = ?",
			      f->bad_layers.v[i], &f->bad_layers, err) < 0 ||
		    rows_into(st, "SELECT image_id FROM image_layers WHERE chain_id = ?",
			      f->bad_layers.v[i], &f->bad_images, err) < 0)
			return -1;
	return 0;
}

/* Drop from the broken images those a container uses, and from the broken layers those such an
 * image uses: they stay (an image lists its whole chain, so a kept layer's parents are kept
 * too, and the layer foreign keys hold). */
static int keep_used(struct store *st, struct findings *f, struct rcr_error **err)
{
	struct strlist images = {0}, kept = {0}, layers = {0};
	int rc = -1;

	for (size_t i = 0; i < f->bad_images.n; i++) {
		char ctr[65];
		int used = store_image_first_container(st, f->bad_images.v[i], ctr, err);

		if (used < 0 || push(used ? &kept : &images, f->bad_images.v[i], err) < 0)
			goto out;
	}
	for (size_t i = 0; i < f->bad_layers.n; i++) {
		bool keep = false;

		for (size_t k = 0; k < kept.n && !keep; k++) {
			_cleanup_stmt_ sqlite3_stmt *s = NULL;
			const char *what = "checking the layers of an image in use";
			int r;

			s = db_stmt(
				st, err, what,
				"SELECT 1 FROM image_layers WHERE image_id = ? AND chain_id = ?",
				"ss", kept.v[k], f->bad_layers.v[i]);
			if (s == NULL || (r = db_step(st, s, what, err)) < 0)
				goto out;
			keep = r == 1;
		}
		if (!keep && push(&layers, f->bad_layers.v[i], err) < 0)
			goto out;
	}
	strlist_release(&f->bad_images);
	strlist_release(&f->bad_layers);
	f->bad_images = images;
	f->bad_layers = layers;
	memset(&images, 0, sizeof(images));
	memset(&layers, 0, sizeof(layers));
	rc = 0;
out:
	strlist_release(&images);
	strlist_release(&kept);
	strlist_release(&layers);
	return rc;
}

/* Rows of everything broken, in one transaction; the layers to remove go on gone. */
static int repair_rows(struct store *st, struct findings *f, struct strlist *gone,
		       struct rcr_error **err)
{
	struct strlist candidates = {0};
	int rc = -1;

	if (db_begin_write(st, err) < 0)
		return -1;
	if (spread(st, f, err) < 0 || keep_used(st, f, err) < 0)
		goto out;
	for (size_t i = 0; i < f->bad_ctrs.n; i++)
		if (db_exec(st, err, "deleting a container without its directory",
			    "DELETE FROM containers WHERE id = ?", "s", f->bad_ctrs.v[i]) < 0)
			goto out;
	for (size_t i = 0; i < f->bad_images.n; i++)
		if (store_image_rows_delete(st, f->bad_images.v[i], &candidates, err) < 0)
			goto out;
	/* After the broken containers went (with their uses): a volume still in use stays. */
	for (size_t i = 0; i < f->bad_vols.n; i++) {
		char ctr[65];
		int used = store_volume_first_user(st, f->bad_vols.v[i], ctr, err);

		if (used < 0 ||
		    (used == 0 &&
		     db_exec(st, err, "deleting a volume without its directory",
			     "DELETE FROM volumes WHERE name = ?", "s", f->bad_vols.v[i]) < 0))
			goto out;
	}
	for (size_t i = 0; i < f->bad_layers.n; i++) {
		struct store_layer l = {0};

		if (store_layer_get(st, f->bad_layers.v[i], &l, err) < 0)
			goto out;
		if (db_exec(st, err, "deleting a broken layer",
			    "DELETE FROM layers WHERE chain_id = ?", "s", f->bad_layers.v[i]) < 0 ||
		    push(gone, f->bad_layers.v[i], err) < 0 ||
		    (l.parent[0] != '\0' && push(&candidates, l.parent, err) < 0))
			goto out;
	}
	if (store_layers_rows_gc(st, &candidates, gone, err) < 0)
		goto out;
	rc = db_commit(st, err);
out:
	if (rc < 0)
		db_rollback(st);
	strlist_release(&candidates);
	return rc;
}

static int repair(struct store *st, struct findings *f, struct store_trash *trash,
		  struct rcr_error **err)
{
	struct strlist gone = {0};
	int rc = -1;

	if (repair_rows(st, f, &gone, err) < 0)
		goto out;
	for (size_t i = 0; i < f->bad_images.n; i++) {
		_cleanup_free_ char *dir = store_image_dir(st, f->bad_images.v[i]);

		if (dir != NULL && store_trash_move(trash, dir, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < gone.n; i++) {
		_cleanup_free_ char *dir = store_layer_dir(st, gone.v[i]);

		if (dir != NULL && store_trash_move(trash, dir, err) < 0)
			goto out;
	}
	for (size_t i = 0; i < f->bad_vols.n; i++) {
		_cleanup_free_ char *dir = store_volume_dir(st, f->bad_vols.v[i]);
		struct store_volume v = {0};
		int kept = store_volume_get(st, f->bad_vols.v[i], &v, err);

		store_volume_release(&v);
		if (kept < 0 || (kept == 0 && dir != NULL && store_trash_move(trash, dir, err) < 0))
			goto out;
	}
	for (size_t i = 0; i < f->orphans.n; i++)
		if (store_trash_move(trash, f->orphans.v[i], err) < 0)
			goto out;
	for (size_t i = 0; i < f->debris.n; i++) {
		_cleanup_free_ char *path = fs_path_join(st->tmp, f->debris.v[i]);
		_cleanup_close_ int fd = -1;

		/* Still unheld? Then nobody can take it while we remove it under its lock. */
		if (path == NULL || store_tmp_entry_unheld(st, f->debris.v[i], &fd) != 1)
			continue;
		if (store_remove_tree(st, path, err) < 0)
			goto out;
	}
	rc = 0;
out:
	strlist_release(&gone);
	return rc;
}

/* Append the report to *report: before's lines, each marked when the repair fixed it (it is not
 * in after), then what only after has (rare: a problem hidden behind another). */
static int append_report(char **report, const struct findings *before, const struct findings *after,
			 bool repaired)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (f == NULL)
		return -1;
	if (*report != NULL)
		fputs(*report, f);
	for (size_t i = 0; i < before->lines.n; i++)
		fprintf(f, "%s%s\n", before->lines.v[i],
			repaired && !strlist_has(&after->lines, before->lines.v[i]) ? " (repaired)"
										    : "");
	for (size_t i = 0; after != before && i < after->lines.n; i++)
		if (!strlist_has(&before->lines, after->lines.v[i]))
			fprintf(f, "%s\n", after->lines.v[i]);
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		return -1;
	}
	free(*report);
	*report = buf;
	return 0;
}

int store_check(struct store *st, bool repair_it, char **report, struct rcr_error **err)
{
	struct findings before = {0}, after = {0};
	struct store_trash trash = {.st = st};
	struct store_lock *lk = NULL;
	int rc = -1;

	if (store_commit_lock(st, &lk, err) < 0)
		return -1;
	if (scan(st, &before, err) < 0)
		goto out;
	if (repair_it && before.lines.n > 0) {
		if (repair(st, &before, &trash, err) < 0 || scan(st, &after, err) < 0)
			goto out;
	}
	if (append_report(report, &before, repair_it ? &after : &before, repair_it) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	rc = (int)(repair_it ? after.lines.n : before.lines.n);
out:
	store_lock_release(lk);
	store_trash_empty(&trash);
	findings_release(&before);
	findings_release(&after);
	if (rc < 0)
		rcr_error_wrap(err, "checking the store at '%s'", st->root);
	return rc;
}
