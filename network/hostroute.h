/* The host's default IPv4 route, as pasta copies it into a container: the interface's address
 * (the container gets the same one) and the gateway (which pasta maps to the host's loopback).
 * Read from /proc/net/route and getifaddrs; nothing is changed.
 */
#ifndef RCR_NETWORK_HOSTROUTE_H
#define RCR_NETWORK_HOSTROUTE_H

#include <stdbool.h>

struct net_host_route {
	char ifname[32];
	char addr[16];	  /* the interface's IPv4 address, "" when it has none */
	char gateway[16]; /* "" when the default route has no gateway */
};

/* The first default IPv4 route; false when the host has none (or it cannot be read). */
bool net_host_default_route(struct net_host_route *out);

/* The IPv4 default route in the text of /proc/net/route (pure, for tests). */
bool net_route_parse(const char *text, struct net_host_route *out);

#endif
