/* The client side of a container's attach socket (container.h): what `rcr run`, `rcr start -a`
 * and `rcr attach` do with the terminal. Signals rcr gets are passed to the container (Podman's
 * --sig-proxy); with a tty the terminal is raw and its size follows the user's window.
 *
 * Must always give the terminal back as it was, whatever happens.
 */
#include "container/container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "monitor/protocol.h"
#include "pkg/cleanup.h"

int ctr_attach_connect(const char *rundir, struct rcr_error **err)
{
	_cleanup_close_ int dirfd = open(rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (dirfd < 0) {
		rcr_error_set_errno(err, errno, "attaching: the container's runtime dir '%s'",
				    rundir);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach", dirfd);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		rcr_error_set_errno(err, errno, "attaching to the container's monitor in '%s'",
				    rundir);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static void send_packet(int fd, int type, const char *buf, size_t len)
{
	char pkt[MON_PACKET_MAX];

	while (len > 0 || type != MON_ATTACH_STDIN) {
		size_t chunk = len < sizeof(pkt) - 1 ? len : sizeof(pkt) - 1;

		pkt[0] = (char)type;
		memcpy(pkt + 1, buf, chunk);
		if (send(fd, pkt, chunk + 1, MSG_NOSIGNAL) < 0)
			return;
		buf += chunk;
		len -= chunk;
		if (type != MON_ATTACH_STDIN)
			return;
	}
}

static void send_size(int fd)
{
	struct winsize ws;
	char text[32];

	if (ioctl(0, TIOCGWINSZ, &ws) < 0)
		return;
	snprintf(text, sizeof(text), "%u %u", ws.ws_row, ws.ws_col);
	send_packet(fd, MON_ATTACH_RESIZE, text, strlen(text));
}

static void write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

/* One packet from the monitor; returns the exit code once it came, else -2. */
static int on_packet(int fd)
{
	char buf[MON_PACKET_MAX + 1];
	ssize_t n = recv(fd, buf, MON_PACKET_MAX, 0);

	if (n <= 0)
		return n < 0 && errno == EINTR ? -2 : -1;
	buf[n] = '\0';
	if (buf[0] == MON_ATTACH_STDOUT)
		write_all(1, buf + 1, (size_t)n - 1);
	else if (buf[0] == MON_ATTACH_STDERR)
		write_all(2, buf + 1, (size_t)n - 1);
	else if (buf[0] == MON_ATTACH_EXIT)
		return (int)strtol(buf + 1, NULL, 10);
	return -2;
}

/* One stdin packet waiting for room in the socket: the relay never blocks on a send, or it would
 * stop reading the output the monitor is blocked sending to it (input and output of a
 * container that writes before it reads). */
struct pending {
	char pkt[MON_PACKET_MAX];
	size_t len;
};

static void try_send(int fd, struct pending *p)
{
	ssize_t n = send(fd, p->pkt, p->len, MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n >= 0 || (errno != EAGAIN && errno != EINTR))
		p->len = 0; /* sent, or the monitor is gone: nothing to wait for */
}

static bool on_stdin(int fd, struct pending *p)
{
	ssize_t n = read(0, p->pkt + 1, sizeof(p->pkt) - 1);

	if (n < 0 && errno == EINTR)
		return true;
	p->pkt[0] = (char)(n <= 0 ? MON_ATTACH_EOF : MON_ATTACH_STDIN);
	p->len = n <= 0 ? 1 : (size_t)n + 1;
	try_send(fd, p);
	return n > 0;
}

static void on_signal(int sigfd, int fd, pid_t proxy)
{
	struct signalfd_siginfo si;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGWINCH)
			send_size(fd);
		else if (proxy > 0)
			kill(proxy, (int)si.ssi_signo);
	}
}

static int open_signals(sigset_t *old)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH};
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, old);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int ctr_attach_relay(int fd, bool with_stdin, bool tty, pid_t sig_proxy_pid)
{
	struct termios saved;
	bool raw = false, in_open = with_stdin;
	sigset_t old;
	int sigfd = open_signals(&old), code = -2;
	static struct pending pend;

	pend.len = 0;
	if (tty && isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios t = saved;

		cfmakeraw(&t);
		raw = tcsetattr(0, TCSANOW, &t) == 0;
	}
	if (tty)
		send_size(fd);
	while (code == -2) {
		/* stdin is read only when the last packet went out */
		struct pollfd p[3] = {{fd, (short)(POLLIN | (pend.len ? POLLOUT : 0)), 0},
				      {sigfd, POLLIN, 0},
				      {in_open && pend.len == 0 ? 0 : -1, POLLIN, 0}};

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			on_signal(sigfd, fd, tty ? 0 : sig_proxy_pid);
		if (pend.len > 0 && (p[0].revents & POLLOUT))
			try_send(fd, &pend);
		if (p[2].revents & (POLLIN | POLLHUP | POLLERR))
			in_open = on_stdin(fd, &pend);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
			code = on_packet(fd);
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	if (sigfd >= 0)
		close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return code;
}

static void pty_size(int master)
{
	struct winsize ws;

	if (ioctl(0, TIOCGWINSZ, &ws) == 0)
		ioctl(master, TIOCSWINSZ, &ws);
}

/* One read from one fd to another; false at the end. */
static bool copy_once(int from, int to)
{
	char buf[16384];
	ssize_t n = read(from, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0)
		return false;
	write_all(to, buf, (size_t)n);
	return true;
}

void ctr_pty_relay(int master, bool with_stdin)
{
	struct termios saved;
	bool raw = false, in_open = with_stdin;
	sigset_t old;
	int sigfd = open_signals(&old);

	if (isatty(0) && tcgetattr(0, &saved) == 0) {
		struct termios t = saved;

		cfmakeraw(&t);
		raw = tcsetattr(0, TCSANOW, &t) == 0;
	}
	pty_size(master);
	for (;;) {
		struct pollfd p[3] = {
			{master, POLLIN, 0}, {sigfd, POLLIN, 0}, {in_open ? 0 : -1, POLLIN, 0}};
		struct signalfd_siginfo si;

		if (poll(p, 3, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN)
			while (read(sigfd, &si, sizeof(si)) == sizeof(si))
				if (si.ssi_signo == SIGWINCH)
					pty_size(master);
		if ((p[2].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_once(0, master)) {
			in_open = false;
			write_all(master, "\004", 1);
		}
		if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) && !copy_once(master, 1))
			break;
	}
	if (raw)
		tcsetattr(0, TCSANOW, &saved);
	if (sigfd >= 0)
		close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
}
