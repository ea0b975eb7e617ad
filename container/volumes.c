/* Volumes for containers and for `rcr volume` (volumes.h): resolving -v/--mount volumes at
 * create, anonymous volumes going with their container, removal with -f, creation with labels
 * and options, and the inspect document.
 *
 * Decisions are Podman's: a named volume is made on first use; "-v /dst" makes an anonymous
 * volume that `rm -v` and `--rm` remove and nothing else does; a named volume is never removed
 * with a container. Must never remove a volume a container still uses: the store refuses that
 * in the same transaction as the delete, so a race can only make a removal fail, never succeed
 * wrongly.
 */
#include "container/volumes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "container/container.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "pkg/log.h"
#include "pkg/timeparse.h"

static int strv_push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (nv == NULL)
		return -1;
	*v = nv;
	nv[*n] = strdup(s);
	if (nv[*n] == NULL)
		return -1;
	nv[++*n] = NULL;
	return 0;
}

/* ---- at create ------------------------------------------------------------------------------ */

/* The volume called name, made when missing (Podman makes named volumes on first use). A
 * create racing ours is fine: its volume is the one we wanted. */
static int ensure_named(struct store *st, const char *name, struct rcr_error **err)
{
	struct store_volume v = {0};
	int rc = store_volume_get(st, name, &v, err);

	store_volume_release(&v);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	v = (struct store_volume){.name = (char *)name, .copy_up = true};
	if (store_volume_create(st, &v, err) == 0)
		return 0;
	if ((*err)->code != EEXIST)
		return -1;
	rcr_error_clear(err);
	return 0;
}

static char *make_anonymous(struct store *st, struct ctr_volumes *out, struct rcr_error **err)
{
	_cleanup_free_ char *name = store_volume_new_name(st, err);
	struct store_volume v = {.anonymous = true, .copy_up = true};

	if (name == NULL)
		return NULL;
	v.name = name;
	if (store_volume_create(st, &v, err) < 0)
		return NULL;
	if (strv_push(&out->made_anonymous, &out->n_made, name) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	return steal_ptr(&name);
}

/* One VOLUME mount: find or make its volume, point the mount at its _data, record the use. */
static int prepare_one(struct store *st, struct ctr_mount *m, struct ctr_volumes *out,
		       struct rcr_error **err)
{
	_cleanup_free_ char *name = steal_ptr(&m->source);
	struct store_volume_use *nu;

	if (name == NULL)
		name = make_anonymous(st, out, err);
	else if (ensure_named(st, name, err) < 0)
		return -1;
	if (name == NULL)
		return -1;
	m->source = store_volume_data_path(st, name);
	if (!m->nocopy)
		m->copyup_marker = store_volume_marker_path(st, name);
	nu = realloc(out->uses, (out->n + 1) * sizeof(*nu));
	if (m->source == NULL || (!m->nocopy && m->copyup_marker == NULL) || nu == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	out->uses = nu;
	nu[out->n] = (struct store_volume_use){steal_ptr(&name), strdup(m->dest), false};
	if (nu[out->n++].dest == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int ctr_volumes_prepare(struct store *st, struct ctr_mount *all, size_t n, struct ctr_volumes *out,
			struct rcr_error **err)
{
	for (size_t i = 0; i < n; i++)
		if (all[i].type == CTR_MOUNT_VOLUME && prepare_one(st, &all[i], out, err) < 0) {
			rcr_error_wrap(err, "volume for '%s'", all[i].dest);
			return -1;
		}
	return 0;
}

void ctr_volumes_abandon(struct store *st, struct ctr_volumes *v)
{
	for (size_t i = 0; i < v->n_made; i++) {
		_cleanup_error_ struct rcr_error *err = NULL;

		if (store_volume_delete(st, v->made_anonymous[i], &err) < 0 && err->code != ENOENT)
			rcr_warn("removing anonymous volume %s: %s", v->made_anonymous[i],
				 err->msg);
	}
}

void ctr_volumes_release(struct ctr_volumes *v)
{
	store_volume_use_free(v->uses, v->n);
	strv_free(v->made_anonymous);
	memset(v, 0, sizeof(*v));
}

/* ---- with a container's removal ------------------------------------------------------------- */

int ctr_volumes_anonymous(struct store *st, const char *id, char ***names, struct rcr_error **err)
{
	struct store_volume_use *uses = NULL;
	char **v = calloc(1, sizeof(char *));
	size_t n = 0, k = 0;

	*names = NULL;
	if (v == NULL || store_container_volumes(st, id, &uses, &n, err) < 0) {
		if (v == NULL)
			rcr_error_set(err, ENOMEM, "out of memory");
		free(v);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (uses[i].anonymous && strv_push(&v, &k, uses[i].volume) < 0) {
			store_volume_use_free(uses, n);
			strv_free(v);
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
	store_volume_use_free(uses, n);
	*names = v;
	return 0;
}

void ctr_volumes_remove_unused(struct store *st, char **names)
{
	for (size_t i = 0; names != NULL && names[i] != NULL; i++) {
		_cleanup_error_ struct rcr_error *err = NULL;

		/* in use by another container (EBUSY) or gone already: not ours to remove */
		if (store_volume_delete(st, names[i], &err) < 0 && err->code != EBUSY &&
		    err->code != ENOENT)
			rcr_warn("removing anonymous volume %s: %s", names[i], err->msg);
	}
}

/* ---- rcr volume ----------------------------------------------------------------------------- */

/* "K=V" items into a JSON object ("K" alone is K=""), as Podman's --label and --opt. */
static json_t *kv_object(char *const *items)
{
	json_t *o = json_object();

	for (size_t i = 0; o != NULL && items != NULL && items[i] != NULL; i++) {
		const char *eq = strchr(items[i], '=');
		_cleanup_free_ char *key =
			eq ? strndup(items[i], (size_t)(eq - items[i])) : strdup(items[i]);

		if (key == NULL || json_object_set_new(o, key, json_string(eq ? eq + 1 : "")) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* The local driver's options that rcr carries out: [no]copy. */
static int check_opts(json_t *opts, bool *copy_up, struct rcr_error **err)
{
	const char *k;
	json_t *v;

	json_object_foreach (opts, k, v) {
		if (strcmp(k, "nocopy") == 0 || strcmp(k, "copy") == 0) {
			*copy_up = k[0] == 'c';
			continue;
		}
		if (strcmp(k, "type") == 0 || strcmp(k, "device") == 0 || strcmp(k, "o") == 0) {
			rcr_error_set(err, ENOTSUP,
				      "volume option '%s' is not supported: rcr's volumes are "
				      "directories in the store (mounting a file system as a "
				      "volume needs root); use a bind mount of a mounted directory "
				      "instead",
				      k);
			return -1;
		}
		rcr_error_set(err, EINVAL, "invalid volume option '%s': use nocopy or copy", k);
		return -1;
	}
	return 0;
}

int ctr_volume_create(struct store *st, const char *name, char *const *labels, char *const *opts,
		      bool ignore, char **name_out, struct rcr_error **err)
{
	_cleanup_json_ json_t *lj = kv_object(labels);
	_cleanup_json_ json_t *oj = kv_object(opts);
	_cleanup_free_ char *ltext = NULL, *otext = NULL, *gen = NULL;
	struct store_volume v = {.copy_up = true};

	*name_out = NULL;
	if (lj == NULL || oj == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (check_opts(oj, &v.copy_up, err) < 0)
		return -1;
	if (name == NULL) {
		gen = store_volume_new_name(st, err);
		if (gen == NULL)
			return -1;
		name = gen;
	}
	ltext = json_dumps(lj, JSON_COMPACT | JSON_SORT_KEYS);
	otext = json_dumps(oj, JSON_COMPACT | JSON_SORT_KEYS);
	v.name = (char *)name;
	v.labels = ltext;
	v.options = otext;
	if (store_volume_create(st, &v, err) < 0) {
		if (!ignore || (*err)->code != EEXIST)
			return -1;
		rcr_error_clear(err); /* Podman: the existing volume, its options unchanged */
	}
	*name_out = strdup(name);
	if (*name_out == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int ctr_volume_remove(struct store *st, const char *name, bool force, struct rcr_error **err)
{
	_cleanup_strv_ char **users = NULL;

	if (force) {
		struct store_volume v = {0};
		int rc = store_volume_get(st, name, &v, err);

		store_volume_release(&v);
		if (rc == 0)
			rcr_error_set(err, ENOENT,
				      "no volume with name \"%s\" found: no such volume", name);
		if (rc <= 0 || store_volume_users(st, name, &users, err) < 0)
			return -1;
		/* Podman's -f: the containers using the volume go first (their anonymous
		 * volumes stay, as with rm without -v). */
		for (size_t i = 0; users[i] != NULL; i++)
			if (ctr_remove(st, users[i], true, false, err) < 0) {
				rcr_error_wrap(err, "removing container %s, which uses volume %s",
					       users[i], name);
				return -1;
			}
	}
	return store_volume_delete(st, name, err);
}

json_t *ctr_volume_json(struct store *st, const struct store_volume *v)
{
	_cleanup_free_ char *data = store_volume_data_path(st, v->name);
	_cleanup_free_ char *marker = store_volume_marker_path(st, v->name);
	struct timespec ts = {v->created / 1000000000LL, v->created % 1000000000LL};
	json_t *labels = json_loads(v->labels, 0, NULL), *opts = json_loads(v->options, 0, NULL);
	/* the marker on disk is the truth: the runtime removes it without the store */
	bool fresh = marker != NULL && fs_exists(marker);
	char created[64];
	json_t *doc;

	timeparse_format_local(&ts, created, sizeof(created));
	doc = json_pack("{sssssssssosssosi}", "Name", v->name, "Driver", "local", "Mountpoint",
			data ? data : "", "CreatedAt", created, "Labels",
			json_is_object(labels) ? labels : json_object(), "Scope", "local",
			"Options", json_is_object(opts) ? opts : json_object(), "MountCount", 0);
	if (!json_is_object(labels))
		json_decref(labels);
	if (!json_is_object(opts))
		json_decref(opts);
	/* Podman's fields (its JSON omits them when false; its templates see false, as here):
	 * NeedsCopyUp and NeedsChown hold until the first mount, which copies and chowns. */
	if (doc != NULL) {
		json_object_set_new(doc, "Anonymous", json_boolean(v->anonymous));
		json_object_set_new(doc, "NeedsCopyUp", json_boolean(fresh));
		json_object_set_new(doc, "NeedsChown", json_boolean(fresh));
	}
	return doc;
}
