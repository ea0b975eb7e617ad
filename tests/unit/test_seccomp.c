/* Unit tests of runtime/seccomp.c: the default profile loaded for real in forked children (what
 * it denies, with which errno, and what a capability opens), a JSON profile loaded the same way,
 * and the exact errors for broken profiles.
 *
 * Each child sets no_new_privs, loads a filter and runs probes; it writes one result line per
 * probe into a pipe and the parent does the TAP output, so a child killed by its filter still
 * shows as a failure, not as a silent hole in the plan.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "runtime/caps.h"
#include "runtime/seccomp.h"
#include "tests/unit/tap.h"

#define BIT(c) ((uint64_t)1 << (c))

/* A probe: a syscall run in the filtered child and the result it should give. */
struct probe {
	const char *what;
	long (*fn)(void);
	long want_ret; /* compared when want_errno is 0 */
	int want_errno;
};

static long p_getpid(void)
{
	return getpid() > 0 ? 0 : -1;
}

static long p_unshare_user(void)
{
	return unshare(CLONE_NEWUSER);
}

/* unshare(0) does nothing and always succeeds unless a filter stops it. */
static long p_unshare_none(void)
{
	return unshare(0);
}

static long p_keyctl(void)
{
	/* KEYCTL_GET_KEYRING_ID (0) of the session keyring (-3): its id when allowed. */
	return syscall(SYS_keyctl, 0, -3, 0) >= 0 ? 0 : -1;
}

static long p_clone_newns(void)
{
	long rc = syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0);

	if (rc == 0)
		_exit(0); /* the filter let it through: the child must not go on */
	if (rc > 0)
		waitpid((pid_t)rc, NULL, 0);
	return rc;
}

static long p_clone3(void)
{
	/* With the filter out of the way this would be EINVAL (no arguments), never a child. */
	return syscall(SYS_clone3, NULL, 0);
}

static long p_fork(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

static long p_personality_query(void)
{
	return personality(0xffffffff) >= 0 ? 0 : -1;
}

static long p_personality_linux32(void)
{
	long rc = personality(PER_LINUX32);

	if (rc >= 0)
		personality(PER_LINUX);
	return rc >= 0 ? 0 : -1;
}

static long p_personality_bad(void)
{
	return personality(READ_IMPLIES_EXEC);
}

static long p_personality_bad2(void)
{
	return personality(PER_LINUX32 | ADDR_NO_RANDOMIZE);
}

static long p_ptrace(void)
{
	return syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
}

static long p_getcwd(void)
{
	char buf[4096];

	return syscall(SYS_getcwd, buf, sizeof(buf)) > 0 ? 0 : -1;
}

static long p_seccomp_mode(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
	char line[256];

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strcmp(line, "Seccomp:\t2\n") == 0)
			return 0;
	return -1;
}

/* In the child: no_new_privs, load, run each probe and report "ok" or what happened. */
static _Noreturn void run_child(int fd, const struct rt_seccomp_prog *prog, const struct probe *p,
				size_t n)
{
	struct rcr_error *err = NULL;
	char line[256];

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || rt_seccomp_load(prog, &err) < 0) {
		dprintf(fd, "load failed: %s\n", err ? err->msg : strerror(errno));
		_exit(1);
	}
	for (size_t i = 0; i < n; i++) {
		long rc;
		int e;

		errno = 0;
		rc = p[i].fn();
		e = errno;
		if ((p[i].want_errno != 0 && rc == -1 && e == p[i].want_errno) ||
		    (p[i].want_errno == 0 && rc == p[i].want_ret))
			snprintf(line, sizeof(line), "ok\n");
		else
			snprintf(line, sizeof(line), "got %ld, errno %d (%s)\n", rc, e,
				 strerror(e));
		if (write(fd, line, strlen(line)) < 0)
			_exit(1);
	}
	_exit(0);
}

/* Run the probes under prog in a child; one TAP line per probe. */
static void check_probes(const char *label, const struct rt_seccomp_prog *prog,
			 const struct probe *p, size_t n)
{
	char buf[8192] = "";
	size_t got = 0;
	ssize_t r;
	int fds[2], status = 0;
	char *line;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0 || (pid = fork()) < 0) {
		ok(0, "%s: fork", label);
		return;
	}
	if (pid == 0) {
		close(fds[0]);
		run_child(fds[1], prog, p, n);
	}
	close(fds[1]);
	while (got < sizeof(buf) - 1 && (r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fds[0]);
	waitpid(pid, &status, 0);
	line = buf;
	for (size_t i = 0; i < n; i++) {
		char *nl = line ? strchr(line, '\n') : NULL;

		if (nl != NULL)
			*nl = '\0';
		ok(nl != NULL && strcmp(line, "ok") == 0, "%s: %s", label, p[i].what);
		if (nl == NULL || strcmp(line, "ok") != 0)
			printf("#   %s (child status %#x)\n", nl ? line : "no report", status);
		line = nl ? nl + 1 : NULL;
	}
}

static void test_default(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_seccomp_prog prog = {0};
	static const struct probe denied[] = {
		{"getpid works", p_getpid, 0, 0},
		{"fork works (clone without namespace flags)", p_fork, 0, 0},
		{"unshare(CLONE_NEWUSER) is EPERM", p_unshare_user, 0, EPERM},
		{"unshare(0) is EPERM: unshare is closed", p_unshare_none, 0, EPERM},
		{"clone(CLONE_NEWNS) is EPERM", p_clone_newns, 0, EPERM},
		{"clone3 is ENOSYS, so glibc falls back to clone", p_clone3, 0, ENOSYS},
		{"keyctl is EPERM", p_keyctl, 0, EPERM},
		{"ptrace is EPERM", p_ptrace, 0, EPERM},
		{"personality query works", p_personality_query, 0, 0},
		{"personality(PER_LINUX32) works", p_personality_linux32, 0, 0},
		{"personality(READ_IMPLIES_EXEC) is EPERM", p_personality_bad, 0, EPERM},
		{"personality(PER_LINUX32|ADDR_NO_RANDOMIZE) is EPERM", p_personality_bad2, 0,
		 EPERM},
		{"/proc/self/status says Seccomp: 2", p_seccomp_mode, 0, 0},
	};
	static const struct probe opened[] = {
		{"unshare(0) is not filtered", p_unshare_none, 0, 0},
		{"clone3 reaches the kernel (EINVAL)", p_clone3, 0, EINVAL},
		{"keyctl stays EPERM", p_keyctl, 0, EPERM},
	};

	ok(rt_seccomp_compile_default(rt_caps_default(), &prog, &err) == 0 && prog.len > 0,
	   "compile the default profile%s%s", err ? ": " : "", err ? err->msg : "");
	ok(prog.len < BPF_MAXINSNS / 2, "the program is small (%u instructions)", prog.len);
	if (prog.filter != NULL)
		check_probes("default caps", &prog, denied, sizeof(denied) / sizeof(denied[0]));
	rt_seccomp_prog_release(&prog);
	rt_seccomp_prog_release(&prog);
	ok(prog.filter == NULL && prog.len == 0, "release empties the program");

	ok(rt_seccomp_compile_default(rt_caps_default() | BIT(CAP_SYS_ADMIN), &prog, &err) == 0,
	   "compile with CAP_SYS_ADMIN");
	if (prog.filter != NULL)
		check_probes("with CAP_SYS_ADMIN", &prog, opened,
			     sizeof(opened) / sizeof(opened[0]));
	rt_seccomp_prog_release(&prog);
}

static void test_json_load(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_seccomp_prog prog = {0};
	/* Docker's style: names, archMap, includes/excludes; the excluded rule must not apply. */
	static const char profile[] =
		"{\"defaultAction\": \"SCMP_ACT_ALLOW\","
		" \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
		"   \"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}],"
		" \"syscalls\": ["
		"  {\"names\": [\"getcwd\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 13},"
		"  {\"name\": \"getpid\", \"action\": \"SCMP_ACT_ALLOW\"},"
		"  {\"names\": [\"no_such_syscall\"], \"action\": \"SCMP_ACT_KILL\"},"
		"  {\"names\": [\"keyctl\"], \"action\": \"SCMP_ACT_ERRNO\","
		"   \"excludes\": {\"caps\": [\"CAP_SETUID\"]}},"
		"  {\"names\": [\"personality\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 22,"
		"   \"args\": [{\"index\": 0, \"value\": 4194304, \"op\": \"SCMP_CMP_EQ\"},"
		"              {\"index\": 0, \"value\": 262145, \"valueTwo\": 262144,"
		"               \"op\": \"SCMP_CMP_MASKED_EQ\"}]}"
		" ]}";
	static const struct probe probes[] = {
		{"getcwd is EACCES", p_getcwd, 0, EACCES},
		{"getpid works", p_getpid, 0, 0},
		{"keyctl is not filtered: excluded for CAP_SETUID", p_keyctl, 0, 0},
		{"personality(READ_IMPLIES_EXEC) is EINVAL (args)", p_personality_bad, 0, EINVAL},
		{"personality(PER_LINUX32|...) is EINVAL (repeated arg ORed)", p_personality_bad2,
		 0, EINVAL},
		{"personality query passes", p_personality_query, 0, 0},
	};

	ok(rt_seccomp_compile_json(profile, strlen(profile), "/x.json", rt_caps_default(), &prog,
				   &err) == 0,
	   "compile a JSON profile%s%s", err ? ": " : "", err ? err->msg : "");
	/* keyctl of the session keyring works without a filter, unless the kernel has no keys. */
	if (prog.filter != NULL)
		check_probes("json", &prog, probes, sizeof(probes) / sizeof(probes[0]));
	rt_seccomp_prog_release(&prog);
}

static void json_fails(const char *json, const char *msg, const char *what)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_seccomp_prog prog = {0};

	is_int(rt_seccomp_compile_json(json, strlen(json), "/x.json", 0, &prog, &err), -1,
	       "%s: refused", what);
	is_str(err ? err->msg : NULL, msg, "%s: message", what);
	ok(prog.filter == NULL, "%s: no program", what);
}

static void test_json_errors(void)
{
	json_fails("{\"defaultAction\": ",
		   "parsing seccomp profile '/x.json': line 1 column 18: "
		   "unexpected token near end of file",
		   "bad JSON");
	json_fails("[]", "seccomp profile '/x.json': not a JSON object", "not an object");
	json_fails("{}", "seccomp profile '/x.json': 'defaultAction' is missing",
		   "no default action");
	json_fails("{\"defaultAction\": \"SCMP_ACT_NOPE\"}",
		   "seccomp profile '/x.json': defaultAction: unknown action 'SCMP_ACT_NOPE'",
		   "unknown default action");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		   "{\"names\": [\"write\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		   "{\"names\": [\"open\"], \"action\": \"SCMP_ACT_ERRNO\"},"
		   "{\"names\": [\"close\"], \"action\": \"SCMP_ACT_FOO\"}]}",
		   "seccomp profile '/x.json': syscalls[3].action: unknown action 'SCMP_ACT_FOO'",
		   "unknown action");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		   " \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_SOMETIMES\"}]}]}",
		   "seccomp profile '/x.json': syscalls[0].args[0].op: unknown operator "
		   "'SCMP_CMP_SOMETIMES'",
		   "unknown op");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"read\"], \"action\": \"SCMP_ACT_ERRNO\","
		   " \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		   "seccomp profile '/x.json': syscalls[0].args[0].index: not an integer 0 to 5",
		   "arg index out of range");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
		   " \"architectures\": [\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_Z80\"]}",
		   "seccomp profile '/x.json': architectures[1]: unknown architecture "
		   "'SCMP_ARCH_Z80'",
		   "bad arch");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\","
		   " \"archMap\": [{\"architecture\": \"SCMP_ARCH_X86_64\","
		   " \"subArchitectures\": [\"SCMP_ARCH_Z80\"]}]}",
		   "seccomp profile '/x.json': archMap[0].subArchitectures[0]: unknown "
		   "architecture 'SCMP_ARCH_Z80'",
		   "bad sub-architecture");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 5000}",
		   "seccomp profile '/x.json': defaultErrnoRet: not an errno value (an integer 0 "
		   "to 4095)",
		   "errno out of range");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
		   "seccomp profile '/x.json': syscalls: not an array", "syscalls not an array");
	json_fails("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		   "{\"names\": [\"read\", 7], \"action\": \"SCMP_ACT_ERRNO\"}]}",
		   "seccomp profile '/x.json': syscalls[0].names[1]: not a string",
		   "a name that is not a string");
}

static void test_json_cap(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct rt_seccomp_prog prog = {0};
	size_t len = RT_SECCOMP_JSON_MAX + 1;
	_cleanup_free_ char *big = malloc(len);

	if (big == NULL)
		return;
	memset(big, ' ', len);
	big[0] = '{';
	big[len - 1] = '}';
	is_int(rt_seccomp_compile_json(big, len, "/big.json", 0, &prog, &err), -1,
	       "a profile over 4 MiB is refused");
	has_str(err ? err->msg : NULL, "larger than the limit", "  and says why");
}

int main(void)
{
	test_default();
	test_json_load();
	test_json_errors();
	test_json_cap();
	return tap_done();
}
