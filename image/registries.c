/* registries.conf loading, merging and lookup (see registries.h).
 *
 * Must never silently ignore a malformed entry: a wrong type or a [[registry]] without a
 * location or prefix is an error naming the file, because a mistyped "insecure" or "blocked"
 * changes what rcr trusts.
 */
#include "image/registries.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "pkg/toml.h"

#define CONF_MAX (1 << 20)

void reg_conf_init(struct reg_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->aliases = json_object();
}

static void entry_release(struct reg_entry *e)
{
	free(e->prefix);
	free(e->location);
	for (size_t i = 0; i < e->n_mirrors; i++)
		free(e->mirrors[i].location);
	free(e->mirrors);
	memset(e, 0, sizeof(*e));
}

void reg_conf_release(struct reg_conf *c)
{
	strv_free(c->search);
	json_decref(c->aliases);
	for (size_t i = 0; i < c->n_entries; i++)
		entry_release(&c->entries[i]);
	free(c->entries);
	strv_free(c->files);
	memset(c, 0, sizeof(*c));
}

static int bad_type(const char *what, const char *key, const char *type, struct rcr_error **err)
{
	rcr_error_set(err, EINVAL, "%s: '%s' must be %s", what, key, type);
	return -1;
}

/* A JSON array of strings as an owned NULL-terminated vector. */
static char **string_list(json_t *a, const char *what, const char *key, struct rcr_error **err)
{
	_cleanup_strv_ char **v = NULL;
	json_t *e;
	size_t i;

	if (!json_is_array(a)) {
		bad_type(what, key, "an array of strings", err);
		return NULL;
	}
	v = calloc(json_array_size(a) + 1, sizeof(char *));
	if (v == NULL)
		return NULL;
	json_array_foreach (a, i, e) {
		if (!json_is_string(e)) {
			bad_type(what, key, "an array of strings", err);
			return NULL;
		}
		v[i] = strdup(json_string_value(e));
	}
	return steal_ptr(&v);
}

static int get_bool(json_t *obj, const char *key, bool *out, const char *what,
		    struct rcr_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return bad_type(what, key, "true or false", err);
	*out = json_is_true(v);
	return 0;
}

static int get_str(json_t *obj, const char *key, char **out, const char *what,
		   struct rcr_error **err)
{
	json_t *v = json_object_get(obj, key);

	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return bad_type(what, key, "a string", err);
	*out = strdup(json_string_value(v));
	return 0;
}

static int parse_mirrors(json_t *reg, struct reg_entry *e, const char *what, struct rcr_error **err)
{
	json_t *ms = json_object_get(reg, "mirror");
	json_t *m;
	size_t i;

	if (ms == NULL)
		return 0;
	if (!json_is_array(ms))
		return bad_type(what, "mirror", "an array of tables ([[registry.mirror]])", err);
	e->mirrors = calloc(json_array_size(ms) + 1, sizeof(*e->mirrors));
	if (e->mirrors == NULL)
		return -1;
	json_array_foreach (ms, i, m) {
		struct reg_mirror *rm = &e->mirrors[e->n_mirrors];

		if (!json_is_object(m) || get_str(m, "location", &rm->location, what, err) < 0 ||
		    get_bool(m, "insecure", &rm->insecure, what, err) < 0)
			return json_is_object(m) ? -1 : bad_type(what, "mirror", "a table", err);
		if (rm->location == NULL) {
			rcr_error_set(err, EINVAL, "%s: a [[registry.mirror]] has no 'location'",
				      what);
			return -1;
		}
		e->n_mirrors++;
	}
	return 0;
}

static int parse_entry(json_t *reg, struct reg_entry *e, const char *what, struct rcr_error **err)
{
	if (!json_is_object(reg))
		return bad_type(what, "registry", "an array of tables ([[registry]])", err);
	if (get_str(reg, "prefix", &e->prefix, what, err) < 0 ||
	    get_str(reg, "location", &e->location, what, err) < 0 ||
	    get_bool(reg, "insecure", &e->insecure, what, err) < 0 ||
	    get_bool(reg, "blocked", &e->blocked, what, err) < 0 ||
	    parse_mirrors(reg, e, what, err) < 0)
		return -1;
	if (e->prefix == NULL && e->location == NULL) {
		rcr_error_set(err, EINVAL, "%s: a [[registry]] needs a 'location' or a 'prefix'",
			      what);
		return -1;
	}
	if (e->prefix == NULL)
		e->prefix = strdup(e->location);
	if (e->prefix[0] == '*' && e->location != NULL && strcmp(e->location, e->prefix) != 0) {
		rcr_error_set(err, EINVAL,
			      "%s: the wildcard prefix '%s' cannot have a 'location': wildcard "
			      "entries only set properties",
			      what, e->prefix);
		return -1;
	}
	return 0;
}

/* Add or replace (same prefix) an entry; takes ownership of e's contents. */
static int put_entry(struct reg_conf *c, struct reg_entry *e)
{
	struct reg_entry *nv;

	for (size_t i = 0; i < c->n_entries; i++) {
		if (strcmp(c->entries[i].prefix, e->prefix) == 0) {
			entry_release(&c->entries[i]);
			c->entries[i] = *e;
			return 0;
		}
	}
	nv = realloc(c->entries, (c->n_entries + 1) * sizeof(*nv));
	if (nv == NULL)
		return -1;
	c->entries = nv;
	c->entries[c->n_entries++] = *e;
	return 0;
}

static int apply_registries(struct reg_conf *c, json_t *doc, const char *what,
			    struct rcr_error **err)
{
	json_t *regs = json_object_get(doc, "registry");
	json_t *reg;
	size_t i;

	if (regs == NULL)
		return 0;
	if (!json_is_array(regs))
		return bad_type(what, "registry", "an array of tables ([[registry]])", err);
	json_array_foreach (regs, i, reg) {
		struct reg_entry e = {0};

		if (parse_entry(reg, &e, what, err) < 0 || put_entry(c, &e) < 0) {
			entry_release(&e);
			return -1;
		}
	}
	return 0;
}

/* The older "V1" layout: [registries.search] registries = [...], likewise insecure and block. */
static int apply_v1(struct reg_conf *c, json_t *v1, const char *what, struct rcr_error **err)
{
	static const char *const kinds[] = {"search", "insecure", "block"};

	for (size_t k = 0; k < 3; k++) {
		json_t *list = json_object_get(json_object_get(v1, kinds[k]), "registries");
		_cleanup_strv_ char **names = NULL;

		if (list == NULL)
			continue;
		names = string_list(list, what, "registries", err);
		if (names == NULL)
			return -1;
		if (k == 0) {
			strv_free(c->search);
			c->search = steal_ptr(&names);
			continue;
		}
		for (size_t i = 0; names[i]; i++) {
			struct reg_entry e = {.prefix = strdup(names[i]),
					      .location = strdup(names[i]),
					      .insecure = k == 1,
					      .blocked = k == 2};

			if (put_entry(c, &e) < 0) {
				entry_release(&e);
				return -1;
			}
		}
	}
	return 0;
}

static int apply_aliases(struct reg_conf *c, json_t *aliases, const char *what,
			 struct rcr_error **err)
{
	const char *k;
	json_t *v;

	if (aliases == NULL)
		return 0;
	if (!json_is_object(aliases))
		return bad_type(what, "aliases", "a table", err);
	json_object_foreach (aliases, k, v) {
		if (!json_is_string(v))
			return bad_type(what, k, "a string (an alias)", err);
		json_object_set(c->aliases, k, v);
	}
	return 0;
}

int reg_conf_apply_text(struct reg_conf *c, const char *text, size_t len, const char *what,
			struct rcr_error **err)
{
	_cleanup_json_ json_t *doc = toml_parse(text, len, what, err);
	json_t *search;

	if (doc == NULL)
		return -1;
	search = json_object_get(doc, "unqualified-search-registries");
	if (search != NULL) {
		char **v = string_list(search, what, "unqualified-search-registries", err);

		if (v == NULL)
			return -1;
		strv_free(c->search);
		c->search = v;
	}
	if (apply_aliases(c, json_object_get(doc, "aliases"), what, err) < 0 ||
	    apply_registries(c, doc, what, err) < 0)
		return -1;
	if (json_is_object(json_object_get(doc, "registries")))
		return apply_v1(c, json_object_get(doc, "registries"), what, err);
	return 0;
}

static int apply_file(struct reg_conf *c, const char *path, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *rerr = NULL;
	_cleanup_free_ char *text = NULL;
	_cleanup_free_ char *what = NULL;
	size_t len = 0, n = 0;
	char **nv;

	text = fs_read_file(path, CONF_MAX, &len, &rerr);
	if (text == NULL) {
		if (rerr != NULL && rerr->code == ENOENT)
			return 0;
		*err = steal_ptr(&rerr);
		return -1;
	}
	if (asprintf(&what, "'%s'", path) < 0)
		return -1;
	if (reg_conf_apply_text(c, text, len, what, err) < 0)
		return -1;
	while (c->files && c->files[n])
		n++;
	nv = realloc(c->files, (n + 2) * sizeof(char *));
	if (nv == NULL)
		return -1;
	c->files = nv;
	c->files[n] = strdup(path);
	c->files[n + 1] = NULL;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.conf names in dir, sorted; owned vector (empty when dir is missing). */
static char **list_dropins(const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	char **v = calloc(1, sizeof(char *));
	size_t n = 0;
	struct dirent *e;

	while (v != NULL && d != NULL && (e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		char **nv;

		if (l < 6 || e->d_name[0] == '.' || strcmp(e->d_name + l - 5, ".conf") != 0)
			continue;
		nv = realloc(v, (n + 2) * sizeof(char *));
		if (nv == NULL)
			break;
		v = nv;
		v[n++] = strdup(e->d_name);
		v[n] = NULL;
	}
	if (v != NULL)
		qsort(v, n, sizeof(char *), cmp_names);
	return v;
}

static bool strv_has(char **v, const char *s)
{
	for (size_t i = 0; v && v[i]; i++)
		if (strcmp(v[i], s) == 0)
			return true;
	return false;
}

/* Drop-ins of both dirs in name order; a user drop-in replaces the system one of its name. */
static int apply_dropins(struct reg_conf *c, const char *sys_dir, const char *user_dir,
			 struct rcr_error **err)
{
	_cleanup_strv_ char **sys = sys_dir ? list_dropins(sys_dir) : NULL;
	_cleanup_strv_ char **user = user_dir ? list_dropins(user_dir) : NULL;
	_cleanup_strv_ char **all = NULL;
	size_t n = 0;

	for (size_t i = 0; sys && sys[i]; i++)
		n++;
	for (size_t i = 0; user && user[i]; i++)
		n++;
	all = calloc(n + 1, sizeof(char *));
	if (all == NULL)
		return -1;
	n = 0;
	for (size_t i = 0; sys && sys[i]; i++)
		if (!strv_has(user, sys[i]) && asprintf(&all[n++], "%s/%s", sys_dir, sys[i]) < 0)
			return -1;
	for (size_t i = 0; user && user[i]; i++)
		if (asprintf(&all[n++], "%s/%s", user_dir, user[i]) < 0)
			return -1;
	/* Name order across both dirs, as containers/image applies them. */
	qsort(all, n, sizeof(char *), cmp_names);
	for (size_t i = 0; i < n; i++)
		if (apply_file(c, all[i], err) < 0)
			return -1;
	return 0;
}

int reg_conf_load(const char *config_home, const char *etc_dir, struct reg_conf *c,
		  struct rcr_error **err)
{
	_cleanup_free_ char *user_file = NULL;
	_cleanup_free_ char *user_dir = NULL;
	_cleanup_free_ char *sys_file = NULL;
	_cleanup_free_ char *sys_dir = NULL;

	if ((config_home &&
	     (asprintf(&user_file, "%s/containers/registries.conf", config_home) < 0 ||
	      asprintf(&user_dir, "%s/containers/registries.conf.d", config_home) < 0)) ||
	    asprintf(&sys_file, "%s/registries.conf", etc_dir) < 0 ||
	    asprintf(&sys_dir, "%s/registries.conf.d", etc_dir) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	/* The user's file replaces the system's, and the system's drop-ins, when it exists (as
	 * containers/image's sysregistriesv2 does). */
	if (user_file && fs_exists(user_file)) {
		if (apply_file(c, user_file, err) < 0)
			return -1;
		return apply_dropins(c, NULL, user_dir, err);
	}
	if (apply_file(c, sys_file, err) < 0)
		return -1;
	return apply_dropins(c, sys_dir, user_dir, err);
}

static bool prefix_matches(const char *prefix, const char *repo)
{
	size_t n = strlen(prefix);

	if (prefix[0] == '*' && prefix[1] == '.') {
		/* "*.example.com" matches any host under example.com */
		const char *slash = strchr(repo, '/');
		size_t hl = slash ? (size_t)(slash - repo) : strlen(repo);
		size_t sl = n - 1;

		return hl > sl && strncmp(repo + hl - sl, prefix + 1, sl) == 0;
	}
	return strncmp(repo, prefix, n) == 0 && (repo[n] == '\0' || repo[n] == '/');
}

const struct reg_entry *reg_conf_find(const struct reg_conf *c, const char *repository)
{
	const struct reg_entry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < c->n_entries; i++) {
		const struct reg_entry *e = &c->entries[i];
		/* An exact prefix beats any wildcard; a longer one beats a shorter. */
		size_t len = e->prefix[0] == '*' ? 1 : strlen(e->prefix) + 1;

		if (prefix_matches(e->prefix, repository) && len > best_len) {
			best = e;
			best_len = len;
		}
	}
	return best;
}

/* The short name as typed, without the "library/" that normalisation added: the alias key. */
static const char *short_key(const struct img_ref *r)
{
	return r->implied_library ? r->path + strlen("library/") : r->path;
}

/* An alias value is a fully qualified name, maybe without tag; the reference's tag or digest
 * applies to it. */
static int resolve_alias(const struct img_ref *r, const char *value, struct img_ref *out,
			 struct rcr_error **err)
{
	struct img_ref a;
	int rc;

	if (img_ref_parse(value, &a, err) < 0) {
		rcr_error_wrap(err, "alias '%s' in registries.conf", short_key(r));
		return -1;
	}
	if (a.is_short) {
		img_ref_release(&a);
		rcr_error_set(err, EINVAL,
			      "alias '%s' in registries.conf is '%s', which names no registry: "
			      "aliases must be fully qualified",
			      short_key(r), value);
		return -1;
	}
	rc = img_ref_with_domain(r, a.domain, out, err);
	if (rc == 0) {
		free(out->path);
		out->path = strdup(a.path);
	}
	img_ref_release(&a);
	return rc;
}

int reg_conf_resolve_short(const struct reg_conf *c, const struct img_ref *r, struct img_ref **out,
			   size_t *n, struct rcr_error **err)
{
	json_t *alias = json_object_get(c->aliases, short_key(r));
	size_t count = 0;
	struct img_ref *v;

	*out = NULL;
	*n = 0;
	while (c->search && c->search[count])
		count++;
	if (alias == NULL && count == 0) {
		rcr_error_set(err, ENOENT,
			      "short-name '%s' did not resolve to an alias and no "
			      "unqualified-search-registries are defined in registries.conf: use a "
			      "fully qualified name such as 'docker.io/%s', or add "
			      "unqualified-search-registries = [\"docker.io\"] to %s",
			      short_key(r), r->path,
			      c->files && c->files[0] ? c->files[0]
						      : "~/.config/containers/registries.conf");
		return -1;
	}
	v = calloc(alias ? 1 : count, sizeof(*v));
	if (v == NULL)
		return -1;
	if (alias != NULL) {
		if (resolve_alias(r, json_string_value(alias), &v[0], err) < 0) {
			free(v);
			return -1;
		}
		*out = v;
		*n = 1;
		return 0;
	}
	for (size_t i = 0; i < count; i++) {
		if (img_ref_with_domain(r, c->search[i], &v[i], err) < 0) {
			for (size_t k = 0; k < i; k++)
				img_ref_release(&v[k]);
			free(v);
			return -1;
		}
	}
	*out = v;
	*n = count;
	return 0;
}

/* "location" + what the repository has beyond the prefix, split into host and path. */
static int make_endpoint(const char *location, const char *rest, bool insecure,
			 struct reg_endpoint *ep)
{
	_cleanup_free_ char *full = NULL;
	char *slash;

	if (asprintf(&full, "%s%s", location, rest) < 0)
		return -1;
	slash = strchr(full, '/');
	if (slash == NULL)
		return -1;
	*slash = '\0';
	ep->host = strdup(full);
	ep->path = strdup(slash + 1);
	ep->insecure = insecure;
	return ep->host && ep->path ? 0 : -1;
}

void reg_endpoints_free(struct reg_endpoint *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].host);
		free(v[i].path);
	}
	free(v);
}

int reg_conf_endpoints(const struct reg_conf *c, const struct img_ref *ref,
		       struct reg_endpoint **out, size_t *n, struct rcr_error **err)
{
	_cleanup_free_ char *repo = img_ref_repository(ref);
	const struct reg_entry *e = repo ? reg_conf_find(c, repo) : NULL;
	struct reg_endpoint *v;
	const char *rest;
	size_t k = 0;

	*out = NULL;
	*n = 0;
	if (repo == NULL)
		return -1;
	if (e != NULL && e->blocked) {
		rcr_error_set(err, EACCES,
			      "registry '%s' is blocked in registries.conf (prefix '%s')",
			      ref->domain, e->prefix);
		return -1;
	}
	v = calloc((e ? e->n_mirrors : 0) + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	/* A wildcard entry only sets properties: the reference keeps its own location. */
	rest = (e && e->prefix[0] != '*') ? repo + strlen(e->prefix) : "";
	for (size_t i = 0; e && i < e->n_mirrors; i++)
		if (make_endpoint(e->mirrors[i].location, rest, e->mirrors[i].insecure, &v[k++]) <
		    0)
			goto fail;
	if (make_endpoint(e && e->prefix[0] != '*' && e->location ? e->location : repo,
			  e && e->prefix[0] != '*' && e->location ? rest : "", e && e->insecure,
			  &v[k++]) < 0)
		goto fail;
	*out = v;
	*n = k;
	return 0;
fail:
	reg_endpoints_free(v, k);
	rcr_error_set(err, EINVAL, "registries.conf: cannot map '%s' to a registry location", repo);
	return -1;
}

char *reg_cert_dir(const char *config_home, const char *host)
{
	char *p = NULL;

	if (config_home != NULL &&
	    asprintf(&p, "%s/containers/certs.d/%s", config_home, host) >= 0 && fs_exists(p))
		return p;
	free(p);
	p = NULL;
	if (asprintf(&p, "/etc/containers/certs.d/%s", host) >= 0 && fs_exists(p))
		return p;
	free(p);
	return NULL;
}

bool reg_conf_host_insecure(const struct reg_conf *c, const char *host)
{
	const struct reg_entry *e = reg_conf_find(c, host);

	return e != NULL && e->insecure;
}
