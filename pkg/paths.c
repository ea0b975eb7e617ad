/* Where rcr keeps things (see paths.h, DESIGN.md §5): the store root, the config home, the user's
 * home and name, and the runtime dir with its ownership check.
 *
 * Must never create anything except in paths_runtime_dir_ensure, and never accept a runtime dir
 * that someone else could have planted or can write: it holds sockets and pid files that rcr
 * trusts, and the fallback lives in the world-writable /tmp.
 */
#include "pkg/paths.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

/* The passwd entry of the real uid, with its strings in *buf (owned by the caller). Returns NULL
 * when there is no entry (or no memory). */
static struct passwd *own_passwd(struct passwd *pw, char **buf)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 4096;
	struct passwd *res = NULL;

	for (;;) {
		char *nb = realloc(*buf, size);
		int rc;

		if (nb == NULL)
			return NULL;
		*buf = nb;
		rc = getpwuid_r(getuid(), pw, *buf, size, &res);
		/* ERANGE: an entry with long fields (many groups on LDAP); try a larger buffer. */
		if (rc != ERANGE || size > (1 << 20))
			return rc == 0 ? res : NULL;
		size *= 2;
	}
}

/* An environment variable when it is set to an absolute path (XDG base-directory spec: relative
 * values are invalid and must be ignored), else NULL. */
static const char *env_abs(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && v[0] == '/' ? v : NULL;
}

char *paths_home(struct rcr_error **err)
{
	const char *home = env_abs("HOME");
	_cleanup_free_ char *buf = NULL;
	struct passwd pw;
	struct passwd *p;

	/* A relative HOME would move the store with the cwd: the passwd entry is the safer guess.
	 */
	if (home != NULL)
		return strdup(home);
	p = own_passwd(&pw, &buf);
	if (p == NULL || p->pw_dir == NULL || p->pw_dir[0] != '/') {
		rcr_error_set(err, ENOENT,
			      "finding the home directory: HOME is not set and uid %u has no home "
			      "in the passwd database: set HOME or use --root",
			      (unsigned)getuid());
		return NULL;
	}
	return strdup(p->pw_dir);
}

/* $XDG_<var> when it is absolute, else HOME/<fallback>. */
static char *xdg_dir(const char *var, const char *fallback, struct rcr_error **err)
{
	const char *xdg = env_abs(var);
	_cleanup_free_ char *home = NULL;

	if (xdg != NULL)
		return strdup(xdg);
	home = paths_home(err);
	if (home == NULL)
		return NULL;
	return fs_path_join(home, fallback);
}

char *paths_store_root(struct rcr_error **err)
{
	const char *root = getenv("RCR_ROOT");
	_cleanup_free_ char *data = NULL;

	/* RCR_ROOT is rcr's own explicit override: taken as given, like --root. */
	if (root != NULL && *root != '\0')
		return strdup(root);
	data = xdg_dir("XDG_DATA_HOME", ".local/share", err);
	if (data == NULL)
		return NULL;
	return fs_path_join(data, "rcr");
}

char *paths_config_home(struct rcr_error **err)
{
	return xdg_dir("XDG_CONFIG_HOME", ".config", err);
}

void paths_runtime_release(struct paths_runtime *r)
{
	if (r == NULL)
		return;
	free(r->dir);
	free(r->xdg);
	free(r->why_fallback);
	r->dir = r->xdg = r->why_fallback = NULL;
}

/* Why XDG_RUNTIME_DIR cannot hold our runtime dir, as an owned sentence in *why; NULL when it
 * can. The checks are what pam_systemd guarantees for /run/user/UID: a directory of ours that no
 * one else may write. Returns -1 only for memory. */
static int xdg_unusable(const char *xdg, char **why)
{
	uid_t uid = getuid();
	struct stat st;
	int rc;

	*why = NULL;
	if (xdg == NULL || *xdg == '\0')
		rc = asprintf(why, "XDG_RUNTIME_DIR is not set");
	else if (xdg[0] != '/')
		rc = asprintf(why, "XDG_RUNTIME_DIR '%s' is not an absolute path", xdg);
	else if (stat(xdg, &st) < 0)
		rc = errno == ENOENT ? asprintf(why, "XDG_RUNTIME_DIR '%s' does not exist", xdg)
				     : asprintf(why, "XDG_RUNTIME_DIR '%s' cannot be used: %s", xdg,
						strerror(errno));
	else if (!S_ISDIR(st.st_mode))
		rc = asprintf(why, "XDG_RUNTIME_DIR '%s' is not a directory", xdg);
	else if (st.st_uid != uid)
		rc = asprintf(why, "XDG_RUNTIME_DIR '%s' is owned by uid %u, not %u", xdg,
			      (unsigned)st.st_uid, (unsigned)uid);
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		rc = asprintf(why, "XDG_RUNTIME_DIR '%s' is writable by others (mode %04o)", xdg,
			      (unsigned)(st.st_mode & 07777));
	else
		return 0;
	if (rc < 0) {
		*why = NULL;
		return -1;
	}
	return 0;
}

int paths_runtime_decide(struct paths_runtime *out, struct rcr_error **err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	memset(out, 0, sizeof(*out));
	if (xdg != NULL && (out->xdg = strdup(xdg)) == NULL)
		goto nomem;
	if (xdg_unusable(xdg, &out->why_fallback) < 0)
		goto nomem;
	if (out->why_fallback == NULL) {
		out->source = PATHS_RUNTIME_XDG;
		out->dir = fs_path_join(xdg, "rcr");
	} else {
		/* The name DESIGN.md fixes; paths_runtime_dir_ensure guards it against plants. */
		out->source = PATHS_RUNTIME_FALLBACK;
		if (asprintf(&out->dir, "/tmp/rcr-run-%u", (unsigned)getuid()) < 0)
			out->dir = NULL;
	}
	if (out->dir == NULL)
		goto nomem;
	return 0;
nomem:
	paths_runtime_release(out);
	rcr_error_set_errno(err, ENOMEM, "choosing the runtime directory");
	return -1;
}

/* The ownership check of an existing runtime dir; st is its lstat. */
static int runtime_dir_check(const char *dir, const struct stat *st, struct rcr_error **err)
{
	uid_t uid = getuid();

	if (S_ISLNK(st->st_mode)) {
		rcr_error_set(err, EPERM,
			      "runtime directory '%s' is a symbolic link (owned by uid %u), not a "
			      "directory: remove it if it is not yours, or use --runroot DIR",
			      dir, (unsigned)st->st_uid);
		return -1;
	}
	if (!S_ISDIR(st->st_mode)) {
		rcr_error_set(err, ENOTDIR,
			      "runtime directory '%s' is not a directory (owned by uid %u): remove "
			      "it if it is not yours, or use --runroot DIR",
			      dir, (unsigned)st->st_uid);
		return -1;
	}
	if (st->st_uid != uid) {
		rcr_error_set(err, EPERM,
			      "runtime directory '%s' is owned by uid %u, not %u: someone else "
			      "may have planted it; have it removed, or use --runroot DIR",
			      dir, (unsigned)st->st_uid, (unsigned)uid);
		return -1;
	}
	if (st->st_mode & (S_IRWXG | S_IRWXO)) {
		rcr_error_set(
			err, EPERM,
			"runtime directory '%s' (owned by uid %u) has mode %04o, open to other "
			"users: remove it (rm -rf '%s') so rcr can create it 0700",
			dir, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777), dir);
		return -1;
	}
	return 0;
}

int paths_runtime_dir_ensure(const struct paths_runtime *r, struct rcr_error **err)
{
	struct stat st;

	if (r == NULL || r->dir == NULL || r->dir[0] == '\0') {
		rcr_error_set(err, EINVAL, "creating the runtime directory: no directory decided");
		return -1;
	}
	/* lstat, not stat: a symlink planted at /tmp/rcr-run-UID must be seen as one. */
	if (lstat(r->dir, &st) < 0) {
		if (errno != ENOENT) {
			rcr_error_set_errno(err, errno, "checking runtime directory '%s'", r->dir);
			return -1;
		}
		if (fs_mkdir_p(r->dir, 0700, err) < 0)
			return -1;
		if (lstat(r->dir, &st) < 0) {
			rcr_error_set_errno(err, errno, "checking runtime directory '%s'", r->dir);
			return -1;
		}
	}
	return runtime_dir_check(r->dir, &st, err);
}

char *paths_user_name(void)
{
	_cleanup_free_ char *buf = NULL;
	struct passwd pw;
	struct passwd *p = own_passwd(&pw, &buf);
	char *name = NULL;

	if (p != NULL && p->pw_name != NULL && *p->pw_name != '\0')
		return strdup(p->pw_name);
	if (asprintf(&name, "uid %u", (unsigned)getuid()) < 0)
		return NULL;
	return name;
}
