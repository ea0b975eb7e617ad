/* `rcr logs [-f] [-t] [-n] [--since T] [--until T] [--tail N] CONTAINER...`: print a container's
 * k8s-file log as Podman does, stdout records to stdout and stderr records to stderr; -f follows
 * until the container stops.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "monitor/logread.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/timeparse.h"

struct logs_flags {
	struct mon_logs_opts o;
	bool names;
};

struct follow_ctx {
	const char *userdata;
};

static bool still_running(void *arg)
{
	struct follow_ctx *c = arg;
	struct ctr_state s;

	ctr_state_get(c->userdata, NULL, &s);
	return s.status == CTR_RUNNING || s.status == CTR_CREATED;
}

static int parse_time(const char *flag, const char *v, struct timespec *out, struct rcr_error **err)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (timeparse_arg(v, now, out, err) < 0) {
		rcr_error_wrap(err, "%s", flag);
		return -1;
	}
	return 0;
}

static int parse(int argc, char **argv, struct logs_flags *f, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"follow", no_argument, NULL, 'f'},
		{"timestamps", no_argument, NULL, 't'},
		{"since", required_argument, NULL, 'S'},
		{"until", required_argument, NULL, 'U'},
		{"tail", required_argument, NULL, 'T'},
		{"names", no_argument, NULL, 'n'},
		{"latest", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	f->o.tail = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ftnlh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			f->o.follow = true;
			break;
		case 't':
			f->o.timestamps = true;
			break;
		case 'n':
			f->names = true;
			break;
		case 'S':
			if (parse_time("--since", optarg, &f->o.since, err) < 0)
				return -1;
			break;
		case 'U':
			if (parse_time("--until", optarg, &f->o.until, err) < 0)
				return -1;
			break;
		case 'T': {
			char *end;

			f->o.tail = strtoll(optarg, &end, 10);
			if (end == optarg || *end != '\0') {
				rcr_error_set(err, EINVAL, "invalid --tail '%s': use a number",
					      optarg);
				return -1;
			}
			if (f->o.tail < 0)
				f->o.tail = -1;
			break;
		}
		case 'h':
			printf("Usage: rcr logs [-f] [-t] [--since T] [--until T] [--tail N] "
			       "CONTAINER...\n");
			return 1;
		default:
			return cli_usage_error("logs", argv[optind - 1], err);
		}
	}
	if (optind >= argc) {
		rcr_error_set(err, EINVAL, "logs requires at least 1 arg(s), only received 0");
		return -1;
	}
	return 0;
}

static int logs_one(struct cli_ctr_env *e, const char *key, struct logs_flags *f, bool many,
		    struct rcr_error **err)
{
	struct cli_ctr c;
	_cleanup_free_ char *prefix = NULL;
	struct follow_ctx fc;
	struct mon_logs_opts o = f->o;
	int rc = cli_ctr_find(e, key, true, NULL, &c, err);

	if (rc == 0 && strcmp(c.spec.log_driver, "k8s-file") != 0) {
		rcr_error_set(err, ENOTSUP,
			      "container '%s' has log driver '%s': only k8s-file logs can be read",
			      c.row.name, c.spec.log_driver);
		rc = -1;
	}
	if (rc == 0) {
		fc.userdata = c.userdata;
		o.still_running = still_running;
		o.arg = &fc;
		/* Podman: the full name with -n, else the short id */
		if (many && asprintf(&prefix, "%.*s ", f->names ? 255 : 12,
				     f->names ? c.row.name : c.row.id) > 0)
			o.prefix = prefix;
		fflush(stdout);
		rc = mon_logs_print(c.spec.log_path, &o, 1, 2, err);
	}
	cli_ctr_release(&c);
	return rc;
}

int cmd_logs(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct logs_flags f = {0};
	struct cli_ctr_env e;
	int rc = parse(argc, argv, &f, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	for (int i = optind; i < argc && rc == 0; i++)
		rc = logs_one(&e, argv[i], &f, argc - optind > 1, err);
	cli_ctr_close(&e);
	return rc;
}
