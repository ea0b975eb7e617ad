/* File-system helpers (see fs.h): mkdir -p, crash-safe atomic writes, capped reads, lexical path
 * joins that refuse to climb out of their root, and a recursive remove.
 *
 * Must never follow a symlink while removing (the store holds image content an attacker chose),
 * never leave a temporary file behind after a failed atomic write, never read more than the cap
 * into memory, and never open an fd without O_CLOEXEC (rcr forks helpers all the time).
 */
#include "pkg/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"

/* Removing a tree recurses once per directory level, holding one fd per level; a tree deeper
 * than this (far beyond what PATH_MAX lets anyone create by path) is refused rather than risking
 * the stack. The fd limit (RLIMIT_NOFILE) may stop a deep walk earlier, with EMFILE. */
#define FS_RM_MAX_DEPTH 4096

/* An existing entry on the way: fine when it is a directory (or a symlink to one, as mkdir -p
 * accepts), an error naming it otherwise. */
static int mkdir_existing(const char *component, struct rcr_error **err)
{
	struct stat st;

	if (stat(component, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	rcr_error_set(err, ENOTDIR, "creating directory '%s': it exists and is not a directory",
		      component);
	return -1;
}

int fs_mkdir_p(const char *path, mode_t mode, struct rcr_error **err)
{
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	char *p;

	if (path == NULL || *path == '\0') {
		rcr_error_set(err, EINVAL, "creating directory '': empty path");
		return -1;
	}
	/* The common case, an existing directory, costs one stat. */
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	buf = strdup(path);
	if (buf == NULL) {
		rcr_error_set_errno(err, ENOMEM, "creating directory '%s'", path);
		return -1;
	}
	p = buf;
	for (;;) {
		bool last;

		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		p += strcspn(p, "/");
		last = p[strspn(p, "/")] == '\0';
		*p = '\0';
		/* EEXIST also covers a concurrent caller creating the same component first. */
		if (mkdir(buf, mode) < 0) {
			if (errno != EEXIST) {
				rcr_error_set_errno(err, errno, "creating directory '%s'", buf);
				return -1;
			}
			if (mkdir_existing(buf, err) < 0)
				return -1;
		}
		if (last)
			break;
		*p++ = '/';
	}
	return 0;
}

/* write(2) until everything is out; a short write is not an error by itself. */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Split path into an owned directory part ("." when there is none) and a pointer to the base. */
static char *split_dir(const char *path, const char **base)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL) {
		*base = path;
		return strdup(".");
	}
	*base = slash + 1;
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

/* Fill the temporary file and make it durable before it becomes visible under its real name. */
static int fill_temp(int fd, const char *path, const void *data, size_t len, mode_t mode,
		     bool durable, struct rcr_error **err)
{
	if (write_all(fd, data, len) < 0) {
		rcr_error_set_errno(err, errno, "writing '%s'", path);
		return -1;
	}
	/* mkstemp creates 0600 whatever the umask; the caller's mode is applied exactly. */
	if (fchmod(fd, mode) < 0) {
		rcr_error_set_errno(err, errno, "setting the mode of '%s'", path);
		return -1;
	}
	if (durable && fsync(fd) < 0) {
		rcr_error_set_errno(err, errno, "syncing '%s'", path);
		return -1;
	}
	return 0;
}

/* After the rename, the directory entry itself must reach the disk for the write to survive a
 * crash. Filesystems that cannot sync a directory say EINVAL; nothing more can be done there. */
static int sync_dir(const char *dir, struct rcr_error **err)
{
	_cleanup_close_ int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0) {
		rcr_error_set_errno(err, errno, "opening directory '%s' to sync it", dir);
		return -1;
	}
	if (fsync(dfd) < 0 && errno != EINVAL) {
		rcr_error_set_errno(err, errno, "syncing directory '%s'", dir);
		return -1;
	}
	return 0;
}

static int write_atomic(const char *path, const void *data, size_t len, mode_t mode, bool durable,
			struct rcr_error **err)
{
	const char *base = NULL;
	_cleanup_free_ char *dir = split_dir(path, &base);
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	int rc;

	/* The base is shortened in the temporary name so that a name near NAME_MAX still fits. */
	if (dir == NULL || asprintf(&tmp, "%s/.%.200s.tmpXXXXXX", dir, base) < 0) {
		tmp = NULL;
		rcr_error_set_errno(err, ENOMEM, "writing '%s'", path);
		return -1;
	}
	if (*base == '\0') {
		rcr_error_set(err, EISDIR, "writing '%s': the path names a directory", path);
		return -1;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "creating a temporary file for '%s' in '%s'", path,
				    dir);
		return -1;
	}
	rc = fill_temp(fd, path, data, len, mode, durable, err);
	if (rc == 0 && close(steal_fd(&fd)) < 0) {
		/* close can report a deferred write error (NFS, quota): the data is not safe. */
		rcr_error_set_errno(err, errno, "writing '%s'", path);
		rc = -1;
	}
	if (rc == 0 && rename(tmp, path) < 0) {
		rcr_error_set_errno(err, errno, "renaming '%s' to '%s'", tmp, path);
		rc = -1;
	}
	if (rc < 0) {
		unlink(tmp);
		return -1;
	}
	return durable ? sync_dir(dir, err) : 0;
}

int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		    struct rcr_error **err)
{
	return write_atomic(path, data, len, mode, true, err);
}

int fs_write_replace(const char *path, const void *data, size_t len, mode_t mode,
		     struct rcr_error **err)
{
	return write_atomic(path, data, len, mode, false, err);
}

/* Read everything from fd, growing the buffer up to max+1 bytes so that one byte past the cap
 * reveals a file that is too large without reading all of it. name is for errors. */
static char *read_fd_named(int fd, const char *name, size_t max, size_t *len_out,
			   struct rcr_error **err)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	size_t len = 0;
	uint64_t left = 0;
	struct stat st;

	/* Leave room for the byte past the cap and the NUL. */
	if (max > SIZE_MAX - 2)
		max = SIZE_MAX - 2;
	/* A regular file tells its size up front: refuse it without reading. The fd may have been
	 * read from already, so only what is left after the offset counts. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		off_t off = lseek(fd, 0, SEEK_CUR);

		left = st.st_size > off && off >= 0 ? (uint64_t)(st.st_size - off) : 0;
	}
	if (left > max) {
		rcr_error_set(err, EFBIG, "reading %s: larger than the limit of %zu bytes", name,
			      max);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (len == cap) {
			/* A known size is read in one go (+1 to see EOF without growing). */
			size_t want = cap ? cap * 2 : left >= 4096 ? (size_t)left + 1 : 4096;
			char *nb;

			if (want > max + 1 || want < cap)
				want = max + 1;
			nb = realloc(buf, want + 1);
			if (nb == NULL) {
				rcr_error_set_errno(err, ENOMEM, "reading %s", name);
				return NULL;
			}
			buf = nb;
			cap = want;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rcr_error_set_errno(err, errno, "reading %s", name);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			rcr_error_set(err, EFBIG, "reading %s: larger than the limit of %zu bytes",
				      name, max);
			return NULL;
		}
	}
	buf[len] = '\0';
	if (len_out != NULL)
		*len_out = len;
	return steal_ptr(&buf);
}

char *fs_read_fd(int fd, size_t max, size_t *len_out, struct rcr_error **err)
{
	char name[48];

	snprintf(name, sizeof(name), "file descriptor %d", fd);
	return read_fd_named(fd, name, max, len_out, err);
}

char *fs_read_file(const char *path, size_t max, size_t *len_out, struct rcr_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	_cleanup_free_ char *name = NULL;

	if (fd < 0) {
		rcr_error_set_errno(err, errno, "reading '%s'", path);
		return NULL;
	}
	if (asprintf(&name, "'%s'", path) < 0) {
		name = NULL;
		rcr_error_set_errno(err, ENOMEM, "reading '%s'", path);
		return NULL;
	}
	return read_fd_named(fd, name, max, len_out, err);
}

/* Append the component [s, s+n) to the cleaned relative path in out (length *len). */
static void push_component(char *out, size_t *len, const char *s, size_t n)
{
	if (*len > 0)
		out[(*len)++] = '/';
	memcpy(out + *len, s, n);
	*len += n;
	out[*len] = '\0';
}

/* Drop the last component of out; false when there is none (the ".." would climb above root). */
static bool pop_component(char *out, size_t *len)
{
	char *slash;

	if (*len == 0)
		return false;
	slash = strrchr(out, '/');
	*len = slash ? (size_t)(slash - out) : 0;
	out[*len] = '\0';
	return true;
}

char *fs_join_safe(const char *root, const char *rel, struct rcr_error **err)
{
	/* The cleaned path is never longer than rel itself. */
	_cleanup_free_ char *clean = malloc(strlen(rel) + 1);
	const char *p = rel;
	size_t len = 0;

	if (clean == NULL) {
		rcr_error_set_errno(err, ENOMEM, "joining '%s' to '%s'", rel, root);
		return NULL;
	}
	clean[0] = '\0';
	while (*p != '\0') {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* empty or "." */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (!pop_component(clean, &len)) {
				rcr_error_set(err, EXDEV, "path '%s' escapes its root '%s'", rel,
					      root);
				return NULL;
			}
		} else {
			push_component(clean, &len, p, n);
		}
		p += n;
	}
	if (len == 0)
		return strdup(root);
	return fs_path_join(root, clean);
}

char *fs_path_join(const char *a, const char *b)
{
	size_t alen = strlen(a);
	char *out = NULL;

	while (*b == '/')
		b++;
	if (*a == '\0')
		return strdup(b);
	if (*b == '\0')
		return strdup(a);
	while (alen > 1 && a[alen - 1] == '/')
		alen--;
	/* "/" stays "/" above, so "/" + "x" is "/x", not "//x". */
	if (asprintf(&out, "%.*s%s%s", (int)alen, a, a[alen - 1] == '/' ? "" : "/", b) < 0)
		return NULL;
	return out;
}

static int rm_at(int dirfd, const char *name, const char *path, int depth, struct rcr_error **err);

/* Open the directory name under dirfd without following a symlink. A directory we may not read
 * (mode 0000 or 0300 in layer content) is made u+rwx first; AT_SYMLINK_NOFOLLOW keeps that chmod
 * off a symlink swapped in meanwhile. Returns the fd, -1 with errno set otherwise. */
static int open_dir_nofollow(int dirfd, const char *name)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, name, flags);

	if (fd < 0 && errno == EACCES && fchmodat(dirfd, name, S_IRWXU, AT_SYMLINK_NOFOLLOW) == 0)
		fd = openat(dirfd, name, flags);
	return fd;
}

/* Empty the open directory dfd (owned: handed to fdopendir). path is for errors. */
static int rm_contents(int dfd, const char *path, int depth, struct rcr_error **err)
{
	_cleanup_closedir_ DIR *d = NULL;
	struct stat st;
	struct dirent *e;

	/* Entries of a 0555 directory cannot be unlinked until it is writable again. */
	if (fstat(dfd, &st) == 0 && (st.st_mode & S_IRWXU) != S_IRWXU)
		(void)fchmod(dfd, st.st_mode | S_IRWXU);
	d = fdopendir(dfd);
	if (d == NULL) {
		rcr_error_set_errno(err, errno, "removing '%s'", path);
		close(dfd);
		return -1;
	}
	for (;;) {
		_cleanup_free_ char *child = NULL;

		errno = 0;
		e = readdir(d);
		if (e == NULL)
			break;
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		/* Files go without a recursion; unknown types and directories go through rm_at. */
		if (e->d_type != DT_DIR && e->d_type != DT_UNKNOWN &&
		    unlinkat(dirfd(d), e->d_name, 0) == 0)
			continue;
		child = fs_path_join(path, e->d_name);
		if (child == NULL) {
			rcr_error_set_errno(err, ENOMEM, "removing '%s'", path);
			return -1;
		}
		if (rm_at(dirfd(d), e->d_name, child, depth + 1, err) < 0)
			return -1;
	}
	if (errno != 0) {
		rcr_error_set_errno(err, errno, "reading directory '%s'", path);
		return -1;
	}
	return 0;
}

/* Remove name (relative to dirfd; path names it in errors) and everything below it. */
static int rm_at(int dirfd, const char *name, const char *path, int depth, struct rcr_error **err)
{
	int unlink_errno;
	int dfd;

	if (depth > FS_RM_MAX_DEPTH) {
		rcr_error_set(err, ELOOP, "removing '%s': nested deeper than %d directories", path,
			      FS_RM_MAX_DEPTH);
		return -1;
	}
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	/* Linux says EISDIR for a directory (POSIX allows EPERM); anything else is final. */
	unlink_errno = errno;
	if (unlink_errno != EISDIR && unlink_errno != EPERM) {
		rcr_error_set_errno(err, unlink_errno, "removing '%s'", path);
		return -1;
	}
	dfd = open_dir_nofollow(dirfd, name);
	if (dfd < 0) {
		/* Not a directory after all: the EPERM of the unlink was the real answer. */
		rcr_error_set_errno(err, errno == ENOTDIR || errno == ELOOP ? unlink_errno : errno,
				    "removing '%s'", path);
		return -1;
	}
	if (rm_contents(dfd, path, depth, err) < 0)
		return -1;
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
		rcr_error_set_errno(err, errno, "removing directory '%s'", path);
		return -1;
	}
	return 0;
}

int fs_rm_rf(const char *path, struct rcr_error **err)
{
	struct stat st;

	/* A slip that empties "/" (or the cwd) must not be possible whatever the caller passes. */
	if (path[strspn(path, "/")] == '\0' || strcmp(path, ".") == 0 || strcmp(path, "..") == 0) {
		rcr_error_set(err, EINVAL, "refusing to remove '%s'", path);
		return -1;
	}
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		rcr_error_set_errno(err, errno, "removing '%s'", path);
		return -1;
	}
	/* A symlink (even to a directory) is removed itself: unlinkat never follows the last
	 * component, and open_dir_nofollow refuses to descend through it. */
	return rm_at(AT_FDCWD, path, path, 0, err);
}

bool fs_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}
