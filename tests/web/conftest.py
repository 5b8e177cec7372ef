"""Fixtures for page tests: a client that keeps cookies and knows the CSRF token; the company and agent
most pages show (made with tests/factories.py)."""

from __future__ import annotations

import re

import pytest

CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"')


async def csrf_of(client, path: str = "/companies") -> str:
    """Open a page (sets the pc_csrf cookie) and return the token it rendered."""
    response = await client.get(path)
    match = CSRF_RE.search(response.text)
    assert match, response.text[:500]
    return match.group(1)


@pytest.fixture
async def company(api):
    return await api.company("Acme Robotics")


@pytest.fixture
async def agent(api, company):
    return await api.agent(company["id"], "Ada", role="engineer")


@pytest.fixture
async def live_url(app):
    """The app (lifespan already running) served by uvicorn on 127.0.0.1: streams need a real socket."""
    import asyncio
    import socket

    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await task
