/* Time arguments and RFC 3339 timestamps (see timeparse.h), matching what Podman's Go code
 * accepts: time.Parse with the layouts of containers/common ParseInputTime, Unix seconds, and
 * time.ParseDuration.
 *
 * The parsers are pure: they never read TZ, the clock or the environment (now is an argument),
 * and never read past the length they are given. Calendar arithmetic is done here rather than
 * with timegm(), so that a parse cannot depend on the C library's range of time_t conversions.
 */
#include "pkg/timeparse.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSEC_PER_SEC 1000000000LL

/* The accepted forms, for every parse error of a time argument. */
#define ARG_FORMS                                                                                  \
	"use an RFC 3339 time ('2026-11-23T10:00:00Z', '2026-11-23T10:00:00.5+01:00'), a UTC "     \
	"date and time ('2026-11-23T10:00:00', '2026-11-23'), Unix seconds ('1700000000.5') or a " \
	"duration before now ('10m', '1h30m', '300ms')"

/* Days since 1970-01-01 of a proleptic Gregorian date (month 1-12): the era-based conversion,
 * exact for every year a four-digit field can hold. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	int64_t yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* A read position over [p, p+n). */
struct cursor {
	const char *p;
	size_t n;
	size_t i;
};

static bool at_end(const struct cursor *c)
{
	return c->i >= c->n;
}

static bool peek_is(const struct cursor *c, char ch)
{
	return c->i < c->n && c->p[c->i] == ch;
}

static bool is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Exactly k digits. */
static bool take_digits(struct cursor *c, int k, int *out)
{
	int v = 0;

	if (c->i > c->n || c->n - c->i < (size_t)k)
		return false;
	for (int j = 0; j < k; j++) {
		char ch = c->p[c->i + (size_t)j];

		if (!is_digit(ch))
			return false;
		v = v * 10 + (ch - '0');
	}
	c->i += (size_t)k;
	*out = v;
	return true;
}

static bool take_char(struct cursor *c, char ch)
{
	if (!peek_is(c, ch))
		return false;
	c->i++;
	return true;
}

/* One or more fraction digits as nanoseconds; digits past the ninth are read and ignored, as
 * Go's time.Parse does. */
static bool take_fraction(struct cursor *c, long *nsec)
{
	long v = 0;
	int k = 0;

	if (at_end(c) || !is_digit(c->p[c->i]))
		return false;
	while (!at_end(c) && is_digit(c->p[c->i])) {
		if (k < 9) {
			v = v * 10 + (c->p[c->i] - '0');
			k++;
		}
		c->i++;
	}
	for (; k < 9; k++)
		v *= 10;
	*nsec = v;
	return true;
}

/* 'Z' or "+HH:MM"/"-HH:MM" as seconds east of UTC. Go (1.20+) refuses offsets of 24 hours or
 * more and minutes of 60 or more in RFC 3339 input; so do we. */
static bool take_zone(struct cursor *c, long *off, const char **why)
{
	int sign, hh, mm;

	if (take_char(c, 'Z')) {
		*off = 0;
		return true;
	}
	if (peek_is(c, '+'))
		sign = 1;
	else if (peek_is(c, '-'))
		sign = -1;
	else
		return false;
	c->i++;
	if (!take_digits(c, 2, &hh) || !take_char(c, ':') || !take_digits(c, 2, &mm))
		return false;
	if (hh >= 24 || mm >= 60) {
		*why = "zone offset out of range";
		return false;
	}
	*off = sign * (hh * 3600L + mm * 60L);
	return true;
}

enum dt_mode {
	DT_RFC3339, /* date 'T' time [fraction] zone */
	DT_ARG,	    /* also: no zone (UTC), date alone, date with zone */
};

/* Parse a date-time in [s, s+len) as mode allows. False when it is not one; *why then says what
 * was out of range when the shape was right (NULL when the shape itself did not match). */
static bool parse_datetime(const char *s, size_t len, enum dt_mode mode, struct timespec *out,
			   const char **why)
{
	struct cursor c = {.p = s, .n = len, .i = 0};
	int y, mo, d, hh = 0, mi = 0, ss = 0;
	long nsec = 0, off = 0;
	int64_t secs;

	*why = NULL;
	if (!take_digits(&c, 4, &y) || !take_char(&c, '-') || !take_digits(&c, 2, &mo) ||
	    !take_char(&c, '-') || !take_digits(&c, 2, &d))
		return false;
	if (take_char(&c, 'T')) {
		if (!take_digits(&c, 2, &hh) || !take_char(&c, ':') || !take_digits(&c, 2, &mi) ||
		    !take_char(&c, ':') || !take_digits(&c, 2, &ss))
			return false;
		/* Go accepts a comma as the fraction separator too (RFC 3339 allows only '.',
		 * ISO 8601 both). */
		if ((take_char(&c, '.') || take_char(&c, ',')) && !take_fraction(&c, &nsec))
			return false;
		/* RFC 3339 requires the zone; Go's zone-less layouts read the time as UTC. */
		if (at_end(&c) && mode == DT_RFC3339)
			return false;
		if (!at_end(&c) && !take_zone(&c, &off, why))
			return false;
	} else {
		if (mode == DT_RFC3339)
			return false;
		if (!at_end(&c) && !take_zone(&c, &off, why))
			return false;
	}
	if (!at_end(&c))
		return false;
	if (mo < 1 || mo > 12) {
		*why = "month out of range";
		return false;
	}
	if (d < 1 || d > days_in_month(y, mo)) {
		*why = "day out of range";
		return false;
	}
	if (hh > 23 || mi > 59 || ss > 59) {
		if (hh > 23)
			*why = "hour out of range";
		else
			*why = mi > 59 ? "minute out of range" : "second out of range";
		return false;
	}
	secs = days_from_civil(y, mo, d) * 86400 + (int64_t)hh * 3600 + (int64_t)mi * 60 + ss - off;
	out->tv_sec = (time_t)secs;
	out->tv_nsec = nsec;
	return true;
}

int timeparse_rfc3339_n(const char *s, size_t len, struct timespec *out, struct rcr_error **err)
{
	const char *why = NULL;

	if (parse_datetime(s, len, DT_RFC3339, out, &why))
		return 0;
	rcr_error_set(err, EINVAL, "invalid RFC 3339 time '%.*s'%s%s", (int)(len > 64 ? 64 : len),
		      s, why ? ": " : "", why ? why : "");
	return -1;
}

int timeparse_rfc3339(const char *s, struct timespec *out, struct rcr_error **err)
{
	return timeparse_rfc3339_n(s, strlen(s), out, err);
}

/* Unix seconds with an optional sign and fraction ("1700000000", "1700000000.5", "-1.5", ".5"),
 * read exactly (Podman goes through a float64 and loses the last digits of the nanoseconds).
 * Go's ParseFloat also takes exponents, hex and "Inf"; those make no sense as a time and are
 * refused. */
static bool parse_unix(const char *s, struct timespec *out, const char **why)
{
	struct cursor c = {.p = s, .n = strlen(s), .i = 0};
	bool neg = false, int_digits = false;
	int64_t sec = 0;
	long nsec = 0;
	int k = 0;

	if (take_char(&c, '-'))
		neg = true;
	else
		take_char(&c, '+');
	while (!at_end(&c) && is_digit(c.p[c.i])) {
		/* 18 digits cannot overflow int64 (and are far past any real time). */
		if (++k > 18) {
			*why = "Unix seconds out of range";
			return false;
		}
		sec = sec * 10 + (c.p[c.i++] - '0');
		int_digits = true;
	}
	if (take_char(&c, '.')) {
		if (!take_fraction(&c, &nsec) && !int_digits)
			return false;
	} else if (!int_digits) {
		return false;
	}
	if (!at_end(&c))
		return false;
	if (neg && nsec > 0) {
		out->tv_sec = (time_t)(-sec - 1);
		out->tv_nsec = NSEC_PER_SEC - nsec;
	} else {
		out->tv_sec = (time_t)(neg ? -sec : sec);
		out->tv_nsec = nsec;
	}
	return true;
}

/* A unit of a Go duration: its length in nanoseconds, 0 when unknown. Go spells microseconds
 * "us", "µs" (U+00B5) or "μs" (U+03BC). */
static uint64_t duration_unit(const char *u, size_t n)
{
	static const struct {
		const char *name;
		uint64_t ns;
	} units[] = {
		{"ns", 1ULL},
		{"us", 1000ULL},
		{"\xc2\xb5s", 1000ULL},
		{"\xce\xbcs", 1000ULL},
		{"ms", 1000000ULL},
		{"s", 1000000000ULL},
		{"m", 60ULL * 1000000000ULL},
		{"h", 3600ULL * 1000000000ULL},
	};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strlen(units[i].name) == n && memcmp(units[i].name, u, n) == 0)
			return units[i].ns;
	return 0;
}

/* Go's time.ParseDuration: [-+]? then one or more "<number><unit>" ("1h30m", "1.5s", ".5m");
 * "0" alone needs no unit. The magnitude must fit in int64 nanoseconds (about 292 years). */
static bool parse_duration(const char *s, bool *neg, uint64_t *out, const char **why)
{
	const uint64_t limit = (uint64_t)1 << 63;
	struct cursor c = {.p = s, .n = strlen(s), .i = 0};
	uint64_t total = 0;

	*neg = take_char(&c, '-');
	if (!*neg)
		take_char(&c, '+');
	if (c.n - c.i == 1 && c.p[c.i] == '0') {
		*out = 0;
		return true;
	}
	if (at_end(&c))
		return false;
	while (!at_end(&c)) {
		uint64_t v = 0, f = 0, scale = 1, unit, part;
		bool pre = false, post = false;
		size_t u0;

		while (!at_end(&c) && is_digit(c.p[c.i])) {
			uint64_t dgt = (uint64_t)(c.p[c.i++] - '0');

			if (v > (limit - dgt) / 10) {
				*why = "duration out of range";
				return false;
			}
			v = v * 10 + dgt;
			pre = true;
		}
		if (take_char(&c, '.')) {
			while (!at_end(&c) && is_digit(c.p[c.i])) {
				/* Digits past what fits are ignored, as Go does. */
				if (scale < 1000000000000000000ULL) {
					f = f * 10 + (uint64_t)(c.p[c.i] - '0');
					scale *= 10;
				}
				c.i++;
				post = true;
			}
		}
		if (!pre && !post)
			return false;
		u0 = c.i;
		while (!at_end(&c) && c.p[c.i] != '.' && !is_digit(c.p[c.i]))
			c.i++;
		unit = duration_unit(c.p + u0, c.i - u0);
		if (unit == 0)
			return false;
		if (v > limit / unit) {
			*why = "duration out of range";
			return false;
		}
		part = v * unit;
		/* f/scale < 1, so f*unit/scale < unit; compute it without overflowing f*unit. */
		part += (uint64_t)((long double)f * (long double)unit / (long double)scale);
		if (part > limit || total > limit - part) {
			*why = "duration out of range";
			return false;
		}
		total += part;
	}
	if (!*neg && total == limit) {
		*why = "duration out of range";
		return false;
	}
	*out = total;
	return true;
}

static void timespec_normalize(struct timespec *t)
{
	while (t->tv_nsec < 0) {
		t->tv_nsec += NSEC_PER_SEC;
		t->tv_sec--;
	}
	while (t->tv_nsec >= NSEC_PER_SEC) {
		t->tv_nsec -= NSEC_PER_SEC;
		t->tv_sec++;
	}
}

int timeparse_arg(const char *s, struct timespec now, struct timespec *out, struct rcr_error **err)
{
	const char *why = NULL, *why_dt = NULL, *why_unix = NULL;
	uint64_t d;
	bool neg;

	/* Podman's order: the time layouts, then Unix seconds, then a duration. */
	if (parse_datetime(s, strlen(s), DT_ARG, out, &why_dt))
		return 0;
	if (parse_unix(s, out, &why_unix))
		return 0;
	if (parse_duration(s, &neg, &d, &why)) {
		/* A duration means "that long before now"; a negative one lies in the future. */
		long long dsec = (long long)(d / NSEC_PER_SEC),
			  dnsec = (long long)(d % NSEC_PER_SEC);

		out->tv_sec = neg ? now.tv_sec + (time_t)dsec : now.tv_sec - (time_t)dsec;
		out->tv_nsec = neg ? now.tv_nsec + (long)dnsec : now.tv_nsec - (long)dnsec;
		timespec_normalize(out);
		return 0;
	}
	why = why_dt ? why_dt : why_unix ? why_unix : why;
	rcr_error_set(err, EINVAL, "invalid time '%s'%s%s: " ARG_FORMS, s, why ? ": " : "",
		      why ? why : "");
	return -1;
}

/* Write ts broken down in tm, with its nanoseconds and zone text, clamping an out-of-range
 * tv_nsec rather than printing garbage digits. */
static void format_tm(const struct tm *tm, long nsec, const char *zone, char *buf, size_t size)
{
	if (nsec < 0 || nsec >= NSEC_PER_SEC)
		nsec = 0;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld%s", tm->tm_year + 1900,
		 tm->tm_mon + 1, tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec, nsec, zone);
}

void timeparse_format_utc(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	time_t t = ts->tv_sec;

	if (size == 0)
		return;
	if (gmtime_r(&t, &tm) == NULL) {
		/* Only for a time_t beyond year 2^31: nothing real. */
		snprintf(buf, size, "%lld", (long long)ts->tv_sec);
		return;
	}
	format_tm(&tm, ts->tv_nsec, "Z", buf, size);
}

void timeparse_format_local(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	char zone[16];
	long off;

	if (size == 0)
		return;
	if (localtime_r(&t, &tm) == NULL) {
		timeparse_format_utc(ts, buf, size);
		return;
	}
	/* conmon writes off % 3600 as the minutes, which is wrong for zones like +05:30 (it
	 * writes "+05:1800"); we write the real minutes, which Podman can parse. */
	off = labs(tm.tm_gmtoff) % 86400;
	snprintf(zone, sizeof(zone), "%c%02d:%02d", tm.tm_gmtoff < 0 ? '-' : '+', (int)(off / 3600),
		 (int)(off % 3600 / 60));
	format_tm(&tm, ts->tv_nsec, zone, buf, size);
}
