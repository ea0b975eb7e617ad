/* The container's stdin, fed by attach clients: queued in the monitor and written without ever
 * blocking. A blocking write would deadlock as soon as the container writes a full pipe of output
 * before reading its input (the monitor stuck writing stdin, the container stuck writing stdout).
 * The queue is bounded: above MON_STDIN_MAX the clients are not read, so their own sockets push
 * back on them.
 */
#include "monitor/monitor.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define MON_STDIN_MAX (1 << 20)

/* EPOLLOUT on in_fd while there is something to write. The pty master may be watched for its
 * output already (as out_fd): then the registration is modified, not added. */
static void watch_out(struct mon *m, bool on)
{
	bool shared = m->in_fd == m->out_fd;
	struct epoll_event ev = {.events = (shared ? EPOLLIN : 0) | (on ? EPOLLOUT : 0),
				 .data.fd = m->in_fd};

	if (m->epfd < 0 || m->in_fd < 0 || on == m->in_watched)
		return;
	if (shared)
		epoll_ctl(m->epfd, EPOLL_CTL_MOD, m->in_fd, &ev);
	else
		epoll_ctl(m->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, m->in_fd, &ev);
	m->in_watched = on;
}

static void pause_clients(struct mon *m, bool pause)
{
	if (m->epfd < 0 || pause == m->clients_paused)
		return;
	for (size_t i = 0; i < m->n_clients; i++) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = m->clients[i]};

		epoll_ctl(m->epfd, pause ? EPOLL_CTL_DEL : EPOLL_CTL_ADD, m->clients[i], &ev);
	}
	m->clients_paused = pause;
}

static void finish_eof(struct mon *m)
{
	/* A pty has no end of input of its own: its EOF character. */
	if (m->in_fd == m->pty_master) {
		if (m->in_fd >= 0 && write(m->in_fd, "\004", 1) < 0)
			return;
		return;
	}
	watch_out(m, false);
	close(m->in_fd);
	m->in_fd = -1;
}

void mon_stdin_flush(struct mon *m)
{
	size_t done = 0;

	while (m->in_fd >= 0 && done < m->inlen) {
		ssize_t n = write(m->in_fd, m->inbuf + done, m->inlen - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			/* the container closed its stdin (or exited): what is queued is lost */
			done = m->inlen;
			break;
		}
		done += (size_t)n;
	}
	if (m->in_fd < 0)
		done = m->inlen;
	if (done > 0 && done < m->inlen)
		memmove(m->inbuf, m->inbuf + done, m->inlen - done);
	m->inlen -= done;
	watch_out(m, m->inlen > 0);
	pause_clients(m, m->inlen > MON_STDIN_MAX);
	if (m->inlen == 0 && m->in_eof) {
		m->in_eof = false;
		finish_eof(m);
	}
}

void mon_stdin_queue(struct mon *m, const char *buf, size_t len)
{
	char *nb;

	if (m->in_fd < 0 || len == 0)
		return;
	nb = realloc(m->inbuf, m->inlen + len);
	if (nb == NULL)
		return;
	m->inbuf = nb;
	memcpy(m->inbuf + m->inlen, buf, len);
	m->inlen += len;
	mon_stdin_flush(m);
}

void mon_stdin_eof(struct mon *m)
{
	m->in_eof = true;
	mon_stdin_flush(m);
}
