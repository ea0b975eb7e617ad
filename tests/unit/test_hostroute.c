/* Unit tests of network/hostroute.c: the default IPv4 route in /proc/net/route text (the
 * kernel's layout: a header line, then tab-separated rows with hex addresses in network byte
 * order, padded with blanks), routes that are not default or not up, and the host's own route
 * read the same way. Texts are exact-size heap copies, so ASan sees any read past them.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/hostroute.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

#define HEADER                                                                                     \
	"Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT"      \
	"                                                       \n"
#define PAD "                                                                               \n"

/* A row: interface, destination, gateway, flags, metric, mask. */
#define ROW(ifname, dest, gw, flags, metric, mask)                                                 \
	ifname "\t" dest "\t" gw "\t" flags "\t0\t0\t" metric "\t" mask "\t0\t0\t0" PAD

/* net_route_parse on an exact-size heap copy of text (NULL stays NULL); out starts dirty. */
static bool parse(const char *text, struct net_host_route *out)
{
	_cleanup_free_ char *copy = text ? strdup(text) : NULL;

	memset(out, 'x', sizeof(*out));
	return net_route_parse(copy, out);
}

static void check_route(const char *text, const char *ifname, const char *gateway, const char *what)
{
	struct net_host_route r;
	bool found = parse(text, &r);

	ok(found, "%s: a default route", what);
	is_str(found ? r.ifname : NULL, ifname, "  interface");
	is_str(found ? r.gateway : NULL, gateway, "  gateway");
	is_str(found ? r.addr : NULL, "", "  no address from the text alone");
}

static void check_none(const char *text, const char *what)
{
	struct net_host_route r;

	ok(!parse(text, &r), "%s: no default route", what);
	ok(r.ifname[0] == '\0' && r.gateway[0] == '\0' && r.addr[0] == '\0', "  out is cleared");
}

static void test_parse(void)
{
	check_route(HEADER ROW("eth0", "00000000", "010200C0", "0003", "100", "00000000")
			    ROW("eth0", "000200C0", "00000000", "0001", "100", "00FFFFFF"),
		    "eth0", "192.0.2.1", "a default route with a gateway");
	check_route(HEADER ROW("eth0", "000200C0", "00000000", "0001", "100", "00FFFFFF")
			    ROW("wlan0", "00000000", "FE01A8C0", "0003", "600", "00000000"),
		    "wlan0", "192.168.1.254", "the default route after another route");
	check_route(HEADER ROW("tun0", "00000000", "00000000", "0001", "0", "00000000"), "tun0", "",
		    "a default route without a gateway");
	check_route(HEADER ROW("eth0", "00000000", "010200C0", "0002", "100", "00000000")
			    ROW("eth1", "00000000", "0101A8C0", "0003", "200", "00000000"),
		    "eth1", "192.168.1.1", "a default route that is not up is skipped");
	check_route(HEADER ROW("eth0", "00000000", "010200C0", "0003", "600", "00000000")
			    ROW("eth1", "00000000", "0101A8C0", "0003", "100", "00000000"),
		    "eth0", "192.0.2.1", "the first default route wins");
	check_route(HEADER ROW("enp0s31f6", "00000000", "0100000A", "0003", "0", "00000000"),
		    "enp0s31f6", "10.0.0.1", "a long interface name");
	check_route(HEADER "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0", "eth0",
		    "192.0.2.1", "a last row without newline or padding");
	check_none(HEADER ROW("eth0", "000200C0", "00000000", "0001", "100", "00FFFFFF"),
		   "only a subnet route");
	check_none(HEADER ROW("tun0", "00000000", "0100080A", "0003", "0", "00000080")
			   ROW("tun0", "00000080", "0100080A", "0003", "0", "00000080"),
		   "0.0.0.0/1 and 128.0.0.0/1 (a VPN's halves)");
	check_none(HEADER ROW("eth0", "00000000", "010200C0", "0002", "100", "00000000"),
		   "a default route that is not up");
	check_none(ROW("eth0", "00000000", "010200C0", "0003", "100", "00000000"),
		   "a route on the first line is the header");
	check_none(HEADER, "the header alone");
	check_none("Iface\tDestination", "a header without newline");
	check_none(HEADER "eth0\t00000000\t010200C0\n", "a short row");
	check_none(HEADER "garbage\n\n", "garbage");
	check_none("", "an empty text");
	check_none(NULL, "no text");
}

/* The host's route is what its /proc/net/route text says (plus the interface's address). */
static void test_host(void)
{
	_cleanup_free_ char *text = fs_read_file("/proc/net/route", 1 << 20, NULL, NULL);
	struct net_host_route want, got;
	bool has = net_route_parse(text, &want);

	ok(net_host_default_route(&got) == has, "net_host_default_route: %s",
	   has ? "found, as in /proc/net/route" : "none, as in /proc/net/route");
	ok(!has || (strcmp(got.ifname, want.ifname) == 0 && strcmp(got.gateway, want.gateway) == 0),
	   "  the same interface and gateway");
}

int main(void)
{
	test_parse();
	test_host();
	return tap_done();
}
