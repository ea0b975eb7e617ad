/* cgroup layout detection (see cgroup.h).
 *
 * Read-only by design. crun refuses to run at all on a hybrid layout; rcr only reports that
 * resource limits are unavailable there and goes on (issue "Run").
 */
#include "runtime/cgroup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

#define CGROUP2_SUPER_MAGIC 0x63677270

static bool is_cgroup2(const char *path)
{
	struct statfs st;

	return statfs(path, &st) == 0 && (unsigned long)st.f_type == CGROUP2_SUPER_MAGIC;
}

const char *rt_cgroup_mode_name(enum rt_cgroup_mode m)
{
	switch (m) {
	case RT_CGROUP_V1:
		return "v1";
	case RT_CGROUP_HYBRID:
		return "hybrid";
	case RT_CGROUP_V2:
		return "v2";
	case RT_CGROUP_NONE:
		return "none";
	}
	return "none";
}

/* The "0::/path" line of /proc/self/cgroup: our place in the v2 tree. */
static char *own_v2_path(const char *proc_self_cgroup)
{
	_cleanup_free_ char *text = fs_read_file(proc_self_cgroup, 1 << 16, NULL, NULL);
	char *line;
	char *save = NULL;

	if (text == NULL)
		return NULL;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, "0::", 3) == 0)
			return strdup(line + 3);
	return NULL;
}

static void trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
		s[--n] = '\0';
}

static void judge_delegation(const char *v2root, struct rt_cgroup_info *out)
{
	_cleanup_free_ char *dir = NULL;
	_cleanup_free_ char *ctl = NULL;
	struct stat st;

	if (out->own_path == NULL) {
		out->why_not = strdup("this process is in no cgroup v2 group");
		return;
	}
	dir = fs_path_join(v2root, out->own_path);
	ctl = dir ? fs_path_join(dir, "cgroup.controllers") : NULL;
	out->controllers = ctl ? fs_read_file(ctl, 4096, NULL, NULL) : NULL;
	if (out->controllers != NULL)
		trim(out->controllers);
	if (dir == NULL || stat(dir, &st) < 0 || st.st_uid != getuid() || access(dir, W_OK) < 0) {
		if (asprintf(&out->why_not,
			     "the cgroup '%s' is not delegated to this user (not owned or not "
			     "writable)",
			     out->own_path) < 0)
			out->why_not = NULL;
		return;
	}
	if (out->controllers == NULL || out->controllers[0] == '\0') {
		if (asprintf(&out->why_not, "no controllers are enabled in the cgroup '%s'",
			     out->own_path) < 0)
			out->why_not = NULL;
		return;
	}
	out->delegated = true;
}

void rt_cgroup_detect(const char *root, const char *proc_self_cgroup, struct rt_cgroup_info *out)
{
	_cleanup_free_ char *unified = fs_path_join(root, "unified");
	const char *v2root = NULL;
	struct statfs st;

	memset(out, 0, sizeof(*out));
	if (is_cgroup2(root)) {
		out->mode = RT_CGROUP_V2;
		v2root = root;
	} else if (unified != NULL && is_cgroup2(unified)) {
		out->mode = RT_CGROUP_HYBRID;
		v2root = unified;
	} else if (statfs(root, &st) == 0) {
		out->mode = RT_CGROUP_V1;
	} else {
		out->mode = RT_CGROUP_NONE;
	}
	out->own_path = own_v2_path(proc_self_cgroup);
	if (out->mode == RT_CGROUP_V1 || out->mode == RT_CGROUP_NONE) {
		out->why_not =
			strdup(out->mode == RT_CGROUP_V1
				       ? "the host uses cgroup v1, which cannot be delegated "
					 "to an unprivileged user"
				       : "no cgroup filesystem is mounted");
		return;
	}
	if (out->mode == RT_CGROUP_HYBRID) {
		/* Controllers live on v1 here; the v2 tree holds at most leftovers like hugetlb, so
		 * memory, cpu and pids limits cannot be set through it. */
		_cleanup_free_ char *ctl = fs_path_join(v2root, "cgroup.controllers");

		out->controllers = ctl ? fs_read_file(ctl, 4096, NULL, NULL) : NULL;
		if (out->controllers != NULL)
			trim(out->controllers);
		out->why_not = strdup("the host uses hybrid cgroups: memory, cpu and pids "
				      "controllers are on v1, which cannot be delegated");
		return;
	}
	judge_delegation(v2root, out);
}

void rt_cgroup_info_release(struct rt_cgroup_info *c)
{
	free(c->own_path);
	free(c->controllers);
	free(c->why_not);
	memset(c, 0, sizeof(*c));
}
