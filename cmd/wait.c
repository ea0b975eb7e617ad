/* `rcr wait [--condition C] CONTAINER...`: block until each container stops and print its exit
 * code (Podman's default condition "stopped"; "running" waits until it runs).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"

static int wait_running(struct cli_ctr_env *e, const char *name, struct rcr_error **err)
{
	for (;;) {
		struct store_container c = {0};
		struct ctr_state s;
		_cleanup_free_ char *ud = NULL;
		struct timespec ts = {0, 50000000};

		if (ctr_lookup(e->cs.st, name, &c, err) < 0)
			return -1;
		ud = ctr_userdata(e->cs.st, c.id);
		ctr_state_get(ud, c.state, &s);
		store_container_release(&c);
		if (s.status == CTR_RUNNING)
			return 0;
		nanosleep(&ts, NULL);
	}
}

int cmd_wait(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"condition", required_argument, NULL, 'c'},
		{"interval", required_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *cond = "stopped";
	struct cli_ctr_env e;
	int c, rc = 0;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+i:h", opts, NULL)) != -1) {
		if (c == 'c')
			cond = optarg;
		else if (c == 'h') {
			printf("Usage: rcr wait [--condition stopped|exited|running] "
			       "CONTAINER...\n");
			return 0;
		} else if (c != 'i')
			return cli_usage_error("wait", argv[optind - 1], err);
	}
	if (strcmp(cond, "stopped") != 0 && strcmp(cond, "exited") != 0 &&
	    strcmp(cond, "running") != 0) {
		rcr_error_set(err, EINVAL,
			      "unsupported wait condition '%s': use stopped, exited or "
			      "running",
			      cond);
		return -1;
	}
	if (optind >= argc) {
		rcr_error_set(err, EINVAL, "wait requires at least 1 arg(s), only received 0");
		return -1;
	}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	for (int i = optind; i < argc && rc == 0; i++) {
		if (strcmp(cond, "running") == 0) {
			rc = wait_running(&e, argv[i], err);
			if (rc == 0)
				printf("-1\n");
			continue;
		}
		rc = ctr_wait_exit(e.cs.st, argv[i], err);
		if (rc >= -1)
			printf("%d\n", rc), rc = 0;
		else
			rc = -1;
	}
	cli_ctr_close(&e);
	return rc;
}
