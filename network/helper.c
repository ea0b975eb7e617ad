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

/* pasta's options that would take the helper out of rcr's hands: staying in the foreground
 * (the monitor waits for pasta to be ready, i.e. to fork), another pid file, another namespace. */
static int check_pasta_opts(char *const *opts, struct rcr_error **err)
{
	static const char *const refused[] = {
		"-f",	  "--foreground", "-d",	       "--debug",  "--trace",
		"-P",	  "--pid",	  "--netns",   "--userns", "--netns-only",
		"--help", "-h",		  "--version", NULL};

	for (size_t i = 0; opts != NULL && opts[i] != NULL; i++)
		for (size_t k = 0; refused[k] != NULL; k++) {
			size_t n = strlen(refused[k]);

			if (strncmp(opts[i], refused[k], n) == 0 &&
			    (opts[i][n] == '\0' || opts[i][n] == '=')) {
				rcr_error_set(err, EINVAL,
					      "pasta option '%s' cannot be used with rcr: rcr "
					      "runs pasta in the background on the container's "
					      "namespaces and keeps its pid",
					      opts[i]);
				return -1;
			}
		}
	return 0;
}

int net_helper_check_opts(const char *mode, char *const *opts, struct rcr_error **err)
{
	if (strcmp(mode, "slirp4netns") == 0)
		return net_slirp_check_opts(opts, err);
	/* the rest of pasta's options are pasta's to judge, when it starts */
	return check_pasta_opts(opts, err);
}
