/* Unit tests of monitor/logread.c: the line parser (good lines, every kind of malformed line,
 * no read past the line), and printing as podman logs does: streams to their fds, partial
 * records joined, --since/--until (both exclusive), --tail, -t, the prefix, path.1 read first,
 * a missing log, and -f with a writer child that appends (and rotates) while the printer
 * follows, until the still_running callback says the container is gone.
 *
 * TZ is set explicitly so that nothing depends on the machine's zone. Files live under a fresh
 * mkdtemp dir, removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monitor/k8slog.h"
#include "monitor/logread.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

static char top[1024];

/* 2026-11-23T10:00:00Z */
#define T0 1795428000LL

/* Parse text from an exact-size copy without a NUL, so ASan catches any read past the line. The
 * copy is kept in a static buffer until the next call, for checks on the borrowed pointers. */
static int parse(const char *text, struct mon_log_record *rec, struct rcr_error **err)
{
	static char *copy;
	size_t len = strlen(text);

	free(copy);
	copy = malloc(len ? len : 1);
	memcpy(copy, text, len);
	return mon_log_parse_line(copy, len, rec, err);
}

static void test_parse_good(void)
{
	struct mon_log_record r;

	ok(parse("2026-11-23T11:00:00.000000005+01:00 stdout F hello world", &r, NULL) == 0,
	   "a full stdout record");
	ok(r.ts.tv_sec == T0 && r.ts.tv_nsec == 5 && r.stream == 1 && !r.partial, "  its fields");
	ok(r.ts_len == 35 && memcmp(r.ts_text, "2026-11-23T11:00:00.000000005+01:00 ", 36) == 0,
	   "  the time as written");
	ok(r.len == 11 && memcmp(r.text, "hello world", 11) == 0, "  text with spaces kept");
	ok(parse("2026-11-23T10:00:00Z stderr P  two  ", &r, NULL) == 0 && r.stream == 2 &&
		   r.partial && r.len == 6 && memcmp(r.text, " two  ", 6) == 0,
	   "a partial stderr record, blanks kept");
	ok(parse("2026-11-23T10:00:00Z stdout F ", &r, NULL) == 0 && r.len == 0, "an empty line");
}

static void test_parse_bad(void)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{"", "no space"},
		{"garbage", "no space"},
		{"2026-11-23T10:00:00Z", "no space"},
		{"2026-11-23T10:00:00 stdout F x", "RFC 3339"},
		{"yesterday stdout F x", "RFC 3339"},
		{"2026-11-23T10:00:00Z stdin  F x", "unknown stream"},
		{"2026-11-23T10:00:00Z stdout X x", "F|P"},
		{"2026-11-23T10:00:00Z stdout F", "F|P"},
		{"2026-11-23T10:00:00Z stdout Fx", "F|P"},
		{"2026-11-23T10:00:00Z stdout", "F|P"},
		{"2026-11-23T10:00:00Z  stdout F x", "F|P"},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		_cleanup_error_ struct rcr_error *err = NULL;
		struct mon_log_record r;

		ok(parse(bad[i].line, &r, &err) < 0, "malformed: '%s'", bad[i].line);
		has_str(err ? err->msg : NULL, bad[i].why, "  says why");
	}
}

/* Write the k8s-file lines of text (already formatted) to path. */
static void put(const char *path, const char *text)
{
	fs_write_atomic(path, text, strlen(text), 0600, NULL);
}

/* Print path with o; out and err get what went to each fd (static buffers). */
static char got_out[65536], got_err[65536];

static int print(const char *path, const struct mon_logs_opts *o)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *po = fs_path_join(top, "out"), *pe = fs_path_join(top, "err");
	_cleanup_close_ int fo = open(po, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	_cleanup_close_ int fe = open(pe, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int r = mon_logs_print(path, o, fo, fe, &err);
	_cleanup_free_ char *a = fs_read_file(po, sizeof(got_out) - 1, NULL, NULL);
	_cleanup_free_ char *b = fs_read_file(pe, sizeof(got_err) - 1, NULL, NULL);

	if (r < 0)
		printf("# error: %s\n", err->msg);
	snprintf(got_out, sizeof(got_out), "%s", a ? a : "(none)");
	snprintf(got_err, sizeof(got_err), "%s", b ? b : "(none)");
	return r;
}

#define L(t, rest) "2026-11-23T10:00:0" t ".000000000+00:00 " rest "\n"

static const char *sample = L("1", "stdout F one") L("2", "stderr F e1") L("3", "stdout P tw")
	L("3", "stderr P e") L("4", "stdout P o") L("4", "stderr F 2") L("5", "stdout F ")
		L("5", "stderr F ") "not a record\n" L("6", "stdout F three")
			L("7", "stdout P no newline");

static void test_print_basic(void)
{
	_cleanup_free_ char *path = fs_path_join(top, "a.log");
	_cleanup_free_ char *missing = fs_path_join(top, "none.log");
	struct mon_logs_opts o = {.tail = -1};

	put(path, sample);
	ok(print(path, &o) == 0, "print");
	is_str(got_out, "one\ntwo\nthree\nno newline", "stdout: P joined, last P without \\n");
	is_str(got_err, "e1\ne2\n\n", "stderr: its own lines, joined per stream; an empty one");
	ok(print(missing, &o) == 0, "a missing log prints nothing");
	is_str(got_out, "", "  nothing on stdout");

	o.timestamps = true;
	o.prefix = "c0ffee ";
	ok(print(path, &o) == 0, "print -t with a prefix");
	has_str(got_out, "c0ffee 2026-11-23T10:00:01.000000000Z one\n",
		"prefix, time (zero offset as Z, as Podman), text");
	has_str(got_out, "c0ffee 2026-11-23T10:00:03.000000000Z two\n",
		"a joined line once, with the time of its first part");
	is_str(got_err,
	       "c0ffee 2026-11-23T10:00:02.000000000Z e1\nc0ffee 2026-11-23T10:00:03.000000000Z "
	       "e2\nc0ffee 2026-11-23T10:00:05.000000000Z \n",
	       "stderr the same");
}

static void test_print_filters(void)
{
	_cleanup_free_ char *path = fs_path_join(top, "a.log");
	struct mon_logs_opts o = {.tail = -1};

	put(path, sample);
	o.since = (struct timespec){.tv_sec = T0 + 3};
	ok(print(path, &o) == 0, "--since");
	is_str(got_out, "three\nno newline", "  since is exclusive (Podman's After)");
	is_str(got_err, "\n", "  the stderr line started at 3 dropped whole, the one at 5 kept");
	o.since = (struct timespec){.tv_sec = T0 + 2, .tv_nsec = 999999999};
	ok(print(path, &o) == 0 && strcmp(got_out, "two\nthree\nno newline") == 0 &&
		   strcmp(got_err, "e2\n\n") == 0,
	   "a joined line is kept or dropped whole, by its first part");
	o.since = (struct timespec){0};
	o.until = (struct timespec){.tv_sec = T0 + 5};
	ok(print(path, &o) == 0 && strcmp(got_out, "one\ntwo\n") == 0 &&
		   strcmp(got_err, "e1\ne2\n") == 0,
	   "--until is exclusive (Podman's Before)");
	o.until = (struct timespec){0};

	o.tail = 2;
	ok(print(path, &o) == 0, "--tail 2");
	is_str(got_out, "three\nno newline", "  the last two lines over both streams");
	is_str(got_err, "", "  stderr lines were earlier");
	o.tail = 3;
	ok(print(path, &o) == 0 && strcmp(got_out, "three\nno newline") == 0 &&
		   strcmp(got_err, "\n") == 0,
	   "--tail 3");
	o.tail = 4;
	ok(print(path, &o) == 0 && strcmp(got_out, "three\nno newline") == 0 &&
		   strcmp(got_err, "e2\n\n") == 0,
	   "--tail 4: a joined line counts once");
	o.tail = 5;
	ok(print(path, &o) == 0 && strcmp(got_out, "two\nthree\nno newline") == 0 &&
		   strcmp(got_err, "e2\n\n") == 0,
	   "--tail 5: lines are ordered by their start");
	o.tail = 0;
	ok(print(path, &o) == 0 && strcmp(got_out, "") == 0 && strcmp(got_err, "") == 0,
	   "--tail 0 prints nothing");
	o.tail = 100;
	ok(print(path, &o) == 0 && strcmp(got_out, "one\ntwo\nthree\nno newline") == 0,
	   "--tail larger than the log prints all");
	o.tail = 1;
	o.until = (struct timespec){.tv_sec = T0 + 4};
	ok(print(path, &o) == 0 && strcmp(got_out, "") == 0 && strcmp(got_err, "e2\n") == 0,
	   "--tail applies after --until: the last line before it");
}

static void test_print_rotated_and_order(void)
{
	_cleanup_free_ char *path = fs_path_join(top, "r.log");
	_cleanup_free_ char *rotated = fs_path_join(top, "r.log.1");
	_cleanup_free_ char *po = fs_path_join(top, "both");
	struct mon_logs_opts o = {.tail = -1};
	_cleanup_free_ char *both = NULL;
	int fd;

	put(rotated, L("1", "stdout F old") L("2", "stdout P spl"));
	put(path, L("3", "stdout F it") L("4", "stderr F new"));
	ok(print(path, &o) == 0 && strcmp(got_out, "old\nsplit\n") == 0 &&
		   strcmp(got_err, "new\n") == 0,
	   "path.1 first, a line split across the rotation joined");
	o.tail = 1;
	ok(print(path, &o) == 0 && strcmp(got_out, "") == 0, "--tail over both files");

	o.tail = -1;
	fd = open(po, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	put(path, L("1", "stdout F a") L("2", "stderr F b") L("3", "stdout F c"));
	ok(mon_logs_print(path, &o, fd, fd, NULL) == 0, "stdout and stderr to one fd");
	close(fd);
	both = fs_read_file(po, 4096, NULL, NULL);
	is_str(both, "old\nspla\nb\nc\n", "  in the log's order");
}

/* -f: a child writes through mon_log (rotating) while the parent follows. */
static pid_t writer;
static bool writer_done;

static bool child_running(void *arg)
{
	(void)arg;
	if (!writer_done && waitpid(writer, NULL, WNOHANG) == writer)
		writer_done = true;
	return !writer_done;
}

static void write_child(const char *path, long long max_size, int lines)
{
	struct mon_log *l = NULL;
	const struct timespec pause = {.tv_nsec = 1000000};

	nanosleep(&(struct timespec){.tv_nsec = 150000000}, NULL); /* start after the reader */
	if (mon_log_open(path, max_size, &l, NULL) < 0)
		_exit(1);
	for (int i = 0; i < lines; i++) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "line %03d\n", i);

		/* Every 10th line in two writes: a P record then the rest. */
		if (i % 10 == 0) {
			mon_log_write(l, 1, buf, 3, NULL);
			mon_log_write(l, 1, buf + 3, (size_t)n - 3, NULL);
		} else if (mon_log_write(l, i % 7 == 0 ? 2 : 1, buf, (size_t)n, NULL) < 0) {
			_exit(1);
		}
		nanosleep(&pause, NULL);
	}
	mon_log_write(l, 1, "bye", 3, NULL);
	mon_log_close(l);
	_exit(0);
}

static void test_follow(const char *name, long long max_size, long long tail)
{
	_cleanup_free_ char *path = fs_path_join(top, name);
	_cleanup_free_ char *rotated = NULL;
	struct mon_logs_opts o = {.tail = tail, .follow = true, .still_running = child_running};
	char want_out[16384] = "", want_err[16384] = "";

	writer_done = false;
	writer = fork();
	if (writer == 0)
		write_child(path, max_size, 200);
	ok(print(path, &o) == 0, "follow %s (max_size %lld, tail %lld)", name, max_size, tail);
	for (int i = 0; i < 200; i++) {
		char *w = i % 7 == 0 && i % 10 != 0 ? want_err : want_out;

		snprintf(w + strlen(w), sizeof(want_out) - strlen(w), "line %03d\n", i);
	}
	snprintf(want_out + strlen(want_out), sizeof(want_out) - strlen(want_out), "bye");
	is_str(got_out, want_out, "  every stdout line, in order, the last partial too");
	is_str(got_err, want_err, "  every stderr line");
	if (max_size > 0) {
		rotated = fs_path_join(top, "f2.log.1");
		ok(fs_exists(rotated), "  the log did rotate meanwhile");
	}
}

static void test_follow_misc(void)
{
	_cleanup_free_ char *path = fs_path_join(top, "a.log");
	struct mon_logs_opts o = {.tail = 1, .follow = true, .still_running = child_running};

	put(path, sample);
	writer_done = true;
	ok(print(path, &o) == 0 && strcmp(got_out, "no newline") == 0,
	   "follow of a stopped container prints what there is and returns");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	setenv("TZ", "UTC0", 1);
	tzset();
	snprintf(top, sizeof(top), "%s/rcr-test-logread-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	test_parse_good();
	test_parse_bad();
	test_print_basic();
	test_print_filters();
	test_print_rotated_and_order();
	test_follow("f1.log", 0, -1);
	/* Records are 53 bytes: 200 lines and more are 11 KB, 2 rotations at 4 KB. */
	test_follow("f2.log", 4096, -1);
	test_follow_misc();
	fs_rm_rf(top, NULL);
	return tap_done();
}
