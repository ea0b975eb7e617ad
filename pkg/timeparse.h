/* Time arguments and RFC 3339 timestamps, as Podman reads and writes them: --since/--until of
 * logs and events, time filters, and the timestamps of k8s-file log records.
 */
#ifndef RCR_PKG_TIMEPARSE_H
#define RCR_PKG_TIMEPARSE_H

#include <stddef.h>
#include <time.h>

#include "pkg/error.h"

/* Podman's time arguments (containers/common ParseInputTime), tried in this order:
 *   RFC 3339 with optional fraction      "2026-11-23T10:00:00Z", "2026-11-23T10:00:00.5+01:00"
 *   the same without a zone: UTC         "2026-11-23T10:00:00", "2026-11-23T10:00:00.25"
 *   a date with a zone                   "2026-11-23Z", "2026-11-23+01:00"
 *   a date alone: UTC midnight           "2026-11-23"
 *   Unix seconds, optional fraction      "1700000000", "1700000000.123456789", "-1.5"
 *   a Go duration: that long before now  "10m", "1h30m", "2.5s", "300ms", "-5m" (5m after now)
 * Zone-less forms are UTC, not local time, because Go's time.Parse (which Podman uses) reads
 * them so. Pure: now is passed in, TZ is never read. s is borrowed. Errors quote s and list the
 * accepted forms; the caller wraps them with the option's name. */
int timeparse_arg(const char *s, struct timespec now, struct timespec *out, struct rcr_error **err);

/* Size for the formatters' buffers: "-YYYY-MM-DDTHH:MM:SS.NNNNNNNNN+HH:MM" and the NUL fit. */
#define TIMEPARSE_BUF_SIZE 48

/* Format ts as RFC 3339 in UTC with all nine fraction digits, the layout Podman's log reader
 * expects ("2026-11-23T10:15:02.123456789Z"), into buf (size >= TIMEPARSE_BUF_SIZE; shorter
 * buffers get a truncated, NUL-terminated string). */
void timeparse_format_utc(const struct timespec *ts, char *buf, size_t size);

/* Same in local time (TZ, via localtime_r) with a numeric offset, as conmon writes k8s-file
 * records ("2026-11-23T10:15:02.123456789+01:00"; UTC is "+00:00", never "Z"). */
void timeparse_format_local(const struct timespec *ts, char *buf, size_t size);

/* Parse a full RFC 3339 timestamp: date, 'T', time, optional fraction (any number of digits;
 * past nine they are ignored, as Go does), and 'Z' or a numeric offset. What both formatters
 * write and what Podman writes. s is NUL-terminated and borrowed. */
int timeparse_rfc3339(const char *s, struct timespec *out, struct rcr_error **err);

/* The same over [s, s+len): s need not be NUL-terminated (a field of a log line). */
int timeparse_rfc3339_n(const char *s, size_t len, struct timespec *out, struct rcr_error **err);

#endif
