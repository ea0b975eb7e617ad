#!/usr/bin/env bash
# Pull of the 3-layer Debian test image from the local registry, rcr against rootless Podman in
# one run, each from an empty store, RUNS times; then `images` listing. Prints medians and ratios.
# Run by hand as root: bench/pull.sh [RUNS]   (tests never assert timings)
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

runs=${1:-5}
image=127.0.0.1:5000/debian:bookworm
bench_setup >/dev/null

rcr_ms=() podman_ms=()
for _ in $(seq "$runs"); do
	rm -rf /tmp/rcr-bench-store # as root: layer files belong to the user's subordinate ids
	rcr_ms+=("$(ms_as_user rcr --root /tmp/rcr-bench-store pull -q "$image")")
	as_user podman system reset -f >/dev/null 2>&1 || true
	podman_ms+=("$(ms_as_user podman pull -q "$image")")
done
r=$(printf '%s\n' "${rcr_ms[@]}" | median)
p=$(printf '%s\n' "${podman_ms[@]}" | median)
echo "pull $image ($runs runs): rcr ${r} ms, podman ${p} ms, rcr/podman $(awk -v a="$r" -v b="$p" 'BEGIN { printf "%.2f", a / b }')"

ri=() pi=()
for _ in $(seq 20); do
	ri+=("$(ms_as_user rcr --root /tmp/rcr-bench-store images)")
	pi+=("$(ms_as_user podman images)")
done
r=$(printf '%s\n' "${ri[@]}" | median)
p=$(printf '%s\n' "${pi[@]}" | median)
echo "images (20 runs): rcr ${r} ms, podman ${p} ms, podman/rcr $(awk -v a="$p" -v b="$r" 'BEGIN { printf "%.1f", a / (b ? b : 1) }')x"
