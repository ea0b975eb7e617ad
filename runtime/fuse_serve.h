/* A container root served across user namespaces: the container (as root of its own namespace)
 * mounts a FUSE file system on its merged dir and hands the connection to its monitor, which
 * starts fuse-overlayfs on it in a second user namespace that has the store's id maps.
 *
 * Why (DESIGN.md §4, docs/architecture.md "User namespace modes"): layers and upper dirs are
 * owned through the store's maps. A container with other maps (keep-id, nomap, --uidmap) would
 * see the image's files owned by the wrong ids, or by nobody. FUSE reports ids in the namespace
 * of the mount (the container's), while fuse-overlayfs reads and writes files with the ids of its
 * own namespace (the store's): the two meet without any translation table, the container sees
 * the image's ids, and what it writes is stored through the store's maps, as every other
 * container's is. No copy of the image, and nothing ids unmapped in the container can reach.
 */
#ifndef RCR_RUNTIME_FUSE_SERVE_H
#define RCR_RUNTIME_FUSE_SERVE_H

#include "pkg/error.h"
#include "runtime/spec.h"

/* fuse-overlayfs's -o value for s: lowerdir (topmost first), upperdir, workdir. Owned; NULL when
 * out of memory. */
char *rt_fuse_overlay_opts(const struct rt_spec *s);

/* In the container's user and mount namespaces: mount a FUSE file system on the directory
 * merged_fd (an O_PATH fd: no path is looked up, so this works where the container's root may not
 * search the store) and send its /dev/fuse connection over sock (SCM_RIGHTS). Returns an fd of the
 * mount's root (owned; for fchdir and pivot_root), or -1. Accesses through the mount wait until
 * fuse-overlayfs serves it. */
int rt_fuse_mount(int merged_fd, int sock, struct rcr_error **err);

/* In the monitor: receive the connection from sock and start fuse-overlayfs on it, in a new user
 * namespace with s->store_uidmap/store_gidmap (written with s->newuidmap/newgidmap). Returns
 * once fuse-overlayfs serves (it daemonises; it ends by itself when the container's mount
 * namespace, and with it the mount, is gone). Returns 1, without err, when nothing came
 * from sock (the container failed before mounting: its report says why). */
int rt_fuse_serve(const struct rt_spec *s, int sock, struct rcr_error **err);

#endif
