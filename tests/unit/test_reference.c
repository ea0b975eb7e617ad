/* Unit tests of image/reference.c: Docker/Podman reference normalisation and its errors. */
#include <stdlib.h>

#include "image/reference.h"
#include "pkg/cleanup.h"
#include "tests/unit/tap.h"

#define D64 "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void norm(const char *in, const char *want, int want_short)
{
	struct img_ref r;
	struct rcr_error *err = NULL;

	if (!ok(img_ref_parse(in, &r, &err) == 0, "'%s' parses", in)) {
		printf("#   %s\n", err ? err->msg : "");
		rcr_error_free(err);
		return;
	}
	{
		_cleanup_free_ char *s = img_ref_string(&r);

		is_str(s, want, "'%s' normalises", in);
	}
	is_int(r.is_short, want_short, "'%s' short name: %d", in, want_short);
	img_ref_release(&r);
}

static void bad(const char *in, const char *why)
{
	struct img_ref r;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(img_ref_parse(in, &r, &err) < 0, "'%s' is refused", in);
	has_str(err ? err->msg : NULL, why, "'%s': error says '%s'", in, why);
}

static void test_normalise(void)
{
	norm("busybox", "docker.io/library/busybox:latest", 1);
	norm("busybox:1.36", "docker.io/library/busybox:1.36", 1);
	norm("ns/app", "docker.io/ns/app:latest", 1);
	norm("docker.io/busybox", "docker.io/library/busybox:latest", 0);
	norm("index.docker.io/busybox", "docker.io/library/busybox:latest", 0);
	norm("localhost/app", "localhost/app:latest", 0);
	norm("localhost:5000/ns/app:1", "localhost:5000/ns/app:1", 0);
	norm("127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest", 0);
	norm("quay.io/a/b/c:v1.0-rc_1", "quay.io/a/b/c:v1.0-rc_1", 0);
	norm("[::1]:5000/app", "[::1]:5000/app:latest", 0);
	norm("app@" D64, "docker.io/library/app@" D64, 1);
	norm("reg.io/app:1@" D64, "reg.io/app:1@" D64, 0);
	norm("a__b/c-----d/e.f", "docker.io/a__b/c-----d/e.f:latest", 1);
	norm("Registry.Example/app", "Registry.Example/app:latest", 0);
}

static void test_errors(void)
{
	bad("", "empty name");
	bad("Busybox", "repository name must be lowercase");
	bad("reg.io/App", "repository name must be lowercase");
	bad("busybox:", "the tag must be");
	bad("busybox:.bad", "the tag must be");
	bad("app@sha256:abc", "the digest must be");
	bad("app@md5:0123", "the digest must be");
	bad("-app", "invalid reference format");
	bad("app-", "invalid reference format");
	bad("a..b", "invalid reference format");
	bad("a___b", "invalid reference format");
	bad("ns/", "invalid reference format");
	bad("/app", "invalid reference format");
	bad("reg.io:/app", "invalid registry host");
	bad("reg.io:50a/app", "invalid registry host");
	bad("-reg.io/app", "invalid registry host");
	bad("a b", "invalid reference format");
	{
		char long_name[300];

		memset(long_name, 'a', 299);
		long_name[299] = '\0';
		bad(long_name, "must not be more than 255 characters");
	}
}

static void test_parts(void)
{
	struct img_ref r, q;
	struct rcr_error *err = NULL;
	_cleanup_free_ char *repo = NULL;
	_cleanup_free_ char *s = NULL;
	_cleanup_free_ char *s2 = NULL;

	ok(img_ref_parse("busybox:1", &r, &err) == 0, "parse busybox:1");
	is_str(r.domain, "docker.io", "domain");
	is_str(r.path, "library/busybox", "path");
	is_str(r.tag, "1", "tag");
	ok(r.digest == NULL, "no digest");
	repo = img_ref_repository(&r);
	is_str(repo, "docker.io/library/busybox", "repository");
	ok(img_ref_with_domain(&r, "quay.io", &q, &err) == 0, "resolve against quay.io");
	s = img_ref_string(&q);
	is_str(s, "quay.io/busybox:1", "implied library/ dropped for another registry");
	img_ref_release(&q);
	img_ref_release(&r);
	ok(img_ref_parse("library/busybox", &r, &err) == 0, "parse library/busybox");
	ok(img_ref_with_domain(&r, "quay.io", &q, &err) == 0, "resolve typed library/");
	s2 = img_ref_string(&q);
	is_str(s2, "quay.io/library/busybox:latest", "typed library/ kept");
	img_ref_release(&q);
	img_ref_release(&r);
	ok(img_ref_tag_is_valid("_x"), "tag may start with _");
	ok(!img_ref_tag_is_valid("-x"), "tag may not start with -");
	ok(img_ref_digest_is_valid(D64), "valid digest");
	ok(!img_ref_digest_is_valid(
		   "sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef"),
	   "upper-case hex refused");
}

int main(void)
{
	test_normalise();
	test_errors();
	test_parts();
	return tap_done();
}
