/* run.json and exit.json (state.h). Written atomically (pkg/fs), so a reader sees a whole file
 * or none; never trusted for liveness without checking the process's start time and the boot.
 */
#include "monitor/state.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/json.h"

static char *state_path(const char *userdata, const char *name)
{
	return fs_path_join(userdata, name);
}

int mon_state_write_run(const char *userdata, const struct mon_run_info *r, struct rcr_error **err)
{
	_cleanup_free_ char *path = state_path(userdata, "run.json");
	_cleanup_json_ json_t *j =
		json_pack("{sIsIsIsIsIss}", "pid", (json_int_t)r->pid, "pid_start",
			  (json_int_t)r->pid_start, "monitor_pid", (json_int_t)r->monitor_pid,
			  "monitor_start", (json_int_t)r->monitor_start, "started",
			  (json_int_t)r->started_ns, "boot_id", r->boot_id);

	return json_write_file_replace(path, j, err);
}

int mon_state_read_run(const char *userdata, struct mon_run_info *r, struct rcr_error **err)
{
	_cleanup_free_ char *path = state_path(userdata, "run.json");
	_cleanup_json_ json_t *j = NULL;
	json_int_t pid, pid_start, mpid, mstart, started;
	const char *boot;

	memset(r, 0, sizeof(*r));
	if (!fs_exists(path))
		return 0;
	j = json_load_file_capped(path, 65536, err);
	if (j == NULL)
		return -1;
	if (json_unpack(j, "{sIsIsIsIsIss}", "pid", &pid, "pid_start", &pid_start, "monitor_pid",
			&mpid, "monitor_start", &mstart, "started", &started, "boot_id",
			&boot) < 0) {
		rcr_error_set(err, EINVAL, "'%s' is not a run state", path);
		return -1;
	}
	*r = (struct mon_run_info){(pid_t)pid,	(unsigned long long)pid_start,
				   (pid_t)mpid, (unsigned long long)mstart,
				   started,	""};
	snprintf(r->boot_id, sizeof(r->boot_id), "%s", boot);
	return 1;
}

int mon_state_write_exit(const char *userdata, const struct mon_exit_info *e,
			 struct rcr_error **err)
{
	_cleanup_free_ char *path = state_path(userdata, "exit.json");
	_cleanup_json_ json_t *j = json_pack(
		"{sisIsIsbss}", "exit_code", e->exit_code, "started", (json_int_t)e->started_ns,
		"finished", (json_int_t)e->finished_ns, "oom", e->oom, "error", e->error);

	return json_write_file_replace(path, j, err);
}

int mon_state_read_exit(const char *userdata, struct mon_exit_info *e, struct rcr_error **err)
{
	_cleanup_free_ char *path = state_path(userdata, "exit.json");
	_cleanup_json_ json_t *j = NULL;
	json_int_t started, finished;
	const char *error = "";
	int code, oom = 0;

	memset(e, 0, sizeof(*e));
	if (!fs_exists(path))
		return 0;
	j = json_load_file_capped(path, 65536, err);
	if (j == NULL)
		return -1;
	if (json_unpack(j, "{sisIsIs?bs?s}", "exit_code", &code, "started", &started, "finished",
			&finished, "oom", &oom, "error", &error) < 0) {
		rcr_error_set(err, EINVAL, "'%s' is not an exit state", path);
		return -1;
	}
	e->exit_code = code;
	e->started_ns = started;
	e->finished_ns = finished;
	e->oom = oom != 0;
	snprintf(e->error, sizeof(e->error), "%s", error);
	return 1;
}

int mon_state_write_helper(const char *userdata, pid_t pid, struct rcr_error **err)
{
	_cleanup_free_ char *path = state_path(userdata, "net.json");
	char boot[40];
	_cleanup_json_ json_t *j = NULL;

	mon_boot_id(boot);
	j = json_pack("{sIsIss}", "pid", (json_int_t)pid, "pid_start",
		      (json_int_t)mon_proc_start_time(pid), "boot_id", boot);
	return json_write_file_replace(path, j, err);
}

void mon_state_stop_helper(const char *userdata)
{
	_cleanup_free_ char *path = state_path(userdata, "net.json");
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_json_ json_t *j = NULL;
	json_int_t pid, start;
	const char *boot;

	if (!fs_exists(path))
		return;
	j = json_load_file_capped(path, 4096, &ignored);
	if (j != NULL &&
	    json_unpack(j, "{sIsIss}", "pid", &pid, "pid_start", &start, "boot_id", &boot) == 0 &&
	    mon_proc_matches((pid_t)pid, (unsigned long long)start, boot))
		kill((pid_t)pid, SIGKILL);
	unlink(path);
}

void mon_state_forget_helper(const char *userdata, pid_t pid)
{
	_cleanup_free_ char *path = state_path(userdata, "net.json");
	_cleanup_error_ struct rcr_error *ignored = NULL;
	_cleanup_json_ json_t *j = NULL;
	json_int_t recorded = 0;

	if (!fs_exists(path))
		return;
	j = json_load_file_capped(path, 4096, &ignored);
	if (j == NULL || (json_unpack(j, "{sI}", "pid", &recorded) == 0 && recorded == pid))
		unlink(path);
}

void mon_state_clear(const char *userdata)
{
	_cleanup_free_ char *run = state_path(userdata, "run.json");
	_cleanup_free_ char *ex = state_path(userdata, "exit.json");

	unlink(ex);
	unlink(run);
}

unsigned long long mon_proc_start_time(pid_t pid)
{
	char path[64], buf[1024];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;
	unsigned long long start = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: fields start after the last ')'. */
	p = strrchr(buf, ')');
	if (p == NULL || p[1] == '\0')
		return 0;
	/* After ") " come fields 3 (state) .. 22 (starttime): skip 19 fields. */
	p += 2;
	if (p[0] == 'Z' || p[0] == 'X')
		return 0; /* a zombie has exited already */
	for (int field = 3; field < 22 && p != NULL; field++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	if (p != NULL)
		start = strtoull(p, NULL, 10);
	return start;
}

void mon_boot_id(char buf[40])
{
	_cleanup_close_ int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, buf, 39) : -1;

	if (n < 0)
		n = 0;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

bool mon_proc_matches(pid_t pid, unsigned long long start, const char *boot_id)
{
	/* the boot does not change while a process runs: read it once (ps asks per container) */
	static char boot[40];

	if (pid <= 0 || start == 0)
		return false;
	if (boot[0] == '\0')
		mon_boot_id(boot);
	if (boot_id != NULL && *boot_id != '\0' && strcmp(boot, boot_id) != 0)
		return false;
	return mon_proc_start_time(pid) == start;
}

long long mon_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}
