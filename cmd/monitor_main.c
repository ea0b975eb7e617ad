/* rcr-monitor's entry point (DESIGN.md §3): `rcr-monitor --spec PATH --sync-fd N [--wait]`, started
 * by rcr only. Links only pkg/, runtime/, monitor/ and network/ (libc, jansson, libseccomp), so
 * that one per running container stays small.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/monitor.h"

int main(int argc, char **argv)
{
	const char *spec = NULL;
	int sync_fd = -1;
	bool wait_go = false;

	if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
		printf("rcr-monitor version %s\n", RCR_VERSION);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--spec") == 0 && i + 1 < argc)
			spec = argv[++i];
		else if (strcmp(argv[i], "--sync-fd") == 0 && i + 1 < argc)
			sync_fd = (int)strtol(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--wait") == 0)
			wait_go = true;
	}
	if (spec == NULL || sync_fd < 0) {
		fprintf(stderr,
			"Error: rcr-monitor is started by rcr (usage: rcr-monitor --spec PATH "
			"--sync-fd N [--wait])\n");
		return 125;
	}
	return mon_main(spec, sync_fd, wait_go);
}
