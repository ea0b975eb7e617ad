/* --userns, --uidmap and --gidmap at create (container.h, ctr_userns_apply): from the user's flags
 * to the spec's maps, the store's maps beside them when the two differ (the root is then served
 * by fuse-overlayfs, runtime/fuse_serve.h), and keep-id's user.
 *
 * The planning is pkg/userns_modes.c's (pure); this adds what needs the host: the user's ids and
 * passwd entry, and whether fuse-overlayfs is there. Must never store a container whose maps the
 * start would refuse: every check is made here.
 */
#include "container/container.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/paths.h"
#include "pkg/proc.h"

/* A name that fits a passwd line: no ':' or newline, not empty ("uid N" has a space: fine). */
static bool is_line_safe(const char *v)
{
	return v != NULL && *v != '\0' && strpbrk(v, ":\n") == NULL;
}

/* Podman's keep-id lines: NAME:*:UID:GID:NAME:HOME:/bin/sh and GROUP:x:GID:NAME, with the
 * user's login name and home on the host. */
static int keep_id_entries(const struct ctr_opts *o, struct rt_spec *s, struct rcr_error **err)
{
	_cleanup_free_ char *name = paths_user_name();
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_free_ char *home = paths_home(&ignored);
	struct group *gr = getgrgid(getgid());
	const char *group = gr && is_line_safe(gr->gr_name) ? gr->gr_name : name;
	uint32_t uid = 0, gid = 0;

	for (size_t i = 0; i < s->uidmap.n; i++)
		if (s->uidmap.v[i].outer == getuid() && s->uidmap.v[i].count == 1)
			uid = s->uidmap.v[i].inner;
	for (size_t i = 0; i < s->gidmap.n; i++)
		if (s->gidmap.v[i].outer == getgid() && s->gidmap.v[i].count == 1)
			gid = s->gidmap.v[i].inner;
	if (!is_line_safe(name) || !is_line_safe(home)) {
		rcr_error_set(err, EINVAL,
			      "--userns=keep-id: your login name or home directory cannot be "
			      "written into the container's /etc/passwd");
		return -1;
	}
	if (asprintf(&s->passwd_entry, "%s:*:%u:%u:%s:%s:/bin/sh", name, uid, gid, name, home) <
		    0 ||
	    asprintf(&s->group_entry, "%s:x:%u:%s", group, gid, name) < 0) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	/* the command runs as the user unless -u says otherwise (Podman) */
	if (o->user == NULL) {
		free(s->user);
		if (asprintf(&s->user, "%u:%u", uid, gid) < 0) {
			s->user = NULL;
			rcr_error_set(err, ENOMEM, "out of memory");
			return -1;
		}
	}
	return 0;
}

/* The store's maps go beside the container's when they differ: its root is then served from the
 * store's namespace, which needs fuse-overlayfs (checked now rather than at every start). */
static int add_store_maps(const struct userns_user_maps *maps, struct rt_spec *s,
			  struct rcr_error **err)
{
	_cleanup_free_ char *prog = NULL;

	if (userns_maps_equal(&s->uidmap, &maps->uid) && userns_maps_equal(&s->gidmap, &maps->gid))
		return 0;
	prog = proc_find_in_path("fuse-overlayfs");
	if (prog == NULL) {
		rcr_error_set(
			err, ENOENT,
			"--userns=%s: fuse-overlayfs is needed to show the image's files with "
			"their owners through these id maps, and it is not installed (Debian: "
			"apt-get install fuse-overlayfs)",
			*s->userns_mode ? s->userns_mode : "private");
		return -1;
	}
	s->store_uidmap = maps->uid;
	s->store_gidmap = maps->gid;
	return 0;
}

int ctr_userns_apply(const struct ctr_opts *o, const struct userns_user_maps *maps,
		     struct rt_spec *s, struct rcr_error **err)
{
	_cleanup_free_ struct userns_request *req = calloc(1, sizeof(*req));

	if (req == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (userns_request_parse(o->userns, o->uidmaps, o->gidmaps, req, err) < 0 ||
	    userns_mode_plan(req, getuid(), getgid(), &maps->uid, &maps->gid, &s->uidmap,
			     &s->gidmap, err) < 0)
		return -1;
	s->userns_mode = strdup(userns_mode_name(req->mode));
	s->newuidmap = maps->newuidmap ? strdup(maps->newuidmap) : NULL;
	s->newgidmap = maps->newgidmap ? strdup(maps->newgidmap) : NULL;
	if (s->userns_mode == NULL || add_store_maps(maps, s, err) < 0)
		return -1;
	return req->mode == USERNS_MODE_KEEP_ID ? keep_id_entries(o, s, err) : 0;
}
