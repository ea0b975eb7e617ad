#!/usr/bin/env bash
# rcr's test environment, set up from nothing on a Debian 12 machine, as root. Idempotent: a warm
# run changes nothing and takes seconds. tests/run.sh calls `setup.sh all` before every test run.
#
#   setup.sh install                       Debian packages for the build and tests (apt only if
#                                          something is missing)
#   setup.sh users                         rcrtest (65536 subids), rcrnosub (none), rcrsmall
#                                          (1000), /run/user/UID, /dev/fuse and /dev/net/tun 0666
#   setup.sh images                        OCI layouts under /var/cache/rcr-test (built offline)
#   setup.sh registries start|stop|status  four docker-registry processes + a token server,
#                                          loopback only, test images pushed into them
#   setup.sh env                           /var/tmp/rcr-test/env.sh for the tests to source
#   setup.sh all                           install, users, images, registries start, env
#
# One line per step on stderr; each step's output goes to /var/tmp/rcr-test/logs/STEP.log, which
# a failure names. Everything that is built is built under a temporary name and renamed into
# place, so a killed run leaves nothing half-made. tests/setup/README.md describes the result.
# This script must never listen on or talk to anything but loopback, except Debian's apt mirror.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly here
readonly state=/var/tmp/rcr-test
readonly cache=/var/cache/rcr-test
readonly logs=$state/logs
readonly regdir=$state/registries
readonly certs=$state/certs
# Debian's python3: python3-jwt and python3-cryptography are installed for it, not for whatever
# other python3 may come first in PATH.
readonly py=/usr/bin/python3

readonly users_full=rcrtest users_nosub=rcrnosub users_small=rcrsmall
readonly reg_user=rcruser reg_pass=rcrpass
readonly token_service=rcr-test-registry token_issuer=rcr-test-token-server
readonly token_addr=127.0.0.1:5004
readonly -a registries=(plain basic tls token)
readonly -a images=(busybox debian debian-zstd multi)

packages=(
	build-essential pkg-config libcurl4-openssl-dev libjansson-dev libzstd-dev libarchive-dev
	zlib1g-dev libseccomp-dev libsqlite3-dev libssl-dev uidmap fuse-overlayfs slirp4netns passt
	docker-registry apache2-utils busybox-static debootstrap umoci skopeo python3 python3-jwt
	python3-cryptography bats curl openssl iproute2 clang clang-format clang-tidy cppcheck
	shellcheck libclang-rt-14-dev acl attr util-linux sudo tzdata
	# Installed with --no-install-recommends, so what the above only recommend is named here:
	# debootstrap's download and signature check, prove (perl) for tests/run.sh.
	wget ca-certificates gpgv debian-archive-keyring perl
)

say() { printf 'setup: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

# A step's one-line result, printed by run_step after the step succeeds.
note() { printf '%s\n' "$*" >>"$logs/$current_step.note"; }

# run_step NAME FUNCTION ARGS...: run FUNCTION with errexit in a subshell, its output in the
# step's log; on failure say which step failed and where its log is.
run_step() {
	local name=$1 start=$SECONDS rc
	shift
	current_step=$name
	: >"$logs/$name.log"
	: >"$logs/$name.note"
	set +e
	(
		set -e
		"$@"
	) >>"$logs/$name.log" 2>&1 </dev/null
	rc=$?
	set -e
	if [ "$rc" -ne 0 ]; then
		say "$name: FAILED (exit $rc); log: $logs/$name.log"
		tail -n 15 "$logs/$name.log" | sed 's/^/setup:   | /' >&2
		exit 1
	fi
	local msg
	msg=$(paste -sd ';' "$logs/$name.note" | sed 's/;/; /g')
	say "$name: ok (${msg:-done}) [$((SECONDS - start))s]"
	rm -f "$logs/$name.note"
}

# write_if_changed FILE MODE: stdin becomes FILE unless FILE already holds exactly that.
# Returns 0 if it wrote, 1 if FILE was already up to date.
write_if_changed() {
	local file=$1 mode=$2 tmp
	tmp=$(mktemp "$file.tmp.XXXXXX")
	cat >"$tmp"
	chmod "$mode" "$tmp"
	if [ -f "$file" ] && cmp -s "$tmp" "$file"; then
		rm -f "$tmp"
		chmod "$mode" "$file"
		return 1
	fi
	mv -f "$tmp" "$file"
}

# remove_tree DIR: rm -rf that first unmounts whatever a killed debootstrap left mounted inside.
remove_tree() {
	local dir=$1 m
	[ -e "$dir" ] || return 0
	while read -r m; do
		umount -l "$m" || true
	done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r)
	rm -rf --one-file-system "$dir"
}

# image_digest NAME: the manifest (or index) digest of the cached image NAME.
# (rcr-image.json is compact JSON written by mkimage.py or build_debian_zstd, one "digest" key.)
image_digest() {
	sed -n 's/.*"digest":"\(sha256:[0-9a-f]\{64\}\)".*/\1/p' "$cache/$1/rcr-image.json"
}

# ---- install ----------------------------------------------------------------------------------

missing_packages() {
	local installed p
	installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${packages[@]}" 2>/dev/null |
		awk '$2 == "ii" { print $1 }' || true)
	for p in "${packages[@]}"; do
		grep -qxF "$p" <<<"$installed" || printf '%s\n' "$p"
	done
}

do_install() {
	local missing
	mapfile -t missing < <(missing_packages)
	if [ "${#missing[@]}" -eq 0 ]; then
		note "all ${#packages[@]} packages present"
		return 0
	fi
	echo "missing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Debian's policy-rc.d convention: keep package scripts from starting services (the
	# docker-registry package would start one on all interfaces where an init system runs).
	local policy=/usr/sbin/policy-rc.d made_policy=
	if [ ! -e "$policy" ]; then
		# shellcheck disable=SC2064 # expand now: the trap runs after this function returns
		trap "rm -f '$policy'" EXIT
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod 0755 "$policy"
		made_policy=1
	fi
	local ok=
	for _ in 1 2; do
		if apt-get update && apt-get install -y --no-install-recommends "${missing[@]}"; then
			ok=1
			break
		fi
		sleep 3
	done
	[ -z "$made_policy" ] || rm -f "$policy"
	[ -n "$ok" ] || {
		echo "apt-get failed twice" >&2
		return 1
	}
	mapfile -t missing < <(missing_packages)
	if [ "${#missing[@]}" -ne 0 ]; then
		echo "still not installed: ${missing[*]}" >&2
		return 1
	fi
	note "installed missing packages"
}

# ---- users ------------------------------------------------------------------------------------

# set_subids USER FILE COUNT: USER gets exactly one range of COUNT ids in FILE (none if 0).
set_subids() {
	local user=$1 file=$2 count=$3 kind lines start
	case $file in
	/etc/subuid) kind=subuids ;;
	*) kind=subgids ;;
	esac
	lines=$(grep "^$user:" "$file" || true)
	if [ "$count" -eq 0 ] && [ -z "$lines" ]; then
		return 0
	fi
	if [ "$count" -ne 0 ] && [ "$(wc -l <<<"$lines")" -eq 1 ] &&
		[ "${lines##*:}" = "$count" ]; then
		return 0
	fi
	# Remove whatever ranges the user has, then add one after every range in the file.
	while IFS=: read -r _ s c; do
		[ -n "$s" ] || continue
		usermod "--del-$kind" "$s-$((s + c - 1))" "$user"
	done <<<"$lines"
	[ "$count" -ne 0 ] || return 0
	start=$(awk -F: 'BEGIN { m = 100000 } NF >= 3 && $2 + $3 > m { m = $2 + $3 } END { print m }' \
		"$file")
	usermod "--add-$kind" "$start-$((start + count - 1))" "$user"
	echo "$user: $kind $start-$((start + count - 1))"
}

ensure_user() {
	local user=$1 count=$2 uid
	if ! id -u "$user" >/dev/null 2>&1; then
		useradd -m -s /bin/bash "$user"
		echo "created user $user"
	fi
	set_subids "$user" /etc/subuid "$count"
	set_subids "$user" /etc/subgid "$count"
	uid=$(id -u "$user")
	# No logind here: the runtime dir a login would get (XDG base directory spec: 0700, owned).
	install -d -m 0700 -o "$user" -g "$(id -g "$user")" "/run/user/$uid"
}

# ensure_dev PATH MAJOR MINOR: the node exists and is 0666, as Debian's udev rules make it.
ensure_dev() {
	local path=$1
	if [ ! -c "$path" ]; then
		mkdir -p "$(dirname "$path")"
		mknod -m 0666 "$path" c "$2" "$3"
	fi
	[ "$(stat -c %a "$path")" = 666 ] || chmod 0666 "$path"
}

do_users() {
	# useradd allocates subordinate ids only when these files exist.
	local f
	for f in /etc/subuid /etc/subgid; do
		[ -e "$f" ] || install -m 0644 /dev/null "$f"
	done
	ensure_user "$users_full" 65536
	ensure_user "$users_nosub" 0
	ensure_user "$users_small" 1000
	install -d -m 0755 /run/user
	ensure_dev /dev/fuse 10 229
	ensure_dev /dev/net/tun 10 200
	second_user_conditions
	note "$users_full (65536 subids), $users_nosub (none), $users_small (1000)"
}

# What `rcr system check` is tested against, for the second users only: $users_small is denied
# /dev/fuse and /dev/net/tun by an ACL entry (everyone else keeps Debian's 0666), and the test
# user may act as the two second users (and nobody else) without a password, so the suite can
# run rcr as them while itself staying unprivileged.
second_user_conditions() {
	local d rule
	for d in /dev/fuse /dev/net/tun; do
		getfacl -p "$d" 2>/dev/null | grep -q "^user:$users_small:---" ||
			setfacl -m "u:$users_small:---" "$d"
	done
	rule="$users_full ALL=($users_nosub,$users_small) NOPASSWD: ALL"
	if [ "$(cat /etc/sudoers.d/rcr-test 2>/dev/null)" != "$rule" ]; then
		printf '%s\n' "$rule" >/etc/sudoers.d/rcr-test.tmp
		chmod 0440 /etc/sudoers.d/rcr-test.tmp
		visudo -cf /etc/sudoers.d/rcr-test.tmp >/dev/null
		mv /etc/sudoers.d/rcr-test.tmp /etc/sudoers.d/rcr-test
	fi
}

# skopeo's signature policy: ours, so nothing depends on /etc/containers/policy.json.
write_policy() {
	printf '{"default": [{"type": "insecureAcceptAnything"}]}\n' |
		write_if_changed "$state/policy.json" 0644 || true
}

# ---- images -----------------------------------------------------------------------------------

readonly rootfs_tar=$cache/src/bookworm-minbase.tar

# The mirror apt uses for bookworm (deb822 .sources or one-line .list), so debootstrap goes the
# same way apt does.
apt_mirror() {
	local f uri=
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		uri=$(awk '
			function flush() {
				if (types ~ /(^| )deb( |$)/ && suites ~ /(^| )bookworm( |$)/ && uris != "" && !found) {
					split(uris, u, " "); print u[1]; found = 1
				}
				types = suites = uris = ""
			}
			/^[ \t]*$/ { flush(); next }
			/^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
			/^Suites:/ { sub(/^Suites:[ \t]*/, ""); suites = $0 }
			/^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0 }
			END { flush() }' "$f")
		[ -z "$uri" ] || break
	done
	if [ -z "$uri" ]; then
		uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
			sed -n 's/^deb[ \t]\+\(\[[^]]*\][ \t]\+\)\?\([^ \t]\+\)[ \t]\+bookworm[ \t].*/\2/p' |
			head -n 1)
	fi
	printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}

# Proxy settings apt would use for the mirror, exported for debootstrap's wget.
export_apt_proxy() {
	local mirror=$1 host scheme http_proxy='' https_proxy=''
	scheme=${mirror%%://*}
	host=${mirror#*://}
	host=${host%%/*}
	eval "$(apt-config shell http_proxy "Acquire::$scheme::Proxy" \
		http_proxy "Acquire::$scheme::Proxy::$host")"
	if [ -n "$http_proxy" ] && [ "$http_proxy" != DIRECT ]; then
		echo "using apt's proxy $http_proxy"
		export http_proxy https_proxy="$http_proxy"
	fi
}

build_rootfs_tar() {
	local mirror tmp
	mirror=$(apt_mirror)
	export_apt_proxy "$mirror"
	tmp=$(mktemp -d "$cache/.tmp-debootstrap.XXXXXX")
	echo "debootstrap --variant=minbase bookworm from $mirror"
	if ! debootstrap --variant=minbase bookworm "$tmp/rootfs" "$mirror"; then
		echo "debootstrap failed; its own log: $tmp/rootfs/debootstrap/debootstrap.log" >&2
		tail -n 20 "$tmp/rootfs/debootstrap/debootstrap.log" >&2 || true
		return 1
	fi
	"$py" "$here/mkimage.py" rootfs-tar "$tmp/rootfs" "$tmp/rootfs.tar"
	chmod 0644 "$tmp/rootfs.tar"
	mkdir -p "$cache/src"
	mv "$tmp/rootfs.tar" "$rootfs_tar"
	remove_tree "$tmp"
	note "debootstrap rootfs cached"
}

image_is_current() {
	local stamp=$cache/$1/rcr-image.json
	[ -f "$stamp" ] && grep -qF "\"builder\":\"$builder\"" "$stamp"
}

# place_layout NAME TMP: check the layout built in TMP/layout and rename it to $cache/NAME.
place_layout() {
	local name=$1 tmp=$2 old=
	chmod -R u=rwX,go=rX "$tmp/layout"
	skopeo inspect "oci:$tmp/layout" >/dev/null || {
		echo "skopeo cannot read the $name image just built" >&2
		return 1
	}
	if [ -e "$cache/$name" ]; then
		old=$(mktemp -d "$cache/.old-$name.XXXXXX")
		mv "$cache/$name" "$old/"
	fi
	mv "$tmp/layout" "$cache/$name"
	remove_tree "$tmp"
	[ -z "$old" ] || remove_tree "$old"
	note "built $name"
}

# build_image NAME ARGS...: mkimage.py NAME ARGS... into a temporary layout, renamed into place.
build_image() {
	local name=$1 tmp
	shift
	tmp=$(mktemp -d "$cache/.tmp-$name.XXXXXX")
	"$py" "$here/mkimage.py" "$name" "$@" "$tmp/layout"
	place_layout "$name" "$tmp"
}

# debian-zstd: the debian image with its layers recompressed to zstd by skopeo (same config and
# diff_ids). Built here rather than at push time: a push would reuse the gzip blobs already in
# the repository instead of recompressing them.
build_debian_zstd() {
	local tmp from digest
	from=$(image_digest debian)
	tmp=$(mktemp -d "$cache/.tmp-debian-zstd.XXXXXX")
	skopeo copy -q --policy "$state/policy.json" --dest-compress-format zstd \
		"oci:$cache/debian:bookworm" "oci:$tmp/layout:zstd"
	digest=$(sed -n 's/.*"digest":"\(sha256:[0-9a-f]*\)".*/\1/p' "$tmp/layout/index.json")
	printf '{"builder":"%s","digest":"%s","from":"%s","layers":3,"mediaType":"%s","name":"debian-zstd","tag":"zstd"}\n' \
		"$builder" "$digest" "$from" "application/vnd.oci.image.manifest.v1+json" \
		>"$tmp/layout/rcr-image.json"
	place_layout debian-zstd "$tmp"
}

do_images() {
	local d built=0
	builder=$("$py" "$here/mkimage.py" version)
	install -d -m 0755 "$cache"
	write_policy
	for d in "$cache"/.tmp-* "$cache"/.old-*; do
		[ ! -e "$d" ] || remove_tree "$d"
	done
	if ! image_is_current busybox; then
		build_image busybox
		built=$((built + 1))
	fi
	if ! image_is_current multi; then
		build_image multi
		built=$((built + 1))
	fi
	if ! image_is_current debian; then
		[ -f "$rootfs_tar" ] || build_rootfs_tar
		build_image debian "$rootfs_tar"
		built=$((built + 1))
	fi
	if ! image_is_current debian-zstd ||
		! grep -qF "\"from\":\"$(image_digest debian)\"" "$cache/debian-zstd/rcr-image.json"; then
		build_debian_zstd
		built=$((built + 1))
	fi
	"$py" "$here/mkimage.py" summary "${images[@]/#/$cache/}" |
		write_if_changed "$cache/images.json" 0644 || true
	[ "$built" -ne 0 ] || note "${images[*]} cached"
}

# ---- registries -------------------------------------------------------------------------------

reg_port() {
	case $1 in
	plain) echo 5000 ;;
	basic) echo 5001 ;;
	tls) echo 5002 ;;
	token) echo 5003 ;;
	esac
}

reg_url() {
	if [ "$1" = tls ]; then
		echo "https://127.0.0.1:$(reg_port "$1")"
	else
		echo "http://127.0.0.1:$(reg_port "$1")"
	fi
}

certs_ok() {
	local f
	for f in ca.crt server.crt server.key token.crt token.key client/ca.crt; do
		[ -s "$certs/$f" ] || return 1
	done
	openssl x509 -checkend 86400 -noout -in "$certs/server.crt" >/dev/null &&
		openssl x509 -checkend 86400 -noout -in "$certs/token.crt" >/dev/null
}

make_certs() {
	! certs_ok || return 0
	local tmp
	tmp=$(mktemp -d "$state/.tmp-certs.XXXXXX")
	cat >"$tmp/req.cnf" <<-'EOF'
		[req]
		distinguished_name = dn
		prompt = no
		[dn]
		CN = rcr test
		[ca]
		basicConstraints = critical,CA:TRUE
		keyUsage = critical,keyCertSign,cRLSign
		subjectKeyIdentifier = hash
		[server]
		basicConstraints = critical,CA:FALSE
		keyUsage = critical,digitalSignature,keyEncipherment
		extendedKeyUsage = serverAuth
		subjectAltName = IP:127.0.0.1,DNS:localhost
		subjectKeyIdentifier = hash
		authorityKeyIdentifier = keyid
		[signer]
		basicConstraints = critical,CA:FALSE
		keyUsage = critical,digitalSignature
		subjectKeyIdentifier = hash
	EOF
	(
		cd "$tmp"
		umask 077
		for k in ca server token; do
			openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$k.key"
		done
		umask 022
		openssl req -x509 -config req.cnf -extensions ca -key ca.key -days 3650 \
			-subj "/CN=rcr test CA" -out ca.crt
		openssl req -new -config req.cnf -key server.key -subj "/CN=localhost" -out server.csr
		openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -days 3650 \
			-set_serial "0x$(openssl rand -hex 16)" -extfile req.cnf -extensions server \
			-out server.crt 2>&1
		# The token signer is its own root: the registry's rootcertbundle holds this cert, and
		# each token's x5c header carries it.
		openssl req -x509 -config req.cnf -extensions signer -key token.key -days 3650 \
			-subj "/CN=rcr test token signer" -out token.crt
		openssl verify -CAfile ca.crt server.crt
		rm -f server.csr req.cnf
		chmod 0600 ./*.key
		chmod 0644 ./*.crt
		mkdir client
		cp ca.crt client/ca.crt
		chmod 0755 . client
	)
	# Processes started with the old certificates must not keep serving them.
	stop_all
	rm -rf "$certs"
	mv "$tmp" "$certs"
	echo "made CA, server and token-signer certificates in $certs"
}

make_htpasswd() {
	local f=$regdir/htpasswd
	if [ -f "$f" ] && htpasswd -vb "$f" "$reg_user" "$reg_pass" >/dev/null 2>&1 &&
		grep -q "^$reg_user:\$2y\\$" "$f"; then
		return 0
	fi
	# bcrypt (-B): distribution refuses htpasswd's default MD5 entries.
	htpasswd -Bbn "$reg_user" "$reg_pass" | sed '/^$/d' | write_if_changed "$f" 0644 || true
}

# reg_config NAME: distribution's YAML for one registry.
reg_config() {
	local name=$1
	cat <<-EOF
		# written by tests/setup/setup.sh
		version: 0.1
		log:
		  level: info
		  formatter: text
		storage:
		  filesystem:
		    rootdirectory: $regdir/$name/data
		  delete:
		    enabled: true
		  maintenance:
		    uploadpurging:
		      enabled: false
		http:
		  addr: 127.0.0.1:$(reg_port "$name")
		  secret: rcr-test-$name-secret
		  headers:
		    X-Content-Type-Options: [nosniff]
	EOF
	if [ "$name" = tls ]; then
		cat <<-EOF
			  tls:
			    certificate: $certs/server.crt
			    key: $certs/server.key
		EOF
	fi
	case $name in
	basic | tls)
		cat <<-EOF
			auth:
			  htpasswd:
			    realm: rcr-test-$name
			    path: $regdir/htpasswd
		EOF
		;;
	token)
		cat <<-EOF
			auth:
			  token:
			    realm: http://$token_addr/token
			    service: $token_service
			    issuer: $token_issuer
			    rootcertbundle: $certs/token.crt
		EOF
		;;
	esac
}

# is_running PIDFILE MARK: the pid file names a live process whose command line has MARK (a pid
# file can outlive a reboot here: /var/tmp and /run are not tmpfs).
is_running() {
	local pid
	[ -f "$1" ] || return 1
	pid=$(cat "$1")
	[ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] &&
		tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$2"
}

# is_alive PID: the process exists and is not a zombie waiting for init to reap it.
is_alive() {
	local st
	st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "${st%% *}" != Z ]
}

port_in_use() {
	(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# launch PIDFILE LOG CMD...: start CMD in its own session with only stdin (/dev/null), stdout
# and stderr (LOG) open, recording its pid. Any other inherited fd (our lock, a CI runner's pipe)
# would be held open for the daemon's whole life.
launch() {
	local pidfile=$1 log=$2
	shift 2
	rm -f "$pidfile"
	# shellcheck disable=SC2016 # $$, $fd and $@ belong to the inner shell
	setsid -f bash -c '
		for fd in /proc/self/fd/*; do
			fd=${fd##*/}
			[ "$fd" -le 2 ] || eval "exec $fd>&-"
		done
		echo $$ >"$0.tmp" && mv "$0.tmp" "$0" && exec "$@"' "$pidfile" "$@" \
		</dev/null >"$log" 2>&1
	for _ in $(seq 50); do
		[ ! -s "$pidfile" ] || return 0
		sleep 0.1
	done
	echo "no pid file $pidfile after 5 s" >&2
	return 1
}

# wait_ready NAME PIDFILE LOG CHECK...: wait (bounded) until CHECK succeeds.
wait_ready() {
	local name=$1 pidfile=$2 log=$3
	shift 3
	for _ in $(seq 150); do
		if "$@"; then
			return 0
		fi
		if ! is_alive "$(cat "$pidfile")"; then
			echo "$name exited at start; its log: $log" >&2
			tail -n 20 "$log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "$name did not answer within 15 s; its log: $log" >&2
	tail -n 20 "$log" >&2
	return 1
}

http_code() {
	curl -s -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$certs/ca.crt" "$@" || true
}

registry_answers() {
	case $(http_code "$(reg_url "$1")/v2/") in
	200 | 401) return 0 ;;
	*) return 1 ;;
	esac
}

token_server_answers() {
	[ "$(http_code "http://$token_addr/healthz")" = 200 ]
}

stop_pidfile() {
	local pidfile=$1 mark=$2 pid
	if is_running "$pidfile" "$mark"; then
		pid=$(cat "$pidfile")
		kill -TERM "$pid" 2>/dev/null || true
		for _ in $(seq 100); do
			is_alive "$pid" || break
			sleep 0.1
		done
		if is_alive "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.2
		fi
		echo "stopped $pidfile (pid $pid)"
	fi
	rm -f "$pidfile"
}

start_token_server() {
	local dir=$regdir/tokensrv changed=
	mkdir -p "$dir"
	# Run a copy, so the running server is the code it was started from, and a changed
	# token_server.py restarts it.
	write_if_changed "$dir/token_server.py" 0755 <"$here/token_server.py" && changed=1
	if [ -n "$changed" ]; then
		stop_pidfile "$dir/pid" "$dir/token_server.py"
	fi
	if is_running "$dir/pid" "$dir/token_server.py"; then
		return 0
	fi
	if port_in_use "${token_addr##*:}"; then
		echo "port ${token_addr##*:} is taken by a process that is not ours: see ss -ltnp" >&2
		return 1
	fi
	launch "$dir/pid" "$dir/log" "$py" "$dir/token_server.py" --listen "$token_addr" \
		--key "$certs/token.key" --cert "$certs/token.crt" --issuer "$token_issuer" \
		--service "$token_service" --user "$reg_user:$reg_pass"
	wait_ready "token server" "$dir/pid" "$dir/log" token_server_answers
	echo "started token server on $token_addr"
	started=$((started + 1))
}

start_registry() {
	local name=$1 dir=$regdir/$1 port
	port=$(reg_port "$name")
	mkdir -p "$dir/data" "$dir/pushed"
	if reg_config "$name" | write_if_changed "$dir/config.yml" 0644; then
		stop_pidfile "$dir/pid" "$dir/config.yml"
	fi
	if is_running "$dir/pid" "$dir/config.yml"; then
		return 0
	fi
	if port_in_use "$port"; then
		echo "port $port is taken by a process that is not ours: see ss -ltnp" >&2
		return 1
	fi
	launch "$dir/pid" "$dir/log" docker-registry serve "$dir/config.yml"
	wait_ready "registry $name" "$dir/pid" "$dir/log" registry_answers "$name"
	echo "started registry $name on 127.0.0.1:$port"
	started=$((started + 1))
}

# reg_auth NAME REPO: curl arguments that authenticate to registry NAME for pulls from REPO.
reg_auth() {
	local token
	case $1 in
	plain) ;;
	basic | tls) printf '%s\n' -u "$reg_user:$reg_pass" ;;
	token)
		token=$(curl -sf --max-time 5 -u "$reg_user:$reg_pass" \
			"http://$token_addr/token?service=$token_service&scope=repository:$2:pull" |
			sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')
		printf '%s\n' -H "Authorization: Bearer $token"
		;;
	esac
}

readonly accept_manifests="application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.v2+json,application/vnd.docker.distribution.manifest.list.v2+json"

# manifest_digest NAME REPO TAG: the registry's Docker-Content-Digest for REPO:TAG, or nothing.
manifest_digest() {
	local -a auth
	mapfile -t auth < <(reg_auth "$1" "$2")
	curl -sf --max-time 5 -I --cacert "$certs/ca.crt" "${auth[@]}" -H "Accept: $accept_manifests" \
		"$(reg_url "$1")/v2/$2/manifests/$3" |
		tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: *//p'
}

# push NAME IMAGE DEST-REF SKOPEO-ARGS...: copy the cached IMAGE to registry NAME as DEST-REF,
# unless a stamp says this very image is there and the registry still has the tag.
push() {
	local name=$1 image=$2 ref=$3 src tag stamp digest
	shift 3
	src=$(image_digest "$image")
	tag=$(sed -n 's/.*"tag":"\([^"]*\)".*/\1/p' "$cache/$image/rcr-image.json")
	stamp=$regdir/$name/pushed/$(tr '/:' '__' <<<"$ref")
	if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$src" ] &&
		[ -n "$(manifest_digest "$name" "${ref%:*}" "${ref##*:}")" ]; then
		return 0
	fi
	local -a args=(--policy "$state/policy.json" --dest-tls-verify=false)
	case $name in
	basic | token) args+=(--dest-creds "$reg_user:$reg_pass") ;;
	tls) args+=(--dest-creds "$reg_user:$reg_pass" --dest-cert-dir "$certs/client") ;;
	esac
	echo "pushing $image to $name as $ref"
	skopeo copy -q "${args[@]}" "$@" "oci:$cache/$image:$tag" \
		"docker://127.0.0.1:$(reg_port "$name")/$ref"
	digest=$(manifest_digest "$name" "${ref%:*}" "${ref##*:}")
	if [ -z "$digest" ]; then
		echo "registry $name does not list $ref after the push" >&2
		return 1
	fi
	echo "$src" >"$stamp"
	pushed=$((pushed + 1))
}

# --preserve-digests wherever the manifest is to stay as built: without it skopeo may swap in a
# differently compressed blob of the same layer that the registry already has.
push_images() {
	local name
	for name in "${registries[@]}"; do
		push "$name" busybox busybox:latest --preserve-digests
		push "$name" debian debian:bookworm --preserve-digests
		push "$name" multi multi:latest --all --preserve-digests
	done
	push plain busybox busybox:v2s2 --format v2s2
	push plain debian-zstd debian:zstd --preserve-digests
	push plain debian debian:gzip --preserve-digests
	push token busybox public/busybox:latest --preserve-digests
}

do_registries_start() {
	local name
	started=0 pushed=0
	write_policy
	for name in "${images[@]}"; do
		[ -f "$cache/$name/rcr-image.json" ] || {
			echo "no cached $name image: run 'setup.sh images' first" >&2
			return 1
		}
	done
	install -d -m 0755 "$state" "$regdir"
	for name in "$state"/.tmp-certs.*; do
		[ ! -e "$name" ] || rm -rf "$name"
	done
	make_certs
	make_htpasswd
	start_token_server
	for name in "${registries[@]}"; do
		start_registry "$name"
	done
	push_images
	note "$started started, $pushed images pushed"
}

stop_all() {
	local name
	for name in "${registries[@]}"; do
		stop_pidfile "$regdir/$name/pid" "$regdir/$name/config.yml"
	done
	stop_pidfile "$regdir/tokensrv/pid" "$regdir/tokensrv/token_server.py"
}

do_registries_stop() {
	stop_all
	note "stopped"
}

registries_status() {
	local name all=0 port
	for name in "${registries[@]}" tokensrv; do
		if [ "$name" = tokensrv ]; then
			port=${token_addr##*:}
			is_running "$regdir/$name/pid" "$regdir/$name/token_server.py" || all=3
		else
			port=$(reg_port "$name")
			is_running "$regdir/$name/pid" "$regdir/$name/config.yml" || all=3
		fi
		if [ -f "$regdir/$name/pid" ] && is_alive "$(cat "$regdir/$name/pid")"; then
			printf '%-8s 127.0.0.1:%s running (pid %s) log %s\n' "$name" "$port" \
				"$(cat "$regdir/$name/pid")" "$regdir/$name/log"
		else
			printf '%-8s 127.0.0.1:%s stopped\n' "$name" "$port"
		fi
	done
	return "$all"
}

# ---- env --------------------------------------------------------------------------------------

do_env() {
	install -d -m 0755 "$state"
	local bb deb multi zstd
	bb=$(image_digest busybox)
	zstd=$(image_digest debian-zstd)
	deb=$(image_digest debian)
	multi=$(image_digest multi)
	write_if_changed "$state/env.sh" 0644 <<-EOF || true
		# written by tests/setup/setup.sh env: the test environment, for tests to source
		export RCR_TEST_USER=$users_full
		export RCR_TEST_USER_NOSUB=$users_nosub
		export RCR_TEST_USER_SMALL=$users_small
		export RCR_TEST_REG_PLAIN=127.0.0.1:5000
		export RCR_TEST_REG_BASIC=127.0.0.1:5001
		export RCR_TEST_REG_TLS=127.0.0.1:5002
		export RCR_TEST_REG_TOKEN=127.0.0.1:5003
		export RCR_TEST_REG_USER=$reg_user
		export RCR_TEST_REG_PASS=$reg_pass
		export RCR_TEST_TOKEN_SERVER=$token_addr
		export RCR_TEST_TOKEN_REALM=http://$token_addr/token
		export RCR_TEST_TOKEN_SERVICE=$token_service
		export RCR_TEST_CA=$certs/ca.crt
		export RCR_TEST_CERT_DIR=$certs/client
		export RCR_TEST_IMAGES=$cache
		export RCR_TEST_IMAGE_BUSYBOX=busybox:latest
		export RCR_TEST_IMAGE_DEBIAN=debian:bookworm
		export RCR_TEST_IMAGE_MULTI=multi:latest
		export RCR_TEST_IMAGE_BUSYBOX_V2S2=busybox:v2s2
		export RCR_TEST_IMAGE_DEBIAN_ZSTD=debian:zstd
		export RCR_TEST_IMAGE_DEBIAN_GZIP=debian:gzip
		export RCR_TEST_IMAGE_PUBLIC=public/busybox:latest
		export RCR_TEST_OCI_BUSYBOX=$cache/busybox:latest
		export RCR_TEST_OCI_DEBIAN=$cache/debian:bookworm
		export RCR_TEST_OCI_MULTI=$cache/multi:latest
		export RCR_TEST_OCI_DEBIAN_ZSTD=$cache/debian-zstd:zstd
		export RCR_TEST_DIGEST_BUSYBOX=$bb
		export RCR_TEST_DIGEST_DEBIAN=$deb
		export RCR_TEST_DIGEST_DEBIAN_ZSTD=$zstd
		export RCR_TEST_DIGEST_MULTI=$multi
	EOF
	note "$state/env.sh"
}

# ---- main -------------------------------------------------------------------------------------

usage() {
	sed -n '4,/^#$/p' "$0" | sed '$d; s/^# \?//' >&2
	exit 2
}

main() {
	[ $# -ge 1 ] || usage
	# Reading the pid files needs neither root nor the lock.
	if [ "$1" = registries ] && [ "${2:-}" = status ]; then
		registries_status
		return
	fi
	[ "$(id -u)" -eq 0 ] || die "must run as root (it installs packages and creates users)"
	install -d -m 0755 "$state" "$logs"
	# One setup at a time: two test runs starting together would race on the same caches.
	exec 9>"$state/setup.lock"
	if ! flock -n 9; then
		say "waiting for another setup.sh to finish"
		flock -w 1800 9 || die "gave up waiting for $state/setup.lock"
	fi
	case $1 in
	install) run_step install do_install ;;
	users) run_step users do_users ;;
	images) run_step images do_images ;;
	registries)
		case ${2:-} in
		start) run_step registries do_registries_start ;;
		stop) run_step registries-stop do_registries_stop ;;
		*) usage ;;
		esac
		;;
	env) run_step env do_env ;;
	all)
		run_step install do_install
		run_step users do_users
		run_step images do_images
		run_step registries do_registries_start
		run_step env do_env
		;;
	*) usage ;;
	esac
}

main "$@"
