/* What rcr and rcr-monitor say to each other.
 *
 * The sync socket (a SOCK_SEQPACKET pair made by rcr, fd passed with --sync-fd) carries text
 * messages during start-up, monitor -> rcr: "ready" (the attach socket listens), "pid N" (the
 * command runs), "error CODE MESSAGE" (it could not start: CODE is the exit code for rcr);
 * rcr -> monitor: "go" (connected, start now).
 *
 * The attach socket (SOCK_SEQPACKET, RUNDIR/attach) carries packets of one type byte and data.
 */
#ifndef RCR_MONITOR_PROTOCOL_H
#define RCR_MONITOR_PROTOCOL_H

enum mon_attach_type {
	MON_ATTACH_STDIN = 0,  /* client -> monitor: bytes for the container's stdin */
	MON_ATTACH_STDOUT = 1, /* monitor -> client */
	MON_ATTACH_STDERR = 2,
	MON_ATTACH_EXIT = 3,   /* monitor -> client: the exit code as text; the last packet */
	MON_ATTACH_EOF = 4,    /* client -> monitor: close the container's stdin */
	MON_ATTACH_RESIZE = 5, /* client -> monitor: "ROWS COLS" */
	/* client -> monitor: "I remove the container (--rm) once I have the exit code": the
	 * monitor then sends the code first and runs its exit command only if the client goes away
	 * without MON_ATTACH_DONE (saves a whole rcr process per attached run --rm) */
	MON_ATTACH_CLEANUP = 6,
	MON_ATTACH_DONE = 7, /* client -> monitor: removed */
};

/* The largest packet, type byte included. */
#define MON_PACKET_MAX 32768

#define MON_SYNC_MAX 4096

#endif
