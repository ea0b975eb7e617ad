/* rcr-monitor's entry point. The per-container monitor (DESIGN.md §3) is built with issue "Run";
 * until then this binary only identifies itself and refuses to be used, so nothing can mistake it
 * for a working monitor. Links only pkg/, runtime/, monitor/ and network/.
 */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-v") == 0)) {
		printf("rcr-monitor version %s\n", RCR_VERSION);
		return 0;
	}
	fprintf(stderr, "Error: rcr-monitor is started by 'rcr run', which is not supported yet\n");
	return 125;
}
