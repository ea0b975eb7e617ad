/* Importing a root filesystem tarball as a one-layer image (see import.h).
 *
 * One pass over the input: libarchive's "raw" format undoes whatever compression it has while
 * the bytes given (the blob digest) and the tar coming out (the diff_id) are hashed, and the tar
 * is written to a locked tmp/ entry of the store. That file is then unpacked through
 * image/ingest.h, which checks the diff_id again, and the image is committed. Must never leave
 * a half-stored image: a failure anywhere releases the tmp/ entries and commits nothing.
 */
#include "image/import.h"

#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "image/lazylib.h"
#include "image/digest.h"
#include "image/ingest.h"
#include "image/lookup.h"
#include "image/manifest.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "storage/store.h"

#define IO_SIZE (1 << 16)

/* ---- --change -------------------------------------------------------------------------------- */

static int change_error(struct rcr_error **err, const char *change, const char *why)
{
	rcr_error_set(err, EINVAL, "invalid change '%s': %s", change, why);
	return -1;
}

/* Dockerfile words: split at unquoted blanks; "..." and '...' group (a backslash escapes inside
 * double quotes and outside quotes). Each word is stored unquoted, and *had_eq tells for each
 * whether an unquoted '=' appeared in it (NAME=VALUE). Owned NULL-terminated vector. */
static char **split_words(const char *s, bool **had_eq, size_t *n)
{
	size_t cap = strlen(s) + 1;
	char **v = calloc(cap + 1, sizeof(char *));
	bool *eq = calloc(cap + 1, sizeof(bool));
	char *w = malloc(cap);

	*n = 0;
	while (v != NULL && eq != NULL && w != NULL) {
		size_t len = 0;
		char quote = 0;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '\0')
			break;
		for (; *s != '\0' && (quote || (*s != ' ' && *s != '\t')); s++) {
			if (quote == 0 && (*s == '"' || *s == '\'')) {
				quote = *s;
			} else if (quote != 0 && *s == quote) {
				quote = 0;
			} else if (*s == '\\' && quote != '\'' && s[1] != '\0') {
				w[len++] = *++s;
			} else {
				if (*s == '=' && quote == 0 && !eq[*n])
					eq[*n] = true;
				w[len++] = *s;
			}
		}
		w[len] = '\0';
		v[(*n)++] = strdup(w);
	}
	free(w);
	*had_eq = eq;
	return v;
}

/* Set key in an "Env" list ("KEY=VALUE" strings), replacing an existing KEY. */
static int env_set(json_t *config, const char *key, const char *value)
{
	json_t *env = json_object_get(config, "Env");
	_cleanup_free_ char *kv = NULL;
	size_t i, kl = strlen(key);
	json_t *e;

	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return -1;
	if (!json_is_array(env)) {
		env = json_array();
		if (env == NULL || json_object_set_new(config, "Env", env) < 0)
			return -1;
	}
	json_array_foreach (env, i, e) {
		const char *s = json_string_value(e);

		if (s != NULL && strncmp(s, key, kl) == 0 && s[kl] == '=')
			return json_array_set_new(env, i, json_string(kv));
	}
	return json_array_append_new(env, json_string(kv));
}

static int label_set(json_t *config, const char *key, const char *value)
{
	json_t *labels = json_object_get(config, "Labels");

	if (!json_is_object(labels)) {
		labels = json_object();
		if (labels == NULL || json_object_set_new(config, "Labels", labels) < 0)
			return -1;
	}
	return json_object_set_new(labels, key, json_string(value));
}

/* NAME=VALUE pairs; a word without '=' continues the previous value (Podman takes the rest of
 * the line as the value, so "ENV A=hello world" keeps meaning A="hello world"). */
static int set_pairs(json_t *config, const char *change, const char *value, bool is_env,
		     struct rcr_error **err)
{
	bool *eq = NULL;
	size_t n = 0;
	_cleanup_strv_ char **w = split_words(value, &eq, &n);
	_cleanup_free_ char *key = NULL;
	_cleanup_free_ char *val = NULL;
	int rc = 0;

	if (w == NULL || eq == NULL) {
		free(eq);
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i <= n && rc == 0; i++) {
		if (i < n && !eq[i] && key != NULL) {
			char *joined = NULL;

			if (asprintf(&joined, "%s %s", val, w[i]) < 0)
				rc = -1;
			free(val);
			val = joined;
			continue;
		}
		if (key != NULL)
			rc = is_env ? env_set(config, key, val) : label_set(config, key, val);
		free(key);
		free(val);
		key = val = NULL;
		if (i == n || rc < 0)
			break;
		if (!eq[i] || w[i][0] == '=') {
			free(eq);
			return change_error(err, change,
					    is_env ? "ENV must be NAME=VALUE"
						   : "LABEL must be "
						     "KEY=VALUE");
		}
		val = strdup(strchr(w[i], '=') + 1);
		key = strndup(w[i], (size_t)(strchr(w[i], '=') - w[i]));
		if (key == NULL || val == NULL)
			rc = -1;
	}
	free(eq);
	if (rc < 0)
		rcr_error_set(err, ENOMEM, "out of memory");
	return rc;
}

/* ENV: NAME=VALUE... or the legacy "ENV NAME VALUE" (the rest of the line is the value). */
static int change_env(json_t *config, const char *change, const char *value, struct rcr_error **err)
{
	size_t nl = strcspn(value, " \t");
	_cleanup_free_ char *name = strndup(value, nl);
	_cleanup_free_ char *rest = NULL;
	const char *r = value + nl;
	size_t rl;

	if (value[0] == '\0')
		return change_error(err, change, "ENV needs NAME=VALUE");
	if (name == NULL || memchr(value, '=', nl) != NULL)
		return set_pairs(config, change, value, true, err);
	while (*r == ' ' || *r == '\t')
		r++;
	rest = strdup(r);
	rl = rest ? strlen(rest) : 0;
	if (rl >= 2 && (rest[0] == '"' || rest[0] == '\'') && rest[rl - 1] == rest[0]) {
		rest[rl - 1] = '\0';
		memmove(rest, rest + 1, rl - 1);
	}
	if (rest == NULL || env_set(config, name, rest) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

/* A JSON array of strings (the exec form), or NULL. */
static json_t *exec_form(const char *value)
{
	json_t *a = value[0] == '[' ? json_loads(value, 0, NULL) : NULL;
	size_t i;
	json_t *e;

	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	json_array_foreach (a, i, e) {
		if (!json_is_string(e)) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

/* CMD and ENTRYPOINT: the exec form as given; the shell form under "/bin/sh -c" (an empty
 * ENTRYPOINT clears it, an empty CMD is "/bin/sh -c" alone, as Podman has them). */
static int change_command(json_t *config, const char *key, const char *value)
{
	json_t *a = exec_form(value);

	if (a == NULL) {
		a = json_array();
		if (a != NULL && (value[0] != '\0' || strcmp(key, "Cmd") == 0)) {
			json_array_append_new(a, json_string("/bin/sh"));
			json_array_append_new(a, json_string("-c"));
		}
		if (a != NULL && value[0] != '\0')
			json_array_append_new(a, json_string(value));
	}
	return a ? json_object_set_new(config, key, a) : -1;
}

/* An object used as a set ({"80/tcp": {}}), made when missing. */
static json_t *set_of(json_t *config, const char *key)
{
	json_t *o = json_object_get(config, key);

	if (!json_is_object(o)) {
		o = json_object();
		if (o == NULL || json_object_set_new(config, key, o) < 0)
			return NULL;
	}
	return o;
}

static int change_volume(json_t *config, const char *change, const char *value,
			 struct rcr_error **err)
{
	_cleanup_json_ json_t *a = exec_form(value);
	bool *eq = NULL;
	size_t n = 0, i;
	_cleanup_strv_ char **w = a ? NULL : split_words(value, &eq, &n);
	json_t *vols = set_of(config, "Volumes");
	json_t *e;

	free(eq);
	if (vols == NULL || (a == NULL && w == NULL)) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if ((a != NULL && json_array_size(a) == 0) || (a == NULL && n == 0))
		return change_error(err, change, "VOLUME needs at least one path");
	json_array_foreach (a, i, e) {
		if (json_string_length(e) == 0)
			return change_error(err, change, "VOLUME paths must not be empty");
		json_object_set_new(vols, json_string_value(e), json_object());
	}
	for (i = 0; i < n; i++)
		json_object_set_new(vols, w[i], json_object());
	return 0;
}

static int change_expose(json_t *config, const char *change, const char *value,
			 struct rcr_error **err)
{
	bool *eq = NULL;
	size_t n = 0;
	_cleanup_strv_ char **w = split_words(value, &eq, &n);
	json_t *ports = set_of(config, "ExposedPorts");

	free(eq);
	if (w == NULL || ports == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (n == 0)
		return change_error(err, change, "EXPOSE needs a port");
	for (size_t i = 0; i < n; i++) {
		char *slash = strchr(w[i], '/'), *end = NULL;
		const char *proto = "tcp";
		char key[32];
		long port;

		if (slash != NULL) {
			*slash = '\0';
			for (char *c = slash + 1; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			proto = slash + 1;
		}
		errno = 0;
		port = strtol(w[i], &end, 10);
		if (w[i][0] == '\0' || *end != '\0' || errno != 0 || port <= 0 || port > 65535)
			return change_error(err, change, "EXPOSE port must be a number 1-65535");
		if (strcmp(proto, "tcp") != 0 && strcmp(proto, "udp") != 0 &&
		    strcmp(proto, "sctp") != 0)
			return change_error(err, change,
					    "EXPOSE protocol must be tcp, udp or sctp");
		snprintf(key, sizeof(key), "%ld/%s", port, proto);
		json_object_set_new(ports, key, json_object());
	}
	return 0;
}

/* Join path b onto a ("/a" + "b" = "/a/b"; an absolute b replaces a, as in a Dockerfile), then
 * clean it lexically as Go's filepath.Clean does. Owned. */
static char *path_join_clean(const char *a, const char *b)
{
	_cleanup_free_ char *joined = NULL;
	_cleanup_free_ const char **parts = NULL;
	size_t n = 0, len;
	char *out, *tok, *save = NULL;
	bool abs;

	if (b[0] == '/' || a == NULL || a[0] == '\0')
		joined = strdup(b);
	else if (asprintf(&joined, "%s/%s", a, b) < 0)
		joined = NULL;
	if (joined == NULL)
		return NULL;
	abs = joined[0] == '/';
	parts = calloc(strlen(joined) + 1, sizeof(*parts));
	out = calloc(strlen(joined) + 2, 1);
	if (parts == NULL || out == NULL) {
		free(out);
		return NULL;
	}
	for (tok = strtok_r(joined, "/", &save); tok != NULL; tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0)
			n--;
		else if (strcmp(tok, "..") != 0 || !abs)
			parts[n++] = tok;
	}
	len = 0;
	if (abs)
		out[len++] = '/';
	for (size_t i = 0; i < n; i++) {
		size_t pl = strlen(parts[i]);

		if (i > 0)
			out[len++] = '/';
		memcpy(out + len, parts[i], pl);
		len += pl;
	}
	if (len == 0)
		out[len++] = '.';
	out[len] = '\0';
	return out;
}

static int change_workdir(json_t *config, const char *change, const char *value,
			  struct rcr_error **err)
{
	_cleanup_free_ char *wd = NULL;

	if (value[0] == '\0')
		return change_error(err, change, "WORKDIR needs a path");
	wd = path_join_clean(json_string_value(json_object_get(config, "WorkingDir")), value);
	if (wd == NULL || json_object_set_new(config, "WorkingDir", json_string(wd)) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	return 0;
}

/* "SIGTERM", "term", "15" -> 15; -1 when it names no signal. */
static int signal_number(const char *s)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (s[0] != '\0' && *end == '\0' && errno == 0)
		return n > 0 && n <= SIGRTMAX ? (int)n : -1;
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (int sig = 1; sig < SIGRTMIN; sig++) {
		const char *abbrev = sigabbrev_np(sig);

		if (abbrev != NULL && strcasecmp(abbrev, s) == 0)
			return sig;
	}
	return -1;
}

static int change_stopsignal(json_t *config, const char *change, const char *value,
			     struct rcr_error **err)
{
	int sig = signal_number(value);
	char num[16];

	if (sig < 0)
		return change_error(err, change, "STOPSIGNAL must name a signal");
	snprintf(num, sizeof(num), "%d", sig);
	return json_object_set_new(config, "StopSignal", json_string(num));
}

static int apply_instruction(json_t *config, const char *change, const char *key, const char *value,
			     struct rcr_error **err)
{
	if (strcmp(key, "USER") == 0) {
		if (value[0] == '\0')
			return change_error(err, change, "USER needs a user");
		return json_object_set_new(config, "User", json_string(value));
	}
	if (strcmp(key, "EXPOSE") == 0)
		return change_expose(config, change, value, err);
	if (strcmp(key, "ENV") == 0)
		return change_env(config, change, value, err);
	if (strcmp(key, "ENTRYPOINT") == 0)
		return change_command(config, "Entrypoint", value);
	if (strcmp(key, "CMD") == 0)
		return change_command(config, "Cmd", value);
	if (strcmp(key, "VOLUME") == 0)
		return change_volume(config, change, value, err);
	if (strcmp(key, "WORKDIR") == 0)
		return change_workdir(config, change, value, err);
	if (strcmp(key, "LABEL") == 0) {
		if (value[0] == '\0')
			return change_error(err, change, "LABEL must be KEY=VALUE");
		return set_pairs(config, change, value, false, err);
	}
	if (strcmp(key, "STOPSIGNAL") == 0)
		return change_stopsignal(config, change, value, err);
	if (strcmp(key, "ONBUILD") == 0)
		return value[0] ? 0 : change_error(err, change, "ONBUILD needs an instruction");
	rcr_error_set(err, EINVAL,
		      "invalid change '%s': unknown instruction '%s' (supported: CMD, ENTRYPOINT, "
		      "ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR)",
		      change, key);
	return -1;
}

int img_change_apply(json_t *config, const char *change, struct rcr_error **err)
{
	/* "INSTRUCTION value", or "INSTRUCTION=value" as Podman also accepts. */
	size_t kl = strcspn(change, " \t=");
	_cleanup_free_ char *key = strndup(change, kl);
	_cleanup_free_ char *value = NULL;
	size_t vl;
	int rc;

	if (key == NULL)
		return -1;
	if (change[kl] == '\0' || kl == 0)
		return change_error(err, change, "must be INSTRUCTION VALUE");
	for (char *c = key; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	value = strdup(change + kl + 1);
	if (value == NULL)
		return -1;
	vl = strlen(value);
	while (vl > 0 && isspace((unsigned char)value[vl - 1]))
		value[--vl] = '\0';
	rc = apply_instruction(config, change, key, value + strspn(value, " \t"), err);
	if (rc < 0 && err != NULL && *err == NULL)
		rcr_error_set(err, ENOMEM, "out of memory");
	return rc;
}

/* ---- the config ------------------------------------------------------------------------------ */

static json_t *history_entry(const struct import_config *c)
{
	_cleanup_free_ char *by = NULL;
	const char *hex = strchr(c->diff_id, ':') ? strchr(c->diff_id, ':') + 1 : c->diff_id;

	/* What containers/image's tarball transport writes for each file it imports. */
	if (asprintf(&by, "/bin/sh -c #(nop) ADD file:%s in /", hex) < 0)
		return NULL;
	return json_pack("{s:s,s:s,s:s}", "created", c->created, "created_by", by, "comment",
			 c->comment && c->comment[0] ? c->comment : "imported from tarball");
}

char *img_import_config(const struct import_config *c, size_t *len, struct rcr_error **err)
{
	_cleanup_json_ json_t *doc = json_object();
	json_t *config = json_object();
	char *out;

	/* Field order as Go's v1.Image marshals it. */
	if (doc == NULL || config == NULL ||
	    json_object_set_new(doc, "created", json_string(c->created)) < 0 ||
	    json_object_set_new(doc, "architecture", json_string(c->arch)) < 0 ||
	    json_object_set_new(doc, "os", json_string(c->os)) < 0 ||
	    (c->variant && c->variant[0] &&
	     json_object_set_new(doc, "variant", json_string(c->variant)) < 0) ||
	    json_object_set_new(doc, "config", config) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	for (size_t i = 0; c->changes != NULL && c->changes[i] != NULL; i++)
		if (img_change_apply(config, c->changes[i], err) < 0)
			return NULL;
	if (json_object_set_new(
		    doc, "rootfs",
		    json_pack("{s:s,s:[s]}", "type", "layers", "diff_ids", c->diff_id)) < 0 ||
	    json_object_set_new(doc, "history", json_pack("[o]", history_entry(c))) < 0 ||
	    (out = json_dump_string(doc, false)) == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	*len = strlen(out);
	return out;
}

/* ---- reading the tarball --------------------------------------------------------------------- */

bool img_import_is_url(const char *source)
{
	return strncmp(source, "http://", 7) == 0 || strncmp(source, "https://", 8) == 0;
}

struct source {
	int fd;
	struct digester *blob;
	long long size;
	char buf[IO_SIZE];
	int read_errno;
};

/* libarchive's read callback: every byte it takes is part of the blob digest. */
static la_ssize_t source_read(struct archive *a, void *arg, const void **buf)
{
	struct source *s = arg;
	ssize_t n;

	(void)a;
	do
		n = read(s->fd, s->buf, sizeof(s->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		s->read_errno = errno;
		return -1;
	}
	digester_update(s->blob, s->buf, (size_t)n);
	s->size += n;
	*buf = s->buf;
	return n;
}

/* What a read tarball turned out to be. */
struct tarball {
	char blob_digest[72]; /* of the bytes as given */
	long long blob_size;
	char diff_id[72]; /* of the tar */
	long long tar_size;
	int filter; /* ARCHIVE_FILTER_* */
};

static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy the decompressed stream of a into out, hashing it. */
static int copy_out(struct archive *a, int out, struct tarball *t, struct rcr_error **err)
{
	_cleanup_free_ char *buf = malloc(IO_SIZE);
	struct digester *d = digester_new();
	la_ssize_t n;

	if (buf == NULL || d == NULL) {
		digester_free(d);
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	while ((n = archive_read_data(a, buf, IO_SIZE)) > 0) {
		digester_update(d, buf, (size_t)n);
		t->tar_size += n;
		if (write_all(out, buf, (size_t)n) < 0) {
			digester_free(d);
			rcr_error_set_errno(err, errno, "writing the layer to the store");
			return -1;
		}
	}
	digester_finish(d, t->diff_id);
	if (n < 0) {
		rcr_error_set(err, EINVAL, "decompressing: %s", archive_error_string(a));
		return -1;
	}
	return 0;
}

/* Read all of in (decompressing it) into out. */
static int read_tarball(int in, int out, struct tarball *t, struct rcr_error **err)
{
	struct source *s = calloc(1, sizeof(*s));
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int rc = -1, r;

	if (s == NULL || a == NULL || (s->blob = digester_new()) == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		goto out;
	}
	s->fd = in;
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	r = archive_read_open(a, s, NULL, source_read, NULL);
	if (r == ARCHIVE_OK)
		r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK) {
		if (s->read_errno != 0)
			rcr_error_set_errno(err, s->read_errno, "reading");
		else if (r == ARCHIVE_EOF || s->size == 0)
			rcr_error_set(err, EINVAL, "it is empty");
		else
			rcr_error_set(err, EINVAL, "%s", archive_error_string(a));
		goto out;
	}
	t->filter = archive_filter_code(a, 0);
	if (copy_out(a, out, t, err) < 0)
		goto out;
	/* Whatever follows the compressed stream is part of the blob as given. */
	for (const void *rest = NULL; source_read(a, s, &rest) > 0;)
		;
	if (s->read_errno != 0) {
		rcr_error_set_errno(err, s->read_errno, "reading");
		goto out;
	}
	rc = 0;
out:
	if (s != NULL && s->blob != NULL) {
		digester_finish(s->blob, t->blob_digest);
		t->blob_size = s->size;
	}
	if (a != NULL)
		archive_read_free(a);
	free(s);
	return rc;
}

static size_t download_write(char *data, size_t size, size_t nmemb, void *arg)
{
	return write_all(*(int *)arg, data, size * nmemb) == 0 ? size * nmemb : 0;
}

/* Download url into path (redirects followed; an HTTP error status is an error). */
static int download(const char *url, const char *path, struct rcr_error **err)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	char ebuf[CURL_ERROR_SIZE] = "";
	CURL *c;
	CURLcode r;

	if (fd < 0) {
		rcr_error_set_errno(err, errno, "creating %s", path);
		return -1;
	}
	c = curl_easy_init();
	if (c == NULL) {
		rcr_error_set(err, ENOMEM, "starting libcurl");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "rcr/" RCR_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, download_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &fd);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	r = curl_easy_perform(c);
	curl_easy_cleanup(c);
	if (r != CURLE_OK) {
		rcr_error_set(err, EIO, "downloading: %s", ebuf[0] ? ebuf : curl_easy_strerror(r));
		return -1;
	}
	return 0;
}

/* ---- storing --------------------------------------------------------------------------------- */

static void event(const struct import_opts *o, enum pull_event ev, const char *detail)
{
	if (o->on_event != NULL)
		o->on_event(o->event_arg, ev, detail);
}

/* RFC 3339 in UTC with the nanoseconds Go prints (trailing zeros dropped). */
static void rfc3339(const struct timespec *ts, char out[64])
{
	struct tm tm;
	char frac[16];
	int i;

	gmtime_r(&ts->tv_sec, &tm);
	snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec);
	for (i = 9; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	if (i == 0)
		frac[0] = '\0';
	snprintf(out, 64, "%04d-%02d-%02dT%02d:%02d:%02d%sZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
}

/* The OCI manifest of the image: the tarball as given when the image spec has a media type
 * for it, else the tar itself. Owned. */
static char *make_manifest(const struct tarball *t, const char *config, size_t config_len,
			   const char **layer_digest, long long *layer_size)
{
	const char *mt = "application/vnd.oci.image.layer.v1.tar";
	char cdigest[72];
	json_t *m;
	char *out;

	*layer_digest = t->diff_id;
	*layer_size = t->tar_size;
	if (t->filter == ARCHIVE_FILTER_GZIP || t->filter == ARCHIVE_FILTER_ZSTD ||
	    t->filter == ARCHIVE_FILTER_NONE) {
		*layer_digest = t->blob_digest;
		*layer_size = t->blob_size;
		if (t->filter == ARCHIVE_FILTER_GZIP)
			mt = "application/vnd.oci.image.layer.v1.tar+gzip";
		else if (t->filter == ARCHIVE_FILTER_ZSTD)
			mt = "application/vnd.oci.image.layer.v1.tar+zstd";
	}
	img_digest_of(config, config_len, cdigest);
	m = json_pack("{s:i,s:{s:s,s:s,s:I},s:[{s:s,s:s,s:I}]}", "schemaVersion", 2, "config",
		      "mediaType", "application/vnd.oci.image.config.v1+json", "digest", cdigest,
		      "size", (json_int_t)config_len, "layers", "mediaType", mt, "digest",
		      *layer_digest, "size", (json_int_t)*layer_size);
	out = m ? json_dump_string(m, false) : NULL;
	json_decref(m);
	return out;
}

struct import_job {
	const struct import_opts *o;
	struct tarball t;
	struct timespec created;
	char *name;   /* normalised reference, or NULL */
	char *config; /* owned */
	size_t config_len;
	char *manifest; /* owned */
	char manifest_digest[72];
	char config_digest[72];
	const char *layer_digest; /* what the manifest names the layer by (in t) */
	long long layer_size;
};

static int commit(struct import_job *j, const char *tar_path, char image_id[72],
		  struct rcr_error **err)
{
	const struct import_opts *o = j->o;
	struct ingest_layer l = {.compression = LAYER_PLAIN, .diff_id = j->t.diff_id};
	_cleanup_free_ char *rd = NULL;
	char created[64];
	struct ingest_image img = {.manifest_digest = j->manifest_digest, .name = j->name};
	int rc = -1;

	rfc3339(&j->created, created);
	l.digest = j->layer_digest;
	l.blob_size = j->layer_size;
	img.manifest = j->manifest;
	img.manifest_len = strlen(j->manifest);
	img.config = j->config;
	img.config_len = j->config_len;
	img.created = created;
	if (j->name != NULL) {
		const char *colon = strrchr(j->name, ':');

		if (asprintf(&rd, "%.*s@%s", (int)(colon - j->name), j->name, j->manifest_digest) <
		    0)
			return -1;
		img.repo_digest = rd;
	}
	ingest_plan(o->store, &l, 1);
	if (!l.exists && ingest_unpack(o->store, o->maps, tar_path, &l, err) < 0)
		goto out;
	event(o, PULL_BLOB_DONE, l.digest);
	event(o, PULL_CONFIG_DONE, j->config_digest);
	if (ingest_commit(o->store, &l, 1, &img, image_id, err) < 0)
		goto out;
	rc = 0;
out:
	ingest_layers_release(&l, 1);
	return rc;
}

/* Build the config and manifest once the tarball is read. */
static int describe(struct import_job *j, struct rcr_error **err)
{
	char created[64];
	struct import_config c = {.os = j->o->os,
				  .arch = j->o->arch,
				  .variant = j->o->variant,
				  .created = created,
				  .diff_id = j->t.diff_id,
				  .comment = j->o->message,
				  .changes = j->o->changes};

	rfc3339(&j->created, created);
	j->config = img_import_config(&c, &j->config_len, err);
	if (j->config == NULL)
		return -1;
	img_digest_of(j->config, j->config_len, j->config_digest);
	j->manifest =
		make_manifest(&j->t, j->config, j->config_len, &j->layer_digest, &j->layer_size);
	if (j->manifest == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	img_digest_of(j->manifest, strlen(j->manifest), j->manifest_digest);
	return 0;
}

/* The input: stdin, a downloaded URL or a file; *created its time (Podman: the file's mtime,
 * now for stdin). */
static int open_source(const struct import_opts *o, const char *source, struct store_staging **dl,
		       struct timespec *created, struct rcr_error **err)
{
	struct stat st;
	int fd;

	clock_gettime(CLOCK_REALTIME, created);
	if (strcmp(source, "-") == 0) {
		fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3);
		if (fd < 0)
			rcr_error_set_errno(err, errno, "reading stdin");
		return fd;
	}
	if (img_import_is_url(source)) {
		if (store_tmp_new(o->store, "import-download", dl, err) < 0 ||
		    download(source, store_staging_path(*dl), err) < 0)
			return -1;
		source = store_staging_path(*dl);
	}
	fd = open(source, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rcr_error_set(err, errno, "%s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		rcr_error_set(err, EISDIR, "it is a directory, not a tarball");
		return -1;
	}
	if (*dl == NULL)
		*created = st.st_mtim;
	return fd;
}

/* Read in into a new file at path: the tar, decompressed. */
static int write_tar(int in, const char *path, struct tarball *t, struct rcr_error **err)
{
	int out = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	int rc;

	if (out < 0) {
		rcr_error_set_errno(err, errno, "creating %s", path);
		return -1;
	}
	rc = read_tarball(in, out, t, err);
	if (close(out) < 0 && rc == 0) {
		rcr_error_set_errno(err, errno, "writing %s", path);
		rc = -1;
	}
	return rc;
}

static int run_import(struct import_job *j, const char *source, char image_id[72],
		      struct rcr_error **err)
{
	struct store_staging *dl = NULL, *tar = NULL;
	_cleanup_close_ int in = -1;
	int rc = -1;

	in = open_source(j->o, source, &dl, &j->created, err);
	if (in >= 0 && store_tmp_new(j->o->store, "import", &tar, err) == 0 &&
	    write_tar(in, store_staging_path(tar), &j->t, err) == 0 && describe(j, err) == 0)
		rc = commit(j, store_staging_path(tar), image_id, err);
	if (rc == 0)
		event(j->o, PULL_MANIFEST_DONE, j->manifest_digest);
	store_tmp_release(tar);
	store_tmp_release(dl);
	return rc;
}

int img_import(const struct import_opts *o, const char *source, char image_id[72],
	       struct rcr_error **err)
{
	struct import_job j = {.o = o};
	int rc = -1;

	if (lazylib_archive(err) < 0 || (img_import_is_url(source) && lazylib_curl(err) < 0))
		return -1;

	/* The name and the --change instructions are checked before any work. */
	if (o->reference != NULL) {
		j.name = img_local_name(o->reference, err);
		if (j.name == NULL)
			return -1;
	}
	{
		_cleanup_json_ json_t *scratch = json_object();

		for (size_t i = 0; o->changes != NULL && o->changes[i] != NULL; i++)
			if (scratch == NULL || img_change_apply(scratch, o->changes[i], err) < 0)
				goto out;
	}
	rc = run_import(&j, source, image_id, err);
	if (rc < 0)
		rcr_error_wrap(err, "importing '%s'", source);
out:
	free(j.name);
	free(j.config);
	free(j.manifest);
	return rc;
}
