/* Unit tests of runtime/user.c: resolving -u user[:group] and --group-add against a container's
 * passwd and group bytes with runc's rules (names, numeric ids with and without entries,
 * explicit groups, membership groups only in the implicit form, --group-add, ranges, duplicates,
 * missing files, malformed lines) and the error messages users see.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "runtime/user.h"
#include "tests/unit/tap.h"

static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
			     "# a comment\n"
			     "\n"
			     "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
			     "alice:x:1000:1000:Alice:/home/alice:/bin/sh\r\n"
			     "bob:x:1001:100::/home/bob:/bin/sh\n"
			     "nohome:x:1002:1002\n"
			     "emptyhome:x:1003:1003:::/bin/sh\n"
			     "bad:x:abc:0:bad uid:/bad:/bin/sh\n"
			     "neg:x:-1:0::/neg:/bin/sh\n"
			     "huge:x:4294967295:0::/huge:/bin/sh\n"
			     "short:x:7\n"
			     "alice:x:2000:2000::/second:/bin/sh\n"
			     "dupuid:x:1000:5::/dup:/bin/sh\n"
			     "  spaced:x:1004:1004::/home/spaced:/bin/sh  \n"
			     "1234:x:1005:1005::/home/digits:/bin/sh";

static const char group[] = "root:x:0:\n"
			    "wheel:x:10:alice,bob\n"
			    "users:x:100:alice\n"
			    "# video:x:44:alice\n"
			    "audio:x:63:bob,alice\r\n"
			    "alicegrp:x:1000:\n"
			    "bogus:x:xyz:alice\n"
			    "dev:x:500:alice,alice\n"
			    "alicesgroup:x:501:alicex,xalice\n"
			    "nomembers:x:502\n"
			    "100:x:600:\n"
			    "wheel:x:11:alice\n";

/* An exact-size heap copy of len bytes with no NUL after them: ASan then catches any read
 * past len. */
static char *copy_exact(const char *s, size_t len)
{
	char *c = malloc(len ? len : 1);

	if (c != NULL && len > 0)
		memcpy(c, s, len);
	return c;
}

/* Resolve with exact-size copies of the files (NULL stays NULL: the file is absent). */
static int resolve(const char *spec, const char *pw, const char *gr, const char *const *extra,
		   size_t n_extra, struct rt_user *u, struct rcr_error **err)
{
	size_t pl = pw ? strlen(pw) : 0;
	size_t gl = gr ? strlen(gr) : 0;
	_cleanup_free_ char *pc = pw ? copy_exact(pw, pl) : NULL;
	_cleanup_free_ char *gc = gr ? copy_exact(gr, gl) : NULL;

	return rt_user_resolve(spec, pc, pl, gc, gl, extra, n_extra, u, err);
}

/* The groups as "a,b,c" for compact assertions. */
static const char *groups_str(const struct rt_user *u)
{
	static char buf[1024];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < u->n_groups && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "",
					(unsigned)u->groups[i]);
	return buf;
}

/* Expect failure with a message holding want; out must be zeroed. */
static void fails(const char *spec, const char *pw, const char *gr, const char *const *extra,
		  size_t n_extra, const char *want, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_user u;
	int r = resolve(spec, pw, gr, extra, n_extra, &u, &err);

	ok(r == -1 && err != NULL, "%s: fails", what);
	has_str(err ? err->msg : NULL, want, "  message");
	ok(u.uid == 0 && u.n_groups == 0 && u.name[0] == '\0', "  out is zeroed");
}

static void test_names(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_user u;

	is_int(resolve("alice", passwd, group, NULL, 0, &u, &err), 0, "a name resolves");
	ok(u.uid == 1000 && u.gid == 1000, "  uid and gid from passwd (CRLF line)");
	is_str(u.home, "/home/alice", "  home");
	is_str(u.name, "alice", "  name");
	is_str(groups_str(&u), "10,100,63,500,11",
	       "  membership groups in file order, deduplicated, comments and bad lines skipped");

	is_int(resolve("bob", passwd, group, NULL, 0, &u, &err), 0, "bob resolves");
	ok(u.uid == 1001 && u.gid == 100, "  his primary gid");
	is_str(groups_str(&u), "10,63", "  his groups");

	is_int(resolve("daemon", passwd, group, NULL, 0, &u, &err), 0, "daemon resolves");
	is_int(u.n_groups, 0, "  no memberships");

	is_int(resolve("spaced", passwd, group, NULL, 0, &u, &err), 0,
	       "a line with surrounding blanks is trimmed");
	is_int(u.uid, 1004, "  its uid");

	is_int(resolve("nohome", passwd, group, NULL, 0, &u, &err), 0, "an entry with 4 fields");
	is_str(u.home, "/", "  home defaults to /");
	is_int(resolve("emptyhome", passwd, group, NULL, 0, &u, &err), 0, "an empty home field");
	is_str(u.home, "/", "  home defaults to /");

	is_int(resolve("", passwd, group, NULL, 0, &u, &err), 0, "\"\" is root");
	ok(u.uid == 0 && u.gid == 0, "  uid 0 gid 0");
	is_str(u.name, "root", "  root's name from passwd");
	is_str(u.home, "/root", "  root's home");
	is_int(resolve(NULL, passwd, group, NULL, 0, &u, &err), 0, "NULL is root too");
	is_int(u.uid, 0, "  uid 0");
	ok(err == NULL, "no error set on success");
}

static void test_numeric(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_user u;

	is_int(resolve("1000", passwd, group, NULL, 0, &u, &err), 0, "a uid with an entry");
	ok(u.uid == 1000 && u.gid == 1000, "  first entry wins (not dupuid)");
	is_str(u.name, "alice", "  its name");
	is_str(u.home, "/home/alice", "  its home");
	is_str(groups_str(&u), "10,100,63,500,11", "  and the name's memberships");

	is_int(resolve("4242", passwd, group, NULL, 0, &u, &err), 0, "a uid without an entry");
	ok(u.uid == 4242 && u.gid == 0, "  gid 0");
	is_str(u.home, "/", "  home /");
	is_str(u.name, "", "  no name");
	is_int(u.n_groups, 0, "  no groups");

	is_int(resolve("1234", passwd, group, NULL, 0, &u, &err), 0,
	       "a number is a uid, never a name");
	is_int(u.uid, 1234, "  uid 1234, not the user named 1234");
	is_int(u.gid, 0, "  gid 0");

	is_int(resolve("+7", passwd, group, NULL, 0, &u, &err), 0, "a leading + is a number");
	is_int(u.uid, 7, "  uid 7");
	is_int(resolve("-0", passwd, group, NULL, 0, &u, &err), 0, "-0 is 0");
	is_str(u.name, "root", "  root");
	is_int(resolve("2147483647", passwd, group, NULL, 0, &u, &err), 0, "the largest uid");
	is_int(u.uid, 2147483647, "  its value");

	is_int(resolve("0", passwd, group, NULL, 0, &u, &err), 0,
	       "uid 0: a garbage uid field is not read as 0");
	is_str(u.name, "root", "  root, not 'bad'");

	fails("2147483648", passwd, group, NULL, 0, "uid '2147483648' is out of range", "uid 2^31");
	fails("99999999999999999999999", passwd, group, NULL, 0, "out of range: uids and gids",
	      "a huge uid");
	fails("-1", passwd, group, NULL, 0, "uid '-1' is out of range", "a negative uid");
	fails("4294967295", passwd, group, NULL, 0, "out of range", "uid 2^32-1");
}

static void test_groups(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_user u;

	is_int(resolve("alice:wheel", passwd, group, NULL, 0, &u, &err), 0, "name:group");
	ok(u.uid == 1000 && u.gid == 10, "  the first wheel line's gid");
	is_int(u.n_groups, 0, "  explicit group: no membership groups (runc)");

	is_int(resolve("alice:", passwd, group, NULL, 0, &u, &err), 0, "name: with empty group");
	is_int(u.gid, 1000, "  passwd gid");
	is_int(u.n_groups, 0, "  no membership groups (Podman skips them when ':' is given)");

	is_int(resolve("alice:44", passwd, group, NULL, 0, &u, &err), 0, "name:gid without entry");
	is_int(u.gid, 44, "  gid 44");
	is_int(resolve("alice:63", passwd, group, NULL, 0, &u, &err), 0, "name:gid with entry");
	is_int(u.gid, 63, "  gid 63");
	is_int(resolve("alice:100", passwd, group, NULL, 0, &u, &err), 0,
	       "a numeric group matches the gid first in file order");
	is_int(u.gid, 100, "  users (100), the first line that matches");

	is_int(resolve("4242:audio", passwd, group, NULL, 0, &u, &err), 0, "uid:group");
	ok(u.uid == 4242 && u.gid == 63, "  uid and the group's gid");
	is_int(resolve("4242:4343", passwd, group, NULL, 0, &u, &err), 0, "uid:gid, no entries");
	ok(u.uid == 4242 && u.gid == 4343, "  as given");
	is_int(resolve(":wheel", passwd, group, NULL, 0, &u, &err), 0, ":group is root");
	ok(u.uid == 0 && u.gid == 10, "  uid 0, gid 10");

	fails("alice:nosuch", passwd, group, NULL, 0,
	      "unable to find group nosuch: no matching entries in group file", "a missing group");
	fails("alice:video", passwd, group, NULL, 0, "unable to find group video",
	      "a commented-out group does not exist");
	fails("alice:bogus", passwd, group, NULL, 0, "unable to find group bogus",
	      "a group line with a bad gid is skipped");
	fails("alice:2147483648", passwd, group, NULL, 0, "gid '2147483648' is out of range",
	      "a gid too large");
	fails("alice:-5", passwd, group, NULL, 0, "gid '-5' is out of range", "a negative gid");
	fails("alice:wheel:x", passwd, group, NULL, 0, "invalid user 'alice:wheel:x'",
	      "a second ':'");
}

static void test_missing(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_user u;

	fails("nosuch", passwd, group, NULL, 0,
	      "unable to find user nosuch: no matching entries in passwd file", "a missing user");
	fails("bad", passwd, group, NULL, 0, "unable to find user bad",
	      "a passwd line with a bad uid is skipped");
	fails("short", passwd, group, NULL, 0, "unable to find user short",
	      "a passwd line with too few fields is skipped");
	fails("# a comment", passwd, group, NULL, 0, "unable to find user # a comment",
	      "comments are not entries");
	fails("alic", passwd, group, NULL, 0, "unable to find user alic", "no prefix match");
	fails("alice", NULL, group, NULL, 0, "unable to find user alice", "no passwd file");

	is_int(resolve("", NULL, NULL, NULL, 0, &u, &err), 0, "no files: \"\" is still root");
	ok(u.uid == 0 && u.gid == 0 && u.n_groups == 0, "  uid 0 gid 0 no groups");
	is_str(u.home, "/", "  home /");
	is_str(u.name, "", "  no name");
	is_int(resolve("1000:1000", NULL, NULL, NULL, 0, &u, &err), 0, "no files: numbers work");
	ok(u.uid == 1000 && u.gid == 1000, "  as given");
	fails("1000:wheel", NULL, NULL, NULL, 0, "unable to find group wheel", "no group file");
	is_int(resolve("alice", passwd, NULL, NULL, 0, &u, &err), 0, "a user without a group file");
	is_int(u.n_groups, 0, "  no groups");
	is_int(resolve("alice", passwd, "", NULL, 0, &u, &err), 0, "an empty group file");
	is_int(u.n_groups, 0, "  no groups");
}

static void test_extra(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_user u;
	const char *const some[] = {"audio", "700", "wheel", "10", "users", "63"};
	const char *const bynum[] = {"600"};
	const char *const byname[] = {"100"};

	is_int(resolve("daemon", passwd, group, some, 6, &u, &err), 0, "--group-add");
	is_str(groups_str(&u), "63,700,10,100", "  names and numbers, duplicates removed");

	is_int(resolve("alice", passwd, group, some, 6, &u, &err), 0,
	       "--group-add after membership groups");
	is_str(groups_str(&u), "10,100,63,500,11,700", "  merged without duplicates");

	is_int(resolve("alice:wheel", passwd, group, some, 2, &u, &err), 0,
	       "--group-add with an explicit group");
	is_str(groups_str(&u), "63,700", "  only the added groups");

	is_int(resolve("", NULL, NULL, some + 1, 1, &u, &err), 0, "--group-add number, no file");
	is_str(groups_str(&u), "700", "  used as is");
	is_int(resolve("", passwd, group, bynum, 1, &u, &err), 0, "--group-add 600");
	is_str(groups_str(&u), "600", "  the group named 100 has gid 600");
	is_int(resolve("", passwd, group, byname, 1, &u, &err), 0, "--group-add 100");
	is_str(groups_str(&u), "100", "  the first line matching by name or gid: users");

	{
		const char *const e[] = {"nosuch"};

		fails("alice", passwd, group, e, 1,
		      "unable to find group nosuch: no matching entries in group file",
		      "--group-add with a missing name");
	}
	{
		const char *const e[] = {"keep-groups"};

		fails("alice", passwd, group, e, 1, "keep-groups is not supported",
		      "--group-add keep-groups");
	}
	{
		const char *const e[] = {"2147483648"};

		fails("alice", passwd, group, e, 1, "gid '2147483648' is out of range",
		      "--group-add out of range");
	}
	{
		const char *const e[] = {""};

		fails("alice", passwd, group, e, 1, "empty group name", "--group-add \"\"");
	}
}

static void test_limits(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_user u;
	char many[RT_USER_GROUPS_MAX + 1][16];
	const char *p[RT_USER_GROUPS_MAX + 1];
	char big[16384];
	size_t off = 0;

	for (int i = 0; i <= RT_USER_GROUPS_MAX; i++) {
		snprintf(many[i], sizeof(many[i]), "%d", 5000 + i);
		p[i] = many[i];
	}
	is_int(resolve("", NULL, NULL, p, RT_USER_GROUPS_MAX, &u, &err), 0, "64 groups fit");
	is_int(u.n_groups, RT_USER_GROUPS_MAX, "  all of them");
	fails("", NULL, NULL, p, RT_USER_GROUPS_MAX + 1, "too many supplementary groups",
	      "65 groups do not");

	/* 65 membership groups for alice. */
	for (int i = 0; i <= RT_USER_GROUPS_MAX; i++)
		off += (size_t)snprintf(big + off, sizeof(big) - off, "g%d:x:%d:alice\n", i,
					6000 + i);
	fails("alice", passwd, big, NULL, 0, "too many supplementary groups",
	      "65 membership groups");

	/* A home that does not fit the struct is an error, never truncated. */
	off = (size_t)snprintf(big, sizeof(big), "long:x:9:9::/");
	memset(big + off, 'a', 300);
	big[off + 300] = '\0';
	fails("long", big, group, NULL, 0, "too long", "a home over 255 bytes");
	fails("9", big, group, NULL, 0, "too long", "  also found by uid");
}

int main(void)
{
	test_names();
	test_numeric();
	test_groups();
	test_missing();
	test_extra();
	test_limits();
	return tap_done();
}
