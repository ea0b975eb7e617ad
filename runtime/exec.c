/* The last steps of a container process (exec.h), run inside the container after its root is in
 * place: stdio, user, directory, environment, capabilities, seccomp, init, execve.
 *
 * Runs in a child that has nothing else to do: allocations are never freed on the success path
 * (execve drops them), and every failure becomes (exit code, message) for the parent. Must never
 * return to the caller's main loop.
 */
#include "runtime/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "runtime/caps.h"
#include "runtime/user.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct rt_proc rt_proc_of_spec(const struct rt_spec *s)
{
	return (struct rt_proc){
		.args = s->args,
		.env = s->env,
		.cwd = s->cwd,
		.user = s->user ? s->user : "",
		.group_add = s->group_add,
		.tty = s->tty,
		.init = s->init,
		.no_new_privs = s->no_new_privs,
		.caps = s->caps,
		.caps_added = s->caps_added,
	};
}

/* ---- reports ------------------------------------------------------------------------------- */

struct report {
	int code;
	char msg[2048];
};

void rt_exec_report(int fd, int code, const struct rcr_error *err)
{
	struct report r = {.code = code};

	snprintf(r.msg, sizeof(r.msg), "%s", err && err->msg ? err->msg : "unknown failure");
	if (write(fd, &r, sizeof(r)) < 0)
		return;
}

int rt_exec_read_report(int fd, int *exit_code, struct rcr_error **err)
{
	struct report r;
	size_t got = 0;

	while (got < sizeof(r)) {
		ssize_t n = read(fd, (char *)&r + got, sizeof(r) - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got == 0)
		return 0;
	r.msg[sizeof(r.msg) - 1] = '\0';
	*exit_code = got == sizeof(r) ? r.code : 125;
	rcr_error_set(err, 0, "%s", got == sizeof(r) ? r.msg : "the container process failed");
	return -1;
}

int rt_exec_send_fd(int sock, int fd)
{
	char byte = 'p';
	struct iovec iov = {&byte, 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	return sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int rt_exec_recv_fd(int sock)
{
	char byte;
	struct iovec iov = {&byte, 1};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = u.buf,
			     .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *c;
	int fd = -1;

	if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c != NULL && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* ---- stdio ----------------------------------------------------------------------------------- */

static int dup_or_null(int fd, int target, struct rcr_error **err)
{
	if (fd < 0)
		fd = open("/dev/null", target == 0 ? O_RDONLY : O_WRONLY);
	if (fd < 0 || (fd != target && dup2(fd, target) < 0)) {
		rcr_error_set_errno(err, errno, "setting up the container's stdio");
		return -1;
	}
	return 0;
}

/* A pty in the container's own /dev/pts: the master goes to the monitor, the slave becomes the
 * controlling terminal and stdio. */
static int setup_tty(int console_fd, struct rcr_error **err)
{
	char name[64];
	_cleanup_close_ int master = -1;
	int slave;

	master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || unlockpt(master) < 0 || ptsname_r(master, name, sizeof(name)) != 0) {
		rcr_error_set_errno(err, errno, "making the container's terminal");
		return -1;
	}
	slave = open(name, O_RDWR | O_NOCTTY);
	if (slave < 0 || rt_exec_send_fd(console_fd, master) < 0) {
		rcr_error_set_errno(err, errno, "opening the container's terminal '%s'", name);
		return -1;
	}
	close(console_fd);
	if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
		rcr_error_set_errno(err, errno, "making '%s' the controlling terminal", name);
		return -1;
	}
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return -1;
	if (slave > 2)
		close(slave);
	return 0;
}

static int setup_stdio(const struct rt_proc *p, const struct rt_stdio *io, int console_fd,
		       struct rcr_error **err)
{
	if (p->tty)
		return setup_tty(console_fd, err);
	setsid();
	if (dup_or_null(io->in, 0, err) < 0 || dup_or_null(io->out, 1, err) < 0 ||
	    dup_or_null(io->err, 2, err) < 0)
		return -1;
	return 0;
}

/* ---- user, directory, environment --------------------------------------------------------------
 */

static int resolve_user(const struct rt_proc *p, struct rt_user *u, struct rcr_error **err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	_cleanup_error_ struct rcr_error *ignored = NULL;
	size_t plen = 0, glen = 0, n_extra = 0;

	passwd = fs_read_file("/etc/passwd", 8 << 20, &plen, &ignored);
	rcr_error_clear(&ignored);
	group = fs_read_file("/etc/group", 8 << 20, &glen, &ignored);
	while (p->group_add != NULL && p->group_add[n_extra] != NULL)
		n_extra++;
	if (rt_user_resolve(p->user, passwd, plen, group, glen, (const char *const *)p->group_add,
			    n_extra, u, err) < 0) {
		rcr_error_wrap(err, "resolving the user '%s'", p->user);
		return -1;
	}
	return 0;
}

static int enter_cwd(const char *cwd, struct rcr_error **err)
{
	if (chdir(cwd) == 0)
		return 0;
	/* Podman creates a missing working directory, as root, before the user switch. */
	if (errno == ENOENT && fs_mkdir_p(cwd, 0755, err) == 0 && chdir(cwd) == 0)
		return 0;
	rcr_error_clear(err);
	rcr_error_set_errno(err, errno, "changing to the working directory '%s'", cwd);
	return -1;
}

static char **make_env(const struct rt_proc *p, const struct rt_user *u)
{
	size_t n = 0;
	bool has_home = false;
	char **env;

	while (p->env != NULL && p->env[n] != NULL) {
		if (strncmp(p->env[n], "HOME=", 5) == 0)
			has_home = true;
		n++;
	}
	env = calloc(n + 2, sizeof(char *));
	if (env == NULL)
		return NULL;
	if (n > 0)
		memcpy(env, p->env, n * sizeof(char *));
	if (!has_home && asprintf(&env[n], "HOME=%s", u->home) < 0)
		env[n] = NULL;
	return env;
}

/* ---- the command --------------------------------------------------------------------------- */

static const char *env_path(char *const *env)
{
	for (size_t i = 0; env[i] != NULL; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			return env[i] + 5;
	return DEFAULT_PATH;
}

/* The program to run: args[0] as it is with a '/', else the first executable match in PATH.
 * Returns an owned path, or NULL with *code 127 (not found) / 126 (found, not executable). */
static char *find_program(const char *name, char *const *env, int *code, struct rcr_error **err)
{
	_cleanup_free_ char *path = strdup(env_path(env));
	char *save = NULL, *candidate = NULL;
	bool denied = false;

	if (strchr(name, '/') != NULL)
		return strdup(name);
	for (char *dir = strtok_r(path, ":", &save); dir != NULL;
	     dir = strtok_r(NULL, ":", &save)) {
		struct stat st;

		if (asprintf(&candidate, "%s/%s", *dir ? dir : ".", name) < 0)
			return NULL;
		if (stat(candidate, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(candidate, X_OK) == 0)
				return candidate;
			denied = true;
		}
		free(candidate);
	}
	*code = denied ? 126 : 127;
	if (denied)
		rcr_error_set(err, EACCES,
			      "executable file '%s' in $PATH is not executable: Permission denied: "
			      "the container command cannot be run",
			      name);
	else
		rcr_error_set(err, ENOENT,
			      "executable file '%s' not found in $PATH: No such file or directory: "
			      "the container command was not found",
			      name);
	return NULL;
}

static int exec_failure(const char *prog, int e, struct rcr_error **err)
{
	rcr_error_set_errno(err, e, "running '%s'", prog);
	if (e == ENOENT) {
		rcr_error_wrap(err, "the container command was not found");
		return 127;
	}
	return 126;
}

/* Apply security in the order the kernel allows: without no_new_privs the filter must be loaded
 * while CAP_SYS_ADMIN is still held (before the switch); with it, as late as possible. */
static int apply_security(const struct rt_proc *p, const struct rt_user *u,
			  const struct rt_seccomp_prog *seccomp, struct rcr_error **err)
{
	if (seccomp != NULL && !p->no_new_privs && rt_seccomp_load(seccomp, err) < 0)
		return -1;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		rcr_error_set_errno(err, errno, "setting no_new_privs");
		return -1;
	}
	if (rt_caps_switch_user(p->caps, p->caps_added, u->uid, u->gid, u->groups, u->n_groups,
				err) < 0)
		return -1;
	if (seccomp != NULL && p->no_new_privs && rt_seccomp_load(seccomp, err) < 0)
		return -1;
	return 0;
}

/* --init: PID 1 stays rcr's code, reaping every child and passing signals to the command; it
 * exits with the command's status. Signals need a handler: the kernel drops default-action
 * signals sent to a namespace's init. */
static void noop_handler(int sig)
{
	(void)sig;
}

static _Noreturn void init_loop(pid_t child, const sigset_t *all)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(all, &si), status;
		pid_t pid;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			kill(child, sig);
			continue;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			if (pid == child)
				_exit(WIFEXITED(status) ? WEXITSTATUS(status)
							: 128 + WTERMSIG(status));
	}
}

static int start_init(sigset_t *old)
{
	sigset_t all;
	struct sigaction sa = {.sa_handler = noop_handler};
	pid_t child;

	sigfillset(&all);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigprocmask(SIG_BLOCK, &all, old);
	child = fork();
	if (child != 0) {
		if (child < 0)
			return -1;
		/* It never execs: CLOEXEC does nothing for it. Only stdio stays (the command has
		 * its own copies), and nothing in the container may read its memory or fds. */
		close_range(3, ~0U, 0);
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		prctl(PR_SET_NAME, "rcr-init", 0, 0, 0);
		init_loop(child, &all);
	}
	sa.sa_handler = SIG_DFL;
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigprocmask(SIG_SETMASK, old, NULL);
	return 0;
}

/* The command starts with every signal at its default and none blocked: ignored signals would
 * survive execve (a shell cannot even trap a signal ignored on entry), and the monitor ignores
 * SIGTERM, SIGINT, SIGHUP and SIGPIPE and blocks SIGCHLD. */
static void reset_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int rt_exec_process(const struct rt_proc *p, const struct rt_stdio *io,
		    const struct rt_seccomp_prog *seccomp, int console_fd, int err_fd,
		    struct rcr_error **err)
{
	struct rt_user u;
	sigset_t old;
	char **env;
	char *prog;
	int code = 125;

	/* err_fd is CLOEXEC: execve closes it, which is how the parent learns the command runs;
	 * --init's PID 1 closes its copy with every other inherited fd. */
	(void)err_fd;
	reset_signals();
	if (setup_stdio(p, io, console_fd, err) < 0 || resolve_user(p, &u, err) < 0 ||
	    enter_cwd(p->cwd, err) < 0)
		return 125;
	env = make_env(p, &u);
	prog = env ? find_program(p->args[0], env, &code, err) : NULL;
	if (prog == NULL)
		return code;
	if (apply_security(p, &u, seccomp, err) < 0)
		return 125;
	if (p->init && start_init(&old) < 0) {
		rcr_error_set_errno(err, errno, "starting the init process");
		return 125;
	}
	/* Every fd but stdio and the report pipe is gone at execve. */
	close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(prog, p->args, env);
	return exec_failure(prog, errno, err);
}
