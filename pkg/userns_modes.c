/* --userns modes and --uidmap/--gidmap (userns.h): parsing what the user asked for, and planning
 * the container's id maps from it. Pure: no I/O, so every mode and every refusal is unit-tested.
 *
 * As in rootless Podman, the modes and --uidmap are stated in the ids of the default rootless
 * namespace (its "intermediate" ids: 0 = the user, 1.. = the subordinate ranges in file order),
 * which is also how the store's layers are owned (DESIGN.md §4). Planning is therefore two steps:
 * the mode gives a map from container ids to those ids, and composing it with the default map
 * gives the host ids newuidmap writes. Must never produce a map the kernel would refuse
 * (overlapping ranges, more than USERNS_MAP_MAX lines): such requests are errors naming them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/userns.h"

const char *userns_mode_name(enum userns_mode m)
{
	switch (m) {
	case USERNS_MODE_HOST:
		return "host";
	case USERNS_MODE_KEEP_ID:
		return "keep-id";
	case USERNS_MODE_NOMAP:
		return "nomap";
	case USERNS_MODE_PRIVATE:
		return "private";
	case USERNS_MODE_DEFAULT:
		break;
	}
	return "";
}

/* A decimal id below 2^32 - 1 ((uid_t)-1 is never mapped); *end gets what follows. */
static bool parse_id(const char *s, const char **end, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9' && v < UINT32_MAX)
		v = v * 10 + (uint64_t)(*p++ - '0');
	if (p == s || v >= UINT32_MAX)
		return false;
	*end = p;
	*out = (uint32_t)v;
	return true;
}

/* "uid=N,gid=N" after "keep-id:" (either may be left out, but not both). */
static int parse_keep_id(const char *opts, struct userns_request *r, struct rcr_error **err)
{
	const char *p = opts;

	for (;;) {
		bool is_uid = strncmp(p, "uid=", 4) == 0, is_gid = strncmp(p, "gid=", 4) == 0;
		const char *end = p;

		if ((!is_uid && !is_gid) ||
		    !parse_id(p + 4, &end, is_uid ? &r->keep_uid : &r->keep_gid) ||
		    (*end != ',' && *end != '\0')) {
			rcr_error_set(err, EINVAL,
				      "invalid --userns option '%s': use keep-id, keep-id:uid=N, "
				      "keep-id:gid=N or keep-id:uid=N,gid=N",
				      opts);
			return -1;
		}
		if (is_uid)
			r->has_keep_uid = true;
		else
			r->has_keep_gid = true;
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

static int parse_mode(const char *v, struct userns_request *r, struct rcr_error **err)
{
	if (*v == '\0')
		return 0;
	if (strcmp(v, "host") == 0) {
		r->mode = USERNS_MODE_HOST;
		return 0;
	}
	if (strcmp(v, "nomap") == 0) {
		r->mode = USERNS_MODE_NOMAP;
		return 0;
	}
	if (strcmp(v, "keep-id") == 0 || strncmp(v, "keep-id:", 8) == 0) {
		r->mode = USERNS_MODE_KEEP_ID;
		return v[7] == ':' ? parse_keep_id(v + 8, r, err) : 0;
	}
	if (strcmp(v, "auto") == 0 || strncmp(v, "auto:", 5) == 0 || strcmp(v, "private") == 0 ||
	    strncmp(v, "ns:", 3) == 0 || strncmp(v, "container:", 10) == 0) {
		rcr_error_set(err, ENOTSUP,
			      "--userns=%s is not supported by rcr: use keep-id, nomap, host, or "
			      "--uidmap/--gidmap",
			      v);
		return -1;
	}
	rcr_error_set(err, EINVAL,
		      "invalid --userns '%s': use host, keep-id[:uid=N,gid=N] or nomap (or "
		      "--uidmap/--gidmap)",
		      v);
	return -1;
}

/* One "CONTAINER:HOST:SIZE" of --uidmap/--gidmap, appended to m. */
static int parse_triple(const char *flag, const char *v, struct userns_map *m,
			struct rcr_error **err)
{
	uint32_t in, out, count;
	const char *p = v;

	if (!parse_id(p, &p, &in) || *p++ != ':' || !parse_id(p, &p, &out) || *p++ != ':' ||
	    !parse_id(p, &p, &count) || *p != '\0' || count == 0) {
		rcr_error_set(err, EINVAL,
			      "invalid %s '%s': use CONTAINER:HOST:SIZE with a SIZE of at least 1, "
			      "e.g. 0:1:65536",
			      flag, v);
		return -1;
	}
	if (m->n >= USERNS_MAP_MAX) {
		rcr_error_set(err, E2BIG, "too many %s ranges: at most %d", flag, USERNS_MAP_MAX);
		return -1;
	}
	m->v[m->n++] = (struct userns_map_entry){in, out, count};
	return 0;
}

static int parse_maps(const char *flag, char *const *args, struct userns_map *m,
		      struct rcr_error **err)
{
	for (size_t i = 0; args != NULL && args[i] != NULL; i++)
		if (parse_triple(flag, args[i], m, err) < 0)
			return -1;
	return 0;
}

int userns_request_parse(const char *userns, char *const *uidmaps, char *const *gidmaps,
			 struct userns_request *out, struct rcr_error **err)
{
	bool has_maps =
		(uidmaps != NULL && uidmaps[0] != NULL) || (gidmaps != NULL && gidmaps[0] != NULL);

	memset(out, 0, sizeof(*out));
	if (userns != NULL && has_maps) {
		rcr_error_set(err, EINVAL,
			      "--userns and --uidmap/--gidmap are mutually exclusive: give the "
			      "mapping with one of them");
		return -1;
	}
	if (userns != NULL)
		return parse_mode(userns, out, err);
	if (!has_maps)
		return 0;
	out->mode = USERNS_MODE_PRIVATE;
	if (parse_maps("--uidmap", uidmaps, &out->uidmap, err) < 0 ||
	    parse_maps("--gidmap", gidmaps, &out->gidmap, err) < 0)
		return -1;
	/* Podman: one of the two alone stands for both. */
	if (out->uidmap.n == 0)
		out->uidmap = out->gidmap;
	else if (out->gidmap.n == 0)
		out->gidmap = out->uidmap;
	return 0;
}

/* ---- planning ----------------------------------------------------------------------------- */

static bool ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* --uidmap ranges must stay within the ids the user has (size: the default namespace's) and
 * must not overlap on either side (the kernel refuses both). */
static int check_private(const char *flag, const struct userns_map *m, uint64_t size,
			 struct rcr_error **err)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct userns_map_entry *e = &m->v[i];

		if ((uint64_t)e->outer + e->count > size) {
			rcr_error_set(
				err, EINVAL,
				"%s %u:%u:%u: host ids %u-%llu are not yours: rootless, HOST "
				"ids count 0 as your own id and 1-%llu as your subordinate ids "
				"(/etc/subuid, /etc/subgid)",
				flag, e->inner, e->outer, e->count, e->outer,
				(unsigned long long)e->outer + e->count - 1,
				(unsigned long long)size - 1);
			return -1;
		}
		if ((uint64_t)e->inner + e->count > UINT32_MAX) {
			rcr_error_set(err, EINVAL, "%s %u:%u:%u: container ids beyond %u", flag,
				      e->inner, e->outer, e->count, UINT32_MAX - 1);
			return -1;
		}
		for (size_t k = 0; k < i; k++) {
			const struct userns_map_entry *o = &m->v[k];

			if (ranges_overlap(e->inner, e->count, o->inner, o->count) ||
			    ranges_overlap(e->outer, e->count, o->outer, o->count)) {
				rcr_error_set(err, EINVAL,
					      "%s %u:%u:%u overlaps %u:%u:%u: each container id "
					      "and each host id may be mapped once",
					      flag, e->inner, e->outer, e->count, o->inner,
					      o->outer, o->count);
				return -1;
			}
		}
	}
	return 0;
}

/* Podman's keep-id: container 0..K-1 are subordinate ids 1..K, K is the user, the rest follow
 * unchanged; with fewer than K subordinate ids, the ids between are left unmapped. */
static void plan_keep_id(uint32_t k, uint64_t subs, struct userns_map *ns)
{
	uint32_t below = subs < k ? (uint32_t)subs : k;

	ns->n = 0;
	if (below > 0)
		ns->v[ns->n++] = (struct userns_map_entry){0, 1, below};
	ns->v[ns->n++] = (struct userns_map_entry){k, 0, 1};
	if (subs > k)
		ns->v[ns->n++] = (struct userns_map_entry){k + 1, k + 1, (uint32_t)(subs - k)};
}

/* ns (container ids -> default-namespace ids) through store (default-namespace ids -> host ids):
 * container ids -> host ids. Every ns id must be one store maps (checked before). */
static int compose(const struct userns_map *ns, const struct userns_map *store,
		   struct userns_map *out, struct rcr_error **err)
{
	out->n = 0;
	for (size_t i = 0; i < ns->n; i++) {
		uint64_t from = ns->v[i].outer, to = from + ns->v[i].count;

		for (size_t k = 0; k < store->n; k++) {
			const struct userns_map_entry *s = &store->v[k];
			uint64_t lo = from > s->inner ? from : s->inner;
			uint64_t hi = to < (uint64_t)s->inner + s->count
					      ? to
					      : (uint64_t)s->inner + s->count;

			if (lo >= hi)
				continue;
			if (out->n >= USERNS_MAP_MAX) {
				rcr_error_set(err, E2BIG,
					      "the id mapping needs more than %d ranges: use fewer "
					      "--uidmap/--gidmap ranges",
					      USERNS_MAP_MAX);
				return -1;
			}
			out->v[out->n++] = (struct userns_map_entry){
				(uint32_t)(ns->v[i].inner + (lo - from)),
				(uint32_t)(s->outer + (lo - s->inner)), (uint32_t)(hi - lo)};
		}
	}
	return 0;
}

static int plan_one(const struct userns_request *req, bool is_gid, uint32_t own,
		    const struct userns_map *store, struct userns_map *out, struct rcr_error **err)
{
	const char *flag = is_gid ? "--gidmap" : "--uidmap";
	const char *file = is_gid ? "/etc/subgid" : "/etc/subuid";
	uint64_t size = userns_map_size(store);
	struct userns_map *ns = calloc(1, sizeof(*ns));
	int rc = -1;

	if (ns == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (req->mode == USERNS_MODE_DEFAULT || req->mode == USERNS_MODE_HOST) {
		*out = *store;
		rc = 0;
		goto done;
	}
	if (req->mode != USERNS_MODE_PRIVATE && size < 2) {
		rcr_error_set(
			err, EINVAL,
			"--userns=%s needs subordinate ids (the container's root is one), "
			"and you have none that rcr can use (%s, newuidmap/newgidmap): ask "
			"an administrator to add a range (usermod --add-subuids/--add-subgids)",
			userns_mode_name(req->mode), file);
		goto done;
	}
	if (req->mode == USERNS_MODE_KEEP_ID) {
		bool has = is_gid ? req->has_keep_gid : req->has_keep_uid;

		plan_keep_id(has ? (is_gid ? req->keep_gid : req->keep_uid) : own, size - 1, ns);
	} else if (req->mode == USERNS_MODE_NOMAP) {
		ns->v[0] = (struct userns_map_entry){0, 1, (uint32_t)(size - 1)};
		ns->n = 1;
	} else {
		*ns = is_gid ? req->gidmap : req->uidmap;
		if (check_private(flag, ns, size, err) < 0)
			goto done;
	}
	rc = compose(ns, store, out, err);
done:
	free(ns);
	return rc;
}

int userns_mode_plan(const struct userns_request *req, uid_t own_uid, gid_t own_gid,
		     const struct userns_map *store_uid, const struct userns_map *store_gid,
		     struct userns_map *uid_out, struct userns_map *gid_out, struct rcr_error **err)
{
	if (plan_one(req, false, (uint32_t)own_uid, store_uid, uid_out, err) < 0 ||
	    plan_one(req, true, (uint32_t)own_gid, store_gid, gid_out, err) < 0)
		return -1;
	return 0;
}

void userns_map_in_ns(const struct userns_map *map, const struct userns_map *store,
		      struct userns_map *out)
{
	out->n = 0;
	for (size_t i = 0; i < map->n; i++) {
		uint64_t from = map->v[i].outer, to = from + map->v[i].count;

		for (size_t k = 0; k < store->n && out->n < USERNS_MAP_MAX; k++) {
			const struct userns_map_entry *s = &store->v[k];
			uint64_t lo = from > s->outer ? from : s->outer;
			uint64_t hi = to < (uint64_t)s->outer + s->count
					      ? to
					      : (uint64_t)s->outer + s->count;

			if (lo < hi)
				out->v[out->n++] = (struct userns_map_entry){
					(uint32_t)(map->v[i].inner + (lo - from)),
					(uint32_t)(s->inner + (lo - s->outer)),
					(uint32_t)(hi - lo)};
		}
	}
}

bool userns_maps_equal(const struct userns_map *a, const struct userns_map *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].inner != b->v[i].inner || a->v[i].outer != b->v[i].outer ||
		    a->v[i].count != b->v[i].count)
			return false;
	return true;
}
