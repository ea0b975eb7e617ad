/* Judging host facts into `rcr system check` lines (see prereq.h).
 *
 * Every non-ok line carries a fix a person can act on: the administrator's command, or the rcr
 * option that works around it. Must stay pure: no I/O, no probes (those are host.c's).
 */
#include "runtime/prereq.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The range Podman's documentation suggests; a site with other users picks a free one. */
#define SUGGESTED_RANGE "100000-165535"
#define FULL_RANGE	65536

__attribute__((format(printf, 4, 0))) static void vadd(struct rt_checks *c, const char *name,
						       enum rt_check_status st, const char *fix,
						       const char *fmt, va_list ap)
{
	struct rt_check *k;

	if (c->n >= RT_CHECKS_MAX)
		return;
	k = &c->v[c->n++];
	k->name = name;
	k->status = st;
	if (vasprintf(&k->detail, fmt, ap) < 0)
		k->detail = NULL;
	k->fix = fix ? strdup(fix) : NULL;
}

__attribute__((format(printf, 5, 6))) static void add(struct rt_checks *c, const char *name,
						      enum rt_check_status st, const char *fix,
						      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(c, name, st, fix, fmt, ap);
	va_end(ap);
}

/* Like add, with a fix that needs formatting (the user's name, a path). */
__attribute__((format(printf, 5, 6))) static void add_fixf(struct rt_checks *c, const char *name,
							   enum rt_check_status st,
							   const char *detail, const char *fixfmt,
							   ...)
{
	char *fix = NULL;
	va_list ap;

	va_start(ap, fixfmt);
	if (vasprintf(&fix, fixfmt, ap) < 0)
		fix = NULL;
	va_end(ap);
	add(c, name, st, fix, "%s", detail);
	free(fix);
}

static void judge_userns(const struct rt_host_facts *f, struct rt_checks *c)
{
	const char *n = "user namespaces";

	if (f->userns.userns_ok) {
		add(c, n, RT_CHECK_OK, NULL, "an unprivileged user namespace can be created");
		return;
	}
	if (f->max_user_namespaces == 0)
		add(c, n, RT_CHECK_FAIL,
		    "as root: sysctl -w user.max_user_namespaces=28633, and persist it in "
		    "/etc/sysctl.d/userns.conf",
		    "%s: disabled by sysctl user.max_user_namespaces=0",
		    f->userns.userns_err ? f->userns.userns_err : "refused");
	else if (f->unprivileged_userns_clone == 0)
		add(c, n, RT_CHECK_FAIL,
		    "as root: sysctl -w kernel.unprivileged_userns_clone=1, and persist it in "
		    "/etc/sysctl.d/userns.conf",
		    "%s: disabled by sysctl kernel.unprivileged_userns_clone=0",
		    f->userns.userns_err ? f->userns.userns_err : "refused");
	else if (f->apparmor_restrict_userns == 1)
		add(c, n, RT_CHECK_FAIL,
		    "as root: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or install "
		    "an AppArmor profile that grants 'userns,' to rcr",
		    "%s: AppArmor restricts unprivileged user namespaces",
		    f->userns.userns_err ? f->userns.userns_err : "refused");
	else if (f->userns.userns_errno == ENOSPC)
		add(c, n, RT_CHECK_FAIL,
		    "raise user.max_user_namespaces (as root: sysctl -w "
		    "user.max_user_namespaces=28633) or stop other containers",
		    "%s: the limit user.max_user_namespaces=%ld is reached",
		    f->userns.userns_err ? f->userns.userns_err : "refused",
		    f->max_user_namespaces);
	else
		add(c, n, RT_CHECK_FAIL,
		    "rcr cannot run where user namespaces are forbidden (inside a container, or a "
		    "seccomp filter that blocks unshare): run it on the host",
		    "%s", f->userns.userns_err ? f->userns.userns_err : "refused");
}

static void judge_range(const struct rt_host_facts *f, struct rt_checks *c, bool gid)
{
	const struct idmap_ranges *r = gid ? &f->subgid : &f->subuid;
	const char *n = gid ? "subgid range" : "subuid range";
	const char *file = gid ? "/etc/subgid" : "/etc/subuid";
	const char *what = gid ? "gids" : "uids";
	char detail[512];

	if (r->total >= FULL_RANGE) {
		add(c, n, RT_CHECK_OK, NULL, "%llu subordinate %s for '%s' in %s",
		    (unsigned long long)r->total, what, f->user, file);
		return;
	}
	if (r->total == 0)
		snprintf(detail, sizeof(detail),
			 "no subordinate %s for '%s' in %s: containers get a single %s (root in "
			 "the container is you) and files of images owned by other ids are "
			 "stored as yours",
			 what, f->user, file, gid ? "gid" : "uid");
	else
		snprintf(detail, sizeof(detail),
			 "only %llu subordinate %s for '%s' in %s (%d recommended): images with "
			 "%s at or above %llu cannot be used",
			 (unsigned long long)r->total, what, f->user, file, FULL_RANGE, what,
			 (unsigned long long)r->total + 1);
	add_fixf(c, n, RT_CHECK_WARN, detail,
		 "ask an administrator to run: usermod --add-subuids %s --add-subgids %s %s "
		 "(any range no other user has in %s)",
		 SUGGESTED_RANGE, SUGGESTED_RANGE, f->user, file);
}

static void judge_helper(const struct rt_host_facts *f, struct rt_checks *c, bool gid)
{
	const struct rt_helper *h = gid ? &f->newgidmap : &f->newuidmap;
	const struct idmap_ranges *r = gid ? &f->subgid : &f->subuid;
	const char *n = gid ? "newgidmap" : "newuidmap";
	const char *map_err = gid ? f->userns.gid_map_err : f->userns.uid_map_err;
	bool map_ok = gid ? f->userns.gid_map_ok : f->userns.uid_map_ok;

	if (r->total == 0) {
		add(c, n, RT_CHECK_OK, NULL, "not needed: no subordinate ids to map");
		return;
	}
	if (h->path == NULL) {
		add(c, n, RT_CHECK_WARN,
		    "as root: apt-get install uidmap (or your distribution's shadow-utils/uidmap "
		    "package)",
		    "%s not found in $PATH: containers fall back to a single id", n);
		return;
	}
	if (!h->privileged) {
		char detail[600];

		snprintf(detail, sizeof(detail),
			 "'%s' is neither setuid root nor has file capabilities: it cannot map "
			 "subordinate ids",
			 h->path);
		add_fixf(c, n, RT_CHECK_WARN, detail,
			 "as root: chmod u+s %s (or setcap cap_set%sid+ep %s), or put the "
			 "distribution's %s first in $PATH",
			 h->path, gid ? "g" : "u", h->path, n);
		return;
	}
	if (f->userns.userns_ok && !map_ok) {
		add(c, n, RT_CHECK_WARN,
		    f->no_new_privs ? "run rcr without no_new_privs (see the no_new_privs line)"
				    : "check the ranges in /etc/subuid and /etc/subgid and the "
				      "permissions of the helper",
		    "mapping the subordinate %s failed: %s", gid ? "gids" : "uids",
		    map_err ? map_err : "unknown failure");
		return;
	}
	add(c, n, RT_CHECK_OK, NULL, "'%s' maps %llu %s", h->path,
	    (unsigned long long)userns_map_size(gid ? &f->gidmap : &f->uidmap),
	    gid ? "gids" : "uids");
}

static void judge_nnp(const struct rt_host_facts *f, struct rt_checks *c)
{
	if (!f->no_new_privs) {
		add(c, "no_new_privs", RT_CHECK_OK, NULL, "not set");
		return;
	}
	add(c, "no_new_privs", f->subuid.total > 0 ? RT_CHECK_WARN : RT_CHECK_OK,
	    f->subuid.total > 0
		    ? "run rcr from a process without no_new_privs: not under 'setpriv "
		      "--no-new-privs', and without NoNewPrivileges=yes in a systemd unit"
		    : NULL,
	    "set for this process: setuid newuidmap/newgidmap cannot work, so only a single id "
	    "can be mapped");
}

static void judge_runtime(const struct rt_host_facts *f, struct rt_checks *c)
{
	const char *n = "runtime dir";

	if (f->runtime_err != NULL) {
		add(c, n, RT_CHECK_FAIL,
		    "remove the offending directory if it is not yours, or pass --runroot DIR "
		    "with a directory only you can access",
		    "%s", f->runtime_err);
		return;
	}
	if (f->runtime_why == NULL) {
		add(c, n, RT_CHECK_OK, NULL, "'%s'", f->runtime_dir);
		return;
	}
	{
		char detail[1024];

		snprintf(detail, sizeof(detail),
			 "%s (as under su, sudo or cron): using '%s' instead, which does not "
			 "follow your login sessions",
			 f->runtime_why, f->runtime_dir);
		add_fixf(c, n, RT_CHECK_WARN, detail,
			 "log in with a full session (ssh, 'su -l %s', 'machinectl shell %s@'), "
			 "or as root: mkdir -m 0700 /run/user/%u && chown %s /run/user/%u; then "
			 "export XDG_RUNTIME_DIR=/run/user/%u",
			 f->user, f->user, (unsigned)f->uid, f->user, (unsigned)f->uid,
			 (unsigned)f->uid);
	}
}

static void judge_store(const struct rt_host_facts *f, struct rt_checks *c)
{
	const char *fs = f->store_fstype ? f->store_fstype : "unknown";
	bool fuse_ok = f->fuse_overlayfs.path != NULL && f->dev_fuse_ok;

	if (f->store_err != NULL) {
		add(c, "store", RT_CHECK_FAIL,
		    "use a directory you can write: --root DIR or RCR_ROOT=DIR", "%s",
		    f->store_err);
		return;
	}
	add(c, "store", RT_CHECK_OK, NULL, "'%s' on %s", f->store_root, fs);
	if (f->overlay_ok)
		add(c, "overlay", RT_CHECK_OK, NULL,
		    "kernel overlay mounts in a user namespace on %s", fs);
	else
		add(c, "overlay", fuse_ok ? RT_CHECK_WARN : RT_CHECK_FAIL,
		    fuse_ok ? "put the store on a local filesystem (ext4, xfs, btrfs, tmpfs) "
			      "with --root DIR for faster containers"
			    : "put the store on a local filesystem (ext4, xfs, btrfs, tmpfs) with "
			      "--root DIR, or install fuse-overlayfs and make /dev/fuse "
			      "accessible",
		    "kernel overlay refused on %s at '%s': %s; %s", fs, f->store_root,
		    f->overlay_err ? f->overlay_err : "unknown failure",
		    fuse_ok ? "rcr falls back to fuse-overlayfs (slower)"
			    : "and fuse-overlayfs cannot be used either");
}

static void judge_fuse(const struct rt_host_facts *f, struct rt_checks *c)
{
	const char *n = "fuse-overlayfs";

	if (f->fuse_overlayfs.path == NULL)
		add(c, n, f->overlay_ok ? RT_CHECK_OK : RT_CHECK_WARN,
		    f->overlay_ok ? NULL : "as root: apt-get install fuse-overlayfs",
		    "not installed%s", f->overlay_ok ? " (not needed: kernel overlay works)" : "");
	else if (!f->dev_fuse_ok)
		add(c, n, RT_CHECK_WARN,
		    "as root: chmod 0666 /dev/fuse (Debian's udev default), and remove any ACL "
		    "entry denying this user (setfacl -b /dev/fuse)",
		    "'%s' found, but /dev/fuse is not readable and writable by this user",
		    f->fuse_overlayfs.path);
	else
		add(c, n, RT_CHECK_OK, NULL, "'%s' and /dev/fuse usable", f->fuse_overlayfs.path);
}

static void judge_network(const struct rt_host_facts *f, struct rt_checks *c)
{
	if (f->pasta.path == NULL && f->slirp4netns.path == NULL)
		add(c, "network helper", RT_CHECK_WARN,
		    "as root: apt-get install passt (or slirp4netns)",
		    "neither pasta nor slirp4netns found in $PATH: only --network=none and "
		    "--network=host work");
	else
		add(c, "network helper", RT_CHECK_OK, NULL, "%s '%s'",
		    f->pasta.path ? "pasta" : "slirp4netns",
		    f->pasta.path ? f->pasta.path : f->slirp4netns.path);
	if (f->dev_tun_ok)
		add(c, "/dev/net/tun", RT_CHECK_OK, NULL, "readable and writable");
	else
		add(c, "/dev/net/tun", RT_CHECK_WARN,
		    "as root: chmod 0666 /dev/net/tun (Debian's udev default), and remove any ACL "
		    "entry denying this user (setfacl -b /dev/net/tun)",
		    "not readable and writable by this user: pasta and slirp4netns cannot start, "
		    "only --network=none and --network=host work");
}

static void judge_cgroups(const struct rt_host_facts *f, struct rt_checks *c)
{
	const struct rt_cgroup_info *g = &f->cgroup;

	if (g->delegated) {
		add(c, "cgroups", RT_CHECK_OK, NULL, "v2, delegated '%s' (%s)", g->own_path,
		    g->controllers ? g->controllers : "");
		return;
	}
	add(c, "cgroups", RT_CHECK_WARN,
	    g->mode == RT_CGROUP_V2
		    ? "run rcr in a systemd user session (as root: loginctl enable-linger USER) "
		      "where user@.service has Delegate=yes"
		    : "boot the host with cgroup v2 (kernel option "
		      "systemd.unified_cgroup_hierarchy=1) and a systemd user session with "
		      "Delegate=yes",
	    "resource limits (--memory, --cpus, --pids-limit) are unavailable: %s",
	    g->why_not ? g->why_not : "the cgroup is not delegated");
}

void rt_prereq_judge(const struct rt_host_facts *f, struct rt_checks *out)
{
	memset(out, 0, sizeof(*out));
	judge_userns(f, out);
	judge_range(f, out, false);
	judge_range(f, out, true);
	judge_helper(f, out, false);
	judge_helper(f, out, true);
	judge_nnp(f, out);
	judge_runtime(f, out);
	judge_store(f, out);
	judge_fuse(f, out);
	judge_network(f, out);
	judge_cgroups(f, out);
	if (f->seccomp_ok)
		add(out, "seccomp", RT_CHECK_OK, NULL, "supported (libseccomp %s)",
		    f->libseccomp_version ? f->libseccomp_version : "unknown");
	else
		add(out, "seccomp", RT_CHECK_WARN, "use a kernel built with CONFIG_SECCOMP_FILTER",
		    "the kernel has no seccomp: containers run without a syscall filter");
}

void rt_checks_release(struct rt_checks *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].detail);
		free(c->v[i].fix);
	}
	memset(c, 0, sizeof(*c));
}

size_t rt_checks_count(const struct rt_checks *c, enum rt_check_status status)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n; i++)
		n += c->v[i].status == status;
	return n;
}

const char *rt_check_status_name(enum rt_check_status s)
{
	switch (s) {
	case RT_CHECK_OK:
		return "ok";
	case RT_CHECK_WARN:
		return "warn";
	case RT_CHECK_FAIL:
		return "fail";
	}
	return "fail";
}
