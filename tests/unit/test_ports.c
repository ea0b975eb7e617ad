/* Unit tests of network/ports.c and of the port display helpers of container/network.c: every
 * -p form Podman accepts and the refusals with their messages, the canonical text and its round
 * trip, ExposedPorts keys, the uniqueness and unprivileged-floor checks, picking free host ports,
 * and the check for ports in use against sockets this test binds itself (on 127.0.0.1, as any
 * user: nothing here needs root).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "container/network.h"
#include "network/helper.h"
#include "network/ports.h"
#include "pkg/cleanup.h"
#include "tests/unit/tap.h"

static bool port_eq(const struct net_port *a, const struct net_port *b)
{
	return strcmp(a->host_ip, b->host_ip) == 0 && a->host_port == b->host_port &&
	       a->ctr_port == b->ctr_port && a->count == b->count && a->udp == b->udp;
}

static void show(const char *what, const struct net_port *p)
{
	printf("#   %s: ip '%s' host %u ctr %u count %u %s\n", what, p->host_ip, p->host_port,
	       p->ctr_port, p->count, p->udp ? "udp" : "tcp");
}

/* arg parses into exactly the n entries of want. */
static bool parses(const char *arg, const struct net_port *want, size_t n_want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct net_port v[NET_PORTS_MAX];
	size_t n = 0;
	bool same;

	if (net_port_parse(arg, v, &n, &err) < 0) {
		printf("#   '%s': %s\n", arg, err ? err->msg : "(no error set)");
		return false;
	}
	same = err == NULL && n == n_want;
	for (size_t i = 0; same && i < n; i++)
		same = port_eq(&v[i], &want[i]);
	if (!same) {
		printf("#   '%s': %zu entries, want %zu\n", arg, n, n_want);
		for (size_t i = 0; i < n; i++)
			show("got", &v[i]);
	}
	return same;
}

static struct net_port port(const char *ip, uint16_t host, uint16_t ctr, uint16_t count, bool udp)
{
	struct net_port p = {.host_port = host, .ctr_port = ctr, .count = count, .udp = udp};

	snprintf(p.host_ip, sizeof(p.host_ip), "%s", ip);
	return p;
}

static bool parses_one(const char *arg, struct net_port want)
{
	return parses(arg, &want, 1);
}

static bool port_is(const struct net_port *got, struct net_port want)
{
	return port_eq(got, &want);
}

static void test_parse_forms(void)
{
	const struct net_port tcp_udp[] = {port("", 0, 80, 1, false), port("", 0, 80, 1, true)};
	const struct net_port udp_tcp[] = {port("", 8080, 80, 1, false),
					   port("", 8080, 80, 1, true)};

	ok(parses_one("80", port("", 0, 80, 1, false)), "'80': container port, host port 0, tcp");
	ok(parses_one("80/tcp", port("", 0, 80, 1, false)), "'80/tcp'");
	ok(parses_one("80/udp", port("", 0, 80, 1, true)), "'80/udp'");
	ok(parses("80/tcp,udp", tcp_udp, 2), "'80/tcp,udp': a tcp and a udp entry");
	ok(parses("8080:80/udp,tcp", udp_tcp, 2), "'8080:80/udp,tcp': tcp first all the same");
	ok(parses_one("80/tcp,tcp", port("", 0, 80, 1, false)), "'80/tcp,tcp': one entry");
	ok(parses_one("80/", port("", 0, 80, 1, false)),
	   "'80/': an empty protocol is tcp (Podman)");
	ok(parses_one("8080:80", port("", 8080, 80, 1, false)), "'8080:80'");
	ok(parses_one(":80", port("", 0, 80, 1, false)), "':80': an empty host port is 0");
	ok(parses_one("127.0.0.1:8080:80", port("127.0.0.1", 8080, 80, 1, false)),
	   "'127.0.0.1:8080:80'");
	ok(parses_one("127.0.0.1::80", port("127.0.0.1", 0, 80, 1, false)),
	   "'127.0.0.1::80': host port 0");
	ok(parses_one("::80", port("", 0, 80, 1, false)), "'::80': empty IP, empty host port");
	ok(parses_one("[::1]:8080:80", port("::1", 8080, 80, 1, false)), "'[::1]:8080:80'");
	ok(parses_one("[fe80::1:2]:8080:80/udp", port("fe80::1:2", 8080, 80, 1, true)),
	   "'[fe80::1:2]:8080:80/udp'");
	ok(parses_one("[::1]::80", port("::1", 0, 80, 1, false)), "'[::1]::80': host port 0");
	ok(parses_one("[127.0.0.1]:8080:80", port("127.0.0.1", 8080, 80, 1, false)),
	   "an IPv4 address in brackets");
	ok(parses_one("8080-8081:80-81", port("", 8080, 80, 2, false)), "'8080-8081:80-81'");
	ok(parses_one("80-81", port("", 0, 80, 2, false)), "'80-81': a container range, host 0");
	ok(parses_one("0.0.0.0:1-65535:1-65535/udp", port("0.0.0.0", 1, 1, 65535, true)),
	   "every port at once");
	ok(parses_one("65535:65535", port("", 65535, 65535, 1, false)), "the last port");
	ok(parses_one("80-80", port("", 0, 80, 1, false)), "'80-80': a range of one");
}

/* arg is refused with exactly want (code and message), v and n untouched. */
static void check_refused(const char *arg, int code, const char *want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct net_port v[NET_PORTS_MAX] = {0};
	size_t n = 0;
	int rc = net_port_parse(arg, v, &n, &err);

	ok(rc == -1 && err != NULL && n == 0 && v[0].ctr_port == 0, "'%s' is refused", arg);
	is_str(err ? err->msg : NULL, want, "  message");
	is_int(err ? err->code : -1, code, "  code");
}

#define RANGE_HINT "a port is a number from 1 to 65535, a range is FIRST-LAST"
#define FORM_HINT  "expected [[IP:][HOSTPORT]:]CTRPORT[/PROTO] (an IPv6 address goes in brackets)"

static void test_parse_refused(void)
{
	check_refused("0", EINVAL, "invalid port '0' in '0': " RANGE_HINT);
	check_refused("65536", EINVAL, "invalid port '65536' in '65536': " RANGE_HINT);
	check_refused("abc", EINVAL, "invalid port 'abc' in 'abc': " RANGE_HINT);
	check_refused("", EINVAL, "invalid port '' in '': " RANGE_HINT);
	check_refused("-1", EINVAL, "invalid port '-1' in '-1': " RANGE_HINT);
	check_refused("+80", EINVAL, "invalid port '+80' in '+80': " RANGE_HINT);
	check_refused(" 80", EINVAL, "invalid port ' 80' in ' 80': " RANGE_HINT);
	check_refused("8080: 80", EINVAL, "invalid port ' 80' in '8080: 80': " RANGE_HINT);
	check_refused("80-+81", EINVAL, "invalid port '80-+81' in '80-+81': " RANGE_HINT);
	check_refused("80- 81", EINVAL, "invalid port '80- 81' in '80- 81': " RANGE_HINT);
	check_refused("80-", EINVAL, "invalid port '80-' in '80-': " RANGE_HINT);
	check_refused("80x", EINVAL, "invalid port '80x' in '80x': " RANGE_HINT);
	check_refused("0-5", EINVAL, "invalid port '0-5' in '0-5': " RANGE_HINT);
	check_refused("99999999999999999999", EINVAL,
		      "invalid port '99999999999999999999' in '99999999999999999999': " RANGE_HINT);
	check_refused("8080:0", EINVAL, "invalid port '0' in '8080:0': " RANGE_HINT);
	check_refused("0:80", EINVAL, "invalid port '0' in '0:80': " RANGE_HINT);
	check_refused("8080-8079:80-81", EINVAL,
		      "invalid port '8080-8079' in '8080-8079:80-81': " RANGE_HINT);
	check_refused("81-80", EINVAL, "invalid port '81-80' in '81-80': " RANGE_HINT);
	check_refused("8080-8082:80-81", EINVAL,
		      "'8080-8082:80-81': the host range and the container range must have the "
		      "same number of ports");
	check_refused("8080:80-81", EINVAL,
		      "'8080:80-81': the host range and the container range must have the same "
		      "number of ports");
	check_refused("65535-65536:80-81", EINVAL,
		      "invalid port '65535-65536' in '65535-65536:80-81': " RANGE_HINT);
	check_refused("80/sctp", ENOTSUP,
		      "'80/sctp': sctp ports cannot be published by rcr's network helpers "
		      "(pasta, slirp4netns): use tcp or udp");
	check_refused("80/tcp,sctp", ENOTSUP,
		      "'80/tcp,sctp': sctp ports cannot be published by rcr's network helpers "
		      "(pasta, slirp4netns): use tcp or udp");
	check_refused("80/http", EINVAL,
		      "invalid protocol 'http' in '80/http': use tcp, udp or "
		      "tcp,udp");
	check_refused("80/tcp/udp", EINVAL, "invalid port '80/tcp' in '80/tcp/udp': " RANGE_HINT);
	check_refused("1.2.3:80:80", EINVAL,
		      "invalid IP address '1.2.3' in '1.2.3:80:80' (an IPv6 address goes in "
		      "brackets: [::1]:8080:80)");
	check_refused("localhost:80:80", EINVAL,
		      "invalid IP address 'localhost' in 'localhost:80:80' (an IPv6 address goes "
		      "in brackets: [::1]:8080:80)");
	check_refused("[::1:2]:80:80x", EINVAL,
		      "invalid port '80x' in '[::1:2]:80:80x': " RANGE_HINT);
	check_refused("::1:8080:80", EINVAL, "invalid port '::1:8080:80': " FORM_HINT);
	check_refused("1:2:3:4", EINVAL, "invalid port '1:2:3:4': " FORM_HINT);
	check_refused("[::1]:1:2:3", EINVAL, "invalid port '[::1]:1:2:3': " FORM_HINT);
	check_refused("[::1]", EINVAL, "invalid port '[::1]': expected [IPv6]:HOST:CTR");
	check_refused("[::1:80", EINVAL, "invalid port '[::1:80': expected [IPv6]:HOST:CTR");
	check_refused("[::1]80:80", EINVAL, "invalid port '[::1]80:80': expected [IPv6]:HOST:CTR");
	/* Podman: "must provide host and destination port if specifying an IP" */
	check_refused("[::1]:80", EINVAL, "invalid port '[::1]:80': expected [IPv6]:HOST:CTR");
	check_refused("[fe80::zz]:80:80", EINVAL,
		      "invalid IP address 'fe80::zz' in '[fe80::zz]:80:80' (an IPv6 address goes "
		      "in brackets: [::1]:8080:80)");
}

/* NET_PORTS_MAX entries at most, counted over every -p argument. */
static void test_parse_max(void)
{
	_cleanup_error_ struct rcr_error *err = NULL, *err2 = NULL;
	struct net_port v[NET_PORTS_MAX];
	size_t n = 0;
	bool all = true;

	for (int i = 0; i < NET_PORTS_MAX - 1; i++)
		all = all && net_port_parse("80", v, &n, NULL) == 0;
	ok(all && n == NET_PORTS_MAX - 1, "%d entries parse", NET_PORTS_MAX - 1);
	ok(net_port_parse("81/tcp,udp", v, &n, &err) == -1 && n == NET_PORTS_MAX - 1,
	   "two more are refused, n unchanged");
	is_str(err ? err->msg : NULL, "'81/tcp,udp': at most 64 port entries can be published",
	       "  message");
	is_int(err ? err->code : -1, E2BIG, "  E2BIG");
	ok(net_port_parse("81", v, &n, NULL) == 0 && n == NET_PORTS_MAX &&
		   port_is(&v[NET_PORTS_MAX - 1], port("", 0, 81, 1, false)),
	   "one more fits, the %dth", NET_PORTS_MAX);
	ok(net_port_parse("82", v, &n, &err2) == -1 && n == NET_PORTS_MAX &&
		   v[NET_PORTS_MAX - 1].ctr_port == 81,
	   "then nothing more");
	is_str(err2 ? err2->msg : NULL, "'82': at most 64 port entries can be published",
	       "  message");
}

/* format(p) is want, and parses back to exactly p. */
static void check_format(struct net_port want_port, const char *want)
{
	const struct net_port *p = &want_port;
	_cleanup_free_ char *text = net_port_format(p);
	struct net_port back[2];
	size_t n = 0;

	is_str(text, want, "format: ip '%s' host %u ctr %u count %u %s", p->host_ip, p->host_port,
	       p->ctr_port, p->count, p->udp ? "udp" : "tcp");
	ok(text != NULL && net_port_parse(text, back, &n, NULL) == 0 && n == 1 &&
		   port_eq(&back[0], p),
	   "  parses back to the same port");
}

static void test_format(void)
{
	check_format(port("", 0, 80, 1, false), "80/tcp");
	check_format(port("", 0, 53, 1, true), "53/udp");
	check_format(port("", 8080, 80, 1, false), "8080:80/tcp");
	check_format(port("", 0, 80, 3, false), "80-82/tcp");
	check_format(port("", 9000, 90, 2, true), "9000-9001:90-91/udp");
	check_format(port("127.0.0.1", 8080, 80, 1, false), "127.0.0.1:8080:80/tcp");
	check_format(port("127.0.0.1", 0, 80, 1, false), "127.0.0.1::80/tcp");
	check_format(port("127.0.0.1", 8080, 80, 2, true), "127.0.0.1:8080-8081:80-81/udp");
	check_format(port("::1", 8080, 80, 1, false), "[::1]:8080:80/tcp");
	check_format(port("::1", 0, 80, 1, true), "[::1]::80/udp");
	check_format(port("2001:db8::7", 1, 65535, 1, false), "[2001:db8::7]:1:65535/tcp");
	check_format(port("::ffff:10.0.0.1", 1, 2, 65534, false),
		     "[::ffff:10.0.0.1]:1-65534:2-65535/tcp");
	check_format(port("", 65535, 65535, 1, true), "65535:65535/udp");
}

static void check_exposed(const char *key, struct net_port want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct net_port v[2];
	size_t n = 0;

	ok(net_port_parse_exposed(key, v, &n, &err) == 0 && n == 1 && port_eq(&v[0], &want),
	   "exposed '%s'", key);
	if (err != NULL)
		printf("#   %s\n", err->msg);
}

static void check_exposed_refused(const char *key, const char *want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct net_port v[2];
	size_t n = 0;

	ok(net_port_parse_exposed(key, v, &n, &err) == -1 && n == 0, "exposed '%s' is refused",
	   key);
	is_str(err ? err->msg : NULL, want, "  message");
}

static void test_exposed(void)
{
	check_exposed("80/tcp", port("", 0, 80, 1, false));
	check_exposed("53/udp", port("", 0, 53, 1, true));
	check_exposed("8000-8002/tcp", port("", 0, 8000, 3, false));
	check_exposed("443", port("", 0, 443, 1, false));
	check_exposed_refused("1:2", "invalid exposed port '1:2' in the image");
	check_exposed_refused("[::1]:80:80", "invalid exposed port '[::1]:80:80' in the image");
	check_exposed_refused("0/tcp", "the image's ExposedPorts: invalid port '0' in '0/tcp': "
				       "a port is a number from 1 to 65535, a range is FIRST-LAST");
	check_exposed_refused("80/sctp", "the image's ExposedPorts: '80/sctp': sctp ports cannot "
					 "be published by rcr's network helpers (pasta, "
					 "slirp4netns): use tcp or udp");
}

/* The entries of the -p arguments args (NULL-terminated) into v. */
static size_t parse_list(const char *const *args, struct net_port *v)
{
	size_t n = 0;

	for (size_t i = 0; args[i] != NULL; i++)
		if (net_port_parse(args[i], v, &n, NULL) < 0)
			printf("# '%s' does not parse\n", args[i]);
	return n;
}

#define UNIQUE(...) unique((const char *const[]){__VA_ARGS__, NULL})

/* net_ports_check_unique on the arguments: NULL when unique, else the message (static). */
static const char *unique(const char *const *args)
{
	static char msg[512];
	_cleanup_error_ struct rcr_error *err = NULL;
	struct net_port v[NET_PORTS_MAX];
	size_t n = parse_list(args, v);

	if (net_ports_check_unique(v, n, &err) == 0)
		return err == NULL ? NULL : "(error set on success)";
	snprintf(msg, sizeof(msg), "%s (%d)", err ? err->msg : "(no error)", err ? err->code : 0);
	return msg;
}

#define TWICE(port)                                                                                \
	"host port " port " is published twice: each host port can go to one "                     \
	"container port (22)"

static void test_unique(void)
{
	is_str(UNIQUE("8080:80", "8080:81"), TWICE("8080/tcp"), "same host port twice");
	is_str(UNIQUE("8080:80", "127.0.0.1:8080:81"), TWICE("8080/tcp"),
	       "'' and 127.0.0.1 overlap");
	is_str(UNIQUE("127.0.0.1:8080:80", "8080:81"), TWICE("8080/tcp"),
	       "127.0.0.1 and '' overlap");
	is_str(UNIQUE("127.0.0.1:8080:80", "127.0.0.1:8080:81"), TWICE("8080/tcp"),
	       "the same explicit IP twice");
	is_str(UNIQUE("[::1]:8080:80", "8080:81"), TWICE("8080/tcp"), "'' and ::1 overlap");
	is_str(UNIQUE("8080:80/udp", "8080:81/udp"), TWICE("8080/udp"), "udp twice");
	is_str(UNIQUE("8080:80/tcp,udp", "8080:81/udp"), TWICE("8080/udp"),
	       "tcp,udp and udp on the same host port");
	is_str(UNIQUE("8080:80/tcp", "8080:80/udp"), NULL, "tcp and udp do not overlap");
	is_str(UNIQUE("8080:80/tcp,udp"), NULL, "tcp,udp is one of each");
	is_str(UNIQUE("127.0.0.1:8080:80", "127.0.0.2:8080:80"), NULL,
	       "different explicit IPs do not overlap");
	is_str(UNIQUE("127.0.0.1:8080:80", "[::1]:8080:80"), NULL,
	       "IPv4 and IPv6 loopback do not overlap");
	is_str(UNIQUE("8080-8089:80-89", "8085:100"), TWICE("8085/tcp"), "a port inside a range");
	is_str(UNIQUE("8080-8089:80-89", "8089-8090:100-101"), TWICE("8089/tcp"),
	       "ranges overlapping by their last port");
	is_str(UNIQUE("8080-8089:80-89", "8079-8080:100-101"), TWICE("8080/tcp"),
	       "ranges overlapping by their first port");
	is_str(UNIQUE("8080-8089:80-89", "8090-8091:100-101"), NULL, "adjacent ranges do not");
	is_str(UNIQUE("8080-8089:80-89", "8070-8079:100-109"), NULL, "adjacent the other way");
	is_str(UNIQUE("80", "80", "81/udp", "81/udp"), NULL, "host port 0 is never a duplicate");
	is_str(UNIQUE("1:1", "2:2", "3:3", "65535:4", "1:5"), TWICE("1/tcp"),
	       "the first and the last of many");
	is_str(UNIQUE("0.0.0.0:8080:80", "127.0.0.1:8080:81"), TWICE("8080/tcp"),
	       "0.0.0.0 is every address");
	is_str(UNIQUE("[::]:8080:80", "[::1]:8080:81"), TWICE("8080/tcp"), ":: is every address");
}

/* The helpers' options, refused at create rather than at every start. */
static void test_helper_opts(void)
{
	static char c1[] = "cidr=10.0.2.0/30", c2[] = "cidr=10.0.3.0/24", m1[] = "mtu=1500x",
		    m2[] = "mtu=1500", o4[] = "outbound_addr=10.0.0.1",
		    o6[] = "outbound_addr6=fd00::1", nogw[] = "--no-map-gw", f[] = "-f",
		    p[] = "--pid=/tmp/x", four[] = "-4";
	char *bad_cidr[] = {c1, NULL}, *good_cidr[] = {c2, NULL};
	char *bad_mtu[] = {m1, NULL}, *good_mtu[] = {m2, NULL};
	char *six[] = {o4, o6, NULL};
	char *fg[] = {nogw, f, NULL}, *pid[] = {p, NULL};
	char *fine[] = {nogw, four, NULL};
	struct rcr_error *err = NULL;

	ok(net_helper_check_opts("slirp4netns", bad_cidr, &err) < 0 && err != NULL,
	   "slirp4netns: a /30 leaves no room for .100");
	rcr_error_clear(&err);
	ok(net_helper_check_opts("slirp4netns", good_cidr, &err) == 0, "slirp4netns: a /24 cidr");
	ok(net_helper_check_opts("slirp4netns", bad_mtu, &err) < 0, "slirp4netns: mtu=1500x");
	rcr_error_clear(&err);
	ok(net_helper_check_opts("slirp4netns", good_mtu, &err) == 0, "slirp4netns: mtu=1500");
	ok(net_helper_check_opts("slirp4netns", six, &err) == 0,
	   "slirp4netns: outbound_addr and outbound_addr6 together");
	ok(net_helper_check_opts("pasta", fg, &err) < 0 && err != NULL &&
		   strstr(err->msg, "'-f'") != NULL,
	   "pasta: -f (foreground) is refused, by name");
	rcr_error_clear(&err);
	ok(net_helper_check_opts("pasta", pid, &err) < 0, "pasta: --pid=FILE is refused");
	rcr_error_clear(&err);
	ok(net_helper_check_opts("pasta", fine, &err) == 0 && err == NULL,
	   "pasta: its other options are pasta's to judge");
}

static void test_floor(void)
{
	_cleanup_error_ struct rcr_error *err = NULL, *err2 = NULL;
	struct net_port v[NET_PORTS_MAX];
	const char *const ok_args[] = {"1024:80", "1024-1030:80-86", "80", "10-20", NULL};
	const char *const low[] = {"2000:22", "1023-1024:80-81", NULL};
	size_t n = parse_list(ok_args, v);
	int start = net_unprivileged_port_start();

	ok(n == 4 && net_ports_check_floor(v, n, 1024, &err) == 0 && err == NULL,
	   "floor 1024: 1024 and up pass, host port 0 always does");
	n = parse_list(low, v);
	ok(net_ports_check_floor(v, n, 1024, &err2) == -1, "floor 1024: a range from 1023 fails");
	is_str(err2 ? err2->msg : NULL,
	       "host port 1023 is below net.ipv4.ip_unprivileged_port_start (1024): a rootless "
	       "container cannot bind it; publish on a port from 1024 up (e.g. -p 8080:80), or ask "
	       "an administrator to run 'sysctl net.ipv4.ip_unprivileged_port_start=1023'",
	       "  message names the port, the floor and the fixes");
	is_int(err2 ? err2->code : -1, EACCES, "  EACCES");
	n = parse_list((const char *const[]){"1:1", "65535:2", NULL}, v);
	ok(net_ports_check_floor(v, n, 0, NULL) == 0, "floor 0: port 1 passes");
	ok(net_ports_check_floor(v, n, 2, NULL) == -1, "floor 2: port 1 fails");
	ok(net_ports_check_floor(v, 0, 65535, NULL) == 0, "no ports pass any floor");
	ok(start >= 0 && start <= 65536, "net_unprivileged_port_start: %d", start);
}

/* The entries idx[0..k) of v have distinct non-zero host ports, one port each. */
static bool distinct_ports(const struct net_port *v, const size_t *idx, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		const struct net_port *p = &v[idx[i]];

		if (p->host_port == 0 || p->count != 1)
			return false;
		for (size_t j = 0; j < i; j++)
			if (v[idx[j]].host_port == p->host_port && v[idx[j]].udp == p->udp)
				return false;
	}
	return true;
}

static void test_pick(void)
{
	_cleanup_error_ struct rcr_error *err = NULL, *err2 = NULL;
	const char *const args[] = {"127.0.0.1::80",
				    "8080:81",
				    "90-92",
				    "95/udp",
				    "96/udp",
				    "127.0.0.1:9000-9001:97-98",
				    NULL};
	struct net_port v[NET_PORTS_MAX];
	size_t n = parse_list(args, v);

	ok(n == 6 && net_ports_pick(v, &n, &err) == 0 && err == NULL, "ports picked");
	is_int(n, 8, "  the container range 90-92 became three entries");
	ok(v[0].host_port != 0 && v[0].ctr_port == 80 && v[0].count == 1 &&
		   strcmp(v[0].host_ip, "127.0.0.1") == 0 && !v[0].udp,
	   "  127.0.0.1::80 got a host port, its IP kept");
	ok(port_is(&v[1], port("", 8080, 81, 1, false)), "  8080:81 unchanged");
	ok(v[2].ctr_port == 90 && v[3].ctr_port == 91 && v[4].ctr_port == 92,
	   "  consecutive container ports 90, 91, 92");
	ok(v[2].host_ip[0] == '\0' && !v[2].udp && !v[3].udp && !v[4].udp,
	   "  the split entries keep the IP and protocol");
	ok(v[5].ctr_port == 95 && v[5].udp && v[6].ctr_port == 96 && v[6].udp,
	   "  the udp entries follow in order");
	ok(distinct_ports(v, (const size_t[]){0, 2, 3, 4, 5, 6}, 6),
	   "  every picked port is distinct, non-zero, one port each");
	ok(port_is(&v[7], port("127.0.0.1", 9000, 97, 2, false)), "  an explicit range unchanged");
	ok(net_ports_check_unique(v, n, NULL) == 0, "  the result is unique");

	n = 0;
	for (int i = 0; i < NET_PORTS_MAX - 2; i++)
		net_port_parse("8080:80", v, &n, NULL);
	net_port_parse("70-72", v, &n, NULL);
	ok(net_ports_pick(v, &n, &err2) == -1, "splitting past %d entries fails", NET_PORTS_MAX);
	is_str(err2 ? err2->msg : NULL, "at most 64 ports can be published", "  message");
	is_int(err2 ? err2->code : -1, E2BIG, "  E2BIG");
	n = 0;
	ok(net_ports_pick(v, &n, NULL) == 0, "nothing to pick");
}

/* A socket bound to 127.0.0.1:port (0: any), listening when tcp; its port in *got. */
static int bind_local(uint16_t port, bool udp, uint16_t *got)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || (!udp && listen(fd, 1) < 0) ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		close(fd);
		return -1;
	}
	*got = ntohs(a.sin_port);
	return fd;
}

static void check_in_use(bool udp)
{
	const char *proto = udp ? "udp" : "tcp";
	_cleanup_error_ struct rcr_error *err = NULL, *err2 = NULL;
	struct net_port p = port("127.0.0.1", 0, 80, 1, udp);
	char want[512];
	uint16_t port = 0;
	int fd = bind_local(0, udp, &port);

	ok(fd >= 0 && port != 0, "%s: a socket bound on 127.0.0.1:%u", proto, port);
	p.host_port = port;
	ok(net_ports_check_free(&p, 1, &err) == -1, "  check_free refuses that port");
	snprintf(want, sizeof(want),
		 "host port %u/%s on 127.0.0.1 is already in use (by another container or "
		 "program): publish on another host port (-p HOSTPORT:80) or stop what uses it",
		 port, proto);
	is_str(err ? err->msg : NULL, want, "  message names the port, address and fix");
	is_int(err ? err->code : -1, EADDRINUSE, "  EADDRINUSE");
	p.udp = !udp;
	ok(net_ports_check_free(&p, 1, NULL) == 0, "  the other protocol is free");
	p.udp = udp;
	close(fd);
	ok(net_ports_check_free(&p, 1, &err2) == 0 && err2 == NULL, "  free once closed");
}

/* A range whose second port is taken: the message names that port and its container port. */
static void check_in_use_range(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct net_port p = port("127.0.0.1", 0, 80, 2, false);
	char want[512];
	uint16_t first = 0, second = 0;
	int fd1 = -1, fd2 = -1;

	/* two adjacent ports, the second bound: try a few kernel picks */
	for (int tries = 0; tries < 100 && fd2 < 0; tries++) {
		fd1 = bind_local(0, false, &first);
		if (fd1 >= 0 && first < 65535)
			fd2 = bind_local((uint16_t)(first + 1), false, &second);
		if (fd1 >= 0)
			close(fd1);
	}
	ok(fd2 >= 0, "tcp: port %u free and %u bound", first, second);
	p.host_port = first;
	ok(net_ports_check_free(&p, 1, &err) == -1, "  the range %u-%u is refused", first, second);
	snprintf(want, sizeof(want),
		 "host port %u/tcp on 127.0.0.1 is already in use (by another container or "
		 "program): publish on another host port (-p HOSTPORT:81) or stop what uses it",
		 second);
	is_str(err ? err->msg : NULL, want, "  naming its second port and container port 81");
	if (fd2 >= 0)
		close(fd2);
}

static void test_check_free(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct net_port zero = port("127.0.0.1", 0, 80, 1, false);

	check_in_use(false);
	check_in_use(true);
	check_in_use_range();
	ok(net_ports_check_free(&zero, 1, NULL) == 0, "host port 0 is always free");
	ok(net_ports_check_free(NULL, 0, NULL) == 0, "no ports");
	zero = port("192.0.2.1", 8080, 80, 1, false); /* TEST-NET-1, not on this host */
	ok(net_ports_check_free(&zero, 1, &err) == -1, "an address the host does not have fails");
	is_str(err ? err->msg : NULL,
	       "binding host port 8080/tcp on 192.0.2.1: Cannot assign requested address",
	       "  with the bind error");
}

/* ---- container/network.c's display helpers ----------------------------------------------- */

static char *const shown[] = {
	(char *)"8080:80/tcp", (char *)"127.0.0.1:9000-9001:90-91/udp", (char *)"[::1]:8080:80/tcp",
	(char *)"not a port",  (char *)"127.0.0.1:7000:70/tcp",		NULL};

static void test_summary(void)
{
	_cleanup_free_ char *all = ctr_ports_summary(shown);
	_cleanup_free_ char *none = ctr_ports_summary(NULL);
	_cleanup_free_ char *empty = ctr_ports_summary((char *const[]){NULL});
	_cleanup_free_ char *one =
		ctr_ports_summary((char *const[]){(char *)"[::1]:8080:80/tcp", NULL});

	is_str(all,
	       "0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->90-91/udp, [::1]:8080->80/tcp, "
	       "127.0.0.1:7000->70/tcp",
	       "ps PORTS: every entry, the unparsable one skipped");
	is_str(none, "", "no ports: empty");
	is_str(empty, "", "an empty list: empty");
	is_str(one, "[::1]:8080->80/tcp", "IPv6 in brackets");
}

/* The strv v joined with '|' (owned), "(null)" for NULL. */
static char *joined(char **v)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (v == NULL)
		return strdup("(null)");
	f = open_memstream(&out, &len);
	for (size_t i = 0; f != NULL && v[i] != NULL; i++)
		fprintf(f, "%s%s", i ? "|" : "", v[i]);
	if (f != NULL)
		fclose(f);
	return out;
}

static void check_lines(const char *filter, const char *want)
{
	_cleanup_strv_ char **v = ctr_port_lines(shown, filter);
	_cleanup_free_ char *got = joined(v);

	is_str(got, want, "rcr port, filter %s", filter ? filter : "(none)");
}

static void test_lines(void)
{
	_cleanup_strv_ char **none = ctr_port_lines(NULL, NULL);

	check_lines(NULL, "80/tcp -> 0.0.0.0:8080|90/udp -> 127.0.0.1:9000|"
			  "91/udp -> 127.0.0.1:9001|80/tcp -> [::1]:8080|70/tcp -> 127.0.0.1:7000");
	check_lines("80", "0.0.0.0:8080|[::1]:8080");
	check_lines("80/tcp", "0.0.0.0:8080|[::1]:8080");
	check_lines("80/udp", "");
	check_lines("91", "127.0.0.1:9001");
	check_lines("91/udp", "127.0.0.1:9001");
	check_lines("91/tcp", "");
	check_lines("8080", "");
	ok(none != NULL && none[0] == NULL, "no ports: an empty list");
}

static void test_json(void)
{
	json_t *j = ctr_ports_json(shown);
	json_t *e = ctr_ports_json(NULL);
	_cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	_cleanup_free_ char *etext = e ? json_dumps(e, JSON_COMPACT) : NULL;

	is_str(text,
	       "{\"70/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"7000\"}],"
	       "\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"},"
	       "{\"HostIp\":\"::1\",\"HostPort\":\"8080\"}],"
	       "\"90/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"9000\"}],"
	       "\"91/udp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"9001\"}]}",
	       "inspect Ports: one key per container port, a list of host bindings");
	is_str(etext, "{}", "no ports: an empty object");
	json_decref(j);
	json_decref(e);
}

int main(void)
{
	test_parse_forms();
	test_parse_refused();
	test_parse_max();
	test_format();
	test_exposed();
	test_unique();
	test_helper_opts();
	test_floor();
	test_pick();
	test_check_free();
	test_summary();
	test_lines();
	test_json();
	return tap_done();
}
