#!/usr/bin/env bats
# rcr run / create / start as the unprivileged test user: output and exit codes (the command's,
# 125/126/127), the image's Cmd/Entrypoint/Env/WorkingDir/User, -e/--env-file/-u/-w/--entrypoint,
# --hostname, --rm, --name and --replace, --pull policies, and where the container's writes go.

# Single-quoted $ is for the container's shell (or perl) to expand, on purpose.
# shellcheck disable=SC2016
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

@test "run prints the command's output and exits with its code" {
	run "$RCR" run --rm bb echo hello from rcr
	[ "$status" -eq 0 ]
	[ "$output" = "hello from rcr" ]
	run "$RCR" run --rm bb sh -c 'echo out; echo err >&2; exit 42'
	[ "$status" -eq 42 ]
	[[ "$output" == *out* && "$output" == *err* ]]
}

@test "stdout and stderr stay apart" {
	"$RCR" run --rm bb sh -c 'echo to-out; echo to-err >&2' >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[ "$(cat "$BATS_TEST_TMPDIR/o")" = to-out ]
	[ "$(cat "$BATS_TEST_TMPDIR/e")" = to-err ]
}

@test "a command that is not found exits 127, one that cannot run 126, bad flags 125" {
	run -127 "$RCR" run --rm bb no-such-command
	[[ "$output" == *"no-such-command"*"not found"* ]]
	run -126 "$RCR" run --rm bb /etc/passwd
	run "$RCR" run --rm --frobnicate bb true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown flag: --frobnicate"* ]]
	run "$RCR" run --rm no-such-image-here true
	[ "$status" -eq 125 ]
	# none of the failed runs left a container behind
	run "$RCR" ps -a -q
	[ "$output" = "" ]
}

@test "a killed command exits 128+signal" {
	# PID 1 cannot be killed from inside its namespace: under --init the command is not PID 1
	run "$RCR" run --rm --init bb sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
	run "$RCR" run --rm bb sh -c 'kill -9 $$; echo survived'
	[ "$output" = survived ]
}

@test "stdin reaches the command with -i" {
	run bash -c "echo piped-in | '$RCR' run --rm -i bb cat"
	[ "$status" -eq 0 ]
	[ "$output" = piped-in ]
}

@test "-i with a command that writes a lot before it reads: no deadlock, nothing lost" {
	run bash -c "head -c 3000000 /dev/zero | timeout 60 '$RCR' run --rm -i bb sh -c 'head -c 1000000 /dev/zero; wc -c' | wc -c"
	[ "$status" -eq 0 ]
	# 1000000 bytes of output, then "3000000\n" from wc
	[ "$output" = 1000008 ]
}

@test "--init passes stdin's end on; a slow reader loses no output; --rm holds when the start fails" {
	run bash -c "echo hi | timeout 20 '$RCR' run --rm -i --init bb cat"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run bash -c "'$RCR' run --rm bb sh -c 'seq 300000; exit 3' | (sleep 7; wc -l); exit \${PIPESTATUS[0]}"
	[ "$status" -eq 3 ]
	[ "$output" = 300000 ]
	run "$RCR" run --rm --log-opt path=/nonexistent/x.log bb true
	[ "$status" -eq 125 ]
	run -127 "$RCR" run --rm bb nosuchcmd
	run "$RCR" ps -a -q
	[ "$output" = "" ]
}

@test "the image's environment, -e, --env-file and the host's value for a bare -e" {
	printf 'FROM_FILE=yes\n# comment\nOVERRIDE=file\n' >"$BATS_TEST_TMPDIR/env"
	export HOSTVAR=from-host
	run "$RCR" run --rm --env-file "$BATS_TEST_TMPDIR/env" -e OVERRIDE=flag -e HOSTVAR bb env
	[ "$status" -eq 0 ]
	[[ "$output" == *"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"* ]]
	[[ "$output" == *"FROM_FILE=yes"* ]]
	[[ "$output" == *"OVERRIDE=flag"* ]]
	[[ "$output" == *"HOSTVAR=from-host"* ]]
	[[ "$output" == *"HOME=/root"* ]]
	[[ "$output" != *"BATS_"* ]]
}

@test "-u resolves names in the image, -w sets (and creates) the directory" {
	run "$RCR" run --rm -u app bb id
	[ "$status" -eq 0 ]
	[[ "$output" == "uid=1000(app) gid=1000(app)"* ]]
	run "$RCR" run --rm -u 1000:0 bb sh -c 'id -u; id -g; echo $HOME'
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = /home/app ]
	run "$RCR" run --rm -u nosuchuser bb id
	[ "$status" -eq 125 ]
	[[ "$output" == *"nosuchuser"* ]]
	run "$RCR" run --rm -w /new/dir bb pwd
	[ "$output" = /new/dir ]
}

@test "--entrypoint replaces the image's and drops its Cmd; --hostname" {
	run "$RCR" run --rm --entrypoint /bin/echo bb one two
	[ "$output" = "one two" ]
	run "$RCR" run --rm --entrypoint '["/bin/sh","-c"]' bb 'echo $0' arg0
	[ "$output" = arg0 ]
	run "$RCR" run --rm --hostname box1 bb hostname
	[ "$output" = box1 ]
	run "$RCR" run --rm bb cat /etc/hostname
	[[ "$output" =~ ^[0-9a-f]{12}$ ]]
}

@test "--name is unique, --replace takes the name over, create then start -a" {
	run "$RCR" create --name same bb echo first
	[ "$status" -eq 0 ]
	run "$RCR" create --name same bb echo second
	[ "$status" -eq 125 ]
	[[ "$output" == *'the container name "same" is already in use'* ]]
	run "$RCR" create --replace --name same bb echo third
	[ "$status" -eq 0 ]
	run "$RCR" start -a same
	[ "$status" -eq 0 ]
	[ "$output" = third ]
	run "$RCR" ps -a --format '{{.Names}} {{.Status}}'
	[[ "$output" == "same Exited (0)"* ]]
}

@test "--rm leaves nothing; without it the container stays, exited" {
	"$RCR" run --rm --name gone bb true
	run "$RCR" container exists gone
	[ "$status" -eq 1 ]
	"$RCR" run --name kept bb true
	run "$RCR" container exists kept
	[ "$status" -eq 0 ]
	[ -z "$(ls "$RCR_ROOT/tmp")" ]
}

@test "--pull never refuses an image that is not there; missing finds a local one" {
	run "$RCR" run --rm --pull never example.org/nothing:here true
	[ "$status" -eq 125 ]
	[[ "$output" == *"--pull never"* ]]
	run "$RCR" run --rm --pull missing bb true
	[ "$status" -eq 0 ]
	run "$RCR" run --rm --pull sometimes bb true
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid pull policy"* ]]
}

@test "a file written in the container lands only in its writable layer" {
	id=$("$RCR" create bb sh -c 'echo data >/written-here; echo more >/etc/passwd')
	"$RCR" start -a "$id"
	[ -f "$RCR_ROOT/containers/$id/upper/written-here" ]
	# the image's layer is untouched
	for d in "$RCR_ROOT"/layers/*/diff; do
		[ ! -e "$d/written-here" ]
		grep -q '^app:' "$d/etc/passwd"
	done
	run "$RCR" run --rm bb cat /written-here
	[ "$status" -ne 0 ]
}

@test "the user's home is out of reach unless mounted" {
	run "$RCR" run --rm bb sh -c "ls $HOME; touch $HOME/from-container"
	[ "$status" -ne 0 ]
	[ ! -e "$HOME/from-container" ]
}

@test "--read-only refuses writes but /tmp is a tmpfs; --read-only-tmpfs=false has none" {
	run "$RCR" run --rm --read-only bb sh -c 'touch /x'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	run "$RCR" run --rm --read-only bb sh -c 'touch /tmp/x && echo ok'
	[ "$output" = ok ]
	run "$RCR" run --rm --read-only --read-only-tmpfs=false bb sh -c 'touch /tmp/x'
	[ "$status" -ne 0 ]
}

@test "--init runs the command under a reaping PID 1; without it the command is PID 1" {
	run "$RCR" run --rm bb sh -c 'echo $$'
	[ "$output" = 1 ]
	run "$RCR" run --rm --init bb sh -c 'echo $$; cat /proc/1/comm'
	[ "${lines[0]}" != 1 ]
	[ "${lines[1]}" = rcr-init ]
	run "$RCR" run --rm --init bb sh -c 'exit 3'
	[ "$status" -eq 3 ]
}

@test "--ulimit and --tz" {
	run "$RCR" run --rm --ulimit nofile=100:200 bb sh -c 'ulimit -n; ulimit -Hn'
	[ "${lines[0]}" = 100 ]
	[ "${lines[1]}" = 200 ]
	run "$RCR" run --rm --ulimit bogus=1 bb true
	[ "$status" -eq 125 ]
	# tzdata is installed by tests/setup/setup.sh
	run "$RCR" run --rm --tz Asia/Tokyo bb date +%Z
	[ "$output" = JST ]
	run "$RCR" run --rm --tz Nowhere/Land bb true
	[ "$status" -eq 125 ]
}

@test "limits without a delegated cgroup warn once and the container runs" {
	run "$RCR" run --rm --memory 64m --pids-limit 50 bb echo ran
	[ "$status" -eq 0 ]
	[[ "$output" == *"WARN"*"resource limits"* ]]
	[[ "$output" == *ran* ]]
}

@test "/proc, /sys, /dev and the generated /etc files are in place" {
	run "$RCR" run --rm --name etcs bb sh -c 'ls /dev; cat /etc/hosts; mount'
	[ "$status" -eq 0 ]
	for n in null zero full random urandom tty pts shm mqueue ptmx; do
		[[ "$output" == *"$n"* ]]
	done
	[[ "$output" == *"etcs"* ]]
	[[ "$output" == *"proc on /proc type proc"* ]]
	[[ "$output" == *"sysfs on /sys type sysfs (ro"* || "$output" == *" /sys "*"ro,"* ]]
	run "$RCR" run --rm bb sh -c 'echo x >/dev/null && head -c4 /dev/zero | wc -c'
	[ "$output" = 4 ]
}
