/* Image lookup by name or id (see lookup.h). */
#include "image/lookup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image/reference.h"
#include "pkg/cleanup.h"

bool img_looks_like_id(const char *s)
{
	size_t n;

	if (strncmp(s, "sha256:", 7) == 0)
		return strlen(s + 7) == 64 && strspn(s + 7, "0123456789abcdef") == 64;
	n = strlen(s);
	return n >= 3 && n <= 64 && strspn(s, "0123456789abcdef") == n;
}

/* What the person typed as the repository: "busybox" for "busybox:1" (not "library/busybox"). */
static const char *typed_path(const struct img_ref *r)
{
	if (r->implied_library && strncmp(r->path, "library/", 8) == 0)
		return r->path + 8;
	return r->path;
}

/* Key for an exact lookup: "repo:tag" or "repo@digest". */
static char *key_of(const char *domain, const char *path, const struct img_ref *r)
{
	char *k = NULL;

	if (r->digest != NULL) {
		if (asprintf(&k, "%s/%s@%s", domain, path, r->digest) < 0)
			return NULL;
	} else if (asprintf(&k, "%s/%s:%s", domain, path, r->tag ? r->tag : "latest") < 0) {
		return NULL;
	}
	return k;
}

static int try_key(struct store *st, char *key, struct store_image_info *out,
		   struct rcr_error **err)
{
	int rc;

	if (key == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	rc = store_image_get(st, key, out, err);
	free(key);
	return rc;
}

/* Does stored name (repo:tag) or digest (repo@d) match short r by its repository's suffix? */
static bool suffix_match(const char *stored, const struct img_ref *r)
{
	const char *p = typed_path(r);
	size_t plen = strlen(p), slen;
	const char *sep = r->digest ? strrchr(stored, '@') : strrchr(stored, ':');

	if (sep == NULL || strchr(sep, '/') != NULL)
		return false;
	if (strcmp(sep + 1, r->digest ? r->digest : (r->tag ? r->tag : "latest")) != 0)
		return false;
	slen = (size_t)(sep - stored);
	return slen > plen && stored[slen - plen - 1] == '/' &&
	       strncmp(stored + slen - plen, p, plen) == 0;
}

static bool info_matches(const struct store_image_info *i, const struct img_ref *r)
{
	char **v = r->digest ? i->digests : i->names;
	size_t n = r->digest ? i->n_digests : i->n_names;

	for (size_t k = 0; k < n; k++)
		if (suffix_match(v[k], r))
			return true;
	return false;
}

/* Any stored repository ending in "/PATH" with the tag (or digest): must be unique. */
static int by_suffix(struct store *st, const struct img_ref *r, const char *typed,
		     struct store_image_info *out, struct rcr_error **err)
{
	struct store_image_info *v = NULL;
	size_t n = 0, found;
	int rc = 0;

	if (store_image_list(st, &v, &n, err) < 0)
		return -1;
	found = n;
	for (size_t i = 0; i < n; i++) {
		if (!info_matches(&v[i], r))
			continue;
		if (found != n) {
			rcr_error_set(err, EINVAL,
				      "short name \"%s\" matches more than one image (%s and %s): "
				      "use the full name",
				      typed, v[found].names ? v[found].names[0] : v[found].id,
				      v[i].names ? v[i].names[0] : v[i].id);
			rc = -1;
			break;
		}
		found = i;
	}
	if (rc == 0 && found != n) {
		*out = v[found];
		memset(&v[found], 0, sizeof(v[found]));
		rc = 1;
	}
	store_image_info_free(v, n);
	return rc;
}

static int by_short_name(struct store *st, const struct img_ref *r, const char *typed,
			 struct store_image_info *out, struct rcr_error **err)
{
	int rc = try_key(st, key_of("localhost", typed_path(r), r), out, err);

	if (rc == 0)
		rc = try_key(st, key_of(r->domain, r->path, r), out, err);
	if (rc == 0)
		rc = by_suffix(st, r, typed, out, err);
	return rc;
}

int img_lookup(struct store *st, const char *name, struct store_image_info *out,
	       struct rcr_error **err)
{
	struct img_ref r;
	int rc;

	memset(out, 0, sizeof(*out));
	if (img_looks_like_id(name)) {
		rc = store_image_get(st, name, out, err);
		if (rc != 0)
			return rc;
	}
	if (img_ref_parse(name, &r, err) < 0)
		return -1;
	if (r.is_short)
		rc = by_short_name(st, &r, name, out, err);
	else
		rc = try_key(st, key_of(r.domain, r.path, &r), out, err);
	img_ref_release(&r);
	return rc;
}

char *img_local_name(const char *typed, struct rcr_error **err)
{
	struct img_ref r;
	char *s;

	if (img_ref_parse(typed, &r, err) < 0)
		return NULL;
	if (r.digest != NULL) {
		rcr_error_set(err, EINVAL, "\"%s\": a name to give cannot contain a digest", typed);
		img_ref_release(&r);
		return NULL;
	}
	if (r.is_short)
		s = key_of("localhost", typed_path(&r), &r);
	else
		s = key_of(r.domain, r.path, &r);
	img_ref_release(&r);
	if (s == NULL)
		rcr_error_set(err, ENOMEM, "out of memory");
	return s;
}

static bool name_is(const char *stored, char *key)
{
	bool eq = key != NULL && strcmp(stored, key) == 0;

	free(key);
	return eq;
}

const char *img_lookup_name(const struct store_image_info *info, const char *typed)
{
	struct img_ref r;
	const char *found = NULL;

	if (img_ref_parse(typed, &r, NULL) < 0)
		return NULL;
	for (size_t i = 0; r.digest == NULL && i < info->n_names && found == NULL; i++) {
		const char *n = info->names[i];

		if (name_is(n, key_of(r.domain, r.path, &r)) ||
		    (r.is_short &&
		     (name_is(n, key_of("localhost", typed_path(&r), &r)) || suffix_match(n, &r))))
			found = n;
	}
	img_ref_release(&r);
	return found;
}
