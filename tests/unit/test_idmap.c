/* Unit tests of pkg/idmap.c: subuid/subgid parsing (names, numeric uids, several and duplicate
 * ranges, comments, CRLF, malformed lines, overflow of start+count) and loading from a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/idmap.h"
#include "tests/unit/tap.h"

static char top[1024];

/* Parse text for alice (uid 1000); returns the number of ranges, *bad the malformed lines. */
static size_t parse(const char *text, struct idmap_ranges *r, size_t *bad)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	/* An exact-size copy without a NUL: ASan catches any read past len. */
	size_t len = strlen(text);
	_cleanup_free_ char *copy = malloc(len ? len : 1);

	memcpy(copy, text, len);
	*bad = 99;
	if (idmap_parse_ranges(copy, len, "alice", 1000, r, bad, &err) < 0)
		return (size_t)-1;
	return r->n;
}

static void test_basic(void)
{
	struct idmap_ranges r;
	size_t bad;

	is_int(parse("alice:100000:65536\n", &r, &bad), 1, "one range by name");
	ok(r.n == 1 && r.v[0].start == 100000 && r.v[0].count == 65536, "  start and count");
	is_int(r.total, 65536, "  total");
	is_int(bad, 0, "  no bad lines");
	idmap_ranges_release(&r);
	ok(r.v == NULL && r.n == 0 && r.total == 0, "release clears");

	is_int(parse("1000:200000:10", &r, &bad), 1,
	       "a numeric owner matches the uid (no newline)");
	ok(r.n == 1 && r.v[0].start == 200000, "  its range");
	idmap_ranges_release(&r);

	is_int(parse("bob:1:2\nalice2:3:4\nalic:5:6\n1001:7:8\n", &r, &bad), 0,
	       "other owners, prefixes and other uids do not match");
	is_int(bad, 0, "  and are not malformed");
	idmap_ranges_release(&r);
}

static void test_several(void)
{
	struct idmap_ranges r;
	size_t bad;
	const char *text = "# subuid for the test\n"
			   "\n"
			   "bob:100000:65536\n"
			   "alice:165536:65536\n"
			   "   # an indented comment\n"
			   "1000:300000:100\r\n"
			   "alice:500000:5 \t\n"
			   "alice:165536:65536\n"
			   "\t\n";

	is_int(parse(text, &r, &bad), 4, "several ranges by name and uid; duplicates kept");
	ok(r.n == 4 && r.v[0].start == 165536 && r.v[1].start == 300000 && r.v[2].start == 500000 &&
		   r.v[3].start == 165536,
	   "  in file order");
	ok(r.n == 4 && r.v[1].count == 100 && r.v[2].count == 5, "  CRLF and trailing blanks");
	is_int(r.total, 65536 * 2 + 100 + 5, "  total sums the counts");
	is_int(bad, 0, "  comments and blank lines are not malformed");
	idmap_ranges_release(&r);
}

static void test_malformed(void)
{
	static const char *lines[] = {
		"alice:1",	       /* two fields */
		"alice:1:2:3",	       /* four fields */
		"alice:x:10",	       /* not a number */
		"alice:-1:10",	       /* signs are not digits */
		"alice:+1:10",	       /* neither are plus signs */
		"alice: 1:10",	       /* inner blanks */
		"alice:1:0",	       /* empty range */
		":1:2",		       /* no owner */
		"alice::5",	       /* no start */
		"alice:5:",	       /* no count */
		"alice:4294967295:2",  /* end past 2^32 */
		"alice:2:4294967295",  /* end past 2^32 */
		"alice:4294967296:1",  /* start too big */
		"alice:1:99999999999", /* count too big */
		"alice 100000 65536",  /* wrong separator */
		"alice:0x10:5",	       /* hex */
	};
	size_t n = sizeof(lines) / sizeof(lines[0]);
	char text[2048];
	size_t len = 0;
	struct idmap_ranges r;
	size_t bad;

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", lines[i]);
	snprintf(text + len, sizeof(text) - len, "alice:700000:7\n");
	is_int(parse(text, &r, &bad), 1, "malformed lines are skipped, the good one kept");
	ok(r.n == 1 && r.v[0].start == 700000, "  the good one");
	is_int(bad, n, "  every malformed line counted");
	idmap_ranges_release(&r);
	for (size_t i = 0; i < n; i++) {
		parse(lines[i], &r, &bad);
		ok(r.n == 0 && bad == 1, "malformed: '%s'", lines[i]);
		idmap_ranges_release(&r);
	}
	is_int(parse("bob:1:0\n", &r, &bad), 0, "another user's malformed line");
	is_int(bad, 1, "  is counted too");
	idmap_ranges_release(&r);
}

static void test_edges(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct idmap_ranges r;
	size_t bad;
	static const char nul_text[] = "alice:1:2\0junk\nalice:5:6\n";

	/* The last id may be 4294967294: 4294967295 is (uid_t)-1, which the kernel never maps. */
	is_int(parse("alice:4294967294:1\nalice:0:4294967295\nalice:1:4294967294\n", &r, &bad), 3,
	       "ranges ending just below (uid_t)-1 are accepted");
	is_int(r.total, 1 + 4294967295ULL + 4294967294ULL, "  total is 64-bit");
	idmap_ranges_release(&r);
	is_int(parse("alice:4294967295:1\nalice:1:4294967295\n", &r, &bad), 0,
	       "ranges holding (uid_t)-1 are refused");
	is_int(bad, 2, "  and counted as malformed");
	idmap_ranges_release(&r);
	is_int(parse("", &r, &bad), 0, "empty text: no ranges");
	is_int(bad, 0, "  no bad lines");
	ok(idmap_parse_ranges(NULL, 0, "alice", 1000, &r, NULL, &err) == 0 && r.n == 0,
	   "NULL text with len 0 and no bad_lines pointer");
	ok(idmap_parse_ranges(nul_text, sizeof(nul_text) - 1, "alice", 1000, &r, &bad, &err) == 0,
	   "a NUL byte inside the text");
	ok(r.n == 1 && r.v[0].start == 5 && bad == 1, "  spoils only its own line");
	idmap_ranges_release(&r);
	ok(idmap_parse_ranges("1000:9:9\nalice:1:1\n", 19, NULL, 1000, &r, &bad, &err) == 0 &&
		   r.n == 1 && r.v[0].start == 9,
	   "without a name only the uid matches");
	idmap_ranges_release(&r);
	ok(idmap_parse_ranges("alice:1:12", 9, "alice", 1000, &r, &bad, &err) == 0 && r.n == 1 &&
		   r.v[0].count == 1 && bad == 0,
	   "len is honoured (the last byte is not read)");
	idmap_ranges_release(&r);
	is_int(parse("01000:9:9\n", &r, &bad), 1, "a zero-padded numeric owner is that uid");
	idmap_ranges_release(&r);
}

static void test_many(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *text = malloc((size_t)5000 * 32);
	struct idmap_ranges r;
	size_t len = 0;
	size_t bad;

	for (int i = 0; i < 5000; i++)
		len += (size_t)sprintf(text + len, "alice:%d:10\n", 100000 + i * 10);
	ok(idmap_parse_ranges(text, len, "alice", 1000, &r, &bad, &err) == 0 && r.n == 5000 &&
		   r.total == 50000 && r.v[4999].start == 100000 + 4999 * 10,
	   "5000 ranges");
	idmap_ranges_release(&r);
}

static void test_load(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct idmap_ranges r;
	char path[1100];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "%s/subuid", top);
	fs_write_atomic(path, "alice:100000:65536\nbob:1:1\n", 27, 0644, NULL);
	ok(idmap_load_ranges(path, "alice", 1000, &r, &err) == 0 && r.n == 1 && r.total == 65536,
	   "load a subuid file");
	idmap_ranges_release(&r);
	snprintf(path, sizeof(path), "%s/missing", top);
	ok(idmap_load_ranges(path, "alice", 1000, &r, &err) == 0 && r.n == 0 && err == NULL,
	   "a missing file is zero ranges, no error");
	ok(idmap_load_ranges(top, "alice", 1000, &r, &err) < 0 && err != NULL &&
		   err->code == EISDIR,
	   "a directory is an error");
	has_str(err ? err->msg : NULL, top, "  naming it");
	rcr_error_clear(&err);

	/* A sparse 5 MiB file: refused by size without reading it. */
	snprintf(path, sizeof(path), "%s/huge", top);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	ok(fd >= 0 && ftruncate(fd, 5 << 20) == 0, "a 5 MiB file");
	ok(idmap_load_ranges(path, "alice", 1000, &r, &err) < 0 && err != NULL,
	   "  is refused by the 4 MiB cap");
	has_str(err ? err->msg : NULL, "limit of 4194304 bytes", "  naming the limit");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-idmap-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_basic();
	test_several();
	test_malformed();
	test_edges();
	test_many();
	test_load();
	ok(fs_rm_rf(top, NULL) == 0 && !fs_exists(top), "the test directory is removed");
	return tap_done();
}
