#!/usr/bin/env bash
# Container start, side by side in one run, as the unprivileged test user:
#   rcr run --rm --network=none IMG true, rcr run --rm IMG true (default network),
#   podman run --rm of both, and runc run of a prepared rootless bundle as the floor
#   (crun refuses this machine's hybrid cgroups: ENVIRONMENT.md);
# then `rcr ps -a` with 100 containers, and the monitor's RSS/PSS next to conmon's.
# Run by hand as root: bench/run.sh [RUNS]   (tests never assert timings)
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

runs=${1:-20}
store=/tmp/rcr-bench-run
bench_setup >/dev/null
# shellcheck source=/dev/null
. /var/tmp/rcr-test/env.sh
rcr=(rcr --root "$store")

# Images: the busybox test image in both tools.
as_user "${rcr[@]}" rm -a -f >/dev/null 2>&1 || true
as_user "${rcr[@]}" pull -q "oci:$RCR_TEST_OCI_BUSYBOX" >/dev/null
as_user "${rcr[@]}" tag "$(as_user "${rcr[@]}" images -q | head -1)" bb
as_user podman pull -q 127.0.0.1:5000/busybox:latest >/dev/null

# A rootless runc bundle of the same root file system.
bundle=/tmp/rcr-bench-bundle
rm -rf "$bundle"
install -d -o "$user" -g "$user" "$bundle"
as_user sh -c "mkdir $bundle/rootfs && \
	tar -xzf \"\$(ls -S $RCR_TEST_IMAGES/busybox/blobs/sha256/* | head -1)\" -C $bundle/rootfs 2>/dev/null; \
	cd $bundle && runc spec --rootless && \
	sed -i 's/\"sh\"/\"true\"/; s/\"terminal\": true/\"terminal\": false/' config.json"
uid=$(id -u "$user")

declare -A t
measure() {
	local name=$1
	shift
	local v=()
	for _ in $(seq "$runs"); do
		v+=("$(ms_as_user "$@")")
	done
	t[$name]=$(printf '%s\n' "${v[@]}" | median)
}

measure rcr_none "${rcr[@]}" run --rm --network=none bb true
measure rcr_default "${rcr[@]}" run --rm bb true
measure podman_none podman run --rm --network=none busybox true
measure podman_default podman run --rm busybox true
measure runc runc --root "/run/user/$uid/runc-bench" run --bundle "$bundle" bench-$$

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
echo "start+exit+remove, median of $runs (ms):"
echo "  rcr    --network=none ${t[rcr_none]}   default ${t[rcr_default]}"
echo "  podman --network=none ${t[podman_none]}   default ${t[podman_default]}"
echo "  runc bundle (floor)   ${t[runc]}"
echo "  rcr/podman (none) $(ratio "${t[rcr_none]}" "${t[podman_none]}")   rcr/runc $(ratio "${t[rcr_none]}" "${t[runc]}")"

# ps with 100 containers, both tools; /bin/true from the same shell as the floor.
for i in $(seq 100); do
	as_user "${rcr[@]}" create --name "c$i" bb true >/dev/null
	as_user podman create --name "bench-c$i" busybox true >/dev/null
done
v=() p=() f=()
for _ in $(seq 20); do
	v+=("$(ms_as_user "${rcr[@]}" ps -a)")
	p+=("$(ms_as_user podman ps -a)")
	f+=("$(ms_as_user /bin/true)")
done
echo "ps -a with 100 containers (median of 20): rcr $(printf '%s\n' "${v[@]}" | median) ms," \
	"podman $(printf '%s\n' "${p[@]}" | median) ms, /bin/true $(printf '%s\n' "${f[@]}" | median) ms"
as_user "${rcr[@]}" rm -a -f >/dev/null
as_user podman rm -a -f >/dev/null

# Monitor memory: one sleeping container each.
rss_pss() {
	local pid=$1
	awk '/^VmRSS:/ { r = $2 } END { printf "RSS %d kB", r }' "/proc/$pid/status"
	awk '/^Pss:/ { printf ", PSS %d kB\n", $2 }' "/proc/$pid/smaps_rollup"
}
id=$(as_user "${rcr[@]}" run -d bb sleep 60)
mon=$(sed -n 's/.*"monitor_pid": *\([0-9]*\).*/\1/p' "$store/containers/$id/userdata/run.json")
echo "rcr-monitor: $(rss_pss "$mon")"
as_user podman run -d --name bench-sleep busybox sleep 60 >/dev/null
conmon=$(pgrep -u "$user" -n conmon)
echo "conmon:      $(rss_pss "$conmon")"
as_user podman rm -f -t 0 bench-sleep >/dev/null
as_user "${rcr[@]}" rm -a -f >/dev/null
