#!/usr/bin/env bats
# rcr pull from local sources: OCI layouts (oci:DIR[:REF]), OCI archives (oci-archive:FILE) and
# `docker save` archives (docker-archive:FILE[:REPO:TAG|:@N]); the names Podman gives each;
# corrupt or missing blobs refused with nothing stored; transports rcr does not implement named.

load helpers

setup_file() {
	local d=$BATS_FILE_TMPDIR
	# A copy of the busybox layout whose only image is named by a full reference.
	cp -r "$RCR_TEST_IMAGES/busybox" "$d/named"
	sed -i 's/"org.opencontainers.image.ref.name":"latest"/"org.opencontainers.image.ref.name":"quay.io\/rcr\/busybox:1.0"/' \
		"$d/named/index.json"
	tar -C "$RCR_TEST_IMAGES/busybox" -cf "$d/busybox-oci.tar" .
	tar -C "$d/named" -czf "$d/named-oci.tar.gz" .
	python3 "$BATS_TEST_DIRNAME/mk-docker-archive.py" "$d/busybox-docker.tar" \
		"$RCR_TEST_IMAGES/busybox:latest=busybox:latest,quay.io/rcr/busybox:2"
	# Two images sharing a layer (a symlink, as Docker writes it), and one without RepoTags.
	python3 "$BATS_TEST_DIRNAME/mk-docker-archive.py" "$d/two-docker.tar" \
		"$RCR_TEST_IMAGES/busybox=busybox:latest" "$RCR_TEST_IMAGES/busybox=example.com/bb:x" \
		"$RCR_TEST_IMAGES/multi"
	python3 "$BATS_TEST_DIRNAME/mk-docker-archive.py" --blobs --gzip "$d/debian-docker.tar" \
		"$RCR_TEST_IMAGES/debian:bookworm=debian:bookworm"
}

setup() {
	rcr_test_setup
	D=$BATS_FILE_TMPDIR
}

# Layers hold files owned by subordinate ids, which only rcr (in the user namespace) can remove.
teardown() {
	"$RCR" rmi -a -f >/dev/null 2>&1 || true
}

names() {
	"$RCR" images --format '{{.Repository}}:{{.Tag}}' | sort | paste -sd ' '
}

# A copy of the busybox layout, for tests that damage it; echoes its first layer blob.
damaged_copy() {
	cp -r "$RCR_TEST_IMAGES/busybox" "$BATS_TEST_TMPDIR/bad"
	python3 - "$BATS_TEST_TMPDIR/bad" <<-'PY'
		import json, os, sys
		d = sys.argv[1]
		def blob(dg): return os.path.join(d, "blobs", *dg.split(":"))
		idx = json.load(open(os.path.join(d, "index.json")))
		m = json.load(open(blob(idx["manifests"][0]["digest"])))
		print(blob(m["layers"][0]["digest"]), blob(m["config"]["digest"]), m["layers"][0]["digest"])
	PY
}

nothing_stored() {
	[ -z "$("$RCR" images -q)" ]
	[ -z "$(ls -A "$RCR_ROOT/layers" 2>/dev/null)" ]
	[ -z "$(ls -A "$RCR_ROOT/tmp" 2>/dev/null)" ]
}

@test "pull oci:DIR:TAG stores the image under the tag as Podman parses it; images and inspect see it" {
	run "$RCR" pull "oci:$RCR_TEST_OCI_BUSYBOX"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Copying blob sha256:"*" done"* ]]
	[[ "$output" == *"Writing manifest to image destination"* ]]
	[[ "${lines[-1]}" =~ ^[0-9a-f]{64}$ ]]
	id=${lines[-1]}
	# Podman (containers/common libimage) names it by REF through containers-storage's
	# parser: a bare tag becomes a docker.io name.
	[ "$(names)" = "docker.io/library/latest:latest" ]
	run "$RCR" image inspect --format '{{.Id}} {{.Digest}} {{.Architecture}}' "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "$id $RCR_TEST_DIGEST_BUSYBOX amd64" ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "pull oci:DIR with a full reference as REF; without REF the only image, unnamed" {
	run "$RCR" pull -q "oci:$D/named:quay.io/rcr/busybox:1.0"
	[ "$status" -eq 0 ]
	id=$output
	[ "$(names)" = "quay.io/rcr/busybox:1.0" ]
	run "$RCR" image inspect --format '{{.RepoDigests}}' quay.io/rcr/busybox:1.0
	[ "$output" = "[quay.io/rcr/busybox@$RCR_TEST_DIGEST_BUSYBOX]" ]
	"$RCR" rmi -f "$id"
	run "$RCR" pull -q "oci:$RCR_TEST_IMAGES/busybox"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(names)" = "<none>:<none>" ]
}

@test "oci: an unknown REF names what the layout has" {
	run "$RCR" pull "oci:$RCR_TEST_IMAGES/busybox:nope"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no image named 'nope' in the layout (it has: latest)"* ]]
	nothing_stored
}

@test "oci: an index in the layout: the platform is chosen from --arch or the host" {
	run "$RCR" pull -q "oci:$RCR_TEST_OCI_MULTI"
	[ "$status" -eq 0 ]
	run "$RCR" image inspect --format '{{.Architecture}}' "$output"
	[ "$output" = amd64 ]
	run "$RCR" pull -q --arch arm64 "oci:$RCR_TEST_OCI_MULTI"
	[ "$status" -eq 0 ]
	run "$RCR" image inspect --format '{{.Architecture}}' "$output"
	[ "$output" = arm64 ]
	run "$RCR" pull --arch s390x "oci:$RCR_TEST_OCI_MULTI"
	[ "$status" -eq 125 ]
	[[ "$output" == *"linux/s390x"* ]]
}

@test "oci: the 3-layer Debian layout with zstd layers" {
	run "$RCR" pull -q "oci:$RCR_TEST_OCI_DEBIAN_ZSTD"
	[ "$status" -eq 0 ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3 ]
	[ -n "$(find "$RCR_ROOT"/layers/*/diff/opt/rcr -name layer3.txt)" ]
}

@test "a corrupted layer blob is refused, naming it, and nothing is stored" {
	read -r layer config digest < <(damaged_copy)
	chmod u+w "$layer"
	printf 'garbage' | dd of="$layer" bs=1 seek=100 conv=notrunc status=none
	run "$RCR" pull "oci:$BATS_TEST_TMPDIR/bad:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"blob $digest: its content has digest sha256:"*"the image is corrupt"* ]]
	nothing_stored
}

@test "a corrupted config, or a missing blob, is refused and nothing is stored" {
	read -r layer config digest < <(damaged_copy)
	chmod u+w "$config"
	sed -i 's/amd64/arm64/' "$config"
	run "$RCR" pull "oci:$BATS_TEST_TMPDIR/bad:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"the image is corrupt"* ]]
	nothing_stored
	rm -rf "$BATS_TEST_TMPDIR/bad"
	read -r layer config digest < <(damaged_copy)
	rm -f "$layer"
	run "$RCR" pull "oci:$BATS_TEST_TMPDIR/bad:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"blob $digest is missing"* ]]
	nothing_stored
}

@test "a directory that is not a layout, and a missing one, are named" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	run "$RCR" pull "oci:$BATS_TEST_TMPDIR/empty"
	[ "$status" -eq 125 ]
	[[ "$output" == *"'$BATS_TEST_TMPDIR/empty' is not an OCI image layout"* ]]
	run "$RCR" pull "oci:$BATS_TEST_TMPDIR/nowhere:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$BATS_TEST_TMPDIR/nowhere"*"No such file or directory"* ]]
}

@test "oci-archive: named by the ref.name annotation, normalised as Podman does" {
	run "$RCR" pull -q "oci-archive:$D/busybox-oci.tar"
	[ "$status" -eq 0 ]
	[ "$(names)" = "localhost/latest:latest" ]
	run "$RCR" pull -q "oci-archive:$D/named-oci.tar.gz:quay.io/rcr/busybox:1.0"
	[ "$status" -eq 0 ]
	[ "$(names)" = "localhost/latest:latest quay.io/rcr/busybox:1.0" ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "oci-archive: a missing file is named" {
	run "$RCR" pull "oci-archive:$BATS_TEST_TMPDIR/none.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"'$BATS_TEST_TMPDIR/none.tar': No such file or directory"* ]]
}

@test "docker-archive: every RepoTag names the image, short ones under localhost/" {
	run "$RCR" pull -q "docker-archive:$D/busybox-docker.tar"
	[ "$status" -eq 0 ]
	id=$output
	[ "$(names)" = "localhost/busybox:latest quay.io/rcr/busybox:2" ]
	# The same config as the layout's image: the same image.
	run "$RCR" pull -q "oci:$RCR_TEST_OCI_BUSYBOX"
	[ "$output" = "$id" ]
	run "$RCR" image inspect --format '{{.Config.Cmd}}' localhost/busybox
	[ "$output" = "[sh]" ]
}

@test "docker-archive: several images need :REPO:TAG or :@N; a shared layer is stored once" {
	run "$RCR" pull "docker-archive:$D/two-docker.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"the archive holds 3 images"* ]]
	run "$RCR" pull -q "docker-archive:$D/two-docker.tar:example.com/bb:x"
	[ "$status" -eq 0 ]
	[ "$(names)" = "example.com/bb:x" ]
	run "$RCR" pull -q "docker-archive:$D/two-docker.tar:@0"
	[ "$status" -eq 0 ]
	[ "$(names)" = "example.com/bb:x localhost/busybox:latest" ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]
	run "$RCR" pull -q "docker-archive:$D/two-docker.tar:@2"
	[ "$status" -eq 0 ]
	run "$RCR" pull "docker-archive:$D/two-docker.tar:nope:1"
	[ "$status" -eq 125 ]
	[[ "$output" == *"tag 'nope:1' not found"* ]]
	run "$RCR" pull "docker-archive:$D/two-docker.tar:@7"
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid source index @7"* ]]
}

@test "docker-archive: Docker 25's blobs/sha256 layout with gzip layers; 3 layers" {
	run "$RCR" pull -q "docker-archive:$D/debian-docker.tar"
	[ "$status" -eq 0 ]
	[ "$(names)" = "localhost/debian:bookworm" ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3 ]
}

@test "docker-archive of an OCI archive says which transport to use" {
	run "$RCR" pull "docker-archive:$D/busybox-oci.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no manifest.json"*"oci-archive:"* ]]
	nothing_stored
}

@test "transports rcr does not implement are named, with what it supports" {
	for t in dir:/tmp/x containers-storage:busybox docker-daemon:busybox:latest; do
		run "$RCR" pull "$t"
		[ "$status" -eq 125 ]
		[[ "$output" == *"transport '${t%%:*}' is not supported by rcr; supported: docker://, oci:, oci-archive:, docker-archive:"* ]]
	done
}
