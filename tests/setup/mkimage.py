#!/usr/bin/python3
"""Builds rcr's test images as OCI image layouts, offline, with the standard library only.

Called by tests/setup/setup.sh (as root, with Debian's /usr/bin/python3):

  mkimage.py version                     print the builder version (a cache stamp)
  mkimage.py busybox OUTDIR              1-layer image from the host's busybox-static
  mkimage.py multi OUTDIR                OCI index: linux/amd64 + linux/arm64/v8 images
  mkimage.py rootfs-tar ROOTFS OUT.tar   normalise a debootstrap tree into a layer tar
  mkimage.py debian ROOTFS.tar OUTDIR    3-layer image: rootfs, additions, deletions
  mkimage.py summary DIR...              print a JSON summary of built layouts

The layer tars are written here rather than by umoci so that every detail the tests rely on is
exact and written down: numeric owners (no host user names), a hardlink pair, a setuid file,
files owned by 1000:1000, whiteouts and an opaque directory (see DEBIAN_* below and README.md).
Each OUTDIR must not exist; setup.sh builds into a temporary name and renames it into place.
It must never write outside OUTDIR, nor reach the network.
"""

import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile

# Bump when anything below changes what gets built: setup.sh rebuilds caches with another stamp.
BUILDER_VERSION = "3"

# Fixed timestamps keep the busybox and multi images byte-for-byte reproducible.
EPOCH = 1735689600  # 2025-01-01T00:00:00Z
CREATED = "2025-01-01T00:00:00Z"

MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
REF_NAME = "org.opencontainers.image.ref.name"
PATH_ENV = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
STAMP = "rcr-image.json"


class HashWriter:
    """A write-only file object that hashes and counts what passes through it."""

    def __init__(self, out):
        self.out = out
        self.sha = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self.sha.update(data)
        self.size += len(data)
        if self.out is not None:
            self.out.write(data)
        return len(data)

    def flush(self):
        if self.out is not None:
            self.out.flush()


class Layout:
    """An OCI image layout being written (image-layout spec: oci-layout, index.json, blobs)."""

    def __init__(self, root):
        self.root = root
        self.blobdir = os.path.join(root, "blobs", "sha256")
        os.makedirs(self.blobdir)
        self._tmpn = 0

    def _tmp(self):
        self._tmpn += 1
        return os.path.join(self.root, "blobs", ".tmp%d" % self._tmpn)

    def _place(self, tmp, digest):
        dst = os.path.join(self.blobdir, digest)
        if os.path.exists(dst):
            os.unlink(tmp)
        else:
            os.rename(tmp, dst)

    def add_blob(self, data, media_type, **extra):
        digest = hashlib.sha256(data).hexdigest()
        tmp = self._tmp()
        with open(tmp, "wb") as f:
            f.write(data)
        self._place(tmp, digest)
        desc = {"mediaType": media_type, "digest": "sha256:" + digest, "size": len(data)}
        desc.update(extra)
        return desc

    def add_json(self, obj, media_type, **extra):
        return self.add_blob(canonical(obj), media_type, **extra)

    def add_layer(self, write_entries):
        """Write a gzip layer; write_entries(tar) adds the members. Returns (desc, diff_id)."""
        tmp = self._tmp()
        with open(tmp, "wb") as f:
            compressed = HashWriter(f)
            # mtime=0 and no file name: the gzip header carries nothing host-specific.
            with gzip.GzipFile(filename="", mode="wb", fileobj=compressed, mtime=0,
                               compresslevel=6) as gz:
                plain = HashWriter(gz)
                with tarfile.open(fileobj=plain, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                    write_entries(tar)
        digest = compressed.sha.hexdigest()
        self._place(tmp, digest)
        desc = {"mediaType": MT_LAYER_GZIP, "digest": "sha256:" + digest,
                "size": compressed.size}
        return desc, "sha256:" + plain.sha.hexdigest()

    def add_image(self, config, layers, annotations=None):
        """Write config + manifest for (desc, diff_id) layers; return the manifest descriptor."""
        config = dict(config)
        config["rootfs"] = {"type": "layers", "diff_ids": [d for _, d in layers]}
        cdesc = self.add_json(config, MT_CONFIG)
        manifest = {"schemaVersion": 2, "mediaType": MT_MANIFEST, "config": cdesc,
                    "layers": [l for l, _ in layers]}
        if annotations:
            manifest["annotations"] = annotations
        return self.add_json(manifest, MT_MANIFEST)

    def finish(self, tag, desc, info):
        desc = dict(desc)
        desc["annotations"] = {REF_NAME: tag}
        write_file(os.path.join(self.root, "oci-layout"),
                   canonical({"imageLayoutVersion": "1.0.0"}))
        write_file(os.path.join(self.root, "index.json"),
                   canonical({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [desc]}))
        info = dict(info)
        info.update({"builder": BUILDER_VERSION, "tag": tag, "digest": desc["digest"],
                     "mediaType": desc["mediaType"]})
        write_file(os.path.join(self.root, STAMP), canonical(info) + b"\n")


def canonical(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


def write_file(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ---- building tar members by hand -----------------------------------------------------------

def member(name, kind=tarfile.REGTYPE, mode=0o644, uid=0, gid=0, mtime=EPOCH, **kw):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.mode = mode
    ti.uid, ti.gid = uid, gid
    ti.uname = ti.gname = ""
    ti.mtime = mtime
    for k, v in kw.items():
        setattr(ti, k, v)
    return ti


def add_dir(tar, name, mode=0o755, uid=0, gid=0):
    tar.addfile(member(name, tarfile.DIRTYPE, mode, uid, gid))


def add_file(tar, name, data, mode=0o644, uid=0, gid=0):
    if isinstance(data, str):
        data = data.encode()
    ti = member(name, tarfile.REGTYPE, mode, uid, gid)
    ti.size = len(data)
    tar.addfile(ti, io.BytesIO(data))


def add_symlink(tar, name, target):
    tar.addfile(member(name, tarfile.SYMTYPE, 0o777, linkname=target))


def add_hardlink(tar, name, target):
    tar.addfile(member(name, tarfile.LNKTYPE, 0o644, linkname=target))


# ---- busybox --------------------------------------------------------------------------------

BUSYBOX = "/bin/busybox"

PASSWD = ("root:x:0:0:root:/root:/bin/sh\n"
          "app:x:1000:1000:app:/home/app:/bin/sh\n"
          "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n")
GROUP = "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n"


def busybox_applets():
    """Applet paths (bin/sh, usr/bin/env, ...) as this busybox lists them."""
    import subprocess
    out = subprocess.run([BUSYBOX, "--list-full"], check=True, capture_output=True,
                         text=True).stdout
    paths = sorted({p.strip().lstrip("/") for p in out.splitlines() if p.strip()})
    return [p for p in paths if p != "bin/busybox"]


def busybox_entries(extra_files=()):
    with open(BUSYBOX, "rb") as f:
        binary = f.read()
    applets = busybox_applets()

    def write(tar):
        for d, mode in (("bin", 0o755), ("dev", 0o755), ("etc", 0o755), ("home", 0o755),
                        ("proc", 0o755), ("root", 0o700), ("sbin", 0o755), ("sys", 0o755),
                        ("tmp", 0o1777), ("usr", 0o755), ("usr/bin", 0o755),
                        ("usr/sbin", 0o755), ("var", 0o755)):
            add_dir(tar, d, mode)
        add_dir(tar, "home/app", 0o755, 1000, 1000)
        add_file(tar, "bin/busybox", binary, 0o755)
        for p in applets:
            add_symlink(tar, p, "/bin/busybox")
        add_file(tar, "etc/passwd", PASSWD)
        add_file(tar, "etc/group", GROUP)
        for name, data in extra_files:
            add_file(tar, name, data)

    return write


def image_config(arch, cmd, labels, variant=None):
    cfg = {"created": CREATED, "architecture": arch, "os": "linux",
           "config": {"Env": [PATH_ENV], "Cmd": cmd, "Labels": labels},
           "history": [{"created": CREATED, "created_by": "tests/setup/mkimage.py"}]}
    if variant:
        cfg["variant"] = variant
    return cfg


def build_busybox(out):
    lay = Layout(out)
    layer = lay.add_layer(busybox_entries())
    desc = lay.add_image(image_config("amd64", ["sh"], {"org.rcr.test.image": "busybox"}),
                         [layer])
    lay.finish("latest", desc, {"name": "busybox", "layers": 1})


def build_multi(out):
    """An index with a runnable linux/amd64 image and a linux/arm64/v8 one that is never run.

    Each carries /etc/rcr-platform naming its platform, so a test can tell which was pulled."""
    lay = Layout(out)
    entries = []
    for arch, variant in (("amd64", None), ("arm64", "v8")):
        plat = "linux/" + arch + ("/" + variant if variant else "")
        layer = lay.add_layer(busybox_entries([("etc/rcr-platform", plat + "\n")]))
        cfg = image_config(arch, ["sh"], {"org.rcr.test.image": "multi",
                                          "org.rcr.test.platform": plat}, variant)
        desc = lay.add_image(cfg, [layer])
        desc["platform"] = {"architecture": arch, "os": "linux"}
        if variant:
            desc["platform"]["variant"] = variant
        entries.append(desc)
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": entries}
    desc = lay.add_json(index, MT_INDEX)
    lay.finish("latest", desc, {"name": "multi", "platforms": ["linux/amd64", "linux/arm64/v8"]})


# ---- debian ---------------------------------------------------------------------------------

# Host-specific files debootstrap copies in from the build machine; container runtimes provide
# them at run time, and images from Docker Hub do not carry them either.
ROOTFS_DROP = {"etc/hostname", "etc/resolv.conf", "etc/hosts"}
# Directories whose contents are the host's or the kernel's, never an image's (device nodes
# cannot be created in a user namespace anyway).
ROOTFS_EMPTY = {"dev", "proc", "sys"}
# apt's downloaded .debs and package lists (80 MB): Docker Hub's debian images ship without them.
ROOTFS_NO_FILES = {"var/cache/apt/archives", "var/lib/apt/lists"}


def build_rootfs_tar(rootfs, out):
    """Normalise a debootstrap tree into an uncompressed layer tar with numeric owners.

    setup.sh caches the result as src/bookworm-minbase.tar and never remakes it while it exists:
    a change here needs that cache name changed in setup.sh too."""
    rootfs = os.path.abspath(rootfs)
    with open(out, "wb") as f, tarfile.open(fileobj=f, mode="w|",
                                            format=tarfile.PAX_FORMAT) as tar:
        for dirpath, dirnames, filenames in os.walk(rootfs):
            rel = os.path.relpath(dirpath, rootfs)
            rel = "" if rel == "." else rel
            dirnames.sort()
            if rel in ROOTFS_EMPTY:
                dirnames[:] = []
                filenames = []
            if rel in ROOTFS_NO_FILES:
                filenames = []
            for name in dirnames + sorted(filenames):
                arc = rel + "/" + name if rel else name
                if arc in ROOTFS_DROP:
                    continue
                path = os.path.join(dirpath, name)
                # gettarinfo turns the second path of a hardlinked inode into a LNKTYPE entry.
                ti = tar.gettarinfo(path, arc)
                ti.uname = ti.gname = ""
                ti.mtime = int(ti.mtime)  # whole seconds: no PAX mtime record per file
                if ti.isdev() or ti.isfifo():
                    continue
                if ti.isreg():
                    with open(path, "rb") as src:
                        tar.addfile(ti, src)
                else:
                    tar.addfile(ti)


# What the additions and deletions layers of the debian image do; README.md lists the same.
DEBIAN_FACTS = {
    "layer2": {
        "hardlinks": ["opt/rcr/hardlink-a", "opt/rcr/hardlink-b"],
        "setuid": "usr/local/bin/rcr-setuid",
        "owned_1000": ["home/app", "home/app/owned.txt"],
        "symlinks": {"opt/rcr/link-rel": "hardlink-a", "opt/rcr/link-abs": "/etc/os-release"},
        "user": "app:1000:1000 appended to etc/passwd and etc/group",
    },
    "layer3": {
        "deleted": ["etc/motd", "opt/rcr/gone-file", "opt/rcr/gone-dir"],
        "opaque": "opt/rcr/opaque",
        "opaque_keeps": ["opt/rcr/opaque/new.txt"],
        "opaque_hides": ["opt/rcr/opaque/old.txt", "opt/rcr/opaque/sub/old2.txt"],
        "added": ["opt/rcr/layer3.txt"],
    },
}


def read_member(tarpath, name):
    with tarfile.open(tarpath) as tar:
        f = tar.extractfile(name)
        if f is None:
            raise SystemExit("mkimage: %s: no regular file %s" % (tarpath, name))
        return f.read().decode()


def debian_layer2(passwd, group):
    def write(tar):
        for d in ("etc", "home", "opt", "opt/rcr", "usr", "usr/local", "usr/local/bin"):
            add_dir(tar, d)
        # Files that replace lower ones: the whole file is copied up, as in any image build.
        add_file(tar, "etc/passwd", passwd + "app:x:1000:1000:app:/home/app:/bin/bash\n")
        add_file(tar, "etc/group", group + "app:x:1000:\n")
        add_dir(tar, "home/app", 0o755, 1000, 1000)
        add_file(tar, "home/app/owned.txt", "owned by app\n", 0o644, 1000, 1000)
        add_file(tar, "opt/rcr/hardlink-a", "one inode, two names\n")
        add_hardlink(tar, "opt/rcr/hardlink-b", "opt/rcr/hardlink-a")
        add_symlink(tar, "opt/rcr/link-rel", "hardlink-a")
        add_symlink(tar, "opt/rcr/link-abs", "/etc/os-release")
        add_file(tar, "usr/local/bin/rcr-setuid", "#!/bin/sh\nid\n", 0o4755)
        add_file(tar, "opt/rcr/gone-file", "deleted in layer 3\n")
        add_dir(tar, "opt/rcr/gone-dir")
        add_file(tar, "opt/rcr/gone-dir/inner.txt", "deleted with its directory in layer 3\n")
        add_dir(tar, "opt/rcr/opaque")
        add_file(tar, "opt/rcr/opaque/old.txt", "hidden by the opaque directory in layer 3\n")
        add_dir(tar, "opt/rcr/opaque/sub")
        add_file(tar, "opt/rcr/opaque/sub/old2.txt", "hidden as well\n")
    return write


def debian_layer3(tar):
    for d in ("etc", "opt", "opt/rcr"):
        add_dir(tar, d)
    # OCI image spec, layer changesets: ".wh.NAME" deletes NAME from the layers below,
    # ".wh..wh..opq" hides everything below in its directory. The opaque marker comes first.
    add_file(tar, "etc/.wh.motd", b"")
    add_file(tar, "opt/rcr/.wh.gone-file", b"")
    add_file(tar, "opt/rcr/.wh.gone-dir", b"")
    add_dir(tar, "opt/rcr/opaque")
    add_file(tar, "opt/rcr/opaque/.wh..wh..opq", b"")
    add_file(tar, "opt/rcr/opaque/new.txt", "the only file left in opaque/\n")
    add_file(tar, "opt/rcr/layer3.txt", "added in layer 3\n")


def build_debian(rootfs_tar, out):
    lay = Layout(out)

    def copy_rootfs(tar):
        with tarfile.open(rootfs_tar, mode="r|") as src:
            for ti in src:
                tar.addfile(ti, src.extractfile(ti) if ti.isreg() else None)

    layers = [lay.add_layer(copy_rootfs),
              lay.add_layer(debian_layer2(read_member(rootfs_tar, "etc/passwd"),
                                          read_member(rootfs_tar, "etc/group"))),
              lay.add_layer(debian_layer3)]
    cfg = image_config("amd64", ["bash"], {"org.rcr.test.image": "debian"})
    cfg["history"] = [{"created": CREATED, "created_by": "debootstrap --variant=minbase bookworm"},
                      {"created": CREATED, "created_by": "rcr test additions"},
                      {"created": CREATED, "created_by": "rcr test deletions"}]
    desc = lay.add_image(cfg, layers)
    lay.finish("bookworm", desc, {"name": "debian", "layers": 3, "facts": DEBIAN_FACTS})


def summary(dirs):
    out = {}
    for d in dirs:
        with open(os.path.join(d, STAMP)) as f:
            info = json.load(f)
        info["layout"] = os.path.abspath(d)
        out[info["name"]] = info
    sys.stdout.write(json.dumps(out, indent=2, sort_keys=True) + "\n")


def main(argv):
    usage = "usage: mkimage.py version|busybox OUT|multi OUT|rootfs-tar DIR OUT|debian TAR OUT"
    if len(argv) < 2:
        raise SystemExit(usage)
    cmd, args = argv[1], argv[2:]
    os.umask(0o022)
    if cmd == "version" and not args:
        print(BUILDER_VERSION)
    elif cmd == "busybox" and len(args) == 1:
        build_busybox(args[0])
    elif cmd == "multi" and len(args) == 1:
        build_multi(args[0])
    elif cmd == "rootfs-tar" and len(args) == 2:
        build_rootfs_tar(args[0], args[1])
    elif cmd == "debian" and len(args) == 2:
        build_debian(args[0], args[1])
    elif cmd == "summary" and args:
        summary(args)
    else:
        raise SystemExit(usage)


if __name__ == "__main__":
    main(sys.argv)
