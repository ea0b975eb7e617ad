/* Port specs (ports.h). The parsers are pure; net_ports_pick and net_ports_check_free bind
 * sockets on the host and close them again, nothing else.
 */
#include "network/ports.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

/* "80" or "8000-8002" (the whole text): first port and count. */
static int parse_range(const char *text, const char *arg, uint16_t *first, uint16_t *count,
		       struct rcr_error **err)
{
	unsigned long a = 0, b;
	char *end = (char *)text;

	/* digits only, as Go's strconv.ParseUint in Podman: strtoul would also take leading
	 * blanks and a sign (" 80", "80-+81") */
	errno = 0;
	if (isdigit((unsigned char)*text))
		a = strtoul(text, &end, 10);
	b = a;
	if (end != text && *end == '-' && isdigit((unsigned char)end[1]))
		b = strtoul(end + 1, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || a == 0 || a > 65535 || b < a ||
	    b > 65535) {
		rcr_error_set(err, EINVAL,
			      "invalid port '%s' in '%s': a port is a number from 1 to 65535, a "
			      "range is FIRST-LAST",
			      text, arg);
		return -1;
	}
	*first = (uint16_t)a;
	*count = (uint16_t)(b - a + 1);
	return 0;
}

static int parse_protos(const char *text, const char *arg, bool *tcp, bool *udp,
			struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(text);
	char *save = NULL;

	*tcp = *udp = false;
	for (char *p = strtok_r(copy, ",", &save); p != NULL; p = strtok_r(NULL, ",", &save)) {
		if (strcmp(p, "tcp") == 0) {
			*tcp = true;
		} else if (strcmp(p, "udp") == 0) {
			*udp = true;
		} else if (strcmp(p, "sctp") == 0) {
			rcr_error_set(
				err, ENOTSUP,
				"'%s': sctp ports cannot be published by rcr's network helpers "
				"(pasta, slirp4netns): use tcp or udp",
				arg);
			return -1;
		} else {
			rcr_error_set(err, EINVAL,
				      "invalid protocol '%s' in '%s': use tcp, udp or tcp,udp", p,
				      arg);
			return -1;
		}
	}
	if (!*tcp && !*udp)
		*tcp = true;
	return 0;
}

static int check_ip(const char *ip, const char *arg, struct rcr_error **err)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (*ip == '\0' || inet_pton(AF_INET, ip, buf) == 1 || inet_pton(AF_INET6, ip, buf) == 1)
		return 0;
	rcr_error_set(err, EINVAL,
		      "invalid IP address '%s' in '%s' (an IPv6 address goes in brackets: "
		      "[::1]:8080:80)",
		      ip, arg);
	return -1;
}

/* "IP:HOST:CTR", "[IP6]:HOST:CTR", "HOST:CTR", "CTR" (no protocol) into ip, host and ctr. */
static int split_addr(char *text, const char *arg, char **ip, char **host, char **ctr,
		      struct rcr_error **err)
{
	char *parts[3];
	size_t n = 0;

	*ip = *host = NULL;
	if (*text == '[') {
		char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':') {
			rcr_error_set(err, EINVAL, "invalid port '%s': expected [IPv6]:HOST:CTR",
				      arg);
			return -1;
		}
		*close = '\0';
		*ip = text + 1;
		text = close + 2;
		n = 1;
	}
	for (char *p = text;; p = NULL) {
		char *colon = strchr(p ? p : text, ':');

		if (n == 3) {
			rcr_error_set(
				err, EINVAL,
				"invalid port '%s': expected [[IP:][HOSTPORT]:]CTRPORT[/PROTO] "
				"(an IPv6 address goes in brackets)",
				arg);
			return -1;
		}
		parts[n++] = text;
		if (colon == NULL)
			break;
		*colon = '\0';
		text = colon + 1;
	}
	/* "[IP6]:CTR": Podman wants a host port (maybe empty) after an address, and parts[0] is
	 * no part at all in the bracket form */
	if (*ip != NULL && n < 3) {
		rcr_error_set(err, EINVAL, "invalid port '%s': expected [IPv6]:HOST:CTR", arg);
		return -1;
	}
	*ctr = parts[n - 1];
	if (n >= 2)
		*host = parts[n - 2];
	if (n == 3 && *ip == NULL)
		*ip = parts[0];
	return 0;
}

static int add_entries(const struct net_port *base, bool tcp, bool udp, struct net_port *v,
		       size_t *n, const char *arg, struct rcr_error **err)
{
	if (*n + (size_t)tcp + (size_t)udp > NET_PORTS_MAX) {
		rcr_error_set(err, E2BIG, "'%s': at most %d port entries can be published", arg,
			      NET_PORTS_MAX);
		return -1;
	}
	if (tcp)
		v[(*n)++] = *base, v[*n - 1].udp = false;
	if (udp)
		v[(*n)++] = *base, v[*n - 1].udp = true;
	return 0;
}

int net_port_parse(const char *arg, struct net_port *v, size_t *n, struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(arg);
	struct net_port p = {.count = 1};
	char *slash, *ip, *host, *ctr;
	bool tcp, udp;
	uint16_t hcount = 0;

	if (copy == NULL)
		return rcr_error_set(err, ENOMEM, "out of memory"), -1;
	slash = strrchr(copy, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (parse_protos(slash ? slash : "tcp", arg, &tcp, &udp, err) < 0 ||
	    split_addr(copy, arg, &ip, &host, &ctr, err) < 0)
		return -1;
	if (ip != NULL && (check_ip(ip, arg, err) < 0))
		return -1;
	if (ip != NULL && strlen(ip) >= sizeof(p.host_ip))
		return rcr_error_set(err, EINVAL, "invalid IP address in '%s'", arg), -1;
	snprintf(p.host_ip, sizeof(p.host_ip), "%s", ip ? ip : "");
	if (parse_range(ctr, arg, &p.ctr_port, &p.count, err) < 0)
		return -1;
	if (host != NULL && *host != '\0' && parse_range(host, arg, &p.host_port, &hcount, err) < 0)
		return -1;
	if (hcount != 0 && hcount != p.count) {
		rcr_error_set(err, EINVAL,
			      "'%s': the host range and the container range must have the same "
			      "number of ports",
			      arg);
		return -1;
	}
	if (p.host_port != 0 && (unsigned)p.host_port + p.count - 1 > 65535)
		return rcr_error_set(err, EINVAL, "'%s': the host range ends past 65535", arg), -1;
	return add_entries(&p, tcp, udp, v, n, arg, err);
}

int net_port_parse_exposed(const char *key, struct net_port *v, size_t *n, struct rcr_error **err)
{
	if (strchr(key, ':') != NULL) {
		rcr_error_set(err, EINVAL, "invalid exposed port '%s' in the image", key);
		return -1;
	}
	if (net_port_parse(key, v, n, err) < 0) {
		rcr_error_wrap(err, "the image's ExposedPorts");
		return -1;
	}
	return 0;
}

static void format_range(char *buf, size_t size, uint16_t first, uint16_t count)
{
	if (first == 0)
		buf[0] = '\0';
	else if (count > 1)
		snprintf(buf, size, "%u-%u", first, (unsigned)first + count - 1);
	else
		snprintf(buf, size, "%u", first);
}

char *net_port_format(const struct net_port *p)
{
	char host[16], ctr[16], *out = NULL;
	const char *proto = p->udp ? "udp" : "tcp";
	int rc;

	format_range(host, sizeof(host), p->host_port, p->count);
	format_range(ctr, sizeof(ctr), p->ctr_port, p->count);
	if (p->host_ip[0] != '\0')
		rc = asprintf(&out, strchr(p->host_ip, ':') ? "[%s]:%s:%s/%s" : "%s:%s:%s/%s",
			      p->host_ip, host, ctr, proto);
	else if (host[0] != '\0')
		rc = asprintf(&out, "%s:%s/%s", host, ctr, proto);
	else
		rc = asprintf(&out, "%s/%s", ctr, proto);
	return rc < 0 ? NULL : out;
}

/* "", "0.0.0.0" and "::" bind every address. */
static bool any_addr(const char *ip)
{
	return ip[0] == '\0' || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0;
}

static bool overlaps(const struct net_port *a, const struct net_port *b)
{
	if (a->udp != b->udp || a->host_port == 0 || b->host_port == 0)
		return false;
	if (!any_addr(a->host_ip) && !any_addr(b->host_ip) && strcmp(a->host_ip, b->host_ip) != 0)
		return false;
	return a->host_port < b->host_port + b->count && b->host_port < a->host_port + a->count;
}

int net_ports_check_unique(const struct net_port *v, size_t n, struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (overlaps(&v[i], &v[j])) {
				/* the first port both have: the later start of the two */
				unsigned port = v[i].host_port > v[j].host_port ? v[i].host_port
										: v[j].host_port;

				rcr_error_set(err, EINVAL,
					      "host port %u/%s is published twice: each host port "
					      "can go to one container port",
					      port, v[j].udp ? "udp" : "tcp");
				return -1;
			}
	return 0;
}

int net_ports_check_floor(const struct net_port *v, size_t n, int floor, struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].host_port != 0 && v[i].host_port < floor) {
			rcr_error_set(
				err, EACCES,
				"host port %u is below net.ipv4.ip_unprivileged_port_start "
				"(%d): a rootless container cannot bind it; publish on a port "
				"from %d up (e.g. -p 8080:%u), or ask an administrator to run "
				"'sysctl net.ipv4.ip_unprivileged_port_start=%u'",
				v[i].host_port, floor, floor, v[i].ctr_port, v[i].host_port);
			return -1;
		}
	return 0;
}

int net_unprivileged_port_start(void)
{
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_free_ char *text =
		fs_read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", 64, NULL, &ignored);

	long v = text ? strtol(text, NULL, 10) : 1024;

	return v >= 0 && v <= 65536 ? (int)v : 1024;
}

/* A socket bound to ip:port (port 0: the kernel's pick), or -1 with errno. */
static int bind_socket(const char *ip, uint16_t port, bool udp)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	bool v6 = strchr(ip, ':') != NULL;
	socklen_t len = v6 ? sizeof(*in6) : sizeof(*in4);
	int one = 1, saved, fd;

	fd = socket(v6 ? AF_INET6 : AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (v6) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &in6->sin6_addr);
	} else {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		if (*ip != '\0')
			inet_pton(AF_INET, ip, &in4->sin_addr);
	}
	/* TIME_WAIT leftovers of an earlier run must not count as "in use"; a listener does. */
	if (!udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) == 0)
		return fd;
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static uint16_t bound_port(int fd)
{
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	} u;
	socklen_t len = sizeof(u);

	memset(&u, 0, sizeof(u));
	if (getsockname(fd, &u.sa, &len) < 0)
		return 0;
	return ntohs(u.sa.sa_family == AF_INET6 ? u.in6.sin6_port : u.in4.sin_port);
}

/* Ranges with host_port 0 become single ports, so that each can get its own pick. */
static int split_unpicked(struct net_port *v, size_t *n, struct rcr_error **err)
{
	for (size_t i = 0; i < *n; i++) {
		/* read once: the loop below overwrites v[i].count (k == 0) */
		uint16_t count = v[i].count;

		if (v[i].host_port != 0 || count == 1)
			continue;
		if (*n + count - 1 > NET_PORTS_MAX) {
			rcr_error_set(err, E2BIG, "at most %d ports can be published",
				      NET_PORTS_MAX);
			return -1;
		}
		memmove(&v[i + count], &v[i + 1], (*n - i - 1) * sizeof(v[0]));
		for (uint16_t k = count; k-- > 0;) {
			v[i + k] = v[i];
			v[i + k].ctr_port = (uint16_t)(v[i].ctr_port + k);
			v[i + k].count = 1;
		}
		*n += count - 1;
	}
	return 0;
}

int net_ports_pick(struct net_port *v, size_t *n, struct rcr_error **err)
{
	int fds[NET_PORTS_MAX];
	size_t nfds = 0;
	int rc = 0;

	if (split_unpicked(v, n, err) < 0)
		return -1;
	/* every socket stays bound until all are picked: the kernel never hands out one twice */
	for (size_t i = 0; i < *n && rc == 0; i++) {
		int fd;

		if (v[i].host_port != 0)
			continue;
		fd = bind_socket(v[i].host_ip, 0, v[i].udp);
		if (fd < 0) {
			rcr_error_set_errno(err, errno, "picking a free host port for %u/%s",
					    v[i].ctr_port, v[i].udp ? "udp" : "tcp");
			rc = -1;
			break;
		}
		fds[nfds++] = fd;
		v[i].host_port = bound_port(fd);
	}
	while (nfds > 0)
		close(fds[--nfds]);
	return rc;
}

int net_ports_check_free(const struct net_port *v, size_t n, struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < v[i].count; k++) {
			unsigned port = v[i].host_port + k;
			int fd = bind_socket(v[i].host_ip, (uint16_t)port, v[i].udp);

			if (fd >= 0) {
				close(fd);
				continue;
			}
			if (errno == EADDRINUSE)
				rcr_error_set(err, EADDRINUSE,
					      "host port %u/%s on %s is already in use (by another "
					      "container or program): publish on another host port "
					      "(-p HOSTPORT:%u) or stop what uses it",
					      port, v[i].udp ? "udp" : "tcp",
					      v[i].host_ip[0] ? v[i].host_ip : "0.0.0.0",
					      v[i].ctr_port + k);
			else
				rcr_error_set_errno(err, errno, "binding host port %u/%s on %s",
						    port, v[i].udp ? "udp" : "tcp",
						    v[i].host_ip[0] ? v[i].host_ip : "0.0.0.0");
			return -1;
		}
	return 0;
}
