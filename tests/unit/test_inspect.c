/* Unit tests of image/inspect.c: the fields Podman users read. */
#include <string.h>

#include "image/inspect.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "tests/unit/tap.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"

int main(void)
{
	const char *config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-"
			     "02T03:04:05Z\",\"config\":{\"Cmd\":[\"sh\"],\"User\":\"app\","
			     "\"Labels\":{\"a\":\"b\"}},\"rootfs\":{\"type\":\"layers\","
			     "\"diff_ids\":[\"" D1 "\"]},\"history\":[{\"created_by\":\"x\"}]}";
	const char *names[] = {"127.0.0.1:5000/busybox:latest", NULL};
	const char *digests[] = {"127.0.0.1:5000/busybox@" D1, NULL};
	const char *dirs[] = {"/s/layers/a/diff", "/s/layers/b/diff", NULL};
	struct inspect_input in = {
		.id = "sha256:abcdef",
		.manifest_digest = D1,
		.config = config,
		.config_len = strlen(config),
		.names = names,
		.digests = digests,
		.size = 4242,
		.graph_root = "/s",
		.layer_dirs = dirs,
	};
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_json_ json_t *o = img_inspect_json(&in, &err);

	ok(o != NULL, "document built");
	is_str(json_string_value(json_object_get(o, "Id")), "abcdef", "Id without sha256:");
	is_str(json_string_value(json_object_get(o, "Digest")), D1, "Digest");
	is_str(json_string_value(json_array_get(json_object_get(o, "RepoTags"), 0)), names[0],
	       "RepoTags");
	is_str(json_string_value(json_array_get(json_object_get(o, "RepoDigests"), 0)), digests[0],
	       "RepoDigests");
	is_str(json_string_value(json_object_get(o, "Created")), "2024-01-02T03:04:05Z", "Created");
	is_str(json_string_value(json_array_get(json_get_array(o, "Config.Cmd", NULL), 0)), "sh",
	       "Config.Cmd");
	is_str(json_string_value(json_object_get(o, "User")), "app", "User");
	is_str(json_get_string(o, "Labels.a", NULL), "b", "Labels");
	is_str(json_string_value(json_object_get(o, "Architecture")), "amd64", "Architecture");
	is_str(json_string_value(json_object_get(o, "Os")), "linux", "Os");
	is_int(json_integer_value(json_object_get(o, "Size")), 4242, "Size");
	is_str(json_get_string(o, "RootFS.Type", NULL), "layers", "RootFS.Type");
	is_str(json_string_value(json_array_get(json_get_array(o, "RootFS.Layers", NULL), 0)), D1,
	       "RootFS.Layers");
	is_int(json_array_size(json_object_get(o, "History")), 1, "History");
	is_str(json_get_string(o, "GraphDriver.Data.LowerDir", NULL),
	       "/s/layers/a/diff:/s/layers/b/diff", "GraphDriver lower dirs");
	{
		struct inspect_input bad = in;
		_cleanup_error_ struct rcr_error *e = NULL;

		bad.config = "{}";
		bad.config_len = 2;
		ok(img_inspect_json(&bad, &e) == NULL, "a config without rootfs is refused");
	}
	return tap_done();
}
