/* User-namespace id maps: planning them from the user's subuid/subgid ranges (pure, testable)
 * and writing them for a process, through newuidmap/newgidmap or, for the single-id map, directly.
 *
 * The plan is Podman's rootless default: container id 0 is the user's own id, container ids
 * 1..N are the user's subordinate ranges in file order.
 */
#ifndef RCR_PKG_USERNS_H
#define RCR_PKG_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/error.h"
#include "pkg/idmap.h"

/* newuidmap accepts at most 340 lines (the kernel's limit since 4.15); one is the user's own. */
#define USERNS_MAP_MAX 340

struct userns_map_entry {
	uint32_t inner; /* id inside the namespace */
	uint32_t outer; /* id outside (on the host) */
	uint32_t count;
};

struct userns_map {
	struct userns_map_entry v[USERNS_MAP_MAX];
	size_t n;
};

/* Plan the default rootless map for own id and ranges (which may be empty: the single-id map).
 * Ranges beyond USERNS_MAP_MAX-1 are dropped; ranges that contain own id are skipped. */
void userns_map_plan(uid_t own, const struct idmap_ranges *ranges, struct userns_map *out);

/* Number of ids the map covers. */
uint64_t userns_map_size(const struct userns_map *map);

/* True when the map is just "0 own 1" and needs no setuid helper. */
bool userns_map_is_single(const struct userns_map *map);

/* Write map as pid's uid map (is_gid false) or gid map. A single-id map is written to
 * /proc/PID/{uid,gid}_map directly (with setgroups "deny" first for gids, as the kernel requires
 * of an unprivileged writer); any other map runs helper (the newuidmap/newgidmap path) and the
 * error carries its stderr. */
int userns_map_write(pid_t pid, const struct userns_map *map, bool is_gid, const char *helper,
		     struct rcr_error **err);

/* The mapping this user's containers and layer work get (DESIGN.md §4): the user's own ids as
 * 0 and the ranges of subuid/subgid files (NULL: /etc/subuid, /etc/subgid) as 1..N, with the
 * newuidmap/newgidmap found in PATH. Without ranges, or without usable helpers, the single-id
 * map, and *fallback_why (owned) says why (the caller warns). Never fails but for memory. */
struct userns_user_maps {
	struct userns_map uid, gid;
	char *newuidmap; /* owned, NULL when not needed */
	char *newgidmap;
	char *fallback_why;
};
int userns_user_maps(const char *subuid, const char *subgid, struct userns_user_maps *out,
		     struct rcr_error **err);
void userns_user_maps_release(struct userns_user_maps *m);

/* True when the newuidmap/newgidmap at path can write a wider map: setuid root, or file
 * capabilities (some distributions ship it with cap_setuid+ep instead of the setuid bit). */
bool userns_helper_is_privileged(const char *path);

/* What a function run by userns_run may report on failure (copied to the parent's error). */
#define USERNS_MSG_MAX 1024

/* Run fn(arg, msg) in a child process inside a new user namespace (plus the namespaces in
 * extra_flags, e.g. CLONE_NEWNS), with uidmap/gidmap written by this (parent) process, so the
 * child starts as root of the namespace. This is how work on layer contents runs with the
 * container's mapping (DESIGN.md §4), and how probes try things. The parent writes the maps
 * because mapping uid 0 needs CAP_SETFCAP in the parent namespace (Linux 5.12+), which the child
 * loses when it unshares. fn returns 0, or non-zero after writing a message into msg (a buffer
 * of USERNS_MSG_MAX). Returns 0 when fn succeeded; otherwise -1 with err holding fn's message,
 * or why the namespace could not be made. */
int userns_run(const struct userns_map *uidmap, const struct userns_map *gidmap,
	       const char *newuidmap, const char *newgidmap, int extra_flags,
	       int (*fn)(void *arg, char *msg), void *arg, struct rcr_error **err);

/* ---- --userns modes, --uidmap and --gidmap (userns_modes.c, pure) -----------------------------
 */

/* Rootless Podman's modes. DEFAULT and HOST are both the default map (container 0 = the user);
 * PRIVATE is an explicit --uidmap/--gidmap. */
enum userns_mode {
	USERNS_MODE_DEFAULT,
	USERNS_MODE_HOST,
	USERNS_MODE_KEEP_ID,
	USERNS_MODE_NOMAP,
	USERNS_MODE_PRIVATE,
};

/* "" (default), "host", "keep-id", "nomap", "private": as inspect's HostConfig.UsernsMode. */
const char *userns_mode_name(enum userns_mode m);

/* What the user asked for. The maps' outer ids are ids of the default rootless namespace (0 = the
 * user, 1.. = the subordinate ids), as rootless Podman's --uidmap HOST ids are. */
struct userns_request {
	enum userns_mode mode;
	bool has_keep_uid, has_keep_gid; /* keep-id:uid=N,gid=N */
	uint32_t keep_uid, keep_gid;
	struct userns_map uidmap, gidmap; /* PRIVATE: CONTAINER:HOST:SIZE triples, in order */
};

/* Parse --userns (NULL: not given) and the --uidmap/--gidmap values (NULL-terminated, may be NULL)
 * into out. --userns with --uidmap/--gidmap is an error, as in Podman; one of --uidmap/--gidmap
 * alone stands for both. auto, private, ns: and container: are refused as not supported. */
int userns_request_parse(const char *userns, char *const *uidmaps, char *const *gidmaps,
			 struct userns_request *out, struct rcr_error **err);

/* The container's maps in host ids (what newuidmap writes) for req, given the default maps
 * store_uid/store_gid (userns_user_maps: inner ids are the default namespace's, contiguous from
 * 0) and the user's own ids (keep-id's default). Refused with an error that says why: keep-id and
 * nomap without subordinate ids, --uidmap ranges beyond the ids the user has or overlapping. */
int userns_mode_plan(const struct userns_request *req, uid_t own_uid, gid_t own_gid,
		     const struct userns_map *store_uid, const struct userns_map *store_gid,
		     struct userns_map *uid_out, struct userns_map *gid_out,
		     struct rcr_error **err);

/* map (container ids -> host ids) restated with outer ids of the default namespace described by
 * store (as inspect's IDMappings and Podman's --uidmap show them). Host ids store does not map
 * are left out. */
void userns_map_in_ns(const struct userns_map *map, const struct userns_map *store,
		      struct userns_map *out);

bool userns_maps_equal(const struct userns_map *a, const struct userns_map *b);

#endif
