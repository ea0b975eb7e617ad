/* Manifest and index parsing (see manifest.h).
 *
 * Must never accept a document whose digests rcr cannot verify (only sha256) or whose layer
 * media type it does not know how to unpack: both are errors naming the value, not guesses.
 */
#include "image/manifest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/digest.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"

#define DOC_MAX (4 << 20)

static bool is_index_type(const char *mt)
{
	return strcmp(mt, MT_OCI_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0;
}

static bool is_manifest_type(const char *mt)
{
	return strcmp(mt, MT_OCI_MANIFEST) == 0 || strcmp(mt, MT_DOCKER_MANIFEST) == 0;
}

/* The media type without parameters ("...+json; charset=utf-8"). */
static char *bare_type(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	return strndup(ct, n);
}

int manifest_kind(const char *body, size_t len, const char *content_type, char **media_type,
		  struct rcr_error **err)
{
	_cleanup_json_ json_t *j = json_load_capped(body, len, DOC_MAX, "manifest", err);
	const char *mt;
	_cleanup_free_ char *ct = content_type ? bare_type(content_type) : NULL;

	*media_type = NULL;
	if (j == NULL)
		return -1;
	mt = json_string_value(json_object_get(j, "mediaType"));
	/* umoci and others omit mediaType (it is optional in OCI): trust the header then, and
	 * failing that the shape of the document. */
	if (mt == NULL && ct != NULL && (is_index_type(ct) || is_manifest_type(ct)))
		mt = ct;
	if (mt == NULL)
		mt = json_object_get(j, "manifests") ? MT_OCI_INDEX
		     : json_object_get(j, "config")  ? MT_OCI_MANIFEST
						     : NULL;
	if (mt == NULL || (!is_index_type(mt) && !is_manifest_type(mt))) {
		if (json_integer_value(json_object_get(j, "schemaVersion")) == 1)
			rcr_error_set(err, ENOTSUP,
				      "the image uses Docker schema 1 manifests, which are "
				      "deprecated and not supported: push it again with a current "
				      "tool");
		else
			rcr_error_set(err, ENOTSUP, "unsupported manifest media type '%s'",
				      mt ? mt : (ct ? ct : "none"));
		return -1;
	}
	*media_type = strdup(mt);
	return is_index_type(mt) ? 1 : 0;
}

static int layer_compression_of(const char *mt, enum layer_compression *c)
{
	static const struct {
		const char *type;
		enum layer_compression c;
	} known[] = {
		{"application/vnd.oci.image.layer.v1.tar", LAYER_PLAIN},
		{"application/vnd.oci.image.layer.v1.tar+gzip", LAYER_GZIP},
		{"application/vnd.oci.image.layer.v1.tar+zstd", LAYER_ZSTD},
		{"application/vnd.docker.image.rootfs.diff.tar.gzip", LAYER_GZIP},
		{"application/vnd.docker.image.rootfs.diff.tar.zstd", LAYER_ZSTD},
		{"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_GZIP},
		{"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LAYER_GZIP},
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(mt, known[i].type) == 0) {
			*c = known[i].c;
			return 0;
		}
	}
	return -1;
}

/* digest, size and mediaType of a descriptor, checked. */
static int descriptor(json_t *d, const char *what, char **digest, long long *size, char **mt,
		      struct rcr_error **err)
{
	const char *dg = json_string_value(json_object_get(d, "digest"));
	const char *m = json_string_value(json_object_get(d, "mediaType"));
	json_t *sz = json_object_get(d, "size");

	if (!json_is_object(d) || dg == NULL || !json_is_integer(sz) ||
	    json_integer_value(sz) < 0) {
		rcr_error_set(err, EINVAL, "manifest: %s needs a digest and a size", what);
		return -1;
	}
	if (img_digest_check(dg, err) < 0) {
		rcr_error_wrap(err, "manifest: %s", what);
		return -1;
	}
	*digest = strdup(dg);
	*size = json_integer_value(sz);
	if (mt != NULL)
		*mt = m ? strdup(m) : NULL;
	return 0;
}

static int parse_layers(json_t *layers, struct manifest *out, struct rcr_error **err)
{
	json_t *l;
	size_t i;

	if (!json_is_array(layers)) {
		rcr_error_set(err, EINVAL, "manifest: 'layers' is not an array");
		return -1;
	}
	out->layers = calloc(json_array_size(layers) + 1, sizeof(*out->layers));
	if (out->layers == NULL)
		return -1;
	json_array_foreach (layers, i, l) {
		struct manifest_layer *ml = &out->layers[out->n_layers];
		char what[48];

		snprintf(what, sizeof(what), "layer %zu", i + 1);
		if (descriptor(l, what, &ml->digest, &ml->size, &ml->media_type, err) < 0)
			return -1;
		out->n_layers++;
		if (ml->media_type == NULL ||
		    layer_compression_of(ml->media_type, &ml->compression) < 0) {
			rcr_error_set(err, ENOTSUP,
				      "manifest: layer %zu has media type '%s', which "
				      "rcr cannot unpack",
				      i + 1, ml->media_type ? ml->media_type : "(none)");
			return -1;
		}
	}
	return 0;
}

int manifest_parse(const char *body, size_t len, const char *media_type, struct manifest *out,
		   struct rcr_error **err)
{
	_cleanup_json_ json_t *j = json_load_capped(body, len, DOC_MAX, "manifest", err);

	memset(out, 0, sizeof(*out));
	if (j == NULL)
		return -1;
	if (json_integer_value(json_object_get(j, "schemaVersion")) != 2) {
		rcr_error_set(err, ENOTSUP, "manifest: schemaVersion must be 2");
		return -1;
	}
	out->media_type = strdup(media_type);
	if (descriptor(json_object_get(j, "config"), "config", &out->config_digest,
		       &out->config_size, NULL, err) < 0 ||
	    parse_layers(json_object_get(j, "layers"), out, err) < 0) {
		manifest_release(out);
		return -1;
	}
	return 0;
}

void manifest_release(struct manifest *m)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		free(m->layers[i].digest);
		free(m->layers[i].media_type);
	}
	free(m->layers);
	free(m->media_type);
	free(m->config_digest);
	memset(m, 0, sizeof(*m));
}

/* OCI and Go spell architectures differently from uname. */
static const char *normalize_arch(const char *a)
{
	static const char *const alias[][2] = {
		{"x86_64", "amd64"}, {"x86-64", "amd64"}, {"aarch64", "arm64"}, {"armhf", "arm"},
		{"armel", "arm"},    {"i386", "386"},	  {"i686", "386"},
	};

	for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++)
		if (strcmp(a, alias[i][0]) == 0)
			return alias[i][1];
	return a;
}

static void entry_release(struct index_entry *e)
{
	free(e->digest);
	free(e->media_type);
	platform_release(&e->platform);
}

int manifest_index_parse(const char *body, size_t len, struct manifest_index *out,
			 struct rcr_error **err)
{
	_cleanup_json_ json_t *j = json_load_capped(body, len, DOC_MAX, "index", err);
	json_t *ms, *m;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (j == NULL)
		return -1;
	ms = json_object_get(j, "manifests");
	if (!json_is_array(ms)) {
		rcr_error_set(err, EINVAL, "index: 'manifests' is not an array");
		return -1;
	}
	out->entries = calloc(json_array_size(ms) + 1, sizeof(*out->entries));
	if (out->entries == NULL)
		return -1;
	json_array_foreach (ms, i, m) {
		struct index_entry *e = &out->entries[out->n];
		json_t *p = json_object_get(m, "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		const char *arch = json_string_value(json_object_get(p, "architecture"));
		const char *var = json_string_value(json_object_get(p, "variant"));
		char what[48];

		snprintf(what, sizeof(what), "index entry %zu", i + 1);
		if (descriptor(m, what, &e->digest, &e->size, &e->media_type, err) < 0) {
			manifest_index_release(out);
			return -1;
		}
		out->n++;
		e->platform.os = os ? strdup(os) : NULL;
		e->platform.arch = arch ? strdup(normalize_arch(arch)) : NULL;
		e->platform.variant = var ? strdup(var) : NULL;
	}
	return 0;
}

void manifest_index_release(struct manifest_index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		entry_release(&ix->entries[i]);
	free(ix->entries);
	memset(ix, 0, sizeof(*ix));
}

int platform_parse(const char *s, struct platform *p, struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(s);
	char *arch, *variant = NULL;

	memset(p, 0, sizeof(*p));
	arch = copy ? strchr(copy, '/') : NULL;
	if (arch == NULL || arch == copy || arch[1] == '\0') {
		rcr_error_set(err, EINVAL,
			      "invalid platform '%s': use OS/ARCH[/VARIANT], e.g. "
			      "linux/arm64",
			      s);
		return -1;
	}
	*arch++ = '\0';
	variant = strchr(arch, '/');
	if (variant != NULL) {
		*variant++ = '\0';
		if (*variant == '\0' || strchr(variant, '/')) {
			rcr_error_set(err, EINVAL, "invalid platform '%s': use OS/ARCH[/VARIANT]",
				      s);
			return -1;
		}
	}
	p->os = strdup(copy);
	p->arch = strdup(normalize_arch(arch));
	p->variant = variant ? strdup(variant) : NULL;
	return 0;
}

void platform_release(struct platform *p)
{
	free(p->os);
	free(p->arch);
	free(p->variant);
	memset(p, 0, sizeof(*p));
}

static bool variant_matches(const struct platform *want, const struct platform *have)
{
	const char *w = want->variant, *h = have->variant;

	/* arm64 images rarely name their variant; "v8" is what an unnamed one is. */
	if (strcmp(want->arch, "arm64") == 0) {
		w = w ? w : "v8";
		h = h ? h : "v8";
	}
	return w == NULL || h == NULL || strcmp(w, h) == 0;
}

const struct index_entry *manifest_index_select(const struct manifest_index *ix,
						const struct platform *want, struct rcr_error **err)
{
	char offered[1024] = "";

	for (size_t i = 0; i < ix->n; i++) {
		const struct platform *h = &ix->entries[i].platform;

		if (h->os && h->arch && strcmp(h->os, want->os) == 0 &&
		    strcmp(h->arch, want->arch) == 0 && variant_matches(want, h))
			return &ix->entries[i];
	}
	for (size_t i = 0; i < ix->n; i++) {
		const struct platform *h = &ix->entries[i].platform;
		size_t used = strlen(offered);

		snprintf(offered + used, sizeof(offered) - used, "%s%s/%s%s%s", i ? ", " : "",
			 h->os ? h->os : "?", h->arch ? h->arch : "?", h->variant ? "/" : "",
			 h->variant ? h->variant : "");
	}
	rcr_error_set(err, ENOENT,
		      "no image found in the manifest list for platform %s/%s%s%s (it has: %s): "
		      "choose one with --platform",
		      want->os, want->arch, want->variant ? "/" : "",
		      want->variant ? want->variant : "", ix->n ? offered : "nothing");
	return NULL;
}
