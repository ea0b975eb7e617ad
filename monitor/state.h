/* A container's run state on disk, in its userdata dir: run.json (written when its process
 * exists: pids, their start times, the boot) and exit.json (written atomically by the monitor when
 * the process ended). Everyone else -- ps, inspect, stop, rm -- judges the container from these
 * two files and the live processes, so the truth survives a killed monitor and a reboot.
 */
#ifndef RCR_MONITOR_STATE_H
#define RCR_MONITOR_STATE_H

#include <stdbool.h>
#include <sys/types.h>

#include "pkg/error.h"

struct mon_run_info {
	pid_t pid;		      /* the container's PID 1, as the host sees it */
	unsigned long long pid_start; /* its start time (/proc/PID/stat field 22) */
	pid_t monitor_pid;
	unsigned long long monitor_start;
	long long started_ns; /* unix ns */
	char boot_id[40];
};

struct mon_exit_info {
	int exit_code;
	long long started_ns; /* the run this exit belongs to */
	long long finished_ns;
	bool oom;
	char error[1024]; /* why it failed to start, or "" */
};

int mon_state_write_run(const char *userdata, const struct mon_run_info *r, struct rcr_error **err);
/* 1 read, 0 absent, -1 unreadable. */
int mon_state_read_run(const char *userdata, struct mon_run_info *r, struct rcr_error **err);
int mon_state_write_exit(const char *userdata, const struct mon_exit_info *e,
			 struct rcr_error **err);
int mon_state_read_exit(const char *userdata, struct mon_exit_info *e, struct rcr_error **err);
/* net.json: the network helper of this run (pid and start time), so that whoever finds the
 * container gone stops it, its monitor or, after a killed monitor, rcr. */
int mon_state_write_helper(const char *userdata, pid_t pid, struct rcr_error **err);
/* SIGKILL the recorded helper if that very process still runs, then forget it. */
void mon_state_stop_helper(const char *userdata);
/* Forget the record if it still names pid (a later run's record stays). */
void mon_state_forget_helper(const char *userdata, pid_t pid);

/* Remove run.json and exit.json (before a new start). */
void mon_state_clear(const char *userdata);

/* The start time of pid (field 22 of /proc/PID/stat), 0 when it does not exist. */
unsigned long long mon_proc_start_time(pid_t pid);
/* True when pid runs and is the process that had start time start on this boot. */
bool mon_proc_matches(pid_t pid, unsigned long long start, const char *boot_id);
/* This boot's id (/proc/sys/kernel/random/boot_id) into buf (40 bytes). */
void mon_boot_id(char buf[40]);
/* Now, in unix nanoseconds (CLOCK_REALTIME). */
long long mon_now_ns(void);

#endif
