/* Copy-up: a fresh named or anonymous volume takes what the image has at its mount point (files,
 * directories, symlinks and fifos, with their owners, modes and times) on its first mount, as
 * Docker and Podman do, unless the mount says nocopy.
 *
 * "Fresh" is a marker file next to the volume's _data, made with the volume by the store and
 * removed here after the copy: the monitor never opens the store, and a marker on disk cannot
 * disagree with the data it describes. Runs in the runtime child, as root of the container's
 * user namespace (with its id mapping), between mounting the overlay and attaching the bind.
 */
#ifndef RCR_RUNTIME_COPYUP_H
#define RCR_RUNTIME_COPYUP_H

#include <stdbool.h>

#include "pkg/error.h"

struct rt_copyup {
	int marker_fd;	  /* the marker, flocked while we copy; -1: nothing to do */
	int dir_fd;	  /* O_PATH of the directory that holds the marker */
	const char *name; /* the marker's name in dir_fd (borrowed from the spec) */
};

#define RT_COPYUP_INIT                                                                             \
	{                                                                                          \
		-1, -1, NULL                                                                       \
	}

/* Before pivot_root, while host paths are in view: when the marker at the absolute host path
 * marker exists, lock it and keep what is needed to remove it later. Another container copying
 * into the same volume holds the lock: this waits for it, then finds the marker gone. A marker
 * that is missing is no error (the volume is not fresh). */
int rt_copyup_prepare(const char *marker, struct rt_copyup *cu, struct rcr_error **err);

/* After pivot_root, before the bind is attached: when the volume (the detached tree cloned from
 * its _data) is empty, copy the content of target (a directory of the container's root, symlinks
 * resolved inside it) into it, the volume's top taking target's owner and mode; then remove the
 * marker. A target that does not exist leaves the volume empty. */
int rt_copyup_run(struct rt_copyup *cu, int tree, const char *target, struct rcr_error **err);

void rt_copyup_release(struct rt_copyup *cu);

#endif
