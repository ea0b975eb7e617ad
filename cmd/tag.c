/* `rcr tag IMAGE NAME...` and `rcr untag IMAGE [NAME...]`: add and remove an image's names.
 * Short names are stored under "localhost/", as Podman does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "image/lookup.h"
#include "pkg/cleanup.h"

/* Only --help: both commands take no flags. Returns 1 after printing help. */
static int no_flags(const char *cmd, const char *usage, int argc, char **argv,
		    struct rcr_error **err)
{
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c != 'h')
			return cli_usage_error(cmd, argv[optind - 1], err);
		printf("Usage: %s\n", usage);
		return 1;
	}
	return 0;
}

static int find(struct store *st, const char *typed, struct store_image_info *info,
		struct rcr_error **err)
{
	int rc = img_lookup(st, typed, info, err);

	if (rc == 0)
		rcr_error_set(err, ENOENT, "%s: image not known", typed);
	return rc > 0 ? 0 : -1;
}

static int tag(struct store *st, const char *image, char **names, int n, struct rcr_error **err)
{
	struct store_image_info info;
	int rc = 0;

	if (find(st, image, &info, err) < 0)
		return -1;
	for (int i = 0; i < n && rc == 0; i++) {
		_cleanup_free_ char *name = img_local_name(names[i], err);

		rc = name ? store_image_add_name(st, info.id, name, err) : -1;
	}
	store_image_info_release(&info);
	return rc;
}

int cmd_tag(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct cli_store cs;
	int rc = no_flags("tag", "rcr tag IMAGE TARGET_NAME [TARGET_NAME...]", argc, argv, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (argc - optind < 2) {
		rcr_error_set(err, EINVAL, "requires at least 2 arg(s), only received %d",
			      argc - optind);
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = tag(cs.st, argv[optind], argv + optind + 1, argc - optind - 1, err);
	cli_store_close(&cs);
	return rc;
}

/* The stored name of info that typed means: one of its names, or typed normalised. */
static int untag_one(struct store *st, const struct store_image_info *info, const char *typed,
		     struct rcr_error **err)
{
	_cleanup_free_ char *local = NULL;
	const char *name = img_lookup_name(info, typed);
	int rc;

	if (name == NULL) {
		local = img_local_name(typed, err);
		if (local == NULL)
			return -1;
		name = local;
	}
	rc = store_image_remove_name(st, info->id, name, err);
	if (rc == 0)
		rcr_error_set(err, ENOENT, "%s: tag not known", typed);
	return rc > 0 ? 0 : -1;
}

static int untag(struct store *st, const char *image, char **names, int n, struct rcr_error **err)
{
	struct store_image_info info;
	int rc = 0;

	if (find(st, image, &info, err) < 0)
		return -1;
	if (n == 0) {
		for (size_t i = 0; i < info.n_names && rc == 0; i++)
			rc = store_image_remove_name(st, info.id, info.names[i], err) < 0 ? -1 : 0;
	}
	for (int i = 0; i < n && rc == 0; i++)
		rc = untag_one(st, &info, names[i], err);
	store_image_info_release(&info);
	return rc;
}

int cmd_untag(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct cli_store cs;
	int rc = no_flags("untag", "rcr untag IMAGE [IMAGE...]", argc, argv, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (argc - optind < 1) {
		rcr_error_set(err, EINVAL, "requires at least 1 arg(s), only received 0");
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = untag(cs.st, argv[optind], argv + optind + 1, argc - optind - 1, err);
	cli_store_close(&cs);
	return rc;
}
