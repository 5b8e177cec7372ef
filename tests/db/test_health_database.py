"""GET /api/health when the database is gone or hung: 503 database_unreachable, promptly."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import httpx
import pytest

from paperclip.db.migrate import run_migrations

pytestmark = pytest.mark.timeout(120)


def postgres_processes(postmaster: int) -> list[int]:
    """The postmaster and its children (backends, checkpointer, ...)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster:
                children.append(int(entry.name))
    return [postmaster, *children]


@pytest.fixture
async def app_on_throwaway_cluster(embedded, make_settings):
    from paperclip.server.runtime import build_app

    pg = embedded()
    pg.start()
    run_migrations(pg.url)
    app = build_app(make_settings(), pg.url, 3100, role="api")
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:
            yield pg, client


async def get_health(client: httpx.AsyncClient) -> httpx.Response:
    # A generous outer bound only so that a regression fails instead of hanging the suite.
    return await asyncio.wait_for(client.get("/api/health"), timeout=30)


async def test_health_is_503_when_the_database_is_stopped(app_on_throwaway_cluster):
    pg, client = app_on_throwaway_cluster
    assert (await get_health(client)).status_code == 200
    pg.stop()

    response = await get_health(client)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unhealthy" and body["error"] == "database_unreachable"
    assert set(body) == {"status", "version", "error"}


async def test_health_answers_503_when_the_database_hangs(app_on_throwaway_cluster):
    """A frozen server (SIGSTOP: connections stay open, nothing answers) must not hang monitors."""
    pg, client = app_on_throwaway_cluster
    assert (await get_health(client)).status_code == 200  # the pool now holds a live connection
    pid, _ = pg.running_pid()
    frozen = postgres_processes(pid)
    for member in frozen:
        os.kill(member, signal.SIGSTOP)
    try:
        responses = [await get_health(client) for _ in range(2)]
    finally:
        for member in frozen:
            try:
                os.kill(member, signal.SIGCONT)
            except ProcessLookupError:
                pass
    assert [r.status_code for r in responses] == [503, 503]
    assert responses[0].json()["error"] == "database_unreachable"

    # Once the database answers again, so does health (the pool recovers by itself).
    for _ in range(20):
        if (await get_health(client)).status_code == 200:
            break
        await asyncio.sleep(0.5)
    else:
        raise AssertionError("health did not recover after the database resumed")
