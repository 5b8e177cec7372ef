#!/usr/bin/env python3
"""Serve the original Paperclip's built web app against OUR API (a dev tool, not part of CI).

The original's npm package ships its single-page app already built (``@paperclipai/server/ui-dist``
under the install that ``/work/shared/tools/original-paperclip`` makes). This serves those static
files on 127.0.0.1 and forwards every ``/api`` request — websocket upgrades included — to an
upstream Paperclip, so the original's own client can be pointed at our server (or, for comparison,
at the original itself).

    scripts/dev/original-ui/proxy.py --ui-dir /tmp/orig-x/node_modules/@paperclipai/server/ui-dist \
        --upstream http://127.0.0.1:3100 --port 3199

Standard library only; one thread per connection; loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import mimetypes
import os
import select
import socket
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
}


def find_ui_dir() -> Path | None:
    root = os.environ.get("ORIGINAL_ROOT", "/tmp/original-paperclip")
    candidate = Path(root) / "node_modules" / "@paperclipai" / "server" / "ui-dist"
    return candidate if (candidate / "index.html").is_file() else None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    ui_dir: Path
    upstream: tuple[str, int]
    routes: dict[str, tuple[str, int]] = {}  # exact /api paths served by another upstream (--route)

    def log_message(self, fmt, *args):  # quiet: the browser driver records requests itself
        if os.environ.get("PROXY_VERBOSE"):
            super().log_message(fmt, *args)

    def _is_api(self) -> bool:
        return self.path == "/api" or self.path.startswith("/api/")

    def do_GET(self):
        if self._is_api():
            if self.headers.get("Upgrade", "").lower() == "websocket":
                return self._tunnel()
            return self._forward()
        return self._static()

    def do_HEAD(self):
        return self._forward() if self._is_api() else self._static(head=True)

    def do_POST(self):
        return self._forward()

    do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_POST

    # -- static single-page app -------------------------------------------------------------------
    def _static(self, head: bool = False):
        rel = urlsplit(self.path).path.lstrip("/")
        target = (self.ui_dir / rel).resolve()
        if not rel or not target.is_file() or self.ui_dir not in target.parents:
            target = self.ui_dir / "index.html"  # client-side routes: the app's router decides
        body = target.read_bytes()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    # -- plain HTTP forwarding --------------------------------------------------------------------
    def _forward(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = self.routes.get(urlsplit(self.path).path, self.upstream)
        conn = http.client.HTTPConnection(*upstream, timeout=60)
        try:
            conn.request(self.command, self.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as exc:
            msg = f'{{"error":"proxy: upstream unreachable: {exc}"}}'.encode()
            self.send_response(502)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return
        finally:
            conn.close()
        self.send_response(resp.status, resp.reason)
        for key, value in resp.getheaders():
            if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    # -- websocket: a raw byte tunnel after replaying the upgrade request ------------------------
    def _tunnel(self):
        upstream = socket.create_connection(self.upstream, timeout=10)
        lines = [f"{self.command} {self.path} HTTP/1.1"]
        lines += [
            f"{k}: {v}"
            for k, v in self.headers.items()
            if not (os.environ.get("PROXY_NO_DEFLATE") and k.lower() == "sec-websocket-extensions")
        ]
        if os.environ.get("PROXY_VERBOSE"):
            print("ws upgrade:", lines, file=sys.stderr, flush=True)
        upstream.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        client = self.connection
        upstream.settimeout(None)
        client.settimeout(None)
        # nothing to carry over from rfile: a websocket client sends no frame before the 101 answer
        # (peeking here blocked on an empty buffer, so the handshake never completed)
        socks = [client, upstream]
        try:
            while True:
                ready, _, _ = select.select(socks, [], [], 300)
                if not ready:
                    break
                for s in ready:
                    data = s.recv(65536)
                    if os.environ.get("PROXY_VERBOSE"):
                        side = "client" if s is client else "upstream"
                        print(f"ws {side} -> {len(data)} bytes: {data[:300]!r}", file=sys.stderr, flush=True)
                    if not data:
                        return
                    (upstream if s is client else client).sendall(data)
        except OSError:
            pass
        finally:
            upstream.close()
            self.close_connection = True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--ui-dir",
        type=Path,
        default=find_ui_dir(),
        help="the original's ui-dist (default: $ORIGINAL_ROOT/node_modules/@paperclipai/server/ui-dist)",
    )
    parser.add_argument(
        "--upstream", default="http://127.0.0.1:3100", help="the Paperclip API to forward /api to"
    )
    parser.add_argument("--port", type=int, default=3199)
    parser.add_argument(
        "--route",
        action="append",
        default=[],
        metavar="PATH=URL",
        help="answer this exact /api path from another upstream (to find which answer changes the app)",
    )
    args = parser.parse_args(argv)
    if args.ui_dir is None or not (args.ui_dir / "index.html").is_file():
        print("no ui-dist found: pass --ui-dir or set ORIGINAL_ROOT", file=sys.stderr)
        return 2
    up = urlsplit(args.upstream)
    Handler.ui_dir = args.ui_dir.resolve()
    Handler.upstream = (up.hostname or "127.0.0.1", up.port or 80)
    for route in args.route:
        path, _, url = route.partition("=")
        other = urlsplit(url)
        Handler.routes[path] = (other.hostname or "127.0.0.1", other.port or 80)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(f"original UI on http://127.0.0.1:{args.port}/ -> API {args.upstream}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
