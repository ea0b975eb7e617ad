/* `rcr import`: a root filesystem tarball (plain, gzip, zstd, xz or bzip2; a file, stdin or an
 * http(s) URL) becomes a one-layer image, as Podman's import (containers/common
 * libimage/import.go with containers/image's tarball transport) makes it:
 *   - the config has the given os/arch/variant, "created" = the file's mtime (now for stdin or a
 *     URL), rootfs.diff_ids = the sha256 of the uncompressed tar, one history entry
 *     ("/bin/sh -c #(nop) ADD file:<diff_id hex> in /", comment = --message or "imported from
 *     tarball"), and a "config" made only of the --change instructions (no default Env);
 *   - an OCI manifest describes the tarball as given (gzip/zstd/plain; other compressions as the
 *     plain tar), so the image has a digest;
 *   - a name given is normalised as Podman's NormalizeName: short names under localhost/,
 *     ":latest" added.
 * Nothing is printed here; events go to a callback as for a pull.
 */
#ifndef RCR_IMAGE_IMPORT_H
#define RCR_IMAGE_IMPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "image/pull.h"
#include "pkg/error.h"
#include "pkg/userns.h"

struct store;

struct import_opts {
	struct store *store;		     /* borrowed */
	const struct userns_user_maps *maps; /* how the layer is unpacked */
	const char *os, *arch;		     /* the image's platform (required) */
	const char *variant;		     /* or NULL */
	char *const *changes;		     /* NULL-terminated --change instructions, or NULL */
	const char *message;		     /* the history comment, or NULL */
	const char *reference;		     /* the name to give, or NULL */
	/* PULL_BLOB_DONE (the tarball's digest), PULL_CONFIG_DONE, PULL_MANIFEST_DONE. */
	void (*on_event)(void *arg, enum pull_event ev, const char *detail);
	void *event_arg;
};

/* True for "http://..." and "https://..." (downloaded first, as Podman does). */
bool img_import_is_url(const char *source);

/* Import source (a file, "-" for stdin, or a URL); image_id gets "sha256:<hex>". */
int img_import(const struct import_opts *o, const char *source, char image_id[72],
	       struct rcr_error **err);

/* ---- pure parts (unit-tested) ---------------------------------------------------------------- */

/* Apply one --change instruction (Dockerfile syntax: USER, EXPOSE, ENV, ENTRYPOINT, CMD, VOLUME,
 * WORKDIR, LABEL, STOPSIGNAL; ONBUILD is accepted and dropped, as the OCI config has no place
 * for it) to an image config's "config" object (Env, Cmd, ...). CMD, ENTRYPOINT and VOLUME take
 * a JSON array or the shell form ("CMD echo hi" is ["/bin/sh", "-c", "echo hi"]); ENV and LABEL
 * take NAME=VALUE pairs (quotes group words; ENV also "NAME VALUE"); STOPSIGNAL is stored as a
 * number, as Podman stores it. An error names the instruction. */
int img_change_apply(json_t *config, const char *change, struct rcr_error **err);

/* What the config of an imported image is made of. */
struct import_config {
	const char *os, *arch, *variant; /* variant may be NULL */
	const char *created;		 /* RFC 3339 */
	const char *diff_id;		 /* "sha256:<hex>" of the uncompressed tar */
	const char *comment;		 /* history comment (NULL: "imported from tarball") */
	char *const *changes;		 /* NULL-terminated, or NULL */
};

/* The image config JSON (compact). Owned, *len its length. */
char *img_import_config(const struct import_config *c, size_t *len, struct rcr_error **err);

#endif
