/* `rcr cp` (container.h): copying between the host and a container's root file system, running or
 * not, with `docker cp`'s placement rules and `podman cp`'s ownership rules.
 *
 * Two processes and a tar stream between them over a socket pair. rcr itself is the host side: it
 * reads and writes the user's own files as the user. A forked child is the container side: for a
 * running container it joins the user and mount namespaces of its PID 1 through a pidfd (so "/" is
 * the container's root); otherwise it mounts the container's overlay in a private mount namespace
 * of a new user namespace with the container's id maps (the store's, for a root served across
 * namespaces: see run_mounted), and chroots into it. The container side
 * resolves every path with openat2(RESOLVE_IN_ROOT) from that root; the host side extracts with
 * RESOLVE_BENEATH below the destination; final components are handled with *at() and NOFOLLOW.
 * So no symlink, ".." or archive entry can lead a copy out of the container's root, or out of the
 * destination on the host. The container side must never open a host path; the host side never
 * follows a path the container chose.
 *
 * This file is the copy itself: the roles of the arguments and where the source lands, the two
 * sides and the namespaces the child enters. The tar stream (rcr's own writer, libarchive for
 * reading, the extraction of entries) is cp_tar.c's, through cp_internal.h; this file never
 * writes or parses tar itself. libarchive is loaded here before the fork, so that the chrooted
 * child needs nothing from the root.
 */
#include "container/container.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/cp_internal.h"
#include "image/lazylib.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/proc.h"
#include "runtime/overlay.h"
#include "runtime/user.h"

#define CP_REPORT_MAX 4096

/* Everything both sides need; the child gets its copy through fork. */
struct cp_job {
	const struct ctr_cp_opts *o;
	const char *name; /* the container's name, for messages */
	const struct rt_spec *spec;
	int pidfd; /* running: its PID 1; -1: mount the rootfs */
	/* copy-in from a host path: the source, looked at before the fork */
	bool src_dir, src_contents;
	const char *src_name; /* its last component (in src_path), "" for a directory's contents */
	char *src_path;	      /* owned: the host path without trailing "/" or "/." */
	int data, report;     /* the child's ends */
};

/* ---- paths and placement (pure) ------------------------------------------------------------ */

/* cp_last_name and cp_parent_of, which the extraction needs too, are in cp_tar.c. */

/* A container path, cleaned as filepath.Clean("/" + p) (".." stops at the root, as Docker and
 * Podman do), relative to the root: "" is the root. *slash: given with a trailing "/"; *contents:
 * given ending in "/." (a directory's contents). Owned. */
static char *ctr_path_clean(const char *in, bool *slash, bool *contents)
{
	size_t len = strlen(in), n = 0;
	char *out = malloc(len + 1), *save = NULL;
	_cleanup_free_ char *copy = strdup(in);

	if (out == NULL || copy == NULL) {
		free(out);
		return NULL;
	}
	*contents = strcmp(in, ".") == 0 || (len >= 2 && strcmp(in + len - 2, "/.") == 0);
	*slash = len > 0 && in[len - 1] == '/';
	for (char *t = strtok_r(copy, "/", &save); t != NULL; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		if (n > 0)
			out[n++] = '/';
		memcpy(out + n, t, strlen(t));
		n += strlen(t);
	}
	out[n] = '\0';
	return out;
}

/* A host path without its trailing "/" and "/." (the root stays "/"), with the same flags. */
static char *host_path_trim(const char *in, bool *slash, bool *contents)
{
	size_t len = strlen(in);
	char *p = strdup(in);

	*contents = strcmp(in, ".") == 0 || (len >= 2 && strcmp(in + len - 2, "/.") == 0);
	*slash = len > 0 && in[len - 1] == '/';
	while (p != NULL && len > 1) {
		if (p[len - 1] == '/')
			p[--len] = '\0';
		else if (len > 2 && p[len - 1] == '.' && p[len - 2] == '/')
			p[len -= 2] = '\0';
		else
			break;
	}
	return p;
}

enum cp_kind { CP_MISSING, CP_DIR, CP_OTHER };

/* Where the source lands, docker cp's rules: AT the destination (it becomes the source), INSIDE
 * it (dest/NAME), or INTO it (the directory's contents merge with it). */
enum cp_place { CP_AT, CP_INSIDE, CP_INTO };

static int cp_place(bool src_dir, bool contents, const char *src_name, enum cp_kind dest,
		    bool dest_slash, bool overwrite, const char *dest_shown, enum cp_place *out,
		    struct rcr_error **err)
{
	if (dest == CP_DIR) {
		*out = src_dir && (contents || *src_name == '\0') ? CP_INTO : CP_INSIDE;
		return 0;
	}
	if (dest == CP_OTHER && dest_slash) {
		rcr_error_set(err, ENOTDIR, "\"%s\" is not a directory", dest_shown);
		return -1;
	}
	if (dest == CP_OTHER && src_dir && !overwrite) {
		rcr_error_set(
			err, EEXIST,
			"cannot overwrite non-directory \"%s\" with directory (use --overwrite)",
			dest_shown);
		return -1;
	}
	if (dest == CP_MISSING && dest_slash && !src_dir) {
		rcr_error_set(err, ENOENT, "destination directory \"%s\" does not exist",
			      dest_shown);
		return -1;
	}
	*out = CP_AT;
	return 0;
}

/* ---- the container side (a child whose "/" is the container's root) -------------------------- */

static void not_found(const struct cp_job *j, const char *shown, struct rcr_error **err)
{
	rcr_error_set(err, ENOENT,
		      "\"%s\" could not be found on container %s: no such file or "
		      "directory",
		      shown, j->name);
}

/* Send the container path (from o->ctr_path) as a tar. */
static int ctr_send(const struct cp_job *j, int root, struct rcr_error **err)
{
	struct extract rx = {.root = root, .how = RESOLVE_IN_ROOT, .where = ""};
	struct tar_w w = {.fd = j->data};
	bool slash, contents;
	_cleanup_free_ char *rel = ctr_path_clean(j->o->ctr_path, &slash, &contents);
	_cleanup_free_ char *parent = rel ? cp_parent_of(rel) : NULL;
	_cleanup_close_ int fd = -1;
	const char *top = ".";
	struct stat st;
	int rc;

	if (parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (j->o->host_path[0] == '-' && !contents && *cp_last_name(rel) != '\0')
		top = cp_last_name(rel); /* `-`: entries named as docker cp names them */
	if (contents || slash || *rel == '\0') {
		fd = cp_open_how(&rx, root, rel, O_PATH | O_DIRECTORY);
		if (fd < 0 && errno == ENOTDIR)
			rcr_error_set(err, ENOTDIR, "\"%s\" is not a directory on container %s",
				      j->o->ctr_path, j->name);
		else if (fd < 0)
			not_found(j, j->o->ctr_path, err);
		rc = fd < 0 ? -1 : cp_tar_add(&w, fd, "", top, 0, err);
	} else {
		fd = cp_open_how(&rx, root, parent, O_PATH | O_DIRECTORY);
		if (fd < 0 || fstatat(fd, cp_last_name(rel), &st, AT_SYMLINK_NOFOLLOW) < 0) {
			not_found(j, j->o->ctr_path, err);
			return -1;
		}
		rc = cp_tar_add(&w, fd, cp_last_name(rel), top, 0, err);
	}
	if (rc == 0)
		rc = cp_tar_end(&w, err);
	cp_tar_w_release(&w);
	return rc;
}

/* The uid and gid of the container's user, from its own /etc/passwd and /etc/group. */
static int ctr_user_ids(const struct cp_job *j, int root, uid_t *uid, gid_t *gid,
			struct rcr_error **err)
{
	struct extract rx = {.root = root, .how = RESOLVE_IN_ROOT};
	_cleanup_close_ int pfd = cp_open_how(&rx, root, "etc/passwd", O_RDONLY);
	_cleanup_close_ int gfd = cp_open_how(&rx, root, "etc/group", O_RDONLY);
	_cleanup_error_ struct rcr_error *ignored = NULL;
	size_t plen = 0, glen = 0;
	_cleanup_free_ char *passwd = pfd >= 0 ? fs_read_fd(pfd, 16 << 20, &plen, &ignored) : NULL;
	_cleanup_free_ char *group = gfd >= 0 ? fs_read_fd(gfd, 16 << 20, &glen, &ignored) : NULL;
	struct rt_user u;

	if (rt_user_resolve(j->spec->user ? j->spec->user : "", passwd, plen, group, glen, NULL, 0,
			    &u, err) < 0) {
		rcr_error_wrap(err, "finding the owner for the copied files");
		return -1;
	}
	*uid = u.uid;
	*gid = u.gid;
	return 0;
}

/* Receive a tar into the container path (o->ctr_path). */
static int ctr_receive(const struct cp_job *j, int root, struct rcr_error **err)
{
	bool slash, contents, stream = strcmp(j->o->host_path, "-") == 0;
	_cleanup_free_ char *rel = ctr_path_clean(j->o->ctr_path, &slash, &contents);
	_cleanup_free_ char *parent = rel ? cp_parent_of(rel) : NULL, *prefix = NULL, *where = NULL;
	struct extract x = {.root = root, .how = RESOLVE_IN_ROOT, .overwrite = j->o->overwrite};
	_cleanup_close_ int fd = -1;
	struct fd_src *src = NULL;
	struct archive *a = NULL;
	enum cp_kind kind = CP_MISSING;
	enum cp_place place = CP_INTO;
	struct stat st;
	int rc = -1;

	if (parent == NULL || asprintf(&where, "on container %s", j->name) < 0) {
		where = NULL;
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	x.where = where;
	fd = cp_open_how(&x, root, rel, O_PATH);
	if (fd >= 0 && fstat(fd, &st) == 0)
		kind = S_ISDIR(st.st_mode) ? CP_DIR : CP_OTHER;
	if (kind == CP_MISSING) {
		_cleanup_close_ int pfd = cp_open_how(&x, root, parent, O_PATH | O_DIRECTORY);

		if (pfd < 0 || stream) {
			_cleanup_free_ char *shown = NULL;

			if (!stream && asprintf(&shown, "/%s", parent) < 0)
				shown = NULL;
			not_found(j, shown ? shown : j->o->ctr_path, err);
			return -1;
		}
	}
	if (stream && kind != CP_DIR) {
		rcr_error_set(err, ENOTDIR,
			      "\"%s\" is not a directory on container %s: a tar "
			      "stream is extracted into a directory",
			      j->o->ctr_path, j->name);
		return -1;
	}
	if (!stream && cp_place(j->src_dir, j->src_contents, j->src_name, kind, slash,
				j->o->overwrite, j->o->ctr_path, &place, err) < 0)
		return -1;
	if (asprintf(&prefix, "%s%s%s", rel, *rel && place == CP_INSIDE ? "/" : "",
		     place == CP_INSIDE ? j->src_name : "") < 0) {
		prefix = NULL;
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	x.prefix = prefix;
	x.chown_fixed = j->o->archive;
	if (x.chown_fixed && ctr_user_ids(j, root, &x.uid, &x.gid, err) < 0)
		return -1;
	src = calloc(1, sizeof(*src));
	if (src == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	src->fd = j->data;
	a = cp_tar_open(src, stream, err);
	if (a != NULL)
		rc = cp_extract_from(&x, a, NULL, src, err);
	if (a != NULL)
		archive_read_free(a);
	free(src);
	return rc;
}

/* Report err (or success) to the parent: "CODE MESSAGE\0"; the parent reads the first. */
static _Noreturn void child_exit(int fd, struct rcr_error *err)
{
	char buf[CP_REPORT_MAX];
	int n;

	if (err == NULL)
		_exit(0);
	n = snprintf(buf, sizeof(buf), "%d %s", err->code, err->msg ? err->msg : "failed");
	if (n >= (int)sizeof(buf))
		n = (int)sizeof(buf) - 1;
	if (write(fd, buf, (size_t)n + 1) < 0)
		_exit(2);
	_exit(1);
}

static int ctr_side(const struct cp_job *j, struct rcr_error **err)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc;

	if (root < 0) {
		rcr_error_set_errno(err, errno, "opening the container's root");
		return -1;
	}
	rc = j->o->to_ctr ? ctr_receive(j, root, err) : ctr_send(j, root, err);
	/* a failure must never be reported as success */
	if (rc < 0 && *err == NULL)
		rcr_error_set(err, ENOMEM, "out of memory");
	return rc;
}

/* A running container: join the user and mount namespaces of its PID 1, whose root is the
 * container's. Not its pid namespace, so nothing in the container can see (or ptrace) us. */
static _Noreturn void run_joined(const struct cp_job *j)
{
	struct rcr_error *err = NULL;

	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (setns(j->pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
		rcr_error_set_errno(&err, errno, "joining the namespaces of container %s", j->name);
	else if (chdir("/") < 0)
		rcr_error_set_errno(&err, errno, "entering the root of container %s", j->name);
	else
		ctr_side(j, &err);
	child_exit(j->report, err);
}

/* In a new user and mount namespace: the container's overlay on its merged dir, then chroot. */
static int mount_root(const struct rt_spec *s, struct rcr_error **err)
{
	_cleanup_close_ int mfd = -1;
	size_t n = 0;

	while (s->lowers[n] != NULL)
		n++;
	/* Nothing mounted here may reach the user's mount table. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		rcr_error_set_errno(err, errno, "making the mount namespace private");
		return -1;
	}
	if (fs_mkdir_p(s->merged, 0755, err) < 0)
		return -1;
	mfd = rt_overlay_mount_fd((const char *const *)s->lowers, n, s->upper, s->work, err);
	if (mfd < 0)
		return -1;
	if (move_mount(mfd, "", AT_FDCWD, s->merged, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
	    chroot(s->merged) < 0 || chdir("/") < 0) {
		rcr_error_set_errno(err, errno, "mounting the container's root at '%s'", s->merged);
		return -1;
	}
	return 0;
}

static int mounted_fn(void *arg, char *msg)
{
	const struct cp_job *j = arg;
	struct rcr_error *err = NULL;

	(void)msg; /* the report goes to the parent directly, with its errno */
	if (mount_root(j->spec, &err) == 0)
		ctr_side(j, &err);
	child_exit(j->report, err);
}

/* A container that is not running: its root is mounted by a grandchild made by userns_run,
 * which reports itself; this child only reports a namespace that could not be made. A container
 * whose maps differ from the store's (keep-id, nomap, --uidmap) sees its root through
 * fuse-overlayfs running with the store's maps (runtime/fuse_serve.h), which shows each file with
 * the id it has in the store's namespace: so the copy runs in a namespace with the store's maps,
 * and ids mean there what they mean in the container. */
static _Noreturn void run_mounted(const struct cp_job *j)
{
	struct rcr_error *err = NULL;
	const struct rt_spec *s = j->spec;
	bool served = s->store_uidmap.n > 0;

	userns_run(served ? &s->store_uidmap : &s->uidmap, served ? &s->store_gidmap : &s->gidmap,
		   s->newuidmap, s->newgidmap, CLONE_NEWNS, mounted_fn, (void *)j, &err);
	child_exit(j->report, err);
}

/* The child keeps stdio and the fds a, b and c (-1: none), nothing else of rcr's. */
static void close_others(int a, int b, int c)
{
	int keep[3] = {a, b, c};
	unsigned from = 3;

	for (int i = 0; i < 3; i++)
		for (int k = i + 1; k < 3; k++)
			if (keep[k] < keep[i]) {
				int t = keep[i];

				keep[i] = keep[k];
				keep[k] = t;
			}
	for (int i = 0; i < 3; i++) {
		if (keep[i] < (int)from)
			continue;
		if ((unsigned)keep[i] > from)
			close_range(from, (unsigned)keep[i] - 1, 0);
		from = (unsigned)keep[i] + 1;
	}
	close_range(from, ~0U, 0);
}

/* ---- the host side ----------------------------------------------------------------------- */

/* Look at the host source before anything starts: its kind and name decide the placement. */
static int host_source(struct cp_job *j, struct rcr_error **err)
{
	bool slash, contents;
	struct stat st;

	j->src_path = host_path_trim(j->o->host_path, &slash, &contents);
	if (j->src_path == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if ((contents || slash ? stat(j->src_path, &st) : lstat(j->src_path, &st)) < 0) {
		if (errno == ENOENT)
			rcr_error_set(err, ENOENT,
				      "\"%s\" could not be found on the host: no such file or "
				      "directory",
				      j->o->host_path);
		else
			rcr_error_set_errno(err, errno, "\"%s\" on the host", j->o->host_path);
		return -1;
	}
	j->src_dir = S_ISDIR(st.st_mode);
	if ((contents || slash) && !j->src_dir) {
		rcr_error_set(err, ENOTDIR, "\"%s\" is not a directory", j->o->host_path);
		return -1;
	}
	j->src_contents = contents;
	j->src_name = contents ? "" : cp_last_name(j->src_path);
	return 0;
}

/* Send the host source as a tar, ids as the container sees them. */
static int host_send(const struct cp_job *j, int data, struct rcr_error **err)
{
	struct tar_w w = {.fd = data, .uids = &j->spec->uidmap, .gids = &j->spec->gidmap};
	_cleanup_free_ char *parent = j->src_path ? cp_parent_of(j->src_path) : NULL;
	_cleanup_close_ int fd = -1;
	int rc;

	if (parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (*j->src_name == '\0')
		fd = open(j->src_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	else
		fd = open(*parent ? parent : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rcr_error_set_errno(err, errno, "opening \"%s\"", j->o->host_path);
		return -1;
	}
	rc = cp_tar_add(&w, fd, j->src_name, ".", 0, err);
	if (rc == 0)
		rc = cp_tar_end(&w, err);
	cp_tar_w_release(&w);
	return rc;
}

/* Extract what the container sent below the host destination. */
static int host_receive(const struct cp_job *j, struct archive *a, struct fd_src *src,
			struct rcr_error **err)
{
	bool slash, contents, cslash, ccontents;
	_cleanup_free_ char *dst = host_path_trim(j->o->host_path, &slash, &contents);
	_cleanup_free_ char *crel = ctr_path_clean(j->o->ctr_path, &cslash, &ccontents);
	_cleanup_free_ char *parent = dst ? cp_parent_of(dst) : NULL;
	struct extract x = {.how = RESOLVE_BENEATH,
			    .host = true,
			    .overwrite = j->o->overwrite,
			    .where = "on the host",
			    .prefix = ""};
	struct archive_entry *e = NULL;
	enum cp_kind kind = CP_MISSING;
	enum cp_place place;
	struct stat st;
	const char *base;
	int r;

	if (crel == NULL || parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	r = archive_read_next_header(a, &e);
	if (r != ARCHIVE_OK) {
		rcr_error_set(err, EIO, "reading what the container sent: %s",
			      archive_error_string(a));
		return -1;
	}
	if (stat(dst, &st) == 0)
		kind = S_ISDIR(st.st_mode) ? CP_DIR : CP_OTHER;
	if (cp_place(archive_entry_filetype(e) == AE_IFDIR, ccontents, cp_last_name(crel), kind,
		     slash, j->o->overwrite, j->o->host_path, &place, err) < 0)
		return -1;
	base = place == CP_AT ? (*parent ? parent : ".") : dst;
	x.prefix = place == CP_AT	? cp_last_name(dst)
		   : place == CP_INSIDE ? cp_last_name(crel)
					: "";
	x.root = open(base, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (x.root < 0) {
		rcr_error_set_errno(err, errno, "opening \"%s\"", base);
		return -1;
	}
	r = cp_extract_from(&x, a, e, src, err);
	close(x.root);
	return r;
}

/* The host destination's directory must exist before the container is asked for anything. */
static int host_dest_check(const struct cp_job *j, struct rcr_error **err)
{
	bool slash, contents;
	_cleanup_free_ char *dst = host_path_trim(j->o->host_path, &slash, &contents);
	_cleanup_free_ char *parent = dst ? cp_parent_of(dst) : NULL;
	struct stat st;

	if (parent == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	if (stat(dst, &st) == 0 || stat(*parent ? parent : ".", &st) == 0)
		return 0;
	rcr_error_set(err, ENOENT,
		      "\"%s\" could not be found on the host: no such file or directory", parent);
	return -1;
}

static int host_side(const struct cp_job *j, int fd, struct rcr_error **err)
{
	bool stream = strcmp(j->o->host_path, "-") == 0;
	struct fd_src *src = NULL;
	struct archive *a = NULL;
	int rc = -1;

	if (j->o->to_ctr)
		return stream ? cp_pump(0, fd, "sending standard input", err)
			      : host_send(j, fd, err);
	if (stream)
		return cp_pump(fd, 1, "writing to standard output", err);
	src = calloc(1, sizeof(*src));
	if (src == NULL) {
		rcr_error_set(err, ENOMEM, "out of memory");
		return -1;
	}
	src->fd = fd;
	a = cp_tar_open(src, false, err);
	if (a != NULL) {
		rc = host_receive(j, a, src, err);
		archive_read_free(a);
	}
	free(src);
	return rc;
}

/* ---- the copy ------------------------------------------------------------------------------ */

/* The child's report: the first "CODE MESSAGE" record, or NULL when it succeeded. */
static struct rcr_error *read_report(int fd, pid_t pid)
{
	char buf[CP_REPORT_MAX + 1];
	struct rcr_error *e = NULL;
	ssize_t n, got = 0;
	int status = 0;
	char *end = NULL;
	long code;

	while (got < CP_REPORT_MAX && (n = read(fd, buf + got, CP_REPORT_MAX - (size_t)got)) != 0)
		if (n > 0)
			got += n;
		else if (errno != EINTR)
			break;
	buf[got] = '\0';
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	code = got > 0 ? strtol(buf, &end, 10) : 0;
	if (got > 0 && end != buf && *end == ' ')
		rcr_error_set(&e, (int)code, "%s", end + 1);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rcr_error_set(&e, EIO, "the copying process failed (status %d)", status);
	return e;
}

/* Both sides may fail, one because the other did: a broken stream (EPIPE) is the effect, never
 * the cause; otherwise the side that wrote the stream knows what went wrong first. */
static void pick_error(bool host_writes, struct rcr_error *host, struct rcr_error *child,
		       struct rcr_error **err)
{
	struct rcr_error *pick;

	if (child == NULL && host != NULL && host->code == EPIPE)
		pick = NULL; /* the container side had all it wanted (tar's trailing padding) */
	else if (child == NULL || host == NULL)
		pick = child ? child : host;
	else if (child->code == EPIPE)
		pick = host;
	else if (host->code == EPIPE)
		pick = child;
	else
		pick = host_writes ? host : child;
	if (pick != NULL)
		rcr_error_set(err, pick->code, "%s", pick->msg);
}

static int run_copy(struct cp_job *j, struct rcr_error **err)
{
	_cleanup_close_ int mine = -1, rep = -1;
	_cleanup_error_ struct rcr_error *host_err = NULL, *child_err = NULL;
	int s[2], p[2];
	pid_t pid;

	if (proc_socketpair(SOCK_STREAM, s, err) < 0)
		return -1;
	if (proc_pipe(p, err) < 0) {
		close(s[0]), close(s[1]);
		return -1;
	}
	mine = s[0], rep = p[0];
	j->data = s[1], j->report = p[1];
	pid = fork();
	if (pid == 0) {
		close_others(j->data, j->report, j->pidfd);
		if (j->pidfd >= 0)
			run_joined(j);
		run_mounted(j);
	}
	close(j->data), close(j->report);
	if (pid < 0) {
		rcr_error_set_errno(err, errno, "forking the copying process");
		return -1;
	}
	if (host_side(j, mine, &host_err) < 0 && host_err == NULL)
		rcr_error_set(&host_err, ENOMEM, "out of memory");
	/* EOF for the container side; what it still sends is not wanted */
	close(steal_fd(&mine));
	child_err = read_report(rep, pid);
	pick_error(j->o->to_ctr, host_err, child_err, err);
	return *err != NULL ? -1 : 0;
}

/* A pidfd for the running container's PID 1 (-1 when it is not running). */
static int running_pidfd(const struct ctr_state *s)
{
	int fd;

	if (s->status != CTR_RUNNING && s->status != CTR_STOPPING)
		return -1;
	fd = (int)syscall(SYS_pidfd_open, s->run.pid, 0);
	if (fd >= 0 && !mon_proc_matches(s->run.pid, s->run.pid_start, s->run.boot_id)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int cp_container(struct store *st, const struct store_container *c,
			const struct ctr_cp_opts *o, struct rcr_error **err)
{
	_cleanup_free_ char *ud = ctr_userdata(st, c->id);
	_cleanup_free_ char *lock_path = fs_path_join(ud, "lock");
	_cleanup_free_ char *spec_path = fs_path_join(ud, "spec.json");
	_cleanup_close_ int lock = -1, pidfd = -1;
	struct cp_job j = {.o = o, .name = c->name, .pidfd = -1, .src_name = ""};
	struct rt_spec spec = {0};
	struct ctr_state state;
	int rc = -1;

	/* The lock keeps a stopped container from starting while its root is mounted here: its
	 * own overlay would share the upper and work dirs. A running one is not held. */
	lock = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lock < 0 || flock(lock, LOCK_EX) < 0) {
		rcr_error_set_errno(err, errno, "locking container '%s'", c->name);
		return -1;
	}
	ctr_state_get(ud, c->state, &state);
	if (state.status == CTR_REMOVING) {
		rcr_error_set(err, EBUSY, "container '%s' is being removed", c->name);
		return -1;
	}
	pidfd = running_pidfd(&state);
	if (pidfd >= 0)
		close(steal_fd(&lock));
	if (rt_spec_read(spec_path, &spec, err) < 0)
		return -1;
	j.spec = &spec;
	j.pidfd = pidfd;
	if (o->to_ctr && strcmp(o->host_path, "-") != 0)
		rc = host_source(&j, err);
	else if (!o->to_ctr && strcmp(o->host_path, "-") != 0)
		rc = host_dest_check(&j, err);
	else
		rc = 0;
	if (rc == 0)
		rc = run_copy(&j, err);
	free(j.src_path);
	rt_spec_release(&spec);
	return rc;
}

int ctr_cp(struct store *st, const struct ctr_cp_opts *o, struct rcr_error **err)
{
	struct store_container c = {0};
	/* libarchive reads the stream on both sides: loaded before the fork and the chroot */
	int rc = ctr_lookup(st, o->container, &c, err) == 0 && lazylib_archive(err) == 0
			 ? cp_container(st, &c, o, err)
			 : -1;
	store_container_release(&c);
	return rc;
}
