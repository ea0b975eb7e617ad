/* Unit tests of pkg/timeparse.c: every form of a time argument Podman accepts (RFC 3339, UTC
 * date-times and dates, dates with a zone, Unix seconds, Go durations), their range checks and
 * error messages, and the UTC and local formatters under explicit TZ rules (POSIX TZ strings,
 * so no tzdata is needed and the machine's zone never matters).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/cleanup.h"
#include "pkg/timeparse.h"
#include "tests/unit/tap.h"

/* 2026-11-23T10:00:00Z */
#define T0 1795428000LL

static const struct timespec now = {.tv_sec = T0, .tv_nsec = 500000000};

/* Parse s as an argument; true when it gives exactly sec.nsec. */
static bool arg_is(const char *s, long long sec, long nsec)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct timespec t = {0};

	if (timeparse_arg(s, now, &t, &err) < 0) {
		printf("# '%s': %s\n", s, err->msg);
		return false;
	}
	if ((long long)t.tv_sec != sec || t.tv_nsec != nsec)
		printf("# '%s': got %lld.%09ld\n", s, (long long)t.tv_sec, t.tv_nsec);
	return (long long)t.tv_sec == sec && t.tv_nsec == nsec;
}

/* Parse s as an argument expecting failure; returns the message (static copy) or NULL. */
static const char *arg_err(const char *s)
{
	static char msg[1024];
	_cleanup_error_ struct rcr_error *err = NULL;
	struct timespec t;

	if (timeparse_arg(s, now, &t, &err) == 0)
		return NULL;
	snprintf(msg, sizeof(msg), "%s", err->msg);
	return msg;
}

static void test_rfc3339_forms(void)
{
	ok(arg_is("2026-11-23T10:00:00Z", T0, 0), "RFC 3339 in UTC");
	ok(arg_is("2026-11-23T10:00:00.5+01:00", T0 - 3600, 500000000), "fraction and offset");
	ok(arg_is("2026-11-23T10:00:00,25-05:30", T0 + 5 * 3600LL + 1800, 250000000),
	   "comma fraction, negative half-hour offset");
	ok(arg_is("2026-11-23T10:00:00.123456789Z", T0, 123456789), "nanoseconds");
	ok(arg_is("2026-11-23T10:00:00.1234567891234Z", T0, 123456789),
	   "digits past the ninth are ignored");
	ok(arg_is("2026-11-23T10:00:00", T0, 0), "no zone: UTC, as Go's time.Parse");
	ok(arg_is("2026-11-23T10:00:00.25", T0, 250000000), "no zone with a fraction");
	ok(arg_is("2026-11-23", T0 - 36000, 0), "a date alone: UTC midnight");
	ok(arg_is("2026-11-23Z", T0 - 36000, 0), "a date with Z");
	ok(arg_is("2026-11-23+01:00", T0 - 36000 - 3600, 0), "a date with an offset");
	ok(arg_is("2024-02-29T00:00:00Z", 1709164800LL, 0), "a leap day");
	ok(arg_is("1969-12-31T23:59:59Z", -1, 0), "before 1970");
	ok(arg_is("2000-02-29", 951782400LL, 0), "2000 is a leap year");
}

static void test_unix_and_durations(void)
{
	ok(arg_is("1700000000", 1700000000LL, 0), "Unix seconds");
	ok(arg_is("1700000000.123456789", 1700000000LL, 123456789), "with nanoseconds, exactly");
	ok(arg_is("1700000000.5", 1700000000LL, 500000000), "with a short fraction");
	ok(arg_is("-1.5", -2, 500000000), "negative with a fraction");
	ok(arg_is(".5", 0, 500000000), "a fraction alone");
	ok(arg_is("0", 0, 0), "0 is the epoch, not a duration");
	ok(arg_is("10m", T0 - 600, 500000000), "10m before now");
	ok(arg_is("1h30m", T0 - 5400, 500000000), "1h30m");
	ok(arg_is("2.5s", T0 - 2, 0), "2.5s");
	ok(arg_is("300ms", T0, 200000000), "300ms");
	ok(arg_is("1.5h", T0 - 5400, 500000000), "1.5h");
	ok(arg_is("1h1m1s1ms1us1ns", T0 - 3661, 500000000 - 1001001), "every unit");
	ok(arg_is("2\xc2\xb5s", T0, 499998000), "micro sign");
	ok(arg_is("2\xce\xbcs", T0, 499998000), "greek mu");
	ok(arg_is("-5m", T0 + 300, 500000000), "negative: after now");
	ok(arg_is("+5m", T0 - 300, 500000000), "explicit plus");
	ok(arg_is(".5s", T0, 0), "fraction without integer part");
	ok(arg_is("2000000h", T0 - 7200000000LL, 500000000), "a large duration");
}

static void test_errors(void)
{
	const char *m;

	m = arg_err("yesterday");
	has_str(m, "invalid time 'yesterday'", "an unknown form is refused, quoted");
	has_str(m, "RFC 3339", "  the message lists RFC 3339");
	has_str(m, "Unix seconds", "  Unix seconds");
	has_str(m, "'10m'", "  and durations");
	ok(arg_err("") != NULL, "empty is refused");
	has_str(arg_err("2026-02-30"), "day out of range", "February 30th");
	has_str(arg_err("2100-02-29"), "day out of range", "2100 is not a leap year");
	has_str(arg_err("2026-13-01"), "month out of range", "month 13");
	has_str(arg_err("2026-11-23T24:00:00Z"), "hour out of range", "hour 24");
	has_str(arg_err("2026-11-23T10:60:00Z"), "minute out of range", "minute 60");
	has_str(arg_err("2026-11-23T10:00:60Z"), "second out of range", "second 60 (as Go)");
	has_str(arg_err("2026-11-23T10:00:00+24:00"), "zone offset out of range", "offset 24h");
	ok(arg_err("2026-11-23T10:00:00+0100") != NULL, "offset without colon");
	ok(arg_err("2026-11-23t10:00:00Z") != NULL, "lower-case t");
	ok(arg_err("2026-11-23T10:00:00z") != NULL, "lower-case z");
	ok(arg_err("2026-11-23T10:00:00.Z") != NULL, "a dot without digits");
	ok(arg_err("2026-11-23T10:00") != NULL, "no seconds");
	ok(arg_err("26-11-23") != NULL, "two-digit year");
	ok(arg_err("2026-11-23 10:00:00") != NULL, "a space instead of T");
	ok(arg_err("10") == NULL, "10 is Unix seconds");
	ok(arg_err("1x") != NULL, "unknown unit");
	ok(arg_err("h") != NULL, "unit without number");
	ok(arg_err(".s") != NULL, "dot without digits in a duration");
	ok(arg_err("1h 30m") != NULL, "blank inside a duration");
	ok(arg_err("1e9") != NULL, "exponent");
	ok(arg_err("inf") != NULL, "inf");
	ok(arg_err("-") != NULL, "sign alone");
	has_str(arg_err("3000000h"), "duration out of range", "a duration past int64");
	has_str(arg_err("99999999999999999999"), "out of range", "too many Unix seconds");
}

static void test_rfc3339_strict(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct timespec t;
	/* Not NUL-terminated: the parser must stop at len. */
	char buf[20];

	ok(timeparse_rfc3339("2026-11-23T10:00:00.000000001+00:00", &t, NULL) == 0 &&
		   t.tv_sec == T0 && t.tv_nsec == 1,
	   "strict: full form");
	ok(timeparse_rfc3339("2026-11-23T10:00:00", &t, &err) < 0, "strict: zone required");
	has_str(err ? err->msg : NULL, "invalid RFC 3339 time '2026-11-23T10:00:00'",
		"  error quotes the text");
	ok(timeparse_rfc3339("2026-11-23", &t, NULL) < 0, "strict: date alone refused");
	ok(timeparse_rfc3339("1700000000", &t, NULL) < 0, "strict: Unix seconds refused");
	memcpy(buf, "2026-11-23T10:00:00Z", 20);
	ok(timeparse_rfc3339_n(buf, 20, &t, NULL) == 0 && t.tv_sec == T0, "_n: exact length");
	ok(timeparse_rfc3339_n(buf, 19, &t, NULL) < 0, "_n: the zone cut off");
}

/* Format ts under the TZ rule tz. */
static const char *local(const char *tz, long long sec, long nsec)
{
	static char buf[TIMEPARSE_BUF_SIZE];
	struct timespec ts = {.tv_sec = (time_t)sec, .tv_nsec = nsec};

	setenv("TZ", tz, 1);
	tzset();
	timeparse_format_local(&ts, buf, sizeof(buf));
	return buf;
}

static void test_format(void)
{
	char buf[TIMEPARSE_BUF_SIZE];
	struct timespec ts = {.tv_sec = T0 + 2, .tv_nsec = 123456789}, back;
	const char *cet = "CET-1CEST,M3.5.0,M10.5.0/3";

	timeparse_format_utc(&ts, buf, sizeof(buf));
	is_str(buf, "2026-11-23T10:00:02.123456789Z", "UTC format");
	ts.tv_nsec = 0;
	timeparse_format_utc(&ts, buf, sizeof(buf));
	is_str(buf, "2026-11-23T10:00:02.000000000Z", "nine digits always (Podman's log layout)");
	ts = (struct timespec){.tv_sec = -2, .tv_nsec = 500000000};
	timeparse_format_utc(&ts, buf, sizeof(buf));
	is_str(buf, "1969-12-31T23:59:58.500000000Z", "before 1970");
	timeparse_format_utc(&ts, buf, 11);
	is_str(buf, "1969-12-31", "a short buffer truncates");

	is_str(local(cet, T0, 5), "2026-11-23T11:00:00.000000005+01:00", "local: CET winter");
	is_str(local(cet, 1782907200LL, 0), "2026-07-01T14:00:00.000000000+02:00",
	       "local: CEST summer");
	is_str(local("IST-5:30", T0, 0), "2026-11-23T15:30:00.000000000+05:30",
	       "local: half-hour offset written right (not conmon's +05:1800)");
	is_str(local("EST5", T0, 0), "2026-11-23T05:00:00.000000000-05:00", "local: west");
	is_str(local("UTC0", T0, 0), "2026-11-23T10:00:00.000000000+00:00",
	       "local: UTC as +00:00, as conmon");
	ok(timeparse_rfc3339(local("IST-5:30", T0, 42), &back, NULL) == 0 && back.tv_sec == T0 &&
		   back.tv_nsec == 42,
	   "local output parses back to the same instant");
}

int main(void)
{
	test_rfc3339_forms();
	test_unix_and_durations();
	test_errors();
	test_rfc3339_strict();
	test_format();
	return tap_done();
}
