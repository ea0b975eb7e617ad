/* Where rcr keeps things (DESIGN.md §5): the store root, the runtime dir, config dirs.
 * Pure lookups of the environment plus the ownership check of the runtime dir; nothing is created
 * here except by paths_runtime_dir_ensure.
 */
#ifndef RCR_PKG_PATHS_H
#define RCR_PKG_PATHS_H

#include <stdbool.h>
#include <sys/types.h>

#include "pkg/error.h"

/* The store root: RCR_ROOT, else $XDG_DATA_HOME/rcr, else $HOME/.local/share/rcr, else the
 * passwd home of the user. Owned. */
char *paths_store_root(struct rcr_error **err);

/* $XDG_CONFIG_HOME or $HOME/.config (the passwd home when HOME is unset). Owned. */
char *paths_config_home(struct rcr_error **err);

/* The user's home: $HOME, else the passwd entry. Owned. */
char *paths_home(struct rcr_error **err);

/* Why the runtime dir is where it is. */
enum paths_runtime_source {
	PATHS_RUNTIME_XDG,	/* $XDG_RUNTIME_DIR/rcr */
	PATHS_RUNTIME_FALLBACK, /* /tmp/rcr-run-$UID */
};

struct paths_runtime {
	char *dir; /* owned: ".../rcr" or "/tmp/rcr-run-UID" */
	char *xdg; /* owned copy of XDG_RUNTIME_DIR, NULL when unset */
	enum paths_runtime_source source;
	char *why_fallback; /* owned: why XDG_RUNTIME_DIR was not used, or NULL */
};
void paths_runtime_release(struct paths_runtime *r);

/* Decide the runtime dir (DESIGN.md §5): $XDG_RUNTIME_DIR/rcr when XDG_RUNTIME_DIR is set, is a
 * directory, is owned by the real uid and is not writable by others; else /tmp/rcr-run-$UID with
 * why_fallback saying what was wrong with XDG_RUNTIME_DIR (unset, missing, owned by uid N, ...).
 * Only looks; creates nothing. */
int paths_runtime_decide(struct paths_runtime *out, struct rcr_error **err);

/* Create the decided runtime dir 0700 if missing and check that it is a real directory (not a
 * symlink) owned by us with no group/other access; refuse otherwise, naming the path and owner
 * (a planted /tmp/rcr-run-UID must never be used). */
int paths_runtime_dir_ensure(const struct paths_runtime *r, struct rcr_error **err);

/* The login name of the real uid (passwd), or "uid N" when it has no entry. Owned. */
char *paths_user_name(void);

#endif
