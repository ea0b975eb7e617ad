/* Column alignment (see tabwriter.h). Widths count UTF-8 characters, not bytes, so names with
 * accents line up. Pure: a string in, a string out.
 */
#include "pkg/tabwriter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 64

static size_t utf8_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xC0) != 0x80;
	return w;
}

/* Widest cell of each column, over every row that has a cell after it (Go's rule: a cell that
 * ends a row does not widen its column). */
static void measure(const char *text, size_t *widths)
{
	const char *line = text;

	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol : line + strlen(line);
		const char *cell = line;
		size_t col = 0;

		for (const char *p = line; p < end && col < MAX_COLS; p++) {
			if (*p == '\t') {
				size_t w = utf8_width(cell, (size_t)(p - cell));

				if (w > widths[col])
					widths[col] = w;
				col++;
				cell = p + 1;
			}
		}
		line = eol ? eol + 1 : end;
	}
}

char *tabwriter_align(const char *text, size_t minwidth, size_t padding)
{
	size_t widths[MAX_COLS] = {0};
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	const char *line = text;

	if (f == NULL)
		return NULL;
	measure(text, widths);
	while (*line) {
		const char *eol = strchr(line, '\n');
		const char *end = eol ? eol : line + strlen(line);
		const char *cell = line;
		size_t col = 0;

		for (const char *p = line; p <= end; p++) {
			if (p < end && *p != '\t')
				continue;
			fwrite(cell, 1, (size_t)(p - cell), f);
			if (p < end && col < MAX_COLS) {
				size_t w = utf8_width(cell, (size_t)(p - cell));
				size_t target = widths[col] + padding;

				if (target < minwidth)
					target = minwidth;
				for (; w < target; w++)
					fputc(' ', f);
				col++;
			}
			cell = p + 1;
		}
		if (eol)
			fputc('\n', f);
		line = eol ? eol + 1 : end;
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}
