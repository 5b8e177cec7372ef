"""A request body must arrive within PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC (issue 15: 300 stalled uploads
were held open): headers then nothing, half a body, or a chunked body trickling a byte at a time are
answered 408 and the connection is closed; a body that arrives in time is served as before."""

from __future__ import annotations

import json
import socket
import threading

import httpx

from .conftest import free_port


def _open(port: int, head: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(head.replace("\n", "\r\n").encode())
    return sock


def _response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Reads until the server closes the connection (a 408 must close it)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _post_head(path: str, *headers: str) -> str:
    return "\n".join([f"POST {path} HTTP/1.1", "Host: localhost", *headers, "", ""])


def test_stalled_and_trickling_bodies_get_408_and_a_closed_connection(start, onboard, database_url: str):
    onboard("local_trusted")
    port = free_port()
    server = start(
        "run",
        env={"PORT": str(port), "DATABASE_URL": database_url, "PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC": "2"},
    )
    server.wait_healthy(port)

    nothing = _open(
        port, _post_head("/api/companies", "Content-Type: application/json", "Content-Length: 40")
    )
    half = _open(
        port,
        _post_head("/api/companies", "Content-Type: application/json", "Content-Length: 40")
        + '{"name": "Half',
    )
    form = _open(
        port,
        _post_head("/onboarding", "Content-Type: application/x-www-form-urlencoded", "Content-Length: 100")
        + "name=Stalled",
    )
    for sock in (nothing, half, form):
        status, headers, body = _response(sock)
        assert status == 408, body
        assert headers.get("connection") == "close"
        if headers["content-type"].startswith("application/json"):
            assert json.loads(body)["error"] == "Request body not received in time"
        sock.close()

    # Chunked, a byte at a time: each chunk arrives quickly, the whole body never does.
    trickle = _open(
        port, _post_head("/api/companies", "Content-Type: application/json", "Transfer-Encoding: chunked")
    )
    stop = threading.Event()

    def drip() -> None:
        try:
            while not stop.wait(0.3):
                trickle.sendall(b"1\r\n \r\n")
        except OSError:
            pass  # the server closed the connection: the point

    dripping = threading.Thread(target=drip, daemon=True)
    dripping.start()
    status, headers, _ = _response(trickle)
    stop.set()
    dripping.join(timeout=5)
    trickle.close()
    assert status == 408 and headers.get("connection") == "close"

    # A body sent in time, and the server still answers everyone.
    created = httpx.post(f"http://127.0.0.1:{port}/api/companies", json={"name": "On time"}, timeout=30)
    assert created.status_code == 201, created.text
    assert server.wait_healthy(port).status_code == 200
    assert server.terminate() == 0


def test_body_timeout_setting_is_validated(start, onboard, database_url: str):
    onboard("local_trusted")
    server = start(
        "run",
        env={
            "PORT": str(free_port()),
            "DATABASE_URL": database_url,
            "PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC": "soon",
        },
    )
    assert server.finish() == 1
    assert "Invalid PAPERCLIP_REQUEST_BODY_TIMEOUT_SEC='soon'" in server.stderr + server.stdout
