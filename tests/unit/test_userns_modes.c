/* Unit tests of pkg/userns_modes.c: parsing --userns/--uidmap/--gidmap and planning the maps. */
#include <string.h>

#include "pkg/userns.h"
#include "tests/unit/tap.h"

/* The rootless default for uid 1002 with 165536:65536 (the test user's). */
static void store_of(uint32_t own, struct userns_map *m)
{
	struct idmap_range r[] = {{165536, 65536}};
	struct idmap_ranges rs = {.v = r, .n = 1, .total = 65536};

	userns_map_plan(own, &rs, m);
}

static bool entry_is(const struct userns_map *m, size_t i, uint32_t in, uint32_t out,
		     uint32_t count)
{
	return i < m->n && m->v[i].inner == in && m->v[i].outer == out && m->v[i].count == count;
}

static int plan(const char *userns, char **uidmaps, char **gidmaps, uint32_t own,
		struct userns_map *u, struct userns_map *g, struct rcr_error **err)
{
	static struct userns_request req;
	static struct userns_map store;

	store_of(own, &store);
	if (userns_request_parse(userns, uidmaps, gidmaps, &req, err) < 0)
		return -1;
	return userns_mode_plan(&req, own, own, &store, &store, u, g, err);
}

static struct userns_map u, g;

static void test_default_and_host(void)
{
	struct rcr_error *err = NULL;
	struct userns_map store;

	store_of(1002, &store);
	ok(plan(NULL, NULL, NULL, 1002, &u, &g, &err) == 0, "no flags plan");
	ok(userns_maps_equal(&u, &store) && userns_maps_equal(&g, &store),
	   "no flags: the default map");
	ok(plan("host", NULL, NULL, 1002, &u, &g, &err) == 0 && userns_maps_equal(&u, &store),
	   "host: the default map too (rootless Podman's meaning)");
	ok(plan("", NULL, NULL, 1002, &u, &g, &err) == 0 && userns_maps_equal(&u, &store),
	   "empty --userns: the default map");
	is_str(userns_mode_name(USERNS_MODE_HOST), "host", "host is named host");
	is_str(userns_mode_name(USERNS_MODE_DEFAULT), "", "the default has no name");
}

static void test_keep_id(void)
{
	struct rcr_error *err = NULL;

	ok(plan("keep-id", NULL, NULL, 1002, &u, &g, &err) == 0, "keep-id plans");
	is_int(u.n, 3, "three ranges");
	ok(entry_is(&u, 0, 0, 165536, 1002), "container 0-1001: the first subordinate ids");
	ok(entry_is(&u, 1, 1002, 1002, 1), "container 1002 is the user");
	ok(entry_is(&u, 2, 1003, 165536 + 1002, 65536 - 1002), "the rest follow");
	is_int(userns_map_size(&u), 65537, "keep-id maps as many ids as the default");
	ok(entry_is(&g, 1, 1002, 1002, 1), "gids the same way");

	ok(plan("keep-id:uid=1000,gid=1000", NULL, NULL, 1002, &u, &g, &err) == 0,
	   "keep-id:uid=1000,gid=1000 plans");
	ok(entry_is(&u, 1, 1000, 1002, 1), "container 1000 is the user");
	ok(entry_is(&u, 0, 0, 165536, 1000), "below 1000: subordinate ids");
	ok(entry_is(&g, 1, 1000, 1002, 1), "gid 1000 is the user's group");

	ok(plan("keep-id:uid=0", NULL, NULL, 1002, &u, &g, &err) == 0, "keep-id:uid=0 plans");
	ok(entry_is(&u, 0, 0, 1002, 1) && u.n == 2, "uid=0: the user is root, as by default");
	ok(entry_is(&g, 1, 1002, 1002, 1), "gid not given: the user's own");
}

static void test_keep_id_large_uid(void)
{
	struct rcr_error *err = NULL;

	/* a uid above the subordinate count: Podman maps what there is, then the user */
	ok(plan("keep-id", NULL, NULL, 100000, &u, &g, &err) == 0, "uid 100000 plans");
	is_int(u.n, 2, "two ranges");
	ok(entry_is(&u, 0, 0, 165536, 65536), "all subordinate ids from 0");
	ok(entry_is(&u, 1, 100000, 100000, 1), "then the user at its own id");
}

static void test_user_inside_range(void)
{
	/* the user's id inside its own subordinate range: the default plan skips that range, so
	 * keep-id has no subordinate ids and must say so */
	struct idmap_range r[] = {{1000, 65536}};
	struct idmap_ranges rs = {.v = r, .n = 1, .total = 65536};
	struct userns_request req;
	struct userns_map store;
	struct rcr_error *err = NULL;

	userns_map_plan(1002, &rs, &store);
	ok(userns_request_parse("keep-id", NULL, NULL, &req, &err) == 0, "parses");
	ok(userns_mode_plan(&req, 1002, 1002, &store, &store, &u, &g, &err) < 0,
	   "keep-id refused without usable subordinate ids");
	has_str(err ? err->msg : "", "needs subordinate ids", "the error says what is missing");
	rcr_error_free(err);
}

static void test_no_subids(void)
{
	struct userns_map single;
	struct userns_request req;
	struct rcr_error *err = NULL;
	char *one[] = {(char *)"0:0:1", NULL};

	userns_map_plan(1002, NULL, &single);
	userns_request_parse("nomap", NULL, NULL, &req, &err);
	ok(userns_mode_plan(&req, 1002, 1002, &single, &single, &u, &g, &err) < 0,
	   "nomap refused with the single-id map");
	has_str(err ? err->msg : "", "--userns=nomap needs subordinate ids", "names the mode");
	has_str(err ? err->msg : "", "usermod --add-subuids", "and the fix");
	rcr_error_free(err);
	err = NULL;
	userns_request_parse(NULL, one, NULL, &req, &err);
	ok(userns_mode_plan(&req, 1002, 1002, &single, &single, &u, &g, &err) == 0,
	   "--uidmap 0:0:1 works with the single-id map");
	ok(entry_is(&u, 0, 0, 1002, 1) && u.n == 1, "it is the user as root");
}

static void test_nomap(void)
{
	struct rcr_error *err = NULL;

	ok(plan("nomap", NULL, NULL, 1002, &u, &g, &err) == 0, "nomap plans");
	is_int(u.n, 1, "one range");
	ok(entry_is(&u, 0, 0, 165536, 65536), "container 0 is the first subordinate id");
	for (size_t i = 0; i < u.n; i++)
		ok(!(u.v[i].outer <= 1002 && 1002 < u.v[i].outer + u.v[i].count),
		   "the user's id is not mapped");
}

static void test_uidmap(void)
{
	struct rcr_error *err = NULL;
	char *m1[] = {(char *)"0:1:1000", NULL};
	char *m2[] = {(char *)"0:1:1000", (char *)"1000:0:1", NULL};
	char *gm[] = {(char *)"0:0:1", NULL};

	ok(plan(NULL, m1, NULL, 1002, &u, &g, &err) == 0, "--uidmap 0:1:1000 plans");
	ok(entry_is(&u, 0, 0, 165536, 1000) && u.n == 1, "HOST 1 is the first subordinate id");
	ok(userns_maps_equal(&u, &g), "--uidmap alone stands for the gids too");

	ok(plan(NULL, m2, gm, 1002, &u, &g, &err) == 0, "two --uidmap and a --gidmap plan");
	ok(entry_is(&u, 1, 1000, 1002, 1), "HOST 0 is the user");
	ok(entry_is(&g, 0, 0, 1002, 1) && g.n == 1, "the gid map is the --gidmap");
}

static void test_uidmap_split(void)
{
	/* two subordinate ranges: one --uidmap range across both becomes two host ranges */
	struct idmap_range r[] = {{100000, 10}, {200000, 10}};
	struct idmap_ranges rs = {.v = r, .n = 2, .total = 20};
	char *m[] = {(char *)"0:5:10", NULL};
	struct userns_request req;
	struct userns_map store, back;
	struct rcr_error *err = NULL;

	userns_map_plan(1002, &rs, &store);
	userns_request_parse(NULL, m, NULL, &req, &err);
	ok(userns_mode_plan(&req, 1002, 1002, &store, &store, &u, &g, &err) == 0, "plans");
	is_int(u.n, 2, "split in two");
	ok(entry_is(&u, 0, 0, 100004, 6), "the tail of the first range");
	ok(entry_is(&u, 1, 6, 200000, 4), "the head of the second");
	userns_map_in_ns(&u, &store, &back);
	ok(entry_is(&back, 0, 0, 5, 6) && entry_is(&back, 1, 6, 11, 4),
	   "restated in namespace ids (inspect)");
}

static void expect_error(const char *userns, char **uidmaps, char **gidmaps, const char *needle,
			 const char *what)
{
	struct rcr_error *err = NULL;

	ok(plan(userns, uidmaps, gidmaps, 1002, &u, &g, &err) < 0, "%s: refused", what);
	has_str(err ? err->msg : "", needle, "%s: says '%s'", what, needle);
	rcr_error_free(err);
}

static void test_errors(void)
{
	char *big[] = {(char *)"0:1:65537", NULL};
	char *past[] = {(char *)"0:65536:2", NULL};
	char *overlap_in[] = {(char *)"0:1:10", (char *)"5:100:10", NULL};
	char *overlap_out[] = {(char *)"0:1:10", (char *)"100:5:10", NULL};
	char *bad[] = {(char *)"0:1", NULL};
	char *zero[] = {(char *)"0:1:0", NULL};
	char *neg[] = {(char *)"-1:1:5", NULL};
	char *trail[] = {(char *)"0:1:5x", NULL};
	char *huge[] = {(char *)"4294967295:1:1", NULL};
	char *wrap[] = {(char *)"4294967290:1:10", NULL};
	char *ok1[] = {(char *)"0:1:1", NULL};

	expect_error(NULL, big, NULL, "host ids 1-65537 are not yours", "--uidmap past the ids");
	expect_error(NULL, past, NULL, "1-65536 as your subordinate ids", "--uidmap past the end");
	expect_error(NULL, overlap_in, NULL, "overlaps", "container ids overlapping");
	expect_error(NULL, overlap_out, NULL, "overlaps", "host ids overlapping");
	expect_error(NULL, bad, NULL, "use CONTAINER:HOST:SIZE", "two fields");
	expect_error(NULL, zero, NULL, "SIZE of at least 1", "size 0");
	expect_error(NULL, neg, NULL, "invalid --uidmap '-1:1:5'", "negative");
	expect_error(NULL, trail, NULL, "invalid --uidmap", "trailing junk");
	expect_error(NULL, huge, NULL, "invalid --uidmap", "id 4294967295");
	expect_error(NULL, wrap, NULL, "container ids beyond", "container ids past 32 bits");
	expect_error(NULL, ok1, big, "--gidmap 0:1:65537", "--gidmap checked too");
	expect_error("keep-id", ok1, NULL, "mutually exclusive", "--userns with --uidmap");
	expect_error("host", NULL, ok1, "mutually exclusive", "--userns with --gidmap");
	expect_error("auto", NULL, NULL, "not supported", "auto");
	expect_error("auto:size=100", NULL, NULL, "not supported", "auto with options");
	expect_error("ns:/proc/1/ns/user", NULL, NULL, "not supported", "ns:");
	expect_error("bogus", NULL, NULL, "invalid --userns 'bogus'", "unknown mode");
	expect_error("keep-id:uid=x", NULL, NULL, "invalid --userns option 'uid=x'", "bad uid");
	expect_error("keep-id:size=5", NULL, NULL, "keep-id:uid=N", "unknown keep-id option");
	expect_error("keep-id:uid=1,", NULL, NULL, "invalid --userns option", "trailing comma");
	expect_error("keep-id:", NULL, NULL, "invalid --userns option ''",
		     "no options after the colon");
}

int main(void)
{
	test_default_and_host();
	test_keep_id();
	test_keep_id_large_uid();
	test_user_inside_range();
	test_no_subids();
	test_nomap();
	test_uidmap();
	test_uidmap_split();
	test_errors();
	return tap_done();
}
