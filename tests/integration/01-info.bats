#!/usr/bin/env bats
# rcr info: what rcr sees, checked against what the machine really has.

load helpers

setup() {
	rcr_test_setup
}

# Read a field of the JSON on stdin with a python expression over `d`.
jq_py() {
	python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

@test "rcr info --format json reports the store and runtime dir in use" {
	run "$RCR" info --format json
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | jq_py 'd["store"]["graphRoot"]')" = "$RCR_ROOT" ]
	[ "$(printf '%s' "$output" | jq_py 'd["store"]["runRoot"]')" = "$XDG_RUNTIME_DIR/rcr" ]
	[ -d "$RCR_ROOT" ]
}

@test "rcr info reports the user's id ranges exactly as /etc/subuid and /etc/subgid have them" {
	run "$RCR" info --format json
	[ "$status" -eq 0 ]
	start=$(awk -F: -v u="$USER" '$1 == u { print $2; exit }' /etc/subuid)
	count=$(awk -F: -v u="$USER" '$1 == u { print $3; exit }' /etc/subuid)
	[ -n "$start" ] || skip_env "the test user has no subuid range"
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["idMappings"]["uidmap"][0]')" = "{'container_id': 0, 'host_id': $(id -u), 'size': 1}" ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["idMappings"]["uidmap"][1]')" = "{'container_id': 1, 'host_id': $start, 'size': $count}" ]
	gstart=$(awk -F: -v u="$USER" '$1 == u { print $2; exit }' /etc/subgid)
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["idMappings"]["gidmap"][1]["host_id"]')" = "$gstart" ]
}

@test "rcr info proves the user namespace, the id maps and kernel overlay by trying them" {
	run "$RCR" info --format json
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["userNamespaces"]["usable"]')" = True ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["userNamespaces"]["uidMapWritten"]')" = True ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["userNamespaces"]["gidMapWritten"]')" = True ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["newuidmap"]["executable"]')" = "$(command -v newuidmap)" ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["newuidmap"]["privileged"]')" = True ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["overlay"]["kernelInUserNamespace"]')" = True ]
	# the probe leaves nothing behind in the store's tmp dir
	[ -z "$(ls -A "$RCR_ROOT/tmp")" ]
}

@test "rcr info reports the cgroup layout the host really has" {
	run "$RCR" info --format json
	[ "$status" -eq 0 ]
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		want=v2
	elif [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		want=hybrid
	else
		want=v1
	fi
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["cgroupVersion"]')" = "$want" ]
}

@test "rcr info finds the helpers that are on PATH and not those that are not" {
	run env PATH=/nonexistent "$RCR" info --format json
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["newuidmap"]["found"]')" = False ]
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["pasta"]["found"]')" = False ]
	run "$RCR" info --format json
	[ "$(printf '%s' "$output" | jq_py 'd["host"]["slirp4netns"]["executable"]')" = "$(command -v slirp4netns)" ]
}

@test "--root, RCR_ROOT and XDG_DATA_HOME choose the store, in that order" {
	run env -u RCR_ROOT XDG_DATA_HOME="$BATS_TEST_TMPDIR/xdg" "$RCR" info --format json
	[ "$(printf '%s' "$output" | jq_py 'd["store"]["graphRoot"]')" = "$BATS_TEST_TMPDIR/xdg/rcr" ]
	run "$RCR" --root "$BATS_TEST_TMPDIR/flag" info --format json
	[ "$(printf '%s' "$output" | jq_py 'd["store"]["graphRoot"]')" = "$BATS_TEST_TMPDIR/flag" ]
	run env -u RCR_ROOT -u XDG_DATA_HOME "$RCR" info --format json
	[ "$(printf '%s' "$output" | jq_py 'd["store"]["graphRoot"]')" = "$HOME/.local/share/rcr" ]
}

@test "rcr info lists the config files that exist" {
	mkdir -p "$BATS_TEST_TMPDIR/cfg/containers"
	echo 'unqualified-search-registries = []' > "$BATS_TEST_TMPDIR/cfg/containers/registries.conf"
	run env XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/cfg" "$RCR" info --format json
	[ "$status" -eq 0 ]
	[[ "$output" == *"\"$BATS_TEST_TMPDIR/cfg/containers/registries.conf\""* ]]
}

@test "rcr info prints YAML by default with the same facts" {
	run "$RCR" info
	[ "$status" -eq 0 ]
	[[ "$output" == *"graphRoot: $RCR_ROOT"* ]]
	[[ "$output" == *"host:"* ]]
	[[ "$output" == *"  arch: "* ]]
	[[ "$output" == *"uidmap:"* ]]
}

@test "without XDG_RUNTIME_DIR the runtime dir falls back to /tmp/rcr-run-UID, created 0700" {
	run env -u XDG_RUNTIME_DIR "$RCR" info --format json
	[ "$status" -eq 0 ]
	[ "$(printf '%s' "$output" | jq_py 'd["store"]["runRoot"]')" = "/tmp/rcr-run-$(id -u)" ]
	[ "$(stat -c '%a %u' "/tmp/rcr-run-$(id -u)")" = "700 $(id -u)" ]
}
