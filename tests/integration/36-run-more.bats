#!/usr/bin/env bats
# The rest of run: a terminal (-t) inside the container's own /dev/pts, an image of 60 layers
# (beyond the old overlay option string's one-page limit), the passthrough log driver, and a
# user without a subuid range (single-id map, with a warning).

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

@test "-t gives the command a terminal of the container's own /dev/pts" {
	run script -qec "'$RCR' run --rm -t bb sh -c 'tty; stty size; echo \$TERM'" /dev/null
	[ "$status" -eq 0 ]
	[[ "$output" == *"/dev/pts/0"* ]]
	[[ "$output" == *"xterm"* ]]
	# without -t there is none
	run "$RCR" run --rm bb tty
	[[ "$output" == *"not a tty"* ]]
}

@test "-it: input typed at the terminal reaches the command, its exit code comes back" {
	run script -qec "printf 'echo typed-in; exit 5\n' | '$RCR' run --rm -i bb sh" /dev/null
	[[ "$output" == *typed-in* ]]
	run bash -c "printf 'exit 6\n' | '$RCR' run --rm -i bb sh"
	[ "$status" -eq 6 ]
}

@test "an image of 60 layers runs (lowerdir+), each layer's file visible" {
	python3 - "$RCR_TEST_IMAGES/busybox" "$BATS_TEST_TMPDIR/deep.tar" <<-'PY'
		import gzip, hashlib, io, json, os, sys, tarfile
		src, out = sys.argv[1], sys.argv[2]
		def blob(d): return open(os.path.join(src, "blobs", *d.split(":")), "rb").read()
		idx = json.load(open(os.path.join(src, "index.json")))
		m = json.loads(blob(idx["manifests"][0]["digest"]))
		layers = [gzip.decompress(blob(m["layers"][0]["digest"]))]
		for i in range(1, 60):
		    b = io.BytesIO()
		    with tarfile.open(fileobj=b, mode="w") as t:
		        data = ("layer %d\n" % i).encode()
		        ti = tarfile.TarInfo("layers/%02d" % i); ti.size = len(data); ti.mode = 0o644
		        t.addfile(ti, io.BytesIO(data))
		    layers.append(b.getvalue())
		diff_ids = ["sha256:" + hashlib.sha256(l).hexdigest() for l in layers]
		cfg = json.dumps({"architecture": "amd64", "os": "linux",
		                  "config": {"Env": ["PATH=/bin"], "Cmd": ["sh"]},
		                  "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
		cid = hashlib.sha256(cfg).hexdigest()
		with tarfile.open(out, "w") as t:
		    def add(name, data):
		        ti = tarfile.TarInfo(name); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
		    names = []
		    for i, l in enumerate(layers):
		        names.append("l%02d/layer.tar" % i); add(names[-1], l)
		    add(cid + ".json", cfg)
		    add("manifest.json", json.dumps([{"Config": cid + ".json", "RepoTags": ["deep:60"],
		                                      "Layers": names}]).encode())
	PY
	"$RCR" pull -q "docker-archive:$BATS_TEST_TMPDIR/deep.tar" >/dev/null
	run "$RCR" run --rm deep:60 sh -c 'ls /layers | wc -l; cat /layers/01 /layers/59'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 59 ]
	[ "${lines[1]}" = "layer 1" ]
	[ "${lines[2]}" = "layer 59" ]
}

@test "--log-driver passthrough: the container writes to rcr's own stdio" {
	run "$RCR" run --rm --log-driver passthrough bb sh -c 'echo straight; echo through >&2'
	[ "$status" -eq 0 ]
	[[ "$output" == *straight* && "$output" == *through* ]]
	run "$RCR" run --rm --log-driver journald bb true
	[ "$status" -eq 125 ]
	[[ "$output" == *"unsupported log driver"* ]]
}

@test "a user without a subuid range runs containers with a single-id map and a warning" {
	as_user "$RCR_TEST_USER_NOSUB" "$RCR" pull -q "oci:$RCR_TEST_OCI_BUSYBOX" >/dev/null 2>&1
	run as_user "$RCR_TEST_USER_NOSUB" "$RCR" run --rm "$(as_user "$RCR_TEST_USER_NOSUB" "$RCR" images -q 2>/dev/null | head -1)" sh -c 'id -u; cat /proc/self/uid_map'
	[ "$status" -eq 0 ]
	[[ "$output" == *"WARN"*"single-id"* ]]
	[[ "$output" == *"0 "*"$(id -u "$RCR_TEST_USER_NOSUB")"*" 1"* ]]
	as_user "$RCR_TEST_USER_NOSUB" "$RCR" rmi -a -f >/dev/null 2>&1 || true
	# as_user's store is that user's to remove
	as_user "$RCR_TEST_USER_NOSUB" rm -rf "/tmp/rcr-test-$RCR_TEST_USER_NOSUB-$$" || true
}
