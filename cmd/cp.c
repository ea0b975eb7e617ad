/* `rcr cp`: not supported by this rcr yet (a clear error, never a partial copy). */
#include <errno.h>

#include "cmd/cmd.h"

int cmd_cp(struct cli_global *g, int argc, char **argv, struct rcr_error **err)
{
	(void)g;
	(void)argc;
	(void)argv;
	rcr_error_set(err, ENOTSUP, "rcr cp is not supported yet");
	return -1;
}
