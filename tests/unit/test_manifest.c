/* Unit tests of image/manifest.c: media types, layers, indexes and platform choice. */
#include <string.h>

#include "image/manifest.h"
#include "pkg/cleanup.h"
#include "tests/unit/tap.h"

#define H1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define H2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define H3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char *oci_manifest =
	"{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+"
	"json\",\"digest\":\"" H1 "\",\"size\":100},\"layers\":[{\"mediaType\":\"application/"
	"vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" H2 "\",\"size\":5},{\"mediaType\":"
	"\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" H3 "\",\"size\":7}]}";

static const char *index_doc =
	"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	"\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":"
	"\"" H1 "\",\"size\":1,\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
	"{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" H2 "\","
	"\"size\":2,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}"
	"},{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" H3 "\","
	"\"size\":3,\"platform\":{\"os\":\"linux\",\"architecture\":\"arm\",\"variant\":\"v7\"}}]}";

static void test_kind(void)
{
	_cleanup_free_ char *mt = NULL;
	_cleanup_free_ char *mt2 = NULL;
	_cleanup_free_ char *mt3 = NULL;
	_cleanup_error_ struct rcr_error *err = NULL;

	is_int(manifest_kind(oci_manifest, strlen(oci_manifest), NULL, &mt, &err), 0,
	       "a manifest without mediaType is recognised by its shape");
	is_str(mt, MT_OCI_MANIFEST, "as an OCI manifest");
	is_int(manifest_kind(oci_manifest, strlen(oci_manifest),
			     MT_DOCKER_MANIFEST "; charset=utf-8", &mt2, &err),
	       0, "Content-Type decides when the document says nothing");
	is_str(mt2, MT_DOCKER_MANIFEST, "parameters stripped");
	is_int(manifest_kind(index_doc, strlen(index_doc), NULL, &mt3, &err), 1, "index");
	{
		_cleanup_free_ char *m = NULL;
		_cleanup_error_ struct rcr_error *e = NULL;
		const char *v1 = "{\"schemaVersion\":1,\"name\":\"x\",\"fsLayers\":[]}";

		is_int(manifest_kind(v1, strlen(v1), NULL, &m, &e), -1, "schema 1 refused");
		has_str(e ? e->msg : NULL, "schema 1", "and named");
	}
}

static void test_manifest(void)
{
	struct manifest m;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(manifest_parse(oci_manifest, strlen(oci_manifest), MT_OCI_MANIFEST, &m, &err) == 0,
	   "manifest parses");
	is_str(m.config_digest, H1, "config digest");
	is_int(m.n_layers, 2, "two layers");
	is_int(m.layers[0].compression, LAYER_GZIP, "gzip layer");
	is_int(m.layers[1].compression, LAYER_ZSTD, "zstd layer");
	is_int(m.layers[1].size, 7, "layer size");
	manifest_release(&m);
}

static void bad_manifest(const char *doc, const char *want)
{
	struct manifest m;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(manifest_parse(doc, strlen(doc), MT_OCI_MANIFEST, &m, &err) < 0, "refused: %s", want);
	has_str(err ? err->msg : NULL, want, "error says '%s'", want);
}

static void test_bad(void)
{
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha512:aa\",\"size\":1},"
		     "\"layers\":[]}",
		     "only sha256 is supported");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"" H1 "\"},\"layers\":[]}",
		     "config needs a digest and a size");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"" H1 "\",\"size\":1},"
		     "\"layers\":[{\"mediaType\":\"application/x-foo\",\"digest\":\"" H2
		     "\",\"size\":1}]}",
		     "layer 1 has media type 'application/x-foo', which rcr cannot unpack");
	bad_manifest("{\"schemaVersion\":2,\"config\":{\"digest\":\"" H1 "\",\"size\":1}}",
		     "'layers' is not an array");
	bad_manifest("not json", "manifest");
}

static void select_for(const struct manifest_index *ix, const char *plat, const char *want)
{
	struct platform p;
	_cleanup_error_ struct rcr_error *err = NULL;
	const struct index_entry *e = NULL;

	if (platform_parse(plat, &p, &err) == 0)
		e = manifest_index_select(ix, &p, &err);
	if (strncmp(want, "error:", 6) == 0)
		has_str(err ? err->msg : NULL, want + 6, "%s: %s", plat, want);
	else
		is_str(e ? e->digest : NULL, want, "%s selects its entry", plat);
	platform_release(&p);
}

static void test_index(void)
{
	struct manifest_index ix;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(manifest_index_parse(index_doc, strlen(index_doc), &ix, &err) == 0, "index parses");
	is_int(ix.n, 3, "three entries");
	select_for(&ix, "linux/amd64", H1);
	select_for(&ix, "linux/x86_64", H1);
	select_for(&ix, "linux/arm64", H2);
	select_for(&ix, "linux/aarch64/v8", H2);
	select_for(&ix, "linux/arm/v7", H3);
	select_for(&ix, "linux/arm/v6",
		   "error:no image found in the manifest list for platform "
		   "linux/arm/v6 (it has: linux/amd64, linux/arm64/v8, "
		   "linux/arm/v7): choose one with --platform");
	select_for(&ix, "windows/amd64", "error:no image found");
	select_for(&ix, "linux", "error:invalid platform 'linux': use OS/ARCH[/VARIANT]");
	select_for(&ix, "linux/", "error:invalid platform");
	manifest_index_release(&ix);
}

int main(void)
{
	test_kind();
	test_manifest();
	test_bad();
	test_index();
	return tap_done();
}
