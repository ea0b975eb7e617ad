#!/usr/bin/env bats
# rcr run -v/--volume, --mount and --tmpfs as the unprivileged test user: bind mounts of host
# directories and files (read-write round trip owned by the user, read-only refusing writes,
# propagation), tmpfs mounts with their options, ordering of nested mounts, the errors for what
# is refused (exit 125, nothing stored), and inspect's Mounts.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	ctr_setup_file
}

setup() {
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	D="$BATS_TEST_TMPDIR/data"
	mkdir -p "$D"
	echo from-host >"$D/in"
}

teardown() {
	ctr_teardown
}

teardown_file() {
	ctr_teardown_file
}

@test "a read-write bind: host files visible inside, files written inside are the user's" {
	run "$RCR" run --rm -v "$D:/data" bb sh -c 'cat /data/in; echo from-ctr >/data/out; mkdir /data/sub'
	[ "$status" -eq 0 ]
	[ "$output" = from-host ]
	[ "$(cat "$D/out")" = from-ctr ]
	# container root is the user: what it creates belongs to the user on the host
	[ "$(stat -c %u:%g "$D/out")" = "$(id -u):$(id -g)" ]
	[ "$(stat -c %u "$D/sub")" = "$(id -u)" ]
	# the explicit rw option and the SELinux / nocopy options that have nothing to do here
	run "$RCR" run --rm -v "$D:/data:rw,z,Z,nocopy" bb cat /data/out
	[ "$status" -eq 0 ]
	[ "$output" = from-ctr ]
}

@test ":ro refuses writes, and the host file stays as it was" {
	run "$RCR" run --rm -v "$D:/data:ro" bb sh -c 'cat /data/in; echo x >/data/in'
	[ "$status" -ne 0 ]
	[[ "$output" == *from-host* ]]
	[[ "$output" == *"Read-only file system"* ]]
	[ "$(cat "$D/in")" = from-host ]
	run "$RCR" run --rm -v "$D:/data:ro" bb touch /data/new
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[ ! -e "$D/new" ]
	# a read-write bind below a read-only one stays writable (its mount point exists already:
	# nothing can be made inside a read-only bind)
	mkdir "$D/sub2"
	run "$RCR" run --rm -v "$D:/data:ro" -v "$D:/data/sub2" bb sh -c 'touch /data/sub2/ok && ! touch /data/x'
	[ "$status" -eq 0 ]
	[ -e "$D/ok" ]
}

@test "a file bound onto a file: made as a file, read-write and read-only" {
	echo one >"$BATS_TEST_TMPDIR/conf"
	run "$RCR" run --rm -v "$BATS_TEST_TMPDIR/conf:/etc/app/app.conf" bb sh -c 'test -f /etc/app/app.conf && cat /etc/app/app.conf && echo two >/etc/app/app.conf'
	[ "$status" -eq 0 ]
	[ "$output" = one ]
	[ "$(cat "$BATS_TEST_TMPDIR/conf")" = two ]
	# onto a file the image has
	run "$RCR" run --rm -v "$BATS_TEST_TMPDIR/conf:/etc/passwd:ro" bb sh -c 'cat /etc/passwd; echo x >>/etc/passwd'
	[ "$status" -ne 0 ]
	[[ "$output" == two*"Read-only file system"* ]]
}

@test "U chowns the bind's tree to the container's user, also read-only, not through links" {
	mkdir "$D/sub"
	echo deep >"$D/sub/f"
	ln -s /etc/hostname "$D/link"
	run "$RCR" run --rm -u 1000:1001 -v "$D:/data:U" bb sh -c 'stat -c %u:%g /data /data/in /data/sub/f; echo mine >/data/sub/new && cat /data/sub/new'
	[ "$status" -eq 0 ]
	[ "$output" = $'1000:1001\n1000:1001\n1000:1001\nmine' ]
	# on the host the tree now belongs to the user's subordinate ids, the link's target not
	[ "$(stat -c %u "$D/in")" != "$(id -u)" ]
	[ "$(stat -c %u /etc/hostname)" = 0 ]
	run "$RCR" run --rm -u 1000 -v "$D:/data:ro,U" bb sh -c 'stat -c %u /data/in; touch /data/x'
	[ "$status" -ne 0 ]
	[[ "$output" == 1000*"Read-only file system"* ]]
	# --mount's U, as root: the tree is the user's again (and bats can clean it up)
	run "$RCR" run --rm --mount "type=bind,src=$D,dst=/data,U" bb stat -c %u /data/sub/new
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	[ "$(stat -c %u:%g "$D/sub/new")" = "$(id -u):$(id -g)" ]
}

@test "--read-only keeps a read-write bind writable" {
	run "$RCR" run --rm --read-only -v "$D:/data" bb sh -c 'touch /data/rw-ok && ! touch /rootfs-file'
	[ "$status" -eq 0 ]
	[ -e "$D/rw-ok" ]
}

@test "--mount type=bind with readonly, ro=false and Docker's key aliases" {
	run "$RCR" run --rm --mount "type=bind,source=$D,target=/m,readonly" bb sh -c 'cat /m/in; touch /m/x'
	[ "$status" -ne 0 ]
	[[ "$output" == from-host*"Read-only file system"* ]]
	[ ! -e "$D/x" ]
	run "$RCR" run --rm --mount "type=bind,src=$D,dst=/m,ro=true" bb touch /m/x
	[ "$status" -ne 0 ]
	run "$RCR" run --rm --mount "type=bind,src=$D,destination=/m,ro=false" bb touch /m/x
	[ "$status" -eq 0 ]
	[ -e "$D/x" ]
}

@test "bind propagation: private by default, shared when asked" {
	run "$RCR" run --rm -v "$D:/data" bb sh -c 'grep " /data " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" != *shared:* ]]
	run "$RCR" run --rm --mount "type=bind,src=$D,dst=/data,bind-propagation=rshared" bb sh -c 'grep " /data " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *shared:* ]]
	run "$RCR" run --rm -v "$D:/data:ro,shared" bb sh -c 'grep " /data " /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[[ "$output" == *shared:* ]]
	for p in private rprivate slave rslave; do
		run "$RCR" run --rm -v "$D:/data:$p" bb cat /data/in
		[ "$status" -eq 0 ]
		[ "$output" = from-host ]
	done
}

@test "--tmpfs is a tmpfs with Podman's defaults and the given options" {
	run "$RCR" run --rm --tmpfs /t bb sh -c 'grep " /t " /proc/mounts'
	[ "$status" -eq 0 ]
	[[ "$output" == "tmpfs /t tmpfs rw,nosuid,nodev,noexec"* ]]
	# (the kernel lists mode= only when it is not tmpfs's default 1777)
	run "$RCR" run --rm --tmpfs /t:size=64m,mode=1770 bb sh -c 'grep " /t " /proc/mounts; stat -c %a /t'
	[ "$status" -eq 0 ]
	[[ "$output" == *"tmpfs /t tmpfs rw,nosuid,nodev,noexec"* ]]
	[[ "$output" == *size=65536k* ]]
	[[ "$output" == *mode=1770* ]]
	[[ "$output" == *$'\n'1770 ]]
	# exec lifts noexec; ro makes it read-only
	run "$RCR" run --rm --tmpfs /t:exec,ro bb sh -c 'grep " /t " /proc/mounts; touch /t/x'
	[ "$status" -ne 0 ]
	[[ "$output" == "tmpfs /t tmpfs ro,nosuid,nodev,"* ]]
	[[ "$output" != *noexec* ]]
	[[ "$output" == *"Read-only file system"* ]]
	# a tmpfs is empty and in the container only: the image's /etc stays below it
	run "$RCR" run --rm --tmpfs /etc/x bb sh -c 'ls -A /etc/x; touch /etc/x/y && echo ok'
	[ "$output" = ok ]
}

@test "--mount type=tmpfs with tmpfs-size and tmpfs-mode; the size is enforced" {
	run "$RCR" run --rm --mount type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700 bb sh -c 'grep " /t " /proc/mounts; stat -c %a /t; dd if=/dev/zero of=/t/f bs=1024 count=2048'
	[ "$status" -ne 0 ]
	[[ "$output" == *"tmpfs /t tmpfs rw,nosuid,nodev,noexec"*size=1024k*mode=700* ]]
	[[ "$output" == *$'\n'700$'\n'* ]]
	[[ "$output" == *"No space left on device"* ]]
}

@test "nested mounts go shallow first: a bind below a tmpfs lands on the tmpfs" {
	run "$RCR" run --rm -v "$D:/t/sub" --tmpfs /t bb cat /t/sub/in
	[ "$status" -eq 0 ]
	[ "$output" = from-host ]
	run "$RCR" run --rm --tmpfs /data/scratch -v "$D:/data" bb sh -c 'cat /data/in; grep -c " /data/scratch " /proc/mounts'
	[ "$status" -eq 0 ]
	[ "$output" = $'from-host\n1' ]
}

@test "refused mounts exit 125 with the reason and store nothing" {
	cd "$BATS_TEST_TMPDIR"
	run -125 "$RCR" run --rm -v ./data:/data bb true
	[[ "$output" == *"relative path: use an absolute host path"* ]]
	run -125 "$RCR" run --rm -v "$BATS_TEST_TMPDIR/no-such-dir:/data" bb true
	[[ "$output" == *"bind mount source '$BATS_TEST_TMPDIR/no-such-dir' does not exist"* ]]
	run -125 "$RCR" run --rm -v 'my@vol:/data' bb true
	[[ "$output" == *"'my@vol' is neither an absolute host path nor a volume name"* ]]
	run -125 "$RCR" run --rm -v "$D:/data:frob" bb true
	[[ "$output" == *"unknown option 'frob'"* ]]
	run -125 "$RCR" run --rm -v "$D:/data:O" bb true
	[[ "$output" == *"option 'O' (overlay volume) is not supported yet"* ]]
	run -125 "$RCR" run --rm -v "$D:/data:ro,rw" bb true
	[[ "$output" == *"ro and rw may be given only once"* ]]
	run -125 "$RCR" run --rm -v "$D:data" bb true
	[[ "$output" == *"not an absolute path"* ]]
	run -125 "$RCR" run --rm --mount type=volume,source=/abs,target=/data bb true
	[[ "$output" == *"invalid volume name '/abs'"* ]]
	run -125 "$RCR" run --rm --mount type=volume,source=v,target=/data,volume-driver=x bb true
	[[ "$output" == *"option 'volume-driver' (volume drivers and their options"* ]]
	run -125 "$RCR" run --rm --mount "type=bind,source=$D,target=/data,frob=1" bb true
	[[ "$output" == *"unknown option 'frob'"* ]]
	run -125 "$RCR" run --rm --mount "source=$D,target=/data" bb true
	[[ "$output" == *"no type"* ]]
	run -125 "$RCR" run --rm --tmpfs /t:size=lots bb true
	[[ "$output" == *"invalid value in 'size=lots'"* ]]
	run -125 "$RCR" run --rm --tmpfs /t:frob bb true
	[[ "$output" == *"unknown tmpfs option 'frob'"* ]]
	run -125 "$RCR" run --rm -v "$D:/data" --tmpfs /data bb true
	[[ "$output" == *"'/data' is the destination of more than one mount"* ]]
	run "$RCR" ps -a -q
	[ "$output" = "" ]
}

@test "inspect shows the binds and tmpfs mounts in Mounts" {
	run "$RCR" create --name mnt -v "$D:/data:ro" --mount "type=bind,src=$D,dst=/rw,bind-propagation=rshared" --tmpfs /t:size=1m bb true
	[ "$status" -eq 0 ]
	run "$RCR" inspect mnt
	[ "$status" -eq 0 ]
	mounts=$(printf '%s' "$output" | jq -c '.[0].Mounts')
	[ "$(jq length <<<"$mounts")" -eq 3 ]
	[ "$(jq -c '.[] | select(.Destination == "/data") | [.Type, .Source, .RW, .Propagation]' <<<"$mounts")" = "[\"bind\",\"$D\",false,\"rprivate\"]" ]
	[ "$(jq -c '.[] | select(.Destination == "/rw") | [.Type, .Source, .RW, .Propagation]' <<<"$mounts")" = "[\"bind\",\"$D\",true,\"rshared\"]" ]
	[ "$(jq -c '.[] | select(.Destination == "/t") | [.Type, .RW]' <<<"$mounts")" = '["tmpfs",true]' ]
	[[ "$(jq -c '.[] | select(.Destination == "/t") | .Options' <<<"$mounts")" == *'"size=1m"'* ]]
	# generated files (/etc/hosts, ...) are not the user's mounts
	[[ "$mounts" != *hosts* ]]
	run "$RCR" inspect --format '{{.HostConfig.Binds}}' mnt
	[[ "$output" == *"$D:/data:ro,rprivate,rbind"* ]]
	# the container starts with them
	run "$RCR" start -a mnt
	[ "$status" -eq 0 ]
}
