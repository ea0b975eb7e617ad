/* `rcr exec [-i] [-t] [-d] [-u USER] [-w DIR] [-e ...] [--env-file F] [--privileged] CONTAINER
 * CMD...`: run a process in a running container's namespaces with its capabilities and seccomp
 * profile. Attached, the process uses rcr's stdio (or a pty relayed by rcr) and rcr exits with its
 * code; 126/127 when the command cannot run or is not found.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "runtime/container.h"
#include "runtime/env.h"

extern char **environ;

struct exec_flags {
	bool interactive, tty, detach, privileged;
	const char *user, *workdir;
	char *env[64], *env_files[16];
	size_t n_env, n_env_files;
};

static int parse(int argc, char **argv, struct exec_flags *f, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"interactive", no_argument, NULL, 'i'},    {"tty", no_argument, NULL, 't'},
		{"detach", no_argument, NULL, 'd'},	    {"user", required_argument, NULL, 'u'},
		{"workdir", required_argument, NULL, 'w'},  {"env", required_argument, NULL, 'e'},
		{"env-file", required_argument, NULL, 'E'}, {"privileged", no_argument, NULL, 'P'},
		{"help", no_argument, NULL, 'h'},	    {NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+itdu:w:e:h", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			f->interactive = true;
			break;
		case 't':
			f->tty = true;
			break;
		case 'd':
			f->detach = true;
			break;
		case 'u':
			f->user = optarg;
			break;
		case 'w':
			f->workdir = optarg;
			break;
		case 'P':
			f->privileged = true;
			break;
		case 'e':
			if (f->n_env < 63)
				f->env[f->n_env++] = optarg;
			break;
		case 'E':
			if (f->n_env_files < 15)
				f->env_files[f->n_env_files++] = optarg;
			break;
		case 'h':
			printf("Usage: rcr exec [options] CONTAINER COMMAND [ARG...]\n");
			return 1;
		default:
			return cli_usage_error("exec", argv[optind - 1], err);
		}
	}
	if (argc - optind < 2) {
		rcr_error_set(err, EINVAL, "exec requires at least 2 arg(s): CONTAINER COMMAND");
		return -1;
	}
	return 0;
}

static int build_env(const struct rt_spec *s, const struct exec_flags *f, struct rt_env *env,
		     struct rcr_error **err)
{
	for (size_t i = 0; s->env != NULL && s->env[i] != NULL; i++)
		if (rt_env_set(env, s->env[i], err) < 0)
			return -1;
	for (size_t i = 0; i < f->n_env_files; i++) {
		size_t len;
		_cleanup_free_ char *text = fs_read_file(f->env_files[i], 16 << 20, &len, err);

		if (text == NULL ||
		    rt_env_parse_file(env, text, len, f->env_files[i], environ, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < f->n_env; i++)
		if (rt_env_apply_arg(env, f->env[i], environ, err) < 0)
			return -1;
	if (f->tty && rt_env_set_default(env, "TERM", "xterm", err) < 0)
		return -1;
	return 0;
}

static int wait_code(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_exec(const struct rt_spec *s, const struct ctr_state *st, const struct exec_flags *f,
		    char **args, struct rcr_error **err)
{
	struct rt_env env = {0};
	struct rt_exec e = {args, NULL, f->workdir, f->user, f->tty, f->privileged};
	struct rt_stdio io = {f->interactive ? 0 : -1, 1, 2};
	int master = -1, code = 125;
	pid_t pid;

	if (f->detach)
		io = (struct rt_stdio){-1, -1, -1};
	if (build_env(s, f, &env, err) < 0) {
		rt_env_release(&env);
		return -1;
	}
	e.env = env.v;
	pid = rt_container_exec(s, st->run.pid, &e, &io, &master, &code, err);
	rt_env_release(&env);
	if (pid < 0)
		return code;
	if (f->detach)
		return 0;
	if (master >= 0) {
		ctr_pty_relay(master, f->interactive);
		close(master);
	}
	return wait_code(pid);
}

int cmd_exec(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct exec_flags f = {0};
	struct cli_ctr_env e;
	struct cli_ctr c;
	int rc = parse(argc, argv, &f, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = -1;
	if (cli_ctr_find(&e, argv[optind], true,
			 "can only create exec sessions on running containers", &c, err) == 0)
		rc = run_exec(&c.spec, &c.state, &f, argv + optind + 1, err);
	cli_ctr_release(&c);
	cli_ctr_close(&e);
	return rc;
}
