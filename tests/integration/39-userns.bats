#!/usr/bin/env bats
# rcr run --userns (host, keep-id, nomap), --uidmap and --gidmap as the unprivileged test user:
# the ids the command runs with, what a bind mount sees and gets on the host, the image's files
# keeping their owners (served by fuse-overlayfs from the store's namespace), exec, restart, cp,
# the U volume option, inspect's UsernsMode/IDMappings, and the refusals (exit 125).

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	ctr_setup_file
}

setup() {
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	D=$(mktemp -d "$BATS_TEST_TMPDIR/bind.XXXXXX")
	SUB=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
}

teardown() {
	ctr_teardown
}

teardown_file() {
	ctr_teardown_file
}

@test "keep-id: the command runs as the user, with the user's name and home" {
	# shellcheck disable=SC2016 # $HOME is the container's
	run "$RCR" run --rm --userns keep-id bb sh -c 'id -u; id -g; id -un; echo $HOME'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$(id -u)" ]
	[ "${lines[1]}" = "$(id -g)" ]
	[ "${lines[2]}" = "$(id -un)" ]
	[ "${lines[3]}" = "$HOME" ]
	# container root is a subordinate id, the user is itself
	run "$RCR" run --rm --userns=keep-id bb cat /proc/self/uid_map
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^\ +0\ +$SUB\ +$(id -u)$'\n' ]]
	[[ "$output" =~ $'\n'\ +$(id -u)\ +$(id -u)\ +1 ]]
}

@test "keep-id: the image's files keep their owners, files made inside are the user's" {
	run "$RCR" run --rm --userns keep-id bb sh -c \
		'stat -c %u:%g /bin/busybox /etc /; touch /tmp/mine; stat -c %u /tmp/mine'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0:0 ]
	[ "${lines[1]}" = 0:0 ]
	[ "${lines[2]}" = 0:0 ]
	[ "${lines[3]}" = "$(id -u)" ]
	# root of the container still owns the image's tree and may write it
	run "$RCR" run --rm --userns keep-id -u 0 bb sh -c 'id -u; echo x >/etc/added && stat -c %u /etc/added'
	[ "$status" -eq 0 ]
	[ "$output" = $'0\n0' ]
}

@test "keep-id: a file made in a bind mount is the user's on the host" {
	run "$RCR" run --rm --userns keep-id -v "$D:/data" bb sh -c 'echo hi >/data/f; mkdir /data/d'
	[ "$status" -eq 0 ]
	[ "$(stat -c %u:%g "$D/f")" = "$(id -u):$(id -g)" ]
	[ "$(stat -c %u "$D/d")" = "$(id -u)" ]
	# and the user's files are the user's inside
	echo host >"$D/h"
	run "$RCR" run --rm --userns keep-id -v "$D:/data" bb stat -c %u /data/h
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u)" ]
}

@test "keep-id:uid=1000,gid=1000 maps the user to 1000 inside" {
	run "$RCR" run --rm --userns keep-id:uid=1000,gid=1000 -v "$D:/data" bb sh -c \
		'id -u; id -g; touch /data/f; stat -c %u /bin/busybox'
	[ "$status" -eq 0 ]
	[ "$output" = $'1000\n1000\n0' ]
	[ "$(stat -c %u:%g "$D/f")" = "$(id -u):$(id -g)" ]
}

@test "keep-id with -u runs as that user; the passwd line is added once" {
	run "$RCR" run --rm --userns keep-id -u root bb sh -c "id -u; grep -c '^$(id -un):\*:$(id -u):' /etc/passwd"
	[ "$status" -eq 0 ]
	[ "$output" = $'0\n1' ]
	# started again, the container finds its line and adds no second one
	run "$RCR" run --name twice --userns keep-id bb grep -c "^$(id -un):" /etc/passwd /etc/group
	[ "$status" -eq 0 ]
	[ "$output" = $'/etc/passwd:1\n/etc/group:1' ]
	run "$RCR" start -a twice
	[ "$status" -eq 0 ]
	[ "$output" = $'/etc/passwd:1\n/etc/group:1' ]
}

@test "keep-id: exec joins as the user, and a restart keeps what was written" {
	run "$RCR" run -d --name k --userns keep-id bb sleep 300
	[ "$status" -eq 0 ]
	run "$RCR" exec k sh -c 'id -u; echo kept >/tmp/w; stat -c %u /tmp/w /bin/busybox'
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u)"$'\n'"$(id -u)"$'\n0' ]
	run "$RCR" restart -t 0 k
	[ "$status" -eq 0 ]
	run "$RCR" exec k sh -c 'cat /tmp/w; stat -c %u /tmp/w /bin/busybox'
	[ "$status" -eq 0 ]
	[ "$output" = "kept"$'\n'"$(id -u)"$'\n0' ]
	# the container's writes are stored through the store's maps: the user's own file in the
	# upper dir is the store's root (the user), like any container's root-owned file
	run "$RCR" rm -f k
	[ "$status" -eq 0 ]
	[ -z "$(ls "$RCR_ROOT/containers" 2>/dev/null)" ]
}

@test "keep-id: cp into and out of a stopped container respects its ids" {
	run "$RCR" create --name c --userns keep-id bb sleep 300
	[ "$status" -eq 0 ]
	echo data >"$D/in"
	run "$RCR" cp "$D/in" c:/tmp/in
	[ "$status" -eq 0 ]
	run "$RCR" start c
	[ "$status" -eq 0 ]
	run "$RCR" exec c sh -c 'cat /tmp/in; stat -c %u /tmp/in; echo back >/tmp/out'
	[ "$status" -eq 0 ]
	[ "$output" = "data"$'\n'"$(id -u)" ]
	run "$RCR" stop -t 0 c
	run "$RCR" cp c:/tmp/out "$D/out"
	[ "$status" -eq 0 ]
	[ "$(cat "$D/out")" = back ]
	[ "$(stat -c %u "$D/out")" = "$(id -u)" ]
}

@test "keep-id with -v SRC:DST:U: the tree becomes the user's, on the host too" {
	mkdir "$D/u"
	run "$RCR" run --rm --userns keep-id -v "$D/u:/u:U" bb stat -c %u:%g /u
	[ "$status" -eq 0 ]
	[ "$output" = "$(id -u):$(id -g)" ]
	[ "$(stat -c %u:%g "$D/u")" = "$(id -u):$(id -g)" ]
	# with -u root, U gives the tree to the container's root: the first subordinate id
	run "$RCR" run --rm --userns keep-id -u 0 -v "$D/u:/u:U" bb stat -c %u /u
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
	[ "$(stat -c %u "$D/u")" = "$SUB" ]
}

@test "nomap: root is a subordinate id, the user is not mapped" {
	chmod 0777 "$D"
	echo mine >"$D/mine"
	run "$RCR" run --rm --userns nomap -v "$D:/data" bb sh -c \
		'id -u; touch /data/f; stat -c %u /data/mine /bin/busybox; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	# the user's own file shows as the overflow id; the image's as root
	[ "${lines[1]}" = 65534 ]
	[ "${lines[2]}" = 0 ]
	[[ "${lines[3]}" =~ ^\ +0\ +$SUB\ +[0-9]+$ ]]
	[ "$(stat -c %u "$D/f")" = "$SUB" ]
	# nothing of the user's is reachable as the user: not even its own 0600 file
	chmod 0600 "$D/mine"
	run "$RCR" run --rm --userns nomap -v "$D:/data" bb cat /data/mine
	[ "$status" -ne 0 ]
}

@test "--uidmap and --gidmap: the map is the one asked for, in the default namespace's ids" {
	run "$RCR" run --rm --uidmap 0:1:1000 bb sh -c 'cat /proc/self/uid_map /proc/self/gid_map; stat -c %u /bin/busybox; touch /x && stat -c %u /x'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ +0\ +$SUB\ +1000$ ]]
	[[ "${lines[1]}" =~ ^\ +0\ +$SUB\ +1000$ ]]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" = 0 ]
	run "$RCR" run --rm --uidmap 0:1:1000 --uidmap 1000:0:1 --gidmap 0:0:1 -v "$D:/data" bb sh -c \
		'cat /proc/self/uid_map /proc/self/gid_map; touch /data/f'
	[ "$status" -eq 0 ]
	[[ "${lines[1]}" =~ ^\ +1000\ +$(id -u)\ +1$ ]]
	[[ "${lines[2]}" =~ ^\ +0\ +$(id -g)\ +1$ ]]
	[ "$(stat -c %u:%g "$D/f")" = "$SUB:$(id -g)" ]
}

@test "inspect shows UsernsMode and IDMappings" {
	run "$RCR" create --name i --userns keep-id bb true
	[ "$status" -eq 0 ]
	run "$RCR" inspect --format '{{.HostConfig.UsernsMode}}' i
	[ "$output" = keep-id ]
	run "$RCR" inspect --format '{{json .HostConfig.IDMappings.UidMap}}' i
	[ "$output" = "[\"0:1:$(id -u)\",\"$(id -u):0:1\",\"$(($(id -u) + 1)):$(($(id -u) + 1)):$((65536 - $(id -u)))\"]" ]
	run "$RCR" create --name h --userns host bb true
	run "$RCR" inspect --format '{{.HostConfig.UsernsMode}}' h
	[ "$output" = host ]
	run "$RCR" create --name p --uidmap 0:1:10 bb true
	run "$RCR" inspect --format '{{.HostConfig.UsernsMode}} {{json .HostConfig.IDMappings.GidMap}}' p
	[ "$output" = 'private ["0:1:10"]' ]
	run "$RCR" create --name d bb true
	run "$RCR" inspect --format '[{{.HostConfig.UsernsMode}}]' d
	[ "$output" = '[]' ]
}

@test "bad --userns, --uidmap and --gidmap values: exit 125 with what is wrong" {
	run -125 "$RCR" run --rm --userns bogus bb true
	[[ "$output" == *"invalid --userns 'bogus'"* ]]
	run -125 "$RCR" run --rm --userns auto bb true
	[[ "$output" == *"--userns=auto is not supported"* ]]
	run -125 "$RCR" run --rm --userns keep-id:uid=x bb true
	[[ "$output" == *"invalid --userns option 'uid=x'"* ]]
	run -125 "$RCR" run --rm --userns keep-id --uidmap 0:1:10 bb true
	[[ "$output" == *"mutually exclusive"* ]]
	run -125 "$RCR" run --rm --uidmap 0:1 bb true
	[[ "$output" == *"use CONTAINER:HOST:SIZE"* ]]
	run -125 "$RCR" run --rm --uidmap 0:1:70000 bb true
	[[ "$output" == *"host ids 1-70000 are not yours"* ]]
	run -125 "$RCR" run --rm --gidmap 0:1:10 --gidmap 5:100:10 bb true
	[[ "$output" == *"overlaps"* ]]
	# nothing was stored
	run "$RCR" ps -a -q
	[ -z "$output" ]
}

@test "keep-id and nomap need subordinate ids: a clear error for a user without" {
	as_user "$RCR_TEST_USER_NOSUB" "$RCR" pull -q "oci:$RCR_TEST_OCI_BUSYBOX" >/dev/null 2>&1
	img=$(as_user "$RCR_TEST_USER_NOSUB" "$RCR" images -q 2>/dev/null | head -1)
	run -125 as_user "$RCR_TEST_USER_NOSUB" "$RCR" run --rm --userns keep-id "$img" true
	[[ "$output" == *"--userns=keep-id needs subordinate ids"*"usermod --add-subuids"* ]]
	run -125 as_user "$RCR_TEST_USER_NOSUB" "$RCR" run --rm --userns nomap "$img" true
	[[ "$output" == *"--userns=nomap needs subordinate ids"* ]]
	# the user's own id as root is all such a user has, and that is allowed
	run as_user "$RCR_TEST_USER_NOSUB" "$RCR" run --rm --uidmap 0:0:1 "$img" id -u
	[ "$status" -eq 0 ]
	[[ "$output" == *0 ]]
	as_user "$RCR_TEST_USER_NOSUB" "$RCR" rmi -a -f >/dev/null 2>&1 || true
	as_user "$RCR_TEST_USER_NOSUB" rm -rf "/tmp/rcr-test-$RCR_TEST_USER_NOSUB-$$" || true
}

@test "the Debian image with keep-id: apt works, /etc/shadow keeps its owner" {
	[ -n "${RCR_TEST_OCI_DEBIAN:-}" ] && [ -d "${RCR_TEST_OCI_DEBIAN%:*}" ] ||
		skip_env "no Debian test image (RCR_TEST_OCI_DEBIAN)"
	run "$RCR" pull -q "oci:$RCR_TEST_OCI_DEBIAN"
	[ "$status" -eq 0 ]
	img=$output
	run "$RCR" run --rm --userns keep-id "$img" sh -c 'apt --version >/dev/null && echo apt-ok; stat -c %u:%G /etc/shadow; id -u'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = apt-ok ]
	[ "${lines[1]}" = 0:shadow ]
	[ "${lines[2]}" = "$(id -u)" ]
	run "$RCR" rmi -f "$img"
}
