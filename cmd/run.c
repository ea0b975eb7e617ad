/* `rcr run` and `rcr create`: make a container from an image (pulling per --pull), and for run,
 * start it -- detached (print the id) or attached (stream its output and exit with its code).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"

static void print_help(const char *cmd)
{
	printf("Usage: rcr %s [options] IMAGE [COMMAND [ARG...]]\n\n"
	       "Options: -d, -i, -t, --rm, --name, --replace, --pull always|missing|never, -e,\n"
	       "  --env-file, --env-host, -u, -w, --entrypoint, --hostname, --cap-add, "
	       "--cap-drop,\n"
	       "  --privileged, --security-opt, --read-only, --read-only-tmpfs, --init, --ulimit,\n"
	       "  --tz, --network none|host, --log-driver, --log-opt, --stop-signal,\n"
	       "  --stop-timeout, --memory, --cpus, --pids-limit, --label, --group-add,\n"
	       "  -v, --mount, --tmpfs, --userns host|keep-id[:uid=N,gid=N]|nomap, --uidmap,\n"
	       "  --gidmap\n"
	       "See docs/rcr-run.md.\n",
	       cmd);
}

/* --rm holds for a container that could not start too: rcr returns when it is gone. */
static void remove_failed(struct cli_ctr_env *e, const struct ctr_flags *f, const char *id)
{
	_cleanup_error_ struct rcr_error *ignored = NULL;

	if (f->remove)
		ctr_remove(e->cs.st, id, true, true, &ignored);
}

/* Attached: connect before the command starts, relay until it exits, exit with its code. */
static int run_attached(struct cli_ctr_env *e, const struct ctr_flags *f, const char *id,
			struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	struct ctr_state s;
	_cleanup_free_ char *userdata = ctr_userdata(e->cs.st, id);
	int code = 125, rc;

	if (ctr_start(e->cs.st, e->monitor_path, id, true, &fd, &code, err) < 0) {
		remove_failed(e, f, id);
		return code;
	}
	ctr_state_get(userdata, NULL, &s);
	rc = ctr_attach_relay(fd, f->interactive, f->tty, f->sig_proxy ? s.run.pid : 0);
	if (rc >= 0 && f->remove)
		ctr_attach_remove(e->cs.st, id, fd);
	if (rc >= 0)
		return rc;
	/* The connection broke before the exit code came: ask the state files. */
	rc = ctr_wait_exit(e->cs.st, id, err);
	return rc >= 0 ? rc : (rc == -1 ? 125 : -1);
}

static int do_run(struct cli_global *g, const struct ctr_flags *f, bool start,
		  struct rcr_error **err)
{
	struct cli_ctr_env e;
	_cleanup_free_ char *id = NULL;
	int code = 125;

	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	id = cli_ctr_create(g, &e, f, err);
	if (id == NULL) {
		cli_ctr_close(&e);
		return -1;
	}
	if (!start || f->detach) {
		if (start && ctr_start(e.cs.st, e.monitor_path, id, false, NULL, &code, err) < 0) {
			remove_failed(&e, f, id);
			cli_ctr_close(&e);
			return code;
		}
		printf("%s\n", id);
		cli_ctr_close(&e);
		return 0;
	}
	fflush(stdout);
	code = run_attached(&e, f, id, err);
	cli_ctr_close(&e);
	return code;
}

static int run_or_create(struct cli_global *g, const char *cmd, int argc, char **argv,
			 struct rcr_error **err)
{
	struct ctr_flags f;
	int rc = ctr_flags_parse(cmd, argc, argv, &f, err);

	if (rc == 1)
		print_help(cmd);
	if (rc != 0) {
		ctr_flags_release(&f);
		return rc < 0 ? -1 : 0;
	}
	rc = do_run(g, &f, strcmp(cmd, "run") == 0, err);
	ctr_flags_release(&f);
	return rc;
}

int cmd_run(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return run_or_create(g, "run", argc, argv, err);
}

int cmd_create(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return run_or_create(g, "create", argc, argv, err);
}
