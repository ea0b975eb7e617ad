/* The k8s-file log writer (see k8slog.h): turns what the container writes on its stdout and
 * stderr into conmon-compatible records and appends them to the container's log, rotating it to
 * "path.1" when it grows past its size limit.
 *
 * It runs inside rcr-monitor for the container's whole life, so it must stay small (libc and
 * pkg/ only), never leak, never lose or split a record across two files (a reader following the
 * log across a rotation must see every record whole, in order), and never write a record that
 * does not end in '\n'.
 */
#include "monitor/k8slog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/timeparse.h"

struct mon_log {
	int fd;
	char *path;
	char *rotated; /* path.1 */
	long long max_size;
	long long size; /* bytes in the current file */
};

/* " stdout F " and " stderr F " have the same length: the fixed part after the time. */
#define STREAM_FIELD_LEN (sizeof(" stdout F ") - 1)

static const char *stream_name(int stream)
{
	return stream == 1 ? "stdout" : stream == 2 ? "stderr" : NULL;
}

int mon_log_format(const struct timespec *ts, int stream, const char *buf, size_t len, char **out,
		   size_t *out_len, struct rcr_error **err)
{
	const char *name = stream_name(stream);
	char tbuf[TIMEPARSE_BUF_SIZE];
	_cleanup_free_ char *res = NULL;
	size_t tlen, nrec = 0, hdr, cap, n = 0, pos = 0;

	if (name == NULL) {
		rcr_error_set(err, EINVAL, "formatting log records: unknown stream %d", stream);
		return -1;
	}
	timeparse_format_local(ts, tbuf, sizeof(tbuf));
	tlen = strlen(tbuf);
	hdr = tlen + STREAM_FIELD_LEN;
	for (size_t i = 0; i < len; i++)
		nrec += buf[i] == '\n';
	if (len > 0 && buf[len - 1] != '\n')
		nrec++; /* the trailing partial record */
	/* Each record adds its header and at most one '\n' (the P record's); check the sum. */
	if (nrec > (SIZE_MAX - len - 1) / (hdr + 1)) {
		rcr_error_set(err, EOVERFLOW, "formatting log records: %zu bytes is too much", len);
		return -1;
	}
	cap = len + nrec * (hdr + 1) + 1;
	res = malloc(cap);
	if (res == NULL) {
		rcr_error_set_errno(err, ENOMEM, "formatting log records");
		return -1;
	}
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) + 1 : len;

		/* Same time for every record of the chunk, as conmon does. */
		memcpy(res + n, tbuf, tlen);
		n += tlen;
		n += (size_t)snprintf(res + n, cap - n, " %s %c ", name, nl ? 'F' : 'P');
		memcpy(res + n, buf + pos, end - pos);
		n += end - pos;
		if (nl == NULL)
			res[n++] = '\n';
		pos = end;
	}
	res[n] = '\0';
	*out = steal_ptr(&res);
	*out_len = n;
	return 0;
}

int mon_log_open(const char *path, long long max_size, struct mon_log **out, struct rcr_error **err)
{
	_cleanup_free_ struct mon_log *l = calloc(1, sizeof(*l));
	_cleanup_close_ int fd = -1;
	struct stat st;

	if (l == NULL) {
		rcr_error_set_errno(err, ENOMEM, "opening log '%s'", path);
		return -1;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rcr_error_set_errno(err, errno, "opening log '%s'", path);
		return -1;
	}
	l->path = strdup(path);
	if (l->path == NULL || asprintf(&l->rotated, "%s.1", path) < 0) {
		l->rotated = NULL;
		free(l->path);
		rcr_error_set_errno(err, ENOMEM, "opening log '%s'", path);
		return -1;
	}
	l->max_size = max_size;
	l->size = st.st_size;
	l->fd = steal_fd(&fd);
	*out = steal_ptr(&l);
	return 0;
}

void mon_log_close(struct mon_log *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0)
		close(l->fd);
	free(l->path);
	free(l->rotated);
	free(l);
}

static int write_all(struct mon_log *l, const char *p, size_t n, struct rcr_error **err)
{
	while (n > 0) {
		ssize_t w = write(l->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rcr_error_set_errno(err, errno, "writing log '%s'", l->path);
			return -1;
		}
		p += w;
		n -= (size_t)w;
		l->size += w;
	}
	return 0;
}

/* path -> path.1, then a fresh path. The rename comes after the last write to the old file, so
 * a reader that sees path change has only to finish the file it holds. */
static int rotate(struct mon_log *l, struct rcr_error **err)
{
	int fd;

	if (rename(l->path, l->rotated) < 0) {
		rcr_error_set_errno(err, errno, "rotating log '%s' to '%s'", l->path, l->rotated);
		return -1;
	}
	fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		/* Keep the old fd: the next write goes on into path.1 rather than nowhere. */
		rcr_error_set_errno(err, errno, "rotating log: creating '%s'", l->path);
		return -1;
	}
	close(l->fd);
	l->fd = fd;
	l->size = 0;
	return 0;
}

int mon_log_write(struct mon_log *l, int stream, const char *buf, size_t len,
		  struct rcr_error **err)
{
	_cleanup_free_ char *recs = NULL;
	struct timespec now;
	size_t n = 0, start = 0, pos = 0;

	if (len == 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &now);
	if (mon_log_format(&now, stream, buf, len, &recs, &n, err) < 0)
		return -1;
	/* Write runs of whole records; rotate between two records when the next one would take
	 * the file past max_size (and the file holds something, or a huge record would rotate
	 * forever). */
	while (pos < n) {
		const char *nl = memchr(recs + pos, '\n', n - pos);
		size_t end = (size_t)(nl - recs) + 1; /* every record ends in '\n' */
		long long pending = (long long)(pos - start);

		if (l->max_size > 0 && l->size + pending > 0 &&
		    l->size + pending + (long long)(end - pos) > l->max_size) {
			if (write_all(l, recs + start, pos - start, err) < 0 || rotate(l, err) < 0)
				return -1;
			start = pos;
		}
		pos = end;
	}
	return write_all(l, recs + start, n - start, err);
}
