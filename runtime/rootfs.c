/* The container's root file system: plan (pure) and setup (in the container's namespaces).
 *
 * Runs in the runtime child before the container's command exists, as root of the container's
 * user namespace. Must never touch the host's mount table: the first step makes every mount in
 * the new mount namespace private, so nothing propagates back, and everything below is gone
 * with the namespace when the container's last process exits (nothing to unmount on the host).
 */
#include "runtime/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "runtime/copyup.h"
#include "runtime/fuse_serve.h"
#include "runtime/overlay.h"
#include "runtime/user.h"

const char *const rt_masked_paths[] = {
	"/proc/acpi",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/interrupts",
	"/sys/dev/block",
	"/sys/devices/virtual/powercap",
	"/sys/firmware",
	"/sys/fs/selinux",
	NULL,
};

const char *const rt_readonly_paths[] = {
	"/proc/asound", "/proc/bus",	       "/proc/fs", "/proc/irq",
	"/proc/sys",	"/proc/sysrq-trigger", NULL,
};

/* The device nodes every container gets, bind-mounted from the host: a user namespace may not
 * mknod them (runc and crun do the same when rootless). */
static const char *const dev_nodes[] = {"/dev/null",	"/dev/zero", "/dev/full", "/dev/random",
					"/dev/urandom", "/dev/tty",  NULL};

static struct rt_mount_op *add(struct rt_mount_plan *p, enum rt_op_kind kind, const char *source,
			       const char *target)
{
	struct rt_mount_op *op = &p->ops[p->n++];

	*op = (struct rt_mount_op){.kind = kind, .source = source, .target = target};
	return op;
}

static void add_mount(struct rt_mount_plan *p, const char *fstype, const char *target,
		      unsigned long flags, const char *data, bool optional)
{
	struct rt_mount_op *op = add(p, RT_OP_MOUNT, fstype, target);

	op->fstype = fstype;
	op->flags = flags;
	op->optional = optional;
	snprintf(op->data, sizeof(op->data), "%s", data ? data : "");
}

static void plan_dev(struct rt_mount_plan *p, bool gid5_mapped)
{
	static const char *const links[][2] = {
		{"pts/ptmx", "/dev/ptmx"},	    {"/proc/self/fd", "/dev/fd"},
		{"/proc/self/fd/0", "/dev/stdin"},  {"/proc/self/fd/1", "/dev/stdout"},
		{"/proc/self/fd/2", "/dev/stderr"}, {"/proc/kcore", "/dev/core"},
	};

	add_mount(p, "tmpfs", "/dev", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k", false);
	for (size_t i = 0; dev_nodes[i] != NULL; i++)
		add(p, RT_OP_BIND, dev_nodes[i], dev_nodes[i]);
	add_mount(p, "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC,
		  gid5_mapped ? "newinstance,ptmxmode=0666,mode=0620,gid=5"
			      : "newinstance,ptmxmode=0666,mode=0620",
		  false);
	add_mount(p, "tmpfs", "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k",
		  false);
	add_mount(p, "mqueue", "/dev/mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, true);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		add(p, RT_OP_SYMLINK, links[i][0], links[i][1]);
}

void rt_mount_plan_make(const struct rt_spec *s, bool gid5_mapped, struct rt_mount_plan *out)
{
	struct rt_mount_op *op;

	out->n = 0;
	add_mount(out, "proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, false);
	add_mount(out, "sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, NULL, false);
	out->ops[out->n - 1].sysfs = true;
	plan_dev(out, gid5_mapped);
	if (s->read_only && s->read_only_tmpfs) {
		add_mount(out, "tmpfs", "/tmp", MS_NOSUID | MS_NODEV, "mode=1777", false);
		add_mount(out, "tmpfs", "/var/tmp", MS_NOSUID | MS_NODEV, "mode=1777", false);
		add_mount(out, "tmpfs", "/run", MS_NOSUID | MS_NODEV, "mode=755", false);
	}
	/* the binds in order, each tmpfs before the bind its pos names (or after them all) */
	for (size_t i = 0; i <= s->n_binds; i++) {
		for (size_t t = 0; t < s->n_tmpfs; t++)
			if (s->tmpfs[t].pos == i || (i == s->n_binds && s->tmpfs[t].pos > i))
				add_mount(out, "tmpfs", s->tmpfs[t].dest, s->tmpfs[t].flags,
					  s->tmpfs[t].data, false);
		if (i == s->n_binds)
			break;
		op = add(out, RT_OP_BIND, s->binds[i].source, s->binds[i].dest);
		op->ro = s->binds[i].ro;
		op->propagation = s->bind_opts[i].propagation;
		op->chown = s->bind_opts[i].chown;
		op->copyup_marker = s->bind_opts[i].copyup_marker;
	}
}

/* ---- running the plan ---------------------------------------------------------------------- */

/* Create target (below root) as a directory, or as an empty file when like_file. */
static int make_target(const char *path, bool like_file, struct rcr_error **err)
{
	_cleanup_free_ char *parent = strdup(path);
	char *slash = strrchr(parent, '/');
	struct stat st;
	int fd;

	if (slash != NULL && slash != parent) {
		*slash = '\0';
		if (fs_mkdir_p(parent, 0755, err) < 0)
			return -1;
	}
	if (!like_file)
		return fs_mkdir_p(path, 0755, err);
	/* A symlink in the image (Debian's /etc/localtime, a resolv.conf pointing into /run) is
	 * replaced by a plain file in the writable layer: a bind must not follow it. */
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && unlink(path) < 0) {
		rcr_error_set_errno(err, errno, "replacing the link '%s'", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0 && errno != EEXIST && errno != EISDIR) {
		rcr_error_set_errno(err, errno, "creating '%s'", path);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

static int set_readonly(const char *path, bool recursive, struct rcr_error **err)
{
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_RDONLY};

	if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr,
		    sizeof(attr)) < 0) {
		rcr_error_set_errno(err, errno, "making '%s' read-only", path);
		return -1;
	}
	return 0;
}

/* proc and sysfs may only be mounted where a full instance is visible (the kernel's
 * mount_too_revealing rule): after pivot_root there is none, so they are made before it, as
 * detached mounts, and attached afterwards. */
static bool needs_early_mount(const struct rt_mount_op *op)
{
	return op->kind == RT_OP_MOUNT &&
	       (strcmp(op->fstype, "proc") == 0 || strcmp(op->fstype, "sysfs") == 0);
}

static unsigned int attr_flags(unsigned long ms)
{
	return ((ms & MS_RDONLY) ? MOUNT_ATTR_RDONLY : 0) |
	       ((ms & MS_NOSUID) ? MOUNT_ATTR_NOSUID : 0) |
	       ((ms & MS_NODEV) ? MOUNT_ATTR_NODEV : 0) |
	       ((ms & MS_NOEXEC) ? MOUNT_ATTR_NOEXEC : 0);
}

/* A detached mount of a fresh proc or sysfs; -1 when the kernel refuses (sysfs without our own
 * network namespace: the caller falls back to binding the host's). */
static int early_mount(const struct rt_mount_op *op)
{
	_cleanup_close_ int fs = fsopen(op->fstype, FSOPEN_CLOEXEC);

	/* the source shows in the container's mount table ("proc on /proc type proc") */
	if (fs < 0 || fsconfig(fs, FSCONFIG_SET_STRING, "source", op->fstype, 0) < 0 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -1;
	return fsmount(fs, FSMOUNT_CLOEXEC, attr_flags(op->flags));
}

/* -v ...:rshared and friends: mount_setattr's propagation field takes one of MS_SHARED,
 * MS_PRIVATE, MS_SLAVE; the "r" forms apply it to the whole tree. */
static int set_propagation(const char *path, enum rt_propagation p, struct rcr_error **err)
{
	static const unsigned long kinds[] = {
		[RT_PROP_PRIVATE] = MS_PRIVATE, [RT_PROP_RPRIVATE] = MS_PRIVATE,
		[RT_PROP_SHARED] = MS_SHARED,	[RT_PROP_RSHARED] = MS_SHARED,
		[RT_PROP_SLAVE] = MS_SLAVE,	[RT_PROP_RSLAVE] = MS_SLAVE,
	};
	bool recursive = p == RT_PROP_RPRIVATE || p == RT_PROP_RSHARED || p == RT_PROP_RSLAVE;
	struct mount_attr attr = {0};

	if (p == RT_PROP_DEFAULT || (size_t)p >= sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	attr.propagation = kinds[p];
	if (syscall(SYS_mount_setattr, AT_FDCWD, path, recursive ? AT_RECURSIVE : 0, &attr,
		    sizeof(attr)) < 0) {
		rcr_error_set_errno(err, errno, "making '%s' %s", path, rt_propagation_name(p));
		return -1;
	}
	return 0;
}

/* Attach a tree cloned before pivot_root (source is a host path, gone from view afterwards) on
 * target, which is resolved inside the container's root: a symlink in the image can never point
 * a bind at a host path. */
static int run_bind(int tree, const char *source, const char *target, bool ro,
		    struct rcr_error **err)
{
	struct stat st;

	if (fstat(tree, &st) < 0) {
		rcr_error_set_errno(err, errno, "bind mount source '%s'", source);
		return -1;
	}
	if (make_target(target, !S_ISDIR(st.st_mode), err) < 0)
		return -1;
	if (move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
		rcr_error_set_errno(err, errno, "bind mounting '%s' on '%s'", source, target);
		return -1;
	}
	return ro ? set_readonly(target, true, err) : 0;
}

static int run_mount(const struct rt_mount_op *op, int tree, int sys_tree, struct rcr_error **err)
{
	if (make_target(op->target, false, err) < 0)
		return -1;
	if (tree >= 0 && move_mount(tree, "", AT_FDCWD, op->target, MOVE_MOUNT_F_EMPTY_PATH) == 0)
		return 0;
	if (tree < 0 && !needs_early_mount(op) &&
	    mount(op->source, op->target, op->fstype, op->flags, op->data[0] ? op->data : NULL) ==
		    0)
		return 0;
	/* sysfs belongs to the network namespace: with the host's network (or where the kernel
	 * refuses), a read-only recursive bind of the host's /sys is what crun does too. */
	if (op->sysfs && sys_tree >= 0 && run_bind(sys_tree, "/sys", op->target, true, err) == 0)
		return 0;
	if (op->optional)
		return 0;
	rcr_error_set_errno(err, errno, "mounting %s on '%s'", op->fstype, op->target);
	return -1;
}

/* nftw's callback takes no argument: the ids go through this (the runtime child is one thread). */
static struct {
	uid_t uid;
	gid_t gid;
	int err;
} chown_to;

static int chown_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (lchown(path, chown_to.uid, chown_to.gid) < 0) {
		chown_to.err = errno;
		return 1;
	}
	return 0;
}

/* -v SRC:DST:U (Podman): the bind's tree, on the host too, belongs to the container's user (its
 * uid and primary gid, resolved in the container's /etc/passwd as the command's will be). Done
 * through the attached bind, inside the container's root, without following symlinks or crossing
 * into other mounts; before a read-only bind is made read-only. */
static int chown_tree(const struct rt_spec *s, const char *target, struct rcr_error **err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	_cleanup_error_ struct rcr_error *ignored = NULL;
	size_t plen = 0, glen = 0;
	struct rt_user u;

	passwd = fs_read_file("/etc/passwd", 8 << 20, &plen, &ignored);
	rcr_error_clear(&ignored);
	group = fs_read_file("/etc/group", 8 << 20, &glen, &ignored);
	if (rt_user_resolve(s->user ? s->user : "", passwd, plen, group, glen, NULL, 0, &u, err) <
	    0) {
		rcr_error_wrap(err, "resolving the user for the U option of '%s'", target);
		return -1;
	}
	chown_to.uid = u.uid;
	chown_to.gid = u.gid;
	chown_to.err = 0;
	if (nftw(target, chown_one, 32, FTW_PHYS | FTW_MOUNT) != 0) {
		rcr_error_set_errno(err, chown_to.err ? chown_to.err : errno,
				    "changing the owner of '%s' to %u:%u (U option)", target,
				    (unsigned int)u.uid, (unsigned int)u.gid);
		return -1;
	}
	return 0;
}

static int run_op(const struct rt_spec *s, const struct rt_mount_op *op, int tree, int sys_tree,
		  struct rcr_error **err)
{
	switch (op->kind) {
	case RT_OP_MOUNT:
		return run_mount(op, tree, sys_tree, err);
	case RT_OP_BIND:
		if (run_bind(tree, op->source, op->target, op->ro && !op->chown, err) < 0 ||
		    (op->chown && chown_tree(s, op->target, err) < 0) ||
		    (op->chown && op->ro && set_readonly(op->target, true, err) < 0))
			return -1;
		return set_propagation(op->target, op->propagation, err);
	case RT_OP_SYMLINK:
		if (symlink(op->source, op->target) < 0 && errno != EEXIST) {
			rcr_error_set_errno(err, errno, "creating the link '%s'", op->target);
			return -1;
		}
		return 0;
	}
	return 0;
}

static int clone_tree(const char *source, struct rcr_error **err)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, source,
			      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

	if (fd < 0)
		rcr_error_set_errno(err, errno, "bind mount source '%s'", source);
	return fd;
}

/* fuse-overlayfs in the container's namespaces, for file systems where kernel overlay is refused
 * (e.g. NFS, or an old kernel): it daemonises once the mount is up. */
static int mount_fuse_overlay(const struct rt_spec *s, struct rcr_error **err)
{
	_cleanup_free_ char *prog = proc_find_in_path("fuse-overlayfs");
	_cleanup_free_ char *opts = NULL;
	struct proc_result r = {0};
	int rc;

	if (prog == NULL) {
		rcr_error_set(
			err, ENOENT,
			"fuse-overlayfs is not installed: install it (Debian: apt-get install "
			"fuse-overlayfs)");
		return -1;
	}
	opts = rt_fuse_overlay_opts(s);
	if (opts == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	{
		char dash_o[] = "-o";
		char *argv[] = {prog, dash_o, opts, s->merged, NULL};

		rc = proc_run(argv, NULL, true, &r, err);
	}
	if (rc == 0 && r.exit_code != 0) {
		rcr_error_set(err, EIO, "fuse-overlayfs failed: %s",
			      r.errout && *r.errout ? r.errout : "no message");
		rc = -1;
	}
	proc_result_release(&r);
	return rc;
}

static int open_dir(const char *path, struct rcr_error **err)
{
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		rcr_error_set_errno(err, errno, "opening '%s'", path);
	return fd;
}

/* A root whose container maps differ from the store's: FUSE here, fuse-overlayfs in the monitor
 * (runtime/fuse_serve.h). */
static int mount_served(const struct rt_spec *s, int fuse_sock, struct rcr_error **err)
{
	_cleanup_close_ int dir = open_dir(s->merged, err);
	int root = dir < 0 ? -1 : rt_fuse_mount(dir, fuse_sock, err);

	if (root < 0)
		rcr_error_wrap(err, "mounting the container's root file system");
	return root;
}

/* Mount the root on s->merged; returns an fd of its root (for pivot_root). */
static int mount_overlay(const struct rt_spec *s, int fuse_sock, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *kerr = NULL;
	_cleanup_close_ int mfd = -1;
	size_t n = 0;

	while (s->lowers[n] != NULL)
		n++;
	if (fs_mkdir_p(s->merged, 0755, err) < 0)
		return -1;
	if (s->store_uidmap.n > 0)
		return mount_served(s, fuse_sock, err);
	mfd = rt_overlay_mount_fd((const char *const *)s->lowers, n, s->upper, s->work, &kerr);
	if (mfd >= 0) {
		if (move_mount(mfd, "", AT_FDCWD, s->merged, MOVE_MOUNT_F_EMPTY_PATH) == 0)
			return steal_fd(&mfd);
		rcr_error_set_errno(&kerr, errno, "attaching the overlay at '%s'", s->merged);
	}
	if (mount_fuse_overlay(s, err) == 0)
		return open_dir(s->merged, err);
	rcr_error_wrap(err, "kernel overlay: %s; fuse-overlayfs", kerr->msg);
	rcr_error_wrap(err, "mounting the container's root file system");
	return -1;
}

/* Until here the child acted with the user's own credentials (full capabilities in the new
 * namespace, but the user's ids for file access): the store and the bind sources are reached as
 * the user may reach them, even when the user is not mapped in the container (nomap). From here
 * on it is the container's root. */
static int become_root(struct rcr_error **err)
{
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		rcr_error_set_errno(err, errno, "becoming root of the container's user namespace");
		return -1;
	}
	return 0;
}

static int do_pivot(int root, const char *path, struct rcr_error **err)
{
	if (fchdir(root) < 0 || syscall(SYS_pivot_root, ".", ".") < 0) {
		rcr_error_set_errno(err, errno, "pivot_root into '%s'", path);
		return -1;
	}
	/* The old root is stacked under the new one at "/": detach it. */
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0) {
		rcr_error_set_errno(err, errno, "detaching the host's root");
		return -1;
	}
	return 0;
}

/* keep-id (Podman): the user's passwd/group line is appended when the image has none for its
 * id, so that the command has a name and a HOME. Written in the container's root (its upper
 * layer), as Podman does when it may. */
static int add_entry(const char *path, const char *line, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -1;
	const char *third = strchr(strchr(line, ':') + 1, ':') + 1; /* checked by spec.c */
	size_t len = 0;
	bool newline;

	text = fs_read_file(path, 8 << 20, &len, &ignored);
	if (rt_user_db_has_id(text, len, (unsigned int)strtoul(third, NULL, 10)))
		return 0;
	newline = len > 0 && text[len - 1] != '\n';
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0 || (newline && write(fd, "\n", 1) != 1) ||
	    write(fd, line, strlen(line)) != (ssize_t)strlen(line) || write(fd, "\n", 1) != 1) {
		rcr_error_set_errno(err, errno, "adding the keep-id user to '%s'", path);
		return -1;
	}
	return 0;
}

static int add_entries(const struct rt_spec *s, struct rcr_error **err)
{
	if (s->passwd_entry != NULL && add_entry("/etc/passwd", s->passwd_entry, err) < 0)
		return -1;
	if (s->group_entry != NULL && add_entry("/etc/group", s->group_entry, err) < 0)
		return -1;
	return 0;
}

/* Masked: an empty read-only tmpfs on directories, /dev/null on files (as runc and crun). */
static int mask_paths(struct rcr_error **err)
{
	for (size_t i = 0; rt_masked_paths[i] != NULL; i++) {
		const char *p = rt_masked_paths[i];
		struct stat st;
		int rc;

		if (stat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0");
		else
			rc = mount("/dev/null", p, NULL, MS_BIND, NULL);
		if (rc < 0) {
			rcr_error_set_errno(err, errno, "masking '%s'", p);
			return -1;
		}
	}
	for (size_t i = 0; rt_readonly_paths[i] != NULL; i++) {
		const char *p = rt_readonly_paths[i];

		if (!fs_exists(p))
			continue;
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0) {
			rcr_error_set_errno(err, errno, "binding '%s' read-only", p);
			return -1;
		}
		if (set_readonly(p, true, err) < 0)
			return -1;
	}
	return 0;
}

static void close_trees(int *trees, struct rt_copyup *cus, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (trees[i] >= 0)
			close(trees[i]);
		rt_copyup_release(&cus[i]);
	}
}

/* Fresh volumes' markers, looked at while the host is in view (copied after pivot_root). */
static int prepare_copyups(const struct rt_mount_plan *plan, struct rt_copyup *cus,
			   struct rcr_error **err)
{
	for (size_t i = 0; i < plan->n; i++)
		if (plan->ops[i].kind == RT_OP_BIND && plan->ops[i].copyup_marker != NULL &&
		    rt_copyup_prepare(plan->ops[i].copyup_marker, &cus[i], err) < 0)
			return -1;
	return 0;
}

/* Clone the host trees the plan binds while the host is still in view. */
static int clone_trees(const struct rt_mount_plan *plan, int *trees, struct rcr_error **err)
{
	for (size_t i = 0; i < plan->n; i++) {
		trees[i] = -1;
		if (needs_early_mount(&plan->ops[i])) {
			trees[i] = early_mount(&plan->ops[i]);
			continue;
		}
		if (plan->ops[i].kind == RT_OP_BIND &&
		    (trees[i] = clone_tree(plan->ops[i].source, err)) < 0) {
			for (size_t k = 0; k < i; k++)
				if (trees[k] >= 0)
					close(trees[k]);
			return -1;
		}
	}
	return 0;
}

int rt_rootfs_setup(const struct rt_spec *s, const struct rt_mount_plan *plan, int fuse_sock,
		    struct rcr_error **err)
{
	int trees[RT_OPS_MAX];
	struct rt_copyup cus[RT_OPS_MAX];
	_cleanup_close_ int sys_tree = -1, root = -1;
	int rc = -1;

	for (size_t i = 0; i < RT_OPS_MAX; i++)
		cus[i] = (struct rt_copyup)RT_COPYUP_INIT;
	/* Nothing done below may reach the host's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		rcr_error_set_errno(err, errno, "making the mount namespace private");
		return -1;
	}
	/* the host side, as the user (become_root) */
	root = mount_overlay(s, fuse_sock, err);
	if (root < 0 || clone_trees(plan, trees, err) < 0)
		return -1;
	if (prepare_copyups(plan, cus, err) < 0)
		goto out;
	sys_tree = (int)syscall(SYS_open_tree, AT_FDCWD, "/sys",
				OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	/* the container side, as its root */
	if (become_root(err) < 0 || do_pivot(root, s->merged, err) < 0 || add_entries(s, err) < 0)
		goto out;
	/* A fresh volume is filled from what the image (and the mounts made so far) show at its
	 * destination, just before its bind covers that. */
	for (size_t i = 0; i < plan->n; i++)
		if (rt_copyup_run(&cus[i], trees[i], plan->ops[i].target, err) < 0 ||
		    run_op(s, &plan->ops[i], trees[i], sys_tree, err) < 0)
			goto out;
	if (!s->privileged && mask_paths(err) < 0)
		goto out;
	if (s->read_only && set_readonly("/", false, err) < 0)
		goto out;
	rc = 0;
out:
	close_trees(trees, cus, plan->n);
	return rc;
}
