/* `rcr info`: what rcr sees on this host (paths, ids, helpers, probes) as YAML, or --format json.
 * The facts come from runtime/host.c; this file only lays them out, with Podman's key names where
 * Podman has the same fact.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "pkg/yaml.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "runtime/host.h"

static json_t *idmap_json(const struct userns_map *m)
{
	json_t *a = json_array();

	for (size_t i = 0; i < m->n; i++)
		json_array_append_new(a, json_pack("{s:I, s:I, s:I}", "container_id",
						   (json_int_t)m->v[i].inner, "host_id",
						   (json_int_t)m->v[i].outer, "size",
						   (json_int_t)m->v[i].count));
	return a;
}

static json_t *helper_json(const struct rt_helper *h, bool needs_privilege)
{
	json_t *o = json_pack("{s:s?, s:b}", "executable", h->path, "found", h->path != NULL);

	if (needs_privilege)
		json_object_set_new(o, "privileged", json_boolean(h->privileged));
	return o;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *host_json(const struct rt_host_facts *f)
{
	json_t *h = json_object();
	json_t *ids = json_object();
	json_t *sec = json_object();

	json_object_set_new(h, "arch", str_or_null(f->arch));
	json_object_set_new(h, "kernel", str_or_null(f->kernel));
	json_object_set_new(h, "os", json_string("linux"));
	json_object_set_new(h, "user",
			    json_pack("{s:s?, s:I, s:I}", "name", f->user, "uid",
				      (json_int_t)f->uid, "gid", (json_int_t)f->gid));
	json_object_set_new(ids, "uidmap", idmap_json(&f->uidmap));
	json_object_set_new(ids, "gidmap", idmap_json(&f->gidmap));
	json_object_set_new(h, "idMappings", ids);
	json_object_set_new(h, "newuidmap", helper_json(&f->newuidmap, true));
	json_object_set_new(h, "newgidmap", helper_json(&f->newgidmap, true));
	json_object_set_new(
		h, "userNamespaces",
		json_pack("{s:b, s:o, s:b, s:o, s:b, s:o}", "usable", f->userns.userns_ok, "error",
			  str_or_null(f->userns.userns_err), "uidMapWritten", f->userns.uid_map_ok,
			  "uidMapError", str_or_null(f->userns.uid_map_err), "gidMapWritten",
			  f->userns.gid_map_ok, "gidMapError", str_or_null(f->userns.gid_map_err)));
	json_object_set_new(h, "noNewPrivileges", json_boolean(f->no_new_privs));
	json_object_set_new(h, "overlay",
			    json_pack("{s:b, s:o, s:o, s:b}", "kernelInUserNamespace",
				      f->overlay_ok, "kernelError", str_or_null(f->overlay_err),
				      "fuseOverlayfs", helper_json(&f->fuse_overlayfs, false),
				      "devFuseAccessible", f->dev_fuse_ok));
	json_object_set_new(h, "pasta", helper_json(&f->pasta, false));
	json_object_set_new(h, "slirp4netns", helper_json(&f->slirp4netns, false));
	json_object_set_new(h, "devNetTunAccessible", json_boolean(f->dev_tun_ok));
	json_object_set_new(h, "cgroupVersion", json_string(rt_cgroup_mode_name(f->cgroup.mode)));
	json_object_set_new(h, "cgroupDelegated", json_boolean(f->cgroup.delegated));
	json_object_set_new(h, "cgroupPath", str_or_null(f->cgroup.own_path));
	json_object_set_new(h, "cgroupControllers", str_or_null(f->cgroup.controllers));
	json_object_set_new(h, "cgroupLimitsUnavailable", str_or_null(f->cgroup.why_not));
	json_object_set_new(sec, "rootless", json_boolean(f->uid != 0));
	json_object_set_new(sec, "seccompEnabled", json_boolean(f->seccomp_ok));
	json_object_set_new(sec, "libseccompVersion", str_or_null(f->libseccomp_version));
	json_object_set_new(h, "security", sec);
	return h;
}

static json_t *store_json(const struct rt_host_facts *f)
{
	json_t *files = json_array();

	for (size_t i = 0; f->config_files[i] != NULL; i++)
		json_array_append_new(files, json_string(f->config_files[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "graphRoot",
			 str_or_null(f->store_root), "graphRootFilesystem",
			 str_or_null(f->store_fstype), "graphRootError", str_or_null(f->store_err),
			 "graphDriverName",
			 json_string(f->overlay_ok ? "overlay" : "fuse-overlayfs"), "runRoot",
			 str_or_null(f->runtime_dir), "runRootError", str_or_null(f->runtime_err),
			 "xdgRuntimeDir", str_or_null(f->runtime_xdg), "configFiles", files);
}

static json_t *info_json(const struct rt_host_facts *f)
{
	json_t *doc = json_object();

	json_object_set_new(doc, "host", host_json(f));
	json_object_set_new(doc, "store", store_json(f));
	json_object_set_new(
		doc, "version",
		json_pack("{s:s, s:s}", "Version", RCR_VERSION, "OsArch", f->arch ? f->arch : ""));
	return doc;
}

int cmd_info(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rt_host_paths paths = rt_host_paths_default();
	struct rt_host_facts facts;
	_cleanup_json_ json_t *doc = NULL;
	const char *format = NULL;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			printf("Usage: rcr info [--format json|TEMPLATE]\n\nDisplay what rcr sees "
			       "on this "
			       "host: paths, id ranges, helpers and probes.\n");
			return 0;
		default:
			return cli_usage_error("info", argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return cli_usage_error("info", argv[optind], err);
	paths.store_root = g->root;
	paths.runroot = g->runroot;
	rt_host_gather(&paths, &facts);
	doc = info_json(&facts);
	rt_host_facts_release(&facts);
	if (format != NULL && strcmp(format, "json") != 0)
		return cli_print_template(format, doc, err) < 0 ? -1 : 0;
	if (format != NULL) {
		_cleanup_free_ char *s = json_dump_string(doc, true);

		printf("%s\n", s ? s : "{}");
	} else {
		yaml_print(stdout, doc);
	}
	return 0;
}
