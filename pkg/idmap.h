/* /etc/subuid and /etc/subgid: parsing, and finding a user's ranges. The parser is pure (bytes in,
 * structs out) so it can be unit-tested and fuzzed.
 *
 * Format (shadow-utils subuid(5)): one "owner:start:count" per line, owner a login name or a
 * numeric uid; blank lines and lines starting with '#' ignored. A user may own several ranges.
 */
#ifndef RCR_PKG_IDMAP_H
#define RCR_PKG_IDMAP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/error.h"

struct idmap_range {
	uint32_t start;
	uint32_t count;
};

struct idmap_ranges {
	struct idmap_range *v; /* owned */
	size_t n;
	uint64_t total; /* sum of counts */
};
void idmap_ranges_release(struct idmap_ranges *r);

/* Collect the ranges owned by user name or uid (either may match, as shadow-utils does) from the
 * text of a subuid/subgid file. Malformed lines are skipped (shadow-utils ignores them too), but
 * counted in *bad_lines when bad_lines is not NULL. Ranges with count 0 or that hold id 4294967295
 * ((uid_t)-1, which the kernel never maps) are malformed. Never fails on content; -1 only for
 * memory. */
int idmap_parse_ranges(const char *text, size_t len, const char *name, uid_t id,
		       struct idmap_ranges *out, size_t *bad_lines, struct rcr_error **err);

/* Read path and call idmap_parse_ranges. A missing file is zero ranges, not an error. */
int idmap_load_ranges(const char *path, const char *name, uid_t id, struct idmap_ranges *out,
		      struct rcr_error **err);

#endif
