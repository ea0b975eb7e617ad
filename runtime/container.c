/* Starting a container (container.h): clone into new namespaces, id maps written by the parent,
 * then the child builds the root file system, switches to the container's user and capabilities,
 * loads seccomp and execs.
 *
 * The child never returns into the caller's code: every failure is written to the error pipe as
 * (exit code, message) and the child _exits. A successful execve closes the pipe (CLOEXEC), which
 * is how the parent knows the command runs. The child must not allocate from state shared with
 * other threads: the monitor is single-threaded, and so is rcr when it calls exec.
 */
#include "runtime/container.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/nsfs.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "runtime/caps.h"
#include "runtime/exec.h"
#include "runtime/fuse_serve.h"
#include "runtime/rootfs.h"
#include "runtime/seccomp.h"

#define NS_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC)

/* ---- the child ------------------------------------------------------------------------------ */

struct child_ctx {
	const struct rt_spec *s;
	const struct rt_stdio *io;
	const struct rt_mount_plan *plan;
	const struct rt_seccomp_prog *seccomp; /* NULL: unconfined */
	int go_fd;			       /* read: the parent wrote the maps */
	int err_fd;			       /* write: failure report */
	int console_fd;			       /* with a tty: where the pty master goes */
	int fuse_fd;			       /* a root served by the monitor: FUSE goes there */
};

static int set_rlimits(const struct rt_spec *s, struct rcr_error **err)
{
	for (size_t i = 0; i < s->n_rlimits; i++) {
		struct rlimit rl = {s->rlimits[i].soft, s->rlimits[i].hard};

		if (setrlimit(s->rlimits[i].resource, &rl) < 0) {
			rcr_error_set_errno(err, errno,
					    "setting a ulimit (a user may not raise a hard limit "
					    "above the host's)");
			return -1;
		}
	}
	return 0;
}

static int setup_namespaces(const struct child_ctx *c, struct rcr_error **err)
{
	const struct rt_spec *s = c->s;

	/* rt_rootfs_setup becomes the namespace's root once it reached the host paths */
	if (rt_rootfs_setup(s, c->plan, c->fuse_fd, err) < 0)
		return -1;
	if (s->hostname != NULL && sethostname(s->hostname, strlen(s->hostname)) < 0) {
		rcr_error_set_errno(err, errno, "setting the hostname '%s'", s->hostname);
		return -1;
	}
	return set_rlimits(s, err);
}

static _Noreturn void child_main(struct child_ctx *c)
{
	struct rcr_error *err = NULL;
	int code = 125;
	char go;

	/* The monitor says go once the id maps are written and the pid is on disk; a monitor that
	 * died before that closes the pipe, and the child gives up. */
	if (read(c->go_fd, &go, 1) != 1)
		_exit(125);
	close(c->go_fd);
	if (setup_namespaces(c, &err) < 0)
		goto fail;
	{
		struct rt_proc p = rt_proc_of_spec(c->s);

		code = rt_exec_process(&p, c->io, c->seccomp, c->console_fd, c->err_fd, &err);
	}
fail:
	rt_exec_report(c->err_fd, code, err);
	_exit(code);
}

/* ---- the parent ------------------------------------------------------------------------------ */

/* The default profile depends only on the capability set: its program is kept in the runtime
 * dir (RUNROOT/seccomp-default-<caps>-<version>.bpf) so that a start does not run libseccomp's
 * compiler (a third of the monitor's work). The runtime dir is the user's own (0700): a program
 * there can only be the user's. */
static char *cache_path(const struct rt_spec *s)
{
	_cleanup_free_ char *root = strdup(s->rundir);
	char *slash = root ? strrchr(root, '/') : NULL;
	char *path = NULL;

	if (slash == NULL || slash == root)
		return NULL;
	*slash = '\0';
	if (asprintf(&path, "%s/seccomp-default-%016llx-%s.bpf", root, (unsigned long long)s->caps,
		     RCR_VERSION) < 0)
		return NULL;
	return path;
}

static bool cache_load(const char *path, struct rt_seccomp_prog *prog)
{
	_cleanup_error_ struct rcr_error *ignored = NULL;
	size_t len = 0;
	char *data = path ? fs_read_file(path, 1 << 20, &len, &ignored) : NULL;

	if (data == NULL || len == 0 || len % sizeof(struct sock_filter) != 0 ||
	    len / sizeof(struct sock_filter) > 65535) {
		free(data);
		return false;
	}
	prog->filter = (struct sock_filter *)data;
	prog->len = (unsigned short)(len / sizeof(struct sock_filter));
	return true;
}

static int compile_default(const struct rt_spec *s, struct rt_seccomp_prog *prog,
			   struct rcr_error **err)
{
	_cleanup_free_ char *path = cache_path(s);
	_cleanup_error_ struct rcr_error *ignored = NULL;

	if (cache_load(path, prog))
		return 0;
	if (rt_seccomp_compile_default(s->caps, prog, err) < 0)
		return -1;
	if (path != NULL)
		fs_write_replace(path, prog->filter, prog->len * sizeof(struct sock_filter), 0600,
				 &ignored);
	return 0;
}

static int compile_seccomp(const struct rt_spec *s, struct rt_seccomp_prog *prog,
			   struct rcr_error **err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (s->privileged || strcmp(s->seccomp, "unconfined") == 0)
		return 0;
	if (strcmp(s->seccomp, "default") == 0)
		return compile_default(s, prog, err);
	json = fs_read_file(s->seccomp, 4 << 20, &len, err);
	if (json == NULL)
		return -1;
	return rt_seccomp_compile_json(json, len, s->seccomp, s->caps, prog, err);
}

static bool gid5_mapped(const struct userns_map *m)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].inner <= 5 && 5 < m->v[i].inner + m->v[i].count)
			return true;
	return false;
}

/* newuidmap and newgidmap are setuid programs that cost an exec each: the gid map is written by
 * a helper child at the same time as the uid map. */
static int write_maps(const struct rt_spec *s, pid_t pid, struct rcr_error **err)
{
	int status = 0;
	pid_t gid_writer = -1;

	if (s->newgidmap != NULL && (gid_writer = fork()) == 0) {
		struct rcr_error *e = NULL;

		_exit(userns_map_write(pid, &s->gidmap, true, s->newgidmap, &e) < 0 ? 1 : 0);
	}
	if (userns_map_write(pid, &s->uidmap, false, s->newuidmap, err) < 0)
		goto fail;
	if (gid_writer < 0 && userns_map_write(pid, &s->gidmap, true, s->newgidmap, err) < 0)
		goto fail;
	if (gid_writer > 0 && (waitpid(gid_writer, &status, 0) < 0 || status != 0)) {
		gid_writer = -1;
		/* run again here, for the error message */
		if (userns_map_write(pid, &s->gidmap, true, s->newgidmap, err) < 0)
			goto fail;
	}
	return 0;
fail:
	if (gid_writer > 0)
		waitpid(gid_writer, NULL, 0);
	rcr_error_wrap(err, "writing the container's id maps");
	return -1;
}

/* ---- joining another network namespace (--network container:NAME, ns:PATH) ------------------- */

static bool joins_netns(const struct rt_spec *s)
{
	return strcmp(s->network, "container") == 0 || strcmp(s->network, "ns") == 0;
}

/* The network namespace to join and the user namespace that owns it: joining a network
 * namespace takes CAP_SYS_ADMIN over its owner, which a container has only inside that owner
 * (each container's own user namespace is a sibling). One owned by the user's own namespace
 * cannot be joined without privileges. */
static int open_join(const char *path, int *netfd, int *userfd, struct rcr_error **err)
{
	struct stat mine, owner;

	*netfd = open(path, O_RDONLY | O_CLOEXEC);
	if (*netfd < 0) {
		rcr_error_set_errno(err, errno, "opening the network namespace '%s'", path);
		return -1;
	}
	*userfd = ioctl(*netfd, NS_GET_USERNS);
	if (*userfd < 0) {
		rcr_error_set_errno(err, errno,
				    "'%s' is not a network namespace rcr can join (its user "
				    "namespace is out of reach)",
				    path);
		return -1;
	}
	fcntl(*userfd, F_SETFD, FD_CLOEXEC);
	if (stat("/proc/self/ns/user", &mine) == 0 && fstat(*userfd, &owner) == 0 &&
	    mine.st_ino == owner.st_ino && mine.st_dev == owner.st_dev) {
		rcr_error_set(err, EPERM,
			      "the network namespace '%s' belongs to your own user namespace: a "
			      "rootless container can only join one made in a user namespace "
			      "(another container's, or one made with 'unshare -rn')",
			      path);
		return -1;
	}
	return 0;
}

/* The first child joins, unshares the rest and forks the container's process (PID 1 of the new
 * pid namespace, which must belong to the joined user namespace for /proc to mount); it sends
 * that process's pid and exits, and the caller, a child subreaper, inherits it. */
static _Noreturn void join_and_fork(struct child_ctx *c, int netfd, int userfd, int pid_fd)
{
	struct rcr_error *err = NULL;
	pid_t pid;

	if (setns(userfd, CLONE_NEWUSER) < 0 || setns(netfd, CLONE_NEWNET) < 0) {
		rcr_error_set_errno(&err, errno, "joining the network namespace '%s'",
				    c->s->netns_path);
		goto fail;
	}
	close(userfd);
	close(netfd);
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP) <
	    0) {
		rcr_error_set_errno(&err, errno, "creating the container's namespaces");
		goto fail;
	}
	pid = fork();
	if (pid == 0) {
		close(pid_fd);
		child_main(c);
	}
	if (pid < 0) {
		rcr_error_set_errno(&err, errno, "fork");
		goto fail;
	}
	_exit(write(pid_fd, &pid, sizeof(pid)) == sizeof(pid) ? 0 : 1);
fail:
	rt_exec_report(c->err_fd, 125, err);
	_exit(125);
}

static pid_t clone_child(const struct rt_spec *s, struct rcr_error **err)
{
	unsigned long flags = NS_FLAGS | SIGCHLD;
	pid_t pid;

	if (strcmp(s->network, "host") != 0)
		flags |= CLONE_NEWNET;
	/* A new cgroup namespace only hides the host's cgroup paths; harmless everywhere. */
	flags |= CLONE_NEWCGROUP;
	/* The raw syscall behaves as fork() here (no new stack): the child continues below. */
	pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0)
		rcr_error_set_errno(err, errno,
				    "creating the container's namespaces (is 'sysctl "
				    "user.max_user_namespaces' zero?)");
	return pid;
}

struct start_fds {
	int go[2], errp[2], console[2], fuse[2];
};

static void start_fds_close(struct start_fds *f)
{
	int *all[] = {&f->go[0],      &f->go[1],      &f->errp[0], &f->errp[1],
		      &f->console[0], &f->console[1], &f->fuse[0], &f->fuse[1]};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (*all[i] >= 0) {
			close(*all[i]);
			*all[i] = -1;
		}
}

static int start_fds_open(struct start_fds *f, bool tty, bool served, struct rcr_error **err)
{
	*f = (struct start_fds){{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}};
	if (proc_pipe(f->go, err) < 0 || proc_pipe(f->errp, err) < 0)
		return -1;
	if (tty && proc_socketpair(SOCK_STREAM, f->console, err) < 0)
		return -1;
	if (served && proc_socketpair(SOCK_STREAM, f->fuse, err) < 0)
		return -1;
	return 0;
}

/* A root with other maps than the store's: the child mounts FUSE and sends the connection, which
 * fuse-overlayfs serves from the store's namespace (runtime/fuse_serve.h). When nothing comes,
 * the child failed first: its report is the error. */
static int serve_root(const struct rt_spec *s, struct start_fds *f, int *exit_code,
		      struct rcr_error **err)
{
	int rc = rt_fuse_serve(s, f->fuse[0], err);

	if (rc == 1 && rt_exec_read_report(f->errp[0], exit_code, err) == 0)
		rcr_error_set(err, EIO, "the container did not mount its root file system");
	return rc == 0 ? 0 : -1;
}

/* The child's side keeps its ends only. */
static void close_parent_ends(struct start_fds *f)
{
	close(f->go[1]);
	close(f->errp[0]);
	if (f->console[0] >= 0)
		close(f->console[0]);
	if (f->fuse[0] >= 0)
		close(f->fuse[0]);
}

/* --network container:NAME / ns:PATH: a first child joins (join_and_fork) and sends the pid of
 * the container's process, which is reparented to the caller (a child subreaper) once the first
 * child exits. Returns that pid, 0 in the container's process, or -1 with the first child's
 * report. */
static pid_t fork_joined(struct child_ctx *c, struct start_fds *f, struct rcr_error **err)
{
	_cleanup_close_ int netfd = -1, userfd = -1, pid_r = -1, pid_w = -1;
	int p[2], code = 125;
	pid_t first, pid = -1;

	if (open_join(c->s->netns_path, &netfd, &userfd, err) < 0 || proc_pipe(p, err) < 0)
		return -1;
	pid_r = p[0], pid_w = p[1];
	first = fork();
	if (first < 0)
		return rcr_error_set_errno(err, errno, "fork"), -1;
	if (first == 0) {
		close_parent_ends(f);
		close(pid_r);
		join_and_fork(c, netfd, userfd, pid_w);
	}
	close(steal_fd(&pid_w));
	if (read(pid_r, &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	waitpid(first, NULL, 0);
	if (pid > 0)
		return pid;
	/* the first child's report; the caller's copy of the write end must go first */
	close(f->errp[1]), f->errp[1] = -1;
	if (rt_exec_read_report(f->errp[0], &code, err) == 0)
		rcr_error_set(err, EIO, "joining the network namespace '%s' failed",
			      c->s->netns_path);
	return -1;
}

/* After the go-ahead: the pty master (tty), then the error pipe's verdict. */
static int await_exec(struct start_fds *f, bool tty, int *pty_master, int *exit_code,
		      struct rcr_error **err)
{
	if (tty) {
		*pty_master = rt_exec_recv_fd(f->console[0]);
		close(f->console[0]);
		f->console[0] = -1;
	}
	if (rt_exec_read_report(f->errp[0], exit_code, err) < 0)
		return -1;
	if (tty && *pty_master < 0) {
		rcr_error_set(err, EIO, "the container did not send its terminal");
		return -1;
	}
	return 0;
}

pid_t rt_container_start(const struct rt_spec *s, const struct rt_stdio *io, rt_ready_fn ready,
			 void *arg, int *pty_master, int *exit_code, struct rcr_error **err)
{
	struct rt_seccomp_prog prog = {0};
	struct rt_mount_plan plan;
	struct child_ctx c;
	struct start_fds f;
	pid_t pid = -1;

	*exit_code = 125;
	*pty_master = -1;
	rt_mount_plan_make(s, gid5_mapped(&s->gidmap), &plan);
	if (start_fds_open(&f, s->tty, s->store_uidmap.n > 0, err) < 0 ||
	    compile_seccomp(s, &prog, err) < 0)
		goto fail;
	c = (struct child_ctx){s,	io,	   &plan,	 prog.filter ? &prog : NULL,
			       f.go[0], f.errp[1], f.console[1], f.fuse[1]};
	pid = joins_netns(s) ? fork_joined(&c, &f, err) : clone_child(s, err);
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		close_parent_ends(&f);
		child_main(&c);
	}
	close(f.go[0]), f.go[0] = -1;
	close(f.errp[1]), f.errp[1] = -1;
	if (f.console[1] >= 0)
		close(f.console[1]), f.console[1] = -1;
	if (f.fuse[1] >= 0)
		close(f.fuse[1]), f.fuse[1] = -1;
	/* a joined user namespace has its maps already */
	if ((!joins_netns(s) && write_maps(s, pid, err) < 0) ||
	    (ready != NULL && ready(pid, arg, err) != 0) || write(f.go[1], "g", 1) != 1) {
		if (err != NULL && *err == NULL)
			rcr_error_set(err, EIO, "the container process could not be released");
		goto kill;
	}
	close(f.go[1]), f.go[1] = -1;
	if (f.fuse[0] >= 0 && serve_root(s, &f, exit_code, err) < 0)
		goto kill;
	if (await_exec(&f, s->tty, pty_master, exit_code, err) < 0)
		goto kill;
	start_fds_close(&f);
	rt_seccomp_prog_release(&prog);
	return pid;
kill:
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
fail:
	start_fds_close(&f);
	rt_seccomp_prog_release(&prog);
	if (*pty_master >= 0)
		close(*pty_master), *pty_master = -1;
	return -1;
}
