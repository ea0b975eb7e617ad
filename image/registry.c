/* The registry client (see registry.h): requests with auth, retries and TLS set up here; the
 * token protocol and certs.d loading in helpers below.
 *
 * Must never send credentials over a connection they were not meant for (libcurl does not pass
 * a custom Authorization header to a redirected host), print them, or hand a sink bytes of an
 * error response.
 */
#include "image/registry.h"

#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "image/lazylib.h"
#include "image/challenge.h"
#include "image/digest.h"
#include "pkg/base64.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "pkg/log.h"

#define MANIFEST_MAX   (4 << 20)
#define ERROR_BODY_MAX 8192
#define MAX_TOKENS     16
#define ATTEMPTS       3

const char *const reg_manifest_accept = "application/vnd.oci.image.manifest.v1+json, "
					"application/vnd.oci.image.index.v1+json, "
					"application/vnd.docker.distribution.manifest.v2+json, "
					"application/vnd.docker.distribution.manifest.list.v2+json";

struct token {
	char *scope;
	char *value;
};

struct reg_client {
	CURL *curl;
	char *host;	/* as the user names it: "docker.io", "127.0.0.1:5000" */
	char *api_host; /* where the API is: "registry-1.docker.io" for docker.io */
	bool insecure;
	const char *scheme; /* "https" or "http", decided by reg_ping */
	struct auth_creds creds;
	bool use_basic; /* the registry answered with a Basic challenge */
	struct token tokens[MAX_TOKENS];
	size_t n_tokens;
	char *ca_blob;
	size_t ca_len;
	char *client_cert;
	char *client_key;
};

/* What one HTTP exchange produced. */
struct response {
	long status;
	char *content_type;
	char *www_auth;
	char *body; /* manifest/JSON bodies and error bodies */
	size_t len;
	size_t cap;
	const struct reg_sink *sink; /* blob bytes of a 2xx go here instead of body */
	struct digester *dg;
	struct rcr_error *sink_err;
	size_t streamed;
};

static void response_reset(struct response *r)
{
	free(r->content_type);
	free(r->www_auth);
	free(r->body);
	r->content_type = r->www_auth = r->body = NULL;
	r->len = 0;
	r->status = 0;
}

static void response_release(struct response *r)
{
	response_reset(r);
	digester_free(r->dg);
	r->dg = NULL;
	rcr_error_free(r->sink_err);
	r->sink_err = NULL;
}

/* ---- libcurl callbacks -------------------------------------------------------------------- */

static char *header_value(const char *line, size_t n, const char *name)
{
	size_t k = strlen(name);
	const char *v;
	const char *end = line + n;

	if (n <= k || strncasecmp(line, name, k) != 0 || line[k] != ':')
		return NULL;
	v = line + k + 1;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	return strndup(v, (size_t)(end - v));
}

static size_t on_header(char *buf, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	size_t len = size * n;
	char *v;

	/* A status line starts a new response (after a redirect or a 100 Continue). */
	if (len > 5 && strncmp(buf, "HTTP/", 5) == 0) {
		const char *sp = memchr(buf, ' ', len);

		free(r->content_type);
		free(r->www_auth);
		r->content_type = r->www_auth = NULL;
		r->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		return len;
	}
	if ((v = header_value(buf, len, "Content-Type")) != NULL) {
		free(r->content_type);
		r->content_type = v;
	} else if ((v = header_value(buf, len, "WWW-Authenticate")) != NULL) {
		free(r->www_auth);
		r->www_auth = v;
	}
	return len;
}

static int append_body(struct response *r, const char *data, size_t len)
{
	char *nb;

	if (r->len + len > r->cap)
		return -1;
	nb = realloc(r->body, r->len + len + 1);
	if (nb == NULL)
		return -1;
	r->body = nb;
	memcpy(r->body + r->len, data, len);
	r->len += len;
	r->body[r->len] = '\0';
	return 0;
}

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct response *r = arg;
	size_t len = size * n;

	if (r->sink != NULL && r->status >= 200 && r->status < 300) {
		digester_update(r->dg, data, len);
		if (r->sink->write(r->sink->arg, data, len, &r->sink_err) < 0)
			return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
		r->streamed += len;
		return len;
	}
	if (r->status >= 200 && r->status < 300 && r->sink == NULL)
		return append_body(r, data, len) < 0 ? 0 : len;
	/* An error body: keep the start for the message, drop the rest. */
	if (r->len < ERROR_BODY_MAX) {
		size_t take = len < ERROR_BODY_MAX - r->len ? len : ERROR_BODY_MAX - r->len;
		size_t saved = r->cap;

		r->cap = ERROR_BODY_MAX;
		append_body(r, data, take);
		r->cap = saved;
	}
	return len;
}

/* ---- construction and TLS ----------------------------------------------------------------- */

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* Append a file to the CA blob; missing files are skipped. */
static void blob_append_file(struct reg_client *c, const char *path)
{
	size_t len = 0;
	_cleanup_free_ char *text = fs_read_file(path, 1 << 22, &len, NULL);
	char *nb;

	if (text == NULL)
		return;
	nb = realloc(c->ca_blob, c->ca_len + len + 2);
	if (nb == NULL)
		return;
	c->ca_blob = nb;
	memcpy(c->ca_blob + c->ca_len, text, len);
	c->ca_len += len;
	c->ca_blob[c->ca_len++] = '\n';
	c->ca_blob[c->ca_len] = '\0';
}

/* certs.d/HOST as containers-certs.d(5): *.crt are CAs (added to the system's), a *.cert with
 * the *.key of the same name is a client certificate. */
static void load_cert_dir(struct reg_client *c, const char *dir)
{
	_cleanup_closedir_ DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	blob_append_file(c, "/etc/ssl/certs/ca-certificates.crt");
	while ((e = readdir(d)) != NULL) {
		_cleanup_free_ char *p = fs_path_join(dir, e->d_name);

		if (p == NULL)
			continue;
		if (ends_with(e->d_name, ".crt")) {
			blob_append_file(c, p);
		} else if (ends_with(e->d_name, ".cert") && c->client_cert == NULL) {
			size_t n = strlen(p);

			c->client_cert = strdup(p);
			if (asprintf(&c->client_key, "%.*s.key", (int)(n - 5), p) < 0)
				c->client_key = NULL;
		}
	}
}

struct reg_client *reg_client_new(const struct reg_client_opts *o, struct rcr_error **err)
{
	struct reg_client *c;

	if (lazylib_curl(err) < 0)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->curl = curl_easy_init()) == NULL) {
		free(c);
		rcr_error_set(err, ENOMEM, "initialising libcurl");
		return NULL;
	}
	c->host = strdup(o->host);
	/* Docker Hub's API lives on another host than its name. */
	c->api_host = strdup(strcmp(o->host, "docker.io") == 0 ? "registry-1.docker.io" : o->host);
	c->insecure = o->insecure;
	c->scheme = "https";
	if (o->creds != NULL && o->creds->username != NULL) {
		c->creds.username = strdup(o->creds->username);
		c->creds.password = strdup(o->creds->password ? o->creds->password : "");
	}
	if (o->cert_dir != NULL)
		load_cert_dir(c, o->cert_dir);
	return c;
}

void reg_client_free(struct reg_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	for (size_t i = 0; i < c->n_tokens; i++) {
		free(c->tokens[i].scope);
		if (c->tokens[i].value)
			explicit_bzero(c->tokens[i].value, strlen(c->tokens[i].value));
		free(c->tokens[i].value);
	}
	auth_creds_release(&c->creds);
	free(c->host);
	free(c->api_host);
	free(c->ca_blob);
	free(c->client_cert);
	free(c->client_key);
	free(c);
}

static const char *token_for(struct reg_client *c, const char *scope)
{
	for (size_t i = 0; scope && i < c->n_tokens; i++)
		if (strcmp(c->tokens[i].scope, scope) == 0)
			return c->tokens[i].value;
	return NULL;
}

static void token_put(struct reg_client *c, const char *scope, const char *value)
{
	struct token *t;

	for (size_t i = 0; i < c->n_tokens; i++) {
		if (strcmp(c->tokens[i].scope, scope) == 0) {
			free(c->tokens[i].value);
			c->tokens[i].value = strdup(value);
			return;
		}
	}
	if (c->n_tokens == MAX_TOKENS)
		return;
	t = &c->tokens[c->n_tokens++];
	t->scope = strdup(scope);
	t->value = strdup(value);
}

/* ---- one HTTP exchange -------------------------------------------------------------------- */

/* Configure the handle for url with headers; the caller performs. */
static void setup_handle(struct reg_client *c, const char *url, struct curl_slist *hdrs,
			 struct response *r)
{
	CURL *h = c->curl;

	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "rcr/" RCR_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 30L);
	/* A transfer that stalls below 1 byte/s for a minute is dead: fail and let the retry loop
	 * start again, rather than hang forever. */
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	if (c->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	} else if (c->ca_blob != NULL) {
		struct curl_blob blob = {
			.data = c->ca_blob, .len = c->ca_len, .flags = CURL_BLOB_COPY};

		curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
	}
	if (c->client_cert != NULL && c->client_key != NULL) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, c->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLKEY, c->client_key);
	}
}

/* The registry's own words from an error body ({"errors":[{"message": ...}]}), or NULL. */
static char *registry_message(const struct response *r)
{
	_cleanup_json_ json_t *j = NULL;
	json_t *first;
	const char *msg;

	if (r->body == NULL || r->len == 0)
		return NULL;
	j = json_loadb(r->body, r->len, 0, NULL);
	first = json_array_get(json_object_get(j, "errors"), 0);
	msg = json_string_value(json_object_get(first, "message"));
	if (msg == NULL)
		msg = json_string_value(json_object_get(first, "code"));
	return msg ? strdup(msg) : NULL;
}

/* Perform url once; transport failures become errors, HTTP statuses are left to the caller. */
static int perform(struct reg_client *c, const char *url, const char *accept, const char *authz,
		   struct response *r, struct rcr_error **err)
{
	struct curl_slist *hdrs = NULL;
	char line[8192];
	CURLcode rc;

	response_reset(r);
	if (accept != NULL) {
		snprintf(line, sizeof(line), "Accept: %s", accept);
		hdrs = curl_slist_append(hdrs, line);
	}
	if (authz != NULL) {
		snprintf(line, sizeof(line), "Authorization: %s", authz);
		hdrs = curl_slist_append(hdrs, line);
		explicit_bzero(line, sizeof(line));
	}
	setup_handle(c, url, hdrs, r);
	rc = curl_easy_perform(c->curl);
	curl_slist_free_all(hdrs);
	if (rc == CURLE_OK)
		return 0;
	if (rc == CURLE_WRITE_ERROR && r->sink_err != NULL) {
		*err = steal_ptr(&r->sink_err);
		return -2; /* the sink failed: never retried */
	}
	rcr_error_set(err, EIO, "%s: %s", c->host, curl_easy_strerror(rc));
	return -1;
}

/* ---- authentication ------------------------------------------------------------------------ */

static char *basic_header(const struct auth_creds *cr)
{
	_cleanup_free_ char *plain = NULL;
	_cleanup_free_ char *b64 = NULL;
	char *out = NULL;

	if (asprintf(&plain, "%s:%s", cr->username, cr->password) < 0)
		return NULL;
	b64 = base64_encode(plain, strlen(plain));
	explicit_bzero(plain, strlen(plain));
	if (b64 == NULL || asprintf(&out, "Basic %s", b64) < 0)
		out = NULL;
	explicit_bzero(b64 ? b64 : plain, b64 ? strlen(b64) : 0);
	return out;
}

static char *url_escape(CURL *h, const char *s)
{
	char *e = curl_easy_escape(h, s, 0);
	char *out = e ? strdup(e) : NULL;

	curl_free(e);
	return out;
}

/* The token protocol of the Docker registry (as Docker Hub, ghcr and quay use it): GET
 * realm?service=S&scope=SCOPE, with Basic credentials when we have them. */
static int fetch_token(struct reg_client *c, const struct auth_challenge *ch, const char *scope,
		       struct rcr_error **err)
{
	_cleanup_free_ char *svc = ch->service ? url_escape(c->curl, ch->service) : NULL;
	_cleanup_free_ char *sc = scope ? url_escape(c->curl, scope) : NULL;
	_cleanup_free_ char *url = NULL;
	_cleanup_free_ char *authz = c->creds.username ? basic_header(&c->creds) : NULL;
	_cleanup_json_ json_t *j = NULL;
	struct response r = {.cap = 1 << 20};
	const char *tok;
	int rc;

	if (asprintf(&url, "%s%sservice=%s%s%s", ch->realm, strchr(ch->realm, '?') ? "&" : "?",
		     svc ? svc : "", sc ? "&scope=" : "", sc ? sc : "") < 0)
		return -1;
	rc = perform(c, url, "application/json", authz, &r, err);
	if (authz != NULL)
		explicit_bzero(authz, strlen(authz));
	if (rc < 0) {
		rcr_error_wrap(err, "getting a token from '%s'", ch->realm);
		response_release(&r);
		return -1;
	}
	if (r.status == 401 || r.status == 403) {
		rcr_error_set(err, EACCES,
			      "the token server '%s' refused %s (HTTP %ld): run 'rcr login %s' or "
			      "pass --creds",
			      ch->realm, c->creds.username ? "the credentials" : "anonymous access",
			      r.status, c->host);
		response_release(&r);
		return -1;
	}
	j = r.status == 200 ? json_loadb(r.body ? r.body : "", r.len, 0, NULL) : NULL;
	tok = json_string_value(json_object_get(j, "token"));
	if (tok == NULL)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (tok == NULL) {
		rcr_error_set(err, EPROTO,
			      "the token server '%s' answered HTTP %ld without a token", ch->realm,
			      r.status);
		response_release(&r);
		return -1;
	}
	token_put(c, scope ? scope : "", tok);
	response_release(&r);
	return 0;
}

/* React to a 401: get a token, or switch to Basic. Returns 0 to retry, -1 with err. */
static int answer_challenge(struct reg_client *c, const struct response *r, const char *scope,
			    struct rcr_error **err)
{
	struct auth_challenge ch;
	int rc;

	if (r->www_auth == NULL) {
		rcr_error_set(err, EACCES, "%s: HTTP 401 without a WWW-Authenticate challenge",
			      c->host);
		return -1;
	}
	if (auth_challenge_parse(r->www_auth, &ch, err) < 0)
		return -1;
	if (strcmp(ch.scheme, "basic") == 0) {
		auth_challenge_release(&ch);
		if (c->creds.username == NULL || c->use_basic) {
			rcr_error_set(err, EACCES,
				      "%s: authentication required%s: run 'rcr login %s' or pass "
				      "--creds USER:PASSWORD",
				      c->host,
				      c->use_basic ? " (the credentials were refused)" : "",
				      c->host);
			return -1;
		}
		c->use_basic = true;
		return 0;
	}
	if (strcmp(ch.scheme, "bearer") != 0) {
		rcr_error_set(err, ENOTSUP, "%s: unsupported authentication scheme '%s'", c->host,
			      ch.scheme);
		auth_challenge_release(&ch);
		return -1;
	}
	rc = fetch_token(c, &ch, scope ? scope : ch.scope, err);
	auth_challenge_release(&ch);
	return rc;
}

static char *authorization(struct reg_client *c, const char *scope)
{
	const char *tok = token_for(c, scope ? scope : "");
	char *out = NULL;

	if (tok != NULL)
		return asprintf(&out, "Bearer %s", tok) < 0 ? NULL : out;
	if (c->use_basic && c->creds.username != NULL)
		return basic_header(&c->creds);
	return NULL;
}

/* ---- requests with auth and retries ------------------------------------------------------- */

static void backoff(int attempt)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 200000000L << attempt};

	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec = ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
	}
	nanosleep(&ts, NULL);
}

/* GET path (after /v2/), answering one auth challenge and retrying transport errors and 5xx
 * with backoff. Leaves the final response in r; non-2xx statuses are for the caller to judge. */
static int request(struct reg_client *c, const char *path, const char *accept, const char *scope,
		   struct response *r, struct rcr_error **err)
{
	_cleanup_free_ char *url = NULL;
	bool challenged = false;

	if (asprintf(&url, "%s://%s/v2/%s", c->scheme, c->api_host, path) < 0)
		return -1;
	for (int attempt = 0; attempt < ATTEMPTS;) {
		_cleanup_free_ char *authz = authorization(c, scope);
		int rc;

		if (r->streamed > 0 && r->sink->reset(r->sink->arg, err) < 0)
			return -1;
		r->streamed = 0;
		if (r->dg != NULL) {
			digester_free(r->dg);
			r->dg = digester_new();
		}
		rc = perform(c, url, accept, authz, r, err);
		if (rc == -2)
			return -1;
		if (rc == 0 && r->status == 401 && !challenged) {
			challenged = true;
			if (answer_challenge(c, r, scope, err) < 0)
				return -1;
			continue;
		}
		if (rc == 0 && r->status < 500)
			return 0;
		if (++attempt == ATTEMPTS)
			return rc == 0 ? 0 : -1;
		rcr_debug("%s: attempt %d failed (%s), retrying", c->host, attempt,
			  rc == 0 ? "server error" : (*err)->msg);
		rcr_error_clear(err);
		backoff(attempt);
	}
	return 0;
}

/* Turn a non-2xx final status into the error a person can act on. */
static int status_error(struct reg_client *c, const struct response *r, const char *what,
			struct rcr_error **err)
{
	_cleanup_free_ char *msg = registry_message(r);

	if (r->status == 401 || r->status == 403)
		rcr_error_set(err, EACCES,
			      "%s: HTTP %ld: %s: run 'rcr login %s' or pass --creds USER:PASSWORD",
			      what, r->status, msg ? msg : "access denied", c->host);
	else if (r->status == 404)
		rcr_error_set(err, ENOENT, "%s: HTTP 404: %s", what, msg ? msg : "not found");
	else
		rcr_error_set(err, EIO, "%s: HTTP %ld%s%s", what, r->status, msg ? ": " : "",
			      msg ? msg : "");
	return -1;
}

/* ---- the API -------------------------------------------------------------------------------- */

static int ping_once(struct reg_client *c, struct response *r, struct rcr_error **err)
{
	_cleanup_free_ char *url = NULL;

	if (asprintf(&url, "%s://%s/v2/", c->scheme, c->api_host) < 0)
		return -1;
	return perform(c, url, NULL, NULL, r, err);
}

int reg_ping(struct reg_client *c, struct rcr_error **err)
{
	struct response r = {.cap = 1 << 16};
	int rc;

	rc = ping_once(c, &r, err);
	/* An insecure registry may speak plain http: Podman tries https first, then http. */
	if (rc < 0 && c->insecure) {
		rcr_error_clear(err);
		c->scheme = "http";
		rc = ping_once(c, &r, err);
	}
	if (rc < 0) {
		if (!c->insecure)
			rcr_error_wrap(err,
				       "pinging registry (if it is plain http, add it to "
				       "registries.conf as insecure or use --tls-verify=false)");
		response_release(&r);
		return -1;
	}
	if (r.status == 401 && r.www_auth != NULL && strncasecmp(r.www_auth, "basic", 5) == 0 &&
	    c->creds.username != NULL)
		c->use_basic = true;
	rc = (r.status == 200 || r.status == 401) ? 0
						  : status_error(c, &r, "pinging registry", err);
	response_release(&r);
	return rc;
}

int reg_check_credentials(struct reg_client *c, struct rcr_error **err)
{
	struct response r = {.cap = 1 << 16};
	int rc;

	if (reg_ping(c, err) < 0)
		return -1;
	/* request() answers the challenge (Basic, or a token without scope) and retries once. */
	rc = request(c, "", NULL, NULL, &r, err);
	if (rc < 0 && *err != NULL && (*err)->code == EACCES) {
		rcr_error_clear(err);
		rcr_error_set(err, EACCES, "logging in to '%s': invalid username or password",
			      c->host);
	} else if (rc == 0 && r.status != 200) {
		if (r.status == 401 || r.status == 403)
			rcr_error_set(err, EACCES,
				      "logging in to '%s': invalid username or password", c->host);
		else
			status_error(c, &r, "logging in", err);
		rc = -1;
	}
	response_release(&r);
	return rc;
}

static char *repo_scope(const char *repo)
{
	char *s = NULL;

	return asprintf(&s, "repository:%s:pull", repo) < 0 ? NULL : s;
}

int reg_get_manifest(struct reg_client *c, const char *repo, const char *ref, char **body,
		     size_t *len, char **media_type, char digest[72], struct rcr_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *scope = repo_scope(repo);
	struct response r = {.cap = MANIFEST_MAX};

	*body = *media_type = NULL;
	if (asprintf(&path, "%s/manifests/%s", repo, ref) < 0 || scope == NULL)
		return -1;
	if (request(c, path, reg_manifest_accept, scope, &r, err) < 0 ||
	    (r.status != 200 && status_error(c, &r, "fetching manifest", err) < 0)) {
		response_release(&r);
		return -1;
	}
	img_digest_of(r.body ? r.body : "", r.len, digest);
	if (strncmp(ref, "sha256:", 7) == 0 && strcmp(ref, digest) != 0) {
		rcr_error_set(err, EBADMSG, "manifest %s: the registry sent content with digest %s",
			      ref, digest);
		response_release(&r);
		return -1;
	}
	*body = r.body ? steal_ptr(&r.body) : strdup("");
	*len = r.len;
	*media_type = steal_ptr(&r.content_type);
	response_release(&r);
	return 0;
}

int reg_get_blob(struct reg_client *c, const char *repo, const char *digest,
		 const struct reg_sink *sink, struct rcr_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *scope = repo_scope(repo);
	struct response r = {.cap = ERROR_BODY_MAX, .sink = sink};
	char got[72];

	if (img_digest_check(digest, err) < 0)
		return -1;
	if (asprintf(&path, "%s/blobs/%s", repo, digest) < 0 || scope == NULL)
		return -1;
	r.dg = digester_new();
	if (r.dg == NULL || request(c, path, NULL, scope, &r, err) < 0 ||
	    (r.status != 200 && status_error(c, &r, "fetching blob", err) < 0)) {
		response_release(&r);
		return -1;
	}
	digester_finish(r.dg, got);
	r.dg = NULL;
	response_release(&r);
	if (strcmp(got, digest) != 0) {
		rcr_error_set(err, EBADMSG,
			      "blob %s: digest mismatch: the registry sent content with digest %s",
			      digest, got);
		return -1;
	}
	return 0;
}

json_t *reg_list_tags(struct reg_client *c, const char *repo, struct rcr_error **err)
{
	_cleanup_free_ char *path = NULL;
	_cleanup_free_ char *scope = repo_scope(repo);
	_cleanup_json_ json_t *doc = NULL;
	struct response r = {.cap = 16 << 20};
	json_t *tags;

	if (asprintf(&path, "%s/tags/list", repo) < 0 || scope == NULL)
		return NULL;
	if (request(c, path, "application/json", scope, &r, err) < 0 ||
	    (r.status != 200 && status_error(c, &r, "listing tags", err) < 0)) {
		response_release(&r);
		return NULL;
	}
	doc = json_load_capped(r.body ? r.body : "", r.len, 16 << 20, "tag list", err);
	response_release(&r);
	tags = doc ? json_object_get(doc, "tags") : NULL;
	if (doc != NULL && !json_is_array(tags)) {
		rcr_error_set(err, EPROTO, "%s: the tag list of '%s' has no \"tags\" array",
			      c->host, repo);
		return NULL;
	}
	return tags ? json_incref(tags) : NULL;
}
