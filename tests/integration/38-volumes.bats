#!/usr/bin/env bats
# Named and anonymous volumes as the unprivileged test user: data that outlives its container,
# copy-up of the image's content (owners kept) and nocopy, read-only volumes, anonymous volumes
# going with rm -v and --rm while named ones stay, `rcr volume` create/ls/inspect/exists/rm/
# prune with their formats, filters and exit codes, files of a non-root container user owned by
# the mapped subuid on the host and still removed, and a store left consistent by a killed
# create or a stray directory (store_check's volume repairs are unit-tested: test_store_volumes).

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
	"$RCR" volume rm -a -f >/dev/null 2>&1 || true
}

teardown_file() {
	ctr_teardown_file
}

# The first subordinate uid of the test user (container uid 1 maps to it).
subuid_base() {
	awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid
}

@test "a named volume is made on first use and its data outlives the container" {
	run "$RCR" volume exists data1
	[ "$status" -eq 1 ]
	run "$RCR" run --rm -v data1:/data bb sh -c 'echo kept >/data/f'
	[ "$status" -eq 0 ]
	run "$RCR" volume exists data1
	[ "$status" -eq 0 ]
	run "$RCR" run --rm -v data1:/other bb cat /other/f
	[ "$status" -eq 0 ]
	[ "$output" = kept ]
	# --mount type=volume names the same volume
	run "$RCR" run --rm --mount type=volume,source=data1,target=/m bb cat /m/f
	[ "$status" -eq 0 ]
	[ "$output" = kept ]
	mp=$("$RCR" volume inspect --format '{{.Mountpoint}}' data1)
	[ "$mp" = "$RCR_ROOT/volumes/data1/_data" ]
	[ "$(cat "$mp/f")" = kept ]
}

@test "copy-up: a fresh volume takes the image's content with its owners; nocopy does not" {
	run "$RCR" volume inspect --format '{{.NeedsCopyUp}}' etcvol
	[ "$status" -eq 1 ]
	"$RCR" volume create etcvol >/dev/null
	[ "$("$RCR" volume inspect --format '{{.NeedsCopyUp}}' etcvol)" = true ]
	run "$RCR" run --rm -v etcvol:/etc bb sh -c 'grep ^root: /etc/passwd && stat -c %u:%g:%a /etc/passwd /etc'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == root:* ]]
	# owners and modes as in the image (busybox: root-owned, 644 and 755)
	[ "${lines[1]}" = "0:0:644" ]
	[ "${lines[2]}" = "0:0:755" ]
	# the marker is gone: the volume is no longer fresh
	[ "$("$RCR" volume inspect --format '{{.NeedsCopyUp}}' etcvol)" = false ]
	[ ! -e "$RCR_ROOT/volumes/etcvol/copy-up" ]
	# on the host the copied files belong to the user (container root)
	[ "$(stat -c %u "$RCR_ROOT/volumes/etcvol/_data/passwd")" = "$(id -u)" ]
	# a change in the volume is kept, and no second copy overwrites it
	"$RCR" run --rm -v etcvol:/etc bb sh -c 'echo changed >/etc/motd-test'
	run "$RCR" run --rm -v etcvol:/etc bb cat /etc/motd-test
	[ "$output" = changed ]

	# nocopy: the volume stays empty
	run "$RCR" run --rm -v empty1:/etc:nocopy bb ls -A /etc
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run "$RCR" run --rm --mount type=volume,src=empty2,dst=/etc,volume-nocopy bb ls -A /etc
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	# a volume made with --opt nocopy never copies
	"$RCR" volume create --opt nocopy empty3 >/dev/null
	run "$RCR" run --rm -v empty3:/etc bb ls -A /etc
	[ "$output" = "" ]
	# a volume that has content is never filled
	"$RCR" run --rm -v full:/data bb sh -c 'echo mine >/data/x'
	run "$RCR" run --rm -v full:/etc bb ls -A /etc
	[ "$output" = x ]
}

@test ":ro volumes refuse writes" {
	"$RCR" run --rm -v rov:/data bb sh -c 'echo a >/data/a'
	run "$RCR" run --rm -v rov:/data:ro bb sh -c 'cat /data/a; echo b >/data/a'
	[ "$status" -ne 0 ]
	[[ "$output" == *a* ]]
	[[ "$output" == *"Read-only file system"* ]]
	run "$RCR" run --rm --mount type=volume,source=rov,target=/data,readonly bb touch /data/n
	[ "$status" -ne 0 ]
	[[ "$output" == *"Read-only file system"* ]]
	[ "$(cat "$RCR_ROOT/volumes/rov/_data/a")" = a ]
}

@test "anonymous volumes go with rm -v and --rm; named ones stay" {
	"$RCR" create --name c1 -v /anon -v keep1:/named bb true >/dev/null
	[ "$("$RCR" volume ls -q | wc -l)" -eq 2 ]
	anon=$("$RCR" volume ls -q | grep -v '^keep1$')
	[[ "$anon" =~ ^[0-9a-f]{64}$ ]]
	[ "$("$RCR" volume inspect --format '{{.Anonymous}}' "$anon")" = true ]
	# inspect of the container lists both as volumes
	run "$RCR" inspect --format '{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}} {{.Driver}}
{{end}}' c1
	[ "$status" -eq 0 ]
	[[ "$output" == *"volume $anon /anon local"* ]]
	[[ "$output" == *"volume keep1 /named local"* ]]
	# rm without -v keeps the anonymous volume (dangling)
	"$RCR" rm c1 >/dev/null
	run "$RCR" volume exists "$anon"
	[ "$status" -eq 0 ]
	"$RCR" volume rm "$anon" >/dev/null

	"$RCR" create --name c2 -v /anon -v keep1:/named bb true >/dev/null
	anon=$("$RCR" volume ls -q | grep -v '^keep1$')
	"$RCR" rm -v c2 >/dev/null
	run "$RCR" volume exists "$anon"
	[ "$status" -eq 1 ]
	run "$RCR" volume exists keep1
	[ "$status" -eq 0 ]

	# --rm, attached and detached; --mount without source is anonymous too
	run "$RCR" run --rm -v /anon --mount type=volume,target=/anon2 bb sh -c 'echo x >/anon/f'
	[ "$status" -eq 0 ]
	run "$RCR" volume ls -q
	[ "$output" = keep1 ]
	id=$("$RCR" run -d --rm -v /anon bb true)
	for _ in $(seq 50); do
		"$RCR" container exists "$id" || break
		sleep 0.1
	done
	run "$RCR" volume ls -q
	[ "$output" = keep1 ]
}

@test "volume rm: in use is exit 2 naming the container, -f removes the container first" {
	id=$("$RCR" create -v busy:/d bb true)
	run "$RCR" volume rm busy
	[ "$status" -eq 2 ]
	[[ "$output" == *"volume busy is being used by the following container(s): $id"* ]]
	run "$RCR" volume exists busy
	[ "$status" -eq 0 ]
	run "$RCR" volume rm nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"no volume with name \"nosuch\" found: no such volume"* ]]
	run "$RCR" volume rm -f busy
	[ "$status" -eq 0 ]
	[ "$output" = busy ]
	run "$RCR" container exists "$id"
	[ "$status" -eq 1 ]
	[ ! -e "$RCR_ROOT/volumes/busy" ]
}

@test "volume create, ls, inspect and exists: names, labels, options, formats and filters" {
	run "$RCR" volume create --label a=1 --label b=two v1
	[ "$status" -eq 0 ]
	[ "$output" = v1 ]
	run "$RCR" volume create v1
	[ "$status" -eq 125 ]
	[[ "$output" == *"volume with name v1 already exists: volume already exists"* ]]
	run "$RCR" volume create --ignore v1
	[ "$status" -eq 0 ]
	[ "$output" = v1 ]
	run "$RCR" volume create 'bad/name'
	[ "$status" -eq 125 ]
	[[ "$output" == *"[a-zA-Z0-9][a-zA-Z0-9_.-]*"* ]]
	run "$RCR" volume create --opt type=tmpfs v9
	[ "$status" -eq 125 ]
	[[ "$output" == *"volume option 'type' is not supported"* ]]
	run "$RCR" volume create --opt frob=1 v9
	[ "$status" -eq 125 ]
	run "$RCR" volume exists v9
	[ "$status" -eq 1 ]
	gen=$("$RCR" volume create)
	[[ "$gen" =~ ^[0-9a-f]{64}$ ]]
	"$RCR" volume create --label a=2 v2 >/dev/null
	"$RCR" create -v v2:/d bb true >/dev/null

	run "$RCR" volume ls
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^DRIVER\ +VOLUME\ NAME$ ]]
	[[ "$output" == *"local       v1"* ]]
	[ "${#lines[@]}" -eq 4 ]
	run "$RCR" volume ls --format '{{.Name}} {{.Driver}} {{.Scope}}' --filter label=a=1
	[ "$output" = "v1 local local" ]
	run "$RCR" volume ls -q --filter label=a
	[ "$output" = "$(printf 'v1\nv2')" ]
	run "$RCR" volume ls -q --filter name=^v
	[ "$output" = "$(printf 'v1\nv2')" ]
	run "$RCR" volume ls -q --filter dangling=false
	[ "$output" = v2 ]
	run "$RCR" volume ls -q --filter dangling=true --filter name=v
	[ "$output" = v1 ]
	run "$RCR" volume ls -q --filter frob=1
	[ "$status" -eq 125 ]
	run "$RCR" volume ls --format json
	[ "$status" -eq 0 ]
	[[ "$output" == *'"Name": "v1"'* ]]

	run "$RCR" volume inspect v1
	[ "$status" -eq 0 ]
	[[ "$output" == *'"Driver": "local"'* ]]
	[[ "$output" == *'"Scope": "local"'* ]]
	[[ "$output" == *'"Mountpoint": "'"$RCR_ROOT"'/volumes/v1/_data"'* ]]
	[[ "$output" == *'"CreatedAt": "'* ]]
	[ "$("$RCR" volume inspect --format '{{.Labels.b}}' v1)" = two ]
	run "$RCR" volume inspect v1 nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *'"Name": "v1"'* ]]
	[[ "$output" == *"no such volume nosuch"* ]]
}

@test "volume prune removes unused volumes after asking, or with -f" {
	"$RCR" volume create --label keep=yes p1 >/dev/null
	"$RCR" volume create p2 >/dev/null
	"$RCR" create -v used:/d bb true >/dev/null
	run "$RCR" volume prune <<<"n"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Are you sure you want to continue? [y/N]"* ]]
	[ "$("$RCR" volume ls -q | wc -l)" -eq 3 ]
	run "$RCR" volume prune -f --filter label=keep=yes
	[ "$status" -eq 0 ]
	[ "$output" = p1 ]
	run "$RCR" volume prune <<<"y"
	[ "$status" -eq 0 ]
	[[ "$output" == *p2 ]]
	run "$RCR" volume ls -q
	[ "$output" = used ]
}

@test "files of a non-root container user belong to the mapped subuid, and volume rm removes them" {
	base=$(subuid_base)
	[ -n "$base" ] || skip_env "the test user has no subordinate uid range"
	# the volume's top is root's 755 (no /data in the image): root opens it first
	"$RCR" run --rm -v ids:/data bb chmod 1777 /data
	run "$RCR" run --rm -u 1000:1000 -v ids:/data bb sh -c 'mkdir /data/d && echo x >/data/d/f'
	[ "$status" -eq 0 ]
	d="$RCR_ROOT/volumes/ids/_data/d"
	[ "$(stat -c %u "$d")" = "$((base + 999))" ]
	[ "$(stat -c %u "$d/f")" = "$((base + 999))" ]
	# the user cannot remove these files itself; rcr can
	run ! rm -rf "$d"
	run "$RCR" volume rm ids
	[ "$status" -eq 0 ]
	[ ! -e "$RCR_ROOT/volumes/ids" ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "a volume directory without a row is removed by the next call" {
	"$RCR" volume create kept >/dev/null
	mkdir -p "$RCR_ROOT/volumes/stray/_data"
	run "$RCR" volume ls -q
	[ "$output" = kept ]
	[ ! -e "$RCR_ROOT/volumes/stray" ]
	[ -d "$RCR_ROOT/volumes/kept/_data" ]
}

@test "a killed volume create leaves the store consistent" {
	for _ in 1 2 3 4 5; do
		"$RCR" volume create "k$RANDOM" >/dev/null &
		pid=$!
		sleep 0.0$((RANDOM % 9))
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	run "$RCR" system check
	[ "$status" -eq 0 ]
	# every listed volume has its data directory, and every directory its volume
	for v in $("$RCR" volume ls -q); do
		[ -d "$RCR_ROOT/volumes/$v/_data" ]
	done
	for d in "$RCR_ROOT"/volumes/*; do
		[ -e "$d" ] || continue
		"$RCR" volume exists "$(basename "$d")"
	done
}
