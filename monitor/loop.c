/* The monitor's event loop: epoll over the container's output, the attach socket and its
 * clients, and a signalfd for SIGCHLD. Runs until the container's PID 1 was reaped and its output
 * is drained (every writer is gone with the pid namespace, so the pipes reach their end).
 *
 * Must never exit before the exit status is known, and never busy-wait.
 */
#include "monitor/monitor.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monitor/protocol.h"
#include "pkg/cleanup.h"

/* How long output may still trickle in after the container exited. */
#define DRAIN_MS 2000

void mon_output(struct mon *m, int stream, const char *buf, size_t len)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	if (m->log != NULL)
		mon_log_write(m->log, stream, buf, len, &err);
	mon_attach_send(m, stream == 2 ? MON_ATTACH_STDERR : MON_ATTACH_STDOUT, buf, len);
}

static void reap(struct mon *m)
{
	struct signalfd_siginfo si;
	int status;
	pid_t pid;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
		;
	/* A subreaper inherits orphans of the container's setup helpers: reap them all. */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (pid == m->run.pid) {
			m->exited = true;
			m->status = status;
		} else if (pid == m->net.pid) {
			/* the helper died (killed, OOM): its pid may be reused, never signal it */
			m->net.pid = 0;
		}
}

static void close_stream(struct mon *m, int *fd)
{
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, *fd, NULL);
	if (*fd == m->pty_master) {
		/* the pty master also serves stdin: keep it until the end */
		*fd = -1;
		return;
	}
	close(*fd);
	*fd = -1;
}

static void pump(struct mon *m, int *fd, int stream)
{
	char buf[MON_PACKET_MAX - 1];
	ssize_t n = read(*fd, buf, sizeof(buf));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EOF, or EIO from a pty master once the last slave fd is closed */
	if (n <= 0) {
		close_stream(m, fd);
		return;
	}
	mon_output(m, stream, buf, (size_t)n);
}

static void dispatch(struct mon *m, int fd, uint32_t events)
{
	/* EPOLLERR: the container closed its stdin; the flush finds out and stops watching */
	if (fd == m->in_fd && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		mon_stdin_flush(m);
	if (fd == m->in_fd && fd != m->out_fd)
		return;
	if (fd == m->sigfd) {
		reap(m);
	} else if (fd == m->listen_fd) {
		mon_attach_accept(m);
	} else if (fd == m->out_fd) {
		pump(m, &m->out_fd, 1);
	} else if (m->err_fd >= 0 && fd == m->err_fd) {
		pump(m, &m->err_fd, 2);
	} else {
		for (size_t i = 0; i < m->n_clients; i++)
			if (m->clients[i] == fd) {
				mon_attach_read(m, i);
				break;
			}
	}
}

static int watch(struct mon *m, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return fd < 0 ? 0 : epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev);
}

static int loop_setup(struct mon *m, struct rcr_error **err)
{
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epfd < 0 || watch(m, m->sigfd) < 0 || watch(m, m->listen_fd) < 0 ||
	    watch(m, m->out_fd) < 0 || watch(m, m->err_fd) < 0) {
		rcr_error_set_errno(err, errno, "setting up the monitor's event loop");
		return -1;
	}
	for (size_t i = 0; i < m->n_clients; i++)
		if (watch(m, m->clients[i]) < 0) {
			rcr_error_set_errno(err, errno, "watching an attach client");
			return -1;
		}
	return 0;
}

int mon_loop(struct mon *m, struct rcr_error **err)
{
	struct epoll_event evs[8];
	int waited = 0;

	if (loop_setup(m, err) < 0)
		return -1;
	/* The child may have exited before the signalfd was watched. */
	reap(m);
	while (!m->exited || ((m->out_fd >= 0 || m->err_fd >= 0) && waited < DRAIN_MS)) {
		int n = epoll_wait(m->epfd, evs, 8, m->exited ? 100 : -1);

		if (n < 0 && errno != EINTR) {
			rcr_error_set_errno(err, errno, "waiting for the container");
			return -1;
		}
		if (n == 0)
			waited += 100;
		for (int i = 0; i < n; i++)
			dispatch(m, evs[i].data.fd, evs[i].events);
	}
	return 0;
}
