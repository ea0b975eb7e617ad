#!/usr/bin/env bats
# rcr login / logout against the local registries: Basic over http, Basic over TLS with a
# private CA, and Bearer tokens; credentials checked before they are stored, never printed.

load helpers

setup() {
	rcr_test_setup
	use_test_registries
	AUTH="$XDG_RUNTIME_DIR/containers/auth.json"
}

@test "login to a Basic-auth registry stores the credentials in auth.json, 0600" {
	run "$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded!" ]
	[ "$(stat -c %a "$AUTH")" = 600 ]
	want=$(printf '%s:%s' "$RCR_TEST_REG_USER" "$RCR_TEST_REG_PASS" | base64)
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["auths"][sys.argv[2]]["auth"] == sys.argv[3]' "$AUTH" "$RCR_TEST_REG_BASIC" "$want"
	run "$RCR" login --get-login "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 0 ]
	[ "$output" = "$RCR_TEST_REG_USER" ]
}

@test "a wrong password is refused, stores nothing, and is never echoed" {
	run "$RCR" login -u "$RCR_TEST_REG_USER" -p 'wrongS3cret!' "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid username or password"* ]]
	[[ "$output" != *'wrongS3cret!'* ]]
	[ ! -e "$AUTH" ]
}

@test "--password-stdin reads the password from stdin" {
	run bash -c "printf '%s\n' '$RCR_TEST_REG_PASS' | '$RCR' login -u '$RCR_TEST_REG_USER' --password-stdin '$RCR_TEST_REG_BASIC'"
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded!" ]
}

@test "without a password and without a terminal, login says how to give one" {
	run bash -c "'$RCR' login -u '$RCR_TEST_REG_USER' '$RCR_TEST_REG_BASIC' </dev/null"
	[ "$status" -eq 125 ]
	[[ "$output" == *"no password given: use --password-stdin"* ]]
}

@test "TLS: the registry's CA in certs.d makes login work; without it TLS is refused" {
	run "$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_TLS"
	[ "$status" -eq 125 ]
	[[ "$output" == *"$RCR_TEST_REG_TLS"*"certificate"* ]]
	use_test_registries certs
	run "$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_TLS"
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded!" ]
}

@test "TLS: --tls-verify=false and --cert-dir are honoured" {
	run "$RCR" login --tls-verify=false -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_TLS"
	[ "$status" -eq 0 ]
	mkdir "$BATS_TEST_TMPDIR/certs"
	cp "$RCR_TEST_CA" "$BATS_TEST_TMPDIR/certs/ca.crt"
	run "$RCR" login --cert-dir "$BATS_TEST_TMPDIR/certs" -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_TLS"
	[ "$status" -eq 0 ]
}

@test "a plain-http registry not marked insecure gets an error with the fix" {
	rm "$XDG_CONFIG_HOME/containers/registries.conf"
	run "$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 125 ]
	[[ "$output" == *"insecure"*"--tls-verify=false"* ]]
}

@test "Bearer-token registry: good credentials log in, bad ones are refused" {
	run "$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_TOKEN"
	[ "$status" -eq 0 ]
	[ "$output" = "Login Succeeded!" ]
	run "$RCR" login -u "$RCR_TEST_REG_USER" -p nope "$RCR_TEST_REG_TOKEN"
	[ "$status" -eq 125 ]
	[[ "$output" == *"invalid username or password"* ]]
}

@test "logout removes one registry's entry; logging out twice says so" {
	"$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_BASIC"
	"$RCR" login -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_TOKEN"
	run "$RCR" logout "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 0 ]
	[ "$output" = "Removed login credentials for $RCR_TEST_REG_BASIC" ]
	run "$RCR" login --get-login "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 125 ]
	[[ "$output" == *"not logged into $RCR_TEST_REG_BASIC"* ]]
	run "$RCR" login --get-login "$RCR_TEST_REG_TOKEN"
	[ "$status" -eq 0 ]
	run "$RCR" logout "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 125 ]
	[[ "$output" == *"not logged into $RCR_TEST_REG_BASIC"* ]]
	run "$RCR" logout --all
	[ "$status" -eq 0 ]
	run "$RCR" login --get-login "$RCR_TEST_REG_TOKEN"
	[ "$status" -eq 125 ]
}

@test "--authfile is the only file written and read" {
	run "$RCR" login --authfile "$BATS_TEST_TMPDIR/a.json" -u "$RCR_TEST_REG_USER" -p "$RCR_TEST_REG_PASS" "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 0 ]
	[ -f "$BATS_TEST_TMPDIR/a.json" ]
	[ ! -e "$AUTH" ]
	run "$RCR" login --get-login "$RCR_TEST_REG_BASIC"
	[ "$status" -eq 125 ]
	run "$RCR" login --authfile "$BATS_TEST_TMPDIR/a.json" --get-login "$RCR_TEST_REG_BASIC"
	[ "$output" = "$RCR_TEST_REG_USER" ]
}
