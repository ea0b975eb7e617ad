/* Unpacking a layer blob (a tar stream, plain, gzip or zstd) into a directory with libarchive,
 * in one pass that also computes the layer's diff_id (the sha256 of the uncompressed tar).
 *
 * Extraction is for the overlay driver: whiteouts (".wh.NAME") become 0:0 character devices, or,
 * when mknod is not allowed, zero-size files with the "user.overlay.whiteout" xattr (their
 * directory then gets "user.overlay.opaque" = "x", as overlayfs.rst asks); opaque markers
 * (".wh..wh..opq") set "user.overlay.opaque" = "y" on their directory. Owners, modes (setuid
 * too), hardlinks, symlinks, mtimes and xattrs (where the kernel allows them) are kept. Every
 * path is resolved below the root with openat and O_NOFOLLOW: entries that would escape the root
 * (`..`, absolute names, a symlink in the path, a hardlink to outside) are refused with an error
 * naming the entry.
 *
 * The data must be what the manifest declared (gzip, zstd or plain): a mismatch is an error
 * naming both. Device nodes the caller may not make are skipped; xattrs outside user.*
 * (security.*, trusted.*) are skipped when the kernel refuses them with EPERM or ENOTSUP, user.*
 * ones never; overlay's own xattrs ("user.overlay.*", "trusted.overlay.*") carried in the tar are
 * ignored. On error, dest may hold part of the layer: the caller removes its staging directory.
 */
#ifndef RCR_IMAGE_UNPACK_H
#define RCR_IMAGE_UNPACK_H

#include <stdbool.h>

#include "image/manifest.h"
#include "pkg/error.h"
#include "pkg/userns.h"

struct unpack_result {
	char diff_id[72]; /* "sha256:<hex>" of the uncompressed stream */
	long long size;	  /* bytes of file content written (the layer's unpacked size) */
};

struct unpack_opts {
	enum layer_compression compression; /* what the manifest says; the data is checked */
	/* Ownership: when false (the single-id map: the user has no subuid range) every entry is
	 * stored as the calling user, since no other id can be set. */
	bool keep_owners;
	/* Write files on this thread only (no writer threads): see unpack_layer_in_userns. */
	bool one_thread;
};

/* Unpack the blob read from fd into dest (an existing, empty directory), in this process.
 * Ownership can only be kept when the caller is root of a user namespace with the user's
 * mapping: see unpack_layer_in_userns. */
int unpack_layer(int fd, const char *dest, const struct unpack_opts *o, struct unpack_result *res,
		 struct rcr_error **err);

/* Unpack blob_path into dest in a child process running in a new user namespace with maps
 * (DESIGN.md §4), so files keep their owners as the container will see them. Without a subuid
 * range (a single-id map) ownership collapses to the user. Safe to call from several threads. */
int unpack_layer_in_userns(const char *blob_path, const char *dest, enum layer_compression c,
			   const struct userns_user_maps *maps, struct unpack_result *res,
			   struct rcr_error **err);

#endif
