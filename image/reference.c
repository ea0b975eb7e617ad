/* Image reference parsing and normalisation (see reference.h), following the grammar of
 * distribution/reference that Docker and Podman share:
 *   reference := name [ ":" tag ] [ "@" digest ]
 *   name      := [ domain "/" ] component ( "/" component )*
 *   component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
 *   domain    := host [ ":" port ]  (the first component is a domain when it holds "." or ":",
 *                                    is "localhost", or has upper-case letters)
 * Must stay pure: no I/O, no registries.conf (short-name resolution is registries.c's).
 */
#include "image/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component per the grammar above, over [s, s+n). */
static bool component_is_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || !is_lower_alnum(s[0]) || !is_lower_alnum(s[n - 1]))
		return false;
	while (i < n) {
		if (is_lower_alnum(s[i])) {
			i++;
			continue;
		}
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i += (i + 1 < n && s[i + 1] == '_') ? 2 : 1;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
		/* a separator must be followed by an alphanumeric */
		if (i >= n || !is_lower_alnum(s[i]))
			return false;
	}
	return true;
}

/* host [":" port], host being DNS labels ([A-Za-z0-9-] separated by dots) or "[IPv6]". */
static bool domain_is_valid(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return false;
	if (s[0] == '[') {
		while (i < n && s[i] != ']')
			i++;
		if (i >= n || i < 3)
			return false;
		for (size_t k = 1; k < i; k++)
			if (!isxdigit((unsigned char)s[k]) && s[k] != ':')
				return false;
		i++;
	} else {
		size_t label = 0;

		for (; i < n && s[i] != ':'; i++) {
			if (s[i] == '.') {
				if (label == 0 || s[i - 1] == '-')
					return false;
				label = 0;
			} else if (isalnum((unsigned char)s[i]) || (s[i] == '-' && label > 0)) {
				label++;
			} else {
				return false;
			}
		}
		if (label == 0 || s[i - 1] == '-')
			return false;
	}
	if (i == n)
		return true;
	if (s[i] != ':' || i + 1 == n)
		return false;
	for (i++; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool img_ref_tag_is_valid(const char *tag)
{
	size_t n = strlen(tag);

	if (n == 0 || n > IMG_REF_TAG_MAX || !(isalnum((unsigned char)tag[0]) || tag[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)tag[i]) && tag[i] != '_' && tag[i] != '.' &&
		    tag[i] != '-')
			return false;
	return true;
}

bool img_ref_digest_is_valid(const char *d)
{
	size_t want;
	const char *hex;

	if (strncmp(d, "sha256:", 7) == 0)
		want = 64;
	else if (strncmp(d, "sha512:", 7) == 0)
		want = 128;
	else
		return false;
	hex = d + 7;
	if (strlen(hex) != want)
		return false;
	for (size_t i = 0; i < want; i++)
		if (!isdigit((unsigned char)hex[i]) && !(hex[i] >= 'a' && hex[i] <= 'f'))
			return false;
	return true;
}

static bool first_is_domain(const char *s, size_t n)
{
	if (n == 9 && strncmp(s, "localhost", 9) == 0)
		return true;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '.' || s[i] == ':' || s[i] == '[' || isupper((unsigned char)s[i]))
			return true;
	return false;
}

static int fail(struct rcr_error **err, const char *s, const char *why)
{
	rcr_error_set(err, EINVAL, "parsing reference '%s': invalid reference format%s%s", s,
		      why ? ": " : "", why ? why : "");
	return -1;
}

/* Split off "@digest" and ":tag" from the end of buf (modified in place). */
static int split_suffixes(const char *s, char *buf, char **tag, char **digest,
			  struct rcr_error **err)
{
	char *at = strchr(buf, '@');
	char *slash;
	char *colon;

	if (at != NULL) {
		*at = '\0';
		*digest = at + 1;
		if (!img_ref_digest_is_valid(*digest))
			return fail(err, s, "the digest must be sha256:<64 hex digits>");
	}
	slash = strrchr(buf, '/');
	colon = strrchr(slash ? slash : buf, ':');
	if (colon != NULL) {
		*colon = '\0';
		*tag = colon + 1;
		if (!img_ref_tag_is_valid(*tag))
			return fail(err, s,
				    "the tag must be 1-128 of [A-Za-z0-9_.-], not starting with "
				    "'.' or '-'");
	}
	return 0;
}

static int check_path(const char *s, const char *path, struct rcr_error **err)
{
	const char *p = path;

	if (strlen(path) > IMG_REF_NAME_MAX)
		return fail(err, s, "repository name must not be more than 255 characters");
	while (*p) {
		const char *end = strchr(p, '/');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		for (size_t i = 0; i < n; i++)
			if (isupper((unsigned char)p[i]))
				return fail(err, s, "repository name must be lowercase");
		if (!component_is_valid(p, n))
			return fail(err, s, NULL);
		if (end == NULL)
			break;
		p = end + 1;
		if (*p == '\0')
			return fail(err, s, NULL);
	}
	return 0;
}

static int fill(struct img_ref *out, const char *domain, size_t dn, const char *path,
		const char *tag, const char *digest, bool is_short, struct rcr_error **err)
{
	bool library = strncmp(domain, IMG_REF_DEFAULT_DOMAIN, dn) == 0 &&
		       dn == strlen(IMG_REF_DEFAULT_DOMAIN) && strchr(path, '/') == NULL;

	memset(out, 0, sizeof(*out));
	out->domain = strndup(domain, dn);
	if (asprintf(&out->path, "%s%s", library ? "library/" : "", path) < 0)
		out->path = NULL;
	out->tag = tag ? strdup(tag) : (digest ? NULL : strdup("latest"));
	out->digest = digest ? strdup(digest) : NULL;
	out->is_short = is_short;
	out->implied_library = library;
	if (out->domain == NULL || out->path == NULL || (tag && !out->tag) ||
	    (digest && !out->digest) || (!tag && !digest && !out->tag)) {
		img_ref_release(out);
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

int img_ref_parse(const char *s, struct img_ref *out, struct rcr_error **err)
{
	_cleanup_free_ char *buf = NULL;
	char *tag = NULL, *digest = NULL, *slash;
	const char *domain = IMG_REF_DEFAULT_DOMAIN;
	size_t dn = strlen(IMG_REF_DEFAULT_DOMAIN);
	char *path;
	bool is_short = true;

	memset(out, 0, sizeof(*out));
	if (s == NULL || s[0] == '\0')
		return fail(err, s ? s : "", "empty name");
	buf = strdup(s);
	if (buf == NULL || split_suffixes(s, buf, &tag, &digest, err) < 0)
		return buf ? -1 : fail(err, s, "out of memory");
	path = buf;
	slash = strchr(buf, '/');
	if (slash != NULL && first_is_domain(buf, (size_t)(slash - buf))) {
		if (!domain_is_valid(buf, (size_t)(slash - buf)))
			return fail(err, s, "invalid registry host");
		domain = buf;
		dn = (size_t)(slash - buf);
		path = slash + 1;
		is_short = false;
		/* index.docker.io is docker.io's old name; Docker normalises it. */
		if (dn == 15 && strncmp(domain, "index.docker.io", 15) == 0) {
			domain = IMG_REF_DEFAULT_DOMAIN;
			dn = strlen(domain);
		}
	}
	if (check_path(s, path, err) < 0)
		return -1;
	return fill(out, domain, dn, path, tag, digest, is_short, err);
}

char *img_ref_repository(const struct img_ref *r)
{
	char *out = NULL;

	if (asprintf(&out, "%s/%s", r->domain, r->path) < 0)
		return NULL;
	return out;
}

char *img_ref_string(const struct img_ref *r)
{
	char *out = NULL;

	if (asprintf(&out, "%s/%s%s%s%s%s", r->domain, r->path, r->tag ? ":" : "",
		     r->tag ? r->tag : "", r->digest ? "@" : "", r->digest ? r->digest : "") < 0)
		return NULL;
	return out;
}

int img_ref_with_domain(const struct img_ref *r, const char *domain, struct img_ref *out,
			struct rcr_error **err)
{
	const char *path = r->path;

	/* "library/x" is docker.io's namespace for official images, not part of the name. */
	if (r->implied_library)
		path += 8;
	return fill(out, domain, strlen(domain), path, r->tag, r->digest, false, err);
}

void img_ref_release(struct img_ref *r)
{
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	memset(r, 0, sizeof(*r));
}
