/* What `rcr pull` shows while it works, on stderr: on a terminal one line per layer redrawn in
 * place with bytes received; otherwise Podman's plain lines ("Copying blob sha256:... done").
 * Events come from several download threads at once.
 */
#ifndef RCR_CMD_PROGRESS_H
#define RCR_CMD_PROGRESS_H

#include <stdbool.h>

#include "image/pull.h"

struct progress;

/* quiet: print nothing. The returned object is passed as the pull's event_arg. */
struct progress *progress_new(bool quiet);
void progress_free(struct progress *p);

void progress_event(void *arg, enum pull_event ev, const char *detail);
void progress_bytes(void *arg, const char *digest, long long done, long long total);

#endif
