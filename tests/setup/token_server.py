#!/usr/bin/python3
"""A small Docker registry token server for rcr's tests (the flow Docker Hub, ghcr and quay use).

The registry answers 401 with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`; the
client asks this server for a token (GET /token?service=S&scope=repository:NAME:pull,push, with
optional Basic auth), and retries with `Authorization: Bearer TOKEN`. Tokens are RS256 JWTs with
an `x5c` header holding our signing certificate: distribution's `auth.token` checks that chain
against its `rootcertbundle`, then the issuer, audience (service), times and the access list.

Policy (fixed, for tests):
  - the configured user (rcruser/rcrpass) gets what it asks for of pull, push, delete and `*`
    on any repository, and `*` on registry:catalog;
  - anonymous clients get pull on repositories under `public/`, nothing else (an empty access
    list: the registry then answers 401 insufficient_scope, as Docker Hub does);
  - wrong credentials get 401 here, at the token server.
Also implemented: the OAuth2 POST form (grant_type=password or refresh_token, with a refresh
token handed out for `offline_token=true`), and GET /healthz.

Run with Debian's python3 (python3-jwt, python3-cryptography); stdlib otherwise. Listens on
loopback only; it must never sign a token for a bad password.
"""

import argparse
import base64
import datetime
import hmac
import json
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

EXPIRES_IN = 300
USER_ACTIONS = ("pull", "push", "delete", "*")


class Config:
    key = None
    x5c = None
    issuer = ""
    default_service = ""
    users = {}


def parse_scope(scope):
    """'repository:NAME:pull,push' -> ('repository', 'NAME', ['pull', 'push']) or None.

    NAME may itself hold ':' (a host:port prefix), so split at the first and last colon."""
    first, last = scope.find(":"), scope.rfind(":")
    if first <= 0 or last == first:
        return None
    typ, name, actions = scope[:first], scope[first + 1:last], scope[last + 1:]
    if not name:
        return None
    return typ, name, [a for a in actions.split(",") if a]


def granted(user, typ, name, actions):
    if user is not None:
        if typ.startswith("repository"):
            return [a for a in actions if a in USER_ACTIONS]
        if typ == "registry" and name == "catalog":
            return [a for a in actions if a == "*"]
        return []
    if typ.startswith("repository") and name.startswith("public/"):
        return [a for a in actions if a == "pull"]
    return []


def access_list(user, scopes):
    out = []
    for scope in scopes:
        for one in scope.split(" "):  # the OAuth2 form separates scopes with spaces
            parsed = parse_scope(one)
            if parsed is None:
                continue
            typ, name, actions = parsed
            acts = granted(user, typ, name, actions)
            if acts:
                out.append({"type": typ, "name": name, "actions": acts})
    return out


def make_token(user, service, scopes):
    now = int(time.time())
    claims = {
        "iss": Config.issuer,
        "sub": user or "",
        "aud": service,
        "exp": now + EXPIRES_IN,
        "nbf": now - 10,
        "iat": now,
        "jti": uuid.uuid4().hex,
        "access": access_list(user, scopes),
    }
    token = jwt.encode(claims, Config.key, algorithm="RS256",
                       headers={"typ": "JWT", "x5c": Config.x5c})
    issued = datetime.datetime.fromtimestamp(now, datetime.timezone.utc)
    return {"token": token, "access_token": token, "expires_in": EXPIRES_IN,
            "issued_at": issued.strftime("%Y-%m-%dT%H:%M:%SZ")}


def check_password(user, password):
    want = Config.users.get(user)
    return want is not None and hmac.compare_digest(want.encode(), password.encode())


class Handler(BaseHTTPRequestHandler):
    server_version = "rcr-test-token-server/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.log_date_time_string(), fmt % args))

    def reply(self, code, obj, extra_headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra_headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def unauthorized(self, message):
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED", "message": message}]},
                   [("WWW-Authenticate", 'Basic realm="rcr-test-token-server"')])

    def basic_user(self):
        """(ok, user): ok False means bad credentials were sent; user None is anonymous."""
        header = self.headers.get("Authorization", "")
        if not header:
            return True, None
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False, None
        try:
            user, _, password = base64.b64decode(value.strip()).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return False, None
        if not check_password(user, password):
            return False, None
        return True, user

    def do_GET(self):
        url = urlsplit(self.path)
        q = parse_qs(url.query)
        if url.path == "/healthz":
            self.reply(200, {"ok": True})
            return
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        ok, user = self.basic_user()
        if not ok:
            self.unauthorized("invalid username or password")
            return
        service = q.get("service", [Config.default_service])[0]
        resp = make_token(user, service, q.get("scope", []))
        if user is not None and q.get("offline_token", [""])[0] == "true":
            resp["refresh_token"] = "rcr-refresh-" + user
        self.reply(200, resp)

    def do_POST(self):
        url = urlsplit(self.path)
        if url.path != "/token":
            self.reply(404, {"errors": [{"code": "NOT_FOUND", "message": "no such endpoint"}]})
            return
        length = int(self.headers.get("Content-Length", "0") or "0")
        form = parse_qs(self.rfile.read(length).decode("utf-8", "replace"))
        grant = form.get("grant_type", [""])[0]
        user = None
        if grant == "password":
            user = form.get("username", [""])[0]
            if not check_password(user, form.get("password", [""])[0]):
                self.unauthorized("invalid username or password")
                return
        elif grant == "refresh_token":
            rt = form.get("refresh_token", [""])[0]
            user = rt[len("rcr-refresh-"):] if rt.startswith("rcr-refresh-") else ""
            if user not in Config.users:
                self.unauthorized("invalid refresh token")
                return
        else:
            self.reply(400, {"error": "unsupported_grant_type"})
            return
        service = form.get("service", [Config.default_service])[0]
        scopes = form.get("scope", [])
        resp = make_token(user, service, scopes)
        resp["scope"] = " ".join(scopes)
        if form.get("access_type", [""])[0] == "offline":
            resp["refresh_token"] = "rcr-refresh-" + user
        self.reply(200, resp)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--listen", default="127.0.0.1:5004", help="loopback HOST:PORT")
    ap.add_argument("--key", required=True, help="PEM RSA private key that signs tokens")
    ap.add_argument("--cert", required=True, help="PEM certificate of that key (sent as x5c)")
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True, help="audience when a client names none")
    ap.add_argument("--user", action="append", default=[], help="USER:PASSWORD, repeatable")
    args = ap.parse_args()

    with open(args.key, "rb") as f:
        Config.key = serialization.load_pem_private_key(f.read(), password=None)
    with open(args.cert, "rb") as f:
        cert = x509.load_pem_x509_certificate(f.read())
    Config.x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
    Config.issuer = args.issuer
    Config.default_service = args.service
    for u in args.user:
        name, sep, password = u.partition(":")
        if not sep:
            ap.error("--user wants USER:PASSWORD")
        Config.users[name] = password

    host, _, port = args.listen.rpartition(":")
    if host not in ("127.0.0.1", "localhost", "::1"):
        ap.error("--listen must be a loopback address")
    httpd = ThreadingHTTPServer((host, int(port)), Handler)
    httpd.daemon_threads = True
    sys.stderr.write("token server listening on http://%s/token\n" % args.listen)
    sys.stderr.flush()
    httpd.serve_forever()


if __name__ == "__main__":
    main()
