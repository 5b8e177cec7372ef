"""An error must not hurt the next request: a 500 answers cleanly and the keep-alive connection
stays usable (a real uvicorn server, one raw socket carrying both requests)."""

from __future__ import annotations

import asyncio
import json
import socket

import uvicorn


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    lines = head.decode("latin-1").split("\r\n")
    headers = {
        k.strip().lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)
    }
    body = await asyncio.wait_for(reader.readexactly(int(headers.get("content-length", "0"))), 10)
    return int(lines[0].split()[1]), headers, body


async def test_a_500_keeps_the_keep_alive_connection_usable(app):
    async def boom():
        raise RuntimeError("a bug in a route")

    app.router.add_api_route("/api/test-boom", boom, methods=["GET"])
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    try:
        while not server.started:
            await asyncio.sleep(0.02)
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        request = "GET {} HTTP/1.1\r\nHost: localhost\r\n\r\n"
        writer.write(request.format("/api/test-boom").encode())
        status, headers, body = await _read_response(reader)
        assert status == 500 and json.loads(body) == {"error": "Internal server error"}
        assert headers.get("connection", "").lower() != "close"
        writer.write(request.format("/api/health").encode())  # the same connection
        status, _, _ = await _read_response(reader)
        assert status == 200
        writer.close()
    finally:
        server.should_exit = True
        await serving


async def test_a_chunked_body_over_the_limit_is_a_413(client):
    async def chunks():
        piece = b" " * (1024 * 1024)
        for _ in range(12):  # past the 10 MiB limit, with no Content-Length to refuse up front
            yield piece

    res = await client.post("/api/companies", content=chunks(), headers={"content-type": "application/json"})
    assert res.status_code == 413 and res.json()["error"] == "Request body too large"


async def test_the_body_of_a_rejected_request_never_reaches_the_log(client, caplog):
    caplog.set_level("DEBUG")
    planted = "planted-value-7f3a9c"
    res = await client.post("/api/companies", json={"name": "", "notes": planted, "budgetMonthlyCents": "x"})
    assert res.status_code == 400
    assert "POST /api/companies 400" in caplog.text  # the request was logged…
    assert not [r for r in caplog.records if planted in repr(r.__dict__)]  # …without its body, in any field
