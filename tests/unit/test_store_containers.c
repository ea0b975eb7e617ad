/* Unit tests of storage/containers.c and what it changed elsewhere in storage/: the migration
 * from a store without containers, creating containers (their directory and row), lookups by id,
 * prefix and name, unique names with Podman's message, renaming, listing, state and config,
 * deletion (also of files owned by a subordinate id), an image in use refused, the recovery that
 * store_open runs on containers/ and tmp/, store_check with and without repair, and a create
 * racing another process's recovery.
 *
 * Everything happens in a fresh directory under $TMPDIR (or /tmp), removed at the end; files
 * owned by subordinate ids are made and removed through the user's own namespace maps, so the
 * test runs both as an unprivileged user with a subuid range and as root.
 */
#include <errno.h>
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

#define IN_USE_MSG(n)                                                                              \
	"the container name \"" n "\" is already in use by %s. You have to remove that "           \
	"container to be able to reuse that name: that name is already in use"

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

/* prefix + n in hex, 64 digits in all (a container id); with sha, "sha256:" before. */
static const char *hexid(bool sha, const char *prefix, unsigned n)
{
	static char bufs[64][80];
	static int next;
	char *b = bufs[next++ % 64];

	snprintf(b, sizeof(bufs[0]), "%s%s%0*x", sha ? "sha256:" : "", prefix,
		 (int)(64 - strlen(prefix)), n);
	return b;
}

static const char *ctr_path(const char *id, const char *sub)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/containers/%s%s%s", root, id, sub ? "/" : "",
		 sub ? sub : "");
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

/* Run sql on the store's database with a connection of our own; the first column of the first
 * row as an integer (-999 when none). */
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

static int add_layer(struct store *st, const char *chain, struct rcr_error **err)
{
	struct store_layer l = {.compressed_size = 1, .size = 1};
	struct store_staging *s = NULL;

	snprintf(l.chain_id, sizeof(l.chain_id), "%s", chain);
	snprintf(l.diff_id, sizeof(l.diff_id), "%s", chain);
	if (store_layer_stage(st, &s, err) < 0)
		return -1;
	return store_layer_commit(st, s, &l, err);
}

static int add_image(struct store *st, const char *id, const char *const *layers, size_t n,
		     struct rcr_error **err)
{
	struct store_image img = {
		.id = id,
		.config = "{}",
		.config_len = 2,
		.layers = layers,
		.n_layers = n,
	};

	return store_image_put(st, &img, err);
}

/* A container named name with id id from image, created at created ns. */
static int add_ctr(struct store *st, const char *id, const char *name, const char *image,
		   long long created, struct rcr_error **err)
{
	char image_name[] = "docker.io/library/busybox:latest", command[] = "sh -c true";
	char state[] = "created", config[] = "{\"x\":1}";
	/* The struct is the store's output type too, hence char *: borrowed here. */
	struct store_container c = {
		.id = (char *)id,
		.name = (char *)name,
		.image_id = (char *)image,
		.image_name = image_name,
		.command = command,
		.created = created,
		.state = state,
		.config = config,
	};

	return store_container_create(st, &c, err);
}

/* The image every test uses, with no layers, and a second one. */
#define IMG  hexid(true, "1111", 1)
#define IMG2 hexid(true, "2222", 2)

/* A store at the previous schema version (1: no containers) with an image migrates and keeps
 * it. */
static void test_migration(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_image_info info = {0};
	struct store *st = open_store();

	if (st == NULL)
		return;
	ok_done(add_image(st, IMG, NULL, 0, &err), &err, "an image");
	ok_done(store_image_add_name(st, IMG, "docker.io/library/busybox:latest", &err), &err,
		"named");
	store_close(st);
	is_int(db_int("PRAGMA user_version"), 3, "a new store is at schema version 3");
	db_int("DROP TABLE container_volumes");
	db_int("DROP TABLE volumes");
	db_int("DROP TABLE containers");
	db_int("PRAGMA user_version = 1");
	is_int(db_int("PRAGMA user_version"), 1, "taken back to version 1");
	is_int(db_int("SELECT count(*) FROM sqlite_master WHERE name = 'containers'"), 0,
	       "without the containers table");

	st = open_store();
	ok(st != NULL, "a version 1 store opens");
	is_int(db_int("PRAGMA user_version"), 3, "and is migrated to version 3");
	is_int(db_int("SELECT count(*) FROM containers"), 0, "with an empty containers table");
	is_int(st ? store_image_get(st, "docker.io/library/busybox:latest", &info, &err) : -1, 1,
	       "the image is kept");
	is_str(info.id, IMG, "the same image");
	store_image_info_release(&info);
	ok(fs_exists(at("containers")), "containers/ exists");
	store_close(st);
}

static void test_create_get(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_container c = {0};
	struct store *st = open_store();
	_cleanup_free_ char *id = NULL, *dir = NULL;
	char prefix[8];
	struct stat sb;

	if (st == NULL)
		return;
	id = store_container_new_id(st, &err);
	ok(id != NULL && strlen(id) == 64 && strspn(id, "0123456789abcdef") == 64,
	   "a new id is 64 lowercase hex%s%s", err ? ": " : "", err ? err->msg : "");
	if (id == NULL)
		return;
	{
		_cleanup_free_ char *other = store_container_new_id(st, &err);

		ok(other != NULL && strcmp(other, id) != 0, "and another one differs");
	}
	ok_done(add_ctr(st, id, "web", IMG, 1000, &err), &err, "create a container");
	dir = store_container_dir(st, id);
	is_str(dir, ctr_path(id, NULL), "its directory is containers/<id>");
	ok(store_container_dir(st, "../x") == NULL, "no directory for a bad id");
	ok(stat(ctr_path(id, "upper"), &sb) == 0 && S_ISDIR(sb.st_mode) &&
		   (sb.st_mode & 07777) == 0755,
	   "upper/ is 0755");
	ok(stat(ctr_path(id, "work"), &sb) == 0 && (sb.st_mode & 07777) == 0700, "work/ is 0700");
	ok(stat(ctr_path(id, "userdata"), &sb) == 0 && (sb.st_mode & 07777) == 0700,
	   "userdata/ is 0700");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");

	is_int(store_container_get(st, id, &c, &err), 1, "get by full id");
	is_str(c.id, id, "id");
	is_str(c.name, "web", "name");
	is_str(c.image_id, IMG, "image id");
	is_str(c.image_name, "docker.io/library/busybox:latest", "image name");
	is_str(c.command, "sh -c true", "command");
	is_int(c.created, 1000, "created");
	is_str(c.state, "created", "state");
	is_str(c.config, "{\"x\":1}", "config");
	store_container_release(&c);
	store_container_release(&c);
	store_container_release(NULL);
	snprintf(prefix, sizeof(prefix), "%.5s", id);
	is_int(store_container_get(st, prefix, &c, &err), 1, "get by a prefix");
	is_str(c.id, id, "the right one");
	store_container_release(&c);
	is_int(store_container_get(st, "web", &c, &err), 1, "get by name");
	is_str(c.id, id, "the right one");
	store_container_release(&c);
	is_int(store_container_get(st, "nope", &c, &err), 0, "an unknown name is not found");
	is_int(store_container_get(st, "", &c, &err), 0, "nor is an empty key");
	ok(err == NULL && c.id == NULL, "not found is no error");
	store_close(st);
}

static void test_create_errors(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_container c = {0};
	struct store *st = open_store();
	char want[512];

	if (st == NULL)
		return;
	is_int(store_container_get(st, "web", &c, &err), 1, "the container from before");
	ok(add_ctr(st, hexid(false, "c", 1), "web", IMG, 2000, &err) < 0,
	   "a second container named web is refused");
	is_int(err ? err->code : 0, EEXIST, "with EEXIST");
	snprintf(want, sizeof(want), IN_USE_MSG("web"), c.id ? c.id : "?");
	is_str(err ? err->msg : NULL, want, "and Podman's message");
	rcr_error_clear(&err);
	is_int(count_entries(at("containers")), 1, "no directory is left");
	is_int(count_entries(at("tmp")), 0, "nor anything in tmp/");

	ok(add_ctr(st, c.id ? c.id : "", "other", IMG, 2000, &err) < 0, "a second id is refused");
	is_int(err ? err->code : 0, EEXIST, "with EEXIST");
	rcr_error_clear(&err);
	ok(add_ctr(st, hexid(false, "c", 1), "/bad", IMG, 2000, &err) < 0,
	   "an invalid name is refused");
	has_str(err ? err->msg : NULL, "names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*", "as Podman");
	rcr_error_clear(&err);
	ok(add_ctr(st, "ABC", "x", IMG, 2000, &err) < 0, "an invalid id is refused");
	rcr_error_clear(&err);
	ok(add_ctr(st, hexid(false, "c", 1), "x", hexid(true, "9", 9), 2000, &err) < 0,
	   "a container of an image not stored is refused");
	is_int(err ? err->code : 0, ENOENT, "with ENOENT");
	has_str(err ? err->msg : NULL, "is not stored", "saying so");
	rcr_error_clear(&err);
	is_int(count_entries(at("containers")), 1, "still one directory");
	is_int(db_int("SELECT count(*) FROM containers"), 1, "and one row");
	store_container_release(&c);
	store_close(st);
}

static void test_prefix_rename(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_container c = {0};
	struct store *st = open_store();
	const char *a = hexid(false, "ab00", 1), *b = hexid(false, "ab00", 2);
	char want[512];

	if (st == NULL)
		return;
	ok_done(add_ctr(st, a, "alpha", IMG, 3000, &err), &err, "container ab00..1");
	ok_done(add_ctr(st, b, "beta", IMG, 4000, &err), &err, "container ab00..2");
	is_int(store_container_get(st, "ab", &c, &err), -1, "an ambiguous prefix is an error");
	is_str(err ? err->msg : NULL, "more than one result for container 'ab': use a longer id",
	       "with Podman's wording");
	rcr_error_clear(&err);
	is_int(store_container_get(st, b, &c, &err), 1, "a full id is unique");
	is_str(c.name, "beta", "the right one");
	store_container_release(&c);

	/* An exact name beats a prefix. */
	ok_done(store_container_rename(st, a, "ab", &err), &err, "rename alpha to ab");
	is_int(store_container_get(st, "ab", &c, &err), 1, "ab is now a name");
	is_str(c.id, a, "the named one wins over the prefix");
	store_container_release(&c);
	is_int(store_container_get(st, "alpha", &c, &err), 0, "the old name is gone");

	ok(store_container_rename(st, a, "beta", &err) < 0, "renaming to a name in use fails");
	is_int(err ? err->code : 0, EEXIST, "with EEXIST");
	snprintf(want, sizeof(want), IN_USE_MSG("beta"), b);
	is_str(err ? err->msg : NULL, want, "and Podman's message");
	rcr_error_clear(&err);
	ok_done(store_container_rename(st, b, "beta", &err), &err,
		"renaming to its own name is fine");
	ok(store_container_rename(st, hexid(false, "f", 0), "zz", &err) < 0,
	   "renaming an unknown container fails");
	is_int(err ? err->code : 0, ENOENT, "with ENOENT");
	rcr_error_clear(&err);
	ok(store_container_rename(st, a, "no way", &err) < 0, "an invalid new name fails");
	rcr_error_clear(&err);
	store_close(st);
}

static void test_list_state(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_container c = {0}, *v = NULL;
	_cleanup_strv_ char **ids = NULL;
	struct store *st = open_store();
	const char *a = hexid(false, "ab00", 1), *b = hexid(false, "ab00", 2);
	size_t n = 0;

	if (st == NULL)
		return;
	ok_done(store_container_list(st, &v, &n, &err), &err, "list");
	is_int(n, 3, "three containers");
	is_str(n == 3 ? v[0].id : NULL, b, "newest first");
	is_str(n == 3 ? v[1].id : NULL, a, "then older");
	is_str(n == 3 ? v[2].name : NULL, "web", "oldest last");
	store_container_free(v, n);

	ok_done(store_container_set_state(st, a, "removing", &err), &err, "set the state");
	store_container_get(st, a, &c, &err);
	is_str(c.state, "removing", "the state is stored");
	store_container_release(&c);
	ok_done(store_container_set_config(st, a, "{\"y\":2}", &err), &err, "set the config");
	store_container_get(st, a, &c, &err);
	is_str(c.config, "{\"y\":2}", "the config is stored");
	store_container_release(&c);
	ok(store_container_set_state(st, hexid(false, "f", 0), "x", &err) < 0,
	   "the state of an unknown container");
	is_int(err ? err->code : 0, ENOENT, "is ENOENT");
	rcr_error_clear(&err);
	ok(store_container_set_config(st, hexid(false, "f", 0), "{}", &err) < 0,
	   "the config of an unknown container");
	is_int(err ? err->code : 0, ENOENT, "is ENOENT");
	rcr_error_clear(&err);

	ok_done(store_image_containers(st, IMG, &ids, &err), &err, "containers of the image");
	{
		bool three = ids != NULL && ids[0] != NULL && ids[1] != NULL && ids[2] != NULL &&
			     ids[3] == NULL;

		ok(three, "three of them");
		ok(three && strcmp(ids[1], a) == 0 && strcmp(ids[2], b) == 0, "oldest first");
	}
	strv_free(ids);
	ids = NULL;
	ok_done(add_image(st, IMG2, NULL, 0, &err), &err, "a second image");
	ok_done(store_image_containers(st, IMG2 + 7, &ids, &err), &err,
		"containers of the second image, by hex");
	ok(ids != NULL && ids[0] == NULL, "an empty list");
	store_close(st);
}

static void test_image_refused(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_container c = {0};
	struct store_image_info info = {0};
	struct store *st = open_store();
	char want[512];

	if (st == NULL)
		return;
	store_container_get(st, "web", &c, &err);
	ok(store_image_delete(st, IMG, &err) < 0, "deleting an image in use fails");
	is_int(err ? err->code : 0, EBUSY, "with EBUSY");
	snprintf(want, sizeof(want),
		 "image used by %s: image is in use by a container: consider listing external "
		 "containers and force-removing image",
		 c.id ? c.id : "?");
	is_str(err ? err->msg : NULL, want, "and Podman's message, naming the oldest container");
	rcr_error_clear(&err);
	is_int(store_image_get(st, IMG, &info, &err), 1, "the image stays");
	store_image_info_release(&info);
	store_container_release(&c);
	ok_done(store_image_delete(st, IMG2, &err), &err, "an unused image deletes");
	store_close(st);
}

/* In the user namespace (or as root): a file and directory in arg owned by container uid 1 (a
 * subordinate id on the host), which the user alone cannot remove. */
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

static int owned_in(const char *dir, struct rcr_error **err)
{
	char msg[USERNS_MSG_MAX] = "";

	if (geteuid() == 0) {
		int rc = make_owned((void *)dir, msg);

		if (rc != 0)
			printf("# %s\n", msg);
		return rc == 0 ? 0 : -1;
	}
	if (userns_map_is_single(&maps.uid))
		return 1;
	return userns_run(&maps.uid, &maps.gid, maps.newuidmap, maps.newgidmap, 0, make_owned,
			  (void *)dir, err);
}

static void test_delete(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_container c = {0}, gone = {0};
	struct store *st = open_store();
	const char *a = hexid(false, "ab00", 1), *b = hexid(false, "ab00", 2);
	char file[4300];
	struct stat sb;
	int rc;

	if (st == NULL)
		return;
	store_container_get(st, "web", &c, &err);
	rc = owned_in(ctr_path(a, "upper"), &err);
	if (rc == 1) {
		tap_ok_at(1, __FILE__, __LINE__,
			  "upper/ holds files of a subordinate id # SKIP no subordinate ids here");
	} else {
		ok_done(rc, &err, "upper/ holds files of a subordinate id");
		snprintf(file, sizeof(file), "%s/sub/f", ctr_path(a, "upper"));
		ok(lstat(file, &sb) == 0 && (geteuid() == 0 || sb.st_uid != getuid()),
		   "owned by another id");
	}
	put(ctr_path(b, "userdata/config.json"), "{}");

	ok_done(store_container_delete(st, a, &err), &err, "delete a container");
	is_int(store_container_get(st, a, &gone, &err), 0, "its row is gone");
	ok(!fs_exists(ctr_path(a, NULL)), "its directory is gone");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");
	ok_done(store_container_delete(st, a, &err), &err, "deleting it again is fine");
	ok(store_container_delete(st, "x", &err) < 0, "a bad id is an error");
	rcr_error_clear(&err);
	ok_done(store_container_delete(st, b, &err), &err, "delete another");
	ok(!fs_exists(ctr_path(b, NULL)), "its directory is gone too");
	ok_done(store_container_delete(st, c.id, &err), &err, "and the last");
	is_int(db_int("SELECT count(*) FROM containers"), 0, "no rows left");
	is_int(count_entries(at("containers")), 0, "no directories left");
	ok_done(store_image_delete(st, IMG, &err), &err, "the image can go now");
	store_container_release(&c);
	store_close(st);
}

static void test_recovery(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st1 = open_store(), *st2 = NULL;
	struct store_lock *lk = NULL;
	const char *orphan = hexid(false, "dead", 1), *kept = hexid(false, "beef", 1);
	int rc;

	if (st1 == NULL)
		return;
	ok_done(add_image(st1, IMG, NULL, 0, &err), &err, "an image again");
	ok_done(add_ctr(st1, kept, "kept", IMG, 1, &err), &err, "a container");
	/* A create killed after its rename, before its commit; with mapped owners if we can. */
	fs_mkdir_p(ctr_path(orphan, "upper"), 0700, NULL);
	rc = owned_in(ctr_path(orphan, "upper"), &err);
	ok(rc >= 0, "an orphan directory in containers/%s%s", err ? ": " : "", err ? err->msg : "");
	rcr_error_clear(&err);
	/* A create killed before its rename. */
	fs_mkdir_p(at("tmp/ctr-abcdef/upper"), 0700, NULL);

	ok_done(store_commit_lock(st1, &lk, &err), &err, "take the commit lock");
	st2 = open_store();
	ok(st2 != NULL && !fs_exists(at("tmp/ctr-abcdef")), "tmp/ debris is removed");
	ok(fs_exists(ctr_path(orphan, NULL)), "the orphan stays while the commit lock is busy");
	store_close(st2);
	store_lock_release(lk);

	st2 = open_store();
	ok(st2 != NULL && !fs_exists(ctr_path(orphan, NULL)),
	   "a container directory without a row is removed");
	ok(fs_exists(ctr_path(kept, "upper")), "one with a row stays");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");
	store_close(st2);
	store_close(st1);
}

static void test_check(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *report = NULL;
	struct store_container c = {0};
	struct store *st = open_store();
	const char *kept = hexid(false, "beef", 1), *orphan = hexid(false, "dead", 2);
	const char *layer = hexid(true, "3333", 3), *img = hexid(true, "4444", 4);
	const char *layers[] = {layer};
	char path[4096];
	int rc;

	if (st == NULL)
		return;
	rc = store_check(st, false, &report, &err);
	is_int(rc, 0, "a healthy store with a container has no problems%s%s", err ? ": " : "",
	       err ? err->msg : "");
	free(report);
	report = NULL;

	fs_rm_rf(ctr_path(kept, NULL), NULL);
	fs_mkdir_p(ctr_path(orphan, "work"), 0700, NULL);
	rc = store_check(st, false, &report, &err);
	is_int(rc, 2, "two problems");
	has_str(report, "container ", "a container");
	has_str(report, kept, "named by id");
	has_str(report, "(kept): its directory", "and name");
	has_str(report, "is missing", "whose directory is missing");
	has_str(report, "has no record", "and a directory without a row");
	is_int(db_int("SELECT count(*) FROM containers"), 1, "without repair the row stays");
	free(report);
	report = NULL;

	rc = store_check(st, true, &report, &err);
	is_int(rc, 0, "repair leaves no problem%s%s", err ? ": " : "", err ? err->msg : "");
	has_str(report, "is missing (repaired)", "the row is repaired");
	is_int(db_int("SELECT count(*) FROM containers"), 0, "by removing it");
	ok(!fs_exists(ctr_path(orphan, NULL)), "and the orphan is gone");
	free(report);
	report = NULL;

	/* A broken image a container uses stays, with its layer, as Podman without --force. */
	ok_done(add_layer(st, layer, &err), &err, "a layer");
	ok_done(add_image(st, img, layers, 1, &err), &err, "an image on it");
	ok_done(add_ctr(st, kept, "user", img, 5, &err), &err, "a container of it");
	snprintf(path, sizeof(path), "layers/%s", layer + 7);
	fs_rm_rf(at(path), NULL);
	rc = store_check(st, true, &report, &err);
	is_int(rc, 1, "a broken layer of an image in use stays a problem%s%s", err ? ": " : "",
	       err ? err->msg : "");
	is_int(store_container_get(st, kept, &c, &err), 1, "the container stays");
	store_container_release(&c);
	is_int(db_int("SELECT count(*) FROM images"), 2, "its image stays");
	is_int(db_int("SELECT count(*) FROM layers"), 1, "with its layer");
	ok_done(store_container_delete(st, kept, &err), &err, "remove the container");
	free(report);
	report = NULL;
	rc = store_check(st, true, &report, &err);
	is_int(rc, 0, "then repair removes the image");
	is_int(db_int("SELECT count(*) FROM images"), 1, "only the healthy image is left");
	is_int(db_int("SELECT count(*) FROM layers"), 0, "and no layer");
	store_close(st);
}

/* A child creates containers while the parent opens the store again and again (each open runs
 * the recovery): no container may lose its directory. */
static void test_race(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *report = NULL;
	const int n = 25;
	int status = 0;
	pid_t pid;
	struct store *st;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		st = open_store();
		for (int i = 0; st != NULL && i < n; i++) {
			char name[32];

			snprintf(name, sizeof(name), "race%d", i);
			if (add_ctr(st, hexid(false, "7", (unsigned)i), name, IMG, i, &err) < 0) {
				printf("# child: %s\n", err->msg);
				_exit(1);
			}
		}
		store_close(st);
		_exit(st == NULL);
	}
	for (int i = 0; i < 3 * n; i++)
		store_close(open_store());
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "%d containers created while other calls recover", n);
	is_int(db_int("SELECT count(*) FROM containers"), n, "every row is there");
	is_int(count_entries(at("containers")), n, "and every directory");
	st = open_store();
	is_int(st ? store_check(st, false, &report, &err) : -1, 0, "store_check agrees");
	if (report != NULL && report[0] != '\0')
		printf("# %s", report);
	for (int i = 0; st != NULL && i < n; i++)
		store_container_delete(st, hexid(false, "7", (unsigned)i), &err);
	is_int(count_entries(at("containers")), 0, "all deleted");
	store_close(st);
}

static void cleanup_top(void)
{
	ok(scratch_remove(top, &maps), "test dir removed");
}

int main(void)
{
	if (scratch_make(top, sizeof(top), "rcr-store-ctr", &maps) < 0)
		return 1;
	snprintf(root, sizeof(root), "%s/store", top);
	test_migration();
	test_create_get();
	test_create_errors();
	test_prefix_rename();
	test_list_state();
	test_image_refused();
	test_delete();
	test_recovery();
	test_check();
	test_race();
	cleanup_top();
	userns_user_maps_release(&maps);
	return tap_done();
}
