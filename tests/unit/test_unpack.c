/* Unit tests of image/unpack.c: layers built here with libarchive's writer (then gzip- or
 * zstd-compressed with zlib and libzstd) are unpacked, and the result is checked on disk: file
 * content, modes with setuid, symlinks, hardlinks, directories and their times, the diff_id of
 * every compression, whiteouts and opaque directories, refused escapes (each error naming its
 * entry), and owners mapped through the user's namespace.
 *
 * Runs as root and as an unprivileged user with or without a subuid range; the one check that
 * needs a range is skipped (with the reason) without one. Everything lives under a mkdtemp dir in
 * $TMPDIR (or /tmp), removed at the end from inside the user's namespace, where files owned by
 * subordinate ids can be removed.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "image/digest.h"
#include "image/unpack.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/userns.h"
#include "tests/unit/tap.h"

static char top[1024];
static struct userns_user_maps maps;

/* A path under the test dir; a few rotating static buffers keep the call sites short. */
static const char *at(const char *rel)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s", top, rel);
	return b;
}

/* ---- Building layers --------------------------------------------------------------------- */

enum { HARDLINK = 1 };

struct ent {
	const char *path;
	int type; /* AE_IF*, or 0 for a hardlink */
	mode_t perm;
	const char *data; /* file content, symlink target or hardlink target */
	long long uid, gid;
	time_t mtime; /* 0: a fixed default */
	const char *xname, *xval;
	dev_t rdev;
};

struct tarb {
	struct archive *a;
	unsigned char *buf;
	size_t used;
	long long file_bytes; /* what unpack_result.size should say */
};

#define TAR_CAP (1 << 20)

static void tb_open(struct tarb *t)
{
	memset(t, 0, sizeof(*t));
	t->buf = malloc(TAR_CAP);
	t->a = archive_write_new();
	archive_write_set_format_pax(t->a);
	archive_write_open_memory(t->a, t->buf, TAR_CAP, &t->used);
}

static void tb_add(struct tarb *t, const struct ent *e)
{
	struct archive_entry *ae = archive_entry_new();
	size_t len = e->data ? strlen(e->data) : 0;

	archive_entry_set_pathname(ae, e->path);
	archive_entry_set_uid(ae, e->uid);
	archive_entry_set_gid(ae, e->gid);
	archive_entry_set_mtime(ae, e->mtime ? e->mtime : 1700000000, 0);
	if (e->type == 0) {
		archive_entry_set_filetype(ae, AE_IFREG);
		archive_entry_set_perm(ae, 0644);
		archive_entry_set_hardlink(ae, e->data);
		archive_entry_set_size(ae, 0);
	} else {
		archive_entry_set_filetype(ae, (unsigned)e->type);
		archive_entry_set_perm(ae, e->perm);
		if (e->type == AE_IFLNK)
			archive_entry_set_symlink(ae, e->data);
		if (e->type == AE_IFCHR || e->type == AE_IFBLK)
			archive_entry_set_rdev(ae, e->rdev);
		archive_entry_set_size(ae, e->type == AE_IFREG ? (la_int64_t)len : 0);
	}
	if (e->xname != NULL)
		archive_entry_xattr_add_entry(ae, e->xname, e->xval, strlen(e->xval));
	archive_write_header(t->a, ae);
	if (e->type == AE_IFREG && len > 0) {
		archive_write_data(t->a, e->data, len);
		t->file_bytes += (long long)len;
	}
	archive_entry_free(ae);
}

/* Finish the tar (with libarchive's default padding to a 10240-byte record: trailing zeros
 * that the tar reader never needs, but the diff_id must cover). */
static size_t tb_close(struct tarb *t)
{
	archive_write_close(t->a);
	archive_write_free(t->a);
	return t->used;
}

static unsigned char *gzip_of(const unsigned char *in, size_t n, size_t *out_n)
{
	z_stream z;
	unsigned char *out = malloc(n + 1024);

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)(n + 1024);
	deflate(&z, Z_FINISH);
	*out_n = z.total_out;
	deflateEnd(&z);
	return out;
}

static unsigned char *zstd_of(const unsigned char *in, size_t n, size_t *out_n)
{
	size_t cap = ZSTD_compressBound(n);
	unsigned char *out = malloc(cap);

	*out_n = ZSTD_compress(out, cap, in, n, 3);
	return out;
}

static void write_blob(const char *path, const void *data, size_t n)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	if (fs_write_atomic(path, data, n, 0644, &err) < 0)
		printf("# writing %s: %s\n", path, err->msg);
}

/* Unpack blob into a fresh directory top/dest (made here) in this process. */
static int unpack_blob(const void *blob, size_t n, enum layer_compression c, const char *dest,
		       struct unpack_result *res, struct rcr_error **err)
{
	struct unpack_opts o = {.compression = c, .keep_owners = geteuid() == 0};
	_cleanup_close_ int fd = -1;

	write_blob(at("blob"), blob, n);
	mkdir(at(dest), 0755);
	fd = open(at("blob"), O_RDONLY | O_CLOEXEC);
	memset(res, 0, sizeof(*res));
	return unpack_layer(fd, at(dest), &o, res, err);
}

/* ---- Looking at the result --------------------------------------------------------------- */

static char *slurp(const char *path)
{
	return fs_read_file(path, 1 << 20, NULL, NULL);
}

static bool content_is(const char *path, const char *want)
{
	_cleanup_free_ char *got = slurp(path);

	return got != NULL && strcmp(got, want) == 0;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 ? st.st_mode : (mode_t)-1;
}

static bool xattr_is(const char *path, const char *name, const char *want)
{
	char buf[64] = "";
	ssize_t n = lgetxattr(path, name, buf, sizeof(buf) - 1);

	return n >= 0 && (size_t)n == strlen(want) && memcmp(buf, want, (size_t)n) == 0;
}

/* ok() for a call that must succeed, with its error when it did not (err is read through a
 * pointer, after the call: argument order is unspecified). */
static void ok_done(int rc, struct rcr_error *const *err, const char *what)
{
	ok(rc == 0, "%s%s%s", what, *err ? ": " : "", *err ? (*err)->msg : "");
}

/* ---- Tests ------------------------------------------------------------------------------- */

/* One layer with one of everything, shared by the compression tests. */
static size_t build_full(struct tarb *t)
{
	const struct ent v[] = {
		{"./", AE_IFDIR, 0755, NULL, 0, 0, 0, NULL, NULL, 0},
		{"d", AE_IFDIR, 0750, NULL, 0, 0, 1000000000, NULL, NULL, 0},
		{"d/f", AE_IFREG, 0644, "hello", 0, 0, 1100000000, "user.rcr", "kept", 0},
		{"./suid", AE_IFREG, 04755, "x", 0, 0, 0, NULL, NULL, 0},
		{"d/l", AE_IFLNK, 0777, "/etc/passwd", 0, 0, 0, NULL, NULL, 0},
		{"d/up", AE_IFLNK, 0777, "../../../x", 0, 0, 0, NULL, NULL, 0},
		{"d/h", 0, 0, "d/f", 0, 0, 0, NULL, NULL, 0},
		{"p", AE_IFIFO, 0640, NULL, 0, 0, 0, NULL, NULL, 0},
		{"ro", AE_IFDIR, 0555, NULL, 0, 0, 0, NULL, NULL, 0},
		{"ro/inner", AE_IFREG, 0444, "i", 0, 0, 0, NULL, NULL, 0},
		{"r", AE_IFREG, 0644, "one", 0, 0, 0, NULL, NULL, 0},
		{"r", AE_IFREG, 0600, "two", 0, 0, 0, NULL, NULL, 0},
		{"rd", AE_IFDIR, 0755, NULL, 0, 0, 0, NULL, NULL, 0},
		{"rd/x", AE_IFREG, 0644, "gone", 0, 0, 0, NULL, NULL, 0},
		{"rd", AE_IFREG, 0644, "now a file", 0, 0, 0, NULL, NULL, 0},
		{"deep/a/b/c", AE_IFREG, 0644, "c", 0, 0, 0, NULL, NULL, 0},
		{"dev/null", AE_IFCHR, 0666, NULL, 0, 0, 0, NULL, NULL, makedev(1, 3)},
	};

	tb_open(t);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		tb_add(t, &v[i]);
	return tb_close(t);
}

/* dest/rel, in one of a few rotating buffers like at(). */
static const char *in(const char *dest, const char *rel)
{
	static char bufs[8][4096];
	static int next;
	char *b = bufs[next++ % 8];

	snprintf(b, sizeof(bufs[0]), "%s/%s/%s", top, dest, rel);
	return b;
}

static void check_full(const char *dest, const char *how)
{
	char link[64] = "";
	ssize_t n = readlink(in(dest, "d/l"), link, sizeof(link) - 1);
	struct stat a, b;

	ok(content_is(in(dest, "d/f"), "hello"), "%s: file content", how);
	is_int(mode_of(in(dest, "d/f")), S_IFREG | 0644, "%s: file mode", how);
	is_int(mode_of(in(dest, "suid")), S_IFREG | 04755, "%s: setuid mode kept", how);
	is_str(n > 0 ? link : NULL, "/etc/passwd", "%s: symlink target stored as is", how);
	ok(stat(in(dest, "d/f"), &a) == 0 && stat(in(dest, "d/h"), &b) == 0 &&
		   a.st_ino == b.st_ino && a.st_nlink == 2,
	   "%s: hardlink shares the inode", how);
	is_int(mode_of(in(dest, "p")), S_IFIFO | 0640, "%s: fifo", how);
	is_int(mode_of(in(dest, "ro")), S_IFDIR | 0555,
	       "%s: read-only directory mode set at the end", how);
	is_int(mode_of(in(dest, "d")), S_IFDIR | 0750, "%s: directory mode", how);
	ok(stat(in(dest, "d"), &a) == 0 && a.st_mtime == 1000000000,
	   "%s: directory mtime set after its content", how);
	ok(stat(in(dest, "d/f"), &a) == 0 && a.st_mtime == 1100000000, "%s: file mtime", how);
	ok(xattr_is(in(dest, "d/f"), "user.rcr", "kept"), "%s: user xattr kept", how);
	ok(content_is(in(dest, "r"), "two") && (mode_of(in(dest, "r")) & 07777) == 0600,
	   "%s: a later entry replaces an earlier one", how);
}

static void test_plain(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct unpack_result res;
	struct tarb t;
	size_t n = build_full(&t);
	char want[72];

	img_digest_of(t.buf, n, want);
	ok_done(unpack_blob(t.buf, n, LAYER_PLAIN, "plain", &res, &err), &err,
		"plain layer unpacks");
	is_str(res.diff_id, want, "diff_id is the sha256 of the whole tar (padding included)");
	is_int(res.size, t.file_bytes, "size is the sum of the files' bytes");
	check_full("plain", "plain");
	ok(content_is(in("plain", "rd"), "now a file"), "a file entry replaces a directory");
	ok(content_is(in("plain", "ro/inner"), "i") &&
		   (mode_of(in("plain", "ro/inner")) & 07777) == 0444,
	   "a file inside a 0555 directory");
	is_int(mode_of(in("plain", "deep/a/b")), S_IFDIR | 0755, "missing parents are made 0755");
	ok(content_is(in("plain", "deep/a/b/c"), "c"), "and the file below them");
	is_int(mode_of(in("plain", "d/up")) & S_IFMT, S_IFLNK, "a symlink pointing up is stored");
	if (geteuid() == 0)
		ok(S_ISCHR(mode_of(in("plain", "dev/null"))), "root makes device nodes");
	else
		ok(mode_of(in("plain", "dev/null")) == (mode_t)-1,
		   "a device node rootless cannot make is skipped");
	free(t.buf);
}

static void test_compressed(void)
{
	struct tarb t;
	size_t n = build_full(&t), gn = 0, zn = 0, g1 = 0, g2 = 0;
	_cleanup_free_ unsigned char *g = gzip_of(t.buf, n, &gn);
	_cleanup_free_ unsigned char *z = zstd_of(t.buf, n, &zn);
	/* Two gzip members, split in the middle of a tar block: still one stream. */
	_cleanup_free_ unsigned char *m1 = gzip_of(t.buf, 700, &g1);
	_cleanup_free_ unsigned char *m2 = gzip_of(t.buf + 700, n - 700, &g2);
	_cleanup_free_ unsigned char *multi = malloc(g1 + g2);
	struct unpack_result res;
	char want[72];

	img_digest_of(t.buf, n, want);
	{
		_cleanup_error_ struct rcr_error *err = NULL;

		ok_done(unpack_blob(g, gn, LAYER_GZIP, "gz", &res, &err), &err,
			"gzip layer unpacks");
		is_str(res.diff_id, want, "gzip: diff_id is the sha256 of the uncompressed tar");
		check_full("gz", "gzip");
	}
	{
		_cleanup_error_ struct rcr_error *err = NULL;

		ok_done(unpack_blob(z, zn, LAYER_ZSTD, "zst", &res, &err), &err,
			"zstd layer unpacks");
		is_str(res.diff_id, want, "zstd: diff_id is the sha256 of the uncompressed tar");
		check_full("zst", "zstd");
	}
	{
		_cleanup_error_ struct rcr_error *err = NULL;

		memcpy(multi, m1, g1);
		memcpy(multi + g1, m2, g2);
		ok_done(unpack_blob(multi, g1 + g2, LAYER_GZIP, "gzm", &res, &err), &err,
			"multi-member gzip unpacks");
		is_str(res.diff_id, want, "multi-member gzip: same diff_id");
	}
	free(t.buf);
}

static void expect_fail(const void *blob, size_t n, enum layer_compression c, const char *dest,
			const char *needle1, const char *needle2, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct unpack_result res;

	ok(unpack_blob(blob, n, c, dest, &res, &err) < 0, "%s is refused", what);
	has_str(err ? err->msg : NULL, needle1, "%s: error names '%s'", what, needle1);
	if (needle2 != NULL)
		has_str(err ? err->msg : NULL, needle2, "%s: error names '%s'", what, needle2);
}

static void test_bad_streams(void)
{
	struct tarb t;
	size_t n = build_full(&t), gn = 0, zn = 0;
	_cleanup_free_ unsigned char *g = gzip_of(t.buf, n, &gn);
	_cleanup_free_ unsigned char *z = zstd_of(t.buf, n, &zn);
	_cleanup_free_ unsigned char *gx = malloc(gn + 4);

	expect_fail(g, gn, LAYER_ZSTD, "w1", "zstd", "gzip", "gzip data declared zstd");
	expect_fail(t.buf, n, LAYER_GZIP, "w2", "gzip", "plain", "a plain tar declared gzip");
	expect_fail(g, gn, LAYER_PLAIN, "w3", "plain", "gzip", "gzip data declared plain");
	expect_fail(z, zn, LAYER_GZIP, "w4", "gzip", "zstd", "zstd data declared gzip");
	expect_fail(g, gn / 2, LAYER_GZIP, "w5", "gzip", "truncated", "a truncated gzip stream");
	expect_fail(z, zn - 10, LAYER_ZSTD, "w6", "zstd", "truncated", "a truncated zstd stream");
	memcpy(gx, g, gn);
	memcpy(gx + gn, (const unsigned char[]){'j', 'u', 'n', 'k'}, 4);
	expect_fail(gx, gn + 4, LAYER_GZIP, "w7", "after the end of the gzip stream", NULL,
		    "junk after the gzip stream");
	g[gn - 5] ^= 0xff; /* the length/CRC trailer */
	expect_fail(g, gn, LAYER_GZIP, "w8", "gzip", NULL, "a gzip stream with a bad trailer");
	expect_fail("this is not a tar archive, not at all", 37, LAYER_PLAIN, "w9", "tar", NULL,
		    "bytes that are no tar");
	free(t.buf);
}

static void test_whiteouts(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	const struct ent v[] = {
		{"a", AE_IFDIR, 0755, NULL, 0, 0, 0, NULL, NULL, 0},
		{"a/gone", AE_IFREG, 0644, "replaced by the whiteout", 0, 0, 0, NULL, NULL, 0},
		{"a/.wh.gone", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
		{"a/keep", AE_IFREG, 0644, "k", 0, 0, 0, NULL, NULL, 0},
		{"o/.wh..wh..opq", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
		{"o/x", AE_IFREG, 0644, "x", 0, 0, 0, NULL, NULL, 0},
		{".wh.topdir", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
		{"a/.wh..wh.plnk", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
	};
	struct unpack_result res;
	struct tarb t;
	size_t n;
	struct stat st;
	char gone[4096], top_wh[4096], path[4096];
	bool is_dev, is_xattr;

	tb_open(&t);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		tb_add(&t, &v[i]);
	n = tb_close(&t);
	ok_done(unpack_blob(t.buf, n, LAYER_PLAIN, "wh", &res, &err), &err, "layer with whiteouts");
	snprintf(gone, sizeof(gone), "%s/a/gone", at("wh"));
	is_dev = lstat(gone, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
	is_xattr = lstat(gone, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
		   xattr_is(gone, "user.overlay.whiteout", "y");
	ok(is_dev || is_xattr, ".wh.gone became a whiteout (%s)",
	   is_dev     ? "0:0 character device"
	   : is_xattr ? "xattr file"
		      : "neither");
	if (is_xattr)
		ok(xattr_is(at("wh/a"), "user.overlay.opaque", "x"),
		   "its directory is marked opaque=x for xattr whiteouts");
	snprintf(path, sizeof(path), "%s/a/.wh.gone", at("wh"));
	ok(mode_of(path) == (mode_t)-1, "the .wh. marker itself is not written");
	snprintf(path, sizeof(path), "%s/a/.wh..wh.plnk", at("wh"));
	ok(mode_of(path) == (mode_t)-1, "AUFS bookkeeping entries are not written");
	ok(content_is(at("wh/a/keep"), "k"), "its sibling is there");
	snprintf(top_wh, sizeof(top_wh), "%s/topdir", at("wh"));
	ok(S_ISCHR(mode_of(top_wh)) || S_ISREG(mode_of(top_wh)), "a whiteout at the layer root");
	ok(xattr_is(at("wh/o"), "user.overlay.opaque", "y"),
	   "opaque marker: user.overlay.opaque=y");
	snprintf(path, sizeof(path), "%s/o/.wh..wh..opq", at("wh"));
	ok(mode_of(path) == (mode_t)-1, "the opaque marker itself is not written");
	ok(content_is(at("wh/o/x"), "x"), "an opaque directory keeps this layer's content");
	free(t.buf);
}

/* One entry (or two) that must be refused, with the error naming it and nothing escaping. */
static void expect_refused(const struct ent *v, size_t nv, const char *dest, const char *name,
			   const char *why, const char *must_not_exist)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct unpack_result res;
	struct tarb t;
	size_t n;
	char want[4096];

	tb_open(&t);
	for (size_t i = 0; i < nv; i++)
		tb_add(&t, &v[i]);
	n = tb_close(&t);
	ok(unpack_blob(t.buf, n, LAYER_PLAIN, dest, &res, &err) < 0, "\"%s\" is refused", name);
	snprintf(want, sizeof(want), "layer entry \"%s\"", name);
	has_str(err ? err->msg : NULL, want, "the error names \"%s\"", name);
	has_str(err ? err->msg : NULL, why, "the error for \"%s\" says why", name);
	if (must_not_exist != NULL) {
		ok(!fs_exists(must_not_exist), "nothing was written at %s", must_not_exist);
		if (fs_exists(must_not_exist) && strncmp(must_not_exist, top, strlen(top)) != 0)
			unlink(must_not_exist);
	}
	free(t.buf);
}

/* The xattr whiteouts, for where mknod of 0:0 is refused: a child process in which a seccomp
 * filter makes mknodat fail with EPERM, as an older kernel would for an unprivileged user. */
static void test_xattr_whiteouts(void)
{
	const struct ent v[] = {
		{"a/.wh.gone", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
		{"b/.wh.x", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
		{"b/.wh..wh..opq", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
		{"c/.wh..wh..opq", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
		{"c/.wh.x", AE_IFREG, 0644, "", 0, 0, 0, NULL, NULL, 0},
	};
	struct tarb t;
	size_t n;
	int status = -1;
	struct stat st;
	pid_t pid;

	tb_open(&t);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		tb_add(&t, &v[i]);
	n = tb_close(&t);
	pid = fork();
	if (pid == 0) {
		struct rcr_error *err = NULL;
		struct unpack_result res;
		scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

		if (ctx == NULL ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknodat), 0) < 0 ||
		    seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(mknod), 0) < 0 ||
		    seccomp_load(ctx) < 0)
			_exit(2);
		if (unpack_blob(t.buf, n, LAYER_PLAIN, "xwh", &res, &err) < 0) {
			printf("# %s\n", err->msg);
			fflush(stdout);
			_exit(1);
		}
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	   "whiteouts where mknod is refused (exit %d)",
	   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	ok(lstat(at("xwh/a/gone"), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 &&
		   xattr_is(at("xwh/a/gone"), "user.overlay.whiteout", "y"),
	   "the whiteout is an empty file with user.overlay.whiteout");
	ok(xattr_is(at("xwh/a"), "user.overlay.opaque", "x"),
	   "its directory has user.overlay.opaque=x (overlayfs.rst)");
	ok(xattr_is(at("xwh/b"), "user.overlay.opaque", "y"), "an opaque marker after it wins");
	ok(xattr_is(at("xwh/c"), "user.overlay.opaque", "y"), "and a whiteout after one keeps it");
	free(t.buf);
}

static void test_escapes(void)
{
	char outside[4096], canary[256];
	struct ent one = {NULL, AE_IFREG, 0644, "evil", 0, 0, 0, NULL, NULL, 0};
	struct ent two[2] = {{"link", AE_IFLNK, 0777, NULL, 0, 0, 0, NULL, NULL, 0},
			     {NULL, AE_IFREG, 0644, "evil", 0, 0, 0, NULL, NULL, 0}};

	mkdir(at("outside"), 0755);
	one.path = "../evil";
	expect_refused(&one, 1, "e1", "../evil", "escapes the layer root", at("evil"));
	one.path = "/abs-rcr-unpack-test";
	expect_refused(&one, 1, "e2", "/abs-rcr-unpack-test", "escapes the layer root",
		       "/abs-rcr-unpack-test");
	one.path = "a/../../x";
	expect_refused(&one, 1, "e3", "a/../../x", "escapes the layer root", at("x"));

	/* A symlink to a directory outside, then an entry through it. */
	snprintf(outside, sizeof(outside), "%s", at("outside"));
	two[0].data = outside;
	two[1].path = "link/passwd";
	expect_refused(two, 2, "e4", "link/passwd", "passes through a symlink",
		       at("outside/passwd"));
	/* The same towards /etc, with a name that exists nowhere. */
	snprintf(canary, sizeof(canary), "rcr-unpack-test-%d", (int)getpid());
	two[0].data = "/etc";
	{
		char name[300], etc_path[300];

		snprintf(name, sizeof(name), "link/%s", canary);
		snprintf(etc_path, sizeof(etc_path), "/etc/%s", canary);
		two[1].path = name;
		expect_refused(two, 2, "e5", name, "passes through a symlink", etc_path);
	}

	/* Hardlinks: to outside, to nothing, through a symlink. */
	one.path = "evil-link";
	one.type = 0;
	one.data = "../outside/f";
	expect_refused(&one, 1, "e6", "evil-link", "escapes the layer root", NULL);
	one.data = "not-there";
	expect_refused(&one, 1, "e7", "evil-link", "does not exist", NULL);
	two[0].data = "/etc";
	two[1] = one;
	two[1].data = "link/passwd";
	expect_refused(two, 2, "e8", "evil-link", "passes through a symlink", NULL);
}

/* ---- In the user's namespace ------------------------------------------------------------- */

static uid_t host_id(const struct userns_map *m, uint32_t inner)
{
	for (size_t i = 0; i < m->n; i++)
		if (inner >= m->v[i].inner && inner - m->v[i].inner < m->v[i].count)
			return m->v[i].outer + (inner - m->v[i].inner);
	return (uid_t)-1;
}

static size_t build_owned(struct tarb *t)
{
	const struct ent v[] = {
		{"odir", AE_IFDIR, 0755, NULL, 1000, 1000, 0, NULL, NULL, 0},
		{"odir/owned", AE_IFREG, 04755, "mine", 1000, 1000, 0, NULL, NULL, 0},
		{"rootfile", AE_IFREG, 0644, "root", 0, 0, 0, NULL, NULL, 0},
	};

	tb_open(t);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		tb_add(t, &v[i]);
	return tb_close(t);
}

static void test_userns(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct unpack_result res = {0};
	struct tarb t;
	size_t n = build_owned(&t);
	char want[72], path[4096];
	struct stat st;

	img_digest_of(t.buf, n, want);
	write_blob(at("owned.tar"), t.buf, n);
	mkdir(at("ns"), 0755);
	ok_done(unpack_layer_in_userns(at("owned.tar"), at("ns"), LAYER_PLAIN, &maps, &res, &err),
		&err, "unpack in the user's namespace");
	is_str(res.diff_id, want, "the result comes back from the child");
	is_int(res.size, t.file_bytes, "and its size");
	snprintf(path, sizeof(path), "%s/odir/owned", at("ns"));
	ok(content_is(path, "mine"), "file content");
	is_int(mode_of(path), S_IFREG | 04755, "setuid survives the chown");
	if (userns_map_is_single(&maps.uid)) {
		printf("# the single-id map (%s): no other owner can be set\n",
		       maps.fallback_why ? maps.fallback_why : "no subuid range");
		tap_ok_at(1, __FILE__, __LINE__,
			  "uid 1000 maps to a subordinate id # SKIP no subuid range for this user");
		ok(lstat(path, &st) == 0 && st.st_uid == getuid(),
		   "without a range, ownership collapses to the user");
	} else {
		uid_t host = maps.uid.v[1].outer + 999;

		ok(lstat(path, &st) == 0 && st.st_uid == host && host == host_id(&maps.uid, 1000) &&
			   st.st_gid == host_id(&maps.gid, 1000),
		   "uid 1000 in the image is the first subuid + 999 on the host (%u)",
		   (unsigned)host);
	}
	snprintf(path, sizeof(path), "%s/rootfile", at("ns"));
	ok(lstat(path, &st) == 0 && st.st_uid == getuid(), "uid 0 in the image is the user");
	free(t.buf);
}

/* The single-id map given explicitly: owners collapse to the user, modes are kept. */
static void test_userns_single(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct userns_user_maps single = {0};
	struct unpack_result res = {0};
	char path[4096];
	struct stat st;

	userns_map_plan(getuid(), NULL, &single.uid);
	userns_map_plan(getgid(), NULL, &single.gid);
	mkdir(at("single"), 0755);
	ok_done(unpack_layer_in_userns(at("owned.tar"), at("single"), LAYER_PLAIN, &single, &res,
				       &err),
		&err, "unpack with the single-id map");
	snprintf(path, sizeof(path), "%s/odir/owned", at("single"));
	ok(lstat(path, &st) == 0 && st.st_uid == getuid() && (st.st_mode & 07777) == 04755,
	   "owned by the user, setuid kept");
}

static void test_userns_errors(void)
{
	_cleanup_error_ struct rcr_error *err = NULL, *err2 = NULL;
	const struct ent bad = {"../evil", AE_IFREG, 0644, "x", 0, 0, 0, NULL, NULL, 0};
	struct unpack_result res;
	struct tarb t;
	size_t n;

	tb_open(&t);
	tb_add(&t, &bad);
	n = tb_close(&t);
	write_blob(at("bad.tar"), t.buf, n);
	mkdir(at("nsbad"), 0755);
	ok(unpack_layer_in_userns(at("bad.tar"), at("nsbad"), LAYER_PLAIN, &maps, &res, &err) < 0,
	   "an escape is refused in the namespace too");
	has_str(err ? err->msg : NULL, "layer entry \"../evil\": path escapes the layer root",
		"the child's error reaches the caller");
	ok(unpack_layer_in_userns(at("missing.tar"), at("nsbad"), LAYER_PLAIN, &maps, &res, &err2) <
		   0,
	   "a missing blob is an error");
	has_str(err2 ? err2->msg : NULL, "missing.tar", "naming the blob");
	free(t.buf);
}

struct job {
	const char *blob, *dest;
	struct unpack_result res;
	int rc;
	char msg[256];
};

static void *run_job(void *arg)
{
	struct job *j = arg;
	struct rcr_error *err = NULL;

	j->rc = unpack_layer_in_userns(j->blob, j->dest, LAYER_PLAIN, &maps, &j->res, &err);
	snprintf(j->msg, sizeof(j->msg), "%s", err ? err->msg : "");
	rcr_error_free(err);
	return NULL;
}

/* Parallel layer downloads unpack from several threads at once. */
static void test_threads(void)
{
	char dests[4][4096], want[72];
	struct job jobs[4];
	pthread_t th[4];
	struct tarb t;
	size_t n = build_owned(&t);
	int good = 0;

	img_digest_of(t.buf, n, want);
	for (int i = 0; i < 4; i++) {
		snprintf(dests[i], sizeof(dests[i]), "%s/th%d", top, i);
		mkdir(dests[i], 0755);
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].blob = at("owned.tar");
		jobs[i].dest = dests[i];
		pthread_create(&th[i], NULL, run_job, &jobs[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		if (jobs[i].rc == 0 && strcmp(jobs[i].res.diff_id, want) == 0)
			good++;
		else
			printf("# thread %d: %s\n", i, jobs[i].msg);
	}
	is_int(good, 4, "four threads unpack at once, each with its own result");
	free(t.buf);
}

/* ---- Setup ------------------------------------------------------------------------------- */

static int rm_in_ns(void *arg, char *msg)
{
	struct rcr_error *err = NULL;

	if (fs_rm_rf(arg, &err) == 0)
		return 0;
	snprintf(msg, USERNS_MSG_MAX, "%s", err->msg);
	rcr_error_free(err);
	return -1;
}

static void cleanup_top(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	/* Read-only directories and files owned by subordinate ids: only root of the user's
	 * namespace can remove all of it. */
	if (userns_run(&maps.uid, &maps.gid, maps.newuidmap, maps.newgidmap, 0, rm_in_ns, top,
		       &err) < 0) {
		printf("# removing %s in the user namespace: %s\n", top, err->msg);
		rcr_error_clear(&err);
		fs_rm_rf(top, &err);
	}
	ok(!fs_exists(top), "test dir removed");
}

int main(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-unpack-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", top, strerror(errno));
		return 1;
	}
	if (userns_user_maps(NULL, NULL, &maps, &err) < 0) {
		printf("Bail out! %s\n", err->msg);
		return 1;
	}
	test_plain();
	test_compressed();
	test_bad_streams();
	test_whiteouts();
	test_xattr_whiteouts();
	test_escapes();
	test_userns();
	test_userns_single();
	test_userns_errors();
	test_threads();
	cleanup_top();
	userns_user_maps_release(&maps);
	return tap_done();
}
