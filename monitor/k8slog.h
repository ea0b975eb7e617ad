/* The container log in Podman's k8s-file format, as the monitor writes it (conmon's format, so
 * that tools reading Podman's logs read ours): one record per line,
 *
 *	<time> <stream> <F|P> <text>\n
 *
 * time RFC 3339 with nine fraction digits in local time and a numeric offset
 * ("2026-11-23T10:15:02.123456789+01:00"), stream "stdout" or "stderr", F when text was a whole
 * line (its '\n' is the record's end), P when the chunk read ended without a newline (a '\n' is
 * added to end the record; the reader joins it with the next record of the same stream).
 */
#ifndef RCR_MONITOR_K8SLOG_H
#define RCR_MONITOR_K8SLOG_H

#include <stddef.h>
#include <time.h>

#include "pkg/error.h"

struct mon_log;

/* Open path for appending (O_APPEND, O_CLOEXEC, created 0600); path is copied. max_size > 0
 * rotates: when a record would take the file past max_size, the current file is renamed to
 * "path.1" (replacing an older one) and a new file started, so at most about 2*max_size is kept.
 * A single record larger than max_size still goes whole into a fresh file. *out is owned by the
 * caller: mon_log_close it. */
int mon_log_open(const char *path, long long max_size, struct mon_log **out,
		 struct rcr_error **err);

/* Record len bytes the container wrote on stream (1 stdout, 2 stderr), timestamped now: one F
 * record per complete line, a P record for a trailing part without newline. buf is borrowed;
 * len 0 writes nothing. */
int mon_log_write(struct mon_log *l, int stream, const char *buf, size_t len,
		  struct rcr_error **err);

/* Close the file and free l; NULL is fine. */
void mon_log_close(struct mon_log *l);

/* The pure formatter under mon_log_write, for tests: the records for buf (len bytes, borrowed)
 * on stream at time ts, in local time (TZ). *out is owned by the caller (free), NUL-terminated,
 * *out_len its length without the NUL; len 0 gives an empty string. */
int mon_log_format(const struct timespec *ts, int stream, const char *buf, size_t len, char **out,
		   size_t *out_len, struct rcr_error **err);

#endif
