/* Unit tests of runtime/env.c: the environment list (set, replace in place, defaults, get),
 * --env-file parsing (literal values, comments, blank lines, CRLF, BOM, host pass-through and
 * PRE* globbing, an unterminated last line, names with white space, empty names, NUL bytes) and
 * -e arguments, and the defaults Podman adds.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "runtime/env.h"
#include "tests/unit/tap.h"

/* A host environment in writable arrays: the type of environ is char **, and -Wwrite-strings
 * makes literals const. */
static char h_home[] = "HOME=/home/me", h_lang[] = "LANG=C.UTF-8", h_lc_all[] = "LC_ALL=C",
	    h_lc_time[] = "LC_TIME=en_DK", h_empty[] = "EMPTY=", h_noeq[] = "NOEQ",
	    h_dup1[] = "DUP=first", h_dup2[] = "DUP=second";
static char *const host[] = {h_home, h_lang, h_lc_all, h_lc_time, h_empty,
			     h_noeq, h_dup1, h_dup2,   NULL};

/* An exact-size heap copy of len bytes with no NUL after them: ASan then catches any read
 * past len. */
static char *copy_exact(const char *s, size_t len)
{
	char *c = malloc(len ? len : 1);

	if (c != NULL && len > 0)
		memcpy(c, s, len);
	return c;
}

/* Parse text from an exact-size copy. */
static int parse(struct rt_env *e, const char *text, struct rcr_error **err)
{
	size_t len = strlen(text);
	_cleanup_free_ char *copy = copy_exact(text, len);

	return rt_env_parse_file(e, copy, len, "test.env", host, err);
}

/* The list as "A=1|B=2" for compact assertions; also checks the NULL terminator. */
static const char *joined(const struct rt_env *e)
{
	static char buf[4096];
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < e->n && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s", i ? "|" : "",
					e->v[i]);
	if (e->n > 0 && e->v[e->n] != NULL)
		return "(not NULL-terminated)";
	return buf;
}

static void parse_fails(const char *text, const char *want, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_env e = {0};

	is_int(parse(&e, text, &err), -1, "%s: fails", what);
	has_str(err ? err->msg : NULL, want, "  message");
	has_str(err ? err->msg : NULL, "parsing env file 'test.env'", "  names the file");
	rt_env_release(&e);
}

static void test_list(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_env e = {0};

	is_str(rt_env_get(&e, "A"), NULL, "get on an empty list");
	is_int(rt_env_set(&e, "A=1", &err), 0, "set A");
	is_int(rt_env_set(&e, "B=x=y", &err), 0, "set B with '=' in the value");
	is_int(rt_env_set(&e, "C=", &err), 0, "set C empty");
	is_int(rt_env_set(&e, "A=2", &err), 0, "set A again");
	is_str(joined(&e), "A=2|B=x=y|C=", "replaced in place, first-set order");
	is_int(e.n, 3, "  three entries");
	is_str(rt_env_get(&e, "B"), "x=y", "get B");
	is_str(rt_env_get(&e, "C"), "", "get C (empty, but set)");
	is_str(rt_env_get(&e, "AB"), NULL, "get of a missing name");
	is_str(rt_env_get(&e, ""), NULL, "get of an empty name");

	is_int(rt_env_set_default(&e, "A", "9", &err), 0, "default for a set name");
	is_str(rt_env_get(&e, "A"), "2", "  keeps the value");
	is_int(rt_env_set_default(&e, "D", "4", &err), 0, "default for a new name");
	is_str(joined(&e), "A=2|B=x=y|C=|D=4", "  appended");
	ok(err == NULL, "no error on success");

	is_int(rt_env_set(&e, "NOVALUE", &err), -1, "set without '=' fails");
	has_str(err ? err->msg : NULL, "expected NAME=value", "  message");
	rcr_error_clear(&err);
	is_int(rt_env_set(&e, "=x", &err), -1, "set with an empty name fails");
	rcr_error_clear(&err);
	is_int(rt_env_set_default(&e, "A=B", "x", &err), -1, "default with '=' in the name fails");
	rcr_error_clear(&err);
	is_int(rt_env_set_default(&e, "", "x", &err), -1, "default with an empty name fails");
	rcr_error_clear(&err);
	is_int(e.n, 4, "failures change nothing");

	rt_env_release(&e);
	ok(e.v == NULL && e.n == 0, "release empties");
	rt_env_release(&e);
	ok(1, "release twice is fine");
	rt_env_release(NULL);
	ok(1, "release NULL is fine");
}

static void test_file(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_env e = {0};
	const char *text = "# a comment\n"
			   "\n"
			   "   \t\n"
			   "  # an indented comment\n"
			   "A=1\n"
			   "  B=two words  \n"
			   "\tC=\"quoted\"\n"
			   "D='single'\n"
			   "E=\n"
			   "F=x=y#z\n"
			   "G=crlf\r\n"
			   "HOME\n"
			   "NOTSET\n"
			   "EMPTY\n"
			   "LC_*\n"
			   "DUP\n"
			   "A=override\n"
			   "H=a\rb\n"
			   "I=last";

	is_int(parse(&e, text, &err), 0, "a full env file parses");
	is_str(rt_env_get(&e, "A"), "override", "  later lines win");
	is_str(rt_env_get(&e, "B"), "two words  ", "  leading blanks dropped, value literal");
	is_str(rt_env_get(&e, "C"), "\"quoted\"", "  double quotes kept");
	is_str(rt_env_get(&e, "D"), "'single'", "  single quotes kept");
	is_str(rt_env_get(&e, "E"), "", "  an empty value");
	is_str(rt_env_get(&e, "F"), "x=y#z", "  '=' and '#' inside a value");
	is_str(rt_env_get(&e, "G"), "crlf", "  CRLF accepted");
	is_str(rt_env_get(&e, "HOME"), "/home/me", "  NAME alone takes the host value");
	is_str(rt_env_get(&e, "NOTSET"), NULL, "  an unset host variable is skipped");
	is_str(rt_env_get(&e, "EMPTY"), "", "  an empty host value is set");
	is_str(rt_env_get(&e, "LC_ALL"), "C", "  PRE* globs the host: LC_ALL");
	is_str(rt_env_get(&e, "LC_TIME"), "en_DK", "  and LC_TIME");
	is_str(rt_env_get(&e, "LANG"), NULL, "  but not LANG");
	is_str(rt_env_get(&e, "DUP"), "first", "  the first host entry, as getenv");
	is_str(rt_env_get(&e, "H"), "a\rb", "  a '\\r' inside a line is kept");
	is_str(rt_env_get(&e, "I"), "last", "  an unterminated last line");
	is_str(joined(&e),
	       "A=override|B=two words  |C=\"quoted\"|D='single'|E=|F=x=y#z|G=crlf|HOME=/home/me|"
	       "EMPTY=|LC_ALL=C|LC_TIME=en_DK|DUP=first|H=a\rb|I=last",
	       "  in first-set order");
	rt_env_release(&e);

	is_int(parse(&e,
		     "\xef\xbb\xbf"
		     "A=1\n",
		     &err),
	       0, "a UTF-8 BOM");
	is_str(joined(&e), "A=1", "  is not part of the name");
	rt_env_release(&e);

	is_int(parse(&e, "", &err), 0, "an empty file");
	is_int(e.n, 0, "  sets nothing");
	is_int(rt_env_parse_file(&e, NULL, 0, "x", NULL, &err), 0, "NULL text");
	is_int(parse(&e, "HOME\r\n*\n", &err), 0, "\"*\" alone");
	is_str(rt_env_get(&e, "LANG"), "C.UTF-8", "  takes every host variable");
	is_str(rt_env_get(&e, "DUP"), "second", "  later host duplicates win, as in Podman's map");
	is_str(rt_env_get(&e, "NOEQ"), NULL, "  host entries without '=' are ignored");
	rt_env_release(&e);

	is_int(parse(&e, "A=1\nA=2\r", &err), 0, "a final '\\r' without a newline");
	is_str(joined(&e), "A=2", "  dropped");
	rt_env_release(&e);
	is_int(rt_env_parse_file(&e, "HOME\n", 5, "x", NULL, &err), 0, "no host environment");
	is_int(e.n, 0, "  NAME alone sets nothing");
	ok(err == NULL, "no error on success");

	parse_fails("A=1\n\nA B=2\n", "line 3: variable name 'A B' has white space",
		    "white space inside a name");
	parse_fails("A =1\n", "line 1: variable name 'A ' has white space",
		    "white space before '='");
	parse_fails("A\tB\n", "line 1: variable name 'A\tB' has white space",
		    "a tab in a bare name");
	parse_fails("# c\n=value\n", "line 2: no variable name", "an empty name");
	parse_fails("  =value", "line 1: no variable name", "an empty name after blanks");
	{
		_cleanup_error_ struct rcr_error *e2 = NULL;
		struct rt_env e3 = {0};
		const char nul[] = "A=1\nB=x\0y\n";

		is_int(rt_env_parse_file(&e3, nul, sizeof(nul) - 1, "test.env", host, &e2), -1,
		       "a NUL byte in a line fails");
		has_str(e2 ? e2->msg : NULL, "line 2: NUL byte", "  message");
		rt_env_release(&e3);
	}
}

static void test_arg(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_env e = {0};

	is_int(rt_env_apply_arg(&e, "A=1", host, &err), 0, "-e A=1");
	is_int(rt_env_apply_arg(&e, "B= spaced ", host, &err), 0, "-e 'B= spaced '");
	is_int(rt_env_apply_arg(&e, "HOME", host, &err), 0, "-e HOME");
	is_int(rt_env_apply_arg(&e, "NOTSET", host, &err), 0, "-e NOTSET");
	is_int(rt_env_apply_arg(&e, "LC_*", host, &err), 0, "-e 'LC_*'");
	is_int(rt_env_apply_arg(&e, "NOMATCH_*", host, &err), 0, "-e 'NOMATCH_*'");
	is_int(rt_env_apply_arg(&e, "  C=x", host, &err), 0, "-e '  C=x'");
	is_int(rt_env_apply_arg(&e, "A B=y", host, &err), 0, "-e 'A B=y' (Podman accepts it)");
	is_int(rt_env_apply_arg(&e, "STAR*=z", host, &err), 0, "-e 'STAR*=z' is literal");
	is_int(rt_env_apply_arg(&e, "A=2", host, &err), 0, "-e A=2");
	is_int(rt_env_apply_arg(&e, "LANG", NULL, &err), 0, "-e LANG without a host env");
	is_str(joined(&e), "A=2|B= spaced |HOME=/home/me|LC_ALL=C|LC_TIME=en_DK|C=x|A B=y|STAR*=z",
	       "  the resulting list");
	ok(err == NULL, "no error on success");

	is_int(rt_env_apply_arg(&e, "=x", host, &err), -1, "-e =x fails");
	has_str(err ? err->msg : NULL, "invalid environment variable '=x': no name", "  message");
	rcr_error_clear(&err);
	is_int(rt_env_apply_arg(&e, "", host, &err), -1, "-e '' fails");
	rcr_error_clear(&err);
	is_int(rt_env_apply_arg(&e, " \t", host, &err), -1, "-e ' ' fails");
	rcr_error_clear(&err);
	rt_env_release(&e);
}

static void test_finish(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_env e = {0};

	is_int(rt_env_finish(&e, false, NULL, &err), 0, "defaults on an empty list");
	is_str(joined(&e),
	       "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin|"
	       "container=oci",
	       "  PATH and container, no TERM, no HOSTNAME");
	rt_env_release(&e);

	rt_env_set(&e, "PATH=/bin", &err);
	rt_env_set(&e, "TERM=vt100", &err);
	is_int(rt_env_finish(&e, true, "web1", &err), 0, "defaults with a tty and a hostname");
	is_str(joined(&e), "PATH=/bin|TERM=vt100|container=oci|HOSTNAME=web1",
	       "  existing values kept, the rest added");
	is_int(rt_env_set_default(&e, "HOME", "/root", &err), 0, "HOME by the caller");
	is_str(rt_env_get(&e, "HOME"), "/root", "  set");
	rt_env_release(&e);

	is_int(rt_env_finish(&e, true, NULL, &err), 0, "a tty without TERM");
	is_str(rt_env_get(&e, "TERM"), "xterm", "  TERM=xterm");
	rt_env_release(&e);
}

/* Many variables: the list grows and stays NULL-terminated. */
static void test_many(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_env e = {0};
	char entry[32];
	int fine = 1;

	for (int i = 0; i < 1000; i++) {
		snprintf(entry, sizeof(entry), "V%d=%d", i, i);
		fine &= rt_env_set(&e, entry, &err) == 0;
	}
	ok(fine && e.n == 1000 && e.v[1000] == NULL, "1000 variables");
	is_str(rt_env_get(&e, "V999"), "999", "  the last one");
	rt_env_release(&e);
}

int main(void)
{
	test_list();
	test_file();
	test_arg();
	test_finish();
	test_many();
	return tap_done();
}
