/* `rcr kill [-s SIGNAL] [-a] CONTAINER...`: send a signal (default SIGKILL) to running
 * containers.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"

static int kill_one(struct cli_ctr_env *e, const char *id, void *arg, struct rcr_error **err)
{
	return ctr_kill(e->cs.st, id, *(int *)arg, err);
}

int cmd_kill(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"signal", required_argument, NULL, 's'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int sig = SIGKILL, c, rc;
	bool all = false;
	struct cli_ctr_env e;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+s:ah", opts, NULL)) != -1) {
		if (c == 's') {
			sig = rt_signal_from_name(optarg);
			if (sig < 0) {
				rcr_error_set(err, EINVAL,
					      "invalid signal '%s': use a name such as "
					      "TERM or KILL, or a number",
					      optarg);
				return -1;
			}
		} else if (c == 'a') {
			all = true;
		} else if (c == 'h') {
			printf("Usage: rcr kill [-s SIGNAL] [-a] CONTAINER [CONTAINER...]\n");
			return 0;
		} else {
			return cli_usage_error("kill", argv[optind - 1], err);
		}
	}
	if (optind >= argc && !all) {
		rcr_error_set(err, EINVAL, "kill requires at least 1 arg(s), only received 0");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = cli_ctr_each(&e, argv + optind, argc - optind, all, kill_one, &sig, err);
	cli_ctr_close(&e);
	return rc;
}
