/* Probes by trying (see probe.h).
 *
 * The children here only unshare, mount in their own namespaces and exit: they must never touch
 * the host's mounts or ids. Failures travel back to the parent as text over a CLOEXEC pipe.
 */
#include "runtime/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "runtime/overlay.h"

#define MSG_MAX 512

void rt_probe_userns_release(struct rt_probe_userns *p)
{
	free(p->userns_err);
	free(p->uid_map_err);
	free(p->gid_map_err);
	memset(p, 0, sizeof(*p));
}

/* Child of the userns probe: unshare, report errno (0 = ok), then wait to be released so the
 * parent can write the maps of a live namespace. The parent's ends of both pipes are closed
 * first: while this process held the write end of "go", the read below could never see EOF. */
static _Noreturn void userns_child(int report_fd, int go_fd, int parent_report, int parent_go)
{
	int e = 0;
	char c;

	close(parent_report);
	close(parent_go);
	if (unshare(CLONE_NEWUSER) < 0)
		e = errno;
	if (write(report_fd, &e, sizeof(e)) != sizeof(e))
		_exit(1);
	if (e == 0 && read(go_fd, &c, 1) < 0)
		_exit(1);
	_exit(0);
}

static char *error_text(struct rcr_error *e)
{
	return strdup(e && e->msg ? e->msg : "unknown failure");
}

static void probe_maps(pid_t pid, const struct userns_map *uidmap, const struct userns_map *gidmap,
		       const char *newuidmap, const char *newgidmap, struct rt_probe_userns *out)
{
	_cleanup_error_ struct rcr_error *uerr = NULL;
	_cleanup_error_ struct rcr_error *gerr = NULL;

	out->uid_map_ok = userns_map_write(pid, uidmap, false, newuidmap, &uerr) == 0;
	if (!out->uid_map_ok)
		out->uid_map_err = error_text(uerr);
	out->gid_map_ok = userns_map_write(pid, gidmap, true, newgidmap, &gerr) == 0;
	if (!out->gid_map_ok)
		out->gid_map_err = error_text(gerr);
}

void rt_probe_userns(const struct userns_map *uidmap, const struct userns_map *gidmap,
		     const char *newuidmap, const char *newgidmap, struct rt_probe_userns *out)
{
	_cleanup_close_ int rep_r = -1, rep_w = -1, go_r = -1, go_w = -1;
	int fds[2];
	int e = 0;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	if (pipe2(fds, O_CLOEXEC) < 0)
		goto fail;
	rep_r = fds[0];
	rep_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		goto fail;
	go_r = fds[0];
	go_w = fds[1];
	pid = fork();
	if (pid < 0)
		goto fail;
	if (pid == 0)
		userns_child(rep_w, go_r, rep_r, go_w);
	close(steal_fd(&rep_w));
	close(steal_fd(&go_r));
	if (read(rep_r, &e, sizeof(e)) != sizeof(e))
		e = EIO;
	out->userns_errno = e;
	out->userns_ok = e == 0;
	if (e != 0 && asprintf(&out->userns_err, "creating a user namespace: %s", strerror(e)) < 0)
		out->userns_err = NULL;
	if (e == 0)
		probe_maps(pid, uidmap, gidmap, newuidmap, newgidmap, out);
	close(steal_fd(&go_w));
	waitpid(pid, NULL, 0);
	return;
fail:
	out->userns_errno = errno;
	if (asprintf(&out->userns_err, "starting the probe: %s", strerror(errno)) < 0)
		out->userns_err = NULL;
}

/* Runs as root of a fresh user+mount namespace (userns_run): mount an overlay of the scratch
 * directory's lower/upper/work. The mount dies with the namespace. */
static int mount_overlay_in_ns(void *arg, char *msg)
{
	const char *scratch = arg;
	char lower[4096], upper[4096], work[4096];
	const char *lowers[1] = {lower};
	struct rcr_error *err = NULL;
	int mfd;

	snprintf(lower, sizeof(lower), "%s/lower", scratch);
	snprintf(upper, sizeof(upper), "%s/upper", scratch);
	snprintf(work, sizeof(work), "%s/work", scratch);
	mfd = rt_overlay_mount_fd(lowers, 1, upper, work, &err);
	if (mfd < 0) {
		snprintf(msg, USERNS_MSG_MAX, "%s", err ? err->msg : "overlay mount failed");
		rcr_error_free(err);
		return -1;
	}
	close(mfd);
	return 0;
}

static int make_scratch(const char *dir, char **scratch, char **why)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	_cleanup_free_ char *tmpl = fs_path_join(dir, "overlay-probe-XXXXXX");
	const char *subs[] = {"lower", "upper", "work"};

	if (tmpl == NULL || fs_mkdir_p(dir, 0700, &err) < 0 || mkdtemp(tmpl) == NULL) {
		if (asprintf(why, "creating a scratch directory in '%s': %s", dir,
			     err ? err->msg : strerror(errno)) < 0)
			*why = NULL;
		return -1;
	}
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *p = fs_path_join(tmpl, subs[i]);

		if (p == NULL || mkdir(p, 0700) < 0) {
			if (asprintf(why, "creating '%s': %s", p ? p : tmpl, strerror(errno)) < 0)
				*why = NULL;
			fs_rm_rf(tmpl, NULL);
			return -1;
		}
	}
	*scratch = steal_ptr(&tmpl);
	return 0;
}

bool rt_probe_overlay(const char *dir, char **why)
{
	_cleanup_free_ char *scratch = NULL;
	_cleanup_error_ struct rcr_error *err = NULL;
	struct userns_map uidmap, gidmap;
	bool mounted;

	*why = NULL;
	if (make_scratch(dir, &scratch, why) < 0)
		return false;
	/* The single-id map is enough to try a mount and needs no helper. */
	userns_map_plan(getuid(), NULL, &uidmap);
	userns_map_plan(getgid(), NULL, &gidmap);
	mounted = userns_run(&uidmap, &gidmap, NULL, NULL, CLONE_NEWNS, mount_overlay_in_ns,
			     scratch, &err) == 0;
	if (!mounted)
		*why = strdup(err && err->msg ? err->msg : "overlay mount failed");
	fs_rm_rf(scratch, NULL);
	return mounted;
}

char *rt_fs_type_name(const char *path)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} types[] = {
		{0xEF53, "ext4"},      {0x58465342, "xfs"},	 {0x9123683E, "btrfs"},
		{0x01021994, "tmpfs"}, {0x6969, "nfs"},		 {0x794c7630, "overlay"},
		{0x65735546, "fuse"},  {0x2fc12fc1, "zfs"},	 {0xFF534D42, "cifs"},
		{0xFE534D42, "smb2"},  {0xf15f, "ecryptfs"},	 {0x4d44, "vfat"},
		{0x5346544e, "ntfs"},  {0x73717368, "squashfs"}, {0x6e667364, "nfsd"},
		{0x858458f6, "ramfs"}, {0x47504653, "gpfs"},	 {0x0BD00BD0, "lustre"},
		{0x00c36400, "ceph"},  {0x5a3c69f0, "aufs"},	 {0xF2F52010, "f2fs"},
	};
	struct statfs st;
	char *out = NULL;

	if (statfs(path, &st) < 0)
		return NULL;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((unsigned long)st.f_type == types[i].magic)
			return strdup(types[i].name);
	if (asprintf(&out, "0x%lx", (unsigned long)st.f_type) < 0)
		return NULL;
	return out;
}
