/* Pulling (see pull.h).
 *
 * Crash safety comes from the store's protocol: blobs download into the store's tmp/, layers
 * unpack into store staging, and only verified content is committed (layers bottom first, then
 * the image). A failed or killed pull leaves debris that the store's recovery removes, never a
 * half-made layer or image. Must never commit a layer whose digest or diff_id did not verify.
 */
#include "image/pull.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image/config.h"
#include "image/digest.h"
#include "image/manifest.h"
#include "image/reference.h"
#include "image/registry.h"
#include "image/ingest.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/paths.h"

#define MAX_PARALLEL 3

/* Everything one attempt (one reference at one endpoint) needs. */
struct attempt {
	const struct pull_opts *o;
	const struct img_ref *ref;     /* the name the image is stored under */
	const struct reg_endpoint *ep; /* where it is fetched from */
	struct reg_client_opts client_opts;
	struct auth_creds creds;
	char *cert_dir; /* owned */
};

static void event(const struct pull_opts *o, enum pull_event ev, const char *detail)
{
	if (o->on_event != NULL)
		o->on_event(o->event_arg, ev, detail);
}

/* ---- blob sinks ------------------------------------------------------------------------------ */

struct file_sink {
	int fd;
	const struct pull_opts *o;
	const char *digest;
	long long done, total;
};

static int file_write(void *arg, const void *data, size_t len, struct rcr_error **err)
{
	struct file_sink *s = arg;
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(s->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rcr_error_set_errno(err, errno, "writing a downloaded blob");
			return -1;
		}
		p += n;
		len -= (size_t)n;
		s->done += n;
	}
	if (s->o != NULL && s->o->on_progress != NULL)
		s->o->on_progress(s->o->event_arg, s->digest, s->done, s->total);
	return 0;
}

static int file_reset(void *arg, struct rcr_error **err)
{
	struct file_sink *s = arg;

	s->done = 0;
	if (ftruncate(s->fd, 0) < 0 || lseek(s->fd, 0, SEEK_SET) < 0) {
		rcr_error_set_errno(err, errno, "restarting a blob download");
		return -1;
	}
	return 0;
}

struct mem_sink {
	char *data;
	size_t len;
	size_t cap;
};

static int mem_write(void *arg, const void *data, size_t len, struct rcr_error **err)
{
	struct mem_sink *s = arg;
	char *nd;

	if (s->len + len > s->cap) {
		rcr_error_set(err, EFBIG, "image config larger than %zu bytes", s->cap);
		return -1;
	}
	nd = realloc(s->data, s->len + len + 1);
	if (nd == NULL)
		return -1;
	s->data = nd;
	memcpy(s->data + s->len, data, len);
	s->len += len;
	s->data[s->len] = '\0';
	return 0;
}

static int mem_reset(void *arg, struct rcr_error **err)
{
	struct mem_sink *s = arg;

	(void)err;
	s->len = 0;
	return 0;
}

/* ---- layers ------------------------------------------------------------------------------------
 */

struct layer_job {
	struct attempt *at;
	struct ingest_layer *il;
	struct rcr_error *err;
};

/* Download one layer into a locked tmp/ entry of the store, verified while it streams, then
 * unpack it into staging in the user's namespace and check its diff_id. Runs in a worker
 * thread with its own client. */
static int fetch_layer(struct layer_job *j, struct rcr_error **err)
{
	const struct attempt *at = j->at;
	struct store_staging *tmp = NULL;
	struct reg_client *c = NULL;
	struct file_sink fsink = {
		.fd = -1, .o = at->o, .digest = j->il->digest, .total = j->il->blob_size};
	struct reg_sink sink = {file_write, file_reset, &fsink};
	int rc = -1;

	if (store_tmp_new(at->o->store, "blob", &tmp, err) < 0)
		return -1;
	fsink.fd = open(store_staging_path(tmp), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fsink.fd < 0) {
		rcr_error_set_errno(err, errno, "creating %s", store_staging_path(tmp));
		goto out;
	}
	c = reg_client_new(&at->client_opts, err);
	if (c == NULL || reg_ping(c, err) < 0 ||
	    reg_get_blob(c, at->ep->path, j->il->digest, &sink, err) < 0)
		goto out;
	close(fsink.fd);
	fsink.fd = -1;
	if (ingest_unpack(at->o->store, at->o->maps, store_staging_path(tmp), j->il, err) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		rcr_error_wrap(err, "layer %s", j->il->digest);
	reg_client_free(c);
	if (fsink.fd >= 0)
		close(fsink.fd);
	store_tmp_release(tmp);
	return rc;
}

struct pool {
	struct layer_job *jobs;
	size_t n;
	size_t next;
	bool failed;
	pthread_mutex_t lock;
};

static struct layer_job *next_job(struct pool *p)
{
	struct layer_job *j = NULL;

	pthread_mutex_lock(&p->lock);
	while (p->next < p->n && p->jobs[p->next].il->exists)
		p->next++;
	if (p->next < p->n && !p->failed)
		j = &p->jobs[p->next++];
	pthread_mutex_unlock(&p->lock);
	return j;
}

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct layer_job *j;

	while ((j = next_job(p)) != NULL) {
		if (fetch_layer(j, &j->err) < 0) {
			pthread_mutex_lock(&p->lock);
			p->failed = true;
			pthread_mutex_unlock(&p->lock);
		} else {
			event(j->at->o, PULL_BLOB_DONE, j->il->digest);
		}
	}
	return NULL;
}

/* Fetch every missing layer, MAX_PARALLEL at a time; the first error is returned. */
static int fetch_layers(struct layer_job *jobs, size_t n, struct rcr_error **err)
{
	struct pool p = {.jobs = jobs, .n = n, .lock = PTHREAD_MUTEX_INITIALIZER};
	pthread_t t[MAX_PARALLEL];
	size_t started = 0;

	for (size_t i = 0; i < MAX_PARALLEL && i < n; i++)
		if (pthread_create(&t[started], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		worker(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].err != NULL && *err == NULL)
			*err = steal_ptr(&jobs[i].err);
		rcr_error_free(jobs[i].err);
	}
	return *err != NULL ? -1 : 0;
}

/* ---- manifest and config ------------------------------------------------------------------------
 */

struct fetched {
	char *manifest; /* the image manifest (after choosing from an index) */
	size_t manifest_len;
	char *media_type;
	char digest[72]; /* of the image manifest */
	struct mem_sink config;
};

static void fetched_release(struct fetched *f)
{
	free(f->manifest);
	free(f->media_type);
	free(f->config.data);
}

/* The image manifest for ref: directly, or chosen from an index for the wanted platform. */
static int fetch_manifest(struct attempt *at, struct reg_client *c, struct fetched *f,
			  struct rcr_error **err)
{
	const struct img_ref *r = at->ref;
	_cleanup_free_ char *ct = NULL;
	int kind;

	if (reg_get_manifest(c, at->ep->path, r->digest ? r->digest : r->tag, &f->manifest,
			     &f->manifest_len, &ct, f->digest, err) < 0)
		return -1;
	kind = manifest_kind(f->manifest, f->manifest_len, ct, &f->media_type, err);
	if (kind == 1) {
		struct manifest_index ix;
		struct platform want = {.os = (char *)at->o->os,
					.arch = (char *)at->o->arch,
					.variant = (char *)at->o->variant};
		const struct index_entry *e;
		_cleanup_free_ char *digest = NULL;

		if (manifest_index_parse(f->manifest, f->manifest_len, &ix, err) < 0)
			return -1;
		e = manifest_index_select(&ix, &want, err);
		digest = e ? strdup(e->digest) : NULL;
		manifest_index_release(&ix);
		if (digest == NULL)
			return -1;
		free(f->manifest);
		free(f->media_type);
		f->manifest = NULL;
		f->media_type = NULL;
		free(steal_ptr(&ct));
		if (reg_get_manifest(c, at->ep->path, digest, &f->manifest, &f->manifest_len, &ct,
				     f->digest, err) < 0)
			return -1;
		kind = manifest_kind(f->manifest, f->manifest_len, ct, &f->media_type, err);
		if (kind == 1) {
			rcr_error_set(err, ENOTSUP, "the index entry %s is itself an index",
				      digest);
			return -1;
		}
	}
	return kind < 0 ? -1 : 0;
}

static int fetch_config(struct attempt *at, struct reg_client *c, const struct manifest *m,
			struct fetched *f, struct image_config *cfg, struct rcr_error **err)
{
	struct reg_sink sink = {mem_write, mem_reset, &f->config};

	f->config.cap = 8 << 20;
	if (reg_get_blob(c, at->ep->path, m->config_digest, &sink, err) < 0) {
		rcr_error_wrap(err, "fetching the image config");
		return -1;
	}
	if (image_config_parse(f->config.data ? f->config.data : "", f->config.len, cfg, err) < 0)
		return -1;
	if (cfg->n_diff_ids != m->n_layers) {
		rcr_error_set(err, EINVAL,
			      "the manifest lists %zu layers but the image config %zu diff_ids",
			      m->n_layers, cfg->n_diff_ids);
		image_config_release(cfg);
		return -1;
	}
	return 0;
}

/* Stored under "domain/path:tag" (when pulled by tag) and "domain/path@digest". */
static int store_image(struct attempt *at, const struct fetched *f, const struct image_config *cfg,
		       struct ingest_layer *layers, size_t n, char image_id[72],
		       struct rcr_error **err)
{
	_cleanup_free_ char *repo = img_ref_repository(at->ref);
	_cleanup_free_ char *name = NULL;
	_cleanup_free_ char *rdigest = NULL;
	struct ingest_image img = {
		.manifest_digest = f->digest,
		.manifest = f->manifest,
		.manifest_len = f->manifest_len,
		.config = f->config.data,
		.config_len = f->config.len,
		.created = cfg->created,
	};

	if (repo == NULL || asprintf(&rdigest, "%s@%s", repo, f->digest) < 0 ||
	    (at->ref->tag != NULL && asprintf(&name, "%s:%s", repo, at->ref->tag) < 0)) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	img.name = name;
	img.repo_digest = rdigest;
	return ingest_commit(at->o->store, layers, n, &img, image_id, err);
}

/* ---- one attempt, and the candidates -----------------------------------------------------------
 */

static int pull_layers(struct attempt *at, const struct manifest *m, const struct image_config *cfg,
		       struct ingest_layer *layers, struct rcr_error **err)
{
	_cleanup_free_ struct layer_job *jobs = calloc(m->n_layers + 1, sizeof(*jobs));

	if (jobs == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < m->n_layers; i++) {
		layers[i].digest = m->layers[i].digest;
		layers[i].blob_size = m->layers[i].size;
		layers[i].compression = m->layers[i].compression;
		layers[i].diff_id = cfg->diff_ids[i];
		jobs[i].at = at;
		jobs[i].il = &layers[i];
	}
	ingest_plan(at->o->store, layers, m->n_layers);
	for (size_t i = 0; i < m->n_layers; i++)
		if (layers[i].exists)
			event(at->o, PULL_BLOB_EXISTS, layers[i].digest);
	return fetch_layers(jobs, m->n_layers, err);
}

static int try_endpoint(struct attempt *at, char image_id[72], struct rcr_error **err)
{
	struct reg_client *c = reg_client_new(&at->client_opts, err);
	struct fetched f = {0};
	struct manifest m = {0};
	struct image_config cfg = {0};
	struct ingest_layer *layers = NULL;
	int rc = -1;

	if (c == NULL || reg_ping(c, err) < 0 || fetch_manifest(at, c, &f, err) < 0 ||
	    manifest_parse(f.manifest, f.manifest_len, f.media_type, &m, err) < 0 ||
	    fetch_config(at, c, &m, &f, &cfg, err) < 0)
		goto out;
	layers = calloc(m.n_layers + 1, sizeof(*layers));
	if (layers == NULL || pull_layers(at, &m, &cfg, layers, err) < 0)
		goto out;
	event(at->o, PULL_CONFIG_DONE, m.config_digest);
	if (store_image(at, &f, &cfg, layers, m.n_layers, image_id, err) < 0)
		goto out;
	event(at->o, PULL_MANIFEST_DONE, f.digest);
	rc = 0;
out:
	ingest_layers_release(layers, m.n_layers);
	free(layers);
	image_config_release(&cfg);
	manifest_release(&m);
	fetched_release(&f);
	reg_client_free(c);
	return rc;
}

/* Everything to contact endpoint ep for r: TLS choice, the certs.d dir (--cert-dir, else the
 * user's then the system's), credentials. Released with release_attempt. */
static void setup_attempt(struct attempt *at, const struct pull_opts *o, const struct img_ref *r,
			  const struct reg_endpoint *ep)
{
	_cleanup_free_ char *key = NULL;
	_cleanup_free_ char *cfg = o->cert_dir ? NULL : paths_config_home(NULL);

	memset(at, 0, sizeof(*at));
	at->o = o;
	at->ref = r;
	at->ep = ep;
	at->cert_dir = o->cert_dir ? strdup(o->cert_dir) : reg_cert_dir(cfg, ep->host);
	at->client_opts.host = ep->host;
	at->client_opts.insecure = o->tls_verify == 0 || (o->tls_verify < 0 && ep->insecure);
	at->client_opts.cert_dir = at->cert_dir;
	if (o->creds != NULL) {
		at->client_opts.creds = o->creds;
		return;
	}
	/* Credentials are looked up for where the image really comes from (a mirror has its own).
	 */
	if (asprintf(&key, "%s/%s", ep->host, ep->path) >= 0 &&
	    auth_lookup(o->auth_files, key, &at->creds, NULL) == 1)
		at->client_opts.creds = &at->creds;
}

static void release_attempt(struct attempt *at)
{
	auth_creds_release(&at->creds);
	free(at->cert_dir);
	at->cert_dir = NULL;
}

/* What to do at one endpoint, its attempt set up; 0 when done. */
typedef int (*endpoint_fn)(struct attempt *at, void *arg, struct rcr_error **err);

/* fn at each endpoint of r (mirrors, then the location) until one succeeds. */
static int each_endpoint(const struct pull_opts *o, const struct img_ref *r, endpoint_fn fn,
			 void *arg, struct rcr_error **err)
{
	struct reg_endpoint *eps = NULL;
	size_t n = 0;
	int rc = -1;

	if (reg_conf_endpoints(o->conf, r, &eps, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n && rc < 0; i++) {
		struct attempt at;

		if (i > 0)
			rcr_error_clear(err);
		setup_attempt(&at, o, r, &eps[i]);
		rc = fn(&at, arg, err);
		release_attempt(&at);
	}
	reg_endpoints_free(eps, n);
	return rc;
}

/* What to do for one reference a name stands for; 0 when done. */
typedef int (*candidate_fn)(const struct pull_opts *o, const struct img_ref *r, void *arg,
			    struct rcr_error **err);

/* fn for name itself, or for each reference a short name resolves to until one succeeds. Every
 * candidate's reason is kept: the person needs to see all of them. */
static int each_candidate(const struct pull_opts *o, const char *name, candidate_fn fn, void *arg,
			  struct rcr_error **err)
{
	struct img_ref r;
	struct img_ref *cands = NULL;
	size_t n = 0;
	int rc = -1;

	if (img_ref_parse(name, &r, err) < 0)
		return -1;
	if (!r.is_short) {
		rc = fn(o, &r, arg, err);
		img_ref_release(&r);
		return rc;
	}
	if (reg_conf_resolve_short(o->conf, &r, &cands, &n, err) == 0) {
		for (size_t i = 0; i < n && rc < 0; i++) {
			struct rcr_error *e = NULL;

			rc = fn(o, &cands[i], arg, &e);
			if (rc < 0) {
				_cleanup_free_ char *s = img_ref_string(&cands[i]);

				rcr_error_wrap(&e, "%s", s ? s : name);
				rcr_error_join(err, e);
			}
		}
		if (rc == 0)
			rcr_error_clear(err);
		for (size_t i = 0; i < n; i++)
			img_ref_release(&cands[i]);
		free(cands);
	}
	img_ref_release(&r);
	return rc;
}

static int pull_at(struct attempt *at, void *arg, struct rcr_error **err)
{
	return try_endpoint(at, arg, err);
}

static int pull_candidate(const struct pull_opts *o, const struct img_ref *r, void *image_id,
			  struct rcr_error **err)
{
	_cleanup_free_ char *s = img_ref_string(r);

	event(o, PULL_TRYING, s);
	return each_endpoint(o, r, pull_at, image_id, err);
}

int img_pull(const struct pull_opts *o, const char *name, char image_id[72], struct rcr_error **err)
{
	return each_candidate(o, name, pull_candidate, image_id, err);
}

static int tags_at(struct attempt *at, void *arg, struct rcr_error **err)
{
	char ***tags = arg;
	struct reg_client *c = reg_client_new(&at->client_opts, err);
	json_t *list = NULL, *v;
	size_t k;
	int rc = -1;

	if (c != NULL && reg_ping(c, err) == 0)
		list = reg_list_tags(c, at->ep->path, err);
	if (list != NULL) {
		*tags = calloc(json_array_size(list) + 1, sizeof(char *));
		json_array_foreach (list, k, v)
			if (*tags != NULL && json_is_string(v))
				(*tags)[k] = strdup(json_string_value(v));
		rc = *tags != NULL ? 0 : -1;
		json_decref(list);
	}
	reg_client_free(c);
	return rc;
}

struct tags_result {
	char **repo;
	char ***tags;
};

static int tags_candidate(const struct pull_opts *o, const struct img_ref *r, void *arg,
			  struct rcr_error **err)
{
	struct tags_result *t = arg;

	if (each_endpoint(o, r, tags_at, t->tags, err) < 0)
		return -1;
	*t->repo = img_ref_repository(r);
	return 0;
}

int img_list_tags(const struct pull_opts *o, const char *name, char **repo, char ***tags,
		  struct rcr_error **err)
{
	struct tags_result t = {repo, tags};

	*repo = NULL;
	*tags = NULL;
	return each_candidate(o, name, tags_candidate, &t, err);
}
