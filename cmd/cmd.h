/* What the CLI's subcommands share: global options and the command table's entry type.
 *
 * A subcommand parses its own flags, calls into the libraries and prints its result. It returns
 * the process exit code (>= 0), or -1 with *err set, which cmd/main.c prints as "Error: ..." and
 * turns into exit code 125; or another exit code with *err set, printed the same way (rmi's 1 for
 * an unknown image). Subcommands never print errors themselves.
 */
#ifndef RCR_CMD_CMD_H
#define RCR_CMD_CMD_H

#include "pkg/error.h"

/* Exit codes shared with Podman and Docker. */
#define RCR_EXIT_ERROR	     125 /* rcr itself failed */
#define RCR_EXIT_CANNOT_EXEC 126 /* the container command exists but cannot run */
#define RCR_EXIT_NOT_FOUND   127 /* the container command was not found */

struct cli_global {
	const char *root;    /* --root (NULL: RCR_ROOT or XDG default) */
	const char *runroot; /* --runroot (NULL: the runtime dir decision of pkg/paths) */
	const char *argv0;   /* how rcr was invoked, to find rcr-monitor beside it */
};

struct cli_command {
	const char *name;
	int (*run)(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
	const char *summary;
};

/* Dispatch argv[0] among cmds (a NULL-named entry ends the table). group names the parent
 * command for messages ("system"). Prints the group's help for -h/--help or no argument. */
int cli_dispatch(const char *group, const struct cli_command *cmds, struct cli_global *g, int argc,
		 char **argv, struct rcr_error **err);

/* Podman's error for an unknown flag or bad argument count, e.g.
 * "unknown flag: --frob\nSee 'rcr info --help'". Returns -1 with err set. */
int cli_usage_error(const char *cmd, const char *what, struct rcr_error **err);

/* Subcommands. */
int cmd_version(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_info(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_system(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_login(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_logout(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_pull(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_images(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_rmi(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_tag(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_untag(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_image(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_inspect(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_image_inspect(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_image_exists(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_image_prune(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_import(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_run(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_create(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_start(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_stop(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_restart(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_kill(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_rm(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_ps(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_logs(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_exec(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_attach(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_wait(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_container_inspect(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_top(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_port(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_rename(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_cp(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_container(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_volume(struct cli_global *g, int argc, char **argv, struct rcr_error **err);
int cmd_system_check(struct cli_global *g, int argc, char **argv, struct rcr_error **err);

#endif
