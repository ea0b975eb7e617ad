/* Gathering host facts (see host.h).
 *
 * May create the store root and the runtime dir (as any rcr command would) and runs the probes
 * of probe.c; must never change anything else on the host.
 */
#include "runtime/host.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/paths.h"
#include "pkg/proc.h"
#include "pkg/userns.h"

struct rt_host_paths rt_host_paths_default(void)
{
	return (struct rt_host_paths){
		.subuid = "/etc/subuid",
		.subgid = "/etc/subgid",
		.cgroup_root = "/sys/fs/cgroup",
	};
}

const char *rt_host_oci_arch(const char *m)
{
	static const char *const names[][2] = {
		{"x86_64", "amd64"},	{"aarch64", "arm64"},	{"armv7l", "arm"},
		{"i686", "386"},	{"ppc64le", "ppc64le"}, {"s390x", "s390x"},
		{"riscv64", "riscv64"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(m, names[i][0]) == 0)
			return names[i][1];
	return m;
}

static void find_helper(const char *name, struct rt_helper *h)
{
	h->path = proc_find_in_path(name);
	h->privileged = h->path != NULL && userns_helper_is_privileged(h->path);
}

static long read_sysctl(const char *path)
{
	_cleanup_free_ char *s = fs_read_file(path, 64, NULL, NULL);

	return s ? strtol(s, NULL, 10) : -1;
}

static char *err_text(struct rcr_error *e)
{
	return strdup(e && e->msg ? e->msg : "unknown failure");
}

static void gather_store(const struct rt_host_paths *paths, struct rt_host_facts *f)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *tmp = NULL;

	f->store_root = paths->store_root ? strdup(paths->store_root) : paths_store_root(&err);
	if (f->store_root == NULL) {
		f->store_err = err_text(err);
		return;
	}
	if (fs_mkdir_p(f->store_root, 0700, &err) < 0)
		f->store_err = err_text(err);
	else if (access(f->store_root, W_OK | X_OK) < 0 &&
		 asprintf(&f->store_err, "'%s' is not writable: %s", f->store_root,
			  strerror(errno)) < 0)
		f->store_err = NULL;
	/* The type of the nearest existing directory tells where the store would live. */
	for (char *p = strdup(f->store_root); p != NULL;) {
		char *slash;

		f->store_fstype = rt_fs_type_name(p);
		slash = strrchr(p, '/');
		if (f->store_fstype != NULL || slash == NULL || slash == p) {
			free(p);
			break;
		}
		*slash = '\0';
	}
	if (f->store_err != NULL)
		return;
	tmp = fs_path_join(f->store_root, "tmp");
	f->overlay_ok = tmp && rt_probe_overlay(tmp, &f->overlay_err);
}

static void gather_runtime(const struct rt_host_paths *paths, struct rt_host_facts *f)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct paths_runtime rt = {0};
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	f->runtime_xdg = xdg ? strdup(xdg) : NULL;
	if (paths->runroot != NULL) {
		rt.dir = strdup(paths->runroot);
	} else if (paths_runtime_decide(&rt, &err) < 0) {
		f->runtime_err = err_text(err);
		return;
	}
	if (paths_runtime_dir_ensure(&rt, &err) < 0)
		f->runtime_err = err_text(err);
	f->runtime_dir = steal_ptr(&rt.dir);
	f->runtime_why = steal_ptr(&rt.why_fallback);
	paths_runtime_release(&rt);
}

static void gather_config_files(struct rt_host_facts *f)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *cfg = paths_config_home(&err);
	_cleanup_free_ char *home = paths_home(NULL);
	char cand[7][4096];
	size_t n = 0;

	snprintf(cand[0], sizeof(cand[0]), "%s/containers/registries.conf", cfg ? cfg : "");
	snprintf(cand[1], sizeof(cand[1]), "/etc/containers/registries.conf");
	snprintf(cand[2], sizeof(cand[2]), "%s/containers/auth.json",
		 f->runtime_xdg ? f->runtime_xdg : "");
	snprintf(cand[3], sizeof(cand[3]), "%s/containers/auth.json", cfg ? cfg : "");
	snprintf(cand[4], sizeof(cand[4]), "%s/.docker/config.json", home ? home : "");
	snprintf(cand[5], sizeof(cand[5]), "%s/containers/policy.json", cfg ? cfg : "");
	snprintf(cand[6], sizeof(cand[6]), "/etc/containers/policy.json");
	for (size_t i = 0; i < 7; i++)
		if (cand[i][0] == '/' && access(cand[i], R_OK) == 0)
			f->config_files[n++] = strdup(cand[i]);
}

static void gather_ids(const struct rt_host_paths *paths, struct rt_host_facts *f)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	idmap_load_ranges(paths->subuid, f->user, f->uid, &f->subuid, &err);
	rcr_error_clear(&err);
	idmap_load_ranges(paths->subgid, f->user, f->uid, &f->subgid, &err);
	userns_map_plan(f->uid, &f->subuid, &f->uidmap);
	userns_map_plan(f->gid, &f->subgid, &f->gidmap);
	find_helper("newuidmap", &f->newuidmap);
	find_helper("newgidmap", &f->newgidmap);
	f->no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
	f->max_user_namespaces = read_sysctl("/proc/sys/user/max_user_namespaces");
	f->unprivileged_userns_clone =
		(int)read_sysctl("/proc/sys/kernel/unprivileged_userns_clone");
	f->apparmor_restrict_userns =
		(int)read_sysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	rt_probe_userns(&f->uidmap, &f->gidmap, f->newuidmap.path, f->newgidmap.path, &f->userns);
}

static void gather_security(struct rt_host_facts *f)
{
	const struct scmp_version *v = seccomp_version();

	/* PR_GET_SECCOMP fails with EINVAL only on a kernel built without seccomp. */
	f->seccomp_ok = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
	if (v != NULL &&
	    asprintf(&f->libseccomp_version, "%u.%u.%u", v->major, v->minor, v->micro) < 0)
		f->libseccomp_version = NULL;
}

void rt_host_gather(const struct rt_host_paths *paths, struct rt_host_facts *f)
{
	struct utsname u;

	memset(f, 0, sizeof(*f));
	f->uid = getuid();
	f->gid = getgid();
	f->user = paths_user_name();
	if (uname(&u) == 0) {
		f->kernel = strdup(u.release);
		f->arch = strdup(rt_host_oci_arch(u.machine));
	}
	gather_runtime(paths, f);
	gather_config_files(f);
	gather_ids(paths, f);
	gather_store(paths, f);
	find_helper("fuse-overlayfs", &f->fuse_overlayfs);
	f->dev_fuse_ok = access("/dev/fuse", R_OK | W_OK) == 0;
	find_helper("pasta", &f->pasta);
	find_helper("slirp4netns", &f->slirp4netns);
	f->dev_tun_ok = access("/dev/net/tun", R_OK | W_OK) == 0;
	rt_cgroup_detect(paths->cgroup_root, "/proc/self/cgroup", &f->cgroup);
	gather_security(f);
}

void rt_host_facts_release(struct rt_host_facts *f)
{
	char **strs[] = {&f->user,
			 &f->kernel,
			 &f->arch,
			 &f->store_root,
			 &f->store_fstype,
			 &f->store_err,
			 &f->runtime_dir,
			 &f->runtime_xdg,
			 &f->runtime_why,
			 &f->runtime_err,
			 &f->overlay_err,
			 &f->newuidmap.path,
			 &f->newgidmap.path,
			 &f->fuse_overlayfs.path,
			 &f->pasta.path,
			 &f->slirp4netns.path,
			 &f->libseccomp_version};

	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		free(*strs[i]);
	for (size_t i = 0; f->config_files[i] != NULL; i++)
		free(f->config_files[i]);
	idmap_ranges_release(&f->subuid);
	idmap_ranges_release(&f->subgid);
	rt_probe_userns_release(&f->userns);
	rt_cgroup_info_release(&f->cgroup);
	memset(f, 0, sizeof(*f));
}
