/* `rcr exec`'s runtime part (container.h): a process that joins every namespace of a running
 * container through a pidfd (one atomic setns), then runs with the container's capabilities,
 * seccomp profile and user, exactly as the container's own command does.
 *
 * Two forks: setns(CLONE_NEWPID) only places the children of the caller in the pid namespace.
 * The middle process waits for the command and passes its status on, so the caller waits for a
 * child of its own.
 */
#include "runtime/container.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "runtime/caps.h"
#include "runtime/exec.h"
#include "runtime/seccomp.h"

static int compile_for_exec(const struct rt_spec *s, const struct rt_exec *e,
			    struct rt_seccomp_prog *prog, struct rcr_error **err)
{
	_cleanup_free_ char *json = NULL;
	size_t len;

	if (e->privileged || s->privileged || strcmp(s->seccomp, "unconfined") == 0)
		return 0;
	if (strcmp(s->seccomp, "default") == 0)
		return rt_seccomp_compile_default(s->caps, prog, err);
	json = fs_read_file(s->seccomp, 4 << 20, &len, err);
	return json ? rt_seccomp_compile_json(json, len, s->seccomp, s->caps, prog, err) : -1;
}

static _Noreturn void exec_grandchild(const struct rt_spec *s, const struct rt_exec *e,
				      const struct rt_stdio *io, const struct rt_seccomp_prog *prog,
				      int console, int errfd)
{
	struct rcr_error *err = NULL;
	struct rt_proc p = rt_proc_of_spec(s);
	int code;

	p.args = e->args;
	p.env = e->env;
	p.cwd = e->cwd ? e->cwd : s->cwd;
	p.user = e->user && *e->user ? e->user : p.user;
	p.tty = e->tty;
	p.init = false;
	if (e->privileged)
		p.caps = rt_caps_all();
	code = rt_exec_process(&p, io, prog, console, errfd, &err);
	rt_exec_report(errfd, code, err);
	_exit(code);
}

/* The middle process: join, fork the command, mirror its end. */
static _Noreturn void exec_child(const struct rt_spec *s, pid_t target, const struct rt_exec *e,
				 const struct rt_stdio *io, const struct rt_seccomp_prog *prog,
				 int console, int errfd)
{
	struct rcr_error *err = NULL;
	int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
		    CLONE_NEWCGROUP;
	int pidfd = (int)syscall(SYS_pidfd_open, target, 0), status;
	pid_t pid;

	if (strcmp(s->network, "host") != 0)
		flags |= CLONE_NEWNET;
	/* Nothing in the container may read this process's memory or rcr's fds (the store's
	 * database) before execve: not dumpable (execve restores it), and only what the command
	 * needs stays open. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (pidfd < 0 || setns(pidfd, flags) < 0) {
		rcr_error_set_errno(&err, errno, "joining the container's namespaces");
		rt_exec_report(errfd, 125, err);
		_exit(125);
	}
	close(pidfd);
	pid = fork();
	if (pid == 0)
		exec_grandchild(s, e, io, prog, console, errfd);
	if (pid < 0) {
		rcr_error_set_errno(&err, errno, "forking in the container's namespaces");
		rt_exec_report(errfd, 125, err);
		_exit(125);
	}
	close(errfd);
	if (console >= 0)
		close(console);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		_exit(125);
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

pid_t rt_container_exec(const struct rt_spec *s, pid_t target, const struct rt_exec *e,
			const struct rt_stdio *io, int *pty_master, int *exit_code,
			struct rcr_error **err)
{
	struct rt_seccomp_prog prog = {0};
	int errp[2] = {-1, -1}, con[2] = {-1, -1};
	pid_t pid = -1;

	*exit_code = 125;
	*pty_master = -1;
	if (compile_for_exec(s, e, &prog, err) < 0 || proc_pipe(errp, err) < 0 ||
	    (e->tty && proc_socketpair(SOCK_STREAM, con, err) < 0))
		goto out;
	pid = fork();
	if (pid == 0) {
		close(errp[0]);
		if (con[0] >= 0)
			close(con[0]);
		exec_child(s, target, e, io, prog.filter ? &prog : NULL, con[1], errp[1]);
	}
	close(errp[1]), errp[1] = -1;
	if (con[1] >= 0)
		close(con[1]), con[1] = -1;
	if (pid < 0) {
		rcr_error_set_errno(err, errno, "fork");
		goto out;
	}
	if (e->tty)
		*pty_master = rt_exec_recv_fd(con[0]);
	if (rt_exec_read_report(errp[0], exit_code, err) < 0) {
		waitpid(pid, NULL, 0);
		pid = -1;
	}
out:
	for (int i = 0; i < 2; i++) {
		if (errp[i] >= 0)
			close(errp[i]);
		if (con[i] >= 0)
			close(con[i]);
	}
	rt_seccomp_prog_release(&prog);
	if (pid < 0 && *pty_master >= 0)
		close(*pty_master), *pty_master = -1;
	return pid;
}
