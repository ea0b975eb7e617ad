/* The processes of a container (`rcr top`), found from the host: every process whose pid
 * namespace is the container's, with its ids as the container sees them (the last NSpid, the
 * uid mapped back through the container's map). Read-only: never signals or enters anything.
 */
#include "container/container.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/cleanup.h"
#include "pkg/fs.h"

static char *read_small(const char *path, size_t *len)
{
	_cleanup_error_ struct rcr_error *err = NULL;

	return fs_read_file(path, 1 << 20, len, &err);
}

/* "NSpid:\t123\t1" -> the last (innermost) number; "PPid" the same way via the parent. */
static long status_last(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	long v = -1;

	if (p == NULL)
		return -1;
	p += strlen(key);
	while (*p != '\n' && *p != '\0') {
		char *end;
		long n = strtol(p, &end, 10);

		if (end == p)
			break;
		v = n;
		p = end;
	}
	return v;
}

static char *cmdline(pid_t pid)
{
	char path[64];
	size_t len = 0;
	char *s;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	s = read_small(path, &len);
	for (size_t i = 0; s != NULL && i + 1 < len; i++)
		if (s[i] == '\0')
			s[i] = ' ';
	return s;
}

static uid_t inner_uid(const struct userns_map *m, uid_t outer)
{
	for (size_t i = 0; i < m->n; i++)
		if (outer >= m->v[i].outer && outer - m->v[i].outer < m->v[i].count)
			return m->v[i].inner + (outer - m->v[i].outer);
	return 65534;
}

/* Field n (as proc(5) numbers them, 3 = state) of a stat line, given the text after ") ". */
static unsigned long long stat_field(const char *fields, int n)
{
	const char *p = fields;

	for (int i = 3; i < n && p != NULL; i++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

static json_t *one_process(pid_t pid, const struct rt_spec *s, long long boot_secs)
{
	char path[64], comm[64] = "";
	_cleanup_free_ char *status = NULL, *stat = NULL, *args = NULL;
	unsigned long long ut = 0, st = 0, start = 0;
	long tick = sysconf(_SC_CLK_TCK), ppid_outer;
	const char *rp;
	json_t *o;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	status = read_small(path, NULL);
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	stat = read_small(path, NULL);
	if (status == NULL || stat == NULL || (rp = strrchr(stat, ')')) == NULL)
		return NULL;
	if (strchr(stat, '(') != NULL)
		snprintf(comm, sizeof(comm), "%.*s", (int)(rp - strchr(stat, '(') - 1),
			 strchr(stat, '(') + 1);
	/* fields after ") ": 3 state, 4 ppid, ..., 14 utime, 15 stime, 22 starttime */
	ppid_outer = (long)stat_field(rp + 2, 4);
	ut = stat_field(rp + 2, 14);
	st = stat_field(rp + 2, 15);
	start = stat_field(rp + 2, 22);
	args = cmdline(pid);
	o = json_pack("{sIsIsIsssssIsIsI}", "pid", (json_int_t)status_last(status, "NSpid:"), "uid",
		      (json_int_t)inner_uid(&s->uidmap, (uid_t)status_last(status, "Uid:")),
		      "ppid_outer", (json_int_t)ppid_outer, "comm", comm, "args",
		      args && *args ? args : comm, "cpu_secs", (json_int_t)((ut + st) / tick),
		      "elapsed", (json_int_t)(boot_secs - (long long)(start / tick)), "outer",
		      (json_int_t)pid);
	return o;
}

static long long uptime_secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec;
}

int ctr_top(const struct rt_spec *s, pid_t pid1, json_t **out, struct rcr_error **err)
{
	char path[300], want[64], have[64];
	_cleanup_closedir_ DIR *d = opendir("/proc");
	struct dirent *de;
	ssize_t n;
	json_t *list = json_array();

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid1);
	n = readlink(path, want, sizeof(want) - 1);
	if (n <= 0 || d == NULL) {
		rcr_error_set_errno(err, errno, "reading the container's processes");
		json_decref(list);
		return -1;
	}
	want[n] = '\0';
	while ((de = readdir(d)) != NULL) {
		json_t *p;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/pid", de->d_name);
		n = readlink(path, have, sizeof(have) - 1);
		if (n <= 0)
			continue;
		have[n] = '\0';
		if (strcmp(have, want) != 0)
			continue;
		p = one_process((pid_t)strtol(de->d_name, NULL, 10), s, uptime_secs());
		if (p != NULL)
			json_array_append_new(list, p);
	}
	*out = list;
	return 0;
}
