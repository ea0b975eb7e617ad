/* Unit tests of image/auth.c: auth.json lookup order, key matching, writing, removal. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/auth.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

static char dir[64];

static void put(const char *rel, const char *text)
{
	char p[256], d[256];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	snprintf(d, sizeof(d), "%s", p);
	*strrchr(d, '/') = '\0';
	fs_mkdir_p(d, 0700, NULL);
	fs_write_atomic(p, text, strlen(text), 0600, NULL);
}

static void lookup(char **files, const char *repo, const char *want)
{
	struct auth_creds c;
	_cleanup_error_ struct rcr_error *err = NULL;
	int rc = auth_lookup(files, repo, &c, &err);
	char got[256];

	if (rc == 1)
		snprintf(got, sizeof(got), "%s:%s", c.username, c.password);
	else
		snprintf(got, sizeof(got), "%s", rc == 0 ? "none" : (err ? err->msg : "?"));
	if (strncmp(want, "error:", 6) == 0)
		has_str(got, want + 6, "lookup %s -> %s", repo, want);
	else
		is_str(got, want, "lookup %s", repo);
	auth_creds_release(&c);
}

static void test_lookup(void)
{
	char rt[128], cfg[128], home[128];
	_cleanup_strv_ char **files = NULL;

	snprintf(rt, sizeof(rt), "%s/run", dir);
	snprintf(cfg, sizeof(cfg), "%s/cfg", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	/* "u1:p1", "u2:p2", "u3:p:3", "dock:er" */
	put("run/containers/auth.json", "{\"auths\": {\"127.0.0.1:5001\": {\"auth\": \"dTE6cDE=\"},"
					" \"127.0.0.1:5001/team/app\": {\"auth\": \"dTI6cDI=\"}}}");
	put("cfg/containers/auth.json", "{\"auths\": {\"quay.io\": {\"auth\": \"dTM6cDozIA==\"}}}");
	put("home/.docker/config.json",
	    "{\"auths\": {\"https://index.docker.io/v1/\": {\"auth\": \"ZG9jazplcg==\"}}}");
	files = auth_files(NULL, rt, cfg, home);
	lookup(files, "127.0.0.1:5001/busybox", "u1:p1");
	lookup(files, "127.0.0.1:5001/team/app", "u2:p2");
	lookup(files, "127.0.0.1:5001/team/other", "u1:p1");
	lookup(files, "quay.io/x/y", "u3:p:3 ");
	lookup(files, "docker.io/library/busybox", "dock:er");
	lookup(files, "127.0.0.1:5000/busybox", "none");
	put("cfg/containers/auth.json", "{\"auths\": {\"quay.io\": {\"auth\": \"!!\"}}}");
	lookup(files, "quay.io/x", "error:is not base64 of \"user:password\"");
	put("cfg/containers/auth.json", "{broken");
	lookup(files, "quay.io/x", "error:auth.json");
	{
		_cleanup_strv_ char **only = auth_files("/nonexistent/auth.json", rt, cfg, home);

		ok(only[0] != NULL && only[1] == NULL, "--authfile is the only file read");
		lookup(only, "127.0.0.1:5001/busybox", "none");
	}
}

static void test_store_remove(void)
{
	char file[128];
	struct stat st;
	struct auth_creds c;
	bool removed = false;
	char *files[2] = {file, NULL};
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *text = NULL;

	snprintf(file, sizeof(file), "%s/new/sub/auth.json", dir);
	ok(auth_store(file, "127.0.0.1:5002", "rcruser", "s3cr:t", &err) == 0, "store creates");
	ok(stat(file, &st) == 0 && (st.st_mode & 0777) == 0600, "file is 0600");
	ok(auth_store(file, "https://127.0.0.1:5002/v2/", "other", "pw", &err) == 0, "replace");
	text = fs_read_file(file, 4096, NULL, NULL);
	ok(text != NULL && strstr(text, "https://") == NULL, "one normalised key remains");
	ok(auth_lookup(files, "127.0.0.1:5002/x", &c, &err) == 1 && strcmp(c.password, "pw") == 0,
	   "replaced credentials read back");
	auth_creds_release(&c);
	ok(auth_store(file, "quay.io", "q", "q", &err) == 0, "second registry");
	ok(auth_remove(file, "127.0.0.1:5002", &removed, &err) == 0 && removed, "remove one");
	ok(auth_lookup(files, "127.0.0.1:5002/x", &c, &err) == 0, "removed entry gone");
	ok(auth_lookup(files, "quay.io/x", &c, &err) == 1, "other entry kept");
	auth_creds_release(&c);
	ok(auth_remove(file, "nothere.io", &removed, &err) == 0 && !removed, "remove missing");
	ok(auth_remove(file, NULL, &removed, &err) == 0 && removed, "remove all");
	ok(auth_lookup(files, "quay.io/x", &c, &err) == 0, "all gone");
}

static void test_parse_and_keys(void)
{
	struct auth_creds c;
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *k1 = auth_normalize_key("https://index.docker.io/v1/");
	_cleanup_free_ char *k2 = auth_normalize_key("http://h:5000/");
	_cleanup_free_ char *k3 = auth_normalize_key("h:5000/ns/repo");

	ok(auth_parse_creds("u:p:w", &c, &err) == 0, "creds parse");
	is_str(c.username, "u", "user");
	is_str(c.password, "p:w", "password keeps ':'");
	auth_creds_release(&c);
	ok(auth_parse_creds(":p", &c, &err) < 0, "empty user refused");
	has_str(err ? err->msg : NULL, "USERNAME:PASSWORD", "says the form");
	ok(strstr(err->msg, ":p") == NULL, "error does not echo the password");
	is_str(k1, "docker.io", "docker legacy key");
	is_str(k2, "h:5000", "scheme and slash stripped");
	is_str(k3, "h:5000/ns/repo", "repository key kept");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/rcr-test-auth-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_lookup();
	test_store_remove();
	test_parse_and_keys();
	fs_rm_rf(dir, NULL);
	return tap_done();
}
