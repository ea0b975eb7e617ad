/* Capabilities of a container's process: names, Podman's default set, --cap-add / --cap-drop /
 * --privileged, and switching the calling process to the container's user and capabilities as
 * the last steps before execve. */
#ifndef RCR_RUNTIME_CAPS_H
#define RCR_RUNTIME_CAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/error.h"

/* The number of name: "CAP_NET_RAW", "NET_RAW", "net_raw" (case-blind, CAP_ optional); -1 when
 * unknown. */
int rt_cap_from_name(const char *name);

/* "CAP_NET_RAW" for 13; NULL for a number rcr has no name for. Static string. */
const char *rt_cap_name(int cap);

/* The last capability this kernel knows (/proc/sys/kernel/cap_last_cap; 40 when unreadable). */
int rt_cap_last(void);

/* Podman's default set: CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, NET_BIND_SERVICE, SETFCAP,
 * SETGID, SETPCAP, SETUID, SYS_CHROOT. */
uint64_t rt_caps_default(void);

/* Every capability up to rt_cap_last(). */
uint64_t rt_caps_all(void);

/* A container's set: the default set (every capability when privileged), minus drop, plus add,
 * as Podman computes it. "all" (any case) is allowed in both lists: drop all empties the set
 * before the adds, add all gives every capability (minus the drops). As in Podman, a name in
 * both lists, or "all" in both, is an error. An unknown name is an error naming it and saying
 * where valid names are listed (capabilities(7)). The lists are borrowed. */
int rt_caps_compute(bool privileged, const char *const *add, size_t n_add, const char *const *drop,
		    size_t n_drop, uint64_t *out, struct rcr_error **err);

/* The names of a set, in number order, as a NULL-terminated owned strv ("CAP_CHOWN", ...); bits
 * rcr has no name for are left out. NULL only when out of memory. */
char **rt_caps_names(uint64_t caps);

/* Switch the calling process -- root of its user namespace, holding every capability -- to
 * uid/gid/groups with caps, as the last step before execve:
 *  - drop from the bounding set every capability not in caps (PR_CAPBSET_DROP, up to
 *    rt_cap_last());
 *  - PR_SET_KEEPCAPS, setgroups(groups) (when the kernel refuses setgroups because
 *    /proc/self/setgroups is "deny" -- a single-id map -- and n_groups is 0, that is fine),
 *    setresgid(gid), setresuid(uid);
 *  - uid 0: permitted = effective = caps, inheritable and ambient empty (what Podman 4 gives
 *    root);
 *  - another uid: bounding = caps, but permitted = effective = inheritable = ambient =
 *    (caps & ambient) (Podman gives a non-root user only the capabilities explicitly added).
 * Uses the raw capget/capset syscalls, not libcap. Bits above rt_cap_last() are ignored. groups
 * is borrowed. On failure the process is left half-switched: the caller must _exit. */
int rt_caps_switch_user(uint64_t caps, uint64_t ambient, uid_t uid, gid_t gid, const gid_t *groups,
			size_t n_groups, struct rcr_error **err);

#endif
