/* `rcr cp [-a|--archive[=BOOL]] [--overwrite] SRC DST`: copy between a container and the host, as
 * `podman cp`. Exactly one of SRC and DST is CONTAINER:PATH; the other is a host path, or "-" for
 * a tar stream on stdin or stdout. Parses and decides the direction; container/cp.c copies.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"

/* Podman's parseUserInput: a path starting with "." or "/" is the host's even with a ':' in it;
 * otherwise "NAME:PATH" names a container. */
static bool split_ctr(const char *arg, char **name, const char **path)
{
	const char *colon = strchr(arg, ':');

	if (arg[0] == '.' || arg[0] == '/' || colon == NULL || colon == arg)
		return false;
	*name = strndup(arg, (size_t)(colon - arg));
	*path = colon + 1;
	return *name != NULL;
}

static int parse_bool(const char *v, bool *out, struct rcr_error **err)
{
	if (v == NULL || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return cli_usage_error("cp", "invalid argument for --archive", err);
	return 0;
}

static int parse(int argc, char **argv, struct ctr_cp_opts *o, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"archive", optional_argument, NULL, 'a'},
		{"overwrite", no_argument, NULL, 'O'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_bool(optarg, &o->archive, err) < 0)
				return -1;
			break;
		case 'O':
			o->overwrite = true;
			break;
		case 'h':
			printf("Usage: rcr cp [options] [CONTAINER:]SRC_PATH "
			       "[CONTAINER:]DEST_PATH\n\n"
			       "Options:\n"
			       "  -a, --archive       chown copied files to the container's user "
			       "(default true)\n"
			       "      --overwrite     let a directory replace a non-directory and "
			       "vice versa\n");
			return 1;
		default:
			return cli_usage_error("cp", argv[optind - 1], err);
		}
	}
	if (argc - optind != 2) {
		rcr_error_set(err, EINVAL, "accepts 2 arg(s), received %d", argc - optind);
		return -1;
	}
	return 0;
}

int cmd_cp(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct ctr_cp_opts o = {.archive = true};
	struct cli_ctr_env e;
	_cleanup_free_ char *src_ctr = NULL, *dst_ctr = NULL;
	const char *src, *dst, *src_path = NULL, *dst_path = NULL;
	int rc = parse(argc, argv, &o, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	src = argv[optind];
	dst = argv[optind + 1];
	split_ctr(src, &src_ctr, &src_path);
	split_ctr(dst, &dst_ctr, &dst_path);
	if (src_ctr != NULL && dst_ctr != NULL) {
		rcr_error_set(err, EINVAL,
			      "copying between two containers is not supported: copy "
			      "to the host, then into the other container");
		return -1;
	}
	if (src_ctr == NULL && dst_ctr == NULL) {
		rcr_error_set(err, EINVAL,
			      "invalid arguments %s, %s: one of them must be "
			      "CONTAINER:PATH (for a copy on the host use cp)",
			      src, dst);
		return -1;
	}
	o.to_ctr = dst_ctr != NULL;
	o.container = o.to_ctr ? dst_ctr : src_ctr;
	o.ctr_path = o.to_ctr ? dst_path : src_path;
	o.host_path = o.to_ctr ? src : dst;
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	rc = ctr_cp(e.cs.st, &o, err);
	cli_ctr_close(&e);
	return rc;
}
