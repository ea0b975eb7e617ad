#!/usr/bin/env bats
# What a container's process may do: Podman's default capabilities (--cap-add, --cap-drop,
# --privileged), seccomp (default, unconfined, a JSON profile), no_new_privs, masked and
# read-only paths, and the id mapping (image uid 1000 = the host's subuid base + 999).

load helpers

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

status_field() {
	printf '%s\n' "$output" | awk -v f="$1:" '$1 == f { print $2 }'
}

# Podman's default set: CHOWN DAC_OVERRIDE FOWNER FSETID KILL NET_BIND_SERVICE SETFCAP SETGID
# SETPCAP SETUID SYS_CHROOT = bits 0 1 3 4 5 10 31 6 8 7 18.
DEFAULT_CAPS=00000000800405fb

@test "root in the container has Podman's default capabilities and seccomp filter mode" {
	run "$RCR" run --rm bb cat /proc/self/status
	[ "$status" -eq 0 ]
	[ "$(status_field CapEff)" = "$DEFAULT_CAPS" ]
	[ "$(status_field CapPrm)" = "$DEFAULT_CAPS" ]
	[ "$(status_field CapBnd)" = "$DEFAULT_CAPS" ]
	[ "$(status_field CapInh)" = 0000000000000000 ]
	[ "$(status_field Seccomp)" = 2 ]
	[ "$(status_field NoNewPrivs)" = 0 ]
}

@test "a non-root user has no effective capabilities unless added" {
	run "$RCR" run --rm -u 1000 bb cat /proc/self/status
	[ "$(status_field CapEff)" = 0000000000000000 ]
	[ "$(status_field CapBnd)" = "$DEFAULT_CAPS" ]
	run "$RCR" run --rm -u 1000 --cap-add NET_RAW bb cat /proc/self/status
	[ "$(status_field CapEff)" = 0000000000002000 ]
}

@test "--cap-drop all, --cap-add, unknown names" {
	run "$RCR" run --rm --cap-drop all --cap-add net_bind_service bb cat /proc/self/status
	[ "$(status_field CapEff)" = 0000000000000400 ]
	run "$RCR" run --rm --cap-drop CAP_CHOWN bb sh -c 'touch /f; chown 1000 /f'
	[ "$status" -ne 0 ]
	run "$RCR" run --rm --cap-add CAP_BOGUS bb true
	[ "$status" -eq 125 ]
	[[ "$output" == *"CAP_BOGUS"* ]]
}

@test "the default seccomp profile refuses unshare, keyctl and mount; unconfined does not" {
	run "$RCR" run --rm bb unshare -U true
	[ "$status" -ne 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	run "$RCR" run --rm --security-opt seccomp=unconfined bb cat /proc/self/status
	[ "$(status_field Seccomp)" = 0 ]
	run "$RCR" run --rm --cap-add SYS_ADMIN bb sh -c 'mkdir /m && mount -t tmpfs none /m && echo mounted'
	[ "$output" = mounted ]
	run "$RCR" run --rm bb sh -c 'mkdir /m && mount -t tmpfs none /m'
	[ "$status" -ne 0 ]
}

@test "a JSON seccomp profile is applied, and a broken one is refused before the start" {
	cat >"$BATS_TEST_TMPDIR/p.json" <<-'JSON'
		{"defaultAction": "SCMP_ACT_ALLOW",
		 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
	JSON
	run "$RCR" run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/p.json" bb mkdir /d
	[ "$status" -ne 0 ]
	[[ "$output" == *"Permission denied"* ]]
	echo '{"defaultAction": "SCMP_ACT_NOPE"}' >"$BATS_TEST_TMPDIR/bad.json"
	run "$RCR" run --rm --security-opt "seccomp=$BATS_TEST_TMPDIR/bad.json" bb true
	[ "$status" -eq 125 ]
	[[ "$output" == *"SCMP_ACT_NOPE"* ]]
	run "$RCR" ps -a -q
	[ "$output" = "" ]
}

@test "--security-opt no-new-privileges sets NoNewPrivs" {
	run "$RCR" run --rm --security-opt no-new-privileges bb cat /proc/self/status
	[ "$(status_field NoNewPrivs)" = 1 ]
	[ "$(status_field Seccomp)" = 2 ]
}

@test "--privileged: every capability, no seccomp, no masked paths" {
	run "$RCR" run --rm --privileged bb cat /proc/self/status
	[ "$(status_field Seccomp)" = 0 ]
	[ "$(status_field CapEff)" = "$(status_field CapBnd)" ]
	[ "$(status_field CapEff)" != "$DEFAULT_CAPS" ]
	run "$RCR" run --rm --privileged bb sh -c 'mount | grep -c " /proc/keys " || true'
	[ "$output" = 0 ]
}

@test "masked paths are empty, read-only paths refuse writes" {
	run "$RCR" run --rm bb sh -c 'wc -c </proc/keys; ls /sys/firmware | wc -l; ls /proc/acpi | wc -l'
	[ "${lines[0]}" = 0 ]
	[ "${lines[1]}" = 0 ]
	[ "${lines[2]}" = 0 ]
	run "$RCR" run --rm bb sh -c 'mount | grep -c " /proc/keys "'
	[ "$output" = 1 ]
	run "$RCR" run --rm bb sh -c 'echo 1 >/proc/sys/kernel/domainname'
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
}

@test "uid 1000 in the image runs as host uid subuid-base + 999" {
	base=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	[ -n "$base" ]
	id=$("$RCR" run -d -u 1000 bb sleep 30)
	pid=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$RCR_ROOT/containers/$id/userdata/run.json")
	[ -n "$pid" ]
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	[ "$uid" -eq $((base + 999)) ]
	# root in the container is the user itself
	id2=$("$RCR" run -d bb sleep 30)
	pid2=$(sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$RCR_ROOT/containers/$id2/userdata/run.json")
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid2/status")" -eq "$(id -u)" ]
}

@test "files the container makes as uid 1000 are owned by the mapped id on the host" {
	base=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
	id=$("$RCR" create -u 1000 bb sh -c 'echo x >/home/app/mine')
	"$RCR" start -a "$id"
	[ "$(stat -c %u "$RCR_ROOT/containers/$id/upper/home/app/mine")" -eq $((base + 999)) ]
}
