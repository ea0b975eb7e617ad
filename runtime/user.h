/* Resolving `-u user[:group]`, the image's User and --group-add against the container's own
 * /etc/passwd and /etc/group, as Podman (runc's libcontainer/user) does. Pure: the caller reads
 * the files inside the container's root and passes their bytes.
 */
#ifndef RCR_RUNTIME_USER_H
#define RCR_RUNTIME_USER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pkg/error.h"

#define RT_USER_GROUPS_MAX 64
/* runc's limit, kept for 32-bit compatibility: ids above it are refused. */
#define RT_USER_ID_MAX 2147483647u

struct rt_user {
	uid_t uid;
	gid_t gid;
	gid_t groups[RT_USER_GROUPS_MAX]; /* supplementary groups, in order found, no duplicates */
	size_t n_groups;
	char home[256]; /* from passwd, "/" when unknown or empty */
	char name[64];	/* login name, "" when the uid has no entry */
};

/* spec: "", "name", "uid", "name:group", "uid:gid", "name:gid", "uid:group" ("" means root, or
 * the image's default the caller passes). passwd/group may be NULL (file absent in the image);
 * neither needs a NUL terminator. extra (--group-add, borrowed) holds group names or numbers.
 *
 * Rules (runc GetExecUser / GetAdditionalGroups, and Podman around them):
 * - a name must exist in passwd, else "unable to find user NAME: no matching entries in passwd
 *   file"; a number is always a uid, never a name; it need not exist (gid then 0, home "/"); a
 *   uid that exists takes its passwd name, gid and home. "" is uid 0, looked up the same way.
 * - an explicit group (name or number) replaces the passwd gid; a name must exist in group
 *   ("unable to find group NAME: no matching entries in group file"), a number need not.
 * - the groups whose member list holds the user's name become supplementary groups only when
 *   spec has no ':' at all (runc: implicit form only; Podman also skips them for "user:").
 * - extra entries match a group by name or gid; an unknown number is used as is, an unknown name
 *   is an error; "keep-groups" is refused (crun-only feature rcr does not have).
 * - numbers are decimal, at most RT_USER_ID_MAX; others are errors naming them. A spec with a
 *   second ':' is an error. More than RT_USER_GROUPS_MAX distinct groups is an error.
 * Podman also adds the primary gid to the additional gids when -u is given: left to the caller.
 * Malformed passwd/group lines (non-numeric or out-of-range ids, too few fields, '#' comments)
 * are skipped. On failure *out is zeroed. */
int rt_user_resolve(const char *spec, const char *passwd, size_t passwd_len, const char *group,
		    size_t group_len, const char *const *extra, size_t n_extra, struct rt_user *out,
		    struct rcr_error **err);

/* True when the passwd or group text (not NUL-terminated) has a usable line whose third field,
 * the uid or gid, is id: keep-id adds its user's lines only when this is false, as Podman. */
bool rt_user_db_has_id(const char *text, size_t len, unsigned int id);

#endif
