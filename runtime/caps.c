/* Capabilities of a container's process (see caps.h): the name table, Podman's default set and
 * its --cap-add / --cap-drop arithmetic, and the switch to the container's user.
 *
 * The switch runs in the container's process after every privileged setup step: it must never
 * leave the process with more than the container was given (the bounding set is dropped first, so
 * nothing later, not even a setuid binary, can regain a capability), and it must not use libcap,
 * which rcr-monitor does not link.
 */
#include "runtime/caps.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pkg/cleanup.h"

#define CAP_BIT(c) ((uint64_t)1 << (c))
#define NAMED(c)   [c] = #c

/* capabilities(7), in number order: every capability Linux 5.9+ knows. */
static const char *const cap_names[] = {
	NAMED(CAP_CHOWN),
	NAMED(CAP_DAC_OVERRIDE),
	NAMED(CAP_DAC_READ_SEARCH),
	NAMED(CAP_FOWNER),
	NAMED(CAP_FSETID),
	NAMED(CAP_KILL),
	NAMED(CAP_SETGID),
	NAMED(CAP_SETUID),
	NAMED(CAP_SETPCAP),
	NAMED(CAP_LINUX_IMMUTABLE),
	NAMED(CAP_NET_BIND_SERVICE),
	NAMED(CAP_NET_BROADCAST),
	NAMED(CAP_NET_ADMIN),
	NAMED(CAP_NET_RAW),
	NAMED(CAP_IPC_LOCK),
	NAMED(CAP_IPC_OWNER),
	NAMED(CAP_SYS_MODULE),
	NAMED(CAP_SYS_RAWIO),
	NAMED(CAP_SYS_CHROOT),
	NAMED(CAP_SYS_PTRACE),
	NAMED(CAP_SYS_PACCT),
	NAMED(CAP_SYS_ADMIN),
	NAMED(CAP_SYS_BOOT),
	NAMED(CAP_SYS_NICE),
	NAMED(CAP_SYS_RESOURCE),
	NAMED(CAP_SYS_TIME),
	NAMED(CAP_SYS_TTY_CONFIG),
	NAMED(CAP_MKNOD),
	NAMED(CAP_LEASE),
	NAMED(CAP_AUDIT_WRITE),
	NAMED(CAP_AUDIT_CONTROL),
	NAMED(CAP_SETFCAP),
	NAMED(CAP_MAC_OVERRIDE),
	NAMED(CAP_MAC_ADMIN),
	NAMED(CAP_SYSLOG),
	NAMED(CAP_WAKE_ALARM),
	NAMED(CAP_BLOCK_SUSPEND),
	NAMED(CAP_AUDIT_READ),
	NAMED(CAP_PERFMON),
	NAMED(CAP_BPF),
	NAMED(CAP_CHECKPOINT_RESTORE),
};

#define N_CAP_NAMES ((int)(sizeof(cap_names) / sizeof(cap_names[0])))

int rt_cap_from_name(const char *name)
{
	if (name == NULL)
		return -1;
	if (strncasecmp(name, "CAP_", 4) == 0)
		name += 4;
	if (*name == '\0')
		return -1;
	for (int i = 0; i < N_CAP_NAMES; i++)
		if (strcasecmp(cap_names[i] + 4, name) == 0)
			return i;
	return -1;
}

const char *rt_cap_name(int cap)
{
	if (cap < 0 || cap >= N_CAP_NAMES)
		return NULL;
	return cap_names[cap];
}

int rt_cap_last(void)
{
	_cleanup_close_ int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	char buf[16];
	ssize_t n;
	long v;
	char *end;

	if (fd < 0)
		return CAP_CHECKPOINT_RESTORE;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return CAP_CHECKPOINT_RESTORE;
	buf[n] = '\0';
	v = strtol(buf, &end, 10);
	/* A set is a uint64_t: a kernel past 63 capabilities would need a wider type here. */
	if (end == buf || v < 0 || v > 63)
		return CAP_CHECKPOINT_RESTORE;
	return (int)v;
}

uint64_t rt_caps_default(void)
{
	/* containers.conf's default_capabilities since Podman 4.0 (NET_RAW, MKNOD and AUDIT_WRITE
	 * were dropped from Docker's list). */
	return CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FOWNER) |
	       CAP_BIT(CAP_FSETID) | CAP_BIT(CAP_KILL) | CAP_BIT(CAP_NET_BIND_SERVICE) |
	       CAP_BIT(CAP_SETFCAP) | CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETPCAP) |
	       CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SYS_CHROOT);
}

uint64_t rt_caps_all(void)
{
	int last = rt_cap_last();

	return last >= 63 ? UINT64_MAX : CAP_BIT(last + 1) - 1;
}

/* Turn a --cap-add or --cap-drop list into a set; *has_all when "all" is in it. */
static int parse_list(const char *const *v, size_t n, const char *flag, uint64_t *out,
		      bool *has_all, struct rcr_error **err)
{
	*out = 0;
	*has_all = false;
	for (size_t i = 0; i < n; i++) {
		int c;

		if (strcasecmp(v[i], "all") == 0) {
			*has_all = true;
			continue;
		}
		c = rt_cap_from_name(v[i]);
		if (c < 0) {
			rcr_error_set(err, EINVAL,
				      "%s: unknown capability '%s': see capabilities(7) for the "
				      "valid names",
				      flag, v[i]);
			return -1;
		}
		*out |= CAP_BIT(c);
	}
	return 0;
}

int rt_caps_compute(bool privileged, const char *const *add, size_t n_add, const char *const *drop,
		    size_t n_drop, uint64_t *out, struct rcr_error **err)
{
	uint64_t base = privileged ? rt_caps_all() : rt_caps_default();
	uint64_t adds, drops, both;
	bool add_all, drop_all;

	if (parse_list(add, n_add, "--cap-add", &adds, &add_all, err) < 0 ||
	    parse_list(drop, n_drop, "--cap-drop", &drops, &drop_all, err) < 0)
		return -1;
	/* containers/common's MergeCapabilities refuses contradictions instead of picking one. */
	if (add_all && drop_all) {
		rcr_error_set(err, EINVAL,
			      "adding all capabilities and dropping all capabilities "
			      "is not allowed: use one of --cap-add=all, --cap-drop=all");
		return -1;
	}
	both = adds & drops;
	if (both != 0 && !drop_all && !add_all) {
		rcr_error_set(err, EINVAL, "capability '%s' cannot be both dropped and added",
			      rt_cap_name(__builtin_ctzll(both)));
		return -1;
	}
	if (drop_all) {
		*out = adds & rt_caps_all();
		return 0;
	}
	if (add_all)
		base = rt_caps_all();
	*out = ((base & ~drops) | adds) & rt_caps_all();
	return 0;
}

char **rt_caps_names(uint64_t caps)
{
	_cleanup_strv_ char **v = calloc(N_CAP_NAMES + 1, sizeof(*v));
	size_t n = 0;

	if (v == NULL)
		return NULL;
	for (int i = 0; i < N_CAP_NAMES; i++) {
		if (!(caps & CAP_BIT(i)))
			continue;
		v[n] = strdup(cap_names[i]);
		if (v[n] == NULL)
			return NULL;
		n++;
	}
	return steal_ptr(&v);
}

/* Set permitted, effective and inheritable with the raw syscall (version 3: two 32-bit words). */
static int cap_set(uint64_t permitted, uint64_t effective, uint64_t inheritable)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].permitted = (uint32_t)(permitted >> (32 * i));
		data[i].effective = (uint32_t)(effective >> (32 * i));
		data[i].inheritable = (uint32_t)(inheritable >> (32 * i));
	}
	return (int)syscall(SYS_capset, &hdr, data);
}

static int drop_bounding(uint64_t caps, int last, struct rcr_error **err)
{
	for (int c = 0; c <= last; c++) {
		if (caps & CAP_BIT(c))
			continue;
		/* EINVAL: a capability this kernel does not have, nothing to drop. */
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) {
			rcr_error_set_errno(err, errno, "dropping %s from the bounding set",
					    rt_cap_name(c) ? rt_cap_name(c) : "a capability");
			return -1;
		}
	}
	return 0;
}

static int set_ids(uid_t uid, gid_t gid, const gid_t *groups, size_t n_groups,
		   struct rcr_error **err)
{
	/* With /proc/self/setgroups "deny" (a single-id map written by an unprivileged user) the
	 * kernel refuses any setgroups; the process then keeps the one group it has, which is
	 * what no extra groups asks for anyway. */
	if (setgroups(n_groups, groups) < 0 && !(errno == EPERM && n_groups == 0)) {
		rcr_error_set_errno(err, errno, "setting %zu supplementary groups", n_groups);
		return -1;
	}
	if (setresgid(gid, gid, gid) < 0) {
		rcr_error_set_errno(err, errno, "switching to gid %u", (unsigned)gid);
		return -1;
	}
	if (setresuid(uid, uid, uid) < 0) {
		rcr_error_set_errno(err, errno, "switching to uid %u", (unsigned)uid);
		return -1;
	}
	return 0;
}

static int set_ambient(uint64_t ambient, int last, struct rcr_error **err)
{
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
		rcr_error_set_errno(err, errno, "clearing the ambient capabilities");
		return -1;
	}
	for (int c = 0; c <= last; c++) {
		if (!(ambient & CAP_BIT(c)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
			rcr_error_set_errno(err, errno, "raising the ambient capability %s",
					    rt_cap_name(c) ? rt_cap_name(c) : "?");
			return -1;
		}
	}
	return 0;
}

int rt_caps_switch_user(uint64_t caps, uint64_t ambient, uid_t uid, gid_t gid, const gid_t *groups,
			size_t n_groups, struct rcr_error **err)
{
	int last = rt_cap_last();
	uint64_t all = rt_caps_all();
	uint64_t keep;

	caps &= all;
	/* Podman gives a non-root user only what was explicitly added (ambient), and that only
	 * when the container may have it at all. */
	keep = uid == 0 ? caps : caps & ambient;
	if (drop_bounding(caps, last, err) < 0)
		return -1;
	/* Without KEEPCAPS, setresuid away from 0 would clear the permitted set (capabilities(7),
	 * "Effect of user ID changes on capabilities"); execve resets the flag. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) {
		rcr_error_set_errno(err, errno, "setting PR_SET_KEEPCAPS");
		return -1;
	}
	if (set_ids(uid, gid, groups, n_groups, err) < 0)
		return -1;
	/* A uid change cleared the effective set; permitted still holds everything (KEEPCAPS),
	 * so raising effective from it and shrinking permitted in one capset is allowed. */
	if (cap_set(keep, keep, uid == 0 ? 0 : keep) < 0) {
		rcr_error_set_errno(err, errno, "setting the capabilities of uid %u",
				    (unsigned)uid);
		return -1;
	}
	/* Ambient capabilities must be in both permitted and inheritable: raise them last. */
	return set_ambient(uid == 0 ? 0 : keep, last, err);
}
