/* Removing content: layer trees hold files owned by the user's subordinate ids (DESIGN.md §4),
 * which the user cannot unlink from directories those ids own, and directories left 0555 or
 * 0000 by an image. Removal runs as the user first (enough for what the user owns, and for
 * root), then, when that was refused, in a short-lived child in a user namespace with the
 * store's maps, where those ids are mapped and the child is root over them.
 *
 * Content leaves its place by a rename into a locked tmp/ entry (the trash), never by a removal
 * in place: a killed removal then leaves only tmp/ debris, never a half-deleted layer at a path
 * that a row or another call may still name. Nothing here may follow a symlink out of the tree.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/log.h"
#include "pkg/userns.h"
#include "storage/internal.h"

/* Runs in the user-namespace child: fs_rm_rf already makes directories writable before it
 * empties them, and the child's capabilities cover every mapped owner. */
static int rm_in_userns(void *arg, char *msg)
{
	struct rcr_error *e = NULL;

	if (fs_rm_rf(arg, &e) == 0)
		return 0;
	snprintf(msg, USERNS_MSG_MAX, "%s", e->msg);
	rcr_error_free(e);
	return 1;
}

static bool maps_are_single(const struct userns_user_maps *m)
{
	return userns_map_is_single(&m->uid) && userns_map_is_single(&m->gid);
}

int store_remove_tree(struct store *st, const char *path, struct rcr_error **err)
{
	_cleanup_error_ struct rcr_error *plain = NULL;
	const struct userns_user_maps *m = st->maps;

	if (fs_rm_rf(path, &plain) == 0)
		return 0;
	/* Only a permission problem can be solved by the namespace, and only when it maps more
	 * than the user: with the single-id map its root is the user and no one else. */
	if ((plain->code != EACCES && plain->code != EPERM) || m == NULL || maps_are_single(m)) {
		rcr_error_join(err, steal_ptr(&plain));
		return -1;
	}
	rcr_debug("removing '%s' in a user namespace: %s", path, plain->msg);
	if (userns_run(&m->uid, &m->gid, m->newuidmap, m->newgidmap, 0, rm_in_userns, (void *)path,
		       err) < 0) {
		rcr_error_wrap(err, "removing '%s' in the user namespace", path);
		return -1;
	}
	return 0;
}

int store_trash_move(struct store_trash *t, const char *path, struct rcr_error **err)
{
	_cleanup_free_ char *dest = NULL;

	if (!fs_exists(path))
		return 0;
	if (t->s == NULL && store_entry_new(t->st, "del", "del", &t->s, err) < 0)
		return -1;
	if (asprintf(&dest, "%s/%u", t->s->dir, t->n++) < 0) {
		dest = NULL;
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (rename(path, dest) == 0 || errno == ENOENT)
		return 0;
	/* A directory not owned by the user cannot change its parent (its ".." entry must be
	 * rewritten): remove it where it is, we hold the commit lock. */
	if (errno == EACCES || errno == EPERM)
		return store_remove_tree(t->st, path, err);
	rcr_error_set_errno(err, errno, "moving '%s' to '%s'", path, dest);
	return -1;
}

void store_trash_empty(struct store_trash *t)
{
	store_tmp_release(t->s);
	t->s = NULL;
	t->n = 0;
}
