/* Unit tests of runtime/prereq.c: every verdict of `rcr system check`, from synthetic facts. The
 * integration tests create the real conditions; these pin the judgement for the ones a test
 * machine cannot make (AppArmor, Debian's old sysctl, v2 without delegation, no seccomp).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/prereq.h"
#include "tests/unit/tap.h"

static struct idmap_range full_range = {100000, 65536};

/* A host where everything works. */
static void good_facts(struct rt_host_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->uid = 1000;
	f->gid = 1000;
	f->user = (char *)"alice";
	f->store_root = (char *)"/home/alice/.local/share/rcr";
	f->store_fstype = (char *)"ext4";
	f->runtime_dir = (char *)"/run/user/1000/rcr";
	f->subuid = (struct idmap_ranges){.v = &full_range, .n = 1, .total = 65536};
	f->subgid = f->subuid;
	userns_map_plan(1000, &f->subuid, &f->uidmap);
	userns_map_plan(1000, &f->subgid, &f->gidmap);
	f->newuidmap = (struct rt_helper){(char *)"/usr/bin/newuidmap", true};
	f->newgidmap = (struct rt_helper){(char *)"/usr/bin/newgidmap", true};
	f->userns =
		(struct rt_probe_userns){.userns_ok = true, .uid_map_ok = true, .gid_map_ok = true};
	f->max_user_namespaces = 1000;
	f->unprivileged_userns_clone = -1;
	f->apparmor_restrict_userns = -1;
	f->overlay_ok = true;
	f->fuse_overlayfs = (struct rt_helper){(char *)"/usr/bin/fuse-overlayfs", false};
	f->dev_fuse_ok = true;
	f->pasta = (struct rt_helper){(char *)"/usr/bin/pasta", false};
	f->dev_tun_ok = true;
	f->cgroup = (struct rt_cgroup_info){.mode = RT_CGROUP_V2,
					    .own_path = (char *)"/user",
					    .controllers = (char *)"cpu memory pids",
					    .delegated = true};
	f->seccomp_ok = true;
	f->libseccomp_version = (char *)"2.5.4";
}

static const struct rt_check *find(const struct rt_checks *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

/* Judge f and check one line's status and that its detail and fix contain the given words. */
static void expect(struct rt_host_facts *f, const char *name, enum rt_check_status st,
		   const char *detail_has, const char *fix_has)
{
	struct rt_checks c;
	const struct rt_check *k;

	rt_prereq_judge(f, &c);
	k = find(&c, name);
	ok(k != NULL, "%s: line present", name);
	if (k != NULL) {
		is_str(rt_check_status_name(k->status), rt_check_status_name(st), "%s: status",
		       name);
		if (detail_has)
			has_str(k->detail, detail_has, "%s: detail says '%s'", name, detail_has);
		if (fix_has)
			has_str(k->fix, fix_has, "%s: fix says '%s'", name, fix_has);
		else
			ok(k->fix == NULL, "%s: no fix on an ok line", name);
	}
	rt_checks_release(&c);
}

static void test_all_good(void)
{
	struct rt_host_facts f;
	struct rt_checks c;

	good_facts(&f);
	rt_prereq_judge(&f, &c);
	is_int(rt_checks_count(&c, RT_CHECK_FAIL), 0, "good host: no failures");
	is_int(rt_checks_count(&c, RT_CHECK_WARN), 0, "good host: no warnings");
	ok(c.n >= 14, "good host: every check has a line");
	rt_checks_release(&c);
}

static void test_userns(void)
{
	struct rt_host_facts f;

	good_facts(&f);
	f.userns.userns_ok = false;
	f.userns.userns_errno = EPERM;
	f.userns.userns_err = (char *)"creating a user namespace: Operation not permitted";
	f.apparmor_restrict_userns = 1;
	expect(&f, "user namespaces", RT_CHECK_FAIL, "AppArmor",
	       "kernel.apparmor_restrict_unprivileged_userns=0");
	f.apparmor_restrict_userns = -1;
	f.unprivileged_userns_clone = 0;
	expect(&f, "user namespaces", RT_CHECK_FAIL, "unprivileged_userns_clone=0",
	       "sysctl -w kernel.unprivileged_userns_clone=1");
	f.unprivileged_userns_clone = -1;
	f.max_user_namespaces = 0;
	expect(&f, "user namespaces", RT_CHECK_FAIL, "user.max_user_namespaces=0",
	       "sysctl -w user.max_user_namespaces=28633");
	f.max_user_namespaces = 50;
	f.userns.userns_errno = ENOSPC;
	expect(&f, "user namespaces", RT_CHECK_FAIL, "limit user.max_user_namespaces=50",
	       "raise user.max_user_namespaces");
	f.userns.userns_errno = EPERM;
	expect(&f, "user namespaces", RT_CHECK_FAIL, "Operation not permitted", "on the host");
}

static void test_ranges(void)
{
	struct rt_host_facts f;
	struct idmap_range small = {200000, 1000};

	good_facts(&f);
	f.subuid = (struct idmap_ranges){0};
	expect(&f, "subuid range", RT_CHECK_WARN, "no subordinate uids for 'alice' in /etc/subuid",
	       "usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice");
	expect(&f, "newuidmap", RT_CHECK_OK, "not needed", NULL);
	f.subgid = (struct idmap_ranges){.v = &small, .n = 1, .total = 1000};
	expect(&f, "subgid range", RT_CHECK_WARN, "only 1000 subordinate gids", "usermod");
	expect(&f, "subgid range", RT_CHECK_WARN, "at or above 1001 cannot be used", "alice");
}

static void test_helpers(void)
{
	struct rt_host_facts f;

	good_facts(&f);
	f.newuidmap.path = NULL;
	expect(&f, "newuidmap", RT_CHECK_WARN, "not found in $PATH", "apt-get install uidmap");
	good_facts(&f);
	f.newgidmap.privileged = false;
	expect(&f, "newgidmap", RT_CHECK_WARN, "neither setuid root nor has file capabilities",
	       "chmod u+s /usr/bin/newgidmap (or setcap cap_setgid+ep");
	good_facts(&f);
	f.no_new_privs = true;
	f.userns.uid_map_ok = false;
	f.userns.uid_map_err = (char *)"'/usr/bin/newuidmap' failed (exit 1): write failed";
	expect(&f, "no_new_privs", RT_CHECK_WARN, "set for this process", "without no_new_privs");
	expect(&f, "newuidmap", RT_CHECK_WARN, "write failed", "without no_new_privs");
	f.subuid = (struct idmap_ranges){0};
	expect(&f, "no_new_privs", RT_CHECK_OK, "set for this process", NULL);
}

static void test_runtime_and_store(void)
{
	struct rt_host_facts f;

	good_facts(&f);
	f.runtime_why = (char *)"XDG_RUNTIME_DIR is not set";
	f.runtime_dir = (char *)"/tmp/rcr-run-1000";
	expect(&f, "runtime dir", RT_CHECK_WARN, "using '/tmp/rcr-run-1000' instead",
	       "export XDG_RUNTIME_DIR=/run/user/1000");
	f.runtime_err = (char *)"'/tmp/rcr-run-1000' is owned by uid 0";
	expect(&f, "runtime dir", RT_CHECK_FAIL, "owned by uid 0", "--runroot");
	good_facts(&f);
	f.store_err = (char *)"creating directory '/nfs/x': Permission denied";
	expect(&f, "store", RT_CHECK_FAIL, "Permission denied", "--root DIR");
	good_facts(&f);
	f.overlay_ok = false;
	f.store_fstype = (char *)"nfs";
	f.overlay_err = (char *)"creating the overlay mount: Invalid argument";
	expect(&f, "overlay", RT_CHECK_WARN, "kernel overlay refused on nfs", "--root DIR");
	expect(&f, "overlay", RT_CHECK_WARN, "falls back to fuse-overlayfs", "local filesystem");
	f.dev_fuse_ok = false;
	expect(&f, "overlay", RT_CHECK_FAIL, "cannot be used either", "install fuse-overlayfs");
	expect(&f, "fuse-overlayfs", RT_CHECK_WARN, "/dev/fuse is not readable",
	       "chmod 0666 /dev/fuse");
	f.fuse_overlayfs.path = NULL;
	expect(&f, "fuse-overlayfs", RT_CHECK_WARN, "not installed",
	       "apt-get install fuse-overlayfs");
	f.overlay_ok = true;
	expect(&f, "fuse-overlayfs", RT_CHECK_OK, "not needed", NULL);
}

static void test_network_cgroups_seccomp(void)
{
	struct rt_host_facts f;

	good_facts(&f);
	f.pasta.path = NULL;
	f.slirp4netns.path = (char *)"/usr/bin/slirp4netns";
	expect(&f, "network helper", RT_CHECK_OK, "slirp4netns", NULL);
	f.pasta.path = NULL;
	f.slirp4netns.path = NULL;
	expect(&f, "network helper", RT_CHECK_WARN, "neither pasta nor slirp4netns",
	       "apt-get install passt");
	f.dev_tun_ok = false;
	expect(&f, "/dev/net/tun", RT_CHECK_WARN, "not readable and writable",
	       "chmod 0666 /dev/net/tun");
	good_facts(&f);
	f.cgroup.delegated = false;
	f.cgroup.why_not = (char *)"the cgroup '/user' is not delegated to this user";
	expect(&f, "cgroups", RT_CHECK_WARN, "--memory, --cpus, --pids-limit",
	       "loginctl enable-linger");
	f.cgroup.mode = RT_CGROUP_HYBRID;
	f.cgroup.why_not = (char *)"the host uses hybrid cgroups: memory, cpu and pids ...";
	expect(&f, "cgroups", RT_CHECK_WARN, "unavailable: the host uses hybrid cgroups",
	       "systemd.unified_cgroup_hierarchy=1");
	good_facts(&f);
	f.seccomp_ok = false;
	expect(&f, "seccomp", RT_CHECK_WARN, "without a syscall filter", "CONFIG_SECCOMP_FILTER");
}

int main(void)
{
	test_all_good();
	test_userns();
	test_ranges();
	test_helpers();
	test_runtime_and_store();
	test_network_cgroups_seccomp();
	return tap_done();
}
