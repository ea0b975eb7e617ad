#!/usr/bin/env bats
# What a user reads from and does in a container: logs (k8s-file, -f, --tail, -t, --since,
# rotation, drivers), exec (namespaces, caps, exit codes), attach, top, inspect and ps --filter.

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

@test "the log is k8s-file: time, stream, F/P, text; logs splits the streams again" {
	id=$("$RCR" create --name lg bb sh -c 'echo one; echo two >&2; printf partial')
	"$RCR" start -a lg >/dev/null 2>&1
	log="$RCR_ROOT/containers/$id/userdata/ctr.log"
	grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}[+-][0-9]{2}:[0-9]{2} stdout F one$' "$log"
	grep -q ' stderr F two$' "$log"
	grep -q ' stdout P partial$' "$log"
	"$RCR" logs lg >"$BATS_TEST_TMPDIR/o" 2>"$BATS_TEST_TMPDIR/e"
	[ "$(cat "$BATS_TEST_TMPDIR/o")" = "$(printf 'one\npartial')" ]
	[ "$(cat "$BATS_TEST_TMPDIR/e")" = two ]
}

@test "logs --tail, -t and --since" {
	"$RCR" run --name many bb sh -c 'for i in 1 2 3 4 5; do echo line$i; done' >/dev/null
	run "$RCR" logs --tail 2 many
	[ "$output" = "$(printf 'line4\nline5')" ]
	run "$RCR" logs -t --tail 1 many
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*\ line5$ ]]
	run "$RCR" logs --since 1h many
	[ "${#lines[@]}" -eq 5 ]
	run "$RCR" logs --since 2099-01-01T00:00:00Z many
	[ "$output" = "" ]
	run "$RCR" logs --since yesterday-ish many
	[ "$status" -eq 125 ]
}

@test "logs of several containers: each line prefixed by the id, or the name with -n" {
	"$RCR" run --name first bb echo one >/dev/null
	"$RCR" run --name second bb echo two >/dev/null
	run "$RCR" logs -n first second
	[ "$output" = "$(printf 'first one\nsecond two')" ]
	run "$RCR" logs first second
	[[ "${lines[0]}" =~ ^[0-9a-f]{12}\ one$ ]]
}

@test "logs -f follows until the container exits" {
	"$RCR" run -d --name fol bb sh -c 'echo a; sleep 1; echo b' >/dev/null
	run timeout 20 "$RCR" logs -f fol
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a\nb')" ]
}

@test "--log-opt max-size rotates; --log-driver none keeps nothing" {
	id=$("$RCR" create --log-opt max-size=2k bb sh -c 'i=0; while [ $i -lt 300 ]; do echo "line number $i"; i=$((i+1)); done')
	"$RCR" start -a "$id" >/dev/null
	ud="$RCR_ROOT/containers/$id/userdata"
	[ -f "$ud/ctr.log.1" ]
	[ "$(stat -c %s "$ud/ctr.log")" -le 4096 ]
	run "$RCR" logs --tail 1 "$id"
	[ "$output" = "line number 299" ]
	id2=$("$RCR" create --log-driver none bb echo quiet)
	run "$RCR" start -a "$id2"
	[ "$output" = quiet ]
	[ ! -e "$RCR_ROOT/containers/$id2/userdata/ctr.log" ]
	run "$RCR" logs "$id2"
	[ "$status" -eq 125 ]
}

@test "exec joins the container: same hostname, files, pid namespace, caps and seccomp" {
	"$RCR" run -d --name ex --hostname exhost bb sh -c 'echo marker >/tmp/m; sleep 100' >/dev/null
	sleep 0.3
	run "$RCR" exec ex sh -c 'hostname; cat /tmp/m; ps | grep -c "[s]leep 100"'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = exhost ]
	[ "${lines[1]}" = marker ]
	[ "${lines[2]}" = 1 ]
	run "$RCR" exec ex grep -E '^(CapEff|Seccomp):' /proc/self/status
	[[ "$output" == *"CapEff:"*"00000000800405fb"* ]]
	[[ "$output" == *"Seccomp:"*"2"* ]]
	run "$RCR" exec -u 1000 -w /tmp -e FOO=bar ex sh -c 'id -u; pwd; echo $FOO'
	[ "$output" = "$(printf '1000\n/tmp\nbar')" ]
	run "$RCR" exec ex sh -c 'exit 9'
	[ "$status" -eq 9 ]
	run -127 "$RCR" exec ex nosuchcmd
	run bash -c "echo fed | '$RCR' exec -i ex cat"
	[ "$output" = fed ]
}

@test "exec on a stopped container, attach to a running one" {
	"$RCR" create --name stopped bb true >/dev/null
	run "$RCR" exec stopped true
	[ "$status" -eq 125 ]
	[[ "$output" == *"running containers"* ]]
	"$RCR" run -d --name att bb sh -c 'sleep 1; echo late; exit 4' >/dev/null
	run "$RCR" attach att
	[ "$status" -eq 4 ]
	[ "$output" = late ]
}

@test "top lists the container's processes with their ids inside" {
	"$RCR" run -d --name tp bb sh -c 'sleep 100 & sleep 200' >/dev/null
	sleep 0.3
	run "$RCR" top tp
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == USER*PID*PPID*%CPU*ELAPSED*TTY*TIME*COMMAND ]]
	[[ "$output" == *"sleep 100"* && "$output" == *"sleep 200"* ]]
	# the shell execs its last command: PID 1 is "sleep 200", its child "sleep 100"
	run "$RCR" top tp pid ppid args
	[[ "$output" == *"1 "*" 0 "*"sleep 200"* ]]
	[[ "$output" == *"2 "*" 1 "*"sleep 100"* ]]
	run "$RCR" top tp bogus
	[ "$status" -eq 125 ]
}

@test "inspect: Docker-compatible container JSON and templates" {
	"$RCR" run -d --name ins --label team=a -e X=1 bb sleep 100 >/dev/null
	run "$RCR" inspect ins
	[ "$status" -eq 0 ]
	echo "$output" | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
assert d["Name"] == "ins", d["Name"]
assert len(d["Id"]) == 64
s = d["State"]
assert s["Status"] == "running" and s["Running"] is True and s["Pid"] > 0, s
assert s["ExitCode"] == 0 and "StartedAt" in s and "FinishedAt" in s and "OOMKilled" in s
assert d["Config"]["Labels"]["team"] == "a"
assert "X=1" in d["Config"]["Env"]
assert d["Config"]["Cmd"] == ["sleep", "100"]
assert d["HostConfig"]["NetworkMode"] in ("pasta", "slirp4netns"), d["HostConfig"]
assert "Mounts" in d and "NetworkSettings" in d and "Created" in d
'
	run "$RCR" inspect --format '{{.State.Running}} {{.Config.Hostname}}' ins
	[[ "$output" =~ ^true\ [0-9a-f]{12}$ ]]
	"$RCR" stop -t 0 ins >/dev/null
	run "$RCR" container inspect --format '{{.State.Status}} {{.State.ExitCode}}' ins
	[ "$output" = "exited 137" ]
	run "$RCR" inspect --type container nosuch
	[ "$status" -eq 125 ]
}

@test "ps filters, -q, -l, -n, --no-trunc and json" {
	"$RCR" run -d --name p1 --label role=web bb sleep 100 >/dev/null
	"$RCR" run --name p2 bb sh -c 'exit 3' || true
	"$RCR" create --name p3 bb true >/dev/null
	run "$RCR" ps -a --filter status=exited --format '{{.Names}}'
	[ "$output" = p2 ]
	run "$RCR" ps -a --filter exited=3 --format '{{.Names}}'
	[ "$output" = p2 ]
	run "$RCR" ps -a --filter label=role=web --format '{{.Names}}'
	[ "$output" = p1 ]
	run "$RCR" ps -a --filter name=p --filter status=created --format '{{.Names}}'
	[ "$output" = p3 ]
	run "$RCR" ps -a --filter ancestor=bb -q
	[ "${#lines[@]}" -eq 3 ]
	run "$RCR" ps -l --format '{{.Names}}'
	[ "$output" = p3 ]
	run "$RCR" ps -a -n 2 --format '{{.Names}}'
	[ "$output" = "$(printf 'p3\np2')" ]
	run "$RCR" ps -q --no-trunc
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	run "$RCR" ps -a --format json
	echo "$output" | python3 -c 'import json,sys; a=json.load(sys.stdin); assert len(a)==3 and a[0]["Names"]==["p3"], a'
	run "$RCR" ps --filter bogus=1
	[ "$status" -eq 125 ]
}
