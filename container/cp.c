/* `rcr cp` (container.h): copying between the host and a container's root file system, running or
 * not, with `docker cp`'s placement rules and `podman cp`'s ownership rules.
 *
 * Two processes and a tar stream between them over a socket pair. rcr itself is the host side: it
 * reads and writes the user's own files as the user. A forked child is the container side: for a
 * running container it joins the user and mount namespaces of its PID 1 through a pidfd (so "/" is
 * the container's root); otherwise it mounts the container's overlay in a private mount namespace
 * of a new user namespace with the container's id maps, and chroots into it. The container side
 * resolves every path with openat2(RESOLVE_IN_ROOT) from that root; the host side extracts with
 * RESOLVE_BENEATH below the destination; final components are handled with *at() and NOFOLLOW.
 * So no symlink, ".." or archive entry can lead a copy out of the container's root, or out of the
 * destination on the host. The container side must never open a host path; the host side never
 * follows a path the container chose.
 *
 * The tar writer is rcr's own (ustar, with pax records for long names and big values); reading
 * uses libarchive, loaded before the fork so that the chrooted child needs nothing from the root.
 */
#include "container/container.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image/lazylib.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "runtime/overlay.h"
#include "runtime/user.h"

#define CP_MAX_DEPTH  512
#define CP_MAX_LINKS  65536
#define CP_REPORT_MAX 4096
#define CP_OVERFLOW_ID                                                                             \
	65534 /* the kernel's overflow id, for a host id the container cannot see                  \
	       */

/* Everything both sides need; the child gets its copy through fork. */
struct cp_job {
	const struct ctr_cp_opts *o;
	const char *name; /* the container's name, for messages */
	const struct rt_spec *spec;
	int pidfd; /* running: its PID 1; -1: mount the rootfs */
	/* copy-in from a host path: the source, looked at before the fork */
	bool src_dir, src_contents;
	const char *src_name; /* its last component (in src_path), "" for a directory's contents */
	char *src_path;	      /* owned: the host path without trailing "/" or "/." */
	int data, report;     /* the child's ends */
};

/* ---- paths and placement (pure) ------------------------------------------------------------ */

/* A container path, cleaned as filepath.Clean("/" + p) (".." stops at the root, as Docker and
 * Podman do), relative to the root: "" is the root. *slash: given with a trailing "/"; *contents:
 * given ending in "/." (a directory's contents). Owned. */
static char *ctr_path_clean(const char *in, bool *slash, bool *contents)
{
	size_t len = strlen(in), n = 0;
	char *out = malloc(len + 1), *save = NULL;
	_cleanup_free_ char *copy = strdup(in);

	if (out == NULL || copy == NULL) {
		free(out);
		return NULL;
	}
	*contents = strcmp(in, ".") == 0 || (len >= 2 && strcmp(in + len - 2, "/.") == 0);
	*slash = len > 0 && in[len - 1] == '/';
	for (char *t = strtok_r(copy, "/", &save); t != NULL; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		if (n > 0)
			out[n++] = '/';
		memcpy(out + n, t, strlen(t));
		n += strlen(t);
	}
	out[n] = '\0';
	return out;
}

/* A host path without its trailing "/" and "/." (the root stays "/"), with the same flags. */
static char *host_path_trim(const char *in, bool *slash, bool *contents)
{
	size_t len = strlen(in);
	char *p = strdup(in);

	*contents = strcmp(in, ".") == 0 || (len >= 2 && strcmp(in + len - 2, "/.") == 0);
	*slash = len > 0 && in[len - 1] == '/';
	while (p != NULL && len > 1) {
		if (p[len - 1] == '/')
			p[--len] = '\0';
		else if (len > 2 && p[len - 1] == '.' && p[len - 2] == '/')
			p[len -= 2] = '\0';
		else
			break;
	}
	return p;
}

/* The last component ("" for "", "/", "." and ".."), borrowed from p. */
static const char *last_name(const char *p)
{
	const char *s = strrchr(p, '/');

	s = s ? s + 1 : p;
	return strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ? "" : s;
}

/* p up to its last component: "" for a single component (the caller's base), "/" for "/x". */
static char *parent_of(const char *p)
{
	const char *s = strrchr(p, '/');

	if (s == NULL)
		return strdup("");
	if (s == p)
		return strdup("/");
	return strndup(p, (size_t)(s - p));
}

enum cp_kind { CP_MISSING, CP_DIR, CP_OTHER };

/* Where the source lands, docker cp's rules: AT the destination (it becomes the source), INSIDE
 * it (dest/NAME), or INTO it (the directory's contents merge with it). */
enum cp_place { CP_AT, CP_INSIDE, CP_INTO };

static int cp_place(bool src_dir, bool contents, const char *src_name, enum cp_kind dest,
		    bool dest_slash, bool overwrite, const char *dest_shown, enum cp_place *out,
		    struct rcr_error **err)
{
	if (dest == CP_DIR) {
		*out = src_dir && (contents || *src_name == '\0') ? CP_INTO : CP_INSIDE;
		return 0;
	}
	if (dest == CP_OTHER && dest_slash) {
		rcr_error_set(err, ENOTDIR, "\"%s\" is not a directory", dest_shown);
		return -1;
	}
	if (dest == CP_OTHER && src_dir && !overwrite) {
		rcr_error_set(
			err, EEXIST,
			"cannot overwrite non-directory \"%s\" with directory (use --overwrite)",
			dest_shown);
		return -1;
	}
	if (dest == CP_MISSING && dest_slash && !src_dir) {
		rcr_error_set(err, ENOENT, "destination directory \"%s\" does not exist",
			      dest_shown);
		return -1;
	}
	*out = CP_AT;
	return 0;
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
static int pump(int in, int out, const char *what, struct rcr_error **err)
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

struct tar_w {
	int fd;
	/* host side: ids shown as the container sees them; NULL: as they are */
	const struct userns_map *uids, *gids;
	struct tar_link *links;
	size_t n_links;
};

static void tar_w_release(struct tar_w *w)
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

static int tar_add(struct tar_w *w, int at, const char *leaf, const char *name, int depth,
		   struct rcr_error **err);

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
		if (tar_add(w, dirfd(d), de->d_name, child, depth + 1, err) < 0)
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
static int tar_add(struct tar_w *w, int at, const char *leaf, const char *name, int depth,
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

static int tar_end(struct tar_w *w, struct rcr_error **err)
{
	static const char zero[1024];

	return w_send(w, zero, sizeof(zero), err);
}

/* ---- reading tar ------------------------------------------------------------------------- */

struct fd_src {
	int fd;
	int read_errno;
	char buf[64 << 10];
};

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
static struct archive *tar_open(struct fd_src *src, bool stream, struct rcr_error **err)
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

struct extract {
	int root;		/* everything resolves below this directory */
	unsigned long long how; /* RESOLVE_IN_ROOT (container side) or RESOLVE_BENEATH (host) */
	const char *prefix;	/* where the archive's "." goes, relative to root ("" = root) */
	bool host;		/* the user's files: no chown, no set-id bits */
	bool chown_fixed;	/* every entry to uid:gid (--archive); else the archive's ids */
	uid_t uid;
	gid_t gid;
	bool overwrite;
	const char *where; /* "on the host", "on container NAME" */
};

static int open_how(const struct extract *x, int at, const char *path, int flags)
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
	int fd = open_how(x, x->root, path, O_PATH | O_DIRECTORY);
	_cleanup_free_ char *parent = NULL;
	_cleanup_close_ int pfd = -1;
	const char *leaf;

	if (fd >= 0 || errno != ENOENT || !create) {
		if (fd < 0)
			path_error(x, errno, path, err);
		return fd;
	}
	parent = parent_of(path);
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
	_cleanup_free_ char *tparent = trel ? parent_of(trel) : NULL;
	_cleanup_close_ int tfd = tparent ? open_dir(x, tparent, false, err) : -1;

	if (tfd < 0)
		return -1;
	if (linkat(tfd, last_name(trel), pfd, leaf, 0) < 0) {
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
	_cleanup_free_ char *parent = rel ? parent_of(rel) : NULL;
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
	leaf = last_name(rel);
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
static int extract_from(const struct extract *x, struct archive *a, struct archive_entry *first,
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

/* ---- the container side (a child whose "/" is the container's root) -------------------------- */

static void not_found(const struct cp_job *j, const char *shown, struct rcr_error **err)
{
	rcr_error_set(err, ENOENT,
		      "\"%s\" could not be found on container %s: no such file or "
		      "directory",
		      shown, j->name);
}

/* Send the container path (from o->ctr_path) as a tar. */
static int ctr_send(const struct cp_job *j, int root, struct rcr_error **err)
{
	struct extract rx = {.root = root, .how = RESOLVE_IN_ROOT, .where = ""};
	struct tar_w w = {.fd = j->data};
	bool slash, contents;
	_cleanup_free_ char *rel = ctr_path_clean(j->o->ctr_path, &slash, &contents);
	_cleanup_free_ char *parent = rel ? parent_of(rel) : NULL;
	_cleanup_close_ int fd = -1;
	const char *top = ".";
	struct stat st;
	int rc;

	if (parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (j->o->host_path[0] == '-' && !contents && *last_name(rel) != '\0')
		top = last_name(rel); /* `-`: entries named as docker cp names them */
	if (contents || slash || *rel == '\0') {
		fd = open_how(&rx, root, rel, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOTDIR)
			rcr_error_set(err, ENOTDIR, "\"%s\" is not a directory on container %s",
				      j->o->ctr_path, j->name);
		else if (fd < 0)
			not_found(j, j->o->ctr_path, err);
		rc = fd < 0 ? -1 : tar_add(&w, fd, "", top, 0, err);
	} else {
		fd = open_how(&rx, root, parent, O_PATH | O_DIRECTORY);
		if (fd < 0 || fstatat(fd, last_name(rel), &st, AT_SYMLINK_NOFOLLOW) < 0) {
			not_found(j, j->o->ctr_path, err);
			return -1;
		}
		rc = tar_add(&w, fd, last_name(rel), top, 0, err);
	}
	if (rc == 0)
		rc = tar_end(&w, err);
	tar_w_release(&w);
	return rc;
}

/* The uid and gid of the container's user, from its own /etc/passwd and /etc/group. */
static int ctr_user_ids(const struct cp_job *j, int root, uid_t *uid, gid_t *gid,
			struct rcr_error **err)
{
	struct extract rx = {.root = root, .how = RESOLVE_IN_ROOT};
	_cleanup_close_ int pfd = open_how(&rx, root, "etc/passwd", O_RDONLY);
	_cleanup_close_ int gfd = open_how(&rx, root, "etc/group", O_RDONLY);
	_cleanup_error_ struct rcr_error *ignored = NULL;
	size_t plen = 0, glen = 0;
	_cleanup_free_ char *passwd = pfd >= 0 ? fs_read_fd(pfd, 16 << 20, &plen, &ignored) : NULL;
	_cleanup_free_ char *group = gfd >= 0 ? fs_read_fd(gfd, 16 << 20, &glen, &ignored) : NULL;
	struct rt_user u;

	if (rt_user_resolve(j->spec->user ? j->spec->user : "", passwd, plen, group, glen, NULL, 0,
			    &u, err) < 0) {
		rcr_error_wrap(err, "finding the owner for the copied files");
		return -1;
	}
	*uid = u.uid;
	*gid = u.gid;
	return 0;
}

/* Receive a tar into the container path (o->ctr_path). */
static int ctr_receive(const struct cp_job *j, int root, struct rcr_error **err)
{
	bool slash, contents, stream = strcmp(j->o->host_path, "-") == 0;
	_cleanup_free_ char *rel = ctr_path_clean(j->o->ctr_path, &slash, &contents);
	_cleanup_free_ char *parent = rel ? parent_of(rel) : NULL, *prefix = NULL, *where = NULL;
	struct extract x = {.root = root, .how = RESOLVE_IN_ROOT, .overwrite = j->o->overwrite};
	_cleanup_close_ int fd = -1;
	struct fd_src *src = NULL;
	struct archive *a = NULL;
	enum cp_kind kind = CP_MISSING;
	enum cp_place place = CP_INTO;
	struct stat st;
	int rc = -1;

	if (parent == NULL || asprintf(&where, "on container %s", j->name) < 0) {
		where = NULL;
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	x.where = where;
	fd = open_how(&x, root, rel, O_PATH);
	if (fd >= 0 && fstat(fd, &st) == 0)
		kind = S_ISDIR(st.st_mode) ? CP_DIR : CP_OTHER;
	if (kind == CP_MISSING) {
		_cleanup_close_ int pfd = open_how(&x, root, parent, O_PATH | O_DIRECTORY);

		if (pfd < 0 || stream) {
			_cleanup_free_ char *shown = NULL;

			if (!stream && asprintf(&shown, "/%s", parent) < 0)
				shown = NULL;
			not_found(j, shown ? shown : j->o->ctr_path, err);
			return -1;
		}
	}
	if (stream && kind != CP_DIR) {
		rcr_error_set(err, ENOTDIR,
			      "\"%s\" is not a directory on container %s: a tar "
			      "stream is extracted into a directory",
			      j->o->ctr_path, j->name);
		return -1;
	}
	if (!stream && cp_place(j->src_dir, j->src_contents, j->src_name, kind, slash,
				j->o->overwrite, j->o->ctr_path, &place, err) < 0)
		return -1;
	if (asprintf(&prefix, "%s%s%s", rel, *rel && place == CP_INSIDE ? "/" : "",
		     place == CP_INSIDE ? j->src_name : "") < 0) {
		prefix = NULL;
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	x.prefix = prefix;
	x.chown_fixed = j->o->archive;
	if (x.chown_fixed && ctr_user_ids(j, root, &x.uid, &x.gid, err) < 0)
		return -1;
	src = calloc(1, sizeof(*src));
	if (src == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	src->fd = j->data;
	a = tar_open(src, stream, err);
	if (a != NULL)
		rc = extract_from(&x, a, NULL, src, err);
	if (a != NULL)
		archive_read_free(a);
	free(src);
	return rc;
}

/* Report err (or success) to the parent: "CODE MESSAGE\0"; the parent reads the first. */
static _Noreturn void child_exit(int fd, struct rcr_error *err)
{
	char buf[CP_REPORT_MAX];
	int n;

	if (err == NULL)
		_exit(0);
	n = snprintf(buf, sizeof(buf), "%d %s", err->code, err->msg ? err->msg : "failed");
	if (n >= (int)sizeof(buf))
		n = (int)sizeof(buf) - 1;
	if (write(fd, buf, (size_t)n + 1) < 0)
		_exit(2);
	_exit(1);
}

static int ctr_side(const struct cp_job *j, struct rcr_error **err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (root < 0) {
		rcr_error_set_errno(err, errno, "opening the container's root");
		return -1;
	}
	rc = j->o->to_ctr ? ctr_receive(j, root, err) : ctr_send(j, root, err);
	/* a failure must never be reported as success */
	if (rc < 0 && *err == NULL)
		rcr_error_set(err, ENOMEM, "out of memory");
	return rc;
}

/* A running container: join the user and mount namespaces of its PID 1, whose root is the
 * container's. Not its pid namespace, so nothing in the container can see (or ptrace) us. */
static _Noreturn void run_joined(const struct cp_job *j)
{
	struct rcr_error *err = NULL;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (setns(j->pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
		rcr_error_set_errno(&err, errno, "joining the namespaces of container %s", j->name);
	else if (chdir("/") < 0)
		rcr_error_set_errno(&err, errno, "entering the root of container %s", j->name);
	else
		ctr_side(j, &err);
	child_exit(j->report, err);
}

/* In a new user and mount namespace: the container's overlay on its merged dir, then chroot. */
static int mount_root(const struct rt_spec *s, struct rcr_error **err)
{
	_cleanup_close_ int mfd = -1;
	size_t n = 0;

	while (s->lowers[n] != NULL)
		n++;
	/* Nothing mounted here may reach the user's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		rcr_error_set_errno(err, errno, "making the mount namespace private");
		return -1;
	}
	if (fs_mkdir_p(s->merged, 0755, err) < 0)
		return -1;
	mfd = rt_overlay_mount_fd((const char *const *)s->lowers, n, s->upper, s->work, err);
	if (mfd < 0)
		return -1;
	if (move_mount(mfd, "", AT_FDCWD, s->merged, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
	    chroot(s->merged) < 0 || chdir("/") < 0) {
		rcr_error_set_errno(err, errno, "mounting the container's root at '%s'", s->merged);
		return -1;
	}
	return 0;
}

static int mounted_fn(void *arg, char *msg)
{
	const struct cp_job *j = arg;
	struct rcr_error *err = NULL;

	(void)msg; /* the report goes to the parent directly, with its errno */
	if (mount_root(j->spec, &err) == 0)
		ctr_side(j, &err);
	child_exit(j->report, err);
}

/* A container that is not running: its root is mounted by a grandchild made by userns_run,
 * which reports itself; this child only reports a namespace that could not be made. */
static _Noreturn void run_mounted(const struct cp_job *j)
{
	struct rcr_error *err = NULL;
	const struct rt_spec *s = j->spec;

	userns_run(&s->uidmap, &s->gidmap, s->newuidmap, s->newgidmap, CLONE_NEWNS, mounted_fn,
		   (void *)j, &err);
	child_exit(j->report, err);
}

/* The child keeps stdio and the fds a, b and c (-1: none), nothing else of rcr's. */
static void close_others(int a, int b, int c)
{
	int keep[3] = {a, b, c};
	unsigned from = 3;

	for (int i = 0; i < 3; i++)
		for (int k = i + 1; k < 3; k++)
			if (keep[k] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[k];
				keep[k] = t;
			}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* ---- the host side ----------------------------------------------------------------------- */

/* Look at the host source before anything starts: its kind and name decide the placement. */
static int host_source(struct cp_job *j, struct rcr_error **err)
{
	bool slash, contents;
	struct stat st;

	j->src_path = host_path_trim(j->o->host_path, &slash, &contents);
	if (j->src_path == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if ((contents || slash ? stat(j->src_path, &st) : lstat(j->src_path, &st)) < 0) {
		if (errno == ENOENT)
			rcr_error_set(err, ENOENT,
				      "\"%s\" could not be found on the host: no such file or "
				      "directory",
				      j->o->host_path);
		else
			rcr_error_set_errno(err, errno, "\"%s\" on the host", j->o->host_path);
		return -1;
	}
	j->src_dir = S_ISDIR(st.st_mode);
	if ((contents || slash) && !j->src_dir) {
		rcr_error_set(err, ENOTDIR, "\"%s\" is not a directory", j->o->host_path);
		return -1;
	}
	j->src_contents = contents;
	j->src_name = contents ? "" : last_name(j->src_path);
	return 0;
}

/* Send the host source as a tar, ids as the container sees them. */
static int host_send(const struct cp_job *j, int data, struct rcr_error **err)
{
	struct tar_w w = {.fd = data, .uids = &j->spec->uidmap, .gids = &j->spec->gidmap};
	_cleanup_free_ char *parent = j->src_path ? parent_of(j->src_path) : NULL;
	_cleanup_close_ int fd = -1;
	int rc;

	if (parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (*j->src_name == '\0')
		fd = open(j->src_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		fd = open(*parent ? parent : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "opening \"%s\"", j->o->host_path);
		return -1;
	}
	rc = tar_add(&w, fd, j->src_name, ".", 0, err);
	if (rc == 0)
		rc = tar_end(&w, err);
	tar_w_release(&w);
	return rc;
}

/* Extract what the container sent below the host destination. */
static int host_receive(const struct cp_job *j, struct archive *a, struct fd_src *src,
			struct rcr_error **err)
{
	bool slash, contents, cslash, ccontents;
	_cleanup_free_ char *dst = host_path_trim(j->o->host_path, &slash, &contents);
	_cleanup_free_ char *crel = ctr_path_clean(j->o->ctr_path, &cslash, &ccontents);
	_cleanup_free_ char *parent = dst ? parent_of(dst) : NULL;
	struct extract x = {.how = RESOLVE_BENEATH,
			    .host = true,
			    .overwrite = j->o->overwrite,
			    .where = "on the host",
			    .prefix = ""};
	struct archive_entry *e = NULL;
	enum cp_kind kind = CP_MISSING;
	enum cp_place place;
	struct stat st;
	const char *base;
	int r;

	if (crel == NULL || parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK) {
		rcr_error_set(err, EIO, "reading what the container sent: %s",
			      archive_error_string(a));
		return -1;
	}
	if (stat(dst, &st) == 0)
		kind = S_ISDIR(st.st_mode) ? CP_DIR : CP_OTHER;
	if (cp_place(archive_entry_filetype(e) == AE_IFDIR, ccontents, last_name(crel), kind, slash,
		     j->o->overwrite, j->o->host_path, &place, err) < 0)
		return -1;
	base = place == CP_AT ? (*parent ? parent : ".") : dst;
	x.prefix = place == CP_AT ? last_name(dst) : place == CP_INSIDE ? last_name(crel) : "";
	x.root = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (x.root < 0) {
		rcr_error_set_errno(err, errno, "opening \"%s\"", base);
		return -1;
	}
	r = extract_from(&x, a, e, src, err);
	close(x.root);
	return r;
}

/* The host destination's directory must exist before the container is asked for anything. */
static int host_dest_check(const struct cp_job *j, struct rcr_error **err)
{
	bool slash, contents;
	_cleanup_free_ char *dst = host_path_trim(j->o->host_path, &slash, &contents);
	_cleanup_free_ char *parent = dst ? parent_of(dst) : NULL;
	struct stat st;

	if (parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (stat(dst, &st) == 0 || stat(*parent ? parent : ".", &st) == 0)
		return 0;
	rcr_error_set(err, ENOENT,
		      "\"%s\" could not be found on the host: no such file or directory", parent);
	return -1;
}

static int host_side(const struct cp_job *j, int fd, struct rcr_error **err)
{
	bool stream = strcmp(j->o->host_path, "-") == 0;
	struct fd_src *src = NULL;
	struct archive *a = NULL;
	int rc = -1;

	if (j->o->to_ctr)
		return stream ? pump(0, fd, "sending standard input", err) : host_send(j, fd, err);
	if (stream)
		return pump(fd, 1, "writing to standard output", err);
	src = calloc(1, sizeof(*src));
	if (src == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	src->fd = fd;
	a = tar_open(src, false, err);
	if (a != NULL) {
		rc = host_receive(j, a, src, err);
		archive_read_free(a);
	}
	free(src);
	return rc;
}

/* ---- the copy ------------------------------------------------------------------------------ */

/* The child's report: the first "CODE MESSAGE" record, or NULL when it succeeded. */
static struct rcr_error *read_report(int fd, pid_t pid)
{
	char buf[CP_REPORT_MAX + 1];
	struct rcr_error *e = NULL;
	ssize_t n, got = 0;
	int status = 0;
	char *end = NULL;
	long code;

	while (got < CP_REPORT_MAX && (n = read(fd, buf + got, CP_REPORT_MAX - (size_t)got)) != 0)
		if (n > 0)
			got += n;
		else if (errno != EINTR)
			break;
	buf[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	code = got > 0 ? strtol(buf, &end, 10) : 0;
	if (got > 0 && end != buf && *end == ' ')
		rcr_error_set(&e, (int)code, "%s", end + 1);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rcr_error_set(&e, EIO, "the copying process failed (status %d)", status);
	return e;
}

/* Both sides may fail, one because the other did: a broken stream (EPIPE) is the effect, never
 * the cause; otherwise the side that wrote the stream knows what went wrong first. */
static void pick_error(bool host_writes, struct rcr_error *host, struct rcr_error *child,
		       struct rcr_error **err)
{
	struct rcr_error *pick;

	if (child == NULL && host != NULL && host->code == EPIPE)
		pick = NULL; /* the container side had all it wanted (tar's trailing padding) */
	else if (child == NULL || host == NULL)
		pick = child ? child : host;
	else if (child->code == EPIPE)
		pick = host;
	else if (host->code == EPIPE)
		pick = child;
	else
		pick = host_writes ? host : child;
	if (pick != NULL)
		rcr_error_set(err, pick->code, "%s", pick->msg);
}

static int run_copy(struct cp_job *j, struct rcr_error **err)
{
	_cleanup_close_ int mine = -1, rep = -1;
	_cleanup_error_ struct rcr_error *host_err = NULL, *child_err = NULL;
	int s[2], p[2];
	pid_t pid;

	if (proc_socketpair(SOCK_STREAM, s, err) < 0)
		return -1;
	if (proc_pipe(p, err) < 0) {
		close(s[0]), close(s[1]);
		return -1;
	}
	mine = s[0], rep = p[0];
	j->data = s[1], j->report = p[1];
	pid = fork();
	if (pid == 0) {
		close_others(j->data, j->report, j->pidfd);
		if (j->pidfd >= 0)
			run_joined(j);
		run_mounted(j);
	}
	close(j->data), close(j->report);
	if (pid < 0) {
		rcr_error_set_errno(err, errno, "forking the copying process");
		return -1;
	}
	if (host_side(j, mine, &host_err) < 0 && host_err == NULL)
		rcr_error_set(&host_err, ENOMEM, "out of memory");
	/* EOF for the container side; what it still sends is not wanted */
	close(steal_fd(&mine));
	child_err = read_report(rep, pid);
	pick_error(j->o->to_ctr, host_err, child_err, err);
	return *err != NULL ? -1 : 0;
}

/* A pidfd for the running container's PID 1 (-1 when it is not running). */
static int running_pidfd(const struct ctr_state *s)
{
	int fd;

	if (s->status != CTR_RUNNING && s->status != CTR_STOPPING)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, s->run.pid, 0);
	if (fd >= 0 && !mon_proc_matches(s->run.pid, s->run.pid_start, s->run.boot_id)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cp_container(struct store *st, const struct store_container *c,
			const struct ctr_cp_opts *o, struct rcr_error **err)
{
	_cleanup_free_ char *ud = ctr_userdata(st, c->id);
	_cleanup_free_ char *lock_path = fs_path_join(ud, "lock");
	_cleanup_free_ char *spec_path = fs_path_join(ud, "spec.json");
	_cleanup_close_ int lock = -1, pidfd = -1;
	struct cp_job j = {.o = o, .name = c->name, .pidfd = -1, .src_name = ""};
	struct rt_spec spec = {0};
	struct ctr_state state;
	int rc = -1;

	/* The lock keeps a stopped container from starting while its root is mounted here: its
	 * own overlay would share the upper and work dirs. A running one is not held. */
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		rcr_error_set_errno(err, errno, "locking container '%s'", c->name);
		return -1;
	}
	ctr_state_get(ud, c->state, &state);
	if (state.status == CTR_REMOVING) {
		rcr_error_set(err, EBUSY, "container '%s' is being removed", c->name);
		return -1;
	}
	pidfd = running_pidfd(&state);
	if (pidfd >= 0)
		close(steal_fd(&lock));
	if (rt_spec_read(spec_path, &spec, err) < 0)
		return -1;
	j.spec = &spec;
	j.pidfd = pidfd;
	if (o->to_ctr && strcmp(o->host_path, "-") != 0)
		rc = host_source(&j, err);
	else if (!o->to_ctr && strcmp(o->host_path, "-") != 0)
		rc = host_dest_check(&j, err);
	else
		rc = 0;
	if (rc == 0)
		rc = run_copy(&j, err);
	free(j.src_path);
	rt_spec_release(&spec);
	return rc;
}

int ctr_cp(struct store *st, const struct ctr_cp_opts *o, struct rcr_error **err)
{
	struct store_container c = {0};
	int rc = store_container_get(st, o->container, &c, err);

	if (rc == 0)
		rcr_error_set(err, ENOENT,
			      "no container with name or ID '%s' found: no such container",
			      o->container);
	/* libarchive reads the stream on both sides: loaded before the fork and the chroot */
	rc = rc == 1 && lazylib_archive(err) == 0 ? cp_container(st, &c, o, err) : -1;
	store_container_release(&c);
	return rc;
}
