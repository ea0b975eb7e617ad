/* Containers as a user sees them (Podman's libpod): made from an image and flags, started through
 * rcr-monitor, judged running or exited from the state files, stopped, killed and removed.
 *
 * This folder sits between cmd/ and the rest (container -> storage, image, runtime, monitor,
 * network, pkg): commands parse and print, this does the work, so that each command stays thin.
 */
#ifndef RCR_CONTAINER_CONTAINER_H
#define RCR_CONTAINER_CONTAINER_H

#include <stdbool.h>
#include <sys/types.h>

#include <jansson.h>

#include "monitor/state.h"
#include "pkg/error.h"
#include "pkg/userns.h"
#include "runtime/spec.h"
#include "storage/store.h"

/* What `rcr create` / `rcr run` flags ask for. Strings and vectors are borrowed; NULL = unset. */
struct ctr_opts {
	const char *image_id;	   /* resolved "sha256:..." */
	const char *const *layers; /* its layers' chain ids, bottom first, as the caller found it */
	size_t n_layers;
	const char *image_name; /* the name it was found by, for ps (may be NULL) */
	char **cmd;		/* after IMAGE; NULL or empty: the image's Cmd */
	const char *name;
	const char *entrypoint; /* "--entrypoint": "" clears the image's; JSON array allowed */
	char **env, **env_files;
	bool env_host;
	const char *user, *workdir, *hostname;
	char **cap_add, **cap_drop, **security_opts, **ulimits, **group_add, **labels;
	bool privileged, read_only, tty, interactive, remove, init, replace;
	int read_only_tmpfs; /* -1 unset (true with --read-only) */
	const char *tz, *network, *log_driver;
	char **publish;	  /* -p as given (network/ports.h) */
	bool publish_all; /* -P: the image's ExposedPorts on free host ports */
	char **expose;	  /* --expose: more ports for -P */
	bool no_hosts;	  /* --no-hosts: the image's own /etc/hosts */
	char **dns, **dns_search, **dns_options, **add_hosts;
	const char *mac_address;
	char **log_opts;
	const char *stop_signal;
	int stop_timeout; /* -1 unset */
	const char *memory, *cpus;
	long long pids_limit;
	char **volumes, **mounts, **tmpfs; /* -v, --mount, --tmpfs as given (container/mounts.h) */
	const char *rcr_path;		   /* this rcr binary, for the exit command */
	const char *root, *runroot;	   /* --root / --runroot to pass to the exit command */
	const char *userns;		   /* --userns (NULL: not given) */
	char **uidmaps, **gidmaps;	   /* --uidmap, --gidmap as given */
};

/* The runtime dir for a container: RUNDIR/<id> (owned). */
char *ctr_rundir(const char *runroot, const char *id);

/* Make the container: its row, its directories, its spec.json and generated /etc files. *id_out
 * gets the new id (owned). Warnings (limits without a delegated cgroup...) go through rcr_warn. */
int ctr_create(struct store *st, const struct userns_user_maps *maps, const char *runroot,
	       const struct ctr_opts *o, char **id_out, struct rcr_error **err);

/* Decide s's user namespace from o (--userns, --uidmap, --gidmap) and the user's default maps:
 * s->uidmap/gidmap, the helpers, userns_mode, the store's maps when the root must be served
 * across namespaces, and keep-id's user (s->user unless -u, passwd/group lines). After s->user
 * was set from -u or the image. */
int ctr_userns_apply(const struct ctr_opts *o, const struct userns_user_maps *maps,
		     struct rt_spec *s, struct rcr_error **err);

/* ---- state --------------------------------------------------------------------------------- */

enum ctr_status { CTR_CREATED, CTR_RUNNING, CTR_STOPPING, CTR_EXITED, CTR_REMOVING };

struct ctr_state {
	enum ctr_status status;
	struct mon_run_info run; /* valid when has_run */
	bool has_run;
	struct mon_exit_info exit; /* valid when has_exit */
	bool has_exit;
	bool monitor_alive;
};

/* Judge the container in dir userdata (its row's state given as row_state). */
void ctr_state_get(const char *userdata, const char *row_state, struct ctr_state *out);
/* "created", "running", "exited", ... as Podman prints them. */
const char *ctr_status_name(enum ctr_status s);

/* Docker-compatible inspect document of a container (owned); its state in *state_out when not
 * NULL. */
json_t *ctr_inspect_json(struct store *st, const struct store_container *row,
			 struct ctr_state *state_out, struct rcr_error **err);

/* The processes in the pid namespace of pid1: an array of {pid, uid, ppid_outer, comm, args,
 * cpu_secs, elapsed, outer} (owned), ids as the container sees them. */
int ctr_top(const struct rt_spec *s, pid_t pid1, json_t **out, struct rcr_error **err);

/* Find a container by name, full id or unique id prefix: 0 and *out, or -1 with Podman's
 * "no such container" error (ENOENT) when there is none. */
int ctr_lookup(struct store *st, const char *key, struct store_container *out,
	       struct rcr_error **err);

/* The userdata dir of a container (owned). */
char *ctr_userdata(struct store *st, const char *id);

/* ---- start, signals, removal --------------------------------------------------------------------
 */

/* Start container id: spawn its monitor. With attach, *attach_fd gets a connection to its attach
 * socket made before the command started (so no output is missed). Returns 0 when running; -1
 * with *exit_code 125/126/127 when it could not start. A running container is an error unless
 * ok_running. */
int ctr_start(struct store *st, const char *monitor_path, const char *id, bool attach,
	      int *attach_fd, int *exit_code, struct rcr_error **err);

/* After an attached start of a --rm container returned its exit code: remove it (with its
 * anonymous volumes) here and tell the monitor (which removes it itself when this rcr goes away
 * first). */
void ctr_attach_remove(struct store *st, const char *id, int attach_fd);

/* Send sig to the container's PID 1 (must be running). */
int ctr_kill(struct store *st, const char *id, int sig, struct rcr_error **err);

/* Stop: sig (0: the container's stop signal), then SIGKILL after timeout seconds (-1: the
 * container's). A container not running is fine. Waits until it exited and its exit is
 * recorded (written here when its monitor is gone). */
int ctr_stop(struct store *st, const char *id, int sig, int timeout, struct rcr_error **err);

/* Wait until the container is not running; returns its exit code (-1 when unknown). */
int ctr_wait_exit(struct store *st, const char *id, struct rcr_error **err);

/* Remove: refused while running unless force (which kills it first). With volumes (rm -v,
 * --rm), the container's anonymous volumes go too once no other container uses them; named
 * volumes never do. */
int ctr_remove(struct store *st, const char *id, bool force, bool volumes, struct rcr_error **err);

/* Connect to a running container's attach socket (owned fd). */
int ctr_attach_connect(const char *rundir, struct rcr_error **err);

/* Relay between the terminal and an attach connection until the container exits; returns its
 * exit code (-1 if the connection broke without one). stdin is forwarded when with_stdin; with
 * tty the terminal is put in raw mode and resizes are sent. sig_proxy_pid > 0 gets the signals
 * rcr receives (SIGINT, SIGTERM, SIGHUP...). */
int ctr_attach_relay(int fd, bool with_stdin, bool tty, pid_t sig_proxy_pid);

/* Relay between the terminal (raw) and a pty master until the master closes (exec -t). */
void ctr_pty_relay(int master, bool with_stdin);

/* ---- cp ------------------------------------------------------------------------------------- */

/* `rcr cp`: one side is a path in a container, the other a host path or "-" (a tar stream on
 * stdin or stdout). Strings are borrowed. */
struct ctr_cp_opts {
	const char *container; /* name or id prefix */
	const char *ctr_path;  /* inside the container, relative to its root ("" is "/") */
	const char *host_path; /* a path on the host, or "-" */
	bool to_ctr;	       /* host -> container; else container -> host */
	bool archive;	       /* Podman's --archive (default true): what is copied in is owned by
				* the container's user; false keeps the archive's uid/gid */
	bool overwrite;	       /* a directory may replace a non-directory and vice versa */
};

/* Copy as `docker cp` places files: onto a missing destination (its parent must exist), into an
 * existing directory, the contents only for a source ending in "/.". Works on running (joining
 * its namespaces) and stopped containers (mounting its root in a user namespace); container paths
 * never resolve outside the container's root. Files copied out are the user's. */
int ctr_cp(struct store *st, const struct ctr_cp_opts *o, struct rcr_error **err);

#endif
