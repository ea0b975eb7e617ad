/* Unit tests of image/config.c. */
#include <string.h>

#include "image/config.h"
#include "pkg/cleanup.h"
#include "tests/unit/tap.h"

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"

static void bad(const char *doc, const char *want)
{
	struct image_config c;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(image_config_parse(doc, strlen(doc), &c, &err) < 0, "refused: %s", want);
	has_str(err ? err->msg : NULL, want, "error says '%s'", want);
}

int main(void)
{
	const char *doc = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T"
			  "03:04:05Z\",\"config\":{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\"]},"
			  "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" D1 "\",\"" D2 "\"]},"
			  "\"history\":[{\"created_by\":\"x\"}]}";
	struct image_config c;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(image_config_parse(doc, strlen(doc), &c, &err) == 0, "config parses");
	is_str(c.arch, "amd64", "architecture");
	is_str(c.os, "linux", "os");
	is_str(c.created, "2024-01-02T03:04:05Z", "created");
	is_int(c.n_diff_ids, 2, "two diff_ids");
	is_str(c.diff_ids[1], D2, "second diff_id");
	ok(json_is_array(json_object_get(c.config, "Cmd")), "config.Cmd reachable");
	image_config_release(&c);
	{
		const char *minimal = "{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

		ok(image_config_parse(minimal, strlen(minimal), &c, &err) == 0, "minimal config");
		ok(json_is_object(c.config) && json_object_size(c.config) == 0,
		   "missing config becomes an empty object");
		is_str(c.arch, "", "missing architecture is empty");
		image_config_release(&c);
	}
	bad("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"md5:00\"]}}", "only sha256");
	bad("{\"rootfs\":{\"type\":\"other\",\"diff_ids\":[]}}", "rootfs.type must be \"layers\"");
	bad("{\"rootfs\":{\"type\":\"layers\"}}", "rootfs.diff_ids is not an array");
	bad("[1]", "image config is not a JSON object");
	bad("{", "image config");
	return tap_done();
}
