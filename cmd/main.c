/* rcr's entry point: global flags, the command table, and the only place that prints errors.
 *
 * Must stay short: parsing of a subcommand's flags and its output live in that subcommand's file,
 * its work in the libraries. Exit codes: the subcommand's, or 125 for an rcr failure (as Podman).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pkg/cleanup.h"
#include "pkg/log.h"

static const struct cli_command top_commands[] = {
	{"attach", cmd_attach, "Attach to a running container"},
	{"container", cmd_container, "Manage containers"},
	{"cp", cmd_cp, "Copy files between a container and the host"},
	{"create", cmd_create, "Create a container"},
	{"exec", cmd_exec, "Run a command in a running container"},
	{"image", cmd_image, "Manage images"},
	{"images", cmd_images, "List images in the store"},
	{"import", cmd_import, "Import a tarball to create a filesystem image"},
	{"info", cmd_info, "Display rcr system information"},
	{"inspect", cmd_inspect, "Display the configuration of containers or images"},
	{"kill", cmd_kill, "Send a signal to running containers"},
	{"login", cmd_login, "Log in to a container registry"},
	{"logout", cmd_logout, "Log out of a container registry"},
	{"logs", cmd_logs, "Fetch the logs of containers"},
	{"port", cmd_port, "List port mappings of a container"},
	{"ps", cmd_ps, "List containers"},
	{"pull", cmd_pull, "Pull an image from a registry, an OCI layout or an archive"},
	{"rename", cmd_rename, "Rename a container"},
	{"restart", cmd_restart, "Restart containers"},
	{"rm", cmd_rm, "Remove containers"},
	{"rmi", cmd_rmi, "Remove images"},
	{"run", cmd_run, "Run a command in a new container"},
	{"start", cmd_start, "Start containers"},
	{"stop", cmd_stop, "Stop containers"},
	{"system", cmd_system, "Manage rcr: check the host for rootless prerequisites"},
	{"tag", cmd_tag, "Add names to an image"},
	{"top", cmd_top, "Display the processes of a container"},
	{"untag", cmd_untag, "Remove names from an image"},
	{"version", cmd_version, "Display the rcr version information"},
	{"volume", cmd_volume, "Manage volumes"},
	{"wait", cmd_wait, "Wait for containers to stop"},
	{NULL, NULL, NULL},
};

static void print_help(void)
{
	printf("Usage: rcr [options] COMMAND\n\n"
	       "A daemonless, rootless container tool.\n\nCommands:\n");
	for (const struct cli_command *c = top_commands; c->name != NULL; c++)
		printf("  %-10s %s\n", c->name, c->summary);
	printf("\nOptions:\n"
	       "  --log-level string   log messages at and above this level: debug, info, warn, "
	       "error (default \"warn\")\n"
	       "  --root string        path to the store (default $XDG_DATA_HOME/rcr)\n"
	       "  --runroot string     path to the runtime state dir (default "
	       "$XDG_RUNTIME_DIR/rcr)\n"
	       "  -v, --version        print the version and exit\n"
	       "  -h, --help           print this help\n");
}

/* Parse options up to the first non-option (the command), leaving the rest for it. */
static int parse_globals(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"log-level", required_argument, NULL, 'l'},
		{"root", required_argument, NULL, 'r'},
		{"runroot", required_argument, NULL, 'R'},
		{"version", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	enum rcr_log_level level;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (rcr_log_level_parse(optarg, &level) < 0) {
				rcr_error_set(
					err, EINVAL,
					"invalid log level '%s': use debug, info, warn or error",
					optarg);
				return -1;
			}
			rcr_log_set_level(level);
			break;
		case 'r':
			g->root = optarg;
			break;
		case 'R':
			g->runroot = optarg;
			break;
		case 'v':
			printf("rcr version %s\n", RCR_VERSION);
			return 1;
		case 'h':
			print_help();
			return 1;
		default:
			return cli_usage_error(NULL, argv[optind - 1], err);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cli_global g = {.argv0 = argv[0]};
	_cleanup_error_ struct rcr_error *err = NULL;
	int rc;

	rc = parse_globals(&g, argc, argv, &err);
	if (rc == 0) {
		if (optind >= argc) {
			print_help();
			rcr_error_set(&err, EINVAL, "missing command 'rcr COMMAND'");
			rc = -1;
		} else {
			rc = cli_dispatch(NULL, top_commands, &g, argc - optind, argv + optind,
					  &err);
		}
	} else if (rc == 1) {
		rc = 0;
	}
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "Error: %s\n", err ? err->msg : "unknown failure");
		return RCR_EXIT_ERROR;
	}
	/* A command may fail with its own exit code (rmi: 1 for an unknown image) and a reason. */
	if (err != NULL)
		fprintf(stderr, "Error: %s\n", err->msg);
	return rc;
}
