/* Command-table dispatch and Podman-style usage errors, shared by rcr and its command groups
 * (`rcr system ...`, later `rcr image ...`, `rcr container ...`).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static void print_group_help(const char *group, const struct cli_command *cmds)
{
	printf("Usage: rcr %s COMMAND\n\nCommands:\n", group);
	for (const struct cli_command *c = cmds; c->name != NULL; c++)
		printf("  %-10s %s\n", c->name, c->summary);
}

int cli_dispatch(const char *group, const struct cli_command *cmds, struct cli_global *g, int argc,
		 char **argv, struct rcr_error **err)
{
	if (group != NULL &&
	    (argc < 1 || strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0)) {
		print_group_help(group, cmds);
		if (argc < 1) {
			rcr_error_set(err, EINVAL, "missing command 'rcr %s COMMAND'", group);
			return -1;
		}
		return 0;
	}
	for (const struct cli_command *c = cmds; c->name != NULL; c++) {
		if (strcmp(c->name, argv[0]) == 0) {
			/* Each subcommand parses its own flags with getopt from argv[0]. */
			optind = 0;
			return c->run(g, argc, argv, err);
		}
	}
	if (group != NULL)
		rcr_error_set(err, EINVAL,
			      "unrecognized command `rcr %s %s`\nTry 'rcr %s --help' for more "
			      "information",
			      group, argv[0], group);
	else
		rcr_error_set(
			err, EINVAL,
			"unrecognized command `rcr %s`\nTry 'rcr --help' for more information",
			argv[0]);
	return -1;
}

int cli_usage_error(const char *cmd, const char *what, struct rcr_error **err)
{
	const char *kind = (what != NULL && what[0] == '-') ? "unknown flag" : "invalid argument";

	if (cmd != NULL)
		rcr_error_set(err, EINVAL, "%s: %s\nSee 'rcr %s --help'", kind, what ? what : "",
			      cmd);
	else
		rcr_error_set(err, EINVAL, "%s: %s\nSee 'rcr --help'", kind, what ? what : "");
	return -1;
}
