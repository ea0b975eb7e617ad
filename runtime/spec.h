/* A container's spec: everything rcr-monitor and the runtime need to start the container, decided
 * by `rcr create`/`rcr run` and written as JSON into the container's userdata (spec.json), so the
 * monitor never opens the store. rcr's own format, not the OCI runtime spec: it carries only what
 * rcr implements, and decisions (the capability set, the id maps) are made once, by rcr.
 *
 * Reading is strict: an unknown field value is an error naming it, never a silent default.
 */
#ifndef RCR_RUNTIME_SPEC_H
#define RCR_RUNTIME_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#include <jansson.h>

#include "pkg/error.h"
#include "pkg/userns.h"

#define RT_RLIMITS_MAX 16

struct rt_rlimit {
	int resource; /* RLIMIT_* */
	rlim_t soft, hard;
};

/* Mount propagation of a bind (-v ...:rshared, --mount bind-propagation=): DEFAULT leaves the
 * clone private, as every mount of the container's namespace is (rootless Podman's rprivate). */
enum rt_propagation {
	RT_PROP_DEFAULT,
	RT_PROP_PRIVATE,
	RT_PROP_RPRIVATE,
	RT_PROP_SHARED,
	RT_PROP_RSHARED,
	RT_PROP_SLAVE,
	RT_PROP_RSLAVE,
};

/* "rshared" for RT_PROP_RSHARED ("" for DEFAULT), and back (-1 when unknown). */
const char *rt_propagation_name(enum rt_propagation p);
int rt_propagation_from_name(const char *name);

/* A file rcr generated for the container (hosts, hostname, resolv.conf, localtime) or a bind
 * mount: source on the host, destination inside the container. */
struct rt_bind {
	char *source; /* owned */
	char *dest;   /* owned */
	bool ro;
};

/* What -v and --mount add to a bind: kept beside binds[] (bind_opts[i] goes with binds[i]; all
 * zero for rcr's generated files). */
struct rt_bind_opts {
	enum rt_propagation propagation;
	bool volume; /* the user's (-v, --mount): listed in inspect's Mounts */
	bool chown;  /* -v ...:U: the tree is chowned to the container's user at each start */
	/* owned, or NULL: a named or anonymous volume that takes the image's content at dest on
	 * its first mount (no nocopy). The file at this host path exists while the volume is
	 * fresh; the runtime copies (as the container's root, before attaching the bind), then
	 * removes it, so the store need not be opened to know (runtime/copyup.h). */
	char *copyup_marker;
};

#define RT_BINDS_MAX 64

/* A tmpfs the user asked for (--tmpfs, --mount type=tmpfs). pos orders it among the binds: it is
 * mounted before binds[pos] (after them all when pos == n_binds), so that a bind below a tmpfs
 * lands on the tmpfs and a tmpfs below a bind on the bind (Podman sorts mounts by depth). */
struct rt_tmpfs {
	char *dest;	     /* owned, absolute */
	char *data;	     /* owned: tmpfs options ("size=64m,mode=1777"), "" for none */
	unsigned long flags; /* MS_RDONLY, MS_NOEXEC, MS_NOSUID, MS_NODEV, ... */
	size_t pos;
};

#define RT_TMPFS_MAX	  16
#define RT_TMPFS_DATA_MAX 127 /* what a plan's mount op holds */

struct rt_spec {
	char *id;   /* owned, 64 hex */
	char *name; /* owned */

	/* rootfs: overlay of lowers (topmost first) with upper/work, mounted on merged */
	char **lowers; /* owned strv */
	char *upper, *work, *merged;
	char *userdata; /* owned: the container's persistent state dir (spec, run/exit files, log)
			 */
	char *rundir;	/* owned: the container's runtime dir (attach socket) */
	bool read_only;
	bool read_only_tmpfs; /* with read_only: tmpfs on /tmp, /var/tmp, /run */

	/* the process */
	char **args;	  /* owned strv, never empty */
	char **env;	  /* owned strv "NAME=value"; HOME is added once the user is known */
	char *cwd;	  /* owned, absolute */
	char *user;	  /* owned: "" or the -u / image User spec, resolved inside the rootfs */
	char **group_add; /* owned strv */
	bool tty, stdin_open;
	char *hostname; /* owned */
	bool init;	/* --init: a reaping PID 1 runs the command as its child */
	struct rt_rlimit rlimits[RT_RLIMITS_MAX];
	size_t n_rlimits;

	/* security */
	uint64_t caps;	     /* the capability set (bounding, and root's effective) */
	uint64_t caps_added; /* what --cap-add gave: a non-root user's effective set */
	bool privileged;     /* no masked/read-only paths; all caps */
	bool no_new_privs;
	char *seccomp; /* owned: "default", "unconfined" or a profile's absolute path */

	/* ids: container id 0 = the user, the rest from subuid ranges */
	struct userns_map uidmap, gidmap;
	char *newuidmap, *newgidmap; /* owned, NULL when the maps are single-id */
	char *userns_mode; /* owned: "" (default), "host", "keep-id", "nomap", "private" (--uidmap)
			    */
	/* The store's maps when the container's differ from them (keep-id, nomap, --uidmap), else
	 * n == 0. Layers and upper dirs are owned through the store's maps (DESIGN.md §4), so such
	 * a root is served by fuse-overlayfs running in a user namespace with these maps, which the
	 * container sees through its own: the image's ids unchanged (runtime/fuse_serve.h). */
	struct userns_map store_uidmap, store_gidmap;
	/* owned, NULL for none: a passwd and a group line (keep-id's user) appended to the
	 * container's /etc/passwd and /etc/group at start when its uid/gid has no entry there */
	char *passwd_entry, *group_entry;

	/* the network (network/): "none" (loopback only), "host" (the user's network namespace),
	 * "pasta" or "slirp4netns" (a user-mode helper on the container's own namespace),
	 * "container" (another container's) or "ns" (a namespace file): the last two join that
	 * network namespace and the user namespace owning it */
	char *network;	   /* owned */
	char *net_target;  /* owned: "container": the other container's id; "ns": the path */
	char *netns_path;  /* owned: "ns": the path; "container": the other container's userdata
			    * dir (the monitor turns it into /proc/PID/ns/net before the start) */
	char *net_helper;  /* owned: the helper's binary for pasta and slirp4netns, else NULL */
	char **net_opts;   /* owned strv: the mode's options ("pasta:A,B"), NULL for none */
	char **ports;	   /* owned strv: published ports, canonical (network/ports.h), or NULL */
	char *mac_address; /* owned, NULL when not set */

	/* files bind-mounted into the container (generated or --volume) */
	struct rt_bind binds[RT_BINDS_MAX];
	struct rt_bind_opts bind_opts[RT_BINDS_MAX];
	size_t n_binds;
	struct rt_tmpfs tmpfs[RT_TMPFS_MAX];
	size_t n_tmpfs;

	/* the monitor's business */
	char *log_driver;	/* owned: "k8s-file", "none", "passthrough" */
	char *log_path;		/* owned */
	long long log_max_size; /* bytes, 0 = no rotation */
	int stop_signal;
	int stop_timeout;    /* seconds */
	bool remove;	     /* --rm */
	char **exit_command; /* owned strv, NULL when none: run after the container exited */

	/* cgroup v2 limits (0 = none); only applied in a delegated subtree */
	long long memory;
	long long cpu_quota_us; /* per 100000 us period: --cpus 1.5 -> 150000 */
	long long pids_limit;
};

void rt_spec_release(struct rt_spec *s);

/* Serialise (owned JSON object) and parse. */
json_t *rt_spec_to_json(const struct rt_spec *s);
int rt_spec_from_json(json_t *j, struct rt_spec *out, struct rcr_error **err);

/* Write userdata/spec.json atomically; read a spec file. */
int rt_spec_write(const struct rt_spec *s, const char *path, struct rcr_error **err);
int rt_spec_read(const char *path, struct rt_spec *out, struct rcr_error **err);

/* "SIGTERM", "TERM", "15", "sigkill" -> number; -1 when unknown. */
int rt_signal_from_name(const char *name);
/* "SIGTERM" for 15; NULL when rcr has no name for it. */
const char *rt_signal_name(int sig);

/* "nofile=1024:2048", "nproc=100" (Podman's --ulimit): appended to s. Errors name the argument. */
int rt_spec_add_ulimit(struct rt_spec *s, const char *arg, struct rcr_error **err);

#endif
