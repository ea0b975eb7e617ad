/* Unit tests of network/etcfiles.c: the generated /etc/hosts for each kind of network (localhost
 * lines, --add-host entries incl. host-gateway and IPv6, host.containers.internal, the
 * container's own address and names; the host's own file with the host network),
 * /etc/resolv.conf filtered for the network mode and rewritten by --dns, --dns-search and
 * --dns-option (host files are exact-size heap copies, so ASan sees any read past them),
 * net_add_host_check, and writing the three files into a directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "network/etcfiles.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

static char top[1024];

#define LOCALHOST                                                                                  \
	"127.0.0.1\tlocalhost localhost.localdomain localhost4 localhost4.localdomain4\n"          \
	"::1\tlocalhost localhost.localdomain localhost6 localhost6.localdomain6\n"

#define HOSTS_INTERNAL(ip) ip "\thost.containers.internal host.docker.internal\n"

/* A NULL-terminated vector of string literals, as the option parser hands them over. */
#define V(...) ((char *const[]){__VA_ARGS__, NULL})

static char *const add_hosts[] = {(char *)"db:10.0.0.5", (char *)"gw:host-gateway",
				  (char *)"six:::1",	 (char *)"eq=1.2.3.4",
				  (char *)"nosep",	 NULL};

#define ADDED(gw) "10.0.0.5\tdb\n" gw "\tgw\n::1\tsix\n1.2.3.4\teq\n"

/* net_hosts_text on an exact-size heap copy of host_hosts (NULL stays NULL). */
static char *hosts(const struct net_etc_conf *c, const char *host_hosts)
{
	_cleanup_free_ char *copy = host_hosts ? strdup(host_hosts) : NULL;

	return net_hosts_text(c, copy);
}

static void check_hosts(const struct net_etc_conf *c, const char *host_hosts, const char *want,
			const char *what)
{
	_cleanup_free_ char *got = hosts(c, host_hosts);

	is_str(got, want, "hosts, %s network: %s", c->network, what);
}

static void test_hosts(void)
{
	struct net_etc_conf none = {.hostname = "web", .name = "web-1", .network = "none"};
	struct net_etc_conf same = {.hostname = "abc", .name = "abc", .network = "none"};
	struct net_etc_conf pasta = {.hostname = "web",
				     .name = "web-1",
				     .network = "pasta",
				     .ctr_ip = "192.0.2.10",
				     .host_ip = "192.0.2.1",
				     .nameserver = "169.254.1.1",
				     .add_hosts = add_hosts};
	struct net_etc_conf slirp = {.hostname = "box",
				     .name = "ctr",
				     .network = "slirp4netns",
				     .ctr_ip = "10.0.2.100",
				     .host_ip = "10.0.2.2",
				     .nameserver = "10.0.2.3"};
	struct net_etc_conf none_add = none;
	struct net_etc_conf host = {.hostname = "web",
				    .name = "web-1",
				    .network = "host",
				    .ctr_ip = "192.0.2.10",
				    .add_hosts = V((char *)"db:10.0.0.5")};
	struct net_etc_conf host_gw = host;

	none_add.add_hosts = add_hosts;
	host_gw.host_ip = "192.0.2.1";
	check_hosts(&none, NULL, LOCALHOST "127.0.1.1\tweb web-1\n", "localhost, hostname, name");
	check_hosts(&none, "10.9.9.9 ignored\n", LOCALHOST "127.0.1.1\tweb web-1\n",
		    "the host's file is not used");
	check_hosts(&same, NULL, LOCALHOST "127.0.1.1\tabc abc\n", "a name equal to the hostname");
	check_hosts(&none_add, NULL, LOCALHOST ADDED("127.0.0.1") "127.0.1.1\tweb web-1\n",
		    "--add-host; host-gateway without a host address is 127.0.0.1");
	check_hosts(&pasta, NULL,
		    LOCALHOST ADDED("192.0.2.1") HOSTS_INTERNAL("192.0.2.1") "192.0.2.10\tweb "
									     "web-1\n",
		    "--add-host, host.containers.internal, the container's address");
	check_hosts(&slirp, NULL, LOCALHOST HOSTS_INTERNAL("10.0.2.2") "10.0.2.100\tbox ctr\n",
		    "host.containers.internal and the container's address");
	check_hosts(&host, "127.0.0.1 localhost\n10.1.1.1 myhost\n",
		    "127.0.0.1 localhost\n10.1.1.1 myhost\n10.0.0.5\tdb\n",
		    "the host's file first, then --add-host");
	check_hosts(&host, "127.0.0.1 localhost\n10.1.1.1 myhost",
		    "127.0.0.1 localhost\n10.1.1.1 myhost\n10.0.0.5\tdb\n",
		    "a host file without a last newline gets one");
	check_hosts(&host_gw, "127.0.0.1 localhost\n",
		    "127.0.0.1 localhost\n10.0.0.5\tdb\n" HOSTS_INTERNAL("192.0.2.1"),
		    "host.containers.internal after the host's file");
	check_hosts(&host, "", "10.0.0.5\tdb\n", "an empty host file stays empty");
	check_hosts(&host, NULL, LOCALHOST "10.0.0.5\tdb\n192.0.2.10\tweb web-1\n",
		    "without a host file: the generated one");
}

/* net_resolv_text on an exact-size heap copy of in (NULL stays NULL). */
static void check_resolv(const struct net_etc_conf *c, const char *in, const char *want,
			 const char *what)
{
	_cleanup_free_ char *copy = in ? strdup(in) : NULL;
	_cleanup_free_ char *got = net_resolv_text(c, copy);

	is_str(got, want, "resolv.conf, %s network: %s", c->network, what);
}

#define FULL                                                                                       \
	"# generated by NetworkManager\n"                                                          \
	"nameserver 10.0.0.1\n"                                                                    \
	"search example.com corp.example.com\n"                                                    \
	"nameserver ::1\n"                                                                         \
	"options ndots:2 edns0\n"                                                                  \
	"\n"                                                                                       \
	"domain example.com\n"

static void test_resolv_modes(void)
{
	struct net_etc_conf none = {.network = "none"};
	struct net_etc_conf host = {.network = "host", .nameserver = "169.254.1.1"};
	struct net_etc_conf pasta = {.network = "pasta", .nameserver = "169.254.1.1"};
	struct net_etc_conf slirp = {.network = "slirp4netns", .nameserver = "10.0.2.3"};

	check_resolv(&none, FULL, "search example.com corp.example.com\noptions ndots:2 edns0\n",
		     "search and options only");
	check_resolv(&host, FULL, FULL, "everything, no forwarder");
	check_resolv(&pasta, FULL,
		     "nameserver 169.254.1.1\nsearch example.com corp.example.com\noptions ndots:2 "
		     "edns0\n",
		     "the forwarder instead of the host's servers");
	check_resolv(&slirp, FULL,
		     "nameserver 10.0.2.3\nsearch example.com corp.example.com\noptions ndots:2 "
		     "edns0\n",
		     "the forwarder instead of the host's servers");
	check_resolv(&pasta, NULL, "nameserver 169.254.1.1\n", "no host file: the forwarder");
	check_resolv(&none, NULL, "", "no host file");
	check_resolv(&host, NULL, "", "no host file");
	check_resolv(&none, "", "", "an empty file");
	check_resolv(&host, "", "", "an empty file");
	check_resolv(&none, "nameserver 1.1.1.1\nnameserver 8.8.8.8\n", "", "only servers");
	check_resolv(&none, "nameserver 1.1.1.1\nsearch a.example", "search a.example\n",
		     "a last line without newline gets one");
	check_resolv(&none, "search a.example", "search a.example\n",
		     "a single kept line without newline");
	check_resolv(&host, "search a.example", "search a.example\n",
		     "a single line without newline gets one");
	check_resolv(&none, "options rotate", "options rotate\n", "a single options line");
	check_resolv(&none, "search\tx\noptions\trotate\n", "search\tx\noptions\trotate\n",
		     "a tab after the keyword");
	check_resolv(&none, "search", "", "a bare keyword at the end of the text");
	check_resolv(&host, "s", "s\n", "a one-byte file");
	check_resolv(&host, "\n\n", "\n\n", "blank lines are kept");
	check_resolv(&none, "\n\n", "", "blank lines are dropped");
	check_resolv(&none, "nameserver 10.0.0.1\n#search x\n;options y\nsearching z\n", "",
		     "commented lines and other words are dropped");
	check_resolv(&none, "domain example.com\n", "", "domain is dropped");
}

static void test_resolv_options(void)
{
	struct net_etc_conf host_dns = {.network = "host",
					.dns = V((char *)"1.1.1.1", (char *)"2001:db8::1")};
	struct net_etc_conf pasta_dns = {.network = "pasta",
					 .nameserver = "169.254.1.1",
					 .dns = V((char *)"1.1.1.1", (char *)"2001:db8::1")};
	struct net_etc_conf host_search = {.network = "host",
					   .dns_search = V((char *)"a.test", (char *)"b.test")};
	struct net_etc_conf pasta_search = {.network = "pasta",
					    .nameserver = "169.254.1.1",
					    .dns_search = V((char *)"a.test", (char *)"b.test")};
	struct net_etc_conf host_dot = {.network = "host", .dns_search = V((char *)".")};
	struct net_etc_conf none_dot = {.network = "none", .dns_search = V((char *)".")};
	struct net_etc_conf host_opts = {.network = "host",
					 .dns_options = V((char *)"ndots:5", (char *)"rotate")};
	struct net_etc_conf slirp_opts = {.network = "slirp4netns",
					  .nameserver = "10.0.2.3",
					  .dns_options = V((char *)"ndots:5", (char *)"rotate")};
	struct net_etc_conf all = {.network = "none",
				   .dns = V((char *)"9.9.9.9"),
				   .dns_search = V((char *)"x.test"),
				   .dns_options = V((char *)"debug")};

	check_resolv(&host_dns, FULL,
		     "nameserver 1.1.1.1\nnameserver 2001:db8::1\n# generated by NetworkManager\n"
		     "search example.com corp.example.com\noptions ndots:2 edns0\n\n"
		     "domain example.com\n",
		     "--dns replaces the host's servers");
	check_resolv(&pasta_dns, FULL,
		     "nameserver 1.1.1.1\nnameserver 2001:db8::1\n"
		     "search example.com corp.example.com\noptions ndots:2 edns0\n",
		     "--dns replaces the forwarder");
	check_resolv(&host_search, FULL,
		     "search a.test b.test\n# generated by NetworkManager\nnameserver 10.0.0.1\n"
		     "nameserver ::1\noptions ndots:2 edns0\n\n",
		     "--dns-search replaces search and domain");
	check_resolv(&pasta_search, FULL,
		     "search a.test b.test\nnameserver 169.254.1.1\noptions ndots:2 edns0\n",
		     "--dns-search replaces search");
	check_resolv(&host_dot, FULL,
		     "# generated by NetworkManager\nnameserver 10.0.0.1\nnameserver ::1\n"
		     "options ndots:2 edns0\n\n",
		     "--dns-search . drops search and domain");
	check_resolv(&none_dot, FULL, "options ndots:2 edns0\n", "--dns-search . drops search");
	check_resolv(&host_opts, FULL,
		     "# generated by NetworkManager\nnameserver 10.0.0.1\n"
		     "search example.com corp.example.com\nnameserver ::1\n\n"
		     "domain example.com\noptions ndots:5 rotate\n",
		     "--dns-option replaces options");
	check_resolv(&slirp_opts, FULL,
		     "nameserver 10.0.2.3\nsearch example.com corp.example.com\n"
		     "options ndots:5 rotate\n",
		     "--dns-option replaces options");
	check_resolv(&all, FULL, "search x.test\nnameserver 9.9.9.9\noptions debug\n",
		     "all three options");
	check_resolv(&all, NULL, "search x.test\nnameserver 9.9.9.9\noptions debug\n",
		     "all three options, no host file");
}

static void check_add_host(const char *arg, const char *want_err)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	int rc = net_add_host_check(arg, &err);

	if (want_err == NULL) {
		ok(rc == 0 && err == NULL, "--add-host '%s' is accepted", arg);
		if (err != NULL)
			printf("#   %s\n", err->msg);
		return;
	}
	ok(rc == -1, "--add-host '%s' is refused", arg);
	is_str(err ? err->msg : NULL, want_err, "  message");
	is_int(err ? err->code : -1, EINVAL, "  EINVAL");
}

static void test_add_host_check(void)
{
	check_add_host("db:10.0.0.5", NULL);
	check_add_host("db=10.0.0.5", NULL);
	check_add_host("six:::1", NULL);
	check_add_host("six=::1", NULL);
	check_add_host("six:2001:db8::1", NULL);
	check_add_host("gw:host-gateway", NULL);
	check_add_host("db", "invalid --add-host 'db': expected NAME:IP");
	check_add_host("", "invalid --add-host '': expected NAME:IP");
	check_add_host(":10.0.0.5", "invalid --add-host ':10.0.0.5': expected NAME:IP");
	check_add_host("=10.0.0.5", "invalid --add-host '=10.0.0.5': expected NAME:IP");
	check_add_host("db:", "invalid --add-host 'db:': expected NAME:IP");
	check_add_host(
		"db:example.com",
		"invalid --add-host 'db:example.com': 'example.com' is not an IP address (or "
		"'host-gateway')");
	check_add_host("db:1.2.3", "invalid --add-host 'db:1.2.3': '1.2.3' is not an IP address "
				   "(or 'host-gateway')");
	check_add_host("db:10.0.0.5 x", "invalid --add-host 'db:10.0.0.5 x': '10.0.0.5 x' is not "
					"an IP address (or 'host-gateway')");
	check_add_host("gw:Host-Gateway", "invalid --add-host 'gw:Host-Gateway': 'Host-Gateway' is "
					  "not an IP address (or 'host-gateway')");
}

static char *slurp(const char *name)
{
	_cleanup_free_ char *path = fs_path_join(top, name);

	return fs_read_file(path, 1 << 20, NULL, NULL);
}

static void check_files(const struct net_etc_conf *c)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *host_resolv = fs_read_file("/etc/resolv.conf", 1 << 20, NULL, NULL);
	_cleanup_free_ char *host_hosts = strcmp(c->network, "host") == 0
						  ? fs_read_file("/etc/hosts", 1 << 20, NULL, NULL)
						  : NULL;
	_cleanup_free_ char *want_hosts = net_hosts_text(c, host_hosts);
	_cleanup_free_ char *want_resolv = net_resolv_text(c, host_resolv);
	_cleanup_free_ char *hosts_file = NULL, *hostname = NULL, *resolvconf = NULL;
	_cleanup_free_ char *path = fs_path_join(top, "hosts");
	struct stat st;

	ok(net_etc_files_write(top, c, &err) == 0 && err == NULL,
	   "%s network: the three files are written", c->network);
	hosts_file = slurp("hosts");
	hostname = slurp("hostname");
	resolvconf = slurp("resolv.conf");
	is_str(hosts_file, want_hosts, "  hosts");
	is_str(hostname, "box\n", "  hostname");
	is_str(resolvconf, want_resolv, "  resolv.conf");
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0644, "  mode 0644");
}

static void test_write(void)
{
	_cleanup_error_ struct rcr_error *err = NULL, *err2 = NULL;
	_cleanup_free_ char *missing = fs_path_join(top, "missing");
	_cleanup_free_ char *file = fs_path_join(top, "hostname");
	struct net_etc_conf pasta = {.hostname = "box",
				     .name = "ctr",
				     .network = "pasta",
				     .ctr_ip = "192.0.2.10",
				     .host_ip = "192.0.2.1",
				     .nameserver = "169.254.1.1",
				     .dns_search = V((char *)"a.test"),
				     .add_hosts = V((char *)"db:10.0.0.5")};
	struct net_etc_conf host = {.hostname = "box", .name = "ctr", .network = "host"};
	_cleanup_free_ char *pasta_hosts = net_hosts_text(&pasta, NULL);

	is_str(pasta_hosts,
	       LOCALHOST "10.0.0.5\tdb\n" HOSTS_INTERNAL("192.0.2.1") "192.0.2.10\tbox ctr\n",
	       "the pasta hosts text");
	check_files(&pasta);
	check_files(&host); /* replaces the previous files */
	ok(net_etc_files_write(missing, &pasta, &err) < 0 && err != NULL,
	   "a missing directory is an error");
	has_str(err ? err->msg : NULL, missing, "  naming the path");
	ok(!fs_exists(missing), "  and is not created");
	ok(net_etc_files_write(file, &pasta, &err2) < 0 && err2 != NULL,
	   "a file in place of the directory is an error (as root too)");
	has_str(err2 ? err2->msg : NULL, file, "  naming the path");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-etcfiles-XXXXXX",
		 tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_hosts();
	test_resolv_modes();
	test_resolv_options();
	test_add_host_check();
	test_write();
	ok(fs_rm_rf(top, NULL) == 0 && !fs_exists(top), "the test directory is removed");
	return tap_done();
}
