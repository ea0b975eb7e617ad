/* The monitor's side of the network helper (monitor.h, network/helper.h): ports checked before
 * the container exists, the helper started on its namespaces before its command may run and
 * recorded in net.json, and stopped before the exit is recorded.
 */
#include "monitor/monitor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/ports.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"

static bool has_helper(const struct mon *m)
{
	return m->spec.net_helper != NULL;
}

/* The helper would fail on a taken port too, but only after the namespaces were made: this
 * says which port, before anything exists. */
/* --network container:NAME: the other container's PID 1, from its run.json, must run; the
 * runtime joins /proc/PID/ns/net (and the user namespace that owns it). */
static int resolve_container(struct mon *m, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *ignored = NULL;
	struct mon_run_info r;
	char *path = NULL;

	if (!fs_exists(m->spec.netns_path)) {
		rcr_error_set(
			err, ENOENT,
			"container '%s', whose network this container joins, no longer exists",
			m->spec.net_target);
		return -1;
	}
	if (mon_state_read_run(m->spec.netns_path, &r, &ignored) != 1 ||
	    !mon_proc_matches(r.pid, r.pid_start, r.boot_id)) {
		rcr_error_set(err, ESRCH,
			      "container '%s', whose network this container joins, is not "
			      "running: start it first",
			      m->spec.net_target);
		return -1;
	}
	if (asprintf(&path, "/proc/%d/ns/net", (int)r.pid) < 0)
		return rcr_error_set(err, ENOMEM, "out of memory"), -1;
	free(m->spec.netns_path);
	m->spec.netns_path = path;
	return 0;
}

int mon_net_check(struct mon *m, struct rcr_error **err)
{
	struct net_port ports[NET_PORTS_MAX];
	size_t n = 0;

	if (strcmp(m->spec.network, "container") == 0)
		return resolve_container(m, err);
	if (!has_helper(m))
		return 0;
	for (size_t i = 0; m->spec.ports != NULL && m->spec.ports[i] != NULL; i++)
		if (net_port_parse(m->spec.ports[i], ports, &n, err) < 0)
			return -1;
	return net_ports_check_free(ports, n, err);
}

int mon_net_start(struct mon *m, pid_t pid, struct rcr_error **err)
{
	struct net_helper_conf c = {m->spec.network, m->spec.net_helper,  m->spec.net_opts,
				    m->spec.ports,   m->spec.mac_address, m->spec.rundir};

	if (!has_helper(m))
		return 0;
	if (net_helper_start(&c, pid, &m->net, err) < 0)
		return -1;
	if (mon_state_write_helper(m->spec.userdata, m->net.pid, err) < 0) {
		net_helper_stop(&m->net);
		return -1;
	}
	return 0;
}

/* Only this run's helper: a later run (rcr start right after the exit) may have its own. */
void mon_net_stop(struct mon *m)
{
	pid_t pid = m->net.pid;

	if (!has_helper(m))
		return;
	net_helper_stop(&m->net);
	if (pid > 0)
		mon_state_forget_helper(m->spec.userdata, pid);
}
