/* Flags of `rcr create` and `rcr run`, and what container commands share: the store, the runtime
 * dir, where rcr-monitor is, and turning a name or id into a container.
 */
#ifndef RCR_CMD_CTR_FLAGS_H
#define RCR_CMD_CTR_FLAGS_H

#include <stdbool.h>

#include "cmd/common.h"
#include "container/container.h"

enum pull_policy { PULL_MISSING, PULL_ALWAYS, PULL_NEVER };

struct ctr_flags {
	const char *image;
	char **cmd; /* borrowed from argv */
	bool detach, interactive, tty, remove, replace, env_host, privileged, read_only, init;
	bool quiet, sig_proxy, publish_all, no_hosts;
	int read_only_tmpfs;
	const char *name, *user, *workdir, *entrypoint, *hostname, *tz, *network, *log_driver;
	const char *stop_signal, *memory, *cpus, *authfile, *mac_address, *userns;
	int stop_timeout;
	long long pids_limit;
	enum pull_policy pull;
	enum tls_verify tls;
	char **env, **env_files, **cap_add, **cap_drop, **security_opts, **ulimits, **group_add;
	char **labels, **log_opts, **volumes, **mounts, **tmpfs, **uidmaps, **gidmaps;
	char **publish, **dns, **dns_search, **dns_options, **add_hosts, **expose;
};

/* 0 parsed, 1 for --help, -1 with err. */
int ctr_flags_parse(const char *cmd, int argc, char **argv, struct ctr_flags *f,
		    struct rcr_error **err);
void ctr_flags_release(struct ctr_flags *f);
/* The image per --pull: looked up, or pulled. */
int ctr_flags_image(struct cli_store *cs, const struct ctr_flags *f, struct store_image_info *info,
		    struct rcr_error **err);
void ctr_flags_to_opts(const struct ctr_flags *f, struct ctr_opts *o);

/* What every container command opens. */
struct cli_ctr_env {
	struct cli_store cs;
	char *runroot;	    /* owned: the decided runtime dir */
	char *monitor_path; /* owned */
	char *rcr_path;	    /* owned */
};
int cli_ctr_open(struct cli_global *g, struct cli_ctr_env *e, struct rcr_error **err);
void cli_ctr_close(struct cli_ctr_env *e);

/* A container as a command acts on it. */
struct cli_ctr {
	struct store_container row;
	char *userdata; /* owned */
	struct ctr_state state;
	struct rt_spec spec; /* read when asked for */
};

/* Find key (a name, an id or an id prefix; "no such container" otherwise), judge its state,
 * read its spec when load_spec, and refuse a container that is not running when not_running
 * (the reason, e.g. "you can only attach to running containers") is given. */
int cli_ctr_find(struct cli_ctr_env *e, const char *key, bool load_spec, const char *not_running,
		 struct cli_ctr *out, struct rcr_error **err);
void cli_ctr_release(struct cli_ctr *c);

/* `rcr create`'s work for run and create: the container's id (owned), printed by neither. */
char *cli_ctr_create(struct cli_global *g, struct cli_ctr_env *e, const struct ctr_flags *f,
		     struct rcr_error **err);

/* Run fn on each of names (or every container when all), printing what fn returns as the
 * container's line (the name as given, or the id for --all). Failures are joined into err and
 * the result is -1 when any failed (after trying them all), as Podman does. */
typedef int (*cli_ctr_fn)(struct cli_ctr_env *e, const char *id, void *arg, struct rcr_error **err);
int cli_ctr_each(struct cli_ctr_env *e, char **names, int n, bool all, cli_ctr_fn fn, void *arg,
		 struct rcr_error **err);

/* A simple getopt loop for the container commands: each entry maps a flag to a handler. */
int cli_parse_timeout(const char *v, int *out, struct rcr_error **err);

#endif
