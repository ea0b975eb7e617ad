/* Unit tests of runtime/userns.c: planning the default rootless id map. */
#include "pkg/userns.h"
#include "tests/unit/tap.h"

static void test_single(void)
{
	struct userns_map m;

	userns_map_plan(1000, NULL, &m);
	is_int(m.n, 1, "no ranges: one entry");
	ok(userns_map_is_single(&m), "no ranges: single-id map");
	is_int(m.v[0].inner, 0, "container 0 ...");
	is_int(m.v[0].outer, 1000, "... is the user");
	is_int(userns_map_size(&m), 1, "covers one id");
}

static void test_ranges(void)
{
	struct idmap_range r[] = {{100000, 65536}, {300000, 10}};
	struct idmap_ranges rs = {.v = r, .n = 2, .total = 65546};
	struct userns_map m;

	userns_map_plan(1000, &rs, &m);
	is_int(m.n, 3, "two ranges: three entries");
	ok(!userns_map_is_single(&m), "not single");
	is_int(m.v[1].inner, 1, "first range starts at container id 1");
	is_int(m.v[1].outer, 100000, "first range from the host start");
	is_int(m.v[1].count, 65536, "first range size");
	is_int(m.v[2].inner, 65537, "second range follows the first");
	is_int(m.v[2].outer, 300000, "second range host start");
	is_int(userns_map_size(&m), 65547, "size counts the user and both ranges");
}

static void test_overlap_skipped(void)
{
	/* A range that holds the user's own id would map it twice, which the kernel refuses. */
	struct idmap_range r[] = {{500, 1000}, {100000, 10}};
	struct idmap_ranges rs = {.v = r, .n = 2, .total = 1010};
	struct userns_map m;

	userns_map_plan(1000, &rs, &m);
	is_int(m.n, 2, "the overlapping range is skipped");
	is_int(m.v[1].outer, 100000, "the other range is kept");
	is_int(m.v[1].inner, 1, "and starts at container id 1");
}

static void test_too_many(void)
{
	static struct idmap_range r[USERNS_MAP_MAX + 20];
	struct idmap_ranges rs = {.v = r, .n = USERNS_MAP_MAX + 20};
	struct userns_map m;

	for (size_t i = 0; i < rs.n; i++)
		r[i] = (struct idmap_range){.start = 200000 + (uint32_t)i * 10, .count = 10};
	userns_map_plan(1000, &rs, &m);
	is_int(m.n, USERNS_MAP_MAX, "capped at the kernel's %d lines", USERNS_MAP_MAX);
}

int main(void)
{
	test_single();
	test_ranges();
	test_overlap_skipped();
	test_too_many();
	return tap_done();
}
