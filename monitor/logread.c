/* The k8s-file log reader behind `rcr logs` (see logread.h): parses records, joins partial
 * records, applies Podman's --since/--until/--tail/-t, and follows a live log across rotations.
 *
 * It reads files a container filled, so it must never trust them: no read past a line, no line
 * held in memory beyond LINE_MAX_BYTES (longer ones are skipped as malformed), no malformed line
 * fatal. Memory stays bounded whatever the log's size: --tail counts in a first pass instead of
 * keeping the last N lines. It never writes to the log.
 */
#include "monitor/logread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/timeparse.h"

/* A record is at most one read of the container's output plus its header; far less than this.
 * A longer line is corrupt and skipped. */
#define LINE_MAX_BYTES ((size_t)4 << 20)
#define READ_CHUNK     ((size_t)64 << 10)
#define OUT_BUF_SIZE   ((size_t)64 << 10)
#define FOLLOW_POLL_NS 100000000L

int mon_log_parse_line(const char *line, size_t len, struct mon_log_record *out,
		       struct rcr_error **err)
{
	const char *sp = memchr(line, ' ', len);
	const char *p, *end = line + len;
	size_t tlen;

	if (sp == NULL) {
		rcr_error_set(err, EINVAL, "malformed log line: no space after the time");
		return -1;
	}
	tlen = (size_t)(sp - line);
	if (timeparse_rfc3339_n(line, tlen, &out->ts, err) < 0) {
		rcr_error_wrap(err, "malformed log line");
		return -1;
	}
	out->ts_text = line;
	out->ts_len = tlen;
	p = sp + 1;
	/* "stdout F " or "stderr P ": nine bytes, the text after them (possibly empty). */
	if (end - p < 9 || p[6] != ' ' || p[8] != ' ' || (p[7] != 'F' && p[7] != 'P')) {
		rcr_error_set(err, EINVAL,
			      "malformed log line: expected '<stream> F|P ' after the "
			      "time");
		return -1;
	}
	if (memcmp(p, "stdout", 6) == 0) {
		out->stream = 1;
	} else if (memcmp(p, "stderr", 6) == 0) {
		out->stream = 2;
	} else {
		rcr_error_set(err, EINVAL, "malformed log line: unknown stream '%.6s'", p);
		return -1;
	}
	out->partial = p[7] == 'P';
	out->text = p + 9;
	out->len = (size_t)(end - out->text);
	return 0;
}

/* One log file being read: its fd and identity, and the bytes read but not yet parsed. */
struct reader {
	int fd;
	dev_t dev;
	ino_t ino;
	char *buf;
	size_t len, cap;
	bool discarding; /* inside an over-long line: drop bytes up to the next '\n' */
};

/* Where a line of one stream stands. */
struct stream_state {
	bool in_line; /* a P record started a line that has not ended yet */
	bool show;    /* that line passed the filters and is being printed */
};

struct printer {
	const struct mon_logs_opts *o;
	int fds[3];	 /* [1] stdout records, [2] stderr records */
	bool counting;	 /* pass 1 of --tail: count lines, print nothing */
	long long count; /* lines that passed the time filter so far */
	long long skip;	 /* pass 2: the first `skip` of them are not printed */
	struct stream_state st[3];
	char *out; /* pending output, all for out_fd_now */
	size_t out_len;
	int out_fd_now;
};

static void reader_close(struct reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->len = 0;
	r->discarding = false;
}

/* Open path for reading; a missing file leaves r->fd at -1 and is no error. */
static int reader_open(struct reader *r, const char *path, struct rcr_error **err)
{
	struct stat st;

	reader_close(r);
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 && errno == ENOENT)
		return 0;
	if (r->fd < 0 || fstat(r->fd, &st) < 0) {
		rcr_error_set_errno(err, errno, "opening log '%s'", path);
		reader_close(r);
		return -1;
	}
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	return 0;
}

static int write_all(int fd, const char *p, size_t n, struct rcr_error **err)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rcr_error_set_errno(err, errno, "writing logs");
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int flush(struct printer *pr, struct rcr_error **err)
{
	int r = 0;

	if (pr->out_len > 0)
		r = write_all(pr->out_fd_now, pr->out, pr->out_len, err);
	pr->out_len = 0;
	return r;
}

/* Queue output for fd. Output for the other fd is flushed first, so that lines keep their
 * order when stdout and stderr are the same terminal. */
static int emit(struct printer *pr, int fd, const char *p, size_t n, struct rcr_error **err)
{
	if (pr->out_fd_now != fd && flush(pr, err) < 0)
		return -1;
	pr->out_fd_now = fd;
	if (pr->out_len + n > OUT_BUF_SIZE && flush(pr, err) < 0)
		return -1;
	if (n > OUT_BUF_SIZE)
		return write_all(fd, p, n, err);
	memcpy(pr->out + pr->out_len, p, n);
	pr->out_len += n;
	return 0;
}

static bool ts_is_zero(const struct timespec *t)
{
	return t->tv_sec == 0 && t->tv_nsec == 0;
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

/* Podman's LogLine.Since and LogLine.Until: strictly after since, strictly before until. */
static bool in_range(const struct mon_logs_opts *o, const struct timespec *ts)
{
	if (!ts_is_zero(&o->since) && ts_cmp(ts, &o->since) <= 0)
		return false;
	if (!ts_is_zero(&o->until) && ts_cmp(ts, &o->until) >= 0)
		return false;
	return true;
}

/* The start of a shown line: the prefix, and with -t the time as Podman prints it (its
 * LogTimeFormat, which writes a zero offset as "Z"; conmon and we write "+00:00"). */
static int emit_line_start(struct printer *pr, int fd, const struct mon_log_record *rec,
			   struct rcr_error **err)
{
	size_t tl = rec->ts_len;

	if (pr->o->prefix != NULL && emit(pr, fd, pr->o->prefix, strlen(pr->o->prefix), err) < 0)
		return -1;
	if (!pr->o->timestamps)
		return 0;
	if (tl >= 6 && (memcmp(rec->ts_text + tl - 6, "+00:00", 6) == 0 ||
			memcmp(rec->ts_text + tl - 6, "-00:00", 6) == 0)) {
		if (emit(pr, fd, rec->ts_text, tl - 6, err) < 0 || emit(pr, fd, "Z ", 2, err) < 0)
			return -1;
		return 0;
	}
	if (emit(pr, fd, rec->ts_text, tl, err) < 0 || emit(pr, fd, " ", 1, err) < 0)
		return -1;
	return 0;
}

static int handle_record(struct printer *pr, const struct mon_log_record *rec,
			 struct rcr_error **err)
{
	struct stream_state *s = &pr->st[rec->stream];
	int fd = pr->fds[rec->stream];

	if (!s->in_line) {
		/* A new line: it is filtered as a whole, by the time of its first record. */
		s->in_line = true;
		s->show = false;
		if (in_range(pr->o, &rec->ts)) {
			pr->count++;
			s->show = !pr->counting && pr->count > pr->skip;
		}
		if (s->show && emit_line_start(pr, fd, rec, err) < 0)
			return -1;
	}
	if (s->show && emit(pr, fd, rec->text, rec->len, err) < 0)
		return -1;
	if (!rec->partial) {
		s->in_line = false;
		if (s->show && emit(pr, fd, "\n", 1, err) < 0)
			return -1;
	}
	return 0;
}

/* Handle every complete line in r->buf and keep the incomplete rest at its start. */
static int process_lines(struct printer *pr, struct reader *r, struct rcr_error **err)
{
	size_t pos = 0;

	while (pos < r->len) {
		char *nl = memchr(r->buf + pos, '\n', r->len - pos);
		size_t end;
		struct mon_log_record rec;

		if (nl == NULL)
			break;
		end = (size_t)(nl - r->buf);
		if (r->discarding)
			r->discarding = false;
		else if (mon_log_parse_line(r->buf + pos, end - pos, &rec, NULL) == 0 &&
			 handle_record(pr, &rec, err) < 0)
			return -1;
		pos = end + 1;
	}
	memmove(r->buf, r->buf + pos, r->len - pos);
	r->len -= pos;
	return 0;
}

/* Room to read into: grow the buffer, or drop an over-long line. */
static int make_room(struct reader *r, struct rcr_error **err)
{
	size_t cap;
	char *nb;

	if (r->cap - r->len >= READ_CHUNK / 2)
		return 0;
	if (r->cap >= LINE_MAX_BYTES) {
		r->discarding = true;
		r->len = 0;
		return 0;
	}
	cap = r->cap ? r->cap * 2 : READ_CHUNK;
	nb = realloc(r->buf, cap);
	if (nb == NULL) {
		rcr_error_set_errno(err, ENOMEM, "reading logs");
		return -1;
	}
	r->buf = nb;
	r->cap = cap;
	return 0;
}

/* Read r to its current end, handling every complete line. */
static int drain(struct printer *pr, struct reader *r, struct rcr_error **err)
{
	while (r->fd >= 0) {
		ssize_t n;

		if (make_room(r, err) < 0)
			return -1;
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rcr_error_set_errno(err, errno, "reading logs");
			return -1;
		}
		if (n == 0)
			return 0;
		r->len += (size_t)n;
		if (process_lines(pr, r, err) < 0)
			return -1;
	}
	return 0;
}

static void reader_release(struct reader *r)
{
	reader_close(r);
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
}

static bool same_file(const struct reader *r, dev_t dev, ino_t ino)
{
	return r->fd >= 0 && r->dev == dev && r->ino == ino;
}

/* Read the log as it is now: path.1, then path, which stays open in cur for following. path is
 * opened first: should a rotation come between the two opens, path.1 is then the file cur holds
 * and is not read twice. */
static int read_existing(struct printer *pr, const char *path, const char *rotated,
			 struct reader *cur, struct reader *old, struct rcr_error **err)
{
	if (reader_open(cur, path, err) < 0 || reader_open(old, rotated, err) < 0)
		return -1;
	if (old->fd >= 0 && !same_file(cur, old->dev, old->ino) && drain(pr, old, err) < 0)
		return -1;
	reader_close(old);
	return drain(pr, cur, err);
}

/* While following: when path is another file than the one cur holds, the writer rotated. It no
 * longer writes the old file (rename comes after its last write), so finish that; then path.1
 * when it is yet another file (two rotations since the last look); then the new path. A missing
 * path is a rotation under way (or a log not yet created): look again later. */
static int follow_rotation(struct printer *pr, const char *path, const char *rotated,
			   struct reader *cur, struct reader *old, struct rcr_error **err)
{
	struct stat st;

	if (stat(path, &st) < 0 || same_file(cur, st.st_dev, st.st_ino))
		return 0;
	if (cur->fd >= 0) {
		if (drain(pr, cur, err) < 0 || reader_open(old, rotated, err) < 0)
			return -1;
		if (old->fd >= 0 && !same_file(cur, old->dev, old->ino) &&
		    !(old->dev == st.st_dev && old->ino == st.st_ino) && drain(pr, old, err) < 0)
			return -1;
		reader_close(old);
	}
	return reader_open(cur, path, err);
}

static bool until_passed(const struct mon_logs_opts *o)
{
	struct timespec now;

	if (ts_is_zero(&o->until))
		return false;
	clock_gettime(CLOCK_REALTIME, &now);
	return ts_cmp(&now, &o->until) >= 0;
}

/* -f: poll for more until the container is gone (or --until has passed). still_running is
 * asked before the last look, so everything written before the container ended is printed. */
static int follow(struct printer *pr, const char *path, const char *rotated, struct reader *cur,
		  struct reader *old, struct rcr_error **err)
{
	const struct mon_logs_opts *o = pr->o;
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = FOLLOW_POLL_NS};

	for (;;) {
		bool last =
			o->still_running == NULL || !o->still_running(o->arg) || until_passed(o);

		if (follow_rotation(pr, path, rotated, cur, old, err) < 0 ||
		    drain(pr, cur, err) < 0 || flush(pr, err) < 0)
			return -1;
		if (last)
			return 0;
		nanosleep(&pause, NULL);
	}
}

static int print_log(struct printer *pr, const char *path, const char *rotated,
		     struct rcr_error **err)
{
	__attribute__((cleanup(reader_release))) struct reader cur = {.fd = -1};
	__attribute__((cleanup(reader_release))) struct reader old = {.fd = -1};
	const struct mon_logs_opts *o = pr->o;

	if (o->tail >= 0) {
		/* Pass 1 counts the lines that pass the time filter; pass 2 skips all but the
		 * last tail of them. Lines added in between are printed too, as new lines are. */
		pr->counting = true;
		if (read_existing(pr, path, rotated, &cur, &old, err) < 0)
			return -1;
		pr->skip = pr->count > o->tail ? pr->count - o->tail : 0;
		pr->counting = false;
		pr->count = 0;
		memset(pr->st, 0, sizeof(pr->st));
	}
	if (read_existing(pr, path, rotated, &cur, &old, err) < 0)
		return -1;
	if (o->follow && follow(pr, path, rotated, &cur, &old, err) < 0)
		return -1;
	return flush(pr, err);
}

int mon_logs_print(const char *path, const struct mon_logs_opts *o, int out_fd, int err_fd,
		   struct rcr_error **err)
{
	_cleanup_free_ char *rotated = NULL;
	_cleanup_free_ char *out = malloc(OUT_BUF_SIZE);
	struct printer pr = {.o = o, .fds = {-1, out_fd, err_fd}, .out = out, .out_fd_now = out_fd};

	if (out == NULL || asprintf(&rotated, "%s.1", path) < 0) {
		rotated = NULL;
		rcr_error_set_errno(err, ENOMEM, "reading logs '%s'", path);
		return -1;
	}
	if (print_log(&pr, path, rotated, err) < 0) {
		/* What was read before the failure is still worth showing. */
		flush(&pr, NULL);
		return -1;
	}
	return 0;
}
