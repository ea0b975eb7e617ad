#!/usr/bin/env bats
# rcr system check: every rootless prerequisite, each failure created for real and its line and
# fix checked. Conditions that belong to a user (no subuid range, a small range, devices denied by
# ACL) use the second test users that tests/setup/setup.sh makes.

load helpers

setup() {
	rcr_test_setup
}

# as_user gives the second users a store under /tmp/rcr-test-USER-PID: theirs to remove.
teardown() {
	local u
	for u in "$RCR_TEST_USER_NOSUB" "$RCR_TEST_USER_SMALL"; do
		sudo -n -u "$u" rm -rf "/tmp/rcr-test-$u-$$" 2>/dev/null || true
	done
}

@test "on a prepared machine system check passes and exits 0" {
	run "$RCR" system check
	[ "$status" -eq 0 ]
	[[ "$(check_line 'user namespaces')" == "[ ok ] user namespaces:"* ]]
	[[ "$(check_line 'subuid range')" == "[ ok ] subuid range: 65536 subordinate uids for '$USER'"* ]]
	[[ "$(check_line 'newuidmap')" == "[ ok ] newuidmap: '$(command -v newuidmap)' maps 65537 uids"* ]]
	[[ "$(check_line 'overlay')" == "[ ok ] overlay: kernel overlay mounts in a user namespace on "* ]]
	[[ "$(check_line 'runtime dir')" == "[ ok ] runtime dir: '$XDG_RUNTIME_DIR/rcr'"* ]]
	[[ "$output" == *"rcr can run containers here"* ]]
	[[ "$output" != *"[FAIL]"* ]]
}

@test "system check --format json lists every check with a status" {
	run "$RCR" system check --format json
	[ "$status" -eq 0 ]
	printf '%s' "$output" | python3 -c '
import json, sys
checks = json.load(sys.stdin)
names = [c["Name"] for c in checks]
for n in ["user namespaces", "subuid range", "subgid range", "newuidmap", "newgidmap",
          "no_new_privs", "runtime dir", "store", "overlay", "fuse-overlayfs",
          "network helper", "/dev/net/tun", "cgroups", "seccomp"]:
    assert n in names, n
for c in checks:
    assert c["Status"] in ("ok", "warn", "fail"), c
    assert (c["Status"] == "ok") == (c.get("Fix") is None), c
'
}

@test "a user with no subuid/subgid range gets a warning with the usermod fix, and can still run" {
	as_user rcrnosub "$RCR" system check || true
	run as_user rcrnosub "$RCR" system check
	[ "$status" -eq 0 ]
	[[ "$(check_line 'subuid range')" == "[warn] subuid range: no subordinate uids for 'rcrnosub' in /etc/subuid"* ]]
	[[ "$(check_line 'subuid range')" == *"fix: ask an administrator to run: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 rcrnosub"* ]]
	[[ "$(check_line 'subgid range')" == "[warn] subgid range: no subordinate gids for 'rcrnosub' in /etc/subgid"* ]]
	[[ "$(check_line 'newuidmap')" == "[ ok ] newuidmap: not needed"* ]]
}

@test "a user with a too-small range is told which ids will fail" {
	run as_user rcrsmall "$RCR" system check
	[[ "$(check_line 'subuid range')" == "[warn] subuid range: only 1000 subordinate uids for 'rcrsmall'"* ]]
	[[ "$(check_line 'subuid range')" == *"at or above 1001 cannot be used"* ]]
	[[ "$(check_line 'subuid range')" == *"fix: ask an administrator to run: usermod"* ]]
}

@test "/dev/fuse and /dev/net/tun denied to a user are reported with the chmod/setfacl fix" {
	run as_user rcrsmall "$RCR" system check
	[[ "$(check_line 'fuse-overlayfs')" == "[warn] fuse-overlayfs: '"*"' found, but /dev/fuse is not readable and writable by this user"* ]]
	[[ "$(check_line 'fuse-overlayfs')" == *"fix: as root: chmod 0666 /dev/fuse"* ]]
	[[ "$(check_line '/dev/net/tun')" == "[warn] /dev/net/tun: not readable and writable by this user"* ]]
	[[ "$(check_line '/dev/net/tun')" == *"fix: as root: chmod 0666 /dev/net/tun"* ]]
}

@test "newuidmap missing from PATH is a warning naming the package" {
	run env PATH=/nonexistent "$RCR" system check
	[ "$status" -eq 0 ]
	[[ "$(check_line 'newuidmap')" == "[warn] newuidmap: newuidmap not found in \$PATH"* ]]
	[[ "$(check_line 'newuidmap')" == *"fix: as root: apt-get install uidmap"* ]]
	[[ "$(check_line 'newgidmap')" == "[warn] newgidmap: newgidmap not found in \$PATH"* ]]
	[[ "$(check_line 'network helper')" == "[warn] network helper: neither pasta nor slirp4netns"* ]]
}

@test "a newuidmap without setuid or capabilities is named, with the chmod fix" {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cp "$(command -v newuidmap)" "$(command -v newgidmap)" "$BATS_TEST_TMPDIR/bin/"
	[ ! -u "$BATS_TEST_TMPDIR/bin/newuidmap" ]
	run env PATH="$BATS_TEST_TMPDIR/bin:$PATH" "$RCR" system check
	[ "$status" -eq 0 ]
	[[ "$(check_line 'newuidmap')" == "[warn] newuidmap: '$BATS_TEST_TMPDIR/bin/newuidmap' is neither setuid root nor has file capabilities"* ]]
	[[ "$(check_line 'newuidmap')" == *"fix: as root: chmod u+s $BATS_TEST_TMPDIR/bin/newuidmap"* ]]
}

@test "no_new_privs is detected and blamed for the failed mapping" {
	run setpriv --no-new-privs "$RCR" system check
	[ "$status" -eq 0 ]
	[[ "$(check_line 'no_new_privs')" == "[warn] no_new_privs: set for this process"* ]]
	[[ "$(check_line 'no_new_privs')" == *"fix: run rcr from a process without no_new_privs"* ]]
	[[ "$(check_line 'newuidmap')" == "[warn] newuidmap: mapping the subordinate uids failed"* ]]
}

@test "XDG_RUNTIME_DIR unset (su, sudo, cron) is a warning with the fallback and the fix" {
	run env -u XDG_RUNTIME_DIR "$RCR" system check
	[ "$status" -eq 0 ]
	[[ "$(check_line 'runtime dir')" == "[warn] runtime dir: XDG_RUNTIME_DIR is not set"*"using '/tmp/rcr-run-$(id -u)' instead"* ]]
	[[ "$(check_line 'runtime dir')" == *"export XDG_RUNTIME_DIR=/run/user/$(id -u)"* ]]
}

@test "XDG_RUNTIME_DIR owned by someone else is not used" {
	run env XDG_RUNTIME_DIR=/ "$RCR" system check
	[ "$status" -eq 0 ]
	[[ "$(check_line 'runtime dir')" == "[warn] runtime dir: XDG_RUNTIME_DIR '/' is owned by uid 0"* ]]
}

@test "a runtime dir others can write is refused and the check fails" {
	mkdir -m 0777 "$BATS_TEST_TMPDIR/rr"
	chmod 0777 "$BATS_TEST_TMPDIR/rr"
	run "$RCR" --runroot "$BATS_TEST_TMPDIR/rr" system check
	[ "$status" -eq 1 ]
	[[ "$(check_line 'runtime dir')" == "[FAIL] runtime dir: "*"$BATS_TEST_TMPDIR/rr"* ]]
	[[ "$output" == *"rcr cannot run containers here: 1 check failed"* ]]
}

@test "a store that cannot be created fails the check with the --root fix" {
	mkdir -m 0500 "$BATS_TEST_TMPDIR/ro"
	run "$RCR" --root "$BATS_TEST_TMPDIR/ro/store" system check
	[ "$status" -eq 1 ]
	[[ "$(check_line 'store')" == "[FAIL] store: "*"$BATS_TEST_TMPDIR/ro/store"* ]]
	[[ "$(check_line 'store')" == *"fix: use a directory you can write: --root DIR"* ]]
}

# The kernel refuses an overlay as another overlay's upper layer, just as it refuses NFS: a store
# on such a filesystem is the real condition, made without root in the user's own namespace.
@test "a store where kernel overlay is refused falls back to fuse-overlayfs, or fails without it" {
	d=$BATS_TEST_TMPDIR/ovl
	mkdir -p "$d/l" "$d/u" "$d/w" "$d/m"
	run unshare -Urm bash -c "mount -t overlay -o lowerdir=$d/l,upperdir=$d/u,workdir=$d/w,userxattr overlay $d/m && '$RCR' --root $d/m/store system check"
	[ "$status" -eq 0 ]
	[[ "$(check_line 'overlay')" == "[warn] overlay: kernel overlay refused on overlay at '$d/m/store'"*"rcr falls back to fuse-overlayfs"* ]]
	[[ "$(check_line 'overlay')" == *"fix: put the store on a local filesystem"* ]]
	run unshare -Urm bash -c "mount -t overlay -o lowerdir=$d/l,upperdir=$d/u,workdir=$d/w,userxattr overlay $d/m && PATH=/nonexistent '$RCR' --root $d/m/store system check"
	[ "$status" -eq 1 ]
	[[ "$(check_line 'overlay')" == "[FAIL] overlay: kernel overlay refused on overlay"*"fuse-overlayfs cannot be used either"* ]]
}

@test "user namespaces disabled by sysctl fail the check with the sysctl fix" {
	# max_user_namespaces is per user namespace: setting it to 0 in our own namespace disables
	# new ones for everything below, which is the condition, without touching the host.
	run unshare -Ur bash -c "echo 0 > /proc/sys/user/max_user_namespaces && exec '$RCR' --root '$BATS_TEST_TMPDIR/s' system check"
	[ "$status" -eq 1 ]
	[[ "$(check_line 'user namespaces')" == "[FAIL] user namespaces: "*"user.max_user_namespaces=0"* ]]
	[[ "$(check_line 'user namespaces')" == *"fix: as root: sysctl -w user.max_user_namespaces=28633"* ]]
}

@test "without cgroup v2 delegation, limits are reported unavailable with the cause" {
	run "$RCR" system check
	line=$(check_line 'cgroups')
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] && [ -w "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)" ]; then
		[[ "$line" == "[ ok ] cgroups: v2, delegated"* ]]
	else
		[[ "$line" == "[warn] cgroups: "*"resource limits (--memory, --cpus, --pids-limit) are unavailable"* ]]
		[[ "$line" == *"fix: "* ]]
	fi
}
