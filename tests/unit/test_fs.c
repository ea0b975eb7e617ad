/* Unit tests of pkg/fs.c: mkdir -p, atomic writes (and their cleanup on failure), capped reads,
 * joins that refuse to escape, and a remove that never follows symlinks.
 *
 * Everything happens under a fresh mkdtemp dir in $TMPDIR (or /tmp), removed at the end. Checks
 * that rely on permission denials cannot work as root and are skipped there, one by one.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

static char top[1024];

/* A path under the test dir; a few rotating static buffers keep the call sites short. */
static const char *at(const char *rel)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", top, rel);
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

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode & 07777 : (mode_t)-1;
}

/* Number of entries in dir other than . and .. */
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

/* ok(), or a TAP skip of that one assertion where root ignores permissions. */
static bool skip_as_root(const char *what)
{
	if (geteuid() != 0)
		return false;
	tap_ok_at(1, __FILE__, __LINE__, "%s # SKIP root ignores permission bits", what);
	return true;
}

static void test_mkdir_p(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(fs_mkdir_p(at("m/a/b/c"), 0750, &err) == 0, "mkdir -p creates a deep path");
	is_int(mode_of(at("m/a/b/c")), 0750, "with the mode asked (umask 022)");
	is_int(mode_of(at("m/a")), 0750, "parents too");
	ok(fs_mkdir_p(at("m/a/b/c"), 0700, &err) == 0, "an existing directory is fine");
	ok(fs_mkdir_p(at("m//a///b/d/"), 0700, &err) == 0 && fs_exists(at("m/a/b/d")),
	   "repeated and trailing slashes are fine");
	ok(err == NULL, "no error set on success");

	put(at("m/file"), "x");
	ok(fs_mkdir_p(at("m/file/sub"), 0700, &err) < 0, "a file on the way is refused");
	has_str(err ? err->msg : NULL, at("m/file'"), "error names the component that is a file");
	has_str(err ? err->msg : NULL, "not a directory", "error says what is wrong");
	is_int(err ? err->code : 0, ENOTDIR, "code ENOTDIR");
	rcr_error_clear(&err);

	ok(fs_mkdir_p("", 0700, &err) < 0 && err != NULL, "an empty path is refused");
	rcr_error_clear(&err);

	mkdir(at("m/ro"), 0500);
	if (!skip_as_root("a read-only parent: error names the failing component")) {
		int rc = fs_mkdir_p(at("m/ro/x/y/z"), 0700, &err);

		ok(rc < 0 && err != NULL && strstr(err->msg, "creating directory '") != NULL &&
			   strstr(err->msg, at("m/ro/x': ")) != NULL &&
			   strstr(err->msg, "Permission denied") != NULL,
		   "a read-only parent: error names the failing component (%s)",
		   err ? err->msg : "no error");
		rcr_error_clear(&err);
	}
}

/* Several processes making the same fresh tree at once all succeed: EEXIST is not an error. */
static void test_mkdir_race(void)
{
	pid_t pids[4];
	int good = 0;

	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			int rc = 0;

			for (int k = 0; k < 50 && rc == 0; k++) {
				char p[4200];

				snprintf(p, sizeof(p), "%s/race/%d/a/b/c/d", top, k);
				rc = fs_mkdir_p(p, 0700, NULL);
			}
			_exit(rc == 0 ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int st = 0;

		if (pids[i] > 0 && waitpid(pids[i], &st, 0) == pids[i] && WIFEXITED(st) &&
		    WEXITSTATUS(st) == 0)
			good++;
	}
	is_int(good, 4, "four racing mkdir -p of the same trees all succeed");
}

static void test_write_atomic(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *back = NULL;
	size_t len = 0;

	mkdir(at("w"), 0700);
	ok(fs_write_atomic(at("w/state.json"), "{\"a\":1}", 7, 0640, &err) == 0, "atomic write");
	back = fs_read_file(at("w/state.json"), 100, &len, NULL);
	is_str(back, "{\"a\":1}", "content is there");
	is_int(mode_of(at("w/state.json")), 0640, "mode is exactly the one asked, not the umask's");
	free(steal_ptr(&back));
	ok(fs_write_atomic(at("w/state.json"), "new", 3, 0600, &err) == 0, "overwrite");
	back = fs_read_file(at("w/state.json"), 100, NULL, NULL);
	is_str(back, "new", "new content replaces the old whole");
	is_int(mode_of(at("w/state.json")), 0600, "and the mode with it");
	ok(fs_write_atomic(at("w/empty"), "", 0, 0600, &err) == 0 && fs_exists(at("w/empty")) &&
		   count_entries(at("w")) == 2,
	   "empty content works; no temporary file is left");
	ok(err == NULL, "no error set on success");

	/* Failure before the temporary file exists. */
	ok(fs_write_atomic(at("nodir/x"), "x", 1, 0600, &err) < 0, "missing directory fails");
	has_str(err ? err->msg : NULL, at("nodir/x'"), "error names the target");
	has_str(err ? err->msg : NULL, "No such file or directory", "and the cause");
	rcr_error_clear(&err);

	/* Failure after it exists: rename onto a non-empty directory; works even as root. */
	mkdir(at("w/busy"), 0700);
	put(at("w/busy/f"), "x");
	ok(fs_write_atomic(at("w/busy"), "data", 4, 0600, &err) < 0, "rename failure fails");
	has_str(err ? err->msg : NULL, "renaming", "error says the rename failed");
	is_int(count_entries(at("w")), 3, "the temporary file is removed after a failed rename");
	rcr_error_clear(&err);

	ok(fs_write_atomic(at("w/"), "x", 1, 0600, &err) < 0 && err != NULL,
	   "a path ending in '/' is refused");
	rcr_error_clear(&err);

	mkdir(at("wro"), 0500);
	if (!skip_as_root("read-only directory: write fails, no temporary file")) {
		int rc = fs_write_atomic(at("wro/x"), "x", 1, 0600, &err);

		ok(rc < 0 && count_entries(at("wro")) == 0 && err != NULL &&
			   strstr(err->msg, "Permission denied") != NULL,
		   "read-only directory: write fails, no temporary file (%s)",
		   err ? err->msg : "no error");
		rcr_error_clear(&err);
	}
}

static void test_write_relative(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_close_ int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *back = NULL;

	/* A bare name writes in the cwd, with its temporary file there too. */
	mkdir(at("rel"), 0700);
	if (chdir(at("rel")) < 0)
		return;
	ok(fs_write_atomic("plain.txt", "hi", 2, 0600, &err) == 0, "a bare file name works");
	if (cwd >= 0 && fchdir(cwd) < 0)
		return;
	back = fs_read_file(at("rel/plain.txt"), 10, NULL, NULL);
	is_str(back, "hi", "and lands in the cwd");
	is_int(count_entries(at("rel")), 1, "no temporary file left next to it");
}

static void test_read(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *big = malloc(100001);
	_cleanup_free_ char *got = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0;

	memset(big, 'q', 100000);
	big[100000] = '\0';
	put(at("r1"), big);
	got = fs_read_file(at("r1"), 100000, &len, &err);
	ok(got != NULL && len == 100000 && memcmp(got, big, len) == 0 && got[len] == '\0',
	   "a file exactly at the cap is read whole and NUL-terminated");
	free(steal_ptr(&got));
	got = fs_read_file(at("r1"), 99999, &len, &err);
	ok(got == NULL, "one byte over the cap is refused");
	has_str(err ? err->msg : NULL, "larger than the limit of 99999 bytes", "naming the limit");
	has_str(err ? err->msg : NULL, at("r1'"), "and the file");
	rcr_error_clear(&err);

	got = fs_read_file(at("nope"), 10, NULL, &err);
	ok(got == NULL && err != NULL && err->code == ENOENT, "a missing file is ENOENT");
	has_str(err ? err->msg : NULL, "reading '", "error says reading");
	rcr_error_clear(&err);

	got = fs_read_file(top, 10, NULL, &err);
	ok(got == NULL && err != NULL && err->code == EISDIR, "a directory is refused");
	rcr_error_clear(&err);

	put(at("r0"), "");
	got = fs_read_file(at("r0"), 0, &len, &err);
	ok(got != NULL && len == 0 && got[0] == '\0', "an empty file with a zero cap is fine");
	free(steal_ptr(&got));

	/* /proc files report size 0: the cap must still hold while reading. */
	got = fs_read_file("/proc/self/status", 1 << 20, &len, &err);
	ok(got != NULL && len > 0 && strstr(got, "Name:") != NULL, "a /proc file is read");
	free(steal_ptr(&got));
	got = fs_read_file("/proc/self/status", 10, &len, &err);
	ok(got == NULL && err != NULL, "a /proc file over the cap is refused while reading");
	rcr_error_clear(&err);

	fd = open(at("r1"), O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		lseek(fd, 99990, SEEK_SET);
	got = fs_read_fd(fd, 100, &len, &err);
	ok(got != NULL && len == 10 && err == NULL, "fs_read_fd reads from the current offset");
	free(steal_ptr(&got));
	rcr_error_clear(&err);
	got = fs_read_fd(-1, 100, &len, &err);
	ok(got == NULL && err != NULL && err->code == EBADF, "fs_read_fd on a bad fd fails");
	has_str(err ? err->msg : NULL, "file descriptor -1", "naming the fd");
}

static void test_read_pipe_cap(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *got = NULL;
	char chunk[1000];
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	memset(chunk, 'z', sizeof(chunk));
	for (int i = 0; i < 20; i++)
		if (write(p[1], chunk, sizeof(chunk)) < 0)
			break;
	close(p[1]);
	got = fs_read_fd(p[0], 5000, NULL, &err);
	ok(got == NULL, "a stream over the cap is refused");
	has_str(err ? err->msg : NULL, "limit of 5000 bytes", "naming the limit");
	close(p[0]);
}

static void check_join(const char *root, const char *rel, const char *want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *got = fs_join_safe(root, rel, &err);

	is_str(got, want, "join_safe('%s', '%s')", root, rel);
}

static void check_escape(const char *rel)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *got = fs_join_safe("/root/dir", rel, &err);
	char quoted[256];

	snprintf(quoted, sizeof(quoted), "'%s'", rel);
	ok(got == NULL && err != NULL, "'%s' escaping the root is refused", rel);
	has_str(err ? err->msg : NULL, quoted, "error names the relative path");
}

static void test_join_safe(void)
{
	check_join("/r", "a/b", "/r/a/b");
	check_join("/r", "/a/./b/", "/r/a/b");
	check_join("/r", "a/../b", "/r/b");
	check_join("/r", "a/b/../../c", "/r/c");
	check_join("/r", "", "/r");
	check_join("/r", ".", "/r");
	check_join("/r", "/", "/r");
	check_join("/r", "a/..", "/r");
	check_join("/r/", "a", "/r/a");
	check_join("/", "etc/passwd", "/etc/passwd");
	check_join("/r", "//a//b//", "/r/a/b");
	check_join("/r", "..a/b..", "/r/..a/b..");
	check_join("/r", ".../x", "/r/.../x");
	check_join("rel", "x", "rel/x");
	check_escape("..");
	check_escape("../etc/passwd");
	check_escape("a/../../b");
	check_escape("/../x");
	check_escape("a/b/../../..");
	check_escape("./../.");
}

static void test_path_join(void)
{
	static const char *cases[][3] = {
		{"a", "b", "a/b"}, {"a/", "b", "a/b"},	{"a//", "/b", "a/b"},
		{"/", "b", "/b"},  {"//", "//b", "/b"}, {"/a", "b/c/", "/a/b/c/"},
		{"", "b", "b"},	   {"a", "", "a"},	{"/x/y", "..", "/x/y/.."},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		_cleanup_free_ char *got = fs_path_join(cases[i][0], cases[i][1]);

		is_str(got, cases[i][2], "path_join('%s', '%s')", cases[i][0], cases[i][1]);
	}
}

/* A tree with everything a layer can hold, plus symlinks that point outside of it. */
static void make_tree(void)
{
	fs_mkdir_p(at("t/a/b/c"), 0755, NULL);
	fs_mkdir_p(at("outside/keep"), 0755, NULL);
	put(at("outside/keep/file"), "precious");
	put(at("outside/target"), "precious");
	put(at("t/a/f1"), "1");
	put(at("t/a/b/.hidden"), "h");
	put(at("t/a/b/c/f2"), "2");
	mkfifo(at("t/a/fifo"), 0600);
	(void)!symlink(at("outside"), at("t/a/link-dir"));
	(void)!symlink(at("outside/target"), at("t/a/link-file"));
	(void)!symlink("/nonexistent/dangling", at("t/a/dangling"));
	mkdir(at("t/ro"), 0755);
	put(at("t/ro/f"), "x");
	mkdir(at("t/ro/sub"), 0755);
	put(at("t/ro/sub/f"), "x");
	chmod(at("t/ro/sub"), 0555);
	chmod(at("t/ro"), 0555);
	mkdir(at("t/closed"), 0755);
	mkdir(at("t/closed/inner"), 0755);
	put(at("t/closed/inner/f"), "x");
	chmod(at("t/closed"), 0000);
	mkdir(at("t/wonly"), 0755);
	put(at("t/wonly/f"), "x");
	chmod(at("t/wonly"), 0300);
}

static void test_rm_rf(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	int rc;

	make_tree();
	rc = fs_rm_rf(at("t"), &err);
	ok(rc == 0, "rm -rf of a tree with 0555, 0000 and 0300 dirs (%s)",
	   err ? err->msg : "no error");
	ok(!fs_exists(at("t")), "the tree is gone");
	ok(fs_exists(at("outside/keep/file")), "a symlinked directory's content is untouched");
	ok(fs_exists(at("outside/target")), "a symlinked file is untouched");

	(void)!symlink(at("outside"), at("lnk"));
	ok(fs_rm_rf(at("lnk"), &err) == 0 && !fs_exists(at("lnk")), "rm of a symlink to a dir");
	ok(fs_exists(at("outside/keep/file")), "removes the link, not what it points to");

	ok(fs_rm_rf(at("does/not/exist"), &err) == 0 && err == NULL, "a missing path is success");
	put(at("plain"), "x");
	ok(fs_rm_rf(at("plain"), &err) == 0 && !fs_exists(at("plain")), "rm of a plain file");

	ok(fs_rm_rf("/", &err) < 0, "'/' is refused");
	has_str(err ? err->msg : NULL, "refusing to remove '/'", "with a message saying so");
	rcr_error_clear(&err);
	ok(fs_rm_rf("///", &err) < 0 && err != NULL, "'///' too");
	rcr_error_clear(&err);

	mkdir(at("lockparent"), 0755);
	fs_mkdir_p(at("lockparent/victim/sub"), 0755, NULL);
	chmod(at("lockparent"), 0555);
	if (!skip_as_root("a directory in a read-only parent cannot go: error names it")) {
		rc = fs_rm_rf(at("lockparent/victim"), &err);
		ok(rc < 0 && err != NULL && strstr(err->msg, at("lockparent/victim")) != NULL,
		   "a directory in a read-only parent cannot go: error names it (%s)",
		   err ? err->msg : "no error");
		rcr_error_clear(&err);
	}
	chmod(at("lockparent"), 0755);
}

static void test_exists(void)
{
	put(at("e"), "");
	(void)!symlink("/nonexistent/x", at("edangle"));
	ok(fs_exists(at("e")), "exists: a file");
	ok(fs_exists(top), "exists: a directory");
	ok(fs_exists(at("edangle")), "exists: a dangling symlink (lstat)");
	ok(!fs_exists(at("missing")), "not: a missing path");
}

static int make_top(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-fs-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	return mkdtemp(top) ? 0 : -1;
}

int main(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	int rc;

	umask(022);
	if (make_top() < 0) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_mkdir_p();
	test_mkdir_race();
	test_write_atomic();
	test_write_relative();
	test_read();
	test_read_pipe_cap();
	test_join_safe();
	test_path_join();
	test_rm_rf();
	test_exists();
	chmod(at("m/ro"), 0755);
	chmod(at("wro"), 0755);
	rc = fs_rm_rf(top, &err);
	ok(rc == 0 && !fs_exists(top), "the test directory is removed (%s)",
	   err ? err->msg : "no error");
	return tap_done();
}
