/* The /etc files rcr generates for a container (bind-mounted over the image's): hosts, hostname
 * and resolv.conf, as Podman writes them for its network modes.
 */
#ifndef RCR_NETWORK_ETCFILES_H
#define RCR_NETWORK_ETCFILES_H

#include "pkg/error.h"

/* What the files say. Everything is borrowed; NULL vectors are empty. */
struct net_etc_conf {
	const char *hostname, *name;
	const char *network;	  /* the mode: "host" keeps the host's files */
	const char *ctr_ip;	  /* the container's own address for its names (NULL: 127.0.1.1) */
	const char *host_ip;	  /* host.containers.internal (NULL: no entry) */
	const char *nameserver;	  /* the helper's DNS forwarder (NULL: none; "host" ignores it) */
	char *const *dns;	  /* --dns: replaces every nameserver */
	char *const *dns_search;  /* --dns-search: replaces the search lines ("." drops them) */
	char *const *dns_options; /* --dns-option: replaces the options lines */
	char *const *add_hosts;	  /* --add-host "NAME:IP" (checked by the caller) */
};

/* Text of /etc/hosts (owned): localhost, --add-host entries, host.containers.internal and the
 * container's hostname and name; with the host network the host's own file first. */
char *net_hosts_text(const struct net_etc_conf *c, const char *host_hosts);

/* Text of /etc/resolv.conf from the host's (host_text, may be NULL). The host network keeps it
 * all; otherwise its nameservers go (they may be unreachable from the container, e.g. a
 * resolver on the host's loopback) and the helper's forwarder comes in, search and options stay.
 * --dns, --dns-search and --dns-option replace what they name. Owned. */
char *net_resolv_text(const struct net_etc_conf *c, const char *host_text);

/* Write dir/hosts, dir/hostname and dir/resolv.conf. */
int net_etc_files_write(const char *dir, const struct net_etc_conf *c, struct rcr_error **err);

/* "NAME:IP" of --add-host (Docker also takes "NAME=IP"; IP may be an IPv6 address or
 * "host-gateway"): 0, or -1 with an error naming the argument. */
int net_add_host_check(const char *arg, struct rcr_error **err);

#endif
