/* `rcr start [-a] [-i] CONTAINER...`: start created or exited containers; -a attaches to one and
 * exits with its code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"

static int start_one(struct cli_ctr_env *e, const char *id, void *arg, struct rcr_error **err)
{
	int code;

	(void)arg;
	return ctr_start(e->cs.st, e->monitor_path, id, false, NULL, &code, err);
}

static int start_attached(struct cli_ctr_env *e, const char *name, bool interactive,
			  struct rcr_error **err)
{
	struct cli_ctr c;
	struct ctr_state s;
	_cleanup_close_ int fd = -1;
	int code = 125;

	if (cli_ctr_find(e, name, true, NULL, &c, err) < 0 ||
	    ctr_start(e->cs.st, e->monitor_path, c.row.id, true, &fd, &code, err) < 0) {
		cli_ctr_release(&c);
		return code;
	}
	ctr_state_get(c.userdata, NULL, &s);
	code = ctr_attach_relay(fd, interactive && c.spec.stdin_open, c.spec.tty, s.run.pid);
	if (code >= 0 && c.spec.remove)
		ctr_attach_remove(e->cs.st, c.row.id, fd);
	if (code < 0)
		code = ctr_wait_exit(e->cs.st, c.row.id, err);
	cli_ctr_release(&c);
	return code < 0 ? 125 : code;
}

int cmd_start(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"attach", no_argument, NULL, 'a'},
		{"interactive", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool attach = false, interactive = false;
	struct cli_ctr_env e;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+aih", opts, NULL)) != -1) {
		if (c == 'a')
			attach = true;
		else if (c == 'i')
			interactive = true;
		else if (c == 'h') {
			printf("Usage: rcr start [-a] [-i] CONTAINER [CONTAINER...]\n");
			return 0;
		} else
			return cli_usage_error("start", argv[optind - 1], err);
	}
	if (optind >= argc) {
		rcr_error_set(err, EINVAL, "start requires at least 1 arg(s), only received 0");
		return -1;
	}
	if (attach && argc - optind != 1) {
		rcr_error_set(err, EINVAL,
			      "you cannot start and attach multiple containers at once");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	if (attach)
		rc = start_attached(&e, argv[optind], interactive, err);
	else
		rc = cli_ctr_each(&e, argv + optind, argc - optind, false, start_one, NULL, err);
	cli_ctr_close(&e);
	return rc;
}
