/* `rcr system check`'s judgement: rootless prerequisites as pass/warn/fail lines, each failure
 * with the exact fix. Pure: facts in, lines out, so each verdict is unit-tested without
 * creating the condition.
 */
#ifndef RCR_RUNTIME_PREREQ_H
#define RCR_RUNTIME_PREREQ_H

#include <stddef.h>

#include "runtime/host.h"

enum rt_check_status {
	RT_CHECK_OK,
	RT_CHECK_WARN, /* rcr runs, with less (single id, no limits, fuse-overlayfs...) */
	RT_CHECK_FAIL, /* rcr cannot run containers until this is fixed */
};

struct rt_check {
	const char *name; /* static: "user namespaces", "subuid range", ... */
	enum rt_check_status status;
	char *detail; /* owned: what was found */
	char *fix;    /* owned: the command or option that fixes it; NULL when ok */
};

#define RT_CHECKS_MAX 24

struct rt_checks {
	struct rt_check v[RT_CHECKS_MAX];
	size_t n;
};

void rt_prereq_judge(const struct rt_host_facts *f, struct rt_checks *out);
void rt_checks_release(struct rt_checks *c);

/* Counts by status; returns the number of failures. */
size_t rt_checks_count(const struct rt_checks *c, enum rt_check_status status);

/* "ok", "warn", "fail". */
const char *rt_check_status_name(enum rt_check_status s);

#endif
