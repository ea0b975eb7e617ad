/* The unpacking thread pool (see workpool.h). */
#include "image/workpool.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"

#define MAX_THREADS 8
/* Each queued job may hold a file descriptor: stay well below the usual limit of 1024. */
#define MAX_QUEUED 256

struct job {
	workpool_fn fn;
	void *arg;
	size_t bytes;
	struct job *next;
};

struct workpool {
	pthread_mutex_t lock;
	pthread_cond_t work;  /* a job was queued, or stop */
	pthread_cond_t space; /* bytes went down, or a job finished */
	struct job *head, *tail;
	size_t queued_bytes;
	size_t queued;	/* jobs queued or running */
	size_t running; /* jobs taken but not finished */
	bool stop;
	struct rcr_error *failed;
	pthread_t threads[MAX_THREADS];
	unsigned n_threads;
	size_t max_bytes;
	/* Keys since the last drain: an open-addressing set of strings. */
	char **keys;
	size_t key_cap, n_keys;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static bool keys_insert(char **v, size_t cap, char *k)
{
	for (size_t i = hash(k) & (cap - 1);; i = (i + 1) & (cap - 1)) {
		if (v[i] == NULL) {
			v[i] = k;
			return true;
		}
		if (strcmp(v[i], k) == 0)
			return false;
	}
}

static int keys_add(struct workpool *p, const char *key)
{
	char *k;

	if ((p->n_keys + 1) * 2 > p->key_cap) {
		size_t cap = p->key_cap ? p->key_cap * 2 : 1024;
		char **v = calloc(cap, sizeof(*v));

		if (v == NULL)
			return -1;
		for (size_t i = 0; i < p->key_cap; i++)
			if (p->keys[i] != NULL)
				keys_insert(v, cap, p->keys[i]);
		free(p->keys);
		p->keys = v;
		p->key_cap = cap;
	}
	k = strdup(key);
	if (k == NULL)
		return -1;
	if (keys_insert(p->keys, p->key_cap, k))
		p->n_keys++;
	else
		free(k);
	return 0;
}

static void keys_clear(struct workpool *p)
{
	for (size_t i = 0; i < p->key_cap; i++) {
		free(p->keys[i]);
		p->keys[i] = NULL;
	}
	p->n_keys = 0;
}

bool workpool_has_key(struct workpool *p, const char *key)
{
	if (p->n_keys == 0)
		return false;
	for (size_t i = hash(key) & (p->key_cap - 1); p->keys[i] != NULL;
	     i = (i + 1) & (p->key_cap - 1))
		if (strcmp(p->keys[i], key) == 0)
			return true;
	return false;
}

bool workpool_busy(struct workpool *p)
{
	return p->n_keys > 0;
}

static void *worker(void *arg)
{
	struct workpool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct job *j;
		struct rcr_error *e = NULL;
		bool skip;
		int rc;

		while (p->head == NULL && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->head == NULL)
			break;
		j = p->head;
		p->head = j->next;
		if (p->head == NULL)
			p->tail = NULL;
		p->running++;
		skip = p->failed != NULL;
		pthread_mutex_unlock(&p->lock);
		rc = j->fn(j->arg, skip ? NULL : &e);
		pthread_mutex_lock(&p->lock);
		if (rc < 0 && !skip && p->failed == NULL)
			p->failed = e;
		else
			rcr_error_free(e);
		p->queued_bytes -= j->bytes;
		p->queued--;
		p->running--;
		free(j);
		pthread_cond_broadcast(&p->space);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct workpool *workpool_new(unsigned threads, size_t max_bytes)
{
	struct workpool *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->space, NULL);
	p->max_bytes = max_bytes;
	for (unsigned i = 0; i < threads && i < MAX_THREADS; i++)
		if (pthread_create(&p->threads[p->n_threads], NULL, worker, p) == 0)
			p->n_threads++;
	if (p->n_threads == 0) {
		workpool_free(p);
		return NULL;
	}
	return p;
}

int workpool_submit(struct workpool *p, workpool_fn fn, void *arg, size_t bytes, const char *key)
{
	struct job *j = calloc(1, sizeof(*j));
	int rc = -1;

	if (j == NULL)
		return -1;
	j->fn = fn;
	j->arg = arg;
	j->bytes = bytes;
	pthread_mutex_lock(&p->lock);
	while (p->failed == NULL && p->queued > 0 &&
	       (p->queued_bytes + bytes > p->max_bytes || p->queued >= MAX_QUEUED))
		pthread_cond_wait(&p->space, &p->lock);
	if (p->failed == NULL && keys_add(p, key) == 0) {
		if (p->tail != NULL)
			p->tail->next = j;
		else
			p->head = j;
		p->tail = j;
		p->queued_bytes += bytes;
		p->queued++;
		pthread_cond_signal(&p->work);
		j = NULL;
		rc = 0;
	}
	pthread_mutex_unlock(&p->lock);
	free(j);
	return rc;
}

int workpool_drain(struct workpool *p, struct rcr_error **err)
{
	struct rcr_error *e;

	pthread_mutex_lock(&p->lock);
	while (p->head != NULL || p->running > 0)
		pthread_cond_wait(&p->space, &p->lock);
	e = p->failed;
	p->failed = NULL;
	keys_clear(p);
	pthread_mutex_unlock(&p->lock);
	if (e == NULL)
		return 0;
	if (err != NULL && *err == NULL)
		*err = e;
	else
		rcr_error_free(e);
	return -1;
}

void workpool_free(struct workpool *p)
{
	if (p == NULL)
		return;
	workpool_drain(p, NULL);
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned i = 0; i < p->n_threads; i++)
		pthread_join(p->threads[i], NULL);
	free(p->keys);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->space);
	pthread_mutex_destroy(&p->lock);
	free(p);
}
