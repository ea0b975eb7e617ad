/* Pull progress on stderr (see progress.h). */
#include "cmd/progress.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_LINES 128

struct line {
	char digest[72];
	long long done, total;
	const char *state; /* NULL while downloading */
};

struct progress {
	bool quiet, tty;
	pthread_mutex_t lock;
	struct line lines[MAX_LINES];
	size_t n;
	size_t drawn; /* lines on screen from the last redraw */
	struct timespec last;
};

struct progress *progress_new(bool quiet)
{
	struct progress *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->quiet = quiet;
	p->tty = isatty(STDERR_FILENO) == 1;
	pthread_mutex_init(&p->lock, NULL);
	return p;
}

void progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	pthread_mutex_destroy(&p->lock);
	free(p);
}

static struct line *line_of(struct progress *p, const char *digest)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->lines[i].digest, digest) == 0)
			return &p->lines[i];
	if (p->n == MAX_LINES)
		return NULL;
	snprintf(p->lines[p->n].digest, sizeof(p->lines[p->n].digest), "%s", digest);
	return &p->lines[p->n++];
}

static void human(long long b, char *out, size_t len)
{
	if (b >= 1 << 20)
		snprintf(out, len, "%.1fMiB", (double)b / (1 << 20));
	else if (b >= 1 << 10)
		snprintf(out, len, "%.1fKiB", (double)b / (1 << 10));
	else
		snprintf(out, len, "%lldB", b);
}

/* Redraw every layer line in place (terminal only). */
static void redraw(struct progress *p)
{
	if (p->drawn > 0)
		fprintf(stderr, "\033[%zuA", p->drawn);
	for (size_t i = 0; i < p->n; i++) {
		const struct line *l = &p->lines[i];
		const char *hex = strchr(l->digest, ':') ? strchr(l->digest, ':') + 1 : l->digest;
		char d[32], t[32];

		human(l->done, d, sizeof(d));
		human(l->total, t, sizeof(t));
		if (l->state != NULL)
			fprintf(stderr, "\033[2KCopying blob %.12s %s\n", hex, l->state);
		else
			fprintf(stderr, "\033[2KCopying blob %.12s [%s / %s]\n", hex, d, t);
	}
	p->drawn = p->n;
	fflush(stderr);
}

static void layer_state(struct progress *p, const char *digest, const char *state)
{
	struct line *l = line_of(p, digest);

	if (p->tty && l != NULL) {
		l->state = state;
		l->done = l->total;
		redraw(p);
	} else {
		fprintf(stderr, "Copying blob %s %s\n", digest, state);
	}
}

void progress_event(void *arg, enum pull_event ev, const char *detail)
{
	struct progress *p = arg;

	if (p == NULL || p->quiet)
		return;
	pthread_mutex_lock(&p->lock);
	switch (ev) {
	case PULL_TRYING:
		p->n = 0;
		p->drawn = 0;
		fprintf(stderr, "Trying to pull %s...\nGetting image source signatures\n", detail);
		break;
	case PULL_BLOB_EXISTS:
		layer_state(p, detail, "skipped: already exists");
		break;
	case PULL_BLOB_DONE:
		layer_state(p, detail, "done");
		break;
	case PULL_CONFIG_DONE:
		fprintf(stderr, "Copying config %s done\n", detail);
		p->n = 0;
		p->drawn = 0;
		break;
	case PULL_MANIFEST_DONE:
		fprintf(stderr, "Writing manifest to image destination\n");
		break;
	}
	pthread_mutex_unlock(&p->lock);
}

void progress_bytes(void *arg, const char *digest, long long done, long long total)
{
	struct progress *p = arg;
	struct timespec now;
	struct line *l;

	if (p == NULL || p->quiet || !p->tty)
		return;
	pthread_mutex_lock(&p->lock);
	l = line_of(p, digest);
	if (l != NULL) {
		l->done = done;
		l->total = total;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	/* At most ten redraws a second. */
	if ((now.tv_sec - p->last.tv_sec) * 1000000000LL + (now.tv_nsec - p->last.tv_nsec) >
	    100000000LL) {
		p->last = now;
		redraw(p);
	}
	pthread_mutex_unlock(&p->lock);
}
