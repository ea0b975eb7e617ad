/* cgroup layout detection: which hierarchy the host runs, where this process sits, and whether
 * the user was delegated a cgroup v2 subtree in which rcr may make child cgroups for limits.
 * Never writes to any cgroup file: rcr must not touch the host's hierarchies.
 */
#ifndef RCR_RUNTIME_CGROUP_H
#define RCR_RUNTIME_CGROUP_H

#include <stdbool.h>

enum rt_cgroup_mode {
	RT_CGROUP_V1,	  /* legacy: every controller on v1 */
	RT_CGROUP_HYBRID, /* v1 controllers plus a v2 tree at /sys/fs/cgroup/unified */
	RT_CGROUP_V2,	  /* unified: /sys/fs/cgroup is cgroup2 */
	RT_CGROUP_NONE,	  /* no cgroup filesystem mounted */
};

struct rt_cgroup_info {
	enum rt_cgroup_mode mode;
	char *own_path;	   /* owned: this process's v2 path ("0::" line), NULL when none */
	char *controllers; /* owned: controllers enabled for our subtree (space separated) */
	bool delegated;	   /* our v2 cgroup dir is ours to write and has controllers */
	char *why_not;	   /* owned: why limits are unavailable, NULL when delegated */
};

/* Read /proc/self/cgroup and /sys/fs/cgroup. root is "/sys/fs/cgroup" except in tests. */
void rt_cgroup_detect(const char *root, const char *proc_self_cgroup, struct rt_cgroup_info *out);
void rt_cgroup_info_release(struct rt_cgroup_info *c);

/* "v1", "hybrid", "v2", "none". */
const char *rt_cgroup_mode_name(enum rt_cgroup_mode m);

#endif
