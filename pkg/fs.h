/* File-system helpers: mkdir -p, crash-safe atomic writes, capped reads, and path joins that
 * refuse to escape their root. All fds are O_CLOEXEC.
 */
#ifndef RCR_PKG_FS_H
#define RCR_PKG_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pkg/error.h"

/* Create path and its missing parents with mode (existing directories are fine; an existing
 * non-directory is an error naming it). */
int fs_mkdir_p(const char *path, mode_t mode, struct rcr_error **err);

/* Write len bytes to path atomically: a temporary file in the same directory, fsync, rename over
 * path, fsync of the directory. Readers see the old content or the new, never a mix. */
int fs_write_atomic(const char *path, const void *data, size_t len, mode_t mode,
		    struct rcr_error **err);

/* Like fs_write_atomic without the syncs: readers still see the old content or the new, but a
 * crash of the machine may lose the write. For files that are rebuilt or judged again after a
 * reboot (a container's run state, its generated /etc files), where a sync per write would cost
 * more than the file is worth. */
int fs_write_replace(const char *path, const void *data, size_t len, mode_t mode,
		     struct rcr_error **err);

/* Read a whole file, at most max bytes (a larger file is an error naming the limit). Returns an
 * owned NUL-terminated buffer; *len_out (may be NULL) gets the length without the NUL. */
char *fs_read_file(const char *path, size_t max, size_t *len_out, struct rcr_error **err);

/* Like fs_read_file on an open fd (borrowed, read from its current offset). */
char *fs_read_fd(int fd, size_t max, size_t *len_out, struct rcr_error **err);

/* Join root and a relative path lexically: "." parts dropped, ".." resolved, a leading "/" in rel
 * taken as relative to root. A ".." that would climb above root is an error naming rel. Returns
 * an owned string "root/clean-rel" (root itself when rel cleans to nothing). Symlinks are not
 * followed: callers that open the result must use openat2(RESOLVE_IN_ROOT) or a no-follow walk. */
char *fs_join_safe(const char *root, const char *rel, struct rcr_error **err);

/* Plain join "a/b" with exactly one slash between; owned. Never fails but for memory (NULL). */
char *fs_path_join(const char *a, const char *b);

/* Remove path and everything below it, not following symlinks; a missing path is success. */
int fs_rm_rf(const char *path, struct rcr_error **err);

/* True when path exists (lstat succeeds). */
bool fs_exists(const char *path);

#endif
