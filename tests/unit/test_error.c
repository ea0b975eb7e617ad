/* Unit tests of pkg/error.c: setting once, errno text, wrapping into a chain, freeing. */
#include <errno.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/error.h"
#include "tests/unit/tap.h"

static void test_set(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	rcr_error_set(&err, EINVAL, "parsing '%s': bad %s", "x.json", "token");
	ok(err != NULL, "set makes an error");
	is_str(err ? err->msg : NULL, "parsing 'x.json': bad token", "message is formatted");
	is_int(err ? err->code : -1, EINVAL, "code is kept");
}

static void test_first_wins(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rcr_error *first;

	rcr_error_set(&err, ENOENT, "first");
	first = err;
	rcr_error_set(&err, EPERM, "second");
	rcr_error_set_errno(&err, EACCES, "third");
	ok(err == first, "a second set leaves the first error in place");
	is_str(err->msg, "first", "the first message wins");
	is_int(err->code, ENOENT, "the first code wins");
}

static void test_null_err(void)
{
	/* Callers that do not care pass NULL; nothing may crash or leak (LeakSanitizer). */
	rcr_error_set(NULL, EINVAL, "ignored %d", 1);
	rcr_error_set_errno(NULL, EINVAL, "ignored");
	rcr_error_wrap(NULL, "ignored");
	rcr_error_free(NULL);
	rcr_error_clear(NULL);
	ok(1, "NULL err is accepted everywhere");
}

static void test_errno(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char want[256];

	rcr_error_set_errno(&err, EACCES, "creating directory '%s'", "/x/y");
	snprintf(want, sizeof(want), "creating directory '/x/y': %s", strerror(EACCES));
	is_str(err ? err->msg : NULL, want, "set_errno appends strerror");
	is_int(err ? err->code : -1, EACCES, "set_errno keeps errnum as the code");
}

static void test_wrap(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rcr_error *none = NULL;

	rcr_error_set(&err, 0, "HTTP 401: authentication required");
	rcr_error_wrap(&err, "fetching manifest");
	rcr_error_wrap(&err, "pulling '%s'", "localhost:5000/app:1");
	is_str(err->msg,
	       "pulling 'localhost:5000/app:1': fetching manifest: HTTP 401: "
	       "authentication required",
	       "wraps build the chain outermost first");
	is_int(err->code, 0, "wrapping keeps the code");
	rcr_error_wrap(&none, "context");
	ok(none == NULL, "wrapping no error leaves no error");
}

static void test_clear(void)
{
	struct rcr_error *err = NULL;

	rcr_error_set(&err, EIO, "something");
	rcr_error_clear(&err);
	ok(err == NULL, "clear frees and resets");
	rcr_error_set(&err, EIO, "again");
	ok(err != NULL, "after clear a new error can be set");
	rcr_error_free(err);
}

static void test_long_message(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *big = malloc(100001);

	memset(big, 'a', 100000);
	big[100000] = '\0';
	rcr_error_set(&err, 0, "%s", big);
	is_int(err && err->msg ? strlen(err->msg) : 0, 100000, "long messages are kept whole");
}

static void test_join(void)
{
	struct rcr_error *err = NULL;
	struct rcr_error *a = NULL;
	struct rcr_error *b = NULL;

	rcr_error_set(&a, EIO, "trying x: refused");
	rcr_error_set(&b, ENOENT, "trying y: not found");
	rcr_error_join(&err, a);
	is_str(err ? err->msg : NULL, "trying x: refused", "join into nothing moves the error");
	rcr_error_join(&err, b);
	is_str(err ? err->msg : NULL, "trying x: refused; trying y: not found",
	       "join appends with '; '");
	is_int(err ? err->code : 0, EIO, "the first error's code is kept");
	rcr_error_join(&err, NULL);
	is_str(err ? err->msg : NULL, "trying x: refused; trying y: not found", "joining NULL");
	rcr_error_free(err);
}

int main(void)
{
	test_join();
	test_set();
	test_first_wins();
	test_null_err();
	test_errno();
	test_wrap();
	test_clear();
	test_long_message();
	return tap_done();
}
