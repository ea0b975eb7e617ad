/* Archives as image sources (see transport.h): oci-archive (a tar of an OCI layout) and
 * docker-archive (what `docker save` writes: manifest.json naming a config file and one tar file
 * per layer, the legacy "<id>/layer.tar" form and Docker 25's "blobs/sha256/<hex>" alike).
 *
 * The archive is extracted into a private, locked tmp/ entry of the store and read from there.
 * Extraction is for untrusted input: only directories and regular files are created, every path
 * is cleaned lexically and refused when it would climb out, and the symlinks and hardlinks that
 * `docker save` uses for a layer shared by two images become hard links to files already
 * extracted, never symlinks on disk. So no path inside the entry can lead out of it. Must never
 * write anything outside that entry.
 *
 * A docker-archive carries no digests of its layer files: as containers/image does, each layer
 * is known by its diff_id (the ingest_layer digest and the generated Docker schema 2 manifest
 * both use it), and the diff_id check of unpacking is what verifies the content.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/lazylib.h"
#include "image/config.h"
#include "image/digest.h"
#include "image/lookup.h"
#include "image/reference.h"
#include "image/transport.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"

#define MAX_DARCHIVE_MANIFEST (16 << 20)
#define MAX_CONFIG	      (8 << 20)
#define MAX_LINKS	      4096

/* ---- extraction -------------------------------------------------------------------------------
 */

/* A link to make once every regular file is out: name -> target, both clean and relative. */
struct pending_link {
	char *name;
	char *target;
};

struct extract {
	const char *root;
	struct pending_link *links;
	size_t n_links;
};

/* Clean rel lexically below root: NULL (with an error) when it climbs out. Owned. */
static char *inside(const char *root, const char *rel, struct rcr_error **err)
{
	char *p = fs_join_safe(root, rel, err);

	if (p == NULL)
		rcr_error_wrap(err, "the archive entry '%s' would leave the archive", rel);
	return p;
}

static int write_entry(struct archive *a, const char *path, struct rcr_error **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	const void *buf;
	size_t len;
	la_int64_t off;
	int r;

	if (slash != NULL) {
		*slash = '\0';
		if (fs_mkdir_p(dir, 0700, err) < 0)
			return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "creating %s", path);
		return -1;
	}
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		/* Sparse entries come as blocks at offsets; holes read back as zeros. */
		if (pwrite(fd, buf, len, off) != (ssize_t)len) {
			rcr_error_set_errno(err, errno ? errno : EIO, "writing %s", path);
			return -1;
		}
	}
	if (r != ARCHIVE_EOF) {
		rcr_error_set(err, EIO, "reading the archive: %s", archive_error_string(a));
		return -1;
	}
	return 0;
}

/* Remember a symlink or hardlink entry. A symlink's target is relative to its own directory,
 * a hardlink's to the archive's root; either must stay inside. */
static int add_link(struct extract *x, const char *name, const char *target, bool is_symlink,
		    struct rcr_error **err)
{
	_cleanup_free_ char *rel = NULL;
	struct pending_link *nl;
	const char *slash = strrchr(name, '/');

	if (x->n_links >= MAX_LINKS)
		return 0;
	if (is_symlink && target[0] == '/')
		return 0; /* an absolute target never names a file of the archive */
	if (is_symlink && slash != NULL) {
		if (asprintf(&rel, "%.*s/%s", (int)(slash - name), name, target) < 0)
			return -1;
	} else {
		rel = strdup(target);
	}
	nl = realloc(x->links, (x->n_links + 1) * sizeof(*nl));
	if (rel == NULL || nl == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	x->links = nl;
	nl[x->n_links].name = inside(x->root, name, err);
	nl[x->n_links].target = nl[x->n_links].name ? inside(x->root, rel, err) : NULL;
	if (nl[x->n_links].target == NULL) {
		free(nl[x->n_links].name);
		return -1;
	}
	x->n_links++;
	return 0;
}

/* Hard links for the remembered links whose target is an extracted file; a link to a link is
 * made once its own target exists, so a few rounds settle every chain. */
static void make_links(struct extract *x)
{
	for (int round = 0; round < 8; round++) {
		bool progress = false;

		for (size_t i = 0; i < x->n_links; i++) {
			struct pending_link *l = &x->links[i];
			struct stat st;

			if (l->name == NULL || lstat(l->target, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			unlink(l->name);
			if (link(l->target, l->name) == 0)
				progress = true;
			free(l->name);
			l->name = NULL;
		}
		if (!progress)
			break;
	}
}

static int extract_entries(struct archive *a, struct extract *x, struct rcr_error **err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		const char *hard = archive_entry_hardlink(e);
		_cleanup_free_ char *path = NULL;

		if (name == NULL)
			continue;
		if (hard != NULL) {
			if (add_link(x, name, hard, false, err) < 0)
				return -1;
			continue;
		}
		switch (archive_entry_filetype(e)) {
		case AE_IFLNK:
			if (add_link(x, name, archive_entry_symlink(e), true, err) < 0)
				return -1;
			break;
		case AE_IFDIR:
			path = inside(x->root, name, err);
			if (path == NULL || fs_mkdir_p(path, 0700, err) < 0)
				return -1;
			break;
		case AE_IFREG:
			path = inside(x->root, name, err);
			if (path == NULL || write_entry(a, path, err) < 0)
				return -1;
			break;
		default:
			break; /* devices, fifos: an image archive has none to use */
		}
	}
	if (r != ARCHIVE_EOF) {
		rcr_error_set(err, EINVAL, "reading the archive: %s", archive_error_string(a));
		return -1;
	}
	return 0;
}

/* Extract the tar file (compressed or not) at file into the existing directory root. */
static int extract_archive(const char *file, const char *root, struct rcr_error **err)
{
	struct archive *a;
	struct extract x = {.root = root};
	int rc = -1;

	if (lazylib_archive(err) < 0)
		return -1;
	a = archive_read_new();
	if (a == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	archive_read_support_format_tar(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
		int e = archive_errno(a);

		rcr_error_set(err, e > 0 ? e : EINVAL, "'%s': %s", file,
			      e > 0 ? strerror(e) : archive_error_string(a));
	} else if (extract_entries(a, &x, err) == 0) {
		make_links(&x);
		rc = 0;
	}
	archive_read_free(a);
	for (size_t i = 0; i < x.n_links; i++) {
		free(x.links[i].name);
		free(x.links[i].target);
	}
	free(x.links);
	return rc;
}

/* An extracted archive in a tmp/ entry of the store, released with the entry. */
static int extract_to_tmp(const struct pull_opts *o, const char *file, const char *prefix,
			  struct store_staging **tmp, struct rcr_error **err)
{
	struct stat st;

	/* Before the store is touched, so a typo costs nothing. */
	if (stat(file, &st) < 0) {
		rcr_error_set_errno(err, errno, "'%s'", file);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		rcr_error_set(err, EISDIR, "'%s' is a directory, not an archive", file);
		return -1;
	}
	if (store_tmp_new(o->store, prefix, tmp, err) < 0)
		return -1;
	if (mkdir(store_staging_path(*tmp), 0700) < 0) {
		rcr_error_set_errno(err, errno, "creating %s", store_staging_path(*tmp));
		return -1;
	}
	return extract_archive(file, store_staging_path(*tmp), err);
}

/* "FILE[:REF]" -> file, ref (NULL without one); the first colon separates them, as in
 * containers/image. */
static int split_file_ref(const char *spec, const char *what, char **file, char **ref,
			  struct rcr_error **err)
{
	const char *colon = strchr(spec, ':');

	*file = colon ? strndup(spec, (size_t)(colon - spec)) : strdup(spec);
	*ref = colon && colon[1] ? strdup(colon + 1) : NULL;
	if (*file == NULL || (colon && colon[1] && *ref == NULL)) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if ((*file)[0] == '\0') {
		rcr_error_set(err, EINVAL, "%s: a file is required (%s:FILE[:REF])", what, what);
		return -1;
	}
	return 0;
}

/* ---- oci-archive ------------------------------------------------------------------------------
 */

int archive_pull_oci(const struct pull_opts *o, const char *spec, char image_id[72],
		     struct rcr_error **err)
{
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *ref = NULL;
	struct store_staging *tmp = NULL;
	int rc = -1;

	if (split_file_ref(spec, "oci-archive", &file, &ref, err) < 0)
		return -1;
	if (extract_to_tmp(o, file, "oci-archive", &tmp, err) == 0)
		rc = layout_pull(o, store_staging_path(tmp), ref, LAYOUT_NAME_BY_ANNOTATION,
				 image_id, err);
	store_tmp_release(tmp);
	return rc;
}

/* ---- docker-archive: manifest.json ------------------------------------------------------------
 */

static void item_release(struct darchive_item *it)
{
	free(it->config);
	strv_free(it->repo_tags);
	strv_free(it->layers);
}

void darchive_manifest_release(struct darchive_manifest *m)
{
	for (size_t i = 0; m->items != NULL && i < m->n; i++)
		item_release(&m->items[i]);
	free(m->items);
	memset(m, 0, sizeof(*m));
}

/* A path inside the archive: relative, without "..". */
static bool path_is_inside(const char *p)
{
	const char *c = p;

	if (p[0] == '\0' || p[0] == '/')
		return false;
	while (c != NULL && *c != '\0') {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);

		if (n == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c = end ? end + 1 : NULL;
	}
	return true;
}

/* A JSON array of strings into an owned NULL-terminated vector; paths checked when asked. */
static int string_list(json_t *arr, const char *what, bool paths, char ***out, size_t *n,
		       struct rcr_error **err)
{
	size_t i;
	json_t *v;

	*out = calloc(json_array_size(arr) + 1, sizeof(char *));
	*n = 0;
	if (*out == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	json_array_foreach (arr, i, v) {
		const char *s = json_string_value(v);

		if (s == NULL) {
			rcr_error_set(err, EINVAL, "manifest.json: '%s' holds a non-string", what);
			return -1;
		}
		if (paths && !path_is_inside(s)) {
			rcr_error_set(err, EINVAL,
				      "manifest.json: '%s' names '%s', which is not inside the "
				      "archive",
				      what, s);
			return -1;
		}
		(*out)[i] = strdup(s);
		if ((*out)[i] == NULL) {
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
		(*n)++;
	}
	return 0;
}

static int parse_item(json_t *obj, struct darchive_item *it, struct rcr_error **err)
{
	const char *config;
	json_t *tags, *layers;

	if (!json_is_object(obj)) {
		rcr_error_set(err, EINVAL, "manifest.json: an entry is not an object");
		return -1;
	}
	config = json_get_string(obj, "Config", err);
	layers = config ? json_get_array(obj, "Layers", err) : NULL;
	if (layers == NULL) {
		rcr_error_wrap(err, "manifest.json");
		return -1;
	}
	if (!path_is_inside(config)) {
		rcr_error_set(err, EINVAL,
			      "manifest.json: 'Config' names '%s', which is not inside the archive",
			      config);
		return -1;
	}
	it->config = strdup(config);
	if (it->config == NULL)
		return -1;
	/* RepoTags is null for an image saved by id. */
	tags = json_object_get(obj, "RepoTags");
	if (tags != NULL && !json_is_null(tags) && !json_is_array(tags)) {
		rcr_error_set(err, EINVAL, "manifest.json: 'RepoTags' is not a list");
		return -1;
	}
	if (string_list(json_is_array(tags) ? tags : NULL, "RepoTags", false, &it->repo_tags,
			&it->n_tags, err) < 0)
		return -1;
	return string_list(layers, "Layers", true, &it->layers, &it->n_layers, err);
}

int darchive_manifest_parse(const char *body, size_t len, struct darchive_manifest *out,
			    struct rcr_error **err)
{
	_cleanup_json_ json_t *doc =
		json_load_capped(body, len, MAX_DARCHIVE_MANIFEST, "manifest.json", err);
	size_t i;
	json_t *v;

	memset(out, 0, sizeof(*out));
	if (doc == NULL)
		return -1;
	if (!json_is_array(doc) || json_array_size(doc) == 0) {
		rcr_error_set(err, EINVAL, "manifest.json: not a non-empty list of images");
		return -1;
	}
	out->items = calloc(json_array_size(doc), sizeof(*out->items));
	if (out->items == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	json_array_foreach (doc, i, v) {
		out->n = i + 1;
		if (parse_item(v, &out->items[i], err) < 0) {
			darchive_manifest_release(out);
			return -1;
		}
	}
	return 0;
}

/* Each tag normalised as Podman's NormalizeName (short names under localhost/). */
static int local_names(char *const *tags, size_t n, char ***names, struct rcr_error **err)
{
	*names = calloc(n + 1, sizeof(char *));
	if (*names == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		(*names)[i] = img_local_name(tags[i], err);
		if ((*names)[i] == NULL) {
			rcr_error_wrap(err, "manifest.json: the tag '%s'", tags[i]);
			return -1;
		}
	}
	return 0;
}

/* "domain/path:tag" of a Docker reference, or NULL when it does not parse. Owned. */
static char *docker_form(const char *s)
{
	struct img_ref r;
	char *out;

	if (img_ref_parse(s, &r, NULL) < 0)
		return NULL;
	out = r.digest == NULL ? img_ref_string(&r) : NULL;
	img_ref_release(&r);
	return out;
}

static int choose_by_tag(const struct darchive_manifest *m, const char *ref,
			 const struct darchive_item **item, char ***names, struct rcr_error **err)
{
	_cleanup_free_ char *want = NULL;
	struct img_ref r;

	if (img_ref_parse(ref, &r, err) < 0)
		return -1;
	if (r.digest != NULL) {
		img_ref_release(&r);
		rcr_error_set(
			err, EINVAL,
			"docker-archive: '%s': a reference with a digest cannot choose an image",
			ref);
		return -1;
	}
	want = img_ref_string(&r);
	img_ref_release(&r);
	for (size_t i = 0; want != NULL && i < m->n; i++) {
		for (size_t t = 0; t < m->items[i].n_tags; t++) {
			_cleanup_free_ char *have = docker_form(m->items[i].repo_tags[t]);

			if (have != NULL && strcmp(have, want) == 0) {
				*item = &m->items[i];
				return local_names(&m->items[i].repo_tags[t], 1, names, err);
			}
		}
	}
	rcr_error_set(err, ENOENT, "tag '%s' not found in the archive", ref);
	return -1;
}

int darchive_choose(const struct darchive_manifest *m, const char *ref,
		    const struct darchive_item **item, char ***names, struct rcr_error **err)
{
	char *end = NULL;
	unsigned long at;

	*item = NULL;
	*names = NULL;
	if (ref == NULL || ref[0] == '\0') {
		if (m->n != 1) {
			rcr_error_set(err, EINVAL,
				      "the archive holds %zu images: choose one with :REPO:TAG or "
				      ":@N",
				      m->n);
			return -1;
		}
		*item = &m->items[0];
	} else if (ref[0] == '@') {
		errno = 0;
		at = strtoul(ref + 1, &end, 10);
		if (ref[1] < '0' || ref[1] > '9' || errno != 0 || *end != '\0' || at >= m->n) {
			rcr_error_set(err, EINVAL,
				      "invalid source index %s: the archive holds %zu image%s", ref,
				      m->n, m->n == 1 ? "" : "s");
			return -1;
		}
		*item = &m->items[at];
	} else {
		return choose_by_tag(m, ref, item, names, err);
	}
	return local_names((*item)->repo_tags, (*item)->n_tags, names, err);
}

/* ---- docker-archive: the image ----------------------------------------------------------------
 */

struct dimage {
	const char *root;
	const struct darchive_item *item;
	char *config;
	size_t config_len;
	struct image_config cfg;
	char **paths; /* NULL-terminated, owned */
	struct local_layer *layers;
	char *manifest;
	size_t manifest_len;
	char manifest_digest[72];
};

static void dimage_release(struct dimage *d)
{
	free(d->config);
	image_config_release(&d->cfg);
	strv_free(d->paths);
	free(d->layers);
	free(d->manifest);
}

/* "<hex>.json" (legacy) or "blobs/sha256/<hex>" (Docker 25): the config's name is its digest,
 * which is checked when it has that form. */
static int read_dconfig(struct dimage *d, struct rcr_error **err)
{
	_cleanup_free_ char *path = inside(d->root, d->item->config, err);
	const char *base = strrchr(d->item->config, '/');
	char want[72] = "";
	size_t bl;

	if (path == NULL)
		return -1;
	base = base ? base + 1 : d->item->config;
	bl = strlen(base);
	if (bl == 69 && strcmp(base + 64, ".json") == 0)
		bl = 64;
	if (bl == 64)
		snprintf(want, sizeof(want), "sha256:%.64s", base);
	if (want[0] != '\0' && img_ref_digest_is_valid(want)) {
		d->config = local_read_verified(path, want, -1, MAX_CONFIG, &d->config_len, err);
	} else {
		d->config = fs_read_file(path, MAX_CONFIG, &d->config_len, err);
		if (d->config == NULL)
			rcr_error_wrap(err, "the image config '%s'", d->item->config);
	}
	if (d->config == NULL || image_config_parse(d->config, d->config_len, &d->cfg, err) < 0)
		return -1;
	if (d->cfg.n_diff_ids != d->item->n_layers) {
		rcr_error_set(err, EINVAL,
			      "manifest.json lists %zu layers but the image config %zu diff_ids",
			      d->item->n_layers, d->cfg.n_diff_ids);
		return -1;
	}
	return 0;
}

/* The compression of a layer file, by its magic number (`docker save` writes plain tars; other
 * tools gzip or zstd them). */
static int sniff(const char *path, const char *name, enum layer_compression *c, long long *size,
		 struct rcr_error **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char m[4] = {0};
	struct stat st;

	if (fd < 0 || fstat(fd, &st) < 0) {
		rcr_error_set_errno(err, errno, "the layer '%s'", name);
		return -1;
	}
	*size = st.st_size;
	if (read(fd, m, sizeof(m)) < 0) {
		rcr_error_set_errno(err, errno, "reading the layer '%s'", name);
		return -1;
	}
	if (m[0] == 0x1f && m[1] == 0x8b)
		*c = LAYER_GZIP;
	else if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		*c = LAYER_ZSTD;
	else
		*c = LAYER_PLAIN;
	return 0;
}

static int collect_dlayers(struct dimage *d, struct rcr_error **err)
{
	size_t n = d->item->n_layers;

	d->paths = calloc(n + 1, sizeof(char *));
	d->layers = calloc(n + 1, sizeof(*d->layers));
	if (d->paths == NULL || d->layers == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct local_layer *l = &d->layers[i];

		d->paths[i] = inside(d->root, d->item->layers[i], err);
		if (d->paths[i] == NULL ||
		    sniff(d->paths[i], d->item->layers[i], &l->compression, &l->size, err) < 0)
			return -1;
		l->path = d->paths[i];
		l->diff_id = d->cfg.diff_ids[i];
		l->digest = d->cfg.diff_ids[i];
	}
	return 0;
}

/* The Docker schema 2 manifest containers/image generates for an archived image: the config by
 * its digest, every layer by its diff_id. */
static int make_manifest(struct dimage *d, struct rcr_error **err)
{
	_cleanup_json_ json_t *m = json_object();
	json_t *layers = json_array();
	char cdigest[72];

	img_digest_of(d->config, d->config_len, cdigest);
	if (m == NULL || layers == NULL ||
	    json_object_set_new(m, "schemaVersion", json_integer(2)) < 0 ||
	    json_object_set_new(m, "mediaType", json_string(MT_DOCKER_MANIFEST)) < 0 ||
	    json_object_set_new(m, "config",
				json_pack("{s:s,s:I,s:s}", "mediaType",
					  "application/vnd.docker.container.image.v1+json", "size",
					  (json_int_t)d->config_len, "digest", cdigest)) < 0 ||
	    json_object_set_new(m, "layers", layers) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < d->item->n_layers; i++)
		json_array_append_new(layers,
				      json_pack("{s:s,s:I,s:s}", "mediaType",
						"application/vnd.docker.image.rootfs.diff.tar.gzip",
						"size", (json_int_t)d->layers[i].size, "digest",
						d->layers[i].diff_id));
	d->manifest = json_dump_string(m, false);
	if (d->manifest == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	d->manifest_len = strlen(d->manifest);
	img_digest_of(d->manifest, d->manifest_len, d->manifest_digest);
	return 0;
}

static int pull_dimage(const struct pull_opts *o, const char *root, const char *ref,
		       char image_id[72], struct rcr_error **err)
{
	_cleanup_free_ char *mpath = fs_path_join(root, "manifest.json");
	_cleanup_free_ char *body = NULL;
	_cleanup_strv_ char **names = NULL;
	struct darchive_manifest m = {0};
	struct dimage d = {.root = root};
	size_t len = 0;
	int rc = -1;

	if (mpath == NULL)
		return -1;
	if (!fs_exists(mpath)) {
		rcr_error_set(
			err, ENOENT,
			"not a docker-archive: it has no manifest.json (an OCI archive is read "
			"with oci-archive:)");
		return -1;
	}
	body = fs_read_file(mpath, MAX_DARCHIVE_MANIFEST, &len, err);
	if (body != NULL && darchive_manifest_parse(body, len, &m, err) == 0 &&
	    darchive_choose(&m, ref, &d.item, &names, err) == 0 && read_dconfig(&d, err) == 0 &&
	    collect_dlayers(&d, err) == 0 && make_manifest(&d, err) == 0) {
		struct ingest_image img = {.manifest_digest = d.manifest_digest,
					   .manifest = d.manifest,
					   .manifest_len = d.manifest_len,
					   .config = d.config,
					   .config_len = d.config_len,
					   .created = d.cfg.created};

		rc = local_store(o, d.layers, d.item->n_layers, &img, names, image_id, err);
	}
	dimage_release(&d);
	darchive_manifest_release(&m);
	return rc;
}

int archive_pull_docker(const struct pull_opts *o, const char *spec, char image_id[72],
			struct rcr_error **err)
{
	_cleanup_free_ char *file = NULL;
	_cleanup_free_ char *ref = NULL;
	struct store_staging *tmp = NULL;
	int rc = -1;

	if (split_file_ref(spec, "docker-archive", &file, &ref, err) < 0)
		return -1;
	if (extract_to_tmp(o, file, "docker-archive", &tmp, err) == 0)
		rc = pull_dimage(o, store_staging_path(tmp), ref, image_id, err);
	store_tmp_release(tmp);
	return rc;
}
