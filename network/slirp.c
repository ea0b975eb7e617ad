/* slirp4netns for a container: the monitor forks it with a ready pipe (it writes "1" once the
 * tap interface in the container's namespace is configured), an exit pipe (it exits when the
 * monitor's end closes, so even a killed monitor takes it along) and an API socket, through
 * which each published port is added with add_hostfwd.
 *
 * Must never block the monitor without a limit: the readiness wait has a timeout, and the API
 * socket is reached through the runtime dir's fd (its path may be longer than sun_path allows).
 */
#include "network/helper.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "network/ports.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"

#define READY_TIMEOUT_MS 30000
#define SLIRP_ARGS_MAX	 24

/* Podman's slirp4netns options (--network slirp4netns:OPT,...). */
struct slirp_opts {
	bool host_loopback, ipv6;
	const char *mtu, *cidr, *outbound, *outbound6;
};

/* "10.0.2.0/24": an IPv4 network with a prefix length slirp4netns accepts (it needs room for
 * .2, .3 and .100). */
static bool valid_cidr(const char *v)
{
	char addr[16], *end;
	struct in_addr a;
	const char *slash = strchr(v, '/');
	long bits;

	if (slash == NULL || (size_t)(slash - v) >= sizeof(addr))
		return false;
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash - v), v);
	bits = strtol(slash + 1, &end, 10);
	return inet_pton(AF_INET, addr, &a) == 1 && *end == '\0' && end != slash + 1 && bits >= 1 &&
	       bits <= 25;
}

static bool valid_mtu(const char *v)
{
	char *end;
	long n = strtol(v, &end, 10);

	return end != v && *end == '\0' && n >= 68 && n <= 65521;
}

static int parse_opts(char *const *opts, struct slirp_opts *o, struct rcr_error **err)
{
	*o = (struct slirp_opts){false, false, "65520", NULL, NULL, NULL};
	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++) {
		const char *s = opts[i], *eq = strchr(s, '=');
		size_t klen = eq ? (size_t)(eq - s) : strlen(s);
		const char *v = eq ? eq + 1 : "";

#define KEY(k) (klen == strlen(k) && strncmp(s, k, klen) == 0)
		if (KEY("allow_host_loopback") && (!strcmp(v, "true") || !strcmp(v, "false")))
			o->host_loopback = strcmp(v, "true") == 0;
		else if (KEY("enable_ipv6") && (!strcmp(v, "true") || !strcmp(v, "false")))
			o->ipv6 = strcmp(v, "true") == 0;
		else if (KEY("mtu") && valid_mtu(v))
			o->mtu = v;
		else if (KEY("cidr") && valid_cidr(v))
			o->cidr = v;
		else if (KEY("outbound_addr") && *v != '\0')
			o->outbound = v;
		else if (KEY("outbound_addr6") && *v != '\0')
			o->outbound6 = v;
		else if (KEY("port_handler") && !strcmp(v, "slirp4netns"))
			;
		else {
			rcr_error_set(
				err, EINVAL,
				"slirp4netns option '%s' is not supported: rcr knows "
				"allow_host_loopback=true|false, enable_ipv6=true|false, mtu=N "
				"(68-65521), cidr=A.B.C.D/N (N up to 25), outbound_addr=ADDR, "
				"outbound_addr6=ADDR and port_handler=slirp4netns",
				s);
			return -1;
		}
#undef KEY
	}
	return 0;
}

int net_slirp_check_opts(char *const *opts, struct rcr_error **err)
{
	struct slirp_opts o;

	return parse_opts(opts, &o, err);
}

bool net_slirp_host_loopback(char *const *opts)
{
	struct slirp_opts o;
	_cleanup_error_ struct rcr_error *ignored = NULL;

	return parse_opts(opts, &o, &ignored) == 0 && o.host_loopback;
}

struct slirp_argv {
	char buf[8][128];
	const char *v[SLIRP_ARGS_MAX + 1];
	size_t n;
};

static void build_argv(const struct net_helper_conf *c, const struct slirp_opts *o, pid_t pid,
		       struct slirp_argv *a)
{
	size_t b = 0;

	a->n = 0;
	a->v[a->n++] = c->path;
	a->v[a->n++] = "--configure";
	snprintf(a->buf[b], sizeof(a->buf[b]), "--mtu=%s", o->mtu), a->v[a->n++] = a->buf[b++];
	if (!o->host_loopback)
		a->v[a->n++] = "--disable-host-loopback";
	if (o->ipv6)
		a->v[a->n++] = "--enable-ipv6";
	if (o->cidr != NULL)
		snprintf(a->buf[b], sizeof(a->buf[b]), "--cidr=%s", o->cidr),
			a->v[a->n++] = a->buf[b++];
	if (o->outbound != NULL)
		snprintf(a->buf[b], sizeof(a->buf[b]), "--outbound-addr=%s", o->outbound),
			a->v[a->n++] = a->buf[b++];
	if (o->outbound6 != NULL)
		snprintf(a->buf[b], sizeof(a->buf[b]), "--outbound-addr6=%s", o->outbound6),
			a->v[a->n++] = a->buf[b++];
	if (c->mac != NULL)
		snprintf(a->buf[b], sizeof(a->buf[b]), "--macaddress=%s", c->mac),
			a->v[a->n++] = a->buf[b++];
	/* its own mount namespace and a seccomp filter, as Podman starts it */
	a->v[a->n++] = "--enable-sandbox";
	a->v[a->n++] = "--enable-seccomp";
	/* relative: the child runs in the runtime dir, whose path may not fit in sun_path */
	a->v[a->n++] = "--api-socket=slirp.sock";
	a->v[a->n++] = "--ready-fd=3";
	a->v[a->n++] = "--exit-fd=4";
	snprintf(a->buf[b], sizeof(a->buf[b]), "%d", (int)pid), a->v[a->n++] = a->buf[b++];
	a->v[a->n++] = "tap0";
	a->v[a->n] = NULL;
}

/* The forked child: fds 3 (ready) and 4 (exit), stderr into slirp.log, cwd the runtime dir. */
static _Noreturn void child(const struct slirp_argv *a, int dirfd, int ready, int exitr)
{
	sigset_t none;
	int log, null;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	log = openat(dirfd, "slirp.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (log < 0 || null < 0 || fchdir(dirfd) < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
	    dup2(log, 2) < 0 || dup2(ready, 3) < 0 || dup2(exitr, 4) < 0)
		_exit(127);
	execv(a->v[0], (char *const *)a->v);
	dprintf(2, "cannot run '%s': %s\n", a->v[0], strerror(errno));
	_exit(127);
}

/* Its message, from slirp.log (the last line is the one that says why). */
static void fail_message(const char *rundir, const char *what, struct rcr_error **err)
{
	_cleanup_free_ char *path = fs_path_join(rundir, "slirp.log");
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_free_ char *log = fs_read_file(path, 1 << 16, NULL, &ignored);
	size_t len = log ? strlen(log) : 0;
	char *last;

	while (len > 0 && log[len - 1] == '\n')
		log[--len] = '\0';
	last = log ? strrchr(log, '\n') : NULL;
	rcr_error_set(err, EIO, "slirp4netns %s: %s", what,
		      len ? (last ? last + 1 : log) : "no message");
}

static int wait_ready(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	char c;

	if (poll(&p, 1, READY_TIMEOUT_MS) <= 0)
		return -1;
	return read(fd, &c, 1) == 1 ? 0 : -1;
}

/* One API request and its answer: 0 when it says "return". */
static int api_call(int dirfd, const char *req, char *reply, size_t size)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	_cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct timeval tv = {5, 0};
	size_t got = 0;
	ssize_t n;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/slirp.sock", dirfd);
	reply[0] = '\0';
	/* a hung helper must not hang the monitor */
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req) || shutdown(fd, SHUT_WR) < 0)
		return snprintf(reply, size, "the API socket: %s", strerror(errno)), -1;
	while (got < size - 1 && (n = read(fd, reply + got, size - 1 - got)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	return strstr(reply, "\"return\"") != NULL ? 0 : -1;
}

static int add_ports(const struct net_helper_conf *c, int dirfd, struct rcr_error **err)
{
	for (size_t i = 0; c->ports != NULL && c->ports[i] != NULL; i++) {
		struct net_port p[2];
		size_t n = 0;

		if (net_port_parse(c->ports[i], p, &n, err) < 0)
			return -1;
		for (unsigned k = 0; k < p[0].count; k++) {
			char req[256], reply[512];

			snprintf(
				req, sizeof(req),
				"{\"execute\": \"add_hostfwd\", \"arguments\": {\"proto\": \"%s\", "
				"\"host_addr\": \"%s\", \"host_port\": %u, \"guest_port\": %u}}",
				p[0].udp ? "udp" : "tcp",
				p[0].host_ip[0] ? p[0].host_ip : "0.0.0.0", p[0].host_port + k,
				p[0].ctr_port + k);
			if (api_call(dirfd, req, reply, sizeof(reply)) < 0) {
				rcr_error_set(err, EIO,
					      "slirp4netns could not publish host port %u/%s: %s",
					      p[0].host_port + k, p[0].udp ? "udp" : "tcp", reply);
				return -1;
			}
		}
	}
	return 0;
}

static int check_ipv4_ports(char *const *ports, struct rcr_error **err)
{
	for (size_t i = 0; ports != NULL && ports[i] != NULL; i++)
		if (strchr(ports[i], '[') != NULL) {
			rcr_error_set(err, ENOTSUP,
				      "'%s': slirp4netns publishes on IPv4 addresses only: use "
				      "--network pasta",
				      ports[i]);
			return -1;
		}
	return 0;
}

int net_slirp_start(const struct net_helper_conf *c, pid_t ctr_pid, struct net_helper *out,
		    struct rcr_error **err)
{
	_cleanup_close_ int dirfd = -1, ready_r = -1, ready_w = -1, exit_r = -1;
	struct slirp_opts o;
	struct slirp_argv a;
	int ready[2], ex[2];
	pid_t pid;

	*out = (struct net_helper){0, -1};
	if (parse_opts(c->opts, &o, err) < 0 || check_ipv4_ports(c->ports, err) < 0)
		return -1;
	dirfd = open(c->rundir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return rcr_error_set_errno(err, errno, "opening '%s'", c->rundir), -1;
	if (proc_pipe(ready, err) < 0)
		return -1;
	ready_r = ready[0], ready_w = ready[1];
	if (proc_pipe(ex, err) < 0)
		return -1;
	exit_r = ex[0], out->exit_fd = ex[1];
	unlinkat(dirfd, "slirp.sock", 0);
	build_argv(c, &o, ctr_pid, &a);
	pid = fork();
	if (pid < 0)
		return rcr_error_set_errno(err, errno, "starting slirp4netns"), -1;
	if (pid == 0)
		child(&a, dirfd, ready_w, exit_r);
	out->pid = pid;
	close(steal_fd(&ready_w));
	if (wait_ready(ready_r) < 0) {
		fail_message(c->rundir, "did not get ready", err);
		net_helper_stop(out);
		return -1;
	}
	if (add_ports(c, dirfd, err) < 0) {
		net_helper_stop(out);
		return -1;
	}
	return 0;
}
