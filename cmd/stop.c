/* `rcr stop [-t N] [-a] CONTAINER...` and `rcr restart`: the stop signal, then SIGKILL after the
 * timeout; restart starts each again (detached).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"

struct stop_args {
	int timeout;
	bool restart;
};

static int stop_one(struct cli_ctr_env *e, const char *id, void *arg, struct rcr_error **err)
{
	struct stop_args *a = arg;
	int code;

	if (ctr_stop(e->cs.st, id, 0, a->timeout, err) < 0)
		return -1;
	return a->restart ? ctr_start(e->cs.st, e->monitor_path, id, false, NULL, &code, err) : 0;
}

static int stop_or_restart(struct cli_global *g, const char *cmd, int argc, char **argv,
			   struct rcr_error **err)
{
	static const struct option opts[] = {
		{"time", required_argument, NULL, 't'},
		{"timeout", required_argument, NULL, 't'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct stop_args a = {-1, strcmp(cmd, "restart") == 0};
	bool all = false;
	struct cli_ctr_env e;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+t:ah", opts, NULL)) != -1) {
		if (c == 't' && cli_parse_timeout(optarg, &a.timeout, err) < 0)
			return -1;
		else if (c == 'a')
			all = true;
		else if (c == 'h') {
			printf("Usage: rcr %s [-t SECONDS] [-a] CONTAINER [CONTAINER...]\n", cmd);
			return 0;
		} else if (c != 't')
			return cli_usage_error(cmd, argv[optind - 1], err);
	}
	if (optind >= argc && !all) {
		rcr_error_set(err, EINVAL, "%s requires at least 1 arg(s), only received 0", cmd);
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = cli_ctr_each(&e, argv + optind, argc - optind, all, stop_one, &a, err);
	cli_ctr_close(&e);
	return rc;
}

int cmd_stop(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return stop_or_restart(g, "stop", argc, argv, err);
}

int cmd_restart(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return stop_or_restart(g, "restart", argc, argv, err);
}
