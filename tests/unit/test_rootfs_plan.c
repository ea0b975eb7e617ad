/* Unit tests of runtime/rootfs.c's pure half: the mount plan made from a spec (proc, sysfs, the
 * /dev tmpfs before its device binds, devpts with or without gid=5, shm, mqueue, the /dev links,
 * the read-only tmpfs mounts, the spec's binds in order) and Podman's masked and read-only paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "runtime/rootfs.h"
#include "tests/unit/tap.h"

/* Index of the op on target, or -1. */
static int find(const struct rt_mount_plan *p, const char *target)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->ops[i].target, target) == 0)
			return (int)i;
	return -1;
}

static int count_target(const struct rt_mount_plan *p, const char *target)
{
	int n = 0;

	for (size_t i = 0; i < p->n; i++)
		n += strcmp(p->ops[i].target, target) == 0;
	return n;
}

static const struct rt_mount_op *op_at(const struct rt_mount_plan *p, const char *target)
{
	int i = find(p, target);

	return i < 0 ? NULL : &p->ops[i];
}

static int is_mount(const struct rt_mount_op *op, const char *fstype)
{
	return op != NULL && op->kind == RT_OP_MOUNT && op->fstype != NULL &&
	       strcmp(op->fstype, fstype) == 0;
}

static void test_default(void)
{
	static const char *const devs[] = {"/dev/null",	  "/dev/zero",	  "/dev/full",
					   "/dev/random", "/dev/urandom", "/dev/tty"};
	static const char *const links[][2] = {
		{"/dev/ptmx", "pts/ptmx"},	    {"/dev/fd", "/proc/self/fd"},
		{"/dev/stdin", "/proc/self/fd/0"},  {"/dev/stdout", "/proc/self/fd/1"},
		{"/dev/stderr", "/proc/self/fd/2"}, {"/dev/core", "/proc/kcore"},
	};
	struct rt_spec s = {0};
	struct rt_mount_plan p;
	const struct rt_mount_op *op;
	int dev = -1, pts = -1, nsys = 0, nopt = 0, nro = 0, dups = 0;

	p.n = 12345; /* the plan starts empty whatever it held */
	rt_mount_plan_make(&s, true, &p);
	is_int(p.n, 18, "a default spec plans 18 operations");
	ok(p.n > 0 && is_mount(&p.ops[0], "proc") && strcmp(p.ops[0].target, "/proc") == 0,
	   "proc on /proc comes first");
	ok(p.n > 0 && (p.ops[0].flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) ==
			      (MS_NOSUID | MS_NODEV | MS_NOEXEC),
	   "  nosuid, nodev, noexec");
	op = op_at(&p, "/sys");
	ok(is_mount(op, "sysfs") && op->sysfs, "sysfs on /sys, marked sysfs");
	ok(op != NULL && (op->flags & MS_RDONLY) && (op->flags & MS_NOSUID) &&
		   (op->flags & MS_NODEV) && (op->flags & MS_NOEXEC),
	   "  read-only, nosuid, nodev, noexec");
	for (size_t i = 0; i < p.n; i++) {
		nsys += p.ops[i].sysfs;
		nopt += p.ops[i].optional;
		nro += p.ops[i].ro;
		if (count_target(&p, p.ops[i].target) != 1)
			dups++;
	}
	is_int(nsys, 1, "only /sys is marked sysfs");
	is_int(nopt, 1, "only one operation is optional");
	is_int(nro, 0, "no read-only binds without binds in the spec");
	is_int(dups, 0, "no target appears twice");

	dev = find(&p, "/dev");
	op = op_at(&p, "/dev");
	ok(is_mount(op, "tmpfs"), "tmpfs on /dev");
	ok(op != NULL && (op->flags & MS_NOSUID) && !(op->flags & MS_NOEXEC) &&
		   strstr(op->data, "mode=755") != NULL,
	   "  nosuid, mode=755");
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
		int at = find(&p, devs[i]);

		op = op_at(&p, devs[i]);
		ok(op != NULL && op->kind == RT_OP_BIND && strcmp(op->source, devs[i]) == 0 &&
			   !op->ro && at > dev,
		   "%s is bound from the host after the /dev tmpfs", devs[i]);
	}
	pts = find(&p, "/dev/pts");
	op = op_at(&p, "/dev/pts");
	ok(is_mount(op, "devpts") && pts > dev, "devpts on /dev/pts, after /dev");
	ok(op != NULL && strstr(op->data, "newinstance") != NULL &&
		   strstr(op->data, "ptmxmode=0666") != NULL &&
		   strstr(op->data, "mode=0620") != NULL,
	   "  newinstance,ptmxmode=0666,mode=0620");
	has_str(op ? op->data : NULL, "gid=5", "  gid=5 when gid 5 is mapped");
	ok(op != NULL && (op->flags & MS_NOSUID) && (op->flags & MS_NOEXEC), "  nosuid, noexec");

	op = op_at(&p, "/dev/shm");
	ok(is_mount(op, "tmpfs") && find(&p, "/dev/shm") > dev, "tmpfs on /dev/shm, after /dev");
	ok(op != NULL && strstr(op->data, "mode=1777") != NULL &&
		   (op->flags & (MS_NOSUID | MS_NODEV | MS_NOEXEC)) ==
			   (MS_NOSUID | MS_NODEV | MS_NOEXEC),
	   "  mode=1777, nosuid, nodev, noexec");
	op = op_at(&p, "/dev/mqueue");
	ok(is_mount(op, "mqueue") && op->optional && find(&p, "/dev/mqueue") > dev,
	   "mqueue on /dev/mqueue is optional, after /dev");

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		op = op_at(&p, links[i][0]);
		ok(op != NULL && op->kind == RT_OP_SYMLINK &&
			   strcmp(op->source, links[i][1]) == 0 && find(&p, links[i][0]) > dev,
		   "link %s -> %s", links[i][0], links[i][1]);
	}
	ok(find(&p, "/dev/ptmx") > pts, "/dev/ptmx is linked after devpts is mounted");
	ok(find(&p, "/tmp") < 0 && find(&p, "/var/tmp") < 0 && find(&p, "/run") < 0,
	   "no tmpfs on /tmp, /var/tmp, /run by default");
	{
		int abs = 1;

		for (size_t i = 0; i < p.n; i++)
			abs = abs && p.ops[i].target[0] == '/';
		ok(abs, "every target is absolute");
	}

	rt_mount_plan_make(&s, false, &p);
	op = op_at(&p, "/dev/pts");
	ok(op != NULL && strstr(op->data, "gid=") == NULL &&
		   strstr(op->data, "newinstance,ptmxmode=0666,mode=0620") != NULL,
	   "no gid= when gid 5 is not mapped");
	is_int(p.n, 18, "  and the same number of operations");
}

static void test_read_only(void)
{
	static const char *const dirs[][2] = {
		{"/tmp", "mode=1777"}, {"/var/tmp", "mode=1777"}, {"/run", "mode=755"}};
	struct rt_spec s = {0};
	struct rt_mount_plan p;

	s.read_only = true;
	rt_mount_plan_make(&s, true, &p);
	ok(p.n == 18 && find(&p, "/tmp") < 0, "read_only alone adds no tmpfs");
	s.read_only = false;
	s.read_only_tmpfs = true;
	rt_mount_plan_make(&s, true, &p);
	ok(p.n == 18 && find(&p, "/tmp") < 0, "read_only_tmpfs alone adds no tmpfs");
	s.read_only = true;
	rt_mount_plan_make(&s, true, &p);
	is_int(p.n, 21, "read_only with read_only_tmpfs adds three mounts");
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		const struct rt_mount_op *op = op_at(&p, dirs[i][0]);

		ok(is_mount(op, "tmpfs") && strcmp(op->data, dirs[i][1]) == 0 &&
			   (op->flags & (MS_NOSUID | MS_NODEV)) == (MS_NOSUID | MS_NODEV) &&
			   !(op->flags & MS_RDONLY),
		   "tmpfs on %s, %s, nosuid, nodev, writable", dirs[i][0], dirs[i][1]);
		ok(find(&p, dirs[i][0]) > find(&p, "/dev/core"), "  after the /dev links");
	}
}

static void test_binds(void)
{
	static char src[3][32] = {"/u/hosts", "/home/a/data", "/u/resolv.conf"};
	static char dst[3][32] = {"/etc/hosts", "/data", "/etc/resolv.conf"};
	struct rt_spec s = {0};
	struct rt_mount_plan p;
	int in_order = 1;
	size_t base;

	for (size_t i = 0; i < 3; i++)
		s.binds[i] = (struct rt_bind){src[i], dst[i], i > 0};
	s.n_binds = 3;
	rt_mount_plan_make(&s, true, &p);
	is_int(p.n, 21, "three binds add three operations");
	base = p.n - 3;
	for (size_t i = 0; i < 3 && p.n == 21; i++) {
		const struct rt_mount_op *op = &p.ops[base + i];

		in_order = in_order && op->kind == RT_OP_BIND && op->source == s.binds[i].source &&
			   op->target == s.binds[i].dest && op->ro == s.binds[i].ro;
	}
	ok(in_order, "the spec's binds come last, in order, borrowed, with ro carried");

	s.read_only = true;
	s.read_only_tmpfs = true;
	rt_mount_plan_make(&s, false, &p);
	ok(p.n == 24 && find(&p, "/etc/hosts") > find(&p, "/run"),
	   "binds come after the read-only tmpfs mounts (a volume on /run/x lands on the tmpfs)");

	for (size_t i = 0; i < RT_BINDS_MAX; i++)
		s.binds[i] = (struct rt_bind){src[1], dst[1], i % 3 == 0};
	s.n_binds = RT_BINDS_MAX;
	rt_mount_plan_make(&s, true, &p);
	ok(p.n == 21 + RT_BINDS_MAX, "RT_BINDS_MAX binds fit in the plan");
	ok(p.ops[p.n - 1].kind == RT_OP_BIND && p.ops[p.n - 1].ro == ((RT_BINDS_MAX - 1) % 3 == 0),
	   "  the last one is the spec's last bind");
}

static int has_path(const char *const *list, const char *path)
{
	for (size_t i = 0; list[i] != NULL; i++)
		if (strcmp(list[i], path) == 0)
			return 1;
	return 0;
}

static void test_paths(void)
{
	static const char *const masked[] = {
		"/proc/acpi",	       "/proc/kcore",	    "/proc/keys",
		"/proc/latency_stats", "/proc/sched_debug", "/proc/scsi",
		"/proc/timer_list",    "/proc/timer_stats", "/sys/firmware",
		"/sys/fs/selinux",     "/sys/dev/block",    "/sys/devices/virtual/powercap",
		"/proc/interrupts",
	};
	static const char *const readonly[] = {"/proc/asound", "/proc/bus", "/proc/fs",
					       "/proc/irq",    "/proc/sys", "/proc/sysrq-trigger"};
	int clean = 1;

	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++)
		ok(has_path(rt_masked_paths, masked[i]), "%s is masked", masked[i]);
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++)
		ok(has_path(rt_readonly_paths, readonly[i]), "%s is read-only", readonly[i]);
	for (size_t i = 0; rt_masked_paths[i] != NULL; i++)
		clean = clean && rt_masked_paths[i][0] == '/' &&
			!has_path(rt_readonly_paths, rt_masked_paths[i]) &&
			!has_path(rt_masked_paths + i + 1, rt_masked_paths[i]);
	for (size_t i = 0; rt_readonly_paths[i] != NULL; i++)
		clean = clean && rt_readonly_paths[i][0] == '/' &&
			!has_path(rt_readonly_paths + i + 1, rt_readonly_paths[i]);
	ok(clean, "both lists are absolute, without duplicates, and disjoint");
	ok(!has_path(rt_masked_paths, "/proc") && !has_path(rt_masked_paths, "/sys") &&
		   !has_path(rt_readonly_paths, "/proc") && !has_path(rt_readonly_paths, "/sys"),
	   "neither hides all of /proc or /sys");
}

int main(void)
{
	test_default();
	test_read_only();
	test_binds();
	test_paths();
	return tap_done();
}
