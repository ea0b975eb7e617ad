/* Unit tests of container/mounts.c, the pure parser of -v/--volume, --mount and --tmpfs (sources
 * and destinations, path cleaning, every option and what is refused, tmpfs flags and data, the
 * depth used for ordering), and of what the mounts add to the spec: bind options and tmpfs
 * mounts through spec.json and back, and their place in the mount plan.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "container/mounts.h"
#include "pkg/cleanup.h"
#include "runtime/rootfs.h"
#include "tests/unit/tap.h"

#define TMPFS_DEFAULT (MS_NOEXEC | MS_NOSUID | MS_NODEV)

/* Parse arg with fn, expecting an error containing want; *out is released either way. */
static void refuses(int (*fn)(const char *, struct ctr_mount *, struct rcr_error **),
		    const char *arg, const char *want)
{
	struct ctr_mount m;
	_cleanup_error_ struct rcr_error *err = NULL;
	int rc = fn(arg, &m, &err);

	ok(rc < 0 && m.source == NULL && m.dest == NULL && m.data == NULL,
	   "'%s' is refused, nothing kept", arg);
	has_str(err ? err->msg : NULL, want, "  the error says '%s'", want);
}

static void test_volume(void)
{
	struct ctr_mount m;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(ctr_mount_parse_volume("/srv/data:/data", &m, &err) == 0, "-v /srv/data:/data");
	ok(m.type == CTR_MOUNT_BIND && !m.ro && !m.chown && m.propagation == RT_PROP_DEFAULT,
	   "  a read-write bind, default propagation");
	is_str(m.source, "/srv/data", "  source");
	is_str(m.dest, "/data", "  destination");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_volume("//srv/./a/../data/:/x//y/./:ro,Z,rslave", &m, &err) == 0,
	   "-v with unclean paths and ro,Z,rslave");
	is_str(m.source, "/srv/data", "  the source is cleaned");
	is_str(m.dest, "/x/y", "  the destination is cleaned");
	ok(m.ro && m.propagation == RT_PROP_RSLAVE, "  ro and rslave");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_volume("/a:/b:rw,z,nocopy,U,shared", &m, &err) == 0,
	   "rw, z, nocopy, U and shared are accepted");
	ok(!m.ro && m.chown && m.propagation == RT_PROP_SHARED, "  rw, chown, shared");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_volume("/etc/app.conf:/etc/app.conf:ro", &m, &err) == 0,
	   "a file path is a source like a directory");
	ctr_mount_release(&m);
	is_int(err == NULL, 1, "no error set by the accepted ones");

	refuses(ctr_mount_parse_volume, "./data:/data", "relative path: use an absolute host path");
	refuses(ctr_mount_parse_volume, "../data:/data", "relative path");
	refuses(ctr_mount_parse_volume, "my@vol:/data",
		"neither an absolute host path nor a volume name");
	refuses(ctr_mount_parse_volume, "_vol:/data", "neither an absolute host path");
	refuses(ctr_mount_parse_volume, "data", "use SRC:DST[:OPTIONS], or DST");
	refuses(ctr_mount_parse_volume, ":/data", "no source");
	refuses(ctr_mount_parse_volume, "/a:", "no destination");
	refuses(ctr_mount_parse_volume, "/a:b", "'b' is not an absolute path");
	refuses(ctr_mount_parse_volume, "/a:/", "cannot be '/'");
	refuses(ctr_mount_parse_volume, "/a:/b/..", "cannot be '/'");
	refuses(ctr_mount_parse_volume, "/a:/b:ro:x", "too many ':'");
	refuses(ctr_mount_parse_volume, "/a:/b:", "empty options");
	refuses(ctr_mount_parse_volume, "/a:/b:frob", "unknown option 'frob'");
	refuses(ctr_mount_parse_volume, "/a:/b:ro,", "invalid volume '/a:/b:ro,'");
	refuses(ctr_mount_parse_volume, "/a:/b:O", "option 'O' (overlay volume) is not supported");
	refuses(ctr_mount_parse_volume, "/a:/b:ro,rw", "ro and rw may be given only once");
	refuses(ctr_mount_parse_volume, "/a:/b:shared,slave", "propagation mode may be given only");
	refuses(ctr_mount_parse_volume, "/a:/b:RO", "unknown option 'RO'");
}

static void test_mount(void)
{
	struct ctr_mount m;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(ctr_mount_parse_mount("type=bind,source=/a,target=/b", &m, &err) == 0,
	   "--mount type=bind,source=,target=");
	ok(m.type == CTR_MOUNT_BIND && !m.ro && strcmp(m.source, "/a") == 0 &&
		   strcmp(m.dest, "/b") == 0,
	   "  a read-write bind /a on /b");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_mount("dst=/b,src=/a,readonly,type=bind,bind-propagation=rshared,z", &m,
				 &err) == 0,
	   "keys in any order, src/dst aliases, readonly, bind-propagation, z");
	ok(m.ro && m.propagation == RT_PROP_RSHARED, "  read-only, rshared");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_mount("type=bind,src=/a,destination=/b,ro=true,U", &m, &err) == 0 &&
		   m.ro && m.chown,
	   "ro=true, destination=, U");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_mount("type=bind,src=/a,dst=/b,ro=false", &m, &err) == 0 && !m.ro,
	   "ro=false is read-write");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_mount("type=bind,src=/a,dst=/b,readonly,rw", &m, &err) == 0 && !m.ro,
	   "the last of readonly and rw wins");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_mount("type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777", &m, &err) ==
		   0,
	   "--mount type=tmpfs with size and mode");
	ok(m.type == CTR_MOUNT_TMPFS && m.source == NULL && m.flags == TMPFS_DEFAULT && !m.ro,
	   "  a tmpfs, rw,noexec,nosuid,nodev");
	is_str(m.data, "size=64m,mode=1777", "  data");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_mount("type=tmpfs,dst=/t,readonly", &m, &err) == 0 &&
		   m.flags == (TMPFS_DEFAULT | MS_RDONLY) && m.ro && strcmp(m.data, "") == 0,
	   "a read-only tmpfs without data");
	ctr_mount_release(&m);
	is_int(err == NULL, 1, "no error set by the accepted ones");

	refuses(ctr_mount_parse_mount, "type=volume,source=/abs,target=/d",
		"invalid volume name '/abs'");
	refuses(ctr_mount_parse_mount, "type=volume,source=v,target=/d,volume-opt=o=x",
		"option 'volume-opt' (volume drivers");
	refuses(ctr_mount_parse_mount, "type=volume,source=v,target=/d,tmpfs-size=1m",
		"not for type=volume");
	refuses(ctr_mount_parse_mount, "type=bind,source=/a,target=/d,volume-nocopy",
		"volume-nocopy is only for type=volume");
	refuses(ctr_mount_parse_mount, "type=tmpfs,target=/d,volume-nocopy", "a tmpfs has no");
	refuses(ctr_mount_parse_mount, "type=image,source=x,target=/d",
		"mount type 'image' is not supported");
	refuses(ctr_mount_parse_mount, "source=/a,target=/d", "no type");
	refuses(ctr_mount_parse_mount, "type=bind,target=/d", "no source");
	refuses(ctr_mount_parse_mount, "type=bind,source=/a", "no destination");
	refuses(ctr_mount_parse_mount, "type=bind,source=rel,target=/d",
		"'rel' is a relative path");
	refuses(ctr_mount_parse_mount, "type=bind,source=/a,target=/d,frob=1",
		"unknown option 'frob'");
	refuses(ctr_mount_parse_mount, "type=bind,source=/a,target=/d,readonly=maybe",
		"invalid value 'maybe'");
	refuses(ctr_mount_parse_mount, "type=bind,source=/a,target=/d,bind-propagation=up",
		"invalid bind-propagation 'up'");
	refuses(ctr_mount_parse_mount, "type=bind,source=/a,target=/d,tmpfs-size=1m",
		"only for type=tmpfs");
	refuses(ctr_mount_parse_mount, "type=tmpfs,source=/a,target=/t", "a tmpfs has no source");
	refuses(ctr_mount_parse_mount, "type=tmpfs,target=/t,tmpfs-size=big",
		"invalid tmpfs-size 'big'");
	refuses(ctr_mount_parse_mount, "type=tmpfs,target=/t,tmpfs-mode=999",
		"invalid tmpfs-mode '999'");
	refuses(ctr_mount_parse_mount, "type=,target=/t", "'type' needs a value");
}

static void test_tmpfs(void)
{
	struct ctr_mount m;
	_cleanup_error_ struct rcr_error *err = NULL;

	ok(ctr_mount_parse_tmpfs("/t", &m, &err) == 0, "--tmpfs /t");
	ok(m.type == CTR_MOUNT_TMPFS && m.flags == TMPFS_DEFAULT && strcmp(m.data, "") == 0 &&
		   strcmp(m.dest, "/t") == 0,
	   "  Podman's defaults rw,noexec,nosuid,nodev, no data");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_tmpfs("/t/:size=64m,mode=1777,exec,uid=1000,gid=1000,nr_inodes=1k", &m,
				 &err) == 0,
	   "--tmpfs with size, mode, exec, uid, gid, nr_inodes");
	ok(m.flags == (MS_NOSUID | MS_NODEV), "  exec lifts noexec");
	is_str(m.data, "size=64m,mode=1777,uid=1000,gid=1000,nr_inodes=1k", "  data kept in order");
	is_str(m.dest, "/t", "  destination cleaned");
	ctr_mount_release(&m);

	ok(ctr_mount_parse_tmpfs("/t:ro,suid,dev,noatime,notmpcopyup,size=50%", &m, &err) == 0 &&
		   m.flags == (MS_RDONLY | MS_NOEXEC | MS_NOATIME) && m.ro &&
		   strcmp(m.data, "size=50%") == 0,
	   "ro, suid, dev, noatime, notmpcopyup, a size in percent");
	ctr_mount_release(&m);
	is_int(err == NULL, 1, "no error set by the accepted ones");

	refuses(ctr_mount_parse_tmpfs, "t", "not an absolute path");
	refuses(ctr_mount_parse_tmpfs, "/", "cannot be '/'");
	refuses(ctr_mount_parse_tmpfs, "/t:frob", "unknown tmpfs option 'frob'");
	refuses(ctr_mount_parse_tmpfs, "/t:size=big", "invalid value in 'size=big'");
	refuses(ctr_mount_parse_tmpfs, "/t:size=", "invalid value in 'size='");
	refuses(ctr_mount_parse_tmpfs, "/t:mode=0x1ff", "invalid value in 'mode=0x1ff'");
	refuses(ctr_mount_parse_tmpfs, "/t:uid=-1", "invalid value in 'uid=-1'");
	refuses(ctr_mount_parse_tmpfs, "/t:context=x", "unknown tmpfs option 'context=x'");
	refuses(ctr_mount_parse_tmpfs, "/t:tmpcopyup", "option 'tmpcopyup'");
	{
		char arg[300] = "/t:";
		size_t at = 3;

		for (int i = 0; i < 20; i++)
			at += (size_t)snprintf(arg + at, sizeof(arg) - at, "size=1234567m,");
		refuses(ctr_mount_parse_tmpfs, arg, "longer than 127 characters");
	}
}

static void test_depth(void)
{
	is_int(ctr_mount_depth("/"), 0, "depth of /");
	is_int(ctr_mount_depth("/a"), 1, "depth of /a");
	is_int(ctr_mount_depth("/a/bb/c"), 3, "depth of /a/bb/c");
}

/* The spec keeps what the mounts add through JSON, and the plan mounts them in order. */
static void test_spec(void)
{
	struct rt_spec s = {0}, back = {0};
	_cleanup_error_ struct rcr_error *err = NULL;
	json_t *j, *rest;
	struct rt_mount_plan p;
	size_t base;

	s.binds[0] = (struct rt_bind){strdup("/u/hosts"), strdup("/etc/hosts"), false};
	s.binds[1] = (struct rt_bind){strdup("/srv"), strdup("/data"), true};
	s.bind_opts[1] =
		(struct rt_bind_opts){RT_PROP_RSHARED, true, true, strdup("/st/volumes/v/copy-up")};
	s.n_binds = 2;
	s.tmpfs[0] = (struct rt_tmpfs){strdup("/t"), strdup("size=1m"), MS_NOEXEC | MS_RDONLY, 1};
	s.tmpfs[1] = (struct rt_tmpfs){strdup("/data/x"), strdup(""), MS_NODEV, 2};
	s.n_tmpfs = 2;
	j = rt_spec_to_json(&s);
	/* the rest of a valid spec, as create makes it */
	rest = json_pack("{sssssssssssssssssss[s]s[s]ssssss}", "id", "x", "name", "n", "upper",
			 "/u", "work", "/w", "merged", "/m", "userdata", "/d", "rundir", "/r",
			 "cwd", "/", "seccomp", "default", "lowers", "/l", "args", "sh", "network",
			 "none", "log_driver", "none", "user", "");
	json_object_update(j, rest);
	json_decref(rest);
	ok(rt_spec_from_json(j, &back, &err) == 0, "a spec with bind options and tmpfs reads back");
	ok(back.n_binds == 2 && back.bind_opts[0].propagation == RT_PROP_DEFAULT &&
		   !back.bind_opts[0].volume && !back.bind_opts[0].chown &&
		   back.bind_opts[0].copyup_marker == NULL,
	   "  a generated bind has no options");
	is_str(back.bind_opts[1].copyup_marker, "/st/volumes/v/copy-up",
	       "  a volume's copy-up marker reads back");
	ok(back.bind_opts[1].propagation == RT_PROP_RSHARED && back.bind_opts[1].volume &&
		   back.bind_opts[1].chown && back.binds[1].ro,
	   "  the user's bind keeps rshared, volume, chown, ro");
	ok(back.n_tmpfs == 2 && strcmp(back.tmpfs[0].dest, "/t") == 0 &&
		   strcmp(back.tmpfs[0].data, "size=1m") == 0 &&
		   back.tmpfs[0].flags == (MS_NOEXEC | MS_RDONLY) && back.tmpfs[0].pos == 1 &&
		   back.tmpfs[1].pos == 2,
	   "  the tmpfs mounts keep dest, data, flags and position");

	rt_mount_plan_make(&back, true, &p);
	base = p.n - 4;
	ok(p.ops[base].kind == RT_OP_BIND && strcmp(p.ops[base].target, "/etc/hosts") == 0,
	   "the plan: the first bind");
	ok(p.ops[base + 1].kind == RT_OP_MOUNT && strcmp(p.ops[base + 1].target, "/t") == 0 &&
		   strcmp(p.ops[base + 1].fstype, "tmpfs") == 0 &&
		   p.ops[base + 1].flags == (MS_NOEXEC | MS_RDONLY) &&
		   strcmp(p.ops[base + 1].data, "size=1m") == 0,
	   "  then the tmpfs placed before binds[1], with its flags and data");
	ok(p.ops[base + 2].kind == RT_OP_BIND && p.ops[base + 2].ro &&
		   p.ops[base + 2].propagation == RT_PROP_RSHARED && p.ops[base + 2].chown &&
		   p.ops[base + 2].copyup_marker == back.bind_opts[1].copyup_marker &&
		   p.ops[base].copyup_marker == NULL,
	   "  then binds[1] with ro, propagation, chown and the copy-up marker");
	ok(p.ops[base + 3].kind == RT_OP_MOUNT && strcmp(p.ops[base + 3].target, "/data/x") == 0,
	   "  then the tmpfs placed after all binds");
	json_decref(j);

	j = rt_spec_to_json(&back);
	json_object_set_new(json_array_get(json_object_get(j, "binds"), 1), "propagation",
			    json_string("sideways"));
	rt_spec_release(&back);
	ok(rt_spec_from_json(j, &back, &err) < 0, "an unknown propagation is refused");
	rcr_error_clear(&err);
	json_object_set_new(json_array_get(json_object_get(j, "binds"), 1), "propagation",
			    json_string("rshared"));
	json_object_set_new(json_array_get(json_object_get(j, "tmpfs"), 1), "pos", json_integer(3));
	ok(rt_spec_from_json(j, &back, &err) < 0, "a tmpfs position past the binds is refused");
	rcr_error_clear(&err);
	json_object_set_new(json_array_get(json_object_get(j, "tmpfs"), 1), "pos", json_integer(2));
	json_object_set_new(json_array_get(json_object_get(j, "binds"), 1), "copyup_marker",
			    json_string("relative/copy-up"));
	ok(rt_spec_from_json(j, &back, &err) < 0, "a relative copy-up marker is refused");
	json_decref(j);
	rt_spec_release(&s);
}

/* Named volumes (a word), anonymous ones ("-v /dst", --mount without source), nocopy. */
static void test_volumes(void)
{
	_cleanup_error_ struct rcr_error *err = NULL;
	struct ctr_mount m;

	ok(ctr_mount_parse_volume("myvol:/data", &m, &err) == 0, "-v myvol:/data");
	ok(m.type == CTR_MOUNT_VOLUME && strcmp(m.source, "myvol") == 0 &&
		   strcmp(m.dest, "/data") == 0 && !m.ro && !m.nocopy && m.copyup_marker == NULL,
	   "  a named volume, copied up by default");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_volume("v.1_x-y:/d/../e/:ro,nocopy,U,rshared", &m, &err) == 0 &&
		   m.type == CTR_MOUNT_VOLUME && strcmp(m.source, "v.1_x-y") == 0 &&
		   strcmp(m.dest, "/e") == 0 && m.ro && m.nocopy && m.chown &&
		   m.propagation == RT_PROP_RSHARED,
	   "-v NAME:DST:ro,nocopy,U,rshared");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_volume("/anon//x/", &m, &err) == 0 && m.type == CTR_MOUNT_VOLUME &&
		   m.source == NULL && strcmp(m.dest, "/anon/x") == 0,
	   "-v /dst is an anonymous volume");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_volume("/a:/b:nocopy", &m, &err) == 0 && m.type == CTR_MOUNT_BIND &&
		   !m.nocopy,
	   "nocopy on a bind means nothing");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_mount("type=volume,source=v,target=/d,readonly,volume-nocopy", &m,
				 &err) == 0 &&
		   m.type == CTR_MOUNT_VOLUME && strcmp(m.source, "v") == 0 && m.ro && m.nocopy,
	   "--mount type=volume,source=,target=,readonly,volume-nocopy");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_mount("type=volume,dst=/d", &m, &err) == 0 &&
		   m.type == CTR_MOUNT_VOLUME && m.source == NULL && !m.nocopy,
	   "--mount type=volume without source is anonymous");
	ctr_mount_release(&m);
	ok(ctr_mount_parse_mount("type=volume,src=v,dst=/d,volume-nocopy=false", &m, &err) == 0 &&
		   !m.nocopy,
	   "volume-nocopy=false copies");
	ctr_mount_release(&m);
	is_int(err == NULL, 1, "no error set by the accepted ones");
	refuses(ctr_mount_parse_volume, "myvol:/", "cannot be '/'");
	refuses(ctr_mount_parse_mount, "type=volume,source=v", "no destination");
}

int main(void)
{
	test_volumes();
	test_volume();
	test_mount();
	test_tmpfs();
	test_depth();
	test_spec();
	return tap_done();
}
