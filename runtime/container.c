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
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

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
	struct start_fds f;
	pid_t pid = -1;

	*exit_code = 125;
	*pty_master = -1;
	rt_mount_plan_make(s, gid5_mapped(&s->gidmap), &plan);
	if (start_fds_open(&f, s->tty, s->store_uidmap.n > 0, err) < 0 ||
	    compile_seccomp(s, &prog, err) < 0)
		goto fail;
	pid = clone_child(s, err);
	if (pid < 0)
		goto fail;
	if (pid == 0) {
		struct child_ctx c = {s,       io,	  &plan,	prog.filter ? &prog : NULL,
				      f.go[0], f.errp[1], f.console[1], f.fuse[1]};

		close(f.go[1]);
		close(f.errp[0]);
		if (f.console[0] >= 0)
			close(f.console[0]);
		if (f.fuse[0] >= 0)
			close(f.fuse[0]);
		child_main(&c);
	}
	close(f.go[0]), f.go[0] = -1;
	close(f.errp[1]), f.errp[1] = -1;
	if (f.console[1] >= 0)
		close(f.console[1]), f.console[1] = -1;
	if (f.fuse[1] >= 0)
		close(f.fuse[1]), f.fuse[1] = -1;
	if (write_maps(s, pid, err) < 0 || (ready != NULL && ready(pid, arg, err) != 0) ||
	    write(f.go[1], "g", 1) != 1) {
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
