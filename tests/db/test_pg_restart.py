"""After PostgreSQL restarts, the first request on each pooled connection is not a 500: a pooled
connection the server closed is noticed at checkout and replaced (a real PostgreSQL restart)."""

from __future__ import annotations

import asyncio
import socket

import httpx
import psycopg

from paperclip.db.embedded import EmbeddedPostgres
from paperclip.db.migrate import run_migrations


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_requests_after_a_postgresql_restart_are_not_500s(make_settings, paperclip_home):
    from paperclip.server.runtime import build_app

    pg = EmbeddedPostgres(paperclip_home / "pg", _free_port())
    pg.start()
    try:
        admin = pg.admin_url()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("CREATE DATABASE restart")
        url = admin.rsplit("/", 1)[0] + "/restart"
        run_migrations(url)
        app = build_app(make_settings(), url, 3100, role="api")
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://localhost:3100") as client:

                async def burst() -> list[int]:
                    writes = [client.post("/api/companies", json={"name": f"Co {i}"}) for i in range(6)]
                    reads = [client.get("/api/companies") for _ in range(6)]
                    return [r.status_code for r in await asyncio.gather(*writes, *reads)]

                assert set(await burst()) <= {200, 201}  # the pools hold several connections now
                await asyncio.to_thread(pg.stop)
                await asyncio.to_thread(pg.start)
                statuses = await burst()
                assert set(statuses) <= {200, 201}, statuses
                assert set(await burst()) <= {200, 201}
    finally:
        pg.stop()
