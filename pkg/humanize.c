/* Human-readable durations and sizes (see humanize.h). */
#include "pkg/humanize.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void humanize_duration(long long seconds, char *out, size_t len)
{
	long long minutes = seconds / 60, hours = seconds / 3600;

	if (seconds < 1)
		snprintf(out, len, "Less than a second");
	else if (seconds == 1)
		snprintf(out, len, "1 second");
	else if (seconds < 60)
		snprintf(out, len, "%lld seconds", seconds);
	else if (minutes == 1)
		snprintf(out, len, "About a minute");
	else if (minutes < 60)
		snprintf(out, len, "%lld minutes", minutes);
	else if (hours == 1)
		snprintf(out, len, "About an hour");
	else if (hours < 48)
		snprintf(out, len, "%lld hours", hours);
	else if (hours < 24LL * 7 * 2)
		snprintf(out, len, "%lld days", hours / 24);
	else if (hours < 24LL * 30 * 2)
		snprintf(out, len, "%lld weeks", hours / 24 / 7);
	else if (hours < 24LL * 365 * 2)
		snprintf(out, len, "%lld months", hours / 24 / 30);
	else
		snprintf(out, len, "%lld years", hours / 24 / 365);
}

void humanize_size(double bytes, char *out, size_t len)
{
	static const char *const units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
	size_t i = 0;

	while (bytes >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
		bytes /= 1000.0;
		i++;
	}
	snprintf(out, len, "%.3g %s", bytes, units[i]);
}

long long humanize_parse_duration(const char *s)
{
	double total = 0;
	const char *p = s;

	if (*p == '\0')
		return -1;
	while (*p != '\0') {
		char *end;
		double v = strtod(p, &end);

		if (end == p || v < 0)
			return -1;
		p = end;
		if (strncmp(p, "ms", 2) == 0) {
			total += v / 1000;
			p += 2;
		} else if (*p == 'h' || *p == 'm' || *p == 's') {
			total += v * (*p == 'h' ? 3600 : *p == 'm' ? 60 : 1);
			p++;
		} else {
			return -1;
		}
	}
	return (long long)total;
}

long long humanize_parse_rfc3339(const char *s)
{
	struct tm tm = {0};
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	long long t, off = 0;

	if (p == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
		off = (strtol(p + 1, NULL, 10) * 3600LL + strtol(p + 4, NULL, 10) * 60LL) *
		      (*p == '-' ? -1 : 1);
	} else if (strcmp(p, "Z") != 0) {
		return -1;
	}
	t = (long long)timegm(&tm);
	return t - off;
}

void humanize_go_time(long long t, char *out, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
}
