/* The last steps of every container process, started or exec'ed: stdio or a pty, the user from
 * the container's own /etc/passwd, working directory, environment, capabilities, no_new_privs,
 * seccomp, an optional reaping init, and execve with Podman's exit codes. Plus the small protocol
 * that carries a failure (or the pty master) from that process to its parent.
 */
#ifndef RCR_RUNTIME_EXEC_H
#define RCR_RUNTIME_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "pkg/error.h"
#include "runtime/container.h"
#include "runtime/seccomp.h"
#include "runtime/spec.h"

/* The process to run, all borrowed. */
struct rt_proc {
	char *const *args;
	char *const *env;
	const char *cwd;
	const char *user; /* "" = root */
	char *const *group_add;
	bool tty, init, no_new_privs;
	uint64_t caps, caps_added;
};

/* The process of spec s. */
struct rt_proc rt_proc_of_spec(const struct rt_spec *s);

/* In the container (after pivot_root): set up p and execve. Returns only on failure: the exit
 * code (125/126/127) with err set. console_fd receives the pty master when p->tty; err_fd is the
 * CLOEXEC report pipe (kept open by the exec'ed command's init, closed by execve). */
int rt_exec_process(const struct rt_proc *p, const struct rt_stdio *io,
		    const struct rt_seccomp_prog *seccomp, int console_fd, int err_fd,
		    struct rcr_error **err);

/* Write a failure report (code and err's message) to fd. */
void rt_exec_report(int fd, int code, const struct rcr_error *err);

/* Read fd to its end: 0 when it closed without a report (the command runs), else -1 with the
 * reported error and *exit_code. */
int rt_exec_read_report(int fd, int *exit_code, struct rcr_error **err);

/* Pass an fd over a unix socket (SCM_RIGHTS), and receive one (-1 when none came). */
int rt_exec_send_fd(int sock, int fd);
int rt_exec_recv_fd(int sock);

#endif
