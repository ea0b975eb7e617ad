/* libFuzzer target: the k8s-file line parser, and the writer's formatter against it. Any input,
 * split at newlines, must parse or be refused without reading past the line (the input is not
 * NUL-terminated), and a parsed record must point inside its line. The whole input, formatted
 * as one chunk the container wrote, must parse back record by record into exactly its bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/k8slog.h"
#include "monitor/logread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_lines(const char *p, size_t size)
{
	size_t pos = 0;

	while (pos < size) {
		const char *nl = memchr(p + pos, '\n', size - pos);
		size_t end = nl ? (size_t)(nl - p) : size;
		struct mon_log_record rec;
		struct rcr_error *err = NULL;

		if (mon_log_parse_line(p + pos, end - pos, &rec, &err) == 0) {
			if (rec.ts_text != p + pos || rec.text < p + pos ||
			    rec.text + rec.len != p + end || (rec.stream != 1 && rec.stream != 2) ||
			    rec.ts.tv_nsec < 0 || rec.ts.tv_nsec > 999999999)
				abort();
		} else if (err == NULL) {
			abort(); /* a refusal says why */
		}
		rcr_error_free(err);
		pos = end + 1;
	}
}

/* Format data as stdout output and check that the records give it back. */
static void round_trip(const char *p, size_t size)
{
	const struct timespec ts = {.tv_sec = 1795428000, .tv_nsec = 1};
	char *out = NULL;
	size_t n = 0, pos = 0, got = 0;

	if (mon_log_format(&ts, 1, p, size, &out, &n, NULL) < 0)
		abort();
	while (pos < n) {
		const char *nl = memchr(out + pos, '\n', n - pos);
		struct mon_log_record rec;

		if (nl == NULL ||
		    mon_log_parse_line(out + pos, (size_t)(nl - out) - pos, &rec, NULL) < 0)
			abort();
		if (rec.ts.tv_sec != ts.tv_sec || rec.ts.tv_nsec != ts.tv_nsec || rec.stream != 1 ||
		    got + rec.len + !rec.partial > size || memcmp(p + got, rec.text, rec.len) != 0)
			abort();
		got += rec.len;
		if (!rec.partial && p[got++] != '\n')
			abort();
		pos = (size_t)(nl - out) + 1;
	}
	if (got != size)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_lines((const char *)data, size);
	round_trip((const char *)data, size);
	return 0;
}
