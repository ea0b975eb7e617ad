#!/usr/bin/env bats
# rcr import: a busybox root filesystem tarball (gzip, plain, zstd, xz; a file, stdin or a URL)
# becomes a one-layer image with --change instructions and --message, named as Podman names it.

load helpers

setup_file() {
	local d=$BATS_FILE_TMPDIR
	# The busybox test image's only layer is a gzip tar of a complete root filesystem.
	python3 - "$RCR_TEST_IMAGES/busybox" "$d/rootfs.tar.gz" <<-'PY'
		import json, os, shutil, sys
		d = sys.argv[1]
		def blob(dg): return os.path.join(d, "blobs", *dg.split(":"))
		idx = json.load(open(os.path.join(d, "index.json")))
		m = json.load(open(blob(idx["manifests"][0]["digest"])))
		shutil.copyfile(blob(m["layers"][0]["digest"]), sys.argv[2])
	PY
	gzip -dc "$d/rootfs.tar.gz" >"$d/rootfs.tar"
	zstd -q -f "$d/rootfs.tar" -o "$d/rootfs.tar.zst"
	xz -c "$d/rootfs.tar" >"$d/rootfs.tar.xz"
}

setup() {
	rcr_test_setup
	D=$BATS_FILE_TMPDIR
}

# Layers hold files owned by subordinate ids, which only rcr (in the user namespace) can remove.
teardown() {
	"$RCR" rmi -a -f >/dev/null 2>&1 || true
}

@test "import a gzip rootfs with --change CMD: one layer, the config Podman makes" {
	run "$RCR" import --change 'CMD ["/bin/sh"]' "$D/rootfs.tar.gz"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Copying blob sha256:"*" done"* ]]
	[[ "${lines[-1]}" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=${lines[-1]}
	run "$RCR" image inspect --format '{{.Config.Cmd}}' "$id"
	[ "$status" -eq 0 ]
	[ "$output" = "[/bin/sh]" ]
	run "$RCR" image inspect --format '{{.Os}}/{{.Architecture}} {{len .RootFS.Layers}}' "$id"
	[ "$output" = "linux/$(uname -m | sed 's/x86_64/amd64/;s/aarch64/arm64/') 1" ]
	[ -x "$(echo "$RCR_ROOT"/layers/*/diff/bin/busybox)" ]
	run "$RCR" images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "<none>:<none>" ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "import with a name: short names go under localhost/ with :latest; -q prints only the id" {
	run "$RCR" import -q "$D/rootfs.tar.gz" mybox
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	run "$RCR" images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "localhost/mybox:latest" ]
	# The same file again is the same image (its mtime is the created time), now with both
	# names.
	run "$RCR" import -q "$D/rootfs.tar.gz" quay.io/rcr/box:2
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	run "$RCR" images --format '{{.Repository}}:{{.Tag}}'
	[ "$(sort <<<"$output" | paste -sd ' ')" = "localhost/mybox:latest quay.io/rcr/box:2" ]
}

@test "import from stdin with -, plain, zstd and xz tarballs: the same layer" {
	run bash -c "'$RCR' import -q - <'$D/rootfs.tar'"
	[ "$status" -eq 0 ]
	run "$RCR" import -q "$D/rootfs.tar.zst"
	[ "$status" -eq 0 ]
	run bash -c "cat '$D/rootfs.tar.xz' | '$RCR' import -q - fromxz"
	[ "$status" -eq 0 ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 1 ]
	run "$RCR" image inspect --format '{{.RootFS.Layers}}' fromxz
	[ "$output" = "[$(sha256sum "$D/rootfs.tar" | awk '{print "sha256:" $1}')]" ]
}

@test "--change instructions and --message end up in the config and history" {
	run "$RCR" import -q -m "my import" \
		-c 'ENTRYPOINT ["/bin/busybox"]' -c 'CMD echo hi' -c 'ENV A=1 B="two words"' \
		-c 'WORKDIR /tmp' -c 'USER app' -c 'EXPOSE 8080' -c 'LABEL org.example=yes' \
		-c 'STOPSIGNAL SIGINT' -c 'VOLUME /data' "$D/rootfs.tar.gz" changed
	[ "$status" -eq 0 ]
	run "$RCR" image inspect changed
	[ "$status" -eq 0 ]
	python3 - "$output" <<-'PY'
		import json, sys
		c = json.loads(sys.argv[1])[0]
		cfg = c["Config"]
		assert cfg["Entrypoint"] == ["/bin/busybox"], cfg
		assert cfg["Cmd"] == ["/bin/sh", "-c", "echo hi"], cfg
		assert cfg["Env"] == ["A=1", "B=two words"], cfg
		assert cfg["WorkingDir"] == "/tmp" and cfg["User"] == "app", cfg
		assert cfg["ExposedPorts"] == {"8080/tcp": {}}, cfg
		assert cfg["Labels"] == {"org.example": "yes"}, cfg
		assert cfg["StopSignal"] == "2" and cfg["Volumes"] == {"/data": {}}, cfg
		h = c["History"]
		assert len(h) == 1 and h[0]["comment"] == "my import", h
		assert h[0]["created_by"].startswith("/bin/sh -c #(nop) ADD file:"), h
	PY
}

@test "import from an http URL; an HTTP error is reported" {
	port=$((20000 + RANDOM % 20000))
	python3 -m http.server --bind 127.0.0.1 --directory "$D" "$port" >/dev/null 2>&1 &
	srv=$!
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://127.0.0.1:$port/" && break
		sleep 0.1
	done
	run "$RCR" import -q "http://127.0.0.1:$port/rootfs.tar.gz" fromurl
	st1=$status
	run "$RCR" import -q "http://127.0.0.1:$port/missing.tar"
	st2=$status
	out2=$output
	kill "$srv"
	[ "$st1" -eq 0 ]
	run "$RCR" images --format '{{.Repository}}'
	[ "$output" = "localhost/fromurl" ]
	[ "$st2" -eq 125 ]
	[[ "$out2" == *"missing.tar"*"404"* ]]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "a missing file is exit 125 with an error naming it; nothing is stored" {
	run "$RCR" import "$BATS_TEST_TMPDIR/nope.tar"
	[ "$status" -eq 125 ]
	[[ "$output" == *"Error: importing '$BATS_TEST_TMPDIR/nope.tar'"*"No such file or directory"* ]]
	[ -z "$("$RCR" images -q)" ]
}

@test "a bad --change, a bad name, or a file that is not a tarball are refused" {
	run "$RCR" import -c 'FROM busybox' "$D/rootfs.tar.gz"
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid change 'FROM busybox'"* ]]
	run "$RCR" import "$D/rootfs.tar.gz" 'Bad:Name'
	[ "$status" -eq 125 ]
	echo "not a tarball" >"$BATS_TEST_TMPDIR/junk"
	run "$RCR" import "$BATS_TEST_TMPDIR/junk"
	[ "$status" -eq 125 ]
	[[ "$output" == *"importing '$BATS_TEST_TMPDIR/junk'"* ]]
	run "$RCR" import
	[ "$status" -eq 125 ]
	[[ "$output" == *"accepts between 1 and 2 arg(s), received 0"* ]]
	[ -z "$("$RCR" images -q)" ]
	[ -z "$(ls -A "$RCR_ROOT/layers" 2>/dev/null)" ]
}
