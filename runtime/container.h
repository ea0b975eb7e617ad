/* Starting a container's process (DESIGN.md §3 step 3) and joining a running one (exec).
 *
 * The caller (rcr-monitor) owns the process afterwards: it is the caller's child, PID 1 of the new
 * pid namespace, and dies with everything in its namespaces.
 */
#ifndef RCR_RUNTIME_CONTAINER_H
#define RCR_RUNTIME_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include "pkg/error.h"
#include "runtime/spec.h"

/* The container process's stdio: fds the caller made (pipes), or -1 for /dev/null. With
 * spec->tty, in/out/err are ignored: the process makes a pty inside its own /dev/pts and the
 * master comes back in *pty_master. */
struct rt_stdio {
	int in, out, err;
};

/* Called once the process exists and its id maps are written, before it sets up and execs: the
 * monitor records the pid there, so that nothing can run without being found, and starts the
 * network helper on its namespaces. Non-zero aborts (with err set, or a generic message). */
typedef int (*rt_ready_fn)(pid_t pid, void *arg, struct rcr_error **err);

/* Start s. Returns the pid when the command was exec'ed (the pty master, when spec->tty, in
 * *pty_master); -1 otherwise, with err saying why and *exit_code 125 (rcr failed), 126 (the
 * command cannot be executed) or 127 (not found), as Podman. */
pid_t rt_container_start(const struct rt_spec *s, const struct rt_stdio *io, rt_ready_fn ready,
			 void *arg, int *pty_master, int *exit_code, struct rcr_error **err);

/* What `rcr exec` runs in a running container. */
struct rt_exec {
	char **args; /* borrowed strv */
	char **env;  /* borrowed strv: the container's env with -e applied */
	const char *cwd;
	const char *user; /* "" for the container's user */
	bool tty, privileged;
};

/* Join the namespaces of pid (the container's PID 1) and run e with the container's capability
 * set and seccomp profile (from s). Returns the exec'ed process's pid, child of the caller, with
 * the pty master in *pty_master when e->tty; -1 as rt_container_start. */
pid_t rt_container_exec(const struct rt_spec *s, pid_t pid, const struct rt_exec *e,
			const struct rt_stdio *io, int *pty_master, int *exit_code,
			struct rcr_error **err);

#endif
