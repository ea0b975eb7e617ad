/* `rcr system ...`: the command group, and `rcr system check`, which tells a person whether rcr
 * can run containers here and, for every problem, the fix. Exit 0 when containers can run
 * (warnings allowed), 1 when they cannot.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"
#include "runtime/host.h"
#include "runtime/prereq.h"

static const struct cli_command system_commands[] = {
	{"check", cmd_system_check, "Check the host for rootless prerequisites, with fixes"},
	{"info", cmd_info, "Display rcr system information"},
	{NULL, NULL, NULL},
};

int cmd_system(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	return cli_dispatch("system", system_commands, g, argc - 1, argv + 1, err);
}

static void print_text(const struct rt_checks *checks)
{
	size_t fails = rt_checks_count(checks, RT_CHECK_FAIL);
	size_t warns = rt_checks_count(checks, RT_CHECK_WARN);

	for (size_t i = 0; i < checks->n; i++) {
		const struct rt_check *k = &checks->v[i];
		const char *tag = k->status == RT_CHECK_OK     ? "[ ok ]"
				  : k->status == RT_CHECK_WARN ? "[warn]"
							       : "[FAIL]";

		printf("%s %s: %s\n", tag, k->name, k->detail ? k->detail : "");
		if (k->fix != NULL)
			printf("       fix: %s\n", k->fix);
	}
	if (fails > 0)
		printf("\nrcr cannot run containers here: %zu check%s failed, %zu warning%s.\n",
		       fails, fails == 1 ? "" : "s", warns, warns == 1 ? "" : "s");
	else
		printf("\nrcr can run containers here (%zu warning%s).\n", warns,
		       warns == 1 ? "" : "s");
}

static void print_json(const struct rt_checks *checks)
{
	_cleanup_json_ json_t *a = json_array();
	_cleanup_free_ char *s = NULL;

	for (size_t i = 0; i < checks->n; i++) {
		const struct rt_check *k = &checks->v[i];

		json_array_append_new(a, json_pack("{s:s, s:s, s:s?, s:s?}", "Name", k->name,
						   "Status", rt_check_status_name(k->status),
						   "Detail", k->detail, "Fix", k->fix));
	}
	s = json_dump_string(a, true);
	printf("%s\n", s ? s : "[]");
}

int cmd_system_check(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct rt_host_paths paths = rt_host_paths_default();
	struct rt_host_facts facts;
	struct rt_checks checks;
	const char *format = NULL;
	size_t fails;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			printf("Usage: rcr system check [--format json]\n\nCheck every rootless "
			       "prerequisite; print a fix for each problem.\nExit 0 when rcr can "
			       "run containers here, 1 when it cannot.\n");
			return 0;
		default:
			return cli_usage_error("system check", argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return cli_usage_error("system check", argv[optind], err);
	if (format != NULL && strcmp(format, "json") != 0) {
		rcr_error_set(err, ENOTSUP, "--format '%s' is not supported yet: use --format json",
			      format);
		return -1;
	}
	paths.store_root = g->root;
	paths.runroot = g->runroot;
	rt_host_gather(&paths, &facts);
	rt_prereq_judge(&facts, &checks);
	rt_host_facts_release(&facts);
	if (format != NULL)
		print_json(&checks);
	else
		print_text(&checks);
	fails = rt_checks_count(&checks, RT_CHECK_FAIL);
	rt_checks_release(&checks);
	return fails > 0 ? 1 : 0;
}
