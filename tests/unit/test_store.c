/* Unit tests of storage/: the layout and database of a new store, layers staged and committed
 * (also when another call committed the same one first), images with their names, digests,
 * lookups and deletion, the recovery store_open runs after killed calls, store_check with and
 * without repair, and two processes committing the same layer at once.
 *
 * Everything happens in a fresh directory under $TMPDIR (or /tmp), removed at the end; files
 * owned by subordinate ids (as layers have) are made and removed through the user's own
 * namespace maps, so the test runs both as an unprivileged user with a subuid range and as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/userns.h"
#include "storage/store.h"
#include "tests/unit/store_scratch.h"
#include "tests/unit/tap.h"

static char top[1024];
static char root[1100];
static struct userns_user_maps maps;

/* A path under the store root; rotating static buffers keep call sites short. */
static const char *at(const char *rel)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", root, rel);
	return b;
}

/* "sha256:" + prefix + n in hex, 64 digits in all. A ring of buffers much larger than any
 * test's use keeps the results valid for the whole test function. */
static const char *hexid(const char *prefix, unsigned n)
{
	static char bufs[256][80];
	static int next;
	char *b = bufs[next++ % 256];

	snprintf(b, sizeof(bufs[0]), "sha256:%s%0*x", prefix, (int)(64 - strlen(prefix)), n);
	return b;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static char *slurp(const char *path)
{
	return fs_read_file(path, 1 << 20, NULL, NULL);
}

static int count_entries(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	return d ? n : -1;
}

/* One integer from the store's database, read with a connection of our own. */
static long long db_int(const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *s = NULL;
	long long v = -999;

	if (sqlite3_open_v2(at("rcr.db"), &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return v;
}

static void ok_done(int rc, struct rcr_error **err, const char *what)
{
	ok(rc >= 0, "%s%s%s", what, *err ? ": " : "", *err ? (*err)->msg : "");
	rcr_error_clear(err);
}

static struct store *open_store(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = NULL;

	if (store_open(root, &maps, &st, &err) < 0)
		printf("# store_open: %s\n", err->msg);
	return st;
}

/* Stage a layer with one file holding text, and commit it under the commit lock. */
static int add_layer(struct store *st, const char *chain, const char *parent, const char *text,
		     long long size, struct rcr_error **err)
{
	struct store_layer l = {.compressed_size = 10, .size = size};
	struct store_staging *s = NULL;
	struct store_lock *lk = NULL;
	char path[4096];
	int rc;

	snprintf(l.chain_id, sizeof(l.chain_id), "%s", chain);
	snprintf(l.diff_id, sizeof(l.diff_id), "%s", chain);
	snprintf(l.parent, sizeof(l.parent), "%s", parent ? parent : "");
	snprintf(l.compressed_digest, sizeof(l.compressed_digest), "sha256:%064x", 0xc);
	if (store_layer_stage(st, &s, err) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/file", store_staging_path(s));
	put(path, text);
	if (store_commit_lock(st, &lk, err) < 0) {
		store_layer_abort(s);
		return -1;
	}
	rc = store_layer_commit(st, s, &l, err);
	store_lock_release(lk);
	return rc;
}

static int add_image(struct store *st, const char *id, const char *const *layers, size_t n,
		     const char *created, struct rcr_error **err)
{
	char mdigest[80];
	struct store_image img = {
		.id = id,
		.manifest_digest = mdigest,
		.manifest = "{\"manifest\":1}",
		.manifest_len = 14,
		.config = "{\"config\":1}",
		.config_len = 12,
		.layers = layers,
		.n_layers = n,
		.created = created,
	};
	struct store_lock *lk = NULL;
	int rc;

	snprintf(mdigest, sizeof(mdigest), "sha256:d%063zx", n);
	if (store_commit_lock(st, &lk, err) < 0)
		return -1;
	rc = store_image_put(st, &img, err);
	store_lock_release(lk);
	return rc;
}

static void test_open(void)
{
	struct store *st = open_store();
	struct stat sb;

	ok(st != NULL, "store_open creates a store");
	ok(stat(root, &sb) == 0 && (sb.st_mode & 07777) == 0700, "root is 0700");
	ok(fs_exists(at("layers")) && fs_exists(at("images")) && fs_exists(at("tmp")) &&
		   fs_exists(at("store.lock")) && fs_exists(at("rcr.db")),
	   "layers/, images/, tmp/, store.lock and rcr.db exist");
	is_str(st ? store_root(st) : NULL, root, "store_root");
	is_str(st ? store_tmp_dir(st) : NULL, at("tmp"), "store_tmp_dir");
	is_int(db_int("PRAGMA user_version"), 3, "schema version 3");
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *s = NULL;
		const char *mode = NULL;

		if (sqlite3_open(at("rcr.db"), &db) == SQLITE_OK &&
		    sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK &&
		    sqlite3_step(s) == SQLITE_ROW)
			mode = (const char *)sqlite3_column_text(s, 0);
		is_str(mode, "wal", "the database is in WAL mode");
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	store_close(st);
	store_close(NULL);
	st = open_store();
	ok(st != NULL, "an existing store opens again");
	store_close(st);
}

static void test_open_errors(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = NULL;
	char path[1200];

	snprintf(path, sizeof(path), "%s/a-file", top);
	put(path, "x");
	ok(store_open(path, &maps, &st, &err) < 0 && st == NULL, "a root that is a file fails");
	has_str(err ? err->msg : NULL, path, "the error names the path");
	rcr_error_clear(&err);

	/* A store from a newer rcr is refused, not misread. */
	snprintf(path, sizeof(path), "%s/newer", top);
	ok(store_open(path, &maps, &st, &err) == 0, "a second store");
	store_close(st);
	st = NULL;
	{
		sqlite3 *db = NULL;
		char dbp[1300];

		snprintf(dbp, sizeof(dbp), "%s/rcr.db", path);
		if (sqlite3_open(dbp, &db) == SQLITE_OK)
			sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	rcr_error_clear(&err);
	ok(store_open(path, &maps, &st, &err) < 0, "a newer schema version is refused");
	has_str(err ? err->msg : NULL, "newer than this rcr knows", "and says why");
	has_str(err ? err->msg : NULL, "rcr.db", "naming the database");
	fs_rm_rf(path, NULL);
}

static void test_layers(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	struct store_staging *s = NULL;
	struct store_layer l;
	const char *l1 = hexid("1", 1), *l2 = hexid("1", 2);
	_cleanup_free_ char *diff = NULL, *content = NULL;
	char path[4096];

	if (st == NULL)
		return;
	ok(!store_layer_exists(st, l1), "no layer at first");
	is_int(store_layer_get(st, l1, &l, &err), 0, "get of a missing layer is 0");

	ok_done(store_layer_stage(st, &s, &err), &err, "stage a layer");
	ok(s != NULL && strncmp(store_staging_path(s), at("tmp/"), strlen(at("tmp/"))) == 0 &&
		   strcmp(strrchr(store_staging_path(s), '/'), "/diff") == 0,
	   "the staging is tmp/.../diff");
	ok(s != NULL && count_entries(store_staging_path(s)) == 0, "an empty directory");
	store_layer_abort(s);
	is_int(count_entries(at("tmp")), 0, "abort removes the staging");
	store_layer_abort(NULL);
	store_tmp_release(NULL);

	ok_done(add_layer(st, l1, NULL, "one", 100, &err), &err, "commit a layer");
	ok(store_layer_exists(st, l1), "the layer exists");
	is_int(store_layer_get(st, l1, &l, &err), 1, "get finds it");
	is_str(l.chain_id, l1, "chain id");
	is_str(l.parent, "", "no parent");
	is_int(l.size, 100, "size");
	is_int(l.compressed_size, 10, "compressed size");
	is_str(l.compressed_digest, hexid("", 0xc), "compressed digest");
	diff = store_layer_diff_path(st, l1);
	snprintf(path, sizeof(path), "%s/layers/%s/diff", root, l1 + 7);
	is_str(diff, path, "the diff path is layers/<hex>/diff");
	snprintf(path, sizeof(path), "%s/file", diff ? diff : "");
	content = slurp(path);
	is_str(content, "one", "the content is in place");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");

	ok_done(add_layer(st, l2, l1, "two", 50, &err), &err, "a layer on top");
	is_int(store_layer_get(st, l2, &l, &err), 1, "found");
	is_str(l.parent, l1, "with its parent");

	/* Another call committed the same layer first: ours is dropped, theirs kept. */
	ok(add_layer(st, l1, NULL, "other", 100, &err) == 0 && err == NULL,
	   "committing an existing layer returns 0");
	free(content);
	content = slurp(path);
	is_str(content, "one", "the stored content is kept");
	is_int(count_entries(at("tmp")), 0, "and the staging dropped");
	is_int(db_int("SELECT count(*) FROM layers"), 2, "still two rows");

	ok(add_layer(st, hexid("1", 3), hexid("9", 9), "x", 1, &err) < 0,
	   "a layer whose parent is not stored is refused");
	has_str(err ? err->msg : NULL, "is not stored", "saying so");
	rcr_error_clear(&err);
	is_int(count_entries(at("tmp")), 0, "and its staging dropped");
	ok(add_layer(st, "sha256:../../x", NULL, "x", 1, &err) < 0, "a bad chain id is refused");
	has_str(err ? err->msg : NULL, "invalid layer chain id", "saying so");
	rcr_error_clear(&err);
	is_int(count_entries(at("layers")), 2, "two layer directories");
	store_close(st);
}

static void info_has_name(const struct store_image_info *i, const char *name, bool want,
			  const char *what)
{
	bool has = false;

	for (size_t k = 0; k < i->n_names; k++)
		has = has || strcmp(i->names[k], name) == 0;
	ok(has == want, "%s", what);
}

static void test_images(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	struct store_image_info *v = NULL;
	const char *ia = hexid("abc1", 1), *ib = hexid("abc2", 2);
	const char *la[] = {hexid("1", 1), hexid("1", 2)};
	const char *lb[] = {hexid("1", 1), hexid("1", 4)};
	size_t n = 0;

	if (st == NULL)
		return;
	ok_done(add_layer(st, lb[1], lb[0], "four", 7, &err), &err, "a layer for image b");
	ok_done(add_image(st, ia, la, 2, "2020-01-01T00:00:00Z", &err), &err, "put image a");
	ok_done(add_image(st, ib, lb, 2, "2021-01-01T00:00:00Z", &err), &err, "put image b");
	ok_done(store_image_add_name(st, ia, "docker.io/library/a:1", &err), &err, "name a");
	ok_done(store_image_add_name(st, ia, "docker.io/library/a:2", &err), &err, "name a again");
	ok_done(store_image_add_digest(st, ia, "docker.io/library/a@sha256:1234", &err), &err,
		"digest of a");
	ok_done(store_image_add_name(st, ib, "docker.io/library/b:1", &err), &err, "name b");
	{
		const char *missing[] = {hexid("7", 7)};

		ok(add_image(st, hexid("e", 1), missing, 1, NULL, &err) < 0,
		   "an image whose layer is not stored is refused");
		has_str(err ? err->msg : NULL, "is not stored", "saying so");
		rcr_error_clear(&err);
		is_int(count_entries(at("images")), 2, "and leaves no files");
	}

	ok_done(store_image_list(st, &v, &n, &err), &err, "list");
	is_int(n, 2, "two images");
	is_str(n == 2 ? v[0].id : NULL, ib, "newest first");
	is_str(n == 2 ? v[1].id : NULL, ia, "then the older");
	ok(n == 2 && v[1].n_names == 2 && strcmp(v[1].names[0], "docker.io/library/a:2") == 0,
	   "names newest first");
	ok(n == 2 && v[1].n_digests == 1 &&
		   strcmp(v[1].digests[0], "docker.io/library/a@sha256:1234") == 0,
	   "digests");
	is_int(n == 2 ? v[1].size : 0, 150, "size is the sum of the layers' sizes");
	ok(n == 2 && v[1].n_layers == 2 && strcmp(v[1].layers[0], la[0]) == 0 &&
		   strcmp(v[1].layers[1], la[1]) == 0,
	   "layers bottom first");
	is_str(n == 2 ? v[1].created : NULL, "2020-01-01T00:00:00Z", "created");
	is_str(n == 2 ? v[1].manifest_digest : NULL, hexid("d", 2), "manifest digest");
	ok(n == 2 && v[1].added > 0, "added is set");
	store_image_info_free(v, n);

	store_close(st);
}

static void test_lookups(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	struct store_image_info info = {0};
	const char *ia = hexid("abc1", 1), *ib = hexid("abc2", 2);
	_cleanup_free_ char *data = NULL;
	size_t len = 0;

	if (st == NULL)
		return;
	is_int(store_image_get(st, ia, &info, &err), 1, "get by full id");
	is_str(info.id, ia, "the right one");
	store_image_info_release(&info);
	is_int(store_image_get(st, ia + 7, &info, &err), 1, "get by bare hex");
	is_str(info.id, ia, "the right one");
	store_image_info_release(&info);
	is_int(store_image_get(st, "abc2", &info, &err), 1, "get by a unique prefix");
	is_str(info.id, ib, "the right one");
	store_image_info_release(&info);
	is_int(store_image_get(st, "docker.io/library/b:1", &info, &err), 1, "get by name");
	is_str(info.id, ib, "the right one");
	store_image_info_release(&info);
	is_int(store_image_get(st, "docker.io/library/a@sha256:1234", &info, &err), 1,
	       "get by repo digest");
	is_str(info.id, ia, "the right one");
	store_image_info_release(&info);
	is_int(store_image_get(st, "abc", &info, &err), -1, "an ambiguous prefix is an error");
	has_str(err ? err->msg : NULL, "short id abc is ambiguous: matches abc1", "saying so");
	has_str(err ? err->msg : NULL, ib + 7, "naming both");
	rcr_error_clear(&err);
	is_int(store_image_get(st, "ab", &info, &err), 0, "two digits are not a prefix");
	is_int(store_image_get(st, "fff", &info, &err), 0, "an unknown prefix is not found");
	is_int(store_image_get(st, "docker.io/library/zzz:1", &info, &err), 0, "unknown name");
	ok(err == NULL && info.id == NULL, "not found is no error");

	ok_done(store_image_read(st, ia, "config", &data, &len, &err), &err, "read the config");
	is_str(data, "{\"config\":1}", "config content");
	is_int(len, 12, "config length");
	free(data);
	data = NULL;
	ok_done(store_image_read(st, ia, "manifest", &data, &len, &err), &err, "read manifest");
	is_str(data, "{\"manifest\":1}", "manifest content");
	free(data);
	data = NULL;
	ok(store_image_read(st, ia, "../x", &data, &len, &err) < 0, "only known files are read");
	rcr_error_clear(&err);

	store_close(st);
}

static void test_names(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	struct store_image_info info = {0};
	const char *ia = hexid("abc1", 1), *ib = hexid("abc2", 2);
	const char *la[] = {hexid("1", 1), hexid("1", 2)};
	char key[80];

	if (st == NULL)
		return;
	/* A name belongs to one image: tagging b with a's name moves it. */
	ok_done(store_image_add_name(st, ib, "docker.io/library/a:1", &err), &err,
		"give a's name to b");
	store_image_get(st, ia, &info, &err);
	info_has_name(&info, "docker.io/library/a:1", false, "a lost the name");
	store_image_info_release(&info);
	store_image_get(st, ib, &info, &err);
	info_has_name(&info, "docker.io/library/a:1", true, "b has it");
	is_str(info.n_names ? info.names[0] : NULL, "docker.io/library/a:1", "as its newest");
	store_image_info_release(&info);
	ok(store_image_add_name(st, hexid("f", 0), "x:1", &err) < 0,
	   "naming a missing image fails");
	rcr_error_clear(&err);

	is_int(store_image_remove_name(st, ib, "docker.io/library/a:1", &err), 1, "remove name");
	is_int(store_image_remove_name(st, ib, "docker.io/library/a:1", &err), 0,
	       "removing it again finds nothing");
	is_int(store_image_get(st, "docker.io/library/a:1", &info, &err), 0, "the name is gone");

	/* Ids are content addresses: putting the same image again keeps the stored one. */
	snprintf(key, sizeof(key), "%s", ia);
	ok_done(add_image(st, key, la, 2, "1999-01-01T00:00:00Z", &err), &err, "put a again");
	store_image_get(st, ia, &info, &err);
	is_str(info.created, "2020-01-01T00:00:00Z", "the stored image is kept");
	store_image_info_release(&info);
	store_close(st);
}

static void test_delete(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	struct store_image_info info = {0};
	const char *ia = hexid("abc1", 1), *ib = hexid("abc2", 2);
	char path[4096];

	if (st == NULL)
		return;
	ok_done(store_image_delete(st, ia, &err), &err, "delete image a");
	is_int(store_image_get(st, ia, &info, &err), 0, "its rows are gone");
	is_int(store_image_get(st, "docker.io/library/a:2", &info, &err), 0, "with its names");
	is_int(db_int("SELECT count(*) FROM image_digests"), 0, "and its digests");
	snprintf(path, sizeof(path), "images/%s", ia + 7);
	ok(!fs_exists(at(path)), "its files are gone");
	ok(!store_layer_exists(st, hexid("1", 2)), "its own layer is gone");
	snprintf(path, sizeof(path), "layers/%s", hexid("1", 2) + 7);
	ok(!fs_exists(at(path)), "with its directory");
	ok(store_layer_exists(st, hexid("1", 1)), "the layer shared with b stays");
	snprintf(path, sizeof(path), "layers/%s/diff/file", hexid("1", 1) + 7);
	ok(fs_exists(at(path)), "with its content");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");
	ok(store_image_delete(st, ia, &err) < 0, "deleting it again fails");
	has_str(err ? err->msg : NULL, "is not stored", "saying so");
	rcr_error_clear(&err);

	ok_done(store_image_delete(st, ib + 7, &err), &err, "delete image b by hex");
	is_int(db_int("SELECT count(*) FROM layers"), 0, "no layer rows left");
	is_int(count_entries(at("layers")), 0, "no layer directories left");
	is_int(count_entries(at("images")), 0, "no image directories left");
	store_close(st);
}

/* In the user namespace: a directory owned by container uid 1 (a subordinate id on the host),
 * holding a file of the same owner, which the user alone cannot unlink. */
static int make_owned(void *arg, char *msg)
{
	char sub[4200], file[4300];

	snprintf(sub, sizeof(sub), "%s/sub", (const char *)arg);
	snprintf(file, sizeof(file), "%s/f", sub);
	if (mkdir(sub, 0755) < 0) {
		snprintf(msg, USERNS_MSG_MAX, "mkdir sub: %s", strerror(errno));
		return 1;
	}
	put(file, "owned");
	if (chown(file, 1, 1) < 0 || chown(sub, 1, 1) < 0 || chmod(sub, 0555) < 0) {
		snprintf(msg, USERNS_MSG_MAX, "chown sub/f: %s", strerror(errno));
		return 1;
	}
	return 0;
}

/* Debris as a killed pull leaves it: an unlocked tmp/ entry, with mapped owners if we can. */
static void make_debris(const char *dir)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char file[4200];
	struct stat sb;

	mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/partial", dir);
	put(file, "partial");
	if (geteuid() == 0) {
		char msg[USERNS_MSG_MAX] = "";

		ok(make_owned((void *)dir, msg) == 0, "debris owned by another id%s%s",
		   msg[0] ? ": " : "", msg);
		return;
	}
	if (userns_map_is_single(&maps.uid)) {
		tap_ok_at(1, __FILE__, __LINE__,
			  "debris owned by a subordinate id # SKIP no subordinate ids here");
		return;
	}
	ok_done(userns_run(&maps.uid, &maps.gid, maps.newuidmap, maps.newgidmap, 0, make_owned,
			   (void *)dir, &err),
		&err, "debris owned by a subordinate id");
	snprintf(file, sizeof(file), "%s/sub/f", dir);
	ok(lstat(file, &sb) == 0 && sb.st_uid != getuid() && unlink(file) < 0,
	   "which the user cannot remove alone");
}

static void test_recovery(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st1 = open_store(), *st2 = NULL;
	struct store_staging *held = NULL, *held_tmp = NULL;
	struct store_lock *lk = NULL;
	char orphan[4096], orphan_img[4096], file[4300];

	if (st1 == NULL)
		return;
	make_debris(at("tmp/layer-debris"));
	mkdir(at("tmp/empty-debris"), 0700);
	ok(symlink("/", at("tmp/link-debris")) == 0, "a symlink as debris");
	snprintf(orphan, sizeof(orphan), "%s%s", at("layers/"), hexid("0", 77) + 7);
	fs_mkdir_p(orphan, 0700, NULL);
	snprintf(file, sizeof(file), "%s/diff", orphan);
	mkdir(file, 0555);
	snprintf(orphan_img, sizeof(orphan_img), "%s%s", at("images/"), hexid("0", 78) + 7);
	fs_mkdir_p(orphan_img, 0700, NULL);

	ok_done(store_layer_stage(st1, &held, &err), &err, "a staging held by a live handle");
	ok_done(store_tmp_new(st1, "blob", &held_tmp, &err), &err, "a temporary entry too");
	if (held_tmp != NULL)
		put(store_staging_path(held_tmp), "downloading");

	/* While another call holds the commit lock, content without rows is not touched: that
	 * call may be between its rename and its row. */
	ok_done(store_commit_lock(st1, &lk, &err), &err, "take the commit lock");
	st2 = open_store();
	ok(st2 != NULL, "open the store again");
	ok(!fs_exists(at("tmp/layer-debris")) && !fs_exists(at("tmp/empty-debris")) &&
		   !fs_exists(at("tmp/link-debris")),
	   "debris in tmp/ is removed");
	ok(fs_exists("/") && fs_exists(at("layers")), "(a symlink in it is not followed)");
	ok(held != NULL && fs_exists(store_staging_path(held)), "a held staging survives");
	ok(held_tmp != NULL && fs_exists(store_staging_path(held_tmp)),
	   "a held temporary entry survives");
	ok(fs_exists(orphan) && fs_exists(orphan_img), "orphans stay while the lock is busy");
	store_close(st2);
	store_lock_release(lk);

	st2 = open_store();
	ok(!fs_exists(orphan), "a layer directory without a row is removed");
	ok(!fs_exists(orphan_img), "an image directory without a row is removed");
	ok(held != NULL && fs_exists(store_staging_path(held)), "the held staging still survives");
	is_int(count_entries(at("tmp")), 2, "only the two held entries are in tmp/");
	store_layer_abort(held);
	store_tmp_release(held_tmp);
	is_int(count_entries(at("tmp")), 0, "released, they are gone");
	store_close(st2);
	store_close(st1);
}

/* A layer holding files of a subordinate id goes away with its image all the same. */
static void test_owned_layer(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	struct store_layer l = {.size = 1};
	struct store_staging *s = NULL;
	const char *chain = hexid("8", 8), *id = hexid("9", 9);
	const char *layers[] = {chain};
	char msg[USERNS_MSG_MAX] = "";
	char path[4096];
	int rc;

	if (st == NULL)
		return;
	snprintf(l.chain_id, sizeof(l.chain_id), "%s", chain);
	snprintf(l.diff_id, sizeof(l.diff_id), "%s", chain);
	ok_done(store_layer_stage(st, &s, &err), &err, "stage a layer");
	if (s == NULL)
		return;
	if (geteuid() == 0)
		rc = make_owned((void *)store_staging_path(s), msg);
	else if (userns_map_is_single(&maps.uid))
		rc = 0;
	else
		rc = userns_run(&maps.uid, &maps.gid, maps.newuidmap, maps.newgidmap, 0, make_owned,
				(void *)store_staging_path(s), &err);
	ok(rc == 0, "unpack files of another owner into it%s%s", msg, err ? err->msg : "");
	rcr_error_clear(&err);
	ok_done(store_layer_commit(st, s, &l, &err), &err, "commit it");
	ok_done(add_image(st, id, layers, 1, NULL, &err), &err, "an image using it");
	ok_done(store_image_delete(st, id, &err), &err, "delete the image");
	snprintf(path, sizeof(path), "layers/%s", chain + 7);
	ok(!fs_exists(at(path)), "the layer directory is gone");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");
	store_close(st);
}

/* A call killed in the middle of a pull: the next store_open cleans up after it. */
static void test_killed(void)
{
	int status = 0;
	pid_t pid;
	struct store *st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct store_staging *a = NULL, *b = NULL;
		char path[4096];

		st = open_store();
		if (st == NULL || store_layer_stage(st, &a, NULL) < 0 ||
		    store_tmp_new(st, "blob", &b, NULL) < 0)
			_exit(1);
		snprintf(path, sizeof(path), "%s/file", store_staging_path(a));
		put(path, "half");
		put(store_staging_path(b), "half");
		raise(SIGKILL);
		_exit(2);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "a pull is killed");
	is_int(count_entries(at("tmp")), 2, "leaving two entries in tmp/");
	st = open_store();
	is_int(count_entries(at("tmp")), 0, "the next store_open removes them");
	store_close(st);
}

static void test_check(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *report = NULL;
	struct store *st = open_store();
	struct store_image_info info = {0};
	const char *l1 = hexid("2", 1), *l2 = hexid("2", 2), *l3 = hexid("2", 3);
	const char *ia[] = {l1, l2}, *ib[] = {l1, l3};
	const char *id_a = hexid("aa", 1), *id_b = hexid("bb", 2);
	char path[4096];
	int rc;

	if (st == NULL)
		return;
	ok_done(add_layer(st, l1, NULL, "1", 1, &err), &err, "layer 1");
	ok_done(add_layer(st, l2, l1, "2", 1, &err), &err, "layer 2");
	ok_done(add_layer(st, l3, l1, "3", 1, &err), &err, "layer 3");
	ok_done(add_image(st, id_a, ia, 2, NULL, &err), &err, "image a");
	ok_done(add_image(st, id_b, ib, 2, NULL, &err), &err, "image b");

	rc = store_check(st, false, &report, &err);
	is_int(rc, 0, "a healthy store has no problems");
	is_str(report, "", "and an empty report");
	free(report);
	report = NULL;

	/* Layer 2's content vanishes: image a is broken, image b and layer 1 are fine. */
	snprintf(path, sizeof(path), "layers/%s", l2 + 7);
	fs_rm_rf(at(path), NULL);
	snprintf(path, sizeof(path), "layers/%s", hexid("3", 3) + 7);
	mkdir(at(path), 0700);
	mkdir(at("tmp/debris"), 0700);
	rc = store_check(st, false, &report, &err);
	is_int(rc, 3, "three problems found");
	has_str(report, "its content", "a layer whose content is missing");
	has_str(report, l2, "naming the layer");
	has_str(report, "has no record", "a directory without a row");
	has_str(report, "left over", "tmp/ debris");
	ok(store_layer_exists(st, l2) && fs_exists(at("tmp/debris")),
	   "without repair nothing changes");
	free(report);
	report = NULL;

	rc = store_check(st, true, &report, &err);
	is_int(rc, 0, "repair leaves no problem%s%s", err ? ": " : "", err ? err->msg : "");
	has_str(report, "(repaired)", "the report says what was repaired");
	ok(!store_layer_exists(st, l2), "the broken layer's row is gone");
	is_int(store_image_get(st, id_a, &info, &err), 0, "the image using it is gone");
	is_int(store_image_get(st, id_b, &info, &err), 1, "the other image stays");
	store_image_info_release(&info);
	ok(store_layer_exists(st, l1) && store_layer_exists(st, l3), "with its layers");
	ok(!fs_exists(at(path)) && !fs_exists(at("tmp/debris")), "orphans and debris are gone");
	free(report);
	report = NULL;

	/* An image whose config file is gone. */
	snprintf(path, sizeof(path), "images/%s/config", id_b + 7);
	unlink(at(path));
	rc = store_check(st, false, &report, &err);
	is_int(rc, 1, "an image without its config is a problem");
	has_str(report, "is missing", "reported");
	free(report);
	report = NULL;
	is_int(store_check(st, true, &report, &err), 0, "repaired");
	is_int(db_int("SELECT count(*) FROM images"), 0, "by removing the image");
	is_int(db_int("SELECT count(*) FROM layers"), 0, "and its layers");
	is_int(count_entries(at("layers")), 0, "with their directories");
	store_close(st);
}

/* Each child stages and commits the same layer (and image) n times, racing the other. */
static int race_child(int n)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	const char *chain = hexid("5", 5), *id = hexid("6", 6);
	const char *layers[] = {chain};

	if (st == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		if (add_layer(st, chain, NULL, "raced", 5, &err) < 0 ||
		    add_image(st, id, layers, 1, NULL, &err) < 0 ||
		    store_image_add_name(st, id, "localhost/race:latest", &err) < 0) {
			printf("# child %d: %s\n", (int)getpid(), err->msg);
			store_close(st);
			return 1;
		}
	}
	store_close(st);
	return 0;
}

static void test_race(void)
{
	struct store *st;
	pid_t pids[2];
	int good = 0;
	char path[4096];

	fflush(stdout);
	for (int i = 0; i < 2; i++) {
		pids[i] = fork();
		if (pids[i] == 0)
			_exit(race_child(20));
	}
	for (int i = 0; i < 2; i++) {
		int status = 0;

		if (pids[i] > 0 && waitpid(pids[i], &status, 0) == pids[i] && WIFEXITED(status) &&
		    WEXITSTATUS(status) == 0)
			good++;
	}
	is_int(good, 2, "two processes commit the same layer 20 times each");
	is_int(db_int("SELECT count(*) FROM layers"), 1, "exactly one layer row");
	is_int(count_entries(at("layers")), 1, "exactly one layer directory");
	is_int(db_int("SELECT count(*) FROM images"), 1, "exactly one image row");
	is_int(count_entries(at("images")), 1, "exactly one image directory");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");
	snprintf(path, sizeof(path), "layers/%s/diff/file", hexid("5", 5) + 7);
	ok(fs_exists(at(path)), "the layer's content is complete");
	st = open_store();
	{
		_cleanup_error_ struct rcr_error *err = NULL;

		ok_done(st ? store_image_delete(st, hexid("6", 6), &err) : -1, &err,
			"and the image deletes cleanly");
	}
	store_close(st);
}

static void cleanup_top(void)
{
	ok(scratch_remove(top, &maps), "test dir removed");
}

int main(void)
{
	if (scratch_make(top, sizeof(top), "rcr-store", &maps) < 0)
		return 1;
	snprintf(root, sizeof(root), "%s/store", top);
	test_open();
	test_open_errors();
	test_layers();
	test_images();
	test_lookups();
	test_names();
	test_delete();
	test_recovery();
	test_owned_layer();
	test_killed();
	test_check();
	test_race();
	cleanup_top();
	userns_user_maps_release(&maps);
	return tap_done();
}
