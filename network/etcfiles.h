/* The /etc files rcr generates for a container (bind-mounted over the image's): hosts, hostname
 * and resolv.conf, as Podman writes them for its network modes.
 */
#ifndef RCR_NETWORK_ETCFILES_H
#define RCR_NETWORK_ETCFILES_H

#include "pkg/error.h"

/* Text of /etc/hosts for a container named name with hostname (owned). */
char *net_hosts_text(const char *hostname, const char *name, const char *network);

/* Text of /etc/resolv.conf from the host's (host_text, may be NULL): "none" keeps nothing but the
 * search and options lines (there is no network to reach a server through); "host" keeps it all.
 * Owned. */
char *net_resolv_text(const char *host_text, const char *network);

/* Write dir/hosts, dir/hostname and dir/resolv.conf. */
int net_etc_files_write(const char *dir, const char *hostname, const char *name,
			const char *network, struct rcr_error **err);

#endif
