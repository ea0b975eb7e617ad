#!/usr/bin/env bats
# The CLI's basics: version, help, exit codes and error text for bad input.

load helpers

setup() {
	rcr_test_setup
}

@test "rcr --version and rcr version print the version" {
	run "$RCR" --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^rcr\ version\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	run "$RCR" version
	[ "$status" -eq 0 ]
	[[ "$output" == *"Version:"* ]]
	[[ "$output" == *"OS/Arch:      linux/"* ]]
}

@test "rcr version --format json is valid JSON with Client.Version" {
	run "$RCR" version --format json
	[ "$status" -eq 0 ]
	ver=$(printf '%s' "$output" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Client"]["Version"])')
	run "$RCR" --version
	[ "$output" = "rcr version $ver" ]
}

@test "an unknown command exits 125 with a hint" {
	run "$RCR" frobnicate
	[ "$status" -eq 125 ]
	[[ "$output" == *"Error: unrecognized command \`rcr frobnicate\`"* ]]
	[[ "$output" == *"rcr --help"* ]]
}

@test "an unknown flag exits 125 and names the flag" {
	run "$RCR" info --frob
	[ "$status" -eq 125 ]
	[[ "$output" == *"Error: unknown flag: --frob"* ]]
	[[ "$output" == *"See 'rcr info --help'"* ]]
}

@test "a bad --log-level is refused with the valid levels" {
	run "$RCR" --log-level loud version
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid log level 'loud'"* ]]
	[[ "$output" == *"debug, info, warn or error"* ]]
}

@test "rcr with no command prints help and exits 125" {
	run "$RCR"
	[ "$status" -eq 125 ]
	[[ "$output" == *"Usage: rcr"* ]]
	[[ "$output" == *"missing command"* ]]
}

@test "info and version take --format templates with Podman's field names" {
	run "$RCR" info --format '{{.Host.Arch}}'
	[ "$status" -eq 0 ]
	[ "$output" = amd64 ]
	run "$RCR" version --format '{{.Client.Version}}'
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]]
	run "$RCR" info --format '{{.Host.NoSuchField}}'
	[ "$status" -eq 125 ]
	[[ "$output" == *NoSuchField* ]]
}

@test "rcr-monitor identifies itself and refuses to run when not started by rcr" {
	run "$RCR_BIN/rcr-monitor" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "rcr-monitor version "* ]]
	run "$RCR_BIN/rcr-monitor"
	[ "$status" -eq 125 ]
	[[ "$output" == *"started by rcr"* ]]
}
