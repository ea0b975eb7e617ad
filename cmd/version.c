/* `rcr version`: the version of rcr and what it was built with, in Podman's layout, as json or
 * through a --format template. Prints only; no store access, so it works on a broken machine.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "cmd/cmd.h"
#include "cmd/format.h"
#include "pkg/cleanup.h"
#include "pkg/json.h"

static json_t *version_json(void)
{
	struct utsname u;

	uname(&u);
	return json_pack("{s:{s:s, s:s, s:s, s:s}}", "Client", "Version", RCR_VERSION, "GoVersion",
			 "none (C, " __VERSION__ ")", "BuiltTime", __DATE__ " " __TIME__, "OsArch",
			 u.machine);
}

int cmd_version(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	static const struct option opts[] = {
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *format = NULL;
	struct utsname u;
	int c;

	(void)g;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			format = optarg;
			break;
		case 'h':
			printf("Usage: rcr version [--format json|TEMPLATE]\n");
			return 0;
		default:
			return cli_usage_error("version", argv[optind - 1], err);
		}
	}
	if (optind < argc)
		return cli_usage_error("version", argv[optind], err);
	if (format != NULL && strcmp(format, "json") == 0) {
		_cleanup_json_ json_t *j = version_json();
		_cleanup_free_ char *s = json_dump_string(j, true);

		printf("%s\n", s ? s : "{}");
		return 0;
	}
	if (format != NULL) {
		_cleanup_json_ json_t *j = version_json();

		return cli_print_template(format, j, err) < 0 ? -1 : 0;
	}
	uname(&u);
	printf("Version:      %s\nBuilt:        %s %s\nOS/Arch:      linux/%s\n", RCR_VERSION,
	       __DATE__, __TIME__, u.machine);
	return 0;
}
