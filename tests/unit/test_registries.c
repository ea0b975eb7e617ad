/* Unit tests of image/registries.c: merging files, prefix matching, mirrors, blocking, aliases
 * and short-name resolution. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/registries.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

static const char *base_conf =
	"unqualified-search-registries = [\"127.0.0.1:5000\", \"docker.io\"]\n"
	"[aliases]\n"
	"\"app\" = \"localhost:5000/team/app\"\n"
	"[[registry]]\n"
	"location = \"127.0.0.1:5000\"\n"
	"insecure = true\n"
	"[[registry]]\n"
	"prefix = \"example.com/foo\"\n"
	"location = \"127.0.0.1:5001/mirrored/foo\"\n"
	"[[registry.mirror]]\n"
	"location = \"127.0.0.1:5002/m1\"\n"
	"insecure = true\n"
	"[[registry]]\n"
	"location = \"evil.io\"\n"
	"blocked = true\n"
	"[[registry]]\n"
	"prefix = \"*.corp.example\"\n"
	"insecure = true\n";

static void apply(struct reg_conf *c, const char *text)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(reg_conf_apply_text(c, text, strlen(text), "'t.conf'", &err) == 0, "conf applies%s%s",
	   err ? ": " : "", err ? err->msg : "");
}

static void endpoints(struct reg_conf *c, const char *ref, const char *want)
{
	struct img_ref r;
	struct reg_endpoint *v = NULL;
	size_t n = 0;
	char got[1024] = "";
	_cleanup_error_ struct rcr_error *err = NULL;

	if (img_ref_parse(ref, &r, &err) == 0 && reg_conf_endpoints(c, &r, &v, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++)
			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s/%s%s",
				 i ? " " : "", v[i].host, v[i].path, v[i].insecure ? "(i)" : "");
	} else {
		snprintf(got, sizeof(got), "error: %s", err ? err->msg : "?");
	}
	is_str(got, want, "endpoints of %s", ref);
	reg_endpoints_free(v, n);
	img_ref_release(&r);
}

static void test_endpoints(void)
{
	struct reg_conf c;

	reg_conf_init(&c);
	apply(&c, base_conf);
	endpoints(&c, "127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox(i)");
	endpoints(&c, "quay.io/a/b", "quay.io/a/b");
	endpoints(&c, "example.com/foo/bar:1",
		  "127.0.0.1:5002/m1/bar(i) 127.0.0.1:5001/mirrored/foo/bar");
	endpoints(&c, "example.com/foobar", "example.com/foobar");
	endpoints(&c, "reg.corp.example/x", "reg.corp.example/x(i)");
	endpoints(&c, "corp.example/x", "corp.example/x");
	endpoints(&c, "evil.io/x",
		  "error: registry 'evil.io' is blocked in registries.conf (prefix 'evil.io')");
	reg_conf_release(&c);
}

static void test_merge(void)
{
	struct reg_conf c;
	const struct reg_entry *e;

	reg_conf_init(&c);
	apply(&c, base_conf);
	apply(&c, "unqualified-search-registries = [\"quay.io\"]\n"
		  "[aliases]\n\"other\" = \"quay.io/x/other\"\n"
		  "[[registry]]\nlocation = \"127.0.0.1:5000\"\ninsecure = false\n");
	is_str(c.search[0], "quay.io", "a later file replaces the search list");
	ok(c.search[1] == NULL, "... entirely");
	ok(json_object_get(c.aliases, "app") != NULL && json_object_get(c.aliases, "other"),
	   "aliases are merged key by key");
	e = reg_conf_find(&c, "127.0.0.1:5000/busybox");
	ok(e != NULL && !e->insecure, "a [[registry]] with the same prefix is replaced");
	reg_conf_release(&c);
	reg_conf_init(&c);
	apply(&c, "[registries.search]\nregistries = ['docker.io']\n"
		  "[registries.insecure]\nregistries = ['old:5000']\n");
	is_str(c.search[0], "docker.io", "V1 search list");
	e = reg_conf_find(&c, "old:5000/x");
	ok(e != NULL && e->insecure, "V1 insecure list");
	reg_conf_release(&c);
}

static void resolve(struct reg_conf *c, const char *ref, const char *want)
{
	struct img_ref r;
	struct img_ref *v = NULL;
	size_t n = 0;
	char got[1024] = "";
	_cleanup_error_ struct rcr_error *err = NULL;

	if (img_ref_parse(ref, &r, &err) == 0 && reg_conf_resolve_short(c, &r, &v, &n, &err) == 0) {
		for (size_t i = 0; i < n; i++) {
			_cleanup_free_ char *s = img_ref_string(&v[i]);

			snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? " " : "",
				 s);
			img_ref_release(&v[i]);
		}
	} else {
		snprintf(got, sizeof(got), "error: %s", err ? err->msg : "?");
	}
	free(v);
	img_ref_release(&r);
	if (strncmp(want, "error: ", 7) == 0)
		has_str(got, want, "resolve %s", ref);
	else
		is_str(got, want, "resolve %s", ref);
}

static void test_short_names(void)
{
	struct reg_conf c;

	reg_conf_init(&c);
	apply(&c, base_conf);
	resolve(&c, "busybox", "127.0.0.1:5000/busybox:latest docker.io/library/busybox:latest");
	resolve(&c, "ns/tool:2", "127.0.0.1:5000/ns/tool:2 docker.io/ns/tool:2");
	resolve(&c, "app:v1", "localhost:5000/team/app:v1");
	reg_conf_release(&c);
	reg_conf_init(&c);
	resolve(&c, "busybox",
		"error: short-name 'busybox' did not resolve to an alias and no "
		"unqualified-search-registries are defined");
	apply(&c, "[aliases]\n\"bad\" = \"nohost\"\n");
	resolve(&c, "bad",
		"error: alias 'bad' in registries.conf is 'nohost', which names no registry");
	reg_conf_release(&c);
}

static void bad(const char *text, const char *want)
{
	struct reg_conf c;
	_cleanup_error_ struct rcr_error *err = NULL;

	reg_conf_init(&c);
	ok(reg_conf_apply_text(&c, text, strlen(text), "'t.conf'", &err) < 0, "refused: %s", want);
	has_str(err ? err->msg : NULL, want, "error says '%s'", want);
	reg_conf_release(&c);
}

static void test_errors(void)
{
	bad("[[registry]]\nlocation = \"x\"\ninsecure = \"yes\"\n",
	    "'insecure' must be true or false");
	bad("[[registry]]\ninsecure = true\n", "needs a 'location' or a 'prefix'");
	bad("unqualified-search-registries = \"docker.io\"\n", "must be an array of strings");
	bad("[[registry]]\nprefix = \"*.a.b\"\nlocation = \"c\"\n",
	    "wildcard prefix '*.a.b' cannot have a 'location'");
	bad("[aliases]\nx = 1\n", "'x' must be a string (an alias)");
	bad("[[registry]]\nlocation = \"x\"\n[[registry.mirror]]\ninsecure = true\n",
	    "has no 'location'");
}

/* Files: the user's file replaces the system's and its drop-ins; without it, drop-ins of both
 * dirs apply in name order. */
static void test_load(void)
{
	char tmpl[] = "/tmp/rcr-test-reg-XXXXXX";
	char *dir = mkdtemp(tmpl);
	char p[4096];
	struct reg_conf c;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(dir != NULL, "temp dir");
	snprintf(p, sizeof(p), "%s/etc/registries.conf.d", dir);
	fs_mkdir_p(p, 0755, NULL);
	snprintf(p, sizeof(p), "%s/home/containers/registries.conf.d", dir);
	fs_mkdir_p(p, 0755, NULL);
	snprintf(p, sizeof(p), "%s/etc/registries.conf", dir);
	fs_write_atomic(p, "unqualified-search-registries = ['sys.io']\n", 43, 0644, NULL);
	snprintf(p, sizeof(p), "%s/etc/registries.conf.d/10-a.conf", dir);
	fs_write_atomic(p, "[aliases]\n'a' = 'sys.io/a'\n", 27, 0644, NULL);
	snprintf(p, sizeof(p), "%s/etc/registries.conf.d/20-b.conf", dir);
	fs_write_atomic(p, "[aliases]\n'b' = 'sys.io/b'\n", 27, 0644, NULL);
	snprintf(p, sizeof(p), "%s/home/containers/registries.conf.d/20-b.conf", dir);
	fs_write_atomic(p, "[aliases]\n'b' = 'user.io/b'\n", 28, 0644, NULL);

	reg_conf_init(&c);
	snprintf(p, sizeof(p), "%s/home", dir);
	{
		char etc[4096];

		snprintf(etc, sizeof(etc), "%s/etc", dir);
		ok(reg_conf_load(p, etc, &c, &err) == 0, "load%s%s", err ? ": " : "",
		   err ? err->msg : "");
		is_str(c.search ? c.search[0] : NULL, "sys.io",
		       "system file used without a user file");
		is_str(json_string_value(json_object_get(c.aliases, "a")), "sys.io/a",
		       "system drop-in");
		is_str(json_string_value(json_object_get(c.aliases, "b")), "user.io/b",
		       "the user's drop-in replaces the system one of the same name");
		reg_conf_release(&c);
		snprintf(p, sizeof(p), "%s/home/containers/registries.conf", dir);
		fs_write_atomic(p, "unqualified-search-registries = ['user.io']\n", 44, 0644, NULL);
		reg_conf_init(&c);
		snprintf(p, sizeof(p), "%s/home", dir);
		ok(reg_conf_load(p, etc, &c, &err) == 0, "load with a user file");
		is_str(c.search ? c.search[0] : NULL, "user.io",
		       "the user's file replaces the system's");
		ok(json_object_get(c.aliases, "a") == NULL,
		   "with a user file, the system's drop-ins are not read");
		is_str(json_string_value(json_object_get(c.aliases, "b")), "user.io/b",
		       "the user's drop-ins still are");
		reg_conf_release(&c);
	}
	fs_rm_rf(dir, NULL);
}

int main(void)
{
	test_endpoints();
	test_merge();
	test_short_names();
	test_errors();
	test_load();
	return tap_done();
}
