/* Unit tests of pkg/proc.c: running programs with captured output, exit codes (128+signal), the
 * errors of a failed start (not found, not executable), no fd leaks, waiting through EINTR,
 * pidfds, and PATH lookup.
 *
 * Uses /bin/sh and coreutils from PATH; temporary files go under a mkdtemp dir in $TMPDIR or /tmp.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "tests/unit/tap.h"

static char top[1024];

static bool is_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	return fl >= 0 && (fl & FD_CLOEXEC);
}

static int count_fds(void)
{
	_cleanup_closedir_ DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	while (d != NULL && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	return n;
}

static void test_pipes(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	int p[2] = {-1, -1};
	int s[2] = {-1, -1};
	char c = 0;

	ok(proc_pipe(p, &err) == 0, "pipe");
	ok(is_cloexec(p[0]) && is_cloexec(p[1]), "both pipe ends are CLOEXEC");
	ok(write(p[1], "x", 1) == 1 && read(p[0], &c, 1) == 1 && c == 'x', "pipe carries data");
	ok(proc_socketpair(SOCK_SEQPACKET, s, &err) == 0, "seqpacket socketpair");
	ok(is_cloexec(s[0]) && is_cloexec(s[1]), "both sockets are CLOEXEC");
	close(p[0]);
	close(p[1]);
	close(s[0]);
	close(s[1]);
	ok(proc_socketpair(-1, s, &err) < 0, "a bad socket type fails");
	has_str(err ? err->msg : NULL, "creating a socket pair", "error says what failed");
}

static void test_run_capture(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)"echo out; echo err >&2; exit 3", NULL};
	struct proc_result r;
	int before = count_fds();

	ok(proc_run(argv, NULL, true, &r, &err) == 0, "sh runs");
	is_str(r.out, "out\n", "stdout is captured");
	is_str(r.errout, "err\n", "stderr is captured apart");
	is_int(r.exit_code, 3, "exit code 3");
	ok(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 3, "raw status says exited 3");
	is_int(count_fds(), before, "no fd is left open in the caller");
	proc_result_release(&r);
	ok(r.out == NULL && r.errout == NULL, "release clears the result");
}

static void test_run_env_stdin(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)"echo \"$FOO:$HOME\"; cat", NULL};
	char *envp[] = {(char *)"FOO=bar", NULL};
	char *quiet[] = {(char *)"true", NULL};
	struct proc_result r;

	/* A PATH-less envp: the program is still found through the caller's PATH. */
	ok(proc_run(argv, envp, true, &r, &err) == 0, "runs with its own environment");
	is_str(r.out, "bar:\n", "sees exactly envp; stdin is /dev/null so cat ends at once");
	proc_result_release(&r);
	ok(proc_run(quiet, NULL, true, &r, &err) == 0, "a silent program");
	ok(r.out != NULL && r.out[0] == '\0' && r.errout != NULL && r.errout[0] == '\0',
	   "captures empty strings, not NULL");
	proc_result_release(&r);
}

static void test_run_nocapture(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char *argv[] = {(char *)"sh", (char *)"-c", (char *)"exit 7", NULL};
	struct proc_result r;

	ok(proc_run(argv, NULL, false, &r, &err) == 0, "runs without capture");
	is_int(r.exit_code, 7, "exit code 7");
	ok(r.out == NULL && r.errout == NULL, "nothing captured");
	proc_result_release(&r);
}

/* The hex mask on line "<field>:" of a /proc/PID/status text. */
static unsigned long long status_mask(const char *text, const char *field)
{
	const char *p = text ? strstr(text, field) : NULL;

	return p ? strtoull(p + strlen(field) + 1, NULL, 16) : ~0ULL;
}

static void test_run_signal(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char *term[] = {(char *)"sh", (char *)"-c", (char *)"kill -TERM $$", NULL};
	char *kill9[] = {(char *)"sh", (char *)"-c", (char *)"kill -KILL $$", NULL};
	char *status[] = {(char *)"cat", (char *)"/proc/self/status", NULL};
	struct sigaction ign = {.sa_handler = SIG_IGN};
	struct sigaction old;
	sigset_t usr1;
	sigset_t old_mask;
	struct proc_result r;

	ok(proc_run(term, NULL, true, &r, &err) == 0, "a program killed by a signal ran");
	is_int(r.exit_code, 128 + SIGTERM, "SIGTERM gives exit code 143");
	ok(WIFSIGNALED(r.status) && WTERMSIG(r.status) == SIGTERM, "raw status says signalled");
	proc_result_release(&r);
	ok(proc_run(kill9, NULL, true, &r, &err) == 0 && r.exit_code == 137,
	   "SIGKILL gives exit code 137");
	proc_result_release(&r);
	/* A CLI ignores SIGPIPE and may block signals; its children must get neither. */
	sigaction(SIGPIPE, &ign, &old);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, &old_mask);
	ok(proc_run(status, NULL, true, &r, &err) == 0, "cat /proc/self/status runs");
	ok((status_mask(r.out, "SigIgn:") & (1ULL << (SIGPIPE - 1))) == 0,
	   "the child does not inherit an ignored SIGPIPE");
	ok((status_mask(r.out, "SigBlk:") & (1ULL << (SIGUSR1 - 1))) == 0,
	   "the child does not inherit the caller's blocked signals");
	proc_result_release(&r);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGPIPE, &old, NULL);
	ok(sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_DFL,
	   "the caller's own dispositions are untouched");
}

static void test_run_big_output(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	/* 3 MB on stderr before anything on stdout: without poll on both, the child would block on
	 * the full stderr pipe while we wait on stdout. */
	char *argv[] = {(char *)"sh", (char *)"-c",
			(char *)"head -c 3000000 /dev/zero | tr '\\0' e >&2; "
				"head -c 2000000 /dev/zero | tr '\\0' o; echo; exit 4",
			NULL};
	struct proc_result r;

	ok(proc_run(argv, NULL, true, &r, &err) == 0, "a program with megabytes of output");
	is_int(r.out ? strlen(r.out) : 0, 1024 * 1024, "stdout is capped at 1 MiB");
	is_int(r.errout ? strlen(r.errout) : 0, 1024 * 1024, "stderr is capped at 1 MiB");
	ok(r.out && r.out[0] == 'o' && r.errout && r.errout[1024 * 1024 - 1] == 'e',
	   "the kept part is the beginning");
	is_int(r.exit_code, 4, "the child was drained and ran to its end");
	proc_result_release(&r);
}

static void test_run_not_found(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char *argv[] = {(char *)"rcr-no-such-program-x1", (char *)"arg", NULL};
	char *abs[] = {(char *)"/nonexistent/rcr-prog", NULL};
	struct proc_result r;
	int before = count_fds();

	ok(proc_run(argv, NULL, true, &r, &err) < 0, "a missing program fails to start");
	is_int(err ? err->code : 0, ENOENT, "code ENOENT");
	is_str(err ? err->msg : NULL,
	       "'rcr-no-such-program-x1': executable file not found in $PATH",
	       "message as for a failed container start");
	ok(r.out == NULL && r.errout == NULL, "no result on failure");
	is_int(count_fds(), before, "no fd is left open after a failed start");
	ok(waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD, "the failed child was reaped");
	rcr_error_clear(&err);
	ok(proc_run(abs, NULL, false, &r, &err) < 0 && err != NULL && err->code == ENOENT,
	   "a missing absolute path is ENOENT");
	has_str(err ? err->msg : NULL, "'/nonexistent/rcr-prog'", "naming the path");
}

static void test_run_not_executable(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	char path[1100];
	char *argv[] = {path, NULL};
	char *byname[] = {(char *)"rcr-not-exec", NULL};
	const char *path_env = getenv("PATH");
	_cleanup_free_ char *old_path = path_env ? strdup(path_env) : NULL;
	struct proc_result r;
	char want[1200];

	/* Without any x bit even root cannot exec a file. */
	snprintf(path, sizeof(path), "%s/rcr-not-exec", top);
	fs_write_atomic(path, "#!/bin/sh\n", 10, 0644, NULL);
	ok(proc_run(argv, NULL, false, &r, &err) < 0 && err != NULL && err->code == EACCES,
	   "a non-executable file fails with EACCES");
	snprintf(want, sizeof(want), "'%s': permission denied", path);
	is_str(err ? err->msg : NULL, want, "message names it: permission denied");
	rcr_error_clear(&err);

	setenv("PATH", top, 1);
	ok(proc_run(byname, NULL, false, &r, &err) < 0 && err != NULL && err->code == EACCES,
	   "found through PATH but not executable: EACCES, not 'not found'");
	is_str(err ? err->msg : NULL, "'rcr-not-exec': permission denied", "message names it");
	if (old_path != NULL)
		setenv("PATH", old_path, 1);
	rcr_error_clear(&err);

	ok(proc_run((char *[]){NULL}, NULL, false, &r, &err) < 0 && err != NULL,
	   "an empty argv is refused");
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void test_wait(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct sigaction sa = {.sa_handler = on_alarm};
	struct sigaction old;
	struct itimerval it = {.it_value = {.tv_usec = 20000}, .it_interval = {.tv_usec = 20000}};
	struct itimerval off = {0};
	pid_t pid;
	int st;

	/* No SA_RESTART: waitpid is interrupted every 20 ms while the child sleeps. */
	sigaction(SIGALRM, &sa, &old);
	pid = fork();
	if (pid == 0) {
		usleep(200000);
		_exit(5);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	st = proc_wait(pid, &err);
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 5, "proc_wait survives EINTR");
	st = proc_wait(pid, &err);
	ok(st < 0 && err != NULL && err->code == ECHILD, "waiting twice fails");
	has_str(err ? err->msg : NULL, "waiting for process", "error says what failed");
}

/* CI sets RCR_TEST_MUST_WORK=1 so that a skip fails there (STYLE.md, Tests). */
static bool must_work(void)
{
	const char *v = getenv("RCR_TEST_MUST_WORK");

	return v != NULL && *v != '\0' && strcmp(v, "0") != 0;
}

static void test_pidfd(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_close_ int pidfd = -1;
	struct pollfd p;
	int gate[2];
	pid_t pid;
	char c;

	if (pipe2(gate, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		/* Lives until the parent closes its end. */
		while (read(gate[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	close(gate[0]);
	pidfd = proc_pidfd_open(pid, &err);
	/* Kernels before 5.3 (and valgrind) have no pidfd_open: the one thing not testable here. */
	if (pidfd < 0 && err != NULL && err->code == ENOSYS && !must_work()) {
		tap_ok_at(1, __FILE__, __LINE__, "pidfds # SKIP pidfd_open(2) is not available");
		close(gate[1]);
		proc_wait(pid, NULL);
		return;
	}
	ok(pidfd >= 0, "pidfd_open of a child%s%s", err ? ": " : "", err ? err->msg : "");
	ok(pidfd >= 0 && is_cloexec(pidfd), "the pidfd is CLOEXEC");
	ok(proc_pidfd_is_alive(pidfd), "alive while it waits");
	close(gate[1]);
	p = (struct pollfd){.fd = pidfd, .events = POLLIN};
	poll(&p, 1, 10000);
	ok(!proc_pidfd_is_alive(pidfd), "dead once it has exited (a zombie, not yet reaped)");
	proc_wait(pid, NULL);
	ok(!proc_pidfd_is_alive(pidfd), "still dead after reaping");
	ok(!proc_pidfd_is_alive(-1), "an invalid fd is not alive");
	ok(proc_pidfd_open(pid, &err) < 0 && err != NULL && err->code == ESRCH,
	   "pidfd_open of a reaped pid fails");
	has_str(err ? err->msg : NULL, "opening a pidfd for process", "error says what failed");
}

static void test_find_in_path(void)
{
	const char *path_env = getenv("PATH");
	_cleanup_free_ char *old_path = path_env ? strdup(path_env) : NULL;
	_cleanup_free_ char *sh = proc_find_in_path("sh");
	char exe[1100];
	char dir[1100];
	char *found = NULL;
	char path[2400];

	ok(sh != NULL && sh[0] == '/' && access(sh, X_OK) == 0, "sh is found as an absolute path");
	snprintf(exe, sizeof(exe), "%s/bin1/rcr-tool", top);
	snprintf(dir, sizeof(dir), "%s/bin2/rcr-tool", top);
	fs_mkdir_p(dir, 0755, NULL);
	snprintf(path, sizeof(path), "%s/bin1", top);
	fs_mkdir_p(path, 0755, NULL);
	fs_write_atomic(exe, "#!/bin/sh\n", 10, 0755, NULL);
	/* bin2 holds a directory of that name: not a program, the search goes on to bin1. */
	snprintf(path, sizeof(path), "relative:%s/bin2:%s/bin1", top, top);
	setenv("PATH", path, 1);
	found = proc_find_in_path("rcr-tool");
	is_str(found, exe, "found in the later PATH entry, past a directory of the same name");
	free(found);
	chmod(exe, 0644);
	found = proc_find_in_path("rcr-tool");
	ok(found == NULL, "a file without x bits is not a program");
	free(found);
	found = proc_find_in_path("rcr-no-such-program-x1");
	ok(found == NULL, "a missing program is NULL");
	unsetenv("PATH");
	found = proc_find_in_path("sh");
	ok(found != NULL && found[0] == '/', "PATH unset: the default path finds sh");
	free(found);
	if (old_path != NULL)
		setenv("PATH", old_path, 1);
	ok(proc_find_in_path("") == NULL, "an empty name is NULL");
	found = proc_find_in_path("/bin/sh");
	is_str(found, "/bin/sh", "a name with '/' is checked as it is");
	free(found);
	ok(proc_find_in_path("/nonexistent/sh") == NULL, "a missing path with '/' is NULL");
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(top, sizeof(top), "%s/rcr-test-proc-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
	if (mkdtemp(top) == NULL) {
		printf("Bail out! cannot create a temporary directory\n");
		return 1;
	}
	test_pipes();
	test_run_capture();
	test_run_env_stdin();
	test_run_nocapture();
	test_run_signal();
	test_run_big_output();
	test_run_not_found();
	test_run_not_executable();
	test_wait();
	test_pidfd();
	test_find_in_path();
	ok(fs_rm_rf(top, NULL) == 0 && !fs_exists(top), "the test directory is removed");
	return tap_done();
}
