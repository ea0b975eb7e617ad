#!/usr/bin/env bats
# A container's life after run -d: ps states, stop (StopSignal, then SIGKILL after -t), kill -s,
# wait, restart, rm [-f], rename, exists, prune; a killed monitor (ps still tells the truth, rm -f
# cleans up); a wiped runtime dir; rm -f racing a start; 20 parallel run --rm.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	ctr_setup_file
}

setup() {
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
}

teardown() {
	ctr_teardown
}

teardown_file() {
	ctr_teardown_file
}

state() {
	"$RCR" ps -a --filter "name=^$1\$" --format '{{.State}}'
}

ctr_pid() {
	sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$RCR_ROOT/containers/$1/userdata/run.json"
}

monitor_pid() {
	sed -n 's/.*"monitor_pid": *\([0-9]*\).*/\1/p' "$RCR_ROOT/containers/$1/userdata/run.json"
}

# No process of this user runs in a namespace other than ours, and no rcr-monitor is left.
no_container_processes() {
	local me
	me=$(readlink /proc/self/ns/pid)
	for p in /proc/[0-9]*; do
		[ "$(stat -c %u "$p" 2>/dev/null)" = "$(id -u)" ] || continue
		# a zombie is not running; it waits for a parent that reaps (this machine's PID 1 may
		# never reap the orphans of a killed monitor)
		grep -q '^State:.*Z' "$p/status" 2>/dev/null && continue
		ns=$(readlink "$p/ns/pid" 2>/dev/null) || continue
		if [ "$ns" != "$me" ]; then
			echo "left behind: $p $(tr '\0' ' ' <"$p/cmdline") $(grep -E "^(State|PPid)" "$p/status" | tr "\n" " ")" >&2
			return 1
		fi
	done
	# a monitor that exited may wait a moment for this machine's PID 1 to reap it
	[ -z "$(ps -u "$(id -u)" -o stat=,comm= | awk '$2 == "rcr-monitor" && $1 !~ /Z/')" ]
}

@test "run -d prints the id; ps shows it running, then exited with its code" {
	id=$("$RCR" run -d --name det bb sh -c 'sleep 1; exit 7')
	[[ "$id" =~ ^[0-9a-f]{64}$ ]]
	[ "$(state det)" = running ]
	run "$RCR" ps --format '{{.Names}}'
	[ "$output" = det ]
	run "$RCR" wait det
	[ "$output" = 7 ]
	[ "$(state det)" = exited ]
	run "$RCR" ps -q
	[ "$output" = "" ]
	run "$RCR" ps -a --format '{{.Status}}'
	[[ "$output" == "Exited (7) "*ago ]]
}

@test "stop sends the stop signal, then SIGKILL after -t; exit codes 143 and 137" {
	"$RCR" run -d --name trapper bb sh -c 'trap "exit 143" TERM; while :; do sleep 0.1; done'
	run "$RCR" stop trapper
	[ "$status" -eq 0 ]
	[ "$output" = trapper ]
	run "$RCR" wait trapper
	[ "$output" = 143 ]
	# PID 1 without a handler ignores SIGTERM: SIGKILL after the timeout
	"$RCR" run -d --name stubborn bb sleep 100
	start=$SECONDS
	run "$RCR" stop -t 1 stubborn
	[ "$status" -eq 0 ]
	[[ "$output" == *"resorting to SIGKILL"* ]]
	[ $((SECONDS - start)) -lt 8 ]
	run "$RCR" inspect --format '{{.State.ExitCode}}' stubborn
	[ "$output" = 137 ]
}

@test "--stop-signal and kill -s reach the process" {
	"$RCR" run -d --name sig --stop-signal USR1 bb sh -c 'trap "exit 10" USR1; trap "exit 12" USR2; while :; do sleep 0.1; done'
	"$RCR" kill -s USR2 sig
	run "$RCR" wait sig
	[ "$output" = 12 ]
	"$RCR" start sig
	"$RCR" stop sig
	run "$RCR" wait sig
	[ "$output" = 10 ]
	run "$RCR" kill sig
	[ "$status" -eq 125 ]
	[[ "$output" == *"can only kill running containers"* ]]
}

@test "rm refuses a running container (exit 2), rm -f kills it; unknown names exit 1" {
	"$RCR" run -d --name busy bb sleep 100
	run "$RCR" rm busy
	[ "$status" -eq 2 ]
	[[ "$output" == *"as it is running"* ]]
	run "$RCR" rm -f busy
	[ "$status" -eq 0 ]
	run "$RCR" rm nosuchthing
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such container"* ]]
	run "$RCR" rm -i nosuchthing
	[ "$status" -eq 0 ]
	no_container_processes
	[ -z "$(ls "$RCR_ROOT/containers")" ]
}

@test "restart, rename, container exists and prune" {
	"$RCR" run -d --name r1 bb sleep 100
	pid1=$(ctr_pid "$("$RCR" ps -q --no-trunc)")
	"$RCR" restart -t 0 r1
	[ "$(state r1)" = running ]
	pid2=$(ctr_pid "$("$RCR" ps -q --no-trunc)")
	[ "$pid1" != "$pid2" ]
	"$RCR" rename r1 r2
	run "$RCR" container exists r1
	[ "$status" -eq 1 ]
	run "$RCR" container exists r2
	[ "$status" -eq 0 ]
	"$RCR" run --name done1 bb true
	run "$RCR" container prune -f
	[ "$status" -eq 0 ]
	run "$RCR" ps -a --format '{{.Names}}'
	[ "$output" = r2 ]
}

@test "kill -9 of the monitor: ps still says running, then exited; rm -f cleans up" {
	id=$("$RCR" run -d --name orphan bb sleep 100)
	mon=$(monitor_pid "$id")
	kill -9 "$mon"
	sleep 0.2
	[ "$(state orphan)" = running ]
	run "$RCR" stop -t 1 orphan
	[ "$status" -eq 0 ]
	[ "$(state orphan)" = exited ]
	run "$RCR" start orphan
	[ "$status" -eq 0 ]
	[ "$(state orphan)" = running ]
	kill -9 "$(monitor_pid "$id")"
	kill -9 "$(ctr_pid "$id")"
	sleep 0.2
	[ "$(state orphan)" = exited ]
	run "$RCR" rm -f orphan
	[ "$status" -eq 0 ]
	no_container_processes
}

@test "after the runtime dir is wiped the container shows exited and starts again" {
	"$RCR" run --name wiped bb true
	rm -rf "${XDG_RUNTIME_DIR:?}/rcr"
	[ "$(state wiped)" = exited ]
	run "$RCR" start -a wiped
	[ "$status" -eq 0 ]
}

@test "rm -f while the container is starting leaves no processes and no mounts" {
	for i in 1 2 3; do
		"$RCR" run -d --name racer$i bb sleep 100 &
		sleep 0.0$i
		"$RCR" rm -f racer$i >/dev/null 2>&1 || true
		wait
		"$RCR" rm -f racer$i >/dev/null 2>&1 || true
	done
	no_container_processes
	run "$RCR" ps -a -q
	[ "$output" = "" ]
	run ! grep -q "$RCR_ROOT" /proc/self/mountinfo
}

@test "20 run --rm in parallel all succeed with distinct names and leave nothing behind" {
	for i in $(seq 20); do
		("$RCR" run --rm bb sh -c 'cat /etc/hostname' >"$BATS_TEST_TMPDIR/out.$i" 2>&1; echo $? >"$BATS_TEST_TMPDIR/rc.$i") &
	done
	wait
	for i in $(seq 20); do
		[ "$(cat "$BATS_TEST_TMPDIR/rc.$i")" = 0 ] || { cat "$BATS_TEST_TMPDIR/out.$i"; false; }
	done
	[ "$(cat "$BATS_TEST_TMPDIR"/out.* | sort -u | wc -l)" -eq 20 ]
	run "$RCR" ps -a -q
	[ "$output" = "" ]
	[ -z "$(ls "$RCR_ROOT/containers")" ]
	no_container_processes
}
