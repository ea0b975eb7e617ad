#!/usr/bin/env bats
# Container networking as the unprivileged test user: pasta (the default) and slirp4netns give
# the container its own interface; ports published on the host reach a server in the container
# (TCP with busybox httpd, UDP with a perl echo server in the Debian image); the container reaches
# a service on the host's loopback through the helper; --network none has only loopback, host
# shares the user's; the generated /etc/hosts and resolv.conf follow --dns*, --add-host and
# host.containers.internal; bad ports, taken ports and privileged ports are errors that name the
# port; and no helper process outlives its container (rm -f, run --rm, a killed monitor).

# Single-quoted $ is for the container's shell (or perl) to expand, on purpose.
# shellcheck disable=SC2016
load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	ctr_setup_file
}

setup() {
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	WWW="$BATS_TEST_TMPDIR/www"
	mkdir -p "$WWW"
	echo "hello from the container" >"$WWW/index.html"
}

teardown() {
	[ -z "${HOST_PID:-}" ] || kill "$HOST_PID" 2>/dev/null || true
	ctr_teardown
}

teardown_file() {
	ctr_teardown_file
}

# A TCP port nothing listens on (the kernel's pick, released again).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Network helpers of this user that still run (zombies of a killed monitor's orphans do not).
helpers() {
	local p
	for p in $(pgrep -u "$(id -u)" -f 'pasta --config-net|slirp4netns --configure'); do
		grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null || echo "$p"
	done
}

monitor_pid() {
	sed -n 's/.*"monitor_pid": *\([0-9]*\).*/\1/p' "$RCR_ROOT/containers/$1/userdata/run.json"
}

# GET url with retries while the server in the container starts; prints the body.
fetch() {
	curl -s --retry 20 --retry-connrefused --retry-delay 0 --max-time 5 "$1"
}

serve_httpd() {
	"$RCR" run -d --name web -v "$WWW:/www:ro" "$@" bb httpd -f -p 80 -h /www
}

@test "the default network is pasta: the container gets the host's address and a default route" {
	if ! command -v pasta >/dev/null; then
		skip_env "pasta (package passt) is not installed"
	fi
	run "$RCR" run --rm bb sh -c 'cat /proc/net/dev; ip route'
	[ "$status" -eq 0 ]
	[[ "$output" == *"default via"* ]]
	# lo and the tap interface
	[ "$(printf '%s\n' "$output" | grep -c ':')" -eq 2 ]
	[[ "$output" == *"lo:"* ]]
	id=$("$RCR" create bb true)
	[ "$("$RCR" inspect --format '{{.HostConfig.NetworkMode}}' "$id")" = pasta ]
}

@test "pasta: busybox httpd published on 127.0.0.1 is fetched with curl; rcr port, ps and inspect show it" {
	port=$(free_port)
	serve_httpd -p "127.0.0.1:$port:80"
	run fetch "http://127.0.0.1:$port/index.html"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	run "$RCR" port web
	[ "$output" = "80/tcp -> 127.0.0.1:$port" ]
	run "$RCR" port web 80
	[ "$output" = "127.0.0.1:$port" ]
	run -125 "$RCR" port web 80/udp
	[[ "$output" == *'failed to find published port "80/udp"'* ]]
	run "$RCR" ps --format json
	echo "$output" | python3 -c '
import json, sys
p = json.load(sys.stdin)[0]["Ports"]
assert p == [{"host_ip": "127.0.0.1", "container_port": 80, "host_port": int(sys.argv[1]), "range": 1, "protocol": "tcp"}], p' "$port"
	run "$RCR" ps --format '{{.Names}} {{.Ports}}'
	[ "$output" = "web 127.0.0.1:$port->80/tcp" ]
	run "$RCR" inspect --format '{{json .NetworkSettings.Ports}}' web
	[ "$output" = "{\"80/tcp\":[{\"HostIp\":\"127.0.0.1\",\"HostPort\":\"$port\"}]}" ]
}

@test "slirp4netns: the published port works too, and the container has slirp's address" {
	port=$(free_port)
	serve_httpd --network slirp4netns -p "$port:80"
	run fetch "http://127.0.0.1:$port/index.html"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	run "$RCR" exec web ip addr
	[[ "$output" == *"inet 10.0.2.100/24"* ]]
	run "$RCR" exec web cat /etc/resolv.conf
	[[ "$output" == *"nameserver 10.0.2.3"* ]]
}

@test "a random host port (-p CTRPORT) is picked at create and rcr port tells it" {
	serve_httpd -p 80
	port=$("$RCR" port web 80/tcp | sed 's/.*://')
	[[ "$port" =~ ^[0-9]+$ ]] && [ "$port" -ge 1024 ]
	run fetch "http://127.0.0.1:$port/index.html"
	[ "$output" = "hello from the container" ]
}

@test "-P publishes the image's exposed ports on free host ports" {
	d="$BATS_TEST_TMPDIR/rootfs"
	mkdir -p "$d/bin" && cp /bin/busybox "$d/bin/"
	tar -C "$d" -c . | "$RCR" import -c 'EXPOSE 80/tcp' -c 'EXPOSE 81/tcp' - exposed >/dev/null
	"$RCR" run -d --name web -P -v "$WWW:/www:ro" exposed /bin/busybox httpd -f -p 80 -h /www
	run "$RCR" port web
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^80/tcp\ -\>\ 0\.0\.0\.0:[0-9]+$ ]]
	[[ "${lines[1]}" =~ ^81/tcp\ -\>\ 0\.0\.0\.0:[0-9]+$ ]]
	port=$("$RCR" port web 80 | sed 's/.*://')
	run fetch "http://127.0.0.1:$port/index.html"
	[ "$output" = "hello from the container" ]
	"$RCR" rm -f web >/dev/null
	# --expose adds to them (and is only checked without -P)
	"$RCR" run -d --name web2 -P --expose 82 --expose 83-84/udp exposed /bin/busybox sleep 100 >/dev/null
	run "$RCR" port web2
	[ "${#lines[@]}" -eq 5 ]
	[[ "$output" == *"82/tcp -> 0.0.0.0:"* && "$output" == *"84/udp -> 0.0.0.0:"* ]]
	run -125 "$RCR" create --expose 1:2 exposed true
	[[ "$output" == *"invalid --expose '1:2'"* ]]
	"$RCR" rm -f web2 >/dev/null
	"$RCR" rmi exposed >/dev/null
}

# UDP goes to the host's own address: replies to datagrams sent to 127.0.0.1 are lost by both
# helpers in the versions Debian 12 ships (pasta 2023-03-09, slirp4netns 1.2.0), with or without
# rcr (checked with pasta and unshare alone).
@test "UDP: a datagram to the published port is echoed by a server in the container (pasta and slirp4netns)" {
	addr=$(ip -4 -o addr show scope global | awk '{ sub("/.*", "", $4); print $4; exit }')
	if [ -z "$addr" ]; then
		skip_env "the host has no global IPv4 address to send to"
	fi
	deb=$("$RCR" pull -q "oci:$RCR_TEST_OCI_DEBIAN")
	for net in pasta slirp4netns; do
		port=$(free_port)
		"$RCR" run -d --name "udp-$net" --network "$net" -p "$port:9000/udp" "$deb" \
			perl -MIO::Socket::INET -e '$s = IO::Socket::INET->new(LocalPort => 9000, Proto => "udp") or die "$!";
				while ($a = $s->recv($m, 1024)) { $s->send("echo:$m", 0, $a) }' >/dev/null
		run python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
for _ in range(100):
    s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recv(100).decode()); sys.exit(0)
    except socket.timeout:
        pass
sys.exit(1)' "$addr" "$port"
		echo "$net: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "echo:ping" ]
		"$RCR" rm -f "udp-$net" >/dev/null
	done
	"$RCR" rmi "$deb" >/dev/null
}

@test "the container reaches a service on the host's loopback: pasta's gateway, slirp4netns with allow_host_loopback" {
	port=$(free_port)
	python3 -m http.server --bind 127.0.0.1 --directory "$WWW" "$port" >/dev/null 2>&1 &
	HOST_PID=$!
	run fetch "http://127.0.0.1:$port/index.html" # the server is up
	[ "$output" = "hello from the container" ]
	run "$RCR" run --rm bb wget -q -O - "http://host.containers.internal:$port/index.html"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	run "$RCR" run --rm --network slirp4netns:allow_host_loopback=true bb \
		wget -q -O - "http://10.0.2.2:$port/index.html"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	# without allow_host_loopback slirp4netns keeps the host's loopback out of reach
	run "$RCR" run --rm --network slirp4netns bb wget -q -T 2 -O - "http://10.0.2.2:$port/"
	[ "$status" -ne 0 ]
}

@test "--network none has only loopback; --network host has the host's interfaces and resolv.conf" {
	run "$RCR" run --rm --network none bb sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	[ "$status" -eq 0 ]
	[ "$output" = lo ]
	run "$RCR" run --rm --network none bb wget -q -T 2 -O - http://192.0.2.1/
	[ "$status" -ne 0 ]
	run "$RCR" run --rm --network host bb cat /proc/net/dev
	[ "$output" = "$(cat /proc/net/dev)" ]
	run "$RCR" run --rm --network host bb cat /etc/resolv.conf
	[ "$output" = "$(cat /etc/resolv.conf)" ]
	run -125 "$RCR" run --rm --network host -p 8080:80 bb true
	[[ "$output" == *"ports cannot be published with --network host"* ]]
}

@test "/etc/hosts and resolv.conf: name, host.containers.internal, --add-host, --dns, --dns-search, --dns-option" {
	run "$RCR" run --rm --name named --hostname box --add-host db:10.1.2.3 \
		--add-host gw:host-gateway --dns 192.0.2.53 --dns-search example.test \
		--dns-option ndots:3 bb sh -c 'cat /etc/hosts; echo ---; cat /etc/resolv.conf; hostname'
	[ "$status" -eq 0 ]
	[[ "$output" == *$'10.1.2.3\tdb'* ]]
	[[ "$output" == *"host.containers.internal"* ]]
	[[ "$output" == *$'\tbox named'* ]]
	resolv=${output#*---}
	[[ "$resolv" == *"nameserver 192.0.2.53"* ]]
	[[ "$resolv" != *"nameserver 169.254.1.1"* ]]
	[[ "$resolv" == *"search example.test"* ]]
	[[ "$resolv" == *"options ndots:3"* ]]
	[ "${lines[-1]}" = box ]
	gw=$(printf '%s\n' "$output" | awk '$2 == "gw" { print $1 }')
	hci=$(printf '%s\n' "$output" | awk '$2 == "host.containers.internal" { print $1 }')
	[ -n "$gw" ] && [ "$gw" = "$hci" ]
	# --no-hosts keeps the image's own /etc/hosts (busybox's image has none)
	run "$RCR" run --rm --no-hosts bb cat /etc/hosts
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such file"* ]]
	run -125 "$RCR" run --rm --no-hosts --add-host a:1.2.3.4 bb true
	[[ "$output" == *"--no-hosts and --add-host cannot be set together"* ]]
}

@test "--mac-address sets the container interface's address" {
	run "$RCR" run --rm --mac-address 02:42:ac:11:00:99 bb sh -c 'cat /sys/class/net/*/address'
	[ "$status" -eq 0 ]
	[[ "$output" == *"02:42:ac:11:00:99"* ]]
	run -125 "$RCR" run --rm --mac-address 02:42:zz:11:00:99 bb true
	[[ "$output" == *"invalid --mac-address '02:42:zz:11:00:99'"* ]]
	run -125 "$RCR" run --rm --network none --mac-address 02:42:ac:11:00:99 bb true
	[[ "$output" == *"not possible with --network none"* ]]
}

@test "a host port in use is an error naming it, before the container runs; nothing is left running" {
	port=$(free_port)
	python3 -m http.server --bind 127.0.0.1 "$port" >/dev/null 2>&1 &
	HOST_PID=$!
	fetch "http://127.0.0.1:$port/" >/dev/null
	run -125 "$RCR" run --name taken -p "127.0.0.1:$port:80" bb echo should-not-run
	[[ "$output" == *"host port $port/tcp on 127.0.0.1 is already in use"* ]]
	[[ "$output" != *should-not-run* ]]
	[ "$("$RCR" ps -a --filter name=taken --format '{{.State}}')" != running ]
	[ -z "$(helpers)" ]
	# the same host port twice in one container
	run -125 "$RCR" run --rm -p 9999:80 -p 9999:81 bb true
	[[ "$output" == *"host port 9999/tcp is published twice"* ]]
}

@test "ports below ip_unprivileged_port_start and malformed ports are refused with exit 125" {
	floor=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)
	if [ "$floor" -le 80 ]; then
		skip_env "net.ipv4.ip_unprivileged_port_start is $floor here"
	fi
	run -125 "$RCR" run --rm -p 80:80 bb true
	[[ "$output" == *"host port 80 is below net.ipv4.ip_unprivileged_port_start ($floor)"* ]]
	for bad in 0 65536 abc 8080-8082:80-81 1.2.3:80:80 80/sctp 80/xyz ::1:8080:80; do
		run -125 "$RCR" create -p "$bad" bb true
		echo "$bad: $output"
		[[ "$output" == *"'$bad'"* ]]
	done
	[ -z "$("$RCR" ps -aq)" ]
}

@test "network modes: unknown and unsupported ones are clear errors; options are checked at create" {
	run -125 "$RCR" create --network bridge bb true
	[[ "$output" == *"network mode 'bridge' is not supported"* ]]
	run -125 "$RCR" create --network container:other bb true
	[[ "$output" == *"--network container:other"*"no such container"* ]]
	run -125 "$RCR" create --network ns:relative/path bb true
	[[ "$output" == *"is not an existing absolute path to a network namespace"* ]]
	run -125 "$RCR" create --network slirp4netns:bogus=1 bb true
	[[ "$output" == *"slirp4netns option 'bogus=1' is not supported"* ]]
	run -125 "$RCR" create --network slirp4netns:cidr=10.0.2.0/30 bb true
	[[ "$output" == *"slirp4netns option 'cidr=10.0.2.0/30' is not supported"* ]]
	run -125 "$RCR" create --network pasta:-f bb true
	[[ "$output" == *"pasta option '-f' cannot be used with rcr"* ]]
	run -125 "$RCR" create --network none:x bb true
	[[ "$output" == *"takes no options"* ]]
	run -125 "$RCR" run --rm --network pasta:--no-such-pasta-option bb true
	[[ "$output" == *"pasta failed"* ]]
	[ -z "$(helpers)" ]
}

@test "--network container:NAME and ns:PATH join another container's network" {
	port=$(free_port)
	serve_httpd -p "127.0.0.1:$port:80"
	fetch "http://127.0.0.1:$port/index.html" >/dev/null
	# the server is on the other container's loopback, and the host reaches the joiner too
	run "$RCR" run --rm --network container:web bb wget -q -O - http://127.0.0.1:80/index.html
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	run "$RCR" run --rm --network container:web bb cat /etc/resolv.conf
	[ "$output" = "$("$RCR" exec web cat /etc/resolv.conf)" ]
	id=$("$RCR" create --network container:web bb true)
	web=$("$RCR" inspect --format '{{.Id}}' web)
	[ "$("$RCR" inspect --format '{{.HostConfig.NetworkMode}}' "$id")" = "container:$web" ]
	# a container others join cannot go first (as Podman)
	run "$RCR" rm web
	[ "$status" -ne 0 ]
	[[ "$output" == *"has dependent containers which must be removed before it: "* ]]
	pid=$("$RCR" inspect --format '{{.State.Pid}}' web)
	run "$RCR" run --rm --network "ns:/proc/$pid/ns/net" bb wget -q -O - http://127.0.0.1:80/
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the container" ]
	# the monitor's own network belongs to the user's namespace: not joinable without privileges
	run -125 "$RCR" run --rm --network ns:/proc/self/ns/net bb true
	[[ "$output" == *"belongs to your own user namespace"* ]]
	run -125 "$RCR" create --network container:web -p 8080:80 bb true
	[[ "$output" == *"ports cannot be published with --network container"* ]]
	run -125 "$RCR" create --network container:web --userns keep-id bb true
	[[ "$output" == *"cannot be combined with --userns"* ]]
	"$RCR" run -d --name hostnet --network host bb sleep 100 >/dev/null
	run -125 "$RCR" create --network container:hostnet bb true
	[[ "$output" == *"uses the host's network: use --network host instead"* ]]
	"$RCR" stop -t 0 web >/dev/null
	run -125 "$RCR" run --rm --network container:web bb true
	[[ "$output" == *"container '"*"', whose network this container joins, is not running"* ]]
}

@test "no network helper survives its container: run --rm, stop, rm -f, and rm -f after a killed monitor" {
	for net in pasta slirp4netns; do
		"$RCR" run --rm --network "$net" bb true
		[ -z "$(helpers)" ]
		id=$("$RCR" run -d --network "$net" -p "$(free_port):80" bb sleep 100)
		[ -n "$(helpers)" ]
		"$RCR" stop -t 0 "$id" >/dev/null
		[ -z "$(helpers)" ]
		"$RCR" start "$id" >/dev/null
		[ -n "$(helpers)" ]
		"$RCR" rm -f "$id" >/dev/null
		[ -z "$(helpers)" ]
		# a killed monitor cannot stop the helper: rm -f does
		id=$("$RCR" run -d --network "$net" bb sleep 100)
		kill -9 "$(monitor_pid "$id")"
		"$RCR" rm -f "$id" >/dev/null
		[ -z "$(helpers)" ]
	done
}
