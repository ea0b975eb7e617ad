/* Seccomp filters (see seccomp.h): the default profile as a deny list, JSON profiles in the
 * OCI/Docker format, both compiled with libseccomp to a BPF program, and loading that program.
 *
 * Compiling happens in the monitor, never in the container's process (libseccomp allocates and
 * may fail in ways the last steps before execve must not); loading is one syscall. A profile must
 * never be loosened silently: anything this file cannot express exactly is an error, with the one
 * exception runc also makes -- syscalls this architecture does not have are skipped.
 */
#include "runtime/seccomp.h"

#include <errno.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "runtime/caps.h"

#define CAP_BIT(c) ((uint64_t)1 << (c))

static void cleanup_scmpp(scmp_filter_ctx *c)
{
	if (*c != NULL)
		seccomp_release(*c);
}
#define _cleanup_scmp_ __attribute__((cleanup(cleanup_scmpp)))

void rt_seccomp_prog_release(struct rt_seccomp_prog *p)
{
	if (p == NULL)
		return;
	free(p->filter);
	p->filter = NULL;
	p->len = 0;
}

/* ---- architectures ---------------------------------------------------------------------- */

struct arch_info {
	const char *scmp_name; /* as profiles spell it: "SCMP_ARCH_X86_64" */
	const char *go_name;   /* as includes.arches spells it (Go's GOARCH): "amd64" */
	uint32_t token;
	uint32_t sub[2]; /* the default profile's archMap: arches the native one also runs */
};

static const struct arch_info arch_table[] = {
	{"SCMP_ARCH_X86", "386", SCMP_ARCH_X86, {0, 0}},
	{"SCMP_ARCH_X86_64", "amd64", SCMP_ARCH_X86_64, {SCMP_ARCH_X86, SCMP_ARCH_X32}},
	{"SCMP_ARCH_X32", "x32", SCMP_ARCH_X32, {0, 0}},
	{"SCMP_ARCH_ARM", "arm", SCMP_ARCH_ARM, {0, 0}},
	{"SCMP_ARCH_AARCH64", "arm64", SCMP_ARCH_AARCH64, {SCMP_ARCH_ARM, 0}},
	{"SCMP_ARCH_MIPS", "mips", SCMP_ARCH_MIPS, {0, 0}},
	{"SCMP_ARCH_MIPS64", "mips64", SCMP_ARCH_MIPS64, {SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64N32}},
	{"SCMP_ARCH_MIPS64N32",
	 "mips64n32",
	 SCMP_ARCH_MIPS64N32,
	 {SCMP_ARCH_MIPS, SCMP_ARCH_MIPS64}},
	{"SCMP_ARCH_MIPSEL", "mipsle", SCMP_ARCH_MIPSEL, {0, 0}},
	{"SCMP_ARCH_MIPSEL64",
	 "mips64le",
	 SCMP_ARCH_MIPSEL64,
	 {SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64N32}},
	{"SCMP_ARCH_MIPSEL64N32",
	 "mips64len32",
	 SCMP_ARCH_MIPSEL64N32,
	 {SCMP_ARCH_MIPSEL, SCMP_ARCH_MIPSEL64}},
	{"SCMP_ARCH_PPC", "ppc", SCMP_ARCH_PPC, {0, 0}},
	{"SCMP_ARCH_PPC64", "ppc64", SCMP_ARCH_PPC64, {0, 0}},
	{"SCMP_ARCH_PPC64LE", "ppc64le", SCMP_ARCH_PPC64LE, {0, 0}},
	{"SCMP_ARCH_S390", "s390", SCMP_ARCH_S390, {0, 0}},
	{"SCMP_ARCH_S390X", "s390x", SCMP_ARCH_S390X, {SCMP_ARCH_S390, 0}},
	{"SCMP_ARCH_PARISC", "parisc", SCMP_ARCH_PARISC, {0, 0}},
	{"SCMP_ARCH_PARISC64", "parisc64", SCMP_ARCH_PARISC64, {0, 0}},
	{"SCMP_ARCH_RISCV64", "riscv64", SCMP_ARCH_RISCV64, {0, 0}},
};

#define N_ARCHES (sizeof(arch_table) / sizeof(arch_table[0]))

static const struct arch_info *arch_by_token(uint32_t token)
{
	for (size_t i = 0; i < N_ARCHES; i++)
		if (arch_table[i].token == token)
			return &arch_table[i];
	return NULL;
}

static const struct arch_info *arch_by_name(const char *name)
{
	for (size_t i = 0; i < N_ARCHES; i++)
		if (strcmp(arch_table[i].scmp_name, name) == 0)
			return &arch_table[i];
	return NULL;
}

/* Add arch to the filter; already there (the native one) is fine. */
static int add_arch(scmp_filter_ctx ctx, uint32_t token, const char *name, struct rcr_error **err)
{
	int rc = seccomp_arch_add(ctx, token);

	if (rc < 0 && rc != -EEXIST) {
		rcr_error_set_errno(err, -rc, "adding architecture '%s'", name);
		return -1;
	}
	return 0;
}

static int add_native_and_subs(scmp_filter_ctx ctx, struct rcr_error **err)
{
	const struct arch_info *a = arch_by_token(seccomp_arch_native());

	if (a == NULL)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		const struct arch_info *sub = a->sub[i] ? arch_by_token(a->sub[i]) : NULL;

		if (sub != NULL && add_arch(ctx, sub->token, sub->scmp_name, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- the default profile ---------------------------------------------------------------- */

/* The deny list. Sources (read 2024, Docker's profiles/seccomp/default.json in moby/moby and
 * containers/common's pkg/seccomp/seccomp.json, which Podman ships): those profiles allow a list of
 * syscalls and return an error for the rest; this is the complement that matters, turned around
 * so that the default action can be ALLOW. A syscall here is opened by any capability in opened_by,
 * exactly where those profiles open it ("includes": {"caps": [...]}); opened_by 0 means never.
 *  - CAP_SYS_ADMIN opens the mount and namespace calls, as moby does (containers/common opens
 *    some of them to everyone, relying on the user namespace; rcr keeps Docker's stricter list);
 *  - ptrace, process_vm_* and kcmp need CAP_SYS_PTRACE, as in containers/common;
 *  - clock_adjtime and name_to_handle_at are NOT here: both profiles allow them (the kernel
 *    checks CAP_SYS_TIME / the file handle itself);
 *  - clone3 fails with ENOSYS so that glibc falls back to clone, whose flags the filter can see;
 *    io_uring fails with ENOSYS as Podman's profile (not listed there: defaultErrnoRet 38) does;
 *  - the keyring calls are not namespaced and stay closed whatever the capabilities. */
struct deny_rule {
	const char *name;
	uint64_t opened_by;
	int errno_ret;
};

#define ADMIN  CAP_BIT(CAP_SYS_ADMIN)
#define PTRACE CAP_BIT(CAP_SYS_PTRACE)
#define MODULE CAP_BIT(CAP_SYS_MODULE)
#define TIME   CAP_BIT(CAP_SYS_TIME)
#define NICE   CAP_BIT(CAP_SYS_NICE)
#define NEVER  ((uint64_t)0)
#define DENY(n, c)                                                                                 \
	{                                                                                          \
		n, c, EPERM                                                                        \
	}

static const struct deny_rule deny_rules[] = {
	/* never opened */
	DENY("add_key", NEVER),
	DENY("keyctl", NEVER),
	DENY("request_key", NEVER),
	DENY("create_module", NEVER),
	DENY("get_kernel_syms", NEVER),
	DENY("kexec_file_load", NEVER),
	DENY("kexec_load", NEVER),
	DENY("migrate_pages", NEVER),
	DENY("move_pages", NEVER),
	DENY("nfsservctl", NEVER),
	DENY("pivot_root", NEVER),
	DENY("swapon", NEVER),
	DENY("swapoff", NEVER),
	DENY("sysfs", NEVER),
	DENY("_sysctl", NEVER),
	DENY("uselib", NEVER),
	DENY("userfaultfd", NEVER),
	DENY("ustat", NEVER),
	DENY("vm86", NEVER),
	DENY("vm86old", NEVER),
	{"io_uring_setup", NEVER, ENOSYS},
	{"io_uring_enter", NEVER, ENOSYS},
	{"io_uring_register", NEVER, ENOSYS},
	/* CAP_SYS_ADMIN (and the narrower capabilities that also open some of them) */
	DENY("bpf", ADMIN | CAP_BIT(CAP_BPF)),
	DENY("perf_event_open", ADMIN | CAP_BIT(CAP_PERFMON)),
	DENY("syslog", ADMIN | CAP_BIT(CAP_SYSLOG)),
	{"clone3", ADMIN, ENOSYS},
	DENY("fanotify_init", ADMIN),
	DENY("fsconfig", ADMIN),
	DENY("fsmount", ADMIN),
	DENY("fsopen", ADMIN),
	DENY("fspick", ADMIN),
	DENY("lookup_dcookie", ADMIN),
	DENY("mount", ADMIN),
	DENY("mount_setattr", ADMIN),
	DENY("move_mount", ADMIN),
	DENY("open_tree", ADMIN),
	DENY("quotactl", ADMIN),
	DENY("quotactl_fd", ADMIN),
	DENY("setdomainname", ADMIN),
	DENY("sethostname", ADMIN),
	DENY("setns", ADMIN),
	DENY("umount", ADMIN),
	DENY("umount2", ADMIN),
	DENY("unshare", ADMIN),
	/* one capability each */
	DENY("open_by_handle_at", CAP_BIT(CAP_DAC_READ_SEARCH)),
	DENY("reboot", CAP_BIT(CAP_SYS_BOOT)),
	DENY("chroot", CAP_BIT(CAP_SYS_CHROOT)),
	DENY("delete_module", MODULE),
	DENY("init_module", MODULE),
	DENY("finit_module", MODULE),
	DENY("query_module", MODULE),
	DENY("acct", CAP_BIT(CAP_SYS_PACCT)),
	DENY("kcmp", PTRACE),
	DENY("pidfd_getfd", PTRACE),
	DENY("process_madvise", PTRACE),
	DENY("process_vm_readv", PTRACE),
	DENY("process_vm_writev", PTRACE),
	DENY("ptrace", PTRACE),
	DENY("iopl", CAP_BIT(CAP_SYS_RAWIO)),
	DENY("ioperm", CAP_BIT(CAP_SYS_RAWIO)),
	DENY("settimeofday", TIME),
	DENY("stime", TIME),
	DENY("clock_settime", TIME),
	DENY("clock_settime64", TIME),
	DENY("vhangup", CAP_BIT(CAP_SYS_TTY_CONFIG)),
	DENY("get_mempolicy", NICE),
	DENY("mbind", NICE),
	DENY("set_mempolicy", NICE),
	DENY("set_mempolicy_home_node", NICE),
};

#define N_DENY_RULES (sizeof(deny_rules) / sizeof(deny_rules[0]))

/* The namespace flags of clone that need CAP_SYS_ADMIN (the profiles' mask 0x7E020000). */
static const uint64_t clone_ns_flags[] = {CLONE_NEWNS,	CLONE_NEWUTS, CLONE_NEWIPC,   CLONE_NEWUSER,
					  CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP};

/* Add a rule for name; a syscall this architecture lacks is skipped. */
static int add_rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned int n_cmp,
		    const struct scmp_arg_cmp *cmp, struct rcr_error **err)
{
	int nr = seccomp_syscall_resolve_name(name);
	int rc;

	if (nr == __NR_SCMP_ERROR)
		return 0;
	rc = seccomp_rule_add_array(ctx, action, nr, n_cmp, cmp);
	if (rc < 0) {
		rcr_error_set_errno(err, -rc, "adding a rule for '%s'", name);
		return -1;
	}
	return 0;
}

static int add_clone_rules(scmp_filter_ctx ctx, struct rcr_error **err)
{
	uint32_t native = seccomp_arch_native();
	/* s390 passes the stack first and the flags second. */
	unsigned int arg = native == SCMP_ARCH_S390X || native == SCMP_ARCH_S390 ? 1 : 0;

	/* A rule's comparisons are ANDed and each argument may appear once, so "any of these
	 * flags" is one rule per flag. */
	for (size_t i = 0; i < sizeof(clone_ns_flags) / sizeof(clone_ns_flags[0]); i++) {
		struct scmp_arg_cmp c = {arg, SCMP_CMP_MASKED_EQ, clone_ns_flags[i],
					 clone_ns_flags[i]};

		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "clone", 1, &c, err) < 0)
			return -1;
	}
	return 0;
}

/* personality(2) is allowed for 0 (PER_LINUX), 8 (PER_LINUX32), 0x20000 (UNAME26), 0x20008 and
 * 0xffffffff (query) only, as in both profiles, which list those five values as ALLOW rules over a
 * deny-by-default. With ALLOW as the default the filter must say "deny every other value", and
 * libseccomp ORs rules and allows each argument once per rule. The kernel reads the argument as
 * an unsigned int, so the low 32 bits decide, and the denied values are exactly those with a bit
 * outside {3, 17} set, except all ones. Such a value has a run of set bits, cyclically over the
 * 32 bits, that holds a bit outside {3, 17} and is followed by a clear bit; the rule for the last
 * bit b of that run ("b set, b+1 clear") matches it. When the run ends on bit 3 or 17 it also
 * holds bit 2 or 16, so "2 and 3 set, 4 clear" (and for 16, 17, 18) cover it. No rule matches
 * an allowed value: each needs a set bit outside {3, 17} and a clear bit. */
static int add_personality_rules(scmp_filter_ctx ctx, struct rcr_error **err)
{
	for (unsigned int b = 0; b < 32; b++) {
		uint64_t bit = (uint64_t)1 << b, next = (uint64_t)1 << ((b + 1) % 32);
		struct scmp_arg_cmp c = {0, SCMP_CMP_MASKED_EQ, bit | next, bit};

		if (b == 3 || b == 17)
			continue;
		if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "personality", 1, &c, err) < 0)
			return -1;
		if (b == 2 || b == 16) {
			c.datum_a = bit | next | (next << 1);
			c.datum_b = bit | next;
			if (add_rule(ctx, SCMP_ACT_ERRNO(EPERM), "personality", 1, &c, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* ---- export and load -------------------------------------------------------------------- */

/* libseccomp 2.5 (Debian 12) writes BPF only to an fd (seccomp_export_bpf_mem is 2.6): a memfd. */
static int export_prog(scmp_filter_ctx ctx, struct rt_seccomp_prog *out, struct rcr_error **err)
{
	_cleanup_close_ int fd = memfd_create("rcr-seccomp", MFD_CLOEXEC);
	_cleanup_free_ struct sock_filter *filter = NULL;
	size_t got = 0;
	off_t size;
	int rc;

	if (fd < 0) {
		rcr_error_set_errno(err, errno, "creating a memfd for the seccomp filter");
		return -1;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		rcr_error_set_errno(err, -rc, "generating the seccomp filter");
		return -1;
	}
	size = lseek(fd, 0, SEEK_END);
	if (size <= 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rcr_error_set(err, E2BIG,
			      "the seccomp filter has %lld bytes: not a BPF program of "
			      "at most %d instructions",
			      (long long)size, BPF_MAXINSNS);
		return -1;
	}
	filter = malloc((size_t)size);
	if (filter == NULL) {
		rcr_error_set_errno(err, ENOMEM, "reading the seccomp filter");
		return -1;
	}
	while (got < (size_t)size) {
		ssize_t n = pread(fd, (char *)filter + got, (size_t)size - got, (off_t)got);

		if (n <= 0) {
			rcr_error_set_errno(err, n < 0 ? errno : EIO, "reading the seccomp filter");
			return -1;
		}
		got += (size_t)n;
	}
	out->filter = steal_ptr(&filter);
	out->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

int rt_seccomp_compile_default(uint64_t caps, struct rt_seccomp_prog *out, struct rcr_error **err)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);

	memset(out, 0, sizeof(*out));
	if (ctx == NULL) {
		rcr_error_set(err, ENOMEM, "compiling the default seccomp profile: seccomp_init");
		return -1;
	}
	if (add_native_and_subs(ctx, err) < 0)
		goto fail;
	for (size_t i = 0; i < N_DENY_RULES; i++) {
		const struct deny_rule *r = &deny_rules[i];

		if (caps & r->opened_by)
			continue;
		if (add_rule(ctx, SCMP_ACT_ERRNO((uint32_t)r->errno_ret), r->name, 0, NULL, err) <
		    0)
			goto fail;
	}
	if (!(caps & ADMIN) && add_clone_rules(ctx, err) < 0)
		goto fail;
	if (add_personality_rules(ctx, err) < 0 || export_prog(ctx, out, err) < 0)
		goto fail;
	return 0;
fail:
	rcr_error_wrap(err, "compiling the default seccomp profile");
	return -1;
}

int rt_seccomp_load(const struct rt_seccomp_prog *p, struct rcr_error **err)
{
	struct sock_fprog prog = {.len = p->len, .filter = p->filter};

	if (p->filter == NULL || p->len == 0) {
		rcr_error_set(err, EINVAL, "loading the seccomp filter: the program is empty");
		return -1;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) == 0)
		return 0;
	/* Kernels before 3.17 only have the prctl. */
	if (errno == ENOSYS && prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0)
		return 0;
	if (errno == EACCES) {
		rcr_error_set_errno(err, errno,
				    "loading the seccomp filter: set no_new_privs first, "
				    "or load it while holding CAP_SYS_ADMIN");
		return -1;
	}
	rcr_error_set_errno(err, errno, "loading the seccomp filter");
	return -1;
}

/* ---- JSON profiles ---------------------------------------------------------------------- */

struct profile {
	scmp_filter_ctx ctx;
	uint64_t caps;
	uint32_t default_action;
	const struct arch_info *native;
	int kernel_major, kernel_minor;
};

/* An errno value for an action, from an optional integer field; dflt when absent. */
static int get_errno(json_t *obj, const char *key, const char *where, int dflt, int *out,
		     struct rcr_error **err)
{
	json_t *v = json_object_get(obj, key);
	json_int_t n;

	*out = dflt;
	if (v == NULL || json_is_null(v))
		return 0;
	n = json_integer_value(v);
	/* SECCOMP_RET_DATA holds 16 bits; errno values stop at 4095 (MAX_ERRNO). */
	if (!json_is_integer(v) || n < 0 || n > 4095) {
		rcr_error_set(err, EINVAL, "%s%s: not an errno value (an integer 0 to 4095)", where,
			      key);
		return -1;
	}
	*out = (int)n;
	return 0;
}

/* The action named name; errno_ret is the rule's errnoRet (or the profile's defaultErrnoRet).
 * field names the action in errors ("syscalls[3].action"). */
static int parse_action(const char *name, int errno_ret, const char *field, uint32_t *out,
			struct rcr_error **err)
{
	if (strcmp(name, "SCMP_ACT_ALLOW") == 0)
		*out = SCMP_ACT_ALLOW;
	else if (strcmp(name, "SCMP_ACT_ERRNO") == 0)
		*out = SCMP_ACT_ERRNO((uint32_t)errno_ret);
	else if (strcmp(name, "SCMP_ACT_KILL") == 0 || strcmp(name, "SCMP_ACT_KILL_THREAD") == 0)
		*out = SCMP_ACT_KILL_THREAD;
	else if (strcmp(name, "SCMP_ACT_KILL_PROCESS") == 0)
		*out = SCMP_ACT_KILL_PROCESS;
	else if (strcmp(name, "SCMP_ACT_TRAP") == 0)
		*out = SCMP_ACT_TRAP;
	else if (strcmp(name, "SCMP_ACT_TRACE") == 0)
		*out = SCMP_ACT_TRACE((uint32_t)errno_ret);
	else if (strcmp(name, "SCMP_ACT_LOG") == 0)
		*out = SCMP_ACT_LOG;
	else {
		rcr_error_set(err, EINVAL, "%s: unknown action '%s'", field, name);
		return -1;
	}
	return 0;
}

static int parse_op(const char *name, enum scmp_compare *out)
{
	static const struct {
		const char *name;
		enum scmp_compare op;
	} ops[] = {
		{"SCMP_CMP_NE", SCMP_CMP_NE},
		{"SCMP_CMP_LT", SCMP_CMP_LT},
		{"SCMP_CMP_LE", SCMP_CMP_LE},
		{"SCMP_CMP_EQ", SCMP_CMP_EQ},
		{"SCMP_CMP_GE", SCMP_CMP_GE},
		{"SCMP_CMP_GT", SCMP_CMP_GT},
		{"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(ops[i].name, name) == 0) {
			*out = ops[i].op;
			return 0;
		}
	}
	return -1;
}

/* The array at key of obj, NULL when absent or null; another type is an error. */
static int opt_array(json_t *obj, const char *key, json_t **out, struct rcr_error **err)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		rcr_error_set(err, EINVAL, "%s: not an array", key);
		return -1;
	}
	*out = v;
	return 0;
}

/* An element of an array that must be a string. */
static const char *array_string(json_t *arr, size_t i, const char *where, const char *key,
				struct rcr_error **err)
{
	const char *s = json_string_value(json_array_get(arr, i));

	if (s == NULL)
		rcr_error_set(err, EINVAL, "%s%s[%zu]: not a string", where, key, i);
	return s;
}

static int add_one_arch(struct profile *pr, const char *name, const char *where,
			struct rcr_error **err)
{
	const struct arch_info *a = arch_by_name(name);

	if (a == NULL) {
		rcr_error_set(err, EINVAL, "%s: unknown architecture '%s'", where, name);
		return -1;
	}
	return add_arch(pr->ctx, a->token, name, err);
}

/* "architectures" (OCI) and "archMap" (Docker: the entry for the native architecture brings
 * its subArchitectures). */
static int add_profile_arches(struct profile *pr, json_t *root, struct rcr_error **err)
{
	json_t *list, *map;
	char where[96];

	if (opt_array(root, "architectures", &list, err) < 0 ||
	    opt_array(root, "archMap", &map, err) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *s = array_string(list, i, "", "architectures", err);

		snprintf(where, sizeof(where), "architectures[%zu]", i);
		if (s == NULL || add_one_arch(pr, s, where, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < json_array_size(map); i++) {
		json_t *e = json_array_get(map, i);
		const char *arch = json_string_value(json_object_get(e, "architecture"));
		json_t *subs = json_object_get(e, "subArchitectures");

		snprintf(where, sizeof(where), "archMap[%zu].architecture", i);
		if (arch == NULL) {
			rcr_error_set(err, EINVAL, "%s: missing or not a string", where);
			return -1;
		}
		if (arch_by_name(arch) == NULL) {
			rcr_error_set(err, EINVAL, "%s: unknown architecture '%s'", where, arch);
			return -1;
		}
		if (pr->native == NULL || strcmp(arch, pr->native->scmp_name) != 0)
			continue;
		snprintf(where, sizeof(where), "archMap[%zu].", i);
		for (size_t j = 0; j < json_array_size(subs); j++) {
			const char *s = array_string(subs, j, where, "subArchitectures", err);
			char sub_where[160];

			snprintf(sub_where, sizeof(sub_where), "%ssubArchitectures[%zu]", where, j);
			if (s == NULL || add_one_arch(pr, s, sub_where, err) < 0)
				return -1;
		}
	}
	return 0;
}

/* True when name is the native architecture, by Go's name (as Docker's profiles write it) or by
 * libseccomp's ("x86_64"). */
static bool is_native_arch(const struct profile *pr, const char *name)
{
	if (pr->native == NULL)
		return false;
	if (strcmp(name, pr->native->go_name) == 0)
		return true;
	return strcasecmp(name, pr->native->scmp_name + strlen("SCMP_ARCH_")) == 0 ||
	       (pr->native->token == SCMP_ARCH_X86 && strcmp(name, "x86") == 0);
}

/* Does any (any_of) or every (!any_of) name in list match: a capability the container has, or
 * the native architecture? Unknown capability names match nothing (a newer profile). */
static int list_matches(const struct profile *pr, json_t *cond, const char *key, bool is_caps,
			bool any_of, const char *where, bool *out, struct rcr_error **err)
{
	json_t *list = json_object_get(cond, key);

	*out = !any_of;
	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list)) {
		rcr_error_set(err, EINVAL, "%s%s: not an array", where, key);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *s = array_string(list, i, where, key, err);
		bool m;
		int c;

		if (s == NULL)
			return -1;
		c = is_caps ? rt_cap_from_name(s) : -1;
		m = is_caps ? c >= 0 && (pr->caps & CAP_BIT(c)) : is_native_arch(pr, s);
		if (m == any_of) {
			*out = any_of;
			return 0;
		}
	}
	return 0;
}

/* "MAJOR.MINOR" at the start of s ("4.8", "6.1.0-18-amd64"); false when it is not one. */
static bool parse_version(const char *s, int *major, int *minor)
{
	char *end;
	long a, b;

	errno = 0;
	a = strtol(s, &end, 10);
	if (end == s || *end != '.' || a < 0 || a > 1000 || errno != 0)
		return false;
	s = end + 1;
	b = strtol(s, &end, 10);
	if (end == s || b < 0 || b > 1000 || errno != 0)
		return false;
	*major = (int)a;
	*minor = (int)b;
	return true;
}

static bool kernel_at_least(const struct profile *pr, int major, int minor)
{
	return pr->kernel_major > major || (pr->kernel_major == major && pr->kernel_minor >= minor);
}

/* Does the rule apply to this container: includes (all caps, the arch, minKernel) and excludes
 * (any cap, the arch), as Docker reads them. An empty includes.arches restricts nothing. */
static int rule_applies(const struct profile *pr, json_t *entry, const char *where, bool *out,
			struct rcr_error **err)
{
	json_t *inc = json_object_get(entry, "includes"), *exc = json_object_get(entry, "excludes");
	json_t *arches = json_object_get(inc, "arches");
	const char *min = json_string_value(json_object_get(inc, "minKernel"));
	char w[96];
	bool m;
	int major, minor;

	*out = false;
	snprintf(w, sizeof(w), "%sincludes.", where);
	if (list_matches(pr, inc, "caps", true, false, w, &m, err) < 0)
		return -1;
	if (!m)
		return 0;
	if (arches != NULL && !json_is_null(arches) &&
	    (!json_is_array(arches) || json_array_size(arches) > 0)) {
		if (list_matches(pr, inc, "arches", false, true, w, &m, err) < 0)
			return -1;
		if (!m)
			return 0;
	}
	if (min != NULL) {
		if (!parse_version(min, &major, &minor) ||
		    strspn(min, "0123456789.") != strlen(min)) {
			rcr_error_set(err, EINVAL, "%sminKernel: '%s' is not a kernel version", w,
				      min);
			return -1;
		}
		if (!kernel_at_least(pr, major, minor))
			return 0;
	}
	snprintf(w, sizeof(w), "%sexcludes.", where);
	if (list_matches(pr, exc, "caps", true, true, w, &m, err) < 0)
		return -1;
	if (!m && list_matches(pr, exc, "arches", false, true, w, &m, err) < 0)
		return -1;
	*out = !m;
	return 0;
}

/* args[]: each {index, value, valueTwo, op}. */
static int parse_args(json_t *args, const char *where, struct scmp_arg_cmp *cmp, size_t *n,
		      struct rcr_error **err)
{
	*n = 0;
	if (args == NULL || json_is_null(args))
		return 0;
	if (!json_is_array(args) || json_array_size(args) > 6) {
		rcr_error_set(err, EINVAL, "%sargs: not an array of at most 6 conditions", where);
		return -1;
	}
	for (size_t i = 0; i < json_array_size(args); i++) {
		json_t *a = json_array_get(args, i);
		json_t *index = json_object_get(a, "index");
		json_t *value = json_object_get(a, "value"), *two = json_object_get(a, "valueTwo");
		const char *op = json_string_value(json_object_get(a, "op"));
		enum scmp_compare cop;

		if (!json_is_integer(index) || json_integer_value(index) < 0 ||
		    json_integer_value(index) > 5) {
			rcr_error_set(err, EINVAL, "%sargs[%zu].index: not an integer 0 to 5",
				      where, i);
			return -1;
		}
		if ((value != NULL && !json_is_integer(value) && !json_is_null(value)) ||
		    (two != NULL && !json_is_integer(two) && !json_is_null(two))) {
			rcr_error_set(err, EINVAL,
				      "%sargs[%zu]: value and valueTwo must be integers", where, i);
			return -1;
		}
		if (op == NULL || parse_op(op, &cop) < 0) {
			rcr_error_set(err, EINVAL, "%sargs[%zu].op: unknown operator '%s'", where,
				      i, op ? op : "(missing)");
			return -1;
		}
		cmp[i] = (struct scmp_arg_cmp){
			.arg = (unsigned int)json_integer_value(index),
			.op = cop,
			.datum_a = (scmp_datum_t)json_integer_value(value),
			.datum_b = (scmp_datum_t)json_integer_value(two),
		};
		(*n)++;
	}
	return 0;
}

/* Two conditions on the same argument cannot share a libseccomp rule: like runc, add each as a
 * rule of its own (they are then ORed). */
static bool has_repeated_arg(const struct scmp_arg_cmp *cmp, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (cmp[i].arg == cmp[j].arg)
				return true;
	return false;
}

static int add_entry_rules(struct profile *pr, json_t *names, uint32_t action,
			   const struct scmp_arg_cmp *cmp, size_t n_cmp, const char *where,
			   struct rcr_error **err)
{
	bool split = has_repeated_arg(cmp, n_cmp);

	for (size_t i = 0; i < json_array_size(names); i++) {
		const char *name = array_string(names, i, where, "names", err);

		if (name == NULL)
			return -1;
		if (!split && add_rule(pr->ctx, action, name, (unsigned int)n_cmp, cmp, err) < 0)
			goto fail;
		for (size_t k = 0; split && k < n_cmp; k++)
			if (add_rule(pr->ctx, action, name, 1, &cmp[k], err) < 0)
				goto fail;
	}
	return 0;
fail:
	rcr_error_wrap(err, "%.*s", (int)(strlen(where) > 0 ? strlen(where) - 1 : 0), where);
	return -1;
}

static int add_syscall_entry(struct profile *pr, json_t *entry, size_t idx, struct rcr_error **err)
{
	_cleanup_json_ json_t *names = NULL;
	struct scmp_arg_cmp cmp[6];
	const char *action_name;
	char where[48], field[64];
	uint32_t action;
	size_t n_cmp;
	bool applies;
	int errno_ret;

	snprintf(where, sizeof(where), "syscalls[%zu].", idx);
	if (!json_is_object(entry)) {
		rcr_error_set(err, EINVAL, "syscalls[%zu]: not an object", idx);
		return -1;
	}
	names = json_incref(json_object_get(entry, "names"));
	if (names == NULL && json_is_string(json_object_get(entry, "name")))
		names = json_pack("[O]", json_object_get(entry, "name"));
	if (names != NULL && !json_is_array(names)) {
		rcr_error_set(err, EINVAL, "%snames: not an array", where);
		return -1;
	}
	action_name = json_string_value(json_object_get(entry, "action"));
	if (action_name == NULL) {
		rcr_error_set(err, EINVAL, "%saction: missing or not a string", where);
		return -1;
	}
	snprintf(field, sizeof(field), "%saction", where);
	if (get_errno(entry, "errnoRet", where, EPERM, &errno_ret, err) < 0 ||
	    parse_action(action_name, errno_ret, field, &action, err) < 0 ||
	    parse_args(json_object_get(entry, "args"), where, cmp, &n_cmp, err) < 0 ||
	    rule_applies(pr, entry, where, &applies, err) < 0)
		return -1;
	/* A rule that repeats the default action changes nothing (libseccomp refuses it). */
	if (!applies || action == pr->default_action)
		return 0;
	return add_entry_rules(pr, names, action, cmp, n_cmp, where, err);
}

static void kernel_version(struct profile *pr)
{
	struct utsname u;

	pr->kernel_major = pr->kernel_minor = 0;
	if (uname(&u) < 0 || !parse_version(u.release, &pr->kernel_major, &pr->kernel_minor))
		pr->kernel_major = pr->kernel_minor = 0;
}

static int compile_profile(json_t *root, uint64_t caps, struct rt_seccomp_prog *out,
			   struct rcr_error **err)
{
	_cleanup_scmp_ scmp_filter_ctx ctx = NULL;
	struct profile pr = {.caps = caps, .native = arch_by_token(seccomp_arch_native())};
	const char *dflt;
	json_t *syscalls;
	int errno_ret;

	if (!json_is_object(root)) {
		rcr_error_set(err, EINVAL, "not a JSON object");
		return -1;
	}
	dflt = json_get_string(root, "defaultAction", err);
	if (dflt == NULL || get_errno(root, "defaultErrnoRet", "", EPERM, &errno_ret, err) < 0 ||
	    parse_action(dflt, errno_ret, "defaultAction", &pr.default_action, err) < 0)
		return -1;
	if (opt_array(root, "syscalls", &syscalls, err) < 0)
		return -1;
	ctx = seccomp_init(pr.default_action);
	if (ctx == NULL) {
		rcr_error_set(err, EINVAL, "seccomp_init refused the default action");
		return -1;
	}
	pr.ctx = ctx;
	kernel_version(&pr);
	if (add_profile_arches(&pr, root, err) < 0)
		return -1;
	for (size_t i = 0; i < json_array_size(syscalls); i++)
		if (add_syscall_entry(&pr, json_array_get(syscalls, i), i, err) < 0)
			return -1;
	return export_prog(ctx, out, err);
}

int rt_seccomp_compile_json(const char *json, size_t len, const char *what, uint64_t caps,
			    struct rt_seccomp_prog *out, struct rcr_error **err)
{
	_cleanup_free_ char *name = NULL;
	_cleanup_json_ json_t *root = NULL;

	memset(out, 0, sizeof(*out));
	if (asprintf(&name, "seccomp profile '%s'", what ? what : "(inline)") < 0) {
		name = NULL;
		rcr_error_set_errno(err, ENOMEM, "reading a seccomp profile");
		return -1;
	}
	root = json_load_capped(json, len, RT_SECCOMP_JSON_MAX, name, err);
	if (root == NULL)
		return -1;
	if (compile_profile(root, caps, out, err) < 0) {
		rcr_error_wrap(err, "%s", name);
		return -1;
	}
	return 0;
}
