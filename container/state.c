/* Judging a container (container.h): created, running, exited or being removed, from its row,
 * run.json, exit.json and the live processes. No daemon keeps this: it is worked out at every
 * call, so it stays true after a killed monitor or a reboot.
 */
#include "container/container.h"

#include <stdlib.h>
#include <string.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

char *ctr_userdata(struct store *st, const char *id)
{
	_cleanup_free_ char *dir = store_container_dir(st, id);

	return dir ? fs_path_join(dir, "userdata") : NULL;
}

int ctr_lookup(struct store *st, const char *key, struct store_container *out,
	       struct rcr_error **err)
{
	int rc = store_container_get(st, key, out, err);

	if (rc == 0)
		rcr_error_set(err, ENOENT,
			      "no container with name or ID '%s' found: no such container", key);
	return rc == 1 ? 0 : -1;
}

void ctr_state_get(const char *userdata, const char *row_state, struct ctr_state *out)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	memset(out, 0, sizeof(*out));
	out->has_run = mon_state_read_run(userdata, &out->run, &err) == 1;
	rcr_error_clear(&err);
	out->has_exit = mon_state_read_exit(userdata, &out->exit, &err) == 1;
	if (out->has_run)
		out->monitor_alive = mon_proc_matches(out->run.monitor_pid, out->run.monitor_start,
						      out->run.boot_id);
	/* Exited unless shown otherwise: with a record of this run, or without one when the
	 * process is gone (its monitor was killed with it). */
	out->status = CTR_EXITED;
	if (row_state != NULL && strcmp(row_state, "removing") == 0)
		out->status = CTR_REMOVING;
	else if (!out->has_run && !out->has_exit)
		out->status = CTR_CREATED;
	else if (out->has_run && !(out->has_exit && out->exit.started_ns == out->run.started_ns) &&
		 mon_proc_matches(out->run.pid, out->run.pid_start, out->run.boot_id))
		out->status = CTR_RUNNING;
	if (out->status == CTR_EXITED && out->has_exit && out->has_run &&
	    out->exit.started_ns != out->run.started_ns)
		out->has_exit = false; /* an older run's record */
}

const char *ctr_status_name(enum ctr_status s)
{
	switch (s) {
	case CTR_CREATED:
		return "created";
	case CTR_RUNNING:
		return "running";
	case CTR_STOPPING:
		return "stopping";
	case CTR_EXITED:
		return "exited";
	case CTR_REMOVING:
		return "removing";
	}
	return "unknown";
}
