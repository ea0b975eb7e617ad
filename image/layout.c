/* Local sources (see transport.h): telling transports apart, reading an OCI image layout
 * (oci-layout, index.json, blobs/<alg>/<hex>) and storing what it holds through image/ingest.h.
 *
 * A layout is someone else's directory: every blob is verified against its digest (and size)
 * before it is parsed or unpacked, digests are checked to be well-formed before they become
 * paths, and nothing is committed unless every part verified. Must never write into the
 * layout, nor store a layer whose digest or diff_id did not verify.
 */
#include "image/transport.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image/config.h"
#include "image/digest.h"
#include "image/lookup.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"

#define REF_NAME_ANNOTATION	   "org.opencontainers.image.ref.name"
#define CONTAINERD_NAME_ANNOTATION "io.containerd.image.name"
#define MAX_INDEX		   (4 << 20)
#define MAX_MANIFEST		   (4 << 20)
#define MAX_CONFIG		   (8 << 20)

/* ---- transports ------------------------------------------------------------------------------ */

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

bool img_transport_is_local(const char *name)
{
	return has_prefix(name, "oci:") || has_prefix(name, "oci-archive:") ||
	       has_prefix(name, "docker-archive:");
}

int img_transport_check(const char *name, struct rcr_error **err)
{
	/* containers/image's other transports (alltransports): Podman would use them, so a name
	 * that starts with one is not an image reference; rcr says what it supports instead. */
	static const char *const unsupported[] = {
		"containers-storage", "dir", "docker-daemon", "ostree", "sif", "tarball", NULL};
	const char *colon = strchr(name, ':');

	if (colon == NULL)
		return 0;
	for (size_t i = 0; unsupported[i] != NULL; i++) {
		if ((size_t)(colon - name) == strlen(unsupported[i]) &&
		    strncmp(name, unsupported[i], (size_t)(colon - name)) == 0) {
			rcr_error_set(
				err, ENOTSUP,
				"transport '%s' is not supported by rcr; supported: docker://, "
				"oci:, oci-archive:, docker-archive:",
				unsupported[i]);
			return -1;
		}
	}
	return 0;
}

/* "DIR[:REF]" -> dir, ref (NULL without one): containers/image splits at the first colon, so a
 * directory name cannot contain one. */
static int split_spec(const char *spec, const char *what, char **path, char **ref,
		      struct rcr_error **err)
{
	const char *colon = strchr(spec, ':');

	*path = colon ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
	*ref = colon && colon[1] ? strdup(colon + 1) : NULL;
	if (*path == NULL || (colon && colon[1] && *ref == NULL)) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if ((*path)[0] == '\0') {
		rcr_error_set(err, EINVAL, "%s: a path is required (%s:PATH[:REF])", what, what);
		return -1;
	}
	return 0;
}

int img_pull_local(const struct pull_opts *o, const char *name, char image_id[72],
		   struct rcr_error **err)
{
	int rc;

	if (has_prefix(name, "oci:")) {
		_cleanup_free_ char *dir = NULL;
		_cleanup_free_ char *ref = NULL;

		rc = split_spec(name + 4, "oci", &dir, &ref, err);
		if (rc == 0)
			rc = layout_pull(o, dir, ref, LAYOUT_NAME_BY_REF, image_id, err);
	} else if (has_prefix(name, "oci-archive:")) {
		rc = archive_pull_oci(o, name + 12, image_id, err);
	} else if (has_prefix(name, "docker-archive:")) {
		rc = archive_pull_docker(o, name + 15, image_id, err);
	} else {
		rcr_error_set(err, EINVAL, "'%s' is not a local image source", name);
		return -1;
	}
	if (rc < 0)
		rcr_error_wrap(err, "pulling '%s'", name);
	return rc;
}

/* ---- index.json ------------------------------------------------------------------------------ */

void layout_pick_release(struct layout_pick *p)
{
	free(p->digest);
	free(p->media_type);
	free(p->name);
	memset(p, 0, sizeof(*p));
}

static const char *annotation(json_t *entry, const char *key)
{
	json_t *a = json_object_get(entry, "annotations");
	const char *v = json_string_value(json_object_get(a, key));

	return v != NULL && v[0] != '\0' ? v : NULL;
}

/* "a, b, @2" for the entries of an index, to tell the person what there is to choose. */
static void list_refs(json_t *manifests, char *out, size_t cap)
{
	size_t i;
	json_t *e;

	out[0] = '\0';
	json_array_foreach (manifests, i, e) {
		const char *r = annotation(e, REF_NAME_ANNOTATION);
		size_t used = strlen(out);

		if (r != NULL)
			snprintf(out + used, cap - used, "%s%s", used ? ", " : "", r);
		else
			snprintf(out + used, cap - used, "%s@%zu", used ? ", " : "", i);
	}
}

/* "@N" -> N; -1 when s is not that form. */
static long source_index(const char *s)
{
	char *end = NULL;
	long n;

	if (s == NULL || s[0] != '@' || s[1] < '0' || s[1] > '9')
		return -1;
	errno = 0;
	n = strtol(s + 1, &end, 10);
	return errno == 0 && *end == '\0' ? n : -1;
}

static json_t *choose_entry(json_t *manifests, const char *ref, struct rcr_error **err)
{
	size_t n = json_array_size(manifests);
	char refs[1024];
	long at = source_index(ref);
	size_t i;
	json_t *e;

	list_refs(manifests, refs, sizeof(refs));
	if (n == 0) {
		rcr_error_set(err, ENOENT, "index.json lists no image");
		return NULL;
	}
	if (ref == NULL || ref[0] == '\0') {
		if (n == 1)
			return json_array_get(manifests, 0);
		rcr_error_set(err, EINVAL,
			      "the layout holds %zu images: choose one by adding :REF (it has: %s)",
			      n, refs);
		return NULL;
	}
	if (ref[0] == '@') {
		if (at < 0 || (size_t)at >= n) {
			rcr_error_set(err, EINVAL,
				      "invalid source index %s: the layout holds %zu "
				      "image%s",
				      ref, n, n == 1 ? "" : "s");
			return NULL;
		}
		return json_array_get(manifests, (size_t)at);
	}
	json_array_foreach (manifests, i, e) {
		const char *r = annotation(e, REF_NAME_ANNOTATION);

		if (r != NULL && strcmp(r, ref) == 0)
			return e;
	}
	rcr_error_set(err, ENOENT, "no image named '%s' in the layout (it has: %s)", ref, refs);
	return NULL;
}

int layout_index_pick(const char *body, size_t len, const char *ref, struct layout_pick *out,
		      struct rcr_error **err)
{
	_cleanup_json_ json_t *doc = json_load_capped(body, len, MAX_INDEX, "index.json", err);
	json_t *manifests, *e, *size;
	const char *digest, *mt, *name;

	memset(out, 0, sizeof(*out));
	if (doc == NULL)
		return -1;
	manifests = json_get_array(doc, "manifests", err);
	if (manifests == NULL) {
		rcr_error_wrap(err, "index.json");
		return -1;
	}
	e = choose_entry(manifests, ref, err);
	if (e == NULL)
		return -1;
	digest = json_string_value(json_object_get(e, "digest"));
	if (digest == NULL || !img_ref_digest_is_valid(digest)) {
		rcr_error_set(err, EINVAL, "index.json: an entry has an invalid digest '%s'",
			      digest ? digest : "");
		return -1;
	}
	mt = json_string_value(json_object_get(e, "mediaType"));
	size = json_object_get(e, "size");
	/* buildkit and containerd name the image in their own annotation (Podman reads it first,
	 * containers/podman#12560). */
	name = annotation(e, CONTAINERD_NAME_ANNOTATION);
	if (name == NULL)
		name = annotation(e, REF_NAME_ANNOTATION);
	out->digest = strdup(digest);
	out->media_type = mt ? strdup(mt) : NULL;
	out->size = json_is_integer(size) ? json_integer_value(size) : -1;
	out->name = name ? strdup(name) : NULL;
	if (out->digest == NULL || (mt && !out->media_type) || (name && !out->name)) {
		layout_pick_release(out);
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

char *layout_ref_name(const char *ref, struct rcr_error **err)
{
	struct img_ref r;
	char *s = NULL;

	if (ref == NULL || ref[0] == '\0' || ref[0] == '@')
		return NULL;
	/* containers/image's storage transport parses the name with ParseNormalizedNamed: no
	 * short-name resolution, docker.io for a name without a registry, ":latest" added. */
	if (img_ref_parse(ref, &r, err) < 0) {
		rcr_error_wrap(err, "the reference '%s' cannot name an image", ref);
		return NULL;
	}
	if (r.digest == NULL) {
		s = img_ref_string(&r);
		if (s == NULL)
			rcr_error_set(err, ENOMEM, "out of memory");
	}
	img_ref_release(&r);
	return s;
}

/* ---- verified blobs -------------------------------------------------------------------------- */

static int digest_mismatch(const char *digest, const char *got, struct rcr_error **err)
{
	rcr_error_set(err, EBADMSG, "blob %s: its content has digest %s: the image is corrupt",
		      digest, got);
	return -1;
}

static int size_mismatch(const char *digest, long long want, long long got, struct rcr_error **err)
{
	rcr_error_set(err, EBADMSG,
		      "blob %s: %lld bytes where %lld were expected: the image is corrupt", digest,
		      got, want);
	return -1;
}

static int open_blob(const char *path, const char *digest, struct rcr_error **err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT)
		rcr_error_set(err, ENOENT, "blob %s is missing (%s)", digest, path);
	else if (fd < 0)
		rcr_error_set_errno(err, errno, "blob %s: opening %s", digest, path);
	return fd;
}

char *local_read_verified(const char *path, const char *digest, long long size, size_t max,
			  size_t *len, struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *data = NULL;
	char got[72];

	if (img_digest_check(digest, err) < 0)
		return NULL;
	fd = open_blob(path, digest, err);
	if (fd < 0)
		return NULL;
	data = fs_read_fd(fd, max, len, err);
	if (data == NULL) {
		rcr_error_wrap(err, "blob %s", digest);
		return NULL;
	}
	if (size >= 0 && (long long)*len != size) {
		size_mismatch(digest, size, (long long)*len, err);
		return NULL;
	}
	img_digest_of(data, *len, got);
	if (strcmp(got, digest) != 0) {
		digest_mismatch(digest, got, err);
		return NULL;
	}
	return steal_ptr(&data);
}

int local_verify_file(const char *path, const char *digest, long long size, struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = malloc(1 << 20);
	struct digester *d = NULL;
	long long total = 0;
	char got[72];
	ssize_t n;

	if (img_digest_check(digest, err) < 0)
		return -1;
	fd = open_blob(path, digest, err);
	if (fd < 0)
		return -1;
	d = digester_new();
	if (buf == NULL || d == NULL) {
		digester_free(d);
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	while ((n = read(fd, buf, 1 << 20)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			digester_free(d);
			rcr_error_set_errno(err, errno, "blob %s: reading %s", digest, path);
			return -1;
		}
		digester_update(d, buf, (size_t)n);
		total += n;
	}
	digester_finish(d, got);
	if (size >= 0 && total != size)
		return size_mismatch(digest, size, total, err);
	if (strcmp(got, digest) != 0)
		return digest_mismatch(digest, got, err);
	return 0;
}

/* ---- storing --------------------------------------------------------------------------------- */

static void event(const struct pull_opts *o, enum pull_event ev, const char *detail)
{
	if (o->on_event != NULL)
		o->on_event(o->event_arg, ev, detail);
}

/* "domain/path:tag" -> "domain/path@digest". Owned. */
static char *repo_digest_of(const char *name, const char *digest)
{
	const char *slash = strrchr(name, '/');
	const char *colon = strrchr(slash ? slash : name, ':');
	char *out = NULL;
	int len = colon ? (int)(colon - name) : (int)strlen(name);

	if (asprintf(&out, "%.*s@%s", len, name, digest) < 0)
		return NULL;
	return out;
}

static int unpack_missing(const struct pull_opts *o, const struct local_layer *v,
			  struct ingest_layer *layers, size_t n, struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++) {
		layers[i].digest = v[i].digest;
		layers[i].blob_size = v[i].size;
		layers[i].compression = v[i].compression;
		layers[i].diff_id = v[i].diff_id;
	}
	ingest_plan(o->store, layers, n);
	for (size_t i = 0; i < n; i++) {
		if (layers[i].exists) {
			event(o, PULL_BLOB_EXISTS, v[i].digest);
			continue;
		}
		if (ingest_unpack(o->store, o->maps, v[i].path, &layers[i], err) < 0) {
			rcr_error_wrap(err, "layer %s", v[i].digest);
			return -1;
		}
		event(o, PULL_BLOB_DONE, v[i].digest);
	}
	return 0;
}

/* The names after the first, each with its repository digest; the image is committed. */
static int add_names(struct store *st, const char *id, char *const *names, const char *mdigest,
		     struct rcr_error **err)
{
	for (size_t i = 1; names != NULL && names[i] != NULL; i++) {
		_cleanup_free_ char *rd = mdigest ? repo_digest_of(names[i], mdigest) : NULL;

		if (store_image_add_name(st, id, names[i], err) < 0 ||
		    (rd != NULL && store_image_add_digest(st, id, rd, err) < 0))
			return -1;
	}
	return 0;
}

int local_store(const struct pull_opts *o, const struct local_layer *v, size_t n,
		const struct ingest_image *img, char *const *names, char image_id[72],
		struct rcr_error **err)
{
	struct ingest_layer *layers = calloc(n + 1, sizeof(*layers));
	struct ingest_image im = *img;
	_cleanup_free_ char *rd = NULL;
	char config_digest[72];
	int rc = -1;

	if (layers == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (unpack_missing(o, v, layers, n, err) < 0)
		goto out;
	img_digest_of(img->config, img->config_len, config_digest);
	event(o, PULL_CONFIG_DONE, config_digest);
	im.name = names != NULL ? names[0] : NULL;
	if (im.name != NULL && img->manifest_digest != NULL) {
		rd = repo_digest_of(im.name, img->manifest_digest);
		im.repo_digest = rd;
	}
	if (ingest_commit(o->store, layers, n, &im, image_id, err) < 0 ||
	    (im.name != NULL &&
	     add_names(o->store, image_id, names, img->manifest_digest, err) < 0))
		goto out;
	event(o, PULL_MANIFEST_DONE, img->manifest_digest ? img->manifest_digest : image_id);
	rc = 0;
out:
	ingest_layers_release(layers, n);
	free(layers);
	return rc;
}

/* ---- the layout ------------------------------------------------------------------------------ */

struct layout {
	const char *dir;
	char *manifest; /* the image manifest (after choosing from an index) */
	size_t manifest_len;
	char digest[72]; /* of the image manifest */
	struct manifest m;
	char *config;
	size_t config_len;
	struct image_config cfg;
};

static void layout_release(struct layout *l)
{
	free(l->manifest);
	manifest_release(&l->m);
	free(l->config);
	image_config_release(&l->cfg);
}

/* DIR/blobs/<alg>/<hex>; the digest was checked to be well-formed, so this stays inside. */
static char *blob_path(const char *dir, const char *digest, struct rcr_error **err)
{
	const char *colon = strchr(digest, ':');
	char *p = NULL;

	if (colon == NULL || !img_ref_digest_is_valid(digest)) {
		rcr_error_set(err, EINVAL, "invalid digest '%s'", digest);
		return NULL;
	}
	if (asprintf(&p, "%s/blobs/%.*s/%s", dir, (int)(colon - digest), digest, colon + 1) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	return p;
}

static char *read_blob(const char *dir, const char *digest, long long size, size_t max, size_t *len,
		       struct rcr_error **err)
{
	_cleanup_free_ char *p = blob_path(dir, digest, err);

	return p ? local_read_verified(p, digest, size, max, len, err) : NULL;
}

/* The oci-layout file says this is a layout, and which version (the spec has only 1.0.0). */
static int check_layout_file(const char *dir, struct rcr_error **err)
{
	_cleanup_free_ char *p = fs_path_join(dir, "oci-layout");
	_cleanup_json_ json_t *doc = NULL;
	struct stat st;

	if (p == NULL)
		return -1;
	if (stat(dir, &st) < 0) {
		rcr_error_set_errno(err, errno, "'%s'", dir);
		return -1;
	}
	if (!fs_exists(p)) {
		rcr_error_set(err, ENOENT,
			      "'%s' is not an OCI image layout: it has no oci-layout file", dir);
		return -1;
	}
	doc = json_load_file_capped(p, 4096, err);
	if (doc == NULL || json_get_string(doc, "imageLayoutVersion", err) == NULL) {
		rcr_error_wrap(err, "'%s' is not an OCI image layout", dir);
		return -1;
	}
	return 0;
}

/* The platform to choose from an index: o's, else this machine's. */
static int wanted_platform(const struct pull_opts *o, struct platform *p, struct rcr_error **err)
{
	struct utsname u;
	_cleanup_free_ char *spec = NULL;

	if (o->arch != NULL) {
		if (asprintf(&spec, "%s/%s%s%s", o->os ? o->os : "linux", o->arch,
			     o->variant ? "/" : "", o->variant ? o->variant : "") < 0)
			return -1;
	} else {
		uname(&u);
		if (asprintf(&spec, "linux/%s", u.machine) < 0)
			return -1;
	}
	return platform_parse(spec, p, err);
}

/* The image manifest: the picked entry, or the entry of the nested index for the platform. */
static int read_manifest(const struct pull_opts *o, struct layout *l, const struct layout_pick *pk,
			 struct rcr_error **err)
{
	_cleanup_free_ char *mt = NULL;
	int kind;

	l->manifest = read_blob(l->dir, pk->digest, pk->size, MAX_MANIFEST, &l->manifest_len, err);
	if (l->manifest == NULL)
		return -1;
	snprintf(l->digest, sizeof(l->digest), "%s", pk->digest);
	kind = manifest_kind(l->manifest, l->manifest_len, pk->media_type, &mt, err);
	if (kind == 1) {
		struct manifest_index ix;
		struct platform want = {0};
		const struct index_entry *e = NULL;
		_cleanup_free_ char *digest = NULL;
		long long size = -1;

		if (wanted_platform(o, &want, err) < 0 ||
		    manifest_index_parse(l->manifest, l->manifest_len, &ix, err) < 0) {
			platform_release(&want);
			return -1;
		}
		e = manifest_index_select(&ix, &want, err);
		if (e != NULL) {
			digest = strdup(e->digest);
			size = e->size > 0 ? e->size : -1;
		}
		manifest_index_release(&ix);
		platform_release(&want);
		if (digest == NULL)
			return -1;
		free(l->manifest);
		free(mt);
		mt = NULL;
		l->manifest = read_blob(l->dir, digest, size, MAX_MANIFEST, &l->manifest_len, err);
		if (l->manifest == NULL)
			return -1;
		snprintf(l->digest, sizeof(l->digest), "%s", digest);
		kind = manifest_kind(l->manifest, l->manifest_len, NULL, &mt, err);
		if (kind == 1) {
			rcr_error_set(err, ENOTSUP, "the index entry %s is itself an index",
				      digest);
			return -1;
		}
	}
	if (kind < 0)
		return -1;
	return manifest_parse(l->manifest, l->manifest_len, mt, &l->m, err);
}

static int read_config(struct layout *l, struct rcr_error **err)
{
	l->config =
		read_blob(l->dir, l->m.config_digest, l->m.config_size > 0 ? l->m.config_size : -1,
			  MAX_CONFIG, &l->config_len, err);
	if (l->config == NULL || image_config_parse(l->config, l->config_len, &l->cfg, err) < 0) {
		rcr_error_wrap(err, "the image config");
		return -1;
	}
	if (l->cfg.n_diff_ids != l->m.n_layers) {
		rcr_error_set(err, EINVAL,
			      "the manifest lists %zu layers but the image config %zu diff_ids",
			      l->m.n_layers, l->cfg.n_diff_ids);
		return -1;
	}
	return 0;
}

/* Every layer blob that the store lacks is verified before anything is unpacked: a corrupt
 * layout fails before any work is done. Layers the store has already are not read at all. */
static int collect_layers(struct store *st, struct layout *l, struct local_layer *v, char **paths,
			  struct rcr_error **err)
{
	size_t n = l->m.n_layers;
	_cleanup_free_ struct ingest_layer *plan = calloc(n + 1, sizeof(*plan));

	if (plan == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct manifest_layer *ml = &l->m.layers[i];

		paths[i] = blob_path(l->dir, ml->digest, err);
		if (paths[i] == NULL)
			return -1;
		v[i] = (struct local_layer){.path = paths[i],
					    .digest = ml->digest,
					    .size = ml->size,
					    .compression = ml->compression,
					    .diff_id = l->cfg.diff_ids[i]};
		plan[i].diff_id = v[i].diff_id;
	}
	ingest_plan(st, plan, n);
	for (size_t i = 0; i < n; i++)
		if (!plan[i].exists && local_verify_file(v[i].path, v[i].digest,
							 v[i].size > 0 ? v[i].size : -1, err) < 0)
			return -1;
	return 0;
}

static int layout_names(const struct layout_pick *pk, const char *ref, enum layout_naming naming,
			char ***names, struct rcr_error **err)
{
	char *name = NULL;

	*names = calloc(2, sizeof(char *));
	if (*names == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (naming == LAYOUT_NAME_BY_REF) {
		name = layout_ref_name(ref, err);
	} else if (pk->name != NULL) {
		name = img_local_name(pk->name, err);
		if (name == NULL)
			rcr_error_wrap(err, "the image's name annotation '%s'", pk->name);
	}
	if (name == NULL && err != NULL && *err != NULL)
		return -1;
	(*names)[0] = name;
	return 0;
}

int layout_pull(const struct pull_opts *o, const char *dir, const char *ref,
		enum layout_naming naming, char image_id[72], struct rcr_error **err)
{
	_cleanup_free_ char *ipath = fs_path_join(dir, "index.json");
	_cleanup_free_ char *index = NULL;
	_cleanup_strv_ char **names = NULL;
	struct layout_pick pk = {0};
	struct layout l = {.dir = dir};
	struct local_layer *v = NULL;
	char **paths = NULL;
	size_t len = 0;
	int rc = -1;

	if (ipath == NULL || check_layout_file(dir, err) < 0)
		return -1;
	index = fs_read_file(ipath, MAX_INDEX, &len, err);
	if (index == NULL || layout_index_pick(index, len, ref, &pk, err) < 0 ||
	    layout_names(&pk, ref, naming, &names, err) < 0 || read_manifest(o, &l, &pk, err) < 0 ||
	    read_config(&l, err) < 0)
		goto out;
	v = calloc(l.m.n_layers + 1, sizeof(*v));
	paths = calloc(l.m.n_layers + 1, sizeof(*paths));
	if (v == NULL || paths == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	if (collect_layers(o->store, &l, v, paths, err) < 0)
		goto out;
	{
		struct ingest_image img = {.manifest_digest = l.digest,
					   .manifest = l.manifest,
					   .manifest_len = l.manifest_len,
					   .config = l.config,
					   .config_len = l.config_len,
					   .created = l.cfg.created};

		rc = local_store(o, v, l.m.n_layers, &img, names, image_id, err);
	}
out:
	strv_free(paths);
	free(v);
	layout_release(&l);
	layout_pick_release(&pk);
	return rc;
}
