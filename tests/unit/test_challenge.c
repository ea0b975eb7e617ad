/* Unit tests of image/challenge.c (WWW-Authenticate) and pkg/base64.c. */
#include <stdlib.h>
#include <string.h>

#include "image/challenge.h"
#include "pkg/base64.h"
#include "pkg/cleanup.h"
#include "tests/unit/tap.h"

static void test_bearer(void)
{
	struct auth_challenge c;
	struct rcr_error *err = NULL;

	ok(auth_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
				"docker.io\",scope=\"repository:library/busybox:pull\"",
				&c, &err) == 0,
	   "docker hub challenge parses");
	is_str(c.scheme, "bearer", "scheme lower-cased");
	is_str(c.realm, "https://auth.docker.io/token", "realm");
	is_str(c.service, "registry.docker.io", "service");
	is_str(c.scope, "repository:library/busybox:pull", "scope");
	auth_challenge_release(&c);
	ok(auth_challenge_parse("Bearer realm=\"http://127.0.0.1:5004/token\", service=reg, "
				"error=\"insufficient_scope\", scope=\"repository:a:pull,push\"",
				&c, &err) == 0,
	   "spaces, token values, commas inside quotes");
	is_str(c.service, "reg", "token value");
	is_str(c.error, "insufficient_scope", "error");
	is_str(c.scope, "repository:a:pull,push", "comma inside a quoted value");
	auth_challenge_release(&c);
	ok(auth_challenge_parse("Basic realm=\"x\", Bearer realm=\"https://t\",service=\"s\"", &c,
				&err) == 0,
	   "several challenges");
	is_str(c.scheme, "bearer", "bearer preferred");
	is_str(c.realm, "https://t", "its realm");
	auth_challenge_release(&c);
	ok(auth_challenge_parse("Basic realm=\"Registry \\\"Realm\\\"\"", &c, &err) == 0, "basic");
	is_str(c.scheme, "basic", "basic scheme");
	is_str(c.realm, "Registry \"Realm\"", "escaped quotes");
	auth_challenge_release(&c);
	ok(err == NULL, "no error on success");
}

static void test_bad(void)
{
	struct auth_challenge c;
	_cleanup_error_ struct rcr_error *e1 = NULL;
	_cleanup_error_ struct rcr_error *e2 = NULL;
	_cleanup_error_ struct rcr_error *e3 = NULL;

	ok(auth_challenge_parse("", &c, &e1) < 0, "empty refused");
	has_str(e1 ? e1->msg : NULL, "malformed WWW-Authenticate", "says malformed");
	ok(auth_challenge_parse("Bearer service=\"x\"", &c, &e2) < 0, "bearer without realm");
	has_str(e2 ? e2->msg : NULL, "names no realm", "says no realm");
	ok(auth_challenge_parse("Bearer realm=\"unterminated", &c, &e3) < 0, "unterminated quote");
}

static void test_base64(void)
{
	size_t n = 0;
	_cleanup_free_ char *a = base64_encode("rcruser:rcrpass", 15);
	_cleanup_free_ char *b = base64_decode("cmNydXNlcjpyY3JwYXNz", &n);
	_cleanup_free_ char *c = base64_encode("a", 1);
	_cleanup_free_ char *d = base64_decode("YQ==", &n);
	_cleanup_free_ char *e = base64_decode("YQ", &n);
	_cleanup_free_ char *f = base64_decode("Y!==", &n);
	_cleanup_free_ char *g = base64_decode("YR==", &n);
	_cleanup_free_ char *h = base64_encode("", 0);

	is_str(a, "cmNydXNlcjpyY3JwYXNz", "encode");
	is_str(b, "rcruser:rcrpass", "decode");
	is_str(c, "YQ==", "padding");
	is_str(d, "a", "decode padded");
	is_str(e, "a", "decode unpadded");
	ok(f == NULL, "bad character refused");
	ok(g == NULL, "non-zero trailing bits refused");
	is_str(h, "", "empty");
}

int main(void)
{
	test_bearer();
	test_bad();
	test_base64();
	return tap_done();
}
