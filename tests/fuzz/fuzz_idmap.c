/* libFuzzer target: the subuid/subgid parser. Any input must parse without reading past the
 * buffer (the input is not NUL-terminated), leaking, or overflowing the total; the result must
 * hold only well-formed ranges. */
#include <stdint.h>
#include <stdlib.h>

#include "pkg/idmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rcr_error *err = NULL;
	struct idmap_ranges r;
	size_t bad = 0;
	uint64_t total = 0;

	/* Both a name and a numeric uid, so that either kind of owner can match. */
	if (idmap_parse_ranges((const char *)data, size, "alice", 1000, &r, &bad, &err) == 0) {
		for (size_t i = 0; i < r.n; i++) {
			/* The parser's promises: no empty range, no end past 2^32. */
			if (r.v[i].count == 0 ||
			    (uint64_t)r.v[i].start + r.v[i].count > ((uint64_t)1 << 32))
				abort();
			total += r.v[i].count;
		}
		if (total != r.total || bad > size)
			abort();
	}
	idmap_ranges_release(&r);
	rcr_error_free(err);
	return 0;
}
