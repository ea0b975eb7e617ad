#!/usr/bin/env bash
# --userns=keep-id start, side by side in one run, as the unprivileged test user, with the Debian
# test image (3 layers, ~6,700 files):
#   first start: `run --rm --userns=keep-id DEBIAN true` right after the image was pulled into an
#   empty store and before any container ran from it (Podman may make an id-shifted copy of the
#   image here; rcr serves the layers through fuse-overlayfs and copies nothing),
#   steady state: the same again (median), and the default mode (kernel overlay) beside it,
# for rcr and rootless Podman.
# Run by hand as root: bench/userns.sh [RUNS]   (tests never assert timings)
set -euo pipefail
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"

runs=${1:-10}
store=/tmp/rcr-bench-userns
bench_setup >/dev/null
# shellcheck source=/dev/null
. /var/tmp/rcr-test/env.sh
rcr=(rcr --root "$store")
pimg="$RCR_TEST_REG_PLAIN/$RCR_TEST_IMAGE_DEBIAN"

# An empty rcr store holding only the Debian image; its id on stdout.
rcr_fresh() {
	as_user "${rcr[@]}" rm -a -f >/dev/null 2>&1 || true
	as_user "${rcr[@]}" rmi -a -f >/dev/null 2>&1 || true
	as_user "${rcr[@]}" pull -q "oci:$RCR_TEST_OCI_DEBIAN"
}

# Podman without the Debian image or any container from it (rmi -f takes those too; other
# containers of the user are left alone), then pulled again.
podman_fresh() {
	as_user podman rmi -f "$pimg" >/dev/null 2>&1 || true
	as_user podman pull -q "$pimg" >/dev/null
}

median_of() {
	local v=()
	for _ in $(seq "$runs"); do
		v+=("$(ms_as_user "$@")")
	done
	printf '%s\n' "${v[@]}" | median
}

img=$(rcr_fresh)
rcr_first_keep=$(ms_as_user "${rcr[@]}" run --rm --network=none --userns=keep-id "$img" true)
rcr_keep=$(median_of "${rcr[@]}" run --rm --network=none --userns=keep-id "$img" true)
img=$(rcr_fresh)
rcr_first_default=$(ms_as_user "${rcr[@]}" run --rm --network=none "$img" true)
rcr_default=$(median_of "${rcr[@]}" run --rm --network=none "$img" true)
# a keep-id container's work: apt reads its whole database through fuse-overlayfs
rcr_apt_keep=$(median_of "${rcr[@]}" run --rm --network=none --userns=keep-id "$img" apt-cache policy)
rcr_apt_default=$(median_of "${rcr[@]}" run --rm --network=none "$img" apt-cache policy)

podman_fresh
podman_first_keep=$(ms_as_user podman run --rm --network=none --userns=keep-id "$pimg" true)
podman_keep=$(median_of podman run --rm --network=none --userns=keep-id "$pimg" true)
podman_fresh
podman_first_default=$(ms_as_user podman run --rm --network=none "$pimg" true)
podman_default=$(median_of podman run --rm --network=none "$pimg" true)

echo "Debian, run --rm IMG true (ms; steady = median of $runs; both with --network=none):"
printf '  %-7s keep-id first %8s  steady %7s   default first %7s  steady %7s\n' \
	rcr "$rcr_first_keep" "$rcr_keep" "$rcr_first_default" "$rcr_default" \
	podman "$podman_first_keep" "$podman_keep" "$podman_first_default" "$podman_default"
echo "  rcr apt-cache policy: keep-id $rcr_apt_keep, default $rcr_apt_default"
as_user "${rcr[@]}" rmi -a -f >/dev/null 2>&1 || true
as_user podman rmi -f "$pimg" >/dev/null 2>&1 || true
