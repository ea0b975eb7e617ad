#!/usr/bin/env bats
# rcr pull from the local registries into a rootless store: every manifest kind, compression and
# auth scheme; layers unpacked with their owners in the user's subuid range, whiteouts for the
# overlay driver; verification; crash safety (kill -9) and concurrent pulls.

load helpers

setup() {
	rcr_test_setup
	use_test_registries
	P=$RCR_TEST_REG_PLAIN
}

# The diff dir of the layer holding path (relative to the image root), searched in every layer.
layer_with() {
	local f
	for f in "$RCR_ROOT"/layers/*/diff/"$1"; do
		if [ -e "$f" ] || [ -L "$f" ]; then
			echo "$f"
			return 0
		fi
	done
	return 1
}

first_subuid() {
	awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid
}

@test "pull -q prints only the image id, and the image's files are in the store" {
	run "$RCR" pull -q "$P/busybox:latest"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9a-f]{64}$ ]]
	id=$output
	f=$(layer_with bin/busybox)
	[ -x "$f" ]
	run "$RCR" images -q --no-trunc
	[ "$output" = "sha256:$id" ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "pull shows Podman's progress lines and the id; a short name goes through registries.conf" {
	run "$RCR" pull busybox
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Trying to pull $P/busybox:latest..." ]]
	[[ "$output" == *"Copying blob sha256:"*" done"* ]]
	[[ "$output" == *"Copying config sha256:"*" done"* ]]
	[[ "$output" == *"Writing manifest to image destination"* ]]
	[[ "${lines[-1]}" =~ ^[0-9a-f]{64}$ ]]
	run "$RCR" images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "$P/busybox:latest" ]
}

@test "the 3-layer Debian image keeps owners, setuid bits, hardlinks and symlinks; whiteouts are overlay whiteouts" {
	run "$RCR" pull -q "$P/debian:bookworm"
	[ "$status" -eq 0 ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3 ]
	owned=$(layer_with home/app/owned.txt)
	sub=$(first_subuid)
	if [ -n "$sub" ]; then
		[ "$(stat -c %u "$owned")" -eq $((sub + 999)) ]
		[ "$(stat -c %u "$(layer_with usr/local/bin/rcr-setuid)")" -eq "$(id -u)" ]
	else
		skip_env "the test user has no subuid range"
	fi
	[ "$(stat -c %a "$(layer_with usr/local/bin/rcr-setuid)")" = 4755 ]
	a=$(layer_with opt/rcr/hardlink-a)
	[ "$(stat -c %i "$a")" = "$(stat -c %i "$(dirname "$a")/hardlink-b")" ]
	[ "$(readlink "$(layer_with opt/rcr/link-abs)")" = /etc/os-release ]
	# Layer 3 deletes etc/motd: a 0:0 character device, or an xattr whiteout.
	top=$(dirname "$(layer_with opt/rcr/layer3.txt)")/../..
	wh="$top/etc/motd"
	if [ -c "$wh" ]; then
		[ "$(stat -c %t:%T "$wh")" = 0:0 ]
	else
		[ "$(getfattr --only-values -n user.overlay.whiteout "$wh" 2>/dev/null)" = y ]
	fi
	[ "$(getfattr --only-values -n user.overlay.opaque "$top/opt/rcr/opaque" 2>/dev/null)" = y ]
}

@test "zstd and gzip variants give the same image; stored layers are not downloaded again" {
	run "$RCR" pull -q "$P/debian:bookworm"
	[ "$status" -eq 0 ]
	id=$output
	run "$RCR" pull "$P/debian:zstd"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$id" ]
	[ "$(grep -c 'skipped: already exists' <<<"$output")" -eq 3 ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3 ]
	run "$RCR" pull -q "$P/debian:gzip"
	[ "$output" = "$id" ]
	run "$RCR" images --format '{{.Tag}}'
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "bookworm gzip zstd " ]
}

@test "a Docker schema 2 manifest pulls" {
	run "$RCR" pull -q "$P/busybox:v2s2"
	[ "$status" -eq 0 ]
	run "$RCR" image inspect --format '{{.ManifestType}}' "$P/busybox:v2s2"
	[ "$output" = application/vnd.docker.distribution.manifest.v2+json ]
}

@test "an index: the host's platform by default, --platform chooses, a missing one is a clear error" {
	run "$RCR" pull -q "$P/multi:latest"
	[ "$status" -eq 0 ]
	grep -q amd64 "$(layer_with etc/rcr-platform)"
	rm -rf "$RCR_ROOT"
	run "$RCR" pull -q --platform linux/arm64/v8 "$P/multi:latest"
	[ "$status" -eq 0 ]
	grep -q arm64 "$(layer_with etc/rcr-platform)"
	run "$RCR" pull --platform linux/s390x "$P/multi:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"linux/s390x"* ]]
	[[ "$output" == *"linux/amd64"* ]]
}

@test "Basic auth: refused without credentials, --creds and rcr login work, no password in output" {
	B=$RCR_TEST_REG_BASIC
	run "$RCR" pull "$B/busybox:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$B"* ]]
	run "$RCR" pull -q --creds "$RCR_TEST_REG_USER:$RCR_TEST_REG_PASS" "$B/busybox:latest"
	[ "$status" -eq 0 ]
	[[ "$output" != *"$RCR_TEST_REG_PASS"* ]]
	rm -rf "$RCR_ROOT"
	"$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$B"
	run "$RCR" pull -q "$B/debian:bookworm"
	[ "$status" -eq 0 ]
}

@test "TLS registry: verified with the CA from certs.d, refused without it unless --tls-verify=false" {
	T=$RCR_TEST_REG_TLS
	C="$RCR_TEST_REG_USER:$RCR_TEST_REG_PASS"
	run "$RCR" pull --creds "$C" "$T/busybox:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *certificate* ]]
	run "$RCR" pull -q --tls-verify=false --creds "$C" "$T/busybox:latest"
	[ "$status" -eq 0 ]
	rm -rf "$RCR_ROOT"
	use_test_registries certs
	run "$RCR" pull -q --creds "$C" "$T/busybox:latest"
	[ "$status" -eq 0 ]
}

@test "Bearer tokens: anonymous pull of a public repository, credentials for the others" {
	K=$RCR_TEST_REG_TOKEN
	run "$RCR" pull -q "$K/public/busybox:latest"
	[ "$status" -eq 0 ]
	run "$RCR" pull "$K/debian:bookworm"
	[ "$status" -eq 125 ]
	run "$RCR" pull -q --creds "$RCR_TEST_REG_USER:$RCR_TEST_REG_PASS" "$K/debian:bookworm"
	[ "$status" -eq 0 ]
}

@test "pull by digest stores the image under its digest" {
	run "$RCR" pull -q "$P/busybox@$RCR_TEST_DIGEST_BUSYBOX"
	[ "$status" -eq 0 ]
	run "$RCR" images --digests --format '{{.Digest}}'
	[ "$output" = "$RCR_TEST_DIGEST_BUSYBOX" ]
	run "$RCR" image inspect --format '{{index .RepoDigests 0}}' "$P/busybox@$RCR_TEST_DIGEST_BUSYBOX"
	[ "$output" = "$P/busybox@$RCR_TEST_DIGEST_BUSYBOX" ]
}

@test "a missing image or tag is an error naming it" {
	run "$RCR" pull "$P/nosuch:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$P/nosuch:latest"* ]]
	run "$RCR" pull "$P/busybox:nosuchtag"
	[ "$status" -eq 125 ]
	[[ "$output" == *nosuchtag* ]]
	run "$RCR" pull 'Invalid/UPPER'
	[ "$status" -eq 125 ]
	[[ "$output" == *lowercase* ]]
}

@test "--all-tags pulls every tag of a repository" {
	run "$RCR" pull -q --all-tags "$P/busybox"
	[ "$status" -eq 0 ]
	run "$RCR" images --format '{{.Tag}}'
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "latest v2s2 " ]
}

fixture() {
	python3 "$BATS_TEST_DIRNAME/fixture_registry.py" "$BATS_TEST_TMPDIR/port" "$@" &
	FIXTURE_PID=$!
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/port" ] && break; sleep 0.1; done
	FIX="127.0.0.1:$(cat "$BATS_TEST_TMPDIR/port")"
}

teardown() {
	[ -z "${FIXTURE_PID:-}" ] || kill "$FIXTURE_PID" 2>/dev/null || true
	rcr_test_teardown
}

@test "a blob that does not match its digest is refused and nothing is stored" {
	mkdir "$BATS_TEST_TMPDIR/root"
	echo hello >"$BATS_TEST_TMPDIR/root/hello.txt"
	tar -C "$BATS_TEST_TMPDIR/root" -cf "$BATS_TEST_TMPDIR/l.tar" .
	fixture --corrupt "$BATS_TEST_TMPDIR/l.tar"
	run "$RCR" pull --tls-verify=false "$FIX/fixture:latest"
	[ "$status" -eq 125 ]
	[[ "$output" == *digest* ]]
	run "$RCR" images -q
	[ -z "$output" ]
	[ -z "$(ls -A "$RCR_ROOT/layers")" ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "layer entries that escape the root are refused, naming the entry" {
	python3 - "$BATS_TEST_TMPDIR" <<-'PY'
		import io, sys, tarfile
		d = sys.argv[1]
		def mk(name, members):
		    with tarfile.open(f"{d}/{name}", "w") as t:
		        for m, data, link in members:
		            ti = tarfile.TarInfo(m)
		            if link is not None:
		                ti.type, ti.linkname = link
		            else:
		                ti.size = len(data)
		            t.addfile(ti, io.BytesIO(data) if link is None else None)
		mk("dotdot.tar", [("../evil", b"x", None)])
		mk("symlink.tar", [("link", b"", (tarfile.SYMTYPE, "/etc")), ("link/passwd", b"x", None)])
		mk("hardlink.tar", [("hl", b"", (tarfile.LNKTYPE, "../../outside"))])
	PY
	for t in dotdot:../evil symlink:link/passwd hardlink:hl; do
		fixture "$BATS_TEST_TMPDIR/${t%%:*}.tar"
		run "$RCR" pull --tls-verify=false "$FIX/fixture:latest"
		kill "$FIXTURE_PID"
		rm -f "$BATS_TEST_TMPDIR/port"
		[ "$status" -eq 125 ]
		[[ "$output" == *"${t#*:}"* ]]
		[ ! -e "$BATS_TEST_TMPDIR/evil" ]
		[ -z "$(ls -A "$RCR_ROOT/layers")" ]
	done
}

@test "kill -9 of pull at any moment, then pull again: it succeeds and leaves no debris" {
	for delay in 0.05 0.2 0.5 0.8 1.2 2; do
		"$RCR" pull -q "$P/debian:bookworm" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	run "$RCR" pull -q "$P/debian:bookworm"
	[ "$status" -eq 0 ]
	run "$RCR" images -q
	[ "${#lines[@]}" -eq 1 ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3 ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
	[ -f "$(layer_with opt/rcr/layer3.txt)" ]
}

@test "two pulls of the same image at once both succeed and store each layer once" {
	"$RCR" pull -q "$P/debian:bookworm" >"$BATS_TEST_TMPDIR/a" 2>&1 &
	a=$!
	"$RCR" pull -q "$P/debian:bookworm" >"$BATS_TEST_TMPDIR/b" 2>&1 &
	b=$!
	wait "$a"
	wait "$b"
	[ "$(cat "$BATS_TEST_TMPDIR/a")" = "$(cat "$BATS_TEST_TMPDIR/b")" ]
	[ "$(find "$RCR_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l)" -eq 3 ]
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
	run "$RCR" images -q
	[ "${#lines[@]}" -eq 1 ]
}

@test "a user without subuid range pulls with a warning; files become the user's" {
	store="/tmp/rcr-test-rcrnosub-$$/store"
	run as_user "$RCR_TEST_USER_NOSUB" "$RCR" pull -q --tls-verify=false "$P/debian:bookworm"
	[ "$status" -eq 0 ]
	[[ "$output" == *WARN*single-id* ]]
	run as_user "$RCR_TEST_USER_NOSUB" sh -c "stat -c %U $store/layers/*/diff/home/app/owned.txt; rm -rf /tmp/rcr-test-rcrnosub-$$"
	[ "$output" = "$RCR_TEST_USER_NOSUB" ]
}
