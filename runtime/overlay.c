/* Overlay mounts with fsopen/fsconfig/fsmount (see overlay.h).
 *
 * Must never fall back silently to a different layout: a refused mount is an error naming the
 * option the kernel refused, so the caller can choose fuse-overlayfs deliberately.
 */
#include "runtime/overlay.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "pkg/cleanup.h"

static int set_string(int fsfd, const char *key, const char *value, struct rcr_error **err)
{
	if (fsconfig(fsfd, FSCONFIG_SET_STRING, key, value, 0) < 0) {
		rcr_error_set_errno(err, errno, "overlay option %s='%s'", key, value);
		return -1;
	}
	return 0;
}

/* "lowerdir+" one layer at a time; EINVAL from a kernel before 6.8 means the key is unknown. */
static int set_lowers_plus(int fsfd, const char *const *lowers, size_t n, bool *unsupported,
			   struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++) {
		if (fsconfig(fsfd, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0) {
			if (errno == EINVAL && i == 0) {
				*unsupported = true;
				return 0;
			}
			rcr_error_set_errno(err, errno, "overlay layer '%s'", lowers[i]);
			return -1;
		}
	}
	return 0;
}

static int set_lowers_joined(int fsfd, const char *const *lowers, size_t n, struct rcr_error **err)
{
	size_t len = 1;
	_cleanup_free_ char *joined = NULL;
	char *p;

	for (size_t i = 0; i < n; i++)
		len += strlen(lowers[i]) + 1;
	joined = malloc(len);
	if (joined == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	p = joined;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(lowers[i]);

		if (i > 0)
			*p++ = ':';
		memcpy(p, lowers[i], l);
		p += l;
	}
	*p = '\0';
	return set_string(fsfd, "lowerdir", joined, err);
}

int rt_overlay_mount_fd(const char *const *lowers, size_t n_lowers, const char *upper,
			const char *work, struct rcr_error **err)
{
	_cleanup_close_ int fsfd = -1;
	bool unsupported = false;
	int mfd;

	fsfd = fsopen("overlay", FSOPEN_CLOEXEC);
	if (fsfd < 0) {
		rcr_error_set_errno(err, errno, "opening an overlay filesystem context");
		return -1;
	}
	if (set_lowers_plus(fsfd, lowers, n_lowers, &unsupported, err) < 0)
		return -1;
	if (unsupported && set_lowers_joined(fsfd, lowers, n_lowers, err) < 0)
		return -1;
	if (upper != NULL && (set_string(fsfd, "upperdir", upper, err) < 0 ||
			      set_string(fsfd, "workdir", work, err) < 0))
		return -1;
	/* In a user namespace trusted.* xattrs are out of reach; overlay keeps its whiteout and
	 * opaque markers in user.overlay.* instead. */
	if (fsconfig(fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0) {
		rcr_error_set_errno(err, errno, "overlay option userxattr");
		return -1;
	}
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		rcr_error_set_errno(err, errno, "creating the overlay mount");
		return -1;
	}
	mfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mfd < 0) {
		rcr_error_set_errno(err, errno, "mounting the overlay");
		return -1;
	}
	return mfd;
}
