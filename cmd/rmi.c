/* `rcr rmi` (`rcr image rm`): remove images, or one of their names. As Podman: removing by a
 * name that is one of several only untags it; removing by id an image with several names needs
 * -f; exit 1 when an image was not found (after doing the others), 2 when one is in use.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "container/container.h"
#include "image/lookup.h"
#include "pkg/cleanup.h"

#define RMI_NOT_FOUND 1

struct rmi_flags {
	bool force, all, ignore;
};

static int parse_flags(int argc, char **argv, struct rmi_flags *f, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"force", no_argument, NULL, 'f'},
		{"all", no_argument, NULL, 'a'},
		{"ignore", no_argument, NULL, 'i'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+faih", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			f->force = true;
			break;
		case 'a':
			f->all = true;
			break;
		case 'i':
			f->ignore = true;
			break;
		case 'h':
			printf("Usage: rcr rmi [options] IMAGE [IMAGE...]\n\nRemove images.\n\n"
			       "Options:\n"
			       "  -a, --all      remove all images\n"
			       "  -f, --force    remove images with several names, and in use\n"
			       "  -i, --ignore   ignore images that are not found\n");
			return 1;
		default:
			return cli_usage_error("rmi", argv[optind - 1], err);
		}
	}
	return 0;
}

/* rmi -f: the containers made from the image go first, running or not (Podman). */
static int remove_users(struct store *st, const char *id, struct rcr_error **err)
{
	_cleanup_strv_ char **ids = NULL;

	if (store_image_containers(st, id, &ids, err) < 0)
		return -1;
	for (size_t i = 0; ids[i] != NULL; i++)
		if (ctr_remove(st, ids[i], true, false, err) < 0)
			return -1;
	return 0;
}

static int delete_image(struct store *st, const struct store_image_info *info, bool force,
			struct rcr_error **err)
{
	if (force && remove_users(st, info->id, err) < 0)
		return -1;
	for (size_t i = 0; i < info->n_names; i++)
		printf("Untagged: %s\n", info->names[i]);
	if (store_image_delete(st, info->id, err) < 0)
		return -1;
	printf("Deleted: %s\n", info->id + 7);
	return 0;
}

static int remove_one(struct store *st, const struct rmi_flags *f, const char *typed,
		      struct rcr_error **err)
{
	struct store_image_info info;
	const char *name;
	int rc = img_lookup(st, typed, &info, err);

	if (rc <= 0) {
		if (rc == 0)
			rcr_error_set(err, ENOENT, "%s: image not known", typed);
		return rc < 0 ? -1 : RMI_NOT_FOUND;
	}
	name = img_lookup_name(&info, typed);
	if (name != NULL && info.n_names > 1) {
		/* One of several names: only that name goes. */
		rc = store_image_remove_name(st, info.id, name, err);
		if (rc >= 0)
			printf("Untagged: %s\n", name);
	} else if (name == NULL && info.n_names > 1 && !f->force) {
		rcr_error_set(err, EINVAL,
			      "unable to delete image %.12s by id: it has %zu names (%s, ...); "
			      "remove it by name or use --force",
			      info.id + 7, info.n_names, info.names[0]);
		rc = -1;
	} else {
		rc = delete_image(st, &info, f->force, err);
	}
	store_image_info_release(&info);
	return rc < 0 ? -1 : 0;
}

static int remove_all(struct store *st, bool force, struct rcr_error **err)
{
	struct store_image_info *v = NULL;
	size_t n = 0;
	int rc = 0;

	if (store_image_list(st, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = delete_image(st, &v[i], force, err);
	store_image_info_free(v, n);
	return rc;
}

/* Remove each image; errors of earlier ones are kept and reported together at the end. */
static int remove_each(struct store *st, const struct rmi_flags *f, int argc, char **argv,
		       struct rcr_error **err)
{
	int code = 0;

	for (int i = 0; i < argc; i++) {
		struct rcr_error *e = NULL;
		int rc = remove_one(st, f, argv[i], &e);

		if (rc == RMI_NOT_FOUND && f->ignore) {
			rcr_error_free(e);
			continue;
		}
		if (rc != 0) {
			/* Podman: 1 for an unknown image, 2 for one in use */
			if (code == 0)
				code = rc > 0			       ? RMI_NOT_FOUND
				       : e != NULL && e->code == EBUSY ? 2
								       : -1;
			rcr_error_join(err, e);
		}
	}
	return code;
}

int cmd_rmi(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct rmi_flags f = {0};
	struct cli_store cs;
	int rc = parse_flags(argc, argv, &f, err);

	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (f.all == (optind < argc)) {
		rcr_error_set(err, EINVAL,
			      f.all ? "when using the --all switch, you may not pass any images "
				      "names or IDs"
				    : "image name or ID must be specified");
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = f.all ? remove_all(cs.st, f.force, err)
		   : remove_each(cs.st, &f, argc - optind, argv + optind, err);
	cli_store_close(&cs);
	/* Podman exits 1 for an image that is not known (cmd/main.c prints the reason). */
	return rc;
}
