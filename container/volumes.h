/* Volumes as containers and `rcr volume` use them (Podman's libpod volume logic): finding or
 * making the volumes that -v and --mount name (an anonymous one for "-v /dst"), removing a
 * container's anonymous volumes with it, removing a volume in use with its containers (-f),
 * and the Docker-compatible description that inspect and ls print. The store keeps the rows
 * and directories (storage/store.h); the runtime does the copy-up (runtime/copyup.h).
 */
#ifndef RCR_CONTAINER_VOLUMES_H
#define RCR_CONTAINER_VOLUMES_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "container/mounts.h"
#include "pkg/error.h"
#include "storage/store.h"

/* What a container being created uses: recorded with its row. */
struct ctr_volumes {
	struct store_volume_use *uses; /* owned */
	size_t n;
	char **made_anonymous; /* owned strv: made for this container, removed if it fails */
	size_t n_made;
};

/* Turn each VOLUME mount of all[0..n) into a bind of its volume's _data: a named volume is made
 * when missing (Podman), "-v /dst" gets a new anonymous one. The mount's source becomes the
 * _data path and, unless nocopy, copyup_marker the volume's marker path. */
int ctr_volumes_prepare(struct store *st, struct ctr_mount *all, size_t n, struct ctr_volumes *out,
			struct rcr_error **err);
/* The container was not created: remove the anonymous volumes made for it. */
void ctr_volumes_abandon(struct store *st, struct ctr_volumes *v);
void ctr_volumes_release(struct ctr_volumes *v);

/* The anonymous volumes container id uses (owned strv, may be empty): read before the
 * container goes, since its uses go with its row. */
int ctr_volumes_anonymous(struct store *st, const char *id, char ***names, struct rcr_error **err);
/* Remove each volume of names that no container uses any more; failures are warnings (the
 * volume stays, dangling, for `rcr volume prune`). */
void ctr_volumes_remove_unused(struct store *st, char **names);

/* `rcr volume create`: labels and opts "K=V" (borrowed). opts "nocopy" (and "copy", the default)
 * are what the local driver does here; type=, device= and o= (mounting a file system, which needs
 * root) are refused. A NULL name gets a random one. With ignore, an existing volume is fine. The
 * name in *name_out (owned). */
int ctr_volume_create(struct store *st, const char *name, char *const *labels, char *const *opts,
		      bool ignore, char **name_out, struct rcr_error **err);

/* `rcr volume rm`: in use is refused (EBUSY, Podman's message) unless force, which removes the
 * containers using it first; unknown is ENOENT. */
int ctr_volume_remove(struct store *st, const char *name, bool force, struct rcr_error **err);

/* Podman's inspect document of a volume (owned), also each entry of `volume ls --format json`. */
json_t *ctr_volume_json(struct store *st, const struct store_volume *v);

#endif
