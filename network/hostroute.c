/* The host's default route (hostroute.h). */
#include "network/hostroute.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

static unsigned long hex_of(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 16);

	return *end == '\0' ? v : ~0UL;
}

static bool hex_is(const char *s, unsigned long want)
{
	return hex_of(s) == want;
}

/* Lines "Iface Destination Gateway Flags ..." with hex addresses in network byte order as the
 * host stores them; a default route has destination 0 and mask 0 and is up (flag 1). */
bool net_route_parse(const char *text, struct net_host_route *out)
{
	const char *line = text ? strchr(text, '\n') : NULL;

	memset(out, 0, sizeof(*out));
	while (line != NULL && *++line != '\0') {
		const char *nl = strchr(line, '\n');
		char row[256], *f[8], *save = NULL;
		size_t n = 0, len = nl ? (size_t)(nl - line) : strlen(line);

		snprintf(row, sizeof(row), "%.*s", (int)(len < sizeof(row) ? len : sizeof(row) - 1),
			 line);
		for (char *w = strtok_r(row, " \t", &save); w != NULL && n < 8;
		     w = strtok_r(NULL, " \t", &save))
			f[n++] = w;
		if (n == 8 && strlen(f[0]) < sizeof(out->ifname) && hex_is(f[1], 0) &&
		    hex_is(f[7], 0) && hex_of(f[2]) <= 0xffffffffUL && hex_of(f[3]) != ~0UL &&
		    (hex_of(f[3]) & 1)) {
			struct in_addr a = {(in_addr_t)hex_of(f[2])};
			unsigned long gw = a.s_addr;

			snprintf(out->ifname, sizeof(out->ifname), "%s", f[0]);
			if (gw != 0)
				inet_ntop(AF_INET, &a, out->gateway, sizeof(out->gateway));
			return true;
		}
		line = strchr(line, '\n');
	}
	return false;
}

static void iface_addr(struct net_host_route *r)
{
	struct ifaddrs *all = NULL;

	if (getifaddrs(&all) < 0)
		return;
	for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
		    strcmp(i->ifa_name, r->ifname) == 0) {
			inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, r->addr,
				  sizeof(r->addr));
			break;
		}
	freeifaddrs(all);
}

bool net_host_default_route(struct net_host_route *out)
{
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_free_ char *text = fs_read_file("/proc/net/route", 1 << 20, NULL, &ignored);

	if (!net_route_parse(text, out))
		return false;
	iface_addr(out);
	return true;
}
