/* Unit tests: pkg/humanize. */
#include <string.h>

#include "pkg/humanize.h"
#include "tests/unit/tap.h"

static void dur(long long s, const char *want)
{
	char out[64];

	humanize_duration(s, out, sizeof(out));
	is_str(out, want, "%lld seconds", s);
}

static void size(double b, const char *want)
{
	char out[64];

	humanize_size(b, out, sizeof(out));
	is_str(out, want, "%.0f bytes", b);
}

int main(void)
{
	tap_plan(27);
	dur(0, "Less than a second");
	dur(1, "1 second");
	dur(59, "59 seconds");
	dur(61, "About a minute");
	dur(600, "10 minutes");
	dur(3600, "About an hour");
	dur(47LL * 3600, "47 hours");
	dur(3LL * 86400, "3 days");
	dur(20LL * 86400, "2 weeks");
	dur(90LL * 86400, "3 months");
	dur(3LL * 365 * 86400, "3 years");
	size(0, "0 B");
	size(130, "130 B");
	size(1000, "1 kB");
	size(4261234, "4.26 MB");
	size(123456789, "123 MB");
	size(1.5e9, "1.5 GB");
	ok(humanize_parse_duration("2h") == 7200, "2h");
	ok(humanize_parse_duration("1h30m") == 5400, "1h30m");
	ok(humanize_parse_duration("45s") == 45, "45s");
	ok(humanize_parse_duration("") == -1, "empty refused");
	ok(humanize_parse_duration("5x") == -1, "bad unit refused");
	ok(humanize_parse_rfc3339("1970-01-01T00:00:10Z") == 10, "rfc3339 Z");
	ok(humanize_parse_rfc3339("2024-01-02T03:04:05.123456789Z") == 1704164645, "rfc3339 nanos");
	ok(humanize_parse_rfc3339("2024-01-02T05:04:05+02:00") == 1704164645, "rfc3339 offset");
	ok(humanize_parse_rfc3339("yesterday") == -1, "not a time");
	{
		char out[64];

		humanize_go_time(1704164645, out, sizeof(out));
		is_str(out, "2024-01-02 03:04:05 +0000 UTC", "Go time string");
	}
	return tap_done();
}
