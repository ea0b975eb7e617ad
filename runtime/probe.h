/* Probes that find out by trying: can this user make a user namespace, can newuidmap map the
 * planned ranges into it, does kernel overlay mount in a user namespace on a given filesystem.
 *
 * Each probe runs in a short-lived child and leaves nothing behind (its scratch directory is
 * removed); results are data, not errors, because a failed probe is an answer.
 */
#ifndef RCR_RUNTIME_PROBE_H
#define RCR_RUNTIME_PROBE_H

#include <stdbool.h>

#include "pkg/userns.h"

struct rt_probe_userns {
	bool userns_ok;
	int userns_errno;
	char *userns_err; /* owned, NULL when ok */
	bool uid_map_ok;
	char *uid_map_err; /* owned */
	bool gid_map_ok;
	char *gid_map_err; /* owned */
};
void rt_probe_userns_release(struct rt_probe_userns *p);

/* Make a user namespace in a child and write uidmap/gidmap for it (helpers may be NULL when the
 * maps are single-id). */
void rt_probe_userns(const struct userns_map *uidmap, const struct userns_map *gidmap,
		     const char *newuidmap, const char *newgidmap, struct rt_probe_userns *out);

/* Mount a kernel overlay (userxattr) in a new user+mount namespace with its upper and work dirs in
 * a scratch directory created under dir. Returns true when it mounted; otherwise *why (owned) says
 * what failed. */
bool rt_probe_overlay(const char *dir, char **why);

/* The file-system type of path as a short name ("ext4", "nfs", "tmpfs", ...; "0xHEX" when
 * unknown), or NULL when path cannot be statfs'd. Owned. */
char *rt_fs_type_name(const char *path);

#endif
