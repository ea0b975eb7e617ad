/* Process helpers (see proc.h): run a program to completion with its output captured, CLOEXEC
 * pipes and socketpairs, waiting, pidfds and PATH lookup.
 *
 * Must never change the caller's signal dispositions, mask or other global state; never allocate,
 * print or call anything but async-signal-safe functions in a forked child before exec (the caller
 * may have threads, whose locks the child inherits held); never leak an fd into a child, so every
 * fd made here is O_CLOEXEC.
 */
#include "pkg/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

/* Each captured stream keeps at most this much; the rest is read and dropped so the child never
 * blocks on a full pipe. */
#define PROC_CAPTURE_MAX ((size_t)1 << 20)

#define PROC_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int proc_pipe(int fds[2], struct rcr_error **err)
{
	if (pipe2(fds, O_CLOEXEC) < 0) {
		rcr_error_set_errno(err, errno, "creating a pipe");
		return -1;
	}
	return 0;
}

int proc_socketpair(int type, int fds[2], struct rcr_error **err)
{
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, fds) < 0) {
		rcr_error_set_errno(err, errno, "creating a socket pair");
		return -1;
	}
	return 0;
}

void proc_result_release(struct proc_result *r)
{
	if (r == NULL)
		return;
	free(r->out);
	free(r->errout);
	r->out = NULL;
	r->errout = NULL;
}

/* The fds proc_run sets up around one child; -1 when unused. */
struct child_fds {
	int null_in; /* /dev/null for the child's stdin */
	int exec_r;  /* the child writes its exec errno here; EOF means exec succeeded */
	int exec_w;
	int out_r;
	int out_w;
	int err_r;
	int err_w;
};

static void child_fds_release(struct child_fds *f)
{
	int *all[] = {&f->null_in, &f->exec_r, &f->exec_w, &f->out_r,
		      &f->out_w,   &f->err_r,  &f->err_w};

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		cleanup_closep(all[i]);
}

/* Move *fd above 0-2, so that the child's dup2 onto 0, 1 and 2 can never overwrite a source it
 * still needs (a caller started with its stdio closed hands out 0-2 as new fds). */
static int fd_above_stdio(int *fd)
{
	int moved;

	if (*fd < 0 || *fd > 2)
		return 0;
	moved = fcntl(*fd, F_DUPFD_CLOEXEC, 3);
	if (moved < 0)
		return -1;
	close(*fd);
	*fd = moved;
	return 0;
}

static int child_fds_open(struct child_fds *f, bool capture, struct rcr_error **err)
{
	int p[2];

	f->null_in = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (f->null_in < 0) {
		rcr_error_set_errno(err, errno, "opening '/dev/null'");
		return -1;
	}
	if (proc_pipe(p, err) < 0)
		return -1;
	f->exec_r = p[0];
	f->exec_w = p[1];
	if (capture) {
		if (proc_pipe(p, err) < 0)
			return -1;
		f->out_r = p[0];
		f->out_w = p[1];
		if (proc_pipe(p, err) < 0)
			return -1;
		f->err_r = p[0];
		f->err_w = p[1];
	}
	if (fd_above_stdio(&f->null_in) < 0 || fd_above_stdio(&f->out_w) < 0 ||
	    fd_above_stdio(&f->err_w) < 0 || fd_above_stdio(&f->exec_w) < 0) {
		rcr_error_set_errno(err, errno, "duplicating a file descriptor");
		return -1;
	}
	return 0;
}

/* In the forked child: only async-signal-safe calls from here to exec. */
__attribute__((noreturn)) static void child_exec(char *const argv[], char *const envp[],
						 const struct child_fds *f)
{
	sigset_t none;
	int e;

	/* The program must not inherit the caller's blocked signals, nor an ignored SIGPIPE (CLIs
	 * ignore it for themselves; a child that ignores it spins on EPIPE instead of dying). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* nor any ignored signal (the monitor ignores SIGTERM, SIGINT and SIGHUP for itself) */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	/* dup2 leaves the new 0/1/2 without CLOEXEC; the sources stay CLOEXEC and vanish on exec.
	 */
	if (dup2(f->null_in, 0) < 0)
		goto fail;
	if (f->out_w >= 0 && (dup2(f->out_w, 1) < 0 || dup2(f->err_w, 2) < 0))
		goto fail;
	/* execvpe searches the caller's PATH, and execs a path with '/' directly, like execve. */
	execvpe(argv[0], argv, envp != NULL ? envp : environ);
fail:
	e = errno;
	if (write(f->exec_w, &e, sizeof(e)) < 0)
		_exit(127);
	_exit(127);
}

/* Turn the errno of a failed exec into the error a failed container start also gives. */
static void exec_error(const char *name, int e, struct rcr_error **err)
{
	if (e == ENOENT && strchr(name, '/') == NULL)
		rcr_error_set(err, e, "'%s': executable file not found in $PATH", name);
	else if (e == ENOENT)
		rcr_error_set(err, e, "'%s': no such file or directory", name);
	else if (e == EACCES)
		rcr_error_set(err, e, "'%s': permission denied", name);
	else
		rcr_error_set_errno(err, e, "starting '%s'", name);
}

/* One captured stream: its read end (borrowed from child_fds) and what has been kept. */
struct sink {
	int *fd;
	char *buf;
	size_t len;
	size_t cap;
	bool oom;
};

static void sink_take(struct sink *s, const char *data, size_t n)
{
	if (s->oom || s->len >= PROC_CAPTURE_MAX)
		return;
	if (n > PROC_CAPTURE_MAX - s->len)
		n = PROC_CAPTURE_MAX - s->len;
	if (s->len + n + 1 > s->cap) {
		size_t want = s->cap ? s->cap : 4096;
		char *nb;

		while (want < s->len + n + 1)
			want *= 2;
		nb = realloc(s->buf, want);
		if (nb == NULL) {
			s->oom = true;
			return;
		}
		s->buf = nb;
		s->cap = want;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

/* Read both streams until both are closed. poll keeps either full pipe from stalling the child
 * while we wait on the other. A grandchild holding the pipes open keeps us here, as it would keep
 * any shell's $(...) waiting. */
static void capture_streams(struct sink s[2])
{
	char chunk[16384];

	while (*s[0].fd >= 0 || *s[1].fd >= 0) {
		struct pollfd p[2] = {{.fd = *s[0].fd, .events = POLLIN},
				      {.fd = *s[1].fd, .events = POLLIN}};

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			/* Cannot happen with valid fds; closing lets the child finish on EPIPE. */
			cleanup_closep(s[0].fd);
			cleanup_closep(s[1].fd);
			*s[0].fd = *s[1].fd = -1;
			return;
		}
		for (int i = 0; i < 2; i++) {
			ssize_t n;

			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			n = read(p[i].fd, chunk, sizeof(chunk));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0) {
				close(*s[i].fd);
				*s[i].fd = -1;
				continue;
			}
			sink_take(&s[i], chunk, (size_t)n);
		}
	}
}

/* Collect output and the exit status of a child that did exec. */
static int finish_child(pid_t pid, struct child_fds *f, bool capture, struct proc_result *r,
			struct rcr_error **err)
{
	struct sink s[2] = {{.fd = &f->out_r}, {.fd = &f->err_r}};
	int status;

	if (capture)
		capture_streams(s);
	status = proc_wait(pid, err);
	if (status < 0 || s[0].oom || s[1].oom) {
		if (status >= 0)
			rcr_error_set_errno(err, ENOMEM, "capturing its output");
		free(s[0].buf);
		free(s[1].buf);
		return -1;
	}
	r->status = status;
	if (WIFEXITED(status))
		r->exit_code = WEXITSTATUS(status);
	else if (WIFSIGNALED(status))
		r->exit_code = 128 + WTERMSIG(status);
	else
		r->exit_code = -1;
	if (capture) {
		/* A silent stream is "" rather than NULL: the caller asked for it. */
		r->out = s[0].buf ? s[0].buf : strdup("");
		r->errout = s[1].buf ? s[1].buf : strdup("");
	}
	return 0;
}

int proc_run(char *const argv[], char *const envp[], bool capture, struct proc_result *r,
	     struct rcr_error **err)
{
	__attribute__((cleanup(child_fds_release))) struct child_fds f = {-1, -1, -1, -1,
									  -1, -1, -1};
	ssize_t n;
	int e = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0') {
		rcr_error_set(err, EINVAL, "starting a program: no program name given");
		return -1;
	}
	if (child_fds_open(&f, capture, err) < 0) {
		rcr_error_wrap(err, "starting '%s'", argv[0]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		rcr_error_set_errno(err, errno, "starting '%s': fork", argv[0]);
		return -1;
	}
	if (pid == 0)
		child_exec(argv, envp, &f);
	/* Our copies of the child's ends must go, or EOF never comes. */
	cleanup_closep(&f.exec_w);
	cleanup_closep(&f.out_w);
	cleanup_closep(&f.err_w);
	f.exec_w = f.out_w = f.err_w = -1;
	do
		n = read(f.exec_r, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof(e)) {
		/* The child has _exit-ed or is about to: reap it so no zombie is left. */
		proc_wait(pid, NULL);
		exec_error(argv[0], e, err);
		return -1;
	}
	if (finish_child(pid, &f, capture, r, err) < 0) {
		rcr_error_wrap(err, "running '%s'", argv[0]);
		return -1;
	}
	return 0;
}

int proc_wait(pid_t pid, struct rcr_error **err)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno == EINTR)
			continue;
		rcr_error_set_errno(err, errno, "waiting for process %d", (int)pid);
		return -1;
	}
	return status;
}

int proc_pidfd_open(pid_t pid, struct rcr_error **err)
{
	/* pidfd_open(2) always returns a CLOEXEC fd; there is no flag for it. */
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd < 0) {
		rcr_error_set_errno(err, errno, "opening a pidfd for process %d", (int)pid);
		return -1;
	}
	return fd;
}

bool proc_pidfd_is_alive(int pidfd)
{
	struct pollfd p = {.fd = pidfd, .events = POLLIN};
	int n;

	/* poll skips a negative fd and would call it alive. */
	if (pidfd < 0)
		return false;
	/* A pidfd turns readable when its process exits (zombie or reaped), never before. */
	do
		n = poll(&p, 1, 0);
	while (n < 0 && errno == EINTR);
	return n == 0;
}

static bool is_executable_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *proc_find_in_path(const char *name)
{
	const char *path = getenv("PATH");
	const char *p;

	if (name == NULL || *name == '\0')
		return NULL;
	if (strchr(name, '/') != NULL)
		return is_executable_file(name) ? strdup(name) : NULL;
	if (path == NULL)
		path = PROC_DEFAULT_PATH;
	for (p = path;;) {
		size_t n = strcspn(p, ":");

		/* Relative entries (and the empty one, meaning ".") are skipped: a program found
		 * through them depends on the cwd, which Go's LookPath also refuses. */
		if (n > 0 && p[0] == '/') {
			char *cand = NULL;

			if (asprintf(&cand, "%.*s/%s", (int)n, p, name) < 0)
				return NULL;
			if (is_executable_file(cand))
				return cand;
			free(cand);
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return NULL;
}
