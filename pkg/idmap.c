/* /etc/subuid and /etc/subgid (see idmap.h): a pure parser over a bounded buffer, and a loader.
 *
 * The parser must never read past len (the text need not be NUL-terminated and may hold NUL
 * bytes), never accept a range whose end wraps past 2^32 (the kernel would refuse the map later,
 * with a far worse message), and never fail on content: newuidmap reads the same file with
 * shadow-utils' rules and is the final judge, so odd lines are skipped and counted, not fatal.
 */
#include "pkg/idmap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

/* subuid files are a few lines; anything this large is not one. */
#define IDMAP_FILE_MAX ((size_t)4 << 20)

void idmap_ranges_release(struct idmap_ranges *r)
{
	if (r == NULL)
		return;
	free(r->v);
	r->v = NULL;
	r->n = 0;
	r->total = 0;
}

/* A field as [p, p+n): not NUL-terminated. */
struct field {
	const char *p;
	size_t n;
};

/* Strict decimal: digits only (no sign, no blanks, which strtoul would allow), at most 2^32-1. */
static bool parse_u32(struct field f, uint32_t *out)
{
	uint64_t v = 0;

	if (f.n == 0 || f.n > 10)
		return false;
	for (size_t i = 0; i < f.n; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(f.p[i] - '0');
	}
	if (v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Split line into exactly three ':'-separated fields; false for any other count. */
static bool split3(const char *line, size_t len, struct field f[3])
{
	size_t start = 0;
	int k = 0;

	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != ':')
			continue;
		if (k == 3)
			return false;
		f[k].p = line + start;
		f[k].n = i - start;
		k++;
		start = i + 1;
	}
	return k == 3;
}

/* shadow-utils matches the owner field against the login name, or, when it is all digits,
 * against the numeric uid (so "1000:..." lines work for users without a passwd name). */
static bool owner_matches(struct field owner, const char *name, uid_t id)
{
	uint32_t n;

	if (name != NULL && strlen(name) == owner.n && memcmp(owner.p, name, owner.n) == 0)
		return true;
	return parse_u32(owner, &n) && (uid_t)n == id;
}

static int ranges_add(struct idmap_ranges *out, size_t *cap, uint32_t start, uint32_t count)
{
	if (out->n == *cap) {
		size_t want = *cap ? *cap * 2 : 4;
		struct idmap_range *nv = reallocarray(out->v, want, sizeof(*nv));

		if (nv == NULL)
			return -1;
		out->v = nv;
		*cap = want;
	}
	out->v[out->n++] = (struct idmap_range){.start = start, .count = count};
	out->total += count;
	return 0;
}

/* What one line means. */
enum line_kind { LINE_SKIP, LINE_BAD, LINE_RANGE };

static enum line_kind parse_line(const char *line, size_t len, struct field f[3], uint32_t *start,
				 uint32_t *count)
{
	size_t lead = 0;

	/* Trailing blanks and the '\r' of CRLF files are noise; so are blank and comment lines. */
	while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	while (lead < len && (line[lead] == ' ' || line[lead] == '\t'))
		lead++;
	if (lead == len || line[lead] == '#')
		return LINE_SKIP;
	if (!split3(line, len, f) || f[0].n == 0 || !parse_u32(f[1], start) ||
	    !parse_u32(f[2], count))
		return LINE_BAD;
	/* The last id, start+count-1, must fit in 32 bits: a larger end would wrap around to 0.
	 * Computed in 64 bits so the check itself cannot wrap. */
	if (*count == 0 || (uint64_t)*start + *count >= ((uint64_t)1 << 32))
		return LINE_BAD;
	return LINE_RANGE;
}

int idmap_parse_ranges(const char *text, size_t len, const char *name, uid_t id,
		       struct idmap_ranges *out, size_t *bad_lines, struct rcr_error **err)
{
	size_t cap = 0;
	size_t bad = 0;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (text != NULL && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		struct field f[3];
		uint32_t start = 0;
		uint32_t count = 0;

		switch (parse_line(text + pos, end - pos, f, &start, &count)) {
		case LINE_SKIP:
			break;
		case LINE_BAD:
			bad++;
			break;
		case LINE_RANGE:
			if (owner_matches(f[0], name, id) &&
			    ranges_add(out, &cap, start, count) < 0) {
				idmap_ranges_release(out);
				rcr_error_set_errno(err, ENOMEM, "parsing subordinate id ranges");
				return -1;
			}
			break;
		}
		pos = end + 1;
	}
	if (bad_lines != NULL)
		*bad_lines = bad;
	return 0;
}

int idmap_load_ranges(const char *path, const char *name, uid_t id, struct idmap_ranges *out,
		      struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *e = NULL;
	size_t len = 0;
	_cleanup_free_ char *text = fs_read_file(path, IDMAP_FILE_MAX, &len, &e);

	memset(out, 0, sizeof(*out));
	if (text == NULL) {
		/* No file is the same as no ranges: the caller falls back to the single-id map. */
		if (e != NULL && e->code == ENOENT)
			return 0;
		if (err != NULL && *err == NULL)
			*err = steal_ptr(&e);
		return -1;
	}
	if (idmap_parse_ranges(text, len, name, id, out, NULL, err) < 0) {
		rcr_error_wrap(err, "reading '%s'", path);
		return -1;
	}
	return 0;
}
