/* `rcr image COMMAND`, and the image commands that have no top-level twin: inspect, exists,
 * prune. `rcr inspect` inspects images until containers exist (issue "Run").
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/common.h"
#include "container/container.h"
#include "cmd/format.h"
#include "image/inspect.h"
#include "image/lookup.h"
#include "pkg/cleanup.h"

static const struct cli_command image_commands[] = {
	{"exists", cmd_image_exists, "Check if an image exists in the store"},
	{"import", cmd_import, "Import a tarball to create a filesystem image"},
	{"inspect", cmd_image_inspect, "Display the configuration of an image"},
	{"list", cmd_images, "List images in the store"},
	{"ls", cmd_images, "List images in the store"},
	{"prune", cmd_image_prune, "Remove unused images"},
	{"pull", cmd_pull, "Pull an image from a registry, an OCI layout or an archive"},
	{"rm", cmd_rmi, "Remove images"},
	{"tag", cmd_tag, "Add names to an image"},
	{"untag", cmd_untag, "Remove names from an image"},
	{NULL, NULL, NULL},
};

int cmd_image(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return cli_dispatch("image", image_commands, g, argc - 1, argv + 1, err);
}

/* ---- inspect ------------------------------------------------------------------------------ */

static json_t *inspect_one(struct store *st, const struct store_image_info *info,
			   struct rcr_error **err)
{
	_cleanup_free_ char *manifest = NULL;
	_cleanup_free_ char *config = NULL;
	size_t mlen = 0, clen = 0;
	char **dirs = calloc(info->n_layers + 1, sizeof(char *));
	char **names = calloc(info->n_names + 1, sizeof(char *));
	char **digests = calloc(info->n_digests + 1, sizeof(char *));
	struct inspect_input in = {
		.id = info->id,
		.manifest_digest = info->manifest_digest,
		.size = info->size,
		.graph_root = store_root(st),
	};
	json_t *doc = NULL;

	if (dirs == NULL || names == NULL || digests == NULL)
		goto out;
	for (size_t i = 0; i < info->n_names; i++)
		names[i] = info->names[i];
	for (size_t i = 0; i < info->n_digests; i++)
		digests[i] = info->digests[i];
	for (size_t i = 0; i < info->n_layers; i++)
		dirs[i] = store_layer_diff_path(st, info->layers[info->n_layers - 1 - i]);
	if (store_image_read(st, info->id, "config", &config, &clen, err) < 0)
		goto out;
	if (info->manifest_digest != NULL &&
	    store_image_read(st, info->id, "manifest", &manifest, &mlen, err) < 0)
		goto out;
	in.manifest = manifest;
	in.manifest_len = mlen;
	in.config = config;
	in.config_len = clen;
	in.names = (const char *const *)names;
	in.digests = (const char *const *)digests;
	in.layer_dirs = (const char *const *)dirs;
	doc = img_inspect_json(&in, err);
out:
	for (size_t i = 0; dirs != NULL && i < info->n_layers; i++)
		free(dirs[i]);
	free(dirs);
	free(names);
	free(digests);
	return doc;
}

/* Inspect each name; unknown ones are reported together after the others are printed, as
 * Podman does (exit 125). */
enum { KIND_CONTAINER = 1, KIND_IMAGE = 2 };

/* A container by name or id: 1 and its document appended, 0 when there is none. */
static int inspect_container(struct store *st, const char *key, json_t *docs,
			     struct rcr_error **err)
{
	struct store_container c = {0};
	int found = store_container_get(st, key, &c, err);
	json_t *doc;

	if (found <= 0)
		return found;
	doc = ctr_inspect_json(st, &c, NULL, err);
	store_container_release(&c);
	if (doc == NULL)
		return -1;
	json_array_append_new(docs, doc);
	return 1;
}

static void not_found(int kinds, const char *key, struct rcr_error **missing)
{
	struct rcr_error *e = NULL;

	if (kinds == KIND_IMAGE)
		rcr_error_set(&e, ENOENT, "%s: image not known", key);
	else if (kinds == KIND_CONTAINER)
		rcr_error_set(&e, ENOENT, "no such container %s", key);
	else
		rcr_error_set(&e, ENOENT, "no such object: \"%s\"", key);
	rcr_error_join(missing, e);
}

static int inspect(struct cli_global *g, const char *format, int kinds, int argc, char **argv,
		   struct rcr_error **err)
{
	json_t *docs = json_array();
	struct rcr_error *missing = NULL;
	struct cli_store cs;
	int rc = -1;

	if (cli_open_store(g, &cs, err) < 0)
		goto out;
	rc = 0;
	for (int i = 0; i < argc && rc == 0; i++) {
		struct store_image_info info;
		int found =
			(kinds & KIND_CONTAINER) ? inspect_container(cs.st, argv[i], docs, err) : 0;
		json_t *doc;

		if (found != 0) {
			rc = found < 0 ? -1 : 0;
			continue;
		}
		found = (kinds & KIND_IMAGE) ? img_lookup(cs.st, argv[i], &info, err) : 0;
		if (found < 0) {
			rc = -1;
		} else if (found == 0) {
			not_found(kinds, argv[i], &missing);
		} else {
			doc = inspect_one(cs.st, &info, err);
			rc = doc ? json_array_append_new(docs, doc) : -1;
			store_image_info_release(&info);
		}
	}
	cli_store_close(&cs);
	if (rc == 0 && (json_array_size(docs) > 0 || missing == NULL))
		rc = cli_print_docs(format, docs, err);
	if (rc == 0 && missing != NULL) {
		rcr_error_join(err, missing);
		missing = NULL;
		rc = -1;
	}
out:
	rcr_error_free(missing);
	json_decref(docs);
	return rc;
}

static int inspect_command(const char *cmd, int kinds, struct cli_global *g, int argc, char **argv,
			   struct rcr_error **err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"type", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+f:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 't':
			if (strcmp(optarg, "image") == 0) {
				kinds = KIND_IMAGE;
			} else if (strcmp(optarg, "container") == 0) {
				kinds = KIND_CONTAINER;
			} else if (strcmp(optarg, "all") != 0) {
				rcr_error_set(err, EINVAL,
					      "invalid --type '%s': use container, image or all",
					      optarg);
				return -1;
			}
			break;
		case 'h':
			printf("Usage: rcr %s [--format FORMAT] NAME [NAME...]\n", cmd);
			return 0;
		default:
			return cli_usage_error(cmd, argv[optind - 1], err);
		}
	}
	if (optind >= argc) {
		rcr_error_set(err, EINVAL, "requires at least 1 arg(s), only received 0");
		return -1;
	}
	return inspect(g, format, kinds, argc - optind, argv + optind, err);
}

int cmd_image_inspect(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return inspect_command("image inspect", KIND_IMAGE, g, argc, argv, err);
}

int cmd_inspect(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return inspect_command("inspect", KIND_CONTAINER | KIND_IMAGE, g, argc, argv, err);
}

int cmd_container_inspect(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return inspect_command("container inspect", KIND_CONTAINER, g, argc, argv, err);
}

/* ---- exists ------------------------------------------------------------------------------- */

int cmd_image_exists(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct store_image_info info;
	struct cli_store cs;
	int found;

	if (argc != 2) {
		rcr_error_set(err, EINVAL, "requires exactly 1 arg(s), received %d", argc - 1);
		return -1;
	}
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	found = img_lookup(cs.st, argv[1], &info, err);
	cli_store_close(&cs);
	if (found > 0)
		store_image_info_release(&info);
	return found < 0 ? -1 : found ? 0 : 1;
}

/* ---- prune -------------------------------------------------------------------------------- */

static bool confirm(bool all)
{
	char line[16] = "";

	fprintf(stderr,
		"WARNING! This command removes all %s images.\n"
		"Are you sure you want to continue? [y/N] ",
		all ? "unused" : "dangling");
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	return line[0] == 'y' || line[0] == 'Y';
}

/* Dangling images (no name) or, with all, every image; none is used by a container yet. */
static int prune(struct store *st, bool all, struct rcr_error **err)
{
	struct store_image_info *v = NULL;
	size_t n = 0;
	int rc = 0;

	if (store_image_list(st, &v, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (!all && v[i].n_names > 0)
			continue;
		rc = store_image_delete(st, v[i].id, err);
		if (rc == 0)
			printf("%s\n", v[i].id + 7);
	}
	store_image_info_free(v, n);
	if (rc == 0) {
		size_t layers;

		rc = store_layers_prune(st, &layers, err);
	}
	return rc;
}

int cmd_image_prune(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"all", no_argument, NULL, 'a'},
		{"force", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool all = false, force = false;
	struct cli_store cs;
	int c, rc;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+afh", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'f':
			force = true;
			break;
		case 'h':
			printf("Usage: rcr image prune [-a] [-f]\n\nRemove dangling images "
			       "(-a: all images not used by a container).\n");
			return 0;
		default:
			return cli_usage_error("image prune", argv[optind - 1], err);
		}
	}
	if (!force && isatty(STDIN_FILENO) && !confirm(all))
		return 0;
	if (cli_open_store(g, &cs, err) < 0)
		return -1;
	rc = prune(cs.st, all, err);
	cli_store_close(&cs);
	return rc;
}
