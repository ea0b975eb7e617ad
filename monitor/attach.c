/* The monitor's attach socket: RUNDIR/attach, SOCK_SEQPACKET, one packet per message (see
 * protocol.h). Clients get every output packet from the moment they connect, may write to the
 * container's stdin and resize its terminal, and get the exit code as the last packet.
 *
 * Must never block the monitor on a client that stopped reading for long: sends time out and
 * such a client is dropped.
 */
#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "monitor/protocol.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"

int mon_attach_listen(struct mon *m, struct rcr_error **err)
{
	_cleanup_close_ int dirfd = -1;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (fs_mkdir_p(m->spec.rundir, 0700, err) < 0)
		return -1;
	dirfd = open(m->spec.rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		rcr_error_set_errno(err, errno, "opening '%s'", m->spec.rundir);
		return -1;
	}
	/* Through /proc/self/fd: the runtime dir's path may be longer than sun_path allows. */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach", dirfd);
	unlinkat(dirfd, "attach", 0);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		rcr_error_set_errno(err, errno, "making the attach socket in '%s'", m->spec.rundir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m->listen_fd = fd;
	return 0;
}

void mon_attach_accept(struct mon *m)
{
	int fd;

	while ((fd = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

		if (m->n_clients >= MON_CLIENTS_MAX) {
			close(fd);
			continue;
		}
		m->clients[m->n_clients++] = fd;
		if (m->epfd >= 0 && !m->clients_paused)
			epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev);
	}
}

static void drop_client(struct mon *m, size_t i)
{
	if (m->clients[i] == m->cleanup_client)
		m->cleanup_client = -1;
	if (m->epfd >= 0)
		epoll_ctl(m->epfd, EPOLL_CTL_DEL, m->clients[i], NULL);
	close(m->clients[i]);
	m->clients[i] = m->clients[--m->n_clients];
}

static void resize(struct mon *m, const char *buf, size_t len)
{
	char text[64], *end;
	struct winsize ws = {0};
	unsigned long rows, cols;

	if (m->pty_master < 0 || len >= sizeof(text))
		return;
	memcpy(text, buf, len);
	text[len] = '\0';
	rows = strtoul(text, &end, 10);
	if (end == text || *end != ' ')
		return;
	cols = strtoul(end + 1, NULL, 10);
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	ioctl(m->pty_master, TIOCSWINSZ, &ws);
}

bool mon_attach_read(struct mon *m, size_t i)
{
	char buf[MON_PACKET_MAX];
	ssize_t n = recv(m->clients[i], buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (n <= 0) {
		drop_client(m, i);
		return false;
	}
	switch (buf[0]) {
	case MON_ATTACH_STDIN:
		mon_stdin_queue(m, buf + 1, (size_t)n - 1);
		break;
	case MON_ATTACH_EOF:
		mon_stdin_eof(m);
		break;
	case MON_ATTACH_RESIZE:
		resize(m, buf + 1, (size_t)n - 1);
		break;
	case MON_ATTACH_CLEANUP:
		m->cleanup_client = m->clients[i];
		break;
	default:
		break;
	}
	return true;
}

void mon_attach_send(struct mon *m, int type, const char *buf, size_t len)
{
	char pkt[MON_PACKET_MAX];

	while (len > 0 || type == MON_ATTACH_EXIT) {
		size_t chunk = len < sizeof(pkt) - 1 ? len : sizeof(pkt) - 1;

		pkt[0] = (char)type;
		memcpy(pkt + 1, buf, chunk);
		for (size_t i = 0; i < m->n_clients;) {
			if (send(m->clients[i], pkt, chunk + 1, MSG_NOSIGNAL) < 0)
				drop_client(m, i);
			else
				i++;
		}
		buf += chunk;
		len -= chunk;
		if (type == MON_ATTACH_EXIT)
			break;
	}
}

void mon_attach_close_all(struct mon *m)
{
	while (m->n_clients > 0)
		drop_client(m, m->n_clients - 1);
	if (m->listen_fd >= 0) {
		close(m->listen_fd);
		m->listen_fd = -1;
	}
}

bool mon_attach_await_done(struct mon *m)
{
	struct pollfd p = {.fd = m->cleanup_client, .events = POLLIN};
	char buf[MON_PACKET_MAX];

	/* Removal takes the client well under a second; a client stuck for a minute is gone. */
	while (m->cleanup_client >= 0 && poll(&p, 1, 60000) == 1) {
		ssize_t n = recv(m->cleanup_client, buf, sizeof(buf), 0);

		if (n <= 0)
			return false;
		if (buf[0] == MON_ATTACH_DONE)
			return true;
	}
	return false;
}
