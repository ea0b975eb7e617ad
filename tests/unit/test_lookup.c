/* Unit tests: image/lookup's pure parts (names given by tag/import, id detection, which name a
 * short name designates). */
#include <stdlib.h>
#include <string.h>

#include "image/lookup.h"
#include "tests/unit/tap.h"

static void local_name(const char *typed, const char *want)
{
	struct rcr_error *err = NULL;
	char *got = img_local_name(typed, &err);

	if (want == NULL)
		ok(got == NULL && err != NULL, "\"%s\" is refused (%s)", typed,
		   err ? err->msg : "");
	else
		is_str(got ? got : "(null)", want, "the name stored for \"%s\"", typed);
	free(got);
	rcr_error_free(err);
}

static void designates(const char *typed, const char *want)
{
	char a[] = "127.0.0.1:5000/busybox:latest", b[] = "localhost/mine:2",
	     c[] = "docker.io/library/alpine:3", d[] = "quay.io/ns/app:latest";
	char *names[] = {a, b, c, d};
	struct store_image_info info = {.names = names, .n_names = 4};
	const char *got = img_lookup_name(&info, typed);

	is_str(got ? got : "(none)", want ? want : "(none)", "the name \"%s\" designates", typed);
}

int main(void)
{
	tap_plan(16);
	local_name("mine", "localhost/mine:latest");
	local_name("mine:2", "localhost/mine:2");
	local_name("ns/app", "localhost/ns/app:latest");
	local_name("quay.io/ns/app:1", "quay.io/ns/app:1");
	local_name("127.0.0.1:5000/x", "127.0.0.1:5000/x:latest");
	local_name("Bad", NULL);
	local_name("x@sha256:0123456789012345678901234567890123456789012345678901234567890123",
		   NULL);
	ok(img_looks_like_id("abc123"), "hex prefix looks like an id");
	ok(!img_looks_like_id("busybox"), "a name does not");
	ok(!img_looks_like_id("ab"), "too short");
	designates("busybox", "127.0.0.1:5000/busybox:latest");
	designates("mine:2", "localhost/mine:2");
	designates("alpine:3", "docker.io/library/alpine:3");
	designates("ns/app", "quay.io/ns/app:latest");
	designates("app", "quay.io/ns/app:latest");
	designates("other", NULL);
	return tap_done();
}
