/* Copy-up of a fresh volume (copyup.h): the image's files at the mount point, copied into the
 * volume with their owners, modes and times, in the runtime child as the container's root.
 *
 * Runs after clone in a single-threaded child: no locks shared with other threads, nothing kept.
 * Must never follow a symlink out of the container's root (paths are resolved after pivot_root,
 * entries are opened relative to their directory with O_NOFOLLOW), never write outside the
 * volume, and never copy into a volume that holds anything (Podman's rule: a volume that is not
 * empty keeps its content). Device nodes and sockets are skipped (a user namespace cannot make
 * devices); extended attributes (file capabilities) and hard links are not kept.
 */
#include "runtime/copyup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"

/* Deeper trees are refused rather than risk the child's stack (a path buffer per level). */
#define COPY_DEPTH_MAX 128

int rt_copyup_prepare(const char *marker, struct rt_copyup *cu, struct rcr_error **err)
{
	const char *slash = strrchr(marker, '/');
	_cleanup_free_ char *dir = NULL;
	struct stat st;
	int rc;

	*cu = (struct rt_copyup)RT_COPYUP_INIT;
	if (slash == NULL || slash[1] == '\0') {
		rcr_error_set(err, EINVAL, "copy-up marker '%s' is not a file path", marker);
		return -1;
	}
	cu->marker_fd = open(marker, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (cu->marker_fd < 0) {
		if (errno == ENOENT)
			return 0; /* not fresh: the volume keeps what it has */
		rcr_error_set_errno(err, errno, "opening the copy-up marker '%s'", marker);
		return -1;
	}
	/* Two containers starting on one fresh volume: the second waits for the first's copy. */
	while ((rc = flock(cu->marker_fd, LOCK_EX)) < 0 && errno == EINTR)
		;
	if (rc < 0 || fstat(cu->marker_fd, &st) < 0) {
		rcr_error_set_errno(err, errno, "locking the copy-up marker '%s'", marker);
		rt_copyup_release(cu);
		return -1;
	}
	if (st.st_nlink == 0) {
		rt_copyup_release(cu); /* the other one copied and removed it */
		return 0;
	}
	dir = slash == marker ? strdup("/") : strndup(marker, (size_t)(slash - marker));
	cu->dir_fd = dir ? open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (cu->dir_fd < 0) {
		rcr_error_set_errno(err, dir ? errno : ENOMEM, "opening the directory of '%s'",
				    marker);
		rt_copyup_release(cu);
		return -1;
	}
	cu->name = slash + 1;
	return 0;
}

void rt_copyup_release(struct rt_copyup *cu)
{
	if (cu->marker_fd >= 0)
		close(cu->marker_fd);
	if (cu->dir_fd >= 0)
		close(cu->dir_fd);
	*cu = (struct rt_copyup)RT_COPYUP_INIT;
}

/* ---- copying ----------------------------------------------------------------------------- */

/* An id the namespace does not map (shown as the overflow id) cannot be given: the copy keeps
 * the creator's (the container's root), as the single-id map does for every file. */
static int owner_failed(void)
{
	return errno != EINVAL;
}

/* Owner, then mode (a chown clears setuid bits), then times of an open file or directory. */
static int attrs_fd(int fd, const struct stat *st, const char *path, struct rcr_error **err)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};

	if ((fchown(fd, st->st_uid, st->st_gid) < 0 && owner_failed()) ||
	    fchmod(fd, st->st_mode & 07777) < 0 || futimens(fd, times) < 0) {
		rcr_error_set_errno(err, errno, "copying the owner, mode and times of '%s'", path);
		return -1;
	}
	return 0;
}

/* The same for an entry that cannot be opened (a symlink, a fifo) by its name in dir. */
static int attrs_at(int dir, const char *name, const struct stat *st, const char *path,
		    struct rcr_error **err)
{
	const struct timespec times[2] = {st->st_atim, st->st_mtim};
	bool link = S_ISLNK(st->st_mode);

	if ((fchownat(dir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	     owner_failed()) ||
	    (!link && fchmodat(dir, name, st->st_mode & 07777, 0) < 0) ||
	    utimensat(dir, name, times, AT_SYMLINK_NOFOLLOW) < 0) {
		rcr_error_set_errno(err, errno, "copying the owner, mode and times of '%s'", path);
		return -1;
	}
	return 0;
}

static int copy_bytes(int in, int out)
{
	char buf[65536];
	ssize_t n;

	/* copy_file_range shares extents where it can; between file systems of different kinds
	 * (overlay to ext4) the kernel refuses it and plain reads do. */
	while ((n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0)) > 0)
		;
	if (n == 0)
		return 0;
	if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		for (ssize_t done = 0, w; done < n; done += w)
			if ((w = write(out, buf + done, (size_t)(n - done))) < 0)
				return -1;
	return n < 0 ? -1 : 0;
}

static int copy_file(int src, int dst, const char *name, const struct stat *st, const char *path,
		     struct rcr_error **err)
{
	_cleanup_close_ int in = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;

	if (in < 0) {
		rcr_error_set_errno(err, errno, "reading '%s'", path);
		return -1;
	}
	out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0 || copy_bytes(in, out) < 0) {
		rcr_error_set_errno(err, errno, "copying '%s' into the volume", path);
		return -1;
	}
	return attrs_fd(out, st, path, err);
}

static int copy_link(int src, int dst, const char *name, const struct stat *st, const char *path,
		     struct rcr_error **err)
{
	char target[PATH_MAX];
	ssize_t n = readlinkat(src, name, target, sizeof(target) - 1);

	if (n < 0 || (target[n] = '\0', symlinkat(target, dst, name)) < 0) {
		rcr_error_set_errno(err, errno, "copying the link '%s' into the volume", path);
		return -1;
	}
	return attrs_at(dst, name, st, path, err);
}

static int copy_dir(int src, int dst, const char *path, int depth, struct rcr_error **err);

static int copy_subdir(int src, int dst, const char *name, const struct stat *st, const char *path,
		       int depth, struct rcr_error **err)
{
	_cleanup_close_ int in = -1, out = -1;

	if (depth >= COPY_DEPTH_MAX) {
		rcr_error_set(err, ELOOP, "'%s' is deeper than %d directories: not copied", path,
			      COPY_DEPTH_MAX);
		return -1;
	}
	in = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	/* 0700 while it is filled: the image's mode (0555...) is set once it is complete */
	if (in < 0 || mkdirat(dst, name, 0700) < 0 ||
	    (out = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		rcr_error_set_errno(err, errno, "copying the directory '%s' into the volume", path);
		return -1;
	}
	if (copy_dir(in, out, path, depth + 1, err) < 0)
		return -1;
	return attrs_fd(out, st, path, err);
}

static int copy_entry(int src, int dst, const char *name, const char *dir_path, int depth,
		      struct rcr_error **err)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir_path, name);
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		rcr_error_set_errno(err, errno, "reading '%s'", path);
		return -1;
	}
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_subdir(src, dst, name, &st, path, depth, err);
	case S_IFREG:
		return copy_file(src, dst, name, &st, path, err);
	case S_IFLNK:
		return copy_link(src, dst, name, &st, path, err);
	case S_IFIFO:
		if (mkfifoat(dst, name, 0600) < 0) {
			rcr_error_set_errno(err, errno, "copying the fifo '%s'", path);
			return -1;
		}
		return attrs_at(dst, name, &st, path, err);
	default:
		return 0; /* devices and sockets */
	}
}

static int copy_dir(int src, int dst, const char *path, int depth, struct rcr_error **err)
{
	int fd = dup(src);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	int rc = 0;

	if (d == NULL) {
		rcr_error_set_errno(err, errno, "reading the directory '%s'", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while (rc == 0 && (errno = 0, e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			rc = copy_entry(src, dst, e->d_name, path, depth, err);
	if (rc == 0 && errno != 0) {
		rcr_error_set_errno(err, errno, "reading the directory '%s'", path);
		rc = -1;
	}
	closedir(d);
	return rc;
}

/* 1 when the directory fd holds nothing, 0 when it does, -1 on error. */
static int is_empty(int fd)
{
	int dup_fd = dup(fd);
	DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	struct dirent *e;
	int empty = 1;

	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return -1;
	}
	while (empty && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return empty;
}

/* The copy itself: nothing when the volume has content or the image has nothing at target. */
static int copy_into(int tree, const char *target, struct rcr_error **err)
{
	_cleanup_close_ int dst = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int src = -1;
	struct stat st;
	int empty;

	if (dst < 0 || (empty = is_empty(dst)) < 0) {
		rcr_error_set_errno(err, errno, "reading the volume for '%s'", target);
		return -1;
	}
	if (!empty)
		return 0;
	/* After pivot_root the container's root is "/": symlinks in target resolve inside it. */
	src = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (src < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		rcr_error_set_errno(err, errno, "opening '%s' in the image", target);
		return -1;
	}
	if (fstat(src, &st) < 0) {
		rcr_error_set_errno(err, errno, "reading '%s' in the image", target);
		return -1;
	}
	if (copy_dir(src, dst, target, 0, err) < 0)
		return -1;
	/* The volume's top looks like the directory it replaces (Docker's rule). */
	return attrs_fd(dst, &st, target, err);
}

int rt_copyup_run(struct rt_copyup *cu, int tree, const char *target, struct rcr_error **err)
{
	if (cu->marker_fd < 0)
		return 0;
	if (copy_into(tree, target, err) < 0) {
		rcr_error_wrap(err, "copying the image's content at '%s' into its volume", target);
		return -1;
	}
	/* The volume is no longer fresh, whether anything was copied or not. */
	if (unlinkat(cu->dir_fd, cu->name, 0) < 0 && errno != ENOENT) {
		rcr_error_set_errno(err, errno, "removing the copy-up marker of the volume at '%s'",
				    target);
		return -1;
	}
	return 0;
}
