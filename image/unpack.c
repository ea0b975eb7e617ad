/* Layer unpacking (see unpack.h): one pass over a layer blob that decompresses it (zlib for gzip,
 * libzstd for zstd), hashes every uncompressed byte for the diff_id, reads the tar stream with
 * libarchive, and writes each entry with our own openat-based code.
 *
 * It must never create, change or follow anything outside dest: every path is walked one
 * component at a time from a directory fd with O_NOFOLLOW; "..", absolute names and symlinked
 * parents are refused; symlinks are created, never followed. libarchive's archive_write_disk is
 * not used: it resolves paths itself and knows nothing of overlay whiteouts. It must never report
 * a diff_id that does not cover the whole uncompressed stream (the tar end padding included).
 */
#include "image/unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "image/lazylib.h"
#include "image/digest.h"
#include "image/workpool.h"
#include "pkg/cleanup.h"

#define IN_SIZE	 ((size_t)64 * 1024)
#define OUT_SIZE ((size_t)128 * 1024)

#define WH_PREFIX  ".wh."
#define WH_META	   ".wh..wh."
#define WH_OPAQUE  ".wh..wh..opq"
#define XA_OPAQUE  "user.overlay.opaque"
#define XA_WHITE   "user.overlay.whiteout"
#define GZIP_MAGIC "\x1f\x8b"
#define ZSTD_MAGIC "\x28\xb5\x2f\xfd"

/* ---- The uncompressed stream ------------------------------------------------------------- */

struct layer_stream {
	int fd; /* borrowed */
	enum layer_compression kind;
	size_t in_len, in_pos;
	bool in_eof;
	bool done;	 /* the uncompressed stream has ended */
	bool member_end; /* gzip: a member ended; another may follow */
	bool z_live;
	z_stream z;
	ZSTD_DStream *zd;
	size_t zret; /* zstd: the last result that made progress; 0 when a frame is complete */
	struct digester *dig;
	struct rcr_error *err; /* why the stream failed, kept for the libarchive caller */
	unsigned char in[IN_SIZE];
	unsigned char out[OUT_SIZE];
};

static void stream_free(struct layer_stream *s)
{
	if (s == NULL)
		return;
	if (s->z_live)
		inflateEnd(&s->z);
	ZSTD_freeDStream(s->zd);
	digester_free(s->dig);
	rcr_error_free(s->err);
	free(s);
}

static void cleanup_streamp(struct layer_stream **s)
{
	stream_free(*s);
}

static const char *compression_name(enum layer_compression c)
{
	switch (c) {
	case LAYER_GZIP:
		return "gzip-compressed";
	case LAYER_ZSTD:
		return "zstd-compressed";
	case LAYER_PLAIN:
		break;
	}
	return "uncompressed (a plain tar)";
}

/* Read more input once the buffer is used up. At the end of a successful call, in_pos < in_len
 * or in_eof. */
static int stream_fill(struct layer_stream *s)
{
	ssize_t n;

	if (s->in_pos < s->in_len || s->in_eof)
		return 0;
	do
		n = read(s->fd, s->in, IN_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		rcr_error_set_errno(&s->err, errno, "reading the layer blob");
		return -1;
	}
	s->in_pos = 0;
	s->in_len = (size_t)n;
	s->in_eof = n == 0;
	return 0;
}

/* Read the first bytes, enough to tell the format by its magic number, and compare it with what
 * the manifest declared: a mismatch is an error, never a guess (a registry that mislabels a
 * blob serves something else than the digest promised). */
static int stream_sniff(struct layer_stream *s, enum layer_compression declared,
			struct rcr_error **err)
{
	enum layer_compression got = LAYER_PLAIN;
	ssize_t n;

	while (s->in_len < 4 && !s->in_eof) {
		do
			n = read(s->fd, s->in + s->in_len, IN_SIZE - s->in_len);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			rcr_error_set_errno(err, errno, "reading the layer blob");
			return -1;
		}
		s->in_len += (size_t)n;
		s->in_eof = n == 0;
	}
	if (s->in_len >= 2 && memcmp(s->in, GZIP_MAGIC, 2) == 0)
		got = LAYER_GZIP;
	else if (s->in_len >= 4 && memcmp(s->in, ZSTD_MAGIC, 4) == 0)
		got = LAYER_ZSTD;
	if (got != declared) {
		rcr_error_set(err, EBADMSG,
			      "the manifest says the layer is %s, but its data is %s: the image is "
			      "corrupt",
			      compression_name(declared), compression_name(got));
		return -1;
	}
	s->kind = got;
	return 0;
}

static struct layer_stream *stream_new(int fd, enum layer_compression declared,
				       struct rcr_error **err)
{
	__attribute__((cleanup(cleanup_streamp))) struct layer_stream *s = calloc(1, sizeof(*s));

	if (s == NULL || (s->dig = digester_new()) == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	s->fd = fd;
	if (stream_sniff(s, declared, err) < 0)
		return NULL;
	if (s->kind == LAYER_GZIP) {
		/* 16 + 15: gzip framing only (not zlib), the largest window. */
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
			rcr_error_set(err, ENOMEM, "starting the gzip decoder");
			return NULL;
		}
		s->z_live = true;
	} else if (s->kind == LAYER_ZSTD) {
		s->zret = 1;
		s->zd = ZSTD_createDStream();
		if (s->zd == NULL || ZSTD_isError(ZSTD_initDStream(s->zd))) {
			rcr_error_set(err, ENOMEM, "starting the zstd decoder");
			return NULL;
		}
	}
	return steal_ptr(&s);
}

/* gzip: several members one after the other are one stream (RFC 1952 §2.2, and what Go's reader
 * accepts); anything else after the last member is corruption. */
static ssize_t next_gzip(struct layer_stream *s)
{
	for (;;) {
		size_t got;
		int r;

		if (stream_fill(s) < 0)
			return -1;
		if (s->member_end) {
			if (s->in_pos == s->in_len)
				return 0;
			if (s->in[s->in_pos] != 0x1f) {
				rcr_error_set(&s->err, EBADMSG,
					      "unexpected data after the end of the gzip stream");
				return -1;
			}
			inflateReset(&s->z);
			s->member_end = false;
		}
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)(s->in_len - s->in_pos);
		s->z.next_out = s->out;
		s->z.avail_out = (uInt)OUT_SIZE;
		r = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		got = OUT_SIZE - s->z.avail_out;
		if (r == Z_STREAM_END) {
			s->member_end = true;
		} else if (r != Z_OK && r != Z_BUF_ERROR) {
			rcr_error_set(&s->err, EBADMSG, "corrupt gzip data: %s",
				      s->z.msg ? s->z.msg : zError(r));
			return -1;
		}
		if (got > 0)
			return (ssize_t)got;
		if (!s->member_end && s->in_pos == s->in_len && s->in_eof) {
			rcr_error_set(&s->err, EBADMSG, "the gzip stream is truncated");
			return -1;
		}
	}
}

/* zstd: ZSTD_decompressStream goes on across concatenated frames by itself; it returns 0 only
 * when a frame is complete and flushed, so anything else at the end of input is truncation. */
static ssize_t next_zstd(struct layer_stream *s)
{
	for (;;) {
		ZSTD_inBuffer ib;
		ZSTD_outBuffer ob = {s->out, OUT_SIZE, 0};
		size_t r;

		if (stream_fill(s) < 0)
			return -1;
		ib.src = s->in + s->in_pos;
		ib.size = s->in_len - s->in_pos;
		ib.pos = 0;
		r = ZSTD_decompressStream(s->zd, &ob, &ib);
		if (ZSTD_isError(r)) {
			rcr_error_set(&s->err, EBADMSG, "corrupt zstd data: %s",
				      ZSTD_getErrorName(r));
			return -1;
		}
		s->in_pos += ib.pos;
		/* A call with no input left and nothing to flush says nothing about the frame. */
		if (ib.pos > 0 || ob.pos > 0)
			s->zret = r;
		if (ob.pos > 0)
			return (ssize_t)ob.pos;
		if (s->in_pos == s->in_len && s->in_eof) {
			if (s->zret != 0) {
				rcr_error_set(&s->err, EBADMSG, "the zstd stream is truncated");
				return -1;
			}
			return 0;
		}
	}
}

/* The next piece of the uncompressed stream in *out (valid until the next call): its length, 0
 * at the end, -1 with s->err set. Every byte is hashed here, where it is produced, so the
 * diff_id covers the stream whatever libarchive chooses to read of it. */
static ssize_t stream_next(struct layer_stream *s, const void **out)
{
	ssize_t n;

	if (s->done)
		return 0;
	if (s->kind == LAYER_GZIP) {
		n = next_gzip(s);
		*out = s->out;
	} else if (s->kind == LAYER_ZSTD) {
		n = next_zstd(s);
		*out = s->out;
	} else {
		n = stream_fill(s);
		*out = s->in + s->in_pos;
		if (n == 0) {
			n = (ssize_t)(s->in_len - s->in_pos);
			s->in_pos = s->in_len;
		}
	}
	if (n > 0)
		digester_update(s->dig, *out, (size_t)n);
	else if (n == 0)
		s->done = true;
	return n;
}

static la_ssize_t stream_read_cb(struct archive *a, void *client, const void **buf)
{
	struct layer_stream *s = client;
	ssize_t n = stream_next(s, buf);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", s->err ? s->err->msg : "reading the layer failed");
		return ARCHIVE_FATAL;
	}
	return n;
}

/* ---- Paths ------------------------------------------------------------------------------- */

/* Clean a tar path: empty and "." components dropped (so "./a//b/" is "a/b", and "./" is "",
 * the root). An absolute name or any ".." component is refused, even one that would stay
 * inside: a layer has no reason to use one, and refusing is simpler than proving it safe. */
static char *clean_path(const char *p, const char *subject, struct rcr_error **err)
{
	_cleanup_free_ char *out = malloc(strlen(p) + 1);
	size_t n = 0;

	if (out == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	if (p[0] == '/')
		goto escapes;
	while (*p != '\0') {
		size_t len = strcspn(p, "/");

		if (len == 2 && p[0] == '.' && p[1] == '.')
			goto escapes;
		if (len > 0 && !(len == 1 && p[0] == '.')) {
			if (n > 0)
				out[n++] = '/';
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
		p += strspn(p, "/");
	}
	out[n] = '\0';
	return steal_ptr(&out);
escapes:
	rcr_error_set(err, EINVAL, "%s: path escapes the layer root", subject);
	return NULL;
}

/* Why an openat(O_DIRECTORY|O_NOFOLLOW) of comp in dir failed, as an error naming the entry
 * (subject) and the path so far (rel, rel_len). code is the errno callers act on. */
static void walk_error(int dir, const char *comp, int e, const char *subject, const char *rel,
		       size_t rel_len, struct rcr_error **err)
{
	struct stat st;

	if ((e == ELOOP || e == ENOTDIR) && fstatat(dir, comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (S_ISLNK(st.st_mode)) {
			rcr_error_set(err, ELOOP, "%s: path passes through a symlink \"%.*s\"",
				      subject, (int)rel_len, rel);
			return;
		}
		if (!S_ISDIR(st.st_mode)) {
			rcr_error_set(err, ENOTDIR, "%s: \"%.*s\" is not a directory", subject,
				      (int)rel_len, rel);
			return;
		}
	}
	rcr_error_set_errno(err, e, "%s: opening directory \"%.*s\"", subject, (int)rel_len, rel);
}

/* Open the directory at the clean relative path rel ("" is the root) below root, one component
 * at a time with O_NOFOLLOW, so a symlink anywhere on the way is refused instead of followed.
 * Missing directories are made 0755 when create is set (a layer may omit parents). Returns an
 * owned fd; on failure err->code is ENOENT, ENOTDIR or ELOOP when the path is not there. */
static int walk_dir(int root, const char *rel, bool create, const char *subject,
		    struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(rel);
	_cleanup_close_ int cur = -1;
	char *comp, *slash;

	if (copy == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	cur = openat(root, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0) {
		rcr_error_set_errno(err, errno, "%s: opening the layer root", subject);
		return -1;
	}
	for (comp = copy; *comp != '\0'; comp = slash ? slash + 1 : comp + strlen(comp)) {
		int next;

		slash = strchr(comp, '/');
		if (slash != NULL)
			*slash = '\0';
		next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT && create) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST) {
				rcr_error_set_errno(err, errno, "%s: creating directory \"%.*s\"",
						    subject, (int)(comp + strlen(comp) - copy),
						    rel);
				return -1;
			}
			next = openat(cur, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			/* Exactly 0755 whatever the umask, as other tools make implied parents. */
			if (next >= 0)
				(void)fchmod(next, 0755);
		}
		if (next < 0) {
			int e = errno;

			walk_error(cur, comp, e, subject, rel, (size_t)(comp - copy) + strlen(comp),
				   err);
			return -1;
		}
		close(cur);
		cur = next;
	}
	return steal_fd(&cur);
}

/* Remove name in dir and, for a directory, everything below it, never following a symlink.
 * Missing is fine. Returns 1 when a directory was removed, 0 otherwise, -1 with errno. */
static int remove_at(int dir, const char *name)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct dirent *de;
	int fd;

	if (unlinkat(dir, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR)
		return -1;
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_at(dirfd(d), de->d_name) < 0)
			return -1;
	}
	if (errno != 0 || unlinkat(dir, name, AT_REMOVEDIR) < 0)
		return -1;
	return 1;
}

/* ---- Directory metadata, applied at the end ---------------------------------------------- */

/* A directory's mode and times are set after all entries: creating its children would change
 * its mtime, and a read-only mode (0555) would stop us from creating them when we are not
 * privileged. Children come after parents in a tar, so the list is applied in reverse. */
struct dir_meta {
	char *path; /* owned, clean ("" for the root) */
	mode_t mode;
	struct timespec times[2];
	size_t seq;
	bool superseded; /* a later entry for the same path wins */
};

struct dir_list {
	struct dir_meta *v;
	size_t n, cap;
};

static void dir_list_release(struct dir_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
}

static int dir_list_add(struct dir_list *l, const char *path, mode_t mode,
			const struct timespec times[2], struct rcr_error **err)
{
	struct dir_meta *m;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct dir_meta *v = realloc(l->v, cap * sizeof(*v));

		if (v == NULL) {
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		l->v = v;
		l->cap = cap;
	}
	m = &l->v[l->n];
	m->path = strdup(path);
	if (m->path == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	m->mode = mode;
	m->times[0] = times[0];
	m->times[1] = times[1];
	m->seq = l->n++;
	m->superseded = false;
	return 0;
}

static int by_path_then_newest(const void *a, const void *b)
{
	const struct dir_meta *x = *(struct dir_meta *const *)a, *y = *(struct dir_meta *const *)b;
	int c = strcmp(x->path, y->path);

	if (c != 0)
		return c;
	return x->seq < y->seq ? 1 : -1;
}

/* Mark every entry that a later entry for the same path overrides (O(n log n), as a layer can
 * hold tens of thousands of directories). */
static int dir_list_mark_superseded(struct dir_list *l, struct rcr_error **err)
{
	_cleanup_free_ struct dir_meta **idx = calloc(l->n ? l->n : 1, sizeof(struct dir_meta *));

	if (idx == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < l->n; i++)
		idx[i] = &l->v[i];
	qsort(idx, l->n, sizeof(struct dir_meta *), by_path_then_newest);
	for (size_t i = 1; i < l->n; i++)
		if (strcmp(idx[i]->path, idx[i - 1]->path) == 0)
			idx[i]->superseded = true;
	return 0;
}

static int dir_list_apply(struct dir_list *l, int root, struct rcr_error **err)
{
	if (dir_list_mark_superseded(l, err) < 0)
		return -1;
	for (size_t i = l->n; i-- > 0;) {
		struct dir_meta *m = &l->v[i];
		_cleanup_free_ char *subject = NULL;
		_cleanup_close_ int fd = -1;

		if (m->superseded)
			continue;
		if (asprintf(&subject, "layer entry \"%s\"", m->path[0] ? m->path : ".") < 0) {
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		fd = walk_dir(root, m->path, false, subject, err);
		if (fd < 0) {
			/* A later entry replaced or removed it: nothing left to set. */
			if ((*err)->code == ENOENT || (*err)->code == ENOTDIR ||
			    (*err)->code == ELOOP) {
				rcr_error_clear(err);
				continue;
			}
			return -1;
		}
		if (fchmod(fd, m->mode) < 0 || futimens(fd, m->times) < 0) {
			rcr_error_set_errno(err, errno, "%s: setting its mode and times", subject);
			return -1;
		}
	}
	return 0;
}

/* ---- Entries ----------------------------------------------------------------------------- */

struct unpacker {
	int root;
	const struct unpack_opts *o;
	struct archive *a;
	struct layer_stream *s;
	struct dir_list dirs;
	long long size;
	/* The parent directory of the last entry, kept open: most entries share it. Marked stale
	 * whenever a directory is removed (it may have been the cached one, or above it). */
	char *cache_path;
	int cache_fd;
	bool cache_stale;
	/* Small regular files are created and written by these threads while this one reads on:
	 * file creation is most of an unpack's time, and it runs in parallel in the kernel. NULL:
	 * everything here. */
	struct workpool *pool;
};

/* Files up to this size go to the pool (their data is held in memory until written). */
#define POOL_FILE_MAX  (1 << 20)
#define POOL_BYTES_MAX (32 << 20)

/* What an entry's metadata is applied to: an open fd (regular files, directories), or name
 * base in directory parent (symlinks, devices, fifos: nothing to open safely). */
struct target {
	int fd;
	int parent;
	const char *base;
	bool is_symlink;
	const char *subject;
	const char *path; /* the entry's clean path below the root */
};

/* An error from libarchive, or the stream's own reason when the stream is what failed. */
static void archive_fail(struct unpacker *u, const char *what, struct rcr_error **err)
{
	if (u->s->err != NULL) {
		rcr_error_join(err, steal_ptr(&u->s->err));
		rcr_error_wrap(err, "%s", what);
		return;
	}
	rcr_error_set(err, archive_errno(u->a) > 0 ? archive_errno(u->a) : EBADMSG, "%s: %s", what,
		      archive_error_string(u->a) ? archive_error_string(u->a) : "unknown error");
}

/* The parent directory fd for a clean parent path, borrowed from the cache. */
static int parent_dir(struct unpacker *u, const char *path, const char *subject,
		      struct rcr_error **err)
{
	int fd;

	if (!u->cache_stale && u->cache_path != NULL && strcmp(u->cache_path, path) == 0)
		return u->cache_fd;
	fd = walk_dir(u->root, path, true, subject, err);
	if (fd < 0)
		return -1;
	free(u->cache_path);
	if (u->cache_fd >= 0)
		close(u->cache_fd);
	u->cache_fd = fd;
	u->cache_path = strdup(path);
	u->cache_stale = u->cache_path == NULL;
	return fd;
}

/* Make room for a new entry: tar semantics, a later entry replaces an earlier one. */
static int replace_existing(struct unpacker *u, int parent, const char *base, const char *subject,
			    struct rcr_error **err)
{
	int r = remove_at(parent, base);

	if (r < 0) {
		rcr_error_set_errno(err, errno, "%s: removing what is already there", subject);
		return -1;
	}
	if (r > 0)
		u->cache_stale = true;
	return 0;
}

static int set_owner(struct unpacker *u, const struct target *t, struct archive_entry *e,
		     struct rcr_error **err)
{
	uid_t uid = (uid_t)archive_entry_uid(e);
	gid_t gid = (gid_t)archive_entry_gid(e);
	int r;

	if (!u->o->keep_owners)
		return 0;
	r = t->fd >= 0 ? fchown(t->fd, uid, gid)
		       : fchownat(t->parent, t->base, uid, gid, AT_SYMLINK_NOFOLLOW);
	if (r == 0)
		return 0;
	if (errno == EINVAL) {
		/* The kernel's answer for an id outside the namespace's map. */
		rcr_error_set(err, EINVAL,
			      "%s: owner %u:%u is not mapped in the user namespace: the user's "
			      "subordinate id range (/etc/subuid, /etc/subgid) is too small for "
			      "this image",
			      t->subject, (unsigned)uid, (unsigned)gid);
		return -1;
	}
	rcr_error_set_errno(err, errno, "%s: setting its owner to %u:%u", t->subject, (unsigned)uid,
			    (unsigned)gid);
	return -1;
}

static int set_one_xattr(const struct target *t, const char *name, const void *val, size_t len)
{
	_cleanup_free_ char *path = NULL;

	if (t->fd >= 0)
		return fsetxattr(t->fd, name, val, len, 0);
	/* No fd for symlinks and device nodes: the parent's fd, seen through /proc, is the safe
	 * way to name them; lsetxattr does not follow the last component. */
	if (asprintf(&path, "/proc/self/fd/%d/%s", t->parent, t->base) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return lsetxattr(path, name, val, len, 0);
}

/* The entry's xattrs. user.* must be kept: a failure is an error. The other namespaces
 * (security.* for file capabilities and SELinux labels, trusted.*) need privileges a rootless
 * user may lack: those are skipped when the kernel says EPERM or ENOTSUP, as Podman does. Overlay's
 * own xattrs in the tar are never set: they would let a layer steer the overlay mount (redirects,
 * metacopy, fake whiteouts) instead of the OCI whiteout files. */
static int set_xattrs(const struct target *t, struct archive_entry *e, struct rcr_error **err)
{
	const char *name;
	const void *val;
	size_t len;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		bool strict;

		if (name == NULL || strncmp(name, "user.overlay.", 13) == 0 ||
		    strncmp(name, "trusted.overlay.", 16) == 0)
			continue;
		strict = strncmp(name, "user.", 5) == 0;
		if (set_one_xattr(t, name, val, len) == 0)
			continue;
		if (!strict && (errno == EPERM || errno == ENOTSUP))
			continue;
		rcr_error_set_errno(err, errno, "%s: setting xattr \"%s\"", t->subject, name);
		return -1;
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	if (!archive_entry_mtime_is_set(e)) {
		ts[0].tv_sec = ts[1].tv_sec = 0;
		ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
		return;
	}
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	ts[0] = ts[1];
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	}
}

/* Owner first, then xattrs, then mode: chown clears setuid/setgid and file capabilities, so
 * they are set after it. Times last. */
static int set_meta(struct unpacker *u, const struct target *t, struct archive_entry *e,
		    struct rcr_error **err)
{
	mode_t mode = archive_entry_perm(e) & 07777;
	struct timespec ts[2];
	int r = 0;

	if (set_owner(u, t, e, err) < 0 || set_xattrs(t, e, err) < 0)
		return -1;
	if (t->fd >= 0)
		r = fchmod(t->fd, mode);
	else if (!t->is_symlink)
		r = fchmodat(t->parent, t->base, mode, 0);
	if (r < 0) {
		rcr_error_set_errno(err, errno, "%s: setting its mode %04o", t->subject,
				    (unsigned)mode);
		return -1;
	}
	entry_times(e, ts);
	r = t->fd >= 0 ? futimens(t->fd, ts)
		       : utimensat(t->parent, t->base, ts, AT_SYMLINK_NOFOLLOW);
	if (r < 0) {
		rcr_error_set_errno(err, errno, "%s: setting its times", t->subject);
		return -1;
	}
	return 0;
}

static int write_all_at(int fd, const void *buf, size_t len, off_t off)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* A regular file handed to the pool: everything it needs, owned. */
struct file_job {
	struct unpacker *u; /* only u->o is read: safe from any thread */
	int parent;
	char *base;
	char *subject;
	struct archive_entry *e; /* a clone: libarchive reuses the one it gave */
	char *data;
	size_t len;
};

static void file_job_free(struct file_job *j)
{
	if (j->parent >= 0)
		close(j->parent);
	free(j->base);
	free(j->subject);
	if (j->e != NULL)
		archive_entry_free(j->e);
	free(j->data);
	free(j);
}

static int file_job_run(void *arg, struct rcr_error **err)
{
	struct file_job *j = arg;
	struct target t = {.fd = -1, .parent = j->parent, .base = j->base, .subject = j->subject};
	int rc = -1;

	if (err == NULL) { /* an earlier job failed: only free */
		file_job_free(j);
		return 0;
	}
	t.fd = openat(j->parent, j->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);
	if (t.fd < 0)
		rcr_error_set_errno(err, errno, "%s: creating the file", j->subject);
	else if (j->len > 0 && write_all_at(t.fd, j->data, j->len, 0) < 0)
		rcr_error_set_errno(err, errno, "%s: writing its data", j->subject);
	else
		rc = set_meta(j->u, &t, j->e, err);
	if (t.fd >= 0)
		close(t.fd);
	file_job_free(j);
	return rc;
}

/* Read the entry's data into a buffer of its size (holes of a sparse entry become zeros). */
static int read_whole(struct unpacker *u, struct target *t, char *buf, size_t size,
		      struct rcr_error **err)
{
	const void *blk;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(u->a, &blk, &len, &off)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		if (off < 0 || (size_t)off > size || len > size - (size_t)off) {
			rcr_error_set(err, EBADMSG, "%s: data beyond its size", t->subject);
			return -1;
		}
		if (len > 0)
			memcpy(buf + off, blk, len);
	}
	if (r != ARCHIVE_EOF) {
		archive_fail(u, t->subject, err);
		return -1;
	}
	return 0;
}

/* Queue a small file for the pool. 1 when queued, 0 when it must be written here instead. */
static int submit_file(struct unpacker *u, struct target *t, struct archive_entry *e,
		       struct rcr_error **err)
{
	la_int64_t size = archive_entry_size(e);
	struct file_job *j;

	if (u->pool == NULL || !archive_entry_size_is_set(e) || size < 0 || size > POOL_FILE_MAX)
		return 0;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		goto oom;
	j->u = u;
	j->parent = fcntl(t->parent, F_DUPFD_CLOEXEC, 0);
	j->base = strdup(t->base);
	j->subject = strdup(t->subject);
	j->e = archive_entry_clone(e);
	j->len = (size_t)size;
	j->data = calloc(1, j->len + 1);
	if (j->parent < 0) {
		rcr_error_set_errno(err, errno, "%s: duplicating its directory's descriptor",
				    t->subject);
		file_job_free(j);
		return -1;
	}
	if (j->base == NULL || j->subject == NULL || j->e == NULL || j->data == NULL) {
		file_job_free(j);
		goto oom;
	}
	if (read_whole(u, t, j->data, j->len, err) < 0) {
		file_job_free(j);
		return -1;
	}
	u->size += size;
	if (workpool_submit(u->pool, file_job_run, j, j->len + 512, t->path) < 0) {
		file_job_free(j);
		/* A queued job failed (its error comes out of the drain), or memory ran out: the
		 * data is consumed either way, so this entry fails too. */
		if (workpool_drain(u->pool, err) == 0)
			rcr_error_set(err, ENOMEM, "%s: out of memory", t->subject);
		return -1;
	}
	return 1;
oom:
	rcr_error_set(err, ENOMEM, "%s: out of memory", t->subject);
	return -1;
}

/* A regular file: made anew (O_EXCL after removing what was there), its data written at the
 * offsets libarchive gives (sparse files keep their holes), then its metadata. */
static int write_file(struct unpacker *u, struct target *t, struct archive_entry *e,
		      struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	if (replace_existing(u, t->parent, t->base, t->subject, err) < 0)
		return -1;
	r = submit_file(u, t, e, err);
	if (r != 0)
		return r < 0 ? -1 : 0;
	fd = openat(t->parent, t->base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "%s: creating the file", t->subject);
		return -1;
	}
	while ((r = archive_read_data_block(u->a, &buf, &len, &off)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		if (len > 0 && write_all_at(fd, buf, len, (off_t)off) < 0) {
			rcr_error_set_errno(err, errno, "%s: writing its data", t->subject);
			return -1;
		}
	}
	if (r != ARCHIVE_EOF) {
		_cleanup_free_ char *what = NULL;

		if (asprintf(&what, "%s: reading its data", t->subject) < 0)
			what = NULL;
		archive_fail(u, what ? what : t->subject, err);
		return -1;
	}
	if (archive_entry_size_is_set(e) && ftruncate(fd, (off_t)archive_entry_size(e)) < 0) {
		rcr_error_set_errno(err, errno, "%s: setting its size", t->subject);
		return -1;
	}
	u->size += archive_entry_size(e);
	t->fd = fd;
	r = set_meta(u, t, e, err);
	t->fd = -1;
	return r;
}

static int write_dir(struct unpacker *u, struct target *t, const char *path,
		     struct archive_entry *e, struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	struct timespec ts[2];
	struct stat st;

	if (fstatat(t->parent, t->base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode) &&
	    replace_existing(u, t->parent, t->base, t->subject, err) < 0)
		return -1;
	/* 0700 until the end: see struct dir_meta. */
	if (mkdirat(t->parent, t->base, 0700) < 0 && errno != EEXIST) {
		rcr_error_set_errno(err, errno, "%s: creating the directory", t->subject);
		return -1;
	}
	fd = openat(t->parent, t->base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "%s: opening the directory", t->subject);
		return -1;
	}
	t->fd = fd;
	if (set_owner(u, t, e, err) < 0 || set_xattrs(t, e, err) < 0)
		return -1;
	entry_times(e, ts);
	return dir_list_add(&u->dirs, path, archive_entry_perm(e) & 07777, ts, err);
}

static int write_symlink(struct unpacker *u, struct target *t, struct archive_entry *e,
			 struct rcr_error **err)
{
	/* Stored as written: it is only ever resolved inside the container's root. */
	const char *to = archive_entry_symlink(e);

	if (to == NULL) {
		rcr_error_set(err, EBADMSG, "%s: symlink without a target", t->subject);
		return -1;
	}
	if (replace_existing(u, t->parent, t->base, t->subject, err) < 0)
		return -1;
	if (symlinkat(to, t->parent, t->base) < 0) {
		rcr_error_set_errno(err, errno, "%s: creating the symlink", t->subject);
		return -1;
	}
	t->is_symlink = true;
	return set_meta(u, t, e, err);
}

/* Devices and fifos. A rootless user may not make device nodes (EPERM): those are skipped, as
 * Podman does; a fifo needs no privilege, so its failure is an error. */
static int write_node(struct unpacker *u, struct target *t, struct archive_entry *e,
		      struct rcr_error **err)
{
	mode_t type = archive_entry_filetype(e) == AE_IFCHR   ? S_IFCHR
		      : archive_entry_filetype(e) == AE_IFBLK ? S_IFBLK
							      : S_IFIFO;

	if (replace_existing(u, t->parent, t->base, t->subject, err) < 0)
		return -1;
	if (mknodat(t->parent, t->base, type | 0600, type == S_IFIFO ? 0 : archive_entry_rdev(e)) <
	    0) {
		if (errno == EPERM && type != S_IFIFO)
			return 0;
		rcr_error_set_errno(err, errno, "%s: creating the %s", t->subject,
				    type == S_IFIFO ? "fifo" : "device node");
		return -1;
	}
	return set_meta(u, t, e, err);
}

/* A hardlink to an earlier entry of this layer, its target walked with the same no-follow
 * rules: a target outside the root, through a symlink, or not (yet) there is an error. */
static int write_hardlink(struct unpacker *u, struct target *t, const char *path,
			  const char *target, struct rcr_error **err)
{
	_cleanup_free_ char *tsubject = NULL, *clean = NULL;
	_cleanup_close_ int tdir = -1;
	const char *tbase;
	char *slash;
	struct stat st;

	if (asprintf(&tsubject, "%s: hardlink target \"%s\"", t->subject, target) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	clean = clean_path(target, tsubject, err);
	if (clean == NULL)
		return -1;
	if (strcmp(clean, path) == 0)
		return 0; /* a link to itself: nothing to do */
	slash = strrchr(clean, '/');
	if (slash != NULL)
		*slash = '\0';
	tbase = slash ? slash + 1 : clean;
	tdir = walk_dir(u->root, slash ? clean : "", false, tsubject, err);
	if (tdir < 0)
		return -1;
	if (*tbase == '\0' || fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rcr_error_set(err, ENOENT, "%s does not exist in this layer", tsubject);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		rcr_error_set(err, EPERM, "%s is a directory", tsubject);
		return -1;
	}
	if (replace_existing(u, t->parent, t->base, t->subject, err) < 0)
		return -1;
	if (linkat(tdir, tbase, t->parent, t->base, 0) < 0) {
		rcr_error_set_errno(err, errno, "%s: creating the hardlink", t->subject);
		return -1;
	}
	return 0;
}

/* ---- Whiteouts --------------------------------------------------------------------------- */

/* An xattr whiteout. Overlayfs documents (Documentation/filesystems/overlayfs.rst, "whiteouts
 * and opaque directories") two whiteout forms: a 0:0 character device, or a zero-size regular
 * file with the "overlay.whiteout" xattr (user.* under the userxattr mount option), whose
 * directory must also carry "overlay.opaque" = "x" so readdir knows to look for them. The
 * xattr form is honoured from Linux 6.7 (with the "x" marker since 6.8 and the 6.7.y stable
 * updates; 6.7.0 wanted "overlay.whiteouts" instead); older kernels ignore both xattrs ("x" is
 * not "y", so the directory is not made opaque either), and fuse-overlayfs knows only the
 * device and ".wh." forms. So it is only the fallback, for when mknod of 0:0 is refused: since
 * Linux 5.8 an unprivileged user may make that one device (vfs_mknod exempts WHITEOUT_DEV from
 * CAP_MKNOD), which every overlay implementation understands. */
static int xattr_whiteout(int parent, const char *base, const char *subject, struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	char cur[2] = "";

	fd = openat(parent, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "%s: creating the whiteout file", subject);
		return -1;
	}
	if (fsetxattr(fd, XA_WHITE, "y", 1, 0) < 0) {
		rcr_error_set_errno(err, errno, "%s: setting " XA_WHITE, subject);
		return -1;
	}
	/* "y" (opaque, from a .wh..wh..opq entry) already hides all below: keep it. */
	if (fgetxattr(parent, XA_OPAQUE, cur, sizeof(cur)) == 1 && cur[0] == 'y')
		return 0;
	if (fsetxattr(parent, XA_OPAQUE, "x", 1, 0) < 0) {
		rcr_error_set_errno(err, errno, "%s: setting " XA_OPAQUE " on its directory",
				    subject);
		return -1;
	}
	return 0;
}

/* ".wh..wh..opq" makes its directory opaque; ".wh.NAME" hides NAME of the layers below. The
 * marker entries themselves are never written. */
static int write_whiteout(struct unpacker *u, struct target *t, struct rcr_error **err)
{
	const char *hidden = t->base + strlen(WH_PREFIX);

	if (strcmp(t->base, WH_OPAQUE) == 0) {
		if (fsetxattr(t->parent, XA_OPAQUE, "y", 1, 0) < 0) {
			rcr_error_set_errno(err, errno,
					    "%s: marking its directory opaque (" XA_OPAQUE ")",
					    t->subject);
			return -1;
		}
		return 0;
	}
	/* Other ".wh..wh." names are AUFS bookkeeping (".wh..wh.plnk"): nothing to apply. */
	if (strncmp(t->base, WH_META, strlen(WH_META)) == 0)
		return 0;
	if (*hidden == '\0' || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0) {
		rcr_error_set(err, EINVAL, "%s: invalid whiteout name", t->subject);
		return -1;
	}
	if (replace_existing(u, t->parent, hidden, t->subject, err) < 0)
		return -1;
	if (mknodat(t->parent, hidden, S_IFCHR, makedev(0, 0)) == 0)
		return 0;
	if (errno != EPERM) {
		rcr_error_set_errno(err, errno, "%s: creating the whiteout device", t->subject);
		return -1;
	}
	return xattr_whiteout(t->parent, hidden, t->subject, err);
}

/* ---- The layer --------------------------------------------------------------------------- */

/* The root's own entry ("./"): its metadata is the layer root's. */
static int apply_root_entry(struct unpacker *u, struct archive_entry *e, const char *subject,
			    struct rcr_error **err)
{
	struct target t = {.fd = u->root, .parent = -1, .base = ".", .subject = subject};
	struct timespec ts[2];

	if (archive_entry_filetype(e) != AE_IFDIR || archive_entry_hardlink(e) != NULL) {
		rcr_error_set(err, EINVAL, "%s: only a directory can stand for the layer root",
			      subject);
		return -1;
	}
	if (set_owner(u, &t, e, err) < 0 || set_xattrs(&t, e, err) < 0)
		return -1;
	entry_times(e, ts);
	return dir_list_add(&u->dirs, "", archive_entry_perm(e) & 07777, ts, err);
}

/* Must the files queued so far be written before this entry? When it removes or links to
 * something (a whiteout, a hardlink), when a queued file has its path, or when something is at
 * its place already (it is replaced, and may be a directory queued files are written into). */
static bool must_wait(struct unpacker *u, const struct target *t, const char *path,
		      struct archive_entry *e)
{
	struct stat st;

	if (u->pool == NULL || !workpool_busy(u->pool))
		return false;
	return strncmp(t->base, WH_PREFIX, strlen(WH_PREFIX)) == 0 ||
	       archive_entry_hardlink(e) != NULL || workpool_has_key(u->pool, path) ||
	       fstatat(t->parent, t->base, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int apply_entry(struct unpacker *u, struct archive_entry *e, struct rcr_error **err)
{
	const char *name = archive_entry_pathname(e);
	_cleanup_free_ char *subject = NULL, *clean = NULL;
	struct target t = {.fd = -1};
	char *slash;

	if (asprintf(&subject, "layer entry \"%s\"", name ? name : "") < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (name == NULL || (clean = clean_path(name, subject, err)) == NULL) {
		if (name == NULL)
			rcr_error_set(err, EBADMSG, "a layer entry has no name");
		return -1;
	}
	if (*clean == '\0')
		return (u->pool && workpool_drain(u->pool, err) < 0)
			       ? -1
			       : apply_root_entry(u, e, subject, err);
	t.subject = subject;
	slash = strrchr(clean, '/');
	if (slash != NULL)
		*slash = '\0';
	t.base = slash ? slash + 1 : clean;
	t.parent = parent_dir(u, slash ? clean : "", subject, err);
	if (t.parent < 0)
		return -1;
	if (slash != NULL)
		*slash = '/';
	t.path = clean;
	if (must_wait(u, &t, clean, e) && workpool_drain(u->pool, err) < 0)
		return -1;
	if (strncmp(t.base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return write_whiteout(u, &t, err);
	if (archive_entry_hardlink(e) != NULL)
		return write_hardlink(u, &t, clean, archive_entry_hardlink(e), err);
	switch (archive_entry_filetype(e)) {
	case AE_IFREG:
		return write_file(u, &t, e, err);
	case AE_IFDIR:
		return write_dir(u, &t, clean, e, err);
	case AE_IFLNK:
		return write_symlink(u, &t, e, err);
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return write_node(u, &t, e, err);
	default:
		return 0; /* sockets and unknown types: nothing a layer can mean by them */
	}
}

static void unpacker_release(struct unpacker *u)
{
	workpool_free(u->pool); /* first: its jobs hold fds and read u->o */
	if (u->a != NULL)
		archive_read_free(u->a);
	stream_free(u->s);
	dir_list_release(&u->dirs);
	free(u->cache_path);
	if (u->cache_fd >= 0)
		close(u->cache_fd);
	if (u->root >= 0)
		close(u->root);
}

static int unpack_entries(struct unpacker *u, struct rcr_error **err)
{
	struct archive_entry *e;
	int r;

	archive_read_support_format_tar(u->a);
	archive_read_support_format_empty(u->a);
	if (archive_read_open(u->a, u->s, NULL, stream_read_cb, NULL) != ARCHIVE_OK) {
		archive_fail(u, "reading the layer's tar stream", err);
		return -1;
	}
	while ((r = archive_read_next_header(u->a, &e)) != ARCHIVE_EOF) {
		if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
			archive_fail(u, "reading the layer's tar stream", err);
			return -1;
		}
		if (apply_entry(u, e, err) < 0)
			return -1;
	}
	return 0;
}

/* One writer thread per CPU (at least 2: creation waits in the kernel too), at most 4. */
static unsigned pool_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 4 ? 4 : (unsigned)n;
}

int unpack_layer(int fd, const char *dest, const struct unpack_opts *o, struct unpack_result *res,
		 struct rcr_error **err)
{
	struct unpacker u = {.root = -1, .o = o, .cache_fd = -1};
	const void *rest;
	ssize_t n;
	int rc = -1;

	if (lazylib_archive(err) < 0)
		return -1;

	u.root = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u.root < 0) {
		rcr_error_set_errno(err, errno, "opening the layer directory '%s'", dest);
		goto out;
	}
	u.s = stream_new(fd, o->compression, err);
	u.a = archive_read_new();
	if (u.s == NULL || u.a == NULL) {
		if (u.s != NULL)
			rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	u.pool = o->one_thread ? NULL : workpool_new(pool_threads(), POOL_BYTES_MAX);
	if (unpack_entries(&u, err) < 0 || (u.pool && workpool_drain(u.pool, err) < 0))
		goto out;
	/* The tar reader stops at the end-of-archive blocks; the digest covers what follows too
	 * (the padding to the record size), and this reads compressed streams to their end, where
	 * gzip's CRC and zstd's frame end are checked. */
	while ((n = stream_next(u.s, &rest)) > 0)
		;
	if (n < 0) {
		rcr_error_join(err, steal_ptr(&u.s->err));
		rcr_error_wrap(err, "reading the layer");
		goto out;
	}
	if (dir_list_apply(&u.dirs, u.root, err) < 0)
		goto out;
	digester_finish(u.s->dig, res->diff_id);
	u.s->dig = NULL;
	res->size = u.size;
	rc = 0;
out:
	unpacker_release(&u);
	return rc;
}

/* ---- In the user's namespace ------------------------------------------------------------- */

struct userns_job {
	const char *blob_path;
	const char *dest;
	struct unpack_opts opts;
	struct unpack_result *shared; /* MAP_SHARED: the child's result reaches the parent */
};

/* Runs in the forked child, as root of the new user namespace. */
static int unpack_in_child(void *arg, char *msg)
{
	struct userns_job *j = arg;
	struct rcr_error *e = NULL;
	int fd = open(j->blob_path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd < 0) {
		snprintf(msg, USERNS_MSG_MAX, "opening the layer blob '%s': %s", j->blob_path,
			 strerror(errno));
		return -1;
	}
	rc = unpack_layer(fd, j->dest, &j->opts, j->shared, &e);
	close(fd);
	if (rc < 0)
		snprintf(msg, USERNS_MSG_MAX, "%s", e && e->msg ? e->msg : "unpacking failed");
	rcr_error_free(e);
	return rc < 0 ? -1 : 0;
}

int unpack_layer_in_userns(const char *blob_path, const char *dest, enum layer_compression c,
			   const struct userns_user_maps *maps, struct unpack_result *res,
			   struct rcr_error **err)
{
	struct userns_job j = {.blob_path = blob_path, .dest = dest};
	int rc;

	/* Loaded here, before the fork, so that the child does not load it on its own. */
	if (lazylib_archive(err) < 0)
		return -1;

	/* All state is in j and this mapping: several threads may unpack at once. */
	j.shared = mmap(NULL, sizeof(*j.shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			-1, 0);
	if (j.shared == MAP_FAILED) {
		rcr_error_set_errno(err, errno, "mapping memory for the unpack result");
		return -1;
	}
	j.opts.compression = c;
	/* With the single-id map only the user's own id exists in the namespace. */
	j.opts.keep_owners = !userns_map_is_single(&maps->uid);
#ifdef __SANITIZE_ADDRESS__
	/* The child is forked from a process whose other threads may hold ASan's allocator
	 * locks (GCC 12's libasan takes none around fork), and threads started in the child
	 * refill from those locks and hang. glibc's malloc is fork-safe, so only ASan builds
	 * unpack on one thread here; the writer threads are ASan-tested in-process. */
	j.opts.one_thread = true;
#endif
	rc = userns_run(&maps->uid, &maps->gid, maps->newuidmap, maps->newgidmap, 0,
			unpack_in_child, &j, err);
	if (rc == 0)
		*res = *j.shared;
	munmap(j.shared, sizeof(*j.shared));
	return rc;
}
