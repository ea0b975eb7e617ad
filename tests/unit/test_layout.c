/* Unit tests of the pure parts of local image sources and import: index.json choice by
 * reference, the names Podman gives, docker-archive manifest.json, transport names, and
 * --change instructions into an image config. */
#include <jansson.h>
#include <string.h>

#include "image/import.h"
#include "image/transport.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "tests/unit/tap.h"

#define D1   "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2   "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3   "sha256:3333333333333333333333333333333333333333333333333333333333333333"
#define MT_M "application/vnd.oci.image.manifest.v1+json"

static const char *two_refs =
	"{\"schemaVersion\":2,\"manifests\":["
	"{\"mediaType\":\"" MT_M "\",\"digest\":\"" D1 "\",\"size\":405,"
	"\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}},"
	"{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"" D2 "\","
	"\"size\":506,\"annotations\":{\"org.opencontainers.image.ref.name\":\"v2\"}}]}";

static bool err_has(const struct rcr_error *e, const char *s)
{
	return e != NULL && e->msg != NULL && strstr(e->msg, s) != NULL;
}

static void test_index_pick(void)
{
	const char *one = "{\"manifests\":[{\"digest\":\"" D1 "\",\"annotations\":{"
			  "\"org.opencontainers.image.ref.name\":\"quay.io/a/b:1\"}}]}";
	struct layout_pick p;
	struct rcr_error *err = NULL;

	is_int(layout_index_pick(one, strlen(one), NULL, &p, &err), 0, "the only image, no ref");
	is_str(p.digest, D1, "its digest");
	ok(p.media_type == NULL && p.size == -1, "absent mediaType and size stay absent");
	is_str(p.name, "quay.io/a/b:1", "its ref.name is its name");
	layout_pick_release(&p);

	is_int(layout_index_pick(two_refs, strlen(two_refs), "v2", &p, &err), 0, "by ref.name");
	is_str(p.digest, D2, "the v2 entry");
	is_str(p.media_type, "application/vnd.oci.image.index.v1+json", "its media type");
	is_int(p.size, 506, "its size");
	layout_pick_release(&p);

	is_int(layout_index_pick(two_refs, strlen(two_refs), "@0", &p, &err), 0, "by index @0");
	is_str(p.digest, D1, "the first entry");
	layout_pick_release(&p);

	is_int(layout_index_pick(two_refs, strlen(two_refs), NULL, &p, &err), -1,
	       "two images without a ref is an error");
	ok(err_has(err, "holds 2 images") && err_has(err, "latest, v2"), "which lists the refs: %s",
	   err ? err->msg : "");
	rcr_error_clear(&err);

	is_int(layout_index_pick(two_refs, strlen(two_refs), "nope", &p, &err), -1,
	       "an unknown ref is an error");
	ok(err_has(err, "no image named 'nope'") && err_has(err, "latest, v2"),
	   "naming it and what there is: %s", err ? err->msg : "");
	rcr_error_clear(&err);

	is_int(layout_index_pick(two_refs, strlen(two_refs), "@2", &p, &err), -1,
	       "an index out of range is an error");
	rcr_error_clear(&err);
}

static void test_index_pick_odd(void)
{
	const char *containerd = "{\"manifests\":[{\"digest\":\"" D1 "\",\"annotations\":{"
				 "\"org.opencontainers.image.ref.name\":\"1.0\","
				 "\"io.containerd.image.name\":\"docker.io/library/app:1.0\"}}]}";
	const char *bad_digest = "{\"manifests\":[{\"digest\":\"sha256:../../etc\"}]}";
	const char *empty = "{\"manifests\":[]}";
	struct layout_pick p;
	struct rcr_error *err = NULL;

	is_int(layout_index_pick(containerd, strlen(containerd), "1.0", &p, &err), 0,
	       "chosen by ref.name");
	is_str(p.name, "docker.io/library/app:1.0", "containerd's name annotation comes first");
	layout_pick_release(&p);

	is_int(layout_index_pick(bad_digest, strlen(bad_digest), NULL, &p, &err), -1,
	       "a malformed digest is refused before it becomes a path");
	rcr_error_clear(&err);
	is_int(layout_index_pick(empty, strlen(empty), NULL, &p, &err), -1,
	       "an empty index is an error");
	rcr_error_clear(&err);
	is_int(layout_index_pick("[", 1, NULL, &p, &err), -1, "bad JSON is an error");
	rcr_error_clear(&err);
}

static void test_ref_name(void)
{
	struct rcr_error *err = NULL;
	char *s;

	s = layout_ref_name("latest", &err);
	is_str(s, "docker.io/library/latest:latest",
	       "a bare tag is a docker.io name, as containers-storage parses it");
	free(s);
	s = layout_ref_name("localhost/name:tag", &err);
	is_str(s, "localhost/name:tag", "a full name is kept");
	free(s);
	s = layout_ref_name("quay.io/foo/bar", &err);
	is_str(s, "quay.io/foo/bar:latest", ":latest is added");
	free(s);
	ok(layout_ref_name(NULL, &err) == NULL && err == NULL, "no ref: no name, no error");
	ok(layout_ref_name("@0", &err) == NULL && err == NULL, "an index: no name, no error");
	ok(layout_ref_name("Bad Name", &err) == NULL && err != NULL, "an invalid name is an error");
	rcr_error_clear(&err);
}

static const char *dmanifest =
	"[{\"Config\":\""
	"aaaa.json\",\"RepoTags\":[\"busybox:latest\","
	"\"quay.io/rcr/busybox:1\"],\"Layers\":[\"1/layer.tar\",\"2/layer.tar\"]},"
	"{\"Config\":\"blobs/sha256/bbbb\",\"RepoTags\":null,\"Layers\":[\"blobs/sha256/cccc\"]}]";

static void test_darchive_parse(void)
{
	struct darchive_manifest m;
	struct rcr_error *err = NULL;
	const char *escape = "[{\"Config\":\"c.json\",\"Layers\":[\"../../etc/shadow\"]}]";
	const char *absolute = "[{\"Config\":\"/etc/passwd\",\"Layers\":[]}]";
	const char *noconfig = "[{\"Layers\":[]}]";

	is_int(darchive_manifest_parse(dmanifest, strlen(dmanifest), &m, &err), 0,
	       "docker save's manifest.json parses");
	is_int(m.n, 2, "two images");
	is_str(m.items[0].config, "aaaa.json", "legacy config name");
	is_int(m.items[0].n_tags, 2, "two tags");
	is_str(m.items[0].layers[1], "2/layer.tar", "layers in order");
	is_int(m.items[1].n_tags, 0, "RepoTags null: none");
	is_str(m.items[1].layers[0], "blobs/sha256/cccc", "Docker 25 blob paths");
	darchive_manifest_release(&m);

	is_int(darchive_manifest_parse(escape, strlen(escape), &m, &err), -1,
	       "a layer path with .. is refused");
	ok(err_has(err, "not inside the archive"), "saying why: %s", err ? err->msg : "");
	rcr_error_clear(&err);
	is_int(darchive_manifest_parse(absolute, strlen(absolute), &m, &err), -1,
	       "an absolute config path is refused");
	rcr_error_clear(&err);
	is_int(darchive_manifest_parse(noconfig, strlen(noconfig), &m, &err), -1,
	       "an entry without Config is refused");
	rcr_error_clear(&err);
	is_int(darchive_manifest_parse("[]", 2, &m, &err), -1, "an empty list is refused");
	rcr_error_clear(&err);
}

static void test_darchive_choose(void)
{
	const char *single = "[{\"Config\":\"c.json\",\"RepoTags\":[\"busybox:latest\","
			     "\"docker.io/library/app:2\"],\"Layers\":[\"l.tar\"]}]";
	struct darchive_manifest m, s;
	const struct darchive_item *it = NULL;
	struct rcr_error *err = NULL;
	char **names = NULL;

	darchive_manifest_parse(dmanifest, strlen(dmanifest), &m, &err);
	darchive_manifest_parse(single, strlen(single), &s, &err);

	is_int(darchive_choose(&s, NULL, &it, &names, &err), 0, "the only image");
	ok(it == &s.items[0] && names != NULL, "is chosen");
	is_str(names ? names[0] : NULL, "localhost/busybox:latest",
	       "a short RepoTag goes under localhost/, as Podman's NormalizeName");
	is_str(names ? names[1] : NULL, "docker.io/library/app:2", "a full one is kept");
	strv_free(names);

	is_int(darchive_choose(&m, NULL, &it, &names, &err), -1, "two images need a choice");
	ok(err_has(err, "holds 2 images"), "saying so: %s", err ? err->msg : "");
	rcr_error_clear(&err);

	is_int(darchive_choose(&m, "@1", &it, &names, &err), 0, "@1");
	ok(it == &m.items[1] && names != NULL && names[0] == NULL, "the untagged image, no name");
	strv_free(names);

	is_int(darchive_choose(&m, "busybox", &it, &names, &err), 0, "by reference");
	ok(it == &m.items[0], "busybox matches busybox:latest");
	ok(names && names[0] && strcmp(names[0], "localhost/busybox:latest") == 0 && !names[1],
	   "only the tag asked for names it");
	strv_free(names);

	is_int(darchive_choose(&m, "quay.io/rcr/busybox:1", &it, &names, &err), 0,
	       "by a full reference");
	strv_free(names);

	is_int(darchive_choose(&m, "nope:1", &it, &names, &err), -1, "an absent tag");
	ok(err_has(err, "tag 'nope:1' not found"), "is named: %s", err ? err->msg : "");
	rcr_error_clear(&err);
	is_int(darchive_choose(&m, "@2", &it, &names, &err), -1, "an index out of range");
	rcr_error_clear(&err);
	darchive_manifest_release(&m);
	darchive_manifest_release(&s);
}

static void test_transports(void)
{
	struct rcr_error *err = NULL;

	ok(img_transport_is_local("oci:/x:latest"), "oci: is local");
	ok(img_transport_is_local("oci-archive:/x.tar"), "oci-archive: is local");
	ok(img_transport_is_local("docker-archive:/x.tar"), "docker-archive: is local");
	ok(!img_transport_is_local("docker://busybox"), "docker:// is not");
	ok(!img_transport_is_local("busybox:latest"), "a reference is not");
	is_int(img_transport_check("dir:/tmp/x", &err), -1, "dir: is refused");
	ok(err_has(err, "transport 'dir' is not supported by rcr; supported: docker://, oci:, "
			"oci-archive:, docker-archive:"),
	   "with what is supported: %s", err ? err->msg : "");
	rcr_error_clear(&err);
	is_int(img_transport_check("containers-storage:busybox", &err), -1,
	       "containers-storage: is refused");
	rcr_error_clear(&err);
	is_int(img_transport_check("docker-daemon:busybox:latest", &err), -1,
	       "docker-daemon: is refused");
	rcr_error_clear(&err);
	is_int(img_transport_check("foo:bar", &err), 0, "foo:bar is a reference");
	is_int(img_transport_check("localhost:5000/app:1", &err), 0, "host:port/... too");
	is_int(img_transport_check("docker://busybox", &err), 0, "docker:// is fine");
	is_int(img_transport_check("oci:/x", &err), 0, "oci: is fine");
}

/* config["key"] as compact JSON. Owned. */
static char *dump(json_t *config, const char *key)
{
	json_t *v = json_object_get(config, key);

	return v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("(none)");
}

#define is_json(cfg, key, want, ...)                                                               \
	do {                                                                                       \
		_cleanup_free_ char *got_ = dump(cfg, key);                                        \
		is_str(got_, want, __VA_ARGS__);                                                   \
	} while (0)

static int apply(json_t *cfg, const char *change)
{
	struct rcr_error *err = NULL;
	int rc = img_change_apply(cfg, change, &err);

	if (rc < 0)
		printf("# %s\n", err ? err->msg : "(no message)");
	rcr_error_free(err);
	return rc;
}

static void test_changes_commands(void)
{
	_cleanup_json_ json_t *c = json_object();

	is_int(apply(c, "CMD [\"/bin/sh\"]"), 0, "CMD exec form");
	is_json(c, "Cmd", "[\"/bin/sh\"]", "is kept as given");
	apply(c, "CMD echo hi there");
	is_json(c, "Cmd", "[\"/bin/sh\",\"-c\",\"echo hi there\"]", "shell form runs sh -c");
	apply(c, "cmd=ls");
	is_json(c, "Cmd", "[\"/bin/sh\",\"-c\",\"ls\"]", "lower case and INSTR=VALUE accepted");
	apply(c, "CMD [1, 2]");
	is_json(c, "Cmd", "[\"/bin/sh\",\"-c\",\"[1, 2]\"]", "a non-string array is shell form");
	apply(c, "ENTRYPOINT [\"/entry\", \"-x\"]");
	is_json(c, "Entrypoint", "[\"/entry\",\"-x\"]", "ENTRYPOINT exec form");
	apply(c, "ENTRYPOINT ");
	is_json(c, "Entrypoint", "[]", "an empty ENTRYPOINT clears it");
	apply(c, "USER app");
	is_json(c, "User", "\"app\"", "USER");
	is_int(apply(c, "CMD"), -1, "an instruction without value is refused");
	is_int(apply(c, "FROM busybox"), -1, "FROM is not a change");
	is_int(apply(c, "ONBUILD RUN true"), 0, "ONBUILD is accepted");
	ok(json_object_get(c, "OnBuild") == NULL, "and dropped, as the OCI config has no place");
}

static void test_changes_env_label(void)
{
	_cleanup_json_ json_t *c = json_object();

	apply(c, "ENV A=1 B=\"two words\"");
	is_json(c, "Env", "[\"A=1\",\"B=two words\"]", "ENV pairs, quotes group");
	apply(c, "ENV PATH /usr/local/bin:/usr/bin");
	is_json(c, "Env", "[\"A=1\",\"B=two words\",\"PATH=/usr/local/bin:/usr/bin\"]",
		"legacy ENV NAME VALUE");
	apply(c, "ENV A=hello world");
	is_json(c, "Env", "[\"A=hello world\",\"B=two words\",\"PATH=/usr/local/bin:/usr/bin\"]",
		"a word without = continues the value (as Podman), and A is replaced");
	is_int(apply(c, "ENV =x"), -1, "ENV without a name is refused");
	apply(c, "LABEL a=b \"c d\"=e");
	is_json(c, "Labels", "{\"a\":\"b\",\"c d\":\"e\"}", "LABEL pairs");
	is_int(apply(c, "LABEL nokey"), -1, "LABEL without = is refused");
}

static void test_changes_misc(void)
{
	_cleanup_json_ json_t *c = json_object();

	apply(c, "EXPOSE 80 443/UDP");
	is_json(c, "ExposedPorts", "{\"80/tcp\":{},\"443/udp\":{}}", "EXPOSE, tcp by default");
	is_int(apply(c, "EXPOSE http"), -1, "a port name is refused");
	is_int(apply(c, "EXPOSE 70000"), -1, "a port out of range is refused");
	is_int(apply(c, "EXPOSE 80/icmp"), -1, "an unknown protocol is refused");
	apply(c, "VOLUME /data /logs");
	apply(c, "VOLUME [\"/x\"]");
	is_json(c, "Volumes", "{\"/data\":{},\"/logs\":{},\"/x\":{}}", "VOLUME both forms add");
	apply(c, "WORKDIR /a");
	apply(c, "WORKDIR b");
	apply(c, "WORKDIR ../c/./d/");
	is_json(c, "WorkingDir", "\"/a/c/d\"", "WORKDIR relative to the previous one, cleaned");
	apply(c, "WORKDIR /x/../../y");
	is_json(c, "WorkingDir", "\"/y\"", "an absolute WORKDIR replaces it");
	apply(c, "STOPSIGNAL SIGKILL");
	is_json(c, "StopSignal", "\"9\"", "STOPSIGNAL by name, stored as a number");
	apply(c, "STOPSIGNAL term");
	is_json(c, "StopSignal", "\"15\"", "without SIG, any case");
	apply(c, "STOPSIGNAL 10");
	is_json(c, "StopSignal", "\"10\"", "by number");
	is_int(apply(c, "STOPSIGNAL BOGUS"), -1, "an unknown signal is refused");
}

static void test_import_config(void)
{
	static char cmd[] = "CMD [\"/bin/sh\"]", env[] = "ENV A=1", nope[] = "NOPE x";
	char *changes[] = {cmd, env, NULL};
	char *bad[] = {nope, NULL};
	struct import_config ic = {.os = "linux",
				   .arch = "amd64",
				   .created = "2024-05-06T07:08:09.5Z",
				   .diff_id = D3,
				   .changes = changes};
	struct rcr_error *err = NULL;
	_cleanup_free_ char *s = NULL;
	_cleanup_json_ json_t *doc = NULL;
	size_t len = 0;

	s = img_import_config(&ic, &len, &err);
	ok(s != NULL && len == strlen(s), "a config is made");
	doc = s ? json_loads(s, 0, NULL) : NULL;
	is_json(doc, "architecture", "\"amd64\"", "architecture");
	is_json(doc, "os", "\"linux\"", "os");
	ok(json_object_get(doc, "variant") == NULL, "no variant when none is given");
	is_json(doc, "created", "\"2024-05-06T07:08:09.5Z\"", "created");
	is_json(doc, "rootfs", "{\"type\":\"layers\",\"diff_ids\":[\"" D3 "\"]}", "rootfs");
	is_json(json_object_get(doc, "config"), "Cmd", "[\"/bin/sh\"]", "changes applied");
	is_json(json_object_get(doc, "config"), "Env", "[\"A=1\"]", "no default Env (as Podman)");
	is_json(json_array_get(json_object_get(doc, "history"), 0), "created_by",
		"\"/bin/sh -c #(nop) ADD file:3333333333333333333333333333333333333333333333333"
		"333333333333333 in /\"",
		"history: the tarball transport's created_by");
	is_json(json_array_get(json_object_get(doc, "history"), 0), "comment",
		"\"imported from tarball\"", "default comment");
	free(s);
	json_decref(doc);

	ic.comment = "my message";
	ic.variant = "v8";
	ic.changes = NULL;
	s = img_import_config(&ic, &len, &err);
	doc = s ? json_loads(s, 0, NULL) : NULL;
	is_json(json_array_get(json_object_get(doc, "history"), 0), "comment", "\"my message\"",
		"--message is the comment");
	is_json(doc, "variant", "\"v8\"", "variant");
	is_json(doc, "config", "{}", "an empty config without changes");
	free(s);
	s = NULL;

	ic.changes = bad;
	s = img_import_config(&ic, &len, &err);
	ok(s == NULL && err_has(err, "NOPE"), "a bad change is an error naming it: %s",
	   err ? err->msg : "");
	rcr_error_clear(&err);
}

int main(void)
{
	tap_plan(109);
	test_index_pick();
	test_index_pick_odd();
	test_ref_name();
	test_darchive_parse();
	test_darchive_choose();
	test_transports();
	test_changes_commands();
	test_changes_env_label();
	test_changes_misc();
	test_import_config();
	return tap_done();
}
