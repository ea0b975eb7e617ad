/* Id-map planning and writing (see userns.h).
 *
 * Runs in the parent of a new user namespace (the container's, or a short-lived child that unpacks
 * layers with the same mapping, DESIGN.md §4). Must never write a map the user does not own: any
 * map wider than the user's own id goes through the setuid newuidmap/newgidmap, which check
 * /etc/subuid themselves.
 */
#include "pkg/userns.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <sys/wait.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/proc.h"

void userns_map_plan(uid_t own, const struct idmap_ranges *ranges, struct userns_map *out)
{
	uint32_t next = 1;

	memset(out, 0, sizeof(*out));
	out->v[0] = (struct userns_map_entry){.inner = 0, .outer = own, .count = 1};
	out->n = 1;
	for (size_t i = 0; ranges != NULL && i < ranges->n && out->n < USERNS_MAP_MAX; i++) {
		const struct idmap_range *r = &ranges->v[i];

		/* A range holding the user's own id would map it twice: the kernel refuses that. */
		if ((uint64_t)own >= r->start && (uint64_t)own < (uint64_t)r->start + r->count)
			continue;
		if ((uint64_t)next + r->count > UINT32_MAX)
			break;
		out->v[out->n++] = (struct userns_map_entry){
			.inner = next, .outer = r->start, .count = r->count};
		next += r->count;
	}
}

uint64_t userns_map_size(const struct userns_map *map)
{
	uint64_t total = 0;

	for (size_t i = 0; i < map->n; i++)
		total += map->v[i].count;
	return total;
}

bool userns_map_is_single(const struct userns_map *map)
{
	return map->n == 1 && map->v[0].inner == 0 && map->v[0].count == 1;
}

static int write_proc_file(pid_t pid, const char *name, const char *text, struct rcr_error **err)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "opening '%s'", path);
		return -1;
	}
	if (write(fd, text, len) != (ssize_t)len) {
		rcr_error_set_errno(err, errno, "writing '%s'", path);
		return -1;
	}
	return 0;
}

static int write_single(pid_t pid, const struct userns_map *map, bool is_gid,
			struct rcr_error **err)
{
	char line[64];

	/* An unprivileged process may write a one-line gid map only after denying setgroups
	 * (user_namespaces(7)): otherwise it could drop groups it was denied by. */
	if (is_gid && write_proc_file(pid, "setgroups", "deny", err) < 0)
		return -1;
	snprintf(line, sizeof(line), "%u %u %u\n", map->v[0].inner, map->v[0].outer,
		 map->v[0].count);
	return write_proc_file(pid, is_gid ? "gid_map" : "uid_map", line, err);
}

static int run_helper(pid_t pid, const struct userns_map *map, const char *helper,
		      struct rcr_error **err)
{
	/* argv: helper PID then three numbers per entry. */
	char *argv[2 + 3 * USERNS_MAP_MAX + 1];
	char nums[1 + 3 * USERNS_MAP_MAX][12];
	struct proc_result r = {0};
	size_t k = 0;
	int rc;

	argv[k] = (char *)helper;
	k++;
	snprintf(nums[0], sizeof(nums[0]), "%d", (int)pid);
	argv[k++] = nums[0];
	for (size_t i = 0; i < map->n; i++) {
		snprintf(nums[1 + 3 * i], 12, "%u", map->v[i].inner);
		snprintf(nums[2 + 3 * i], 12, "%u", map->v[i].outer);
		snprintf(nums[3 + 3 * i], 12, "%u", map->v[i].count);
		argv[k++] = nums[1 + 3 * i];
		argv[k++] = nums[2 + 3 * i];
		argv[k++] = nums[3 + 3 * i];
	}
	argv[k] = NULL;
	if (proc_run(argv, NULL, true, &r, err) < 0)
		return -1;
	rc = 0;
	if (r.exit_code != 0) {
		size_t n = r.errout ? strlen(r.errout) : 0;

		while (n > 0 && (r.errout[n - 1] == '\n' || r.errout[n - 1] == ' '))
			r.errout[--n] = '\0';
		rcr_error_set(err, EPERM, "'%s' failed (exit %d): %s", helper, r.exit_code,
			      n ? r.errout : "no message");
		rc = -1;
	}
	proc_result_release(&r);
	return rc;
}

int userns_map_write(pid_t pid, const struct userns_map *map, bool is_gid, const char *helper,
		     struct rcr_error **err)
{
	if (userns_map_is_single(map))
		return write_single(pid, map, is_gid, err);
	if (helper == NULL) {
		rcr_error_set(err, ENOENT, "%s not found: install the 'uidmap' package",
			      is_gid ? "newgidmap" : "newuidmap");
		return -1;
	}
	return run_helper(pid, map, helper, err);
}

/* The child side of userns_run: unshare, tell the parent, wait for the maps, run fn, report.
 *
 * It dies with its parent: a parent that runs several of these from threads (pull's unpack
 * workers) hands each child copies of the others' socket ends (a fork copies every fd; CLOEXEC
 * only acts at exec), so after a kill -9 of the parent two children would each wait forever for
 * an EOF the other one holds off. */
static _Noreturn void run_child(pid_t parent, int extra_flags, int sync_fd,
				int (*fn)(void *, char *), void *arg)
{
	char msg[USERNS_MSG_MAX] = "";
	char c = 0;
	int e = 0;

	if (unshare(CLONE_NEWUSER | extra_flags) < 0)
		e = errno;
	/* after unshare: the new credentials clear an earlier death signal */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	if (write(sync_fd, &e, sizeof(e)) != sizeof(e) || e != 0)
		_exit(1);
	/* The parent answers with one byte once the maps are written (0: go, 1: give up). */
	if (read(sync_fd, &c, 1) != 1 || c != 0)
		_exit(1);
	if (fn(arg, msg) != 0) {
		if (msg[0] == '\0')
			snprintf(msg, sizeof(msg), "failed in the user namespace");
		if (write(sync_fd, msg, strlen(msg)) < 0)
			_exit(1);
		_exit(1);
	}
	_exit(0);
}

static int write_maps(pid_t pid, const struct userns_map *uidmap, const struct userns_map *gidmap,
		      const char *newuidmap, const char *newgidmap, struct rcr_error **err)
{
	if (userns_map_write(pid, uidmap, false, newuidmap, err) < 0) {
		rcr_error_wrap(err, "writing the uid map");
		return -1;
	}
	if (userns_map_write(pid, gidmap, true, newgidmap, err) < 0) {
		rcr_error_wrap(err, "writing the gid map");
		return -1;
	}
	return 0;
}

/* Wait for pid and turn its report (read from fd until EOF) into the result. */
static int finish_child(pid_t pid, int fd, struct rcr_error **err)
{
	char msg[USERNS_MSG_MAX + 1];
	ssize_t n, got = 0;
	int status = 0;

	while (got < USERNS_MSG_MAX && (n = read(fd, msg + got, USERNS_MSG_MAX - got)) > 0)
		got += n;
	msg[got > 0 ? got : 0] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (got > 0)
		rcr_error_set(err, EIO, "%s", msg);
	else if (WIFSIGNALED(status))
		rcr_error_set(err, EIO, "the user-namespace child was killed by signal %d",
			      WTERMSIG(status));
	else
		rcr_error_set(err, EIO, "the user-namespace child failed (exit %d)",
			      WEXITSTATUS(status));
	return -1;
}

int userns_run(const struct userns_map *uidmap, const struct userns_map *gidmap,
	       const char *newuidmap, const char *newgidmap, int extra_flags,
	       int (*fn)(void *arg, char *msg), void *arg, struct rcr_error **err)
{
	_cleanup_close_ int mine = -1, theirs = -1;
	int fds[2];
	int e = 0;
	char go;
	pid_t pid, parent;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0) {
		rcr_error_set_errno(err, errno, "creating a socket pair");
		return -1;
	}
	mine = fds[0];
	theirs = fds[1];
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		rcr_error_set_errno(err, errno, "forking a user-namespace child");
		return -1;
	}
	if (pid == 0) {
		close(mine);
		run_child(parent, extra_flags, theirs, fn, arg);
	}
	close(steal_fd(&theirs));
	if (read(mine, &e, sizeof(e)) != sizeof(e))
		e = EIO;
	if (e != 0) {
		waitpid(pid, NULL, 0);
		rcr_error_set_errno(err, e, "creating a user namespace");
		return -1;
	}
	go = write_maps(pid, uidmap, gidmap, newuidmap, newgidmap, err) < 0 ? 1 : 0;
	if (write(mine, &go, 1) != 1 || go != 0) {
		waitpid(pid, NULL, 0);
		if (go == 0)
			rcr_error_set_errno(err, errno, "releasing the user-namespace child");
		return -1;
	}
	return finish_child(pid, mine, err);
}

bool userns_helper_is_privileged(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && (((st.st_mode & S_ISUID) && st.st_uid == 0) ||
					getxattr(path, "security.capability", NULL, 0) > 0);
}
