/* Unit tests of monitor/state.c: run.json and exit.json written and read back (every field, an
 * error text filling its buffer), absent and corrupt files, clearing; process start times (self,
 * a reaped child, a zombie, a comm with parentheses and spaces) and the liveness check against
 * start time and boot id.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monitor/state.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "tests/unit/tap.h"

static char top[1024];

static char *in_top(const char *name)
{
	return fs_path_join(top, name);
}

static void put(const char *name, const char *text)
{
	_cleanup_free_ char *path = in_top(name);

	fs_write_replace(path, text, strlen(text), 0600, NULL);
}

static void test_run(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *missing = in_top("missing");
	struct mon_run_info w = {
		.pid = 4194303,
		.pid_start = 123456789012345ULL,
		.monitor_pid = 77,
		.monitor_start = 5,
		.started_ns = 1700000000123456789LL,
		.boot_id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
	};
	struct mon_run_info r;

	memset(&r, 0xff, sizeof(r));
	ok(mon_state_read_run(top, &r, &err) == 0 && err == NULL, "no run.json: 0, no error");
	ok(r.pid == 0 && r.pid_start == 0 && r.boot_id[0] == '\0', "  and a zeroed result");
	ok(mon_state_write_run(top, &w, &err) == 0, "run.json written");
	ok(mon_state_read_run(top, &r, &err) == 1 && err == NULL, "run.json read: 1");
	ok(r.pid == w.pid && r.monitor_pid == w.monitor_pid, "  pid and monitor pid");
	ok(r.pid_start == w.pid_start && r.monitor_start == w.monitor_start, "  start times");
	is_int(r.started_ns, w.started_ns, "  started (ns)");
	is_str(r.boot_id, w.boot_id, "  boot id");

	memset(w.boot_id, 'b', sizeof(w.boot_id) - 1);
	w.boot_id[sizeof(w.boot_id) - 1] = '\0';
	ok(mon_state_write_run(top, &w, &err) == 0 && mon_state_read_run(top, &r, &err) == 1 &&
		   strcmp(r.boot_id, w.boot_id) == 0,
	   "a boot id filling its buffer (39 chars) reads back whole");
	put("run.json",
	    "{\"pid\":1,\"pid_start\":2,\"monitor_pid\":3,\"monitor_start\":4,"
	    "\"started\":5,\"boot_id\":\"0123456789012345678901234567890123456789XYZ\"}");
	ok(mon_state_read_run(top, &r, &err) == 1 && strlen(r.boot_id) == 39,
	   "a longer boot id in the file is cut to the buffer");

	ok(mon_state_write_run(missing, &w, &err) < 0 && err != NULL,
	   "writing into a missing directory fails");
	rcr_error_clear(&err);

	put("run.json", "{\"pid\": 12, \"pid_st");
	ok(mon_state_read_run(top, &r, &err) < 0 && err != NULL, "a truncated run.json: -1");
	has_str(err ? err->msg : NULL, "run.json", "  the error names the file");
	rcr_error_clear(&err);
	put("run.json", "{}");
	ok(mon_state_read_run(top, &r, &err) < 0 && err != NULL, "an empty object: -1");
	has_str(err ? err->msg : NULL, "is not a run state", "  not a run state");
	rcr_error_clear(&err);
	put("run.json", "{\"pid\":\"12\",\"pid_start\":2,\"monitor_pid\":3,\"monitor_start\":4,"
			"\"started\":5,\"boot_id\":\"x\"}");
	ok(mon_state_read_run(top, &r, &err) < 0 && err != NULL, "a string pid: -1");
	rcr_error_clear(&err);
	put("run.json", "");
	ok(mon_state_read_run(top, &r, &err) < 0 && err != NULL, "an empty file: -1");
	rcr_error_clear(&err);
}

static void test_exit(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct mon_exit_info w = {
		.exit_code = 137,
		.started_ns = 1700000000000000001LL,
		.finished_ns = 1700000009999999999LL,
		.oom = true,
	};
	struct mon_exit_info e;
	size_t n = sizeof(w.error) - 1;

	memset(&e, 0xff, sizeof(e));
	ok(mon_state_read_exit(top, &e, &err) == 0 && err == NULL, "no exit.json: 0, no error");
	ok(e.exit_code == 0 && !e.oom && e.error[0] == '\0', "  and a zeroed result");

	/* The error fills its buffer, with characters JSON must escape. */
	for (size_t i = 0; i < n; i++)
		w.error[i] = "ab\"\\\n\t/c"[i % 8];
	w.error[n] = '\0';
	ok(mon_state_write_exit(top, &w, &err) == 0, "exit.json written");
	ok(mon_state_read_exit(top, &e, &err) == 1 && err == NULL, "exit.json read: 1");
	is_int(e.exit_code, 137, "  exit code");
	ok(e.started_ns == w.started_ns && e.finished_ns == w.finished_ns, "  started, finished");
	ok(e.oom, "  oom");
	ok(strlen(e.error) == n && strcmp(e.error, w.error) == 0,
	   "  the error text, %zu chars with quotes and newlines", n);

	w.exit_code = -1;
	w.oom = false;
	w.error[0] = '\0';
	ok(mon_state_write_exit(top, &w, &err) == 0 && mon_state_read_exit(top, &e, &err) == 1 &&
		   e.exit_code == -1 && !e.oom && e.error[0] == '\0',
	   "exit code -1, no oom, no error");

	put("exit.json", "{\"exit_code\":3,\"started\":1,\"finished\":2}");
	ok(mon_state_read_exit(top, &e, &err) == 1 && e.exit_code == 3 && !e.oom &&
		   e.error[0] == '\0',
	   "oom and error are optional");
	put("exit.json", "[3]");
	ok(mon_state_read_exit(top, &e, &err) < 0 && err != NULL, "an array: -1");
	has_str(err ? err->msg : NULL, "is not an exit state", "  not an exit state");
	rcr_error_clear(&err);
	put("exit.json", "{\"exit_code\":3,\"started\":1,\"finished\":2,\"oom\":\"yes\"}");
	ok(mon_state_read_exit(top, &e, &err) < 0 && err != NULL, "a string oom: -1");
	rcr_error_clear(&err);
	put("exit.json", "{\"exit_code\":3,\"started\":1");
	ok(mon_state_read_exit(top, &e, &err) < 0 && err != NULL, "a truncated exit.json: -1");
	has_str(err ? err->msg : NULL, "exit.json", "  the error names the file");
	rcr_error_clear(&err);
}

static void test_clear(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *run = in_top("run.json");
	_cleanup_free_ char *ex = in_top("exit.json");
	_cleanup_free_ char *other = in_top("other");
	struct mon_run_info r = {.pid = 1, .pid_start = 1};
	struct mon_exit_info e = {.exit_code = 1};

	put("other", "keep");
	ok(mon_state_write_run(top, &r, &err) == 0 && mon_state_write_exit(top, &e, &err) == 0 &&
		   fs_exists(run) && fs_exists(ex),
	   "both state files written");
	mon_state_clear(top);
	ok(!fs_exists(run) && !fs_exists(ex), "mon_state_clear removes both");
	ok(fs_exists(other), "  and nothing else");
	ok(mon_state_read_run(top, &r, &err) == 0 && mon_state_read_exit(top, &e, &err) == 0,
	   "  reading them is 0 again");
	mon_state_clear(top);
	ok(1, "clearing again is harmless");
}

/* A child blocked on a pipe until released; *release is the pipe's write end. */
static pid_t spawn(int *release, const char *comm)
{
	int p[2], ready[2];
	pid_t pid;
	char c;

	if (pipe(p) < 0 || pipe(ready) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[1]);
		close(ready[0]);
		if (comm != NULL)
			prctl(PR_SET_NAME, comm, 0, 0, 0);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		(void)!read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	close(ready[1]);
	if (pid > 0 && read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	*release = p[1];
	return pid;
}

/* Wait for pid to exit without reaping it: it stays a zombie. */
static int wait_zombie(pid_t pid)
{
	siginfo_t info;

	return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT);
}

static void test_proc(void)
{
	unsigned long long self = mon_proc_start_time(getpid());
	unsigned long long child_start;
	char boot[40], boot2[40], wrong[40];
	int release = -1;
	pid_t pid;

	ok(self != 0, "the start time of this process is not 0");
	ok(mon_proc_start_time(getpid()) == self, "  and stable");
	ok(mon_proc_start_time(0) == 0 && mon_proc_start_time(-1) == 0, "0 for pid 0 and -1");

	mon_boot_id(boot);
	mon_boot_id(boot2);
	ok(strlen(boot) == 36 && boot[8] == '-' && boot[13] == '-' && strchr(boot, '\n') == NULL,
	   "the boot id is a UUID without its newline (%s)", boot);
	is_str(boot2, boot, "  and stable");
	snprintf(wrong, sizeof(wrong), "%s", boot);
	wrong[0] = wrong[0] == '0' ? '1' : '0';

	ok(mon_proc_matches(getpid(), self, boot), "self matches with its start time and boot");
	ok(mon_proc_matches(getpid(), self, NULL) && mon_proc_matches(getpid(), self, ""),
	   "  and without a boot id to check");
	ok(!mon_proc_matches(getpid(), self + 1, boot), "not with another start time");
	ok(!mon_proc_matches(getpid(), self, wrong), "not with another boot id");
	ok(!mon_proc_matches(getpid(), 0, boot) && !mon_proc_matches(0, self, boot) &&
		   !mon_proc_matches(-1, self, boot),
	   "not with start time 0, pid 0 or pid -1");

	/* A reaped child: its pid no longer exists. */
	pid = spawn(&release, NULL);
	child_start = pid > 0 ? mon_proc_start_time(pid) : 0;
	ok(pid > 0 && child_start >= self, "a running child has a start time, not before ours");
	ok(mon_proc_matches(pid, child_start, boot), "  and matches");
	close(release);
	ok(wait_zombie(pid) == 0, "  it exits");
	ok(mon_proc_start_time(pid) == 0, "  a zombie has no start time");
	ok(!mon_proc_matches(pid, child_start, boot), "  a zombie does not match");
	ok(waitpid(pid, NULL, 0) == pid, "  reaped");
	ok(mon_proc_start_time(pid) == 0, "a reaped pid has no start time");
	ok(!mon_proc_matches(pid, child_start, boot), "  and does not match");

	/* comm may hold ") " and a state letter: the fields start after the last ')'. */
	pid = spawn(&release, "a) Z 1 2 (3)");
	child_start = pid > 0 ? mon_proc_start_time(pid) : 0;
	{
		char path[64], comm[64] = "";
		_cleanup_free_ char *text = NULL;

		snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
		text = fs_read_file(path, 64, NULL, NULL);
		if (text != NULL)
			snprintf(comm, sizeof(comm), "%s", text);
		has_str(comm, "a) Z 1 2 (3)", "a child renamed 'a) Z 1 2 (3)'");
	}
	ok(child_start >= self && mon_proc_matches(pid, child_start, boot),
	   "  still has its start time and matches");
	close(release);
	ok(wait_zombie(pid) == 0 && mon_proc_start_time(pid) == 0 &&
		   !mon_proc_matches(pid, child_start, boot),
	   "  and as a zombie does not");
	waitpid(pid, NULL, 0);
}

static void test_now(void)
{
	long long a = mon_now_ns(), b = mon_now_ns();
	long long t = (long long)time(NULL) * 1000000000LL;

	ok(b >= a && a > t - 5000000000LL && a < t + 5000000000LL, "mon_now_ns is unix time in ns");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-monstate-XXXXXX",
		 tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_run();
	mon_state_clear(top);
	test_exit();
	test_clear();
	test_proc();
	test_now();
	ok(fs_rm_rf(top, NULL) == 0 && !fs_exists(top), "the test directory is removed");
	return tap_done();
}
