/* Published ports (-p/--publish, -P) as Podman spells them: parsing is pure (port specs are
 * parsed at create, kept in the spec in rcr's canonical form and parsed again by the monitor);
 * the checks that look at the host (free ports, the unprivileged port floor) are separate.
 */
#ifndef RCR_NETWORK_PORTS_H
#define RCR_NETWORK_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/error.h"

#define NET_PORTS_MAX 64

struct net_port {
	char host_ip[48];   /* "" = every address; IPv6 without brackets */
	uint16_t host_port; /* the first host port; 0 = a free one is picked (net_ports_pick) */
	uint16_t ctr_port;  /* the first container port */
	uint16_t count;	    /* ports in the range, >= 1 */
	bool udp;	    /* else tcp */
};

/* One -p argument: "[[IP:][HOSTPORT]:]CTRPORT[/PROTO]" where ports may be ranges ("8080-8081")
 * of equal length, IP may be "[::1]", PROTO "tcp", "udp" or "tcp,udp". Appends to v (n entries,
 * at most NET_PORTS_MAX); errors name the argument and what is wrong. */
int net_port_parse(const char *arg, struct net_port *v, size_t *n, struct rcr_error **err);

/* An image's ExposedPorts key ("80/tcp", "53/udp", "8000-8002/tcp"): a port published on a
 * free host port (-P). */
int net_port_parse_exposed(const char *key, struct net_port *v, size_t *n, struct rcr_error **err);

/* The canonical text of p ("127.0.0.1:8080-8081:80-81/tcp", "[::1]:8080:80/udp", "8080:80/tcp"),
 * which net_port_parse reads back to the same port. Owned. */
char *net_port_format(const struct net_port *p);

/* Two entries that would bind the same host port and protocol on overlapping addresses. */
int net_ports_check_unique(const struct net_port *v, size_t n, struct rcr_error **err);

/* Host ports below floor (net.ipv4.ip_unprivileged_port_start) cannot be bound by a user. */
int net_ports_check_floor(const struct net_port *v, size_t n, int floor, struct rcr_error **err);
/* The host's net.ipv4.ip_unprivileged_port_start (1024 when unreadable). */
int net_unprivileged_port_start(void);

/* Give every entry with host_port 0 a free host port (the kernel's pick, one per port: a range
 * becomes single ports). */
int net_ports_pick(struct net_port *v, size_t *n, struct rcr_error **err);

/* Every host port can be bound now (nothing else listens there): the error names the port, its
 * address and the fix. */
int net_ports_check_free(const struct net_port *v, size_t n, struct rcr_error **err);

#endif
