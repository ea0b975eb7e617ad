/* Kernel overlayfs mounts through the new mount API, as rcr mounts a container's rootfs.
 *
 * Called inside the container's (or a probe's) user and mount namespaces, where overlay needs
 * "userxattr". Lower layers are passed one by one with "lowerdir+" (Linux 6.8), which avoids the
 * one-page limit of the old option string with many layers; older kernels get the joined string.
 */
#ifndef RCR_RUNTIME_OVERLAY_H
#define RCR_RUNTIME_OVERLAY_H

#include <stddef.h>

#include "pkg/error.h"

/* Create a detached overlay mount: lowers[0] is the topmost lower layer. upper and work may both
 * be NULL for a read-only overlay. Returns the mount fd (for move_mount) or -1. */
int rt_overlay_mount_fd(const char *const *lowers, size_t n_lowers, const char *upper,
			const char *work, struct rcr_error **err);

#endif
