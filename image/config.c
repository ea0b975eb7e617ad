/* Image configuration parsing (see config.h). Must never accept diff_ids it cannot verify. */
#include "image/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "pkg/json.h"

#define CONFIG_MAX (8 << 20)

static const char *str_or(json_t *obj, const char *key, const char *dflt)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : dflt;
}

static int parse_diff_ids(json_t *rootfs, struct image_config *out, struct rcr_error **err)
{
	json_t *ids = json_object_get(rootfs, "diff_ids");
	json_t *id;
	size_t i;

	if (!json_is_object(rootfs) || strcmp(str_or(rootfs, "type", ""), "layers") != 0) {
		rcr_error_set(err, EINVAL, "image config: rootfs.type must be \"layers\"");
		return -1;
	}
	if (!json_is_array(ids)) {
		rcr_error_set(err, EINVAL, "image config: rootfs.diff_ids is not an array");
		return -1;
	}
	out->diff_ids = calloc(json_array_size(ids) + 1, sizeof(char *));
	if (out->diff_ids == NULL)
		return -1;
	json_array_foreach (ids, i, id) {
		const char *s = json_string_value(id);

		if (s == NULL || img_digest_check(s, err) < 0) {
			if (s == NULL)
				rcr_error_set(err, EINVAL,
					      "image config: diff_id %zu is not a string", i + 1);
			rcr_error_wrap(err, "image config");
			return -1;
		}
		out->diff_ids[out->n_diff_ids++] = s;
	}
	return 0;
}

int image_config_parse(const char *body, size_t len, struct image_config *out,
		       struct rcr_error **err)
{
	json_t *cfg;

	memset(out, 0, sizeof(*out));
	out->doc = json_load_capped(body, len, CONFIG_MAX, "image config", err);
	if (out->doc == NULL)
		return -1;
	if (!json_is_object(out->doc)) {
		rcr_error_set(err, EINVAL, "image config is not a JSON object");
		image_config_release(out);
		return -1;
	}
	out->arch = str_or(out->doc, "architecture", "");
	out->os = str_or(out->doc, "os", "");
	out->variant = str_or(out->doc, "variant", NULL);
	out->created = str_or(out->doc, "created", NULL);
	if (parse_diff_ids(json_object_get(out->doc, "rootfs"), out, err) < 0) {
		image_config_release(out);
		return -1;
	}
	cfg = json_object_get(out->doc, "config");
	if (!json_is_object(cfg)) {
		/* "config" is optional in OCI: an image with no defaults. */
		cfg = json_object();
		json_object_set_new(out->doc, "config", cfg);
	}
	out->config = cfg;
	return 0;
}

void image_config_release(struct image_config *c)
{
	free(c->diff_ids);
	json_decref(c->doc);
	memset(c, 0, sizeof(*c));
}
