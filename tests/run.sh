#!/usr/bin/env bash
# Runs every rcr test (C unit tests and bats integration tests) under one prove, as the
# unprivileged test user: rcr's tests must never pass only because they ran as root.
#
#   tests/run.sh [BUILD_DIR]      (make check calls it with build/, make asan with build-asan/)
#
# As root it first runs tests/setup/setup.sh all (idempotent: packages, users, images, local
# registries), copies the binaries and tests to a staging dir the test user can read, runs prove
# there as that user, and stops the registries on the way out. As an unprivileged user it expects
# the environment to be set up already (sudo tests/setup/setup.sh all) and runs in place.
set -euo pipefail

build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
envfile=/var/tmp/rcr-test/env.sh
cd "$top"

unit_tests() {
	find "$1" -maxdepth 1 -type f -name 'test_*' -perm -u+x | sort
}

if [ "$(id -u)" -ne 0 ]; then
	if [ ! -r "$envfile" ]; then
		echo "tests/run.sh: the test environment is not set up: run 'sudo tests/setup/setup.sh all' once" >&2
		exit 2
	fi
	# shellcheck source=/dev/null
	. "$envfile"
	export RCR_BIN="$top/$build"
	mapfile -t tests < <(unit_tests "$build/tests/unit"; ls tests/integration/*.bats)
	exec prove "${tests[@]}"
fi

tests/setup/setup.sh all
trap '"$top/tests/setup/setup.sh" registries stop' EXIT
# shellcheck source=/dev/null
. "$envfile"

stage=$(mktemp -d /var/tmp/rcr-test/run.XXXXXX)
# On the way out: registries stopped, staging removed, and prove's totals repeated so that they
# stay the run's closing lines (CI reads them there).
# shellcheck disable=SC2317 # invoked by the EXIT trap
finish() {
	local rc=$?
	cd "$top"
	"$top/tests/setup/setup.sh" registries stop
	[ -f "$stage/prove.log" ] && grep -E '^(Files=|Result:)' "$stage/prove.log"
	rm -rf "$stage"
	exit "$rc"
}
trap finish EXIT
mkdir -p "$stage/bin" "$stage/unit" "$stage/integration"
cp "$build/rcr" "$build/rcr-monitor" "$stage/bin/"
while read -r t; do cp "$t" "$stage/unit/"; done < <(unit_tests "$build/tests/unit")
cp -r tests/integration/. "$stage/integration/"
[ -d tests/fuzz/corpus ] && cp -r tests/fuzz/corpus "$stage/corpus"
chmod -R a+rX "$stage"

uid=$(id -u "$RCR_TEST_USER")
home=$(getent passwd "$RCR_TEST_USER" | cut -d: -f6)
cd "$stage"
mapfile -t tests < <(find unit -type f | sort; ls integration/*.bats)
# env -i: the test user gets a login-like environment, not root's (ENVIRONMENT.md).
runuser -u "$RCR_TEST_USER" -- env -i \
	HOME="$home" USER="$RCR_TEST_USER" LOGNAME="$RCR_TEST_USER" \
	PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
	XDG_RUNTIME_DIR="/run/user/$uid" LANG=C.UTF-8 TMPDIR=/tmp \
	RCR_BIN="$stage/bin" RCR_TEST_CORPUS="$stage/corpus" \
	RCR_TEST_MUST_WORK="${RCR_TEST_MUST_WORK:-}" \
	ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
	bash -c ". $envfile && exec prove $(printf '%q ' "${tests[@]}")" 2>&1 | tee "$stage/prove.log"
exit "${PIPESTATUS[0]}"
