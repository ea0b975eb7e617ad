/* The mount flags of `rcr create` / `rcr run` (-v/--volume, --mount, --tmpfs) as Podman spells
 * them, parsed into one shape. Pure: no file is looked at here (whether a bind source exists is
 * create.c's business), so every rule can be unit-tested.
 */
#ifndef RCR_CONTAINER_MOUNTS_H
#define RCR_CONTAINER_MOUNTS_H

#include <stdbool.h>

#include "pkg/error.h"
#include "runtime/spec.h"

enum ctr_mount_type { CTR_MOUNT_BIND, CTR_MOUNT_TMPFS, CTR_MOUNT_VOLUME };

struct ctr_mount {
	enum ctr_mount_type type;
	/* owned: BIND, an absolute host path (cleaned); VOLUME, the volume's name as parsed (NULL
	 * for an anonymous volume), its _data once container/volumes.c resolved it; NULL for
	 * TMPFS */
	char *source;
	char *dest; /* owned: absolute, cleaned, never "/" */
	bool ro;
	enum rt_propagation propagation; /* BIND, VOLUME */
	bool chown;	     /* BIND, VOLUME: U, chown to the container's user at start */
	bool nocopy;	     /* VOLUME: never copy the image's content into it */
	char *copyup_marker; /* owned, VOLUME once resolved: see rt_bind_opts */
	unsigned long flags; /* TMPFS: MS_RDONLY, MS_NOEXEC, ... */
	char *data;	     /* owned, TMPFS: "size=64m,mode=1777" or "" */
};

void ctr_mount_release(struct ctr_mount *m);

/* "-v SRC:DST[:OPTIONS]": SRC an absolute host path (a bind) or a volume name (a named volume,
 * made on first use), or "-v DST" alone (an anonymous volume); a relative path is refused.
 * OPTIONS from ro, rw, z, Z, U, nocopy (volumes only: no copy of the image's content) and the
 * propagation modes. Errors name the argument and the fix. */
int ctr_mount_parse_volume(const char *arg, struct ctr_mount *out, struct rcr_error **err);

/* "--mount type=bind,source=/x,target=/y[,readonly][,bind-propagation=P]",
 * "--mount type=volume[,source=NAME],target=/y[,readonly][,volume-nocopy]" (no source: an
 * anonymous volume) or "--mount type=tmpfs,target=/t[,tmpfs-size=64m][,tmpfs-mode=1777]"
 * (Docker's keys and aliases). */
int ctr_mount_parse_mount(const char *arg, struct ctr_mount *out, struct rcr_error **err);

/* "--tmpfs DST[:OPTIONS]": OPTIONS as mount(8) spells them (size=, mode=, uid=, gid=, nr_inodes=,
 * ro, rw, [no]exec, [no]suid, [no]dev, ...); by default rw,noexec,nosuid,nodev as Podman. */
int ctr_mount_parse_tmpfs(const char *arg, struct ctr_mount *out, struct rcr_error **err);

/* Path depth for ordering mounts ("/" 0, "/a" 1, "/a/b" 2): shallower mounts go first. */
size_t ctr_mount_depth(const char *path);

#endif
