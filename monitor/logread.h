/* Reading a container's k8s-file log (the format of k8slog.h) for `rcr logs`: a pure line
 * parser, and a printer with Podman's options (--since, --until, --tail, -t, -f, and the
 * container prefix of logs over several containers).
 */
#ifndef RCR_MONITOR_LOGREAD_H
#define RCR_MONITOR_LOGREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "pkg/error.h"

struct mon_log_record {
	struct timespec ts;
	int stream;	     /* 1 stdout, 2 stderr */
	bool partial;	     /* P */
	const char *ts_text; /* borrowed from the line: the timestamp as written */
	size_t ts_len;
	const char *text; /* borrowed: the text after "F "/"P " without the '\n' */
	size_t len;
};

/* Parse one line (without its '\n'; line need not be NUL-terminated and is borrowed, as are
 * the record's pointers into it). 0 ok, -1 for a malformed line (err says why). Pure. */
int mon_log_parse_line(const char *line, size_t len, struct mon_log_record *out,
		       struct rcr_error **err);

struct mon_logs_opts {
	/* Zero: no bound. As Podman, a line is shown when since < time < until (both bounds
	 * exclusive). A line's time is that of its first record (a P record's, when joined). */
	struct timespec since, until;
	long long tail;	 /* -1 all, else the last N lines (P records joined count as one) */
	bool timestamps; /* -t: each line starts with its time and a space, as podman logs -t */
	/* -f: at the end, wait for more (polling every 100 ms) until still_running(arg) returns
	 * false (or until has passed), then print what is left and return. */
	bool follow;
	bool (*still_running)(void *arg);
	void *arg;
	const char *prefix; /* when non-NULL, printed as is before every line (e.g. "abc123 ") */
};

/* Print the log at path (path.1 first when it exists) as `podman logs` does: stdout records to
 * out_fd, stderr records to err_fd (both borrowed; the relative order of lines is kept when they
 * are the same terminal), P records joined with the next record of the same stream, an F
 * record's text followed by '\n' (a P record left last is printed without one). A missing log
 * file prints nothing; malformed lines are skipped. While following, a rotation of the log (see
 * mon_log_open) loses no record. */
int mon_logs_print(const char *path, const struct mon_logs_opts *o, int out_fd, int err_fd,
		   struct rcr_error **err);

#endif
