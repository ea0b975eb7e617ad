/* `rcr attach [--no-stdin] [--sig-proxy] CONTAINER`: connect the terminal to a running
 * container's output (and stdin when it was created with -i), until it exits; exit with its code.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"

int cmd_attach(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"no-stdin", no_argument, NULL, 'n'},
		{"sig-proxy", optional_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool no_stdin = false;
	struct cli_ctr_env e;
	struct cli_ctr c;
	_cleanup_close_ int fd = -1;
	int ch, rc;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (ch == 'n')
			no_stdin = true;
		else if (ch == 'h') {
			printf("Usage: rcr attach [--no-stdin] CONTAINER\n");
			return 0;
		} else if (ch != 's')
			return cli_usage_error("attach", argv[optind - 1], err);
	}
	if (argc - optind != 1) {
		rcr_error_set(err, EINVAL, "attach requires exactly 1 arg(s)");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = -1;
	if (cli_ctr_find(&e, argv[optind], true, "you can only attach to running containers", &c,
			 err) == 0 &&
	    (fd = ctr_attach_connect(c.spec.rundir, err)) >= 0) {
		rc = ctr_attach_relay(fd, c.spec.stdin_open && !no_stdin, c.spec.tty,
				      c.state.run.pid);
		if (rc < 0)
			rc = ctr_wait_exit(e.cs.st, c.row.id, err);
		if (rc < 0)
			rc = 125;
	}
	cli_ctr_release(&c);
	cli_ctr_close(&e);
	return rc;
}
