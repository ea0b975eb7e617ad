/* Unit tests of storage/volumes.c and what volumes changed elsewhere in storage/: the migration
 * from a store without volumes (schema 2 -> 3), names (Podman's rule, random anonymous names),
 * creating a volume (row, _data, copy-up marker; a name in use with Podman's message), lookups
 * and listing, a container recording the volumes it uses (refused for a missing volume, nothing
 * stored), who uses a volume, deletion refused while in use and then done (also of files owned
 * by a subordinate id), the recovery that store_open runs on volumes/, and store_check with and
 * without repair (a row without its directory, kept while in use; a directory without a row).
 *
 * Everything happens in a fresh directory under $TMPDIR (or /tmp), removed at the end; files
 * owned by subordinate ids are made through the user's own namespace maps, so the test runs both
 * as an unprivileged user with a subuid range and as root.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

#define IMG "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define C1  "c100000000000000000000000000000000000000000000000000000000000001"
#define C2  "c200000000000000000000000000000000000000000000000000000000000002"

static const char *at(const char *rel)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", root, rel);
	return b;
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

static int add_vol(struct store *st, const char *name, bool anonymous, bool copy_up,
		   struct rcr_error **err)
{
	struct store_volume v = {.name = (char *)name, .anonymous = anonymous, .copy_up = copy_up};

	return store_volume_create(st, &v, err);
}

/* A container id using the volumes uses[0..n). */
static int add_ctr(struct store *st, const char *id, const char *name,
		   const struct store_volume_use *uses, size_t n, struct rcr_error **err)
{
	char state[] = "created", config[] = "{}";
	struct store_container c = {.id = (char *)id,
				    .name = (char *)name,
				    .image_id = (char *)IMG,
				    .created = 1,
				    .state = state,
				    .config = config,
				    .volumes = uses,
				    .n_volumes = n};

	return store_container_create(st, &c, err);
}

static void test_migration(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_image img = {.id = IMG, .config = "{}", .config_len = 2};
	struct store *st = open_store();

	if (st == NULL)
		return;
	ok_done(store_image_put(st, &img, &err), &err, "an image");
	ok_done(add_ctr(st, C1, "old", NULL, 0, &err), &err, "a container without volumes");
	store_close(st);
	is_int(db_int("PRAGMA user_version"), 3, "a new store is at schema version 3");
	db_int("DROP TABLE container_volumes");
	db_int("DROP TABLE volumes");
	db_int("PRAGMA user_version = 2");
	is_int(db_int("SELECT count(*) FROM sqlite_master WHERE name = 'volumes'"), 0,
	       "taken back to version 2, without volumes");
	st = open_store();
	ok(st != NULL, "a version 2 store opens");
	is_int(db_int("PRAGMA user_version"), 3, "and is migrated to version 3");
	is_int(db_int("SELECT count(*) FROM volumes"), 0, "with an empty volumes table");
	is_int(db_int("SELECT count(*) FROM containers"), 1, "the container is kept");
	ok(fs_exists(at("volumes")), "volumes/ exists");
	ok_done(store_container_delete(st, C1, &err), &err, "remove that container");
	store_close(st);
}

static void test_names(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct store *st = open_store();

	ok(store_volume_name_valid("a") && store_volume_name_valid("My.vol_1-x") &&
		   store_volume_name_valid("0abc"),
	   "Podman's names are valid");
	ok(!store_volume_name_valid("") && !store_volume_name_valid("_a") &&
		   !store_volume_name_valid(".a") && !store_volume_name_valid("a/b") &&
		   !store_volume_name_valid("a b") && !store_volume_name_valid("..") &&
		   !store_volume_name_valid(NULL),
	   "others are not (no path can be named)");
	if (st == NULL)
		return;
	a = store_volume_new_name(st, &err);
	b = store_volume_new_name(st, &err);
	ok(a != NULL && b != NULL && strlen(a) == 64 && strspn(a, "0123456789abcdef") == 64 &&
		   strcmp(a, b) != 0,
	   "anonymous names are 64 random hex digits");
	ok(store_volume_dir(st, "../x") == NULL && store_volume_data_path(st, "a/b") == NULL,
	   "no path for an invalid name");
	store_close(st);
}

static void test_create_get(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store_volume v = {0}, *list = NULL;
	struct store *st = open_store();
	struct stat sb;
	size_t n = 0;

	if (st == NULL)
		return;
	ok_done(add_vol(st, "data", false, true, &err), &err, "create a volume");
	ok(lstat(at("volumes/data/_data"), &sb) == 0 && S_ISDIR(sb.st_mode) &&
		   (sb.st_mode & 07777) == 0755,
	   "its _data is a 0755 directory");
	ok(fs_exists(at("volumes/data/copy-up")), "with the copy-up marker");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");
	ok(add_vol(st, "data", false, true, &err) < 0 && err != NULL && err->code == EEXIST,
	   "a name in use is EEXIST");
	is_str(err ? err->msg : NULL, "volume with name data already exists: volume already exists",
	       "  with Podman's message");
	rcr_error_clear(&err);
	ok(add_vol(st, "bad/name", false, true, &err) < 0 && err != NULL && err->code == EINVAL,
	   "an invalid name is EINVAL");
	has_str(err ? err->msg : NULL, "[a-zA-Z0-9][a-zA-Z0-9_.-]*", "  naming the rule");
	rcr_error_clear(&err);
	ok_done(add_vol(st, "plain", true, false, &err), &err, "an anonymous nocopy volume");
	ok(!fs_exists(at("volumes/plain/copy-up")), "  has no marker");

	is_int(store_volume_get(st, "data", &v, &err), 1, "get it");
	ok(v.created > 0 && !v.anonymous && v.copy_up && strcmp(v.labels, "{}") == 0 &&
		   strcmp(v.options, "{}") == 0,
	   "  created set, flags and empty labels and options");
	store_volume_release(&v);
	is_int(store_volume_get(st, "nope", &v, &err), 0, "an unknown one is 0");
	is_int(store_volume_get(st, "x/y", &v, &err), 0, "an invalid name is 0");
	ok_done(store_volume_list(st, &list, &n, &err), &err, "list");
	ok(n == 2 && strcmp(list[0].name, "data") == 0 && strcmp(list[1].name, "plain") == 0 &&
		   list[1].anonymous && !list[1].copy_up,
	   "  both, by name, with their flags");
	store_volume_free(list, n);
	store_close(st);
}

static void test_uses(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_strv_ char **users = NULL;
	struct store_volume_use want[] = {{(char *)"data", (char *)"/d", false},
					  {(char *)"plain", (char *)"/p", false}};
	struct store_volume_use missing[] = {{(char *)"ghost", (char *)"/g", false}};
	struct store_volume_use *got = NULL;
	struct store *st = open_store();
	size_t n = 0;

	if (st == NULL)
		return;
	ok(add_ctr(st, C2, "ghostly", missing, 1, &err) < 0 && err != NULL && err->code == ENOENT,
	   "a container using a missing volume is refused (ENOENT)");
	has_str(err ? err->msg : NULL, "no volume with name \"ghost\" found", "  naming it");
	rcr_error_clear(&err);
	is_int(db_int("SELECT count(*) FROM containers"), 0, "  and nothing is stored");
	is_int(count_entries(at("containers")), 0, "  no directory either");

	ok_done(add_ctr(st, C1, "user1", want, 2, &err), &err, "a container using two volumes");
	ok_done(add_ctr(st, C2, "user2", want, 1, &err), &err, "another using one");
	ok_done(store_volume_users(st, "data", &users, &err), &err, "who uses data");
	ok(users != NULL && users[0] && strcmp(users[0], C1) == 0 && users[1] &&
		   strcmp(users[1], C2) == 0 && users[2] == NULL,
	   "  both, oldest first");
	ok_done(store_container_volumes(st, C1, &got, &n, &err), &err, "the volumes of user1");
	ok(n == 2 && strcmp(got[0].dest, "/d") == 0 && strcmp(got[0].volume, "data") == 0 &&
		   !got[0].anonymous && strcmp(got[1].volume, "plain") == 0 && got[1].anonymous,
	   "  by destination, with the anonymous flag of each");
	store_volume_use_free(got, n);

	ok(store_volume_delete(st, "data", &err) < 0 && err != NULL && err->code == EBUSY,
	   "a volume in use is not deleted (EBUSY)");
	is_str(err ? err->msg : NULL,
	       "volume data is being used by the following container(s): " C1 ", " C2
	       ": volume is being used",
	       "  Podman's message, naming the containers");
	rcr_error_clear(&err);
	ok(fs_exists(at("volumes/data/_data")), "  it stays");
	ok(store_volume_delete(st, "nope", &err) < 0 && err != NULL && err->code == ENOENT,
	   "an unknown volume is ENOENT");
	is_str(err ? err->msg : NULL, "no volume with name \"nope\" found: no such volume",
	       "  Podman's message");
	rcr_error_clear(&err);

	ok_done(store_container_delete(st, C1, &err), &err, "remove user1");
	ok_done(store_container_delete(st, C2, &err), &err, "remove user2");
	is_int(db_int("SELECT count(*) FROM container_volumes"), 0, "their uses went with them");
	ok_done(store_volume_delete(st, "plain", &err), &err, "now plain can go");
	ok(!fs_exists(at("volumes/plain")), "  its directory too");
	store_close(st);
}

/* In the user namespace (or as root): a file in a directory owned by container uid 1. */
static int make_owned(void *arg, char *msg)
{
	char sub[4200], file[4300];
	FILE *f;

	snprintf(sub, sizeof(sub), "%s/sub", (const char *)arg);
	snprintf(file, sizeof(file), "%s/f", sub);
	if (mkdir(sub, 0755) < 0 || (f = fopen(file, "we")) == NULL) {
		snprintf(msg, USERNS_MSG_MAX, "mkdir sub: %s", strerror(errno));
		return 1;
	}
	fclose(f);
	if (chown(file, 1, 1) < 0 || chown(sub, 1, 1) < 0 || chmod(sub, 0555) < 0) {
		snprintf(msg, USERNS_MSG_MAX, "chown sub/f: %s", strerror(errno));
		return 1;
	}
	return 0;
}

static void test_delete_owned(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct store *st = open_store();
	char msg[USERNS_MSG_MAX] = "";
	int rc;

	if (st == NULL)
		return;
	if (geteuid() == 0)
		rc = make_owned((void *)at("volumes/data/_data"), msg) == 0 ? 0 : -1;
	else if (userns_map_is_single(&maps.uid))
		rc = 1;
	else
		rc = userns_run(&maps.uid, &maps.gid, maps.newuidmap, maps.newgidmap, 0, make_owned,
				(void *)at("volumes/data/_data"), &err);
	if (rc == 1)
		tap_ok_at(1, __FILE__, __LINE__,
			  "_data holds files of a subordinate id # SKIP no subordinate ids here");
	else
		ok_done(rc, &err, "_data holds files of a subordinate id");
	ok_done(store_volume_delete(st, "data", &err), &err, "delete the volume");
	ok(!fs_exists(at("volumes/data")), "its directory is gone");
	is_int(count_entries(at("tmp")), 0, "nothing left in tmp/");
	is_int(db_int("SELECT count(*) FROM volumes"), 0, "no rows left");
	store_close(st);
}

static void test_recovery_check(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *report = NULL, *report2 = NULL;
	struct store_volume_use use[] = {{(char *)"inuse", (char *)"/u", false}};
	struct store *st = NULL;
	int rc;

	/* A create killed after its rename, before its commit, and one killed before it. */
	fs_mkdir_p(at("volumes/orphan/_data"), 0700, NULL);
	fs_mkdir_p(at("tmp/vol-abcdef/_data"), 0700, NULL);
	st = open_store();
	if (st == NULL)
		return;
	ok(!fs_exists(at("volumes/orphan")), "store_open removes a volume directory without a row");
	ok(!fs_exists(at("tmp/vol-abcdef")), "  and a killed create's staging");

	ok_done(add_vol(st, "lost", false, true, &err), &err, "a volume");
	ok_done(add_vol(st, "inuse", false, true, &err), &err, "another");
	ok_done(add_vol(st, "fine", false, true, &err), &err, "a third");
	ok_done(add_ctr(st, C1, "holder", use, 1, &err), &err, "a container using the second");
	fs_rm_rf(at("volumes/lost"), NULL);
	fs_rm_rf(at("volumes/inuse/_data"), NULL);
	fs_mkdir_p(at("volumes/stray/_data"), 0700, NULL);
	rc = store_check(st, false, &report, &err);
	is_int(rc, 3, "check finds three problems%s%s", err ? ": " : "", err ? err->msg : "");
	has_str(report, "volume lost: its directory", "  a row without its directory");
	has_str(report, "volume inuse: its directory", "  another (in use)");
	has_str(report, "volumes/stray' has no record in the database", "  a directory, no row");
	ok(fs_exists(at("volumes/stray")), "  nothing removed without repair");

	rc = store_check(st, true, &report2, &err);
	is_int(rc, 1, "repair leaves one problem%s%s", err ? ": " : "", err ? err->msg : "");
	has_str(report2, "volume lost: its directory '", "  the report names the first");
	has_str(report2, "(repaired)", "  marked repaired");
	ok(strstr(report2, "volume inuse: its directory") != NULL &&
		   strstr(strstr(report2, "volume inuse"), "\n") != NULL,
	   "  the volume in use stays reported");
	is_int(db_int("SELECT count(*) FROM volumes WHERE name = 'lost'"), 0,
	       "  lost's row is gone");
	is_int(db_int("SELECT count(*) FROM volumes WHERE name = 'inuse'"), 1,
	       "  inuse's row is kept (its container needs it)");
	ok(!fs_exists(at("volumes/stray")) && fs_exists(at("volumes/inuse")),
	   "  the stray directory is gone, inuse's stays");
	ok(fs_exists(at("volumes/fine/_data")), "  a healthy volume is untouched");
	ok_done(store_container_delete(st, C1, &err), &err, "remove the container");
	ok_done(store_volume_delete(st, "inuse", &err), &err, "then the broken volume");
	ok_done(store_volume_delete(st, "fine", &err), &err, "and the last");
	store_close(st);
}

int main(void)
{
	if (scratch_make(top, sizeof(top), "rcr-store-vol", &maps) < 0)
		return 1;
	snprintf(root, sizeof(root), "%s/store", top);
	test_migration();
	test_names();
	test_create_get();
	test_uses();
	test_delete_owned();
	test_recovery_check();
	ok(scratch_remove(top, &maps), "test dir removed");
	userns_user_maps_release(&maps);
	return tap_done();
}
