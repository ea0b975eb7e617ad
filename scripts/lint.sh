#!/usr/bin/env bash
# `make lint`: the include-direction check, cppcheck, clang-tidy and shellcheck. Any finding
# fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."

mapfile -t csrc < <(git ls-files --cached --others --exclude-standard '*.c' | grep -v '^tests/fuzz/')
mapfile -t shsrc < <(git ls-files --cached --others --exclude-standard '*.sh' '*.bash' '.ci/run' 'tests/integration/*.bats')
cflags=(-I. -D_GNU_SOURCE -DRCR_VERSION='"lint"' -DRCR_LIBEXECDIR='"/usr/libexec/rcr"' -std=gnu11)
# shellcheck disable=SC2207
pkgflags=($(pkg-config --cflags libcurl jansson libzstd libarchive libseccomp sqlite3 libcrypto))

echo "lint: include directions"
scripts/check-includes.sh

echo "lint: cppcheck"
# memleak is suppressed because cppcheck does not understand __attribute__((cleanup)) (every
# _cleanup_free_ local looks leaked); LeakSanitizer in `make asan` finds real leaks. jansson.h is
# force-included so that its iteration macros (json_object_foreach) are known.
cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --inline-suppr \
	--std=c11 -D_GNU_SOURCE -DRCR_VERSION='"lint"' -DRCR_LIBEXECDIR='"x"' -I. \
	--include=/usr/include/jansson.h --suppress=missingIncludeSystem --suppress=memleak \
	"${csrc[@]}"

echo "lint: clang-tidy"
# One run, its output kept: under pipefail a grep on a pipe would take clang-tidy's own exit
# status, and its exit status ignores WarningsAsErrors with --quiet on some versions.
tidy_out=$(clang-tidy --quiet "${csrc[@]}" -- "${cflags[@]}" "${pkgflags[@]}" 2>&1 || true)
printf '%s\n' "$tidy_out" | grep -v '^[0-9]* warnings* generated' || true
if printf '%s\n' "$tidy_out" | grep -q 'error:'; then
	echo "lint: clang-tidy reported errors" >&2
	exit 1
fi

echo "lint: shellcheck"
shellcheck -x "${shsrc[@]}"
echo "lint: clean"
