/* Process helpers: fork/exec/wait with captured output, CLOEXEC pipes and socketpairs, pidfds.
 * Nothing here changes signal dispositions or global state of the caller.
 */
#ifndef RCR_PKG_PROC_H
#define RCR_PKG_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "pkg/error.h"

/* pipe2(O_CLOEXEC); fds[0] read end, fds[1] write end. */
int proc_pipe(int fds[2], struct rcr_error **err);

/* socketpair(AF_UNIX, type | SOCK_CLOEXEC). */
int proc_socketpair(int type, int fds[2], struct rcr_error **err);

/* The result of running a program to completion. */
struct proc_result {
	int status;    /* raw wait status */
	int exit_code; /* WEXITSTATUS, or 128+signal when killed by a signal */
	char *out;     /* captured stdout (owned, NUL-terminated; NULL unless asked) */
	char *errout;  /* captured stderr (owned, NUL-terminated; NULL unless asked) */
};
void proc_result_release(struct proc_result *r);

/* Run argv[0] (looked up in PATH when it has no '/') with argv, environment envp (NULL: the
 * caller's), stdin from /dev/null, and wait for it. When capture is true stdout and stderr are
 * collected (each capped at 1 MiB, the rest discarded) into r; otherwise they are inherited.
 * Returns 0 when the program ran (whatever its exit code), -1 when it could not be started (the
 * error says why: not found, not executable). */
int proc_run(char *const argv[], char *const envp[], bool capture, struct proc_result *r,
	     struct rcr_error **err);

/* Wait for pid, retrying on EINTR. Returns the raw status, or -1 with err set. */
int proc_wait(pid_t pid, struct rcr_error **err);

/* pidfd_open(pid, 0): a CLOEXEC fd that refers to that process for as long as the fd lives. */
int proc_pidfd_open(pid_t pid, struct rcr_error **err);

/* True while the process behind pidfd has not exited (poll for POLLIN, zero timeout). */
bool proc_pidfd_is_alive(int pidfd);

/* Search PATH (or "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" when unset) for
 * an executable named name. Returns an owned absolute path, or NULL (no error: absence is data). */
char *proc_find_in_path(const char *name);

#endif
