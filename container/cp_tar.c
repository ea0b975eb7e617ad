/* The tar stream of `rcr cp` (cp_internal.h): rcr's own tar writer (ustar, with pax records for
 * long names and big values) that walks a tree below a directory fd, a libarchive reader on the
 * socket, and the extraction of its entries below a root fd. Both sides of a copy use it: rcr on
 * the host, and the child whose "/" is the container's root.
 *
 * It must never resolve a path except below the fd it was given (openat2 with the extract's
 * RESOLVE_IN_ROOT or RESOLVE_BENEATH, *at() with NOFOLLOW for final components), so no symlink,
 * ".." or archive entry leads out; never decide where a copy lands (cp.c does); and never load
 * anything at run time: in the chrooted child the host's libraries are out of reach, so cp.c
 * loads libarchive before the fork.
 */
#include "container/cp_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "image/lazylib.h"
#include "pkg/cleanup.h"

#define CP_MAX_DEPTH 512
#define CP_MAX_LINKS 65536
#define CP_OVERFLOW_ID                                                                             \
	65534 /* the kernel's overflow id, for a host id the container cannot see                  \
	       */

/* ---- names (pure) ------------------------------------------------------------------------ */

/* The last component ("" for "", "/", "." and ".."), borrowed from p. */
const char *cp_last_name(const char *p)
{
	const char *s = strrchr(p, '/');

	s = s ? s + 1 : p;
	return strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ? "" : s;
}

/* p up to its last component: "" for a single component (the caller's base), "/" for "/x". */
char *cp_parent_of(const char *p)
{
	const char *s = strrchr(p, '/');

	if (s == NULL)
		return strdup("");
	if (s == p)
		return strdup("/");
	return strndup(p, (size_t)(s - p));
}

/* ---- the stream -------------------------------------------------------------------------- */

/* All of buf to fd; a peer that went away is EPIPE (never SIGPIPE). */
static int send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy in to out until EOF (the `-` streams). */
int cp_pump(int in, int out, const char *what, struct rcr_error **err)
{
	char buf[64 << 10];
	ssize_t n;

	while ((n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || send_all(out, buf, (size_t)n) < 0) {
			rcr_error_set_errno(err, errno, "%s", what);
			return -1;
		}
	}
	return 0;
}

/* ---- writing tar ------------------------------------------------------------------------- */

struct tar_link {
	dev_t dev;
	ino_t ino;
	char *name;
};

void cp_tar_w_release(struct tar_w *w)
{
	for (size_t i = 0; i < w->n_links; i++)
		free(w->links[i].name);
	free(w->links);
}

static unsigned long long inner_id(const struct userns_map *m, unsigned long long outer)
{
	if (m == NULL)
		return outer;
	for (size_t i = 0; i < m->n; i++)
		if (outer >= m->v[i].outer && outer - m->v[i].outer < m->v[i].count)
			return m->v[i].inner + (outer - m->v[i].outer);
	return CP_OVERFLOW_ID;
}

static int w_send(struct tar_w *w, const void *buf, size_t len, struct rcr_error **err)
{
	if (send_all(w->fd, buf, len) == 0)
		return 0;
	rcr_error_set_errno(err, errno, "sending the files");
	return -1;
}

/* A pax record "LEN key=value\n", LEN counting itself. */
static int pax_add(char **buf, size_t *len, const char *key, const char *val)
{
	size_t body = strlen(key) + strlen(val) + 3, total = body + 1, d;
	char num[24], *nb;

	for (;;) {
		d = (size_t)snprintf(num, sizeof(num), "%zu", total);
		if (body + d == total)
			break;
		total = body + d;
	}
	nb = realloc(*buf, *len + total + 1);
	if (nb == NULL)
		return -1;
	snprintf(nb + *len, total + 1, "%s %s=%s\n", num, key, val);
	*buf = nb;
	*len += total;
	return 0;
}

struct tar_hdr {
	const char *name, *link;
	char type;
	unsigned mode;
	unsigned long long uid, gid, size;
	long long mtime;
	unsigned dev_major, dev_minor;
};

/* size-1 zero-filled octal digits and a NUL; what does not fit is in a pax record. */
static void put_octal(char *field, size_t size, unsigned long long v)
{
	field[size - 1] = '\0';
	for (size_t i = size - 1; i-- > 0; v >>= 3)
		field[i] = (char)('0' + (v & 7));
}

static void fill_block(char b[512], const struct tar_hdr *h)
{
	unsigned sum = 0;

	memset(b, 0, 512);
	strncpy(b, h->name, 100);
	put_octal(b + 100, 8, h->mode & 07777);
	put_octal(b + 108, 8, h->uid > 07777777 ? 0 : h->uid);
	put_octal(b + 116, 8, h->gid > 07777777 ? 0 : h->gid);
	put_octal(b + 124, 12, h->size > 077777777777ULL ? 0 : h->size);
	put_octal(b + 136, 12, h->mtime < 0 ? 0 : (unsigned long long)h->mtime);
	b[156] = h->type;
	if (h->link != NULL)
		strncpy(b + 157, h->link, 100);
	memcpy(b + 257, "ustar", 6);
	b[263] = b[264] = '0'; /* the version, not NUL-terminated */
	put_octal(b + 329, 8, h->dev_major);
	put_octal(b + 337, 8, h->dev_minor);
	memset(b + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += (unsigned char)b[i];
	put_octal(b + 148, 7, sum);
	b[155] = ' ';
}

static int pad(struct tar_w *w, unsigned long long size, struct rcr_error **err)
{
	static const char zero[512];
	size_t rest = (size_t)((512 - size % 512) % 512);

	return rest ? w_send(w, zero, rest, err) : 0;
}

/* One header, preceded by a pax header when a value does not fit ustar. */
static int put_header(struct tar_w *w, const struct tar_hdr *h, struct rcr_error **err)
{
	_cleanup_free_ char *pax = NULL;
	size_t plen = 0;
	char num[24], b[512];
	int rc = 0;

	if (strlen(h->name) > 100)
		rc |= pax_add(&pax, &plen, "path", h->name);
	if (h->link != NULL && strlen(h->link) > 100)
		rc |= pax_add(&pax, &plen, "linkpath", h->link);
	if (h->size > 077777777777ULL && snprintf(num, sizeof(num), "%llu", h->size) > 0)
		rc |= pax_add(&pax, &plen, "size", num);
	if (h->uid > 07777777 && snprintf(num, sizeof(num), "%llu", h->uid) > 0)
		rc |= pax_add(&pax, &plen, "uid", num);
	if (h->gid > 07777777 && snprintf(num, sizeof(num), "%llu", h->gid) > 0)
		rc |= pax_add(&pax, &plen, "gid", num);
	if (rc != 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (plen > 0) {
		struct tar_hdr x = {.name = "././@PaxHeader",
				    .type = 'x',
				    .mode = 0644,
				    .size = plen,
				    .mtime = h->mtime};

		fill_block(b, &x);
		if (w_send(w, b, 512, err) < 0 || w_send(w, pax, plen, err) < 0 ||
		    pad(w, plen, err) < 0)
			return -1;
	}
	fill_block(b, h);
	return w_send(w, b, 512, err);
}

/* The file's bytes: exactly size of them (a file that shrank meanwhile is padded with zeros,
 * one that grew is cut), as its header promised. */
static int put_data(struct tar_w *w, int fd, unsigned long long size, const char *name,
		    struct rcr_error **err)
{
	char buf[64 << 10];
	unsigned long long left = size;

	while (left > 0) {
		size_t want = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t n = read(fd, buf, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rcr_error_set_errno(err, errno, "reading \"%s\"", name);
			return -1;
		}
		if (n == 0) {
			memset(buf, 0, want);
			n = (ssize_t)want;
		}
		if (w_send(w, buf, (size_t)n, err) < 0)
			return -1;
		left -= (unsigned long long)n;
	}
	return pad(w, size, err);
}

/* The first name a multiply-linked file was sent under, or NULL (then it is remembered). */
static const char *seen_link(struct tar_w *w, const struct stat *st, const char *name)
{
	struct tar_link *nl;

	for (size_t i = 0; i < w->n_links; i++)
		if (w->links[i].dev == st->st_dev && w->links[i].ino == st->st_ino)
			return w->links[i].name;
	if (w->n_links >= CP_MAX_LINKS)
		return NULL;
	nl = realloc(w->links, (w->n_links + 1) * sizeof(*nl));
	if (nl == NULL)
		return NULL;
	w->links = nl;
	nl[w->n_links] = (struct tar_link){st->st_dev, st->st_ino, strdup(name)};
	if (nl[w->n_links].name != NULL)
		w->n_links++;
	return NULL;
}

static int tar_dir(struct tar_w *w, int at, const char *leaf, const char *name, int depth,
		   struct rcr_error **err)
{
	int fd = openat(at, *leaf ? leaf : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_closedir_ DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;

	if (d == NULL) {
		rcr_error_set_errno(err, errno, "opening the directory \"%s\"", name);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		_cleanup_free_ char *child = NULL;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&child, "%s/%s", name, de->d_name) < 0) {
			child = NULL;
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		if (cp_tar_add(w, dirfd(d), de->d_name, child, depth + 1, err) < 0)
			return -1;
	}
	if (errno != 0) {
		rcr_error_set_errno(err, errno, "reading the directory \"%s\"", name);
		return -1;
	}
	return 0;
}

static int tar_file(struct tar_w *w, int at, const char *leaf, struct tar_hdr *h,
		    const struct stat *st, struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	struct stat now;
	const char *first = st->st_nlink > 1 ? seen_link(w, st, h->name) : NULL;

	if (first != NULL) {
		h->type = '1';
		h->link = first;
		return put_header(w, h, err);
	}
	/* O_NONBLOCK: a file swapped for a FIFO meanwhile must not hang the copy. */
	fd = openat(at, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &now) < 0) {
		rcr_error_set_errno(err, errno, "opening \"%s\"", h->name);
		return -1;
	}
	if (!S_ISREG(now.st_mode) || now.st_ino != st->st_ino) {
		rcr_error_set(err, EAGAIN, "\"%s\" changed while it was copied", h->name);
		return -1;
	}
	fcntl(fd, F_SETFL, 0);
	h->type = '0';
	h->size = (unsigned long long)now.st_size;
	return put_header(w, h, err) < 0 ? -1 : put_data(w, fd, h->size, h->name, err);
}

/* Send leaf of at ("" = at itself, a directory) as name, and what is below it. */
int cp_tar_add(struct tar_w *w, int at, const char *leaf, const char *name, int depth,
	       struct rcr_error **err)
{
	struct stat st;
	char target[PATH_MAX];
	_cleanup_free_ char *dname = NULL;
	struct tar_hdr h = {.name = name};
	ssize_t n;

	if (depth > CP_MAX_DEPTH) {
		rcr_error_set(err, ELOOP, "\"%s\" is nested too deeply", name);
		return -1;
	}
	if (fstatat(at, leaf, &st, AT_SYMLINK_NOFOLLOW | (*leaf ? 0 : AT_EMPTY_PATH)) < 0) {
		rcr_error_set_errno(err, errno, "looking at \"%s\"", name);
		return -1;
	}
	h.mode = st.st_mode & 07777;
	h.uid = inner_id(w->uids, st.st_uid);
	h.gid = inner_id(w->gids, st.st_gid);
	h.mtime = st.st_mtim.tv_sec;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		if (asprintf(&dname, "%s/", name) < 0) {
			dname = NULL;
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		h.name = dname;
		h.type = '5';
		if (put_header(w, &h, err) < 0)
			return -1;
		return tar_dir(w, at, leaf, name, depth, err);
	case S_IFREG:
		return tar_file(w, at, leaf, &h, &st, err);
	case S_IFLNK:
		n = readlinkat(at, leaf, target, sizeof(target) - 1);
		if (n < 0) {
			rcr_error_set_errno(err, errno, "reading the link \"%s\"", name);
			return -1;
		}
		target[n] = '\0';
		h.type = '2';
		h.link = target;
		return put_header(w, &h, err);
	case S_IFIFO:
	case S_IFCHR:
	case S_IFBLK:
		h.type = S_ISFIFO(st.st_mode) ? '6' : S_ISCHR(st.st_mode) ? '3' : '4';
		h.dev_major = major(st.st_rdev);
		h.dev_minor = minor(st.st_rdev);
		return put_header(w, &h, err);
	default:
		return 0; /* sockets: as tar, nothing to copy */
	}
}

int cp_tar_end(struct tar_w *w, struct rcr_error **err)
{
	static const char zero[1024];

	return w_send(w, zero, sizeof(zero), err);
}

/* ---- reading tar ------------------------------------------------------------------------- */

static la_ssize_t fd_read(struct archive *a, void *arg, const void **out)
{
	struct fd_src *s = arg;
	ssize_t n;

	(void)a;
	do
		n = read(s->fd, s->buf, sizeof(s->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->read_errno = errno;
		return -1;
	}
	*out = s->buf;
	return n;
}

/* A reader of the tar on src; stream: a user's archive (compressed or empty is fine). */
struct archive *cp_tar_open(struct fd_src *src, bool stream, struct rcr_error **err)
{
	struct archive *a = archive_read_new();

	if (a == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	archive_read_support_format_tar(a);
	if (stream) {
		archive_read_support_filter_all(a);
		archive_read_support_format_empty(a);
	}
	if (archive_read_open(a, src, NULL, fd_read, NULL) != ARCHIVE_OK) {
		rcr_error_set(err, EIO, "reading the archive: %s", archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* ---- extracting -------------------------------------------------------------------------- */

int cp_open_how(const struct extract *x, int at, const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned long long)(flags | O_CLOEXEC),
			       .resolve = x->how | RESOLVE_NO_MAGICLINKS};

	return (int)syscall(SYS_openat2, at, *path ? path : ".", &how, sizeof(how));
}

static void path_error(const struct extract *x, int e, const char *path, struct rcr_error **err)
{
	if (e == EXDEV || e == ELOOP)
		rcr_error_set(err, EXDEV, "\"%s\" would lead out of the destination %s", path,
			      x->where);
	else
		rcr_error_set_errno(err, e, "\"%s\" %s", path, x->where);
}

static int set_owner(const struct extract *x, int at, const char *leaf, struct archive_entry *e,
		     const char *rel, struct rcr_error **err)
{
	uid_t uid = x->chown_fixed ? x->uid : (uid_t)archive_entry_uid(e);
	gid_t gid = x->chown_fixed ? x->gid : (gid_t)archive_entry_gid(e);

	if (x->host || fchownat(at, leaf, uid, gid, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0)
		return 0;
	rcr_error_set_errno(err, errno, "giving \"%s\" the owner %u:%u", rel, uid, gid);
	return -1;
}

/* The directory at path below x->root (made, with its parents, when missing and create). */
static int open_dir(const struct extract *x, const char *path, bool create, struct rcr_error **err)
{
	int fd = cp_open_how(x, x->root, path, O_PATH | O_DIRECTORY);
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int pfd = -1;
	const char *leaf;

	if (fd >= 0 || errno != ENOENT || !create) {
		if (fd < 0)
			path_error(x, errno, path, err);
		return fd;
	}
	parent = cp_parent_of(path);
	leaf = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	pfd = parent ? open_dir(x, parent, true, err) : -1;
	if (pfd < 0)
		return -1;
	if (mkdirat(pfd, leaf, 0755) < 0 && errno != EEXIST) {
		path_error(x, errno, path, err);
		return -1;
	}
	if (!x->host && x->chown_fixed && fchownat(pfd, leaf, x->uid, x->gid, 0) < 0) {
		rcr_error_set_errno(err, errno, "giving \"%s\" its owner", path);
		return -1;
	}
	fd = openat(pfd, leaf, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		path_error(x, errno, path, err);
	return fd;
}

/* prefix + the entry's name, refused when a ".." would climb. Owned. */
static char *entry_rel(const struct extract *x, const char *name, struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(name ? name : "");
	char *save = NULL, *out = malloc(strlen(x->prefix) + strlen(name ? name : "") + 2);
	size_t n = strlen(x->prefix);

	if (copy == NULL || out == NULL) {
		free(out);
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(out, x->prefix, n + 1);
	for (char *t = strtok_r(copy, "/", &save); t != NULL; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			rcr_error_set(err, EXDEV, "the archive entry \"%s\" climbs out with \"..\"",
				      name);
			free(out);
			return NULL;
		}
		if (n > 0)
			out[n++] = '/';
		memcpy(out + n, t, strlen(t) + 1);
		n += strlen(t);
	}
	return out;
}

static int remove_at(int at, const char *leaf, int depth)
{
	int fd;
	DIR *d;
	struct dirent *de;

	if (unlinkat(at, leaf, 0) == 0)
		return 0;
	if (errno != EISDIR || depth > CP_MAX_DEPTH)
		return -1;
	fd = openat(at, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			remove_at(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	return unlinkat(at, leaf, AT_REMOVEDIR);
}

static int write_data(struct archive *a, int fd, struct archive_entry *e, const char *rel,
		      struct rcr_error **err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		/* Sparse entries come as blocks at offsets; holes read back as zeros. */
		if (pwrite(fd, buf, len, off) != (ssize_t)len) {
			rcr_error_set_errno(err, errno ? errno : EIO, "writing \"%s\"", rel);
			return -1;
		}
	}
	if (r != ARCHIVE_EOF) {
		rcr_error_set(err, EIO, "reading the archive: %s", archive_error_string(a));
		return -1;
	}
	if (ftruncate(fd, archive_entry_size(e)) < 0) {
		rcr_error_set_errno(err, errno, "writing \"%s\"", rel);
		return -1;
	}
	return 0;
}

static int make_file(const struct extract *x, struct archive *a, struct archive_entry *e, int pfd,
		     const char *leaf, bool exists, const char *rel, struct rcr_error **err)
{
	int flags = O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC;
	mode_t perm = archive_entry_perm(e) & (x->host ? 01777 : 07777);
	struct timespec ts[2] = {{0, UTIME_OMIT}, {archive_entry_mtime(e), 0}};
	/* An existing file is written in place: it may be a bind mount (/etc/hosts). */
	_cleanup_close_ int fd = openat(pfd, leaf, flags | (exists ? 0 : O_EXCL), 0600);

	if (fd < 0 && exists && errno == EACCES && unlinkat(pfd, leaf, 0) == 0)
		fd = openat(pfd, leaf, flags | O_EXCL, 0600);
	if (fd < 0) {
		path_error(x, errno, rel, err);
		return -1;
	}
	if (write_data(a, fd, e, rel, err) < 0 || set_owner(x, fd, "", e, rel, err) < 0)
		return -1;
	if (fchmod(fd, perm) < 0 || futimens(fd, ts) < 0) {
		rcr_error_set_errno(err, errno, "setting the mode of \"%s\"", rel);
		return -1;
	}
	return 0;
}

/* A hard link entry: its target is another entry of the same archive. */
static int make_hardlink(const struct extract *x, struct archive_entry *e, int pfd,
			 const char *leaf, const char *rel, struct rcr_error **err)
{
	_cleanup_free_ char *trel = entry_rel(x, archive_entry_hardlink(e), err);
	_cleanup_free_ char *tparent = trel ? cp_parent_of(trel) : NULL;
	_cleanup_close_ int tfd = tparent ? open_dir(x, tparent, false, err) : -1;

	if (tfd < 0)
		return -1;
	if (linkat(tfd, cp_last_name(trel), pfd, leaf, 0) < 0) {
		path_error(x, errno, rel, err);
		return -1;
	}
	return 0;
}

static int make_node(const struct extract *x, struct archive_entry *e, int pfd, const char *leaf,
		     const char *rel, struct rcr_error **err)
{
	mode_t type = archive_entry_filetype(e);
	mode_t perm = archive_entry_perm(e) & (x->host ? 01777 : 07777);
	struct timespec ts[2] = {{0, UTIME_OMIT}, {archive_entry_mtime(e), 0}};
	int rc;

	if (type == AE_IFDIR)
		rc = mkdirat(pfd, leaf, 0700);
	else if (type == AE_IFLNK)
		rc = symlinkat(archive_entry_symlink(e), pfd, leaf);
	else if (type == AE_IFIFO || type == AE_IFCHR || type == AE_IFBLK)
		rc = mknodat(pfd, leaf, type | perm, archive_entry_rdev(e));
	else
		return 0; /* sockets and unknown types are not copied */
	if (rc < 0) {
		path_error(x, errno, rel, err);
		return -1;
	}
	if (set_owner(x, pfd, leaf, e, rel, err) < 0)
		return -1;
	/* The host side keeps a directory it made writable to the user, to fill it. */
	if (type == AE_IFDIR && fchmodat(pfd, leaf, x->host ? perm | 0700 : perm, 0) < 0) {
		path_error(x, errno, rel, err);
		return -1;
	}
	utimensat(pfd, leaf, ts, AT_SYMLINK_NOFOLLOW);
	return 0;
}

static int extract_entry(const struct extract *x, struct archive *a, struct archive_entry *e,
			 struct rcr_error **err)
{
	_cleanup_free_ char *rel = entry_rel(x, archive_entry_pathname(e), err);
	_cleanup_free_ char *parent = rel ? cp_parent_of(rel) : NULL;
	_cleanup_close_ int pfd = -1;
	mode_t type = archive_entry_filetype(e);
	bool is_dir = type == AE_IFDIR && archive_entry_hardlink(e) == NULL;
	const char *leaf;
	struct stat st;
	bool exists;

	if (parent == NULL) {
		if (rel != NULL)
			rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (*rel == '\0') {
		if (is_dir)
			return 0; /* the destination directory itself: kept as it is */
		rcr_error_set(err, EISDIR, "the archive entry \"%s\" would replace the destination",
			      archive_entry_pathname(e));
		return -1;
	}
	leaf = cp_last_name(rel);
	pfd = open_dir(x, parent, true, err);
	if (pfd < 0)
		return -1;
	exists = fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (exists && S_ISDIR(st.st_mode) && is_dir)
		return 0; /* an existing directory is merged into, its metadata kept */
	if (exists && S_ISDIR(st.st_mode) != is_dir && !x->overwrite) {
		rcr_error_set(err, EEXIST, "cannot overwrite %s \"%s\" with %s (use --overwrite)",
			      is_dir ? "non-directory" : "directory", rel,
			      is_dir ? "a directory" : "a non-directory");
		return -1;
	}
	if (exists && !(S_ISREG(st.st_mode) && type == AE_IFREG && !archive_entry_hardlink(e))) {
		if (remove_at(pfd, leaf, 0) < 0 && errno != ENOENT) {
			path_error(x, errno, rel, err);
			return -1;
		}
		exists = false;
	}
	if (archive_entry_hardlink(e) != NULL)
		return make_hardlink(x, e, pfd, leaf, rel, err);
	if (type == AE_IFREG)
		return make_file(x, a, e, pfd, leaf, exists, rel, err);
	return make_node(x, e, pfd, leaf, rel, err);
}

/* first (already read, may be NULL) and every entry after it. */
int cp_extract_from(const struct extract *x, struct archive *a, struct archive_entry *first,
		    struct fd_src *src, struct rcr_error **err)
{
	struct archive_entry *e = first;
	int r = ARCHIVE_OK;

	if (e == NULL)
		r = archive_read_next_header(a, &e);
	while (r == ARCHIVE_OK) {
		if (extract_entry(x, a, e, err) < 0)
			return -1;
		r = archive_read_next_header(a, &e);
	}
	if (r == ARCHIVE_EOF)
		return 0;
	if (src->read_errno != 0)
		rcr_error_set_errno(err, src->read_errno, "reading the archive");
	else
		rcr_error_set(err, EIO, "reading the archive: %s", archive_error_string(a));
	return -1;
}
