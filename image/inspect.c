/* The image inspect document (see inspect.h), field for field as Podman 4 prints it, so users'
 * `--format '{{.Config.Cmd}}'` and jq scripts keep working.
 */
#include "image/inspect.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "image/config.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();

	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *copy_or(json_t *v, json_t *dflt)
{
	if (v == NULL)
		return dflt;
	json_decref(dflt);
	return json_deep_copy(v);
}

/* Podman prints the image id without the "sha256:" prefix. */
static const char *hex_of(const char *digest)
{
	const char *c = strchr(digest, ':');

	return c ? c + 1 : digest;
}

static json_t *rootfs_json(const struct image_config *cfg)
{
	json_t *layers = json_array();

	for (size_t i = 0; i < cfg->n_diff_ids; i++)
		json_array_append_new(layers, json_string(cfg->diff_ids[i]));
	return json_pack("{s:s, s:o}", "Type", "layers", "Layers", layers);
}

static json_t *graph_driver(const struct inspect_input *in)
{
	_cleanup_free_ char *lower = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&lower, &len);

	for (size_t i = 0; f != NULL && in->layer_dirs && in->layer_dirs[i]; i++)
		fprintf(f, "%s%s", i ? ":" : "", in->layer_dirs[i]);
	if (f != NULL)
		fclose(f);
	return json_pack("{s:s, s:{s:s, s:s}}", "Name", "overlay", "Data", "LowerDir",
			 lower ? lower : "", "GraphRoot", in->graph_root ? in->graph_root : "");
}

json_t *img_inspect_json(const struct inspect_input *in, struct rcr_error **err)
{
	struct image_config cfg;
	json_t *o, *c;
	const char *mt = NULL;
	_cleanup_json_ json_t *m = NULL;

	if (image_config_parse(in->config ? in->config : "", in->config_len, &cfg, err) < 0)
		return NULL;
	if (in->manifest != NULL)
		m = json_loadb(in->manifest, in->manifest_len, 0, NULL);
	mt = json_string_value(json_object_get(m, "mediaType"));
	c = cfg.config;
	o = json_object();
	json_object_set_new(o, "Id", json_string(hex_of(in->id)));
	json_object_set_new(o, "Digest",
			    json_string(in->manifest_digest ? in->manifest_digest : ""));
	json_object_set_new(o, "RepoTags", strings(in->names));
	json_object_set_new(o, "RepoDigests", strings(in->digests));
	json_object_set_new(o, "Parent", json_string(""));
	json_object_set_new(o, "Comment",
			    copy_or(json_object_get(cfg.doc, "comment"), json_string("")));
	json_object_set_new(o, "Created", json_string(cfg.created ? cfg.created : ""));
	json_object_set_new(o, "Config", json_deep_copy(c));
	json_object_set_new(o, "Version",
			    copy_or(json_object_get(cfg.doc, "docker_version"), json_string("")));
	json_object_set_new(o, "Author",
			    copy_or(json_object_get(cfg.doc, "author"), json_string("")));
	json_object_set_new(o, "Architecture", json_string(cfg.arch));
	json_object_set_new(o, "Os", json_string(cfg.os));
	json_object_set_new(o, "Size", json_integer(in->size));
	json_object_set_new(o, "VirtualSize", json_integer(in->size));
	json_object_set_new(o, "GraphDriver", graph_driver(in));
	json_object_set_new(o, "RootFS", rootfs_json(&cfg));
	json_object_set_new(o, "Labels", copy_or(json_object_get(c, "Labels"), json_null()));
	json_object_set_new(o, "Annotations",
			    copy_or(json_object_get(m, "annotations"), json_object()));
	json_object_set_new(o, "ManifestType",
			    json_string(mt ? mt : "application/vnd.oci.image.manifest.v1+json"));
	json_object_set_new(o, "User", copy_or(json_object_get(c, "User"), json_string("")));
	json_object_set_new(o, "History",
			    copy_or(json_object_get(cfg.doc, "history"), json_array()));
	json_object_set_new(o, "NamesHistory", strings(in->names));
	image_config_release(&cfg);
	return o;
}
