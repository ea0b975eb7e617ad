/* The container's file-system view: the list of mounts, device nodes and links that make its root
 * (planned as data from the spec, testable without privileges), and running that list inside the
 * container's user and mount namespaces, then pivot_root, masked and read-only paths.
 */
#ifndef RCR_RUNTIME_ROOTFS_H
#define RCR_RUNTIME_ROOTFS_H

#include <stdbool.h>
#include <stddef.h>

#include "pkg/error.h"
#include "runtime/spec.h"

enum rt_op_kind {
	RT_OP_MOUNT,   /* mount(source, target, fstype, flags, data) */
	RT_OP_BIND,    /* bind source (host path) on target, made as a file or dir like source */
	RT_OP_SYMLINK, /* target -> source */
};

struct rt_mount_op {
	enum rt_op_kind kind;
	const char *source; /* borrowed from the spec or static */
	const char *target; /* inside the rootfs, absolute ("/dev/pts") */
	const char *fstype;
	unsigned long flags;
	char data[128];
	bool ro;			 /* BIND: make the bind read-only */
	enum rt_propagation propagation; /* BIND: set after attaching it (DEFAULT: left private) */
	bool chown;		   /* BIND: chown the tree to the container's user (-v ...:U) */
	const char *copyup_marker; /* BIND: a volume's copy-up marker (runtime/copyup.h) or NULL */
	bool optional;		   /* failure is not fatal (e.g. /dev/mqueue on an odd kernel) */
	bool sysfs; /* the /sys mount: falls back to a read-only bind of the host's /sys */
};

#define RT_OPS_MAX (32 + RT_BINDS_MAX + RT_TMPFS_MAX)

struct rt_mount_plan {
	struct rt_mount_op ops[RT_OPS_MAX];
	size_t n;
};

/* Podman's default masked and read-only paths (containers/common pkg/config). */
extern const char *const rt_masked_paths[];
extern const char *const rt_readonly_paths[];

/* Plan the mounts under the rootfs for spec s. gid5_mapped: whether container gid 5 (tty) exists,
 * for /dev/pts's gid= option. Pure. */
void rt_mount_plan_make(const struct rt_spec *s, bool gid5_mapped, struct rt_mount_plan *out);

/* In the container's new namespaces, still with the user's own ids: mount the root of s on
 * s->merged (kernel overlay, or FUSE served by the monitor when s->store_uidmap is set: fuse_sock
 * carries the connection there, see runtime/fuse_serve.h) and clone the host trees the plan
 * binds; then become the namespace's root, pivot_root, add keep-id's passwd/group lines, run plan,
 * mask paths and apply read-only settings. */
int rt_rootfs_setup(const struct rt_spec *s, const struct rt_mount_plan *plan, int fuse_sock,
		    struct rcr_error **err);

#endif
