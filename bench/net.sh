#!/usr/bin/env bash
# Network throughput and helper memory, side by side in one run, as the unprivileged test user:
# a 1 GiB TCP transfer from the host to a published port and back (an echo server in a busybox
# container: nc -e cat), through rcr with pasta, rcr with slirp4netns, and rootless Podman 4.3
# (slirp4netns + rootlessport); then the RSS of each tool's network helpers for one container.
# Run by hand as root: bench/net.sh [MIB]   (tests never assert timings)
set -euo pipefail
# shellcheck source=bench/common.sh disable=SC1091
. "$(dirname "$0")/common.sh"

mib=${1:-1024}
store=/tmp/rcr-bench-net
bench_setup >/dev/null
# shellcheck source=/dev/null
. /var/tmp/rcr-test/env.sh
rcr=(rcr --root "$store")

as_user "${rcr[@]}" rm -a -f >/dev/null 2>&1 || true
as_user podman rm -a -f -t 0 >/dev/null 2>&1 || true
as_user "${rcr[@]}" pull -q "oci:$RCR_TEST_OCI_BUSYBOX" >/dev/null
as_user "${rcr[@]}" tag "$(as_user "${rcr[@]}" images -q | head -1)" bb
as_user podman pull -q 127.0.0.1:5000/busybox:latest >/dev/null

# echo_mbps PORT: MiB/s of MIB sent to 127.0.0.1:PORT while the echo is read back (both ways
# counted once: the bytes moved each way over the wall time).
echo_mbps() {
	python3 - "$1" "$mib" <<'PY'
import socket, sys, threading, time
port, mib = int(sys.argv[1]), int(sys.argv[2])
total = mib << 20
# the helper accepts before the server in the container listens: wait for a real echo
for _ in range(200):
    try:
        p = socket.create_connection(("127.0.0.1", port), timeout=0.5)
        p.sendall(b"ping")
        if p.recv(4) == b"ping":
            p.close(); break
    except OSError:
        pass
    time.sleep(0.05)
else:
    sys.exit("no echo server on port %d" % port)
s = socket.create_connection(("127.0.0.1", port), timeout=120)
got = 0
def reader():
    global got
    while got < total:
        b = s.recv(1 << 20)
        if not b: break
        got += len(b)
chunk = b"x" * (1 << 20)
t0 = time.monotonic()
r = threading.Thread(target=reader, daemon=True); r.start()
for _ in range(mib): s.sendall(chunk)
r.join(120)
dt = time.monotonic() - t0
if got != total: sys.exit("short echo: %d of %d bytes" % (got, total))
print("%.0f MiB/s (%.2f s)" % (mib / dt, dt))
PY
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

rss_of() {
	local sum=0 p
	for p in "$@"; do
		sum=$((sum + $(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status")))
	done
	echo "$sum kB"
}

helper_pid() {
	sed -n 's/.*"pid": *\([0-9]*\).*/\1/p' "$store/containers/$1/userdata/net.json"
}

# busybox nc: -ll keeps listening (the probe connection, then the transfer)
server=(nc -ll -p 5000 -e cat)
echo "echo of $mib MiB through a published port (host -> container -> host):"
for net in pasta slirp4netns; do
	port=$(free_port)
	id=$(as_user "${rcr[@]}" run -d --network "$net" -p "127.0.0.1:$port:5000" bb "${server[@]}")
	echo "  rcr $net: $(as_user bash -c "$(declare -f echo_mbps); mib=$mib; echo_mbps $port")"
	echo "    helper RSS: $(rss_of "$(helper_pid "$id")")"
	as_user "${rcr[@]}" rm -f "$id" >/dev/null
done
port=$(free_port)
as_user podman run -d --name bench-net -p "127.0.0.1:$port:5000" busybox "${server[@]}" >/dev/null
echo "  podman (slirp4netns + rootlessport): $(as_user bash -c "$(declare -f echo_mbps); mib=$mib; echo_mbps $port")"
# shellcheck disable=SC2046,SC2154 # one pid per word; user is common.sh's
echo "    helpers RSS: slirp4netns $(rss_of $(pgrep -u "$user" -x slirp4netns)), rootlessport $(rss_of $(pgrep -u "$user" -f 'rootlessport'))"
as_user podman rm -f -t 0 bench-net >/dev/null
