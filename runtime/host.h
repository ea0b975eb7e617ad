/* What rcr knows about the host it runs on, gathered once per `rcr info` / `rcr system check`:
 * the user's ids and ranges, the helpers found, and the results of real probes.
 *
 * Gathering never fails as a whole: every fact records its own failure, because reporting a
 * broken machine is the point.
 */
#ifndef RCR_RUNTIME_HOST_H
#define RCR_RUNTIME_HOST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/idmap.h"
#include "runtime/cgroup.h"
#include "runtime/probe.h"
#include "pkg/userns.h"

/* A helper program found in PATH. */
struct rt_helper {
	char *path;	 /* owned, NULL when not found */
	bool privileged; /* setuid root, or file capabilities (security.capability) */
};

struct rt_host_facts {
	uid_t uid;
	gid_t gid;
	char *user;   /* owned login name */
	char *kernel; /* owned "6.1.0-..." */
	char *arch;   /* owned, in OCI terms: "amd64", "arm64", ... */

	/* where things are (owned strings) */
	char *store_root;
	char *store_fstype; /* of the store root or its nearest existing parent */
	char *store_err;    /* why the store root cannot be created/written, NULL when fine */
	char *runtime_dir;
	char *runtime_xdg;     /* XDG_RUNTIME_DIR as found, NULL when unset */
	char *runtime_why;     /* why the fallback is in use, NULL when XDG_RUNTIME_DIR is used */
	char *runtime_err;     /* why the runtime dir is unusable, NULL when fine */
	char *config_files[8]; /* config files that exist, NULL-terminated */

	/* ids */
	struct idmap_ranges subuid, subgid;
	struct userns_map uidmap, gidmap; /* the maps rcr would use */
	struct rt_helper newuidmap, newgidmap;
	bool no_new_privs;

	/* user namespaces */
	struct rt_probe_userns userns;
	long max_user_namespaces;      /* -1 unknown */
	int unprivileged_userns_clone; /* Debian's old sysctl; -1 when absent */
	int apparmor_restrict_userns;  /* Ubuntu's sysctl; -1 when absent */

	/* storage */
	bool overlay_ok;
	char *overlay_err; /* owned */
	struct rt_helper fuse_overlayfs;
	bool dev_fuse_ok;

	/* network */
	struct rt_helper pasta, slirp4netns;
	bool dev_tun_ok;

	/* limits and security */
	struct rt_cgroup_info cgroup;
	bool seccomp_ok;
	char *libseccomp_version; /* owned */
};

/* Where to look. Tests point these at fixtures; rt_host_paths_default() gives the real ones. */
struct rt_host_paths {
	const char *subuid;	 /* /etc/subuid */
	const char *subgid;	 /* /etc/subgid */
	const char *cgroup_root; /* /sys/fs/cgroup */
	const char *store_root;	 /* --root, or NULL for the default */
	const char *runroot;	 /* --runroot, or NULL for the default */
};
struct rt_host_paths rt_host_paths_default(void);

/* Gather every fact, running the probes. */
void rt_host_gather(const struct rt_host_paths *paths, struct rt_host_facts *out);
void rt_host_facts_release(struct rt_host_facts *f);

/* The OCI name of this machine's architecture ("amd64" for x86_64, as Go and OCI spell it). */
const char *rt_host_oci_arch(const char *uname_machine);

#endif
