/* Unit tests of monitor/k8slog.c: the exact bytes of k8s-file records (full lines, several lines
 * in one chunk, a trailing partial chunk, an empty chunk, bytes that are not text), the writer's
 * appending and file mode, and rotation to path.1 with the total size bounded and no record split
 * or lost between the two files.
 *
 * TZ is set explicitly (POSIX rules, no tzdata needed) so that the local-time stamps do not
 * depend on the machine. Files live under a fresh mkdtemp dir, removed at the end.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "monitor/k8slog.h"
#include "monitor/logread.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

static char top[1024];

/* 2026-11-23T10:00:00Z plus some nanoseconds. */
static const struct timespec ts0 = {.tv_sec = 1795428000, .tv_nsec = 123456789};

/* Format and compare with want, byte for byte (buf may hold NULs: len given). */
static int format_is(int stream, const char *buf, size_t len, const char *want)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *out = NULL;
	size_t n = 99;

	if (mon_log_format(&ts0, stream, buf, len, &out, &n, &err) < 0) {
		printf("# error: %s\n", err->msg);
		return 0;
	}
	if (n != strlen(want) || memcmp(out, want, n) != 0 || out[n] != '\0') {
		printf("# got (%zu) '%s'\n# want (%zu) '%s'\n", n, out, strlen(want), want);
		return 0;
	}
	return 1;
}

#define TS_UTC "2026-11-23T10:00:00.123456789+00:00"

static void test_format(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *out = NULL;
	size_t n = 0;

	setenv("TZ", "UTC0", 1);
	tzset();
	ok(format_is(1, "hello\n", 6, TS_UTC " stdout F hello\n"), "one full line");
	ok(format_is(2, "oops\n", 5, TS_UTC " stderr F oops\n"), "stderr");
	ok(format_is(1, "a\nb b\n", 6, TS_UTC " stdout F a\n" TS_UTC " stdout F b b\n"),
	   "two lines in one chunk, same time");
	ok(format_is(1, "a\nbc", 4, TS_UTC " stdout F a\n" TS_UTC " stdout P bc\n"),
	   "a trailing part is a P record ended by an added newline");
	ok(format_is(1, "xyz", 3, TS_UTC " stdout P xyz\n"), "only a partial");
	ok(format_is(1, "\n", 1, TS_UTC " stdout F \n"), "an empty line");
	ok(format_is(1, "\n\n", 2, TS_UTC " stdout F \n" TS_UTC " stdout F \n"), "two empty lines");
	ok(format_is(1, "", 0, ""), "an empty chunk gives nothing");
	ok(format_is(1, "a\r\n\tb\x01\n", 7, TS_UTC " stdout F a\r\n" TS_UTC " stdout F \tb\x01\n"),
	   "CR, tabs and control bytes kept as they are");
	ok(mon_log_format(&ts0, 1, "a\0b\n", 4, &out, &n, NULL) == 0 && n == sizeof(TS_UTC) + 13 &&
		   memcmp(out + sizeof(TS_UTC) + 9, "a\0b\n", 4) == 0,
	   "a NUL byte is kept");
	free(out);
	out = NULL;

	setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3", 1);
	tzset();
	ok(format_is(1, "x\n", 2, "2026-11-23T11:00:00.123456789+01:00 stdout F x\n"),
	   "local time with a numeric offset, as conmon");
	setenv("TZ", "UTC0", 1);
	tzset();

	ok(mon_log_format(&ts0, 3, "x\n", 2, &out, &n, &err) < 0, "stream 3 is refused");
	has_str(err ? err->msg : NULL, "unknown stream 3", "  and named");
}

/* Read a whole file (NULL when missing). */
static char *slurp(const char *path, size_t *len)
{
	return fs_read_file(path, 1 << 24, len, NULL);
}

static void test_writer(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *path = fs_path_join(top, "plain.log");
	_cleanup_free_ char *data = NULL;
	struct mon_log *l = NULL;
	struct stat st;
	size_t len = 0;

	ok(mon_log_open(path, 0, &l, &err) == 0, "open a new log");
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600, "  created 0600");
	ok(mon_log_write(l, 1, "one\ntw", 6, &err) == 0, "write a line and a part");
	ok(mon_log_write(l, 2, "", 0, &err) == 0, "an empty write is fine");
	ok(mon_log_write(l, 1, "o\n", 2, &err) == 0, "the rest of the line");
	ok(mon_log_write(l, 5, "x", 1, &err) < 0, "a bad stream is an error");
	rcr_error_clear(&err);
	mon_log_close(l);
	l = NULL;
	ok(mon_log_open(path, 0, &l, &err) == 0 && mon_log_write(l, 2, "err\n", 4, &err) == 0,
	   "reopen and append");
	mon_log_close(l);
	mon_log_close(NULL);

	data = slurp(path, &len);
	ok(data != NULL, "log readable");
	if (data == NULL)
		return;
	{
		const char *want[] = {"stdout F one", "stdout P tw", "stdout F o", "stderr F err"};
		char *save = NULL, *line = strtok_r(data, "\n", &save);
		int i = 0, good = 1;

		for (; line != NULL && i < 4; line = strtok_r(NULL, "\n", &save), i++) {
			struct mon_log_record rec;

			good &= mon_log_parse_line(line, strlen(line), &rec, NULL) == 0;
			good &= strcmp(line + rec.ts_len + 1, want[i]) == 0;
		}
		ok(good && i == 4 && line == NULL, "four records in order, parseable");
	}

	ok(mon_log_open("/nonexistent-dir/x.log", 0, &l, &err) < 0, "open in a missing dir fails");
	has_str(err ? err->msg : NULL, "opening log '/nonexistent-dir/x.log'", "  naming the path");
}

/* The texts of all records in buf, one per line, appended to acc. Returns 0 when a record does
 * not parse or buf does not end in '\n'. */
static int collect(const char *buf, size_t len, char *acc, size_t cap)
{
	size_t pos = 0;

	if (len > 0 && buf[len - 1] != '\n')
		return 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		struct mon_log_record rec;

		if (mon_log_parse_line(buf + pos, (size_t)(nl - buf) - pos, &rec, NULL) < 0)
			return 0;
		snprintf(acc + strlen(acc), cap - strlen(acc), "%.*s\n", (int)rec.len, rec.text);
		pos = (size_t)(nl - buf) + 1;
	}
	return 1;
}

static void test_rotation(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *path = fs_path_join(top, "rot.log");
	_cleanup_free_ char *rotated = fs_path_join(top, "rot.log.1");
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct mon_log *l = NULL;
	char acc[8192] = "", want[8192] = "";
	size_t alen = 0, blen = 0;
	int good = 1, i;

	/* Each record is 35 (time) + 10 + 8 ("line NN\n") = 53 bytes; 200 holds three. */
	ok(mon_log_open(path, 200, &l, &err) == 0, "open with max_size 200");
	for (i = 0; i < 20 && good; i++) {
		char line[32];

		snprintf(line, sizeof(line), "line %02d\n", i);
		good = mon_log_write(l, 1, line, strlen(line), &err) == 0;
	}
	ok(good, "20 writes");
	/* Several records in one write may straddle the limit: they are split between files at
	 * a record boundary. */
	ok(mon_log_write(l, 1, "m1\nm2\nm3\nm4\n", 12, &err) == 0, "a multi-record write");
	mon_log_close(l);
	l = NULL;

	a = slurp(rotated, &alen);
	b = slurp(path, &blen);
	ok(a != NULL && b != NULL, "path.1 and path exist");
	if (a == NULL || b == NULL)
		return;
	ok(alen <= 200 && blen <= 200, "each file within max_size (%zu, %zu)", alen, blen);
	ok(alen + blen > 200, "  yet more than one file's worth kept");
	ok(collect(a, alen, acc, sizeof(acc)) && collect(b, blen, acc, sizeof(acc)),
	   "both files hold whole records only");
	for (i = 0; i < 20; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "line %02d\n", i);
	snprintf(want + strlen(want), sizeof(want) - strlen(want), "m1\nm2\nm3\nm4\n");
	ok(strlen(acc) > 0 && strcmp(want + strlen(want) - strlen(acc), acc) == 0,
	   "path.1 then path are the newest records, in order, none missing between them");

	/* A record larger than max_size still goes whole into a fresh file. */
	ok(mon_log_open(path, 200, &l, &err) == 0, "reopen");
	{
		char big[400];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\n';
		ok(mon_log_write(l, 2, big, sizeof(big), &err) == 0, "write a 400-byte line");
	}
	mon_log_close(l);
	free(b);
	b = slurp(path, &blen);
	ok(b != NULL && blen == 35 + 10 + 400, "  alone and whole in the new file");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-k8slog-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	test_format();
	test_writer();
	test_rotation();
	fs_rm_rf(top, NULL);
	return tap_done();
}
