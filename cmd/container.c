/* `rcr container ...`: the container commands under one group (as Podman), plus the ones that
 * live only here: exists, prune, and cleanup (the monitor's exit command for --rm).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"

/* `rcr container exists NAME`: exit 0 when it exists, 1 when not. */
static int cmd_container_exists(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct cli_ctr_env e;
	struct store_container c = {0};
	int rc;

	if (argc != 2) {
		rcr_error_set(err, EINVAL, "container exists requires exactly 1 arg(s)");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = store_container_get(e.cs.st, argv[1], &c, err);
	store_container_release(&c);
	cli_ctr_close(&e);
	return rc < 0 ? -1 : rc == 1 ? 0 : 1;
}

/* `rcr container prune [-f]`: remove every container that is not running. */
static int cmd_container_prune(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct cli_ctr_env e;
	struct store_container *list = NULL;
	size_t n = 0;
	int rc = 0;

	(void)argv;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-f") != 0 && strcmp(argv[i], "--force") != 0)
			return cli_usage_error("container prune", argv[i], err);
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	if (store_container_list(e.cs.st, &list, &n, err) < 0) {
		cli_ctr_close(&e);
		return -1;
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		_cleanup_free_ char *ud = ctr_userdata(e.cs.st, list[i].id);
		struct ctr_state s;

		ctr_state_get(ud, list[i].state, &s);
		if (s.status != CTR_CREATED && s.status != CTR_EXITED)
			continue;
		rc = ctr_remove(e.cs.st, list[i].id, false, false, err);
		if (rc == 0)
			printf("%s\n", list[i].id);
	}
	store_container_free(list, n);
	cli_ctr_close(&e);
	return rc;
}

/* `rcr container cleanup [--rm] ID`: run by the monitor after the container exited. A container
 * already gone or being removed by `rcr rm` is nothing to do; --rm takes the container's
 * anonymous volumes too (Podman). */
static int cmd_container_cleanup(struct cli_global *g, int argc, char **argv,
				 struct rcr_error **err)
{
	struct cli_ctr_env e;
	struct store_container c = {0};
	bool remove = argc == 3 && strcmp(argv[1], "--rm") == 0;
	int rc;

	if (argc < 2 || argc > 3 || (argc == 3 && !remove)) {
		rcr_error_set(err, EINVAL, "usage: rcr container cleanup [--rm] ID");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = store_container_get(e.cs.st, argv[argc - 1], &c, err);
	if (rc == 1 && remove && strcmp(c.state, "removing") != 0)
		rc = ctr_remove(e.cs.st, c.id, false, true, err);
	store_container_release(&c);
	cli_ctr_close(&e);
	return rc < 0 ? -1 : 0;
}

static const struct cli_command container_commands[] = {
	{"attach", cmd_attach, "Attach to a running container"},
	{"cleanup", cmd_container_cleanup, "Clean up after a container exited (internal)"},
	{"cp", cmd_cp, "Copy files between a container and the host"},
	{"create", cmd_create, "Create a container"},
	{"exec", cmd_exec, "Run a command in a running container"},
	{"exists", cmd_container_exists, "Check whether a container exists"},
	{"inspect", cmd_container_inspect, "Display the configuration of containers"},
	{"kill", cmd_kill, "Send a signal to running containers"},
	{"list", cmd_ps, "List containers"},
	{"logs", cmd_logs, "Fetch the logs of containers"},
	{"ls", cmd_ps, "List containers"},
	{"port", cmd_port, "List port mappings of a container"},
	{"prune", cmd_container_prune, "Remove all stopped containers"},
	{"ps", cmd_ps, "List containers"},
	{"rename", cmd_rename, "Rename a container"},
	{"restart", cmd_restart, "Restart containers"},
	{"rm", cmd_rm, "Remove containers"},
	{"run", cmd_run, "Run a command in a new container"},
	{"start", cmd_start, "Start containers"},
	{"stop", cmd_stop, "Stop containers"},
	{"top", cmd_top, "Display the processes of a container"},
	{"wait", cmd_wait, "Wait for containers to stop"},
	{NULL, NULL, NULL},
};

int cmd_container(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return cli_dispatch("container", container_commands, g, argc - 1, argv + 1, err);
}
