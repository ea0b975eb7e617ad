# Shared setup for rcr's bats tests. They run the real binaries ($RCR_BIN) as the unprivileged test
# user, each test with its own store and runtime dir so tests never see each other's state.
# shellcheck shell=bash

export RCR="${RCR_BIN:?RCR_BIN must point at the directory holding rcr and rcr-monitor}/rcr"

rcr_test_setup() {
	export RCR_ROOT="$BATS_TEST_TMPDIR/store"
	# A private runtime dir (auth.json lives there) and config home per test.
	mkdir -p "$BATS_TEST_TMPDIR/run"
	chmod 0700 "$BATS_TEST_TMPDIR/run"
	export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/run"
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
}

# Layer files belong to the test user's subordinate ids: only rcr (in a user namespace) can
# remove them, so every test that fills a store empties it again.
rcr_test_teardown() {
	if [ -d "${RCR_ROOT:-}" ]; then
		"$RCR" rmi -a -f >/dev/null 2>&1 || true
	fi
}

# registries.conf for the local test registries: the plain-http ones are insecure, the TLS one
# is verified (with the CA in certs.d when certs is given).
use_test_registries() {
	mkdir -p "$XDG_CONFIG_HOME/containers"
	cat >"$XDG_CONFIG_HOME/containers/registries.conf" <<-CONF
		unqualified-search-registries = ["$RCR_TEST_REG_PLAIN"]
		[[registry]]
		location = "$RCR_TEST_REG_PLAIN"
		insecure = true
		[[registry]]
		location = "$RCR_TEST_REG_BASIC"
		insecure = true
		[[registry]]
		location = "$RCR_TEST_REG_TOKEN"
		insecure = true
	CONF
	if [ "${1:-}" = certs ]; then
		mkdir -p "$XDG_CONFIG_HOME/containers/certs.d/$RCR_TEST_REG_TLS"
		cp "$RCR_TEST_CA" "$XDG_CONFIG_HOME/containers/certs.d/$RCR_TEST_REG_TLS/ca.crt"
	fi
}

# An environment the machine cannot provide: a skip on a developer's machine, a failure in CI
# (RCR_TEST_MUST_WORK=1), so CI can never go green by skipping.
skip_env() {
	if [ -n "${RCR_TEST_MUST_WORK:-}" ]; then
		echo "environment lacks what this test needs (RCR_TEST_MUST_WORK is set): $*" >&2
		return 1
	fi
	skip "$*"
}

# Run a command as one of the second test users (rcrnosub, rcrsmall), through the narrow sudo rule
# that tests/setup/setup.sh installs; XDG_RUNTIME_DIR is that user's own.
as_user() {
	local user=$1
	shift
	if ! sudo -n -u "$user" true 2>/dev/null; then
		skip_env "cannot act as test user '$user' (sudo rule from tests/setup/setup.sh missing)"
		return 1
	fi
	local uid
	uid=$(id -u "$user")
	sudo -n -u "$user" env -i HOME="$(getent passwd "$user" | cut -d: -f6)" USER="$user" \
		PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin XDG_RUNTIME_DIR="/run/user/$uid" \
		RCR_ROOT="/tmp/rcr-test-$user-$$/store" "$@"
}

# The line of `rcr system check` output for one check, with its fix line when there is one.
# $output is the last `run`'s, set by bats.
# shellcheck disable=SC2154
check_line() {
	local name=$1
	printf '%s\n' "$output" | awk -v n="] $name:" 'index($0, n) { print; getline; if ($0 ~ /^ +fix:/) print; exit }'
}

# Container tests: one store per file holding the busybox test image (from its OCI layout, no
# registry needed) tagged "bb"; every container goes after each test, the image after the file.
ctr_setup_file() {
	export RCR_ROOT="$BATS_FILE_TMPDIR/store"
	mkdir -p "$BATS_FILE_TMPDIR/run" && chmod 0700 "$BATS_FILE_TMPDIR/run"
	export XDG_RUNTIME_DIR="$BATS_FILE_TMPDIR/run"
	"$RCR" pull -q "oci:$RCR_TEST_OCI_BUSYBOX" >/dev/null
	"$RCR" tag "$("$RCR" images -q | head -1)" bb
}

ctr_teardown() {
	"$RCR" rm -a -f >/dev/null 2>&1 || true
}

ctr_teardown_file() {
	"$RCR" rm -a -f >/dev/null 2>&1 || true
	"$RCR" rmi -a -f >/dev/null 2>&1 || true
}
