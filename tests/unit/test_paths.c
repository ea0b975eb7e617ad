/* Unit tests of pkg/paths.c: the store root and config home from the environment, the runtime
 * dir decision (and why it fell back), and the refusal of a planted runtime dir: a symlink, a dir
 * open to others, a dir owned by someone else.
 *
 * The environment is set per case; nothing outside a mkdtemp dir in $TMPDIR (or /tmp) is created.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/paths.h"
#include "tests/unit/tap.h"

static char top[1024];

static const char *at(const char *rel)
{
	static char bufs[8][2048];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", top, rel);
	return b;
}

/* The passwd home of the real uid, or NULL. */
static const char *pw_home(void)
{
	struct passwd *pw = getpwuid(getuid());

	return pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

static void check_root(const char *want, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *got = paths_store_root(&err);

	is_str(got, want, "store root: %s", what);
}

static void test_store_root(void)
{
	char want[2048];

	setenv("RCR_ROOT", "/custom/store", 1);
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	setenv("HOME", "/home/h", 1);
	check_root("/custom/store", "RCR_ROOT first");
	setenv("RCR_ROOT", "", 1);
	check_root("/xdg/data/rcr", "an empty RCR_ROOT is unset; then XDG_DATA_HOME/rcr");
	unsetenv("RCR_ROOT");
	check_root("/xdg/data/rcr", "XDG_DATA_HOME/rcr");
	setenv("XDG_DATA_HOME", "relative/data", 1);
	check_root("/home/h/.local/share/rcr", "a relative XDG_DATA_HOME is ignored (XDG spec)");
	unsetenv("XDG_DATA_HOME");
	check_root("/home/h/.local/share/rcr", "HOME/.local/share/rcr");
	setenv("HOME", "/home/h/", 1);
	check_root("/home/h/.local/share/rcr", "a trailing slash in HOME gives no double slash");
	unsetenv("HOME");
	if (pw_home() != NULL) {
		snprintf(want, sizeof(want), "%s/.local/share/rcr",
			 strcmp(pw_home(), "/") ? pw_home() : "");
		check_root(want, "HOME unset: the passwd home");
	} else {
		_cleanup_error_ struct rcr_error *err = NULL;
		_cleanup_free_ char *got = paths_store_root(&err);

		ok(got == NULL && err != NULL, "HOME unset and no passwd home: an error");
	}
}

static void test_config_home(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char *got;

	setenv("HOME", "/home/h", 1);
	setenv("XDG_CONFIG_HOME", "/xdg/cfg", 1);
	got = paths_config_home(&err);
	is_str(got, "/xdg/cfg", "config home: XDG_CONFIG_HOME");
	free(got);
	setenv("XDG_CONFIG_HOME", "cfg", 1);
	got = paths_config_home(&err);
	is_str(got, "/home/h/.config", "config home: a relative XDG_CONFIG_HOME is ignored");
	free(got);
	unsetenv("XDG_CONFIG_HOME");
	got = paths_config_home(&err);
	is_str(got, "/home/h/.config", "config home: HOME/.config");
	free(got);
	got = paths_home(&err);
	is_str(got, "/home/h", "home: HOME");
	free(got);
	unsetenv("HOME");
	got = paths_home(&err);
	is_str(got, pw_home(), "home: the passwd entry when HOME is unset");
	free(got);
}

static void test_user_name(void)
{
	_cleanup_free_ char *name = paths_user_name();
	struct passwd *pw = getpwuid(getuid());
	char want[64];

	if (pw != NULL) {
		is_str(name, pw->pw_name, "user name from passwd");
	} else {
		snprintf(want, sizeof(want), "uid %u", (unsigned)getuid());
		is_str(name, want, "user name without passwd entry");
	}
}

/* Decide with XDG_RUNTIME_DIR = xdg (NULL: unset); check the fallback reason. */
static void check_fallback(const char *xdg, const char *why, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct paths_runtime r;
	char fallback[64];

	if (xdg != NULL)
		setenv("XDG_RUNTIME_DIR", xdg, 1);
	else
		unsetenv("XDG_RUNTIME_DIR");
	snprintf(fallback, sizeof(fallback), "/tmp/rcr-run-%u", (unsigned)getuid());
	ok(paths_runtime_decide(&r, &err) == 0, "decide: %s", what);
	ok(r.source == PATHS_RUNTIME_FALLBACK, "  falls back");
	is_str(r.dir, fallback, "  to /tmp/rcr-run-UID");
	is_str(r.why_fallback, why, "  saying why");
	is_str(r.xdg, xdg, "  keeping a copy of XDG_RUNTIME_DIR");
	paths_runtime_release(&r);
	ok(r.dir == NULL && r.why_fallback == NULL && r.xdg == NULL, "  release clears it");
}

static void test_decide(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct paths_runtime r;
	char why[2200];
	char want[2200];

	check_fallback(NULL, "XDG_RUNTIME_DIR is not set", "unset");
	check_fallback("", "XDG_RUNTIME_DIR is not set", "empty");
	check_fallback("run/user", "XDG_RUNTIME_DIR 'run/user' is not an absolute path",
		       "relative");
	snprintf(why, sizeof(why), "XDG_RUNTIME_DIR '%s' does not exist", at("none"));
	check_fallback(at("none"), why, "missing");
	fs_write_atomic(at("file"), "", 0, 0600, NULL);
	snprintf(why, sizeof(why), "XDG_RUNTIME_DIR '%s' is not a directory", at("file"));
	check_fallback(at("file"), why, "a file");
	mkdir(at("open"), 0700);
	chmod(at("open"), 0777);
	snprintf(why, sizeof(why), "XDG_RUNTIME_DIR '%s' is writable by others (mode 0777)",
		 at("open"));
	check_fallback(at("open"), why, "world-writable");
	chmod(at("open"), 01770);
	snprintf(why, sizeof(why), "XDG_RUNTIME_DIR '%s' is writable by others (mode 1770)",
		 at("open"));
	check_fallback(at("open"), why, "group-writable");

	/* Someone else's: "/" when we are not root; as root, a dir handed to nobody. */
	if (getuid() != 0) {
		snprintf(why, sizeof(why), "XDG_RUNTIME_DIR '/' is owned by uid 0, not %u",
			 (unsigned)getuid());
		check_fallback("/", why, "owned by root");
	} else {
		mkdir(at("theirs"), 0700);
		if (chown(at("theirs"), 65534, 65534) == 0) {
			snprintf(why, sizeof(why),
				 "XDG_RUNTIME_DIR '%s' is owned by uid 65534, not 0", at("theirs"));
			check_fallback(at("theirs"), why, "owned by another uid");
		}
	}

	mkdir(at("xdg"), 0700);
	chmod(at("xdg"), 0700);
	setenv("XDG_RUNTIME_DIR", at("xdg"), 1);
	ok(paths_runtime_decide(&r, &err) == 0, "decide: a good XDG_RUNTIME_DIR");
	ok(r.source == PATHS_RUNTIME_XDG, "  is used");
	snprintf(want, sizeof(want), "%s/rcr", at("xdg"));
	is_str(r.dir, want, "  as XDG_RUNTIME_DIR/rcr");
	ok(r.why_fallback == NULL, "  with no fallback reason");
	ok(!fs_exists(want), "  and nothing is created by deciding");
	paths_runtime_release(&r);
	chmod(at("xdg"), 0755);
	ok(paths_runtime_decide(&r, &err) == 0 && r.source == PATHS_RUNTIME_XDG,
	   "decide: 0755 is fine (only others' write access matters)");
	paths_runtime_release(&r);
}

/* ensure on dir must be refused, with an error that contains each of the needles. */
static void check_refused(const char *dir, const char *what, const char *n1, const char *n2)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct paths_runtime r = {.dir = (char *)dir};
	char quoted[2100];
	int rc = paths_runtime_dir_ensure(&r, &err);

	snprintf(quoted, sizeof(quoted), "'%s'", dir);
	ok(rc < 0 && err != NULL, "ensure refuses %s", what);
	has_str(err ? err->msg : NULL, quoted, "  naming the path");
	has_str(err ? err->msg : NULL, "owned by uid", "  and the owner");
	has_str(err ? err->msg : NULL, n1, "  and what is wrong");
	has_str(err ? err->msg : NULL, n2, "  and the fix");
}

static void test_ensure(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct paths_runtime r = {0};
	struct stat st;
	char owner[64];

	r.dir = (char *)at("rt/new/rcr");
	ok(paths_runtime_dir_ensure(&r, &err) == 0, "ensure creates a missing dir%s%s",
	   err ? ": " : "", err ? err->msg : "");
	ok(lstat(r.dir, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	   "  as a 0700 directory");
	ok(paths_runtime_dir_ensure(&r, &err) == 0, "ensure accepts it the second time");
	ok(err == NULL, "  without an error");

	mkdir(at("good"), 0700);
	(void)!symlink(at("good"), at("planted-link"));
	check_refused(at("planted-link"), "a symlink (to a good dir of ours)", "symbolic link",
		      "remove it");
	(void)!symlink("/nonexistent/target", at("dangling"));
	check_refused(at("dangling"), "a dangling symlink", "symbolic link", "remove it");
	mkdir(at("wide"), 0700);
	chmod(at("wide"), 0777);
	check_refused(at("wide"), "a 0777 dir", "mode 0777", "remove it");
	mkdir(at("group"), 0750);
	chmod(at("group"), 0750);
	check_refused(at("group"), "a 0750 dir (group may read)", "mode 0750", "remove it");
	fs_write_atomic(at("plainfile"), "", 0, 0600, NULL);
	check_refused(at("plainfile"), "a regular file", "not a directory", "remove it");
	if (getuid() != 0) {
		snprintf(owner, sizeof(owner), "owned by uid 0, not %u", (unsigned)getuid());
		check_refused("/", "a directory owned by root", owner, "have it removed");
	} else {
		mkdir(at("theirs2"), 0700);
		if (chown(at("theirs2"), 65534, 65534) == 0)
			check_refused(at("theirs2"), "a directory owned by uid 65534",
				      "owned by uid 65534, not 0", "have it removed");
	}
	r.dir = NULL;
	ok(paths_runtime_dir_ensure(&r, &err) < 0 && err != NULL, "ensure without a dir fails");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-paths-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_store_root();
	test_config_home();
	test_user_name();
	test_decide();
	test_ensure();
	ok(fs_rm_rf(top, NULL) == 0 && !fs_exists(top), "the test directory is removed");
	return tap_done();
}
