/* A scratch directory for the store's unit tests: made under $TMPDIR (or /tmp), and removed
 * again although a store leaves files owned by the user's subordinate ids there (removed in a
 * user namespace with the user's maps, as the store itself does). Header-only, like tap.h.
 */
#ifndef RCR_TESTS_UNIT_STORE_SCRATCH_H
#define RCR_TESTS_UNIT_STORE_SCRATCH_H

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/userns.h"

static inline int scratch_rm_in_userns(void *arg, char *msg)
{
	struct rcr_error *e = NULL;

	if (fs_rm_rf(arg, &e) == 0)
		return 0;
	snprintf(msg, USERNS_MSG_MAX, "%s", e->msg);
	rcr_error_free(e);
	return 1;
}

/* mkdtemp "TMPDIR/<name>-XXXXXX" into top and load the user's maps; prints a TAP bail-out and
 * returns -1 on failure. */
static inline int scratch_make(char *top, size_t size, const char *name,
			       struct userns_user_maps *maps)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	const char *tmp = getenv("TMPDIR");

	snprintf(top, size, "%s/%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", name);
	if (mkdtemp(top) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", top, strerror(errno));
		return -1;
	}
	if (userns_user_maps(NULL, NULL, maps, &err) < 0) {
		printf("Bail out! %s\n", err->msg);
		return -1;
	}
	return 0;
}

/* Remove top; true when it is gone. */
static inline bool scratch_remove(const char *top, const struct userns_user_maps *maps)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	if (fs_rm_rf(top, &err) < 0 && !userns_map_is_single(&maps->uid)) {
		rcr_error_clear(&err);
		userns_run(&maps->uid, &maps->gid, maps->newuidmap, maps->newgidmap, 0,
			   scratch_rm_in_userns, (void *)top, &err);
	}
	return !fs_exists(top);
}

#endif
