# Shared by the benchmarks: run as root; they measure as the unprivileged test user, with rcr and
# rootless Podman side by side in the same run. Sourced, not run.
# shellcheck shell=bash

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
user=rcrtest
# Where this run's rcr and rcr-monitor are installed: RCR_BENCH_BIN keeps two benchmark runs from
# different worktrees from replacing each other's binaries.
bench_bin=${RCR_BENCH_BIN:-/var/tmp/rcr-bench}

# Test environment (users, images, registries) and Podman 4 set up as ENVIRONMENT.md says:
# runc (crun refuses hybrid cgroups), the overlay driver, the local registry insecure.
bench_setup() {
	"$top/tests/setup/setup.sh" all
	if ! command -v podman >/dev/null; then
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman runc conmon >/dev/null
	fi
	make -C "$top" -s all
	install -d -m 0755 "$bench_bin"
	install -m 0755 "$top/build/rcr" "$top/build/rcr-monitor" "$bench_bin/"
	local home
	home=$(getent passwd "$user" | cut -d: -f6)
	install -d -o "$user" -g "$user" "$home/.config/containers"
	printf '[engine]\nruntime = "runc"\n' >"$home/.config/containers/containers.conf"
	printf '[storage]\ndriver = "overlay"\n' >"$home/.config/containers/storage.conf"
	printf 'unqualified-search-registries = ["127.0.0.1:5000"]\n[[registry]]\nlocation = "127.0.0.1:5000"\ninsecure = true\n' \
		>"$home/.config/containers/registries.conf"
	chown -R "$user:" "$home/.config/containers"
}

# as_user CMD...: run as the test user with a login-like environment.
as_user() {
	local uid home
	uid=$(id -u "$user")
	home=$(getent passwd "$user" | cut -d: -f6)
	runuser -u "$user" -- env -i HOME="$home" USER="$user" PATH="$bench_bin":/usr/bin:/bin \
		XDG_RUNTIME_DIR="/run/user/$uid" "$@"
}

# ms CMD...: wall time of one run in milliseconds (output discarded; failure aborts).
ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1 || {
		echo "bench: failed: $*" >&2
		exit 1
	}
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000))
}

# ms_as_user CMD...: like ms, timed inside the test user's session, so that runuser's own start
# (tens of ms) is not counted; in ms with one decimal.
ms_as_user() {
	# shellcheck disable=SC2016 # expanded by the inner shell
	as_user bash -c 't0=$(date +%s%N); "$@" >/dev/null 2>&1 || exit 1; t1=$(date +%s%N)
		awk -v d=$((t1 - t0)) "BEGIN { printf \"%.1f\n\", d / 1000000 }"' _ "$@" || {
		echo "bench: failed: $*" >&2
		exit 1
	}
}

median() {
	sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
