/* auth.json reading and writing (see auth.h).
 *
 * Must never put a password or its base64 into an error message or log line, and never leave
 * the file readable by others (0600, written atomically so a crash cannot truncate it).
 */
#include "image/auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/base64.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "pkg/log.h"

#define AUTH_MAX (1 << 20)

void auth_creds_release(struct auth_creds *c)
{
	if (c->password != NULL)
		explicit_bzero(c->password, strlen(c->password));
	free(c->username);
	free(c->password);
	c->username = c->password = NULL;
}

static void strv_push(char **v, size_t *n, char *s)
{
	if (s != NULL)
		v[(*n)++] = s;
}

static char *join3(const char *a, const char *b)
{
	char *s = NULL;

	return a && asprintf(&s, "%s%s", a, b) >= 0 ? s : NULL;
}

char **auth_files(const char *authfile, const char *runtime_dir, const char *config_home,
		  const char *home)
{
	char **v = calloc(4, sizeof(char *));
	size_t n = 0;

	if (v == NULL)
		return NULL;
	if (authfile != NULL) {
		strv_push(v, &n, strdup(authfile));
		return v;
	}
	strv_push(v, &n, join3(runtime_dir, "/containers/auth.json"));
	strv_push(v, &n, join3(config_home, "/containers/auth.json"));
	strv_push(v, &n, join3(home, "/.docker/config.json"));
	return v;
}

char *auth_write_file(const char *authfile, const char *runtime_dir, const char *config_home)
{
	if (authfile != NULL)
		return strdup(authfile);
	if (runtime_dir != NULL)
		return join3(runtime_dir, "/containers/auth.json");
	return join3(config_home, "/containers/auth.json");
}

char *auth_normalize_key(const char *key)
{
	const char *k = key;
	char *out;
	size_t n;

	if (strncmp(k, "https://", 8) == 0)
		k += 8;
	else if (strncmp(k, "http://", 7) == 0)
		k += 7;
	out = strdup(k);
	if (out == NULL)
		return NULL;
	n = strlen(out);
	/* Docker's legacy keys carry an API path: "index.docker.io/v1/". */
	if (n >= 4 && (strcmp(out + n - 4, "/v1/") == 0 || strcmp(out + n - 4, "/v2/") == 0))
		out[n - 4] = '\0';
	else if (n >= 3 && (strcmp(out + n - 3, "/v1") == 0 || strcmp(out + n - 3, "/v2") == 0))
		out[n - 3] = '\0';
	n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
	if (strcmp(out, "index.docker.io") == 0 || strcmp(out, "registry-1.docker.io") == 0) {
		free(out);
		return strdup("docker.io");
	}
	return out;
}

/* The entry of auths whose normalised key equals want (borrowed), or NULL. */
static json_t *find_entry(json_t *auths, const char *want)
{
	const char *k;
	json_t *v;

	json_object_foreach (auths, k, v) {
		_cleanup_free_ char *nk = auth_normalize_key(k);

		if (nk != NULL && strcmp(nk, want) == 0)
			return v;
	}
	return NULL;
}

static int decode_entry(json_t *entry, const char *file, const char *key, struct auth_creds *out,
			struct rcr_error **err)
{
	json_t *a = json_object_get(entry, "auth");
	_cleanup_free_ char *plain = NULL;
	char *colon;

	if (!json_is_string(a)) {
		rcr_error_set(err, EINVAL, "'%s': the entry for '%s' has no \"auth\" string", file,
			      key);
		return -1;
	}
	plain = base64_decode(json_string_value(a), NULL);
	colon = plain ? strchr(plain, ':') : NULL;
	if (colon == NULL) {
		rcr_error_set(err, EINVAL,
			      "'%s': the \"auth\" of '%s' is not base64 of \"user:password\": run "
			      "'rcr login %s' again",
			      file, key, key);
		return -1;
	}
	*colon = '\0';
	out->username = strdup(plain);
	out->password = strdup(colon + 1);
	explicit_bzero(colon + 1, strlen(colon + 1));
	return 0;
}

/* Look in one file: 1 found, 0 not, -1 error. */
static int lookup_file(const char *file, const char *repository, struct auth_creds *out,
		       struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *rerr = NULL;
	_cleanup_json_ json_t *doc = json_load_file_capped(file, AUTH_MAX, &rerr);
	_cleanup_free_ char *key = strdup(repository);
	json_t *auths;

	if (doc == NULL) {
		if (rerr != NULL && rerr->code == ENOENT)
			return 0;
		*err = steal_ptr(&rerr);
		return -1;
	}
	auths = json_object_get(doc, "auths");
	if (auths == NULL || key == NULL)
		return 0;
	if (!json_is_object(auths)) {
		rcr_error_set(err, EINVAL, "'%s': \"auths\" is not an object", file);
		return -1;
	}
	/* Most specific first: host/ns/repo, host/ns, host. */
	for (;;) {
		json_t *entry = find_entry(auths, key);
		char *slash;

		if (entry != NULL)
			return decode_entry(entry, file, key, out, err) < 0 ? -1 : 1;
		slash = strrchr(key, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
	}
	if (json_object_get(doc, "credHelpers") || json_object_get(doc, "credsStore"))
		rcr_warn("'%s' names credential helpers, which rcr does not run: use 'rcr login' "
			 "to store credentials in auth.json",
			 file);
	return 0;
}

int auth_lookup(char *const *files, const char *repository, struct auth_creds *out,
		struct rcr_error **err)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; files && files[i]; i++) {
		int rc = lookup_file(files[i], repository, out, err);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* The document in file, or a new {"auths": {}} when it does not exist. */
static json_t *load_or_new(const char *file, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *rerr = NULL;
	json_t *doc = json_load_file_capped(file, AUTH_MAX, &rerr);

	if (doc == NULL && rerr != NULL && rerr->code != ENOENT) {
		*err = steal_ptr(&rerr);
		return NULL;
	}
	if (doc == NULL)
		doc = json_object();
	if (!json_is_object(json_object_get(doc, "auths")))
		json_object_set_new(doc, "auths", json_object());
	return doc;
}

static int save(const char *file, json_t *doc, struct rcr_error **err)
{
	_cleanup_free_ char *dir = strdup(file);
	char *slash = dir ? strrchr(dir, '/') : NULL;

	if (slash != NULL && slash != dir) {
		*slash = '\0';
		if (fs_mkdir_p(dir, 0700, err) < 0)
			return -1;
	}
	return json_write_file_atomic(file, doc, err);
}

int auth_store(const char *file, const char *key, const char *username, const char *password,
	       struct rcr_error **err)
{
	_cleanup_json_ json_t *doc = load_or_new(file, err);
	_cleanup_free_ char *plain = NULL;
	_cleanup_free_ char *b64 = NULL;
	_cleanup_free_ char *nk = auth_normalize_key(key);
	json_t *auths;
	const char *k;
	json_t *v;
	void *tmp;

	if (doc == NULL || nk == NULL)
		return -1;
	if (asprintf(&plain, "%s:%s", username, password) < 0)
		return -1;
	b64 = base64_encode(plain, strlen(plain));
	explicit_bzero(plain, strlen(plain));
	auths = json_object_get(doc, "auths");
	/* Replace any spelling of the same key ("https://h/v1/" and "h"). */
	json_object_foreach_safe(auths, tmp, k, v)
	{
		_cleanup_free_ char *ek = auth_normalize_key(k);

		if (ek != NULL && strcmp(ek, nk) == 0)
			json_object_del(auths, k);
	}
	json_object_set_new(auths, nk, json_pack("{s:s}", "auth", b64));
	return save(file, doc, err);
}

int auth_remove(const char *file, const char *key, bool *removed, struct rcr_error **err)
{
	_cleanup_json_ json_t *doc = load_or_new(file, err);
	_cleanup_free_ char *nk = key ? auth_normalize_key(key) : NULL;
	json_t *auths;
	const char *k;
	json_t *v;
	void *tmp;

	*removed = false;
	if (doc == NULL)
		return -1;
	auths = json_object_get(doc, "auths");
	json_object_foreach_safe(auths, tmp, k, v)
	{
		_cleanup_free_ char *ek = auth_normalize_key(k);

		if (key == NULL || (ek != NULL && nk != NULL && strcmp(ek, nk) == 0)) {
			json_object_del(auths, k);
			*removed = true;
		}
	}
	if (!*removed)
		return 0;
	return save(file, doc, err);
}

int auth_parse_creds(const char *s, struct auth_creds *out, struct rcr_error **err)
{
	const char *colon = strchr(s, ':');

	memset(out, 0, sizeof(*out));
	if (colon == NULL || colon == s) {
		rcr_error_set(err, EINVAL,
			      "credentials must be USERNAME:PASSWORD (the username may not be "
			      "empty)");
		return -1;
	}
	out->username = strndup(s, (size_t)(colon - s));
	out->password = strdup(colon + 1);
	return out->username && out->password ? 0 : -1;
}
