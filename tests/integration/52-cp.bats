#!/usr/bin/env bats
# rcr cp as the unprivileged test user: files and directories in and out of created, running and
# exited containers, docker cp's placement rules ("/.", existing directories, missing parents),
# ownership (the container's user by default, the archive's with --archive=false, the user's on
# the host), `-` tar streams both ways, errors, and the security boundary: no symlink in the
# container and no archive entry leads a copy out of the container's root or the destination.

load helpers
bats_require_minimum_version 1.5.0

setup_file() {
	ctr_setup_file
}

setup() {
	export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
	cd "$BATS_TEST_TMPDIR" || return 1
	echo "hello from the host" >hello.txt
	mkdir -p tree/sub
	echo one >tree/one
	echo two >tree/sub/two
	chmod 0750 tree/sub
}

teardown() {
	ctr_teardown
}

teardown_file() {
	ctr_teardown_file
}

@test "a file and a directory go into a created container, and its command sees them" {
	"$RCR" create --name cr bb sh -c 'cat /hello.txt /tmp/tree/one /tmp/tree/sub/two; ls -ln /hello.txt' >/dev/null
	run "$RCR" cp hello.txt cr:/
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	"$RCR" cp tree cr:/tmp
	run "$RCR" start -a cr
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "hello from the host" ]
	[ "${lines[1]}" = one ]
	[ "${lines[2]}" = two ]
	# owned by the container's user (root), as podman cp --archive (its default)
	[[ "${lines[3]}" =~ ^-rw-r--r--\ +1\ 0\ +0\  ]]
}

@test "a file and a directory come out of a created container, owned by the user" {
	"$RCR" create --name cr bb true >/dev/null
	"$RCR" cp cr:/etc/passwd passwd
	grep -q '^root:x:0:0:' passwd
	run -1 grep -q "^$(id -un):" passwd
	[ "$(stat -c %u passwd)" = "$(id -u)" ]
	"$RCR" cp cr:/etc out-etc
	[ -f out-etc/passwd ] && [ -f out-etc/group ]
	[ "$(stat -c %u out-etc/group)" = "$(id -u)" ]
}

@test "running container: copy in and out, visible to exec" {
	"$RCR" run -d --name rn bb sleep 100 >/dev/null
	"$RCR" cp hello.txt rn:/tmp/greeting
	run "$RCR" exec rn cat /tmp/greeting
	[ "$output" = "hello from the host" ]
	"$RCR" cp tree rn:/tmp
	run "$RCR" exec rn sh -c 'cat /tmp/tree/sub/two; stat -c "%a %u:%g" /tmp/tree/sub'
	[ "${lines[0]}" = two ]
	[ "${lines[1]}" = "750 0:0" ]
	"$RCR" exec rn sh -c 'mkdir -p /made/inside; echo made > /made/inside/f'
	"$RCR" cp rn:/made back
	[ "$(cat back/inside/f)" = made ]
	"$RCR" cp rn:/tmp/greeting greeting
	[ "$(cat greeting)" = "hello from the host" ]
}

@test "exited container: copy out what it wrote, copy in what it reads on restart" {
	"$RCR" run --name ex bb sh -c 'echo written > /result; cat /input 2>/dev/null || true' >/dev/null
	"$RCR" cp ex:/result result
	[ "$(cat result)" = written ]
	echo "second run" >input
	"$RCR" cp input ex:/input
	run "$RCR" start -a ex
	[ "$output" = "second run" ]
}

@test "docker cp placement: into an existing directory, onto a new name, contents with /." {
	"$RCR" run -d --name pl bb sleep 100 >/dev/null
	"$RCR" exec pl mkdir -p /dst/existing
	"$RCR" cp hello.txt pl:/dst/existing
	"$RCR" cp hello.txt pl:/dst/renamed.txt
	"$RCR" cp tree pl:/dst/existing
	"$RCR" cp tree pl:/dst/newtree
	"$RCR" cp tree/. pl:/dst/existing
	run "$RCR" exec pl sh -c 'cd /dst && find . | sort | tr "\n" " "'
	expected=". ./existing ./existing/hello.txt ./existing/one ./existing/sub ./existing/sub/two"
	expected+=" ./existing/tree ./existing/tree/one ./existing/tree/sub ./existing/tree/sub/two"
	expected+=" ./newtree ./newtree/one ./newtree/sub ./newtree/sub/two ./renamed.txt "
	[ "$output" = "$expected" ]
	# and out again, the same rules on the host
	mkdir out
	"$RCR" cp pl:/dst/newtree out
	"$RCR" cp pl:/dst/newtree/. out
	"$RCR" cp pl:/dst/renamed.txt out/r.txt
	[ -f out/newtree/sub/two ] && [ -f out/one ] && [ -f out/sub/two ] && [ -f out/r.txt ]
}

@test "a missing destination parent, a missing source and a file onto a directory are errors" {
	"$RCR" create --name er bb true >/dev/null
	run "$RCR" cp hello.txt er:/no/such/dir
	[ "$status" -eq 125 ]
	[[ "$output" == *'"/no/such" could not be found on container er: no such file or directory'* ]]
	run "$RCR" cp er:/etc/passwd nowhere/passwd
	[ "$status" -eq 125 ]
	[[ "$output" == *'"nowhere" could not be found on the host'* ]]
	run "$RCR" cp er:/no-such-file out
	[ "$status" -eq 125 ]
	[[ "$output" == *'"/no-such-file" could not be found on container er: no such file or directory'* ]]
	run "$RCR" cp no-such-host-file er:/
	[ "$status" -eq 125 ]
	[[ "$output" == *'"no-such-host-file" could not be found on the host: no such file or directory'* ]]
	run "$RCR" cp hello.txt er:/etc/passwd/
	[ "$status" -eq 125 ]
	run "$RCR" cp tree er:/etc/passwd
	[ "$status" -eq 125 ]
	[[ "$output" == *"cannot overwrite non-directory"* ]]
	"$RCR" cp --overwrite tree er:/etc/passwd
	"$RCR" cp er:/etc/passwd/sub/two two
	[ "$(cat two)" = two ]
}

@test "unknown containers, two containers or none, and bad flags are usage errors" {
	run "$RCR" cp hello.txt no-such-ctr:/tmp
	[ "$status" -eq 125 ]
	[[ "$output" == *"no such container"* ]]
	"$RCR" create --name a1 bb true >/dev/null
	run "$RCR" cp a1:/etc/passwd a1:/tmp
	[ "$status" -eq 125 ]
	run "$RCR" cp hello.txt other.txt
	[ "$status" -eq 125 ]
	[[ "$output" == *"CONTAINER:PATH"* ]]
	[ ! -e other.txt ]
	run "$RCR" cp hello.txt
	[ "$status" -eq 125 ]
	[[ "$output" == *"accepts 2 arg(s), received 1"* ]]
	run "$RCR" cp --frobnicate hello.txt a1:/
	[ "$status" -eq 125 ]
	[[ "$output" == *"unknown flag: --frobnicate"* ]]
	# a host path starting with . or / is the host's even with a colon in it
	echo colon >./a1:x
	"$RCR" cp ./a1:x a1:/tmp/colon
	"$RCR" cp a1:/tmp/colon back
	[ "$(cat back)" = colon ]
}

@test "symlinks in the container never lead out of its root (stopped and running)" {
	"$RCR" run --name sy bb sh -c 'ln -s /../../../../etc /x; ln -s ../../../../../../etc/passwd /rel
		echo in-container > /etc/secret-ish' >/dev/null
	# an intermediate symlink resolves inside the container
	"$RCR" cp sy:/x/passwd p
	run -1 grep -q "^$(id -un):" p
	"$RCR" cp sy:/x/secret-ish s
	[ "$(cat s)" = in-container ]
	# a symlink as the source is copied as a symlink, not followed
	"$RCR" cp sy:/rel rel
	[ -L rel ]
	# copying in through the symlink writes the container's /etc, never the host's
	"$RCR" cp hello.txt sy:/x/planted
	[ ! -e /etc/planted ]
	"$RCR" cp sy:/etc/planted planted
	[ "$(cat planted)" = "hello from the host" ]
	# the same path exists inside the container: that one is written
	"$RCR" run -d --name sr bb sh -c \
		"mkdir -p $BATS_TEST_TMPDIR; ln -s /../../../..$BATS_TEST_TMPDIR /esc; sleep 100" >/dev/null
	for _ in $(seq 50); do "$RCR" exec sr test -L /esc && break; sleep 0.1; done
	"$RCR" cp hello.txt sr:/esc/planted-running
	[ ! -e "$BATS_TEST_TMPDIR/planted-running" ]
	run "$RCR" exec sr cat "$BATS_TEST_TMPDIR/planted-running"
	[ "$output" = "hello from the host" ]
	"$RCR" cp sr:/esc/../../../../etc/hostname hn
	[ "$(cat hn)" = "$("$RCR" exec sr cat /etc/hostname)" ]
}

@test "archive entries cannot climb out of the destination" {
	"$RCR" run -d --name ev bb sleep 100 >/dev/null
	python3 - "$BATS_TEST_TMPDIR" <<-'PY'
		import io, sys, tarfile
		d = sys.argv[1]
		with tarfile.open(d + "/climb.tar", "w") as t:
		    i = tarfile.TarInfo("../../../../../" + d + "/climbed")
		    i.size = 1
		    t.addfile(i, io.BytesIO(b"x"))
		with tarfile.open(d + "/via-link.tar", "w") as t:
		    i = tarfile.TarInfo("lnk")
		    i.type = tarfile.SYMTYPE
		    i.linkname = "/../../../../" + d
		    t.addfile(i)
		    i = tarfile.TarInfo("lnk/through-link")
		    i.size = 1
		    t.addfile(i, io.BytesIO(b"x"))
	PY
	"$RCR" exec ev mkdir -p "$BATS_TEST_TMPDIR"
	run "$RCR" cp - ev:/tmp <climb.tar
	[ "$status" -eq 125 ]
	[[ "$output" == *'climbs out with ".."'* ]]
	[ ! -e climbed ]
	"$RCR" cp - ev:/tmp <via-link.tar
	[ ! -e through-link ]
	run "$RCR" exec ev cat "$BATS_TEST_TMPDIR/through-link"
	[ "$output" = x ]
}

@test "tar streams: - as the destination writes a tar, - as the source extracts one" {
	"$RCR" run -d --name st bb sleep 100 >/dev/null
	"$RCR" cp st:/etc/hostname - >host.tar
	[ "$(tar tf host.tar)" = hostname ]
	"$RCR" exec st sh -c 'mkdir -p /d/e; echo f > /d/e/f'
	run bash -c "'$RCR' cp st:/d - | tar tf - | sort"
	[ "$output" = "$(printf 'd/\nd/e/\nd/e/f')" ]
	tar cf - -C tree . | "$RCR" cp - st:/d
	run "$RCR" exec st sh -c 'cat /d/one /d/sub/two'
	[ "$output" = "$(printf 'one\ntwo')" ]
	tar czf tree.tgz -C tree .
	"$RCR" cp - st:/tmp <tree.tgz
	run "$RCR" exec st cat /tmp/sub/two
	[ "$output" = two ]
	run "$RCR" cp - st:/no-such-dir <tree.tgz
	[ "$status" -eq 125 ]
	# the same into a stopped container
	"$RCR" create --name st2 bb cat /one >/dev/null
	tar cf - -C tree one | "$RCR" cp - st2:/
	run "$RCR" start -a st2
	[ "$output" = one ]
}

@test "--archive=false keeps the archive's owners; copied-out set-id bits are dropped" {
	"$RCR" run -d --name ow bb sleep 100 >/dev/null
	python3 - "$BATS_TEST_TMPDIR" <<-'PY'
		import io, sys, tarfile
		with tarfile.open(sys.argv[1] + "/ids.tar", "w") as t:
		    i = tarfile.TarInfo("owned")
		    i.size, i.uid, i.gid = 1, 1234, 4321
		    t.addfile(i, io.BytesIO(b"x"))
	PY
	"$RCR" cp --archive=false - ow:/tmp <ids.tar
	"$RCR" cp - ow:/root <ids.tar
	run "$RCR" exec ow stat -c '%u:%g' /tmp/owned /root/owned
	[ "${lines[0]}" = "1234:4321" ]
	[ "${lines[1]}" = "0:0" ]
	"$RCR" exec ow sh -c 'cp /bin/busybox /suid; chmod 4755 /suid'
	"$RCR" cp ow:/suid suid
	[ "$(stat -c %a suid)" = 755 ]
}
