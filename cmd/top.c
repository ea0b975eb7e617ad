/* `rcr top CONTAINER [DESCRIPTOR...]`: the container's processes as Podman's default columns
 * (USER PID PPID %CPU ELAPSED TTY TIME COMMAND) or the AIX descriptors asked for.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/ctr_flags.h"
#include "pkg/cleanup.h"
#include "pkg/fs.h"
#include "pkg/tabwriter.h"

static const struct {
	const char *name, *heading;
} descriptors[] = {
	{"user", "USER"},     {"pid", "PID"}, {"ppid", "PPID"}, {"pcpu", "%CPU"},
	{"etime", "ELAPSED"}, {"tty", "TTY"}, {"time", "TIME"}, {"args", "COMMAND"},
	{"comm", "COMMAND"},  {"uid", "UID"},
};

static const char *heading_of(const char *d)
{
	for (size_t i = 0; i < sizeof(descriptors) / sizeof(descriptors[0]); i++)
		if (strcmp(descriptors[i].name, d) == 0)
			return descriptors[i].heading;
	return NULL;
}

static void hms(long long s, char *out, size_t len)
{
	if (s < 0)
		s = 0;
	snprintf(out, len, "%02lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
}

/* The inner pid of a process's parent: look the outer ppid up among the listed ones. */
static json_int_t inner_ppid(json_t *list, json_int_t outer)
{
	json_t *p;
	size_t i;

	json_array_foreach (list, i, p)
		if (json_integer_value(json_object_get(p, "outer")) == outer)
			return json_integer_value(json_object_get(p, "pid"));
	return 0;
}

static void cell(json_t *list, json_t *p, const char *d, char *out, size_t len)
{
	long long uid = json_integer_value(json_object_get(p, "uid"));

	if (strcmp(d, "user") == 0 && uid == 0)
		snprintf(out, len, "root");
	else if (strcmp(d, "user") == 0 || strcmp(d, "uid") == 0)
		snprintf(out, len, "%lld", uid);
	else if (strcmp(d, "pid") == 0)
		snprintf(out, len, "%lld",
			 (long long)json_integer_value(json_object_get(p, "pid")));
	else if (strcmp(d, "ppid") == 0)
		snprintf(out, len, "%lld",
			 (long long)inner_ppid(
				 list, json_integer_value(json_object_get(p, "ppid_outer"))));
	else if (strcmp(d, "pcpu") == 0) {
		long long el = json_integer_value(json_object_get(p, "elapsed"));
		long long cpu = json_integer_value(json_object_get(p, "cpu_secs"));

		snprintf(out, len, "%.3f", el > 0 ? 100.0 * (double)cpu / (double)el : 0.0);
	} else if (strcmp(d, "etime") == 0)
		hms(json_integer_value(json_object_get(p, "elapsed")), out, len);
	else if (strcmp(d, "time") == 0)
		hms(json_integer_value(json_object_get(p, "cpu_secs")), out, len);
	else if (strcmp(d, "tty") == 0)
		snprintf(out, len, "?");
	else if (strcmp(d, "args") == 0 || strcmp(d, "comm") == 0)
		snprintf(
			out, len, "%s",
			json_string_value(json_object_get(p, strcmp(d, "comm") ? "args" : "comm")));
}

static void append(char **text, size_t *len, const char *s, char sep)
{
	size_t n = strlen(s);
	char *t = realloc(*text, *len + n + 2);

	if (t == NULL)
		return;
	memcpy(t + *len, s, n);
	t[*len + n] = sep;
	t[*len + n + 1] = '\0';
	*len += n + 1;
	*text = t;
}

static int print_top(json_t *list, const char *const *desc, int n_desc)
{
	static const char *const defaults[] = {"user",	"pid", "ppid", "pcpu",
					       "etime", "tty", "time", "args"};
	_cleanup_free_ char *text = NULL, *aligned = NULL;
	size_t len = 0;
	json_t *p;
	size_t i;

	if (n_desc == 0) {
		desc = defaults;
		n_desc = 8;
	}
	for (int k = 0; k < n_desc; k++)
		append(&text, &len, heading_of(desc[k]), k + 1 < n_desc ? '\t' : '\n');
	json_array_foreach (list, i, p) {
		for (int k = 0; k < n_desc; k++) {
			char buf[4096] = "";

			cell(list, p, desc[k], buf, sizeof(buf));
			append(&text, &len, buf, k + 1 < n_desc ? '\t' : '\n');
		}
	}
	aligned = text ? tabwriter_align(text, 12, 2) : NULL;
	if (aligned != NULL)
		fputs(aligned, stdout);
	return 0;
}

int cmd_top(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	struct cli_ctr_env e;
	struct cli_ctr c;
	json_t *list = NULL;
	int rc = -1;

	if (argc < 2) {
		rcr_error_set(err, EINVAL, "top requires at least 1 arg(s), only received 0");
		return -1;
	}
	for (int i = 2; i < argc; i++)
		if (heading_of(argv[i]) == NULL) {
			rcr_error_set(err, EINVAL,
				      "unknown descriptor '%s': use user, pid, ppid, "
				      "pcpu, etime, tty, time, args, comm or uid",
				      argv[i]);
			return -1;
		}
	if (cli_ctr_open(g, &e, err) < 0)
		return -1;
	if (cli_ctr_find(&e, argv[1], true, "top can only be used on running containers", &c,
			 err) == 0 &&
	    ctr_top(&c.spec, c.state.run.pid, &list, err) == 0)
		rc = print_top(list, (const char *const *)argv + 2, argc - 2);
	json_decref(list);
	cli_ctr_release(&c);
	cli_ctr_close(&e);
	return rc < 0 ? -1 : 0;
}
