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

/* Lines "Iface Destination Gateway Flags ..." with hex addresses in network byte order as the
 * host stores them; a default route has destination 0 and mask 0 and is up (flag 1). */
bool net_route_parse(const char *text, struct net_host_route *out)
{
	const char *line = text ? strchr(text, '\n') : NULL;

	memset(out, 0, sizeof(*out));
	while (line != NULL && *++line != '\0') {
		char ifname[32];
		unsigned dest, gw, flags, mask;

		if (sscanf(line, "%31s %x %x %x %*d %*d %*d %x", ifname, &dest, &gw, &flags,
			   &mask) == 5 &&
		    dest == 0 && mask == 0 && (flags & 1)) {
			struct in_addr a = {gw};

			snprintf(out->ifname, sizeof(out->ifname), "%s", ifname);
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
