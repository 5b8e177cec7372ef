"""A minimal keep-alive HTTP/1.1 client for benchmarks: the load generator shares the machine's cores
with the server, so it must cost as little CPU per request as possible (httpx costs ~1 ms here)."""

from __future__ import annotations

import asyncio
import json as jsonlib
from urllib.parse import urlsplit


class LeanResponse:
    def __init__(self, status_code: int, body: bytes):
        self.status_code = status_code
        self.content = body

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.content)

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise RuntimeError(f"HTTP {self.status_code}: {self.text[:300]}")


class LeanClient:
    def __init__(self, base_url: str, max_connections: int = 64, headers: dict[str, str] | None = None):
        parts = urlsplit(base_url)
        # extra request headers (a session cookie, an Authorization bearer), written once per request
        self.extra = b"".join(f"\r\n{k}: {v}".encode() for k, v in (headers or {}).items())
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.host_header = f"{self.host}:{self.port}".encode()
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(max_connections)
        self._all: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> LeanClient:
        return self

    async def __aexit__(self, *exc) -> None:
        for writer in self._all:
            writer.close()

    async def request(self, method: str, path: str, json=None) -> LeanResponse:
        body = jsonlib.dumps(json).encode() if json is not None else b""
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: ".encode()
            + self.host_header
            + self.extra
            + b"\r\nContent-Type: application/json\r\nContent-Length: "
            + str(len(body)).encode()
            + b"\r\n\r\n"
        )
        async with self._slots:
            if self._idle:
                reader, writer = self._idle.pop()
            else:
                reader, writer = await asyncio.open_connection(self.host, self.port)
                self._all.append(writer)
            writer.write(head + body)
            status, payload, keep = await _read_response(reader)
            if keep:
                self._idle.append((reader, writer))
            else:
                writer.close()
        return LeanResponse(status, payload)

    async def get(self, path: str) -> LeanResponse:
        return await self.request("GET", path)

    async def post(self, path: str, json=None) -> LeanResponse:
        return await self.request("POST", path, json=json)

    async def patch(self, path: str, json=None) -> LeanResponse:
        return await self.request("PATCH", path, json=json)


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if b":" in line:
            name, _, value = line.partition(b":")
            headers[name.strip().lower()] = value.strip()
    keep = headers.get(b"connection", b"").lower() != b"close"
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        return status, b"".join(chunks), keep
    length = int(headers.get(b"content-length", b"0"))
    return status, await reader.readexactly(length) if length else b"", keep
