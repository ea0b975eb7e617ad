/* Serving a container's root with fuse-overlayfs from the store's user namespace (fuse_serve.h).
 *
 * The mount side runs in the container's runtime child before pivot_root; the serving side runs
 * in rcr-monitor, which starts fuse-overlayfs through userns_run (the monitor writes the maps, as
 * it does for the container). Must never give fuse-overlayfs more than the store's maps: it runs
 * as root of a namespace that maps exactly the ids the store's layers use, the user's own.
 */
#include "runtime/fuse_serve.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/proc.h"
#include "pkg/userns.h"
#include "runtime/exec.h"

char *rt_fuse_overlay_opts(const struct rt_spec *s)
{
	size_t len = 64 + strlen(s->upper) + strlen(s->work);
	char *opts, *p;

	for (size_t i = 0; s->lowers[i] != NULL; i++)
		len += strlen(s->lowers[i]) + 1;
	opts = malloc(len);
	if (opts == NULL)
		return NULL;
	p = opts + sprintf(opts, "lowerdir=");
	for (size_t i = 0; s->lowers[i] != NULL; i++)
		p += sprintf(p, "%s%s", i ? ":" : "", s->lowers[i]);
	sprintf(p, ",upperdir=%s,workdir=%s", s->upper, s->work);
	return opts;
}

static int set_fuse_param(int fs, const char *key, const char *value, struct rcr_error **err)
{
	if (fsconfig(fs, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0) < 0) {
		rcr_error_set_errno(err, errno, "FUSE option %s", key);
		return -1;
	}
	return 0;
}

int rt_fuse_mount(int merged_fd, int sock, struct rcr_error **err)
{
	_cleanup_close_ int dev = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	_cleanup_close_ int fs = -1;
	char num[16];
	int mfd;

	if (dev < 0) {
		rcr_error_set_errno(
			err, errno,
			"opening /dev/fuse (this container's root is served by "
			"fuse-overlayfs: /dev/fuse must be usable, mode 0666 as Debian's "
			"udev makes it)");
		return -1;
	}
	snprintf(num, sizeof(num), "%d", dev);
	fs = fsopen("fuse", FSOPEN_CLOEXEC);
	if (fs < 0) {
		rcr_error_set_errno(err, errno, "opening a FUSE file system context");
		return -1;
	}
	/* allow_other: every user of the container, not only its root; default_permissions: the
	 * kernel checks modes and owners, as on any file system, with the ids the container sees */
	if (set_fuse_param(fs, "source", "fuse-overlayfs", err) < 0 ||
	    set_fuse_param(fs, "subtype", "fuse-overlayfs", err) < 0 ||
	    set_fuse_param(fs, "fd", num, err) < 0 ||
	    set_fuse_param(fs, "rootmode", "40000", err) < 0 ||
	    set_fuse_param(fs, "user_id", "0", err) < 0 ||
	    set_fuse_param(fs, "group_id", "0", err) < 0 ||
	    set_fuse_param(fs, "allow_other", NULL, err) < 0 ||
	    set_fuse_param(fs, "default_permissions", NULL, err) < 0)
		return -1;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ||
	    (mfd = fsmount(fs, FSMOUNT_CLOEXEC, 0)) < 0) {
		rcr_error_set_errno(err, errno, "creating the FUSE mount");
		return -1;
	}
	if (move_mount(mfd, "", merged_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) <
	    0) {
		rcr_error_set_errno(err, errno, "attaching the FUSE mount");
		close(mfd);
		return -1;
	}
	if (rt_exec_send_fd(sock, dev) < 0) {
		rcr_error_set_errno(err, errno, "handing the FUSE connection to the monitor");
		close(mfd);
		return -1;
	}
	return mfd;
}

struct serve_arg {
	char **argv;
	int fuse_fd, err_w;
};

/* In the store's namespace, as its root: become fuse-overlayfs, the connection as /dev/fd/N
 * (libfuse takes an already mounted connection so), stderr into the monitor's pipe. */
static int exec_fn(void *p, char *msg)
{
	const struct serve_arg *a = p;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL); /* the monitor blocks what its signalfd reads */
	if (fcntl(a->fuse_fd, F_SETFD, 0) < 0 || dup2(a->err_w, STDERR_FILENO) < 0) {
		snprintf(msg, USERNS_MSG_MAX, "preparing fuse-overlayfs: %s", strerror(errno));
		return 1;
	}
	execv(a->argv[0], a->argv);
	snprintf(msg, USERNS_MSG_MAX, "running '%s': %s", a->argv[0], strerror(errno));
	return 1;
}

/* What fuse-overlayfs said before it failed (the pipe's write ends are closed by then) says more
 * than its exit code: it replaces the error. */
static void add_stderr(int fd, struct rcr_error **err)
{
	char buf[1024];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	if (n > 0) {
		buf[n] = '\0';
		rcr_error_clear(err);
		rcr_error_set(err, EIO, "fuse-overlayfs failed: %s", buf);
	}
}

static int start_daemon(const struct rt_spec *s, const char *prog, int fuse_fd,
			struct rcr_error **err)
{
	_cleanup_free_ char *opts = rt_fuse_overlay_opts(s);
	_cleanup_close_ int err_r = -1, err_w = -1;
	char dev[32], dash_o[] = "-o";
	int fds[2];

	if (opts == NULL || proc_pipe(fds, err) < 0)
		return -1;
	err_r = fds[0];
	err_w = fds[1];
	snprintf(dev, sizeof(dev), "/dev/fd/%d", fuse_fd);
	{
		char *argv[] = {(char *)prog, dash_o, opts, dev, NULL};
		struct serve_arg a = {argv, fuse_fd, err_w};

		if (userns_run(&s->store_uidmap, &s->store_gidmap, s->newuidmap, s->newgidmap, 0,
			       exec_fn, &a, err) == 0)
			return 0;
	}
	close(steal_fd(&err_w));
	if (fcntl(err_r, F_SETFL, O_NONBLOCK) == 0)
		add_stderr(err_r, err);
	rcr_error_wrap(err, "starting fuse-overlayfs for the container's root");
	return -1;
}

int rt_fuse_serve(const struct rt_spec *s, int sock, struct rcr_error **err)
{
	_cleanup_free_ char *prog = proc_find_in_path("fuse-overlayfs");
	_cleanup_close_ int fd = rt_exec_recv_fd(sock);

	if (fd < 0)
		return 1;
	if (prog == NULL) {
		rcr_error_set(err, ENOENT,
			      "fuse-overlayfs is not installed: --userns keep-id, nomap and "
			      "--uidmap need it (Debian: apt-get install fuse-overlayfs)");
		return -1;
	}
	return start_daemon(s, prog, fd, err);
}
