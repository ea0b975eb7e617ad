/* The monitor's life (monitor.h): read the spec, detach from rcr, listen for attach clients,
 * start the container, report to rcr, pump output, record the exit, run the exit command, tell
 * the attached clients, exit.
 *
 * Must never leave a container without a record: the pid is in run.json before the container's
 * command may run, and exit.json is written before anyone is told the container ended.
 */
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor/protocol.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "runtime/container.h"

static void sync_send(struct mon *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sync_send(struct mon *m, const char *fmt, ...)
{
	char buf[MON_SYNC_MAX];
	va_list ap;
	int n;

	if (m->sync_fd < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = (int)sizeof(buf) - 1;
	if (send(m->sync_fd, buf, (size_t)n, MSG_NOSIGNAL) < 0)
		return;
}

/* fork + setsid: the monitor must outlive the rcr that started it and its terminal. The parent
 * exits at once; rcr reaps it and goes on talking to the child over the sync socket. */
static int detach(struct mon *m, struct rcr_error **err)
{
	pid_t pid = fork();
	int null;

	if (pid < 0) {
		rcr_error_set_errno(err, errno, "detaching the monitor");
		return -1;
	}
	if (pid > 0)
		_exit(0);
	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	prctl(PR_SET_NAME, "rcr-monitor", 0, 0, 0);
	if (strcmp(m->spec.log_driver, "passthrough") == 0)
		return 0;
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3 && null >= 0; i++)
		dup2(null, i);
	if (null > 2)
		close(null);
	return 0;
}

static int open_signals(struct mon *m, struct rcr_error **err)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* A monitor asked to stop by a signal would orphan its container's record: it ignores
	 * them, rcr stop/kill act on the container. SIGKILL still works and is handled by ps. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	m->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (m->sigfd < 0) {
		rcr_error_set_errno(err, errno, "signalfd");
		return -1;
	}
	return 0;
}

static int open_log(struct mon *m, struct rcr_error **err)
{
	if (strcmp(m->spec.log_driver, "k8s-file") != 0)
		return 0;
	return mon_log_open(m->spec.log_path, m->spec.log_max_size, &m->log, err);
}

/* Pipes for the container's stdio (passthrough: the monitor's own, inherited from rcr). */
static int make_stdio(struct mon *m, struct rt_stdio *io, int child_ends[3], struct rcr_error **err)
{
	int p[2];

	*io = (struct rt_stdio){-1, -1, -1};
	if (strcmp(m->spec.log_driver, "passthrough") == 0) {
		*io = (struct rt_stdio){0, 1, 2};
		return 0;
	}
	if (m->spec.tty)
		return 0;
	if (m->spec.stdin_open) {
		if (proc_pipe(p, err) < 0)
			return -1;
		io->in = child_ends[0] = p[0];
		m->in_fd = p[1];
		fcntl(m->in_fd, F_SETFL, O_NONBLOCK);
	}
	if (proc_pipe(p, err) < 0)
		return -1;
	m->out_fd = p[0], io->out = child_ends[1] = p[1];
	if (proc_pipe(p, err) < 0)
		return -1;
	m->err_fd = p[0], io->err = child_ends[2] = p[1];
	fcntl(m->out_fd, F_SETFL, O_NONBLOCK);
	fcntl(m->err_fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* rt_ready_fn: the pid is on disk before the container may run. */
static int record_pid(pid_t pid, void *arg, struct rcr_error **err)
{
	struct mon *m = arg;

	m->run.pid = pid;
	m->run.pid_start = mon_proc_start_time(pid);
	m->run.monitor_pid = getpid();
	m->run.monitor_start = mon_proc_start_time(getpid());
	m->run.started_ns = mon_now_ns();
	mon_boot_id(m->run.boot_id);
	if (mon_state_write_run(m->spec.userdata, &m->run, err) < 0)
		return -1;
	return mon_net_start(m, pid, err);
}

static int start_container(struct mon *m, int *code, struct rcr_error **err)
{
	int ends[3] = {-1, -1, -1};
	struct rt_stdio io;
	pid_t pid;

	if (mon_net_check(m, err) < 0 || make_stdio(m, &io, ends, err) < 0)
		return -1;
	pid = rt_container_start(&m->spec, &io, record_pid, m, &m->pty_master, code, err);
	for (int i = 0; i < 3; i++)
		if (ends[i] >= 0)
			close(ends[i]);
	if (pid < 0)
		return -1;
	if (m->spec.tty) {
		m->out_fd = m->pty_master;
		m->in_fd = m->pty_master;
		fcntl(m->pty_master, F_SETFL, O_NONBLOCK);
	}
	return 0;
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}

static void record_exit(struct mon *m, int code, const char *why)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct mon_exit_info e = {
		.exit_code = code, .started_ns = m->run.started_ns, .finished_ns = mon_now_ns()};

	snprintf(e.error, sizeof(e.error), "%s", why ? why : "");
	mon_state_write_exit(m->spec.userdata, &e, &err);
}

/* --rm and other clean-up is rcr's (it owns the store): run the exit command, and wait for it
 * so that an attached `rcr run --rm` returns only when the container is gone. */
static void run_exit_command(struct mon *m)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct proc_result r = {0};

	if (m->spec.exit_command == NULL || m->spec.exit_command[0] == NULL)
		return;
	if (proc_run(m->spec.exit_command, NULL, true, &r, &err) == 0)
		proc_result_release(&r);
}

static void finish(struct mon *m, int code)
{
	char text[16];
	bool by_client;

	/* a packet the loop had no turn for (the cleanup request of a client) */
	for (size_t i = 0; i < m->n_clients;)
		if (mon_attach_read(m, i))
			i++;
	by_client = m->spec.remove && m->cleanup_client >= 0;
	snprintf(text, sizeof(text), "%d", code);
	if (!by_client)
		run_exit_command(m);
	mon_attach_send(m, MON_ATTACH_EXIT, text, strlen(text));
	if (by_client && !mon_attach_await_done(m))
		run_exit_command(m);
	mon_attach_close_all(m);
}

/* Before the container starts: detach, listen, tell rcr, and wait for its go-ahead. */
static int prepare(struct mon *m, bool wait_go, struct rcr_error **err)
{
	char buf[16];

	if (detach(m, err) < 0 || open_signals(m, err) < 0 || open_log(m, err) < 0 ||
	    mon_attach_listen(m, err) < 0)
		return -1;
	mon_state_clear(m->spec.userdata);
	sync_send(m, "ready");
	if (wait_go && recv(m->sync_fd, buf, sizeof(buf), 0) <= 0) {
		rcr_error_set(err, EPIPE, "rcr went away before the container started");
		return -1;
	}
	mon_attach_accept(m);
	return 0;
}

static void mon_release(struct mon *m)
{
	int *fds[] = {&m->sync_fd, &m->out_fd, &m->err_fd, &m->in_fd, &m->epfd, &m->sigfd};

	if (m->pty_master >= 0) {
		for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
			if (*fds[i] == m->pty_master)
				*fds[i] = -1;
		close(m->pty_master);
	}
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (*fds[i] >= 0)
			close(*fds[i]);
	mon_attach_close_all(m);
	if (m->log != NULL)
		mon_log_close(m->log);
	free(m->inbuf);
	rt_spec_release(&m->spec);
}

int mon_main(const char *spec_path, int sync_fd, bool wait_go)
{
	struct mon m = {.sync_fd = sync_fd,
			.listen_fd = -1,
			.out_fd = -1,
			.err_fd = -1,
			.in_fd = -1,
			.pty_master = -1,
			.epfd = -1,
			.sigfd = -1,
			.net = {0, -1}};
	_cleanup_error_ struct rcr_error *err = NULL;
	int code = 125;

	/* rcr's dup2 left it inheritable: no helper the monitor runs may hold it */
	if (sync_fd >= 0)
		fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
	if (rt_spec_read(spec_path, &m.spec, &err) < 0) {
		sync_send(&m, "error 125 %s", err->msg);
		return 125;
	}
	if (prepare(&m, wait_go, &err) < 0 || start_container(&m, &code, &err) < 0) {
		mon_net_stop(&m);
		if (m.run.pid > 0)
			record_exit(&m, code, err->msg);
		sync_send(&m, "error %d %s", code, err->msg);
		close(m.sync_fd), m.sync_fd = -1;
		if (m.run.pid > 0)
			finish(&m, code);
		mon_release(&m);
		return 1;
	}
	sync_send(&m, "pid %d", (int)m.run.pid);
	close(m.sync_fd), m.sync_fd = -1;
	/* Compiling seccomp and parsing the spec grew the heap; the monitor now lives as long as
	 * the container with little memory in use: give the rest back. */
	malloc_trim(0);
	if (mon_loop(&m, &err) < 0)
		code = 125;
	else
		code = exit_code_of(m.status);
	/* the helper goes before the exit is known: whoever waits for it finds no helper left */
	mon_net_stop(&m);
	record_exit(&m, code, NULL);
	finish(&m, code);
	mon_release(&m);
	return 0;
}
