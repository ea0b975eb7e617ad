/* Starting and stopping a network helper (helper.h): the mode picks pasta.c or slirp.c. */
#include "network/helper.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int net_helper_start(const struct net_helper_conf *c, pid_t ctr_pid, struct net_helper *out,
		     struct rcr_error **err)
{
	int rc;

	if (strcmp(c->mode, "pasta") == 0)
		rc = net_pasta_start(c, ctr_pid, out, err);
	else if (strcmp(c->mode, "slirp4netns") == 0)
		rc = net_slirp_start(c, ctr_pid, out, err);
	else
		return rcr_error_set(err, EINVAL, "'%s' has no network helper", c->mode), -1;
	if (rc < 0)
		rcr_error_wrap(err, "starting the container's network (%s)", c->mode);
	return rc;
}

void net_helper_stop(struct net_helper *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGKILL);
		/* ours (slirp4netns), or pasta's daemon inherited as the subreaper's; ECHILD else
		 */
		while (waitpid(h->pid, NULL, 0) < 0 && errno == EINTR)
			;
		h->pid = 0;
	}
	if (h->exit_fd >= 0) {
		close(h->exit_fd);
		h->exit_fd = -1;
	}
}

int net_helper_check_opts(const char *mode, char *const *opts, struct rcr_error **err)
{
	if (strcmp(mode, "slirp4netns") == 0)
		return net_slirp_check_opts(opts, err);
	/* pasta's own options are pasta's to judge, when it starts */
	return 0;
}
