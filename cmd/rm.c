/* `rcr rm [-f] [-a] [-v] [-i] CONTAINER...`: remove containers and their writable layers, with
 * -v their anonymous volumes. Exit codes as Podman: 1 when a container does not exist, 2 when
 * one is running (without -f).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"

struct rm_args {
	bool force, ignore, volumes;
	int worst; /* ENOENT or EBUSY seen */
};

static int rm_one(struct cli_ctr_env *e, const char *id, void *arg, struct rcr_error **err)
{
	struct rm_args *a = arg;

	if (ctr_remove(e->cs.st, id, a->force, a->volumes, err) == 0)
		return 0;
	if ((*err)->code == ENOENT && a->ignore) {
		rcr_error_clear(err);
		return 0;
	}
	if ((*err)->code == EBUSY)
		a->worst = EBUSY;
	else if ((*err)->code == ENOENT && a->worst != EBUSY)
		a->worst = ENOENT;
	return -1;
}

int cmd_rm(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"all", no_argument, NULL, 'a'},
		{"volumes", no_argument, NULL, 'v'},
		{"ignore", no_argument, NULL, 'i'},
		{"time", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rm_args a = {0};
	bool all = false;
	struct cli_ctr_env e;
	int c, rc, ignored;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+favit:h", opts, NULL)) != -1) {
		if (c == 'f')
			a.force = true;
		else if (c == 'a')
			all = true;
		else if (c == 'i')
			a.ignore = true;
		else if (c == 'v')
			a.volumes = true;
		else if (c == 't' && cli_parse_timeout(optarg, &ignored, err) < 0)
			return -1;
		else if (c == 'h') {
			printf("Usage: rcr rm [-f] [-a] [-v] [-i] CONTAINER [CONTAINER...]\n");
			return 0;
		} else if (c != 't')
			return cli_usage_error("rm", argv[optind - 1], err);
	}
	if (optind >= argc && !all) {
		rcr_error_set(err, EINVAL, "rm requires at least 1 arg(s), only received 0");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = cli_ctr_each(&e, argv + optind, argc - optind, all, rm_one, &a, err);
	cli_ctr_close(&e);
	if (rc < 0 && a.worst == EBUSY)
		return 2;
	if (rc < 0 && a.worst == ENOENT)
		return 1;
	return rc;
}
