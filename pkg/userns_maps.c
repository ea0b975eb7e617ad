/* The mapping a user's containers and layer work get (userns.h, userns_user_maps): the user's
 * subordinate ranges and the newuidmap/newgidmap helpers, or the single-id map and why. Apart
 * from the rest of userns.c because it looks the user up (pkg/paths, NSS): rcr-monitor, linked
 * statically, never needs it.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/paths.h"
#include "pkg/proc.h"
#include "pkg/userns.h"

static void single_maps(struct userns_user_maps *m, const char *why)
{
	userns_map_plan(getuid(), NULL, &m->uid);
	userns_map_plan(getgid(), NULL, &m->gid);
	free(m->newuidmap);
	free(m->newgidmap);
	m->newuidmap = m->newgidmap = NULL;
	m->fallback_why = strdup(why);
}

int userns_user_maps(const char *subuid, const char *subgid, struct userns_user_maps *out,
		     struct rcr_error **err)
{
	_cleanup_free_ char *user = paths_user_name();
	struct idmap_ranges ur = {0}, gr = {0};
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (idmap_load_ranges(subuid ? subuid : "/etc/subuid", user, getuid(), &ur, err) < 0 ||
	    idmap_load_ranges(subgid ? subgid : "/etc/subgid", user, getuid(), &gr, err) < 0)
		goto out;
	rc = 0;
	if (ur.total == 0 || gr.total == 0) {
		single_maps(out, "no subordinate id range in /etc/subuid or /etc/subgid");
		goto out;
	}
	out->newuidmap = proc_find_in_path("newuidmap");
	out->newgidmap = proc_find_in_path("newgidmap");
	if (out->newuidmap == NULL || out->newgidmap == NULL) {
		single_maps(out, "newuidmap/newgidmap not found (install the uidmap package)");
		goto out;
	}
	if (!userns_helper_is_privileged(out->newuidmap) ||
	    !userns_helper_is_privileged(out->newgidmap) ||
	    prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1) {
		single_maps(out, "newuidmap/newgidmap cannot work here (not setuid, or "
				 "no_new_privs is set)");
		goto out;
	}
	userns_map_plan(getuid(), &ur, &out->uid);
	userns_map_plan(getgid(), &gr, &out->gid);
out:
	idmap_ranges_release(&ur);
	idmap_ranges_release(&gr);
	return rc;
}

void userns_user_maps_release(struct userns_user_maps *m)
{
	free(m->newuidmap);
	free(m->newgidmap);
	free(m->fallback_why);
	memset(m, 0, sizeof(*m));
}
