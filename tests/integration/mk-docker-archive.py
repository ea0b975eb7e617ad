#!/usr/bin/env python3
"""Write a `docker save` archive (docker-archive) from OCI image layouts, for rcr's tests.

    mk-docker-archive.py [--gzip] [--blobs] OUT.tar IMAGE [IMAGE...]
    IMAGE = LAYOUT_DIR[:REF][=TAG[,TAG...]]

Each IMAGE becomes one manifest.json entry {Config, RepoTags, Layers}. The image manifest is
chosen by REF (the ref.name annotation; the only one without REF), and a nested index by
linux/amd64. Layers are written as plain tars, as `docker save` does (--gzip keeps the layout's
compressed blobs instead). The legacy layout is "<id>.json" and "<dir>/layer.tar", where a layer
already written for an earlier image becomes a symlink "../<dir>/layer.tar" as Docker writes it;
--blobs writes Docker 25's "blobs/sha256/<hex>" instead.
"""
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile

REF_NAME = "org.opencontainers.image.ref.name"
INDEX_TYPES = (
    "application/vnd.oci.image.index.v1+json",
    "application/vnd.docker.distribution.manifest.list.v2+json",
)


def blob(layout, digest):
    alg, hexpart = digest.split(":", 1)
    with open(os.path.join(layout, "blobs", alg, hexpart), "rb") as f:
        return f.read()


def pick_manifest(layout, ref):
    with open(os.path.join(layout, "index.json"), encoding="utf-8") as f:
        entries = json.load(f)["manifests"]
    if ref:
        entries = [e for e in entries if e.get("annotations", {}).get(REF_NAME) == ref]
    if len(entries) != 1:
        sys.exit(f"mk-docker-archive: {layout}: cannot choose a manifest for {ref!r}")
    doc = json.loads(blob(layout, entries[0]["digest"]))
    if doc.get("mediaType") in INDEX_TYPES or "manifests" in doc:
        for e in doc["manifests"]:
            p = e.get("platform", {})
            if p.get("os") == "linux" and p.get("architecture") == "amd64":
                return json.loads(blob(layout, e["digest"]))
        sys.exit(f"mk-docker-archive: {layout}: no linux/amd64 image in the index")
    return doc


def add_file(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = 0
    tar.addfile(info)


def add_symlink(tar, name, target):
    info = tarfile.TarInfo(name)
    info.type = tarfile.SYMTYPE
    info.linkname = target
    info.mtime = 0
    tar.addfile(info)


def layer_bytes(layout, desc, keep):
    data = blob(layout, desc["digest"])
    if not keep and data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def write_image(tar, index, spec, opts, written, seen_dirs):
    layout, _, tags = spec.partition("=")
    layout, _, ref = layout.partition(":")
    manifest = pick_manifest(layout, ref)
    config = blob(layout, manifest["config"]["digest"])
    chex = hashlib.sha256(config).hexdigest()
    if opts["blobs"]:
        cname = f"blobs/sha256/{chex}"
    else:
        cname = f"{chex}.json"
    if cname not in seen_dirs:
        seen_dirs.add(cname)
        add_file(tar, cname, config)
    layers = []
    for desc in manifest["layers"]:
        data = layer_bytes(layout, desc, opts["gzip"])
        lhex = hashlib.sha256(data).hexdigest()
        if opts["blobs"]:
            name = f"blobs/sha256/{lhex}"
            if name not in seen_dirs:
                seen_dirs.add(name)
                add_file(tar, name, data)
        else:
            # Docker's legacy ids differ per image chain: a repeated layer is a symlink.
            d = hashlib.sha256(f"{index}:{lhex}".encode()).hexdigest()
            name = f"{d}/layer.tar"
            add_dir(tar, d)
            if lhex in written:
                add_symlink(tar, name, f"../{written[lhex]}")
            else:
                written[lhex] = name
                add_file(tar, name, data)
        layers.append(name)
    return {
        "Config": cname,
        "RepoTags": [t for t in tags.split(",") if t] or None,
        "Layers": layers,
    }


def main(argv):
    opts = {"gzip": False, "blobs": False}
    while argv and argv[0].startswith("--"):
        opt = argv.pop(0)[2:]
        if opt not in opts:
            sys.exit(f"mk-docker-archive: unknown option --{opt}")
        opts[opt] = True
    if len(argv) < 2:
        sys.exit(__doc__)
    out, images = argv[0], argv[1:]
    written, seen = {}, set()
    if opts["blobs"]:
        seen.update({"blobs", "blobs/sha256"})
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tar:
        if opts["blobs"]:
            add_dir(tar, "blobs")
            add_dir(tar, "blobs/sha256")
        entries = [write_image(tar, i, s, opts, written, seen) for i, s in enumerate(images)]
        add_file(tar, "manifest.json", json.dumps(entries).encode())


if __name__ == "__main__":
    main(sys.argv[1:])
