"""Host names and forwarded headers against a real server, with raw HTTP requests (issue 15).

- local_trusted answers loopback Host names (and configured ones) only: a page on a DNS-rebound
  name resolving to 127.0.0.1 must not drive the board API from the user's own browser;
- X-Forwarded-Host never opens the hostname guard;
- X-Forwarded-For / X-Forwarded-Proto are believed only from PAPERCLIP_TRUSTED_PROXIES.
"""

from __future__ import annotations

import json
import socket

from .conftest import free_port


def raw_request(port: int, request: str) -> tuple[int, dict[str, str], str]:
    """One request written byte for byte (no client library adds or fixes a Host)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request.replace("\n", "\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = (
            headers[name.strip().lower()] + "\n" if name.strip().lower() in headers else ""
        ) + value.strip()
    return int(lines[0].split()[1]), headers, body.decode("utf-8", "replace")


def get(port: int, path: str, host: str | None, *extra: str) -> tuple[int, dict[str, str], str]:
    lines = [
        f"GET {path} HTTP/1.1",
        *([f"Host: {host}"] if host is not None else []),
        *extra,
        "Connection: close",
        "",
        "",
    ]
    return raw_request(port, "\n".join(lines))


def test_local_trusted_answers_loopback_and_configured_hosts_only(start, onboard, database_url: str):
    onboard("local_trusted")
    port = free_port()
    server = start(
        "run",
        env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_ALLOWED_HOSTNAMES": "board.lan"},
    )
    server.wait_healthy(port)
    for host in (
        "localhost",
        f"localhost:{port}",
        "127.0.0.1",
        f"127.0.0.1:{port}",
        "[::1]:3100",
        "Board.LAN:8080",
    ):
        status, _, body = get(port, "/api/companies", host)
        assert status == 200, (host, body)

    status, headers, body = get(port, "/api/companies", "evil.example")
    assert status == 403 and headers["content-type"].startswith("application/json")
    error = json.loads(body)["error"]
    assert "This hostname is not allowed for this Paperclip instance" in error
    assert "PAPERCLIP_ALLOWED_HOSTNAMES" in error and "allowed-hostname" in error
    assert "evil.example" not in body  # never echo request data into a hint meant for a shell

    # A rebound page cannot write either, and a forwarded host does not stand in for the real one.
    post = "\n".join(
        [
            "POST /api/companies HTTP/1.1",
            f"Host: evil.example:{port}",
            "X-Forwarded-Host: localhost",
            "Content-Type: application/json",
            "Content-Length: 13",
            "Connection: close",
            "",
            '{"name":"x"}\n',
        ]
    )
    assert raw_request(port, post)[0] == 403
    assert get(port, "/", "rebind.attacker.test", "Accept: text/html")[0] == 403
    assert get(port, "/api/health", None)[0] in (400, 403)  # HTTP/1.1 without Host: refused either way
    status, _, body = get(port, "/api/companies", "localhost")
    assert status == 200 and json.loads(body) == []
    assert server.terminate() == 0


def test_forwarded_host_does_not_open_the_authenticated_private_guard(start, onboard, database_url: str):
    onboard("authenticated")
    port = free_port()
    server = start("run", env={"HOST": "127.0.0.1", "PORT": str(port), "DATABASE_URL": database_url})
    server.wait_healthy(port)
    assert get(port, "/api/health", "localhost")[0] == 200
    status, _, body = get(port, "/api/health", "evil.example", "X-Forwarded-Host: localhost")
    assert status == 403, body  # the original accepted this (its guard read X-Forwarded-Host first)
    assert "npx paperclipai allowed-hostname <host>" in json.loads(body)["error"]
    assert server.terminate() == 0


def _metrics(port: int, *extra: str) -> int:
    return get(port, "/api/metrics", "localhost", *extra)[0]


def _csrf_cookie(port: int, *extra: str) -> str:
    status, headers, body = get(port, "/onboarding", "localhost", "Accept: text/html", *extra)
    assert status == 200, body
    return next(c for c in headers.get("set-cookie", "").split("\n") if "csrf" in c.lower())


def test_forwarded_for_and_proto_only_from_trusted_proxies(start, onboard, database_url: str):
    """Metrics without a token are served to loopback/private clients only: the client address a
    request is judged by shows whether X-Forwarded-For was believed; the board's cookies show
    whether X-Forwarded-Proto was (Secure only over https)."""
    onboard("local_trusted")
    env = {"DATABASE_URL": database_url, "PAPERCLIP_METRICS_ENABLED": "true"}
    port = free_port()
    server = start("run", env={**env, "PORT": str(port)})
    server.wait_healthy(port)
    # No trusted proxy configured: the headers are the client's word, ignored (was: loopback trusted).
    assert _metrics(port, "X-Forwarded-For: 8.8.8.8") == 200
    assert "secure" not in _csrf_cookie(port, "X-Forwarded-Proto: https").lower()
    assert server.terminate() == 0

    port = free_port()
    server = start(
        "run", env={**env, "PORT": str(port), "PAPERCLIP_TRUSTED_PROXIES": "10.0.0.0/8, 127.0.0.1"}
    )
    server.wait_healthy(port)
    assert _metrics(port) == 200
    assert _metrics(port, "X-Forwarded-For: 8.8.8.8") == 403  # the proxy's client, a public address
    assert _metrics(port, "X-Forwarded-For: 192.168.1.20") == 200
    assert "secure" in _csrf_cookie(port, "X-Forwarded-Proto: https").lower()
    assert "secure" not in _csrf_cookie(port).lower()
    assert server.terminate() == 0


def test_trusted_proxies_setting_is_validated(start, onboard, database_url: str):
    onboard("local_trusted")
    server = start(
        "run",
        env={
            "PORT": str(free_port()),
            "DATABASE_URL": database_url,
            "PAPERCLIP_TRUSTED_PROXIES": "10.0.0.0/8,not-an-address",
        },
    )
    assert server.finish() == 1
    assert "Invalid PAPERCLIP_TRUSTED_PROXIES item 'not-an-address'" in server.stderr + server.stdout
