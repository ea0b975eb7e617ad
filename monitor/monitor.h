/* rcr-monitor: one per running container (DESIGN.md §3). It detaches from rcr, starts the
 * container through runtime/, then pumps its output into the log and to attached clients, and
 * records its exit. Its state is this struct; its files are monitor.c (the sequence), loop.c (the
 * event loop) and attach.c (the attach socket).
 *
 * Must never leak or grow: it lives as long as its container.
 */
#ifndef RCR_MONITOR_MONITOR_H
#define RCR_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "monitor/k8slog.h"
#include "monitor/state.h"
#include "network/helper.h"
#include "pkg/error.h"
#include "runtime/spec.h"

#define MON_CLIENTS_MAX 16

struct mon {
	struct rt_spec spec;
	int sync_fd;   /* to rcr during start-up, -1 afterwards */
	int listen_fd; /* the attach socket */
	int clients[MON_CLIENTS_MAX];
	size_t n_clients;
	int out_fd, err_fd; /* read ends of the container's stdout/stderr, or the pty master */
	int in_fd;	    /* write end of its stdin, or the pty master; -1 when closed */
	int pty_master;
	struct mon_log *log;
	struct mon_run_info run;
	bool exited;
	int status; /* wait status */
	int epfd, sigfd;
	int cleanup_client; /* the client that said MON_ATTACH_CLEANUP, or -1 */
	char *inbuf;	    /* stdin queued for the container (stdin.c) */
	size_t inlen;
	bool in_eof;	       /* close stdin once the queue is written */
	bool in_watched;       /* in_fd is in epoll for EPOLLOUT */
	bool clients_paused;   /* the queue is full: clients are not read */
	struct net_helper net; /* pasta or slirp4netns, when the network mode has one */
};

/* The whole life of a monitor: returns the process exit code. */
int mon_main(const char *spec_path, int sync_fd, bool wait_go);

/* loop.c: pump until the container exited and its output is drained. */
int mon_loop(struct mon *m, struct rcr_error **err);
/* Record output (log and clients). */
void mon_output(struct mon *m, int stream, const char *buf, size_t len);

/* stdin.c: the container's stdin, never written with a blocking call */
void mon_stdin_queue(struct mon *m, const char *buf, size_t len);
void mon_stdin_eof(struct mon *m);
void mon_stdin_flush(struct mon *m);

/* net.c: the network helper */
/* Before the container exists: every published host port is free. */
int mon_net_check(struct mon *m, struct rcr_error **err);
/* Once its namespaces exist (pid recorded): start the helper and record it (net.json). */
int mon_net_start(struct mon *m, pid_t pid, struct rcr_error **err);
/* Stop the helper and forget it. */
void mon_net_stop(struct mon *m);

/* attach.c */
int mon_attach_listen(struct mon *m, struct rcr_error **err);
void mon_attach_accept(struct mon *m);
/* Handle a packet from client i; false when the client is gone (removed). */
bool mon_attach_read(struct mon *m, size_t i);
void mon_attach_send(struct mon *m, int type, const char *buf, size_t len);
void mon_attach_close_all(struct mon *m);
/* After the exit code went out: wait for the cleanup client's MON_ATTACH_DONE; false when it
 * went away without it (the monitor must clean up itself). */
bool mon_attach_await_done(struct mon *m);

#endif
