#!/usr/bin/env bats
# rcr images, tag, untag, rmi, image inspect, image exists, image prune on a store filled from
# the local registry.

load helpers

setup() {
	rcr_test_setup
	use_test_registries
	P=$RCR_TEST_REG_PLAIN
}

teardown() {
	rcr_test_teardown
}

pull() {
	run "$RCR" pull -q "$@"
	[ "$status" -eq 0 ]
}

@test "images prints Podman's columns, one row per name" {
	pull "$P/busybox:latest"
	id=$output
	run "$RCR" images
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +IMAGE\ ID\ +CREATED\ +SIZE$ ]]
	[[ "${lines[1]}" =~ ^$P/busybox\ +latest\ +${id:0:12}\ +.+\ ago\ +[0-9.]+\ [kM]B$ ]]
	"$RCR" tag "$P/busybox:latest" mybox:1
	run "$RCR" images --noheading
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" == *"localhost/mybox "*" 1 "* ]]
}

@test "images -q, --no-trunc, --digests, --format and --format json" {
	pull "$P/busybox:latest"
	id=$output
	run "$RCR" images -q
	[ "$output" = "${id:0:12}" ]
	run "$RCR" images --no-trunc --format '{{.ID}}'
	[ "$output" = "sha256:$id" ]
	run "$RCR" images --digests
	[[ "${lines[0]}" =~ ^REPOSITORY\ +TAG\ +DIGEST\ +IMAGE\ ID ]]
	[[ "${lines[1]}" == *"$RCR_TEST_DIGEST_BUSYBOX"* ]]
	run "$RCR" images --format 'table {{.Repository}} {{upper .Tag}}'
	[ "${lines[1]}" = "$P/busybox LATEST" ]
	run "$RCR" images --format json
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert d[0]["Id"] == sys.argv[2], d; assert d[0]["RepoTags"] == [sys.argv[3]]; assert d[0]["Size"] > 0' "$output" "$id" "$P/busybox:latest"
}

@test "images --filter reference, dangling, before and since; a bad filter is an error" {
	pull "$P/busybox:latest"
	pull "$P/debian:bookworm"
	run "$RCR" images --format '{{.Repository}}' --filter 'reference=*debian*'
	[ "$output" = "$P/debian" ]
	run "$RCR" images --format '{{.Repository}}' --filter reference=busybox
	[ "$output" = "$P/busybox" ]
	run "$RCR" images -q --filter dangling=true
	[ -z "$output" ]
	"$RCR" untag "$P/busybox:latest"
	run "$RCR" images --format '{{.Repository}}:{{.Tag}}' --filter dangling=true
	[ "$output" = "<none>:<none>" ]
	run "$RCR" images --filter frob=1
	[ "$status" -eq 125 ]
	[[ "$output" == *frob* ]]
}

@test "images --filter label= reads the image config's labels" {
	pull "$P/busybox:latest"
	run "$RCR" images -q --filter label=nosuchlabel
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "tag adds names (short ones under localhost/), untag removes them" {
	pull "$P/busybox:latest"
	run "$RCR" tag busybox myimg other.example/ns/app:2
	[ "$status" -eq 0 ]
	run "$RCR" images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" == *"localhost/myimg:latest"* ]]
	[[ "$output" == *"other.example/ns/app:2"* ]]
	run "$RCR" untag busybox myimg
	[ "$status" -eq 0 ]
	run "$RCR" untag busybox myimg
	[ "$status" -eq 125 ]
	[[ "$output" == *"myimg: tag not known"* ]]
	run "$RCR" images --format '{{.Repository}}:{{.Tag}}'
	[[ "$output" != *"localhost/myimg"* ]]
	run "$RCR" tag nosuchimage x
	[ "$status" -eq 125 ]
	[[ "$output" == *"nosuchimage: image not known"* ]]
	run "$RCR" tag busybox 'Bad:Name'
	[ "$status" -eq 125 ]
}

@test "rmi of one of several names only untags; the last name removes image and layers" {
	pull "$P/busybox:latest"
	id=$output
	"$RCR" tag "$P/busybox:latest" second
	run "$RCR" rmi second
	[ "$status" -eq 0 ]
	[ "$output" = "Untagged: localhost/second:latest" ]
	run "$RCR" rmi busybox
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Untagged: $P/busybox:latest" ]
	[ "${lines[1]}" = "Deleted: $id" ]
	[ -z "$(ls -A "$RCR_ROOT/layers")" ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "rmi by id of an image with several names needs -f; unknown images exit 1" {
	pull "$P/busybox:latest"
	id=$output
	"$RCR" tag "$P/busybox:latest" second
	run "$RCR" rmi "${id:0:12}"
	[ "$status" -eq 125 ]
	[[ "$output" == *--force* ]]
	run "$RCR" rmi -f "${id:0:12}"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "Deleted: $id" ]
	run "$RCR" rmi nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"nosuch: image not known"* ]]
	run "$RCR" rmi -i nosuch
	[ "$status" -eq 0 ]
}

@test "rmi keeps layers another image still uses" {
	pull "$P/debian:bookworm"
	pull "$P/busybox:latest"
	run "$RCR" rmi "$P/debian:bookworm"
	[ "$status" -eq 0 ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]
	run "$RCR" images --format '{{.Repository}}'
	[ "$output" = "$P/busybox" ]
	run "$RCR" rmi -a
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$RCR_ROOT/layers")" ]
}

@test "image inspect prints Docker-compatible JSON; --format picks fields" {
	pull "$P/debian:bookworm"
	id=$output
	run "$RCR" image inspect "$P/debian:bookworm"
	[ "$status" -eq 0 ]
	python3 -c '
import json, sys
d = json.loads(sys.argv[1])[0]
assert d["Id"] == sys.argv[2], d["Id"]
assert d["RepoTags"] == [sys.argv[3]]
assert d["Architecture"] == "amd64" and d["Os"] == "linux"
assert len(d["RootFS"]["Layers"]) == 3
assert d["Config"]["Cmd"] == ["bash"]
assert d["Size"] > 100000000
' "$output" "$id" "$P/debian:bookworm"
	run "$RCR" image inspect --format '{{.Os}}/{{.Architecture}} {{len .RootFS.Layers}}' debian:bookworm
	[ "$output" = "linux/amd64 3" ]
	run "$RCR" inspect --format '{{.Id}}' "${id:0:6}"
	[ "$output" = "$id" ]
	run "$RCR" image inspect nosuch
	[ "$status" -eq 125 ]
	[[ "$output" == *"nosuch: image not known"* ]]
}

@test "image exists answers with its exit code" {
	pull "$P/busybox:latest"
	run "$RCR" image exists busybox
	[ "$status" -eq 0 ]
	run "$RCR" image exists "$P/busybox:latest"
	[ "$status" -eq 0 ]
	run "$RCR" image exists debian
	[ "$status" -eq 1 ]
}

@test "image prune removes dangling images; -a removes all" {
	pull "$P/busybox:latest"
	bid=$output
	pull "$P/debian:bookworm"
	"$RCR" untag "$P/busybox:latest"
	run "$RCR" image prune -f
	[ "$status" -eq 0 ]
	[ "$output" = "$bid" ]
	run "$RCR" images -q
	[ "${#lines[@]}" -eq 1 ]
	run "$RCR" image prune -a -f
	[ "$status" -eq 0 ]
	run "$RCR" images -q
	[ -z "$output" ]
	[ -z "$(ls -A "$RCR_ROOT/layers")" ]
}

@test "image ls and image rm are the same commands" {
	pull "$P/busybox:latest"
	run "$RCR" image ls -q
	[ "${#lines[@]}" -eq 1 ]
	run "$RCR" image rm busybox
	[ "$status" -eq 0 ]
	run "$RCR" image list -q
	[ -z "$output" ]
}

@test "rmi of an image a container uses exits 2; rmi -f removes the container too" {
	"$RCR" pull -q "oci:$RCR_TEST_OCI_BUSYBOX" >/dev/null
	id=$("$RCR" images -q | head -1)
	"$RCR" create --name user1 "$id" true >/dev/null
	run "$RCR" rmi "$id"
	[ "$status" -eq 2 ]
	[[ "$output" == *"image is in use by a container"* ]]
	run "$RCR" rmi -f "$id"
	[ "$status" -eq 0 ]
	run "$RCR" container exists user1
	[ "$status" -eq 1 ]
}
