/* The user-mode network helpers (DESIGN.md §3 step 3): pasta or slirp4netns, started by
 * rcr-monitor once the container's user and network namespaces exist and before its command may
 * run, attached to that network namespace, and stopped when the container exits.
 *
 * Must never leave a helper behind: the caller records the returned pid (with its start time) so
 * that whoever finds the container gone -- its monitor, or rcr after a killed monitor -- stops it.
 */
#ifndef RCR_NETWORK_HELPER_H
#define RCR_NETWORK_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include "pkg/error.h"

/* The address pasta's DNS forwarder answers on inside the container (as Podman 5). */
#define NET_PASTA_DNS "169.254.1.1"
/* slirp4netns's fixed addresses in its default 10.0.2.0/24. */
#define NET_SLIRP_CTR_IP  "10.0.2.100"
#define NET_SLIRP_GATEWAY "10.0.2.2"
#define NET_SLIRP_DNS	  "10.0.2.3"

/* Everything borrowed. */
struct net_helper_conf {
	const char *mode;   /* "pasta" or "slirp4netns" */
	const char *path;   /* the helper's binary */
	char *const *opts;  /* the mode's options ("pasta:A,B" -> {"A", "B"}), NULL: none */
	char *const *ports; /* published ports, canonical (network/ports.h), NULL: none */
	const char *mac;    /* --mac-address, or NULL */
	const char *rundir; /* the container's runtime dir: pid file, API socket */
};

struct net_helper {
	pid_t pid;   /* the helper process (pasta: its daemon); 0 when none runs */
	int exit_fd; /* slirp4netns: the write end of its --exit-fd (it exits when closed), or -1 */
};

/* Start the helper on the network namespace of ctr_pid (joining its user namespace) and wait
 * until it is ready: the container's interface is configured and every port is bound. Errors
 * carry the helper's own message. The helper's process is the caller's child or, for pasta's
 * daemon, an orphan the caller (a child subreaper) inherits. */
int net_helper_start(const struct net_helper_conf *c, pid_t ctr_pid, struct net_helper *out,
		     struct rcr_error **err);

/* Stop it (SIGKILL: neither helper has state to save) and reap it when it is the caller's. */
void net_helper_stop(struct net_helper *h);

/* Check the mode's options ("allow_host_loopback=true", pasta's own words) at create: 0, or -1
 * naming the option. */
int net_helper_check_opts(const char *mode, char *const *opts, struct rcr_error **err);

/* True when slirp4netns options give the container the host's loopback (allow_host_loopback). */
bool net_slirp_host_loopback(char *const *opts);

/* internal: pasta.c and slirp.c */
int net_pasta_start(const struct net_helper_conf *c, pid_t ctr_pid, struct net_helper *out,
		    struct rcr_error **err);
int net_slirp_start(const struct net_helper_conf *c, pid_t ctr_pid, struct net_helper *out,
		    struct rcr_error **err);
int net_slirp_check_opts(char *const *opts, struct rcr_error **err);

#endif
