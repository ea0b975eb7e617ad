/* Starting, signalling, stopping, waiting for and removing containers (container.h).
 *
 * Concurrent calls on one container are serialised by an flock on its userdata/lock while they
 * decide and act (never while waiting for the monitor, which may itself call back into rcr for
 * --rm). Processes are signalled through pidfds opened and then checked against the recorded
 * start time, so a recycled pid is never hit.
 */
#include "container/container.h"
#include "container/network.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "container/volumes.h"
#include "monitor/protocol.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"
#include "pkg/log.h"
#include "pkg/proc.h"

struct ctr_ref {
	struct store_container row;
	char *userdata;
	int lock_fd;
};

static void ref_release(struct ctr_ref *r)
{
	store_container_release(&r->row);
	free(r->userdata);
	if (r->lock_fd >= 0)
		close(r->lock_fd);
	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
}

static int ref_get(struct store *st, const char *key, bool lock, struct ctr_ref *r,
		   struct rcr_error **err)
{
	_cleanup_free_ char *path = NULL, *id = NULL;

	memset(r, 0, sizeof(*r));
	r->lock_fd = -1;
	if (ctr_lookup(st, key, &r->row, err) < 0)
		return -1;
	r->userdata = ctr_userdata(st, r->row.id);
	if (!lock)
		return 0;
	path = fs_path_join(r->userdata, "lock");
	r->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (r->lock_fd < 0 || flock(r->lock_fd, LOCK_EX) < 0) {
		rcr_error_set_errno(err, errno, "locking container '%s'", r->row.name);
		ref_release(r);
		return -1;
	}
	/* The row read before the lock may be stale: an rm may have marked or deleted it while
	 * this call waited. Read again by id (the name may belong to another container now). */
	id = steal_ptr(&r->row.id);
	store_container_release(&r->row);
	if (ctr_lookup(st, id, &r->row, err) < 0) {
		ref_release(r);
		return -1;
	}
	return 0;
}

/* A pidfd for pid, only when pid is still the process that started at start. */
static int open_checked(pid_t pid, unsigned long long start, const char *boot)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0 && !mon_proc_matches(pid, start, boot)) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool wait_pidfd(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, ms) == 1;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* ---- start ---------------------------------------------------------------------------------- */

static pid_t spawn_monitor(const char *monitor_path, const char *userdata, bool attach, int fd,
			   struct rcr_error **err)
{
	_cleanup_free_ char *spec = fs_path_join(userdata, "spec.json");
	pid_t pid = fork();

	if (pid < 0) {
		rcr_error_set_errno(err, errno, "starting rcr-monitor");
		return -1;
	}
	if (pid == 0) {
		char a_spec[] = "--spec", a_sync[] = "--sync-fd", a_fd[] = "3", a_wait[] = "--wait";
		char *argv[] = {(char *)monitor_path,	a_spec, spec, a_sync, a_fd,
				attach ? a_wait : NULL, NULL};

		if (dup2(fd, 3) < 0)
			_exit(125);
		close_range(4, ~0U, CLOSE_RANGE_CLOEXEC);
		execv(monitor_path, argv);
		_exit(127);
	}
	return pid;
}

static int sync_recv(int fd, char *buf, size_t size)
{
	ssize_t n;

	do
		n = recv(fd, buf, size - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* The monitor's verdict: "pid N" or "error CODE MESSAGE". */
static int verdict(const char *buf, int *exit_code, struct rcr_error **err)
{
	char *end;
	long code;

	if (strncmp(buf, "pid ", 4) == 0)
		return 0;
	if (strncmp(buf, "error ", 6) == 0) {
		code = strtol(buf + 6, &end, 10);
		*exit_code = end != buf + 6 && code > 0 && code < 256 ? (int)code : 125;
		rcr_error_set(err, 0, "%s", *end == ' ' ? end + 1 : end);
		return -1;
	}
	rcr_error_set(err, EIO, "rcr-monitor said '%s'", buf);
	return -1;
}

static int await_start(int fd, const char *name, int *exit_code, struct rcr_error **err)
{
	char buf[MON_SYNC_MAX];

	if (sync_recv(fd, buf, sizeof(buf)) < 0) {
		rcr_error_set(err, EIO, "rcr-monitor of container '%s' exited without a word",
			      name);
		return -1;
	}
	return verdict(buf, exit_code, err);
}

/* spec.json is written without a sync: after a crash it may be gone, and the copy in the row
 * (the store's durable record) puts it back. */
static int ensure_spec(const struct ctr_ref *r, const char *path, struct rcr_error **err)
{
	_cleanup_json_ json_t *cfg = NULL;

	if (fs_exists(path))
		return 0;
	cfg = json_loads(r->row.config, 0, NULL);
	if (cfg == NULL || json_object_get(cfg, "spec") == NULL) {
		rcr_error_set(err, EINVAL, "container '%s' has no stored spec", r->row.name);
		return -1;
	}
	return json_write_file_atomic(path, json_object_get(cfg, "spec"), err);
}

/* The container's process is gone but its monitor still finishes (stops the network helper,
 * writes exit.json): a new run must not start under it (bounded: a --rm monitor's exit command
 * waits for the lock this start holds). */
static void await_monitor(const struct ctr_state *s)
{
	_cleanup_close_ int fd =
		open_checked(s->run.monitor_pid, s->run.monitor_start, s->run.boot_id);

	if (fd >= 0)
		wait_pidfd(fd, 3000);
}

static int start_locked(struct ctr_ref *r, const char *monitor_path, bool attach, int *attach_fd,
			int *exit_code, struct rcr_error **err)
{
	_cleanup_close_ int mine = -1, theirs = -1;
	int fds[2];
	char buf[MON_SYNC_MAX];
	pid_t pid;
	struct rt_spec spec = {0};
	_cleanup_free_ char *spec_path = fs_path_join(r->userdata, "spec.json");

	if (ensure_spec(r, spec_path, err) < 0 || rt_spec_read(spec_path, &spec, err) < 0)
		return -1;
	/* a helper of an earlier run whose monitor was killed would hold the published ports */
	mon_state_stop_helper(r->userdata);
	if (proc_socketpair(SOCK_SEQPACKET, fds, err) < 0) {
		rt_spec_release(&spec);
		return -1;
	}
	mine = fds[0], theirs = fds[1];
	pid = spawn_monitor(monitor_path, r->userdata, attach, theirs, err);
	close(steal_fd(&theirs));
	if (pid < 0) {
		rt_spec_release(&spec);
		return -1;
	}
	/* the monitor's first process exits as soon as it has detached */
	waitpid(pid, NULL, 0);
	if (sync_recv(mine, buf, sizeof(buf)) < 0) {
		rt_spec_release(&spec);
		rcr_error_set(err, EIO, "rcr-monitor of '%s' did not start (is '%s' installed?)",
			      r->row.name, monitor_path);
		return -1;
	}
	if (strcmp(buf, "ready") != 0) {
		rt_spec_release(&spec);
		return verdict(buf, exit_code, err);
	}
	if (attach && attach_fd != NULL) {
		char cleanup = MON_ATTACH_CLEANUP;

		*attach_fd = ctr_attach_connect(spec.rundir, err);
		/* --rm attached: this rcr removes the container itself (ctr_attach_remove) */
		if (*attach_fd >= 0 && spec.remove)
			send(*attach_fd, &cleanup, 1, MSG_NOSIGNAL);
		if (*attach_fd < 0 || send(mine, "go", 2, MSG_NOSIGNAL) < 0) {
			rt_spec_release(&spec);
			return -1;
		}
	}
	rt_spec_release(&spec);
	return await_start(mine, r->row.name, exit_code, err);
}

int ctr_start(struct store *st, const char *monitor_path, const char *id, bool attach,
	      int *attach_fd, int *exit_code, struct rcr_error **err)
{
	struct ctr_ref r;
	struct ctr_state s;
	int rc;

	*exit_code = 125;
	if (attach_fd != NULL)
		*attach_fd = -1;
	if (ref_get(st, id, true, &r, err) < 0)
		return -1;
	ctr_state_get(r.userdata, r.row.state, &s);
	if (s.status != CTR_RUNNING && s.monitor_alive)
		await_monitor(&s);
	if (s.status == CTR_RUNNING && !attach) {
		ref_release(&r);
		return 0;
	}
	if (s.status == CTR_RUNNING || s.status == CTR_REMOVING) {
		rcr_error_set(err, EBUSY, "container '%s' is %s", r.row.name,
			      ctr_status_name(s.status));
		ref_release(&r);
		return -1;
	}
	rc = start_locked(&r, monitor_path, attach, attach_fd, exit_code, err);
	if (rc < 0 && attach_fd != NULL && *attach_fd >= 0)
		close(*attach_fd), *attach_fd = -1;
	ref_release(&r);
	return rc;
}

/* ---- signals ----------------------------------------------------------------------------------
 */

static int signal_running(struct ctr_ref *r, const struct ctr_state *s, int sig,
			  struct rcr_error **err)
{
	_cleanup_close_ int fd = open_checked(s->run.pid, s->run.pid_start, s->run.boot_id);

	if (fd < 0 || syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0) {
		if (fd < 0 || errno == ESRCH)
			return 0; /* exited meanwhile */
		rcr_error_set_errno(err, errno, "sending signal %d to container '%s'", sig,
				    r->row.name);
		return -1;
	}
	return 0;
}

int ctr_kill(struct store *st, const char *id, int sig, struct rcr_error **err)
{
	struct ctr_ref r;
	struct ctr_state s;
	int rc;

	if (ref_get(st, id, true, &r, err) < 0)
		return -1;
	ctr_state_get(r.userdata, r.row.state, &s);
	if (s.status != CTR_RUNNING) {
		rcr_error_set(err, EINVAL,
			      "can only kill running containers. %s is in state %s: container "
			      "state improper",
			      r.row.id, ctr_status_name(s.status));
		ref_release(&r);
		return -1;
	}
	rc = signal_running(&r, &s, sig, err);
	ref_release(&r);
	return rc;
}

/* With the monitor gone nobody else will write the exit record: write what is known. */
static void record_orphan_exit(const char *userdata, const struct ctr_state *s, int sig)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct mon_exit_info e = {.exit_code = 128 + sig,
				  .started_ns = s->run.started_ns,
				  .finished_ns = mon_now_ns()};

	snprintf(e.error, sizeof(e.error),
		 "its monitor was killed: the exit code is that of the signal rcr sent");
	/* its network helper outlived the monitor: nobody else will stop it */
	mon_state_stop_helper(userdata);
	mon_state_write_exit(userdata, &e, &err);
}

/* After the process ended: its monitor writes exit.json (give it a moment), or it is gone. */
static void await_record(const char *userdata, int last_sig)
{
	for (int i = 0; i < 100; i++) {
		struct ctr_state s;

		ctr_state_get(userdata, NULL, &s);
		if (s.has_exit)
			return;
		if (!s.monitor_alive) {
			record_orphan_exit(userdata, &s, last_sig);
			return;
		}
		sleep_ms(20);
	}
}

static int stop_process(struct ctr_ref *r, const struct ctr_state *s, int sig, int timeout,
			struct rcr_error **err)
{
	_cleanup_close_ int fd = open_checked(s->run.pid, s->run.pid_start, s->run.boot_id);
	int last = sig;

	if (fd < 0)
		return 0;
	if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 && errno != ESRCH) {
		rcr_error_set_errno(err, errno, "stopping container '%s'", r->row.name);
		return -1;
	}
	if (!wait_pidfd(fd, sig == SIGKILL ? 10000 : timeout * 1000)) {
		if (sig != SIGKILL)
			rcr_warn("StopSignal %s failed to stop container %s in %d seconds, "
				 "resorting to SIGKILL",
				 rt_signal_name(sig) ? rt_signal_name(sig) : "?", r->row.name,
				 timeout);
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		last = SIGKILL;
		wait_pidfd(fd, 10000);
	}
	await_record(r->userdata, last);
	return 0;
}

int ctr_stop(struct store *st, const char *id, int sig, int timeout, struct rcr_error **err)
{
	struct ctr_ref r;
	struct ctr_state s;
	struct rt_spec spec = {0};
	_cleanup_free_ char *spec_path = NULL;
	int rc = 0;

	if (ref_get(st, id, false, &r, err) < 0)
		return -1;
	ctr_state_get(r.userdata, r.row.state, &s);
	if (s.status == CTR_RUNNING) {
		spec_path = fs_path_join(r.userdata, "spec.json");
		if (rt_spec_read(spec_path, &spec, err) < 0) {
			ref_release(&r);
			return -1;
		}
		rc = stop_process(&r, &s, sig > 0 ? sig : spec.stop_signal,
				  timeout >= 0 ? timeout : spec.stop_timeout, err);
		rt_spec_release(&spec);
	} else if (s.status == CTR_EXITED && s.has_run && !s.has_exit) {
		record_orphan_exit(r.userdata, &s, SIGKILL);
	}
	ref_release(&r);
	return rc;
}

int ctr_wait_exit(struct store *st, const char *id, struct rcr_error **err)
{
	for (;;) {
		struct ctr_ref r;
		struct ctr_state s;

		if (ref_get(st, id, false, &r, err) < 0)
			return -2;
		ctr_state_get(r.userdata, r.row.state, &s);
		if (s.status == CTR_EXITED && (s.has_exit || !s.monitor_alive)) {
			ref_release(&r);
			return s.has_exit ? s.exit.exit_code : -1;
		}
		if (s.status == CTR_RUNNING) {
			_cleanup_close_ int fd =
				open_checked(s.run.pid, s.run.pid_start, s.run.boot_id);

			if (fd >= 0)
				wait_pidfd(fd, 1000);
		} else {
			sleep_ms(50);
		}
		ref_release(&r);
	}
}

/* ---- removal ------------------------------------------------------------------------------------
 */

static void kill_and_wait(const struct ctr_state *s)
{
	_cleanup_close_ int fd = open_checked(s->run.pid, s->run.pid_start, s->run.boot_id);
	_cleanup_close_ int mfd = -1;

	if (fd >= 0) {
		syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
		wait_pidfd(fd, 10000);
	}
	/* The monitor records the exit and finishes; one that hangs is killed. */
	mfd = open_checked(s->run.monitor_pid, s->run.monitor_start, s->run.boot_id);
	if (mfd >= 0 && !wait_pidfd(mfd, 5000)) {
		syscall(SYS_pidfd_send_signal, mfd, SIGKILL, NULL, 0);
		wait_pidfd(mfd, 5000);
	}
}

static char *read_rundir(const char *userdata)
{
	_cleanup_free_ char *path = fs_path_join(userdata, "spec.json");
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_spec spec = {0};
	char *dir;

	if (rt_spec_read(path, &spec, &err) < 0)
		return NULL;
	dir = steal_ptr(&spec.rundir);
	rt_spec_release(&spec);
	return dir;
}

int ctr_remove(struct store *st, const char *id, bool force, bool volumes, struct rcr_error **err)
{
	struct ctr_ref r;
	struct ctr_state s;
	_cleanup_strv_ char **anon = NULL;
	_cleanup_free_ char *rundir = NULL;
	_cleanup_error_ struct rcr_error *ignored = NULL;
	int rc;

	if (ref_get(st, id, true, &r, err) < 0)
		return -1;
	ctr_state_get(r.userdata, r.row.state, &s);
	if (!force && ctr_net_check_dependents(st, &r.row, err) < 0) {
		ref_release(&r);
		return -1;
	}
	if (s.status == CTR_RUNNING && !force) {
		rcr_error_set(
			err, EBUSY,
			"cannot remove container %s as it is running - running or paused "
			"containers cannot be removed without force: container state improper",
			r.row.id);
		ref_release(&r);
		return -1;
	}
	/* Its volume uses go with its row: which were anonymous is read first. */
	if ((volumes && ctr_volumes_anonymous(st, r.row.id, &anon, err) < 0) ||
	    store_container_set_state(st, r.row.id, "removing", err) < 0) {
		ref_release(&r);
		return -1;
	}
	/* Not under the lock: the monitor's exit command may be waiting for it. */
	close(r.lock_fd), r.lock_fd = -1;
	if (s.status == CTR_RUNNING)
		kill_and_wait(&s);
	/* a helper left by a killed monitor (the monitor stops its own before it exits) */
	mon_state_stop_helper(r.userdata);
	rundir = read_rundir(r.userdata);
	rc = store_container_delete(st, r.row.id, err);
	if (rc == 0 && rundir != NULL)
		fs_rm_rf(rundir, &ignored);
	if (rc == 0)
		ctr_volumes_remove_unused(st, anon);
	ref_release(&r);
	return rc;
}

void ctr_attach_remove(struct store *st, const char *id, int attach_fd)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char done = MON_ATTACH_DONE;

	/* Gone already is fine: the monitor may have run its exit command. */
	if (ctr_remove(st, id, false, true, &err) == 0 && attach_fd >= 0)
		send(attach_fd, &done, 1, MSG_NOSIGNAL);
}
