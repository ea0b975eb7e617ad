/* A container's network as `rcr create` decides it (the mode, its helper, published ports, the
 * generated /etc files) and as inspect, ps and port show it. Decisions live here; network/ holds
 * the parsers and the helpers' mechanics.
 */
#ifndef RCR_CONTAINER_NETWORK_H
#define RCR_CONTAINER_NETWORK_H

#include <jansson.h>

#include "container/container.h"
#include "pkg/error.h"
#include "runtime/spec.h"

/* --network (default: pasta when installed and the host has a default route, else
 * slirp4netns; container:NAME is looked up in st), its options, -p/-P (free host ports picked
 * now), --mac-address: into s. */
int ctr_net_make(struct store *st, const struct ctr_opts *o, json_t *image_config,
		 struct rt_spec *s, struct rcr_error **err);

/* After the id maps are decided: container:NAME and ns:PATH run in the user namespace that
 * owns the joined network, so they refuse maps of the container's own. */
int ctr_net_check_userns(const struct rt_spec *s, struct rcr_error **err);

/* Refuse to remove c while other containers join its network (--network container:NAME), as
 * Podman: the error names them. */
int ctr_net_check_dependents(struct store *st, const struct store_container *c,
			     struct rcr_error **err);

/* Write hosts, hostname and resolv.conf into s->userdata for s's network. */
int ctr_net_write_etc(const struct ctr_opts *o, const struct rt_spec *s, struct rcr_error **err);

/* Published ports as Docker's inspect shows them: {"80/tcp": [{"HostIp": "", "HostPort":
 * "8080"}]} (owned). */
json_t *ctr_ports_json(char *const *ports);

/* ps --format json's "Ports", as Podman 4: [{"host_ip", "container_port", "host_port", "range",
 * "protocol"}] (owned). */
json_t *ctr_ports_podman_json(char *const *ports);

/* ps's PORTS column: "0.0.0.0:8080->80/tcp, 127.0.0.1:9000-9001->90-91/udp" (owned). */
char *ctr_ports_summary(char *const *ports);

/* `rcr port` lines ("80/tcp -> 0.0.0.0:8080"), only those of filter ("80" or "80/udp") when
 * not NULL; owned strv. */
char **ctr_port_lines(char *const *ports, const char *filter);

#endif
