/* What container/cp.c and container/cp_tar.c share, and nobody else may see: the tar writer's
 * and the reader's state, what an extraction needs to know, and the few path and stream helpers
 * both use. cp_tar.c defines everything here and never calls into cp.c; cp.c decides what is
 * copied where, and drives it. Only these two files include this header; everyone else goes
 * through container/container.h (ctr_cp).
 *
 * Ownership: no function here takes ownership of an argument; every pointer argument is borrowed
 * for the call. The structs are the caller's (on its stack or its allocation) and hold borrowed
 * pointers, except tar_w's link table, which the writer owns and cp_tar_w_release frees.
 */
#ifndef RCR_CONTAINER_CP_INTERNAL_H
#define RCR_CONTAINER_CP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pkg/error.h"
#include "pkg/userns.h"

struct archive;
struct archive_entry;
struct tar_link;

/* ---- names (pure) -------------------------------------------------------------------------- */

/* The last component ("" for "", "/", "." and ".."), borrowed from p. */
const char *cp_last_name(const char *p);
/* p up to its last component: "" for a single component (the caller's base), "/" for "/x".
 * Owned by the caller; NULL when out of memory. */
char *cp_parent_of(const char *p);

/* ---- the stream -------------------------------------------------------------------------- */

/* Copy in to out until EOF (the `-` streams); a peer that went away is EPIPE, never SIGPIPE.
 * Neither fd is closed. */
int cp_pump(int in, int out, const char *what, struct rcr_error **err);

/* ---- writing tar ------------------------------------------------------------------------- */

/* A tar writer on fd (borrowed, not closed). The caller fills fd, uids and gids (borrowed;
 * NULL: ids as they are) and zeroes the rest; links is the writer's, freed by cp_tar_w_release
 * whether or not the writing succeeded. */
struct tar_w {
	int fd;
	/* host side: ids shown as the container sees them; NULL: as they are */
	const struct userns_map *uids, *gids;
	struct tar_link *links;
	size_t n_links;
};

/* Send leaf of the directory at ("" = at itself, a directory) as name, and what is below it;
 * nothing is followed out of at (final components with NOFOLLOW). at is borrowed. */
int cp_tar_add(struct tar_w *w, int at, const char *leaf, const char *name, int depth,
	       struct rcr_error **err);
/* The two zero blocks that end an archive. */
int cp_tar_end(struct tar_w *w, struct rcr_error **err);
/* Frees w's link table (w itself is the caller's). */
void cp_tar_w_release(struct tar_w *w);

/* ---- reading tar ------------------------------------------------------------------------- */

/* What libarchive reads from: fd is borrowed; read_errno is set when a read fails. Big (a 64 KiB
 * buffer): the callers allocate it. */
struct fd_src {
	int fd;
	int read_errno;
	char buf[64 << 10];
};

/* A reader of the tar on src (borrowed: it must outlive the reader); stream: a user's archive
 * (compressed or empty is fine). Owned by the caller: archive_read_free. libarchive must have
 * been loaded (lazylib_archive) before. */
struct archive *cp_tar_open(struct fd_src *src, bool stream, struct rcr_error **err);

/* ---- extracting -------------------------------------------------------------------------- */

/* Where and how entries are made. Filled by the caller; root is borrowed (not closed), the
 * strings are borrowed and must outlive the extraction. */
struct extract {
	int root;		/* everything resolves below this directory */
	unsigned long long how; /* RESOLVE_IN_ROOT (container side) or RESOLVE_BENEATH (host) */
	const char *prefix;	/* where the archive's "." goes, relative to root ("" = root) */
	bool host;		/* the user's files: no chown, no set-id bits */
	bool chown_fixed;	/* every entry to uid:gid (--archive); else the archive's ids */
	uid_t uid;
	gid_t gid;
	bool overwrite;
	const char *where; /* "on the host", "on container NAME" */
};

/* openat2 of path ("" = at itself) below at with x->how and no magic links; O_CLOEXEC is added.
 * Returns an fd owned by the caller, or -1 with errno set. */
int cp_open_how(const struct extract *x, int at, const char *path, int flags);
/* Extract first (already read, may be NULL) and every entry after it from a (borrowed). */
int cp_extract_from(const struct extract *x, struct archive *a, struct archive_entry *first,
		    struct fd_src *src, struct rcr_error **err);

#endif
