#!/usr/bin/env python3
"""A registry that serves one image built from tar files given on the command line, for tests
that need content a real registry would refuse to hold or that must misbehave:

    fixture_registry.py PORTFILE [--corrupt] LAYER.tar [LAYER.tar...]

serves repository "fixture" tag "latest" (Docker schema 2 manifest, gzip layers) on
127.0.0.1 at a free port written to PORTFILE. --corrupt serves the first layer with one byte
changed, so its digest no longer matches (as a broken mirror or a bit flip would).
"""
import gzip
import hashlib
import http.server
import json
import sys


def sha(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def build(paths):
    blobs, layers, diff_ids = {}, [], []
    for p in paths:
        raw = open(p, "rb").read()
        gz = gzip.compress(raw, mtime=0)
        blobs[sha(gz)] = gz
        diff_ids.append(sha(raw))
        layers.append({"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
                       "size": len(gz), "digest": sha(gz)})
    config = json.dumps({"architecture": "amd64", "os": "linux",
                         "config": {"Cmd": ["sh"]},
                         "rootfs": {"type": "layers", "diff_ids": diff_ids}}).encode()
    blobs[sha(config)] = config
    manifest = json.dumps({"schemaVersion": 2,
                           "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                           "config": {"mediaType": "application/vnd.docker.container.image.v1+json",
                                      "size": len(config), "digest": sha(config)},
                           "layers": layers}).encode()
    return manifest, blobs, layers[0]["digest"]


def main():
    portfile, args = sys.argv[1], sys.argv[2:]
    corrupt = args and args[0] == "--corrupt"
    if corrupt:
        args = args[1:]
    manifest, blobs, first = build(args)
    if corrupt:
        b = bytearray(blobs[first])
        b[len(b) // 2] ^= 0xFF
        blobs[first] = bytes(b)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send(self, code, body=b"", ctype="application/json", extra=None):
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Docker-Distribution-API-Version", "registry/2.0")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_GET(self):
            p = self.path
            if p == "/v2/":
                return self.send(200, b"{}")
            if p in ("/v2/fixture/manifests/latest", "/v2/fixture/manifests/" + sha(manifest)):
                return self.send(200, manifest,
                                 "application/vnd.docker.distribution.manifest.v2+json",
                                 {"Docker-Content-Digest": sha(manifest)})
            if p.startswith("/v2/fixture/blobs/"):
                d = p.rsplit("/", 1)[1]
                if d in blobs:
                    return self.send(200, blobs[d], "application/octet-stream")
            return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')

        do_HEAD = do_GET

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(portfile + ".tmp", portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
