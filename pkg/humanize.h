/* Durations and sizes as Podman prints them (Go's docker/go-units): "3 weeks", "About an hour",
 * "4.26 MB". Pure.
 */
#ifndef RCR_PKG_HUMANIZE_H
#define RCR_PKG_HUMANIZE_H

#include <stddef.h>

/* units.HumanDuration of seconds into out: "Less than a second", "5 seconds", "About a minute",
 * "12 minutes", "About an hour", "30 hours", "9 days", "3 weeks", "5 months", "2 years". */
void humanize_duration(long long seconds, char *out, size_t len);

/* units.HumanSizeWithPrecision(bytes, 3): decimal units, 3 significant digits: "130 B",
 * "1 kB", "4.26 MB". */
void humanize_size(double bytes, char *out, size_t len);

/* Parse "2h", "30m", "45s", "1h30m" (Go's time.ParseDuration subset: h, m, s, ms) into seconds.
 * Returns -1 when s is not such a duration. */
long long humanize_parse_duration(const char *s);

/* RFC 3339 ("2024-01-02T03:04:05.123456789Z", "...+02:00") to unix seconds; -1 when not. */
long long humanize_parse_rfc3339(const char *s);

/* Go's time.Time String of unix seconds in UTC: "2024-01-02 03:04:05 +0000 UTC". */
void humanize_go_time(long long t, char *out, size_t len);

#endif
