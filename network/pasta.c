/* pasta (Debian's passt package) for a container: one run of `pasta --config-net ... PID` joins
 * the container's user and network namespaces, copies the host's addresses and routes onto a tap
 * interface there, binds the published ports on the host and forks its daemon once everything is
 * ready; the first process then exits 0 and the daemon's pid is in the pid file.
 *
 * Must never let pasta guess: ports are always given explicitly (pasta's default "auto" would
 * forward every port the container happens to bind).
 */
#include "network/helper.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "network/ports.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"

#define ARGS_MAX (32 + 2 * NET_PORTS_MAX)

struct args {
	char *v[ARGS_MAX + 1];
	size_t n;
	bool full;
};

static void add(struct args *a, const char *s)
{
	if (a->n >= ARGS_MAX || s == NULL) {
		a->full = true;
		return;
	}
	a->v[a->n++] = strdup(s);
}

static void args_release(struct args *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	a->n = 0;
}

/* "-t" "[ADDR/]HOST[-END]:CTR[-END]" for each port of the protocol. */
static int add_ports(struct args *a, char *const *ports, bool udp, struct rcr_error **err)
{
	bool any = false;

	for (size_t i = 0; ports != NULL && ports[i] != NULL; i++) {
		struct net_port p[2];
		size_t n = 0;
		char spec[96];

		if (net_port_parse(ports[i], p, &n, err) < 0)
			return -1;
		if (p[0].udp != udp)
			continue;
		if (p[0].count > 1)
			snprintf(spec, sizeof(spec), "%s%s%u-%u:%u-%u", p[0].host_ip,
				 p[0].host_ip[0] ? "/" : "", p[0].host_port,
				 p[0].host_port + p[0].count - 1, p[0].ctr_port,
				 p[0].ctr_port + p[0].count - 1);
		else
			snprintf(spec, sizeof(spec), "%s%s%u:%u", p[0].host_ip,
				 p[0].host_ip[0] ? "/" : "", p[0].host_port, p[0].ctr_port);
		add(a, udp ? "-u" : "-t");
		add(a, spec);
		any = true;
	}
	if (!any) {
		add(a, udp ? "-u" : "-t");
		add(a, "none");
	}
	return 0;
}

static int build_args(const struct net_helper_conf *c, pid_t ctr_pid, const char *pidfile,
		      struct args *a, struct rcr_error **err)
{
	char pid[16];

	add(a, c->path);
	add(a, "--config-net");
	add(a, "--quiet");
	if (add_ports(a, c->ports, false, err) < 0 || add_ports(a, c->ports, true, err) < 0)
		return -1;
	/* nothing from the container's side is forwarded to the host's ports */
	add(a, "-T"), add(a, "none"), add(a, "-U"), add(a, "none");
	add(a, "--dns-forward"), add(a, NET_PASTA_DNS);
	if (c->mac != NULL)
		add(a, "--ns-mac-addr"), add(a, c->mac);
	add(a, "--pid"), add(a, pidfile);
	for (size_t i = 0; c->opts != NULL && c->opts[i] != NULL; i++)
		add(a, c->opts[i]);
	snprintf(pid, sizeof(pid), "%d", (int)ctr_pid);
	add(a, pid);
	if (a->full) {
		rcr_error_set(err, E2BIG, "too many options for pasta");
		return -1;
	}
	a->v[a->n] = NULL;
	return 0;
}

/* pasta's stderr without the noise of a missing syslog. */
static void clean_message(char *text)
{
	char *out = text;

	if (text == NULL)
		return;
	for (char *line = text; line != NULL && *line != '\0';) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);

		if (len > 0 && strstr(line, "to syslog") == NULL) {
			if (out != text)
				*out++ = ' ';
			memmove(out, line, len);
			out += len;
		}
		line = nl ? nl + 1 : NULL;
	}
	*out = '\0';
}

static pid_t read_pidfile(const char *path, struct rcr_error **err)
{
	_cleanup_free_ char *text = fs_read_file(path, 64, NULL, err);
	long pid = text ? strtol(text, NULL, 10) : 0;

	if (text != NULL && pid <= 0)
		rcr_error_set(err, EINVAL, "pasta wrote no pid into '%s'", path);
	return text != NULL && pid > 0 ? (pid_t)pid : -1;
}

int net_pasta_start(const struct net_helper_conf *c, pid_t ctr_pid, struct net_helper *out,
		    struct rcr_error **err)
{
	_cleanup_free_ char *pidfile = fs_path_join(c->rundir, "pasta.pid");
	struct proc_result r = {0};
	struct args a = {0};
	int rc = -1;

	*out = (struct net_helper){0, -1};
	if (build_args(c, ctr_pid, pidfile, &a, err) < 0 || proc_run(a.v, NULL, true, &r, err) < 0)
		goto out;
	if (r.exit_code != 0) {
		clean_message(r.errout);
		rcr_error_set(err, EIO, "pasta failed (exit code %d): %s", r.exit_code,
			      r.errout && *r.errout ? r.errout : "no message");
		goto out;
	}
	out->pid = read_pidfile(pidfile, err);
	rc = out->pid > 0 ? 0 : -1;
out:
	proc_result_release(&r);
	args_release(&a);
	return rc;
}
