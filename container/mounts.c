/* Parsing -v/--volume, --mount and --tmpfs (mounts.h) as Podman and Docker spell them.
 *
 * Pure: strings in, a struct ctr_mount out (a volume is known by name here; container/volumes.c
 * finds or makes it). Must never accept an option it does not carry out: what rcr cannot do yet
 * (O, tmpcopyup, volume drivers and their options) is refused by name rather than silently
 * ignored; only options that have nothing to do on this host (z and Z without SELinux, nocopy
 * on a bind) are accepted as no-ops, as Podman does.
 */
#include "container/mounts.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "pkg/cleanup.h"
#include "storage/store.h"

void ctr_mount_release(struct ctr_mount *m)
{
	free(m->source);
	free(m->dest);
	free(m->data);
	free(m->copyup_marker);
	memset(m, 0, sizeof(*m));
}

size_t ctr_mount_depth(const char *path)
{
	size_t n = 0;

	for (const char *p = path; *p != '\0'; p++)
		if (*p != '/' && (p == path || p[-1] == '/'))
			n++;
	return n;
}

/* Lexical clean of an absolute path (Go's filepath.Clean, which Podman applies): no "//", "."
 * or trailing "/", and ".." resolved (never above "/"). Owned. */
static char *clean_path(const char *path)
{
	size_t len = strlen(path);
	char *out = malloc(len + 2);
	size_t n = 0;
	const char *p = path;

	if (out == NULL)
		return NULL;
	while (*p != '\0') {
		const char *end;
		size_t part;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		part = (size_t)(end - p);
		if (part == 0 || (part == 1 && p[0] == '.')) {
			/* nothing */
		} else if (part == 2 && p[0] == '.' && p[1] == '.') {
			/* drop the last "/part" (never above "/") */
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			out[n++] = '/';
			memcpy(out + n, p, part);
			n += part;
		}
		p = end;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return out;
}

static int check_dest(const char *dest, struct ctr_mount *out, struct rcr_error **err)
{
	if (dest == NULL || *dest == '\0') {
		rcr_error_set(err, EINVAL, "no destination: give the path inside the container");
		return -1;
	}
	if (*dest != '/') {
		rcr_error_set(
			err, EINVAL,
			"the destination '%s' is not an absolute path: give the absolute path "
			"inside the container",
			dest);
		return -1;
	}
	out->dest = clean_path(dest);
	if (out->dest != NULL && strcmp(out->dest, "/") == 0) {
		rcr_error_set(err, EINVAL, "the destination cannot be '/': mount below it");
		return -1;
	}
	return out->dest == NULL ? -1 : 0;
}

/* A bind source: an absolute host path. named says whether a word ("data") is a named volume
 * (-v, as Podman) or just a relative path (--mount type=bind). */
static int check_source(const char *src, bool named, struct ctr_mount *out, struct rcr_error **err)
{
	if (src == NULL || *src == '\0') {
		rcr_error_set(err, EINVAL, "no source: give an absolute host path");
		return -1;
	}
	if (*src == '/') {
		out->source = clean_path(src);
		return out->source == NULL ? -1 : 0;
	}
	if (named && *src != '.') {
		/* Podman: a source that is no path is a volume's name */
		if (!store_volume_name_valid(src)) {
			rcr_error_set(err, EINVAL,
				      "'%s' is neither an absolute host path nor a volume name "
				      "([a-zA-Z0-9][a-zA-Z0-9_.-]*)",
				      src);
			return -1;
		}
		out->type = CTR_MOUNT_VOLUME;
		out->source = strdup(src);
		return out->source == NULL ? -1 : 0;
	}
	rcr_error_set(err, EINVAL,
		      "the source '%s' is a relative path: use an absolute host path (e.g. "
		      "\"$PWD/%s\")",
		      src, src);
	return -1;
}

/* The next comma-separated item of *rest (strsep: an empty item is kept, to be refused). */
static char *next_item(char **rest, struct rcr_error **err)
{
	char *item = strsep(rest, ",");

	if (item != NULL && *item == '\0') {
		rcr_error_set(err, EINVAL, "empty option (two commas, or one at an end)");
		return NULL;
	}
	return item;
}

static int not_yet(const char *opt, const char *what, struct rcr_error **err)
{
	rcr_error_set(err, ENOTSUP, "option '%s' (%s) is not supported yet", opt, what);
	return -1;
}

/* One -v option. *seen_rw / *seen_prop refuse a second ro/rw or propagation, as Podman. */
static int volume_opt(const char *opt, struct ctr_mount *out, bool *seen_rw, bool *seen_prop,
		      struct rcr_error **err)
{
	int prop;

	if (strcmp(opt, "ro") == 0 || strcmp(opt, "rw") == 0) {
		if (*seen_rw) {
			rcr_error_set(err, EINVAL, "ro and rw may be given only once");
			return -1;
		}
		*seen_rw = true;
		out->ro = opt[1] == 'o';
		return 0;
	}
	/* SELinux relabelling: no SELinux here, nothing to do (Podman does the same); nocopy
	 * means nothing to a bind */
	if (strcmp(opt, "z") == 0 || strcmp(opt, "Z") == 0)
		return 0;
	if (strcmp(opt, "nocopy") == 0) {
		out->nocopy = true;
		return 0;
	}
	if (strcmp(opt, "U") == 0) {
		out->chown = true;
		return 0;
	}
	if (strcmp(opt, "O") == 0)
		return not_yet(opt, "overlay volume", err);
	prop = rt_propagation_from_name(opt);
	if (prop > 0) {
		if (*seen_prop) {
			rcr_error_set(err, EINVAL, "a propagation mode may be given only once");
			return -1;
		}
		*seen_prop = true;
		out->propagation = (enum rt_propagation)prop;
		return 0;
	}
	rcr_error_set(err, EINVAL,
		      "unknown option '%s': use ro, rw, z, Z, U, nocopy or a propagation mode "
		      "(private, rprivate, shared, rshared, slave, rslave)",
		      opt);
	return -1;
}

static int parse_volume(const char *arg, struct ctr_mount *out, struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(arg);
	char *src = copy, *dst, *opts = NULL, *opt;
	bool seen_rw = false, seen_prop = false;

	if (copy == NULL)
		return -1;
	dst = strchr(src, ':');
	if (dst == NULL) {
		/* "-v /dst": an anonymous volume (Podman) */
		if (*src == '/') {
			out->type = CTR_MOUNT_VOLUME;
			return check_dest(src, out, err);
		}
		rcr_error_set(err, EINVAL, "use SRC:DST[:OPTIONS], or DST for an anonymous volume");
		return -1;
	}
	*dst++ = '\0';
	opts = strchr(dst, ':');
	if (opts != NULL) {
		*opts++ = '\0';
		if (strchr(opts, ':') != NULL) {
			rcr_error_set(err, EINVAL, "too many ':': use SRC:DST[:OPTIONS]");
			return -1;
		}
	}
	if (check_source(src, true, out, err) < 0 || check_dest(dst, out, err) < 0)
		return -1;
	if (opts == NULL)
		return 0;
	/* what options mean depends on the type: checked after them all */
	if (*opts == '\0') {
		rcr_error_set(err, EINVAL, "empty options after the last ':'");
		return -1;
	}
	while (opts != NULL) {
		if ((opt = next_item(&opts, err)) == NULL ||
		    volume_opt(opt, out, &seen_rw, &seen_prop, err) < 0)
			return -1;
	}
	if (out->type == CTR_MOUNT_BIND)
		out->nocopy = false; /* a bind never copies */
	return 0;
}

int ctr_mount_parse_volume(const char *arg, struct ctr_mount *out, struct rcr_error **err)
{
	*out = (struct ctr_mount){.type = CTR_MOUNT_BIND};
	if (parse_volume(arg, out, err) < 0) {
		rcr_error_wrap(err, "invalid volume '%s'", arg);
		ctr_mount_release(out);
		return -1;
	}
	return 0;
}

/* ---- tmpfs ---------------------------------------------------------------------------------- */

/* "64m", "1g", "100%", "4096": what the kernel's memparse takes for tmpfs sizes. */
static bool is_size(const char *v)
{
	size_t n = strspn(v, "0123456789");

	return n > 0 &&
	       (v[n] == '\0' || (strchr("kKmMgGtTpPeE%", v[n]) != NULL && v[n + 1] == '\0'));
}

static bool is_octal_mode(const char *v)
{
	size_t n = strspn(v, "01234567");

	return n > 0 && n <= 4 && v[n] == '\0';
}

static bool is_number(const char *v)
{
	size_t n = strspn(v, "0123456789");

	return n > 0 && v[n] == '\0';
}

/* Append "key=value" to the tmpfs data, refusing what would not fit in the spec. */
static int add_data(struct ctr_mount *out, const char *kv, struct rcr_error **err)
{
	size_t have = out->data ? strlen(out->data) : 0, len = strlen(kv);
	char *nd;

	if (have + len + 1 > RT_TMPFS_DATA_MAX) {
		rcr_error_set(err, E2BIG, "the tmpfs options are longer than %d characters",
			      RT_TMPFS_DATA_MAX);
		return -1;
	}
	nd = realloc(out->data, have + len + 2);
	if (nd == NULL)
		return -1;
	sprintf(nd + have, "%s%s", have ? "," : "", kv);
	out->data = nd;
	return 0;
}

static const struct {
	const char *name;
	unsigned long flag;
	bool set;
} tmpfs_flags[] = {
	{"ro", MS_RDONLY, true},
	{"rw", MS_RDONLY, false},
	{"noexec", MS_NOEXEC, true},
	{"exec", MS_NOEXEC, false},
	{"nosuid", MS_NOSUID, true},
	{"suid", MS_NOSUID, false},
	{"nodev", MS_NODEV, true},
	{"dev", MS_NODEV, false},
	{"sync", MS_SYNCHRONOUS, true},
	{"async", MS_SYNCHRONOUS, false},
	{"noatime", MS_NOATIME, true},
	{"atime", MS_NOATIME, false},
	{"nodiratime", MS_NODIRATIME, true},
	{"diratime", MS_NODIRATIME, false},
	{"relatime", MS_RELATIME, true},
	{"norelatime", MS_RELATIME, false},
	{"strictatime", MS_STRICTATIME, true},
};

static int tmpfs_opt(const char *opt, struct ctr_mount *out, struct rcr_error **err)
{
	const char *eq = strchr(opt, '=');

	for (size_t i = 0; i < sizeof(tmpfs_flags) / sizeof(tmpfs_flags[0]); i++)
		if (strcmp(opt, tmpfs_flags[i].name) == 0) {
			if (tmpfs_flags[i].set)
				out->flags |= tmpfs_flags[i].flag;
			else
				out->flags &= ~tmpfs_flags[i].flag;
			return 0;
		}
	if (strcmp(opt, "notmpcopyup") == 0)
		return 0; /* rcr never copies the image's files up */
	if (strcmp(opt, "tmpcopyup") == 0)
		return not_yet(opt, "copy the image's files into the tmpfs", err);
	if (eq != NULL) {
		size_t klen = (size_t)(eq - opt);
		const char *v = eq + 1;
		bool good = false;

		if ((klen == 4 && strncmp(opt, "size", 4) == 0) ||
		    (klen == 9 && strncmp(opt, "nr_inodes", 9) == 0) ||
		    (klen == 9 && strncmp(opt, "nr_blocks", 9) == 0))
			good = is_size(v);
		else if (klen == 4 && strncmp(opt, "mode", 4) == 0)
			good = is_octal_mode(v);
		else if ((klen == 3 && strncmp(opt, "uid", 3) == 0) ||
			 (klen == 3 && strncmp(opt, "gid", 3) == 0))
			good = is_number(v);
		else
			goto unknown;
		if (!good) {
			rcr_error_set(err, EINVAL, "invalid value in '%s'", opt);
			return -1;
		}
		return add_data(out, opt, err);
	}
unknown:
	rcr_error_set(err, EINVAL,
		      "unknown tmpfs option '%s': use size=, mode=, uid=, gid=, nr_inodes=, ro, "
		      "rw, [no]exec, [no]suid, [no]dev or an atime option",
		      opt);
	return -1;
}

static void tmpfs_defaults(struct ctr_mount *out)
{
	/* Podman's defaults for --tmpfs and --mount type=tmpfs */
	out->type = CTR_MOUNT_TMPFS;
	out->flags = MS_NOEXEC | MS_NOSUID | MS_NODEV;
}

static int parse_tmpfs(const char *arg, struct ctr_mount *out, struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(arg);
	char *opts, *opt;

	if (copy == NULL)
		return -1;
	opts = strchr(copy, ':');
	if (opts != NULL)
		*opts++ = '\0';
	if (check_dest(copy, out, err) < 0)
		return -1;
	while (opts != NULL) {
		if ((opt = next_item(&opts, err)) == NULL || tmpfs_opt(opt, out, err) < 0)
			return -1;
	}
	return 0;
}

int ctr_mount_parse_tmpfs(const char *arg, struct ctr_mount *out, struct rcr_error **err)
{
	*out = (struct ctr_mount){0};
	tmpfs_defaults(out);
	if (parse_tmpfs(arg, out, err) < 0) {
		rcr_error_wrap(err, "invalid --tmpfs '%s'", arg);
		ctr_mount_release(out);
		return -1;
	}
	if (out->data == NULL)
		out->data = strdup("");
	out->ro = (out->flags & MS_RDONLY) != 0;
	return 0;
}

/* ---- --mount -------------------------------------------------------------------------------- */

struct mount_keys {
	const char *type, *source, *target, *propagation, *size, *mode;
	int ro;	    /* -1 unset */
	int chown;  /* U, chown=true */
	int nocopy; /* volume-nocopy, -1 unset */
};

/* "readonly", "readonly=true", "ro=false", "rw": Docker's boolean keys. */
static int bool_key(const char *v, bool negate, int *out, struct rcr_error **err)
{
	bool b;

	if (v == NULL || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		b = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		b = false;
	else {
		rcr_error_set(err, EINVAL, "invalid value '%s': use true or false", v);
		return -1;
	}
	*out = b != negate;
	return 0;
}

static int mount_key(char *item, struct mount_keys *k, struct rcr_error **err)
{
	char *v = strchr(item, '=');

	if (v != NULL)
		*v++ = '\0';
#define KEY(name) (strcmp(item, name) == 0)
	if (KEY("readonly") || KEY("ro"))
		return bool_key(v, false, &k->ro, err);
	if (KEY("rw"))
		return bool_key(v, true, &k->ro, err);
	if (KEY("z") || KEY("Z") || KEY("relabel") || KEY("consistency"))
		return 0; /* no SELinux; consistency is for Docker Desktop's file sharing */
	if (KEY("U") || KEY("chown"))
		return bool_key(v, false, &k->chown, err);
	if (KEY("volume-nocopy") || KEY("nocopy"))
		return bool_key(v, false, &k->nocopy, err);
	if (KEY("volume-driver") || KEY("volume-opt") || KEY("volume-label"))
		return not_yet(item,
			       "volume drivers and their options: make the volume with 'rcr "
			       "volume create' first",
			       err);
	if (v == NULL || *v == '\0') {
		rcr_error_set(err, EINVAL, "'%s' needs a value: use %s=VALUE", item, item);
		return -1;
	}
	if (KEY("type"))
		k->type = v;
	else if (KEY("source") || KEY("src"))
		k->source = v;
	else if (KEY("target") || KEY("destination") || KEY("dst"))
		k->target = v;
	else if (KEY("bind-propagation"))
		k->propagation = v;
	else if (KEY("tmpfs-size"))
		k->size = v;
	else if (KEY("tmpfs-mode"))
		k->mode = v;
	else {
		rcr_error_set(err, EINVAL, "unknown option '%s'", item);
		return -1;
	}
#undef KEY
	return 0;
}

static int mount_bind(const struct mount_keys *k, struct ctr_mount *out, struct rcr_error **err)
{
	int prop = 0;

	out->type = CTR_MOUNT_BIND;
	if (k->size != NULL || k->mode != NULL) {
		rcr_error_set(err, EINVAL, "tmpfs-size and tmpfs-mode are only for type=tmpfs");
		return -1;
	}
	if (k->nocopy >= 0) {
		rcr_error_set(err, EINVAL, "volume-nocopy is only for type=volume");
		return -1;
	}
	if (k->propagation != NULL && (prop = rt_propagation_from_name(k->propagation)) < 0) {
		rcr_error_set(err, EINVAL,
			      "invalid bind-propagation '%s': use private, rprivate, shared, "
			      "rshared, slave or rslave",
			      k->propagation);
		return -1;
	}
	out->propagation = (enum rt_propagation)prop;
	out->ro = k->ro > 0;
	out->chown = k->chown > 0;
	if (check_source(k->source, false, out, err) < 0 || check_dest(k->target, out, err) < 0)
		return -1;
	return 0;
}

static int mount_tmpfs(const struct mount_keys *k, struct ctr_mount *out, struct rcr_error **err)
{
	char kv[64];

	tmpfs_defaults(out);
	if (k->source != NULL || k->propagation != NULL || k->chown > 0 || k->nocopy >= 0) {
		rcr_error_set(err, EINVAL,
			      "a tmpfs has no source, bind-propagation, U or volume-nocopy");
		return -1;
	}
	if (check_dest(k->target, out, err) < 0)
		return -1;
	if (k->ro > 0)
		out->flags |= MS_RDONLY;
	out->ro = k->ro > 0;
	if (k->size != NULL) {
		snprintf(kv, sizeof(kv), "size=%.50s", k->size);
		if (!is_size(k->size) || strlen(k->size) > 50) {
			rcr_error_set(err, EINVAL, "invalid tmpfs-size '%s': use e.g. 64m or 1g",
				      k->size);
			return -1;
		}
		if (add_data(out, kv, err) < 0)
			return -1;
	}
	if (k->mode != NULL) {
		if (!is_octal_mode(k->mode)) {
			rcr_error_set(err, EINVAL, "invalid tmpfs-mode '%s': use octal, e.g. 1777",
				      k->mode);
			return -1;
		}
		snprintf(kv, sizeof(kv), "mode=%s", k->mode);
		if (add_data(out, kv, err) < 0)
			return -1;
	}
	if (out->data == NULL)
		out->data = strdup("");
	return 0;
}

/* type=volume: a named volume (source), or an anonymous one (no source). */
static int mount_volume(const struct mount_keys *k, struct ctr_mount *out, struct rcr_error **err)
{
	out->type = CTR_MOUNT_VOLUME;
	if (k->size != NULL || k->mode != NULL || k->propagation != NULL) {
		rcr_error_set(
			err, EINVAL,
			"tmpfs-size, tmpfs-mode and bind-propagation are not for type=volume");
		return -1;
	}
	if (k->source != NULL && !store_volume_name_valid(k->source)) {
		rcr_error_set(err, EINVAL,
			      "invalid volume name '%s': names must match "
			      "[a-zA-Z0-9][a-zA-Z0-9_.-]* (a host path needs type=bind)",
			      k->source);
		return -1;
	}
	out->ro = k->ro > 0;
	out->chown = k->chown > 0;
	out->nocopy = k->nocopy > 0;
	if (k->source != NULL && (out->source = strdup(k->source)) == NULL)
		return -1;
	return check_dest(k->target, out, err);
}

static int parse_mount(const char *arg, struct ctr_mount *out, struct rcr_error **err)
{
	_cleanup_free_ char *copy = strdup(arg);
	struct mount_keys k = {.ro = -1, .nocopy = -1};
	char *item;

	if (copy == NULL)
		return -1;
	for (char *rest = copy; rest != NULL;)
		if ((item = next_item(&rest, err)) == NULL || mount_key(item, &k, err) < 0)
			return -1;
	if (k.type == NULL) {
		rcr_error_set(err, EINVAL, "no type: give type=bind, type=volume or type=tmpfs");
		return -1;
	}
	if (strcmp(k.type, "bind") == 0)
		return mount_bind(&k, out, err);
	if (strcmp(k.type, "tmpfs") == 0)
		return mount_tmpfs(&k, out, err);
	if (strcmp(k.type, "volume") == 0)
		return mount_volume(&k, out, err);
	rcr_error_set(err, ENOTSUP, "mount type '%s' is not supported: use bind, volume or tmpfs",
		      k.type);
	return -1;
}

int ctr_mount_parse_mount(const char *arg, struct ctr_mount *out, struct rcr_error **err)
{
	*out = (struct ctr_mount){0};
	if (parse_mount(arg, out, err) < 0) {
		rcr_error_wrap(err, "invalid --mount '%s'", arg);
		ctr_mount_release(out);
		return -1;
	}
	return 0;
}
